/* A physical hart as Trapeze sees it. */
#ifndef ARCH_RISCV_HART_H
#define ARCH_RISCV_HART_H

#include <stdbool.h>
#include <stdint.h>
#include "arch/riscv/layout.h"

struct vcpu;

struct hart {
	uint64_t stack_top;         /* HART_STACK_TOP: must stay first (entry.S) */
	unsigned index;             /* 0 .. platform.nharts-1 */
	uint64_t hartid;
	struct vcpu *fp_owner;      /* whose FP registers are in the FP register file */
	struct vcpu *hw_current;    /* whose VS-level CSRs are live (hw engine) */
	uint64_t timer_armed;       /* deadline the real timer is set to */
	uint64_t live_satp;         /* satp as last written, to skip redundant writes */
	uint64_t live_hgatp;        /* hgatp as last written (hw engine) */
	volatile bool probe_active; /* a CSR probe is running: its trap is expected */
	volatile bool probe_faulted;
	uint8_t stack[HART_STACK_SIZE] __attribute__((aligned(16)));
};

extern struct hart harts[MAX_HARTS];

#ifndef TRAPEZE_HOST
static inline struct hart *this_hart(void)
{
	struct hart *h;

	__asm__ volatile("mv %0, tp" : "=r"(h));
	return h;
}
#else
struct hart *this_hart(void);   /* host unit tests: the fake CSR layer's hart */
#endif

/* Start every secondary hart (SBI HSM) into the scheduler. */
void hart_start_secondaries(void);

#endif
