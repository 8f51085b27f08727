/* The patcher's decisions on arbitrary bytes: a page and a start offset.
 * Every candidate must be an in-page, 2-aligned site whose form is the
 * one patch_decide_form gives its bytes, in increasing order, and the
 * decision never reads outside the page. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "arch/riscv/decode.h"
#include "arch/riscv/patch_decide.h"

/* An x0 form only where the plain form is an aligned EBREAK and the mask
 * allows its slot; its replacement a 4-byte LD or SD with base x0 into
 * the slot, the register the CSR instruction names. */
static void check_x0(uint32_t raw, unsigned off, unsigned x0, enum patch_form f)
{
	struct insn in;

	if (f != PATCH_FORM_X0_LOAD && f != PATCH_FORM_X0_STORE)
		return;
	unsigned slot = patch_x0_slot(raw >> 20);
	if (slot >= PATCH_X0_SLOTS || patch_decide_form(raw, off) != PATCH_FORM_EBREAK ||
	    !(x0 & (f == PATCH_FORM_X0_LOAD ? PATCH_X0_READ(slot) : PATCH_X0_WRITE(slot))))
		abort();
	uint32_t r = patch_x0_insn(raw, f);
	if (decode_insn(r, &in) != 0 || in.len != 4 || in.rs1 != 0 || in.width != 8 || in.fp ||
	    in.imm != PATCH_X0_OFF0 + 8 * (int)slot)
		abort();
	if (f == PATCH_FORM_X0_LOAD && (in.kind != INSN_LOAD || in.rd != ((raw >> 7) & 31) || in.rd == 0))
		abort();
	if (f == PATCH_FORM_X0_STORE && (in.kind != INSN_STORE || ((raw >> 7) & 31) != 0))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t page[PATCH_PAGE_SIZE];
	struct patch_candidate c[PATCH_SCAN_MAX];

	if (size < 2)
		return 0;
	unsigned off = ((unsigned)data[0] | ((unsigned)data[1] << 8)) % (PATCH_PAGE_SIZE + 8);
	memset(page, 0, sizeof(page));
	memcpy(page, data + 2, size - 2 < PATCH_PAGE_SIZE ? size - 2 : PATCH_PAGE_SIZE);
	/* The x0 mask from the first byte's bits (slots' reads and writes). */
	unsigned x0 = data[0] & 0xff;
	unsigned n = patch_decide_scan(page, off, x0, c, PATCH_SCAN_MAX);
	if (n > PATCH_SCAN_MAX)
		abort();
	for (unsigned i = 0; i < n; i++) {
		uint32_t raw;
		if (c[i].off & 1 || c[i].off < off || c[i].off + 4u > PATCH_PAGE_SIZE ||
		    (i > 0 && c[i].off <= c[i - 1].off))
			abort();
		memcpy(&raw, page + c[i].off, 4);
		if (raw != c[i].raw || c[i].form != patch_decide_form_x0(raw, c[i].off, x0) ||
		    c[i].form == PATCH_FORM_NONE)
			abort();
		check_x0(raw, c[i].off, x0, (enum patch_form)c[i].form);
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
		check_x0(raw, off, x0, patch_decide_form_x0(raw, off, x0));
	}
	return 0;
}
