#include "arch/riscv/pgtable.h"

#include <stddef.h>
#include "arch/riscv/csr.h"

unsigned pt_levels(uint64_t satp_mode)
{
	switch (satp_mode) {
	case SATP_MODE_SV39: return 3;
	case SATP_MODE_SV48: return 4;
	case SATP_MODE_SV57: return 5;
	default: return 0;
	}
}

static uint64_t *pt_descend(const struct pt_mem *m, uint64_t root, unsigned levels,
			    uint64_t va, bool create, unsigned leaf_level)
{
	uint64_t *table = m->table(m->ctx, root);

	for (unsigned level = levels - 1; level > leaf_level; level--) {
		uint64_t *pte = &table[pt_index(va, level)];
		if (!(*pte & PTE_V)) {
			if (!create)
				return NULL;
			uint64_t next = m->alloc(m->ctx);
			if (next == 0)
				return NULL;
			*pte = pte_make(next, PTE_V);
		} else if (pte_is_leaf(*pte)) {
			return NULL;    /* a superpage covers va */
		}
		table = m->table(m->ctx, pte_pa(*pte));
	}
	return &table[pt_index(va, leaf_level)];
}

int pt_map_page(const struct pt_mem *m, uint64_t root, unsigned levels,
		uint64_t va, uint64_t pa, uint64_t flags)
{
	return pt_map_leaf(m, root, levels, va, pa, flags, 0);
}

int pt_map_leaf(const struct pt_mem *m, uint64_t root, unsigned levels,
		uint64_t va, uint64_t pa, uint64_t flags, unsigned level)
{
	if (level >= levels)
		return -1;
	uint64_t *slot = pt_descend(m, root, levels, va, true, level);

	/* A leaf over a table would leak the table and its mappings. */
	if (slot == NULL || ((*slot & PTE_V) && !pte_is_leaf(*slot)))
		return -1;
	*slot = pte_make(pa, flags | PTE_V);
	return 0;
}

uint64_t *pt_leaf_slot(const struct pt_mem *m, uint64_t root, unsigned levels, uint64_t va)
{
	return pt_descend(m, root, levels, va, false, 0);
}

static void pt_free_table(const struct pt_mem *m, uint64_t pa, unsigned level)
{
	uint64_t *table = m->table(m->ctx, pa);

	if (level > 0)
		for (unsigned i = 0; i < PT_ENTRIES; i++)
			if ((table[i] & PTE_V) && !pte_is_leaf(table[i]))
				pt_free_table(m, pte_pa(table[i]), level - 1);
	m->free(m->ctx, pa);
}

void pt_free_subtrees(const struct pt_mem *m, uint64_t root, unsigned levels,
		      unsigned first, unsigned last)
{
	uint64_t *table = m->table(m->ctx, root);

	for (unsigned i = first; i <= last && i < PT_ENTRIES; i++) {
		if ((table[i] & PTE_V) && !pte_is_leaf(table[i]))
			pt_free_table(m, pte_pa(table[i]), levels - 2);
		table[i] = 0;
	}
}
