#include "core/stats.h"

#include "arch/riscv/vcsr.h"
#include "core/console.h"
#include "core/lib/format.h"
#include "core/sbi/sbi.h"
#include "core/vm.h"

/* Names of exception causes (Privileged ISA v1.12, Table 4.2). */
static const char *const exc_names[STATS_EXC_MAX] = {
	"inst-misaligned", "inst-access", "illegal-insn", "breakpoint",
	"load-misaligned", "load-access", "store-misaligned", "store-access",
	"ecall-u", "ecall-s", "ecall-vs", "ecall-m",
	"inst-page-fault", "load-page-fault", "13", "store-page-fault",
	"16", "17", "18", "19", "inst-guest-pf", "load-guest-pf", "virtual-insn", "store-guest-pf",
};

static const char *const irq_names[STATS_IRQ_MAX] = {
	"0", "s-soft", "2", "3", "4", "s-timer", "6", "7",
	"8", "s-ext", "10", "11", "12", "lcof", "14", "15",
};

/* Append " name=count" for each non-zero counter, one log line per group. */
struct stats_line {
	char buf[240];
	size_t len;
	const char *vm;
	const char *group;
};

static void stats_flush(struct stats_line *l)
{
	if (l->len)
		log_info("stats %s %s:%s", l->vm, l->group, l->buf);
	l->len = 0;
	l->buf[0] = '\0';
}

static void stats_add(struct stats_line *l, const char *name, uint64_t n)
{
	if (n == 0)
		return;
	if (l->len > sizeof(l->buf) - 40)
		stats_flush(l);
	l->len += format(l->buf + l->len, sizeof(l->buf) - l->len, " %s=%lu", name, n);
}

static void stats_group(struct stats_line *l, const char *group)
{
	stats_flush(l);
	l->group = group;
}

void stats_print(const struct vm *vm)
{
	const struct vm_stats *s = &vm->stats;
	struct stats_line l = { .vm = vm->name, .group = "traps" };
	char name[32];

	for (unsigned i = 0; i < STATS_EXC_MAX; i++)
		stats_add(&l, exc_names[i], s->trap_exc[i]);
	for (unsigned i = 0; i < STATS_IRQ_MAX; i++)
		stats_add(&l, irq_names[i], s->trap_irq[i]);
	stats_group(&l, "emulated");
	for (unsigned i = 0; i < STATS_CSR_MAX && vcsr_at(i); i++) {
		format(name, sizeof(name), "csrr-%s", vcsr_at(i)->name);
		stats_add(&l, name, s->csr_read[i]);
		format(name, sizeof(name), "csrw-%s", vcsr_at(i)->name);
		stats_add(&l, name, s->csr_write[i]);
	}
	stats_add(&l, "csr-illegal", s->csr_illegal);
	stats_add(&l, "sret", s->insn_sret);
	stats_add(&l, "wfi", s->insn_wfi);
	stats_add(&l, "sfence.vma", s->insn_sfence_vma);
	stats_add(&l, "other-illegal", s->insn_illegal);
	stats_group(&l, "sbi");
	for (unsigned i = 0; i < STATS_SBI_MAX && sbi_ext_at(i); i++)
		stats_add(&l, sbi_ext_at(i)->name, s->sbi_calls[i]);
	stats_add(&l, "unknown", s->sbi_unknown);
	stats_group(&l, "mmio");
	for (unsigned i = 0; i < vm->realmap.nmmio && i < STATS_MMIO_MAX; i++)
		stats_add(&l, vm->realmap.mmio[i].dev->name, s->mmio[i]);
	stats_group(&l, "injected");
	for (unsigned i = 0; i < STATS_EXC_MAX; i++)
		stats_add(&l, exc_names[i], s->inject_exc[i]);
	for (unsigned i = 0; i < STATS_IRQ_MAX; i++)
		stats_add(&l, irq_names[i], s->inject_irq[i]);
	stats_group(&l, "memory");
	stats_add(&l, "pages-mapped", s->page_maps);
	stats_add(&l, "access-faults", s->access_faults);
	stats_add(&l, "sc-completed", s->sc_completed);
	stats_add(&l, "accesses-emulated", s->accesses_emulated);
	stats_add(&l, "world-switches", s->world_switches);
	stats_flush(&l);
	vm_arch_print_stats(vm);
}
