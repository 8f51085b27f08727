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
	rm->ram[rm->nram++] = (struct realmap_ram){ gpa, npages, hpa_pages };
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
