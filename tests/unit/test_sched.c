/*
 * The scheduler (core/sched.c) with the real virtual-interrupt and
 * virtual-timer logic (core/vcpu.c). Everything else it calls is faked
 * here: the engine records enter/leave/deliver_irq and reports a settable
 * set of enabled interrupts; a fake clock drives platform_time(); arch_idle
 * advances the clock to its deadline; timer_arm, vm_stop and
 * vm_check_panic record what they were asked.
 *
 * sched.c keeps its run queue and vCPU list in statics that cannot be
 * reset, so the vCPUs are a fixed pool registered once (group setup), and
 * each test's setup halts them, empties the run queue through a spare
 * "drain" vCPU and puts the pool back to STOPPED with a fresh clock.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "core/arch.h"
#include "core/console.h"
#include "core/engine.h"
#include "core/platform.h"
#include "core/sched.h"
#include "core/sched_internal.h"
#include "core/timer.h"
#include "core/vcpu.h"
#include "core/vm.h"

#define TICKS_PER_US    10      /* a 10 MHz timebase, as on QEMU virt */
#define SLICE_TICKS     ((uint64_t)SCHED_SLICE_US * TICKS_PER_US)
#define PANIC_GRACE_TICKS (2000000ULL * TICKS_PER_US)   /* sched.c PANIC_GRACE_US */
#define T0              1000000000ULL   /* the clock at the start of each test */
#define POOL            3
#define IDLE_MAX        16
#define CALLS_MAX       64

/* ---- fake clock, timer and architecture ------------------------------ */

static uint64_t fake_now;
static uint64_t armed_deadline;
static unsigned arm_count;
static uint64_t idle_deadline[IDLE_MAX];
static unsigned idle_count;
static void (*idle_hook)(void);
static jmp_buf run_jmp;
static struct vcpu *run_vcpu;

uint64_t platform_time(void)
{
	return fake_now;
}

uint64_t timer_us_to_ticks(uint64_t us)
{
	return us * TICKS_PER_US;
}

void timer_arm(uint64_t deadline)
{
	armed_deadline = deadline;
	arm_count++;
}

void timer_handle_irq(void)
{
}

unsigned arch_cpu_index(void)
{
	return 0;
}

/* Waiting ends at the deadline (the timer fires); the hook plays whatever
 * else happens meanwhile (another hart raising an interrupt). */
void arch_idle(uint64_t deadline)
{
	if (idle_count >= IDLE_MAX)
		fail_msg("hart idled %u times: nothing ever became runnable", idle_count);
	idle_deadline[idle_count++] = deadline;
	if (deadline > fake_now)
		fake_now = deadline;
	if (idle_hook)
		idle_hook();
}

_Noreturn void arch_vcpu_run(struct vcpu *v)
{
	run_vcpu = v;
	longjmp(run_jmp, 1);
}

uint64_t vcpu_get_pc(const struct vcpu *v)
{
	(void)v;
	return 0x80200000;
}

/* ---- fake VM and console side ------------------------------------------ */

static unsigned console_ticks;
static struct vm *stop_vm;
static enum vm_exit stop_why;
static unsigned stop_count;
static struct vm *panic_vm;
static uint64_t panic_now, panic_grace;
static unsigned panic_count;
static char last_log[256];
static unsigned log_count;

void vm_console_input_tick(void)
{
	console_ticks++;
}

/* As the real one (vm_end): the VM and all its vCPUs end. */
void vm_stop(struct vm *vm, enum vm_exit why, const char *reason)
{
	(void)reason;
	stop_vm = vm;
	stop_why = why;
	stop_count++;
	vm->state = VM_STOPPED;
	vm->exit = why;
	for (unsigned i = 0; i < vm->nvcpus; i++)
		vm->vcpus[i]->state = VCPU_HALTED;
}

bool vm_check_panic(struct vm *vm, uint64_t now, uint64_t grace_ticks)
{
	panic_vm = vm;
	panic_now = now;
	panic_grace = grace_ticks;
	panic_count++;
	return false;
}

void log_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(last_log, sizeof(last_log), fmt, ap);
	va_end(ap);
	log_count++;
}

/* ---- fake engine -------------------------------------------------------- */

enum call_kind { CALL_ENTER, CALL_LEAVE, CALL_DELIVER };

struct call {
	enum call_kind kind;
	struct vcpu *v;
};

static struct call calls[CALLS_MAX];
static unsigned ncalls;

/* A vCPU with what its guest enables (the engine's business, not core's). */
struct fake_vcpu {
	struct vcpu v;
	uint64_t enabled;       /* VIRQ_* bits */
};

static void call_record(enum call_kind kind, struct vcpu *v)
{
	if (ncalls < CALLS_MAX)
		calls[ncalls] = (struct call){ kind, v };
	ncalls++;
}

static void fake_enter(struct vcpu *v)
{
	call_record(CALL_ENTER, v);
}

static void fake_leave(struct vcpu *v)
{
	call_record(CALL_LEAVE, v);
}

static void fake_deliver_irq(struct vcpu *v)
{
	call_record(CALL_DELIVER, v);
}

static uint64_t fake_virq_enabled(const struct vcpu *v)
{
	const struct fake_vcpu *f = (const struct fake_vcpu *)((const char *)v -
							       offsetof(struct fake_vcpu, v));
	return f->enabled;
}

static const struct engine fake_engine = {
	.name = "fake",
	.enter = fake_enter,
	.leave = fake_leave,
	.deliver_irq = fake_deliver_irq,
	.virq_enabled = fake_virq_enabled,
};

/* ---- the vCPU pool ------------------------------------------------------ */

static struct fake_vcpu pool[POOL];
static struct vm pool_vm[POOL];
static struct fake_vcpu drain;          /* empties the run queue between tests */
static struct vm drain_vm;
static struct fake_vcpu added[2];       /* test_sched_add_vcpu_queues_only_runnable */
static struct vm added_vm[2];
static struct vcpu *idle_wake_vcpu;     /* what wake_on_idle raises an interrupt on */
static uint64_t idle_wake_irq;

static struct vcpu *vc(unsigned i)
{
	return &pool[i].v;
}

static void vcpu_bind(struct fake_vcpu *f, struct vm *vm, unsigned id, enum vcpu_state state)
{
	f->v.engine = &fake_engine;
	f->v.vm = vm;
	f->v.id = id;
	f->v.state = state;
	f->v.timer_deadline = UINT64_MAX;
	vm->vcpus[0] = &f->v;
	vm->nvcpus = 1;
	vm->engine = &fake_engine;
	snprintf(vm->name, sizeof(vm->name), "vm%u", id);
}

static void vcpu_retire(struct fake_vcpu *f)
{
	f->v.state = VCPU_HALTED;
	f->v.want_block = f->v.want_stop = false;
	f->v.vm->state = VM_OFF;
	f->v.vm->panic_seen_at = 0;
}

static int group_setup(void **state)
{
	(void)state;
	for (unsigned i = 0; i < POOL; i++) {
		vcpu_bind(&pool[i], &pool_vm[i], i, VCPU_STOPPED);
		sched_add_vcpu(&pool[i].v);
	}
	vcpu_bind(&drain, &drain_vm, 99, VCPU_STOPPED);
	drain_vm.state = VM_OFF;
	sched_add_vcpu(&drain.v);
	return 0;
}

static void records_reset(void)
{
	ncalls = 0;
	arm_count = 0;
	armed_deadline = 0;
	idle_count = 0;
	console_ticks = 0;
	stop_vm = NULL;
	stop_count = 0;
	panic_vm = NULL;
	panic_count = 0;
	log_count = 0;
	last_log[0] = '\0';
}

static int setup(void **state)
{
	(void)state;
	/* Whatever the last test left must neither run, wake nor hang. */
	sched_set_hang_timeout(0);
	idle_hook = NULL;
	for (unsigned i = 0; i < POOL; i++)
		vcpu_retire(&pool[i]);
	for (unsigned i = 0; i < 2; i++)
		if (added[i].v.vm)
			vcpu_retire(&added[i]);
	/* Popping up to the drain vCPU drops every halted entry before it. */
	drain.v.state = VCPU_STOPPED;
	sched_make_runnable(&drain.v);
	if (sched_resume(NULL) != &drain.v)
		return -1;
	drain.v.state = VCPU_STOPPED;

	fake_now = T0;
	records_reset();
	for (unsigned i = 0; i < POOL; i++) {
		struct vcpu *v = vc(i);
		v->state = VCPU_STOPPED;
		v->virq = 0;
		v->timer_deadline = UINT64_MAX;
		v->timer_programmed = false;
		v->hsm.starting = v->hsm.suspended = 0;
		pool[i].enabled = 0;
		pool_vm[i].state = VM_RUNNING;
		pool_vm[i].exit = VM_EXIT_NONE;
		pool_vm[i].last_activity = T0;
		pool_vm[i].panic_seen_at = 0;
	}
	return 0;
}

/* Make pool vCPUs 0..n-1 runnable, in order, and run the first. */
static void start_first(unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		sched_make_runnable(vc(i));
	assert_ptr_equal(sched_resume(NULL), vc(0));
	records_reset();
}

/* The current vCPU's slice runs out and it traps. */
static struct vcpu *next_slice(struct vcpu *cur)
{
	fake_now += SLICE_TICKS;
	ncalls = 0;
	return sched_resume(cur);
}

/* cur traps on WFI (or HSM suspend) within its slice. */
static struct vcpu *wfi(struct vcpu *cur)
{
	sched_block(cur);
	ncalls = 0;
	return sched_resume(cur);
}

static void assert_call(unsigned i, enum call_kind kind, struct vcpu *v)
{
	assert_true(i < ncalls);
	assert_int_equal(calls[i].kind, kind);
	assert_ptr_equal(calls[i].v, v);
}

/* What a switch from prev to next does to the engine, in this order. */
static void assert_switch(struct vcpu *prev, struct vcpu *next)
{
	assert_int_equal(ncalls, 3);
	assert_call(0, CALL_LEAVE, prev);
	assert_call(1, CALL_DELIVER, next);
	assert_call(2, CALL_ENTER, next);
}

static void wake_on_idle(void)
{
	if (idle_count == 1)
		vcpu_raise_irq(idle_wake_vcpu, idle_wake_irq);
}

/* ---- picking and round robin ------------------------------------------ */

static void test_sched_add_vcpu_queues_only_runnable(void **state)
{
	(void)state;
	vcpu_bind(&added[0], &added_vm[0], 10, VCPU_RUNNABLE);
	vcpu_bind(&added[1], &added_vm[1], 11, VCPU_STOPPED);
	added_vm[0].last_activity = added_vm[1].last_activity = T0;
	sched_add_vcpu(&added[0].v);
	sched_add_vcpu(&added[1].v);

	assert_ptr_equal(sched_resume(NULL), &added[0].v);
	/* The stopped one was registered but not queued. */
	assert_ptr_equal(next_slice(&added[0].v), &added[0].v);
	assert_int_equal(added[1].v.state, VCPU_STOPPED);
	sched_make_runnable(&added[1].v);
	assert_ptr_equal(next_slice(&added[0].v), &added[1].v);
	assert_switch(&added[0].v, &added[1].v);
	assert_int_equal(idle_count, 0);
}

static void test_sched_first_resume_picks_first_runnable(void **state)
{
	(void)state;
	sched_make_runnable(vc(0));
	sched_make_runnable(vc(1));

	assert_ptr_equal(sched_resume(NULL), vc(0));
	assert_int_equal(vc(0)->state, VCPU_RUNNING);
	assert_int_equal(vc(1)->state, VCPU_RUNNABLE);
	assert_int_equal(vc(0)->on_hart, 0);
	/* Nothing ran here before: nothing to leave. */
	assert_int_equal(ncalls, 2);
	assert_call(0, CALL_DELIVER, vc(0));
	assert_call(1, CALL_ENTER, vc(0));
	assert_int_equal(armed_deadline, T0 + SLICE_TICKS);
	assert_int_equal(idle_count, 0);
}

static void test_sched_run_enters_first_runnable(void **state)
{
	(void)state;
	sched_make_runnable(vc(1));
	sched_make_runnable(vc(0));
	run_vcpu = NULL;
	if (setjmp(run_jmp) == 0)
		sched_run();
	assert_ptr_equal(run_vcpu, vc(1));
	assert_int_equal(vc(1)->state, VCPU_RUNNING);
	assert_int_equal(ncalls, 2);
	assert_call(1, CALL_ENTER, vc(1));
}

static void test_sched_resume_within_slice_keeps_vcpu(void **state)
{
	(void)state;
	start_first(2);
	fake_now = T0 + SLICE_TICKS - 1;

	assert_ptr_equal(sched_resume(vc(0)), vc(0));
	assert_int_equal(vc(0)->state, VCPU_RUNNING);
	assert_int_equal(vc(1)->state, VCPU_RUNNABLE);
	assert_int_equal(ncalls, 2);
	assert_call(0, CALL_DELIVER, vc(0));
	assert_call(1, CALL_ENTER, vc(0));
	/* The slice is not renewed by a trap. */
	assert_int_equal(armed_deadline, T0 + SLICE_TICKS);
	assert_int_equal(console_ticks, 0);
}

static void test_sched_slice_end_switches_round_robin(void **state)
{
	struct vcpu *expect[] = { vc(1), vc(2), vc(0), vc(1), vc(2) };
	struct vcpu *cur;

	(void)state;
	start_first(3);
	cur = vc(0);
	for (unsigned i = 0; i < sizeof(expect) / sizeof(expect[0]); i++) {
		/* Exactly at the slice end counts as ended. */
		struct vcpu *next = next_slice(cur);
		assert_ptr_equal(next, expect[i]);
		assert_switch(cur, next);
		assert_int_equal(cur->state, VCPU_RUNNABLE);
		assert_int_equal(next->state, VCPU_RUNNING);
		assert_int_equal(armed_deadline, fake_now + SLICE_TICKS);
		cur = next;
	}
	assert_int_equal(console_ticks, 5);
	assert_int_equal(idle_count, 0);
}

static void test_sched_slice_end_alone_renews_slice(void **state)
{
	(void)state;
	start_first(1);

	assert_ptr_equal(next_slice(vc(0)), vc(0));
	/* It may have moved harts, so its state was saved all the same. */
	assert_switch(vc(0), vc(0));
	assert_int_equal(vc(0)->state, VCPU_RUNNING);
	assert_int_equal(armed_deadline, T0 + 2 * SLICE_TICKS);
	assert_int_equal(idle_count, 0);
}

/* ---- WFI ---------------------------------------------------------------- */

static void test_sched_block_makes_vcpu_blocked(void **state)
{
	(void)state;
	start_first(2);

	sched_block(vc(0));
	/* Only the end of the trap acts on it. */
	assert_int_equal(vc(0)->state, VCPU_RUNNING);
	ncalls = 0;
	assert_ptr_equal(sched_resume(vc(0)), vc(1));
	assert_switch(vc(0), vc(1));
	assert_int_equal(vc(0)->state, VCPU_BLOCKED);
	assert_false(vc(0)->want_block);
	/* Blocked: not queued any more. */
	assert_ptr_equal(next_slice(vc(1)), vc(1));
	assert_int_equal(vc(0)->state, VCPU_BLOCKED);
}

static void test_sched_block_with_pending_enabled_irq_stays_runnable(void **state)
{
	(void)state;
	start_first(2);
	pool[0].enabled = VIRQ_EXT;
	vcpu_raise_irq(vc(0), VIRQ_EXT);

	assert_ptr_equal(wfi(vc(0)), vc(1));
	/* WFI must not miss an interrupt already pending: it is a yield. */
	assert_int_equal(vc(0)->state, VCPU_RUNNABLE);
	assert_false(vc(0)->want_block);
	assert_ptr_equal(next_slice(vc(1)), vc(0));
}

static void test_sched_block_with_expired_enabled_timer_stays_runnable(void **state)
{
	(void)state;
	start_first(2);
	pool[0].enabled = VIRQ_TIMER;
	vcpu_timer_set(vc(0), T0);

	assert_ptr_equal(wfi(vc(0)), vc(1));
	assert_int_equal(vc(0)->state, VCPU_RUNNABLE);
}

static void test_sched_block_with_pending_disabled_irq_blocks(void **state)
{
	(void)state;
	start_first(2);
	pool[0].enabled = VIRQ_TIMER | VIRQ_SOFT;
	vcpu_raise_irq(vc(0), VIRQ_EXT);

	assert_ptr_equal(wfi(vc(0)), vc(1));
	assert_int_equal(vc(0)->state, VCPU_BLOCKED);
}

static void test_sched_blocked_vcpu_wakes_on_raised_enabled_irq(void **state)
{
	(void)state;
	start_first(2);
	pool[0].enabled = VIRQ_SOFT;
	assert_ptr_equal(wfi(vc(0)), vc(1));
	vc(0)->hsm.suspended = 1;

	vcpu_raise_irq(vc(0), VIRQ_SOFT);
	assert_int_equal(vc(0)->state, VCPU_BLOCKED);
	/* The wake scan at the slice end queues it ahead of the preempted one. */
	assert_ptr_equal(next_slice(vc(1)), vc(0));
	assert_switch(vc(1), vc(0));
	assert_int_equal(vc(0)->state, VCPU_RUNNING);
	assert_int_equal(vc(1)->state, VCPU_RUNNABLE);
	assert_int_equal(vc(0)->hsm.suspended, 0);
}

static void test_sched_blocked_vcpu_ignores_raised_disabled_irq(void **state)
{
	(void)state;
	start_first(2);
	pool[0].enabled = VIRQ_TIMER;
	assert_ptr_equal(wfi(vc(0)), vc(1));

	vcpu_raise_irq(vc(0), VIRQ_EXT | VIRQ_SOFT);
	assert_ptr_equal(next_slice(vc(1)), vc(1));
	assert_ptr_equal(next_slice(vc(1)), vc(1));
	assert_int_equal(vc(0)->state, VCPU_BLOCKED);
}

static void test_sched_blocked_vcpu_wakes_at_enabled_timer_deadline(void **state)
{
	(void)state;
	start_first(2);
	pool[0].enabled = VIRQ_TIMER;
	vcpu_timer_set(vc(0), T0 + SLICE_TICKS + SLICE_TICKS / 2);
	assert_ptr_equal(wfi(vc(0)), vc(1));

	/* First slice end: the deadline is still ahead. */
	assert_ptr_equal(next_slice(vc(1)), vc(1));
	assert_int_equal(vc(0)->state, VCPU_BLOCKED);
	/* Second: it has passed. */
	assert_ptr_equal(next_slice(vc(1)), vc(0));
	assert_int_equal(vc(0)->state, VCPU_RUNNING);
}

static void test_sched_blocked_vcpu_ignores_disabled_timer_deadline(void **state)
{
	(void)state;
	start_first(2);
	pool[0].enabled = VIRQ_EXT;
	vcpu_timer_set(vc(0), T0 + 1);
	assert_ptr_equal(wfi(vc(0)), vc(1));

	assert_ptr_equal(next_slice(vc(1)), vc(1));
	assert_ptr_equal(next_slice(vc(1)), vc(1));
	assert_int_equal(vc(0)->state, VCPU_BLOCKED);
}

/* ---- HSM stop and start ------------------------------------------------- */

static void test_sched_stop_makes_vcpu_stopped(void **state)
{
	(void)state;
	start_first(2);
	pool[0].enabled = VIRQ_EXT;

	sched_stop(vc(0));
	assert_int_equal(vc(0)->state, VCPU_RUNNING);
	ncalls = 0;
	assert_ptr_equal(sched_resume(vc(0)), vc(1));
	assert_switch(vc(0), vc(1));
	assert_int_equal(vc(0)->state, VCPU_STOPPED);
	assert_false(vc(0)->want_stop);
	/* An interrupt does not start a stopped hart. */
	vcpu_raise_irq(vc(0), VIRQ_EXT);
	assert_ptr_equal(next_slice(vc(1)), vc(1));
	assert_int_equal(vc(0)->state, VCPU_STOPPED);
}

static void test_sched_stop_wins_over_block(void **state)
{
	(void)state;
	start_first(2);
	sched_block(vc(0));
	sched_stop(vc(0));

	assert_ptr_equal(sched_resume(vc(0)), vc(1));
	assert_int_equal(vc(0)->state, VCPU_STOPPED);
	assert_false(vc(0)->want_block);
}

static void test_sched_make_runnable_restarts_stopped_vcpu(void **state)
{
	(void)state;
	start_first(2);
	sched_stop(vc(0));
	assert_ptr_equal(sched_resume(vc(0)), vc(1));
	vc(0)->hsm.suspended = 1;

	sched_make_runnable(vc(0));
	assert_int_equal(vc(0)->state, VCPU_RUNNABLE);
	assert_int_equal(vc(0)->hsm.suspended, 0);
	assert_ptr_equal(next_slice(vc(1)), vc(0));
	assert_int_equal(vc(0)->state, VCPU_RUNNING);
}

static void test_sched_make_runnable_ignores_running_and_queued(void **state)
{
	struct vcpu *expect[] = { vc(1), vc(2), vc(0), vc(1) };
	struct vcpu *cur = vc(0);

	(void)state;
	start_first(3);
	sched_make_runnable(vc(0));
	sched_make_runnable(vc(1));
	sched_make_runnable(vc(2));
	assert_int_equal(vc(0)->state, VCPU_RUNNING);
	assert_int_equal(vc(1)->state, VCPU_RUNNABLE);
	/* Queued once each: the order is unchanged. */
	for (unsigned i = 0; i < sizeof(expect) / sizeof(expect[0]); i++) {
		cur = next_slice(cur);
		assert_ptr_equal(cur, expect[i]);
	}
}

/* ---- idling ------------------------------------------------------------- */

static void test_sched_idle_until_next_tick_when_nothing_runnable(void **state)
{
	(void)state;
	start_first(1);
	pool[0].enabled = VIRQ_EXT;
	idle_wake_vcpu = vc(0);
	idle_wake_irq = VIRQ_EXT;
	idle_hook = wake_on_idle;

	assert_ptr_equal(wfi(vc(0)), vc(0));
	assert_int_equal(idle_count, 1);
	assert_int_equal(idle_deadline[0], T0 + SLICE_TICKS);
	assert_true(console_ticks >= 1);
	assert_switch(vc(0), vc(0));
	assert_int_equal(vc(0)->state, VCPU_RUNNING);
	/* A fresh slice from when it was picked, after the idle. */
	assert_int_equal(armed_deadline, T0 + 2 * SLICE_TICKS);
}

static void test_sched_idle_until_earliest_blocked_timer_deadline(void **state)
{
	(void)state;
	start_first(2);
	pool[0].enabled = VIRQ_TIMER;
	pool[1].enabled = VIRQ_TIMER;
	vcpu_timer_set(vc(0), T0 + 800);
	vcpu_timer_set(vc(1), T0 + 300);
	assert_ptr_equal(wfi(vc(0)), vc(1));

	assert_ptr_equal(wfi(vc(1)), vc(1));
	assert_int_equal(idle_count, 1);
	assert_int_equal(idle_deadline[0], T0 + 300);
	assert_int_equal(vc(0)->state, VCPU_BLOCKED);
	assert_int_equal(vc(1)->state, VCPU_RUNNING);
}

static void test_sched_idle_ignores_disabled_timer_deadline(void **state)
{
	(void)state;
	start_first(1);
	pool[0].enabled = VIRQ_EXT;
	vcpu_timer_set(vc(0), T0 + 500);
	idle_wake_vcpu = vc(0);
	idle_wake_irq = VIRQ_EXT;
	idle_hook = wake_on_idle;

	assert_ptr_equal(wfi(vc(0)), vc(0));
	assert_int_equal(idle_count, 1);
	assert_int_equal(idle_deadline[0], T0 + SLICE_TICKS);
}

static void test_sched_idle_waits_in_ticks_for_a_far_deadline(void **state)
{
	(void)state;
	start_first(1);
	pool[0].enabled = VIRQ_TIMER;
	vcpu_timer_set(vc(0), T0 + 2 * SLICE_TICKS + 7);

	assert_ptr_equal(wfi(vc(0)), vc(0));
	/* Every tick wakes the hart (console input, watchdog) on the way. */
	assert_int_equal(idle_count, 3);
	assert_int_equal(idle_deadline[0], T0 + SLICE_TICKS);
	assert_int_equal(idle_deadline[1], T0 + 2 * SLICE_TICKS);
	assert_int_equal(idle_deadline[2], T0 + 2 * SLICE_TICKS + 7);
	assert_int_equal(console_ticks, 3);
}

/* ---- arming the timer --------------------------------------------------- */

static void test_sched_timer_armed_for_slice_end_without_deadline(void **state)
{
	(void)state;
	pool[0].enabled = VIRQ_TIMER;       /* enabled but never programmed */
	sched_make_runnable(vc(0));

	assert_ptr_equal(sched_resume(NULL), vc(0));
	assert_int_equal(arm_count, 1);
	assert_int_equal(armed_deadline, T0 + SLICE_TICKS);
}

static void test_sched_timer_armed_for_earlier_vcpu_deadline(void **state)
{
	(void)state;
	pool[0].enabled = VIRQ_TIMER;
	vcpu_timer_set(vc(0), T0 + 100);
	sched_make_runnable(vc(0));

	assert_ptr_equal(sched_resume(NULL), vc(0));
	assert_int_equal(armed_deadline, T0 + 100);
	fake_now = T0 + 50;
	assert_ptr_equal(sched_resume(vc(0)), vc(0));
	assert_int_equal(armed_deadline, T0 + 100);
	assert_int_equal(arm_count, 2);
}

static void test_sched_timer_ignores_disabled_vcpu_deadline(void **state)
{
	(void)state;
	pool[0].enabled = VIRQ_EXT | VIRQ_SOFT;
	vcpu_timer_set(vc(0), T0 + 100);
	sched_make_runnable(vc(0));

	assert_ptr_equal(sched_resume(NULL), vc(0));
	assert_int_equal(armed_deadline, T0 + SLICE_TICKS);
}

static void test_sched_timer_ignores_passed_or_later_deadline(void **state)
{
	(void)state;
	pool[0].enabled = VIRQ_TIMER;
	start_first(1);

	/* Passed: the guest sees it pending without a timer interrupt. */
	vcpu_timer_set(vc(0), T0);
	fake_now = T0 + 10;
	assert_ptr_equal(sched_resume(vc(0)), vc(0));
	assert_int_equal(armed_deadline, T0 + SLICE_TICKS);
	/* Beyond the slice: the slice end comes first. */
	vcpu_timer_set(vc(0), T0 + 2 * SLICE_TICKS);
	assert_ptr_equal(sched_resume(vc(0)), vc(0));
	assert_int_equal(armed_deadline, T0 + SLICE_TICKS);
}

static void test_sched_timer_armed_for_switched_in_vcpu_deadline(void **state)
{
	(void)state;
	start_first(2);
	pool[0].enabled = VIRQ_TIMER;
	pool[1].enabled = VIRQ_TIMER;
	vcpu_timer_set(vc(0), T0 + SLICE_TICKS + 40);       /* the old vCPU's: not this one's */
	vcpu_timer_set(vc(1), T0 + SLICE_TICKS + 70);

	assert_ptr_equal(next_slice(vc(0)), vc(1));
	assert_int_equal(armed_deadline, T0 + SLICE_TICKS + 70);
}

/* ---- hang watchdog and panic grace -------------------------------------- */

/* Every pool VM (the idle ones too: the watchdog looks at all) printed at t. */
static void vm_activity_all(uint64_t t)
{
	for (unsigned i = 0; i < POOL; i++)
		pool_vm[i].last_activity = t;
}

static void test_sched_hang_watchdog_stops_stale_vm(void **state)
{
	const uint64_t timeout = 1000;

	(void)state;
	start_first(2);
	sched_set_hang_timeout(timeout);
	fake_now = T0 + SLICE_TICKS;
	vm_activity_all(fake_now);
	pool_vm[1].last_activity = fake_now - timeout - 1;

	assert_ptr_equal(sched_resume(vc(0)), vc(0));
	assert_int_equal(stop_count, 1);
	assert_ptr_equal(stop_vm, &pool_vm[1]);
	assert_int_equal(stop_why, VM_EXIT_HUNG);
	assert_int_equal(log_count, 1);
	assert_non_null(strstr(last_log, "vm1"));
	assert_int_equal(vc(1)->state, VCPU_HALTED);
}

static void test_sched_hang_watchdog_spares_vm_within_timeout(void **state)
{
	const uint64_t timeout = 1000;

	(void)state;
	start_first(2);
	sched_set_hang_timeout(timeout);
	fake_now = T0 + SLICE_TICKS;
	vm_activity_all(fake_now);
	pool_vm[1].last_activity = fake_now - timeout;

	assert_ptr_equal(sched_resume(vc(0)), vc(1));
	assert_int_equal(stop_count, 0);
	assert_int_equal(pool_vm[1].state, VM_RUNNING);
}

static void test_sched_hang_watchdog_off_with_zero_timeout(void **state)
{
	(void)state;
	start_first(2);
	sched_set_hang_timeout(0);
	/* T0 ticks of silence for both VMs. */
	pool_vm[0].last_activity = pool_vm[1].last_activity = 0;

	for (unsigned i = 0; i < 4; i++)
		next_slice(i % 2 ? vc(1) : vc(0));
	assert_int_equal(stop_count, 0);
	assert_int_equal(pool_vm[0].state, VM_RUNNING);
	assert_int_equal(pool_vm[1].state, VM_RUNNING);
}

static void test_sched_hang_watchdog_ignores_activity_after_now(void **state)
{
	(void)state;
	start_first(1);
	sched_set_hang_timeout(1000);
	fake_now = T0 + SLICE_TICKS;
	vm_activity_all(fake_now);
	/* Another hart printed after this one read the clock. */
	pool_vm[0].last_activity = fake_now + 5;

	assert_ptr_equal(sched_resume(vc(0)), vc(0));
	assert_int_equal(stop_count, 0);
}

static void test_sched_panic_seen_checks_vm_panic(void **state)
{
	(void)state;
	pool_vm[0].panic_seen_at = T0 - 5;
	sched_make_runnable(vc(0));

	assert_ptr_equal(sched_resume(NULL), vc(0));
	assert_true(panic_count >= 1);
	assert_ptr_equal(panic_vm, &pool_vm[0]);
	assert_int_equal(panic_now, T0);
	assert_int_equal(panic_grace, PANIC_GRACE_TICKS);

	panic_count = 0;
	assert_ptr_equal(next_slice(vc(0)), vc(0));
	assert_true(panic_count >= 1);
	assert_int_equal(panic_now, T0 + SLICE_TICKS);
}

static void test_sched_panic_check_only_for_running_panicked_vm(void **state)
{
	(void)state;
	start_first(2);
	pool_vm[2].panic_seen_at = T0 - 5;
	pool_vm[2].state = VM_STOPPED;

	next_slice(vc(0));
	next_slice(vc(1));
	assert_int_equal(panic_count, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_sched_add_vcpu_queues_only_runnable, setup),
		cmocka_unit_test_setup(test_sched_first_resume_picks_first_runnable, setup),
		cmocka_unit_test_setup(test_sched_run_enters_first_runnable, setup),
		cmocka_unit_test_setup(test_sched_resume_within_slice_keeps_vcpu, setup),
		cmocka_unit_test_setup(test_sched_slice_end_switches_round_robin, setup),
		cmocka_unit_test_setup(test_sched_slice_end_alone_renews_slice, setup),
		cmocka_unit_test_setup(test_sched_block_makes_vcpu_blocked, setup),
		cmocka_unit_test_setup(test_sched_block_with_pending_enabled_irq_stays_runnable, setup),
		cmocka_unit_test_setup(test_sched_block_with_expired_enabled_timer_stays_runnable, setup),
		cmocka_unit_test_setup(test_sched_block_with_pending_disabled_irq_blocks, setup),
		cmocka_unit_test_setup(test_sched_blocked_vcpu_wakes_on_raised_enabled_irq, setup),
		cmocka_unit_test_setup(test_sched_blocked_vcpu_ignores_raised_disabled_irq, setup),
		cmocka_unit_test_setup(test_sched_blocked_vcpu_wakes_at_enabled_timer_deadline, setup),
		cmocka_unit_test_setup(test_sched_blocked_vcpu_ignores_disabled_timer_deadline, setup),
		cmocka_unit_test_setup(test_sched_stop_makes_vcpu_stopped, setup),
		cmocka_unit_test_setup(test_sched_stop_wins_over_block, setup),
		cmocka_unit_test_setup(test_sched_make_runnable_restarts_stopped_vcpu, setup),
		cmocka_unit_test_setup(test_sched_make_runnable_ignores_running_and_queued, setup),
		cmocka_unit_test_setup(test_sched_idle_until_next_tick_when_nothing_runnable, setup),
		cmocka_unit_test_setup(test_sched_idle_until_earliest_blocked_timer_deadline, setup),
		cmocka_unit_test_setup(test_sched_idle_ignores_disabled_timer_deadline, setup),
		cmocka_unit_test_setup(test_sched_idle_waits_in_ticks_for_a_far_deadline, setup),
		cmocka_unit_test_setup(test_sched_timer_armed_for_slice_end_without_deadline, setup),
		cmocka_unit_test_setup(test_sched_timer_armed_for_earlier_vcpu_deadline, setup),
		cmocka_unit_test_setup(test_sched_timer_ignores_disabled_vcpu_deadline, setup),
		cmocka_unit_test_setup(test_sched_timer_ignores_passed_or_later_deadline, setup),
		cmocka_unit_test_setup(test_sched_timer_armed_for_switched_in_vcpu_deadline, setup),
		cmocka_unit_test_setup(test_sched_hang_watchdog_stops_stale_vm, setup),
		cmocka_unit_test_setup(test_sched_hang_watchdog_spares_vm_within_timeout, setup),
		cmocka_unit_test_setup(test_sched_hang_watchdog_off_with_zero_timeout, setup),
		cmocka_unit_test_setup(test_sched_hang_watchdog_ignores_activity_after_now, setup),
		cmocka_unit_test_setup(test_sched_panic_seen_checks_vm_panic, setup),
		cmocka_unit_test_setup(test_sched_panic_check_only_for_running_panicked_vm, setup),
	};

	return cmocka_run_group_tests(tests, group_setup, NULL);
}
