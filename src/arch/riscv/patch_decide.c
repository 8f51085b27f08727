#include "arch/riscv/patch_decide.h"

#include "arch/riscv/decode.h"

enum patch_form patch_decide_form(uint32_t raw, unsigned off)
{
	struct insn in;

	if (off >= PATCH_PAGE_SIZE || (off & 1) || insn_length(raw & 0xffff) != 4 ||
	    decode_insn(raw, &in) != 0)
		return PATCH_FORM_NONE;
	switch (in.kind) {
	case INSN_CSR:
		/* S-level CSRs only: 0x100-0x1ff, 0x500-0x5ff, 0x900-0x9ff,
		 * 0xd00-0xdff. Counters (user level) and the others are
		 * illegal or native in vS and never hot. */
		if (((in.csr >> 8) & 3) != 1)
			return PATCH_FORM_NONE;
		break;
	case INSN_SRET:
	case INSN_SFENCE_VMA:
	case INSN_WFI:
		break;
	default:
		return PATCH_FORM_NONE;
	}
	/* A 4-byte EBREAK goes in with one aligned 32-bit store, which a hart
	 * fetching there concurrently sees whole or not at all; at 2 mod 4
	 * (or straddling the page end) a 16-bit C.EBREAK is the one store
	 * that cannot be seen half done (its second half stays original and
	 * is never executed). */
	return (off & 3) || off + 4 > PATCH_PAGE_SIZE ? PATCH_FORM_C_EBREAK : PATCH_FORM_EBREAK;
}

/* RISC-V Unprivileged ISA 20191213, chapter 2 (BRANCH, JAL, JALR, SYSTEM)
 * and chapter 16 "C" (C.J, C.JR, C.JALR, C.BEQZ, C.BNEZ, C.EBREAK; C.JAL
 * is RV32-only: on RV64 that encoding is C.ADDIW, which falls through). */
bool patch_decide_falls_through(uint32_t raw, unsigned len)
{
	if (len == 2) {
		uint16_t c = raw & 0xffff;
		unsigned quadrant = c & 3, funct3 = c >> 13;

		if (c == 0)
			return false;                   /* defined illegal */
		if (quadrant == 1 && (funct3 == 5 || funct3 == 6 || funct3 == 7))
			return false;                   /* C.J, C.BEQZ, C.BNEZ */
		if (quadrant == 2 && funct3 == 4 && ((c >> 2) & 0x1f) == 0)
			return false;                   /* C.JR, C.JALR, C.EBREAK (rs2 = 0) */
		return true;
	}
	if (len != 4)
		return false;
	switch (raw & 0x7f) {
	case 0x63:      /* BRANCH */
	case 0x6f:      /* JAL */
	case 0x67:      /* JALR */
		return false;
	case 0x73: {    /* SYSTEM: the CSR forms fall through, the rest may not */
		unsigned funct3 = (raw >> 12) & 7;
		if (funct3 != 0 && funct3 != 4)
			return true;
		struct insn in;
		if (decode_insn(raw, &in) != 0)
			return false;
		return in.kind == INSN_SFENCE_VMA || in.kind == INSN_WFI;
	}
	default:
		return raw != 0xffffffffu;
	}
}

unsigned patch_decide_scan(const uint8_t *page, unsigned off, struct patch_candidate *out,
			   unsigned max)
{
	unsigned n = 0;

	for (unsigned steps = 0; steps < PATCH_SCAN_MAX && n < max; steps++) {
		if (off + 2 > PATCH_PAGE_SIZE || (off & 1))
			break;
		uint32_t raw = (uint32_t)page[off] | ((uint32_t)page[off + 1] << 8);
		unsigned len = insn_length(raw);
		if (len == 4) {
			if (off + 4 > PATCH_PAGE_SIZE) {
				/* Its upper half is on the next page: not ours to read. */
				break;
			}
			raw |= ((uint32_t)page[off + 2] << 16) | ((uint32_t)page[off + 3] << 24);
		} else if (len != 2) {
			break;
		}
		enum patch_form f = len == 4 ? patch_decide_form(raw, off) : PATCH_FORM_NONE;
		if (f != PATCH_FORM_NONE)
			out[n++] = (struct patch_candidate){ .off = (uint16_t)off, .form = (uint8_t)f,
							     .raw = raw };
		if (!patch_decide_falls_through(raw, len))
			break;
		off += len;
	}
	return n;
}
