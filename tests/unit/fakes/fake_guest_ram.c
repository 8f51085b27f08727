#include "fakes/fake_guest_ram.h"

#include <stdlib.h>
#include <string.h>
#include "core/hostmem.h"
#include "dev/irq.h"

bool fake_irq_level[BOARD_PLIC_SOURCES];
unsigned fake_irq_changes;

struct fake_gram {
	struct vm vm;           /* first */
	uint64_t hpa[FAKE_GRAM_PAGES];
	uint8_t *pages;
};

void irq_line_set(const struct irq_line *l, bool level)
{
	if (l->vm && l->source < BOARD_PLIC_SOURCES && fake_irq_level[l->source] != level) {
		fake_irq_level[l->source] = level;
		fake_irq_changes++;
	}
}

struct vm *fake_gram_create(void)
{
	struct fake_gram *f = calloc(1, sizeof(*f));

	f->pages = aligned_alloc(REALMAP_PAGE_SIZE, FAKE_GRAM_SIZE);
	memset(f->pages, 0, FAKE_GRAM_SIZE);
	for (unsigned i = 0; i < FAKE_GRAM_PAGES; i++)
		f->hpa[i] = hostmem_pa(f->pages + (FAKE_GRAM_PAGES - 1 - i) * REALMAP_PAGE_SIZE);
	realmap_init(&f->vm.realmap);
	realmap_add_ram(&f->vm.realmap, FAKE_GRAM_BASE, FAKE_GRAM_PAGES, f->hpa);
	memset(fake_irq_level, 0, sizeof(fake_irq_level));
	fake_irq_changes = 0;
	return &f->vm;
}

void fake_gram_destroy(struct vm *vm)
{
	struct fake_gram *f = (struct fake_gram *)vm;

	free(f->pages);
	free(f);
}

void *fake_gram_ptr(struct vm *vm, uint64_t gpa)
{
	struct fake_gram *f = (struct fake_gram *)vm;
	uint64_t page = (gpa - FAKE_GRAM_BASE) / REALMAP_PAGE_SIZE;

	return hostmem_va(f->hpa[page] + (gpa & (REALMAP_PAGE_SIZE - 1)));
}

bool fake_gram_host_contains(struct vm *vm, uint64_t pa, uint64_t len)
{
	struct fake_gram *f = (struct fake_gram *)vm;
	uint64_t lo = hostmem_pa(f->pages);

	return pa >= lo && len <= FAKE_GRAM_SIZE && pa - lo <= FAKE_GRAM_SIZE - len;
}
