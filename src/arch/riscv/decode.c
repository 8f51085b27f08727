/*
 * RISC-V instruction decoder; see decode.h for the contract and sources.
 * Pure and table-driven: the opcode switch picks a format, tables give the
 * per-funct3 widths, the SYSTEM {mask, match} patterns and the compressed
 * load/store forms.
 */
#include "arch/riscv/decode.h"

/* Unprivileged ISA, "RV32/64G Instruction Set Listings" opcode map (inst[6:0]). */
#define OPC_LOAD     0x03
#define OPC_LOAD_FP  0x07
#define OPC_STORE    0x23
#define OPC_STORE_FP 0x27
#define OPC_AMO      0x2f
#define OPC_SYSTEM   0x73

/* SYSTEM funct3 (Privileged ISA, "RISC-V Privileged Instructions" table). */
#define SYSTEM_F3_PRIV 0	/* ECALL, xRET, WFI, fences */
#define SYSTEM_F3_HLSV 4	/* HLV/HLVX/HSV */

/* Zero-register-based C.EBREAK: 100 1 00000 00000 10 (C chapter, "Breakpoint"). */
#define C_EBREAK 0x9002u

static uint32_t bits(uint32_t x, unsigned hi, unsigned lo)
{
	return (x >> lo) & ((1u << (hi - lo + 1)) - 1);
}

/* Sign-extends the low n bits of v (v < 2^n). */
static int64_t sext(uint32_t v, unsigned n)
{
	return v & (1u << (n - 1)) ? (int64_t)v - ((int64_t)1 << n) : (int64_t)v;
}

static void decode_zero(struct insn *i)
{
	i->raw = 0;
	i->len = 0;
	i->kind = INSN_UNKNOWN;
	i->rd = i->rs1 = i->rs2 = 0;
	i->width = 0;
	i->sign_extend = false;
	i->fp = false;
	i->imm = 0;
	i->csr = 0;
	i->csr_op = 0;
	i->csr_imm = false;
}

uint32_t insn_length(uint32_t first_halfword)
{
	/* Unprivileged ISA 1.5: xx != 11 is 16-bit; xxx11 with bbb != 111 is 32-bit. */
	if ((first_halfword & 0x3) != 0x3)
		return 2;
	if ((first_halfword & 0x1c) != 0x1c)
		return 4;
	return 0;
}

/* ---- 32-bit loads, stores, AMOs ---------------------------------------- */

struct ldst_form {
	uint8_t width;	/* 0: reserved or not of interest */
	bool sign;
};

/* By funct3. RV64I: LWU (110) and LD (011); 111 is reserved. */
static const struct ldst_form load_forms[8] = {
	[0] = { 1, true },  [1] = { 2, true },  [2] = { 4, true },  [3] = { 8, false },
	[4] = { 1, false }, [5] = { 2, false }, [6] = { 4, false },
};
/* SB SH SW SD; 1xx reserved. */
static const uint8_t store_widths[8] = { [0] = 1, [1] = 2, [2] = 4, [3] = 8 };
/* FLH/FSH (Zfh), FLW/FSW, FLD/FSD. FLQ (100) and the vector loads/stores
 * sharing LOAD-FP/STORE-FP (000, 101-111) are not of interest. */
static const uint8_t fp_widths[8] = { [1] = 2, [2] = 4, [3] = 8 };

static void decode_load(uint32_t raw, struct insn *i, bool fp)
{
	uint32_t f3 = bits(raw, 14, 12);
	uint8_t width = fp ? fp_widths[f3] : load_forms[f3].width;

	if (!width)
		return;
	i->kind = INSN_LOAD;
	i->width = width;
	i->sign_extend = !fp && load_forms[f3].sign;
	i->fp = fp;
	i->rd = (uint8_t)bits(raw, 11, 7);
	i->rs1 = (uint8_t)bits(raw, 19, 15);
	i->imm = sext(bits(raw, 31, 20), 12);			/* I-type */
}

static void decode_store(uint32_t raw, struct insn *i, bool fp)
{
	uint32_t f3 = bits(raw, 14, 12);
	uint8_t width = fp ? fp_widths[f3] : store_widths[f3];

	if (!width)
		return;
	i->kind = INSN_STORE;
	i->width = width;
	i->fp = fp;
	i->rs1 = (uint8_t)bits(raw, 19, 15);
	i->rs2 = (uint8_t)bits(raw, 24, 20);
	i->imm = sext(bits(raw, 31, 25) << 5 | bits(raw, 11, 7), 12);	/* S-type */
}

/* A extension: funct5 (inst[31:27]) values defined for .W and .D. */
static bool amo_funct5_valid(uint32_t f5, uint32_t rs2)
{
	switch (f5) {
	case 0x02:			/* LR: rs2 must be 0 */
		return rs2 == 0;
	case 0x00: case 0x01: case 0x03: case 0x04: case 0x08: case 0x0c:
	case 0x10: case 0x14: case 0x18: case 0x1c:
		return true;		/* ADD SWAP SC XOR OR AND MIN MAX MINU MAXU */
	default:
		return false;
	}
}

static void decode_amo(uint32_t raw, struct insn *i)
{
	uint32_t f3 = bits(raw, 14, 12), rs2 = bits(raw, 24, 20);

	if ((f3 != 2 && f3 != 3) || !amo_funct5_valid(bits(raw, 31, 27), rs2))
		return;
	i->kind = INSN_AMO;
	i->width = f3 == 2 ? 4 : 8;
	i->rd = (uint8_t)bits(raw, 11, 7);
	i->rs1 = (uint8_t)bits(raw, 19, 15);
	i->rs2 = (uint8_t)rs2;
}

/* ---- SYSTEM ------------------------------------------------------------ */

struct sys_pattern {
	uint32_t mask, match;
	uint8_t kind;
	bool regs;		/* rs1/rs2 are operands (address, ASID/VMID) */
};

/* funct3 = 000 encodings. The fences take rs1/rs2 but require rd = 0:
 * mask 0xfe007fff covers funct7, funct3, rd and opcode. */
static const struct sys_pattern sys_patterns[] = {
	{ 0xffffffff, 0x00000073, INSN_ECALL, false },
	{ 0xffffffff, 0x00100073, INSN_EBREAK, false },
	{ 0xffffffff, 0x10200073, INSN_SRET, false },
	{ 0xffffffff, 0x30200073, INSN_MRET, false },
	{ 0xffffffff, 0x7b200073, INSN_DRET, false },
	{ 0xffffffff, 0x10500073, INSN_WFI, false },
	{ 0xfe007fff, 0x12000073, INSN_SFENCE_VMA, true },	/* funct7 0001001 */
	{ 0xfe007fff, 0x16000073, INSN_SINVAL_VMA, true },	/* 0001011 */
	{ 0xffffffff, 0x18000073, INSN_SFENCE_W_INVAL, false },	/* 0001100, rs2 0 */
	{ 0xffffffff, 0x18100073, INSN_SFENCE_INVAL_IR, false },/* 0001100, rs2 1 */
	{ 0xfe007fff, 0x22000073, INSN_HFENCE_VVMA, true },	/* 0010001 */
	{ 0xfe007fff, 0x62000073, INSN_HFENCE_GVMA, true },	/* 0110001 */
	{ 0xfe007fff, 0x26000073, INSN_HINVAL_VVMA, true },	/* 0010011 */
	{ 0xfe007fff, 0x66000073, INSN_HINVAL_GVMA, true },	/* 0110011 */
};

static void decode_system_priv(uint32_t raw, struct insn *i)
{
	i->kind = INSN_SYSTEM_OTHER;
	for (unsigned k = 0; k < sizeof(sys_patterns) / sizeof(sys_patterns[0]); k++) {
		const struct sys_pattern *p = &sys_patterns[k];

		if ((raw & p->mask) != p->match)
			continue;
		i->kind = p->kind;
		if (p->regs) {
			i->rs1 = (uint8_t)bits(raw, 19, 15);
			i->rs2 = (uint8_t)bits(raw, 24, 20);
		}
		return;
	}
}

/*
 * Hypervisor Extension, "Hypervisor Virtual-Machine Load and Store
 * Instructions": funct7 = 0110 ww s (ww = log2 width, s = store), funct3
 * 100. Loads put the variant in the rs2 field: 00000 signed, 00001
 * unsigned, 00011 HLVX (execute permission; .HU and .WU only). Stores need
 * rd = 0. HLV.D has no unsigned form.
 */
static void decode_hlsv(uint32_t raw, struct insn *i)
{
	uint32_t f7 = bits(raw, 31, 25), sel = bits(raw, 24, 20), rd = bits(raw, 11, 7);
	uint8_t width = (uint8_t)(1u << bits(f7, 2, 1));

	i->kind = INSN_SYSTEM_OTHER;
	if (bits(f7, 6, 3) != 0x6)
		return;
	if (f7 & 1) {
		if (rd)
			return;
		i->kind = INSN_HSV;
		i->rs2 = (uint8_t)sel;
	} else if (sel == 0 || (sel == 1 && width < 8)) {
		i->kind = INSN_HLV;
		i->rd = (uint8_t)rd;
		i->sign_extend = sel == 0 && width < 8;
	} else if (sel == 3 && (width == 2 || width == 4)) {
		i->kind = INSN_HLVX;
		i->rd = (uint8_t)rd;
	} else {
		return;
	}
	i->rs1 = (uint8_t)bits(raw, 19, 15);
	i->width = width;
}

/* Zicsr: csr[31:20] rs1/uimm[19:15] funct3[14:12] rd[11:7]; funct3 bit 2
 * selects the immediate form, bits 1:0 the operation (01 RW, 10 RS, 11 RC). */
static void decode_csr(uint32_t raw, struct insn *i)
{
	uint32_t f3 = bits(raw, 14, 12);

	i->kind = INSN_CSR;
	i->rd = (uint8_t)bits(raw, 11, 7);
	i->rs1 = (uint8_t)bits(raw, 19, 15);
	i->csr = (uint16_t)bits(raw, 31, 20);
	i->csr_op = (uint8_t)(f3 & 3);
	i->csr_imm = f3 & 4;
}

static void decode_system(uint32_t raw, struct insn *i)
{
	uint32_t f3 = bits(raw, 14, 12);

	if (f3 == SYSTEM_F3_PRIV)
		decode_system_priv(raw, i);
	else if (f3 == SYSTEM_F3_HLSV)
		decode_hlsv(raw, i);
	else
		decode_csr(raw, i);
}

static void decode_32(uint32_t raw, struct insn *i)
{
	switch (raw & 0x7f) {
	case OPC_LOAD:
		decode_load(raw, i, false);
		break;
	case OPC_LOAD_FP:
		decode_load(raw, i, true);
		break;
	case OPC_STORE:
		decode_store(raw, i, false);
		break;
	case OPC_STORE_FP:
		decode_store(raw, i, true);
		break;
	case OPC_AMO:
		decode_amo(raw, i);
		break;
	case OPC_SYSTEM:
		decode_system(raw, i);
		break;
	default:
		break;
	}
}

/* ---- compressed (RV64C) ------------------------------------------------ */

/* Register-operand layouts of the C chapter's formats. */
enum c_form {
	C_CL,		/* rd' [4:2], rs1' [9:7] */
	C_CS,		/* rs2' [4:2], rs1' [9:7] */
	C_CI_SP,	/* rd [11:7], base sp */
	C_CSS_SP,	/* rs2 [6:2], base sp */
};

struct c_ldst {
	uint8_t kind;	/* INSN_UNKNOWN: not a load/store */
	uint8_t width;
	uint8_t form;	/* enum c_form */
	bool fp;
};

/* Indexed by quadrant << 3 | funct3. On RV64, quadrant 0/2 funct3 011 and
 * 111 are C.LD/C.SD/C.LDSP/C.SDSP (C.FLW/C.FSW exist only on RV32). */
static const struct c_ldst c_ldst_forms[24] = {
	[0 << 3 | 1] = { INSN_LOAD, 8, C_CL, true },		/* C.FLD */
	[0 << 3 | 2] = { INSN_LOAD, 4, C_CL, false },		/* C.LW */
	[0 << 3 | 3] = { INSN_LOAD, 8, C_CL, false },		/* C.LD */
	[0 << 3 | 5] = { INSN_STORE, 8, C_CS, true },		/* C.FSD */
	[0 << 3 | 6] = { INSN_STORE, 4, C_CS, false },		/* C.SW */
	[0 << 3 | 7] = { INSN_STORE, 8, C_CS, false },		/* C.SD */
	[2 << 3 | 1] = { INSN_LOAD, 8, C_CI_SP, true },		/* C.FLDSP */
	[2 << 3 | 2] = { INSN_LOAD, 4, C_CI_SP, false },	/* C.LWSP */
	[2 << 3 | 3] = { INSN_LOAD, 8, C_CI_SP, false },	/* C.LDSP */
	[2 << 3 | 5] = { INSN_STORE, 8, C_CSS_SP, true },	/* C.FSDSP */
	[2 << 3 | 6] = { INSN_STORE, 4, C_CSS_SP, false },	/* C.SWSP */
	[2 << 3 | 7] = { INSN_STORE, 8, C_CSS_SP, false },	/* C.SDSP */
};

/* Zero-extended offsets, scaled by the access size, scattered as in the
 * C chapter's "Load and Store Instructions" figures. */
static uint32_t c_offset(uint32_t r, uint8_t form, uint8_t width)
{
	switch (form) {
	case C_CL:
	case C_CS:
		if (width == 4)		/* uimm[5:3] [12:10], uimm[2] [6], uimm[6] [5] */
			return bits(r, 12, 10) << 3 | bits(r, 6, 6) << 2 | bits(r, 5, 5) << 6;
		return bits(r, 12, 10) << 3 | bits(r, 6, 5) << 6;	/* uimm[7:6] [6:5] */
	case C_CI_SP:
		if (width == 4)		/* uimm[5] [12], uimm[4:2] [6:4], uimm[7:6] [3:2] */
			return bits(r, 12, 12) << 5 | bits(r, 6, 4) << 2 | bits(r, 3, 2) << 6;
		return bits(r, 12, 12) << 5 | bits(r, 6, 5) << 3 | bits(r, 4, 2) << 6;
	default:		/* C_CSS_SP */
		if (width == 4)		/* uimm[5:2] [12:9], uimm[7:6] [8:7] */
			return bits(r, 12, 9) << 2 | bits(r, 8, 7) << 6;
		return bits(r, 12, 10) << 3 | bits(r, 9, 7) << 6;	/* uimm[8:6] [9:7] */
	}
}

static void decode_16(uint32_t r, struct insn *i)
{
	const struct c_ldst *f = &c_ldst_forms[bits(r, 1, 0) << 3 | bits(r, 15, 13)];
	uint8_t reg;

	if (r == C_EBREAK) {
		i->kind = INSN_EBREAK;
		return;
	}
	if (f->kind == INSN_UNKNOWN)
		return;
	switch (f->form) {
	case C_CL:
		i->rd = (uint8_t)(8 + bits(r, 4, 2));
		i->rs1 = (uint8_t)(8 + bits(r, 9, 7));
		break;
	case C_CS:
		i->rs2 = (uint8_t)(8 + bits(r, 4, 2));
		i->rs1 = (uint8_t)(8 + bits(r, 9, 7));
		break;
	case C_CI_SP:
		reg = (uint8_t)bits(r, 11, 7);
		/* C.LWSP/C.LDSP with rd = x0 are reserved; C.FLDSP f0 is fine. */
		if (reg == 0 && !f->fp)
			return;
		i->rd = reg;
		i->rs1 = 2;
		break;
	default:
		i->rs2 = (uint8_t)bits(r, 6, 2);
		i->rs1 = 2;
		break;
	}
	i->kind = f->kind;
	i->width = f->width;
	i->fp = f->fp;
	/* C.LW sign-extends like LW; C.LD and the FP forms have nothing to extend. */
	i->sign_extend = f->kind == INSN_LOAD && !f->fp && f->width == 4;
	i->imm = c_offset(r, f->form, f->width);
}

int decode_insn(uint32_t raw, struct insn *out)
{
	uint32_t len = insn_length(raw & 0xffff);

	if (!out)
		return -1;
	decode_zero(out);
	if (len == 0)
		return -1;
	if (len == 2)
		raw &= 0xffff;
	out->raw = raw;
	out->len = (uint8_t)len;
	if (len == 2)
		decode_16(raw, out);
	else
		decode_32(raw, out);
	return 0;
}

/* Where RV32 differs for what we decode (Unprivileged ISA 20191213, "C"
 * extension, "Load and Store Instructions"; "RV64I"): quadrant 0/2 funct3
 * 011/111 are C.FLW/C.FSW/C.FLWSP/C.FSWSP, and LD, SD, LWU, the AMO
 * doublewords do not exist. */
static const struct c_ldst c_ldst_forms_rv32[24] = {
	[0 << 3 | 3] = { INSN_LOAD, 4, C_CL, true },		/* C.FLW */
	[0 << 3 | 7] = { INSN_STORE, 4, C_CS, true },		/* C.FSW */
	[2 << 3 | 3] = { INSN_LOAD, 4, C_CI_SP, true },		/* C.FLWSP */
	[2 << 3 | 7] = { INSN_STORE, 4, C_CSS_SP, true },	/* C.FSWSP */
};

int decode_insn_rv32(uint32_t raw, struct insn *out)
{
	if (decode_insn(raw, out))
		return -1;
	if (out->len == 2) {
		unsigned idx = bits(out->raw, 1, 0) << 3 | bits(out->raw, 15, 13);
		const struct c_ldst *f = &c_ldst_forms_rv32[idx];
		if (f->kind != INSN_UNKNOWN) {
			uint32_t r = out->raw;
			decode_zero(out);
			out->raw = r;
			out->len = 2;
			/* Same operand fields as the RV64 forms; C.FLWSP f0 is fine. */
			out->kind = f->kind;
			out->width = 4;
			out->fp = true;
			out->imm = c_offset(r, f->form, 4);
			if (f->form == C_CL) {
				out->rd = (uint8_t)(8 + bits(r, 4, 2));
				out->rs1 = (uint8_t)(8 + bits(r, 9, 7));
			} else if (f->form == C_CS) {
				out->rs2 = (uint8_t)(8 + bits(r, 4, 2));
				out->rs1 = (uint8_t)(8 + bits(r, 9, 7));
			} else if (f->form == C_CI_SP) {
				out->rd = (uint8_t)bits(r, 11, 7);
				out->rs1 = 2;
			} else {
				out->rs2 = (uint8_t)bits(r, 6, 2);
				out->rs1 = 2;
			}
		}
		return 0;
	}
	bool rv64_only = (out->kind == INSN_LOAD || out->kind == INSN_STORE || out->kind == INSN_AMO) &&
			 !out->fp && out->width == 8;
	if (rv64_only || (out->kind == INSN_LOAD && !out->fp && out->width == 4 && !out->sign_extend)) {
		uint32_t r = out->raw;
		decode_zero(out);
		out->raw = r;
		out->len = 4;
	}
	return 0;
}

bool insn_csr_writes(const struct insn *i)
{
	if (!i || i->kind != INSN_CSR)
		return false;
	return i->csr_op == CSR_OP_RW || i->rs1 != 0;
}

bool insn_csr_reads(const struct insn *i)
{
	if (!i || i->kind != INSN_CSR)
		return false;
	return i->csr_op != CSR_OP_RW || i->rd != 0;
}
