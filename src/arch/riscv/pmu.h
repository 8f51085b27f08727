/*
 * The guest's `cycle` and `instret` as the engines give them: the SBI PMU's
 * virtual counters of the vCPU (core/sbi/sbi_pmu.c), read through a trap.
 * The trap engine clears these scounteren bits while a guest runs, the hw
 * engine these hcounteren bits; `time` and hpmcounter3-31 stay native.
 */
#ifndef ARCH_RISCV_PMU_H
#define ARCH_RISCV_PMU_H

#include <stdbool.h>
#include <stdint.h>

struct insn;
struct vcpu;

/* scounteren/hcounteren CY and IR (Privileged ISA v1.12, 4.1.5). */
#define COUNTEREN_VIRTUAL ((1ULL << 0) | (1ULL << 2))

/* in is a CSR instruction on a virtual counter: cycle or instret (0xc00,
 * 0xc02). Not cycleh/instreth, even at UXL 32: QEMU 7.2 makes them exist
 * by the hart's MXL only, so they are illegal on an RV64 hart. */
bool pmu_counter_csr(const struct insn *in, bool xlen32);

/*
 * Complete it for v: true with *val the counter's value (the caller writes
 * rd and steps over it); false when the guest gets the illegal-instruction
 * trap bare hardware gives: a write (QEMU 7.2 decides by the write mask:
 * CSRRS/CSRRC with a zero register value only read, as they do on bare
 * QEMU), or a read from (virtual) U-mode that the guest's own scounteren
 * denies (OpenSBI 1.1 then redirects the illegal instruction). At XLEN 32
 * the value is the low half, sign-extended as QEMU writes rd.
 */
bool pmu_counter_read(struct vcpu *v, const struct insn *in, bool xlen32, bool guest_u,
		      uint64_t guest_scounteren, uint64_t *val);

#endif
