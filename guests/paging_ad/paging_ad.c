/*
 * Accessed and dirty bits (RISC-V Privileged ISA v1.12, 4.3.1 and 4.3.2
 * step 7): read back from the PTEs after a load, a store, an AMO and a
 * fetch, on 4 KiB, 2 MiB and 1 GiB leaves, from S, from U and from S
 * under SUM; a store to a clean writable page; faulting accesses leave A
 * and D as they were; after clearing A/D and SFENCE.VMA (each form, and a
 * fence naming another address of the same superpage) the next access
 * sets them again. QEMU 7.2 updates A/D itself (the spec's second
 * option), so the values are deterministic.
 * A/D of a PTE is never printed before an SFENCE.VMA that follows a change
 * of that PTE: a stale TLB entry would make it implementation-specific.
 */
#include "paging.h"

PG_EXEC_PAGE(exec_page);

#define DATA_2M    PG_DATA_BASE                 /* 2 MiB aligned */
#define DATA4K     (PG_DATA_BASE + 0x200000UL)
#define IMAGE_2M   0x80200000UL                 /* the image: 2 MiB aligned */

/* One window of VAs per leaf size, one leaf per test. */
#define W4K(i)     (0x40000000UL + (unsigned long)(i) * PG_SIZE)
#define W2M(i)     (0x60000000UL + (unsigned long)(i) * 0x200000UL)
#define W1G(i)     (0x100000000UL + (unsigned long)(i) * 0x40000000UL)

enum test {
	T_LOAD, T_STORE, T_AMO, T_FETCH, T_CLEAN, T_RO_STORE, T_U_LOAD, T_NX_FETCH,
	T_U_FETCH, T_RO_A_STORE, T_MISALIGNED, T_REFAULT, T_COUNT
};

struct size {
	const char *name;
	unsigned level;
	unsigned long (*va)(unsigned);
	unsigned long data;     /* PA of a data leaf */
	unsigned long code;     /* PA of a code leaf */
	unsigned long exec;     /* offset of exec_page in the code leaf */
	unsigned long off;      /* where in a data leaf the accesses go */
};

static unsigned long va4k(unsigned i) { return W4K(i); }
static unsigned long va2m(unsigned i) { return W2M(i); }
static unsigned long va1g(unsigned i) { return W1G(i); }

static struct size sizes[3];
static const char *mode_name;
static struct pg_space space;

static uint64_t *leaf(const struct size *z, enum test t)
{
	return pg_pte(&space, z->va(t), z->level);
}

static void show(const struct size *z, const char *what, enum test t)
{
	uint64_t pte = *(volatile uint64_t *)leaf(z, t);

	printf("%s %s %s: a=%lu d=%lu\n", mode_name, z->name, what,
	       (unsigned long)(pte >> 6) & 1, (unsigned long)(pte >> 7) & 1);
}

static void show_trap(const struct size *z, const char *what, const struct trap_record *r)
{
	printf("%s %s ", mode_name, z->name);
	trap_report(what, r);
}

static void run(const struct size *z, const char *what, enum test t, probe_fn fn,
		unsigned long arg)
{
	struct trap_record r;

	trap_expect(&r, fn, arg);
	show_trap(z, what, &r);
	show(z, what, t);
}

static void map_tests(const struct size *z)
{
	unsigned long rw = PTE_R | PTE_W, rx = PTE_R | PTE_X;

	pg_map(&space, z->va(T_LOAD), z->data, z->level, rw);
	pg_map(&space, z->va(T_STORE), z->data, z->level, rw);
	pg_map(&space, z->va(T_AMO), z->data, z->level, rw);
	pg_map(&space, z->va(T_FETCH), z->code, z->level, rx);
	pg_map(&space, z->va(T_CLEAN), z->data, z->level, rw | PTE_A);
	pg_map(&space, z->va(T_RO_STORE), z->data, z->level, PTE_R);
	pg_map(&space, z->va(T_U_LOAD), z->data, z->level, rw | PTE_U);
	pg_map(&space, z->va(T_NX_FETCH), z->code, z->level, rw);
	pg_map(&space, z->va(T_U_FETCH), z->code, z->level, rx | PTE_U);
	pg_map(&space, z->va(T_RO_A_STORE), z->data, z->level, PTE_R | PTE_X | PTE_A);
	/* 4 KiB leaves cannot be misaligned: use a plain R/W one there. */
	pg_map(&space, z->va(T_MISALIGNED), z->data + (z->level ? PG_SIZE : 0),
	       z->level, rw);
	pg_map(&space, z->va(T_REFAULT), z->data, z->level, rw);
}

static void test_size(const struct size *z)
{
	unsigned long d = z->off;
	volatile uint64_t *p;

	run(z, "load", T_LOAD, pg_ld, z->va(T_LOAD) + d);
	run(z, "store", T_STORE, pg_sd, z->va(T_STORE) + d);
	run(z, "amo", T_AMO, pg_amo, z->va(T_AMO) + d);
	run(z, "fetch", T_FETCH, (probe_fn)(z->va(T_FETCH) + z->exec), 0);
	show(z, "clean before", T_CLEAN);
	run(z, "clean load", T_CLEAN, pg_ld, z->va(T_CLEAN) + d);
	run(z, "clean store", T_CLEAN, pg_sd, z->va(T_CLEAN) + d);

	/* Faults: 4.3.2 step 5 fails before step 7 would set A or D. */
	run(z, "read-only store", T_RO_STORE, pg_sd, z->va(T_RO_STORE) + d);
	run(z, "u-page load sum=0", T_U_LOAD, pg_ld, z->va(T_U_LOAD) + d);
	run(z, "no-x fetch", T_NX_FETCH, (probe_fn)(z->va(T_NX_FETCH) + z->exec), 0);
	run(z, "u-page fetch", T_U_FETCH, (probe_fn)(z->va(T_U_FETCH) + z->exec), 0);
	run(z, "accessed read-only store", T_RO_A_STORE, pg_sd, z->va(T_RO_A_STORE) + d);
	if (z->level)
		run(z, "misaligned load", T_MISALIGNED, pg_ld, z->va(T_MISALIGNED) + d);

	/* Set, clear, fence, set again: each form of the fence. */
	run(z, "refault store", T_REFAULT, pg_sd, z->va(T_REFAULT) + d);
	p = leaf(z, T_REFAULT);
	*p &= ~(PTE_A | PTE_D);
	pg_fence_va(z->va(T_REFAULT) + d);
	show(z, "cleared+fence va", T_REFAULT);
	run(z, "refault load", T_REFAULT, pg_ld, z->va(T_REFAULT) + d);
	*p &= ~(PTE_A | PTE_D);
	pg_fence_all();
	run(z, "refault store after fence all", T_REFAULT, pg_sd, z->va(T_REFAULT) + d);
	*p &= ~(PTE_A | PTE_D);
	pg_fence_asid(0x5);
	run(z, "refault amo after fence asid", T_REFAULT, pg_amo, z->va(T_REFAULT) + d);
	/* The fence names the leaf's first byte, the store goes elsewhere in
	 * it: "the leaf PTE corresponding to the virtual address in rs1"
	 * (4.2.1) is the whole superpage's leaf. */
	*p &= ~PTE_D;
	pg_fence_va(z->va(T_REFAULT));
	run(z, "refault store after fence va at leaf base (a kept)", T_REFAULT, pg_sd,
	    z->va(T_REFAULT) + d);
	*p &= ~PTE_D;
	pg_fence_va_asid(z->va(T_REFAULT), 0x5);
	run(z, "refault store after fence va+asid at leaf base (a kept)", T_REFAULT, pg_sd,
	    z->va(T_REFAULT) + d);
}

/* U pages, touched from U, and from S under SUM. */
#define UALIAS   0x1000000000UL          /* RAM again, U|RWX, A/D set */
#define U_VA(i)  (0x50000000UL + (unsigned long)(i) * PG_SIZE)

static unsigned long ualias(unsigned long pa) { return UALIAS + (pa - PG_RAM_BASE); }

static void show_u(const char *what, unsigned i)
{
	uint64_t pte = *(volatile uint64_t *)pg_pte(&space, U_VA(i), PG_4K);

	printf("%s u %s: a=%lu d=%lu\n", mode_name, what, (unsigned long)(pte >> 6) & 1,
	       (unsigned long)(pte >> 7) & 1);
}

static void u_run(const char *what, unsigned i, unsigned long pc, unsigned long arg)
{
	struct trap_record r;

	pg_expect_user(&r, pc, arg, ualias(PG_DATA_BASE + 0x300000UL),
		       ualias((unsigned long)pg_user_exit));
	printf("%s u ", mode_name);
	trap_report(what, &r);
	show_u(what, i);
}

static void test_user(void)
{
	struct trap_record r;

	for (unsigned i = 0; i < 6; i++)
		pg_map(&space, U_VA(i), i == 2 ? (unsigned long)exec_page : DATA4K, PG_4K,
		       PTE_U | PTE_R | PTE_W | (i == 2 ? PTE_X : 0) | (i == 4 ? PTE_A : 0));
	*(volatile uint64_t *)pg_pte(&space, U_VA(5), PG_4K) &= ~PTE_W;
	pg_fence_all();
	u_run("load", 0, ualias((unsigned long)pg_ld), U_VA(0) + 0x80);
	u_run("store", 1, ualias((unsigned long)pg_sd), U_VA(1) + 0x80);
	u_run("fetch", 2, U_VA(2), 0);
	u_run("amo", 3, ualias((unsigned long)pg_amo), U_VA(3) + 0x80);
	u_run("clean store", 4, ualias((unsigned long)pg_sd), U_VA(4) + 0x80);
	u_run("read-only store", 5, ualias((unsigned long)pg_sd), U_VA(5) + 0x80);
	/* The kernel's copy_to_user: an S store under SUM dirties the U page. */
	*(volatile uint64_t *)pg_pte(&space, U_VA(0), PG_4K) &= ~(PTE_A | PTE_D);
	pg_fence_va(U_VA(0));
	csr_set(sstatus, SSTATUS_SUM);
	trap_expect(&r, pg_sd, U_VA(0) + 0x88);
	csr_clear(sstatus, SSTATUS_SUM);
	printf("%s s ", mode_name);
	trap_report("store sum=1", &r);
	show_u("after s store sum=1", 0);
}

/* Hardware sets A/D in leaves only (4.3.2 step 7): the pointers above the
 * test leaves stay as pg_map made them. */
static void check_pointers(void)
{
	unsigned long vas[3] = { W4K(0), W2M(0), W1G(0) };
	unsigned bad = 0;

	for (unsigned s = 0; s < 3; s++)
		for (unsigned l = space.levels - 1; l > sizes[s].level; l--)
			if ((*pg_pte(&space, vas[s], l) & 0x3ff) != PTE_V)
				bad++;
	printf("%s pointers with more than V: %u\n", mode_name, bad);
}

static void test_mode(const char *name, unsigned long mode)
{
	mode_name = name;
	pg_pool_reset();
	pg_space_init(&space, mode);
	pg_map_identity(&space, 0);
	pg_map(&space, UALIAS, PG_RAM_BASE, PG_1G,
	       PTE_U | PTE_R | PTE_W | PTE_X | PTE_A | PTE_D);
	for (unsigned s = 0; s < 3; s++)
		map_tests(&sizes[s]);
	/* The data the tests touch, written before anything reads it. */
	for (unsigned s = 0; s < 3; s++)
		*(volatile unsigned long *)(sizes[s].data + sizes[s].off) = 0x100 + s;
	printf("%s satp=0x%lx\n", name, pg_enable(&space, 5));
	for (unsigned s = 0; s < 3; s++)
		test_size(&sizes[s]);
	test_user();
	check_pointers();
	pg_disable();
}

void guest_main(unsigned long hartid, unsigned long dtb)
{
	(void)hartid;
	(void)dtb;
	sizes[0] = (struct size){ "4k", PG_4K, va4k, DATA4K, (unsigned long)exec_page, 0, 0x80 };
	sizes[1] = (struct size){ "2m", PG_2M, va2m, DATA_2M, IMAGE_2M,
				  (unsigned long)exec_page - IMAGE_2M, 0x1230 };
	sizes[2] = (struct size){ "1g", PG_1G, va1g, PG_RAM_BASE, PG_RAM_BASE,
				  (unsigned long)exec_page - PG_RAM_BASE,
				  DATA4K - PG_RAM_BASE + 0x100 };
	pg_init();
	test_mode("sv39", SATP_MODE_SV39);
	test_mode("sv57", SATP_MODE_SV57);
}
