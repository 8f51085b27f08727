/*
 * SBI v3.0, chapter 16, Steal-time Accounting Extension (src/core/sbi/
 * sbi_sta.c) on fake VMs (tests/unit/fakes/fake_vm.c, 10 MHz timebase):
 * set_shmem with every kind of bad argument, the 64-byte record it zeroes,
 * and what the scheduler's two calls write into it (steal in nanoseconds
 * with the sequence protocol, `preempted`). The scheduler's side of the
 * accounting (vcpu->steal_ticks) is test_sched.c's.
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

#define A0(v)       ((long)(v)->arch->regs.x[10])
#define A1(v)       ((long)(v)->arch->regs.x[11])
#define RAM_END     (FAKE_RAM_BASE + FAKE_RAM_SIZE)
#define REC         (FAKE_RAM_BASE + 0x3000)        /* a 64-byte aligned record */
#define NS_PER_TICK 100                             /* 10 MHz */
#define OFF         (~0UL)

static struct fake_vm *f;

static int setup(void **state)
{
	(void)state;
	f = fake_vm_create(2);
	/* What vm_load does: every extension's hook. */
	for (unsigned i = 0; i < 2; i++)
		sbi_vcpu_reset(&f->vcpus[i]);
	return 0;
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

/* set_shmem as the guest makes it; returns a0 and checks a1 == 0 (the
 * chapter: "sbiret.value is set to zero") and that the call returned. */
static long set_shmem(struct vcpu *v, unsigned long lo, unsigned long hi, unsigned long flags)
{
	struct trap_info t = { 0 };

	v->arch->regs.x[11] = 0x5555;
	fake_set_ecall(v, SBI_EXT_STA, SBI_STA_SET_SHMEM, lo, hi, flags, 0x11, 0x22, 0x33);
	assert_int_equal(sbi_dispatch(v, &t, 4), RESUME_NEXT);
	assert_int_equal(t.insn_len, 4);
	assert_int_equal(A1(v), 0);
	return A0(v);
}

static uint8_t *ram(uint64_t gpa)
{
	assert_true(gpa >= FAKE_RAM_BASE && gpa < RAM_END);
	return f->ram + (gpa - FAKE_RAM_BASE);
}

static uint32_t rec_sequence(uint64_t gpa)
{
	uint32_t x;

	memcpy(&x, ram(gpa), 4);
	return x;
}

static uint32_t rec_flags(uint64_t gpa)
{
	uint32_t x;

	memcpy(&x, ram(gpa) + 4, 4);
	return x;
}

static uint64_t rec_steal(uint64_t gpa)
{
	uint64_t x;

	memcpy(&x, ram(gpa) + 8, 8);
	return x;
}

static uint8_t rec_preempted(uint64_t gpa)
{
	return ram(gpa)[16];
}

static void assert_bytes(uint64_t gpa, uint8_t val, size_t len)
{
	for (size_t i = 0; i < len; i++)
		assert_int_equal(ram(gpa)[i], val);
}

/* ---- set_shmem ---------------------------------------------------------- */

static void test_sbi_sta_is_an_extension(void **state)
{
	const struct sbi_ext *e = sbi_find_ext(SBI_EXT_STA);

	(void)state;
	assert_non_null(e);
	assert_string_equal(e->name, "sta");
	assert_false(e->legacy);
	assert_non_null(e->vcpu_reset);
}

/* "All bytes MUST be set to zero by the SBI implementation before
 * returning" from a successful call. */
static void test_sbi_sta_set_shmem_zeroes_whole_record(void **state)
{
	(void)state;
	memset(ram(REC - 64), 0xee, 3 * 64);
	assert_int_equal(set_shmem(V(0), REC, 0, 0), SBI_SUCCESS);
	assert_bytes(REC, 0, 64);
	/* Nothing beside it. */
	assert_bytes(REC - 64, 0xee, 64);
	assert_bytes(REC + 64, 0xee, 64);
	assert_true(V(0)->sbi.sta.enabled);
	assert_int_equal(V(0)->sbi.sta.shmem, REC);
	/* Only the caller's registration. */
	assert_false(V(1)->sbi.sta.enabled);
}

/* Table "STA Set Steal-time Shared Memory Address Errors": flags must be
 * zero, checked first, also for the disable request. */
static void test_sbi_sta_set_shmem_nonzero_flags_invalid_param(void **state)
{
	static const unsigned long flags[] = { 1, 2, 0x80000000UL, ~0UL };

	(void)state;
	assert_int_equal(set_shmem(V(0), REC, 0, 0), SBI_SUCCESS);
	memset(ram(REC + 64), 0xee, 64);
	for (size_t i = 0; i < sizeof(flags) / sizeof(flags[0]); i++) {
		assert_int_equal(set_shmem(V(0), REC + 64, 0, flags[i]), SBI_ERR_INVALID_PARAM);
		assert_int_equal(set_shmem(V(0), OFF, OFF, flags[i]), SBI_ERR_INVALID_PARAM);
		assert_int_equal(set_shmem(V(0), FAKE_MMIO_BASE + 1, 5, flags[i]),
				 SBI_ERR_INVALID_PARAM);
	}
	/* Nothing changed: the first record is still the one. */
	assert_bytes(REC + 64, 0xee, 64);
	assert_true(V(0)->sbi.sta.enabled);
	assert_int_equal(V(0)->sbi.sta.shmem, REC);
}

/* "shmem_phys_lo MUST be 64-byte aligned": INVALID_PARAM before any
 * address check. */
static void test_sbi_sta_set_shmem_unaligned_invalid_param(void **state)
{
	static const unsigned long offs[] = { 1, 4, 8, 16, 32, 63 };

	(void)state;
	memset(ram(REC), 0xee, 128);
	for (size_t i = 0; i < sizeof(offs) / sizeof(offs[0]); i++)
		assert_int_equal(set_shmem(V(0), REC + offs[i], 0, 0), SBI_ERR_INVALID_PARAM);
	/* Unaligned and out of the VM, or hi not 0: still the alignment. */
	assert_int_equal(set_shmem(V(0), RAM_END + 8, 0, 0), SBI_ERR_INVALID_PARAM);
	assert_int_equal(set_shmem(V(0), REC + 32, 1, 0), SBI_ERR_INVALID_PARAM);
	/* lo all-ones with hi not: not the disable request, and unaligned. */
	assert_int_equal(set_shmem(V(0), OFF, 0, 0), SBI_ERR_INVALID_PARAM);
	assert_bytes(REC, 0xee, 128);
	assert_false(V(0)->sbi.sta.enabled);
}

/* Not writable guest RAM, or beyond XLEN bits: INVALID_ADDRESS ("Shared
 * memory physical address range parameter"). */
static void test_sbi_sta_set_shmem_outside_ram_invalid_address(void **state)
{
	static const struct { unsigned long lo, hi; } bad[] = {
		{ 0, 0 },                               /* nothing there */
		{ FAKE_MMIO_BASE, 0 },                  /* a device, not RAM */
		{ FAKE_RAM_BASE - 64, 0 },              /* just below RAM */
		{ RAM_END, 0 },                         /* just past it */
		{ RAM_END + 0x100000, 0 },
		{ ~0UL & ~63UL, 0 },                    /* top of the address space */
		{ REC, 1 },                             /* RAM's address + 2^64 */
		{ REC, 0x8000000000000000UL },
		{ ~0UL & ~63UL, OFF },                  /* not quite the disable request */
		{ 0, OFF },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(set_shmem(V(0), bad[i].lo, bad[i].hi, 0), SBI_ERR_INVALID_ADDRESS);
	assert_false(V(0)->sbi.sta.enabled);
	assert_int_equal(f->ncalls, 0);
}

/* The first and the last 64 bytes of RAM are a record like any other. */
static void test_sbi_sta_set_shmem_ram_edges_succeed(void **state)
{
	(void)state;
	memset(ram(RAM_END - 64), 0xee, 64);
	assert_int_equal(set_shmem(V(0), RAM_END - 64, 0, 0), SBI_SUCCESS);
	assert_bytes(RAM_END - 64, 0, 64);
	memset(ram(FAKE_RAM_BASE), 0xee, 64);
	assert_int_equal(set_shmem(V(1), FAKE_RAM_BASE, 0, 0), SBI_SUCCESS);
	assert_bytes(FAKE_RAM_BASE, 0, 64);
	assert_int_equal(V(0)->sbi.sta.shmem, RAM_END - 64);
	assert_int_equal(V(1)->sbi.sta.shmem, FAKE_RAM_BASE);
}

/* lo and hi all-ones: stop reporting; the record is left as it was. Done
 * again, or with nothing registered, it still succeeds. */
static void test_sbi_sta_set_shmem_disable_stops_reporting(void **state)
{
	(void)state;
	assert_int_equal(set_shmem(V(0), OFF, OFF, 0), SBI_SUCCESS);
	assert_int_equal(set_shmem(V(0), REC, 0, 0), SBI_SUCCESS);
	V(0)->steal_ticks += 1000;
	sbi_sta_record_steal(V(0));
	assert_int_equal(rec_sequence(REC), 2);
	assert_int_equal(set_shmem(V(0), OFF, OFF, 0), SBI_SUCCESS);
	assert_false(V(0)->sbi.sta.enabled);
	V(0)->steal_ticks += 1000;
	sbi_sta_mark_preempted(V(0));
	sbi_sta_record_steal(V(0));
	assert_int_equal(rec_sequence(REC), 2);
	assert_int_equal(rec_steal(REC), 1000 * NS_PER_TICK);
	assert_int_equal(rec_preempted(REC), 0);
	assert_int_equal(set_shmem(V(0), OFF, OFF, 0), SBI_SUCCESS);
}

/* Registering again moves the record and restarts it from zero. */
static void test_sbi_sta_set_shmem_again_moves_and_restarts(void **state)
{
	(void)state;
	assert_int_equal(set_shmem(V(0), REC, 0, 0), SBI_SUCCESS);
	V(0)->steal_ticks += 500;
	sbi_sta_record_steal(V(0));
	sbi_sta_record_steal(V(0));
	assert_int_equal(rec_sequence(REC), 4);
	assert_int_equal(set_shmem(V(0), REC + 128, 0, 0), SBI_SUCCESS);
	assert_bytes(REC + 128, 0, 64);
	V(0)->steal_ticks += 7;
	sbi_sta_record_steal(V(0));
	assert_int_equal(rec_sequence(REC + 128), 2);
	assert_int_equal(rec_steal(REC + 128), 7 * NS_PER_TICK);
	/* The old one is no longer written. */
	assert_int_equal(rec_sequence(REC), 4);
	assert_int_equal(rec_steal(REC), 500 * NS_PER_TICK);
}

static void test_sbi_sta_unknown_fid_not_supported(void **state)
{
	static const unsigned long fids[] = { 1, 2, 0x7fffffff, ~0UL };
	struct trap_info t = { 0 };

	(void)state;
	for (size_t i = 0; i < sizeof(fids) / sizeof(fids[0]); i++) {
		fake_set_ecall(V(0), SBI_EXT_STA, fids[i], REC, 0, 0, 0, 0, 0);
		assert_int_equal(sbi_dispatch(V(0), &t, 4), RESUME_NEXT);
		assert_int_equal(A0(V(0)), SBI_ERR_NOT_SUPPORTED);
	}
	assert_false(V(0)->sbi.sta.enabled);
}

/* ---- the record --------------------------------------------------------- */

/* Steal counts from the registration, in nanoseconds; the sequence goes
 * up by 2 per update (odd in between), and ends even; flags stay 0. */
static void test_sbi_sta_record_steal_writes_ns_and_even_sequence(void **state)
{
	(void)state;
	V(0)->steal_ticks = 123456;             /* before registering: not reported */
	assert_int_equal(set_shmem(V(0), REC, 0, 0), SBI_SUCCESS);
	V(0)->steal_ticks += 250;
	sbi_sta_record_steal(V(0));
	assert_int_equal(rec_sequence(REC), 2);
	assert_int_equal(rec_flags(REC), 0);
	assert_int_equal(rec_steal(REC), 250 * NS_PER_TICK);
	assert_int_equal(rec_preempted(REC), 0);
	V(0)->steal_ticks += 10000000;          /* one more second */
	sbi_sta_record_steal(V(0));
	assert_int_equal(rec_sequence(REC), 4);
	assert_int_equal(rec_steal(REC), 250 * NS_PER_TICK + 1000000000ULL);
	assert_bytes(REC + 17, 0, 47);
}

/* The sequence is Trapeze's own count: a guest write to it does not make
 * the next update end odd or go backwards. */
static void test_sbi_sta_record_sequence_survives_guest_writes(void **state)
{
	(void)state;
	assert_int_equal(set_shmem(V(0), REC, 0, 0), SBI_SUCCESS);
	sbi_sta_record_steal(V(0));
	memset(ram(REC), 0xff, 64);             /* "MUST not misbehave" */
	V(0)->steal_ticks += 3;
	sbi_sta_record_steal(V(0));
	assert_int_equal(rec_sequence(REC) % 2, 0);
	assert_int_equal(rec_sequence(REC), 4);
	assert_int_equal(rec_flags(REC), 0);
	assert_int_equal(rec_steal(REC), 3 * NS_PER_TICK);
	assert_int_equal(rec_preempted(REC), 0);
}

/* The sequence wraps from 0xfffffffe to 0: still even. */
static void test_sbi_sta_record_sequence_wraps_even(void **state)
{
	(void)state;
	assert_int_equal(set_shmem(V(0), REC, 0, 0), SBI_SUCCESS);
	V(0)->sbi.sta.sequence = 0xfffffffeU;
	sbi_sta_record_steal(V(0));
	assert_int_equal(rec_sequence(REC), 0);
	sbi_sta_record_steal(V(0));
	assert_int_equal(rec_sequence(REC), 2);
}

/* `preempted` is set while the vCPU waits after its slice and must be 0
 * before it runs again; its neighbours in the record stay 0. */
static void test_sbi_sta_preempted_set_then_cleared(void **state)
{
	(void)state;
	assert_int_equal(set_shmem(V(0), REC, 0, 0), SBI_SUCCESS);
	V(0)->steal_ticks += 40;
	sbi_sta_record_steal(V(0));
	sbi_sta_mark_preempted(V(0));
	assert_int_equal(rec_preempted(REC), 1);
	assert_bytes(REC + 17, 0, 47);
	/* Marking is no update of steal. */
	assert_int_equal(rec_sequence(REC), 2);
	assert_int_equal(rec_steal(REC), 40 * NS_PER_TICK);
	V(0)->steal_ticks += 60;
	sbi_sta_record_steal(V(0));
	assert_int_equal(rec_preempted(REC), 0);
	assert_int_equal(rec_sequence(REC), 4);
	assert_int_equal(rec_steal(REC), 100 * NS_PER_TICK);
}

/* Nothing registered: the scheduler's calls touch no memory. */
static void test_sbi_sta_unregistered_vcpu_writes_nothing(void **state)
{
	(void)state;
	memset(f->ram, 0xee, sizeof(f->ram));
	V(0)->steal_ticks = 999;
	sbi_sta_mark_preempted(V(0));
	sbi_sta_record_steal(V(0));
	sbi_sta_record_steal(V(1));
	for (size_t i = 0; i < sizeof(f->ram); i++)
		assert_int_equal(f->ram[i], 0xee);
}

/* Ticks to nanoseconds at any timebase, exact, and without overflow for
 * a year of steal at 10 MHz (3.15e14 ticks: ticks * 1e9 would overflow). */
static void test_sbi_sta_steal_ns_conversion(void **state)
{
	const uint64_t year = 365ULL * 24 * 3600;

	(void)state;
	assert_int_equal(set_shmem(V(0), REC, 0, 0), SBI_SUCCESS);
	V(0)->steal_ticks += year * 10000000ULL + 3;
	sbi_sta_record_steal(V(0));
	assert_int_equal(rec_steal(REC), year * 1000000000ULL + 300);

	platform.timebase_hz = 3;
	assert_int_equal(set_shmem(V(0), REC, 0, 0), SBI_SUCCESS);
	V(0)->steal_ticks += 4;                 /* 1 s + 1/3 s */
	sbi_sta_record_steal(V(0));
	assert_int_equal(rec_steal(REC), 1333333333ULL);

	platform.timebase_hz = 1000000000ULL * 4;    /* 4 GHz: below a ns per tick */
	assert_int_equal(set_shmem(V(0), REC, 0, 0), SBI_SUCCESS);
	V(0)->steal_ticks += 4000000000ULL * 5 + 7;
	sbi_sta_record_steal(V(0));
	assert_int_equal(rec_steal(REC), 5000000001ULL);
}

/* A VM reset unregisters: "MUST stop writing to the shared memory ...
 * upon system reset". */
static void test_sbi_sta_vcpu_reset_unregisters(void **state)
{
	(void)state;
	assert_int_equal(set_shmem(V(0), REC, 0, 0), SBI_SUCCESS);
	sbi_vcpu_reset(V(0));
	assert_false(V(0)->sbi.sta.enabled);
	memset(ram(REC), 0xee, 64);
	V(0)->steal_ticks += 10;
	sbi_sta_mark_preempted(V(0));
	sbi_sta_record_steal(V(0));
	assert_bytes(REC, 0xee, 64);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_sbi_sta_is_an_extension),
		T(test_sbi_sta_set_shmem_zeroes_whole_record),
		T(test_sbi_sta_set_shmem_nonzero_flags_invalid_param),
		T(test_sbi_sta_set_shmem_unaligned_invalid_param),
		T(test_sbi_sta_set_shmem_outside_ram_invalid_address),
		T(test_sbi_sta_set_shmem_ram_edges_succeed),
		T(test_sbi_sta_set_shmem_disable_stops_reporting),
		T(test_sbi_sta_set_shmem_again_moves_and_restarts),
		T(test_sbi_sta_unknown_fid_not_supported),
		T(test_sbi_sta_record_steal_writes_ns_and_even_sequence),
		T(test_sbi_sta_record_sequence_survives_guest_writes),
		T(test_sbi_sta_record_sequence_wraps_even),
		T(test_sbi_sta_preempted_set_then_cleared),
		T(test_sbi_sta_unregistered_vcpu_writes_nothing),
		T(test_sbi_sta_steal_ns_conversion),
		T(test_sbi_sta_vcpu_reset_unregisters),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
