"""Differences between Trapeze and bare QEMU that the fidelity suite has
found, per engine. run.py names the class of every difference it reduces.

Each engine has its open classes (reported, not fixed in Trapeze, or not
fixable there) and the exact steps of the fixed seeds 1..200 that hit one:

  engine  open classes  steps            reproducers
  trap    CLASSES       KNOWN_STEPS      tests/fidelity/known/CLASS.S
  hw      HW_CLASSES    HW_KNOWN_STEPS   tests/fidelity/known-hw/CLASS.S

tests/system/test_fidelity.py drops those steps from their programs when it
runs the seeds under that engine, and runs each class's reproducer under
that engine as a strict expected failure (it must still differ). None is
open under trap. The hw ones are bugs of QEMU 7.2's H extension that touch
what the guest runs natively in VS/VU-mode, where Trapeze takes no trap:
their reproducers must match bare QEMU under the trap engine (a regular
test), and XPASS under hw the day QEMU is fixed.

FIXED holds the classes found and fixed: what differed, and what changed
in Trapeze. Each keeps its reproducer, tests/fidelity/fixed/CLASS.S, which
test_fidelity.py runs as a regression test under both engines (it must
match bare QEMU on every CPU), and a reduction that lands in one again is
reported as a regression, never as known.

A class is recognised from the reduced program: its leaf steps ("block
kind/.../leaf kind", and for the hw classes the leaves' assembly lines)
and the two dumps of the program (bare, Trapeze).
"""
import re

CLASSES = {}

# hw engine (the guest in VS/VU-mode): QEMU 7.2's H extension differs from
# its own S/U-mode on what the guest executes natively, without a trap to
# Trapeze, so Trapeze cannot make these match.
HW_CLASSES = {
    "vs-sie-sip-bits": (
        "QEMU 7.2 bug: a VS-mode write to sie or sip (csrrw/csrrs/csrrc and "
        "the immediate forms) with bit 2, 6 or 10 set, reserved in the "
        "S-level view, writes the VS-level bit there (VSSIE/VSTIE/VSEIE in "
        "mie, VSSIP in mip): rmw_vsie64/rmw_vsip64 (target/riscv/csr.c) move "
        "bits 1/5/9 of the value and of the write mask up to 2/6/10 but keep "
        "the value's own bits 2/6/10 as they are. Reads of sie then show "
        "SSIE/STIE/SEIE (0x2/0x20/0x200), reads of sip SSIP set (bit 2 "
        "written) or cleared (csrrc of bit 2), and a pending SSIP can be "
        "taken; bare QEMU ignores those bits (Privileged ISA 4.1.3: sip and "
        "sie hold only the S-level bits 1, 5, 9 here)."),
    "vu32-fetch-fault": (
        "QEMU 7.2 bug, through OpenSBI: an illegal compressed instruction in "
        "RV32 U-mode code (sstatus.UXL = 32: c.unimp, or C.FLW/C.FSW with "
        "FS = Off) traps to OpenSBI 1.1 (illegal instructions are not in "
        "medeleg) with mtval = 0, so OpenSBI reads the instruction again at "
        "mepc, which QEMU keeps sign-extended (0xffffffff8xxxxxxx, nothing "
        "there); the read fails and OpenSBI redirects a fetch fault of the "
        "read's kind (sbi_get_insn). Bare QEMU fails that read with an access "
        "fault: the program sees an instruction access fault (cause 1). With "
        "the hart in VU-mode (MPV = 1) QEMU fails it with a page fault although "
        "the guest's vsatp is Bare (the VS-stage cannot fault; a G-stage "
        "failure is a guest-page fault, H extension 8.5.1): the program sees "
        "an instruction page fault (cause 12), same stval and sepc, which "
        "OpenSBI redirects straight to VS (hedeleg has it), so no trap "
        "reaches Trapeze (its statistics count none). 32-bit illegal "
        "encodings (mtval holds them) and legal compressed ones behave alike "
        "on both."),
    "vs-sip-stip": (
        "QEMU 7.2 bug: a VS-mode read of sip never shows STIP (nor SEIP): "
        "rmw_vsip64 (target/riscv/csr.c) masks what it reads with "
        "hideleg & vsip_writable_mask, and only VSSIP is writable. So with "
        "the timer due (stimecmp in the past, Sstc) bare QEMU reads sip.STIP "
        "= 1 and the hw engine's guest 0; the interrupt itself is pending "
        "(hip/hvip show it) and taken as soon as the guest enables it. "
        "tests/system/test_guests.py HW_KNOWN_DIFFERENCES has it too."),
}

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


def classify(leaves, bare, virt, lrsc_across_pages=False, engine="trap", lines=None):
    """leaves: [(step id, 'block/.../kind')] of the reduced program; bare,
    virt: its two dumps; lrsc_across_pages: an LR and its SC lie on two
    code pages in the binary; engine: the engine Trapeze ran; lines: {step
    id: assembly lines} of the leaves (the hw recognisers read operands).
    Returns a class name (open under that engine, or FIXED: then the
    reduction is a regression) or None."""
    if engine == "hw":
        cls = classify_hw(leaves, bare, virt, lines or {})
        if cls:
            return cls
    cls = _classify_trap(leaves, bare, virt, lrsc_across_pages)
    if engine != "trap" and cls not in FIXED:
        return None     # a trap engine's open class is not known under another engine
    return cls


def _classify_trap(leaves, bare, virt, lrsc_across_pages):
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


# ---- the hw recognisers ---------------------------------------------------

REGS = ["zero", "ra", "sp", "gp", "tp", "t0", "t1", "t2", "s0", "s1",
        "a0", "a1", "a2", "a3", "a4", "a5", "a6", "a7",
        "s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9", "s10", "s11",
        "t3", "t4", "t5", "t6"]
SIE_SIP_VS_BITS = 0x444     # bits 2, 6, 10: the VS-level ones in mie/mip
SIE_S_BITS = 0x222          # SSIE/STIE/SEIE: what the bug makes sie show
SIP_SSIP, SIP_STIP = 0x2, 0x20
IRQ_SSI = (1 << 63) | 1


def _first_line_difference(bare, virt):
    """(bare line, virt line) of the first difference, or None."""
    bare, virt = list(bare or ()), list(virt or ())
    for a, b in zip(bare, virt):
        if a != b:
            return a, b
    if len(bare) != len(virt):
        n = min(len(bare), len(virt))
        return (bare[n] if n < len(bare) else "(end)", virt[n] if n < len(virt) else "(end)")
    return None


def _value(line):
    """('name', value) of a dump line `name=0x...`, else None."""
    m = re.match(r"([a-z0-9]+)=(0x[0-9a-f]+)$", line or "")
    return (m.group(1), int(m.group(2), 16)) if m else None


def _csr_accesses(lines, csrs):
    """Zicsr instructions on csrs in one leaf's lines: [(csr, form, rd,
    value written or None)]; a register operand's value comes from the
    leaf's own `li` (steps are self-contained), x0 gives 0."""
    regs, out = {"zero": 0}, []
    for line in lines:
        line = line.split("#")[0].strip()
        m = re.match(r"li\s+(\w+),\s*(-?(?:0x[0-9a-fA-F]+|\d+))$", line)
        if m:
            regs[m.group(1)] = int(m.group(2), 0) & ((1 << 64) - 1)
            continue
        m = re.match(r"(csrr[wsc]i?)\s+(\w+),\s*(\w+),\s*(\w+)$", line)
        if m and m.group(3) in csrs:
            form, rd, csr, src = m.groups()
            val = int(src, 0) if form.endswith("i") else regs.get(src)
            out.append((csr, form, rd, val))
            continue
        m = re.match(r"csrr\s+(\w+),\s*(\w+)$", line)
        if m and m.group(2) in csrs:
            out.append((m.group(2), "csrrs", m.group(1), 0))
    return out


def _reg_of_dump(name):
    m = re.match(r"x(\d+)$", name)
    return REGS[int(m.group(1))] if m else None


def _traps_full(lines):
    """Trap log entries without their index: (cause, rest of the line)."""
    out = []
    for line in lines or ():
        m = re.match(r"trap \d+ cause=(0x[0-9a-f]+) (.*)$", line)
        if m:
            out.append((int(m.group(1), 16), m.group(2)))
    return out


def _compressed_illegal_candidate(lines):
    """A leaf with a raw compressed encoding (`.2byte V` or `.4byte V`, V's
    low bits not 11: c.unimp, C.FLW/C.FSW): what OpenSBI reads again."""
    for line in lines:
        m = re.match(r"\.(2|4)byte\s+(0x[0-9a-fA-F]+|\d+)$", line.split("#")[0].strip())
        if m and int(m.group(2), 0) & 3 != 3:
            return True
    return False


def classify_hw(leaves, bare, virt, lines):
    """The hw engine's QEMU classes (HW_CLASSES), from the reduced
    program's leaves, their lines, and the two dumps; None if none fits."""
    kinds = [k for _, k in leaves]
    d = _first_line_difference(bare, virt)
    if d is None:
        return None
    a, b = d
    accesses = [x for i, _ in leaves for x in _csr_accesses(lines.get(i, ()), ("sie", "sip"))]
    va, vb = _value(a), _value(b)
    if va and vb and va[0] == vb[0]:
        name, x, y = va[0], va[1], vb[1]
        # which CSR the differing value was read from
        if name in ("sie", "sip"):
            csr = {name}
        else:
            reg = _reg_of_dump(name)
            csr = {c for c, _, rd, _ in accesses if reg and rd == reg}
        # vs-sip-stip: sip.STIP read 1 on bare, 0 in VS; the timer was made
        # due by the program (stimecmp, or SBI set_timer).
        timer = any("stimecmp" in l for i, _ in leaves for l in lines.get(i, ())) or \
            any(k.split("/")[-1].startswith(("sbi.time", "sbi.legacy.set_timer")) for k in kinds)
        if csr == {"sip"} and x ^ y == SIP_STIP and x & SIP_STIP and timer:
            return "vs-sip-stip"
        # vs-sie-sip-bits: a write of bit 2, 6 or 10; sie shows the S bits
        # of them, sip SSIP.
        writes = [v for c, f, _, v in accesses if v is not None and not
                  (f in ("csrrs", "csrrc", "csrrsi", "csrrci") and v == 0)]
        if csr and any(v & SIE_SIP_VS_BITS for v in writes):
            allowed = (SIE_S_BITS if "sie" in csr else 0) | (SIP_SSIP if "sip" in csr else 0)
            if x != y and (x ^ y) & ~allowed == 0:
                return "vs-sie-sip-bits"
    # vs-sie-sip-bits, SSIP taken: the trap logs differ only by SSI
    # interrupts (what they leave in sepc/scause/stval/sstatus and the
    # trap count differ too).
    tb, tv = _traps_full(bare), _traps_full(virt)
    if tb != tv and [t for t in tb if t[0] != IRQ_SSI] == [t for t in tv if t[0] != IRQ_SSI] and \
            any(v is not None and v & SIE_SIP_VS_BITS for _, _, _, v in accesses) and \
            (a.startswith("trap") or (va and va[0] in ("sstatus", "sepc", "scause", "stval", "sip"))):
        return "vs-sie-sip-bits"
    # vu32-fetch-fault: in an RV32 U block with a raw compressed encoding,
    # the same fetch trap (tval, epc, from U) with cause 1 on bare and 12
    # under hw, at a sign-extended pc.
    if any(_compressed_illegal_candidate(lines.get(i, ())) for i, k in leaves if "block.u32" in k):
        ma = re.match(r"trap (\d+) cause=(0x[0-9a-f]+) tval=(0x[0-9a-f]+) (epc=\S+ spp=0 .*)$", a)
        mb = re.match(r"trap (\d+) cause=(0x[0-9a-f]+) tval=(0x[0-9a-f]+) (epc=\S+ spp=0 .*)$", b)
        if ma and mb and ma.group(1) == mb.group(1) and ma.group(3, 4) == mb.group(3, 4) and \
                int(ma.group(2), 16) == 1 and int(mb.group(2), 16) == 12 and \
                int(ma.group(3), 16) >> 31 == (1 << 33) - 1:
            return "vu32-fetch-fault"
    return None


# Per engine: its open classes, the name of its steps table (what
# `run.py --triage` prints and --write rewrites) and its reproducers' folder.
ENGINES = {
    "trap": ("CLASSES", "KNOWN_STEPS", "known"),
    "hw": ("HW_CLASSES", "HW_KNOWN_STEPS", "known-hw"),
}


def open_classes(engine):
    return globals()[ENGINES[engine][0]]


def known_steps(engine):
    return globals()[ENGINES[engine][1]]


def steps_name(engine):
    return ENGINES[engine][1]


def reproducer_dir(engine):
    return ENGINES[engine][2]


# The fixed seeds of tests/system/test_fidelity.py (1..200) that hit an open
# class of the trap engine: seed -> [(step id, class)]. The test drops
# exactly these steps from those programs and expects the rest to match bare
# QEMU. Written by `run.py --seeds 1-200 --triage`.
KNOWN_STEPS = {}

# The same for the hw engine (rv64,h=true), written by `run.py --seeds 1-200
# --engine hw --cpu rv64,h=true --triage --write`.
HW_KNOWN_STEPS = {
    2: [('s38', 'vs-sie-sip-bits'), ('s35_25', 'vs-sie-sip-bits'), ('s56', 'vs-sie-sip-bits')],
    18: [('s12', 'vs-sie-sip-bits')],
    39: [('s27', 'vs-sie-sip-bits')],
    42: [('s3_6', 'vu32-fetch-fault')],
    68: [('s36_2', 'vu32-fetch-fault')],
    74: [('s80', 'vs-sie-sip-bits')],
    75: [('s8', 'vu32-fetch-fault'), ('s23_4', 'vu32-fetch-fault')],
    78: [('s17', 'vs-sie-sip-bits')],
    87: [('s27', 'vs-sie-sip-bits')],
    94: [('s42', 'vs-sie-sip-bits')],
    98: [('s4', 'vs-sie-sip-bits')],
    113: [('s18_3', 'vu32-fetch-fault')],
    128: [('s72', 'vs-sip-stip')],
    130: [('s28', 'vu32-fetch-fault'), ('s38_0', 'vu32-fetch-fault')],
    143: [('s11_2', 'vu32-fetch-fault')],
    147: [('s23_2', 'vu32-fetch-fault')],
    150: [('s50', 'vs-sie-sip-bits')],
    152: [('s25', 'vs-sie-sip-bits'), ('s1_11', 'vs-sie-sip-bits')],
    159: [('s23', 'vs-sie-sip-bits')],
    169: [('s24', 'vs-sie-sip-bits')],
    174: [('s21_2', 'vu32-fetch-fault'), ('s21_0', 'vu32-fetch-fault')],
    175: [('s13', 'vs-sie-sip-bits')],
    179: [('s35', 'vu32-fetch-fault'), ('s42_6', 'vu32-fetch-fault')],
    181: [('s7', 'vs-sie-sip-bits'), ('s24', 'vs-sie-sip-bits')],
    182: [('s17', 'vs-sie-sip-bits')],
    184: [('s19_4', 'vu32-fetch-fault')],
    185: [('s45_17', 'vs-sie-sip-bits')],
    188: [('s12_26', 'vs-sie-sip-bits')],
    196: [('s43_7', 'vu32-fetch-fault')],
    199: [('s17', 'vs-sie-sip-bits')],
}
