/* trapeze audit: parsing, classification and the report (audit.h). */
#include "audit.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define R AUDIT_ACC_READ
#define W AUDIT_ACC_WRITE

/* Unprivileged ISA 20191213, 9.1 CSR Instructions: who reads, who writes. */
const struct audit_csr_form audit_csr_forms[AUDIT_FORMS] = {
	{ "rw", R | W },  { "rw0", W },     /* csrrw;  rd = x0: no read */
	{ "rs", R | W },  { "rs0", R },     /* csrrs;  rs1 = x0: no write */
	{ "rc", R | W },  { "rc0", R },     /* csrrc */
	{ "rwi", R | W }, { "rwi0", W },    /* csrrwi; rd = x0 */
	{ "rsi", R | W }, { "rsi0", R },    /* csrrsi; uimm = 0 */
	{ "rci", R | W }, { "rci0", R },    /* csrrci */
};

#define AUDIT_READ_FORMS        0xa28u  /* rs0, rc0, rsi0, rci0 */

/* ---- parsing ------------------------------------------------------------ */

static int audit_copy_word(char *dst, size_t len, const char *src)
{
	size_t n = strlen(src);

	if (n == 0 || n >= len)
		return -1;
	memcpy(dst, src, n + 1);
	return 0;
}

static int audit_parse_hex(const char *s, unsigned *v)
{
	char *end;
	unsigned long x;

	if (strncmp(s, "0x", 2) != 0)
		return -1;
	errno = 0;
	x = strtoul(s + 2, &end, 16);
	if (errno || end == s + 2 || *end || x >= AUDIT_NCSR)
		return -1;
	*v = (unsigned)x;
	return 0;
}

static int audit_parse_range(char *s, unsigned *lo, unsigned *hi)
{
	char *dash = strchr(s, '-');

	if (dash)
		*dash = '\0';
	if (audit_parse_hex(s, lo) != 0)
		return -1;
	if (!dash) {
		*hi = *lo;
		return 0;
	}
	return audit_parse_hex(dash + 1, hi) == 0 && *hi >= *lo ? 0 : -1;
}

static int audit_parse_forms(char *s, uint16_t *forms)
{
	char *save = NULL;

	*forms = 0;
	if (strcmp(s, "*") == 0) {
		*forms = AUDIT_ALL_FORMS;
		return 0;
	}

	for (char *tok = strtok_r(s, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		unsigned i;

		for (i = 0; i < AUDIT_FORMS; i++)
			if (strcmp(tok, audit_csr_forms[i].name) == 0)
				break;
		if (i == AUDIT_FORMS)
			return -1;
		*forms |= (uint16_t)(1u << i);
	}
	return *forms ? 0 : -1;
}

static int audit_parse_out(const char *s, int *out)
{
	char *end;
	long cause;

	if (strcmp(s, "ok") == 0) {
		*out = AUDIT_OUT_OK;
		return 0;
	}
	if (strcmp(s, "emu") == 0) {
		*out = AUDIT_OUT_EMU;
		return 0;
	}
	if (strncmp(s, "trap=", 5) != 0)
		return -1;
	errno = 0;
	cause = strtol(s + 5, &end, 10);
	if (errno || end == s + 5 || *end || cause < 0 || cause > 63)
		return -1;
	*out = (int)cause;
	return 0;
}

int audit_parse_line(const char *s, struct audit_line *l)
{
	char buf[256], *tok[8], *save = NULL;
	size_t n = 0;

	if (strncmp(s, "csr ", 4) != 0 && strncmp(s, "insn ", 5) != 0)
		return 0;
	if (strlen(s) >= sizeof(buf))
		return -1;
	strcpy(buf, s);
	for (char *t = strtok_r(buf, " \t\r\n", &save); t; t = strtok_r(NULL, " \t\r\n", &save)) {
		if (n == 8)
			return -1;
		tok[n++] = t;
	}
	if (n != 6 && !(n == 7 && strncmp(tok[6], "fx=", 3) == 0))
		return -1;
	memset(l, 0, sizeof(*l));
	l->kind = tok[0][0] == 'c' ? AUDIT_CSR : AUDIT_INSN;
	if (l->kind == AUDIT_CSR) {
		if (audit_parse_range(tok[1], &l->lo, &l->hi) != 0 ||
		    audit_parse_forms(tok[2], &l->forms) != 0)
			return -1;
	} else if (audit_copy_word(l->insn, sizeof(l->insn), tok[1]) != 0 ||
		   audit_copy_word(l->opform, sizeof(l->opform), tok[2]) != 0) {
		return -1;
	}
	if (audit_copy_word(l->cond, sizeof(l->cond), tok[3]) != 0)
		return -1;
	if (strcmp(tok[4], "S") == 0)
		l->mode = AUDIT_S;
	else if (strcmp(tok[4], "U") == 0)
		l->mode = AUDIT_U;
	else
		return -1;
	if (audit_parse_out(tok[5], &l->out) != 0)
		return -1;
	if (n == 7 && audit_copy_word(l->fx, sizeof(l->fx), tok[6] + 3) != 0)
		return -1;
	return 1;
}

/* ---- observations ------------------------------------------------------- */

static struct audit_csr_block *audit_csr_block(struct audit_data *d, const char *cond)
{
	struct audit_csr_block *b;

	for (size_t i = 0; i < d->ncsr; i++)
		if (strcmp(d->csr[i]->cond, cond) == 0)
			return d->csr[i];
	if (d->ncsr == AUDIT_MAX_CONDS)
		return NULL;
	b = malloc(sizeof(*b));
	if (!b)
		return NULL;
	snprintf(b->cond, sizeof(b->cond), "%s", cond);
	memset(b->out, AUDIT_OUT_NONE, sizeof(b->out));
	d->csr[d->ncsr++] = b;
	return b;
}

static struct audit_insn_obs *audit_insn_obs(struct audit_data *d, const struct audit_line *l)
{
	struct audit_insn_obs *o;

	for (size_t i = 0; i < d->ninsn; i++) {
		o = &d->insn[i];
		if (!strcmp(o->insn, l->insn) && !strcmp(o->opform, l->opform) &&
		    !strcmp(o->cond, l->cond))
			return o;
	}
	if (d->ninsn == d->insn_cap) {
		size_t cap = d->insn_cap ? 2 * d->insn_cap : 64;

		o = realloc(d->insn, cap * sizeof(*o));
		if (!o)
			return NULL;
		d->insn = o;
		d->insn_cap = cap;
	}
	o = &d->insn[d->ninsn++];
	memset(o, 0, sizeof(*o));
	memcpy(o->insn, l->insn, sizeof(o->insn));
	memcpy(o->opform, l->opform, sizeof(o->opform));
	memcpy(o->cond, l->cond, sizeof(o->cond));
	o->out[AUDIT_S] = o->out[AUDIT_U] = AUDIT_OUT_NONE;
	return o;
}

static bool audit_ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* 0, or -1 on ENOMEM; a line the store cannot take is kept as the bad line. */
static int audit_data_result(struct audit_data *d, const struct audit_line *l, const char *line)
{
	if (l->kind == AUDIT_CSR) {
		struct audit_csr_block *b;

		if (d->ncsr == AUDIT_MAX_CONDS) {
			bool known = false;

			for (size_t i = 0; i < d->ncsr; i++)
				known |= strcmp(d->csr[i]->cond, l->cond) == 0;
			if (!known) {
				if (!d->bad[0])
					snprintf(d->bad, sizeof(d->bad), "%s (too many conditions)", line);
				return 0;
			}
		}
		b = audit_csr_block(d, l->cond);

		if (!b)
			return -1;
		for (unsigned c = l->lo; c <= l->hi; c++)
			for (unsigned f = 0; f < AUDIT_FORMS; f++)
				if (l->forms & (1u << f))
					b->out[l->mode][c][f] = (int8_t)l->out;
	} else {
		struct audit_insn_obs *o = audit_insn_obs(d, l);

		if (!o)
			return -1;
		o->out[l->mode] = l->out;
		memcpy(o->fx[l->mode], l->fx, sizeof(o->fx[0]));
	}
	d->results++;
	return 0;
}

static void audit_data_meta(struct audit_data *d, const char *s)
{
	char cond[AUDIT_COND_MAX + 1];

	if (strcmp(s, "audit: begin") == 0)
		d->begun = true;
	else if (strcmp(s, "audit: end") == 0)
		d->ended = true;
	else if (sscanf(s, "audit: control %12s", cond) == 1 && strlen(cond) < AUDIT_COND_MAX &&
		 audit_ends_with(s, " unavailable") && d->nunavailable < AUDIT_MAX_CONDS)
		strcpy(d->unavailable[d->nunavailable++], cond);
}

int audit_data_add(struct audit_data *d, const char *line)
{
	struct audit_line l;
	int r;

	if (strncmp(line, "OpenSBI v", 9) == 0 && !d->firmware[0])
		snprintf(d->firmware, sizeof(d->firmware), "%s", line);
	if (strncmp(line, "unexpected trap", 15) == 0)
		d->failed = true;
	if (strncmp(line, "audit: ", 7) == 0) {
		audit_data_meta(d, line);
		return 0;
	}
	r = audit_parse_line(line, &l);
	if (r < 0 && !d->bad[0])
		snprintf(d->bad, sizeof(d->bad), "%s", line);
	return r > 0 ? audit_data_result(d, &l, line) : 0;
}

int audit_data_add_text(struct audit_data *d, const char *text, size_t len)
{
	char line[512];
	size_t n = 0;

	for (size_t i = 0; i <= len; i++) {
		char c = i < len ? text[i] : '\n';

		if (c == '\n') {
			while (n && (line[n - 1] == '\r' || line[n - 1] == ' '))
				n--;
			line[n] = '\0';
			if (audit_data_add(d, line) != 0)
				return -1;
			n = 0;
		} else if (n < sizeof(line) - 1) {
			line[n++] = c;
		}
	}
	return 0;
}

void audit_data_free(struct audit_data *d)
{
	for (size_t i = 0; i < d->ncsr; i++)
		free(d->csr[i]);
	free(d->insn);
	memset(d, 0, sizeof(*d));
}

/* ---- classification ------------------------------------------------------ */

static const char *const audit_class_names[AUDIT_NCLASSES] = {
	[AUDIT_MISSING] = "missing",
	[AUDIT_INNOCUOUS] = "innocuous",
	[AUDIT_PRIVILEGED] = "privileged",
	[AUDIT_ALWAYS_TRAPS] = "always-traps",
	[AUDIT_CONDITIONAL] = "conditional",
	[AUDIT_CRITICAL] = "critical",
	[AUDIT_CRITICAL_FW] = "critical(fw)",
};

const char *audit_class_name(enum audit_class c)
{
	return c < AUDIT_NCLASSES ? audit_class_names[c] : "?";
}

static bool audit_traps(int out)
{
	return out >= 0;
}

enum audit_class audit_classify(int out_s, int out_u, unsigned sens, bool permissive)
{
	if (out_s == AUDIT_OUT_NONE || out_u == AUDIT_OUT_NONE)
		return AUDIT_MISSING;
	if (audit_traps(out_u))
		return audit_traps(out_s) ? AUDIT_ALWAYS_TRAPS : AUDIT_PRIVILEGED;
	/* U-mode ran it: S-mode trapping it is behaviour-sensitivity in itself. */
	if (audit_traps(out_s))
		sens |= AUDIT_SENS_BEHAVIOUR;
	if (!sens)
		return AUDIT_INNOCUOUS;
	if (permissive)
		return AUDIT_CONDITIONAL;
	return out_u == AUDIT_OUT_EMU ? AUDIT_CRITICAL_FW : AUDIT_CRITICAL;
}

unsigned audit_csr_sens(const struct audit_rule *rule, unsigned form)
{
	unsigned acc = audit_csr_forms[form].access, sens = 0;

	if (!rule)
		return 0;
	if (acc & AUDIT_ACC_READ)
		sens |= rule->sens_read;
	if (acc & AUDIT_ACC_WRITE)
		sens |= rule->sens_write;
	return sens;
}

static bool audit_permissive(const struct audit_control *ctl)
{
	return ctl && ctl->permissive;
}

/* ---- report rows ------------------------------------------------------- */

static struct audit_row *audit_row_new(struct audit_report *r)
{
	if (r->n == r->cap) {
		size_t cap = r->cap ? 2 * r->cap : 128;
		struct audit_row *rows = realloc(r->rows, cap * sizeof(*rows));

		if (!rows)
			return NULL;
		r->rows = rows;
		r->cap = cap;
	}
	memset(&r->rows[r->n], 0, sizeof(r->rows[0]));
	return &r->rows[r->n++];
}

/* The rows of one CSR: its forms grouped by equal results and class. */
static size_t audit_csr_groups(const struct audit_csr_block *b, unsigned c,
			       struct audit_row *g)
{
	const struct audit_rule *rule = audit_rule_csr(c);
	const struct audit_control *ctl = audit_control_find(b->cond);
	size_t n = 0;

	for (unsigned f = 0; f < AUDIT_FORMS; f++) {
		int s = b->out[AUDIT_S][c][f], u = b->out[AUDIT_U][c][f];
		unsigned sens = audit_csr_sens(rule, f);
		enum audit_class cls = audit_classify(s, u, sens, audit_permissive(ctl));
		size_t i;

		if (s == AUDIT_OUT_NONE && u == AUDIT_OUT_NONE)
			continue;
		if (!audit_traps(u) && audit_traps(s))
			sens |= AUDIT_SENS_BEHAVIOUR;
		for (i = 0; i < n; i++)
			if (g[i].out[0] == s && g[i].out[1] == u && g[i].cls == cls)
				break;
		if (i == n) {
			memset(&g[n], 0, sizeof(g[n]));
			g[n].kind = AUDIT_CSR;
			g[n].lo = g[n].hi = c;
			memcpy(g[n].cond, b->cond, sizeof(g[n].cond));
			g[n].out[0] = s;
			g[n].out[1] = u;
			g[n].cls = cls;
			g[n].rule = rule;
			g[n].ctl = ctl;
			n++;
		}
		g[i].forms |= (uint16_t)(1u << f);
		g[i].sens |= sens;
	}
	return n;
}

static bool audit_groups_equal(const struct audit_row *a, const struct audit_row *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (a[i].forms != b[i].forms || a[i].out[0] != b[i].out[0] ||
		    a[i].out[1] != b[i].out[1] || a[i].cls != b[i].cls ||
		    a[i].sens != b[i].sens || a[i].rule != b[i].rule)
			return false;
	return true;
}

/*
 * A write form (rs1 != x0 or uimm != 0) to a read-only CSR (number bits
 * 11:10 = 3) that did not trap in some mode: Unprivileged ISA 20191213,
 * 9.1 CSR Instructions, and Privileged ISA v1.12, 2.1 CSR Address Mapping
 * Conventions, say it must raise an illegal-instruction exception.
 */
static size_t audit_csr_deviations(const struct audit_csr_block *b, unsigned c,
				   struct audit_row *g)
{
	uint16_t forms = 0;

	if ((c >> 10) != 3)
		return 0;
	for (unsigned f = 0; f < AUDIT_FORMS; f++) {
		int s = b->out[AUDIT_S][c][f], u = b->out[AUDIT_U][c][f];

		if ((audit_csr_forms[f].access & AUDIT_ACC_WRITE) &&
		    ((s != AUDIT_OUT_NONE && !audit_traps(s)) ||
		     (u != AUDIT_OUT_NONE && !audit_traps(u))))
			forms |= (uint16_t)(1u << f);
	}
	if (!forms)
		return 0;
	memset(g, 0, sizeof(*g));
	g->kind = AUDIT_CSR;
	g->lo = g->hi = c;
	g->forms = forms;
	memcpy(g->cond, b->cond, sizeof(g->cond));
	g->rule = audit_rule_csr(c);
	g->deviation = true;
	return 1;
}

typedef size_t (*audit_group_fn)(const struct audit_csr_block *b, unsigned c,
				 struct audit_row *g);

/* Consecutive CSRs with the same groups and rule become one range. */
static int audit_add_csr_rows(const struct audit_csr_block *b, struct audit_report *r,
			      audit_group_fn group)
{
	struct audit_row g[AUDIT_FORMS];
	size_t prev_start = 0, prev_n = 0;
	unsigned prev_c = 0;

	for (unsigned c = 0; c < AUDIT_NCSR; c++) {
		size_t n = group(b, c, g);

		if (n == 0)
			continue;
		if (prev_n == n && prev_c == c - 1 && audit_groups_equal(&r->rows[prev_start], g, n)) {
			for (size_t i = 0; i < n; i++)
				r->rows[prev_start + i].hi = c;
		} else {
			prev_start = r->n;
			for (size_t i = 0; i < n; i++) {
				struct audit_row *row = audit_row_new(r);

				if (!row)
					return -1;
				*row = g[i];
			}
		}
		prev_n = n;
		prev_c = c;
	}
	return 0;
}

static void audit_append_opform(struct audit_row *row, const char *opform)
{
	size_t len = strlen(row->opforms);

	if (strcmp(opform, "-") == 0 && len == 0) {
		strcpy(row->opforms, "-");
		return;
	}
	snprintf(row->opforms + len, sizeof(row->opforms) - len, "%s%s", len ? "," : "", opform);
}

/* One row per instruction and condition; operand forms with equal results share it. */
static int audit_add_insn_rows(const struct audit_data *d, struct audit_report *r)
{
	size_t first = r->n;

	for (size_t i = 0; i < d->ninsn; i++) {
		const struct audit_insn_obs *o = &d->insn[i];
		const struct audit_rule *rule = audit_rule_insn(o->insn);
		const struct audit_control *ctl = audit_control_find(o->cond);
		unsigned sens = rule ? rule->sens_read : 0;
		struct audit_row *row = NULL;
		enum audit_class cls;

		/* Writing S-mode state (FS/VS = Dirty) makes it control-sensitive. */
		if (o->fx[AUDIT_U][0] || o->fx[AUDIT_S][0])
			sens |= AUDIT_SENS_CONTROL;
		cls = audit_classify(o->out[AUDIT_S], o->out[AUDIT_U], sens, audit_permissive(ctl));
		if (!audit_traps(o->out[AUDIT_U]) && audit_traps(o->out[AUDIT_S]))
			sens |= AUDIT_SENS_BEHAVIOUR;
		for (size_t j = first; j < r->n; j++) {
			struct audit_row *x = &r->rows[j];

			if (!strcmp(x->insn, o->insn) && !strcmp(x->cond, o->cond) &&
			    x->out[0] == o->out[AUDIT_S] && x->out[1] == o->out[AUDIT_U] &&
			    x->cls == cls && !strcmp(x->fx, o->fx[AUDIT_U]))
				row = x;
		}
		if (!row) {
			row = audit_row_new(r);
			if (!row)
				return -1;
			row->kind = AUDIT_INSN;
			memcpy(row->insn, o->insn, sizeof(row->insn));
			memcpy(row->cond, o->cond, sizeof(row->cond));
			row->out[0] = o->out[AUDIT_S];
			row->out[1] = o->out[AUDIT_U];
			memcpy(row->fx, o->fx[AUDIT_U], sizeof(row->fx));
			row->sens = sens;
			row->cls = cls;
			row->rule = rule;
			row->ctl = ctl;
		}
		audit_append_opform(row, o->opform);
	}
	return 0;
}

int audit_build_report(const struct audit_data *d, struct audit_report *r)
{
	unsigned critical = 0, firmware = 0;

	/* On failure R keeps what it has: audit_report_free releases it. */
	memset(r, 0, sizeof(*r));
	for (size_t i = 0; i < d->ncsr; i++)
		if (audit_add_csr_rows(d->csr[i], r, audit_csr_groups) != 0)
			return -1;
	if (audit_add_insn_rows(d, r) != 0)
		return -1;
	for (size_t i = 0; i < r->n; i++)
		r->count[r->rows[i].cls]++;
	/* Deviations go after the classified rows, flagged, outside the counts. */
	r->nclassified = r->n;
	for (size_t i = 0; i < d->ncsr; i++)
		if (audit_add_csr_rows(d->csr[i], r, audit_csr_deviations) != 0)
			return -1;
	r->deviations = (unsigned)(r->n - r->nclassified);
	critical = r->count[AUDIT_CRITICAL];
	firmware = r->count[AUDIT_CRITICAL_FW];
	r->isa_holds = critical == 0;
	r->platform_holds = critical == 0 && firmware == 0;
	return 0;
}

void audit_report_free(struct audit_report *r)
{
	free(r->rows);
	memset(r, 0, sizeof(*r));
}

/* ---- printing ------------------------------------------------------------ */

const char *audit_out_name(int out, char *buf, size_t len)
{
	switch (out) {
	case AUDIT_OUT_OK:
		return "ok";
	case AUDIT_OUT_EMU:
		return "ok(fw)";
	case AUDIT_OUT_NONE:
		return "?";
	case AUDIT_CAUSE_ILLEGAL:
		return "illegal";
	case AUDIT_CAUSE_VIRTUAL:
		return "virtual";
	case AUDIT_CAUSE_ECALL_U:
		return "ecall-U";
	case AUDIT_CAUSE_BREAKPOINT:
		return "breakpoint";
	default:
		snprintf(buf, len, "trap=%d", out);
		return buf;
	}
}

static const char *audit_forms_name(uint16_t forms, char *buf, size_t len)
{
	size_t n = 0;

	if (forms == AUDIT_ALL_FORMS)
		return "all";
	if (forms == AUDIT_READ_FORMS)
		return "read";
	if (forms == (AUDIT_ALL_FORMS & ~AUDIT_READ_FORMS))
		return "write";
	buf[0] = '\0';
	for (unsigned f = 0; f < AUDIT_FORMS; f++)
		if (forms & (1u << f))
			n += (size_t)snprintf(buf + n, n < len ? len - n : 0, "%s%s",
					      n ? "," : "", audit_csr_forms[f].name);
	return buf;
}

static const char *audit_sens_name(unsigned sens)
{
	static const char *const names[] = { "-", "B", "C", "B+C" };

	return names[sens & 3];
}

/* "csr 0x100" / "csr 0x181-0x1ff" / "insn sfence.vma": the key of a row. */
static void audit_row_item(const struct audit_row *row, char *buf, size_t len)
{
	if (row->kind == AUDIT_INSN)
		snprintf(buf, len, "insn %s", row->insn);
	else if (row->lo == row->hi)
		snprintf(buf, len, "csr 0x%03x", row->lo);
	else
		snprintf(buf, len, "csr 0x%03x-0x%03x", row->lo, row->hi);
}

static const char *audit_row_forms(const struct audit_row *row, char *buf, size_t len)
{
	return row->kind == AUDIT_INSN ? row->opforms : audit_forms_name(row->forms, buf, len);
}

static void audit_print_row(FILE *f, const struct audit_row *row)
{
	char item[40], forms[80], s[16], u[16], name[48];
	const char *rname = row->rule ? row->rule->name : "";

	audit_row_item(row, item, sizeof(item));
	snprintf(name, sizeof(name), "%s %s", item, row->kind == AUDIT_CSR ? rname : "");
	fprintf(f, "%-36s %-24s %-7s %-10s %-10s %-13s %-4s %s%s%s\n", name,
		audit_row_forms(row, forms, sizeof(forms)), row->cond,
		audit_out_name(row->out[AUDIT_S], s, sizeof(s)),
		audit_out_name(row->out[AUDIT_U], u, sizeof(u)),
		audit_class_name(row->cls), audit_sens_name(row->sens),
		row->rule ? row->rule->spec : "", row->fx[0] ? "; U sets " : "", row->fx);
}

/* "LABEL: KIND ID FORMS COND", the part a test can match, then the why. */
static void audit_print_item(FILE *f, const char *label, const struct audit_row *row)
{
	char item[40], forms[80];

	audit_row_item(row, item, sizeof(item));
	fprintf(f, "%s: %s %s %s", label, item, audit_row_forms(row, forms, sizeof(forms)),
		row->cond);
	if (row->rule && row->kind == AUDIT_CSR)
		fprintf(f, " | %s | %s", row->rule->name, row->rule->spec);
	else if (row->rule)
		fprintf(f, " | %s | %s", row->insn, row->rule->spec);
}

static void audit_print_lists(FILE *f, const struct audit_report *r)
{
	size_t n;

	fprintf(f, "\nCritical instructions: sensitive, and U-mode runs them without a trap "
		"reaching S-mode, with every control in its trapping position:\n");
	if (!r->count[AUDIT_CRITICAL] && !r->count[AUDIT_CRITICAL_FW])
		fprintf(f, "  none\n");
	for (size_t i = 0; i < r->n; i++) {
		const struct audit_row *row = &r->rows[i];
		bool fw = row->cls == AUDIT_CRITICAL_FW;

		if (i >= r->nclassified || (row->cls != AUDIT_CRITICAL && !fw))
			continue;
		audit_print_item(f, "critical", row);
		if (fw)
			fprintf(f, " | firmware: %s",
				row->rule && row->rule->firmware ? row->rule->firmware :
				"the hart traps it, the M-mode firmware emulates it");
		else
			fprintf(f, " | hart: runs in U-mode without a trap");
		fprintf(f, "\n");
	}

	fprintf(f, "\nSafe only because of a control Trapeze sets (sensitive; U-mode runs "
		"them natively when the control allows):\n");
	if (!r->count[AUDIT_CONDITIONAL])
		fprintf(f, "  none\n");
	for (size_t i = 0; i < r->n; i++) {
		const struct audit_row *row = &r->rows[i];

		if (i >= r->nclassified || row->cls != AUDIT_CONDITIONAL)
			continue;
		audit_print_item(f, "conditional", row);
		fprintf(f, " | control: %s", row->ctl ? row->ctl->control : "?");
		if (row->fx[0])
			fprintf(f, " (U-mode sets %s)", row->fx);
		if (row->ctl && row->ctl->trapeze)
			fprintf(f, " | Trapeze: %s", row->ctl->trapeze);
		fprintf(f, "\n");
	}

	fprintf(f, "\nRun by the M-mode firmware (no trap visible to S-mode):\n");
	n = 0;
	for (size_t i = 0; i < r->n; i++) {
		const struct audit_row *row = &r->rows[i];

		if (i >= r->nclassified ||
		    (row->out[AUDIT_S] != AUDIT_OUT_EMU && row->out[AUDIT_U] != AUDIT_OUT_EMU))
			continue;
		n++;
		audit_print_item(f, "firmware", row);
		fprintf(f, " | S %s, U %s | %s\n",
			row->out[AUDIT_S] == AUDIT_OUT_EMU ? "emulated" : "-",
			row->out[AUDIT_U] == AUDIT_OUT_EMU ? "emulated" : "-",
			row->rule && row->rule->firmware ? row->rule->firmware :
			"emulated by the M-mode firmware");
	}
	if (!n)
		fprintf(f, "  none\n");

	fprintf(f, "\nSpec deviations (a write to a read-only CSR that did not trap: "
		"RISC-V Unprivileged ISA 20191213, 9.1 CSR Instructions: rs1 != x0 is a write "
		"even when the register holds 0; Privileged ISA v1.12, 2.1):\n");
	if (!r->deviations)
		fprintf(f, "  none\n");
	for (size_t i = r->nclassified; i < r->n; i++)
		if (r->rows[i].deviation) {
			audit_print_item(f, "deviation", &r->rows[i]);
			fprintf(f, "\n");
		}
}

void audit_print_report(FILE *f, const struct audit_report *r, const struct audit_data *d,
			const char *cpu)
{
	unsigned crit = r->count[AUDIT_CRITICAL], fw = r->count[AUDIT_CRITICAL_FW];

	fprintf(f, "trapeze audit: -cpu %s, %s; %u results\n", cpu,
		d->firmware[0] ? d->firmware : "unknown firmware", d->results);
	for (size_t i = 0; i < d->nunavailable; i++)
		fprintf(f, "control %s: not available on this CPU (not audited)\n", d->unavailable[i]);
	fprintf(f, "S/U: result in S-mode / U-mode; sens: B = behaviour-, C = control-sensitive\n\n");
	fprintf(f, "%-36s %-24s %-7s %-10s %-10s %-13s %-4s %s\n", "item", "forms", "cond",
		"S", "U", "class", "sens", "spec");
	for (size_t i = 0; i < r->nclassified; i++)
		audit_print_row(f, &r->rows[i]);
	audit_print_lists(f, r);
	fprintf(f, "\nsummary: isa=%s platform=%s critical=%u critical-fw=%u conditional=%u "
		"privileged=%u always-traps=%u innocuous=%u deviations=%u\n",
		r->isa_holds ? "holds" : "fails", r->platform_holds ? "holds" : "fails",
		crit, fw, r->count[AUDIT_CONDITIONAL], r->count[AUDIT_PRIVILEGED],
		r->count[AUDIT_ALWAYS_TRAPS], r->count[AUDIT_INNOCUOUS], r->deviations);
	fprintf(f, "verdict: %s: the ISA %s the Popek-Goldberg condition (%u critical); "
		"with the firmware it %s (%u more, emulated in M-mode); "
		"%u sensitive items are safe only because of controls Trapeze sets\n",
		cpu, r->isa_holds ? "meets" : "does not meet", crit,
		r->platform_holds ? "holds" : "fails", fw, r->count[AUDIT_CONDITIONAL]);
}
