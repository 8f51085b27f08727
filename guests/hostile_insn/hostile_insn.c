/*
 * Illegal and misaligned instructions, over and over (tests/system/
 * test_hostile.py, case 4): the all-zero and all-ones words, the reserved
 * compressed encodings, 48- and 64-bit length prefixes, reserved SYSTEM
 * encodings, writes to read-only CSRs, misaligned loads, stores, LR/SC
 * and AMOs, each run ITERATIONS times in a tight loop from S-mode (and
 * fewer times from U-mode). Every iteration must trap (or not) exactly
 * like the first; the line shows the first and how many differed.
 *
 * RISC-V Unprivileged ISA 20191213, 1.5 (instruction length), 16.8 RVC
 * Instruction Set Listings (reserved encodings), 8.2 and 8.4 (misaligned
 * AMOs and LR/SC); Privileged ISA v1.12, 3.3.1 (SYSTEM). Compared with
 * bare QEMU h=false line by line.
 */
#include "hostile.h"

#define ITERATIONS_MANY 2000    /* the all-zero and all-ones words */
#define ITERATIONS      600
#define ITERATIONS_U    150

struct encoding {
	const char *name;
	uint32_t insn;
	int compressed;
	int arg;                /* a0: buf + arg (16-byte aligned buf); -1: UART + 1 */
};

static const struct encoding encodings[] = {
	{ "all-zero word", 0x00000000, 0, 0 },
	{ "all-ones word", 0xffffffff, 0, 0 },
	{ "c.addi4spn nzuimm=0 (reserved)", 0x0008, 1, 0 },
	{ "c.lui x1, 0 (reserved)", 0x6081, 1, 0 },
	{ "c.addi16sp 0 (reserved)", 0x6101, 1, 0 },
	{ "c.jr x0 (reserved)", 0x8002, 1, 0 },
	{ "c.lwsp x0 (reserved)", 0x4002, 1, 0 },
	{ "c.ldsp x0 (reserved)", 0x6002, 1, 0 },
	{ "c.addiw x0 (reserved)", 0x2001, 1, 0 },
	{ "q0 funct3=100 (reserved)", 0x8000, 1, 0 },
	{ "48-bit prefix", 0x0000001f, 0, 0 },
	{ "64-bit prefix", 0x0000003f, 0, 0 },
	{ "system funct3=4 (no H)", 0x00004073, 0, 0 },
	{ "sfence.vma rd=x1", 0x120000f3, 0, 0 },
	{ "sret rs1=a0", 0x10250073, 0, 0 },
	{ "ebreak rd=x1", 0x001000f3, 0, 0 },
	{ "csrw cycle, a0 (read-only)", 0xc0051073, 0, 0 },
	{ "csrw 0xfff, a0", 0xfff51073, 0, 0 },
	{ "lw a0, 0(a0) misaligned", 0x00052503, 0, 1 },
	{ "sd a0, 0(a0) misaligned", 0x00a53023, 0, 1 },
	{ "amoadd.w a0, a0, (a0) misaligned", 0x00a5252f, 0, 2 },
	{ "amoswap.d a0, a0, (a0) misaligned", 0x08a5352f, 0, 1 },
	{ "lr.w a0, (a0) misaligned", 0x1005252f, 0, 1 },
	{ "sc.d a0, a0, (a0) misaligned", 0x18a5352f, 0, 2 },
	{ "lr.d a0, (a0) misaligned", 0x1005352f, 0, 1 },
	{ "lw a0, 0(a0) misaligned on the UART", 0x00052503, 0, -1 },
	{ "lhu a0, 4(a0) misaligned on the UART", 0x00455503, 0, -1 },
};

static struct hostile_slot slot;
static volatile uint64_t buf[4] __attribute__((aligned(16)));

static unsigned long arg_of(const struct encoding *e)
{
	if (e->arg < 0)
		return UART_BASE + 1;
	return (unsigned long)buf + (unsigned long)e->arg;
}

static void loop(const struct encoding *e, int user, unsigned n)
{
	probe_fn fn = hostile_slot_load(&slot, e->insn, e->compressed);
	struct trap_record first, r;
	unsigned differ = 0, taken = 0;

	for (unsigned i = 0; i < n; i++) {
		struct trap_record *t = i == 0 ? &first : &r;

		buf[0] = buf[1] = 0;
		if (user)
			trap_expect_user(t, fn, arg_of(e));
		else
			trap_expect(t, fn, arg_of(e));
		taken += t->taken != 0;
		if (i && (r.taken != first.taken || r.cause != first.cause ||
			  r.tval != first.tval || r.epc - r.fn != first.epc - first.fn))
			differ++;
	}
	printf("%s%s x%u: ", user ? "U " : "", e->name, n);
	if (first.taken) {
		unsigned long tval = first.tval;
		const char *rel = "";

		/* Addresses in our buffer print relative to it. */
		if (tval >= (unsigned long)buf && tval < (unsigned long)buf + sizeof(buf)) {
			tval -= (unsigned long)buf;
			rel = "buf+";
		}
		printf("trap scause=0x%lx stval=%s0x%lx sepc=fn+%ld", first.cause, rel, tval,
		       (long)(first.epc - first.fn));
	} else {
		printf("no trap");
	}
	printf(", %u trapped, %u unlike the first\n", taken, differ);
}

void guest_main(unsigned long hartid, unsigned long dtb)
{
	unsigned n = sizeof(encodings) / sizeof(encodings[0]);
	uint64_t t0 = time_now();

	(void)hartid;
	(void)dtb;
	for (unsigned i = 0; i < n; i++)
		loop(&encodings[i], 0, i < 2 ? ITERATIONS_MANY : ITERATIONS);
	for (unsigned i = 0; i < n; i++)
		loop(&encodings[i], 1, ITERATIONS_U);
	printf("info: %lu ms\n", (unsigned long)((time_now() - t0) / HOSTILE_TICKS_PER_MS));
}
