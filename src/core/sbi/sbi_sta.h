/*
 * SBI v3.0, STA extension: the state Trapeze keeps for it per vCPU
 * (struct vcpu, field sbi.sta) and per VM (struct vm, field sbi.sta).
 */
#ifndef CORE_SBI_SBI_STA_H
#define CORE_SBI_SBI_STA_H

#include <stdint.h>

struct sbi_sta_vcpu {
	uint64_t reserved;      /* placeholder until the extension lands */
};

struct sbi_sta_vm {
	uint64_t reserved;      /* placeholder until the extension lands */
};

#endif
