#!/usr/bin/env python3
"""make bench: the same guests on bare QEMU and under Trapeze's two engines
(trap, and hw where the CPU has H), in one run, alternating, several rounds;
medians as a table, build/bench/results.csv
(benchmark,engine,bare,virt,ratio,ratio_min,ratio_max,spread; ns per
operation; ratio_min/ratio_max are the lowest and highest of the rounds' own
ratios, spread is (max - min) / median of those ratios) and a chart of the
ratios (build/bench/ratios.png, gnuplot).

Each guest reports, per benchmark, the fastest of several batches (interference
on a shared host only adds time); the rounds then show how stable that is.
Wall-clock budget: about 10 minutes at the defaults on 2 cores (5 rounds; the
trap engine's Linux run dominates)."""
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

ROUNDS = int(os.environ.get("BENCH_ROUNDS", "5"))
CPU = os.environ.get("BENCH_CPU", "rv64,h=true")
# Every engine is measured in the same run; hw needs the H extension.
ENGINES = [e for e in os.environ.get("BENCH_ENGINES", "trap,hw").split(",") if e]
if "h=false" in CPU:
    ENGINES = [e for e in ENGINES if e != "hw"]
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


def linux_run(bare, engine="trap"):
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
    """One bar series per engine: ratios, log scale."""
    if shutil.which("gnuplot") is None:
        print("gnuplot not found: no chart")
        return
    data = path + ".dat"
    names = []
    ratio = {}
    for name, engine, _, _, r in rows:
        if name not in names:
            names.append(name)
        ratio[(name, engine)] = r
    with open(data, "w") as f:
        for name in names:
            f.write(name + " " + " ".join(f"{ratio.get((name, e), float('nan')):.3f}"
                                          for e in ENGINES) + "\n")
    title = (f"Trapeze / bare QEMU (lower is better), {datetime.date.today().isoformat()}, "
             f"{platform.node()}, {os.cpu_count()} cores")
    colors = {"trap": "#3060a0", "hw": "#30a060"}
    series = ", ".join(
        f'"{data}" using {i + 2}:xtic(1) title "{e}" linecolor rgb "{colors.get(e, "#808080")}"'
        for i, e in enumerate(ENGINES))
    script = f"""
set terminal pngcairo size 1100,520 font ",10"
set output "{path}"
set title "{title}"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set logscale y 10
set yrange [0.1:*]
set ylabel "time ratio (log scale)"
set xtics rotate by -40 nomirror
set grid ytics
set key top right
plot {series}, 1 with lines dashtype 2 linecolor rgb "#a03030" notitle
"""
    try:
        subprocess.run(["gnuplot"], input=script.encode(), check=True)
    except (OSError, subprocess.CalledProcessError) as e:
        print(f"gnuplot failed: {e}; the pngcairo terminal may be missing, trying png")
        subprocess.run(["gnuplot"], input=script.replace("pngcairo", "png").encode())


def main():
    sides = [("bare", None)] + [(e, e) for e in ENGINES]
    samples = {}        # name -> {side: [...]}
    with_linux = os.path.exists(IMAGE) and os.path.exists(INITRD)
    started = time.monotonic()
    for r in range(ROUNDS):
        for side, engine in sides:
            bare = engine is None
            for guest in BENCH_GUESTS:
                res = run_guest(guest, cpu=CPU, bare=bare, engine=engine or "trap")
                if res.status != 0:
                    print(res.output)
                    sys.exit(f"{guest} failed ({side}, round {r + 1})")
                for name, ns in bench_lines(res.guest_lines).items():
                    samples.setdefault(name, {}).setdefault(side, []).append(ns)
            if with_linux:
                for name, ns in linux_run(bare, engine or "trap").items():
                    samples.setdefault(name, {}).setdefault(side, []).append(ns)
        print(f"round {r + 1}/{ROUNDS} done", flush=True)
    rows = []
    spreads = {}
    for name, s in samples.items():
        bare = statistics.median(s["bare"])
        for e in ENGINES:
            if e not in s:
                continue
            virt = statistics.median(s[e])
            rows.append((name, e, bare, virt, virt / bare if bare else float("inf")))
            # The spread: each round's own ratio (its bare and engine runs
            # were made back to back), lowest and highest.
            per_round = [v / b for b, v in zip(s["bare"], s[e]) if b]
            if per_round:
                lo, hi = min(per_round), max(per_round)
                mid = statistics.median(per_round)
                spreads[(name, e)] = (lo, hi, (hi - lo) / mid if mid else 0.0)
            else:
                spreads[(name, e)] = (0.0, 0.0, 0.0)
    os.makedirs(os.path.join(BUILD, "bench"), exist_ok=True)
    path = os.path.join(BUILD, "bench", "results.csv")
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["benchmark", "engine", "bare", "virt", "ratio", "ratio_min", "ratio_max",
                    "spread"])
        for name, engine, bare, virt, ratio in rows:
            lo, hi, spread = spreads[(name, engine)]
            w.writerow([name, engine, f"{bare:.0f}", f"{virt:.0f}", f"{ratio:.3f}",
                        f"{lo:.3f}", f"{hi:.3f}", f"{spread:.4f}"])
    print(f"ns per operation, median of {ROUNDS} rounds, -cpu {CPU}, "
          f"Linux benchmarks at trapeze.bench={LINUX_SCALE}, "
          f"{time.monotonic() - started:.0f} s in all")
    head = f"| {'benchmark':<18} | {'bare':>12} |"
    rule = f"|{'-' * 20}|{'-' * 14}|"
    for e in ENGINES:
        head += f" {e:>12} | {'ratio':>8} | {'spread':>8} |"
        rule += f"{'-' * 14}|{'-' * 10}|{'-' * 10}|"
    print(head)
    print(rule)
    by = {(n, e): (b, v, r) for n, e, b, v, r in rows}
    for name in samples:
        line = f"| {name:<18} | {statistics.median(samples[name]['bare']):>12.0f} |"
        for e in ENGINES:
            if (name, e) not in by:
                line += f" {'':>12} | {'':>8} | {'':>8} |"
                continue
            _, v, r = by[(name, e)]
            spread = spreads[(name, e)][2]
            line += f" {v:>12.0f} | {r:>8.3f} | {spread * 100:>7.1f}% |"
        print(line)
    print(f"written to {path}")
    chart(rows, os.path.join(BUILD, "bench", "ratios.png"))


if __name__ == "__main__":
    main()
