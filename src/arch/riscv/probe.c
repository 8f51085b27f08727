#include "arch/riscv/probe.h"

#include "arch/riscv/boot.h"
#include "arch/riscv/csr.h"
#include "arch/riscv/hart.h"
#include "arch/riscv/layout.h"

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

static bool probe_satp_mode(uint64_t mode, uint64_t *root)
{
	uint64_t want = (mode << SATP_MODE_SHIFT) | (virt_to_phys(root) >> 12);
	uint64_t saved = csr_read(satp);

	/* The boot tables resolve Trapeze's addresses identically in every
	 * mode (boot.c), so switching modes here is harmless. */
	csr_write(satp, want);
	uint64_t got = csr_read(satp);
	csr_write(satp, saved);
	sfence_vma_all();
	return got == want;
}

void probe_host_csrs(void)
{
	uint64_t v = 0, old;

	host_csr.has_senvcfg = PROBE_CSR("csrr %0, 0x10a" : "=r"(v));
	host_csr.has_stimecmp = PROBE_CSR("csrr %0, 0x14d" : "=r"(v));

	/* sstatus: everything but SIE (an interrupt could fire). */
	old = csr_read(sstatus);
	csr_write(sstatus, ~SSTATUS_SIE);
	host_csr.sstatus_wmask = (csr_read(sstatus) & ~(SSTATUS_SD | SSTATUS_XS | SSTATUS_UXL)) | SSTATUS_SIE;
	csr_write(sstatus, 0);
	host_csr.sstatus_wmask &= ~(csr_read(sstatus) & ~SSTATUS_SIE);
	csr_write(sstatus, old);

	old = csr_read(sie);
	csr_write(sie, ~0ULL);
	host_csr.sie_wmask = csr_read(sie);
	csr_write(sie, old);

	old = csr_read(sip);
	csr_set(sip, ~0ULL);
	host_csr.sip_wmask = csr_read(sip) & ~old;
	csr_clear(sip, host_csr.sip_wmask);

	host_csr.satp_modes = 1ULL << SATP_MODE_BARE;
	if (probe_satp_mode(SATP_MODE_SV39, boot_l39))
		host_csr.satp_modes |= 1ULL << SATP_MODE_SV39;
	if (probe_satp_mode(SATP_MODE_SV48, boot_l48))
		host_csr.satp_modes |= 1ULL << SATP_MODE_SV48;
	if (probe_satp_mode(SATP_MODE_SV57, boot_l57))
		host_csr.satp_modes |= 1ULL << SATP_MODE_SV57;

	old = csr_read(satp);
	csr_write(satp, old | (SATP_ASID_MASK << SATP_ASID_SHIFT));
	host_csr.satp_asid_mask = (csr_read(satp) >> SATP_ASID_SHIFT) & SATP_ASID_MASK;
	csr_write(satp, old);
	sfence_vma_all();
}
