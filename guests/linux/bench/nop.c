/*
 * /bin/bench-nop: the program bench's "exec" benchmark runs. It only exits,
 * and is built without libc (-nostdlib -static), so an exec of it costs the
 * kernel's own work: a fresh mm, one ELF segment, one page fault, exit.
 */
#include <asm/unistd.h>

void _start(void) __attribute__((noreturn, section(".text._start")));

void _start(void)
{
	register long a0 __asm__("a0") = 0;
	register long a7 __asm__("a7") = __NR_exit_group;

	for (;;)
		__asm__ volatile("ecall" : : "r"(a0), "r"(a7));
}
