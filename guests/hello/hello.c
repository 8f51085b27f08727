/* Smoke test: entry convention, UART output and a DTB in a1. */
#include "guest.h"

void guest_main(unsigned long hartid, unsigned long dtb)
{
	puts("hello from a guest");
	printf("hart %lu\n", hartid);
	/* Devicetree Specification v0.4, 5.2 Header: magic is big-endian. */
	if (dtb && !(dtb & 3) && fdt_read_be32((const void *)dtb) == FDT_MAGIC)
		puts("dtb ok");
	else
		puts("dtb bad");
	printf("info: dtb at 0x%lx\n", dtb);
}
