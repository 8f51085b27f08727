/*
 * SBI v3.0, PMU extension: the state Trapeze keeps for it per vCPU
 * (struct vcpu, field sbi.pmu) and per VM (struct vm, field sbi.pmu).
 */
#ifndef CORE_SBI_SBI_PMU_H
#define CORE_SBI_SBI_PMU_H

#include <stdint.h>

struct sbi_pmu_vcpu {
	uint64_t reserved;      /* placeholder until the extension lands */
};

struct sbi_pmu_vm {
	uint64_t reserved;      /* placeholder until the extension lands */
};

#endif
