/*
 * A virtual CPU: arch-neutral part. The architectural half (registers, and
 * the engine's own state: virtual CSRs, virtual privilege, shadow roots) is
 * `arch`, which only arch code looks inside (style.md, section 5); the
 * engine that runs it is an ops table (engine.h).
 */
#ifndef CORE_VCPU_H
#define CORE_VCPU_H

#include <stdbool.h>
#include <stdint.h>

#include "core/sbi/sbi_state.h"

struct engine;
struct vcpu_arch;
struct vm;

/* Virtual interrupts, whatever the architecture calls them: what a device,
 * an IPI or the timer makes pending (bits of vcpu->virq). */
#define VIRQ_SOFT   (1ULL << 0)     /* an IPI */
#define VIRQ_TIMER  (1ULL << 1)     /* the virtual timer (derived, never stored) */
#define VIRQ_EXT    (1ULL << 2)     /* the interrupt controller's output */

/* SBI v2.0, Hart State Management Extension, Table "HSM Hart States". */
enum vcpu_state {
	VCPU_STOPPED = 1,   /* SBI_HSM_STATE_STOPPED */
	VCPU_RUNNABLE,      /* started, waiting for a hart */
	VCPU_RUNNING,       /* on a hart now */
	VCPU_BLOCKED,       /* started, in WFI until an interrupt is pending */
	VCPU_HALTED,        /* its VM powered off or was stopped */
};

struct vcpu {
	struct vcpu_arch *arch;         /* arch code only */
	const struct engine *engine;
	struct vm *vm;
	unsigned id;            /* the hart id the guest sees */
	enum vcpu_state state;
	struct vcpu *rq_next;   /* run queue link (sched.c) */
	unsigned on_hart;       /* last physical hart it ran on */
	/* Fair share (sched_queue.h): weighted virtual run time, the hart
	 * whose run queue holds it while queued, and when it last got a hart. */
	struct vcpu_sched {
		uint64_t vruntime;
		uint64_t ran_since;
		unsigned rq;
		bool queued;
		uint64_t hart_ticks[8];     /* time on each hart (PLATFORM_MAX_HARTS) */
		struct vcpu *yield_to;      /* sched_yield_to, at the end of this trap */
	} sched;
	/* Steal time (sched.c): when it last became runnable, and the total
	 * time it spent runnable but not running, in time-CSR ticks (what SBI
	 * STA reports, sbi_sta.c). Blocked or stopped time is not counted. */
	uint64_t runnable_since;
	uint64_t steal_ticks;
	/* Requests from the vCPU's own trap handling (WFI, HSM), acted on by
	 * the scheduler only once this hart has finished with the vCPU, so no
	 * other hart can pick it up while its trap is still being handled. */
	/* A remote FENCE.I found it on no hart: it fences at its next entry
	 * (vcpu_fence_i). A word: RV64 has no byte AMO. */
	uint32_t fence_i_due;
	bool want_block;
	bool want_stop;
	/* Its VM is paused (lifecycle.c): runnable, out of the run queue. */
	bool parked;
	/* SBI HSM facts the scheduler state does not hold (sbi_hsm.c). Words:
	 * RV64A has no byte-wide compare-and-swap. */
	struct vcpu_hsm {
		uint32_t starting;      /* a hart_start owns this vCPU */
		uint32_t suspended;     /* blocked by hart_suspend, not by WFI; cleared on wake-up */
	} hsm;
	uint64_t virq;          /* VIRQ_SOFT, VIRQ_EXT pending (atomic) */
	/* VIRQ_SOFT raises so far (atomic): an engine that learns late that
	 * the guest cleared its SSIP clears VIRQ_SOFT only if no IPI came
	 * after the one it delivered (vcpu_soft_acked). */
	uint64_t soft_raises;
	/* The virtual timer (SBI set_timer, or the guest's own compare CSR):
	 * VIRQ_TIMER is pending while time >= timer_deadline. UINT64_MAX
	 * until the guest first programs it. */
	uint64_t timer_deadline;
	bool timer_programmed;
	struct sbi_vcpu sbi;    /* per-extension SBI state (core/sbi/sbi_state.h) */
};

/* Guest general-purpose registers: x0 reads 0, writes to x0 are dropped. */
uint64_t vcpu_get_gpr(const struct vcpu *v, unsigned reg);
void vcpu_set_gpr(struct vcpu *v, unsigned reg, uint64_t val);
uint64_t vcpu_get_pc(const struct vcpu *v);

/* Reset to the boot state: pc = entry, a0 = hart id, a1 = arg1, vS, MMU off. */
void vcpu_reset(struct vcpu *v, uint64_t entry, uint64_t arg1);

/* Resume after an SBI HSM non-retentive suspend (SBI v2.0, HSM
 * hart_suspend): a0 = hart id, a1 = opaque, satp = 0, sstatus.SIE = 0,
 * virtual S-mode; everything else (sie, the timer) is kept. The caller
 * moves the pc (RESUME_JUMP). */
void vcpu_resume_regs(struct vcpu *v, uint64_t a1);

/* Virtual interrupts: mark VIRQ_SOFT or VIRQ_EXT pending or not. */
void vcpu_raise_irq(struct vcpu *v, uint64_t virq);
void vcpu_lower_irq(struct vcpu *v, uint64_t virq);
/* The guest cleared the VIRQ_SOFT delivered when soft_raises was `seen`:
 * it is lowered unless another IPI was raised since (then it stays). */
void vcpu_soft_acked(struct vcpu *v, uint64_t seen);
/* Every virtual interrupt pending now, the timer's included. */
uint64_t vcpu_virq_pending(const struct vcpu *v);
/* True when some virtual interrupt is pending and enabled in sie
 * (what wakes WFI, Privileged ISA v1.12, 3.3.3). */
bool vcpu_irq_wakeup_pending(const struct vcpu *v);

/* The virtual timer: absolute deadline in time-CSR ticks; UINT64_MAX = off. */
void vcpu_timer_set(struct vcpu *v, uint64_t deadline);
uint64_t vcpu_timer_deadline(const struct vcpu *v);

/* Drop guest translations the vCPU may cache for [start, start+size)
 * (size == UINT64_MAX: all) in address space asid (UINT64_MAX: all ASIDs).
 * Used by SFENCE.VMA and SBI RFENCE; the engine does it. */
void vcpu_flush_guest_tlb(struct vcpu *v, uint64_t start, uint64_t size, uint64_t asid);
/* A load the M-mode firmware makes for the vCPU (OpenSBI's sbi_load_ulong:
 * an MPRV load at the caller's privilege, through its translation, A set,
 * PMP checked) of the unsigned long at guest-virtual va. 0 with *val; on
 * a fault, its cause, with *tval: the caller has the firmware redirect it
 * (sbi_trap_redirect: sepc = the ECALL, pc = the raw stvec). */
uint64_t vcpu_firmware_load(struct vcpu *v, uint64_t va, uint64_t *val, uint64_t *tval);
/* Make instruction fetches see prior stores for a vCPU that may run on
 * any hart, now or next (FENCE.I on every hart: after patching). */
void vcpu_flush_icache(struct vcpu *v);
/* A remote FENCE.I aimed at v (SBI RFENCE): on the hart v runs on now (this
 * one, or another through the host firmware for that hart alone), else at
 * its next entry (vcpu_fence_i_on_entry). */
void vcpu_fence_i(struct vcpu *v);
/* v is about to run on this hart, published there (sched_resume, after its
 * fence): the FENCE.I it may need here, because it last ran on another
 * hart (code its VM wrote was fenced where it was) or a remote FENCE.I
 * found it on no hart. */
void vcpu_fence_i_on_entry(struct vcpu *v, bool migrated);

/* Make a blocked or runnable vCPU notice new state soon (wake it from
 * WFI, or IPI the hart it runs on). */
void vcpu_kick(struct vcpu *v);

#endif
