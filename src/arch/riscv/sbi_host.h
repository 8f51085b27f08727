/* Calls from Trapeze to the M-mode firmware below it (OpenSBI), SBI v2.0. */
#ifndef ARCH_RISCV_SBI_HOST_H
#define ARCH_RISCV_SBI_HOST_H

#include <stdint.h>

struct sbi_host_ret {
	long error;
	long value;
};

#ifndef TRAPEZE_HOST
static inline struct sbi_host_ret sbi_host_call5(uint64_t eid, uint64_t fid, uint64_t a0,
						 uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4)
{
	register uint64_t r_a0 __asm__("a0") = a0;
	register uint64_t r_a1 __asm__("a1") = a1;
	register uint64_t r_a2 __asm__("a2") = a2;
	register uint64_t r_a3 __asm__("a3") = a3;
	register uint64_t r_a4 __asm__("a4") = a4;
	register uint64_t r_a6 __asm__("a6") = fid;
	register uint64_t r_a7 __asm__("a7") = eid;

	__asm__ volatile("ecall" : "+r"(r_a0), "+r"(r_a1)
			 : "r"(r_a2), "r"(r_a3), "r"(r_a4), "r"(r_a6), "r"(r_a7) : "memory");
	return (struct sbi_host_ret){ (long)r_a0, (long)r_a1 };
}
#else
/* Host unit tests record the calls (tests/unit/fakes/fake_csr.c). */
struct sbi_host_ret sbi_host_call5(uint64_t eid, uint64_t fid, uint64_t a0,
				   uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4);
#endif

static inline struct sbi_host_ret sbi_host_call(uint64_t eid, uint64_t fid, uint64_t a0,
						uint64_t a1, uint64_t a2)
{
	return sbi_host_call5(eid, fid, a0, a1, a2, 0, 0);
}

#define SBI_HOST_EXT_RFENCE 0x52464E43
#define SBI_HOST_EXT_BASE   0x10
#define SBI_HOST_EXT_TIME   0x54494D45
#define SBI_HOST_EXT_IPI    0x735049
#define SBI_HOST_EXT_HSM    0x48534D
#define SBI_HOST_EXT_SRST   0x53525354

#endif
