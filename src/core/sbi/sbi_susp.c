/*
 * SBI v3.0, chapter 13, System Suspend Extension (EID 0x53555350 "SUSP"):
 * suspend to RAM. The "system" is the calling VM (the chapter: what the
 * invoking supervisor domain sees). Its RAM stays as it is; its one
 * running vCPU sleeps until an interrupt it enables in sie arrives (the
 * virtual timer, an IPI, the PLIC's output: what ends a WFI), then resumes
 * at resume_addr as from HSM STOPPED. While it sleeps the scheduler counts
 * the VM as asleep (sched_suspend): the hang watchdog spares it.
 */
#include "core/sbi/sbi.h"

#include "core/guestmem.h"
#include "core/sched.h"
#include "core/vcpu.h"
#include "core/vm.h"

/*
 * Table "SUSP System Sleep Types", SUSPEND_TO_RAM: "all but the calling
 * hart" must be in HSM STOPPED. A vCPU whose hart_start is under way is
 * START_PENDING, not STOPPED; HALTED vCPUs (the VM is being stopped) read
 * as STOPPED, as hart_get_status reports them. Only a running vCPU can
 * start another, and every other one is found stopped here, so none can
 * be started behind this check.
 */
static bool susp_others_stopped(struct vcpu *v)
{
	struct vm *vm = v->vm;

	for (unsigned i = 0; i < vm->nvcpus && i < VM_MAX_VCPUS; i++) {
		struct vcpu *o = vm->vcpus[i];

		if (!o || o == v)
			continue;
		if ((o->state != VCPU_STOPPED && o->state != VCPU_HALTED) ||
		    __atomic_load_n(&o->hsm.starting, __ATOMIC_RELAXED))
			return false;
	}
	return true;
}

/*
 * sbi_system_suspend(sleep_type, resume_addr, opaque), checked in the
 * order OpenSBI checks (type, entry criteria, address), with the errors of
 * Table "SUSP System Suspend Errors":
 * - sleep_type is 32 bits wide (the upper half of a0 is ignored: sbi_arg32
 *   in sbi.h, as for HSM suspend types); every type but SUSPEND_TO_RAM is reserved or
 *   platform-specific and unimplemented here: INVALID_PARAM (NOT_SUPPORTED
 *   is for an implemented type that lacks a dependency; there is none);
 * - another vCPU not STOPPED: DENIED (unsatisfied entry criteria);
 * - resume_addr not guest RAM (executable, as satp is 0 on resume):
 *   INVALID_ADDRESS, as HSM hart_start and non-retentive suspend check it.
 * A successful call does not return: the vCPU resumes at resume_addr with
 * Table "SUSP System Resume Register State" (satp 0, sstatus.SIE 0,
 * a0 = hart id, a1 = opaque), the interrupt enables that wake it kept.
 */
static int susp_system_suspend(struct vcpu *v, const unsigned long args[6], struct sbi_ret *ret)
{
	if (sbi_arg32(args[0]) != SBI_SUSP_SLEEP_TYPE_SUSPEND_TO_RAM) {
		ret->error = SBI_ERR_INVALID_PARAM;
		return SBI_RESUME_NEXT;
	}
	if (!susp_others_stopped(v)) {
		ret->error = SBI_ERR_DENIED;
		return SBI_RESUME_NEXT;
	}
	if (!guestmem_is_ram(v->vm, args[1], 2)) {
		ret->error = SBI_ERR_INVALID_ADDRESS;
		return SBI_RESUME_NEXT;
	}
	vcpu_resume_regs(v, args[2]);
	v->vm->sbi.susp.suspends++;
	sched_suspend(v);
	ret->resume_pc = args[1];
	return SBI_RESUME_JUMP;
}

static const sbi_fn_t susp_fns[] = {
	[SBI_SUSP_SYSTEM_SUSPEND] = susp_system_suspend,
};

static int susp_handle(struct vcpu *v, unsigned long eid, unsigned long fid,
		       const unsigned long args[6], struct sbi_ret *ret)
{
	(void)eid;
	return SBI_CALL_TABLE(susp_fns, fid, v, args, ret);
}

/* A VM loaded or reset is awake: only its running vCPU can reset it, so
 * it was not asleep, but a fresh count starts. */
static void susp_vcpu_reset(struct vcpu *v)
{
	v->sbi.susp = (struct sbi_susp_vcpu){ 0 };
	v->vm->sbi.susp = (struct sbi_susp_vm){ 0 };
}

SBI_EXTENSION(susp) = {
	.name = "susp",
	.eid_min = SBI_EXT_SUSP,
	.eid_max = SBI_EXT_SUSP,
	.handle = susp_handle,
	.vcpu_reset = susp_vcpu_reset,
};
