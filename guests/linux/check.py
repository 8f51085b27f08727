#!/usr/bin/python3
"""Boots the Linux guest (build/linux/Image + initramfs.cpio.gz, `make linux`)
through the launcher and checks what /init and the shell do: an interactive
shell with job control, trapeze.cmd (output, exit status, escaping) and
trapeze.bench. On bare QEMU by default; --virt runs the same under Trapeze.

    guests/linux/check.py [--virt] [--bench-scale S] [--timeout SECONDS] [CASE...]

Prints one "PASS name" or "FAIL name: why" per case, "info:" lines with the
boot-to-init time (launcher start to "trapeze-init: start", wall clock) and
the guest's bench lines, then "N passed, N failed". Exit status 1 if any
case failed.
"""
import argparse
import os
import re
import subprocess
import sys
import time

import pexpect

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.path.join(ROOT, "build")
LINUX = os.path.join(BUILD, "linux")
LAUNCHER = os.path.join(BUILD, "trapeze")
BOOTARGS = "console=ttyS0 earlycon=sbi"
BENCH_NAMES = ["getppid", "fork", "exec", "pagefault", "pipe", "mmap", "compute", "memcpy"]


class CaseFailed(Exception):
    pass


def write_config(name, bootargs, hang_timeout):
    """A one-VM config in build/linux/test/, paths relative to it."""
    d = os.path.join(LINUX, "test")
    os.makedirs(d, exist_ok=True)
    path = os.path.join(d, name + ".ini")
    with open(path, "w") as f:
        f.write(f"[machine]\nhang-timeout = {hang_timeout}\n\n")
        f.write("[vm linux]\nkernel = ../Image\ninitrd = ../initramfs.cpio.gz\n")
        f.write(f"memory = 256M\nbootargs = {bootargs}\n")
    return path


def launcher_args(opts, config):
    args = [LAUNCHER, "run"]
    if not opts.virt:
        args.append("--bare")
    return args + [config]


def run_batch(opts, name, extra_bootargs):
    """Boots with EXTRA_BOOTARGS to the end; returns (status, lines, boot_s)."""
    config = write_config(name, f"{BOOTARGS} {extra_bootargs}", opts.hang_timeout)
    start = time.monotonic()
    boot_s = None
    lines = []
    p = subprocess.Popen(launcher_args(opts, config), stdin=subprocess.DEVNULL,
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        for raw in p.stdout:
            line = raw.decode("utf-8", "replace").rstrip("\r\n")
            if boot_s is None and line == "trapeze-init: start":
                boot_s = time.monotonic() - start
            lines.append(line)
            if time.monotonic() - start > opts.timeout:
                raise CaseFailed(f"still running after {opts.timeout} s")
        status = p.wait(timeout=opts.timeout)
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
    return status, lines, boot_s


def expect_clean_exit(status, lines, want_exit):
    if f"trapeze-init: exit {want_exit}" not in lines:
        tail = "\n    ".join(lines[-15:])
        raise CaseFailed(f"no 'trapeze-init: exit {want_exit}'; last lines:\n    {tail}")
    if status != 0:
        raise CaseFailed(f"launcher exit status {status}, want 0 (power off)")


def init_output(lines):
    """What came after 'trapeze-init: start', without kernel log lines."""
    if "trapeze-init: start" not in lines:
        raise CaseFailed("no 'trapeze-init: start'")
    body = lines[lines.index("trapeze-init: start") + 1:]
    return [l for l in body if not re.match(r"^\[\s*\d+\.\d+\] ", l)]


def case_cmd(opts):
    status, lines, boot_s = run_batch(opts, "cmd", 'trapeze.cmd="uname -a; ls /"')
    expect_clean_exit(status, lines, 0)
    out = init_output(lines)
    if not any(l.startswith("Linux (none) 6.1") for l in out):
        raise CaseFailed("no uname line")
    if not any("bin" in l and "proc" in l for l in out):
        raise CaseFailed("no listing of /")
    if out[0].split()[0:2] != ["trapeze-init:", "boottime-us"]:
        raise CaseFailed(f"second line is {out[0]!r}, want boottime-us")
    print(f"info: boot-to-init {boot_s * 1000:.0f} ms wall (launcher start to "
          f"'trapeze-init: start'), kernel {int(out[0].split()[2]) / 1000:.0f} ms "
          "(CLOCK_BOOTTIME at init)")


def case_cmd_status(opts):
    status, lines, _ = run_batch(opts, "cmd-status", 'trapeze.cmd="echo about to fail; exit 3"')
    expect_clean_exit(status, lines, 3)
    if "about to fail" not in init_output(lines):
        raise CaseFailed("command output missing")


def case_cmd_escape(opts):
    # %22 = ", %25 = %, %3B = ;, %20 = blank: decodes to  echo "a%b"; echo c
    status, lines, _ = run_batch(opts, "cmd-escape", "trapeze.cmd=echo%20%22a%25b%22%3B%20echo%20c")
    expect_clean_exit(status, lines, 0)
    out = init_output(lines)
    if "a%b" not in out or "c" not in out:
        raise CaseFailed(f"want lines 'a%b' and 'c', got {out}")


def case_bench(opts):
    status, lines, _ = run_batch(opts, "bench", f"trapeze.bench={opts.bench_scale}")
    expect_clean_exit(status, lines, 0)
    got = {}
    for l in init_output(lines):
        m = re.match(r"^bench: linux-(\w+) (\d+)$", l)
        if m:
            got[m.group(1)] = int(m.group(2))
            print(f"info: {l}")
    missing = [n for n in BENCH_NAMES if n not in got]
    if missing:
        raise CaseFailed(f"no result for {missing}")
    if any(v <= 0 for v in got.values()):
        raise CaseFailed(f"a result of 0 ns: {got}")


def case_shell(opts):
    config = write_config("shell", BOOTARGS, 0)
    args = launcher_args(opts, config)
    child = pexpect.spawn(args[0], args[1:], timeout=opts.timeout, encoding="utf-8",
                          codec_errors="replace")
    try:
        child.expect_exact("trapeze-init: start")
        child.expect_exact("/ # ")
        child.sendline("echo $((6 * 7)); tty")
        child.expect_exact("42")
        child.expect(r"/dev/tty\w+")
        if child.after.strip() == "/dev/console":
            raise CaseFailed("shell has /dev/console, not a real tty")
        # Job control: a background job, brought back and stopped with ^C.
        child.expect_exact("/ # ")
        child.sendline("sleep 100 &")
        child.expect_exact("/ # ")
        child.sendline("fg")
        child.expect_exact("sleep 100")
        time.sleep(0.5)
        child.sendcontrol("c")
        child.expect_exact("/ # ")
        child.sendline("echo bg-status=$?")
        child.expect(r"bg-status=(\d+)")
        if child.match.group(1) != "130":
            raise CaseFailed(f"^C did not kill the foreground job (status {child.match.group(1)})")
        child.expect_exact("/ # ")
        child.sendline("exit 7")
        child.expect_exact("trapeze-init: exit 7")
        child.expect(pexpect.EOF)
    except (pexpect.TIMEOUT, pexpect.EOF) as e:
        raise CaseFailed(f"{type(e).__name__}; last output:\n{child.before[-800:]}")
    finally:
        child.close()
    if child.exitstatus != 0:
        raise CaseFailed(f"launcher exit status {child.exitstatus}, want 0")


CASES = {
    "shell": case_shell,
    "cmd": case_cmd,
    "cmd-status": case_cmd_status,
    "cmd-escape": case_cmd_escape,
    "bench": case_bench,
}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--virt", action="store_true", help="under Trapeze, not bare QEMU")
    ap.add_argument("--bench-scale", default="0.1", help="trapeze.bench=S (default 0.1)")
    ap.add_argument("--timeout", type=float, default=120, help="seconds per case")
    ap.add_argument("--hang-timeout", type=int, default=60, help="launcher watchdog, seconds")
    ap.add_argument("cases", nargs="*", choices=[[]] + list(CASES), metavar="CASE",
                    help=" ".join(CASES))
    opts = ap.parse_args()
    for f in (LAUNCHER, os.path.join(LINUX, "Image"), os.path.join(LINUX, "initramfs.cpio.gz")):
        if not os.path.exists(f):
            sys.exit(f"{f} missing: make build/trapeze linux")
    passed = failed = 0
    for name in opts.cases or CASES:
        try:
            CASES[name](opts)
            print(f"PASS {name}")
            passed += 1
        except CaseFailed as e:
            print(f"FAIL {name}: {e}")
            failed += 1
        sys.stdout.flush()
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
