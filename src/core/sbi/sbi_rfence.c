/*
 * SBI v3.0, chapter 8 "RFENCE Extension" (EID 0x52464E43 "RFNC"): remote
 * FENCE.I and SFENCE.VMA on a hart list. v3.0 lists SBI_ERR_INVALID_PARAM
 * for a hart id the VM lacks in every function (nothing is fenced then) and
 * SBI_ERR_INVALID_ADDRESS for a bad range. The guest's vCPUs have no H
 * extension, so the HFENCE functions are not supported.
 */
#include "core/sbi/sbi.h"

#include "core/vcpu.h"

struct rfence_range {
	uint64_t start, size, asid;
	struct vcpu *caller;    /* for the PMU's firmware events */
};

static void rfence_do_fence_i(struct vcpu *target, void *caller)
{
	sbi_pmu_fw_count(caller, SBI_PMU_FW_FENCE_I_SENT);
	sbi_pmu_fw_count(target, SBI_PMU_FW_FENCE_I_RECEIVED);
	vcpu_fence_i(target);
}

static void rfence_do_sfence_vma(struct vcpu *target, void *ctx)
{
	const struct rfence_range *r = ctx;

	sbi_pmu_fw_count(r->caller, r->asid == UINT64_MAX ? SBI_PMU_FW_SFENCE_VMA_SENT :
			 SBI_PMU_FW_SFENCE_VMA_ASID_SENT);
	sbi_pmu_fw_count(target, r->asid == UINT64_MAX ? SBI_PMU_FW_SFENCE_VMA_RECEIVED :
			 SBI_PMU_FW_SFENCE_VMA_ASID_RECEIVED);
	if (r->size != 0)
		vcpu_flush_guest_tlb(target, r->start, r->size, r->asid);
}

long sbi_rfence_fence_i(struct vcpu *v, unsigned long mask, unsigned long base)
{
	return sbi_for_each_hart(v->vm, mask, base, rfence_do_fence_i, v);
}

/*
 * "The remote fence operation applies to the entire address space if either
 * start_addr and size are both 0, or size is equal to 2^XLEN-1" (SBI v3.0,
 * chapter 8); the core spells "everything" size = UINT64_MAX. Any
 * other range must not wrap ("start_addr or size is not valid"). An empty
 * range flushes nothing, though the hart list is still checked.
 */
long sbi_rfence_sfence_vma(struct vcpu *v, unsigned long mask, unsigned long base,
			   unsigned long start, unsigned long size, uint64_t asid)
{
	struct rfence_range r = { start, size, asid, v };

	if ((start == 0 && size == 0) || size == -1UL) {
		r.start = 0;
		r.size = UINT64_MAX;
	} else if (size != 0 && start > -1UL - (size - 1)) {
		return SBI_ERR_INVALID_ADDRESS;
	}
	return sbi_for_each_hart(v->vm, mask, base, rfence_do_sfence_vma, &r);
}

static int rfence_remote_fence_i(struct vcpu *v, const unsigned long args[6], struct sbi_ret *ret)
{
	ret->error = sbi_rfence_fence_i(v, args[0], args[1]);
	return SBI_RESUME_NEXT;
}

static int rfence_remote_sfence_vma(struct vcpu *v, const unsigned long args[6], struct sbi_ret *ret)
{
	ret->error = sbi_rfence_sfence_vma(v, args[0], args[1], args[2], args[3], UINT64_MAX);
	return SBI_RESUME_NEXT;
}

static int rfence_remote_sfence_vma_asid(struct vcpu *v, const unsigned long args[6], struct sbi_ret *ret)
{
	ret->error = sbi_rfence_sfence_vma(v, args[0], args[1], args[2], args[3], args[4]);
	return SBI_RESUME_NEXT;
}

/* "SBI_ERR_NOT_SUPPORTED: ... one of the target harts doesn't support
 * hypervisor extension": no vCPU has one. */
static int rfence_remote_hfence(struct vcpu *v, const unsigned long args[6], struct sbi_ret *ret)
{
	(void)v, (void)args;
	ret->error = SBI_ERR_NOT_SUPPORTED;
	return SBI_RESUME_NEXT;
}

static const sbi_fn_t rfence_fns[] = {
	[SBI_RFENCE_REMOTE_FENCE_I]          = rfence_remote_fence_i,
	[SBI_RFENCE_REMOTE_SFENCE_VMA]       = rfence_remote_sfence_vma,
	[SBI_RFENCE_REMOTE_SFENCE_VMA_ASID]  = rfence_remote_sfence_vma_asid,
	[SBI_RFENCE_REMOTE_HFENCE_GVMA_VMID] = rfence_remote_hfence,
	[SBI_RFENCE_REMOTE_HFENCE_GVMA]      = rfence_remote_hfence,
	[SBI_RFENCE_REMOTE_HFENCE_VVMA_ASID] = rfence_remote_hfence,
	[SBI_RFENCE_REMOTE_HFENCE_VVMA]      = rfence_remote_hfence,
};

static int rfence_handle(struct vcpu *v, unsigned long eid, unsigned long fid,
			 const unsigned long args[6], struct sbi_ret *ret)
{
	(void)eid;
	return SBI_CALL_TABLE(rfence_fns, fid, v, args, ret);
}

SBI_EXTENSION(rfence) = {
	.name = "rfence",
	.eid_min = SBI_EXT_RFENCE,
	.eid_max = SBI_EXT_RFENCE,
	.handle = rfence_handle,
};
