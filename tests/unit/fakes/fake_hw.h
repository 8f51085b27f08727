/* Fakes for the hardware-facing functions the virtual CSR file and the
 * interpreter routines call, so they run on the host. */
#ifndef FAKES_FAKE_HW_H
#define FAKES_FAKE_HW_H

#include <stdint.h>
#include "arch/riscv/engine_trap.h"
#include "arch/riscv/vcsr.h"
#include "core/vm.h"

extern uint64_t fake_time;
extern struct trap_vm fake_trap_vm;     /* the VM's engine state (statistics) */
extern uint32_t fake_insn;          /* what engine_trap_fetch returns */
extern int fake_blocked;            /* sched_block calls */
extern int fake_flushes;
extern uint64_t fake_flush_start, fake_flush_size, fake_flush_asid;

/* A VM with one vCPU in its boot state (vS, sstatus as OpenSBI leaves it). */
void fake_hw_reset(struct vm *vm, struct vcpu *v);

#endif
