/*
 * Fixed difference 'cross-page-fault-order' (tests/fidelity/known.py FIXED): a regression test now.
 *
 * Sv39; VA 0x123456000 mapped (4 KiB, RW A D) to PA 0x84000000 (no RAM), the
 * next page unmapped; sd at 0x123456ffc.
 *
 * Before the fix: bare: store page fault, stval=0x123457000; Trapeze: store access
 * fault, stval=0x123456ffc
 *
 * Rerun: python3 tests/fidelity/run.py --repro tests/fidelity/fixed/cross-page-fault-order.S
 */
/* Fidelity program 900005: tests/fidelity/gen.py 900005, 1 steps, 1 leaves. */
#include "fid.h"
	.option norvc
	.section .text.fidp_900005, "ax", @progbits
	.balign 4
	.globl fidp_900005
fidp_900005:
	ld x31, CTX_INIT + 31*8(gp)
p900005_s0:		# known.cross-page-fault-order
	li t0, 0x8000100000081200
	csrw satp, t0
	sfence.vma zero, zero
p900005_s0_0:		# body
	li t0, 0x123456ffc
	li t1, 0x1122334455667788
	sd t1, 0(t0)
	csrw satp, zero
p900005_end:
	sd t0, CTX_TMP(gp)
	ld t0, CTX_EXIT(gp)
	jr t0
	.section .rodata.fidp_900005, "a", @progbits
	.balign 8
	.globl fiddesc_900005
fiddesc_900005:
	.dword 900005, fidp_900005, fidimg_900005, 4, 3, 0x0
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
fidimg_900005:
	.dword 0x81200010, 0x200000cf
	.dword 0x81200020, 0x20480401
	.dword 0x812018d0, 0x20480801
	.dword 0x812022b0, 0x210000c7
