#!/usr/bin/env python3
"""make bench: the same guests on bare QEMU and under Trapeze, in one run,
alternating, several rounds; medians as a table and build/bench/results.csv
(benchmark,engine,bare,virt,ratio; ns per operation)."""
import csv
import os
import statistics
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "system"))
from trapeze_run import BUILD, run_guest  # noqa: E402

ROUNDS = int(os.environ.get("BENCH_ROUNDS", "5"))
CPU = os.environ.get("BENCH_CPU", "rv64,h=true")
ENGINE = "trap"
# Guests that print "bench: NAME NS" lines: the trap engine's unit costs,
# then paging (shadow fills, address-space switches, SUM toggles).
BENCH_GUESTS = ["bench", "paging_bench"]


def bench_lines(result):
    out = {}
    for line in result.guest_lines:
        if line.startswith("bench: "):
            _, name, ns = line.split()
            out[name] = int(ns)
    return out


def main():
    samples = {}        # name -> {"bare": [...], "virt": [...]}
    for r in range(ROUNDS):
        for guest in BENCH_GUESTS:
            for side, bare in (("bare", True), ("virt", False)):
                res = run_guest(guest, cpu=CPU, bare=bare)
                if res.status != 0:
                    print(res.output)
                    sys.exit(f"{guest} failed ({side}, round {r + 1})")
                for name, ns in bench_lines(res).items():
                    samples.setdefault(name, {"bare": [], "virt": []})[side].append(ns)
    rows = []
    for name, s in samples.items():
        bare = statistics.median(s["bare"])
        virt = statistics.median(s["virt"])
        rows.append((name, ENGINE, bare, virt, virt / bare if bare else float("inf")))
    os.makedirs(os.path.join(BUILD, "bench"), exist_ok=True)
    path = os.path.join(BUILD, "bench", "results.csv")
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["benchmark", "engine", "bare", "virt", "ratio"])
        for name, engine, bare, virt, ratio in rows:
            w.writerow([name, engine, f"{bare:.0f}", f"{virt:.0f}", f"{ratio:.2f}"])
    print(f"Unit costs of the {ENGINE} engine, ns per operation, median of {ROUNDS} rounds, -cpu {CPU}")
    print(f"| {'benchmark':<18} | {'bare':>9} | {'trap':>9} | {'ratio':>7} |")
    print(f"|{'-' * 20}|{'-' * 11}|{'-' * 11}|{'-' * 9}|")
    for name, _, bare, virt, ratio in rows:
        print(f"| {name:<18} | {bare:>9.0f} | {virt:>9.0f} | {ratio:>7.2f} |")
    print(f"written to {path}")


if __name__ == "__main__":
    main()
