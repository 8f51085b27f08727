/*
 * The goldfish RTC of QEMU's virt board (rtc@101000, PLIC source 11; QEMU
 * 7.2 hw/rtc/goldfish_rtc.c, Android's GOLDFISH-VIRTUAL-HARDWARE.TXT): its
 * device-tree node, the wall clock it counts (printed as a year, which bare
 * QEMU and Trapeze share: both count from the host's clock), that it
 * advances with the time CSR, TIME_LOW latching TIME_HIGH, setting the
 * time, the registers and their access widths, and the alarm: ALARM_STATUS,
 * IRQ_ENABLED gating the line (PLIC pending bit), CLEAR_INTERRUPT,
 * CLEAR_ALARM, an alarm already due, and an alarm taken as a supervisor
 * external interrupt (claimed from the PLIC) while the hart waits in WFI,
 * no earlier than its time. Compared line by line with bare QEMU; no line
 * prints a time.
 */
#include "guest.h"

#define RTC             0x101000UL
#define TIME_LOW        0x00
#define TIME_HIGH       0x04
#define ALARM_LOW       0x08
#define ALARM_HIGH      0x0c
#define IRQ_ENABLED     0x10
#define CLEAR_ALARM     0x14
#define ALARM_STATUS    0x18
#define CLEAR_INTERRUPT 0x1c
#define RTC_IRQ         11

#define PLIC            0x0c000000UL
#define PLIC_PENDING    (PLIC + 0x1000)
#define PLIC_ENABLE_S0  (PLIC + 0x2000 + 0x80)         /* context 1: hart 0, S */
#define PLIC_THRESH_S0  (PLIC + 0x200000 + 0x1000)
#define PLIC_CLAIM_S0   (PLIC + 0x200004 + 0x1000)

#define NS_PER_TICK     100UL                           /* virt's 10 MHz timebase */
#define MS              10000UL                         /* ticks */
#define GIVE_UP         (2000 * MS)

static volatile uint32_t *reg(unsigned long off)
{
	return (volatile uint32_t *)(RTC + off);
}

static uint32_t rd(unsigned long off)
{
	return *reg(off);
}

static void wr(unsigned long off, uint32_t v)
{
	*reg(off) = v;
}

static uint64_t now_ns(void)
{
	uint64_t lo = rd(TIME_LOW);
	return (uint64_t)rd(TIME_HIGH) << 32 | lo;
}

static void set_alarm(uint64_t ns)
{
	wr(ALARM_HIGH, (uint32_t)(ns >> 32));
	wr(ALARM_LOW, (uint32_t)ns);
}

static int plic_pending(void)
{
	return (*(volatile uint32_t *)PLIC_PENDING >> RTC_IRQ) & 1;
}

/* The civil year of a count of seconds since 1970 (days to y/m/d as in
 * Howard Hinnant's days_from_civil inverse, March-based years). */
static long year_of(uint64_t secs)
{
	long z = (long)(secs / 86400) + 719468;
	long era = z / 146097;
	long doe = z - era * 146097;
	long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	long mp = (5 * doy + 2) / 153;
	long m = mp < 10 ? mp + 3 : mp - 9;

	return yoe + era * 400 + (m <= 2);
}

/* ---- the clock ------------------------------------------------------------ */

static void test_clock(void)
{
	uint64_t t0 = now_ns(), c0 = time_now();
	long year = year_of(t0 / 1000000000UL);

	/* The host's year (both sides read the host's clock). */
	printf("clock: year %ld, plausible=%d\n", year, year >= 2024 && year < 2100);
	delay_ticks(20 * MS);
	uint64_t t1 = now_ns(), c1 = time_now();
	uint64_t rtc_ns = t1 - t0, csr_ns = (c1 - c0) * NS_PER_TICK;
	/* Both count the host's time: within a wide margin of each other
	 * (reads a loaded host may delay). */
	printf("clock: advances=%d, with the time CSR=%d\n", t1 > t0,
	       rtc_ns + 5000000 > csr_ns && rtc_ns < csr_ns + 500000000);

	/* TIME_HIGH is what the last TIME_LOW read latched. */
	(void)rd(TIME_LOW);
	uint32_t h1 = rd(TIME_HIGH);
	delay_ticks(MS);
	printf("clock: time_high repeats=%d\n", rd(TIME_HIGH) == h1);
}

/* Write the time: this VM's clock moves (to 1971 and on from there). */
static void test_set_time(void)
{
	uint64_t want = 365UL * 86400 * 1000000000UL + 12345;   /* 1971-01-01 */

	wr(TIME_HIGH, (uint32_t)(want >> 32));
	wr(TIME_LOW, (uint32_t)want);
	uint64_t got = now_ns();
	printf("set: year %ld, from the value=%d\n", year_of(got / 1000000000UL),
	       got >= want && got - want < 1000000000UL);
	/* Back to the host's year, by the high half alone. */
	uint64_t host = want + (uint64_t)55 * 365 * 86400 * 1000000000UL;
	wr(TIME_HIGH, (uint32_t)(host >> 32));
	printf("set: year after TIME_HIGH %ld\n", year_of(now_ns() / 1000000000UL));
}

/* ---- registers and widths ------------------------------------------------- */

PROBE(p_lw, "lw a0, 0(a0)");
PROBE(p_lwu, "lwu a0, 0(a0)");
PROBE(p_ld, "ld a0, 0(a0)");
PROBE(p_lhu, "lhu a0, 0(a0)");
PROBE(p_lbu, "lbu a0, 0(a0)");
PROBE(p_sb, "li t0, 1\n sb t0, 0(a0)\n li a0, 0");
PROBE(p_sd, "li t0, 1\n sd t0, 0(a0)\n li a0, 0");

static void probe(const char *what, probe_fn fn, unsigned long addr, int show_value)
{
	struct trap_record r;

	trap_expect(&r, fn, addr);
	if (r.taken)
		printf("%s +0x%03lx: trap scause=0x%lx stval=rtc+0x%lx\n", what, addr - RTC,
		       r.cause, r.tval - RTC);
	else if (show_value)
		printf("%s +0x%03lx: 0x%lx\n", what, addr - RTC, r.ret);
	else
		printf("%s +0x%03lx: ok\n", what, addr - RTC);
}

static void test_registers(void)
{
	/* At reset: no alarm, no interrupt enabled. */
	for (unsigned long off = ALARM_LOW; off < 0x24; off += 4)
		probe("lw", p_lw, RTC + off, 1);
	wr(IRQ_ENABLED, 3);
	printf("irq_enabled after 3: %u\n", rd(IRQ_ENABLED));
	wr(IRQ_ENABLED, 0);
	wr(ALARM_HIGH, 0x12345678);
	printf("alarm_high stored: 0x%x status=%u\n", rd(ALARM_HIGH), rd(ALARM_STATUS));
	wr(0x20, 0xffffffff);
	probe("lw", p_lw, RTC + 0x20, 1);
	/* Time read whole and by halves at other widths; past the registers. */
	probe("lwu", p_lwu, RTC + TIME_HIGH, 0);
	probe("ld", p_ld, RTC + TIME_LOW, 0);
	probe("ld", p_ld, RTC + ALARM_LOW, 0);
	probe("lhu", p_lhu, RTC + IRQ_ENABLED, 0);
	probe("lbu", p_lbu, RTC + IRQ_ENABLED, 0);
	probe("lbu", p_lbu, RTC + ALARM_STATUS + 3, 0);
	probe("lw", p_lw, RTC + 0x24, 0);
	probe("lw", p_lw, RTC + 0x800, 0);
	probe("lw", p_lw, RTC + 0xffc, 0);
	probe("sb", p_sb, RTC + IRQ_ENABLED, 0);
	probe("sd", p_sd, RTC + IRQ_ENABLED, 0);
	printf("irq_enabled after sb, sd: %u\n", rd(IRQ_ENABLED));
	wr(IRQ_ENABLED, 0);

	/* Doublewords are two words, the low one first: the alarm pair
	 * reads whole; a store to ALARM_LOW arms the alarm with the high
	 * word it finds, then stores the new high word. */
	wr(ALARM_HIGH, 0x7fffffff);
	wr(ALARM_LOW, 0x89abcdef);
	wr(CLEAR_ALARM, 1);
	printf("ld alarm: 0x%lx\n", *(volatile uint64_t *)(RTC + ALARM_LOW));
	printf("ld irq_enabled+clear_alarm: 0x%lx\n", *(volatile uint64_t *)(RTC + IRQ_ENABLED));
	uint64_t t = *(volatile uint64_t *)(RTC + TIME_LOW);
	printf("ld time: high half latched=%d\n", (uint32_t)(t >> 32) == rd(TIME_HIGH));
	wr(ALARM_HIGH, 0);
	*(volatile uint64_t *)(RTC + ALARM_LOW) = 0x7fffffff00000001UL;
	printf("sd alarm: 0x%x 0x%x status=%u\n", rd(ALARM_HIGH), rd(ALARM_LOW), rd(ALARM_STATUS));
	wr(CLEAR_ALARM, 1);
	wr(CLEAR_INTERRUPT, 1);
	probe("ld", p_ld, RTC + 0x4, 0);
	probe("ld", p_ld, RTC + 0x1c, 0);
	probe("ld", p_ld, RTC + 0x20, 0);
	probe("lw", p_lw, RTC + 0x2, 0);
	probe("lw", p_lw, RTC + 0x22, 0);
	wr(ALARM_HIGH, 0);
	wr(ALARM_LOW, 0);
	wr(CLEAR_INTERRUPT, 1);
}

/* ---- the alarm ------------------------------------------------------------- */

static volatile unsigned long irqs, claimed;
static volatile uint64_t irq_ns;

static void irq_hook(struct trap_frame *f)
{
	if (f->scause != (SCAUSE_INTERRUPT | IRQ_S_EXT)) {
		printf("unexpected interrupt scause=0x%lx\n", f->scause);
		guest_fail();
	}
	uint32_t src = *(volatile uint32_t *)PLIC_CLAIM_S0;
	irq_ns = now_ns();
	claimed = src;
	irqs++;
	wr(CLEAR_INTERRUPT, 1);
	*(volatile uint32_t *)PLIC_CLAIM_S0 = src;
}

static int wait_status_clear(void)
{
	uint64_t start = time_now();

	while (time_now() - start < GIVE_UP)
		if (rd(ALARM_STATUS) == 0)
			return 1;
	return 0;
}

/* Polled: the alarm runs, fires, and its interrupt pends only while
 * IRQ_ENABLED says so. */
/* A raised line, consumed as a kernel does: claimed while high, then the
 * device quieted, then completed. (QEMU 7.2's PLIC keeps a source pending
 * when its line drops unclaimed, Trapeze's withdraws it: the guest never
 * reads pending in that state.) */
static void consume(const char *what)
{
	uint32_t src = *(volatile uint32_t *)PLIC_CLAIM_S0;

	wr(CLEAR_INTERRUPT, 1);
	*(volatile uint32_t *)PLIC_CLAIM_S0 = src;
	printf("%s: claimed %u, pending after=%d\n", what, src, plic_pending());
}

static void test_alarm_polled(void)
{
	*(volatile uint32_t *)(PLIC + 4 * RTC_IRQ) = 1;
	*(volatile uint32_t *)PLIC_ENABLE_S0 = 1u << RTC_IRQ;
	*(volatile uint32_t *)PLIC_THRESH_S0 = 0;
	set_alarm(now_ns() + 30000000UL);
	printf("alarm: status while running=%u pending=%d\n", rd(ALARM_STATUS), plic_pending());
	printf("alarm: fired=%d\n", wait_status_clear());
	printf("alarm: pending with irq disabled=%d\n", plic_pending());
	wr(IRQ_ENABLED, 1);
	printf("alarm: pending once enabled=%d\n", plic_pending());
	consume("alarm");

	/* Already due: at once, no alarm running. */
	set_alarm(now_ns() - 1);
	printf("alarm: past status=%u pending=%d\n", rd(ALARM_STATUS), plic_pending());
	consume("alarm past");

	/* CLEAR_ALARM: it never fires. */
	set_alarm(now_ns() + 20000000UL);
	wr(CLEAR_ALARM, 1);
	printf("alarm: cleared status=%u\n", rd(ALARM_STATUS));
	delay_ticks(40 * MS);
	printf("alarm: cleared pending after its time=%d\n", plic_pending());
	wr(IRQ_ENABLED, 0);
}

/* Interrupt-driven: the hart waits in WFI; the alarm raises source 11,
 * taken as a supervisor external interrupt, not before its time. */
static void test_alarm_irq(void)
{
	trap_irq_hook = irq_hook;
	csr_set(sie, SIE_SEIE);
	wr(IRQ_ENABLED, 1);

	uint64_t at = now_ns() + 50000000UL;            /* 50 ms */
	set_alarm(at);
	uint64_t start = time_now();
	csr_set(sstatus, SSTATUS_SIE);
	while (irqs == 0 && time_now() - start < GIVE_UP)
		__asm__ volatile("wfi");
	csr_clear(sstatus, SSTATUS_SIE);
	printf("alarm irq: taken=%lu source=%lu not early=%d status=%u\n", irqs, claimed,
	       irq_ns >= at, rd(ALARM_STATUS));

	/* Set in the past with interrupts on: taken at once. */
	irqs = 0;
	set_alarm(0);
	csr_set(sstatus, SSTATUS_SIE);
	__asm__ volatile("nop; nop; nop; nop");
	csr_clear(sstatus, SSTATUS_SIE);
	printf("alarm irq: past taken=%lu source=%lu\n", irqs, claimed);

	wr(IRQ_ENABLED, 0);
	csr_clear(sie, SIE_SEIE);
	trap_irq_hook = 0;
}

void guest_main(unsigned long hartid, unsigned long dtb)
{
	(void)hartid;
	fdt_print_nodes(dtb, "rtc@", "rtc", 0);
	test_clock();
	test_registers();
	test_alarm_polled();
	test_alarm_irq();
	test_set_time();
}
