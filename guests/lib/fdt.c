/*
 * Just enough of a flattened device tree walk to find /memory's reg
 * (Devicetree Specification v0.4, 5 Flattened Devicetree (DTB) Format).
 */
#include "guest.h"

#define FDT_BEGIN_NODE 1
#define FDT_END_NODE   2
#define FDT_PROP       3
#define FDT_NOP        4
#define FDT_END        9

uint32_t fdt_read_be32(const void *p)
{
	const volatile uint8_t *b = p;

	return ((uint32_t)b[0] << 24) | ((uint32_t)b[1] << 16) |
	       ((uint32_t)b[2] << 8) | b[3];
}

static uint64_t fdt_read_cells(const uint8_t *p, uint32_t cells)
{
	uint64_t v = 0;

	for (uint32_t i = 0; i < cells; i++)
		v = (v << 32) | fdt_read_be32(p + 4 * i);
	return v;
}

static int fdt_name_is(const char *a, const char *b)
{
	while (*b && *a == *b)
		a++, b++;
	return *b == 0 && (*a == 0 || *a == '@');
}

static int fdt_str_eq(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return *a == *b;
}

int fdt_read_memory(unsigned long dtb, uint64_t *base, uint64_t *size)
{
	const uint8_t *fdt = (const uint8_t *)dtb;
	const uint8_t *p, *end;
	const char *strings;
	uint32_t acells = 2, scells = 2;
	int depth = 0, in_memory = 0;

	if (!dtb || fdt_read_be32(fdt) != FDT_MAGIC)
		return -1;
	p = fdt + fdt_read_be32(fdt + 8);
	end = p + fdt_read_be32(fdt + 36);
	strings = (const char *)fdt + fdt_read_be32(fdt + 12);
	while (p < end) {
		uint32_t tok = fdt_read_be32(p);

		p += 4;
		if (tok == FDT_BEGIN_NODE) {
			const char *name = (const char *)p;

			depth++;
			in_memory = depth == 2 && fdt_name_is(name, "memory");
			p += (strlen(name) + 4) & ~3UL;
		} else if (tok == FDT_END_NODE) {
			depth--;
			in_memory = 0;
		} else if (tok == FDT_PROP) {
			uint32_t len = fdt_read_be32(p);
			const char *pname = strings + fdt_read_be32(p + 4);
			const uint8_t *val = p + 8;

			if (depth == 1 && fdt_str_eq(pname, "#address-cells"))
				acells = fdt_read_be32(val);
			else if (depth == 1 && fdt_str_eq(pname, "#size-cells"))
				scells = fdt_read_be32(val);
			else if (in_memory && fdt_str_eq(pname, "reg") &&
				 len >= 4 * (acells + scells)) {
				*base = fdt_read_cells(val, acells);
				*size = fdt_read_cells(val + 4 * acells, scells);
				return 0;
			}
			p = val + ((len + 3) & ~3U);
		} else if (tok == FDT_NOP) {
			continue;
		} else {
			break;
		}
	}
	return -1;
}

static int fdt_starts(const char *s, const char *prefix)
{
	while (*prefix)
		if (*s++ != *prefix++)
			return 0;
	return 1;
}

void fdt_print_nodes(unsigned long dtb, const char *name_prefix, const char *what, int print_end)
{
	const uint8_t *fdt = (const uint8_t *)dtb;
	const uint8_t *p = fdt + fdt_read_be32(fdt + 8);
	const char *strings = (const char *)fdt + fdt_read_be32(fdt + 12);
	int depth = 0, in_node = 0, nodes = 0;

	for (;;) {
		uint32_t tok = fdt_read_be32(p);

		p += 4;
		if (tok == FDT_BEGIN_NODE) {
			const char *name = (const char *)p;

			depth++;
			in_node = depth == 3 && fdt_starts(name, name_prefix);
			if (in_node) {
				printf("dt: node %s\n", name);
				nodes++;
			}
			p += (strlen(name) + 1 + 3) & ~3UL;
		} else if (tok == FDT_END_NODE) {
			if (in_node && print_end)
				printf("dt: end\n");
			in_node = 0;
			depth--;
		} else if (tok == FDT_PROP) {
			uint32_t len = fdt_read_be32(p), nameoff = fdt_read_be32(p + 4);
			const uint8_t *val = p + 8;
			const char *name = strings + nameoff;

			if (!in_node) {
				/* not ours */
			} else if (fdt_str_eq(name, "compatible") || fdt_str_eq(name, "status")) {
				printf("dt:  %s = \"%s\"\n", name, (const char *)val);
			} else if (fdt_str_eq(name, "interrupt-parent")) {
				printf("dt:  interrupt-parent present (%u bytes)\n", len);
			} else {
				printf("dt:  %s =", name);
				for (uint32_t i = 0; i + 4 <= len; i += 4)
					printf(" 0x%x", fdt_read_be32(val + i));
				printf("\n");
			}
			p += 8 + ((len + 3) & ~3U);
		} else if (tok != FDT_NOP) {
			break;
		}
	}
	printf("dt: %d %s nodes\n", nodes, what);
}
