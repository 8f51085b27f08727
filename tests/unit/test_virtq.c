/*
 * Unit tests of src/dev/virtq.c, the device side of a split virtqueue
 * (Virtio 1.2, 2.7) in guest RAM: requests taken and checked, every
 * malformed queue breaking the queue (what becomes DEVICE_NEEDS_RESET),
 * buffers outside the VM's RAM refused, descriptors copied once, the used
 * ring written entry first and index last, and the queue setup checks.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "dev/virtq.h"
#include "fakes/fake_guest_ram.h"

#define NUM     8
#define DESC    (FAKE_GRAM_BASE + 0x1000)
#define AVAIL   (FAKE_GRAM_BASE + 0x2000)
#define USED    (FAKE_GRAM_BASE + 0x3000)
#define BUF     (FAKE_GRAM_BASE + 0x8000)
#define TABLE   (FAKE_GRAM_BASE + 0x5000)
#define RAM_END (FAKE_GRAM_BASE + FAKE_GRAM_SIZE)

static struct vm *vm;
static struct virtq q;
static struct virtq_req req;

struct desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags, next;
};

static void put_desc(uint64_t table, unsigned i, uint64_t addr, uint32_t len, uint16_t flags,
		     uint16_t next)
{
	struct desc d = { addr, len, flags, next };
	memcpy(fake_gram_ptr(vm, table + 16 * i), &d, sizeof(d));
}

static void put16(uint64_t gpa, uint16_t v) { memcpy(fake_gram_ptr(vm, gpa), &v, 2); }
static uint16_t get16(uint64_t gpa) { uint16_t v; memcpy(&v, fake_gram_ptr(vm, gpa), 2); return v; }
static uint32_t get32(uint64_t gpa) { uint32_t v; memcpy(&v, fake_gram_ptr(vm, gpa), 4); return v; }

/* The driver offers head as its nth request (n from 0). */
static void offer(unsigned n, uint16_t head)
{
	put16(AVAIL + 4 + 2 * (n % NUM), head);
	put16(AVAIL + 2, (uint16_t)(n + 1));
}

static int setup(void **state)
{
	(void)state;
	vm = fake_gram_create();
	memset(&q, 0, sizeof(q));
	q.num = NUM;
	q.desc = DESC;
	q.avail = AVAIL;
	q.used = USED;
	q.ready = true;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	fake_gram_destroy(vm);
	return 0;
}

/* A fresh VM and queue in the middle of a test. */
static void again(void)
{
	teardown(NULL);
	setup(NULL);
}

static void test_virtq_pop_empty(void **state)
{
	(void)state;
	assert_int_equal(virtq_pop(vm, &q, &req), 0);
	assert_false(q.broken);
}

static void test_virtq_pop_chain_readable_then_writable(void **state)
{
	(void)state;
	put_desc(DESC, 3, BUF, 16, VIRTQ_DESC_F_NEXT, 5);
	put_desc(DESC, 5, BUF + 0x100, 512, VIRTQ_DESC_F_NEXT | VIRTQ_DESC_F_WRITE, 0);
	put_desc(DESC, 0, BUF + 0x400, 1, VIRTQ_DESC_F_WRITE, 0);
	offer(0, 3);
	assert_int_equal(virtq_pop(vm, &q, &req), 1);
	assert_int_equal(req.head, 3);
	assert_int_equal(req.nseg, 3);
	assert_int_equal(req.nread, 1);
	assert_int_equal(req.read_len, 16);
	assert_int_equal(req.write_len, 513);
	assert_int_equal(req.seg[1].gpa, BUF + 0x100);
	assert_true(req.seg[2].write);
	assert_false(req.overlap);
	assert_int_equal(q.last_avail, 1);
	assert_int_equal(virtq_pop(vm, &q, &req), 0);
}

static void test_virtq_pop_indirect_table(void **state)
{
	(void)state;
	put_desc(TABLE, 0, BUF, 16, VIRTQ_DESC_F_NEXT, 2);
	put_desc(TABLE, 2, BUF + 0x200, 4096, VIRTQ_DESC_F_NEXT | VIRTQ_DESC_F_WRITE, 1);
	put_desc(TABLE, 1, BUF + 0x2000, 1, VIRTQ_DESC_F_WRITE, 0);
	put_desc(DESC, 1, TABLE, 3 * 16, VIRTQ_DESC_F_INDIRECT, 0);
	offer(0, 1);
	assert_int_equal(virtq_pop(vm, &q, &req), 1);
	assert_int_equal(req.head, 1);
	assert_int_equal(req.nseg, 3);
	assert_int_equal(req.write_len, 4097);
}

static void test_virtq_copies_descriptors_once(void **state)
{
	(void)state;
	put_desc(DESC, 0, BUF, 64, 0, 0);
	offer(0, 0);
	assert_int_equal(virtq_pop(vm, &q, &req), 1);
	/* Another vCPU rewrites the descriptor: the request keeps the copy. */
	put_desc(DESC, 0, 0x1000, 0xffffffff, VIRTQ_DESC_F_WRITE, 0);
	assert_int_equal(req.seg[0].gpa, BUF);
	assert_int_equal(req.seg[0].len, 64);
	assert_false(req.seg[0].write);
}

static void assert_breaks(int expected)
{
	assert_int_equal(virtq_pop(vm, &q, &req), expected);
	assert_true(q.broken);
	/* A broken queue is not looked at again until a reset. */
	assert_int_equal(virtq_pop(vm, &q, &req), 0);
}

static void test_virtq_loop_breaks_queue(void **state)
{
	(void)state;
	put_desc(DESC, 0, BUF, 8, VIRTQ_DESC_F_NEXT, 1);
	put_desc(DESC, 1, BUF + 8, 8, VIRTQ_DESC_F_NEXT, 0);
	offer(0, 0);
	assert_breaks(VIRTQ_E_CHAIN);
}

static void test_virtq_next_past_table_breaks_queue(void **state)
{
	(void)state;
	put_desc(DESC, 0, BUF, 8, VIRTQ_DESC_F_NEXT, NUM);
	offer(0, 0);
	assert_breaks(VIRTQ_E_CHAIN);
}

static void test_virtq_head_past_table_breaks_queue(void **state)
{
	(void)state;
	offer(0, NUM);
	assert_breaks(VIRTQ_E_RING);
}

static void test_virtq_avail_index_jump_breaks_queue(void **state)
{
	(void)state;
	put16(AVAIL + 2, NUM + 1);
	assert_breaks(VIRTQ_E_RING);
}

static void test_virtq_buffer_outside_ram_breaks_queue(void **state)
{
	static const uint64_t bad[][2] = {
		{ BOARD_UART_GPA, 8 },                  /* a device */
		{ RAM_END - 8, 16 },                    /* across the end of RAM */
		{ 0xfffffffffffffff0ULL, 0x20 },        /* wraps */
		{ 0x1000, 8 },                          /* nothing there */
	};
	(void)state;
	for (unsigned i = 0; i < 4; i++) {
		again();
		put_desc(DESC, 0, bad[i][0], (uint32_t)bad[i][1], VIRTQ_DESC_F_WRITE, 0);
		offer(0, 0);
		assert_breaks(VIRTQ_E_BUFFER);
	}
}

static void test_virtq_readable_after_writable_breaks_queue(void **state)
{
	(void)state;
	put_desc(DESC, 0, BUF, 8, VIRTQ_DESC_F_NEXT | VIRTQ_DESC_F_WRITE, 1);
	put_desc(DESC, 1, BUF + 8, 8, 0, 0);
	offer(0, 0);
	assert_breaks(VIRTQ_E_CHAIN);
}

static void test_virtq_bad_indirect_breaks_queue(void **state)
{
	(void)state;
	/* Indirect with NEXT. */
	put_desc(DESC, 0, TABLE, 16, VIRTQ_DESC_F_INDIRECT | VIRTQ_DESC_F_NEXT, 1);
	offer(0, 0);
	assert_breaks(VIRTQ_E_CHAIN);
	/* Nested indirect. */
	again();
	put_desc(TABLE, 0, TABLE + 0x100, 16, VIRTQ_DESC_F_INDIRECT, 0);
	put_desc(DESC, 0, TABLE, 16, VIRTQ_DESC_F_INDIRECT, 0);
	offer(0, 0);
	assert_breaks(VIRTQ_E_CHAIN);
	/* Not a whole number of descriptors. */
	again();
	put_desc(DESC, 0, TABLE, 20, VIRTQ_DESC_F_INDIRECT, 0);
	offer(0, 0);
	assert_breaks(VIRTQ_E_CHAIN);
	/* Not the head of the chain. */
	again();
	put_desc(DESC, 0, BUF, 8, VIRTQ_DESC_F_NEXT, 1);
	put_desc(DESC, 1, TABLE, 16, VIRTQ_DESC_F_INDIRECT, 0);
	offer(0, 0);
	assert_breaks(VIRTQ_E_CHAIN);
	/* A table outside RAM. */
	again();
	put_desc(DESC, 0, RAM_END - 16, 32, VIRTQ_DESC_F_INDIRECT, 0);
	offer(0, 0);
	assert_breaks(VIRTQ_E_BUFFER);
}

static void test_virtq_overlong_chain_breaks_queue(void **state)
{
	(void)state;
	/* An indirect table of VIRTQ_SEGS_MAX + 1 buffers, each 1 byte. */
	for (unsigned i = 0; i <= VIRTQ_SEGS_MAX; i++)
		put_desc(TABLE, i, BUF + i, 1, i < VIRTQ_SEGS_MAX ? VIRTQ_DESC_F_NEXT : 0,
			 (uint16_t)(i + 1));
	put_desc(DESC, 0, TABLE, (VIRTQ_SEGS_MAX + 1) * 16, VIRTQ_DESC_F_INDIRECT, 0);
	offer(0, 0);
	assert_breaks(VIRTQ_E_CHAIN);
}

static void test_virtq_overlap_with_writable_flagged(void **state)
{
	(void)state;
	put_desc(DESC, 0, BUF, 64, VIRTQ_DESC_F_NEXT, 1);
	put_desc(DESC, 1, BUF + 32, 64, VIRTQ_DESC_F_WRITE, 0);
	offer(0, 0);
	assert_int_equal(virtq_pop(vm, &q, &req), 1);
	assert_true(req.overlap);
	/* Two readable buffers may overlap. */
	put_desc(DESC, 2, BUF, 64, VIRTQ_DESC_F_NEXT, 3);
	put_desc(DESC, 3, BUF, 64, 0, 0);
	offer(1, 2);
	assert_int_equal(virtq_pop(vm, &q, &req), 1);
	assert_false(req.overlap);
}

static void test_virtq_push_entry_then_index_and_wraps(void **state)
{
	(void)state;
	q.used_idx = 0xffff;
	assert_int_equal(virtq_push(vm, &q, 5, 513), 0);
	unsigned slot = 0xffff % NUM;
	assert_int_equal(get32(USED + 4 + 8 * slot), 5);
	assert_int_equal(get32(USED + 8 + 8 * slot), 513);
	assert_int_equal(get16(USED + 2), 0);
	assert_int_equal(q.used_idx, 0);
	/* A used ring that is not RAM: nothing written, an error. */
	q.used = BOARD_UART_GPA;
	assert_int_equal(virtq_push(vm, &q, 1, 1), VIRTQ_E_RING);
}

static void test_virtq_check_setup(void **state)
{
	(void)state;
	assert_int_equal(virtq_check_setup(vm, &q, 1024), 0);
	q.num = 6;
	assert_int_equal(virtq_check_setup(vm, &q, 1024), VIRTQ_E_SETUP);     /* not a power of 2 */
	q.num = 2048;
	assert_int_equal(virtq_check_setup(vm, &q, 1024), VIRTQ_E_SETUP);     /* over the maximum */
	q.num = 0;
	assert_int_equal(virtq_check_setup(vm, &q, 1024), VIRTQ_E_SETUP);
	q.num = NUM;
	q.desc = DESC + 8;
	assert_int_equal(virtq_check_setup(vm, &q, 1024), VIRTQ_E_SETUP);     /* misaligned */
	q.desc = DESC;
	q.avail = AVAIL + 1;
	assert_int_equal(virtq_check_setup(vm, &q, 1024), VIRTQ_E_SETUP);
	q.avail = AVAIL;
	q.used = RAM_END - 16;
	assert_int_equal(virtq_check_setup(vm, &q, 1024), VIRTQ_E_SETUP);     /* past RAM */
	q.used = BOARD_UART_GPA;
	assert_int_equal(virtq_check_setup(vm, &q, 1024), VIRTQ_E_SETUP);
}

static void test_virtq_gather_scatter_across_buffers(void **state)
{
	uint8_t out[24], in[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	(void)state;
	memcpy(fake_gram_ptr(vm, BUF), "0123456789", 10);
	memcpy(fake_gram_ptr(vm, BUF + 0x100), "abcdefghij", 10);
	put_desc(DESC, 0, BUF, 10, VIRTQ_DESC_F_NEXT, 1);
	put_desc(DESC, 1, BUF + 0x100, 10, VIRTQ_DESC_F_NEXT, 2);
	put_desc(DESC, 2, BUF + 0x200, 3, VIRTQ_DESC_F_NEXT | VIRTQ_DESC_F_WRITE, 3);
	put_desc(DESC, 3, BUF + 0x300, 3, VIRTQ_DESC_F_WRITE, 0);
	offer(0, 0);
	assert_int_equal(virtq_pop(vm, &q, &req), 1);
	assert_int_equal(virtq_req_gather(vm, &req, 8, out, sizeof(out)), 12);
	assert_memory_equal(out, "89abcdefghij", 12);
	assert_int_equal(virtq_req_scatter(vm, &req, 1, in, sizeof(in)), 5);
	assert_memory_equal(fake_gram_ptr(vm, BUF + 0x201), in, 2);
	assert_memory_equal(fake_gram_ptr(vm, BUF + 0x300), in + 2, 3);
}

static void test_virtq_not_ready_takes_nothing(void **state)
{
	(void)state;
	put_desc(DESC, 0, BUF, 8, 0, 0);
	offer(0, 0);
	q.ready = false;
	assert_int_equal(virtq_pop(vm, &q, &req), 0);
	q.ready = true;
	virtq_reset_progress(&q);
	assert_int_equal(virtq_pop(vm, &q, &req), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_virtq_pop_empty, setup, teardown),
		cmocka_unit_test_setup_teardown(test_virtq_pop_chain_readable_then_writable, setup, teardown),
		cmocka_unit_test_setup_teardown(test_virtq_pop_indirect_table, setup, teardown),
		cmocka_unit_test_setup_teardown(test_virtq_copies_descriptors_once, setup, teardown),
		cmocka_unit_test_setup_teardown(test_virtq_loop_breaks_queue, setup, teardown),
		cmocka_unit_test_setup_teardown(test_virtq_next_past_table_breaks_queue, setup, teardown),
		cmocka_unit_test_setup_teardown(test_virtq_head_past_table_breaks_queue, setup, teardown),
		cmocka_unit_test_setup_teardown(test_virtq_avail_index_jump_breaks_queue, setup, teardown),
		cmocka_unit_test_setup_teardown(test_virtq_buffer_outside_ram_breaks_queue, setup, teardown),
		cmocka_unit_test_setup_teardown(test_virtq_readable_after_writable_breaks_queue, setup, teardown),
		cmocka_unit_test_setup_teardown(test_virtq_bad_indirect_breaks_queue, setup, teardown),
		cmocka_unit_test_setup_teardown(test_virtq_overlong_chain_breaks_queue, setup, teardown),
		cmocka_unit_test_setup_teardown(test_virtq_overlap_with_writable_flagged, setup, teardown),
		cmocka_unit_test_setup_teardown(test_virtq_push_entry_then_index_and_wraps, setup, teardown),
		cmocka_unit_test_setup_teardown(test_virtq_check_setup, setup, teardown),
		cmocka_unit_test_setup_teardown(test_virtq_gather_scatter_across_buffers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_virtq_not_ready_takes_nothing, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
