#include "core/timer.h"

#include "arch/riscv/csr.h"
#include "arch/riscv/hart.h"
#include "arch/riscv/sbi_host.h"
#include "core/platform.h"

uint64_t platform_time(void)
{
	return rdtime();
}

uint64_t timer_us_to_ticks(uint64_t us)
{
	return us * platform.timebase_hz / 1000000;
}

void timer_arm(uint64_t deadline)
{
	struct hart *h = this_hart();

	if (h->timer_armed == deadline)
		return;
	h->timer_armed = deadline;
	if (platform.has_sstc)
		csr_write(0x14d, deadline);
	else
		sbi_host_call(SBI_HOST_EXT_TIME, 0, deadline, 0, 0);
}

void timer_handle_irq(void)
{
	/* The deadline passed: disarm until the resume path arms the next one
	 * (a level-triggered STIP would otherwise fire again at once). */
	this_hart()->timer_armed = 0;
	timer_arm(UINT64_MAX);
}
