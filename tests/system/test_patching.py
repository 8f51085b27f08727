"""Patching of hot privileged instructions under the trap engine (issue 11):
with `patching = on` every test guest and Linux print what they print on
bare QEMU, on a CPU without and with H, and the patches really run
(Trapeze's `patch:` statistics); a static key flipped at run time (Linux
rewrites its own text through the fixmap) undoes the patches of its page
and takes effect as on bare hardware; under hw the key is ignored with a
warning."""
import functools
import os
import re

import pytest

from trapeze_run import CPUS, NO_H, compared, first_difference, guest_path, run

from test_guests import GUESTS, bare, without_known
from test_linux import COMMAND, IMAGE, INITRD, after_start, init_lines, linux_vm


def stat(result, group, key):
    """A counter of Trapeze's `stats VM GROUP:` lines (0 when absent)."""
    for line in result.log_lines:
        if re.search(rf"stats \S+ {group}:", line):
            m = re.search(rf"\b{re.escape(key)}=(\d+)", line)
            if m:
                return int(m.group(1))
    return 0


@functools.lru_cache(maxsize=None)
def patched_guest(name, cpu, mode="on"):
    return run([(name, {"kernel": guest_path(name), "memory": "64M", "patching": mode})], cpu=cpu)


@pytest.mark.parametrize("mode", ["on", "x0"])
@pytest.mark.parametrize("cpu", CPUS)
@pytest.mark.parametrize("name", GUESTS)
def test_patching_guest_matches_bare(name, cpu, mode):
    ref = bare(name, NO_H[cpu])
    got = patched_guest(name, cpu, mode)
    assert got.status == 0, got.output
    assert got.guest_lines and got.guest_lines[-1] == "done", got.output
    diff = first_difference(*without_known(name, compared(ref.guest_lines), compared(got.guest_lines)))
    assert diff is None, diff


@pytest.mark.parametrize("cpu", CPUS)
def test_patching_runs_in_paging_guests(cpu):
    """Guests that run virtual S-mode with paging get patched and run the
    patches (a patcher that never patches fails here)."""
    runs = [patched_guest(n, cpu) for n in ("paging_user", "paging_sfence", "paging_modes")]
    assert sum(stat(r, "patch", "ebreak") for r in runs) >= 10
    assert sum(stat(r, "patch", "traps-saved") for r in runs) >= 10


linux = pytest.mark.skipif(not os.path.exists(IMAGE) or not os.path.exists(INITRD),
                           reason="make linux has not built the guest")


@functools.lru_cache(maxsize=None)
def linux_boot(cmd, cpu, patching="on", bare_run=False):
    vm = linux_vm(cmd)
    vm[1]["patching"] = patching
    return run([vm], cpu=cpu, bare=bare_run, machine={"hang-timeout": 60}, timeout=600)


@linux
@pytest.mark.parametrize("cpu", CPUS)
def test_patching_linux_busybox_matches_bare(cpu):
    got = linux_boot(COMMAND, cpu)
    assert stat(got, "patch", "x0-load") == 0     # `on`: breakpoints only
    ref = linux_boot(COMMAND, "rv64,h=false", bare_run=True)
    assert got.status == 0 and ref.status == 0, got.output
    assert after_start(init_lines(got)) == after_start(init_lines(ref))
    # The kernel's hot paths run patched: sstatus above all, SRET, fences.
    assert stat(got, "patch", "exec-csr") > 10000, got.log_lines
    assert stat(got, "patch", "exec-sret") > 100
    assert stat(got, "patch", "exec-sfence") > 100
    assert stat(got, "patch", "traps-saved") > 10 * stat(got, "traps", "illegal-insn")
    # Trap entry's sepc/stval/scause/sscratch reads run back to back in one exit.
    assert stat(got, "patch", "chained") > 1000, got.log_lines
    # Every change of a copy is followed by FENCE.I (on every hart).
    assert stat(got, "patch", "fence-i") > 0


@linux
@pytest.mark.parametrize("cpu", CPUS)
def test_patching_x0_linux_busybox_matches_bare(cpu):
    """`patching = x0`: Linux's plain reads and writes of sscratch, sepc,
    scause and stval become loads and stores with base x0 and run without
    a trap; what Linux prints is bare QEMU's."""
    got = linux_boot(COMMAND, cpu, patching="x0")
    ref = linux_boot(COMMAND, "rv64,h=false", bare_run=True)
    assert got.status == 0 and ref.status == 0, got.output
    assert after_start(init_lines(got)) == after_start(init_lines(ref))
    # The trap entry's reads of sepc, stval, scause; its `csrw sscratch, x0`
    # and the return path's `csrw sscratch, tp`.
    assert stat(got, "patch", "x0-load") >= 3, got.log_lines
    assert stat(got, "patch", "x0-store") >= 2, got.log_lines
    assert stat(got, "patch", "x0-load-faults") >= 1
    assert stat(got, "patch", "x0-stores-seen") > 1000, got.log_lines
    # No longer emulated: the reads of sepc, stval and scause.
    assert stat(got, "emulated", "csrr-sepc") < 10, got.log_lines
    assert stat(got, "patch", "undone-x0-mapped") == 0


STATIC_KEY = ("cat /proc/sys/kernel/sched_schedstats; echo 1 > /proc/sys/kernel/sched_schedstats; "
              "cat /proc/sys/kernel/sched_schedstats; sh -c 'exit 5'; echo status $?; "
              "head -1 /proc/schedstat; echo 0 > /proc/sys/kernel/sched_schedstats; "
              "cat /proc/sys/kernel/sched_schedstats; ls /")
QUIET = "cat /proc/sys/kernel/sched_schedstats; sh -c 'exit 5'; echo status $?; ls /"


@linux
@pytest.mark.parametrize("cpu", CPUS)
def test_patching_linux_static_key_flip(cpu):
    """sched_schedstats is a static key: writing it rewrites kernel text
    (jump labels) through a writable alias of patched frames."""
    got = linux_boot(STATIC_KEY, cpu)
    ref = linux_boot(STATIC_KEY, "rv64,h=false", bare_run=True)
    assert got.status == 0 and ref.status == 0, got.output
    lines = after_start(init_lines(got))
    assert lines == after_start(init_lines(ref))
    assert "status 5" in lines and lines.count("1") >= 1, lines
    quiet = linux_boot(QUIET, cpu)
    assert quiet.status == 0, quiet.output
    # Flipping the key undid patches the quiet run keeps.
    assert stat(got, "patch", "undone-write") > stat(quiet, "patch", "undone-write"), \
        (got.log_lines, quiet.log_lines)
    assert stat(got, "patch", "traps-saved") > 10000


def test_patching_ignored_under_hw_with_a_warning():
    r = run([("hello", {"kernel": guest_path("hello"), "memory": "64M", "patching": "on",
                        "engine": "hw"})], cpu="rv64,h=true")
    assert r.status == 0, r.output
    assert re.search(r"vm.ini:\d+: warning: patching = on is for the trap engine; ignored under hw",
                     r.output), r.output
    assert stat(r, "patch", "sites") == 0
