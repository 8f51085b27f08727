#include "arch/riscv/patch.h"

#include "arch/riscv/csr.h"
#include "arch/riscv/decode.h"
#include "arch/riscv/emulate_mem.h"
#include "arch/riscv/engine_trap.h"
#include "arch/riscv/insn.h"
#include "arch/riscv/probe.h"
#include "arch/riscv/vcpu_arch.h"
#include "core/lib/spinlock.h"
#include "core/frame.h"
#include "core/guestmem.h"
#include "core/hostmem.h"
#include "core/lib/string.h"
#include "core/realmap.h"
#include "core/stats.h"
#include "core/vm.h"

#define PAGE_MASK           ((uint64_t)PATCH_PAGE_SIZE - 1)
/* Guest loads from one patched page, each completed by Trapeze, before
 * the page is cheaper unpatched (a patched execution saves about 10 us,
 * a completed load costs about 3). */
#define PATCH_READS_MAX     256
#define PATCH_SCAN_SITES    16
/* Patched sites run in one exit, back to back, at most. */
#define PATCH_CHAIN_MAX     8
/* LR's funct5 (Unprivileged ISA 20191213, 8.2 "Load-Reserved/Store-Conditional"). */
#define PATCH_AMO_LR        0x02

static struct patch_vm *patch_of(const struct vm *vm)
{
	return &trap_vm_of(vm)->patch;
}

/* The frame and site tables, like the shadows they feed, are the VM's,
 * shared by its vCPUs and by whoever writes its memory: every look-up and
 * change holds the trap engine's per-VM lock. */
static struct spinlock *patch_lock(const struct vm *vm)
{
	return &trap_vm_of(vm)->lock;
}

static unsigned hash_page(uint64_t gpa, unsigned size)
{
	return (unsigned)(((gpa >> 12) * 0x9e3779b97f4a7c15ULL) >> 40) & (size - 1);
}

static unsigned hash_site(uint64_t gpa, unsigned size)
{
	return (unsigned)(((gpa >> 1) * 0x9e3779b97f4a7c15ULL) >> 40) & (size - 1);
}

/* ---- the frame and site tables: open addressing, backward-shift deletion */

static struct patch_frame *frame_find(struct patch_vm *p, uint64_t page)
{
	if (p->nframes == 0)
		return NULL;
	for (unsigned i = hash_page(page, PATCH_FRAMES_MAX), n = 0; n < PATCH_FRAMES_MAX;
	     i = (i + 1) & (PATCH_FRAMES_MAX - 1), n++) {
		if (p->frames[i].gpa == page)
			return &p->frames[i];
		if (p->frames[i].gpa == 0)
			return NULL;
	}
	return NULL;
}

static struct patch_frame *frame_insert(struct patch_vm *p, uint64_t page)
{
	/* At most three quarters full: probes stay short. */
	if (p->nframes >= PATCH_FRAMES_MAX * 3 / 4)
		return NULL;
	unsigned i = hash_page(page, PATCH_FRAMES_MAX);
	while (p->frames[i].gpa != 0)
		i = (i + 1) & (PATCH_FRAMES_MAX - 1);
	p->frames[i] = (struct patch_frame){ .gpa = page };
	__atomic_store_n(&p->nframes, p->nframes + 1, __ATOMIC_SEQ_CST);
	return &p->frames[i];
}

/* Whether home slot k lies cyclically in (i, j]. */
static bool between(unsigned i, unsigned k, unsigned j)
{
	return i <= j ? (i < k && k <= j) : (i < k || k <= j);
}

static void frame_delete(struct patch_vm *p, struct patch_frame *f)
{
	unsigned i = (unsigned)(f - p->frames), j = i;

	for (;;) {
		j = (j + 1) & (PATCH_FRAMES_MAX - 1);
		if (p->frames[j].gpa == 0)
			break;
		if (between(i, hash_page(p->frames[j].gpa, PATCH_FRAMES_MAX), j))
			continue;
		p->frames[i] = p->frames[j];
		i = j;
	}
	p->frames[i] = (struct patch_frame){ 0 };
	__atomic_store_n(&p->nframes, p->nframes - 1, __ATOMIC_SEQ_CST);
}

static struct patch_site *site_find(struct patch_vm *p, uint64_t gpa)
{
	if (p->nsites == 0)
		return NULL;
	for (unsigned i = hash_site(gpa, PATCH_SITES_MAX), n = 0; n < PATCH_SITES_MAX;
	     i = (i + 1) & (PATCH_SITES_MAX - 1), n++) {
		if (p->sites[i].gpa == gpa)
			return &p->sites[i];
		if (p->sites[i].gpa == 0)
			return NULL;
	}
	return NULL;
}

static struct patch_site *site_insert(struct patch_vm *p, uint64_t gpa)
{
	if (p->nsites >= PATCH_SITES_MAX * 3 / 4)
		return NULL;
	unsigned i = hash_site(gpa, PATCH_SITES_MAX);
	while (p->sites[i].gpa != 0)
		i = (i + 1) & (PATCH_SITES_MAX - 1);
	p->sites[i] = (struct patch_site){ .gpa = gpa };
	p->nsites++;
	return &p->sites[i];
}

static void site_delete(struct patch_vm *p, unsigned i)
{
	unsigned j = i;

	for (;;) {
		j = (j + 1) & (PATCH_SITES_MAX - 1);
		if (p->sites[j].gpa == 0)
			break;
		if (between(i, hash_site(p->sites[j].gpa, PATCH_SITES_MAX), j))
			continue;
		p->sites[i] = p->sites[j];
		i = j;
	}
	p->sites[i] = (struct patch_site){ 0 };
	p->nsites--;
}

/* ---- the bitmap of frames that may have writable shadow entries */

static bool writable_bit(const struct patch_vm *p, uint64_t gpa, bool clear)
{
	uint64_t page = (gpa - GUEST_RAM_BASE) >> 12;

	if (gpa < GUEST_RAM_BASE || page >= p->writable_pages || p->writable == NULL)
		return true;    /* unknown: assume it may */
	bool set = p->writable[page / 8] & (1u << (page % 8));
	if (clear)
		p->writable[page / 8] &= (uint8_t)~(1u << (page % 8));
	return set;
}

void patch_writable(void *ctx, uint64_t gpa)
{
	struct patch_vm *p = patch_of(ctx);
	uint64_t page = (gpa - GUEST_RAM_BASE) >> 12;

	if (gpa >= GUEST_RAM_BASE && page < p->writable_pages && p->writable)
		p->writable[page / 8] |= (uint8_t)(1u << (page % 8));
}

uint64_t patch_copy(void *ctx, uint64_t gpa)
{
	struct patch_frame *f = frame_find(patch_of(ctx), gpa & ~PAGE_MASK);

	return f ? f->copy : 0;
}

/* ---- VM lifetime */

/* Reads of the four CSRs always; writes of those whose real CSR keeps
 * every value (probe.c: a store cannot legalise what the guest writes). */
static void x0_on(struct vm *vm)
{
	struct patch_vm *p = patch_of(vm);

	p->x0 = PATCH_X0_READS | (host_csr.x0_plain << PATCH_X0_SLOTS);
	trap_vm_of(vm)->shadow_ops.x0_page = p->x0_page;
}

int patch_vm_init(struct vm *vm)
{
	struct patch_vm *p = patch_of(vm);

	memset(p, 0, sizeof(*p));
	p->enabled = vm->desc->patching == BOOTINFO_PATCHING_ON ||
		     vm->desc->patching == BOOTINFO_PATCHING_X0;
	if (!p->enabled)
		return 0;
	p->writable_pages = vm->desc->memory / PATCH_PAGE_SIZE;
	uint64_t bytes = (p->writable_pages + 7) / 8;
	p->writable_nframes = (bytes + FRAME_SIZE - 1) / FRAME_SIZE;
	p->writable_frames_pa = frame_alloc_contig(p->writable_nframes, 1);
	if (p->writable_frames_pa == 0)
		return -1;
	p->writable = hostmem_va(p->writable_frames_pa);
	/* Every page starts "maybe writable": the Bare view maps all of RAM
	 * writable, and the first patch of each frame looks once. */
	memset(p->writable, 0xff, p->writable_nframes * FRAME_SIZE);
	if (vm->desc->patching == BOOTINFO_PATCHING_X0 && vm->nvcpus == 1 &&
	    (p->x0_page = frame_alloc()) != 0) {
		p->x0_slots = (uint64_t *)((uint8_t *)hostmem_va(p->x0_page) + (PATCH_PAGE_SIZE + PATCH_X0_OFF0));
		x0_on(vm);
	}
	return 0;
}

static void patch_drop_all(struct vm *vm)
{
	struct patch_vm *p = patch_of(vm);

	for (unsigned i = 0; i < PATCH_FRAMES_MAX; i++)
		if (p->frames[i].gpa)
			frame_free(p->frames[i].copy, 1);
	memset(p->frames, 0, sizeof(p->frames));
	memset(p->sites, 0, sizeof(p->sites));
	p->nframes = p->nsites = 0;
}

/* The shadows are gone by now (engine_trap_vm_reset destroys them first). */
void patch_vm_reset(struct vm *vm)
{
	struct patch_vm *p = patch_of(vm);

	patch_drop_all(vm);
	if (p->writable)
		memset(p->writable, 0xff, p->writable_nframes * FRAME_SIZE);
	if (p->x0_page)
		x0_on(vm);
}

void patch_vm_destroy(struct vm *vm)
{
	struct patch_vm *p = patch_of(vm);

	patch_drop_all(vm);
	if (p->writable_frames_pa)
		frame_free(p->writable_frames_pa, p->writable_nframes);
	if (p->x0_page)
		frame_free(p->x0_page, 1);
	p->x0_page = 0;
	p->x0_slots = NULL;
	p->x0 = 0;
	p->writable = NULL;
	p->writable_frames_pa = 0;
}

/* ---- patching and undoing */

static bool patch_paging_s(const struct vcpu *v)
{
	return v->arch->trap.vpriv == VPRIV_S &&
	       (v->arch->trap.csr.satp >> SATP_MODE_SHIFT) != SATP_MODE_BARE;
}

/* Whether a vCPU of vm other than self may run with paging off (on the
 * Bare view, writable everywhere: patch_vcpu_bare). self is in virtual S
 * with paging on right now, whatever its flag says until its next entry. */
static bool other_vcpu_bare(const struct vm *vm, const struct vcpu *self)
{
	for (unsigned i = 0; i < vm->nvcpus; i++) {
		const struct vcpu *o = vm->vcpus[i];
		if (o && o != self && __atomic_load_n(&o->arch->trap.runs_bare, __ATOMIC_SEQ_CST))
			return true;
	}
	return false;
}

/* The frame at page, patched (a new copy, its writable aliases dropped). */
static struct patch_frame *frame_get(struct vcpu *v, uint64_t page, bool *fresh)
{
	struct vm *vm = v->vm;
	struct patch_vm *p = patch_of(vm);
	struct patch_frame *f = frame_find(p, page);
	struct realmap_entry e;

	*fresh = false;
	if (f)
		return f;
	if (other_vcpu_bare(vm, v)) {
		p->stats.bare++;
		return NULL;
	}
	if (realmap_lookup(&vm->realmap, page, &e) != REALMAP_RAM)
		return NULL;
	uint64_t copy = frame_alloc();
	if (copy == 0)
		return NULL;
	if ((f = frame_insert(p, page)) == NULL) {
		frame_free(copy, 1);
		return NULL;
	}
	/*
	 * Published before the copy is taken (frame_insert's store, then a
	 * full fence, then the pin count): a write by Trapeze or a device
	 * either ended before the copy reads the frame, or finds the frame
	 * here and undoes it (patch_mem_written; writers check after their
	 * bytes, or under a pin). DMA runs under a pin for its whole flight,
	 * so no frame is patched while any pin of the VM is held.
	 */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (__atomic_load_n(&vm->mem_pins, __ATOMIC_SEQ_CST) != 0) {
		frame_delete(p, f);
		frame_free(copy, 1);
		p->stats.busy++;
		return NULL;
	}
	/* No alias may write the frame from now on: stores must reach us.
	 * Before the copy is taken: a store another vCPU makes through a
	 * writable entry meanwhile would be in neither the copy nor an undo
	 * (the drop fences every hart; new fills find the frame published,
	 * under the lock held here, and map it read-only). */
	f->orig_hpa = e.hpa & ~PAGE_MASK;
	if (writable_bit(p, page, true)) {
		p->stats.protect_scans++;
		shadow_drop_frame(&trap_vm_of(vm)->shadow, f->orig_hpa, true);
	}
	if (!guestmem_read(vm, page, hostmem_va(copy), PATCH_PAGE_SIZE)) {
		frame_delete(p, f);
		frame_free(copy, 1);
		p->stats.busy++;
		return NULL;
	}
	f->copy = copy;
	p->stats.frames++;
	*fresh = true;
	return f;
}

static void site_write(struct patch_frame *f, uint64_t gpa, uint32_t raw, enum patch_form form)
{
	uint8_t *b = (uint8_t *)hostmem_va(f->copy) + (gpa & PAGE_MASK);

	/* One store, naturally aligned (patch_decide_form chose the form for
	 * that): another hart of the VM fetching the site meanwhile sees the
	 * original or the breakpoint, never half of each. */
	if (form == PATCH_FORM_EBREAK)
		__atomic_store_n((uint32_t *)b, PATCH_EBREAK, __ATOMIC_RELAXED);
	else if (form == PATCH_FORM_X0_LOAD || form == PATCH_FORM_X0_STORE)
		__atomic_store_n((uint32_t *)b, patch_x0_insn(raw, form), __ATOMIC_RELAXED);
	else
		__atomic_store_n((uint16_t *)b, (uint16_t)PATCH_C_EBREAK, __ATOMIC_RELAXED);
}

static bool site_add(struct patch_vm *p, struct patch_frame *f, uint64_t gpa, uint32_t raw,
		     enum patch_form form)
{
	struct patch_site *s = site_insert(p, gpa);

	if (s == NULL) {
		p->stats.refused++;
		return false;
	}
	s->raw = raw;
	s->form = (uint8_t)form;
	site_write(f, gpa, raw, form);
	f->nsites++;
	p->stats.discovered++;
	p->stats.patched[form]++;
	return true;
}

bool patch_wanted(struct vcpu *v, uint64_t pc, uint32_t raw, struct patch_req *req)
{
	struct patch_vm *p = &trap_vm_of(v->vm)->patch;

	if (!p->enabled || !patch_paging_s(v))
		return false;
	req->form = (uint8_t)patch_decide_form_x0(raw, (unsigned)(pc & PAGE_MASK), p->x0);
	if (req->form == PATCH_FORM_NONE || !engine_trap_fetch_pa(v, pc, &req->gpa))
		return false;
	req->pc = pc;
	req->raw = raw;
	req->satp = v->arch->trap.csr.satp;
	return true;
}

void patch_discover(struct vcpu *v, const struct patch_req *req)
{
	struct vm *vm = v->vm;
	struct trap_vm *a = trap_vm_of(vm);
	struct patch_vm *p = &a->patch;
	uint64_t gpa = req->gpa, pc = req->pc;
	unsigned off = (unsigned)(pc & PAGE_MASK);
	bool fresh;

	spin_lock(&a->lock);
	if (site_find(p, gpa)) {
		/* Patched already: this mapping predates the patch. */
		p->stats.stale++;
		shadow_drop_leaf(&a->shadow, req->satp, SHADOW_VIEW_S, pc & ~PAGE_MASK);
		spin_unlock(&a->lock);
		return;
	}
	struct patch_frame *f = frame_get(v, gpa & ~PAGE_MASK, &fresh);
	if (f == NULL) {
		p->stats.refused++;
		spin_unlock(&a->lock);
		return;
	}
	if (!site_add(p, f, gpa, req->raw, (enum patch_form)req->form)) {
		spin_unlock(&a->lock);
		return;
	}
	/* The straight-line path after it, in the original bytes (the copy
	 * holds them too, but for the sites already written). */
	const uint8_t *orig = guestmem_pin(vm, gpa & ~PAGE_MASK, PATCH_PAGE_SIZE);
	if (orig) {
		struct patch_candidate c[PATCH_SCAN_SITES];
		unsigned n = patch_decide_scan(orig, off + 4, p->x0, c, PATCH_SCAN_SITES);
		guestmem_unpin(vm);
		for (unsigned i = 0; i < n; i++) {
			uint64_t sg = (gpa & ~PAGE_MASK) + c[i].off;
			if (!site_find(p, sg) && !site_add(p, f, sg, c[i].raw, c[i].form))
				break;
		}
	}
	if (fresh)
		shadow_drop_leaf(&a->shadow, req->satp, SHADOW_VIEW_S, pc & ~PAGE_MASK);
	spin_unlock(&a->lock);
	/* The copy's instructions changed (Unprivileged ISA 20191213, 5.1
	 * "Zifencei"): FENCE.I on this hart and on every other one, which
	 * may run a vCPU of this VM now or next (vcpu_flush_icache: the host
	 * firmware's remote FENCE.I). QEMU keeps its translations coherent
	 * with every store, so only the unit tests see a missing one. */
	vcpu_flush_icache(v);
	p->stats.icache_fences++;
}

/* The lock held. */
static void undo_frame_locked(struct vm *vm, struct patch_frame *f, enum patch_undo why)
{
	struct patch_vm *p = patch_of(vm);
	uint64_t page = f->gpa;

	/* Every S-view entry of the copy goes; the original's read-only ones
	 * become writable on their next store (an upgrade fill). */
	shadow_drop_frame(&trap_vm_of(vm)->shadow, f->copy, false);
	bool again;
	do {
		again = false;
		for (unsigned i = 0; i < PATCH_SITES_MAX; i++) {
			if (p->sites[i].gpa != 0 && (p->sites[i].gpa & ~PAGE_MASK) == page) {
				site_delete(p, i);
				p->stats.sites_undone++;
				again = true;
			}
		}
	} while (again);
	frame_free(f->copy, 1);
	frame_delete(p, f);
	p->stats.undone[why]++;
}

void patch_undo_frame(struct vm *vm, uint64_t gpa, enum patch_undo why)
{
	struct patch_vm *p = patch_of(vm);

	spin_lock(patch_lock(vm));
	struct patch_frame *f = frame_find(p, gpa & ~PAGE_MASK);
	if (f)
		undo_frame_locked(vm, f, why);
	spin_unlock(patch_lock(vm));
}

void patch_x0_hide(struct vm *vm)
{
	struct patch_vm *p = patch_of(vm);

	spin_lock(patch_lock(vm));
	if (p->x0) {
		p->x0 = 0;
		trap_vm_of(vm)->shadow_ops.x0_page = 0;
		for (unsigned i = 0; i < PATCH_FRAMES_MAX; i++)
			while (p->frames[i].gpa)
				undo_frame_locked(vm, &p->frames[i], PATCH_UNDO_X0_MAPPED);  /* slot refilled */
		shadow_drop_frame(&trap_vm_of(vm)->shadow, p->x0_page, false);
	}
	spin_unlock(patch_lock(vm));
}

void patch_mem_written(struct vm *vm, uint64_t gpa, uint64_t len)
{
	struct patch_vm *p = patch_of(vm);

	if (!p->enabled || len == 0)
		return;
	/* After the writer's bytes or its pin, before the frame count
	 * (frame_get pairs with this): see frame_get. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (__atomic_load_n(&p->nframes, __ATOMIC_SEQ_CST) == 0)
		return;
	uint64_t first = gpa & ~PAGE_MASK;
	uint64_t last = (gpa + len - 1) & ~PAGE_MASK;
	if (last < first)
		last = ~PAGE_MASK;      /* wrapped: to the top */
	spin_lock(patch_lock(vm));
	if ((last - first) / PATCH_PAGE_SIZE >= PATCH_FRAMES_MAX) {
		/* A long range (a module loaded): every patched frame in it. */
		for (unsigned i = 0; i < PATCH_FRAMES_MAX; i++) {
			struct patch_frame *f = &p->frames[i];
			while (f->gpa && f->gpa >= first && f->gpa <= last)
				undo_frame_locked(vm, f, PATCH_UNDO_HOST_WRITE);    /* slot refilled */
		}
	} else {
		for (uint64_t page = first; ; page += PATCH_PAGE_SIZE) {
			struct patch_frame *f = frame_find(p, page);
			if (f)
				undo_frame_locked(vm, f, PATCH_UNDO_HOST_WRITE);
			if (page == last)
				break;
		}
	}
	spin_unlock(patch_lock(vm));
}

void patch_vcpu_bare(struct vcpu *v, bool bare)
{
	struct vm *vm = v->vm;
	struct patch_vm *p = patch_of(vm);

	if (!bare || !p->enabled) {
		__atomic_store_n(&v->arch->trap.runs_bare, bare, __ATOMIC_SEQ_CST);
		return;
	}
	/* The flag first, under the lock frame_get checks it under: a frame
	 * is patched either before (and undone here) or never. */
	spin_lock(patch_lock(vm));
	__atomic_store_n(&v->arch->trap.runs_bare, true, __ATOMIC_SEQ_CST);
	for (unsigned i = 0; i < PATCH_FRAMES_MAX; i++)
		while (p->frames[i].gpa)
			undo_frame_locked(vm, &p->frames[i], PATCH_UNDO_BARE);  /* slot refilled */
	spin_unlock(patch_lock(vm));
}

/* ---- a patched site runs */

/* CSRs whose instructions vS always completes without a trap and without
 * changing translation or privilege: after one of them the next patched
 * site may run in the same exit (Privileged ISA v1.12, 4.1). From the raw
 * bits (a site's original is always 4 bytes): Zicsr is SYSTEM with funct3
 * 1-3 and 5-7 ("CSR Instructions"). */
static bool patch_chainable(uint32_t raw)
{
	if ((raw & 0x7f) != 0x73 || ((raw >> 12) & 3) == 0)
		return false;
	switch (raw >> 20) {
	case CSR_SSTATUS: case CSR_SIE: case CSR_SIP: case CSR_SSCRATCH:
	case CSR_SEPC: case CSR_SCAUSE: case CSR_STVAL:
		return true;
	default:
		return false;
	}
}

static void count_exec(struct patch_stats *st, const struct insn *in)
{
	switch (in->kind) {
	case INSN_CSR: st->exec_csr++; break;
	case INSN_SRET: st->exec_sret++; break;
	case INSN_SFENCE_VMA: st->exec_sfence++; break;
	default: st->exec_wfi++; break;
	}
}

/* The original instruction of the site at gpa and its form (false when
 * there is none). */
static bool site_raw(struct vm *vm, uint64_t gpa, uint32_t *raw, uint8_t *form)
{
	struct patch_vm *p = patch_of(vm);

	spin_lock(patch_lock(vm));
	struct patch_site *s = site_find(p, gpa);
	if (s) {
		*raw = s->raw;
		*form = s->form;
	}
	spin_unlock(patch_lock(vm));
	return s != NULL;
}

bool patch_x0_site(struct vcpu *v, uint64_t pc)
{
	uint64_t gpa;
	uint32_t raw;
	uint8_t form;

	return patch_of(v->vm)->x0 && patch_paging_s(v) && engine_trap_fetch_pa(v, pc, &gpa) &&
	       site_raw(v->vm, gpa, &raw, &form) &&
	       (form == PATCH_FORM_X0_LOAD || form == PATCH_FORM_X0_STORE);
}

static void count_form(struct patch_stats *st, uint8_t form)
{
	if (form < PATCH_FORMS)
		st->exec_form[form]++;
}

/* The original instruction of a site, emulated as its illegal-instruction
 * trap would have been (t says so): Linux's hot CSR accesses straight from
 * the bits (insn.c, emulate_csr_hot), anything else decoded. -1 when raw
 * does not decode (never for a site patch_decide chose). */
static int run_site(struct vcpu *v, struct trap_info *t, uint32_t raw, enum resume *r)
{
	struct patch_stats *st = &patch_of(v->vm)->stats;
	struct insn in;

	if (emulate_csr_hot(v, t, raw)) {
		st->exec_csr++;
		*r = RESUME_NEXT;
		return 0;
	}
	if (decode_insn(raw, &in) != 0)
		return -1;
	count_exec(st, &in);
	*r = emulate_insn_decoded(v, t, &in);
	return 0;
}

enum resume patch_breakpoint(struct vcpu *v, struct trap_info *t)
{
	struct patch_vm *p = &trap_vm_of(v->vm)->patch;
	uint64_t gpa;
	uint32_t raw;
	uint8_t form;

	if (!p->enabled || !patch_paging_s(v) || !engine_trap_fetch_pa(v, t->epc, &gpa))
		return trap_inject(t, t->cause, t->tval);       /* the guest's own */
	if (!site_raw(v->vm, gpa, &raw, &form)) {
		/*
		 * No site: the guest's own EBREAK or C.EBREAK, or a patch undone
		 * (by another vCPU's store, a vCPU going Bare, a device) while
		 * this hart was trapping on it from the copy. The original
		 * bytes tell: a breakpoint is reflected; anything else is run
		 * again, from the original now (the undo dropped and fenced
		 * every mapping of the copy).
		 */
		if (engine_trap_fetch(v, t->epc, &raw) == 0 && raw != PATCH_EBREAK &&
		    raw != PATCH_C_EBREAK) {
			p->stats.stale++;
			return RESUME_SAME;
		}
		return trap_inject(t, t->cause, t->tval);
	}
	/* What the illegal-instruction trap of the original would have
	 * reported (its stval: the instruction's bits). */
	struct trap_info bp = *t;
	t->cause = EXC_ILLEGAL_INST;
	t->tval = raw;
	uint64_t sstatus_before = v->arch->trap.csr.sstatus;
	bool chainable = patch_chainable(raw);
	enum resume r;
	if (run_site(v, t, raw, &r) != 0)
		return trap_inject(t, bp.cause, bp.tval);
	count_form(&p->stats, form);

	/*
	 * Back to back: the next instruction in the same page is a patched
	 * site too (Linux's trap entry reads sepc, stval, scause, sscratch in
	 * a row). While each one is a CSR access vS always completes (no trap
	 * can show the guest a pc inside the run) and no interrupt has become
	 * deliverable (bare hardware would take it at that boundary, so the
	 * resume path must see it first), the next runs in this exit; the
	 * dispatcher then steps over all of them at once.
	 */
	for (unsigned n = 1; r == RESUME_NEXT && n < PATCH_CHAIN_MAX && patch_chainable(raw); n++) {
		uint64_t next = gpa + 4;
		uint32_t raw2;
		uint8_t form2;
		/* An x0-form site runs natively, faster than here. */
		if ((next & ~PAGE_MASK) != (gpa & ~PAGE_MASK) || !site_raw(v->vm, next, &raw2, &form2) ||
		    form2 == PATCH_FORM_X0_LOAD || form2 == PATCH_FORM_X0_STORE ||
		    !patch_chainable(raw2) || engine_trap_irq_deliverable(v))
			break;
		struct trap_info t2 = { .cause = EXC_ILLEGAL_INST, .tval = raw2, .epc = t->epc + t->insn_len };
		enum resume r2;
		if (run_site(v, &t2, raw2, &r2) != 0 || r2 != RESUME_NEXT)
			break;      /* not reached: chainable CSRs complete */
		count_form(&p->stats, form2);
		p->stats.chained++;
		t->insn_len += t2.insn_len;
		gpa = next;
		raw = raw2;
	}
	/* A run of chainable CSR accesses that moved no `sstatus` bit but
	 * SIE, SPIE and SPP changed nothing trap_enter loads (SUM and MXR
	 * pick the view, FS the real sstatus): the vCPU may resume in place
	 * (engine_trap.c, trap_stays_loaded). */
	v->arch->trap.stays_loaded = r == RESUME_NEXT && chainable &&
		!((sstatus_before ^ v->arch->trap.csr.sstatus) &
		  ~(SSTATUS_SIE | SSTATUS_SPIE | SSTATUS_SPP));
	return r;
}

enum resume patch_access(struct vcpu *v, struct trap_info *t, uint64_t gpa)
{
	struct patch_vm *p = &trap_vm_of(v->vm)->patch;
	struct insn in;
	uint32_t raw;

	struct guest_view gv;

	engine_trap_guest_view(v, &gv);
	if (t->cause == EXC_STORE_PAGE_FAULT) {
		patch_undo_frame(v->vm, gpa, PATCH_UNDO_WRITE);
		/* An SC only reaches its store with its reservation valid (QEMU
		 * checks first), and the trap cleared it: completed here, as
		 * after a shadow fill (finding 17); anything else is retried. */
		return emulate_sc_after_fill(&gv, t);
	}
	spin_lock(patch_lock(v->vm));
	struct patch_frame *f = frame_find(p, gpa & ~PAGE_MASK);
	bool undo = f == NULL || ++f->reads > PATCH_READS_MAX;
	if (f && undo)
		undo_frame_locked(v->vm, f, PATCH_UNDO_READS);
	spin_unlock(patch_lock(v->vm));
	if (undo)
		return RESUME_SAME;     /* gone (undone meanwhile, or now): retry */
	p->stats.reads++;
	/* An LR Trapeze completed would leave the hardware without its
	 * reservation, and the guest's SC would fail where bare hardware's
	 * succeeds: the frame is undone and the LR runs on the original. */
	if (engine_trap_fetch(v, t->epc, &raw) || engine_trap_decode(v, raw, &in) ||
	    (in.kind == INSN_AMO && ((in.raw >> 27) & 0x1f) == PATCH_AMO_LR)) {
		patch_undo_frame(v->vm, gpa, PATCH_UNDO_READS);
		return RESUME_SAME;
	}
	return emulate_hidden_access(&gv, t, &in);
}

void patch_print_stats(const struct vm *vm)
{
	const struct patch_vm *p = patch_of(vm);
	const struct patch_stats *s = &p->stats;
	struct stats_line l = { .vm = vm->name, .group = "patch" };

	if (!p->enabled)
		return;
	stats_add(&l, "sites", s->discovered);
	stats_add(&l, "ebreak", s->patched[PATCH_FORM_EBREAK]);
	stats_add(&l, "c.ebreak", s->patched[PATCH_FORM_C_EBREAK]);
	stats_add(&l, "x0-load", s->patched[PATCH_FORM_X0_LOAD]);
	stats_add(&l, "x0-store", s->patched[PATCH_FORM_X0_STORE]);
	stats_add(&l, "refused", s->refused);
	stats_add(&l, "busy", s->busy);
	stats_add(&l, "bare", s->bare);
	stats_add(&l, "frames", s->frames);
	stats_add(&l, "exec-csr", s->exec_csr);
	stats_add(&l, "exec-sret", s->exec_sret);
	stats_add(&l, "exec-sfence", s->exec_sfence);
	stats_add(&l, "exec-wfi", s->exec_wfi);
	stats_add(&l, "chained", s->chained);
	stats_add(&l, "exec-ebreak", s->exec_form[PATCH_FORM_EBREAK]);
	stats_add(&l, "exec-c.ebreak", s->exec_form[PATCH_FORM_C_EBREAK]);
	/* Each patched execution is an M-mode round trip saved. */
	stats_add(&l, "traps-saved", s->exec_csr + s->exec_sret + s->exec_sfence + s->exec_wfi);
	stats_add(&l, "stale", s->stale);
	stats_add(&l, "reads", s->reads);
	stats_add(&l, "undone-write", s->undone[PATCH_UNDO_WRITE]);
	stats_add(&l, "undone-reads", s->undone[PATCH_UNDO_READS]);
	stats_add(&l, "undone-host", s->undone[PATCH_UNDO_HOST_WRITE]);
	stats_add(&l, "undone-bare", s->undone[PATCH_UNDO_BARE]);
	stats_add(&l, "undone-x0-mapped", s->undone[PATCH_UNDO_X0_MAPPED]);
	stats_add(&l, "sites-undone", s->sites_undone);
	stats_add(&l, "protect-scans", s->protect_scans);
	stats_add(&l, "fence-i", s->icache_fences);
	stats_add(&l, "x0-load-faults", s->x0_load_faults);
	stats_add(&l, "x0-store-faults", s->x0_store_faults);
	stats_add(&l, "x0-stores-seen", s->x0_stores_seen);
	stats_flush(&l);
}
