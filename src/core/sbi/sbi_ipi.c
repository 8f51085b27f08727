/*
 * SBI v3.0, chapter 7 "IPI Extension" (EID 0x735049 "sPI"): an IPI shows up
 * at each target as a supervisor software interrupt. v3.0 spells out the
 * errors ("IPI Send Errors"): a hart id built from hart_mask_base and
 * hart_mask that the VM lacks is SBI_ERR_INVALID_PARAM, and then no IPI is
 * sent at all (sbi_for_each_hart checks the whole list first).
 */
#include "core/sbi/sbi.h"

#include "core/sched.h"
#include "core/vcpu.h"

/* The calling vCPU sees its own SSIP when it resumes; every other target may
 * sit in WFI or run on another hart, so it is kicked. */
static void ipi_deliver(struct vcpu *target, void *caller)
{
	sbi_pmu_fw_count(caller, SBI_PMU_FW_IPI_SENT);
	sbi_pmu_fw_count(target, SBI_PMU_FW_IPI_RECEIVED);
	vcpu_raise_irq(target, VIRQ_SOFT);
	if (target != (struct vcpu *)caller) {
		vcpu_kick(target);
		/* The sender usually waits for the target's answer. */
		sched_yield_to(caller, target);
	}
}

long sbi_ipi_send(struct vcpu *v, unsigned long mask, unsigned long base)
{
	return sbi_for_each_hart(v->vm, mask, base, ipi_deliver, v);
}

static int ipi_send_ipi(struct vcpu *v, const unsigned long args[6], struct sbi_ret *ret)
{
	ret->error = sbi_ipi_send(v, args[0], args[1]);
	return SBI_RESUME_NEXT;
}

static const sbi_fn_t ipi_fns[] = {
	[SBI_IPI_SEND_IPI] = ipi_send_ipi,
};

static int ipi_handle(struct vcpu *v, unsigned long eid, unsigned long fid,
		      const unsigned long args[6], struct sbi_ret *ret)
{
	(void)eid;
	return SBI_CALL_TABLE(ipi_fns, fid, v, args, ret);
}

SBI_EXTENSION(ipi) = {
	.name = "ipi",
	.eid_min = SBI_EXT_IPI,
	.eid_max = SBI_EXT_IPI,
	.handle = ipi_handle,
};
