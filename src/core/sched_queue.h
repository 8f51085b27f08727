/*
 * Per-hart run queues and the fair-share policy of the scheduler (sched.c),
 * kept apart as pure logic over struct vcpu so the host unit tests drive it
 * directly (tests/unit/test_sched.c). No locking here: sched.c calls every
 * function with its run-queue lock held.
 *
 * Policy: weighted fair queueing by virtual run time. A vCPU that runs for
 * t ticks advances its vruntime by t * SCHED_WEIGHT_SCALE / weight (the
 * weight of its VM, `weight = N` in the config), and each hart runs the
 * queued vCPU with the lowest vruntime, so over time every busy vCPU gets
 * CPU time in proportion to its weight. A vCPU waits in one hart's queue
 * (its last hart where it may run there); a hart steals from another hart's
 * queue when its own is empty, and also when another queue holds a vCPU
 * that is more than a margin behind its own best one: that keeps the
 * vruntimes of all harts together, so N busy vCPUs on fewer harts share
 * them evenly. Pinning (`cpus = 0,1`) restricts the harts a VM's vCPUs are
 * queued on, stolen to and run on.
 */
#ifndef CORE_SCHED_QUEUE_H
#define CORE_SCHED_QUEUE_H

#include <stdbool.h>
#include <stdint.h>

#include "core/platform.h"

struct vcpu;
struct vm;

#define SCHED_WEIGHT_SCALE  1024u   /* vruntime per tick at weight 1 */

struct sched_queue {
	struct vcpu *head;      /* linked through vcpu->rq_next; unordered */
	unsigned len;
};

/* The VM's weight (1 when the launcher said nothing) and the harts, out of
 * nharts, its vCPUs may run on: never empty (a mask naming no hart this
 * machine has means any hart; sched.c logs it once). */
unsigned sched_vcpu_weight(const struct vcpu *v);
uint32_t sched_vcpu_harts(const struct vcpu *v, unsigned nharts);

/* What running for ticks costs v in virtual time. */
uint64_t sched_vruntime_delta(const struct vcpu *v, uint64_t ticks);

void sched_queue_push(struct sched_queue *qs, unsigned hart, struct vcpu *v);
void sched_queue_remove(struct sched_queue *qs, struct vcpu *v);

/* The queued vCPU of qs[q] with the lowest vruntime that may run on hart;
 * NULL when none. */
struct vcpu *sched_queue_lowest(const struct sched_queue *qs, unsigned q, unsigned hart,
				unsigned nharts);

/* What hart `self` runs next, taken off its queue (NULL: nothing it may
 * run is queued anywhere): its own queue's lowest vruntime, unless another
 * queue has one it may run that is more than `margin` behind (or its own
 * queue has none). */
struct vcpu *sched_queue_choose(struct sched_queue *qs, unsigned nharts, unsigned self,
				uint64_t margin);

/* The hart whose queue a vCPU becoming runnable joins: an idle hart it may
 * run on (idle_mask: harts running nothing), its last hart first; else its
 * last hart if it may run there; else the allowed hart with the shortest
 * queue. */
unsigned sched_queue_place(const struct sched_queue *qs, unsigned nharts, const struct vcpu *v,
			   uint32_t idle_mask);

/* Some queued vCPU could run on hart (in any queue): a hart running one
 * vCPU needs time slices only then. */
bool sched_queue_waiting_for(const struct sched_queue *qs, unsigned nharts, unsigned hart);

/* A queued vCPU of vm could run on hart: vm's vCPUs contend for it. */
bool sched_queue_vm_waiting_for(const struct sched_queue *qs, unsigned nharts, unsigned hart,
				const struct vm *vm);

#endif
