/*
 * SBI v3.0, chapter 5 "Legacy Extensions" (EIDs 0x00-0x08; 0x09-0x0F are
 * reserved and answered by sbi_dispatch): the v0.1 calls, deprecated but
 * still offered (Linux's SBI v0.1 fallbacks use them). One EID per function, a6
 * ignored, the result in a0 alone. Most are older forms of TIME, IPI,
 * RFENCE, SRST and DBCN calls and share their code.
 */
#include "core/sbi/sbi.h"

#include "core/vcpu.h"
#include "core/vm.h"

_Static_assert(VM_MAX_VCPUS <= 64, "a legacy hart mask is one unsigned long");

/*
 * Legacy hart_mask is a pointer to a bit vector of harts, one unsigned long
 * for up to XLEN harts, at a virtual address (SBI v3.0, chapter 5:
 * "hart_mask is a virtual address that points to a bit-vector of harts").
 * It is read as OpenSBI 1.1 reads it (sbi_load_hart_mask_unpriv): through
 * the caller's translation, and a load that faults is redirected to the
 * caller with sepc at the ECALL (1 returned, with the fault in ret: the
 * handler returns SBI_RESUME_INJECT). A NULL pointer means every hart, as
 * OpenSBI and KVM treat it.
 */
static int legacy_hart_mask(struct vcpu *v, unsigned long ptr,
			    unsigned long *mask, unsigned long *base, struct sbi_ret *ret)
{
	uint64_t word;

	if (ptr == 0) {
		*mask = 0;
		*base = -1UL;
		return 0;
	}
	ret->fault_cause = vcpu_firmware_load(v, ptr, &word, &ret->fault_tval);
	if (ret->fault_cause)
		return 1;
	*mask = word;
	*base = 0;
	return 0;
}

static int legacy_set_timer(struct vcpu *v, const unsigned long args[6], struct sbi_ret *ret)
{
	(void)ret;
	sbi_pmu_fw_count(v, SBI_PMU_FW_SET_TIMER);
	vcpu_timer_set(v, args[0]);
	return SBI_RESUME_NEXT;
}

/* No console flow control to wait for: the byte is queued at once. The
 * int ch is written as a byte: the rest of a0 is ignored (sbi.h). */
static int legacy_console_putchar(struct vcpu *v, const unsigned long args[6], struct sbi_ret *ret)
{
	char c = (char)(uint8_t)args[0];

	(void)ret;
	vm_console_write(v->vm, &c, 1);
	return SBI_RESUME_NEXT;
}

/* "Returns the byte on success, or -1 for failure" (none queued). */
static int legacy_console_getchar(struct vcpu *v, const unsigned long args[6], struct sbi_ret *ret)
{
	(void)args;
	ret->value = vm_console_getc(v->vm);
	return SBI_RESUME_NEXT;
}

/* The spec's positive "an IPI had been pending" needs a pending-irq query
 * the core does not offer; 0 is returned either way. */
static int legacy_clear_ipi(struct vcpu *v, const unsigned long args[6], struct sbi_ret *ret)
{
	(void)args, (void)ret;
	vcpu_lower_irq(v, VIRQ_SOFT);
	return SBI_RESUME_NEXT;
}

static int legacy_send_ipi(struct vcpu *v, const unsigned long args[6], struct sbi_ret *ret)
{
	unsigned long mask, base;

	if (legacy_hart_mask(v, args[0], &mask, &base, ret))
		return SBI_RESUME_INJECT;
	ret->error = sbi_ipi_send(v, mask, base);
	return SBI_RESUME_NEXT;
}

static int legacy_remote_fence_i(struct vcpu *v, const unsigned long args[6], struct sbi_ret *ret)
{
	unsigned long mask, base;

	if (legacy_hart_mask(v, args[0], &mask, &base, ret))
		return SBI_RESUME_INJECT;
	ret->error = sbi_rfence_fence_i(v, mask, base);
	return SBI_RESUME_NEXT;
}

static int legacy_remote_sfence_vma(struct vcpu *v, const unsigned long args[6], struct sbi_ret *ret)
{
	unsigned long mask, base;

	if (legacy_hart_mask(v, args[0], &mask, &base, ret))
		return SBI_RESUME_INJECT;
	ret->error = sbi_rfence_sfence_vma(v, mask, base, args[1], args[2], UINT64_MAX);
	return SBI_RESUME_NEXT;
}

static int legacy_remote_sfence_vma_asid(struct vcpu *v, const unsigned long args[6], struct sbi_ret *ret)
{
	unsigned long mask, base;

	if (legacy_hart_mask(v, args[0], &mask, &base, ret))
		return SBI_RESUME_INJECT;
	ret->error = sbi_rfence_sfence_vma(v, mask, base, args[1], args[2], args[3]);
	return SBI_RESUME_NEXT;
}

/* "Doesn't return irrespective whether it succeeds or fails." */
static int legacy_shutdown(struct vcpu *v, const unsigned long args[6], struct sbi_ret *ret)
{
	(void)args, (void)ret;
	vm_power_off(v->vm, VM_EXIT_CLEAN);
	return SBI_RESUME_NONE;
}

/* Indexed by EID, not FID. */
static const sbi_fn_t legacy_fns[] = {
	[SBI_LEGACY_SET_TIMER]              = legacy_set_timer,
	[SBI_LEGACY_CONSOLE_PUTCHAR]        = legacy_console_putchar,
	[SBI_LEGACY_CONSOLE_GETCHAR]        = legacy_console_getchar,
	[SBI_LEGACY_CLEAR_IPI]              = legacy_clear_ipi,
	[SBI_LEGACY_SEND_IPI]               = legacy_send_ipi,
	[SBI_LEGACY_REMOTE_FENCE_I]         = legacy_remote_fence_i,
	[SBI_LEGACY_REMOTE_SFENCE_VMA]      = legacy_remote_sfence_vma,
	[SBI_LEGACY_REMOTE_SFENCE_VMA_ASID] = legacy_remote_sfence_vma_asid,
	[SBI_LEGACY_SHUTDOWN]               = legacy_shutdown,
};

static int legacy_handle(struct vcpu *v, unsigned long eid, unsigned long fid,
			 const unsigned long args[6], struct sbi_ret *ret)
{
	(void)fid;
	return SBI_CALL_TABLE(legacy_fns, eid, v, args, ret);
}

SBI_EXTENSION(legacy) = {
	.name = "legacy",
	.eid_min = SBI_LEGACY_SET_TIMER,
	.eid_max = SBI_LEGACY_SHUTDOWN,
	.legacy = true,
	.handle = legacy_handle,
};
