/*
 * Trap vector and U-mode switch for guests with paging on (paging.h).
 * Only saves and restores state; policy stays in trap.c and paging.c.
 *
 * sscratch is 0 while S-mode runs and holds the kernel stack while U-mode
 * runs (the xv6/Linux convention): a trap from U must not push its frame on
 * the U stack, which S cannot reach once it is a U page with SUM = 0.
 * The frame is struct trap_frame, as start.S lays it out.
 */
#define FRAME_SIZE    (36 * 8)
#define FRAME_SEPC    (32 * 8)
#define FRAME_SSTATUS (33 * 8)
#define FRAME_SCAUSE  (34 * 8)
#define FRAME_STVAL   (35 * 8)
#define PG_USER_EXIT_EID 0x50474558
#define SSTATUS_SIE  (1 << 1)
#define SSTATUS_SPIE (1 << 5)
#define SSTATUS_SPP  (1 << 8)

	.text
	.balign 4
	.globl pg_trap_entry
pg_trap_entry:
	csrrw	sp, sscratch, sp
	bnez	sp, 1f
	/* From S: back to the interrupted stack; sscratch is 0 again. */
	csrrw	sp, sscratch, sp
1:	addi	sp, sp, -FRAME_SIZE
	sd	x1, 1*8(sp)
	sd	x3, 3*8(sp)
	sd	x4, 4*8(sp)
	sd	x5, 5*8(sp)
	sd	x6, 6*8(sp)
	sd	x7, 7*8(sp)
	sd	x8, 8*8(sp)
	sd	x9, 9*8(sp)
	sd	x10, 10*8(sp)
	sd	x11, 11*8(sp)
	sd	x12, 12*8(sp)
	sd	x13, 13*8(sp)
	sd	x14, 14*8(sp)
	sd	x15, 15*8(sp)
	sd	x16, 16*8(sp)
	sd	x17, 17*8(sp)
	sd	x18, 18*8(sp)
	sd	x19, 19*8(sp)
	sd	x20, 20*8(sp)
	sd	x21, 21*8(sp)
	sd	x22, 22*8(sp)
	sd	x23, 23*8(sp)
	sd	x24, 24*8(sp)
	sd	x25, 25*8(sp)
	sd	x26, 26*8(sp)
	sd	x27, 27*8(sp)
	sd	x28, 28*8(sp)
	sd	x29, 29*8(sp)
	sd	x30, 30*8(sp)
	sd	x31, 31*8(sp)
	/* The interrupted sp: the U sp parked in sscratch, or our own. */
	csrr	t0, sscratch
	bnez	t0, 2f
	addi	t0, sp, FRAME_SIZE
2:	sd	t0, 2*8(sp)
	csrw	sscratch, zero
	sd	zero, 0(sp)
	csrr	t0, sepc
	sd	t0, FRAME_SEPC(sp)
	csrr	t0, sstatus
	sd	t0, FRAME_SSTATUS(sp)
	csrr	t0, scause
	sd	t0, FRAME_SCAUSE(sp)
	csrr	t0, stval
	sd	t0, FRAME_STVAL(sp)
	mv	a0, sp
	call	trap_handle
	ld	t0, FRAME_SEPC(sp)
	csrw	sepc, t0
	ld	t0, FRAME_SSTATUS(sp)
	csrw	sstatus, t0
	andi	t0, t0, SSTATUS_SPP
	bnez	t0, 3f
	/* Back to U: the next trap from U starts on this kernel stack. */
	addi	t0, sp, FRAME_SIZE
	csrw	sscratch, t0
3:	ld	x1, 1*8(sp)
	ld	x3, 3*8(sp)
	ld	x4, 4*8(sp)
	ld	x5, 5*8(sp)
	ld	x6, 6*8(sp)
	ld	x7, 7*8(sp)
	ld	x8, 8*8(sp)
	ld	x9, 9*8(sp)
	ld	x10, 10*8(sp)
	ld	x11, 11*8(sp)
	ld	x12, 12*8(sp)
	ld	x13, 13*8(sp)
	ld	x14, 14*8(sp)
	ld	x15, 15*8(sp)
	ld	x16, 16*8(sp)
	ld	x17, 17*8(sp)
	ld	x18, 18*8(sp)
	ld	x19, 19*8(sp)
	ld	x20, 20*8(sp)
	ld	x21, 21*8(sp)
	ld	x22, 22*8(sp)
	ld	x23, 23*8(sp)
	ld	x24, 24*8(sp)
	ld	x25, 25*8(sp)
	ld	x26, 26*8(sp)
	ld	x27, 27*8(sp)
	ld	x28, 28*8(sp)
	ld	x29, 29*8(sp)
	ld	x30, 30*8(sp)
	ld	x31, 31*8(sp)
	ld	sp, 2*8(sp)
	sret

/*
 * unsigned long pg_user_run(pc, arg, sp, ra)
 * Saves the callee-saved state and sstatus, parks the kernel stack in
 * sscratch and srets to pc in U-mode. pg_user_resume(ret), called from the
 * trap handler, returns ret from pg_user_run.
 */
	.globl pg_user_run
pg_user_run:
	addi	sp, sp, -112
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
	csrr	t0, sstatus
	sd	t0, 104(sp)
	la	t1, pg_user_saved_sp
	sd	sp, 0(t1)
	/* SIE off first: an interrupt here would clobber sepc. */
	li	t0, SSTATUS_SIE | SSTATUS_SPP | SSTATUS_SPIE
	csrc	sstatus, t0
	csrw	sscratch, sp
	csrw	sepc, a0
	mv	a0, a1
	mv	sp, a2
	mv	ra, a3
	sret

	.globl pg_user_resume
pg_user_resume:
	la	t1, pg_user_saved_sp
	ld	sp, 0(t1)
	csrw	sscratch, zero
	csrci	sstatus, SSTATUS_SIE
	ld	t0, 104(sp)
	andi	t0, t0, SSTATUS_SIE
	csrs	sstatus, t0
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
	addi	sp, sp, 112
	ret

/* U code returns here (through a U alias of this page). */
	.balign 4
	.globl pg_user_exit
pg_user_exit:
	.option push
	.option norvc
	li	a7, PG_USER_EXIT_EID
	ecall
4:	j	4b
	.option pop

	.data
	.balign 8
pg_user_saved_sp:	.dword 0
