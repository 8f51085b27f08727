/*
 * Every SYSTEM-opcode instruction (Privileged ISA v1.12, 9 RISC-V
 * Privileged Instruction Set Listings), and the FP, vector and cache-block
 * instructions whose legality depends on a control, in S-mode and U-mode.
 * A few innocuous instructions (nop, fence, fence.i, ld) are the baseline.
 *
 * Each program gets a0 = a 64-byte-aligned scratch block (the address for
 * loads, stores, cache-block operations and the VA of address fences),
 * a1 = 0 (ASID, value stored) and a3 = an SBI extension ID nobody
 * implements (for ECALL).
 */
#include "audit.h"

#define AUDIT_EID       0x41554454UL            /* "AUDT" */
#define WFI_TIMEOUT     200000UL                /* 20 ms of 10 MHz ticks */

enum insn_setup {
	SETUP_NONE,
	SETUP_ECALL,            /* a7 = a3 */
	SETUP_SRET,             /* S: sepc = the ret, SPP = 1, SPIE = 0 */
	SETUP_WAIT,             /* S: SSIP pending and enabled; U: a timer */
};

struct insn_probe {
	const char *name, *form;
	uint32_t word;
	enum insn_setup setup;
	enum control_id ctl;
};

/* Encodings checked against GNU as 2.40 (-march=rv64gcv_zicbom_zicboz_svinval_h_zawrs). */
static const struct insn_probe insns[] = {
	/* Innocuous baseline. */
	{ "nop", "-", 0x00000013, SETUP_NONE, CTL_NONE },
	{ "fence", "-", 0x0ff0000f, SETUP_NONE, CTL_NONE },
	{ "fence.i", "-", 0x0000100f, SETUP_NONE, CTL_NONE },
	{ "ld", "-", 0x00053503, SETUP_NONE, CTL_NONE },            /* ld a0, 0(a0) */
	/* 3.3.1 Environment Call and Breakpoint; 3.3.2 Trap-Return Instructions. */
	{ "ecall", "-", 0x00000073, SETUP_ECALL, CTL_NONE },
	{ "ebreak", "-", 0x00100073, SETUP_NONE, CTL_NONE },
	{ "sret", "-", 0x10200073, SETUP_SRET, CTL_NONE },
	{ "mret", "-", 0x30200073, SETUP_NONE, CTL_NONE },
	{ "mnret", "-", 0x70200073, SETUP_NONE, CTL_NONE },         /* Smrnmi */
	{ "dret", "-", 0x7b200073, SETUP_NONE, CTL_NONE },          /* Debug spec */
	{ "uret", "-", 0x00200073, SETUP_NONE, CTL_NONE },          /* removed N ext */
	/* 3.3.3 Wait for Interrupt; Zawrs. */
	{ "wfi", "-", 0x10500073, SETUP_WAIT, CTL_NONE },
	{ "wrs.nto", "-", 0x00d00073, SETUP_WAIT, CTL_NONE },
	{ "wrs.sto", "-", 0x01d00073, SETUP_WAIT, CTL_NONE },
	/* 4.2.1 Supervisor Memory-Management Fence Instruction. */
	{ "sfence.vma", "all", 0x12000073, SETUP_NONE, CTL_NONE },
	{ "sfence.vma", "va", 0x12050073, SETUP_NONE, CTL_NONE },
	{ "sfence.vma", "asid", 0x12b00073, SETUP_NONE, CTL_NONE },
	{ "sfence.vma", "va+asid", 0x12b50073, SETUP_NONE, CTL_NONE },
	/* 7 "Svinval" Standard Extension. */
	{ "sinval.vma", "all", 0x16000073, SETUP_NONE, CTL_NONE },
	{ "sinval.vma", "va", 0x16050073, SETUP_NONE, CTL_NONE },
	{ "sinval.vma", "asid", 0x16b00073, SETUP_NONE, CTL_NONE },
	{ "sinval.vma", "va+asid", 0x16b50073, SETUP_NONE, CTL_NONE },
	{ "sfence.w.inval", "-", 0x18000073, SETUP_NONE, CTL_NONE },
	{ "sfence.inval.ir", "-", 0x18100073, SETUP_NONE, CTL_NONE },
	/* 8.3.2 Hypervisor Memory-Management Fence Instructions. */
	{ "hfence.vvma", "all", 0x22000073, SETUP_NONE, CTL_NONE },
	{ "hfence.vvma", "va", 0x22050073, SETUP_NONE, CTL_NONE },
	{ "hfence.vvma", "asid", 0x22b00073, SETUP_NONE, CTL_NONE },
	{ "hfence.vvma", "va+asid", 0x22b50073, SETUP_NONE, CTL_NONE },
	{ "hfence.gvma", "all", 0x62000073, SETUP_NONE, CTL_NONE },
	{ "hfence.gvma", "va", 0x62050073, SETUP_NONE, CTL_NONE },
	{ "hfence.gvma", "asid", 0x62b00073, SETUP_NONE, CTL_NONE },
	{ "hfence.gvma", "va+asid", 0x62b50073, SETUP_NONE, CTL_NONE },
	{ "hinval.vvma", "all", 0x26000073, SETUP_NONE, CTL_NONE },
	{ "hinval.vvma", "va", 0x26050073, SETUP_NONE, CTL_NONE },
	{ "hinval.vvma", "asid", 0x26b00073, SETUP_NONE, CTL_NONE },
	{ "hinval.vvma", "va+asid", 0x26b50073, SETUP_NONE, CTL_NONE },
	{ "hinval.gvma", "all", 0x66000073, SETUP_NONE, CTL_NONE },
	{ "hinval.gvma", "va", 0x66050073, SETUP_NONE, CTL_NONE },
	{ "hinval.gvma", "asid", 0x66b00073, SETUP_NONE, CTL_NONE },
	{ "hinval.gvma", "va+asid", 0x66b50073, SETUP_NONE, CTL_NONE },
	/* 8.3.1 Hypervisor Virtual-Machine Load and Store Instructions. */
	{ "hlv.b", "-", 0x60054573, SETUP_NONE, CTL_HU },
	{ "hlv.bu", "-", 0x60154573, SETUP_NONE, CTL_HU },
	{ "hlv.h", "-", 0x64054573, SETUP_NONE, CTL_HU },
	{ "hlv.hu", "-", 0x64154573, SETUP_NONE, CTL_HU },
	{ "hlvx.hu", "-", 0x64354573, SETUP_NONE, CTL_HU },
	{ "hlv.w", "-", 0x68054573, SETUP_NONE, CTL_HU },
	{ "hlv.wu", "-", 0x68154573, SETUP_NONE, CTL_HU },
	{ "hlvx.wu", "-", 0x68354573, SETUP_NONE, CTL_HU },
	{ "hlv.d", "-", 0x6c054573, SETUP_NONE, CTL_HU },
	{ "hsv.b", "-", 0x62b54073, SETUP_NONE, CTL_HU },
	{ "hsv.h", "-", 0x66b54073, SETUP_NONE, CTL_HU },
	{ "hsv.w", "-", 0x6ab54073, SETUP_NONE, CTL_HU },
	{ "hsv.d", "-", 0x6eb54073, SETUP_NONE, CTL_HU },
	/* A reserved SYSTEM encoding (funct3 = 4, not an H instruction). */
	{ "system.f3=4", "-", 0x00004073, SETUP_NONE, CTL_NONE },
	/* FP state: 3.1.6.6 Extension Context Status in mstatus Register. */
	{ "fmv.x.d", "-", 0xe2008553, SETUP_NONE, CTL_FS },
	{ "fmv.d.x", "-", 0xf20500d3, SETUP_NONE, CTL_FS },
	{ "fadd.s", "-", 0x003170d3, SETUP_NONE, CTL_FS },
	{ "fadd.d", "-", 0x023170d3, SETUP_NONE, CTL_FS },
	{ "fcvt.d.l", "-", 0xd22570d3, SETUP_NONE, CTL_FS },
	{ "fld", "-", 0x00053087, SETUP_NONE, CTL_FS },
	{ "fsd", "-", 0x00153027, SETUP_NONE, CTL_FS },
	/* Vector state: V extension 1.0, 3.2 Vector Context Status in mstatus. */
	{ "vsetvli", "-", 0x0d0675d7, SETUP_NONE, CTL_VS },
	{ "vsetivli", "-", 0xcd027057, SETUP_NONE, CTL_VS },
	{ "vadd.vv", "-", 0x022180d7, SETUP_NONE, CTL_VS },
	{ "vmv.x.s", "-", 0x42102557, SETUP_NONE, CTL_VS },
	{ "vmv.v.x", "-", 0x5e05c0d7, SETUP_NONE, CTL_VS },
	{ "vle32.v", "-", 0x02056087, SETUP_NONE, CTL_VS },
	{ "vse32.v", "-", 0x020560a7, SETUP_NONE, CTL_VS },
	/* Cache-block operations: CMO v1.0, gated by menvcfg and senvcfg. */
	{ "cbo.clean", "-", 0x0015200f, SETUP_NONE, CTL_ENV },
	{ "cbo.flush", "-", 0x0025200f, SETUP_NONE, CTL_ENV },
	{ "cbo.inval", "-", 0x0005200f, SETUP_NONE, CTL_ENV },
	{ "cbo.zero", "-", 0x0045200f, SETUP_NONE, CTL_ENV },
};

static uint64_t scratch[8] __attribute__((aligned(64)));

static void wait_irq(struct trap_frame *f)
{
	unsigned long code = f->scause & ~SCAUSE_INTERRUPT;

	if (code == IRQ_S_TIMER) {
		sbi_set_timer(~0ULL);
		csr_clear(sie, SIE_STIE);
	} else {
		csr_clear(sip, SIP_SSIP);
		csr_clear(sie, SIE_SSIE);
	}
}

/*
 * WFI returns when an interrupt is pending and enabled in sie, whatever
 * sstatus.SIE says (3.3.3 Wait for Interrupt): in S-mode, a software
 * interrupt made pending beforehand (SIE = 0, so it is never taken). In
 * U-mode S interrupts are always enabled, so the pending one would be taken
 * before the WFI: instead a timer 20 ms out, in case U-mode does not trap.
 */
static void wait_arm(enum probe_mode m)
{
	trap_irq_hook = wait_irq;
	if (m == MODE_S) {
		csr_set(sie, SIE_SSIE);
		csr_set(sip, SIP_SSIP);
	} else {
		sbi_set_timer(time_now() + WFI_TIMEOUT);
		csr_set(sie, SIE_STIE);
	}
}

static void wait_disarm(void)
{
	csr_clear(sie, SIE_SSIE | SIE_STIE);
	csr_clear(sip, SIP_SSIP);
	sbi_set_timer(~0ULL);
	trap_irq_hook = 0;
}

static int insn_run(const struct insn_probe *p, enum probe_mode m)
{
	struct probe_args a = { .a0 = (unsigned long)scratch, .a3 = AUDIT_EID };
	int out;

	probe_begin();
	if (p->setup == SETUP_ECALL)
		probe_emit(0x00068893);                 /* mv a7, a3 */
	if (p->setup == SETUP_SRET && m == MODE_S) {
		probe_emit(enc_csr(F3_CSRRW, REG_X0, REG_A1, 0x141));  /* sepc */
		probe_emit(enc_csr(F3_CSRRS, REG_X0, REG_A2, 0x100));  /* sstatus */
		probe_emit(enc_csr(F3_CSRRC, REG_X0, REG_A3, 0x100));
		a.a1 = probe_word_addr(4);              /* the ret after sret */
		a.a2 = SSTATUS_SPP;
		a.a3 = SSTATUS_SPIE;
	}
	probe_emit(p->word);
	if (p->setup == SETUP_WAIT)
		wait_arm(m);
	out = probe_run(m, &a, 0);
	if (p->setup == SETUP_WAIT)
		wait_disarm();
	return out;
}

static void insn_print(const struct insn_probe *p, const char *cond,
		       enum probe_mode m, int out, const char *fx)
{
	printf("insn %s %s %s %c ", p->name, p->form, cond, m == MODE_S ? 'S' : 'U');
	print_result(out);
	if (fx)
		printf(" fx=%s", fx);
	printf("\n");
}

/* FS or VS went from Clean to Dirty: the hardware wrote S-mode state. */
static const char *insn_effect(enum control_id ctl, int on)
{
	unsigned long s = csr_read(sstatus);

	if (!on)
		return 0;
	if (ctl == CTL_FS && (s & SSTATUS_FS) == SSTATUS_FS_DIRTY)
		return "fs-dirty";
	if (ctl == CTL_VS && (s & SSTATUS_VS) == SSTATUS_VS)
		return "vs-dirty";
	return 0;
}

static void insn_sweep_one(const struct insn_probe *p)
{
	int positions = p->ctl == CTL_NONE ? 1 : control_available(p->ctl) ? 2 : 1;

	for (int on = 0; on < positions; on++) {
		const char *cond = control_label(p->ctl, on);

		for (int m = MODE_S; m <= MODE_U; m++) {
			int out;

			control_set(p->ctl, on);
			out = insn_run(p, m);
			insn_print(p, cond, m, out, out == OUT_OK ? insn_effect(p->ctl, on) : 0);
		}
		control_set(p->ctl, 0);
	}
}

void insn_sweep(void)
{
	/* A valid vtype for the vector probes (vill is set at reset). */
	if (control_available(CTL_VS)) {
		static const struct probe_args none;

		control_set(CTL_VS, 1);
		probe_begin();
		probe_emit(0xcd027057);                 /* vsetivli x0, 4, e32, m1, ta, ma */
		probe_run(MODE_S, &none, 0);
		control_set(CTL_VS, 0);
	}
	for (unsigned i = 0; i < sizeof(insns) / sizeof(insns[0]); i++)
		insn_sweep_one(&insns[i]);
}
