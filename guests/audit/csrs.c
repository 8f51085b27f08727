/*
 * Every CSR number with every CSR instruction form (Unprivileged ISA
 * 20191213, 9.1 CSR Instructions), in S-mode and in U-mode.
 *
 * Which forms read and which write is what decides a trap (Privileged ISA
 * v1.12, 2.1 CSR Address Mapping Conventions: a write to a read-only CSR
 * is illegal; a read-only form of a read-only CSR is not), so each x0
 * variant that changes it is a form of its own:
 *
 *   rw   csrrw  a0, c, a1   read, write     rw0  csrrw  x0, c, a1  write only
 *   rs   csrrs  a0, c, a2   read, write     rs0  csrrs  a0, c, x0  read only
 *   rc   csrrc  a0, c, a2   read, write     rc0  csrrc  a0, c, x0  read only
 *   rwi  csrrwi a0, c, u    read, write     rwi0 csrrwi x0, c, u   write only
 *   rsi  csrrsi a0, c, u    read, write     rsi0 csrrsi a0, c, 0   read only
 *   rci  csrrci a0, c, u    read, write     rci0 csrrci a0, c, 0   read only
 *
 * Harmless values: a1 holds the value just read (in this mode, else in
 * S-mode, else 0) and a2 = 0, so rw/rw0 write back what was there and
 * rs/rc change no bit. The immediate forms cannot write an arbitrary value:
 * they use u = bits already set (rsi) or already clear (rci) where there
 * are any, and the next instruction of the program writes the old value
 * back (it runs only if the write did not trap, so nothing else ever runs
 * with a transient stvec, satp or sstatus). The sweep runs with sie = 0
 * and sstatus.SIE = 0, so a transient pending-interrupt bit is never taken.
 */
#include "audit.h"

#define NCSR    4096

struct csr_form {
	const char *name;
	unsigned funct3;
	int rd_x0;              /* rd = x0: no read (csrrw, csrrwi) */
	int src_x0;             /* rs1 = x0 / uimm = 0: no write (csrrs/c[i]) */
};

static const struct csr_form csr_forms[] = {
	{ "rw", F3_CSRRW, 0, 0 },    { "rw0", F3_CSRRW, 1, 0 },
	{ "rs", F3_CSRRS, 0, 0 },    { "rs0", F3_CSRRS, 0, 1 },
	{ "rc", F3_CSRRC, 0, 0 },    { "rc0", F3_CSRRC, 0, 1 },
	{ "rwi", F3_CSRRWI, 0, 0 },  { "rwi0", F3_CSRRWI, 1, 0 },
	{ "rsi", F3_CSRRSI, 0, 0 },  { "rsi0", F3_CSRRSI, 0, 1 },
	{ "rci", F3_CSRRCI, 0, 0 },  { "rci0", F3_CSRRCI, 0, 1 },
};
#define NFORMS          (sizeof(csr_forms) / sizeof(csr_forms[0]))
#define FORM_READ       3       /* rs0: the plain csrr */

/*
 * An emulated CSR costs a round trip to a more privileged layer per access
 * (an M-mode trap: 1.4 us and more under QEMU 7.2 TCG); a CSR the hart
 * implements, a few tens of nanoseconds. Timed over TIMING_REPS reads
 * against as many NOPs (best of a few runs), an excess above
 * EMU_TICKS_PER_ACCESS time ticks (10 MHz on QEMU virt: 600 ns) per read
 * means something else ran it.
 */
#define TIMING_REPS             32
#define EMU_TICKS_PER_ACCESS    6

static int8_t results[2][NFORMS][NCSR];
static unsigned long s_value[NCSR];
static uint8_t s_value_ok[NCSR];

static int imm_form(const struct csr_form *f)
{
	return f->funct3 >= F3_CSRRWI;
}

/* The 5-bit immediate of a write by form F over the value CUR. */
static unsigned form_uimm(const struct csr_form *f, unsigned long cur)
{
	unsigned u;

	if (f->src_x0)
		return 0;
	switch (f->funct3) {
	case F3_CSRRSI:
		u = cur & 0x1f;
		return u ? u : 1;
	case F3_CSRRCI:
		u = ~cur & 0x1f;
		return u ? u : 1;
	default:
		return cur & 0x1f;
	}
}

static int csr_emulated(enum probe_mode m, unsigned csr)
{
	static const struct probe_args none;
	uint64_t t_csr, t_nop;

	probe_begin();
	for (int i = 0; i < TIMING_REPS; i++)
		probe_emit(enc_csr(F3_CSRRS, REG_A0, REG_X0, csr));
	t_csr = probe_time(m, &none);
	probe_begin();
	for (int i = 0; i < TIMING_REPS; i++)
		probe_emit(0x00000013);         /* nop */
	t_nop = probe_time(m, &none);
	return t_csr > t_nop + (uint64_t)TIMING_REPS * EMU_TICKS_PER_ACCESS;
}

static void csr_probe_one(enum probe_mode m, unsigned csr)
{
	struct probe_args a = { 0 };
	unsigned long cur = 0;
	int have_cur, emu = 0;
	int8_t *res;

	probe_begin();
	probe_emit(enc_csr(F3_CSRRS, REG_A0, REG_X0, csr));
	res = &results[m][FORM_READ][csr];
	*res = (int8_t)probe_run(m, &a, &cur);
	if (*res == OUT_OK) {
		emu = csr_emulated(m, csr);
		if (m == MODE_S) {
			s_value[csr] = cur;
			s_value_ok[csr] = 1;
		}
	} else if (s_value_ok[csr]) {
		cur = s_value[csr];
	}
	have_cur = *res == OUT_OK || s_value_ok[csr];

	for (unsigned i = 0; i < NFORMS; i++) {
		const struct csr_form *f = &csr_forms[i];
		unsigned src = imm_form(f) ? form_uimm(f, cur) : f->src_x0 ? REG_X0 :
			       f->funct3 == F3_CSRRW ? REG_A1 : REG_A2;
		int writes = !f->src_x0;

		if (i == FORM_READ)
			continue;
		a.a1 = cur;
		a.a2 = 0;
		probe_begin();
		probe_emit(enc_csr(f->funct3, f->rd_x0 ? REG_X0 : REG_A0, src, csr));
		if (imm_form(f) && writes && have_cur)
			probe_emit(enc_csr(F3_CSRRW, REG_X0, REG_A1, csr));
		results[m][i][csr] = (int8_t)probe_run(m, &a, 0);
	}
	if (emu)
		for (unsigned i = 0; i < NFORMS; i++)
			if (results[m][i][csr] == OUT_OK)
				results[m][i][csr] = OUT_EMU;
}

static int csr_same(enum probe_mode m, unsigned a, unsigned b)
{
	for (unsigned i = 0; i < NFORMS; i++)
		if (results[m][i][a] != results[m][i][b])
			return 0;
	return 1;
}

/* The lines of one range LO..HI whose forms all have the results of LO. */
static void csr_print_range(enum probe_mode m, unsigned lo, unsigned hi, const char *cond)
{
	uint16_t done = 0;

	for (unsigned i = 0; i < NFORMS; i++) {
		int out = results[m][i][lo];
		uint16_t set = 0;
		unsigned n = 0;

		if (done & (1u << i))
			continue;
		for (unsigned j = i; j < NFORMS; j++)
			if (results[m][j][lo] == out)
				set |= 1u << j;
		done |= set;
		if (lo == hi)
			printf("csr 0x%03x ", lo);
		else
			printf("csr 0x%03x-0x%03x ", lo, hi);
		if (set == (1u << NFORMS) - 1) {
			printf("*");
		} else {
			for (unsigned j = 0; j < NFORMS; j++)
				if (set & (1u << j))
					printf("%s%s", n++ ? "," : "", csr_forms[j].name);
		}
		printf(" %s %c ", cond, m == MODE_S ? 'S' : 'U');
		print_result(out);
		printf("\n");
	}
}

void csr_sweep(unsigned lo, unsigned hi, const char *cond)
{
	for (unsigned c = lo; c <= hi; c++)
		s_value_ok[c] = 0;
	for (int m = MODE_S; m <= MODE_U; m++)
		for (unsigned c = lo; c <= hi; c++)
			csr_probe_one(m, c);
	for (int m = MODE_S; m <= MODE_U; m++) {
		unsigned start = lo;

		for (unsigned c = lo + 1; c <= hi + 1; c++) {
			if (c <= hi && csr_same(m, start, c))
				continue;
			csr_print_range(m, start, c - 1, cond);
			start = c;
		}
	}
}
