#include "arch/riscv/mmu.h"

#include "arch/riscv/boot.h"
#include "arch/riscv/csr.h"
#include "arch/riscv/hart.h"
#include "arch/riscv/layout.h"
#include "arch/riscv/pgtable.h"
#include "core/console.h"
#include "core/frame.h"
#include "core/platform.h"

#define GIB (1ULL << 30)

static uint64_t *mmu_table(void *ctx, uint64_t pa)
{
	(void)ctx;
	return phys_to_virt(pa);
}

static uint64_t mmu_alloc(void *ctx)
{
	(void)ctx;
	return frame_alloc();
}

static void mmu_free(void *ctx, uint64_t pa)
{
	(void)ctx;
	frame_free(pa, 1);
}

const struct pt_mem mmu_host_mem = { NULL, mmu_table, mmu_alloc, mmu_free };

void mmu_init(uint64_t ram_end)
{
	const uint64_t kernel = PTE_V | PTE_R | PTE_W | PTE_X | PTE_A | PTE_D | PTE_G;
	uint64_t gib = (ram_end + GIB - 1) / GIB;

	if (gib > PT_ENTRIES)
		panic("RAM beyond 512 GiB is not mapped (ends at 0x%lx)", ram_end);
	for (uint64_t g = 0; g < gib; g++)
		boot_l39[g] = pte_make(g * GIB, kernel);
	sfence_vma_all();
}

uint64_t mmu_root_create(void)
{
	uint64_t root = frame_alloc();

	if (root == 0)
		return 0;
	/* Trapeze's one root entry (layout.h): global, never user-accessible. */
	((uint64_t *)phys_to_virt(root))[TRAPEZE_ROOT_INDEX] = boot_l57[TRAPEZE_ROOT_INDEX];
	return root;
}

void mmu_root_destroy(uint64_t root)
{
	uint64_t *r = phys_to_virt(root);

	r[TRAPEZE_ROOT_INDEX] = 0;      /* not ours to free */
	pt_free_subtrees(&mmu_host_mem, root, pt_levels(platform.satp_mode), 0, PT_ENTRIES - 1);
	frame_free(root, 1);
}

int mmu_map_user(uint64_t root, uint64_t va, uint64_t pa, uint64_t flags)
{
	if (va_is_trapeze(va) || !mmu_va_canonical(va))
		return -1;
	return pt_map_page(&mmu_host_mem, root, pt_levels(platform.satp_mode), va, pa, flags | PTE_U);
}

int mmu_map_user_2m(uint64_t root, uint64_t va, uint64_t pa, uint64_t flags)
{
	if (va_is_trapeze(va) || !mmu_va_canonical(va) || ((va | pa) & (MMU_2M - 1)))
		return -1;
	return pt_map_leaf(&mmu_host_mem, root, pt_levels(platform.satp_mode), va, pa, flags | PTE_U, 1);
}

void mmu_unmap_user(uint64_t root, uint64_t va)
{
	uint64_t *slot = pt_leaf_slot(&mmu_host_mem, root, pt_levels(platform.satp_mode), va);

	if (slot)
		*slot = 0;
}

void mmu_use_trapeze_root(void)
{
	struct hart *h = this_hart();

	if (h->live_satp != boot_satp) {
		csr_write(satp, boot_satp);
		sfence_vma_all();
		h->live_satp = boot_satp;
	}
}

uint64_t mmu_satp(uint64_t root, uint64_t asid)
{
	return (platform.satp_mode << SATP_MODE_SHIFT) | (asid << SATP_ASID_SHIFT) | (root >> 12);
}

bool mmu_va_canonical(uint64_t va)
{
	/* Sv57: bits 63:57 equal bit 56 (Privileged ISA v1.12, 4.6). */
	return (uint64_t)((int64_t)(va << 7) >> 7) == va;
}

