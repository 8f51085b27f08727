/*
 * SBI v3.0, SUSP extension: the state Trapeze keeps for it per vCPU
 * (struct vcpu, field sbi.susp) and per VM (struct vm, field sbi.susp).
 */
#ifndef CORE_SBI_SBI_SUSP_H
#define CORE_SBI_SBI_SUSP_H

#include <stdint.h>

struct sbi_susp_vcpu {
	uint64_t reserved;      /* placeholder until the extension lands */
};

struct sbi_susp_vm {
	uint64_t reserved;      /* placeholder until the extension lands */
};

#endif
