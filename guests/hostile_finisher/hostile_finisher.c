/*
 * The sifive,test finisher at 0x100000 used as a weapon (tests/system/
 * test_hostile.py, case 9). On bare QEMU a FAIL write ends the whole
 * machine (QEMU exits with the code) and RESET resets the whole machine;
 * under Trapeze each must reach only the VM that wrote it.
 *
 * bootargs finisher=MODE:
 *   fail          writes the finisher the ways that do nothing (other
 *                 status values, 16-bit stores, loads) and the ways that
 *                 fault (byte and doubleword stores: the device takes 2 and
 *                 4 bytes only), then FAIL with code 0x42;
 *   reset         resets itself through the finisher again and again until
 *                 finisher.until_ms after the machine started (the time CSR
 *                 survives a reset; RAM does not), printing one line per
 *                 boot, then shuts down cleanly;
 *   srst          the same loop through SBI System Reset (cold reboot), the
 *                 other way a VM resets itself;
 *   resetforever  resets itself for ever and prints nothing: no output and
 *                 no power-off, what the hang watchdog is there to stop.
 * Each boot also turns Sv39 paging on and touches 4 MiB, so every reset
 * has shadow tables and mapped pages to throw away (finisher.paging=0:
 * not).
 */
#include "hostile.h"
#include "paging.h"

#define FINISHER        0x100000UL
#define FINISHER_FAIL   0x3333u
#define FINISHER_RESET  0x7777u

PROBE(p_sw, "li t0, 0x1234\n sw t0, 0(a0)\n li a0, 0");
PROBE(p_sw_zero, "sw zero, 0(a0)\n li a0, 0");
PROBE(p_sh, "li t0, 0x4321\n sh t0, 0(a0)\n li a0, 0");
PROBE(p_sb, "li t0, 0x33\n sb t0, 0(a0)\n li a0, 0");
PROBE(p_sd, "li t0, 0x3333\n sd t0, 0(a0)\n li a0, 0");
PROBE(p_lw, "lw a0, 0(a0)");
PROBE(p_lhu, "lhu a0, 0(a0)");

static void try(const char *what, probe_fn fn, unsigned long addr)
{
	struct trap_record r;

	trap_expect(&r, fn, addr);
	trap_report(what, &r);
}

/* Sv39 on, 4 MiB touched through it, off again: work for a reset to undo. */
static void touch_memory(void)
{
	struct pg_space s;

	pg_init();
	pg_space_init(&s, SATP_MODE_SV39);
	pg_map_identity(&s, 0);
	pg_enable(&s, 7);
	for (unsigned long a = PG_DATA_BASE; a < PG_DATA_BASE + (4UL << 20); a += PG_SIZE)
		*(volatile uint64_t *)a = a;
	pg_disable();
}

static void finisher_write(uint32_t v)
{
	*(volatile uint32_t *)FINISHER = v;
}

void guest_main(unsigned long hartid, unsigned long dtb)
{
	char mode[16];
	uint64_t until;

	(void)hartid;
	(void)dtb;
	hostile_arg_str("finisher", mode, sizeof(mode));
	until = hostile_arg_ulong("finisher.until_ms", 2500) * HOSTILE_TICKS_PER_MS;
	if (hostile_arg_ulong("finisher.paging", 1))
		touch_memory();
	if (hostile_str_eq(mode, "fail")) {
		try("finisher sw 0x1234 (no such status)", p_sw, FINISHER);
		try("finisher sw 0", p_sw_zero, FINISHER);
		try("finisher sh 0x4321", p_sh, FINISHER);
		try("finisher sw at +4", p_sw, FINISHER + 4);
		try("finisher sb 0x33", p_sb, FINISHER);
		try("finisher sd 0x3333", p_sd, FINISHER);
		try("finisher lw", p_lw, FINISHER);
		try("finisher lhu", p_lhu, FINISHER);
		puts("finisher: writing FAIL, code 0x42");
		finisher_write(0x42u << 16 | FINISHER_FAIL);
		puts("finisher: still running after FAIL (wrong)");
	} else if (hostile_str_eq(mode, "reset")) {
		if (time_now() >= until) {
			puts("finisher: reset loop over");
			return;
		}
		puts("finisher: boot, resetting");
		finisher_write(FINISHER_RESET);
		puts("finisher: still running after RESET (wrong)");
	} else if (hostile_str_eq(mode, "srst")) {
		if (time_now() >= until) {
			puts("finisher: srst reset loop over");
			return;
		}
		puts("finisher: boot, resetting through SBI");
		sbi_call(SBI_EXT_SRST, 0, 1, 0, 0, 0, 0, 0);   /* cold reboot, no reason */
		puts("finisher: still running after SBI reset (wrong)");
	} else if (hostile_str_eq(mode, "resetforever")) {
		finisher_write(FINISHER_RESET);
		puts("finisher: still running after RESET (wrong)");
	} else {
		puts("finisher: no finisher= in bootargs");
	}
}
