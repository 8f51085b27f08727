/*
 * SBI v3.0, chapter 10 "System Reset Extension" (EID 0x53525354 "SRST").
 * The "system" is the guest's VM: shutdown powers it off, both reboots
 * reset it.
 */
#include "core/sbi/sbi.h"

#include "core/lifecycle.h"
#include "core/vcpu.h"
#include "core/vm.h"

/*
 * reset_type and reset_reason are 32 bits wide; the upper half of a0/a1 is
 * ignored (sbi_arg32, sbi.h). Types and reasons outside the defined values are reserved,
 * SBI-implementation- or platform-specific; Trapeze implements none of
 * those, and v3.0 ("System Reset Errors") answers INVALID_PARAM for a
 * reserved or unimplemented one. SBI_ERR_NOT_SUPPORTED is for a type that
 * is implemented but cannot work on the platform: none here, a VM can
 * always power off and reboot. On success the call does not return: the
 * calling vCPU no longer runs.
 */
static int srst_system_reset(struct vcpu *v, const unsigned long args[6], struct sbi_ret *ret)
{
	uint32_t type = sbi_arg32(args[0]);
	uint32_t reason = sbi_arg32(args[1]);

	if ((type != SBI_SRST_TYPE_SHUTDOWN && type != SBI_SRST_TYPE_COLD_REBOOT &&
	     type != SBI_SRST_TYPE_WARM_REBOOT) ||
	    (reason != SBI_SRST_REASON_NONE && reason != SBI_SRST_REASON_SYSFAIL)) {
		ret->error = SBI_ERR_INVALID_PARAM;
		return SBI_RESUME_NEXT;
	}
	if (type == SBI_SRST_TYPE_SHUTDOWN)
		vm_power_off(v->vm, reason == SBI_SRST_REASON_SYSFAIL ? VM_EXIT_FAILURE : VM_EXIT_CLEAN);
	else
		lifecycle_reset(v->vm);     /* a VM has no BMC: cold and warm are alike */
	return SBI_RESUME_NONE;
}

static const sbi_fn_t srst_fns[] = {
	[SBI_SRST_SYSTEM_RESET] = srst_system_reset,
};

static int srst_handle(struct vcpu *v, unsigned long eid, unsigned long fid,
		       const unsigned long args[6], struct sbi_ret *ret)
{
	(void)eid;
	return SBI_CALL_TABLE(srst_fns, fid, v, args, ret);
}

SBI_EXTENSION(srst) = {
	.name = "srst",
	.eid_min = SBI_EXT_SRST,
	.eid_max = SBI_EXT_SRST,
	.handle = srst_handle,
};
