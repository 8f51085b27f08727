"""The console and the monitor in a real terminal (pexpect; issue 13,
items 5-7): two Linux VMs as `make run` boots them (one per engine),
Ctrl-A and a digit switching the console, Ctrl-A Ctrl-A reaching the guest
as a literal Ctrl-A, Ctrl-A m opening the monitor, and idle shells spared
by the hang watchdog."""
import os
import re

import pexpect
import pytest

from trapeze_run import BUILD, LAUNCHER, write_config

IMAGE = os.path.join(BUILD, "linux", "Image")
INITRD = os.path.join(BUILD, "linux", "initramfs.cpio.gz")
PROMPT = r"[#$] "


def linux(engine):
    return {"kernel": IMAGE, "initrd": INITRD, "memory": "256M", "engine": engine,
            "bootargs": "console=ttyS0"}


@pytest.fixture
def two_linux(tmp_path):
    if not os.path.exists(IMAGE) or not os.path.exists(INITRD):
        pytest.skip("no Linux guest (make linux)")
    cfg = str(tmp_path / "two.ini")
    # A short hang timeout: idle shells must not count as hung.
    write_config(cfg, [("one", linux("trap")), ("two", linux("hw"))],
                 machine={"cpu": "rv64,h=true", "harts": 2, "hang-timeout": 20}, engine=None)
    child = pexpect.spawn(LAUNCHER, ["run", "--monitor", str(tmp_path / "mon.sock"), cfg],
                          timeout=180, encoding="utf-8", dimensions=(40, 160))
    yield child, str(tmp_path / "mon.sock")
    child.close(force=True)


def monitor(child, cmd):
    """One command at the (trapeze) prompt; its reply up to the next prompt."""
    child.send(cmd + "\r")
    child.expect(re.escape("(trapeze) "))
    return child.before


def test_two_linux_shells_focus_ctrl_a_and_the_monitor(two_linux):
    child, sock = two_linux
    # Both boot; the focused VM (one) passes through raw, the other is labelled.
    seen = set()
    while len(seen) < 2:
        seen.add(child.expect([r"\[two\] [^\n]*trapeze-init: start", r"\ntrapeze-init: start"]))
    child.sendline("")
    child.expect(PROMPT)
    # Idle past the hang timeout, then still answering: idle, not hung.
    child.expect(pexpect.TIMEOUT, timeout=25)
    child.sendline("echo one-$((40+2))")
    child.expect("one-42")
    # Ctrl-A Ctrl-A is a literal Ctrl-A for the guest (busybox's line
    # editing uses it: go to line start): "o" typed after it lands first.
    child.send("cho one-A\x01\x01e\r")
    child.expect("\none-A")
    # Ctrl-A 2: console on "two"; its prompt comes back unlabelled.
    child.send("\x012")
    child.expect(re.escape("[console: two]"))
    child.sendline("echo two-$((6*7))")
    child.expect("two-42")
    # The monitor.
    child.send("\x01m")
    child.expect(re.escape("(trapeze) "))
    out = monitor(child, "list")
    assert re.search(r"1 one\s+trap\s+1\s+(idle|running)\s+256M", out), out
    assert re.search(r"\* 2 two\s+hw\s+1\s+(idle|running)\s+256M", out), out
    assert "frames free" in out
    assert "pause VM" in monitor(child, "help")
    assert "unknown command 'bogus'" in monitor(child, "bogus")
    assert "no VM 'three'" in monitor(child, "pause three")
    stats = monitor(child, "stats one")
    assert "stats one traps:" in stats and "mmio:" in stats, stats
    assert "one: paused" in monitor(child, "pause one")
    assert re.search(r"1 one\s+trap\s+1\s+paused", monitor(child, "list"))
    assert "one: resumed" in monitor(child, "resume one")
    child.send("\r")                        # an empty line leaves the monitor
    child.expect(re.escape("[console]"))
    # The scripting side against the same run.
    scripted = pexpect.run(f"{LAUNCHER} monitor --socket {sock} list", encoding="utf-8")
    assert re.search(r"1 one\s+trap", scripted), scripted
    # Back on one, which still works after its pause.
    child.send("\x011")
    child.expect(re.escape("[console: one]"))
    child.sendline("echo back-$((1+1))")
    child.expect("back-2")
    child.sendline("poweroff")
    child.expect("vm one: clean shutdown")
    # Focus moves to the VM left.
    child.expect(re.escape("[console: two]"))
    child.sendline("poweroff")
    child.expect("all VMs have ended: success")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0


def test_ctrl_a_x_quits(two_linux):
    child, _ = two_linux
    child.expect("trapeze-init: start")
    child.send("\x01x")
    child.expect(pexpect.EOF, timeout=30)
    child.close()
    assert child.exitstatus == 0
