/*
 * A VM's host address spaces: the Bare view (guest-physical pages mapped at
 * their own addresses) and the shadow tables of a paging guest, with the
 * memory and fences the shadow module needs (shadow.h).
 */
#include "arch/riscv/vm_arch.h"

#include "arch/riscv/boot.h"
#include "arch/riscv/csr.h"
#include "arch/riscv/hart.h"
#include "arch/riscv/layout.h"
#include "arch/riscv/mmu.h"
#include "arch/riscv/probe.h"
#include "arch/riscv/sbi_host.h"
#include "core/console.h"
#include "core/frame.h"
#include "core/platform.h"
#include "core/vm.h"

/* Host ASIDs: each VM a block of 1 (Bare view) + SHADOW_ASIDS_PER_VM. */
#define ASIDS_PER_VM (1 + SHADOW_ASIDS_PER_VM)

static uint64_t *host_table(void *ctx, uint64_t pa)
{
	(void)ctx;
	return phys_to_virt(pa);
}

static uint64_t host_alloc(void *ctx)
{
	(void)ctx;
	return frame_alloc();
}

static void host_free(void *ctx, uint64_t pa)
{
	(void)ctx;
	frame_free(pa, 1);
}

/* The guest's page tables are read and updated in its RAM only; the
 * compare-and-swap is the atomic A/D update hardware does. */
static uint64_t *guest_pte(struct vm *vm, uint64_t gpa)
{
	uint64_t hpa = (gpa & 7) ? 0 : realmap_ram_hpa(&vm->realmap, gpa, 8);

	return hpa ? phys_to_virt(hpa) : NULL;
}

static bool guest_read_pte(void *ctx, uint64_t gpa, uint64_t *pte)
{
	uint64_t *p = guest_pte(ctx, gpa);

	if (p == NULL)
		return false;
	*pte = __atomic_load_n(p, __ATOMIC_ACQUIRE);
	return true;
}

static bool guest_cas_pte(void *ctx, uint64_t gpa, uint64_t expected, uint64_t desired)
{
	uint64_t *p = guest_pte(ctx, gpa);

	return p && __atomic_compare_exchange_n(p, &expected, desired, false,
						__ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE);
}

/* OpenSBI 1.1 leaves the PMP for S-mode on virt denying its own 512 KiB
 * and the CLINT. QEMU checks an access's whole range [gpa, gpa + len): a
 * range that touches a denied region at all fails (pmp_hart_has_privs, a
 * partial match). */
static bool overlaps(uint64_t a, uint64_t len, uint64_t base, uint64_t size)
{
	return a < base + size && a + len > base;
}

bool vm_arch_pmp_allows(uint64_t gpa, uint64_t len)
{
	return !overlaps(gpa, len, GUEST_RAM_BASE, GUEST_FW_RESERVED) &&
	       !overlaps(gpa, len, GUEST_CLINT_GPA, GUEST_CLINT_SIZE);
}

/* The PMP check QEMU makes before reading a PTE. */
static bool guest_pte_allowed(void *ctx, uint64_t gpa)
{
	(void)ctx;
	return vm_arch_pmp_allows(gpa, 8);
}

/* Drop host TLB entries on every hart that may have run the VM. */
static void shadow_fence(void *ctx, uint64_t asid, uint64_t va, bool all_va)
{
	(void)ctx;
	if (all_va)
		__asm__ volatile("sfence.vma zero, %0" :: "r"(asid) : "memory");
	else
		__asm__ volatile("sfence.vma %0, %1" :: "r"(va), "r"(asid) : "memory");
	if (platform.nharts > 1)
		/* SBI v2.0 RFENCE remote_sfence_vma_asid, every hart. */
		sbi_host_call5(SBI_HOST_EXT_RFENCE, 2, 0, (uint64_t)-1, all_va ? 0 : va,
			       all_va ? (uint64_t)-1 : PAGE_SIZE, asid);
}

/* The Bare view: every RAM page of the real map table at its own address,
 * mapped before the guest runs. Mapping on first touch instead would put a
 * trap the guest cannot see between any two of its instructions, and a
 * trap clears an LR reservation on QEMU (an LR at the end of a page, its
 * SC on the next, would fail); it also saves a trap per page. */
static int vm_arch_map_bare_view(struct vm *vm)
{
	const struct realmap *rm = &vm->realmap;

	for (unsigned r = 0; r < rm->nram; r++)
		for (uint64_t i = 0; i < rm->ram[r].npages; i++)
			if (mmu_map_user(vm->arch.bare_root, rm->ram[r].gpa + i * PAGE_SIZE, rm->ram[r].hpa[i],
					 PTE_R | PTE_W | PTE_X | PTE_A | PTE_D))
				return -1;
	return 0;
}

int vm_arch_init(struct vm *vm)
{
	struct vm_arch *a = &vm->arch;
	uint64_t block = 1 + vm->id * ASIDS_PER_VM;
	bool asids = block + ASIDS_PER_VM - 1 <= host_csr.satp_asid_mask;

	a->bare_asid = asids ? block : 0;
	a->bare_root = mmu_root_create();
	if (a->bare_root == 0 || vm_arch_map_bare_view(vm))
		return -1;
	a->shadow_ops = (struct shadow_ops){
		.host = { NULL, host_table, host_alloc, host_free },
		.guest = { vm, guest_read_pte, guest_cas_pte, guest_pte_allowed },
		.ctx = vm,
		.trapeze_entry = boot_l57[TRAPEZE_ROOT_INDEX],
		.fence = shadow_fence,
	};
	/* A bounded pool: a sixteenth of the guest's RAM, at least 1 MiB. */
	uint64_t pages = vm->desc->memory / PAGE_SIZE / 16;
	shadow_init(&a->shadow, &a->shadow_ops, &vm->realmap, asids ? block + 1 : 0,
		    pages < 256 ? 256 : pages);
	return 0;
}

void vm_arch_reset(struct vm *vm)
{
	struct vm_arch *a = &vm->arch;

	/* The caller's hart runs on one of these tables right now. (Idle
	 * harts never stay on a VM's tables: sched_idle leaves them.) */
	mmu_use_trapeze_root();
	shadow_destroy(&a->shadow);
	mmu_root_destroy(a->bare_root);
	a->bare_root = mmu_root_create();
	if (a->bare_root == 0 || vm_arch_map_bare_view(vm))
		panic("vm %s: no memory for its page tables after a reset", vm->name);
	shadow_fence(NULL, a->bare_asid, 0, true);
}

void vm_arch_print_stats(const struct vm *vm)
{
	const struct shadow_stats *s = &vm->arch.shadow.stats;

	if (s->switches == 0 && s->fills == 0)
		return;
	log_info("stats %s shadow: fills=%lu upgrades=%lu prefetched=%lu reflected=%lu switches=%lu cached=%lu recycles=%lu pages=%lu",
		 vm->name, s->fills, s->upgrades, s->prefetches, s->guest_faults, s->switches, s->cache_hits,
		 s->recycles, s->table_pages);
	log_info("stats %s flushes: all=%lu va=%lu asid=%lu va+asid=%lu dropped=%lu sum-drops=%lu",
		 vm->name, s->flush_all, s->flush_va, s->flush_asid, s->flush_va_asid, s->dropped,
		 s->sum_drops);
}
