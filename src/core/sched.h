/*
 * The scheduler: vCPUs share the physical harts round-robin on timer ticks
 * (the CPU-time half of the seed's allocator).
 */
#ifndef CORE_SCHED_H
#define CORE_SCHED_H

#include <stdbool.h>
#include <stdint.h>

struct vcpu;

#define SCHED_SLICE_US  10000   /* a time slice: 10 ms */
/* ... between vCPUs of one VM (overcommitted SMP): a vCPU preempted
 * while holding a lock its siblings spin on costs them at most this. */
#define SCHED_SMP_SLICE_US 2000

/* A stopped or blocked vCPU becomes runnable and is queued. */
void sched_make_runnable(struct vcpu *v);
/* The current vCPU waits for an interrupt (WFI, HSM retentive suspend),
 * from the end of the trap being handled. */
void sched_block(struct vcpu *v);
/* The current vCPU stops (HSM hart_stop), from the end of the trap being handled. */
void sched_stop(struct vcpu *v);
/* The current vCPU suspends its whole VM (SBI SUSP system_suspend; the
 * caller has checked every other vCPU is stopped): it blocks as in WFI,
 * from the end of the trap being handled, and until an interrupt it
 * enables wakes it the VM is asleep: the hang watchdog spares it, and the
 * time asleep does not count as silence. */
void sched_suspend(struct vcpu *v);
/* Something else waits for the hart running the caller's vCPU: a guest
 * waiting for an interrupt should give the hart up (the hw engine's
 * hstatus.VTW), else it may wait on it. */
bool sched_hart_contended(void);
/* The current vCPU v (in its trap) sent target an IPI and is likely to
 * wait for it (Linux's cross-calls, TLB shootdowns): if target waits for a
 * hart, v gives it its own at the end of this trap (a directed yield: a
 * preempted vCPU costs its VM's others no more than that). */
void sched_yield_to(struct vcpu *v, struct vcpu *target);
/* vm ended: harts running its vCPUs are kicked out of them. */
struct vm;
void sched_vm_ended(struct vm *vm);
/* "stats NAME sched:" CPU time by vCPU and by hart, and the VM's weight. */
void sched_print_stats(const struct vm *vm);
/* The CPU time (timer ticks) a VM's vCPUs have had, running stints included. */
uint64_t sched_vm_cpu_ticks(const struct vm *vm);

#endif
