/*
 * Unit tests of src/arch/riscv/decode.c.
 *
 * The main table, tests/unit/data/decode_cases.h, pairs encodings produced
 * by the GNU assembler (see gen_decode_cases.sh beside it) with the fields
 * written down by hand from the ISA manuals, so the decoder is checked
 * against an independent encoder rather than against itself. The other
 * cases sweep whole encoding spaces for invariants and exact counts.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "arch/riscv/decode.h"

struct decode_case {
	const char *text;	/* the assembly it came from */
	uint32_t raw;		/* what the assembler emitted */
	int ret;		/* decode_insn's return */
	struct insn want;
};

#include "data/decode_cases.h"

#define NCASES (sizeof(decode_cases) / sizeof(decode_cases[0]))

static const struct decode_case *find_case(const char *text)
{
	for (size_t i = 0; i < NCASES; i++)
		if (strcmp(decode_cases[i].text, text) == 0)
			return &decode_cases[i];
	fail_msg("no case \"%s\" in decode_cases.h", text);
	return NULL;
}

static struct insn decode_ok(uint32_t raw)
{
	struct insn i;

	assert_int_equal(decode_insn(raw, &i), 0);
	return i;
}

static void check_fields(const char *what, const struct insn *got, const struct insn *want)
{
#define FIELD(f) \
	if (got->f != want->f) \
		fail_msg("%s: ." #f " = %lld, want %lld", what, (long long)got->f, (long long)want->f)
	FIELD(raw); FIELD(len); FIELD(kind); FIELD(rd); FIELD(rs1); FIELD(rs2);
	FIELD(width); FIELD(sign_extend); FIELD(fp); FIELD(imm); FIELD(csr);
	FIELD(csr_op); FIELD(csr_imm);
#undef FIELD
}

/* Every assembled instruction decodes to exactly the expected fields. */
static void test_decode_assembler_table(void **state)
{
	(void)state;
	assert_true(NCASES >= 100);
	for (size_t i = 0; i < NCASES; i++) {
		const struct decode_case *c = &decode_cases[i];
		struct insn got;

		memset(&got, 0xa5, sizeof(got));
		if (decode_insn(c->raw, &got) != c->ret)
			fail_msg("%s (%#x): return %d, want %d", c->text, c->raw,
				 decode_insn(c->raw, &got), c->ret);
		check_fields(c->text, &got, &c->want);
	}
}

static void test_decode_insn_length(void **state)
{
	(void)state;
	assert_int_equal(insn_length(0x0000), 2);
	assert_int_equal(insn_length(0x0001), 2);
	assert_int_equal(insn_length(0x0002), 2);
	assert_int_equal(insn_length(0xffff & ~3u), 2);
	assert_int_equal(insn_length(0x0003), 4);
	assert_int_equal(insn_length(0x0073), 4);
	assert_int_equal(insn_length(0x001b), 4);	/* bbb = 110 */
	assert_int_equal(insn_length(0x001f), 0);	/* 48-bit */
	assert_int_equal(insn_length(0x003f), 0);	/* 64-bit */
	assert_int_equal(insn_length(0x007f), 0);	/* >= 80-bit */
	assert_int_equal(insn_length(0xffff), 0);
	/* Only the low bits count, whatever the caller passes above them. */
	assert_int_equal(insn_length(0xffff0001), 2);
}

/* 0x0000 is the spec's defined-illegal halfword: length 2, INSN_UNKNOWN,
 * return 0 (documented in decode.h), so callers inject an illegal-instruction
 * exception rather than treat it as a fetch problem. */
static void test_decode_all_zero_halfword(void **state)
{
	struct insn i = decode_ok(0x00000000);

	(void)state;
	assert_int_equal(i.len, 2);
	assert_int_equal(i.kind, INSN_UNKNOWN);
	i = decode_ok(0xffff0000);
	assert_int_equal(i.raw, 0);
	assert_int_equal(i.kind, INSN_UNKNOWN);
}

static void test_decode_compressed_ignores_upper_half(void **state)
{
	const struct decode_case *c = find_case("c.ldsp x1, 504(x2)");
	struct insn i = decode_ok(0xdead0000 | c->raw);

	(void)state;
	check_fields("c.ldsp with junk above", &i, &c->want);
	assert_int_equal(i.raw, c->raw);
}

static void test_decode_bad_length_zeroes_out(void **state)
{
	struct insn i;

	(void)state;
	memset(&i, 0xff, sizeof(i));
	assert_int_equal(decode_insn(0x0000001f, &i), -1);
	assert_int_equal(i.len, 0);
	assert_int_equal(i.kind, INSN_UNKNOWN);
	assert_int_equal(i.raw, 0);
	assert_int_equal(i.imm, 0);
	assert_int_equal(decode_insn(0x00000073, NULL), -1);
}

/* Zicsr read/write side effects, on the assembler's encodings. */
static void test_decode_csr_side_effects(void **state)
{
	static const struct {
		const char *text;
		bool writes, reads;
	} cases[] = {
		{ "csrrw x1, sstatus, x2", true, true },
		{ "csrrw x0, sscratch, x5", true, false },	/* csrw */
		{ "csrrw x3, sscratch, x0", true, true },	/* writes zero */
		{ "csrrs x5, sip, x0", false, true },		/* csrr */
		{ "csrrs x6, sie, x7", true, true },
		{ "csrrs x0, time, x0", false, true },
		{ "csrrc x0, sstatus, x8", true, true },	/* csrc */
		{ "csrrc x9, satp, x0", false, true },
		{ "csrrwi x10, stvec, 31", true, true },
		{ "csrrwi x0, sscratch, 0", true, false },
		{ "csrrsi x11, scause, 0", false, true },
		{ "csrrsi x0, sie, 1", true, true },
		{ "csrrci x12, 0xfff, 16", true, true },
		{ "csrrci x0, sepc, 0", false, true },
	};

	(void)state;
	for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		struct insn i = decode_ok(find_case(cases[k].text)->raw);

		if (insn_csr_writes(&i) != cases[k].writes)
			fail_msg("%s: writes %d", cases[k].text, insn_csr_writes(&i));
		if (insn_csr_reads(&i) != cases[k].reads)
			fail_msg("%s: reads %d", cases[k].text, insn_csr_reads(&i));
	}
}

static void test_decode_csr_predicates_other_kinds(void **state)
{
	struct insn i = decode_ok(find_case("sd x0, -32(x2)")->raw);

	(void)state;
	assert_false(insn_csr_writes(&i));
	assert_false(insn_csr_reads(&i));
	i = decode_ok(find_case("wfi")->raw);
	assert_false(insn_csr_writes(&i));
	assert_false(insn_csr_reads(&i));
	assert_false(insn_csr_writes(NULL));
	assert_false(insn_csr_reads(NULL));
}

/* Every 16-bit encoding: register numbers, widths and offsets stay in the
 * ranges the C chapter allows, and the counts of each form are exact. */
static void test_decode_every_halfword(void **state)
{
	unsigned loads = 0, stores = 0, ebreaks = 0;

	(void)state;
	for (uint32_t h = 0; h < 0x10000; h++) {
		struct insn i;

		if ((h & 3) == 3) {	/* first half of a longer instruction */
			bool longer = (h & 0x1c) == 0x1c;

			assert_int_equal(decode_insn(h, &i), longer ? -1 : 0);
			assert_int_equal(i.len, longer ? 0 : 4);
			continue;
		}
		i = decode_ok(h);
		assert_int_equal(i.len, 2);
		assert_int_equal(i.raw, h);
		if (i.kind == INSN_EBREAK) {
			ebreaks++;
			continue;
		}
		if (i.kind == INSN_UNKNOWN)
			continue;
		assert_true(i.kind == INSN_LOAD || i.kind == INSN_STORE);
		assert_true(i.width == 4 || i.width == 8);
		assert_true(i.imm >= 0 && i.imm % i.width == 0);
		assert_true(i.rd < 32 && i.rs1 < 32 && i.rs2 < 32);
		if ((h & 3) == 0) {	/* CL/CS: x8-x15 only, 5/8-bit offsets */
			assert_true(i.rs1 >= 8 && i.rs1 <= 15);
			assert_true(i.imm <= (i.width == 4 ? 124 : 248));
		} else {		/* sp-relative */
			assert_int_equal(i.rs1, 2);
			assert_true(i.imm <= (i.width == 4 ? 252 : 504));
		}
		assert_int_equal(i.sign_extend, i.kind == INSN_LOAD && !i.fp && i.width == 4);
		if (i.kind == INSN_LOAD)
			loads++;
		else
			stores++;
	}
	/* Quadrant 0: 3 load forms x 2^11 (all operand bits); quadrant 2:
	 * C.FLDSP 2^11, C.LWSP/C.LDSP 2^11 minus the 2^6 rd=0 encodings each. */
	assert_int_equal(loads, 3 * 2048 + 2048 + 2 * (2048 - 64));
	assert_int_equal(stores, 6 * 2048);
	assert_int_equal(ebreaks, 1);
}

/* Each compressed offset bit lands where the C chapter puts it: every
 * single-bit offset round-trips through its scrambled position. */
static void test_decode_compressed_offset_bits(void **state)
{
	static const struct {
		const char *text;	/* zero-offset form in the table */
		uint32_t field_mask;	/* offset bits of the encoding */
		int64_t max;
	} forms[] = {
		{ "c.lw x8, 0(x15)", 0x1c60, 124 },
		{ "c.fld f15, 0(x8)", 0x1c60, 248 },
		{ "c.sw x15, 0(x14)", 0x1c60, 124 },
		{ "c.lwsp x31, 0(x2)", 0x107c, 252 },
		{ "c.fldsp f0, 0(x2)", 0x107c, 504 },
		{ "c.swsp x31, 0(x2)", 0x1f80, 252 },
	};

	(void)state;
	for (size_t k = 0; k < sizeof(forms) / sizeof(forms[0]); k++) {
		uint32_t base = find_case(forms[k].text)->raw;
		int64_t seen = 0;

		assert_int_equal(base & forms[k].field_mask, 0);
		for (int b = 0; b < 16; b++) {
			uint32_t bit = 1u << b;
			struct insn i;

			if (!(forms[k].field_mask & bit))
				continue;
			i = decode_ok(base | bit);
			/* exactly one offset bit set, and a new one each time */
			assert_true(i.imm != 0 && (i.imm & (i.imm - 1)) == 0);
			assert_true((seen & i.imm) == 0);
			seen |= i.imm;
		}
		/* the bits together span exactly the offset range */
		assert_int_equal(seen, forms[k].max);
		assert_int_equal(decode_ok(base | forms[k].field_mask).imm, forms[k].max);
	}
}

/* SYSTEM funct3 = 000 across funct7, rs2, rs1, rd: each named instruction
 * is matched by exactly its encodings, everything else is SYSTEM_OTHER. */
static void test_decode_system_priv_space(void **state)
{
	unsigned count[INSN_AMO + 1] = { 0 };

	(void)state;
	for (uint32_t f7 = 0; f7 < 128; f7++)
		for (uint32_t rs2 = 0; rs2 < 32; rs2++)
			for (uint32_t rs1 = 0; rs1 < 32; rs1++)
				for (uint32_t rd = 0; rd < 32; rd++) {
					uint32_t raw = f7 << 25 | rs2 << 20 | rs1 << 15 | rd << 7 | 0x73;
					struct insn i = decode_ok(raw);

					count[i.kind]++;
					if (i.kind == INSN_SFENCE_VMA) {
						assert_int_equal(i.rs1, rs1);
						assert_int_equal(i.rs2, rs2);
					}
				}
	assert_int_equal(count[INSN_ECALL], 1);
	assert_int_equal(count[INSN_EBREAK], 1);
	assert_int_equal(count[INSN_SRET], 1);
	assert_int_equal(count[INSN_MRET], 1);
	assert_int_equal(count[INSN_DRET], 1);
	assert_int_equal(count[INSN_WFI], 1);
	assert_int_equal(count[INSN_SFENCE_W_INVAL], 1);
	assert_int_equal(count[INSN_SFENCE_INVAL_IR], 1);
	assert_int_equal(count[INSN_SFENCE_VMA], 1024);
	assert_int_equal(count[INSN_SINVAL_VMA], 1024);
	assert_int_equal(count[INSN_HFENCE_VVMA], 1024);
	assert_int_equal(count[INSN_HFENCE_GVMA], 1024);
	assert_int_equal(count[INSN_HINVAL_VVMA], 1024);
	assert_int_equal(count[INSN_HINVAL_GVMA], 1024);
	assert_int_equal(count[INSN_SYSTEM_OTHER], (1u << 22) - 8 - 6 * 1024);
	assert_int_equal(count[INSN_UNKNOWN] + count[INSN_CSR] + count[INSN_LOAD], 0);
}

/* SYSTEM funct3 = 100: the HLV/HLVX/HSV space. */
static void test_decode_hypervisor_ldst_space(void **state)
{
	unsigned hlv = 0, hlvx = 0, hsv = 0, other = 0;

	(void)state;
	for (uint32_t f7 = 0; f7 < 128; f7++)
		for (uint32_t rs2 = 0; rs2 < 32; rs2++)
			for (uint32_t rd = 0; rd < 32; rd++) {
				uint32_t raw = f7 << 25 | rs2 << 20 | 5u << 15 | 4u << 12 | rd << 7 | 0x73;
				struct insn i = decode_ok(raw);

				switch (i.kind) {
				case INSN_HLV: hlv++; break;
				case INSN_HLVX: hlvx++; break;
				case INSN_HSV: hsv++; break;
				case INSN_SYSTEM_OTHER: other++; continue;
				default: fail_msg("%#x: kind %d", raw, i.kind);
				}
				assert_int_equal(i.rs1, 5);
				assert_int_equal(i.width, 1u << ((f7 >> 1) & 3));
				assert_int_equal(i.imm, 0);
			}
	/* HLV: B/H/W/D signed + B/H/W unsigned = 7 forms x 32 rd. */
	assert_int_equal(hlv, 7 * 32);
	assert_int_equal(hlvx, 2 * 32);
	/* HSV: 4 widths x 32 rs2, rd = 0 only. */
	assert_int_equal(hsv, 4 * 32);
	assert_int_equal(hlv + hlvx + hsv + other, 128 * 32 * 32);
}

/* Loads and stores across every funct3 of their four opcodes. */
static void test_decode_ldst_funct3(void **state)
{
	static const struct {
		uint32_t opcode;
		uint8_t kind;
		bool fp;
		uint8_t widths[8];
	} ops[] = {
		{ 0x03, INSN_LOAD, false, { 1, 2, 4, 8, 1, 2, 4, 0 } },
		{ 0x23, INSN_STORE, false, { 1, 2, 4, 8, 0, 0, 0, 0 } },
		{ 0x07, INSN_LOAD, true, { 0, 2, 4, 8, 0, 0, 0, 0 } },
		{ 0x27, INSN_STORE, true, { 0, 2, 4, 8, 0, 0, 0, 0 } },
	};

	(void)state;
	for (size_t k = 0; k < sizeof(ops) / sizeof(ops[0]); k++)
		for (uint32_t f3 = 0; f3 < 8; f3++) {
			struct insn i = decode_ok(0xfff00000 | f3 << 12 | ops[k].opcode);

			if (!ops[k].widths[f3]) {
				assert_int_equal(i.kind, INSN_UNKNOWN);
				continue;
			}
			assert_int_equal(i.kind, ops[k].kind);
			assert_int_equal(i.width, ops[k].widths[f3]);
			assert_int_equal(i.fp, ops[k].fp);
			assert_int_equal(i.sign_extend,
					 ops[k].kind == INSN_LOAD && !ops[k].fp && f3 < 3);
			/* imm bits all set: -1 for I-type; S-type has imm[4:0] = rd = 0 */
			assert_int_equal(i.imm, ops[k].kind == INSN_LOAD ? -1 : -32);
		}
}

/* Opcodes we do not care about decode as INSN_UNKNOWN with length 4. */
static void test_decode_uninteresting_opcodes(void **state)
{
	static const uint32_t opcodes[] = { 0x0f, 0x13, 0x17, 0x1b, 0x33, 0x37, 0x3b,
					    0x43, 0x53, 0x63, 0x67, 0x6f };

	(void)state;
	for (size_t k = 0; k < sizeof(opcodes) / sizeof(opcodes[0]); k++) {
		struct insn i = decode_ok(0xfffff000 | opcodes[k]);

		assert_int_equal(i.kind, INSN_UNKNOWN);
		assert_int_equal(i.len, 4);
		assert_int_equal(i.width, 0);
	}
}

/* RV32 (U-mode under UXL = 1): the FP word forms where RV64 has C.LD/C.SD,
 * and no doubleword or LWU loads and stores. */
static void test_decode_rv32_forms(void **state)
{
	struct insn in;

	(void)state;
	/* 0x6144: RV64 c.ld s1, 128(a0); RV32 c.flw fs1, 4(a0). */
	assert_int_equal(decode_insn(0x6144, &in), 0);
	assert_int_equal(in.kind, INSN_LOAD);
	assert_int_equal(in.width, 8);
	assert_false(in.fp);
	assert_int_equal(in.imm, 128);
	assert_int_equal(decode_insn_rv32(0x6144, &in), 0);
	assert_int_equal(in.kind, INSN_LOAD);
	assert_int_equal(in.width, 4);
	assert_true(in.fp);
	assert_int_equal(in.rd, 9);
	assert_int_equal(in.rs1, 10);
	assert_int_equal(in.imm, 4);
	assert_int_equal(in.len, 2);
	/* 0xe44a: RV32 c.fswsp fs2, 8(sp). */
	assert_int_equal(decode_insn_rv32(0xe44a, &in), 0);
	assert_int_equal(in.kind, INSN_STORE);
	assert_int_equal(in.width, 4);
	assert_true(in.fp);
	assert_int_equal(in.rs2, 18);
	assert_int_equal(in.rs1, 2);
	assert_int_equal(in.imm, 8);
	/* ld a0, 0(a1); lwu a0, 0(a1); sd a0, 0(a1); amoadd.d: not RV32. */
	const uint32_t rv64_only[] = { 0x0005b503, 0x0005e503, 0x00a5b023, 0x00b6b52f };
	for (unsigned i = 0; i < sizeof(rv64_only) / sizeof(rv64_only[0]); i++) {
		assert_int_equal(decode_insn_rv32(rv64_only[i], &in), 0);
		assert_int_equal(in.kind, INSN_UNKNOWN);
		assert_int_equal(in.len, 4);
	}
	/* lw a0, 0(a1) and amoadd.w are the same on both. */
	assert_int_equal(decode_insn_rv32(0x0005a503, &in), 0);
	assert_int_equal(in.kind, INSN_LOAD);
	assert_true(in.sign_extend);
	assert_int_equal(decode_insn_rv32(0x00b6a52f, &in), 0);
	assert_int_equal(in.kind, INSN_AMO);
	/* c.lw and c.fld are the same too. */
	assert_int_equal(decode_insn_rv32(0x4144, &in), 0);
	assert_int_equal(in.width, 4);
	assert_false(in.fp);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decode_assembler_table),
		cmocka_unit_test(test_decode_insn_length),
		cmocka_unit_test(test_decode_all_zero_halfword),
		cmocka_unit_test(test_decode_compressed_ignores_upper_half),
		cmocka_unit_test(test_decode_bad_length_zeroes_out),
		cmocka_unit_test(test_decode_csr_side_effects),
		cmocka_unit_test(test_decode_csr_predicates_other_kinds),
		cmocka_unit_test(test_decode_every_halfword),
		cmocka_unit_test(test_decode_compressed_offset_bits),
		cmocka_unit_test(test_decode_system_priv_space),
		cmocka_unit_test(test_decode_hypervisor_ldst_space),
		cmocka_unit_test(test_decode_ldst_funct3),
		cmocka_unit_test(test_decode_uninteresting_opcodes),
		cmocka_unit_test(test_decode_rv32_forms),
	};

	return cmocka_run_group_tests_name("decode", tests, NULL, NULL);
}
