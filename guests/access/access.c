/*
 * Loads, stores and fetches outside what an S-mode guest owns, and
 * misaligned accesses inside RAM (RISC-V Privileged ISA v1.12, 3.7 Physical
 * Memory Protection and 3.6 Physical Memory Attributes). QEMU 7.2 performs
 * misaligned ordinary loads and stores itself, with no trap; misaligned
 * atomics trap.
 *
 * RAM size comes from the DTB's /memory node; addresses that depend on it
 * print relative to ram_end, and those inside our buffer relative to buf.
 */
#include "guest.h"

PROBE(p_ld, "ld a0, 0(a0)");
PROBE(p_lw, "lw a0, 0(a0)");
PROBE(p_lbu, "lbu a0, 0(a0)");
PROBE(p_sd, "sd zero, 0(a0)\n li a0, 0");
PROBE(p_sw, "sw zero, 0(a0)\n li a0, 0");

static uint64_t ram_base = 0x80000000UL, ram_end = 0x84000000UL;

static volatile uint8_t buf[32] __attribute__((aligned(16)));

static void report(const char *label, const struct trap_record *r)
{
	unsigned long b = (unsigned long)buf;

	if (r->taken && r->tval >= b && r->tval < b + sizeof(buf))
		printf("%s: trap scause=0x%lx stval=buf+%lu sepc=fn+%lu\n", label,
		       r->cause, r->tval - b, r->epc - r->fn);
	else if (r->taken && r->tval >= ram_end && r->tval < ram_end + 0x1000)
		printf("%s: trap scause=0x%lx stval=ram_end+0x%lx sepc=%s\n", label,
		       r->cause, (unsigned long)(r->tval - ram_end),
		       r->epc == r->fn ? "fn+0" : "other");
	else
		trap_report(label, r);
}

static void try(const char *label, probe_fn fn, unsigned long addr)
{
	struct trap_record r;

	trap_expect(&r, fn, addr);
	report(label, &r);
}

/* For RAM whose contents are nobody's business: trapped or not, no value. */
static void try_ram(const char *label, probe_fn fn, unsigned long addr)
{
	struct trap_record r;

	trap_expect(&r, fn, addr);
	if (r.taken)
		report(label, &r);
	else
		printf("%s: ok\n", label);
}

/* Calling addr runs the fetch there; the handler returns to our ra. */
static void try_fetch(const char *label, unsigned long addr)
{
	struct trap_record r;

	trap_expect(&r, (probe_fn)addr, 0);
	if (r.taken && r.epc == addr && r.tval == addr)
		printf("%s: trap scause=0x%lx stval=sepc=target\n", label, r.cause);
	else
		report(label, &r);
}

static void test_outside(void)
{
	try("load 0x0", p_ld, 0x0);
	try("store 0x0", p_sd, 0x0);
	try_fetch("fetch 0x0", 0x0);

	try("load 0x80000000 (firmware)", p_ld, 0x80000000UL);
	try("store 0x80000000 (firmware)", p_sd, 0x80000000UL);
	try_fetch("fetch 0x80000000 (firmware)", 0x80000000UL);
	try("load 0x8007fff8 (firmware end)", p_ld, 0x8007fff8UL);
	try_ram("load 0x80080000 (after firmware)", p_ld, 0x80080000UL);

	try("load ram_end", p_ld, ram_end);
	try("store ram_end", p_sd, ram_end);
	try_fetch("fetch ram_end", ram_end);
	try_ram("load ram_end-8", p_ld, ram_end - 8);

	try("load 0x2000000 (clint msip)", p_lw, 0x2000000UL);
	try("store 0x2000000 (clint msip)", p_sw, 0x2000000UL);
	try("load 0x2004000 (clint mtimecmp)", p_ld, 0x2004000UL);
	try("load 0x200bff8 (clint mtime)", p_ld, 0x200bff8UL);
	try("load 0x200fff8 (clint end)", p_ld, 0x200fff8UL);

	try("load 0xc000000 (plic priority 0)", p_lw, 0xc000000UL);
	try("store 0xc000000 (plic priority 0)", p_sw, 0xc000000UL);
	try("load 0xc000004 (plic priority 1)", p_lw, 0xc000004UL);
	try("load 0x100000 (test finisher)", p_lw, 0x100000UL);
	try("load 0x10000005 (uart lsr)", p_lbu, 0x10000005UL);
	try("load 0x200000 (unassigned)", p_ld, 0x200000UL);
	try("store 0x200000 (unassigned)", p_sd, 0x200000UL);
	try("load 0x10000100 (after the uart)", p_lbu, 0x10000100UL);
}

PROBE(p_lh, "lh a0, 0(a0)");
PROBE(p_lhu, "lhu a0, 0(a0)");
PROBE(p_lwu, "lwu a0, 0(a0)");
PROBE(p_c_lw, ".option rvc\n c.lw a0, 0(a0)\n .option norvc");
PROBE(p_c_ld, ".option rvc\n c.ld a0, 0(a0)\n .option norvc");
PROBE(p_fld, "fld f3, 0(a0)\n fmv.x.d a0, f3");
PROBE(p_flw, "flw f3, 0(a0)\n fmv.x.w a0, f3");
PROBE(p_sh, "li t0, 0xa1b2\n sh t0, 0(a0)\n li a0, 0");
PROBE(p_sw_pat, "li t0, 0xa1b2c3d4\n sw t0, 0(a0)\n li a0, 0");
PROBE(p_sd_pat, "li t0, 0x0102030405060708\n sd t0, 0(a0)\n li a0, 0");
PROBE(p_fsd, "li t0, 0x1122334455667788\n fmv.d.x f4, t0\n fsd f4, 0(a0)\n li a0, 0");
PROBE(p_amoadd_w, "li t0, 1\n amoadd.w a0, t0, (a0)");
PROBE(p_lr_w, "lr.w a0, (a0)");
PROBE(p_sc_w, "sc.w a0, zero, (a0)");

static void buf_fill(void)
{
	for (int i = 0; i < 32; i++)
		buf[i] = (uint8_t)(0x10 + i);
}

static void buf_print(const char *label)
{
	printf("%s: buf=", label);
	for (int i = 0; i < 16; i++)
		printf("%02x", buf[i]);
	printf("\n");
}

static void test_misaligned(void)
{
	static const struct { const char *name; probe_fn fn; unsigned off; } loads[] = {
		{ "lh +1", p_lh, 1 }, { "lhu +3", p_lhu, 3 }, { "lw +1", p_lw, 1 },
		{ "lw +2", p_lw, 2 }, { "lwu +3", p_lwu, 3 }, { "ld +1", p_ld, 1 },
		{ "ld +4", p_ld, 4 }, { "ld +7", p_ld, 7 }, { "c.lw +2", p_c_lw, 2 },
		{ "c.ld +5", p_c_ld, 5 }, { "flw +1", p_flw, 1 }, { "fld +3", p_fld, 3 },
	};
	static const struct { const char *name; probe_fn fn; unsigned off; } stores[] = {
		{ "sh +1", p_sh, 1 }, { "sw +3", p_sw_pat, 3 }, { "sd +5", p_sd_pat, 5 },
		{ "fsd +2", p_fsd, 2 },
	};
	char label[40];

	csr_set(sstatus, SSTATUS_FS_INITIAL);
	buf_fill();
	for (unsigned i = 0; i < sizeof(loads) / sizeof(loads[0]); i++) {
		memcpy(label, "misaligned ", 11);
		memcpy(label + 11, loads[i].name, strlen(loads[i].name) + 1);
		try(label, loads[i].fn, (unsigned long)buf + loads[i].off);
	}
	for (unsigned i = 0; i < sizeof(stores) / sizeof(stores[0]); i++) {
		buf_fill();
		memcpy(label, "misaligned ", 11);
		memcpy(label + 11, stores[i].name, strlen(stores[i].name) + 1);
		try(label, stores[i].fn, (unsigned long)buf + stores[i].off);
		buf_print(label);
	}
	/* QEMU raises a misaligned-load trap for AMO and LR; SC just fails. */
	buf_fill();
	try("misaligned amoadd.w +2", p_amoadd_w, (unsigned long)buf + 2);
	try("misaligned lr.w +2", p_lr_w, (unsigned long)buf + 2);
	try("misaligned sc.w +2", p_sc_w, (unsigned long)buf + 2);
	buf_print("after atomics");
	/* Straddling the end of RAM: which address does the fault name? */
	try("misaligned ld ram_end-4", p_ld, ram_end - 4);
	try("misaligned sd ram_end-4", p_sd, ram_end - 4);
}

void guest_main(unsigned long hartid, unsigned long dtb)
{
	uint64_t base, size;

	(void)hartid;
	if (fdt_read_memory(dtb, &base, &size) == 0) {
		ram_base = base;
		ram_end = base + size;
		printf("info: memory base=0x%lx size=0x%lx\n", (unsigned long)base,
		       (unsigned long)size);
	} else {
		puts("info: no /memory in the DTB, assuming 64 MiB");
	}
	printf("ram base 0x%lx, image inside: %s\n", (unsigned long)ram_base,
	       (unsigned long)__image_end < ram_end ? "yes" : "no");
	test_outside();
	test_misaligned();
}
