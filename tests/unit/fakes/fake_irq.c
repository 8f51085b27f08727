/* Fakes of the vCPU interrupt calls for host tests: see fake_irq.h. */
#include "fakes/fake_irq.h"

#include <string.h>

#include "core/vcpu.h"

struct fake_irq_hart fake_irq_harts[VM_MAX_VCPUS];
volatile int *fake_irq_watch;

static struct vcpu fake_irq_vcpus[VM_MAX_VCPUS];

void fake_irq_reset(struct vm *vm, unsigned nvcpus)
{
	memset(fake_irq_harts, 0, sizeof(fake_irq_harts));
	memset(fake_irq_vcpus, 0, sizeof(fake_irq_vcpus));
	memset(vm, 0, sizeof(*vm));
	fake_irq_watch = NULL;
	vm->nvcpus = nvcpus;
	for (unsigned i = 0; i < nvcpus && i < VM_MAX_VCPUS; i++) {
		fake_irq_vcpus[i].id = i;
		fake_irq_vcpus[i].vm = vm;
		fake_irq_vcpus[i].state = VCPU_RUNNING;
		vm->vcpus[i] = &fake_irq_vcpus[i];
	}
}

bool fake_irq_seip(unsigned h)
{
	return (fake_irq_vcpus[h].virq & VIRQ_EXT) != 0;
}

unsigned fake_irq_total_raises(void)
{
	unsigned n = 0;
	for (unsigned i = 0; i < VM_MAX_VCPUS; i++)
		n += fake_irq_harts[i].raises;
	return n;
}

unsigned fake_irq_total_lowers(void)
{
	unsigned n = 0;
	for (unsigned i = 0; i < VM_MAX_VCPUS; i++)
		n += fake_irq_harts[i].lowers;
	return n;
}

unsigned fake_irq_total_kicks(void)
{
	unsigned n = 0;
	for (unsigned i = 0; i < VM_MAX_VCPUS; i++)
		n += fake_irq_harts[i].kicks;
	return n;
}

struct vcpu *vm_vcpu(struct vm *vm, uint64_t hartid)
{
	return hartid < vm->nvcpus ? vm->vcpus[hartid] : NULL;
}

void vcpu_raise_irq(struct vcpu *v, uint64_t virq)
{
	if (virq == VIRQ_EXT)
		fake_irq_harts[v->id].raises++;
	else
		fake_irq_harts[v->id].other_irqs++;
	v->virq |= virq;
}

void vcpu_lower_irq(struct vcpu *v, uint64_t virq)
{
	if (virq == VIRQ_EXT)
		fake_irq_harts[v->id].lowers++;
	else
		fake_irq_harts[v->id].other_irqs++;
	v->virq &= ~virq;
}

void vcpu_kick(struct vcpu *v)
{
	struct fake_irq_hart *h = &fake_irq_harts[v->id];

	h->kicks++;
	if (fake_irq_watch && *fake_irq_watch)
		h->kicks_locked++;
	if (!(v->virq & VIRQ_EXT))
		h->kicks_unraised++;
}
