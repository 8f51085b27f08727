/*
 * Early boot: runs at physical addresses with the MMU off, so only
 * PC-relative code (no switch tables, no absolute pointers).
 *
 * One set of static tables serves every translation mode: boot_l39 is a
 * 512-entry table in Sv39 root format; boot_l48 and boot_l57 point their
 * entry 0 (identity, the low half) and entry 511 (the top, where Trapeze
 * lives) at the next level down. So the same VAs resolve whichever mode
 * the CPU accepts, and we try the widest first (Privileged ISA v1.12,
 * 4.1.11: writing an unsupported MODE to satp has no effect).
 */
#include <stdint.h>
#include "arch/riscv/boot.h"
#include "arch/riscv/csr.h"
#include "arch/riscv/layout.h"
#include "arch/riscv/pgtable.h"

uint64_t boot_l39[512] __attribute__((aligned(4096)));
uint64_t boot_l48[512] __attribute__((aligned(4096)));
uint64_t boot_l57[512] __attribute__((aligned(4096)));
uint64_t boot_satp __attribute__((section(".data")));

#define GIB (1ULL << 30)
#define BOOT_DIRECT_MAP_GIB 8   /* extended to all of RAM once the DTB is read */

static uint64_t boot_try_satp(uint64_t mode, uint64_t *root)
{
	uint64_t satp = (mode << SATP_MODE_SHIFT) | ((uint64_t)(uintptr_t)root >> 12);

	__asm__ volatile("sfence.vma; csrw satp, %0; sfence.vma" :: "r"(satp) : "memory");
	return csr_read(satp);
}

uint64_t boot_enable_paging(void)
{
	const uint64_t kernel = PTE_V | PTE_R | PTE_W | PTE_X | PTE_A | PTE_D | PTE_G;
	uint64_t ident = 0x80000000ULL;

	/* Identity gigapage so the instruction after the satp write still fetches. */
	boot_l39[pt_index(ident, 2)] = pte_make(ident, kernel);
	/* The direct map: VA = PA + KERNEL_VA_OFFSET, in gigapages. */
	for (uint64_t g = 0; g < BOOT_DIRECT_MAP_GIB; g++)
		boot_l39[pt_index(KERNEL_VA_OFFSET + g * GIB, 2)] = pte_make(g * GIB, kernel);
	boot_l48[0] = pte_make((uintptr_t)boot_l39, PTE_V);
	boot_l48[511] = pte_make((uintptr_t)boot_l39, PTE_V);
	boot_l57[0] = pte_make((uintptr_t)boot_l48, PTE_V);
	boot_l57[511] = pte_make((uintptr_t)boot_l48, PTE_V);

	uint64_t satp = boot_try_satp(SATP_MODE_SV57, boot_l57);
	if ((satp >> SATP_MODE_SHIFT) != SATP_MODE_SV57)
		satp = boot_try_satp(SATP_MODE_SV48, boot_l48);
	if ((satp >> SATP_MODE_SHIFT) != SATP_MODE_SV48 &&
	    (satp >> SATP_MODE_SHIFT) != SATP_MODE_SV57)
		satp = boot_try_satp(SATP_MODE_SV39, boot_l39);
	boot_satp = satp;
	return satp;
}
