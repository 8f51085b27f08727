/*
 * Per-VM statistics, arch-neutral. Each counter is incremented exactly
 * where its event happens; stats.c holds the one table that names them for
 * printing. What only one engine counts (emulated instructions, shadow
 * fills) is that engine's, printed by its print_stats.
 */
#ifndef CORE_STATS_H
#define CORE_STATS_H

#include <stdint.h>

#define STATS_EXC_MAX   24      /* exception causes 0..23 (the architecture's numbering) */
#define STATS_IRQ_MAX   16      /* interrupt causes 0..15 */
#define STATS_SBI_MAX   16      /* SBI extensions, indexed by descriptor slot */
#define STATS_MMIO_MAX  16      /* devices, indexed by realmap MMIO slot */

struct vm_stats {
	uint64_t trap_exc[STATS_EXC_MAX];   /* real traps taken while the VM ran, by cause */
	uint64_t trap_irq[STATS_IRQ_MAX];
	uint64_t sbi_calls[STATS_SBI_MAX];
	uint64_t sbi_unknown;
	uint64_t mmio[STATS_MMIO_MAX];
	uint64_t inject_exc[STATS_EXC_MAX]; /* virtual exceptions delivered to the guest */
	uint64_t inject_irq[STATS_IRQ_MAX]; /* virtual interrupts delivered */
	uint64_t access_faults;             /* accesses outside the real map table */
	uint64_t accesses_emulated;         /* misaligned accesses Trapeze performed part by part */
	uint64_t world_switches;            /* entries into the guest */
	uint64_t resumed_in_place;          /* of which straight back, without the resume path */
	uint64_t chunks_zeroed;             /* 2 MiB chunks of guest RAM zeroed on first touch */
	uint64_t resets;                    /* SBI SRST reboots and monitor resets */
	uint64_t console_throttled;         /* output bytes dropped over the console rate limit */
	uint64_t net_tx, net_rx;            /* frames the VM's NIC sent to its switch, received */
	uint64_t net_tx_dropped;            /* frames it sent that were runt or oversized */
	uint64_t net_rx_dropped;            /* frames for it while it had no receive buffer */
};

struct vm;
void stats_print(const struct vm *vm);

/* Building a statistics log line ("stats VM GROUP: name=count ..."), for
 * the core's groups and each engine's own: non-zero counters only, one
 * line per group, wrapped when long. */
struct stats_line {
	char buf[240];
	unsigned long len;
	const char *vm;
	const char *group;
};
void stats_add(struct stats_line *l, const char *name, uint64_t n);
void stats_group(struct stats_line *l, const char *group);
void stats_flush(struct stats_line *l);

#endif
