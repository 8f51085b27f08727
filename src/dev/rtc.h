/*
 * The goldfish RTC of QEMU virt (rtc@101000, "google,goldfish-rtc", PLIC
 * source 11), one per VM, with the register behaviour of QEMU 7.2's
 * hw/rtc/goldfish_rtc.c (Android's GOLDFISH-VIRTUAL-HARDWARE.TXT, "Goldfish
 * real-time clock"): a 64-bit count of nanoseconds since the epoch read as
 * TIME_LOW (which latches the high half) then TIME_HIGH, an alarm that
 * raises the interrupt once the count reaches it, IRQ_ENABLED gating the
 * line, CLEAR_ALARM and CLEAR_INTERRUPT.
 *
 * The wall clock comes from the host: Trapeze reads the host board's own
 * goldfish RTC once at boot (rtc_host_init) and adds the time elapsed since
 * by the time CSR, so every VM starts at the host's time; a guest's write
 * to TIME_LOW or TIME_HIGH moves only its own VM's offset. The alarm is a
 * device timer (dev/device.h): the scheduler fires it at its deadline,
 * whether the VM runs or waits in WFI.
 */
#ifndef DEV_RTC_H
#define DEV_RTC_H

#include <stdbool.h>
#include <stdint.h>
#include "core/lib/spinlock.h"
#include "dev/device.h"

#define RTC_TIME_LOW            0x00
#define RTC_TIME_HIGH           0x04
#define RTC_ALARM_LOW           0x08
#define RTC_ALARM_HIGH          0x0c
#define RTC_IRQ_ENABLED         0x10
#define RTC_CLEAR_ALARM         0x14
#define RTC_ALARM_STATUS        0x18
#define RTC_CLEAR_INTERRUPT     0x1c

struct rtc_dev {
	struct spinlock lock;           /* the timer fires without vm->dev_lock */
	struct device *dev;
	uint64_t offset_ns;             /* this VM's clock minus the host's (mod 2^64) */
	uint64_t alarm_next;            /* ns */
	uint32_t time_high;             /* latched by a TIME_LOW read */
	bool alarm_running, irq_pending, irq_enabled;
	bool level;                     /* what its line carries */
};

extern const struct device_model rtc_model;

struct dt;
/* Boot: the host's wall clock from the first "google,goldfish-rtc" of the
 * host DTB, paired with the time CSR. Without one, VMs count from 0
 * (1970), logged. */
void rtc_host_init(const struct dt *dt);
/* The host's wall clock was wall_ns at time-CSR value ticks (what
 * rtc_host_init records; host tests set it directly). */
void rtc_host_set(uint64_t wall_ns, uint64_t ticks);
/* The host's wall clock (ns since the epoch) at time-CSR value now. */
uint64_t rtc_host_ns(uint64_t now);

#endif
