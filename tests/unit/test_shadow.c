/* Shadow page tables over fake host and guest memory: fills, views, A/D,
 * isolation, every SFENCE.VMA form counted, caching and recycling. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "arch/riscv/csr.h"
#include "arch/riscv/layout.h"
#include "arch/riscv/shadow.h"
#include "dev/mmio.h"

/* Host memory: table pages and the VM's RAM pages live in one array. */
#define HOST_PAGES  256
#define HOST_BASE   0x200000000ULL
static uint64_t host[HOST_PAGES][512] __attribute__((aligned(4096)));
static bool host_used[HOST_PAGES];
static unsigned host_allocs, host_frees;

/* Guest RAM: 64 pages at GPA 0x80000000, backed by host pages 192..255. */
#define GUEST_BASE  0x80000000ULL
#define GUEST_PAGES 64
#define GUEST_HOST_FIRST 192
static uint64_t guest_hpa[GUEST_PAGES];
static struct realmap rm;
static struct mmio_device uart = { "uart", NULL, NULL };

static struct shadow_vm sh;
static struct shadow_ops ops;
static unsigned fences, fences_all;
static uint64_t last_fence_va, last_fence_asid;

#define TRAPEZE_ENTRY 0xabcdef01ULL

static uint64_t *host_page(uint64_t pa)
{
	uint64_t i = (pa - HOST_BASE) >> 12;
	assert_true(i < HOST_PAGES);
	return host[i];
}

static uint64_t *t_table(void *ctx, uint64_t pa)
{
	(void)ctx;
	return host_page(pa);
}

static uint64_t t_alloc(void *ctx)
{
	(void)ctx;
	for (unsigned i = 0; i < GUEST_HOST_FIRST; i++) {
		if (!host_used[i]) {
			host_used[i] = true;
			memset(host[i], 0, 4096);
			host_allocs++;
			return HOST_BASE + ((uint64_t)i << 12);
		}
	}
	return 0;
}

static bool table_reaches(uint64_t table, int level, uint64_t pa, bool root);

/* When set, every table page handed back must be out of every shadow
 * table and behind a fence issued since the mark (the remote fence that
 * completes before reuse: issue 13). */
static bool check_frees;
static unsigned fence_mark, checked_frees;

static void t_free(void *ctx, uint64_t pa)
{
	(void)ctx;
	uint64_t i = (pa - HOST_BASE) >> 12;
	assert_true(host_used[i]);
	if (check_frees) {
		for (unsigned c = 0; c < SHADOW_CTX_MAX; c++)
			for (unsigned v = 0; v < SHADOW_VIEWS; v++)
				if (sh.ctx[c].used && sh.ctx[c].root[v] && sh.ctx[c].root[v] != pa)
					assert_false(table_reaches(sh.ctx[c].root[v], 4, pa, true));
		assert_true(fences > fence_mark);
		checked_frees++;
	}
	host_used[i] = false;
	host_frees++;
}

static uint64_t *guest_word(uint64_t gpa)
{
	if (gpa < GUEST_BASE || gpa >= GUEST_BASE + GUEST_PAGES * 4096ULL || (gpa & 7))
		return NULL;
	uint64_t page = (gpa - GUEST_BASE) >> 12;
	return &host_page(guest_hpa[page])[(gpa & 0xfff) / 8];
}

static bool g_read(void *ctx, uint64_t gpa, uint64_t *pte)
{
	(void)ctx;
	uint64_t *p = guest_word(gpa);
	if (!p)
		return false;
	*pte = *p;
	return true;
}

static bool g_cas(void *ctx, uint64_t gpa, uint64_t expected, uint64_t desired)
{
	(void)ctx;
	uint64_t *p = guest_word(gpa);
	if (!p || *p != expected)
		return false;
	*p = desired;
	return true;
}

static void t_fence(void *ctx, uint64_t asid, uint64_t va, bool all)
{
	(void)ctx;
	fences++;
	if (all)
		fences_all++;
	last_fence_va = va;
	last_fence_asid = asid;
}

static int setup(void **state)
{
	(void)state;
	memset(host_used, 0, sizeof(host_used));
	host_allocs = host_frees = fences = fences_all = 0;
	check_frees = false;
	fence_mark = checked_frees = 0;
	realmap_init(&rm);
	for (unsigned i = 0; i < GUEST_PAGES; i++) {
		guest_hpa[i] = HOST_BASE + ((uint64_t)(GUEST_HOST_FIRST + i) << 12);
		memset(host[GUEST_HOST_FIRST + i], 0, 4096);
	}
	assert_int_equal(realmap_add_ram(&rm, GUEST_BASE, GUEST_PAGES, guest_hpa), 0);
	assert_int_equal(realmap_add_mmio(&rm, 0x10000000, 0x100, &uart), 0);
	ops = (struct shadow_ops){
		.host = { NULL, t_table, t_alloc, t_free },
		.guest = { NULL, g_read, g_cas, NULL },
		.trapeze_entry = TRAPEZE_ENTRY,
		.fence = t_fence,
	};
	shadow_init(&sh, &ops, &rm, 100, 64);
	return 0;
}

/* ---- a tiny builder of guest Sv39 tables ------------------------------ */
/* Guest page 0 is the root; pages 1.. are handed out in order. */
static unsigned next_table;

static uint64_t gpage(unsigned i) { return GUEST_BASE + ((uint64_t)i << 12); }

static uint64_t sv39(unsigned asid)
{
	next_table = 1;
	memset(host[GUEST_HOST_FIRST], 0, 4096);
	return (SATP_MODE_SV39 << SATP_MODE_SHIFT) | ((uint64_t)asid << SATP_ASID_SHIFT) | (gpage(0) >> 12);
}

/* Map va -> gpa as a 4 KiB leaf with flags (V added) in the table at root. */
static uint64_t *gmap(uint64_t satp, uint64_t va, uint64_t gpa, uint64_t flags)
{
	uint64_t table = (satp & SATP_PPN_MASK) << 12;

	for (int level = 2; level > 0; level--) {
		uint64_t *pte = guest_word(table + 8 * pt_index(va, level));
		if (!(*pte & PTE_V)) {
			uint64_t t = gpage(next_table++);
			memset(host_page(guest_hpa[(t - GUEST_BASE) >> 12]), 0, 4096);
			*pte = pte_make(t, PTE_V);
		}
		table = pte_pa(*pte);
	}
	uint64_t *leaf = guest_word(table + 8 * pt_index(va, 0));
	*leaf = pte_make(gpa, flags | PTE_V);
	return leaf;
}

/* A fault of a vCPU running in view (S or U) with its sstatus.SUM and MXR:
 * on the view those name, as the engine asks (view_of). */
static enum shadow_result fault(uint64_t satp, enum shadow_view view, uint64_t va,
				enum gpt_access access, bool sum, bool mxr, struct shadow_fault_res *res)
{
	struct shadow_fault_req req = { satp, shadow_view_for(view == SHADOW_VIEW_S, sum, mxr), va,
					 access, false, false };
	struct shadow_fault_res dummy;
	return shadow_fault(&sh, &req, res ? res : &dummy);
}

static uint64_t shadow_pte(uint64_t satp, enum shadow_view view, uint64_t va)
{
	uint64_t root, asid;
	assert_int_equal(shadow_activate(&sh, satp, view, &root, &asid), 0);
	uint64_t *slot = pt_leaf_slot(&ops.host, root, 5, va);
	return slot ? *slot : 0;
}

/* Leaves reachable from a root, skipping Trapeze's entry. */
static unsigned count_leaves(uint64_t table, int level, bool root)
{
	unsigned n = 0;
	uint64_t *t = host_page(table);
	for (unsigned i = 0; i < 512; i++) {
		if ((root && i == TRAPEZE_ROOT_INDEX) || !(t[i] & PTE_V))
			continue;
		if (pte_is_leaf(t[i]))
			n++;
		else if (level > 0)
			n += count_leaves(pte_pa(t[i]), level - 1, false);
	}
	return n;
}

/* A non-leaf entry below table points at pa. */
static bool table_reaches(uint64_t table, int level, uint64_t pa, bool root)
{
	uint64_t *t = host_page(table);
	for (unsigned i = 0; i < 512; i++) {
		if ((root && i == TRAPEZE_ROOT_INDEX) || !(t[i] & PTE_V) || pte_is_leaf(t[i]))
			continue;
		if (pte_pa(t[i]) == pa || (level > 1 && table_reaches(pte_pa(t[i]), level - 1, pa, false)))
			return true;
	}
	return false;
}

static unsigned leaves(uint64_t satp, enum shadow_view view)
{
	uint64_t root, asid;
	assert_int_equal(shadow_activate(&sh, satp, view, &root, &asid), 0);
	return count_leaves(root, 4, true);
}

#define RW  (PTE_R | PTE_W)
#define RWX (PTE_R | PTE_W | PTE_X)

/* ---- tests -------------------------------------------------------------- */

static void test_shadow_activate_caches_per_address_space(void **state)
{
	(void)state;
	uint64_t a = sv39(1), b = a ^ (3ULL << SATP_ASID_SHIFT);
	uint64_t r1, r2, r3, asid1, asid2, asid3;

	assert_int_equal(shadow_activate(&sh, a, SHADOW_VIEW_S, &r1, &asid1), 0);
	assert_int_equal(host_page(r1)[TRAPEZE_ROOT_INDEX], TRAPEZE_ENTRY);
	assert_int_equal(shadow_activate(&sh, b, SHADOW_VIEW_S, &r2, &asid2), 0);
	assert_int_not_equal(r1, r2);
	assert_int_not_equal(asid1, asid2);
	assert_int_equal(shadow_activate(&sh, a, SHADOW_VIEW_U, &r3, &asid3), 0);
	assert_int_not_equal(r3, r1);       /* the U view is another root */
	assert_int_equal(shadow_activate(&sh, a, SHADOW_VIEW_S, &r3, &asid3), 0);
	assert_int_equal(r3, r1);           /* switching back refills nothing */
	assert_int_equal(sh.stats.cache_hits, 1);   /* a, after b */
	assert_int_equal(sh.stats.switches, 3);     /* a, b, a: a view change is no switch */
}

static void test_shadow_load_fill_read_only_until_dirty(void **state)
{
	(void)state;
	uint64_t satp = sv39(1);
	uint64_t *g = gmap(satp, 0x400000, gpage(20), RW);

	assert_int_equal(fault(satp, SHADOW_VIEW_S, 0x400123, GPT_LOAD, false, false, NULL), SHADOW_FILLED);
	uint64_t s = shadow_pte(satp, SHADOW_VIEW_S, 0x400000);
	assert_int_equal(pte_pa(s), guest_hpa[20]);
	assert_true(s & PTE_R);
	assert_false(s & PTE_W);            /* D = 0: the first store must trap */
	assert_true(s & PTE_U);             /* the real CPU runs the guest kernel in U-mode */
	assert_false(s & PTE_X);
	assert_true(*g & PTE_A);
	assert_false(*g & PTE_D);
	assert_int_equal(sh.stats.fills, 1);

	unsigned before = fences;
	assert_int_equal(fault(satp, SHADOW_VIEW_S, 0x400008, GPT_STORE, false, false, NULL), SHADOW_FILLED);
	s = shadow_pte(satp, SHADOW_VIEW_S, 0x400000);
	assert_true(s & PTE_W);
	assert_true(*g & PTE_D);            /* the walker set D as hardware would */
	assert_int_equal(sh.stats.upgrades, 1);
	assert_int_equal(fences, before + 1);   /* the read-only entry may be cached */
}

static void test_shadow_guest_faults_reflected(void **state)
{
	(void)state;
	uint64_t satp = sv39(1);
	struct shadow_fault_res res;

	gmap(satp, 0x400000, gpage(20), PTE_R);
	assert_int_equal(fault(satp, SHADOW_VIEW_S, 0x500000, GPT_LOAD, false, false, &res), SHADOW_GUEST_FAULT);
	assert_int_equal(res.cause, EXC_LOAD_PAGE_FAULT);
	assert_int_equal(fault(satp, SHADOW_VIEW_S, 0x400000, GPT_STORE, false, false, &res), SHADOW_GUEST_FAULT);
	assert_int_equal(res.cause, EXC_STORE_PAGE_FAULT);
	assert_int_equal(fault(satp, SHADOW_VIEW_S, 0x400000, GPT_FETCH, false, false, &res), SHADOW_GUEST_FAULT);
	assert_int_equal(res.cause, EXC_INST_PAGE_FAULT);
	assert_int_equal(leaves(satp, SHADOW_VIEW_S), 0);
	assert_int_equal(sh.stats.guest_faults, 3);
}

static void test_shadow_unbacked_gpa_is_access_fault(void **state)
{
	(void)state;
	uint64_t satp = sv39(1);
	struct shadow_fault_res res;

	gmap(satp, 0x400000, 0x0, RW);                  /* nothing at GPA 0 */
	gmap(satp, 0x401000, GUEST_BASE + GUEST_PAGES * 4096ULL, RW);    /* past RAM */
	assert_int_equal(fault(satp, SHADOW_VIEW_S, 0x400000, GPT_LOAD, false, false, &res), SHADOW_GUEST_FAULT);
	assert_int_equal(res.cause, EXC_LOAD_ACCESS);
	assert_int_equal(fault(satp, SHADOW_VIEW_S, 0x401000, GPT_STORE, false, false, &res), SHADOW_GUEST_FAULT);
	assert_int_equal(res.cause, EXC_STORE_ACCESS);
	assert_int_equal(leaves(satp, SHADOW_VIEW_S), 0);
}

static void test_shadow_mmio_never_mapped(void **state)
{
	(void)state;
	uint64_t satp = sv39(1);
	struct shadow_fault_res res;

	gmap(satp, 0x600000, 0x10000000, RW);
	assert_int_equal(fault(satp, SHADOW_VIEW_S, 0x600005, GPT_LOAD, false, false, &res), SHADOW_MMIO);
	assert_ptr_equal(res.ent.dev, &uart);
	assert_int_equal(res.ent.offset, 5);
	assert_int_equal(res.gpa, 0x10000005);
	assert_int_equal(leaves(satp, SHADOW_VIEW_S), 0);
}

static void test_shadow_never_maps_outside_the_vm(void **state)
{
	(void)state;
	uint64_t satp = sv39(1);

	/* Every guest page, including the page tables themselves, mapped RWX. */
	for (unsigned i = 0; i < GUEST_PAGES; i++)
		gmap(satp, 0x1000000 + i * 4096ULL, gpage(i), RWX | PTE_A | PTE_D);
	for (unsigned i = 0; i < GUEST_PAGES; i++)
		assert_int_equal(fault(satp, SHADOW_VIEW_S, 0x1000000 + i * 4096ULL, GPT_STORE, false, false, NULL),
				 SHADOW_FILLED);
	for (unsigned i = 0; i < GUEST_PAGES; i++) {
		uint64_t pa = pte_pa(shadow_pte(satp, SHADOW_VIEW_S, 0x1000000 + i * 4096ULL));
		assert_true(pa >= HOST_BASE + ((uint64_t)GUEST_HOST_FIRST << 12));
		assert_int_equal(pa, guest_hpa[i]);
	}
}

static void test_shadow_views_and_sum(void **state)
{
	(void)state;
	uint64_t satp = sv39(1);
	struct shadow_fault_res res;

	gmap(satp, 0x10000, gpage(30), RWX | PTE_U | PTE_A | PTE_D);   /* a user page */
	gmap(satp, 0x20000, gpage(31), RWX | PTE_A | PTE_D);           /* a kernel page */
	/* vS, SUM = 0: the user page faults. */
	assert_int_equal(fault(satp, SHADOW_VIEW_S, 0x10000, GPT_LOAD, false, false, &res), SHADOW_GUEST_FAULT);
	assert_int_equal(res.cause, EXC_LOAD_PAGE_FAULT);
	/* vS, SUM = 1: loads and stores work, fetches never. */
	assert_int_equal(fault(satp, SHADOW_VIEW_S, 0x10000, GPT_STORE, true, false, NULL), SHADOW_FILLED);
	uint64_t s = shadow_pte(satp, SHADOW_VIEW_S_SUM, 0x10000);
	assert_true(s & PTE_W);
	assert_false(s & PTE_X);
	assert_int_equal(fault(satp, SHADOW_VIEW_S, 0x10000, GPT_FETCH, true, false, &res), SHADOW_GUEST_FAULT);
	assert_int_equal(res.cause, EXC_INST_PAGE_FAULT);
	assert_int_equal(fault(satp, SHADOW_VIEW_S, 0x20000, GPT_LOAD, true, false, NULL), SHADOW_FILLED);
	/* vU: the kernel page faults, the user page is executable. */
	assert_int_equal(fault(satp, SHADOW_VIEW_U, 0x20000, GPT_LOAD, false, false, &res), SHADOW_GUEST_FAULT);
	assert_int_equal(fault(satp, SHADOW_VIEW_U, 0x10000, GPT_FETCH, false, false, NULL), SHADOW_FILLED);
	assert_true(shadow_pte(satp, SHADOW_VIEW_U, 0x10000) & PTE_X);
	/* The SUM = 0 view never held the user page: SUM clearing drops
	 * nothing, the vCPU runs on that view again. */
	assert_int_equal(leaves(satp, SHADOW_VIEW_S_SUM), 2);
	assert_int_equal(leaves(satp, SHADOW_VIEW_S), 0);
	assert_int_equal(shadow_pte(satp, SHADOW_VIEW_S, 0x10000), 0);
	assert_int_equal(leaves(satp, SHADOW_VIEW_U), 1);
}

/* Issue 13: SUM is per hart. Two vCPUs of one VM share the shadows of an
 * address space; vCPU A runs with SUM = 1 and touches a user page, vCPU
 * B runs with SUM = 0 at the same time: B's root must not map the page
 * (its load traps) and its fill must be the guest's page fault, while
 * A keeps its entry. */
static void test_shadow_sum_of_one_vcpu_never_reaches_another(void **state)
{
	(void)state;
	uint64_t satp = sv39(1);
	uint64_t root_a, root_b, asid_a, asid_b;
	struct shadow_fault_res res;

	gmap(satp, 0x10000, gpage(30), RW | PTE_U | PTE_A | PTE_D);
	gmap(satp, 0x20000, gpage(31), RW | PTE_A | PTE_D);
	/* A: SUM = 1. */
	assert_int_equal(shadow_activate(&sh, satp, shadow_view_for(true, true, false), &root_a, &asid_a), 0);
	assert_int_equal(fault(satp, SHADOW_VIEW_S, 0x10000, GPT_LOAD, true, false, NULL), SHADOW_FILLED);
	/* B: SUM = 0, running on the same address space. */
	assert_int_equal(shadow_activate(&sh, satp, shadow_view_for(true, false, false), &root_b, &asid_b), 0);
	assert_int_not_equal(root_a, root_b);
	assert_int_not_equal(asid_a, asid_b);
	uint64_t *slot = pt_leaf_slot(&ops.host, root_b, 5, 0x10000);
	assert_true(slot == NULL || !(*slot & PTE_V));      /* B's load traps */
	assert_int_equal(fault(satp, SHADOW_VIEW_S, 0x10000, GPT_LOAD, false, false, &res), SHADOW_GUEST_FAULT);
	assert_int_equal(res.cause, EXC_LOAD_PAGE_FAULT);
	/* Both reach the kernel page, each through its own root. */
	assert_int_equal(fault(satp, SHADOW_VIEW_S, 0x20000, GPT_LOAD, false, false, NULL), SHADOW_FILLED);
	assert_int_equal(leaves(satp, SHADOW_VIEW_S), 1);
	/* A's entry is intact: B's SUM = 0 took nothing from it. */
	slot = pt_leaf_slot(&ops.host, root_a, 5, 0x10000);
	assert_non_null(slot);
	assert_true(*slot & PTE_V);
	assert_int_equal(pte_pa(*slot), guest_hpa[30]);
}

/* The same for MXR: A's MXR = 1 makes an execute-only page readable to
 * A alone; B, with MXR = 0, faults on a load from it. */
static void test_shadow_mxr_of_one_vcpu_never_reaches_another(void **state)
{
	(void)state;
	uint64_t satp = sv39(1);
	struct shadow_fault_res res;

	gmap(satp, 0x30000, gpage(32), PTE_X | PTE_A);                  /* supervisor, execute-only */
	gmap(satp, 0x40000, gpage(33), PTE_X | PTE_U | PTE_A);          /* user, execute-only */
	/* S-mode. */
	assert_int_equal(fault(satp, SHADOW_VIEW_S, 0x30000, GPT_LOAD, false, true, NULL), SHADOW_FILLED);
	assert_true(shadow_pte(satp, SHADOW_VIEW_S_MXR, 0x30000) & PTE_R);
	assert_int_equal(fault(satp, SHADOW_VIEW_S, 0x30000, GPT_LOAD, false, false, &res), SHADOW_GUEST_FAULT);
	assert_int_equal(res.cause, EXC_LOAD_PAGE_FAULT);
	assert_int_equal(fault(satp, SHADOW_VIEW_S, 0x30000, GPT_FETCH, false, false, NULL), SHADOW_FILLED);
	assert_false(shadow_pte(satp, SHADOW_VIEW_S, 0x30000) & PTE_R);
	/* SUM and MXR together, in S-mode, on a user page. */
	assert_int_equal(fault(satp, SHADOW_VIEW_S, 0x40000, GPT_LOAD, true, true, NULL), SHADOW_FILLED);
	assert_true(shadow_pte(satp, SHADOW_VIEW_S_SUM_MXR, 0x40000) & PTE_R);
	assert_false(shadow_pte(satp, SHADOW_VIEW_S_SUM_MXR, 0x40000) & PTE_X);
	assert_int_equal(fault(satp, SHADOW_VIEW_S, 0x40000, GPT_LOAD, true, false, &res), SHADOW_GUEST_FAULT);
	/* U-mode: MXR applies there too (4.1.1.2). */
	assert_int_equal(fault(satp, SHADOW_VIEW_U, 0x40000, GPT_LOAD, false, true, NULL), SHADOW_FILLED);
	assert_true(shadow_pte(satp, SHADOW_VIEW_U_MXR, 0x40000) & PTE_R);
	assert_int_equal(fault(satp, SHADOW_VIEW_U, 0x40000, GPT_LOAD, false, false, &res), SHADOW_GUEST_FAULT);
	assert_int_equal(shadow_pte(satp, SHADOW_VIEW_U, 0x40000), 0);
}

static void test_shadow_view_for_every_combination(void **state)
{
	(void)state;
	bool seen[SHADOW_VIEWS] = { false };

	for (unsigned k = 0; k < 8; k++) {
		bool priv_s = k & 1, sum = k & 2, mxr = k & 4;
		enum shadow_view v = shadow_view_for(priv_s, sum, mxr);
		assert_true((unsigned)v < SHADOW_VIEWS);
		assert_int_equal(shadow_view_priv_s(v), priv_s);
		assert_int_equal(shadow_view_sum(v), priv_s && sum);   /* SUM: S-mode only */
		assert_int_equal(shadow_view_mxr(v), mxr);
		seen[v] = true;
	}
	for (unsigned v = 0; v < SHADOW_VIEWS; v++)
		assert_true(seen[v]);
	assert_int_equal(shadow_view_for(true, false, false), SHADOW_VIEW_S);
	assert_int_equal(shadow_view_for(false, true, false), SHADOW_VIEW_U);
}

/* Two address spaces (ASIDs 1 and 2), two pages each; in ASID 1 one page
 * is global. */
static void two_spaces(uint64_t *a, uint64_t *b)
{
	*a = sv39(1);
	gmap(*a, 0x1000, gpage(40), RW | PTE_A | PTE_D);
	gmap(*a, 0x2000, gpage(41), RW | PTE_A | PTE_D | PTE_G);
	/* The second space's tables live in other guest pages. */
	*b = (SATP_MODE_SV39 << SATP_MODE_SHIFT) | (2ULL << SATP_ASID_SHIFT) | (gpage(50) >> 12);
	memset(host[GUEST_HOST_FIRST + 50], 0, 4096);
	next_table = 51;
	gmap(*b, 0x1000, gpage(42), RW | PTE_A | PTE_D);
	gmap(*b, 0x2000, gpage(43), RW | PTE_A | PTE_D);
	for (uint64_t va = 0x1000; va <= 0x2000; va += 0x1000) {
		assert_int_equal(fault(*a, SHADOW_VIEW_S, va, GPT_LOAD, false, false, NULL), SHADOW_FILLED);
		assert_int_equal(fault(*b, SHADOW_VIEW_S, va, GPT_LOAD, false, false, NULL), SHADOW_FILLED);
	}
	assert_int_equal(leaves(*a, SHADOW_VIEW_S), 2);
	assert_int_equal(leaves(*b, SHADOW_VIEW_S), 2);
}

static void test_shadow_flush_one_address_one_asid(void **state)
{
	(void)state;
	uint64_t a, b;
	two_spaces(&a, &b);
	shadow_flush(&sh, 0x1000, false, 1, false);
	assert_int_equal(sh.stats.dropped, 1);
	assert_int_equal(leaves(a, SHADOW_VIEW_S), 1);
	assert_int_equal(leaves(b, SHADOW_VIEW_S), 2);
	shadow_flush(&sh, 0x2000, false, 1, false);     /* global: stays */
	assert_int_equal(sh.stats.dropped, 1);
	assert_int_equal(sh.stats.flush_va_asid, 2);
}

static void test_shadow_flush_one_asid_keeps_globals(void **state)
{
	(void)state;
	uint64_t a, b;
	two_spaces(&a, &b);
	shadow_flush(&sh, 0, true, 1, false);
	assert_int_equal(sh.stats.dropped, 1);
	assert_int_equal(leaves(a, SHADOW_VIEW_S), 1);      /* the global page */
	assert_int_equal(leaves(b, SHADOW_VIEW_S), 2);
	assert_int_equal(sh.stats.flush_asid, 1);
}

static void test_shadow_flush_one_address_all_asids(void **state)
{
	(void)state;
	uint64_t a, b;
	two_spaces(&a, &b);
	shadow_flush(&sh, 0x2000, false, 0, true);
	assert_int_equal(sh.stats.dropped, 2);              /* global one included */
	assert_int_equal(leaves(a, SHADOW_VIEW_S), 1);
	assert_int_equal(leaves(b, SHADOW_VIEW_S), 1);
	assert_int_equal(last_fence_va, 0x2000);
	assert_int_equal(sh.stats.flush_va, 1);
}

static void test_shadow_flush_all(void **state)
{
	(void)state;
	uint64_t a, b;
	two_spaces(&a, &b);
	unsigned tables = (unsigned)sh.stats.table_pages;
	shadow_flush(&sh, 0, true, 0, true);
	assert_int_equal(sh.stats.dropped, 4);
	assert_int_equal(leaves(a, SHADOW_VIEW_S), 0);
	assert_int_equal(leaves(b, SHADOW_VIEW_S), 0);
	assert_true(sh.stats.table_pages < tables);         /* intermediate tables freed */
	assert_int_equal(sh.stats.flush_all, 1);
}

/* A 2 MiB leaf at va (level 1) onto guest-physical GUEST_BASE. */
static void gmap_2m(uint64_t satp, uint64_t va, uint64_t flags)
{
	uint64_t root = (satp & SATP_PPN_MASK) << 12;
	uint64_t *l2 = guest_word(root + 8 * pt_index(va, 2));
	if (!(*l2 & PTE_V)) {
		uint64_t t = gpage(next_table++);
		memset(host_page(guest_hpa[(t - GUEST_BASE) >> 12]), 0, 4096);
		*l2 = pte_make(t, PTE_V);
	}
	*guest_word(pte_pa(*l2) + 8 * pt_index(va, 1)) = pte_make(GUEST_BASE, flags | PTE_V);
}

static void test_shadow_flush_va_covers_whole_superpage(void **state)
{
	(void)state;
	uint64_t satp = sv39(1);

	gmap_2m(satp, 0x200000, RW | PTE_A | PTE_D);
	gmap(satp, 0x600000, gpage(44), RW | PTE_A | PTE_D);     /* an unrelated 4K page */
	assert_int_equal(fault(satp, SHADOW_VIEW_S, 0x200000 + 40 * 4096, GPT_LOAD, false, false, NULL), SHADOW_FILLED);
	assert_int_equal(fault(satp, SHADOW_VIEW_S, 0x200000 + 41 * 4096, GPT_LOAD, false, false, NULL), SHADOW_FILLED);
	assert_int_equal(fault(satp, SHADOW_VIEW_S, 0x600000, GPT_LOAD, false, false, NULL), SHADOW_FILLED);
	assert_int_equal(pte_pa(shadow_pte(satp, SHADOW_VIEW_S, 0x200000 + 41 * 4096)), guest_hpa[41]);
	/* Naming any address of the leaf drops every entry made from it. */
	shadow_flush(&sh, 0x200000, false, 1, false);
	assert_int_equal(sh.stats.dropped, 2);
	assert_int_equal(leaves(satp, SHADOW_VIEW_S), 1);
	/* Flushed once, forgotten: a second flush drops nothing more. */
	shadow_flush(&sh, 0x200000 + 41 * 4096, false, 0, true);
	assert_int_equal(sh.stats.dropped, 2);
}

static void test_shadow_pool_recycles_lru_under_pressure(void **state)
{
	(void)state;
	shadow_init(&sh, &ops, &rm, 100, 12);   /* 12 table pages in all */
	uint64_t satps[4];
	for (unsigned k = 0; k < 4; k++) {
		uint64_t s = (SATP_MODE_SV39 << SATP_MODE_SHIFT) | ((uint64_t)(k + 1) << SATP_ASID_SHIFT) |
			     (gpage(k * 8) >> 12);
		memset(host[GUEST_HOST_FIRST + k * 8], 0, 4096);
		next_table = k * 8 + 1;
		gmap(s, 0x1000, gpage(60), RW | PTE_A | PTE_D);
		satps[k] = s;
	}
	/* Each space needs a root and 4 more tables (Sv57 shadow, one page). */
	for (unsigned k = 0; k < 4; k++)
		assert_int_equal(fault(satps[k], SHADOW_VIEW_S, 0x1000, GPT_LOAD, false, false, NULL), SHADOW_FILLED);
	assert_true(sh.stats.table_pages <= 12);
	assert_true(sh.stats.recycles >= 2);
	/* The most recent one is intact. */
	assert_int_equal(leaves(satps[3], SHADOW_VIEW_S), 1);
	assert_int_equal(host_allocs - host_frees, sh.stats.table_pages);
}

static void test_shadow_one_space_bigger_than_the_pool(void **state)
{
	(void)state;
	shadow_init(&sh, &ops, &rm, 100, 8);
	uint64_t satp = sv39(1);
	/* 1 GiB apart: each fill needs two more shadow tables of its own, so
	 * six of them do not fit in 8 pages with the root and its chain. */
	for (unsigned i = 0; i < 6; i++)
		gmap(satp, ((uint64_t)i << 30) | 0x1000, gpage(50 + i), RW | PTE_A | PTE_D);
	for (unsigned i = 0; i < 6; i++) {
		uint64_t va = ((uint64_t)i << 30) | 0x1000;
		assert_int_equal(fault(satp, SHADOW_VIEW_S, va, GPT_LOAD, false, false, NULL), SHADOW_FILLED);
		assert_int_equal(pte_pa(shadow_pte(satp, SHADOW_VIEW_S, va)), guest_hpa[50 + i]);
		assert_true(sh.stats.table_pages <= 8);
	}
	assert_true(sh.stats.recycles >= 1);    /* the space started over empty */
	assert_true(leaves(satp, SHADOW_VIEW_S) < 6);
}

static void test_shadow_more_spaces_than_slots(void **state)
{
	(void)state;
	uint64_t root, asid;
	for (unsigned k = 0; k < SHADOW_CTX_MAX + 3; k++)
		assert_int_equal(shadow_activate(&sh, sv39(k + 1), SHADOW_VIEW_S, &root, &asid), 0);
	assert_int_equal(sh.stats.recycles, 3);
	shadow_destroy(&sh);
	assert_int_equal(host_allocs, host_frees);      /* nothing leaks */
}

/* Issue 13: an SMP guest's vCPUs share the shadows; the one a vCPU runs
 * on (held) is never recycled under another vCPU's pressure, the LRU
 * unheld one goes instead, and a released hold makes it a candidate
 * again. */
static void test_shadow_held_context_is_never_recycled(void **state)
{
	(void)state;
	uint64_t root, asid, held_root;

	assert_int_equal(shadow_activate(&sh, sv39(1), SHADOW_VIEW_S, &held_root, &asid), 0);
	shadow_hold(&sh, sv39(1), 1);
	/* Every other slot, and more: the oldest, sv39(1), is held. */
	for (unsigned k = 1; k < SHADOW_CTX_MAX + 3; k++)
		assert_int_equal(shadow_activate(&sh, sv39(k + 1), SHADOW_VIEW_S, &root, &asid), 0);
	assert_int_equal(sh.stats.recycles, 3);
	assert_int_equal(shadow_activate(&sh, sv39(1), SHADOW_VIEW_S, &root, &asid), 0);
	assert_int_equal(root, held_root);              /* still there: a cache hit */
	/* Released, and the LRU again: now it goes. */
	shadow_hold(&sh, sv39(1), -1);
	for (unsigned k = 0; k < SHADOW_CTX_MAX; k++)
		assert_int_equal(shadow_activate(&sh, sv39(100 + k), SHADOW_VIEW_S, &root, &asid), 0);
	uint64_t hits = sh.stats.cache_hits;
	assert_int_equal(shadow_activate(&sh, sv39(1), SHADOW_VIEW_S, &root, &asid), 0);
	assert_int_equal(sh.stats.cache_hits, hits);    /* rebuilt: it was recycled */
	/* A hold never goes below zero. */
	shadow_hold(&sh, sv39(1), -1);
	shadow_hold(&sh, sv39(1), -1);
	shadow_destroy(&sh);
	assert_int_equal(host_allocs, host_frees);
}

/* Issue 13: a table page a drop frees must not reach the allocator while
 * a hart may still walk it. Every page handed back (t_free checks) is out
 * of every shadow table and behind a fence issued after the drop began:
 * a whole flush, a superpage's range, an address space recycled under
 * pressure, one that starts over inside its own pool, a destroy. */
static void begin_checked(void)
{
	check_frees = true;
	fence_mark = fences;
}

static void test_shadow_freed_tables_wait_for_the_fence(void **state)
{
	(void)state;
	uint64_t satp = sv39(1);

	gmap(satp, 0x1000, gpage(40), RW | PTE_A | PTE_D);
	gmap(satp, 0x40001000, gpage(41), RW | PTE_A | PTE_D);   /* another 1 GiB: more tables */
	assert_int_equal(fault(satp, SHADOW_VIEW_S, 0x1000, GPT_LOAD, false, false, NULL), SHADOW_FILLED);
	assert_int_equal(fault(satp, SHADOW_VIEW_S, 0x40001000, GPT_LOAD, false, false, NULL), SHADOW_FILLED);
	assert_int_equal(fault(satp, SHADOW_VIEW_U, 0x1000, GPT_LOAD, false, false, NULL), SHADOW_GUEST_FAULT);
	uint64_t pages = sh.stats.table_pages;

	/* SFENCE.VMA x0, x0: the S view's tables (all but its root) go. */
	begin_checked();
	shadow_flush(&sh, 0, true, 0, true);
	assert_int_equal(checked_frees, pages - 1);     /* the root stays (the U fault built none) */
	assert_int_equal(sh.nlimbo, 0);
	assert_int_equal(sh.stats.deferred_frees, pages - 1);
	assert_int_equal(host_allocs - host_frees, sh.stats.table_pages);

	/* A guest superpage's range: the table under it. */
	check_frees = false;
	gmap_2m(satp, 0x200000, RW | PTE_A | PTE_D);
	assert_int_equal(fault(satp, SHADOW_VIEW_S, 0x200000 + 40 * 4096, GPT_LOAD, false, false, NULL), SHADOW_FILLED);
	unsigned before = checked_frees;
	begin_checked();
	shadow_flush(&sh, 0x200000 + 8 * 4096, false, 0, true);
	assert_int_equal(checked_frees, before + 1);
	assert_int_equal(host_allocs - host_frees, sh.stats.table_pages);

	/* Destroyed: roots and all. */
	check_frees = false;
	assert_int_equal(fault(satp, SHADOW_VIEW_S, 0x1000, GPT_LOAD, false, false, NULL), SHADOW_FILLED);
	begin_checked();
	shadow_destroy(&sh);
	assert_int_equal(host_allocs, host_frees);
	assert_int_equal(sh.nlimbo, 0);
}

static void test_shadow_recycled_tables_wait_for_the_fence(void **state)
{
	(void)state;
	/* Pressure across address spaces: the LRU one is recycled. */
	shadow_init(&sh, &ops, &rm, 100, 12);
	uint64_t satps[4];
	for (unsigned k = 0; k < 4; k++) {
		uint64_t s = (SATP_MODE_SV39 << SATP_MODE_SHIFT) | ((uint64_t)(k + 1) << SATP_ASID_SHIFT) |
			     (gpage(k * 8) >> 12);
		memset(host[GUEST_HOST_FIRST + k * 8], 0, 4096);
		next_table = k * 8 + 1;
		gmap(s, 0x1000, gpage(60), RW | PTE_A | PTE_D);
		satps[k] = s;
	}
	begin_checked();
	for (unsigned k = 0; k < 4; k++) {
		fence_mark = fences;
		assert_int_equal(fault(satps[k], SHADOW_VIEW_S, 0x1000, GPT_LOAD, false, false, NULL), SHADOW_FILLED);
	}
	assert_true(sh.stats.recycles >= 2);
	assert_true(checked_frees > 0);
	assert_int_equal(host_allocs - host_frees, sh.stats.table_pages);

	/* One space bigger than the pool starts over inside it. */
	check_frees = false;
	setup(NULL);
	shadow_init(&sh, &ops, &rm, 100, 8);
	uint64_t satp = sv39(1);
	for (unsigned i = 0; i < 6; i++)
		gmap(satp, ((uint64_t)i << 30) | 0x1000, gpage(50 + i), RW | PTE_A | PTE_D);
	begin_checked();
	for (unsigned i = 0; i < 6; i++) {
		fence_mark = fences;
		assert_int_equal(fault(satp, SHADOW_VIEW_S, ((uint64_t)i << 30) | 0x1000, GPT_LOAD, false, false, NULL),
				 SHADOW_FILLED);
	}
	assert_true(sh.stats.recycles >= 1);
	assert_true(checked_frees > 0);
	assert_int_equal(host_allocs - host_frees, sh.stats.table_pages);
}

static void test_shadow_hidden_region_is_emulated(void **state)
{
	(void)state;
	/* An Sv57 guest mapping where Trapeze lives: never filled into root
	 * entry TRAPEZE_ROOT_INDEX, handed back for emulation instead. */
	uint64_t satp = (SATP_MODE_SV57 << SATP_MODE_SHIFT) | (1ULL << SATP_ASID_SHIFT) | (gpage(0) >> 12);
	uint64_t va = KERNEL_VA_OFFSET + 0x3000;
	uint64_t table = gpage(0);
	struct shadow_fault_res res;

	memset(host[GUEST_HOST_FIRST], 0, 4096);
	next_table = 1;
	for (int level = 4; level > 0; level--) {
		uint64_t *pte = guest_word(table + 8 * pt_index(va, level));
		uint64_t t = gpage(next_table++);
		memset(host_page(guest_hpa[(t - GUEST_BASE) >> 12]), 0, 4096);
		*pte = pte_make(t, PTE_V);
		table = t;
	}
	*guest_word(table + 8 * pt_index(va, 0)) = pte_make(gpage(33), PTE_V | RW | PTE_A | PTE_D);
	assert_int_equal(fault(satp, SHADOW_VIEW_S, va + 8, GPT_LOAD, false, false, &res), SHADOW_MMIO);
	assert_int_equal(res.ent.kind, REALMAP_RAM);
	assert_int_equal(res.gpa, gpage(33) + 8);
	uint64_t root, asid;
	shadow_activate(&sh, satp, SHADOW_VIEW_S, &root, &asid);
	assert_int_equal(host_page(root)[TRAPEZE_ROOT_INDEX], TRAPEZE_ENTRY);
}

/* Regression (found by fuzz_shadow): a guest's SFENCE.VMA may name any
 * address, also ones whose root index is Trapeze's; the flush must never
 * walk into Trapeze's tables. */
static void test_shadow_flush_never_walks_trapeze_entry(void **state)
{
	(void)state;
	uint64_t a, b, root, asid;
	two_spaces(&a, &b);
	shadow_flush(&sh, KERNEL_VA_OFFSET + 0x200000, false, 0, true);
	shadow_flush(&sh, 0x0180000000000000ULL, false, 1, false);     /* non-canonical, index 384 */
	shadow_flush(&sh, 0x8000000000000000ULL, false, 0, true);
	assert_int_equal(sh.stats.dropped, 0);
	shadow_activate(&sh, a, SHADOW_VIEW_S, &root, &asid);
	assert_int_equal(host_page(root)[TRAPEZE_ROOT_INDEX], TRAPEZE_ENTRY);
}

/* An SC that store-faults on a read-only (clean) page is completed by the
 * engine after the fill: shadow_fault says when a fill was that upgrade. */
static void test_shadow_upgrade_is_reported(void **state)
{
	(void)state;
	uint64_t satp = sv39(1);
	struct shadow_fault_res res;

	gmap(satp, 0x400000, gpage(20), RW);
	gmap(satp, 0x401000, gpage(21), RW | PTE_A | PTE_D);
	assert_int_equal(fault(satp, SHADOW_VIEW_S, 0x400000, GPT_LOAD, false, false, &res), SHADOW_FILLED);
	assert_false(res.upgraded);
	assert_int_equal(fault(satp, SHADOW_VIEW_S, 0x400000, GPT_STORE, false, false, &res), SHADOW_FILLED);
	assert_true(res.upgraded);
	/* A first touch by a store is a fill, not an upgrade. */
	assert_int_equal(fault(satp, SHADOW_VIEW_S, 0x401000, GPT_STORE, false, false, &res), SHADOW_FILLED);
	assert_false(res.upgraded);
}

static enum shadow_result prefetch(uint64_t satp, uint64_t va)
{
	struct shadow_fault_req req = { satp, SHADOW_VIEW_S, va, GPT_FETCH, true, false };
	struct shadow_fault_res res;
	return shadow_fault(&sh, &req, &res);
}

/* A prefetch fills only what changes nothing the guest can see: A must be
 * set already; it never faults, never sets A, never counts a fault. */
static void test_shadow_prefetch_only_when_invisible(void **state)
{
	(void)state;
	uint64_t satp = sv39(1);
	uint64_t *clean = gmap(satp, 0x400000, gpage(20), PTE_R | PTE_X);
	gmap(satp, 0x401000, gpage(21), PTE_R | PTE_X | PTE_A);
	gmap(satp, 0x402000, gpage(22), PTE_R | PTE_A);             /* not executable */
	gmap(satp, 0x403000, 0x90000000ULL, PTE_R | PTE_X | PTE_A);  /* not RAM */

	assert_int_equal(prefetch(satp, 0x400000), SHADOW_RETRY);
	assert_false(*clean & PTE_A);
	assert_int_equal(shadow_pte(satp, SHADOW_VIEW_S, 0x400000), 0);
	assert_int_equal(prefetch(satp, 0x402000), SHADOW_RETRY);
	assert_int_equal(prefetch(satp, 0x403000), SHADOW_RETRY);
	assert_int_equal(prefetch(satp, 0x404000), SHADOW_RETRY);   /* unmapped */
	assert_int_equal(sh.stats.guest_faults, 0);
	assert_int_equal(prefetch(satp, 0x401000), SHADOW_FILLED);
	uint64_t pte = shadow_pte(satp, SHADOW_VIEW_S, 0x401000);
	assert_int_equal(pte_pa(pte), guest_hpa[21]);
	assert_true(pte & PTE_X);
	assert_int_equal(sh.stats.prefetches, 1);
	assert_int_equal(sh.stats.fills, 0);
	/* Already there: nothing to do. */
	assert_int_equal(prefetch(satp, 0x401000), SHADOW_RETRY);
	assert_int_equal(sh.stats.prefetches, 1);
}

/* ---- patching hooks (patch.h) ---------------------------------------- */
/* One patched frame: guest page 40, its copy host page 150. */
#define PATCHED_GPA (GUEST_BASE + 40 * 4096ULL)
#define COPY_HPA    (HOST_BASE + 150 * 4096ULL)
static unsigned writable_notes;
static uint64_t last_writable_gpa;
static bool patch_on;

static uint64_t t_patch_copy(void *ctx, uint64_t gpa)
{
	(void)ctx;
	assert_int_equal(gpa & 0xfff, 0);
	return patch_on && gpa == PATCHED_GPA ? COPY_HPA : 0;
}

static void t_patch_writable(void *ctx, uint64_t gpa)
{
	(void)ctx;
	writable_notes++;
	last_writable_gpa = gpa;
}

static int setup_patch(void **state)
{
	setup(state);
	host_used[150] = true;      /* the copy is not a table page */
	ops.patch_copy = t_patch_copy;
	ops.patch_writable = t_patch_writable;
	writable_notes = 0;
	patch_on = true;
	return 0;
}

#define KVA 0xffffffff80000000ULL   /* kernel text */
#define AVA 0xffffffc000028000ULL   /* a writable alias of the same frame */

static void test_shadow_patched_frame_runs_copy_execute_only_in_s(void **state)
{
	(void)state;
	uint64_t satp = sv39(1);
	gmap(satp, KVA, PATCHED_GPA, PTE_R | PTE_X | PTE_A | PTE_G);
	assert_int_equal(fault(satp, SHADOW_VIEW_S, KVA, GPT_FETCH, false, false, NULL), SHADOW_FILLED);
	uint64_t s = shadow_pte(satp, SHADOW_VIEW_S, KVA);
	assert_int_equal(pte_pa(s), COPY_HPA);
	assert_true(s & PTE_X);
	assert_false(s & (PTE_R | PTE_W));
	/* A load through it faults (execute-only) and is the engine's: the
	 * walk allows it, the answer is SHADOW_PATCHED, never a loop. */
	struct shadow_fault_res res;
	assert_int_equal(fault(satp, SHADOW_VIEW_S, KVA + 8, GPT_LOAD, false, false, &res), SHADOW_PATCHED);
	assert_int_equal(res.gpa, PATCHED_GPA + 8);
	/* Under MXR the S view reads the original (read-only, executable). */
	assert_int_equal(fault(satp, SHADOW_VIEW_S, KVA, GPT_LOAD, false, true, NULL), SHADOW_FILLED);
	s = shadow_pte(satp, SHADOW_VIEW_S_MXR, KVA);
	assert_int_equal(pte_pa(s), guest_hpa[40]);
	assert_true(s & PTE_R);
	assert_false(s & PTE_W);
}

static void test_shadow_patched_frame_original_in_u_view_never_writable(void **state)
{
	(void)state;
	uint64_t satp = sv39(1);
	gmap(satp, 0x10000, PATCHED_GPA, PTE_R | PTE_W | PTE_X | PTE_U | PTE_A | PTE_D);
	assert_int_equal(fault(satp, SHADOW_VIEW_U, 0x10000, GPT_FETCH, false, false, NULL), SHADOW_FILLED);
	uint64_t u = shadow_pte(satp, SHADOW_VIEW_U, 0x10000);
	assert_int_equal(pte_pa(u), guest_hpa[40]);      /* vU executes the original */
	assert_true(u & PTE_X);
	assert_false(u & PTE_W);
	/* A store from any view is the engine's (it undoes the patches). */
	struct shadow_fault_res res;
	assert_int_equal(fault(satp, SHADOW_VIEW_U, 0x10000, GPT_STORE, false, false, &res), SHADOW_PATCHED);
	assert_int_equal(res.gpa, PATCHED_GPA);
	assert_int_equal(writable_notes, 0);
	/* Unpatched, the same store fills writable and notes it. */
	patch_on = false;
	assert_int_equal(fault(satp, SHADOW_VIEW_U, 0x10000, GPT_STORE, false, false, NULL), SHADOW_FILLED);
	assert_true(shadow_pte(satp, SHADOW_VIEW_U, 0x10000) & PTE_W);
	assert_int_equal(writable_notes, 1);
	assert_int_equal(last_writable_gpa, PATCHED_GPA);
}

static void test_shadow_drop_frame_finds_every_alias(void **state)
{
	(void)state;
	patch_on = false;
	uint64_t a = sv39(1);
	gmap(a, KVA, PATCHED_GPA, PTE_R | PTE_X | PTE_A | PTE_G);
	gmap(a, AVA, PATCHED_GPA, PTE_R | PTE_W | PTE_A | PTE_D | PTE_G);
	gmap(a, AVA + 4096, gpage(41), PTE_R | PTE_W | PTE_A | PTE_D | PTE_G);
	assert_int_equal(fault(a, SHADOW_VIEW_S, KVA, GPT_FETCH, false, false, NULL), SHADOW_FILLED);
	assert_int_equal(fault(a, SHADOW_VIEW_S, AVA, GPT_STORE, false, false, NULL), SHADOW_FILLED);
	assert_int_equal(fault(a, SHADOW_VIEW_S, AVA + 4096, GPT_STORE, false, false, NULL), SHADOW_FILLED);
	/* Only the writable alias of the frame goes when write-protecting. */
	unsigned f0 = fences;
	uint64_t gen = sh.generation;
	assert_int_equal(shadow_drop_frame(&sh, guest_hpa[40], true), 1);
	assert_true(fences > f0);
	assert_true(sh.generation > gen);
	assert_int_equal(shadow_pte(a, SHADOW_VIEW_S, AVA), 0);
	assert_true(shadow_pte(a, SHADOW_VIEW_S, KVA) & PTE_V);
	assert_true(shadow_pte(a, SHADOW_VIEW_S, AVA + 4096) & PTE_W);
	/* All of them when undoing (here: the remaining executable one). */
	assert_int_equal(shadow_drop_frame(&sh, guest_hpa[40], false), 1);
	assert_int_equal(shadow_pte(a, SHADOW_VIEW_S, KVA), 0);
	assert_int_equal(shadow_drop_frame(&sh, guest_hpa[40], false), 0);
}

static void test_shadow_drop_leaf_one_view(void **state)
{
	(void)state;
	uint64_t a = sv39(1);
	gmap(a, 0x10000, gpage(41), PTE_R | PTE_X | PTE_U | PTE_A);
	assert_int_equal(fault(a, SHADOW_VIEW_U, 0x10000, GPT_FETCH, false, false, NULL), SHADOW_FILLED);
	assert_int_equal(fault(a, SHADOW_VIEW_S, 0x10000, GPT_LOAD, true, false, NULL), SHADOW_FILLED);
	assert_true(shadow_pte(a, SHADOW_VIEW_S_SUM, 0x10000) & PTE_V);
	/* Every S view, whatever its SUM and MXR. */
	shadow_drop_leaf(&sh, a, SHADOW_VIEW_S, 0x10000);
	assert_int_equal(shadow_pte(a, SHADOW_VIEW_S_SUM, 0x10000), 0);
	assert_true(shadow_pte(a, SHADOW_VIEW_U, 0x10000) & PTE_V);
	shadow_drop_leaf(&sh, sv39(7), SHADOW_VIEW_U, 0x10000);    /* unknown space: nothing */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_shadow_upgrade_is_reported, setup),
		cmocka_unit_test_setup(test_shadow_prefetch_only_when_invisible, setup),
		cmocka_unit_test_setup(test_shadow_activate_caches_per_address_space, setup),
		cmocka_unit_test_setup(test_shadow_load_fill_read_only_until_dirty, setup),
		cmocka_unit_test_setup(test_shadow_guest_faults_reflected, setup),
		cmocka_unit_test_setup(test_shadow_unbacked_gpa_is_access_fault, setup),
		cmocka_unit_test_setup(test_shadow_mmio_never_mapped, setup),
		cmocka_unit_test_setup(test_shadow_never_maps_outside_the_vm, setup),
		cmocka_unit_test_setup(test_shadow_views_and_sum, setup),
		cmocka_unit_test_setup(test_shadow_sum_of_one_vcpu_never_reaches_another, setup),
		cmocka_unit_test_setup(test_shadow_mxr_of_one_vcpu_never_reaches_another, setup),
		cmocka_unit_test_setup(test_shadow_view_for_every_combination, setup),
		cmocka_unit_test_setup(test_shadow_flush_one_address_one_asid, setup),
		cmocka_unit_test_setup(test_shadow_flush_one_asid_keeps_globals, setup),
		cmocka_unit_test_setup(test_shadow_flush_one_address_all_asids, setup),
		cmocka_unit_test_setup(test_shadow_flush_all, setup),
		cmocka_unit_test_setup(test_shadow_flush_va_covers_whole_superpage, setup),
		cmocka_unit_test_setup(test_shadow_pool_recycles_lru_under_pressure, setup),
		cmocka_unit_test_setup(test_shadow_one_space_bigger_than_the_pool, setup),
		cmocka_unit_test_setup(test_shadow_more_spaces_than_slots, setup),
		cmocka_unit_test_setup(test_shadow_held_context_is_never_recycled, setup),
		cmocka_unit_test_setup(test_shadow_freed_tables_wait_for_the_fence, setup),
		cmocka_unit_test_setup(test_shadow_recycled_tables_wait_for_the_fence, setup),
		cmocka_unit_test_setup(test_shadow_hidden_region_is_emulated, setup),
		cmocka_unit_test_setup(test_shadow_flush_never_walks_trapeze_entry, setup),
		cmocka_unit_test_setup(test_shadow_patched_frame_runs_copy_execute_only_in_s, setup_patch),
		cmocka_unit_test_setup(test_shadow_patched_frame_original_in_u_view_never_writable, setup_patch),
		cmocka_unit_test_setup(test_shadow_drop_frame_finds_every_alias, setup_patch),
		cmocka_unit_test_setup(test_shadow_drop_leaf_one_view, setup_patch),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
