#include "arch/riscv/shadow.h"

#include <stddef.h>
#include "arch/riscv/csr.h"
#include "arch/riscv/layout.h"
#include "arch/riscv/patch_decide.h"

#define SHADOW_LEVELS   5       /* shadows are Sv57, whatever the guest's mode */
#define PAGE_MASK_4K    0xfffULL

/* A VA a shadow can hold: Sv57-canonical (bits 63:57 equal bit 56) and
 * outside Trapeze's root entry. A guest's SFENCE.VMA may name anything. */
static bool shadow_va_ok(uint64_t va)
{
	return (uint64_t)((int64_t)(va << 7) >> 7) == va &&
	       pt_index(va, SHADOW_LEVELS - 1) != TRAPEZE_ROOT_INDEX;
}

enum shadow_drop {
	DROP_ALL,           /* every leaf, tables freed */
	DROP_NONGLOBAL,     /* leaves the guest did not map global */
};

/* Table pages come from the host through this wrapper, which keeps the
 * pool bounded by recycling the least recently used context (never
 * `keep`, the one being filled). */
struct shadow_alloc {
	struct shadow_vm *s;
	struct shadow_ctx *keep;
};

static void shadow_ctx_release(struct shadow_vm *s, struct shadow_ctx *c);

static uint64_t *shadow_table(void *ctx, uint64_t pa)
{
	struct shadow_alloc *a = ctx;

	return a->s->ops->host.table(a->s->ops->host.ctx, pa);
}

static struct shadow_ctx *shadow_lru(struct shadow_vm *s, const struct shadow_ctx *keep)
{
	struct shadow_ctx *lru = NULL;

	for (unsigned i = 0; i < SHADOW_CTX_MAX; i++) {
		struct shadow_ctx *c = &s->ctx[i];
		if (c->used && c != keep && c->holds == 0 &&
		    (lru == NULL || c->last_use < lru->last_use))
			lru = c;
	}
	return lru;
}

static uint64_t shadow_alloc_page(void *ctx)
{
	struct shadow_alloc *a = ctx;
	struct shadow_vm *s = a->s;

	for (;;) {
		uint64_t pa = 0;
		if (s->stats.table_pages < s->page_limit)
			pa = s->ops->host.alloc(s->ops->host.ctx);
		if (pa) {
			s->stats.table_pages++;
			return pa;
		}
		struct shadow_ctx *victim = shadow_lru(s, a->keep);
		if (victim == NULL)
			return 0;
		shadow_ctx_release(s, victim);
		s->stats.recycles++;
	}
}

/*
 * A table page a drop unlinked goes to the limbo, not to the host: until
 * the fence after the drop has completed on every hart, another hart's
 * walk in flight, or its walk cache, may still read it, and a page the
 * allocator handed out again could then be read as a table (Privileged
 * ISA v1.12, 4.2.1: SFENCE.VMA orders the earlier page-table writes, the
 * unlinking, before every later implicit reference to the tables; with
 * rs1 = x0 it covers the non-leaf entries of the ASID, and shadow tables
 * have no global entries). Roots are not freed this way: a root is freed
 * only when no hart has it in satp (shadow_hold), which no fence covers.
 */
static void shadow_free_page(void *ctx, uint64_t pa)
{
	struct shadow_alloc *a = ctx;
	struct shadow_vm *s = a->s;

	/* Every entry of the page is 0 by now; the link has V = 0. */
	s->ops->host.table(s->ops->host.ctx, pa)[0] = s->limbo;
	s->limbo = pa;
	s->nlimbo++;
	s->stats.table_pages--;
}

/* A root: no hart runs on it (never held), nothing walks it. */
static void shadow_free_root(struct shadow_vm *s, uint64_t pa)
{
	s->ops->host.free(s->ops->host.ctx, pa);
	s->stats.table_pages--;
}

/* Drop host TLB entries on every hart; then the pages unlinked before
 * this fence can no longer be reached and go back to the host. */
static void shadow_fence(struct shadow_vm *s, uint64_t asid, uint64_t va, bool all_va)
{
	s->ops->fence(s->ops->ctx, asid, va, all_va);
	while (s->limbo) {
		uint64_t pa = s->limbo;
		uint64_t *t = s->ops->host.table(s->ops->host.ctx, pa);
		s->limbo = t[0];
		t[0] = 0;
		s->nlimbo--;
		s->stats.deferred_frees++;
		s->ops->host.free(s->ops->host.ctx, pa);
	}
}

static struct pt_mem shadow_mem(struct shadow_alloc *a)
{
	return (struct pt_mem){ a, shadow_table, shadow_alloc_page, shadow_free_page };
}

static uint64_t guest_asid(uint64_t satp)
{
	return (satp >> SATP_ASID_SHIFT) & SATP_ASID_MASK;
}

static bool drop_matches(uint64_t pte, enum shadow_drop how)
{
	switch (how) {
	case DROP_ALL: return true;
	case DROP_NONGLOBAL: return !(pte & SHADOW_PTE_GLOBAL);
	}
	return false;
}

/* Remove matching leaves below table (at level); free tables only when
 * everything goes. Returns the number of leaves removed. */
static uint64_t shadow_drop_table(struct shadow_vm *s, const struct pt_mem *m, uint64_t table,
				  unsigned level, enum shadow_drop how, bool is_root)
{
	uint64_t *t = m->table(m->ctx, table);
	uint64_t n = 0;

	for (unsigned i = 0; i < PT_ENTRIES; i++) {
		if (is_root && i == TRAPEZE_ROOT_INDEX)
			continue;       /* Trapeze's own entry is not the guest's */
		if (!(t[i] & PTE_V))
			continue;
		if (pte_is_leaf(t[i])) {
			if (drop_matches(t[i], how)) {
				t[i] = 0;
				n++;
			}
			continue;
		}
		if (level == 0)
			continue;
		uint64_t child = pte_pa(t[i]);
		/* Unlinked first, freed (to the limbo) once emptied. */
		if (how == DROP_ALL)
			t[i] = 0;
		n += shadow_drop_table(s, m, child, level - 1, how, false);
		if (how == DROP_ALL)
			m->free(m->ctx, child);
	}
	return n;
}

static uint64_t shadow_drop_view(struct shadow_vm *s, struct shadow_ctx *c, unsigned view,
				 enum shadow_drop how)
{
	struct shadow_alloc a = { s, c };
	struct pt_mem m = shadow_mem(&a);

	if (c->root[view] == 0)
		return 0;
	uint64_t n = shadow_drop_table(s, &m, c->root[view], SHADOW_LEVELS - 1, how, true);
	shadow_fence(s, c->asid[view], 0, true);
	s->generation++;
	return n;
}

/* Forget a context entirely: its tables, its roots, its TLB entries. */
static void shadow_ctx_release(struct shadow_vm *s, struct shadow_ctx *c)
{
	for (unsigned v = 0; v < SHADOW_VIEWS; v++) {
		if (c->root[v] == 0)
			continue;
		shadow_drop_view(s, c, v, DROP_ALL);
		shadow_free_root(s, c->root[v]);
		c->root[v] = 0;
	}
	c->used = false;
	c->holds = 0;
	s->generation++;
	c->nsuper = 0;
	c->super_overflow = false;
}

void shadow_init(struct shadow_vm *s, const struct shadow_ops *ops, const struct realmap *rm,
		 uint64_t asid_base, uint64_t page_limit)
{
	*s = (struct shadow_vm){ .ops = ops, .realmap = rm, .asid_base = asid_base,
				 .page_limit = page_limit };
	for (unsigned i = 0; i < SHADOW_CTX_MAX; i++)
		for (unsigned v = 0; v < SHADOW_VIEWS; v++)
			s->ctx[i].asid[v] = asid_base ? asid_base + i * SHADOW_VIEWS + v : 0;
}

void shadow_destroy(struct shadow_vm *s)
{
	for (unsigned i = 0; i < SHADOW_CTX_MAX; i++)
		if (s->ctx[i].used)
			shadow_ctx_release(s, &s->ctx[i]);
}

/* The context of guest_satp: the one found last first (every fill and
 * every entry asks, nearly always for the address space running). */
static struct shadow_ctx *shadow_find(struct shadow_vm *s, uint64_t guest_satp)
{
	struct shadow_ctx *last = &s->ctx[s->last_found % SHADOW_CTX_MAX];

	if (last->used && last->guest_satp == guest_satp)
		return last;
	for (unsigned i = 0; i < SHADOW_CTX_MAX; i++)
		if (s->ctx[i].used && s->ctx[i].guest_satp == guest_satp) {
			s->last_found = i;
			return &s->ctx[i];
		}
	return NULL;
}

int shadow_activate(struct shadow_vm *s, uint64_t guest_satp, enum shadow_view view,
		    uint64_t *root, uint64_t *asid)
{
	struct shadow_ctx *c = shadow_find(s, guest_satp);

	if (c) {
		if (c->last_use != s->clock) {
			s->stats.switches++;
			s->stats.cache_hits++;
		}
	} else {
		s->stats.switches++;
		for (unsigned i = 0; i < SHADOW_CTX_MAX && c == NULL; i++)
			if (!s->ctx[i].used)
				c = &s->ctx[i];
		if (c == NULL) {
			c = shadow_lru(s, NULL);
			shadow_ctx_release(s, c);
			s->stats.recycles++;
		}
		c->used = true;
		c->guest_satp = guest_satp;
	}
	c->last_use = ++s->clock;
	if (c->root[view] == 0) {
		struct shadow_alloc a = { s, c };
		uint64_t r = shadow_alloc_page(&a);
		if (r == 0)
			return -1;
		/* Trapeze's entry: the same in every address space (layout.h). */
		s->ops->host.table(s->ops->host.ctx, r)[TRAPEZE_ROOT_INDEX] = s->ops->trapeze_entry;
		c->root[view] = r;
	}
	*root = c->root[view];
	*asid = c->asid[view];
	return 0;
}

void shadow_hold(struct shadow_vm *s, uint64_t guest_satp, int delta)
{
	struct shadow_ctx *c = shadow_find(s, guest_satp);

	if (c && (delta > 0 || c->holds > 0))
		c->holds += delta;
}

/* The permissions a shadow PTE may carry: never wider than the guest's
 * leaf as it allows this view, writable only once D is set (so the first
 * store reaches the walker, which sets D), readable for execute-only pages
 * only under MXR (Privileged ISA v1.12, 4.1.1.2 "Memory Privilege in
 * sstatus"), and never executable for a user page in an S view (SUM
 * allows loads and stores only). */
static uint64_t shadow_perms(uint64_t leaf, enum shadow_view view)
{
	uint64_t p = 0;
	bool mxr = shadow_view_mxr(view);
	bool user_in_s = shadow_view_priv_s(view) && (leaf & PTE_U);

	if ((leaf & PTE_R) || (mxr && (leaf & PTE_X)))
		p |= PTE_R;
	if ((leaf & PTE_R) && (leaf & PTE_W) && (leaf & PTE_D))
		p |= PTE_W;
	if ((leaf & PTE_X) && !user_in_s)
		p |= PTE_X;
	if (leaf & PTE_G)
		p |= SHADOW_PTE_GLOBAL;
	return p;
}

/* A fill needs at most one table per level below the root. When the pool
 * cannot give that, older address spaces are recycled first; when the one
 * being filled is all there is, it starts over empty (its roots stay), so
 * however much a guest maps, it keeps running. */
static void shadow_make_room(struct shadow_vm *s, struct shadow_ctx *c)
{
	while (s->stats.table_pages + (SHADOW_LEVELS - 1) > s->page_limit) {
		struct shadow_ctx *victim = shadow_lru(s, c);
		if (victim == NULL) {
			for (unsigned v = 0; v < SHADOW_VIEWS; v++)
				shadow_drop_view(s, c, v, DROP_ALL);
			c->nsuper = 0;
			c->super_overflow = false;
			s->stats.recycles++;
			return;
		}
		shadow_ctx_release(s, victim);
		s->stats.recycles++;
	}
}

static void shadow_note_super(struct shadow_ctx *c, uint64_t va, unsigned level)
{
	for (unsigned i = 0; i < c->nsuper; i++)
		if (c->super[i].va == va && c->super[i].level == level)
			return;
	if (c->nsuper < SHADOW_SUPER_MAX)
		c->super[c->nsuper++] = (struct shadow_super){ va, level };
	else
		c->super_overflow = true;
}

static uint64_t access_fault(enum gpt_access access)
{
	return access == GPT_FETCH ? EXC_INST_ACCESS :
	       access == GPT_LOAD ? EXC_LOAD_ACCESS : EXC_STORE_ACCESS;
}

/* The root of req's view to fill, and its context (a->keep), with room
 * made in the pool for the fill's tables. -1: no table page. */
static int shadow_fill_root(struct shadow_vm *s, const struct shadow_fault_req *req,
			    struct shadow_alloc *a, uint64_t *root, uint64_t *asid)
{
	if (shadow_activate(s, req->guest_satp, req->view, root, asid))
		return -1;
	*a = (struct shadow_alloc){ s, shadow_find(s, req->guest_satp) };
	shadow_make_room(s, a->keep);
	return 0;
}

/* The x0 page at PATCH_X0_VA in req's view: readable and writable (the
 * x0 sites' loads and stores), never executable, and not global, so any
 * SFENCE.VMA the guest makes for that address drops it: the next x0 site
 * to run there faults, and the walk finds out whether the guest has
 * mapped the page meanwhile. */
static enum shadow_result shadow_fill_x0(struct shadow_vm *s, const struct shadow_fault_req *req)
{
	uint64_t root, asid;
	struct shadow_alloc a;

	if (shadow_fill_root(s, req, &a, &root, &asid))
		return SHADOW_NO_MEMORY;
	struct pt_mem m = shadow_mem(&a);
	uint64_t *slot = pt_leaf_slot(&m, root, SHADOW_LEVELS, PATCH_X0_VA);

	if (slot && (*slot & PTE_V))
		return SHADOW_FILLED;   /* another fault got there first */
	if (pt_map_page(&m, root, SHADOW_LEVELS, PATCH_X0_VA, s->ops->x0_page,
			PTE_V | PTE_U | PTE_R | PTE_W | PTE_A | PTE_D) != 0)
		return SHADOW_NO_MEMORY;
	s->stats.fills++;
	return SHADOW_FILLED;
}

enum shadow_result shadow_fault(struct shadow_vm *s, const struct shadow_fault_req *req,
				struct shadow_fault_res *res)
{
	bool mxr = shadow_view_mxr(req->view);
	struct gpt_walk_req w = {
		.satp = req->guest_satp, .va = req->va, .access = req->access,
		.priv_s = shadow_view_priv_s(req->view), .sum = shadow_view_sum(req->view), .mxr = mxr,
		.update_ad = !req->prefetch,
	};
	struct gpt_walk_res wr;
	uint64_t needed = PTE_A | (req->access == GPT_STORE ? PTE_D : 0);

	res->upgraded = false;
	int walked = gpt_walk(&s->ops->guest, &w, &wr);
	bool x0 = s->ops->x0_page && (req->va & ~PAGE_MASK_4K) == PATCH_X0_VA && w.priv_s;
	if (req->prefetch && (walked != GPT_WALK_OK || (wr.pte & needed) != needed ||
			      realmap_lookup(s->realmap, wr.gpa & ~PAGE_MASK_4K, &res->ent) != REALMAP_RAM ||
			      va_is_trapeze(req->va) || x0))
		return SHADOW_RETRY;
	if (walked == GPT_WALK_RETRY)
		return SHADOW_RETRY;
	if (x0 && walked == GPT_WALK_OK)
		return SHADOW_X0_MAPPED;
	if (x0 && req->x0_site)
		return shadow_fill_x0(s, req);
	if (walked != GPT_WALK_OK) {
		s->stats.guest_faults++;
		res->cause = wr.cause;
		return SHADOW_GUEST_FAULT;
	}
	res->gpa = wr.gpa;
	switch (realmap_lookup(s->realmap, wr.gpa & ~PAGE_MASK_4K, &res->ent)) {
	case REALMAP_NONE:
		s->stats.guest_faults++;
		res->cause = access_fault(req->access);
		return SHADOW_GUEST_FAULT;
	case REALMAP_MMIO:
		res->ent.offset += wr.gpa & PAGE_MASK_4K;
		return SHADOW_MMIO;
	case REALMAP_RAM:
		break;
	}
	if (va_is_trapeze(req->va))
		return SHADOW_MMIO;     /* the hidden region: emulated like a device access */

	uint64_t root, asid;
	struct shadow_alloc a;
	if (shadow_fill_root(s, req, &a, &root, &asid))
		return SHADOW_NO_MEMORY;
	struct shadow_ctx *c = a.keep;
	struct pt_mem m = shadow_mem(&a);
	uint64_t va = req->va & ~PAGE_MASK_4K;
	uint64_t perms = shadow_perms(wr.pte, req->view);
	uint64_t hpa = res->ent.hpa;
	bool patched = false;

	/* A patched frame (patch.h) is never writable through any alias, so
	 * a store reaches Trapeze, which undoes its patches first. S views
	 * execute its copy, execute-only, unless MXR makes executable pages
	 * readable (loads must see the original): loads through such an
	 * entry fault and are completed from the original. */
	uint64_t copy = s->ops->patch_copy ? s->ops->patch_copy(s->ops->ctx, wr.gpa & ~PAGE_MASK_4K) : 0;
	if (copy) {
		if (req->access == GPT_STORE && !req->prefetch)
			return SHADOW_PATCHED;
		perms &= ~PTE_W;
		if (shadow_view_priv_s(req->view) && !mxr && (perms & PTE_X)) {
			hpa = copy;
			perms &= ~PTE_R;
			patched = true;
		}
	}
	if ((perms & PTE_W) && s->ops->patch_writable)
		s->ops->patch_writable(s->ops->ctx, wr.gpa & ~PAGE_MASK_4K);
	uint64_t flags = PTE_U | PTE_A | PTE_D | perms;
	uint64_t pte = pte_make(hpa, PTE_V | flags);
	uint64_t *slot = pt_leaf_slot(&m, root, SHADOW_LEVELS, va);

	if (slot && (*slot & PTE_V)) {
		/* Replacing a live entry (a page made writable once D is set):
		 * the old one may sit in a TLB. */
		if (req->prefetch)
			return SHADOW_RETRY;    /* there already */
		if ((*slot & PTE_W) != (pte & PTE_W)) {
			s->stats.upgrades++;
			res->upgraded = true;
		}
		*slot = pte;
		shadow_fence(s, asid, va, false);
	} else if (pt_map_page(&m, root, SHADOW_LEVELS, va, hpa, flags) != 0) {
		return SHADOW_NO_MEMORY;
	}
	if (wr.level > 0)
		shadow_note_super(c, wr.page_base_va, wr.level);
	if (req->prefetch)
		s->stats.prefetches++;
	else
		s->stats.fills++;
	if (patched && req->access == GPT_LOAD)
		return SHADOW_PATCHED;  /* mapped for execution; this load reads the original */
	return SHADOW_FILLED;
}

static uint64_t shadow_drop_frame_table(struct shadow_vm *s, const struct pt_mem *m, uint64_t table,
					unsigned level, uint64_t hpa, bool writable_only, bool is_root)
{
	uint64_t *t = m->table(m->ctx, table);
	uint64_t n = 0;

	for (unsigned i = 0; i < PT_ENTRIES; i++) {
		if ((is_root && i == TRAPEZE_ROOT_INDEX) || !(t[i] & PTE_V))
			continue;
		if (!pte_is_leaf(t[i])) {
			if (level > 0)
				n += shadow_drop_frame_table(s, m, pte_pa(t[i]), level - 1, hpa,
							     writable_only, false);
			continue;
		}
		if (pte_pa(t[i]) == hpa && (!writable_only || (t[i] & PTE_W))) {
			t[i] = 0;
			n++;
		}
	}
	return n;
}

uint64_t shadow_drop_frame(struct shadow_vm *s, uint64_t hpa, bool writable_only)
{
	uint64_t n = 0;

	for (unsigned i = 0; i < SHADOW_CTX_MAX; i++) {
		struct shadow_ctx *c = &s->ctx[i];
		if (!c->used)
			continue;
		for (unsigned v = 0; v < SHADOW_VIEWS; v++) {
			struct shadow_alloc a = { s, c };
			struct pt_mem m = shadow_mem(&a);
			if (c->root[v] == 0)
				continue;
			uint64_t k = shadow_drop_frame_table(s, &m, c->root[v], SHADOW_LEVELS - 1, hpa,
							     writable_only, true);
			if (k)
				shadow_fence(s, c->asid[v], 0, true);
			n += k;
		}
	}
	if (n)
		s->generation++;
	return n;
}

/* Drop the entry for va in one view if the flush covers it. */
static uint64_t shadow_drop_va(struct shadow_vm *s, struct shadow_ctx *c, unsigned view,
			       uint64_t va, enum shadow_drop how)
{
	struct shadow_alloc a = { s, c };
	struct pt_mem m = shadow_mem(&a);

	/* Trapeze's root entry is not the guest's: never walked, never dropped. */
	if (c->root[view] == 0 || !shadow_va_ok(va))
		return 0;
	uint64_t *slot = pt_leaf_slot(&m, c->root[view], SHADOW_LEVELS, va & ~PAGE_MASK_4K);
	if (slot == NULL || !(*slot & PTE_V) || !drop_matches(*slot, how))
		return 0;
	*slot = 0;
	shadow_fence(s, c->asid[view], va & ~PAGE_MASK_4K, false);
	s->generation++;
	return 1;
}

/* Drop what the shadow holds for the guest superpage at va of this level:
 * with 4 KiB shadow entries, that is the whole subtree under the entry of
 * that level. */
static uint64_t shadow_drop_range(struct shadow_vm *s, struct shadow_ctx *c, unsigned view,
				  uint64_t va, unsigned level, enum shadow_drop how)
{
	struct shadow_alloc a = { s, c };
	struct pt_mem m = shadow_mem(&a);
	uint64_t table = c->root[view], n;

	if (table == 0 || !shadow_va_ok(va))
		return 0;
	for (unsigned l = SHADOW_LEVELS - 1; l > level; l--) {
		uint64_t pte = m.table(m.ctx, table)[pt_index(va, l)];
		if (!(pte & PTE_V) || pte_is_leaf(pte))
			return 0;
		table = pte_pa(pte);
	}
	uint64_t *slot = &m.table(m.ctx, table)[pt_index(va, level)];
	if (!(*slot & PTE_V) || pte_is_leaf(*slot))
		return 0;
	uint64_t child = pte_pa(*slot);
	if (how == DROP_ALL)
		*slot = 0;
	n = shadow_drop_table(s, &m, child, level - 1, how, false);
	if (how == DROP_ALL)
		m.free(m.ctx, child);
	shadow_fence(s, c->asid[view], 0, true);
	s->generation++;
	return n;
}

/* A flush of one address in one context: the 4 KiB entry, and every
 * superpage of the guest that contains the address. */
static uint64_t shadow_flush_va_ctx(struct shadow_vm *s, struct shadow_ctx *c, uint64_t va,
				    enum shadow_drop how)
{
	uint64_t n = 0;

	if (c->super_overflow) {
		for (unsigned v = 0; v < SHADOW_VIEWS; v++)
			n += shadow_drop_view(s, c, v, how);
		if (how == DROP_ALL) {
			c->nsuper = 0;
			c->super_overflow = false;
		}
		return n;
	}
	for (unsigned i = 0; i < c->nsuper; i++) {
		struct shadow_super *sp = &c->super[i];
		uint64_t size = 1ULL << (12 + PT_LEVEL_BITS * sp->level);
		if (va - sp->va >= size)
			continue;
		for (unsigned v = 0; v < SHADOW_VIEWS; v++)
			n += shadow_drop_range(s, c, v, sp->va, sp->level, how);
		if (how == DROP_ALL)
			c->super[i--] = c->super[--c->nsuper];
	}
	for (unsigned v = 0; v < SHADOW_VIEWS; v++)
		n += shadow_drop_va(s, c, v, va, how);
	return n;
}

void shadow_flush(struct shadow_vm *s, uint64_t va, bool all_va, uint64_t asid, bool all_asid)
{
	/* With a specific ASID, global mappings are not ordered (4.2.1). */
	enum shadow_drop how = all_asid ? DROP_ALL : DROP_NONGLOBAL;

	s->generation++;    /* the guest's tables may have changed: cached walks go */
	if (all_va && all_asid)
		s->stats.flush_all++;
	else if (all_va)
		s->stats.flush_asid++;
	else if (all_asid)
		s->stats.flush_va++;
	else
		s->stats.flush_va_asid++;
	for (unsigned i = 0; i < SHADOW_CTX_MAX; i++) {
		struct shadow_ctx *c = &s->ctx[i];
		if (!c->used || (!all_asid && guest_asid(c->guest_satp) != (asid & SATP_ASID_MASK)))
			continue;
		if (!all_va) {
			s->stats.dropped += shadow_flush_va_ctx(s, c, va, how);
			continue;
		}
		for (unsigned v = 0; v < SHADOW_VIEWS; v++)
			s->stats.dropped += shadow_drop_view(s, c, v, how);
		if (how == DROP_ALL) {
			c->nsuper = 0;
			c->super_overflow = false;
		}
	}
}

void shadow_drop_leaf(struct shadow_vm *s, uint64_t guest_satp, enum shadow_view view, uint64_t va)
{
	struct shadow_ctx *c = shadow_find(s, guest_satp);

	if (c == NULL)
		return;
	for (unsigned v = 0; v < SHADOW_VIEWS; v++)
		if (shadow_view_priv_s((enum shadow_view)v) == shadow_view_priv_s(view))
			shadow_drop_va(s, c, v, va, DROP_ALL);
}
