/*
 * The goldfish RTC (see rtc.h). Register semantics as QEMU 7.2's
 * hw/rtc/goldfish_rtc.c: the count is the host's wall clock plus a
 * per-device offset; writing TIME_LOW or TIME_HIGH replaces that half of
 * the current count (the offset absorbs the difference); writing
 * ALARM_LOW arms the alarm at alarm_next (ALARM_HIGH only stores), firing
 * at once when the count is already there; the line is irq_pending AND
 * irq_enabled; reads of write-only or absent registers give 0.
 */
#include "dev/rtc.h"

#include "core/console.h"
#include "core/fdt.h"
#include "core/hostmem.h"
#include "core/platform.h"
#include "core/vm.h"
#include "trapeze/board.h"

#define NS_PER_S        1000000000UL

static uint64_t host_wall_ns, host_ticks;

void rtc_host_set(uint64_t wall_ns, uint64_t ticks)
{
	host_wall_ns = wall_ns;
	host_ticks = ticks;
}

/* Time-CSR ticks to ns and back, without overflow for any timebase
 * below 18 GHz (the remainder times 10^9 or the timebase fits 64 bits). */
static uint64_t rtc_ticks_to_ns(uint64_t t)
{
	uint64_t hz = platform.timebase_hz;

	return t / hz * NS_PER_S + t % hz * NS_PER_S / hz;
}

static uint64_t rtc_ns_to_ticks_ceil(uint64_t ns)
{
	uint64_t hz = platform.timebase_hz;

	return ns / NS_PER_S * hz + (ns % NS_PER_S * hz + NS_PER_S - 1) / NS_PER_S;
}

/* ns elapsed on the host's clock since rtc_host_set's pair. */
static uint64_t rtc_elapsed_ns(uint64_t now)
{
	return now > host_ticks ? rtc_ticks_to_ns(now - host_ticks) : 0;
}

uint64_t rtc_host_ns(uint64_t now)
{
	return host_wall_ns + rtc_elapsed_ns(now);
}

void rtc_host_init(const struct dt *dt)
{
	uint64_t base, size;
	int node = dt_find_compatible(dt, -1, "google,goldfish-rtc");

	if (node < 0 || !dt_reg(dt, node, 0, &base, &size) || size < 8) {
		log_info("host: no goldfish RTC: VM clocks start at 1970");
		rtc_host_set(0, platform_time());
		return;
	}
	/* TIME_LOW first: it latches the high half (goldfish_rtc_read). */
	volatile uint32_t *regs = hostmem_va(base);
	uint64_t low = regs[RTC_TIME_LOW / 4];
	uint64_t ticks = platform_time();
	uint64_t high = regs[RTC_TIME_HIGH / 4];

	rtc_host_set(high << 32 | low, ticks);
	log_info("host: wall clock from the RTC at 0x%lx: %lu s since the epoch", base,
		 (uint64_t)((high << 32 | low) / NS_PER_S));
}

static uint64_t rtc_count(const struct rtc_dev *r, uint64_t now)
{
	return rtc_host_ns(now) + r->offset_ns;
}

/* goldfish_rtc_update: the line is pending AND enabled. */
static void rtc_update(struct rtc_dev *r)
{
	bool level = r->irq_pending && r->irq_enabled;

	if (level != r->level) {
		r->level = level;
		irq_line_set(&r->dev->irq, level);
	}
}

static void rtc_clear_alarm(struct rtc_dev *r)
{
	r->alarm_running = false;
	device_set_deadline(r->dev, UINT64_MAX);
}

/* goldfish_rtc_interrupt: the alarm went off. */
static void rtc_interrupt(struct rtc_dev *r)
{
	r->alarm_running = false;
	r->irq_pending = true;
	rtc_update(r);
}

/* goldfish_rtc_set_alarm: at once when the count has reached alarm_next,
 * else a device timer when QEMU's would expire (the deadline is fixed
 * now: a later change of the VM's time does not move it, as QEMU's timer
 * does not move either). */
static void rtc_set_alarm(struct rtc_dev *r, uint64_t now)
{
	uint64_t count = rtc_count(r, now);

	if (r->alarm_next <= count) {
		rtc_clear_alarm(r);
		rtc_interrupt(r);
		return;
	}
	/* QEMU arms its timer at alarm_next minus the offset as a time on
	 * the host's clock, signed (timer_mod takes an int64_t; a negative
	 * one is 0). Past the count but due on the host's clock already (from
	 * about 2^63 ns on, or wrapped by an offset): at once, from QEMU's
	 * main loop a moment later (here, the next look-around of device
	 * timers). Else the first tick at or after it, counted from the boot
	 * pair (not from now, whose count is already rounded down). */
	uint64_t at = r->alarm_next - r->offset_ns;
	if ((int64_t)at < 0)
		at = 0;
	r->alarm_running = true;
	if (at <= rtc_host_ns(now))
		device_set_deadline(r->dev, now);
	else
		device_set_deadline(r->dev, host_ticks + rtc_ns_to_ticks_ceil(at - host_wall_ns));
}

static uint32_t rtc_read(struct rtc_dev *r, uint64_t off, uint64_t now)
{
	switch (off) {
	case RTC_TIME_LOW: {
		uint64_t count = rtc_count(r, now);
		r->time_high = (uint32_t)(count >> 32);
		return (uint32_t)count;
	}
	case RTC_TIME_HIGH:     return r->time_high;
	case RTC_ALARM_LOW:     return (uint32_t)r->alarm_next;
	case RTC_ALARM_HIGH:    return (uint32_t)(r->alarm_next >> 32);
	case RTC_IRQ_ENABLED:   return r->irq_enabled;
	case RTC_ALARM_STATUS:  return r->alarm_running;
	}
	return 0;
}

/* deposit64 of the current count's half, the offset taking the change. */
static void rtc_set_half(struct rtc_dev *r, uint64_t now, unsigned shift, uint32_t val)
{
	uint64_t cur = rtc_count(r, now);
	uint64_t next = (cur & ~(0xffffffffULL << shift)) | (uint64_t)val << shift;

	r->offset_ns += next - cur;
}

static void rtc_write(struct rtc_dev *r, uint64_t off, uint32_t val, uint64_t now)
{
	switch (off) {
	case RTC_TIME_LOW:
		rtc_set_half(r, now, 0, val);
		break;
	case RTC_TIME_HIGH:
		rtc_set_half(r, now, 32, val);
		break;
	case RTC_ALARM_LOW:
		r->alarm_next = (r->alarm_next & ~0xffffffffULL) | val;
		rtc_set_alarm(r, now);
		break;
	case RTC_ALARM_HIGH:
		r->alarm_next = (r->alarm_next & 0xffffffffULL) | (uint64_t)val << 32;
		break;
	case RTC_IRQ_ENABLED:
		r->irq_enabled = val & 1;
		rtc_update(r);
		break;
	case RTC_CLEAR_ALARM:
		rtc_clear_alarm(r);
		break;
	case RTC_CLEAR_INTERRUPT:
		r->irq_pending = false;
		rtc_update(r);
		break;
	}
}

/* QEMU 7.2 maps 0x24 bytes of 32-bit registers: bytes and halfwords, and
 * anything past them, are a decode error, which a RISC-V hart takes as an
 * access fault; an aligned doubleword inside them is two word accesses,
 * the low one first (measured on bare QEMU by the rtc guest: ld reads
 * ALARM_LOW then ALARM_HIGH whole, sd to ALARM_LOW arms the alarm with
 * the old high word before storing the new one). Misaligned accesses come
 * here already split into aligned parts, as QEMU splits them. */
static int rtc_access(struct mmio_device *mdev, struct vm *vm, struct mmio_access *a)
{
	struct rtc_dev *r = mdev->priv;
	uint64_t now = platform_time();

	(void)vm;
	if ((a->width != 4 && a->width != 8) || (a->offset & (a->width - 1)) ||
	    a->offset + a->width > BOARD_RTC_REGION)
		return -1;
	spin_lock(&r->lock);
	for (unsigned part = 0; part < a->width; part += 4) {
		unsigned shift = 8 * part;
		if (a->write)
			rtc_write(r, a->offset + part, (uint32_t)(a->value >> shift), now);
		else if (part == 0)
			a->value = rtc_read(r, a->offset, now);
		else
			a->value |= (uint64_t)rtc_read(r, a->offset + part, now) << shift;
	}
	spin_unlock(&r->lock);
	return 0;
}

static void rtc_timer(struct device *d, uint64_t now)
{
	struct rtc_dev *r = d->state;

	spin_lock(&r->lock);
	/* Re-checked under the lock: a guest write may have moved it. */
	if (r->alarm_running && __atomic_load_n(&d->deadline, __ATOMIC_RELAXED) <= now) {
		device_set_deadline(d, UINT64_MAX);
		rtc_interrupt(r);
	}
	spin_unlock(&r->lock);
}

/* goldfish_rtc_reset: the alarm and the interrupt go, the time (offset)
 * stays, as across a reset of bare QEMU. The line is low again (the
 * PLIC's reset forgets its input levels). */
static void rtc_reset(struct device *d)
{
	struct rtc_dev *r = d->state;

	spin_lock(&r->lock);
	r->alarm_next = 0;
	r->alarm_running = r->irq_pending = r->irq_enabled = false;
	r->level = false;
	device_set_deadline(d, UINT64_MAX);
	spin_unlock(&r->lock);
}

static bool rtc_create(struct device *d)
{
	struct rtc_dev *r = d->state;

	r->dev = d;
	return true;
}

const struct device_model rtc_model = {
	.name = "rtc",
	.state_size = sizeof(struct rtc_dev),
	.create = rtc_create,
	.reset = rtc_reset,
	.access = rtc_access,
	.timer = rtc_timer,
};
