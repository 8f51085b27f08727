#include "arch/riscv/dispatch.h"

#include "arch/riscv/csr.h"
#include "arch/riscv/vcpu_arch.h"
#include "core/console.h"
#include "core/hostirq.h"
#include "core/sched_internal.h"
#include "core/timer.h"
#include "core/vm.h"

static void dispatch_irq(struct vcpu *v, uint64_t irq)
{
	if (irq < STATS_IRQ_MAX)
		v->vm->stats.trap_irq[irq]++;
	switch (irq) {
	case IRQ_S_TIMER:
		timer_handle_irq();
		break;
	case IRQ_S_EXT:
		/* A host device (core/hostirq.h), not the guest's. */
		hostirq_handle();
		break;
	case IRQ_S_SOFT:
		/* A kick from another hart: the resume path re-evaluates everything. */
		csr_clear(sip, MIP_SSIP);
		break;
	default:
		log_info("unexpected interrupt %lu while vm %s ran", irq, v->vm->name);
		break;
	}
}

void dispatch_resume(struct vcpu *v, enum resume r, const struct trap_info *t)
{
	switch (r) {
	case RESUME_NEXT:
		v->arch->regs.pc += t->insn_len;
		break;
	case RESUME_JUMP:
		v->arch->regs.pc = t->jump_pc;
		break;
	case RESUME_INJECT:
		v->engine->inject(v, t);
		break;
	case RESUME_SAME:
	case RESUME_HALT:
		break;
	}
}

void dispatch_handle(struct vcpu *v, uint64_t cause, uint64_t tval)
{
	struct trap_info t = { .cause = cause, .tval = tval, .epc = v->arch->regs.pc };

	v->engine->sync_from_hw(v);
	if (cause & CAUSE_INTERRUPT) {
		dispatch_irq(v, cause & ~CAUSE_INTERRUPT);
		return;
	}
	trap_handler_t handler = cause < ENGINE_MAX_CAUSES ? v->engine->handlers[cause] : NULL;
	enum resume r;

	if (cause < STATS_EXC_MAX)
		v->vm->stats.trap_exc[cause]++;
	if (handler)
		r = handler(v, &t);
	else
		r = trap_inject(&t, cause, tval);
	dispatch_resume(v, r, &t);
}

struct vcpu_arch *dispatch_trap(struct vcpu_arch *a)
{
	struct vcpu *v = a->vcpu;

	dispatch_handle(v, csr_read(scause), csr_read(stval));
	/*
	 * An exit that left the hardware as the entry path loaded it (a
	 * patched CSR access, mostly: Linux's irq save/restore) goes straight
	 * back into the guest when the scheduler has nothing due: the full
	 * resume path costs about as much again as the exit itself on QEMU
	 * (README, Performance). Host interrupts stay pending in sip and are
	 * taken as soon as the guest runs.
	 */
	if (v->engine->stays_loaded && v->engine->stays_loaded(v) && sched_may_stay(v)) {
		v->vm->stats.world_switches++;
		v->vm->stats.resumed_in_place++;
		return a;
	}
	return sched_resume(v)->arch;
}
