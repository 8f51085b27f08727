/*
 * The probe engine: a program written into a page of RAM (MMU off, so
 * S and U may both fetch it), made visible with FENCE.I (Unprivileged ISA
 * 20191213, 3 "Zifencei"), and run as a leaf function in S-mode or through
 * umode_run in U-mode. Exceptions inside the program are recorded here.
 */
#include "audit.h"

#define PROBE_WORDS     256
#define PROLOGUE_WORDS  4

static uint32_t probe_code[PROBE_WORDS] __attribute__((aligned(4096)));
static unsigned probe_len;
static struct probe_args probe_argblock;

static volatile int probe_armed;
static volatile int probe_traps;
static volatile unsigned long probe_cause;
static unsigned long probe_exit;        /* address of the final ret */

static uint32_t enc_ld(unsigned rd, unsigned rs1, unsigned off)
{
	return off << 20 | rs1 << 15 | 3 << 12 | rd << 7 | 0x03;
}

uint32_t enc_csr(unsigned funct3, unsigned rd, unsigned rs1, unsigned csr)
{
	return csr << 20 | rs1 << 15 | funct3 << 12 | rd << 7 | 0x73;
}

/*
 * An exception in the program: the first one is the result; resume at the
 * ret. Anything else (an exception outside the program while armed) is not
 * ours: the runtime reports it as unexpected and fails the run.
 */
static int probe_exc_hook(struct trap_frame *f)
{
	unsigned long start = (unsigned long)probe_code;

	if (!probe_armed || f->sepc < start || f->sepc >= start + 4 * probe_len)
		return 0;
	if (probe_traps++ == 0)
		probe_cause = f->scause;
	f->sepc = probe_exit;
	return 1;
}

void probe_init(void)
{
	trap_exc_hook = probe_exc_hook;
}

void probe_begin(void)
{
	/* a0 = &argblock: load a1..a3 first, then a0 itself. */
	probe_len = 0;
	probe_emit(enc_ld(REG_A1, REG_A0, 8));
	probe_emit(enc_ld(REG_A2, REG_A0, 16));
	probe_emit(enc_ld(REG_A3, REG_A0, 24));
	probe_emit(enc_ld(REG_A0, REG_A0, 0));
}

void probe_emit(uint32_t insn)
{
	if (probe_len >= PROBE_WORDS - 1) {
		puts("audit: probe program too long");
		guest_fail();
	}
	probe_code[probe_len++] = insn;
}

unsigned long probe_word_addr(unsigned n)
{
	return (unsigned long)&probe_code[PROLOGUE_WORDS + n];
}

static void probe_seal(void)
{
	probe_code[probe_len] = 0x00008067;     /* ret */
	probe_exit = (unsigned long)&probe_code[probe_len];
	probe_len++;
	__asm__ volatile("fence.i" ::: "memory");
}

static int probe_go(enum probe_mode m, const struct probe_args *args, unsigned long *ret)
{
	probe_fn fn = (probe_fn)(unsigned long)probe_code;
	unsigned long r;

	probe_argblock = *args;
	probe_traps = 0;
	probe_armed = 1;
	__asm__ volatile("" ::: "memory");
	if (m == MODE_U)
		r = umode_run(fn, (unsigned long)&probe_argblock);
	else
		r = fn((unsigned long)&probe_argblock);
	__asm__ volatile("" ::: "memory");
	probe_armed = 0;
	if (ret)
		*ret = r;
	return probe_traps ? (int)(probe_cause & 0x3f) : OUT_OK;
}

int probe_run(enum probe_mode m, const struct probe_args *args, unsigned long *ret)
{
	probe_seal();
	return probe_go(m, args, ret);
}

uint64_t probe_time(enum probe_mode m, const struct probe_args *args)
{
	uint64_t best = ~0ULL;

	probe_seal();
	probe_go(m, args, 0);           /* warm QEMU's translation cache */
	for (int i = 0; i < 3; i++) {
		uint64_t t0 = time_now(), t;

		probe_go(m, args, 0);
		t = time_now() - t0;
		if (t < best)
			best = t;
	}
	return best;
}

int probe_csr_read(unsigned csr, unsigned long *val)
{
	static const struct probe_args none;

	probe_begin();
	probe_emit(enc_csr(F3_CSRRS, REG_A0, REG_X0, csr));
	return probe_run(MODE_S, &none, val) == OUT_OK ? 0 : -1;
}

int probe_csr_write(unsigned csr, unsigned long val)
{
	struct probe_args a = { .a1 = val };

	probe_begin();
	probe_emit(enc_csr(F3_CSRRW, REG_X0, REG_A1, csr));
	return probe_run(MODE_S, &a, 0) == OUT_OK ? 0 : -1;
}

void print_result(int out)
{
	if (out == OUT_OK)
		printf("ok");
	else if (out == OUT_EMU)
		printf("emu");
	else
		printf("trap=%d", out);
}
