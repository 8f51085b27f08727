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

#include <stdbool.h>
#include "arch/riscv/gpt.h"
#include "core/engine.h"

struct vcpu;
struct insn;

/*
 * How the guest sees memory right now, whichever engine runs it: its
 * translation (satp, privilege, SUM, MXR, XLEN) and its page tables in its
 * RAM. Filled by the engine (the trap engine from its virtual CSRs, the hw
 * engine from the VS CSRs) for the accesses Trapeze completes on the
 * guest's behalf, which are then the same code for both.
 */
struct guest_view {
	struct vcpu *v;
	uint64_t satp;
	bool priv_s, sum, mxr;
	bool xlen32;                /* addresses wrap at 32 bits */
	struct gpt_mem pt;
	void (*fp_dirty)(struct vcpu *v);   /* an FP register was written */
};

/* The effective address of load/store in, at the XLEN the guest runs at. */
uint64_t emulate_mem_ea(const struct guest_view *gv, const struct insn *in);
/* The value store in writes (its x or f register). */
uint64_t emulate_mem_store_value(const struct vcpu *v, const struct insn *in);
/* Load in's result into rd: sign- or zero-extended, NaN-boxed for FLW. */
void emulate_mem_load_result(const struct guest_view *gv, const struct insn *in, uint64_t val);
/* Load or store in (any width, alignment, integer or FP) performed here as
 * bare QEMU performs it (misaligned.h), with every part that reaches a
 * device handed to its model, and the fault the guest would get. */
enum resume emulate_data_access(const struct guest_view *gv, struct trap_info *t,
				const struct insn *in);
/* vcpu_firmware_load for either engine: through the guest's own
 * translation, as OpenSBI's MPRV load walks it. */
uint64_t emulate_firmware_load(const struct guest_view *gv, uint64_t va, uint64_t *val,
			       uint64_t *tval);
/* The instruction in faulted on an address in the hidden region;
 * emulate it completely. */
enum resume emulate_hidden_access(const struct guest_view *gv, struct trap_info *t,
				  const struct insn *in);

/*
 * An AMO, LR or SC (in, at ea, naturally aligned) on the device region e
 * at guest-physical gpa, as QEMU 7.2 runs one on I/O memory: outside its
 * parallel mode, non-atomically (tcg-op.c, do_nonatomic_op and the
 * nonatomic cmpxchg). An AMO reads the register, then writes the result;
 * an LR reads it and takes the reservation (address and value); an SC
 * fails without an access unless the reservation is for ea, else reads
 * the register and writes back the new value when it still holds the
 * LR's (the old one otherwise: QEMU's cmpxchg always stores), rd = 0 on
 * success. A device refusing either access: fault (the access fault of
 * the page fault that brought it here), the write not made.
 *
 * Reached as QEMU 7.2 faults on them: an LR with a load page fault, an
 * SC with a store page fault, an AMO with either (QEMU 7.2 raises a load
 * page fault for an AMO to an unmapped page). An SC after an LR emulated
 * here never arrives: QEMU checks its reservation before the access, and
 * the trap that brought the LR here dropped it (riscv_cpu_set_mode), so
 * the SC fails in the hardware where bare QEMU's succeeds (README, Known
 * limits). The reservation is dropped as QEMU drops it on the traps
 * Trapeze injects (a guest's own trap under hw, taken without an exit,
 * keeps it).
 */
struct realmap_entry;
enum resume emulate_mmio_amo(struct vcpu *v, struct trap_info *t, const struct insn *in, uint64_t ea,
			     const struct realmap_entry *e, uint64_t gpa, uint64_t fault);
/* Whether the AMO, LR or SC in faulted as QEMU 7.2 faults it (store: a
 * store page fault, else a load page fault). */
bool emulate_mmio_amo_fault_ok(const struct insn *in, bool store);

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
enum resume emulate_sc_after_fill(const struct guest_view *gv, struct trap_info *t);

#endif
