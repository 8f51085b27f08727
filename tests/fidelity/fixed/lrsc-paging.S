/*
 * Fixed difference 'lrsc-paging' (tests/fidelity/known.py FIXED): a regression test now.
 *
 * Sv39, RAM identity-mapped by a 1 GiB leaf V R W X A, D=0; lr.d then sc.d
 * on RAM.
 *
 * Before the fix: bare: x11=0x0 (the SC succeeded); Trapeze: x11=0x1
 *
 * Rerun: python3 tests/fidelity/run.py --repro tests/fidelity/fixed/lrsc-paging.S
 */
/* Fidelity program 900001: tests/fidelity/gen.py 900001, 1 steps, 1 leaves. */
#include "fid.h"
	.option norvc
	.section .text.fidp_900001, "ax", @progbits
	.balign 4
	.globl fidp_900001
fidp_900001:
	ld x31, CTX_INIT + 31*8(gp)
p900001_s0:		# known.lrsc-paging
	li t0, 0x8000100000081200
	csrw satp, t0
	sfence.vma zero, zero
p900001_s0_0:		# body
	li t1, 0x1234
	li t0, 0x81003000
	lr.d a0, (t0)
	sc.d a1, t1, (t0)
	csrw satp, zero
p900001_end:
	sd t0, CTX_TMP(gp)
	ld t0, CTX_EXIT(gp)
	jr t0
	.section .rodata.fidp_900001, "a", @progbits
	.balign 8
	.globl fiddesc_900001
fiddesc_900001:
	.dword 900001, fidp_900001, fidimg_900001, 1, 3, 0x0
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
fidimg_900001:
	.dword 0x81200010, 0x2000004f
