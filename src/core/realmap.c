#include "core/realmap.h"

#include <stddef.h>

void realmap_init(struct realmap *rm)
{
	rm->nram = 0;
	rm->nmmio = 0;
}

/* Half-open ranges [a, a+as) and [b, b+bs) intersect; sizes never wrap. */
static bool ranges_overlap(uint64_t a, uint64_t as, uint64_t b, uint64_t bs)
{
	return a < b + bs && b < a + as;
}

static bool realmap_is_free(const struct realmap *rm, uint64_t gpa, uint64_t size)
{
	for (unsigned i = 0; i < rm->nram; i++)
		if (ranges_overlap(gpa, size, rm->ram[i].gpa,
				   rm->ram[i].npages << REALMAP_PAGE_SHIFT))
			return false;
	for (unsigned i = 0; i < rm->nmmio; i++)
		if (ranges_overlap(gpa, size, rm->mmio[i].gpa, rm->mmio[i].size))
			return false;
	return true;
}

int realmap_add_ram(struct realmap *rm, uint64_t gpa, uint64_t npages, uint64_t *hpa_pages)
{
	if (rm->nram == REALMAP_MAX_RAM || npages == 0 || hpa_pages == NULL ||
	    (gpa & (REALMAP_PAGE_SIZE - 1)) || npages > (UINT64_MAX - gpa) >> REALMAP_PAGE_SHIFT)
		return -1;
	if (!realmap_is_free(rm, gpa, npages << REALMAP_PAGE_SHIFT))
		return -1;
	rm->ram[rm->nram++] = (struct realmap_ram){ gpa, npages, hpa_pages, NULL };
	return 0;
}

int realmap_add_mmio(struct realmap *rm, uint64_t gpa, uint64_t size, struct mmio_device *dev)
{
	if (rm->nmmio == REALMAP_MAX_MMIO || size == 0 || size > UINT64_MAX - gpa)
		return -1;
	if (!realmap_is_free(rm, gpa, size))
		return -1;
	rm->mmio[rm->nmmio++] = (struct realmap_mmio){ gpa, size, dev };
	return 0;
}

enum realmap_kind realmap_lookup(const struct realmap *rm, uint64_t gpa, struct realmap_entry *out)
{
	for (unsigned i = 0; i < rm->nram; i++) {
		const struct realmap_ram *r = &rm->ram[i];
		if (gpa >= r->gpa && ((gpa - r->gpa) >> REALMAP_PAGE_SHIFT) < r->npages) {
			uint64_t page = (gpa - r->gpa) >> REALMAP_PAGE_SHIFT;
			uint64_t chunk = (gpa >> REALMAP_CHUNK_SHIFT) - (r->gpa >> REALMAP_CHUNK_SHIFT);
			if (!realmap_chunk_ready(r, chunk) && rm->first_touch)
				rm->first_touch(rm->touch_ctx, (struct realmap_ram *)r, chunk);
			*out = (struct realmap_entry){
				.kind = REALMAP_RAM,
				.hpa = r->hpa[page] + (gpa & (REALMAP_PAGE_SIZE - 1)),
			};
			return REALMAP_RAM;
		}
	}
	for (unsigned i = 0; i < rm->nmmio; i++) {
		const struct realmap_mmio *m = &rm->mmio[i];
		if (gpa >= m->gpa && gpa - m->gpa < m->size) {
			*out = (struct realmap_entry){
				.kind = REALMAP_MMIO, .dev = m->dev,
				.mmio_slot = i, .offset = gpa - m->gpa,
			};
			return REALMAP_MMIO;
		}
	}
	*out = (struct realmap_entry){ .kind = REALMAP_NONE };
	return REALMAP_NONE;
}

uint64_t realmap_ram_hpa(const struct realmap *rm, uint64_t gpa, uint64_t len)
{
	struct realmap_entry e;

	if (len == 0 || len > REALMAP_PAGE_SIZE ||
	    ((gpa & (REALMAP_PAGE_SIZE - 1)) + len) > REALMAP_PAGE_SIZE)
		return 0;
	if (realmap_lookup(rm, gpa, &e) != REALMAP_RAM)
		return 0;
	return e.hpa;
}

bool realmap_ram_range(const struct realmap *rm, uint64_t gpa, uint64_t len)
{
	if (len == 0 || gpa > UINT64_MAX - (len - 1))
		return false;
	/* RAM regions never overlap but may touch: walk from the region holding
	 * gpa to the one starting where it ends, at most nram steps. */
	for (unsigned step = 0; step <= rm->nram; step++) {
		const struct realmap_ram *r = NULL;
		uint64_t avail;

		for (unsigned i = 0; i < rm->nram && i < REALMAP_MAX_RAM; i++)
			if (gpa >= rm->ram[i].gpa &&
			    (gpa - rm->ram[i].gpa) >> REALMAP_PAGE_SHIFT < rm->ram[i].npages)
				r = &rm->ram[i];
		if (!r)
			return false;
		avail = r->gpa + (r->npages << REALMAP_PAGE_SHIFT) - gpa;
		if (len <= avail)
			return true;
		gpa += avail;
		len -= avail;
	}
	return false;
}

uint64_t realmap_chunk_count(const struct realmap_ram *r)
{
	uint64_t end = r->gpa + (r->npages << REALMAP_PAGE_SHIFT) - 1;

	return r->npages ? (end >> REALMAP_CHUNK_SHIFT) - (r->gpa >> REALMAP_CHUNK_SHIFT) + 1 : 0;
}

void realmap_chunk_pages(const struct realmap_ram *r, uint64_t c, uint64_t *first, uint64_t *last)
{
	/* Inclusive ends: a chunk or region at the top of the address space
	 * must not wrap to 0. */
	uint64_t start = ((r->gpa >> REALMAP_CHUNK_SHIFT) + c) << REALMAP_CHUNK_SHIFT;
	uint64_t end = start + (REALMAP_CHUNK_SIZE - 1);
	uint64_t rend = r->gpa + ((r->npages << REALMAP_PAGE_SHIFT) - 1);

	if (start < r->gpa)
		start = r->gpa;
	if (end > rend)
		end = rend;
	if (r->npages == 0 || start > end) {
		*first = *last = 0;
		return;
	}
	*first = (start - r->gpa) >> REALMAP_PAGE_SHIFT;
	*last = ((end - r->gpa) >> REALMAP_PAGE_SHIFT) + 1;
}

bool realmap_chunk_ready(const struct realmap_ram *r, uint64_t c)
{
	return r->ready == NULL ||
	       (__atomic_load_n(&r->ready[c / 64], __ATOMIC_ACQUIRE) >> (c % 64)) & 1;
}
