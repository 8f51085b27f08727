/*
 * Interpreter routines (seed: "emulate the privileged instructions"): one
 * per privileged instruction the guest kernel executes in virtual S-mode.
 */
#ifndef ARCH_RISCV_INSN_H
#define ARCH_RISCV_INSN_H

#include <stdbool.h>
#include <stdint.h>
#include "arch/riscv/dispatch.h"

/* Illegal-instruction trap from the guest: decode and emulate, or reflect. */
enum resume emulate_insn(struct vcpu *v, struct trap_info *t);
/* The same for an instruction already fetched and decoded (a patched
 * site, patch.c): t->tval holds its bits. Never discovers sites. */
struct insn;
enum resume emulate_insn_decoded(struct vcpu *v, struct trap_info *t, const struct insn *in);
/* A CSR instruction on sstatus, sscratch, sepc, scause or stval in vS,
 * decoded from its raw bits and emulated as emulate_insn_decoded would
 * (RESUME_NEXT, t->insn_len set); false, with nothing done, otherwise. */
bool emulate_csr_hot(struct vcpu *v, struct trap_info *t, uint32_t raw);

#endif
