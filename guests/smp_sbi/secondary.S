/*
 * Entry points of the secondary harts (SBI HSM hart_start, and the resume
 * of a non-retentive hart_suspend): a0 = hart id, a1 = opaque, which the
 * primary sets to the top of that hart's stack; MMU off, interrupts off
 * (SBI v3.0, "HSM Hart Start Register State"). tp holds the hart id from
 * here on: the trap hooks find the hart's counters with it.
 */
	.section .text
	.balign 4
	.globl secondary_entry
secondary_entry:
	mv	sp, a1
	mv	tp, a0
	la	t0, trap_entry
	csrw	stvec, t0
	call	secondary_main
1:	j	1b

	.balign 4
	.globl secondary_resume
secondary_resume:
	mv	sp, a1
	mv	tp, a0
	la	t0, trap_entry
	csrw	stvec, t0
	call	secondary_resumed
1:	j	1b
