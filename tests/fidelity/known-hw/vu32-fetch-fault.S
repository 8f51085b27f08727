/*
 * Known difference 'vu32-fetch-fault' of the hw engine (tests/fidelity/known.py
 * HW_CLASSES): a QEMU 7.2 bug, run by tests/system/test_fidelity.py as a
 * strict expected failure under the hw engine and as a regular test (it
 * must match bare QEMU) under the trap engine.
 *
 * Bare; an RV32 U block (sstatus.UXL = 32, SPP = U, sret) that starts with
 * c.unimp (0x0000, an illegal compressed instruction). It traps to OpenSBI
 * (mtval = 0), which reads the instruction again at mepc, sign-extended by
 * QEMU to 0xffffffff8xxxxxxx where nothing is, and redirects the failed
 * read as a fetch fault; the runtime resumes at ra (the block's exit).
 *
 * bare QEMU: trap 0 cause=0x1 (instruction access fault), tval = that pc;
 * hw engine: trap 0 cause=0xc (instruction page fault: QEMU fails the read
 * made with MPV = 1 with a page fault, vsatp Bare), same tval and epc,
 * redirected by OpenSBI straight to VS (no trap reaches Trapeze).
 * The seeds' programs get there by u32.trap..4byte (.4byte 0: two c.unimp)
 * or by C.FLW/C.FSW after a step that turned FS off.
 * Seeds 42, 68, 75, 113, 130, 141, 143, 147, 174, 179, 184, 196 of 1..200
 * reduce to this (HW_KNOWN_STEPS).
 *
 * Rerun: python3 tests/fidelity/run.py --repro tests/fidelity/known-hw/vu32-fetch-fault.S --engine hw
 */
/* Fidelity program 900102: tests/fidelity/gen.py 900102, 1 steps, 1 leaves. */
#include "fid.h"
	.option norvc
	.section .text.fidp_900102, "ax", @progbits
	.balign 4
	.globl fidp_900102
fidp_900102:
	ld x31, CTX_INIT + 31*8(gp)
p900102_s0:		# block.u32
	la ra, p900102_s0_uexit
	la t0, p900102_s0_cont
	sd t0, CTX_UCONT(gp)
	la t0, p900102_s0_ucode
	csrw sepc, t0
	csrr t0, sstatus
	li t1, 0xfffffffcffffffff
	and t0, t0, t1
	li t1, 0x100000000
	or t0, t0, t1
	li t1, 0x100
	not t1, t1
	and t0, t0, t1
	csrw sstatus, t0
	sret
	p900102_s0_ucode:
p900102_s0_0:		# u32.trap.c.unimp
	.2byte 0x0000
	.2byte 0x0001
	p900102_s0_uexit:
	lui a7, 0x46495
	ecall
	p900102_s0_cont:
p900102_end:
	sd t0, CTX_TMP(gp)
	ld t0, CTX_EXIT(gp)
	jr t0
	.section .rodata.fidp_900102, "a", @progbits
	.balign 8
	.globl fiddesc_900102
fiddesc_900102:
	.dword 900102, fidp_900102, fidimg_900102, 0, 3, 0x0
	.dword 0x0, 0x0, 0x0, 0x0
	.dword 0x0, 0x0, 0x0, 0x0
	.dword 0x0, 0x0, 0x0, 0x0
	.dword 0x0, 0x0, 0x0, 0x0
	.dword 0x0, 0x0, 0x0, 0x0
	.dword 0x0, 0x0, 0x0, 0x0
	.dword 0x0, 0x0, 0x0, 0x0
	.dword 0x0, 0x0, 0x0, 0x0
	.dword 0x0, 0x0, 0x0, 0x0
	.dword 0x0, 0x0, 0x0, 0x0
	.dword 0x0, 0x0, 0x0, 0x0
	.dword 0x0, 0x0, 0x0, 0x0
	.dword 0x0, 0x0, 0x0, 0x0
	.dword 0x0, 0x0, 0x0, 0x0
	.dword 0x0, 0x0, 0x0, 0x0
	.dword 0x0, 0x0, 0x0, 0x0
fidimg_900102:
