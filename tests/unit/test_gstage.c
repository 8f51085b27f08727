/*
 * G-stage tables (Sv39x4) over host memory, checked against a TLB model.
 *
 * Host pages stand for physical ones (hostmem_virt_offset = 0), taken from
 * one aligned_alloc arena so that freed tables are reused at once (LIFO)
 * and, while free, hold valid-looking leaves to POISON_HPA: a walk through
 * a stale pointer to a freed table then yields a wrong translation.
 *
 * The TLB model is what a hart may cache (Privileged ISA v1.12, "Virtual
 * Address Translation Process" with the Sv39x4 changes of "Guest Physical
 * Address Translation", and "Supervisor Memory-Management Fence
 * Instruction"): leaf translations per (VMID, 4 KiB GPA page), superpages
 * splintered into pages, and non-leaf PTEs (a walk cache). It is filled by
 * walking the tables as hardware does, and emptied only by the fences
 * gstage asks for: an address fence drops leaf entries of its range, only
 * an "all" fence drops walk-cache entries. Right after each fence the
 * model walks the fenced range again, as another hart may. The invariant:
 * a translation the model gives is one the current tables give (same HPA,
 * permissions a subset; a stale subset only faults).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "arch/riscv/gstage.h"
#include "arch/riscv/pgtable.h"
#include "core/hostmem.h"
#include "core/realmap.h"

const uint64_t hostmem_virt_offset = 0;

#define PAGE            4096ULL
#define MB              (1ULL << 20)
#define GB              (1ULL << 30)
#define RWX             (PTE_R | PTE_W | PTE_X)
#define POISON_HPA      0x7f00000000000ULL      /* 1 GiB aligned, < 2^56 */

/* ---- host memory: the arena -------------------------------------------- */

#define ARENA_PAGES     4096
enum { PG_FREE, PG_TABLE, PG_ROOT };

static uint8_t *arena;
static uint8_t pg_state[ARENA_PAGES];
static unsigned free_stack[ARENA_PAGES * 2];
static unsigned nfree;
static int live_pages;
static int budget;              /* allocations left; < 0: unlimited */

static uint64_t arena_pa(unsigned i)
{
	return hostmem_pa(arena + (uint64_t)i * PAGE);
}

static int arena_index(uint64_t pa)
{
	uint64_t base = arena_pa(0);

	if (pa < base || pa >= base + ARENA_PAGES * PAGE || (pa & (PAGE - 1)))
		return -1;
	return (int)((pa - base) / PAGE);
}

static void poison(unsigned i)
{
	uint64_t *t = hostmem_va(arena_pa(i));

	for (unsigned k = 0; k < PT_ENTRIES; k++)
		t[k] = pte_make(POISON_HPA + k * GB, PTE_V | RWX | PTE_U | PTE_A | PTE_D);
}

static void arena_reset(void)
{
	if (!arena)
		arena = aligned_alloc(GSTAGE_ROOT_SIZE, ARENA_PAGES * PAGE);
	assert_non_null(arena);
	nfree = 0;
	for (unsigned i = ARENA_PAGES; i-- > 0; ) {
		pg_state[i] = PG_FREE;
		poison(i);
		free_stack[nfree++] = i;
	}
	live_pages = 0;
	budget = -1;
}

static void mark_free(unsigned i)
{
	assert_int_not_equal(pg_state[i], PG_FREE);
	pg_state[i] = PG_FREE;
	poison(i);
	assert_true(nfree < ARENA_PAGES * 2);
	free_stack[nfree++] = i;
	live_pages--;
}

static uint64_t *t_table(void *ctx, uint64_t pa)
{
	(void)ctx;
	int i = arena_index(pa);
	assert_true(i >= 0);
	assert_int_not_equal(pg_state[i], PG_FREE);    /* gstage never touches a freed page */
	return hostmem_va(pa);
}

static uint64_t t_alloc(void *ctx)
{
	(void)ctx;
	if (budget == 0)
		return 0;
	while (nfree) {
		unsigned i = free_stack[--nfree];
		if (pg_state[i] != PG_FREE)
			continue;       /* taken by a root since it was freed */
		pg_state[i] = PG_TABLE;
		memset(hostmem_va(arena_pa(i)), 0, PAGE);
		live_pages++;
		budget -= budget > 0;
		return arena_pa(i);
	}
	return 0;
}

static void t_free(void *ctx, uint64_t pa)
{
	(void)ctx;
	int i = arena_index(pa);
	assert_true(i >= 0);
	assert_int_equal(pg_state[i], PG_TABLE);
	mark_free((unsigned)i);
}

static uint64_t t_alloc_root(void *ctx)
{
	(void)ctx;
	if (budget == 0)
		return 0;
	for (unsigned i = 0; i < ARENA_PAGES; i += GSTAGE_ROOT_PAGES) {
		unsigned k;
		for (k = 0; k < GSTAGE_ROOT_PAGES && pg_state[i + k] == PG_FREE; k++)
			;
		if (k < GSTAGE_ROOT_PAGES)
			continue;
		for (k = 0; k < GSTAGE_ROOT_PAGES; k++) {
			pg_state[i + k] = PG_ROOT;
			memset(hostmem_va(arena_pa(i + k)), 0, PAGE);
		}
		live_pages += GSTAGE_ROOT_PAGES;
		budget -= budget > 0;
		return arena_pa(i);
	}
	return 0;
}

static void t_free_root(void *ctx, uint64_t pa)
{
	(void)ctx;
	int i = arena_index(pa);
	assert_true(i >= 0 && i % GSTAGE_ROOT_PAGES == 0);
	for (unsigned k = 0; k < GSTAGE_ROOT_PAGES; k++) {
		assert_int_equal(pg_state[i + k], PG_ROOT);
		mark_free((unsigned)i + k);
	}
}

static const struct gstage_mem tmem = {
	.pt = { NULL, t_table, t_alloc, t_free },
	.alloc_root = t_alloc_root,
	.free_root = t_free_root,
};

/* ---- the TLB model --------------------------------------------------------- */

#define TLB_LEAVES  512
#define TLB_WALKS   64

struct tlb_leaf {
	bool valid;
	unsigned vmid;
	uint64_t page;          /* GPA >> 12 */
	uint64_t hpa;           /* of the page */
	uint64_t perms;
};

struct tlb_walk {
	bool valid;
	unsigned vmid;
	unsigned level;         /* of the non-leaf PTE */
	uint64_t tag;           /* GPA >> (12 + 9 * level) */
	uint64_t next;          /* the table it points to */
};

static struct tlb_leaf leaves[TLB_LEAVES];
static struct tlb_walk walks[TLB_WALKS];
static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static uint64_t rnd(void)
{
	/* xorshift64*: deterministic for a given seed. */
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 0x2545f4914f6cdd1dULL;
}

struct tvm {
	struct gstage g;
	unsigned vmid;
	bool running;           /* harts may walk its tables at any time */
	unsigned fences, fences_all;
	uint64_t fence_gpa, fence_size;
	bool fence_saw_mapped;  /* the fenced GPA was still mapped at the fence */
};

struct xlat {
	bool ok;
	uint64_t hpa;
	uint64_t perms;
	unsigned level;
};

static uint64_t phys_read(uint64_t pa)
{
	int i = arena_index(pa & ~(PAGE - 1));

	if (i < 0)
		fail_msg("walk left table memory at 0x%llx", (unsigned long long)pa);
	return *(uint64_t *)hostmem_va(pa);
}

static void cache_leaf(unsigned vmid, uint64_t page, uint64_t hpa, uint64_t perms)
{
	unsigned slot = TLB_LEAVES;

	for (unsigned i = 0; i < TLB_LEAVES && slot == TLB_LEAVES; i++)
		if (!leaves[i].valid)
			slot = i;
	if (slot == TLB_LEAVES)
		slot = (unsigned)(rnd() % TLB_LEAVES);      /* eviction is always allowed */
	leaves[slot] = (struct tlb_leaf){ true, vmid, page, hpa, perms };
}

static void cache_walk(unsigned vmid, unsigned level, uint64_t tag, uint64_t next)
{
	unsigned slot = TLB_WALKS;

	for (unsigned i = 0; i < TLB_WALKS; i++)
		if (walks[i].valid && walks[i].vmid == vmid && walks[i].level == level && walks[i].tag == tag)
			return;
	for (unsigned i = 0; i < TLB_WALKS && slot == TLB_WALKS; i++)
		if (!walks[i].valid)
			slot = i;
	if (slot == TLB_WALKS)
		slot = (unsigned)(rnd() % TLB_WALKS);
	walks[slot] = (struct tlb_walk){ true, vmid, level, tag, next };
}

static const struct tlb_walk *find_walk(unsigned vmid, unsigned level, uint64_t gpa)
{
	for (unsigned i = 0; i < TLB_WALKS; i++)
		if (walks[i].valid && walks[i].vmid == vmid && walks[i].level == level &&
		    walks[i].tag == gpa >> (12 + 9 * level))
			return &walks[i];
	return NULL;
}

/*
 * Translate gpa as a hart does with hgatp: cached uses and fills the model
 * (a hart), !cached reads only the tables (the truth).
 */
static struct xlat walk(uint64_t hgatp, unsigned vmid, uint64_t gpa, bool cached)
{
	struct xlat x = { 0 };

	assert_int_equal(hgatp >> HGATP_MODE_SHIFT, HGATP_MODE_SV39X4);
	/* "Address bits 63:41 must all be zeros, or else a guest-page-fault
	 * exception occurs." */
	if (gpa >> GSTAGE_GPA_BITS)
		return x;
	if (cached)
		for (unsigned i = 0; i < TLB_LEAVES; i++)
			if (leaves[i].valid && leaves[i].vmid == vmid && leaves[i].page == gpa >> 12)
				return (struct xlat){ true, leaves[i].hpa + (gpa & (PAGE - 1)), leaves[i].perms, 0 };

	/* Step 1: a = hgatp.PPN x PAGESIZE (PPN[1:0] read as zero), i = LEVELS - 1,
	 * unless a cached non-leaf PTE lets the walk start lower. */
	uint64_t a = ((hgatp & HGATP_PPN_MASK) & ~3ULL) << 12;
	int i = GSTAGE_ROOT_LEVEL;
	const struct tlb_walk *w;
	if (cached && (w = find_walk(vmid, 1, gpa)) != NULL) {
		a = w->next;
		i = 0;
	} else if (cached && (w = find_walk(vmid, 2, gpa)) != NULL) {
		a = w->next;
		i = 1;
	}
	uint64_t pte;
	for (;;) {
		/* Sv39x4: VPN[2] is GPA[40:30], 11 bits, over the 16 KiB root. */
		uint64_t idx = i == GSTAGE_ROOT_LEVEL ? (gpa >> 30) & (GSTAGE_ROOT_ENTRIES - 1)
						    : (gpa >> (12 + 9 * i)) & (PT_ENTRIES - 1);
		pte = phys_read(a + idx * 8);
		/* Step 3: invalid, W without R, or reserved bits 63:54 set. */
		if (!(pte & PTE_V) || (!(pte & PTE_R) && (pte & PTE_W)) || (pte >> 54))
			return x;
		if (pte & (PTE_R | PTE_X))
			break;
		/* Non-leaf: D, A, U must be clear (reserved), G is reserved at G stage. */
		if (pte & (PTE_D | PTE_A | PTE_U | PTE_G))
			fail_msg("non-leaf PTE 0x%llx with reserved bits", (unsigned long long)pte);
		if (i == 0)
			return x;
		a = pte_pa(pte);
		if (cached)
			cache_walk(vmid, (unsigned)i, gpa >> (12 + 9 * i), a);
		i--;
	}
	/* Step 5: G-stage accesses are all U-mode ones: U must be set. */
	if (!(pte & PTE_U))
		return x;
	/* Step 6: a misaligned superpage. */
	if (i > 0 && ((pte >> PTE_PPN_SHIFT) & ((1ULL << (9 * i)) - 1)))
		return x;
	/* Step 7 (Svade): A clear faults; D clear faults writes. */
	if (!(pte & PTE_A))
		return x;
	x.ok = true;
	x.level = (unsigned)i;
	x.perms = pte & RWX & ((pte & PTE_D) ? RWX : ~PTE_W);
	x.hpa = pte_pa(pte) + (gpa & ((1ULL << (12 + 9 * i)) - 1));
	if (cached)
		cache_leaf(vmid, gpa >> 12, x.hpa & ~(PAGE - 1), x.perms);
	return x;
}

static uint64_t hgatp_of(const struct tvm *vm)
{
	uint64_t h = gstage_hgatp(vm->g.root, vm->vmid);

	assert_int_not_equal(h, 0);
	return h;
}

/* A translation the model gives must be one the tables give. */
static void check_xlat(const struct tvm *vm, uint64_t gpa, struct xlat m)
{
	if (!m.ok)
		return;     /* a fault is never stale: the handler looks the GPA up */
	struct xlat t = walk(hgatp_of(vm), vm->vmid, gpa, false);
	if (!t.ok || t.hpa != m.hpa || (m.perms & ~t.perms))
		fail_msg("stale translation: vmid %u gpa 0x%llx -> 0x%llx/%llx, tables give %s0x%llx/%llx",
			 vm->vmid, (unsigned long long)gpa, (unsigned long long)m.hpa,
			 (unsigned long long)m.perms, t.ok ? "" : "nothing, ",
			 (unsigned long long)t.hpa, (unsigned long long)t.perms);
}

/* Every cached leaf of vm, and a walk through the model at gpa. */
static void check_vm(const struct tvm *vm)
{
	if (!vm->running)
		return;
	for (unsigned i = 0; i < TLB_LEAVES; i++)
		if (leaves[i].valid && leaves[i].vmid == vm->vmid)
			check_xlat(vm, leaves[i].page << 12,
				   (struct xlat){ true, leaves[i].hpa, leaves[i].perms, 0 });
}

static struct xlat touch(const struct tvm *vm, uint64_t gpa)
{
	struct xlat m = walk(hgatp_of(vm), vm->vmid, gpa, true);

	check_xlat(vm, gpa, m);
	return m;
}

static void fence_cb(void *ctx, uint64_t gpa, uint64_t size, bool all)
{
	struct tvm *vm = ctx;

	assert_int_equal(gpa & (PAGE - 1), 0);
	assert_int_equal(size & (PAGE - 1), 0);
	assert_true(size > 0 && gpa < GSTAGE_GPA_LIMIT && size <= GSTAGE_GPA_LIMIT - gpa);
	vm->fences++;
	vm->fences_all += all;
	vm->fence_gpa = gpa;
	vm->fence_size = size;
	if (vm->g.root) {
		struct xlat t = walk(hgatp_of(vm), vm->vmid, gpa, false);
		vm->fence_saw_mapped = t.ok;
	}
	for (unsigned i = 0; i < TLB_LEAVES; i++)
		if (leaves[i].valid && leaves[i].vmid == vm->vmid &&
		    (all || ((leaves[i].page << 12) >= gpa && (leaves[i].page << 12) - gpa < size)))
			leaves[i].valid = false;
	if (all)
		for (unsigned i = 0; i < TLB_WALKS; i++)
			if (walks[i].vmid == vm->vmid)
				walks[i].valid = false;
	/* Another hart walks the range right after the fence. */
	if (vm->running) {
		for (unsigned k = 0; k < 8; k++) {
			uint64_t off = k == 0 ? 0 : (rnd() % size) & ~(PAGE - 1);
			walk(hgatp_of(vm), vm->vmid, gpa + off, true);
		}
	}
}

static void tlb_reset(void)
{
	memset(leaves, 0, sizeof(leaves));
	memset(walks, 0, sizeof(walks));
}

static void vm_create(struct tvm *vm, unsigned vmid)
{
	*vm = (struct tvm){ .vmid = vmid };
	assert_int_equal(gstage_create(&vm->g, &tmem, fence_cb, vm), 0);
	vm->running = true;
}

static void vm_destroy(struct tvm *vm)
{
	int before = live_pages;
	uint64_t tables = vm->g.stats.tables;

	vm->running = false;        /* gstage_destroy's precondition */
	gstage_destroy(&vm->g);
	assert_int_equal(before - live_pages, (int)tables);
	for (unsigned i = 0; i < TLB_LEAVES; i++)
		assert_false(leaves[i].valid && leaves[i].vmid == vm->vmid);
	for (unsigned i = 0; i < TLB_WALKS; i++)
		assert_false(walks[i].valid && walks[i].vmid == vm->vmid);
}

/* The raw PTE for gpa at level (2: the root), or 0 when no table reaches it. */
static uint64_t raw_pte(const struct tvm *vm, uint64_t gpa, unsigned level)
{
	uint64_t a = vm->g.root;

	for (int i = GSTAGE_ROOT_LEVEL; ; i--) {
		uint64_t idx = i == GSTAGE_ROOT_LEVEL ? (gpa >> 30) & (GSTAGE_ROOT_ENTRIES - 1)
						    : (gpa >> (12 + 9 * i)) & (PT_ENTRIES - 1);
		uint64_t pte = phys_read(a + idx * 8);
		if ((unsigned)i == level)
			return pte;
		if (!(pte & PTE_V) || pte_is_leaf(pte))
			return 0;
		a = pte_pa(pte);
	}
}

static int setup(void **state)
{
	(void)state;
	arena_reset();
	tlb_reset();
	rng = 0x9e3779b97f4a7c15ULL;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	assert_int_equal(live_pages, 0);    /* every test frees what it made */
	return 0;
}

/* ---- hgatp and the root ------------------------------------------------------ */

static void test_gstage_hgatp_fields(void **state)
{
	(void)state;
	uint64_t root = 0x80004000ULL;

	assert_int_equal(gstage_hgatp(root, 5),
			 (8ULL << 60) | (5ULL << 44) | (root >> 12));
	assert_int_equal(gstage_hgatp(root, 0x3fff) >> 44 & 0x3fff, 0x3fff);
	assert_int_equal(gstage_hgatp(root, 0x3fff) >> 60, HGATP_MODE_SV39X4);
	assert_int_equal(gstage_hgatp(root, 0x4000), 0);            /* VMID beyond 14 bits */
	assert_int_equal(gstage_hgatp(0, 1), 0);
	assert_int_equal(gstage_hgatp(root + 0x1000, 1), 0);        /* 4 KiB but not 16 KiB aligned */
	assert_int_equal(gstage_hgatp(1ULL << 56, 1), 0);           /* PPN beyond 44 bits */
	/* MODE is only ever Sv39x4 or (the 0 above) Bare. */
	for (unsigned k = 0; k < 1000; k++) {
		uint64_t h = gstage_hgatp(rnd() & ~0x3fffULL & ((1ULL << 56) - 1), rnd() & 0x7fff);
		assert_true(h == 0 || h >> 60 == HGATP_MODE_SV39X4);
		assert_int_equal(h & 3, 0);
	}
}

static void test_gstage_create_root_16k(void **state)
{
	(void)state;
	struct tvm vm;

	vm_create(&vm, 1);
	assert_int_equal(vm.g.root & (GSTAGE_ROOT_SIZE - 1), 0);
	assert_int_equal(vm.g.stats.tables, GSTAGE_ROOT_PAGES);
	for (unsigned p = 0; p < GSTAGE_ROOT_PAGES; p++)
		for (unsigned i = 0; i < PT_ENTRIES; i++)
			assert_int_equal(t_table(NULL, vm.g.root + p * PAGE)[i], 0);
	assert_int_equal(vm.fences, 0);
	vm_destroy(&vm);
	assert_int_equal(vm.g.root, 0);
	assert_int_equal(vm.fences_all, 1);     /* destroy drops everything once */
	gstage_destroy(&vm.g);                  /* twice is harmless */
	assert_int_equal(vm.fences, 1);
}

static void test_gstage_create_out_of_memory(void **state)
{
	(void)state;
	struct gstage g;

	budget = 0;
	assert_int_equal(gstage_create(&g, &tmem, fence_cb, NULL), GSTAGE_ENOMEM);
	assert_int_equal(g.root, 0);
	assert_int_equal(gstage_map_page(&g, 0, 0x1000, PTE_R), GSTAGE_EINVAL);
	assert_int_equal(gstage_unmap(&g, 0, PAGE), GSTAGE_EINVAL);
}

/* ---- mapping ------------------------------------------------------------------- */

static void test_gstage_map_page_leaf_bits(void **state)
{
	(void)state;
	struct tvm vm;

	vm_create(&vm, 1);
	assert_int_equal(gstage_map_page(&vm.g, 0x80201000, 0x12345000, PTE_R | PTE_W), 0);
	uint64_t leaf = raw_pte(&vm, 0x80201000, 0);
	assert_int_equal(leaf, pte_make(0x12345000, PTE_V | PTE_R | PTE_W | PTE_U | PTE_A | PTE_D));
	assert_false(leaf & PTE_G);
	/* Tables above carry V only (D, A, U reserved in non-leaf PTEs). */
	assert_int_equal(raw_pte(&vm, 0x80201000, 1) & 0x3ff, PTE_V);
	assert_int_equal(raw_pte(&vm, 0x80201000, 2) & 0x3ff, PTE_V);
	assert_int_equal(vm.g.stats.tables, GSTAGE_ROOT_PAGES + 2);
	struct gstage_leaf l;
	assert_true(gstage_lookup(&vm.g, 0x80201abc, &l));
	assert_int_equal(l.hpa, 0x12345abc);
	assert_int_equal(l.perms, PTE_R | PTE_W);
	assert_int_equal(l.level, 0);
	assert_false(gstage_lookup(&vm.g, 0x80202000, &l));
	assert_true(touch(&vm, 0x80201008).ok);
	vm_destroy(&vm);
}

static void test_gstage_root_indexed_by_gpa_40_30(void **state)
{
	(void)state;
	struct tvm vm;
	/* Root index 0, 511, 512, 1536 and 2047: one on each root page's edge. */
	const uint64_t gpas[] = { 0, 511 * GB, 512 * GB, 1536 * GB + 0x5000, GSTAGE_GPA_LIMIT - PAGE };

	vm_create(&vm, 3);
	for (unsigned k = 0; k < 5; k++)
		assert_int_equal(gstage_map_page(&vm.g, gpas[k], 0x1000 * (k + 1), PTE_R), 0);
	for (unsigned k = 0; k < 5; k++) {
		unsigned idx = (unsigned)(gpas[k] >> 30);
		uint64_t *page = t_table(NULL, vm.g.root + (idx / PT_ENTRIES) * PAGE);
		assert_true(page[idx % PT_ENTRIES] & PTE_V);
		struct xlat x = touch(&vm, gpas[k] + 8);
		assert_true(x.ok);
		assert_int_equal(x.hpa, 0x1000 * (k + 1) + 8);
	}
	unsigned used = 0;
	for (unsigned p = 0; p < GSTAGE_ROOT_PAGES; p++)
		for (unsigned i = 0; i < PT_ENTRIES; i++)
			used += (t_table(NULL, vm.g.root + p * PAGE)[i] & PTE_V) != 0;
	assert_int_equal(used, 5);
	vm_destroy(&vm);
}

static void test_gstage_refuses_gpa_limit_and_bad_args(void **state)
{
	(void)state;
	struct tvm vm;
	struct gstage_leaf l;

	vm_create(&vm, 1);
	assert_int_equal(gstage_map_page(&vm.g, GSTAGE_GPA_LIMIT, 0x1000, PTE_R), GSTAGE_EINVAL);
	assert_int_equal(gstage_map_page(&vm.g, 1ULL << 50, 0x1000, PTE_R), GSTAGE_EINVAL);
	assert_int_equal(gstage_map_2m(&vm.g, GSTAGE_GPA_LIMIT, 0, PTE_R), GSTAGE_EINVAL);
	assert_int_equal(gstage_map_page(&vm.g, 0x1001, 0x1000, PTE_R), GSTAGE_EINVAL);
	assert_int_equal(gstage_map_page(&vm.g, 0x1000, 0x1001, PTE_R), GSTAGE_EINVAL);
	assert_int_equal(gstage_map_page(&vm.g, 0x1000, 1ULL << 56, PTE_R), GSTAGE_EINVAL);
	/* W without R is reserved; no permission, or other bits, is no mapping. */
	assert_int_equal(gstage_map_page(&vm.g, 0x1000, 0x1000, PTE_W), GSTAGE_EINVAL);
	assert_int_equal(gstage_map_page(&vm.g, 0x1000, 0x1000, PTE_W | PTE_X), GSTAGE_EINVAL);
	assert_int_equal(gstage_map_page(&vm.g, 0x1000, 0x1000, 0), GSTAGE_EINVAL);
	assert_int_equal(gstage_map_page(&vm.g, 0x1000, 0x1000, PTE_R | PTE_U), GSTAGE_EINVAL);
	assert_int_equal(gstage_map_page(&vm.g, 0x1000, 0x1000, PTE_R | PTE_G), GSTAGE_EINVAL);
	assert_int_equal(gstage_map_page(&vm.g, 0x1000, 0x1000, PTE_X), 0);
	assert_int_equal(gstage_unmap(&vm.g, GSTAGE_GPA_LIMIT - PAGE, 2 * PAGE), GSTAGE_EINVAL);
	assert_int_equal(gstage_unmap(&vm.g, 0x1800, PAGE), GSTAGE_EINVAL);
	assert_false(gstage_lookup(&vm.g, GSTAGE_GPA_LIMIT + 0x1000, &l));
	assert_int_equal(gstage_map_page(&vm.g, GSTAGE_GPA_LIMIT - PAGE, 0x2000, PTE_R), 0);
	assert_true(gstage_lookup(&vm.g, GSTAGE_GPA_LIMIT - 1, &l));
	assert_int_equal(l.hpa, 0x2fff);
	/* The hardware faults at 2^41 even though the root index wraps to 0. */
	assert_false(walk(hgatp_of(&vm), vm.vmid, GSTAGE_GPA_LIMIT + 0x1000, true).ok);
	assert_int_equal(vm.fences, 0);
	vm_destroy(&vm);
}

static void test_gstage_fences_only_removals_and_downgrades(void **state)
{
	(void)state;
	struct tvm vm;

	vm_create(&vm, 1);
	/* Into an empty slot, and the same again: no fence. */
	assert_int_equal(gstage_map_page(&vm.g, 0x4000, 0xa000, PTE_R), 0);
	assert_true(touch(&vm, 0x4000).ok);
	assert_int_equal(gstage_map_page(&vm.g, 0x4000, 0xa000, PTE_R), 0);
	assert_int_equal(vm.fences, 0);
	/* More permissions on the same page: no fence; the cached R is a subset. */
	assert_int_equal(gstage_map_page(&vm.g, 0x4000, 0xa000, RWX), 0);
	assert_int_equal(vm.fences, 0);
	check_vm(&vm);
	struct xlat x = touch(&vm, 0x4000);
	assert_int_equal(x.perms, PTE_R);       /* the stale subset: a spurious fault at most */
	/* Fewer permissions: fenced after the change. */
	assert_int_equal(gstage_map_page(&vm.g, 0x4000, 0xa000, PTE_R | PTE_X), 0);
	assert_int_equal(vm.fences, 1);
	assert_int_equal(vm.fence_gpa, 0x4000);
	assert_int_equal(vm.fence_size, PAGE);
	assert_int_equal(vm.fences_all, 0);
	assert_true(vm.fence_saw_mapped);
	check_vm(&vm);
	/* Another page: break before make, the slot is empty at the fence. */
	assert_true(touch(&vm, 0x4000).ok);
	assert_int_equal(gstage_map_page(&vm.g, 0x4000, 0xb000, PTE_R | PTE_X), 0);
	assert_int_equal(vm.fences, 2);
	assert_false(vm.fence_saw_mapped);
	check_vm(&vm);
	assert_int_equal(touch(&vm, 0x4010).hpa, 0xb010);
	vm_destroy(&vm);
}

static void test_gstage_map_2m(void **state)
{
	(void)state;
	struct tvm vm;
	struct gstage_leaf l;

	vm_create(&vm, 1);
	assert_int_equal(gstage_map_2m(&vm.g, 0x200000 + PAGE, 0x40000000, PTE_R), GSTAGE_EINVAL);
	assert_int_equal(gstage_map_2m(&vm.g, 0x200000, 0x40000000 + PAGE, PTE_R), GSTAGE_EINVAL);
	assert_int_equal(gstage_map_2m(&vm.g, 0x200000, 0x40000000, RWX), 0);
	assert_int_equal(vm.g.stats.tables, GSTAGE_ROOT_PAGES + 1);    /* no level-0 table */
	assert_true(gstage_lookup(&vm.g, 0x3fffff, &l));
	assert_int_equal(l.hpa, 0x401fffff);
	assert_int_equal(l.level, 1);
	assert_int_equal(raw_pte(&vm, 0x200000, 1),
			 pte_make(0x40000000, PTE_V | RWX | PTE_U | PTE_A | PTE_D));
	/* A 4 KiB page under the superpage is refused, not silently split. */
	assert_int_equal(gstage_map_page(&vm.g, 0x201000, 0x1000, PTE_R), GSTAGE_EBUSY);
	/* Over an existing table, even an emptied one, refused. */
	assert_int_equal(gstage_map_page(&vm.g, 0x600000, 0x1000, PTE_R), 0);
	assert_int_equal(gstage_unmap(&vm.g, 0x600000, PAGE), 1);
	assert_int_equal(gstage_map_2m(&vm.g, 0x600000, 0x40000000, PTE_R), GSTAGE_EBUSY);
	/* Touch pages of the superpage, then move it: the fence covers all 2 MiB. */
	for (uint64_t off = 0; off < GSTAGE_2M; off += 0x40000)
		assert_true(touch(&vm, 0x200000 + off).ok);
	unsigned f = vm.fences;
	assert_int_equal(gstage_map_2m(&vm.g, 0x200000, 0x80000000, RWX), 0);
	assert_int_equal(vm.fences, f + 1);
	assert_int_equal(vm.fence_gpa, 0x200000);
	assert_int_equal(vm.fence_size, GSTAGE_2M);
	check_vm(&vm);
	assert_int_equal(touch(&vm, 0x3ff000).hpa, 0x801ff000);
	vm_destroy(&vm);
}

static void test_gstage_map_out_of_memory(void **state)
{
	(void)state;
	struct tvm vm;
	struct gstage_leaf l;

	vm_create(&vm, 1);
	budget = 1;     /* the level-1 table only */
	assert_int_equal(gstage_map_page(&vm.g, 0x1000, 0x1000, PTE_R), GSTAGE_ENOMEM);
	assert_false(gstage_lookup(&vm.g, 0x1000, &l));
	assert_int_equal(gstage_map_2m(&vm.g, 0x200000, 0, PTE_R), 0);     /* fits in what it got */
	budget = -1;
	assert_int_equal(vm.g.stats.tables, (uint64_t)live_pages);
	vm_destroy(&vm);
}

/* ---- unmapping ----------------------------------------------------------------- */

static void test_gstage_unmap_reports_what_it_removed(void **state)
{
	(void)state;
	struct tvm vm;
	struct gstage_leaf l;

	vm_create(&vm, 1);
	assert_int_equal(gstage_unmap(&vm.g, 0x10000, 16 * PAGE), 0);
	assert_int_equal(vm.fences, 0);
	for (unsigned i = 0; i < 4; i++)
		assert_int_equal(gstage_map_page(&vm.g, 0x10000 + i * 2 * PAGE, 0x20000 + i * PAGE, PTE_R), 0);
	for (unsigned i = 0; i < 8; i++)
		touch(&vm, 0x10000 + i * PAGE);
	/* A hole: nothing removed, no fence. */
	assert_int_equal(gstage_unmap(&vm.g, 0x11000, PAGE), 0);
	assert_int_equal(vm.fences, 0);
	assert_int_equal(gstage_unmap(&vm.g, 0x10000, 3 * PAGE), 2);
	assert_int_equal(vm.fences, 1);
	assert_int_equal(vm.fences_all, 0);
	assert_int_equal(vm.fence_gpa, 0x10000);
	assert_int_equal(vm.fence_size, 3 * PAGE);
	check_vm(&vm);
	assert_false(gstage_lookup(&vm.g, 0x12000, &l));
	assert_true(gstage_lookup(&vm.g, 0x14000, &l));
	assert_false(touch(&vm, 0x12000).ok);
	vm_destroy(&vm);
}

static void test_gstage_unmap_splits_a_superpage(void **state)
{
	(void)state;
	struct tvm vm;
	struct gstage_leaf l;

	vm_create(&vm, 2);
	assert_int_equal(gstage_map_2m(&vm.g, 0x400000, 0x40000000, PTE_R | PTE_W), 0);
	for (uint64_t off = 0; off < GSTAGE_2M; off += 0x10000)
		touch(&vm, 0x400000 + off + PAGE);
	assert_int_equal(gstage_unmap(&vm.g, 0x401000, PAGE), 1);
	assert_int_equal(vm.g.stats.splits, 1);
	assert_int_equal(vm.fence_gpa, 0x401000);
	assert_int_equal(vm.fence_size, PAGE);
	check_vm(&vm);
	assert_false(gstage_lookup(&vm.g, 0x401000, &l));
	assert_false(touch(&vm, 0x401000).ok);
	/* The rest maps as before, now by 4 KiB leaves with the same bits. */
	assert_true(gstage_lookup(&vm.g, 0x5ff123, &l));
	assert_int_equal(l.hpa, 0x401ff123);
	assert_int_equal(l.level, 0);
	assert_int_equal(raw_pte(&vm, 0x400000, 0),
			 pte_make(0x40000000, PTE_V | PTE_R | PTE_W | PTE_U | PTE_A | PTE_D));
	assert_int_equal(touch(&vm, 0x402000).hpa, 0x40002000);
	/* No memory for the split: refused, the superpage stays. */
	assert_int_equal(gstage_map_2m(&vm.g, 0x800000, 0x80000000, PTE_R), 0);
	budget = 0;
	unsigned f = vm.fences;
	assert_int_equal(gstage_unmap(&vm.g, 0x800000 + PAGE, PAGE), GSTAGE_ENOMEM);
	assert_int_equal(vm.fences, f);
	assert_true(gstage_lookup(&vm.g, 0x801000, &l));
	assert_int_equal(l.level, 1);
	budget = -1;
	vm_destroy(&vm);
}

static void test_gstage_unmap_frees_covered_tables(void **state)
{
	(void)state;
	struct tvm vm;

	vm_create(&vm, 1);
	/* Two 4 KiB-mapped 2 MiB regions under one level-1 table, one 2 MiB leaf. */
	for (unsigned i = 0; i < 4; i++) {
		assert_int_equal(gstage_map_page(&vm.g, 0x40000000 + i * PAGE, 0x1000 * i, PTE_R), 0);
		assert_int_equal(gstage_map_page(&vm.g, 0x40200000 + i * PAGE, 0x1000 * i, PTE_R), 0);
	}
	assert_int_equal(gstage_map_2m(&vm.g, 0x40400000, 0, PTE_R), 0);
	assert_int_equal(vm.g.stats.tables, GSTAGE_ROOT_PAGES + 3);
	for (unsigned i = 0; i < 4; i++) {
		touch(&vm, 0x40000000 + i * PAGE);
		touch(&vm, 0x40200000 + i * PAGE);
		touch(&vm, 0x40400000 + i * PAGE);
	}
	/* The first region whole: its table goes, after a fence of every level. */
	assert_int_equal(gstage_unmap(&vm.g, 0x40000000, GSTAGE_2M), 4);
	assert_int_equal(vm.fences_all, 1);
	assert_int_equal(vm.g.stats.tables, GSTAGE_ROOT_PAGES + 2);
	assert_int_equal(vm.g.stats.tables, (uint64_t)live_pages);
	check_vm(&vm);
	/* Now a superpage fits where the table was. */
	assert_int_equal(gstage_map_2m(&vm.g, 0x40000000, 0x200000, PTE_R), 0);
	assert_int_equal(touch(&vm, 0x40000000).hpa, 0x200000);
	/* The whole GiB: leaves and the level-1 table with its level-0 table. */
	assert_int_equal(gstage_unmap(&vm.g, 0x40000000, GB), 512 + 4 + 512);
	assert_int_equal(vm.g.stats.tables, GSTAGE_ROOT_PAGES);
	assert_int_equal(live_pages, GSTAGE_ROOT_PAGES);
	check_vm(&vm);
	for (unsigned i = 0; i < 4; i++)
		assert_false(touch(&vm, 0x40200000 + i * PAGE).ok);
	vm_destroy(&vm);
}

/* The model must catch a missing fence, or it proves nothing. */
static void test_gstage_model_catches_a_missing_fence(void **state)
{
	(void)state;
	struct tvm vm;

	vm_create(&vm, 1);
	assert_int_equal(gstage_map_page(&vm.g, 0x3000, 0x9000, PTE_R), 0);
	assert_true(touch(&vm, 0x3000).ok);
	/* Clear the leaf behind gstage's back: the cached entry is now stale. */
	t_table(NULL, pte_pa(raw_pte(&vm, 0x3000, 1)))[3] = 0;
	bool stale = false;
	for (unsigned i = 0; i < TLB_LEAVES; i++)
		if (leaves[i].valid && leaves[i].vmid == 1 && leaves[i].page == 3)
			stale = !walk(hgatp_of(&vm), 1, 0x3000, false).ok;
	assert_true(stale);
	/* And a stale walk-cache pointer to a freed table reads poison. */
	tlb_reset();
	assert_int_equal(gstage_map_page(&vm.g, 0x200000, 0x9000, PTE_R), 0);
	touch(&vm, 0x200000);
	uint64_t l0 = pte_pa(raw_pte(&vm, 0x200000, 1));
	t_table(NULL, pte_pa(raw_pte(&vm, 0x200000, 2)))[1] = 0;    /* detach, no fence */
	t_free(NULL, l0);
	vm.g.stats.tables--;
	for (unsigned i = 0; i < TLB_LEAVES; i++)
		leaves[i].valid = false;                /* only the walk cache is left */
	struct xlat x = walk(hgatp_of(&vm), 1, 0x200000, true);
	assert_true(x.ok);
	assert_true(x.hpa >= POISON_HPA);
	tlb_reset();
	vm_destroy(&vm);
}

/* ---- RAM chunks from the real map ------------------------------------------- */

static uint64_t hpa_a[1024], hpa_b[1024];
static uint64_t ready_bits[1];
static unsigned touches;

static void first_touch(void *ctx, struct realmap_ram *r, uint64_t chunk)
{
	(void)ctx;
	touches++;
	r->ready[chunk / 64] |= 1ULL << (chunk % 64);
}

static void test_gstage_map_chunk_like_the_bare_view(void **state)
{
	(void)state;
	struct realmap rm;
	struct tvm vm;
	struct gstage_leaf l;

	/* Region a: 2 MiB + 1 MiB at 0x80000000 on one aligned run of frames.
	 * Region b: 2 MiB at 0x90000000 on frames in reverse order. */
	for (unsigned i = 0; i < 1024; i++) {
		hpa_a[i] = 0x200000000ULL + i * PAGE;
		hpa_b[i] = 0x300000000ULL + (1023 - i) * PAGE;
	}
	realmap_init(&rm);
	assert_int_equal(realmap_add_ram(&rm, 0x80000000, 768, hpa_a), 0);
	assert_int_equal(realmap_add_ram(&rm, 0x90000000, 512, hpa_b), 0);
	vm_create(&vm, 4);
	assert_int_equal(gstage_map_chunk(&vm.g, &rm.ram[0], 0, RWX), 0);
	assert_int_equal(vm.g.stats.chunks_2m, 1);
	assert_true(gstage_lookup(&vm.g, 0x801fffff, &l));
	assert_int_equal(l.level, 1);
	assert_int_equal(l.hpa, 0x2001fffffULL);
	/* The partial second chunk: 256 pages of 4 KiB, nothing beyond. */
	assert_int_equal(gstage_map_chunk(&vm.g, &rm.ram[0], 1, RWX), 0);
	assert_int_equal(vm.g.stats.chunks_4k, 1);
	assert_true(gstage_lookup(&vm.g, 0x802ff000, &l));
	assert_int_equal(l.level, 0);
	assert_int_equal(l.hpa, 0x2002ff000ULL);
	assert_false(gstage_lookup(&vm.g, 0x80300000, &l));
	assert_int_equal(gstage_map_chunk(&vm.g, &rm.ram[0], 2, RWX), GSTAGE_EINVAL);
	/* Frames not one run: 4 KiB pages. */
	assert_int_equal(gstage_map_chunk(&vm.g, &rm.ram[1], 0, PTE_R | PTE_X), 0);
	assert_int_equal(vm.g.stats.chunks_4k, 2);
	assert_true(gstage_lookup(&vm.g, 0x90000000, &l));
	assert_int_equal(l.hpa, 0x300000000ULL + 1023 * PAGE);
	assert_int_equal(l.perms, PTE_R | PTE_X);
	assert_int_equal(vm.fences, 0);         /* all into empty slots */
	/* Again: nothing changes, nothing fenced. */
	assert_int_equal(gstage_map_chunk(&vm.g, &rm.ram[1], 0, PTE_R | PTE_X), 0);
	assert_int_equal(gstage_map_chunk(&vm.g, &rm.ram[0], 0, RWX), 0);
	assert_int_equal(vm.fences, 0);
	for (uint64_t off = 0; off < 3 * MB; off += 0x11000)
		assert_true(touch(&vm, 0x80000000 + off).ok);
	vm_destroy(&vm);
}

static void test_gstage_map_chunk_fills_an_existing_table(void **state)
{
	(void)state;
	struct realmap rm;
	struct tvm vm;
	struct gstage_leaf l;

	for (unsigned i = 0; i < 512; i++)
		hpa_a[i] = 0x200000000ULL + i * PAGE;
	realmap_init(&rm);
	assert_int_equal(realmap_add_ram(&rm, 0x80000000, 512, hpa_a), 0);
	vm_create(&vm, 1);
	/* One page mapped on its own first: the chunk fills the table around it. */
	assert_int_equal(gstage_map_page(&vm.g, 0x80005000, hpa_a[5], RWX), 0);
	assert_int_equal(gstage_map_chunk(&vm.g, &rm.ram[0], 0, RWX), 0);
	assert_int_equal(vm.g.stats.chunks_2m, 0);
	assert_int_equal(vm.g.stats.chunks_4k, 1);
	assert_true(gstage_lookup(&vm.g, 0x801ff000, &l));
	assert_int_equal(l.level, 0);
	assert_int_equal(vm.fences, 0);
	/* A superpage where the chunk cannot be one: refused. */
	hpa_a[7] = 0x500000000ULL;
	assert_int_equal(gstage_map_2m(&vm.g, 0x80200000, 0x40000000, RWX), 0);
	struct realmap rm2;
	realmap_init(&rm2);
	assert_int_equal(realmap_add_ram(&rm2, 0x80200000, 512, hpa_a), 0);
	assert_int_equal(gstage_map_chunk(&vm.g, &rm2.ram[0], 0, RWX), GSTAGE_EBUSY);
	vm_destroy(&vm);
}

static void test_gstage_map_chunk_waits_for_first_touch(void **state)
{
	(void)state;
	struct realmap rm;
	struct tvm vm;
	struct gstage_leaf l;

	for (unsigned i = 0; i < 1024; i++)
		hpa_a[i] = 0x200000000ULL + i * PAGE;
	realmap_init(&rm);
	assert_int_equal(realmap_add_ram(&rm, 0x80000000, 1024, hpa_a), 0);
	ready_bits[0] = 0;
	rm.ram[0].ready = ready_bits;
	rm.first_touch = first_touch;
	touches = 0;
	vm_create(&vm, 1);
	/* Not zeroed yet: its frames may hold anything. */
	assert_int_equal(gstage_map_chunk(&vm.g, &rm.ram[0], 1, RWX), GSTAGE_EINVAL);
	assert_false(gstage_lookup(&vm.g, 0x80200000, &l));
	/* The fault path zeroes it first, through realmap_lookup. */
	assert_int_equal(gstage_map_ram(&vm.g, &rm, 0x80234567, RWX), 0);
	assert_int_equal(touches, 1);
	assert_int_equal(ready_bits[0], 2);
	assert_true(gstage_lookup(&vm.g, 0x80234567, &l));
	assert_int_equal(l.hpa, 0x200234567ULL);
	assert_int_equal(l.level, 1);
	assert_false(gstage_lookup(&vm.g, 0x80000000, &l));    /* chunk 0 untouched */
	assert_int_equal(gstage_map_ram(&vm.g, &rm, 0x70000000, RWX), GSTAGE_EINVAL);
	vm_destroy(&vm);
}

/* ---- random sequences --------------------------------------------------------- */

#define NVMS        4
#define WIN_PAGES   2048                    /* 8 MiB per window */
#define NWIN        3
static const uint64_t win_base[NWIN] = { 0, GB - 4 * MB, GSTAGE_GPA_LIMIT - 8 * MB };

/* What each VM should map, per page of the windows: hpa | perms, 0 none. */
static uint64_t ref[NVMS][NWIN * WIN_PAGES];
static uint64_t ram_hpa[3][1024];

static uint64_t win_gpa(unsigned p)
{
	return win_base[p / WIN_PAGES] + (uint64_t)(p % WIN_PAGES) * PAGE;
}

static int win_page(uint64_t gpa)
{
	for (unsigned w = 0; w < NWIN; w++)
		if (gpa >= win_base[w] && gpa - win_base[w] < WIN_PAGES * PAGE)
			return (int)(w * WIN_PAGES + (gpa - win_base[w]) / PAGE);
	return -1;
}

static uint64_t rnd_perms(void)
{
	static const uint64_t p[] = { PTE_R, PTE_R | PTE_W, PTE_X, PTE_R | PTE_X, RWX };
	return p[rnd() % 5];
}

/* Fences the reference expects from mapping `want` over `old`. */
static unsigned fences_for(uint64_t old, uint64_t want)
{
	if (old == 0 || old == want)
		return 0;
	if ((old & ~RWX) != (want & ~RWX))
		return 1;
	return (old & ~want & RWX) ? 1 : 0;
}

static void check_ref(struct tvm *vm, unsigned v, unsigned p)
{
	struct gstage_leaf l;
	bool mapped = gstage_lookup(&vm->g, win_gpa(p), &l);

	assert_int_equal(mapped, ref[v][p] != 0);
	if (mapped) {
		assert_int_equal(l.hpa, ref[v][p] & ~RWX);
		assert_int_equal(l.perms, ref[v][p] & RWX);
	}
}

static void op_map_page(struct tvm *vm, unsigned v)
{
	unsigned p = (unsigned)(rnd() % (NWIN * WIN_PAGES));
	uint64_t gpa = win_gpa(p);
	uint64_t hpa = (ref[v][p] && rnd() % 2) ? ref[v][p] & ~RWX : 0x80000000ULL + (rnd() % 64) * PAGE;
	uint64_t perms = rnd_perms();
	bool under_2m = (raw_pte(vm, gpa, 1) & PTE_V) && pte_is_leaf(raw_pte(vm, gpa, 1));
	unsigned f = vm->fences;

	int rc = gstage_map_page(&vm->g, gpa, hpa, perms);
	if (under_2m) {
		assert_int_equal(rc, GSTAGE_EBUSY);
		assert_int_equal(vm->fences, f);
		return;
	}
	assert_int_equal(rc, 0);
	assert_int_equal(vm->fences - f, fences_for(ref[v][p], hpa | perms));
	ref[v][p] = hpa | perms;
	assert_true(touch(vm, gpa).ok);     /* mapped means usable: U, A, D set */
}

static void op_map_2m(struct tvm *vm, unsigned v)
{
	unsigned w = (unsigned)(rnd() % NWIN);
	unsigned first = w * WIN_PAGES + (unsigned)(rnd() % (WIN_PAGES / 512)) * 512;
	uint64_t gpa = win_gpa(first);
	uint64_t hpa = 0x100000000ULL + (rnd() % 8) * GSTAGE_2M;
	uint64_t perms = rnd_perms();
	uint64_t l1 = raw_pte(vm, gpa, 1);
	unsigned f = vm->fences;

	if (l1 & PTE_V && pte_is_leaf(l1) && rnd() % 2)
		hpa = pte_pa(l1);       /* same superpage, other permissions */
	int rc = gstage_map_2m(&vm->g, gpa, hpa, perms);
	if ((l1 & PTE_V) && !pte_is_leaf(l1)) {
		assert_int_equal(rc, GSTAGE_EBUSY);
		assert_int_equal(vm->fences, f);
		return;
	}
	assert_int_equal(rc, 0);
	uint64_t old = (l1 & PTE_V) ? (pte_pa(l1) | (l1 & RWX)) : 0;
	assert_int_equal(vm->fences - f, fences_for(old, hpa | perms));
	for (unsigned i = 0; i < 512; i++)
		ref[v][first + i] = (hpa + i * PAGE) | perms;
	assert_true(touch(vm, gpa + (rnd() % 512) * PAGE).ok);
}

static void op_map_chunk(struct tvm *vm, unsigned v, const struct realmap *rm)
{
	unsigned r = (unsigned)(rnd() % rm->nram);
	const struct realmap_ram *ram = &rm->ram[r];
	uint64_t chunk = rnd() % realmap_chunk_count(ram);
	uint64_t first, last;

	realmap_chunk_pages(ram, chunk, &first, &last);
	uint64_t gpa0 = ram->gpa + first * PAGE;
	uint64_t l1 = raw_pte(vm, gpa0, 1);
	int rc = gstage_map_chunk(&vm->g, ram, chunk, RWX);
	if (rc == GSTAGE_EBUSY) {
		/* Only a superpage in the way of 4 KiB pages refuses. */
		assert_true((l1 & PTE_V) && pte_is_leaf(l1));
		return;
	}
	assert_int_equal(rc, 0);
	for (uint64_t i = first; i < last; i++) {
		int p = win_page(ram->gpa + i * PAGE);
		assert_true(p >= 0);
		ref[v][p] = ram->hpa[i] | RWX;
	}
}

static void op_unmap(struct tvm *vm, unsigned v)
{
	unsigned p = (unsigned)(rnd() % (NWIN * WIN_PAGES));
	unsigned w = p / WIN_PAGES;
	uint64_t npages;

	switch (rnd() % 5) {
	case 0: npages = 1; break;
	case 1: npages = 1 + rnd() % 8; break;
	case 2: npages = 1 + rnd() % 1024; break;
	case 3: p -= p % 512; npages = 512; break;
	default: p = w * WIN_PAGES; npages = WIN_PAGES; break;
	}
	if (p % WIN_PAGES + npages > WIN_PAGES)
		npages = WIN_PAGES - p % WIN_PAGES;
	uint64_t expect = 0;
	for (uint64_t i = 0; i < npages; i++)
		expect += ref[v][p + i] != 0;
	unsigned f = vm->fences;
	uint64_t tables = vm->g.stats.tables;

	if (rnd() % 16 == 0)
		budget = 0;     /* a split, if one is needed, fails */
	int rc = gstage_unmap(&vm->g, win_gpa(p), npages * PAGE);
	budget = -1;
	if (rc == GSTAGE_ENOMEM) {
		/* Part of it may be gone: take what the tables say. */
		for (uint64_t i = 0; i < npages; i++) {
			struct gstage_leaf l;
			if (!gstage_lookup(&vm->g, win_gpa(p + (unsigned)i), &l))
				ref[v][p + i] = 0;
		}
		return;
	}
	assert_int_equal(rc, (int)expect);
	if (expect == 0 && vm->g.stats.tables >= tables)
		assert_int_equal(vm->fences, f);    /* nothing changed, nothing fenced */
	for (uint64_t i = 0; i < npages; i++)
		ref[v][p + i] = 0;
}

static void random_run(uint64_t seed, unsigned steps)
{
	struct tvm vms[NVMS];
	struct realmap rm;
	unsigned destroyed = 0;

	rng = seed;
	/* Three regions: whole aligned runs at the bottom, scattered frames
	 * across the 1 GiB line, aligned runs at the top of the GPA space. */
	for (unsigned i = 0; i < 1024; i++) {
		ram_hpa[0][i] = 0x200000000ULL + i * PAGE;
		ram_hpa[1][i] = 0x300000000ULL + ((i * 389) % 1024) * PAGE;
		ram_hpa[2][i] = 0x400000000ULL + i * PAGE;
	}
	realmap_init(&rm);
	assert_int_equal(realmap_add_ram(&rm, 2 * MB, 768, ram_hpa[0]), 0);
	assert_int_equal(realmap_add_ram(&rm, GB - MB, 1024, ram_hpa[1]), 0);
	assert_int_equal(realmap_add_ram(&rm, GSTAGE_GPA_LIMIT - 4 * MB, 1024, ram_hpa[2]), 0);
	memset(ref, 0, sizeof(ref));
	for (unsigned v = 0; v < NVMS; v++)
		vm_create(&vms[v], v + 1);

	for (unsigned step = 0; step < steps; step++) {
		unsigned v = (unsigned)(rnd() % NVMS);
		struct tvm *vm = &vms[v];
		unsigned op = (unsigned)(rnd() % 100);

		if (op < 30)
			op_map_page(vm, v);
		else if (op < 40)
			op_map_2m(vm, v);
		else if (op < 55)
			op_map_chunk(vm, v, &rm);
		else if (op < 75)
			op_unmap(vm, v);
		else if (op < 99) {
			for (unsigned k = 0; k < 16; k++)
				touch(vm, win_gpa((unsigned)(rnd() % (NWIN * WIN_PAGES))) + (rnd() & 0xff8));
		} else {
			vm_destroy(vm);
			vm_create(vm, v + 1);
			memset(ref[v], 0, sizeof(ref[v]));
			destroyed++;
		}
		for (unsigned u = 0; u < NVMS; u++)
			check_vm(&vms[u]);
		for (unsigned k = 0; k < 4; k++)
			check_ref(vm, v, (unsigned)(rnd() % (NWIN * WIN_PAGES)));
		uint64_t held = 0;
		for (unsigned u = 0; u < NVMS; u++)
			held += vms[u].g.stats.tables;
		assert_int_equal(held, (uint64_t)live_pages);   /* no table leaks */
	}
	for (unsigned v = 0; v < NVMS; v++) {
		for (unsigned p = 0; p < NWIN * WIN_PAGES; p++)
			check_ref(&vms[v], v, p);
		vm_destroy(&vms[v]);
	}
	assert_true(destroyed > 0);
}

static void test_gstage_random_sequences(void **state)
{
	(void)state;
	random_run(1, 4000);
	tlb_reset();
	random_run(0xc0ffee, 4000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_gstage_hgatp_fields, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gstage_create_root_16k, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gstage_create_out_of_memory, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gstage_map_page_leaf_bits, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gstage_root_indexed_by_gpa_40_30, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gstage_refuses_gpa_limit_and_bad_args, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gstage_fences_only_removals_and_downgrades, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gstage_map_2m, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gstage_map_out_of_memory, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gstage_unmap_reports_what_it_removed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gstage_unmap_splits_a_superpage, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gstage_unmap_frees_covered_tables, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gstage_model_catches_a_missing_fence, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gstage_map_chunk_like_the_bare_view, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gstage_map_chunk_fills_an_existing_table, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gstage_map_chunk_waits_for_first_touch, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gstage_random_sequences, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
