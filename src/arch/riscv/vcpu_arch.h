/*
 * The RISC-V half of a vCPU: guest registers, FP state, and the state of
 * the engine that runs it. Core code never looks inside (style.md, 5).
 */
#ifndef ARCH_RISCV_VCPU_ARCH_H
#define ARCH_RISCV_VCPU_ARCH_H

#include <stdint.h>
#include "arch/riscv/engine_hw.h"
#include "arch/riscv/engine_trap.h"

struct vcpu;

struct vcpu_regs {
	uint64_t x[32];     /* x[0] is never read: the zero register */
	uint64_t pc;
};

struct fp_state {
	uint64_t f[32];
	uint64_t fcsr;
};

/* sscratch holds it while the guest runs: entry.S saves the guest's
 * registers at its start (asm_offsets.h). */
struct vcpu_arch {
	struct vcpu_regs regs;  /* offset 0 */
	uint64_t host_sp;       /* VCPU_HOST_SP: the current hart's stack top */
	uint64_t host_tp;       /* VCPU_HOST_TP: the current struct hart */
	struct vcpu *vcpu;      /* VCPU_VCPU: whose half this is */
	struct fp_state fp;
	/* The reservation of an LR Trapeze emulated (emulate_mem.c: on RAM
	 * where Trapeze lives, or on a device), either engine, one per hart
	 * as in hardware: the address (virtual, as QEMU keeps it) and the
	 * value read, which an emulated SC finds still there or fails. */
	struct lr_reservation {
		bool valid;
		uint64_t addr, val;
	} lr;
	/* The engine's own per-vCPU state. */
	union {
		struct trap_vcpu trap;
		struct hw_vcpu hw;
	};
};

#endif
