/* A guest that hangs: prints once, then spins without printing or powering
 * off, so Trapeze's hang watchdog must stop it (alone). */
#include "guest.h"

void guest_main(unsigned long hartid, unsigned long dtb)
{
	(void)hartid;
	(void)dtb;
	puts("spinning");
	for (;;)
		__asm__ volatile("" ::: "memory");
}
