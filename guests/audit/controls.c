/*
 * The controls that decide whether U-mode may run an instruction without a
 * trap. Each has a trapping position (the base state of the sweep) and a
 * permissive one; the audit runs the affected instructions in both.
 *
 *   cen  scounteren: 0 / all ones (Privileged ISA v1.12, 4.1.5
 *        Counter-Enable Register (scounteren))
 *   fs   sstatus.FS: Off / Clean (3.1.6.6 Extension Context Status in
 *        mstatus Register; Clean, so that a write shows as Dirty)
 *   vs   sstatus.VS: Off / Clean (same section; V extension 1.0, 3.2)
 *   env  senvcfg: 0 / CBIE=01 (flush), CBCFE=1, CBZE=1 (4.1.10 Supervisor
 *        Environment Configuration Register (senvcfg); CMO v1.0)
 *   hu   hstatus.HU: 0 / 1 (8.2.1 Hypervisor Status Register (hstatus))
 */
#include "audit.h"

#define CSR_SCOUNTEREN  0x106
#define CSR_SENVCFG     0x10a
#define CSR_HSTATUS     0x600
#define SENVCFG_CBO_ON  0xd0UL          /* CBIE=01, CBCFE, CBZE */
#define HSTATUS_HU      (1UL << 9)

struct control {
	const char *off, *on;
	int available;                  /* the permissive position sticks */
};

static struct control controls[CTL_COUNT] = {
	[CTL_NONE] = { "-", "-", 0 },
	[CTL_CEN] = { "cen=0", "cen=1", 0 },
	[CTL_FS] = { "fs=off", "fs=on", 0 },
	[CTL_VS] = { "vs=off", "vs=on", 0 },
	[CTL_ENV] = { "env=0", "env=1", 0 },
	[CTL_HU] = { "hu=0", "hu=1", 0 },
};

static int control_sstatus_field(unsigned long mask, unsigned long val)
{
	csr_clear(sstatus, mask);
	csr_set(sstatus, val);
	return (csr_read(sstatus) & mask) == val ? 0 : -1;
}

static int control_csr_bits(unsigned csr, unsigned long mask, int on)
{
	unsigned long v;

	if (probe_csr_read(csr, &v) != 0)
		return -1;
	v = on ? v | mask : v & ~mask;
	if (probe_csr_write(csr, v) != 0 || probe_csr_read(csr, &v) != 0)
		return -1;
	return ((v & mask) == (on ? mask : 0)) ? 0 : -1;
}

int control_set(enum control_id id, int on)
{
	switch (id) {
	case CTL_CEN:
		csr_write(scounteren, on ? ~0UL : 0);
		return (csr_read(scounteren) != 0) == !!on ? 0 : -1;
	case CTL_FS:
		return control_sstatus_field(SSTATUS_FS, on ? SSTATUS_FS_CLEAN : 0);
	case CTL_VS:
		return control_sstatus_field(SSTATUS_VS, on ? 2UL << 9 : 0);
	case CTL_ENV:
		return control_csr_bits(CSR_SENVCFG, SENVCFG_CBO_ON, on);
	case CTL_HU:
		return control_csr_bits(CSR_HSTATUS, HSTATUS_HU, on);
	default:
		return 0;
	}
}

const char *control_label(enum control_id id, int on)
{
	return on ? controls[id].on : controls[id].off;
}

int control_available(enum control_id id)
{
	return controls[id].available;
}

void control_base(void)
{
	for (int id = CTL_CEN; id < CTL_COUNT; id++)
		control_set(id, 0);
}

/* Learns which permissive positions this CPU has, and says so. */
void control_init(void)
{
	for (int id = CTL_CEN; id < CTL_COUNT; id++) {
		controls[id].available = control_set(id, 1) == 0;
		printf("audit: control %s %s\n", controls[id].on,
		       controls[id].available ? "available" : "unavailable");
		control_set(id, 0);
	}
}
