/*
 * Host address spaces: Trapeze's own (the boot tables) and the roots the
 * CPU walks while a guest runs, filled from the VM's real map table (and,
 * for paging guests, the guest's tables), with Trapeze's one root entry
 * shared in each (layout.h).
 */
#ifndef ARCH_RISCV_MMU_H
#define ARCH_RISCV_MMU_H

#include <stdbool.h>
#include <stdint.h>
#include "arch/riscv/pgtable.h"

/* Host table pages: the direct map, zeroed frames from the frame allocator. */
extern const struct pt_mem mmu_host_mem;

/* Extend the direct map over all of RAM (after the DTB is read). */
void mmu_init(uint64_t ram_end);
/* A new root sharing Trapeze's mappings, with an empty lower half; 0 when out of memory. */
uint64_t mmu_root_create(void);
/* Free the lower half's tables and the root. */
void mmu_root_destroy(uint64_t root);
/* Map one guest page (user-accessible) in a root's lower half: 0, or -1 when out of memory. */
int mmu_map_user(uint64_t root, uint64_t va, uint64_t pa, uint64_t flags);
/* The same for one 2 MiB superpage (va, pa aligned). */
#define MMU_2M (1ULL << 21)
int mmu_map_user_2m(uint64_t root, uint64_t va, uint64_t pa, uint64_t flags);
/* Remove the mapping of va, if any. */
void mmu_unmap_user(uint64_t root, uint64_t va);
/* Put this hart on Trapeze's own address space (the boot tables), e.g.
 * before the tables it ran on are freed, or when it goes idle. */
void mmu_use_trapeze_root(void);
/* satp value for a root and host ASID. */
uint64_t mmu_satp(uint64_t root, uint64_t asid);
/* The host's translation can map va (Sv57 canonical); Trapeze's own
 * region is canonical too, but never mapped for a guest (va_is_trapeze). */
bool mmu_va_canonical(uint64_t va);

#endif
