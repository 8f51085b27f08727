/*
 * Unit tests of src/core/sbi/sbi_fwft.c: SBI v3.0, chapter 18 "Firmware
 * Features Extension". Every defined feature through set and get, every
 * error path of each (NOT_SUPPORTED, DENIED, INVALID_PARAM for values and
 * flags, DENIED_LOCKED), the LOCK flag, per-vCPU state and its reset (VM
 * reset, HSM hart_start; kept over non-retentive suspend). On fake VMs
 * (tests/unit/fakes/fake_vm.c), each ECALL made as the trap dispatcher
 * makes it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "arch/riscv/vcpu_arch.h"
#include "core/engine.h"
#include "core/sbi/sbi.h"
#include "fakes/fake_vm.h"

#define A0(v)   ((long)(v)->arch->regs.x[10])
#define A1(v)   ((long)(v)->arch->regs.x[11])
#define LOCK    SBI_FWFT_SET_FLAG_LOCK
#define MISALIGNED SBI_FWFT_MISALIGNED_EXC_DELEG

static struct fake_vm *f;

static int setup2(void **state)
{
	(void)state;
	f = fake_vm_create(2);
	/* as vm.c does when it loads a VM */
	for (unsigned i = 0; i < 2; i++)
		sbi_vcpu_reset(&f->vcpus[i]);
	fake_forget_calls(f);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	fake_vm_destroy(f);
	f = NULL;
	return 0;
}

static struct vcpu *V(unsigned i)
{
	return &f->vcpus[i];
}

/* One v0.2+ ECALL that must return to the caller; a0 and a1 are checked
 * by the callers. */
static void ecall(struct vcpu *v, unsigned long fid, unsigned long a0, unsigned long a1,
		  unsigned long a2)
{
	struct trap_info t;

	memset(&t, 0, sizeof(t));
	v->arch->regs.pc = 0x80001000;
	fake_set_ecall(v, SBI_EXT_FWFT, fid, a0, a1, a2, 0x5a5a, 0x5a5a, 0x5a5a);
	assert_int_equal(sbi_dispatch(v, &t, 4), RESUME_NEXT);
	assert_int_equal(t.insn_len, 4);
}

static void assert_set(struct vcpu *v, unsigned long feature, unsigned long value,
		       unsigned long flags, long error)
{
	ecall(v, SBI_FWFT_SET, feature, value, flags);
	assert_int_equal(A0(v), error);
	assert_int_equal(A1(v), 0);
}

static void assert_get(struct vcpu *v, unsigned long feature, long error, long value)
{
	ecall(v, SBI_FWFT_GET, feature, 0xdead, 0xbeef);
	assert_int_equal(A0(v), error);
	assert_int_equal(A1(v), value);
}

/* ---- the extension ---------------------------------------------------- */

static void test_sbi_fwft_probed_and_ids(void **state)
{
	struct trap_info t = { 0 };

	(void)state;
	/* v3.0 numbering: EID "FWFT", set 0, get 1, features 0-5 */
	assert_int_equal(SBI_EXT_FWFT, 0x46574654);
	assert_int_equal(SBI_FWFT_SET, 0);
	assert_int_equal(SBI_FWFT_GET, 1);
	assert_int_equal(SBI_FWFT_PTE_AD_HW_UPDATING, 4);
	assert_int_equal(SBI_FWFT_POINTER_MASKING_PMLEN, 5);
	fake_set_ecall(V(1), SBI_EXT_BASE, SBI_BASE_PROBE_EXTENSION, SBI_EXT_FWFT, 0, 0, 0, 0, 0);
	assert_int_equal(sbi_dispatch(V(1), &t, 4), RESUME_NEXT);
	assert_int_equal(A0(V(1)), SBI_SUCCESS);
	assert_int_equal(A1(V(1)), 1);
}

static void test_sbi_fwft_unknown_fid_not_supported(void **state)
{
	static const unsigned long fids[] = { 2, 3, 0x100, 0x7fffffff, -1UL };

	(void)state;
	for (size_t i = 0; i < sizeof(fids) / sizeof(fids[0]); i++) {
		ecall(V(0), fids[i], MISALIGNED, 1, 0);
		assert_int_equal(A0(V(0)), SBI_ERR_NOT_SUPPORTED);
		assert_int_equal(A1(V(0)), 0);
	}
	assert_get(V(0), MISALIGNED, SBI_SUCCESS, 0);
}

/* Only a0 and a1 change; the pc is the dispatcher's; no core call made. */
static void test_sbi_fwft_touches_nothing_else(void **state)
{
	(void)state;
	assert_set(V(0), MISALIGNED, 1, LOCK, SBI_SUCCESS);
	assert_int_equal(V(0)->arch->regs.x[12], LOCK);
	assert_int_equal(V(0)->arch->regs.x[13], 0x5a5a);
	assert_int_equal(V(0)->arch->regs.x[16], SBI_FWFT_SET);
	assert_int_equal(V(0)->arch->regs.x[17], SBI_EXT_FWFT);
	assert_int_equal(V(0)->arch->regs.pc, 0x80001000);
	assert_get(V(0), SBI_FWFT_SHADOW_STACK, SBI_ERR_NOT_SUPPORTED, 0);
	assert_get(V(0), 0x80000000, SBI_ERR_DENIED, 0);
	assert_int_equal(f->ncalls, 0);
}

/* ---- MISALIGNED_EXC_DELEG: supported ---------------------------------- */

/* Reset value: implementation-defined; Trapeze's is 0, as OpenSBI's. */
static void test_sbi_fwft_misaligned_resets_to_zero(void **state)
{
	(void)state;
	assert_get(V(0), MISALIGNED, SBI_SUCCESS, 0);
	assert_get(V(1), MISALIGNED, SBI_SUCCESS, 0);
}

static void test_sbi_fwft_misaligned_set_both_values(void **state)
{
	(void)state;
	assert_set(V(0), MISALIGNED, 1, 0, SBI_SUCCESS);
	assert_get(V(0), MISALIGNED, SBI_SUCCESS, 1);
	/* setting the value it has succeeds too */
	assert_set(V(0), MISALIGNED, 1, 0, SBI_SUCCESS);
	assert_get(V(0), MISALIGNED, SBI_SUCCESS, 1);
	assert_set(V(0), MISALIGNED, 0, 0, SBI_SUCCESS);
	assert_get(V(0), MISALIGNED, SBI_SUCCESS, 0);
	assert_set(V(0), MISALIGNED, 0, 0, SBI_SUCCESS);
	assert_get(V(0), MISALIGNED, SBI_SUCCESS, 0);
}

/* A local feature: each hart has its own value. */
static void test_sbi_fwft_misaligned_is_per_vcpu(void **state)
{
	(void)state;
	assert_set(V(1), MISALIGNED, 1, 0, SBI_SUCCESS);
	assert_get(V(1), MISALIGNED, SBI_SUCCESS, 1);
	assert_get(V(0), MISALIGNED, SBI_SUCCESS, 0);
	assert_int_equal(V(1)->sbi.fwft.value[MISALIGNED], 1);
	assert_int_equal(V(0)->sbi.fwft.value[MISALIGNED], 0);
}

/* "Provided value ... is invalid": anything but 0 and 1, the whole
 * register counting (value is an unsigned long, not 32 bits). */
static void test_sbi_fwft_misaligned_invalid_value(void **state)
{
	static const unsigned long bad[] = {
		2, 3, 0xFFFFFFFF, 1UL << 32, (1UL << 32) | 1, 1UL << 63, -1UL,
	};

	(void)state;
	assert_set(V(0), MISALIGNED, 1, 0, SBI_SUCCESS);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_set(V(0), MISALIGNED, bad[i], 0, SBI_ERR_INVALID_PARAM);
		/* with LOCK too: and then it does not lock */
		assert_set(V(0), MISALIGNED, bad[i], LOCK, SBI_ERR_INVALID_PARAM);
		assert_get(V(0), MISALIGNED, SBI_SUCCESS, 1);
	}
	assert_int_equal(V(0)->sbi.fwft.locked, 0);
	assert_set(V(0), MISALIGNED, 0, 0, SBI_SUCCESS);
}

/* Flags: BIT[0] is LOCK, BIT[XLEN-1:1] reserved and must be zero. */
static void test_sbi_fwft_misaligned_invalid_flags(void **state)
{
	static const unsigned long bad[] = { 2, 3, 0x80, 1UL << 32, 1UL << 63, -1UL, -2UL };

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_set(V(0), MISALIGNED, 1, bad[i], SBI_ERR_INVALID_PARAM);
		assert_get(V(0), MISALIGNED, SBI_SUCCESS, 0);
	}
	assert_int_equal(V(0)->sbi.fwft.locked, 0);
	/* still settable and lockable afterwards */
	assert_set(V(0), MISALIGNED, 1, LOCK, SBI_SUCCESS);
}

/* LOCK: the value holds until hart reset; every later set is
 * DENIED_LOCKED, the same value included, with or without LOCK; get
 * still reads it. */
static void test_sbi_fwft_misaligned_lock(void **state)
{
	static const unsigned long values[] = { 0, 1 };

	(void)state;
	assert_set(V(0), MISALIGNED, 1, LOCK, SBI_SUCCESS);
	assert_get(V(0), MISALIGNED, SBI_SUCCESS, 1);
	for (size_t i = 0; i < 2; i++) {
		assert_set(V(0), MISALIGNED, values[i], 0, SBI_ERR_DENIED_LOCKED);
		assert_set(V(0), MISALIGNED, values[i], LOCK, SBI_ERR_DENIED_LOCKED);
	}
	assert_get(V(0), MISALIGNED, SBI_SUCCESS, 1);
	/* the other hart's feature is its own */
	assert_get(V(1), MISALIGNED, SBI_SUCCESS, 0);
	assert_set(V(1), MISALIGNED, 1, 0, SBI_SUCCESS);
	assert_set(V(1), MISALIGNED, 0, LOCK, SBI_SUCCESS);
	assert_set(V(1), MISALIGNED, 1, 0, SBI_ERR_DENIED_LOCKED);
	assert_get(V(1), MISALIGNED, SBI_SUCCESS, 0);
	assert_get(V(0), MISALIGNED, SBI_SUCCESS, 1);
}

/* On a locked feature: reserved flag bits are still INVALID_PARAM (flags
 * are checked before the lock), an invalid value is DENIED_LOCKED (the lock
 * before the value). Nothing changes either way. */
static void test_sbi_fwft_misaligned_locked_error_order(void **state)
{
	(void)state;
	assert_set(V(0), MISALIGNED, 0, LOCK, SBI_SUCCESS);
	assert_set(V(0), MISALIGNED, 1, 2, SBI_ERR_INVALID_PARAM);
	assert_set(V(0), MISALIGNED, 2, 0, SBI_ERR_DENIED_LOCKED);
	assert_set(V(0), MISALIGNED, 2, LOCK, SBI_ERR_DENIED_LOCKED);
	assert_get(V(0), MISALIGNED, SBI_SUCCESS, 0);
}

/* feature is a uint32_t: the upper half of a0 is ignored (chapter 3). */
static void test_sbi_fwft_feature_upper_bits_ignored(void **state)
{
	(void)state;
	assert_set(V(0), (1UL << 32) | MISALIGNED, 1, 0, SBI_SUCCESS);
	assert_get(V(0), MISALIGNED, SBI_SUCCESS, 1);
	assert_get(V(0), 0xFFFFFFFF00000000UL | MISALIGNED, SBI_SUCCESS, 1);
	/* and a reserved id stays reserved, a known one known, whatever is above */
	assert_get(V(0), (1UL << 40) | SBI_FWFT_LOCAL_RESERVED_START, SBI_ERR_DENIED, 0);
	assert_get(V(0), (1UL << 40) | SBI_FWFT_LANDING_PAD, SBI_ERR_NOT_SUPPORTED, 0);
}

/* ---- the features this CPU cannot support ----------------------------- */

/*
 * LANDING_PAD (Zicfilp), SHADOW_STACK (Zicfiss), DOUBLE_TRAP (Ssdbltrp),
 * PTE_AD_HW_UPDATING (Svadu), POINTER_MASKING_PMLEN (Ssnpm/Smnpm): defined,
 * so not DENIED, but their dependencies are missing: NOT_SUPPORTED for get
 * (value 0) and for every set, whatever the value and flags (the feature is
 * checked first), and a set changes nothing.
 */
static void test_sbi_fwft_unsupported_features(void **state)
{
	static const unsigned long feats[] = {
		SBI_FWFT_LANDING_PAD, SBI_FWFT_SHADOW_STACK, SBI_FWFT_DOUBLE_TRAP,
		SBI_FWFT_PTE_AD_HW_UPDATING, SBI_FWFT_POINTER_MASKING_PMLEN,
	};
	static const unsigned long values[] = { 0, 1, 2, 7, 16, -1UL };
	static const unsigned long flags[] = { 0, LOCK, 2, -1UL };

	(void)state;
	for (size_t i = 0; i < sizeof(feats) / sizeof(feats[0]); i++) {
		for (unsigned c = 0; c < 2; c++)
			assert_get(V(c), feats[i], SBI_ERR_NOT_SUPPORTED, 0);
		for (size_t j = 0; j < sizeof(values) / sizeof(values[0]); j++)
			for (size_t k = 0; k < sizeof(flags) / sizeof(flags[0]); k++)
				assert_set(V(0), feats[i], values[j], flags[k], SBI_ERR_NOT_SUPPORTED);
		assert_int_equal(V(0)->sbi.fwft.value[feats[i]], 0);
	}
	assert_int_equal(V(0)->sbi.fwft.locked, 0);
	/* and MISALIGNED_EXC_DELEG is untouched by all that */
	assert_get(V(0), MISALIGNED, SBI_SUCCESS, 0);
	assert_set(V(0), MISALIGNED, 1, 0, SBI_SUCCESS);
}

/* ---- reserved and platform-specific ids -------------------------------- */

/* "feature is reserved or is platform-specific and unimplemented":
 * DENIED for get (value 0) and set, at both ends of each range, local and
 * global, whatever the value and flags. */
static void test_sbi_fwft_reserved_and_platform_denied(void **state)
{
	static const unsigned long ids[] = {
		0x00000006, 0x00000007, 0x12345678, 0x3fffffff,    /* local reserved */
		0x40000000, 0x40000001, 0x7fffffff,                /* local platform-specific */
		0x80000000, 0x80000005, 0xbfffffff,                /* global reserved */
		0xc0000000, 0xc0000001, 0xffffffff,                /* global platform-specific */
	};
	static const unsigned long flags[] = { 0, LOCK, 2 };

	(void)state;
	assert_int_equal(SBI_FWFT_LOCAL_RESERVED_START, 6);
	assert_int_equal(SBI_FWFT_LOCAL_PLATFORM_START, 0x40000000);
	assert_int_equal(SBI_FWFT_GLOBAL_RESERVED_START, 0x80000000);
	assert_int_equal(SBI_FWFT_GLOBAL_PLATFORM_START, 0xc0000000);
	for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		assert_get(V(1), ids[i], SBI_ERR_DENIED, 0);
		for (size_t k = 0; k < sizeof(flags) / sizeof(flags[0]); k++) {
			assert_set(V(1), ids[i], 0, flags[k], SBI_ERR_DENIED);
			assert_set(V(1), ids[i], 1, flags[k], SBI_ERR_DENIED);
		}
	}
	assert_int_equal(V(1)->sbi.fwft.locked, 0);
	assert_get(V(1), MISALIGNED, SBI_SUCCESS, 0);
}

/* ---- reset ------------------------------------------------------------- */

/* VM load and reset: the descriptor's vcpu_reset hook puts every local
 * feature back to its reset value, unlocked ("Upon system reset, global
 * and local feature values are reset"). */
static void test_sbi_fwft_vm_reset_unlocks(void **state)
{
	(void)state;
	assert_set(V(0), MISALIGNED, 1, LOCK, SBI_SUCCESS);
	assert_set(V(1), MISALIGNED, 1, 0, SBI_SUCCESS);
	for (unsigned i = 0; i < 2; i++)
		sbi_vcpu_reset(V(i));
	assert_get(V(0), MISALIGNED, SBI_SUCCESS, 0);
	assert_get(V(1), MISALIGNED, SBI_SUCCESS, 0);
	assert_set(V(0), MISALIGNED, 1, 0, SBI_SUCCESS);
	assert_get(V(0), MISALIGNED, SBI_SUCCESS, 1);
}

/* A stopped hart started again by HSM hart_start has been reset: its local
 * features are back to their reset values, unlocked ("Upon hart reset,
 * local feature values are not retained"); the caller's are its own. */
static void test_sbi_fwft_hart_start_resets_target(void **state)
{
	struct trap_info t = { 0 };

	(void)state;
	V(1)->state = VCPU_RUNNING;
	assert_set(V(1), MISALIGNED, 1, LOCK, SBI_SUCCESS);
	assert_set(V(0), MISALIGNED, 1, LOCK, SBI_SUCCESS);
	V(1)->state = VCPU_STOPPED;     /* it called hart_stop */
	fake_set_ecall(V(0), SBI_EXT_HSM, SBI_HSM_HART_START, 1, FAKE_RAM_BASE, 0, 0, 0, 0);
	assert_int_equal(sbi_dispatch(V(0), &t, 4), RESUME_NEXT);
	assert_int_equal(A0(V(0)), SBI_SUCCESS);
	assert_int_equal(fake_count(f, FAKE_RESET), 1);
	V(1)->state = VCPU_RUNNING;
	assert_get(V(1), MISALIGNED, SBI_SUCCESS, 0);
	assert_set(V(1), MISALIGNED, 1, 0, SBI_SUCCESS);
	assert_get(V(0), MISALIGNED, SBI_SUCCESS, 1);
	assert_set(V(0), MISALIGNED, 0, 0, SBI_ERR_DENIED_LOCKED);
}

/* A failed hart_start (the hart runs) resets nothing. */
static void test_sbi_fwft_failed_hart_start_keeps_state(void **state)
{
	struct trap_info t = { 0 };

	(void)state;
	V(1)->state = VCPU_RUNNING;
	assert_set(V(1), MISALIGNED, 1, LOCK, SBI_SUCCESS);
	fake_set_ecall(V(0), SBI_EXT_HSM, SBI_HSM_HART_START, 1, FAKE_RAM_BASE, 0, 0, 0, 0);
	assert_int_equal(sbi_dispatch(V(0), &t, 4), RESUME_NEXT);
	assert_int_equal(A0(V(0)), SBI_ERR_ALREADY_AVAILABLE);
	assert_get(V(1), MISALIGNED, SBI_SUCCESS, 1);
	assert_set(V(1), MISALIGNED, 0, 0, SBI_ERR_DENIED_LOCKED);
}

/* "During non-retentive suspend, feature values are retained and restored
 * by the SBI when resuming": and so is the lock. */
static void test_sbi_fwft_non_retentive_suspend_keeps_state(void **state)
{
	struct trap_info t = { 0 };

	(void)state;
	assert_set(V(0), MISALIGNED, 1, LOCK, SBI_SUCCESS);
	fake_set_ecall(V(0), SBI_EXT_HSM, SBI_HSM_HART_SUSPEND, SBI_HSM_SUSPEND_NON_RET_DEFAULT,
		       FAKE_RAM_BASE + 0x100, 0, 0, 0, 0);
	assert_int_equal(sbi_dispatch(V(0), &t, 4), RESUME_JUMP);
	V(0)->state = VCPU_RUNNING;     /* woken */
	assert_get(V(0), MISALIGNED, SBI_SUCCESS, 1);
	assert_set(V(0), MISALIGNED, 0, 0, SBI_ERR_DENIED_LOCKED);
}

#define T2(fn) cmocka_unit_test_setup_teardown(fn, setup2, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T2(test_sbi_fwft_probed_and_ids),
		T2(test_sbi_fwft_unknown_fid_not_supported),
		T2(test_sbi_fwft_touches_nothing_else),
		T2(test_sbi_fwft_misaligned_resets_to_zero),
		T2(test_sbi_fwft_misaligned_set_both_values),
		T2(test_sbi_fwft_misaligned_is_per_vcpu),
		T2(test_sbi_fwft_misaligned_invalid_value),
		T2(test_sbi_fwft_misaligned_invalid_flags),
		T2(test_sbi_fwft_misaligned_lock),
		T2(test_sbi_fwft_misaligned_locked_error_order),
		T2(test_sbi_fwft_feature_upper_bits_ignored),
		T2(test_sbi_fwft_unsupported_features),
		T2(test_sbi_fwft_reserved_and_platform_denied),
		T2(test_sbi_fwft_vm_reset_unlocks),
		T2(test_sbi_fwft_hart_start_resets_target),
		T2(test_sbi_fwft_failed_hart_start_keeps_state),
		T2(test_sbi_fwft_non_retentive_suspend_keeps_state),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
