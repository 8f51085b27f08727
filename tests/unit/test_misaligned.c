/*
 * Unit tests of src/arch/riscv/misaligned.c over a fake machine: a page map
 * (va page -> pa page, or a fault), 16 pages of RAM, one device page that
 * logs every access, a PMP-denied page, nothing elsewhere. The expected
 * outcomes are what bare QEMU 7.2 does, as tests/fidelity measured it
 * (tests/fidelity/fixed/: ram-end-store, misaligned-fault-tval,
 * cross-page-fault-order).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "arch/riscv/csr.h"
#include "arch/riscv/misaligned.h"

#define PG          0x1000ULL
#define RAM         0x80000000ULL
#define RAM_PAGES   16
#define RAM_END     (RAM + RAM_PAGES * PG)
#define DEV         0x10000000ULL
#define PMP_DENY    (RAM + 2 * PG)        /* one denied page inside RAM */
#define NONE_PA     0x90000000ULL

static uint8_t ram[RAM_PAGES * PG];

/* The page map: va pages 0x100000.. mapped by the test; identity when
 * paging is off. */
#define MAP_MAX 8
static struct { uint64_t va, pa; uint64_t fault; } map[MAP_MAX];
static unsigned nmap;
static bool paging;

static struct { uint64_t va; unsigned len; bool store; } tr_log[16];
static unsigned ntr;
static struct { uint64_t pa; unsigned len; bool write; uint64_t val; } dev_log[32];
static unsigned ndev;
static uint8_t dev_regs[PG];
static bool dev_halts;

static void reset(void)
{
	memset(ram, 0, sizeof(ram));
	memset(dev_regs, 0, sizeof(dev_regs));
	nmap = ntr = ndev = 0;
	paging = dev_halts = false;
}

static void map_page(uint64_t va, uint64_t pa, uint64_t fault)
{
	map[nmap].va = va;
	map[nmap].pa = pa;
	map[nmap].fault = fault;
	nmap++;
	paging = true;
}

static uint64_t fake_translate(void *ctx, uint64_t va, unsigned len, bool store, uint64_t *pa)
{
	(void)ctx;
	tr_log[ntr].va = va;
	tr_log[ntr].len = len;
	tr_log[ntr].store = store;
	ntr++;
	uint64_t p = va;
	if (paging) {
		unsigned i;
		for (i = 0; i < nmap && map[i].va != (va & ~(PG - 1)); i++)
			;
		if (i == nmap)
			return store ? EXC_STORE_PAGE_FAULT : EXC_LOAD_PAGE_FAULT;
		if (map[i].fault)
			return map[i].fault;
		p = map[i].pa + (va & (PG - 1));
	}
	/* PMP over the whole range, as QEMU checks it. */
	if (p < PMP_DENY + PG && p + len > PMP_DENY)
		return store ? EXC_STORE_ACCESS : EXC_LOAD_ACCESS;
	*pa = p;
	return 0;
}

static bool fake_is_ram(void *ctx, uint64_t pa)
{
	(void)ctx;
	return pa >= RAM && pa < RAM_END;
}

static int fake_part(uint64_t pa, unsigned len, bool write, uint64_t *val)
{
	if (pa >= RAM && pa + len <= RAM_END) {
		for (unsigned i = 0; i < len; i++) {
			if (write)
				ram[pa - RAM + i] = (uint8_t)(*val >> (8 * i));
			else
				*val = (i ? *val : 0) | (uint64_t)ram[pa - RAM + i] << (8 * i);
		}
		return 0;
	}
	if (pa >= DEV && pa + len <= DEV + PG) {
		dev_log[ndev].pa = pa;
		dev_log[ndev].len = len;
		dev_log[ndev].write = write;
		dev_log[ndev].val = write ? *val : 0;
		ndev++;
		if (dev_halts)
			return MISALIGNED_HALT;
		for (unsigned i = 0; i < len; i++) {
			if (write)
				dev_regs[pa - DEV + i] = (uint8_t)(*val >> (8 * i));
			else
				*val = (i ? *val : 0) | (uint64_t)dev_regs[pa - DEV + i] << (8 * i);
		}
		return 0;
	}
	return MISALIGNED_FAULT;
}

static int fake_read(void *ctx, uint64_t pa, unsigned len, uint64_t *val)
{
	(void)ctx;
	return fake_part(pa, len, false, val);
}

static int fake_write(void *ctx, uint64_t pa, unsigned len, uint64_t val)
{
	(void)ctx;
	return fake_part(pa, len, true, &val);
}

static const struct misaligned_ops ops = { NULL, fake_translate, fake_is_ram, fake_read, fake_write };

static uint64_t ram64(uint64_t pa)
{
	uint64_t v;
	memcpy(&v, &ram[pa - RAM], 8);
	return v;
}

static int setup(void **state)
{
	(void)state;
	reset();
	return 0;
}

/* --- within RAM ------------------------------------------------------------ */

static void test_misaligned_ram_in_page_is_one_access(void **state)
{
	(void)state;
	uint64_t val = 0x1122334455667788ULL, cause = 0, tval = 0;
	assert_int_equal(misaligned_access(&ops, RAM + 0x103, 8, true, &val, &cause, &tval), MISALIGNED_DONE);
	val = 0;
	assert_int_equal(misaligned_access(&ops, RAM + 0x103, 8, false, &val, &cause, &tval), MISALIGNED_DONE);
	assert_int_equal(val, 0x1122334455667788ULL);
	assert_int_equal(ntr, 2);
}

static void test_misaligned_load_across_ram_pages_combines_parts(void **state)
{
	(void)state;
	for (unsigned i = 0; i < 16; i++)
		ram[PG - 8 + i] = (uint8_t)(0x10 + i);
	uint64_t val = 0, cause, tval;
	assert_int_equal(misaligned_access(&ops, RAM + PG - 3, 8, false, &val, &cause, &tval), MISALIGNED_DONE);
	assert_int_equal(val, 0x1c1b1a1918171615ULL);
	val = 0;
	assert_int_equal(misaligned_access(&ops, RAM + PG - 1, 2, false, &val, &cause, &tval), MISALIGNED_DONE);
	assert_int_equal(val, 0x1817);
	/* Page 1 for the access, page 2 for the part above. */
	assert_int_equal(ntr, 4);
	assert_int_equal(tr_log[1].va, RAM + PG);
	assert_int_equal(tr_log[1].len, 8);
}

static void test_misaligned_store_across_ram_pages_writes_all(void **state)
{
	(void)state;
	uint64_t val = 0x8877665544332211ULL, cause, tval;
	assert_int_equal(misaligned_access(&ops, RAM + PG - 5, 8, true, &val, &cause, &tval), MISALIGNED_DONE);
	assert_int_equal(ram64(RAM + PG - 5), 0x8877665544332211ULL);
	/* Page 2 probed for the bytes on it. */
	assert_int_equal(tr_log[1].va, RAM + PG);
	assert_int_equal(tr_log[1].len, 3);
	assert_true(tr_log[1].store);
}

/* --- beyond RAM (ram-end-store, misaligned-fault-tval) ------------------- */

static void test_misaligned_load_beyond_ram_reports_aligned_part(void **state)
{
	(void)state;
	uint64_t val = 0, cause = 0, tval = 0;
	assert_int_equal(misaligned_access(&ops, RAM_END + 6, 8, false, &val, &cause, &tval), MISALIGNED_FAULT);
	assert_int_equal(cause, EXC_LOAD_ACCESS);
	assert_int_equal(tval, RAM_END);
	assert_int_equal(misaligned_access(&ops, RAM_END + 1, 2, false, &val, &cause, &tval), MISALIGNED_FAULT);
	assert_int_equal(tval, RAM_END);
}

static void test_misaligned_load_across_ram_end_reports_second_part(void **state)
{
	(void)state;
	uint64_t val = 0, cause = 0, tval = 0;
	assert_int_equal(misaligned_access(&ops, RAM_END - 4, 8, false, &val, &cause, &tval), MISALIGNED_FAULT);
	assert_int_equal(cause, EXC_LOAD_ACCESS);
	assert_int_equal(tval, RAM_END);
	assert_int_equal(misaligned_access(&ops, RAM_END - 7, 8, false, &val, &cause, &tval), MISALIGNED_FAULT);
	assert_int_equal(tval, RAM_END);
}

static void test_misaligned_store_across_ram_end_writes_bytes_below(void **state)
{
	(void)state;
	uint64_t val = 0x1122334455667788ULL, cause = 0, tval = 0;
	assert_int_equal(misaligned_access(&ops, RAM_END - 4, 8, true, &val, &cause, &tval), MISALIGNED_FAULT);
	assert_int_equal(cause, EXC_STORE_ACCESS);
	assert_int_equal(tval, RAM_END);
	assert_int_equal(ram64(RAM_END - 8), 0x5566778800000000ULL);
	val = 0x1122334455667788ULL;
	assert_int_equal(misaligned_access(&ops, RAM_END - 7, 8, true, &val, &cause, &tval), MISALIGNED_FAULT);
	assert_int_equal(ram64(RAM_END - 8), 0x2233445566778800ULL);
}

static void test_misaligned_store_beyond_ram_reports_first_byte(void **state)
{
	(void)state;
	uint64_t val = 0x1122334455667788ULL, cause = 0, tval = 0;
	assert_int_equal(misaligned_access(&ops, RAM_END + 4, 8, true, &val, &cause, &tval), MISALIGNED_FAULT);
	assert_int_equal(cause, EXC_STORE_ACCESS);
	assert_int_equal(tval, RAM_END + 4);
	assert_int_equal(misaligned_access(&ops, RAM_END + 1, 2, true, &val, &cause, &tval), MISALIGNED_FAULT);
	assert_int_equal(tval, RAM_END + 1);
}

static void test_misaligned_aligned_access_beyond_ram_reports_address(void **state)
{
	(void)state;
	uint64_t val = 0, cause = 0, tval = 0;
	assert_int_equal(misaligned_access(&ops, RAM_END + 8, 8, false, &val, &cause, &tval), MISALIGNED_FAULT);
	assert_int_equal(tval, RAM_END + 8);
	assert_int_equal(misaligned_access(&ops, RAM_END + 8, 8, true, &val, &cause, &tval), MISALIGNED_FAULT);
	assert_int_equal(cause, EXC_STORE_ACCESS);
}

/* --- PMP: QEMU checks the whole range at the first translation ----------- */

static void test_misaligned_pmp_range_fault_reports_access_address(void **state)
{
	(void)state;
	uint64_t val = 0x1122334455667788ULL, cause = 0, tval = 0;
	/* Starts in allowed RAM, ends in the denied page. */
	assert_int_equal(misaligned_access(&ops, PMP_DENY - 4, 8, true, &val, &cause, &tval), MISALIGNED_FAULT);
	assert_int_equal(cause, EXC_STORE_ACCESS);
	assert_int_equal(tval, PMP_DENY - 4);
	assert_int_equal(ram64(PMP_DENY - 8), 0);      /* nothing written */
	assert_int_equal(misaligned_access(&ops, PMP_DENY + PG - 2, 4, false, &val, &cause, &tval), MISALIGNED_FAULT);
	assert_int_equal(cause, EXC_LOAD_ACCESS);
	assert_int_equal(tval, PMP_DENY + PG - 2);
}

/* --- paging (cross-page-fault-order) ---------------------------------------- */

static void test_misaligned_store_probes_second_page_before_first_part(void **state)
{
	(void)state;
	/* Page 1 maps a PA with nothing there, page 2 is not mapped: the
	 * page fault of page 2 comes first. */
	map_page(0x100000, NONE_PA, 0);
	uint64_t val = 1, cause = 0, tval = 0;
	assert_int_equal(misaligned_access(&ops, 0x100ffc, 8, true, &val, &cause, &tval), MISALIGNED_FAULT);
	assert_int_equal(cause, EXC_STORE_PAGE_FAULT);
	assert_int_equal(tval, 0x101000);
}

static void test_misaligned_store_to_unmapped_second_page_writes_nothing(void **state)
{
	(void)state;
	map_page(0x100000, RAM + 4 * PG, 0);
	uint64_t val = 0x1122334455667788ULL, cause = 0, tval = 0;
	assert_int_equal(misaligned_access(&ops, 0x100ffc, 8, true, &val, &cause, &tval), MISALIGNED_FAULT);
	assert_int_equal(cause, EXC_STORE_PAGE_FAULT);
	assert_int_equal(tval, 0x101000);
	assert_int_equal(ram64(RAM + 5 * PG - 8), 0);
}

static void test_misaligned_load_faults_on_first_part_before_second_page(void **state)
{
	(void)state;
	/* The same layout for a load: the part below faults first, and
	 * page 2 is never translated (its A bit stays as it was). */
	map_page(0x100000, NONE_PA, 0);
	uint64_t val = 0, cause = 0, tval = 0;
	assert_int_equal(misaligned_access(&ops, 0x100ffc, 8, false, &val, &cause, &tval), MISALIGNED_FAULT);
	assert_int_equal(cause, EXC_LOAD_ACCESS);
	assert_int_equal(tval, 0x100ff8);
	assert_int_equal(ntr, 1);
}

static void test_misaligned_first_page_fault_reports_access_address(void **state)
{
	(void)state;
	map_page(0x100000, 0, EXC_LOAD_PAGE_FAULT);
	map_page(0x101000, RAM, 0);
	uint64_t val = 0, cause = 0, tval = 0;
	assert_int_equal(misaligned_access(&ops, 0x100ffd, 4, false, &val, &cause, &tval), MISALIGNED_FAULT);
	assert_int_equal(cause, EXC_LOAD_PAGE_FAULT);
	assert_int_equal(tval, 0x100ffd);
}

static void test_misaligned_store_across_into_nothing_keeps_first_page_bytes(void **state)
{
	(void)state;
	map_page(0x100000, RAM + 4 * PG, 0);
	map_page(0x101000, NONE_PA, 0);
	uint64_t val = 0x1122334455667788ULL, cause = 0, tval = 0;
	assert_int_equal(misaligned_access(&ops, 0x100ffe, 4, true, &val, &cause, &tval), MISALIGNED_FAULT);
	assert_int_equal(cause, EXC_STORE_ACCESS);
	assert_int_equal(tval, 0x101000);
	assert_int_equal(ram[5 * PG - 2], 0x88);
	assert_int_equal(ram[5 * PG - 1], 0x77);
}

/* --- devices ------------------------------------------------------------------ */

static void test_misaligned_device_load_reads_both_aligned_parts(void **state)
{
	(void)state;
	for (unsigned i = 0; i < 8; i++)
		dev_regs[i] = (uint8_t)(0xa0 + i);
	uint64_t val = 0, cause, tval;
	assert_int_equal(misaligned_access(&ops, DEV + 1, 2, false, &val, &cause, &tval), MISALIGNED_DONE);
	assert_int_equal(val, 0xa2a1);
	assert_int_equal(ndev, 2);
	assert_int_equal(dev_log[0].pa, DEV);
	assert_int_equal(dev_log[0].len, 2);
	assert_int_equal(dev_log[1].pa, DEV + 2);
	assert_int_equal(dev_log[1].len, 2);
}

static void test_misaligned_device_store_goes_byte_by_byte(void **state)
{
	(void)state;
	uint64_t val = 0x44332211, cause, tval;
	assert_int_equal(misaligned_access(&ops, DEV + 3, 4, true, &val, &cause, &tval), MISALIGNED_DONE);
	assert_int_equal(ndev, 4);
	for (unsigned i = 0; i < 4; i++) {
		assert_int_equal(dev_log[i].pa, DEV + 3 + i);
		assert_int_equal(dev_log[i].len, 1);
		assert_int_equal(dev_log[i].val, 0x11 * (i + 1));
	}
}

static void test_misaligned_aligned_device_access_is_one_access(void **state)
{
	(void)state;
	uint64_t val = 0x5a, cause, tval;
	assert_int_equal(misaligned_access(&ops, DEV + 4, 4, true, &val, &cause, &tval), MISALIGNED_DONE);
	assert_int_equal(ndev, 1);
	assert_int_equal(dev_log[0].len, 4);
}

static void test_misaligned_device_halt_stops_at_once(void **state)
{
	(void)state;
	dev_halts = true;
	uint64_t val = 0x44332211, cause, tval;
	assert_int_equal(misaligned_access(&ops, DEV + 1, 4, true, &val, &cause, &tval), MISALIGNED_HALT);
	assert_int_equal(ndev, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_misaligned_ram_in_page_is_one_access, setup),
		cmocka_unit_test_setup(test_misaligned_load_across_ram_pages_combines_parts, setup),
		cmocka_unit_test_setup(test_misaligned_store_across_ram_pages_writes_all, setup),
		cmocka_unit_test_setup(test_misaligned_load_beyond_ram_reports_aligned_part, setup),
		cmocka_unit_test_setup(test_misaligned_load_across_ram_end_reports_second_part, setup),
		cmocka_unit_test_setup(test_misaligned_store_across_ram_end_writes_bytes_below, setup),
		cmocka_unit_test_setup(test_misaligned_store_beyond_ram_reports_first_byte, setup),
		cmocka_unit_test_setup(test_misaligned_aligned_access_beyond_ram_reports_address, setup),
		cmocka_unit_test_setup(test_misaligned_pmp_range_fault_reports_access_address, setup),
		cmocka_unit_test_setup(test_misaligned_store_probes_second_page_before_first_part, setup),
		cmocka_unit_test_setup(test_misaligned_store_to_unmapped_second_page_writes_nothing, setup),
		cmocka_unit_test_setup(test_misaligned_load_faults_on_first_part_before_second_page, setup),
		cmocka_unit_test_setup(test_misaligned_first_page_fault_reports_access_address, setup),
		cmocka_unit_test_setup(test_misaligned_store_across_into_nothing_keeps_first_page_bytes, setup),
		cmocka_unit_test_setup(test_misaligned_device_load_reads_both_aligned_parts, setup),
		cmocka_unit_test_setup(test_misaligned_device_store_goes_byte_by_byte, setup),
		cmocka_unit_test_setup(test_misaligned_aligned_device_access_is_one_access, setup),
		cmocka_unit_test_setup(test_misaligned_device_halt_stops_at_once, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
