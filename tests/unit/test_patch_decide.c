/* The patcher's pure decisions: which instructions are sites, which form
 * each takes, and how far a path from a discovered site is decoded. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

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
	unsigned n = patch_decide_scan(page, 0x104, c, 8);
	assert_int_equal(n, 3);
	assert_int_equal(c[0].off, 0x106);
	assert_int_equal(c[0].raw, CSRW_SEPC_A1);
	assert_int_equal(c[0].form, PATCH_FORM_C_EBREAK);     /* 2 mod 4 */
	assert_int_equal(c[1].off, 0x10e);
	assert_int_equal(c[1].form, PATCH_FORM_C_EBREAK);
	assert_int_equal(c[2].off, 0x112);
	assert_int_equal(c[2].raw, SRET);
	/* max bounds what is recorded. */
	assert_int_equal(patch_decide_scan(page, 0x104, c, 1), 1);
}

static void test_patch_decide_scan_stops_at_jumps_traps_and_page_end(void **state)
{
	(void)state;
	static uint8_t page[PATCH_PAGE_SIZE];
	struct patch_candidate c[8];
	memset(page, 0, sizeof(page));
	put16(page, 0x200, C_J);
	put32(page, 0x202, SRET);
	assert_int_equal(patch_decide_scan(page, 0x200, c, 8), 0);
	put32(page, 0x300, EBREAK);                     /* what follows may be data */
	put32(page, 0x304, SRET);
	assert_int_equal(patch_decide_scan(page, 0x300, c, 8), 0);
	/* The all-zero parcel (zeroed page): illegal, nothing decoded past it. */
	assert_int_equal(patch_decide_scan(page, 0x400, c, 8), 0);
	/* A site whose upper half is on the next page is not read. */
	put16(page, PATCH_PAGE_SIZE - 2, CSRRS_A0_SSTATUS_X0 & 0xffff);
	assert_int_equal(patch_decide_scan(page, PATCH_PAGE_SIZE - 2, c, 8), 0);
	/* Odd offsets and the page end decode nothing. */
	assert_int_equal(patch_decide_scan(page, 0x301, c, 8), 0);
	assert_int_equal(patch_decide_scan(page, PATCH_PAGE_SIZE, c, 8), 0);
	/* At most PATCH_SCAN_MAX instructions: a long run of C.NOPs. */
	for (unsigned o = 0x800; o < 0x800 + 2 * PATCH_SCAN_MAX; o += 2)
		put16(page, o, C_NOP);
	put32(page, 0x800 + 2 * PATCH_SCAN_MAX, SRET);
	assert_int_equal(patch_decide_scan(page, 0x800, c, 8), 0);
	assert_int_equal(patch_decide_scan(page, 0x802, c, 8), 1);
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
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
