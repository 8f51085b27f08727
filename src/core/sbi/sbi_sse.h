/*
 * SBI v3.0, SSE extension: the state Trapeze keeps for it per vCPU
 * (struct vcpu, field sbi.sse) and per VM (struct vm, field sbi.sse).
 */
#ifndef CORE_SBI_SBI_SSE_H
#define CORE_SBI_SBI_SSE_H

#include <stdint.h>

struct sbi_sse_vcpu {
	uint64_t reserved;      /* placeholder until the extension lands */
};

struct sbi_sse_vm {
	uint64_t reserved;      /* placeholder until the extension lands */
};

#endif
