"""The hw engine's interpreter (src/arch/riscv/engine_hw_interp.h): after a
device exit with the guest's interrupts off, Trapeze runs its following
instructions itself up to the next one it does not handle, so that a run
of device accesses (a console line) costs one exit rather than one each.
What the guest sees must not change: the `interp` guest's instructions
after every UART access (test_guests.py compares it with bare QEMU under
both engines) and Linux's console; here, that the interpreter is what ran
them, from Trapeze's statistics."""
import os
import re

import pytest

from trapeze_run import BUILD, compared, first_difference, run, run_guest

IMAGE = os.path.join(BUILD, "linux", "Image")
INITRD = os.path.join(BUILD, "linux", "initramfs.cpio.gz")


def stat(log_lines, group, key):
    """A counter from `trapeze: stats VM GROUP: key=N ...` (0 when absent)."""
    for line in log_lines:
        m = re.match(r"trapeze: stats \S+ " + re.escape(group) + r": (.*)", line)
        if m:
            for kv in m.group(1).split():
                k, _, v = kv.partition("=")
                if k == key:
                    return int(v)
    return 0


def test_hw_interp_guest_is_interpreted_and_matches_bare():
    ref = run_guest("interp", cpu="rv64,h=false", bare=True)
    got = run_guest("interp", cpu="rv64,h=true", engine="hw")
    assert ref.status == 0 and got.status == 0, got.output
    assert got.guest_lines[-1] == "done", got.output
    diff = first_difference(compared(ref.guest_lines), compared(got.guest_lines))
    assert diff is None, f"interp (hw): {diff}\n{got.output}"
    uart = stat(got.log_lines, "mmio", "uart")
    # Nearly every UART access ran inside an interpretation: an exit starts
    # each run, and printf's CSR-free loops keep it going.
    assert stat(got.log_lines, "hw", "interp-mmio") > 0.95 * uart > 20000, got.log_lines
    assert stat(got.log_lines, "hw", "mmio-exits") < 200, got.log_lines
    assert stat(got.log_lines, "hw", "interp-insns") > 200000, got.log_lines


@pytest.mark.skipif(not os.path.exists(IMAGE) or not os.path.exists(INITRD),
                    reason="make linux has not built the guest")
def test_hw_interp_linux_console_without_exits_per_byte():
    """Linux's boot log on ttyS0 (no earlycon: the console's replay of the
    whole log is one polled 16550 write per byte) costs a few hundred
    exits instead of two per byte; init sees the same as on bare QEMU."""
    vm = ("linux", {"kernel": IMAGE, "initrd": INITRD, "memory": "256M",
                    "bootargs": 'console=ttyS0 trapeze.cmd="echo interp ok"'})
    got = run([vm], cpu="rv64,h=true", engine="hw", machine={"hang-timeout": 60}, timeout=600)
    assert got.status == 0, got.output
    assert "interp ok" in got.guest_lines, got.output
    log = got.log_lines
    uart = stat(log, "mmio", "uart")
    assert uart > 10000, log
    assert stat(log, "hw", "interp-mmio") > 0.9 * uart, log
    assert stat(log, "memory", "world-switches") < 0.2 * uart, log


def test_launcher_keeps_the_cpu_probe_between_runs(tmp_path):
    """The launcher asks QEMU for its CPU's DTB (the ISA string the guests'
    DTBs get) once per QEMU binary and CPU model: the second run starts
    QEMU once, not twice, and the guest sees the same."""
    import shutil
    import subprocess
    from trapeze_run import LAUNCHER, guest_path, split_output, write_config

    calls = tmp_path / "calls"
    wrapper = tmp_path / "qemu"
    wrapper.write_text("#!/bin/sh\necho \"$*\" >> %s\nexec %s \"$@\"\n"
                       % (calls, shutil.which("qemu-system-riscv64")))
    wrapper.chmod(0o755)
    cfg = tmp_path / "vm.ini"
    write_config(str(cfg), [("hello", {"kernel": guest_path("hello"), "memory": "64M"})],
                 {"hang-timeout": 20}, engine="hw")
    env = dict(os.environ, QEMU=str(wrapper), XDG_CACHE_HOME=str(tmp_path / "cache"))
    outs = []
    for _ in range(2):
        p = subprocess.run([LAUNCHER, "run", "--cpu", "rv64,h=true", str(cfg)], env=env,
                           stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, timeout=120)
        assert p.returncode == 0, p.stdout.decode()
        outs.append(split_output(p.stdout.decode())[0])
    lines = calls.read_text().splitlines()
    assert len(lines) == 3 and "dumpdtb" in lines[0], lines
    assert not any("dumpdtb" in l for l in lines[1:]), lines
    assert outs[0] == outs[1] and outs[0][-1] == "done"
