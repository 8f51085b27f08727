/*
 * Early boot: runs at physical addresses with the MMU off, so only
 * PC-relative code (no switch tables, no absolute pointers).
 *
 * Trapeze needs Sv57 (see layout.h). One table of gigapages, boot_l39,
 * maps entry i to physical i GiB; reached through entry 0 of boot_l48 it
 * is the identity map of low memory (so the instruction after the satp
 * write still fetches), and through boot_l57[TRAPEZE_ROOT_INDEX] it is the
 * direct map at KERNEL_VA_OFFSET. Afterwards boot_l57 stays Trapeze's own
 * address space (the idle one), and its entry TRAPEZE_ROOT_INDEX is copied
 * into every address space a guest runs in.
 */
#include <stdint.h>
#include "arch/riscv/boot.h"
#include "arch/riscv/csr.h"
#include "arch/riscv/layout.h"
#include "arch/riscv/pgtable.h"
#include "arch/riscv/sbi_host.h"

uint64_t boot_l39[512] __attribute__((aligned(4096)));
uint64_t boot_l48[512] __attribute__((aligned(4096)));
uint64_t boot_l57[512] __attribute__((aligned(4096)));
uint64_t boot_satp __attribute__((section(".data")));
uint64_t boot_satp_modes __attribute__((section(".data")));
uint64_t boot_asid_mask __attribute__((section(".data")));

#define GIB (1ULL << 30)
#define BOOT_DIRECT_MAP_GIB 8   /* extended to all of RAM once the DTB is read */

/* Nothing else can print yet: the firmware's legacy console, then off. */
static void boot_fail_no_sv57(void)
{
	static const char msg[] = "trapeze: this CPU has no Sv57; Trapeze needs it\n";

	for (const char *p = msg; *p; p++)
		sbi_host_call(1, 0, (uint64_t)*p, 0, 0);
	sbi_host_call(SBI_HOST_EXT_SRST, 0, 0, 1, 0);
	for (;;)
		__asm__ volatile("wfi");
}

uint64_t boot_enable_paging(void)
{
	const uint64_t kernel = PTE_V | PTE_R | PTE_W | PTE_X | PTE_A | PTE_D | PTE_G;

	for (uint64_t g = 0; g < BOOT_DIRECT_MAP_GIB; g++)
		boot_l39[g] = pte_make(g * GIB, kernel);
	boot_l48[0] = pte_make((uintptr_t)boot_l39, PTE_V);
	boot_l57[0] = pte_make((uintptr_t)boot_l48, PTE_V);
	boot_l57[TRAPEZE_ROOT_INDEX] = pte_make((uintptr_t)boot_l48, PTE_V);

	/* Which modes the CPU accepts, for the guests' satp (Privileged ISA
	 * v1.12, 4.1.11: an unsupported MODE leaves satp unchanged). Each
	 * table reaches the identity map we run from, so every mode runs. */
	uint64_t *roots[] = { boot_l39, boot_l48, boot_l57 };
	boot_satp_modes = 1ULL << SATP_MODE_BARE;
	for (uint64_t m = SATP_MODE_SV39; m <= SATP_MODE_SV57; m++) {
		uint64_t want = (m << SATP_MODE_SHIFT) | ((uintptr_t)roots[m - SATP_MODE_SV39] >> 12);
		__asm__ volatile("sfence.vma; csrw satp, %0; sfence.vma" :: "r"(want) : "memory");
		if (csr_read(satp) == want)
			boot_satp_modes |= 1ULL << m;
		csr_write(satp, 0);
	}
	if (!(boot_satp_modes & (1ULL << SATP_MODE_SV57)))
		boot_fail_no_sv57();

	uint64_t satp = (SATP_MODE_SV57 << SATP_MODE_SHIFT) | ((uintptr_t)boot_l57 >> 12);
	/* ASIDLEN: the ASID bits that keep a written 1. */
	__asm__ volatile("sfence.vma; csrw satp, %0; sfence.vma" ::
			 "r"(satp | (SATP_ASID_MASK << SATP_ASID_SHIFT)) : "memory");
	boot_asid_mask = (csr_read(satp) >> SATP_ASID_SHIFT) & SATP_ASID_MASK;
	__asm__ volatile("csrw satp, %0; sfence.vma" :: "r"(satp) : "memory");
	boot_satp = satp;
	return satp;
}
