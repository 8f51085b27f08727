/*
 * Memory accesses Trapeze performs on the guest's behalf, for guest RAM it
 * cannot map where the guest put it: an Sv57 guest's own pages at the
 * virtual addresses Trapeze occupies (the hidden region, layout.h). Every
 * access kind a guest can make there works as on bare QEMU: loads and
 * stores of any width and alignment, across pages, integer and FP, AMOs
 * and LR/SC (RISC-V Unprivileged ISA, "A" extension).
 */
#ifndef ARCH_RISCV_EMULATE_MEM_H
#define ARCH_RISCV_EMULATE_MEM_H

#include "core/engine.h"

struct vcpu;
struct insn;

/* The effective address of load/store in, at the XLEN the guest runs at. */
uint64_t emulate_mem_ea(const struct vcpu *v, const struct insn *in);
/* The value store in writes (its x or f register). */
uint64_t emulate_mem_store_value(const struct vcpu *v, const struct insn *in);
/* Load in's result into rd: sign- or zero-extended, NaN-boxed for FLW. */
void emulate_mem_load_result(struct vcpu *v, const struct insn *in, uint64_t val);
/* Load or store in (any width, alignment, integer or FP) performed here as
 * bare QEMU performs it (misaligned.h), with every part that reaches a
 * device handed to its model, and the fault the guest would get. */
enum resume emulate_data_access(struct vcpu *v, struct trap_info *t, const struct insn *in);
/* vcpu_firmware_load for the trap engine: through the guest's own
 * translation, as OpenSBI's MPRV load walks it. */
uint64_t emulate_firmware_load(struct vcpu *v, uint64_t va, uint64_t *val, uint64_t *tval);
/* The instruction in faulted on an address in the hidden region;
 * emulate it completely. */
enum resume emulate_hidden_access(struct vcpu *v, struct trap_info *t, const struct insn *in);

/*
 * A store page fault has just been resolved by a fill (the guest sees
 * nothing of it). If the instruction is an SC, its reservation was valid:
 * QEMU 7.2 (trans_rva.c.inc, gen_sc) compares the reservation address
 * before it touches memory and fails an SC without one silently, so only
 * a reserved SC reaches the store and faults. The trap itself cleared the
 * reservation (QEMU's riscv_cpu_set_mode does so on every privilege
 * change), so the SC retried would fail where bare hardware succeeds: it
 * is completed here (store, rd = 0). Else RESUME_SAME: retry.
 */
enum resume emulate_sc_after_fill(struct vcpu *v, struct trap_info *t);

#endif
