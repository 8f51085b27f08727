/*
 * SFENCE.VMA and SBI RFENCE after PTE changes (RISC-V Privileged ISA
 * v1.12, 4.2.1 Supervisor Memory-Management Fence Instruction; SBI v2.0,
 * RFENCE Extension). A VA is remapped to another physical page, touched
 * once without a fence (so a TLB may hold the old translation), then fenced
 * and read. Only what a fence guarantees is compared: reads the spec leaves
 * open (no fence, a fence for another address or ASID, an ASID fence over a
 * global mapping) are printed as "info:" lines, since QEMU's TLB answer
 * there is its own, not the architecture's.
 */
#include "paging.h"

#define ASID_A   1
#define ASID_B   2
#define T        0x40000000UL     /* 4 KiB, non-global */
#define TG       0x40001000UL     /* 4 KiB, global */
#define TR       0x40002000UL     /* 4 KiB, for SBI RFENCE */
#define TR2      0x40003000UL     /* next page, same ranges */
#define T2M      0x40200000UL     /* 2 MiB leaf */
#define TN       0x40600000UL     /* under its own level-0 table */
#define OFF      0x40

#define DATA     (PG_DATA_BASE + 0x400000UL)
#define P(i)     (DATA + (unsigned long)(i) * PG_SIZE)
#define D2M_A    PG_DATA_BASE                /* 2 MiB aligned */
#define D2M_B    (PG_DATA_BASE + 0x200000UL)

#define RW       (PTE_R | PTE_W | PTE_A | PTE_D)

static void switch_to(struct pg_space *s, unsigned long asid);

static struct pg_space a, b;

/* Page i holds 0x1111 * (i + 1) at OFF; the 2 MiB pages 0xa2.../0xb2... */
static void fill(void)
{
	for (unsigned i = 0; i < 4; i++)
		*(volatile unsigned long *)(P(i) + OFF) = 0x1111UL * (i + 1);
	for (unsigned long o = 0; o < 0x200000UL; o += 0x1000UL) {
		*(volatile unsigned long *)(D2M_A + o + OFF) = 0xa2000000UL + o;
		*(volatile unsigned long *)(D2M_B + o + OFF) = 0xb2000000UL + o;
	}
}

static unsigned long rd(unsigned long va)
{
	struct trap_record r;

	if (!trap_expect(&r, pg_ld, va))
		return r.ret;
	trap_report("  read", &r);
	return ~0UL;
}

static void show(const char *label, unsigned long va)
{
	printf("%s: 0x%lx\n", label, rd(va));
}

static void info(const char *label, unsigned long va)
{
	printf("info: %s: 0x%lx\n", label, rd(va));
}

static void set_leaf(struct pg_space *s, unsigned long va, unsigned level,
		     unsigned long pa, unsigned long flags)
{
	*(volatile uint64_t *)pg_pte(s, va, level) = pg_make_pte(pa, flags | PTE_V);
}

/* Point va (4 KiB leaf in a) at page i and touch it with no fence. */
static void remap(struct pg_space *s, unsigned long va, unsigned i, unsigned long flags,
		  const char *what)
{
	set_leaf(s, va, PG_4K, P(i), flags);
	printf("%s -> page %u\n", what, i);
	(void)rd(va + OFF);
}

static void test_forms(void)
{
	puts("-- non-global");
	show("t", T + OFF);
	remap(&a, T, 1, RW, "t");
	info("t with no fence", T + OFF);
	pg_fence_all();
	show("t after sfence.vma x0,x0", T + OFF);
	remap(&a, T, 2, RW, "t");
	pg_fence_va(T);
	show("t after sfence.vma t,x0", T + OFF);
	remap(&a, T, 3, RW, "t");
	pg_fence_va(T + OFF + 8);
	show("t after sfence.vma t+0x48,x0", T + OFF);
	remap(&a, T, 0, RW, "t");
	pg_fence_asid(ASID_A);
	show("t after sfence.vma x0,asid", T + OFF);
	remap(&a, T, 1, RW, "t");
	pg_fence_va_asid(T, ASID_A);
	show("t after sfence.vma t,asid", T + OFF);
	remap(&a, T, 2, RW, "t");
	pg_fence_va(T + PG_SIZE);
	info("t after sfence.vma (other va),x0", T + OFF);
	pg_fence_asid(ASID_B);
	info("t after sfence.vma x0,(other asid)", T + OFF);
	pg_fence_va_asid(T, ASID_B);
	info("t after sfence.vma t,(other asid)", T + OFF);
	pg_fence_all();
	show("t after sfence.vma x0,x0", T + OFF);

	puts("-- global");
	show("tg", TG + OFF);
	remap(&a, TG, 1, RW | PTE_G, "tg");
	pg_fence_all();
	show("tg after sfence.vma x0,x0", TG + OFF);
	remap(&a, TG, 2, RW | PTE_G, "tg");
	pg_fence_va(TG);
	show("tg after sfence.vma tg,x0", TG + OFF);
	/* 4.2.1: with rs2 != x0, global mappings are not ordered. */
	remap(&a, TG, 3, RW | PTE_G, "tg");
	pg_fence_asid(ASID_A);
	info("tg after sfence.vma x0,asid", TG + OFF);
	pg_fence_va_asid(TG, ASID_A);
	info("tg after sfence.vma tg,asid", TG + OFF);
	pg_fence_all();
	show("tg after sfence.vma x0,x0", TG + OFF);
	remap(&a, TG, 0, RW, "tg (global cleared)");
	pg_fence_va(TG);
	show("tg after sfence.vma tg,x0", TG + OFF);
}

/* A 2 MiB leaf is one translation: a fence for any address inside it
 * covers all of it (4.2.1, "the leaf page table entry corresponding to the
 * virtual address in rs1"). */
static void test_superpage(void)
{
	static const struct { const char *form; unsigned long fence_off; int asid; } f[] = {
		{ "sfence.vma t2m+0x5000,x0", 0x5000, 0 },
		{ "sfence.vma t2m,asid", 0, 1 },
		{ "sfence.vma t2m+0x1ff000,x0", 0x1ff000, 0 },
		{ "sfence.vma t2m+0x1ff000,asid", 0x1ff000, 1 },
	};

	puts("-- superpage");
	show("t2m+0x0", T2M + OFF);
	for (unsigned i = 0; i < 4; i++) {
		unsigned long pa = (i & 1) ? D2M_A : D2M_B;

		(void)rd(T2M + OFF);
		(void)rd(T2M + 0x5000 + OFF);
		(void)rd(T2M + 0x12000 + OFF);
		set_leaf(&a, T2M, PG_2M, pa, RW);
		printf("t2m -> %s\n", (i & 1) ? "a" : "b");
		if (f[i].asid)
			pg_fence_va_asid(T2M + f[i].fence_off, ASID_A);
		else
			pg_fence_va(T2M + f[i].fence_off);
		printf("after %s: ", f[i].form);
		printf("+0x0 0x%lx +0x5000 0x%lx +0x12000 0x%lx\n", rd(T2M + OFF),
		       rd(T2M + 0x5000 + OFF), rd(T2M + 0x12000 + OFF));
	}
	/* A 2 MiB leaf split into 4 KiB leaves (a new level-0 table): a
	 * non-leaf change, which takes rs1 = x0. */
	(void)rd(T2M + 0x7000 + OFF);
	unsigned long l0 = pg_alloc();
	for (unsigned i = 0; i < 512; i++)
		((volatile uint64_t *)l0)[i] = pg_make_pte(D2M_B + i * PG_SIZE, PTE_V | RW);
	((volatile uint64_t *)l0)[7] = pg_make_pte(P(3), PTE_V | RW);
	*(volatile uint64_t *)pg_pte(&a, T2M, PG_2M) = pg_make_pte(l0, PTE_V);
	pg_fence_asid(ASID_A);
	printf("split, after sfence.vma x0,asid: +0x0 0x%lx +0x7000 0x%lx\n",
	       rd(T2M + OFF), rd(T2M + 0x7000 + OFF));
	set_leaf(&a, T2M, PG_2M, D2M_B, RW);
	pg_fence_all();
	printf("joined, after sfence.vma x0,x0: +0x0 0x%lx +0x7000 0x%lx\n",
	       rd(T2M + OFF), rd(T2M + 0x7000 + OFF));
}

/* 4.2.1: a change to a non-leaf PTE needs rs1 = x0. */
static void test_nonleaf(void)
{
	volatile uint64_t *ptr = pg_pte(&a, TN, PG_2M);
	unsigned long old_l0 = pg_pte_pa(*ptr);
	unsigned long new_l0 = pg_alloc();

	puts("-- non-leaf");
	((volatile uint64_t *)new_l0)[0] = pg_make_pte(P(3), PTE_V | RW);
	show("tn", TN + OFF);
	*ptr = pg_make_pte(new_l0, PTE_V);
	info("tn with no fence", TN + OFF);
	pg_fence_all();
	show("tn after pointer change, sfence.vma x0,x0", TN + OFF);
	*ptr = pg_make_pte(old_l0, PTE_V);
	(void)rd(TN + OFF);
	pg_fence_asid(ASID_A);
	show("tn after pointer back, sfence.vma x0,asid", TN + OFF);
}

static void switch_to(struct pg_space *s, unsigned long asid)
{
	/* Different ASIDs, tables fenced since their last change: no fence
	 * needed on the switch itself (4.2.1). */
	csr_write(satp, pg_satp(s, asid));
}

static void test_two_asids(void)
{
	puts("-- two asids");
	switch_to(&a, ASID_A);
	show("a: t", T + OFF);
	switch_to(&b, ASID_B);
	show("b: t", T + OFF);
	switch_to(&a, ASID_A);
	show("a: t", T + OFF);
	switch_to(&b, ASID_B);
	show("b: t", T + OFF);

	/* In b, change a's table, fence a's ASID, go to a. */
	set_leaf(&a, T, PG_4K, P(3), RW);
	pg_fence_asid(ASID_A);
	switch_to(&a, ASID_A);
	show("a: t after b changed it, sfence.vma x0,asid_a", T + OFF);
	/* In a, change b's table, fence (t, b's ASID), go to b. */
	set_leaf(&b, T, PG_4K, P(0), RW);
	pg_fence_va_asid(T, ASID_B);
	switch_to(&b, ASID_B);
	show("b: t after a changed it, sfence.vma t,asid_b", T + OFF);
	/* In b, change a's, fence (t, x0): every address space. */
	set_leaf(&a, T, PG_4K, P(2), RW);
	pg_fence_va(T);
	switch_to(&a, ASID_A);
	show("a: t after sfence.vma t,x0 in b", T + OFF);
	/* In a, change b's and fence only a's ASID: b may keep the old one. */
	set_leaf(&b, T, PG_4K, P(1), RW);
	pg_fence_asid(ASID_A);
	switch_to(&b, ASID_B);
	info("b: t after only asid_a was fenced", T + OFF);
	pg_fence_asid(ASID_B);
	show("b: t after sfence.vma x0,asid_b", T + OFF);
	switch_to(&a, ASID_A);
	show("a: t", T + OFF);
}

/* A fence while satp is Bare still orders the table writes before the
 * implicit references made once paging is back (4.2.1 does not depend on
 * the current mode). */
static void test_fence_while_bare(void)
{
	puts("-- fence while paging is off");
	show("t", T + OFF);
	csr_write(satp, 0);
	set_leaf(&a, T, PG_4K, P(0), RW);
	pg_fence_all();
	switch_to(&a, ASID_A);
	show("t after sfence.vma x0,x0 with satp=bare", T + OFF);
	csr_write(satp, 0);
	set_leaf(&a, T, PG_4K, P(1), RW);
	pg_fence_va(T);
	switch_to(&a, ASID_A);
	show("t after sfence.vma t,x0 with satp=bare", T + OFF);
	csr_write(satp, 0);
	set_leaf(&a, T, PG_4K, P(2), RW);
	pg_fence_asid(ASID_A);
	switch_to(&a, ASID_A);
	show("t after sfence.vma x0,asid_a with satp=bare", T + OFF);
}

/* More address spaces than a shadow cache might hold, each with its own
 * page at t, visited round-robin three times; one ASID reused for a new
 * root after a fence of that ASID. */
#define MANY 24
static struct pg_space many[MANY];

static void test_many_spaces(void)
{
	unsigned long bad = 0;

	puts("-- many address spaces");
	for (unsigned i = 0; i < MANY; i++) {
		pg_space_init(&many[i], SATP_MODE_SV39);
		pg_map_identity(&many[i], PTE_G);
		pg_map(&many[i], T, P(4 + i), PG_4K, RW);
		*(volatile unsigned long *)(P(4 + i) + OFF) = 0x5000 + i;
	}
	pg_fence_all();
	for (unsigned round = 0; round < 3; round++) {
		for (unsigned i = 0; i < MANY; i++) {
			switch_to(&many[i], 0x100 + i);
			if (rd(T + OFF) != 0x5000 + i)
				bad++;
		}
	}
	switch_to(&a, ASID_A);
	printf("%u spaces x 3 rounds: %lu wrong\n", MANY, bad);
	/* ASID 0x100 moves to the root of space 1 after a fence of it. */
	pg_fence_asid(0x100);
	switch_to(&many[1], 0x100);
	show("asid 0x100 on space 1's root", T + OFF);
	switch_to(&many[0], 0x101);
	pg_fence_asid(0x101);
	show("asid 0x101 on space 0's root", T + OFF);
	switch_to(&a, ASID_A);
}

static void sbi_fence(const char *what, unsigned long fid, unsigned long start,
		      unsigned long size, unsigned long asid)
{
	struct sbiret r = sbi_call(SBI_EXT_RFENCE, fid, 1, 0, start, size, asid, 0);

	printf("%s: error=%ld value=%ld\n", what, r.error, r.value);
}

static void test_sbi(void)
{
	puts("-- sbi rfence");
	show("tr", TR + OFF);
	remap(&a, TR, 1, RW, "tr");
	sbi_fence("remote_sfence_vma tr,4096", 1, TR, PG_SIZE, 0);
	show("tr", TR + OFF);
	remap(&a, TR, 2, RW, "tr");
	sbi_fence("remote_sfence_vma_asid tr,4096,asid_a", 2, TR, PG_SIZE, ASID_A);
	show("tr", TR + OFF);
	/* A range of two pages: both change, the fence names the first. */
	remap(&a, TR, 3, RW, "tr");
	remap(&a, TR2, 3, RW, "tr2");
	sbi_fence("remote_sfence_vma tr,8192", 1, TR, 2 * PG_SIZE, 0);
	show("tr", TR + OFF);
	show("tr2", TR2 + OFF);
	/* Full flushes: start 0 and size 0, or size -1 (SBI v2.0 RFENCE). */
	remap(&a, TR, 0, RW, "tr");
	sbi_fence("remote_sfence_vma 0,0", 1, 0, 0, 0);
	show("tr", TR + OFF);
	remap(&a, TR2, 0, RW, "tr2");
	sbi_fence("remote_sfence_vma tr2,-1", 1, TR2, ~0UL, 0);
	show("tr2", TR2 + OFF);
	remap(&a, TR, 1, RW, "tr");
	sbi_fence("remote_sfence_vma_asid 0,-1,asid_a", 2, 0, ~0UL, ASID_A);
	show("tr", TR + OFF);
	/* Superpage, fenced by its middle. */
	(void)rd(T2M + OFF);
	set_leaf(&a, T2M, PG_2M, D2M_A, RW);
	sbi_fence("remote_sfence_vma t2m+0x9000,4096", 1, T2M + 0x9000, PG_SIZE, 0);
	show("t2m+0x0", T2M + OFF);
	/* Another address space's ASID, fenced from here. */
	set_leaf(&b, T, PG_4K, P(3), RW);
	sbi_fence("remote_sfence_vma_asid t,4096,asid_b", 2, T, PG_SIZE, ASID_B);
	switch_to(&b, ASID_B);
	show("b: t", T + OFF);
	switch_to(&a, ASID_A);
}

void guest_main(unsigned long hartid, unsigned long dtb)
{
	(void)hartid;
	(void)dtb;
	pg_init();
	fill();
	pg_space_init(&a, SATP_MODE_SV39);
	pg_map_identity(&a, 0);
	pg_map(&a, T, P(0), PG_4K, RW);
	pg_map(&a, TG, P(0), PG_4K, RW | PTE_G);
	pg_map(&a, TR, P(0), PG_4K, RW);
	pg_map(&a, TR2, P(0), PG_4K, RW);
	pg_map(&a, T2M, D2M_A, PG_2M, RW);
	pg_map(&a, TN, P(0), PG_4K, RW);
	pg_space_init(&b, SATP_MODE_SV39);
	pg_map_identity(&b, 0);
	pg_map(&b, T, P(1), PG_4K, RW);
	printf("satp=0x%lx\n", pg_enable(&a, ASID_A));
	test_forms();
	test_superpage();
	test_nonleaf();
	test_two_asids();
	test_sbi();
	test_fence_while_bare();
	test_many_spaces();
	pg_disable();
}
