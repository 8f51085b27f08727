/*
 * Host address spaces: Trapeze's own (the boot tables, direct map on top)
 * and the per-VM roots the CPU walks while a guest runs, whose lower half
 * is filled from the VM's real map table and whose top is Trapeze's.
 */
#ifndef ARCH_RISCV_MMU_H
#define ARCH_RISCV_MMU_H

#include <stdint.h>

/* Extend the direct map over all of RAM (after the DTB is read). */
void mmu_init(uint64_t ram_end);
/* A new root sharing Trapeze's mappings, with an empty lower half; 0 when out of memory. */
uint64_t mmu_root_create(void);
/* Free the lower half's tables and the root. */
void mmu_root_destroy(uint64_t root);
/* Map one guest page (user-accessible) in a root's lower half: 0, or -1 when out of memory. */
int mmu_map_user(uint64_t root, uint64_t va, uint64_t pa, uint64_t flags);
/* Remove the mapping of va, if any. */
void mmu_unmap_user(uint64_t root, uint64_t va);
/* satp value for a root and host ASID. */
uint64_t mmu_satp(uint64_t root, uint64_t asid);
/* Highest va (exclusive) of the lower half the guest may use. */
uint64_t mmu_user_limit(void);

#endif
