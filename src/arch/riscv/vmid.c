#include "arch/riscv/vmid.h"

#include <stddef.h>

void vmid_space_init(struct vmid_space *s, unsigned vmidlen, unsigned nharts)
{
	*s = (struct vmid_space){ .generation = 1, .next = 1 };
	s->nharts = nharts < VMID_MAX_HARTS ? nharts : VMID_MAX_HARTS;
	s->bits = vmidlen < VMID_BITS_MAX ? vmidlen : VMID_BITS_MAX;
	/* Each hart may run a different VM: a generation must hold a VMID
	 * for each, or every entry would start a new one. */
	if (s->bits && (1ULL << s->bits) - 1 < s->nharts)
		s->bits = 0;
	/* hart[].flushed = 0: whatever ran before Trapeze (firmware, an
	 * earlier boot, the VMIDLEN probe) may have left entries. */
}

void vmid_vm_init(struct vmid_vm *vm)
{
	*vm = (struct vmid_vm){ 0 };
}

void vmid_vcpu_init(struct vmid_vcpu *v, unsigned index)
{
	*v = (struct vmid_vcpu){ .token = index + 1, .last_hart = VMID_NO_HART };
}

unsigned vmid_remote_vvma(struct vmid_vcpu *v, bool running, unsigned on_hart)
{
	v->vvma_owed = true;
	return running ? on_hart : VMID_NO_HART;
}

bool vmid_vcpu_moved(unsigned last_hart, uint64_t last_generation, unsigned hart, uint64_t generation)
{
	return last_hart != hart || last_generation != generation;
}

/* A VMID of the current generation for vm, starting a new generation when
 * this one has none left. */
static unsigned vmid_assign(struct vmid_space *s, struct vmid_vm *vm)
{
	unsigned act = VMID_NEW;

	if (s->bits == 0) {
		vm->vmid = 0;
	} else {
		if (s->next >> s->bits) {
			s->generation++;
			s->next = 1;
			s->stats.rollovers++;
			act |= VMID_ROLLOVER;
		}
		vm->vmid = s->next++;
	}
	vm->generation = s->generation;
	s->stats.assigned++;
	/* Nothing of vm is cached under its new VMID yet, on any hart
	 * (vmid_hart_may_hold). What harts hold under it is the old owner's,
	 * VS-stage entries included, which HFENCE.GVMA "need not flush"
	 * (Privileged ISA v1.12, Hypervisor Memory-Management Fence
	 * Instructions): each vCPU's first entry on a hart flushes them, the
	 * generation in vmid_vcpu_moved sees to that. */
	for (unsigned h = 0; h < VMID_MAX_HARTS; h++)
		vm->last_vcpu[h] = 0;
	return act;
}

unsigned vmid_enter(struct vmid_space *s, struct vmid_vm *vm, struct vmid_vcpu *v, unsigned hart)
{
	struct vmid_hart *h = &s->hart[hart];
	unsigned act = 0;

	if (vm->generation != s->generation)
		act |= vmid_assign(s, vm);
	if (h->flushed != s->generation || (s->bits == 0 && h->last_vm != vm && h->last_vm != NULL)) {
		act |= VMID_FLUSH_GVMA_ALL;
		h->flushed = s->generation;
		/* Without VMIDs the VS-stage entries of the VM that ran here
		 * are tagged like this one's. */
		if (s->bits == 0)
			act |= VMID_FLUSH_VVMA;
	}
	if (vmid_vcpu_moved(v->last_hart, v->last_generation, hart, vm->generation) ||
	    vm->last_vcpu[hart] != v->token || v->vvma_owed)
		act |= VMID_FLUSH_VVMA;
	v->vvma_owed = false;
	vm->last_vcpu[hart] = v->token;
	v->last_hart = hart;
	v->last_generation = vm->generation;
	if (s->bits == 0)
		h->last_vm = vm;
	s->stats.flush_all += (act & VMID_FLUSH_GVMA_ALL) != 0;
	s->stats.flush_vvma += (act & VMID_FLUSH_VVMA) != 0;
	return act;
}

bool vmid_hart_may_hold(const struct vmid_space *s, const struct vmid_vm *vm, unsigned hart)
{
	const struct vmid_hart *h = &s->hart[hart];

	if (s->bits == 0)
		return h->last_vm == vm;
	/* Translations are cached only under the VMID in hgatp, which holds
	 * vm->vmid only on harts where one of vm's vCPUs entered. */
	return vm->generation == s->generation && h->flushed == s->generation &&
	       vm->last_vcpu[hart] != 0;
}

void vmid_hart_flushed(struct vmid_space *s, unsigned hart)
{
	/* last_vm stays: HFENCE.GVMA may leave VS-stage entries, which
	 * without VMIDs are that VM's under the same tag as any other's. */
	s->hart[hart].flushed = s->generation;
}

void vmid_vm_destroy(struct vmid_space *s, const struct vmid_vm *vm)
{
	for (unsigned h = 0; h < s->nharts; h++) {
		if (s->hart[h].last_vm == vm) {
			s->hart[h].last_vm = NULL;
			s->hart[h].flushed = 0;
		}
	}
}
