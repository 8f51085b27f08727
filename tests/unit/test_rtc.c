/*
 * Unit tests of src/dev/rtc.c, the goldfish RTC, against QEMU 7.2's
 * hw/rtc/goldfish_rtc.c: the count (host clock + offset) and TIME_LOW's
 * latch of TIME_HIGH, time set per VM, the alarm (at once when due, else a
 * device timer at the right tick), IRQ_ENABLED gating the line,
 * CLEAR_ALARM, CLEAR_INTERRUPT, ALARM_STATUS, access widths, reset, and
 * the host clock read from a goldfish RTC named in a host DTB. A fake
 * clock drives platform_time().
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include <libfdt.h>

#include "core/fdt.h"
#include "core/platform.h"
#include "core/vm.h"
#include "dev/rtc.h"

#define HZ              10000000ULL     /* QEMU virt's timebase: 100 ns a tick */
#define BOOT_NS         1767225600000000000ULL  /* 2026-01-01T00:00:00Z */
#define BOOT_TICKS      5000ULL

struct platform platform;
const uint64_t hostmem_virt_offset = 0;
static uint64_t now;
static struct vm vm;
static struct device dev;
static struct rtc_dev rtc;
static int line;
static unsigned line_changes;

/* Fakes of what the model calls. */
uint64_t platform_time(void)
{
	return now;
}

void irq_line_set(const struct irq_line *l, bool level)
{
	assert_ptr_equal(l->vm, &vm);
	assert_int_equal(l->source, BOARD_RTC_IRQ);
	line = level;
	line_changes++;
}

void device_set_deadline(struct device *d, uint64_t deadline)
{
	d->deadline = deadline;
}

void log_info(const char *fmt, ...)
{
	(void)fmt;
}

static int access(uint64_t off, unsigned width, bool write, uint64_t *val)
{
	struct mmio_device m = { .name = rtc_model.name, .access = rtc_model.access, .priv = &rtc };
	struct mmio_access a = {
		.gpa = BOARD_RTC_GPA + off, .offset = off, .width = width, .write = write,
		.value = write ? *val : 0xdeadbeefdeadbeefULL,
	};
	int r = rtc_model.access(&m, &vm, &a);
	if (!write)
		*val = a.value;
	return r;
}

static uint32_t rd(uint64_t off)
{
	uint64_t v;
	assert_int_equal(access(off, 4, false, &v), 0);
	assert_true(v <= 0xffffffffULL);
	return (uint32_t)v;
}

static void wr(uint64_t off, uint32_t val)
{
	uint64_t v = val;
	assert_int_equal(access(off, 4, true, &v), 0);
}

static uint64_t count(void)
{
	uint64_t lo = rd(RTC_TIME_LOW);
	return (uint64_t)rd(RTC_TIME_HIGH) << 32 | lo;
}

static void set_alarm(uint64_t ns)
{
	wr(RTC_ALARM_HIGH, (uint32_t)(ns >> 32));
	wr(RTC_ALARM_LOW, (uint32_t)ns);
}

static int setup(void **state)
{
	(void)state;
	platform = (struct platform){ .timebase_hz = HZ };
	now = BOOT_TICKS;
	rtc_host_set(BOOT_NS, BOOT_TICKS);
	memset(&vm, 0, sizeof(vm));
	memset(&rtc, 0xa5, sizeof(rtc));        /* create must not rely on it */
	memset(&rtc, 0, sizeof(rtc));           /* device_create hands it zeroed */
	dev = (struct device){ .model = &rtc_model, .vm = &vm, .state = &rtc,
			       .irq = { &vm, BOARD_RTC_IRQ }, .deadline = UINT64_MAX };
	assert_true(rtc_model.create(&dev));
	line = -1;
	line_changes = 0;
	return 0;
}

/* The time CSR's elapsed ticks, in ns, on the host's wall clock. */
static void test_rtc_counts_host_time(void **state)
{
	(void)state;
	assert_int_equal(count(), BOOT_NS);
	now += 3 * HZ + 7;                      /* 3 s and 700 ns later */
	assert_int_equal(count(), BOOT_NS + 3000000700ULL);
	assert_int_equal(rtc_host_ns(now), BOOT_NS + 3000000700ULL);
	/* A time before the recorded boot pair never goes backwards. */
	assert_int_equal(rtc_host_ns(BOOT_TICKS - 1), BOOT_NS);
	assert_int_equal(line_changes, 0);
}

/* TIME_HIGH is what the last TIME_LOW read latched, not the count now. */
static void test_rtc_time_low_latches_high(void **state)
{
	(void)state;
	uint64_t lo_left = 0xffffffffULL - (BOOT_NS & 0xffffffffULL);

	rtc_host_set(BOOT_NS, BOOT_TICKS);
	(void)rd(RTC_TIME_LOW);
	uint32_t high = (uint32_t)(BOOT_NS >> 32);
	now += lo_left / 100 + 10;              /* the low word wraps meanwhile */
	assert_int_equal(rd(RTC_TIME_HIGH), high);
	(void)rd(RTC_TIME_LOW);
	assert_int_equal(rd(RTC_TIME_HIGH), high + 1);
}

/* A write replaces that half of the current count; only this RTC moves. */
static void test_rtc_set_time_is_per_vm(void **state)
{
	(void)state;
	uint64_t want = 1000000000ULL * 86400 * 365;    /* 1971 */

	wr(RTC_TIME_HIGH, (uint32_t)(want >> 32));
	wr(RTC_TIME_LOW, (uint32_t)want);
	assert_int_equal(count(), want);
	now += HZ;
	assert_int_equal(count(), want + 1000000000ULL);
	assert_int_equal(rtc_host_ns(now), BOOT_NS + 1000000000ULL);

	/* Another VM's RTC still reads the host's time. */
	struct rtc_dev other;
	struct device od = dev;
	memset(&other, 0, sizeof(other));
	od.state = &other;
	assert_true(rtc_model.create(&od));
	struct rtc_dev saved = rtc;
	rtc = other;
	assert_int_equal(count(), BOOT_NS + 1000000000ULL);
	rtc = saved;
}

/* An alarm in the future arms the device timer at the first tick at or
 * after it; its firing raises the line once IRQ_ENABLED is set. */
static void test_rtc_alarm_fires_at_its_tick(void **state)
{
	(void)state;
	wr(RTC_IRQ_ENABLED, 1);
	assert_int_equal(rd(RTC_IRQ_ENABLED), 1);
	set_alarm(BOOT_NS + 2000000050ULL);     /* 2 s + 50 ns: tick 20,000,001 */
	assert_int_equal(rd(RTC_ALARM_STATUS), 1);
	assert_int_equal(rd(RTC_ALARM_LOW), (uint32_t)(BOOT_NS + 2000000050ULL));
	assert_int_equal(rd(RTC_ALARM_HIGH), (uint32_t)((BOOT_NS + 2000000050ULL) >> 32));
	assert_int_equal(dev.deadline, BOOT_TICKS + 20000001);
	assert_int_equal(line_changes, 0);

	now = dev.deadline - 1;                 /* the scheduler is early: nothing */
	rtc_model.timer(&dev, now);
	assert_int_equal(line_changes, 0);
	now = dev.deadline;
	rtc_model.timer(&dev, now);
	assert_int_equal(line, 1);
	assert_int_equal(rd(RTC_ALARM_STATUS), 0);
	assert_int_equal(dev.deadline, UINT64_MAX);
	assert_true(count() >= BOOT_NS + 2000000050ULL);

	wr(RTC_CLEAR_INTERRUPT, 1);
	assert_int_equal(line, 0);
	assert_int_equal(line_changes, 2);
}

/* ALARM_LOW at or before the count interrupts at once (no timer);
 * ALARM_HIGH alone only stores. */
static void test_rtc_alarm_in_the_past_fires_at_once(void **state)
{
	(void)state;
	now += HZ;
	wr(RTC_ALARM_HIGH, (uint32_t)(BOOT_NS >> 32));
	assert_int_equal(rd(RTC_ALARM_STATUS), 0);
	assert_int_equal(dev.deadline, UINT64_MAX);
	wr(RTC_ALARM_LOW, (uint32_t)BOOT_NS);
	assert_int_equal(rd(RTC_ALARM_STATUS), 0);
	assert_int_equal(dev.deadline, UINT64_MAX);
	assert_int_equal(line_changes, 0);      /* pending, not enabled */
	wr(RTC_IRQ_ENABLED, 3);                 /* bit 0 only */
	assert_int_equal(rd(RTC_IRQ_ENABLED), 1);
	assert_int_equal(line, 1);
	wr(RTC_IRQ_ENABLED, 0);                 /* still pending, gated */
	assert_int_equal(line, 0);
	wr(RTC_IRQ_ENABLED, 1);
	assert_int_equal(line, 1);
	wr(RTC_CLEAR_INTERRUPT, 0);
	assert_int_equal(line, 0);
}

/* An alarm from about 2^63 ns on: QEMU 7.2's timer takes alarm minus
 * offset as a signed time, negative there, and fires at once (from its
 * main loop): running, with the device timer due now, then the
 * interrupt. Just below, an ordinary alarm centuries away. */
static void test_rtc_alarm_past_2_63_is_due_at_once(void **state)
{
	(void)state;
	wr(RTC_IRQ_ENABLED, 1);
	set_alarm(0x7ffffff000000000ULL);
	assert_int_equal(rd(RTC_ALARM_STATUS), 1);
	assert_true(dev.deadline > now + 100ULL * 365 * 86400 * HZ);
	set_alarm(0x8000000000000000ULL);
	assert_int_equal(rd(RTC_ALARM_STATUS), 1);
	assert_int_equal(dev.deadline, now);
	assert_int_equal(line_changes, 0);
	rtc_model.timer(&dev, now);
	assert_int_equal(line, 1);
	assert_int_equal(rd(RTC_ALARM_STATUS), 0);
	assert_int_equal(dev.deadline, UINT64_MAX);
	wr(RTC_CLEAR_INTERRUPT, 1);
	/* The VM's clock moved back an hour: the offset counts (QEMU's tick_offset). */
	uint64_t c = count();
	wr(RTC_TIME_HIGH, (uint32_t)((c - 3600ULL * 1000000000ULL) >> 32));
	set_alarm(0xffffffffffffffffULL);
	assert_int_equal(dev.deadline, now);
}

/* CLEAR_ALARM stops a running alarm, not a pending interrupt. */
static void test_rtc_clear_alarm(void **state)
{
	(void)state;
	wr(RTC_IRQ_ENABLED, 1);
	set_alarm(BOOT_NS + 5000000000ULL);
	assert_int_equal(rd(RTC_ALARM_STATUS), 1);
	wr(RTC_CLEAR_ALARM, 1);
	assert_int_equal(rd(RTC_ALARM_STATUS), 0);
	assert_int_equal(dev.deadline, UINT64_MAX);
	now += 10 * HZ;
	rtc_model.timer(&dev, now);
	assert_int_equal(line_changes, 0);
	/* alarm_next stays readable */
	assert_int_equal(rd(RTC_ALARM_LOW), (uint32_t)(BOOT_NS + 5000000000ULL));

	set_alarm(0);                           /* due: pending now */
	assert_int_equal(line, 1);
	wr(RTC_CLEAR_ALARM, 1);
	assert_int_equal(line, 1);
}

/* Write-only and absent registers read 0; only aligned 32-bit accesses
 * inside the 0x24 bytes exist (QEMU: .valid min = max = 4). */
static void test_rtc_access_rules(void **state)
{
	(void)state;
	uint64_t v = 0;

	assert_int_equal(rd(RTC_CLEAR_ALARM), 0);
	assert_int_equal(rd(RTC_CLEAR_INTERRUPT), 0);
	assert_int_equal(rd(0x20), 0);
	wr(0x20, 0xffffffff);
	assert_int_equal(access(0x24, 4, false, &v), -1);
	assert_int_equal(access(BOARD_RTC_SIZE - 4, 4, false, &v), -1);
	assert_int_equal(access(0x20, 8, false, &v), -1);      /* past 0x24 */
	assert_int_equal(access(0x4, 8, false, &v), -1);       /* split before it comes */
	assert_int_equal(access(0x0, 1, false, &v), -1);
	assert_int_equal(access(0x10, 2, true, &v), -1);
	assert_int_equal(access(0x2, 4, false, &v), -1);
	v = 1;
	assert_int_equal(access(0x10, 1, true, &v), -1);
	assert_int_equal(rd(RTC_IRQ_ENABLED), 0);
}

/* A doubleword is two words, the low one first (measured on bare QEMU):
 * reads give the pair, a store to ALARM_LOW arms the alarm with the old
 * high word, then stores the new one. */
static void test_rtc_doublewords(void **state)
{
	(void)state;
	uint64_t v;

	wr(RTC_ALARM_HIGH, 0x7fffffff);
	wr(RTC_ALARM_LOW, 0x89abcdef);
	assert_int_equal(access(RTC_ALARM_LOW, 8, false, &v), 0);
	assert_int_equal(v, 0x7fffffff89abcdefULL);
	assert_int_equal(access(RTC_TIME_LOW, 8, false, &v), 0);
	assert_int_equal(v, BOOT_NS);
	assert_int_equal(rd(RTC_TIME_HIGH), BOOT_NS >> 32);
	wr(RTC_CLEAR_ALARM, 1);
	wr(RTC_ALARM_HIGH, 0);
	wr(RTC_IRQ_ENABLED, 1);
	v = 0x7fffffff00000001ULL;
	assert_int_equal(access(RTC_ALARM_LOW, 8, true, &v), 0);
	assert_int_equal(rd(RTC_ALARM_HIGH), 0x7fffffff);
	assert_int_equal(rd(RTC_ALARM_LOW), 1);
	assert_int_equal(rd(RTC_ALARM_STATUS), 0);      /* fired on the old high word */
	assert_int_equal(line, 1);
	v = 0;
	assert_int_equal(access(RTC_IRQ_ENABLED, 8, true, &v), 0);      /* and CLEAR_ALARM */
	assert_int_equal(line, 0);
}

/* A VM reset: alarm, interrupt and enable go, the VM's time stays. */
static void test_rtc_reset(void **state)
{
	(void)state;
	uint64_t want = 42ULL << 32;

	wr(RTC_TIME_HIGH, 42);
	wr(RTC_TIME_LOW, 0);
	wr(RTC_IRQ_ENABLED, 1);
	set_alarm(0);
	assert_int_equal(line, 1);
	set_alarm(want + 1000000000ULL);
	assert_int_equal(rd(RTC_ALARM_STATUS), 1);
	rtc_model.reset(&dev);
	assert_int_equal(dev.deadline, UINT64_MAX);
	assert_int_equal(rd(RTC_ALARM_STATUS), 0);
	assert_int_equal(rd(RTC_IRQ_ENABLED), 0);
	assert_int_equal(rd(RTC_ALARM_LOW), 0);
	assert_int_equal(rd(RTC_ALARM_HIGH), 0);
	assert_int_equal(count(), want);
	/* The line is low again without a signal: the PLIC's reset forgot it. */
	wr(RTC_IRQ_ENABLED, 1);
	set_alarm(0);
	assert_int_equal(line, 1);
}

/* Ticks to ns and back with a timebase that does not divide 10^9. */
static void test_rtc_odd_timebase(void **state)
{
	(void)state;
	platform.timebase_hz = 3;
	rtc_host_set(0, 0);
	now = 0;
	assert_int_equal(count(), 0);
	now = 4;                                /* 1.333... s */
	assert_int_equal(count(), 1333333333ULL);
	wr(RTC_IRQ_ENABLED, 1);
	set_alarm(2000000000ULL);               /* 2 s: tick 6 exactly */
	assert_int_equal(dev.deadline, 6);
	set_alarm(2000000001ULL);               /* just after: tick 7 */
	assert_int_equal(dev.deadline, 7);
}

/* The host's clock: TIME_LOW then TIME_HIGH of the goldfish RTC the host
 * DTB names, paired with the time CSR. */
static uint32_t host_regs[0x24 / 4];

static void *host_dtb(bool with_rtc)
{
	static char buf[1024];
	uint64_t reg[2] = { cpu_to_fdt64((uintptr_t)host_regs), cpu_to_fdt64(0x1000) };

	assert_int_equal(fdt_create(buf, sizeof(buf)), 0);
	assert_int_equal(fdt_finish_reservemap(buf), 0);
	assert_int_equal(fdt_begin_node(buf, ""), 0);
	assert_int_equal(fdt_property_u32(buf, "#address-cells", 2), 0);
	assert_int_equal(fdt_property_u32(buf, "#size-cells", 2), 0);
	assert_int_equal(fdt_begin_node(buf, "soc"), 0);
	assert_int_equal(fdt_property_u32(buf, "#address-cells", 2), 0);
	assert_int_equal(fdt_property_u32(buf, "#size-cells", 2), 0);
	if (with_rtc) {
		assert_int_equal(fdt_begin_node(buf, "rtc@101000"), 0);
		assert_int_equal(fdt_property(buf, "reg", reg, sizeof(reg)), 0);
		assert_int_equal(fdt_property_string(buf, "compatible", "google,goldfish-rtc"), 0);
		assert_int_equal(fdt_end_node(buf), 0);
	}
	assert_int_equal(fdt_end_node(buf), 0);
	assert_int_equal(fdt_end_node(buf), 0);
	assert_int_equal(fdt_finish(buf), 0);
	return buf;
}

static void test_rtc_host_clock_from_dtb(void **state)
{
	(void)state;
	struct dt dt;

	host_regs[0] = 0x89abcdef;
	host_regs[1] = 0x18000000;
	now = 777;
	assert_int_equal(dt_open(&dt, host_dtb(true), 1024), 0);
	rtc_host_init(&dt);
	assert_int_equal(rtc_host_ns(777), 0x1800000089abcdefULL);
	assert_int_equal(rtc_host_ns(777 + HZ), 0x1800000089abcdefULL + 1000000000ULL);

	/* No RTC on the host: VMs count from 0 at this moment. */
	now = 1000;
	assert_int_equal(dt_open(&dt, host_dtb(false), 1024), 0);
	rtc_host_init(&dt);
	assert_int_equal(rtc_host_ns(1000 + HZ), 1000000000ULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_rtc_counts_host_time, setup),
		cmocka_unit_test_setup(test_rtc_time_low_latches_high, setup),
		cmocka_unit_test_setup(test_rtc_set_time_is_per_vm, setup),
		cmocka_unit_test_setup(test_rtc_alarm_fires_at_its_tick, setup),
		cmocka_unit_test_setup(test_rtc_alarm_in_the_past_fires_at_once, setup),
		cmocka_unit_test_setup(test_rtc_alarm_past_2_63_is_due_at_once, setup),
		cmocka_unit_test_setup(test_rtc_clear_alarm, setup),
		cmocka_unit_test_setup(test_rtc_access_rules, setup),
		cmocka_unit_test_setup(test_rtc_doublewords, setup),
		cmocka_unit_test_setup(test_rtc_reset, setup),
		cmocka_unit_test_setup(test_rtc_odd_timebase, setup),
		cmocka_unit_test_setup(test_rtc_host_clock_from_dtb, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
