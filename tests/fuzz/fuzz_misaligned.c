/*
 * libFuzzer target: src/arch/riscv/misaligned.c over a fake machine built
 * from the input (which of 8 virtual pages map which of 8 physical pages,
 * which of those are RAM, a device, nothing or PMP-denied), then accesses of
 * every width at every offset. Checked on each, against the rules in
 * misaligned.h:
 *   - nothing outside the access's bytes is ever written;
 *   - a load that completes returns exactly the bytes in memory;
 *   - a store that completes wrote every byte; one that faults wrote only
 *     bytes below its stval, each with its value;
 *   - stval lies in [part below the access, end of the access).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "arch/riscv/csr.h"
#include "arch/riscv/misaligned.h"

#define PG      4096u
#define NPAGES  8
#define VA0     0x40000000ULL
#define PA0     0x80000000ULL

enum kind { RAM, DEVICE, NONE, DENIED };

static uint8_t phys[NPAGES][PG];
static enum kind kinds[NPAGES];
static int vmap[NPAGES];           /* va page -> pa page, -1 unmapped */

static int pa_page(uint64_t pa)
{
	return pa >= PA0 && pa < PA0 + NPAGES * PG ? (int)((pa - PA0) / PG) : -1;
}

static uint64_t f_translate(void *ctx, uint64_t va, unsigned len, bool store, uint64_t *pa)
{
	(void)ctx;
	if (va < VA0 || va >= VA0 + NPAGES * PG || vmap[(va - VA0) / PG] < 0)
		return store ? EXC_STORE_PAGE_FAULT : EXC_LOAD_PAGE_FAULT;
	uint64_t p = PA0 + (uint64_t)vmap[(va - VA0) / PG] * PG + (va & (PG - 1));
	for (uint64_t a = p; a < p + len; a++) {
		int pg = pa_page(a);
		if (pg >= 0 && kinds[pg] == DENIED)
			return store ? EXC_STORE_ACCESS : EXC_LOAD_ACCESS;
	}
	*pa = p;
	return 0;
}

static bool f_is_ram(void *ctx, uint64_t pa)
{
	(void)ctx;
	int pg = pa_page(pa);
	return pg >= 0 && kinds[pg] == RAM;
}

static int f_part(uint64_t pa, unsigned len, bool write, uint64_t *val)
{
	int pg = pa_page(pa);
	if (pg < 0 || pa_page(pa + len - 1) != pg || kinds[pg] == NONE || kinds[pg] == DENIED)
		return MISALIGNED_FAULT;
	if (kinds[pg] == DEVICE && (pa & (len - 1)))
		abort();                /* devices only ever see aligned parts */
	uint8_t *p = &phys[pg][pa & (PG - 1)];
	for (unsigned i = 0; i < len; i++) {
		if (write)
			p[i] = (uint8_t)(*val >> (8 * i));
		else
			*val = (i ? *val : 0) | (uint64_t)p[i] << (8 * i);
	}
	return 0;
}

static int f_read(void *ctx, uint64_t pa, unsigned len, uint64_t *val)
{
	(void)ctx;
	return f_part(pa, len, false, val);
}

static int f_write(void *ctx, uint64_t pa, unsigned len, uint64_t val)
{
	(void)ctx;
	return f_part(pa, len, true, &val);
}

static const struct misaligned_ops ops = { NULL, f_translate, f_is_ram, f_read, f_write };

/* The byte at va in the fake machine, or NULL. */
static uint8_t *byte_at(uint64_t va)
{
	if (va < VA0 || va >= VA0 + NPAGES * PG || vmap[(va - VA0) / PG] < 0)
		return NULL;
	return &phys[vmap[(va - VA0) / PG]][va & (PG - 1)];
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t before[NPAGES][PG];

	if (size < NPAGES)
		return 0;
	for (unsigned i = 0; i < NPAGES; i++) {
		kinds[i] = (enum kind)(data[i] & 3);
		vmap[i] = (data[i] >> 2) & 1 ? -1 : (data[i] >> 3) % NPAGES;
		memset(phys[i], (int)(0x11 * i), PG);
	}
	data += NPAGES;
	size -= NPAGES;
	for (unsigned n = 0; size >= 4 && n < 32; data += 4, size -= 4, n++) {
		static const unsigned widths[4] = { 1, 2, 4, 8 };
		unsigned width = widths[data[0] & 3];
		bool store = data[0] & 4;
		uint64_t va = VA0 + ((uint64_t)(data[1] | data[2] << 8 | (data[0] >> 3) << 16) % (NPAGES * PG));
		uint64_t val = 0x0102030405060708ULL * data[3], cause = 0, tval = 0, orig = val;

		memcpy(before, phys, sizeof(phys));
		enum misaligned_result r = misaligned_access(&ops, va, width, store, &val, &cause, &tval);
		if (r == MISALIGNED_HALT)
			abort();
		if (r == MISALIGNED_FAULT && (tval < (va & ~7ULL) || tval >= va + width || cause == 0))
			abort();
		/* Which bytes may have changed: those of the access below the fault. */
		uint64_t limit = r == MISALIGNED_DONE ? va + width : tval;
		for (unsigned p = 0; p < NPAGES; p++) {
			if (memcmp(phys[p], before[p], PG) == 0)
				continue;
			for (unsigned o = 0; o < PG; o++) {
				if (phys[p][o] == before[p][o])
					continue;
				if (!store)
					abort();
				bool ok = false;
				for (uint64_t a = va; a < limit && !ok; a++)
					ok = byte_at(a) == &phys[p][o] &&
					     phys[p][o] == (uint8_t)(orig >> (8 * (a - va)));
				if (!ok)
					abort();
			}
		}
		if (r != MISALIGNED_DONE)
			continue;
		for (unsigned i = 0; i < width; i++) {
			uint8_t *b = byte_at(va + i);
			if (b == NULL)
				abort();
			if (!store && (uint8_t)(val >> (8 * i)) != *b)
				abort();
			if (store && *b != (uint8_t)(orig >> (8 * i)))
				abort();
		}
	}
	return 0;
}
