#ifndef TEST_INSN_ENC_H
#define TEST_INSN_ENC_H

/*
 * Instruction encoders for the engine tests, which write guest code
 * (Unprivileged ISA 20191213, 2.2 "Base Instruction Formats"; Zicsr,
 * chapter 9; "A", chapter 8).
 */
#include <stdint.h>

#define OP_LOAD     0x03
#define OP_LOAD_FP  0x07
#define OP_STORE    0x23

static inline uint32_t enc_i(uint32_t imm, unsigned rs1, unsigned f3, unsigned rd, unsigned op)
{
	return (imm & 0xfff) << 20 | rs1 << 15 | f3 << 12 | rd << 7 | op;
}

static inline uint32_t enc_s(uint32_t imm, unsigned rs2, unsigned rs1, unsigned f3, unsigned op)
{
	return ((imm >> 5) & 0x7f) << 25 | rs2 << 20 | rs1 << 15 | f3 << 12 | (imm & 0x1f) << 7 | op;
}

/* Zicsr: funct3 1 CSRRW, 2 CSRRS, 3 CSRRC, 5-7 the immediate forms. */
static inline uint32_t enc_csr(unsigned csr, unsigned rs1, unsigned f3, unsigned rd)
{
	return enc_i(csr, rs1, f3, rd, 0x73);
}

/* "A": funct5 | aq rl | rs2 | rs1 | funct3 | rd | AMO. */
static inline uint32_t enc_amo(unsigned funct5, unsigned rs2, unsigned rs1, unsigned f3, unsigned rd)
{
	return funct5 << 27 | rs2 << 20 | rs1 << 15 | f3 << 12 | rd << 7 | 0x2f;
}

#endif
