/*
 * Where Trapeze lives (../shared/design.md, "Where Trapeze lives").
 *
 * Trapeze runs with Sv57 and is linked at VA = PA + KERNEL_VA_OFFSET, which
 * is root entry 384 of Sv57 (VA bits 56:48 = 0x180). All host-physical
 * memory below 512 GiB is mapped there (the direct map), kernel-only
 * (U = 0, G = 1), and nothing else of Trapeze exists in any address space.
 *
 * Why there: 0xff80... is canonical in Sv57 but not in Sv48 or Sv39 (bits
 * 55:47 are not all ones), so no guest running Bare (addresses below 2^56),
 * Sv39 or Sv48 can form an address inside it: their shadows, built in Sv57,
 * leave root entry 384 to Trapeze. Only an Sv57 guest can name it; its
 * accesses there fault and are emulated (the hidden region).
 */
#ifndef ARCH_RISCV_LAYOUT_H
#define ARCH_RISCV_LAYOUT_H

#define KERNEL_VA_OFFSET    0xff80000000000000
#define TRAPEZE_ROOT_INDEX  384     /* Sv57 VPN[4] of KERNEL_VA_OFFSET */
#define PAGE_SHIFT          12
#define PAGE_SIZE           (1ULL << PAGE_SHIFT)
#define HART_STACK_SIZE     (16 * 1024)
#define MAX_HARTS           8

#ifndef __ASSEMBLER__
#include <stdbool.h>
#include <stdint.h>
#include "core/hostmem.h"
/* The direct map (hostmem.h: its offset is KERNEL_VA_OFFSET here, 0 in
 * host unit tests). */
static inline void *phys_to_virt(uint64_t pa) { return hostmem_va(pa); }
static inline uint64_t virt_to_phys(const void *va) { return hostmem_pa(va); }
/* True when va lies in Trapeze's region of the Sv57 address space. */
static inline bool va_is_trapeze(uint64_t va) { return (va >> 48) == (KERNEL_VA_OFFSET >> 48); }
#endif

#endif
