/*
 * Virtual PLIC (see plic.h). Register map: RISC-V PLIC Specification
 * 1.0.0, "Memory Map"; where the spec leaves room, QEMU 7.2's
 * hw/intc/sifive_plic.c decides, since guests are written against it.
 *
 * Pending is not stored: a source is pending exactly when its line is high
 * and it is not claimed, which is the gateway rule for level-triggered
 * sources (spec, "Interrupt Gateways") with QEMU's choice that a dropped
 * line withdraws an unclaimed request.
 */
#include "dev/plic.h"

#include "core/lib/string.h"
#include "core/vcpu.h"
#include "core/vm.h"

_Static_assert(PLIC_MAX_HARTS >= VM_MAX_VCPUS, "a PLIC context pair for every vCPU");

#define PLIC_PRIORITY_BASE  0x0
#define PLIC_PENDING_BASE   0x1000
#define PLIC_ENABLE_BASE    0x2000
#define PLIC_ENABLE_STRIDE  0x80
#define PLIC_CONTEXT_BASE   0x200000
#define PLIC_CONTEXT_STRIDE 0x1000
#define PLIC_CTX_THRESHOLD  0x0
#define PLIC_CTX_CLAIM      0x4

static unsigned plic_ncontexts(const struct plic_dev *p)
{
	return 2 * p->nharts;
}

static uint32_t plic_pending_word(const struct plic_dev *p, unsigned w)
{
	return p->level[w] & ~p->claimed[w];
}

/*
 * The source a claim by ctx would get: pending, enabled for ctx, priority
 * above ctx's threshold (as QEMU's sifive_plic_claimed; the spec would let
 * a claim ignore the threshold), the highest priority and on ties the
 * lowest id (spec, "Interrupt Identifiers (IDs)"). 0: none.
 */
static unsigned plic_best(const struct plic_dev *p, unsigned ctx)
{
	unsigned best = 0;
	uint32_t best_prio = p->threshold[ctx];

	/* Plain bit loop: __builtin_ctz would need libgcc on rv64imac. */
	for (unsigned w = 0; w < PLIC_WORDS; w++) {
		uint32_t cand = plic_pending_word(p, w) & p->enable[ctx][w];
		for (unsigned bit = 0; cand; bit++, cand >>= 1) {
			unsigned src = w * 32 + bit;
			if ((cand & 1) && p->priority[src] > best_prio) {
				best = src;
				best_prio = p->priority[src];
			}
		}
	}
	return best;
}

/*
 * Recompute every hart's S-context output and signal the changes under the
 * lock, so two harts updating at once cannot leave a stale SEIP behind.
 * Returns the harts whose SEIP rose: the caller kicks them once the lock
 * is dropped (a kick may take the scheduler's lock).
 */
static uint32_t plic_update(struct plic_dev *p)
{
	uint32_t rose = 0;

	for (unsigned h = 0; h < p->nharts; h++) {
		uint32_t bit = 1u << h;
		uint32_t now = plic_best(p, 2 * h + 1) ? bit : 0;
		struct vcpu *v;

		if ((p->seip & bit) == now)
			continue;
		p->seip ^= bit;
		v = vm_vcpu(p->vm, h);
		if (v == NULL)
			continue;
		if (now) {
			vcpu_raise_irq(v, VIRQ_EXT);
			rose |= bit;
		} else {
			vcpu_lower_irq(v, VIRQ_EXT);
		}
	}
	return rose;
}

static void plic_kick(struct plic_dev *p, uint32_t harts)
{
	for (unsigned h = 0; harts; h++, harts >>= 1) {
		struct vcpu *v = (harts & 1) ? vm_vcpu(p->vm, h) : NULL;
		if (v)
			vcpu_kick(v);
	}
}

static uint32_t plic_claim(struct plic_dev *p, unsigned ctx)
{
	unsigned src = plic_best(p, ctx);

	if (src)
		p->claimed[src / 32] |= 1u << (src % 32);
	return src;
}

/* QEMU completes any existing source from any context, without checking
 * that the source is enabled there, where the spec says such a completion
 * is ignored ("Interrupt Completion"); QEMU's way keeps guests written
 * against it working. */
static void plic_complete(struct plic_dev *p, uint32_t src)
{
	if (src < BOARD_PLIC_SOURCES)
		p->claimed[src / 32] &= ~(1u << (src % 32));
}

enum plic_reg_kind {
	PLIC_HOLE = 0,          /* unimplemented: reads 0, ignores writes */
	PLIC_PRIORITY,          /* index: source */
	PLIC_PENDING,           /* index: word; read-only */
	PLIC_ENABLE,            /* ctx, index: word */
	PLIC_THRESHOLD,         /* ctx */
	PLIC_CLAIM,             /* ctx: claim on read, complete on write */
};

struct plic_reg {
	enum plic_reg_kind kind;
	unsigned ctx;
	unsigned index;
};

/* Which register an aligned word offset names (spec, "Memory Map"),
 * limited to the sources and contexts this PLIC has. */
static struct plic_reg plic_decode(const struct plic_dev *p, uint64_t off)
{
	uint64_t nctx = plic_ncontexts(p);

	if (off < PLIC_PENDING_BASE) {
		uint64_t src = (off - PLIC_PRIORITY_BASE) / 4;
		/* Source 0 does not exist (spec, "Interrupt Priorities"). */
		if (src >= 1 && src < BOARD_PLIC_SOURCES)
			return (struct plic_reg){ PLIC_PRIORITY, 0, (unsigned)src };
	} else if (off < PLIC_PENDING_BASE + 4 * PLIC_WORDS) {
		/* QEMU decodes (num_sources + 31) / 8 = 15 bytes here, so its
		 * word 3 reads past its array; a hole here. */
		return (struct plic_reg){ PLIC_PENDING, 0, (unsigned)(off - PLIC_PENDING_BASE) / 4 };
	} else if (off >= PLIC_ENABLE_BASE && off < PLIC_ENABLE_BASE + nctx * PLIC_ENABLE_STRIDE) {
		uint64_t w = (off % PLIC_ENABLE_STRIDE) / 4;
		if (w < PLIC_WORDS)
			return (struct plic_reg){ PLIC_ENABLE,
				(unsigned)((off - PLIC_ENABLE_BASE) / PLIC_ENABLE_STRIDE), (unsigned)w };
	} else if (off >= PLIC_CONTEXT_BASE && off < PLIC_CONTEXT_BASE + nctx * PLIC_CONTEXT_STRIDE) {
		unsigned ctx = (unsigned)((off - PLIC_CONTEXT_BASE) / PLIC_CONTEXT_STRIDE);
		switch (off % PLIC_CONTEXT_STRIDE) {
		case PLIC_CTX_THRESHOLD:
			return (struct plic_reg){ PLIC_THRESHOLD, ctx, 0 };
		case PLIC_CTX_CLAIM:
			return (struct plic_reg){ PLIC_CLAIM, ctx, 0 };
		}
	}
	return (struct plic_reg){ PLIC_HOLE, 0, 0 };
}

static uint32_t plic_read(struct plic_dev *p, uint64_t off)
{
	struct plic_reg r = plic_decode(p, off);

	switch (r.kind) {
	case PLIC_PRIORITY:     return p->priority[r.index];
	case PLIC_PENDING:      return plic_pending_word(p, r.index);
	case PLIC_ENABLE:       return p->enable[r.ctx][r.index];
	case PLIC_THRESHOLD:    return p->threshold[r.ctx];
	case PLIC_CLAIM:        return plic_claim(p, r.ctx);
	case PLIC_HOLE:         break;
	}
	return 0;
}

static void plic_write(struct plic_dev *p, uint64_t off, uint32_t val)
{
	struct plic_reg r = plic_decode(p, off);

	switch (r.kind) {
	/* Priority and threshold are WARL (spec, "Interrupt Priorities"):
	 * QEMU keeps value % (num_priorities + 1), the low 3 bits. */
	case PLIC_PRIORITY:
		p->priority[r.index] = val & PLIC_PRIO_MASK;
		break;
	case PLIC_THRESHOLD:
		p->threshold[r.ctx] = val & PLIC_PRIO_MASK;
		break;
	case PLIC_ENABLE:
		/* Bit 0 of word 0 is the non-existent source 0, hardwired to 0
		 * (spec, "Interrupt Enables"). */
		p->enable[r.ctx][r.index] = r.index == 0 ? val & ~1u : val;
		break;
	case PLIC_CLAIM:
		plic_complete(p, val);
		break;
	case PLIC_PENDING:      /* read-only */
	case PLIC_HOLE:
		break;
	}
}

/* Aligned 32-bit accesses only: QEMU's sifive_plic_ops has .valid min and
 * max 4 and no .unaligned, so anything else is a decode error, which a
 * RISC-V hart takes as an access fault. */
static int plic_access(struct mmio_device *dev, struct vm *vm, struct mmio_access *a)
{
	struct plic_dev *p = dev->priv;
	uint32_t rose;

	(void)vm;
	if (a->width != 4 || (a->offset & 3))
		return -1;
	spin_lock(&p->lock);
	if (a->write)
		plic_write(p, a->offset, (uint32_t)a->value);
	else
		a->value = plic_read(p, a->offset);
	rose = plic_update(p);
	spin_unlock(&p->lock);
	plic_kick(p, rose);
	return 0;
}

void plic_set_level(struct plic_dev *p, unsigned source, bool level)
{
	uint32_t rose;

	if (source == 0 || source >= BOARD_PLIC_SOURCES)
		return;
	spin_lock(&p->lock);
	if (level)
		p->level[source / 32] |= 1u << (source % 32);
	else
		p->level[source / 32] &= ~(1u << (source % 32));
	rose = plic_update(p);
	spin_unlock(&p->lock);
	plic_kick(p, rose);
}

/* The state the M-mode firmware leaves before it enters a kernel, which
 * is what a guest of Trapeze starts from too: OpenSBI 1.1
 * (plic_warm_irqchip_init) disables every source for each hart's M and S
 * contexts and sets both thresholds to the maximum, 7; priorities stay
 * 0. A kernel lowers the threshold of the contexts it uses itself. */
static void plic_boot_state(struct plic_dev *p)
{
	memset(p->priority, 0, sizeof(p->priority));
	memset(p->level, 0, sizeof(p->level));
	memset(p->claimed, 0, sizeof(p->claimed));
	memset(p->enable, 0, sizeof(p->enable));
	for (unsigned c = 0; c < sizeof(p->threshold) / sizeof(p->threshold[0]); c++)
		p->threshold[c] = PLIC_PRIO_MASK;
}

void plic_reset(struct plic_dev *p)
{
	spin_lock(&p->lock);
	plic_boot_state(p);
	for (unsigned h = 0; h < p->nharts; h++) {
		struct vcpu *v = vm_vcpu(p->vm, h);
		if (v)
			vcpu_lower_irq(v, VIRQ_EXT);
	}
	p->seip = 0;
	spin_unlock(&p->lock);
}

void plic_init(struct plic_dev *p, struct vm *vm, unsigned nharts)
{
	memset(p, 0, sizeof(*p));
	p->vm = vm;
	p->nharts = nharts < PLIC_MAX_HARTS ? nharts : PLIC_MAX_HARTS;
	plic_boot_state(p);
}

uint64_t plic_size(unsigned nharts)
{
	return PLIC_CONTEXT_BASE + 2ULL * nharts * PLIC_CONTEXT_STRIDE;
}

/* One PLIC per VM, a context pair per vCPU the VM will have (its vCPUs
 * do not exist yet). */
static bool plic_create(struct device *d)
{
	struct plic_dev *p = d->state;
	const struct vm *vm = d->vm;

	if (vm->irqchip)
		return false;
	plic_init(p, d->vm, vm->desc ? vm->desc->vcpus : vm->nvcpus);
	d->vm->irqchip = p;
	return true;
}

static void plic_model_reset(struct device *d)
{
	plic_reset(d->state);
}

const struct device_model plic_model = {
	.name = "plic",
	.state_size = sizeof(struct plic_dev),
	.create = plic_create,
	.reset = plic_model_reset,
	.access = plic_access,
};
