/*
 * VMIDs for the `hw` engine: which VMID each VM's G-stage translations are
 * tagged with in the TLBs (hgatp.VMID), and which fences a hart owes before
 * it enters a guest. The generation scheme of Linux KVM
 * (arch/riscv/kvm/vmid.c): VMIDs are handed out in order within a
 * generation; when they run out a new generation starts, every VM's VMID
 * goes stale, and every hart flushes all guest translations before it
 * enters a guest again.
 *
 * Pure logic: the hart-side actions come back as VMID_* flags, the caller
 * executes them, so the host unit tests run it against a TLB model. Not
 * locked: the caller serializes every call on one vmid_space (one lock).
 *
 * VMIDLEN 0 (no VMID bits, or fewer usable VMIDs than harts) works too:
 * every VM uses VMID 0, and a hart switching to another VM flushes all.
 */
#ifndef ARCH_RISCV_VMID_H
#define ARCH_RISCV_VMID_H

#include <stdbool.h>
#include <stdint.h>

/* VMIDMAX for Sv39x4 (Privileged ISA v1.12, hgatp). */
#define VMID_BITS_MAX   14
#define VMID_MAX_HARTS  8           /* PLATFORM_MAX_HARTS */
#define VMID_NO_HART    0xffffffffu

/*
 * What vmid_enter asks of the caller before the hart enters the guest, in
 * this order:
 * VMID_ROLLOVER       this call started a new generation: make every other
 *                     hart leave guest mode and wait until it has (an IPI);
 *                     until its next vmid_enter a hart may neither run a
 *                     guest nor use HLV/HSV, since its hgatp.VMID may now
 *                     belong to another VM.
 * VMID_NEW            vm got its VMID (its first entry, or its old one went
 *                     stale): rebuild hgatp (gstage_hgatp).
 * VMID_FLUSH_GVMA_ALL HFENCE.GVMA x0, x0 on this hart: it may hold
 *                     translations tagged with a VMID that now means
 *                     another VM (rollover; VMIDLEN 0: another VM ran here).
 * VMID_FLUSH_VVMA     HFENCE.VVMA x0, x0 on this hart after writing hgatp
 *                     (it applies to hgatp.VMID): its VS-stage entries under
 *                     this VMID may be another vCPU's (see vmid_enter).
 * World switch order (Privileged ISA v1.12, Memory-Management Fences):
 * zero vsatp, write hgatp, fences, write the guest's vsatp.
 */
#define VMID_ROLLOVER       (1u << 0)
#define VMID_NEW            (1u << 1)
#define VMID_FLUSH_GVMA_ALL (1u << 2)
#define VMID_FLUSH_VVMA     (1u << 3)

struct vmid_vm;

struct vmid_hart {
	uint64_t flushed;               /* generation of its last HFENCE.GVMA x0, x0; 0: none */
	const struct vmid_vm *last_vm;  /* VMIDLEN 0: the VM it ran since; NULL: none */
};

struct vmid_stats {
	uint64_t assigned;      /* VMIDs handed out */
	uint64_t rollovers;     /* generations started after the first */
	uint64_t flush_all;     /* VMID_FLUSH_GVMA_ALL asked */
	uint64_t flush_vvma;    /* VMID_FLUSH_VVMA asked */
};

struct vmid_space {
	unsigned bits;          /* VMIDLEN in use; 0: every VM uses VMID 0 */
	unsigned nharts;
	uint64_t generation;    /* from 1 */
	uint64_t next;          /* next VMID of this generation to hand out */
	struct vmid_hart hart[VMID_MAX_HARTS];
	struct vmid_stats stats;
};

struct vmid_vm {
	uint64_t vmid;
	uint64_t generation;    /* the generation vmid belongs to; 0: none yet */
	/* Per hart: token of this VM's vCPU that entered it last under vmid
	 * (0: none has). */
	unsigned last_vcpu[VMID_MAX_HARTS];
};

struct vmid_vcpu {
	unsigned token;             /* nonzero, unique within its VM */
	unsigned last_hart;         /* VMID_NO_HART before its first entry */
	uint64_t last_generation;   /* its VM's generation at that entry */
	bool vvma_owed;             /* a remote fence reached it off a hart (vmid_remote_vvma) */
};

/* vmidlen: the VMID bits the hardware implements (write all ones to
 * hgatp.VMID, read back); beyond VMID_BITS_MAX is clipped. VMID 0 is
 * never handed out (it is Bare's, hgatp = 0), and with fewer usable VMIDs
 * than harts rollovers could kick running guests out forever, so then
 * VMIDs are not used (as in KVM). Every hart starts owing a full flush. */
void vmid_space_init(struct vmid_space *s, unsigned vmidlen, unsigned nharts);
void vmid_vm_init(struct vmid_vm *vm);
/* index: the vCPU's index in its VM. */
void vmid_vcpu_init(struct vmid_vcpu *v, unsigned index);

/*
 * vCPU v of vm is about to enter the guest on hart (< s->nharts), the
 * caller holding the space's lock: gives vm a VMID of the current
 * generation if it has none, records the entry and returns the VMID_*
 * actions owed. VMID_FLUSH_VVMA comes when v moved here from
 * another hart or generation (vmid_vcpu_moved: the guest's remote fences
 * went to where v was, not to the entries it left here), or when another
 * vCPU of the VM entered this hart after v last did (all of a VM's vCPUs
 * share its VMID, so a hart's VS-stage entries of one would serve the
 * other; as arm64 KVM's last_vcpu_ran).
 */
unsigned vmid_enter(struct vmid_space *s, struct vmid_vm *vm, struct vmid_vcpu *v, unsigned hart);

/*
 * SBI RFENCE remote_sfence_vma for vCPU v (the caller holding the space's
 * lock; running/on_hart: whether v is on a hart now, and which): its
 * VS-stage entries may sit on the hart it runs on, and on the hart it last
 * ran on, where it may run again without vmid_enter seeing a reason to
 * fence. So v owes an HFENCE.VVMA at its next entry, whatever hart that
 * is, and the hart running it now (returned; VMID_NO_HART: none) must
 * fence at once, before the SBI call returns (SBI v3.0, chapter 8).
 */
unsigned vmid_remote_vvma(struct vmid_vcpu *v, bool running, unsigned on_hart);

/* A vCPU that last entered on last_hart with its VM at last_generation, now
 * entering on hart with its VM at generation, may find VS-stage entries
 * here it was never fenced for: it needs HFENCE.VVMA for its VMID. */
bool vmid_vcpu_moved(unsigned last_hart, uint64_t last_generation, unsigned hart, uint64_t generation);

/* hart may hold G-stage translations of vm tagged with vm->vmid, so a
 * change to vm's G stage must fence it there. False also when vm's VMID is
 * stale: no hart enters a guest before flushing all of an old generation. */
bool vmid_hart_may_hold(const struct vmid_space *s, const struct vmid_vm *vm, unsigned hart);

/* hart just executed HFENCE.GVMA x0, x0 (e.g. handling the IPI after a
 * rollover): it owes no full flush now. */
void vmid_hart_flushed(struct vmid_space *s, unsigned hart);

/* vm goes away: harts that last ran it (VMIDLEN 0) owe a full flush, since
 * another VM may reuse its memory and look the same. With VMIDs its VMID is
 * not handed out again before a rollover, which flushes everything. */
void vmid_vm_destroy(struct vmid_space *s, const struct vmid_vm *vm);

#endif
