/* Prints a Linux-style panic report, then spins as a panicked kernel does:
 * Trapeze must stop the VM soon after, alone, with its statistics, and the
 * launcher exit non-zero. */
#include "guest.h"

void guest_main(unsigned long hartid, unsigned long dtb)
{
	(void)hartid;
	(void)dtb;
	puts("[    1.000000] Kernel panic - not syncing: Attempted to kill init! exitcode=0x0000000b");
	puts("[    1.000001] ---[ end Kernel panic - not syncing ]---");
	for (;;)
		__asm__ volatile("" ::: "memory");
}
