/*
 * Unit tests of src/core/sbi/sbi_sse.c: SBI v3.0, chapter "Supervisor
 * Software Events Extension". Every function with valid and bad input
 * (event ids, attribute ids and counts, buffers, states), the state
 * machine, delivery at guest entry (sbi_sse_deliver) and completion, on
 * fake VMs (fakes/fake_vm.c) whose vCPUs run the fake engine of
 * fakes/fake_sbi_sse.h. An ECALL is made as the dispatcher makes it
 * (registers set, sbi_dispatch), then the pc moves as the dispatcher moves
 * it and the guest is "entered" (sbi_sse_deliver), as sched_resume does.
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
#include "fakes/fake_sbi_sse.h"
#include "fakes/fake_vm.h"

#define LOCAL   SBI_SSE_EVENT_LOCAL_SOFTWARE
#define GLOBAL  SBI_SSE_EVENT_GLOBAL_SOFTWARE
#define BUF     (FAKE_RAM_BASE + 0x1000)        /* an aligned buffer in guest RAM */
#define RAM_END (FAKE_RAM_BASE + FAKE_RAM_SIZE)
#define ENTRY   (FAKE_RAM_BASE + 0x2000)        /* a handler's entry */
#define PC0     (FAKE_RAM_BASE + 0x400)         /* where the guest makes its calls */
#define A6      16
#define A7      17

static struct fake_vm *f;
static struct vcpu *v0, *v1;

/* The last call: error, value, what sbi_dispatch told the dispatcher. */
struct res {
	long error, value;
	enum resume r;
	uint64_t jump_pc;
};

static int setup_vm(unsigned n)
{
	f = fake_vm_create(n);
	for (unsigned i = 0; i < n; i++) {
		f->vcpus[i].engine = &fake_sse_engine;
		f->vcpus[i].arch->regs.pc = PC0;
		f->vcpus[i].arch->trap.vpriv = VPRIV_S;
		sbi_vcpu_reset(&f->vcpus[i]);
	}
	v0 = &f->vcpus[0];
	v1 = n > 1 ? &f->vcpus[1] : NULL;
	memset(&fake_sse_log, 0, sizeof(fake_sse_log));
	return 0;
}

static int setup1(void **state)
{
	(void)state;
	return setup_vm(1);
}

static int setup2(void **state)
{
	(void)state;
	return setup_vm(2);
}

static int teardown(void **state)
{
	(void)state;
	fake_vm_destroy(f);
	return 0;
}

/* One ECALL of the SSE extension by v; the pc then moves as the
 * dispatcher moves it, and the guest is entered again (deliveries). */
static struct res sse(struct vcpu *v, unsigned long fid, unsigned long a0, unsigned long a1,
		      unsigned long a2, unsigned long a3, unsigned long a4)
{
	struct trap_info t = { 0 };
	struct res r;

	fake_set_ecall(v, SBI_EXT_SSE, fid, a0, a1, a2, a3, a4, 0);
	r.r = sbi_dispatch(v, &t, 4);
	r.error = (long)v->arch->regs.x[10];
	r.value = (long)v->arch->regs.x[11];
	r.jump_pc = t.jump_pc;
	if (r.r == RESUME_NEXT)
		v->arch->regs.pc += t.insn_len;
	else if (r.r == RESUME_JUMP)
		v->arch->regs.pc = t.jump_pc;
	sbi_sse_deliver(v);
	return r;
}

static long err(struct vcpu *v, unsigned long fid, unsigned long a0, unsigned long a1,
		unsigned long a2, unsigned long a3, unsigned long a4)
{
	return sse(v, fid, a0, a1, a2, a3, a4).error;
}

static uint64_t *ram64(uint64_t gpa)
{
	return (uint64_t *)(f->ram + (gpa - FAKE_RAM_BASE));
}

/* One attribute through read_attrs; fails the test on an error. */
static uint64_t attr(struct vcpu *v, uint32_t event, unsigned id)
{
	assert_int_equal(err(v, SBI_SSE_READ_ATTRS, event, id, 1, BUF, 0), SBI_SUCCESS);
	return *ram64(BUF);
}

static long set_attr(struct vcpu *v, uint32_t event, unsigned id, uint64_t val)
{
	*ram64(BUF) = val;
	return err(v, SBI_SSE_WRITE_ATTRS, event, id, 1, BUF, 0);
}

static unsigned state_of(struct vcpu *v, uint32_t event)
{
	return attr(v, event, SBI_SSE_ATTR_STATUS) & 3;
}

static void reg_enable(struct vcpu *v, uint32_t event, uint64_t entry, uint64_t arg)
{
	assert_int_equal(err(v, SBI_SSE_REGISTER, event, entry, arg, 0, 0), SBI_SUCCESS);
	assert_int_equal(err(v, SBI_SSE_ENABLE, event, 0, 0, 0, 0), SBI_SUCCESS);
}

/* ---- probing, ids, masks ---------------------------------------------- */

static void test_sbi_sse_probe_reports_extension(void **state)
{
	struct trap_info t = { 0 };

	(void)state;
	fake_set_ecall(v0, SBI_EXT_BASE, SBI_BASE_PROBE_EXTENSION, SBI_EXT_SSE, 0, 0, 0, 0, 0);
	sbi_dispatch(v0, &t, 4);
	assert_int_equal(v0->arch->regs.x[10], 0);
	assert_int_equal(v0->arch->regs.x[11], 1);
}

static void test_sbi_sse_unknown_fid_not_supported(void **state)
{
	(void)state;
	assert_int_equal(err(v0, 10, LOCAL, 0, 0, 0, 0), SBI_ERR_NOT_SUPPORTED);
	assert_int_equal(err(v0, 0x7fffffff, LOCAL, 0, 0, 0, 0), SBI_ERR_NOT_SUPPORTED);
}

static void test_sbi_sse_hart_mask_unmask_states(void **state)
{
	(void)state;
	/* Masked at boot. */
	assert_int_equal(err(v0, SBI_SSE_HART_MASK, 0, 0, 0, 0, 0), SBI_ERR_ALREADY_STOPPED);
	assert_int_equal(err(v0, SBI_SSE_HART_UNMASK, 0, 0, 0, 0, 0), SBI_SUCCESS);
	assert_int_equal(err(v0, SBI_SSE_HART_UNMASK, 0, 0, 0, 0, 0), SBI_ERR_ALREADY_STARTED);
	assert_int_equal(err(v0, SBI_SSE_HART_MASK, 0, 0, 0, 0, 0), SBI_SUCCESS);
	assert_int_equal(err(v0, SBI_SSE_HART_MASK, 0, 0, 0, 0, 0), SBI_ERR_ALREADY_STOPPED);
}

/* Standard events Trapeze cannot raise: NOT_SUPPORTED from every function
 * naming an event; reserved and platform-specific (none defined):
 * INVALID_PARAM, whatever the upper half of a0 holds (only its low 32 bits
 * are event_id: test_sbi_sse_32bit_args_use_the_low_half). */
static void test_sbi_sse_event_ids(void **state)
{
	static const unsigned long unsupported[] = {
		SBI_SSE_EVENT_LOCAL_HIGH_PRIO_RAS, SBI_SSE_EVENT_LOCAL_DOUBLE_TRAP,
		SBI_SSE_EVENT_GLOBAL_HIGH_PRIO_RAS, SBI_SSE_EVENT_LOCAL_PMU_OVERFLOW,
		SBI_SSE_EVENT_LOCAL_LOW_PRIO_RAS, SBI_SSE_EVENT_GLOBAL_LOW_PRIO_RAS,
	};
	static const unsigned long invalid[] = {
		0x00000002, 0x00003fff, 0x00004000, 0x00008001, 0x0000c000, 0x00010001,
		0xffff0001, 0xffff4000, 0xffff8001, 0xffffc000, 0xffffffff,
		(1UL << 32) | 0x2, 0xffffffff00004000UL, -1UL,
	};
	static const unsigned fids[] = {
		SBI_SSE_READ_ATTRS, SBI_SSE_WRITE_ATTRS, SBI_SSE_REGISTER, SBI_SSE_UNREGISTER,
		SBI_SSE_ENABLE, SBI_SSE_DISABLE, SBI_SSE_INJECT,
	};

	(void)state;
	*ram64(BUF) = 0;
	for (unsigned j = 0; j < sizeof(fids) / sizeof(fids[0]); j++) {
		for (unsigned i = 0; i < sizeof(unsupported) / sizeof(unsupported[0]); i++)
			assert_int_equal(err(v0, fids[j], unsupported[i], j == 2 ? ENTRY : 1,
					     1, BUF, 0), SBI_ERR_NOT_SUPPORTED);
		for (unsigned i = 0; i < sizeof(invalid) / sizeof(invalid[0]); i++)
			assert_int_equal(err(v0, fids[j], invalid[i], j == 2 ? ENTRY : 1,
					     1, BUF, 0), SBI_ERR_INVALID_PARAM);
	}
	/* Nothing registered behind the errors. */
	assert_int_equal(state_of(v0, LOCAL), SBI_SSE_STATE_UNUSED);
	assert_int_equal(state_of(v0, GLOBAL), SBI_SSE_STATE_UNUSED);
}

/* ---- attributes --------------------------------------------------------- */

static void test_sbi_sse_attrs_reset_values(void **state)
{
	uint64_t *b = ram64(BUF);

	(void)state;
	memset(b, 0xa5, 8 * SBI_SSE_ATTR_COUNT);
	assert_int_equal(err(v1, SBI_SSE_READ_ATTRS, LOCAL, 0, SBI_SSE_ATTR_COUNT, BUF, 0), 0);
	assert_int_equal(b[SBI_SSE_ATTR_STATUS], SBI_SSE_STATUS_INJECTABLE);
	assert_int_equal(b[SBI_SSE_ATTR_PREFERRED_HART], 1);    /* a local event's hart */
	for (unsigned i = 1; i < SBI_SSE_ATTR_COUNT; i++)
		if (i != SBI_SSE_ATTR_PREFERRED_HART)
			assert_int_equal(b[i], 0);
	memset(b, 0xa5, 8 * SBI_SSE_ATTR_COUNT);
	assert_int_equal(err(v1, SBI_SSE_READ_ATTRS, GLOBAL, 0, SBI_SSE_ATTR_COUNT, BUF, 0), 0);
	assert_int_equal(b[SBI_SSE_ATTR_STATUS], SBI_SSE_STATUS_INJECTABLE);
	assert_int_equal(b[SBI_SSE_ATTR_PREFERRED_HART], 0);    /* the VM's first hart */
}

/* Element i of the buffer is attribute base + i (the buffer is
 * (XLEN / 8) * attr_count bytes), and nothing past it is written. */
static void test_sbi_sse_read_attrs_layout(void **state)
{
	uint64_t *b = ram64(BUF);

	(void)state;
	assert_int_equal(err(v0, SBI_SSE_REGISTER, LOCAL, ENTRY, 0x1234, 0, 0), 0);
	memset(b, 0xa5, 8 * 4);
	assert_int_equal(err(v0, SBI_SSE_READ_ATTRS, LOCAL, SBI_SSE_ATTR_ENTRY_PC, 2, BUF, 0), 0);
	assert_int_equal(b[0], ENTRY);
	assert_int_equal(b[1], 0x1234);
	assert_int_equal(b[2], 0xa5a5a5a5a5a5a5a5ULL);
	assert_int_equal(attr(v0, LOCAL, SBI_SSE_ATTR_STATUS),
			 SBI_SSE_STATE_REGISTERED | SBI_SSE_STATUS_INJECTABLE);
	/* The last attribute alone, and the whole range ending at it. */
	assert_int_equal(err(v0, SBI_SSE_READ_ATTRS, LOCAL, 9, 1, BUF, 0), 0);
	assert_int_equal(err(v0, SBI_SSE_READ_ATTRS, LOCAL, 0, 10, RAM_END - 80, 0), 0);
}
/*
 * event_id, base_attr_id and attr_count are uint32_t: only the low half of
 * each register counts (SBI v3.0, chapter 3 "Binary Encoding": 32-bit data
 * uses 32 bits; the rule of sbi.h, as FWFT's feature and HSM's
 * suspend_type), whether the caller zero- or sign-extended it.
 */
static void test_sbi_sse_32bit_args_use_the_low_half(void **state)
{
	uint64_t *b = ram64(BUF);

	(void)state;
	/* Registered through junk upper bits, seen through plain ids. */
	assert_int_equal(err(v0, SBI_SSE_REGISTER, (1UL << 32) | LOCAL, ENTRY, 0x77, 0, 0),
			 SBI_SUCCESS);
	assert_int_equal(state_of(v0, LOCAL), SBI_SSE_STATE_REGISTERED);
	assert_int_equal(attr(v0, LOCAL, SBI_SSE_ATTR_ENTRY_ARG), 0x77);
	/* The psABI's sign-extended uint32_t 0xffff8000 is GLOBAL_SOFTWARE. */
	assert_int_equal(err(v0, SBI_SSE_REGISTER, 0xffffffffffff8000UL, ENTRY, 0, 0, 0),
			 SBI_SUCCESS);
	assert_int_equal(state_of(v0, GLOBAL), SBI_SSE_STATE_REGISTERED);
	assert_int_equal(err(v0, SBI_SSE_ENABLE, ~0UL << 32 | LOCAL, 0, 0, 0, 0), SBI_SUCCESS);
	assert_int_equal(err(v0, SBI_SSE_DISABLE, (1UL << 63) | LOCAL, 0, 0, 0, 0), SBI_SUCCESS);
	/* base_attr_id and attr_count: (1 << 32) | 1 is attribute 1, one of them. */
	b[0] = 0x5a;
	assert_int_equal(err(v0, SBI_SSE_READ_ATTRS, LOCAL, (1UL << 32) | SBI_SSE_ATTR_ENTRY_ARG,
			     (1UL << 32) | 1, BUF, 0), SBI_SUCCESS);
	assert_int_equal(b[0], 0x77);
	b[0] = 9, b[1] = 0x5a;
	assert_int_equal(err(v0, SBI_SSE_WRITE_ATTRS, LOCAL, (1UL << 33) | SBI_SSE_ATTR_PRIORITY,
			     (3UL << 32) | 1, BUF, 0), SBI_SUCCESS);
	assert_int_equal(attr(v0, LOCAL, SBI_SSE_ATTR_PRIORITY), 9);
	assert_int_equal(attr(v0, LOCAL, SBI_SSE_ATTR_CONFIG), 0);     /* only one written */
	/* inject: event_id is 32 bits, hart_id an unsigned long (the whole register). */
	assert_int_equal(err(v0, SBI_SSE_INJECT, (1UL << 32) | LOCAL, 0, 0, 0, 0), SBI_SUCCESS);
	assert_int_equal(err(v0, SBI_SSE_INJECT, LOCAL, 1UL << 32, 0, 0, 0), SBI_ERR_INVALID_PARAM);
	assert_int_equal(err(v0, SBI_SSE_UNREGISTER, (1UL << 32) | LOCAL, 0, 0, 0, 0), SBI_SUCCESS);
	assert_int_equal(err(v0, SBI_SSE_UNREGISTER, (1UL << 32) | GLOBAL, 0, 0, 0, 0), SBI_SUCCESS);
	assert_int_equal(state_of(v0, LOCAL), SBI_SSE_STATE_UNUSED);
	assert_int_equal(state_of(v0, GLOBAL), SBI_SSE_STATE_UNUSED);
}

static void test_sbi_sse_read_attrs_errors(void **state)
{
	uint64_t *b = ram64(BUF);

	(void)state;
	b[0] = 0x5a;
	/* attr_count 0, also as the low half of a register (1 << 32). */
	assert_int_equal(err(v0, SBI_SSE_READ_ATTRS, LOCAL, 0, 0, BUF, 0), SBI_ERR_INVALID_PARAM);
	assert_int_equal(err(v0, SBI_SSE_READ_ATTRS, LOCAL, 0, 1UL << 32, BUF, 0), SBI_ERR_INVALID_PARAM);
	/* Attributes past INTERRUPTED_A7. */
	assert_int_equal(err(v0, SBI_SSE_READ_ATTRS, LOCAL, 10, 1, BUF, 0), SBI_ERR_BAD_RANGE);
	assert_int_equal(err(v0, SBI_SSE_READ_ATTRS, LOCAL, 9, 2, BUF, 0), SBI_ERR_BAD_RANGE);
	assert_int_equal(err(v0, SBI_SSE_READ_ATTRS, LOCAL, 0, 11, BUF, 0), SBI_ERR_BAD_RANGE);
	assert_int_equal(err(v0, SBI_SSE_READ_ATTRS, LOCAL, 0xffffffff, 1, BUF, 0), SBI_ERR_BAD_RANGE);
	assert_int_equal(err(v0, SBI_SSE_READ_ATTRS, LOCAL, 1, 0xffffffff, BUF, 0), SBI_ERR_BAD_RANGE);
	/* Buffers: unaligned, above 2^64 (hi), outside RAM, across its end, a device. */
	for (unsigned m = 1; m < 8; m++)
		assert_int_equal(err(v0, SBI_SSE_READ_ATTRS, LOCAL, 0, 1, BUF + m, 0),
				 SBI_ERR_INVALID_ADDRESS);
	assert_int_equal(err(v0, SBI_SSE_READ_ATTRS, LOCAL, 0, 1, BUF, 1), SBI_ERR_INVALID_ADDRESS);
	assert_int_equal(err(v0, SBI_SSE_READ_ATTRS, LOCAL, 0, 1, FAKE_RAM_BASE - 8, 0),
			 SBI_ERR_INVALID_ADDRESS);
	assert_int_equal(err(v0, SBI_SSE_READ_ATTRS, LOCAL, 0, 1, RAM_END, 0), SBI_ERR_INVALID_ADDRESS);
	assert_int_equal(err(v0, SBI_SSE_READ_ATTRS, LOCAL, 0, 2, RAM_END - 8, 0),
			 SBI_ERR_INVALID_ADDRESS);
	assert_int_equal(err(v0, SBI_SSE_READ_ATTRS, LOCAL, 0, 1, FAKE_MMIO_BASE, 0),
			 SBI_ERR_INVALID_ADDRESS);
	assert_int_equal(err(v0, SBI_SSE_READ_ATTRS, LOCAL, 0, 1, -8UL, 0), SBI_ERR_INVALID_ADDRESS);
	assert_int_equal(b[0], 0x5a);   /* no error wrote anything */
	/* Same for write_attrs. */
	assert_int_equal(err(v0, SBI_SSE_WRITE_ATTRS, LOCAL, 1, 0, BUF, 0), SBI_ERR_INVALID_PARAM);
	assert_int_equal(err(v0, SBI_SSE_WRITE_ATTRS, LOCAL, 1, 1UL << 32, BUF, 0), SBI_ERR_INVALID_PARAM);
	assert_int_equal(err(v0, SBI_SSE_WRITE_ATTRS, LOCAL, (1UL << 32) | 10, 1, BUF, 0),
			 SBI_ERR_BAD_RANGE);
	assert_int_equal(err(v0, SBI_SSE_WRITE_ATTRS, LOCAL, 10, 1, BUF, 0), SBI_ERR_BAD_RANGE);
	assert_int_equal(err(v0, SBI_SSE_WRITE_ATTRS, LOCAL, 1, 1, BUF + 4, 0), SBI_ERR_INVALID_ADDRESS);
	assert_int_equal(err(v0, SBI_SSE_WRITE_ATTRS, LOCAL, 1, 1, BUF, 1), SBI_ERR_INVALID_ADDRESS);
	assert_int_equal(err(v0, SBI_SSE_WRITE_ATTRS, LOCAL, 1, 1, RAM_END, 0), SBI_ERR_INVALID_ADDRESS);
	assert_int_equal(err(v0, SBI_SSE_WRITE_ATTRS, GLOBAL, 1, 1, FAKE_MMIO_BASE, 0),
			 SBI_ERR_INVALID_ADDRESS);
	assert_int_equal(attr(v0, LOCAL, SBI_SSE_ATTR_PRIORITY), 0);
}

static void test_sbi_sse_write_attrs_read_only(void **state)
{
	(void)state;
	assert_int_equal(set_attr(v0, LOCAL, SBI_SSE_ATTR_STATUS, 0), SBI_ERR_BAD_RANGE);
	assert_int_equal(set_attr(v0, LOCAL, SBI_SSE_ATTR_ENTRY_PC, 0), SBI_ERR_BAD_RANGE);
	assert_int_equal(set_attr(v0, LOCAL, SBI_SSE_ATTR_ENTRY_ARG, 0), SBI_ERR_BAD_RANGE);
	assert_int_equal(set_attr(v0, GLOBAL, SBI_SSE_ATTR_ENTRY_ARG, 0), SBI_ERR_BAD_RANGE);
	/* PREFERRED_HART: read-only for a local event, writable for the global one. */
	assert_int_equal(set_attr(v0, LOCAL, SBI_SSE_ATTR_PREFERRED_HART, 0), SBI_ERR_BAD_RANGE);
	assert_int_equal(set_attr(v0, GLOBAL, SBI_SSE_ATTR_PREFERRED_HART, 0), SBI_SUCCESS);
	/* A range holding a read-only attribute writes nothing of it. */
	uint64_t *b = ram64(BUF);
	b[0] = 7, b[1] = 1, b[2] = 0, b[3] = ENTRY;
	assert_int_equal(err(v0, SBI_SSE_WRITE_ATTRS, GLOBAL, SBI_SSE_ATTR_PRIORITY, 4, BUF, 0),
			 SBI_ERR_BAD_RANGE);
	assert_int_equal(attr(v0, GLOBAL, SBI_SSE_ATTR_PRIORITY), 0);
	assert_int_equal(attr(v0, GLOBAL, SBI_SSE_ATTR_CONFIG), 0);
}

static void test_sbi_sse_write_attrs_values(void **state)
{
	uint64_t *b = ram64(BUF);

	(void)state;
	/* "only lower 32-bits of the value are used" (Table "SSE Event Attributes"). */
	assert_int_equal(set_attr(v0, LOCAL, SBI_SSE_ATTR_PRIORITY, (1ULL << 32) | 3), SBI_SUCCESS);
	assert_int_equal(attr(v0, LOCAL, SBI_SSE_ATTR_PRIORITY), 3);
	assert_int_equal(set_attr(v0, LOCAL, SBI_SSE_ATTR_PRIORITY, 1ULL << 32), SBI_SUCCESS);
	assert_int_equal(attr(v0, LOCAL, SBI_SSE_ATTR_PRIORITY), 0);
	assert_int_equal(set_attr(v0, LOCAL, SBI_SSE_ATTR_PRIORITY, 0xffffffff), SBI_SUCCESS);
	assert_int_equal(attr(v0, LOCAL, SBI_SSE_ATTR_PRIORITY), 0xffffffff);
	assert_int_equal(set_attr(v0, LOCAL, SBI_SSE_ATTR_CONFIG, ~SBI_SSE_CONFIG_ONESHOT),
			 SBI_ERR_INVALID_PARAM);
	assert_int_equal(set_attr(v0, LOCAL, SBI_SSE_ATTR_CONFIG, 2), SBI_ERR_INVALID_PARAM);
	assert_int_equal(set_attr(v0, LOCAL, SBI_SSE_ATTR_CONFIG, SBI_SSE_CONFIG_ONESHOT), SBI_SUCCESS);
	assert_int_equal(attr(v0, LOCAL, SBI_SSE_ATTR_CONFIG), SBI_SSE_CONFIG_ONESHOT);
	/* A hart the VM lacks. */
	assert_int_equal(set_attr(v0, GLOBAL, SBI_SSE_ATTR_PREFERRED_HART, 2), SBI_ERR_INVALID_PARAM);
	assert_int_equal(set_attr(v0, GLOBAL, SBI_SSE_ATTR_PREFERRED_HART, 0xffffffff),
			 SBI_ERR_INVALID_PARAM);
	assert_int_equal(set_attr(v0, GLOBAL, SBI_SSE_ATTR_PREFERRED_HART, 1), SBI_SUCCESS);
	assert_int_equal(attr(v1, GLOBAL, SBI_SSE_ATTR_PREFERRED_HART), 1);
	/* A bad value among good ones: nothing written. */
	b[0] = 5, b[1] = 4;
	assert_int_equal(err(v0, SBI_SSE_WRITE_ATTRS, GLOBAL, SBI_SSE_ATTR_PRIORITY, 2, BUF, 0),
			 SBI_ERR_INVALID_PARAM);
	assert_int_equal(attr(v0, GLOBAL, SBI_SSE_ATTR_PRIORITY), 0);
	b[0] = 5, b[1] = 1;
	assert_int_equal(err(v0, SBI_SSE_WRITE_ATTRS, GLOBAL, SBI_SSE_ATTR_PRIORITY, 2, BUF, 0), 0);
	assert_int_equal(attr(v0, GLOBAL, SBI_SSE_ATTR_PRIORITY), 5);
	assert_int_equal(attr(v0, GLOBAL, SBI_SSE_ATTR_CONFIG), 1);
	/* A local event's attributes are the calling hart's own. */
	assert_int_equal(attr(v1, LOCAL, SBI_SSE_ATTR_PRIORITY), 0);
}

/* PRIORITY, CONFIG, PREFERRED_HART only while UNUSED or REGISTERED; the
 * INTERRUPTED_* attributes only while RUNNING. */
static void test_sbi_sse_write_attrs_states(void **state)
{
	(void)state;
	for (unsigned a = SBI_SSE_ATTR_INTERRUPTED_SEPC; a <= SBI_SSE_ATTR_INTERRUPTED_A7; a++) {
		assert_int_equal(set_attr(v0, LOCAL, a, 1), SBI_ERR_INVALID_STATE);
		assert_int_equal(set_attr(v0, GLOBAL, a, 1), SBI_ERR_INVALID_STATE);
	}
	assert_int_equal(err(v0, SBI_SSE_REGISTER, GLOBAL, ENTRY, 0, 0, 0), 0);
	assert_int_equal(set_attr(v0, GLOBAL, SBI_SSE_ATTR_PRIORITY, 3), SBI_SUCCESS);
	assert_int_equal(set_attr(v0, GLOBAL, SBI_SSE_ATTR_INTERRUPTED_A6, 1), SBI_ERR_INVALID_STATE);
	assert_int_equal(err(v0, SBI_SSE_ENABLE, GLOBAL, 0, 0, 0, 0), 0);
	assert_int_equal(set_attr(v0, GLOBAL, SBI_SSE_ATTR_PRIORITY, 3), SBI_ERR_INVALID_STATE);
	assert_int_equal(set_attr(v0, GLOBAL, SBI_SSE_ATTR_CONFIG, 0), SBI_ERR_INVALID_STATE);
	assert_int_equal(set_attr(v0, GLOBAL, SBI_SSE_ATTR_PREFERRED_HART, 0), SBI_ERR_INVALID_STATE);
	assert_int_equal(set_attr(v0, GLOBAL, SBI_SSE_ATTR_INTERRUPTED_SEPC, 1), SBI_ERR_INVALID_STATE);
	/* Taken on hart 0: RUNNING there. */
	assert_int_equal(err(v0, SBI_SSE_HART_UNMASK, 0, 0, 0, 0, 0), 0);
	assert_int_equal(err(v0, SBI_SSE_INJECT, GLOBAL, 0, 0, 0, 0), 0);
	assert_int_equal(state_of(v0, GLOBAL), SBI_SSE_STATE_RUNNING);
	assert_int_equal(set_attr(v0, GLOBAL, SBI_SSE_ATTR_PRIORITY, 3), SBI_ERR_INVALID_STATE);
	assert_int_equal(set_attr(v0, GLOBAL, SBI_SSE_ATTR_PREFERRED_HART, 1), SBI_ERR_INVALID_STATE);
	for (unsigned a = SBI_SSE_ATTR_INTERRUPTED_SEPC; a <= SBI_SSE_ATTR_INTERRUPTED_A7; a++) {
		uint64_t val = a == SBI_SSE_ATTR_INTERRUPTED_FLAGS ? SBI_SSE_FLAG_SDT : 0xdead0000 + a;
		/* Only the hart running the handler may change them. */
		assert_int_equal(set_attr(v1, GLOBAL, a, val), SBI_ERR_INVALID_STATE);
		assert_int_equal(set_attr(v0, GLOBAL, a, val), SBI_SUCCESS);
		assert_int_equal(attr(v1, GLOBAL, a), val);
	}
	/* Every defined flag may be written; a reserved one is INVALID_PARAM. */
	for (unsigned bit = 0; bit < 6; bit++)
		assert_int_equal(set_attr(v0, GLOBAL, SBI_SSE_ATTR_INTERRUPTED_FLAGS, 1UL << bit), 0);
	assert_int_equal(set_attr(v0, GLOBAL, SBI_SSE_ATTR_INTERRUPTED_FLAGS, 1UL << 6),
			 SBI_ERR_INVALID_PARAM);
	assert_int_equal(set_attr(v0, GLOBAL, SBI_SSE_ATTR_INTERRUPTED_FLAGS, 1UL << 32),
			 SBI_ERR_INVALID_PARAM);
	assert_int_equal(attr(v0, GLOBAL, SBI_SSE_ATTR_INTERRUPTED_FLAGS), SBI_SSE_FLAG_SDT);
}

/* ---- the state machine -------------------------------------------------- */

static void test_sbi_sse_register_and_transitions(void **state)
{
	(void)state;
	/* From UNUSED only register works. */
	assert_int_equal(err(v0, SBI_SSE_UNREGISTER, LOCAL, 0, 0, 0, 0), SBI_ERR_INVALID_STATE);
	assert_int_equal(err(v0, SBI_SSE_ENABLE, LOCAL, 0, 0, 0, 0), SBI_ERR_INVALID_STATE);
	assert_int_equal(err(v0, SBI_SSE_DISABLE, LOCAL, 0, 0, 0, 0), SBI_ERR_INVALID_STATE);
	/* entry_pc must be 2-byte aligned. */
	assert_int_equal(err(v0, SBI_SSE_REGISTER, LOCAL, ENTRY + 1, 0, 0, 0), SBI_ERR_INVALID_PARAM);
	assert_int_equal(state_of(v0, LOCAL), SBI_SSE_STATE_UNUSED);
	assert_int_equal(err(v0, SBI_SSE_REGISTER, LOCAL, ENTRY + 2, 9, 0, 0), SBI_SUCCESS);
	assert_int_equal(state_of(v0, LOCAL), SBI_SSE_STATE_REGISTERED);
	assert_int_equal(attr(v0, LOCAL, SBI_SSE_ATTR_ENTRY_PC), ENTRY + 2);
	assert_int_equal(attr(v0, LOCAL, SBI_SSE_ATTR_ENTRY_ARG), 9);
	assert_int_equal(err(v0, SBI_SSE_REGISTER, LOCAL, ENTRY, 0, 0, 0), SBI_ERR_INVALID_STATE);
	assert_int_equal(err(v0, SBI_SSE_REGISTER, LOCAL, ENTRY + 1, 0, 0, 0), SBI_ERR_INVALID_PARAM);
	assert_int_equal(err(v0, SBI_SSE_DISABLE, LOCAL, 0, 0, 0, 0), SBI_ERR_INVALID_STATE);
	/* Local: hart 1's copy is untouched. */
	assert_int_equal(state_of(v1, LOCAL), SBI_SSE_STATE_UNUSED);
	assert_int_equal(err(v0, SBI_SSE_ENABLE, LOCAL, 0, 0, 0, 0), SBI_SUCCESS);
	assert_int_equal(state_of(v0, LOCAL), SBI_SSE_STATE_ENABLED);
	assert_int_equal(err(v0, SBI_SSE_ENABLE, LOCAL, 0, 0, 0, 0), SBI_ERR_INVALID_STATE);
	assert_int_equal(err(v0, SBI_SSE_UNREGISTER, LOCAL, 0, 0, 0, 0), SBI_ERR_INVALID_STATE);
	assert_int_equal(err(v0, SBI_SSE_REGISTER, LOCAL, ENTRY, 0, 0, 0), SBI_ERR_INVALID_STATE);
	assert_int_equal(err(v0, SBI_SSE_DISABLE, LOCAL, 0, 0, 0, 0), SBI_SUCCESS);
	assert_int_equal(state_of(v0, LOCAL), SBI_SSE_STATE_REGISTERED);
	assert_int_equal(err(v0, SBI_SSE_UNREGISTER, LOCAL, 0, 0, 0, 0), SBI_SUCCESS);
	assert_int_equal(state_of(v0, LOCAL), SBI_SSE_STATE_UNUSED);
	/* Global: one state for every hart. */
	assert_int_equal(err(v1, SBI_SSE_REGISTER, GLOBAL, ENTRY, 0, 0, 0), SBI_SUCCESS);
	assert_int_equal(state_of(v0, GLOBAL), SBI_SSE_STATE_REGISTERED);
	assert_int_equal(err(v0, SBI_SSE_REGISTER, GLOBAL, ENTRY, 0, 0, 0), SBI_ERR_INVALID_STATE);
	assert_int_equal(err(v0, SBI_SSE_UNREGISTER, GLOBAL, 0, 0, 0, 0), SBI_SUCCESS);
	assert_int_equal(state_of(v1, GLOBAL), SBI_SSE_STATE_UNUSED);
	assert_int_equal(fake_sse_log.enters, 0);
}

/* ---- injection, delivery, completion ---------------------------------- */

static void test_sbi_sse_inject_bad_hart(void **state)
{
	(void)state;
	assert_int_equal(err(v0, SBI_SSE_INJECT, LOCAL, 2, 0, 0, 0), SBI_ERR_INVALID_PARAM);
	assert_int_equal(err(v0, SBI_SSE_INJECT, LOCAL, -1UL, 0, 0, 0), SBI_ERR_INVALID_PARAM);
	assert_int_equal(attr(v0, LOCAL, SBI_SSE_ATTR_STATUS) & SBI_SSE_STATUS_PENDING, 0);
	/* A global event ignores hart_id. */
	assert_int_equal(err(v0, SBI_SSE_INJECT, GLOBAL, 77, 0, 0, 0), SBI_SUCCESS);
	assert_int_equal(attr(v0, GLOBAL, SBI_SSE_ATTR_STATUS) & SBI_SSE_STATUS_PENDING,
			 SBI_SSE_STATUS_PENDING);
}

/* The whole cycle: masked, the event waits; unmasked, it is taken at the
 * next guest entry with the spec's registers; complete resumes exactly. */
static void test_sbi_sse_deliver_and_complete(void **state)
{
	struct vcsr *c = &v0->arch->trap.csr;
	uint64_t *x = v0->arch->regs.x;

	(void)state;
	reg_enable(v0, LOCAL, ENTRY, 0xa7a7);
	assert_int_equal(err(v0, SBI_SSE_INJECT, LOCAL, 0, 0, 0, 0), SBI_SUCCESS);
	assert_int_equal(fake_sse_log.enters, 0);       /* masked */
	assert_int_equal(attr(v0, LOCAL, SBI_SSE_ATTR_STATUS),
			 SBI_SSE_STATE_ENABLED | SBI_SSE_STATUS_PENDING | SBI_SSE_STATUS_INJECTABLE);
	/* The guest's supervisor state before the event. */
	c->sepc = 0x1111;
	c->sstatus = SSTATUS_SIE | SSTATUS_SPIE;       /* SPP = U */
	for (unsigned i = 1; i < 32; i++)
		x[i] = 0x100 + i;
	uint64_t pc = v0->arch->regs.pc;
	struct res r = sse(v0, SBI_SSE_HART_UNMASK, 0, 0, 0, 0, 0);
	assert_int_equal(r.error, 0);
	/* Taken right after the unmask call returned. */
	assert_int_equal(fake_sse_log.enters, 1);
	assert_int_equal(fake_sse_log.last_entry_pc, ENTRY);
	assert_int_equal(v0->arch->regs.pc, ENTRY);
	assert_int_equal(x[A6], 0);                     /* hart id */
	assert_int_equal(x[A7], 0xa7a7);                /* ENTRY_ARG */
	assert_int_equal(c->sepc, pc + 4);
	assert_int_equal(c->sstatus & (SSTATUS_SIE | SSTATUS_SPIE | SSTATUS_SPP),
			 SSTATUS_SPIE | SSTATUS_SPP);
	assert_int_equal(attr(v0, LOCAL, SBI_SSE_ATTR_STATUS),
			 SBI_SSE_STATE_RUNNING | SBI_SSE_STATUS_INJECTABLE);
	assert_int_equal(attr(v0, LOCAL, SBI_SSE_ATTR_INTERRUPTED_SEPC), 0x1111);
	assert_int_equal(attr(v0, LOCAL, SBI_SSE_ATTR_INTERRUPTED_FLAGS), SBI_SSE_FLAG_SPIE);
	assert_int_equal(attr(v0, LOCAL, SBI_SSE_ATTR_INTERRUPTED_A6), SBI_SSE_HART_UNMASK);
	assert_int_equal(attr(v0, LOCAL, SBI_SSE_ATTR_INTERRUPTED_A7), SBI_EXT_SSE);
	/* Signalled again while running: pending, not taken. */
	assert_int_equal(err(v0, SBI_SSE_INJECT, LOCAL, 0, 0, 0, 0), 0);
	assert_int_equal(fake_sse_log.enters, 1);
	assert_int_equal(state_of(v0, LOCAL), SBI_SSE_STATE_RUNNING);
	/* Running: not disabled, not unregistered. */
	assert_int_equal(err(v0, SBI_SSE_DISABLE, LOCAL, 0, 0, 0, 0), SBI_ERR_INVALID_STATE);
	assert_int_equal(err(v0, SBI_SSE_UNREGISTER, LOCAL, 0, 0, 0, 0), SBI_ERR_INVALID_STATE);
	/* The handler restores a0/a1 and calls complete: it does not return. */
	x[10] = 0x10a, x[11] = 0x10b;
	fake_set_ecall(v0, SBI_EXT_SSE, SBI_SSE_COMPLETE, 0x10a, 0x10b, 0, 0, 0, 0);
	struct trap_info t = { 0 };
	assert_int_equal(sbi_dispatch(v0, &t, 4), RESUME_JUMP);
	assert_int_equal(t.jump_pc, pc + 4);
	assert_int_equal(x[10], 0x10a);
	assert_int_equal(x[11], 0x10b);
	assert_int_equal(x[A6], SBI_SSE_HART_UNMASK);
	assert_int_equal(x[A7], SBI_EXT_SSE);
	assert_int_equal(c->sepc, 0x1111);
	assert_int_equal(c->sstatus & (SSTATUS_SIE | SSTATUS_SPIE | SSTATUS_SPP),
			 SSTATUS_SIE | SSTATUS_SPIE);
	assert_int_equal(v0->arch->trap.vpriv, VPRIV_S);
	/* Back to ENABLED; the pending signal is taken at the next entry. */
	v0->arch->regs.pc = t.jump_pc;
	assert_int_equal(fake_sse_log.enters, 1);
	sbi_sse_deliver(v0);
	assert_int_equal(fake_sse_log.enters, 2);
	/* It interrupts the state complete resumed, not the complete call. */
	assert_int_equal(c->sepc, pc + 4);
	assert_int_equal(attr(v0, LOCAL, SBI_SSE_ATTR_INTERRUPTED_SEPC), 0x1111);
	assert_int_equal(attr(v0, LOCAL, SBI_SSE_ATTR_INTERRUPTED_A6), SBI_SSE_HART_UNMASK);
}

/* The handler may change where the interrupted code resumes. */
static void test_sbi_sse_complete_uses_written_attrs(void **state)
{
	uint64_t *x = v0->arch->regs.x;

	(void)state;
	reg_enable(v0, GLOBAL, ENTRY, 0);
	assert_int_equal(err(v0, SBI_SSE_HART_UNMASK, 0, 0, 0, 0, 0), 0);
	assert_int_equal(err(v0, SBI_SSE_INJECT, GLOBAL, 0, 0, 0, 0), 0);
	assert_int_equal(fake_sse_log.enters, 1);
	assert_int_equal(set_attr(v0, GLOBAL, SBI_SSE_ATTR_INTERRUPTED_A6, 0x66), 0);
	assert_int_equal(set_attr(v0, GLOBAL, SBI_SSE_ATTR_INTERRUPTED_A7, 0x77), 0);
	assert_int_equal(set_attr(v0, GLOBAL, SBI_SSE_ATTR_INTERRUPTED_SEPC, 0x5550), 0);
	assert_int_equal(set_attr(v0, GLOBAL, SBI_SSE_ATTR_INTERRUPTED_FLAGS,
				  SBI_SSE_FLAG_SPP | SBI_SSE_FLAG_SPV), 0);
	v0->arch->trap.csr.sepc = FAKE_RAM_BASE + 0x800;        /* the handler moves sepc */
	struct res r = sse(v0, SBI_SSE_COMPLETE, 0, 0, 0, 0, 0);
	assert_int_equal(r.r, RESUME_JUMP);
	assert_int_equal(r.jump_pc, FAKE_RAM_BASE + 0x800);
	assert_int_equal(x[A6], 0x66);
	assert_int_equal(x[A7], 0x77);
	assert_int_equal(fake_sse_log.last_restore.sepc, 0x5550);
	assert_true(fake_sse_log.last_restore.spp);
	assert_false(fake_sse_log.last_restore.spie);
	assert_int_equal(state_of(v0, GLOBAL), SBI_SSE_STATE_ENABLED);
}

static void test_sbi_sse_complete_without_event(void **state)
{
	(void)state;
	struct res r = sse(v0, SBI_SSE_COMPLETE, 5, 6, 0, 0, 0);
	assert_int_equal(r.r, RESUME_NEXT);
	assert_int_equal(r.error, SBI_SUCCESS);
	assert_int_equal(fake_sse_log.completes, 0);
}

static void test_sbi_sse_oneshot_disables_on_complete(void **state)
{
	(void)state;
	assert_int_equal(err(v0, SBI_SSE_REGISTER, LOCAL, ENTRY, 0, 0, 0), 0);
	assert_int_equal(set_attr(v0, LOCAL, SBI_SSE_ATTR_CONFIG, SBI_SSE_CONFIG_ONESHOT), 0);
	assert_int_equal(err(v0, SBI_SSE_ENABLE, LOCAL, 0, 0, 0, 0), 0);
	assert_int_equal(err(v0, SBI_SSE_HART_UNMASK, 0, 0, 0, 0, 0), 0);
	assert_int_equal(err(v0, SBI_SSE_INJECT, LOCAL, 0, 0, 0, 0), 0);
	assert_int_equal(fake_sse_log.enters, 1);
	assert_int_equal(err(v0, SBI_SSE_INJECT, LOCAL, 0, 0, 0, 0), 0);
	assert_int_equal(sse(v0, SBI_SSE_COMPLETE, 0, 0, 0, 0, 0).r, RESUME_JUMP);
	assert_int_equal(state_of(v0, LOCAL), SBI_SSE_STATE_REGISTERED);
	/* Disabled: the second signal waits. */
	assert_int_equal(fake_sse_log.enters, 1);
	assert_int_equal(attr(v0, LOCAL, SBI_SSE_ATTR_STATUS) & SBI_SSE_STATUS_PENDING,
			 SBI_SSE_STATUS_PENDING);
}

/* Disabled or masked: the event waits, pending; enabling or unmasking
 * lets it be taken at the next entry. */
static void test_sbi_sse_disable_and_mask_defer(void **state)
{
	(void)state;
	assert_int_equal(err(v0, SBI_SSE_HART_UNMASK, 0, 0, 0, 0, 0), 0);
	assert_int_equal(err(v0, SBI_SSE_REGISTER, LOCAL, ENTRY, 0, 0, 0), 0);
	assert_int_equal(err(v0, SBI_SSE_INJECT, LOCAL, 0, 0, 0, 0), 0);
	assert_int_equal(fake_sse_log.enters, 0);
	assert_int_equal(err(v0, SBI_SSE_ENABLE, LOCAL, 0, 0, 0, 0), 0);
	assert_int_equal(fake_sse_log.enters, 1);
	assert_int_equal(attr(v0, LOCAL, SBI_SSE_ATTR_INTERRUPTED_A6), SBI_SSE_ENABLE);
	assert_int_equal(sse(v0, SBI_SSE_COMPLETE, 0, 0, 0, 0, 0).r, RESUME_JUMP);
	assert_int_equal(err(v0, SBI_SSE_HART_MASK, 0, 0, 0, 0, 0), 0);
	assert_int_equal(err(v0, SBI_SSE_INJECT, LOCAL, 0, 0, 0, 0), 0);
	sbi_sse_deliver(v0);
	assert_int_equal(fake_sse_log.enters, 1);
	assert_int_equal(err(v0, SBI_SSE_UNREGISTER, LOCAL, 0, 0, 0, 0), SBI_ERR_INVALID_STATE);
	assert_int_equal(err(v0, SBI_SSE_HART_UNMASK, 0, 0, 0, 0, 0), 0);
	assert_int_equal(fake_sse_log.enters, 2);
}

/* "Software Event Priority": lower value first, then lower id; a higher
 * one preempts a running lower one, never the reverse. */
static void test_sbi_sse_priorities(void **state)
{
	(void)state;
	assert_int_equal(err(v0, SBI_SSE_HART_MASK, 0, 0, 0, 0, 0), SBI_ERR_ALREADY_STOPPED);
	reg_enable(v0, LOCAL, ENTRY, 1);
	reg_enable(v0, GLOBAL, ENTRY + 0x100, 2);
	/* Same priority: the lower id (local 0xffff0000) first. */
	assert_int_equal(err(v0, SBI_SSE_INJECT, GLOBAL, 0, 0, 0, 0), 0);
	assert_int_equal(err(v0, SBI_SSE_INJECT, LOCAL, 0, 0, 0, 0), 0);
	assert_int_equal(err(v0, SBI_SSE_HART_UNMASK, 0, 0, 0, 0, 0), 0);
	assert_int_equal(fake_sse_log.enters, 1);
	assert_int_equal(fake_sse_log.last_entry_pc, ENTRY);
	assert_int_equal(state_of(v0, GLOBAL), SBI_SSE_STATE_ENABLED);
	/* Equal priority never preempts. */
	sbi_sse_deliver(v0);
	assert_int_equal(fake_sse_log.enters, 1);
	assert_int_equal(sse(v0, SBI_SSE_COMPLETE, 0, 0, 0, 0, 0).r, RESUME_JUMP);
	assert_int_equal(fake_sse_log.enters, 2);
	assert_int_equal(fake_sse_log.last_entry_pc, ENTRY + 0x100);
	assert_int_equal(sse(v0, SBI_SSE_COMPLETE, 0, 0, 0, 0, 0).r, RESUME_JUMP);

	/* Global at priority 1, local at 5: the global one first. */
	assert_int_equal(err(v0, SBI_SSE_DISABLE, GLOBAL, 0, 0, 0, 0), 0);
	assert_int_equal(err(v0, SBI_SSE_DISABLE, LOCAL, 0, 0, 0, 0), 0);
	assert_int_equal(set_attr(v0, GLOBAL, SBI_SSE_ATTR_PRIORITY, 1), 0);
	assert_int_equal(set_attr(v0, LOCAL, SBI_SSE_ATTR_PRIORITY, 5), 0);
	assert_int_equal(err(v0, SBI_SSE_HART_MASK, 0, 0, 0, 0, 0), 0);
	assert_int_equal(err(v0, SBI_SSE_ENABLE, GLOBAL, 0, 0, 0, 0), 0);
	assert_int_equal(err(v0, SBI_SSE_ENABLE, LOCAL, 0, 0, 0, 0), 0);
	assert_int_equal(err(v0, SBI_SSE_INJECT, LOCAL, 0, 0, 0, 0), 0);
	assert_int_equal(err(v0, SBI_SSE_INJECT, GLOBAL, 0, 0, 0, 0), 0);
	assert_int_equal(err(v0, SBI_SSE_HART_UNMASK, 0, 0, 0, 0, 0), 0);
	assert_int_equal(fake_sse_log.enters, 3);
	assert_int_equal(fake_sse_log.last_entry_pc, ENTRY + 0x100);
	/* The lower one waits while the higher runs ... */
	sbi_sse_deliver(v0);
	assert_int_equal(fake_sse_log.enters, 3);
	assert_int_equal(sse(v0, SBI_SSE_COMPLETE, 0, 0, 0, 0, 0).r, RESUME_JUMP);
	assert_int_equal(fake_sse_log.enters, 4);
	assert_int_equal(fake_sse_log.last_entry_pc, ENTRY);
	/* ... and a higher one preempts the lower running one: both RUNNING,
	 * complete finishes the higher first. */
	uint64_t in_local = v0->arch->regs.pc;
	assert_int_equal(err(v0, SBI_SSE_INJECT, GLOBAL, 0, 0, 0, 0), 0);
	assert_int_equal(fake_sse_log.enters, 5);
	assert_int_equal(fake_sse_log.last_entry_pc, ENTRY + 0x100);
	assert_int_equal(state_of(v0, LOCAL), SBI_SSE_STATE_RUNNING);
	assert_int_equal(state_of(v0, GLOBAL), SBI_SSE_STATE_RUNNING);
	struct res r = sse(v0, SBI_SSE_COMPLETE, 0, 0, 0, 0, 0);
	assert_int_equal(r.jump_pc, in_local + 4);      /* back into the local handler */
	assert_int_equal(state_of(v0, GLOBAL), SBI_SSE_STATE_ENABLED);
	assert_int_equal(state_of(v0, LOCAL), SBI_SSE_STATE_RUNNING);
	assert_int_equal(sse(v0, SBI_SSE_COMPLETE, 0, 0, 0, 0, 0).r, RESUME_JUMP);
	assert_int_equal(state_of(v0, LOCAL), SBI_SSE_STATE_ENABLED);
	assert_int_equal(fake_sse_log.enters, 5);
}

/* A global event is taken on its preferred hart only; another hart is
 * kicked, or woken from a wait. */
static void test_sbi_sse_global_preferred_hart(void **state)
{
	(void)state;
	assert_int_equal(err(v0, SBI_SSE_REGISTER, GLOBAL, ENTRY, 0, 0, 0), 0);
	assert_int_equal(set_attr(v0, GLOBAL, SBI_SSE_ATTR_PREFERRED_HART, 1), 0);
	assert_int_equal(err(v0, SBI_SSE_HART_UNMASK, 0, 0, 0, 0, 0), 0);
	assert_int_equal(err(v1, SBI_SSE_HART_UNMASK, 0, 0, 0, 0, 0), 0);
	v1->state = VCPU_BLOCKED;
	assert_int_equal(err(v0, SBI_SSE_ENABLE, GLOBAL, 0, 0, 0, 0), 0);
	assert_int_equal(fake_count(f, FAKE_MAKE_RUNNABLE), 0);     /* nothing to take yet */
	fake_forget_calls(f);
	assert_int_equal(err(v0, SBI_SSE_INJECT, GLOBAL, 0, 0, 0, 0), 0);
	assert_int_equal(fake_sse_log.enters, 0);       /* not on hart 0 */
	assert_int_equal(fake_count(f, FAKE_MAKE_RUNNABLE), 1);
	assert_ptr_equal(fake_find(f, FAKE_MAKE_RUNNABLE, 0)->v, v1);
	sbi_sse_deliver(v1);
	assert_int_equal(fake_sse_log.enters, 1);
	assert_ptr_equal(fake_sse_log.last_v, v1);
	assert_int_equal(v1->arch->regs.x[A6], 1);      /* its hart id */
	/* Running on hart 1: hart 0 can neither complete nor change it. */
	assert_int_equal(sse(v0, SBI_SSE_COMPLETE, 0, 0, 0, 0, 0).r, RESUME_NEXT);
	assert_int_equal(state_of(v0, GLOBAL), SBI_SSE_STATE_RUNNING);
	assert_int_equal(sse(v1, SBI_SSE_COMPLETE, 0, 0, 0, 0, 0).r, RESUME_JUMP);
	assert_int_equal(state_of(v0, GLOBAL), SBI_SSE_STATE_ENABLED);
	/* A running target is kicked instead. */
	v1->state = VCPU_RUNNING;
	fake_forget_calls(f);
	assert_int_equal(err(v0, SBI_SSE_INJECT, GLOBAL, 0, 0, 0, 0), 0);
	assert_int_equal(fake_count(f, FAKE_KICK), 1);
	assert_ptr_equal(fake_find(f, FAKE_KICK, 0)->v, v1);
}

static void test_sbi_sse_local_inject_other_hart(void **state)
{
	(void)state;
	reg_enable(v1, LOCAL, ENTRY, 0x11);
	assert_int_equal(err(v1, SBI_SSE_HART_UNMASK, 0, 0, 0, 0, 0), 0);
	assert_int_equal(err(v0, SBI_SSE_HART_UNMASK, 0, 0, 0, 0, 0), 0);
	fake_forget_calls(f);
	assert_int_equal(err(v0, SBI_SSE_INJECT, LOCAL, 1, 0, 0, 0), 0);
	assert_int_equal(fake_sse_log.enters, 0);       /* hart 0's own is untouched */
	assert_int_equal(attr(v0, LOCAL, SBI_SSE_ATTR_STATUS) & SBI_SSE_STATUS_PENDING, 0);
	assert_int_equal(attr(v1, LOCAL, SBI_SSE_ATTR_STATUS) & SBI_SSE_STATUS_PENDING,
			 SBI_SSE_STATUS_PENDING);
	assert_int_equal(fake_count(f, FAKE_KICK), 1);
	sbi_sse_deliver(v1);
	assert_int_equal(fake_sse_log.enters, 1);
	assert_ptr_equal(fake_sse_log.last_v, v1);
	assert_int_equal(v1->arch->regs.x[A7], 0x11);
}

/* A blocked hart whose event is masked is not woken. */
static void test_sbi_sse_masked_target_not_woken(void **state)
{
	(void)state;
	reg_enable(v1, LOCAL, ENTRY, 0);
	v1->state = VCPU_BLOCKED;
	fake_forget_calls(f);
	assert_int_equal(err(v0, SBI_SSE_INJECT, LOCAL, 1, 0, 0, 0), 0);
	assert_int_equal(fake_count(f, FAKE_MAKE_RUNNABLE), 0);
}

/* Invisible to a guest that never registers: entering it touches nothing
 * (its engine would crash if called: it has none). */
static void test_sbi_sse_deliver_without_sse_is_noop(void **state)
{
	struct vcpu_arch before;

	(void)state;
	v0->engine = NULL;
	before = *v0->arch;
	for (unsigned i = 0; i < 3; i++)
		sbi_sse_deliver(v0);
	assert_memory_equal(&before, v0->arch, sizeof(before));
	/* Even with SSE calls that make nothing deliverable. */
	assert_int_equal(err(v0, SBI_SSE_HART_UNMASK, 0, 0, 0, 0, 0), 0);
	assert_int_equal(err(v0, SBI_SSE_REGISTER, LOCAL, ENTRY, 0, 0, 0), 0);
	assert_int_equal(err(v0, SBI_SSE_INJECT, LOCAL, 0, 0, 0, 0), 0);
	assert_int_equal(fake_sse_log.enters, 0);
}

/* The descriptor's vcpu_reset: every event back to UNUSED, harts masked. */
static void test_sbi_sse_reset(void **state)
{
	(void)state;
	reg_enable(v0, LOCAL, ENTRY, 0);
	reg_enable(v0, GLOBAL, ENTRY, 0);
	assert_int_equal(err(v0, SBI_SSE_HART_UNMASK, 0, 0, 0, 0, 0), 0);
	assert_int_equal(err(v0, SBI_SSE_INJECT, LOCAL, 0, 0, 0, 0), 0);
	assert_int_equal(state_of(v0, LOCAL), SBI_SSE_STATE_RUNNING);
	sbi_vcpu_reset(v0);
	sbi_vcpu_reset(v1);
	assert_int_equal(attr(v0, LOCAL, SBI_SSE_ATTR_STATUS), SBI_SSE_STATUS_INJECTABLE);
	assert_int_equal(attr(v0, GLOBAL, SBI_SSE_ATTR_STATUS), SBI_SSE_STATUS_INJECTABLE);
	assert_int_equal(attr(v0, LOCAL, SBI_SSE_ATTR_ENTRY_PC), 0);
	assert_int_equal(err(v0, SBI_SSE_HART_MASK, 0, 0, 0, 0, 0), SBI_ERR_ALREADY_STOPPED);
}

#define T1(fn) cmocka_unit_test_setup_teardown(fn, setup1, teardown)
#define T2(fn) cmocka_unit_test_setup_teardown(fn, setup2, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T1(test_sbi_sse_probe_reports_extension),
		T1(test_sbi_sse_unknown_fid_not_supported),
		T1(test_sbi_sse_hart_mask_unmask_states),
		T1(test_sbi_sse_event_ids),
		T1(test_sbi_sse_32bit_args_use_the_low_half),
		T2(test_sbi_sse_attrs_reset_values),
		T1(test_sbi_sse_read_attrs_layout),
		T1(test_sbi_sse_read_attrs_errors),
		T1(test_sbi_sse_write_attrs_read_only),
		T2(test_sbi_sse_write_attrs_values),
		T2(test_sbi_sse_write_attrs_states),
		T2(test_sbi_sse_register_and_transitions),
		T2(test_sbi_sse_inject_bad_hart),
		T1(test_sbi_sse_deliver_and_complete),
		T1(test_sbi_sse_complete_uses_written_attrs),
		T1(test_sbi_sse_complete_without_event),
		T1(test_sbi_sse_oneshot_disables_on_complete),
		T1(test_sbi_sse_disable_and_mask_defer),
		T1(test_sbi_sse_priorities),
		T2(test_sbi_sse_global_preferred_hart),
		T2(test_sbi_sse_local_inject_other_hart),
		T2(test_sbi_sse_masked_target_not_woken),
		T1(test_sbi_sse_deliver_without_sse_is_noop),
		T2(test_sbi_sse_reset),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
