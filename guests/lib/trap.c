/*
 * Trap policy of the guest runtime: expected exceptions, test hooks, the
 * U-mode exit call, and the "unexpected trap" failure path.
 */
#include "guest.h"

void (*trap_irq_hook)(struct trap_frame *f);
int (*trap_exc_hook)(struct trap_frame *f);

static struct trap_record *volatile trap_armed;

unsigned long insn_length_at(unsigned long pc)
{
	/* Unprivileged ISA 20191213, 1.5 Base Instruction-Length Encoding. */
	return (*(volatile uint16_t *)pc & 3) == 3 ? 4 : 2;
}

static int trap_is_fetch_fault(unsigned long cause)
{
	return cause == EXC_INST_MISALIGNED || cause == EXC_INST_ACCESS ||
	       cause == EXC_INST_PAGE_FAULT;
}

static void trap_unexpected(const struct trap_frame *f)
{
	printf("unexpected trap scause=0x%lx stval=0x%lx sepc=0x%lx\n",
	       f->scause, f->stval, f->sepc);
	guest_fail();
}

void trap_handle(struct trap_frame *f)
{
	struct trap_record *r = trap_armed;

	if (f->scause & SCAUSE_INTERRUPT) {
		if (!trap_irq_hook)
			trap_unexpected(f);
		trap_irq_hook(f);
		return;
	}
	if (f->scause == EXC_ECALL_U && f->regs[REG_A7] == UMODE_EXIT_EID)
		umode_resume(f->regs[REG_A0]);
	if (trap_exc_hook && trap_exc_hook(f))
		return;
	if (!r)
		trap_unexpected(f);
	if (r->taken++ == 0) {
		r->cause = f->scause;
		r->tval = f->stval;
		r->epc = f->sepc;
		r->sstatus = f->sstatus;
	}
	/*
	 * A faulting fetch has no instruction to step over: go back to the
	 * caller of the probe, as if the probe had returned.
	 */
	if (trap_is_fetch_fault(f->scause))
		f->sepc = f->regs[REG_RA];
	else
		f->sepc += insn_length_at(f->sepc);
}

static void trap_arm(struct trap_record *r, probe_fn fn)
{
	memset(r, 0, sizeof(*r));
	r->fn = (unsigned long)fn;
	trap_armed = r;
	__asm__ volatile("" ::: "memory");
}

static int trap_disarm(struct trap_record *r)
{
	__asm__ volatile("" ::: "memory");
	trap_armed = 0;
	return r->taken != 0;
}

int trap_expect(struct trap_record *r, probe_fn fn, unsigned long arg)
{
	trap_arm(r, fn);
	r->ret = fn(arg);
	return trap_disarm(r);
}

int trap_expect_user(struct trap_record *r, probe_fn fn, unsigned long arg)
{
	trap_arm(r, fn);
	r->ret = umode_run(fn, arg);
	return trap_disarm(r);
}

void trap_report(const char *label, const struct trap_record *r)
{
	if (r->taken)
		printf("%s: trap scause=0x%lx stval=0x%lx sepc=fn+%ld\n", label,
		       r->cause, r->tval, (long)(r->epc - r->fn));
	else
		printf("%s: ok value=0x%lx\n", label, r->ret);
}
