/* Page tables as data: Sv39/48/57 geometry, mapping, lookup, freeing,
 * over fake memory. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "arch/riscv/csr.h"
#include "arch/riscv/pgtable.h"

#define NPAGES 64
static uint64_t mem[NPAGES][512] __attribute__((aligned(4096)));
static int used[NPAGES];
static int allocs, frees, limit;

#define FAKE_BASE 0x100000000ULL

static uint64_t *fake_table(void *ctx, uint64_t pa)
{
	(void)ctx;
	uint64_t i = (pa - FAKE_BASE) >> 12;
	assert_true(i < NPAGES);
	assert_true(used[i]);
	return mem[i];
}

static uint64_t fake_alloc(void *ctx)
{
	(void)ctx;
	if (allocs >= limit)
		return 0;
	for (int i = 0; i < NPAGES; i++) {
		if (!used[i]) {
			used[i] = 1;
			memset(mem[i], 0, sizeof(mem[i]));
			allocs++;
			return FAKE_BASE + ((uint64_t)i << 12);
		}
	}
	return 0;
}

static void fake_free(void *ctx, uint64_t pa)
{
	(void)ctx;
	uint64_t i = (pa - FAKE_BASE) >> 12;
	assert_true(used[i]);
	used[i] = 0;
	frees++;
}

static const struct pt_mem fake = { NULL, fake_table, fake_alloc, fake_free };

static int setup(void **state)
{
	(void)state;
	memset(used, 0, sizeof(used));
	allocs = frees = 0;
	limit = NPAGES;
	return 0;
}

static void test_pgtable_levels_per_mode(void **state)
{
	(void)state;
	assert_int_equal(pt_levels(SATP_MODE_SV39), 3);
	assert_int_equal(pt_levels(SATP_MODE_SV48), 4);
	assert_int_equal(pt_levels(SATP_MODE_SV57), 5);
	assert_int_equal(pt_levels(SATP_MODE_BARE), 0);
	assert_int_equal(pt_levels(7), 0);
}

static void test_pgtable_index_and_pte_fields(void **state)
{
	(void)state;
	uint64_t va = 0xffffffc080201000ULL;
	assert_int_equal(pt_index(va, 0), 0x001);
	assert_int_equal(pt_index(va, 1), 0x001);
	assert_int_equal(pt_index(va, 2), 0x102);
	assert_int_equal(pt_index(va, 3), 0x1ff);
	uint64_t pte = pte_make(0x80201000, PTE_V | PTE_R);
	assert_int_equal(pte, (0x80201ULL << 10) | PTE_V | PTE_R);
	assert_int_equal(pte_pa(pte), 0x80201000);
	assert_true(pte_is_leaf(pte));
	assert_false(pte_is_leaf(pte_make(0x1000, PTE_V)));
}

static void map_and_check(unsigned levels)
{
	uint64_t root = fake_alloc(NULL);
	uint64_t va = 0x80201000ULL;

	assert_int_equal(pt_map_page(&fake, root, levels, va, 0x12345000, PTE_R | PTE_W), 0);
	assert_int_equal(allocs, (int)levels);      /* root + one table per lower level */
	uint64_t *slot = pt_leaf_slot(&fake, root, levels, va);
	assert_non_null(slot);
	assert_int_equal(*slot, pte_make(0x12345000, PTE_V | PTE_R | PTE_W));
	assert_null(pt_leaf_slot(&fake, root, levels, va + (1ULL << 30)));  /* no table there */
	/* A neighbour in the same leaf table costs nothing more. */
	assert_int_equal(pt_map_page(&fake, root, levels, va + 0x1000, 0x1000, PTE_R), 0);
	assert_int_equal(allocs, (int)levels);
	pt_free_subtrees(&fake, root, levels, 0, 255);
	assert_int_equal(frees, (int)levels - 1);
	assert_int_equal(fake_table(NULL, root)[pt_index(va, levels - 1)], 0);
}

static void test_pgtable_map_sv39(void **state) { (void)state; map_and_check(3); }
static void test_pgtable_map_sv48(void **state) { (void)state; map_and_check(4); }
static void test_pgtable_map_sv57(void **state) { (void)state; map_and_check(5); }

static void test_pgtable_superpage_blocks_4k_map(void **state)
{
	(void)state;
	uint64_t root = fake_alloc(NULL);
	fake_table(NULL, root)[2] = pte_make(0x80000000, PTE_V | PTE_R | PTE_W | PTE_X);
	assert_int_equal(pt_map_page(&fake, root, 3, 0x80201000, 0x1000, PTE_R), -1);
	assert_null(pt_leaf_slot(&fake, root, 3, 0x80201000));
	pt_free_subtrees(&fake, root, 3, 0, 511);      /* leaves are not tables */
	assert_int_equal(frees, 0);
}

static void test_pgtable_out_of_memory(void **state)
{
	(void)state;
	limit = 2;
	uint64_t root = fake_alloc(NULL);
	assert_int_equal(pt_map_page(&fake, root, 3, 0x80201000, 0x1000, PTE_R), -1);
}

static void test_pgtable_free_keeps_upper_half(void **state)
{
	(void)state;
	uint64_t root = fake_alloc(NULL);
	uint64_t top = pte_make(0x80000000, PTE_V | PTE_R | PTE_X | PTE_G);
	fake_table(NULL, root)[300] = top;
	pt_map_page(&fake, root, 3, 0x1000, 0x2000, PTE_R);
	pt_free_subtrees(&fake, root, 3, 0, 255);
	assert_int_equal(fake_table(NULL, root)[300], top);
	assert_int_equal(frees, 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_pgtable_levels_per_mode, setup),
		cmocka_unit_test_setup(test_pgtable_index_and_pte_fields, setup),
		cmocka_unit_test_setup(test_pgtable_map_sv39, setup),
		cmocka_unit_test_setup(test_pgtable_map_sv48, setup),
		cmocka_unit_test_setup(test_pgtable_map_sv57, setup),
		cmocka_unit_test_setup(test_pgtable_superpage_blocks_4k_map, setup),
		cmocka_unit_test_setup(test_pgtable_out_of_memory, setup),
		cmocka_unit_test_setup(test_pgtable_free_keeps_upper_half, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
