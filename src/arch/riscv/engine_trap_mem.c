/*
 * The trap engine's memory half: a VM's host address spaces, the Bare view
 * (guest-physical RAM mapped at its own addresses) and the shadow tables
 * of a paging guest, with the memory and fences the shadow module needs
 * (shadow.h). The guest's own page tables are read and updated through
 * the guest-memory path (guestmem.h).
 */
#include "arch/riscv/engine_trap.h"

#include "arch/riscv/boot.h"
#include "arch/riscv/csr.h"
#include "arch/riscv/guest_pt.h"
#include "arch/riscv/hart.h"
#include "arch/riscv/layout.h"
#include "arch/riscv/mmu.h"
#include "arch/riscv/probe.h"
#include "arch/riscv/sbi_host.h"
#include "core/console.h"
#include "core/lib/format.h"
#include "core/frame.h"
#include "core/guestmem.h"
#include "core/lib/string.h"
#include "core/platform.h"
#include "core/vm.h"

/* Host ASIDs: each VM a block of 1 (Bare view) + SHADOW_ASIDS_PER_VM. */
#define ASIDS_PER_VM (1 + SHADOW_ASIDS_PER_VM)


/* Drop host TLB entries on every hart that may have run the VM; returns
 * once every hart has fenced (OpenSBI 1.1's remote fences wait for each
 * target hart's acknowledgement, its tlb_sync), which is what lets
 * shadow.c hand unlinked table pages back to the allocator right after. */
static void shadow_fence(void *ctx, uint64_t asid, uint64_t va, bool all_va)
{
	(void)ctx;
	if (all_va)
		sfence_vma_asid(asid);
	else
		sfence_vma_va_asid(va, asid);
	if (platform.nharts > 1)
		/* SBI v2.0 RFENCE remote_sfence_vma_asid, every hart. */
		sbi_host_call5(SBI_HOST_EXT_RFENCE, 2, 0, (uint64_t)-1, all_va ? 0 : va,
			       all_va ? (uint64_t)-1 : PAGE_SIZE, asid);
}

/* One trap engine state per VM slot. */
static struct trap_vm trap_vms[BOOTINFO_MAX_VMS];

#define CHUNK_PAGES (REALMAP_CHUNK_SIZE / PAGE_SIZE)
#define BARE_FLAGS  (PTE_R | PTE_W | PTE_X | PTE_A | PTE_D)

/* The 2 MiB chunk of region r holding page index `page`: one superpage
 * when the chunk is whole, aligned, and its frames one aligned run. */
static int map_chunk(struct trap_vm *t, const struct realmap_ram *r, uint64_t chunk)
{
	uint64_t first, last;

	realmap_chunk_pages(r, chunk, &first, &last);
	uint64_t gpa = r->gpa + first * PAGE_SIZE;
	bool run = last - first == CHUNK_PAGES && (gpa & (MMU_2M - 1)) == 0 &&
		   (r->hpa[first] & (MMU_2M - 1)) == 0;
	for (uint64_t i = first + 1; run && i < last; i++)
		run = r->hpa[i] == r->hpa[first] + (i - first) * PAGE_SIZE;
	if (run) {
		t->stats.bare_chunks_2m++;
		return mmu_map_user_2m(t->bare_root, gpa, r->hpa[first], BARE_FLAGS);
	}
	t->stats.bare_chunks_4k++;
	for (uint64_t i = first; i < last; i++)
		if (mmu_map_user(t->bare_root, r->gpa + i * PAGE_SIZE, r->hpa[i], BARE_FLAGS))
			return -1;
	return 0;
}

int engine_trap_map_bare_chunk(struct vm *vm, uint64_t gpa)
{
	struct realmap *rm = &vm->realmap;
	struct realmap_entry e;

	/* The lookup makes the chunk ready (zeroed) if it was not. */
	if (realmap_lookup(rm, gpa, &e) != REALMAP_RAM)
		return -1;
	for (unsigned i = 0; i < rm->nram; i++) {
		const struct realmap_ram *r = &rm->ram[i];
		if (gpa >= r->gpa && (gpa - r->gpa) / PAGE_SIZE < r->npages) {
			struct trap_vm *a = trap_vm_of(vm);
			/* vCPUs of one VM may fault on it at once (the same
			 * chunk maps twice, to the same frames: harmless). */
			spin_lock(&a->lock);
			a->stats.page_maps++;
			int ret = map_chunk(a, r, (gpa >> REALMAP_CHUNK_SHIFT) - (r->gpa >> REALMAP_CHUNK_SHIFT));
			spin_unlock(&a->lock);
			return ret;
		}
	}
	return -1;
}

/* The Bare view starts with every chunk already ready (what the loader
 * wrote) mapped; the others are mapped whole on their first touch, which
 * zeroes them. Mapping by whole chunks keeps the traps the guest cannot
 * see rare: a trap clears an LR reservation on QEMU, so an LR at the end
 * of a page with its SC on the next would fail if the second page were
 * mapped in between. */
static int map_bare_view(struct vm *vm)
{
	const struct realmap *rm = &vm->realmap;

	for (unsigned i = 0; i < rm->nram; i++)
		for (uint64_t c = 0; c < realmap_chunk_count(&rm->ram[i]); c++)
			if (realmap_chunk_ready(&rm->ram[i], c) && map_chunk(trap_vm_of(vm), &rm->ram[i], c))
				return -1;
	return 0;
}

int engine_trap_vm_init(struct vm *vm)
{
	struct trap_vm *a = &trap_vms[vm->id];
	uint64_t block = 1 + vm->id * ASIDS_PER_VM;
	bool asids = block + ASIDS_PER_VM - 1 <= host_csr.satp_asid_mask;

	memset(a, 0, sizeof(*a));
	vm->engine_vm = a;
	a->bare_asid = asids ? block : 0;
	a->bare_root = mmu_root_create();
	if (a->bare_root == 0 || map_bare_view(vm))
		return -1;
	a->shadow_ops = (struct shadow_ops){
		.host = mmu_host_mem,
		.guest = guest_pt_mem(vm),
		.ctx = vm,
		.trapeze_entry = boot_l57[TRAPEZE_ROOT_INDEX],
		.fence = shadow_fence,
	};
	if (patch_vm_init(vm))
		return -1;
	if (a->patch.enabled) {
		a->shadow_ops.patch_copy = patch_copy;
		a->shadow_ops.patch_writable = patch_writable;
	}
	/* A bounded pool: a sixteenth of the guest's RAM, at least 1 MiB. */
	uint64_t pages = vm->desc->memory / PAGE_SIZE / 16;
	shadow_init(&a->shadow, &a->shadow_ops, &vm->realmap, asids ? block + 1 : 0,
		    pages < 256 ? 256 : pages);
	return 0;
}

void engine_trap_vm_reset(struct vm *vm)
{
	struct trap_vm *a = trap_vm_of(vm);

	/* The caller's hart runs on one of these tables right now. (Idle
	 * harts never stay on a VM's tables: arch_idle leaves them.) */
	mmu_use_trapeze_root();
	shadow_destroy(&a->shadow);
	patch_vm_reset(vm);
	mmu_root_destroy(a->bare_root);
	a->bare_root = mmu_root_create();
	if (a->bare_root == 0 || map_bare_view(vm))
		panic("vm %s: no memory for its page tables after a reset", vm->name);
	shadow_fence(NULL, a->bare_asid, 0, true);
}

void engine_trap_vm_destroy(struct vm *vm)
{
	struct trap_vm *a = trap_vm_of(vm);

	mmu_use_trapeze_root();
	shadow_destroy(&a->shadow);
	patch_vm_destroy(vm);
	mmu_root_destroy(a->bare_root);
	a->bare_root = 0;
	shadow_fence(NULL, a->bare_asid, 0, true);
	vm->engine_vm = NULL;
}

void engine_trap_print_stats(const struct vm *vm)
{
	const struct trap_stats *t = &trap_vm_of(vm)->stats;
	struct stats_line l = { .vm = vm->name, .group = "emulated" };
	char name[32];

	for (unsigned i = 0; i < TRAP_STATS_CSR_MAX && vcsr_at(i); i++) {
		format(name, sizeof(name), "csrr-%s", vcsr_at(i)->name);
		stats_add(&l, name, t->csr_read[i]);
		format(name, sizeof(name), "csrw-%s", vcsr_at(i)->name);
		stats_add(&l, name, t->csr_write[i]);
	}
	stats_add(&l, "csr-illegal", t->csr_illegal);
	stats_add(&l, "sret", t->insn_sret);
	stats_add(&l, "wfi", t->insn_wfi);
	stats_add(&l, "sfence.vma", t->insn_sfence_vma);
	stats_add(&l, "other-illegal", t->insn_illegal);
	stats_group(&l, "trap-memory");
	stats_add(&l, "pages-mapped", t->page_maps);
	stats_add(&l, "bare-2m", t->bare_chunks_2m);
	stats_add(&l, "bare-4k", t->bare_chunks_4k);
	stats_add(&l, "sc-completed", t->sc_completed);
	stats_flush(&l);

	patch_print_stats(vm);

	const struct shadow_stats *s = &trap_vm_of(vm)->shadow.stats;

	if (s->switches == 0 && s->fills == 0)
		return;
	log_info("stats %s shadow: fills=%lu upgrades=%lu prefetched=%lu reflected=%lu switches=%lu cached=%lu recycles=%lu pages=%lu",
		 vm->name, s->fills, s->upgrades, s->prefetches, s->guest_faults, s->switches, s->cache_hits,
		 s->recycles, s->table_pages);
	log_info("stats %s flushes: all=%lu va=%lu asid=%lu va+asid=%lu dropped=%lu deferred-frees=%lu",
		 vm->name, s->flush_all, s->flush_va, s->flush_asid, s->flush_va_asid, s->dropped,
		 s->deferred_frees);
}
