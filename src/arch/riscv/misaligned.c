#include "arch/riscv/misaligned.h"

#include "arch/riscv/csr.h"

#define PAGE_OF(va) ((va) & ~(MISALIGNED_PAGE_SIZE - 1))

struct split {
	const struct misaligned_ops *ops;
	uint64_t va;            /* the access */
	unsigned width;
	uint64_t pa1;           /* page 1: the page of va */
	uint64_t page2;         /* the next page's va, when the access crosses into it */
	uint64_t pa2;
	uint64_t *cause, *tval;
};

static enum misaligned_result fault(const struct split *s, uint64_t cause, uint64_t tval)
{
	*s->cause = cause;
	*s->tval = tval;
	return MISALIGNED_FAULT;
}

/* Where the byte at va lands: both pages are translated by now. */
static uint64_t pa_of(const struct split *s, uint64_t va)
{
	return s->page2 && va >= s->page2 ? s->pa2 + (va - s->page2) : s->pa1 + (va - s->va);
}

/* One memory result: 0 goes on, a fault becomes the access fault at tval. */
static enum misaligned_result part_done(const struct split *s, int r, bool store, uint64_t tval)
{
	if (r == 0)
		return MISALIGNED_DONE;
	if (r == MISALIGNED_HALT)
		return MISALIGNED_HALT;
	return fault(s, store ? EXC_STORE_ACCESS : EXC_LOAD_ACCESS, tval);
}

static enum misaligned_result split_store(struct split *s, uint64_t val)
{
	const struct misaligned_ops *o = s->ops;

	if (s->page2) {
		/* QEMU probes the second page before storing anything. */
		uint64_t c = o->translate(o->ctx, s->page2, (unsigned)(s->va + s->width - s->page2),
					  true, &s->pa2);
		if (c)
			return fault(s, c, s->page2);
	}
	for (unsigned i = 0; i < s->width; i++) {
		int r = o->write(o->ctx, pa_of(s, s->va + i), 1, (val >> (8 * i)) & 0xff);
		enum misaligned_result m = part_done(s, r, true, s->va + i);
		if (m != MISALIGNED_DONE)
			return m;
	}
	return MISALIGNED_DONE;
}

static enum misaligned_result split_load(struct split *s, uint64_t *val)
{
	const struct misaligned_ops *o = s->ops;
	unsigned w = s->width;
	uint64_t part1 = s->va & ~(uint64_t)(w - 1), part2 = part1 + w, lo, hi = 0;
	/* Aligned parts never cross a page: part 1 lies on page 1, part 2
	 * on page 1 or (crossing) at the start of page 2. */
	enum misaligned_result m = part_done(s, o->read(o->ctx, s->pa1 - (s->va - part1), w, &lo),
					     false, part1);
	if (m != MISALIGNED_DONE)
		return m;
	if (s->page2) {
		uint64_t c = o->translate(o->ctx, part2, w, false, &s->pa2);
		if (c)
			return fault(s, c, part2);
	}
	m = part_done(s, o->read(o->ctx, pa_of(s, part2), w, &hi), false, part2);
	if (m != MISALIGNED_DONE)
		return m;
	unsigned shift = 8 * (unsigned)(s->va - part1);
	uint64_t v = (lo >> shift) | (hi << (8 * w - shift));
	*val = w == 8 ? v : v & ((1ULL << (8 * w)) - 1);
	return MISALIGNED_DONE;
}

enum misaligned_result misaligned_access(const struct misaligned_ops *ops, uint64_t va,
					 unsigned width, bool store, uint64_t *val,
					 uint64_t *cause, uint64_t *tval)
{
	struct split s = { .ops = ops, .va = va, .width = width, .cause = cause, .tval = tval };
	uint64_t c = ops->translate(ops->ctx, va, width, store, &s.pa1);

	if (c)
		return fault(&s, c, va);
	if (PAGE_OF(va) != PAGE_OF(va + width - 1))
		s.page2 = PAGE_OF(va) + MISALIGNED_PAGE_SIZE;
	bool aligned = (va & (width - 1)) == 0;
	if (aligned || (!s.page2 && ops->is_ram(ops->ctx, s.pa1))) {
		/* One access (an aligned one never crosses a page). */
		int r = store ? ops->write(ops->ctx, s.pa1, width, *val)
			      : ops->read(ops->ctx, s.pa1, width, val);
		return part_done(&s, r, store, va);
	}
	return store ? split_store(&s, *val) : split_load(&s, val);
}
