/*
 * System suspend as a call that returns (SBI v3.0, chapter 13): susp_call
 * keeps the caller's callee-saved registers, sp and ra, then makes the
 * ECALL. A refused suspend returns from it as any SBI call. A successful
 * one resumes at susp_resume_entry with only a0, a1, satp and sstatus.SIE
 * defined ("SUSP System Resume Register State"): it records them and the
 * CSRs the test checks, restores what susp_call kept and returns from
 * susp_call with a0 = 0 (SBI_SUCCESS), a1 = 1 (resumed).
 */
	.section .text
	.balign 4
	.globl susp_call
	.type susp_call, @function
/* struct sbiret susp_call(unsigned long sleep_type, unsigned long resume_addr,
 *                         unsigned long opaque) */
susp_call:
	la	t0, susp_saved
	sd	ra, 0(t0)
	sd	sp, 8(t0)
	sd	s0, 16(t0)
	sd	s1, 24(t0)
	sd	s2, 32(t0)
	sd	s3, 40(t0)
	sd	s4, 48(t0)
	sd	s5, 56(t0)
	sd	s6, 64(t0)
	sd	s7, 72(t0)
	sd	s8, 80(t0)
	sd	s9, 88(t0)
	sd	s10, 96(t0)
	sd	s11, 104(t0)
	sd	gp, 112(t0)
	sd	tp, 120(t0)
	li	a7, 0x53555350		/* SUSP */
	li	a6, 0			/* system_suspend */
	ecall
	ret
	.size susp_call, . - susp_call

	.balign 4
	.globl susp_resume_entry
	.type susp_resume_entry, @function
susp_resume_entry:
	la	t0, susp_resume_state
	sd	a0, 0(t0)
	sd	a1, 8(t0)
	csrr	t1, satp
	sd	t1, 16(t0)
	csrr	t1, sstatus
	sd	t1, 24(t0)
	csrr	t1, sie
	sd	t1, 32(t0)
	rdtime	t1
	sd	t1, 40(t0)
	li	t1, 1
	sd	t1, 48(t0)		/* reached */
	/* Traps go where they went before (stvec may be undefined). */
	la	t1, trap_entry
	csrw	stvec, t1
	la	t0, susp_saved
	ld	ra, 0(t0)
	ld	sp, 8(t0)
	ld	s0, 16(t0)
	ld	s1, 24(t0)
	ld	s2, 32(t0)
	ld	s3, 40(t0)
	ld	s4, 48(t0)
	ld	s5, 56(t0)
	ld	s6, 64(t0)
	ld	s7, 72(t0)
	ld	s8, 80(t0)
	ld	s9, 88(t0)
	ld	s10, 96(t0)
	ld	s11, 104(t0)
	ld	gp, 112(t0)
	ld	tp, 120(t0)
	li	a0, 0
	li	a1, 1
	ret
	.size susp_resume_entry, . - susp_resume_entry

	.section .bss
	.balign 8
susp_saved:
	.space 128
	.globl susp_resume_state
susp_resume_state:
	.space 56
