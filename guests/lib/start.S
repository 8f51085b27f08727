/*
 * Guest entry, trap vector and U-mode switch. Entered like an OpenSBI
 * S-mode payload: a0 = hart id, a1 = DTB, MMU off, interrupts off.
 * Only saves and restores state; policy is in trap.c.
 */
#include "regs.h"

#define FRAME_SIZE   (36 * 8)
#define FRAME_SEPC   (32 * 8)
#define FRAME_SSTATUS (33 * 8)
#define FRAME_SCAUSE (34 * 8)
#define FRAME_STVAL  (35 * 8)
#define UMODE_EXIT_EID 0x55455849
#define SSTATUS_SIE  (1 << 1)
#define SSTATUS_SPIE (1 << 5)
#define SSTATUS_SPP  (1 << 8)

	.section .text.start, "ax", @progbits
	.globl _start
_start:
	/* Record the S CSRs as the firmware left them (struct boot_csrs). */
	la	t0, boot_csrs
	csrr	t1, sstatus;    sd t1, 0(t0)
	csrr	t1, sie;        sd t1, 8(t0)
	csrr	t1, sip;        sd t1, 16(t0)
	csrr	t1, stvec;      sd t1, 24(t0)
	csrr	t1, sscratch;   sd t1, 32(t0)
	csrr	t1, satp;       sd t1, 40(t0)
	csrr	t1, scounteren; sd t1, 48(t0)
	csrr	t1, sepc;       sd t1, 56(t0)
	csrr	t1, scause;     sd t1, 64(t0)
	csrr	t1, stval;      sd t1, 72(t0)

	la	sp, __stack_top
	la	t0, __bss_start
	la	t1, __bss_end
1:	bgeu	t0, t1, 2f
	sd	zero, 0(t0)
	addi	t0, t0, 8
	j	1b
2:
	la	t0, boot_hartid
	sd	a0, 0(t0)
	la	t0, boot_dtb
	sd	a1, 0(t0)
	la	t0, trap_entry
	csrw	stvec, t0
	call	guest_main
	call	guest_done
3:	j	3b

/*
 * Direct-mode trap vector. Pushes a struct trap_frame on the current stack
 * (the S stack, or the U stack when trapping from U-mode: with satp=Bare
 * both are plain RAM), calls trap_handle(frame), then returns through the
 * frame's sepc/sstatus so the handler can redirect the return.
 */
	.text
	.balign 4
	.globl trap_entry
trap_entry:
	addi	sp, sp, -FRAME_SIZE
	regs_store sp, 1, REGS_X3_X15, REGS_A6_A7, REGS_X18_X31
	addi	t0, sp, FRAME_SIZE
	sd	t0, 2*8(sp)
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
	regs_load sp, 1, REGS_X3_X15, REGS_A6_A7, REGS_X18_X31
	ld	sp, 2*8(sp)
	sret

/*
 * unsigned long umode_run(probe_fn fn, unsigned long arg)
 * Saves the callee-saved state and sstatus, then srets to fn(arg) in U-mode
 * on __ustack_top with ra = umode_exit. The handler answers umode_exit's
 * ecall by calling umode_resume(ret), which returns from umode_run.
 */
	.globl umode_run
umode_run:
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
	la	t1, umode_saved_sp
	sd	sp, 0(t1)
	/* SIE off first: an interrupt here would clobber sepc. */
	li	t0, SSTATUS_SIE | SSTATUS_SPP | SSTATUS_SPIE
	csrc	sstatus, t0
	csrw	sepc, a0
	mv	a0, a1
	la	ra, umode_exit
	la	sp, __ustack_top
	sret

	.balign 4
umode_exit:
	li	a7, UMODE_EXIT_EID
	ecall
4:	j	4b

	.globl umode_resume
umode_resume:
	la	t1, umode_saved_sp
	ld	sp, 0(t1)
	/* Only SIE comes back: FS may have been dirtied in U-mode. */
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

	.data
	.balign 8
	.globl boot_csrs, boot_hartid, boot_dtb
boot_csrs:	.zero 80
boot_hartid:	.dword 0
boot_dtb:	.dword 0
umode_saved_sp:	.dword 0
