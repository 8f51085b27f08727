#include "arch/riscv/insn.h"

#include "arch/riscv/csr.h"
#include "arch/riscv/decode.h"
#include "arch/riscv/engine_trap.h"
#include "arch/riscv/patch.h"
#include "arch/riscv/pmu.h"
#include "arch/riscv/probe.h"
#include "arch/riscv/vcpu_arch.h"
#include "arch/riscv/vcsr.h"
#include "core/sched.h"
#include "core/vm.h"

typedef enum resume (*insn_handler_t)(struct vcpu *v, struct trap_info *t, const struct insn *in);

/* What bare hardware does with an instruction the virtual CPU does not
 * allow: an illegal-instruction trap whose stval is what the real trap
 * reported (the same CPU model produced it for the same encoding). */
static enum resume reflect_illegal(struct vcpu *v, struct trap_info *t)
{
	sbi_pmu_fw_count(v, SBI_PMU_FW_ILLEGAL_INSN);     /* the firmware's illegal-instruction event */
	return trap_inject(t, EXC_ILLEGAL_INST, t->tval);
}

/*
 * CSRRW/CSRRS/CSRRC and the immediate forms (Zicsr, "CSR Instructions"),
 * folded into one read-modify-write. Every CSR access from vU traps only
 * because the guest's own controls forbid it, so it is illegal there; from
 * vS, only the CSRs of the virtual CPU's table exist (vcsr.c): hypervisor
 * and machine CSRs are illegal as on a CPU without H.
 */
static enum resume emulate_csr(struct vcpu *v, struct trap_info *t, const struct insn *in)
{
	struct trap_stats *st = &trap_vm_of(v->vm)->stats;
	const struct vcsr_desc *d = NULL;

	/* vU at UXL 32 (what engine_trap_xlen32 says). */
	bool xlen32 = v->arch->trap.vpriv == VPRIV_U &&
		      (v->arch->trap.csr.sstatus & SSTATUS_UXL) == SSTATUS_UXL_32;
	if (pmu_counter_csr(in, xlen32)) {
		/* cycle/instret: the vCPU's virtual counters (pmu.h). */
		uint64_t val;
		if (!pmu_counter_read(v, in, xlen32, v->arch->trap.vpriv == VPRIV_U,
				      v->arch->trap.csr.scounteren, &val)) {
			st->csr_illegal++;
			return reflect_illegal(v, t);
		}
		vcpu_set_gpr(v, in->rd, val);
		t->insn_len = in->len;
		return RESUME_NEXT;
	}
	if (v->arch->trap.vpriv == VPRIV_S)
		d = vcsr_find(in->csr);
	bool writes = insn_csr_writes(in);
	if (d == NULL || (writes && CSR_NUM_READONLY(in->csr))) {
		st->csr_illegal++;
		return reflect_illegal(v, t);
	}

	unsigned slot = vcsr_slot(d);
	uint64_t src = in->csr_imm ? in->rs1 : vcpu_get_gpr(v, in->rs1);
	uint64_t old = d->read(v);

	if (slot < TRAP_STATS_CSR_MAX) {
		if (insn_csr_reads(in))
			st->csr_read[slot]++;
		if (writes)
			st->csr_write[slot]++;
	}
	if (writes) {
		uint64_t val = in->csr_op == CSR_OP_RW ? src :
			       in->csr_op == CSR_OP_RS ? old | src : old & ~src;
		d->write(v, val);
	}
	vcpu_set_gpr(v, in->rd, old);
	t->insn_len = in->len;
	return RESUME_NEXT;
}

/*
 * The CSR accesses of Linux's hot paths (irq save and restore, the trap
 * entry and exit) on sstatus, sscratch, sepc, scause and stval in vS,
 * decoded from the raw bits for emulate_csr: a patched site runs this on
 * every execution (patch.c), and under QEMU the general decoder and
 * handler table are a good part of an exit's cost. Anything else (another
 * CSR, vU) returns false having done nothing, for the general path.
 */
bool emulate_csr_hot(struct vcpu *v, struct trap_info *t, uint32_t raw)
{
	unsigned funct3 = (raw >> 12) & 7, num = raw >> 20;

	if ((raw & 0x7f) != 0x73 || (funct3 & 3) == 0 || v->arch->trap.vpriv != VPRIV_S)
		return false;
	if (num != CSR_SSTATUS && num != CSR_SSCRATCH && num != CSR_SEPC && num != CSR_SCAUSE &&
	    num != CSR_STVAL)
		return false;
	struct insn in = {
		.raw = raw, .len = 4, .kind = INSN_CSR, .rd = (raw >> 7) & 31, .rs1 = (raw >> 15) & 31,
		.csr = (uint16_t)num, .csr_op = funct3 & 3, .csr_imm = funct3 & 4,
	};
	/* These five always complete in vS (present, writable). */
	return emulate_csr(v, t, &in) == RESUME_NEXT;
}

/* SRET (Privileged ISA v1.12, 3.3.2): privilege from SPP, SIE from SPIE,
 * SPIE = 1, SPP = U, pc = sepc. */
static enum resume emulate_sret(struct vcpu *v, struct trap_info *t, const struct insn *in)
{
	struct vcsr *c = &v->arch->trap.csr;

	(void)in;
	if (v->arch->trap.vpriv != VPRIV_S)
		return reflect_illegal(v, t);
	trap_vm_of(v->vm)->stats.insn_sret++;
	v->arch->lr.valid = false;         /* as a trap's (inject) */
	v->arch->trap.vpriv = (c->sstatus & SSTATUS_SPP) ? VPRIV_S : VPRIV_U;
	c->sstatus &= ~(SSTATUS_SIE | SSTATUS_SPP);
	if (c->sstatus & SSTATUS_SPIE)
		c->sstatus |= SSTATUS_SIE;
	c->sstatus |= SSTATUS_SPIE;
	return trap_jump(t, c->sepc);
}

/* WFI (3.3.3): resumes when an interrupt is pending and enabled in sie,
 * whatever sstatus.SIE says. In U-mode with S-mode present, QEMU (as the
 * spec allows) raises illegal instruction. */
static enum resume emulate_wfi(struct vcpu *v, struct trap_info *t, const struct insn *in)
{
	if (v->arch->trap.vpriv != VPRIV_S)
		return reflect_illegal(v, t);
	trap_vm_of(v->vm)->stats.insn_wfi++;
	t->insn_len = in->len;
	if (!vcpu_irq_wakeup_pending(v))
		sched_block(v);
	return RESUME_NEXT;
}

/* SFENCE.VMA rs1 = vaddr, rs2 = asid (4.2.1); x0 means "all". */
static enum resume emulate_sfence_vma(struct vcpu *v, struct trap_info *t, const struct insn *in)
{
	if (v->arch->trap.vpriv != VPRIV_S)
		return reflect_illegal(v, t);
	trap_vm_of(v->vm)->stats.insn_sfence_vma++;
	uint64_t va = in->rs1 ? vcpu_get_gpr(v, in->rs1) : 0;
	uint64_t asid = in->rs2 ? vcpu_get_gpr(v, in->rs2) : UINT64_MAX;
	vcpu_flush_guest_tlb(v, va, in->rs1 ? 1 : UINT64_MAX, asid);
	t->insn_len = in->len;
	return RESUME_NEXT;
}

/* SINVAL.VMA (Svinval): SFENCE.VMA's invalidation without its ordering,
 * so emulated the same way; it exists only where the host CPU has it. */
static enum resume emulate_sinval_vma(struct vcpu *v, struct trap_info *t, const struct insn *in)
{
	if (!host_csr.has_svinval)
		return reflect_illegal(v, t);
	return emulate_sfence_vma(v, t, in);
}

static const insn_handler_t insn_handlers[] = {
	[INSN_CSR] = emulate_csr,
	[INSN_SRET] = emulate_sret,
	[INSN_WFI] = emulate_wfi,
	[INSN_SFENCE_VMA] = emulate_sfence_vma,
	[INSN_SINVAL_VMA] = emulate_sinval_vma,
};

enum resume emulate_insn(struct vcpu *v, struct trap_info *t)
{
	struct insn in;
	uint32_t raw;

	if (engine_trap_fetch(v, t->epc, &raw) == 0)
		t->tval = raw;  /* QEMU's stval for an illegal instruction: its bits,
				 * zero-extended; taken from memory, since with H
				 * QEMU leaves a stale value for some U-mode traps */
	else
		raw = 0;
	if (raw == 0 || decode_insn(raw, &in)) {
		trap_vm_of(v->vm)->stats.insn_illegal++;
		return reflect_illegal(v, t);
	}
	/* Emulated in vS: a candidate for patching (patch.c decides). */
	struct patch_req pr;
	bool wanted = patch_wanted(v, t->epc, raw, &pr);
	enum resume r = emulate_insn_decoded(v, t, &in);
	if (wanted && (r == RESUME_NEXT || r == RESUME_JUMP))
		patch_discover(v, &pr);
	return r;
}

enum resume emulate_insn_decoded(struct vcpu *v, struct trap_info *t, const struct insn *in)
{
	if (in->kind >= sizeof(insn_handlers) / sizeof(insn_handlers[0]) ||
	    insn_handlers[in->kind] == NULL) {
		trap_vm_of(v->vm)->stats.insn_illegal++;
		return reflect_illegal(v, t);
	}
	return insn_handlers[in->kind](v, t, in);
}
