/*
 * SBI v3.0, chapter 6 "Timer Extension" (EID 0x54494D45 "TIME"). The vCPU's
 * virtual timer belongs to the core: vcpu_timer_set also clears a pending
 * virtual timer interrupt when the deadline is in the future, as "Set
 * Timer" requires, whether or not sie.STIE masks it. v3.0: the function
 * always returns SBI_SUCCESS.
 */
#include "core/sbi/sbi.h"

#include "core/vcpu.h"

/* stime_value is absolute time; (uint64_t)-1 means "no next event". */
static int time_set_timer(struct vcpu *v, const unsigned long args[6], struct sbi_ret *ret)
{
	(void)ret;
	sbi_pmu_fw_count(v, SBI_PMU_FW_SET_TIMER);
	vcpu_timer_set(v, args[0]);
	return SBI_RESUME_NEXT;
}

static const sbi_fn_t time_fns[] = {
	[SBI_TIME_SET_TIMER] = time_set_timer,
};

static int time_handle(struct vcpu *v, unsigned long eid, unsigned long fid,
		       const unsigned long args[6], struct sbi_ret *ret)
{
	(void)eid;
	return SBI_CALL_TABLE(time_fns, fid, v, args, ret);
}

SBI_EXTENSION(time) = {
	.name = "time",
	.eid_min = SBI_EXT_TIME,
	.eid_max = SBI_EXT_TIME,
	.handle = time_handle,
};
