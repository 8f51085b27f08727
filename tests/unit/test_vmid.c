/*
 * VMIDs and the fences owed at guest entry, checked against a TLB model.
 *
 * Each hart has a TLB tagged by VMID, with the three kinds of entries the
 * H extension allows (Privileged ISA v1.12, Hypervisor Memory-Management
 * Fence Instructions): G-stage (VMID, GPA) -> HPA, VS-stage (VMID, ASID,
 * GVA) -> GPA, and combined (VMID, ASID, GVA) -> GPA, HPA. Only the
 * fences flush them: HFENCE.GVMA drops G-stage and combined entries (it
 * "need not flush" VS-stage ones), HFENCE.VVMA drops the VS-stage and
 * combined entries of the VMID in hgatp.
 *
 * The guests are Linux-like: each VM has a few processes (ASIDs) sharing
 * its vCPUs, and a change to a process's mapping is fenced (SBI remote
 * fence) on exactly the vCPUs that ran that process, as a guest does on
 * real harts. The hypervisor fences a running vCPU's hart at once and a
 * stopped vCPU's at its next entry; it fences G-stage changes on the harts
 * vmid_hart_may_hold names. The invariant: every access through a running
 * hart's TLB gives the translation the guest's and the VM's current tables
 * give.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "arch/riscv/vmid.h"

/* ---- pure functions ---------------------------------------------------------- */

static struct vmid_space s;

static void test_vmid_init_clips_and_falls_back(void **state)
{
	(void)state;
	vmid_space_init(&s, 20, 4);
	assert_int_equal(s.bits, VMID_BITS_MAX);
	vmid_space_init(&s, 2, 3);      /* VMIDs 1..3 for 3 harts */
	assert_int_equal(s.bits, 2);
	vmid_space_init(&s, 2, 4);      /* 3 VMIDs, 4 harts: not used */
	assert_int_equal(s.bits, 0);
	vmid_space_init(&s, 1, 1);
	assert_int_equal(s.bits, 1);
	vmid_space_init(&s, 0, 8);
	assert_int_equal(s.bits, 0);
	vmid_space_init(&s, 4, 99);     /* 15 VMIDs for the 8 harts there can be */
	assert_int_equal(s.nharts, VMID_MAX_HARTS);
	assert_int_equal(s.bits, 4);
	vmid_space_init(&s, 3, 99);     /* 7 VMIDs: not enough */
	assert_int_equal(s.bits, 0);
	assert_int_equal(s.generation, 1);
}

static void test_vmid_first_entry_flushes_then_nothing(void **state)
{
	(void)state;
	struct vmid_vm vm;
	struct vmid_vcpu v;

	vmid_space_init(&s, 4, 2);
	vmid_vm_init(&vm);
	vmid_vcpu_init(&v, 0);
	assert_int_equal(vmid_enter(&s, &vm, &v, 0),
			 VMID_NEW | VMID_FLUSH_GVMA_ALL | VMID_FLUSH_VVMA);
	assert_int_equal(vm.vmid, 1);           /* VMID 0 is Bare's */
	assert_int_equal(vmid_enter(&s, &vm, &v, 0), 0);
	assert_int_equal(vmid_enter(&s, &vm, &v, 0), 0);
	assert_int_equal(s.stats.assigned, 1);
}

static void test_vmid_distinct_until_rollover(void **state)
{
	(void)state;
	struct vmid_vm vm[4];
	struct vmid_vcpu v[4];

	vmid_space_init(&s, 2, 1);
	for (unsigned i = 0; i < 4; i++) {
		vmid_vm_init(&vm[i]);
		vmid_vcpu_init(&v[i], 0);
	}
	for (unsigned i = 0; i < 3; i++) {
		unsigned act = vmid_enter(&s, &vm[i], &v[i], 0);
		assert_int_equal(vm[i].vmid, i + 1);
		assert_false(act & VMID_ROLLOVER);
		assert_int_equal(!!(act & VMID_FLUSH_GVMA_ALL), i == 0);
	}
	/* The fourth: a new generation, VMID 1 again, and a full flush. */
	unsigned act = vmid_enter(&s, &vm[3], &v[3], 0);
	assert_int_equal(act & (VMID_ROLLOVER | VMID_NEW | VMID_FLUSH_GVMA_ALL),
			 VMID_ROLLOVER | VMID_NEW | VMID_FLUSH_GVMA_ALL);
	assert_int_equal(vm[3].vmid, 1);
	assert_int_equal(s.generation, 2);
	assert_int_equal(s.stats.rollovers, 1);
	/* The old VMs are stale: a new VMID each, no further rollover. */
	act = vmid_enter(&s, &vm[0], &v[0], 0);
	assert_int_equal(act & (VMID_ROLLOVER | VMID_NEW | VMID_FLUSH_GVMA_ALL), VMID_NEW);
	assert_int_equal(vm[0].vmid, 2);
	assert_true(act & VMID_FLUSH_VVMA);     /* VMID 2 was vm[1]'s */
}

static void test_vmid_rollover_reaches_every_hart(void **state)
{
	(void)state;
	struct vmid_vm vm[4];
	struct vmid_vcpu v[4];

	vmid_space_init(&s, 2, 3);
	for (unsigned i = 0; i < 4; i++) {
		vmid_vm_init(&vm[i]);
		vmid_vcpu_init(&v[i], 0);
	}
	for (unsigned i = 0; i < 3; i++)
		vmid_enter(&s, &vm[i], &v[i], i);
	assert_true(vmid_enter(&s, &vm[3], &v[3], 0) & VMID_ROLLOVER);
	/* Hart 1 flushes in its IPI handler, hart 2 at its next entry. */
	vmid_hart_flushed(&s, 1);
	assert_false(vmid_enter(&s, &vm[1], &v[1], 1) & VMID_FLUSH_GVMA_ALL);
	assert_true(vmid_enter(&s, &vm[2], &v[2], 2) & VMID_FLUSH_GVMA_ALL);
	assert_false(vmid_enter(&s, &vm[2], &v[2], 2) & VMID_FLUSH_GVMA_ALL);
}

static void test_vmid_moved(void **state)
{
	(void)state;
	assert_false(vmid_vcpu_moved(2, 7, 2, 7));
	assert_true(vmid_vcpu_moved(1, 7, 2, 7));       /* another hart */
	assert_true(vmid_vcpu_moved(2, 6, 2, 7));       /* another VMID since */
	assert_true(vmid_vcpu_moved(VMID_NO_HART, 0, 0, 1));
}

static void test_vmid_migration_needs_vvma(void **state)
{
	(void)state;
	struct vmid_vm vm;
	struct vmid_vcpu x;

	vmid_space_init(&s, 4, 2);
	vmid_vm_init(&vm);
	vmid_vcpu_init(&x, 0);
	vmid_enter(&s, &vm, &x, 0);
	unsigned act = vmid_enter(&s, &vm, &x, 1);
	assert_int_equal(act, VMID_FLUSH_GVMA_ALL | VMID_FLUSH_VVMA);  /* hart 1's first entry */
	assert_int_equal(vmid_enter(&s, &vm, &x, 1), 0);
	/* Back on hart 0: what it left there missed the fences sent to hart 1. */
	assert_int_equal(vmid_enter(&s, &vm, &x, 0), VMID_FLUSH_VVMA);
}

static void test_vmid_other_vcpu_of_same_vm_needs_vvma(void **state)
{
	(void)state;
	struct vmid_vm vm;
	struct vmid_vcpu x, y;

	vmid_space_init(&s, 4, 2);
	vmid_vm_init(&vm);
	vmid_vcpu_init(&x, 0);
	vmid_vcpu_init(&y, 1);
	vmid_enter(&s, &vm, &x, 0);
	assert_int_equal(vmid_enter(&s, &vm, &y, 0), VMID_FLUSH_VVMA);
	vmid_enter(&s, &vm, &y, 1);
	/* x never left hart 0, but y's entries are there under the same
	 * VMID: vmid_vcpu_moved alone (KVM's test) would not flush. */
	assert_false(vmid_vcpu_moved(x.last_hart, x.last_generation, 0, vm.generation));
	assert_int_equal(vmid_enter(&s, &vm, &x, 0), VMID_FLUSH_VVMA);
}

/*
 * Issue 13, remote fences between vCPUs (SBI RFENCE remote_sfence_vma, the
 * hw engine's flush_guest_tlb): a small TLB model of VS-stage entries per
 * hart, tagged by VMID. vCPU x runs on hart 1 and caches page A; vCPU y
 * (hart 0) unmaps A and fences x. Whether x runs now or waits, no entry
 * for A may serve it afterwards: the hart running it is fenced at once,
 * and a waiting x fences at its next entry, even on the same hart (where
 * vmid_enter finds neither a move nor another vCPU).
 */
struct vs_tlb {
	bool valid[2];          /* per hart: page A cached, tagged vmid[h] */
	uint64_t vmid[2];
};

static void vs_tlb_enter(struct vs_tlb *t, unsigned act, unsigned hart)
{
	if (act & (VMID_FLUSH_VVMA | VMID_FLUSH_GVMA_ALL))
		t->valid[hart] = false;
}

static void test_vmid_remote_fence_reaches_vcpu_everywhere(void **state)
{
	(void)state;
	struct vmid_vm vm;
	struct vmid_vcpu x, y;
	struct vs_tlb t = { 0 };

	for (int waiting = 0; waiting < 2; waiting++) {
		vmid_space_init(&s, 4, 2);
		vmid_vm_init(&vm);
		vmid_vcpu_init(&x, 0);
		vmid_vcpu_init(&y, 1);
		vs_tlb_enter(&t, vmid_enter(&s, &vm, &y, 0), 0);
		vs_tlb_enter(&t, vmid_enter(&s, &vm, &x, 1), 1);
		t.valid[1] = true;              /* x touches A on hart 1 */
		t.vmid[1] = vm.vmid;
		/* y: unmap A, remote fence x. */
		unsigned h = vmid_remote_vvma(&x, !waiting, 1);
		if (!waiting) {
			assert_int_equal(h, 1);
			t.valid[h] = false;     /* HFENCE.VVMA there, through the firmware */
		} else {
			assert_int_equal(h, VMID_NO_HART);
		}
		/* x (re-)enters hart 1: A must not be cached for it. */
		vs_tlb_enter(&t, vmid_enter(&s, &vm, &x, 1), 1);
		assert_false(t.valid[1] && t.vmid[1] == vm.vmid);
		/* The debt is paid once. */
		assert_int_equal(vmid_enter(&s, &vm, &x, 1), 0);
	}
	/* Without the debt the same entry would not fence: the model's A
	 * would still be there. */
	vmid_space_init(&s, 4, 2);
	vmid_vm_init(&vm);
	vmid_vcpu_init(&x, 0);
	vmid_enter(&s, &vm, &x, 1);
	assert_int_equal(vmid_enter(&s, &vm, &x, 1), 0);
}

static void test_vmid_zero_bits_flush_on_vm_switch(void **state)
{
	(void)state;
	struct vmid_vm a, b;
	struct vmid_vcpu va, vb;

	vmid_space_init(&s, 0, 2);
	vmid_vm_init(&a);
	vmid_vm_init(&b);
	vmid_vcpu_init(&va, 0);
	vmid_vcpu_init(&vb, 0);
	assert_int_equal(vmid_enter(&s, &a, &va, 0), VMID_NEW | VMID_FLUSH_GVMA_ALL | VMID_FLUSH_VVMA);
	assert_int_equal(vmid_enter(&s, &a, &va, 0), 0);
	assert_int_equal(vmid_enter(&s, &b, &vb, 0), VMID_NEW | VMID_FLUSH_GVMA_ALL | VMID_FLUSH_VVMA);
	assert_int_equal(a.vmid, 0);
	assert_int_equal(b.vmid, 0);
	assert_int_equal(vmid_enter(&s, &a, &va, 0), VMID_FLUSH_GVMA_ALL | VMID_FLUSH_VVMA);
	/* A flush in between does not forget whose VS-stage entries are there. */
	vmid_hart_flushed(&s, 0);
	assert_true(vmid_enter(&s, &b, &vb, 0) & VMID_FLUSH_VVMA);
	assert_int_equal(s.stats.rollovers, 0);
	assert_int_equal(s.generation, 1);
}

static void test_vmid_may_hold(void **state)
{
	(void)state;
	struct vmid_vm a, b;
	struct vmid_vcpu va, vb;

	vmid_space_init(&s, 1, 1);      /* one VMID: every new VM rolls over */
	vmid_vm_init(&a);
	vmid_vm_init(&b);
	vmid_vcpu_init(&va, 0);
	vmid_vcpu_init(&vb, 0);
	assert_false(vmid_hart_may_hold(&s, &a, 0));
	vmid_enter(&s, &a, &va, 0);
	assert_true(vmid_hart_may_hold(&s, &a, 0));
	assert_true(vmid_enter(&s, &b, &vb, 0) & VMID_ROLLOVER);
	assert_int_equal(a.vmid, b.vmid);
	assert_false(vmid_hart_may_hold(&s, &a, 0));    /* stale: no fence for a's changes */
	assert_true(vmid_hart_may_hold(&s, &b, 0));

	/* After a rollover a VM's new VMID is on no hart until it enters there,
	 * even a hart it ran on under the old one. */
	struct vmid_vm c, d;
	struct vmid_vcpu vc, vd;
	vmid_space_init(&s, 2, 3);
	vmid_vm_init(&a);
	vmid_vm_init(&b);
	vmid_vm_init(&c);
	vmid_vm_init(&d);
	vmid_vcpu_init(&vc, 0);
	vmid_vcpu_init(&vd, 0);
	vmid_enter(&s, &a, &va, 1);
	vmid_enter(&s, &b, &vb, 0);
	vmid_enter(&s, &c, &vc, 0);
	assert_true(vmid_enter(&s, &d, &vd, 0) & VMID_ROLLOVER);
	vmid_hart_flushed(&s, 1);
	vmid_enter(&s, &a, &va, 0);
	assert_true(vmid_hart_may_hold(&s, &a, 0));
	assert_false(vmid_hart_may_hold(&s, &a, 1));

	vmid_space_init(&s, 0, 2);
	vmid_vm_init(&a);
	vmid_vm_init(&b);
	vmid_enter(&s, &a, &va, 0);
	vmid_enter(&s, &b, &vb, 1);
	assert_true(vmid_hart_may_hold(&s, &a, 0));
	assert_false(vmid_hart_may_hold(&s, &a, 1));
	vmid_enter(&s, &b, &vb, 0);
	assert_false(vmid_hart_may_hold(&s, &a, 0));    /* flushed when b came */
}

static void test_vmid_destroy_without_vmids(void **state)
{
	(void)state;
	struct vmid_vm a;
	struct vmid_vcpu v;

	vmid_space_init(&s, 0, 1);
	vmid_vm_init(&a);
	vmid_vcpu_init(&v, 0);
	vmid_enter(&s, &a, &v, 0);
	vmid_vm_destroy(&s, &a);
	/* A new VM in the same memory is not the old one. */
	vmid_vm_init(&a);
	vmid_vcpu_init(&v, 0);
	assert_true(vmid_enter(&s, &a, &v, 0) & VMID_FLUSH_GVMA_ALL);
}

/* ---- the TLB model ------------------------------------------------------------ */

#define MAXH    3
#define NVM     5
#define NVCPU   3
#define NPROC   4
#define NGVA    8
#define NGPA    8
#define NENT    48

struct g_ent { bool v; unsigned vmid; unsigned gpa; uint64_t hpa; };
struct vs_ent { bool v; unsigned vmid, asid, gva, gpa; };
struct c_ent { bool v; unsigned vmid, asid, gva, gpa; uint64_t hpa; };

struct mhart {
	int vm, vcpu;           /* what runs here; -1 none */
	int hgatp_vmid;         /* VMID in hgatp; -1 never written */
	struct g_ent g[NENT];
	struct vs_ent vs[NENT];
	struct c_ent c[NENT];
};

struct mvm {
	struct vmid_vm id;
	uint64_t gmap[NGPA];            /* the G stage: GPA page -> HPA */
	int vsmap[NPROC][NGVA];         /* each process's tables: GVA page -> GPA page, -1 none */
	unsigned cpumask[NPROC];        /* vCPUs that ran the process */
};

struct mvcpu {
	struct vmid_vcpu id;
	int hart;                       /* -1: not running */
	unsigned proc;
	bool pending;                   /* a guest fence to do at its next entry */
};

enum policy {
	POLICY_AS_TOLD,         /* do what vmid_enter asks */
	POLICY_MOVED_ONLY,      /* VVMA only when vmid_vcpu_moved (KVM's test) */
	POLICY_NO_GVMA_ALL,     /* skip the full flush */
};

static struct mhart hart[MAXH];
static struct mvm vms[NVM];
static struct mvcpu vcpus[NVM][NVCPU];
static unsigned nharts;
static enum policy policy;
static unsigned violations;
static bool strict;             /* a violation fails the test at once */
static uint64_t next_hpa;
static uint64_t rng;

static uint64_t rnd(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 0x2545f4914f6cdd1dULL;
}

static void violation(const char *what, unsigned h, unsigned gva)
{
	violations++;
	if (strict)
		fail_msg("%s on hart %u, gva page %u", what, h, gva);
}

static void gvma_all(unsigned h)
{
	for (unsigned i = 0; i < NENT; i++)
		hart[h].g[i].v = hart[h].c[i].v = false;
}

static void gvma_vmid(unsigned h, unsigned vmid)
{
	for (unsigned i = 0; i < NENT; i++) {
		if (hart[h].g[i].vmid == vmid)
			hart[h].g[i].v = false;
		if (hart[h].c[i].vmid == vmid)
			hart[h].c[i].v = false;
	}
}

/* HFENCE.VVMA x0, x0: the VMID in hgatp at the time. */
static void vvma(unsigned h)
{
	assert_true(hart[h].hgatp_vmid >= 0);
	for (unsigned i = 0; i < NENT; i++) {
		if (hart[h].vs[i].vmid == (unsigned)hart[h].hgatp_vmid)
			hart[h].vs[i].v = false;
		if (hart[h].c[i].vmid == (unsigned)hart[h].hgatp_vmid)
			hart[h].c[i].v = false;
	}
}

static unsigned victim(void)
{
	return (unsigned)(rnd() % NENT);
}

/* An access by whatever runs on hart h to GVA page gva, through its TLB. */
static void access_gva(unsigned h, unsigned gva)
{
	struct mhart *t = &hart[h];
	struct mvm *m = &vms[t->vm];
	unsigned asid = vcpus[t->vm][t->vcpu].proc;
	unsigned vmid = (unsigned)t->hgatp_vmid;
	int want_gpa = m->vsmap[asid][gva];
	uint64_t want = want_gpa < 0 ? 0 : m->gmap[want_gpa];
	uint64_t got = 0;
	int gpa = -1;

	for (unsigned i = 0; i < NENT && !got; i++)
		if (t->c[i].v && t->c[i].vmid == vmid && t->c[i].asid == asid && t->c[i].gva == gva)
			got = t->c[i].hpa;
	if (!got) {
		for (unsigned i = 0; i < NENT && gpa < 0; i++)
			if (t->vs[i].v && t->vs[i].vmid == vmid && t->vs[i].asid == asid && t->vs[i].gva == gva)
				gpa = (int)t->vs[i].gpa;
		if (gpa < 0) {
			gpa = m->vsmap[asid][gva];      /* the VS-stage walk */
			if (gpa >= 0)
				t->vs[victim()] = (struct vs_ent){ true, vmid, asid, gva, (unsigned)gpa };
		}
		if (gpa >= 0) {
			for (unsigned i = 0; i < NENT && !got; i++)
				if (t->g[i].v && t->g[i].vmid == vmid && t->g[i].gpa == (unsigned)gpa)
					got = t->g[i].hpa;
			if (!got) {
				got = m->gmap[gpa];     /* the G-stage walk */
				t->g[victim()] = (struct g_ent){ true, vmid, (unsigned)gpa, got };
			}
			t->c[victim()] = (struct c_ent){ true, vmid, asid, gva, (unsigned)gpa, got };
		}
	}
	if (got != want)
		violation("stale translation", h, gva);
}

static void check_all(void)
{
	for (unsigned h = 0; h < nharts; h++) {
		struct mhart *t = &hart[h];
		if (t->vm < 0)
			continue;
		const struct vmid_vm *id = &vms[t->vm].id;
		/* A guest runs only under its VM's VMID of the current generation. */
		assert_int_equal(t->hgatp_vmid, (int)id->vmid);
		assert_int_equal(id->generation, s.generation);
		for (unsigned gva = 0; gva < NGVA; gva++)
			access_gva(h, gva);
	}
	for (unsigned a = 0; a < NVM; a++) {
		const struct vmid_vm *x = &vms[a].id;
		if (x->generation != s.generation)
			continue;
		if (s.bits == 0) {
			assert_int_equal(x->vmid, 0);
			continue;
		}
		assert_true(x->vmid != 0 && x->vmid < (1u << s.bits));
		for (unsigned b = a + 1; b < NVM; b++)
			assert_false(vms[b].id.generation == s.generation && vms[b].id.vmid == x->vmid);
	}
}

static void vm_fresh(unsigned a)
{
	struct mvm *m = &vms[a];

	vmid_vm_init(&m->id);
	for (unsigned g = 0; g < NGPA; g++)
		m->gmap[g] = ++next_hpa << 12;
	for (unsigned p = 0; p < NPROC; p++) {
		m->cpumask[p] = 0;
		for (unsigned v = 0; v < NGVA; v++)
			m->vsmap[p][v] = (int)(rnd() % (NGPA + 1)) - 1;
	}
	for (unsigned j = 0; j < NVCPU; j++) {
		vmid_vcpu_init(&vcpus[a][j].id, j);
		vcpus[a][j].hart = -1;
		vcpus[a][j].proc = j % NPROC;
		vcpus[a][j].pending = false;
	}
}

static void model_init(unsigned vmidlen, unsigned harts, enum policy p, uint64_t seed)
{
	rng = seed;
	nharts = harts;
	policy = p;
	violations = 0;
	strict = p == POLICY_AS_TOLD;
	vmid_space_init(&s, vmidlen, harts);
	memset(hart, 0, sizeof(hart));
	for (unsigned h = 0; h < MAXH; h++) {
		hart[h].vm = hart[h].vcpu = -1;
		hart[h].hgatp_vmid = -1;
		/* Leftovers from before Trapeze: entries under every VMID. */
		for (unsigned i = 0; i < NENT; i++) {
			hart[h].g[i] = (struct g_ent){ true, i % 4, i % NGPA, 0xdead000 };
			hart[h].vs[i] = (struct vs_ent){ true, i % 4, i % NPROC, i % NGVA, (i + 1) % NGPA };
		}
	}
	for (unsigned a = 0; a < NVM; a++)
		vm_fresh(a);
}

static void vcpu_exit(unsigned h)
{
	if (hart[h].vm < 0)
		return;
	vcpus[hart[h].vm][hart[h].vcpu].hart = -1;
	hart[h].vm = hart[h].vcpu = -1;
}

static void vcpu_enter(unsigned h, unsigned a, unsigned j)
{
	struct mvcpu *x = &vcpus[a][j];

	vcpu_exit(h);
	assert_int_equal(x->hart, -1);
	unsigned prev_hart = x->id.last_hart;
	uint64_t prev_gen = x->id.last_generation;
	unsigned act = vmid_enter(&s, &vms[a].id, &x->id, h);
	if (act & VMID_ROLLOVER) {
		/* The IPI: every other hart leaves its guest; some flush at once. */
		for (unsigned o = 0; o < nharts; o++) {
			if (o == h)
				continue;
			vcpu_exit(o);
			if (rnd() % 2) {
				gvma_all(o);
				vmid_hart_flushed(&s, o);
			}
		}
	}
	hart[h].hgatp_vmid = (int)vms[a].id.vmid;
	if ((act & VMID_FLUSH_GVMA_ALL) && policy != POLICY_NO_GVMA_ALL)
		gvma_all(h);
	bool do_vvma = act & VMID_FLUSH_VVMA;
	if (policy == POLICY_MOVED_ONLY && s.bits)
		do_vvma = vmid_vcpu_moved(prev_hart, prev_gen, h, vms[a].id.generation);
	if (do_vvma || x->pending)
		vvma(h);
	x->pending = false;
	hart[h].vm = (int)a;
	hart[h].vcpu = (int)j;
	x->hart = (int)h;
	vms[a].cpumask[x->proc] |= 1u << j;
}

/* The guest changes a process's mapping and fences the vCPUs that ran it. */
static void guest_remap(unsigned a, unsigned p, unsigned gva)
{
	struct mvm *m = &vms[a];

	m->vsmap[p][gva] = (int)(rnd() % (NGPA + 1)) - 1;
	for (unsigned j = 0; j < NVCPU; j++) {
		if (!(m->cpumask[p] & (1u << j)))
			continue;
		if (vcpus[a][j].hart >= 0)
			vvma((unsigned)vcpus[a][j].hart);
		else
			vcpus[a][j].pending = true;
	}
}

/* A process exits and another takes its ASID: the guest fences every vCPU
 * that ran it, after which none can hold its entries, so its cpumask
 * starts empty again. */
static void guest_restart(unsigned a, unsigned p)
{
	struct mvm *m = &vms[a];

	for (unsigned v = 0; v < NGVA; v++)
		m->vsmap[p][v] = (int)(rnd() % (NGPA + 1)) - 1;
	for (unsigned j = 0; j < NVCPU; j++) {
		if (!(m->cpumask[p] & (1u << j)))
			continue;
		if (vcpus[a][j].hart >= 0)
			vvma((unsigned)vcpus[a][j].hart);
		else
			vcpus[a][j].pending = true;
	}
	m->cpumask[p] = 0;
	for (unsigned j = 0; j < NVCPU; j++)
		if (vcpus[a][j].hart >= 0 && vcpus[a][j].proc == p)
			m->cpumask[p] |= 1u << j;       /* still running it */
}

/* The hypervisor moves a guest page and fences the harts that may hold it. */
static unsigned hyp_remap(unsigned a, unsigned gpa)
{
	unsigned fences = 0;

	vms[a].gmap[gpa] = ++next_hpa << 12;
	for (unsigned h = 0; h < nharts; h++) {
		if (vmid_hart_may_hold(&s, &vms[a].id, h)) {
			gvma_vmid(h, vms[a].id.vmid);
			fences++;
		}
	}
	return fences;
}

static bool vm_running(unsigned a)
{
	for (unsigned j = 0; j < NVCPU; j++)
		if (vcpus[a][j].hart >= 0)
			return true;
	return false;
}

static void model_step(void)
{
	unsigned op = (unsigned)(rnd() % 100);
	unsigned a = (unsigned)(rnd() % NVM);
	unsigned h = (unsigned)(rnd() % nharts);

	if (op < 40) {
		unsigned j = (unsigned)(rnd() % NVCPU);
		if (vcpus[a][j].hart < 0)
			vcpu_enter(h, a, j);
	} else if (op < 50) {
		vcpu_exit(h);
	} else if (op < 60) {
		if (hart[h].vm >= 0) {
			struct mvcpu *x = &vcpus[hart[h].vm][hart[h].vcpu];
			x->proc = (unsigned)(rnd() % NPROC);    /* no flush: ASIDs */
			vms[hart[h].vm].cpumask[x->proc] |= 1u << hart[h].vcpu;
		}
	} else if (op < 72) {
		guest_remap(a, (unsigned)(rnd() % NPROC), (unsigned)(rnd() % NGVA));
	} else if (op < 78) {
		guest_restart(a, (unsigned)(rnd() % NPROC));
	} else if (op < 92) {
		hyp_remap(a, (unsigned)(rnd() % NGPA));
	} else if (op < 96) {
		if (!vm_running(a)) {
			/* gstage_destroy fences everything of the VM first. */
			for (unsigned o = 0; o < nharts; o++)
				if (vmid_hart_may_hold(&s, &vms[a].id, o))
					gvma_vmid(o, vms[a].id.vmid);
			vmid_vm_destroy(&s, &vms[a].id);
			vm_fresh(a);
		}
	} else {
		gvma_all(h);
		vmid_hart_flushed(&s, h);
	}
	check_all();
}

static void model_run(unsigned vmidlen, unsigned harts, enum policy p, uint64_t seed, unsigned steps)
{
	model_init(vmidlen, harts, p, seed);
	for (unsigned i = 0; i < steps; i++)
		model_step();
}

static void test_vmid_random_two_bits(void **state)
{
	(void)state;
	model_run(2, 3, POLICY_AS_TOLD, 1, 5000);
	assert_int_equal(s.bits, 2);
	assert_true(s.stats.rollovers > 50);    /* 5 VMs, 3 VMIDs */
	assert_int_equal(violations, 0);
	model_run(2, 3, POLICY_AS_TOLD, 0xfeedface, 5000);
	assert_int_equal(violations, 0);
}

static void test_vmid_random_one_bit_one_hart(void **state)
{
	(void)state;
	model_run(1, 1, POLICY_AS_TOLD, 7, 4000);
	assert_int_equal(s.bits, 1);
	assert_true(s.stats.rollovers > 100);
	assert_int_equal(violations, 0);
}

static void test_vmid_random_no_vmids(void **state)
{
	(void)state;
	model_run(0, 3, POLICY_AS_TOLD, 3, 5000);
	assert_int_equal(s.bits, 0);
	assert_int_equal(s.stats.rollovers, 0);
	assert_true(s.stats.flush_all > 100);
	assert_int_equal(violations, 0);
	/* Two bits but four harts fall back to no VMIDs, and still hold. */
	model_run(2, 3, POLICY_AS_TOLD, 5, 10);
	vmid_space_init(&s, 2, 4);
	assert_int_equal(s.bits, 0);
}

static void test_vmid_random_wide(void **state)
{
	(void)state;
	model_run(8, 3, POLICY_AS_TOLD, 1, 20000);
	assert_true(s.stats.rollovers < 3);     /* only recreated VMs use VMIDs up */
	assert_int_equal(violations, 0);
}

/* The model must catch weaker policies, or it proves nothing. */
static void test_vmid_model_catches_weaker_policies(void **state)
{
	(void)state;
	model_run(2, 3, POLICY_NO_GVMA_ALL, 1, 3000);
	assert_true(violations > 0);
	model_run(0, 3, POLICY_NO_GVMA_ALL, 1, 3000);
	assert_true(violations > 0);
	/* Without rollovers hiding it, KVM's test alone lets a vCPU see another
	 * vCPU's entries (test_vmid_model_other_vcpu_scenario). */
	model_run(8, 3, POLICY_MOVED_ONLY, 1, 20000);
	assert_true(violations > 0);
}

/* The case vmid_vcpu_moved alone misses: x returns to the hart it never
 * left, where y of the same VM left entries the guest fenced only on y. */
static void test_vmid_model_other_vcpu_scenario(void **state)
{
	(void)state;
	for (int weak = 0; weak < 2; weak++) {
		model_init(4, 2, POLICY_AS_TOLD, 9);
		strict = false;
		struct mvm *m = &vms[0];
		m->vsmap[1][0] = 3;
		vcpus[0][0].proc = 0;
		vcpus[0][1].proc = 1;
		vcpu_enter(0, 0, 0);                    /* x on hart 0, process 0 */
		vcpu_exit(0);
		vcpu_enter(0, 0, 1);                    /* y on hart 0, process 1 */
		access_gva(0, 0);                       /* caches process 1's gva 0 */
		vcpu_exit(0);
		vcpu_enter(1, 0, 1);                    /* y moves to hart 1 */
		m->vsmap[1][0] = 5;                     /* the guest fences y, which ran */
		vvma(1);                                /* process 1, on hart 1 only */
		unsigned act = vmid_enter(&s, &m->id, &vcpus[0][0].id, 0);
		if (weak)
			act &= ~VMID_FLUSH_VVMA;        /* x.last_hart == 0: KVM would not flush */
		assert_true(act & VMID_FLUSH_VVMA || weak);
		hart[0].hgatp_vmid = (int)m->id.vmid;
		if (act & VMID_FLUSH_VVMA)
			vvma(0);
		hart[0].vm = 0;
		hart[0].vcpu = 0;
		vcpus[0][0].hart = 0;
		vcpus[0][0].proc = 1;                   /* x now runs process 1 */
		m->cpumask[1] |= 1;
		violations = 0;
		access_gva(0, 0);
		assert_int_equal(violations, weak ? 1 : 0);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vmid_init_clips_and_falls_back),
		cmocka_unit_test(test_vmid_first_entry_flushes_then_nothing),
		cmocka_unit_test(test_vmid_distinct_until_rollover),
		cmocka_unit_test(test_vmid_rollover_reaches_every_hart),
		cmocka_unit_test(test_vmid_moved),
		cmocka_unit_test(test_vmid_migration_needs_vvma),
		cmocka_unit_test(test_vmid_other_vcpu_of_same_vm_needs_vvma),
		cmocka_unit_test(test_vmid_zero_bits_flush_on_vm_switch),
		cmocka_unit_test(test_vmid_may_hold),
		cmocka_unit_test(test_vmid_destroy_without_vmids),
		cmocka_unit_test(test_vmid_random_two_bits),
		cmocka_unit_test(test_vmid_random_one_bit_one_hart),
		cmocka_unit_test(test_vmid_random_no_vmids),
		cmocka_unit_test(test_vmid_random_wide),
		cmocka_unit_test(test_vmid_model_catches_weaker_policies),
		cmocka_unit_test(test_vmid_model_other_vcpu_scenario),
		cmocka_unit_test(test_vmid_remote_fence_reaches_vcpu_everywhere),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
