/*
 * The dispatcher (seed: "dispatches control to the appropriate handler"):
 * every trap taken while a guest runs enters dispatch_trap(), which reads
 * the trap CSRs once, counts the trap, and hands it to the engine's
 * handler for its cause (vcpu->engine, core/engine.h). Only the dispatcher
 * acts on what the handler returns: it moves the guest pc, has the engine
 * inject a trap, or halts.
 */
#ifndef ARCH_RISCV_DISPATCH_H
#define ARCH_RISCV_DISPATCH_H

#include "core/engine.h"

struct vcpu;
struct vcpu_arch;

/* Called by entry.S with the guest's registers saved in a; returns the
 * vCPU half to enter next (trap_return). */
struct vcpu_arch *dispatch_trap(struct vcpu_arch *a);

/* Handle one trap of v that the hardware reported as (cause, tval):
 * interrupts to Trapeze's own handling, exceptions to v's engine; then
 * act on the result. What dispatch_trap does after reading the CSRs. */
void dispatch_handle(struct vcpu *v, uint64_t cause, uint64_t tval);

/* Act on a handler's result: the one place that moves the guest pc. */
void dispatch_resume(struct vcpu *v, enum resume r, const struct trap_info *t);

#endif
