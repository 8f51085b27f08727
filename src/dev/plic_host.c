/*
 * The host's PLIC (RISC-V PLIC Specification 1.0.0), driven by Trapeze in
 * S-mode: the S-mode context of each of its harts, found from the PLIC's
 * interrupts-extended in the host DTB (Devicetree Specification v0.4,
 * 2.4.1: pairs of <interrupt-parent specifier>; a hart's context is the
 * pair naming its cpu's interrupt controller with cause 9, supervisor
 * external). Claim and complete per hart; every source Trapeze handles is
 * enabled on every hart's context, and whichever hart claims it first
 * handles it (a claim by another hart reads 0).
 */
#include "core/hostirq.h"

#include "core/arch.h"
#include "core/console.h"
#include "core/fdt.h"
#include "core/hostmem.h"
#include "core/lib/spinlock.h"
#include "core/platform.h"

#define PLIC_PRIORITY(src)      (4u * (src))
#define PLIC_ENABLE(ctx)        (0x2000u + 0x80u * (ctx))
#define PLIC_THRESHOLD(ctx)     (0x200000u + 0x1000u * (ctx))
#define PLIC_CLAIM(ctx)         (0x200004u + 0x1000u * (ctx))
#define PLIC_HOST_SOURCES       128
#define IRQ_S_EXT_CAUSE         9
#define NO_CONTEXT              (~0u)

static volatile uint32_t *plic_regs;
static unsigned plic_ctx[PLATFORM_MAX_HARTS];     /* by hart index */
static struct {
	hostirq_handler_t fn;
	void *ctx;
} plic_handlers[PLIC_HOST_SOURCES];
static struct spinlock plic_host_lock;

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void plic_w(uint32_t off, uint32_t v) { plic_regs[off / 4] = v; }
static uint32_t plic_r(uint32_t off) { return plic_regs[off / 4]; }

/* The hart index whose cpu node holds the interrupt controller phandle. */
static unsigned plic_hart_of(const struct dt *dt, uint32_t phandle)
{
	int cpus = dt_path(dt, "/cpus");

	for (int c = cpus < 0 ? -1 : dt_first_child(dt, cpus); c >= 0; c = dt_next_sibling(dt, c)) {
		uint64_t hartid, unused;
		if (!dt_reg(dt, c, 0, &hartid, &unused))
			continue;
		for (int ic = dt_first_child(dt, c); ic >= 0; ic = dt_next_sibling(dt, ic)) {
			uint32_t ph;
			if (!dt_prop_u32(dt, ic, "phandle", &ph) || ph != phandle)
				continue;
			for (unsigned h = 0; h < platform.nharts; h++)
				if (platform.hartid[h] == hartid)
					return h;
		}
	}
	return NO_CONTEXT;
}

bool hostirq_init(const struct dt *dt)
{
	uint64_t base, size;
	uint32_t len;
	int node = dt_find_compatible(dt, -1, "riscv,plic0");

	if (node < 0)
		node = dt_find_compatible(dt, -1, "sifive,plic-1.0.0");
	if (node < 0 || !dt_reg(dt, node, 0, &base, &size))
		return false;
	const uint8_t *ie = dt_prop(dt, node, "interrupts-extended", &len);
	if (ie == NULL)
		return false;
	for (unsigned h = 0; h < PLATFORM_MAX_HARTS; h++)
		plic_ctx[h] = NO_CONTEXT;
	for (uint32_t i = 0; i + 8 <= len; i += 8) {
		if (be32(ie + i + 4) != IRQ_S_EXT_CAUSE)
			continue;
		unsigned h = plic_hart_of(dt, be32(ie + i));
		if (h < PLATFORM_MAX_HARTS)
			plic_ctx[h] = i / 8;
	}
	plic_regs = hostmem_va(base);
	for (unsigned h = 0; h < platform.nharts; h++) {
		if (plic_ctx[h] == NO_CONTEXT) {
			log_info("host PLIC: no S-mode context for hart %lu", platform.hartid[h]);
			plic_regs = NULL;
			return false;
		}
		for (unsigned w = 0; w < PLIC_HOST_SOURCES / 32; w++)
			plic_w(PLIC_ENABLE(plic_ctx[h]) + 4 * w, 0);
		/* OpenSBI leaves thresholds at 7: let every priority through. */
		plic_w(PLIC_THRESHOLD(plic_ctx[h]), 0);
	}
	return true;
}

bool hostirq_active(void)
{
	return plic_regs != NULL;
}

bool hostirq_register(unsigned source, hostirq_handler_t handler, void *ctx)
{
	if (plic_regs == NULL || source == 0 || source >= PLIC_HOST_SOURCES)
		return false;
	spin_lock(&plic_host_lock);
	plic_handlers[source].ctx = ctx;
	plic_handlers[source].fn = handler;
	plic_w(PLIC_PRIORITY(source), 1);
	for (unsigned h = 0; h < platform.nharts; h++) {
		uint32_t off = PLIC_ENABLE(plic_ctx[h]) + 4 * (source / 32);
		plic_w(off, plic_r(off) | 1u << (source % 32));
	}
	spin_unlock(&plic_host_lock);
	return true;
}

void hostirq_handle(void)
{
	unsigned h = arch_cpu_index();

	if (plic_regs == NULL || h >= PLATFORM_MAX_HARTS || plic_ctx[h] == NO_CONTEXT)
		return;
	/* PLIC spec 1.0.0, "Interrupt Claim Process" / "Completion". */
	for (unsigned n = 0; n < 64; n++) {
		uint32_t src = plic_r(PLIC_CLAIM(plic_ctx[h]));
		if (src == 0)
			return;
		if (src < PLIC_HOST_SOURCES && plic_handlers[src].fn)
			plic_handlers[src].fn(plic_handlers[src].ctx);
		plic_w(PLIC_CLAIM(plic_ctx[h]), src);
	}
}
