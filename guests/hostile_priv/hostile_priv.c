/*
 * A guest that reaches for privilege it does not have (tests/system/
 * test_hostile.py, case 3): every CSR number of the machine-mode
 * (0x300-0x3ff), hypervisor (0x600-0x6ff), virtual-supervisor
 * (0x200-0x2ff) and debug/trigger (0x7a0-0x7bf) blocks, read, written with
 * all ones, set and cleared with all ones, from S-mode and (read, write)
 * from U-mode; then every hypervisor load/store/fence encoding and a few
 * other privileged instructions, from S and from U.
 *
 * The virtual CPU has no H extension, so the reference is bare QEMU with
 * h=false (RISC-V Privileged ISA v1.12, 2.1 CSR Address Mapping
 * Conventions, 3.1.6.1 and 8.2): an illegal-instruction trap with stval =
 * the instruction and sepc at it. OpenSBI (and so Trapeze) answers
 * htimedelta (0x605) for S-mode: its value is printed and put back to 0.
 *
 * A line per 16 CSRs, one letter per access: S read, S write, S set,
 * S clear, U read, U write; 'i' = illegal instruction with the right
 * stval and sepc, 'o' = no trap, '?' = any other trap (detailed below
 * the line).
 */
#include "hostile.h"

#define OPC_SYSTEM 0x73
#define RA0        10u

static struct hostile_slot slot;

static uint32_t csr_insn(unsigned csr, unsigned f3, unsigned rs1, unsigned rd)
{
	return (csr << 20) | (rs1 << 15) | (f3 << 12) | (rd << 7) | OPC_SYSTEM;
}

/* One instruction in the slot from S or U with a0 = arg: its letter. */
static char try_insn(uint32_t insn, unsigned long arg, int user, struct trap_record *r)
{
	probe_fn fn = hostile_slot_load(&slot, insn, 0);

	if (user)
		trap_expect_user(r, fn, arg);
	else
		trap_expect(r, fn, arg);
	if (!r->taken)
		return 'o';
	if (r->cause == EXC_ILLEGAL_INST && r->tval == insn && r->epc == r->fn)
		return 'i';
	return '?';
}

struct csr_op {
	unsigned f3, rs1, rd;
	int user;
};

static const struct csr_op csr_ops[] = {
	{ 2, 0, RA0, 0 },            /* csrrs a0, csr, x0: read */
	{ 1, RA0, 0, 0 },            /* csrrw x0, csr, a0: write */
	{ 2, RA0, RA0, 0 },       /* csrrs a0, csr, a0: set */
	{ 3, RA0, RA0, 0 },       /* csrrc a0, csr, a0: clear */
	{ 2, 0, RA0, 1 },            /* from U: read */
	{ 1, RA0, 0, 1 },            /* from U: write */
};
#define NOPS (sizeof(csr_ops) / sizeof(csr_ops[0]))

static void csr_block(unsigned from, unsigned to)
{
	static struct {
		unsigned csr, op;
		struct trap_record r;
	} odd[16 * NOPS];

	for (unsigned base = from; base < to; base += 16) {
		char line[16 * (NOPS + 1) + 1];
		unsigned n = 0, nodd = 0;

		for (unsigned csr = base; csr < base + 16 && csr < to; csr++) {
			for (unsigned k = 0; k < NOPS; k++) {
				const struct csr_op *o = &csr_ops[k];
				struct trap_record r;
				uint32_t insn = csr_insn(csr, o->f3, o->rs1, o->rd);
				char c = try_insn(insn, ~0UL, o->user, &r);

				line[n++] = c;
				if (c != 'i') {
					odd[nodd].csr = csr;
					odd[nodd].op = k;
					odd[nodd++].r = r;
				}
			}
			line[n++] = ' ';
		}
		line[n ? n - 1 : 0] = 0;
		printf("csr 0x%03x: %s\n", base, line);
		for (unsigned i = 0; i < nodd; i++) {
			const struct trap_record *r = &odd[i].r;

			if (r->taken)
				printf("  csr 0x%03x op %u: trap scause=0x%lx stval=0x%lx sepc=fn+%ld\n",
				       odd[i].csr, odd[i].op, r->cause, r->tval, (long)(r->epc - r->fn));
			else
				printf("  csr 0x%03x op %u: ok value=0x%lx\n", odd[i].csr, odd[i].op,
				       r->ret);
		}
		/* What a write that took effect left behind goes back to 0
		 * (htimedelta: OpenSBI keeps it per hart). */
		for (unsigned i = 0; i < nodd; i++) {
			struct trap_record r;

			if (!odd[i].r.taken && odd[i].op == 1)
				try_insn(csr_insn(odd[i].csr, 1, 0, 0), 0, 0, &r);
		}
	}
}

/*
 * Privileged ISA v1.12, 8.2.1-8.2.2: HLV/HLVX/HSV are SYSTEM funct3 100,
 * funct7 0110 ww s, the variant in the rs2 field; the fences funct3 000.
 * The reserved neighbours of each (HLV.DU, HLVX.BU, HSV with rd != 0)
 * too. All are illegal on a CPU without H.
 */
struct h_insn {
	const char *name;
	uint32_t insn;
};

#define HLV(f7, sel) (((uint32_t)(f7) << 25) | ((sel) << 20) | (RA0 << 15) | (4u << 12) | \
		      (RA0 << 7) | OPC_SYSTEM)
#define HSV(f7, rd) (((uint32_t)(f7) << 25) | (RA0 << 20) | (RA0 << 15) | (4u << 12) | \
		     ((rd) << 7) | OPC_SYSTEM)
#define HFENCE(f7) (((uint32_t)(f7) << 25) | (RA0 << 15) | OPC_SYSTEM)

static const struct h_insn h_insns[] = {
	{ "hlv.b", HLV(0x30, 0) }, { "hlv.bu", HLV(0x30, 1) },
	{ "hlv.h", HLV(0x32, 0) }, { "hlv.hu", HLV(0x32, 1) }, { "hlvx.hu", HLV(0x32, 3) },
	{ "hlv.w", HLV(0x34, 0) }, { "hlv.wu", HLV(0x34, 1) }, { "hlvx.wu", HLV(0x34, 3) },
	{ "hlv.d", HLV(0x36, 0) },
	{ "hlv.du (reserved)", HLV(0x36, 1) }, { "hlvx.bu (reserved)", HLV(0x30, 3) },
	{ "hlv sel=2 (reserved)", HLV(0x34, 2) },
	{ "hsv.b", HSV(0x31, 0) }, { "hsv.h", HSV(0x33, 0) }, { "hsv.w", HSV(0x35, 0) },
	{ "hsv.d", HSV(0x37, 0) }, { "hsv.w rd=a0 (reserved)", HSV(0x35, RA0) },
	{ "hfence.vvma", HFENCE(0x11) }, { "hfence.gvma", HFENCE(0x31) },
	{ "hinval.vvma", HFENCE(0x13) }, { "hinval.gvma", HFENCE(0x33) },
	{ "sinval.vma", HFENCE(0x0b) },
	{ "sfence.w.inval", 0x18000073 }, { "sfence.inval.ir", 0x18100073 },
	{ "mret", 0x30200073 }, { "dret", 0x7b200073 }, { "mnret", 0x70200073 },
	{ "sret rs1=a0 (reserved)", 0x10250073 }, { "wfi rd=a0 (reserved)", 0x10500573 },
};

static void h_instructions(void)
{
	static volatile uint64_t word = 0x1122334455667788ULL;

	for (unsigned i = 0; i < sizeof(h_insns) / sizeof(h_insns[0]); i++) {
		for (int user = 0; user < 2; user++) {
			struct trap_record r;
			char c = try_insn(h_insns[i].insn, (unsigned long)&word, user, &r);

			printf("%s %s: %s", user ? "U" : "S", h_insns[i].name,
			       c == 'i' ? "illegal" : c == 'o' ? "ok" : "other");
			if (c == '?')
				printf(" scause=0x%lx stval=0x%lx sepc=fn+%ld", r.cause, r.tval,
				       (long)(r.epc - r.fn));
			else if (c == 'o')
				printf(" value=0x%lx", r.ret);
			printf("\n");
		}
	}
	printf("word still 0x%lx\n", (unsigned long)word);
}

void guest_main(unsigned long hartid, unsigned long dtb)
{
	(void)hartid;
	(void)dtb;
	puts("per csr: S read, S write, S set, S clear, U read, U write");
	csr_block(0x200, 0x300);
	csr_block(0x300, 0x400);
	csr_block(0x600, 0x700);
	csr_block(0x7a0, 0x7c0);
	h_instructions();
}
