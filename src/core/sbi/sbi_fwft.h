/*
 * SBI v3.0, FWFT extension: the state Trapeze keeps for it per vCPU
 * (struct vcpu, field sbi.fwft) and per VM (struct vm, field sbi.fwft).
 */
#ifndef CORE_SBI_SBI_FWFT_H
#define CORE_SBI_SBI_FWFT_H

#include <stdint.h>

struct sbi_fwft_vcpu {
	uint64_t reserved;      /* placeholder until the extension lands */
};

struct sbi_fwft_vm {
	uint64_t reserved;      /* placeholder until the extension lands */
};

#endif
