/*
 * The `trap` engine: the guest kernel runs deprivileged in U-mode and
 * believes it runs in S-mode; every privileged instruction and every access
 * to a privileged resource traps here and is emulated (design.md, Engines).
 */
#ifndef ARCH_RISCV_ENGINE_TRAP_H
#define ARCH_RISCV_ENGINE_TRAP_H

#include <stdbool.h>
#include <stdint.h>

struct insn;
struct vcpu;
struct vm;

/* After a trap: fold what the hardware changed behind our back (FS dirty) into the vCPU. */
void engine_trap_sync_from_hw(struct vcpu *v);
/* A virtual trap (Privileged ISA v1.12, 4.1.1 and 4.1.8): sepc/scause/stval,
 * SPP/SPIE/SIE, virtual S-mode, pc = stvec (vectored for interrupts). */
void engine_trap_inject(struct vcpu *v, uint64_t cause, uint64_t tval);
/* Deliver the highest-priority pending, enabled virtual interrupt, if the
 * virtual privilege and sstatus.SIE allow it (4.1.3). */
void engine_trap_deliver_irq(struct vcpu *v);
/* Load the real CSRs for running v on this hart (called just before sret). */
void engine_trap_enter(struct vcpu *v);
/* v leaves this hart (another may run it next): save what is live here. */
void engine_trap_leave(struct vcpu *v);
/* Fetch the instruction at guest address pc: 0, or -1 when it is not in guest RAM. */
int engine_trap_fetch(struct vcpu *v, uint64_t pc, uint32_t *raw);
/* The guest runs with XLEN = 32 now: vU under sstatus.UXL = 1. */
bool engine_trap_xlen32(const struct vcpu *v);
/* Decode a guest instruction by the rules of the XLEN it runs at. */
int engine_trap_decode(const struct vcpu *v, uint32_t raw, struct insn *in);
/* The guest wrote sstatus (old -> new): SUM and MXR change what the
 * shadows may hold. */
void engine_trap_sstatus_written(struct vcpu *v, uint64_t old, uint64_t new);

#endif
