/*
 * The engines' SBI SSE operations (core/engine.h sse_enter/sse_complete)
 * on the host, over the fake CSR layer: the trap engine on its virtual
 * CSRs and virtual privilege, the hw engine on vsepc/vsstatus (live on
 * this hart, or saved in its per-vCPU state) and its guest_s. What they
 * must do is SBI v3.0, "Software Event Injection" and "Software Event
 * Completion": enter saves the interrupted sepc/SPP/SPIE and enters
 * S-mode at the entry with SIE clear; complete undoes it exactly.
 *
 * Faked here: what the two engines call outside themselves and never
 * reach from these operations (SBI, devices, the scheduler, the timer,
 * FP, the console, statistics, the probe fixup).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "arch/riscv/csr.h"
#include "arch/riscv/engine_hw.h"
#include "arch/riscv/engine_trap.h"
#include "arch/riscv/fp.h"
#include "arch/riscv/hart.h"
#include "arch/riscv/probe.h"
#include "arch/riscv/vcpu_arch.h"
#include "core/console.h"
#include "core/engine.h"
#include "core/lib/format.h"
#include "core/platform.h"
#include "core/sbi/sbi.h"
#include "core/sched.h"
#include "core/sched_internal.h"
#include "core/stats.h"
#include "core/timer.h"
#include "core/vm.h"
#include "dev/mmio.h"
#include "fakes/fake_csr.h"

#define VSSTATUS    "0x200"
#define VSEPC       "0x241"
#define ENTRY       0x80203000ULL
#define PC          0x80201234ULL
#define OLD_SEPC    0x80205554ULL

/* ---- fakes: the rest of Trapeze ---------------------------------------- */

struct host_csr_caps host_csr;
struct platform platform;

uint64_t platform_time(void)
{
	return 0;
}

void probe_begin(void)
{
}

bool probe_end(void)
{
	return true;
}

enum resume sbi_dispatch(struct vcpu *v, struct trap_info *t, unsigned ecall_len)
{
	(void)v;
	return trap_next(t, ecall_len);
}

int mmio_dispatch(struct vm *vm, struct mmio_device *dev, unsigned slot, struct mmio_access *a)
{
	(void)vm, (void)dev, (void)slot, (void)a;
	return -1;
}

void sched_block(struct vcpu *v)
{
	(void)v;
}

bool sched_hart_contended(void)
{
	return true;
}

void sched_make_runnable(struct vcpu *v)
{
	(void)v;
}

/* dispatch_trap's question; these tests drive dispatch_handle. */
bool sched_may_stay(struct vcpu *v)
{
	(void)v;
	return false;
}

struct vcpu *sched_resume(struct vcpu *v)
{
	return v;
}

void timer_handle_irq(void)
{
}

void vm_stop(struct vm *vm, enum vm_exit why, const char *reason)
{
	(void)reason;
	vm->state = VM_STOPPED;
	vm->exit = why;
}

void fp_save(struct vcpu *v)
{
	(void)v;
}

void fp_load(struct vcpu *v)
{
	(void)v;
}

uint64_t fp_read_reg(unsigned n)
{
	(void)n;
	return 0;
}

void fp_write_reg(unsigned n, uint64_t val)
{
	(void)n, (void)val;
}

_Noreturn void trap_return(struct vcpu_arch *a)
{
	(void)a;
	abort();
}

void log_info(const char *fmt, ...)
{
	(void)fmt;
}

_Noreturn void panic(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	abort();
}

size_t format(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	int n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n < 0 ? 0 : (size_t)n;
}

void stats_add(struct stats_line *l, const char *name, uint64_t n)
{
	(void)l, (void)name, (void)n;
}

void stats_group(struct stats_line *l, const char *group)
{
	(void)l, (void)group;
}

void stats_flush(struct stats_line *l)
{
	(void)l;
}

/* ---- the vCPU under test ------------------------------------------------ */

static struct vm vm;
static struct vcpu vcpu;
static struct vcpu_arch varch;

static int setup(void **state)
{
	(void)state;
	fake_csr_reset();
	memset(&vm, 0, sizeof(vm));
	memset(&vcpu, 0, sizeof(vcpu));
	memset(&varch, 0, sizeof(varch));
	vcpu.vm = &vm;
	vcpu.arch = &varch;
	varch.vcpu = &vcpu;
	varch.regs.pc = PC;
	return 0;
}

#define SPP_SPIE_SIE (SSTATUS_SPP | SSTATUS_SPIE | SSTATUS_SIE)

static void test_engine_sse_ops_present(void **state)
{
	(void)state;
	assert_non_null(engine_trap.sse_enter);
	assert_non_null(engine_trap.sse_complete);
	assert_non_null(engine_hw.sse_enter);
	assert_non_null(engine_hw.sse_complete);
}

/* Trap engine, an event taken in vU with interrupts on: SPP = U, SPIE =
 * the SIE it had; the handler runs in vS with SIE = 0; complete goes back
 * to vU with SIE on, its own sepc/SPP/SPIE as they were. */
static void test_engine_sse_trap_from_user(void **state)
{
	struct vcsr *c = &varch.trap.csr;
	struct engine_sse_state st;

	(void)state;
	vcpu.engine = &engine_trap;
	varch.trap.vpriv = VPRIV_U;
	c->sepc = OLD_SEPC;
	c->sstatus = SSTATUS_SIE | SSTATUS_SPP | SSTATUS_SUM;
	c->scause = 8, c->stval = 0x77;
	engine_trap.sse_enter(&vcpu, ENTRY, &st);
	assert_int_equal(st.sepc, OLD_SEPC);
	assert_true(st.spp);
	assert_false(st.spie);
	assert_int_equal(varch.regs.pc, ENTRY);
	assert_int_equal(varch.trap.vpriv, VPRIV_S);
	assert_int_equal(c->sepc, PC);
	assert_int_equal(c->sstatus, SSTATUS_SPIE | SSTATUS_SUM);     /* SPP = U, SIE = 0 */
	assert_int_equal(c->scause, 8);         /* not a trap: cause and tval stay */
	assert_int_equal(c->stval, 0x77);

	varch.regs.pc = ENTRY + 0x40;
	assert_int_equal(engine_trap.sse_complete(&vcpu, &st), PC);
	assert_int_equal(varch.trap.vpriv, VPRIV_U);
	assert_int_equal(c->sepc, OLD_SEPC);
	assert_int_equal(c->sstatus, SSTATUS_SIE | SSTATUS_SPP | SSTATUS_SUM);
	assert_int_equal(varch.regs.pc, ENTRY + 0x40);  /* the caller moves the pc */
}

/* Trap engine, taken in vS with interrupts off, inside the guest's own
 * trap handler (SPP = S, SPIE = 1): all of it comes back. */
static void test_engine_sse_trap_from_supervisor(void **state)
{
	struct vcsr *c = &varch.trap.csr;
	struct engine_sse_state st;

	(void)state;
	vcpu.engine = &engine_trap;
	varch.trap.vpriv = VPRIV_S;
	c->sepc = OLD_SEPC;
	c->sstatus = SSTATUS_SPIE | SSTATUS_SPP;
	engine_trap.sse_enter(&vcpu, ENTRY, &st);
	assert_true(st.spp);
	assert_true(st.spie);
	assert_int_equal(c->sstatus & SPP_SPIE_SIE, SSTATUS_SPP);      /* SPIE = old SIE = 0 */
	assert_int_equal(varch.trap.vpriv, VPRIV_S);
	/* The handler may move sepc; complete resumes there. */
	c->sepc = PC + 8;
	assert_int_equal(engine_trap.sse_complete(&vcpu, &st), PC + 8);
	assert_int_equal(varch.trap.vpriv, VPRIV_S);
	assert_int_equal(c->sstatus & SPP_SPIE_SIE, SSTATUS_SPIE | SSTATUS_SPP);
	assert_int_equal(c->sepc, OLD_SEPC);
}

/* hw engine, vCPU live on this hart: vsepc/vsstatus are the CSRs. */
static void test_engine_sse_hw_live(void **state)
{
	struct hw_vcpu *g = &varch.hw;
	struct engine_sse_state st;

	(void)state;
	vcpu.engine = &engine_hw;
	g->loaded = true;
	g->loaded_hart = this_hart()->index;
	g->guest_s = false;             /* interrupted in VU */
	fake_csr_set(VSEPC, OLD_SEPC);
	fake_csr_set(VSSTATUS, SSTATUS_SIE | SSTATUS_SPIE | SSTATUS_FS_DIRTY);
	engine_hw.sse_enter(&vcpu, ENTRY, &st);
	assert_int_equal(st.sepc, OLD_SEPC);
	assert_false(st.spp);
	assert_true(st.spie);
	assert_int_equal(varch.regs.pc, ENTRY);
	assert_true(g->guest_s);        /* hw_enter returns to VS */
	assert_int_equal(fake_csr_get(VSEPC), PC);
	assert_int_equal(fake_csr_get(VSSTATUS), SSTATUS_SPIE | SSTATUS_FS_DIRTY);

	assert_int_equal(engine_hw.sse_complete(&vcpu, &st), PC);
	assert_false(g->guest_s);
	assert_int_equal(fake_csr_get(VSEPC), OLD_SEPC);
	assert_int_equal(fake_csr_get(VSSTATUS), SSTATUS_SIE | SSTATUS_SPIE | SSTATUS_FS_DIRTY);
}

/* hw engine, vCPU saved (off every hart, as between leave and enter): the
 * saved copies change, which hw_enter loads; no CSR is touched. */
static void test_engine_sse_hw_saved(void **state)
{
	struct hw_vcpu *g = &varch.hw;
	struct engine_sse_state st;

	(void)state;
	vcpu.engine = &engine_hw;
	g->loaded = false;
	g->guest_s = true;
	g->vsepc = OLD_SEPC;
	g->vsstatus = SSTATUS_SPP;      /* SIE off, SPIE off, in its trap handler */
	fake_csr_set(VSEPC, 0x5a);
	fake_csr_set(VSSTATUS, 0x5a);
	engine_hw.sse_enter(&vcpu, ENTRY, &st);
	assert_int_equal(st.sepc, OLD_SEPC);
	assert_true(st.spp);
	assert_false(st.spie);
	assert_int_equal(g->vsepc, PC);
	assert_int_equal(g->vsstatus & SPP_SPIE_SIE, SSTATUS_SPP);
	assert_true(g->guest_s);
	assert_int_equal(varch.regs.pc, ENTRY);
	g->vsstatus |= SSTATUS_SIE;     /* the handler turned interrupts on */
	assert_int_equal(engine_hw.sse_complete(&vcpu, &st), PC);
	assert_true(g->guest_s);
	assert_int_equal(g->vsstatus & SPP_SPIE_SIE, SSTATUS_SPP);
	assert_int_equal(g->vsepc, OLD_SEPC);
	assert_int_equal(fake_csr_get(VSEPC), 0x5a);
	assert_int_equal(fake_csr_get(VSSTATUS), 0x5a);
	assert_int_equal(fake_csr_write_count(VSEPC) + fake_csr_write_count(VSSTATUS), 0);
}

/* Both engines agree: the same interrupted state gives the same saved
 * state and the same result (the trap engine as the reference). */
static void test_engine_sse_engines_agree(void **state)
{
	(void)state;
	for (unsigned s = 0; s < 16; s++) {
		uint64_t sstatus = (s & 1 ? SSTATUS_SIE : 0) | (s & 2 ? SSTATUS_SPIE : 0) |
				   (s & 4 ? SSTATUS_SPP : 0);
		bool priv_s = s & 8;
		struct engine_sse_state a, b;

		setup(NULL);
		vcpu.engine = &engine_trap;
		varch.trap.vpriv = priv_s ? VPRIV_S : VPRIV_U;
		varch.trap.csr.sstatus = sstatus;
		varch.trap.csr.sepc = OLD_SEPC;
		engine_trap.sse_enter(&vcpu, ENTRY, &a);
		uint64_t trap_in = varch.trap.csr.sstatus;
		engine_trap.sse_complete(&vcpu, &a);

		setup(NULL);
		vcpu.engine = &engine_hw;
		varch.hw.guest_s = priv_s;
		varch.hw.vsstatus = sstatus;
		varch.hw.vsepc = OLD_SEPC;
		engine_hw.sse_enter(&vcpu, ENTRY, &b);
		assert_int_equal(varch.hw.vsstatus, trap_in);
		/* Field by field: the struct's padding is never written. */
		assert_int_equal(a.sepc, b.sepc);
		assert_int_equal(a.spp, b.spp);
		assert_int_equal(a.spie, b.spie);
		engine_hw.sse_complete(&vcpu, &b);
		assert_int_equal(varch.hw.vsstatus, sstatus);
		assert_int_equal(varch.hw.guest_s, priv_s);
		assert_int_equal(varch.hw.vsepc, OLD_SEPC);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_engine_sse_ops_present),
		cmocka_unit_test_setup(test_engine_sse_trap_from_user, setup),
		cmocka_unit_test_setup(test_engine_sse_trap_from_supervisor, setup),
		cmocka_unit_test_setup(test_engine_sse_hw_live, setup),
		cmocka_unit_test_setup(test_engine_sse_hw_saved, setup),
		cmocka_unit_test_setup(test_engine_sse_engines_agree, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
