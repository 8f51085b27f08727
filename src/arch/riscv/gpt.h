/*
 * Guest page-table walker: translates a guest virtual address through the
 * guest's own Sv39/Sv48/Sv57 tables exactly as QEMU 7.2's riscv64 CPU does
 * for an S-mode or U-mode access (target/riscv/cpu_helper.c,
 * get_physical_address), which follows RISC-V Privileged ISA v1.12, 4.3.2
 * "Virtual Address Translation Process". Pure: guest memory is reached
 * through struct gpt_mem, so the host unit tests and the fuzzer run it over
 * fake memory (style.md 9).
 *
 * Where QEMU 7.2 and a plain reading of the spec part ways, QEMU wins; gpt.c
 * marks each such place with "QEMU 7.2:".
 */
#ifndef ARCH_RISCV_GPT_H
#define ARCH_RISCV_GPT_H

#include <stdbool.h>
#include <stdint.h>

enum gpt_access { GPT_FETCH, GPT_LOAD, GPT_STORE };

/* Guest-physical memory, supplied by the caller. */
struct gpt_mem {
	void *ctx;
	/* Read the 8-byte PTE at guest-physical gpa: false when nothing answers
	 * at gpa (QEMU: the bus read fails). The walker turns that into a PAGE
	 * fault, as QEMU 7.2 does; see pte_allowed for access faults. */
	bool (*read_pte)(void *ctx, uint64_t gpa, uint64_t *pte);
	/* Atomically replace *gpa == expected by desired (A/D update): false if
	 * it changed meanwhile or gpa is not writable RAM. */
	bool (*cas_pte)(void *ctx, uint64_t gpa, uint64_t expected, uint64_t desired);
	/* Optional, NULL = always true. The PMP check QEMU makes before each
	 * PTE read (an S-mode 8-byte load at gpa): false raises the ACCESS
	 * fault of the original access (EXC_INST/LOAD/STORE_ACCESS). */
	bool (*pte_allowed)(void *ctx, uint64_t gpa);
};

struct gpt_walk_req {
	uint64_t satp;                    /* the guest's satp (mode, ASID, PPN) */
	uint64_t va;
	enum gpt_access access;
	bool priv_s;                      /* access made in virtual S-mode (else U) */
	bool sum, mxr;                    /* the guest's sstatus.SUM and MXR */
	bool update_ad;                   /* set A (and D for stores) like hardware; false = just look */
};

/*
 * On success every field is set. On a fault only cause is meaningful for
 * the guest; pte_gpa, pte and level then describe the last PTE the walk
 * reached (0 if none), for diagnostics, and gpa/page_* are 0.
 */
struct gpt_walk_res {
	uint64_t cause;                   /* 0 on success; else EXC_*_PAGE_FAULT or EXC_*_ACCESS */
	uint64_t gpa;                     /* translated guest-physical address of va */
	uint64_t pte;                     /* the leaf PTE as it is after any A/D update */
	uint64_t pte_gpa;                 /* where the leaf PTE lives */
	unsigned level;                   /* 0 = 4 KiB leaf, 1 = 2 MiB, 2 = 1 GiB, 3 = 512 GiB, 4 = 256 TiB */
	unsigned retries;                 /* A/D compare-and-swap failures that re-read the PTE */
	uint64_t page_base_va, page_size; /* the whole page the leaf maps */
};

/* gpt_walk return values. */
#define GPT_WALK_OK     0
#define GPT_WALK_FAULT  (-1)            /* res->cause holds the exception to inject */
#define GPT_WALK_RETRY  1               /* the PTE kept changing under us: inject
					 * nothing and let the guest re-execute the
					 * access, which is what a QEMU re-walk amounts to */

/* A/D compare-and-swap failures tolerated in one walk before GPT_WALK_RETRY. */
#define GPT_WALK_MAX_RETRIES 8

/*
 * Translate req->va. Returns GPT_WALK_OK, GPT_WALK_FAULT (res->cause set)
 * or GPT_WALK_RETRY (res->cause 0). Bare mode: gpa = va, never faults, one
 * 4 KiB page. The walk reads at most `levels` PTEs, plus one re-read per
 * failed A/D compare-and-swap (at most GPT_WALK_MAX_RETRIES), so a guest
 * table that loops on itself cannot hang it.
 */
int gpt_walk(const struct gpt_mem *mem, const struct gpt_walk_req *req,
	     struct gpt_walk_res *res);

/*
 * The leaf checks of 4.3.2 steps 3 and 5 alone, as QEMU 7.2 makes them. True
 * iff a PTE with exactly these bits, met as a leaf at a level where its PPN
 * is aligned, lets `access` through:
 *   - V = 1, bits 63:54 all zero (Svnapot/Svpbmt are off in QEMU 7.2 rv64),
 *     R|W|X != 0, and neither reserved encoding W-only or W+X;
 *   - U = 1: a U-mode access is fine; an S-mode load/store needs sum; an
 *     S-mode fetch is never allowed, even with sum;
 *   - U = 0: only S-mode;
 *   - load needs R, or X with mxr; store needs W; fetch needs X.
 * It ignores A and D (QEMU 7.2 sets them, it never faults on them), the PPN
 * alignment (it needs the level) and everything else about memory.
 */
bool gpt_leaf_allows(uint64_t pte, enum gpt_access access, bool priv_s,
		     bool sum, bool mxr);

#endif
