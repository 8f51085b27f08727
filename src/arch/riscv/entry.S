/*
 * Boot entry, secondary-hart entry and the trap vector. Assembly here only
 * saves and restores state; every decision is in C (dispatch.c, boot.c).
 */
#include "arch/riscv/layout.h"
#include "arch/riscv/asm_offsets.h"

	.section .text.entry, "ax"
	.globl _start
/*
 * OpenSBI enters S-mode at 0x80200000 with a0 = hart id, a1 = DTB (physical),
 * MMU off. We run at physical addresses until boot_enable_paging() has
 * built the boot page tables; only PC-relative code until then.
 */
_start:
	/* Reject a second hart entering here: only the boot hart does. */
	lla	t0, boot_hart_claimed
	li	t1, 1
	amoswap.w t1, t1, (t0)
	bnez	t1, park
	lla	sp, boot_stack_top
	mv	s0, a0
	mv	s1, a1
	/* Clear .bss (physical addresses: PC-relative). */
	lla	t0, _bss_start
	lla	t1, _end_image
1:	bgeu	t0, t1, 2f
	sd	zero, (t0)
	addi	t0, t0, 8
	j	1b
2:	call	boot_enable_paging	/* returns the satp value in use */
	/* Jump to the high alias. */
	li	t0, KERNEL_VA_OFFSET
	lla	t1, 3f
	add	t1, t1, t0
	jr	t1
3:	add	sp, sp, t0
	lla	tp, harts		/* struct hart of the boot hart: fixed up in hyp_main */
	csrrw	a3, sscratch, zero	/* what OpenSBI left, for the guests' reset state */
	lla	t1, trap_vector
	csrrw	a2, stvec, t1
	mv	a0, s0
	mv	a1, s1
	call	arch_entry
park:
	wfi
	j	park

/*
 * Secondary harts, started with SBI HSM hart_start: a0 = hart id,
 * a1 = opaque = physical address of their struct hart.
 */
	.globl secondary_entry
secondary_entry:
	lla	t0, boot_satp
	ld	t0, (t0)
	sfence.vma
	csrw	satp, t0
	sfence.vma
	li	t0, KERNEL_VA_OFFSET
	lla	t1, 4f
	add	t1, t1, t0
	jr	t1
4:	add	a1, a1, t0		/* struct hart * */
	ld	sp, HART_STACK_TOP(a1)
	csrw	sscratch, zero
	lla	t1, trap_vector
	csrw	stvec, t1
	call	hyp_secondary_main
	j	park

/*
 * The trap vector. In guest context (real U-mode) sscratch holds the
 * running vCPU's struct vcpu_arch; in Trapeze's own context it holds 0, so a swap
 * with sp tells the two apart in one instruction.
 */
	.text
	.balign 4
	.globl trap_vector
trap_vector:
	csrrw	sp, sscratch, sp
	beqz	sp, trap_from_hyp
	/* sp = struct vcpu_arch; save the guest's registers in its regs. */
	sd	ra, 1*8(sp)
	sd	gp, 3*8(sp)
	sd	tp, 4*8(sp)
	sd	t0, 5*8(sp)
	sd	t1, 6*8(sp)
	sd	t2, 7*8(sp)
	sd	s0, 8*8(sp)
	sd	s1, 9*8(sp)
	sd	a0, 10*8(sp)
	sd	a1, 11*8(sp)
	sd	a2, 12*8(sp)
	sd	a3, 13*8(sp)
	sd	a4, 14*8(sp)
	sd	a5, 15*8(sp)
	sd	a6, 16*8(sp)
	sd	a7, 17*8(sp)
	sd	s2, 18*8(sp)
	sd	s3, 19*8(sp)
	sd	s4, 20*8(sp)
	sd	s5, 21*8(sp)
	sd	s6, 22*8(sp)
	sd	s7, 23*8(sp)
	sd	s8, 24*8(sp)
	sd	s9, 25*8(sp)
	sd	s10, 26*8(sp)
	sd	s11, 27*8(sp)
	sd	t3, 28*8(sp)
	sd	t4, 29*8(sp)
	sd	t5, 30*8(sp)
	sd	t6, 31*8(sp)
	csrrw	t0, sscratch, zero	/* guest sp; Trapeze context from now on */
	sd	t0, 2*8(sp)
	csrr	t0, sepc
	sd	t0, VCPU_PC(sp)
	mv	a0, sp
	ld	tp, VCPU_HOST_TP(a0)
	ld	sp, VCPU_HOST_SP(a0)
	call	dispatch_trap		/* returns the vcpu to run next */
	/* fall through */

/* void trap_return(struct vcpu_arch *a): enter the guest. Never returns. */
	.globl trap_return
trap_return:
	sd	sp, VCPU_HOST_SP(a0)
	sd	tp, VCPU_HOST_TP(a0)
	ld	t0, VCPU_PC(a0)
	csrw	sepc, t0
	csrw	sscratch, a0
	ld	ra, 1*8(a0)
	ld	sp, 2*8(a0)
	ld	gp, 3*8(a0)
	ld	tp, 4*8(a0)
	ld	t0, 5*8(a0)
	ld	t1, 6*8(a0)
	ld	t2, 7*8(a0)
	ld	s0, 8*8(a0)
	ld	s1, 9*8(a0)
	ld	a1, 11*8(a0)
	ld	a2, 12*8(a0)
	ld	a3, 13*8(a0)
	ld	a4, 14*8(a0)
	ld	a5, 15*8(a0)
	ld	a6, 16*8(a0)
	ld	a7, 17*8(a0)
	ld	s2, 18*8(a0)
	ld	s3, 19*8(a0)
	ld	s4, 20*8(a0)
	ld	s5, 21*8(a0)
	ld	s6, 22*8(a0)
	ld	s7, 23*8(a0)
	ld	s8, 24*8(a0)
	ld	s9, 25*8(a0)
	ld	s10, 26*8(a0)
	ld	s11, 27*8(a0)
	ld	t3, 28*8(a0)
	ld	t4, 29*8(a0)
	ld	t5, 30*8(a0)
	ld	t6, 31*8(a0)
	ld	a0, 10*8(a0)
	sret

/*
 * A trap taken in Trapeze itself: only CSR probes are expected (an
 * illegal-instruction trap while hart->probe_active). Save the caller-saved
 * registers on the current stack and let C decide; hyp_trap() panics on
 * anything unexpected.
 */
trap_from_hyp:
	csrrw	sp, sscratch, sp	/* back to our own sp, sscratch = 0 again */
	addi	sp, sp, -18*8
	sd	ra, 0*8(sp)
	sd	t0, 1*8(sp)
	sd	t1, 2*8(sp)
	sd	t2, 3*8(sp)
	sd	a0, 4*8(sp)
	sd	a1, 5*8(sp)
	sd	a2, 6*8(sp)
	sd	a3, 7*8(sp)
	sd	a4, 8*8(sp)
	sd	a5, 9*8(sp)
	sd	a6, 10*8(sp)
	sd	a7, 11*8(sp)
	sd	t3, 12*8(sp)
	sd	t4, 13*8(sp)
	sd	t5, 14*8(sp)
	sd	t6, 15*8(sp)
	call	hyp_trap
	ld	ra, 0*8(sp)
	ld	t0, 1*8(sp)
	ld	t1, 2*8(sp)
	ld	t2, 3*8(sp)
	ld	a0, 4*8(sp)
	ld	a1, 5*8(sp)
	ld	a2, 6*8(sp)
	ld	a3, 7*8(sp)
	ld	a4, 8*8(sp)
	ld	a5, 9*8(sp)
	ld	a6, 10*8(sp)
	ld	a7, 11*8(sp)
	ld	t3, 12*8(sp)
	ld	t4, 13*8(sp)
	ld	t5, 14*8(sp)
	ld	t6, 15*8(sp)
	addi	sp, sp, 18*8
	sret

	.section .data
	.balign 8
boot_hart_claimed:
	.word 0
	.section .bss
	.balign 16
boot_stack:
	.space HART_STACK_SIZE
boot_stack_top:
