/* The scheduler's side facing the dispatcher and boot code. */
#ifndef CORE_SCHED_INTERNAL_H
#define CORE_SCHED_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

struct vcpu;
struct vm;

/* Register a vCPU for scheduling (state decides whether it runs). */
void sched_add_vcpu(struct vcpu *v);
/* After a trap handled for v: choose what this hart runs next (v again
 * unless its slice ended, it blocked or stopped), deliver its virtual
 * interrupts and load its state. Never returns NULL: idles until some
 * vCPU can run. */
struct vcpu *sched_resume(struct vcpu *v);
/* After a trap handled for v, running on this hart, whose engine says its
 * hardware state stays loaded: true when sched_resume would do nothing
 * but return v (no console input, look-around, slice end, device timer,
 * lifecycle request, block, stop, yield or SSE event due), so that v may
 * go straight back into the guest. */
bool sched_may_stay(struct vcpu *v);
/* A vCPU parked while its VM was paused (lifecycle.c) is queued again. */
void sched_unpark(struct vcpu *v);
/* Whether some hart has v as its current vCPU (running it, or in Trapeze
 * on its behalf until it picks another). */
bool sched_vcpu_on_hart(const struct vcpu *v);
/* Enter the scheduler on this hart for the first time. */
_Noreturn void sched_run(void);
/* The hang watchdog's limit, in time-CSR ticks (0 = off). */
void sched_set_hang_timeout(uint64_t ticks);

#endif
