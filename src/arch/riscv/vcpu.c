/* The arch side of struct vcpu (core/vcpu.h). */
#include "core/vcpu.h"

#include <stddef.h>
#include "arch/riscv/asm_offsets.h"
#include "arch/riscv/csr.h"
#include "arch/riscv/dispatch.h"
#include "arch/riscv/hart.h"
#include "arch/riscv/probe.h"
#include "arch/riscv/sbi_host.h"
#include "arch/riscv/vcsr.h"
#include "core/lib/string.h"
#include "core/platform.h"
#include "core/sched.h"
#include "core/vm.h"

_Static_assert(offsetof(struct vcpu, arch) == 0, "entry.S indexes struct vcpu from arch");
_Static_assert(offsetof(struct vcpu_arch, regs.pc) == VCPU_PC, "asm_offsets.h is stale");
_Static_assert(offsetof(struct vcpu_arch, host_sp) == VCPU_HOST_SP, "asm_offsets.h is stale");
_Static_assert(offsetof(struct vcpu_arch, host_tp) == VCPU_HOST_TP, "asm_offsets.h is stale");

uint64_t vcpu_get_gpr(const struct vcpu *v, unsigned reg)
{
	return reg == 0 || reg >= 32 ? 0 : v->arch.regs.x[reg];
}

void vcpu_set_gpr(struct vcpu *v, unsigned reg, uint64_t val)
{
	if (reg != 0 && reg < 32)
		v->arch.regs.x[reg] = val;
}

uint64_t vcpu_get_pc(const struct vcpu *v)
{
	return v->arch.regs.pc;
}

/* The state OpenSBI gives an S-mode payload (captured from the boot hart
 * at Trapeze's own entry), MMU off, virtual S-mode. */
void vcpu_reset(struct vcpu *v, uint64_t entry, uint64_t arg1)
{
	memset(&v->arch.regs, 0, sizeof(v->arch.regs));
	memset(&v->arch.fp, 0, sizeof(v->arch.fp));
	v->arch.csr = host_csr.reset;
	v->arch.timer_deadline = UINT64_MAX;
	v->arch.vpriv = VPRIV_S;
	v->arch.root_valid = false;     /* its VM's tables may have been rebuilt */
	v->arch.fetch.valid = false;
	v->arch.regs.pc = entry;
	v->arch.regs.x[10] = v->id;
	v->arch.regs.x[11] = arg1;
	v->arch.engine = &engine_trap;
}

void vcpu_resume_at(struct vcpu *v, uint64_t pc, uint64_t a1)
{
	v->arch.regs.pc = pc;
	v->arch.regs.x[10] = v->id;
	v->arch.regs.x[11] = a1;
	v->arch.csr.satp = 0;
	v->arch.csr.sstatus &= ~SSTATUS_SIE;
	v->arch.vpriv = VPRIV_S;
}

void vcpu_raise_irq(struct vcpu *v, unsigned irq)
{
	__atomic_fetch_or(&v->arch.csr.sip, 1ULL << irq, __ATOMIC_SEQ_CST);
}

void vcpu_lower_irq(struct vcpu *v, unsigned irq)
{
	__atomic_fetch_and(&v->arch.csr.sip, ~(1ULL << irq), __ATOMIC_SEQ_CST);
}

bool vcpu_irq_wakeup_pending(const struct vcpu *v)
{
	return (vcsr_sip_read((struct vcpu *)v) & v->arch.csr.sie) != 0;
}

void vcpu_timer_set(struct vcpu *v, uint64_t deadline)
{
	v->arch.csr.stimecmp = deadline;
	v->arch.timer_deadline = deadline;
}

uint64_t vcpu_timer_deadline(const struct vcpu *v)
{
	/* Only a timer the guest enabled can wake it. */
	return (v->arch.csr.sie & MIP_STIP) ? v->arch.timer_deadline : UINT64_MAX;
}

/* Ranges longer than this are flushed whole: cheaper than page by page. */
#define FLUSH_RANGE_MAX_PAGES 64

void vcpu_flush_guest_tlb(struct vcpu *v, uint64_t start, uint64_t size, uint64_t asid)
{
	struct shadow_vm *s = &v->vm->arch.shadow;
	bool all_asid = asid == UINT64_MAX;

	if (size == UINT64_MAX || size / PAGE_SIZE > FLUSH_RANGE_MAX_PAGES) {
		shadow_flush(s, 0, true, asid, all_asid);
		return;
	}
	/* Every page the range touches (SBI RFENCE ranges need not be aligned). */
	uint64_t first = start & ~(PAGE_SIZE - 1);
	uint64_t last = (start + (size ? size - 1 : 0)) & ~(PAGE_SIZE - 1);
	for (uint64_t va = first; ; va += PAGE_SIZE) {
		shadow_flush(s, va, false, asid, all_asid);
		if (va == last)
			break;
	}
}

void vcpu_flush_icache(struct vcpu *v)
{
	(void)v;
	__asm__ volatile("fence.i" ::: "memory");
}

void vcpu_kick(struct vcpu *v)
{
	if (v->state == VCPU_BLOCKED) {
		if (vcpu_irq_wakeup_pending(v))
			sched_make_runnable(v);
		return;
	}
	if (v->state == VCPU_RUNNING && v->on_hart != this_hart()->index)
		sbi_host_call(SBI_HOST_EXT_IPI, 0, 1, harts[v->on_hart].hartid, 0);
}
