/*
 * Probing the host CPU at boot (issue: "learn it by probing the host CPU's
 * own CSRs"): which S-mode CSRs exist, which bits are writable, which satp
 * modes and how many ASID bits. The guest's virtual CSR file is legalised
 * against what this finds, never against a table written for one CPU model.
 */
#ifndef ARCH_RISCV_PROBE_H
#define ARCH_RISCV_PROBE_H

#include <stdbool.h>
#include <stdint.h>
#include "arch/riscv/vcsr.h"

struct host_csr_caps {
	bool has_senvcfg, has_stimecmp;
	bool has_svinval;           /* SINVAL.VMA executes in S-mode */
	uint64_t sstatus_wmask;     /* bits S-mode can write */
	uint64_t sie_wmask;
	uint64_t sip_wmask;         /* bits S-mode can write in sip (SSIP, maybe LCOFIP) */
	uint64_t satp_modes;        /* bit m set: satp MODE m accepted (Bare always) */
	uint64_t satp_asid_mask;
	/* Bit i (enum patch_x0_slot: sscratch, sepc, scause, stval): the
	 * real CSR reads back every value written, so a plain store may
	 * stand for a write of it (patch_decide.h, the x0 form). */
	unsigned x0_plain;
	struct vcsr reset;          /* the S CSRs as OpenSBI hands them to an S-mode payload */
};

extern struct host_csr_caps host_csr;

/* Capture the reset values first thing on the boot hart, then probe. */
void probe_capture_reset(uint64_t stvec, uint64_t sscratch);
void probe_host_csrs(void);

/*
 * The host CPU as the oracle for a WARL write: write the guest's old value,
 * then the new one, to the real CSR and read back, then put Trapeze's own
 * value back. Whatever the CPU model does with WARL fields (QEMU leaves
 * stvec unchanged for a reserved MODE and ignores a UXL of 0 in sstatus)
 * the guest sees too. Safe because interrupts are off in Trapeze and these
 * CSR instructions cannot trap. For sstatus, SIE is never written to the
 * real CSR (it is a plain bit, handled by the caller). num must be one of
 * the CSRs listed in probe.c; any other returns old.
 */
uint64_t hw_csr_legalise(unsigned num, uint64_t old, uint64_t val);

/* Run one CSR instruction that may trap: true when it did not. */
#define PROBE_CSR(...) (probe_begin(), ({ __asm__ volatile(__VA_ARGS__); }), probe_end())
void probe_begin(void);
bool probe_end(void);

#endif
