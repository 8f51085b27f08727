/*
 * The audit's host side (tools/launcher/audit.c, audit_rules.c): parsing
 * the guest's result lines, the rules, classification, the report and its
 * verdict. No QEMU: the guest output is given as text.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "audit.h"

#define OK      AUDIT_OUT_OK
#define EMU     AUDIT_OUT_EMU
#define ILL     AUDIT_CAUSE_ILLEGAL

static struct audit_data data;
static struct audit_report report;

static int teardown(void **state)
{
	(void)state;
	audit_report_free(&report);
	audit_data_free(&data);
	return 0;
}

static unsigned form_bit(const char *name)
{
	for (unsigned i = 0; i < AUDIT_FORMS; i++)
		if (strcmp(audit_csr_forms[i].name, name) == 0)
			return 1u << i;
	fail_msg("no form %s", name);
	return 0;
}

static void build(const char *text)
{
	assert_int_equal(audit_data_add_text(&data, text, strlen(text)), 0);
	assert_int_equal(audit_build_report(&data, &report), 0);
}

/* The classified row for ITEM ("csr 0x100", "insn wfi") under COND with form set FORMS (0: any). */
static const struct audit_row *find_row(enum audit_kind kind, unsigned lo, const char *insn,
					const char *cond, unsigned forms)
{
	for (size_t i = 0; i < report.nclassified; i++) {
		const struct audit_row *r = &report.rows[i];

		if (r->kind != kind || strcmp(r->cond, cond) != 0)
			continue;
		if (kind == AUDIT_CSR && (lo < r->lo || lo > r->hi))
			continue;
		if (kind == AUDIT_INSN && strcmp(r->insn, insn) != 0)
			continue;
		if (forms && r->forms != forms)
			continue;
		return r;
	}
	return NULL;
}

/* ---- parsing ------------------------------------------------------------- */

static void test_audit_parse_csr_range(void **state)
{
	struct audit_line l;

	(void)state;
	assert_int_equal(audit_parse_line("csr 0x7a0-0x7af rs - U trap=2", &l), 1);
	assert_int_equal(l.kind, AUDIT_CSR);
	assert_int_equal(l.lo, 0x7a0);
	assert_int_equal(l.hi, 0x7af);
	assert_int_equal(l.forms, form_bit("rs"));
	assert_string_equal(l.cond, "-");
	assert_int_equal(l.mode, AUDIT_U);
	assert_int_equal(l.out, ILL);
	assert_string_equal(l.fx, "");

	assert_int_equal(audit_parse_line("csr 0x100 * - S ok", &l), 1);
	assert_int_equal(l.lo, 0x100);
	assert_int_equal(l.hi, 0x100);
	assert_int_equal(l.forms, AUDIT_ALL_FORMS);
	assert_int_equal(l.mode, AUDIT_S);
	assert_int_equal(l.out, OK);
}

static void test_audit_parse_form_list_and_cond(void **state)
{
	struct audit_line l;

	(void)state;
	assert_int_equal(audit_parse_line("csr 0xc01 rs0,rc0,rsi0,rci0 cen=1 U emu\r\n", &l), 1);
	assert_int_equal(l.forms, form_bit("rs0") | form_bit("rc0") | form_bit("rsi0") |
			 form_bit("rci0"));
	assert_string_equal(l.cond, "cen=1");
	assert_int_equal(l.out, EMU);
}

static void test_audit_parse_insn_with_effect(void **state)
{
	struct audit_line l;

	(void)state;
	assert_int_equal(audit_parse_line("insn fadd.d - fs=on U ok fx=fs-dirty", &l), 1);
	assert_int_equal(l.kind, AUDIT_INSN);
	assert_string_equal(l.insn, "fadd.d");
	assert_string_equal(l.opform, "-");
	assert_string_equal(l.cond, "fs=on");
	assert_string_equal(l.fx, "fs-dirty");
	assert_int_equal(audit_parse_line("insn sfence.vma va+asid - U trap=2", &l), 1);
	assert_string_equal(l.opform, "va+asid");
	assert_int_equal(audit_parse_line("insn ecall - - U trap=8", &l), 1);
	assert_int_equal(l.out, AUDIT_CAUSE_ECALL_U);
}

static void test_audit_parse_ignores_other_lines(void **state)
{
	static const char *const lines[] = {
		"", "done", "audit: begin", "OpenSBI v1.1", "Boot HART MEDELEG : 0xb109",
		"csrfoo", "insnbar", "info: whatever",
	};
	struct audit_line l;

	(void)state;
	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++)
		assert_int_equal(audit_parse_line(lines[i], &l), 0);
}

static void test_audit_parse_rejects_malformed(void **state)
{
	static const char *const bad[] = {
		"csr 0x100 * - S",                      /* no result */
		"csr 0x100 * - S ok extra",             /* stray token */
		"csr 0x100 * - X ok",                   /* mode */
		"csr 100 * - S ok",                     /* not hex */
		"csr 0x1000 * - S ok",                  /* beyond 12 bits */
		"csr 0x200-0x100 * - S ok",             /* reversed range */
		"csr 0x100 rx - S ok",                  /* unknown form */
		"csr 0x100 rw,,rs - S trap=2x",         /* bad result */
		"csr 0x100 * - S trap=64",              /* not a cause */
		"csr 0x100 * - S maybe",
		"insn wfi - - S ok fy=1",               /* not an effect */
		"insn averyveryveryverylongmnemonic - - S ok",
	};
	struct audit_line l;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (audit_parse_line(bad[i], &l) != -1)
			fail_msg("accepted: %s", bad[i]);
	}
}

/* ---- rules ----------------------------------------------------------------- */

static void test_audit_rule_every_csr_has_one(void **state)
{
	(void)state;
	for (unsigned c = 0; c < AUDIT_NCSR; c++) {
		const struct audit_rule *r = audit_rule_csr(c);

		assert_non_null(r);
		assert_non_null(r->spec);
		/* Every number above U level is sensitive both ways (2.1). */
		if ((c >> 8) & 3) {
			assert_int_equal(r->sens_read & AUDIT_SENS_BEHAVIOUR, AUDIT_SENS_BEHAVIOUR);
			assert_int_equal(r->sens_write & AUDIT_SENS_CONTROL, AUDIT_SENS_CONTROL);
		}
	}
}

static void test_audit_rule_csr_specific_before_generic(void **state)
{
	(void)state;
	assert_string_equal(audit_rule_csr(0x100)->name, "sstatus");
	assert_string_equal(audit_rule_csr(0x180)->name, "satp");
	assert_string_equal(audit_rule_csr(0x181)->name, "S-level");
	assert_string_equal(audit_rule_csr(0x605)->name, "htimedelta");
	assert_non_null(audit_rule_csr(0x605)->firmware);
	assert_string_equal(audit_rule_csr(0x7a5)->name, "trigger (Sdtrig)");
	assert_string_equal(audit_rule_csr(0x341)->name, "M-level");
	assert_string_equal(audit_rule_csr(0xc01)->name, "time");
	assert_string_equal(audit_rule_csr(0xc01)->control, "scounteren.TM");
	assert_string_equal(audit_rule_csr(0xc1f)->name, "hpmcounter");
	assert_string_equal(audit_rule_csr(0x002)->control, "sstatus.FS");
	assert_string_equal(audit_rule_csr(0xc21)->control, "sstatus.VS");
	/* Unassigned U-level numbers are not sensitive. */
	assert_string_equal(audit_rule_csr(0x800)->name, "U-level");
	assert_int_equal(audit_rule_csr(0x800)->sens_read, 0);
	assert_int_equal(audit_rule_csr(0x800)->sens_write, 0);
	assert_non_null(strstr(audit_rule_csr(0x100)->spec, "Privileged ISA v1.12, 4.1.1"));
}

static void test_audit_rule_insn_patterns(void **state)
{
	(void)state;
	/* fence and fence.i match before the "f*" FP rule. */
	assert_int_equal(audit_rule_insn("fence.i")->sens_read, 0);
	assert_int_equal(audit_rule_insn("fence")->sens_read, 0);
	assert_string_equal(audit_rule_insn("fadd.d")->control, "sstatus.FS");
	assert_string_equal(audit_rule_insn("vle32.v")->control, "sstatus.VS");
	assert_string_equal(audit_rule_insn("hlvx.wu")->control, "hstatus.HU");
	assert_string_equal(audit_rule_insn("hsv.b")->control, "hstatus.HU");
	assert_int_equal(audit_rule_insn("cbo.zero")->sens_read, AUDIT_SENS_BEHAVIOUR);
	assert_int_equal(audit_rule_insn("cbo.inval")->sens_read, AUDIT_SENS_CONTROL);
	assert_non_null(strstr(audit_rule_insn("wfi")->spec, "3.3.3 Wait for Interrupt"));
	assert_non_null(strstr(audit_rule_insn("sfence.inval.ir")->spec, "Svinval"));
	assert_non_null(strstr(audit_rule_insn("hfence.gvma")->spec, "8.3.2"));
	assert_null(audit_rule_insn("xyzzy"));
}

static void test_audit_csr_sens_by_form(void **state)
{
	const struct audit_rule *sstatus = audit_rule_csr(0x100);
	unsigned rw = 0, rw0 = 1, rs0 = 3;

	(void)state;
	assert_string_equal(audit_csr_forms[rw0].name, "rw0");
	assert_string_equal(audit_csr_forms[rs0].name, "rs0");
	assert_int_equal(audit_csr_sens(sstatus, rw), AUDIT_SENS_BEHAVIOUR | AUDIT_SENS_CONTROL);
	assert_int_equal(audit_csr_sens(sstatus, rw0), AUDIT_SENS_CONTROL);
	assert_int_equal(audit_csr_sens(sstatus, rs0), AUDIT_SENS_BEHAVIOUR);
	assert_int_equal(audit_csr_sens(audit_rule_csr(0x800), rw), 0);
	assert_int_equal(audit_csr_sens(NULL, rw), 0);
}

static void test_audit_control_positions(void **state)
{
	(void)state;
	assert_true(audit_control_find("cen=1")->permissive);
	assert_false(audit_control_find("cen=0")->permissive);
	assert_string_equal(audit_control_find("fs=on")->control, "sstatus.FS");
	assert_non_null(audit_control_find("env=1")->trapeze);
	assert_true(audit_control_find("hu=1")->permissive);
	assert_null(audit_control_find("-"));
	assert_null(audit_control_find("zz=1"));
}

/* ---- classification ---------------------------------------------------------- */

static void test_audit_classify_table(void **state)
{
	static const struct {
		int s, u;
		unsigned sens;
		bool permissive;
		enum audit_class want;
	} cases[] = {
		{ OK, ILL, AUDIT_SENS_CONTROL, false, AUDIT_PRIVILEGED },
		{ EMU, ILL, AUDIT_SENS_CONTROL, false, AUDIT_PRIVILEGED },
		{ OK, AUDIT_CAUSE_ECALL_U, AUDIT_SENS_CONTROL, false, AUDIT_PRIVILEGED },
		{ ILL, ILL, AUDIT_SENS_CONTROL, false, AUDIT_ALWAYS_TRAPS },
		{ AUDIT_CAUSE_BREAKPOINT, AUDIT_CAUSE_BREAKPOINT, 0, false, AUDIT_ALWAYS_TRAPS },
		{ OK, OK, 0, false, AUDIT_INNOCUOUS },
		{ OK, OK, 0, true, AUDIT_INNOCUOUS },
		{ OK, OK, AUDIT_SENS_BEHAVIOUR, false, AUDIT_CRITICAL },
		{ OK, OK, AUDIT_SENS_BEHAVIOUR, true, AUDIT_CONDITIONAL },
		{ OK, EMU, AUDIT_SENS_BEHAVIOUR, false, AUDIT_CRITICAL_FW },
		{ OK, EMU, AUDIT_SENS_BEHAVIOUR, true, AUDIT_CONDITIONAL },
		/* U runs what S traps: behaviour-sensitive by observation. */
		{ ILL, OK, 0, false, AUDIT_CRITICAL },
		{ ILL, OK, 0, true, AUDIT_CONDITIONAL },
		{ AUDIT_OUT_NONE, ILL, 0, false, AUDIT_MISSING },
		{ OK, AUDIT_OUT_NONE, 0, false, AUDIT_MISSING },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		enum audit_class got = audit_classify(cases[i].s, cases[i].u, cases[i].sens,
						      cases[i].permissive);

		if (got != cases[i].want)
			fail_msg("case %zu: %s, want %s", i, audit_class_name(got),
				 audit_class_name(cases[i].want));
	}
}

/* ---- reports ---------------------------------------------------------------------- */

#define BEGIN   "audit: begin\n"
#define END     "audit: end\n"

static void test_audit_report_merges_csr_ranges(void **state)
{
	const struct audit_row *r;

	(void)state;
	/* S and U split the numbers differently: rows follow both. */
	build(BEGIN
	      "csr 0x000-0x0ff * - S trap=2\n"
	      "csr 0x100 * - S ok\n"
	      "csr 0x101-0x17f * - S trap=2\n"
	      "csr 0x000-0x17f * - U trap=2\n"
	      END);
	r = find_row(AUDIT_CSR, 0x100, NULL, "-", 0);
	assert_non_null(r);
	assert_int_equal(r->lo, 0x100);
	assert_int_equal(r->hi, 0x100);
	assert_int_equal(r->forms, AUDIT_ALL_FORMS);
	assert_int_equal(r->cls, AUDIT_PRIVILEGED);
	assert_int_equal(r->sens, AUDIT_SENS_BEHAVIOUR | AUDIT_SENS_CONTROL);
	assert_string_equal(r->rule->name, "sstatus");
	/* U-level numbers 0x000-0x0ff: one row, except where a rule starts. */
	r = find_row(AUDIT_CSR, 0x101, NULL, "-", 0);
	assert_int_equal(r->lo, 0x101);
	assert_int_equal(r->hi, 0x103);     /* sie (0x104) has its own rule */
	assert_int_equal(r->cls, AUDIT_ALWAYS_TRAPS);
	r = find_row(AUDIT_CSR, 0x0f0, NULL, "-", 0);
	assert_int_equal(r->lo, 0x016);
	assert_int_equal(r->hi, 0x0ff);
	assert_int_equal(report.count[AUDIT_PRIVILEGED], 1);
	assert_true(report.isa_holds);
	assert_true(report.platform_holds);
}

static void test_audit_report_firmware_critical(void **state)
{
	const struct audit_row *r;

	(void)state;
	build(BEGIN
	      "csr 0xc01 rw,rw0,rwi,rwi0,rsi,rci - S trap=2\n"
	      "csr 0xc01 rs,rs0,rc,rc0,rsi0,rci0 - S ok\n"
	      "csr 0xc01 rw,rw0,rs,rc,rwi,rwi0,rsi,rci - U trap=2\n"
	      "csr 0xc01 rs0,rc0,rsi0,rci0 - U emu\n"
	      END);
	r = find_row(AUDIT_CSR, 0xc01, NULL, "-", form_bit("rs0") | form_bit("rc0") |
		     form_bit("rsi0") | form_bit("rci0"));
	assert_non_null(r);
	assert_int_equal(r->cls, AUDIT_CRITICAL_FW);
	assert_int_equal(r->out[AUDIT_U], EMU);
	r = find_row(AUDIT_CSR, 0xc01, NULL, "-", form_bit("rs") | form_bit("rc"));
	assert_int_equal(r->cls, AUDIT_PRIVILEGED);
	assert_true(report.isa_holds);
	assert_false(report.platform_holds);
	assert_int_equal(report.count[AUDIT_CRITICAL_FW], 1);
	/* csrrs/csrrc with rs1 != x0 on read-only time did not trap in S. */
	assert_int_equal(report.deviations, 1);
	assert_int_equal(report.rows[report.nclassified].forms, form_bit("rs") | form_bit("rc"));
}

static void test_audit_report_conditional_keeps_verdict(void **state)
{
	const struct audit_row *r;

	(void)state;
	build(BEGIN
	      "csr 0xc00-0xc02 rs0 cen=1 S ok\n"
	      "csr 0xc00-0xc02 rs0 cen=1 U ok\n"
	      "insn fadd.d - fs=off S trap=2\n"
	      "insn fadd.d - fs=off U trap=2\n"
	      "insn fadd.d - fs=on S ok fx=fs-dirty\n"
	      "insn fadd.d - fs=on U ok fx=fs-dirty\n"
	      "insn fsd - fs=on S ok\n"
	      "insn fsd - fs=on U ok\n"
	      END);
	r = find_row(AUDIT_CSR, 0xc01, NULL, "cen=1", 0);
	assert_int_equal(r->lo, 0xc01);         /* time has its own rule */
	assert_int_equal(r->cls, AUDIT_CONDITIONAL);
	assert_string_equal(r->ctl->control, "scounteren");
	r = find_row(AUDIT_INSN, 0, "fadd.d", "fs=on", 0);
	assert_int_equal(r->cls, AUDIT_CONDITIONAL);
	/* Setting FS = Dirty from U-mode is a write to S-mode state. */
	assert_int_equal(r->sens, AUDIT_SENS_BEHAVIOUR | AUDIT_SENS_CONTROL);
	assert_string_equal(r->fx, "fs-dirty");
	r = find_row(AUDIT_INSN, 0, "fsd", "fs=on", 0);
	assert_int_equal(r->sens, AUDIT_SENS_BEHAVIOUR);
	assert_int_equal(find_row(AUDIT_INSN, 0, "fadd.d", "fs=off", 0)->cls, AUDIT_ALWAYS_TRAPS);
	assert_int_equal(report.count[AUDIT_CONDITIONAL], 5);
	assert_true(report.isa_holds);
	assert_true(report.platform_holds);
}

static void test_audit_report_hart_critical(void **state)
{
	const struct audit_row *r;

	(void)state;
	/* QEMU 7.2 with Svinval: SFENCE.W.INVAL runs in U-mode. */
	build(BEGIN
	      "insn sfence.w.inval - - S ok\n"
	      "insn sfence.w.inval - - U ok\n"
	      "insn nop - - S ok\n"
	      "insn nop - - U ok\n"
	      END);
	r = find_row(AUDIT_INSN, 0, "sfence.w.inval", "-", 0);
	assert_int_equal(r->cls, AUDIT_CRITICAL);
	assert_int_equal(find_row(AUDIT_INSN, 0, "nop", "-", 0)->cls, AUDIT_INNOCUOUS);
	assert_false(report.isa_holds);
	assert_false(report.platform_holds);
}

static void test_audit_report_observed_behaviour(void **state)
{
	const struct audit_row *r;

	(void)state;
	/* No rule calls a U-level custom CSR sensitive; U-only access makes it so. */
	build(BEGIN "csr 0x800 * - S trap=2\n" "csr 0x800 * - U ok\n" END);
	r = find_row(AUDIT_CSR, 0x800, NULL, "-", 0);
	assert_int_equal(r->cls, AUDIT_CRITICAL);
	assert_int_equal(r->sens, AUDIT_SENS_BEHAVIOUR);
	assert_false(report.isa_holds);
}

static void test_audit_report_insn_opforms_share_row(void **state)
{
	const struct audit_row *r;

	(void)state;
	build(BEGIN
	      "insn sfence.vma all - S ok\n" "insn sfence.vma all - U trap=2\n"
	      "insn sfence.vma va - S ok\n" "insn sfence.vma va - U trap=2\n"
	      "insn sfence.vma asid - S trap=2\n" "insn sfence.vma asid - U trap=2\n"
	      END);
	r = find_row(AUDIT_INSN, 0, "sfence.vma", "-", 0);
	assert_string_equal(r->opforms, "all,va");
	assert_int_equal(r->cls, AUDIT_PRIVILEGED);
	assert_int_equal(report.nclassified, 2);
	assert_string_equal(report.rows[1].opforms, "asid");
}

static void test_audit_data_meta_lines(void **state)
{
	(void)state;
	build("OpenSBI v1.1\r\n" BEGIN
	      "audit: control cen=1 available\n"
	      "audit: control hu=1 unavailable\n"
	      "audit: special csr writes: whatever\n"
	      "csr 0x100 * - S ok\ncsr 0x100 * - U trap=2\n"
	      "unexpected trap scause=0x2 stval=0x0 sepc=0x80200000\n");
	assert_string_equal(data.firmware, "OpenSBI v1.1");
	assert_true(data.begun);
	assert_false(data.ended);
	assert_true(data.failed);
	assert_int_equal(data.results, 2);
	assert_int_equal(data.nunavailable, 1);
	assert_string_equal(data.unavailable[0], "hu=1");
	assert_string_equal(data.bad, "");
}

static void test_audit_data_keeps_first_bad_line(void **state)
{
	(void)state;
	build(BEGIN "csr 0x100 * - S ok\ncsr 0xzz * - U ok\ninsn x - - Q ok\n" END);
	assert_string_equal(data.bad, "csr 0xzz * - U ok");
	assert_int_equal(data.results, 1);
	/* A CSR seen in one mode only cannot be classified. */
	assert_int_equal(find_row(AUDIT_CSR, 0x100, NULL, "-", 0)->cls, AUDIT_MISSING);
}

static void test_audit_data_bounds_conditions(void **state)
{
	char text[2048] = BEGIN;

	(void)state;
	for (int i = 0; i <= AUDIT_MAX_CONDS; i++)
		snprintf(text + strlen(text), sizeof(text) - strlen(text),
			 "csr 0x100 * c%d S ok\n", i);
	build(text);
	assert_int_equal(data.ncsr, AUDIT_MAX_CONDS);
	assert_int_equal(data.results, AUDIT_MAX_CONDS);
	assert_string_equal(data.bad, "csr 0x100 * c8 S ok (too many conditions)");
}

static void test_audit_out_names(void **state)
{
	char buf[16];

	(void)state;
	assert_string_equal(audit_out_name(OK, buf, sizeof(buf)), "ok");
	assert_string_equal(audit_out_name(EMU, buf, sizeof(buf)), "ok(fw)");
	assert_string_equal(audit_out_name(ILL, buf, sizeof(buf)), "illegal");
	assert_string_equal(audit_out_name(AUDIT_CAUSE_VIRTUAL, buf, sizeof(buf)), "virtual");
	assert_string_equal(audit_out_name(13, buf, sizeof(buf)), "trap=13");
}

static void test_audit_print_report_lists_and_verdict(void **state)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f;

	(void)state;
	build("OpenSBI v1.1\n" BEGIN
	      "csr 0xc01 rs0 - S ok\ncsr 0xc01 rs0 - U emu\n"
	      "csr 0xc00 rs0 cen=1 S ok\ncsr 0xc00 rs0 cen=1 U ok\n"
	      "insn wfi - - S ok\ninsn wfi - - U trap=2\n" END);
	f = open_memstream(&text, &len);
	assert_non_null(f);
	audit_print_report(f, &report, &data, "rv64,h=false");
	fclose(f);
	assert_non_null(strstr(text, "-cpu rv64,h=false, OpenSBI v1.1"));
	assert_non_null(strstr(text, "\ncritical: csr 0xc01 rs0 - | time | "));
	assert_non_null(strstr(text, "| firmware: the hart traps it"));
	assert_non_null(strstr(text, "\nconditional: csr 0xc00 rs0 cen=1 | cycle | "));
	assert_non_null(strstr(text, "\nfirmware: csr 0xc01 rs0 - | time"));
	assert_non_null(strstr(text, "\nsummary: isa=holds platform=fails critical=0 "
			       "critical-fw=1 conditional=1 privileged=1 "));
	assert_non_null(strstr(text, "\nverdict: rv64,h=false: the ISA meets the "
			       "Popek-Goldberg condition (0 critical); with the firmware it fails"));
	free(text);
}

static void test_audit_main_input_file(void **state)
{
	static const char complete[] = BEGIN "csr 0x100 * - S ok\ncsr 0x100 * - U trap=2\n" END;
	static const char partial[] = BEGIN "csr 0x100 * - S ok\n";
	char path[] = "/tmp/test_audit_XXXXXX";
	char *argv[] = { "audit", "--cpu", "rv64", "--input", path, NULL };
	int fd;

	(void)state;
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, complete, strlen(complete)), (ssize_t)strlen(complete));
	assert_int_equal(audit_main(5, argv), 0);
	assert_int_equal(ftruncate(fd, 0), 0);
	assert_int_equal(pwrite(fd, partial, strlen(partial), 0), (ssize_t)strlen(partial));
	close(fd);
	assert_int_equal(audit_main(5, argv), 1);      /* no "audit: end" */
	unlink(path);
	{
		char *bad[] = { "audit", "--bogus", NULL };

		assert_int_equal(audit_main(2, bad), 2);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_audit_parse_csr_range),
		cmocka_unit_test(test_audit_parse_form_list_and_cond),
		cmocka_unit_test(test_audit_parse_insn_with_effect),
		cmocka_unit_test(test_audit_parse_ignores_other_lines),
		cmocka_unit_test(test_audit_parse_rejects_malformed),
		cmocka_unit_test(test_audit_rule_every_csr_has_one),
		cmocka_unit_test(test_audit_rule_csr_specific_before_generic),
		cmocka_unit_test(test_audit_rule_insn_patterns),
		cmocka_unit_test(test_audit_csr_sens_by_form),
		cmocka_unit_test(test_audit_control_positions),
		cmocka_unit_test(test_audit_classify_table),
		cmocka_unit_test_teardown(test_audit_report_merges_csr_ranges, teardown),
		cmocka_unit_test_teardown(test_audit_report_firmware_critical, teardown),
		cmocka_unit_test_teardown(test_audit_report_conditional_keeps_verdict, teardown),
		cmocka_unit_test_teardown(test_audit_report_hart_critical, teardown),
		cmocka_unit_test_teardown(test_audit_report_observed_behaviour, teardown),
		cmocka_unit_test_teardown(test_audit_report_insn_opforms_share_row, teardown),
		cmocka_unit_test_teardown(test_audit_data_meta_lines, teardown),
		cmocka_unit_test_teardown(test_audit_data_keeps_first_bad_line, teardown),
		cmocka_unit_test_teardown(test_audit_data_bounds_conditions, teardown),
		cmocka_unit_test(test_audit_out_names),
		cmocka_unit_test_teardown(test_audit_print_report_lists_and_verdict, teardown),
		cmocka_unit_test(test_audit_main_input_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
