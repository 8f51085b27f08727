/*
 * A trap loop through an invalid stvec (tests/system/test_hostile.py,
 * case 8): stvec points where no instruction can be fetched, then the
 * guest traps; the fetch at stvec faults, which traps to stvec again, for
 * ever (RISC-V Privileged ISA v1.12, 4.1.2 stvec: the trap sets pc to
 * BASE whatever is there). Bare hardware spins silently; Trapeze must stop
 * the VM as hung (hang-timeout) and keep the loop to it.
 *
 * bootargs stvec=WHERE, one of
 *   low       0x1000: unassigned to a VM (QEMU's boot ROM on bare QEMU)
 *   ram_end   the first byte past RAM
 *   firmware  OpenSBI's region (PMP-denied)
 *   uart      the UART's registers (a device: no fetch)
 *   trapeze   0xff80000000200000, where Trapeze's own code is mapped in
 *             every host address space (kernel-only)
 *   noncanon  2^63 (above 2^56 physical)
 *   vectored  ram_end in vectored mode, entered by a timer interrupt
 *             (to BASE + 4 * 5) instead of an ebreak
 *   paged     an unmapped page under Sv39: instruction page faults
 * Prints one line, then loops.
 */
#include "hostile.h"
#include "paging.h"

void guest_main(unsigned long hartid, unsigned long dtb)
{
	uint64_t ram_base, ram_end;
	unsigned long target = 0, mode = STVEC_MODE_DIRECT;
	char where[16];

	(void)hartid;
	(void)dtb;
	hostile_ram(&ram_base, &ram_end);
	hostile_arg_str("stvec", where, sizeof(where));
	if (hostile_str_eq(where, "low"))
		target = 0x1000;
	else if (hostile_str_eq(where, "ram_end") || hostile_str_eq(where, "vectored"))
		target = ram_end;
	else if (hostile_str_eq(where, "firmware"))
		target = ram_base + 0x100;
	else if (hostile_str_eq(where, "uart"))
		target = UART_BASE;
	else if (hostile_str_eq(where, "trapeze"))
		target = 0xff80000000200000UL;
	else if (hostile_str_eq(where, "noncanon"))
		target = 1UL << 63;
	else if (hostile_str_eq(where, "paged"))
		target = 0x40000000UL;
	else {
		puts("stvec: no stvec= in bootargs");
		return;
	}
	if (hostile_str_eq(where, "vectored"))
		mode = STVEC_MODE_VECTORED;
	if (hostile_str_eq(where, "paged")) {
		struct pg_space s;

		pg_init();
		pg_space_init(&s, SATP_MODE_SV39);
		pg_map_identity(&s, 0);
		pg_enable(&s, 0);
	}
	csr_write(stvec, target | mode);
	printf("stvec: %s: stvec=0x%lx, trapping now\n", where, csr_read(stvec));
	if (mode == STVEC_MODE_VECTORED) {
		csr_write(sie, SIE_STIE);
		sbi_set_timer(0);
		csr_set(sstatus, SSTATUS_SIE);
		for (;;)
			;
	}
	__asm__ volatile("ebreak");
	puts("stvec: still running (wrong)");
}
