/*
 * Unit tests of src/dev/plic.c: the register map (RISC-V PLIC Specification
 * 1.0.0, "Memory Map") as QEMU 7.2's virt PLIC presents it, claim and
 * complete with level-triggered sources, and the SEIP line each hart's
 * S-mode context drives, observed through tests/unit/fakes/fake_irq.c.
 * Every access is made the way the MMIO dispatcher makes it: one struct
 * mmio_access through the device's handler.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "dev/plic.h"
#include "fakes/fake_irq.h"

#define PRIO(s)         (4ULL * (s))
#define PENDING(w)      (0x1000ULL + 4 * (w))
#define ENABLE(c, w)    (0x2000ULL + 0x80ULL * (c) + 4 * (w))
#define THRESH(c)       (0x200000ULL + 0x1000ULL * (c))
#define CLAIM(c)        (THRESH(c) + 4)
#define M_CTX(h)        (2 * (h))
#define S_CTX(h)        (2 * (h) + 1)
#define BIT(s)          (1u << ((s) % 32))

static struct vm vm;
static struct plic_dev plic;

static void wr(uint64_t off, uint64_t val);

/* What a kernel does first: every context's threshold down to 0 (the
 * PLIC starts as the firmware leaves it, thresholds at 7). */
static void kernel_lowers_thresholds(void)
{
	for (unsigned c = 0; c < 2 * plic.nharts; c++)
		wr(THRESH(c), 0);
}

static void make(unsigned nharts, unsigned nvcpus)
{
	fake_irq_reset(&vm, nvcpus);
	plic_init(&plic, &vm, nharts);
	kernel_lowers_thresholds();
}

static int setup1(void **state)
{
	(void)state;
	make(1, 1);
	return 0;
}

static int setup2(void **state)
{
	(void)state;
	make(2, 2);
	return 0;
}

static int access(uint64_t off, unsigned width, bool write, uint64_t *val)
{
	struct mmio_access a = {
		.gpa = BOARD_PLIC_GPA + off, .offset = off, .width = width, .write = write,
		.value = write ? *val : 0xdeadbeefdeadbeefULL,
	};
	struct mmio_device dev = { .name = plic_model.name, .access = plic_model.access, .priv = &plic };
	int r = plic_model.access(&dev, &vm, &a);
	if (!write)
		*val = a.value;
	return r;
}

static uint64_t rd(uint64_t off)
{
	uint64_t v;
	assert_int_equal(access(off, 4, false, &v), 0);
	return v;
}

static void wr(uint64_t off, uint64_t val)
{
	assert_int_equal(access(off, 4, true, &val), 0);
}

/* Source s at priority prio, enabled on context ctx, line high. */
static void arm(unsigned s, unsigned prio, unsigned ctx)
{
	wr(PRIO(s), prio);
	wr(ENABLE(ctx, s / 32), rd(ENABLE(ctx, s / 32)) | BIT(s));
	plic_set_level(&plic, s, true);
}

/* The state a guest cannot see through a hole: all of it but the lock. */
static void snapshot(struct plic_dev *copy)
{
	*copy = plic;
	copy->lock.locked = 0;
}

static void test_plic_reset_state_reads_zero(void **state)
{
	(void)state;
	for (unsigned s = 0; s < BOARD_PLIC_SOURCES; s++)
		assert_int_equal(rd(PRIO(s)), 0);
	for (unsigned w = 0; w < 3; w++) {
		assert_int_equal(rd(PENDING(w)), 0);
		assert_int_equal(rd(ENABLE(M_CTX(0), w)), 0);
		assert_int_equal(rd(ENABLE(S_CTX(0), w)), 0);
	}
	assert_int_equal(rd(THRESH(M_CTX(0))), 0);
	assert_int_equal(rd(THRESH(S_CTX(0))), 0);
	assert_int_equal(rd(CLAIM(S_CTX(0))), 0);
	assert_int_equal(fake_irq_total_raises() + fake_irq_total_lowers(), 0);
	assert_string_equal(plic_model.name, "plic");
	assert_true(plic_model.state_size == sizeof(struct plic_dev));
}

static void test_plic_priority_masked_to_3_bits(void **state)
{
	(void)state;
	wr(PRIO(1), 0xff);
	assert_int_equal(rd(PRIO(1)), 7);
	wr(PRIO(2), 9);
	assert_int_equal(rd(PRIO(2)), 1);
	/* A 32-bit store: the upper half of the register is not stored. */
	wr(PRIO(95), 0x500000003ULL);
	assert_int_equal(rd(PRIO(95)), 3);
	assert_int_equal(rd(PRIO(3)), 0);
}

static void test_plic_source0_does_not_exist(void **state)
{
	(void)state;
	wr(PRIO(0), 7);
	assert_int_equal(rd(PRIO(0)), 0);
	wr(ENABLE(S_CTX(0), 0), 0xffffffff);
	assert_int_equal(rd(ENABLE(S_CTX(0), 0)), 0xfffffffe);
	wr(ENABLE(M_CTX(0), 0), 0x1);
	assert_int_equal(rd(ENABLE(M_CTX(0), 0)), 0);
	/* Bit 0 of the other words is a real source (32, 64). */
	wr(ENABLE(S_CTX(0), 1), 1);
	wr(ENABLE(S_CTX(0), 2), 1);
	assert_int_equal(rd(ENABLE(S_CTX(0), 1)), 1);
	assert_int_equal(rd(ENABLE(S_CTX(0), 2)), 1);
	plic_set_level(&plic, 0, true);
	assert_int_equal(rd(PENDING(0)), 0);
}

static void test_plic_pending_is_read_only(void **state)
{
	(void)state;
	plic_set_level(&plic, 5, true);
	wr(PENDING(0), 0);
	assert_int_equal(rd(PENDING(0)), BIT(5));
	wr(PENDING(1), 0xffffffff);
	wr(PENDING(2), 0xffffffff);
	assert_int_equal(rd(PENDING(1)), 0);
	assert_int_equal(rd(PENDING(2)), 0);
}

static void test_plic_pending_follows_line(void **state)
{
	(void)state;
	plic_set_level(&plic, 33, true);
	plic_set_level(&plic, 95, true);
	assert_int_equal(rd(PENDING(1)), BIT(33));
	assert_int_equal(rd(PENDING(2)), BIT(95));
	/* QEMU: a line that drops before the claim withdraws the request. */
	plic_set_level(&plic, 33, false);
	assert_int_equal(rd(PENDING(1)), 0);
	assert_int_equal(rd(PENDING(2)), BIT(95));
}

static void test_plic_enable_per_context_and_word(void **state)
{
	(void)state;
	wr(ENABLE(S_CTX(0), 1), 0x12345678);
	wr(ENABLE(M_CTX(0), 2), 0x9abcdef0);
	assert_int_equal(rd(ENABLE(S_CTX(0), 1)), 0x12345678);
	assert_int_equal(rd(ENABLE(S_CTX(0), 2)), 0);
	assert_int_equal(rd(ENABLE(M_CTX(0), 1)), 0);
	assert_int_equal(rd(ENABLE(M_CTX(0), 2)), 0x9abcdef0);
}

static void test_plic_threshold_per_context_masked(void **state)
{
	(void)state;
	wr(THRESH(S_CTX(0)), 0xfe);
	assert_int_equal(rd(THRESH(S_CTX(0))), 6);
	assert_int_equal(rd(THRESH(M_CTX(0))), 0);
	wr(THRESH(M_CTX(0)), 7);
	assert_int_equal(rd(THRESH(M_CTX(0))), 7);
	assert_int_equal(rd(THRESH(S_CTX(0))), 6);
}

static void test_plic_claim_highest_priority_first(void **state)
{
	(void)state;
	arm(3, 2, S_CTX(0));
	arm(9, 5, S_CTX(0));
	arm(7, 5, S_CTX(0));
	arm(60, 6, S_CTX(0));
	assert_int_equal(rd(CLAIM(S_CTX(0))), 60);
	assert_int_equal(rd(CLAIM(S_CTX(0))), 7);
	assert_int_equal(rd(CLAIM(S_CTX(0))), 9);
	assert_int_equal(rd(CLAIM(S_CTX(0))), 3);
	assert_int_equal(rd(CLAIM(S_CTX(0))), 0);
}

static void test_plic_claim_ties_go_to_lowest_id(void **state)
{
	(void)state;
	arm(90, 4, S_CTX(0));
	arm(40, 4, S_CTX(0));
	arm(64, 4, S_CTX(0));
	arm(31, 4, S_CTX(0));
	assert_int_equal(rd(CLAIM(S_CTX(0))), 31);
	assert_int_equal(rd(CLAIM(S_CTX(0))), 40);
	assert_int_equal(rd(CLAIM(S_CTX(0))), 64);
	assert_int_equal(rd(CLAIM(S_CTX(0))), 90);
}

static void test_plic_claim_clears_pending_until_complete(void **state)
{
	(void)state;
	arm(10, 1, S_CTX(0));
	assert_int_equal(rd(PENDING(0)), BIT(10));
	assert_int_equal(rd(CLAIM(S_CTX(0))), 10);
	assert_int_equal(rd(PENDING(0)), 0);
	/* The line is still high, and reasserting it changes nothing
	 * until the complete (spec, "Interrupt Gateways"). */
	plic_set_level(&plic, 10, true);
	assert_int_equal(rd(PENDING(0)), 0);
	assert_int_equal(rd(CLAIM(S_CTX(0))), 0);
}

static void test_plic_complete_repends_high_line(void **state)
{
	(void)state;
	arm(10, 1, S_CTX(0));
	assert_int_equal(rd(CLAIM(S_CTX(0))), 10);
	wr(CLAIM(S_CTX(0)), 10);
	assert_int_equal(rd(PENDING(0)), BIT(10));
	assert_true(fake_irq_seip(0));
	assert_int_equal(rd(CLAIM(S_CTX(0))), 10);
}

static void test_plic_complete_after_line_dropped(void **state)
{
	(void)state;
	arm(10, 1, S_CTX(0));
	assert_int_equal(rd(CLAIM(S_CTX(0))), 10);
	plic_set_level(&plic, 10, false);
	wr(CLAIM(S_CTX(0)), 10);
	assert_int_equal(rd(PENDING(0)), 0);
	assert_false(fake_irq_seip(0));
	assert_int_equal(rd(CLAIM(S_CTX(0))), 0);
	/* A new assertion is a new request. */
	plic_set_level(&plic, 10, true);
	assert_int_equal(rd(CLAIM(S_CTX(0))), 10);
}

static void test_plic_complete_ignores_bad_ids(void **state)
{
	(void)state;
	arm(10, 1, S_CTX(0));
	assert_int_equal(rd(CLAIM(S_CTX(0))), 10);
	wr(CLAIM(S_CTX(0)), 96);
	wr(CLAIM(S_CTX(0)), 0xffff000a);       /* 32 bits: not 10 */
	wr(CLAIM(S_CTX(0)), 0);
	assert_int_equal(rd(PENDING(0)), 0);
	assert_int_equal(rd(CLAIM(S_CTX(0))), 0);
	/* Completing a source nobody claimed changes nothing. */
	wr(CLAIM(S_CTX(0)), 11);
	assert_int_equal(rd(PENDING(0)), 0);
}

static void test_plic_complete_from_context_without_enable(void **state)
{
	(void)state;
	/* QEMU completes whatever id is written, in any context (the spec
	 * would ignore a source not enabled there). */
	arm(12, 1, S_CTX(0));
	assert_int_equal(rd(CLAIM(S_CTX(0))), 12);
	wr(ENABLE(S_CTX(0), 0), 0);
	wr(CLAIM(M_CTX(0)), 12);
	assert_int_equal(rd(PENDING(0)), BIT(12));
}

static void test_plic_threshold_masks_claim_and_seip(void **state)
{
	(void)state;
	wr(THRESH(S_CTX(0)), 3);
	arm(20, 3, S_CTX(0));
	assert_false(fake_irq_seip(0));
	assert_int_equal(rd(CLAIM(S_CTX(0))), 0);
	assert_int_equal(rd(PENDING(0)), BIT(20));
	wr(THRESH(S_CTX(0)), 2);
	assert_true(fake_irq_seip(0));
	assert_int_equal(rd(CLAIM(S_CTX(0))), 20);
}

static void test_plic_priority_zero_never_interrupts(void **state)
{
	(void)state;
	arm(4, 0, S_CTX(0));
	assert_int_equal(rd(PENDING(0)), BIT(4));
	assert_false(fake_irq_seip(0));
	assert_int_equal(rd(CLAIM(S_CTX(0))), 0);
	wr(PRIO(4), 1);
	assert_true(fake_irq_seip(0));
	wr(PRIO(4), 0);
	assert_false(fake_irq_seip(0));
}

static void test_plic_disabled_source_not_delivered(void **state)
{
	(void)state;
	wr(PRIO(6), 7);
	plic_set_level(&plic, 6, true);
	assert_false(fake_irq_seip(0));
	assert_int_equal(rd(CLAIM(S_CTX(0))), 0);
	assert_int_equal(rd(PENDING(0)), BIT(6));
	wr(ENABLE(S_CTX(0), 0), BIT(6));
	assert_true(fake_irq_seip(0));
	wr(ENABLE(S_CTX(0), 0), 0);
	assert_false(fake_irq_seip(0));
}

static void test_plic_m_context_works_but_drives_nothing(void **state)
{
	(void)state;
	wr(THRESH(M_CTX(0)), 1);
	arm(8, 2, M_CTX(0));
	assert_int_equal(fake_irq_total_raises(), 0);
	assert_int_equal(fake_irq_total_kicks(), 0);
	assert_false(fake_irq_seip(0));
	/* The S context does not see an M-only enable. */
	assert_int_equal(rd(CLAIM(S_CTX(0))), 0);
	assert_int_equal(rd(CLAIM(M_CTX(0))), 8);
	assert_int_equal(rd(PENDING(0)), 0);
	wr(CLAIM(M_CTX(0)), 8);
	assert_int_equal(rd(PENDING(0)), BIT(8));
	assert_int_equal(fake_irq_total_raises() + fake_irq_total_lowers(), 0);
}

static void test_plic_seip_raised_once_and_kicked(void **state)
{
	(void)state;
	arm(1, 1, S_CTX(0));
	assert_true(fake_irq_seip(0));
	assert_int_equal(fake_irq_harts[0].raises, 1);
	assert_int_equal(fake_irq_harts[0].kicks, 1);
	assert_int_equal(fake_irq_harts[0].kicks_unraised, 0);
	/* A second deliverable source changes no line. */
	arm(2, 7, S_CTX(0));
	assert_int_equal(fake_irq_harts[0].raises, 1);
	assert_int_equal(fake_irq_harts[0].kicks, 1);
	assert_int_equal(fake_irq_harts[0].lowers, 0);
	assert_int_equal(fake_irq_harts[0].other_irqs, 0);
}

static void test_plic_seip_lowered_by_claim_and_raised_by_complete(void **state)
{
	(void)state;
	arm(1, 1, S_CTX(0));
	assert_int_equal(rd(CLAIM(S_CTX(0))), 1);
	assert_false(fake_irq_seip(0));
	assert_int_equal(fake_irq_harts[0].lowers, 1);
	wr(CLAIM(S_CTX(0)), 1);
	assert_true(fake_irq_seip(0));
	assert_int_equal(fake_irq_harts[0].raises, 2);
	assert_int_equal(fake_irq_harts[0].kicks, 2);
	/* With two pending, claiming one leaves SEIP up. */
	arm(2, 1, S_CTX(0));
	assert_int_equal(rd(CLAIM(S_CTX(0))), 1);
	assert_true(fake_irq_seip(0));
	assert_int_equal(fake_irq_harts[0].lowers, 1);
}

static void test_plic_seip_lowered_when_line_drops(void **state)
{
	(void)state;
	arm(70, 3, S_CTX(0));
	assert_true(fake_irq_seip(0));
	plic_set_level(&plic, 70, false);
	assert_false(fake_irq_seip(0));
	assert_int_equal(fake_irq_harts[0].raises, 1);
	assert_int_equal(fake_irq_harts[0].lowers, 1);
}

static void test_plic_kick_made_without_lock(void **state)
{
	(void)state;
	fake_irq_watch = &plic.lock.locked;
	arm(1, 1, S_CTX(0));
	assert_int_equal(rd(CLAIM(S_CTX(0))), 1);
	wr(CLAIM(S_CTX(0)), 1);
	assert_int_equal(fake_irq_harts[0].kicks, 2);
	assert_int_equal(fake_irq_harts[0].kicks_locked, 0);
	assert_int_equal(plic.lock.locked, 0);
}

static void test_plic_wrong_width_faults(void **state)
{
	(void)state;
	static const unsigned widths[] = { 1, 2, 8 };
	struct plic_dev before;
	uint64_t v;

	arm(5, 1, S_CTX(0));
	snapshot(&before);
	for (unsigned i = 0; i < 3; i++) {
		v = 7;
		assert_int_equal(access(PRIO(1), widths[i], true, &v), -1);
		assert_int_equal(access(PRIO(5), widths[i], false, &v), -1);
		/* A faulting claim must not claim. */
		assert_int_equal(access(CLAIM(S_CTX(0)), widths[i], false, &v), -1);
		v = 0;
		assert_int_equal(access(ENABLE(S_CTX(0), 0), widths[i], true, &v), -1);
	}
	assert_memory_equal(&before, &plic, sizeof(plic));
	assert_int_equal(rd(CLAIM(S_CTX(0))), 5);
}

static void test_plic_unaligned_faults(void **state)
{
	(void)state;
	struct plic_dev before;
	uint64_t v = 7;

	arm(5, 1, S_CTX(0));
	snapshot(&before);
	assert_int_equal(access(PRIO(1) + 2, 4, true, &v), -1);
	assert_int_equal(access(CLAIM(S_CTX(0)) + 1, 4, false, &v), -1);
	assert_int_equal(access(THRESH(S_CTX(0)) + 2, 4, true, &v), -1);
	assert_int_equal(access(PRIO(1) + 1, 2, false, &v), -1);
	assert_memory_equal(&before, &plic, sizeof(plic));
}

static void test_plic_holes_read_zero_ignore_writes(void **state)
{
	(void)state;
	static const uint64_t holes[] = {
		PRIO(96), 0xffc,                        /* past source 95 */
		PENDING(3), 0x107c, 0x1ffc,             /* past the pending words */
		ENABLE(S_CTX(0), 3), ENABLE(S_CTX(0), 31), /* past source 95 */
		ENABLE(2, 0), 0x1ffffc,                 /* contexts this PLIC lacks */
		THRESH(S_CTX(0)) + 8, THRESH(S_CTX(0)) + 0xffc,
		THRESH(2), CLAIM(2),                    /* = plic_size(1): beyond */
		BOARD_PLIC_SIZE - 4, 0x3fff004,
	};
	struct plic_dev before;

	arm(5, 1, S_CTX(0));
	wr(THRESH(S_CTX(0)), 0);
	snapshot(&before);
	for (size_t i = 0; i < sizeof(holes) / sizeof(holes[0]); i++) {
		wr(holes[i], 0xffffffff);
		assert_int_equal(rd(holes[i]), 0);
	}
	assert_memory_equal(&before, &plic, sizeof(plic));
}

static void test_plic_size_per_hart_count(void **state)
{
	(void)state;
	assert_int_equal(plic_size(1), 0x202000);
	assert_int_equal(plic_size(2), 0x204000);
	assert_int_equal(plic_size(8), 0x210000);
	/* QEMU virt's fixed window is the size for VIRT_CPUS_MAX = 512. */
	assert_int_equal(plic_size(512), BOARD_PLIC_SIZE);
}

static void test_plic_set_level_ignores_bad_sources(void **state)
{
	(void)state;
	struct plic_dev before;

	snapshot(&before);
	plic_set_level(&plic, 0, true);
	plic_set_level(&plic, 96, true);
	plic_set_level(&plic, 1000, true);
	plic_set_level(&plic, ~0u, true);
	assert_memory_equal(&before, &plic, sizeof(plic));
}

static void test_plic_two_harts_route_by_context(void **state)
{
	(void)state;
	/* Hart 1's contexts: 2 (M) and 3 (S). */
	arm(10, 1, S_CTX(1));
	assert_false(fake_irq_seip(0));
	assert_true(fake_irq_seip(1));
	assert_int_equal(fake_irq_harts[1].raises, 1);
	assert_int_equal(fake_irq_harts[1].kicks, 1);
	assert_int_equal(fake_irq_harts[0].raises + fake_irq_harts[0].kicks, 0);
	assert_int_equal(rd(CLAIM(S_CTX(0))), 0);
	assert_int_equal(rd(ENABLE(S_CTX(1), 0)), BIT(10));
	assert_int_equal(rd(ENABLE(S_CTX(0), 0)), 0);
	/* Thresholds are per context. */
	wr(THRESH(S_CTX(1)), 1);
	assert_false(fake_irq_seip(1));
	assert_int_equal(rd(THRESH(S_CTX(0))), 0);
	wr(THRESH(S_CTX(1)), 0);
	assert_true(fake_irq_seip(1));
}

static void test_plic_two_harts_multicast_first_claim_wins(void **state)
{
	(void)state;
	arm(10, 1, S_CTX(0));
	arm(10, 1, S_CTX(1));
	assert_true(fake_irq_seip(0));
	assert_true(fake_irq_seip(1));
	/* PLIC spec, "Interrupt Notifications": all enabled targets are
	 * notified, the first claim takes it, the other finds nothing. */
	assert_int_equal(rd(CLAIM(S_CTX(1))), 10);
	assert_false(fake_irq_seip(0));
	assert_false(fake_irq_seip(1));
	assert_int_equal(rd(CLAIM(S_CTX(0))), 0);
	wr(CLAIM(S_CTX(1)), 10);
	assert_true(fake_irq_seip(0));
	assert_true(fake_irq_seip(1));
	assert_int_equal(fake_irq_harts[0].raises, 2);
	assert_int_equal(fake_irq_harts[1].raises, 2);
	/* Hart 1's M context exists and is separate. */
	wr(ENABLE(M_CTX(1), 0), BIT(10));
	assert_int_equal(rd(ENABLE(M_CTX(1), 0)), BIT(10));
	assert_int_equal(rd(CLAIM(M_CTX(1))), 10);
	assert_false(fake_irq_seip(0));
	assert_false(fake_irq_seip(1));
}

static void test_plic_hart_without_vcpu(void **state)
{
	(void)state;
	make(2, 1);     /* hart 1 has no vCPU (yet) */
	arm(10, 1, S_CTX(1));
	assert_int_equal(fake_irq_total_raises(), 0);
	assert_int_equal(fake_irq_total_kicks(), 0);
	assert_int_equal(rd(CLAIM(S_CTX(1))), 10);
	assert_int_equal(fake_irq_total_lowers(), 0);
}

static void test_plic_reset_lowers_seip_and_clears(void **state)
{
	(void)state;
	arm(10, 1, S_CTX(1));
	arm(11, 2, S_CTX(0));
	assert_int_equal(rd(CLAIM(S_CTX(0))), 11);
	plic_reset(&plic);
	assert_false(fake_irq_seip(0));
	assert_false(fake_irq_seip(1));
	assert_int_equal(rd(PRIO(10)), 0);
	assert_int_equal(rd(ENABLE(S_CTX(1), 0)), 0);
	assert_int_equal(rd(PENDING(0)), 0);
	assert_int_equal(rd(THRESH(S_CTX(0))), 7);
	/* Claims are forgotten: a new assertion is deliverable again. */
	kernel_lowers_thresholds();
	arm(11, 2, S_CTX(0));
	assert_true(fake_irq_seip(0));
	assert_int_equal(rd(CLAIM(S_CTX(0))), 11);
}

/* OpenSBI 1.1 (plic_warm_irqchip_init) leaves every M and S context's
 * threshold at 7 and every source disabled; a guest starts from that. */
static void test_plic_boot_state_is_the_firmware_handoff(void **state)
{
	(void)state;
	fake_irq_reset(&vm, 2);
	plic_init(&plic, &vm, 2);
	for (unsigned c = 0; c < 4; c++) {
		assert_int_equal(rd(THRESH(c)), 7);
		assert_int_equal(rd(ENABLE(c, 0)), 0);
	}
	/* Nothing is delivered at threshold 7, even at the top priority. */
	arm(5, 7, S_CTX(0));
	assert_false(fake_irq_seip(0));
	assert_int_equal(rd(CLAIM(S_CTX(0))), 0);
	wr(THRESH(S_CTX(0)), 6);
	assert_true(fake_irq_seip(0));
}

static void test_plic_nharts_clamped(void **state)
{
	(void)state;
	make(100, 1);
	assert_int_equal(plic.nharts, PLIC_MAX_HARTS);
	/* The last context that exists works, the next is a hole. */
	wr(THRESH(2 * PLIC_MAX_HARTS - 1), 5);
	assert_int_equal(rd(THRESH(2 * PLIC_MAX_HARTS - 1)), 5);
	wr(THRESH(2 * PLIC_MAX_HARTS), 5);
	assert_int_equal(rd(THRESH(2 * PLIC_MAX_HARTS)), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_plic_reset_state_reads_zero, setup1),
		cmocka_unit_test_setup(test_plic_priority_masked_to_3_bits, setup1),
		cmocka_unit_test_setup(test_plic_source0_does_not_exist, setup1),
		cmocka_unit_test_setup(test_plic_pending_is_read_only, setup1),
		cmocka_unit_test_setup(test_plic_pending_follows_line, setup1),
		cmocka_unit_test_setup(test_plic_enable_per_context_and_word, setup1),
		cmocka_unit_test_setup(test_plic_threshold_per_context_masked, setup1),
		cmocka_unit_test_setup(test_plic_claim_highest_priority_first, setup1),
		cmocka_unit_test_setup(test_plic_claim_ties_go_to_lowest_id, setup1),
		cmocka_unit_test_setup(test_plic_claim_clears_pending_until_complete, setup1),
		cmocka_unit_test_setup(test_plic_complete_repends_high_line, setup1),
		cmocka_unit_test_setup(test_plic_complete_after_line_dropped, setup1),
		cmocka_unit_test_setup(test_plic_complete_ignores_bad_ids, setup1),
		cmocka_unit_test_setup(test_plic_complete_from_context_without_enable, setup1),
		cmocka_unit_test_setup(test_plic_threshold_masks_claim_and_seip, setup1),
		cmocka_unit_test_setup(test_plic_priority_zero_never_interrupts, setup1),
		cmocka_unit_test_setup(test_plic_disabled_source_not_delivered, setup1),
		cmocka_unit_test_setup(test_plic_m_context_works_but_drives_nothing, setup1),
		cmocka_unit_test_setup(test_plic_seip_raised_once_and_kicked, setup1),
		cmocka_unit_test_setup(test_plic_seip_lowered_by_claim_and_raised_by_complete, setup1),
		cmocka_unit_test_setup(test_plic_seip_lowered_when_line_drops, setup1),
		cmocka_unit_test_setup(test_plic_kick_made_without_lock, setup1),
		cmocka_unit_test_setup(test_plic_wrong_width_faults, setup1),
		cmocka_unit_test_setup(test_plic_unaligned_faults, setup1),
		cmocka_unit_test_setup(test_plic_holes_read_zero_ignore_writes, setup1),
		cmocka_unit_test_setup(test_plic_size_per_hart_count, setup1),
		cmocka_unit_test_setup(test_plic_set_level_ignores_bad_sources, setup1),
		cmocka_unit_test_setup(test_plic_two_harts_route_by_context, setup2),
		cmocka_unit_test_setup(test_plic_two_harts_multicast_first_claim_wins, setup2),
		cmocka_unit_test_setup(test_plic_hart_without_vcpu, setup2),
		cmocka_unit_test_setup(test_plic_reset_lowers_seip_and_clears, setup2),
		cmocka_unit_test_setup(test_plic_nharts_clamped, setup1),
		cmocka_unit_test(test_plic_boot_state_is_the_firmware_handoff),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
