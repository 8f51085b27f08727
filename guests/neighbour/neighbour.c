/*
 * The well-behaved VM of the hostile-guest tests (tests/system/
 * test_hostile.py): it fills every free page of its RAM with a pattern
 * derived from each word's address, then keeps that memory alive while a
 * hostile VM runs beside it, checking it again and again, and ends with
 * a checksum. Any word a hostile VM (or Trapeze) changed shows up as a
 * changed checksum and a "changed" line; a neighbour that is starved of
 * CPU time shows up as a run that never finishes.
 *
 * bootargs: neighbour.rounds=N  deterministic work rounds (default 3), each
 *                               a full check and a 20 ms timer sleep;
 *           neighbour.ms=N      then stay alive until N ms after start
 *                               (default 3000), checking 1 MiB at a time,
 *                               with a heartbeat every 250 ms;
 *           neighbour.selftest=1 changes one word itself before the final
 *                               check: proof that a change is caught.
 * Everything but the "info: " lines is the same on every run.
 */
#include "hostile.h"

#define CHUNK       (1UL << 20)
#define HEARTBEAT   (250 * HOSTILE_TICKS_PER_MS)
#define SLEEP       (20 * HOSTILE_TICKS_PER_MS)
#define NAP_EVERY   (50 * HOSTILE_TICKS_PER_MS)
#define NAP         (5 * HOSTILE_TICKS_PER_MS)
#define SEED        0x6e656967686230ULL     /* "neighb0" */

static uint64_t lo, hi;                 /* the pattern's region */
static unsigned long changed;

static uint64_t pattern(uint64_t addr)
{
	return hostile_mix(addr ^ SEED);
}

static void fill(void)
{
	for (uint64_t a = lo; a < hi; a += 8)
		*(volatile uint64_t *)a = pattern(a);
}

/* Checks [from, to) against the pattern and folds it into a checksum. */
static uint64_t check(uint64_t from, uint64_t to, uint64_t sum)
{
	for (uint64_t a = from; a < to; a += 8) {
		uint64_t w = *(volatile uint64_t *)a;

		if (w != pattern(a)) {
			if (changed++ < 4)
				printf("neighbour: word at 0x%lx changed: 0x%lx, want 0x%lx\n",
				       (unsigned long)a, (unsigned long)w,
				       (unsigned long)pattern(a));
		}
		sum = hostile_mix(sum + w);
	}
	return sum;
}

/* Sleeps with the timer (SIE = 0, STIE = 1: WFI wakes without taking it). */
static void sleep_ticks(uint64_t ticks)
{
	uint64_t until = time_now() + ticks;

	csr_set(sie, SIE_STIE);
	sbi_set_timer(until);
	while (time_now() < until)
		__asm__ volatile("wfi");
	sbi_set_timer(~0ULL);
	csr_clear(sie, SIE_STIE);
}

void guest_main(unsigned long hartid, unsigned long dtb)
{
	unsigned long rounds = hostile_arg_ulong("neighbour.rounds", 3);
	unsigned long ms = hostile_arg_ulong("neighbour.ms", 3000);
	uint64_t start = time_now(), ram_base, ram_end, sum, again;
	uint64_t next_beat, next_nap, pos;
	unsigned long passes = 0;

	(void)hartid;
	hostile_ram(&ram_base, &ram_end);
	lo = ((unsigned long)__image_end + 4096UL - 1) & ~(4096UL - 1);
	hi = ram_end;
	if (dtb > lo && dtb < hi)
		hi = dtb & ~(4096UL - 1);
	printf("neighbour: pattern over 0x%lx bytes at 0x%lx\n",
	       (unsigned long)(hi - lo), (unsigned long)lo);
	fill();
	sum = check(lo, hi, 0);
	printf("neighbour: checksum 0x%lx\n", (unsigned long)sum);
	for (unsigned long r = 1; r <= rounds; r++) {
		again = check(lo, hi, 0);
		printf("neighbour: round %lu: checksum %s\n", r, again == sum ? "same" : "CHANGED");
		sleep_ticks(SLEEP);
	}
	/* Stay alive, and keep looking, until the hostile VM has had its go. */
	next_beat = time_now() + HEARTBEAT;
	next_nap = time_now() + NAP_EVERY;
	pos = lo;
	while (time_now() - start < ms * HOSTILE_TICKS_PER_MS) {
		uint64_t to = pos + CHUNK < hi ? pos + CHUNK : hi;

		check(pos, to, 0);
		pos = to == hi ? lo : to;
		passes++;
		if (time_now() >= next_nap) {
			sleep_ticks(NAP);
			next_nap = time_now() + NAP_EVERY;
		}
		if (time_now() >= next_beat) {
			printf("info: neighbour: alive, %lu chunks checked\n", passes);
			next_beat += HEARTBEAT;
		}
	}
	if (hostile_arg_ulong("neighbour.selftest", 0))
		*(volatile uint64_t *)(lo + ((hi - lo) / 2 & ~7UL)) ^= 1;
	again = check(lo, hi, 0);
	printf("neighbour: final: %lu words changed, checksum %s 0x%lx\n", changed,
	       again == sum ? "same" : "CHANGED", (unsigned long)again);
	printf("info: neighbour: rounds=%lu chunks=%lu elapsed_ms=%lu\n", rounds, passes,
	       (unsigned long)((time_now() - start) / HOSTILE_TICKS_PER_MS));
	/* A damaged neighbour says so where Trapeze sees it too: its VM ends
	 * as a failure ("done" is not printed). */
	if (changed || again != sum)
		guest_fail();
}
