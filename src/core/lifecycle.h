/*
 * A VM's lifecycle beyond boot and power-off: pause, resume, reset and
 * destroy from any hart while its vCPUs run on others (the monitor's
 * commands), and the one definition of the states the hang watchdog
 * honours.
 *
 * Requests are bits in vm->lifecycle, taken by the VM's vCPU 0 at its next
 * entry (sched_resume), so a VM's memory and tables change only on the
 * hart about to run it, exactly where an SBI SRST reset already happens.
 * A paused VM's vCPUs are parked: runnable, but out of the run queue.
 */
#ifndef CORE_LIFECYCLE_H
#define CORE_LIFECYCLE_H

#include <stdbool.h>
#include <stdint.h>

struct vcpu;
struct vm;

/* Bits of vm->lifecycle. */
#define LIFE_PAUSED         (1u << 0)   /* the operator paused it */
#define LIFE_REQ_RESET      (1u << 1)   /* reset at vCPU 0's next entry */
#define LIFE_REQ_DESTROY    (1u << 2)   /* destroy at vCPU 0's next entry */
#define LIFE_DESTROYED      (1u << 3)   /* its memory went back to the allocator */

/* What `list` shows, and what the hang watchdog decides by. */
enum vm_life {
	VM_LIFE_RUNNING,
	VM_LIFE_IDLE,           /* interactive and waiting for input (see lifecycle.c) */
	VM_LIFE_PAUSED,
	VM_LIFE_SUSPENDED,      /* SBI SUSP system suspend */
	VM_LIFE_ENDED,          /* powered off, stopped or destroyed */
};

enum vm_life lifecycle_state(const struct vm *vm);
const char *lifecycle_state_name(enum vm_life s);

/* The hang watchdog's one question: may this VM's silence be held against
 * it now? Paused, suspended and idle interactive VMs are exempt; a paused
 * or idle one's silence restarts from now (what it did not run cannot
 * count as hanging). */
bool lifecycle_watchdog_exempt(struct vm *vm, uint64_t now);

/* The monitor's operations, from any hart. 0, or a negative LIFE_E* code. */
#define LIFE_E_ENDED    (-1)    /* the VM has ended */
#define LIFE_E_STATE    (-2)    /* already paused / not paused */
#define LIFE_E_DESTROYED (-3)   /* destroy: it was destroyed already */
int lifecycle_pause(struct vm *vm);
int lifecycle_resume(struct vm *vm);
/* Also what a guest's own reset (SBI SRST, the finisher) asks for: on any
 * vCPU of an SMP VM, the reset runs once every vCPU is off its hart. */
int lifecycle_reset(struct vm *vm);     /* resumes a paused VM */
/* A VM that has ended (powered off, crashed, hung) is destroyed too: its
 * memory goes back at once, or as soon as no vCPU of it is on a hart. */
int lifecycle_destroy(struct vm *vm);

/* The scheduler's side. */
/* v must leave its hart at once: its VM is paused or has a request. */
bool lifecycle_pending(const struct vcpu *v);
/* At pick time (run-queue lock held): true when v's VM is paused, or v
 * is not vCPU 0 and a reset or destroy waits (vCPU 0 carries it out); v
 * is then parked instead of run. */
bool lifecycle_park(struct vcpu *v);
/* v was picked to run on this hart: act on its VM's requests first.
 * True when v must not be entered (its VM was destroyed). */
bool lifecycle_take(struct vcpu *v);

#endif
