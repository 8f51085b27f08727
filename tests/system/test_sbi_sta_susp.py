"""SBI v3.0 Steal-time Accounting (chapter 16) and System Suspend (chapter 13)
(issue items 3, 4 and 8), with guests/sbi_sta_susp.

OpenSBI 1.1 on bare QEMU has neither extension (its probes answer 0, which
is all the guest then prints besides its start and end lines), so the
reference for what the guest sees under Trapeze is the specification text:
its "spec: " lines are compared with the lines below, each the result a
chapter requires, under both engines (trap without and with H on the host,
hw). "info: " lines carry measurements, which are checked against bounds:
steal time stays near 0 for a VM alone on its hart and grows when a busy
neighbour VM shares the hart. A suspended VM is asleep, not hung: the hang
watchdog leaves it alone for longer than its timeout.

With 2 vCPUs on 1 physical hart (overcommitted), the guest starts its other
hart with HSM and adds what one vCPU cannot show: a steal-time record per
vCPU, both moving while the two wait for the one hart in turn, and SUSP
refused with SBI_ERR_DENIED while the other vCPU is started, accepted once
it has stopped itself with HSM hart_stop."""
import functools
import re

import pytest

from trapeze_run import compared, first_difference, guest_path, run, run_guest, run_guest_smp

GUEST = "sbi_sta_susp"
CONFIGS = [("trap", "rv64,h=false"), ("trap", "rv64,h=true"), ("hw", "rv64,h=true")]

SBI_SUCCESS, NOT_SUPPORTED, INVALID_PARAM, INVALID_ADDRESS = 0, -2, -3, -5

# Chapter 16, "STA Set Steal-time Shared Memory Address Errors": flags not
# zero or shmem_phys_lo not 64-byte aligned is INVALID_PARAM (checked
# first); memory that is not writable RAM of the VM, or an address beyond
# XLEN bits (hi != 0 on RV64), is INVALID_ADDRESS; all-ones lo and hi stops
# reporting. "Shared Memory Structure": zeroed by a successful call; the
# sequence is even outside an update; flags and pad are zero; preempted is
# 0 whenever the vCPU runs; steal only grows, in nanoseconds. "MUST stop
# writing" once reporting is stopped.
STA_SPEC = [
    f"spec: sta set_shmem flags=1: error={INVALID_PARAM} value=0",
    f"spec: sta set_shmem flags=-1: error={INVALID_PARAM} value=0",
    f"spec: sta set_shmem disable flags=1: error={INVALID_PARAM} value=0",
    f"spec: sta set_shmem unaligned +8: error={INVALID_PARAM} value=0",
    f"spec: sta set_shmem unaligned +32: error={INVALID_PARAM} value=0",
    f"spec: sta set_shmem lo=-1 hi=0: error={INVALID_PARAM} value=0",
    f"spec: sta set_shmem hi=1: error={INVALID_ADDRESS} value=0",
    f"spec: sta set_shmem firmware region: error={INVALID_ADDRESS} value=0",
    f"spec: sta set_shmem ram end: error={INVALID_ADDRESS} value=0",
    f"spec: sta set_shmem beyond ram: error={INVALID_ADDRESS} value=0",
    f"spec: sta set_shmem mmio: error={INVALID_ADDRESS} value=0",
    f"spec: sta set_shmem top of address space: error={INVALID_ADDRESS} value=0",
    f"spec: sta unknown fid 1: error={NOT_SUPPORTED} value=0",
    "spec: sta record untouched by refused calls: yes",
    f"spec: sta set_shmem ram: error={SBI_SUCCESS} value=0",
    "spec: sta record zeroed: yes",
    "spec: sta second record untouched: yes",
    "spec: sta busy: sequence even at every read: yes",
    "spec: sta busy: preempted 0 whenever running: yes",
    "spec: sta busy: steal never decreased: yes",
    "spec: sta busy: flags and pad 0: yes",
    "spec: sta busy: steal at most the time since registering: yes",
    f"spec: sta set_shmem disable: error={SBI_SUCCESS} value=0",
    "spec: sta disabled: record untouched: yes",
    f"spec: sta set_shmem disable again: error={SBI_SUCCESS} value=0",
]

# Chapter 13, "SUSP System Sleep Types" and "System Suspend Errors": a
# reserved type, or a platform-specific one not implemented, is
# INVALID_PARAM; a resume_addr the hart cannot execute from (not RAM of
# the VM) is INVALID_ADDRESS; a refused call returns. Suspend to RAM
# resumes at resume_addr with "System Resume Register State": a0 = hart
# id, a1 = opaque, satp = 0 (translation was on), sstatus.SIE = 0, and RAM
# as it was; the timer (sie.STIE) is the wake-up source.
SUSP_SPEC = [
    f"spec: susp sleep_type 0x1: error={INVALID_PARAM} value=0",
    f"spec: susp sleep_type 0x7fffffff: error={INVALID_PARAM} value=0",
    f"spec: susp sleep_type 0x80000000: error={INVALID_PARAM} value=0",
    f"spec: susp sleep_type 0xffffffff: error={INVALID_PARAM} value=0",
    f"spec: susp resume_addr 0: error={INVALID_ADDRESS} value=0",
    f"spec: susp resume_addr firmware region: error={INVALID_ADDRESS} value=0",
    f"spec: susp resume_addr mmio: error={INVALID_ADDRESS} value=0",
    f"spec: susp resume_addr ram end: error={INVALID_ADDRESS} value=0",
    f"spec: susp resume_addr beyond ram: error={INVALID_ADDRESS} value=0",
    f"spec: susp resume_addr -2: error={INVALID_ADDRESS} value=0",
    f"spec: susp unknown fid 1: error={NOT_SUPPORTED} value=0",
    "spec: susp refused calls did not resume: yes",
    "spec: susp satp before the suspend: mode 8",
    f"spec: susp suspend_to_ram: error={SBI_SUCCESS} resumed=1",
    "spec: susp resumed at resume_addr: yes",
    "spec: susp resume a0 is the hart id: yes",
    "spec: susp resume a1 is opaque: yes",
    "spec: susp resume satp: 0x0",
    "spec: susp resume sstatus.SIE: 0",
    "spec: susp woke at or after the timer: yes",
    "spec: susp memory kept: yes",
]

SPEC = STA_SPEC + SUSP_SPEC

# 2 vCPUs. Chapter 16: the shared memory is set per hart ("STA Set
# Steal-time Shared Memory Address" is the calling hart's), so each hart's
# record follows the protocol on its own (even sequence, steal only
# growing, preempted 0 while it runs, steal within the time since it
# registered) and a record nobody registered is never written.
STA_SMP = ["spec: sta smp start the other hart: error=0"] + [
    line for who in ("this hart", "other hart") for line in (
        f"spec: sta smp {who} set_shmem: error={SBI_SUCCESS}",
        f"spec: sta smp {who} record: sequence even at every read: yes",
        f"spec: sta smp {who} record: steal never decreased: yes",
        f"spec: sta smp {who} record: preempted 0 whenever running: yes",
        f"spec: sta smp {who} record: steal at most the time since registering: yes",
    )] + ["spec: sta smp unregistered record untouched: yes"]

# Chapter 13, "System Suspend Errors": SBI_ERR_DENIED when "not all harts
# other than the calling hart are in the STOPPED state" (HSM status 0 =
# STARTED), checked before the arguments (no resume); once the other hart
# has called hart_stop (status 1 = STOPPED) the suspend proper (SUSP_SPEC)
# is accepted.
SUSP_SMP = [
    "spec: susp smp other hart status: 0",
    "spec: susp smp while the other hart is started: error=-4 value=0",
    "spec: susp smp refused call did not resume: yes",
    "spec: susp smp other hart hart_stop: yes",
    "spec: susp smp other hart status: 1",
]

SMP_SPEC = STA_SPEC + STA_SMP + SUSP_SMP + SUSP_SPEC

TRAPEZE_INFO = [
    "info: probe STA: error=0 value=1",
    "info: probe SUSP: error=0 value=1",
    "info: susp resume sie.STIE kept: yes",
]


def tagged(lines, prefix):
    return [l for l in lines if l.startswith(prefix)]


def labelled(result, name):
    prefix = f"[{name}] "
    return [l[len(prefix):] for l in result.guest_lines if l.startswith(prefix)]


def steal(lines):
    """(busy_us, steal_us, sequence) from the guest's measurement line."""
    for l in lines:
        m = re.match(r"info: sta busy_us=(\d+) steal_us=(\d+) sequence=(\d+)", l)
        if m:
            return tuple(int(x) for x in m.groups())
    raise AssertionError("no steal measurement in the output")


def smp_steal(lines):
    """{hart: (busy_us, steal_us, sequence)} from the 2-vCPU lines."""
    out = {}
    for l in lines:
        m = re.match(r"info: sta smp (this|other) busy_us=(\d+) steal_us=(\d+) sequence=(\d+)", l)
        if m:
            out[m.group(1)] = tuple(int(x) for x in m.groups()[1:])
    return out


def slept_ms(lines):
    for l in lines:
        m = re.match(r"info: susp slept_ms=(\d+)", l)
        if m:
            return int(m.group(1))
    raise AssertionError("no sleep measurement in the output")


@functools.lru_cache(maxsize=None)
def alone(engine, cpu):
    r = run_guest(GUEST, cpu=cpu, engine=engine, memory="32M")
    assert r.status == 0, r.output
    return r


@functools.lru_cache(maxsize=None)
def bare():
    r = run_guest(GUEST, cpu="rv64,h=false", bare=True, memory="32M")
    assert r.status == 0, r.output
    return r


@pytest.mark.parametrize("engine,cpu", CONFIGS)
def test_sta_susp_give_the_specified_results(engine, cpu):
    lines = alone(engine, cpu).guest_lines
    assert tagged(lines, "spec: ") == SPEC
    for line in TRAPEZE_INFO:
        assert line in lines
    assert lines[-1] == "done"


@pytest.mark.parametrize("engine,cpu", CONFIGS)
def test_two_vcpus_on_one_hart_steal_and_suspend(engine, cpu):
    """2 vCPUs overcommitted on 1 physical hart, both busy for 300 ms: each
    vCPU's own record shows it waited about half the time (more than a
    fifth, less than all of it), each was updated (sequence >= 4, so two
    records are written, not one), and SUSP is DENIED until the other vCPU
    has stopped, then suspends and resumes as on one vCPU."""
    r = run_guest_smp(GUEST, 2, 1, cpu=cpu, engine=engine, memory="32M",
                      bootargs="sta_susp.busy_ms=300")
    assert r.status == 0, r.output
    lines = r.guest_lines
    assert tagged(lines, "spec: ") == SMP_SPEC
    assert lines[-1] == "done"
    got = smp_steal(lines)
    assert set(got) == {"this", "other"}, lines
    for who, (busy_us, steal_us, sequence) in got.items():
        assert busy_us >= 300000, (who, got)
        assert busy_us > steal_us and steal_us * 5 > busy_us, (who, got)
        assert sequence >= 4 and sequence % 2 == 0, (who, got)
    # The first (one-vCPU) measurement, before the other hart started: none.
    busy_us, steal_us, _ = steal(lines)
    assert steal_us * 20 < busy_us, (busy_us, steal_us)


@pytest.mark.parametrize("engine,cpu", CONFIGS)
def test_sta_steal_near_zero_alone(engine, cpu):
    """Alone on its hart a vCPU never waits for it: a hart with a single
    runnable vCPU takes no slices (issue 13), so its record shows no steal
    (and may never have been updated at all: sequence 0)."""
    busy_us, steal_us, sequence = steal(alone(engine, cpu).guest_lines)
    assert busy_us >= 200000
    assert sequence % 2 == 0
    assert steal_us * 20 < busy_us, (busy_us, steal_us)


@pytest.mark.parametrize("engine,cpu", CONFIGS)
def test_sta_steal_grows_beside_a_busy_neighbour(engine, cpu):
    """Two VMs on one hart, the neighbour busy all along: the guest waits
    for the hart about half the time, and its record says so, in
    nanoseconds (ticks would be 100 times too few)."""
    r = run([("sta", {"kernel": guest_path(GUEST), "memory": "32M",
                      "bootargs": "sta_susp.busy_ms=300"}),
             ("nb", {"kernel": guest_path("neighbour"), "memory": "16M",
                     "bootargs": "neighbour.rounds=0 neighbour.ms=1500"})],
            cpu=cpu, engine=engine)
    assert r.status == 0, r.output
    lines = labelled(r, "sta")
    assert tagged(lines, "spec: ") == SPEC
    busy_us, steal_us, sequence = steal(lines)
    assert steal_us * 5 > busy_us, (busy_us, steal_us)
    assert steal_us < busy_us
    assert sequence >= 4 and sequence % 2 == 0
    assert "vm nb: clean shutdown" in "\n".join(r.log_lines)


@pytest.mark.parametrize("engine,cpu", [CONFIGS[0], CONFIGS[2]])
def test_susp_suspended_vm_outlives_hang_timeout(engine, cpu):
    """Suspended for 3 s with a 1 s hang timeout: asleep is not hung, and
    the sleep does not count against it once awake (the same silence in WFI
    is stopped: test_vms.py, test_sched.c)."""
    r = run([("sleepy", {"kernel": guest_path(GUEST), "memory": "32M",
                         "bootargs": "sta_susp.busy_ms=20 sta_susp.sleep_ms=3000"})],
            cpu=cpu, engine=engine, machine={"hang-timeout": 1})
    log = "\n".join(r.log_lines)
    assert r.status == 0, r.output
    assert "hung" not in log
    assert "vm sleepy: clean shutdown" in log
    assert tagged(r.guest_lines, "spec: ") == SPEC
    assert slept_ms(r.guest_lines) >= 3000


def test_opensbi_lacks_both_and_the_rest_matches():
    """OpenSBI 1.1 probes neither extension; everything compared is the
    same as under Trapeze."""
    b = bare()
    assert "info: probe STA: error=0 value=0" in b.guest_lines
    assert "info: probe SUSP: error=0 value=0" in b.guest_lines
    assert not tagged(b.guest_lines, "spec: ")
    assert compared(b.guest_lines) == ["sta_susp: start", "done"]
    for engine, cpu in CONFIGS:
        assert first_difference(compared(b.guest_lines),
                                compared(alone(engine, cpu).guest_lines)) is None
