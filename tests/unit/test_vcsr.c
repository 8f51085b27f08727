/* The virtual CSR file and the interpreter routines (insn.c) over it:
 * what a guest in virtual S- or U-mode sees for each privileged instruction. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "arch/riscv/csr.h"
#include "arch/riscv/insn.h"
#include "arch/riscv/probe.h"
#include "arch/riscv/vcpu_arch.h"
#include "arch/riscv/vcsr.h"
#include "fakes/fake_hw.h"

static struct vm vm;
static struct vcpu vcpu;

/* Encoders (Zicsr and the Privileged ISA's SYSTEM instructions). */
static uint32_t csr_insn(unsigned funct3, unsigned rd, unsigned rs1, unsigned csr)
{
	return (csr << 20) | (rs1 << 15) | (funct3 << 12) | (rd << 7) | 0x73;
}
#define CSRRW(rd, csr, rs1)  csr_insn(1, rd, rs1, csr)
#define CSRRS(rd, csr, rs1)  csr_insn(2, rd, rs1, csr)
#define CSRRC(rd, csr, rs1)  csr_insn(3, rd, rs1, csr)
#define CSRRWI(rd, csr, imm) csr_insn(5, rd, imm, csr)
#define CSRRSI(rd, csr, imm) csr_insn(6, rd, imm, csr)
#define CSRRCI(rd, csr, imm) csr_insn(7, rd, imm, csr)
#define SRET        0x10200073u
#define WFI         0x10500073u
#define MRET        0x30200073u
static uint32_t sfence_vma(unsigned rs1, unsigned rs2)
{
	return (0x09u << 25) | (rs2 << 20) | (rs1 << 15) | 0x73;
}

/* Run one instruction the way the dispatcher does; returns the resume code. */
static enum resume step(uint32_t insn, struct trap_info *t)
{
	*t = (struct trap_info){ .cause = EXC_ILLEGAL_INST, .tval = insn, .epc = vcpu.arch->regs.pc };
	fake_insn = insn;
	enum resume r = emulate_insn(&vcpu, t);
	assert_int_equal(vcpu.arch->regs.pc, t->epc);   /* only the dispatcher moves it */
	if (r == RESUME_NEXT)
		vcpu.arch->regs.pc += t->insn_len;
	if (r == RESUME_JUMP)
		vcpu.arch->regs.pc = t->jump_pc;
	return r;
}

static uint64_t csr_value(unsigned csr)
{
	struct trap_info t;

	assert_int_equal(step(CSRRS(31, csr, 0), &t), RESUME_NEXT);
	return vcpu.arch->regs.x[31];
}

static void csr_set_value(unsigned csr, uint64_t val)
{
	struct trap_info t;

	vcpu.arch->regs.x[30] = val;
	assert_int_equal(step(CSRRW(0, csr, 30), &t), RESUME_NEXT);
}

static int setup(void **state)
{
	(void)state;
	fake_hw_reset(&vm, &vcpu);
	return 0;
}

static void assert_illegal(uint32_t insn)
{
	struct trap_info t;
	uint64_t pc = vcpu.arch->regs.pc;

	assert_int_equal(step(insn, &t), RESUME_INJECT);
	assert_int_equal(t.inject_cause, EXC_ILLEGAL_INST);
	assert_int_equal(t.inject_tval, insn);      /* stval as the real trap gave it */
	assert_int_equal(vcpu.arch->regs.pc, pc);
}

static void test_vcsr_csrrw_returns_old_and_writes(void **state)
{
	struct trap_info t;

	(void)state;
	vcpu.arch->trap.csr.sscratch = 0x1111;
	vcpu.arch->regs.x[6] = 0x2222;
	assert_int_equal(step(CSRRW(5, CSR_SSCRATCH, 6), &t), RESUME_NEXT);
	assert_int_equal(vcpu.arch->regs.x[5], 0x1111);
	assert_int_equal(vcpu.arch->trap.csr.sscratch, 0x2222);
	assert_int_equal(vcpu.arch->regs.pc, 0x80200004);
	assert_int_equal(fake_trap_vm.stats.csr_write[vcsr_slot(vcsr_find(CSR_SSCRATCH))], 1);
}

static void test_vcsr_set_and_clear_forms(void **state)
{
	struct trap_info t;

	(void)state;
	vcpu.arch->trap.csr.sscratch = 0xf0;
	vcpu.arch->regs.x[6] = 0x0f;
	step(CSRRS(5, CSR_SSCRATCH, 6), &t);
	assert_int_equal(vcpu.arch->regs.x[5], 0xf0);
	assert_int_equal(vcpu.arch->trap.csr.sscratch, 0xff);
	vcpu.arch->regs.x[6] = 0x3c;
	step(CSRRC(5, CSR_SSCRATCH, 6), &t);
	assert_int_equal(vcpu.arch->trap.csr.sscratch, 0xc3);
	step(CSRRWI(5, CSR_SSCRATCH, 31), &t);
	assert_int_equal(vcpu.arch->regs.x[5], 0xc3);
	assert_int_equal(vcpu.arch->trap.csr.sscratch, 31);
	step(CSRRSI(0, CSR_SSCRATCH, 0x20 >> 1), &t);
	assert_int_equal(vcpu.arch->trap.csr.sscratch, 31);
	step(CSRRCI(0, CSR_SSCRATCH, 1), &t);
	assert_int_equal(vcpu.arch->trap.csr.sscratch, 30);
}

static void test_vcsr_rd_x0_and_rs1_x0(void **state)
{
	struct trap_info t;
	unsigned slot = vcsr_slot(vcsr_find(CSR_SSCRATCH));

	(void)state;
	vcpu.arch->trap.csr.sscratch = 7;
	step(CSRRS(5, CSR_SSCRATCH, 0), &t);        /* csrr: reads, never writes */
	assert_int_equal(vcpu.arch->regs.x[5], 7);
	assert_int_equal(fake_trap_vm.stats.csr_write[slot], 0);
	assert_int_equal(fake_trap_vm.stats.csr_read[slot], 1);
	vcpu.arch->regs.x[6] = 9;
	step(CSRRW(0, CSR_SSCRATCH, 6), &t);        /* csrw: writes, does not read */
	assert_int_equal(vcpu.arch->trap.csr.sscratch, 9);
	assert_int_equal(fake_trap_vm.stats.csr_read[slot], 1);
	vcpu.arch->regs.x[5] = 5;
	step(CSRRW(5, CSR_SSCRATCH, 5), &t);        /* rd == rs1: old value out, new in */
	assert_int_equal(vcpu.arch->regs.x[5], 9);
	assert_int_equal(vcpu.arch->trap.csr.sscratch, 5);
}

static void test_vcsr_machine_and_hypervisor_csrs_are_illegal(void **state)
{
	(void)state;
	assert_illegal(CSRRS(5, 0x300, 0));     /* mstatus */
	assert_illegal(CSRRW(0, 0x305, 6));     /* mtvec */
	assert_illegal(CSRRS(5, 0xf14, 0));     /* mhartid */
	assert_illegal(CSRRS(5, 0x600, 0));     /* hstatus: the virtual CPU has no H */
	assert_illegal(CSRRS(5, 0x680, 0));     /* hgatp */
	assert_illegal(CSRRS(5, 0x200, 0));     /* vsstatus */
	assert_illegal(CSRRS(5, 0x5c0, 0));     /* an absent S CSR */
	assert_illegal(CSRRS(5, 0xda0, 0));     /* scountovf: no Sscofpmf here */
	assert_int_equal(fake_trap_vm.stats.csr_illegal, 8);
	assert_int_equal(vm.stats.inject_exc[EXC_ILLEGAL_INST], 0);  /* counted on delivery */
}

static void test_vcsr_htimedelta_as_opensbi_emulates_it(void **state)
{
	(void)state;
	csr_set_value(CSR_HTIMEDELTA, 0x1234);
	assert_int_equal(csr_value(CSR_HTIMEDELTA), 0x1234);
	assert_illegal(CSRRS(5, 0x615, 0));     /* htimedeltah: RV32 only */
	vcpu.arch->trap.vpriv = VPRIV_U;
	assert_illegal(CSRRS(5, CSR_HTIMEDELTA, 0));
}

static void test_vcsr_user_csrs_that_trapped_are_illegal(void **state)
{
	(void)state;
	assert_illegal(CSRRS(5, CSR_FCSR, 0));  /* traps only with FS = Off */
	assert_illegal(CSRRS(5, 0xc03, 0));     /* hpmcounter3: traps only when counters are off */
}

extern uint64_t fake_pmu_csr_value;     /* fakes/fake_pmu_engine.c: a read answers this + csr */

/* cycle and instret always trap: the SBI PMU's virtual counters of the
 * vCPU (arch/riscv/pmu.h), read-only, in vU as the guest's scounteren says. */
static void test_vcsr_cycle_instret_read_virtual_counters(void **state)
{
	(void)state;
	struct trap_info t;

	assert_int_equal(step(CSRRS(5, CSR_CYCLE, 0), &t), RESUME_NEXT);
	assert_int_equal(vcpu.arch->regs.x[5], fake_pmu_csr_value + CSR_CYCLE);
	assert_int_equal(step(CSRRSI(6, CSR_INSTRET, 0), &t), RESUME_NEXT);
	assert_int_equal(vcpu.arch->regs.x[6], fake_pmu_csr_value + CSR_INSTRET);
	/* QEMU 7.2 writes by the mask's value: a zero register only reads. */
	vcpu.arch->regs.x[7] = 0;
	assert_int_equal(step(CSRRS(5, CSR_CYCLE, 7), &t), RESUME_NEXT);
	vcpu.arch->regs.x[7] = 1;
	assert_illegal(CSRRS(5, CSR_CYCLE, 7));
	assert_illegal(CSRRW(0, CSR_CYCLE, 0));
	assert_illegal(CSRRWI(5, CSR_INSTRET, 0));
	vcpu.arch->trap.vpriv = VPRIV_U;
	vcpu.arch->trap.csr.scounteren = 0x2;
	assert_illegal(CSRRS(5, CSR_CYCLE, 0));
	vcpu.arch->trap.csr.scounteren = 0x1;
	assert_illegal(CSRRS(5, CSR_INSTRET, 0));
	vcpu.arch->regs.x[5] = 0;
	assert_int_equal(step(CSRRS(5, CSR_CYCLE, 0), &t), RESUME_NEXT);
	assert_int_equal(vcpu.arch->regs.x[5], fake_pmu_csr_value + CSR_CYCLE);
}

static void test_vcsr_everything_illegal_from_vu(void **state)
{
	(void)state;
	vcpu.arch->trap.vpriv = VPRIV_U;
	assert_illegal(CSRRS(5, CSR_SSTATUS, 0));
	assert_illegal(CSRRW(0, CSR_SSCRATCH, 6));
	assert_illegal(SRET);
	assert_illegal(WFI);
	assert_illegal(sfence_vma(0, 0));
}

static void test_vcsr_stvec_reserved_mode_leaves_it_unchanged(void **state)
{
	(void)state;
	csr_set_value(CSR_STVEC, 0x80201001);
	assert_int_equal(csr_value(CSR_STVEC), 0x80201001);
	csr_set_value(CSR_STVEC, 0x80300002);
	assert_int_equal(csr_value(CSR_STVEC), 0x80201001);
	csr_set_value(CSR_STVEC, 0x80300003);
	assert_int_equal(csr_value(CSR_STVEC), 0x80201001);
	csr_set_value(CSR_STVEC, 0x80300000);
	assert_int_equal(csr_value(CSR_STVEC), 0x80300000);
}

static void test_vcsr_sstatus_warl_and_sd(void **state)
{
	(void)state;
	csr_set_value(CSR_SSTATUS, ~0ULL);
	uint64_t s = csr_value(CSR_SSTATUS);
	assert_true(s & SSTATUS_SD);                        /* FS dirty */
	assert_int_equal(s & SSTATUS_UXL, SSTATUS_UXL);     /* written non-zero */
	assert_true(s & SSTATUS_SIE);
	csr_set_value(CSR_SSTATUS, 0);
	s = csr_value(CSR_SSTATUS);
	assert_int_equal(s & SSTATUS_UXL, SSTATUS_UXL);     /* a zero UXL is ignored */
	assert_int_equal(s & ~SSTATUS_UXL, 0);              /* SD follows FS = Off */
	assert_int_equal(vcpu.arch->trap.csr.sstatus & SSTATUS_SD, 0);
}

static void test_vcsr_sie_and_sip_masks(void **state)
{
	(void)state;
	csr_set_value(CSR_SIE, ~0ULL);
	assert_int_equal(csr_value(CSR_SIE), MIP_SSIP | MIP_STIP | MIP_SEIP);
	csr_set_value(CSR_SIP, ~0ULL);
	assert_int_equal(csr_value(CSR_SIP), MIP_SSIP);     /* STIP, SEIP read-only */
	csr_set_value(CSR_SIP, 0);
	assert_int_equal(csr_value(CSR_SIP), 0);
}

static void test_vcsr_stimecmp_drives_stip(void **state)
{
	(void)state;
	assert_int_equal(csr_value(CSR_SIP) & MIP_STIP, 0); /* never programmed */
	csr_set_value(CSR_STIMECMP, 2000);
	assert_int_equal(csr_value(CSR_STIMECMP), 2000);
	assert_int_equal(csr_value(CSR_SIP) & MIP_STIP, 0);
	fake_time = 2000;
	assert_int_equal(csr_value(CSR_SIP) & MIP_STIP, MIP_STIP);
	csr_set_value(CSR_STIMECMP, UINT64_MAX);
	assert_int_equal(csr_value(CSR_SIP) & MIP_STIP, 0);
}

static void test_vcsr_satp_modes_and_asid(void **state)
{
	(void)state;
	csr_set_value(CSR_SATP, (1ULL << 60) | 5);         /* reserved mode: no effect */
	assert_int_equal(csr_value(CSR_SATP), 0);
	csr_set_value(CSR_SATP, (8ULL << 60) | (0xffffULL << 44) | 0x80123);
	assert_int_equal(csr_value(CSR_SATP), (8ULL << 60) | (0xffffULL << 44) | 0x80123);
	host_csr.satp_asid_mask = 0xff;
	csr_set_value(CSR_SATP, (9ULL << 60) | (0xffffULL << 44) | 0x1);
	assert_int_equal(csr_value(CSR_SATP), (9ULL << 60) | (0xffULL << 44) | 0x1);
	host_csr.satp_modes &= ~(1ULL << SATP_MODE_SV57);
	csr_set_value(CSR_SATP, (10ULL << 60) | 0x2);      /* mode the host lacks */
	assert_int_equal(csr_value(CSR_SATP), (9ULL << 60) | (0xffULL << 44) | 0x1);
	csr_set_value(CSR_SATP, 0);
	assert_int_equal(csr_value(CSR_SATP), 0);
}

static uint64_t rnd(uint64_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return *x;
}

/* emulate_csr_hot (the patched sites' path) against the general one, on
 * random CSR instructions and states: where it takes an instruction, the
 * registers, CSRs and statistics come out the same; where it declines,
 * nothing has changed. */
static void test_vcsr_hot_path_matches_general(void **state)
{
	static const unsigned csrs[] = { CSR_SSTATUS, CSR_SSCRATCH, CSR_SEPC, CSR_SCAUSE, CSR_STVAL,
					 CSR_SIE, CSR_SATP, CSR_STVEC };
	static const unsigned funct3s[] = { 1, 2, 3, 5, 6, 7 };
	uint64_t x = 0x243f6a8885a308d3ULL;
	unsigned handled = 0, declined = 0, sstatus_writes = 0;

	(void)state;
	for (unsigned i = 0; i < 20000; i++) {
		vcpu.arch->trap.vpriv = rnd(&x) % 8 ? VPRIV_S : VPRIV_U;
		enum vpriv priv = vcpu.arch->trap.vpriv;
		vcpu.arch->trap.vpriv = VPRIV_S;
		/* A legal sstatus, by the general path; SIE, SPIE, SPP often apart. */
		uint64_t bits = rnd(&x) % 4 ? SSTATUS_SIE | SSTATUS_SPIE | SSTATUS_SPP : ~0ULL;
		csr_set_value(CSR_SSTATUS, rnd(&x) & bits);
		vcpu.arch->trap.vpriv = priv;
		for (unsigned r = 1; r < 32; r++)
			vcpu.arch->regs.x[r] = rnd(&x) % 3 ? rnd(&x) % 4 : rnd(&x);
		unsigned rs1 = rnd(&x) % 4 ? rnd(&x) % 4 : rnd(&x) % 32;
		uint32_t insn = csr_insn(funct3s[rnd(&x) % 6], rnd(&x) % 32, rs1, csrs[rnd(&x) % 8]);

		struct vcpu_regs regs_before = vcpu.arch->regs;
		struct vcsr csr_before = vcpu.arch->trap.csr;
		struct trap_stats st_before = fake_trap_vm.stats;
		struct trap_info t;
		enum resume r = step(insn, &t);
		struct vcpu_regs regs_general = vcpu.arch->regs;
		struct vcsr csr_general = vcpu.arch->trap.csr;
		struct trap_stats st_general = fake_trap_vm.stats;

		vcpu.arch->regs = regs_before;
		vcpu.arch->trap.csr = csr_before;
		fake_trap_vm.stats = st_before;
		struct trap_info th = { .cause = EXC_ILLEGAL_INST, .tval = insn, .epc = regs_before.pc };
		if (emulate_csr_hot(&vcpu, &th, insn)) {
			handled++;
			sstatus_writes += (insn >> 20) == CSR_SSTATUS && csr_before.sstatus != csr_general.sstatus;
			assert_int_equal(r, RESUME_NEXT);
			assert_int_equal(th.insn_len, t.insn_len);
			vcpu.arch->regs.pc += th.insn_len;
			assert_memory_equal(vcpu.arch->regs.x, regs_general.x, sizeof(regs_general.x));
			assert_int_equal(vcpu.arch->regs.pc, regs_general.pc);
			assert_memory_equal(&vcpu.arch->trap.csr, &csr_general, sizeof(csr_general));
			assert_memory_equal(&fake_trap_vm.stats, &st_general, sizeof(st_general));
		} else {
			declined++;
			assert_memory_equal(vcpu.arch->regs.x, regs_before.x, sizeof(regs_before.x));
			assert_memory_equal(&vcpu.arch->trap.csr, &csr_before, sizeof(csr_before));
			assert_memory_equal(&fake_trap_vm.stats, &st_before, sizeof(st_before));
		}
	}
	assert_true(handled > 5000);
	assert_true(declined > 1000);
	assert_true(sstatus_writes > 100);     /* about 200 */
}

static void test_vcsr_find_names_every_slot(void **state)
{
	unsigned n = 0, found = 0;

	(void)state;
	/* vcsr_find is a switch beside the table: each slot's CSR leads back
	 * to that slot, and no other number finds anything. */
	for (const struct vcsr_desc *d; (d = vcsr_at(n)) != NULL; n++) {
		assert_ptr_equal(vcsr_find(d->num), d);
		assert_int_equal(vcsr_slot(d), n);
	}
	assert_int_equal(n, 13);
	for (unsigned num = 0; num < 0x1000; num++) {
		const struct vcsr_desc *d = vcsr_find(num);
		if (d) {
			assert_int_equal(d->num, num);
			found++;
		}
	}
	assert_int_equal(found, n);
}

static void test_vcsr_absent_when_host_lacks_it(void **state)
{
	(void)state;
	host_csr.has_stimecmp = false;
	host_csr.has_senvcfg = false;
	assert_null(vcsr_find(CSR_STIMECMP));
	assert_null(vcsr_find(CSR_SENVCFG));
	assert_illegal(CSRRS(5, CSR_STIMECMP, 0));
	assert_illegal(CSRRS(5, CSR_SENVCFG, 0));
}

static void test_vcsr_sret_to_vu_and_vs(void **state)
{
	struct trap_info t;

	(void)state;
	vcpu.arch->trap.csr.sepc = 0x80400000;
	vcpu.arch->trap.csr.sstatus |= SSTATUS_SPIE;              /* SPP = U */
	assert_int_equal(step(SRET, &t), RESUME_JUMP);
	assert_int_equal(vcpu.arch->trap.vpriv, VPRIV_U);
	assert_int_equal(vcpu.arch->regs.pc, 0x80400000);
	assert_true(vcpu.arch->trap.csr.sstatus & SSTATUS_SIE);
	assert_true(vcpu.arch->trap.csr.sstatus & SSTATUS_SPIE);
	vcpu.arch->trap.vpriv = VPRIV_S;
	vcpu.arch->trap.csr.sstatus = (vcpu.arch->trap.csr.sstatus & ~(SSTATUS_SPIE | SSTATUS_SIE)) | SSTATUS_SPP;
	assert_int_equal(step(SRET, &t), RESUME_JUMP);
	assert_int_equal(vcpu.arch->trap.vpriv, VPRIV_S);
	assert_false(vcpu.arch->trap.csr.sstatus & SSTATUS_SIE);
	assert_false(vcpu.arch->trap.csr.sstatus & SSTATUS_SPP);  /* SPP = U after SRET */
	assert_int_equal(fake_trap_vm.stats.insn_sret, 2);
}

static void test_vcsr_wfi_blocks_only_without_pending(void **state)
{
	struct trap_info t;

	(void)state;
	assert_int_equal(step(WFI, &t), RESUME_NEXT);
	assert_int_equal(fake_blocked, 1);
	vcpu.state = VCPU_RUNNING;
	vcpu.arch->trap.csr.sie = MIP_SSIP;
	vcpu_raise_irq(&vcpu, VIRQ_SOFT);                   /* pending, SIE = 0: still wakes */
	assert_int_equal(step(WFI, &t), RESUME_NEXT);
	assert_int_equal(fake_blocked, 1);
	assert_int_equal(fake_trap_vm.stats.insn_wfi, 2);
	assert_int_equal(vcpu.arch->regs.pc, 0x80200008);
}

static void test_vcsr_sfence_vma_forms(void **state)
{
	struct trap_info t;

	(void)state;
	vcpu.arch->regs.x[10] = 0x4000;
	vcpu.arch->regs.x[11] = 7;
	step(sfence_vma(0, 0), &t);
	assert_int_equal(fake_flush_size, UINT64_MAX);
	assert_int_equal(fake_flush_asid, UINT64_MAX);
	step(sfence_vma(10, 0), &t);
	assert_int_equal(fake_flush_start, 0x4000);
	assert_int_equal(fake_flush_size, 1);
	assert_int_equal(fake_flush_asid, UINT64_MAX);
	step(sfence_vma(0, 11), &t);
	assert_int_equal(fake_flush_size, UINT64_MAX);
	assert_int_equal(fake_flush_asid, 7);
	step(sfence_vma(10, 11), &t);
	assert_int_equal(fake_flush_start, 0x4000);
	assert_int_equal(fake_flush_asid, 7);
	assert_int_equal(fake_flushes, 4);
	assert_int_equal(fake_trap_vm.stats.insn_sfence_vma, 4);
}

static void test_vcsr_sinval_vma_only_with_svinval(void **state)
{
	struct trap_info t;

	(void)state;
	assert_illegal(0x16000073u);                        /* sinval.vma x0, x0: host lacks Svinval */
	host_csr.has_svinval = true;
	assert_int_equal(step(0x16000073u, &t), RESUME_NEXT);
	assert_int_equal(fake_flushes, 1);
	assert_int_equal(fake_flush_size, UINT64_MAX);
}

static void test_vcsr_other_privileged_insns_reflected(void **state)
{
	(void)state;
	assert_illegal(MRET);
	assert_illegal(0x7b200073u);                        /* DRET */
	assert_illegal(0x22000073u);                        /* HFENCE.VVMA */
	assert_illegal(0x00000000u);                        /* not an instruction */
	assert_int_equal(fake_trap_vm.stats.insn_illegal, 4);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_vcsr_csrrw_returns_old_and_writes, setup),
		cmocka_unit_test_setup(test_vcsr_set_and_clear_forms, setup),
		cmocka_unit_test_setup(test_vcsr_rd_x0_and_rs1_x0, setup),
		cmocka_unit_test_setup(test_vcsr_machine_and_hypervisor_csrs_are_illegal, setup),
		cmocka_unit_test_setup(test_vcsr_htimedelta_as_opensbi_emulates_it, setup),
		cmocka_unit_test_setup(test_vcsr_user_csrs_that_trapped_are_illegal, setup),
		cmocka_unit_test_setup(test_vcsr_cycle_instret_read_virtual_counters, setup),
		cmocka_unit_test_setup(test_vcsr_everything_illegal_from_vu, setup),
		cmocka_unit_test_setup(test_vcsr_stvec_reserved_mode_leaves_it_unchanged, setup),
		cmocka_unit_test_setup(test_vcsr_sstatus_warl_and_sd, setup),
		cmocka_unit_test_setup(test_vcsr_sie_and_sip_masks, setup),
		cmocka_unit_test_setup(test_vcsr_stimecmp_drives_stip, setup),
		cmocka_unit_test_setup(test_vcsr_satp_modes_and_asid, setup),
		cmocka_unit_test_setup(test_vcsr_find_names_every_slot, setup),
		cmocka_unit_test_setup(test_vcsr_hot_path_matches_general, setup),
		cmocka_unit_test_setup(test_vcsr_absent_when_host_lacks_it, setup),
		cmocka_unit_test_setup(test_vcsr_sret_to_vu_and_vs, setup),
		cmocka_unit_test_setup(test_vcsr_wfi_blocks_only_without_pending, setup),
		cmocka_unit_test_setup(test_vcsr_sfence_vma_forms, setup),
		cmocka_unit_test_setup(test_vcsr_sinval_vma_only_with_svinval, setup),
		cmocka_unit_test_setup(test_vcsr_other_privileged_insns_reflected, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
