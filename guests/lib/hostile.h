/*
 * Helpers shared by the hostile guests (guests/hostile_*) and their
 * well-behaved neighbour (guests/neighbour), for the resource-control
 * tests (tests/system/test_hostile.py).
 *
 * Header-only on purpose: every guest links every .c file of guests/lib, and none
 * of the other guests should carry (or be rebuilt for) this code.
 *
 * The guests are told what to do by /chosen/bootargs ("key=value" words,
 * set by the config's `bootargs`, and by `-append` on bare QEMU), so one
 * image can be run several ways, several VMs at a time.
 */
#ifndef GUEST_HOSTILE_H
#define GUEST_HOSTILE_H

#include "guest.h"

#define HOSTILE_TICKS_PER_MS 10000UL    /* QEMU virt timebase: 10 MHz */

/* splitmix64's finaliser: the pattern word of an address, and a mixer for
 * checksums. Any change in a word changes the checksum. */
static inline uint64_t hostile_mix(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	x ^= x >> 31;
	return x;
}

/* xorshift64: deterministic garbage. */
static inline uint64_t hostile_rand(uint64_t *state)
{
	uint64_t x = *state;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	*state = x;
	return x;
}

/*
 * /chosen/bootargs (Devicetree Specification v0.4, 3.6 /chosen), found by
 * walking the structure block; NULL when there is none.
 */
static inline const char *hostile_bootargs(void)
{
	const uint8_t *fdt = (const uint8_t *)boot_dtb;
	const uint8_t *p, *end;
	const char *strings;
	int depth = 0, in_chosen = 0;

	if (!boot_dtb || fdt_read_be32(fdt) != FDT_MAGIC)
		return 0;
	p = fdt + fdt_read_be32(fdt + 8);
	end = p + fdt_read_be32(fdt + 36);
	strings = (const char *)fdt + fdt_read_be32(fdt + 12);
	while (p < end) {
		uint32_t tok = fdt_read_be32(p);

		p += 4;
		if (tok == 1) {                 /* FDT_BEGIN_NODE */
			const char *name = (const char *)p;
			const char *c = "chosen";
			unsigned k = 0;

			depth++;
			while (c[k] && name[k] == c[k])
				k++;
			in_chosen = depth == 2 && c[k] == 0 && (name[k] == 0 || name[k] == '@');
			p += (strlen(name) + 4) & ~3UL;
		} else if (tok == 2) {          /* FDT_END_NODE */
			depth--;
			in_chosen = 0;
		} else if (tok == 3) {          /* FDT_PROP */
			uint32_t len = fdt_read_be32(p);
			const char *pname = strings + fdt_read_be32(p + 4);
			const char *b = "bootargs";
			unsigned k = 0;

			while (b[k] && pname[k] == b[k])
				k++;
			if (in_chosen && b[k] == 0 && pname[k] == 0)
				return (const char *)(p + 8);
			p += 8 + ((len + 3) & ~3U);
		} else if (tok == 4) {          /* FDT_NOP */
			continue;
		} else {
			break;
		}
	}
	return 0;
}

/* The value of "key=..." in bootargs, copied into out (at most n - 1
 * characters); 1 when found. */
static inline int hostile_arg_str(const char *key, char *out, unsigned n)
{
	const char *s = hostile_bootargs();
	unsigned klen = strlen(key);

	while (s && *s) {
		while (*s == ' ')
			s++;
		unsigned k = 0;
		while (k < klen && s[k] == key[k])
			k++;
		if (k == klen && s[k] == '=') {
			unsigned i = 0;
			s += klen + 1;
			while (*s && *s != ' ' && i + 1 < n)
				out[i++] = *s++;
			out[i] = 0;
			return 1;
		}
		while (*s && *s != ' ')
			s++;
	}
	if (n)
		out[0] = 0;
	return 0;
}

/* A number (decimal or 0x hex) from bootargs, or def. */
static inline unsigned long hostile_arg_ulong(const char *key, unsigned long def)
{
	char buf[24];
	unsigned long v = 0;
	const char *p = buf;

	if (!hostile_arg_str(key, buf, sizeof(buf)) || !buf[0])
		return def;
	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
		for (p += 2; *p; p++)
			v = v * 16 + (unsigned long)(*p <= '9' ? *p - '0' : (*p | 0x20) - 'a' + 10);
	} else {
		for (; *p; p++)
			v = v * 10 + (unsigned long)(*p - '0');
	}
	return v;
}

static inline int hostile_str_eq(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return *a == *b;
}

/* RAM as the DTB gives it; QEMU virt's defaults when it cannot be read. */
static inline void hostile_ram(uint64_t *base, uint64_t *end)
{
	uint64_t b, s;

	if (fdt_read_memory(boot_dtb, &b, &s) == 0) {
		*base = b;
		*end = b + s;
	} else {
		*base = 0x80000000UL;
		*end = 0x84000000UL;
	}
}

/*
 * One instruction run on demand: INSN followed by `ret`, written into an
 * executable slot (RAM is executable with satp Bare), so a guest can try
 * any encoding, including ones the assembler refuses. A trap in it is at
 * slot + 0. The caller's trap_expect/trap_expect_user runs it.
 */
struct hostile_slot {
	uint32_t words[4];
};

static inline probe_fn hostile_slot_load(struct hostile_slot *s, uint32_t insn, int compressed)
{
	volatile uint16_t *h = (volatile uint16_t *)s->words;

	if (compressed) {
		h[0] = (uint16_t)insn;
		h[1] = 0x8067;          /* ret = jalr x0, 0(ra): 0x00008067 */
		h[2] = 0x0000;
	} else {
		h[0] = (uint16_t)insn;
		h[1] = (uint16_t)(insn >> 16);
		h[2] = 0x8067;
		h[3] = 0x0000;
	}
	__asm__ volatile("fence.i" ::: "memory");
	return (probe_fn)(unsigned long)s->words;
}

#endif
