/* A model of QEMU 7.2's rv64 for the CSRs Trapeze legalises on the host
 * (probe.h hw_csr_legalise), for host tests of the virtual CSR file and
 * the engines. */
#include "arch/riscv/csr.h"
#include "arch/riscv/probe.h"

uint64_t hw_csr_legalise(unsigned num, uint64_t old, uint64_t val)
{
	switch (num) {
	case CSR_SSTATUS: {
		uint64_t m = SSTATUS_SPIE | SSTATUS_UBE | SSTATUS_SPP | SSTATUS_FS |
			     SSTATUS_SUM | SSTATUS_MXR;
		if (val & SSTATUS_UXL)          /* a UXL of 0 is ignored */
			m |= SSTATUS_UXL;
		return (old & ~m) | (val & m);
	}
	case CSR_STVEC:
		return (val & 3) < 2 ? val : old;   /* reserved MODE: no change */
	case CSR_SEPC:
		return val & ~1ULL;
	case CSR_SCOUNTEREN:
		return val & 0xffffffffULL;
	default:
		return val;
	}
}
