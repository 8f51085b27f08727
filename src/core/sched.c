#include "core/sched.h"

#include <stddef.h>
#include "core/arch.h"
#include "core/console.h"
#include "core/engine.h"
#include "core/lifecycle.h"
#include "core/monitor.h"
#include "core/lib/spinlock.h"
#include "core/platform.h"
#include "core/sbi/sbi_sta.h"
#include "core/sched_internal.h"
#include "core/sched_queue.h"
#include "core/lib/format.h"
#include "core/stats.h"
#include "core/timer.h"
#include "core/vm.h"

#define SCHED_MAX_VCPUS (BOOTINFO_MAX_VMS * VM_MAX_VCPUS)

static struct spinlock rq_lock;
static struct vcpu *all_vcpus[SCHED_MAX_VCPUS];
static unsigned nvcpus;
/* One run queue per physical hart (sched_queue.h), all under rq_lock. */
static struct sched_queue queues[PLATFORM_MAX_HARTS];
static uint64_t hang_ticks;
/* How long a panicking guest may go on printing its report before it is stopped. */
#define PANIC_GRACE_US 2000000

/* An idle hart still looks at the console this often (its input is polled
 * until the host UART interrupts). */
#define SCHED_IDLE_POLL_US  SCHED_SLICE_US

/* What the scheduler keeps per physical hart. */
struct sched_cpu {
	struct vcpu *current;       /* the vCPU on this hart; NULL while it idles */
	/* Time the current vCPU's slice ends; UINT64_MAX while nothing else
	 * could run here: a lone vCPU takes no slice interrupts. */
	uint64_t slice_end;
	/* Then the next time this hart must look around anyway: the earliest
	 * timer of a blocked vCPU, the hang watchdog's next deadline. */
	uint64_t check_at;
};
static struct sched_cpu cpus[PLATFORM_MAX_HARTS];

static unsigned sched_nharts(void)
{
	unsigned n = platform.nharts;

	return n == 0 ? 1 : n > PLATFORM_MAX_HARTS ? PLATFORM_MAX_HARTS : n;
}

bool sched_hart_contended(void)
{
	return __atomic_load_n(&cpus[arch_cpu_index()].slice_end, __ATOMIC_RELAXED) != UINT64_MAX;
}

void sched_set_hang_timeout(uint64_t ticks)
{
	hang_ticks = ticks;
}

/* Run-queue operations: rq_lock held. A queued vCPU is runnable but not
 * running: its steal time (SBI v3.0, chapter 16) runs from here until
 * sched_pick gives it a hart. It joins the queue of an idle hart it may
 * run on (woken by an IPI), else of its last hart; every hart it may run
 * on that runs a lone vCPU without slices starts slicing now (kicked, so
 * that it arms its timer). */
static void rq_push(struct vcpu *v)
{
	unsigned n = sched_nharts(), self = arch_cpu_index();
	uint32_t idle = 0, ok = sched_vcpu_harts(v, n);
	uint64_t now = platform_time();

	v->runnable_since = now;
	for (unsigned h = 0; h < n; h++)
		if (cpus[h].current == NULL && h != self)
			idle |= 1u << h;
	sched_queue_remove(queues, v);
	unsigned to = sched_queue_place(queues, n, v, idle);
	sched_queue_push(queues, to, v);
	if (idle >> to & 1) {
		arch_kick_hart(to);
		return;
	}
	for (unsigned h = 0; h < n; h++) {
		if (!(ok >> h & 1))
			continue;
		if (cpus[h].current && cpus[h].slice_end == UINT64_MAX) {
			/* Its slice started when it began running alone: one
			 * that has had a slice's worth already yields at once. */
			uint64_t end = cpus[h].current->sched.ran_since + timer_us_to_ticks(SCHED_SLICE_US);
			__atomic_store_n(&cpus[h].slice_end, end > now ? end : now, __ATOMIC_RELAXED);
			if (h != self)
				arch_kick_hart(h);
		}
	}
}

/* The virtual time v has used on its hart so far is charged to it. */
static void sched_charge(struct vcpu *v, uint64_t now)
{
	unsigned cpu = arch_cpu_index();

	if (now > v->sched.ran_since) {
		v->sched.vruntime += sched_vruntime_delta(v, now - v->sched.ran_since);
		if (cpu < sizeof(v->sched.hart_ticks) / sizeof(v->sched.hart_ticks[0]))
			v->sched.hart_ticks[cpu] += now - v->sched.ran_since;
	}
	v->sched.ran_since = now;
}

/* CPU time of v on hart h so far, its current stint included (a lone
 * vCPU is charged only when it leaves the hart). */
static uint64_t sched_vcpu_hart_ticks(const struct vcpu *v, unsigned h, uint64_t now)
{
	uint64_t ticks = v->sched.hart_ticks[h];

	if (h < sched_nharts() && cpus[h].current == v && now > v->sched.ran_since)
		ticks += now - v->sched.ran_since;
	return ticks;
}

uint64_t sched_vm_cpu_ticks(const struct vm *vm)
{
	uint64_t now = platform_time(), t = 0;

	for (unsigned i = 0; i < vm->nvcpus; i++)
		for (unsigned h = 0; h < PLATFORM_MAX_HARTS; h++)
			t += sched_vcpu_hart_ticks(vm->vcpus[i], h, now);
	return t;
}

void sched_print_stats(const struct vm *vm)
{
	struct stats_line l = { .vm = vm->name, .group = "sched" };
	uint64_t per_hart[PLATFORM_MAX_HARTS] = { 0 }, total = 0, us = timer_us_to_ticks(1000);
	char name[16];

	uint64_t now = platform_time();

	for (unsigned i = 0; i < vm->nvcpus; i++) {
		const struct vcpu *v = vm->vcpus[i];
		uint64_t t = 0;
		for (unsigned h = 0; h < PLATFORM_MAX_HARTS; h++) {
			uint64_t ticks = sched_vcpu_hart_ticks(v, h, now);
			per_hart[h] += ticks;
			t += ticks;
		}
		format(name, sizeof(name), "vcpu%u-ms", i);
		stats_add(&l, name, us ? t / us : 0);
		total += t;
	}
	stats_add(&l, "cpu-ms", us ? total / us : 0);
	for (unsigned h = 0; h < sched_nharts(); h++) {
		format(name, sizeof(name), "hart%u-ms", h);
		stats_add(&l, name, us ? per_hart[h] / us : 0);
	}
	stats_add(&l, "weight", sched_vcpu_weight(vm->vcpus[0]));
	stats_flush(&l);
}

/* A vCPU that waited (blocked, stopped, parked while its VM was paused)
 * joins the others no more than one slice ahead of the least-served of
 * them: it neither starves them with credit from its sleep nor waits for
 * them to catch up. "The others" are those it competes with: allowed on
 * a hart it may use (a VM pinned to another hart keeps a virtual time of
 * its own, far behind when that hart is quiet), and not paused (parked,
 * or still queued: their virtual time stopped at the pause). rq_lock held. */
static void sched_vruntime_join(struct vcpu *v)
{
	uint64_t floor = UINT64_MAX, now = platform_time();
	uint32_t harts = sched_vcpu_harts(v, sched_nharts());

	for (unsigned i = 0; i < nvcpus; i++) {
		struct vcpu *o = all_vcpus[i];
		uint64_t vr = o->sched.vruntime;

		if (o == v || o->parked || lifecycle_pending(o) ||
		    !(sched_vcpu_harts(o, sched_nharts()) & harts) ||
		    (o->state != VCPU_RUNNING && o->state != VCPU_RUNNABLE))
			continue;
		/* A lone vCPU is charged only when it leaves its hart: its
		 * current stint counts, or a vCPU joining after it ran alone
		 * for seconds would get those seconds as credit. */
		if (o->state == VCPU_RUNNING && now > o->sched.ran_since)
			vr += sched_vruntime_delta(o, now - o->sched.ran_since);
		if (vr < floor)
			floor = vr;
	}
	if (floor == UINT64_MAX)
		return;
	uint64_t credit = sched_vruntime_delta(v, timer_us_to_ticks(SCHED_SLICE_US));
	if (floor > credit && v->sched.vruntime < floor - credit)
		v->sched.vruntime = floor - credit;
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
		sched_vruntime_join(v);
		rq_push(v);
	}
	spin_unlock(&rq_lock);
}

bool sched_vcpu_on_hart(const struct vcpu *v)
{
	for (unsigned h = 0; h < sched_nharts(); h++)
		if (__atomic_load_n(&cpus[h].current, __ATOMIC_ACQUIRE) == v)
			return true;
	return false;
}

void sched_unpark(struct vcpu *v)
{
	spin_lock(&rq_lock);
	if (v->parked) {
		v->parked = false;
		if (v->state == VCPU_RUNNABLE) {
			/* No credit for the pause: resumed after a long one, it
			 * would otherwise have the hart alone that long. */
			sched_vruntime_join(v);
			rq_push(v);
		}
	}
	spin_unlock(&rq_lock);
}

void sched_yield_to(struct vcpu *v, struct vcpu *target)
{
	if (target != v && target->vm == v->vm &&
	    __atomic_load_n(&target->state, __ATOMIC_RELAXED) == VCPU_RUNNABLE)
		v->sched.yield_to = target;
}

void sched_block(struct vcpu *v)
{
	v->want_block = true;
}

void sched_stop(struct vcpu *v)
{
	v->want_stop = true;
}

/* The watchdog reads `suspended` on other harts without this vCPU: the
 * time is published first. */
void sched_suspend(struct vcpu *v)
{
	struct vm *vm = v->vm;

	__atomic_store_n(&vm->suspended_at, platform_time(), __ATOMIC_RELAXED);
	__atomic_store_n(&vm->suspended, true, __ATOMIC_RELEASE);
	v->want_block = true;
}

/* A vCPU of a suspended VM runs again: the VM is awake, and its silence
 * while asleep is forgiven by moving its last sign of life forward by as
 * long (nothing of it ran meanwhile to print). rq_lock held. */
static void sched_vm_wake(struct vm *vm, uint64_t now)
{
	uint64_t at = __atomic_load_n(&vm->suspended_at, __ATOMIC_RELAXED);

	if (now > at)
		__atomic_fetch_add(&vm->last_activity, now - at, __ATOMIC_RELAXED);
	__atomic_store_n(&vm->suspended, false, __ATOMIC_RELEASE);
}

/* A blocked vCPU must run again: an interrupt it enables is pending, or
 * SBI SSE asked it to look at its events (sse_poke from another hart: the
 * event may be one it can take, which ends its wait). */
static bool sched_wakeup_pending(const struct vcpu *v)
{
	return vcpu_irq_wakeup_pending(v) || __atomic_load_n(&v->sbi.sse.recheck, __ATOMIC_SEQ_CST);
}

/* The vCPU this hart ran leaves it: stopped, blocked (unless an interrupt
 * is already pending, which WFI must not miss) or back to the queue.
 * rq_lock held. */
static void sched_put_prev(struct vcpu *prev)
{
	bool stop = prev->want_stop, block = prev->want_block;

	prev->want_stop = prev->want_block = false;
	sched_charge(prev, platform_time());
	if (prev->state != VCPU_RUNNING)
		return;
	/* Whoever raised an interrupt or poked SSE before this either sees
	 * the vCPU blocked (and wakes it) or is seen here. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (stop) {
		prev->state = VCPU_STOPPED;
	} else if (block && !sched_wakeup_pending(prev)) {
		prev->state = VCPU_BLOCKED;
	} else {
		/* A suspend that an interrupt ended at once is over. */
		__atomic_store_n(&prev->hsm.suspended, 0, __ATOMIC_RELAXED);
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
		if (sched_wakeup_pending(v)) {
			v->hsm.suspended = 0;
			v->state = VCPU_RUNNABLE;
			sched_vruntime_join(v);
			rq_push(v);
		} else if (vcpu_timer_deadline(v) < earliest) {
			earliest = vcpu_timer_deadline(v);
		}
	}
	return earliest;
}

/* A VM that neither printed nor powered off for hang_ticks is stopped;
 * a suspended one is asleep, not hung (SBI SUSP), whatever its silence. */
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
		if (vm->state == VM_RUNNING && !lifecycle_watchdog_exempt(vm, now) &&
		    now > last && now - last > hang_ticks)
			hung = vm;
	}
	if (hung) {
		for (unsigned i = 0; i < hung->nvcpus; i++) {
			struct vcpu *v = hung->vcpus[i];
			log_info("vm %s: vcpu %u state %d pc 0x%lx, last ran on hart %u%s", hung->name, i,
				 v->state, vcpu_get_pc(v), v->on_hart, v->sched.queued ? ", queued" : "");
		}
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

/* When a hart running a lone vCPU must look around anyway: a blocked
 * vCPU's timer (earliest), a VM's hang deadline, a panic report's grace.
 * rq_lock held. */
static uint64_t sched_next_check(uint64_t earliest)
{
	uint64_t at = earliest;

	for (unsigned i = 0; i < nvcpus; i++) {
		struct vm *vm = all_vcpus[i]->vm;
		if (vm->state != VM_RUNNING)
			continue;
		if (vm->panic_seen_at) {
			uint64_t p = vm->panic_seen_at + timer_us_to_ticks(PANIC_GRACE_US);
			if (p < at)
				at = p;
		}
		/* A device timer (an RTC alarm) fires from the look-around. */
		if (device_deadline(vm) < at)
			at = device_deadline(vm);
		if (hang_ticks && !lifecycle_watchdog_exempt(vm, platform_time())) {
			uint64_t last = __atomic_load_n(&vm->last_activity, __ATOMIC_RELAXED);
			if (last + hang_ticks + 1 < at)
				at = last + hang_ticks + 1;
		}
	}
	return at;
}

/* The slice of the vCPU this hart starts running: none while nothing
 * else could run here. rq_lock held. */
static void sched_start_slice(struct sched_cpu *h, unsigned self, uint64_t now, uint64_t earliest)
{
	bool others = sched_queue_waiting_for(queues, sched_nharts(), self);
	/* Its own VM's vCPUs wait for this hart: shorter slices bound what a
	 * preempted lock holder costs the ones spinning on it. */
	bool siblings = others && h->current &&
			sched_queue_vm_waiting_for(queues, sched_nharts(), self, h->current->vm);
	uint64_t slice = timer_us_to_ticks(siblings ? SCHED_SMP_SLICE_US : SCHED_SLICE_US);

	__atomic_store_n(&h->slice_end, others ? now + slice : UINT64_MAX, __ATOMIC_RELAXED);
	h->check_at = others ? UINT64_MAX : sched_next_check(earliest);
}

/* The margin by which another hart's queue must be behind for a steal:
 * one slice of a weight-1 vCPU. */
static uint64_t sched_steal_margin(void)
{
	return timer_us_to_ticks(SCHED_SLICE_US) * SCHED_WEIGHT_SCALE;
}

static struct vcpu *sched_pick(struct sched_cpu *h, struct vcpu *prev)
{
	unsigned self = arch_cpu_index();

	struct vcpu *yield_to = prev ? prev->sched.yield_to : NULL;

	spin_lock(&rq_lock);
	if (prev) {
		prev->sched.yield_to = NULL;
		sched_put_prev(prev);
	}
	/* A directed yield: the vCPU prev waits for, if still waiting and
	 * allowed here, runs next (prev is queued again, its virtual time
	 * charged: the yield costs it nothing it had not used). */
	if (yield_to && yield_to->sched.queued && yield_to->state == VCPU_RUNNABLE &&
	    (sched_vcpu_harts(yield_to, sched_nharts()) >> self & 1) && !lifecycle_park(yield_to))
		sched_queue_remove(queues, yield_to);
	else
		yield_to = NULL;
	for (;;) {
		uint64_t now = platform_time();
		uint64_t earliest = sched_wake_blocked();
		sched_check_hangs(now);
		struct vcpu *next = yield_to ? yield_to :
				    sched_queue_choose(queues, sched_nharts(), self, sched_steal_margin());
		yield_to = NULL;
		while (next && (next->state != VCPU_RUNNABLE || lifecycle_park(next)))
			next = sched_queue_choose(queues, sched_nharts(), self, sched_steal_margin());
		if (next) {
			next->state = VCPU_RUNNING;
			next->sched.ran_since = now;
			h->current = next;
			/* Queued up to now; the wake scan above pushes after
			 * reading now, which is no wait at all. */
			if (now > next->runnable_since)
				next->steal_ticks += now - next->runnable_since;
			if (__atomic_load_n(&next->vm->suspended, __ATOMIC_ACQUIRE))
				sched_vm_wake(next->vm, now);
			sched_start_slice(h, self, now, earliest);
			spin_unlock(&rq_lock);
			return next;
		}
		h->current = NULL;
		spin_unlock(&rq_lock);
		/* Device timers (RTC alarms) due now fire, and the next one
		 * ends the wait; one that fired may have woken a vCPU. */
		if (device_run_timers(now)) {
			spin_lock(&rq_lock);
			continue;
		}
		uint64_t tick = now + timer_us_to_ticks(SCHED_IDLE_POLL_US);
		for (unsigned i = 0; i < vm_count(); i++)
			if (vm_at(i)->state == VM_RUNNING && device_deadline(vm_at(i)) < earliest)
				earliest = device_deadline(vm_at(i));
		sched_idle(earliest < tick ? earliest : tick);
		spin_lock(&rq_lock);
	}
}

/* The periodic work of a tick: console input, blocked vCPUs whose timer
 * expired, the hang watchdog. Returns the earliest timer still ahead. */
static uint64_t sched_tick_work(uint64_t now)
{
	vm_console_input_tick();
	/* Before the wake scan: an alarm may wake a blocked vCPU. */
	device_run_timers(now);
	spin_lock(&rq_lock);
	uint64_t earliest = sched_wake_blocked();
	sched_check_hangs(now);
	spin_unlock(&rq_lock);
	return earliest;
}

void sched_vm_ended(struct vm *vm)
{
	unsigned self = arch_cpu_index();

	for (unsigned h = 0; h < sched_nharts(); h++) {
		struct vcpu *c = __atomic_load_n(&cpus[h].current, __ATOMIC_ACQUIRE);
		if (h != self && c && c->vm == vm)
			arch_kick_hart(h);
	}
}

bool sched_may_stay(struct vcpu *v)
{
	const struct sched_cpu *h = &cpus[arch_cpu_index()];
	uint64_t now = platform_time();

	return !monitor_input_waiting() && now < h->check_at && now < h->slice_end &&
	       device_deadline(v->vm) >= h->check_at && v->state == VCPU_RUNNING &&
	       !v->want_block && !v->want_stop && !lifecycle_pending(v) && !v->sched.yield_to &&
	       !sbi_sse_due(v);
}

struct vcpu *sched_resume(struct vcpu *v)
{
	unsigned cpu = arch_cpu_index();
	struct sched_cpu *h = &cpus[cpu];
	uint64_t now = platform_time();
	struct vcpu *next = v;

	/* Console input (or a monitor command) arrived by interrupt. */
	if (v && monitor_input_due())
		vm_console_input_tick();
	/* Its VM may have set a device timer (an RTC alarm) since the look
	 * around was planned: it is one more reason to look. */
	if (v && device_deadline(v->vm) < h->check_at)
		h->check_at = device_deadline(v->vm);
	/* Alone on this hart, without slices: the look around is due. */
	if (v && h->slice_end == UINT64_MAX && now >= h->check_at) {
		uint64_t earliest = sched_tick_work(now);
		spin_lock(&rq_lock);
		if (h->slice_end == UINT64_MAX)
			h->check_at = sched_next_check(earliest);
		spin_unlock(&rq_lock);
	}
	/* The slice ended: the tick's work, and the vCPU goes on alone
	 * without a switch if nothing waits for this hart any more (another
	 * hart took what waited). */
	if (v && now >= h->slice_end) {
		uint64_t earliest = sched_tick_work(now);
		spin_lock(&rq_lock);
		if (v->state == VCPU_RUNNING) {
			sched_charge(v, now);
			if (!sched_queue_waiting_for(queues, sched_nharts(), cpu))
				sched_start_slice(h, cpu, now, earliest);
		}
		spin_unlock(&rq_lock);
	}
	if (v == NULL || v->state != VCPU_RUNNING || v->want_block || v->want_stop ||
	    now >= h->slice_end || lifecycle_pending(v) || v->sched.yield_to) {
		/* v may move to another hart from here on: nothing of it may
		 * stay live in this one. */
		if (v)
			v->engine->leave(v);
		/* Still runnable at the end of its slice: it waits in the queue
		 * from now on, and its steal-time record says so. */
		if (v && v->state == VCPU_RUNNING && !v->want_block && !v->want_stop)
			sbi_sta_mark_preempted(v);
		next = sched_pick(h, v);
		/* A reset or destroy asked from the monitor happens here, on
		 * the hart about to run the VM, before it runs again. */
		while (lifecycle_take(next))
			next = sched_pick(h, next);
		/* It waited for a hart: its steal-time record catches up. */
		sbi_sta_record_steal(next);
	}
	bool migrated = next->on_hart != cpu;
	h->current = next;
	next->on_hart = cpu;
	/* Whoever raises an interrupt for next after this either finds it
	 * here (and kicks this hart) or is seen by the deliveries below; the
	 * same for a remote FENCE.I (vcpu_fence_i). */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	vcpu_fence_i_on_entry(next, migrated);
	/* SBI SSE events preempt the guest's traps and interrupts. */
	sbi_sse_deliver(next);
	next->engine->deliver_irq(next);
	/* Next real timer event: the end of the slice or the guest's own
	 * virtual timer, whichever comes first; a deadline already passed is
	 * visible to the guest through sip without a timer interrupt. */
	uint64_t deadline = h->slice_end != UINT64_MAX ? h->slice_end : h->check_at;
	uint64_t vt = vcpu_timer_deadline(next);
	if (vt > platform_time() && vt < deadline)
		deadline = vt;
	timer_arm(deadline);
	next->engine->enter(next);
	return next;
}

#ifdef TRAPEZE_HOST
/* Host unit tests: every hart idle, every queue empty. */
void sched_test_reset(void)
{
	for (unsigned h = 0; h < PLATFORM_MAX_HARTS; h++) {
		cpus[h] = (struct sched_cpu){ 0 };
		while (queues[h].head)
			sched_queue_remove(queues, queues[h].head);
	}
}
#endif

_Noreturn void sched_run(void)
{
	arch_vcpu_run(sched_resume(NULL));
}
