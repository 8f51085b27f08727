/*
 * Fakes of what the SBI PMU extension asks of the architecture
 * (core/sbi/sbi_pmu.h), linked into test_sbi, test_sbi_pmu and fuzz_sbi
 * with every fake_sbi_*.c. The host counters are variables a test moves
 * (fake_pmu_host[]); the engine's counts too (fake_pmu_engine[]).
 */
#include "core/sbi/sbi_pmu.h"

uint64_t fake_pmu_host[SBI_PMU_HW_COUNTERS];
uint64_t fake_pmu_engine[SBI_PMU_PLAT_FILLS + 1];

uint64_t sbi_pmu_arch_read_host(unsigned ctr)
{
	return ctr < SBI_PMU_HW_COUNTERS ? fake_pmu_host[ctr] : 0;
}

uint64_t sbi_pmu_arch_engine_count(const struct vm *vm, unsigned which)
{
	(void)vm;
	return which <= SBI_PMU_PLAT_FILLS ? fake_pmu_engine[which] : 0;
}
