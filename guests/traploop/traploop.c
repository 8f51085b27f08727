/* A guest caught in a trap loop: stvec points at an address outside RAM, so
 * every trap faults again at the vector (instruction access fault, forever).
 * On bare hardware the hart spins silently; Trapeze must keep it to itself
 * and stop it as hung, while its neighbours keep running. */
#include "guest.h"

void guest_main(unsigned long hartid, unsigned long dtb)
{
	(void)hartid;
	(void)dtb;
	puts("entering a trap loop");
	csr_write(stvec, 0x1000);
	__asm__ volatile("ebreak");
	puts("unreachable");
}
