#include "arch/riscv/engine_trap.h"

#include "arch/riscv/csr.h"
#include "arch/riscv/decode.h"
#include "arch/riscv/dispatch.h"
#include "arch/riscv/emulate_mem.h"
#include "arch/riscv/firmware_pmp.h"
#include "arch/riscv/fp.h"
#include "arch/riscv/gpt.h"
#include "arch/riscv/layout.h"
#include "arch/riscv/hart.h"
#include "arch/riscv/insn.h"
#include "arch/riscv/mmu.h"
#include "arch/riscv/pgtable.h"
#include "arch/riscv/pmu.h"
#include "arch/riscv/probe.h"
#include "arch/riscv/vcsr.h"
#include "arch/riscv/vcpu_arch.h"
#include "core/console.h"
#include "core/guestmem.h"
#include "core/lib/string.h"
#include "core/sbi/sbi.h"
#include "core/vm.h"
#include "dev/mmio.h"

/*
 * The x0 page (patch_decide.h) holds the vCPU's sscratch, sepc, scause
 * and stval while the guest runs: x0-form sites read and write them
 * there without a trap. Between an exit and the next entry the vCSRs are
 * the truth, as for every other CSR: copied in at each exit, out at each
 * entry (the VM has one vCPU: patch.h).
 */
static void x0_sync_in(struct vcpu *v)
{
	struct patch_vm *p = &trap_vm_of(v->vm)->patch;
	struct vcsr *c = &v->arch->trap.csr;

	if (!p->x0)
		return;
	const uint64_t *x = p->x0_slots;
	if (x[PATCH_X0_SSCRATCH] != c->sscratch || x[PATCH_X0_SEPC] != c->sepc ||
	    x[PATCH_X0_SCAUSE] != c->scause || x[PATCH_X0_STVAL] != c->stval)
		p->stats.x0_stores_seen++;
	c->sscratch = x[PATCH_X0_SSCRATCH];
	c->sepc = x[PATCH_X0_SEPC];
	c->scause = x[PATCH_X0_SCAUSE];
	c->stval = x[PATCH_X0_STVAL];
}

static void x0_sync_out(struct vcpu *v)
{
	struct patch_vm *p = &trap_vm_of(v->vm)->patch;
	const struct vcsr *c = &v->arch->trap.csr;

	if (!p->x0)
		return;
	uint64_t *x = p->x0_slots;
	x[PATCH_X0_SSCRATCH] = c->sscratch;
	x[PATCH_X0_SEPC] = c->sepc;
	x[PATCH_X0_SCAUSE] = c->scause;
	x[PATCH_X0_STVAL] = c->stval;
}

static void trap_sync_from_hw(struct vcpu *v)
{
	v->arch->trap.stays_loaded = false;
	struct vcsr *c = &v->arch->trap.csr;

	/* The hardware sets FS = Dirty when the guest writes FP state
	 * (Privileged ISA v1.12, 3.1.6.6); the guest must see it. */
	uint64_t real = csr_read(sstatus);

	if ((c->sstatus & SSTATUS_FS) != SSTATUS_FS_OFF && (real & SSTATUS_FS) == SSTATUS_FS_DIRTY)
		c->sstatus |= SSTATUS_FS_DIRTY;
	x0_sync_in(v);
}

/*
 * The exceptions OpenSBI 1.1 delegates to S-mode on a CPU without H
 * (medeleg = 0xb109: misaligned fetch, breakpoint, user ecall, page faults)
 * reach stvec the hardware way. The others it takes in M-mode and
 * redirects, setting the pc to stvec as it is, MODE bits included
 * (sbi_trap_redirect): a guest in vectored mode lands on the raw value
 * there too.
 */
#define OPENSBI_MEDELEG 0xb109ULL

/* A virtual trap (Privileged ISA v1.12, 4.1.1 and 4.1.8): sepc/scause/stval,
 * SPP/SPIE/SIE, virtual S-mode, pc = stvec (vectored for interrupts). */
static void inject(struct vcpu *v, uint64_t cause, uint64_t tval, bool redirected)
{
	struct vcsr *c = &v->arch->trap.csr;
	bool irq = cause & CAUSE_INTERRUPT;
	uint64_t code = cause & ~CAUSE_INTERRUPT;

	/* A trap changes the privilege, which drops QEMU's reservation
	 * (riscv_cpu_set_mode): an emulated LR's too. */
	v->arch->lr.valid = false;

	if (irq && code < STATS_IRQ_MAX)
		v->vm->stats.inject_irq[code]++;
	else if (!irq && code < STATS_EXC_MAX)
		v->vm->stats.inject_exc[code]++;
	c->sepc = v->arch->regs.pc;
	c->scause = cause;
	c->stval = tval;
	c->sstatus &= ~(SSTATUS_SPP | SSTATUS_SPIE);
	if (v->arch->trap.vpriv == VPRIV_S)
		c->sstatus |= SSTATUS_SPP;
	if (c->sstatus & SSTATUS_SIE)
		c->sstatus |= SSTATUS_SPIE;
	c->sstatus &= ~SSTATUS_SIE;
	v->arch->trap.vpriv = VPRIV_S;
	v->arch->regs.pc = c->stvec & ~STVEC_MODE_MASK;
	if (irq && (c->stvec & STVEC_MODE_MASK) == STVEC_MODE_VECTORED)
		v->arch->regs.pc += 4 * code;
	else if (!irq && (redirected || (code < 64 && !(OPENSBI_MEDELEG & (1ULL << code)))))
		v->arch->regs.pc = c->stvec;
}

static void trap_inject_op(struct vcpu *v, const struct trap_info *t)
{
	inject(v, t->inject_cause, t->inject_tval, t->inject_redirected);
}

/* Interrupt priority for S-level causes (Privileged ISA v1.12, 4.1.3):
 * SEI, SSI, STI, then the local counter-overflow interrupt. */
static const unsigned irq_priority[] = { IRQ_S_EXT, IRQ_S_SOFT, IRQ_S_TIMER, IRQ_LCOF };

/* The virtual interrupts pending and enabled that the virtual privilege
 * and sstatus.SIE let the guest take now (4.1.3). */
static uint64_t trap_irq_deliverable(struct vcpu *v)
{
	const struct vcsr *c = &v->arch->trap.csr;

	/* In a less privileged mode S-level interrupts are enabled regardless
	 * of sstatus.SIE (Privileged ISA v1.12, 4.1.1). Checked first: it is
	 * the common answer inside the guest kernel, and reading sip reads
	 * the time. */
	if (v->arch->trap.vpriv == VPRIV_S && !(c->sstatus & SSTATUS_SIE))
		return 0;
	return vcsr_sip_read(v) & c->sie;
}

bool engine_trap_irq_deliverable(struct vcpu *v)
{
	return trap_irq_deliverable(v) != 0;
}

/* Deliver the highest-priority of them, if any. */
static void trap_deliver_irq(struct vcpu *v)
{
	uint64_t pending = trap_irq_deliverable(v);

	if (!pending)
		return;
	for (unsigned i = 0; i < sizeof(irq_priority) / sizeof(irq_priority[0]); i++) {
		if (pending & (1ULL << irq_priority[i])) {
			inject(v, CAUSE_INTERRUPT | irq_priority[i], 0, false);
			return;
		}
	}
}

static bool guest_paging(const struct vcpu *v)
{
	return (v->arch->trap.csr.satp >> SATP_MODE_SHIFT) != SATP_MODE_BARE;
}

/* The shadow view of the vCPU's own privilege, SUM and MXR (shadow.h):
 * a vCPU never runs on entries another vCPU's SUM or MXR allowed. */
static enum shadow_view view_of(const struct vcpu *v)
{
	uint64_t s = v->arch->trap.csr.sstatus;

	return shadow_view_for(v->arch->trap.vpriv == VPRIV_S, s & SSTATUS_SUM, s & SSTATUS_MXR);
}

/* The shadow v held while it ran goes back to the pool's choice. The
 * VM's lock held. */
static void trap_shadow_release(struct vcpu *v)
{
	if (v->arch->trap.shadow_held) {
		shadow_hold(&trap_vm_of(v->vm)->shadow, v->arch->trap.shadow_held_satp, -1);
		v->arch->trap.shadow_held = false;
	}
}

/* Put host satp on this hart (Trapeze runs through it too, at its root
 * entry, until the guest is entered). */
static void trap_load_satp(uint64_t satp)
{
	struct hart *h = this_hart();

	if (h->live_satp != satp) {
		csr_write(satp, satp);
		/* Without host ASIDs every address space shares ASID 0. */
		if (((satp >> SATP_ASID_SHIFT) & SATP_ASID_MASK) == 0)
			sfence_vma_all();
		h->live_satp = satp;
	}
}

/* The host address space the guest runs in now: the Bare view, or the
 * shadow of its current address space in the view of its privilege, SUM
 * and MXR. Chosen again only when satp, the view or the shadows changed. */
static void engine_trap_select_root(struct vcpu *v)
{
	struct trap_vm *a = trap_vm_of(v->vm);
	uint64_t root, asid;

	if (v->arch->trap.root_valid && v->arch->trap.root_for_satp == v->arch->trap.csr.satp &&
	    v->arch->trap.root_for_view == view_of(v) && v->arch->trap.root_for_gen == a->shadow.generation)
		return;
	spin_lock(&a->lock);
	/* The hold of the root this hart may still be on goes only once the
	 * hart has left it (below): until then no fill may recycle it. */
	bool held = v->arch->trap.shadow_held;
	uint64_t held_satp = v->arch->trap.shadow_held_satp;
	bool failed = false;
	v->arch->trap.shadow_held = false;
	if (!guest_paging(v)) {
		v->arch->trap.host_satp = mmu_satp(a->bare_root, a->bare_asid);
	} else if (shadow_activate(&a->shadow, v->arch->trap.csr.satp, view_of(v), &root, &asid) == 0) {
		v->arch->trap.host_satp = mmu_satp(root, asid);
		/* Another vCPU's fill must not recycle the root this hart runs on. */
		shadow_hold(&a->shadow, v->arch->trap.csr.satp, 1);
		v->arch->trap.shadow_held = true;
		v->arch->trap.shadow_held_satp = v->arch->trap.csr.satp;
	} else {
		v->arch->trap.host_satp = mmu_satp(a->bare_root, a->bare_asid);
		failed = true;
	}
	trap_load_satp(v->arch->trap.host_satp);
	if (held)
		shadow_hold(&a->shadow, held_satp, -1);
	spin_unlock(&a->lock);
	if (failed) {
		vm_stop(v->vm, VM_EXIT_CRASHED, "out of memory for shadow page tables");
		return;
	}
	v->arch->trap.root_for_satp = v->arch->trap.csr.satp;
	v->arch->trap.root_for_view = view_of(v);
	v->arch->trap.root_for_gen = a->shadow.generation;
	v->arch->trap.root_valid = true;
}

/* Load the real CSRs for running v on this hart (called just before sret). */
static void trap_enter(struct vcpu *v)
{
	struct hart *h = this_hart();
	struct vcsr *c = &v->arch->trap.csr;
	uint64_t s = csr_read(sstatus);

	/* Return to real U-mode with the guest's FP/vector enables and
	 * SPIE clear, so Trapeze keeps SIE = 0 after every trap. */
	s &= ~(SSTATUS_SPP | SSTATUS_SPIE | SSTATUS_FS | SSTATUS_VS | SSTATUS_SUM | SSTATUS_MXR |
	       SSTATUS_UXL);
	/* The real U-mode runs at the XLEN of the virtual mode it stands for
	 * (Privileged ISA v1.12, 4.1.1): vU at the guest's UXL (the host CPU
	 * legalised it; QEMU 7.2 runs U as RV32 under UXL = 1), vS at SXL,
	 * which is 64. */
	s |= v->arch->trap.vpriv == VPRIV_U ? c->sstatus & SSTATUS_UXL : SSTATUS_UXL_64;
	/* The vector unit stays off (VS = Off) whatever the guest's VS says:
	 * the virtual CPU has no V (the launcher keeps it out of the DTB), so
	 * its vector instructions trap and are reflected as illegal. */
	s |= c->sstatus & SSTATUS_FS;
	if (h->fp_owner != v && (c->sstatus & SSTATUS_FS) != SSTATUS_FS_OFF) {
		if (h->fp_owner)
			fp_save(h->fp_owner);
		fp_load(v);
		h->fp_owner = v;
	}
	csr_write(sstatus, s);
	/* Counters: in vS the guest may read what S-mode may read on bare
	 * hardware; in vU what its own scounteren allows. But `cycle` and
	 * `instret` always trap (to OpenSBI, which redirects the read as an
	 * illegal instruction since scounteren denies it): they are the
	 * vCPU's virtual counters (core/sbi/sbi_pmu.c, insn.c). */
	csr_write(scounteren, (v->arch->trap.vpriv == VPRIV_S ? ~0ULL : c->scounteren) &
		  ~COUNTEREN_VIRTUAL);
	sbi_pmu_vcpu_enter(v);
	if (host_csr.has_senvcfg)
		csr_write(0x10a, v->arch->trap.vpriv == VPRIV_S ? 0 : c->senvcfg);
	/* Paging off: the Bare view lets it write any frame, patched or not. */
	if (v->arch->trap.runs_bare != !guest_paging(v))
		patch_vcpu_bare(v, !guest_paging(v));
	engine_trap_select_root(v);
	trap_load_satp(v->arch->trap.host_satp);
	x0_sync_out(v);
	v->vm->stats.world_switches++;
}

/* Straight back into the guest after a patched access that changed
 * nothing trap_enter loads: its root is still the one chosen for it
 * (same satp, view and shadow generation, since the access changed no
 * SUM, MXR, FS or privilege) and no virtual interrupt has become
 * deliverable (an `sstatus` SIE set or an `sie` write may make one: the
 * resume path delivers it at this boundary, as bare hardware takes it). */
static bool trap_stays_loaded(struct vcpu *v)
{
	struct trap_vcpu *tv = &v->arch->trap;
	bool stays = tv->stays_loaded;

	tv->stays_loaded = false;
	if (!stays || !tv->root_valid || tv->root_for_gen != trap_vm_of(v->vm)->shadow.generation ||
	    trap_irq_deliverable(v))
		return false;
	x0_sync_out(v);
	return true;
}

static void trap_leave(struct vcpu *v)
{
	struct hart *h = this_hart();

	sbi_pmu_vcpu_leave(v);
	if (h->fp_owner == v) {
		fp_save(v);
		h->fp_owner = NULL;
	}
	/* Off this hart: the hart leaves the VM's tables first, since
	 * Trapeze runs through the root in satp until the next entry writes
	 * another, and a shadow root is freed once unheld (shadow.h), the
	 * Bare view's on a reset; then its shadow may be recycled, and the
	 * next entry chooses (and holds) a root again. */
	mmu_use_trapeze_root();
	if (v->arch->trap.shadow_held) {
		struct trap_vm *a = trap_vm_of(v->vm);
		spin_lock(&a->lock);
		trap_shadow_release(v);
		spin_unlock(&a->lock);
		v->arch->trap.root_valid = false;
	}
}

/* The guest-physical address the guest's instruction fetch at va reaches,
 * through its own tables when paging is on (no A/D update: the hardware
 * fetch that trapped has made it). false when the fetch would fault. */
static bool guest_fetch_pa(struct vcpu *v, uint64_t va, uint64_t *gpa)
{
	uint64_t page = va & ~(PAGE_SIZE - 1);
	struct fetch_cache *fc = &v->arch->trap.fetch[(page / PAGE_SIZE) & (TRAP_FETCH_CACHE - 1)];

	if (!guest_paging(v)) {
		*gpa = va;
		return true;
	}
	if (fc->valid && fc->va_page == page && fc->satp == v->arch->trap.csr.satp &&
	    fc->vpriv == v->arch->trap.vpriv && fc->gen == trap_vm_of(v->vm)->shadow.generation) {
		*gpa = fc->gpa_page | (va & (PAGE_SIZE - 1));
		return true;
	}
	struct gpt_walk_req req = {
		.satp = v->arch->trap.csr.satp, .va = va, .access = GPT_FETCH,
		.priv_s = v->arch->trap.vpriv == VPRIV_S,
		.sum = v->arch->trap.csr.sstatus & SSTATUS_SUM, .mxr = v->arch->trap.csr.sstatus & SSTATUS_MXR,
	};
	struct gpt_walk_res res;
	if (gpt_walk(&trap_vm_of(v->vm)->shadow_ops.guest, &req, &res) != GPT_WALK_OK)
		return false;
	*gpa = res.gpa;
	*fc = (struct fetch_cache){
		.valid = true, .vpriv = v->arch->trap.vpriv, .satp = v->arch->trap.csr.satp,
		.gen = trap_vm_of(v->vm)->shadow.generation, .va_page = page,
		.gpa_page = res.gpa & ~(PAGE_SIZE - 1),
	};
	return true;
}

bool engine_trap_fetch_pa(struct vcpu *v, uint64_t va, uint64_t *gpa)
{
	return guest_fetch_pa(v, va, gpa);
}

int engine_trap_fetch(struct vcpu *v, uint64_t pc, uint32_t *raw)
{
	uint16_t lo, hi;
	uint64_t gpa;

	/* At XLEN 32 QEMU keeps the pc sign-extended (sepc shows it so); the
	 * fetch is from its low 32 bits. */
	if (engine_trap_xlen32(v))
		pc &= 0xffffffffULL;
	if (!guest_fetch_pa(v, pc, &gpa) || !guestmem_read(v->vm, gpa, &lo, 2))
		return -1;
	if (insn_length(lo) == 2) {
		*raw = lo;
		return 0;
	}
	/* The second half may be on the next page. */
	if (!guest_fetch_pa(v, engine_trap_xlen32(v) ? (pc + 2) & 0xffffffffULL : pc + 2, &gpa) ||
	    !guestmem_read(v->vm, gpa, &hi, 2))
		return -1;
	*raw = (uint32_t)lo | ((uint32_t)hi << 16);
	return 0;
}

static uint64_t access_fault_of(uint64_t page_fault)
{
	switch (page_fault) {
	case EXC_INST_PAGE_FAULT: return EXC_INST_ACCESS;
	case EXC_LOAD_PAGE_FAULT: return EXC_LOAD_ACCESS;
	default: return EXC_STORE_ACCESS;
	}
}

static void trap_fp_dirty(struct vcpu *v)
{
	v->arch->trap.csr.sstatus |= SSTATUS_FS_DIRTY;
}

void engine_trap_guest_view(struct vcpu *v, struct guest_view *gv)
{
	const struct trap_vcpu *tv = &v->arch->trap;

	*gv = (struct guest_view){
		.v = v, .satp = tv->csr.satp, .priv_s = tv->vpriv == VPRIV_S,
		.sum = tv->csr.sstatus & SSTATUS_SUM, .mxr = tv->csr.sstatus & SSTATUS_MXR,
		.xlen32 = engine_trap_xlen32(v), .pt = trap_vm_of(v->vm)->shadow_ops.guest,
		.fp_dirty = trap_fp_dirty,
	};
}

static uint64_t trap_firmware_load(struct vcpu *v, uint64_t va, uint64_t *val, uint64_t *tval)
{
	struct guest_view gv;

	engine_trap_guest_view(v, &gv);
	return emulate_firmware_load(&gv, va, val, tval);
}

bool engine_trap_xlen32(const struct vcpu *v)
{
	return v->arch->trap.vpriv == VPRIV_U && (v->arch->trap.csr.sstatus & SSTATUS_UXL) == SSTATUS_UXL_32;
}

int engine_trap_decode(const struct vcpu *v, uint32_t raw, struct insn *in)
{
	return engine_trap_xlen32(v) ? decode_insn_rv32(raw, in) : decode_insn(raw, in);
}

/* A load or store to a device region: decode the faulting instruction and
 * hand one access to the device model (style.md 3). */
static enum resume engine_trap_mmio(struct vcpu *v, struct trap_info *t,
				    const struct realmap_entry *e, uint64_t gpa)
{
	struct insn in;
	uint32_t raw;
	bool store = t->cause == EXC_STORE_PAGE_FAULT;

	if (engine_trap_fetch(v, t->epc, &raw) || engine_trap_decode(v, raw, &in))
		return trap_inject(t, access_fault_of(t->cause), t->tval);
	struct guest_view gv;
	engine_trap_guest_view(v, &gv);
	uint64_t ea = emulate_mem_ea(&gv, &in);
	if (in.kind == INSN_AMO && emulate_mmio_amo_fault_ok(&in, store) && !(ea & (in.width - 1)))
		return emulate_mmio_amo(v, t, &in, ea, e, gpa, access_fault_of(t->cause));
	if (in.kind != (store ? INSN_STORE : INSN_LOAD))
		return trap_inject(t, access_fault_of(t->cause), t->tval);

	/* Not naturally aligned (the hardware may have named another part's
	 * address): split as bare QEMU splits it (misaligned.h). */
	if (ea & (in.width - 1))
		return emulate_data_access(&gv, t, &in);
	struct mmio_access a = {
		.gpa = gpa, .offset = e->offset, .width = in.width, .write = store,
		.value = store ? emulate_mem_store_value(v, &in) : 0,
	};
	int r = mmio_dispatch(v->vm, e->dev, e->mmio_slot, &a);
	if (r < 0)
		return trap_inject(t, access_fault_of(t->cause), t->tval);
	if (r == MMIO_HALT)
		return RESUME_HALT;
	if (!store)
		emulate_mem_load_result(&gv, &in, a.value);
	t->insn_len = in.len;
	return RESUME_NEXT;
}

/* A data access that reaches something other than RAM, or the guest's
 * fault: when its instruction is a load or store not naturally aligned,
 * bare QEMU splits it and what the guest sees depends on how
 * (misaligned.h), so it is completed here the same way. Else the fault,
 * as the hardware reported it. */
static enum resume data_fault(struct vcpu *v, struct trap_info *t, uint64_t cause)
{
	struct insn in;
	uint32_t raw;

	struct guest_view gv;

	engine_trap_guest_view(v, &gv);
	if (engine_trap_fetch(v, t->epc, &raw) == 0 && engine_trap_decode(v, raw, &in) == 0 &&
	    (in.kind == INSN_LOAD || in.kind == INSN_STORE) &&
	    (emulate_mem_ea(&gv, &in) & (in.width - 1)))
		return emulate_data_access(&gv, t, &in);
	if (cause == EXC_LOAD_ACCESS || cause == EXC_STORE_ACCESS) {
		v->vm->stats.access_faults++;
		sbi_pmu_fw_count(v, cause == EXC_LOAD_ACCESS ? SBI_PMU_FW_ACCESS_LOAD :
				 SBI_PMU_FW_ACCESS_STORE);
	}
	return trap_inject(t, cause, t->tval);
}

/* An instruction fetch from guest-physical gpa, where nothing answers.
 * QEMU fetches 16-bit parcels; one at an odd pc (an xRET to an odd sepc)
 * is a misaligned device load, split into aligned parts (misaligned.h),
 * so the fault names the pc rounded down to 2. One the PMP denies faults
 * before any of that, at the pc. */
static enum resume fetch_access_fault(struct vcpu *v, struct trap_info *t, uint64_t gpa)
{
	v->vm->stats.access_faults++;
	return trap_inject(t, EXC_INST_ACCESS,
			   firmware_pmp_allows(gpa & ~1ULL, 2) ? t->tval & ~1ULL : t->tval);
}

static enum gpt_access access_of(uint64_t cause)
{
	return cause == EXC_INST_PAGE_FAULT ? GPT_FETCH :
	       cause == EXC_LOAD_PAGE_FAULT ? GPT_LOAD : GPT_STORE;
}

/* Bare mode: a page fault is the first touch of a guest page, an MMIO
 * access, or an access outside everything the real map table gives the
 * VM, which gets the access fault bare hardware would give. */
static enum resume bare_page_fault(struct vcpu *v, struct trap_info *t)
{
	struct vm *vm = v->vm;
	uint64_t gpa = t->tval;
	struct realmap_entry e;

	switch (realmap_lookup(&vm->realmap, gpa, &e)) {
	case REALMAP_RAM:
		/* The first touch of a chunk: it is zeroed and mapped whole. */
		if (mmu_va_canonical(gpa) && !va_is_trapeze(gpa) &&
		    engine_trap_map_bare_chunk(vm, gpa) == 0)
			return RESUME_SAME;
		vm_stop(vm, VM_EXIT_CRASHED, "out of memory for page tables");
		return RESUME_HALT;
	case REALMAP_MMIO:
		if (t->cause != EXC_INST_PAGE_FAULT)
			return engine_trap_mmio(v, t, &e, gpa);
		break;
	case REALMAP_NONE:
		break;
	}
	if (t->cause == EXC_INST_PAGE_FAULT)
		return fetch_access_fault(v, t, gpa);
	return data_fault(v, t, access_fault_of(t->cause));
}

/* A shadow fill, under the VM's lock: its vCPUs share the shadows. */
static enum shadow_result trap_shadow_fault(struct vm *vm, const struct shadow_fault_req *req,
					    struct shadow_fault_res *res)
{
	struct trap_vm *a = trap_vm_of(vm);

	spin_lock(&a->lock);
	enum shadow_result r = shadow_fault(&a->shadow, req, res);
	spin_unlock(&a->lock);
	return r;
}

/* Between an LR at the end of a code page and its SC at the start of the
 * next, a fetch fault there would cost the reservation (any trap clears
 * it on QEMU). So when a code page is filled, the next one is too, if
 * the guest's mapping already lets the fetch through with A set: nothing
 * the guest can see changes, and straight-line code crossing the page
 * takes no trap. */
static void shadow_prefetch_next_code_page(struct vcpu *v, const struct shadow_fault_req *fault)
{
	struct shadow_fault_req req = *fault;
	struct shadow_fault_res res;

	req.va = (fault->va & ~(PAGE_SIZE - 1)) + PAGE_SIZE;
	req.prefetch = true;
	if (mmu_va_canonical(req.va))
		trap_shadow_fault(v->vm, &req, &res);
}

/* Paging on: the shadow filler walks the guest's tables; what it cannot
 * map is the guest's own fault, a device, or the hidden region. */
static enum resume shadow_page_fault(struct vcpu *v, struct trap_info *t)
{
	struct vm *vm = v->vm;
	struct shadow_fault_req req = {
		.guest_satp = v->arch->trap.csr.satp, .view = view_of(v), .va = t->tval,
		.access = access_of(t->cause),
	};
	struct shadow_fault_res res;

	if ((t->tval & ~(PAGE_SIZE - 1)) == PATCH_X0_VA)
		req.x0_site = patch_x0_site(v, t->epc);
	switch (trap_shadow_fault(vm, &req, &res)) {
	case SHADOW_FILLED:
		trap_vm_of(vm)->stats.page_maps++;
		if (req.x0_site && req.access == GPT_STORE)
			trap_vm_of(vm)->patch.stats.x0_store_faults++;
		else if (req.x0_site)
			trap_vm_of(vm)->patch.stats.x0_load_faults++;
		if (res.upgraded) {
			struct guest_view gv;
			engine_trap_guest_view(v, &gv);
			return emulate_sc_after_fill(&gv, t);
		}
		if (req.access == GPT_FETCH)
			shadow_prefetch_next_code_page(v, &req);
		return RESUME_SAME;
	case SHADOW_RETRY:
		return RESUME_SAME;
	case SHADOW_GUEST_FAULT:
		/* Only an access fault can hide a split access: a page fault
		 * is on the page the hardware named, after any earlier part. */
		if (res.cause == EXC_LOAD_ACCESS || res.cause == EXC_STORE_ACCESS)
			return data_fault(v, t, res.cause);
		if (res.cause == EXC_INST_ACCESS)
			return fetch_access_fault(v, t, res.gpa);
		return trap_inject(t, res.cause, t->tval);
	case SHADOW_MMIO:
		if (res.ent.kind == REALMAP_RAM && req.access != GPT_FETCH) {
			/* The guest's own RAM where Trapeze lives: emulated. */
			struct insn in;
			uint32_t raw;
			if (engine_trap_fetch(v, t->epc, &raw) || engine_trap_decode(v, raw, &in))
				return trap_inject(t, access_fault_of(t->cause), t->tval);
			struct guest_view gv;
			engine_trap_guest_view(v, &gv);
			return emulate_hidden_access(&gv, t, &in);
		}
		if (req.access != GPT_FETCH)
			return engine_trap_mmio(v, t, &res.ent, res.gpa);
		if (res.ent.kind == REALMAP_RAM) {
			vm_stop(vm, VM_EXIT_CRASHED, "the guest executes code mapped where Trapeze lives");
			return RESUME_HALT;
		}
		return fetch_access_fault(v, t, res.gpa);
	case SHADOW_PATCHED:
		/* A load or store to a patched frame (patch.h). */
		return patch_access(v, t, res.gpa);
	case SHADOW_X0_MAPPED:
		/* The guest's own page where the x0 page was to go: the x0
		 * form goes, and the access runs again on the guest's page. */
		patch_x0_hide(vm);
		return RESUME_SAME;
	case SHADOW_NO_MEMORY:
		break;
	}
	vm_stop(vm, VM_EXIT_CRASHED, "out of memory for shadow page tables");
	return RESUME_HALT;
}

static enum resume handle_page_fault(struct vcpu *v, struct trap_info *t)
{
	return guest_paging(v) ? shadow_page_fault(v, t) : bare_page_fault(v, t);
}

/*
 * An instruction access fault from RV32 vU at the sign-extended pc QEMU
 * keeps there: OpenSBI 1.1 failed to read an instruction it was to emulate
 * (it reads at that pc) and redirected the fault, as on bare hardware.
 * When the instruction reads cycle/instret and the
 * guest's scounteren allows it, it reached OpenSBI only because Trapeze
 * clears those enables (pmu.h): bare hardware runs it without a trap, so
 * it is completed here. Anything else is the guest's fault, as received.
 */
static enum resume handle_fetch_access(struct vcpu *v, struct trap_info *t)
{
	struct insn in;
	uint32_t raw;
	uint64_t val;

	if (engine_trap_xlen32(v) && (t->epc >> 31) == 0x1ffffffffULL &&
	    engine_trap_fetch(v, t->epc, &raw) == 0 && decode_insn_rv32(raw, &in) == 0 &&
	    pmu_counter_csr(&in, true) &&
	    pmu_counter_read(v, &in, true, true, v->arch->trap.csr.scounteren, &val)) {
		vcpu_set_gpr(v, in.rd, val);
		t->insn_len = in.len;
		return RESUME_NEXT;
	}
	return trap_inject(t, t->cause, t->tval);
}

/* ECALL from real U-mode: an SBI call from vS, the guest's own syscall from vU. */
static enum resume handle_ecall(struct vcpu *v, struct trap_info *t)
{
	if (v->arch->trap.vpriv == VPRIV_U)
		return trap_inject(t, EXC_ECALL_U, 0);
	return sbi_dispatch(v, t, 4);
}


/* Ranges longer than this are flushed whole: cheaper than page by page. */
#define FLUSH_RANGE_MAX_PAGES 64

static void trap_flush_guest_tlb(struct vcpu *v, uint64_t start, uint64_t size, uint64_t asid)
{
	struct shadow_vm *s = &trap_vm_of(v->vm)->shadow;
	bool all_asid = asid == UINT64_MAX;

	/* The shadows are the VM's, so are the host TLB entries the fences
	 * drop (on every hart, shadow_fence): one flush covers every vCPU. */
	spin_lock(&trap_vm_of(v->vm)->lock);
	if (size == UINT64_MAX || size / PAGE_SIZE > FLUSH_RANGE_MAX_PAGES) {
		shadow_flush(s, 0, true, asid, all_asid);
		spin_unlock(&trap_vm_of(v->vm)->lock);
		return;
	}
	/* Every page the range touches (SBI RFENCE ranges need not be aligned). */
	uint64_t first = start & ~(PAGE_SIZE - 1);
	uint64_t last = (start + (size ? size - 1 : 0)) & ~(PAGE_SIZE - 1);
	for (uint64_t va = first; ; va += PAGE_SIZE) {
		shadow_flush(s, va, false, asid, all_asid);
		if (va == last)
			break;
	}
	spin_unlock(&trap_vm_of(v->vm)->lock);
}

/* The state OpenSBI gives an S-mode payload (captured from the boot hart
 * at Trapeze's own entry), MMU off, virtual S-mode. */
static void trap_vcpu_reset(struct vcpu *v)
{
	struct trap_vcpu *t = &v->arch->trap;

	*t = (struct trap_vcpu){ .csr = host_csr.reset, .vpriv = VPRIV_S };
}

static void trap_vcpu_resume(struct vcpu *v)
{
	struct trap_vcpu *t = &v->arch->trap;

	t->csr.satp = 0;
	t->csr.sstatus &= ~SSTATUS_SIE;
	t->vpriv = VPRIV_S;
}

static uint64_t trap_virq_enabled(const struct vcpu *v)
{
	return vcsr_virq_enabled(v);
}

/* SBI v3.0, "Software Event Injection", on the virtual CSRs: like a trap
 * (inject above) but to entry_pc, scause and stval untouched. */
static void trap_sse_enter(struct vcpu *v, uint64_t entry_pc, struct engine_sse_state *interrupted)
{
	struct vcsr *c = &v->arch->trap.csr;

	interrupted->sepc = c->sepc;
	interrupted->spp = (c->sstatus & SSTATUS_SPP) != 0;
	interrupted->spie = (c->sstatus & SSTATUS_SPIE) != 0;
	c->sepc = v->arch->regs.pc;
	c->sstatus &= ~(SSTATUS_SPP | SSTATUS_SPIE);
	if (v->arch->trap.vpriv == VPRIV_S)
		c->sstatus |= SSTATUS_SPP;
	if (c->sstatus & SSTATUS_SIE)
		c->sstatus |= SSTATUS_SPIE;
	c->sstatus &= ~SSTATUS_SIE;
	v->arch->trap.vpriv = VPRIV_S;
	v->arch->regs.pc = entry_pc;
}

/* SBI v3.0, "Software Event Completion": an SRET from the handler's sepc
 * and SPP/SPIE, then the interrupted sepc/SPP/SPIE back. trap_enter picks
 * the host address space of the privilege returned to. */
static uint64_t trap_sse_complete(struct vcpu *v, const struct engine_sse_state *restore)
{
	struct vcsr *c = &v->arch->trap.csr;
	uint64_t pc = c->sepc;

	v->arch->trap.vpriv = (c->sstatus & SSTATUS_SPP) ? VPRIV_S : VPRIV_U;
	c->sstatus &= ~SSTATUS_SIE;
	if (c->sstatus & SSTATUS_SPIE)
		c->sstatus |= SSTATUS_SIE;
	c->sstatus &= ~(SSTATUS_SPP | SSTATUS_SPIE);
	c->sstatus |= (restore->spp ? SSTATUS_SPP : 0) | (restore->spie ? SSTATUS_SPIE : 0);
	c->sepc = restore->sepc;
	return pc;
}

const struct engine engine_trap = {
	.name = "trap",
	.handlers = {
		[EXC_ILLEGAL_INST] = emulate_insn,
		[EXC_INST_ACCESS] = handle_fetch_access,
		[EXC_ECALL_U] = handle_ecall,
		[EXC_BREAKPOINT] = patch_breakpoint,
		[EXC_INST_PAGE_FAULT] = handle_page_fault,
		[EXC_LOAD_PAGE_FAULT] = handle_page_fault,
		[EXC_STORE_PAGE_FAULT] = handle_page_fault,
	},
	.vm_init = engine_trap_vm_init,
	.vm_reset = engine_trap_vm_reset,
	.vm_destroy = engine_trap_vm_destroy,
	.vcpu_reset = trap_vcpu_reset,
	.vcpu_resume = trap_vcpu_resume,
	.sync_from_hw = trap_sync_from_hw,
	.enter = trap_enter,
	.stays_loaded = trap_stays_loaded,
	.leave = trap_leave,
	.inject = trap_inject_op,
	.deliver_irq = trap_deliver_irq,
	.virq_enabled = trap_virq_enabled,
	.flush_guest_tlb = trap_flush_guest_tlb,
	.firmware_load = trap_firmware_load,
	.print_stats = engine_trap_print_stats,
	.mem_written = patch_mem_written,
	.sse_enter = trap_sse_enter,
	.sse_complete = trap_sse_complete,
};
