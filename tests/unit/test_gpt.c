/* Guest page-table walker: Bare/Sv39/Sv48/Sv57 walks over a fake guest RAM,
 * checked against what QEMU 7.2's get_physical_address does. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "arch/riscv/csr.h"
#include "arch/riscv/gpt.h"
#include "arch/riscv/pgtable.h"

/* --- fake guest RAM ------------------------------------------------------ */

#define RAM_BASE  0x80000000ULL
#define RAM_PAGES 48
static uint64_t ram[RAM_PAGES][PT_ENTRIES];
static unsigned ram_next;

/* Fault injection and counters. */
static unsigned reads, cas_calls;
static unsigned race_left;          /* CASes that first change the PTE, then fail */
static uint64_t race_xor;           /* what the "other hart" flips */
static uint64_t race_set;           /* if nonzero: the other hart stores this */
static uint64_t rom_lo, rom_hi;     /* PTEs here cannot be updated */
static uint64_t deny_lo, deny_hi;   /* PMP denies reads here */

static uint64_t *ram_word(uint64_t gpa)
{
	if (gpa < RAM_BASE || gpa >= RAM_BASE + sizeof(ram) || (gpa & 7))
		return NULL;
	return &ram[0][0] + (gpa - RAM_BASE) / 8;
}

static bool fake_read_pte(void *ctx, uint64_t gpa, uint64_t *pte)
{
	uint64_t *w = ram_word(gpa);

	(void)ctx;
	reads++;
	if (!w)
		return false;
	*pte = *w;
	return true;
}

static bool fake_cas_pte(void *ctx, uint64_t gpa, uint64_t expected, uint64_t desired)
{
	uint64_t *w = ram_word(gpa);

	(void)ctx;
	cas_calls++;
	if (!w || (gpa >= rom_lo && gpa < rom_hi))
		return false;
	if (race_left) {
		race_left--;
		*w = race_set ? race_set : *w ^ race_xor;
	}
	if (*w != expected)
		return false;
	*w = desired;
	return true;
}

static bool fake_pte_allowed(void *ctx, uint64_t gpa)
{
	(void)ctx;
	return gpa < deny_lo || gpa >= deny_hi;
}

static const struct gpt_mem mem = {
	NULL, fake_read_pte, fake_cas_pte, fake_pte_allowed,
};

static int setup(void **state)
{
	(void)state;
	memset(ram, 0, sizeof(ram));
	ram_next = 0;
	reads = cas_calls = race_left = 0;
	race_xor = race_set = 0;
	rom_lo = rom_hi = deny_lo = deny_hi = 0;
	return 0;
}

/* --- a tiny builder of guest tables --------------------------------------- */

struct guest {
	uint64_t satp;
	uint64_t root;
	unsigned levels;
};

static uint64_t ram_alloc(void)
{
	assert_true(ram_next < RAM_PAGES);
	return RAM_BASE + ((uint64_t)ram_next++ << 12);
}

static struct guest guest_new(uint64_t mode)
{
	struct guest g = { 0, 0, pt_levels(mode) };

	g.root = ram_alloc();
	g.satp = (mode << SATP_MODE_SHIFT) | (0x1234ULL << SATP_ASID_SHIFT) | (g.root >> 12);
	return g;
}

/* Where the PTE for va at `level` lives, creating pointer tables above it. */
static uint64_t guest_slot(struct guest *g, uint64_t va, unsigned level)
{
	uint64_t table = g->root;

	for (unsigned l = g->levels - 1; l > level; l--) {
		uint64_t *e = ram_word(table + pt_index(va, l) * 8);
		if (!(*e & PTE_V))
			*e = pte_make(ram_alloc(), PTE_V);
		table = pte_pa(*e);
	}
	return table + pt_index(va, level) * 8;
}

/* Map va -> pa with a leaf at `level`; returns where the leaf lives. */
static uint64_t guest_map(struct guest *g, uint64_t va, unsigned level,
			  uint64_t pa, uint64_t flags)
{
	uint64_t slot = guest_slot(g, va, level);

	*ram_word(slot) = pte_make(pa, flags);
	return slot;
}

static uint64_t ram_get(uint64_t gpa) { return *ram_word(gpa); }
static void ram_set(uint64_t gpa, uint64_t v) { *ram_word(gpa) = v; }

static struct gpt_walk_req req_make(const struct guest *g, uint64_t va,
				    enum gpt_access access, bool priv_s)
{
	struct gpt_walk_req r = {
		.satp = g->satp, .va = va, .access = access, .priv_s = priv_s,
		.sum = false, .mxr = false, .update_ad = true,
	};
	return r;
}

static int walk(const struct gpt_walk_req *r, struct gpt_walk_res *res)
{
	return gpt_walk(&mem, r, res);
}

#define RWX   (PTE_R | PTE_W | PTE_X)
#define LEAF  (PTE_V | PTE_A | PTE_D)   /* A/D preset: no update needed */

static const enum gpt_access accesses[] = { GPT_FETCH, GPT_LOAD, GPT_STORE };
static const uint64_t page_faults[] = {
	EXC_INST_PAGE_FAULT, EXC_LOAD_PAGE_FAULT, EXC_STORE_PAGE_FAULT,
};
static const uint64_t access_faults[] = {
	EXC_INST_ACCESS, EXC_LOAD_ACCESS, EXC_STORE_ACCESS,
};

/* Every access type on va faults with its own page-fault cause. */
static void assert_page_faults(const struct guest *g, uint64_t va, bool priv_s)
{
	for (unsigned i = 0; i < 3; i++) {
		struct gpt_walk_req r = req_make(g, va, accesses[i], priv_s);
		struct gpt_walk_res res;
		assert_int_equal(walk(&r, &res), GPT_WALK_FAULT);
		assert_int_equal(res.cause, page_faults[i]);
		assert_int_equal(res.gpa, 0);
	}
}

/* Map one page of each size the mode has and translate into each. */
static void check_every_page_size(uint64_t mode)
{
	struct guest g = guest_new(mode);
	unsigned levels = g.levels;

	for (unsigned level = 0; level < levels; level++) {
		uint64_t size = 1ULL << (12 + 9 * level);
		/* One root slot per level keeps the pages apart; the high
		 * half (negative va) is used for odd levels. */
		uint64_t va = ((uint64_t)(level + 1) << (12 + 9 * (levels - 1)));
		if (level & 1)
			va |= ~0ULL << (12 + 9 * levels - 1);
		uint64_t pa = (uint64_t)(level + 3) * size;
		uint64_t slot = guest_map(&g, va, level, pa, LEAF | RWX);
		uint64_t off = (size - 1) & 0x5a5a5a5a5a5a5a5aULL;
		struct gpt_walk_req r = req_make(&g, va + off, GPT_LOAD, true);
		struct gpt_walk_res res;

		assert_int_equal(walk(&r, &res), GPT_WALK_OK);
		assert_int_equal(res.cause, 0);
		assert_int_equal(res.level, level);
		assert_int_equal(res.page_size, size);
		assert_int_equal(res.page_base_va, va);
		assert_int_equal(res.gpa, pa + off);
		assert_int_equal(res.pte_gpa, slot);
		assert_int_equal(res.pte, ram_get(slot));
	}
}

/* --- modes and page sizes ------------------------------------------------ */

static void test_gpt_bare_identity(void **state)
{
	(void)state;
	struct gpt_walk_req r = { .satp = 0, .va = 0x80201234, .access = GPT_LOAD,
				  .priv_s = true, .update_ad = true };
	struct gpt_walk_res res;

	assert_int_equal(walk(&r, &res), GPT_WALK_OK);
	assert_int_equal(res.gpa, 0x80201234);
	assert_int_equal(res.page_base_va, 0x80201000);
	assert_int_equal(res.page_size, 4096);
	assert_int_equal(res.level, 0);
	assert_int_equal(reads, 0);
}

static void test_gpt_bare_never_faults(void **state)
{
	(void)state;
	/* Bare ignores the ASID/PPN fields and any va, even a
	 * "non-canonical" one, in U-mode, for every access. */
	for (unsigned i = 0; i < 3; i++) {
		struct gpt_walk_req r = { .satp = 0xfffffffffffULL, .va = 0x8000123456789abcULL,
					  .access = accesses[i], .priv_s = false };
		struct gpt_walk_res res;
		assert_int_equal(walk(&r, &res), GPT_WALK_OK);
		assert_int_equal(res.gpa, 0x8000123456789abcULL);
		assert_int_equal(res.cause, 0);
	}
	assert_int_equal(reads, 0);
}

static void test_gpt_sv39_every_page_size(void **state)
{
	(void)state;
	check_every_page_size(SATP_MODE_SV39);
}

static void test_gpt_sv48_every_page_size(void **state)
{
	(void)state;
	check_every_page_size(SATP_MODE_SV48);
}

static void test_gpt_sv57_every_page_size(void **state)
{
	(void)state;
	check_every_page_size(SATP_MODE_SV57);
}

static void test_gpt_sv39_4k_reads_three_ptes(void **state)
{
	(void)state;
	struct guest g = guest_new(SATP_MODE_SV39);
	uint64_t va = 0xffffffc000201000ULL;
	guest_map(&g, va, 0, 0x80400000, LEAF | PTE_R | PTE_W);
	struct gpt_walk_req r = req_make(&g, va + 0x10, GPT_STORE, true);
	struct gpt_walk_res res;

	assert_int_equal(walk(&r, &res), GPT_WALK_OK);
	assert_int_equal(res.gpa, 0x80400010);
	assert_int_equal(reads, 3);
	assert_int_equal(cas_calls, 0);
}

static void test_gpt_satp_asid_ignored(void **state)
{
	(void)state;
	struct guest g = guest_new(SATP_MODE_SV39);
	guest_map(&g, 0x1000, 0, 0x5000, LEAF | PTE_R);
	struct gpt_walk_req r = req_make(&g, 0x1008, GPT_LOAD, true);
	struct gpt_walk_res a, b;

	assert_int_equal(walk(&r, &a), GPT_WALK_OK);
	r.satp = (r.satp & ~(SATP_ASID_MASK << SATP_ASID_SHIFT)) | (0xffffULL << SATP_ASID_SHIFT);
	assert_int_equal(walk(&r, &b), GPT_WALK_OK);
	assert_int_equal(a.gpa, 0x5008);
	assert_int_equal(b.gpa, a.gpa);
}

static void test_gpt_unsupported_satp_mode_faults(void **state)
{
	(void)state;
	/* Sv32 (1), the reserved 2..7 and 11..15 never reach a QEMU 7.2
	 * rv64 satp; if a caller passes one, nothing is mapped. */
	static const uint64_t modes[] = { 1, 2, 7, 11, 15 };
	for (unsigned m = 0; m < sizeof(modes) / sizeof(modes[0]); m++) {
		struct guest g = { modes[m] << SATP_MODE_SHIFT, 0, 3 };
		assert_page_faults(&g, 0x1000, true);
	}
	assert_int_equal(reads, 0);
}

/* --- canonical addresses ------------------------------------------------- */

static void check_noncanonical(uint64_t mode, unsigned va_bits)
{
	struct guest g = guest_new(mode);
	/* Map both the lowest and highest page so only canonicity decides. */
	guest_map(&g, 0, 0, 0x1000, LEAF | RWX);
	guest_map(&g, ~0ULL << 12, 0, 0x2000, LEAF | RWX);
	uint64_t bad[] = {
		1ULL << (va_bits - 1),                  /* top bit set, upper zero */
		~0ULL << va_bits,                       /* upper ones, top bit clear */
		1ULL << 63,
		(1ULL << va_bits) | 0x1000,
	};

	for (unsigned i = 0; i < 4; i++)
		assert_page_faults(&g, bad[i], true);
	assert_int_equal(reads, 0);

	struct gpt_walk_req r = req_make(&g, ~0ULL, GPT_LOAD, true);
	struct gpt_walk_res res;
	assert_int_equal(walk(&r, &res), GPT_WALK_OK);
	assert_int_equal(res.gpa, 0x2fff);
	r.va = (1ULL << (va_bits - 1)) - 1;   /* highest low-half address: unmapped */
	assert_int_equal(walk(&r, &res), GPT_WALK_FAULT);
	assert_int_equal(res.cause, EXC_LOAD_PAGE_FAULT);
	assert_true(reads > 0);
}

static void test_gpt_sv39_noncanonical_va_faults(void **state)
{
	(void)state;
	check_noncanonical(SATP_MODE_SV39, 39);
}

static void test_gpt_sv48_noncanonical_va_faults(void **state)
{
	(void)state;
	check_noncanonical(SATP_MODE_SV48, 48);
}

static void test_gpt_sv57_noncanonical_va_faults(void **state)
{
	(void)state;
	check_noncanonical(SATP_MODE_SV57, 57);
}

/* --- PTE encodings ------------------------------------------------------- */

static void check_invalid_each_level(uint64_t mode)
{
	struct guest g = guest_new(mode);
	uint64_t va = 0x12345000ULL;

	for (unsigned level = g.levels; level-- > 0;) {
		/* Build the full path, then clear V at `level`: every other
		 * bit of that PTE stays, QEMU still faults. */
		setup(NULL);
		g = guest_new(mode);
		uint64_t leaf = guest_map(&g, va, 0, 0x9000, LEAF | RWX);
		uint64_t slot = guest_slot(&g, va, level);
		(void)leaf;
		ram_set(slot, ram_get(slot) & ~PTE_V);
		for (unsigned i = 0; i < 3; i++) {
			struct gpt_walk_req r = req_make(&g, va, accesses[i], true);
			struct gpt_walk_res res;
			assert_int_equal(walk(&r, &res), GPT_WALK_FAULT);
			assert_int_equal(res.cause, page_faults[i]);
			assert_int_equal(res.level, level);
			assert_int_equal(res.pte_gpa, slot);
		}
	}
}

static void test_gpt_sv39_invalid_pte_each_level(void **state)
{
	(void)state;
	check_invalid_each_level(SATP_MODE_SV39);
}

static void test_gpt_sv48_invalid_pte_each_level(void **state)
{
	(void)state;
	check_invalid_each_level(SATP_MODE_SV48);
}

static void test_gpt_sv57_invalid_pte_each_level(void **state)
{
	(void)state;
	check_invalid_each_level(SATP_MODE_SV57);
}

static void test_gpt_write_only_leaf_reserved(void **state)
{
	(void)state;
	struct guest g = guest_new(SATP_MODE_SV39);
	guest_map(&g, 0x1000, 0, 0x5000, LEAF | PTE_W | PTE_U);
	assert_page_faults(&g, 0x1000, true);
	assert_page_faults(&g, 0x1000, false);
}

static void test_gpt_write_exec_leaf_reserved(void **state)
{
	(void)state;
	struct guest g = guest_new(SATP_MODE_SV39);
	guest_map(&g, 0x1000, 0, 0x5000, LEAF | PTE_W | PTE_X);
	assert_page_faults(&g, 0x1000, true);
	/* Same bits as a superpage: still reserved. */
	guest_map(&g, 0x40000000, 1, 0x200000, LEAF | PTE_W | PTE_X);
	assert_page_faults(&g, 0x40000000, true);
}

static void test_gpt_nonleaf_at_last_level_faults(void **state)
{
	(void)state;
	struct guest g = guest_new(SATP_MODE_SV48);
	uint64_t slot = guest_slot(&g, 0x7000, 0);
	/* A pointer at level 0 pointing at a real table page. */
	ram_set(slot, pte_make(g.root, PTE_V));
	assert_page_faults(&g, 0x7000, true);
	struct gpt_walk_req r = req_make(&g, 0x7000, GPT_LOAD, true);
	struct gpt_walk_res res;
	reads = 0;
	assert_int_equal(walk(&r, &res), GPT_WALK_FAULT);
	assert_int_equal(res.level, 0);
	assert_int_equal(reads, 4);
}

static void test_gpt_nonleaf_with_a_d_u_faults(void **state)
{
	(void)state;
	/* QEMU 7.2: D, A and U are reserved in a pointer and fault; the
	 * spec (4.3.1) only asks software to keep them clear. */
	static const uint64_t bad[] = { PTE_A, PTE_D, PTE_U };
	for (unsigned b = 0; b < 3; b++) {
		setup(NULL);
		struct guest g = guest_new(SATP_MODE_SV39);
		guest_map(&g, 0x1000, 0, 0x5000, LEAF | RWX);
		uint64_t slot = guest_slot(&g, 0x1000, 1);
		ram_set(slot, ram_get(slot) | bad[b]);
		assert_page_faults(&g, 0x1000, true);
		assert_page_faults(&g, 0x1000, false);
	}
}

static void test_gpt_nonleaf_global_and_rsw_ok(void **state)
{
	(void)state;
	struct guest g = guest_new(SATP_MODE_SV39);
	guest_map(&g, 0x1000, 0, 0x5000, LEAF | RWX);
	uint64_t slot = guest_slot(&g, 0x1000, 2);
	ram_set(slot, ram_get(slot) | PTE_G | (3ULL << 8));
	struct gpt_walk_req r = req_make(&g, 0x1000, GPT_LOAD, true);
	struct gpt_walk_res res;
	assert_int_equal(walk(&r, &res), GPT_WALK_OK);
	assert_int_equal(res.gpa, 0x5000);
}

static void test_gpt_reserved_high_bits_leaf(void **state)
{
	(void)state;
	/* Bits 63:54 (N, PBMT, reserved): QEMU 7.2 rv64 has Svnapot and
	 * Svpbmt off, so each single bit fails the walk. */
	for (unsigned bit = 54; bit < 64; bit++) {
		setup(NULL);
		struct guest g = guest_new(SATP_MODE_SV39);
		uint64_t slot = guest_map(&g, 0x1000, 0, 0x5000, LEAF | RWX);
		ram_set(slot, ram_get(slot) | (1ULL << bit));
		assert_page_faults(&g, 0x1000, true);
	}
}

static void test_gpt_reserved_high_bits_nonleaf(void **state)
{
	(void)state;
	for (unsigned bit = 54; bit < 64; bit++) {
		setup(NULL);
		struct guest g = guest_new(SATP_MODE_SV48);
		guest_map(&g, 0x1000, 0, 0x5000, LEAF | RWX);
		uint64_t slot = guest_slot(&g, 0x1000, 2);
		ram_set(slot, ram_get(slot) | (1ULL << bit));
		assert_page_faults(&g, 0x1000, true);
	}
}

static void test_gpt_napot_4k_leaf_faults(void **state)
{
	(void)state;
	/* A well-formed Svnapot 64 KiB PTE (N=1, ppn[3:0]=1000): QEMU 7.2
	 * does not know Svnapot, so it is a reserved bit. */
	struct guest g = guest_new(SATP_MODE_SV39);
	uint64_t slot = guest_map(&g, 0x18000, 0, 0x88000, LEAF | RWX);
	ram_set(slot, ram_get(slot) | (1ULL << 63));
	assert_page_faults(&g, 0x18000, true);
}

static void test_gpt_misaligned_2m_superpage(void **state)
{
	(void)state;
	struct guest g = guest_new(SATP_MODE_SV39);
	guest_map(&g, 0x200000, 1, 0x80201000, LEAF | RWX);
	assert_page_faults(&g, 0x200000, true);
	/* No A/D write happens on the way to the fault. */
	assert_int_equal(cas_calls, 0);
}

static void test_gpt_misaligned_1g_superpage(void **state)
{
	(void)state;
	struct guest g = guest_new(SATP_MODE_SV48);
	/* 2 MiB-aligned is not enough for a 1 GiB leaf. */
	guest_map(&g, 0x40000000, 2, 0x80200000, PTE_V | RWX);
	assert_page_faults(&g, 0x40000000, true);
	assert_page_faults(&g, 0x40000000 + 0x3ffff000, true);
	assert_int_equal(cas_calls, 0);
}

/* --- privilege, SUM, MXR ------------------------------------------------- */

static void test_gpt_u_page_from_s_without_sum_faults(void **state)
{
	(void)state;
	struct guest g = guest_new(SATP_MODE_SV39);
	guest_map(&g, 0x1000, 0, 0x5000, LEAF | RWX | PTE_U);
	assert_page_faults(&g, 0x1000, true);
}

static void test_gpt_u_page_from_s_with_sum_loads_and_stores(void **state)
{
	(void)state;
	struct guest g = guest_new(SATP_MODE_SV39);
	guest_map(&g, 0x1000, 0, 0x5000, LEAF | PTE_R | PTE_W | PTE_U);
	struct gpt_walk_res res;
	struct gpt_walk_req r = req_make(&g, 0x1000, GPT_LOAD, true);
	r.sum = true;
	assert_int_equal(walk(&r, &res), GPT_WALK_OK);
	r.access = GPT_STORE;
	assert_int_equal(walk(&r, &res), GPT_WALK_OK);
	assert_int_equal(res.gpa, 0x5000);
}

static void test_gpt_u_page_fetch_from_s_faults_even_with_sum(void **state)
{
	(void)state;
	struct guest g = guest_new(SATP_MODE_SV39);
	guest_map(&g, 0x1000, 0, 0x5000, LEAF | RWX | PTE_U);
	struct gpt_walk_res res;
	struct gpt_walk_req r = req_make(&g, 0x1000, GPT_FETCH, true);
	r.sum = true;
	r.mxr = true;
	assert_int_equal(walk(&r, &res), GPT_WALK_FAULT);
	assert_int_equal(res.cause, EXC_INST_PAGE_FAULT);
}

static void test_gpt_s_page_from_u_faults(void **state)
{
	(void)state;
	struct guest g = guest_new(SATP_MODE_SV39);
	guest_map(&g, 0x1000, 0, 0x5000, LEAF | RWX);
	for (unsigned i = 0; i < 3; i++) {
		struct gpt_walk_res res;
		struct gpt_walk_req r = req_make(&g, 0x1000, accesses[i], false);
		r.sum = true;   /* SUM never opens S pages to U-mode */
		r.mxr = true;
		assert_int_equal(walk(&r, &res), GPT_WALK_FAULT);
		assert_int_equal(res.cause, page_faults[i]);
	}
}

static void test_gpt_u_page_from_u_ok(void **state)
{
	(void)state;
	struct guest g = guest_new(SATP_MODE_SV39);
	guest_map(&g, 0x1000, 0, 0x5000, LEAF | RWX | PTE_U);
	for (unsigned i = 0; i < 3; i++) {
		struct gpt_walk_res res;
		struct gpt_walk_req r = req_make(&g, 0x1000, accesses[i], false);
		assert_int_equal(walk(&r, &res), GPT_WALK_OK);
		assert_int_equal(res.gpa, 0x5000);
	}
}

static void test_gpt_mxr_allows_load_from_exec_only(void **state)
{
	(void)state;
	struct guest g = guest_new(SATP_MODE_SV39);
	guest_map(&g, 0x1000, 0, 0x5000, LEAF | PTE_X);
	guest_map(&g, 0x2000, 0, 0x6000, LEAF | PTE_X | PTE_U);
	struct gpt_walk_res res;
	struct gpt_walk_req r = req_make(&g, 0x1000, GPT_LOAD, true);
	r.mxr = true;
	assert_int_equal(walk(&r, &res), GPT_WALK_OK);
	/* MXR works in U-mode too. */
	r = req_make(&g, 0x2000, GPT_LOAD, false);
	r.mxr = true;
	assert_int_equal(walk(&r, &res), GPT_WALK_OK);
	assert_int_equal(res.gpa, 0x6000);
}

static void test_gpt_exec_only_load_without_mxr_faults(void **state)
{
	(void)state;
	struct guest g = guest_new(SATP_MODE_SV39);
	guest_map(&g, 0x1000, 0, 0x5000, LEAF | PTE_X);
	struct gpt_walk_res res;
	struct gpt_walk_req r = req_make(&g, 0x1000, GPT_LOAD, true);
	assert_int_equal(walk(&r, &res), GPT_WALK_FAULT);
	assert_int_equal(res.cause, EXC_LOAD_PAGE_FAULT);
	r.access = GPT_FETCH;
	assert_int_equal(walk(&r, &res), GPT_WALK_OK);
}

static void test_gpt_mxr_never_allows_store(void **state)
{
	(void)state;
	struct guest g = guest_new(SATP_MODE_SV39);
	guest_map(&g, 0x1000, 0, 0x5000, LEAF | PTE_X);
	guest_map(&g, 0x2000, 0, 0x6000, LEAF | PTE_R | PTE_X);
	for (uint64_t va = 0x1000; va <= 0x2000; va += 0x1000) {
		struct gpt_walk_res res;
		struct gpt_walk_req r = req_make(&g, va, GPT_STORE, true);
		r.mxr = true;
		assert_int_equal(walk(&r, &res), GPT_WALK_FAULT);
		assert_int_equal(res.cause, EXC_STORE_PAGE_FAULT);
	}
}

static void test_gpt_mxr_with_sum_reads_user_exec_only(void **state)
{
	(void)state;
	struct guest g = guest_new(SATP_MODE_SV39);
	guest_map(&g, 0x1000, 0, 0x5000, LEAF | PTE_X | PTE_U);
	struct gpt_walk_res res;
	struct gpt_walk_req r = req_make(&g, 0x1000, GPT_LOAD, true);
	r.mxr = true;
	assert_int_equal(walk(&r, &res), GPT_WALK_FAULT);  /* SUM = 0 */
	r.sum = true;
	assert_int_equal(walk(&r, &res), GPT_WALK_OK);
	r.mxr = false;
	assert_int_equal(walk(&r, &res), GPT_WALK_FAULT);  /* X alone does not read */
}

static void test_gpt_store_to_read_only_faults(void **state)
{
	(void)state;
	struct guest g = guest_new(SATP_MODE_SV39);
	uint64_t slot = guest_map(&g, 0x1000, 0, 0x5000, PTE_V | PTE_R | PTE_X);
	struct gpt_walk_res res;
	struct gpt_walk_req r = req_make(&g, 0x1000, GPT_STORE, true);
	assert_int_equal(walk(&r, &res), GPT_WALK_FAULT);
	assert_int_equal(res.cause, EXC_STORE_PAGE_FAULT);
	assert_int_equal(ram_get(slot), pte_make(0x5000, PTE_V | PTE_R | PTE_X));
}

static void test_gpt_fetch_from_non_x_faults(void **state)
{
	(void)state;
	struct guest g = guest_new(SATP_MODE_SV39);
	guest_map(&g, 0x1000, 0, 0x5000, LEAF | PTE_R | PTE_W);
	guest_map(&g, 0x2000, 0, 0x6000, LEAF | PTE_R | PTE_W | PTE_U);
	struct gpt_walk_res res;
	struct gpt_walk_req r = req_make(&g, 0x1000, GPT_FETCH, true);
	assert_int_equal(walk(&r, &res), GPT_WALK_FAULT);
	assert_int_equal(res.cause, EXC_INST_PAGE_FAULT);
	r = req_make(&g, 0x2000, GPT_FETCH, false);
	assert_int_equal(walk(&r, &res), GPT_WALK_FAULT);
	assert_int_equal(res.cause, EXC_INST_PAGE_FAULT);
}

/* --- accessed and dirty bits --------------------------------------------- */

static void check_ad_after(enum gpt_access access, uint64_t expect_set)
{
	struct guest g = guest_new(SATP_MODE_SV39);
	uint64_t slot = guest_map(&g, 0x1000, 0, 0x5000, PTE_V | RWX);
	struct gpt_walk_res res;
	struct gpt_walk_req r = req_make(&g, 0x1000, access, true);

	assert_int_equal(walk(&r, &res), GPT_WALK_OK);
	assert_int_equal(ram_get(slot), pte_make(0x5000, PTE_V | RWX | expect_set));
	assert_int_equal(res.pte, ram_get(slot));
	assert_int_equal(cas_calls, 1);
}

static void test_gpt_load_sets_a_only(void **state)
{
	(void)state;
	check_ad_after(GPT_LOAD, PTE_A);
}

static void test_gpt_fetch_sets_a_only(void **state)
{
	(void)state;
	check_ad_after(GPT_FETCH, PTE_A);
}

static void test_gpt_store_sets_a_and_d(void **state)
{
	(void)state;
	check_ad_after(GPT_STORE, PTE_A | PTE_D);
}

static void test_gpt_store_after_load_sets_d(void **state)
{
	(void)state;
	struct guest g = guest_new(SATP_MODE_SV39);
	uint64_t slot = guest_map(&g, 0x200000, 1, 0x400000, PTE_V | PTE_R | PTE_W);
	struct gpt_walk_res res;
	struct gpt_walk_req r = req_make(&g, 0x200000, GPT_LOAD, true);

	assert_int_equal(walk(&r, &res), GPT_WALK_OK);
	assert_int_equal(ram_get(slot) & (PTE_A | PTE_D), PTE_A);
	r.access = GPT_STORE;
	assert_int_equal(walk(&r, &res), GPT_WALK_OK);
	assert_int_equal(ram_get(slot) & (PTE_A | PTE_D), PTE_A | PTE_D);
	assert_int_equal(cas_calls, 2);
	assert_int_equal(res.level, 1);
}

static void test_gpt_ad_already_set_writes_nothing(void **state)
{
	(void)state;
	struct guest g = guest_new(SATP_MODE_SV39);
	guest_map(&g, 0x1000, 0, 0x5000, LEAF | RWX);
	guest_map(&g, 0x2000, 0, 0x6000, PTE_V | PTE_A | RWX);  /* A, no D */
	for (unsigned i = 0; i < 3; i++) {
		struct gpt_walk_res res;
		struct gpt_walk_req r = req_make(&g, 0x1000, accesses[i], true);
		assert_int_equal(walk(&r, &res), GPT_WALK_OK);
	}
	struct gpt_walk_res res;
	struct gpt_walk_req r = req_make(&g, 0x2000, GPT_LOAD, true);
	assert_int_equal(walk(&r, &res), GPT_WALK_OK);
	assert_int_equal(cas_calls, 0);
}

static void test_gpt_faulting_access_sets_nothing(void **state)
{
	(void)state;
	struct guest g = guest_new(SATP_MODE_SV39);
	uint64_t ro = guest_map(&g, 0x1000, 0, 0x5000, PTE_V | PTE_R);
	uint64_t up = guest_map(&g, 0x2000, 0, 0x6000, PTE_V | RWX | PTE_U);
	uint64_t mis = guest_map(&g, 0x200000, 1, 0x1000, PTE_V | RWX);
	struct gpt_walk_res res;
	struct gpt_walk_req r = req_make(&g, 0x1000, GPT_STORE, true);

	assert_int_equal(walk(&r, &res), GPT_WALK_FAULT);     /* read-only */
	r = req_make(&g, 0x2000, GPT_LOAD, true);
	assert_int_equal(walk(&r, &res), GPT_WALK_FAULT);     /* U page, SUM 0 */
	r = req_make(&g, 0x200000, GPT_LOAD, true);
	assert_int_equal(walk(&r, &res), GPT_WALK_FAULT);     /* misaligned */
	assert_int_equal(cas_calls, 0);
	assert_int_equal(ram_get(ro), pte_make(0x5000, PTE_V | PTE_R));
	assert_int_equal(ram_get(up), pte_make(0x6000, PTE_V | RWX | PTE_U));
	assert_int_equal(ram_get(mis), pte_make(0x1000, PTE_V | RWX));
}

static void test_gpt_update_ad_false_sets_nothing(void **state)
{
	(void)state;
	struct guest g = guest_new(SATP_MODE_SV39);
	uint64_t slot = guest_map(&g, 0x1000, 0, 0x5000, PTE_V | RWX);
	for (unsigned i = 0; i < 3; i++) {
		struct gpt_walk_res res;
		struct gpt_walk_req r = req_make(&g, 0x1234, accesses[i], true);
		r.update_ad = false;
		assert_int_equal(walk(&r, &res), GPT_WALK_OK);
		assert_int_equal(res.gpa, 0x5234);
		assert_int_equal(res.pte, pte_make(0x5000, PTE_V | RWX));
	}
	assert_int_equal(cas_calls, 0);
	assert_int_equal(ram_get(slot), pte_make(0x5000, PTE_V | RWX));
}

/* --- memory faults ------------------------------------------------------- */

static void test_gpt_root_outside_ram_page_fault(void **state)
{
	(void)state;
	/* QEMU 7.2: a failed bus read of a PTE is TRANSLATE_FAIL, i.e. a
	 * page fault, not the access fault 4.3.2 step 2 describes. */
	struct guest g = { (SATP_MODE_SV39 << SATP_MODE_SHIFT) | 0x10, 0x10000, 3 };
	for (unsigned i = 0; i < 3; i++) {
		struct gpt_walk_res res;
		struct gpt_walk_req r = req_make(&g, 0x1000, accesses[i], true);
		assert_int_equal(walk(&r, &res), GPT_WALK_FAULT);
		assert_int_equal(res.cause, page_faults[i]);
		assert_int_equal(res.pte_gpa, 0x10000);
		assert_int_equal(res.level, 2);
	}
}

static void test_gpt_pte_outside_ram_page_fault(void **state)
{
	(void)state;
	struct guest g = guest_new(SATP_MODE_SV39);
	guest_map(&g, 0x1000, 0, 0x5000, LEAF | RWX);
	uint64_t slot = guest_slot(&g, 0x1000, 1);
	/* The level-1 pointer sends the walk to a hole (no RAM at 0x1000_0000). */
	ram_set(slot, pte_make(0x10000000, PTE_V));
	assert_page_faults(&g, 0x1000, true);
	assert_page_faults(&g, 0x1000, false);
}

static void test_gpt_pte_denied_by_pmp_access_fault(void **state)
{
	(void)state;
	struct guest g = guest_new(SATP_MODE_SV39);
	guest_map(&g, 0x1000, 0, 0x5000, LEAF | RWX);
	uint64_t leaf_table = guest_slot(&g, 0x1000, 0) & ~0xfffULL;
	deny_lo = leaf_table;
	deny_hi = leaf_table + 0x1000;
	for (unsigned i = 0; i < 3; i++) {
		struct gpt_walk_res res;
		struct gpt_walk_req r = req_make(&g, 0x1000, accesses[i], true);
		assert_int_equal(walk(&r, &res), GPT_WALK_FAULT);
		assert_int_equal(res.cause, access_faults[i]);
		assert_int_equal(res.level, 0);
	}
	assert_int_equal(cas_calls, 0);
}

static void test_gpt_pte_allowed_optional(void **state)
{
	(void)state;
	const struct gpt_mem no_pmp = { NULL, fake_read_pte, fake_cas_pte, NULL };
	struct guest g = guest_new(SATP_MODE_SV39);
	guest_map(&g, 0x1000, 0, 0x5000, LEAF | RWX);
	struct gpt_walk_res res;
	struct gpt_walk_req r = req_make(&g, 0x1000, GPT_LOAD, true);
	assert_int_equal(gpt_walk(&no_pmp, &r, &res), GPT_WALK_OK);
	assert_int_equal(res.gpa, 0x5000);
}

/* --- A/D compare-and-swap races ------------------------------------------ */

static void test_gpt_cas_race_rereads_same_pte(void **state)
{
	(void)state;
	/* Another hart sets G between our read and our CAS. QEMU 7.2's
	 * "goto restart" keeps base and ptshift, so it reads the same leaf
	 * again (4.3.2 step 7: "return to step 2"), not the root. */
	struct guest g = guest_new(SATP_MODE_SV39);
	uint64_t slot = guest_map(&g, 0x1000, 0, 0x5000, PTE_V | RWX);
	race_left = 1;
	race_xor = PTE_G;
	struct gpt_walk_res res;
	struct gpt_walk_req r = req_make(&g, 0x1000, GPT_STORE, true);

	assert_int_equal(walk(&r, &res), GPT_WALK_OK);
	assert_int_equal(res.retries, 1);
	assert_int_equal(cas_calls, 2);
	/* 3 walk reads + 1 check after the failed CAS + 1 re-read of the leaf. */
	assert_int_equal(reads, 5);
	assert_int_equal(ram_get(slot), pte_make(0x5000, PTE_V | RWX | PTE_G | PTE_A | PTE_D));
	assert_int_equal(res.pte, ram_get(slot));
	assert_int_equal(res.pte_gpa, slot);
}

static void test_gpt_cas_race_pte_now_invalid_faults(void **state)
{
	(void)state;
	struct guest g = guest_new(SATP_MODE_SV39);
	uint64_t slot = guest_map(&g, 0x1000, 0, 0x5000, PTE_V | RWX);
	race_left = 1;
	race_xor = PTE_V;   /* the other hart unmaps it */
	struct gpt_walk_res res;
	struct gpt_walk_req r = req_make(&g, 0x1000, GPT_LOAD, true);

	assert_int_equal(walk(&r, &res), GPT_WALK_FAULT);
	assert_int_equal(res.cause, EXC_LOAD_PAGE_FAULT);
	assert_int_equal(ram_get(slot), pte_make(0x5000, RWX));
}

static void test_gpt_cas_race_now_read_only_store_faults(void **state)
{
	(void)state;
	struct guest g = guest_new(SATP_MODE_SV39);
	guest_map(&g, 0x1000, 0, 0x5000, PTE_V | PTE_R | PTE_W);
	race_left = 1;
	race_xor = PTE_W;   /* write-protected under our feet (copy-on-write) */
	struct gpt_walk_res res;
	struct gpt_walk_req r = req_make(&g, 0x1000, GPT_STORE, true);
	assert_int_equal(walk(&r, &res), GPT_WALK_FAULT);
	assert_int_equal(res.cause, EXC_STORE_PAGE_FAULT);
	assert_int_equal(res.retries, 1);
}

static void test_gpt_cas_race_leaf_now_pointer_walks_down(void **state)
{
	(void)state;
	/* A 2 MiB leaf is split into a table by another hart: the re-read
	 * finds a pointer at level 1 and the walk goes on to level 0. */
	struct guest g = guest_new(SATP_MODE_SV39);
	uint64_t slot = guest_map(&g, 0x200000, 1, 0x400000, PTE_V | RWX);
	uint64_t table = ram_alloc();
	ram_set(table + pt_index(0x203000, 0) * 8, pte_make(0x7000, LEAF | RWX));
	race_left = 1;
	race_set = pte_make(table, PTE_V);
	struct gpt_walk_res res;
	struct gpt_walk_req r = req_make(&g, 0x203008, GPT_LOAD, true);

	assert_int_equal(walk(&r, &res), GPT_WALK_OK);
	assert_int_equal(res.level, 0);
	assert_int_equal(res.gpa, 0x7008);
	assert_int_equal(ram_get(slot), pte_make(table, PTE_V));
}

static void test_gpt_cas_unwritable_pte_page_fault(void **state)
{
	(void)state;
	/* QEMU 7.2: A/D must be set but the PTE is not in RAM (ROM/IO):
	 * TRANSLATE_FAIL, a page fault. */
	struct guest g = guest_new(SATP_MODE_SV39);
	uint64_t slot = guest_map(&g, 0x1000, 0, 0x5000, PTE_V | RWX);
	rom_lo = slot & ~0xfffULL;
	rom_hi = rom_lo + 0x1000;
	for (unsigned i = 0; i < 3; i++) {
		struct gpt_walk_res res;
		struct gpt_walk_req r = req_make(&g, 0x1000, accesses[i], true);
		assert_int_equal(walk(&r, &res), GPT_WALK_FAULT);
		assert_int_equal(res.cause, page_faults[i]);
		assert_int_equal(res.retries, 0);
	}
	/* With A/D already set nothing needs writing: it translates. */
	ram_set(slot, ram_get(slot) | PTE_A | PTE_D);
	struct gpt_walk_res res;
	struct gpt_walk_req r = req_make(&g, 0x1000, GPT_STORE, true);
	assert_int_equal(walk(&r, &res), GPT_WALK_OK);
}

static void test_gpt_cas_livelock_returns_retry(void **state)
{
	(void)state;
	struct guest g = guest_new(SATP_MODE_SV39);
	guest_map(&g, 0x1000, 0, 0x5000, PTE_V | RWX);
	race_left = 1000;
	race_xor = PTE_G;
	struct gpt_walk_res res;
	struct gpt_walk_req r = req_make(&g, 0x1000, GPT_LOAD, true);

	assert_int_equal(walk(&r, &res), GPT_WALK_RETRY);
	assert_int_equal(res.cause, 0);
	assert_int_equal(res.retries, GPT_WALK_MAX_RETRIES);
	assert_int_equal(cas_calls, GPT_WALK_MAX_RETRIES + 1);
	assert_true(reads <= 3 + 2 * (GPT_WALK_MAX_RETRIES + 1));
}

/* --- results and termination --------------------------------------------- */

static void test_gpt_page_base_and_size_sv57_256t(void **state)
{
	(void)state;
	struct guest g = guest_new(SATP_MODE_SV57);
	uint64_t va = 0xff00000000000000ULL;     /* root index 256: top half */
	guest_map(&g, va, 4, 1ULL << 48, LEAF | PTE_R);
	struct gpt_walk_res res;
	struct gpt_walk_req r = req_make(&g, va + 0x123456789abcULL, GPT_LOAD, true);

	assert_int_equal(walk(&r, &res), GPT_WALK_OK);
	assert_int_equal(res.level, 4);
	assert_int_equal(res.page_size, 1ULL << 48);
	assert_int_equal(res.page_base_va, va);
	assert_int_equal(res.gpa, (1ULL << 48) + 0x123456789abcULL);
	assert_int_equal(reads, 1);
}

static void test_gpt_superpage_offset_comes_from_va(void **state)
{
	(void)state;
	struct guest g = guest_new(SATP_MODE_SV48);
	guest_map(&g, 0x8000000000ULL, 3, 0x10000000000ULL, LEAF | PTE_R); /* 512 GiB */
	struct gpt_walk_res res;
	struct gpt_walk_req r = req_make(&g, 0x8000000000ULL + 0x7fedcba987ULL, GPT_LOAD, true);

	assert_int_equal(walk(&r, &res), GPT_WALK_OK);
	assert_int_equal(res.level, 3);
	assert_int_equal(res.gpa, 0x10000000000ULL + 0x7fedcba987ULL);
	assert_int_equal(res.page_base_va, 0x8000000000ULL);
	assert_int_equal(res.page_size, 1ULL << 39);
}

static void test_gpt_self_referencing_table_terminates(void **state)
{
	(void)state;
	/* Every entry of the root points at the root itself: the walk stops
	 * after `levels` reads with a non-leaf at level 0. */
	struct guest g = guest_new(SATP_MODE_SV57);
	for (unsigned i = 0; i < PT_ENTRIES; i++)
		ram_set(g.root + i * 8, pte_make(g.root, PTE_V));
	struct gpt_walk_res res;
	struct gpt_walk_req r = req_make(&g, 0x123456789000ULL, GPT_FETCH, true);

	assert_int_equal(walk(&r, &res), GPT_WALK_FAULT);
	assert_int_equal(res.cause, EXC_INST_PAGE_FAULT);
	assert_int_equal(reads, 5);
}

static void test_gpt_fault_reports_last_pte(void **state)
{
	(void)state;
	struct guest g = guest_new(SATP_MODE_SV39);
	uint64_t slot = guest_map(&g, 0x1000, 0, 0x5000, PTE_V | PTE_R);
	struct gpt_walk_res res;
	struct gpt_walk_req r = req_make(&g, 0x1000, GPT_STORE, true);

	assert_int_equal(walk(&r, &res), GPT_WALK_FAULT);
	assert_int_equal(res.pte_gpa, slot);
	assert_int_equal(res.pte, ram_get(slot));
	assert_int_equal(res.level, 0);
	assert_int_equal(res.gpa, 0);
	assert_int_equal(res.page_size, 0);
}

/* --- gpt_leaf_allows ----------------------------------------------------- */

static void test_gpt_leaf_allows_table(void **state)
{
	(void)state;
	static const struct {
		uint64_t pte;
		enum gpt_access access;
		bool priv_s, sum, mxr, allowed;
	} cases[] = {
		{ PTE_V | PTE_R,         GPT_LOAD,  true,  false, false, true },
		{ PTE_V | PTE_R,         GPT_STORE, true,  false, false, false },
		{ PTE_V | PTE_R,         GPT_FETCH, true,  false, false, false },
		{ PTE_V | PTE_R | PTE_W, GPT_STORE, true,  false, false, true },
		{ PTE_V | PTE_X,         GPT_LOAD,  true,  false, true,  true },
		{ PTE_V | PTE_X,         GPT_LOAD,  true,  false, false, false },
		{ PTE_V | PTE_X,         GPT_FETCH, true,  false, false, true },
		{ PTE_V | PTE_W,         GPT_STORE, true,  false, false, false },
		{ PTE_V | PTE_W | PTE_X, GPT_FETCH, true,  false, false, false },
		{ PTE_V,                 GPT_LOAD,  true,  false, false, false },
		{ PTE_R | PTE_W | PTE_X, GPT_LOAD,  true,  false, false, false },
		{ PTE_V | PTE_R | PTE_U, GPT_LOAD,  true,  false, false, false },
		{ PTE_V | PTE_R | PTE_U, GPT_LOAD,  true,  true,  false, true },
		{ PTE_V | PTE_X | PTE_U, GPT_FETCH, true,  true,  true,  false },
		{ PTE_V | PTE_X | PTE_U, GPT_FETCH, false, false, false, true },
		{ PTE_V | PTE_R,         GPT_LOAD,  false, true,  true,  false },
		{ PTE_V | PTE_R | (1ULL << 61), GPT_LOAD, true, false, false, false },
		{ PTE_V | PTE_R | (1ULL << 54), GPT_LOAD, true, false, false, false },
		{ PTE_V | PTE_R | (3ULL << 8) | PTE_G, GPT_LOAD, true, false, false, true },
	};
	for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_int_equal(gpt_leaf_allows(cases[i].pte, cases[i].access,
						 cases[i].priv_s, cases[i].sum,
						 cases[i].mxr),
				 cases[i].allowed);
}

static void test_gpt_leaf_allows_ignores_a_d_and_ppn(void **state)
{
	(void)state;
	for (uint64_t ad = 0; ad < 4; ad++) {
		uint64_t pte = pte_make(0xfffffffffff000ULL, PTE_V | RWX | (ad << 6));
		for (unsigned i = 0; i < 3; i++)
			assert_true(gpt_leaf_allows(pte, accesses[i], true, false, false));
	}
}

static void test_gpt_leaf_allows_matches_walk(void **state)
{
	(void)state;
	/* Every low-byte flag combination, every access, privilege, SUM and
	 * MXR: a 4 KiB walk succeeds exactly when gpt_leaf_allows says so. */
	struct guest g = guest_new(SATP_MODE_SV39);
	uint64_t slot = guest_map(&g, 0x1000, 0, 0x5000, 0);
	for (uint64_t flags = 0; flags < 256; flags++) {
		for (unsigned k = 0; k < 24; k++) {
			enum gpt_access a = accesses[k % 3];
			bool s = k & 4, sum = k & 8, mxr = k & 16;
			struct gpt_walk_res res;
			struct gpt_walk_req r = req_make(&g, 0x1000, a, s);
			r.sum = sum;
			r.mxr = mxr;
			r.update_ad = false;
			ram_set(slot, pte_make(0x5000, flags));
			int ret = walk(&r, &res);
			bool leaf = flags & RWX;
			bool expect = leaf && gpt_leaf_allows(ram_get(slot), a, s, sum, mxr);
			assert_int_equal(ret, expect ? GPT_WALK_OK : GPT_WALK_FAULT);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_gpt_bare_identity, setup),
		cmocka_unit_test_setup(test_gpt_bare_never_faults, setup),
		cmocka_unit_test_setup(test_gpt_sv39_every_page_size, setup),
		cmocka_unit_test_setup(test_gpt_sv48_every_page_size, setup),
		cmocka_unit_test_setup(test_gpt_sv57_every_page_size, setup),
		cmocka_unit_test_setup(test_gpt_sv39_4k_reads_three_ptes, setup),
		cmocka_unit_test_setup(test_gpt_satp_asid_ignored, setup),
		cmocka_unit_test_setup(test_gpt_unsupported_satp_mode_faults, setup),
		cmocka_unit_test_setup(test_gpt_sv39_noncanonical_va_faults, setup),
		cmocka_unit_test_setup(test_gpt_sv48_noncanonical_va_faults, setup),
		cmocka_unit_test_setup(test_gpt_sv57_noncanonical_va_faults, setup),
		cmocka_unit_test_setup(test_gpt_sv39_invalid_pte_each_level, setup),
		cmocka_unit_test_setup(test_gpt_sv48_invalid_pte_each_level, setup),
		cmocka_unit_test_setup(test_gpt_sv57_invalid_pte_each_level, setup),
		cmocka_unit_test_setup(test_gpt_write_only_leaf_reserved, setup),
		cmocka_unit_test_setup(test_gpt_write_exec_leaf_reserved, setup),
		cmocka_unit_test_setup(test_gpt_nonleaf_at_last_level_faults, setup),
		cmocka_unit_test_setup(test_gpt_nonleaf_with_a_d_u_faults, setup),
		cmocka_unit_test_setup(test_gpt_nonleaf_global_and_rsw_ok, setup),
		cmocka_unit_test_setup(test_gpt_reserved_high_bits_leaf, setup),
		cmocka_unit_test_setup(test_gpt_reserved_high_bits_nonleaf, setup),
		cmocka_unit_test_setup(test_gpt_napot_4k_leaf_faults, setup),
		cmocka_unit_test_setup(test_gpt_misaligned_2m_superpage, setup),
		cmocka_unit_test_setup(test_gpt_misaligned_1g_superpage, setup),
		cmocka_unit_test_setup(test_gpt_u_page_from_s_without_sum_faults, setup),
		cmocka_unit_test_setup(test_gpt_u_page_from_s_with_sum_loads_and_stores, setup),
		cmocka_unit_test_setup(test_gpt_u_page_fetch_from_s_faults_even_with_sum, setup),
		cmocka_unit_test_setup(test_gpt_s_page_from_u_faults, setup),
		cmocka_unit_test_setup(test_gpt_u_page_from_u_ok, setup),
		cmocka_unit_test_setup(test_gpt_mxr_allows_load_from_exec_only, setup),
		cmocka_unit_test_setup(test_gpt_exec_only_load_without_mxr_faults, setup),
		cmocka_unit_test_setup(test_gpt_mxr_never_allows_store, setup),
		cmocka_unit_test_setup(test_gpt_mxr_with_sum_reads_user_exec_only, setup),
		cmocka_unit_test_setup(test_gpt_store_to_read_only_faults, setup),
		cmocka_unit_test_setup(test_gpt_fetch_from_non_x_faults, setup),
		cmocka_unit_test_setup(test_gpt_load_sets_a_only, setup),
		cmocka_unit_test_setup(test_gpt_fetch_sets_a_only, setup),
		cmocka_unit_test_setup(test_gpt_store_sets_a_and_d, setup),
		cmocka_unit_test_setup(test_gpt_store_after_load_sets_d, setup),
		cmocka_unit_test_setup(test_gpt_ad_already_set_writes_nothing, setup),
		cmocka_unit_test_setup(test_gpt_faulting_access_sets_nothing, setup),
		cmocka_unit_test_setup(test_gpt_update_ad_false_sets_nothing, setup),
		cmocka_unit_test_setup(test_gpt_root_outside_ram_page_fault, setup),
		cmocka_unit_test_setup(test_gpt_pte_outside_ram_page_fault, setup),
		cmocka_unit_test_setup(test_gpt_pte_denied_by_pmp_access_fault, setup),
		cmocka_unit_test_setup(test_gpt_pte_allowed_optional, setup),
		cmocka_unit_test_setup(test_gpt_cas_race_rereads_same_pte, setup),
		cmocka_unit_test_setup(test_gpt_cas_race_pte_now_invalid_faults, setup),
		cmocka_unit_test_setup(test_gpt_cas_race_now_read_only_store_faults, setup),
		cmocka_unit_test_setup(test_gpt_cas_race_leaf_now_pointer_walks_down, setup),
		cmocka_unit_test_setup(test_gpt_cas_unwritable_pte_page_fault, setup),
		cmocka_unit_test_setup(test_gpt_cas_livelock_returns_retry, setup),
		cmocka_unit_test_setup(test_gpt_page_base_and_size_sv57_256t, setup),
		cmocka_unit_test_setup(test_gpt_superpage_offset_comes_from_va, setup),
		cmocka_unit_test_setup(test_gpt_self_referencing_table_terminates, setup),
		cmocka_unit_test_setup(test_gpt_fault_reports_last_pte, setup),
		cmocka_unit_test_setup(test_gpt_leaf_allows_table, setup),
		cmocka_unit_test_setup(test_gpt_leaf_allows_ignores_a_d_and_ppn, setup),
		cmocka_unit_test_setup(test_gpt_leaf_allows_matches_walk, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
