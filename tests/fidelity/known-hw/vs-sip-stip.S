/*
 * Known difference 'vs-sip-stip' of the hw engine (tests/fidelity/known.py
 * HW_CLASSES; tests/system/test_guests.py HW_KNOWN_DIFFERENCES): a QEMU 7.2
 * bug, run by tests/system/test_fidelity.py as a strict expected failure
 * under the hw engine and as a regular test (it must match bare QEMU)
 * under the trap engine.
 *
 * Bare, interrupts off; stimecmp = 0 (Sstc: the S timer is due at once),
 * sip read; then sie.STIE and sstatus.SIE set, and the timer interrupt is
 * taken (the runtime's handler clears sie.STIE); stimecmp back to the far
 * future.
 *
 * bare QEMU: x10=0x20 (sip.STIP); hw engine: x10=0x0 (QEMU's rmw_vsip64
 * reads only VSSIP), while the interrupt is taken on both (trap cause
 * 0x8000000000000005): it is pending, only the VS read of sip hides it.
 * Seed 128 of 1..200 reduces to the first step (HW_KNOWN_STEPS).
 *
 * Rerun: python3 tests/fidelity/run.py --repro tests/fidelity/known-hw/vs-sip-stip.S --engine hw
 */
/* Fidelity program 900103: tests/fidelity/gen.py 900103, 2 steps, 2 leaves. */
#include "fid.h"
	.option norvc
	.section .text.fidp_900103, "ax", @progbits
	.balign 4
	.globl fidp_900103
fidp_900103:
	ld x31, CTX_INIT + 31*8(gp)
p900103_s0:		# csr.csrrw.rs1=x0
	csrci sstatus, 2
	csrrw s7, stimecmp, zero
	csrr a0, sip
p900103_s1:		# irq.timer
	li t0, 0x20
	csrs sie, t0
	csrsi sstatus, 2
	nop
	csrci sstatus, 2
	li t0, -1
	csrw stimecmp, t0
p900103_end:
	sd t0, CTX_TMP(gp)
	ld t0, CTX_EXIT(gp)
	jr t0
	.section .rodata.fidp_900103, "a", @progbits
	.balign 8
	.globl fiddesc_900103
fiddesc_900103:
	.dword 900103, fidp_900103, fidimg_900103, 0, 3, 0x0
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
fidimg_900103:
