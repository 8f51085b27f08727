/* Save and load the 32 FP registers and fcsr (RV64 D). */
	.option arch, +d
	.text
	.globl fp_save_regs
fp_save_regs:
	.irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	fsd	f\n, \n*8(a0)
	.endr
	frcsr	t0
	sd	t0, 32*8(a0)
	ret

	.globl fp_load_regs
fp_load_regs:
	.irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	fld	f\n, \n*8(a0)
	.endr
	ld	t0, 32*8(a0)
	fscsr	t0
	ret

/* uint64_t fp_read_reg_n(unsigned n): jump into a table of 8-byte slots. */
	.globl fp_read_reg_raw
fp_read_reg_raw:
	andi	a0, a0, 31
	slli	a0, a0, 3
	lla	t0, 1f
	add	t0, t0, a0
	jr	t0
	.balign 8
1:
	.irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	.option push
	.option norvc
	fmv.x.d	a0, f\n
	ret
	.option pop
	.endr

/* void fp_write_reg_raw(unsigned n, uint64_t val) */
	.globl fp_write_reg_raw
fp_write_reg_raw:
	andi	a0, a0, 31
	slli	a0, a0, 3
	lla	t0, 2f
	add	t0, t0, a0
	jr	t0
	.balign 8
2:
	.irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	.option push
	.option norvc
	fmv.d.x	f\n, a1
	ret
	.option pop
	.endr
