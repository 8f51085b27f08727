/*
 * Fixed difference 'uxl32-umode' (tests/fidelity/known.py FIXED): a regression test now.
 *
 * Bare; sstatus.UXL=1 (QEMU 7.2 keeps it), then U-mode runs li a0,5 and
 * addiw a0,a0,1.
 *
 * Before the fix: bare: addiw is illegal in RV32 U-mode (trap cause=0x2), x10=0x5;
 * Trapeze: runs it as RV64, x10=0x6, no trap
 *
 * Rerun: python3 tests/fidelity/run.py --repro tests/fidelity/fixed/uxl32-umode.S
 */
/* Fidelity program 900006: tests/fidelity/gen.py 900006, 1 steps, 1 leaves. */
#include "fid.h"
	.option norvc
	.section .text.fidp_900006, "ax", @progbits
	.balign 4
	.globl fidp_900006
fidp_900006:
	ld x31, CTX_INIT + 31*8(gp)
p900006_s0:		# known.uxl32-umode
	csrr t0, sstatus
	li t1, 0xfffffffcffffffff
	and t0, t0, t1
	li t1, 0x100000000
	or t0, t0, t1
	csrw sstatus, t0
	la t0, p900006_s0_cont
	sd t0, CTX_UCONT(gp)
	la t0, p900006_s0_ucode
	csrw sepc, t0
	li t0, 0x100
	csrc sstatus, t0
	sret
p900006_s0_ucode:
	li a0, 5
	.4byte 0x0015051b
	lui a7, 0x46495
	ecall
p900006_s0_cont:
p900006_end:
	sd t0, CTX_TMP(gp)
	ld t0, CTX_EXIT(gp)
	jr t0
	.section .rodata.fidp_900006, "a", @progbits
	.balign 8
	.globl fiddesc_900006
fiddesc_900006:
	.dword 900006, fidp_900006, fidimg_900006, 0, 3, 0x0
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
fidimg_900006:
