/*
 * Saving and restoring integer registers in a frame laid out as
 * struct trap_frame's regs[32] (guest.h): register xN at N * 8 from the
 * base. For assembly files (.S) only; the trap vector (start.S) and the
 * SSE handler entry (guests/sbi_sse/sse_entry.S) share it.
 *
 *	regs_store BASE, LIST    sd xN, N*8(BASE) for every N in LIST
 *	regs_load  BASE, LIST    ld xN, N*8(BASE) for every N in LIST
 *
 * LIST is register numbers separated by commas; the lists below name the
 * usual groups. A list must not hold BASE's own number (except on the
 * store side, where BASE is stored before it changes).
 */
#ifndef GUEST_REGS_H
#define GUEST_REGS_H

#ifdef __ASSEMBLER__

#define REGS_X3_X15     3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15
#define REGS_A6_A7      16, 17
#define REGS_X18_X30    18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30
#define REGS_X18_X31    REGS_X18_X30, 31

.macro regs_store base, list:vararg
	.irp n, \list
	sd	x\n, \n * 8(\base)
	.endr
.endm

.macro regs_load base, list:vararg
	.irp n, \list
	ld	x\n, \n * 8(\base)
	.endr
.endm

#endif /* __ASSEMBLER__ */

#endif
