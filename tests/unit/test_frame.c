/* The page-frame allocator. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "core/frame.h"

#define BASE 0x80000000ULL
#define SIZE (64ULL << 20)

static struct frame_pool pool;
static uint64_t *bitmap;

static int setup(void **state)
{
	(void)state;
	bitmap = malloc(frame_pool_bitmap_bytes(SIZE));
	frame_pool_init(&pool, BASE, SIZE, bitmap);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	free(bitmap);
	return 0;
}

static void test_frame_all_free_after_init(void **state)
{
	(void)state;
	assert_int_equal(pool.nfree, SIZE / FRAME_SIZE);
	assert_int_equal(frame_pool_bitmap_bytes(SIZE), SIZE / FRAME_SIZE / 8);
}

static void test_frame_reserve_rounds_out_and_clips(void **state)
{
	(void)state;
	frame_pool_reserve(&pool, BASE + 0x100, 0x1000);         /* touches 2 frames */
	assert_int_equal(pool.nfree, SIZE / FRAME_SIZE - 2);
	frame_pool_reserve(&pool, BASE - 0x2000, 0x3000);        /* clipped to frame 0 */
	assert_int_equal(pool.nfree, SIZE / FRAME_SIZE - 2);
	frame_pool_reserve(&pool, BASE + SIZE - 0x1000, 0x100000); /* past the end */
	assert_int_equal(pool.nfree, SIZE / FRAME_SIZE - 3);
	frame_pool_reserve(&pool, 0, 0x1000);                    /* below: nothing */
	frame_pool_reserve(&pool, UINT64_MAX - 0x10, 0x100);     /* wraps: clipped */
	assert_int_equal(pool.nfree, SIZE / FRAME_SIZE - 3);
}

static void test_frame_alloc_skips_reserved(void **state)
{
	(void)state;
	frame_pool_reserve(&pool, BASE, 0x200000);
	uint64_t pa = frame_pool_alloc(&pool, 1, 1);
	assert_int_equal(pa, BASE + 0x200000);
	assert_int_equal(frame_pool_alloc(&pool, 1, 1), BASE + 0x201000);
}

static void test_frame_alloc_aligned_runs(void **state)
{
	(void)state;
	frame_pool_reserve(&pool, BASE, 0x1000);
	uint64_t pa = frame_pool_alloc(&pool, 512, 512);
	assert_int_equal(pa % 0x200000, 0);
	assert_int_equal(pa, BASE + 0x200000);
	assert_int_equal(frame_pool_alloc(&pool, 3, 3), 0);     /* align not a power of two */
	assert_int_equal(frame_pool_alloc(&pool, 0, 1), 0);
}

static void test_frame_exhaustion_and_free(void **state)
{
	(void)state;
	uint64_t n = SIZE / FRAME_SIZE;
	uint64_t first = frame_pool_alloc(&pool, n, 1);
	assert_int_equal(first, BASE);
	assert_int_equal(pool.nfree, 0);
	assert_int_equal(frame_pool_alloc(&pool, 1, 1), 0);
	assert_int_equal(frame_pool_free(&pool, BASE + 0x5000, 2), 2);
	assert_int_equal(frame_pool_alloc(&pool, 2, 1), BASE + 0x5000);
	assert_int_equal(frame_pool_alloc(&pool, 1, 1), 0);
}

static void test_frame_double_free_is_counted_once(void **state)
{
	(void)state;
	uint64_t pa = frame_pool_alloc(&pool, 4, 1);
	assert_int_equal(frame_pool_free(&pool, pa, 4), 4);
	assert_int_equal(frame_pool_free(&pool, pa, 4), 0);
	assert_int_equal(pool.nfree, SIZE / FRAME_SIZE);
	assert_int_equal(frame_pool_free(&pool, pa + 1, 1), 0);     /* misaligned */
	assert_int_equal(frame_pool_free(&pool, BASE - 0x1000, 1), 0);
	assert_int_equal(frame_pool_free(&pool, BASE + SIZE - 0x1000, 10), 0);
}

static void test_frame_fragmented_contig_search(void **state)
{
	(void)state;
	/* Every other frame in use: no run of 2 below, a run above. */
	for (uint64_t i = 0; i < 64; i += 2)
		frame_pool_reserve(&pool, BASE + i * FRAME_SIZE, FRAME_SIZE);
	uint64_t pa = frame_pool_alloc(&pool, 2, 1);
	assert_int_equal(pa, BASE + 63 * FRAME_SIZE);   /* frames 63 and 64 */
	/* Wrap-around search from the hint finds a single frame below. */
	frame_pool_reserve(&pool, BASE + 65 * FRAME_SIZE, SIZE);
	assert_int_equal(frame_pool_alloc(&pool, 1, 1), BASE + 1 * FRAME_SIZE);
}

/* Frames that still hold the machine's zeroes: never reserved, never
 * freed, never taken clean before. */
static void test_frame_clean_tracking(void **state)
{
	uint64_t *written = calloc(1, frame_pool_bitmap_bytes(SIZE));

	(void)state;
	/* Untracked: nothing is known clean. */
	assert_false(frame_pool_take_clean(&pool, BASE + 64 * FRAME_SIZE, 1));
	frame_pool_track_clean(&pool, written);
	frame_pool_reserve(&pool, BASE, 16 * FRAME_SIZE);
	uint64_t pa = frame_pool_alloc(&pool, 8, 1);
	assert_int_equal(pa, BASE + 16 * FRAME_SIZE);
	assert_false(frame_pool_take_clean(&pool, BASE + 15 * FRAME_SIZE, 2));  /* one reserved */
	assert_true(frame_pool_take_clean(&pool, pa + FRAME_SIZE, 2));
	/* Taken once: written from then on (a VM reset zeroes it again). */
	assert_false(frame_pool_take_clean(&pool, pa + FRAME_SIZE, 1));
	assert_false(frame_pool_take_clean(&pool, pa + 2 * FRAME_SIZE, 1));
	assert_true(frame_pool_take_clean(&pool, pa + 3 * FRAME_SIZE, 1));
	/* Freed and allocated again: written. */
	frame_pool_free(&pool, pa + 4 * FRAME_SIZE, 1);
	assert_false(frame_pool_take_clean(&pool, pa + 4 * FRAME_SIZE, 1));
	assert_true(frame_pool_take_clean(&pool, pa + 5 * FRAME_SIZE, 1));
	/* Outside the pool: never clean. */
	assert_false(frame_pool_take_clean(&pool, BASE - FRAME_SIZE, 1));
	assert_false(frame_pool_take_clean(&pool, BASE + SIZE - FRAME_SIZE, 2));
	free(written);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_frame_all_free_after_init, setup, teardown),
		cmocka_unit_test_setup_teardown(test_frame_reserve_rounds_out_and_clips, setup, teardown),
		cmocka_unit_test_setup_teardown(test_frame_alloc_skips_reserved, setup, teardown),
		cmocka_unit_test_setup_teardown(test_frame_alloc_aligned_runs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_frame_exhaustion_and_free, setup, teardown),
		cmocka_unit_test_setup_teardown(test_frame_double_free_is_counted_once, setup, teardown),
		cmocka_unit_test_setup_teardown(test_frame_fragmented_contig_search, setup, teardown),
		cmocka_unit_test_setup_teardown(test_frame_clean_tracking, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
