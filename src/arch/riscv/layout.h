/*
 * Where Trapeze lives (../shared/design.md, "Where Trapeze lives").
 *
 * Trapeze is linked and runs at VA = PA + KERNEL_VA_OFFSET, the top 256 GiB
 * of every RISC-V translation mode (Sv39 root entries 256-511; in Sv48 and
 * Sv57 that is below root entry 511). All of host-physical memory below
 * 256 GiB is mapped there too (the direct map), kernel-only (U = 0). A guest
 * gets the lower half: in Bare mode every guest-physical address a guest can
 * form on a 56-bit-PA machine is below 2^56, i.e. in the lower half of Sv57,
 * so Trapeze's region is outside every address the guest can form.
 */
#ifndef ARCH_RISCV_LAYOUT_H
#define ARCH_RISCV_LAYOUT_H

#define KERNEL_VA_OFFSET    0xffffffc000000000ULL
#define PAGE_SHIFT          12
#define PAGE_SIZE           (1ULL << PAGE_SHIFT)
#define HART_STACK_SIZE     (16 * 1024)
#define MAX_HARTS           8

#ifndef __ASSEMBLER__
#include <stdint.h>
static inline void *phys_to_virt(uint64_t pa) { return (void *)(uintptr_t)(pa + KERNEL_VA_OFFSET); }
static inline uint64_t virt_to_phys(const void *va) { return (uint64_t)(uintptr_t)va - KERNEL_VA_OFFSET; }
#endif

#endif
