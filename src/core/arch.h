/*
 * What the arch-neutral core asks of the architecture: boot, the physical
 * harts, idling, entering a guest, and the names of its trap causes (the
 * core's `*_arch_*` hooks, as in bao's core/arch split). Implemented once
 * per architecture, in src/arch/<arch>/.
 */
#ifndef CORE_ARCH_H
#define CORE_ARCH_H

#include <stdint.h>

struct engine;
struct vcpu;
struct vcpu_arch;

/* The architecture's name, for the boot banner ("riscv64"). */
extern const char arch_name[];

/* Boot hart, once the host DTB has filled `platform` (memory, harts):
 * per-hart state, Trapeze's own address space over all of RAM, probing
 * the CPU (CSRs, translation modes, ASIDs, the H extension) and the
 * firmware's identity. */
void arch_init(uint64_t boot_hartid);
/* Per-hart setup of interrupts and the CPU's own state (every hart). */
void arch_hart_init(void);
/* Start every other hart into the scheduler. */
void arch_start_secondaries(void);
/* Index (0 .. platform.nharts-1) of the hart running this code. */
unsigned arch_cpu_index(void);
/* Nothing to run on this hart: leave every guest's address space, wait
 * for an interrupt or until deadline (time-CSR ticks), acknowledge it. */
void arch_idle(uint64_t deadline);
/* Make hart (an index, like arch_cpu_index) enter Trapeze soon: out of
 * its guest or its idle wait (an IPI). */
void arch_kick_hart(unsigned cpu);
/* Enter v's guest on this hart; the next trap reaches the dispatcher. */
_Noreturn void arch_vcpu_run(struct vcpu *v);
/* The architectural half of a vCPU (registers, engine state), bound to v
 * for good; NULL when none is left. */
struct vcpu_arch *arch_vcpu_alloc(struct vcpu *v);
/* The engine for a boot-manifest engine kind (BOOTINFO_ENGINE_*), or NULL
 * when this CPU cannot run it. */
const struct engine *arch_engine(unsigned kind);
/* Names of exception and interrupt causes, for statistics ("illegal-insn"). */
const char *arch_exc_name(unsigned cause);
const char *arch_irq_name(unsigned irq);

#endif
