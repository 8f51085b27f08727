#include "arch/riscv/probe.h"

#include "arch/riscv/boot.h"
#include "arch/riscv/csr.h"
#include "arch/riscv/hart.h"
#include "arch/riscv/layout.h"
#include "arch/riscv/patch_decide.h"

struct host_csr_caps host_csr;

void probe_begin(void)
{
	struct hart *h = this_hart();

	h->probe_faulted = false;
	h->probe_active = true;
	__asm__ volatile("" ::: "memory");
}

bool probe_end(void)
{
	struct hart *h = this_hart();

	__asm__ volatile("" ::: "memory");
	h->probe_active = false;
	return !h->probe_faulted;
}

void probe_capture_reset(uint64_t stvec, uint64_t sscratch)
{
	struct vcsr *r = &host_csr.reset;
	uint64_t v = 0;

	r->sstatus = csr_read(sstatus) & ~(SSTATUS_SD | SSTATUS_SIE | SSTATUS_SPIE | SSTATUS_SPP);
	r->sie = csr_read(sie);
	r->sip = 0;
	r->stvec = stvec;
	r->scounteren = csr_read(scounteren);
	r->sscratch = sscratch;
	r->sepc = csr_read(sepc);
	r->scause = csr_read(scause);
	r->stval = csr_read(stval);
	r->satp = 0;
	if (PROBE_CSR("csrr %0, 0x10a" : "=r"(v)))
		r->senvcfg = v;
	if (PROBE_CSR("csrr %0, 0x14d" : "=r"(v)))
		r->stimecmp = v;
}

void probe_host_csrs(void)
{
	uint64_t v = 0, old;

	host_csr.has_senvcfg = PROBE_CSR("csrr %0, 0x10a" : "=r"(v));
	host_csr.has_stimecmp = PROBE_CSR("csrr %0, 0x14d" : "=r"(v));
	/* sinval.vma x0, x0 (Svinval): an illegal instruction without it. */
	host_csr.has_svinval = PROBE_CSR(".word 0x16000073");

	/* sstatus: a bit is writable when it follows both an all-ones and an
	 * all-zeros write. SIE is left out (an interrupt could fire) and is
	 * writable by definition; SD is always computed. Whatever else the CPU
	 * model lets S-mode write (QEMU 7.2 stores UXL as written, for one)
	 * the guest may write too: it only ever reaches the virtual copy. */
	old = csr_read(sstatus);
	csr_write(sstatus, ~SSTATUS_SIE);
	uint64_t ones = csr_read(sstatus);
	csr_write(sstatus, 0);
	uint64_t zeros = csr_read(sstatus);
	csr_write(sstatus, old);
	host_csr.sstatus_wmask = ((ones & ~zeros) & ~SSTATUS_SD) | SSTATUS_SIE;

	old = csr_read(sie);
	csr_write(sie, ~0ULL);
	host_csr.sie_wmask = csr_read(sie);
	csr_write(sie, old);

	old = csr_read(sip);
	csr_set(sip, ~0ULL);
	host_csr.sip_wmask = csr_read(sip) & ~old;
	csr_clear(sip, host_csr.sip_wmask);

	/* Which of sscratch, sepc, scause and stval keep any value: WARL
	 * fields (sepc[0] is zero on every hart, Privileged ISA v1.12,
	 * 4.1.7; scause may keep only the codes it supports, 4.1.8) would
	 * make a plain store differ from a CSR write. Trapeze's context
	 * owns none of them here (the trap path writes them afresh). */
	static const uint64_t patterns[] = {
		~0ULL, 0, 1, 2, 0x5555555555555555ULL, 0xaaaaaaaaaaaaaaaaULL, 0x8000000000000001ULL,
	};
	unsigned plain = (1u << PATCH_X0_SLOTS) - 1;
	uint64_t scratch = csr_read(sscratch);
#define KEEPS(csr, slot, p) do {                                  \
		csr_write(csr, p);                                      \
		if (csr_read(csr) != (p))                               \
			plain &= ~(1u << (slot));                       \
	} while (0)
	for (unsigned i = 0; i < sizeof(patterns) / sizeof(patterns[0]); i++) {
		KEEPS(sscratch, PATCH_X0_SSCRATCH, patterns[i]);
		KEEPS(sepc, PATCH_X0_SEPC, patterns[i]);
		KEEPS(scause, PATCH_X0_SCAUSE, patterns[i]);
		KEEPS(stval, PATCH_X0_STVAL, patterns[i]);
	}
#undef KEEPS
	csr_write(sscratch, scratch);
	host_csr.x0_plain = plain;

	/* Measured by boot.c, from the identity map, before Trapeze moved up. */
	host_csr.satp_modes = boot_satp_modes;
	host_csr.satp_asid_mask = boot_asid_mask;
}

extern char trap_vector[];

#define LEGALISE(csr, old, val, restore) ({ \
	csr_write(csr, old); csr_write(csr, val); \
	uint64_t __r = csr_read(csr); csr_write(csr, restore); __r; })

uint64_t hw_csr_legalise(unsigned num, uint64_t old, uint64_t val)
{
	uint64_t mine;

	switch (num) {
	case CSR_SSTATUS: {
		/* SUM and MXR are plain bits (the probe found them writable),
		 * and QEMU flushes its whole TLB whenever they change: they
		 * never reach the real CSR, which keeps Trapeze's own. */
		const uint64_t soft = SSTATUS_SIE | SSTATUS_SUM | SSTATUS_MXR;
		mine = csr_read(sstatus);
		uint64_t r = LEGALISE(sstatus, (old & ~soft) | (mine & soft & ~SSTATUS_SIE),
				      (val & ~soft) | (mine & soft & ~SSTATUS_SIE), mine);
		return (r & ~soft) | (val & (SSTATUS_SUM | SSTATUS_MXR) & host_csr.sstatus_wmask);
	}
	case CSR_STVEC:
		return LEGALISE(stvec, old, val, (uint64_t)trap_vector);
	case CSR_SCOUNTEREN:
		/* The real scounteren is rewritten on every guest entry. */
		return LEGALISE(scounteren, old, val, 0);
	case CSR_SENVCFG:
		return LEGALISE(0x10a, old, val, 0);
	case CSR_SSCRATCH:
		/* sscratch reads 0 in Trapeze's context (entry.S). */
		return LEGALISE(sscratch, old, val, 0);
	case CSR_SEPC:
		/* sepc, scause and stval are free while Trapeze handles a
		 * trap: the return path writes sepc afresh. */
		return LEGALISE(sepc, old, val, 0);
	case CSR_SCAUSE:
		return LEGALISE(scause, old, val, 0);
	case CSR_STVAL:
		return LEGALISE(stval, old, val, 0);
	default:
		return old;
	}
}
