/*
 * SBI v3.0, chapter 9 "Hart State Management Extension" (EID 0x48534D
 * "HSM"); audited against v3.0 function by function, unchanged from v2.0:
 * an absent hart id is INVALID_PARAM, a started one ALREADY_AVAILABLE, a
 * start or resume address outside guest RAM INVALID_ADDRESS, a reserved or
 * unimplemented platform-specific suspend type INVALID_PARAM. The HSM
 * state of a vCPU is derived from its scheduler state (enum vcpu_state
 * mirrors Table "HSM Hart States"), plus two facts the core does not keep:
 * a hart_start in progress (START_PENDING) and "blocked because of
 * hart_suspend" (SUSPENDED) as opposed to blocked in WFI (STARTED).
 */
#include "core/sbi/sbi.h"

#include "core/sched.h"
#include "core/guestmem.h"
#include "core/sbi/sbi_fwft.h"
#include "core/vcpu.h"
#include "core/vm.h"

/* Those two facts live in struct vcpu (vcpu->hsm); the scheduler clears
 * `suspended` when it wakes the vCPU. */
static struct vcpu_hsm *hsm_of(struct vcpu *v)
{
	return &v->hsm;
}

static void hsm_set_suspended(struct vcpu *v, uint32_t on)
{
	struct vcpu_hsm *h = hsm_of(v);

	if (h)
		__atomic_store_n(&h->suspended, on, __ATOMIC_RELAXED);
}

/*
 * Two vCPUs on two harts may start the same hart at once; the one that
 * claims `starting` does the STOPPED -> runnable transition, the other sees
 * START_PENDING and gets ALREADY_AVAILABLE. Checks in the order: hart id,
 * state, address.
 */
static int hsm_hart_start(struct vcpu *v, const unsigned long args[6], struct sbi_ret *ret)
{
	struct vcpu *t = vm_vcpu(v->vm, args[0]);
	struct vcpu_hsm *h;
	uint32_t idle = 0;

	if (!t) {
		ret->error = SBI_ERR_INVALID_PARAM;
		return SBI_RESUME_NEXT;
	}
	h = hsm_of(t);
	if (!h) {
		ret->error = SBI_ERR_FAILED;
		return SBI_RESUME_NEXT;
	}
	if (!__atomic_compare_exchange_n(&h->starting, &idle, 1, false,
					 __ATOMIC_ACQUIRE, __ATOMIC_RELAXED)) {
		ret->error = SBI_ERR_ALREADY_AVAILABLE;
		return SBI_RESUME_NEXT;
	}
	if (t->state == VCPU_HALTED)
		ret->error = SBI_ERR_FAILED;     /* its VM is going away */
	else if (t == v || t->state != VCPU_STOPPED)    /* the caller runs */
		ret->error = SBI_ERR_ALREADY_AVAILABLE;
	else if (!guestmem_is_ram(v->vm, args[1], 2))
		ret->error = SBI_ERR_INVALID_ADDRESS;
	else {
		/* "HSM Hart Start Register State": satp 0, SIE 0, a0 hartid, a1 opaque. */
		__atomic_store_n(&h->suspended, 0, __ATOMIC_RELAXED);
		vcpu_reset(t, args[1], args[2]);
		/* A stopped hart that starts again was reset: its local FWFT
		 * features go back to their reset values, unlocked (v3.0,
		 * chapter 18). */
		sbi_fwft_reset_vcpu(t);
		sched_make_runnable(t);
	}
	__atomic_store_n(&h->starting, 0, __ATOMIC_RELEASE);
	return SBI_RESUME_NEXT;
}

/* The caller stops; it runs again only through hart_start, which sets its pc. */
static int hsm_hart_stop(struct vcpu *v, const unsigned long args[6], struct sbi_ret *ret)
{
	(void)args, (void)ret;
	sched_stop(v);
	return SBI_RESUME_NONE;
}

static int hsm_hart_get_status(struct vcpu *v, const unsigned long args[6], struct sbi_ret *ret)
{
	struct vcpu *t = vm_vcpu(v->vm, args[0]);
	struct vcpu_hsm *h;

	if (!t) {
		ret->error = SBI_ERR_INVALID_PARAM;
		return SBI_RESUME_NEXT;
	}
	h = hsm_of(t);
	switch (t->state) {
	case VCPU_STOPPED:
	case VCPU_HALTED:
		ret->value = h && __atomic_load_n(&h->starting, __ATOMIC_RELAXED) ?
			     SBI_HSM_STATE_START_PENDING : SBI_HSM_STATE_STOPPED;
		break;
	case VCPU_BLOCKED:
		ret->value = h && __atomic_load_n(&h->suspended, __ATOMIC_RELAXED) ?
			     SBI_HSM_STATE_SUSPENDED : SBI_HSM_STATE_STARTED;
		break;
	default:
		/* Running or runnable: started, unless it is on its way into a
		 * suspend on another hart (its hart_suspend trap not yet
		 * finished there): SUSPEND_PENDING, "Table HSM Hart States".
		 * The scheduler clears `suspended` whenever a suspend ends. */
		ret->value = h && __atomic_load_n(&h->suspended, __ATOMIC_RELAXED) && t != v ?
			     SBI_HSM_STATE_SUSPEND_PENDING : SBI_HSM_STATE_STARTED;
		break;
	}
	return SBI_RESUME_NEXT;
}

/*
 * suspend_type is 32 bits wide (Table "HSM Hart Suspend Types"): the upper
 * half of a0 is ignored (sbi_arg32, sbi.h), so a sign-extended 0x80000000
 * still means default non-retentive. Only the two defaults exist here;
 * reserved and platform-specific types are INVALID_PARAM, as the spec asks
 * for unimplemented ones.
 */
static int hsm_hart_suspend(struct vcpu *v, const unsigned long args[6], struct sbi_ret *ret)
{

	switch (sbi_arg32(args[0])) {
	case SBI_HSM_SUSPEND_RET_DEFAULT:
		/* Registers are kept: it wakes after the ECALL with a0 = SUCCESS. */
		hsm_set_suspended(v, 1);
		sched_block(v);
		return SBI_RESUME_NEXT;
	case SBI_HSM_SUSPEND_NON_RET_DEFAULT:
		if (!guestmem_is_ram(v->vm, args[1], 2)) {
			ret->error = SBI_ERR_INVALID_ADDRESS;
			return SBI_RESUME_NEXT;
		}
		/* SBI v3.0, "HSM Hart Resume Register State": pc, a0, a1,
		 * satp = 0, SIE = 0; the interrupt enables that wake it stay. */
		vcpu_resume_regs(v, args[2]);
		hsm_set_suspended(v, 1);
		sched_block(v);
		ret->resume_pc = args[1];
		return SBI_RESUME_JUMP;
	default:
		ret->error = SBI_ERR_INVALID_PARAM;
		return SBI_RESUME_NEXT;
	}
}

static const sbi_fn_t hsm_fns[] = {
	[SBI_HSM_HART_START]      = hsm_hart_start,
	[SBI_HSM_HART_STOP]       = hsm_hart_stop,
	[SBI_HSM_HART_GET_STATUS] = hsm_hart_get_status,
	[SBI_HSM_HART_SUSPEND]    = hsm_hart_suspend,
};

static int hsm_handle(struct vcpu *v, unsigned long eid, unsigned long fid,
		      const unsigned long args[6], struct sbi_ret *ret)
{
	(void)eid;
	/* The caller runs, so whatever suspend it was in is over. */
	hsm_set_suspended(v, 0);
	return SBI_CALL_TABLE(hsm_fns, fid, v, args, ret);
}

SBI_EXTENSION(hsm) = {
	.name = "hsm",
	.eid_min = SBI_EXT_HSM,
	.eid_max = SBI_EXT_HSM,
	.handle = hsm_handle,
};
