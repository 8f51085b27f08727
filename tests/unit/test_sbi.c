/*
 * Unit tests of src/core/sbi/: lookup, dispatch, hart masks, BASE (SBI
 * v3.0, truthful probing, the extensions left out) and every function of
 * the extensions Trapeze had before v3.0 (TIME, IPI, RFENCE, HSM, SRST,
 * DBCN, legacy), audited against v3.0; each v3.0 extension of its own has
 * its own test_sbi_<ext>.c. On fake VMs
 * (tests/unit/fakes/fake_vm.c) that record what the SBI layer asks the core
 * to do. Each ECALL is made the way the trap dispatcher makes it: registers
 * set, sbi_dispatch called, registers and recorded calls inspected.
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

#define SENTINEL(i)     (0xa5a5000000000000ULL | (uint64_t)(i))
#define RAM_END         (FAKE_RAM_BASE + FAKE_RAM_SIZE)
#define A0(v)           ((long)(v)->arch->regs.x[10])
#define A1(v)           ((long)(v)->arch->regs.x[11])
#define ALL_HARTS       (-1UL)

/* An extension only this test has, in the Experimental Extension Space
 * (0x08000000-0x08FFFFFF): it returns host status a0 and result (a1, a2),
 * to test how sbi_dispatch treats what handlers return. Defining it here
 * and nowhere else also shows the section mechanism needs no central list. */
#define TEST_EID        0x08000000UL

static int unit_test_handle(struct vcpu *v, unsigned long eid, unsigned long fid,
			    const unsigned long args[6], struct sbi_ret *ret)
{
	(void)v, (void)eid, (void)fid;
	ret->error = (long)args[1];
	ret->value = (long)args[2];
	ret->resume_pc = args[3];
	ret->fault_cause = args[4];
	ret->fault_tval = args[5];
	return (int)(long)args[0];
}

SBI_EXTENSION(unit_test) = {
	.name = "unit-test",
	.eid_min = TEST_EID,
	.eid_max = TEST_EID,
	.handle = unit_test_handle,
};

/* A second one with a probe hook, answering what probe_answer says for
 * vCPU 0 and the opposite for the others (the hook sees the vCPU). */
#define PROBED_EID      0x08000001UL

static bool probe_answer;
static unsigned probed_calls;

static bool probed_probe(struct vcpu *v)
{
	return v->vm->vcpus[0] == v ? probe_answer : !probe_answer;
}

static int probed_handle(struct vcpu *v, unsigned long eid, unsigned long fid,
			 const unsigned long args[6], struct sbi_ret *ret)
{
	(void)v, (void)eid, (void)fid, (void)args;
	probed_calls++;
	ret->value = 77;
	return SBI_RESUME_NEXT;
}

SBI_EXTENSION(unit_probed) = {
	.name = "unit-probed",
	.eid_min = PROBED_EID,
	.eid_max = PROBED_EID,
	.handle = probed_handle,
	.probe = probed_probe,
};

/* SBI v3.0 extensions Trapeze leaves out (sbi_base.c says why). */
static const unsigned long left_out_eids[] = {
	SBI_EXT_DBTR, SBI_EXT_CPPC, SBI_EXT_NACL, SBI_EXT_MPXY,
};
#define NLEFT_OUT (sizeof(left_out_eids) / sizeof(left_out_eids[0]))

static struct fake_vm *f;

static int setup2(void **state)
{
	(void)state;
	f = fake_vm_create(2);
	return 0;
}

static int setup3(void **state)
{
	(void)state;
	f = fake_vm_create(3);
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

/* What the last ECALL asked of the dispatcher. */
static struct trap_info last;

/* Every register gets a sentinel, then a0-a7 the call; returns the host
 * status the result stands for (SBI_RESUME_*, or -1 when the VM was
 * stopped for a Trapeze failure), after doing what the dispatcher would
 * do with the pc for a jump. */
static int ecall_args(struct vcpu *v, unsigned long eid, unsigned long fid, const unsigned long a[6])
{
	for (unsigned i = 1; i < 32; i++)
		v->arch->regs.x[i] = SENTINEL(i);
	v->arch->regs.pc = 0x80001000;
	fake_set_ecall(v, eid, fid, a[0], a[1], a[2], a[3], a[4], a[5]);
	unsigned stops = fake_count(f, FAKE_VM_STOP);
	memset(&last, 0, sizeof(last));
	switch (sbi_dispatch(v, &last, 4)) {
	case RESUME_NEXT:
		assert_int_equal(last.insn_len, 4);
		return SBI_RESUME_NEXT;
	case RESUME_JUMP:
		v->arch->regs.pc = last.jump_pc;
		return SBI_RESUME_JUMP;
	case RESUME_INJECT:
		/* Delivered as the firmware redirects: pc = raw stvec. */
		assert_true(last.inject_redirected);
		return SBI_RESUME_INJECT;
	case RESUME_HALT:
		return fake_count(f, FAKE_VM_STOP) > stops ? -1 : SBI_RESUME_NONE;
	default:
		fail();
	}
	return -2;
}
#define ECALL(v, eid, fid, ...) \
	ecall_args((v), (eid), (fid), (const unsigned long[6]){ __VA_ARGS__ })

/* a0 and a1 of a v0.2+ call that must have returned to the guest. */
static void assert_ret(struct vcpu *v, int status, long error, long value)
{
	assert_int_equal(status, SBI_RESUME_NEXT);
	assert_int_equal(A0(v), error);
	assert_int_equal(A1(v), value);
}

static void assert_regs_untouched(struct vcpu *v, unsigned from, unsigned to)
{
	for (unsigned i = from; i <= to; i++)
		assert_int_equal(v->arch->regs.x[i], SENTINEL(i));
}

static void put_ram(uint64_t gpa, const void *buf, size_t len)
{
	assert_true(gpa >= FAKE_RAM_BASE && gpa + len <= RAM_END);
	memcpy(f->ram + (gpa - FAKE_RAM_BASE), buf, len);
}

static void put_ram_ulong(uint64_t gpa, unsigned long val)
{
	put_ram(gpa, &val, sizeof(val));
}

static long hart_status(struct vcpu *caller, unsigned long hartid)
{
	int st = ECALL(caller, SBI_EXT_HSM, SBI_HSM_HART_GET_STATUS, hartid);

	assert_int_equal(st, SBI_RESUME_NEXT);
	assert_int_equal(A0(caller), SBI_SUCCESS);
	return A1(caller);
}

/* ---- lookup ----------------------------------------------------------- */

static void test_sbi_find_ext_known_eids(void **state)
{
	static const struct { unsigned long eid; const char *name; } known[] = {
		{ SBI_EXT_BASE, "base" }, { SBI_EXT_TIME, "time" }, { SBI_EXT_IPI, "ipi" },
		{ SBI_EXT_RFENCE, "rfence" }, { SBI_EXT_HSM, "hsm" }, { SBI_EXT_SRST, "srst" },
		{ SBI_EXT_DBCN, "dbcn" }, { SBI_LEGACY_SET_TIMER, "legacy" },
		{ SBI_LEGACY_SHUTDOWN, "legacy" }, { SBI_EXT_FWFT, "fwft" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
		const struct sbi_ext *e = sbi_find_ext(known[i].eid);

		assert_non_null(e);
		assert_string_equal(e->name, known[i].name);
		assert_true(known[i].eid >= e->eid_min && known[i].eid <= e->eid_max);
		assert_int_equal(e->legacy, known[i].eid <= SBI_EXT_LEGACY_MAX);
	}
}

static void test_sbi_find_ext_unknown_is_null(void **state)
{
	(void)state;
	assert_null(sbi_find_ext(0x09));                /* reserved legacy */
	assert_null(sbi_find_ext(0x0F));
	assert_null(sbi_find_ext(0x11));
	for (size_t i = 0; i < NLEFT_OUT; i++)
		assert_null(sbi_find_ext(left_out_eids[i]));
	assert_null(sbi_find_ext(SBI_EXT_BASE | (1UL << 32)));
	assert_null(sbi_find_ext(-1UL));
}

static void test_sbi_ext_slots_roundtrip(void **state)
{
	unsigned n = 0;

	(void)state;
	while (sbi_ext_at(n))
		n++;
	/* At least the 9 extensions of this file's list (BASE .. FWFT) plus
	 * this file's two test ones (other v3.0 extensions add theirs), all
	 * countable. */
	assert_true(n >= 11);
	assert_true(n <= STATS_SBI_MAX);
	for (unsigned i = 0; i < n; i++) {
		const struct sbi_ext *e = sbi_ext_at(i);

		assert_int_equal(sbi_ext_slot(e), i);
		assert_ptr_equal(sbi_find_ext(e->eid_min), e);
		assert_non_null(e->handle);
		for (unsigned j = 0; j < i; j++)
			assert_string_not_equal(sbi_ext_at(j)->name, e->name);
	}
	assert_null(sbi_ext_at(n + 100));
}

/* ---- dispatch --------------------------------------------------------- */

static void test_sbi_dispatch_unknown_eid_not_supported(void **state)
{
	int st;

	(void)state;
	st = ECALL(V(0), 0x12345678, 0, 1, 2, 3);
	assert_ret(V(0), st, SBI_ERR_NOT_SUPPORTED, 0);
	assert_int_equal(f->vm.stats.sbi_unknown, 1);
	for (unsigned i = 0; i < STATS_SBI_MAX; i++)
		assert_int_equal(f->vm.stats.sbi_calls[i], 0);
	assert_int_equal(f->ncalls, 0);
}

/* EIDs are compared as the whole register: junk in the upper half is not BASE. */
static void test_sbi_dispatch_eid_upper_bits_not_ignored(void **state)
{
	int st;

	(void)state;
	st = ECALL(V(0), SBI_EXT_BASE | (1UL << 40), SBI_BASE_GET_SPEC_VERSION, 0);
	assert_ret(V(0), st, SBI_ERR_NOT_SUPPORTED, 0);
	assert_int_equal(f->vm.stats.sbi_unknown, 1);
}

static void test_sbi_dispatch_unknown_fid_not_supported(void **state)
{
	static const unsigned long exts[] = {
		SBI_EXT_BASE, SBI_EXT_TIME, SBI_EXT_IPI, SBI_EXT_RFENCE,
		SBI_EXT_HSM, SBI_EXT_SRST, SBI_EXT_DBCN, SBI_EXT_FWFT,
	};
	static const unsigned long fids[] = { 7, 0x1000, 0x7fffffff, -1UL };

	(void)state;
	for (size_t i = 0; i < sizeof(exts) / sizeof(exts[0]); i++) {
		unsigned slot = sbi_ext_slot(sbi_find_ext(exts[i]));

		for (size_t j = 0; j < sizeof(fids) / sizeof(fids[0]); j++) {
			int st = ECALL(V(0), exts[i], fids[j], 0, 0, 0);

			assert_ret(V(0), st, SBI_ERR_NOT_SUPPORTED, 0);
		}
		/* A call to a present extension counts there, whatever its FID. */
		assert_int_equal(f->vm.stats.sbi_calls[slot], 4);
	}
	assert_int_equal(f->vm.stats.sbi_unknown, 0);
	assert_int_equal(f->ncalls, 0);
}

static void test_sbi_dispatch_counts_calls_per_extension(void **state)
{
	unsigned base = sbi_ext_slot(sbi_find_ext(SBI_EXT_BASE));
	unsigned time = sbi_ext_slot(sbi_find_ext(SBI_EXT_TIME));
	unsigned legacy = sbi_ext_slot(sbi_find_ext(SBI_LEGACY_SET_TIMER));

	(void)state;
	ECALL(V(0), SBI_EXT_BASE, SBI_BASE_GET_SPEC_VERSION, 0);
	ECALL(V(1), SBI_EXT_BASE, SBI_BASE_GET_IMPL_ID, 0);
	ECALL(V(0), SBI_EXT_TIME, SBI_TIME_SET_TIMER, 5);
	ECALL(V(0), SBI_LEGACY_SET_TIMER, 0, 5);
	ECALL(V(0), SBI_LEGACY_CONSOLE_PUTCHAR, 0, 'x');
	ECALL(V(0), 0x0A, 0, 0);
	assert_int_equal(f->vm.stats.sbi_calls[base], 2);
	assert_int_equal(f->vm.stats.sbi_calls[time], 1);
	assert_int_equal(f->vm.stats.sbi_calls[legacy], 2);
	assert_int_equal(f->vm.stats.sbi_unknown, 1);
}

static void test_sbi_dispatch_preserves_other_registers(void **state)
{
	int st;

	(void)state;
	st = ECALL(V(0), SBI_EXT_BASE, SBI_BASE_GET_IMPL_VERSION, 0);
	assert_ret(V(0), st, SBI_SUCCESS, (long)SBI_IMPL_VERSION);
	assert_regs_untouched(V(0), 1, 9);
	/* a2..a7 keep the call's own values; the rest their sentinels. */
	assert_int_equal(V(0)->arch->regs.x[16], SBI_BASE_GET_IMPL_VERSION);
	assert_int_equal(V(0)->arch->regs.x[17], SBI_EXT_BASE);
	assert_regs_untouched(V(0), 18, 31);
	/* Only the trap dispatcher moves the pc. */
	assert_int_equal(V(0)->arch->regs.pc, 0x80001000);
}

static void test_sbi_dispatch_legacy_writes_a0_only(void **state)
{
	int st;

	(void)state;
	st = ECALL(V(0), SBI_LEGACY_SET_TIMER, 0, 1234);
	assert_int_equal(st, SBI_RESUME_NEXT);
	assert_int_equal(A0(V(0)), 0);
	assert_int_equal(V(0)->arch->regs.x[11], 0);     /* as the call set it */
	V(0)->arch->regs.x[11] = 0x5a5a;
	fake_set_ecall(V(0), SBI_LEGACY_SET_TIMER, 0, 99, 0x5a5a, 0, 0, 0, 0);
	assert_int_equal(sbi_dispatch(V(0), &last, 4), RESUME_NEXT);
	assert_int_equal(A0(V(0)), 0);
	assert_int_equal(A1(V(0)), 0x5a5a);
}

static void test_sbi_dispatch_reserved_legacy_eid_keeps_a1(void **state)
{
	int st;

	(void)state;
	st = ECALL(V(0), 0x09, 0, 0, 0x777);
	assert_int_equal(st, SBI_RESUME_NEXT);
	assert_int_equal(A0(V(0)), SBI_ERR_NOT_SUPPORTED);
	assert_int_equal(A1(V(0)), 0x777);
	assert_int_equal(f->vm.stats.sbi_unknown, 1);
	st = ECALL(V(0), 0x0F, 0, 0, 0x888);
	assert_int_equal(A0(V(0)), SBI_ERR_NOT_SUPPORTED);
	assert_int_equal(A1(V(0)), 0x888);
}

static void test_sbi_dispatch_host_failure_writes_nothing(void **state)
{
	int st;

	(void)state;
	st = ECALL(V(0), TEST_EID, 0, (unsigned long)-1L, 0, 42);
	assert_int_equal(st, -1);
	assert_int_equal(A0(V(0)), -1);         /* still the handler's argument */
	assert_int_equal(A1(V(0)), 0);
	assert_int_equal(f->vm.stats.sbi_calls[sbi_ext_slot(sbi_find_ext(TEST_EID))], 1);
}

static void test_sbi_dispatch_resume_same_and_none_write_nothing(void **state)
{
	int st;

	(void)state;
	st = ECALL(V(0), TEST_EID, 0, SBI_RESUME_JUMP, 7, 8, 0x80004000);
	assert_int_equal(st, SBI_RESUME_JUMP);
	assert_int_equal(A0(V(0)), SBI_RESUME_JUMP);
	assert_int_equal(A1(V(0)), 7);
	assert_int_equal(V(0)->arch->regs.pc, 0x80004000);
	st = ECALL(V(0), TEST_EID, 0, SBI_RESUME_INJECT, 7, 8, 0, 13, 0x1234);
	assert_int_equal(st, SBI_RESUME_INJECT);
	assert_int_equal(A0(V(0)), SBI_RESUME_INJECT);
	assert_int_equal(A1(V(0)), 7);
	assert_int_equal(last.inject_cause, 13);
	assert_int_equal(last.inject_tval, 0x1234);
	assert_int_equal(V(0)->arch->regs.pc, 0x80001000);
	st = ECALL(V(0), TEST_EID, 0, SBI_RESUME_NONE, 7, 8);
	assert_int_equal(st, SBI_RESUME_NONE);
	assert_int_equal(A0(V(0)), SBI_RESUME_NONE);
	st = ECALL(V(0), TEST_EID, 0, SBI_RESUME_NEXT, (unsigned long)SBI_ERR_DENIED, 8);
	assert_ret(V(0), st, SBI_ERR_DENIED, 8);
}

/* ---- hart masks ------------------------------------------------------- */

struct visit_log {
	struct vcpu *seen[16];
	unsigned n;
};

static void visit(struct vcpu *target, void *ctx)
{
	struct visit_log *log = ctx;

	assert_true(log->n < 16);
	log->seen[log->n++] = target;
}

static void test_sbi_hart_mask_single_bit(void **state)
{
	struct visit_log log = { 0 };

	(void)state;
	assert_int_equal(sbi_for_each_hart(&f->vm, 1UL << 1, 0, visit, &log), SBI_SUCCESS);
	assert_int_equal(log.n, 1);
	assert_ptr_equal(log.seen[0], V(1));
}

static void test_sbi_hart_mask_base_offsets_bits(void **state)
{
	struct visit_log log = { 0 };

	(void)state;
	assert_int_equal(sbi_for_each_hart(&f->vm, 0x3, 1, visit, &log), SBI_SUCCESS);
	assert_int_equal(log.n, 2);
	assert_ptr_equal(log.seen[0], V(1));
	assert_ptr_equal(log.seen[1], V(2));
}

static void test_sbi_hart_mask_base_minus_one_is_all(void **state)
{
	struct visit_log log = { 0 };

	(void)state;
	/* The mask is ignored, even one naming absent harts. */
	assert_int_equal(sbi_for_each_hart(&f->vm, 0xdeadbeef00, ALL_HARTS, visit, &log), SBI_SUCCESS);
	assert_int_equal(log.n, 3);
	for (unsigned i = 0; i < 3; i++)
		assert_ptr_equal(log.seen[i], V(i));
}

static void test_sbi_hart_mask_absent_hart_calls_nothing(void **state)
{
	struct visit_log log = { 0 };

	(void)state;
	/* Harts 0 and 1 exist, 2 does not: none is visited. */
	assert_int_equal(sbi_for_each_hart(&f->vm, 0x7, 0, visit, &log), SBI_ERR_INVALID_PARAM);
	assert_int_equal(log.n, 0);
	assert_int_equal(sbi_for_each_hart(&f->vm, 1UL << 63, 0, visit, &log), SBI_ERR_INVALID_PARAM);
	assert_int_equal(log.n, 0);
}

static void test_sbi_hart_mask_absent_base_invalid(void **state)
{
	struct visit_log log = { 0 };

	(void)state;
	assert_int_equal(sbi_for_each_hart(&f->vm, 1, 2, visit, &log), SBI_ERR_INVALID_PARAM);
	assert_int_equal(sbi_for_each_hart(&f->vm, 1, 1UL << 40, visit, &log), SBI_ERR_INVALID_PARAM);
	assert_int_equal(sbi_for_each_hart(&f->vm, 1, -2UL, visit, &log), SBI_ERR_INVALID_PARAM);
	assert_int_equal(log.n, 0);
}

/* base + bit past the top of the id space must not wrap onto hart 0 or 1. */
static void test_sbi_hart_mask_base_plus_bit_overflow_invalid(void **state)
{
	struct visit_log log = { 0 };

	(void)state;
	assert_int_equal(sbi_for_each_hart(&f->vm, 1UL << 2, -2UL, visit, &log), SBI_ERR_INVALID_PARAM);
	assert_int_equal(sbi_for_each_hart(&f->vm, 1UL << 3, -2UL, visit, &log), SBI_ERR_INVALID_PARAM);
	assert_int_equal(sbi_for_each_hart(&f->vm, 1UL << 63, 1UL << 63, visit, &log), SBI_ERR_INVALID_PARAM);
	assert_int_equal(log.n, 0);
}

static void test_sbi_hart_mask_empty_names_nobody(void **state)
{
	struct visit_log log = { 0 };

	(void)state;
	assert_int_equal(sbi_for_each_hart(&f->vm, 0, 0, visit, &log), SBI_SUCCESS);
	assert_int_equal(sbi_for_each_hart(&f->vm, 0, 12345, visit, &log), SBI_SUCCESS);
	assert_int_equal(log.n, 0);
}

/* ---- guest RAM ranges ------------------------------------------------- */

static void test_sbi_guest_ram_spans_adjacent_regions(void **state)
{
	static uint64_t pages[8];
	struct vm *vm = &f->vm;

	(void)state;
	/* Fake RAM: 16 pages at 0x80000000. Add two touching regions and one
	 * apart: [0x80010000, +2 pages) and [0x80012000, +1) and [0x90000000, +1). */
	assert_int_equal(realmap_add_ram(&vm->realmap, RAM_END, 2, pages), 0);
	assert_int_equal(realmap_add_ram(&vm->realmap, RAM_END + 0x2000, 1, pages), 0);
	assert_int_equal(realmap_add_ram(&vm->realmap, 0x90000000, 1, pages), 0);
	assert_true(realmap_ram_range(&vm->realmap, FAKE_RAM_BASE, FAKE_RAM_SIZE + 0x3000));
	assert_true(realmap_ram_range(&vm->realmap, RAM_END - 1, 2));
	assert_true(realmap_ram_range(&vm->realmap, RAM_END + 0x2fff, 1));
	assert_false(realmap_ram_range(&vm->realmap, FAKE_RAM_BASE, FAKE_RAM_SIZE + 0x3001));
	assert_false(realmap_ram_range(&vm->realmap, RAM_END + 0x2000, 0x90000000));
	assert_true(realmap_ram_range(&vm->realmap, 0x90000000, 0x1000));
	assert_false(realmap_ram_range(&vm->realmap, 0x8fffffff, 2));
	assert_false(realmap_ram_range(&vm->realmap, FAKE_MMIO_BASE, 1));
	assert_false(realmap_ram_range(&vm->realmap, FAKE_RAM_BASE, 0));
	assert_false(realmap_ram_range(&vm->realmap, FAKE_RAM_BASE, -1UL));
	assert_false(realmap_ram_range(&vm->realmap, -1UL, 2));
}

/* ---- BASE ------------------------------------------------------------- */

static void test_sbi_base_spec_version_is_3_0(void **state)
{
	int st;

	(void)state;
	st = ECALL(V(0), SBI_EXT_BASE, SBI_BASE_GET_SPEC_VERSION, 0);
	assert_ret(V(0), st, SBI_SUCCESS, 0x03000000);
	/* major in bits 30:24, minor in 23:0, bit 31 and above zero */
	assert_int_equal((A1(V(0)) >> 24) & 0x7f, 3);
	assert_int_equal(A1(V(0)) & 0xffffff, 0);
	assert_int_equal((unsigned long)A1(V(0)) >> 31, 0);
}

static void test_sbi_base_impl_id_and_version(void **state)
{
	int st;

	(void)state;
	st = ECALL(V(0), SBI_EXT_BASE, SBI_BASE_GET_IMPL_ID, 0);
	assert_ret(V(0), st, SBI_SUCCESS, 0x54525A50);
	assert_true(A1(V(0)) > 11);     /* not one of the spec's registered ids */
	st = ECALL(V(0), SBI_EXT_BASE, SBI_BASE_GET_IMPL_VERSION, 0);
	assert_ret(V(0), st, SBI_SUCCESS, 1);
}

static void test_sbi_base_probe_present_extensions(void **state)
{
	static const unsigned long present[] = {
		SBI_EXT_BASE, SBI_EXT_TIME, SBI_EXT_IPI, SBI_EXT_RFENCE, SBI_EXT_HSM,
		SBI_EXT_SRST, SBI_EXT_DBCN, SBI_EXT_FWFT,
		0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08,
	};

	(void)state;
	for (size_t i = 0; i < sizeof(present) / sizeof(present[0]); i++) {
		int st = ECALL(V(0), SBI_EXT_BASE, SBI_BASE_PROBE_EXTENSION, present[i]);

		assert_ret(V(0), st, SBI_SUCCESS, 1);
	}
}

static void test_sbi_base_probe_absent_extensions(void **state)
{
	static const unsigned long absent[] = {
		0x09, 0x0F, 0x11, 0x4442434F, 0x0afe0000, -1UL, SBI_EXT_HSM | (1UL << 32),
		SBI_EXT_FWFT | (1UL << 32),
	};

	(void)state;
	for (size_t i = 0; i < sizeof(absent) / sizeof(absent[0]); i++) {
		int st = ECALL(V(0), SBI_EXT_BASE, SBI_BASE_PROBE_EXTENSION, absent[i]);

		assert_ret(V(0), st, SBI_SUCCESS, 0);
	}
}

/* SBI v3.0 extensions Trapeze leaves out: probe 0, and every function of
 * theirs (the defined FIDs and beyond) is SBI_ERR_NOT_SUPPORTED, with a1
 * = 0 and nothing done. The ids are v3.0's: "DBTR", "CPPC", "NACL",
 * "MPXY". */
static void test_sbi_base_left_out_extensions_not_supported(void **state)
{
	(void)state;
	assert_int_equal(SBI_EXT_DBTR, 0x44425452);
	assert_int_equal(SBI_EXT_CPPC, 0x43505043);
	assert_int_equal(SBI_EXT_NACL, 0x4E41434C);
	assert_int_equal(SBI_EXT_MPXY, 0x4D505859);
	for (size_t i = 0; i < NLEFT_OUT; i++) {
		int st = ECALL(V(0), SBI_EXT_BASE, SBI_BASE_PROBE_EXTENSION, left_out_eids[i]);

		assert_ret(V(0), st, SBI_SUCCESS, 0);
		/* DBTR has FIDs 0-6, CPPC 0-3, NACL 0-4, MPXY 0-7 */
		for (unsigned long fid = 0; fid < 10; fid++) {
			st = ECALL(V(1), left_out_eids[i], fid, 0, FAKE_RAM_BASE, 0, 0, 0, 0);
			assert_ret(V(1), st, SBI_ERR_NOT_SUPPORTED, 0);
		}
	}
	assert_int_equal(f->vm.stats.sbi_unknown, NLEFT_OUT * 10);
	assert_int_equal(f->ncalls, 0);
}

/* A descriptor whose probe hook says no (for this vCPU) is invisible to
 * that vCPU: probe 0, every call NOT_SUPPORTED without reaching the
 * handler; to a vCPU for which it says yes, it is there. */
static void test_sbi_base_probe_hook_decides_per_vcpu(void **state)
{
	unsigned slot = sbi_ext_slot(sbi_find_ext(PROBED_EID));
	int st;

	(void)state;
	probed_calls = 0;
	probe_answer = false;
	st = ECALL(V(0), SBI_EXT_BASE, SBI_BASE_PROBE_EXTENSION, PROBED_EID);
	assert_ret(V(0), st, SBI_SUCCESS, 0);
	st = ECALL(V(0), PROBED_EID, 0, 1, 2);
	assert_ret(V(0), st, SBI_ERR_NOT_SUPPORTED, 0);
	assert_int_equal(probed_calls, 0);
	st = ECALL(V(1), SBI_EXT_BASE, SBI_BASE_PROBE_EXTENSION, PROBED_EID);
	assert_ret(V(1), st, SBI_SUCCESS, 1);
	st = ECALL(V(1), PROBED_EID, 0, 1, 2);
	assert_ret(V(1), st, SBI_SUCCESS, 77);
	assert_int_equal(probed_calls, 1);
	probe_answer = true;
	st = ECALL(V(0), SBI_EXT_BASE, SBI_BASE_PROBE_EXTENSION, PROBED_EID);
	assert_ret(V(0), st, SBI_SUCCESS, 1);
	st = ECALL(V(0), PROBED_EID, 0, 1, 2);
	assert_ret(V(0), st, SBI_SUCCESS, 77);
	assert_int_equal(probed_calls, 2);
	/* every call counts at its descriptor, answered or not */
	assert_int_equal(f->vm.stats.sbi_calls[slot], 3);
	assert_int_equal(f->vm.stats.sbi_unknown, 0);
}

/* Every descriptor without a probe hook probes 1 on every vCPU: the
 * extensions of this file need nothing from the host. */
static void test_sbi_base_probe_matches_descriptors(void **state)
{
	(void)state;
	for (unsigned i = 0; sbi_ext_at(i); i++) {
		const struct sbi_ext *e = sbi_ext_at(i);

		if (e->probe)
			continue;
		for (unsigned c = 0; c < 2; c++) {
			int st = ECALL(V(c), SBI_EXT_BASE, SBI_BASE_PROBE_EXTENSION, e->eid_min);

			assert_ret(V(c), st, SBI_SUCCESS, 1);
			st = ECALL(V(c), SBI_EXT_BASE, SBI_BASE_PROBE_EXTENSION, e->eid_max);
			assert_ret(V(c), st, SBI_SUCCESS, 1);
		}
	}
}

static void test_sbi_base_machine_ids_from_platform(void **state)
{
	int st;

	(void)state;
	st = ECALL(V(0), SBI_EXT_BASE, SBI_BASE_GET_MVENDORID, 0);
	assert_ret(V(0), st, SBI_SUCCESS, (long)platform.mvendorid);
	st = ECALL(V(0), SBI_EXT_BASE, SBI_BASE_GET_MARCHID, 0);
	assert_ret(V(0), st, SBI_SUCCESS, (long)platform.marchid);
	st = ECALL(V(0), SBI_EXT_BASE, SBI_BASE_GET_MIMPID, 0);
	assert_ret(V(0), st, SBI_SUCCESS, (long)platform.mimpid);
	platform.mvendorid = 0;
	st = ECALL(V(0), SBI_EXT_BASE, SBI_BASE_GET_MVENDORID, 0);
	assert_ret(V(0), st, SBI_SUCCESS, 0);
}

/* ---- TIME ------------------------------------------------------------- */

static void test_sbi_time_set_timer_programs_vcpu_timer(void **state)
{
	int st;

	(void)state;
	st = ECALL(V(1), SBI_EXT_TIME, SBI_TIME_SET_TIMER, 0x123456789aULL);
	assert_ret(V(1), st, SBI_SUCCESS, 0);
	assert_int_equal(fake_count(f, FAKE_TIMER_SET), 1);
	assert_ptr_equal(fake_find(f, FAKE_TIMER_SET, 0)->v, V(1));
	assert_int_equal(fake_find(f, FAKE_TIMER_SET, 0)->a, 0x123456789aULL);
	/* "infinitely far into the future" disarms it */
	st = ECALL(V(1), SBI_EXT_TIME, SBI_TIME_SET_TIMER, UINT64_MAX);
	assert_ret(V(1), st, SBI_SUCCESS, 0);
	assert_int_equal(vcpu_timer_deadline(V(1)), UINT64_MAX);
}

/* SBI v3.0, chapter 6: "This function always returns SBI_SUCCESS", for a
 * deadline in the past, now, or never. */
static void test_sbi_time_set_timer_always_succeeds(void **state)
{
	static const uint64_t deadlines[] = { 0, 1, 0x8000000000000000ULL, UINT64_MAX - 1, UINT64_MAX };

	(void)state;
	for (size_t i = 0; i < sizeof(deadlines) / sizeof(deadlines[0]); i++) {
		int st = ECALL(V(0), SBI_EXT_TIME, SBI_TIME_SET_TIMER, deadlines[i], 0xbad, 0xbad);

		assert_ret(V(0), st, SBI_SUCCESS, 0);
		assert_int_equal(vcpu_timer_deadline(V(0)), deadlines[i]);
	}
	assert_int_equal(fake_count(f, FAKE_TIMER_SET), 5);
}

/* ---- IPI -------------------------------------------------------------- */

/* SBI v3.0, chapter 3, "Hart list parameter": hart_mask_base -1 means every
 * available hart and hart_mask is ignored, even bits naming absent harts. */
static void test_sbi_ipi_send_base_minus_one_ignores_mask(void **state)
{
	int st;

	(void)state;
	st = ECALL(V(1), SBI_EXT_IPI, SBI_IPI_SEND_IPI, 0xfffffffffffffff0UL, ALL_HARTS);
	assert_ret(V(1), st, SBI_SUCCESS, 0);
	assert_int_equal(fake_count(f, FAKE_RAISE_IRQ), 2);
	assert_true(V(0)->virq & VIRQ_SOFT);
	assert_true(V(1)->virq & VIRQ_SOFT);
}

static void test_sbi_ipi_send_raises_ssip_and_kicks_target(void **state)
{
	int st;

	(void)state;
	st = ECALL(V(0), SBI_EXT_IPI, SBI_IPI_SEND_IPI, 1UL << 1, 0);
	assert_ret(V(0), st, SBI_SUCCESS, 0);
	assert_int_equal(fake_count(f, FAKE_RAISE_IRQ), 1);
	assert_ptr_equal(fake_find(f, FAKE_RAISE_IRQ, 0)->v, V(1));
	assert_int_equal(fake_find(f, FAKE_RAISE_IRQ, 0)->a, VIRQ_SOFT);
	assert_true(V(1)->virq & VIRQ_SOFT);
	assert_false(V(0)->virq & VIRQ_SOFT);
	assert_int_equal(fake_count(f, FAKE_KICK), 1);
	assert_ptr_equal(fake_find(f, FAKE_KICK, 0)->v, V(1));
}

static void test_sbi_ipi_send_all_does_not_kick_caller(void **state)
{
	int st;

	(void)state;
	st = ECALL(V(0), SBI_EXT_IPI, SBI_IPI_SEND_IPI, 0, ALL_HARTS);
	assert_ret(V(0), st, SBI_SUCCESS, 0);
	assert_int_equal(fake_count(f, FAKE_RAISE_IRQ), 2);
	assert_true(V(0)->virq & VIRQ_SOFT);
	assert_true(V(1)->virq & VIRQ_SOFT);
	assert_int_equal(fake_count(f, FAKE_KICK), 1);
	assert_ptr_equal(fake_find(f, FAKE_KICK, 0)->v, V(1));
}

static void test_sbi_ipi_send_invalid_mask_sends_nothing(void **state)
{
	int st;

	(void)state;
	st = ECALL(V(0), SBI_EXT_IPI, SBI_IPI_SEND_IPI, 0x7, 0);
	assert_ret(V(0), st, SBI_ERR_INVALID_PARAM, 0);
	st = ECALL(V(0), SBI_EXT_IPI, SBI_IPI_SEND_IPI, 1, 2);
	assert_ret(V(0), st, SBI_ERR_INVALID_PARAM, 0);
	assert_int_equal(f->ncalls, 0);
	assert_int_equal(V(1)->virq, 0);
}

/* ---- RFENCE ----------------------------------------------------------- */

static void test_sbi_rfence_fence_i_on_each_target(void **state)
{
	int st;

	(void)state;
	st = ECALL(V(0), SBI_EXT_RFENCE, SBI_RFENCE_REMOTE_FENCE_I, 0x3, 0);
	assert_ret(V(0), st, SBI_SUCCESS, 0);
	assert_int_equal(fake_count(f, FAKE_FLUSH_ICACHE), 2);
	assert_ptr_equal(fake_find(f, FAKE_FLUSH_ICACHE, 0)->v, V(0));
	assert_ptr_equal(fake_find(f, FAKE_FLUSH_ICACHE, 1)->v, V(1));
	assert_int_equal(fake_count(f, FAKE_FLUSH_TLB), 0);
}

static void test_sbi_rfence_sfence_vma_range_all_asids(void **state)
{
	const struct fake_call *c;
	int st;

	(void)state;
	st = ECALL(V(0), SBI_EXT_RFENCE, SBI_RFENCE_REMOTE_SFENCE_VMA, 1UL << 1, 0, 0x400000, 0x3000);
	assert_ret(V(0), st, SBI_SUCCESS, 0);
	assert_int_equal(fake_count(f, FAKE_FLUSH_TLB), 1);
	c = fake_find(f, FAKE_FLUSH_TLB, 0);
	assert_ptr_equal(c->v, V(1));
	assert_int_equal(c->a, 0x400000);
	assert_int_equal(c->b, 0x3000);
	assert_int_equal(c->c, UINT64_MAX);
}

static void test_sbi_rfence_sfence_vma_zero_zero_is_whole_space(void **state)
{
	const struct fake_call *c;
	int st;

	(void)state;
	st = ECALL(V(0), SBI_EXT_RFENCE, SBI_RFENCE_REMOTE_SFENCE_VMA, 0, ALL_HARTS, 0, 0);
	assert_ret(V(0), st, SBI_SUCCESS, 0);
	assert_int_equal(fake_count(f, FAKE_FLUSH_TLB), 2);
	for (unsigned i = 0; i < 2; i++) {
		c = fake_find(f, FAKE_FLUSH_TLB, i);
		assert_int_equal(c->a, 0);
		assert_int_equal(c->b, UINT64_MAX);
		assert_int_equal(c->c, UINT64_MAX);
	}
}

static void test_sbi_rfence_sfence_vma_size_max_is_whole_space(void **state)
{
	const struct fake_call *c;
	int st;

	(void)state;
	/* start is irrelevant then, even one where start + size would wrap */
	st = ECALL(V(0), SBI_EXT_RFENCE, SBI_RFENCE_REMOTE_SFENCE_VMA, 1, 0, 0xffffffc000000000ULL, -1UL);
	assert_ret(V(0), st, SBI_SUCCESS, 0);
	c = fake_find(f, FAKE_FLUSH_TLB, 0);
	assert_non_null(c);
	assert_int_equal(c->a, 0);
	assert_int_equal(c->b, UINT64_MAX);
}

static void test_sbi_rfence_sfence_vma_asid_passes_asid(void **state)
{
	const struct fake_call *c;
	int st;

	(void)state;
	st = ECALL(V(1), SBI_EXT_RFENCE, SBI_RFENCE_REMOTE_SFENCE_VMA_ASID, 1, 0, 0x1000, 0x1000, 7);
	assert_ret(V(1), st, SBI_SUCCESS, 0);
	c = fake_find(f, FAKE_FLUSH_TLB, 0);
	assert_ptr_equal(c->v, V(0));
	assert_int_equal(c->a, 0x1000);
	assert_int_equal(c->b, 0x1000);
	assert_int_equal(c->c, 7);
	st = ECALL(V(1), SBI_EXT_RFENCE, SBI_RFENCE_REMOTE_SFENCE_VMA_ASID, 1, 0, 0, 0, 3);
	assert_ret(V(1), st, SBI_SUCCESS, 0);
	c = fake_find(f, FAKE_FLUSH_TLB, 1);
	assert_int_equal(c->b, UINT64_MAX);
	assert_int_equal(c->c, 3);
}

static void test_sbi_rfence_sfence_vma_wrapping_range_invalid_address(void **state)
{
	int st;

	(void)state;
	st = ECALL(V(0), SBI_EXT_RFENCE, SBI_RFENCE_REMOTE_SFENCE_VMA, 1, 0, -0x1000UL, 0x2000);
	assert_ret(V(0), st, SBI_ERR_INVALID_ADDRESS, 0);
	st = ECALL(V(0), SBI_EXT_RFENCE, SBI_RFENCE_REMOTE_SFENCE_VMA_ASID, 1, 0, 3, -2UL, 1);
	assert_ret(V(0), st, SBI_ERR_INVALID_ADDRESS, 0);
	assert_int_equal(fake_count(f, FAKE_FLUSH_TLB), 0);
	/* ranges ending exactly at the top of the space are valid */
	st = ECALL(V(0), SBI_EXT_RFENCE, SBI_RFENCE_REMOTE_SFENCE_VMA, 1, 0, -1UL, 1);
	assert_ret(V(0), st, SBI_SUCCESS, 0);
	st = ECALL(V(0), SBI_EXT_RFENCE, SBI_RFENCE_REMOTE_SFENCE_VMA_ASID, 1, 0, 2, -2UL, 1);
	assert_ret(V(0), st, SBI_SUCCESS, 0);
	assert_int_equal(fake_count(f, FAKE_FLUSH_TLB), 2);
}

static void test_sbi_rfence_sfence_vma_empty_range_flushes_nothing(void **state)
{
	int st;

	(void)state;
	st = ECALL(V(0), SBI_EXT_RFENCE, SBI_RFENCE_REMOTE_SFENCE_VMA, 1, 0, 0x1000, 0);
	assert_ret(V(0), st, SBI_SUCCESS, 0);
	assert_int_equal(fake_count(f, FAKE_FLUSH_TLB), 0);
	/* but the hart list is still checked */
	st = ECALL(V(0), SBI_EXT_RFENCE, SBI_RFENCE_REMOTE_SFENCE_VMA, 1, 9, 0x1000, 0);
	assert_ret(V(0), st, SBI_ERR_INVALID_PARAM, 0);
}

static void test_sbi_rfence_hfence_not_supported(void **state)
{
	(void)state;
	for (unsigned long fid = SBI_RFENCE_REMOTE_HFENCE_GVMA_VMID;
	     fid <= SBI_RFENCE_REMOTE_HFENCE_VVMA; fid++) {
		int st = ECALL(V(0), SBI_EXT_RFENCE, fid, 1, 0, 0, 0, 1);

		assert_ret(V(0), st, SBI_ERR_NOT_SUPPORTED, 0);
	}
	assert_int_equal(f->ncalls, 0);
}

/* SBI v3.0, chapter 8: the HFENCE functions are NOT_SUPPORTED when a target
 * hart lacks H; no vCPU has it, so that is the answer whatever the hart
 * list, the range or the VMID/ASID, even for a list naming absent harts. */
static void test_sbi_rfence_hfence_not_supported_whatever_the_list(void **state)
{
	static const unsigned long lists[][2] = {
		{ 0, ALL_HARTS }, { 0x3, 0 }, { 1UL << 5, 0 }, { 1, 9 }, { 0, 0 },
	};

	(void)state;
	for (unsigned long fid = SBI_RFENCE_REMOTE_HFENCE_GVMA_VMID;
	     fid <= SBI_RFENCE_REMOTE_HFENCE_VVMA; fid++)
		for (size_t i = 0; i < sizeof(lists) / sizeof(lists[0]); i++) {
			int st = ECALL(V(0), SBI_EXT_RFENCE, fid, lists[i][0], lists[i][1],
				       -0x1000UL, 0x2000, 5);

			assert_ret(V(0), st, SBI_ERR_NOT_SUPPORTED, 0);
		}
	assert_int_equal(f->ncalls, 0);
}

static void test_sbi_rfence_invalid_mask_flushes_nothing(void **state)
{
	int st;

	(void)state;
	st = ECALL(V(0), SBI_EXT_RFENCE, SBI_RFENCE_REMOTE_FENCE_I, 0x4, 0);
	assert_ret(V(0), st, SBI_ERR_INVALID_PARAM, 0);
	st = ECALL(V(0), SBI_EXT_RFENCE, SBI_RFENCE_REMOTE_SFENCE_VMA, 0x3, 1, 0, 0);
	assert_ret(V(0), st, SBI_ERR_INVALID_PARAM, 0);
	st = ECALL(V(0), SBI_EXT_RFENCE, SBI_RFENCE_REMOTE_SFENCE_VMA_ASID, 1UL << 2, -2UL, 0, 0, 1);
	assert_ret(V(0), st, SBI_ERR_INVALID_PARAM, 0);
	assert_int_equal(f->ncalls, 0);
}

/* ---- HSM -------------------------------------------------------------- */

static void test_sbi_hsm_start_stopped_hart(void **state)
{
	int st;

	(void)state;
	st = ECALL(V(0), SBI_EXT_HSM, SBI_HSM_HART_START, 1, FAKE_RAM_BASE + 0x1000, 0xdead);
	assert_ret(V(0), st, SBI_SUCCESS, 0);
	/* reset to the start register state, then queued, in that order */
	assert_int_equal(f->ncalls, 2);
	assert_int_equal(f->calls[0].kind, FAKE_RESET);
	assert_ptr_equal(f->calls[0].v, V(1));
	assert_int_equal(f->calls[1].kind, FAKE_MAKE_RUNNABLE);
	assert_ptr_equal(f->calls[1].v, V(1));
	assert_int_equal(V(1)->arch->regs.pc, FAKE_RAM_BASE + 0x1000);
	assert_int_equal(V(1)->arch->regs.x[10], 1);
	assert_int_equal(V(1)->arch->regs.x[11], 0xdead);
	assert_int_equal(V(1)->state, VCPU_RUNNABLE);
	assert_int_equal(hart_status(V(0), 1), SBI_HSM_STATE_STARTED);
}

static void test_sbi_hsm_start_absent_hart_invalid_param(void **state)
{
	int st;

	(void)state;
	st = ECALL(V(0), SBI_EXT_HSM, SBI_HSM_HART_START, 2, FAKE_RAM_BASE, 0);
	assert_ret(V(0), st, SBI_ERR_INVALID_PARAM, 0);
	st = ECALL(V(0), SBI_EXT_HSM, SBI_HSM_HART_START, -1UL, FAKE_RAM_BASE, 0);
	assert_ret(V(0), st, SBI_ERR_INVALID_PARAM, 0);
	assert_int_equal(f->ncalls, 0);
}

static void test_sbi_hsm_start_started_hart_already_available(void **state)
{
	static const enum vcpu_state started[] = { VCPU_RUNNABLE, VCPU_RUNNING, VCPU_BLOCKED };
	int st;

	(void)state;
	st = ECALL(V(0), SBI_EXT_HSM, SBI_HSM_HART_START, 0, FAKE_RAM_BASE, 0);
	assert_ret(V(0), st, SBI_ERR_ALREADY_AVAILABLE, 0);
	/* the caller runs, whatever its state field says mid-transition */
	V(0)->state = VCPU_STOPPED;
	st = ECALL(V(0), SBI_EXT_HSM, SBI_HSM_HART_START, 0, FAKE_RAM_BASE, 0);
	assert_ret(V(0), st, SBI_ERR_ALREADY_AVAILABLE, 0);
	for (size_t i = 0; i < 3; i++) {
		V(1)->state = started[i];
		st = ECALL(V(0), SBI_EXT_HSM, SBI_HSM_HART_START, 1, FAKE_RAM_BASE, 0);
		assert_ret(V(0), st, SBI_ERR_ALREADY_AVAILABLE, 0);
	}
	assert_int_equal(f->ncalls, 0);
}

static void test_sbi_hsm_start_outside_ram_invalid_address(void **state)
{
	static const unsigned long bad[] = {
		0, 0x1000, FAKE_MMIO_BASE, FAKE_RAM_BASE - 2, RAM_END - 1, RAM_END, -2UL,
	};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int st = ECALL(V(0), SBI_EXT_HSM, SBI_HSM_HART_START, 1, bad[i], 0);

		assert_ret(V(0), st, SBI_ERR_INVALID_ADDRESS, 0);
	}
	assert_int_equal(f->ncalls, 0);
	assert_int_equal(V(1)->state, VCPU_STOPPED);
	/* the last two bytes of RAM still hold an instruction */
	assert_ret(V(0), ECALL(V(0), SBI_EXT_HSM, SBI_HSM_HART_START, 1, RAM_END - 2, 0),
		   SBI_SUCCESS, 0);
}

static void test_sbi_hsm_start_halted_hart_fails(void **state)
{
	int st;

	(void)state;
	V(1)->state = VCPU_HALTED;
	st = ECALL(V(0), SBI_EXT_HSM, SBI_HSM_HART_START, 1, FAKE_RAM_BASE, 0);
	assert_ret(V(0), st, SBI_ERR_FAILED, 0);
	assert_int_equal(f->ncalls, 0);
	assert_int_equal(hart_status(V(0), 1), SBI_HSM_STATE_STOPPED);
}

static struct { long status, start_error; } pending_seen;

/* Runs inside the fake vcpu_reset of hart 1, as hart 2 would meanwhile. */
static void start_race(struct fake_vm *fv, struct vcpu *v)
{
	struct vcpu *other = &fv->vcpus[2];

	if (v != &fv->vcpus[1])
		return;
	fv->on_reset = NULL;
	pending_seen.status = hart_status(other, 1);
	ECALL(other, SBI_EXT_HSM, SBI_HSM_HART_START, 1, FAKE_RAM_BASE + 0x40, 0);
	pending_seen.start_error = A0(other);
}

static void test_sbi_hsm_start_pending_while_starting(void **state)
{
	int st;

	(void)state;
	V(2)->state = VCPU_RUNNING;
	f->on_reset = start_race;
	st = ECALL(V(0), SBI_EXT_HSM, SBI_HSM_HART_START, 1, FAKE_RAM_BASE + 0x80, 5);
	assert_ret(V(0), st, SBI_SUCCESS, 0);
	assert_int_equal(pending_seen.status, SBI_HSM_STATE_START_PENDING);
	assert_int_equal(pending_seen.start_error, SBI_ERR_ALREADY_AVAILABLE);
	assert_int_equal(fake_count(f, FAKE_RESET), 1);
	assert_int_equal(fake_count(f, FAKE_MAKE_RUNNABLE), 1);
	assert_int_equal(V(1)->arch->regs.pc, FAKE_RAM_BASE + 0x80);
	/* and the claim is released afterwards */
	assert_int_equal(hart_status(V(0), 1), SBI_HSM_STATE_STARTED);
}

static void test_sbi_hsm_stop_stops_caller_without_return(void **state)
{
	int st;

	(void)state;
	V(1)->state = VCPU_RUNNING;
	st = ECALL(V(1), SBI_EXT_HSM, SBI_HSM_HART_STOP, 0x1234, 0x5678);
	assert_int_equal(st, SBI_RESUME_NONE);
	assert_int_equal(V(1)->state, VCPU_STOPPED);
	assert_int_equal(fake_count(f, FAKE_SCHED_STOP), 1);
	assert_ptr_equal(fake_find(f, FAKE_SCHED_STOP, 0)->v, V(1));
	/* no result registers written, pc left for hart_start to set */
	assert_int_equal(A0(V(1)), 0x1234);
	assert_int_equal(A1(V(1)), 0x5678);
	assert_int_equal(fake_count(f, FAKE_RESET), 0);
	assert_int_equal(V(1)->arch->regs.pc, 0x80001000);
	assert_int_equal(hart_status(V(0), 1), SBI_HSM_STATE_STOPPED);
}

static void test_sbi_hsm_get_status_maps_vcpu_states(void **state)
{
	static const struct { enum vcpu_state s; long hsm; } map[] = {
		{ VCPU_STOPPED, SBI_HSM_STATE_STOPPED }, { VCPU_RUNNABLE, SBI_HSM_STATE_STARTED },
		{ VCPU_RUNNING, SBI_HSM_STATE_STARTED }, { VCPU_BLOCKED, SBI_HSM_STATE_STARTED },
		{ VCPU_HALTED, SBI_HSM_STATE_STOPPED },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
		V(1)->state = map[i].s;
		assert_int_equal(hart_status(V(0), 1), map[i].hsm);
	}
	assert_int_equal(hart_status(V(0), 0), SBI_HSM_STATE_STARTED);
	assert_int_equal(f->ncalls, 0);
}

static void test_sbi_hsm_get_status_absent_invalid_param(void **state)
{
	int st;

	(void)state;
	st = ECALL(V(0), SBI_EXT_HSM, SBI_HSM_HART_GET_STATUS, 2);
	assert_ret(V(0), st, SBI_ERR_INVALID_PARAM, 0);
	st = ECALL(V(0), SBI_EXT_HSM, SBI_HSM_HART_GET_STATUS, -1UL);
	assert_ret(V(0), st, SBI_ERR_INVALID_PARAM, 0);
}

static void test_sbi_hsm_suspend_retentive_blocks_and_returns(void **state)
{
	int st;

	(void)state;
	V(1)->state = VCPU_RUNNING;
	st = ECALL(V(1), SBI_EXT_HSM, SBI_HSM_HART_SUSPEND, SBI_HSM_SUSPEND_RET_DEFAULT,
		   FAKE_RAM_BASE, 0x99);
	/* resumes after the ECALL with SUCCESS: the dispatcher advances the pc */
	assert_ret(V(1), st, SBI_SUCCESS, 0);
	assert_int_equal(V(1)->state, VCPU_BLOCKED);
	assert_int_equal(fake_count(f, FAKE_BLOCK), 1);
	assert_int_equal(fake_count(f, FAKE_RESET), 0);
	assert_int_equal(V(1)->arch->regs.pc, 0x80001000);
	assert_int_equal(hart_status(V(0), 1), SBI_HSM_STATE_SUSPENDED);
	/* Still on its hart (its suspend trap being handled there, issue 13:
	 * another vCPU asks meanwhile): on its way into the suspend. */
	V(1)->state = VCPU_RUNNING;
	assert_int_equal(hart_status(V(0), 1), SBI_HSM_STATE_SUSPEND_PENDING);
	/* an interrupt woke it (the scheduler ends the suspend): started
	 * again, and a later WFI is no suspend */
	V(1)->hsm.suspended = 0;
	assert_int_equal(hart_status(V(0), 1), SBI_HSM_STATE_STARTED);
	V(1)->state = VCPU_BLOCKED;
	assert_int_equal(hart_status(V(0), 1), SBI_HSM_STATE_STARTED);
}

static void test_sbi_hsm_suspend_non_retentive_resumes_at_addr(void **state)
{
	int st;

	(void)state;
	ECALL(V(0), SBI_EXT_TIME, SBI_TIME_SET_TIMER, 12345);
	V(1)->state = VCPU_RUNNING;
	st = ECALL(V(0), SBI_EXT_HSM, SBI_HSM_HART_SUSPEND, SBI_HSM_SUSPEND_NON_RET_DEFAULT,
		   FAKE_RAM_BASE + 0x2000, 0xbeef);
	assert_int_equal(st, SBI_RESUME_JUMP);
	/* "HSM Hart Resume Register State" */
	assert_int_equal(V(0)->arch->regs.pc, FAKE_RAM_BASE + 0x2000);
	assert_int_equal(A0(V(0)), 0);
	assert_int_equal(A1(V(0)), 0xbeef);
	assert_int_equal(V(0)->arch->trap.csr.satp, 0);
	assert_int_equal(V(0)->state, VCPU_BLOCKED);
	/* the timer that is to wake it survives the reset */
	assert_int_equal(vcpu_timer_deadline(V(0)), 12345);
	assert_int_equal(hart_status(V(1), 0), SBI_HSM_STATE_SUSPENDED);
}

static void test_sbi_hsm_suspend_non_retentive_bad_address(void **state)
{
	int st;

	(void)state;
	st = ECALL(V(0), SBI_EXT_HSM, SBI_HSM_HART_SUSPEND, SBI_HSM_SUSPEND_NON_RET_DEFAULT,
		   FAKE_MMIO_BASE, 0);
	assert_ret(V(0), st, SBI_ERR_INVALID_ADDRESS, 0);
	st = ECALL(V(0), SBI_EXT_HSM, SBI_HSM_HART_SUSPEND, SBI_HSM_SUSPEND_NON_RET_DEFAULT,
		   RAM_END, 0);
	assert_ret(V(0), st, SBI_ERR_INVALID_ADDRESS, 0);
	assert_int_equal(f->ncalls, 0);
	assert_int_equal(V(0)->state, VCPU_RUNNING);
}

static void test_sbi_hsm_suspend_reserved_types_invalid_param(void **state)
{
	static const unsigned long types[] = {
		0x00000001, 0x0FFFFFFF, 0x10000000, 0x7FFFFFFF,    /* reserved, platform retentive */
		0x80000001, 0x8FFFFFFF, 0x90000000, 0xFFFFFFFF,    /* reserved, platform non-retentive */
	};

	(void)state;
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		int st = ECALL(V(0), SBI_EXT_HSM, SBI_HSM_HART_SUSPEND, types[i], FAKE_RAM_BASE, 0);

		assert_ret(V(0), st, SBI_ERR_INVALID_PARAM, 0);
	}
	assert_int_equal(f->ncalls, 0);
	assert_int_equal(V(0)->state, VCPU_RUNNING);
}

/* suspend_type is a uint32_t: a sign-extended 0x80000000 is still it. */
static void test_sbi_hsm_suspend_type_uses_low_32_bits(void **state)
{
	int st;

	(void)state;
	st = ECALL(V(0), SBI_EXT_HSM, SBI_HSM_HART_SUSPEND, 0xFFFFFFFF80000000UL, FAKE_RAM_BASE, 1);
	assert_int_equal(st, SBI_RESUME_JUMP);
	assert_int_equal(fake_count(f, FAKE_RESET), 1);
	V(0)->state = VCPU_RUNNING;
	st = ECALL(V(0), SBI_EXT_HSM, SBI_HSM_HART_SUSPEND, 0x100000000UL, FAKE_RAM_BASE, 1);
	assert_ret(V(0), st, SBI_SUCCESS, 0);
	assert_int_equal(fake_count(f, FAKE_RESET), 1);
	assert_int_equal(fake_count(f, FAKE_BLOCK), 2);
}

/* The whole life of a secondary hart, as Linux's SMP boot and CPU hotplug
 * drive it. */
static void test_sbi_hsm_state_machine_two_vcpus(void **state)
{
	int st;

	(void)state;
	assert_int_equal(hart_status(V(0), 1), SBI_HSM_STATE_STOPPED);
	st = ECALL(V(0), SBI_EXT_HSM, SBI_HSM_HART_START, 1, FAKE_RAM_BASE + 0x100, 1);
	assert_ret(V(0), st, SBI_SUCCESS, 0);
	assert_int_equal(hart_status(V(0), 1), SBI_HSM_STATE_STARTED);
	V(1)->state = VCPU_RUNNING;                     /* the scheduler ran it */
	assert_int_equal(hart_status(V(1), 0), SBI_HSM_STATE_STARTED);
	st = ECALL(V(1), SBI_EXT_HSM, SBI_HSM_HART_SUSPEND, 0, 0, 0);
	assert_ret(V(1), st, SBI_SUCCESS, 0);
	assert_int_equal(hart_status(V(0), 1), SBI_HSM_STATE_SUSPENDED);
	st = ECALL(V(0), SBI_EXT_HSM, SBI_HSM_HART_START, 1, FAKE_RAM_BASE, 0);
	assert_ret(V(0), st, SBI_ERR_ALREADY_AVAILABLE, 0);
	V(1)->state = VCPU_RUNNING;                     /* woken by an interrupt */
	st = ECALL(V(1), SBI_EXT_HSM, SBI_HSM_HART_STOP, 0);
	assert_int_equal(st, SBI_RESUME_NONE);
	assert_int_equal(hart_status(V(0), 1), SBI_HSM_STATE_STOPPED);
	st = ECALL(V(0), SBI_EXT_HSM, SBI_HSM_HART_START, 1, FAKE_RAM_BASE + 0x200, 2);
	assert_ret(V(0), st, SBI_SUCCESS, 0);
	assert_int_equal(V(1)->arch->regs.pc, FAKE_RAM_BASE + 0x200);
	assert_int_equal(V(1)->arch->regs.x[11], 2);
	assert_int_equal(fake_count(f, FAKE_RESET), 2);
	assert_int_equal(fake_count(f, FAKE_MAKE_RUNNABLE), 2);
}

/* ---- SRST ------------------------------------------------------------- */

static void test_sbi_srst_shutdown_clean(void **state)
{
	int st;

	(void)state;
	st = ECALL(V(0), SBI_EXT_SRST, SBI_SRST_SYSTEM_RESET, SBI_SRST_TYPE_SHUTDOWN,
		   SBI_SRST_REASON_NONE);
	assert_int_equal(st, SBI_RESUME_NONE);
	assert_int_equal(fake_count(f, FAKE_POWER_OFF), 1);
	assert_int_equal(fake_find(f, FAKE_POWER_OFF, 0)->a, VM_EXIT_CLEAN);
	assert_int_equal(V(0)->state, VCPU_RUNNING);    /* vCPU states are vm_power_off's business */
}

static void test_sbi_srst_shutdown_system_failure(void **state)
{
	int st;

	(void)state;
	st = ECALL(V(1), SBI_EXT_SRST, SBI_SRST_SYSTEM_RESET, SBI_SRST_TYPE_SHUTDOWN,
		   SBI_SRST_REASON_SYSFAIL);
	assert_int_equal(st, SBI_RESUME_NONE);
	assert_int_equal(fake_find(f, FAKE_POWER_OFF, 0)->a, VM_EXIT_FAILURE);
	assert_int_equal(f->vm.exit, VM_EXIT_FAILURE);
}

static void test_sbi_srst_cold_and_warm_reboot(void **state)
{
	(void)state;
	assert_int_equal(ECALL(V(0), SBI_EXT_SRST, SBI_SRST_SYSTEM_RESET,
			       SBI_SRST_TYPE_COLD_REBOOT, SBI_SRST_REASON_NONE), SBI_RESUME_NONE);
	assert_int_equal(ECALL(V(0), SBI_EXT_SRST, SBI_SRST_SYSTEM_RESET,
			       SBI_SRST_TYPE_WARM_REBOOT, SBI_SRST_REASON_SYSFAIL), SBI_RESUME_NONE);
	assert_int_equal(fake_count(f, FAKE_REBOOT), 2);
	assert_int_equal(fake_count(f, FAKE_POWER_OFF), 0);
}

static void test_sbi_srst_reserved_type_invalid_param(void **state)
{
	static const unsigned long types[] = { 3, 0xEFFFFFFF, 0xF0000000, 0xFFFFFFFF };

	(void)state;
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		int st = ECALL(V(0), SBI_EXT_SRST, SBI_SRST_SYSTEM_RESET, types[i], 0);

		assert_ret(V(0), st, SBI_ERR_INVALID_PARAM, 0);
	}
	assert_int_equal(f->ncalls, 0);
}

static void test_sbi_srst_reserved_reason_invalid_param(void **state)
{
	static const unsigned long reasons[] = { 2, 0xDFFFFFFF, 0xE0000000, 0xF0000000, 0xFFFFFFFF };

	(void)state;
	for (size_t i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++) {
		int st = ECALL(V(0), SBI_EXT_SRST, SBI_SRST_SYSTEM_RESET, 0, reasons[i]);

		assert_ret(V(0), st, SBI_ERR_INVALID_PARAM, 0);
		st = ECALL(V(0), SBI_EXT_SRST, SBI_SRST_SYSTEM_RESET, 1, reasons[i]);
		assert_ret(V(0), st, SBI_ERR_INVALID_PARAM, 0);
	}
	assert_int_equal(f->ncalls, 0);
	assert_int_equal(f->vm.state, VM_RUNNING);
}

static void test_sbi_srst_ignores_upper_register_half(void **state)
{
	int st;

	(void)state;
	st = ECALL(V(0), SBI_EXT_SRST, SBI_SRST_SYSTEM_RESET, 0xFFFFFFFF00000000UL,
		   0xFFFFFFFF00000001UL);
	assert_int_equal(st, SBI_RESUME_NONE);
	assert_int_equal(fake_find(f, FAKE_POWER_OFF, 0)->a, VM_EXIT_FAILURE);
	/* and, not returning, it wrote no result */
	assert_int_equal(V(0)->arch->regs.x[10], 0xFFFFFFFF00000000UL);
	assert_int_equal(V(0)->arch->regs.x[11], 0xFFFFFFFF00000001UL);
}

/* ---- argument width (the rule in sbi.h) -------------------------------- */

/*
 * SBI v3.0, chapter 3 "Binary Encoding", one rule for every extension:
 * a parameter its signature declares uint32_t is the register's low half
 * (junk above it changes nothing), an unsigned long / long / uint64_t one
 * is the whole register (junk above makes it another, here invalid, value),
 * and so are the EID and FID. Calls without side effects, each made plain
 * and with junk in the upper half of one argument register (arg 6 = FID).
 */
static void width_check(const char *what, const char *how, int status, long error, long value)
{
	if (status != SBI_RESUME_NEXT || A0(V(0)) != error || A1(V(0)) != value) {
		print_message("%s (%s): status %d error %ld value %ld, want error %ld value %ld\n",
			      what, how, status, A0(V(0)), A1(V(0)), error, value);
		fail();
	}
}

static void test_sbi_argument_width_rule(void **state)
{
	static const unsigned long buf = FAKE_RAM_BASE + 0x3000;
	static const struct {
		const char *what;
		unsigned long eid, fid, a[6];
		unsigned junk;          /* which argument gets upper bits */
		long error, value;      /* the plain call's result */
		bool whole;             /* junk makes it another value: the answer changes */
		long junk_error, junk_value;
	} calls[] = {
		{ "HSM suspend reserved type", SBI_EXT_HSM, SBI_HSM_HART_SUSPEND,
		  { 0x7fffffff }, 0, SBI_ERR_INVALID_PARAM, 0, false, 0, 0 },
		{ "SRST reserved type", SBI_EXT_SRST, SBI_SRST_SYSTEM_RESET,
		  { 3, 0 }, 0, SBI_ERR_INVALID_PARAM, 0, false, 0, 0 },
		{ "SRST reserved reason", SBI_EXT_SRST, SBI_SRST_SYSTEM_RESET,
		  { 0, 2 }, 1, SBI_ERR_INVALID_PARAM, 0, false, 0, 0 },
		{ "SUSP reserved sleep type", SBI_EXT_SUSP, SBI_SUSP_SYSTEM_SUSPEND,
		  { 1, FAKE_RAM_BASE + 0x1000 }, 0, SBI_ERR_INVALID_PARAM, 0, false, 0, 0 },
		{ "FWFT get feature", SBI_EXT_FWFT, SBI_FWFT_GET,
		  { SBI_FWFT_MISALIGNED_EXC_DELEG }, 0, SBI_SUCCESS, 0, false, 0, 0 },
		{ "FWFT get reserved feature", SBI_EXT_FWFT, SBI_FWFT_GET,
		  { SBI_FWFT_LOCAL_RESERVED_START }, 0, SBI_ERR_DENIED, 0, false, 0, 0 },
		{ "SSE read_attrs event_id", SBI_EXT_SSE, SBI_SSE_READ_ATTRS,
		  { SBI_SSE_EVENT_LOCAL_SOFTWARE, 0, 1, buf }, 0, SBI_SUCCESS, 0, false, 0, 0 },
		{ "SSE read_attrs base_attr_id", SBI_EXT_SSE, SBI_SSE_READ_ATTRS,
		  { SBI_SSE_EVENT_LOCAL_SOFTWARE, 10, 1, buf }, 1, SBI_ERR_BAD_RANGE, 0, false, 0, 0 },
		{ "SSE read_attrs attr_count", SBI_EXT_SSE, SBI_SSE_READ_ATTRS,
		  { SBI_SSE_EVENT_LOCAL_SOFTWARE, 0, 1, buf }, 2, SBI_SUCCESS, 0, false, 0, 0 },
		{ "SSE register reserved event", SBI_EXT_SSE, SBI_SSE_REGISTER,
		  { 0x2, FAKE_RAM_BASE + 0x1000 }, 0, SBI_ERR_INVALID_PARAM, 0, false, 0, 0 },
		/* Whole-register parameters. */
		{ "BASE probe_extension", SBI_EXT_BASE, SBI_BASE_PROBE_EXTENSION,
		  { SBI_EXT_HSM }, 0, SBI_SUCCESS, 1, true, SBI_SUCCESS, 0 },
		{ "HSM get_status hartid", SBI_EXT_HSM, SBI_HSM_HART_GET_STATUS,
		  { 0 }, 0, SBI_SUCCESS, SBI_HSM_STATE_STARTED, true, SBI_ERR_INVALID_PARAM, 0 },
		{ "PMU counter_get_info counter_idx", SBI_EXT_PMU, SBI_PMU_COUNTER_GET_INFO,
		  { 40 }, 0, SBI_ERR_INVALID_PARAM, 0, true, SBI_ERR_INVALID_PARAM, 0 },
		{ "FWFT set value", SBI_EXT_FWFT, SBI_FWFT_SET,
		  { SBI_FWFT_MISALIGNED_EXC_DELEG, 0, 0 }, 1, SBI_SUCCESS, 0, true,
		  SBI_ERR_INVALID_PARAM, 0 },
		{ "RFENCE fence_i hart_mask_base", SBI_EXT_RFENCE, SBI_RFENCE_REMOTE_FENCE_I,
		  { 1, 0 }, 1, SBI_SUCCESS, 0, true, SBI_ERR_INVALID_PARAM, 0 },
		{ "FID", SBI_EXT_BASE, SBI_BASE_GET_SPEC_VERSION,
		  { 0 }, 6, SBI_SUCCESS, (long)SBI_SPEC_VERSION, true, SBI_ERR_NOT_SUPPORTED, 0 },
	};
	static const unsigned long junk[] = { 1UL << 32, 0xffffffff00000000UL, 0xdead5a5a00000000UL };

	(void)state;
	for (size_t i = 0; i < sizeof(calls) / sizeof(calls[0]); i++) {
		unsigned long a[6], fid;
		int st;

		memcpy(a, calls[i].a, sizeof(a));
		st = ecall_args(V(0), calls[i].eid, calls[i].fid, a);
		width_check(calls[i].what, "plain", st, calls[i].error, calls[i].value);
		for (size_t j = 0; j < sizeof(junk) / sizeof(junk[0]); j++) {
			memcpy(a, calls[i].a, sizeof(a));
			fid = calls[i].fid;
			if (calls[i].junk == 6)
				fid |= junk[j];
			else
				a[calls[i].junk] |= junk[j];
			st = ecall_args(V(0), calls[i].eid, fid, a);
			if (calls[i].whole)
				width_check(calls[i].what, "junk", st, calls[i].junk_error,
					    calls[i].junk_value);
			else
				width_check(calls[i].what, "junk", st, calls[i].error, calls[i].value);
		}
	}
	assert_int_equal(f->vm.state, VM_RUNNING);
}

/* ---- DBCN ------------------------------------------------------------- */

static void test_sbi_dbcn_write_copies_guest_bytes(void **state)
{
	int st;

	(void)state;
	put_ram(FAKE_RAM_BASE + 0x200, "hello, trapeze", 14);
	st = ECALL(V(0), SBI_EXT_DBCN, SBI_DBCN_CONSOLE_WRITE, 14, FAKE_RAM_BASE + 0x200, 0);
	assert_ret(V(0), st, SBI_SUCCESS, 14);
	assert_int_equal(f->out_len, 14);
	assert_memory_equal(f->out, "hello, trapeze", 14);
}

static void test_sbi_dbcn_write_is_bounded_per_call(void **state)
{
	int st;

	(void)state;
	for (size_t i = 0; i < FAKE_RAM_SIZE; i++)
		f->ram[i] = (uint8_t)(i * 7 + 3);
	st = ECALL(V(0), SBI_EXT_DBCN, SBI_DBCN_CONSOLE_WRITE, 10000, FAKE_RAM_BASE + 1, 0);
	assert_ret(V(0), st, SBI_SUCCESS, SBI_DBCN_MAX_BYTES);
	assert_int_equal(f->out_len, SBI_DBCN_MAX_BYTES);
	assert_memory_equal(f->out, f->ram + 1, SBI_DBCN_MAX_BYTES);
	/* the guest continues where the count says */
	st = ECALL(V(0), SBI_EXT_DBCN, SBI_DBCN_CONSOLE_WRITE, 10000 - SBI_DBCN_MAX_BYTES,
		   FAKE_RAM_BASE + 1 + SBI_DBCN_MAX_BYTES, 0);
	assert_ret(V(0), st, SBI_SUCCESS, SBI_DBCN_MAX_BYTES);
	assert_memory_equal(f->out, f->ram + 1, 2 * SBI_DBCN_MAX_BYTES);
}

static void test_sbi_dbcn_write_outside_ram_invalid_param(void **state)
{
	static const struct { unsigned long n, lo; } bad[] = {
		{ 1, 0x1000 }, { 4, FAKE_MMIO_BASE }, { 4, RAM_END - 2 }, { 1, RAM_END },
		{ FAKE_RAM_SIZE + 1, FAKE_RAM_BASE },
		/* only the first 4096 bytes would be copied, but all must be RAM */
		{ 0x100000, FAKE_RAM_BASE },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int st = ECALL(V(0), SBI_EXT_DBCN, SBI_DBCN_CONSOLE_WRITE, bad[i].n, bad[i].lo, 0);

		assert_ret(V(0), st, SBI_ERR_INVALID_PARAM, 0);
	}
	assert_int_equal(f->out_len, 0);
}

static void test_sbi_dbcn_write_base_hi_invalid_param(void **state)
{
	int st;

	(void)state;
	st = ECALL(V(0), SBI_EXT_DBCN, SBI_DBCN_CONSOLE_WRITE, 4, FAKE_RAM_BASE, 1);
	assert_ret(V(0), st, SBI_ERR_INVALID_PARAM, 0);
	st = ECALL(V(0), SBI_EXT_DBCN, SBI_DBCN_CONSOLE_READ, 4, FAKE_RAM_BASE, -1UL);
	assert_ret(V(0), st, SBI_ERR_INVALID_PARAM, 0);
	assert_int_equal(f->out_len, 0);
}

static void test_sbi_dbcn_write_wrapping_range_invalid_param(void **state)
{
	int st;

	(void)state;
	st = ECALL(V(0), SBI_EXT_DBCN, SBI_DBCN_CONSOLE_WRITE, 0x10, -8UL, 0);
	assert_ret(V(0), st, SBI_ERR_INVALID_PARAM, 0);
	st = ECALL(V(0), SBI_EXT_DBCN, SBI_DBCN_CONSOLE_WRITE, -1UL, FAKE_RAM_BASE, 0);
	assert_ret(V(0), st, SBI_ERR_INVALID_PARAM, 0);
	assert_int_equal(f->out_len, 0);
}

static void test_sbi_dbcn_write_zero_bytes(void **state)
{
	int st;

	(void)state;
	st = ECALL(V(0), SBI_EXT_DBCN, SBI_DBCN_CONSOLE_WRITE, 0, FAKE_RAM_BASE, 0);
	assert_ret(V(0), st, SBI_SUCCESS, 0);
	assert_int_equal(f->out_len, 0);
}

static void test_sbi_dbcn_read_fills_guest_memory(void **state)
{
	int st;

	(void)state;
	fake_console_input(f, "hi", 2);
	st = ECALL(V(0), SBI_EXT_DBCN, SBI_DBCN_CONSOLE_READ, 64, FAKE_RAM_BASE + 0x300, 0);
	assert_ret(V(0), st, SBI_SUCCESS, 2);
	assert_memory_equal(f->ram + 0x300, "hi", 2);
	assert_int_equal(f->ram[0x302], 0);
}

static void test_sbi_dbcn_read_stops_at_num_bytes(void **state)
{
	char big[600];
	int st;

	(void)state;
	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = (char)('a' + i % 26);
	fake_console_input(f, big, sizeof(big));
	/* crosses the 256-byte staging chunk */
	st = ECALL(V(0), SBI_EXT_DBCN, SBI_DBCN_CONSOLE_READ, 300, FAKE_RAM_BASE, 0);
	assert_ret(V(0), st, SBI_SUCCESS, 300);
	assert_memory_equal(f->ram, big, 300);
	assert_int_equal(f->ram[300], 0);
	/* the rest stays queued for the next call */
	st = ECALL(V(0), SBI_EXT_DBCN, SBI_DBCN_CONSOLE_READ, 1000, FAKE_RAM_BASE + 0x1000, 0);
	assert_ret(V(0), st, SBI_SUCCESS, 300);
	assert_memory_equal(f->ram + 0x1000, big + 300, 300);
}

static void test_sbi_dbcn_read_without_input_writes_nothing(void **state)
{
	int st;

	(void)state;
	memset(f->ram, 0xcc, 16);
	st = ECALL(V(0), SBI_EXT_DBCN, SBI_DBCN_CONSOLE_READ, 16, FAKE_RAM_BASE, 0);
	assert_ret(V(0), st, SBI_SUCCESS, 0);
	for (size_t i = 0; i < 16; i++)
		assert_int_equal(f->ram[i], 0xcc);
}

static void test_sbi_dbcn_read_outside_ram_consumes_nothing(void **state)
{
	int st;

	(void)state;
	fake_console_input(f, "xyz", 3);
	st = ECALL(V(0), SBI_EXT_DBCN, SBI_DBCN_CONSOLE_READ, 3, RAM_END - 1, 0);
	assert_ret(V(0), st, SBI_ERR_INVALID_PARAM, 0);
	st = ECALL(V(0), SBI_EXT_DBCN, SBI_DBCN_CONSOLE_READ, 3, FAKE_MMIO_BASE, 0);
	assert_ret(V(0), st, SBI_ERR_INVALID_PARAM, 0);
	assert_int_equal(f->in_pos, 0);
}

static void test_sbi_dbcn_write_byte_low_byte_only(void **state)
{
	int st;

	(void)state;
	st = ECALL(V(0), SBI_EXT_DBCN, SBI_DBCN_CONSOLE_WRITE_BYTE, 'x');
	assert_ret(V(0), st, SBI_SUCCESS, 0);
	st = ECALL(V(0), SBI_EXT_DBCN, SBI_DBCN_CONSOLE_WRITE_BYTE, 0x1234541);
	assert_ret(V(0), st, SBI_SUCCESS, 0);
	assert_int_equal(f->out_len, 2);
	assert_memory_equal(f->out, "xA", 2);
}

/* ---- legacy ----------------------------------------------------------- */

static void test_sbi_legacy_set_timer(void **state)
{
	int st;

	(void)state;
	st = ECALL(V(1), SBI_LEGACY_SET_TIMER, 0x55 /* a6 ignored */, 777);
	assert_int_equal(st, SBI_RESUME_NEXT);
	assert_int_equal(A0(V(1)), 0);
	assert_int_equal(vcpu_timer_deadline(V(1)), 777);
	assert_ptr_equal(fake_find(f, FAKE_TIMER_SET, 0)->v, V(1));
}

static void test_sbi_legacy_console_putchar(void **state)
{
	int st;

	(void)state;
	st = ECALL(V(0), SBI_LEGACY_CONSOLE_PUTCHAR, 0, 'Q', 0xabc);
	assert_int_equal(st, SBI_RESUME_NEXT);
	assert_int_equal(A0(V(0)), 0);
	assert_int_equal(A1(V(0)), 0xabc);
	assert_int_equal(f->out_len, 1);
	assert_int_equal(f->out[0], 'Q');
}

static void test_sbi_legacy_console_getchar(void **state)
{
	(void)state;
	fake_console_input(f, "z\xff", 2);
	ECALL(V(0), SBI_LEGACY_CONSOLE_GETCHAR, 0, 0, 0x321);
	assert_int_equal(A0(V(0)), 'z');
	assert_int_equal(A1(V(0)), 0x321);
	ECALL(V(0), SBI_LEGACY_CONSOLE_GETCHAR, 0, 0);
	assert_int_equal(A0(V(0)), 0xff);       /* a byte, not -1 */
	ECALL(V(0), SBI_LEGACY_CONSOLE_GETCHAR, 0, 0);
	assert_int_equal(A0(V(0)), -1);
}

static void test_sbi_legacy_clear_ipi(void **state)
{
	(void)state;
	V(0)->virq = VIRQ_SOFT | VIRQ_EXT;
	ECALL(V(0), SBI_LEGACY_CLEAR_IPI, 0, 0);
	assert_int_equal(A0(V(0)), 0);
	assert_int_equal(V(0)->virq, VIRQ_EXT);
	assert_int_equal(fake_find(f, FAKE_LOWER_IRQ, 0)->a, VIRQ_SOFT);
}

static void test_sbi_legacy_send_ipi_reads_mask_from_ram(void **state)
{
	(void)state;
	put_ram_ulong(FAKE_RAM_BASE + 0x40, 1UL << 1);
	ECALL(V(0), SBI_LEGACY_SEND_IPI, 0, FAKE_RAM_BASE + 0x40, 0x1111);
	assert_int_equal(A0(V(0)), 0);
	assert_int_equal(A1(V(0)), 0x1111);
	assert_int_equal(fake_count(f, FAKE_RAISE_IRQ), 1);
	assert_true(V(1)->virq & VIRQ_SOFT);
	assert_ptr_equal(fake_find(f, FAKE_KICK, 0)->v, V(1));
}

static void test_sbi_legacy_send_ipi_null_mask_means_all(void **state)
{
	(void)state;
	ECALL(V(1), SBI_LEGACY_SEND_IPI, 0, 0);
	assert_int_equal(A0(V(1)), 0);
	assert_true(V(0)->virq & VIRQ_SOFT);
	assert_true(V(1)->virq & VIRQ_SOFT);
}

/* SBI v2.0, Legacy Extensions: hart_mask is a virtual address; a load
 * from it that faults is redirected to the caller, as OpenSBI 1.1 does:
 * the handler writes no register and leaves the pc where the redirect
 * put it. */
static void test_sbi_legacy_send_ipi_bad_pointer(void **state)
{
	(void)state;
	const unsigned long bad[] = { 0x1000, RAM_END - 4, FAKE_MMIO_BASE };
	V(0)->arch->trap.csr.stvec = 0x80002000;
	for (unsigned i = 0; i < 3; i++) {
		fake_forget_calls(f);
		unsigned long eid = i == 2 ? SBI_LEGACY_REMOTE_FENCE_I : SBI_LEGACY_SEND_IPI;
		assert_int_equal(ECALL(V(0), eid, 0, bad[i]), SBI_RESUME_INJECT);
		assert_int_equal(A0(V(0)), bad[i]);      /* untouched: the argument */
		assert_int_equal(last.inject_cause, EXC_LOAD_ACCESS);
		assert_int_equal(last.inject_tval, bad[i]);
		assert_int_equal(V(0)->arch->regs.pc, 0x80001000);     /* sepc = the ECALL */
		assert_int_equal(f->ncalls, 1);
		assert_int_equal(fake_find(f, FAKE_FIRMWARE_FAULT, 0)->a, bad[i]);
	}
	fake_forget_calls(f);
	/* a mask naming an absent hart */
	put_ram_ulong(FAKE_RAM_BASE, 0x5);
	ECALL(V(0), SBI_LEGACY_SEND_IPI, 0, FAKE_RAM_BASE);
	assert_int_equal(A0(V(0)), SBI_ERR_INVALID_PARAM);
	assert_int_equal(f->ncalls, 0);
}

static void test_sbi_legacy_remote_fence_i(void **state)
{
	(void)state;
	put_ram_ulong(FAKE_RAM_BASE + 8, 0x3);
	ECALL(V(0), SBI_LEGACY_REMOTE_FENCE_I, 0, FAKE_RAM_BASE + 8);
	assert_int_equal(A0(V(0)), 0);
	assert_int_equal(fake_count(f, FAKE_FLUSH_ICACHE), 2);
}

static void test_sbi_legacy_remote_sfence_vma(void **state)
{
	const struct fake_call *c;

	(void)state;
	put_ram_ulong(FAKE_RAM_BASE, 0x2);
	ECALL(V(0), SBI_LEGACY_REMOTE_SFENCE_VMA, 0, FAKE_RAM_BASE, 0x8000, 0x1000);
	assert_int_equal(A0(V(0)), 0);
	c = fake_find(f, FAKE_FLUSH_TLB, 0);
	assert_ptr_equal(c->v, V(1));
	assert_int_equal(c->a, 0x8000);
	assert_int_equal(c->b, 0x1000);
	assert_int_equal(c->c, UINT64_MAX);
	ECALL(V(0), SBI_LEGACY_REMOTE_SFENCE_VMA, 0, FAKE_RAM_BASE, 0, 0);
	c = fake_find(f, FAKE_FLUSH_TLB, 1);
	assert_int_equal(c->a, 0);
	assert_int_equal(c->b, UINT64_MAX);
}

static void test_sbi_legacy_remote_sfence_vma_asid(void **state)
{
	const struct fake_call *c;

	(void)state;
	ECALL(V(0), SBI_LEGACY_REMOTE_SFENCE_VMA_ASID, 0, 0, 0x8000, -1UL, 12);
	assert_int_equal(A0(V(0)), 0);
	assert_int_equal(fake_count(f, FAKE_FLUSH_TLB), 2);
	c = fake_find(f, FAKE_FLUSH_TLB, 0);
	assert_int_equal(c->a, 0);
	assert_int_equal(c->b, UINT64_MAX);
	assert_int_equal(c->c, 12);
}

static void test_sbi_legacy_shutdown(void **state)
{
	int st;

	(void)state;
	st = ECALL(V(0), SBI_LEGACY_SHUTDOWN, 0, 0x42);
	assert_int_equal(st, SBI_RESUME_NONE);
	assert_int_equal(fake_find(f, FAKE_POWER_OFF, 0)->a, VM_EXIT_CLEAN);
	assert_int_equal(f->vm.state, VM_OFF);
	assert_int_equal(A0(V(0)), 0x42);
}

#define T2(fn) cmocka_unit_test_setup_teardown(fn, setup2, teardown)
#define T3(fn) cmocka_unit_test_setup_teardown(fn, setup3, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sbi_find_ext_known_eids),
		cmocka_unit_test(test_sbi_find_ext_unknown_is_null),
		cmocka_unit_test(test_sbi_ext_slots_roundtrip),
		T2(test_sbi_dispatch_unknown_eid_not_supported),
		T2(test_sbi_dispatch_eid_upper_bits_not_ignored),
		T2(test_sbi_dispatch_unknown_fid_not_supported),
		T2(test_sbi_dispatch_counts_calls_per_extension),
		T2(test_sbi_dispatch_preserves_other_registers),
		T2(test_sbi_dispatch_legacy_writes_a0_only),
		T2(test_sbi_dispatch_reserved_legacy_eid_keeps_a1),
		T2(test_sbi_dispatch_host_failure_writes_nothing),
		T2(test_sbi_dispatch_resume_same_and_none_write_nothing),
		T2(test_sbi_hart_mask_single_bit),
		T3(test_sbi_hart_mask_base_offsets_bits),
		T3(test_sbi_hart_mask_base_minus_one_is_all),
		T2(test_sbi_hart_mask_absent_hart_calls_nothing),
		T2(test_sbi_hart_mask_absent_base_invalid),
		T2(test_sbi_hart_mask_base_plus_bit_overflow_invalid),
		T2(test_sbi_hart_mask_empty_names_nobody),
		T2(test_sbi_guest_ram_spans_adjacent_regions),
		T2(test_sbi_base_spec_version_is_3_0),
		T2(test_sbi_base_impl_id_and_version),
		T2(test_sbi_base_probe_present_extensions),
		T2(test_sbi_base_probe_absent_extensions),
		T2(test_sbi_base_left_out_extensions_not_supported),
		T2(test_sbi_base_probe_hook_decides_per_vcpu),
		T2(test_sbi_base_probe_matches_descriptors),
		T2(test_sbi_base_machine_ids_from_platform),
		T2(test_sbi_time_set_timer_programs_vcpu_timer),
		T2(test_sbi_time_set_timer_always_succeeds),
		T2(test_sbi_ipi_send_base_minus_one_ignores_mask),
		T2(test_sbi_ipi_send_raises_ssip_and_kicks_target),
		T2(test_sbi_ipi_send_all_does_not_kick_caller),
		T2(test_sbi_ipi_send_invalid_mask_sends_nothing),
		T2(test_sbi_rfence_fence_i_on_each_target),
		T2(test_sbi_rfence_sfence_vma_range_all_asids),
		T2(test_sbi_rfence_sfence_vma_zero_zero_is_whole_space),
		T2(test_sbi_rfence_sfence_vma_size_max_is_whole_space),
		T2(test_sbi_rfence_sfence_vma_asid_passes_asid),
		T2(test_sbi_rfence_sfence_vma_wrapping_range_invalid_address),
		T2(test_sbi_rfence_sfence_vma_empty_range_flushes_nothing),
		T2(test_sbi_rfence_hfence_not_supported),
		T2(test_sbi_rfence_hfence_not_supported_whatever_the_list),
		T2(test_sbi_rfence_invalid_mask_flushes_nothing),
		T2(test_sbi_hsm_start_stopped_hart),
		T2(test_sbi_hsm_start_absent_hart_invalid_param),
		T2(test_sbi_hsm_start_started_hart_already_available),
		T2(test_sbi_hsm_start_outside_ram_invalid_address),
		T2(test_sbi_hsm_start_halted_hart_fails),
		T3(test_sbi_hsm_start_pending_while_starting),
		T2(test_sbi_hsm_stop_stops_caller_without_return),
		T2(test_sbi_hsm_get_status_maps_vcpu_states),
		T2(test_sbi_hsm_get_status_absent_invalid_param),
		T2(test_sbi_hsm_suspend_retentive_blocks_and_returns),
		T2(test_sbi_hsm_suspend_non_retentive_resumes_at_addr),
		T2(test_sbi_hsm_suspend_non_retentive_bad_address),
		T2(test_sbi_hsm_suspend_reserved_types_invalid_param),
		T2(test_sbi_hsm_suspend_type_uses_low_32_bits),
		T2(test_sbi_hsm_state_machine_two_vcpus),
		T2(test_sbi_srst_shutdown_clean),
		T2(test_sbi_srst_shutdown_system_failure),
		T2(test_sbi_srst_cold_and_warm_reboot),
		T2(test_sbi_srst_reserved_type_invalid_param),
		T2(test_sbi_srst_reserved_reason_invalid_param),
		T2(test_sbi_srst_ignores_upper_register_half),
		T2(test_sbi_argument_width_rule),
		T2(test_sbi_dbcn_write_copies_guest_bytes),
		T2(test_sbi_dbcn_write_is_bounded_per_call),
		T2(test_sbi_dbcn_write_outside_ram_invalid_param),
		T2(test_sbi_dbcn_write_base_hi_invalid_param),
		T2(test_sbi_dbcn_write_wrapping_range_invalid_param),
		T2(test_sbi_dbcn_write_zero_bytes),
		T2(test_sbi_dbcn_read_fills_guest_memory),
		T2(test_sbi_dbcn_read_stops_at_num_bytes),
		T2(test_sbi_dbcn_read_without_input_writes_nothing),
		T2(test_sbi_dbcn_read_outside_ram_consumes_nothing),
		T2(test_sbi_dbcn_write_byte_low_byte_only),
		T2(test_sbi_legacy_set_timer),
		T2(test_sbi_legacy_console_putchar),
		T2(test_sbi_legacy_console_getchar),
		T2(test_sbi_legacy_clear_ipi),
		T2(test_sbi_legacy_send_ipi_reads_mask_from_ram),
		T2(test_sbi_legacy_send_ipi_null_mask_means_all),
		T2(test_sbi_legacy_send_ipi_bad_pointer),
		T2(test_sbi_legacy_remote_fence_i),
		T2(test_sbi_legacy_remote_sfence_vma),
		T2(test_sbi_legacy_remote_sfence_vma_asid),
		T2(test_sbi_legacy_shutdown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
