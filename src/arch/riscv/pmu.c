/*
 * The guest's `cycle` and `instret` read through a trap (pmu.h): the SBI
 * PMU's virtual counters of the vCPU.
 */
#include "arch/riscv/pmu.h"

#include "arch/riscv/csr.h"
#include "arch/riscv/decode.h"
#include "core/sbi/sbi_pmu.h"
#include "core/vcpu.h"

bool pmu_counter_csr(const struct insn *in, bool xlen32)
{
	(void)xlen32;   /* cycleh/instreth: QEMU 7.2 has them only on RV32 harts */
	return in->kind == INSN_CSR && (in->csr == CSR_CYCLE || in->csr == CSR_INSTRET);
}

bool pmu_counter_read(struct vcpu *v, const struct insn *in, bool xlen32, bool guest_u,
		      uint64_t guest_scounteren, uint64_t *val)
{
	unsigned csr = in->csr;
	uint64_t mask = in->csr_op == CSR_OP_RW ? ~0ULL :
			in->csr_imm ? in->rs1 : vcpu_get_gpr(v, in->rs1);

	if (mask != 0)
		return false;   /* a write to a read-only CSR */
	if (guest_u && !(guest_scounteren & (1ULL << (csr - CSR_CYCLE))))
		return false;
	*val = sbi_pmu_read_csr(v, csr);
	if (xlen32)
		*val = (uint64_t)(int64_t)(int32_t)(uint32_t)*val;
	return true;
}
