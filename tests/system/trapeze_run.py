"""Helpers shared by the system tests: run a guest on bare QEMU and under
Trapeze through the launcher, and extract what the guest printed."""
import os
import subprocess
import tempfile
from dataclasses import dataclass

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.path.join(ROOT, "build")
LAUNCHER = os.path.join(BUILD, "trapeze")
GUESTS = os.path.join(BUILD, "guests")

# The CPUs every guest is compared on (issue 2: with and without H).
CPUS = ["rv64,h=false", "rv64,h=true"]
# Bare reference for everything the virtual CPU shows: it has no H extension.
NO_H = {"rv64,h=false": "rv64,h=false", "rv64,h=true": "rv64,h=false"}

# Lines that legitimately differ between bare QEMU and Trapeze are kept
# out of the comparison by the guests themselves: info: (identity, timing,
# placement), bench: (numbers), spec: (SBI v2.0 behaviour where OpenSBI 1.1
# implements v1.0; asserted by their own tests).
UNCOMPARED_PREFIXES = ("info: ", "bench: ", "spec: ")


@dataclass
class Run:
    status: int
    output: str          # everything QEMU printed
    guest_lines: list    # what the guest printed (after OpenSBI's banner, without trapeze: lines)
    log_lines: list      # Trapeze's own lines


def guest_path(name):
    return os.path.join(GUESTS, name + ".bin")


# The engine every VM runs on unless a test says otherwise. Written out for
# each VM, so that a change to the launcher's default (auto: hw where the
# CPU has H) never moves a suite to another engine unnoticed.
ENGINE = "trap"


# `patching = <this>` for every trap-engine VM whose test does not set
# patching itself: off, so the suites keep covering the unpatched trap
# engine whatever the launcher's default (test_patching.py and the
# fidelity suite's patching tests ask for it); TRAPEZE_TEST_PATCHING=on
# runs whole suites patched (issue 11).
TEST_PATCHING = os.environ.get("TRAPEZE_TEST_PATCHING", "off")


def write_config(path, vms, machine=None, engine=ENGINE):
    """vms: [(name, {key: value})]. A VM without an "engine" key gets
    `engine = <engine>`; engine=None leaves it to the launcher (auto)."""
    with open(path, "w") as f:
        if machine:
            f.write("[machine]\n")
            for k, v in machine.items():
                f.write(f"{k} = {v}\n")
        for name, opts in vms:
            f.write(f"[vm {name}]\n")
            if engine is not None and "engine" not in opts:
                f.write(f"engine = {engine}\n")
            if TEST_PATCHING and "patching" not in opts and (opts.get("engine") or engine) == "trap":
                f.write(f"patching = {TEST_PATCHING}\n")
            for k, v in opts.items():
                f.write(f"{k} = {v}\n")


def split_output(text):
    lines = text.replace("\r\n", "\n").split("\n")
    # OpenSBI's banner ends with its MEDELEG line; the payload starts after it.
    start = 0
    for i, line in enumerate(lines):
        if line.startswith("Boot HART MEDELEG"):
            start = i + 1
    body = lines[start:]
    if body and body[-1] == "":
        body = body[:-1]
    guest = [l for l in body if not l.startswith("trapeze: ")]
    log = [l for l in body if l.startswith("trapeze: ")]
    return guest, log


def run(vms, cpu="rv64,h=true", bare=False, machine=None, timeout=120, extra=(),
        engine=ENGINE):
    """Runs the launcher on a config of vms (see write_config for engine;
    --bare runs ignore it)."""
    with tempfile.TemporaryDirectory() as d:
        cfg = os.path.join(d, "vm.ini")
        m = {"hang-timeout": 20}
        m.update(machine or {})
        write_config(cfg, vms, m, engine=engine)
        args = [LAUNCHER, "run", "--cpu", cpu, *extra]
        if bare:
            args.append("--bare")
        args.append(cfg)
        p = subprocess.run(args, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, timeout=timeout)
    out = p.stdout.decode("utf-8", "replace")
    guest, log = split_output(out)
    return Run(p.returncode, out, guest, log)


def run_guest(name, cpu="rv64,h=true", bare=False, memory="64M", **kw):
    return run([(name, {"kernel": guest_path(name), "memory": memory})], cpu=cpu, bare=bare, **kw)


def run_guest_smp(name, vcpus, harts, cpu="rv64,h=true", memory="64M", bootargs=None, **kw):
    """One guest with `vcpus = vcpus` on a machine of `harts` physical harts
    (vcpus > harts: overcommitted); vcpus=1 is exactly run_guest."""
    vm = {"kernel": guest_path(name), "memory": memory, "vcpus": vcpus}
    if bootargs:
        vm["bootargs"] = bootargs
    machine = dict(kw.pop("machine", None) or {}, harts=harts)
    return run([(name, vm)], cpu=cpu, machine=machine, **kw)


def compared(lines, hext=True):
    """The lines a comparison looks at: not info:/bench:, and hext: lines
    only when asked."""
    out = [l for l in lines if not l.startswith(UNCOMPARED_PREFIXES)]
    if not hext:
        out = [l for l in out if not l.startswith("hext: ")]
    return out


def first_difference(a, b):
    for i, (x, y) in enumerate(zip(a, b)):
        if x != y:
            return f"line {i + 1}: bare {x!r} != trapeze {y!r}"
    if len(a) != len(b):
        return f"lengths differ: bare {len(a)} lines, trapeze {len(b)} lines"
    return None
