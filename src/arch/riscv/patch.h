/*
 * The trap engine's patcher (issue 11, the hybrid VM): hot privileged
 * instructions of a guest kernel, found by execution, are replaced in a
 * Trapeze-owned copy of their guest frame by an EBREAK (C.EBREAK for a
 * site straddling a page end). OpenSBI delegates breakpoints (medeleg
 * 0xb109), so a patched site traps straight to Trapeze in S-mode instead
 * of the illegal-instruction round trip through M-mode, which on QEMU 7.2
 * also flushes the whole soft TLB.
 *
 * Invisible to the guest: the copy is mapped execute-only in the virtual
 * S shadow views only (shadow.c asks patch_copy at every fill); guest RAM
 * keeps the original bytes, so every load (a patched page's loads fault
 * and are completed from the original), DMA, Trapeze's own reads and
 * virtual-U execution see them. A patched frame is writable in no shadow:
 * a store from any alias undoes the frame's patches, then takes effect.
 * Patches belong to the guest frame and are dropped on a VM reset.
 * The decisions (what is a site, which form) are patch_decide.c's.
 */
#ifndef ARCH_RISCV_PATCH_H
#define ARCH_RISCV_PATCH_H

#include <stdbool.h>
#include <stdint.h>
#include "arch/riscv/patch_decide.h"
#include "core/engine.h"

struct vcpu;
struct vm;

#define PATCH_FRAMES_MAX    256     /* patched frames per VM (power of two: a hash) */
#define PATCH_SITES_MAX     4096    /* patched sites per VM (power of two: a hash) */

enum patch_undo {
	PATCH_UNDO_WRITE,       /* the guest stored to the frame through some alias */
	PATCH_UNDO_READS,       /* the guest reads the page too often: cheaper unpatched */
	PATCH_UNDO_HOST_WRITE,  /* Trapeze or a device wrote the frame for the guest */
	PATCH_UNDO_BARE,        /* a vCPU runs with paging off: it writes RAM through the Bare view */
	PATCH_UNDO_X0_MAPPED,   /* the guest maps the x0 page's address itself: the x0 form goes */
	PATCH_UNDOS,
};

struct patch_stats {
	uint64_t discovered;                /* sites found: trapped, or on the path from one */
	uint64_t patched[PATCH_FORMS];      /* by form */
	uint64_t refused;                   /* no room (frames, sites or memory), or busy */
	uint64_t busy;                      /* ... of which: a pin was held (DMA may be in flight) */
	uint64_t bare;                      /* ... of which: a vCPU of the VM runs with paging off */
	uint64_t frames;                    /* frames patched */
	uint64_t exec_csr, exec_sret, exec_sfence, exec_wfi;     /* patched executions by kind */
	uint64_t chained;                   /* ... of which ran back to back, in the exit of the one before */
	uint64_t exec_form[PATCH_FORMS];    /* patched executions by the form of their site */
	uint64_t icache_fences;             /* FENCE.I on every hart after a copy changed */
	uint64_t stale;                     /* a site executed through a mapping older than its patch,
					     * or a breakpoint of a patch undone meanwhile (retried) */
	uint64_t reads;                     /* guest loads from patched pages completed */
	uint64_t undone[PATCH_UNDOS];       /* frames whose patches were undone, by why */
	uint64_t sites_undone;
	uint64_t protect_scans;             /* writable aliases searched when patching a frame */
	/* The x0 form runs without a trap, so its executions cannot be
	 * counted; what Trapeze sees of them: */
	uint64_t x0_load_faults;            /* the x0 page mapped into a view, on an x0 load's fault */
	uint64_t x0_store_faults;           /* ... on an x0 store's */
	uint64_t x0_stores_seen;            /* exits finding a slot changed by an x0 store since entry */
};

struct patch_frame {
	uint64_t gpa;           /* page; 0 = free slot */
	uint64_t copy;          /* host page of the copy */
	uint64_t orig_hpa;
	uint32_t nsites;
	uint32_t reads;
};

struct patch_site {
	uint64_t gpa;           /* guest-physical address of the site; 0 = free */
	uint32_t raw;           /* the original instruction */
	uint8_t form;
};

struct patch_vm {
	bool enabled;
	/* The x0 form (patch_decide.h): what it may serve (0 = off: several
	 * vCPUs, no page, or the guest maps PATCH_X0_VA itself), and the
	 * page. Only for a VM of one vCPU: shadows are shared by a VM's
	 * vCPUs, and one fixed address cannot name a page per vCPU there. */
	unsigned x0;
	uint64_t x0_page;                   /* host-physical; 0 = none */
	uint64_t *x0_slots;                 /* its PATCH_X0_SLOTS words at PATCH_X0_OFF0 */
	uint8_t *writable;      /* a bit per guest RAM page: may have a writable shadow entry */
	uint64_t writable_pages;
	uint64_t writable_frames_pa, writable_nframes;
	struct patch_frame frames[PATCH_FRAMES_MAX];
	unsigned nframes;       /* read without the lock by patch_mem_written (atomic) */
	struct patch_site sites[PATCH_SITES_MAX];
	unsigned nsites;
	struct patch_stats stats;
};

/* Set the VM up (patching as its boot descriptor says); 0, or -1. */
int patch_vm_init(struct vm *vm);
/* Drop every patch (VM reset) or everything (VM destroyed). */
void patch_vm_reset(struct vm *vm);
void patch_vm_destroy(struct vm *vm);
void patch_print_stats(const struct vm *vm);

/* shadow_ops hooks (ctx = the vm). */
uint64_t patch_copy(void *ctx, uint64_t gpa);
void patch_writable(void *ctx, uint64_t gpa);

/* A site found by execution, as it was before it was emulated (an
 * emulated SRET or satp write changes the privilege and translation). */
struct patch_req {
	uint64_t pc, gpa, satp;
	uint32_t raw;
	uint8_t form;
};

/* Whether the instruction raw at pc, about to be emulated after an
 * illegal-instruction trap, is one to patch (patching on, virtual S-mode
 * with paging, a site by patch_decide_form): fills *req. */
bool patch_wanted(struct vcpu *v, uint64_t pc, uint32_t raw, struct patch_req *req);
/* It was emulated: patch it (discovery on first execution) and the sites
 * on the straight-line path after it. */
void patch_discover(struct vcpu *v, const struct patch_req *req);

/*
 * v is about to run with paging off (bare) or on. A vCPU with paging off
 * runs on the Bare view, which maps all of RAM writable by 2 MiB pages
 * and is shared by every vCPU of the VM: its stores would reach a
 * patched frame without an undo. So before it runs, every patch of the
 * VM is undone (PATCH_UNDO_BARE), and no frame is patched while any vCPU
 * of the VM may run that way (its flag stays set until it next enters
 * with paging on).
 */
void patch_vcpu_bare(struct vcpu *v, bool bare);

/* A breakpoint from real U-mode: a patched site (run its original), or
 * the guest's own EBREAK (reflected, as before). */
enum resume patch_breakpoint(struct vcpu *v, struct trap_info *t);

/* shadow_fault said SHADOW_PATCHED for the access of t at guest-physical
 * gpa: a store undoes the frame's patches (retry), a load is completed
 * from the original. */
enum resume patch_access(struct vcpu *v, struct trap_info *t, uint64_t gpa);

/* The x0 form (patch_decide.h). Whether the instruction at pc (the
 * faulting access's) is an x0-form site. */
bool patch_x0_site(struct vcpu *v, uint64_t pc);
/* The guest maps PATCH_X0_VA itself (shadow_fault said SHADOW_X0_MAPPED):
 * the x0 form goes for the rest of the VM's run (until a reset), every
 * patch with it (undone: they come back as breakpoints), and every view's
 * entry of the x0 page, so the guest's own mapping is what it reaches. */
void patch_x0_hide(struct vm *vm);

/* Undo the patches of the frame holding gpa, if any (why: enum patch_undo). */
void patch_undo_frame(struct vm *vm, uint64_t gpa, enum patch_undo why);
/* The engine's mem_written op (core/engine.h): Trapeze or a device wrote
 * [gpa, gpa+len) of guest RAM, or DMA will: the patches of every frame in
 * it are undone (PATCH_UNDO_HOST_WRITE), as for a guest store. */
void patch_mem_written(struct vm *vm, uint64_t gpa, uint64_t len);

#endif
