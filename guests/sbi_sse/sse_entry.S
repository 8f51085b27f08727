/*
 * SBI v3.0 SSE: the handler entry every event of this guest registers, and
 * a call that proves an interrupted context comes back intact.
 *
 * sse_entry: entered by the SBI implementation ("Software Event
 * Injection") with a6 = hart id, a7 = ENTRY_ARG = a struct sse_ctx,
 * sepc = the interrupted pc, SIE = 0, every other register the
 * interrupted code's. It saves them in the ctx (regs_store of regs.h, as
 * the trap vector in start.S saves a trap frame; a6/a7 the SBI keeps in
 * INTERRUPTED_A6/A7), runs sse_handler(ctx) on the ctx's own stack,
 * restores them and calls sse_complete with a6/a7 = FID/EID, which
 * resumes the interrupted code and restores its a6/a7.
 */
#include "regs.h"

#define SBI_EXT_SSE         0x535345
#define SBI_SSE_COMPLETE    6
#define CTX_STACK           (32 * 8)        /* struct sse_ctx: regs[32], stack_top, hartid */
#define CTX_HARTID          (33 * 8)

	.text
	.balign 4
	.globl sse_entry
sse_entry:
	regs_store a7, 1, 2, REGS_X3_X15, REGS_X18_X31
	sd	a6, CTX_HARTID(a7)
	ld	sp, CTX_STACK(a7)
	mv	a0, a7
	call	sse_handler             /* returns its ctx */
	mv	a7, a0
	regs_load a7, 1, 2, REGS_X3_X15, REGS_X18_X31
	li	a6, SBI_SSE_COMPLETE
	li	a7, SBI_EXT_SSE
	ecall
	.globl sse_entry_stuck
sse_entry_stuck:                        /* complete returned: it must not */
	j	guest_fail

/*
 * struct sse_regs *sse_checked_call(unsigned long fid, unsigned long a0,
 *                                    unsigned long a1, struct sse_regs *out)
 *
 * An SSE call made with every free register holding a pattern
 * (0x5a5a0000_0000iiii for xi), sepc = SSE_TEST_SEPC and sstatus.SPP = 0,
 * SPIE = 1, SIE = 1 (sie stays 0: no interrupt is taken). An event the
 * call makes deliverable interrupts it right after the ECALL; after the
 * handler completes, every register, sepc and sstatus are stored in out
 * (regs[1..31], then sepc and sstatus).
 */
#define SSE_TEST_SEPC       0x1234
#define PAT(i)              (0x5a5a000000000000 + (i))
#define OUT_SEPC            (32 * 8)
#define OUT_SSTATUS         (33 * 8)
#define SSTATUS_SIE         (1 << 1)
#define SSTATUS_SPIE        (1 << 5)
#define SSTATUS_SPP         (1 << 8)

	.globl sse_checked_call
	.globl sse_checked_ecall_ret
sse_checked_call:
	addi	sp, sp, -128
	sd	ra, 0(sp)
	sd	s0, 8(sp)
	sd	s1, 16(sp)
	sd	s2, 24(sp)
	sd	s3, 32(sp)
	sd	s4, 40(sp)
	sd	s5, 48(sp)
	sd	s6, 56(sp)
	sd	s7, 64(sp)
	sd	s8, 72(sp)
	sd	s9, 80(sp)
	sd	s10, 88(sp)
	sd	s11, 96(sp)
	sd	a3, 104(sp)
	li	t0, SSE_TEST_SEPC
	csrw	sepc, t0
	li	t0, SSTATUS_SPP
	csrc	sstatus, t0
	li	t0, SSTATUS_SPIE | SSTATUS_SIE
	csrs	sstatus, t0
	mv	a6, a0
	mv	a0, a1
	mv	a1, a2
	li	a7, SBI_EXT_SSE
	li	x1, PAT(1)
	li	x5, PAT(5)
	li	x6, PAT(6)
	li	x7, PAT(7)
	li	x8, PAT(8)
	li	x9, PAT(9)
	li	x12, PAT(12)
	li	x13, PAT(13)
	li	x14, PAT(14)
	li	x15, PAT(15)
	li	x18, PAT(18)
	li	x19, PAT(19)
	li	x20, PAT(20)
	li	x21, PAT(21)
	li	x22, PAT(22)
	li	x23, PAT(23)
	li	x24, PAT(24)
	li	x25, PAT(25)
	li	x26, PAT(26)
	li	x27, PAT(27)
	li	x28, PAT(28)
	li	x29, PAT(29)
	li	x30, PAT(30)
	li	x31, PAT(31)
	ecall
sse_checked_ecall_ret:
	sd	t6, 112(sp)
	ld	t6, 104(sp)
	regs_store t6, 1, 2, REGS_X3_X15, REGS_A6_A7, REGS_X18_X30
	ld	t5, 112(sp)
	sd	t5, 31*8(t6)
	csrr	t5, sepc
	sd	t5, OUT_SEPC(t6)
	csrr	t5, sstatus
	sd	t5, OUT_SSTATUS(t6)
	li	t5, SSTATUS_SIE
	csrc	sstatus, t5
	mv	a0, t6
	ld	ra, 0(sp)
	ld	s0, 8(sp)
	ld	s1, 16(sp)
	ld	s2, 24(sp)
	ld	s3, 32(sp)
	ld	s4, 40(sp)
	ld	s5, 48(sp)
	ld	s6, 56(sp)
	ld	s7, 64(sp)
	ld	s8, 72(sp)
	ld	s9, 80(sp)
	ld	s10, 88(sp)
	ld	s11, 96(sp)
	addi	sp, sp, 128
	ret
