#include "arch/riscv/gstage.h"

#include <stddef.h>
#include "arch/riscv/pgtable.h"
#include "core/realmap.h"

/* Every leaf: U because "for G-stage address translation, all memory
 * accesses ... are considered to be user-level accesses" (Privileged ISA
 * v1.12, Guest Physical Address Translation); A and D set so that under
 * either A/D scheme the spec allows (Sv32, "A and D bits": a page fault,
 * or a hardware update) the hardware neither faults nor writes our
 * tables. G stays 0: "reserved for future standard use" in G-stage PTEs. */
#define LEAF_FLAGS  (PTE_V | PTE_U | PTE_A | PTE_D)
#define PERM_MASK   (PTE_R | PTE_W | PTE_X)
#define CHUNK_PAGES (REALMAP_CHUNK_SIZE / GSTAGE_PAGE_SIZE)
/* Tables detached by one unmap before they are fenced and freed. */
#define UNMAP_BATCH 16

/* Other harts walk these tables while we change them: whole-entry stores,
 * and a new table's zeroes made visible before the pointer to it. */
static uint64_t pte_read(const uint64_t *e)
{
	return __atomic_load_n(e, __ATOMIC_RELAXED);
}

static void pte_write(uint64_t *e, uint64_t v)
{
	__atomic_store_n(e, v, __ATOMIC_RELEASE);
}

static uint64_t level_size(unsigned level)
{
	return 1ULL << (12 + PT_LEVEL_BITS * level);
}

static void gstage_fence(struct gstage *g, uint64_t gpa, uint64_t size, bool all)
{
	g->stats.fences++;
	g->fence(g->fence_ctx, gpa, size, all);
}

/* The entry for gpa in the table at pa whose entries map `level`; the
 * root's 2048 entries span four pages, asked for one by one. */
static uint64_t *gstage_entry(const struct gstage *g, uint64_t table, unsigned level, uint64_t gpa)
{
	const struct pt_mem *m = &g->mem->pt;

	if (level == GSTAGE_ROOT_LEVEL) {
		unsigned i = (unsigned)(gpa >> 30) & (GSTAGE_ROOT_ENTRIES - 1);
		return &m->table(m->ctx, table + (uint64_t)(i / PT_ENTRIES) * GSTAGE_PAGE_SIZE)[i % PT_ENTRIES];
	}
	return &m->table(m->ctx, table)[pt_index(gpa, level)];
}

/* R, RW, X, RX, RWX: W without R is reserved (Privileged ISA v1.12, Sv32,
 * Table "Encoding of PTE R/W/X fields"). */
static bool perms_valid(uint64_t perms)
{
	return perms != 0 && !(perms & ~PERM_MASK) && !((perms & PTE_W) && !(perms & PTE_R));
}

int gstage_create(struct gstage *g, const struct gstage_mem *mem, gstage_fence_t fence, void *fence_ctx)
{
	*g = (struct gstage){ .mem = mem, .fence = fence, .fence_ctx = fence_ctx };
	g->root = mem->alloc_root(mem->pt.ctx);
	if (g->root == 0)
		return GSTAGE_ENOMEM;
	g->stats.tables = GSTAGE_ROOT_PAGES;
	return 0;
}

void gstage_destroy(struct gstage *g)
{
	const struct pt_mem *m = &g->mem->pt;

	if (g->root == 0)
		return;
	/* Nobody walks the tables any more (the caller's promise), but the
	 * TLBs may still hold them under the VMID. */
	gstage_fence(g, 0, GSTAGE_GPA_LIMIT, true);
	for (unsigned p = 0; p < GSTAGE_ROOT_PAGES; p++)
		pt_free_subtrees(m, g->root + p * GSTAGE_PAGE_SIZE, GSTAGE_LEVELS, 0, PT_ENTRIES - 1);
	g->mem->free_root(m->ctx, g->root);
	g->root = 0;
	g->stats.tables = 0;
}

/* The slot for gpa at `level`, allocating the tables above it. */
static int gstage_slot(struct gstage *g, uint64_t gpa, unsigned level, uint64_t **slot)
{
	const struct pt_mem *m = &g->mem->pt;
	uint64_t table = g->root;

	for (unsigned l = GSTAGE_ROOT_LEVEL; l > level; l--) {
		uint64_t *e = gstage_entry(g, table, l, gpa);
		uint64_t pte = pte_read(e);

		if (!(pte & PTE_V)) {
			uint64_t next = m->alloc(m->ctx);
			if (next == 0)
				return GSTAGE_ENOMEM;
			g->stats.tables++;
			/* Non-leaf PTEs carry V only: D, A and U are reserved there. */
			pte = pte_make(next, PTE_V);
			pte_write(e, pte);
		} else if (pte_is_leaf(pte)) {
			return GSTAGE_EBUSY;
		}
		table = pte_pa(pte);
	}
	*slot = gstage_entry(g, table, level, gpa);
	return 0;
}

static int gstage_set_leaf(struct gstage *g, uint64_t gpa, uint64_t hpa, uint64_t perms, unsigned level)
{
	uint64_t size = level_size(level);
	uint64_t *slot;

	if (g->root == 0 || !perms_valid(perms) || gpa >= GSTAGE_GPA_LIMIT ||
	    hpa >= GSTAGE_HPA_LIMIT || ((gpa | hpa) & (size - 1)))
		return GSTAGE_EINVAL;
	int rc = gstage_slot(g, gpa, level, &slot);
	if (rc)
		return rc;

	uint64_t old = pte_read(slot);
	uint64_t new = pte_make(hpa, perms | LEAF_FLAGS);

	/* A leaf over a table would leak the table and leave its entries
	 * cached beside the leaf. */
	if ((old & PTE_V) && !pte_is_leaf(old))
		return GSTAGE_EBUSY;
	if (old == new)
		return 0;
	/* A hart may use any translation valid since its last fence that
	 * covers the address (Privileged ISA v1.12, SFENCE.VMA): a stale
	 * "invalid" or a stale subset of the permissions only faults, and the
	 * fault handler finds the page mapped (gstage_lookup). */
	if (!(old & PTE_V)) {
		pte_write(slot, new);
		return 0;
	}
	if (pte_pa(old) != hpa) {
		pte_write(slot, 0);
		gstage_fence(g, gpa, size, false);
		pte_write(slot, new);
		return 0;
	}
	pte_write(slot, new);
	if (old & ~new & PERM_MASK)
		gstage_fence(g, gpa, size, false);
	return 0;
}

int gstage_map_page(struct gstage *g, uint64_t gpa, uint64_t hpa, uint64_t perms)
{
	return gstage_set_leaf(g, gpa, hpa, perms, 0);
}

int gstage_map_2m(struct gstage *g, uint64_t gpa, uint64_t hpa, uint64_t perms)
{
	return gstage_set_leaf(g, gpa, hpa, perms, 1);
}

int gstage_map_chunk(struct gstage *g, const struct realmap_ram *r, uint64_t chunk, uint64_t perms)
{
	uint64_t first, last;

	if (chunk >= realmap_chunk_count(r) || !realmap_chunk_ready(r, chunk))
		return GSTAGE_EINVAL;
	realmap_chunk_pages(r, chunk, &first, &last);
	uint64_t gpa = r->gpa + first * GSTAGE_PAGE_SIZE;
	bool run = last - first == CHUNK_PAGES && (gpa & (GSTAGE_2M - 1)) == 0 &&
		   (r->hpa[first] & (GSTAGE_2M - 1)) == 0;
	for (uint64_t i = first + 1; run && i < last; i++)
		run = r->hpa[i] == r->hpa[first] + (i - first) * GSTAGE_PAGE_SIZE;
	if (run) {
		int rc = gstage_set_leaf(g, gpa, r->hpa[first], perms, 1);
		if (rc != GSTAGE_EBUSY) {
			g->stats.chunks_2m += rc == 0;
			return rc;
		}
		/* A table is there already (pages mapped one by one, or a
		 * split): fill it rather than fence and free it. */
	}
	for (uint64_t i = first; i < last; i++) {
		int rc = gstage_set_leaf(g, r->gpa + i * GSTAGE_PAGE_SIZE, r->hpa[i], perms, 0);
		if (rc)
			return rc;
	}
	g->stats.chunks_4k++;
	return 0;
}

int gstage_map_ram(struct gstage *g, const struct realmap *rm, uint64_t gpa, uint64_t perms)
{
	struct realmap_entry e;

	/* The lookup makes the chunk ready (zeroed) if it was not. */
	if (realmap_lookup(rm, gpa, &e) != REALMAP_RAM)
		return GSTAGE_EINVAL;
	for (unsigned i = 0; i < rm->nram; i++) {
		const struct realmap_ram *r = &rm->ram[i];
		if (gpa >= r->gpa && (gpa - r->gpa) / GSTAGE_PAGE_SIZE < r->npages)
			return gstage_map_chunk(g, r, (gpa >> REALMAP_CHUNK_SHIFT) -
						(r->gpa >> REALMAP_CHUNK_SHIFT), perms);
	}
	return GSTAGE_EINVAL;
}

/* What one unmap removed and still has to fence and free. */
struct unmap_state {
	uint64_t pages;                 /* 4 KiB pages unmapped */
	uint64_t lo, hi;                /* leaves removed since the last fence */
	unsigned ndetached;
	struct { uint64_t pa; unsigned level; } detached[UNMAP_BATCH];
};

/* Fence what was removed, then free the detached tables: a hart may walk
 * a detached table until the fence, and only a fence of every level drops
 * cached pointers to it. */
static void unmap_flush(struct gstage *g, struct unmap_state *u)
{
	const struct pt_mem *m = &g->mem->pt;

	if (u->ndetached)
		gstage_fence(g, 0, GSTAGE_GPA_LIMIT, true);
	else if (u->lo < u->hi)
		gstage_fence(g, u->lo, u->hi - u->lo, false);
	for (unsigned i = 0; i < u->ndetached; i++) {
		/* The table's entries map detached[i].level. */
		if (u->detached[i].level > 0)
			pt_free_subtrees(m, u->detached[i].pa, u->detached[i].level + 1, 0, PT_ENTRIES - 1);
		m->free(m->ctx, u->detached[i].pa);
	}
	u->ndetached = 0;
	u->lo = UINT64_MAX;
	u->hi = 0;
}

/* 4 KiB pages mapped by the table at pa, whose entries map `level`, and
 * (into *tables) how many table pages it and its subtables make. */
static uint64_t count_subtree(const struct gstage *g, uint64_t pa, unsigned level, uint64_t *tables)
{
	const uint64_t *t = g->mem->pt.table(g->mem->pt.ctx, pa);
	uint64_t n = 0;

	++*tables;
	for (unsigned i = 0; i < PT_ENTRIES; i++) {
		uint64_t pte = pte_read(&t[i]);
		if (!(pte & PTE_V))
			continue;
		if (pte_is_leaf(pte))
			n += level_size(level) / GSTAGE_PAGE_SIZE;
		else if (level > 0)
			n += count_subtree(g, pte_pa(pte), level - 1, tables);
	}
	return n;
}

/* Replace the leaf at e (mapping `level`) by a table of leaves one level
 * down that map the same: the translation does not change, no fence. */
static int gstage_split(struct gstage *g, uint64_t *e, uint64_t pte, unsigned level)
{
	const struct pt_mem *m = &g->mem->pt;
	uint64_t pa = m->alloc(m->ctx);

	if (pa == 0)
		return GSTAGE_ENOMEM;
	uint64_t *t = m->table(m->ctx, pa);
	uint64_t flags = pte & ((1ULL << PTE_PPN_SHIFT) - 1);
	for (unsigned i = 0; i < PT_ENTRIES; i++)
		t[i] = pte_make(pte_pa(pte) + i * level_size(level - 1), flags);
	pte_write(e, pte_make(pa, PTE_V));
	g->stats.tables++;
	g->stats.splits++;
	return 0;
}

/* Unmap [lo, hi), which lies within the table at pa (entries mapping `level`). */
static int unmap_range(struct gstage *g, uint64_t table, unsigned level, uint64_t lo, uint64_t hi,
		       struct unmap_state *u)
{
	uint64_t span = level_size(level);

	for (uint64_t a = lo; a < hi; ) {
		uint64_t base = a & ~(span - 1);
		uint64_t stop = base + span < hi ? base + span : hi;
		uint64_t *e = gstage_entry(g, table, level, a);
		uint64_t pte = pte_read(e);

		if (!(pte & PTE_V)) {
			a = stop;
			continue;
		}
		if (a == base && stop == base + span) {
			pte_write(e, 0);
			if (pte_is_leaf(pte)) {
				u->pages += span / GSTAGE_PAGE_SIZE;
				u->lo = base < u->lo ? base : u->lo;
				u->hi = stop > u->hi ? stop : u->hi;
			} else {
				uint64_t tables = 0;

				u->pages += count_subtree(g, pte_pa(pte), level - 1, &tables);
				g->stats.tables -= tables;
				u->detached[u->ndetached].pa = pte_pa(pte);
				u->detached[u->ndetached].level = level - 1;
				if (++u->ndetached == UNMAP_BATCH)
					unmap_flush(g, u);
			}
		} else {
			if (pte_is_leaf(pte)) {
				int rc = gstage_split(g, e, pte, level);
				if (rc)
					return rc;
				pte = pte_read(e);
			}
			int rc = unmap_range(g, pte_pa(pte), level - 1, a, stop, u);
			if (rc)
				return rc;
		}
		a = stop;
	}
	return 0;
}

int gstage_unmap(struct gstage *g, uint64_t gpa, uint64_t size)
{
	struct unmap_state u = { .lo = UINT64_MAX };

	if (g->root == 0 || ((gpa | size) & (GSTAGE_PAGE_SIZE - 1)) ||
	    gpa >= GSTAGE_GPA_LIMIT || size > GSTAGE_GPA_LIMIT - gpa)
		return GSTAGE_EINVAL;
	int rc = unmap_range(g, g->root, GSTAGE_ROOT_LEVEL, gpa, gpa + size, &u);
	unmap_flush(g, &u);
	return rc ? rc : (int)u.pages;
}

bool gstage_lookup(const struct gstage *g, uint64_t gpa, struct gstage_leaf *out)
{
	uint64_t table = g->root;

	if (table == 0 || gpa >= GSTAGE_GPA_LIMIT)
		return false;
	for (unsigned level = GSTAGE_ROOT_LEVEL; ; level--) {
		uint64_t pte = pte_read(gstage_entry(g, table, level, gpa));

		if (!(pte & PTE_V))
			return false;
		if (pte_is_leaf(pte)) {
			uint64_t size = level_size(level);
			*out = (struct gstage_leaf){
				.hpa = pte_pa(pte) + (gpa & (size - 1)),
				.perms = pte & PERM_MASK,
				.level = level,
			};
			return true;
		}
		if (level == 0)
			return false;   /* a pointer at level 0: never ours */
		table = pte_pa(pte);
	}
}

uint64_t gstage_hgatp(uint64_t root, uint64_t vmid)
{
	/* The PPN's two low bits are zero for Sv39x4 (hgatp): a root not 16
	 * KiB aligned would be walked from the wrong place. */
	if (root == 0 || (root & (GSTAGE_ROOT_SIZE - 1)) || (root >> 12) > HGATP_PPN_MASK ||
	    vmid > HGATP_VMID_MASK)
		return 0;
	return (HGATP_MODE_SV39X4 << HGATP_MODE_SHIFT) | (vmid << HGATP_VMID_SHIFT) | (root >> 12);
}
