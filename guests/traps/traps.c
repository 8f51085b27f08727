/*
 * Exceptions delivered to stvec with the right scause/stval/sepc, sstatus.FS
 * gating of FP instructions, SRET's sstatus semantics, vectored stvec, and a
 * nested trap (RISC-V Privileged ISA v1.12, 4.1 Supervisor CSRs and 3.3.2
 * Trap-Return Instructions).
 */
#include "guest.h"

extern char vector_table[];
extern volatile unsigned long vector_slot;

PROBE(p_ebreak, "ebreak");
PROBE(p_c_ebreak, ".option rvc\n c.ebreak\n .option norvc");
PROBE(p_c_unimp, ".hword 0x0000\n .hword 0x0001");      /* c.unimp; c.nop */
PROBE(p_ones, ".word 0xffffffff");
PROBE(p_custom0, ".word 0x0000000b");                   /* custom-0 opcode */
PROBE(p_unimp, "unimp");                                /* csrrw x0,cycle,x0 */
PROBE(p_fadd, "fadd.d f1, f1, f1");
PROBE(p_fp_add, "fmv.d.x f1, a0\n fadd.d f1, f1, f1\n fmv.x.d a0, f1");
PROBE(p_fp_read, "fmv.x.d a0, f1");
PROBE(p_fcsr_read, "frcsr a0");
PROBE(p_ecall, "ecall");
PROBE(p_ecall_unknown_sbi, "li a7, 0x0afe0000\n ecall");

static void test_exceptions(void)
{
	static const struct { const char *name; probe_fn fn; } t[] = {
		{ "ebreak", p_ebreak },
		{ "c.ebreak", p_c_ebreak },
		{ "c.unimp 0x0000", p_c_unimp },
		{ "illegal 0xffffffff", p_ones },
		{ "illegal custom-0 0x0000000b", p_custom0 },
		{ "unimp", p_unimp },
	};
	struct trap_record r;

	for (unsigned i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		trap_expect(&r, t[i].fn, 0);
		trap_report(t[i].name, &r);
		printf("%s: spp=%lu spie=%lu\n", t[i].name,
		       (r.sstatus >> 8) & 1, (r.sstatus >> 5) & 1);
	}
	/* An ecall from S goes to the SBI, not to stvec: no trap here. */
	trap_expect(&r, p_ecall_unknown_sbi, 0);
	printf("ecall from S: %s a0=%ld\n", r.taken ? "trapped to stvec" : "no trap",
	       (long)r.ret);
}

static unsigned long fs_of(unsigned long s) { return (s >> 13) & 3; }

/* 4.1.1.2 (FS): FS=Off makes FP instructions illegal; a write dirties FS. */
static void test_fp(void)
{
	struct trap_record r;
	unsigned long s = csr_read(sstatus);

	csr_clear(sstatus, SSTATUS_FS);
	trap_expect(&r, p_fadd, 0);
	trap_report("fp with fs=off", &r);
	trap_expect(&r, p_fcsr_read, 0);
	trap_report("frcsr with fs=off", &r);

	csr_set(sstatus, SSTATUS_FS_INITIAL);
	trap_expect(&r, p_fp_add, 0x3ff8000000000000UL);       /* 1.5 + 1.5 */
	printf("fp with fs=initial: %s value=0x%lx fs=%lu sd=%lu\n",
	       r.taken ? "trap" : "ok", r.ret, fs_of(csr_read(sstatus)),
	       csr_read(sstatus) >> 63);

	csr_clear(sstatus, SSTATUS_FS);
	csr_set(sstatus, SSTATUS_FS_CLEAN);
	trap_expect(&r, p_fp_read, 0);
	printf("fp read with fs=clean: %s value=0x%lx fs=%lu\n",
	       r.taken ? "trap" : "ok", r.ret, fs_of(csr_read(sstatus)));
	trap_expect(&r, p_fp_add, 0x4000000000000000UL);       /* 2 + 2 */
	printf("fp write with fs=clean: %s value=0x%lx fs=%lu\n",
	       r.taken ? "trap" : "ok", r.ret, fs_of(csr_read(sstatus)));
	csr_write(sstatus, s);
}

/* SRET to S-mode (SPP=1): SIE <- SPIE, SPIE <- 1, SPP <- 0 (U supported). */
static unsigned long sret_to_s(unsigned long set, unsigned long clear)
{
	unsigned long after;

	__asm__ volatile("csrs sstatus, %1\n\tcsrc sstatus, %2\n\t"
			 "lla t0, 1f\n\tcsrw sepc, t0\n\tsret\n"
			 "1:\tcsrr %0, sstatus\n\tcsrci sstatus, 2"
			 : "=&r"(after) : "r"(set), "r"(clear) : "t0", "memory");
	return after;
}

static void test_sret(void)
{
	unsigned long s;

	csr_write(sie, 0);
	s = sret_to_s(SSTATUS_SPP | SSTATUS_SPIE, SSTATUS_SIE);
	printf("sret spp=1 spie=1 sie=0: spp=%lu spie=%lu sie=%lu\n",
	       (s >> 8) & 1, (s >> 5) & 1, (s >> 1) & 1);
	s = sret_to_s(SSTATUS_SPP | SSTATUS_SIE, SSTATUS_SPIE);
	printf("sret spp=1 spie=0 sie=1: spp=%lu spie=%lu sie=%lu\n",
	       (s >> 8) & 1, (s >> 5) & 1, (s >> 1) & 1);
}

static volatile unsigned long irq_seen, irq_slot;

static void vector_irq(struct trap_frame *f)
{
	irq_seen = f->scause;
	irq_slot = vector_slot;
	if (f->scause == (SCAUSE_INTERRUPT | IRQ_S_SOFT))
		csr_clear(sip, SIP_SSIP);
	else
		sbi_set_timer(~0ULL);
}

static void test_vectored(void)
{
	struct trap_record r;

	csr_write(stvec, (unsigned long)vector_table | STVEC_MODE_VECTORED);
	trap_irq_hook = vector_irq;

	vector_slot = ~0UL;
	trap_expect(&r, p_ebreak, 0);
	printf("vectored ebreak: scause=0x%lx slot=%ld\n", r.cause, (long)vector_slot);
	/*
	 * Only exceptions medeleg hands straight to S are tried here: OpenSBI
	 * redirects the others (illegal instruction, access faults) by mret to
	 * the raw stvec, mode bits included, which is not a vector entry.
	 */
	vector_slot = ~0UL;
	trap_expect_user(&r, p_ecall, 0);
	printf("vectored ecall from U: scause=0x%lx slot=%ld\n", r.cause, (long)vector_slot);

	csr_write(sie, SIE_SSIE);
	csr_set(sip, SIP_SSIP);
	csr_set(sstatus, SSTATUS_SIE);
	csr_clear(sstatus, SSTATUS_SIE);
	printf("vectored ssi: scause=0x%lx slot=%ld\n", irq_seen, (long)irq_slot);

	irq_seen = 0;
	csr_write(sie, SIE_STIE);
	sbi_set_timer(0);
	while (!(csr_read(sip) & SIP_STIP))
		;
	csr_set(sstatus, SSTATUS_SIE);
	csr_clear(sstatus, SSTATUS_SIE);
	printf("vectored sti: scause=0x%lx slot=%ld\n", irq_seen, (long)irq_slot);

	csr_write(sie, 0);
	trap_irq_hook = 0;
	csr_write(stvec, (unsigned long)trap_entry);
}

/*
 * A handler that re-enables interrupts takes a nested trap, which
 * overwrites sepc/scause; the outer handler's saved copies let it return.
 */
static volatile unsigned long nest_inner_cause, nest_inner_spp, nest_live_sepc_changed;

static void nested_irq(struct trap_frame *f)
{
	nest_inner_cause = f->scause;
	nest_inner_spp = (f->sstatus >> 8) & 1;
	csr_clear(sip, SIP_SSIP);
}

static int nested_exc(struct trap_frame *f)
{
	if (f->scause != EXC_BREAKPOINT)
		return 0;
	csr_write(sie, SIE_SSIE);
	csr_set(sip, SIP_SSIP);
	csr_set(sstatus, SSTATUS_SIE);  /* the SSI is taken right here */
	csr_clear(sstatus, SSTATUS_SIE);
	nest_live_sepc_changed = csr_read(sepc) != f->sepc;
	f->sepc += insn_length_at(f->sepc);
	return 1;
}

PROBE(p_ebreak_then_mark, "ebreak\n li a0, 0x77");

static void test_nested(void)
{
	unsigned long ret;

	trap_irq_hook = nested_irq;
	trap_exc_hook = nested_exc;
	ret = p_ebreak_then_mark(0);
	trap_exc_hook = 0;
	trap_irq_hook = 0;
	csr_write(sie, 0);
	printf("nested: inner scause=0x%lx inner spp=%lu live sepc changed=%lu resumed=%s\n",
	       nest_inner_cause, nest_inner_spp, nest_live_sepc_changed,
	       ret == 0x77 ? "yes" : "no");
}

void guest_main(unsigned long hartid, unsigned long dtb)
{
	(void)hartid;
	(void)dtb;
	test_exceptions();
	test_fp();
	test_sret();
	test_vectored();
	test_nested();
}
