/*
 * The one guest-visible difference of `patching = x0` (README, Patching,
 * "The x0 form"), run by tests/system/test_fidelity.py: it must match bare
 * QEMU with `patching = on` and differ with `patching = x0`.
 *
 * The paging block's faulting AMO enters the program's trap handler, whose
 * plain reads of scause, sepc and stval are patched as loads with base x0
 * on their first execution and map the x0 page at 0xfffffffffffff000 in
 * this view. The store after it, to that page, which the program's tables
 * leave unmapped, takes a store page fault on bare QEMU; under x0 it
 * reaches the x0 page and completes (one trap fewer in the dump).
 * Reduced by tests/fidelity/run.py from gen.py seed 13, attack programs.
 */
/* fidelity-entry: 0x80202000 (code address in its batch) */
/* Fidelity program 13: tests/fidelity/gen.py 13, 1 steps, 2 leaves. */
#include "fid.h"
	.option norvc
	.section .text.fidp_13, "ax", @progbits
	.balign 4
	.globl fidp_13
fidp_13:
	ld x31, CTX_INIT + 31*8(gp)
p13_s11:		# block.paging.sv39
	li t0, 0x8ce5c00000081200
	csrw satp, t0
	sfence.vma zero, zero
p13_s11_6:		# paging.bad.l0.amo
	li a7, 0xe05e8c5f95d215c8
	li sp, 0x2d8535dffc
	amomin.w a3, a7, (sp)
p13_s11_8:		# paging.unmapped.store.sb
	li t1, 0x3d
	li t5, 0xfffffffffffff010
	sb t1, -16(t5)
	csrw satp, zero
	sfence.vma zero, zero
p13_end:
	sd t0, CTX_TMP(gp)
	ld t0, CTX_EXIT(gp)
	jr t0
	.section .rodata.fidp_13, "a", @progbits
	.balign 8
	.globl fiddesc_13
fiddesc_13:
	.dword 13, fidp_13, fidimg_13, 26, 3, 0x46
	.dword 0x0, 0x81018280, 0x79ed01a5d9320a3, 0x0
	.dword 0x2, 0x81000850, 0xe8, 0xdd
	.dword 0xf, 0x81002070, 0x8100f5a0, 0x7fffffffffffffff
	.dword 0x65, 0xd4, 0xdb3d1c46, 0xec513838
	.dword 0x8100d920, 0xc6, 0xd0, 0x81018138
	.dword 0x138, 0x7b, 0xfffffffffffffdff, 0x800000000000000
	.dword 0x0, 0x4b8621e120243f3e, 0x724aa31aaebf7188, 0x639
	.dword 0xf4, 0x40000, 0x8ba2713f, 0x810053d0
	.dword 0xffffffff3f800000, 0xffffffff3f800000, 0x3ff0000000000000, 0xde43b7ae2d11fb0e
	.dword 0x1, 0x414fb2a3ac778e74, 0x3ff0000000000000, 0x1
	.dword 0x8000000000000000, 0x791, 0x7ff8000000000000, 0x7ff0000000000000
	.dword 0x7ff0000000000000, 0x400921fb54442d18, 0x400921fb54442d18, 0x7ff0000000000000
	.dword 0x40000, 0x8000000000000000, 0x8000000000000000, 0x5d391f7590a88f9e
	.dword 0x7ff0000000000000, 0x400921fb54442d18, 0xfffffffffffff83d, 0x7ff0000000000000
	.dword 0x400921fb54442d18, 0x3ff0000000000000, 0x1, 0x7ff0000000000000
	.dword 0x7ff8000000000000, 0xfffffffffffffffe, 0x1, 0x7ff8000000000000
fidimg_13:
	.dword 0x81200000, 0x20480801
	.dword 0x81200010, 0x20480401
	.dword 0x81200018, 0x200000df
	.dword 0x812005b0, 0x20481001
	.dword 0x81200b40, 0x20481811
	.dword 0x81201008, 0x200800cf
	.dword 0x81201010, 0x201000cf
	.dword 0x81201018, 0x201800cf
	.dword 0x81201020, 0x202000cf
	.dword 0x81201028, 0x202800cf
	.dword 0x81201030, 0x203000cf
	.dword 0x81201038, 0x203800cf
	.dword 0x81201040, 0x204000cf
	.dword 0x81201048, 0x204800cf
	.dword 0x81202400, 0x20480c01
	.dword 0x81202c00, 0x20482001
	.dword 0x81203000, 0x40000c7
	.dword 0x81204148, 0x20481401
	.dword 0x81205ae0, 0x20407cc3
	.dword 0x81205ae8, 0x2000f063
	.dword 0x812067c0, 0x20481c11
	.dword 0x81207dd0, 0x20407469
	.dword 0x81208000, 0x204000cb
	.dword 0x81208008, 0x204004cb
	.dword 0x81208020, 0x204000cb
	.dword 0x81208028, 0x204004cb
