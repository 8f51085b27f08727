#!/usr/bin/env bash
# Regenerates decode_cases.h: assembles each instruction below with the real
# GNU assembler and pairs its encoding with the fields decode_insn must
# report. Run from anywhere: bash tests/unit/data/gen_decode_cases.sh
#
# Line format:  assembly | KIND field=value ...
#   KIND is an enum insn_kind name without INSN_; fields are struct insn
#   members (raw and len are filled in from the assembled bytes); ret=-1
#   marks an encoding decode_insn must reject (then all fields are zero).
#   Lines starting "c." are assembled with RVC on, all others with RVC off
#   so that the assembler does not compress them behind our back.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=$here/decode_cases.h
AS=${CROSS:-riscv64-linux-gnu-}as
OBJCOPY=${CROSS:-riscv64-linux-gnu-}objcopy
MARCH=rv64gc_zfh_svinval_h
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

cases=$(cat <<'CASES'
lb x10, -2048(x9)        | LOAD rd=10 rs1=9 width=1 sign_extend=true imm=-2048
lh x1, 2047(x2)          | LOAD rd=1 rs1=2 width=2 sign_extend=true imm=2047
lw x31, -1(x31)          | LOAD rd=31 rs1=31 width=4 sign_extend=true imm=-1
ld x0, 0(x0)             | LOAD rd=0 rs1=0 width=8 imm=0
lbu x5, 16(x6)           | LOAD rd=5 rs1=6 width=1 imm=16
lhu x7, -16(x8)          | LOAD rd=7 rs1=8 width=2 imm=-16
lwu x9, 100(x10)         | LOAD rd=9 rs1=10 width=4 imm=100
sb x11, -2048(x12)       | STORE rs2=11 rs1=12 width=1 imm=-2048
sh x13, 2047(x14)        | STORE rs2=13 rs1=14 width=2 imm=2047
sw x15, -1(x16)          | STORE rs2=15 rs1=16 width=4 imm=-1
sd x31, 8(x1)            | STORE rs2=31 rs1=1 width=8 imm=8
sd x0, -32(x2)           | STORE rs2=0 rs1=2 width=8 imm=-32
flh f2, 2(x4)            | LOAD rd=2 rs1=4 width=2 fp=true imm=2
flw f1, -4(x2)           | LOAD rd=1 rs1=2 width=4 fp=true imm=-4
fld f31, 2040(x3)        | LOAD rd=31 rs1=3 width=8 fp=true imm=2040
fsh f9, 0(x10)           | STORE rs2=9 rs1=10 width=2 fp=true imm=0
fsw f5, -2048(x6)        | STORE rs2=5 rs1=6 width=4 fp=true imm=-2048
fsd f7, 16(x8)           | STORE rs2=7 rs1=8 width=8 fp=true imm=16
c.lw x8, 0(x15)          | LOAD rd=8 rs1=15 width=4 sign_extend=true imm=0
c.lw x15, 124(x8)        | LOAD rd=15 rs1=8 width=4 sign_extend=true imm=124
c.lw x9, 4(x10)          | LOAD rd=9 rs1=10 width=4 sign_extend=true imm=4
c.lw x11, 64(x12)        | LOAD rd=11 rs1=12 width=4 sign_extend=true imm=64
c.ld x10, 248(x11)       | LOAD rd=10 rs1=11 width=8 imm=248
c.ld x12, 8(x13)         | LOAD rd=12 rs1=13 width=8 imm=8
c.ld x14, 128(x15)       | LOAD rd=14 rs1=15 width=8 imm=128
c.sw x8, 124(x9)         | STORE rs2=8 rs1=9 width=4 imm=124
c.sw x15, 0(x14)         | STORE rs2=15 rs1=14 width=4 imm=0
c.sw x11, 68(x12)        | STORE rs2=11 rs1=12 width=4 imm=68
c.sd x13, 248(x14)       | STORE rs2=13 rs1=14 width=8 imm=248
c.sd x8, 136(x9)         | STORE rs2=8 rs1=9 width=8 imm=136
c.fld f8, 248(x9)        | LOAD rd=8 rs1=9 width=8 fp=true imm=248
c.fld f15, 0(x8)         | LOAD rd=15 rs1=8 width=8 fp=true imm=0
c.fsd f9, 168(x10)       | STORE rs2=9 rs1=10 width=8 fp=true imm=168
c.lwsp x1, 252(x2)       | LOAD rd=1 rs1=2 width=4 sign_extend=true imm=252
c.lwsp x31, 0(x2)        | LOAD rd=31 rs1=2 width=4 sign_extend=true imm=0
c.lwsp x5, 196(x2)       | LOAD rd=5 rs1=2 width=4 sign_extend=true imm=196
c.ldsp x1, 504(x2)       | LOAD rd=1 rs1=2 width=8 imm=504
c.ldsp x31, 8(x2)        | LOAD rd=31 rs1=2 width=8 imm=8
c.ldsp x10, 328(x2)      | LOAD rd=10 rs1=2 width=8 imm=328
c.swsp x0, 252(x2)       | STORE rs2=0 rs1=2 width=4 imm=252
c.swsp x31, 0(x2)        | STORE rs2=31 rs1=2 width=4 imm=0
c.swsp x9, 132(x2)       | STORE rs2=9 rs1=2 width=4 imm=132
c.sdsp x1, 504(x2)       | STORE rs2=1 rs1=2 width=8 imm=504
c.sdsp x31, 8(x2)        | STORE rs2=31 rs1=2 width=8 imm=8
c.sdsp x7, 320(x2)       | STORE rs2=7 rs1=2 width=8 imm=320
c.fldsp f0, 0(x2)        | LOAD rd=0 rs1=2 width=8 fp=true imm=0
c.fldsp f31, 504(x2)     | LOAD rd=31 rs1=2 width=8 fp=true imm=504
c.fsdsp f31, 504(x2)     | STORE rs2=31 rs1=2 width=8 fp=true imm=504
c.fsdsp f1, 64(x2)       | STORE rs2=1 rs1=2 width=8 fp=true imm=64
c.ebreak                 | EBREAK
c.addi x10, 1            | UNKNOWN
c.jr x1                  | UNKNOWN
c.jalr x1                | UNKNOWN
c.mv x8, x9              | UNKNOWN
.2byte 0x4002            | UNKNOWN
.2byte 0x6002            | UNKNOWN
.2byte 0x0000            | UNKNOWN
.2byte 0x8000            | UNKNOWN
csrrw x1, sstatus, x2    | CSR rd=1 rs1=2 csr=0x100 csr_op=CSR_OP_RW
csrrw x0, sscratch, x5   | CSR rd=0 rs1=5 csr=0x140 csr_op=CSR_OP_RW
csrrw x3, sscratch, x0   | CSR rd=3 rs1=0 csr=0x140 csr_op=CSR_OP_RW
csrrs x5, sip, x0        | CSR rd=5 rs1=0 csr=0x144 csr_op=CSR_OP_RS
csrrs x6, sie, x7        | CSR rd=6 rs1=7 csr=0x104 csr_op=CSR_OP_RS
csrrs x0, time, x0       | CSR rd=0 rs1=0 csr=0xc01 csr_op=CSR_OP_RS
csrrc x0, sstatus, x8    | CSR rd=0 rs1=8 csr=0x100 csr_op=CSR_OP_RC
csrrc x9, satp, x0       | CSR rd=9 rs1=0 csr=0x180 csr_op=CSR_OP_RC
csrrwi x10, stvec, 31    | CSR rd=10 rs1=31 csr=0x105 csr_op=CSR_OP_RW csr_imm=true
csrrwi x0, sscratch, 0   | CSR rd=0 rs1=0 csr=0x140 csr_op=CSR_OP_RW csr_imm=true
csrrsi x11, scause, 0    | CSR rd=11 rs1=0 csr=0x142 csr_op=CSR_OP_RS csr_imm=true
csrrsi x0, sie, 1        | CSR rd=0 rs1=1 csr=0x104 csr_op=CSR_OP_RS csr_imm=true
csrrci x12, 0xfff, 16    | CSR rd=12 rs1=16 csr=0xfff csr_op=CSR_OP_RC csr_imm=true
csrrci x0, sepc, 0       | CSR rd=0 rs1=0 csr=0x141 csr_op=CSR_OP_RC csr_imm=true
csrrw x31, hgatp, x31    | CSR rd=31 rs1=31 csr=0x680 csr_op=CSR_OP_RW
ecall                    | ECALL
ebreak                   | EBREAK
sret                     | SRET
mret                     | MRET
wfi                      | WFI
dret                     | DRET
sfence.vma x0, x0        | SFENCE_VMA rs1=0 rs2=0
sfence.vma x10, x11      | SFENCE_VMA rs1=10 rs2=11
sinval.vma x12, x13      | SINVAL_VMA rs1=12 rs2=13
sfence.w.inval           | SFENCE_W_INVAL
sfence.inval.ir          | SFENCE_INVAL_IR
hfence.vvma x1, x2       | HFENCE_VVMA rs1=1 rs2=2
hfence.gvma x3, x0       | HFENCE_GVMA rs1=3 rs2=0
hinval.vvma x4, x5       | HINVAL_VVMA rs1=4 rs2=5
hinval.gvma x6, x31      | HINVAL_GVMA rs1=6 rs2=31
hlv.b x10, (x11)         | HLV rd=10 rs1=11 width=1 sign_extend=true
hlv.bu x12, (x13)        | HLV rd=12 rs1=13 width=1
hlv.h x14, (x15)         | HLV rd=14 rs1=15 width=2 sign_extend=true
hlv.hu x16, (x17)        | HLV rd=16 rs1=17 width=2
hlvx.hu x18, (x19)       | HLVX rd=18 rs1=19 width=2
hlv.w x20, (x21)         | HLV rd=20 rs1=21 width=4 sign_extend=true
hlv.wu x22, (x23)        | HLV rd=22 rs1=23 width=4
hlvx.wu x24, (x25)       | HLVX rd=24 rs1=25 width=4
hlv.d x26, (x27)         | HLV rd=26 rs1=27 width=8
hsv.b x28, (x29)         | HSV rs2=28 rs1=29 width=1
hsv.h x30, (x31)         | HSV rs2=30 rs1=31 width=2
hsv.w x1, (x2)           | HSV rs2=1 rs1=2 width=4
hsv.d x3, (x4)           | HSV rs2=3 rs1=4 width=8
.4byte 0x00200073        | SYSTEM_OTHER
.4byte 0x10508073        | SYSTEM_OTHER
.insn i SYSTEM, 0, x0, x0, 0x7ff       | SYSTEM_OTHER
.insn r SYSTEM, 0, 0x09, x1, x2, x3    | SYSTEM_OTHER
.insn r SYSTEM, 0, 0x0c, x0, x1, x0    | SYSTEM_OTHER
.insn r SYSTEM, 0, 0x0c, x0, x0, x2    | SYSTEM_OTHER
.insn r SYSTEM, 4, 0x36, x1, x2, x1    | SYSTEM_OTHER
.insn r SYSTEM, 4, 0x31, x1, x2, x3    | SYSTEM_OTHER
.insn r SYSTEM, 4, 0x30, x1, x2, x3    | SYSTEM_OTHER
.insn r SYSTEM, 4, 0x30, x1, x2, x2    | SYSTEM_OTHER
.insn r SYSTEM, 4, 0x76, x1, x2, x0    | SYSTEM_OTHER
amoadd.w x1, x2, (x3)    | AMO rd=1 rs1=3 rs2=2 width=4
lr.d x4, (x5)            | AMO rd=4 rs1=5 width=8
sc.w x6, x7, (x8)        | AMO rd=6 rs1=8 rs2=7 width=4
amomaxu.d.aqrl x9, x10, (x11) | AMO rd=9 rs1=11 rs2=10 width=8
amoswap.w.aq x0, x12, (x13)   | AMO rd=0 rs1=13 rs2=12 width=4
.insn r AMO, 2, 0x08, x1, x2, x3       | UNKNOWN
.insn r AMO, 0, 0x00, x1, x2, x3       | UNKNOWN
addi x1, x2, 3           | UNKNOWN
fence                    | UNKNOWN
.4byte 0x00007003        | UNKNOWN
.4byte 0x00004027        | UNKNOWN
.4byte 0x00004007        | UNKNOWN
.4byte 0x0000001f        | ret=-1
.4byte 0x0000003f        | ret=-1
.4byte 0xffffffff        | ret=-1
CASES
)

{
	echo "/* Generated by tests/unit/data/gen_decode_cases.sh with"
	echo " * $($AS --version | head -n1) -march=$MARCH; do not edit."
	echo " * Each entry: assembly, encoding, decode_insn return, expected struct insn. */"
	echo "static const struct decode_case decode_cases[] = {"
	while IFS='|' read -r asm want; do
		asm=$(echo "$asm" | sed 's/[[:space:]]*$//')
		case $asm in
		c.*) rvc=".option rvc" ;;
		*) rvc=".option norvc" ;;
		esac
		printf '%s\n%s\n' "$rvc" "$asm" > "$tmp/t.s"
		"$AS" -march=$MARCH "$tmp/t.s" -o "$tmp/t.o"
		"$OBJCOPY" -O binary --only-section=.text "$tmp/t.o" "$tmp/t.bin"
		read -r -a b <<< "$(od -An -v -tx1 "$tmp/t.bin")"
		case ${#b[@]} in
		2) raw="0x${b[1]}${b[0]}" ;;
		4) raw="0x${b[3]}${b[2]}${b[1]}${b[0]}" ;;
		*) echo "$asm: assembled to ${#b[@]} bytes" >&2; exit 1 ;;
		esac
		ret=0
		fields=""
		for tok in $want; do
			case $tok in
			ret=*) ret=${tok#ret=} ;;
			*=*) fields="$fields, .${tok%%=*} = ${tok#*=}" ;;
			*) kind=$tok ;;
			esac
		done
		if [ "$ret" = 0 ]; then
			fields=".raw = $raw, .len = ${#b[@]}, .kind = INSN_$kind$fields"
		else
			fields="0"
		fi
		printf '\t{ "%s", %s, %s, { %s } },\n' "$asm" "$raw" "$ret" "$fields"
	done <<< "$cases"
	echo "};"
} > "$out.tmp"
mv "$out.tmp" "$out"
echo "wrote $out ($(grep -c '^	{ "' "$out") cases)"
