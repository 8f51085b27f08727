/* A guest that powers off reporting a system failure (SBI v2.0 System
 * Reset, reason 1): the launcher must exit non-zero. */
#include "guest.h"

void guest_main(unsigned long hartid, unsigned long dtb)
{
	(void)hartid;
	(void)dtb;
	puts("failing on purpose");
	guest_fail();
}
