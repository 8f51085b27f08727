/*
 * trapeze audit: the Popek-Goldberg audit of the host CPU (plus its M-mode
 * firmware). The audit guest (guests/audit) runs every CSR number with
 * every CSR instruction form and every SYSTEM instruction in S-mode and
 * U-mode on bare QEMU and prints one line per result (format in
 * guests/audit/audit.h). audit_run.c runs it; audit.c reads its lines,
 * classifies each instruction with the rules in audit_rules.c (data), and
 * reports:
 *
 *   privileged   traps in U-mode, not in S-mode
 *   always-traps traps in both (absent, disabled, or a trap by design)
 *   innocuous    traps in neither and is not sensitive
 *   critical     sensitive but runs in U-mode without a trap, with every
 *                control in the position Trapeze relies on; "firmware"
 *                when the hart does trap but the M-mode firmware emulates
 *                the instruction, so S-mode never sees the trap
 *   conditional  sensitive, runs in U-mode without a trap only when a
 *                control (scounteren, sstatus.FS/VS, senvcfg, hstatus.HU)
 *                allows it: safe only because of how Trapeze sets it
 *
 * Sensitive (Popek and Goldberg): control-sensitive instructions change
 * the configuration of the machine (CSR writes above U level, fences, WFI,
 * SRET, FP/vector instructions that set FS/VS = Dirty), behaviour-sensitive
 * ones give a result that depends on privilege or system state (CSR reads
 * above U level, counters, time, FP/vector state). An instruction whose
 * S-mode and U-mode results differ without a U-mode trap is
 * behaviour-sensitive by observation, whatever the rules say.
 *
 * The ISA meets the Popek-Goldberg condition when nothing is critical;
 * the platform (hart and firmware, as S-mode sees it) when nothing is
 * critical or firmware-critical.
 */
#ifndef LAUNCHER_AUDIT_H
#define LAUNCHER_AUDIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define AUDIT_NCSR              4096
#define AUDIT_FORMS             12
#define AUDIT_NAME_MAX          24
#define AUDIT_COND_MAX          12
#define AUDIT_OPFORMS_MAX       48
#define AUDIT_MAX_CONDS         8

/* A result: a trap cause (>= 0) or one of these. */
#define AUDIT_OUT_OK            (-1)
#define AUDIT_OUT_EMU           (-2)    /* no trap seen; M-mode firmware ran it */
#define AUDIT_OUT_NONE          (-3)    /* not observed */

#define AUDIT_CAUSE_ILLEGAL     2
#define AUDIT_CAUSE_BREAKPOINT  3
#define AUDIT_CAUSE_ECALL_U     8
#define AUDIT_CAUSE_VIRTUAL     22

#define AUDIT_ACC_READ          1u
#define AUDIT_ACC_WRITE         2u
#define AUDIT_SENS_BEHAVIOUR    1u
#define AUDIT_SENS_CONTROL      2u

enum audit_kind { AUDIT_CSR, AUDIT_INSN };
enum audit_mode { AUDIT_S, AUDIT_U };

/* The guest's CSR forms, in its order (guests/audit/csrs.c). */
struct audit_csr_form {
	const char *name;
	unsigned access;                /* AUDIT_ACC_* */
};
extern const struct audit_csr_form audit_csr_forms[AUDIT_FORMS];
#define AUDIT_ALL_FORMS         ((1u << AUDIT_FORMS) - 1)

/* One result line: KIND ID FORMS COND MODE RESULT [fx=EFFECT]. */
struct audit_line {
	enum audit_kind kind;
	unsigned lo, hi;                /* csr */
	uint16_t forms;                 /* csr: bit i = audit_csr_forms[i] */
	char insn[AUDIT_NAME_MAX];      /* insn mnemonic */
	char opform[AUDIT_NAME_MAX];    /* insn operand form, "-" if none */
	char cond[AUDIT_COND_MAX];      /* "-" or e.g. "cen=1" */
	enum audit_mode mode;
	int out;
	char fx[AUDIT_NAME_MAX];        /* "" or e.g. "fs-dirty" */
};

/* Returns 1 for a result line, 0 for any other line, -1 if malformed. */
int audit_parse_line(const char *s, struct audit_line *l);

/* ---- rules (audit_rules.c) ------------------------------------------- */

/*
 * What makes an instruction sensitive, and where the spec says so. CSR
 * rules match lo <= csr <= hi with (csr & mask) == match; instruction
 * rules match the mnemonic, or a prefix when the pattern ends in '*'.
 * First match wins.
 */
struct audit_rule {
	enum audit_kind kind;
	unsigned lo, hi, mask, match;   /* csr */
	const char *insn;               /* insn pattern */
	const char *name;               /* shown in the table */
	unsigned sens_read;             /* csr: of a read; insn: of executing it */
	unsigned sens_write;            /* csr: of a write */
	const char *control;            /* what lets U-mode run it, or NULL */
	const char *spec;               /* the section that makes it sensitive */
	const char *firmware;           /* when the firmware emulates it, or NULL */
};
const struct audit_rule *audit_rule_csr(unsigned csr);
const struct audit_rule *audit_rule_insn(const char *mnemonic);

/* A control position the guest labels a result with (COND). */
struct audit_control {
	const char *cond;
	bool permissive;                /* U-mode may run the instruction */
	const char *control;
	const char *trapeze;            /* how Trapeze sets this control */
};
/* NULL for "-" and for conditions nobody declared. */
const struct audit_control *audit_control_find(const char *cond);

/* ---- observations ---------------------------------------------------- */

struct audit_csr_block {
	char cond[AUDIT_COND_MAX];
	int8_t out[2][AUDIT_NCSR][AUDIT_FORMS];
};

struct audit_insn_obs {
	char insn[AUDIT_NAME_MAX], opform[AUDIT_NAME_MAX], cond[AUDIT_COND_MAX];
	int out[2];
	char fx[2][AUDIT_NAME_MAX];
};

struct audit_data {
	struct audit_csr_block *csr[AUDIT_MAX_CONDS];
	size_t ncsr;
	struct audit_insn_obs *insn;
	size_t ninsn, insn_cap;
	char firmware[64];              /* "OpenSBI v1.1", from its banner */
	bool begun, ended, failed;      /* audit: begin / end, unexpected trap */
	unsigned results;               /* result lines taken */
	char bad[160];                  /* the first malformed line */
	char unavailable[AUDIT_MAX_CONDS][AUDIT_COND_MAX];
	size_t nunavailable;
};

/* Takes one line of the guest's output (any line: others are ignored). 0, or -1 on ENOMEM. */
int audit_data_add(struct audit_data *d, const char *line);
/* Takes a whole output (lines split on \n, \r stripped). */
int audit_data_add_text(struct audit_data *d, const char *text, size_t len);
void audit_data_free(struct audit_data *d);

/* ---- classification and report --------------------------------------- */

enum audit_class {
	AUDIT_MISSING,          /* a mode not observed */
	AUDIT_INNOCUOUS,
	AUDIT_PRIVILEGED,
	AUDIT_ALWAYS_TRAPS,
	AUDIT_CONDITIONAL,
	AUDIT_CRITICAL,
	AUDIT_CRITICAL_FW,
	AUDIT_NCLASSES,
};
const char *audit_class_name(enum audit_class c);

/*
 * Classifies one instruction from its S-mode and U-mode results, its
 * sensitivity (AUDIT_SENS_*) and whether its condition is a permissive
 * control position. A U-mode result that differs from S-mode's without a
 * trap is behaviour-sensitive whatever SENS says.
 */
enum audit_class audit_classify(int out_s, int out_u, unsigned sens, bool permissive);

/* Sensitivity of CSR form FORM (index) under RULE. */
unsigned audit_csr_sens(const struct audit_rule *rule, unsigned form);

/* One row of the report: a CSR range with a set of forms, or an instruction. */
struct audit_row {
	enum audit_kind kind;
	unsigned lo, hi;
	uint16_t forms;
	char insn[AUDIT_NAME_MAX];
	char opforms[AUDIT_OPFORMS_MAX];
	char cond[AUDIT_COND_MAX];
	int out[2];
	char fx[AUDIT_NAME_MAX];        /* U-mode side effect */
	unsigned sens;
	enum audit_class cls;
	const struct audit_rule *rule;
	const struct audit_control *ctl;
	bool deviation;                 /* a deviation row (below) */
};

/*
 * rows[0..nclassified) are the classified rows; after them come the
 * deviation rows: write forms on a read-only CSR that did not trap.
 */
struct audit_report {
	struct audit_row *rows;
	size_t n, cap, nclassified;
	unsigned count[AUDIT_NCLASSES];
	unsigned deviations;
	bool isa_holds, platform_holds;
};

/* 0, or -1 on ENOMEM. */
int audit_build_report(const struct audit_data *d, struct audit_report *r);
void audit_report_free(struct audit_report *r);

/* "ok", "ok(fw)", "illegal", "virtual", "ecall-U", "breakpoint", "trap=N", "?" */
const char *audit_out_name(int out, char *buf, size_t len);

/* Writes the table, the lists and the verdict for CPU. */
void audit_print_report(FILE *f, const struct audit_report *r, const struct audit_data *d,
			const char *cpu);

/* `trapeze audit [--cpu MODEL] [--guest PATH] [--input FILE] [--raw]`. */
int audit_main(int argc, char **argv);

#endif
