"""Differences between Trapeze and bare QEMU that the fidelity suite has
found and that are known (reported, not fixed yet). run.py names the class
of every difference it reduces; tests/system/test_fidelity.py expects the
exact (seed, step) cases of KNOWN_STEPS and runs one reproducer per class,
tests/fidelity/known/CLASS.S, as an expected failure.

A class is recognised from the reduced program: its leaf steps ("block
kind/.../leaf kind") and the two dumps of the program (bare, Trapeze).
"""
import re

CLASSES = {
    "lrsc-paging": (
        "LR/SC with paging on: the SC fails under Trapeze (rd=1), succeeds on "
        "bare QEMU (rd=0). The SC's page is mapped read-only in the shadow "
        "(guest D=0 or not touched yet), so the SC takes a host store fault "
        "and is retried after the upgrade, but the reservation the LR took "
        "does not survive that trap to Trapeze. Unprivileged ISA "
        "20191213, 8.3: an SC may fail spuriously, but bare hardware does not "
        "here, and an LR/SC pair with nothing between should succeed."),
    "lrsc-code-page": (
        "LR/SC where the SC is the first instruction fetched from a code "
        "page (or lies across a page end): the SC fails under Trapeze, "
        "succeeds on bare QEMU. Trapeze maps guest pages on first touch (the "
        "Bare view, or a shadow fill), so that fetch is a host page fault "
        "between the LR and the SC, invisible to the guest, and the retried "
        "SC fails (the reservation does not survive the trap). Same cause as "
        "lrsc-paging; a trap the guest does not see should not cost it its "
        "reservation. Depends on where code lies: seen in batches only."),
    "plic-s-threshold": (
        "PLIC: the S-mode context's priority threshold (0x0c201000) reads 7 "
        "on bare QEMU (OpenSBI 1.1 sets every context's threshold to 7 at "
        "boot) and 0 under Trapeze (the virtual PLIC starts at reset values)."),
    "ram-end-store": (
        "A misaligned store across the end of RAM (0x84000000): bare QEMU "
        "writes the bytes below the end, then raises the store access fault; "
        "Trapeze raises the same fault (same stval) without writing. Both "
        "are allowed by the Unprivileged ISA (2.6: a misaligned access that "
        "faults may have been partially performed), but they differ."),
    "misaligned-fault-tval": (
        "A misaligned load/store/AMO that takes an access fault (a page "
        "whose PA is not RAM): bare QEMU reports stval = the address rounded "
        "down to the access size (QEMU splits the access into aligned parts "
        "and reports the part's start, below the first byte accessed); "
        "Trapeze reports the address of the access. Privileged ISA v1.12, "
        "4.1.9: stval is the faulting portion's address, which QEMU's is not."),
    "cross-page-fault-order": (
        "A misaligned access across a page end whose first page is mapped to "
        "a PA that is not RAM and whose second page is not mapped: bare QEMU "
        "translates both pages first and raises the page fault of the second "
        "(stval = second page); Trapeze raises the access fault of the "
        "first (stval = the access address). The ISA leaves the order open."),
    "uxl32-umode": (
        "sstatus.UXL=1: QEMU 7.2 keeps the value and runs U-mode as RV32 "
        "(addiw is illegal there); Trapeze reads back UXL=1 too (legalised by "
        "the host CSR) but runs virtual U-mode as RV64 (Privileged ISA v1.12, "
        "4.1.1: UXL controls the XLEN of U-mode). The generator sets UXL=64 "
        "before its U blocks, so only the reproducer exercises this."),
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
    code pages in the binary. Returns a class name or None."""
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


# The fixed seeds of tests/system/test_fidelity.py (1..200) that hit a known
# difference: seed -> [(step id, class)]. The test drops exactly these steps
# from those programs and expects the rest to match bare QEMU. Written by
# `run.py --seeds 1-200 --triage`.
KNOWN_STEPS = {
    3: [('s20', 'ram-end-store')],
    12: [('s19_19', 'misaligned-fault-tval')],
    18: [('s33', 'ram-end-store')],
    22: [('s13_3', 'lrsc-paging'), ('s13_8', 'lrsc-paging')],
    36: [('s8_2', 'lrsc-paging')],
    62: [('s34_0', 'ram-end-store')],
    65: [('s12_2', 'cross-page-fault-order')],
    76: [('s24', 'plic-s-threshold')],
    77: [('s38_10', 'plic-s-threshold')],
    88: [('s9_22', 'misaligned-fault-tval'), ('s13_3', 'misaligned-fault-tval')],
    106: [('s34', 'plic-s-threshold')],
    112: [('s5_10', 'lrsc-paging')],
    116: [('s75', 'ram-end-store'), ('s64_10', 'misaligned-fault-tval')],
    118: [('s50_5', 'plic-s-threshold')],
    120: [('s10_18', 'lrsc-paging'), ('s10_1', 'lrsc-paging')],
    122: [('s37_6', 'ram-end-store')],
    148: [('s46_3', 'lrsc-paging')],
    168: [('s14_2', 'lrsc-paging')],
    171: [('s27_4', 'lrsc-paging')],
    174: [('s14_28', 'ram-end-store')],
    177: [('s15_17', 'lrsc-paging')],
    182: [('s7_0', 'lrsc-paging')],
    185: [('s3', 'plic-s-threshold'), ('s2_4', 'lrsc-paging')],
    189: [('s34_2', 'plic-s-threshold')],
    194: [('s33_11', 'misaligned-fault-tval')],
    197: [('s5', 'plic-s-threshold')],
    198: [('s1_10', 'lrsc-paging')],
}
