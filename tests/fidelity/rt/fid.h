/*
 * Differential fidelity suite: the contract between the program runtime
 * (fid_*.S, fid_main.c), the programs gen.py writes and run.py, which reads
 * these #defines too (one source for every constant; keep them plain
 * "#define NAME number" lines).
 *
 * A test binary is the runtime plus a batch of programs. For each program
 * the runtime restores one reset state (GPRs and FP registers from the
 * program's descriptor, S CSRs, the data area and the page-table pool),
 * runs the program's straight-line code in S-mode with gp = &fid_ctx, and
 * dumps the architectural state on the UART. Every trap goes to fid_vec,
 * which logs it and steps over the instruction, so a program always ends.
 */
#ifndef FID_H
#define FID_H

/* Physical layout (QEMU virt, 64 MiB RAM at 0x80000000, image at 0x80200000). */
#define FID_RAM_BASE     0x80000000
#define FID_RAM_END      0x84000000
#define FID_IMAGE_LIMIT  0x81000000
/* Data area: 32 pages, pattern-filled per program, checksummed at the end.
 * Pages 30 and 31 hold the code stubs (fid_main.c), never written. */
#define FID_DATA_BASE    0x81000000
#define FID_DATA_PAGES   32
#define FID_STUB_PAGE    30
/* Page-table pool: 64 pages, zeroed per program, then the program's image
 * (addr, value) pairs are stored; checksummed at the end (A/D bits). */
#define FID_PT_BASE      0x81200000
#define FID_PT_PAGES     64
#define FID_PAGE_SIZE    4096

/* Code stubs (FID_DATA_BASE + FID_STUB_PAGE * 4096 + offset). */
#define FID_STUB_INC     0x000   /* addi a0, a0, 1; ret */
#define FID_STUB_CROSS   0xffe   /* addi a0, a0, 3 across the page end; ret */
#define FID_STUB_EBREAK  0x100   /* ebreak; addi a0, a0, 5; ret */

/* U-mode: the block's exit is `lui a7, FID_UEXIT_HI; ecall` (a lui alone,
 * so it also works with UXL=32). */
#define FID_UEXIT_HI     0x46495
#define FID_UEXIT        0x46495000

/* Trap log. */
#define FID_LOG_MAX      96      /* entries kept (the count goes on) */
#define FID_TRAP_LIMIT   4000    /* more traps than this: program aborted */

/* struct fid_ctx offsets (gp points at it while a program runs). */
#define CTX_TMP          0       /* the program's t0 at its end */
#define CTX_EXIT         8       /* &fid_exit */
#define CTX_SAVE         16      /* handler: t0..t6 (7 dwords) */
#define CTX_BASE         72      /* program entry: epc offsets are from here */
#define CTX_UCONT        80      /* where a U block's exit ecall resumes (S) */
#define CTX_LOGN         88      /* traps taken */
#define CTX_ABORT        96      /* 1 when the trap limit stopped the program */
#define CTX_RT_SP        104     /* runtime sp, ra, s0..s11 across the program */
#define CTX_RT_RA        112
#define CTX_RT_S         120     /* 12 dwords */
#define CTX_INIT         224     /* x0..x31 at entry (32 dwords) */
#define CTX_REGS         480     /* x0..x31 at the end */
#define CTX_CSRS         736     /* the CSRs fid_exit reads, FID_CSR_* order */
#define CTX_LOG          1024    /* FID_LOG_MAX x {cause, tval, epc - base, sstatus} */
#define CTX_SIZE         4096

/* CSRs read by fid_exit, in CTX_CSRS order. */
#define FID_CSR_SSTATUS     0
#define FID_CSR_SIE         1
#define FID_CSR_SIP         2
#define FID_CSR_STVEC       3
#define FID_CSR_SSCRATCH    4
#define FID_CSR_SEPC        5
#define FID_CSR_SCAUSE      6
#define FID_CSR_STVAL       7
#define FID_CSR_SATP        8
#define FID_CSR_SCOUNTEREN  9
#define FID_CSR_COUNT       10

/* Program descriptor (gen.py emits it, fid_main.c reads it). */
#define DESC_SEED        0
#define DESC_ENTRY       8
#define DESC_IMAGE       16      /* (addr, value) dword pairs */
#define DESC_IMAGE_COUNT 24
#define DESC_FS          32      /* sstatus.FS at entry */
#define DESC_FCSR        40
#define DESC_X           48      /* x0..x31 */
#define DESC_F           304     /* f0..f31 (raw bits) */
#define DESC_SIZE        560

#define SSTATUS_SIE_BIT  0x2
#define SSTATUS_SPIE_BIT 0x20
#define SSTATUS_SPP_BIT  0x100
#define SSTATUS_SUM_MXR  0xc0000

#endif
