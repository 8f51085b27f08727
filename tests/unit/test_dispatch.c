/* The dispatcher on the host: a recording fake engine, the fake CSR layer,
 * and fakes of the scheduler, the timer and the log. Checks who gets each
 * trap, what is counted, and that only the dispatcher moves the pc. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "arch/riscv/csr.h"
#include "arch/riscv/dispatch.h"
#include "arch/riscv/vcpu_arch.h"
#include "core/console.h"
#include "core/engine.h"
#include "core/sched_internal.h"
#include "core/timer.h"
#include "core/vcpu.h"
#include "core/vm.h"
#include "fakes/fake_csr.h"

#define GUEST_PC    0x80200000ULL
#define EVENTS_MAX  16

/* Everything the dispatcher asks of its collaborators, in order. */
enum event {
	EV_SYNC,        /* engine->sync_from_hw */
	EV_HANDLER,     /* a trap handler */
	EV_INJECT,      /* engine->inject */
	EV_TIMER,       /* timer_handle_irq */
	EV_LOG,         /* log_info */
	EV_SCHED,       /* sched_resume */
};

extern unsigned fake_hostirq_handled;     /* fakes/fake_hostirq.c */
static enum event events[EVENTS_MAX];
static unsigned nevents;

static void record(enum event e)
{
	assert_true(nevents < EVENTS_MAX);
	events[nevents++] = e;
}

static unsigned count(enum event e)
{
	unsigned n = 0;

	for (unsigned i = 0; i < nevents; i++)
		n += events[i] == e;
	return n;
}

/* What the handler saw and what it is scripted to answer. */
static struct {
	struct vcpu *v;
	struct trap_info t;         /* as passed in */
	enum resume result;
	unsigned insn_len;
	uint64_t jump_pc;
	uint64_t inject_cause, inject_tval;
	bool inject_redirected;
} handler;

static struct {
	struct vcpu *v;
	struct trap_info t;
} injected;

static struct vcpu *sched_arg;
static struct vcpu *sched_choice;
static char log_line[256];

static struct vm vm;
static struct vcpu vcpu0, vcpu1;
static struct vcpu_arch arch0, arch1;

/* --- fakes of the engine and of the core the dispatcher calls ---------- */

static enum resume fake_handler(struct vcpu *v, struct trap_info *t)
{
	record(EV_HANDLER);
	handler.v = v;
	handler.t = *t;
	switch (handler.result) {
	case RESUME_NEXT:
		return trap_next(t, handler.insn_len);
	case RESUME_JUMP:
		return trap_jump(t, handler.jump_pc);
	case RESUME_INJECT: {
		enum resume r = trap_inject(t, handler.inject_cause, handler.inject_tval);
		t->inject_redirected = handler.inject_redirected;
		return r;
	}
	default:
		return handler.result;
	}
}

static void fake_sync_from_hw(struct vcpu *v)
{
	assert_ptr_equal(v, &vcpu0);
	record(EV_SYNC);
}

static void fake_inject(struct vcpu *v, const struct trap_info *t)
{
	record(EV_INJECT);
	injected.v = v;
	injected.t = *t;
}

/* Handlers for a few causes only; the rest are reflected to the guest. */
static const struct engine fake_engine = {
	.name = "fake",
	.handlers = {
		[EXC_ILLEGAL_INST] = fake_handler,
		[EXC_ECALL_S] = fake_handler,
		[EXC_ECALL_VS] = fake_handler,
		[EXC_LOAD_PAGE_FAULT] = fake_handler,
		[EXC_STORE_GUEST_PAGE_FAULT] = fake_handler,
	},
	.sync_from_hw = fake_sync_from_hw,
	.inject = fake_inject,
};

struct vcpu *sched_resume(struct vcpu *v)
{
	record(EV_SCHED);
	sched_arg = v;
	return sched_choice;
}

static bool may_stay;           /* what sched_may_stay answers */
static bool stays_loaded;       /* what the engine's stays_loaded answers */

bool sched_may_stay(struct vcpu *v)
{
	assert_ptr_equal(v, &vcpu0);
	return may_stay;
}

static bool fake_stays_loaded(struct vcpu *v)
{
	assert_ptr_equal(v, &vcpu0);
	return stays_loaded;
}

void timer_handle_irq(void)
{
	record(EV_TIMER);
}

void log_info(const char *fmt, ...)
{
	va_list ap;

	record(EV_LOG);
	va_start(ap, fmt);
	vsnprintf(log_line, sizeof(log_line), fmt, ap);
	va_end(ap);
}

static int setup(void **state)
{
	(void)state;
	fake_csr_reset();
	memset(events, 0, sizeof(events));
	nevents = 0;
	memset(&handler, 0, sizeof(handler));
	memset(&injected, 0, sizeof(injected));
	memset(&vm, 0, sizeof(vm));
	memset(&vcpu0, 0, sizeof(vcpu0));
	memset(&vcpu1, 0, sizeof(vcpu1));
	memset(&arch0, 0, sizeof(arch0));
	memset(&arch1, 0, sizeof(arch1));
	log_line[0] = '\0';
	snprintf(vm.name, sizeof(vm.name), "guest");
	vm.engine = &fake_engine;
	vcpu0 = (struct vcpu){ .arch = &arch0, .engine = &fake_engine, .vm = &vm, .id = 0 };
	vcpu1 = (struct vcpu){ .arch = &arch1, .engine = &fake_engine, .vm = &vm, .id = 1 };
	arch0.vcpu = &vcpu0;
	arch1.vcpu = &vcpu1;
	arch0.regs.pc = GUEST_PC;
	arch1.regs.pc = GUEST_PC + 0x1000;
	sched_arg = NULL;
	sched_choice = &vcpu0;
	return 0;
}

static uint64_t exc_total(void)
{
	uint64_t n = 0;

	for (unsigned i = 0; i < STATS_EXC_MAX; i++)
		n += vm.stats.trap_exc[i];
	return n;
}

static uint64_t irq_total(void)
{
	uint64_t n = 0;

	for (unsigned i = 0; i < STATS_IRQ_MAX; i++)
		n += vm.stats.trap_irq[i];
	return n;
}

/* --- exceptions ------------------------------------------------------- */

static void test_dispatch_exception_goes_to_its_handler(void **state)
{
	(void)state;
	handler.result = RESUME_SAME;
	dispatch_handle(&vcpu0, EXC_ECALL_VS, 0x1234);
	assert_int_equal(count(EV_HANDLER), 1);
	assert_ptr_equal(handler.v, &vcpu0);
	assert_int_equal(handler.t.cause, EXC_ECALL_VS);
	assert_int_equal(handler.t.tval, 0x1234);
	assert_int_equal(handler.t.epc, GUEST_PC);
	assert_int_equal(count(EV_INJECT), 0);
}

static void test_dispatch_exception_counted_by_cause(void **state)
{
	(void)state;
	handler.result = RESUME_SAME;
	dispatch_handle(&vcpu0, EXC_ECALL_VS, 0);
	dispatch_handle(&vcpu0, EXC_ECALL_VS, 0);
	dispatch_handle(&vcpu0, EXC_LOAD_PAGE_FAULT, 0x1000);
	dispatch_handle(&vcpu0, EXC_BREAKPOINT, 0);        /* no handler: still counted */
	assert_int_equal(vm.stats.trap_exc[EXC_ECALL_VS], 2);
	assert_int_equal(vm.stats.trap_exc[EXC_LOAD_PAGE_FAULT], 1);
	assert_int_equal(vm.stats.trap_exc[EXC_BREAKPOINT], 1);
	assert_int_equal(exc_total(), 4);
	assert_int_equal(irq_total(), 0);
}

static void test_dispatch_highest_cause_reaches_its_handler(void **state)
{
	(void)state;
	handler.result = RESUME_SAME;
	dispatch_handle(&vcpu0, EXC_STORE_GUEST_PAGE_FAULT, 0x80001000);
	assert_int_equal(count(EV_HANDLER), 1);
	assert_int_equal(handler.t.cause, EXC_STORE_GUEST_PAGE_FAULT);
	assert_int_equal(vm.stats.trap_exc[EXC_STORE_GUEST_PAGE_FAULT], 1);
}

static void test_dispatch_sync_from_hw_before_handler(void **state)
{
	(void)state;
	handler.result = RESUME_SAME;
	dispatch_handle(&vcpu0, EXC_ILLEGAL_INST, 0x73);
	assert_int_equal(nevents, 2);
	assert_int_equal(events[0], EV_SYNC);
	assert_int_equal(events[1], EV_HANDLER);
}

static void test_dispatch_unhandled_cause_injected_unchanged(void **state)
{
	(void)state;
	arch0.regs.pc = GUEST_PC + 8;
	dispatch_handle(&vcpu0, EXC_BREAKPOINT, 0xdead);
	assert_int_equal(count(EV_HANDLER), 0);
	assert_int_equal(count(EV_INJECT), 1);
	assert_ptr_equal(injected.v, &vcpu0);
	assert_int_equal(injected.t.inject_cause, EXC_BREAKPOINT);
	assert_int_equal(injected.t.inject_tval, 0xdead);
	assert_false(injected.t.inject_redirected);
	assert_int_equal(injected.t.cause, EXC_BREAKPOINT);
	assert_int_equal(injected.t.epc, GUEST_PC + 8);
	/* The engine's inject moves the pc to the guest's handler, not us. */
	assert_int_equal(arch0.regs.pc, GUEST_PC + 8);
}

static void test_dispatch_cause_beyond_table_injected(void **state)
{
	static const uint64_t causes[] = { ENGINE_MAX_CAUSES, 25, 40, 63, (1ULL << 62) };
	static struct engine full;

	(void)state;
	/* Every slot handled, so no wrapped or out-of-range index can hide. */
	full = fake_engine;
	for (unsigned c = 0; c < ENGINE_MAX_CAUSES; c++)
		full.handlers[c] = fake_handler;
	handler.result = RESUME_SAME;
	for (unsigned i = 0; i < sizeof(causes) / sizeof(causes[0]); i++) {
		setup(NULL);
		vcpu0.engine = &full;
		dispatch_handle(&vcpu0, causes[i], 0x42 + i);
		assert_int_equal(count(EV_HANDLER), 0);
		assert_int_equal(count(EV_INJECT), 1);
		assert_int_equal(injected.t.inject_cause, causes[i]);
		assert_int_equal(injected.t.inject_tval, 0x42 + i);
		assert_int_equal(arch0.regs.pc, GUEST_PC);
		/* Beyond the statistics table too: nothing counted, nothing overrun. */
		assert_int_equal(exc_total(), 0);
		assert_int_equal(irq_total(), 0);
	}
}

/* --- acting on the result ---------------------------------------------- */

static void test_dispatch_next_advances_by_insn_len(void **state)
{
	(void)state;
	handler.result = RESUME_NEXT;
	handler.insn_len = 4;
	dispatch_handle(&vcpu0, EXC_ECALL_VS, 0);
	assert_int_equal(arch0.regs.pc, GUEST_PC + 4);
	handler.insn_len = 2;                       /* a compressed instruction */
	dispatch_handle(&vcpu0, EXC_ILLEGAL_INST, 0);
	assert_int_equal(arch0.regs.pc, GUEST_PC + 6);
	assert_int_equal(handler.t.epc, GUEST_PC + 4);
	assert_int_equal(count(EV_INJECT), 0);
}

static void test_dispatch_jump_sets_pc(void **state)
{
	(void)state;
	handler.result = RESUME_JUMP;
	handler.jump_pc = 0x80400000;
	dispatch_handle(&vcpu0, EXC_ILLEGAL_INST, 0x10200073);     /* an sret */
	assert_int_equal(arch0.regs.pc, 0x80400000);
	assert_int_equal(count(EV_INJECT), 0);
}

static void test_dispatch_same_leaves_pc(void **state)
{
	(void)state;
	handler.result = RESUME_SAME;
	dispatch_handle(&vcpu0, EXC_LOAD_PAGE_FAULT, 0x5000);
	assert_int_equal(arch0.regs.pc, GUEST_PC);
	assert_int_equal(count(EV_INJECT), 0);
}

static void test_dispatch_halt_leaves_pc(void **state)
{
	(void)state;
	handler.result = RESUME_HALT;
	/* Operands of other results must not leak into a halt. */
	handler.insn_len = 4;
	dispatch_handle(&vcpu0, EXC_ECALL_VS, 0);
	assert_int_equal(arch0.regs.pc, GUEST_PC);
	assert_int_equal(count(EV_INJECT), 0);
	assert_int_equal(count(EV_HANDLER), 1);
}

static void test_dispatch_inject_passes_trap_info(void **state)
{
	(void)state;
	handler.result = RESUME_INJECT;
	handler.inject_cause = EXC_LOAD_ACCESS;
	handler.inject_tval = 0x9000;
	handler.inject_redirected = true;
	dispatch_handle(&vcpu0, EXC_LOAD_PAGE_FAULT, 0x8000);
	assert_int_equal(count(EV_INJECT), 1);
	assert_ptr_equal(injected.v, &vcpu0);
	assert_int_equal(injected.t.inject_cause, EXC_LOAD_ACCESS);
	assert_int_equal(injected.t.inject_tval, 0x9000);
	assert_true(injected.t.inject_redirected);
	assert_int_equal(injected.t.cause, EXC_LOAD_PAGE_FAULT);
	assert_int_equal(injected.t.tval, 0x8000);
	assert_int_equal(injected.t.epc, GUEST_PC);
	assert_int_equal(arch0.regs.pc, GUEST_PC);
	assert_int_equal(events[nevents - 1], EV_INJECT);
}

static void test_dispatch_resume_direct(void **state)
{
	struct trap_info t = { .insn_len = 2, .jump_pc = 0x1000 };

	(void)state;
	dispatch_resume(&vcpu0, RESUME_NEXT, &t);
	assert_int_equal(arch0.regs.pc, GUEST_PC + 2);
	dispatch_resume(&vcpu0, RESUME_SAME, &t);
	dispatch_resume(&vcpu0, RESUME_HALT, &t);
	assert_int_equal(arch0.regs.pc, GUEST_PC + 2);
	dispatch_resume(&vcpu0, RESUME_JUMP, &t);
	assert_int_equal(arch0.regs.pc, 0x1000);
	assert_int_equal(count(EV_INJECT), 0);
	trap_inject(&t, EXC_ILLEGAL_INST, 0xabc);
	dispatch_resume(&vcpu0, RESUME_INJECT, &t);
	assert_int_equal(count(EV_INJECT), 1);
	assert_int_equal(injected.t.inject_cause, EXC_ILLEGAL_INST);
	assert_int_equal(injected.t.inject_tval, 0xabc);
	assert_int_equal(arch0.regs.pc, 0x1000);
}

/* --- interrupts -------------------------------------------------------- */

static void test_dispatch_timer_irq_handled_not_dispatched(void **state)
{
	(void)state;
	handler.result = RESUME_NEXT;
	handler.insn_len = 4;
	dispatch_handle(&vcpu0, CAUSE_INTERRUPT | IRQ_S_TIMER, 0);
	assert_int_equal(count(EV_TIMER), 1);
	assert_int_equal(count(EV_HANDLER), 0);
	assert_int_equal(count(EV_INJECT), 0);
	assert_int_equal(arch0.regs.pc, GUEST_PC);
	assert_int_equal(vm.stats.trap_irq[IRQ_S_TIMER], 1);
	assert_int_equal(irq_total(), 1);
	assert_int_equal(exc_total(), 0);
}

static void test_dispatch_soft_irq_clears_ssip(void **state)
{
	(void)state;
	fake_csr_set("sip", MIP_SSIP | MIP_STIP | MIP_SEIP);
	dispatch_handle(&vcpu0, CAUSE_INTERRUPT | IRQ_S_SOFT, 0);
	/* Only SSIP is software-writable; the others must be left alone. */
	assert_int_equal(fake_csr_get("sip"), MIP_STIP | MIP_SEIP);
	assert_int_equal(fake_csr_write_count("sip"), 1);
	assert_int_equal(count(EV_TIMER), 0);
	assert_int_equal(count(EV_HANDLER), 0);
	assert_int_equal(count(EV_INJECT), 0);
	assert_int_equal(arch0.regs.pc, GUEST_PC);
	assert_int_equal(vm.stats.trap_irq[IRQ_S_SOFT], 1);
	assert_int_equal(irq_total(), 1);
	assert_int_equal(exc_total(), 0);
}

static void test_dispatch_irq_number_not_taken_as_exception(void **state)
{
	(void)state;
	/* Interrupt 9 (S external) has a handler as exception 9 (ECALL_S): unused.
	 * It is a host device's, for the host interrupt controller. */
	unsigned before = fake_hostirq_handled;
	dispatch_handle(&vcpu0, CAUSE_INTERRUPT | IRQ_S_EXT, 0);
	assert_int_equal(count(EV_HANDLER), 0);
	assert_int_equal(count(EV_INJECT), 0);
	assert_int_equal(vm.stats.trap_exc[EXC_ECALL_S], 0);
	assert_int_equal(vm.stats.trap_irq[IRQ_S_EXT], 1);
	assert_int_equal(fake_hostirq_handled, before + 1);
	assert_int_equal(count(EV_LOG), 0);
}

static void test_dispatch_irq_beyond_stats_logged_only(void **state)
{
	(void)state;
	dispatch_handle(&vcpu0, CAUSE_INTERRUPT | 40, 0);
	assert_int_equal(count(EV_LOG), 1);
	assert_non_null(strstr(log_line, "40"));
	assert_int_equal(count(EV_HANDLER), 0);
	assert_int_equal(count(EV_INJECT), 0);
	assert_int_equal(count(EV_TIMER), 0);
	assert_int_equal(irq_total(), 0);
	assert_int_equal(exc_total(), 0);
	assert_int_equal(arch0.regs.pc, GUEST_PC);
}

/* --- the entry from entry.S ------------------------------------------- */

static void test_dispatch_trap_reads_csrs_and_returns_sched_choice(void **state)
{
	struct vcpu_arch *next;

	(void)state;
	fake_csr_set("scause", EXC_ECALL_VS);
	fake_csr_set("stval", 0x77);
	handler.result = RESUME_NEXT;
	handler.insn_len = 4;
	sched_choice = &vcpu1;
	next = dispatch_trap(&arch0);
	assert_ptr_equal(next, &arch1);
	assert_int_equal(handler.t.cause, EXC_ECALL_VS);
	assert_int_equal(handler.t.tval, 0x77);
	assert_ptr_equal(handler.v, &vcpu0);
	assert_ptr_equal(sched_arg, &vcpu0);
	assert_int_equal(arch0.regs.pc, GUEST_PC + 4);
	assert_int_equal(arch1.regs.pc, GUEST_PC + 0x1000);
	/* The scheduler runs after the trap is handled, once. */
	assert_int_equal(count(EV_SCHED), 1);
	assert_int_equal(events[nevents - 1], EV_SCHED);
	/* Reading the trap CSRs is not writing them. */
	assert_int_equal(fake_csr.writes, 0);
}

static void test_dispatch_trap_interrupt_from_csrs(void **state)
{
	(void)state;
	fake_csr_set("scause", CAUSE_INTERRUPT | IRQ_S_TIMER);
	fake_csr_set("stval", 0);
	assert_ptr_equal(dispatch_trap(&arch0), &arch0);
	assert_int_equal(count(EV_TIMER), 1);
	assert_int_equal(count(EV_HANDLER), 0);
	assert_int_equal(vm.stats.trap_irq[IRQ_S_TIMER], 1);
	assert_ptr_equal(sched_arg, &vcpu0);
	assert_int_equal(arch0.regs.pc, GUEST_PC);
}

/* An exit the engine says left its hardware loaded goes straight back
 * into the guest when the scheduler has nothing due; otherwise, or with
 * either saying no, through sched_resume as always. */
static void test_dispatch_trap_resumes_in_place(void **state)
{
	static struct engine staying;

	(void)state;
	staying = fake_engine;
	staying.stays_loaded = fake_stays_loaded;
	vcpu0.engine = &staying;
	fake_csr_set("scause", EXC_ECALL_VS);
	fake_csr_set("stval", 0);
	handler.result = RESUME_NEXT;
	handler.insn_len = 4;
	sched_choice = &vcpu1;
	for (unsigned c = 0; c < 4; c++) {
		stays_loaded = c & 1;
		may_stay = c & 2;
		nevents = 0;
		uint64_t in_place = vm.stats.resumed_in_place;
		struct vcpu_arch *next = dispatch_trap(&arch0);
		if (stays_loaded && may_stay) {
			assert_ptr_equal(next, &arch0);
			assert_int_equal(count(EV_SCHED), 0);
			assert_int_equal(vm.stats.resumed_in_place, in_place + 1);
		} else {
			assert_ptr_equal(next, &arch1);
			assert_int_equal(count(EV_SCHED), 1);
			assert_int_equal(vm.stats.resumed_in_place, in_place);
		}
		assert_int_equal(count(EV_HANDLER), 1);
	}
	assert_int_equal(arch0.regs.pc, GUEST_PC + 16);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_dispatch_exception_goes_to_its_handler, setup),
		cmocka_unit_test_setup(test_dispatch_exception_counted_by_cause, setup),
		cmocka_unit_test_setup(test_dispatch_highest_cause_reaches_its_handler, setup),
		cmocka_unit_test_setup(test_dispatch_sync_from_hw_before_handler, setup),
		cmocka_unit_test_setup(test_dispatch_unhandled_cause_injected_unchanged, setup),
		cmocka_unit_test_setup(test_dispatch_cause_beyond_table_injected, setup),
		cmocka_unit_test_setup(test_dispatch_next_advances_by_insn_len, setup),
		cmocka_unit_test_setup(test_dispatch_jump_sets_pc, setup),
		cmocka_unit_test_setup(test_dispatch_same_leaves_pc, setup),
		cmocka_unit_test_setup(test_dispatch_halt_leaves_pc, setup),
		cmocka_unit_test_setup(test_dispatch_inject_passes_trap_info, setup),
		cmocka_unit_test_setup(test_dispatch_resume_direct, setup),
		cmocka_unit_test_setup(test_dispatch_timer_irq_handled_not_dispatched, setup),
		cmocka_unit_test_setup(test_dispatch_soft_irq_clears_ssip, setup),
		cmocka_unit_test_setup(test_dispatch_irq_number_not_taken_as_exception, setup),
		cmocka_unit_test_setup(test_dispatch_irq_beyond_stats_logged_only, setup),
		cmocka_unit_test_setup(test_dispatch_trap_reads_csrs_and_returns_sched_choice, setup),
		cmocka_unit_test_setup(test_dispatch_trap_interrupt_from_csrs, setup),
		cmocka_unit_test_setup(test_dispatch_trap_resumes_in_place, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
