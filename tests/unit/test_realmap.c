/* The real map table: guest-physical -> host-physical pages and device regions. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/realmap.h"
#include "dev/mmio.h"

static uint64_t pages[16];
static struct mmio_device dev_a, dev_b;

static void fill(struct realmap *rm)
{
	realmap_init(rm);
	for (unsigned i = 0; i < 16; i++)
		pages[i] = 0x90000000ULL + 0x10000ULL * i;
	assert_int_equal(realmap_add_ram(rm, 0x80080000, 16, pages), 0);
	assert_int_equal(realmap_add_mmio(rm, 0x10000000, 0x100, &dev_a), 0);
}

static void test_realmap_ram_lookup_translates_each_page(void **state)
{
	struct realmap rm;
	struct realmap_entry e;

	(void)state;
	fill(&rm);
	assert_int_equal(realmap_lookup(&rm, 0x80080000, &e), REALMAP_RAM);
	assert_int_equal(e.hpa, 0x90000000);
	assert_int_equal(realmap_lookup(&rm, 0x80081abc, &e), REALMAP_RAM);
	assert_int_equal(e.hpa, 0x90010abc);
	assert_int_equal(realmap_lookup(&rm, 0x8008ffff, &e), REALMAP_RAM);
	assert_int_equal(e.hpa, 0x900f0fff);
}

static void test_realmap_outside_everything_is_none(void **state)
{
	struct realmap rm;
	struct realmap_entry e;

	(void)state;
	fill(&rm);
	assert_int_equal(realmap_lookup(&rm, 0x80000000, &e), REALMAP_NONE);   /* firmware */
	assert_int_equal(realmap_lookup(&rm, 0x8007ffff, &e), REALMAP_NONE);
	assert_int_equal(realmap_lookup(&rm, 0x80090000, &e), REALMAP_NONE);   /* past RAM */
	assert_int_equal(realmap_lookup(&rm, 0x0, &e), REALMAP_NONE);
	assert_int_equal(realmap_lookup(&rm, UINT64_MAX, &e), REALMAP_NONE);
	assert_int_equal(realmap_lookup(&rm, 0x10000100, &e), REALMAP_NONE);   /* past the device */
}

static void test_realmap_mmio_lookup_gives_device_and_offset(void **state)
{
	struct realmap rm;
	struct realmap_entry e;

	(void)state;
	fill(&rm);
	assert_int_equal(realmap_add_mmio(&rm, 0x0c000000, 0x400000, &dev_b), 0);
	assert_int_equal(realmap_lookup(&rm, 0x10000005, &e), REALMAP_MMIO);
	assert_ptr_equal(e.dev, &dev_a);
	assert_int_equal(e.offset, 5);
	assert_int_equal(e.mmio_slot, 0);
	assert_int_equal(realmap_lookup(&rm, 0x0c3fffff, &e), REALMAP_MMIO);
	assert_ptr_equal(e.dev, &dev_b);
	assert_int_equal(e.mmio_slot, 1);
}

static void test_realmap_rejects_overlap_and_bad_regions(void **state)
{
	struct realmap rm;
	uint64_t more[2] = { 0xa0000000, 0xa0001000 };

	(void)state;
	fill(&rm);
	assert_int_equal(realmap_add_ram(&rm, 0x8008f000, 2, more), -1);       /* overlaps RAM */
	assert_int_equal(realmap_add_mmio(&rm, 0x100000ff, 2, &dev_b), -1);    /* overlaps UART */
	assert_int_equal(realmap_add_ram(&rm, 0x90000800, 2, more), -1);       /* misaligned */
	assert_int_equal(realmap_add_ram(&rm, 0x90000000, 0, more), -1);       /* empty */
	assert_int_equal(realmap_add_mmio(&rm, UINT64_MAX - 4, 0x100, &dev_b), -1); /* wraps */
	assert_int_equal(realmap_add_ram(&rm, 0xfffffffffffff000ULL, 2, more), -1); /* wraps */
	assert_int_equal(realmap_add_ram(&rm, 0x90000000, 2, more), 0);
}

static void test_realmap_ram_hpa_only_within_one_page(void **state)
{
	struct realmap rm;

	(void)state;
	fill(&rm);
	assert_int_equal(realmap_ram_hpa(&rm, 0x80080ff8, 8), 0x90000ff8);
	assert_int_equal(realmap_ram_hpa(&rm, 0x80080ffc, 8), 0);     /* crosses a page */
	assert_int_equal(realmap_ram_hpa(&rm, 0x10000000, 1), 0);     /* MMIO is not RAM */
	assert_int_equal(realmap_ram_hpa(&rm, 0x80080000, 0), 0);
}

static void test_realmap_table_full(void **state)
{
	struct realmap rm;

	(void)state;
	realmap_init(&rm);
	for (unsigned i = 0; i < REALMAP_MAX_MMIO; i++)
		assert_int_equal(realmap_add_mmio(&rm, 0x1000ULL * i, 0x100, &dev_a), 0);
	assert_int_equal(realmap_add_mmio(&rm, 0x100000, 0x100, &dev_a), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_realmap_ram_lookup_translates_each_page),
		cmocka_unit_test(test_realmap_outside_everything_is_none),
		cmocka_unit_test(test_realmap_mmio_lookup_gives_device_and_offset),
		cmocka_unit_test(test_realmap_rejects_overlap_and_bad_regions),
		cmocka_unit_test(test_realmap_ram_hpa_only_within_one_page),
		cmocka_unit_test(test_realmap_table_full),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
