/*
 * G-stage tables of the `hw` engine: guest-physical -> host-physical in
 * Sv39x4 (RISC-V Privileged ISA v1.12, Hypervisor Extension, "Guest
 * Physical Address Translation" and "Hypervisor Guest Address Translation
 * and Protection Register (hgatp)"). Sv39x4 is Sv39 with two more GPA bits
 * at the top: GPAs are 41 bits, the root table is 16 KiB (2048 entries,
 * indexed by GPA[40:30]) and 16 KiB aligned; the lower levels and every PTE
 * are Sv39's.
 *
 * Pure: table memory comes through struct gstage_mem and TLB shootdowns go
 * out through a fence callback, so the host unit tests run it over host
 * memory against a TLB model (style.md 9). Not locked: one caller at a time
 * per struct gstage (the VM's lock).
 */
#ifndef ARCH_RISCV_GSTAGE_H
#define ARCH_RISCV_GSTAGE_H

#include <stdbool.h>
#include <stdint.h>
#include "arch/riscv/pgtable.h"

struct realmap;
struct realmap_ram;

#define GSTAGE_GPA_BITS     41
#define GSTAGE_GPA_LIMIT    (1ULL << GSTAGE_GPA_BITS)  /* GPAs at or above it are refused */
#define GSTAGE_LEVELS       3                           /* level 2 is the root */
#define GSTAGE_ROOT_LEVEL   (GSTAGE_LEVELS - 1)
#define GSTAGE_ROOT_ENTRIES 2048
#define GSTAGE_ROOT_PAGES   (GSTAGE_ROOT_ENTRIES / PT_ENTRIES)
#define GSTAGE_ROOT_SIZE    (GSTAGE_ROOT_PAGES * 4096ULL)
#define GSTAGE_PAGE_SIZE    (1ULL << 12)
#define GSTAGE_2M           (1ULL << 21)
#define GSTAGE_HPA_LIMIT    (1ULL << 56)                /* a PTE's PPN is 44 bits */

/* hgatp on RV64 (Privileged ISA v1.12, hgatp): MODE[63:60] VMID[57:44]
 * PPN[43:0]. Trapeze only ever writes Bare or Sv39x4. */
#define HGATP_MODE_SHIFT    60
#define HGATP_MODE_BARE     0ULL
#define HGATP_MODE_SV39X4   8ULL
#define HGATP_VMID_SHIFT    44
#define HGATP_VMID_MASK     0x3fffULL
#define HGATP_PPN_MASK      ((1ULL << 44) - 1)

/* Return values of the map and unmap calls (0 is success). */
#define GSTAGE_EINVAL   (-1)    /* misaligned, GPA >= 2^41, HPA >= 2^56, bad permissions, no root */
#define GSTAGE_EBUSY    (-2)    /* a superpage covers the GPA, or a table is where a leaf would go */
#define GSTAGE_ENOMEM   (-3)

struct gstage_mem {
	struct pt_mem pt;       /* table pages: one zeroed page each, and their release */
	/* The root: GSTAGE_ROOT_PAGES contiguous zeroed pages, 16 KiB
	 * aligned; 0 when none. pt.table() is asked for each of its pages. */
	uint64_t (*alloc_root)(void *ctx);
	void (*free_root)(void *ctx, uint64_t pa);
};

/*
 * Drop the VM's cached G-stage translations on every hart: HFENCE.GVMA with
 * rs2 = the VM's VMID (the caller knows it). !all: the leaf entries for
 * [gpa, gpa + size), page aligned (rs1 = gpa >> 2 per page, or rs1 = x0
 * for a large range). all: every cached entry of the VM at any level; only
 * rs1 = x0 does that, a fence with an address orders leaf PTEs only
 * (Privileged ISA v1.12, "Supervisor Memory-Management Fence Instruction",
 * which HFENCE.GVMA follows). It must be complete on every hart when it
 * returns: the tables change again, or pages are freed, right after.
 */
typedef void (*gstage_fence_t)(void *ctx, uint64_t gpa, uint64_t size, bool all);

struct gstage_stats {
	uint64_t tables;        /* table pages held, the root's four included */
	uint64_t fences;        /* fence callbacks */
	uint64_t chunks_2m;     /* RAM chunks mapped as one 2 MiB page */
	uint64_t chunks_4k;     /* ... as 4 KiB pages (frames not one aligned run) */
	uint64_t splits;        /* superpages split by a partial unmap */
};

struct gstage {
	const struct gstage_mem *mem;
	gstage_fence_t fence;
	void *fence_ctx;
	uint64_t root;          /* 0: none (never created, or destroyed) */
	struct gstage_stats stats;
};

/* What a GPA maps to. */
struct gstage_leaf {
	uint64_t hpa;           /* host-physical address of the GPA itself */
	uint64_t perms;         /* PTE_R | PTE_W | PTE_X, a subset */
	unsigned level;         /* 0: 4 KiB page, 1: 2 MiB, 2: 1 GiB */
};

/* An empty G-stage: 0, or GSTAGE_ENOMEM. */
int gstage_create(struct gstage *g, const struct gstage_mem *mem, gstage_fence_t fence, void *fence_ctx);
/* Free every table and the root, after one fence of everything. No hart may
 * run the VM or access its memory through HLV/HSV any more. */
void gstage_destroy(struct gstage *g);

/*
 * Map one 4 KiB page or one 2 MiB page at gpa to hpa with perms (R, RW, X,
 * RX or RWX: W without R is reserved). Leaves get U (G-stage accesses all
 * count as U-mode ones), A and D (no A/D update or fault at the G stage).
 * Mapping into an empty slot, or the same mapping again, or adding
 * permissions to the same page fences nothing; fewer permissions fence
 * after the change; another hpa first clears the slot and fences (break
 * before make), so no hart sees both pages. 0, or GSTAGE_EINVAL (for 2 MiB:
 * gpa or hpa not 2 MiB aligned), GSTAGE_EBUSY (a superpage covers gpa; for
 * 2 MiB also: a table is there, even an empty one), GSTAGE_ENOMEM.
 */
int gstage_map_page(struct gstage *g, uint64_t gpa, uint64_t hpa, uint64_t perms);
int gstage_map_2m(struct gstage *g, uint64_t gpa, uint64_t hpa, uint64_t perms);

/*
 * Map all of chunk `chunk` of RAM region r (realmap.h) with perms, as the
 * trap engine maps its Bare view: one 2 MiB page when the chunk is whole,
 * aligned and its frames one aligned run and no table is there yet, else
 * 4 KiB pages. Refuses (GSTAGE_EINVAL) a chunk not yet ready: until its
 * first touch zeroes it its frames may hold another VM's data. Otherwise
 * as gstage_map_page; after an error part of the chunk may be mapped.
 */
int gstage_map_chunk(struct gstage *g, const struct realmap_ram *r, uint64_t chunk, uint64_t perms);
/* The G-stage fault path: the chunk of RAM holding gpa, made ready
 * (zeroed) by realmap_lookup first. GSTAGE_EINVAL when gpa is not RAM. */
int gstage_map_ram(struct gstage *g, const struct realmap *rm, uint64_t gpa, uint64_t perms);

/*
 * Unmap [gpa, gpa + size) (page aligned): the number of 4 KiB pages that
 * were mapped there (0: none were), or a GSTAGE_ error (GSTAGE_ENOMEM: a
 * superpage partly in the range could not be split; what was unmapped
 * before it stays unmapped and fenced). Removed leaves are fenced by
 * range; tables wholly inside the range, even empty ones, are freed after
 * one fence of every level. Where nothing is mapped and no table lies
 * wholly inside, nothing is fenced.
 */
int gstage_unmap(struct gstage *g, uint64_t gpa, uint64_t size);

/* What gpa maps to: false when nothing does (a G-stage fault there is the
 * guest's), true with *out when it is mapped (a fault there came from a
 * stale TLB entry, or needs more permissions). */
bool gstage_lookup(const struct gstage *g, uint64_t gpa, struct gstage_leaf *out);

/* hgatp for a root and a VMID: MODE Sv39x4. 0 when the root is 0, not 16
 * KiB aligned or beyond a 44-bit PPN, or the VMID is wider than 14 bits:
 * a value to panic on, never to enter a guest with (0 is Bare, no
 * protection at all). */
uint64_t gstage_hgatp(uint64_t root, uint64_t vmid);

#endif
