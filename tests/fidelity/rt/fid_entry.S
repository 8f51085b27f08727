/*
 * Fidelity runtime, the assembly half: entry, the trap vector every program
 * trap goes to, and the switch into and out of a program. Only saves,
 * restores and logs; what to run and print is fid_main.c.
 *
 * gp holds &fid_ctx from _start on: programs never write it (gen.py keeps
 * it out of every register choice) and the C code is built with
 * -mno-relax, so nothing else uses it.
 */
#include "fid.h"

	.option norvc

	.section .text.start, "ax", @progbits
	.globl _start
_start:
	la	gp, fid_ctx
	la	sp, fid_stack_top
	la	t0, __bss_start
	la	t1, __bss_end
1:	bgeu	t0, t1, 2f
	sd	zero, 0(t0)
	addi	t0, t0, 8
	j	1b
2:	la	t0, fid_vec
	csrw	stvec, t0
	call	fid_main
3:	j	3b

/*
 * The vector: direct mode enters at fid_vec, vectored mode at fid_vec +
 * 4 * cause for interrupts; every slot goes to the same handler. Uses only
 * t0..t6, saved in the context, so it is transparent to the program (it
 * reads a7 and ra, writes none).
 *
 * Log entry: scause, stval, sepc - CTX_BASE, sstatus (SPP and SPIE are what
 * the dump prints). Then:
 *   - interrupt: clear its sip bit (and its sie bit unless it is SSIP, the
 *     only one a program can raise on purpose) and return to sepc;
 *   - a trap at fid_exit_gate (a program that ended in U-mode): back to S,
 *     same pc;
 *   - U ecall with a7 = FID_UEXIT: the U block is over, return to S at
 *     CTX_UCONT;
 *   - fetch fault: there is no instruction to step over; resume at ra (every
 *     generated jump into other code is a `jalr ra`);
 *   - anything else: sepc += the length of the instruction there (read with
 *     SUM and MXR set, as it may be a U page or execute-only).
 * More than FID_TRAP_LIMIT traps: the program is stopped at fid_abort.
 */
	.text
	.balign 256
	.globl fid_vec
fid_vec:
	.rept 32
	j	fid_trap
	.endr

fid_trap:
	sd	t0, CTX_SAVE + 0(gp)
	sd	t1, CTX_SAVE + 8(gp)
	sd	t2, CTX_SAVE + 16(gp)
	sd	t3, CTX_SAVE + 24(gp)
	sd	t4, CTX_SAVE + 32(gp)
	sd	t5, CTX_SAVE + 40(gp)
	sd	t6, CTX_SAVE + 48(gp)
	csrr	t0, scause
	csrr	t1, stval
	csrr	t2, sepc
	csrr	t3, sstatus
	ld	t4, CTX_LOGN(gp)
	addi	t4, t4, 1
	sd	t4, CTX_LOGN(gp)
	addi	t5, t4, -1
	li	t6, FID_LOG_MAX
	bgeu	t5, t6, 1f
	slli	t5, t5, 5
	add	t5, t5, gp
	sd	t0, CTX_LOG + 0(t5)
	sd	t1, CTX_LOG + 8(t5)
	ld	t6, CTX_BASE(gp)
	sub	t6, t2, t6
	sd	t6, CTX_LOG + 16(t5)
	sd	t3, CTX_LOG + 24(t5)
1:	li	t6, FID_TRAP_LIMIT
	bgtu	t4, t6, .Labort
	la	t6, fid_exit_gate
	beq	t2, t6, .Lto_s
	bltz	t0, .Lirq
	li	t6, 8
	bne	t0, t6, 2f
	li	t6, FID_UEXIT
	bne	a7, t6, 2f
	ld	t2, CTX_UCONT(gp)
	j	.Lto_s
2:	li	t6, 1
	beq	t0, t6, .Lfetch
	li	t6, 12
	beq	t0, t6, .Lfetch
	beqz	t0, .Lfetch
	/* From U-mode at XLEN 32 (SPP = 0, UXL = 1) QEMU reports the pc
	 * sign-extended: the instruction is at its low 32 bits. */
	mv	t5, t2
	andi	t4, t3, SSTATUS_SPP_BIT
	bnez	t4, 3f
	srli	t4, t3, 32
	andi	t4, t4, 3
	addi	t4, t4, -1
	bnez	t4, 3f
	slli	t5, t5, 32
	srli	t5, t5, 32
3:	li	t6, SSTATUS_SUM_MXR
	csrrs	t6, sstatus, t6
	lhu	t5, 0(t5)
	csrw	sstatus, t6
	andi	t5, t5, 3
	addi	t2, t2, 2
	li	t6, 3
	bne	t5, t6, .Lret
	addi	t2, t2, 2
	j	.Lret
.Lfetch:
	mv	t2, ra
	j	.Lret
.Lto_s:
	li	t6, SSTATUS_SPP_BIT
	csrs	sstatus, t6
	j	.Lret
.Labort:
	li	t6, 1
	sd	t6, CTX_ABORT(gp)
	la	t2, fid_abort
	li	t6, SSTATUS_SPIE_BIT
	csrc	sstatus, t6
	j	.Lto_s
.Lirq:
	andi	t0, t0, 63
	li	t6, 1
	sll	t6, t6, t0
	csrc	sip, t6
	li	t5, 2
	beq	t6, t5, .Lrestore
	csrc	sie, t6
	j	.Lrestore
.Lret:
	csrw	sepc, t2
.Lrestore:
	ld	t0, CTX_SAVE + 0(gp)
	ld	t1, CTX_SAVE + 8(gp)
	ld	t2, CTX_SAVE + 16(gp)
	ld	t3, CTX_SAVE + 24(gp)
	ld	t4, CTX_SAVE + 32(gp)
	ld	t5, CTX_SAVE + 40(gp)
	ld	t6, CTX_SAVE + 48(gp)
	sret

/*
 * void fid_enter(unsigned long entry)
 * Keeps the runtime's callee-saved state in the context, loads x1..x30
 * (not gp) from CTX_INIT and jumps to the program with x31 = entry; the
 * program's first instruction loads its own x31.
 */
	.globl fid_enter
fid_enter:
	sd	sp, CTX_RT_SP(gp)
	sd	ra, CTX_RT_RA(gp)
	sd	s0, CTX_RT_S + 0(gp)
	sd	s1, CTX_RT_S + 8(gp)
	sd	s2, CTX_RT_S + 16(gp)
	sd	s3, CTX_RT_S + 24(gp)
	sd	s4, CTX_RT_S + 32(gp)
	sd	s5, CTX_RT_S + 40(gp)
	sd	s6, CTX_RT_S + 48(gp)
	sd	s7, CTX_RT_S + 56(gp)
	sd	s8, CTX_RT_S + 64(gp)
	sd	s9, CTX_RT_S + 72(gp)
	sd	s10, CTX_RT_S + 80(gp)
	sd	s11, CTX_RT_S + 88(gp)
	la	t0, fid_exit
	sd	t0, CTX_EXIT(gp)
	sd	a0, CTX_BASE(gp)
	mv	x31, a0
	ld	x1, CTX_INIT + 1*8(gp)
	ld	x2, CTX_INIT + 2*8(gp)
	ld	x4, CTX_INIT + 4*8(gp)
	ld	x5, CTX_INIT + 5*8(gp)
	ld	x6, CTX_INIT + 6*8(gp)
	ld	x7, CTX_INIT + 7*8(gp)
	ld	x8, CTX_INIT + 8*8(gp)
	ld	x9, CTX_INIT + 9*8(gp)
	ld	x10, CTX_INIT + 10*8(gp)
	ld	x11, CTX_INIT + 11*8(gp)
	ld	x12, CTX_INIT + 12*8(gp)
	ld	x13, CTX_INIT + 13*8(gp)
	ld	x14, CTX_INIT + 14*8(gp)
	ld	x15, CTX_INIT + 15*8(gp)
	ld	x16, CTX_INIT + 16*8(gp)
	ld	x17, CTX_INIT + 17*8(gp)
	ld	x18, CTX_INIT + 18*8(gp)
	ld	x19, CTX_INIT + 19*8(gp)
	ld	x20, CTX_INIT + 20*8(gp)
	ld	x21, CTX_INIT + 21*8(gp)
	ld	x22, CTX_INIT + 22*8(gp)
	ld	x23, CTX_INIT + 23*8(gp)
	ld	x24, CTX_INIT + 24*8(gp)
	ld	x25, CTX_INIT + 25*8(gp)
	ld	x26, CTX_INIT + 26*8(gp)
	ld	x27, CTX_INIT + 27*8(gp)
	ld	x28, CTX_INIT + 28*8(gp)
	ld	x29, CTX_INIT + 29*8(gp)
	ld	x30, CTX_INIT + 30*8(gp)
	jr	x31

/*
 * A program ends with `sd t0, CTX_TMP(gp); ld t0, CTX_EXIT(gp); jr t0`.
 * The gate reads a CSR: harmless in S, illegal in U, where the handler
 * brings it back to S-mode (the log shows it). Then every GPR and the
 * S CSRs go to the context before anything else changes them.
 */
	.globl fid_exit, fid_exit_gate, fid_abort
fid_exit:
fid_exit_gate:
	csrrs	x0, sscratch, x0
fid_abort:
	sd	x1, CTX_REGS + 1*8(gp)
	sd	x2, CTX_REGS + 2*8(gp)
	sd	x3, CTX_REGS + 3*8(gp)
	sd	x4, CTX_REGS + 4*8(gp)
	sd	x6, CTX_REGS + 6*8(gp)
	sd	x7, CTX_REGS + 7*8(gp)
	sd	x8, CTX_REGS + 8*8(gp)
	sd	x9, CTX_REGS + 9*8(gp)
	sd	x10, CTX_REGS + 10*8(gp)
	sd	x11, CTX_REGS + 11*8(gp)
	sd	x12, CTX_REGS + 12*8(gp)
	sd	x13, CTX_REGS + 13*8(gp)
	sd	x14, CTX_REGS + 14*8(gp)
	sd	x15, CTX_REGS + 15*8(gp)
	sd	x16, CTX_REGS + 16*8(gp)
	sd	x17, CTX_REGS + 17*8(gp)
	sd	x18, CTX_REGS + 18*8(gp)
	sd	x19, CTX_REGS + 19*8(gp)
	sd	x20, CTX_REGS + 20*8(gp)
	sd	x21, CTX_REGS + 21*8(gp)
	sd	x22, CTX_REGS + 22*8(gp)
	sd	x23, CTX_REGS + 23*8(gp)
	sd	x24, CTX_REGS + 24*8(gp)
	sd	x25, CTX_REGS + 25*8(gp)
	sd	x26, CTX_REGS + 26*8(gp)
	sd	x27, CTX_REGS + 27*8(gp)
	sd	x28, CTX_REGS + 28*8(gp)
	sd	x29, CTX_REGS + 29*8(gp)
	sd	x30, CTX_REGS + 30*8(gp)
	sd	x31, CTX_REGS + 31*8(gp)
	ld	t0, CTX_TMP(gp)
	sd	t0, CTX_REGS + 5*8(gp)
	csrr	t0, sstatus
	sd	t0, CTX_CSRS + FID_CSR_SSTATUS*8(gp)
	csrr	t0, sie
	sd	t0, CTX_CSRS + FID_CSR_SIE*8(gp)
	csrr	t0, sip
	sd	t0, CTX_CSRS + FID_CSR_SIP*8(gp)
	csrr	t0, stvec
	sd	t0, CTX_CSRS + FID_CSR_STVEC*8(gp)
	csrr	t0, sscratch
	sd	t0, CTX_CSRS + FID_CSR_SSCRATCH*8(gp)
	csrr	t0, sepc
	sd	t0, CTX_CSRS + FID_CSR_SEPC*8(gp)
	csrr	t0, scause
	sd	t0, CTX_CSRS + FID_CSR_SCAUSE*8(gp)
	csrr	t0, stval
	sd	t0, CTX_CSRS + FID_CSR_STVAL*8(gp)
	csrr	t0, satp
	sd	t0, CTX_CSRS + FID_CSR_SATP*8(gp)
	csrr	t0, scounteren
	sd	t0, CTX_CSRS + FID_CSR_SCOUNTEREN*8(gp)
	/* The runtime's own state: Bare, no interrupts, its vector. */
	csrci	sstatus, SSTATUS_SIE_BIT
	csrw	satp, zero
	sfence.vma
	la	t0, fid_vec
	csrw	stvec, t0
	ld	sp, CTX_RT_SP(gp)
	ld	ra, CTX_RT_RA(gp)
	ld	s0, CTX_RT_S + 0(gp)
	ld	s1, CTX_RT_S + 8(gp)
	ld	s2, CTX_RT_S + 16(gp)
	ld	s3, CTX_RT_S + 24(gp)
	ld	s4, CTX_RT_S + 32(gp)
	ld	s5, CTX_RT_S + 40(gp)
	ld	s6, CTX_RT_S + 48(gp)
	ld	s7, CTX_RT_S + 56(gp)
	ld	s8, CTX_RT_S + 64(gp)
	ld	s9, CTX_RT_S + 72(gp)
	ld	s10, CTX_RT_S + 80(gp)
	ld	s11, CTX_RT_S + 88(gp)
	ret

/* void fid_fp_load(const unsigned long f[32], unsigned long fcsr): FS must be on. */
	.globl fid_fp_load
fid_fp_load:
	fld	f0, 0*8(a0)
	fld	f1, 1*8(a0)
	fld	f2, 2*8(a0)
	fld	f3, 3*8(a0)
	fld	f4, 4*8(a0)
	fld	f5, 5*8(a0)
	fld	f6, 6*8(a0)
	fld	f7, 7*8(a0)
	fld	f8, 8*8(a0)
	fld	f9, 9*8(a0)
	fld	f10, 10*8(a0)
	fld	f11, 11*8(a0)
	fld	f12, 12*8(a0)
	fld	f13, 13*8(a0)
	fld	f14, 14*8(a0)
	fld	f15, 15*8(a0)
	fld	f16, 16*8(a0)
	fld	f17, 17*8(a0)
	fld	f18, 18*8(a0)
	fld	f19, 19*8(a0)
	fld	f20, 20*8(a0)
	fld	f21, 21*8(a0)
	fld	f22, 22*8(a0)
	fld	f23, 23*8(a0)
	fld	f24, 24*8(a0)
	fld	f25, 25*8(a0)
	fld	f26, 26*8(a0)
	fld	f27, 27*8(a0)
	fld	f28, 28*8(a0)
	fld	f29, 29*8(a0)
	fld	f30, 30*8(a0)
	fld	f31, 31*8(a0)
	fscsr	a1
	ret

/* void fid_fp_save(unsigned long f[32]): reads only, FS stays as it is. */
	.globl fid_fp_save
fid_fp_save:
	fsd	f0, 0*8(a0)
	fsd	f1, 1*8(a0)
	fsd	f2, 2*8(a0)
	fsd	f3, 3*8(a0)
	fsd	f4, 4*8(a0)
	fsd	f5, 5*8(a0)
	fsd	f6, 6*8(a0)
	fsd	f7, 7*8(a0)
	fsd	f8, 8*8(a0)
	fsd	f9, 9*8(a0)
	fsd	f10, 10*8(a0)
	fsd	f11, 11*8(a0)
	fsd	f12, 12*8(a0)
	fsd	f13, 13*8(a0)
	fsd	f14, 14*8(a0)
	fsd	f15, 15*8(a0)
	fsd	f16, 16*8(a0)
	fsd	f17, 17*8(a0)
	fsd	f18, 18*8(a0)
	fsd	f19, 19*8(a0)
	fsd	f20, 20*8(a0)
	fsd	f21, 21*8(a0)
	fsd	f22, 22*8(a0)
	fsd	f23, 23*8(a0)
	fsd	f24, 24*8(a0)
	fsd	f25, 25*8(a0)
	fsd	f26, 26*8(a0)
	fsd	f27, 27*8(a0)
	fsd	f28, 28*8(a0)
	fsd	f29, 29*8(a0)
	fsd	f30, 30*8(a0)
	fsd	f31, 31*8(a0)
	ret

	.bss
	.balign 4096
	.globl fid_ctx
fid_ctx:
	.zero	CTX_SIZE
	.balign 16
	.zero	0x8000
fid_stack_top:
