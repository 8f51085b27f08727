#!/usr/bin/env python3
"""Random bare-metal S-mode test programs for the differential fidelity suite.

    gen.py SEED [--out DIR]

writes DIR/SEED/prog.S (default DIR: build/fidelity) and DIR/SEED/meta.json
(the coverage: instruction kinds and CSRs the program uses). The same seed
always gives the same program.

A program is a list of steps run straight through in S-mode with gp =
&fid_ctx (tests/fidelity/rt/fid.h): CSR operations, traps, SBI calls,
memory accesses (RAM, devices, faulting addresses), FP, compressed and
plain ALU instructions, U-mode blocks and paging blocks (own page tables,
random PTEs, accesses, SFENCE.VMA, then paging off). Every trap goes to the
runtime's handler, which logs it and steps over the instruction.

Each step is self-contained: it sets up every register and address it
uses, so any subset of the steps (what run.py's delta debugging keeps) is
still a valid program. The rules that keep a program deterministic on any
correct implementation (what the RISC-V specs leave open is never
generated):
  - no timer ever fires (stimecmp and SBI set_timer only far in the future),
    counter values are overwritten right after they are read, the UART's
    LSR transmit bits are masked;
  - the RTC's count is only compared, never kept, its alarms are long past
    or decades away, its interrupt line stays low (see rtc_step);
  - stvec is restored to the handler right after a write, satp gets only
    Bare or reserved modes outside a paging block;
  - a PTE written while paging is on is followed by an SFENCE.VMA that the
    Privileged ISA says covers it; address spaces of one block keep their
    test VAs disjoint, and G only where one ASID is used;
  - nothing executes outside the program, the handler and the code stubs
    (no device pages, no pattern data, no Trapeze hidden region 0xff80...);
  - stores never reach the code stubs or the runtime.
"""
import argparse
import json
import os
import random
import re
import sys
from collections import Counter

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
RT = os.path.join(HERE, "rt")


def _read_defines(path):
    out = {}
    for line in open(path):
        m = re.match(r"#define\s+(\w+)\s+(0x[0-9a-fA-F]+|\d+)\b", line)
        if m:
            out[m.group(1)] = int(m.group(2), 0)
    return out


FID = _read_defines(os.path.join(RT, "fid.h"))
PAGE = FID["FID_PAGE_SIZE"]
DATA = FID["FID_DATA_BASE"]
DATA_PAGES = FID["FID_DATA_PAGES"]
STUB_PAGE = FID["FID_STUB_PAGE"]
STUB = DATA + STUB_PAGE * PAGE
STUB_TARGETS = {
    "inc": STUB + FID["FID_STUB_INC"],
    "ebreak": STUB + FID["FID_STUB_EBREAK"],
    "cross": STUB + FID["FID_STUB_CROSS"],
    "ret": STUB + PAGE + 2,                 # the cross stub's ret
}
PT_BASE = FID["FID_PT_BASE"]
PT_PAGES = FID["FID_PT_PAGES"]
RAM_END = FID["FID_RAM_END"]
MASK64 = (1 << 64) - 1
UART = 0x10000000
VIRTIO = 0x10001000     # eight empty virtio-mmio slots of 4 KiB; registers in the first 0x200
PLIC = 0x0c000000
FINISHER = 0x100000
CLINT = 0x02000000
UALIAS = 0x40000000                 # U alias VA = PA + UALIAS (paging blocks)
# The goldfish RTC (QEMU 7.2 hw/rtc/goldfish_rtc.c): 32-bit registers in the
# first 0x24 bytes of its 4 KiB page; the count is ns since the epoch.
RTC = 0x101000
RTC_TIME_LOW, RTC_TIME_HIGH, RTC_ALARM_LOW, RTC_ALARM_HIGH = 0x00, 0x04, 0x08, 0x0c
RTC_IRQ_ENABLED, RTC_CLEAR_ALARM, RTC_ALARM_STATUS, RTC_CLEAR_INTERRUPT = 0x10, 0x14, 0x18, 0x1c
RTC_REGION = 0x24
NS_2020 = 1577836800 * 10 ** 9      # 2020-01-01 00:00 UTC
NS_2100 = 4102444800 * 10 ** 9      # 2100-01-01 00:00 UTC

REGS = ["zero", "ra", "sp", "gp", "tp", "t0", "t1", "t2", "s0", "s1",
        "a0", "a1", "a2", "a3", "a4", "a5", "a6", "a7",
        "s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9", "s10", "s11",
        "t3", "t4", "t5", "t6"]
WRITABLE = [r for i, r in enumerate(REGS) if i not in (0, 3)]   # never gp
CREGS = REGS[8:16]                   # x8..x15, the compressed register set

# Privileged ISA v1.12, 4.3.1 / 4.4.1: PTE bits.
PTE_V, PTE_R, PTE_W, PTE_X, PTE_U, PTE_G, PTE_A, PTE_D = (1 << i for i in range(8))
SSTATUS_SIE, SSTATUS_SPIE, SSTATUS_SPP = 1 << 1, 1 << 5, 1 << 8
SSTATUS_SUM, SSTATUS_MXR = 1 << 18, 1 << 19
SSTATUS_FS = 3 << 13

SBI_BASE, SBI_TIME, SBI_IPI = 0x10, 0x54494D45, 0x735049
SBI_RFENCE, SBI_HSM, SBI_SRST = 0x52464E43, 0x48534D, 0x53525354

# CSRs outside the S set: each access is illegal from S (htimedelta is
# emulated by OpenSBI and by Trapeze for S-mode, README "htimedelta").
M_CSRS = {"mstatus": 0x300, "misa": 0x301, "medeleg": 0x302, "mideleg": 0x303,
          "mie": 0x304, "mtvec": 0x305, "mcounteren": 0x306, "menvcfg": 0x30a,
          "mscratch": 0x340, "mepc": 0x341, "mcause": 0x342, "mtval": 0x343,
          "mip": 0x344, "pmpcfg0": 0x3a0, "pmpaddr0": 0x3b0, "mcycle": 0xb00,
          "minstret": 0xb02, "mhartid": 0xf14, "mvendorid": 0xf11, "tselect": 0x7a0,
          "dcsr": 0x7b0}
H_CSRS = {"hstatus": 0x600, "hedeleg": 0x602, "hideleg": 0x603, "hie": 0x604,
          "htimedelta": 0x605, "hcounteren": 0x606, "hgatp": 0x680, "hip": 0x644,
          "hvip": 0x645, "htval": 0x643, "vsstatus": 0x200, "vstvec": 0x205,
          "vsatp": 0x280, "vsscratch": 0x240, "vstimecmp": 0x24d}
ABSENT_CSRS = {"ustatus": 0x000, "utvec": 0x005, "vstart": 0x008, "seed": 0x015,
               "siselect": 0x150, "scontext": 0x5a8, "csr_7ff": 0x7ff, "csr_dff": 0xdff}
COUNTERS = {"cycle": 0xc00, "time": 0xc01, "instret": 0xc02,
            "hpmcounter3": 0xc03, "hpmcounter31": 0xc1f}
FP_CSRS = ["fflags", "frm", "fcsr"]

CSR_FORMS = ["csrrw", "csrrs", "csrrc", "csrrwi", "csrrsi", "csrrci"]


class Step:
    """One step: leaf lines, or a block (pre, children, post) whose children
    delta debugging may drop one by one. `@L` in lines is the step's label;
    `image` are (address, value) stores the runtime makes before the
    program starts (page tables)."""

    def __init__(self, kind, lines=(), csrs=(), kinds=None, children=None,
                 pre=(), post=(), image=()):
        self.kind = kind
        self.lines = list(lines)
        self.csrs = Counter(csrs)
        self.kinds = Counter(kinds) if kinds is not None else Counter([kind])
        self.children = children
        self.pre = list(pre)
        self.post = list(post)
        self.image = list(image)
        self.id = ""

    def is_block(self):
        return self.children is not None

    def with_children(self, children):
        s = Step(self.kind, self.lines, self.csrs, self.kinds, list(children),
                 self.pre, self.post, self.image)
        s.id = self.id
        return s

    def emit(self, out, prefix):
        label = f"{prefix}_{self.id}"
        out.append(f"{label}:\t\t# {self.kind}")
        if self.is_block():
            out.extend("\t" + l.replace("@L", label) for l in self.pre)
            for c in self.children:
                c.emit(out, prefix)
            out.extend("\t" + l.replace("@L", label) for l in self.post)
        else:
            out.extend("\t" + l.replace("@L", label) if not l.endswith(":") else
                       l.replace("@L", label) for l in self.lines)

    def coverage(self, kinds, csrs):
        kinds.update(self.kinds)
        csrs.update(self.csrs)
        for c in self.children or ():
            c.coverage(kinds, csrs)

    def leaves(self):
        return sum(c.leaves() for c in self.children) if self.is_block() else 1

    def images(self):
        return list(self.image) + [e for c in (self.children or ()) for e in c.images()]


class Program:
    def __init__(self, seed, steps, fs, fcsr, x, f):
        self.seed, self.steps, self.fs, self.fcsr, self.x, self.f = seed, steps, fs, fcsr, x, f

    def with_steps(self, steps):
        return Program(self.seed, steps, self.fs, self.fcsr, self.x, self.f)

    def coverage(self):
        kinds, csrs = Counter(), Counter()
        for s in self.steps:
            s.coverage(kinds, csrs)
        return kinds, csrs

    def leaves(self):
        return sum(s.leaves() for s in self.steps)

    def render(self):
        sd = self.seed
        out = [f"/* Fidelity program {sd}: tests/fidelity/gen.py {sd}, "
               f"{len(self.steps)} steps, {self.leaves()} leaves. */",
               '#include "fid.h"',
               "\t.option norvc",
               f'\t.section .text.fidp_{sd}, "ax", @progbits',
               "\t.balign 4",
               f"\t.globl fidp_{sd}",
               f"fidp_{sd}:",
               "\tld x31, CTX_INIT + 31*8(gp)"]
        for s in self.steps:
            s.emit(out, f"p{sd}")
        out += [f"p{sd}_end:",
                "\tsd t0, CTX_TMP(gp)",
                "\tld t0, CTX_EXIT(gp)",
                "\tjr t0"]
        image = [e for s in self.steps for e in s.images()]
        out += [f'\t.section .rodata.fidp_{sd}, "a", @progbits',
                "\t.balign 8",
                f"\t.globl fiddesc_{sd}",
                f"fiddesc_{sd}:",
                f"\t.dword {sd}, fidp_{sd}, fidimg_{sd}, {len(image)}, {self.fs}, {hex(self.fcsr)}"]
        for i in range(0, 32, 4):
            out.append("\t.dword " + ", ".join(hex(v) for v in self.x[i:i + 4]))
        for i in range(0, 32, 4):
            out.append("\t.dword " + ", ".join(hex(v) for v in self.f[i:i + 4]))
        out.append(f"fidimg_{sd}:")
        for a, v in image:
            out.append(f"\t.dword {hex(a)}, {hex(v)}")
        return "\n".join(out) + "\n"


class NoSpace(Exception):
    pass


def sext(v, bits):
    v &= (1 << bits) - 1
    return v - (1 << bits) if v >> (bits - 1) else v


def u64(v):
    return v & MASK64


class Space:
    """One address space of a paging block: tables in the pool (static
    image), a root, the leaves it maps."""

    def __init__(self, g, mode, levels, asids):
        self.g, self.mode, self.levels, self.asids = g, mode, levels, asids
        self.root = g.alloc_table()
        self.ptes = {}

    def satp(self, asid):
        return (self.mode << 60) | (asid << 44) | (self.root >> 12)

    def map(self, va, pa, level, flags, ptr_flags=PTE_V):
        """Leaf for va at `level`; tables created on the way get ptr_flags
        (existing ones are shared as they are). Returns the PTE's address."""
        table = self.root
        for lvl in range(self.levels - 1, level, -1):
            addr = table + 8 * ((va >> (12 + 9 * lvl)) & 511)
            pte = self.ptes.get(addr)
            if pte is None:
                new = self.g.alloc_table()
                self.ptes[addr] = ((new >> 12) << 10) | ptr_flags
                table = new
            else:
                assert pte & (PTE_R | PTE_W | PTE_X) == 0, "leaf on the path"
                table = ((pte >> 10) & ((1 << 44) - 1)) << 12
        addr = table + 8 * ((va >> (12 + 9 * level)) & 511)
        assert addr not in self.ptes
        self.ptes[addr] = ((pa >> 12) << 10) | flags
        return addr


class Mapping:
    """A test mapping: VA range, leaf level, what the PA holds."""

    def __init__(self, space, va, level, pa, target, flags, pte_addr, dbase):
        self.space, self.va, self.level, self.pa = space, va, level, pa
        self.target = target          # data | stub30 | stub31 | bad | uart
        self.flags = flags
        self.versions = [flags]       # every value the leaf ever gets
        self.pte_addr = pte_addr
        self.dbase = dbase            # offset in the leaf of DATA (superpages), or None
        self.size = 1 << (12 + 9 * level)


class Paging:
    """State of the paging block being generated."""

    def __init__(self, name, spaces, multi_asid, uart, identity):
        self.name, self.spaces, self.multi_asid = name, spaces, multi_asid
        self.uart, self.identity = uart, identity
        self.maps = []


class Gen:
    def __init__(self, seed):
        self.seed = seed
        self.r = random.Random(seed)
        self.pt_next = 0
        self.pagecross = 0
        self.attacks = None         # AttackGen: generate(seed, attacks=True)

    # ---- primitives -----------------------------------------------------
    def reg(self):
        return self.r.choice(WRITABLE)

    def reg_not(self, *avoid):
        while True:
            r = self.reg()
            if r not in avoid:
                return r

    def creg(self, *avoid):
        while True:
            r = self.r.choice(CREGS)
            if r not in avoid:
                return r

    def val64(self):
        r = self.r
        k = r.randrange(10)
        if k == 0:
            return r.choice([0, MASK64, 1, 0x5555555555555555, 0xaaaaaaaaaaaaaaaa,
                             0x8000000000000000, 0x7fffffffffffffff])
        if k == 1:
            return r.randrange(64)
        if k == 2:
            return 1 << r.randrange(64)
        if k == 3:
            return u64(~(1 << r.randrange(64)))
        if k == 4:
            return u64(sext(r.getrandbits(12), 12))
        if k == 5:
            return r.getrandbits(32)
        return r.getrandbits(64)

    def far_time(self):
        return (1 << 63) | (1 << 62) | self.r.getrandbits(62) if self.r.randrange(3) else MASK64

    def li(self, reg, v):
        return f"li {reg}, {hex(u64(v))}"

    def alloc_table(self):
        if self.pt_next >= PT_PAGES:
            raise NoSpace()
        pa = PT_BASE + self.pt_next * PAGE
        self.pt_next += 1
        return pa

    def data_addr(self, width=8, cross_ok=True, align=None):
        """A data-area address (pages 0..29): aligned, misaligned, or across
        a page end (never into the stub pages)."""
        r = self.r
        k = r.randrange(10)
        if k < 7 or not cross_ok:
            page = r.randrange(STUB_PAGE)
            off = r.randrange(0, PAGE - 16) & ~((align or width) - 1)
            if k >= 6 and align is None:
                off |= r.randrange(1, width) if width > 1 else 0
            return DATA + page * PAGE + off
        page = r.randrange(STUB_PAGE - 1)
        return DATA + page * PAGE + PAGE - r.randrange(1, width + 1)

    # ---- CSR operations -------------------------------------------------
    def sstatus_value(self):
        """Random sstatus, every field; never UXL=3: that encoding is
        reserved, yet QEMU 7.2 keeps it and then runs U-mode as RV128
        (its experimental 128-bit decoder), which no CPU does."""
        r = self.r
        if r.randrange(4) == 0:
            v = self.val64()
            return v & ~(1 << 32) if (v >> 32) & 3 == 3 else v
        v = 0
        for bit, p in ((SSTATUS_SIE, 3), (SSTATUS_SPIE, 2), (SSTATUS_SPP, 2),
                       (1 << 6, 8), (SSTATUS_SUM, 3), (SSTATUS_MXR, 3), (1 << 63, 6)):
            if r.randrange(p) == 0:
                v |= bit
        v |= r.randrange(4) << 13                     # FS
        if r.randrange(4) == 0:
            v |= r.randrange(4) << 9                  # VS
        if r.randrange(6) == 0:
            v |= r.randrange(4) << 15                 # XS (read-only)
        v |= (2 if r.randrange(4) else r.randrange(3)) << 32    # UXL
        return v

    def csr_value(self, csr):
        r = self.r
        if csr == "sstatus":
            return self.sstatus_value()
        if csr in ("sie", "sip"):
            v = 0
            for b in (1, 5, 9):
                if r.randrange(2):
                    v |= 1 << b
            if r.randrange(4) == 0:
                v |= self.val64()
            return v
        if csr == "scounteren":
            return r.choice([0, 7, 1, 2, 4, 5, 0xffffffff, r.getrandbits(32), self.val64()])
        if csr == "senvcfg":
            return r.choice([0, 1, 0xf1, 0x30, 0x80, MASK64, self.val64()])
        if csr == "stvec":
            base = r.choice([DATA + r.randrange(0, 0x20000), 0x80200000 + r.randrange(0, 0x100000),
                             self.val64()])
            return (base & ~3) | r.randrange(4)
        if csr == "sepc":
            return r.choice([self.val64(), 0x80200000 + r.randrange(0x10000)])
        return self.val64()

    def csr_op(self, csr, name=None, forms=CSR_FORMS, value=None, xs_ok=True):
        """One Zicsr instruction on csr (name or number) with a random form,
        rd/rs1 = x0 variants included. Returns (lines, kind, rd)."""
        r = self.r
        form = r.choice(forms)
        rd = "zero" if r.randrange(4) == 0 else self.reg()
        lines = []
        if form.endswith("i"):
            uimm = 0 if r.randrange(5) == 0 else r.randrange(32)
            if value is not None:
                uimm = value(form) & 31
            lines.append(f"{form} {rd}, {csr}, {uimm}")
            kind = f"{form}" + (".rd=x0" if rd == "zero" else "") + (".uimm=0" if uimm == 0 else "")
        else:
            rs = "zero" if xs_ok and r.randrange(6 if form == "csrrw" else 4) == 0 else self.reg()
            if rs != "zero":
                v = value(form) if value else self.csr_value(name or csr)
                lines.append(self.li(rs, v))
            lines.append(f"{form} {rd}, {csr}, {rs}")
            kind = f"{form}" + (".rd=x0" if rd == "zero" else "") + (".rs1=x0" if rs == "zero" else "")
        return lines, kind, rd

    def step_csr_s(self, paging=None):
        """The S CSRs. stvec is put back right away; satp keeps Bare or a
        reserved mode outside paging blocks; stimecmp stays far away."""
        r = self.r
        names = ["sstatus"] * 5 + ["sie"] * 3 + ["sip"] * 3 + ["stvec"] * 3 + \
            ["sscratch"] * 2 + ["sepc"] * 2 + ["scause"] * 2 + ["stval"] * 2 + \
            ["scounteren"] * 2 + ["senvcfg"] * 2 + ["stimecmp"] * 2 + ["satp"] * 2
        csr = r.choice(names)
        post = []
        if csr == "stimecmp":
            def stv(form):
                if form == "csrrw":
                    return self.far_time()
                if form == "csrrs":
                    return self.val64()
                return r.getrandbits(60)
            lines, kind, rd = self.csr_op(csr, forms=["csrrw", "csrrs", "csrrc", "csrrsi", "csrrci"],
                                          value=stv)
        elif csr == "satp":
            if paging:
                # Reads only: csrrs/csrrc with rs1=x0, csrrsi/csrrci with 0.
                form = r.choice(["csrrs", "csrrc", "csrrsi", "csrrci"])
                rd = self.reg()
                src = "0" if form.endswith("i") else "zero"
                lines = [f"{form} {rd}, satp, {src}"]
                kind = form + (".uimm=0" if src == "0" else ".rs1=x0")
            else:
                def satpv(form):
                    mode = r.choice([0, 0, 0, 1, 2, 5, 7, 11, 12, 15]) if form == "csrrw" else 0
                    v = r.choice([0, r.getrandbits(44), r.getrandbits(60), (0xffff << 44)])
                    return (mode << 60) | (v & ((1 << 60) - 1))
                lines, kind, rd = self.csr_op(csr, value=satpv)
        elif csr == "sstatus":
            # csrrs never sets UXL bits: 2 | 1 would be the reserved 3.
            lines, kind, rd = self.csr_op(csr, value=lambda f: self.sstatus_value() &
                                          (~(3 << 32) if f == "csrrs" else MASK64))
        else:
            lines, kind, rd = self.csr_op(csr)
        if csr == "stvec":
            back = self.reg()
            tmp = self.reg_not(back)
            # Back to direct mode: on the reference, OpenSBI 1.1 redirects
            # the exceptions it does not delegate (illegal instruction, access
            # faults) to the raw stvec, mode bits included, and QEMU 7.2 keeps
            # mepc[0], so a vectored stvec sends them to BASE+1.
            post = [f"csrr {back}, stvec", f"la {tmp}, fid_vec", f"csrw stvec, {tmp}"]
        return Step("csr." + kind, lines + post, csrs=[csr])

    def step_csr_other(self, umode=False):
        """Counters (value overwritten at once), FP CSRs, M/H/absent CSRs."""
        r = self.r
        k = r.randrange(10)
        if k < 4:
            name, num = r.choice(sorted(COUNTERS.items()))
            if r.randrange(4):
                form = r.choice(["csrrs", "csrrc", "csrrsi", "csrrci"])
                rd = self.reg()
                src = "0" if form.endswith("i") else "zero"
                lines = [f"{form} {rd}, {hex(num)}, {src}", f"mv {rd}, zero"]
                return Step("csr.read-counter", lines, csrs=[name])
            lines, kind, rd = self.csr_op(hex(num), name="sscratch")
            if rd != "zero":
                lines.append(f"mv {rd}, zero")
            return Step("csr.write-counter", lines, csrs=[name])
        if k < 6:
            name = r.choice(FP_CSRS)
            lines, kind, rd = self.csr_op(name, value=lambda f: r.getrandbits(8))
            return Step("csr.fp." + kind, lines, csrs=[name])
        table = r.choice([M_CSRS, H_CSRS, H_CSRS, ABSENT_CSRS])
        name, num = r.choice(sorted(table.items()))
        lines, kind, rd = self.csr_op(hex(num), name="sscratch")
        group = {id(M_CSRS): "m", id(H_CSRS): "h", id(ABSENT_CSRS): "absent"}[id(table)]
        return Step(f"csr.{group}." + kind, lines, csrs=[name])

    # ---- traps ----------------------------------------------------------
    ILLEGAL = [
        ("c.unimp", ".2byte 0x0000"),
        ("ones", ".4byte 0xffffffff"),
        ("unimp", ".4byte 0xc0001073"),
        ("mret", ".4byte 0x30200073"),
        ("dret", ".4byte 0x7b200073"),
        ("uret", ".4byte 0x00200073"),
        ("hfence.vvma", ".4byte 0x22000073"),
        ("hfence.gvma", ".4byte 0x62000073"),
        ("sfence.vma-rd", ".4byte 0x120000f3"),
        ("ebreak-rd", ".4byte 0x001000f3"),
        ("c.addi4spn-0", ".2byte 0x0004"),
        ("c.lui-0", ".2byte 0x6081"),
        ("c.addiw-x0", ".2byte 0x2001"),
        ("c.lwsp-x0", ".2byte 0x4002"),
        ("c.jr-x0", ".2byte 0x8002"),
    ]

    def illegal_insn(self):
        r = self.r
        k = r.randrange(12)
        if k < 5:
            return r.choice(self.ILLEGAL)
        rd, rs1, rs2 = r.randrange(32), r.randrange(32), r.randrange(32)
        if k == 5:
            op = r.choice([0x0b, 0x2b, 0x5b, 0x7b])
            return ("custom", f".4byte {hex(op | (r.getrandbits(25) << 7))}")
        if k == 6:      # SYSTEM funct3=4: HLV/HSV (H) or reserved
            f7 = r.choice([0x30, 0x32, 0x34, 0x36, 0x31, 0x33, 0x35, 0x37, r.getrandbits(7)])
            return ("system-f3=4", f".4byte {hex(0x73 | rd << 7 | 4 << 12 | rs1 << 15 | rs2 << 20 | f7 << 25)}")
        if k == 7:      # OP-FP, reserved rounding mode 5 or 6
            return ("fp-rm", f".4byte {hex(0x53 | rd << 7 | r.choice([5, 6]) << 12 | rs1 << 15 | rs2 << 20 | 0x01 << 25)}")
        if k == 8:      # LOAD funct3=7 (RV128 ldu)
            return ("load-f3=7", f".4byte {hex(0x03 | rd << 7 | 7 << 12 | rs1 << 15 | r.getrandbits(12) << 20)}")
        if k == 9:      # AMO, reserved funct5
            f5 = r.choice([0b00101, 0b00110, 0b01001, 0b10001, 0b11111])
            return ("amo-reserved", f".4byte {hex(0x2f | rd << 7 | 3 << 12 | rs1 << 15 | rs2 << 20 | f5 << 27)}")
        if k == 10:     # OP-V: no V extension
            return ("op-v", f".4byte {hex(0x57 | rd << 7 | r.randrange(8) << 12 | r.getrandbits(17) << 15)}")
        return ("op-32-reserved", f".4byte {hex(0x3b | rd << 7 | 1 << 12 | rs1 << 15 | rs2 << 20 | 0x7f << 25)}")

    def step_trap(self, umode=False):
        r = self.r
        k = r.randrange(10)
        if k < 2:
            return Step("ebreak", [".4byte 0x00100073"])
        if k < 4:
            return Step("c.ebreak", [".2byte 0x9002"])
        name, word = self.illegal_insn()
        return Step("illegal." + name, [word])

    def step_u_only(self):
        """Privileged instructions and ecall from U-mode."""
        r = self.r
        k = r.randrange(8)
        if k < 3:
            a7 = r.choice([0, 1, 0x10, SBI_TIME, r.getrandbits(32), self.val64()])
            if a7 == FID["FID_UEXIT"]:
                a7 += 1
            return Step("ecall.u", [self.li("a7", a7), self.li("a0", self.val64()), "ecall"])
        insn = r.choice([("sret", "sret"), ("wfi", "wfi"), ("sfence.vma", "sfence.vma zero, zero"),
                         ("mret", ".4byte 0x30200073"), ("fence.i", "fence.i")])
        return Step("u." + insn[0], [insn[1]])

    def step_sbi(self):
        """An ecall from S: the SBI (OpenSBI on bare QEMU, Trapeze's SBI).
        Only calls whose answer the SBI spec fixes; implementation identity
        and the spec version beyond major>=1 are masked (README: they differ)."""
        r = self.r
        probe = r.choice([SBI_TIME, SBI_IPI, SBI_RFENCE, SBI_HSM, SBI_SRST, SBI_BASE,
                          0, 1, 0x0afe0000, r.getrandbits(32)])
        calls = [
            ("base.spec_version", SBI_BASE, 0, [], "major"),
            ("base.impl_id", SBI_BASE, 1, [], "zero"),
            ("base.impl_version", SBI_BASE, 2, [], "zero"),
            ("base.probe", SBI_BASE, 3, [probe], None),
            ("base.probe", SBI_BASE, 3, [probe], None),
            ("base.machine_ids", SBI_BASE, r.choice([4, 5, 6]), [], "zero"),
            ("base.unknown_fid", SBI_BASE, 99, [], None),
            ("time.set_timer", SBI_TIME, 0, [self.far_time()], None),
            ("time.set_timer", SBI_TIME, 0, [self.far_time()], None),
            ("time.unknown_fid", SBI_TIME, 1, [], None),
            ("ipi.self", SBI_IPI, 0, [1, 0], None),
            ("ipi.all", SBI_IPI, 0, [0, MASK64], None),
            ("ipi.absent_base", SBI_IPI, 0, [1, 5], None),
            ("ipi.empty", SBI_IPI, 0, [0, 0], None),
            ("ipi.unknown_fid", SBI_IPI, 1, [], None),
            ("rfence.fence_i", SBI_RFENCE, 0, r.choice([[1, 0], [0, MASK64]]), None),
            ("rfence.sfence_vma", SBI_RFENCE, 1,
             r.choice([[1, 0, 0, MASK64], [1, 0, 0x80200000, 0x3000], [0, MASK64, 0, 0]]), None),
            ("rfence.sfence_vma_asid", SBI_RFENCE, 2,
             r.choice([[1, 0, 0, MASK64, 1], [1, 0, 0x80200000, 0x1000, 7]]), None),
            ("rfence.unknown_fid", SBI_RFENCE, 99, [1, 0], None),
            ("hsm.get_status", SBI_HSM, 2, [r.choice([0, 5])], None),
            ("hsm.hart_start", SBI_HSM, 0, [r.choice([0, 5]), 0x80200000, 0], None),
            ("hsm.suspend_reserved", SBI_HSM, 3, [1, 0x80200000, 0], None),
            ("hsm.unknown_fid", SBI_HSM, 99, [], None),
            ("srst.reserved_type", SBI_SRST, 0, [r.choice([0x1234, 0xf0000000]), 0], None),
            ("srst.unknown_fid", SBI_SRST, 1, [], None),
            ("legacy.set_timer", 0, 0, [self.far_time()], "zero"),
            ("legacy.clear_ipi", 3, 0, [], "zero"),
            ("unknown_ext", 0x0afe0000, r.choice([0, 5]), [1, 2, 3, 4, 5], None),
        ]
        name, eid, fid, args, mask = r.choice(calls)
        lines = [self.li("a7", eid), self.li("a6", fid)]
        for i in range(6):
            v = args[i] if i < len(args) else self.val64()
            lines.append(self.li(f"a{i}", v))
        lines.append("ecall")
        if mask == "major":
            lines += ["srli a1, a1, 24", "andi a1, a1, 0x7f", "snez a1, a1"]
        elif mask == "zero":
            lines.append("li a1, 0")
        return Step("sbi." + name, lines)

    def step_sret_s(self):
        """SRET to S (SPP=1) at the next instruction: SIE/SPIE/SPP rules."""
        r = self.r
        t = self.reg()
        lines = [f"la {t}, 1f", f"csrw sepc, {t}", f"li {t}, {SSTATUS_SPP}", f"csrs sstatus, {t}"]
        if r.randrange(2):
            lines += [f"li {t}, {SSTATUS_SPIE}", f"csr{r.choice('sc')} sstatus, {t}"]
        lines += ["sret", "1:"]
        return Step("sret.s", lines, csrs=["sepc", "sstatus"])

    def step_wfi(self):
        """WFI with an interrupt pending and enabled in sie but SIE=0, so it
        must not wait (Privileged ISA v1.12, 3.3.3 Wait for Interrupt)."""
        return Step("wfi.pending", ["csrci sstatus, 2", "csrsi sie, 2", "csrsi sip, 2", "wfi",
                                    "csrci sip, 2"], csrs=["sstatus", "sie", "sip"])

    def step_fence(self):
        r = self.r
        k = r.randrange(6)
        if k == 0:
            return Step("fence", ["fence"])
        if k == 1:
            return Step("fence.i", ["fence.i"])
        a, b = self.reg(), self.reg()
        form = r.choice(["all", "va", "asid", "va+asid"])
        rs1 = a if "va" in form else "zero"
        rs2 = b if "asid" in form else "zero"
        lines = []
        if rs1 != "zero":
            lines.append(self.li(rs1, r.choice([DATA, 0x80200000, self.val64()])))
        if rs2 != "zero":
            lines.append(self.li(rs2, r.choice([0, 1, r.getrandbits(16), self.val64()])))
        lines.append(f"sfence.vma {rs1}, {rs2}")
        return Step("sfence.vma." + form, lines)

    def step_cbo(self):
        r = self.r
        op, fn = r.choice([("cbo.inval", 0), ("cbo.clean", 1), ("cbo.flush", 2), ("cbo.zero", 4)])
        t = self.reg()
        addr = DATA + r.randrange(STUB_PAGE) * PAGE + r.randrange(0, PAGE, 64)
        rs1 = REGS.index(t)
        return Step(op, [self.li(t, addr), f".4byte {hex(fn << 20 | rs1 << 15 | 2 << 12 | 0x0f)}"])

    def step_pagecross(self):
        """An instruction across a 4 KiB boundary of the program's code."""
        r = self.r
        name, insn = r.choice([("csrr", f"csrr {self.reg()}, sscratch"),
                               ("csrw", f"csrw sscratch, {self.reg()}"),
                               ("ebreak", ".4byte 0x00100073"),
                               ("illegal", ".4byte 0xffffffff"),
                               ("addi", f"addi {self.reg()}, {self.reg()}, 7")])
        lines = [".balign 4096", ".fill 1023, 4, 0x00000013", ".2byte 0x0001", insn]
        return Step("pagecross." + name, lines, csrs=["sscratch"] if "csr" in name else [])

    # ---- memory -----------------------------------------------------------
    LOADS = {"lb": 1, "lh": 2, "lw": 4, "ld": 8, "lbu": 1, "lhu": 2, "lwu": 4}
    STORES = {"sb": 1, "sh": 2, "sw": 4, "sd": 8}
    AMOS = ["amoswap", "amoadd", "amoxor", "amoand", "amoor", "amomin", "amomax",
            "amominu", "amomaxu"]

    def access_lines(self, addr, kinds=("load", "store", "amo", "lrsc", "c", "fp"), store_ok=True):
        """Instructions that access addr (a VA or PA). Returns (kind, lines)."""
        r = self.r
        kinds = [k for k in kinds if store_ok or k in ("load", "fp", "c")]
        kind = r.choice(kinds)
        base = self.reg()
        if kind == "load":
            op = r.choice(sorted(self.LOADS))
            imm = r.choice([0, 0, r.randrange(-2048, 2048)])
            rd = self.reg()
            return "load." + op, [self.li(base, addr - imm), f"{op} {rd}, {imm}({base})"]
        if kind == "store" or (kind == "amo" and not store_ok):
            op = r.choice(sorted(self.STORES))
            imm = r.choice([0, 0, r.randrange(-2048, 2048)])
            src = self.reg_not(base)
            return "store." + op, [self.li(src, self.val64()), self.li(base, addr - imm),
                                   f"{op} {src}, {imm}({base})"]
        if kind == "amo":
            op = r.choice(self.AMOS) + r.choice([".w", ".d"]) + r.choice(["", "", ".aq", ".rl", ".aqrl"])
            rd, src = self.reg(), self.reg_not(base)
            return "amo", [self.li(src, self.val64()), self.li(base, addr),
                           f"{op} {rd}, {src}, ({base})"]
        if kind == "lrsc":
            w = r.choice([".w", ".d"])
            rd, rd2, src = self.reg_not(base), self.reg_not(base), self.reg_not(base)
            return "lr/sc", [self.li(src, self.val64()), self.li(base, addr),
                             f"lr{w} {rd}, ({base})", f"sc{w} {rd2}, {src}, ({base})"]
        if kind == "c":
            cb = self.creg()
            op, scale, st = r.choice([("c.lw", 4, False), ("c.ld", 8, False), ("c.sw", 4, True),
                                      ("c.sd", 8, True)] if store_ok else
                                     [("c.lw", 4, False), ("c.ld", 8, False)])
            off = r.randrange(32) * scale
            off = off & (0x7c if scale == 4 else 0xf8)
            other = self.creg(cb) if st else self.creg()
            lines = []
            if st:
                lines.append(self.li(other, self.val64()))
            lines += [self.li(cb, addr - off), ".option push", ".option rvc",
                      f"{op} {other}, {off}({cb})", ".option pop"]
            return op, lines
        # FP loads and stores (illegal with FS=Off)
        op = r.choice(["flw", "fld", "fsw", "fsd", "c.fld", "c.fsd"] if store_ok else
                      ["flw", "fld", "c.fld"])
        f = r.randrange(8, 16) if op.startswith("c.") else r.randrange(32)
        if op.startswith("c."):
            cb = self.creg()
            off = r.randrange(32) * 8
            return op, [self.li(cb, addr - off), ".option push", ".option rvc",
                        f"{op} f{f}, {off}({cb})", ".option pop"]
        return op, [self.li(base, addr), f"{op} f{f}, 0({base})"]

    def step_mem_data(self):
        width = self.r.choice([1, 2, 4, 8, 8])
        addr = self.data_addr(width)
        kind, lines = self.access_lines(addr)
        return Step("mem." + kind, lines)

    def step_mem_sp(self):
        """c.*sp forms: sp-relative, sp pointed into the data area."""
        r = self.r
        op, scale = r.choice([("c.lwsp", 4), ("c.ldsp", 8), ("c.swsp", 4), ("c.sdsp", 8),
                              ("c.fldsp", 8), ("c.fsdsp", 8)])
        off = r.randrange(64) * scale & (0xfc if scale == 4 else 0x1f8)
        addr = self.data_addr(scale, cross_ok=False)
        if op.startswith("c.f"):
            reg = f"f{r.randrange(32)}"
        else:
            reg = self.reg_not("sp")
        lines = [self.li("sp", addr - off)]
        if op in ("c.swsp", "c.sdsp"):
            lines.append(self.li(reg, self.val64()))
        lines += [".option push", ".option rvc", f"{op} {reg}, {off}(sp)", ".option pop"]
        return Step("mem." + op, lines)

    def step_mem_odd(self):
        """Devices and addresses that are not RAM: firmware (PMP), CLINT,
        beyond RAM, across the end of RAM, UART registers, the empty
        virtio-mmio slots, PLIC, test finisher (reads only: a store would end
        the machine)."""
        r = self.r
        k = r.randrange(12)
        if k == 0:
            kind, lines = self.access_lines(r.choice([0, 8, 0x40]))
            return Step("mem.bad.zero." + kind, lines)
        if k == 1:
            kind, lines = self.access_lines(0x80000000 + r.randrange(0, 0x80000, 8))
            return Step("mem.bad.firmware." + kind, lines)
        if k == 2:
            kind, lines = self.access_lines(CLINT + r.choice([0, 0x4000, 0xbff8]))
            return Step("mem.bad.clint." + kind, lines)
        if k == 3:
            kind, lines = self.access_lines(RAM_END + r.randrange(0, 0x10000, 8))
            return Step("mem.bad.beyond-ram." + kind, lines)
        if k == 4:
            b, d = self.reg(), self.reg()
            s = self.reg_not(b)     # else the store goes wherever its value points
            a = RAM_END - r.choice([4, 2, 6])
            if r.randrange(2):
                return Step("mem.ram-end.load", [self.li(b, a), f"ld {d}, 0({b})"])
            return Step("mem.ram-end.store", [self.li(b, a), self.li(s, self.val64()),
                                              f"sd {s}, 0({b})", f"lbu {d}, 0({b})"])
        if k < 8:
            return self.uart_step(UART)
        if k == 8:
            return self.virtio_step()
        b, d = self.reg(), self.reg()
        if k == 9:
            return Step("mmio.finisher.read", [self.li(b, FINISHER), f"lw {d}, 0({b})"])
        reg, off = r.choice([("priority", 0x28), ("pending", 0x1000), ("s-enable", 0x2080),
                             ("s-threshold", 0x201000)])
        return Step("mmio.plic." + reg, [self.li(b, PLIC + off), f"lw {d}, 0({b})"])

    def virtio_step(self):
        """An empty virtio-mmio transport: its registers at every width
        (MagicValue, Version, DeviceID 0, VendorID; zero elsewhere), stores
        it ignores, and the part of the 4 KiB slot past the 0x200-byte
        register window, where nothing answers (an access fault)."""
        r = self.r
        b, d, s = self.reg(), self.reg(), self.reg()
        base = VIRTIO + r.randrange(8) * 0x1000
        k = r.randrange(5)
        if k == 0:
            op, off = "lw", r.choice([0, 4, 8, 0xc, r.randrange(0x10, 0x200, 4)])
        elif k == 1:
            op = r.choice(["lbu", "lhu"])
            off = r.randrange(0x10) & (~1 if op == "lhu" else ~0)
        elif k == 2:
            op, off = "ld", r.choice([0, 8, 0x100, 0x1f8])
        elif k == 3:
            off = r.choice([0, 4, 0x14, 0x30, 0x44, 0x70, 0x100])
            return Step("mmio.virtio.store", [self.li(b, base + off), self.li(s, self.val64()),
                                              f"sw {s}, 0({b})", f"lw {d}, 0({b})"])
        else:
            op, off = r.choice([("lw", r.randrange(0x200, 0x1000, 4)), ("lbu", 0xfff),
                                ("sw", r.randrange(0x200, 0x1000, 4))])
            reg = s if op[0] == "s" else d
            return Step("mmio.virtio.hole." + op, [self.li(b, base + off), f"{op} {reg}, 0({b})"])
        return Step("mmio.virtio." + op, [self.li(b, base + off), f"{op} {d}, 0({b})"])

    # ---- the goldfish RTC -------------------------------------------------
    #
    # Its count is the host's wall clock, which the bare run and the Trapeze
    # run read at different moments: no step leaves a time (or anything
    # computed from one but a comparison) in a register, a page or an FP
    # register. What they leave is what every correct RTC gives: the count
    # never goes backwards and is today's time in ns, TIME_HIGH repeats what
    # TIME_LOW latched, a time written reads back, the registers that hold
    # no time, which accesses fault. Rules that keep it so whatever ran
    # before (another RTC step, another program of the batch):
    #   - the interrupt line never rises: a step clears the interrupt before
    #     it sets IRQ_ENABLED, and sets IRQ_ENABLED to 0 before it writes
    #     ALARM_LOW (an alarm in the past goes off at once). QEMU 7.2's PLIC
    #     keeps a source pending after its line drops unclaimed, Trapeze's
    #     withdraws it (README, Known limits): a PLIC pending read would
    #     differ;
    #   - an alarm is far in the past (goes off at once) or decades away
    #     (never goes off); one relative to the count just read is at or
    #     before it, or hours after it, and the alarm registers are zeroed
    #     right after (they would hold a time);
    #   - a step that writes the time writes back what it read first, so the
    #     count stays within seconds of the host's.

    def regs(self, n, pool=WRITABLE):
        """n distinct registers of pool."""
        return self.r.sample(pool, n)

    def rtc_count(self, b, dst, tmp):
        """The 64-bit count into dst: a doubleword (QEMU splits it into two
        word reads, TIME_LOW first), or TIME_LOW then TIME_HIGH as words
        (reading TIME_LOW latches the high half TIME_HIGH returns). Returns
        (form, lines)."""
        form = self.r.choice(["ld", "lwu", "lw"])
        if form == "ld":
            return form, [f"ld {dst}, {RTC_TIME_LOW}({b})"]
        lines = [f"{form} {tmp}, {RTC_TIME_LOW}({b})", f"{form} {dst}, {RTC_TIME_HIGH}({b})",
                 f"slli {dst}, {dst}, 32"]
        if form == "lw":
            lines += [f"slli {tmp}, {tmp}, 32", f"srli {tmp}, {tmp}, 32"]
        return form, lines + [f"or {dst}, {dst}, {tmp}"]

    def rtc_plausible(self, t, x, d, bit):
        """d |= (t at or after 2020) << bit | (t before 2100) << (bit + 1):
        the count is today's time in ns (both runs read the host's clock)."""
        return [self.li(x, NS_2020), f"sltu {x}, {t}, {x}", f"xori {x}, {x}, 1",
                f"slli {x}, {x}, {bit}", f"or {d}, {d}, {x}",
                self.li(x, NS_2100), f"sltu {x}, {t}, {x}", f"slli {x}, {x}, {bit + 1}",
                f"or {d}, {d}, {x}"]

    def rtc_step(self):
        """One goldfish RTC step (the rules above): the count, IRQ_ENABLED,
        the alarm, the registers without a meaning for reads or writes, an
        access the device answers or not, setting the time."""
        k = self.r.choices(["time", "irq", "alarm", "regs", "access", "set", "amo"], [3, 2, 3, 1, 4, 2, 2])[0]
        return {"time": self.rtc_time, "irq": self.rtc_irq, "alarm": self.rtc_alarm,
                "regs": self.rtc_regs, "access": self.rtc_access, "set": self.rtc_set,
                "amo": self.rtc_amo}[k]()

    def rtc_amo(self):
        """An AMO on the RTC, which QEMU 7.2 runs on a device as a read
        then a write (outside its parallel mode): on IRQ_ENABLED (bit 0
        kept; the interrupt cleared first, so the line stays low), then
        the register read back and zeroed; or at an offset the device does
        not answer (a fault). Never on the time (it would be set), never
        LR/SC (an SC after an LR on a device fails under Trapeze: README,
        Known limits)."""
        r = self.r
        b, a, s, d = self.regs(4)
        op = r.choice(["amoswap", "amoadd", "amoxor", "amoand", "amoor", "amomin", "amomax",
                       "amominu", "amomaxu"]) + r.choice([".w", ".d"])
        off = RTC_IRQ_ENABLED if r.randrange(4) else r.choice([RTC_REGION, 0x28, 0x7f8])
        lines = [self.li(b, RTC), f"sw zero, {RTC_CLEAR_INTERRUPT}({b})", self.li(s, self.val64()),
                 f"addi {a}, {b}, {off}", f"{op} {d}, {s}, ({a})"]
        if off == RTC_IRQ_ENABLED:
            # A doubleword also reads and writes CLEAR_ALARM (reads 0).
            lines += [f"lwu {s}, {RTC_IRQ_ENABLED}({b})", f"sw zero, {RTC_IRQ_ENABLED}({b})"]
        return Step(f"mmio.rtc.amo.{op}" + ("" if off == RTC_IRQ_ENABLED else ".hole"), lines)

    def rtc_time(self):
        """The count read twice: d = 1 (not backwards) | 2 (after 2020) | 4
        (before 2100) | 8 (TIME_HIGH read again gives the high half the
        last TIME_LOW read latched)."""
        r = self.r
        b, t0, t1, x, d = self.regs(5)
        f0, l0 = self.rtc_count(b, t0, x)
        f1, l1 = self.rtc_count(b, t1, x)
        lines = [self.li(b, RTC)] + l0 + l1 + [f"sltu {d}, {t1}, {t0}", f"xori {d}, {d}, 1"]
        lines += self.rtc_plausible(t0, x, d, 1)
        kind = f"mmio.rtc.time.{f0}.{f1}"
        if r.randrange(2):
            lines += [f"lwu {x}, {RTC_TIME_HIGH}({b})", f"srli {t0}, {t1}, 32", f"xor {x}, {x}, {t0}",
                      f"seqz {x}, {x}", f"slli {x}, {x}, 3", f"or {d}, {d}, {x}"]
            kind += ".latch"
        return Step(kind, lines + [f"li {t0}, 0", f"li {t1}, 0", f"li {x}, 0"])

    def rtc_irq(self):
        """IRQ_ENABLED written (bit 0 kept) and read back, after
        CLEAR_INTERRUPT; a doubleword store also writes CLEAR_ALARM, a
        doubleword load reads it (0); compressed forms too."""
        r = self.r
        store = r.choice(["sw", "sw", "sd", "c.sw", "c.sd"])
        load = r.choice(["lw", "lwu", "ld", "c.lw", "c.ld"])
        b, s, d = self.regs(3, CREGS if "c." in store + load else WRITABLE)
        lines = [self.li(b, RTC), self.li(s, self.val64()), f"sw {s}, {RTC_CLEAR_INTERRUPT}({b})",
                 self.li(s, self.val64())]

        def insn(op, reg):
            text = f"{op} {reg}, {RTC_IRQ_ENABLED}({b})"
            return [".option push", ".option rvc", text, ".option pop"] if op.startswith("c.") else [text]
        lines += insn(store, s) + insn(load, d)
        if r.randrange(2):
            lines.append(f"sw zero, {RTC_IRQ_ENABLED}({b})")
        return Step(f"mmio.rtc.irq.{store}.{load}", lines)

    def rtc_alarm_high(self, future):
        """An ALARM_HIGH far from the count (about 0x18xxxxxx in the
        2020s): before 2006, so the alarm goes off at once, or from 2116
        on, so it never does while a program runs. Never within a minute
        of 2^63 ns or past it: QEMU 7.2 arms its timer at the alarm minus
        its offset from the host's clock as a signed 64-bit deadline, which
        a negative value makes due at once (the timer list clamps it to 0),
        and that offset has the sub-second part of the moment QEMU started;
        Trapeze keeps such an alarm running (README of this suite)."""
        r = self.r
        if future:
            return r.choice([0x40000000 + r.randrange(0x3ffffff0), 0x7ffffff0])
        return r.choice([0, r.getrandbits(28), 0x0fffffff])

    def rtc_alarm(self):
        """The alarm with IRQ_ENABLED 0 (it may go off at once: the line
        stays low). ALARM_HIGH then ALARM_LOW, which arms it; a doubleword
        store to ALARM_LOW, which arms it with the ALARM_HIGH it finds and
        then stores the new one; ALARM_HIGH alone, which arms nothing; an
        alarm at, before or hours after the count just read. Then
        ALARM_STATUS (1 while it runs), the alarm read back, CLEAR_ALARM,
        CLEAR_INTERRUPT."""
        r = self.r
        b, s, d, x, t = self.regs(5)
        lines = [self.li(b, RTC), f"sw zero, {RTC_IRQ_ENABLED}({b})"]
        k = r.choice(["words", "sd", "high-only", "now"])
        status = r.choice(["lw", "lwu", "ld"])
        future = r.randrange(2)
        hi, lo = self.rtc_alarm_high(future), r.getrandbits(32)
        kind = f"mmio.rtc.alarm.{k}"
        if k == "words":
            lines += [self.li(s, hi), f"sw {s}, {RTC_ALARM_HIGH}({b})", self.li(s, lo),
                      f"sw {s}, {RTC_ALARM_LOW}({b})"]
        elif k == "sd":
            lines += [self.li(s, hi), f"sw {s}, {RTC_ALARM_HIGH}({b})",
                      self.li(s, r.getrandbits(32) << 32 | lo), f"sd {s}, {RTC_ALARM_LOW}({b})"]
        elif k == "high-only":
            lines += [f"sw {s}, {RTC_CLEAR_ALARM}({b})", self.li(s, hi), f"sw {s}, {RTC_ALARM_HIGH}({b})"]
        else:
            delta = r.choice([0, -1, -r.getrandbits(20), -(1 << 32), 1 << r.randrange(42, 56)])
            _, count = self.rtc_count(b, t, x)
            lines += count + [self.li(x, delta), f"add {t}, {t}, {x}", f"srli {x}, {t}, 32",
                              f"sw {x}, {RTC_ALARM_HIGH}({b})", f"sw {t}, {RTC_ALARM_LOW}({b})",
                              f"{status} {d}, {RTC_ALARM_STATUS}({b})",
                              f"sw zero, {RTC_ALARM_HIGH}({b})", f"sw zero, {RTC_ALARM_LOW}({b})",
                              f"li {t}, 0", f"li {x}, 0"]
            return Step(kind + (".after" if delta > 0 else ".at" if delta == 0 else ".before"), lines)
        lines.append(f"{status} {d}, {RTC_ALARM_STATUS}({b})")
        kind += ".future" if future else ".past"
        if r.randrange(2):
            lines.append(f"ld {x}, {RTC_ALARM_LOW}({b})")
        else:
            lines += [f"lwu {x}, {RTC_ALARM_LOW}({b})", f"lwu {t}, {RTC_ALARM_HIGH}({b})"]
        if r.randrange(2):
            lines += [f"sw {s}, {RTC_CLEAR_ALARM}({b})", f"lw {t}, {RTC_ALARM_STATUS}({b})"]
        if r.randrange(2):
            lines.append(f"sw {s}, {RTC_CLEAR_INTERRUPT}({b})")
        return Step(kind, lines)

    def rtc_regs(self):
        """CLEAR_ALARM, then stores the device ignores (ALARM_STATUS is
        read-only, 0x20 inside the region decodes nothing) and reads of what
        has no value to read (CLEAR_ALARM, CLEAR_INTERRUPT, 0x20: 0)."""
        r = self.r
        b, s, d, x = self.regs(4)
        lines = [self.li(b, RTC), self.li(s, self.val64()), f"sw {s}, {RTC_CLEAR_ALARM}({b})"]
        for off in r.sample([RTC_ALARM_STATUS, RTC_REGION - 4], r.randint(1, 2)):
            op = r.choice(["sw", "sw", "sd"]) if off == RTC_ALARM_STATUS else "sw"
            lines.append(f"{op} {s}, {off}({b})")
        lines.append(f"lw {d}, {RTC_ALARM_STATUS}({b})")
        off = r.choice([RTC_CLEAR_ALARM, RTC_CLEAR_INTERRUPT, RTC_REGION - 4])
        lines.append(f"{r.choice(['lw', 'lwu'])} {x}, {off}({b})")
        return Step("mmio.rtc.regs", lines)

    def rtc_access(self):
        """One access at a width or place the device may not answer. QEMU
        7.2 takes 4-byte accesses to its 0x24-byte region (and 8-byte ones
        as two, low first): bytes and halfwords fault, so does anything
        from 0x24 to the page end; a load not naturally aligned is split
        into two aligned ones of its size (the fault names the part that
        failed), a store into bytes (the first one faults). FP and
        compressed loads and stores too. A load that may include a time
        part (offsets 0..7) has its value dropped."""
        r = self.r
        b, d, s = self.regs(3)
        k = r.randrange(7)
        lines = [self.li(b, RTC)]
        if k == 0:
            op = r.choice(["lb", "lbu", "lh", "lhu", "sb", "sh"])
            off = r.randrange(RTC_REGION)
            kind = "narrow"
        elif k == 1:
            op = r.choice(["lw", "lwu", "ld"])
            off = r.randrange(8, RTC_REGION, 4) if op != "ld" else r.choice([8, 0x10, 0x18])
            kind = "word"
        elif k == 2:
            op = r.choice(["lw", "lwu", "ld", "lbu", "sw", "sd"])
            w = 8 if op in ("ld", "sd") else 1 if op == "lbu" else 4
            off = r.choice([RTC_REGION, 0x20 if w == 8 else 0x24, r.randrange(0x28, 0x1000, w),
                            0x1000 - w])
            lines = [self.li(b, RTC + off)]
            off = 0
            kind = "hole"
        elif k == 3:
            op = r.choice(["lw", "lwu", "ld", "lh", "lhu"])
            w = {"lw": 4, "lwu": 4, "ld": 8, "lh": 2, "lhu": 2}[op]
            off = r.choice([o for o in range(1, RTC_REGION) if o % w])
            kind = "misaligned"
        elif k == 4:
            op = r.choice(["sh", "sw", "sd"])
            w = {"sh": 2, "sw": 4, "sd": 8}[op]
            off = r.choice([o for o in range(1, RTC_REGION) if o % w])
            kind = "misaligned"
        elif k == 5:
            op, off = r.choice([("flw", r.randrange(8, RTC_REGION, 4)), ("fld", r.choice([8, 0x10, 0x18])),
                                ("fsw", r.choice([RTC_CLEAR_ALARM, RTC_ALARM_STATUS, RTC_CLEAR_INTERRUPT,
                                                  0x20])),
                                ("fsd", RTC_ALARM_STATUS)])
            f = f"f{r.randrange(32)}"
            return Step(f"mmio.rtc.access.fp.{op}", lines + [f"{op} {f}, {off}({b})"])
        else:
            b, d, s = self.regs(3, CREGS)
            op, off = r.choice([("c.lw", r.choice([r.randrange(8, RTC_REGION, 4),
                                                   r.randrange(RTC_REGION, 0x80, 4)])),
                                ("c.ld", r.choice([8, 0x10, 0x18, 0x20])),
                                ("c.sw", r.choice([RTC_CLEAR_ALARM, RTC_ALARM_STATUS, 0x20, 0x24])),
                                ("c.sd", r.choice([RTC_ALARM_STATUS, 0x20]))])
            reg = s if op[2] == "s" else d
            lines = [self.li(b, RTC), self.li(s, self.val64()), ".option push", ".option rvc",
                     f"{op} {reg}, {off}({b})", ".option pop"]
            return Step(f"mmio.rtc.access.{op}", lines)
        if op[0] == "s":
            return Step(f"mmio.rtc.access.{kind}.{op}",
                        lines + [self.li(s, self.val64()), f"{op} {s}, {off}({b})"])
        lines.append(f"{op} {d}, {off}({b})")
        w = {"lb": 1, "lbu": 1, "lh": 2, "lhu": 2, "lw": 4, "lwu": 4, "ld": 8}[op]
        if kind == "misaligned" and (off & ~(w - 1)) < 8:
            lines.append(f"li {d}, 0")          # TIME_LOW or TIME_HIGH in it
        return Step(f"mmio.rtc.access.{kind}.{op}", lines)

    def rtc_set(self):
        """Setting the time: TIME_HIGH or TIME_LOW replaces that half of
        the count, a doubleword store writes TIME_LOW then TIME_HIGH, and
        Linux's goldfish driver writes TIME_HIGH then TIME_LOW. d = 1 when
        the count read right after is the value written (plus what passed
        since: a half may have moved by one carry), then the count read
        first is written back and d |= 2 | 4 when that gives today's time
        again."""
        r = self.r
        b, t0, t1, s, x, d = self.regs(6)
        _, count0 = self.rtc_count(b, t0, x)
        lines = [self.li(b, RTC)] + count0
        k = r.choice(["high", "low", "sd", "pair"])
        _, count1 = self.rtc_count(b, t1, x)
        if k == "high":
            lines += [self.li(s, r.choice([r.getrandbits(32), 0, 0xffffffff, 0x7fffffff])),
                      f"sw {s}, {RTC_TIME_HIGH}({b})"] + count1
            lines += [f"srli {t1}, {t1}, 32", f"sub {t1}, {t1}, {s}", f"slli {t1}, {t1}, 32",
                      f"srli {t1}, {t1}, 32", f"sltiu {d}, {t1}, 2",
                      f"srli {x}, {t0}, 32", f"sw {x}, {RTC_TIME_HIGH}({b})"]
        elif k == "low":
            lines += [self.li(s, r.choice([r.getrandbits(32), 0, 0xffffffff])),
                      f"sw {s}, {RTC_TIME_LOW}({b})"] + count1
            lines += [f"srli {x}, {t0}, 32", f"slli {x}, {x}, 32", f"or {x}, {x}, {s}",
                      f"sub {x}, {t1}, {x}", f"srli {x}, {x}, 33", f"seqz {d}, {x}",
                      f"sw {t0}, {RTC_TIME_LOW}({b})"]
        else:
            # Low word at most 0xc0000000 for the doubleword: between its
            # two halves the low half must not wrap (a second to spare).
            lo = r.randrange(0, 0xc0000001) if k == "sd" else r.getrandbits(32)
            v = r.choice([r.getrandbits(32), 0, 0xffffffff, 0x17000000 + r.getrandbits(24)]) << 32 | lo
            if k == "sd":
                lines += [self.li(s, v), f"sd {s}, {RTC_TIME_LOW}({b})"]
            else:
                lines += [self.li(s, v), f"srli {x}, {s}, 32", f"sw {x}, {RTC_TIME_HIGH}({b})",
                          f"sw {s}, {RTC_TIME_LOW}({b})"]
            lines += count1 + [f"sub {x}, {t1}, {s}", f"srli {x}, {x}, {32 if k == 'sd' else 33}",
                               f"seqz {d}, {x}"]
            if k == "sd":
                lines.append(f"sd {t0}, {RTC_TIME_LOW}({b})")
            else:
                lines += [f"srli {x}, {t0}, 32", f"sw {x}, {RTC_TIME_HIGH}({b})",
                          f"sw {t0}, {RTC_TIME_LOW}({b})"]
        _, count2 = self.rtc_count(b, t1, x)
        lines += count2 + self.rtc_plausible(t1, x, d, 1)
        return Step(f"mmio.rtc.set.{k}", lines + [f"li {t0}, 0", f"li {t1}, 0", f"li {x}, 0"])

    def uart_step(self, uart, store_ok=True):
        """Byte accesses to the ns16550: LSR with its transmitter bits masked
        (they depend on the host's output speed), the scratch register, and
        reads of IER, IIR, LCR, MCR."""
        r = self.r
        b, d, s = self.reg(), self.reg(), self.reg()
        k = r.randrange(5)
        if k < 2:
            return Step("mmio.uart.lsr", [self.li(b, uart), f"lbu {d}, 5({b})", f"andi {d}, {d}, 0x9f"])
        if k < 4 and store_ok:
            return Step("mmio.uart.scr", [self.li(b, uart), self.li(s, r.getrandbits(8)),
                                          f"sb {s}, 7({b})", f"lbu {d}, 7({b})"])
        if r.randrange(3) == 0:
            # past the 8 registers, inside the 0x100 bytes the DTB names:
            # nothing answers there on QEMU (an access fault); a halfword
            # at 7 reads the scratch register, then faults on 8
            op, off = r.choice([("lbu", r.randrange(8, 0x100)), ("lw", 8), ("lhu", 7), ("lw", 0xfc)]
                               + ([("sb", r.randrange(8, 0x100)), ("sh", 7)] if store_ok else []))
            reg = s if op[0] == "s" else d
            return Step("mmio.uart.hole." + op, [self.li(b, uart), f"{op} {reg}, {off}({b})"])
        off = r.choice([1, 2, 3, 4, 7])
        return Step("mmio.uart.read", [self.li(b, uart), f"lbu {d}, {off}({b})"])

    def step_fetch(self):
        """Calls into the code stubs, or jumps to addresses that are not
        executable (fetch access fault; the handler resumes at ra)."""
        r = self.r
        t = self.reg_not("ra")
        if r.randrange(3):
            name = r.choice(sorted(STUB_TARGETS))
            return Step("fetch.stub." + name, [self.li(t, STUB_TARGETS[name]), f"jalr ra, 0({t})"])
        name, a = r.choice([("zero", 0), ("firmware", 0x80000000 + r.randrange(0, 0x80000, 4)),
                            ("beyond-ram", RAM_END + r.randrange(0, 0x1000, 4))])
        return Step("fetch.bad." + name, [self.li(t, a), f"jalr ra, 0({t})"])

    # ---- FP, ALU ----------------------------------------------------------
    def step_fp(self):
        r = self.r
        k = r.randrange(14)
        f = lambda: f"f{r.randrange(32)}"
        rm = lambda: r.choice(["rne", "rtz", "rdn", "rup", "rmm", "dyn"])
        if k < 2:
            fs = r.randrange(4)
            t = self.reg()
            return Step(f"fp.fs={fs}", [self.li(t, SSTATUS_FS), f"csrc sstatus, {t}",
                                        self.li(t, fs << 13), f"csrs sstatus, {t}"], csrs=["sstatus"])
        if k < 4:
            x = self.reg()
            w = r.choice(["d", "w"])
            return Step(f"fp.fmv.{w}.x", [self.li(x, self.val64()), f"fmv.{w}.x {f()}, {x}"])
        if k == 4:
            return Step("fp.fmv.x.d", [f"fmv.x.{r.choice('dw')} {self.reg()}, {f()}"])
        if k < 8:
            op = r.choice(["fadd", "fsub", "fmul", "fdiv"])
            p = r.choice("sd")
            return Step(f"fp.{op}", [f"{op}.{p} {f()}, {f()}, {f()}, {rm()}"])
        if k == 8:
            return Step("fp.fsqrt", [f"fsqrt.{r.choice('sd')} {f()}, {f()}, {rm()}"])
        if k == 9:
            return Step("fp.fmadd", [f"fmadd.d {f()}, {f()}, {f()}, {f()}, {rm()}"])
        if k == 10:
            op = r.choice([f"fcvt.l.d {self.reg()}, {f()}, {rm()}", f"fcvt.d.l {f()}, {self.reg()}, {rm()}",
                           f"fcvt.s.d {f()}, {f()}, {rm()}", f"fcvt.d.s {f()}, {f()}",
                           f"fcvt.w.s {self.reg()}, {f()}, {rm()}"])
            return Step("fp.fcvt", [op])
        if k == 11:
            op = r.choice(["feq", "flt", "fle"])
            return Step("fp.fcmp", [f"{op}.{r.choice('sd')} {self.reg()}, {f()}, {f()}"])
        if k == 12:
            return Step("fp.fclass", [f"fclass.{r.choice('sd')} {self.reg()}, {f()}"])
        op = r.choice(["fsgnj", "fsgnjn", "fsgnjx", "fmin", "fmax"])
        return Step("fp." + op, [f"{op}.{r.choice('sd')} {f()}, {f()}, {f()}"])

    def step_alu(self):
        r = self.r
        k = r.randrange(10)
        a, b, c = self.reg(), self.reg(), self.reg()
        if k < 2:
            return Step("alu.li", [self.li(a, self.val64())])
        if k < 5:
            op = r.choice(["add", "sub", "xor", "or", "and", "sll", "srl", "sra", "slt", "sltu",
                           "mul", "mulh", "mulhu", "div", "divu", "rem", "remu", "addw", "subw",
                           "sllw", "srlw", "sraw", "mulw", "divw", "remuw"])
            return Step("alu.op", [f"{op} {a}, {b}, {c}"])
        if k < 7:
            op = r.choice(["addi", "xori", "ori", "andi", "slti", "sltiu", "addiw"])
            return Step("alu.opi", [f"{op} {a}, {b}, {r.randrange(-2048, 2048)}"])
        if k == 7:
            return Step("alu.auipc", [f"auipc {a}, {r.randrange(1 << 20)}"])
        # compressed
        ca, cb = self.creg(), self.creg()
        op = r.choice([f"c.li {a}, {r.randrange(-32, 32)}",
                       f"c.addi {a}, {r.choice([i for i in range(-32, 32) if i])}",
                       f"c.mv {a}, {b}", f"c.add {a}, {b}",
                       f"c.slli {a}, {r.randrange(1, 64)}",
                       f"c.srli {ca}, {r.randrange(1, 64)}", f"c.srai {ca}, {r.randrange(1, 64)}",
                       f"c.andi {ca}, {r.randrange(-32, 32)}",
                       f"c.{r.choice(['sub', 'xor', 'or', 'and', 'addw', 'subw'])} {ca}, {cb}",
                       f"c.addiw {a}, {r.randrange(-32, 32)}"])
        return Step("alu." + op.split()[0], [".option push", ".option rvc", op, ".option pop"])

    # ---- U-mode ---------------------------------------------------------
    def u_leaf(self, paging=None):
        r = self.r
        choices = [(self.step_csr_s, 4), (self.step_csr_other, 4), (self.step_trap, 3),
                   (self.step_u_only, 4), (self.step_fp, 3), (self.step_alu, 2)]
        if paging:
            choices += [(lambda: self.paging_access(paging, umode=True), 10),
                        (lambda: self.alias_access(umode=True), 2)]
        else:
            choices += [(self.step_mem_data, 4), (self.step_mem_odd, 2), (self.step_fetch, 2)]
        fn = r.choices([c[0] for c in choices], [c[1] for c in choices])[0]
        if fn == self.step_csr_s:
            return fn(paging)
        return fn()

    def block_u(self, paging=None, budget=12):
        """sret to U code (SPP=0), U steps, `lui a7; ecall` back to S at
        the continuation the handler reads from CTX_UCONT."""
        r = self.r
        n = r.randint(2, max(2, min(budget, 14)))
        children = [self.u_leaf(paging) for _ in range(n)]
        pre = ["la t0, @L_cont", "sd t0, CTX_UCONT(gp)", "la t0, @L_ucode"]
        if paging:
            pre += [f"li t1, {hex(UALIAS)}", "add t0, t0, t1"]
        # UXL back to 64 first: a step may have left UXL=1, and RV64 U code
        # from this generator would decode into noise at XLEN 32 (c.addiw is
        # c.jal there). RV32 U code has blocks of its own (block_u32).
        pre += ["csrw sepc, t0", "csrr t0, sstatus", f"li t1, {hex(MASK64 ^ (3 << 32))}",
                "and t0, t0, t1", f"li t1, {hex(2 << 32)}", "or t0, t0, t1",
                f"li t1, {hex(SSTATUS_SPP)}", "not t1, t1", "and t0, t0, t1", "csrw sstatus, t0"]
        if r.randrange(2):
            pre += [f"li t0, {SSTATUS_SPIE}", f"csr{r.choice('sc')} sstatus, t0"]
        pre += ["sret", "@L_ucode:"]
        post = [f"lui a7, {hex(FID['FID_UEXIT_HI'])}", "ecall", "@L_cont:"]
        return Step("block.u" + (".paging" if paging else ""), children=children, pre=pre, post=post,
                    csrs=["sepc", "sstatus"])

    # ---- U-mode at XLEN 32 (sstatus.UXL = 1) --------------------------------
    def li32(self, reg, v):
        """RV32-clean li (lui + addi: the RV64 expansion's addiw is illegal
        there); the register holds the value sign-extended, as QEMU keeps it."""
        v &= 0xffffffff
        hi, lo = ((v + 0x800) >> 12) & 0xfffff, sext(v & 0xfff, 12)
        return ([f"lui {reg}, {hex(hi)}"] if hi else [f"addi {reg}, zero, 0"]) + [f"addi {reg}, {reg}, {lo}"]

    def u32_leaf(self):
        r = self.r
        # never ra: it holds the block's exit (see block_u32)
        a, b, c = self.reg_not("ra"), self.reg_not("ra"), self.reg_not("ra")
        k = r.randrange(16)
        if k < 3:
            op = r.choice(["add", "sub", "xor", "or", "and", "sll", "srl", "sra", "slt", "sltu",
                           "mul", "mulh", "mulhu", "mulhsu", "div", "divu", "rem", "remu"])
            return Step("u32.alu.op", self.li32(b, self.val64()) + [f"{op} {a}, {b}, {c}"])
        if k < 5:
            op = r.choice(["addi", "xori", "ori", "andi", "slti", "sltiu"])
            sh = r.choice(["slli", "srli", "srai"])
            return Step("u32.alu.opi", [f"{op} {a}, {b}, {r.randrange(-2048, 2048)}",
                                        f"{sh} {c}, {a}, {r.randrange(32)}"])
        if k == 5:
            # RV64-only encodings: illegal at XLEN 32 (a shift by 32..63 too)
            insn = r.choice([f"addiw {a}, {b}, 1", f"addw {a}, {b}, {c}", f"ld {a}, 0({b})",
                             f"sd {a}, 0({b})", f"lwu {a}, 0({b})",
                             f"slli {a}, {b}, {r.randrange(32, 64)}"])
            return Step("u32.rv64-only." + insn.split()[0], [insn])
        if k < 9:
            width, op = r.choice([(1, "lb"), (1, "lbu"), (2, "lh"), (2, "lhu"), (4, "lw"),
                                  (1, "sb"), (2, "sh"), (4, "sw")])
            addr = r.choice([self.data_addr(width), self.data_addr(width),
                             RAM_END - r.randrange(1, 4), RAM_END + r.randrange(0, 8),
                             0x80080000 - r.randrange(1, 4), UART + 7])
            c = self.reg_not(b, "ra")
            lines = self.li32(b, addr) + self.li32(c, self.val64())
            where = "data" if DATA <= addr < RAM_END - 8 else hex(addr & ~0xfff)
            return Step(f"u32.mem.{where}.{op}", lines + [f"{op} {c if op[0] == 's' else a}, 0({b})"])
        if k == 9:
            # c.lw/c.sw, and c.flw/c.fsw where RV64 has c.ld/c.sd
            ca, cb = self.creg(), self.creg()
            addr = self.data_addr(4)
            enc = {"c.flw": 0x6000, "c.fsw": 0xe000}
            form = r.choice(["c.lw", "c.sw", "c.flw", "c.fsw"])
            lines = self.li32(cb, addr)
            if form in enc:
                raw = enc[form] | (int(cb[1:]) - 8 if cb.startswith("x") else CREGS.index(cb)) << 7 \
                    | r.randrange(8) << 2
                return Step("u32.mem." + form, lines + [f".2byte {hex(raw)}"])
            return Step("u32.mem." + form, lines + [".option push", ".option rvc",
                                                    f"{form} {ca}, 0({cb})", ".option pop"])
        if k == 10:
            ca, cb = self.creg(), self.creg()
            op = r.choice([f"c.li {a}, {r.randrange(-32, 32)}", f"c.mv {a}, {b}", f"c.add {a}, {b}",
                           f"c.slli {a}, {r.randrange(1, 32)}", f"c.srai {ca}, {r.randrange(1, 32)}",
                           f"c.srli {ca}, {r.randrange(1, 32)}", f"c.andi {ca}, {r.randrange(-32, 32)}",
                           f"c.{r.choice(['sub', 'xor', 'or', 'and'])} {ca}, {cb}"])
            return Step("u32.alu." + op.split()[0], [".option push", ".option rvc", op, ".option pop"])
        if k == 11:
            # counters, RV32's high halves among them; the value is dropped
            csr = r.choice(["cycle", "time", "instret", "cycleh", "timeh", "instreth", "sstatus"])
            return Step("u32.csr." + csr, [f"csrr {a}, {csr}", f"addi {a}, zero, 0"])
        if k == 12:
            return Step("u32.ecall", [f"addi a7, zero, {r.randrange(2048)}", "ecall"])
        if k == 13:
            insn = r.choice(["ebreak", "sret", "wfi", "sfence.vma zero, zero", ".4byte 0"])
            return Step("u32.trap." + insn.split()[0], [insn])
        if k == 14:
            return Step("u32.auipc", [f"auipc {a}, {r.randrange(1 << 20)}"])
        return Step("u32.fp", [f"fmv.w.x f{r.randrange(32)}, {a}", f"fmv.x.w {b}, f{r.randrange(32)}"])

    def block_u32(self, budget=10):
        """A U block at XLEN 32: UXL = 1 before the sret (QEMU 7.2 keeps it
        and runs U-mode as RV32; Privileged ISA v1.12, 4.1.1), RV32 code,
        back to S by the exit ecall (lui sign-extends its 32 bits)."""
        r = self.r
        children = [self.u32_leaf() for _ in range(r.randint(2, max(2, min(budget, 10))))]
        # An illegal instruction from U at XLEN 32 reaches OpenSBI, which
        # reads it at the pc QEMU keeps sign-extended, fails, and redirects
        # an instruction access fault (on bare QEMU and under Trapeze
        # alike); the runtime resumes such a fault at ra: the block's exit.
        pre = ["la ra, @L_uexit", "la t0, @L_cont", "sd t0, CTX_UCONT(gp)", "la t0, @L_ucode",
               "csrw sepc, t0", "csrr t0, sstatus", f"li t1, {hex(MASK64 ^ (3 << 32))}",
               "and t0, t0, t1", f"li t1, {hex(1 << 32)}", "or t0, t0, t1",
               f"li t1, {hex(SSTATUS_SPP)}", "not t1, t1", "and t0, t0, t1", "csrw sstatus, t0",
               "sret", "@L_ucode:"]
        post = ["@L_uexit:", f"lui a7, {hex(FID['FID_UEXIT_HI'])}", "ecall", "@L_cont:"]
        return Step("block.u32", children=children, pre=pre, post=post, csrs=["sepc", "sstatus"])

    # ---- paging -----------------------------------------------------------
    def pick_va(self, levels, level, taken):
        r = self.r
        size = 1 << (12 + 9 * level)
        bits = 12 + 9 * levels
        for _ in range(60):
            k = r.randrange(4)
            if k == 0 and level == 0 and taken:
                m = r.choice(taken)
                if m[1] - m[0] == PAGE:
                    va = u64(m[0] + r.choice([-PAGE, PAGE]))
                else:
                    continue
            elif k <= 1 and level <= 2:
                va = (r.randrange(4, 64) << 30) | (r.getrandbits(30) & ~(size - 1))
            else:
                va = r.getrandbits(bits - 1) & ~(size - 1)
                if r.randrange(2):
                    va = u64(va | (MASK64 << (bits - 1)))
            lo, hi = va, va + size
            if hi > (1 << 64) or lo < (4 << 30):
                continue
            if levels == 5 and (va >> 48) & 511 == 384:
                continue                        # Trapeze's hidden region
            if sext(va, bits) != sext(va, 64):
                continue
            if any(lo < b and a < hi for a, b, *_ in taken):
                continue
            return va
        return None

    def leaf_flags(self, target, allow_g):
        r = self.r
        perm = r.choice([PTE_R, PTE_R | PTE_W, PTE_R | PTE_X, PTE_R | PTE_W | PTE_X, PTE_X,
                         PTE_R | PTE_W | PTE_X, PTE_R | PTE_W, PTE_W, PTE_W | PTE_X])
        if target in ("stub30", "stub31", "uart") and perm & PTE_W and perm & PTE_R:
            perm &= ~PTE_W                      # stubs are never written, the UART only at its own VA
        f = perm
        if r.randrange(14):
            f |= PTE_V
        if r.randrange(5) < 2:
            f |= PTE_U
        if allow_g and r.randrange(5) == 0:
            f |= PTE_G
        if r.randrange(5):
            f |= PTE_A
        if r.randrange(5) < 3:
            f |= PTE_D
        if r.randrange(4) == 0:
            f |= r.randrange(4) << 8            # RSW: ignored by hardware
        if r.randrange(20) == 0:
            f |= 1 << r.randrange(54, 64)       # reserved / PBMT / N: fault
        return f

    def ptr_flags(self):
        r = self.r
        if r.randrange(12):
            return PTE_V
        return PTE_V | r.choice([PTE_A, PTE_D, PTE_U, PTE_G, 1 << 8, 1 << 60, 1 << 54])

    def add_mapping(self, pg, space, allow_g):
        r = self.r
        levels = space.levels
        level = r.choices(range(levels), [50, 20, 15, 10, 5][:levels])[0]
        # A UART mapping keeps a free page on each side: no access that runs
        # over a page end reaches a device register.
        taken = [(m.va - PAGE, m.va + 2 * PAGE) if m.target == "uart" else (m.va, m.va + m.size)
                 for m in pg.maps]
        target = None
        if level == 0:
            target = r.choices(["data", "stub30", "stub31", "bad", "uart"], [60, 12, 8, 12, 8])[0]
            if target == "uart":
                taken = [(a - PAGE, b + PAGE) for a, b in taken]
        va = self.pick_va(levels, level, taken)
        if va is None:
            return None
        dbase = None
        if level == 0:
            if target == "data":
                pa = DATA + r.randrange(STUB_PAGE) * PAGE
            elif target == "stub30":
                pa = STUB
            elif target == "stub31":
                pa = STUB + PAGE
            elif target == "uart":
                pa = UART
            else:
                pa = r.choice([0, 0x80000000 + r.randrange(0, 0x80000, PAGE), CLINT,
                               RAM_END + r.randrange(0, 0x100000, PAGE)])
        else:
            aligned = {1: DATA, 2: 0x80000000, 3: 0, 4: 0}[level]
            target = "data"
            if r.randrange(8) == 0:
                pa = aligned + r.randrange(1, 30) * PAGE     # misaligned superpage
            else:
                pa = aligned
            dbase = DATA - aligned
        flags = self.leaf_flags(target, allow_g)
        pte = space.map(va, pa, level, flags, self.ptr_flags())
        m = Mapping(space, va, level, pa, target, flags, pte, dbase)
        pg.maps.append(m)
        return m

    def mapping_addr(self, m, width, fetch=False, maps=()):
        """An address in mapping m the generator may access (data pages, stub
        entry points for fetches). The stub across the page end only when
        the next page is unmapped or stub page 31: anything else there would
        run data as code."""
        r = self.r
        if fetch:
            if m.target == "stub30":
                nxt = [n for n in maps if n.va <= m.va + PAGE < n.va + n.size]
                entries = [FID["FID_STUB_INC"], FID["FID_STUB_EBREAK"]]
                if all(n.target == "stub31" and n.va == m.va + PAGE for n in nxt):
                    entries.append(FID["FID_STUB_CROSS"])
                return m.va + r.choice(entries)
            if m.target == "stub31":
                return m.va + 2
            if m.target == "bad" and m.pa != CLINT:
                return m.va + r.randrange(0, PAGE, 4)
            if m.dbase is not None:
                name = r.choice(sorted(STUB_TARGETS))
                return m.va + m.dbase + STUB_TARGETS[name] - DATA
            return None
        if m.target == "uart":
            return None
        if m.dbase is not None:
            rel = self.data_addr(width) - DATA
            return m.va + m.dbase + rel
        k = r.randrange(10)
        if k < 7:
            off = r.randrange(0, PAGE - 8) & ~(width - 1)
            if k == 6:
                off |= r.randrange(1, width) if width > 1 else 0
            return m.va + off
        return m.va + PAGE - r.randrange(1, width + 1)   # across the page end

    def paging_access(self, pg, umode=False):
        r = self.r
        if not pg.maps or r.randrange(12) == 0:
            # an unmapped or non-canonical VA
            # Attack programs run with `patching = x0` in forced mode, where
            # the top page is the x0 page (README, Patching: the form's one
            # difference, pinned by x0/unmapped-top-page.S): the page below
            # it there, drawn the same way (the random stream is unchanged).
            top = u64(-2 * PAGE) if self.attacks else u64(-PAGE)
            va = r.choice([0x1234 << 32, 1 << 38, (1 << 47) + 0x1000, 0xff80000000001000,
                           top, r.getrandbits(64) & ~7])
            if va < (4 << 30) or any(m.va <= va + 8 and va < m.va + m.size for m in pg.maps):
                va = 0x0100000000000000 | (r.getrandbits(40) & ~7)    # non-canonical in every mode
            if r.randrange(3) == 0:
                t = self.reg_not("ra")
                return Step("paging.fetch.unmapped", [self.li(t, va), f"jalr ra, 0({t})"])
            kind, lines = self.access_lines(va)
            return Step("paging.unmapped." + kind, lines)
        m = r.choice(pg.maps)
        if m.target == "uart":
            step = self.uart_step(m.va, store_ok=False)
            step.kind = "paging." + step.kind
            step.kinds = Counter([step.kind])
            return step
        # No S-mode fetch from a page that is (or was) U: it must fault
        # (Privileged ISA v1.12, 4.3.1: never, whatever SUM), and it does
        # under Trapeze, but bare QEMU 7.2 executes it once an S load with
        # SUM=1 has filled its TLB entry (the entry keeps execute permission).
        s_fetch_ok = umode or not any(v & PTE_U for v in m.versions)
        if s_fetch_ok and (r.randrange(5) == 0 or m.target in ("stub30", "stub31")):
            addr = self.mapping_addr(m, 4, fetch=True, maps=pg.maps)
            if addr is not None and r.randrange(3):
                t = self.reg_not("ra")
                return Step(f"paging.fetch.{m.target}.l{m.level}", [self.li(t, addr), f"jalr ra, 0({t})"])
        width = r.choice([1, 2, 4, 8, 8])
        addr = self.mapping_addr(m, width)
        if addr is None:
            addr = m.va
        store_ok = m.target in ("data", "bad")
        kind, lines = self.access_lines(addr, store_ok=store_ok)
        return Step(f"paging.{m.target}.l{m.level}.{kind}", lines)

    def alias_access(self, umode=False):
        """RAM through the U alias (a U page: from S only with SUM)."""
        width = self.r.choice([1, 2, 4, 8])
        kind, lines = self.access_lines(self.data_addr(width) + UALIAS)
        return Step("paging.alias." + kind, lines)

    def fence_lines(self, pg, m):
        """An SFENCE.VMA that covers a change of m's leaf (Privileged ISA
        v1.12, 4.2.1 Supervisor Memory-Management Fence Instruction): all;
        by an address inside the leaf; by ASID only when one ASID is in use
        and no version of the leaf is global."""
        r = self.r
        forms = ["all", "va"]
        never_g = all(not (v & PTE_G) for v in m.versions)
        if not pg.multi_asid and never_g:
            forms += ["asid", "va+asid"]
        form = r.choice(forms)
        a, b = self.reg(), self.reg()
        b = self.reg_not(a)
        lines = []
        rs1 = rs2 = "zero"
        if "va" in form:
            rs1 = a
            lines.append(self.li(a, m.va + r.randrange(m.size) if m.level else m.va + r.randrange(PAGE)))
        if "asid" in form:
            rs2 = b
            lines.append(self.li(b, m.space.asids[0]))
        lines.append(f"sfence.vma {rs1}, {rs2}")
        return form, lines

    def paging_leaf(self, pg):
        r = self.r
        k = r.choices(["access", "alias", "pte-write", "pte-read", "sum-mxr", "sfence", "asid-switch",
                       "satp-read", "u", "generic"],
                      [40, 4, 8, 5, 6, 4, 3 if pg.multi_asid else 0, 2, 6, 20])[0]
        if k == "access":
            return self.paging_access(pg)
        if k == "alias":
            return self.alias_access()
        if k in ("pte-write", "pte-read") and pg.maps:
            m = r.choice(pg.maps)
            t, a = self.reg(), self.reg()
            a = self.reg_not(t)
            if k == "pte-read":
                return Step("paging.pte-read", [self.li(a, m.pte_addr), f"ld {t}, 0({a})"])
            flags = self.leaf_flags(m.target, allow_g=not pg.multi_asid and len(pg.spaces) == 1)
            m.versions.append(flags)
            new = ((m.pa >> 12) << 10) | flags
            form, fence = self.fence_lines(pg, m)
            return Step(f"paging.pte-write.fence-{form}",
                        [self.li(t, new), self.li(a, m.pte_addr), f"sd {t}, 0({a})"] + fence)
        if k == "sum-mxr":
            t = self.reg()
            bits = r.choice([SSTATUS_SUM, SSTATUS_MXR, SSTATUS_SUM | SSTATUS_MXR])
            op = r.choice("sc")
            return Step(f"paging.sstatus.{'sum' if bits & SSTATUS_SUM else ''}"
                        f"{'mxr' if bits & SSTATUS_MXR else ''}.{op}",
                        [self.li(t, bits), f"csr{op} sstatus, {t}"], csrs=["sstatus"])
        if k == "sfence":
            st = self.step_fence()
            st.kind = "paging." + st.kind
            st.kinds = Counter([st.kind])
            return st
        if k == "asid-switch":
            sp = r.choice(pg.spaces)
            asid = r.choice(sp.asids)
            t = self.reg()
            return Step("paging.satp-switch", [self.li(t, sp.satp(asid)), f"csrw satp, {t}"],
                        csrs=["satp"])
        if k == "satp-read":
            return Step("paging.satp-read", [f"csrr {self.reg()}, satp"], csrs=["satp"])
        if k == "u":
            return self.block_u(paging=pg, budget=10)
        return self.generic_leaf(paging=pg)

    def block_paging(self, budget):
        """Page tables in the pool (the program's static image): RAM
        identity-mapped for S (the handler, runtime and program run there),
        a U alias of RAM at +UALIAS, maybe the UART, and test mappings of
        random size, flags and target; then accesses, PTE changes with
        their fences, SUM/MXR, U code, and paging off."""
        r = self.r
        name, mode, levels = r.choice([("sv39", 8, 3), ("sv48", 9, 4), ("sv57", 10, 5)])
        nspaces = 1 if r.randrange(4) else 2
        multi_asid = nspaces > 1 or r.randrange(4) == 0
        used = set()

        def fresh_asid():
            while True:
                a = r.choice([0, 1, 2, r.getrandbits(16), 0xffff, r.getrandbits(8)])
                if a not in used:
                    used.add(a)
                    return a
        start = self.pt_next
        try:
            spaces = [Space(self, mode, levels, [fresh_asid()] +
                            ([fresh_asid()] if multi_asid and nspaces == 1 else []))
                      for _ in range(nspaces)]
            g = PTE_G if r.randrange(3) == 0 else 0
            idflags = PTE_V | PTE_R | PTE_W | PTE_X | g | \
                (PTE_A if r.randrange(5) else 0) | (PTE_D if r.randrange(5) else 0)
            identity = r.choice(["1g", "1g", "2m"])
            aliasflags = PTE_V | PTE_U | PTE_R | PTE_X | g | PTE_A | \
                (PTE_W | PTE_D if r.randrange(3) else 0)
            uart = r.randrange(10) < 7
            for sp in spaces:
                if identity == "1g":
                    sp.map(0x80000000, 0x80000000, 2, idflags)
                else:
                    for pa in range(0x80200000, PT_BASE + (2 << 20), 2 << 20):
                        sp.map(pa, pa, 1, idflags)
                sp.map(0x80000000 + UALIAS, 0x80000000, 2, aliasflags)
                if uart:
                    sp.map(UART, UART, 0, PTE_V | PTE_R | PTE_W | PTE_A | PTE_D | g)
            pg = Paging(name, spaces, multi_asid, uart, identity)
            allow_g = not multi_asid and nspaces == 1
            for sp in spaces:
                for _ in range(r.randint(1, 6)):
                    self.add_mapping(pg, sp, allow_g)
        except NoSpace:
            self.pt_next = start
            return None
        n = r.randint(4, max(4, min(budget, 30)))
        children = [self.paging_leaf(pg) for _ in range(n)]
        if self.attacks:
            children = self.add_attacks(spaces, children)
        sp = spaces[0]
        pre = [self.li("t0", sp.satp(sp.asids[0])), "csrw satp, t0", "sfence.vma zero, zero"]
        post = ["csrw satp, zero"]
        if r.randrange(2):
            post.append("sfence.vma zero, zero")
        image = [(a, v) for s in spaces for a, v in sorted(s.ptes.items())]
        kinds = Counter([f"block.paging.{name}", f"paging.identity.{identity}"] +
                        [f"paging.map.l{m.level}.{m.target}" for m in pg.maps] +
                        (["paging.multi-asid"] if multi_asid else []) +
                        (["paging.two-spaces"] if nspaces > 1 else []))
        return Step(f"block.paging.{name}", children=children, pre=pre, post=post, image=image,
                    csrs=["satp"], kinds=kinds)

    def add_attacks(self, spaces, children):
        """Attack steps on patching (AttackSteps), inserted among a paging
        block's children, and their alias slots mapped in every space
        (none when the pool is full: the steps use the identity map)."""
        ag = self.attacks
        slots = []
        try:
            for s in range(ATTACK_SLOTS):
                va = ATTACK_VA + s * ATTACK_SLOT_SPAN
                slots.append([[sp.map(va + k * PAGE, DATA + k * PAGE, 0, attack_slot_pte(0, PTE_R | PTE_X) & 0x3ff)
                               for k in range(2)] for sp in spaces])
        except NoSpace:
            slots = []
        st = AttackSteps(ag, slots)
        out = list(children)
        for _ in range(ag.r.randint(2, 4)):
            out.insert(ag.r.randrange(len(out) + 1), st.step())
        return out

    # ---- program ----------------------------------------------------------
    def generic_leaf(self, paging=None):
        r = self.r
        choices = [(lambda: self.step_csr_s(paging), 22), (self.step_csr_other, 8),
                   (self.step_trap, 10), (self.step_sbi, 6), (self.step_mem_data, 12),
                   (self.step_mem_sp, 2), (self.step_mem_odd, 5), (self.step_fp, 8),
                   (self.step_alu, 8), (self.step_fetch, 4), (self.step_sret_s, 2),
                   (self.step_wfi, 1), (self.step_fence, 3), (self.step_cbo, 1)]
        if self.pagecross < 2:
            choices.append((self.step_pagecross, 1))
        fn = r.choices([c[0] for c in choices], [c[1] for c in choices])[0]
        if fn == self.step_pagecross:
            self.pagecross += 1
        return fn()

    def program(self):
        r = self.r
        budget = r.randint(40, 150)
        steps = []
        npaging = nu = 0
        while budget > 0:
            k = r.randrange(100)
            step = None
            if k < 7 and npaging < 3:
                step = self.block_paging(min(budget, 30))
                npaging += step is not None
            elif k < 12 and nu < 4:
                step = self.block_u(budget=min(budget, 14))
                nu += 1
            elif k < 14 and nu < 4:
                step = self.block_u32(budget=min(budget, 10))
                nu += 1
            if step is None:
                step = self.generic_leaf()
            steps.append(step)
            budget -= step.leaves()
        for i, s in enumerate(steps):
            assign_ids(s, f"s{i}")
        x = [0] * 32
        for i in range(1, 32):
            x[i] = r.choice([self.val64(), DATA + r.randrange(0, 0x1e000, 8), r.randrange(256)])
        x[3] = 0
        f = [r.choice([self.val64(), 0x3ff0000000000000, 0x400921fb54442d18,
                       0xffffffff3f800000, 0x7ff8000000000000, 0x8000000000000000,
                       0x7ff0000000000000, 0x0000000000000001])
             for _ in range(32)]
        fs = r.choice([0, 1, 2, 3, 3])
        fcsr = r.randrange(5) << 5 | r.getrandbits(5)
        if r.randrange(10) == 0:
            fcsr = r.randrange(5, 8) << 5
        if self.attacks and not any(s.kind.startswith("block.paging") for s in steps):
            # attacks need paging on: one block more at the end
            step = self.block_paging(30)
            if step is not None:
                steps.append(step)
                assign_ids(step, f"s{len(steps) - 1}")
        return Program(self.seed, self.add_rtc(steps), fs, fcsr, x, f)

    def add_rtc(self, steps):
        """RTC steps (rtc_step) among the program's steps and in its U blocks
        outside paging, drawn from a random stream of their own: the main
        stream draws what it drew before they existed, so every other step
        keeps its content and its id (known.py names steps of the fixed
        seeds by id), and an RTC step takes the next free id where it goes.
        Not in paging blocks: their tables do not map the RTC."""
        g = Gen(self.seed)
        g.r = r = random.Random(f"rtc-{self.seed}")
        out = list(steps)
        n = len(out)
        for _ in range(r.choice([0, 1, 1, 2, 2, 3])):
            st = g.rtc_step()
            assign_ids(st, f"s{n}")
            n += 1
            out.insert(r.randrange(len(out) + 1), st)
        for blk in out:
            if blk.kind == "block.u" and r.randrange(3) == 0:
                st = g.rtc_step()
                assign_ids(st, f"{blk.id}_{len(blk.children)}")
                blk.children.insert(r.randrange(len(blk.children) + 1), st)
        return out


# ---- steps that attack patching (issue 11) ------------------------------------
#
# Under the trap engine with `patching = on`, a privileged instruction that
# virtual S-mode executes with paging on is replaced, in a Trapeze-owned copy
# of its frame, by a breakpoint (README, Patching). These steps, generated
# only with generate(seed, attacks=True) (their own random stream: the
# programs of generate(seed) stay as they were), put a short body of code in
# a data page, with privileged instructions at both alignments, and call it
# twice (the first call finds and patches the sites, the second runs the
# patches), then attack: read the page through several aliases (the body's
# own loads, the identity map, an alias VA, the U alias), write a site through
# one and run it again (FENCE.I), rewrite the body from inside it, take traps
# and an interrupt right after patched sites, move the alias VA to another
# frame and back, write a site with paging off, run the frame from U-mode.
# Every step writes its own body and alias PTEs first: any subset still runs.

ATTACK_VA = 0x30000000          # alias slots: 2 slots of 2 pages, under 4 GiB (no test VA there)
ATTACK_SLOTS = 2
ATTACK_SLOT_SPAN = 0x4000
A_REGS = {"ra": 1, "t0": 5, "t1": 6, "t2": 7, "s2": 18, "s3": 19, "s4": 20, "a0": 10, "a1": 11,
          "a2": 12, "a3": 13, "a4": 14, "a5": 15}
A_CSR = {"sstatus": 0x100, "sie": 0x104, "sscratch": 0x140, "sepc": 0x141, "scause": 0x142,
         "stval": 0x143, "sip": 0x144, "satp": 0x180}
INSN_RET = 0x00008067
INSN_FENCE_I = 0x0000100f
INSN_SFENCE_ALL = 0x12000073
INSN_WFI = 0x10500073
INSN_SRET = 0x10200073
INSN_EBREAK = 0x00100073
INSN_C_EBREAK = 0x9002
INSN_C_NOP = 0x0001
INSN_NOP = 0x00000013


def enc_csr(f3, rd, csr, rs1):
    return 0x73 | A_REGS.get(rd, rd) << 7 | f3 << 12 | A_REGS.get(rs1, rs1) << 15 | A_CSR.get(csr, csr) << 20


def enc_i(op, f3, rd, rs1, imm):
    return op | A_REGS.get(rd, rd) << 7 | f3 << 12 | A_REGS.get(rs1, rs1) << 15 | (imm & 0xfff) << 20


def enc_s(f3, rs1, rs2, imm):
    return 0x23 | (imm & 0x1f) << 7 | f3 << 12 | A_REGS[rs1] << 15 | A_REGS[rs2] << 20 | ((imm >> 5) & 0x7f) << 25


def enc_auipc(rd):
    return 0x17 | A_REGS[rd] << 7


REPLACEABLE = ("csr.", "sfence")
SAFE_REPLACEMENTS = [enc_csr(2, "a3", "sscratch", 0), enc_i(0x13, 0, "a3", 0, 0x77),
                     enc_csr(2, "a3", "sepc", 0), enc_csr(1, 0, "stval", "a2")]


class Body:
    """A body of code: items, each a list of (offset, size, word, site)
    parcels laid out from offset 0 (4-byte aligned in its page)."""

    def __init__(self):
        self.parts = []         # (kind, [(size, word, site)])
        self.fix = []           # (part index, late fixup)

    def layout(self):
        off, out = 0, []
        for kind, insns in self.parts:
            for size, word, site in insns:
                out.append((off, size, word, site, kind))
                off += size
        return out

    def words(self):
        """32-bit words (padded with c.nop)."""
        b = bytearray()
        for off, size, word, site, kind in self.layout():
            b += (word & ((1 << (8 * size)) - 1)).to_bytes(size, "little")
        while len(b) % 4:
            b += INSN_C_NOP.to_bytes(2, "little")
        return [int.from_bytes(b[i:i + 4], "little") for i in range(0, len(b), 4)]


class AttackGen:
    def __init__(self, seed):
        self.r = random.Random(f"patch-attacks-{seed}")

    def v64(self):
        r = self.r
        return r.choice([0, MASK64, r.getrandbits(64), r.getrandbits(12), 0x80200000 + r.randrange(0x1000)])

    def body(self):
        """Random body: CSR sites at both alignments, then `ret`."""
        r = self.r
        b = Body()
        rd = lambda: r.choice(["a0", "a1", "a2", "a3", "a4", "t2"])
        rs = lambda: r.choice(["a1", "a2", "a3", "a4"])
        n = r.randint(3, 9)
        for _ in range(n):
            k = r.choices(["read", "write", "swap", "sstatus", "sip", "cnop", "irq", "trap", "sfence",
                           "self-read", "smc", "wfi", "sret"],
                          [14, 8, 5, 6, 3, 12, 3, 5, 2, 4, 3, 1, 1])[0]
            if k == "read":
                csr = r.choice(["sscratch", "sepc", "scause", "stval", "sstatus", "sie", "sip", "satp"])
                f3 = r.choice([2, 3, 6, 7])         # csrrs/csrrc x0 and csrrsi/csrrci 0: reads
                b.parts.append(("csr.read." + csr, [(4, enc_csr(f3, rd(), csr, 0), True)]))
            elif k == "write":
                csr = r.choice(["sscratch", "sepc", "scause", "stval"])
                b.parts.append(("csr.write." + csr, [(4, enc_csr(1, 0, csr, rs()), True)]))
            elif k == "swap":
                b.parts.append(("csr.swap", [(4, enc_csr(1, rd(), "sscratch", rs()), True)]))
            elif k == "sstatus":
                if r.randrange(2):
                    b.parts.append(("csr.sstatus.rs", [(4, enc_csr(r.choice([2, 3]), rd(), "sstatus", "a5"), True)]))
                else:
                    b.parts.append(("csr.sstatus.sie", [(4, enc_csr(r.choice([6, 7]), rd(), "sstatus", 1), True)]))
            elif k == "sip":
                b.parts.append(("csr.sip", [(4, enc_csr(r.choice([6, 7]), rd(), "sip", 1), True)]))
            elif k == "cnop":
                b.parts.append(("c.nop", [(2, INSN_C_NOP, False)]))
            elif k == "irq":
                # SSIP enabled and pending, then SIE: taken right after the
                # patched csrsi sstatus (bare hardware's boundary).
                b.parts.append(("irq", [(4, enc_csr(6, 0, "sie", 2), True), (4, enc_csr(6, 0, "sip", 2), True),
                                        (4, enc_csr(6, 0, "sstatus", 2), True),
                                        (4, enc_csr(2, rd(), "sepc", 0), True),
                                        (4, enc_csr(7, 0, "sstatus", 2), True)]))
            elif k == "trap":
                t, w, size = r.choice([("load", enc_i(0x03, 3, "a0", 0, 0), 4), ("ebreak", INSN_EBREAK, 4),
                                       ("c.ebreak", INSN_C_EBREAK, 2), ("illegal", 0xc0001073, 4)])
                b.parts.append(("trap." + t, [(size, w, False)]))
            elif k == "sfence":
                b.parts.append(("sfence", [(4, INSN_SFENCE_ALL, True)]))
            elif k == "wfi":
                # Pending and enabled with SIE = 0: WFI returns at once.
                b.parts.append(("wfi", [(4, enc_csr(7, 0, "sstatus", 2), True), (4, enc_csr(6, 0, "sie", 2), True),
                                        (4, enc_csr(6, 0, "sip", 2), True), (4, INSN_WFI, True),
                                        (4, enc_csr(7, 0, "sip", 2), True)]))
            elif k == "sret":
                # SRET to S at the instruction after it (SPP = 1).
                b.parts.append(("sret", [(4, enc_auipc("t2"), False), (4, enc_i(0x13, 0, "t2", "t2", 24), False),
                                         (4, enc_csr(1, 0, "sepc", "t2"), True),
                                         (4, enc_i(0x13, 0, "t2", 0, 0x100), False),
                                         (4, enc_csr(2, 0, "sstatus", "t2"), True), (4, INSN_SRET, True)]))
            elif k == "self-read":
                b.parts.append(("self-read", [(4, INSN_NOP, False)] * 2))
                b.fix.append(len(b.parts) - 1)
            else:
                b.parts.append(("smc", [(4, INSN_NOP, False)] * 3))
                b.fix.append(len(b.parts) - 1)
        b.parts.append(("ret", [(4, INSN_RET, False)]))
        self.fixups(b)
        return b

    def fixups(self, b):
        """The body's loads of its own sites and its stores over them (FENCE.I
        after), now that the offsets are known (placeholders of their size)."""
        r = self.r
        lay = b.layout()
        for i in b.fix:
            kind, insns = b.parts[i]
            here = sum(size for _, ins in b.parts[:i] for size, _, _ in ins)
            if kind == "self-read":
                sites = [o for o, size, w, site, _ in lay if site and o < here]
                if sites:
                    o = r.choice(sites)
                    f3 = 2 if o % 4 == 0 else 5         # lw, or lhu at 2 mod 4
                    b.parts[i] = (kind, [(4, enc_auipc("s2"), False), (4, enc_i(0x03, f3, "s3", "s2", o - here), False)])
            else:
                cand = [o for o, size, w, site, k in lay if site and size == 4 and o % 4 == 0 and o > here
                        and k.startswith(REPLACEABLE)]
                if cand:
                    o = r.choice(cand)
                    b.parts[i] = (kind, [(4, enc_auipc("s2"), False), (4, enc_s(2, "s2", "s4", o - here), False),
                                         (4, INSN_FENCE_I, False)])

    def sites(self, body):
        """Sites another instruction may replace: 4-byte, 4-aligned, alone in
        their item (not the sepc write of an SRET item, a pending bit a WFI
        waits on, ...: the body could then loop or wait for ever)."""
        return [o for o, size, w, site, k in body.layout()
                if site and size == 4 and o % 4 == 0 and k.startswith(REPLACEABLE)]


def attack_slot_pte(pa, perm):
    return ((pa >> 12) << 10) | perm | PTE_V | PTE_A | PTE_D


class AttackSteps:
    """Attack steps of one paging block: `slots` are, per alias slot, the
    PTE addresses of its two pages in every address space."""

    def __init__(self, ag, slots):
        self.ag, self.r, self.slots = ag, ag.r, slots

    def li(self, reg, v):
        return f"li {reg}, {hex(u64(v))}"

    def write_body(self, body, pa):
        lines = [self.li("t0", pa)]
        for i, w in enumerate(body.words()):
            lines += [self.li("t1", w), f"sw t1, {4 * i}(t0)"]
        return lines

    def set_slot(self, slot, pa, perm):
        lines = []
        for ptes in self.slots[slot]:
            for k, addr in enumerate(ptes):
                lines += [self.li("t0", addr), self.li("t1", attack_slot_pte(pa + k * PAGE, perm)), "sd t1, 0(t0)"]
        va = ATTACK_VA + slot * ATTACK_SLOT_SPAN
        lines += [self.li("t2", va), "sfence.vma t2, zero", self.li("t2", va + PAGE), "sfence.vma t2, zero"]
        return lines

    def regs(self, body):
        g = self.ag
        lines = [self.li(f"a{i}", g.v64()) for i in range(1, 5)]
        lines.append(self.li("a5", self.r.choice([SSTATUS_SUM, SSTATUS_MXR, SSTATUS_SIE, SSTATUS_SUM | SSTATUS_MXR, 0])))
        lines.append(self.li("s4", self.r.choice(SAFE_REPLACEMENTS)))
        return lines

    def call(self, va):
        return [self.li("t3", va), "jalr ra, 0(t3)"]

    def place(self, body):
        """A data page (its next one is data too) and a 4-aligned offset;
        sometimes so that the body runs over the page end."""
        r = self.r
        n = len(body.words()) * 4
        page = r.randrange(STUB_PAGE - 2)
        if r.randrange(4) == 0 and n > 8:
            off = PAGE - 4 * r.randrange(1, n // 4)
        else:
            off = r.randrange(0, PAGE - n - 8) & ~3
        return page, off

    def step(self):
        r = self.r
        kind = r.choices(["alias", "smc", "trap", "move", "bare-write", "u-exec"], [5, 2, 2, 3, 2, 2])[0]
        body = self.ag.body()
        page, off = self.place(body)
        pa = DATA + page * PAGE
        slot = r.randrange(ATTACK_SLOTS) if self.slots else None
        perm = r.choice([PTE_X, PTE_R | PTE_X, PTE_R | PTE_W | PTE_X])
        sva = ATTACK_VA + slot * ATTACK_SLOT_SPAN + off if slot is not None else None
        lines = self.write_body(body, pa + off) + ["fence.i"] + self.regs(body)
        if slot is not None:
            lines = self.set_slot(slot, pa, perm) + lines
        via = [pa + off] + ([sva] if sva is not None else [])
        first, second = r.choice(via), r.choice(via)
        lines += self.call(first) + self.call(second)
        sites = self.ag.sites(body)
        site = r.choice(sites) if sites else 0        # None replaceable: read only
        kinds = ["patch." + kind] + ["patch.body." + k for k, _ in body.parts]
        if kind == "alias":
            # reads of a site through every alias, then a write through one
            for va, pre, post in ([(pa + off + site, [], [])] +
                                  ([(sva + site, [], [])] if sva is not None else []) +
                                  [(pa + off + site + UALIAS, [self.li("t2", SSTATUS_SUM), "csrs sstatus, t2"],
                                    [self.li("t2", SSTATUS_SUM), "csrc sstatus, t2"])]):
                if r.randrange(3):
                    lines += pre + [self.li("t0", va), f"lw {r.choice(['s3', 'a0'])}, 0(t0)"] + post
            if r.randrange(3) and sites:
                w_via = r.choice([pa + off + site] + ([sva + site] if sva is not None and perm & PTE_W else []))
                lines += [self.li("t0", w_via), self.li("t1", r.choice(SAFE_REPLACEMENTS)), "sw t1, 0(t0)",
                          "fence.i"] + self.call(r.choice(via))
        elif kind in ("smc", "trap"):
            lines += self.call(r.choice(via))
        elif kind == "move" and slot is not None:
            body2 = self.ag.body()
            page2 = r.choice([p for p in range(STUB_PAGE - 2) if abs(p - page) >= 2])
            pa2 = DATA + page2 * PAGE
            lines += self.write_body(body2, pa2 + off) + ["fence.i"]
            lines += self.set_slot(slot, pa2, perm) + self.call(sva)
            lines += self.set_slot(slot, pa, perm) + self.call(sva)
            kinds += ["patch.body2." + k for k, _ in body2.parts]
        elif kind == "bare-write":
            write = [self.li("t0", pa + off + site), self.li("t1", r.choice(SAFE_REPLACEMENTS)),
                     "sw t1, 0(t0)"] if sites else []
            lines += ["csrr t2, satp", "csrw satp, zero"] + write + ["fence.i", "csrw satp, t2"] + \
                self.call(pa + off)
        elif kind == "u-exec":
            # the same frame from virtual U: every site is the original
            # (illegal there); the body returns to an exit stub after it
            exit_pa = pa + off + len(body.words()) * 4
            lines += [self.li("t0", exit_pa), self.li("t1", 0x37 | 17 << 7 | FID["FID_UEXIT_HI"] << 12),
                      "sw t1, 0(t0)", self.li("t1", 0x00000073), "sw t1, 4(t0)", "fence.i",
                      "la t0, @L_cont", "sd t0, CTX_UCONT(gp)", self.li("t0", pa + off + UALIAS),
                      "csrw sepc, t0", "csrr t0, sstatus", self.li("t1", MASK64 ^ (3 << 32)),
                      "and t0, t0, t1", self.li("t1", 2 << 32), "or t0, t0, t1",
                      self.li("t1", SSTATUS_SPP), "not t1, t1", "and t0, t0, t1", "csrw sstatus, t0",
                      self.li("ra", exit_pa + UALIAS), "sret", "@L_cont:"]
            lines += self.call(pa + off)
        return Step("patch." + kind, lines, kinds=kinds,
                    csrs=["sstatus", "sscratch", "sepc", "scause", "stval", "sie", "sip"])


def assign_ids(step, ident):
    step.id = ident
    for j, c in enumerate(step.children or ()):
        assign_ids(c, f"{ident}_{j}")


def generate(seed, attacks=False):
    """The program of seed; attacks: with steps that attack patching in its
    paging blocks (AttackSteps; a paging block added if it has none). The
    programs without attacks are the same as before attacks existed."""
    g = Gen(seed)
    if attacks:
        g.attacks = AttackGen(seed)
    return g.program()


def write_program(prog, out_dir):
    d = os.path.join(out_dir, str(prog.seed))
    os.makedirs(d, exist_ok=True)
    path = os.path.join(d, "prog.S")
    with open(path, "w") as f:
        f.write(prog.render())
    kinds, csrs = prog.coverage()
    with open(os.path.join(d, "meta.json"), "w") as f:
        json.dump({"seed": prog.seed, "steps": len(prog.steps), "leaves": prog.leaves(),
                   "kinds": kinds, "csrs": csrs}, f, indent=1, sort_keys=True)
    return path


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("seed", type=int)
    ap.add_argument("--out", default=os.path.join(ROOT, "build", "fidelity"))
    a = ap.parse_args()
    print(write_program(generate(a.seed), a.out))


if __name__ == "__main__":
    sys.exit(main())
