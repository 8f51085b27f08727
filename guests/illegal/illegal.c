/*
 * What an S-mode (and U-mode) guest must see as an illegal instruction:
 * M-mode and debug CSRs, absent CSRs, MRET/DRET, reserved SYSTEM encodings
 * (RISC-V Privileged ISA v1.12, 2.1 CSR Address Mapping Conventions and 3.3
 * Machine-Mode Privileged Instructions). Hypervisor-extension CSRs and
 * instructions (Privileged ISA v1.12, chapter 8) print as "hext:" lines:
 * the virtual CPU has no H extension, bare QEMU with h=true does.
 */
#include "guest.h"

#define M_CSRS(X) \
	X(mstatus, 0x300) X(misa, 0x301) X(medeleg, 0x302) X(mideleg, 0x303) \
	X(mie, 0x304) X(mtvec, 0x305) X(mcounteren, 0x306) X(menvcfg, 0x30a) \
	X(mcountinhibit, 0x320) X(mhpmevent3, 0x323) X(mscratch, 0x340) \
	X(mepc, 0x341) X(mcause, 0x342) X(mtval, 0x343) X(mip, 0x344) \
	X(pmpcfg0, 0x3a0) X(pmpaddr0, 0x3b0) X(mseccfg, 0x747) \
	X(tselect, 0x7a0) X(tdata1, 0x7a1) X(dcsr, 0x7b0) X(dpc, 0x7b1) \
	X(mcycle, 0xb00) X(minstret, 0xb02) X(mhpmcounter3, 0xb03) \
	X(mvendorid, 0xf11) X(marchid, 0xf12) X(mimpid, 0xf13) X(mhartid, 0xf14)

#define ABSENT_CSRS(X) \
	X(ustatus, 0x000) X(utvec, 0x005) X(vstart, 0x008) X(seed, 0x015) \
	X(csr_0ff, 0x0ff) X(siselect, 0x150) X(csr_5c0, 0x5c0) \
	X(scontext, 0x5a8) X(csr_7ff, 0x7ff) X(csr_8ff, 0x8ff) X(csr_dff, 0xdff)

#define H_CSRS(X) \
	X(hstatus, 0x600) X(hedeleg, 0x602) X(hideleg, 0x603) X(hie, 0x604) \
	X(htimedelta, 0x605) X(hcounteren, 0x606) X(hgeie, 0x607) \
	X(henvcfg, 0x60a) X(htval, 0x643) X(hip, 0x644) X(hvip, 0x645) \
	X(htinst, 0x64a) X(hgatp, 0x680) X(hgeip, 0xe12) \
	X(vsstatus, 0x200) X(vsie, 0x204) X(vstvec, 0x205) X(vsscratch, 0x240) \
	X(vsepc, 0x241) X(vscause, 0x242) X(vstval, 0x243) X(vsip, 0x244) \
	X(vstimecmp, 0x24d) X(vsatp, 0x280)

/* csrr a0, CSR and csrw CSR, a0 (a0 = 0) for each CSR above. */
#define DEF_PROBES(name, num) \
	PROBE(rd_##name, "csrr a0, " #num); \
	PROBE(wr_##name, "csrw " #num ", a0");
M_CSRS(DEF_PROBES)
ABSENT_CSRS(DEF_PROBES)
H_CSRS(DEF_PROBES)

struct csr_case {
	const char *name;
	unsigned num;
	probe_fn rd, wr;
};
#define CSR_CASE(name, num) { #name, num, rd_##name, wr_##name },
static const struct csr_case m_csrs[] = { M_CSRS(CSR_CASE) };
static const struct csr_case absent_csrs[] = { ABSENT_CSRS(CSR_CASE) };
static const struct csr_case h_csrs[] = { H_CSRS(CSR_CASE) };

static void label_join(char *out, const char *a, const char *b, const char *c)
{
	for (const char *parts[3] = { a, b, c }, **p = parts; p < parts + 3; p++)
		for (const char *q = *p; *q; )
			*out++ = *q++;
	*out = 0;
}

static void try_csrs(const char *prefix, const struct csr_case *c, unsigned n)
{
	struct trap_record r;
	char label[64];

	for (unsigned i = 0; i < n; i++) {
		label_join(label, prefix, "read ", c[i].name);
		trap_expect(&r, c[i].rd, 0);
		trap_report(label, &r);
		/* A write that succeeds stores 0, or on h=true what was read. */
		label_join(label, prefix, "write ", c[i].name);
		trap_expect(&r, c[i].wr, r.taken ? 0 : r.ret);
		trap_report(label, &r);
	}
}

/*
 * OpenSBI emulates htimedelta for S-mode even without the H extension
 * (sbi_emulate_csr_read/write, CSR_HTIMEDELTA): it keeps a per-hart value.
 */
PROBE(p_htimedelta_roundtrip,
      "csrw 0x605, a0\n csrr a0, 0x605\n csrw 0x605, zero");

PROBE(p_mret, "mret");
PROBE(p_dret, ".word 0x7b200073");
PROBE(p_uret, ".word 0x00200073");
PROBE(p_system_f3_4, ".word 0x00004073");         /* funct3=4, not an H insn */
PROBE(p_system_f3_4_cycle, ".word 0xc0004073");   /* funct3=4, csr field = cycle */
PROBE(p_sfence_rd, ".word 0x120000f3");           /* sfence.vma with rd=x1 */
PROBE(p_ecall_rs1, "li a7, 0x0afe0000\n .word 0x00008073"); /* ecall, rs1=x1 */
PROBE(p_ebreak_rd, ".word 0x001000f3");           /* ebreak, rd=x1 */

static volatile uint32_t hword = 0x11223344;

/* Privileged ISA v1.12, 8.2 Hypervisor Instructions, via .insn. */
PROBE(p_hlv_w, ".insn r 0x73, 4, 0x34, a0, a0, x0");     /* hlv.w a0, (a0) */
PROBE(p_hlv_b, ".insn r 0x73, 4, 0x30, a0, a0, x0");     /* hlv.b a0, (a0) */
PROBE(p_hlvx_hu, ".insn r 0x73, 4, 0x32, a0, a0, x3");   /* hlvx.hu a0, (a0) */
PROBE(p_hsv_w, "li a1, 0x55\n .insn r 0x73, 4, 0x35, x0, a0, a1\n li a0, 0"); /* hsv.w a1, (a0) */
PROBE(p_hfence_vvma, ".insn r 0x73, 0, 0x11, x0, x0, x0");
PROBE(p_hfence_gvma, ".insn r 0x73, 0, 0x31, x0, x0, x0");

static void try_insn(const char *label, probe_fn fn, unsigned long arg, int user)
{
	struct trap_record r;

	if (user)
		trap_expect_user(&r, fn, arg);
	else
		trap_expect(&r, fn, arg);
	trap_report(label, &r);
}

PROBE(u_csrr_sstatus, "csrr a0, sstatus");
PROBE(u_csrr_mstatus, "csrr a0, mstatus");
PROBE(u_csrw_satp, "csrw satp, a0");
PROBE(u_sret, "sret");
PROBE(u_wfi, "wfi");
PROBE(u_sfence, "sfence.vma");

void guest_main(unsigned long hartid, unsigned long dtb)
{
	(void)hartid;
	(void)dtb;
	try_csrs("", m_csrs, sizeof(m_csrs) / sizeof(m_csrs[0]));
	try_csrs("", absent_csrs, sizeof(absent_csrs) / sizeof(absent_csrs[0]));
	try_csrs("hext: ", h_csrs, sizeof(h_csrs) / sizeof(h_csrs[0]));
	try_insn("hext: htimedelta write 0x1234 then read", p_htimedelta_roundtrip, 0x1234, 0);

	try_insn("mret", p_mret, 0, 0);
	try_insn("dret", p_dret, 0, 0);
	try_insn("uret (removed N ext)", p_uret, 0, 0);
	try_insn("system funct3=4 0x00004073", p_system_f3_4, 0, 0);
	try_insn("system funct3=4 0xc0004073", p_system_f3_4_cycle, 0, 0);
	try_insn("sfence.vma rd=x1", p_sfence_rd, 0, 0);
	try_insn("ecall rs1=x1", p_ecall_rs1, 0, 0);
	try_insn("ebreak rd=x1", p_ebreak_rd, 0, 0);

	try_insn("hext: hlv.w", p_hlv_w, (unsigned long)&hword, 0);
	try_insn("hext: hlv.b", p_hlv_b, (unsigned long)&hword, 0);
	try_insn("hext: hlvx.hu", p_hlvx_hu, (unsigned long)&hword, 0);
	try_insn("hext: hsv.w", p_hsv_w, (unsigned long)&hword, 0);
	printf("hext: hsv.w: word now 0x%x\n", hword);
	try_insn("hext: hfence.vvma", p_hfence_vvma, 0, 0);
	try_insn("hext: hfence.gvma", p_hfence_gvma, 0, 0);

	try_insn("u csrr sstatus", u_csrr_sstatus, 0, 1);
	try_insn("u csrr mstatus", u_csrr_mstatus, 0, 1);
	try_insn("u csrw satp", u_csrw_satp, 0, 1);
	try_insn("u sret", u_sret, 0, 1);
	try_insn("u wfi", u_wfi, 0, 1);
	try_insn("u sfence.vma", u_sfence, 0, 1);
	try_insn("hext: u hlv.w", p_hlv_w, (unsigned long)&hword, 1);
	try_insn("hext: u hfence.vvma", p_hfence_vvma, 0, 1);
}
