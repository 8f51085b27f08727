/*
 * SBI v3.0, chapter 13, System Suspend Extension (src/core/sbi/sbi_susp.c)
 * on fake VMs (tests/unit/fakes/fake_vm.c): sleep types, the entry
 * criterion (every other vCPU STOPPED), resume addresses, and the resume
 * state of a successful suspend. What the suspended state means to the
 * scheduler and the hang watchdog is test_sched.c's.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "arch/riscv/csr.h"
#include "arch/riscv/vcpu_arch.h"
#include "core/engine.h"
#include "core/sbi/sbi.h"
#include "fakes/fake_vm.h"

#define A0(v)       ((long)(v)->arch->regs.x[10])
#define A1(v)       ((long)(v)->arch->regs.x[11])
#define RAM_END     (FAKE_RAM_BASE + FAKE_RAM_SIZE)
#define RESUME      (FAKE_RAM_BASE + 0x2000)
#define OPAQUE      0xfeedfacecafef00dUL
#define PC          0x80001000UL
#define SENTINEL(i) (0xa5a5000000000000ULL | (uint64_t)(i))

static struct fake_vm *f;

static int setup_n(unsigned n)
{
	f = fake_vm_create(n);
	for (unsigned i = 0; i < n; i++)
		sbi_vcpu_reset(&f->vcpus[i]);
	return 0;
}

static int setup1(void **state)
{
	(void)state;
	return setup_n(1);
}

static int setup3(void **state)
{
	(void)state;
	return setup_n(3);
}

static int teardown(void **state)
{
	(void)state;
	fake_vm_destroy(f);
	return 0;
}

static struct vcpu *V(unsigned i)
{
	return &f->vcpus[i];
}

/* system_suspend from v, registers set to sentinels first; returns the
 * dispatcher's verdict, with the pc moved as the dispatcher would. */
static enum resume suspend(struct vcpu *v, unsigned long type, unsigned long addr,
			   unsigned long opaque)
{
	struct trap_info t = { 0 };
	enum resume r;

	for (unsigned i = 1; i < 32; i++)
		v->arch->regs.x[i] = SENTINEL(i);
	v->arch->regs.pc = PC;
	fake_set_ecall(v, SBI_EXT_SUSP, SBI_SUSP_SYSTEM_SUSPEND, type, addr, opaque, 0, 0, 0);
	r = sbi_dispatch(v, &t, 4);
	if (r == RESUME_JUMP)
		v->arch->regs.pc = t.jump_pc;
	else if (r == RESUME_NEXT)
		assert_int_equal(t.insn_len, 4);
	return r;
}

/* A refused call: returns with the error, and nothing else happened. */
static void assert_refused(struct vcpu *v, enum resume r, long error)
{
	assert_int_equal(r, RESUME_NEXT);
	assert_int_equal(A0(v), error);
	assert_int_equal(A1(v), 0);
	assert_int_equal(v->state, VCPU_RUNNING);
	assert_false(f->vm.suspended);
	assert_int_equal(f->vm.sbi.susp.suspends, 0);
	assert_int_equal(fake_count(f, FAKE_RESET), 0);
	assert_int_equal(v->arch->regs.pc, PC);
	/* Registers beyond a0-a7 are the caller's. */
	for (unsigned i = 1; i < 32; i++)
		if (i < 10 || i > 17)
			assert_int_equal(v->arch->regs.x[i], SENTINEL(i));
}

static void test_sbi_susp_is_an_extension(void **state)
{
	const struct sbi_ext *e = sbi_find_ext(SBI_EXT_SUSP);

	(void)state;
	assert_non_null(e);
	assert_string_equal(e->name, "susp");
	assert_false(e->legacy);
}

/* Table "SUSP System Resume Register State": pc = resume_addr, a0 = hart
 * id, a1 = opaque, satp = 0, sstatus.SIE = 0; the vCPU waits (blocked)
 * with its VM suspended; the timer and the interrupt enables that are to
 * wake it are kept. */
static void test_sbi_susp_suspend_to_ram_resumes_at_addr(void **state)
{
	struct vcpu *v = V(0);

	(void)state;
	vcpu_timer_set(v, 777777);
	v->arch->trap.csr.satp = 0x8000000000012345ULL;
	v->arch->trap.csr.sstatus |= SSTATUS_SIE;
	v->arch->trap.csr.sie = 0x20;
	fake_forget_calls(f);

	assert_int_equal(suspend(v, SBI_SUSP_SLEEP_TYPE_SUSPEND_TO_RAM, RESUME, OPAQUE), RESUME_JUMP);
	assert_int_equal(v->arch->regs.pc, RESUME);
	assert_int_equal(A0(v), 0);
	assert_int_equal((unsigned long)A1(v), OPAQUE);
	assert_int_equal(v->arch->trap.csr.satp, 0);
	assert_int_equal(v->arch->trap.csr.sstatus & SSTATUS_SIE, 0);
	assert_int_equal(v->arch->trap.csr.sie, 0x20);
	assert_int_equal(vcpu_timer_deadline(v), 777777);
	assert_int_equal(v->state, VCPU_BLOCKED);
	assert_true(f->vm.suspended);
	assert_int_equal(f->vm.sbi.susp.suspends, 1);
	/* Other registers are left as they were (they are "undefined"). */
	assert_int_equal(v->arch->regs.x[12], OPAQUE);
	assert_int_equal(v->arch->regs.x[9], SENTINEL(9));
}

/* The hart id in a0 is the caller's: here vCPU 2 suspends while 0 and 1
 * are stopped. */
static void test_sbi_susp_resume_a0_is_callers_hart_id(void **state)
{
	(void)state;
	V(0)->state = VCPU_STOPPED;
	V(2)->state = VCPU_RUNNING;
	assert_int_equal(suspend(V(2), 0, RESUME + 0x40, 5), RESUME_JUMP);
	assert_int_equal(A0(V(2)), 2);
	assert_int_equal(A1(V(2)), 5);
	assert_int_equal(V(2)->arch->regs.pc, RESUME + 0x40);
	assert_int_equal(V(2)->state, VCPU_BLOCKED);
	assert_true(f->vm.suspended);
}

/* sleep_type is 32 bits wide: the upper half of a0 is not part of it. */
static void test_sbi_susp_sleep_type_uses_low_32_bits(void **state)
{
	(void)state;
	assert_int_equal(suspend(V(0), 0xffffffff00000000UL, RESUME, 1), RESUME_JUMP);
	assert_true(f->vm.suspended);
	V(0)->state = VCPU_RUNNING;
	f->vm.suspended = false;
	assert_int_equal(suspend(V(0), 0x1UL | (1UL << 32), RESUME, 1), RESUME_NEXT);
	assert_int_equal(A0(V(0)), SBI_ERR_INVALID_PARAM);
}

/* Table "SUSP System Suspend Errors": a reserved type, or a
 * platform-specific one not implemented (none is), is INVALID_PARAM. */
static void test_sbi_susp_other_sleep_types_invalid_param(void **state)
{
	static const unsigned long types[] = {
		0x00000001, 0x00000002, 0x0fffffff, 0x7fffffff,    /* reserved */
		0x80000000, 0x80000001, 0xfffffffe, 0xffffffff,    /* platform-specific */
	};

	(void)state;
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		assert_refused(V(0), suspend(V(0), types[i], RESUME, OPAQUE), SBI_ERR_INVALID_PARAM);
}

/* SUSPEND_TO_RAM needs "all but the calling hart" in HSM STOPPED; any
 * other HSM state is an unsatisfied entry criterion: DENIED. */
static void test_sbi_susp_other_vcpu_not_stopped_denied(void **state)
{
	static const enum vcpu_state busy[] = { VCPU_RUNNING, VCPU_RUNNABLE, VCPU_BLOCKED };

	(void)state;
	for (size_t i = 0; i < sizeof(busy) / sizeof(busy[0]); i++) {
		for (unsigned other = 1; other < 3; other++) {
			V(other)->state = busy[i];
			assert_refused(V(0), suspend(V(0), 0, RESUME, OPAQUE), SBI_ERR_DENIED);
			V(other)->state = VCPU_STOPPED;
		}
	}
	/* HSM SUSPENDED (blocked by hart_suspend) is not STOPPED either. */
	V(1)->state = VCPU_BLOCKED;
	V(1)->hsm.suspended = 1;
	assert_refused(V(0), suspend(V(0), 0, RESUME, OPAQUE), SBI_ERR_DENIED);
}

/* A hart_start under way: START_PENDING, not STOPPED. */
static void test_sbi_susp_start_pending_vcpu_denied(void **state)
{
	(void)state;
	V(2)->hsm.starting = 1;
	assert_refused(V(0), suspend(V(0), 0, RESUME, OPAQUE), SBI_ERR_DENIED);
	V(2)->hsm.starting = 0;
	assert_int_equal(suspend(V(0), 0, RESUME, OPAQUE), RESUME_JUMP);
}

/* Stopped (or halted with the VM going away, which HSM reports as
 * STOPPED) others let it through. */
static void test_sbi_susp_stopped_others_allowed(void **state)
{
	(void)state;
	V(1)->state = VCPU_STOPPED;
	V(2)->state = VCPU_HALTED;
	assert_int_equal(suspend(V(0), 0, RESUME, OPAQUE), RESUME_JUMP);
	assert_int_equal(V(0)->state, VCPU_BLOCKED);
}

/* resume_addr must be somewhere the vCPU can execute with satp 0: guest
 * RAM, both bytes of an instruction parcel. */
static void test_sbi_susp_bad_resume_addr_invalid_address(void **state)
{
	static const unsigned long bad[] = {
		0, FAKE_MMIO_BASE, FAKE_RAM_BASE - 2, RAM_END, RAM_END - 1,
		RAM_END + 0x100000, ~0UL, ~1UL,
	};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_refused(V(0), suspend(V(0), 0, bad[i], OPAQUE), SBI_ERR_INVALID_ADDRESS);
	/* The RAM edges are fine. */
	assert_int_equal(suspend(V(0), 0, RAM_END - 2, OPAQUE), RESUME_JUMP);
	assert_int_equal(V(0)->arch->regs.pc, RAM_END - 2);
}

/* Several things wrong: the type first, then the entry criteria, then the
 * address (OpenSBI's order). */
static void test_sbi_susp_error_precedence(void **state)
{
	(void)state;
	V(1)->state = VCPU_RUNNING;
	assert_refused(V(0), suspend(V(0), 1, 0, OPAQUE), SBI_ERR_INVALID_PARAM);
	assert_refused(V(0), suspend(V(0), 0, 0, OPAQUE), SBI_ERR_DENIED);
	V(1)->state = VCPU_STOPPED;
	assert_refused(V(0), suspend(V(0), 0, 0, OPAQUE), SBI_ERR_INVALID_ADDRESS);
}

static void test_sbi_susp_unknown_fid_not_supported(void **state)
{
	static const unsigned long fids[] = { 1, 2, 0x7fffffff, ~0UL };
	struct trap_info t = { 0 };

	(void)state;
	for (size_t i = 0; i < sizeof(fids) / sizeof(fids[0]); i++) {
		fake_set_ecall(V(0), SBI_EXT_SUSP, fids[i], 0, RESUME, 0, 0, 0, 0);
		assert_int_equal(sbi_dispatch(V(0), &t, 4), RESUME_NEXT);
		assert_int_equal(A0(V(0)), SBI_ERR_NOT_SUPPORTED);
	}
	assert_int_equal(V(0)->state, VCPU_RUNNING);
	assert_false(f->vm.suspended);
}

/* A VM loaded again starts its count afresh. */
static void test_sbi_susp_vcpu_reset_clears_count(void **state)
{
	(void)state;
	assert_int_equal(suspend(V(0), 0, RESUME, OPAQUE), RESUME_JUMP);
	V(0)->state = VCPU_RUNNING;
	f->vm.suspended = false;
	assert_int_equal(suspend(V(0), 0, RESUME, OPAQUE), RESUME_JUMP);
	assert_int_equal(f->vm.sbi.susp.suspends, 2);
	sbi_vcpu_reset(V(0));
	assert_int_equal(f->vm.sbi.susp.suspends, 0);
}

#define T1(fn) cmocka_unit_test_setup_teardown(fn, setup1, teardown)
#define T3(fn) cmocka_unit_test_setup_teardown(fn, setup3, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T1(test_sbi_susp_is_an_extension),
		T1(test_sbi_susp_suspend_to_ram_resumes_at_addr),
		T3(test_sbi_susp_resume_a0_is_callers_hart_id),
		T1(test_sbi_susp_sleep_type_uses_low_32_bits),
		T1(test_sbi_susp_other_sleep_types_invalid_param),
		T3(test_sbi_susp_other_vcpu_not_stopped_denied),
		T3(test_sbi_susp_start_pending_vcpu_denied),
		T3(test_sbi_susp_stopped_others_allowed),
		T1(test_sbi_susp_bad_resume_addr_invalid_address),
		T3(test_sbi_susp_error_precedence),
		T1(test_sbi_susp_unknown_fid_not_supported),
		T1(test_sbi_susp_vcpu_reset_clears_count),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
