/*
 * The dispatcher (seed: "dispatches control to the appropriate handler"):
 * every trap taken while a guest runs enters dispatch_trap(), which reads
 * the trap CSRs once, counts the trap, and hands it to the engine's
 * handler for its cause. Only dispatch_trap moves the guest pc, injects
 * or halts, according to what the handler returns.
 */
#ifndef ARCH_RISCV_DISPATCH_H
#define ARCH_RISCV_DISPATCH_H

#include <stdint.h>
#include "arch/riscv/csr.h"

struct vcpu;

struct trap_info {
	uint64_t cause;         /* scause */
	uint64_t tval;          /* stval */
	uint64_t epc;           /* guest pc at the trap */
	unsigned insn_len;      /* RESUME_NEXT: bytes to step over */
	uint64_t inject_cause;  /* RESUME_INJECT: what the guest sees */
	uint64_t inject_tval;
};

enum resume {
	RESUME_NEXT,    /* emulated: continue after the instruction */
	RESUME_SAME,    /* retry the instruction (e.g. a page now mapped), or pc already set */
	RESUME_INJECT,  /* deliver inject_cause/inject_tval to the guest's stvec */
	RESUME_HALT,    /* the vCPU does not continue (stopped, powered off) */
};

/* Returns what the guest gets; t->insn_len, inject_* set per the result. */
typedef enum resume (*trap_handler_t)(struct vcpu *v, struct trap_info *t);

struct engine {
	const char *name;
	trap_handler_t handlers[EXC_COUNT];     /* by exception cause; NULL: reflect to the guest */
};

extern const struct engine engine_trap;

/* Called by entry.S with the guest's registers saved; returns the vCPU to enter. */
struct vcpu *dispatch_trap(struct vcpu *v);

/* Make t an injection of (cause, tval) and return RESUME_INJECT. */
static inline enum resume trap_inject(struct trap_info *t, uint64_t cause, uint64_t tval)
{
	t->inject_cause = cause;
	t->inject_tval = tval;
	return RESUME_INJECT;
}

#endif
