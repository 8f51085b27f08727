/*
 * Facts about the host machine, read once at boot from the host DTB and by
 * probing the CPU (see hyp_main). Read-only afterwards.
 */
#ifndef CORE_PLATFORM_H
#define CORE_PLATFORM_H

#include <stdbool.h>
#include <stdint.h>

#define PLATFORM_MAX_HARTS 8

struct platform {
	unsigned nharts;
	uint64_t hartid[PLATFORM_MAX_HARTS];
	unsigned boot_hart;             /* index into hartid[] */
	uint64_t timebase_hz;
	uint64_t ram_base, ram_size;
	uint64_t uart_pa;               /* host ns16550 */
	uint32_t uart_irq;              /* its host PLIC source, 0 if none */
	uint64_t finisher_pa;           /* sifive,test syscon; 0 when absent */
	bool has_sstc;                  /* stimecmp usable from S-mode */
	bool has_h;                     /* hypervisor extension present */
	uint64_t satp_mode;             /* widest translation mode, used for Trapeze's tables */
	unsigned asid_bits;
	uint64_t vmid_mask;             /* hgatp.VMID bits the CPU keeps (H extension) */
	uint64_t mvendorid, marchid, mimpid;   /* from the firmware's SBI BASE */
};

extern struct platform platform;

/* The time CSR (ticks at platform.timebase_hz). */
uint64_t platform_time(void);

#endif
