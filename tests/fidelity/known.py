"""Differences between Trapeze and bare QEMU that the fidelity suite has
found. run.py names the class of every difference it reduces.

CLASSES holds the open ones (reported, not fixed yet): tests/system/
test_fidelity.py drops their exact (seed, step) cases of KNOWN_STEPS and
runs one reproducer per class, tests/fidelity/known/CLASS.S, as a strict
expected failure. None is open now.

FIXED holds the classes found and fixed: what differed, and what changed
in Trapeze. Each keeps its reproducer, tests/fidelity/fixed/CLASS.S, which
test_fidelity.py runs as a regression test (it must match bare QEMU on
every CPU), and a reduction that lands in one again is reported as a
regression, never as known.

A class is recognised from the reduced program: its leaf steps ("block
kind/.../leaf kind") and the two dumps of the program (bare, Trapeze).
"""
import re

CLASSES = {}

FIXED = {
    "lrsc-paging": (
        "LR/SC with paging on, the SC's page read-only in the shadow (guest "
        "D=0): the SC's host store fault cleared the reservation (QEMU 7.2 "
        "clears it on every privilege change, riscv_cpu_set_mode), and the "
        "retried SC failed (rd=1) where bare QEMU's succeeds.",
        "An SC can only reach its store with its reservation valid (QEMU "
        "compares the reservation before it touches memory): an SC whose "
        "store fault ends in a shadow upgrade is completed by Trapeze "
        "(emulate_sc_after_fill; statistic sc-completed)."),
    "lrsc-code-page": (
        "LR at the end of a code page, SC the first instruction of the next: "
        "Trapeze's first-touch mapping of that page was a host trap between "
        "them, and the SC failed.",
        "The Bare view maps all guest RAM before the guest runs "
        "(vm_arch_map_bare_view); with paging on, a code fill also fills the "
        "next code page when the guest's PTE already has A set "
        "(shadow prefetch, statistic prefetched). Left: a next page whose "
        "PTE has A=0 is not prefetched (that would set A, which the guest "
        "can see), so an LR/SC pair across such a page end still fails."),
    "plic-s-threshold": (
        "PLIC S-context threshold (0x0c201000) read 7 on bare QEMU (OpenSBI "
        "1.1 sets every context's threshold to 7) and 0 under Trapeze.",
        "The virtual PLIC starts, and resets, as the firmware leaves it: "
        "thresholds 7, sources disabled (plic_boot_state)."),
    "ram-end-store": (
        "A misaligned store across the end of RAM: bare QEMU writes the "
        "bytes below the end, then raises the store access fault; Trapeze "
        "raised the fault without writing.",
        "Accesses Trapeze completes follow QEMU's split (misaligned.c): a "
        "store that is not RAM throughout goes byte by byte upwards."),
    "misaligned-fault-tval": (
        "A misaligned load that takes an access fault: bare QEMU reports "
        "stval = the address rounded down to the access size (it loads two "
        "aligned parts); Trapeze reported the access address.",
        "misaligned.c: loads become two aligned parts; a part that faults "
        "reports its own address."),
    "cross-page-fault-order": (
        "A misaligned store over [page mapped to no RAM][unmapped page]: "
        "bare QEMU raises the second page's page fault (it probes that page "
        "before storing); Trapeze raised the first page's access fault.",
        "misaligned.c: a store across a page translates the second page "
        "before any byte."),
    "uxl32-umode": (
        "sstatus.UXL=1: QEMU 7.2 runs U-mode as RV32 (addiw is illegal); "
        "Trapeze ran virtual U-mode as RV64.",
        "The real U-mode runs at the XLEN of the virtual mode: vU at the "
        "guest's UXL, vS at 64 (engine_trap_enter); accesses Trapeze "
        "completes for RV32 code decode by RV32 rules (decode_insn_rv32) "
        "and wrap addresses at 32 bits. The generator has RV32 U blocks."),
}


def _traps(lines):
    out = []
    for line in lines or ():
        m = re.match(r"trap \d+ cause=(0x[0-9a-f]+) tval=(0x[0-9a-f]+) epc=(\S+)", line)
        if m:
            out.append((int(m.group(1), 16), int(m.group(2), 16), m.group(3)))
    return out


def _first_trap_difference(bare, virt):
    for a, b in zip(_traps(bare), _traps(virt)):
        if a != b:
            return a, b
    return None


def classify(leaves, bare, virt, lrsc_across_pages=False):
    """leaves: [(step id, 'block/.../kind')] of the reduced program; bare,
    virt: its two dumps; lrsc_across_pages: an LR and its SC lie on two
    code pages in the binary. Returns a class name (open, or FIXED: then
    the reduction is a regression) or None."""
    kinds = [k for _, k in leaves]
    if lrsc_across_pages and any(k.endswith("lr/sc") for k in kinds):
        return "lrsc-code-page"
    if any(k.endswith("mmio.plic.s-threshold") for k in kinds):
        return "plic-s-threshold"
    if any(k.endswith("mem.ram-end.store") for k in kinds):
        return "ram-end-store"
    if any("block.paging" in k and k.endswith("lr/sc") for k in kinds):
        return "lrsc-paging"
    d = _first_trap_difference(bare, virt)
    if d:
        (ca, ta, ea), (cb, tb, eb) = d
        if ca == cb and ca in (5, 7) and ea == eb and ta != tb and ta <= tb:
            return "misaligned-fault-tval"
        if ca in (13, 15) and cb in (5, 7) and ea == eb:
            return "cross-page-fault-order"
    return None


# The fixed seeds of tests/system/test_fidelity.py (1..200) that hit an open
# class: seed -> [(step id, class)]. The test drops exactly these steps from
# those programs and expects the rest to match bare QEMU. Written by
# `run.py --seeds 1-200 --triage`.
KNOWN_STEPS = {}
