/*
 * RISC-V instruction decoder for the instructions the trap engine emulates
 * or inspects: loads and stores (MMIO emulation), Zicsr, SYSTEM privileged
 * instructions and the H extension's HLV/HLVX/HSV. Pure: no CSRs, no memory.
 *
 * Sources: RISC-V Unprivileged ISA 20191213, chapters "RV32I" and "RV64I"
 * (LOAD/STORE), "A" (AMOs), "Zicsr", "F"/"D" (FLW/FSW/FLD/FSD), "C"
 * (compressed loads/stores, C.EBREAK) and the opcode map; Zfh (FLH/FSH).
 * RISC-V Privileged ISA 20211203: 3.3 "Machine-Mode Privileged
 * Instructions" (MRET, WFI), 4.2.1 "Supervisor Memory-Management Fence
 * Instruction" (SFENCE.VMA), "Svinval", "Hypervisor Extension" (HFENCE,
 * HLV/HLVX/HSV), table "RISC-V Privileged Instructions"; Debug spec 0.13.2,
 * "dret".
 */
#ifndef TRAPEZE_ARCH_RISCV_DECODE_H
#define TRAPEZE_ARCH_RISCV_DECODE_H

#include <stdbool.h>
#include <stdint.h>

enum insn_kind {
	INSN_UNKNOWN = 0,
	INSN_LOAD, INSN_STORE,            /* integer and FP (see .fp) including compressed forms */
	INSN_CSR,                         /* CSRRW/CSRRS/CSRRC/CSRRWI/CSRRSI/CSRRCI */
	INSN_ECALL, INSN_EBREAK,          /* EBREAK includes C.EBREAK */
	INSN_SRET, INSN_MRET, INSN_WFI, INSN_DRET,
	INSN_SFENCE_VMA, INSN_SINVAL_VMA, INSN_SFENCE_W_INVAL, INSN_SFENCE_INVAL_IR,
	INSN_HFENCE_VVMA, INSN_HFENCE_GVMA, INSN_HINVAL_VVMA, INSN_HINVAL_GVMA,
	INSN_HLV, INSN_HLVX, INSN_HSV,    /* hypervisor virtual-machine loads/stores */
	INSN_SYSTEM_OTHER,                /* any other SYSTEM-opcode encoding (reserved) */
	INSN_AMO,                         /* A extension (for MMIO: not emulated, but recognised) */
};

enum csr_op { CSR_OP_RW = 1, CSR_OP_RS = 2, CSR_OP_RC = 3 };

/*
 * Decoded fields. Only the fields of the decoded kind are set, the rest are
 * zero:
 *   LOAD/STORE  rd (loads) or rs2 (stores), rs1 (base), width, sign_extend
 *               (loads), fp, imm. FP loads never set sign_extend: FLW's
 *               NaN-boxing is the emulator's business.
 *   AMO         rd, rs1, rs2, width (4 or 8); the operation is in raw[31:27].
 *   CSR         rd, rs1 (the 5-bit uimm when csr_imm), csr, csr_op, csr_imm.
 *   HLV/HLVX    rd, rs1, width, sign_extend (HLV.B/H/W only); imm = 0.
 *   HSV         rs1, rs2, width; imm = 0.
 *   SFENCE.VMA, SINVAL.VMA, HFENCE.*, HINVAL.*   rs1 (address), rs2 (ASID/VMID).
 */
struct insn {
	uint32_t raw;        /* as fetched; 16 significant bits for compressed */
	uint8_t len;         /* 2 or 4 */
	uint8_t kind;        /* enum insn_kind */
	uint8_t rd, rs1, rs2;
	uint8_t width;       /* loads/stores/AMOs: 1, 2, 4, 8 */
	bool sign_extend;    /* loads: LB/LH/LW sign-extend, LBU/LHU/LWU/LD not */
	bool fp;             /* FLH/FLW/FLD/FSH/FSW/FSD and compressed FP forms: rd/rs2 name f registers */
	int64_t imm;         /* load/store offset */
	uint16_t csr;        /* CSR number */
	uint8_t csr_op;      /* enum csr_op */
	bool csr_imm;        /* immediate form: rs1 field is a 5-bit zero-extended immediate (in .rs1) */
};

/* Length in bytes from the low bits of the first halfword (Unprivileged ISA
 * 1.5 "Base Instruction-Length Encoding"): 2, 4, or 0 for the 48-bit and
 * longer encodings, which nothing we run uses. */
uint32_t insn_length(uint32_t first_halfword);

/*
 * Decodes raw (for a compressed instruction only the low 16 bits count; the
 * upper half is ignored). Returns 0 with *out filled, kind INSN_UNKNOWN for
 * 2- and 4-byte encodings that are none of the above (including reserved
 * and illegal ones such as the all-zero halfword 0x0000, which is a defined
 * illegal instruction of length 2); returns -1, with *out zeroed, only when
 * the length encoding is not 2 or 4 bytes.
 */
int decode_insn(uint32_t raw, struct insn *out);

/* The same for code running with XLEN = 32 (U-mode under sstatus.UXL = 1,
 * Privileged ISA v1.12, 4.1.1): compressed FP word forms in place of
 * C.LD/C.SD/C.LDSP/C.SDSP, and the RV64-only loads and stores (LD, SD, LWU,
 * AMO*.D, LR.D, SC.D) INSN_UNKNOWN. */
int decode_insn_rv32(uint32_t raw, struct insn *out);

/* Zicsr (Unprivileged ISA 9.1): CSRRW/CSRRWI always write; CSRRS/CSRRC and
 * their immediate forms write only when rs1 (or uimm) is nonzero. False for
 * non-CSR kinds. */
bool insn_csr_writes(const struct insn *i);
/* CSRRW/CSRRWI with rd = x0 do not read the CSR; every other form does.
 * False for non-CSR kinds. */
bool insn_csr_reads(const struct insn *i);

#endif
