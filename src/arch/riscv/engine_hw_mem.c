/*
 * The hw engine's memory half: a VM's G-stage tables (gstage.c), built
 * from its real map table chunk by chunk on first touch, its VMID, and
 * the HFENCE.GVMA every change of them needs (Privileged ISA v1.12, 8.3.2).
 */
#include "arch/riscv/engine_hw.h"

#include "arch/riscv/csr.h"
#include "arch/riscv/hart.h"
#include "arch/riscv/layout.h"
#include "arch/riscv/mmu.h"
#include "arch/riscv/sbi_host.h"
#include "arch/riscv/vcpu_arch.h"
#include "core/console.h"
#include "core/frame.h"
#include "core/lib/spinlock.h"
#include "core/lib/string.h"
#include "core/platform.h"
#include "core/vm.h"

static struct hw_vm hw_vms[BOOTINFO_MAX_VMS];
/* VMIDs of every hw VM, and the lock all their calls take. */
static struct vmid_space vmids;
static struct spinlock vmid_lock;

#define GSTAGE_RWX (PTE_R | PTE_W | PTE_X)
/* SBI v2.0 RFENCE remote_hfence_gvma_vmid. */
#define SBI_RFENCE_HFENCE_GVMA_VMID 3

static uint64_t root_alloc(void *ctx)
{
	(void)ctx;
	uint64_t pa = frame_alloc_contig(GSTAGE_ROOT_PAGES, GSTAGE_ROOT_PAGES);

	if (pa)
		memset(phys_to_virt(pa), 0, GSTAGE_ROOT_SIZE);
	return pa;
}

static void root_free(void *ctx, uint64_t pa)
{
	(void)ctx;
	frame_free(pa, GSTAGE_ROOT_PAGES);
}

static const struct gstage_mem gstage_host_mem = {
	.pt = { NULL, NULL, NULL, NULL },   /* filled from mmu_host_mem at init */
	.alloc_root = root_alloc,
	.free_root = root_free,
};
static struct gstage_mem gstage_mem;

/* HFENCE.GVMA for the VM's VMID here and, through the firmware, on every
 * other hart, complete when it returns (SBI v2.0 RFENCE). */
static void gstage_fence(void *ctx, uint64_t gpa, uint64_t size, bool all)
{
	struct hw_vm *h = ctx;

	uint64_t vmid = h->vmid.vmid;

	if (all || size > 64 * GSTAGE_PAGE_SIZE) {
		hfence_gvma_vmid(vmid);
		gpa = 0;
		size = 0;
	} else {
		for (uint64_t a = gpa; a < gpa + size; a += GSTAGE_PAGE_SIZE)
			hfence_gvma_gpa(a, vmid);
	}
	if (platform.nharts > 1)
		sbi_host_call5(SBI_HOST_EXT_RFENCE, SBI_RFENCE_HFENCE_GVMA_VMID, 0, (uint64_t)-1,
			       gpa, size, vmid);
}

/* The chunks already ready (what the loader wrote) are mapped before the
 * guest runs: no exit for the kernel's first instructions. */
static int map_ready_chunks(struct vm *vm, struct hw_vm *h)
{
	const struct realmap *rm = &vm->realmap;

	for (unsigned i = 0; i < rm->nram; i++)
		for (uint64_t c = 0; c < realmap_chunk_count(&rm->ram[i]); c++)
			if (realmap_chunk_ready(&rm->ram[i], c) &&
			    gstage_map_chunk(&h->gs, &rm->ram[i], c, GSTAGE_RWX))
				return -1;
	return 0;
}

int engine_hw_vm_init(struct vm *vm)
{
	struct hw_vm *h = &hw_vms[vm->id];

	memset(h, 0, sizeof(*h));
	vm->engine_vm = h;
	gstage_mem = gstage_host_mem;
	gstage_mem.pt = mmu_host_mem;
	/* Its VMID comes at its first entry (vmid_enter). */
	vmid_vm_init(&h->vmid);
	if (gstage_create(&h->gs, &gstage_mem, gstage_fence, h) || map_ready_chunks(vm, h))
		return -1;
	h->hgatp = 0;
	return 0;
}

void engine_hw_vm_reset(struct vm *vm)
{
	struct hw_vm *h = hw_vm_of(vm);

	gstage_destroy(&h->gs);
	this_hart()->live_hgatp = 0;
	if (gstage_create(&h->gs, &gstage_mem, gstage_fence, h) || map_ready_chunks(vm, h))
		panic("vm %s: no memory for its G-stage tables after a reset", vm->name);
	h->hgatp = gstage_hgatp(h->gs.root, h->vmid.vmid);
}

void engine_hw_vm_destroy(struct vm *vm)
{
	struct hw_vm *h = hw_vm_of(vm);

	gstage_destroy(&h->gs);
	this_hart()->live_hgatp = 0;
	spin_lock(&vmid_lock);
	vmid_vm_destroy(&vmids, &h->vmid);
	spin_unlock(&vmid_lock);
	vm->engine_vm = NULL;
}

/* A VM's vCPUs share its G-stage tables: first touches from several
 * harts serialize here (the second maps the same frames again). */
static struct spinlock gstage_locks[BOOTINFO_MAX_VMS];

int engine_hw_map_chunk(struct vm *vm, uint64_t gpa)
{
	struct spinlock *l = &gstage_locks[vm->id % BOOTINFO_MAX_VMS];

	spin_lock(l);
	int rc = gstage_map_ram(&hw_vm_of(vm)->gs, &vm->realmap, gpa, GSTAGE_RWX);
	spin_unlock(l);
	return rc ? -1 : 0;
}

void engine_hw_remote_vvma(struct vcpu *v)
{
	spin_lock(&vmid_lock);
	unsigned h = vmid_remote_vvma(&v->arch->hw.vmid, v->state == VCPU_RUNNING, v->on_hart);
	spin_unlock(&vmid_lock);
	if (h == this_hart()->index)
		hfence_vvma_all();
	else if (h < platform.nharts)
		/* SBI v2.0 RFENCE remote_hfence_vvma (FID 6): OpenSBI fences for
		 * the VMID in this hart's hgatp, which is v's VM's (the caller,
		 * one of its vCPUs, runs here). */
		sbi_host_call(SBI_HOST_EXT_RFENCE, 6, 1, harts[h].hartid, 0);
}

void engine_hw_vmid_init(unsigned vmidlen)
{
	vmid_space_init(&vmids, vmidlen, platform.nharts);
}

/*
 * The world switch's G-stage half (Privileged ISA v1.12, 8.3.2 and
 * "Memory-Management Fences"): the VMID for this entry, hgatp (written only
 * when it changes), then the fences the VMID scheme owes on this hart.
 * After a rollover every other hart is kicked out of its guest; each
 * flushes everything at its own next entry (vmid_enter tells it to).
 */
void engine_hw_load_gstage(struct vcpu *v)
{
	struct hart *h = this_hart();
	struct hw_vm *hv = hw_vm_of(v->vm);

	spin_lock(&vmid_lock);
	unsigned todo = vmid_enter(&vmids, &hv->vmid, &v->arch->hw.vmid, h->index);
	if (todo & VMID_NEW)
		hv->hgatp = gstage_hgatp(hv->gs.root, hv->vmid.vmid);
	spin_unlock(&vmid_lock);
	if (hv->hgatp == 0)
		panic("vm %s: no valid hgatp for its G-stage root 0x%lx", v->vm->name, hv->gs.root);
	if (todo & VMID_ROLLOVER)
		for (unsigned i = 0; i < platform.nharts; i++)
			if (i != h->index)
				sbi_host_call(SBI_HOST_EXT_IPI, 0, 1, harts[i].hartid, 0);
	if (h->live_hgatp != hv->hgatp) {
		csr_write(CSR_HGATP, hv->hgatp);
		h->live_hgatp = hv->hgatp;
	}
	if (todo & VMID_FLUSH_GVMA_ALL) {
		hfence_gvma_all();
		spin_lock(&vmid_lock);
		vmid_hart_flushed(&vmids, h->index);
		spin_unlock(&vmid_lock);
	}
	if (todo & VMID_FLUSH_VVMA)
		hfence_vvma_all();
}
