/*
 * The scheduler: vCPUs share the physical harts round-robin on timer ticks
 * (the CPU-time half of the seed's allocator).
 */
#ifndef CORE_SCHED_H
#define CORE_SCHED_H

#include <stdint.h>

struct vcpu;

#define SCHED_SLICE_US  10000   /* a time slice: 10 ms */

/* A stopped or blocked vCPU becomes runnable and is queued. */
void sched_make_runnable(struct vcpu *v);
/* The current vCPU waits for an interrupt (WFI, HSM retentive suspend),
 * from the end of the trap being handled. */
void sched_block(struct vcpu *v);
/* The current vCPU stops (HSM hart_stop), from the end of the trap being handled. */
void sched_stop(struct vcpu *v);

#endif
