/*
 * The `hw` engine: hardware support through the RISC-V H extension
 * (Privileged ISA v1.12, chapter 8; design.md, Engines). The guest kernel
 * runs in VS-mode and its user code in VU-mode; two-stage translation keeps
 * the guest inside its real map table. hedeleg/hideleg hand the guest's own
 * exceptions and interrupts straight to it; Trapeze sees ECALLs from VS
 * (SBI), guest-page faults (first touches of RAM, devices), virtual-
 * instruction traps and its own interrupts.
 *
 * Its parts: engine_hw.c (the ops table, world switch and trap handlers),
 * engine_hw_mem.c (the G-stage tables of a VM, gstage.c, and its VMID).
 */
#ifndef ARCH_RISCV_ENGINE_HW_H
#define ARCH_RISCV_ENGINE_HW_H

#include <stdbool.h>
#include <stdint.h>
#include "arch/riscv/gstage.h"
#include "arch/riscv/vmid.h"
#include "core/engine.h"
#include "core/vm.h"

struct vm;

/* The guest's VS-level CSRs and the H state that goes with them, saved
 * while the vCPU is off the hart (Privileged ISA v1.12, 8.2). */
struct hw_vcpu {
	uint64_t vsstatus, vsie, vstvec, vsscratch, vsepc, vscause, vstval, vsatp;
	uint64_t vstimecmp;     /* the guest's stimecmp (with Sstc) */
	uint64_t scounteren;    /* shared by VS and HS: the guest's own value */
	uint64_t senvcfg;
	uint64_t henvcfg;       /* STCE once the guest programs its timer */
	uint64_t htimedelta;    /* OpenSBI's emulation of it on CPUs without H */
	bool guest_s;           /* the guest runs in VS (else VU): sstatus.SPP at entry */
	bool ssip_injected;     /* hvip.VSSIP was set at entry (a clear is the guest's) */
	uint64_t ssip_seen;     /* vcpu->soft_raises when it was (vcpu_soft_acked) */
	struct vmid_vcpu vmid;  /* where it last entered, for HFENCE.VVMA */
	bool loaded;            /* the CSRs above are live on hart `loaded_hart` */
	unsigned loaded_hart;
};

/* What only this engine counts, per VM. */
struct hw_stats {
	uint64_t gstage_maps;       /* chunks mapped in the G-stage on first touch */
	uint64_t mmio_exits;        /* guest-page faults on devices, emulated */
	uint64_t virtual_insn;      /* virtual-instruction traps, by outcome: */
	uint64_t vi_illegal;        /*   reflected as illegal instructions */
	uint64_t vi_wfi;            /*   WFI (hstatus.VTW) */
	uint64_t vi_timer;          /*   stimecmp before the guest's first write */
	uint64_t vi_counter;        /*   counter reads completed as the firmware does */
	uint64_t vi_htimedelta;     /*   htimedelta, emulated as OpenSBI does without H */
	uint64_t world_loads;       /* full VS CSR restores (a vCPU switch) */
	uint64_t interp_runs;       /* interpretations after a device exit (engine_hw_interp.h) */
	uint64_t interp_insns;      /*   guest instructions they completed */
	uint64_t interp_mmio;       /*   device accesses among them (no exit) */
	uint64_t interp_ticks;      /*   time they took, in timebase ticks */
};

/* The engine's per-VM state. */
struct hw_vm {
	struct gstage gs;           /* Sv39x4 tables from the real map table */
	struct vmid_vm vmid;        /* its VMID and generation (vmid.h) */
	uint64_t hgatp;
	struct hw_stats stats;
};

extern const struct engine engine_hw;

/* SBI RFENCE's SFENCE.VMA for vCPU v from another vCPU of its VM: v's
 * VS-stage entries go, on the hart running it now (HFENCE.VVMA there
 * through the host firmware's remote fence) and at its next entry. */
void engine_hw_remote_vvma(struct vcpu *v);

static inline struct hw_vm *hw_vm_of(const struct vm *vm)
{
	return vm->engine_vm;
}

/* Per hart, once, on CPUs with H: delegation and counter access for every
 * hw guest. */
void engine_hw_hart_init(void);

/* engine_hw_mem.c */
int engine_hw_vm_init(struct vm *vm);
void engine_hw_vm_reset(struct vm *vm);
void engine_hw_vm_destroy(struct vm *vm);
/* Map the 2 MiB chunk of guest RAM holding gpa in the G-stage (zeroed on
 * first touch by the lookup). 0, or -1 when out of memory. */
int engine_hw_map_chunk(struct vm *vm, uint64_t gpa);
/* Before entering v's guest on this hart: hgatp and whatever fences its
 * VMID needs here (vmid.h). */
void engine_hw_load_gstage(struct vcpu *v);
/* Once, on the boot hart, with the VMID width known. */
void engine_hw_vmid_init(unsigned vmidlen);

#endif
