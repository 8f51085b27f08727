/*
 * Shadow page tables (trap engine, guests with paging on): host Sv57 tables
 * that map guest-virtual addresses straight to host-physical pages, built
 * on demand from the guest's own tables (virtual -> real, gpt.c) and the
 * VM's real map table (real -> physical). Seed: memory virtualization.
 *
 * The real CPU runs guest kernel and guest user code both in U-mode, so
 * the shadow of a guest address space has a view per combination of what
 * decides an access's permission besides the guest's tables: the virtual
 * privilege, and sstatus.SUM and MXR (Privileged ISA v1.12, 4.1.1.2
 * "Memory Privilege in sstatus"), which are per hart:
 *   SHADOW_VIEW_S      what virtual S-mode may reach with SUM = 0: the
 *                      guest's supervisor pages;
 *   SHADOW_VIEW_S_SUM  ... with SUM = 1: its user pages too, for loads and
 *                      stores (never executable);
 *   SHADOW_VIEW_U      what virtual U-mode may reach: the guest's user pages;
 * and the same three with MXR = 1 (execute-only pages readable). Each vCPU
 * runs on the view its own sstatus names, so an SMP guest's vCPUs share
 * the tables yet each sees exactly what its own SUM and MXR allow; a SUM
 * or MXR write drops nothing, it only changes the root the vCPU runs on.
 * Views are built on first use: a guest that never sets MXR has no MXR
 * views.
 * Every shadow PTE is a 4 KiB host page of the VM (never anything else),
 * with permissions no wider than the guest's: writable only once the
 * guest's D bit is set, so the first store reaches the walker, which sets
 * D as hardware would.
 *
 * Shadows are cached per guest address space (satp MODE, ASID, PPN) in a
 * bounded pool, so a guest switching between cached address spaces refills
 * nothing; under pressure the least recently used context is recycled.
 * Each view has its own host ASID. SFENCE.VMA and SBI RFENCE drop exactly
 * the entries the RISC-V rules say (Privileged ISA v1.12, 4.2.1).
 *
 * Pure: host memory, guest memory and TLB fences come through struct
 * shadow_ops, so unit tests run it over fake memory and count fences.
 */
#ifndef ARCH_RISCV_SHADOW_H
#define ARCH_RISCV_SHADOW_H

#include <stdbool.h>
#include <stdint.h>
#include "arch/riscv/gpt.h"
#include "arch/riscv/pgtable.h"
#include "core/realmap.h"

#define SHADOW_CTX_MAX      16      /* cached guest address spaces per VM */
#define SHADOW_SUPER_MAX    32      /* guest superpages tracked per context before a full flush */
#define SHADOW_VIEWS        6
#define SHADOW_ASIDS_PER_VM (SHADOW_CTX_MAX * SHADOW_VIEWS)

/* Software bits of a shadow PTE (RSW, Privileged ISA v1.12, 4.3.1). */
#define SHADOW_PTE_GLOBAL   (1ULL << 8)     /* the guest's mapping is global */

enum shadow_view {
	SHADOW_VIEW_S = 0,
	SHADOW_VIEW_U = 1,
	SHADOW_VIEW_S_SUM = 2,
	SHADOW_VIEW_S_MXR = 3,          /* the first three, MXR = 1 */
	SHADOW_VIEW_U_MXR = 4,
	SHADOW_VIEW_S_SUM_MXR = 5,
};

/* The view an access is checked against: SUM only matters in S-mode. */
static inline enum shadow_view shadow_view_for(bool priv_s, bool sum, bool mxr)
{
	unsigned v = !priv_s ? SHADOW_VIEW_U : sum ? SHADOW_VIEW_S_SUM : SHADOW_VIEW_S;

	return (enum shadow_view)(v + (mxr ? SHADOW_VIEW_S_MXR : 0));
}

static inline bool shadow_view_priv_s(enum shadow_view v)
{
	return v % SHADOW_VIEW_S_MXR != SHADOW_VIEW_U;
}

static inline bool shadow_view_sum(enum shadow_view v)
{
	return v % SHADOW_VIEW_S_MXR == SHADOW_VIEW_S_SUM;
}

static inline bool shadow_view_mxr(enum shadow_view v)
{
	return v >= SHADOW_VIEW_S_MXR;
}

struct shadow_ops {
	struct pt_mem host;         /* shadow table pages: alloc returns a zeroed page or 0 */
	struct gpt_mem guest;       /* the guest's physical memory, for the walker */
	void *ctx;
	uint64_t trapeze_entry;     /* root PTE at TRAPEZE_ROOT_INDEX in every shadow root */
	/* Drop host TLB entries of asid (for va, or all when all_va) on every
	 * hart that may cache them. */
	void (*fence)(void *ctx, uint64_t asid, uint64_t va, bool all_va);
	/* The fence must have completed on every hart when it returns: table
	 * pages a drop unlinks are handed back to host.free only after the
	 * fence that follows the drop (shadow.c, the limbo), so no hart's
	 * walk or walk cache can still reach a page the allocator reuses. */
	/* Patching (patch.h); both NULL when the VM does not patch. The
	 * Trapeze-owned copy that S views execute in place of the guest frame
	 * at gpa (page aligned), 0 when the frame is not patched; and a note
	 * that a writable shadow entry of the frame at gpa was installed. */
	uint64_t (*patch_copy)(void *ctx, uint64_t gpa);
	void (*patch_writable)(void *ctx, uint64_t gpa);
	/* The x0 page (patch_decide.h), host-physical; 0 = none. S views map
	 * it at PATCH_X0_VA, on the fault of an x0-form site, while the
	 * guest's own tables leave that page unmapped. */
	uint64_t x0_page;
};

struct shadow_ctx {
	bool used;
	uint64_t guest_satp;                /* key: MODE | ASID | PPN as the guest wrote it */
	uint64_t root[SHADOW_VIEWS];        /* host-physical roots, 0 = not built yet */
	uint64_t asid[SHADOW_VIEWS];        /* host ASIDs */
	uint64_t last_use;
	unsigned holds;                     /* vCPUs running on it now (never recycled then) */
	/* Guest superpages shadowed (as 4 KiB entries): an SFENCE.VMA naming
	 * any address in one covers the whole leaf (Privileged ISA v1.12,
	 * 4.2.1), so its whole range is dropped. */
	struct shadow_super {
		uint64_t va;                /* base of the guest's superpage */
		unsigned level;             /* 1 = 2 MiB ... 4 = 256 TiB */
	} super[SHADOW_SUPER_MAX];
	unsigned nsuper;
	bool super_overflow;
};

struct shadow_stats {
	uint64_t fills;                     /* shadow PTEs installed */
	uint64_t upgrades;                  /* read-only shadow made writable after D was set */
	uint64_t prefetches;                /* next code pages filled ahead of the fetch */
	uint64_t guest_faults;              /* faults reflected to the guest */
	uint64_t flush_all, flush_va, flush_asid, flush_va_asid;   /* SFENCE.VMA / RFENCE by form */
	uint64_t dropped;                   /* shadow PTEs removed by flushes */
	uint64_t deferred_frees;            /* table pages handed back after a fence, not before */
	uint64_t switches;                  /* guest address-space switches */
	uint64_t cache_hits;                /* ... that found their shadow cached */
	uint64_t recycles;                  /* contexts recycled under pressure */
	uint64_t table_pages;               /* shadow table pages in use now */
};

struct shadow_vm {
	const struct shadow_ops *ops;
	const struct realmap *realmap;
	struct shadow_ctx ctx[SHADOW_CTX_MAX];
	unsigned last_found;                /* ctx index shadow_find tries first */
	uint64_t clock;
	uint64_t asid_base;                 /* host ASIDs asid_base .. + SHADOW_ASIDS_PER_VM - 1; 0: none */
	uint64_t page_limit;                /* table pages before recycling */
	/* Table pages unlinked by a drop, waiting for the fence after it
	 * before they go back to the host (a list through each page's first
	 * word, which a walk still in flight reads as an invalid entry). */
	uint64_t limbo;
	uint64_t nlimbo;
	uint64_t generation;                /* bumped whenever a root or a translation goes away */
	struct shadow_stats stats;
};

enum shadow_result {
	SHADOW_FILLED,          /* mapped: retry the access */
	SHADOW_GUEST_FAULT,     /* the guest's own fault: res->cause, stval = va */
	SHADOW_MMIO,            /* a device: emulate the access at res->gpa (res->ent) */
	SHADOW_NO_MEMORY,       /* no table page even after recycling */
	SHADOW_RETRY,           /* the guest's PTE kept changing under the walk: re-execute */
	SHADOW_PATCHED,         /* a load or store the guest allows, to a patched frame (res->gpa):
				 * a store undoes the patches first, a load reads the original */
	SHADOW_X0_MAPPED,       /* an S view's access to PATCH_X0_VA, which the guest maps itself
				 * while ops->x0_page is set: nothing filled (patch_x0_hide) */
};

struct shadow_fault_req {
	uint64_t guest_satp;
	enum shadow_view view;
	uint64_t va;
	enum gpt_access access;         /* SUM and MXR: those of the view */
	/* Fill ahead of an access the guest has not made yet: only when
	 * nothing the guest can see changes (the leaf's A bit, and D for a
	 * store, already set; RAM), and never a fault or a statistic of one.
	 * Anything else returns SHADOW_RETRY and leaves all as it was. */
	bool prefetch;
	/* The access is an x0-form site's (patch.h): where the guest maps
	 * nothing at PATCH_X0_VA, an S view gets the x0 page there. */
	bool x0_site;
};

struct shadow_fault_res {
	uint64_t cause;                 /* SHADOW_GUEST_FAULT */
	uint64_t gpa;                   /* SHADOW_MMIO */
	struct realmap_entry ent;
	bool upgraded;                  /* SHADOW_FILLED: a read-only entry became writable */
};

void shadow_init(struct shadow_vm *s, const struct shadow_ops *ops, const struct realmap *rm,
		 uint64_t asid_base, uint64_t page_limit);
/* Free every table (VM destroyed or reset). */
void shadow_destroy(struct shadow_vm *s);

/* The host root and ASID to run the guest with, for its satp (a paging
 * mode) and view; builds an empty root for a new address space. Returns
 * 0, or -1 when no table page can be had. */
int shadow_activate(struct shadow_vm *s, uint64_t guest_satp, enum shadow_view view,
		    uint64_t *root, uint64_t *asid);

/* An SMP guest's vCPUs share the shadows; the one whose root a hart has
 * in satp must not be recycled under it: while held (delta +1 when a vCPU
 * starts running on the shadow of guest_satp, -1 when it stops, after its
 * hart has left the root) a context is never chosen for recycling, so a
 * root is freed only when no hart runs on it. */
void shadow_hold(struct shadow_vm *s, uint64_t guest_satp, int delta);

/* A host page fault while the guest ran with req->guest_satp/view. */
enum shadow_result shadow_fault(struct shadow_vm *s, const struct shadow_fault_req *req,
				struct shadow_fault_res *res);

/* SFENCE.VMA (Privileged ISA v1.12, 4.2.1): va / all_va, asid / all_asid
 * (the guest's ASID). With a specific ASID, global mappings stay. */
void shadow_flush(struct shadow_vm *s, uint64_t va, bool all_va, uint64_t asid, bool all_asid);

/* Patching: drop every shadow entry, in every context and view, that maps
 * host page hpa (only the writable ones when writable_only). Returns the
 * number dropped. Scans every table: called when a frame is patched or
 * its patches undone, never on a hot path. */
uint64_t shadow_drop_frame(struct shadow_vm *s, uint64_t hpa, bool writable_only);
/* Drop the entry for va in the views of the address space guest_satp
 * with view's privilege, whatever their SUM and MXR (a patched site
 * executed from a mapping older than its patch). */
void shadow_drop_leaf(struct shadow_vm *s, uint64_t guest_satp, enum shadow_view view, uint64_t va);

#endif
