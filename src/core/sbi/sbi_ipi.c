/*
 * SBI v2.0, IPI Extension (EID 0x735049 "sPI"): an IPI shows up at each
 * target as a supervisor software interrupt.
 */
#include "core/sbi/sbi.h"

#include "core/vcpu.h"

/* The calling vCPU sees its own SSIP when it resumes; every other target may
 * sit in WFI or run on another hart, so it is kicked. */
static void ipi_deliver(struct vcpu *target, void *caller)
{
	vcpu_raise_irq(target, VIRQ_SOFT);
	if (target != (struct vcpu *)caller)
		vcpu_kick(target);
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
