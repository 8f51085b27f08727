/*
 * Fakes of the SBI PMU calls the engines make (core/sbi/sbi_pmu.h), for
 * the unit tests and fuzz targets of arch code that do not link the SBI
 * layer (test_engine_trap, test_engine_hw, test_vcsr, fuzz_insn). They
 * record: firmware events per kind, entries and leaves, and answer counter
 * reads with fake_pmu_csr_value + the CSR number.
 */
#include "core/sbi/sbi_pmu.h"

uint64_t fake_pmu_fw_events[SBI_PMU_FW_EVENTS];
unsigned fake_pmu_enters, fake_pmu_leaves;
uint64_t fake_pmu_csr_value = 0x1000000;

void sbi_pmu_fw_count(struct vcpu *v, unsigned event)
{
	(void)v;
	if (event < SBI_PMU_FW_EVENTS)
		fake_pmu_fw_events[event]++;
}

void sbi_pmu_vcpu_enter(struct vcpu *v)
{
	(void)v;
	fake_pmu_enters++;
}

void sbi_pmu_vcpu_leave(struct vcpu *v)
{
	(void)v;
	fake_pmu_leaves++;
}

uint64_t sbi_pmu_read_csr(struct vcpu *v, unsigned csr)
{
	(void)v;
	return fake_pmu_csr_value + csr;
}
