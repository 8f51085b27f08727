#include "core/lib/string.h"

#include <stdint.h>

/* GCC may emit calls to memcpy/memset itself, so these exact names exist. */
void *memcpy(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;

	if ((((uintptr_t)d | (uintptr_t)s | n) & 7) == 0) {
		size_t i = 0;
		/* 64 bytes a turn (memset: fewer jumps under TCG); the guests'
		 * images are copied this way when a VM is made. */
		for (; i + 64 <= n; i += 64) {
			const uint64_t *f = (const uint64_t *)(s + i);
			uint64_t *t = (uint64_t *)(d + i);
			uint64_t a = f[0], b = f[1], c = f[2], e = f[3];
			t[0] = a; t[1] = b; t[2] = c; t[3] = e;
			a = f[4], b = f[5], c = f[6], e = f[7];
			t[4] = a; t[5] = b; t[6] = c; t[7] = e;
		}
		for (; i < n; i += 8)
			*(uint64_t *)(d + i) = *(const uint64_t *)(s + i);
		return dst;
	}
	while (n--)
		*d++ = *s++;
	return dst;
}

void *memset(void *dst, int c, size_t n)
{
	unsigned char *d = dst;

	if (c == 0 && (((uintptr_t)d | n) & 7) == 0) {
		size_t i = 0;
		/* 64 bytes a turn: under QEMU's TCG every turn of a loop is a
		 * jump between translation blocks (pages zeroed on first touch
		 * are most of what Trapeze writes). */
		for (; i + 64 <= n; i += 64) {
			uint64_t *q = (uint64_t *)(d + i);
			q[0] = 0; q[1] = 0; q[2] = 0; q[3] = 0;
			q[4] = 0; q[5] = 0; q[6] = 0; q[7] = 0;
		}
		for (; i < n; i += 8)
			*(uint64_t *)(d + i) = 0;
		return dst;
	}
	while (n--)
		*d++ = (unsigned char)c;
	return dst;
}

void *memmove(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;

	if (d <= s || d >= s + n)
		return memcpy(dst, src, n);
	while (n--)
		d[n] = s[n];
	return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const unsigned char *x = a, *y = b;

	for (size_t i = 0; i < n; i++)
		if (x[i] != y[i])
			return x[i] - y[i];
	return 0;
}

size_t strlen(const char *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	return n;
}

int strncmp(const char *a, const char *b, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (a[i] != b[i])
			return (unsigned char)a[i] - (unsigned char)b[i];
		if (!a[i])
			return 0;
	}
	return 0;
}

int strcmp(const char *a, const char *b)
{
	return strncmp(a, b, SIZE_MAX);
}
