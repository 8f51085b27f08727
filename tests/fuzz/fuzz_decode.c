/*
 * libFuzzer target for src/arch/riscv/decode.c: decodes any 4 bytes (little
 * endian, as fetched) and checks the invariants callers rely on. A broken
 * invariant aborts, which libFuzzer reports as a crash.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "arch/riscv/decode.h"

#define CHECK(c) do { if (!(c)) abort(); } while (0)

static bool is_ldst(uint8_t kind)
{
	return kind == INSN_LOAD || kind == INSN_STORE || kind == INSN_AMO ||
	       kind == INSN_HLV || kind == INSN_HLVX || kind == INSN_HSV;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint32_t raw = 0;
	struct insn i, again;
	uint32_t len;
	int ret;

	if (size < 2)
		return 0;
	for (size_t k = 0; k < 4 && k < size; k++)
		raw |= (uint32_t)data[k] << (8 * k);
	len = insn_length(raw & 0xffff);
	ret = decode_insn(raw, &i);
	CHECK(len == 0 || len == 2 || len == 4);
	CHECK(len == ((raw & 3) != 3 ? 2u : (raw & 0x1c) != 0x1c ? 4u : 0u));
	if (len == 0) {
		CHECK(ret == -1 && i.len == 0 && i.kind == INSN_UNKNOWN && i.raw == 0);
		return 0;
	}
	CHECK(ret == 0);
	CHECK(i.len == len);
	CHECK(i.raw == (len == 2 ? (raw & 0xffff) : raw));
	CHECK(i.kind <= INSN_AMO);
	CHECK(i.rd < 32 && i.rs1 < 32 && i.rs2 < 32);
	if (is_ldst(i.kind))
		CHECK(i.width == 1 || i.width == 2 || i.width == 4 || i.width == 8);
	else
		CHECK(i.width == 0 && !i.sign_extend);
	CHECK(!i.fp || i.kind == INSN_LOAD || i.kind == INSN_STORE);
	CHECK(!i.sign_extend || (i.width < 8 && !i.fp));
	if (i.kind == INSN_LOAD || i.kind == INSN_STORE)
		CHECK(len == 2 ? i.imm >= 0 && i.imm <= 504 && i.imm % i.width == 0
			       : i.imm >= -2048 && i.imm <= 2047);
	else
		CHECK(i.imm == 0);
	if (i.kind == INSN_CSR) {
		CHECK(len == 4 && i.csr < 4096);
		CHECK(i.csr_op >= CSR_OP_RW && i.csr_op <= CSR_OP_RC);
		/* Zicsr: a read-write always writes; only CSRRW/I can skip the read. */
		CHECK(i.csr_op != CSR_OP_RW || insn_csr_writes(&i));
		CHECK(i.csr_op == CSR_OP_RW || insn_csr_reads(&i));
	} else {
		CHECK(i.csr == 0 && i.csr_op == 0 && !i.csr_imm);
		CHECK(!insn_csr_writes(&i) && !insn_csr_reads(&i));
	}
	if (len == 2)	/* only loads, stores and C.EBREAK among compressed */
		CHECK(i.kind == INSN_UNKNOWN || i.kind == INSN_LOAD ||
		      i.kind == INSN_STORE || i.kind == INSN_EBREAK);
	/* Pure: the same word decodes the same way, whatever was in *out. */
	memset(&again, 0x5a, sizeof(again));
	CHECK(decode_insn(raw, &again) == ret);
	CHECK(again.raw == i.raw && again.kind == i.kind && again.rd == i.rd &&
	      again.rs1 == i.rs1 && again.rs2 == i.rs2 && again.width == i.width &&
	      again.imm == i.imm && again.csr == i.csr && again.fp == i.fp &&
	      again.sign_extend == i.sign_extend && again.csr_imm == i.csr_imm);
	return 0;
}
