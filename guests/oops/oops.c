/* Prints a Linux-style oops, then powers off cleanly: the run still counts
 * as a failure. */
#include "guest.h"

void guest_main(unsigned long hartid, unsigned long dtb)
{
	(void)hartid;
	(void)dtb;
	puts("[    2.000000] Unable to handle kernel NULL pointer dereference at virtual address 0000000000000000");
	puts("[    2.000001] Oops [#1]");
}
