#include "arch/riscv/engine_hw.h"

#include "arch/riscv/csr.h"
#include "arch/riscv/decode.h"
#include "arch/riscv/emulate_mem.h"
#include "arch/riscv/engine_hw_interp.h"
#include "arch/riscv/firmware_pmp.h"
#include "arch/riscv/fp.h"
#include "arch/riscv/guest_pt.h"
#include "arch/riscv/hart.h"
#include "arch/riscv/mmu.h"
#include "arch/riscv/pmu.h"
#include "arch/riscv/probe.h"
#include "arch/riscv/vcpu_arch.h"
#include "core/console.h"
#include "core/guestmem.h"
#include "core/lib/format.h"
#include "core/lib/string.h"
#include "core/platform.h"
#include "core/sbi/sbi.h"
#include "core/sched.h"
#include "core/stats.h"
#include "core/vm.h"
#include "dev/mmio.h"

/*
 * hedeleg: the guest's own exceptions go straight to it, as they go to a
 * bare S-mode kernel (Privileged ISA v1.12, 8.2.2). The ones OpenSBI 1.1
 * takes in M-mode (illegal instructions, access faults, misaligned
 * accesses) it redirects to VS when their hedeleg bit is set, as it
 * redirects them to S on bare hardware.
 */
#define HW_HEDELEG ((1ULL << EXC_INST_MISALIGNED) | (1ULL << EXC_INST_ACCESS) |         \
		    (1ULL << EXC_ILLEGAL_INST) | (1ULL << EXC_BREAKPOINT) |              \
		    (1ULL << EXC_LOAD_MISALIGNED) | (1ULL << EXC_LOAD_ACCESS) |          \
		    (1ULL << EXC_STORE_MISALIGNED) | (1ULL << EXC_STORE_ACCESS) |        \
		    (1ULL << EXC_ECALL_U) | (1ULL << EXC_INST_PAGE_FAULT) |              \
		    (1ULL << EXC_LOAD_PAGE_FAULT) | (1ULL << EXC_STORE_PAGE_FAULT))
/* hideleg: the VS-level interrupts are the guest's (8.2.2). */
#define HW_HIDELEG (HVIP_VSSIP | HVIP_VSTIP | HVIP_VSEIP)
/* OpenSBI 1.1's medeleg with H: what reaches a bare S-mode kernel the
 * hardware way; the rest it redirects with pc = the raw stvec. */
#define OPENSBI_MEDELEG_H 0xf0b509ULL
/* henvcfg.PBMTE (bit 62): Svpbmt for the guest's own tables, where the
 * host has it. */
#define HENVCFG_PBMTE (1ULL << 62)

static uint64_t henvcfg_pbmte;  /* PBMTE if this CPU keeps it, else 0 */

/* ---- guest memory as the hardware sees it ------------------------------ */

/* HLVX.HU and HLV.D (8.3.1) through the guest's two-stage translation at
 * the privilege in hstatus.SPVP. A fault on them is Trapeze's own trap:
 * caught by the probe fixup (hart.c hyp_trap), which skips the
 * instruction. */
static bool guest_hlvx_hu(uint64_t va, uint64_t *val)
{
	probe_begin();
	*val = hlvx_hu(va);
	return probe_end();
}

/* The instruction at the guest's pc: its first halfword, and the second
 * only when the first says it is 32 bits, so an instruction at the end of
 * a page never faults on the next one. */
static bool hw_fetch(struct vcpu *v, uint64_t pc, uint32_t *raw)
{
	uint64_t lo, hi;

	/* At XLEN 32 QEMU keeps the pc sign-extended (sepc shows it so); the
	 * fetch is from its low 32 bits. */
	if (!v->arch->hw.guest_s && (csr_read(CSR_VSSTATUS) & SSTATUS_UXL) == SSTATUS_UXL_32)
		pc &= 0xffffffffULL;
	if (!guest_hlvx_hu(pc, &lo))
		return false;
	if (insn_length((uint32_t)lo) == 2) {
		*raw = (uint32_t)lo;
		return true;
	}
	if (!guest_hlvx_hu((pc + 2) & (pc >> 32 ? ~0ULL : 0xffffffffULL), &hi))
		return false;
	*raw = (uint32_t)lo | ((uint32_t)hi << 16);
	return true;
}

/* ---- world switch ------------------------------------------------------- */

static struct hw_vcpu *hw(struct vcpu *v)
{
	return &v->arch->hw;
}

static bool hw_live_here(const struct vcpu *v)
{
	const struct hw_vcpu *g = &v->arch->hw;

	return g->loaded && g->loaded_hart == this_hart()->index;
}

static void hw_save(struct vcpu *v, struct hart *h);

/* Put v's VS-level state on this hart (8.2, "VS CSRs"). */
static void hw_load(struct vcpu *v, struct hart *h)
{
	struct hw_vcpu *g = hw(v);

	if (h->hw_current && h->hw_current != v)
		hw_save(h->hw_current, h);      /* never lose another vCPU's state */
	csr_write(CSR_VSSTATUS, g->vsstatus);
	csr_write(CSR_VSIE, g->vsie);
	csr_write(CSR_VSTVEC, g->vstvec);
	csr_write(CSR_VSSCRATCH, g->vsscratch);
	csr_write(CSR_VSEPC, g->vsepc);
	csr_write(CSR_VSCAUSE, g->vscause);
	csr_write(CSR_VSTVAL, g->vstval);
	csr_write(CSR_VSATP, g->vsatp);
	csr_write(scounteren, g->scounteren);
	if (host_csr.has_senvcfg)
		csr_write(CSR_SENVCFG, g->senvcfg);
	csr_write(CSR_HENVCFG, g->henvcfg);
	/* QEMU's timer belongs to the hart: the guest's comparison is
	 * rewritten on every switch (after henvcfg: QEMU 7.2 arms the VS
	 * timer only while STCE is set). */
	if (g->henvcfg & HENVCFG_STCE)
		csr_write(CSR_VSTIMECMP, g->vstimecmp);
	g->loaded = true;
	g->loaded_hart = h->index;
	h->hw_current = v;
	hw_vm_of(v->vm)->stats.world_loads++;
}

static void hw_save(struct vcpu *v, struct hart *h)
{
	struct hw_vcpu *g = hw(v);

	g->vsstatus = csr_read(CSR_VSSTATUS);
	g->vsie = csr_read(CSR_VSIE);
	g->vstvec = csr_read(CSR_VSTVEC);
	g->vsscratch = csr_read(CSR_VSSCRATCH);
	g->vsepc = csr_read(CSR_VSEPC);
	g->vscause = csr_read(CSR_VSCAUSE);
	g->vstval = csr_read(CSR_VSTVAL);
	g->vsatp = csr_read(CSR_VSATP);
	g->scounteren = csr_read(scounteren);
	if (host_csr.has_senvcfg)
		g->senvcfg = csr_read(CSR_SENVCFG);
	if (g->henvcfg & HENVCFG_STCE)
		g->vstimecmp = csr_read(CSR_VSTIMECMP);
	g->loaded = false;
	if (h->hw_current == v)
		h->hw_current = NULL;
}

/* After a trap from the guest: its privilege at the trap, and what it
 * changed itself (its timer, its own sip.SSIP, its FP state). */
static void hw_sync_from_hw(struct vcpu *v)
{
	struct hw_vcpu *g = hw(v);

	g->guest_s = (csr_read(sstatus) & SSTATUS_SPP) != 0;
	if (platform.has_sstc && (g->henvcfg & HENVCFG_STCE)) {
		g->vstimecmp = csr_read(CSR_VSTIMECMP);
		vcpu_timer_set(v, g->vstimecmp);
	}
	/* A VS write of sip.SSIP lands in hvip.VSSIP (8.2.4). */
	bool ssip = (csr_read(CSR_HVIP) & HVIP_VSSIP) != 0;
	if (ssip != g->ssip_injected) {
		if (ssip)
			vcpu_raise_irq(v, VIRQ_SOFT);
		else
			vcpu_soft_acked(v, g->ssip_seen);
		g->ssip_injected = ssip;
	}
}

static void hw_enter(struct vcpu *v)
{
	struct hart *h = this_hart();
	struct hw_vcpu *g = hw(v);

	/* Trapeze's own tables under HS: a trap VM's shadow that this hart
	 * ran before may go away. */
	mmu_use_trapeze_root();
	/* The guest's FP registers are the hart's whenever it runs: its own
	 * FS is vsstatus.FS, which it flips without an exit. A CPU without F
	 * (sstatus.FS not writable) has none to switch. */
	bool fp = (host_csr.sstatus_wmask & SSTATUS_FS) != 0;
	if (fp && h->fp_owner != v) {
		if (h->fp_owner)
			fp_save(h->fp_owner);
		fp_load(v);
		h->fp_owner = v;
	}
	/* hgatp first: the HFENCE.VVMA of a load applies to the VMID that
	 * hgatp holds (8.3.2). */
	engine_hw_load_gstage(v);
	if (!hw_live_here(v) || h->hw_current != v)
		hw_load(v, h);
	if (platform.has_sstc && v->timer_programmed && !(g->henvcfg & HENVCFG_STCE)) {
		/* The guest programmed its timer through SBI set_timer: from now
		 * on the hardware's comparison is its timer (QEMU 7.2 will not
		 * let hvip.VSTIP drive it while the firmware has Sstc on). */
		g->henvcfg |= HENVCFG_STCE;
		csr_clear(CSR_HVIP, HVIP_VSTIP);
		csr_set(CSR_HENVCFG, HENVCFG_STCE);
		g->vstimecmp = ~v->timer_deadline;      /* written just below */
	}
	if ((g->henvcfg & HENVCFG_STCE) && g->vstimecmp != v->timer_deadline) {
		/* SBI set_timer: the guest's comparison is the hardware's. */
		g->vstimecmp = v->timer_deadline;
		csr_write(CSR_VSTIMECMP, g->vstimecmp);
	}
	/* sret to V = 1 at the guest's privilege (8.6.4); WFI exits (VTW), so
	 * a waiting guest gives its hart up. HS FS stays on: QEMU needs both
	 * it and vsstatus.FS for the guest's FP. */
	uint64_t hs = csr_read(CSR_HSTATUS);
	hs = (hs & ~(HSTATUS_SPVP | HSTATUS_VTSR | HSTATUS_VTVM | HSTATUS_HU | HSTATUS_GVA | HSTATUS_VTW)) |
	     HSTATUS_SPV | (g->guest_s ? HSTATUS_SPVP : 0);
	/* WFI exits only while another vCPU waits for this hart; alone, the
	 * guest waits on the hart itself (an interrupt, or the IPI of a vCPU
	 * queued here, ends the wait and traps here). */
	if (sched_hart_contended())
		hs |= HSTATUS_VTW;
	csr_write(CSR_HSTATUS, hs);
	uint64_t s = csr_read(sstatus);
	s &= ~(SSTATUS_SPP | SSTATUS_SPIE | SSTATUS_SUM | SSTATUS_MXR);
	s |= (fp ? SSTATUS_FS_DIRTY : 0) | (g->guest_s ? SSTATUS_SPP : 0);
	csr_write(sstatus, s);
	sbi_pmu_vcpu_enter(v);
	v->vm->stats.world_switches++;
}

static void hw_leave(struct vcpu *v)
{
	struct hart *h = this_hart();

	sbi_pmu_vcpu_leave(v);
	if (h->fp_owner == v) {
		fp_save(v);
		h->fp_owner = NULL;
	}
	if (hw_live_here(v))
		hw_save(v, h);
	/* A trap-engine guest entered next must not land in V = 1. */
	csr_clear(CSR_HSTATUS, HSTATUS_SPV);
}

/* Pending virtual interrupts become the guest's VS-level ones; the
 * hardware takes them by its own priorities and enables. Once the guest
 * has programmed stimecmp (henvcfg.STCE) the timer is its vstimecmp, never
 * hvip.VSTIP: QEMU 7.2 keeps both in one bit (and makes VSTIP read-only
 * while the firmware has Sstc on). Without Sstc, Trapeze drives VSTIP from
 * the SBI timer. */
static void hw_deliver_irq(struct vcpu *v)
{
	struct hw_vcpu *g = hw(v);
	uint64_t seen = __atomic_load_n(&v->soft_raises, __ATOMIC_SEQ_CST);
	uint64_t p = vcpu_virq_pending(v), set = 0, clear = 0;

	*(p & VIRQ_SOFT ? &set : &clear) |= HVIP_VSSIP;
	*(p & VIRQ_EXT ? &set : &clear) |= HVIP_VSEIP;
	if (!platform.has_sstc)
		*(p & VIRQ_TIMER ? &set : &clear) |= HVIP_VSTIP;
	csr_set(CSR_HVIP, set);
	csr_clear(CSR_HVIP, clear);
	g->ssip_injected = (p & VIRQ_SOFT) != 0;
	g->ssip_seen = seen;
}

static uint64_t hw_virq_enabled(const struct vcpu *v)
{
	uint64_t ie = hw_live_here(v) ? csr_read(CSR_VSIE) : v->arch->hw.vsie;

	return ((ie & MIP_SSIP) ? VIRQ_SOFT : 0) | ((ie & MIP_STIP) ? VIRQ_TIMER : 0) |
	       ((ie & MIP_SEIP) ? VIRQ_EXT : 0);
}

/* A trap the guest takes (its own fault, or an illegal instruction for
 * what it may not do), delivered as the hardware or the firmware would
 * deliver it to a bare S-mode kernel. The vCPU is live on this hart. */
static void hw_inject(struct vcpu *v, const struct trap_info *t)
{
	struct hw_vcpu *g = hw(v);
	bool irq = t->inject_cause & CAUSE_INTERRUPT;
	uint64_t code = t->inject_cause & ~CAUSE_INTERRUPT;

	v->arch->lr.valid = false;         /* a privilege change drops it (emulate_mem.c) */
	if (!irq && code < STATS_EXC_MAX)
		v->vm->stats.inject_exc[code]++;
	csr_write(CSR_VSEPC, v->arch->regs.pc);
	csr_write(CSR_VSCAUSE, t->inject_cause);
	csr_write(CSR_VSTVAL, t->inject_tval);
	uint64_t s = csr_read(CSR_VSSTATUS) & ~(SSTATUS_SPP | SSTATUS_SPIE);
	if (g->guest_s)
		s |= SSTATUS_SPP;
	if (s & SSTATUS_SIE)
		s |= SSTATUS_SPIE;
	csr_write(CSR_VSSTATUS, s & ~SSTATUS_SIE);
	g->guest_s = true;
	uint64_t tvec = csr_read(CSR_VSTVEC);
	v->arch->regs.pc = tvec & ~STVEC_MODE_MASK;
	if (irq && (tvec & STVEC_MODE_MASK) == STVEC_MODE_VECTORED)
		v->arch->regs.pc += 4 * code;
	else if (!irq && (t->inject_redirected || (code < 64 && !(OPENSBI_MEDELEG_H & (1ULL << code)))))
		v->arch->regs.pc = tvec;
}

/* ---- accesses Trapeze completes for the guest --------------------------- */

static void hw_fp_dirty(struct vcpu *v)
{
	(void)v;
	csr_set(CSR_VSSTATUS, SSTATUS_FS_DIRTY);
}

/* The guest's translation as it stands (the vCPU is live on this hart):
 * VS-stage from vsatp at its privilege, SUM and MXR from vsstatus, its
 * tables read through the G-stage's source, the real map table. */
static void hw_guest_view(struct vcpu *v, struct guest_view *gv)
{
	uint64_t vs = csr_read(CSR_VSSTATUS);
	bool s = hw(v)->guest_s;

	*gv = (struct guest_view){
		.v = v, .satp = csr_read(CSR_VSATP), .priv_s = s,
		.sum = vs & SSTATUS_SUM, .mxr = vs & SSTATUS_MXR,
		.xlen32 = !s && (vs & SSTATUS_UXL) == SSTATUS_UXL_32,
		.pt = guest_pt_mem(v->vm), .fp_dirty = hw_fp_dirty,
	};
}

/* The guest's instruction by the rules of the XLEN it runs at: VU under
 * vsstatus.UXL = 32 decodes RV32 forms (C.FLW for C.LD, no LD/SD). */
static int hw_decode(struct vcpu *v, uint32_t raw, struct insn *in)
{
	bool rv32 = !hw(v)->guest_s && (csr_read(CSR_VSSTATUS) & SSTATUS_UXL) == SSTATUS_UXL_32;

	return rv32 ? decode_insn_rv32(raw, in) : decode_insn(raw, in);
}

/* ---- trap handlers -------------------------------------------------------- */

static uint64_t access_fault_of(uint64_t guest_page_fault)
{
	switch (guest_page_fault) {
	case EXC_INST_GUEST_PAGE_FAULT: return EXC_INST_ACCESS;
	case EXC_LOAD_GUEST_PAGE_FAULT: return EXC_LOAD_ACCESS;
	default: return EXC_STORE_ACCESS;
	}
}

static uint64_t sign_extend(uint64_t val, unsigned width)
{
	unsigned shift = 64 - 8 * width;

	return width == 8 ? val : (uint64_t)((int64_t)(val << shift) >> shift);
}

/*
 * The instruction of a device access: htinst when the hardware gives a
 * transformed one (8.6.3: bit 0 set; bit 1 clear when the original was
 * compressed), else read from the guest's pc (QEMU 7.2 reports htinst = 0
 * for ordinary loads and stores).
 */
static bool hw_access_insn(struct vcpu *v, uint64_t htinst, uint64_t pc, struct insn *in)
{
	uint32_t raw;

	if (htinst & 1) {
		if (hw_decode(v, (uint32_t)htinst | 2, in) != 0)
			return false;
		in->len = (htinst & 2) ? 4 : 2;
		return true;
	}
	return hw_fetch(v, pc, &raw) && hw_decode(v, raw, in) == 0;
}

/* ---- interpretation after a device exit (engine_hw_interp.h) ------------ */

/* A run's length: bounded so that Trapeze's own events (checked in sip
 * every INTERP_IRQ_CHECK instructions) and the scheduler wait little. */
#define INTERP_MAX_INSNS  4096
#define INTERP_IRQ_CHECK  16
#define INTERP_PAGES      12
#define INTERP_PAGE       4096ULL

/*
 * A page the run touched, translated by the guest's own tables with
 * Trapeze's walker (gpt.h: the permission checks, A/D updates and faults
 * bare QEMU 7.2 makes; QEMU's own HLV/HSV do not apply vsstatus the same
 * way, measured by the fidelity suite), once per kind of access: a hart
 * may keep a translation until the guest's next SFENCE.VMA (Privileged
 * ISA v1.12, 4.2.1), which ends a run. RAM pages are pinned until the
 * run ends; host is NULL for a device's page.
 */
struct interp_page {
	uint64_t va, gpa;
	uint8_t *host;
	bool r, w, x;
};

struct interp_run {
	struct vcpu *v;
	struct guest_view gv;
	struct interp_page page[INTERP_PAGES];
	unsigned npages;
	struct interp_page *last_code;  /* the page of the last fetch */
	enum resume end;        /* SAME, or HALT / INJECT from a device access */
	uint64_t inject_cause, inject_tval;
};

static bool *interp_perm(struct interp_page *p, enum gpt_access access)
{
	return access == GPT_FETCH ? &p->x : access == GPT_LOAD ? &p->r : &p->w;
}

/* The page of va for access, translated (and its A, or D, set) the first
 * time: NULL when the run must end there (a fault, RAM not mapped yet,
 * nothing at the address, no room left). */
static __attribute__((noinline)) struct interp_page *interp_translate(struct interp_run *r, uint64_t va,
								      enum gpt_access access)
{
	struct vm *vm = r->v->vm;
	struct interp_page *p = NULL;
	struct gpt_walk_req req = {
		.satp = r->gv.satp, .va = va, .access = access, .priv_s = true,
		.sum = r->gv.sum, .mxr = r->gv.mxr, .update_ad = true,
	};
	struct gpt_walk_res res;

	for (unsigned i = 0; i < r->npages; i++)
		if (r->page[i].va == va)
			p = &r->page[i];
	if (p == NULL && r->npages == INTERP_PAGES)
		return NULL;
	if (gpt_walk(&r->gv.pt, &req, &res) != GPT_WALK_OK)
		return NULL;
	uint64_t gpa = res.gpa & ~(INTERP_PAGE - 1);
	if (p) {
		if (p->gpa != gpa)
			return NULL;
		*interp_perm(p, access) = true;
		return p;
	}
	struct realmap_entry e;
	uint8_t *host = NULL;
	switch (realmap_lookup(&vm->realmap, gpa, &e)) {
	case REALMAP_RAM: {
		/* Only RAM the G-stage maps already (a first touch is the native
		 * path's: it zeroes and maps the chunk), and that the firmware's
		 * PMP lets S-mode reach, as the hardware's access would. */
		struct gstage_leaf leaf;
		if (!gstage_lookup(&hw_vm_of(vm)->gs, gpa, &leaf) ||
		    (leaf.perms & (PTE_R | PTE_W | PTE_X)) != (PTE_R | PTE_W | PTE_X) ||
		    !firmware_pmp_allows(gpa, INTERP_PAGE))
			return NULL;
		host = guestmem_pin(vm, gpa, INTERP_PAGE);
		if (host == NULL)
			return NULL;
		break;
	}
	case REALMAP_MMIO:
		if (access == GPT_FETCH)
			return NULL;
		break;
	default:
		return NULL;
	}
	p = &r->page[r->npages++];
	*p = (struct interp_page){ .va = va, .gpa = gpa, .host = host };
	*interp_perm(p, access) = true;
	return p;
}

/* The halfword at pc: from the page of the last fetch, else translated. */
static inline __attribute__((always_inline)) bool interp_half(struct interp_run *r, uint64_t pc, uint16_t *h)
{
	uint64_t va = pc & ~(INTERP_PAGE - 1);
	struct interp_page *p = r->last_code;

	if (p == NULL || p->va != va) {
		p = interp_translate(r, va, GPT_FETCH);
		if (p == NULL || p->host == NULL)
			return false;
		r->last_code = p;
	}
	*h = *(const volatile uint16_t *)(p->host + (pc & (INTERP_PAGE - 1)));
	return true;
}

/* The instruction at pc: its second half only when the first says it is
 * 32 bits, maybe from the next page. */
static inline __attribute__((always_inline)) bool interp_fetch(struct interp_run *r, uint64_t pc, uint32_t *raw)
{
	uint16_t lo, hi;

	if (!interp_half(r, pc, &lo))
		return false;
	if ((lo & 3) != 3) {
		*raw = lo;
		return true;
	}
	if (!interp_half(r, pc + 2, &hi))
		return false;
	*raw = lo | (uint32_t)hi << 16;
	return true;
}

/* A device access of the run, exactly as hw_mmio does it on an exit. */
static __attribute__((noinline)) enum hw_interp_mem interp_mmio(struct interp_run *r, uint64_t gpa, uint64_t va,
								unsigned width, bool write, uint64_t *val)
{
	struct vm *vm = r->v->vm;
	struct realmap_entry e;

	if (realmap_lookup(&vm->realmap, gpa, &e) != REALMAP_MMIO)
		return HW_INTERP_MEM_STOP;      /* nothing answers: the native fault */
	struct mmio_access a = {
		.gpa = gpa, .offset = e.offset, .width = width, .write = write,
		.value = write ? *val : 0,
	};
	int rc = mmio_dispatch(vm, e.dev, e.mmio_slot, &a);
	if (rc < 0) {
		r->end = RESUME_INJECT;
		r->inject_cause = write ? EXC_STORE_ACCESS : EXC_LOAD_ACCESS;
		r->inject_tval = va;
		return HW_INTERP_MEM_STOP;
	}
	if (rc == MMIO_HALT) {
		r->end = RESUME_HALT;
		return HW_INTERP_MEM_STOP;
	}
	hw_vm_of(vm)->stats.interp_mmio++;
	if (!write)
		*val = a.value;
	return HW_INTERP_MEM_OK;
}

/* A load or store of the run: aligned (a misaligned one is split by bare
 * QEMU in ways the native path reproduces), on RAM as one access of its
 * width, on a device through its model. */
static inline __attribute__((always_inline)) enum hw_interp_mem
interp_access(struct interp_run *r, uint64_t va, unsigned width, bool write, uint64_t *val)
{
	uint64_t off = va & (INTERP_PAGE - 1);
	struct interp_page *p = NULL;

	if (va & (width - 1))
		return HW_INTERP_MEM_STOP;
	for (unsigned i = 0; i < r->npages; i++)
		if (r->page[i].va == va - off && (write ? r->page[i].w : r->page[i].r))
			p = &r->page[i];
	if (p == NULL && (p = interp_translate(r, va - off, write ? GPT_STORE : GPT_LOAD)) == NULL)
		return HW_INTERP_MEM_STOP;
	if (p->host == NULL)
		return interp_mmio(r, p->gpa | off, va, width, write, val);
	uint8_t *h = p->host + off;
	if (write) {
		if (width == 1)
			*(volatile uint8_t *)h = (uint8_t)*val;
		else if (width == 2)
			*(volatile uint16_t *)h = (uint16_t)*val;
		else if (width == 4)
			*(volatile uint32_t *)h = (uint32_t)*val;
		else
			*(volatile uint64_t *)h = *val;
	} else {
		if (width == 1)
			*val = *(volatile uint8_t *)h;
		else if (width == 2)
			*val = *(volatile uint16_t *)h;
		else if (width == 4)
			*val = *(volatile uint32_t *)h;
		else
			*val = *(volatile uint64_t *)h;
	}
	return HW_INTERP_MEM_OK;
}

static inline __attribute__((always_inline)) enum hw_interp_mem
interp_load(void *ctx, uint64_t va, unsigned width, uint64_t *val)
{
	return interp_access(ctx, va, width, false, val);
}

static inline __attribute__((always_inline)) enum hw_interp_mem
interp_store(void *ctx, uint64_t va, unsigned width, uint64_t val)
{
	return interp_access(ctx, va, width, true, &val);
}

static inline __attribute__((always_inline)) void interp_fence(void *ctx)
{
	(void)ctx;
#ifndef TRAPEZE_HOST
	__asm__ volatile("fence iorw, iorw" ::: "memory");
#endif
}

/*
 * The guest's kernel runs on from its pc in Trapeze (engine_hw_interp.h)
 * until an instruction that is not interpreted, a pending interrupt of
 * Trapeze's own (a slice's end, a host device, another hart's kick), or
 * INTERP_MAX_INSNS; then the guest resumes natively where the run ended.
 * Its interrupts are off the whole time (a run ends at any CSR access),
 * so none of its own can be due inside. One function, its callees
 * inlined and no jump tables (engine_hw_interp.h: indirect jumps are what
 * costs under TCG).
 */
/* After a run (out of line: the loop's page has no room for it). */
static __attribute__((noinline)) enum resume interp_end(struct interp_run *r, struct trap_info *t,
							 unsigned n, uint64_t start)
{
	struct hw_stats *st = &hw_vm_of(r->v->vm)->stats;

	st->interp_runs++;
	st->interp_insns += n;
	st->interp_ticks += platform_time() - start;
	for (unsigned i = 0; i < r->npages; i++)
		if (r->page[i].host)
			guestmem_unpin(r->v->vm);
	if (r->end == RESUME_INJECT)
		return trap_inject(t, r->inject_cause, r->inject_tval);
	return r->end;
}

#pragma GCC push_options
#pragma GCC optimize("no-jump-tables")
/* Page-aligned: QEMU chains translation blocks directly only within a
 * page; a branch to another page of the loop would be a lookup too. It
 * is under 4,096 bytes (nm -S; the build checks): what grew it past a page measured slower
 * (a last-page shortcut per access kind, a decode cache). */
static __attribute__((aligned(4096))) enum resume hw_interp_run(struct vcpu *v, struct trap_info *t)
{
	static const struct hw_interp_ops ops = { interp_load, interp_store, interp_fence };
	struct interp_run r = { .v = v, .end = RESUME_SAME };
	uint64_t *x = v->arch->regs.x, pc = v->arch->regs.pc, ie = csr_read(sie);
	uint64_t start = platform_time();
	unsigned n;

	hw_guest_view(v, &r.gv);
	for (n = 0; n < INTERP_MAX_INSNS; n++) {
		uint32_t raw;

		if (n % INTERP_IRQ_CHECK == 0 && (csr_read(sip) & ie))
			break;
		if (!interp_fetch(&r, pc, &raw) || !hw_interp_step_inline(&ops, &r, x, &pc, raw))
			break;
	}
	v->arch->regs.pc = pc;
	return interp_end(&r, t, n, start);
}
#pragma GCC pop_options

static enum resume hw_mmio(struct vcpu *v, struct trap_info *t, const struct realmap_entry *e,
			   uint64_t gpa, uint64_t htinst)
{
	struct insn in;
	bool store = t->cause == EXC_STORE_GUEST_PAGE_FAULT;

	if (!hw_access_insn(v, htinst, t->epc, &in))
		return trap_inject(t, access_fault_of(t->cause), t->tval);
	if (in.kind == INSN_AMO && emulate_mmio_amo_fault_ok(&in, store) && !(gpa & (in.width - 1))) {
		hw_vm_of(v->vm)->stats.mmio_exits++;
		return emulate_mmio_amo(v, t, &in, t->tval, e, gpa, access_fault_of(t->cause));
	}
	if (in.kind != (store ? INSN_STORE : INSN_LOAD))
		return trap_inject(t, access_fault_of(t->cause), t->tval);
	if (gpa & (in.width - 1)) {
		/* Misaligned: bare QEMU splits it into parts (misaligned.h), so
		 * the whole access is completed here the same way, from the
		 * instruction itself (a transformed one has lost its offset). */
		struct guest_view gv;
		uint32_t raw;
		if (!hw_fetch(v, t->epc, &raw) || hw_decode(v, raw, &in) != 0 ||
		    in.kind != (store ? INSN_STORE : INSN_LOAD))
			return trap_inject(t, access_fault_of(t->cause), t->tval);
		hw_guest_view(v, &gv);
		return emulate_data_access(&gv, t, &in);
	}
	hw_vm_of(v->vm)->stats.mmio_exits++;
	struct mmio_access a = {
		.gpa = gpa, .offset = e->offset, .width = in.width, .write = store,
		.value = store ? (in.fp ? fp_read_reg(in.rs2) : vcpu_get_gpr(v, in.rs2)) : 0,
	};
	int r = mmio_dispatch(v->vm, e->dev, e->mmio_slot, &a);
	if (r < 0)
		return trap_inject(t, access_fault_of(t->cause), t->tval);
	if (r == MMIO_HALT)
		return RESUME_HALT;
	if (!store) {
		uint64_t val = in.width == 8 ? a.value : a.value & ((1ULL << (8 * in.width)) - 1);
		if (in.fp) {
			/* A 32-bit FP load NaN-boxes its value (Unprivileged ISA, "D"). */
			fp_write_reg(in.rd, in.width == 4 ? (val | 0xffffffff00000000ULL) : val);
			csr_set(CSR_VSSTATUS, SSTATUS_FS_DIRTY);
		} else {
			vcpu_set_gpr(v, in.rd, in.sign_extend ? sign_extend(val, in.width) : val);
		}
	}
	/* The guest's kernel with its interrupts off (a console write, a
	 * PLIC claim): what follows is interpreted, up to its next exit. */
	if (hw(v)->guest_s && !(csr_read(CSR_VSSTATUS) & SSTATUS_SIE)) {
		v->arch->regs.pc += in.len;
		return hw_interp_run(v, t);
	}
	return trap_next(t, in.len);
}

/*
 * The guest's own page-table walk read a PTE from guest-physical gpa,
 * which is not RAM. Bare QEMU 7.2 takes the access that walked with an
 * access fault where the firmware's PMP denies the PTE's address, and a
 * page fault where nothing answers there (its PTE load fails and the walk
 * fails). QEMU reports the walk's guest-page fault as a load one whatever
 * the access (it is the PTE that is loaded), so the access's kind comes
 * from its instruction.
 */
static enum resume hw_walk_fault(struct vcpu *v, struct trap_info *t, uint64_t gpa)
{
	bool pmp = !firmware_pmp_allows(gpa & ~7ULL, 8);
	struct insn in;
	uint32_t raw;
	enum { FETCH, LOAD, STORE } kind = LOAD;

	if (t->cause == EXC_INST_GUEST_PAGE_FAULT)
		kind = FETCH;
	else if (t->cause == EXC_STORE_GUEST_PAGE_FAULT)
		kind = STORE;
	else if (hw_fetch(v, t->epc, &raw) && decode_insn(raw, &in) == 0 &&
		 (in.kind == INSN_STORE || (in.kind == INSN_AMO && ((in.raw >> 27) & 0x1f) != 0x02)))
		kind = STORE;   /* stores, AMOs and SC; LR (funct5 0x02) loads */
	static const uint64_t access[] = { EXC_INST_ACCESS, EXC_LOAD_ACCESS, EXC_STORE_ACCESS };
	static const uint64_t page[] = { EXC_INST_PAGE_FAULT, EXC_LOAD_PAGE_FAULT, EXC_STORE_PAGE_FAULT };
	if (pmp) {
		v->vm->stats.access_faults++;
		if (kind != FETCH)
			sbi_pmu_fw_count(v, kind == LOAD ? SBI_PMU_FW_ACCESS_LOAD : SBI_PMU_FW_ACCESS_STORE);
	}
	return trap_inject(t, pmp ? access[kind] : page[kind], t->tval);
}

/*
 * A guest-page fault (8.5): the first touch of a chunk of the VM's RAM
 * (mapped, retried), a device (emulated), or nothing the real map table
 * gives the VM, which gets the access fault bare hardware gives. htinst
 * 0x2000/0x3000 (and 0x2020/0x3020 for A/D updates) is the guest's own
 * page-table walk (8.6.3): its table page is mapped if it is RAM, else the
 * access that walked faults as on bare hardware.
 */
static enum resume hw_guest_page_fault(struct vcpu *v, struct trap_info *t)
{
	struct vm *vm = v->vm;
	uint64_t gpa = (csr_read(CSR_HTVAL) << 2) | (t->tval & 3);
	uint64_t htinst = csr_read(CSR_HTINST);
	bool walk = htinst != 0 && (htinst & 3) == 0;
	struct realmap_entry e;

	switch (realmap_lookup(&vm->realmap, gpa, &e)) {
	case REALMAP_RAM:
		if (engine_hw_map_chunk(vm, gpa) == 0) {
			hw_vm_of(vm)->stats.gstage_maps++;
			return RESUME_SAME;
		}
		vm_stop(vm, VM_EXIT_CRASHED, "out of memory for G-stage tables");
		return RESUME_HALT;
	case REALMAP_MMIO:
		if (!walk && t->cause != EXC_INST_GUEST_PAGE_FAULT)
			return hw_mmio(v, t, &e, gpa, htinst);
		break;
	case REALMAP_NONE:
		break;
	}
	if (walk)
		return hw_walk_fault(v, t, gpa);
	if (t->cause != EXC_INST_GUEST_PAGE_FAULT) {
		/* A misaligned access of which this part reaches nothing: bare
		 * QEMU splits it and what the guest sees depends on how
		 * (misaligned.h), so it is completed the same way here. */
		struct insn in;
		uint32_t raw;
		struct guest_view gv;
		hw_guest_view(v, &gv);
		if (hw_fetch(v, t->epc, &raw) && hw_decode(v, raw, &in) == 0 &&
		    in.kind == (t->cause == EXC_STORE_GUEST_PAGE_FAULT ? INSN_STORE : INSN_LOAD) &&
		    (emulate_mem_ea(&gv, &in) & (in.width - 1)))
			return emulate_data_access(&gv, t, &in);
	}
	vm->stats.access_faults++;
	if (t->cause != EXC_INST_GUEST_PAGE_FAULT)
		sbi_pmu_fw_count(v, t->cause == EXC_LOAD_GUEST_PAGE_FAULT ? SBI_PMU_FW_ACCESS_LOAD :
				 SBI_PMU_FW_ACCESS_STORE);
	return trap_inject(t, access_fault_of(t->cause), t->tval);
}

static enum resume hw_ecall_vs(struct vcpu *v, struct trap_info *t)
{
	return sbi_dispatch(v, t, 4);
}

/* CSR numbers of the counters (Zicntr, Zihpm). */
#define CSR_COUNTER_FIRST 0xc00
#define CSR_COUNTER_LAST  0xc1f

/*
 * A virtual-instruction trap (8.6.1): something the guest may not do in
 * V-mode. On a CPU without H (the virtual CPU) H instructions and CSRs are
 * illegal instructions, stval = the instruction's bits; WFI under VTW is
 * the guest waiting; stimecmp before the guest's first write is emulated
 * (henvcfg.STCE is set then, so the comparison arms only once written, as
 * QEMU's stimecmp does); a VU `rdtime` that the guest's scounteren denies
 * is completed as OpenSBI 1.1 completes it on bare hardware
 * (sbi_emulate_csr_read: time is always emulated; other counters follow
 * scounteren and stay illegal).
 */
static enum resume hw_virtual_insn(struct vcpu *v, struct trap_info *t)
{
	struct hw_stats *st = &hw_vm_of(v->vm)->stats;
	struct insn in;
	uint32_t raw;

	st->virtual_insn++;
	if (!hw_fetch(v, t->epc, &raw) || decode_insn(raw, &in) != 0) {
		st->vi_illegal++;
		sbi_pmu_fw_count(v, SBI_PMU_FW_ILLEGAL_INSN);
		return trap_inject(t, EXC_ILLEGAL_INST, t->tval);
	}
	bool xlen32 = !hw(v)->guest_s && (csr_read(CSR_VSSTATUS) & SSTATUS_UXL) == SSTATUS_UXL_32;
	if (pmu_counter_csr(&in, xlen32)) {
		/* cycle/instret trap by hcounteren: the vCPU's virtual counters. */
		uint64_t val;
		if (pmu_counter_read(v, &in, xlen32, !hw(v)->guest_s, csr_read(scounteren), &val)) {
			st->vi_counter++;
			vcpu_set_gpr(v, in.rd, val);
			return trap_next(t, in.len);
		}
	}
	if (in.kind == INSN_WFI && hw(v)->guest_s) {
		st->vi_wfi++;
		if (!vcpu_irq_wakeup_pending(v))
			sched_block(v);
		return trap_next(t, in.len);
	}
	if (in.kind == INSN_CSR && in.csr == CSR_STIMECMP && hw(v)->guest_s && platform.has_sstc) {
		struct hw_vcpu *g = hw(v);
		uint64_t old = v->timer_programmed ? v->timer_deadline : host_csr.reset.stimecmp;
		st->vi_timer++;
		if (insn_csr_writes(&in)) {
			uint64_t src = in.csr_imm ? in.rs1 : vcpu_get_gpr(v, in.rs1);
			uint64_t val = in.csr_op == CSR_OP_RW ? src :
				       in.csr_op == CSR_OP_RS ? old | src : old & ~src;
			vcpu_timer_set(v, val);
			g->vstimecmp = val;
			g->henvcfg |= HENVCFG_STCE;
			/* From now on the hardware's comparison drives VSTIP. */
			csr_clear(CSR_HVIP, HVIP_VSTIP);
			csr_set(CSR_HENVCFG, HENVCFG_STCE);
			csr_write(CSR_VSTIMECMP, val);
		}
		vcpu_set_gpr(v, in.rd, old);
		return trap_next(t, in.len);
	}
	if (in.kind == INSN_CSR && in.csr == CSR_HTIMEDELTA && hw(v)->guest_s) {
		/* On a CPU without H, OpenSBI 1.1 emulates htimedelta for S-mode
		 * as a plain register (see vcsr.c); so does Trapeze here. */
		struct hw_vcpu *g = hw(v);
		uint64_t old = g->htimedelta;
		st->vi_htimedelta++;
		if (insn_csr_writes(&in)) {
			uint64_t src = in.csr_imm ? in.rs1 : vcpu_get_gpr(v, in.rs1);
			g->htimedelta = in.csr_op == CSR_OP_RW ? src :
					in.csr_op == CSR_OP_RS ? old | src : old & ~src;
		}
		vcpu_set_gpr(v, in.rd, old);
		return trap_next(t, in.len);
	}
	if (in.kind == INSN_CSR && in.csr == CSR_TIME && !hw(v)->guest_s && !insn_csr_writes(&in)) {
		st->vi_counter++;
		vcpu_set_gpr(v, in.rd, platform_time());
		return trap_next(t, in.len);
	}
	st->vi_illegal++;
	sbi_pmu_fw_count(v, SBI_PMU_FW_ILLEGAL_INSN);
	return trap_inject(t, EXC_ILLEGAL_INST, raw);
}

/* ---- the rest of the ops --------------------------------------------------- */

static void hw_vcpu_reset(struct vcpu *v)
{
	const struct vcsr *r = &host_csr.reset;
	struct hart *h = this_hart();

	if (h->hw_current == v)
		h->hw_current = NULL;
	v->arch->hw = (struct hw_vcpu){
		.vsstatus = r->sstatus, .vsie = r->sie, .vstvec = r->stvec, .vsscratch = r->sscratch,
		.vsepc = r->sepc, .vscause = r->scause, .vstval = r->stval, .vsatp = 0,
		.vstimecmp = r->stimecmp, .scounteren = r->scounteren, .senvcfg = r->senvcfg,
		.henvcfg = henvcfg_pbmte, .guest_s = true,
	};
	vmid_vcpu_init(&v->arch->hw.vmid, v->id);
}

static void hw_vcpu_resume(struct vcpu *v)
{
	struct hw_vcpu *g = hw(v);

	if (hw_live_here(v)) {
		csr_write(CSR_VSATP, 0);
		csr_clear(CSR_VSSTATUS, SSTATUS_SIE);
	}
	g->vsatp = 0;
	g->vsstatus &= ~SSTATUS_SIE;
	g->guest_s = true;
}

/* SBI v3.0, "Software Event Injection": the guest's sepc and sstatus are
 * vsepc and vsstatus, live on this hart or saved (as in hw_vcpu_resume);
 * its privilege is guest_s, which hw_enter turns into sstatus.SPP. */
static void hw_sse_enter(struct vcpu *v, uint64_t entry_pc, struct engine_sse_state *interrupted)
{
	struct hw_vcpu *g = hw(v);
	bool live = hw_live_here(v);
	uint64_t s = live ? csr_read(CSR_VSSTATUS) : g->vsstatus;

	interrupted->sepc = live ? csr_read(CSR_VSEPC) : g->vsepc;
	interrupted->spp = (s & SSTATUS_SPP) != 0;
	interrupted->spie = (s & SSTATUS_SPIE) != 0;
	s &= ~(SSTATUS_SPP | SSTATUS_SPIE);
	if (g->guest_s)
		s |= SSTATUS_SPP;
	if (s & SSTATUS_SIE)
		s |= SSTATUS_SPIE;
	s &= ~SSTATUS_SIE;
	if (live) {
		csr_write(CSR_VSSTATUS, s);
		csr_write(CSR_VSEPC, v->arch->regs.pc);
	}
	g->vsstatus = s;
	g->vsepc = v->arch->regs.pc;
	g->guest_s = true;
	v->arch->regs.pc = entry_pc;
}

/* SBI v3.0, "Software Event Completion": an SRET in VS from vsepc and
 * vsstatus.SPP/SPIE, then the interrupted ones back. */
static uint64_t hw_sse_complete(struct vcpu *v, const struct engine_sse_state *restore)
{
	struct hw_vcpu *g = hw(v);
	bool live = hw_live_here(v);
	uint64_t s = live ? csr_read(CSR_VSSTATUS) : g->vsstatus;
	uint64_t pc = live ? csr_read(CSR_VSEPC) : g->vsepc;

	g->guest_s = (s & SSTATUS_SPP) != 0;
	s &= ~SSTATUS_SIE;
	if (s & SSTATUS_SPIE)
		s |= SSTATUS_SIE;
	s &= ~(SSTATUS_SPP | SSTATUS_SPIE);
	s |= (restore->spp ? SSTATUS_SPP : 0) | (restore->spie ? SSTATUS_SPIE : 0);
	if (live) {
		csr_write(CSR_VSSTATUS, s);
		csr_write(CSR_VSEPC, restore->sepc);
	}
	g->vsstatus = s;
	g->vsepc = restore->sepc;
	return pc;
}

/* SBI RFENCE: the guest's own SFENCE.VMA runs in VS without an exit; a
 * remote one is an HFENCE.VVMA for the VM's VMID on the hart that runs
 * it, and the next load of the vCPU fences anyway (hw_load). */
static void hw_flush_guest_tlb(struct vcpu *v, uint64_t start, uint64_t size, uint64_t asid)
{
	(void)start, (void)size, (void)asid;
	if (hw_live_here(v))
		hfence_vvma_all();
	else
		engine_hw_remote_vvma(v);
}

static void hw_print_stats(const struct vm *vm)
{
	const struct hw_stats *s = &hw_vm_of(vm)->stats;
	struct stats_line l = { .vm = vm->name, .group = "hw" };

	stats_add(&l, "gstage-maps", s->gstage_maps);
	stats_add(&l, "mmio-exits", s->mmio_exits);
	stats_add(&l, "virtual-insn", s->virtual_insn);
	stats_add(&l, "vi-illegal", s->vi_illegal);
	stats_add(&l, "vi-wfi", s->vi_wfi);
	stats_add(&l, "vi-stimecmp", s->vi_timer);
	stats_add(&l, "vi-counter", s->vi_counter);
	stats_add(&l, "vi-htimedelta", s->vi_htimedelta);
	stats_add(&l, "vcpu-loads", s->world_loads);
	stats_add(&l, "interp-runs", s->interp_runs);
	stats_add(&l, "interp-insns", s->interp_insns);
	stats_add(&l, "interp-mmio", s->interp_mmio);
	stats_add(&l, "interp-us", s->interp_ticks * 1000000 / (platform.timebase_hz ? platform.timebase_hz : 1));
	stats_flush(&l);
}

static uint64_t hw_firmware_load(struct vcpu *v, uint64_t va, uint64_t *val, uint64_t *tval);

const struct engine engine_hw = {
	.name = "hw",
	.handlers = {
		[EXC_ECALL_VS] = hw_ecall_vs,
		[EXC_INST_GUEST_PAGE_FAULT] = hw_guest_page_fault,
		[EXC_LOAD_GUEST_PAGE_FAULT] = hw_guest_page_fault,
		[EXC_STORE_GUEST_PAGE_FAULT] = hw_guest_page_fault,
		[EXC_VIRTUAL_INST] = hw_virtual_insn,
	},
	.vm_init = engine_hw_vm_init,
	.vm_reset = engine_hw_vm_reset,
	.vm_destroy = engine_hw_vm_destroy,
	.vcpu_reset = hw_vcpu_reset,
	.vcpu_resume = hw_vcpu_resume,
	.sync_from_hw = hw_sync_from_hw,
	.enter = hw_enter,
	.leave = hw_leave,
	.inject = hw_inject,
	.deliver_irq = hw_deliver_irq,
	.virq_enabled = hw_virq_enabled,
	.flush_guest_tlb = hw_flush_guest_tlb,
	.firmware_load = hw_firmware_load,
	.print_stats = hw_print_stats,
	.sse_enter = hw_sse_enter,
	.sse_complete = hw_sse_complete,
};

/* OpenSBI's sbi_load_ulong for a VS caller (an MPRV load with MPV set,
 * through both stages), as the trap engine does it: the same walk, the
 * same split of a misaligned address, the same faults. */
static uint64_t hw_firmware_load(struct vcpu *v, uint64_t va, uint64_t *val, uint64_t *tval)
{
	struct guest_view gv;

	hw_guest_view(v, &gv);
	return emulate_firmware_load(&gv, va, val, tval);
}

/* Per hart, once: what hedeleg, hideleg and hcounteren say for every hw
 * guest, and whether henvcfg keeps PBMTE. */
void engine_hw_hart_init(void)
{
	csr_write(CSR_HEDELEG, HW_HEDELEG);
	csr_write(CSR_HIDELEG, HW_HIDELEG);
	/* cycle and instret trap: they are the vCPU's virtual counters
	 * (pmu.h, core/sbi/sbi_pmu.c); the others are read natively. */
	csr_write(CSR_HCOUNTEREN, ~COUNTEREN_VIRTUAL);
	csr_write(CSR_HENVCFG, HENVCFG_PBMTE);
	henvcfg_pbmte = csr_read(CSR_HENVCFG) & HENVCFG_PBMTE;
	csr_write(CSR_HENVCFG, 0);
	csr_write(CSR_HVIP, 0);
	/* VMIDLEN: the VMID bits hgatp keeps, written with MODE Bare (the
	 * only probe QEMU 7.2 survives: it stores any MODE and aborts on an
	 * unknown one at the next walk). */
	csr_write(CSR_HGATP, HGATP_VMID_MASK << HGATP_VMID_SHIFT);
	uint64_t mask = (csr_read(CSR_HGATP) >> HGATP_VMID_SHIFT) & HGATP_VMID_MASK;
	csr_write(CSR_HGATP, 0);
	if (this_hart()->index == platform.boot_hart) {
		unsigned bits = 0;
		for (uint64_t m = mask; m & 1; m >>= 1)
			bits++;
		platform.vmid_mask = mask;
		engine_hw_vmid_init(bits);
	}
}
