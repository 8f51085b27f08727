/*
 * A guest that floods its console (tests/system/test_lifecycle.py,
 * containment): SBI DBCN writes of 4096 bytes (SBI v2.0, chapter 12, the
 * Debug Console Extension) as fast as it can, until flood.ms after it
 * started, then a pause the rate limit refills in, and a last line. Under
 * Trapeze its output is cut to the per-VM rate and its neighbour runs on;
 * on bare QEMU it simply prints everything.
 */
#include "hostile.h"

#ifndef SBI_DBCN_WRITE
#define SBI_DBCN_WRITE          0
#endif

static char flood[4096];

void guest_main(unsigned long hartid, unsigned long dtb)
{
	(void)hartid;
	(void)dtb;
	uint64_t until = time_now() + hostile_arg_ulong("flood.ms", 2000) * HOSTILE_TICKS_PER_MS;
	unsigned long calls = 0;

	for (unsigned i = 0; i < sizeof(flood); i++)
		flood[i] = (i % 64 == 63) ? '\n' : (char)('a' + i % 26);
	puts("flood: start");
	while (time_now() < until) {
		sbi_call(SBI_EXT_DBCN, SBI_DBCN_WRITE, sizeof(flood), (unsigned long)flood, 0, 0, 0, 0);
		calls++;
	}
	delay_ticks(500 * HOSTILE_TICKS_PER_MS);
	printf("flood: over after %lu calls\n", calls);
	guest_done();
}
