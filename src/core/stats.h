/*
 * Per-VM statistics. Each counter is incremented exactly where its event
 * happens; stats.c holds the one table that names them for printing.
 */
#ifndef CORE_STATS_H
#define CORE_STATS_H

#include <stdint.h>

#define STATS_EXC_MAX   24      /* exception causes 0..23 */
#define STATS_IRQ_MAX   16      /* interrupt causes 0..15 */
#define STATS_CSR_MAX   16      /* emulated CSRs, indexed by vcsr table slot */
#define STATS_SBI_MAX   16      /* SBI extensions, indexed by descriptor slot */
#define STATS_MMIO_MAX  8       /* devices, indexed by realmap MMIO slot */

struct vm_stats {
	uint64_t trap_exc[STATS_EXC_MAX];   /* real traps taken while the VM ran, by cause */
	uint64_t trap_irq[STATS_IRQ_MAX];
	uint64_t csr_read[STATS_CSR_MAX];   /* emulated CSR accesses, by CSR */
	uint64_t csr_write[STATS_CSR_MAX];
	uint64_t csr_illegal;               /* CSR instructions answered with illegal-instruction */
	uint64_t insn_sret;
	uint64_t insn_wfi;
	uint64_t insn_sfence_vma;
	uint64_t insn_illegal;              /* other instructions reflected as illegal */
	uint64_t sbi_calls[STATS_SBI_MAX];
	uint64_t sbi_unknown;
	uint64_t mmio[STATS_MMIO_MAX];
	uint64_t inject_exc[STATS_EXC_MAX]; /* virtual exceptions delivered to the guest */
	uint64_t inject_irq[STATS_IRQ_MAX]; /* virtual interrupts delivered */
	uint64_t page_maps;                 /* pages mapped into the guest's view on first touch */
	uint64_t access_faults;             /* accesses outside the real map table */
	uint64_t sc_completed;              /* SCs finished by Trapeze after a fill (their reservation was valid) */
	uint64_t accesses_emulated;         /* misaligned accesses performed part by part (emulate_mem.c) */
	uint64_t world_switches;            /* entries into the guest */
};

struct vm;
void stats_print(const struct vm *vm);

#endif
