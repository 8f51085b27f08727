/*
 * Unit tests of the hw engine's interpreter (src/arch/riscv/engine_hw_interp.h).
 *
 * RVC expansion is checked against the GNU assembler (data/
 * interp_rvc_cases.h: each compressed instruction beside the 32-bit one
 * it stands for, both assembled by gen_interp_rvc_cases.sh); execution
 * against values written down from the ISA manual's definitions (the M
 * extension's table for division by zero and overflow, the W forms'
 * sign extension, JALR's target before its link); and the all-or-nothing
 * rule: an instruction not interpreted, or whose memory access is refused,
 * changes nothing.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "arch/riscv/engine_hw_interp.h"

struct interp_rvc_case {
	const char *text;
	uint32_t c;             /* the compressed encoding */
	uint32_t full;          /* the 32-bit instruction it expands to */
};

#include "data/interp_rvc_cases.h"

/* ---- a fake memory: 64 bytes at FAKE_VA, a log of accesses ---------------- */

#define FAKE_VA 0x1000
struct fake {
	uint8_t mem[64];
	unsigned loads, stores, fences;
	bool refuse;                    /* every access answers STOP */
	uint64_t last_va;
	unsigned last_width;
};

static enum hw_interp_mem fake_load(void *ctx, uint64_t va, unsigned width, uint64_t *val)
{
	struct fake *f = ctx;

	f->last_va = va;
	f->last_width = width;
	if (f->refuse || va < FAKE_VA || va + width > FAKE_VA + sizeof(f->mem))
		return HW_INTERP_MEM_STOP;
	f->loads++;
	*val = 0;
	memcpy(val, f->mem + (va - FAKE_VA), width);
	return HW_INTERP_MEM_OK;
}

static enum hw_interp_mem fake_store(void *ctx, uint64_t va, unsigned width, uint64_t val)
{
	struct fake *f = ctx;

	f->last_va = va;
	f->last_width = width;
	if (f->refuse || va < FAKE_VA || va + width > FAKE_VA + sizeof(f->mem))
		return HW_INTERP_MEM_STOP;
	f->stores++;
	memcpy(f->mem + (va - FAKE_VA), &val, width);
	return HW_INTERP_MEM_OK;
}

static void fake_fence(void *ctx)
{
	((struct fake *)ctx)->fences++;
}

static const struct hw_interp_ops fake_ops = { fake_load, fake_store, fake_fence };

/* Encoders for the cases below (Unprivileged ISA 2.2-2.3). */
#define R(f7, rs2, rs1, f3, rd, op) ((uint32_t)(f7) << 25 | (rs2) << 20 | (rs1) << 15 | (f3) << 12 | (rd) << 7 | (op))
#define I(imm, rs1, f3, rd, op) (((uint32_t)(imm) & 0xfff) << 20 | (rs1) << 15 | (f3) << 12 | (rd) << 7 | (op))
#define S(imm, rs2, rs1, f3) ((((uint32_t)(imm) >> 5) & 0x7f) << 25 | (rs2) << 20 | (rs1) << 15 | (f3) << 12 | \
			      ((uint32_t)(imm) & 0x1f) << 7 | 0x23)
#define OP(f7, f3)   R(f7, 12, 11, f3, 10, 0x33)       /* x10 = x11 op x12 */
#define OP32(f7, f3) R(f7, 12, 11, f3, 10, 0x3b)

/* Runs raw with x11 = a, x12 = b; returns x10, asserting it completed. */
static uint64_t run2(uint32_t raw, uint64_t a, uint64_t b)
{
	uint64_t x[32] = { 0 }, pc = 0x8000;
	struct fake f = { 0 };

	x[11] = a;
	x[12] = b;
	assert_true(hw_interp_step(&fake_ops, &f, x, &pc, raw));
	assert_int_equal(pc, 0x8004);
	assert_int_equal(x[0], 0);
	return x[10];
}

static void test_engine_hw_interp_rvc_matches_assembler(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(interp_rvc_cases) / sizeof(interp_rvc_cases[0]); i++) {
		const struct interp_rvc_case *c = &interp_rvc_cases[i];
		uint32_t out = 0;
		if (!hw_interp_expand_rvc(c->c, &out) || out != c->full)
			fail_msg("%s: 0x%04x expands to 0x%08x, the assembler says 0x%08x",
				 c->text, c->c, out, c->full);
	}
}

static void test_engine_hw_interp_rvc_refused(void **state)
{
	static const uint32_t refused[] = {
		0x0000,         /* the defined illegal instruction (C.ADDI4SPN, nzuimm 0) */
		0x0004,         /* C.ADDI4SPN x9, nzuimm 0: reserved */
		0x9002,         /* C.EBREAK */
		0x2000,         /* C.FLD */
		0xa000,         /* C.FSD */
		0x2002,         /* C.FLDSP */
		0xa002,         /* C.FSDSP */
		0x8000,         /* Q0 funct3 4: reserved */
		0x2001,         /* C.ADDIW x0: reserved */
		0x4002,         /* C.LWSP x0: reserved */
		0x6002,         /* C.LDSP x0: reserved */
		0x8002,         /* C.JR x0: reserved */
		0x6101,         /* C.ADDI16SP 0: reserved */
		0x6081,         /* C.LUI x1, 0: reserved */
		0x9c41,         /* Q1 100 1 11 .. 10: reserved */
		0x9c61,         /* Q1 100 1 11 .. 11: reserved */
	};

	(void)state;
	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		uint32_t out = 0;
		if (hw_interp_expand_rvc(refused[i], &out))
			fail_msg("0x%04x expanded to 0x%08x: it must be left to the hardware", refused[i], out);
	}
	/* Every other halfword either expands or is refused; none crashes,
	 * and whatever expands is a 32-bit instruction. */
	for (uint32_t c = 0; c < 0x10000; c++) {
		uint32_t out = 0;
		if ((c & 3) != 3 && hw_interp_expand_rvc(c, &out))
			assert_int_equal(out & 3, 3);
	}
}

static void test_engine_hw_interp_division_table(void **state)
{
	const uint64_t min = 0x8000000000000000ULL, m1 = UINT64_MAX;

	(void)state;
	/* M extension, "Semantics for division by zero and division overflow". */
	assert_int_equal(run2(OP(1, 4), 7, 0), m1);                 /* div  x/0 = -1 */
	assert_int_equal(run2(OP(1, 5), 7, 0), m1);                 /* divu x/0 = 2^64-1 */
	assert_int_equal(run2(OP(1, 6), 7, 0), 7);                  /* rem  x%0 = x */
	assert_int_equal(run2(OP(1, 7), 7, 0), 7);                  /* remu x%0 = x */
	assert_int_equal(run2(OP(1, 4), min, m1), min);             /* div overflow */
	assert_int_equal(run2(OP(1, 6), min, m1), 0);               /* rem overflow */
	assert_int_equal(run2(OP(1, 4), (uint64_t)-7, 2), (uint64_t)-3);   /* rounds toward zero */
	assert_int_equal(run2(OP(1, 6), (uint64_t)-7, 2), (uint64_t)-1);   /* sign of the dividend */
	assert_int_equal(run2(OP32(1, 4), 7, 0x100000000ULL), m1);  /* divw: the divisor's low word is 0 */
	assert_int_equal(run2(OP32(1, 5), 7, 0), m1);               /* divuw x/0 = sext(2^32-1) */
	assert_int_equal(run2(OP32(1, 6), 0xffffffff00000007ULL, 0), 7);      /* remw x%0 = sext(x[31:0]) */
	assert_int_equal(run2(OP32(1, 7), 0x80000000ULL, 0), 0xffffffff80000000ULL);  /* remuw */
	assert_int_equal(run2(OP32(1, 4), 0x80000000ULL, m1), 0xffffffff80000000ULL); /* divw overflow */
	assert_int_equal(run2(OP32(1, 6), 0x80000000ULL, m1), 0);   /* remw overflow */
	assert_int_equal(run2(OP32(1, 5), 0xfffffffeULL, 2), 0x7fffffff);     /* divuw: unsigned */
}

static void test_engine_hw_interp_multiply_high(void **state)
{
	const uint64_t m1 = UINT64_MAX, min = 0x8000000000000000ULL;

	(void)state;
	assert_int_equal(run2(OP(1, 0), 0x100000001ULL, 0x100000001ULL), 0x200000001ULL);
	assert_int_equal(run2(OP(1, 1), m1, m1), 0);                /* mulh: (-1)(-1) = 1 */
	assert_int_equal(run2(OP(1, 3), m1, m1), m1 - 1);           /* mulhu: (2^64-1)^2 */
	assert_int_equal(run2(OP(1, 2), m1, m1), m1);               /* mulhsu: -1 * (2^64-1) */
	assert_int_equal(run2(OP(1, 2), min, 2), m1);               /* mulhsu: -2^63 * 2 = -2^64 */
	assert_int_equal(run2(OP(1, 1), min, min), 0x4000000000000000ULL);
	assert_int_equal(run2(OP32(1, 0), 0x10000ULL, 0x10000ULL), 0);                /* mulw: low word 0 */
	assert_int_equal(run2(OP32(1, 0), 0x7fffffffULL, 2), 0xfffffffffffffffeULL);  /* sign-extended */
}

static void test_engine_hw_interp_shifts_and_words(void **state)
{
	(void)state;
	assert_int_equal(run2(OP(0, 1), 1, 65), 2);                 /* sll: shamt rs2[5:0] */
	assert_int_equal(run2(OP(0x20, 5), 0x8000000000000000ULL, 63), UINT64_MAX);  /* sra */
	assert_int_equal(run2(OP(0, 5), 0x8000000000000000ULL, 63), 1);               /* srl */
	assert_int_equal(run2(OP32(0, 1), 1, 63), 0xffffffff80000000ULL);   /* sllw: rs2[4:0] = 31 */
	assert_int_equal(run2(OP32(0, 5), 0xffffffff80000000ULL, 31), 1);   /* srlw of the low word */
	assert_int_equal(run2(OP32(0x20, 5), 0x80000000ULL, 4), 0xfffffffff8000000ULL);  /* sraw */
	assert_int_equal(run2(OP32(0, 0), 0x7fffffffULL, 1), 0xffffffff80000000ULL);   /* addw wraps */
	assert_int_equal(run2(OP32(0x20, 0), 0, 1), UINT64_MAX);    /* subw */
	assert_int_equal(run2(OP(0, 2), (uint64_t)-1, 0), 1);       /* slt */
	assert_int_equal(run2(OP(0, 3), (uint64_t)-1, 0), 0);       /* sltu */
	/* The immediate forms: slli by 63, srai by 63, sraiw by 31, addiw -1. */
	assert_int_equal(run2(I(63, 11, 1, 10, 0x13), 1, 0), 0x8000000000000000ULL);
	assert_int_equal(run2(I(0x400 | 63, 11, 5, 10, 0x13), 0x8000000000000000ULL, 0), UINT64_MAX);
	assert_int_equal(run2(I(0x400 | 31, 11, 5, 10, 0x1b), 0x80000000ULL, 0), UINT64_MAX);
	assert_int_equal(run2(I(-1, 11, 0, 10, 0x1b), 0x80000000ULL, 0), 0x7fffffff);
	assert_int_equal(run2(I(-1, 11, 3, 10, 0x13), 5, 0), 1);    /* sltiu x, -1: below 2^64-1 */
	/* LUI and AUIPC sign-extend their 32-bit result. */
	assert_int_equal(run2(0x80000537, 0, 0), 0xffffffff80000000ULL);           /* lui x10, 0x80000 */
	assert_int_equal(run2(0x80000517, 0, 0), 0x8000 + 0xffffffff80000000ULL);  /* auipc x10, 0x80000 */
}

static void test_engine_hw_interp_loads_extend_stores_narrow(void **state)
{
	uint64_t x[32] = { 0 }, pc = 0x8000;
	struct fake f = { 0 };

	(void)state;
	memset(f.mem, 0x80, sizeof(f.mem));
	x[11] = FAKE_VA;
	static const struct { uint32_t f3; uint64_t want; } loads[] = {
		{ 0, 0xffffffffffffff80ULL }, { 1, 0xffffffffffff8080ULL }, { 2, 0xffffffff80808080ULL },
		{ 3, 0x8080808080808080ULL }, { 4, 0x80 }, { 5, 0x8080 }, { 6, 0x80808080ULL },
	};
	for (size_t i = 0; i < sizeof(loads) / sizeof(loads[0]); i++) {
		assert_true(hw_interp_step(&fake_ops, &f, x, &pc, I(8, 11, loads[i].f3, 10, 0x03)));
		assert_int_equal(x[10], loads[i].want);
		assert_int_equal(f.last_va, FAKE_VA + 8);
		assert_int_equal(f.last_width, 1u << (loads[i].f3 & 3));
	}
	/* LD with funct3 7 is reserved: nothing happens. */
	assert_false(hw_interp_step(&fake_ops, &f, x, &pc, I(8, 11, 7, 10, 0x03)));
	/* Stores write only their width; a negative offset. */
	x[11] = FAKE_VA + 32;
	x[12] = 0x1122334455667788ULL;
	memset(f.mem, 0, sizeof(f.mem));
	assert_true(hw_interp_step(&fake_ops, &f, x, &pc, S(-16, 12, 11, 1)));   /* sh x12, -16(x11) */
	assert_int_equal(f.mem[16], 0x88);
	assert_int_equal(f.mem[17], 0x77);
	assert_int_equal(f.mem[18], 0);
	assert_true(hw_interp_step(&fake_ops, &f, x, &pc, S(0, 12, 11, 3)));     /* sd */
	assert_int_equal(f.mem[39], 0x11);
	/* A load into x0 still reads (a device would see it), and x0 stays 0. */
	unsigned before = f.loads;
	assert_true(hw_interp_step(&fake_ops, &f, x, &pc, I(0, 11, 3, 0, 0x03)));
	assert_int_equal(f.loads, before + 1);
	assert_int_equal(x[0], 0);
}

static void test_engine_hw_interp_refused_changes_nothing(void **state)
{
	static const uint32_t refused[] = {
		0x00000073,     /* ecall */
		0x00100073,     /* ebreak */
		0x10200073,     /* sret */
		0x10500073,     /* wfi */
		0x14002573,     /* csrr a0, sscratch */
		0xc0102573,     /* rdtime a0 */
		0x0000100f,     /* fence.i */
		0x12000073,     /* sfence.vma */
		0x00b5252f,     /* amoadd.w a0, a1, (a0) */
		0x1005b52f,     /* lr.d a0, (a1) */
		0x0005a507,     /* flw f10, 0(a1) */
		0x02b57553,     /* fadd.s */
		0x20b54533,     /* sh2add (Zba): funct7 0x10 */
		0x60051513,     /* clz (Zbb) */
		0x0005a01f,     /* 48-bit encoding */
		0xffffffff,     /* reserved */
		0x0000205b,     /* custom-2 */
	};
	uint64_t x[32], pc = 0x8000;
	struct fake f = { 0 };

	(void)state;
	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		for (unsigned r = 0; r < 32; r++)
			x[r] = 0x1000 + r;
		x[0] = 0;
		if (hw_interp_step(&fake_ops, &f, x, &pc, refused[i]))
			fail_msg("0x%08x was interpreted", refused[i]);
		assert_int_equal(pc, 0x8000);
		for (unsigned r = 1; r < 32; r++)
			assert_int_equal(x[r], 0x1000 + r);
	}
	assert_int_equal(f.loads + f.stores + f.fences, 0);
	/* A refused access: the load's register and the pc stay. */
	f.refuse = true;
	x[10] = 42;
	x[11] = FAKE_VA;
	assert_false(hw_interp_step(&fake_ops, &f, x, &pc, I(0, 11, 3, 10, 0x03)));
	assert_false(hw_interp_step(&fake_ops, &f, x, &pc, S(0, 10, 11, 3)));
	assert_int_equal(x[10], 42);
	assert_int_equal(pc, 0x8000);
}

static void test_engine_hw_interp_control_transfer(void **state)
{
	uint64_t x[32] = { 0 }, pc = 0x8000;
	struct fake f = { 0 };

	(void)state;
	/* JALR with rd = rs1: the target comes from rs1 before the link; bit 0 cleared. */
	x[5] = 0x9001;
	assert_true(hw_interp_step(&fake_ops, &f, x, &pc, I(4, 5, 0, 5, 0x67)));
	assert_int_equal(pc, 0x9004);
	assert_int_equal(x[5], 0x8004);
	/* C.JALR x7: the link is pc + 2. */
	x[7] = 0xa000;
	assert_true(hw_interp_step(&fake_ops, &f, x, &pc, 0x9382));
	assert_int_equal(pc, 0xa000);
	assert_int_equal(x[1], 0x9006);
	/* JAL backwards, rd = x0 (c.j): no link. */
	assert_true(hw_interp_step(&fake_ops, &f, x, &pc, 0xbfe5));    /* c.j .-8 */
	assert_int_equal(pc, 0xa000 - 8);
	/* Branches: taken and not, signed and unsigned. */
	x[11] = (uint64_t)-1;
	x[12] = 1;
	pc = 0x8000;
	assert_true(hw_interp_step(&fake_ops, &f, x, &pc, 0x00c5c463));  /* blt x11, x12, .+8 */
	assert_int_equal(pc, 0x8008);
	assert_true(hw_interp_step(&fake_ops, &f, x, &pc, 0x00c5e463));  /* bltu x11, x12, .+8: not taken */
	assert_int_equal(pc, 0x800c);
	assert_true(hw_interp_step(&fake_ops, &f, x, &pc, 0xfec5dee3));  /* bge x11, x12, .-4: not taken */
	assert_int_equal(pc, 0x8010);
	assert_true(hw_interp_step(&fake_ops, &f, x, &pc, 0xfec5fee3));  /* bgeu x11, x12, .-4: taken */
	assert_int_equal(pc, 0x800c);
	/* Branch funct3 2 and 3 are reserved. */
	assert_false(hw_interp_step(&fake_ops, &f, x, &pc, 0x00c5a463));
	/* FENCE orders through the callback; nothing else changes. */
	assert_true(hw_interp_step(&fake_ops, &f, x, &pc, 0x0ff0000f));
	assert_int_equal(f.fences, 1);
	assert_int_equal(pc, 0x8010);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_engine_hw_interp_rvc_matches_assembler),
		cmocka_unit_test(test_engine_hw_interp_rvc_refused),
		cmocka_unit_test(test_engine_hw_interp_division_table),
		cmocka_unit_test(test_engine_hw_interp_multiply_high),
		cmocka_unit_test(test_engine_hw_interp_shifts_and_words),
		cmocka_unit_test(test_engine_hw_interp_loads_extend_stores_narrow),
		cmocka_unit_test(test_engine_hw_interp_refused_changes_nothing),
		cmocka_unit_test(test_engine_hw_interp_control_transfer),
	};

	return cmocka_run_group_tests_name("engine_hw_interp", tests, NULL, NULL);
}
