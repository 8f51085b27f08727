/* Guest floating-point state: Trapeze itself never uses FP (it is built
 * for rv64imac), so the FP register file belongs to one vCPU at a time and
 * is switched lazily (hart->fp_owner). */
#ifndef ARCH_RISCV_FP_H
#define ARCH_RISCV_FP_H

#include <stdint.h>

struct vcpu;

/* Move a vCPU's FP registers between the hart and its struct vcpu. */
void fp_save(struct vcpu *v);
void fp_load(struct vcpu *v);
/* The live FP register n (raw 64 bits), for FP loads and stores to MMIO. */
uint64_t fp_read_reg(unsigned n);
void fp_write_reg(unsigned n, uint64_t val);

/* fp.S, with sstatus.FS enabled by the caller. */
void fp_save_regs(uint64_t *f);     /* f[0..31], f[32] = fcsr */
void fp_load_regs(const uint64_t *f);

#endif
