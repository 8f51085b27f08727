/*
 * A fake of the four core calls an interrupt controller model makes
 * (vm_vcpu, vcpu_raise_irq, vcpu_lower_irq, vcpu_kick), for host unit
 * tests of src/dev/plic.c. It gives a struct vm some vCPUs, counts each
 * call per hart, keeps the virtual sip bits the way the real calls do, and
 * notes whether a watched lock was held at each kick.
 */
#ifndef TESTS_UNIT_FAKES_FAKE_IRQ_H
#define TESTS_UNIT_FAKES_FAKE_IRQ_H

#include <stdbool.h>
#include <stdint.h>

#include "core/vm.h"

struct fake_irq_hart {
	unsigned raises;            /* vcpu_raise_irq(v, VIRQ_EXT) calls */
	unsigned lowers;            /* vcpu_lower_irq(v, VIRQ_EXT) calls */
	unsigned kicks;
	unsigned kicks_locked;      /* kicks made while *fake_irq_watch was held */
	unsigned kicks_unraised;    /* kicks made while SEIP was not raised */
	unsigned other_irqs;        /* raise/lower of any other interrupt */
};

extern struct fake_irq_hart fake_irq_harts[VM_MAX_VCPUS];
/* A lock word to inspect at each kick (NULL: none). */
extern volatile int *fake_irq_watch;

/* Give vm nvcpus fake vCPUs (hart ids 0..nvcpus-1) and zero all counters. */
void fake_irq_reset(struct vm *vm, unsigned nvcpus);
/* SEIP of the fake vCPU of hart h, as the raise/lower calls left it. */
bool fake_irq_seip(unsigned h);
/* Sum of one counter over all harts. */
unsigned fake_irq_total_raises(void);
unsigned fake_irq_total_lowers(void);
unsigned fake_irq_total_kicks(void);

#endif
