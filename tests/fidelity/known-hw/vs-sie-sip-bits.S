/*
 * Known difference 'vs-sie-sip-bits' of the hw engine (tests/fidelity/known.py
 * HW_CLASSES): a QEMU 7.2 bug, run by tests/system/test_fidelity.py as a
 * strict expected failure under the hw engine and as a regular test (it
 * must match bare QEMU) under the trap engine.
 *
 * Bare, interrupts off; writes of bits 2, 6 and 10 (reserved in sie/sip)
 * to sie and sip, each read back: s0 sets them in sie, s1 sets bit 2 of
 * sip, s2 sets SSIP then clears bit 2 of sip; then sie and sip are cleared.
 *
 * bare QEMU: x10=0x0 x11=0x0 x12=0x2 (only SSIP, from s2's csrrsi 2);
 * hw engine: x10=0x222 x11=0x2 x12=0x0 (QEMU's rmw_vsie64/rmw_vsip64 write
 * the VS-level bits 2/6/10 the value carries: VSSIE/VSTIE/VSEIE, VSSIP).
 * Seeds 2, 18, 74, 78, 87, 94, 98, 150, 159, 169, 175, 182, 185, 188 of
 * 1..200 reduce to one of these (HW_KNOWN_STEPS).
 *
 * Rerun: python3 tests/fidelity/run.py --repro tests/fidelity/known-hw/vs-sie-sip-bits.S --engine hw
 */
/* Fidelity program 900101: tests/fidelity/gen.py 900101, 4 steps, 4 leaves. */
#include "fid.h"
	.option norvc
	.section .text.fidp_900101, "ax", @progbits
	.balign 4
	.globl fidp_900101
fidp_900101:
	ld x31, CTX_INIT + 31*8(gp)
p900101_s0:		# csr.csrrs.rd=x0
	csrci sstatus, 2
	li t1, 0x444
	csrrs zero, sie, t1
	csrr a0, sie
p900101_s1:		# csr.csrrsi.rd=x0
	csrrsi zero, sip, 4
	csrr a1, sip
p900101_s2:		# csr.csrrci.rd=x0
	csrrsi zero, sip, 2
	csrrci zero, sip, 4
	csrr a2, sip
p900101_s3:		# csr.csrrw.rs1=x0
	csrrw zero, sie, zero
	csrrci zero, sip, 2
p900101_end:
	sd t0, CTX_TMP(gp)
	ld t0, CTX_EXIT(gp)
	jr t0
	.section .rodata.fidp_900101, "a", @progbits
	.balign 8
	.globl fiddesc_900101
fiddesc_900101:
	.dword 900101, fidp_900101, fidimg_900101, 0, 3, 0x0
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
fidimg_900101:
