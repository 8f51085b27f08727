/* The arch-neutral side of a vCPU: virtual interrupts and the virtual timer. */
#include "core/vcpu.h"

#include "core/engine.h"
#include "core/platform.h"

void vcpu_raise_irq(struct vcpu *v, uint64_t virq)
{
	/* Counted before it shows: see vcpu_soft_acked. */
	if (virq & VIRQ_SOFT)
		__atomic_fetch_add(&v->soft_raises, 1, __ATOMIC_SEQ_CST);
	__atomic_fetch_or(&v->virq, virq & ~VIRQ_TIMER, __ATOMIC_SEQ_CST);
}

/* An IPI from another hart between the guest's clear and the engine
 * noticing it must not be lost: either it was counted before the first
 * read (nothing is lowered), between the reads (raised again here) or
 * after the second (its own fetch_or comes after the lowering). */
void vcpu_soft_acked(struct vcpu *v, uint64_t seen)
{
	uint64_t before = __atomic_load_n(&v->soft_raises, __ATOMIC_SEQ_CST);

	if (before != seen)
		return;
	__atomic_fetch_and(&v->virq, ~VIRQ_SOFT, __ATOMIC_SEQ_CST);
	if (__atomic_load_n(&v->soft_raises, __ATOMIC_SEQ_CST) != before)
		__atomic_fetch_or(&v->virq, VIRQ_SOFT, __ATOMIC_SEQ_CST);
}

void vcpu_lower_irq(struct vcpu *v, uint64_t virq)
{
	__atomic_fetch_and(&v->virq, ~virq, __ATOMIC_SEQ_CST);
}

/* The timer is level-sensitive (as with Sstc, and as OpenSBI's set_timer
 * emulation behaves): pending while time >= the deadline. */
uint64_t vcpu_virq_pending(const struct vcpu *v)
{
	uint64_t p = __atomic_load_n(&v->virq, __ATOMIC_SEQ_CST);

	if (platform_time() >= v->timer_deadline)
		p |= VIRQ_TIMER;
	return p;
}

bool vcpu_irq_wakeup_pending(const struct vcpu *v)
{
	return (vcpu_virq_pending(v) & v->engine->virq_enabled(v)) != 0;
}

void vcpu_timer_set(struct vcpu *v, uint64_t deadline)
{
	v->timer_deadline = deadline;
	v->timer_programmed = true;
}

uint64_t vcpu_timer_deadline(const struct vcpu *v)
{
	/* Only a timer the guest enabled can wake it. */
	return (v->engine->virq_enabled(v) & VIRQ_TIMER) ? v->timer_deadline : UINT64_MAX;
}

void vcpu_flush_guest_tlb(struct vcpu *v, uint64_t start, uint64_t size, uint64_t asid)
{
	v->engine->flush_guest_tlb(v, start, size, asid);
}

uint64_t vcpu_firmware_load(struct vcpu *v, uint64_t va, uint64_t *val, uint64_t *tval)
{
	return v->engine->firmware_load(v, va, val, tval);
}
