/*
 * SBI v3.0, FWFT extension: the state Trapeze keeps for it per vCPU
 * (struct vcpu, field sbi.fwft) and per VM (struct vm, field sbi.fwft).
 */
#ifndef CORE_SBI_SBI_FWFT_H
#define CORE_SBI_SBI_FWFT_H

#include <stdint.h>

struct vcpu;

/* The standard local features of v3.0, chapter 18, Table "FWFT Feature
 * Types": ids 0 .. SBI_FWFT_NLOCAL - 1 (SBI_FWFT_* in sbi.h). */
#define SBI_FWFT_NLOCAL 6

/* Every v3.0 feature is local (per hart): its value and LOCK flag live
 * here. Only features this vCPU supports are ever set; the others keep 0. */
struct sbi_fwft_vcpu {
	uint64_t value[SBI_FWFT_NLOCAL];
	uint32_t locked;        /* bit f: feature f was set with LOCK */
};

/* v3.0 defines no global feature (ids 0x80000000 and up are reserved or
 * platform-specific), so a VM keeps nothing. */
struct sbi_fwft_vm {
	uint64_t reserved;
};

/* Every local feature of v back to its reset value, unlocked: at VM load
 * and reset (the descriptor's vcpu_reset hook), and when HSM hart_start
 * starts a stopped hart, which is a hart reset ("Upon hart reset, local
 * feature values are not retained and reset to their default"). */
void sbi_fwft_reset_vcpu(struct vcpu *v);

#endif
