/*
 * The hw engine's interpreter (src/arch/riscv/engine_hw_interp.h): with
 * interrupts off, every UART access below is a device exit under hw, after
 * which Trapeze interprets the guest's next instructions itself, up to the
 * next one it does not handle. Each block reads the UART's scratch
 * register (no side effect) and then runs one instruction over a table of
 * corner values (RV64I, M with division by zero and overflow, the W
 * forms, loads and stores of every width and sign, compressed forms the
 * compiler picks), so that under hw those instructions run interpreted;
 * bare QEMU runs them natively. Every line must match.
 */
#include "guest.h"

static volatile uint8_t *const uart = (volatile uint8_t *)UART_BASE;

static const uint64_t vals[] = {
	0, 1, 2, 3, 5, 31, 32, 63, 64, 0x7f, 0x80, 0xff, 0x7fff, 0x8000, 0xffff,
	0x7fffffff, 0x80000000, 0xffffffff, 0x100000000, 0x7fffffffffffffff,
	0x8000000000000000, 0xffffffffffffffff, 0xfffffffffffffffe, 0xffffffff80000000,
	0x123456789abcdef0, 0xfedcba9876543210, (uint64_t)-5, 7,
};
#define NVALS (sizeof(vals) / sizeof(vals[0]))

static uint64_t mix(uint64_t h, uint64_t v)
{
	return (h ^ v) * 0x100000001b3ULL + (h >> 29);
}

/* One register-register instruction over every pair of values, each pair
 * right after a device access. */
#define RR(name)                                                                        \
	static uint64_t rr_##name(void)                                                 \
	{                                                                               \
		uint64_t h = 0;                                                         \
		for (unsigned i = 0; i < NVALS; i++)                                    \
			for (unsigned j = 0; j < NVALS; j++) {                          \
				uint64_t r;                                             \
				(void)uart[7];                                          \
				__asm__ volatile(#name " %0, %1, %2"                    \
						 : "=r"(r) : "r"(vals[i]), "r"(vals[j])); \
				h = mix(h, r);                                          \
			}                                                               \
		return h;                                                               \
	}
/* And a register-immediate one (immediates: both signs, shifts at the edges). */
#define RI(name, tag, imm)                                                              \
	static uint64_t ri_##name##_##tag(void)                                         \
	{                                                                               \
		uint64_t h = 0;                                                         \
		for (unsigned i = 0; i < NVALS; i++) {                                  \
			uint64_t r;                                                     \
			(void)uart[7];                                                  \
			__asm__ volatile(#name " %0, %1, " #imm : "=r"(r) : "r"(vals[i])); \
			h = mix(h, r);                                                  \
		}                                                                       \
		return h;                                                               \
	}

RR(add) RR(sub) RR(sll) RR(slt) RR(sltu) RR(xor) RR(srl) RR(sra) RR(or) RR(and)
RR(addw) RR(subw) RR(sllw) RR(srlw) RR(sraw)
RR(mul) RR(mulh) RR(mulhsu) RR(mulhu) RR(div) RR(divu) RR(rem) RR(remu)
RR(mulw) RR(divw) RR(divuw) RR(remw) RR(remuw)
RI(addi, m2048, -2048) RI(addi, 2047, 2047) RI(slti, m1, -1) RI(sltiu, m1, -1) RI(xori, m1, -1)
RI(ori, 0x555, 0x555) RI(andi, m16, -16) RI(slli, 63, 63) RI(srli, 63, 63) RI(srai, 63, 63)
RI(slli, 1, 1) RI(srai, 1, 1) RI(addiw, m1, -1) RI(addiw, 2047, 2047) RI(slliw, 31, 31)
RI(srliw, 31, 31) RI(sraiw, 31, 31) RI(srliw, 0, 0)

static const struct { const char *name; uint64_t (*fn)(void); } ops[] = {
#define E(n) { #n, rr_##n }
	E(add), E(sub), E(sll), E(slt), E(sltu), E(xor), E(srl), E(sra), E(or), E(and),
	E(addw), E(subw), E(sllw), E(srlw), E(sraw),
	E(mul), E(mulh), E(mulhsu), E(mulhu), E(div), E(divu), E(rem), E(remu),
	E(mulw), E(divw), E(divuw), E(remw), E(remuw),
#undef E
#define I(n, t) { #n " " #t, ri_##n##_##t }
	I(addi, m2048), I(addi, 2047), I(slti, m1), I(sltiu, m1), I(xori, m1), I(ori, 0x555),
	I(andi, m16), I(slli, 63), I(srli, 63), I(srai, 63), I(slli, 1), I(srai, 1),
	I(addiw, m1), I(addiw, 2047), I(slliw, 31), I(srliw, 31), I(sraiw, 31), I(srliw, 0),
#undef I
};

/* Loads and stores of every width on RAM, sign- and zero-extended, at
 * every offset they may take aligned, after a device access. */
static uint64_t mem_block[4];

static uint64_t loads_stores(void)
{
	volatile uint8_t *b = (volatile uint8_t *)mem_block;
	uint64_t h = 0;

	for (unsigned i = 0; i < NVALS; i++) {
		for (unsigned off = 0; off < 8; off++) {
			(void)uart[7];
			mem_block[0] = mem_block[1] = 0;
			*(volatile uint8_t *)(b + off) = (uint8_t)vals[i];
			if (!(off & 1))
				*(volatile uint16_t *)(b + 8 + off) = (uint16_t)vals[i];
			if (!(off & 3))
				*(volatile uint32_t *)(b + 16 + off) = (uint32_t)(vals[i] >> 3);
			if (off == 0)
				*(volatile uint64_t *)(b + 24) = vals[i] ^ 0x5a5a;
			h = mix(h, *(volatile int8_t *)(b + off));
			h = mix(h, *(volatile uint8_t *)(b + off));
			if (!(off & 1)) {
				h = mix(h, (uint64_t)*(volatile int16_t *)(b + 8 + off));
				h = mix(h, *(volatile uint16_t *)(b + 8 + off));
			}
			if (!(off & 3)) {
				h = mix(h, (uint64_t)*(volatile int32_t *)(b + 16 + off));
				h = mix(h, *(volatile uint32_t *)(b + 16 + off));
			}
			h = mix(h, mem_block[0]);
			h = mix(h, mem_block[1]);
			h = mix(h, mem_block[2]);
			h = mix(h, mem_block[3]);
		}
	}
	return h;
}

/* Control transfer: a recursive call chain (JAL, JALR through a pointer,
 * returns), branches of every kind, after a device access. */
static uint64_t __attribute__((noinline)) fib(uint64_t n)
{
	(void)uart[7];
	return n < 2 ? n : fib(n - 1) + fib(n - 2);
}

static uint64_t (*volatile fib_ptr)(uint64_t) = fib;

static uint64_t branches(void)
{
	uint64_t h = 0;

	for (unsigned i = 0; i < NVALS; i++)
		for (unsigned j = 0; j < NVALS; j++) {
			int64_t a = (int64_t)vals[i], b = (int64_t)vals[j];
			uint64_t ua = vals[i], ub = vals[j];
			(void)uart[7];
			h = mix(h, (a < b) | (a >= b) << 1 | (ua < ub) << 2 | (ua >= ub) << 3 |
				   (a == b) << 4 | (a != b) << 5);
		}
	return mix(h, fib_ptr(15));
}

/* Device accesses themselves among interpreted instructions: the scratch
 * register written and read back at every width the UART takes. */
static uint64_t uart_scratch(void)
{
	uint64_t h = 0;

	for (unsigned i = 0; i < NVALS; i++) {
		uart[7] = (uint8_t)vals[i];
		h = mix(h, uart[7]);
		h = mix(h, uart[5] & 0x60);     /* LSR: THRE and TEMT */
	}
	return h;
}

void guest_main(unsigned long hartid, unsigned long dtb)
{
	(void)hartid, (void)dtb;
	for (unsigned k = 0; k < sizeof(ops) / sizeof(ops[0]); k++)
		printf("interp: %s %016lx\n", ops[k].name, (unsigned long)ops[k].fn());
	printf("interp: loads-stores %016lx\n", (unsigned long)loads_stores());
	printf("interp: branches %016lx\n", (unsigned long)branches());
	printf("interp: uart-scratch %016lx\n", (unsigned long)uart_scratch());
}
