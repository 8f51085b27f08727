/*
 * The scheduler (core/sched.c) with the real virtual-interrupt and
 * virtual-timer logic (core/vcpu.c). Everything else it calls is faked
 * here: the engine records enter/leave/deliver_irq and reports a settable
 * set of enabled interrupts; a fake clock drives platform_time(); arch_idle
 * advances the clock to its deadline; timer_arm, vm_stop and
 * vm_check_panic record what they were asked; so do the two SBI STA calls
 * the scheduler makes (sbi_sta.h), apart from the engine's.
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
#include "core/sched_queue.h"
#include "core/stats.h"
#include "core/timer.h"
#include "core/vcpu.h"
#include "core/vm.h"
#include "fakes/fake_devices.h"

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

/* The machine: one hart unless a test says otherwise; the hart running
 * the scheduler now is fake_cpu. */
struct platform platform = { .nharts = 1 };
static unsigned fake_cpu;
static uint32_t kicked;         /* harts arch_kick_hart was asked to kick */
static unsigned kick_count;

unsigned arch_cpu_index(void)
{
	return fake_cpu;
}

void arch_kick_hart(unsigned cpu)
{
	kicked |= 1u << cpu;
	kick_count++;
}

void sched_test_reset(void);

/* ---- fake lifecycle (lifecycle.h): no VM is reset or destroyed, one may
 * be paused (paused_vm); only a suspended one is exempt from the watchdog */

static const struct vm *paused_vm;

/* As the real one for a suspended VM (SBI SUSP): asleep, not hung. */
bool lifecycle_watchdog_exempt(struct vm *vm, uint64_t now)
{
	(void)now;
	return __atomic_load_n(&vm->suspended, __ATOMIC_ACQUIRE);
}

bool lifecycle_pending(const struct vcpu *v)
{
	return v->vm == paused_vm;
}

/* As the real one for a paused VM: its vCPU is parked instead of run. */
bool lifecycle_park(struct vcpu *v)
{
	if (v->vm != paused_vm)
		return false;
	v->parked = true;
	return true;
}

bool lifecycle_take(struct vcpu *v)
{
	(void)v;
	return false;
}

/* ---- fake statistics line (stats.h): what sched_print_stats printed --- */

static char stats_text[512];

void stats_add(struct stats_line *l, const char *name, uint64_t n)
{
	(void)l;
	if (n == 0)
		return;
	size_t len = strlen(stats_text);
	snprintf(stats_text + len, sizeof(stats_text) - len, " %s=%lu", name, (unsigned long)n);
}

void stats_flush(struct stats_line *l)
{
	(void)l;
}

/* Waiting ends at the deadline (the timer fires); the hook plays whatever
 * else happens meanwhile (another hart raising an interrupt). */
static bool expect_idle_forever;       /* a hart with nothing it may run */
static jmp_buf idle_jmp;

void arch_idle(uint64_t deadline)
{
	if (expect_idle_forever && idle_count >= 3) {
		idle_count = 0;
		longjmp(idle_jmp, 1);
	}
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

static bool input_due;

bool monitor_input_waiting(void)
{
	return input_due;
}

bool monitor_input_due(void)
{
	bool due = input_due;
	input_due = false;
	return due;
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

/* ---- fake SBI STA side (sbi_sta.h): who was marked preempted, whose
 * record was brought up to date, and the steal time it saw ------------- */

#define STA_MAX 32

static struct vcpu *sta_preempted[STA_MAX];
static unsigned sta_npreempted;
static struct { struct vcpu *v; uint64_t steal; } sta_records[STA_MAX];
static unsigned sta_nrecords;

void sbi_sta_mark_preempted(struct vcpu *v)
{
	/* Before it is queued: nobody may have it yet. */
	assert_int_equal(v->state, VCPU_RUNNING);
	if (sta_npreempted < STA_MAX)
		sta_preempted[sta_npreempted] = v;
	sta_npreempted++;
}

void sbi_sta_record_steal(struct vcpu *v)
{
	/* Once it has its hart, before it runs. */
	assert_int_equal(v->state, VCPU_RUNNING);
	if (sta_nrecords < STA_MAX)
		sta_records[sta_nrecords].v = v, sta_records[sta_nrecords].steal = v->steal_ticks;
	sta_nrecords++;
}

/* FENCE.I at entry (vcpu.h): counted, with whether it was a migration. */
static unsigned entry_fences, entry_migrations;

void vcpu_fence_i_on_entry(struct vcpu *v, bool migrated)
{
	if (v->fence_i_due) {
		v->fence_i_due = 0;
		entry_fences++;
	} else if (migrated) {
		entry_fences++;
	}
	entry_migrations += migrated;
}

bool sbi_sse_due(const struct vcpu *v)
{
	return v->sbi.sse.recheck != 0;
}

/* SBI SSE's delivery at guest entry (sbi_sse.h): nothing registered here. */
void sbi_sse_deliver(struct vcpu *v)
{
	(void)v;
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
	input_due = false;
	stop_vm = NULL;
	stop_count = 0;
	panic_vm = NULL;
	panic_count = 0;
	log_count = 0;
	last_log[0] = '\0';
	sta_npreempted = 0;
	sta_nrecords = 0;
}

static int setup(void **state)
{
	(void)state;
	/* Whatever the last test left must neither run, wake nor hang. */
	sched_set_hang_timeout(0);
	idle_hook = NULL;
	paused_vm = NULL;
	for (unsigned i = 0; i < POOL; i++)
		pool[i].v.parked = false;
	for (unsigned i = 0; i < POOL; i++)
		vcpu_retire(&pool[i]);
	for (unsigned i = 0; i < 2; i++)
		if (added[i].v.vm)
			vcpu_retire(&added[i]);
	/* The drain vCPU comes last (the highest virtual time): picking it
	 * drops every halted entry still queued before it. */
	fake_cpu = 0;
	platform.nharts = 1;
	sched_test_reset();
	drain.v.state = VCPU_STOPPED;
	drain.v.sched.vruntime = UINT64_MAX / 2;
	sched_make_runnable(&drain.v);
	if (sched_resume(NULL) != &drain.v)
		return -1;
	drain.v.state = VCPU_STOPPED;
	for (unsigned i = 0; i < POOL; i++) {
		if (pool[i].v.sched.queued)
			return -1;
		pool[i].v.sched = (struct vcpu_sched){ 0 };
		pool[i].v.on_hart = 0;
		pool_vm[i].desc = NULL;
	}
	sched_test_reset();
	kicked = 0;
	kick_count = 0;
	stats_text[0] = '\0';

	fake_now = T0;
	records_reset();
	fake_devices_reset();
	for (unsigned i = 0; i < POOL; i++) {
		struct vcpu *v = vc(i);
		v->state = VCPU_STOPPED;
		v->virq = 0;
		v->timer_deadline = UINT64_MAX;
		v->timer_programmed = false;
		v->hsm.starting = v->hsm.suspended = 0;
		v->sbi.sse.recheck = 0;
		v->steal_ticks = 0;
		v->runnable_since = 0;
		pool[i].enabled = 0;
		pool_vm[i].suspended = false;
		pool_vm[i].suspended_at = 0;
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

/* Console input by interrupt: the next resume pulls it (and runs a monitor
 * command) within the slice, without waiting for its end. */
static void test_sched_console_input_runs_at_next_resume(void **state)
{
	(void)state;
	start_first(2);
	fake_now = T0 + 1;
	input_due = true;
	assert_ptr_equal(sched_resume(vc(0)), vc(0));
	assert_int_equal(console_ticks, 1);
	assert_ptr_equal(sched_resume(vc(0)), vc(0));
	assert_int_equal(console_ticks, 1);
	assert_int_equal(armed_deadline, T0 + SLICE_TICKS);
}

/* An exit that may resume in place (dispatch_trap) does so only while
 * sched_resume would do nothing else: not with console input waiting
 * (which it leaves for sched_resume to take), a slice ended, a block, a
 * stop or a yield asked, or an SSE event to look at. */
static void test_sched_may_stay_only_when_nothing_is_due(void **state)
{
	(void)state;
	start_first(2);
	fake_now = T0 + 1;
	assert_true(sched_may_stay(vc(0)));
	input_due = true;
	assert_false(sched_may_stay(vc(0)));
	assert_ptr_equal(sched_resume(vc(0)), vc(0));
	assert_int_equal(console_ticks, 1);             /* not taken by the question */
	assert_true(sched_may_stay(vc(0)));
	vc(0)->want_block = true;
	assert_false(sched_may_stay(vc(0)));
	vc(0)->want_block = false;
	vc(0)->sbi.sse.recheck = 1;
	assert_false(sched_may_stay(vc(0)));
	vc(0)->sbi.sse.recheck = 0;
	vc(0)->sched.yield_to = vc(0);
	assert_false(sched_may_stay(vc(0)));
	vc(0)->sched.yield_to = NULL;
	assert_true(sched_may_stay(vc(0)));
	/* The other vCPU waits for this hart: not at the slice's end. */
	fake_now = T0 + SLICE_TICKS;
	assert_false(sched_may_stay(vc(0)));
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

/* Issue 13: a hart with one runnable vCPU takes no slice interrupts: its
 * timer is not armed at all (no virtual timer, no watchdog), and traps go
 * straight back to the guest without a switch. */
static void test_sched_alone_takes_no_slice(void **state)
{
	(void)state;
	start_first(1);

	assert_ptr_equal(next_slice(vc(0)), vc(0));
	assert_int_equal(ncalls, 2);
	assert_call(0, CALL_DELIVER, vc(0));
	assert_call(1, CALL_ENTER, vc(0));
	assert_int_equal(vc(0)->state, VCPU_RUNNING);
	assert_int_equal(armed_deadline, UINT64_MAX);
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
	/* What vcpu_kick does for a blocked vCPU: queued, and the hart
	 * running vc(1) alone, without slices, starts one. */
	sched_make_runnable(vc(0));
	assert_int_equal(vc(0)->state, VCPU_RUNNABLE);
	assert_int_equal(armed_deadline, UINT64_MAX);   /* armed before the kick */
	/* It is taken at the slice end, ahead of the preempted one. */
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
	/* Alone again after the idle: no slice. */
	assert_int_equal(armed_deadline, UINT64_MAX);
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

/* ---- device timers (an RTC alarm, dev/device.h) ------------------------ */

/* Nothing runnable: the hart waits until the earliest device timer, which
 * then fires and wakes the vCPU blocked in WFI. */
static void test_sched_idle_until_device_timer(void **state)
{
	(void)state;
	start_first(1);
	pool[0].enabled = VIRQ_EXT;
	fake_devices_register(&pool_vm[0]);
	pool_vm[0].dev_deadline = T0 + 300;

	assert_ptr_equal(wfi(vc(0)), vc(0));
	assert_int_equal(idle_count, 1);
	assert_int_equal(idle_deadline[0], T0 + 300);
	assert_int_equal(fake_devices_fired, 1);
	assert_int_equal(fake_devices_fired_at, T0 + 300);
	assert_int_equal(vc(0)->state, VCPU_RUNNING);
}

/* A lone vCPU (no slices) whose VM sets a device timer: the hart's timer
 * is armed for it at the next trap, and the trap at that time fires it. */
static void test_sched_lone_vcpu_timer_armed_for_device_timer(void **state)
{
	(void)state;
	start_first(1);
	fake_devices_register(&pool_vm[0]);
	assert_ptr_equal(sched_resume(vc(0)), vc(0));
	assert_int_equal(armed_deadline, UINT64_MAX);

	pool_vm[0].dev_deadline = T0 + 500;     /* the guest wrote its alarm */
	assert_ptr_equal(sched_resume(vc(0)), vc(0));
	assert_int_equal(armed_deadline, T0 + 500);
	assert_int_equal(fake_devices_fired, 0);
	fake_now = T0 + 500;
	assert_ptr_equal(sched_resume(vc(0)), vc(0));
	assert_int_equal(fake_devices_fired, 1);
	assert_int_equal(armed_deadline, UINT64_MAX);
}

/* A VM blocked in WFI with an alarm pending, another running alone on
 * the hart: the look-around comes at the alarm and wakes it. */
static void test_sched_device_timer_wakes_blocked_vm(void **state)
{
	(void)state;
	start_first(2);
	pool[0].enabled = VIRQ_EXT;
	fake_devices_register(&pool_vm[0]);
	pool_vm[0].dev_deadline = T0 + 700;
	assert_ptr_equal(wfi(vc(0)), vc(1));
	assert_int_equal(vc(0)->state, VCPU_BLOCKED);
	assert_int_equal(armed_deadline, T0 + 700);

	fake_now = T0 + 700;
	sched_resume(vc(1));
	assert_int_equal(fake_devices_fired, 1);
	assert_true(vc(0)->state == VCPU_RUNNABLE || vc(0)->state == VCPU_RUNNING);
	assert_true(vc(0)->virq & VIRQ_EXT);
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
	sched_make_runnable(vc(1));         /* something waits: slices */

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
	assert_int_equal(armed_deadline, UINT64_MAX);      /* alone: nothing at all */
}

static void test_sched_timer_ignores_passed_or_later_deadline(void **state)
{
	(void)state;
	pool[0].enabled = VIRQ_TIMER;
	start_first(1);

	sched_make_runnable(vc(1));         /* vc(1) waits: vc(0) has slices */
	fake_now = T0 + 5;
	assert_ptr_equal(sched_resume(vc(0)), vc(0));
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

/* Issue 13: `hang-timeout = 0` arms no timer at all. A lone vCPU runs
 * without slices; however long its VM is silent, the hart's timer stays
 * off (UINT64_MAX) and nothing is stopped. The control below: with a
 * timeout, the same hart arms its timer for the watchdog's deadline. */
static void test_sched_hang_timeout_zero_arms_no_timer(void **state)
{
	(void)state;
	sched_set_hang_timeout(0);
	pool_vm[0].last_activity = T0;
	sched_make_runnable(vc(0));
	assert_ptr_equal(sched_resume(NULL), vc(0));
	assert_int_equal(armed_deadline, UINT64_MAX);
	for (unsigned i = 0; i < 4; i++) {
		fake_now += 1000 * SLICE_TICKS;
		assert_ptr_equal(sched_resume(vc(0)), vc(0));
		assert_int_equal(armed_deadline, UINT64_MAX);
	}
	assert_int_equal(stop_count, 0);
	assert_int_equal(idle_count, 0);
}

static void test_sched_hang_timeout_arms_timer_for_deadline(void **state)
{
	const uint64_t timeout = 1000;

	(void)state;
	sched_set_hang_timeout(timeout);
	vm_activity_all(T0);
	sched_make_runnable(vc(0));
	assert_ptr_equal(sched_resume(NULL), vc(0));
	assert_int_equal(armed_deadline, T0 + timeout + 1);
	/* They printed: the deadline moves with them. */
	fake_now = T0 + timeout + 1;
	vm_activity_all(fake_now - 1);
	assert_ptr_equal(sched_resume(vc(0)), vc(0));
	assert_int_equal(stop_count, 0);
	assert_int_equal(armed_deadline, fake_now + timeout);
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

	/* Alone, without slices: the timer waits for the report's grace. */
	assert_int_equal(armed_deadline, T0 - 5 + PANIC_GRACE_TICKS);
	panic_count = 0;
	assert_ptr_equal(next_slice(vc(0)), vc(0));
	assert_int_equal(panic_count, 0);
	fake_now = T0 - 5 + PANIC_GRACE_TICKS;
	assert_ptr_equal(sched_resume(vc(0)), vc(0));
	assert_true(panic_count >= 1);
	assert_int_equal(panic_now, T0 - 5 + PANIC_GRACE_TICKS);
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

/* ---- steal time (SBI v3.0, chapter 16: runnable but not running) ------- */

static void test_sched_steal_counts_time_waiting_in_queue(void **state)
{
	(void)state;
	start_first(2);

	/* vCPU 1 waited the whole first slice. */
	assert_ptr_equal(next_slice(vc(0)), vc(1));
	assert_int_equal(vc(1)->steal_ticks, SLICE_TICKS);
	assert_int_equal(vc(0)->steal_ticks, 0);
	/* vCPU 0 then waits one slice, from when its own ended. */
	fake_now += 123;
	assert_ptr_equal(sched_resume(vc(1)), vc(1));      /* a trap inside the slice */
	assert_ptr_equal(next_slice(vc(1)), vc(0));
	assert_int_equal(vc(0)->steal_ticks, SLICE_TICKS + 123);
	/* vCPU 1 waited from its own slice end. */
	assert_ptr_equal(next_slice(vc(0)), vc(1));
	assert_int_equal(vc(1)->steal_ticks, 2 * SLICE_TICKS);
	/* Each got its record brought up to date as it got a hart, with its
	 * new total; each was marked preempted as its slice ended. */
	assert_int_equal(sta_nrecords, 3);
	assert_ptr_equal(sta_records[0].v, vc(1));
	assert_int_equal(sta_records[0].steal, SLICE_TICKS);
	assert_ptr_equal(sta_records[1].v, vc(0));
	assert_int_equal(sta_records[1].steal, SLICE_TICKS + 123);
	assert_ptr_equal(sta_records[2].v, vc(1));
	assert_int_equal(sta_records[2].steal, 2 * SLICE_TICKS);
	assert_int_equal(sta_npreempted, 3);
	assert_ptr_equal(sta_preempted[0], vc(0));
	assert_ptr_equal(sta_preempted[1], vc(1));
	assert_ptr_equal(sta_preempted[2], vc(0));
}

/* Alone on the hart, a new slice comes at once: no steal. */
static void test_sched_steal_zero_alone(void **state)
{
	(void)state;
	start_first(1);
	for (unsigned i = 0; i < 5; i++)
		assert_ptr_equal(next_slice(vc(0)), vc(0));
	assert_int_equal(vc(0)->steal_ticks, 0);
	assert_int_equal(sta_nrecords, 0);      /* never left its hart */
}

/* Time blocked in WFI is idle, not stolen; after the wake-up, the wait for
 * a hart is. */
static void test_sched_steal_ignores_blocked_time(void **state)
{
	(void)state;
	start_first(3);
	pool[0].enabled = VIRQ_SOFT;
	assert_ptr_equal(next_slice(vc(0)), vc(1));        /* vCPU 0 waits a slice */
	assert_ptr_equal(next_slice(vc(1)), vc(2));
	assert_ptr_equal(next_slice(vc(2)), vc(0));
	assert_int_equal(vc(0)->steal_ticks, 2 * SLICE_TICKS);
	sta_npreempted = 0;
	assert_ptr_equal(wfi(vc(0)), vc(1));
	/* WFI is no preemption. */
	assert_int_equal(sta_npreempted, 0);
	for (unsigned i = 0; i < 4; i++)
		next_slice(i % 2 ? vc(2) : vc(1));
	assert_int_equal(vc(0)->state, VCPU_BLOCKED);
	assert_int_equal(vc(0)->steal_ticks, 2 * SLICE_TICKS);
	/* Woken at vCPU 1's slice end, it runs first (its virtual time is
	 * the lowest: it slept, and joins one slice behind the others); from
	 * then on it waits for a hart in turn, and that is steal. */
	vcpu_raise_irq(vc(0), VIRQ_SOFT);
	assert_ptr_equal(next_slice(vc(1)), vc(0));
	assert_int_equal(vc(0)->steal_ticks, 2 * SLICE_TICKS);
	assert_ptr_equal(next_slice(vc(0)), vc(2));
	assert_int_equal(vc(0)->state, VCPU_RUNNABLE);
	assert_ptr_equal(next_slice(vc(2)), vc(0));
	assert_int_equal(vc(0)->steal_ticks, 3 * SLICE_TICKS);
}

/* Stopping is no preemption either. */
static void test_sched_stop_is_not_preemption(void **state)
{
	(void)state;
	start_first(2);
	sched_stop(vc(0));
	assert_ptr_equal(sched_resume(vc(0)), vc(1));
	fake_now += SLICE_TICKS;
	sched_block(vc(1));
	sched_stop(vc(1));
	sched_make_runnable(vc(0));
	assert_ptr_equal(sched_resume(vc(1)), vc(0));
	assert_int_equal(sta_npreempted, 0);
	assert_int_equal(vc(0)->steal_ticks, 0);
}

/* ---- system suspend (SBI SUSP) ------------------------------------------ */

static void test_sched_suspend_blocks_and_marks_vm(void **state)
{
	(void)state;
	start_first(2);
	fake_now += 77;
	sched_suspend(vc(0));
	assert_true(pool_vm[0].suspended);
	assert_int_equal(pool_vm[0].suspended_at, T0 + 77);
	/* Like a WFI, acted on at the end of the trap. */
	assert_int_equal(vc(0)->state, VCPU_RUNNING);
	assert_ptr_equal(sched_resume(vc(0)), vc(1));
	assert_int_equal(vc(0)->state, VCPU_BLOCKED);
	assert_int_equal(sta_npreempted, 0);
	/* An interrupt it does not enable does not wake it. */
	pool[0].enabled = VIRQ_TIMER;
	vcpu_raise_irq(vc(0), VIRQ_EXT);
	assert_ptr_equal(next_slice(vc(1)), vc(1));
	assert_int_equal(vc(0)->state, VCPU_BLOCKED);
	assert_true(pool_vm[0].suspended);
}

/* The watchdog spares a suspended VM however long it sleeps; once awake,
 * its sleep does not count as silence, but new silence does. */
static void test_sched_hang_watchdog_spares_suspended_vm(void **state)
{
	const uint64_t timeout = 1000;

	(void)state;
	start_first(2);
	sched_set_hang_timeout(timeout);
	pool[0].enabled = VIRQ_TIMER;
	pool_vm[2].state = VM_OFF;
	fake_now = T0 + 500;
	pool_vm[0].last_activity = T0 + 400;       /* printed, then suspended */
	sched_suspend(vc(0));
	vcpu_timer_set(vc(0), T0 + 500 + 6 * SLICE_TICKS + 1);
	assert_ptr_equal(sched_resume(vc(0)), vc(1));
	/* vCPU 1's VM prints all along. */
	for (unsigned i = 0; i < 6; i++) {
		pool_vm[1].last_activity = fake_now + SLICE_TICKS;
		assert_ptr_equal(next_slice(vc(1)), vc(1));
		assert_int_equal(stop_count, 0);
	}
	/* Its timer wakes it at the next slice end: awake, and 100 ticks of
	 * silence before the suspend are all it is charged with. */
	pool_vm[1].last_activity = fake_now + SLICE_TICKS;
	assert_ptr_equal(next_slice(vc(1)), vc(0));
	assert_false(pool_vm[0].suspended);
	assert_int_equal(stop_count, 0);
	assert_int_equal(pool_vm[0].last_activity, fake_now - 100);
	/* Now awake and silent past the timeout: hung as any other. */
	fake_now += timeout;
	pool_vm[1].last_activity = fake_now + 2 * SLICE_TICKS;
	assert_ptr_equal(sched_resume(vc(0)), vc(0));
	next_slice(vc(0));
	assert_int_equal(stop_count, 1);
	assert_ptr_equal(stop_vm, &pool_vm[0]);
	assert_int_equal(stop_why, VM_EXIT_HUNG);
}

/* A lone suspended VM: the hart idles, checking hangs each tick, until
 * the VM's timer wakes it. */
static void test_sched_hang_watchdog_spares_lone_suspended_vm_while_idle(void **state)
{
	(void)state;
	start_first(1);
	pool_vm[1].state = pool_vm[2].state = VM_OFF;
	sched_set_hang_timeout(10);
	pool[0].enabled = VIRQ_TIMER;
	pool_vm[0].last_activity = T0;
	sched_suspend(vc(0));
	vcpu_timer_set(vc(0), T0 + 4 * SLICE_TICKS + 3);

	assert_ptr_equal(sched_resume(vc(0)), vc(0));
	assert_int_equal(idle_count, 5);
	assert_int_equal(idle_deadline[4], T0 + 4 * SLICE_TICKS + 3);
	assert_int_equal(stop_count, 0);
	assert_int_equal(vc(0)->state, VCPU_RUNNING);
	assert_false(pool_vm[0].suspended);
	/* Asleep from T0 until now: no silence charged. */
	assert_int_equal(pool_vm[0].last_activity, fake_now);
}

/* Without the suspend, the same silence is a hang: the watchdog is not
 * simply off for blocked vCPUs. */
static void test_sched_hang_watchdog_stops_vm_blocked_in_wfi(void **state)
{
	(void)state;
	start_first(2);
	pool_vm[2].state = VM_OFF;
	sched_set_hang_timeout(1000);
	pool[0].enabled = VIRQ_TIMER;
	pool_vm[0].last_activity = T0;
	vcpu_timer_set(vc(0), T0 + 4 * SLICE_TICKS + 3);
	assert_ptr_equal(wfi(vc(0)), vc(1));
	pool_vm[1].last_activity = T0 + 2 * SLICE_TICKS;

	assert_ptr_equal(next_slice(vc(1)), vc(1));
	assert_int_equal(stop_count, 1);
	assert_ptr_equal(stop_vm, &pool_vm[0]);
	assert_int_equal(vc(0)->state, VCPU_HALTED);
}

/* Suspended with a wake-up already pending: it goes on at once, awake. */
static void test_sched_suspend_with_pending_wakeup_runs_on(void **state)
{
	(void)state;
	start_first(2);
	pool[0].enabled = VIRQ_EXT;
	vcpu_raise_irq(vc(0), VIRQ_EXT);
	sched_suspend(vc(0));
	assert_ptr_equal(sched_resume(vc(0)), vc(1));
	assert_int_equal(vc(0)->state, VCPU_RUNNABLE);
	assert_true(pool_vm[0].suspended);
	assert_ptr_equal(next_slice(vc(1)), vc(0));
	assert_false(pool_vm[0].suspended);
}


/* ---- SMP scheduling (issue 13): weights, several harts, pinning -------- */

static struct bootinfo_vm descs[POOL];

/* vCPU i's VM with weight w and harts mask (0: any). */
static void vm_shape(unsigned i, unsigned weight, uint32_t mask)
{
	descs[i] = (struct bootinfo_vm){ .vcpus = 1, .weight = weight, .cpu_mask = mask };
	pool_vm[i].desc = &descs[i];
}

static uint64_t ran(unsigned i)
{
	uint64_t t = 0;

	for (unsigned h = 0; h < PLATFORM_MAX_HARTS; h++)
		t += vc(i)->sched.hart_ticks[h];
	return t;
}

/* Weights 2:1 on one hart: CPU time 2:1. */
static void test_sched_weights_share_cpu_time(void **state)
{
	(void)state;
	vm_shape(0, 2, 0);
	vm_shape(1, 1, 0);
	start_first(2);
	struct vcpu *cur = vc(0);
	for (unsigned i = 0; i < 90; i++)
		cur = next_slice(cur);
	next_slice(cur);        /* charge the last one */
	uint64_t a = ran(0), b = ran(1);
	assert_true(a + b >= 90 * SLICE_TICKS);
	/* 2:1 within one slice either way. */
	assert_true(a >= 2 * b - 3 * SLICE_TICKS && a <= 2 * b + 3 * SLICE_TICKS);
}

/* Three vCPUs made runnable on two harts; cur[h] is what hart h runs. */
static void start_three_on_two_harts(struct vcpu *cur[2])
{
	platform.nharts = 2;
	for (unsigned i = 0; i < 3; i++)
		sched_make_runnable(vc(i));
	fake_cpu = 0;
	cur[0] = sched_resume(NULL);
	fake_cpu = 1;
	cur[1] = sched_resume(NULL);
}

/* FENCE.I at entry (vcpu_fence_i_on_entry): a vCPU a remote FENCE.I found
 * on no hart fences when it next enters, and one entering a hart other
 * than the one it last ran on fences there; staying on its hart costs
 * nothing. */
static void test_sched_fence_i_at_entry(void **state)
{
	struct vcpu *cur[2];

	(void)state;
	entry_fences = entry_migrations = 0;
	start_three_on_two_harts(cur);
	unsigned fences = entry_fences, migrations = entry_migrations;
	/* The same vCPU again on its hart: nothing. */
	fake_cpu = 0;
	assert_ptr_equal(sched_resume(cur[0]), cur[0]);
	assert_int_equal(entry_fences, fences);
	/* A remote FENCE.I left its flag: fenced at this entry, once. */
	cur[0]->fence_i_due = 1;
	assert_ptr_equal(sched_resume(cur[0]), cur[0]);
	assert_int_equal(entry_fences, fences + 1);
	assert_int_equal(cur[0]->fence_i_due, 0);
	assert_ptr_equal(sched_resume(cur[0]), cur[0]);
	assert_int_equal(entry_fences, fences + 1);
	/* Slices go round: whenever a vCPU enters the other hart it fenced. */
	for (unsigned step = 0; step < 12; step++) {
		fake_now += SLICE_TICKS;
		for (unsigned h = 0; h < 2; h++) {
			fake_cpu = h;
			cur[h] = sched_resume(cur[h]);
		}
	}
	assert_true(entry_migrations > migrations);
	assert_int_equal(entry_fences, fences + 1 + (entry_migrations - migrations));
}

/* Three equal busy vCPUs on two harts: each gets two thirds of a hart
 * (the harts steal from each other's queues to keep virtual times
 * together), within 10%. */
static void test_sched_three_vcpus_share_two_harts_evenly(void **state)
{
	struct vcpu *cur[2];

	(void)state;
	start_three_on_two_harts(cur);
	assert_ptr_not_equal(cur[0], cur[1]);
	for (unsigned step = 0; step < 120; step++) {
		fake_now += SLICE_TICKS;
		for (unsigned h = 0; h < 2; h++) {
			fake_cpu = h;
			cur[h] = sched_resume(cur[h]);
			assert_ptr_not_equal(cur[h], cur[1 - h]);
		}
	}
	uint64_t total = ran(0) + ran(1) + ran(2);
	for (unsigned i = 0; i < 3; i++) {
		assert_true(ran(i) * 3 >= total * 9 / 10);
		assert_true(ran(i) * 3 <= total * 11 / 10);
	}
	/* Both harts ran vCPUs all along. */
	assert_true(total >= 2 * 119 * SLICE_TICKS);
}

/* `cpus = 1`: its vCPU is queued on hart 1, never run by hart 0 (which
 * idles rather than take it), and runs on hart 1 alone. */
static void test_sched_pinned_vcpu_runs_only_on_its_hart(void **state)
{
	(void)state;
	platform.nharts = 2;
	vm_shape(0, 1, 0x2);
	fake_cpu = 0;
	sched_make_runnable(vc(0));
	assert_int_equal(vc(0)->sched.rq, 1);
	assert_true(kicked & 0x2);          /* hart 1 idles: woken */
	idle_hook = NULL;
	expect_idle_forever = true;
	if (setjmp(idle_jmp) == 0) {
		sched_resume(NULL);         /* hart 0: nothing it may run */
		fail_msg("hart 0 ran a vCPU pinned to hart 1");
	}
	expect_idle_forever = false;
	assert_int_equal(vc(0)->state, VCPU_RUNNABLE);
	fake_cpu = 1;
	assert_ptr_equal(sched_resume(NULL), vc(0));
	fake_now += 5 * SLICE_TICKS;
	assert_ptr_equal(sched_resume(vc(0)), vc(0));
	assert_int_equal(vc(0)->on_hart, 1);
	assert_int_equal(vc(0)->sched.hart_ticks[0], 0);
}

/* Pinned VMs share their hart by weight; the other hart is untouched. */
static void test_sched_pinned_weights_share_one_hart(void **state)
{
	(void)state;
	platform.nharts = 2;
	vm_shape(0, 2, 0x1);
	vm_shape(1, 1, 0x1);
	fake_cpu = 0;
	start_first(2);
	struct vcpu *cur = vc(0);
	for (unsigned i = 0; i < 60; i++) {
		cur = next_slice(cur);
		assert_int_equal(cur->on_hart, 0);
	}
	next_slice(cur);
	assert_true(ran(0) >= 2 * ran(1) - 3 * SLICE_TICKS && ran(0) <= 2 * ran(1) + 3 * SLICE_TICKS);
	assert_int_equal(vc(0)->sched.hart_ticks[1] + vc(1)->sched.hart_ticks[1], 0);
}

/* Of the next n slices on hart 0 from *cur, how many vCPU i gets; *cur
 * ends as the vCPU running after them. */
static unsigned slices_of(unsigned i, struct vcpu **cur, unsigned n)
{
	unsigned got = 0;

	for (unsigned k = 0; k < n; k++) {
		*cur = next_slice(*cur);
		got += *cur == vc(i);
	}
	return got;
}

/* A vCPU joining one that ran alone (no slices, so never charged) joins
 * behind that one's current stint, not its last charge: it shares the
 * hart at once instead of having it alone as long as the other ran. */
static void test_sched_join_counts_lone_vcpus_stint(void **state)
{
	struct vcpu *cur = vc(0);

	(void)state;
	start_first(1);
	fake_now += 100 * SLICE_TICKS;
	sched_make_runnable(vc(1));
	assert_true(slices_of(0, &cur, 10) >= 4);
}

/* A vCPU pinned to another hart is no measure for one joining hart 0: a
 * heavy VM alone there (weight 100) keeps a virtual time far behind. */
static void test_sched_join_ignores_vcpus_of_other_harts(void **state)
{
	struct vcpu *cur = vc(0);

	(void)state;
	platform.nharts = 2;
	vm_shape(0, 1, 0x1);
	vm_shape(1, 1, 0x1);
	vm_shape(2, 100, 0x2);
	start_first(1);
	sched_make_runnable(vc(2));
	fake_cpu = 1;
	assert_ptr_equal(sched_resume(NULL), vc(2));
	fake_now += 100 * SLICE_TICKS;
	assert_ptr_equal(sched_resume(vc(2)), vc(2));      /* charged */
	fake_cpu = 0;
	assert_ptr_equal(sched_resume(vc(0)), vc(0));
	sched_make_runnable(vc(1));
	assert_true(slices_of(0, &cur, 10) >= 4);
}

/* A paused VM gets no credit for the pause when resumed, and its stopped
 * virtual time is no measure for a vCPU joining meanwhile. */
static void test_sched_resume_after_pause_gets_no_credit(void **state)
{
	struct vcpu *cur = vc(0);

	(void)state;
	start_first(2);
	paused_vm = vc(1)->vm;
	slices_of(0, &cur, 100);
	assert_ptr_equal(cur, vc(0));
	assert_true(vc(1)->parked);
	sched_make_runnable(vc(2));
	assert_true(slices_of(0, &cur, 10) >= 4);
	paused_vm = NULL;
	sched_unpark(vc(1));
	assert_false(vc(1)->parked);
	assert_true(slices_of(0, &cur, 12) >= 3);
}

/* A vCPU made runnable goes to an idle hart, which is kicked out of its
 * wait; the hart that queued it keeps running alone. */
static void test_sched_wakeup_goes_to_idle_hart(void **state)
{
	(void)state;
	platform.nharts = 2;
	start_first(1);                     /* hart 0 runs vc(0) alone */
	assert_false(sched_hart_contended());
	sched_make_runnable(vc(1));         /* hart_start, an IPI: from hart 0 */
	assert_int_equal(vc(1)->sched.rq, 1);
	assert_int_equal(kicked, 0x2);
	assert_false(sched_hart_contended());   /* hart 1 takes it, not us */
	fake_cpu = 1;
	assert_ptr_equal(sched_resume(NULL), vc(1));
	assert_int_equal(vc(1)->on_hart, 1);
}

/* With no idle hart, the queued vCPU makes the lone hart slice again:
 * WFI must exit (hw engine's hstatus.VTW), and its timer is armed. */
static void test_sched_queued_vcpu_makes_hart_contended(void **state)
{
	(void)state;
	start_first(1);
	assert_false(sched_hart_contended());
	fake_now += 3 * SLICE_TICKS;
	sched_make_runnable(vc(1));
	assert_true(sched_hart_contended());
	/* vc(0) had its slice already: it yields at this very trap. */
	assert_ptr_equal(sched_resume(vc(0)), vc(1));
	assert_true(sched_hart_contended());
	assert_int_equal(armed_deadline, fake_now + SLICE_TICKS);
}

/* SBI SSE poked a vCPU that was about to block (its WFI trap still being
 * handled on its hart): it must not go to sleep (the lost wake-up). */
static void test_sched_sse_poke_keeps_blocking_vcpu_runnable(void **state)
{
	(void)state;
	start_first(2);
	sched_block(vc(0));
	__atomic_store_n(&vc(0)->sbi.sse.recheck, 1, __ATOMIC_RELEASE);
	sched_resume(vc(0));
	assert_int_not_equal(vc(0)->state, VCPU_BLOCKED);
}

/* ... and one already blocked is woken by the scan once poked. */
static void test_sched_sse_poke_wakes_blocked_vcpu(void **state)
{
	(void)state;
	start_first(3);
	assert_ptr_equal(wfi(vc(0)), vc(1));
	assert_int_equal(vc(0)->state, VCPU_BLOCKED);
	__atomic_store_n(&vc(0)->sbi.sse.recheck, 1, __ATOMIC_RELEASE);
	next_slice(vc(1));
	assert_int_not_equal(vc(0)->state, VCPU_BLOCKED);
}

/* A VM ending kicks the other harts running its vCPUs. */
static void test_sched_vm_ended_kicks_its_harts(void **state)
{
	(void)state;
	platform.nharts = 2;
	start_first(1);
	fake_cpu = 1;
	sched_make_runnable(vc(1));
	assert_ptr_equal(sched_resume(NULL), vc(1));
	kicked = 0;
	fake_cpu = 0;
	sched_vm_ended(&pool_vm[1]);
	assert_int_equal(kicked, 0x2);
	kicked = 0;
	sched_vm_ended(&pool_vm[2]);
	assert_int_equal(kicked, 0);
}

/* A directed yield (an IPI to a vCPU of the same VM that waits for a
 * hart): the sender's hart goes to that vCPU at once, ahead of an older
 * waiter; a target that is not waiting (blocked) changes nothing. */
static void test_sched_yield_to_ipi_target(void **state)
{
	(void)state;
	start_first(3);
	for (unsigned i = 1; i < 3; i++)
		vc(i)->vm = vc(0)->vm;          /* one VM of three vCPUs */
	sched_yield_to(vc(0), vc(2));
	assert_ptr_equal(sched_resume(vc(0)), vc(2));
	assert_int_equal(vc(0)->state, VCPU_RUNNABLE);
	assert_null(vc(0)->sched.yield_to);
	/* Blocked target: no yield, vc(2) goes on. */
	pool[1].enabled = 0;
	sched_yield_to(vc(2), vc(2));
	assert_null(vc(2)->sched.yield_to);
	for (unsigned i = 1; i < 3; i++)
		vc(i)->vm = &pool_vm[i];
}

/* Overcommitted SMP: vCPUs of one VM take turns by the shorter slice (a
 * preempted lock holder stalls its siblings that long at most); against
 * other VMs' vCPUs, the usual one. */
static void test_sched_smp_siblings_share_by_short_slices(void **state)
{
	(void)state;
	vc(1)->vm = vc(0)->vm;
	start_first(2);
	fake_now = T0 + 1;
	assert_ptr_equal(sched_resume(vc(0)), vc(0));
	assert_int_equal(armed_deadline, T0 + (uint64_t)SCHED_SMP_SLICE_US * TICKS_PER_US);
	fake_now = T0 + (uint64_t)SCHED_SMP_SLICE_US * TICKS_PER_US;
	assert_ptr_equal(sched_resume(vc(0)), vc(1));
	vc(1)->vm = &pool_vm[1];
}

/* The statistics line: CPU time by vCPU and by hart. */
static void test_sched_stats_by_hart(void **state)
{
	(void)state;
	platform.nharts = 2;
	vm_shape(0, 3, 0);
	start_first(2);
	next_slice(vc(0));
	sched_print_stats(&pool_vm[0]);
	/* 10 ms ran on hart 0, at 1 tick per us. */
	assert_non_null(strstr(stats_text, "vcpu0-ms=10"));
	assert_non_null(strstr(stats_text, "hart0-ms=10"));
	assert_null(strstr(stats_text, "hart1-ms"));
	assert_non_null(strstr(stats_text, "weight=3"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_sched_add_vcpu_queues_only_runnable, setup),
		cmocka_unit_test_setup(test_sched_first_resume_picks_first_runnable, setup),
		cmocka_unit_test_setup(test_sched_run_enters_first_runnable, setup),
		cmocka_unit_test_setup(test_sched_console_input_runs_at_next_resume, setup),
		cmocka_unit_test_setup(test_sched_may_stay_only_when_nothing_is_due, setup),
		cmocka_unit_test_setup(test_sched_resume_within_slice_keeps_vcpu, setup),
		cmocka_unit_test_setup(test_sched_slice_end_switches_round_robin, setup),
		cmocka_unit_test_setup(test_sched_alone_takes_no_slice, setup),
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
		cmocka_unit_test_setup(test_sched_hang_timeout_zero_arms_no_timer, setup),
		cmocka_unit_test_setup(test_sched_hang_timeout_arms_timer_for_deadline, setup),
		cmocka_unit_test_setup(test_sched_hang_watchdog_ignores_activity_after_now, setup),
		cmocka_unit_test_setup(test_sched_panic_seen_checks_vm_panic, setup),
		cmocka_unit_test_setup(test_sched_panic_check_only_for_running_panicked_vm, setup),
		cmocka_unit_test_setup(test_sched_steal_counts_time_waiting_in_queue, setup),
		cmocka_unit_test_setup(test_sched_steal_zero_alone, setup),
		cmocka_unit_test_setup(test_sched_steal_ignores_blocked_time, setup),
		cmocka_unit_test_setup(test_sched_stop_is_not_preemption, setup),
		cmocka_unit_test_setup(test_sched_suspend_blocks_and_marks_vm, setup),
		cmocka_unit_test_setup(test_sched_hang_watchdog_spares_suspended_vm, setup),
		cmocka_unit_test_setup(test_sched_hang_watchdog_spares_lone_suspended_vm_while_idle, setup),
		cmocka_unit_test_setup(test_sched_hang_watchdog_stops_vm_blocked_in_wfi, setup),
		cmocka_unit_test_setup(test_sched_weights_share_cpu_time, setup),
		cmocka_unit_test_setup(test_sched_three_vcpus_share_two_harts_evenly, setup),
		cmocka_unit_test_setup(test_sched_fence_i_at_entry, setup),
		cmocka_unit_test_setup(test_sched_pinned_vcpu_runs_only_on_its_hart, setup),
		cmocka_unit_test_setup(test_sched_pinned_weights_share_one_hart, setup),
		cmocka_unit_test_setup(test_sched_wakeup_goes_to_idle_hart, setup),
		cmocka_unit_test_setup(test_sched_join_counts_lone_vcpus_stint, setup),
		cmocka_unit_test_setup(test_sched_join_ignores_vcpus_of_other_harts, setup),
		cmocka_unit_test_setup(test_sched_resume_after_pause_gets_no_credit, setup),
		cmocka_unit_test_setup(test_sched_queued_vcpu_makes_hart_contended, setup),
		cmocka_unit_test_setup(test_sched_sse_poke_keeps_blocking_vcpu_runnable, setup),
		cmocka_unit_test_setup(test_sched_sse_poke_wakes_blocked_vcpu, setup),
		cmocka_unit_test_setup(test_sched_vm_ended_kicks_its_harts, setup),
		cmocka_unit_test_setup(test_sched_stats_by_hart, setup),
		cmocka_unit_test_setup(test_sched_smp_siblings_share_by_short_slices, setup),
		cmocka_unit_test_setup(test_sched_yield_to_ipi_target, setup),
		cmocka_unit_test_setup(test_sched_suspend_with_pending_wakeup_runs_on, setup),
		cmocka_unit_test_setup(test_sched_idle_until_device_timer, setup),
		cmocka_unit_test_setup(test_sched_lone_vcpu_timer_armed_for_device_timer, setup),
		cmocka_unit_test_setup(test_sched_device_timer_wakes_blocked_vm, setup),
	};

	return cmocka_run_group_tests(tests, group_setup, NULL);
}
