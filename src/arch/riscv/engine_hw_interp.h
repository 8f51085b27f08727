/*
 * The hw engine's interpreter: after a device access exit, the guest's
 * following instructions are executed by Trapeze in HS-mode, still on its
 * registers and through its own translation, until one it does not
 * handle. On QEMU 7.2 every exit is two full flushes of QEMU's TLB (the
 * switch out of V-mode and back), which makes a Linux console write (an
 * LSR poll and a THR store per character) cost two exits a character;
 * interpreted, a whole line costs one.
 *
 * Exactness: an instruction is interpreted only if its whole effect is
 * known here, and either completes entirely or not at all; anything else
 * (CSRs, SYSTEM, AMO/LR/SC, FP, fences of the instruction stream, any
 * reserved or unknown encoding, a memory access that faults, is
 * misaligned or reaches RAM not yet mapped) ends the run *before* it, and
 * the guest executes it natively, as if the run had not happened.
 * Sources: RISC-V Unprivileged ISA 20191213, chapters "RV32I" and "RV64I"
 * (integer computational, control transfer, loads and stores, FENCE),
 * "M" (multiplication and division, including division by zero and
 * overflow, 7.2), "C" (16.8 RVC Instruction Set Listings: every RV64C
 * integer form, expanded to its 32-bit equivalent).
 *
 * This file is the pure half (no CSRs, no memory of its own): one
 * instruction on a register file, its memory accesses through callbacks.
 */
#ifndef ARCH_RISCV_ENGINE_HW_INTERP_H
#define ARCH_RISCV_ENGINE_HW_INTERP_H

#include <stdbool.h>
#include <stdint.h>

/* A memory callback's answer: done, or not done at all (the run ends
 * before the instruction). */
enum hw_interp_mem { HW_INTERP_MEM_OK, HW_INTERP_MEM_STOP };

struct hw_interp_ops {
	/* width 1, 2, 4 or 8; *val gets the bytes zero-extended. */
	enum hw_interp_mem (*load)(void *ctx, uint64_t va, unsigned width, uint64_t *val);
	/* val holds the register; the callee stores its low width bytes. */
	enum hw_interp_mem (*store)(void *ctx, uint64_t va, unsigned width, uint64_t val);
	/* FENCE (any predecessor and successor sets): order the accesses. */
	void (*fence)(void *ctx);
};

/* Expands a compressed instruction (its low 16 bits) to the 32-bit
 * instruction it stands for; false for the ones not interpreted (FP
 * forms, C.EBREAK, reserved and illegal encodings, HINTs with rd = 0 that
 * are reserved for future standard use are expanded as NOPs only where
 * the expansion is itself harmless). */
bool hw_interp_expand_rvc(uint32_t c, uint32_t *out);

/* Executes the instruction raw (2 or 4 bytes, by its low bits) at *pc on
 * x[32] (x[0] reads as zero and is never written): true when it completed
 * (registers, memory and *pc updated), false when it is not interpreted
 * or a callback stopped it (nothing changed). */
bool hw_interp_step(const struct hw_interp_ops *ops, void *ctx, uint64_t x[32], uint64_t *pc,
		    uint32_t raw);

/*
 * The same, always inlined into its caller: Trapeze runs under QEMU's TCG,
 * where every indirect jump (a function's return, a switch's jump table,
 * a call through a pointer) costs a translation-block lookup, about as
 * much as the rest of an interpreted instruction. The hw engine's run
 * loop inlines the whole step, with its callbacks, into one function
 * compiled without jump tables.
 */
#define HW_INTERP_INLINE static inline __attribute__((always_inline))

/* Bits hi..lo of c. */
#define HW_INTERP_BITS(c, hi, lo) (((c) >> (lo)) & ((1u << ((hi) - (lo) + 1)) - 1))

HW_INTERP_INLINE int64_t hw_interp_sext(uint64_t v, unsigned bits)
{
	unsigned shift = 64 - bits;

	return (int64_t)(v << shift) >> shift;
}

/* ---- 32-bit encodings (Unprivileged ISA 2.3 "Immediate Encoding Variants") */

HW_INTERP_INLINE uint32_t hw_interp_enc_i(uint32_t op, uint32_t rd, uint32_t f3, uint32_t rs1, int64_t imm)
{
	return ((uint32_t)imm & 0xfff) << 20 | rs1 << 15 | f3 << 12 | rd << 7 | op;
}

HW_INTERP_INLINE uint32_t hw_interp_enc_r(uint32_t op, uint32_t rd, uint32_t f3, uint32_t rs1, uint32_t rs2, uint32_t f7)
{
	return f7 << 25 | rs2 << 20 | rs1 << 15 | f3 << 12 | rd << 7 | op;
}

HW_INTERP_INLINE uint32_t hw_interp_enc_s(uint32_t f3, uint32_t rs1, uint32_t rs2, uint32_t imm)
{
	return (imm >> 5 & 0x7f) << 25 | rs2 << 20 | rs1 << 15 | f3 << 12 | (imm & 0x1f) << 7 | 0x23;
}

HW_INTERP_INLINE uint32_t hw_interp_enc_b(uint32_t f3, uint32_t rs1, int64_t off)
{
	uint32_t o = (uint32_t)off;

	return (o >> 12 & 1) << 31 | (o >> 5 & 0x3f) << 25 | rs1 << 15 | f3 << 12 |
	       (o >> 1 & 0xf) << 8 | (o >> 11 & 1) << 7 | 0x63;
}

HW_INTERP_INLINE uint32_t hw_interp_enc_j(int64_t off)
{
	uint32_t o = (uint32_t)off;

	return (o >> 20 & 1) << 31 | (o >> 1 & 0x3ff) << 21 | (o >> 11 & 1) << 20 |
	       (o >> 12 & 0xff) << 12 | 0x6f;
}

/* ---- RVC (Unprivileged ISA 16.8, RV64C) --------------------------------- */

HW_INTERP_INLINE bool hw_interp_expand_q0(uint32_t c, uint32_t *out)
{
	uint32_t rdp = 8 + HW_INTERP_BITS(c, 4, 2), rs1p = 8 + HW_INTERP_BITS(c, 9, 7);
	uint32_t w = HW_INTERP_BITS(c, 12, 10) << 3 | HW_INTERP_BITS(c, 6, 6) << 2 | HW_INTERP_BITS(c, 5, 5) << 6;    /* C.LW/C.SW */
	uint32_t d = HW_INTERP_BITS(c, 12, 10) << 3 | HW_INTERP_BITS(c, 6, 5) << 6;                         /* C.LD/C.SD */

	switch (HW_INTERP_BITS(c, 15, 13)) {
	case 0: {       /* C.ADDI4SPN; nzuimm = 0 is reserved (and 0x0000 illegal) */
		uint32_t imm = HW_INTERP_BITS(c, 12, 11) << 4 | HW_INTERP_BITS(c, 10, 7) << 6 | HW_INTERP_BITS(c, 6, 6) << 2 |
			       HW_INTERP_BITS(c, 5, 5) << 3;
		if (imm == 0)
			return false;
		*out = hw_interp_enc_i(0x13, rdp, 0, 2, imm);
		return true;
	}
	case 2: *out = hw_interp_enc_i(0x03, rdp, 2, rs1p, w); return true;       /* C.LW */
	case 3: *out = hw_interp_enc_i(0x03, rdp, 3, rs1p, d); return true;       /* C.LD */
	case 6: *out = hw_interp_enc_s(2, rs1p, rdp, w); return true;             /* C.SW (rs2' in 4:2) */
	case 7: *out = hw_interp_enc_s(3, rs1p, rdp, d); return true;             /* C.SD */
	default: return false;  /* C.FLD, reserved, C.FSD */
	}
}

HW_INTERP_INLINE bool hw_interp_expand_q1(uint32_t c, uint32_t *out)
{
	uint32_t rd = HW_INTERP_BITS(c, 11, 7), rs1p = 8 + HW_INTERP_BITS(c, 9, 7), rs2p = 8 + HW_INTERP_BITS(c, 4, 2);
	int64_t imm6 = hw_interp_sext(HW_INTERP_BITS(c, 12, 12) << 5 | HW_INTERP_BITS(c, 6, 2), 6);

	switch (HW_INTERP_BITS(c, 15, 13)) {
	case 0: *out = hw_interp_enc_i(0x13, rd, 0, rd, imm6); return true;       /* C.ADDI, C.NOP */
	case 1:                                                         /* C.ADDIW */
		if (rd == 0)
			return false;
		*out = hw_interp_enc_i(0x1b, rd, 0, rd, imm6);
		return true;
	case 2: *out = hw_interp_enc_i(0x13, rd, 0, 0, imm6); return true;        /* C.LI */
	case 3:
		if (rd == 2) {                                          /* C.ADDI16SP */
			int64_t imm = hw_interp_sext(HW_INTERP_BITS(c, 12, 12) << 9 | HW_INTERP_BITS(c, 6, 6) << 4 | HW_INTERP_BITS(c, 5, 5) << 6 |
					   HW_INTERP_BITS(c, 4, 3) << 7 | HW_INTERP_BITS(c, 2, 2) << 5, 10);
			if (imm == 0)
				return false;
			*out = hw_interp_enc_i(0x13, 2, 0, 2, imm);
			return true;
		} else {                                                /* C.LUI */
			int64_t imm = hw_interp_sext(HW_INTERP_BITS(c, 12, 12) << 17 | HW_INTERP_BITS(c, 6, 2) << 12, 18);
			if (imm == 0)
				return false;
			*out = ((uint32_t)imm & 0xfffff000) | rd << 7 | 0x37;
			return true;
		}
	case 4: {
		uint32_t shamt = HW_INTERP_BITS(c, 12, 12) << 5 | HW_INTERP_BITS(c, 6, 2);
		switch (HW_INTERP_BITS(c, 11, 10)) {
		case 0: *out = hw_interp_enc_i(0x13, rs1p, 5, rs1p, shamt); return true;          /* C.SRLI */
		case 1: *out = hw_interp_enc_i(0x13, rs1p, 5, rs1p, shamt | 0x400); return true;  /* C.SRAI */
		case 2: *out = hw_interp_enc_i(0x13, rs1p, 7, rs1p, imm6); return true;           /* C.ANDI */
		default:
			if (HW_INTERP_BITS(c, 12, 12) == 0) {
				static const uint32_t f3[] = { 0, 4, 6, 7 };    /* SUB XOR OR AND */
				uint32_t k = HW_INTERP_BITS(c, 6, 5);
				*out = hw_interp_enc_r(0x33, rs1p, f3[k], rs1p, rs2p, k == 0 ? 0x20 : 0);
				return true;
			}
			if (HW_INTERP_BITS(c, 6, 5) >= 2)
				return false;                           /* reserved */
			/* C.SUBW, C.ADDW */
			*out = hw_interp_enc_r(0x3b, rs1p, 0, rs1p, rs2p, HW_INTERP_BITS(c, 6, 5) == 0 ? 0x20 : 0);
			return true;
		}
	}
	case 5: {                                                       /* C.J */
		int64_t off = hw_interp_sext(HW_INTERP_BITS(c, 12, 12) << 11 | HW_INTERP_BITS(c, 11, 11) << 4 | HW_INTERP_BITS(c, 10, 9) << 8 |
				   HW_INTERP_BITS(c, 8, 8) << 10 | HW_INTERP_BITS(c, 7, 7) << 6 | HW_INTERP_BITS(c, 6, 6) << 7 |
				   HW_INTERP_BITS(c, 5, 3) << 1 | HW_INTERP_BITS(c, 2, 2) << 5, 12);
		*out = hw_interp_enc_j(off);
		return true;
	}
	default: {                                                      /* C.BEQZ, C.BNEZ */
		int64_t off = hw_interp_sext(HW_INTERP_BITS(c, 12, 12) << 8 | HW_INTERP_BITS(c, 11, 10) << 3 | HW_INTERP_BITS(c, 6, 5) << 6 |
				   HW_INTERP_BITS(c, 4, 3) << 1 | HW_INTERP_BITS(c, 2, 2) << 5, 9);
		*out = hw_interp_enc_b(HW_INTERP_BITS(c, 15, 13) == 6 ? 0 : 1, rs1p, off);
		return true;
	}
	}
}

HW_INTERP_INLINE bool hw_interp_expand_q2(uint32_t c, uint32_t *out)
{
	uint32_t rd = HW_INTERP_BITS(c, 11, 7), rs2 = HW_INTERP_BITS(c, 6, 2);

	switch (HW_INTERP_BITS(c, 15, 13)) {
	case 0:                                                         /* C.SLLI */
		*out = hw_interp_enc_i(0x13, rd, 1, rd, HW_INTERP_BITS(c, 12, 12) << 5 | HW_INTERP_BITS(c, 6, 2));
		return true;
	case 2:                                                         /* C.LWSP */
		if (rd == 0)
			return false;
		*out = hw_interp_enc_i(0x03, rd, 2, 2, HW_INTERP_BITS(c, 12, 12) << 5 | HW_INTERP_BITS(c, 6, 4) << 2 | HW_INTERP_BITS(c, 3, 2) << 6);
		return true;
	case 3:                                                         /* C.LDSP */
		if (rd == 0)
			return false;
		*out = hw_interp_enc_i(0x03, rd, 3, 2, HW_INTERP_BITS(c, 12, 12) << 5 | HW_INTERP_BITS(c, 6, 5) << 3 | HW_INTERP_BITS(c, 4, 2) << 6);
		return true;
	case 4:
		if (HW_INTERP_BITS(c, 12, 12) == 0) {
			if (rs2 == 0) {                                 /* C.JR */
				if (rd == 0)
					return false;
				*out = hw_interp_enc_i(0x67, 0, 0, rd, 0);
			} else {                                        /* C.MV */
				*out = hw_interp_enc_r(0x33, rd, 0, 0, rs2, 0);
			}
			return true;
		}
		if (rs2 == 0) {
			if (rd == 0)
				return false;                           /* C.EBREAK */
			*out = hw_interp_enc_i(0x67, 1, 0, rd, 0);                /* C.JALR */
			return true;
		}
		*out = hw_interp_enc_r(0x33, rd, 0, rd, rs2, 0);                  /* C.ADD */
		return true;
	case 6:                                                         /* C.SWSP */
		*out = hw_interp_enc_s(2, 2, rs2, HW_INTERP_BITS(c, 12, 9) << 2 | HW_INTERP_BITS(c, 8, 7) << 6);
		return true;
	case 7:                                                         /* C.SDSP */
		*out = hw_interp_enc_s(3, 2, rs2, HW_INTERP_BITS(c, 12, 10) << 3 | HW_INTERP_BITS(c, 9, 7) << 6);
		return true;
	default:
		return false;   /* C.FLDSP, C.FSDSP */
	}
}

HW_INTERP_INLINE bool hw_interp_expand_rvc_inline(uint32_t c, uint32_t *out)
{
	c &= 0xffff;
	switch (c & 3) {
	case 0: return hw_interp_expand_q0(c, out);
	case 1: return hw_interp_expand_q1(c, out);
	case 2: return hw_interp_expand_q2(c, out);
	default: return false;
	}
}

/* ---- execution ------------------------------------------------------------ */

HW_INTERP_INLINE uint64_t hw_interp_sext32(uint64_t v)
{
	return (uint64_t)(int64_t)(int32_t)(uint32_t)v;
}

/* M extension (7.1, 7.2): division by zero and signed overflow give the
 * results the table "Semantics for division by zero and division overflow"
 * lists, never a trap. */
HW_INTERP_INLINE bool hw_interp_exec_m(uint32_t f3, uint64_t a, uint64_t b, uint64_t *r)
{
	switch (f3) {
	case 0: *r = a * b; break;
	case 1: *r = (uint64_t)(((__int128)(int64_t)a * (__int128)(int64_t)b) >> 64); break;
	case 2: *r = (uint64_t)(((__int128)(int64_t)a * (__int128)b) >> 64); break;
	case 3: *r = (uint64_t)(((unsigned __int128)a * b) >> 64); break;
	case 4:
		if (b == 0)
			*r = UINT64_MAX;
		else if ((int64_t)a == INT64_MIN && (int64_t)b == -1)
			*r = a;
		else
			*r = (uint64_t)((int64_t)a / (int64_t)b);
		break;
	case 5: *r = b == 0 ? UINT64_MAX : a / b; break;
	case 6:
		if (b == 0)
			*r = a;
		else if ((int64_t)a == INT64_MIN && (int64_t)b == -1)
			*r = 0;
		else
			*r = (uint64_t)((int64_t)a % (int64_t)b);
		break;
	default: *r = b == 0 ? a : a % b; break;
	}
	return true;
}

HW_INTERP_INLINE bool hw_interp_exec_mw(uint32_t f3, uint64_t a64, uint64_t b64, uint64_t *r)
{
	int32_t a = (int32_t)a64, b = (int32_t)b64;
	uint32_t ua = (uint32_t)a64, ub = (uint32_t)b64;

	switch (f3) {
	case 0: *r = hw_interp_sext32((uint64_t)ua * ub); return true;                      /* MULW */
	case 4:                                                                   /* DIVW */
		if (b == 0)
			*r = UINT64_MAX;
		else if (a == INT32_MIN && b == -1)
			*r = hw_interp_sext32((uint32_t)a);
		else
			*r = hw_interp_sext32((uint32_t)(a / b));
		return true;
	case 5: *r = hw_interp_sext32(ub == 0 ? UINT32_MAX : ua / ub); return true;         /* DIVUW */
	case 6:                                                                   /* REMW */
		if (b == 0)
			*r = hw_interp_sext32((uint32_t)a);
		else if (a == INT32_MIN && b == -1)
			*r = 0;
		else
			*r = hw_interp_sext32((uint32_t)(a % b));
		return true;
	case 7: *r = hw_interp_sext32(ub == 0 ? ua : ua % ub); return true;                 /* REMUW */
	default: return false;
	}
}

HW_INTERP_INLINE bool hw_interp_exec_op(uint32_t f3, uint32_t f7, uint64_t a, uint64_t b, uint64_t *r)
{
	if (f7 == 1)
		return hw_interp_exec_m(f3, a, b, r);
	if (f7 == 0x20) {
		if (f3 == 0)
			*r = a - b;
		else if (f3 == 5)
			*r = (uint64_t)((int64_t)a >> (b & 63));
		else
			return false;
		return true;
	}
	if (f7 != 0)
		return false;   /* Zb* and others: not interpreted */
	switch (f3) {
	case 0: *r = a + b; break;
	case 1: *r = a << (b & 63); break;
	case 2: *r = (int64_t)a < (int64_t)b; break;
	case 3: *r = a < b; break;
	case 4: *r = a ^ b; break;
	case 5: *r = a >> (b & 63); break;
	case 6: *r = a | b; break;
	default: *r = a & b; break;
	}
	return true;
}

HW_INTERP_INLINE bool hw_interp_exec_op32(uint32_t f3, uint32_t f7, uint64_t a, uint64_t b, uint64_t *r)
{
	if (f7 == 1)
		return hw_interp_exec_mw(f3, a, b, r);
	if (f7 == 0x20) {
		if (f3 == 0)
			*r = hw_interp_sext32(a - b);
		else if (f3 == 5)
			*r = hw_interp_sext32((uint32_t)((int32_t)a >> (b & 31)));
		else
			return false;
		return true;
	}
	if (f7 != 0)
		return false;
	switch (f3) {
	case 0: *r = hw_interp_sext32(a + b); return true;
	case 1: *r = hw_interp_sext32((uint32_t)a << (b & 31)); return true;
	case 5: *r = hw_interp_sext32((uint32_t)a >> (b & 31)); return true;
	default: return false;
	}
}

HW_INTERP_INLINE bool hw_interp_exec_opimm(uint32_t f3, uint32_t raw, uint64_t a, int64_t imm, uint64_t *r)
{
	unsigned shamt = (raw >> 20) & 63, funct6 = raw >> 26;

	switch (f3) {
	case 0: *r = a + (uint64_t)imm; return true;
	case 1:
		if (funct6 != 0)
			return false;
		*r = a << shamt;
		return true;
	case 2: *r = (int64_t)a < imm; return true;
	case 3: *r = a < (uint64_t)imm; return true;
	case 4: *r = a ^ (uint64_t)imm; return true;
	case 5:
		if (funct6 == 0)
			*r = a >> shamt;
		else if (funct6 == 0x10)
			*r = (uint64_t)((int64_t)a >> shamt);
		else
			return false;
		return true;
	case 6: *r = a | (uint64_t)imm; return true;
	default: *r = a & (uint64_t)imm; return true;
	}
}

HW_INTERP_INLINE bool hw_interp_exec_opimm32(uint32_t f3, uint32_t raw, uint64_t a, int64_t imm, uint64_t *r)
{
	unsigned shamt = (raw >> 20) & 31, f7 = raw >> 25;

	switch (f3) {
	case 0: *r = hw_interp_sext32(a + (uint64_t)imm); return true;
	case 1:
		if (f7 != 0)
			return false;
		*r = hw_interp_sext32((uint32_t)a << shamt);
		return true;
	case 5:
		if (f7 == 0)
			*r = hw_interp_sext32((uint32_t)a >> shamt);
		else if (f7 == 0x20)
			*r = hw_interp_sext32((uint32_t)((int32_t)a >> shamt));
		else
			return false;
		return true;
	default: return false;
	}
}

HW_INTERP_INLINE bool hw_interp_branch_taken(uint32_t f3, uint64_t a, uint64_t b, bool *taken)
{
	switch (f3) {
	case 0: *taken = a == b; return true;
	case 1: *taken = a != b; return true;
	case 4: *taken = (int64_t)a < (int64_t)b; return true;
	case 5: *taken = (int64_t)a >= (int64_t)b; return true;
	case 6: *taken = a < b; return true;
	case 7: *taken = a >= b; return true;
	default: return false;
	}
}

/* The instruction in its 32-bit form (a compressed one expanded: len 2). */
HW_INTERP_INLINE bool hw_interp_exec_inline(const struct hw_interp_ops *ops, void *ctx, uint64_t x[32],
					    uint64_t *pc, uint32_t raw, unsigned len);

/* raw as fetched: its 32-bit form and length, false when not interpreted. */
HW_INTERP_INLINE bool hw_interp_expand_inline(uint32_t raw, uint32_t *full, unsigned *len)
{
	if ((raw & 3) != 3) {
		*len = 2;
		return hw_interp_expand_rvc_inline(raw, full);
	}
	*len = 4;
	*full = raw;
	return (raw & 0x1c) != 0x1c;    /* 48-bit and longer encodings: no */
}

HW_INTERP_INLINE bool hw_interp_step_inline(const struct hw_interp_ops *ops, void *ctx, uint64_t x[32],
					    uint64_t *pc, uint32_t raw)
{
	unsigned len;

	return hw_interp_expand_inline(raw, &raw, &len) && hw_interp_exec_inline(ops, ctx, x, pc, raw, len);
}

HW_INTERP_INLINE bool hw_interp_exec_inline(const struct hw_interp_ops *ops, void *ctx, uint64_t x[32],
					    uint64_t *pc, uint32_t raw, unsigned len)
{
	uint32_t op = raw & 0x7f, rd = (raw >> 7) & 31, f3 = (raw >> 12) & 7;
	uint32_t f7 = raw >> 25;

	x[0] = 0;
	uint64_t a = x[(raw >> 15) & 31], b = x[(raw >> 20) & 31];
	int64_t imm_i = (int64_t)(int32_t)raw >> 20;
	uint64_t next = *pc + len, r = 0;

	switch (op) {
	case 0x37:                                      /* LUI */
		r = hw_interp_sext32(raw & 0xfffff000);
		break;
	case 0x17:                                      /* AUIPC */
		r = *pc + hw_interp_sext32(raw & 0xfffff000);
		break;
	case 0x6f: {                                    /* JAL */
		int64_t off = hw_interp_sext((raw >> 31) << 20 | ((raw >> 21) & 0x3ff) << 1 |
				   ((raw >> 20) & 1) << 11 | ((raw >> 12) & 0xff) << 12, 21);
		r = next;
		next = *pc + (uint64_t)off;
		break;
	}
	case 0x67:                                      /* JALR: the target before rd is written */
		if (f3 != 0)
			return false;
		r = next;
		next = (a + (uint64_t)imm_i) & ~1ULL;
		break;
	case 0x63: {                                    /* BRANCH */
		bool taken;
		if (!hw_interp_branch_taken(f3, a, b, &taken))
			return false;
		if (taken)
			next = *pc + (uint64_t)hw_interp_sext((raw >> 31) << 12 | ((raw >> 7) & 1) << 11 |
						    ((raw >> 25) & 0x3f) << 5 | ((raw >> 8) & 0xf) << 1, 13);
		rd = 0;
		break;
	}
	case 0x03: {                                    /* LOAD */
		static const uint8_t width[] = { 1, 2, 4, 8, 1, 2, 4, 0 };
		unsigned w = width[f3];
		uint64_t val;
		if (w == 0 || ops->load(ctx, a + (uint64_t)imm_i, w, &val) != HW_INTERP_MEM_OK)
			return false;
		if (w < 8)
			val &= (1ULL << (8 * w)) - 1;
		r = f3 < 4 ? (uint64_t)hw_interp_sext(val, 8 * w) : val;
		break;
	}
	case 0x23: {                                    /* STORE */
		int64_t imm_s = ((int64_t)(int32_t)raw >> 25) * 32 | ((raw >> 7) & 31);
		if (f3 > 3 || ops->store(ctx, a + (uint64_t)imm_s, 1u << f3, b) != HW_INTERP_MEM_OK)
			return false;
		rd = 0;
		break;
	}
	case 0x13:
		if (!hw_interp_exec_opimm(f3, raw, a, imm_i, &r))
			return false;
		break;
	case 0x1b:
		if (!hw_interp_exec_opimm32(f3, raw, a, imm_i, &r))
			return false;
		break;
	case 0x33:
		if (!hw_interp_exec_op(f3, f7, a, b, &r))
			return false;
		break;
	case 0x3b:
		if (!hw_interp_exec_op32(f3, f7, a, b, &r))
			return false;
		break;
	case 0x0f:                                      /* FENCE; FENCE.I and CBO end the run */
		if (f3 != 0)
			return false;
		ops->fence(ctx);
		rd = 0;
		break;
	default:
		return false;
	}
	if (rd != 0)
		x[rd] = r;
	*pc = next;
	return true;
}


#endif
