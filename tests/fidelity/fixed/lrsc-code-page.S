/*
 * Fixed difference 'lrsc-code-page' (tests/fidelity/known.py FIXED): a regression test now.
 *
 * Bare; lr.d as the last instruction of a code page, sc.d the first of the
 * next page, which nothing touched before.
 *
 * Before the fix: bare: x11=0x0 (the SC succeeded); Trapeze: x11=0x1
 *
 * Rerun: python3 tests/fidelity/run.py --repro tests/fidelity/fixed/lrsc-code-page.S
 */
/* Fidelity program 900007: tests/fidelity/gen.py 900007, 1 steps, 1 leaves. */
#include "fid.h"
	.option norvc
	.section .text.fidp_900007, "ax", @progbits
	.balign 4
	.globl fidp_900007
fidp_900007:
	ld x31, CTX_INIT + 31*8(gp)
p900007_s0:		# known.lrsc-code-page
	li t1, 0x1234
	li t0, 0x81003000
	.balign 4096
	.fill 1023, 4, 0x00000013
	lr.d a0, (t0)
	sc.d a1, t1, (t0)
p900007_end:
	sd t0, CTX_TMP(gp)
	ld t0, CTX_EXIT(gp)
	jr t0
	.section .rodata.fidp_900007, "a", @progbits
	.balign 8
	.globl fiddesc_900007
fiddesc_900007:
	.dword 900007, fidp_900007, fidimg_900007, 0, 3, 0x0
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
fidimg_900007:
