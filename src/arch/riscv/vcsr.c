#include "arch/riscv/vcsr.h"

#include <stddef.h>
#include "arch/riscv/csr.h"
#include "arch/riscv/engine_trap.h"
#include "arch/riscv/vcpu_arch.h"
#include "arch/riscv/probe.h"
#include "core/platform.h"
#include "core/vcpu.h"

static bool always(void) { return true; }
static bool has_senvcfg(void) { return host_csr.has_senvcfg; }
static bool has_stimecmp(void) { return host_csr.has_stimecmp; }

/* sstatus (4.1.1). SD summarises FS/VS/XS; FS tracks the real FS (the
 * hardware marks it Dirty when the guest writes an FP register). */
uint64_t vcsr_sstatus_read(struct vcpu *v)
{
	uint64_t s = v->arch->trap.csr.sstatus;

	if ((s & SSTATUS_FS) == SSTATUS_FS_DIRTY || (s & SSTATUS_VS) == SSTATUS_VS ||
	    (s & SSTATUS_XS) == SSTATUS_XS)
		s |= SSTATUS_SD;
	return s;
}

static void sstatus_write(struct vcpu *v, uint64_t val)
{
	uint64_t old = v->arch->trap.csr.sstatus;

	/* Only SIE moving (SD is read-only): every other bit stays as it was
	 * legalised, so no real-CSR round trip. Linux's irq save and restore,
	 * the commonest write of all. */
	if (!(((val & ~SSTATUS_SD) ^ old) & ~SSTATUS_SIE)) {
		v->arch->trap.csr.sstatus = val & ~SSTATUS_SD;
		return;
	}
	uint64_t s = hw_csr_legalise(CSR_SSTATUS, old, val) & ~SSTATUS_SD;

	/* SUM and MXR need nothing more: the next entry runs the vCPU on the
	 * shadow view they name (engine_trap_select_root, shadow.h). */
	v->arch->trap.csr.sstatus = (s & ~SSTATUS_SIE) | (val & SSTATUS_SIE);
}

static uint64_t sie_read(struct vcpu *v) { return v->arch->trap.csr.sie; }
static void sie_write(struct vcpu *v, uint64_t val)
{
	v->arch->trap.csr.sie = val & host_csr.sie_wmask;
}

/* The S-level interrupt bits of sip/sie and the vCPU's virtual interrupts. */
static const struct { uint64_t mip, virq; } virq_bits[] = {
	{ MIP_SSIP, VIRQ_SOFT }, { MIP_STIP, VIRQ_TIMER }, { MIP_SEIP, VIRQ_EXT },
};

uint64_t vcsr_virq_enabled(const struct vcpu *v)
{
	uint64_t on = 0;

	for (unsigned i = 0; i < sizeof(virq_bits) / sizeof(virq_bits[0]); i++)
		if (v->arch->trap.csr.sie & virq_bits[i].mip)
			on |= virq_bits[i].virq;
	return on;
}

/* sip (4.1.3): SSIP, STIP and SEIP are the vCPU's virtual interrupts
 * (STIP the virtual timer's comparison, level-sensitive as with Sstc and
 * as OpenSBI's set_timer emulation behaves); only the bits the host lets
 * S-mode write are writable. */
uint64_t vcsr_sip_read(struct vcpu *v)
{
	uint64_t pending = vcpu_virq_pending(v);
	uint64_t ip = v->arch->trap.csr.sip & ~(MIP_SSIP | MIP_STIP | MIP_SEIP);

	if (pending & VIRQ_SOFT)
		ip |= MIP_SSIP;
	if (pending & VIRQ_TIMER)
		ip |= MIP_STIP;
	if (pending & VIRQ_EXT)
		ip |= MIP_SEIP;
	return ip;
}

static uint64_t sip_read(struct vcpu *v) { return vcsr_sip_read(v); }
static void sip_write(struct vcpu *v, uint64_t val)
{
	uint64_t m = host_csr.sip_wmask;

	if (m & MIP_SSIP) {
		if (val & MIP_SSIP)
			vcpu_raise_irq(v, VIRQ_SOFT);
		else
			vcpu_lower_irq(v, VIRQ_SOFT);
	}
	m &= ~(MIP_SSIP | MIP_STIP | MIP_SEIP);
	v->arch->trap.csr.sip = (v->arch->trap.csr.sip & ~m) | (val & m);
}

static uint64_t stvec_read(struct vcpu *v) { return v->arch->trap.csr.stvec; }
static void stvec_write(struct vcpu *v, uint64_t val)
{
	v->arch->trap.csr.stvec = hw_csr_legalise(CSR_STVEC, v->arch->trap.csr.stvec, val);
}

static uint64_t scounteren_read(struct vcpu *v) { return v->arch->trap.csr.scounteren; }
static void scounteren_write(struct vcpu *v, uint64_t val)
{
	v->arch->trap.csr.scounteren = hw_csr_legalise(CSR_SCOUNTEREN, v->arch->trap.csr.scounteren, val);
}

static uint64_t senvcfg_read(struct vcpu *v) { return v->arch->trap.csr.senvcfg; }
static void senvcfg_write(struct vcpu *v, uint64_t val)
{
	v->arch->trap.csr.senvcfg = hw_csr_legalise(CSR_SENVCFG, v->arch->trap.csr.senvcfg, val);
}

static uint64_t sscratch_read(struct vcpu *v) { return v->arch->trap.csr.sscratch; }
static void sscratch_write(struct vcpu *v, uint64_t val)
{
	v->arch->trap.csr.sscratch = hw_csr_legalise(CSR_SSCRATCH, v->arch->trap.csr.sscratch, val);
}

static uint64_t sepc_read(struct vcpu *v) { return v->arch->trap.csr.sepc; }
static void sepc_write(struct vcpu *v, uint64_t val)
{
	v->arch->trap.csr.sepc = hw_csr_legalise(CSR_SEPC, v->arch->trap.csr.sepc, val);
}

static uint64_t scause_read(struct vcpu *v) { return v->arch->trap.csr.scause; }
static void scause_write(struct vcpu *v, uint64_t val)
{
	v->arch->trap.csr.scause = hw_csr_legalise(CSR_SCAUSE, v->arch->trap.csr.scause, val);
}

static uint64_t stval_read(struct vcpu *v) { return v->arch->trap.csr.stval; }
static void stval_write(struct vcpu *v, uint64_t val)
{
	v->arch->trap.csr.stval = hw_csr_legalise(CSR_STVAL, v->arch->trap.csr.stval, val);
}

/* satp (4.1.11): "If satp is written with an unsupported MODE, the entire
 * write has no effect"; ASID bits beyond the host's ASIDLEN read as 0. */
static uint64_t satp_read(struct vcpu *v) { return v->arch->trap.csr.satp; }
static void satp_write(struct vcpu *v, uint64_t val)
{
	uint64_t mode = val >> SATP_MODE_SHIFT;

	if (!(host_csr.satp_modes & (1ULL << mode)))
		return;
	if (mode == SATP_MODE_BARE) {
		/* Bare: the ASID and PPN fields are still stored (QEMU keeps them). */
		v->arch->trap.csr.satp = val & ((SATP_ASID_MASK << SATP_ASID_SHIFT) | SATP_PPN_MASK);
		v->arch->trap.csr.satp &= ~((~host_csr.satp_asid_mask & SATP_ASID_MASK) << SATP_ASID_SHIFT);
		return;
	}
	v->arch->trap.csr.satp = (mode << SATP_MODE_SHIFT) |
			   (((val >> SATP_ASID_SHIFT) & host_csr.satp_asid_mask) << SATP_ASID_SHIFT) |
			   (val & SATP_PPN_MASK);
}

/* stimecmp (Sstc) is the virtual timer's deadline once the guest has
 * programmed it (here or by SBI set_timer); its reset value before. */
static uint64_t stimecmp_read(struct vcpu *v)
{
	return v->timer_programmed ? v->timer_deadline : v->arch->trap.csr.stimecmp;
}
static void stimecmp_write(struct vcpu *v, uint64_t val)
{
	vcpu_timer_set(v, val);
}

/*
 * htimedelta (0x605) on the platform Trapeze mirrors: on a CPU without H,
 * S-mode reads and writes of it trap to OpenSBI 1.1, which emulates it as
 * a plain 64-bit register (the delta of its emulated time reads), so bare
 * S-mode code sees a working CSR. The virtual CPU has no H either; the
 * guest gets the same register here.
 */
static uint64_t htimedelta_read(struct vcpu *v) { return v->arch->trap.csr.htimedelta; }
static void htimedelta_write(struct vcpu *v, uint64_t val) { v->arch->trap.csr.htimedelta = val; }

/* The table's slots (vcsr_slot; trap statistics count by slot). */
enum {
	SLOT_SSTATUS,
	SLOT_SIE,
	SLOT_STVEC,
	SLOT_SCOUNTEREN,
	SLOT_SENVCFG,
	SLOT_SSCRATCH,
	SLOT_SEPC,
	SLOT_SCAUSE,
	SLOT_STVAL,
	SLOT_SIP,
	SLOT_STIMECMP,
	SLOT_SATP,
	SLOT_HTIMEDELTA,
	VCSR_COUNT,
};

static const struct vcsr_desc vcsr_table[VCSR_COUNT] = {
	[SLOT_SSTATUS]     = { CSR_SSTATUS,    "sstatus",    always,       vcsr_sstatus_read, sstatus_write },
	[SLOT_SIE]         = { CSR_SIE,        "sie",        always,       sie_read,        sie_write },
	[SLOT_STVEC]       = { CSR_STVEC,      "stvec",      always,       stvec_read,      stvec_write },
	[SLOT_SCOUNTEREN]  = { CSR_SCOUNTEREN, "scounteren", always,       scounteren_read, scounteren_write },
	[SLOT_SENVCFG]     = { CSR_SENVCFG,    "senvcfg",    has_senvcfg,  senvcfg_read,    senvcfg_write },
	[SLOT_SSCRATCH]    = { CSR_SSCRATCH,   "sscratch",   always,       sscratch_read,   sscratch_write },
	[SLOT_SEPC]        = { CSR_SEPC,       "sepc",       always,       sepc_read,       sepc_write },
	[SLOT_SCAUSE]      = { CSR_SCAUSE,     "scause",     always,       scause_read,     scause_write },
	[SLOT_STVAL]       = { CSR_STVAL,      "stval",      always,       stval_read,      stval_write },
	[SLOT_SIP]         = { CSR_SIP,        "sip",        always,       sip_read,        sip_write },
	[SLOT_STIMECMP]    = { CSR_STIMECMP,   "stimecmp",   has_stimecmp, stimecmp_read,   stimecmp_write },
	[SLOT_SATP]        = { CSR_SATP,       "satp",       always,       satp_read,       satp_write },
	[SLOT_HTIMEDELTA]  = { CSR_HTIMEDELTA, "htimedelta", always,       htimedelta_read, htimedelta_write },
};

/* The table's index of CSR num, or VCSR_COUNT: a switch, not a search,
 * since every emulated CSR access of the guest kernel starts here. */
static unsigned vcsr_index(unsigned num)
{
	switch (num) {
	case CSR_SSTATUS:    return SLOT_SSTATUS;
	case CSR_SIE:        return SLOT_SIE;
	case CSR_STVEC:      return SLOT_STVEC;
	case CSR_SCOUNTEREN: return SLOT_SCOUNTEREN;
	case CSR_SENVCFG:    return SLOT_SENVCFG;
	case CSR_SSCRATCH:   return SLOT_SSCRATCH;
	case CSR_SEPC:       return SLOT_SEPC;
	case CSR_SCAUSE:     return SLOT_SCAUSE;
	case CSR_STVAL:      return SLOT_STVAL;
	case CSR_SIP:        return SLOT_SIP;
	case CSR_STIMECMP:   return SLOT_STIMECMP;
	case CSR_SATP:       return SLOT_SATP;
	case CSR_HTIMEDELTA: return SLOT_HTIMEDELTA;
	default:             return VCSR_COUNT;
	}
}

const struct vcsr_desc *vcsr_find(unsigned num)
{
	unsigned i = vcsr_index(num);

	return i < VCSR_COUNT && vcsr_table[i].present() ? &vcsr_table[i] : NULL;
}

unsigned vcsr_slot(const struct vcsr_desc *d)
{
	return (unsigned)(d - vcsr_table);
}

const struct vcsr_desc *vcsr_at(unsigned slot)
{
	return slot < VCSR_COUNT ? &vcsr_table[slot] : NULL;
}
