#include "arch/riscv/emulate_mem.h"

#include "arch/riscv/csr.h"
#include "arch/riscv/decode.h"
#include "arch/riscv/engine_trap.h"
#include "arch/riscv/firmware_pmp.h"
#include "arch/riscv/fp.h"
#include "arch/riscv/gpt.h"
#include "arch/riscv/guest_pt.h"
#include "arch/riscv/layout.h"
#include "arch/riscv/misaligned.h"
#include "arch/riscv/vcpu_arch.h"
#include "dev/mmio.h"
#include "core/guestmem.h"
#include "core/realmap.h"
#include "core/vm.h"

/* AMO funct5 (Unprivileged ISA, "A" extension, Table "AMO encodings"). */
#define AMO_ADD     0x00
#define AMO_SWAP    0x01
#define AMO_LR      0x02
#define AMO_SC      0x03
#define AMO_XOR     0x04
#define AMO_OR      0x08
#define AMO_AND     0x0c
#define AMO_MIN     0x10
#define AMO_MAX     0x14
#define AMO_MINU    0x18
#define AMO_MAXU    0x1c

static uint64_t fault_cause(enum gpt_access a, bool page)
{
	if (a == GPT_LOAD)
		return page ? EXC_LOAD_PAGE_FAULT : EXC_LOAD_ACCESS;
	return page ? EXC_STORE_PAGE_FAULT : EXC_STORE_ACCESS;
}

static uint64_t sign_extend(uint64_t val, unsigned width)
{
	unsigned shift = 64 - 8 * width;

	return width == 8 ? val : (uint64_t)((int64_t)(val << shift) >> shift);
}

uint64_t emulate_mem_store_value(const struct vcpu *v, const struct insn *in)
{
	return in->fp ? fp_read_reg(in->rs2) : vcpu_get_gpr(v, in->rs2);
}

void emulate_mem_load_result(const struct guest_view *gv, const struct insn *in, uint64_t val)
{
	struct vcpu *v = gv->v;

	if (in->width < 8)
		val &= (1ULL << (8 * in->width)) - 1;
	if (in->fp) {
		/* A 32-bit FP load NaN-boxes its value (Unprivileged ISA, "D" extension). */
		fp_write_reg(in->rd, in->width == 4 ? (val | 0xffffffff00000000ULL) : val);
		gv->fp_dirty(v);
	} else {
		vcpu_set_gpr(v, in->rd, in->sign_extend ? sign_extend(val, in->width) : val);
	}
}

uint64_t emulate_mem_ea(const struct guest_view *gv, const struct insn *in)
{
	uint64_t ea = vcpu_get_gpr(gv->v, in->rs1) + (uint64_t)in->imm;

	return gv->xlen32 ? ea & 0xffffffffULL : ea;
}

/* The reference machine's view of guest memory for misaligned.c: the
 * guest's translation (A/D set), OpenSBI's PMP, its RAM and devices. */
static uint64_t guest_translate(void *ctx, uint64_t va, unsigned len, bool store, uint64_t *pa)
{
	const struct guest_view *gv = ctx;
	enum gpt_access access = store ? GPT_STORE : GPT_LOAD;
	uint64_t gpa = va;

	if ((gv->satp >> SATP_MODE_SHIFT) != SATP_MODE_BARE) {
		struct gpt_walk_req req = {
			.satp = gv->satp, .va = va, .access = access, .priv_s = gv->priv_s,
			.sum = gv->sum, .mxr = gv->mxr, .update_ad = true,
		};
		struct gpt_walk_res res;
		if (gpt_walk(&gv->pt, &req, &res) != GPT_WALK_OK)
			return res.cause ? res.cause : fault_cause(access, true);
		gpa = res.gpa;
	}
	if (!firmware_pmp_allows(gpa, len))
		return fault_cause(access, false);
	*pa = gpa;
	return 0;
}

/* Pin the guest RAM at va for an access of width bytes, through the
 * same translation (A/D set as hardware would, PMP): the caller unpins. */
static void *guest_pin(const struct guest_view *gv, uint64_t va, unsigned width,
		       enum gpt_access access, uint64_t *cause)
{
	uint64_t gpa;
	void *p;

	*cause = guest_translate((void *)gv, va, width, access == GPT_STORE, &gpa);
	if (*cause)
		return NULL;
	p = guestmem_pin(gv->v->vm, gpa, width);
	if (p == NULL)
		*cause = fault_cause(access, false);
	else if (access == GPT_STORE)
		guestmem_wrote(gv->v->vm, gpa, width);  /* under the pin: patches go first */
	return p;
}

static bool guest_is_ram(void *ctx, uint64_t pa)
{
	const struct guest_view *gv = ctx;

	return guestmem_is_ram(gv->v->vm, pa, 1);
}

/* One part: RAM (within one page: parts never cross one), or a device. */
static int guest_part(struct vcpu *v, uint64_t pa, unsigned len, bool write, uint64_t *val)
{
	struct realmap_entry e;

	switch (realmap_lookup(&v->vm->realmap, pa, &e)) {
	case REALMAP_RAM: {
		uint8_t *p = guestmem_pin(v->vm, pa, len);
		if (p == NULL)
			return MISALIGNED_FAULT;
		if (write)
			guestmem_wrote(v->vm, pa, len);
		for (unsigned i = 0; i < len; i++) {
			if (write)
				p[i] = (uint8_t)(*val >> (8 * i));
			else
				*val = (i ? *val : 0) | (uint64_t)p[i] << (8 * i);
		}
		guestmem_unpin(v->vm);
		return 0;
	}
	case REALMAP_MMIO: {
		struct mmio_access a = {
			.gpa = pa, .offset = e.offset, .width = len, .write = write,
			.value = write ? *val : 0,
		};
		int r = mmio_dispatch(v->vm, e.dev, e.mmio_slot, &a);
		if (r < 0)
			return MISALIGNED_FAULT;
		if (r == MMIO_HALT)
			return MISALIGNED_HALT;
		if (!write)
			*val = len == 8 ? a.value : a.value & ((1ULL << (8 * len)) - 1);
		return 0;
	}
	default:
		return MISALIGNED_FAULT;
	}
}

static int guest_read(void *ctx, uint64_t pa, unsigned len, uint64_t *val)
{
	return guest_part(((const struct guest_view *)ctx)->v, pa, len, false, val);
}

static int guest_write(void *ctx, uint64_t pa, unsigned len, uint64_t val)
{
	return guest_part(((const struct guest_view *)ctx)->v, pa, len, true, &val);
}

uint64_t emulate_firmware_load(const struct guest_view *gv, uint64_t va, uint64_t *val,
			       uint64_t *tval)
{
	const struct misaligned_ops ops = { (void *)gv, guest_translate, guest_is_ram, guest_read,
					    guest_write };
	uint64_t cause;

	if (misaligned_access(&ops, va, 8, false, val, &cause, tval) == MISALIGNED_DONE)
		return 0;
	return cause;
}

enum resume emulate_data_access(const struct guest_view *gv, struct trap_info *t,
				const struct insn *in)
{
	struct vcpu *v = gv->v;
	const struct misaligned_ops ops = { (void *)gv, guest_translate, guest_is_ram, guest_read,
					    guest_write };
	bool store = in->kind == INSN_STORE;
	uint64_t val = 0, cause, tval;

	v->vm->stats.accesses_emulated++;
	/* The firmware's misaligned-access emulation, for the SBI PMU. */
	if (emulate_mem_ea(gv, in) & (in->width - 1))
		sbi_pmu_fw_count(v, store ? SBI_PMU_FW_MISALIGNED_STORE : SBI_PMU_FW_MISALIGNED_LOAD);
	if (store)
		val = emulate_mem_store_value(v, in);
	switch (misaligned_access(&ops, emulate_mem_ea(gv, in), in->width, store, &val, &cause, &tval)) {
	case MISALIGNED_DONE:
		break;
	case MISALIGNED_HALT:
		return RESUME_HALT;
	default:
		if (cause == EXC_LOAD_ACCESS || cause == EXC_STORE_ACCESS) {
			v->vm->stats.access_faults++;
			sbi_pmu_fw_count(v, cause == EXC_LOAD_ACCESS ? SBI_PMU_FW_ACCESS_LOAD :
					 SBI_PMU_FW_ACCESS_STORE);
		}
		return trap_inject(t, cause, tval);
	}
	if (!store)
		emulate_mem_load_result(gv, in, val);
	t->insn_len = in->len;
	return RESUME_NEXT;
}

static uint64_t amo_op(unsigned op, uint64_t old, uint64_t src, unsigned width)
{
	int64_t so = (int64_t)sign_extend(old, width), ss = (int64_t)sign_extend(src, width);
	uint64_t mask = width == 8 ? ~0ULL : 0xffffffffULL;

	old &= mask;
	src &= mask;
	switch (op) {
	case AMO_SWAP: return src;
	case AMO_ADD: return old + src;
	case AMO_XOR: return old ^ src;
	case AMO_AND: return old & src;
	case AMO_OR: return old | src;
	case AMO_MIN: return so < ss ? old : src;
	case AMO_MAX: return so > ss ? old : src;
	case AMO_MINU: return old < src ? old : src;
	default: return old > src ? old : src;  /* AMO_MAXU */
	}
}

/* The AMO, LR or SC in at ea, with the guest RAM there pinned at p. */
static enum resume amo_on(struct vcpu *v, const struct insn *in, unsigned op, uint64_t ea,
			  uint8_t *p)
{
	bool lr = op == AMO_LR, sc = op == AMO_SC;

	if (lr) {
		uint64_t val = in->width == 8 ? __atomic_load_n((uint64_t *)p, __ATOMIC_ACQUIRE)
					      : (uint64_t)__atomic_load_n((uint32_t *)p, __ATOMIC_ACQUIRE);
		v->arch->lr = (struct lr_reservation){ true, ea, val };
		vcpu_set_gpr(v, in->rd, sign_extend(val, in->width));
		return RESUME_NEXT;
	}
	uint64_t src = vcpu_get_gpr(v, in->rs2);
	if (sc) {
		bool ok = v->arch->lr.valid && v->arch->lr.addr == ea;
		v->arch->lr.valid = false;
		/* Atomic against the VM's other vCPUs: the store happens only
		 * if the word still holds what the LR read (as QEMU's SC
		 * compares with its load_val), in one compare-and-swap. */
		if (ok && in->width == 8) {
			uint64_t expect = v->arch->lr.val;
			ok = __atomic_compare_exchange_n((uint64_t *)p, &expect, src, false,
							 __ATOMIC_SEQ_CST, __ATOMIC_RELAXED);
		} else if (ok) {
			uint32_t expect = (uint32_t)v->arch->lr.val;
			ok = __atomic_compare_exchange_n((uint32_t *)p, &expect, (uint32_t)src, false,
							 __ATOMIC_SEQ_CST, __ATOMIC_RELAXED);
		}
		vcpu_set_gpr(v, in->rd, ok ? 0 : 1);
		return RESUME_NEXT;
	}
	uint64_t old;
	if (in->width == 8) {
		uint64_t *w = (uint64_t *)p;
		old = __atomic_load_n(w, __ATOMIC_RELAXED);
		while (!__atomic_compare_exchange_n(w, &old, amo_op(op, old, src, 8), false,
						    __ATOMIC_SEQ_CST, __ATOMIC_RELAXED))
			;
	} else {
		uint32_t *w = (uint32_t *)p, o = __atomic_load_n(w, __ATOMIC_RELAXED);
		while (!__atomic_compare_exchange_n(w, &o, (uint32_t)amo_op(op, o, src, 4), false,
						    __ATOMIC_SEQ_CST, __ATOMIC_RELAXED))
			;
		old = o;
	}
	vcpu_set_gpr(v, in->rd, sign_extend(old, in->width));
	return RESUME_NEXT;
}

static int mmio_amo_access(struct vcpu *v, const struct realmap_entry *e, uint64_t gpa,
			   unsigned width, bool write, uint64_t *val)
{
	struct mmio_access a = { .gpa = gpa, .offset = e->offset, .width = width, .write = write,
				 .value = write ? *val : 0 };
	int r = mmio_dispatch(v->vm, e->dev, e->mmio_slot, &a);

	if (!write)
		*val = sign_extend(width == 8 ? a.value : a.value & 0xffffffffULL, width);
	return r;
}

bool emulate_mmio_amo_fault_ok(const struct insn *in, bool store)
{
	unsigned op = (in->raw >> 27) & 0x1f;

	return op == AMO_LR ? !store : op == AMO_SC ? store : true;
}

enum resume emulate_mmio_amo(struct vcpu *v, struct trap_info *t, const struct insn *in, uint64_t ea,
			     const struct realmap_entry *e, uint64_t gpa, uint64_t fault)
{
	struct lr_reservation *res = &v->arch->lr;
	unsigned op = (in->raw >> 27) & 0x1f, w = in->width;
	uint64_t src = sign_extend(vcpu_get_gpr(v, in->rs2), w), old;
	int r;

	t->insn_len = in->len;
	if (op == AMO_LR) {
		if ((r = mmio_amo_access(v, e, gpa, w, false, &old)) < 0)
			return trap_inject(t, fault, ea);
		*res = (struct lr_reservation){ true, ea, old };
	} else if (op == AMO_SC) {
		bool reserved = res->valid && res->addr == ea;
		res->valid = false;
		if (!reserved) {
			vcpu_set_gpr(v, in->rd, 1);
			return RESUME_NEXT;
		}
		if ((r = mmio_amo_access(v, e, gpa, w, false, &old)) < 0)
			return trap_inject(t, fault, ea);
		uint64_t store = old == res->val ? src : old;
		if (r != MMIO_HALT && (r = mmio_amo_access(v, e, gpa, w, true, &store)) < 0)
			return trap_inject(t, fault, ea);
		old = old == res->val ? 0 : 1;
	} else {
		if ((r = mmio_amo_access(v, e, gpa, w, false, &old)) < 0)
			return trap_inject(t, fault, ea);
		uint64_t val = amo_op(op, old, src, w);
		if (r != MMIO_HALT && (r = mmio_amo_access(v, e, gpa, w, true, &val)) < 0)
			return trap_inject(t, fault, ea);
	}
	if (r == MMIO_HALT)
		return RESUME_HALT;
	vcpu_set_gpr(v, in->rd, old);
	return RESUME_NEXT;
}

/* AMOs and LR/SC: naturally aligned or a misaligned fault (QEMU 7.2
 * reports a misaligned AMO or LR as a load address misaligned fault, and a
 * misaligned SC simply fails). AMOs and SC are checked as stores. */
static enum resume emulate_amo(const struct guest_view *gv, struct trap_info *t,
			       const struct insn *in)
{
	struct vcpu *v = gv->v;
	unsigned op = (in->raw >> 27) & 0x1f;
	uint64_t ea = vcpu_get_gpr(v, in->rs1), cause;
	bool lr = op == AMO_LR, sc = op == AMO_SC;

	t->insn_len = in->len;
	if (ea & (in->width - 1)) {
		if (sc) {
			vcpu_set_gpr(v, in->rd, 1);
			return RESUME_NEXT;
		}
		return trap_inject(t, EXC_LOAD_MISALIGNED, ea);
	}
	uint8_t *p = guest_pin(gv, ea, in->width, lr ? GPT_LOAD : GPT_STORE, &cause);
	if (p == NULL)
		return trap_inject(t, cause, ea);
	enum resume r = amo_on(v, in, op, ea, p);
	guestmem_unpin(v->vm);
	return r;
}

enum resume emulate_sc_after_fill(const struct guest_view *gv, struct trap_info *t)
{
	struct vcpu *v = gv->v;
	struct insn in;
	uint32_t raw;
	uint64_t cause;

	/* With several vCPUs another may have written the word since the
	 * guest's LR, which Trapeze never saw: the SC is retried instead, and
	 * fails (the trap cleared the reservation), which the A extension
	 * allows (an SC may fail without reason; the guest's loop retries). */
	if (v->vm->nvcpus > 1)
		return RESUME_SAME;
	if (engine_trap_fetch(v, t->epc, &raw) || engine_trap_decode(v, raw, &in) ||
	    in.kind != INSN_AMO || ((in.raw >> 27) & 0x1f) != AMO_SC)
		return RESUME_SAME;
	uint64_t ea = vcpu_get_gpr(v, in.rs1);
	if (gv->xlen32)
		ea &= 0xffffffffULL;
	/* The fill has just set A and D; this walk finds them set. */
	if (ea & (in.width - 1))
		return RESUME_SAME;
	uint8_t *p = guest_pin(gv, ea, in.width, GPT_STORE, &cause);
	if (p == NULL)
		return RESUME_SAME;
	uint64_t src = vcpu_get_gpr(v, in.rs2);
	if (in.width == 8)
		__atomic_store_n((uint64_t *)p, src, __ATOMIC_RELEASE);
	else
		__atomic_store_n((uint32_t *)p, (uint32_t)src, __ATOMIC_RELEASE);
	guestmem_unpin(v->vm);
	vcpu_set_gpr(v, in.rd, 0);
	trap_vm_of(v->vm)->stats.sc_completed++;
	t->insn_len = in.len;
	return RESUME_NEXT;
}

enum resume emulate_hidden_access(const struct guest_view *gv, struct trap_info *t,
				  const struct insn *in)
{
	switch (in->kind) {
	case INSN_LOAD:
	case INSN_STORE:
		return emulate_data_access(gv, t, in);
	case INSN_AMO:
		return emulate_amo(gv, t, in);
	default:
		return trap_inject(t, t->cause == EXC_LOAD_PAGE_FAULT ? EXC_LOAD_ACCESS : EXC_STORE_ACCESS,
				   t->tval);
	}
}
