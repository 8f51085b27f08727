#include "arch/riscv/dispatch.h"

#include "arch/riscv/engine_trap.h"
#include "arch/riscv/timer.h"
#include "core/console.h"
#include "core/sched_internal.h"
#include "core/vm.h"

static void dispatch_irq(struct vcpu *v, uint64_t irq)
{
	if (irq < STATS_IRQ_MAX)
		v->vm->stats.trap_irq[irq]++;
	switch (irq) {
	case IRQ_S_TIMER:
		timer_handle_irq();
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

struct vcpu *dispatch_trap(struct vcpu *v)
{
	struct trap_info t = {
		.cause = csr_read(scause),
		.tval = csr_read(stval),
		.epc = v->arch.regs.pc,
	};

	engine_trap_sync_from_hw(v);
	if (t.cause & CAUSE_INTERRUPT) {
		dispatch_irq(v, t.cause & ~CAUSE_INTERRUPT);
		return sched_resume(v);
	}

	uint64_t code = t.cause;
	trap_handler_t handler = code < EXC_COUNT ? v->arch.engine->handlers[code] : NULL;
	enum resume r;

	if (code < STATS_EXC_MAX)
		v->vm->stats.trap_exc[code]++;
	if (handler)
		r = handler(v, &t);
	else
		r = trap_inject(&t, code, t.tval);

	switch (r) {
	case RESUME_NEXT:
		v->arch.regs.pc += t.insn_len;
		break;
	case RESUME_SAME:
		break;
	case RESUME_INJECT:
		engine_trap_inject(v, t.inject_cause, t.inject_tval);
		break;
	case RESUME_HALT:
		break;
	}
	return sched_resume(v);
}
