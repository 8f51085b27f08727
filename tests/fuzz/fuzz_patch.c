/* The patcher's decisions on arbitrary bytes: a page and a start offset.
 * Every candidate must be an in-page, 2-aligned site whose form is the
 * one patch_decide_form gives its bytes, in increasing order, and the
 * decision never reads outside the page. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "arch/riscv/patch_decide.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t page[PATCH_PAGE_SIZE];
	struct patch_candidate c[PATCH_SCAN_MAX];

	if (size < 2)
		return 0;
	unsigned off = ((unsigned)data[0] | ((unsigned)data[1] << 8)) % (PATCH_PAGE_SIZE + 8);
	memset(page, 0, sizeof(page));
	memcpy(page, data + 2, size - 2 < PATCH_PAGE_SIZE ? size - 2 : PATCH_PAGE_SIZE);
	unsigned n = patch_decide_scan(page, off, c, PATCH_SCAN_MAX);
	if (n > PATCH_SCAN_MAX)
		abort();
	for (unsigned i = 0; i < n; i++) {
		uint32_t raw;
		if (c[i].off & 1 || c[i].off < off || c[i].off + 4u > PATCH_PAGE_SIZE ||
		    (i > 0 && c[i].off <= c[i - 1].off))
			abort();
		memcpy(&raw, page + c[i].off, 4);
		if (raw != c[i].raw || c[i].form != patch_decide_form(raw, c[i].off) ||
		    c[i].form == PATCH_FORM_NONE)
			abort();
	}
	/* Single decisions: any word at any offset. */
	if (size >= 6) {
		uint32_t raw;
		memcpy(&raw, data + 2, 4);
		enum patch_form f = patch_decide_form(raw, off);
		if (f >= PATCH_FORMS || (f != PATCH_FORM_NONE && (off & 1)))
			abort();
		/* EBREAK exactly where one aligned 32-bit store writes it. */
		if ((f == PATCH_FORM_C_EBREAK) != (f != PATCH_FORM_NONE && (off & 3) != 0))
			abort();
		patch_decide_falls_through(raw, 2 + 2 * (data[1] & 1));
	}
	return 0;
}
