"""Unmodified Linux 6.1 under the trap engine (issue 4): the very same Image
and initramfs boot on bare QEMU and under Trapeze, to our init, run a
busybox command line and power off cleanly; an interactive shell works on
the interrupt-driven ttyS0."""
import functools
import os
import re

import pexpect
import pytest

from trapeze_run import BUILD, ENGINE, LAUNCHER, run, write_config

IMAGE = os.path.join(BUILD, "linux", "Image")
INITRD = os.path.join(BUILD, "linux", "initramfs.cpio.gz")

pytestmark = pytest.mark.skipif(not os.path.exists(IMAGE) or not os.path.exists(INITRD),
                                reason="make linux has not built the guest")


def linux_vm(cmd, name="linux", memory="256M"):
    args = f'console=ttyS0 earlycon=sbi trapeze.cmd="{cmd}"'
    return (name, {"kernel": IMAGE, "initrd": INITRD, "memory": memory, "bootargs": args})


def init_lines(result):
    """What init and the command printed, without the kernel's log."""
    return [l for l in result.guest_lines
            if not re.match(r"^\[\s*\d+\.\d+\]", l) and not l.startswith("trapeze-init: boottime")]


def after_start(lines):
    return lines[lines.index("trapeze-init: start"):] if "trapeze-init: start" in lines else lines


@functools.lru_cache(maxsize=None)
def boot(cmd, bare, cpu="rv64,h=true", engine=ENGINE):
    return run([linux_vm(cmd)], cpu=cpu, bare=bare, machine={"hang-timeout": 60}, timeout=600,
               engine=engine)


COMMAND = ("echo hello from busybox; busybox | head -1 | cut -c1-15; "
           "echo 3 + 4 | bc 2>/dev/null || expr 3 + 4; ls /; "
           "grep -c processor /proc/cpuinfo; grep -E '^(isa|mmu)' /proc/cpuinfo; "
           "cat /proc/interrupts | grep -c PLIC; mkdir /tmp/x && echo data > /tmp/x/f && cat /tmp/x/f; "
           "sh -c 'exit 3'; echo status $?")


@pytest.mark.parametrize("cpu", ["rv64,h=false", "rv64,h=true"])
def test_linux_boots_to_init_and_powers_off(cpu):
    r = boot("uname -s -m", False, cpu)
    assert r.status == 0, r.output
    lines = after_start(init_lines(r))
    assert lines[:3] == ["trapeze-init: start", "Linux riscv64", "trapeze-init: exit 0"], r.output
    assert "reboot: Power down" in r.output
    log = "\n".join(r.log_lines)
    assert "vm linux: clean shutdown" in log
    assert "stats linux shadow: fills=" in log


def test_linux_busybox_command_line_matches_bare():
    virt = boot(COMMAND, False)
    bare = boot(COMMAND, True, "rv64,h=false")   # the virtual CPU has no H
    assert bare.status == 0 and virt.status == 0, virt.output
    got, ref = after_start(init_lines(virt)), after_start(init_lines(bare))
    assert "hello from busybox" in got
    assert "data" in got and "status 3" in got
    assert got == ref, f"bare:\n{ref}\ntrapeze:\n{got}"


def test_linux_sees_sv57_and_no_h_extension():
    r = boot(COMMAND, False)
    cpuinfo = [l for l in init_lines(r) if l.startswith(("isa", "mmu"))]
    assert any("sv57" in l for l in cpuinfo), cpuinfo
    isa = next(l for l in cpuinfo if l.startswith("isa"))
    assert "h" not in isa.split(":")[1].strip().split("_")[0][4:], isa


def test_linux_interactive_shell_on_interrupt_driven_uart(tmp_path):
    """Console input reaches the VM's UART (RX interrupt through the PLIC),
    the shell answers, and `poweroff` ends the VM cleanly."""
    cfg = str(tmp_path / "linux.ini")
    write_config(cfg, [("linux", {"kernel": IMAGE, "initrd": INITRD, "memory": "256M",
                                  "bootargs": "console=ttyS0"})],
                 machine={"hang-timeout": 0})
    child = pexpect.spawn(LAUNCHER, ["run", cfg], timeout=120, encoding="utf-8")
    try:
        child.expect("trapeze-init: start")
        child.expect(r"[#$] ")
        child.sendline("echo interactive $((6*7))")
        child.expect("interactive 42")
        child.sendline("cat /proc/interrupts | grep -i -E 'plic|ttyS' | head -1")
        child.expect(r"\d+")
        child.sendline("poweroff -f")
        child.expect(pexpect.EOF)
    finally:
        child.close()
    assert child.exitstatus == 0, child.before


def test_linux_beside_a_bare_metal_guest():
    """Linux and a test guest share the machine; each ends cleanly."""
    from trapeze_run import guest_path
    r = run([linux_vm("echo together"), ("csr", {"kernel": guest_path("csr"), "memory": "64M"})],
            machine={"harts": 2, "hang-timeout": 60}, timeout=600)
    assert r.status == 0, r.output
    assert "[linux] together" in r.output
    assert "[csr] done" in r.output


def test_linux_console_on_sbi_hvc0():
    """The SBI console (hvc0: legacy console putchar) carries Linux's
    console and init's output as well as ttyS0 does."""
    vm_ = linux_vm("echo on hvc0")
    vm_[1]["bootargs"] = 'console=hvc0 trapeze.cmd="echo on hvc0"'
    r = run([vm_], machine={"hang-timeout": 60}, timeout=600)
    assert r.status == 0, r.output
    assert "console [hvc0] enabled" in r.output
    assert "on hvc0" in init_lines(r)
    assert "legacy=" in "\n".join(r.log_lines)


def test_make_run_gives_a_shell(tmp_path):
    """`make run` as a new user would try it: two shells, each VM's own
    disk, the switch between them, Ctrl-A 2 to the second, poweroff."""
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    for d in ("trap", "hw"):        # blank disks, as a first run makes them
        img = os.path.join(root, "build", "run", f"{d}.img")
        if os.path.exists(img):
            os.unlink(img)
    child = pexpect.spawn("make", ["-s", "-C", root, "run"], timeout=600, encoding="utf-8")
    try:
        child.expect("trapeze-init: start")
        child.expect(r"[#$] ")
        child.sendline("echo make-run $((20+22))")
        child.expect("make-run 42")
        child.sendline("mkdir -p /mnt && mkfs.ext2 -q /dev/vda && mount /dev/vda /mnt && echo kept > /mnt/f"
                       " && cat /mnt/f && umount /mnt && echo disk-$((1+1))")
        child.expect("disk-2")
        child.sendline("ip addr add 10.0.2.40/24 dev eth0 && ip link set eth0 up && echo net-up")
        child.expect("net-up")
        child.send("\x012")                          # Ctrl-A 2: the hw VM
        child.expect(r"\[console: hw\]")
        child.sendline("")
        child.expect(r"[#$] ")
        child.sendline("ip addr add 10.0.2.41/24 dev eth0 && ip link set eth0 up"
                       " && ping -c 2 -W 20 10.0.2.40")
        child.expect("2 packets received")
        child.sendline("poweroff")
        # Two VMs (configs/default.ini): the console moves to the one left.
        child.expect(r"\[console: trap\]")
        child.sendline("")
        child.expect(r"[#$] ")
        child.sendline("poweroff")
        child.expect("all VMs have ended: success")
        child.expect(pexpect.EOF)
    finally:
        child.close()
    assert child.exitstatus == 0


# The hw engine (issue 10): the same Image and initramfs in VS-mode.

def test_linux_hw_busybox_command_line_matches_bare():
    virt = boot(COMMAND, False, "rv64,h=true", engine="hw")
    bare = boot(COMMAND, True, "rv64,h=false")
    assert bare.status == 0 and virt.status == 0, virt.output
    got, ref = after_start(init_lines(virt)), after_start(init_lines(bare))
    assert "hello from busybox" in got
    assert got == ref, f"bare:\n{ref}\nhw:\n{got}"
    log = "\n".join(virt.log_lines)
    assert "engine hw" in log and "vm linux: clean shutdown" in log
    # Guest-internal traps never reach Trapeze: no emulated instruction, no
    # shadow, only SBI calls, devices and G-stage first touches.
    assert "stats linux hw:" in log and "shadow:" not in log and "emulated:" not in log


def test_linux_hw_beside_trap_linux():
    """A trap VM and an hw VM on one Trapeze, both to completion."""
    a, b = linux_vm("echo trap side"), linux_vm("echo hw side", name="linuxhw")
    a[1]["engine"], b[1]["engine"] = "trap", "hw"
    r = run([a, b], cpu="rv64,h=true", machine={"harts": 2, "hang-timeout": 60}, timeout=600)
    assert r.status == 0, r.output
    assert "[linux] trap side" in r.output and "[linuxhw] hw side" in r.output
    log = "\n".join(r.log_lines)
    assert "vm linux: 256 MiB RAM, 1 vCPU, engine trap" in log
    assert "vm linuxhw: 256 MiB RAM, 1 vCPU, engine hw" in log


# The SBI v3.0 PMU extension under Linux (RISCV_PMU_SBI): /bin/perf-check
# (guests/linux/perf/perf.c) counts cycles, instructions and a firmware
# event (SBI_PMU_FW_ILLEGAL_INSN, caused five times) with perf_event_open.
PERF_OK = ["perf: cycles ok", "perf: instructions ok", "perf: fw-illegal-insn ok"]


@pytest.mark.parametrize("cpu,engine", [("rv64,h=false", "trap"), ("rv64,h=true", "hw")],
                         ids=["trap", "hw"])
def test_linux_perf_counts_through_sbi_pmu(cpu, engine):
    r = boot("perf-check", False, cpu, engine=engine)
    assert r.status == 0, r.output
    lines = after_start(init_lines(r))
    assert [l for l in lines if l.startswith("perf: ") and " = " not in l] == PERF_OK, r.output
    assert "trapeze-init: exit 0" in lines
    # The driver found the extension at boot.
    assert "sbi_pmu" in r.output or "SBI PMU" in r.output, r.output


def test_linux_perf_on_bare_qemu():
    """The same program on bare QEMU, over OpenSBI 1.1's PMU: the reference
    the VM runs are held to."""
    r = boot("perf-check", True, "rv64,h=false")
    assert r.status == 0, r.output
    lines = after_start(init_lines(r))
    assert [l for l in lines if l.startswith("perf: ") and " = " not in l] == PERF_OK, r.output
