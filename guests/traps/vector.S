/*
 * A vectored-mode stvec table (RISC-V Privileged ISA v1.12, 4.1.2 Supervisor
 * Trap Vector Base Address Register): exceptions enter at BASE, interrupt
 * cause N at BASE + 4*N. Each slot notes its number in vector_slot, then
 * continues into the ordinary trap_entry.
 */
	.text
	.balign 256
	.globl vector_table
vector_table:
	.option push
	.option norvc
	.irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15
	j	vector_slot_\n
	.endr
	.option pop

	.irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15
vector_slot_\n:
	addi	sp, sp, -16
	sd	t0, 0(sp)
	li	t0, \n
	j	vector_common
	.endr

vector_common:
	sd	t1, 8(sp)
	la	t1, vector_slot
	sd	t0, 0(t1)
	ld	t1, 8(sp)
	ld	t0, 0(sp)
	addi	sp, sp, 16
	j	trap_entry

	.data
	.balign 8
	.globl vector_slot
vector_slot:	.dword -1
