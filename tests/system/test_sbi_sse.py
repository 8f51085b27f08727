"""SBI v3.0 SSE (chapter "Supervisor Software Events Extension") under Trapeze.

OpenSBI 1.1 on bare QEMU has no SSE (it probes 0), so the reference here is
the specification, not bare QEMU: the guest (guests/sbi_sse) prints every
result as a "spec:" line, and EXPECTED is what the specification requires of
each (the comments name the rule). Trapeze must give exactly these lines
under both engines (trap on a CPU without and with H, hw on a CPU with H);
on bare QEMU the guest only reports that SSE is absent, and its compared
output matches Trapeze's."""
import functools
import pytest

from trapeze_run import compared, run_guest, run_guest_smp

EXPECTED = [
    # BASE probe_extension: SSE is offered.
    'spec: probe SSE: error=0 value=1',
    # "Unmask/Mask software events on a hart": masked at boot; unmasking an
    # unmasked hart is SBI_ERR_ALREADY_STARTED (-7), masking a masked one
    # SBI_ERR_ALREADY_STOPPED (-8).
    'spec: hart_mask at boot: error=-8',
    'spec: hart_unmask: error=0',
    'spec: hart_unmask twice: error=-7',
    'spec: hart_mask: error=0',
    # Table "SSE Event Attributes": reset values are zero but STATUS (bit 3:
    # injectable) and PREFERRED_HART (implementation-defined: a local event's
    # hart, hart 0 for the global one).
    'spec: local attributes at reset: error=0 status=0x8 prio=0 config=0 hart=0 pc=0 arg=0 sepc=0 flags=0 a6=0 a7=0',
    'spec: global attributes at reset: error=0 status=0x8 prio=0 config=0 hart=0 pc=0 arg=0 sepc=0 flags=0 a6=0 a7=0',
    # Table "SSE Event ID Space": standard events this platform cannot raise
    # (no RAS, no double-trap extension, no Sscofpmf) are SBI_ERR_NOT_SUPPORTED
    # (-2) from every function naming an event; reserved and platform-specific
    # ids (Trapeze defines none) are SBI_ERR_INVALID_PARAM (-3). event_id is a
    # uint32_t: chapter 3 "Binary Encoding" ("In case the data is defined as
    # 32bit wide, higher privilege software must ensure that it only uses 32
    # bit data") makes it the register's low half, upper bits ignored.
    'spec: event local high-prio RAS 0x0: read=-2 write=-2 register=-2 unregister=-2 enable=-2 disable=-2 inject=-2',
    'spec: event local double trap 0x1: read=-2 write=-2 register=-2 unregister=-2 enable=-2 disable=-2 inject=-2',
    'spec: event global high-prio RAS 0x8000: read=-2 write=-2 register=-2 unregister=-2 enable=-2 disable=-2 inject=-2',
    'spec: event local PMU overflow 0x10000: read=-2 write=-2 register=-2 unregister=-2 enable=-2 disable=-2 inject=-2',
    'spec: event local low-prio RAS 0x100000: read=-2 write=-2 register=-2 unregister=-2 enable=-2 disable=-2 inject=-2',
    'spec: event global low-prio RAS 0x108000: read=-2 write=-2 register=-2 unregister=-2 enable=-2 disable=-2 inject=-2',
    'spec: event reserved local 0x2: read=-3 write=-3 register=-3 unregister=-3 enable=-3 disable=-3 inject=-3',
    'spec: event platform local 0x4000: read=-3 write=-3 register=-3 unregister=-3 enable=-3 disable=-3 inject=-3',
    'spec: event reserved global 0x8001: read=-3 write=-3 register=-3 unregister=-3 enable=-3 disable=-3 inject=-3',
    'spec: event platform global 0xc000: read=-3 write=-3 register=-3 unregister=-3 enable=-3 disable=-3 inject=-3',
    'spec: event reserved 0xffff0001: read=-3 write=-3 register=-3 unregister=-3 enable=-3 disable=-3 inject=-3',
    'spec: event reserved 0xffff8001: read=-3 write=-3 register=-3 unregister=-3 enable=-3 disable=-3 inject=-3',
    'spec: event reserved, upper half set 0x100000002: read=-3 write=-3 register=-3 unregister=-3 enable=-3 disable=-3 inject=-3',
    # read_attrs/write_attrs: attr_count zero INVALID_PARAM (-3), also as the
    # low half of 1<<32 (base_attr_id and attr_count are uint32_t too, so
    # 1<<32 as base_attr_id is attribute 0, STATUS, and (1<<32)|LOCAL the
    # local event); attributes past INTERRUPTED_A7 BAD_RANGE (-11); a buffer not XLEN/8 aligned, with output_phys_hi set, or not all
    # RAM the guest may use ("Shared memory physical address range
    # parameter") INVALID_ADDRESS (-5).
    'spec: read_attrs attr_count=0: error=-3',
    'spec: read_attrs attr_count=1<<32: error=-3',
    'spec: read_attrs base_attr_id=1<<32: error=0',
    'spec: read_attrs base_attr_id=1<<32 read STATUS: 0x8',
    'spec: read_attrs event_id=(1<<32)|LOCAL: error=0',
    'spec: read_attrs event_id=(1<<32)|LOCAL read STATUS: 0x8',
    'spec: read_attrs base_attr_id=10: error=-11',
    'spec: read_attrs base 9 count 2: error=-11',
    'spec: read_attrs base 0 count 11: error=-11',
    'spec: read_attrs unaligned buffer: error=-5',
    'spec: read_attrs output_phys_hi=1: error=-5',
    'spec: read_attrs buffer at 0x1000 (not RAM): error=-5',
    "spec: read_attrs buffer in the firmware's RAM: error=-5",
    'spec: read_attrs buffer past the end of RAM: error=-5',
    'spec: read_attrs buffer across the end of RAM: error=-5',
    'spec: read_attrs buffer on the UART: error=-5',
    'spec: read_attrs last 8 bytes of RAM: error=0',
    'spec: write_attrs attr_count=0: error=-3',
    'spec: write_attrs base 10: error=-11',
    # Read-only attributes (STATUS, ENTRY_PC, ENTRY_ARG, a local event's
    # PREFERRED_HART): BAD_RANGE; PRIORITY keeps "only lower 32-bits of the
    # value" (Table "SSE Event Attributes"); bad values (reserved CONFIG
    # bits, a hart the VM lacks): INVALID_PARAM; INTERRUPTED_* outside
    # RUNNING: INVALID_STATE (-10).
    'spec: write_attrs STATUS (read-only): error=-11',
    'spec: write_attrs ENTRY_PC (read-only): error=-11',
    'spec: write_attrs ENTRY_ARG (read-only): error=-11',
    'spec: write_attrs local PREFERRED_HART (read-only): error=-11',
    'spec: write_attrs PRIORITY=(1<<32)|3: error=0',
    'spec: local priority after it: 3',
    'spec: write_attrs PRIORITY=0: error=0',
    'spec: write_attrs CONFIG=2 (reserved bit): error=-3',
    'spec: write_attrs global PREFERRED_HART=5 (absent): error=-3',
    'spec: write_attrs INTERRUPTED_SEPC not running: error=-10',
    'spec: write_attrs INTERRUPTED_FLAGS not running: error=-10',
    'spec: write_attrs INTERRUPTED_A6 not running: error=-10',
    'spec: write_attrs INTERRUPTED_A7 not running: error=-10',
    'spec: write_attrs unaligned buffer: error=-5',
    'spec: write_attrs input_phys_hi=1: error=-5',
    'spec: write_attrs buffer at 0x1000 (not RAM): error=-5',
    # A range with a read-only attribute is refused whole.
    'spec: write_attrs PRIORITY..ENTRY_PC: error=-11',
    'spec: global priority after it: 0',
    'spec: write_attrs local PRIORITY=0xffffffff: error=0',
    'spec: local priority: 4294967295',
    'spec: write_attrs local PRIORITY=0: error=0',
    'spec: write_attrs global PREFERRED_HART=this hart: error=0',
    # The state machine: register UNUSED->REGISTERED (entry_pc 2-byte
    # aligned), enable REGISTERED->ENABLED, disable back, unregister
    # REGISTERED->UNUSED; any other state INVALID_STATE. PRIORITY and CONFIG
    # only while UNUSED or REGISTERED. inject on an absent hart INVALID_PARAM;
    # complete with nothing running SUCCESS; an unknown FID NOT_SUPPORTED.
    'spec: unregister UNUSED: error=-10',
    'spec: enable UNUSED: error=-10',
    'spec: disable UNUSED: error=-10',
    'spec: register entry_pc odd: error=-3',
    'spec: register: error=0',
    'spec: registered: status=0x9 pc_ok=1 arg_ok=1',
    'spec: register twice: error=-10',
    'spec: disable REGISTERED: error=-10',
    'spec: unregister REGISTERED: error=0',
    'spec: unregistered: status=0x8',
    'spec: register again: error=0',
    'spec: enable REGISTERED: error=0',
    'spec: enabled: status=0xa',
    'spec: enable ENABLED: error=-10',
    'spec: unregister ENABLED: error=-10',
    'spec: write PRIORITY while ENABLED: error=-10',
    'spec: write CONFIG while ENABLED: error=-10',
    'spec: inject local on an absent hart: error=-3',
    'spec: complete with no event running: error=0',
    'spec: unknown fid 10: error=-2',
    # Delivery ("Software Event Injection") and completion ("Software Event
    # Completion"): a masked hart or a disabled event keeps the event pending
    # (STATUS bit 2); once deliverable it is taken right after the call that
    # made it so: a6 = hart id, a7 = ENTRY_ARG, sepc = the interrupted pc,
    # SPP = S, SPIE = the SIE it had, SIE = 0, INTERRUPTED_SEPC/FLAGS/A6/A7
    # the interrupted sepc, SPP|SPIE<<1, a6 (the FID), a7 (the EID).
    # Complete resumes there with every register, sepc and sstatus as they
    # were. While RUNNING, the INTERRUPTED_* attributes are writable (reserved
    # flag bits INVALID_PARAM) and PRIORITY/CONFIG/disable are INVALID_STATE.
    'spec: inject while masked: runs=0 status=0xe',
    'spec: inject while masked resumed: a0=0 a1=0 a6=7 a7=0x535345 regs=intact sepc=0x1234 SPP=0 SPIE=1 SIE=1',
    'spec: running: write INTERRUPTED_A7: error=0',
    'spec: running: INTERRUPTED_A7 reads 77',
    'spec: running: restore INTERRUPTED_A7: error=0',
    'spec: running: write INTERRUPTED_FLAGS bit 6: error=-3',
    'spec: running: write PRIORITY: error=-10',
    'spec: running: write CONFIG: error=-10',
    'spec: running: disable: error=-10',
    'spec: running: status=0xb',
    'spec: unmask handler: runs=1 a6=hartid:yes sepc=after-ecall SPP=1 SPIE=1 SIE=0 status=0xb int_sepc=0x1234 int_flags=2 int_a6=8 int_a7=0x535345',
    'spec: unmask resumed: a0=0 a1=0 a6=8 a7=0x535345 regs=intact sepc=0x1234 SPP=0 SPIE=1 SIE=1',
    'spec: after complete: status=0xa',
    'spec: inject handler: runs=2 a6=hartid:yes sepc=after-ecall SPP=1 SPIE=1 SIE=0 status=0xb int_sepc=0x1234 int_flags=2 int_a6=7 int_a7=0x535345',
    'spec: inject resumed: a0=0 a1=0 a6=7 a7=0x535345 regs=intact sepc=0x1234 SPP=0 SPIE=1 SIE=1',
    'spec: disable: error=0',
    'spec: inject while disabled: runs=2 status=0xd',
    'spec: enable handler: runs=3 a6=hartid:yes sepc=after-ecall SPP=1 SPIE=1 SIE=0 status=0xb int_sepc=0x1234 int_flags=2 int_a6=4 int_a7=0x535345',
    'spec: enable resumed: a0=0 a1=0 a6=4 a7=0x535345 regs=intact sepc=0x1234 SPP=0 SPIE=1 SIE=1',
    'spec: hart_mask: error=0',
    'spec: inject while masked again: runs=3',
    'spec: hart_unmask: error=0',
    'spec: after unmask: runs=4 int_a6=8',
    'spec: disable: error=0',
    # CONFIG bit 0 (one-shot): complete leaves the event REGISTERED.
    'spec: write CONFIG=ONESHOT: error=0',
    'spec: enable: error=0',
    'spec: one-shot: runs=5 status=0x9',
    'spec: one-shot resumed: a0=0 a1=0 a6=7 a7=0x535345 regs=intact sepc=0x1234 SPP=0 SPIE=1 SIE=1',
    'spec: write CONFIG=0: error=0',
    # The global event is taken on its PREFERRED_HART (this hart), hart_id
    # ignored; PREFERRED_HART is fixed once enabled.
    'spec: register global: error=0',
    'spec: enable global: error=0',
    'spec: write global PREFERRED_HART while ENABLED: error=-10',
    'spec: global inject handler: runs=1 a6=hartid:yes sepc=after-ecall SPP=1 SPIE=1 SIE=0 status=0xb int_sepc=0x1234 int_flags=2 int_a6=7 int_a7=0x535345',
    'spec: global inject resumed: a0=0 a1=0 a6=7 a7=0x535345 regs=intact sepc=0x1234 SPP=0 SPIE=1 SIE=1',
    # "Software Event Priority": lower value first (global at 1 before local
    # at 5); a higher one preempts a running lower one (G inside L, then back
    # to l); equal priorities go by the lower event id (local 0xffff0000).
    'spec: disable local (REGISTERED): error=-10',
    'spec: disable global: error=0',
    'spec: local PRIORITY=5: error=0',
    'spec: global PRIORITY=1: error=0',
    'spec: enable local: error=0',
    'spec: enable global: error=0',
    'spec: hart_mask: error=0',
    'spec: priority order: -GL|LGl',
    'spec: disable local: error=0',
    'spec: disable global: error=0',
    'spec: local PRIORITY=0: error=0',
    'spec: global PRIORITY=0: error=0',
    'spec: enable global: error=0',
    'spec: enable local: error=0',
    'spec: hart_mask: error=0',
    'spec: equal priority order: LG',
    'spec: disable local: error=0',
    'spec: unregister local: error=0',
    'spec: disable global: error=0',
    'spec: unregister global: error=0',
    'spec: unregister global again: error=-10',
    'spec: hart_mask: error=0',
    'spec: handler runs: local=8 global=4',
]

# With vcpus = 2 (on 2 harts) the guest starts its other hart with HSM and
# adds what one hart cannot show ("Software Event States", "Software Event
# Injection", Table "SSE Event Attributes"):
# - a local event's state is tracked per hart: the other hart's is UNUSED
#   (0x8: injectable) while this hart's is ENABLED, and its PREFERRED_HART
#   (read-only for a local event) is that hart; an event injected for a
#   hart (sbi_sse_inject's hart_id) runs that hart's own handler, on it
#   (a6 = its hart id), and no other hart's;
# - the global event, "common to all harts", is taken on its
#   PREFERRED_HART, whichever hart injects it (this one, then the other);
#   while it runs there, this hart sees it RUNNING (0xb) and may not write
#   its INTERRUPTED_* attributes ("For global events, only the hart
#   executing the event handler can modify it": SBI_ERR_INVALID_STATE);
#   completion brings it back to ENABLED (0xa) once.
SMP_EXPECTED = [
    'spec: smp start the other hart: error=0',
    'spec: smp this hart: register local: error=0',
    'spec: smp this hart: enable local: error=0',
    'spec: smp this hart: hart_unmask: error=0',
    "spec: smp other hart: local status while this hart's is enabled: 0x8",
    'spec: smp other hart: local PREFERRED_HART is its own id: yes',
    'spec: smp other hart: register local: error=0',
    'spec: smp other hart: enable local: error=0',
    'spec: smp other hart: hart_unmask: error=0',
    'spec: smp inject local for the other hart: error=0',
    "spec: smp other hart's local handler ran: yes on the other hart: yes",
    "spec: smp this hart's local handler runs: +0",
    'spec: smp inject local for this hart: error=0',
    "spec: smp this hart's local handler runs: +1 on this hart: yes; other's: +0",
    'spec: smp register global: error=0',
    'spec: smp global PREFERRED_HART=the other hart: error=0',
    'spec: smp global PREFERRED_HART reads the other hart: yes',
    'spec: smp enable global: error=0',
    'spec: smp inject global from this hart: error=0',
    'spec: smp global handler running on the other hart: yes',
    'spec: smp global status seen from this hart: 0xb',
    'spec: smp write global INTERRUPTED_A7 from this hart: error=-10',
    'spec: smp write global INTERRUPTED_SEPC from this hart: error=-10',
    'spec: smp global handler completed once: yes',
    'spec: smp global status after complete: 0xa',
    'spec: smp disable global: error=0',
    'spec: smp global PREFERRED_HART=this hart: error=0',
    'spec: smp enable global: error=0',
    'spec: smp other hart: inject global: error=0',
    'spec: smp global handler ran on this hart: yes',
    'spec: smp disable global: error=0',
    'spec: smp unregister global: error=0',
    'spec: smp disable local: error=0',
    'spec: smp unregister local: error=0',
    'spec: smp hart_mask: error=0',
    'spec: smp other hart: disable, unregister, hart_mask: error=0',
    'spec: smp handler runs: this local=9 other local=1 global=6',
    'spec: smp stop the other hart: error=0',
]

CONFIGS = [("rv64,h=false", "trap"), ("rv64,h=true", "trap"), ("rv64,h=true", "hw")]
# Every configuration on 1 vCPU, and on 2 vCPUs (2 harts).
RUNS = [(cpu, engine, n) for cpu, engine in CONFIGS for n in (1, 2)]


@functools.lru_cache(maxsize=None)
def trapeze(cpu, engine, vcpus=1):
    if vcpus == 1:
        r = run_guest("sbi_sse", cpu=cpu, engine=engine)
    else:
        r = run_guest_smp("sbi_sse", vcpus, 2, cpu=cpu, engine=engine)
    assert r.status == 0, r.output
    return r


@pytest.mark.parametrize("cpu,engine,vcpus", RUNS)
def test_sse_gives_the_specification_results(cpu, engine, vcpus):
    spec = [l for l in trapeze(cpu, engine, vcpus).guest_lines if l.startswith("spec: ")]
    assert spec == EXPECTED + (SMP_EXPECTED if vcpus == 2 else [])


@functools.lru_cache(maxsize=None)
def bare():
    r = run_guest("sbi_sse", cpu="rv64,h=false", bare=True)
    assert r.status == 0, r.output
    return r


@pytest.mark.parametrize("cpu,engine", CONFIGS)
def test_sse_compared_output_matches_bare(cpu, engine):
    # OpenSBI 1.1 has no SSE: the guest stops after the probe.
    assert bare().guest_lines == ["spec: probe SSE: error=0 value=0", "done"]
    assert compared(trapeze(cpu, engine).guest_lines) == compared(bare().guest_lines)
