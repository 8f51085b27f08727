"""The SBI v3.0 PMU extension (chapter 11, "Performance Monitoring Unit
Extension") as guests/sbi_pmu sees it, under both engines: trap on a CPU
without and with H, hw on a CPU with H.

OpenSBI 1.1 on bare QEMU implements the PMU of SBI v0.3 only (no
fw_read_hi, snapshot or event_get_info, and its own counter numbering and
events), so it cannot be the reference for the PMU results: the guest
prints them as "spec: " lines, outside the bare-vs-Trapeze comparison, and
this file compares them with what the specification requires of Trapeze's
virtual PMU (18 counters: cycle, instret, then 16 firmware counters). The
lines the guest prints without a prefix (U-mode counter reads under
scounteren) are compared with bare QEMU as every guest's are."""
import functools
import pytest

from trapeze_run import compared, first_difference, run_guest, run_guest_smp

CONFIGS = [("rv64,h=false", "trap"), ("rv64,h=true", "trap"), ("rv64,h=true", "hw")]
IDS = ["trap-h=false", "trap-h=true", "hw-h=true"]

# In the guest's order. Where the value is Trapeze's choice rather than the
# specification's, the comment says so.
EXPECTED = [
    'spec: pmu probe: error=0 value=1',
    'spec: pmu num_counters: error=0 value=18',
    'spec: pmu get_info 0: error=0 value=0x3fc00',
    'spec: pmu get_info 1: error=0 value=0x3fc02',
    'spec: pmu get_info 2: error=0 value=0x800000000003f000',
    'spec: pmu get_info 17: error=0 value=0x800000000003f000',
    'spec: pmu get_info 18: error=-3 value=0',
    'spec: pmu get_info -1: error=-3 value=0',
    'spec: pmu unknown fid 9: error=-2 value=0',
    'spec: pmu start cycle,instret at boot: error=-7 value=0',
    'spec: pmu stop cycle,instret: error=0 value=0',
    'spec: pmu stop cycle again: error=-8 value=0',
    'spec: pmu stopped cycle frozen: yes',
    'spec: pmu match cycles: error=0 value=0',
    'spec: pmu cycle counts: yes',
    'spec: pmu start cycle running: error=-7 value=0',
    'spec: pmu match instructions: error=0 value=1',
    'spec: pmu start instret: error=0 value=0',
    'spec: pmu instret counts: yes',
    'spec: pmu stop cycle: error=0 value=0',
    'spec: pmu start cycle init 1000000: error=0 value=0',
    'spec: pmu cycle from init: yes',
    'spec: pmu match cycles on instret: error=-2 value=0',
    'spec: pmu match cycles event_data 1: error=-2 value=0',
    'spec: pmu match branch misses: error=-2 value=0',
    'spec: pmu match cache L1D read: error=-2 value=0',
    'spec: pmu match raw: error=-2 value=0',
    'spec: pmu match fw 22 (reserved): error=-2 value=0',
    'spec: pmu match fw 4 event_data 1: error=-2 value=0',
    'spec: pmu match fw platform 0x999: error=-2 value=0',
    'spec: pmu match base 17 mask 3: error=-3 value=0',
    'spec: pmu match base 18 mask 1: error=-3 value=0',
    'spec: pmu match base -1 mask 2: error=-3 value=0',
    'spec: pmu match skip_match empty: error=-3 value=0',
    'spec: pmu match skip_match base 5 mask 6: error=0 value=6',
    'spec: pmu stop 6 reset: error=-8 value=0',
    'spec: pmu start 6 after reset: error=-3 value=0',
    'spec: pmu start 18: error=-3 value=0',
    'spec: pmu stop 18: error=-3 value=0',
    'spec: pmu start both init flags: error=-3 value=0',
    'spec: pmu start init_snapshot no shmem: error=-9 value=0',
    'spec: pmu stop take_snapshot no shmem: error=-9 value=0',
    'spec: pmu fw_read cycle: error=-3 value=0',
    'spec: pmu fw_read 18: error=-3 value=0',
    'spec: pmu fw_read_hi instret: error=-3 value=0',
    'spec: pmu fw_read_hi 18: error=-3 value=0',
    'spec: pmu fw_read_hi 2: error=0 value=0',
    'spec: pmu fw illegal_insn x3: counter=fw error=0 value=3',
    'spec: pmu fw access_load x2: counter=fw error=0 value=2',
    'spec: pmu fw misaligned_load x2: counter=fw error=0 value=2',
    'spec: pmu fw set_timer x3: counter=fw error=0 value=3',
    'spec: pmu fw ipi_sent x2: counter=fw error=0 value=2',
    'spec: pmu fw ipi_received x2: counter=fw error=0 value=2',
    'spec: pmu fw fence_i_sent x1: counter=fw error=0 value=1',
    'spec: pmu fw sfence_vma_sent x1: counter=fw error=0 value=1',
    'spec: pmu fw sfence_vma_asid_sent x1: counter=fw error=0 value=1',
    'spec: pmu fw platform sbi_calls x5: error=0 value=6',
    'spec: pmu stop fw: error=0 value=0',
    'spec: pmu fw_read stopped: error=0 value=0',
    'spec: pmu stop fw again: error=-8 value=0',
    'spec: pmu start fw init 0xfffffffffffffff0: error=0 value=0',
    'spec: pmu fw_read from init: error=0 value=-15',
    'spec: pmu snapshot flags 1: error=-3 value=0',
    'spec: pmu snapshot unaligned: error=-3 value=0',
    'spec: pmu snapshot hi 1: error=-5 value=0',
    'spec: pmu snapshot at 0: error=-5 value=0',
    'spec: pmu snapshot firmware region: error=-5 value=0',
    'spec: pmu snapshot uart: error=-5 value=0',
    'spec: pmu snapshot beyond ram: error=-5 value=0',
    'spec: pmu snapshot set: error=0 value=0',
    'spec: pmu stop take_snapshot: error=0 value=0',
    'spec: pmu snapshot overflow=0 value=2 other=untouched',
    'spec: pmu start init_snapshot: error=0 value=0',
    'spec: pmu fw_read after init_snapshot: error=0 value=1001',
    'spec: pmu snapshot disable: error=0 value=0',
    'spec: pmu stop take_snapshot disabled: error=-9 value=0',
    'spec: pmu stop after: error=0 value=0',
    'spec: pmu event_info: error=0 value=0',
    'spec: pmu event_info outputs: 1 1 0 0 0 1 1 0 1 0',
    'spec: pmu event_info none: error=0 value=0',
    'spec: pmu event_info flags 1: error=-3 value=0',
    'spec: pmu event_info unaligned: error=-3 value=0',
    'spec: pmu event_info hi 1: error=-5 value=0',
    'spec: pmu event_info at 0: error=-5 value=0',
    'spec: pmu event_info huge: error=-5 value=0',
    'spec: pmu event_info bad event_idx: error=-3 value=0',
    'spec: pmu event_info reserved fw code: error=-3 value=0',
]

# The reasons, by line (a check that the list above says what the spec says):
# - num_counters 18 and the counter_info words are Trapeze's choice: cycle
#   (CSR 0xc00) and instret (0xc02), 64 bits (width field 63); firmware
#   counters have XLEN-1 set (the spec: "Type (0 = hardware and 1 =
#   firmware)"); an index past the last is SBI_ERR_INVALID_PARAM (-3).
# - cycle and instret run from boot, as on bare hardware: start answers
#   SBI_ERR_ALREADY_STARTED (-7), a second stop SBI_ERR_ALREADY_STOPPED (-8).
# - counter_config_matching: an event no counter of the set can count is
#   SBI_ERR_NOT_SUPPORTED (-2); a set naming a counter that does not exist
#   is SBI_ERR_INVALID_PARAM (-3); SKIP_MATCH takes the set's first counter.
# - counter_start with no event mapped (after a RESET stop) is
#   SBI_ERR_INVALID_PARAM; SET_INIT_VALUE with INIT_SNAPSHOT (mutually
#   exclusive) is SBI_ERR_INVALID_PARAM; INIT_SNAPSHOT or TAKE_SNAPSHOT
#   without snapshot memory is SBI_ERR_NO_SHMEM (-9).
# - counter_fw_read(_hi) of a hardware counter or none: SBI_ERR_INVALID_PARAM;
#   fw_read_hi is always 0 on RV64.
# - Firmware events counted where they happen: each caused N times reads N.
# - snapshot_set_shmem: flags != 0 or not 4 KiB aligned: INVALID_PARAM; hi
#   != 0, outside the VM's RAM (0, the firmware's reserved region, the UART,
#   beyond RAM): SBI_ERR_INVALID_ADDRESS (-5); all-ones disables. The
#   snapshot holds counter_values[i] for counter base + i, overflow 0 (no
#   Sscofpmf), other slots untouched.
# - event_get_info: output 1 for what config_matching accepts; flags != 0 or
#   not 16-byte aligned: INVALID_PARAM; hi != 0 or outside RAM (or a size
#   that wraps): INVALID_ADDRESS; an event_idx outside the encodings (bits
#   20-31 set, a reserved firmware code 22-255): INVALID_PARAM.
assert len(EXPECTED) == 87

# With vcpus = 2 (on 2 harts) the guest starts its other hart with HSM:
# counters are the calling hart's (chapter 11: every function acts on the
# calling hart's counters, "a set of counters" per hart), so
# - counter_config_matching on the other hart picks the same counter index
#   for set_timer that this hart is already counting it on (not started
#   there);
# - firmware events count on the hart where they happen: the other hart's
#   4 set_timer calls read 4 there and 0 here, this hart's 2 read 2 here
#   and leave the other's 4; an IPI counts as IPI_SENT on the sender and
#   IPI_RECEIVED on the target only (Table "PMU Firmware Events");
# - a STOP with RESET on one hart leaves the other's counter as it was.
SMP_EXPECTED = [
    'spec: pmu smp start the other hart: error=0 value=0',
    'spec: pmu smp other hart maps set_timer to the counter this hart counts it on: yes',
    'spec: pmu smp other hart: fw_read set_timer x4: error=0 value=4',
    'spec: pmu smp this hart: fw_read set_timer: error=0 value=0',
    'spec: pmu smp this hart: fw_read set_timer x2: error=0 value=2',
    'spec: pmu smp ipi to the other hart: error=0 value=0',
    'spec: pmu smp this hart: fw_read ipi_sent: error=0 value=1',
    'spec: pmu smp this hart: fw_read ipi_received: error=0 value=0',
    'spec: pmu smp other hart: fw_read set_timer: error=0 value=4',
    'spec: pmu smp other hart: fw_read ipi_received: error=0 value=1',
    'spec: pmu smp other hart: stop set_timer reset: error=0 value=0',
    "spec: pmu smp this hart: fw_read set_timer after the other's reset: error=0 value=2",
    'spec: pmu smp this hart: stop set_timer reset: error=0 value=0',
    'spec: pmu smp stop the other hart: error=0 value=0',
]


@functools.lru_cache(maxsize=None)
def trapeze(cpu, engine, vcpus=1):
    if vcpus == 1:
        r = run_guest("sbi_pmu", cpu=cpu, engine=engine)
    else:
        r = run_guest_smp("sbi_pmu", vcpus, 2, cpu=cpu, engine=engine)
    assert r.status == 0, r.output
    assert r.guest_lines and r.guest_lines[-1] == "done", r.output
    if engine == "hw":
        assert "engine hw" in "\n".join(r.log_lines)
    return r


@functools.lru_cache(maxsize=None)
def bare():
    r = run_guest("sbi_pmu", cpu="rv64,h=false", bare=True)
    assert r.status == 0, r.output
    return r


@pytest.mark.parametrize("vcpus", [1, 2])
@pytest.mark.parametrize("cpu,engine", CONFIGS, ids=IDS)
def test_sbi_pmu_as_the_spec_requires(cpu, engine, vcpus):
    want_all = EXPECTED + (SMP_EXPECTED if vcpus == 2 else [])
    got = [l for l in trapeze(cpu, engine, vcpus).guest_lines if l.startswith("spec: ")]
    for want, line in zip(want_all, got):
        assert line == want
    assert len(got) == len(want_all)


@pytest.mark.parametrize("vcpus", [1, 2])
@pytest.mark.parametrize("cpu,engine", CONFIGS, ids=IDS)
def test_sbi_pmu_counter_reads_as_bare(cpu, engine, vcpus):
    """cycle and instret trap under Trapeze (one VM never reads another's
    counts) yet U-mode sees what bare hardware gives: an illegal
    instruction when scounteren denies the read, none when it allows it."""
    got = compared(trapeze(cpu, engine, vcpus).guest_lines)
    ref = compared(bare().guest_lines)
    assert first_difference(ref, got) is None
    assert "umode rdcycle scounteren=7: no trap" in got
    assert any(l.startswith("umode rdcycle scounteren=0: trap scause=0x2") for l in got)


@pytest.mark.parametrize("cpu,engine", CONFIGS, ids=IDS)
def test_sbi_pmu_counter_reads_are_emulated(cpu, engine):
    """The reads really trap: Trapeze counts them (trap engine: illegal
    instructions; hw engine: virtual-instruction exits)."""
    log = "\n".join(trapeze(cpu, engine).log_lines)
    if engine == "hw":
        assert "vi-counter=" in log
    else:
        assert "illegal-insn=" in log


def test_opensbi_1_1_is_not_the_reference():
    """The reason the spec: lines are not compared with bare QEMU: OpenSBI
    1.1 has PMU v0.3, with its own counter numbering and no v2.0/v3.0
    functions."""
    lines = [l for l in bare().guest_lines if l.startswith("spec: ")]
    assert "spec: pmu probe: error=0 value=1" in lines
    assert "spec: pmu event_info: error=-2 value=0" in lines
    assert lines != EXPECTED
