/* The RISC-V half of struct vcpu (core/vcpu.h): registers and entry. */
#include "core/vcpu.h"

#include <stddef.h>
#include "arch/riscv/asm_offsets.h"
#include "arch/riscv/csr.h"
#include "arch/riscv/hart.h"
#include "arch/riscv/sbi_host.h"
#include "arch/riscv/vcpu_arch.h"
#include "core/arch.h"
#include "core/engine.h"
#include "core/lib/string.h"
#include "core/platform.h"
#include "core/sched.h"
#include "core/vm.h"

_Static_assert(offsetof(struct vcpu_arch, regs) == 0, "entry.S saves registers at the start");
_Static_assert(offsetof(struct vcpu_arch, regs.pc) == VCPU_PC, "asm_offsets.h is stale");
_Static_assert(offsetof(struct vcpu_arch, host_sp) == VCPU_HOST_SP, "asm_offsets.h is stale");
_Static_assert(offsetof(struct vcpu_arch, host_tp) == VCPU_HOST_TP, "asm_offsets.h is stale");
_Static_assert(offsetof(struct vcpu_arch, vcpu) == VCPU_VCPU, "asm_offsets.h is stale");

static struct vcpu_arch vcpu_arch_pool[BOOTINFO_MAX_VMS * VM_MAX_VCPUS];
static unsigned vcpu_arch_used;

struct vcpu_arch *arch_vcpu_alloc(struct vcpu *v)
{
	unsigned i = __atomic_fetch_add(&vcpu_arch_used, 1, __ATOMIC_RELAXED);

	if (i >= sizeof(vcpu_arch_pool) / sizeof(vcpu_arch_pool[0]))
		return NULL;
	vcpu_arch_pool[i].vcpu = v;
	return &vcpu_arch_pool[i];
}

_Noreturn void trap_return(struct vcpu_arch *a);

_Noreturn void arch_vcpu_run(struct vcpu *v)
{
	trap_return(v->arch);
}

uint64_t vcpu_get_gpr(const struct vcpu *v, unsigned reg)
{
	return reg == 0 || reg >= 32 ? 0 : v->arch->regs.x[reg];
}

void vcpu_set_gpr(struct vcpu *v, unsigned reg, uint64_t val)
{
	if (reg != 0 && reg < 32)
		v->arch->regs.x[reg] = val;
}

uint64_t vcpu_get_pc(const struct vcpu *v)
{
	return v->arch->regs.pc;
}

/* The state OpenSBI gives an S-mode payload, with the engine's own part
 * (virtual CSRs as OpenSBI left them, MMU off, virtual S-mode). */
void vcpu_reset(struct vcpu *v, uint64_t entry, uint64_t arg1)
{
	memset(&v->arch->regs, 0, sizeof(v->arch->regs));
	memset(&v->arch->fp, 0, sizeof(v->arch->fp));
	v->virq = 0;
	v->timer_deadline = UINT64_MAX;
	v->timer_programmed = false;
	v->arch->regs.pc = entry;
	v->arch->regs.x[10] = v->id;
	v->arch->regs.x[11] = arg1;
	v->engine->vcpu_reset(v);
}

void vcpu_resume_regs(struct vcpu *v, uint64_t a1)
{
	v->arch->regs.x[10] = v->id;
	v->arch->regs.x[11] = a1;
	v->engine->vcpu_resume(v);
}

/* FENCE.I for a vCPU: on this hart, and on every other one (SBI v2.0
 * RFENCE remote_fence_i through the host firmware), since the vCPU may run
 * on any of them, now or next. */
void vcpu_flush_icache(struct vcpu *v)
{
	(void)v;
	fence_i();
	if (platform.nharts > 1)
		sbi_host_call(SBI_HOST_EXT_RFENCE, 0, 0, (uint64_t)-1, 0);
}

/*
 * SBI RFENCE remote_fence_i for one target (SBI v3.0, chapter 8): only the
 * hart running it needs the fence now. Before, every remote FENCE.I went
 * to every hart through the host firmware (an M-mode trip and a wait for
 * the other harts), even for a VM whose one vCPU is the caller: Linux
 * asks for one in flush_icache_all whenever it maps executable pages. The
 * flag is set before looking where v runs, and sched_resume publishes
 * where v runs before reading it (both with full fences): either this
 * side sees v on its hart, or that hart sees the flag.
 */
void vcpu_fence_i(struct vcpu *v)
{
	unsigned here = this_hart()->index;

	/* Running on this hart (the caller itself): only this hart moves it
	 * off, so a fence now is all it needs. */
	if (v->state == VCPU_RUNNING && v->on_hart == here) {
		fence_i();
		return;
	}
	__atomic_store_n(&v->fence_i_due, 1u, __ATOMIC_SEQ_CST);
	if (v->state == VCPU_RUNNING && v->on_hart != here)
		sbi_host_call(SBI_HOST_EXT_RFENCE, 0, 1, harts[v->on_hart].hartid, 0);
}

void vcpu_fence_i_on_entry(struct vcpu *v, bool migrated)
{
	if (__atomic_load_n(&v->fence_i_due, __ATOMIC_RELAXED))
		__atomic_store_n(&v->fence_i_due, 0u, __ATOMIC_RELAXED);
	else if (!migrated)
		return;
	fence_i();
}

void vcpu_kick(struct vcpu *v)
{
	/* After what the caller made pending (vcpu_raise_irq): pairs with
	 * sched_resume's fence after it sets on_hart. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (v->state == VCPU_BLOCKED) {
		if (vcpu_irq_wakeup_pending(v))
			sched_make_runnable(v);
		return;
	}
	if (v->state == VCPU_RUNNING && v->on_hart != this_hart()->index)
		sbi_host_call(SBI_HOST_EXT_IPI, 0, 1, harts[v->on_hart].hartid, 0);
}
