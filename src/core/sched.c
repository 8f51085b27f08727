#include "core/sched.h"

#include <stddef.h>
#include "core/arch.h"
#include "core/console.h"
#include "core/engine.h"
#include "core/lib/spinlock.h"
#include "core/platform.h"
#include "core/sched_internal.h"
#include "core/timer.h"
#include "core/vm.h"

#define SCHED_MAX_VCPUS (BOOTINFO_MAX_VMS * VM_MAX_VCPUS)

static struct spinlock rq_lock;
static struct vcpu *all_vcpus[SCHED_MAX_VCPUS];
static unsigned nvcpus;
static struct vcpu *rq_head, *rq_tail;
static uint64_t hang_ticks;
/* How long a panicking guest may go on printing its report before it is stopped. */
#define PANIC_GRACE_US 2000000

/* What the scheduler keeps per physical hart. */
struct sched_cpu {
	struct vcpu *current;       /* the vCPU whose state is live on this hart */
	uint64_t slice_end;         /* time the current vCPU's slice ends */
};
static struct sched_cpu cpus[PLATFORM_MAX_HARTS];

void sched_set_hang_timeout(uint64_t ticks)
{
	hang_ticks = ticks;
}

/* Run-queue operations: rq_lock held. */
static void rq_push(struct vcpu *v)
{
	v->rq_next = NULL;
	if (rq_tail)
		rq_tail->rq_next = v;
	else
		rq_head = v;
	rq_tail = v;
}

static struct vcpu *rq_pop(void)
{
	struct vcpu *v = rq_head;

	if (v) {
		rq_head = v->rq_next;
		if (rq_head == NULL)
			rq_tail = NULL;
		v->rq_next = NULL;
	}
	return v;
}

void sched_add_vcpu(struct vcpu *v)
{
	spin_lock(&rq_lock);
	if (nvcpus < SCHED_MAX_VCPUS)
		all_vcpus[nvcpus++] = v;
	if (v->state == VCPU_RUNNABLE)
		rq_push(v);
	spin_unlock(&rq_lock);
}

void sched_make_runnable(struct vcpu *v)
{
	spin_lock(&rq_lock);
	if (v->state == VCPU_STOPPED || v->state == VCPU_BLOCKED) {
		v->hsm.suspended = 0;
		v->state = VCPU_RUNNABLE;
		rq_push(v);
	}
	spin_unlock(&rq_lock);
}

void sched_block(struct vcpu *v)
{
	v->want_block = true;
}

void sched_stop(struct vcpu *v)
{
	v->want_stop = true;
}

/* The vCPU this hart ran leaves it: stopped, blocked (unless an interrupt
 * is already pending, which WFI must not miss) or back to the queue.
 * rq_lock held. */
static void sched_put_prev(struct vcpu *prev)
{
	bool stop = prev->want_stop, block = prev->want_block;

	prev->want_stop = prev->want_block = false;
	if (prev->state != VCPU_RUNNING)
		return;
	if (stop) {
		prev->state = VCPU_STOPPED;
	} else if (block && !vcpu_irq_wakeup_pending(prev)) {
		prev->state = VCPU_BLOCKED;
	} else {
		prev->state = VCPU_RUNNABLE;
		rq_push(prev);
	}
}

/* Blocked vCPUs whose interrupt became pending become runnable; returns
 * the earliest virtual-timer deadline among those still blocked. rq_lock held. */
static uint64_t sched_wake_blocked(void)
{
	uint64_t earliest = UINT64_MAX;

	for (unsigned i = 0; i < nvcpus; i++) {
		struct vcpu *v = all_vcpus[i];
		if (v->state != VCPU_BLOCKED)
			continue;
		if (vcpu_irq_wakeup_pending(v)) {
			v->hsm.suspended = 0;
			v->state = VCPU_RUNNABLE;
			rq_push(v);
		} else if (vcpu_timer_deadline(v) < earliest) {
			earliest = vcpu_timer_deadline(v);
		}
	}
	return earliest;
}

/* A VM that neither printed nor powered off for hang_ticks is stopped. */
static void sched_check_hangs(uint64_t now)
{
	struct vm *hung = NULL;

	struct vm *panicked = NULL;

	for (unsigned i = 0; i < nvcpus && !panicked; i++)
		if (all_vcpus[i]->vm->panic_seen_at && all_vcpus[i]->vm->state == VM_RUNNING)
			panicked = all_vcpus[i]->vm;
	if (panicked) {
		spin_unlock(&rq_lock);
		vm_check_panic(panicked, now, timer_us_to_ticks(PANIC_GRACE_US));
		spin_lock(&rq_lock);
	}
	if (hang_ticks == 0)
		return;
	for (unsigned i = 0; i < nvcpus && !hung; i++) {
		struct vm *vm = all_vcpus[i]->vm;
		/* last_activity may be newer than now: another hart can
		 * have printed since now was read. */
		uint64_t last = __atomic_load_n(&vm->last_activity, __ATOMIC_RELAXED);
		if (vm->state == VM_RUNNING && now > last && now - last > hang_ticks)
			hung = vm;
	}
	if (hung) {
		struct vcpu *v = hung->vcpus[0];
		log_info("vm %s: vcpu 0 state %d pc 0x%lx, last ran on hart %u",
			 hung->name, v->state, vcpu_get_pc(v), v->on_hart);
		spin_unlock(&rq_lock);
		vm_stop(hung, VM_EXIT_HUNG, "hung: no output and no power-off within the hang timeout");
		spin_lock(&rq_lock);
	}
}

/* Nothing runnable: console input may make a VM runnable; then wait. */
static void sched_idle(uint64_t deadline)
{
	vm_console_input_tick();
	arch_idle(deadline);
}

static struct vcpu *sched_pick(struct sched_cpu *h, struct vcpu *prev)
{
	spin_lock(&rq_lock);
	if (prev)
		sched_put_prev(prev);
	for (;;) {
		uint64_t now = platform_time();
		uint64_t earliest = sched_wake_blocked();
		sched_check_hangs(now);
		struct vcpu *next = rq_pop();
		while (next && next->state != VCPU_RUNNABLE)
			next = rq_pop();
		if (next) {
			next->state = VCPU_RUNNING;
			h->slice_end = now + timer_us_to_ticks(SCHED_SLICE_US);
			spin_unlock(&rq_lock);
			return next;
		}
		spin_unlock(&rq_lock);
		uint64_t tick = now + timer_us_to_ticks(SCHED_SLICE_US);
		sched_idle(earliest < tick ? earliest : tick);
		spin_lock(&rq_lock);
	}
}

struct vcpu *sched_resume(struct vcpu *v)
{
	unsigned cpu = arch_cpu_index();
	struct sched_cpu *h = &cpus[cpu];
	uint64_t now = platform_time();
	struct vcpu *next = v;

	if (v == NULL || v->state != VCPU_RUNNING || v->want_block || v->want_stop ||
	    now >= h->slice_end) {
		/* v may move to another hart from here on: nothing of it may
		 * stay live in this one. */
		if (v)
			v->engine->leave(v);
		if (v && now >= h->slice_end) {
			vm_console_input_tick();
			spin_lock(&rq_lock);
			sched_wake_blocked();
			sched_check_hangs(now);
			spin_unlock(&rq_lock);
		}
		next = sched_pick(h, v);
	}
	h->current = next;
	next->on_hart = cpu;
	next->engine->deliver_irq(next);
	/* Next real timer event: the end of the slice or the guest's own
	 * virtual timer, whichever comes first; a deadline already passed is
	 * visible to the guest through sip without a timer interrupt. */
	uint64_t deadline = h->slice_end;
	uint64_t vt = vcpu_timer_deadline(next);
	if (vt > platform_time() && vt < deadline)
		deadline = vt;
	timer_arm(deadline);
	next->engine->enter(next);
	return next;
}

_Noreturn void sched_run(void)
{
	arch_vcpu_run(sched_resume(NULL));
}
