/* Powers off through QEMU virt's sifive,test finisher (0x100000) instead
 * of SBI: a 32-bit write of 0x5555 ends the machine on bare QEMU and the VM
 * (cleanly) under Trapeze, whose syscon model (src/dev/syscon.c) handles it. */
#include "guest.h"

#define FINISHER        ((volatile uint32_t *)0x100000UL)
#define FINISHER_PASS   0x5555u
#define FINISHER_FAIL   0x3333u

void guest_main(unsigned long hartid, unsigned long dtb)
{
	(void)hartid;
	(void)dtb;
	puts("finisher: powering off by MMIO");
	*FINISHER = FINISHER_PASS;
	puts("finisher: still running");
	guest_fail();
}
