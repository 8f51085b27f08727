/* The few libc routines GCC may call, plus a time-based delay. */
#include "guest.h"

void *memset(void *d, int c, size_t n)
{
	volatile unsigned char *p = d;

	while (n--)
		*p++ = (unsigned char)c;
	return d;
}

void *memcpy(void *d, const void *s, size_t n)
{
	volatile unsigned char *p = d;
	const unsigned char *q = s;

	while (n--)
		*p++ = *q++;
	return d;
}

size_t strlen(const char *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	return n;
}

void delay_ticks(uint64_t ticks)
{
	uint64_t start = time_now();

	while (time_now() - start < ticks)
		;
}
