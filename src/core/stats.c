#include "core/stats.h"

#include "core/arch.h"
#include "core/console.h"
#include "core/engine.h"
#include "core/lib/format.h"
#include "core/sbi/sbi.h"
#include "core/vm.h"

void stats_flush(struct stats_line *l)
{
	if (l->len)
		log_info("stats %s %s:%s", l->vm, l->group, l->buf);
	l->len = 0;
	l->buf[0] = '\0';
}

void stats_add(struct stats_line *l, const char *name, uint64_t n)
{
	if (n == 0)
		return;
	if (l->len > sizeof(l->buf) - 40)
		stats_flush(l);
	l->len += format(l->buf + l->len, sizeof(l->buf) - l->len, " %s=%lu", name, n);
}

void stats_group(struct stats_line *l, const char *group)
{
	stats_flush(l);
	l->group = group;
}

void stats_print(const struct vm *vm)
{
	const struct vm_stats *s = &vm->stats;
	struct stats_line l = { .vm = vm->name, .group = "traps" };

	for (unsigned i = 0; i < STATS_EXC_MAX; i++)
		stats_add(&l, arch_exc_name(i), s->trap_exc[i]);
	for (unsigned i = 0; i < STATS_IRQ_MAX; i++)
		stats_add(&l, arch_irq_name(i), s->trap_irq[i]);
	stats_group(&l, "sbi");
	for (unsigned i = 0; i < STATS_SBI_MAX && sbi_ext_at(i); i++)
		stats_add(&l, sbi_ext_at(i)->name, s->sbi_calls[i]);
	stats_add(&l, "unknown", s->sbi_unknown);
	stats_group(&l, "mmio");
	for (unsigned i = 0; i < vm->realmap.nmmio && i < STATS_MMIO_MAX; i++)
		stats_add(&l, vm->realmap.mmio[i].dev->name, s->mmio[i]);
	stats_group(&l, "injected");
	for (unsigned i = 0; i < STATS_EXC_MAX; i++)
		stats_add(&l, arch_exc_name(i), s->inject_exc[i]);
	for (unsigned i = 0; i < STATS_IRQ_MAX; i++)
		stats_add(&l, arch_irq_name(i), s->inject_irq[i]);
	stats_group(&l, "memory");
	stats_add(&l, "access-faults", s->access_faults);
	stats_add(&l, "accesses-emulated", s->accesses_emulated);
	stats_add(&l, "chunks-zeroed", s->chunks_zeroed);
	stats_add(&l, "world-switches", s->world_switches);
	stats_add(&l, "resumed-in-place", s->resumed_in_place);
	stats_group(&l, "lifecycle");
	stats_add(&l, "resets", s->resets);
	stats_add(&l, "console-throttled", s->console_throttled);
	stats_group(&l, "net");
	stats_add(&l, "tx", s->net_tx);
	stats_add(&l, "rx", s->net_rx);
	stats_add(&l, "tx-dropped", s->net_tx_dropped);
	stats_add(&l, "rx-dropped", s->net_rx_dropped);
	stats_flush(&l);
	if (vm->engine && vm->engine->print_stats)
		vm->engine->print_stats(vm);
}
