/* Per-hart run queues and the fair-share policy: see sched_queue.h. */
#include "core/sched_queue.h"

#include <stddef.h>
#include "core/vcpu.h"
#include "core/vm.h"

unsigned sched_vcpu_weight(const struct vcpu *v)
{
	unsigned w = v->vm && v->vm->desc ? v->vm->desc->weight : 0;

	return w == 0 ? 1 : w;
}

uint32_t sched_vcpu_harts(const struct vcpu *v, unsigned nharts)
{
	uint32_t all = nharts >= 32 ? ~0u : (1u << nharts) - 1;
	uint32_t m = v->vm && v->vm->desc ? v->vm->desc->cpu_mask & all : 0;

	return m ? m : all;
}

uint64_t sched_vruntime_delta(const struct vcpu *v, uint64_t ticks)
{
	return ticks * SCHED_WEIGHT_SCALE / sched_vcpu_weight(v);
}

void sched_queue_push(struct sched_queue *qs, unsigned hart, struct vcpu *v)
{
	v->rq_next = qs[hart].head;
	qs[hart].head = v;
	qs[hart].len++;
	v->sched.rq = hart;
	v->sched.queued = true;
}

void sched_queue_remove(struct sched_queue *qs, struct vcpu *v)
{
	struct sched_queue *q = &qs[v->sched.rq];

	if (!v->sched.queued)
		return;
	for (struct vcpu **p = &q->head; *p; p = &(*p)->rq_next) {
		if (*p == v) {
			*p = v->rq_next;
			q->len--;
			break;
		}
	}
	v->rq_next = NULL;
	v->sched.queued = false;
}

static bool vcpu_may_run_on(const struct vcpu *v, unsigned hart, unsigned nharts)
{
	return (sched_vcpu_harts(v, nharts) >> hart) & 1;
}

/* Lower vruntime first; a tie goes to the one queued earlier in the list's
 * order reversed (the older entry), which keeps equal vCPUs in turn. */
struct vcpu *sched_queue_lowest(const struct sched_queue *qs, unsigned q, unsigned hart,
				unsigned nharts)
{
	struct vcpu *best = NULL;

	for (struct vcpu *v = qs[q].head; v; v = v->rq_next)
		if (vcpu_may_run_on(v, hart, nharts) && (best == NULL || v->sched.vruntime <= best->sched.vruntime))
			best = v;
	return best;
}

struct vcpu *sched_queue_choose(struct sched_queue *qs, unsigned nharts, unsigned self,
				uint64_t margin)
{
	struct vcpu *own = sched_queue_lowest(qs, self, self, nharts), *other = NULL;

	for (unsigned q = 0; q < nharts; q++) {
		if (q == self)
			continue;
		struct vcpu *c = sched_queue_lowest(qs, q, self, nharts);
		if (c && (other == NULL || c->sched.vruntime < other->sched.vruntime))
			other = c;
	}
	struct vcpu *pick = own;
	if (other && (own == NULL || other->sched.vruntime + margin < own->sched.vruntime))
		pick = other;
	if (pick)
		sched_queue_remove(qs, pick);
	return pick;
}

unsigned sched_queue_place(const struct sched_queue *qs, unsigned nharts, const struct vcpu *v,
			   uint32_t idle_mask)
{
	uint32_t ok = sched_vcpu_harts(v, nharts);
	unsigned last = v->on_hart < nharts ? v->on_hart : 0, best = nharts;

	if ((ok & idle_mask) >> last & 1)
		return last;
	for (unsigned h = 0; h < nharts; h++)
		if ((ok & idle_mask) >> h & 1)
			return h;
	if (ok >> last & 1)
		return last;
	for (unsigned h = 0; h < nharts; h++)
		if ((ok >> h & 1) && (best == nharts || qs[h].len < qs[best].len))
			best = h;
	return best == nharts ? 0 : best;
}

bool sched_queue_vm_waiting_for(const struct sched_queue *qs, unsigned nharts, unsigned hart,
				const struct vm *vm)
{
	for (unsigned q = 0; q < nharts; q++)
		for (struct vcpu *v = qs[q].head; v; v = v->rq_next)
			if (v->vm == vm && vcpu_may_run_on(v, hart, nharts))
				return true;
	return false;
}

bool sched_queue_waiting_for(const struct sched_queue *qs, unsigned nharts, unsigned hart)
{
	for (unsigned q = 0; q < nharts; q++)
		for (struct vcpu *v = qs[q].head; v; v = v->rq_next)
			if (vcpu_may_run_on(v, hart, nharts))
				return true;
	return false;
}
