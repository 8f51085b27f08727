/*
 * The `trap` engine: the guest kernel runs deprivileged in U-mode and
 * believes it runs in S-mode; every privileged instruction and every access
 * to a privileged resource traps here and is emulated (design.md, Engines).
 * Its parts: engine_trap.c (the ops table and trap handlers), insn.c (the
 * interpreter routines), vcsr.c (the virtual CSR file), emulate_mem.c
 * (accesses completed for the guest), engine_trap_mem.c (the VM's host
 * address spaces: the Bare view and the shadows, shadow.c).
 *
 * Nothing outside the engine uses this header but the arch's vCPU half
 * (vcpu_arch.h), which holds struct trap_vcpu.
 */
#ifndef ARCH_RISCV_ENGINE_TRAP_H
#define ARCH_RISCV_ENGINE_TRAP_H

#include <stdbool.h>
#include <stdint.h>
#include "arch/riscv/patch.h"
#include "arch/riscv/shadow.h"
#include "arch/riscv/vcsr.h"
#include "core/engine.h"
#include "core/lib/spinlock.h"
#include "core/vm.h"

struct insn;
struct vcpu;
struct vm;

#define TRAP_FETCH_CACHE 16    /* entries (a power of two) */

/* The engine's per-vCPU state. */
struct trap_vcpu {
	struct vcsr csr;
	enum vpriv vpriv;
	uint64_t host_satp;     /* satp loaded while this vCPU runs */
	/* What host_satp was chosen for: reselected when any of these change. */
	uint64_t root_for_satp;
	enum shadow_view root_for_view;
	uint64_t root_for_gen;
	bool root_valid;
	/* The last instruction pages translated through the guest's tables
	 * (direct-mapped by virtual page), for fetching the instruction of a
	 * trap without a walk: Linux's patched sites alternate between a few
	 * pages (irq save/restore inlined everywhere). An entry is valid while
	 * satp, the privilege and the shadow generation stay. */
	struct fetch_cache {
		bool valid;
		enum vpriv vpriv;
		uint64_t satp, gen, va_page, gpa_page;
	} fetch[TRAP_FETCH_CACHE];
	/* The shadow this vCPU holds while it runs on a hart (shadow_hold). */
	bool shadow_held;
	uint64_t shadow_held_satp;
	/* Entered last with paging off (patch_vcpu_bare): it may write RAM
	 * through the Bare view, so no frame of the VM is patched. */
	bool runs_bare;
	/* The exit being handled left the hardware as trap_enter loaded it
	 * (patch_breakpoint says so): it may resume in place. Cleared at
	 * every exit. */
	bool stays_loaded;
};

#define TRAP_STATS_CSR_MAX  16      /* emulated CSRs, indexed by vcsr table slot */

/* What only this engine counts, per VM. */
struct trap_stats {
	uint64_t csr_read[TRAP_STATS_CSR_MAX];  /* emulated CSR accesses, by CSR */
	uint64_t csr_write[TRAP_STATS_CSR_MAX];
	uint64_t csr_illegal;           /* CSR instructions answered with illegal-instruction */
	uint64_t insn_sret;
	uint64_t insn_wfi;
	uint64_t insn_sfence_vma;
	uint64_t insn_illegal;          /* other instructions reflected as illegal */
	uint64_t page_maps;             /* Bare-view chunks mapped on first touch, and shadow fills */
	uint64_t bare_chunks_2m;        /* Bare-view chunks mapped as one 2 MiB page */
	uint64_t bare_chunks_4k;        /* ... as 4 KiB pages (frames not one aligned run) */
	uint64_t sc_completed;          /* SCs finished after a fill (their reservation was valid) */
};

/* The engine's per-VM state: its host address spaces. */
struct trap_vm {
	/* The VM's vCPUs share its host tables: every change to the Bare view
	 * or the shadows (fills, flushes, SUM/MXR, root choice) holds it. */
	struct spinlock lock;
	uint64_t bare_root;         /* host root while the guest runs with satp = Bare */
	uint64_t bare_asid;
	struct shadow_ops shadow_ops;
	struct shadow_vm shadow;    /* while it runs with paging on */
	struct trap_stats stats;
	struct patch_vm patch;      /* patched hot instructions (patch.h) */
};

extern const struct engine engine_trap;

static inline struct trap_vm *trap_vm_of(const struct vm *vm)
{
	return vm->engine_vm;
}

/* How the guest sees memory now, for the accesses Trapeze completes. */
struct guest_view;
void engine_trap_guest_view(struct vcpu *v, struct guest_view *gv);
/* Fetch the instruction at guest address pc: 0, or -1 when it is not in guest RAM. */
int engine_trap_fetch(struct vcpu *v, uint64_t pc, uint32_t *raw);
/* The guest-physical address an instruction fetch at va reaches now
 * (through the guest's tables when paging is on); false when it faults. */
bool engine_trap_fetch_pa(struct vcpu *v, uint64_t va, uint64_t *gpa);
/* The guest runs with XLEN = 32 now: vU under sstatus.UXL = 1. */
bool engine_trap_xlen32(const struct vcpu *v);
/* Decode a guest instruction by the rules of the XLEN it runs at. */
int engine_trap_decode(const struct vcpu *v, uint32_t raw, struct insn *in);
/* A virtual interrupt is pending, enabled and takeable now: the resume
 * path would deliver it before the next instruction. */
bool engine_trap_irq_deliverable(struct vcpu *v);

/* engine_trap_mem.c: the VM's host address spaces. */
int engine_trap_vm_init(struct vm *vm);
void engine_trap_vm_reset(struct vm *vm);
void engine_trap_vm_destroy(struct vm *vm);
void engine_trap_print_stats(const struct vm *vm);
/* Bare view: map the 2 MiB chunk of guest RAM holding gpa (a superpage
 * where its frames are one aligned 2 MiB run). 0, or -1 out of memory. */
int engine_trap_map_bare_chunk(struct vm *vm, uint64_t gpa);

#endif
