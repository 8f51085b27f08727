#include "arch/riscv/patch_decide.h"

#include "arch/riscv/csr.h"
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

unsigned patch_x0_slot(unsigned csr)
{
	switch (csr) {
	case CSR_SSCRATCH: return PATCH_X0_SSCRATCH;
	case CSR_SEPC: return PATCH_X0_SEPC;
	case CSR_SCAUSE: return PATCH_X0_SCAUSE;
	case CSR_STVAL: return PATCH_X0_STVAL;
	default: return PATCH_X0_SLOTS;
	}
}

/* Zicsr (Unprivileged ISA 20191213, chapter 9): funct3 1-3 CSRRW, CSRRS,
 * CSRRC with rs1 a register; 5-7 the same with rs1 a 5-bit immediate. A
 * CSRRS/CSRRC whose rs1 is x0 (or uimm 0) reads without writing; a CSRRW
 * with rd = x0 writes without reading. */
enum patch_form patch_decide_form_x0(uint32_t raw, unsigned off, unsigned x0)
{
	enum patch_form f = patch_decide_form(raw, off);
	unsigned funct3 = (raw >> 12) & 7, rd = (raw >> 7) & 31, rs1 = (raw >> 15) & 31;
	unsigned slot = patch_x0_slot(raw >> 20);

	if (f != PATCH_FORM_EBREAK || (raw & 0x7f) != 0x73 || slot == PATCH_X0_SLOTS)
		return f;
	if ((funct3 & 3) >= 2 && rs1 == 0 && rd != 0 && (x0 & PATCH_X0_READ(slot)))
		return PATCH_FORM_X0_LOAD;
	if ((funct3 == 1 || (funct3 == 5 && rs1 == 0)) && rd == 0 && (x0 & PATCH_X0_WRITE(slot)))
		return PATCH_FORM_X0_STORE;
	return f;
}

/* LOAD (opcode 0x03) and STORE (0x23) with funct3 3 (LD, SD), base x0
 * (Unprivileged ISA 20191213, 2.6 and 5.3 "Load and Store Instructions"). */
uint32_t patch_x0_insn(uint32_t raw, enum patch_form form)
{
	uint32_t imm = (uint32_t)(PATCH_X0_OFF0 + 8 * (int)patch_x0_slot(raw >> 20)) & 0xfff;

	if (form == PATCH_FORM_X0_LOAD)
		return (imm << 20) | (3u << 12) | (((raw >> 7) & 31) << 7) | 0x03;
	/* CSRRWI's rs1 field is its uimm, 0 here: the store writes x0. */
	uint32_t rs2 = (raw >> 12) & 4 ? 0 : (raw >> 15) & 31;
	return ((imm >> 5) << 25) | (rs2 << 20) | (3u << 12) | ((imm & 31) << 7) | 0x23;
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

unsigned patch_decide_scan(const uint8_t *page, unsigned off, unsigned x0,
			   struct patch_candidate *out, unsigned max)
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
		enum patch_form f = len == 4 ? patch_decide_form_x0(raw, off, x0) : PATCH_FORM_NONE;
		if (f != PATCH_FORM_NONE)
			out[n++] = (struct patch_candidate){ .off = (uint16_t)off, .form = (uint8_t)f,
							     .raw = raw };
		if (!patch_decide_falls_through(raw, len))
			break;
		off += len;
	}
	return n;
}
