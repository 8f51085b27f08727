/*
 * Interpreter routines (seed: "emulate the privileged instructions"): one
 * per privileged instruction the guest kernel executes in virtual S-mode.
 */
#ifndef ARCH_RISCV_INSN_H
#define ARCH_RISCV_INSN_H

#include "arch/riscv/dispatch.h"

/* Illegal-instruction trap from the guest: decode and emulate, or reflect. */
enum resume emulate_insn(struct vcpu *v, struct trap_info *t);

#endif
