/*
 * A well-behaved busy VM that measures its own throughput: the victim of
 * `make bench`'s containment rows (scripts/bench.py, containment()). It
 * repeats one unit of work (xorshift steps, each a read-modify-write
 * somewhere in a 256 KiB array of 64 pages: QEMU's soft TLB is part of
 * the work, so a neighbour that makes QEMU flush it shows up as fewer
 * units) and counts the units finished in consecutive windows of
 * wall-clock time (the `time` CSR: time taken by the host, Trapeze or
 * another VM counts against it).
 *
 * Each window starts with a line `info: busy: mark K` (K = 0 .. windows;
 * the last one ends the last window) printed inside the window, so that
 * the host can read how much of it the host itself took from QEMU (its
 * run-queue wait, scripts/bench.py) and a VM whose console is slowed by a
 * neighbour pays for it; the counts come after the last window:
 * `info: busy: window K units N ticks T` (T: the window's length in
 * timebase ticks, 10 MHz), then `done`.
 *
 * bootargs: busy.warmup_ms=N  work first, uncounted, for N ms (default 300):
 *                             the VMs beside it boot meanwhile;
 *           busy.window_ms=N  length of a window (default 1000);
 *           busy.windows=N    number of windows (default 4, 1 to 64);
 *           busy.tail_ms=N    work on, uncounted, for N ms after the last
 *                             mark (default 200), before the counts.
 * Only info: lines: nothing is compared with bare QEMU.
 */
#include "hostile.h"

#define WORDS           (256 * 1024 / 8)        /* 256 KiB */
#define STEPS           1024                    /* per unit */
#define MAX_WINDOWS     64

static volatile uint64_t area[WORDS];
static unsigned long units[MAX_WINDOWS];
static uint64_t ticks[MAX_WINDOWS];

static uint64_t work(uint64_t x)
{
	for (unsigned i = 0; i < STEPS; i++) {
		x = hostile_rand(&x);
		area[(x >> 17) % WORDS] += x;
	}
	return x;
}

void guest_main(unsigned long hartid, unsigned long dtb)
{
	unsigned long warmup = hostile_arg_ulong("busy.warmup_ms", 300);
	unsigned long window = hostile_arg_ulong("busy.window_ms", 1000);
	unsigned long windows = hostile_arg_ulong("busy.windows", 4);
	uint64_t x = 0x62757379ULL, start, until;     /* "busy" */

	(void)hartid;
	(void)dtb;
	if (windows > MAX_WINDOWS)
		windows = MAX_WINDOWS;
	if (windows == 0)
		windows = 1;
	until = time_now() + warmup * HOSTILE_TICKS_PER_MS;
	while (time_now() < until)
		x = work(x);
	start = time_now();
	for (unsigned long w = 0; w < windows; w++) {
		printf("info: busy: mark %lu\n", w);
		until = start + window * HOSTILE_TICKS_PER_MS;
		while (time_now() < until) {
			x = work(x);
			units[w]++;
		}
		ticks[w] = time_now() - start;
		start += ticks[w];
	}
	printf("info: busy: mark %lu\n", windows);
	/* Work on while the host reads the last mark: QEMU is still there. */
	until = time_now() + hostile_arg_ulong("busy.tail_ms", 200) * HOSTILE_TICKS_PER_MS;
	while (time_now() < until)
		x = work(x);
	for (unsigned long w = 0; w < windows; w++)
		printf("info: busy: window %lu units %lu ticks %lu\n", w, units[w],
		       (unsigned long)ticks[w]);
	printf("info: busy: check %lx\n", (unsigned long)(x & 0xff));
}
