#!/usr/bin/env python3
"""make bench: the same guests on bare QEMU and under Trapeze, in one run,
alternating, several rounds; medians as a table, build/bench/results.csv
(benchmark,engine,bare,virt,ratio,ratio_min,ratio_max; ns per operation;
the spread is the lowest and highest of the rounds' own ratios) and a chart of the
ratios (build/bench/ratios.png, gnuplot)."""
import csv
import datetime
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "system"))
from trapeze_run import BUILD, LAUNCHER, run_guest, write_config  # noqa: E402

ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
CPU = os.environ.get("BENCH_CPU", "rv64,h=true")
ENGINE = "trap"
# Guests that print "bench: NAME NS" lines: the trap engine's unit costs,
# then paging (shadow fills, address-space switches, SUM toggles).
BENCH_GUESTS = ["bench", "paging_bench"]
# Linux: the initramfs's own benchmarks, iterations scaled down so that a
# run under the trap engine stays short; the same scale on both sides.
LINUX_SCALE = os.environ.get("BENCH_LINUX_SCALE", "0.1")
IMAGE = os.path.join(BUILD, "linux", "Image")
INITRD = os.path.join(BUILD, "linux", "initramfs.cpio.gz")


def bench_lines(lines):
    out = {}
    for line in lines:
        if line.startswith("bench: "):
            _, name, ns = line.split()[:3]
            out[name] = int(ns)
    return out


def linux_run(bare, engine=ENGINE):
    """Boot Linux with trapeze.bench; returns its bench lines plus
    linux-boot: wall-clock ns from starting QEMU to init's first line."""
    with tempfile.TemporaryDirectory() as d:
        cfg = os.path.join(d, "linux.ini")
        write_config(cfg, [("linux", {
            "kernel": IMAGE, "initrd": INITRD, "memory": "256M",
            "bootargs": f"console=ttyS0 trapeze.bench={LINUX_SCALE}"})],
            machine={"hang-timeout": 300}, engine=engine)
        args = [LAUNCHER, "run", "--cpu", CPU] + (["--bare"] if bare else []) + [cfg]
        start = time.monotonic()
        boot_ns = None
        lines = []
        with subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT) as p:
            for raw in p.stdout:
                line = raw.decode("utf-8", "replace").rstrip("\r\n")
                if boot_ns is None and line.startswith("trapeze-init: start"):
                    boot_ns = int((time.monotonic() - start) * 1e9)
                lines.append(line)
            status = p.wait()
    if status != 0 or boot_ns is None:
        print("\n".join(lines[-40:]))
        sys.exit(f"Linux benchmark run failed ({'bare' if bare else engine})")
    out = bench_lines(lines)
    out["linux-boot"] = boot_ns
    return out


def chart(rows, path):
    if shutil.which("gnuplot") is None:
        print("gnuplot not found: no chart")
        return
    data = path + ".dat"
    with open(data, "w") as f:
        for name, _, _, _, ratio in rows:
            f.write(f"{name} {ratio:.3f}\n")
    title = (f"Trapeze {ENGINE} engine / bare QEMU (lower is better), "
             f"{datetime.date.today().isoformat()}, {platform.node()}, {os.cpu_count()} cores")
    script = f"""
set terminal pngcairo size 1100,520 font ",10"
set output "{path}"
set title "{title}"
set style data histograms
set style fill solid 0.8 border -1
set boxwidth 0.8
set logscale y 10
set yrange [0.1:*]
set ylabel "time ratio (log scale)"
set xtics rotate by -40 nomirror
set grid ytics
unset key
plot "{data}" using 2:xtic(1) linecolor rgb "#3060a0", 1 with lines dashtype 2 linecolor rgb "#a03030"
"""
    try:
        subprocess.run(["gnuplot"], input=script.encode(), check=True)
    except (OSError, subprocess.CalledProcessError) as e:
        print(f"gnuplot failed: {e}; the pngcairo terminal may be missing, trying png")
        subprocess.run(["gnuplot"], input=script.replace("pngcairo", "png").encode())


def main():
    samples = {}        # name -> {"bare": [...], "virt": [...]}
    with_linux = os.path.exists(IMAGE) and os.path.exists(INITRD)
    for r in range(ROUNDS):
        for side, bare in (("bare", True), ("virt", False)):
            for guest in BENCH_GUESTS:
                res = run_guest(guest, cpu=CPU, bare=bare, engine=ENGINE)
                if res.status != 0:
                    print(res.output)
                    sys.exit(f"{guest} failed ({side}, round {r + 1})")
                for name, ns in bench_lines(res.guest_lines).items():
                    samples.setdefault(name, {"bare": [], "virt": []})[side].append(ns)
            if with_linux:
                for name, ns in linux_run(bare).items():
                    samples.setdefault(name, {"bare": [], "virt": []})[side].append(ns)
        print(f"round {r + 1}/{ROUNDS} done", flush=True)
    rows = []
    spreads = {}
    for name, s in samples.items():
        bare = statistics.median(s["bare"])
        virt = statistics.median(s["virt"])
        rows.append((name, ENGINE, bare, virt, virt / bare if bare else float("inf")))
        # The spread: each round's own ratio (its bare and virt runs were
        # made back to back), lowest and highest.
        per_round = [v / b for b, v in zip(s["bare"], s["virt"]) if b]
        spreads[name] = (min(per_round), max(per_round)) if per_round else (0.0, 0.0)
    os.makedirs(os.path.join(BUILD, "bench"), exist_ok=True)
    path = os.path.join(BUILD, "bench", "results.csv")
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["benchmark", "engine", "bare", "virt", "ratio", "ratio_min", "ratio_max"])
        for name, engine, bare, virt, ratio in rows:
            lo, hi = spreads[name]
            w.writerow([name, engine, f"{bare:.0f}", f"{virt:.0f}", f"{ratio:.2f}",
                        f"{lo:.2f}", f"{hi:.2f}"])
    print(f"ns per operation, median of {ROUNDS} rounds, -cpu {CPU}, "
          f"Linux benchmarks at trapeze.bench={LINUX_SCALE}")
    print(f"| {'benchmark':<18} | {'bare':>12} | {ENGINE:>12} | {'ratio':>8} | {'spread (rounds)':>17} |")
    print(f"|{'-' * 20}|{'-' * 14}|{'-' * 14}|{'-' * 10}|{'-' * 19}|")
    for name, _, bare, virt, ratio in rows:
        lo, hi = spreads[name]
        print(f"| {name:<18} | {bare:>12.0f} | {virt:>12.0f} | {ratio:>8.2f} | {lo:>7.2f} - {hi:<7.2f} |")
    print(f"written to {path}")
    chart(rows, os.path.join(BUILD, "bench", "ratios.png"))


if __name__ == "__main__":
    main()
