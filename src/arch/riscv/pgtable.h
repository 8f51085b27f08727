/*
 * RISC-V page tables as data (Privileged ISA v1.12, 4.3-4.6: Sv39, Sv48,
 * Sv57). Pure: table memory is reached through struct pt_mem, so the host
 * unit tests run it over fake memory (style.md 9).
 */
#ifndef ARCH_RISCV_PGTABLE_H
#define ARCH_RISCV_PGTABLE_H

#include <stdbool.h>
#include <stdint.h>

/* PTE bits (4.3.1, Figure 4.18). */
#define PTE_V   (1ULL << 0)
#define PTE_R   (1ULL << 1)
#define PTE_W   (1ULL << 2)
#define PTE_X   (1ULL << 3)
#define PTE_U   (1ULL << 4)
#define PTE_G   (1ULL << 5)
#define PTE_A   (1ULL << 6)
#define PTE_D   (1ULL << 7)
#define PTE_PPN_SHIFT   10
#define PTE_PPN_MASK    ((1ULL << 44) - 1)
#define PT_ENTRIES      512
#define PT_LEVEL_BITS   9

static inline uint64_t pte_make(uint64_t pa, uint64_t flags)
{
	return ((pa >> 12) << PTE_PPN_SHIFT) | flags;
}

static inline uint64_t pte_pa(uint64_t pte)
{
	return ((pte >> PTE_PPN_SHIFT) & PTE_PPN_MASK) << 12;
}

static inline bool pte_is_leaf(uint64_t pte)
{
	return (pte & (PTE_R | PTE_W | PTE_X)) != 0;
}

/* Levels of a satp mode: Sv39 3, Sv48 4, Sv57 5; 0 for Bare or unknown. */
unsigned pt_levels(uint64_t satp_mode);

/* VPN[level] of va; level 0 is the leaf level. */
static inline unsigned pt_index(uint64_t va, unsigned level)
{
	return (unsigned)(va >> (12 + PT_LEVEL_BITS * level)) & (PT_ENTRIES - 1);
}

struct pt_mem {
	void *ctx;
	uint64_t *(*table)(void *ctx, uint64_t pa);     /* pointer to the table at pa */
	uint64_t (*alloc)(void *ctx);                   /* a zeroed table page; 0 when out of memory */
	void (*free)(void *ctx, uint64_t pa);
};

/* Map one 4 KiB page, allocating intermediate tables. Returns 0, or -1 when
 * out of memory or when a superpage already covers va. */
int pt_map_page(const struct pt_mem *m, uint64_t root, unsigned levels,
		uint64_t va, uint64_t pa, uint64_t flags);
/* Map a leaf at level (0: 4 KiB, 1: 2 MiB, ...; va and pa aligned to its
 * size), allocating intermediate tables. 0, or -1 when out of memory, when
 * a superpage covers va, or when a table is already there. */
int pt_map_leaf(const struct pt_mem *m, uint64_t root, unsigned levels,
		uint64_t va, uint64_t pa, uint64_t flags, unsigned level);
/* The 4 KiB leaf slot for va, or NULL when no table reaches it. */
uint64_t *pt_leaf_slot(const struct pt_mem *m, uint64_t root, unsigned levels, uint64_t va);
/* Free the tables below root entries [first, last]; the entries become 0. */
void pt_free_subtrees(const struct pt_mem *m, uint64_t root, unsigned levels,
		      unsigned first, unsigned last);

#endif
