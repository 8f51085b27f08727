/*
 * Timers at their extremes and interrupt storms (tests/system/
 * test_hostile.py, case 7): stimecmp (Sstc) and SBI set_timer at 0 and at
 * the maximum, then a few thousand timer interrupts back to back from
 * S-mode and from U-mode: a handler that re-arms at 0 through stimecmp,
 * one that re-arms through SBI set_timer(0), and one that does not touch
 * the timer at all (STIP stays up, so every SRET is followed by the next
 * interrupt). The neighbour VM must keep its pace meanwhile.
 *
 * RISC-V Privileged ISA v1.12, 4.1.3 (sip.STIP, sie.STIE) and 3.1.6.1
 * (interrupts in a less privileged mode are enabled whatever SIE says);
 * Sstc v1.0 (STIP is stimecmp <= time); SBI v2.0, Timer Extension.
 * Compared with bare QEMU h=false.
 *
 * bootargs timer.storm=N sets each storm's size (default 3000).
 */
#include "hostile.h"

#define IRQ_TIMER       (SCAUSE_INTERRUPT | IRQ_S_TIMER)
#define GIVE_UP         (10000 * HOSTILE_TICKS_PER_MS)

static int have_sstc;
static unsigned long storm_size;

enum rearm { REARM_STIMECMP, REARM_SBI, REARM_NONE };

static volatile unsigned long taken, wrong_cause, spp_s, spp_u;
static volatile enum rearm rearm;
static volatile int storm_over;

static void timer_off(void)
{
	if (have_sstc)
		csr_write(stimecmp, ~0UL);
	sbi_set_timer(~0ULL);
}

static void storm_irq(struct trap_frame *f)
{
	if (f->scause != IRQ_TIMER)
		wrong_cause++;
	if (f->sstatus & SSTATUS_SPP)
		spp_s++;
	else
		spp_u++;
	if (++taken >= storm_size) {
		/* Enough: quiet the source for good. */
		csr_clear(sie, SIE_STIE);
		timer_off();
		storm_over = 1;
		return;
	}
	switch (rearm) {
	case REARM_STIMECMP: csr_write(stimecmp, 0); break;
	case REARM_SBI: sbi_set_timer(0); break;
	case REARM_NONE: break;
	}
}

static unsigned long stip(void)
{
	return (csr_read(sip) & SIP_STIP) >> IRQ_S_TIMER;
}

PROBE(probe_stimecmp, "csrr a0, stimecmp");

static void extremes(void)
{
	struct trap_record r;

	have_sstc = !trap_expect(&r, probe_stimecmp, 0);
	printf("sstc: %s\n", have_sstc ? "present" : "absent");
	csr_write(sie, 0);
	if (have_sstc) {
		csr_write(stimecmp, 0);
		printf("stimecmp=0: stip=%lu stimecmp=0x%lx\n", stip(), csr_read(stimecmp));
		csr_write(stimecmp, ~0UL);
		printf("stimecmp=max: stip=%lu stimecmp=0x%lx\n", stip(), csr_read(stimecmp));
		delay_ticks(50 * HOSTILE_TICKS_PER_MS);
		printf("stimecmp=max, 50 ms later: stip=%lu\n", stip());
		csr_write(stimecmp, 1UL << 63);
		printf("stimecmp=2^63: stip=%lu\n", stip());
		csr_write(stimecmp, time_now() - 1);
		printf("stimecmp=now-1: stip=%lu\n", stip());
		csr_write(stimecmp, ~0UL);
	}
	printf("sbi set_timer(0): error=%ld", sbi_set_timer(0).error);
	printf(" stip=%lu\n", stip());
	printf("sbi set_timer(max): error=%ld", sbi_set_timer(~0ULL).error);
	printf(" stip=%lu\n", stip());
	printf("sbi set_timer(2^63): error=%ld", sbi_set_timer(1ULL << 63).error);
	printf(" stip=%lu\n", stip());
	printf("legacy set_timer(0): a0=%ld", sbi_legacy_call(SBI_EXT_LEGACY_SET_TIMER, 0));
	printf(" stip=%lu\n", stip());
	printf("legacy set_timer(max): a0=%ld", sbi_legacy_call(SBI_EXT_LEGACY_SET_TIMER, ~0UL));
	printf(" stip=%lu\n", stip());
	timer_off();

	/* Enabled, at the maximum: nothing may arrive. */
	taken = 0;
	storm_size = ~0UL;
	trap_irq_hook = storm_irq;
	csr_write(sie, SIE_STIE);
	csr_set(sstatus, SSTATUS_SIE);
	delay_ticks(100 * HOSTILE_TICKS_PER_MS);
	csr_clear(sstatus, SSTATUS_SIE);
	csr_write(sie, 0);
	printf("timer at max, STIE=1 SIE=1 for 100 ms: %lu interrupts\n", taken);
}

static void storm_reset(enum rearm how)
{
	taken = wrong_cause = spp_s = spp_u = 0;
	storm_over = 0;
	rearm = how;
}

static void storm_report(const char *what, uint64_t t0)
{
	printf("%s: %lu interrupts%s, %lu with another cause, from S %lu, from U %lu\n", what,
	       taken, storm_over ? "" : " (GAVE UP)", wrong_cause, spp_s, spp_u);
	printf("info: %s took %lu ms\n", what,
	       (unsigned long)((time_now() - t0) / HOSTILE_TICKS_PER_MS));
}

/* From S: the main line waits with SIE=1 while the storm runs. */
static void storm_s(const char *what, enum rearm how)
{
	uint64_t t0 = time_now();

	storm_reset(how);
	if (how == REARM_SBI)
		sbi_set_timer(0);
	else if (have_sstc)
		csr_write(stimecmp, 0);
	else
		sbi_set_timer(0);
	csr_write(sie, SIE_STIE);
	csr_set(sstatus, SSTATUS_SIE);
	while (!storm_over && time_now() - t0 < GIVE_UP)
		;
	csr_clear(sstatus, SSTATUS_SIE);
	csr_write(sie, 0);
	timer_off();
	storm_report(what, t0);
}

/* From U: interrupts are taken whatever sstatus.SIE says. */
static unsigned long u_wait(unsigned long t0)
{
	while (!storm_over && time_now() - t0 < GIVE_UP)
		;
	return storm_over;
}

static void storm_u(const char *what, enum rearm how)
{
	uint64_t t0 = time_now();

	storm_reset(how);
	csr_clear(sstatus, SSTATUS_SIE);
	csr_write(sie, SIE_STIE);
	if (have_sstc && how == REARM_STIMECMP)
		csr_write(stimecmp, 0);
	else
		sbi_set_timer(0);
	umode_run(u_wait, t0);
	csr_write(sie, 0);
	timer_off();
	storm_report(what, t0);
}

void guest_main(unsigned long hartid, unsigned long dtb)
{
	(void)hartid;
	(void)dtb;
	storm_size = hostile_arg_ulong("timer.storm", 3000);
	extremes();
	storm_size = hostile_arg_ulong("timer.storm", 3000);
	trap_irq_hook = storm_irq;
	if (have_sstc)
		storm_s("storm from S, re-armed by stimecmp=0", REARM_STIMECMP);
	storm_s("storm from S, re-armed by sbi set_timer(0)", REARM_SBI);
	storm_s("storm from S, never re-armed", REARM_NONE);
	if (have_sstc)
		storm_u("storm from U, re-armed by stimecmp=0", REARM_STIMECMP);
	storm_u("storm from U, never re-armed", REARM_NONE);

	/* Pending for good but masked by SIE=0 in S: nothing is taken. */
	storm_reset(REARM_NONE);
	sbi_set_timer(0);
	csr_write(sie, SIE_STIE);
	delay_ticks(200 * HOSTILE_TICKS_PER_MS);
	printf("timer at 0, STIE=1 SIE=0 for 200 ms: %lu interrupts, stip=%lu\n", taken, stip());
	csr_write(sie, 0);
	timer_off();
}
