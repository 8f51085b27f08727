/*
 * The engine interface: what runs a guest on the CPU. An engine is an ops
 * table (design.md, Engines): trap handlers by cause, plus everything the
 * dispatcher, the scheduler, SBI and the device models need from it. Core
 * code calls through vcpu->engine and never asks which engine it is.
 *
 * One result vocabulary: interpreter routines, SBI calls and device models
 * report what should happen (enum resume, with its operands in struct
 * trap_info); only the dispatcher acts on it: moves the pc, injects a trap
 * or halts.
 */
#ifndef CORE_ENGINE_H
#define CORE_ENGINE_H

#include <stdbool.h>
#include <stdint.h>

struct vcpu;
struct vm;

/* Exception causes an engine may handle (the architecture's numbering). */
#define ENGINE_MAX_CAUSES   24

enum resume {
	RESUME_NEXT,    /* done: continue after the instruction (pc += insn_len) */
	RESUME_SAME,    /* retry the instruction (e.g. a page now mapped) */
	RESUME_JUMP,    /* continue at jump_pc (an xRET, an SBI resume address) */
	RESUME_INJECT,  /* the guest takes trap inject_cause/inject_tval */
	RESUME_HALT,    /* the vCPU does not continue (stopped, powered off) */
};

struct trap_info {
	uint64_t cause;         /* the trap as the hardware reported it */
	uint64_t tval;
	uint64_t epc;           /* guest pc at the trap */
	/* Operands of the result: */
	unsigned insn_len;      /* RESUME_NEXT: bytes to step over */
	uint64_t jump_pc;       /* RESUME_JUMP */
	uint64_t inject_cause;  /* RESUME_INJECT: what the guest sees */
	uint64_t inject_tval;
	/* RESUME_INJECT: delivered the way the M-mode firmware redirects a
	 * trap it took itself (sbi_trap_redirect: pc = stvec as it is),
	 * rather than the way the hardware delivers a delegated one. */
	bool inject_redirected;
};

/* Returns what the guest gets; sets the operands of that result in t. */
typedef enum resume (*trap_handler_t)(struct vcpu *v, struct trap_info *t);

/* Make t an injection of (cause, tval) and return RESUME_INJECT. */
static inline enum resume trap_inject(struct trap_info *t, uint64_t cause, uint64_t tval)
{
	t->inject_cause = cause;
	t->inject_tval = tval;
	t->inject_redirected = false;
	return RESUME_INJECT;
}

static inline enum resume trap_jump(struct trap_info *t, uint64_t pc)
{
	t->jump_pc = pc;
	return RESUME_JUMP;
}

static inline enum resume trap_next(struct trap_info *t, unsigned len)
{
	t->insn_len = len;
	return RESUME_NEXT;
}

/*
 * The supervisor state an SBI SSE event handler interrupts (SBI v3.0,
 * "Supervisor Software Events Extension", "Software Event Injection"):
 * sepc and sstatus.SPP/SPIE as they were before the handler's entry
 * rewrote them. The virtual CPU has no H extension, so hstatus.SPV/SPVP
 * have nothing to hold.
 */
struct engine_sse_state {
	uint64_t sepc;
	bool spp;       /* sstatus.SPP: 1 = S-mode */
	bool spie;      /* sstatus.SPIE */
};

struct engine {
	const char *name;
	/* By exception cause; NULL: the trap is reflected to the guest. */
	trap_handler_t handlers[ENGINE_MAX_CAUSES];

	/* A VM's engine state: set up (0, or -1 when out of memory), back to
	 * its boot state (its vCPUs run nowhere), torn down. */
	int (*vm_init)(struct vm *vm);
	void (*vm_reset)(struct vm *vm);
	void (*vm_destroy)(struct vm *vm);
	/* A vCPU's engine state to its boot state: virtual S-mode, MMU off,
	 * CSRs as the firmware hands them over. */
	void (*vcpu_reset)(struct vcpu *v);
	/* SBI HSM non-retentive resume: translation off, interrupts disabled,
	 * S-mode; everything else kept. */
	void (*vcpu_resume)(struct vcpu *v);

	/* After a trap: fold what the hardware changed behind Trapeze's back
	 * (FP dirty, ...) into the vCPU. */
	void (*sync_from_hw)(struct vcpu *v);
	/* Load the hardware for running v on this hart, just before entry. */
	void (*enter)(struct vcpu *v);
	/* After the exit just handled (once per exit: it also forgets): true
	 * when v's hardware state is still what enter loaded and nothing is
	 * left to deliver, so that v may go straight back into the guest
	 * unless the scheduler has something due (sched_may_stay). NULL:
	 * never. */
	bool (*stays_loaded)(struct vcpu *v);
	/* v leaves this hart (another may run it next): save what is live here. */
	void (*leave)(struct vcpu *v);
	/* Deliver trap t (its inject_* operands) to the guest. */
	void (*inject)(struct vcpu *v, const struct trap_info *t);
	/* Deliver the highest-priority pending, enabled virtual interrupt, if
	 * the guest's state lets it be taken now. */
	void (*deliver_irq)(struct vcpu *v);
	/* The virtual interrupts (VIRQ_* bits, vcpu.h) the guest enables:
	 * those that end a WFI. */
	uint64_t (*virq_enabled)(const struct vcpu *v);
	/* Drop guest translations cached for [start, start+size) (size
	 * UINT64_MAX: all) in address space asid (UINT64_MAX: all). */
	void (*flush_guest_tlb)(struct vcpu *v, uint64_t start, uint64_t size, uint64_t asid);
	/* A load of the unsigned long at guest-virtual va, as the M-mode
	 * firmware makes one for the vCPU (core/vcpu.h vcpu_firmware_load). */
	uint64_t (*firmware_load)(struct vcpu *v, uint64_t va, uint64_t *val, uint64_t *tval);

	void (*print_stats)(const struct vm *vm);
	/* Trapeze or a device wrote [gpa, gpa+len) of the VM's RAM, or will by
	 * DMA (guestmem.h): drop what the engine derived from those bytes (the
	 * trap engine's patched copies). NULL: nothing to drop. */
	void (*mem_written)(struct vm *vm, uint64_t gpa, uint64_t len);

	/* SBI SSE (SBI v3.0, "Software Event Injection"): the guest takes an
	 * event at entry_pc. The interrupted sepc, SPP and SPIE go to
	 * *interrupted; then sepc = the interrupted pc, SPP = the interrupted
	 * privilege, SPIE = SIE, SIE = 0, virtual S-mode, pc = entry_pc. GPRs
	 * are the caller's business (a6/a7 through vcpu_set_gpr). */
	void (*sse_enter)(struct vcpu *v, uint64_t entry_pc, struct engine_sse_state *interrupted);
	/* SBI SSE completion ("Software Event Completion"), from the vCPU's
	 * own ECALL: privilege = SPP, SIE = SPIE, then SPP, SPIE and sepc
	 * from *restore. Returns the pc to resume at (sepc before the
	 * restore); the caller moves the pc (RESUME_JUMP). */
	uint64_t (*sse_complete)(struct vcpu *v, const struct engine_sse_state *restore);
};

#endif
