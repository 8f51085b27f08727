/*
 * What the SBI PMU extension (core/sbi/sbi_pmu.c) asks of RISC-V: the
 * host's own `cycle` and `instret` on this hart (S-mode reads them
 * natively: OpenSBI 1.1 sets mcounteren), and the engines' own counts for
 * SBI_PMU_FW_PLATFORM. Apart from pmu.c so that the arch unit tests can
 * link the counter emulation without the engines.
 */
#include "core/sbi/sbi_pmu.h"

#include "arch/riscv/csr.h"
#include "arch/riscv/engine_hw.h"
#include "arch/riscv/engine_trap.h"
#include "core/vm.h"

uint64_t sbi_pmu_arch_read_host(unsigned ctr)
{
	return ctr == SBI_PMU_CTR_CYCLE ? csr_read(cycle) : csr_read(instret);
}

/*
 * Emulated: every instruction Trapeze emulated or reflected for the guest
 * (trap engine: its illegal-instruction traps, each one instruction; hw
 * engine: its virtual-instruction traps). Fills: the trap engine's Bare
 * chunks and shadow fills, the hw engine's G-stage chunks.
 */
uint64_t sbi_pmu_arch_engine_count(const struct vm *vm, unsigned which)
{
	if (vm->engine == &engine_trap) {
		if (which == SBI_PMU_PLAT_EMULATED)
			return vm->stats.trap_exc[EXC_ILLEGAL_INST];
		return trap_vm_of(vm)->stats.page_maps;
	}
	if (vm->engine == &engine_hw) {
		if (which == SBI_PMU_PLAT_EMULATED)
			return hw_vm_of(vm)->stats.virtual_insn;
		return hw_vm_of(vm)->stats.gstage_maps;
	}
	return 0;
}
