/* The patcher's pure decisions: which instructions are sites, which form
 * each takes, and how far a path from a discovered site is decoded. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "arch/riscv/decode.h"
#include "arch/riscv/patch_decide.h"

/* Encodings (Unprivileged ISA "Zicsr", Privileged ISA 3.3/4.2.1). */
#define CSRRS_A0_SSTATUS_X0  0x10002573u    /* csrr a0, sstatus */
#define CSRRW_A0_SSCRATCH_A0 0x14051573u    /* csrrw a0, sscratch, a0 */
#define CSRW_SEPC_A1         0x14159073u    /* csrw sepc, a1 */
#define CSRR_A0_SATP         0x18002573u    /* csrr a0, satp */
#define CSRR_A0_CYCLE        0xc0002573u    /* rdcycle a0: user level, not a site */
#define CSRR_A0_MSTATUS      0x30002573u    /* M level: not a site */
#define SRET                 0x10200073u
#define WFI                  0x10500073u
#define SFENCE_VMA           0x12000073u
#define ECALL                0x00000073u
#define EBREAK               0x00100073u
#define ADDI_A0_A0_1         0x00150513u
#define JAL_X0               0x0000006fu
#define BEQ                  0x00000063u
#define C_NOP                0x0001u
#define C_J                  0xa001u
#define C_JR_RA              0x8082u
#define C_EBREAK             0x9002u
#define C_ADDIW              0x2505u         /* addiw a0, a0, 1: RV64, falls through */

static void put32(uint8_t *p, unsigned off, uint32_t v)
{
	p[off] = (uint8_t)v;
	p[off + 1] = (uint8_t)(v >> 8);
	p[off + 2] = (uint8_t)(v >> 16);
	p[off + 3] = (uint8_t)(v >> 24);
}

static void put16(uint8_t *p, unsigned off, uint16_t v)
{
	p[off] = (uint8_t)v;
	p[off + 1] = (uint8_t)(v >> 8);
}

static void test_patch_decide_s_level_privileged_are_sites(void **state)
{
	(void)state;
	assert_int_equal(patch_decide_form(CSRRS_A0_SSTATUS_X0, 0), PATCH_FORM_EBREAK);
	assert_int_equal(patch_decide_form(CSRRW_A0_SSCRATCH_A0, 0x10), PATCH_FORM_EBREAK);
	assert_int_equal(patch_decide_form(CSRW_SEPC_A1, 0x14), PATCH_FORM_EBREAK);
	assert_int_equal(patch_decide_form(CSRR_A0_SATP, 0x800), PATCH_FORM_EBREAK);
	assert_int_equal(patch_decide_form(SRET, 4), PATCH_FORM_EBREAK);
	assert_int_equal(patch_decide_form(WFI, 4), PATCH_FORM_EBREAK);
	assert_int_equal(patch_decide_form(SFENCE_VMA, 4), PATCH_FORM_EBREAK);
}

static void test_patch_decide_others_are_left_alone(void **state)
{
	(void)state;
	assert_int_equal(patch_decide_form(CSRR_A0_CYCLE, 0), PATCH_FORM_NONE);
	assert_int_equal(patch_decide_form(CSRR_A0_MSTATUS, 0), PATCH_FORM_NONE);
	assert_int_equal(patch_decide_form(ECALL, 0), PATCH_FORM_NONE);
	assert_int_equal(patch_decide_form(EBREAK, 0), PATCH_FORM_NONE);
	assert_int_equal(patch_decide_form(ADDI_A0_A0_1, 0), PATCH_FORM_NONE);
	assert_int_equal(patch_decide_form(C_EBREAK, 0), PATCH_FORM_NONE);
	assert_int_equal(patch_decide_form(0x30200073u, 0), PATCH_FORM_NONE);   /* mret */
	/* Offsets that are no instruction boundary or off the page. */
	assert_int_equal(patch_decide_form(SRET, 3), PATCH_FORM_NONE);
	assert_int_equal(patch_decide_form(SRET, PATCH_PAGE_SIZE), PATCH_FORM_NONE);
}

static void test_patch_decide_straddling_site_takes_c_ebreak(void **state)
{
	(void)state;
	assert_int_equal(patch_decide_form(CSRRS_A0_SSTATUS_X0, PATCH_PAGE_SIZE - 2), PATCH_FORM_C_EBREAK);
	assert_int_equal(patch_decide_form(CSRRS_A0_SSTATUS_X0, PATCH_PAGE_SIZE - 4), PATCH_FORM_EBREAK);
}

/* At 2 mod 4 one 32-bit store cannot write the site: a hart fetching it
 * meanwhile might see half an EBREAK and half the CSR instruction. */
static void test_patch_decide_2_mod_4_site_takes_c_ebreak(void **state)
{
	(void)state;
	assert_int_equal(patch_decide_form(CSRW_SEPC_A1, 0x12), PATCH_FORM_C_EBREAK);
	assert_int_equal(patch_decide_form(SRET, 0x2), PATCH_FORM_C_EBREAK);
	assert_int_equal(patch_decide_form(CSRW_SEPC_A1, PATCH_PAGE_SIZE - 6), PATCH_FORM_C_EBREAK);
	assert_int_equal(patch_decide_form(CSRW_SEPC_A1, PATCH_PAGE_SIZE - 8), PATCH_FORM_EBREAK);
	/* The forms are the ISA's EBREAK and C.EBREAK. */
	assert_int_equal(PATCH_EBREAK, EBREAK);
	assert_int_equal(PATCH_C_EBREAK, C_EBREAK);
}

static void test_patch_decide_falls_through(void **state)
{
	(void)state;
	assert_true(patch_decide_falls_through(ADDI_A0_A0_1, 4));
	assert_true(patch_decide_falls_through(CSRRS_A0_SSTATUS_X0, 4));
	assert_true(patch_decide_falls_through(SFENCE_VMA, 4));
	assert_true(patch_decide_falls_through(WFI, 4));
	assert_true(patch_decide_falls_through(C_NOP, 2));
	assert_true(patch_decide_falls_through(C_ADDIW, 2));
	assert_false(patch_decide_falls_through(SRET, 4));
	assert_false(patch_decide_falls_through(ECALL, 4));
	assert_false(patch_decide_falls_through(EBREAK, 4));
	assert_false(patch_decide_falls_through(JAL_X0, 4));
	assert_false(patch_decide_falls_through(BEQ, 4));
	assert_false(patch_decide_falls_through(0x000080e7u, 4));  /* jalr ra */
	assert_false(patch_decide_falls_through(C_J, 2));
	assert_false(patch_decide_falls_through(C_JR_RA, 2));
	assert_false(patch_decide_falls_through(C_EBREAK, 2));
	assert_false(patch_decide_falls_through(0xc101u, 2));      /* c.beqz */
	assert_false(patch_decide_falls_through(0, 2));
	assert_false(patch_decide_falls_through(0xffffffffu, 4));
	assert_false(patch_decide_falls_through(0x0000001fu, 6));  /* 48-bit: not ours */
}

/* Linux's irq save/restore around a user copy, mixed lengths. */
static void test_patch_decide_scan_follows_straight_line(void **state)
{
	(void)state;
	static uint8_t page[PATCH_PAGE_SIZE];
	struct patch_candidate c[8];
	memset(page, 0, sizeof(page));
	unsigned o = 0x100;
	put32(page, o, CSRRS_A0_SSTATUS_X0); o += 4;
	put16(page, o, C_NOP); o += 2;
	put32(page, o, CSRW_SEPC_A1); o += 4;           /* at 2 mod 4 */
	put32(page, o, ADDI_A0_A0_1); o += 4;
	put32(page, o, SFENCE_VMA); o += 4;
	put32(page, o, SRET); o += 4;                   /* a site that ends the path */
	put32(page, o, CSRR_A0_SATP);                   /* unreachable from here */
	unsigned n = patch_decide_scan(page, 0x104, 0, c, 8);
	assert_int_equal(n, 3);
	assert_int_equal(c[0].off, 0x106);
	assert_int_equal(c[0].raw, CSRW_SEPC_A1);
	assert_int_equal(c[0].form, PATCH_FORM_C_EBREAK);     /* 2 mod 4 */
	assert_int_equal(c[1].off, 0x10e);
	assert_int_equal(c[1].form, PATCH_FORM_C_EBREAK);
	assert_int_equal(c[2].off, 0x112);
	assert_int_equal(c[2].raw, SRET);
	/* max bounds what is recorded. */
	assert_int_equal(patch_decide_scan(page, 0x104, 0, c, 1), 1);
}

static void test_patch_decide_scan_stops_at_jumps_traps_and_page_end(void **state)
{
	(void)state;
	static uint8_t page[PATCH_PAGE_SIZE];
	struct patch_candidate c[8];
	memset(page, 0, sizeof(page));
	put16(page, 0x200, C_J);
	put32(page, 0x202, SRET);
	assert_int_equal(patch_decide_scan(page, 0x200, 0, c, 8), 0);
	put32(page, 0x300, EBREAK);                     /* what follows may be data */
	put32(page, 0x304, SRET);
	assert_int_equal(patch_decide_scan(page, 0x300, 0, c, 8), 0);
	/* The all-zero parcel (zeroed page): illegal, nothing decoded past it. */
	assert_int_equal(patch_decide_scan(page, 0x400, 0, c, 8), 0);
	/* A site whose upper half is on the next page is not read. */
	put16(page, PATCH_PAGE_SIZE - 2, CSRRS_A0_SSTATUS_X0 & 0xffff);
	assert_int_equal(patch_decide_scan(page, PATCH_PAGE_SIZE - 2, 0, c, 8), 0);
	/* Odd offsets and the page end decode nothing. */
	assert_int_equal(patch_decide_scan(page, 0x301, 0, c, 8), 0);
	assert_int_equal(patch_decide_scan(page, PATCH_PAGE_SIZE, 0, c, 8), 0);
	/* At most PATCH_SCAN_MAX instructions: a long run of C.NOPs. */
	for (unsigned o = 0x800; o < 0x800 + 2 * PATCH_SCAN_MAX; o += 2)
		put16(page, o, C_NOP);
	put32(page, 0x800 + 2 * PATCH_SCAN_MAX, SRET);
	assert_int_equal(patch_decide_scan(page, 0x800, 0, c, 8), 0);
	assert_int_equal(patch_decide_scan(page, 0x802, 0, c, 8), 1);
}

/* Zicsr encodings: csr[31:20] rs1[19:15] funct3[14:12] rd[11:7] 0x73. */
static uint32_t zicsr(unsigned csr, unsigned rs1, unsigned funct3, unsigned rd)
{
	return (csr << 20) | (rs1 << 15) | (funct3 << 12) | (rd << 7) | 0x73;
}

#define X0_ALL (PATCH_X0_READS | PATCH_X0_WRITE(0) | PATCH_X0_WRITE(1) | PATCH_X0_WRITE(2) | \
		PATCH_X0_WRITE(3))

static void test_patch_decide_x0_plain_reads_and_writes(void **state)
{
	(void)state;
	static const unsigned csrs[] = { 0x140, 0x141, 0x142, 0x143 };

	for (unsigned i = 0; i < 4; i++) {
		unsigned c = csrs[i];
		/* Reads: csrr (CSRRS rs1 = x0), CSRRC with rs1 = x0, CSRRSI/CSRRCI with uimm 0. */
		assert_int_equal(patch_decide_form_x0(zicsr(c, 0, 2, 10), 0, X0_ALL), PATCH_FORM_X0_LOAD);
		assert_int_equal(patch_decide_form_x0(zicsr(c, 0, 3, 10), 0, X0_ALL), PATCH_FORM_X0_LOAD);
		assert_int_equal(patch_decide_form_x0(zicsr(c, 0, 6, 31), 8, X0_ALL), PATCH_FORM_X0_LOAD);
		assert_int_equal(patch_decide_form_x0(zicsr(c, 0, 7, 1), 8, X0_ALL), PATCH_FORM_X0_LOAD);
		/* Writes: csrw (CSRRW rd = x0), x0 as the value too, CSRRWI of 0. */
		assert_int_equal(patch_decide_form_x0(zicsr(c, 11, 1, 0), 0, X0_ALL), PATCH_FORM_X0_STORE);
		assert_int_equal(patch_decide_form_x0(zicsr(c, 0, 1, 0), 0, X0_ALL), PATCH_FORM_X0_STORE);
		assert_int_equal(patch_decide_form_x0(zicsr(c, 0, 5, 0), 0, X0_ALL), PATCH_FORM_X0_STORE);
		/* A swap, a read-modify-write, CSRRWI of a nonzero value, a
		 * write that also reads: they need Trapeze. */
		assert_int_equal(patch_decide_form_x0(zicsr(c, 10, 1, 10), 0, X0_ALL), PATCH_FORM_EBREAK);
		assert_int_equal(patch_decide_form_x0(zicsr(c, 11, 2, 10), 0, X0_ALL), PATCH_FORM_EBREAK);
		assert_int_equal(patch_decide_form_x0(zicsr(c, 11, 3, 0), 0, X0_ALL), PATCH_FORM_EBREAK);
		assert_int_equal(patch_decide_form_x0(zicsr(c, 4, 5, 0), 0, X0_ALL), PATCH_FORM_EBREAK);
		assert_int_equal(patch_decide_form_x0(zicsr(c, 1, 6, 10), 0, X0_ALL), PATCH_FORM_EBREAK);
		/* A read into x0 reads nothing anyone sees: left as it is. */
		assert_int_equal(patch_decide_form_x0(zicsr(c, 0, 2, 0), 0, X0_ALL), PATCH_FORM_EBREAK);
		/* Only where one aligned store writes it. */
		assert_int_equal(patch_decide_form_x0(zicsr(c, 0, 2, 10), 2, X0_ALL), PATCH_FORM_C_EBREAK);
		assert_int_equal(patch_decide_form_x0(zicsr(c, 0, 2, 10), PATCH_PAGE_SIZE - 2, X0_ALL),
				 PATCH_FORM_C_EBREAK);
		/* The VM's mask decides, slot by slot. */
		assert_int_equal(patch_decide_form_x0(zicsr(c, 0, 2, 10), 0, 0), PATCH_FORM_EBREAK);
		assert_int_equal(patch_decide_form_x0(zicsr(c, 0, 2, 10), 0, X0_ALL & ~PATCH_X0_READ(i)),
				 PATCH_FORM_EBREAK);
		assert_int_equal(patch_decide_form_x0(zicsr(c, 11, 1, 0), 0, PATCH_X0_READS), PATCH_FORM_EBREAK);
		assert_int_equal(patch_decide_form_x0(zicsr(c, 11, 1, 0), 0, PATCH_X0_WRITE(i)),
				 PATCH_FORM_X0_STORE);
	}
	/* Other CSRs never: sstatus (FS/VS Dirty live in the hardware), sip,
	 * satp, sie, stvec; and non-CSR sites keep their breakpoints. */
	static const unsigned others[] = { 0x100, 0x104, 0x105, 0x144, 0x180, 0x14d };
	for (unsigned i = 0; i < sizeof(others) / sizeof(others[0]); i++) {
		assert_int_equal(patch_decide_form_x0(zicsr(others[i], 0, 2, 10), 0, X0_ALL), PATCH_FORM_EBREAK);
		assert_int_equal(patch_decide_form_x0(zicsr(others[i], 11, 1, 0), 0, X0_ALL), PATCH_FORM_EBREAK);
	}
	assert_int_equal(patch_decide_form_x0(SRET, 0, X0_ALL), PATCH_FORM_EBREAK);
	assert_int_equal(patch_decide_form_x0(ADDI_A0_A0_1, 0, X0_ALL), PATCH_FORM_NONE);
	assert_int_equal(patch_x0_slot(0x140), PATCH_X0_SSCRATCH);
	assert_int_equal(patch_x0_slot(0x143), PATCH_X0_STVAL);
	assert_int_equal(patch_x0_slot(0x100), PATCH_X0_SLOTS);
}

/* The replacement, read back with Trapeze's own decoder: LD into the
 * CSR read's rd, SD of the CSR write's rs1, base x0, at the slot's
 * offset in [-2048, 2047], 8 bytes, and 4 bytes long like the original. */
static void test_patch_decide_x0_encodings_decode_as_loads_and_stores(void **state)
{
	(void)state;
	struct insn in;

	for (unsigned slot = 0; slot < PATCH_X0_SLOTS; slot++) {
		for (unsigned r = 0; r < 32; r++) {
			unsigned csr = 0x140 + slot;
			uint32_t ld = patch_x0_insn(zicsr(csr, 0, 2 + (r & 1), r ? r : 1), PATCH_FORM_X0_LOAD);
			assert_int_equal(decode_insn(ld, &in), 0);
			assert_int_equal(in.kind, INSN_LOAD);
			assert_int_equal(in.len, 4);
			assert_int_equal(in.rs1, 0);
			assert_int_equal(in.rd, r ? r : 1);
			assert_int_equal(in.width, 8);
			assert_false(in.fp);
			assert_int_equal(in.imm, PATCH_X0_OFF0 + 8 * (int)slot);

			uint32_t sd = patch_x0_insn(zicsr(csr, r, 1, 0), PATCH_FORM_X0_STORE);
			assert_int_equal(decode_insn(sd, &in), 0);
			assert_int_equal(in.kind, INSN_STORE);
			assert_int_equal(in.len, 4);
			assert_int_equal(in.rs1, 0);
			assert_int_equal(in.rs2, r);
			assert_int_equal(in.width, 8);
			assert_false(in.fp);
			assert_int_equal(in.imm, PATCH_X0_OFF0 + 8 * (int)slot);
		}
		/* CSRRWI 0: the store writes x0. */
		uint32_t sd = patch_x0_insn(zicsr(0x140 + slot, 0, 5, 0), PATCH_FORM_X0_STORE);
		assert_int_equal(decode_insn(sd, &in), 0);
		assert_int_equal(in.kind, INSN_STORE);
		assert_int_equal(in.rs2, 0);
	}
	/* Every slot lies in the top page's second half: VA PATCH_X0_VA + 0x800.. */
	assert_int_equal((uint64_t)(int64_t)PATCH_X0_OFF0 & ~0xfffull, PATCH_X0_VA);
	assert_true((uint64_t)(int64_t)(PATCH_X0_OFF0 + 8 * PATCH_X0_SLOTS) != 0);
}

/* The scan gives the x0 forms too, by the mask handed in. */
static void test_patch_decide_scan_takes_x0_forms(void **state)
{
	(void)state;
	static uint8_t page[PATCH_PAGE_SIZE];
	struct patch_candidate c[8];

	memset(page, 0, sizeof(page));
	put32(page, 0x100, CSRRS_A0_SSTATUS_X0);        /* the trapping one */
	put32(page, 0x104, zicsr(0x141, 0, 2, 12));     /* csrr a2, sepc */
	put32(page, 0x108, zicsr(0x140, 0, 1, 0));      /* csrw sscratch, x0 */
	put32(page, 0x10c, CSRRW_A0_SSCRATCH_A0);       /* a swap */
	put32(page, 0x110, JAL_X0);
	assert_int_equal(patch_decide_scan(page, 0x104, X0_ALL, c, 8), 3);
	assert_int_equal(c[0].form, PATCH_FORM_X0_LOAD);
	assert_int_equal(c[1].form, PATCH_FORM_X0_STORE);
	assert_int_equal(c[2].form, PATCH_FORM_EBREAK);
	assert_int_equal(patch_decide_scan(page, 0x104, 0, c, 8), 3);
	assert_int_equal(c[0].form, PATCH_FORM_EBREAK);
	assert_int_equal(c[1].form, PATCH_FORM_EBREAK);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_patch_decide_s_level_privileged_are_sites),
		cmocka_unit_test(test_patch_decide_others_are_left_alone),
		cmocka_unit_test(test_patch_decide_straddling_site_takes_c_ebreak),
		cmocka_unit_test(test_patch_decide_2_mod_4_site_takes_c_ebreak),
		cmocka_unit_test(test_patch_decide_falls_through),
		cmocka_unit_test(test_patch_decide_scan_follows_straight_line),
		cmocka_unit_test(test_patch_decide_scan_stops_at_jumps_traps_and_page_end),
		cmocka_unit_test(test_patch_decide_x0_plain_reads_and_writes),
		cmocka_unit_test(test_patch_decide_x0_encodings_decode_as_loads_and_stores),
		cmocka_unit_test(test_patch_decide_scan_takes_x0_forms),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
