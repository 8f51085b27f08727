/*
 * A guest whose page tables point everywhere it was not given
 * (tests/system/test_hostile.py, case 1): guest-physical addresses past its
 * RAM up to 2^56, the firmware's, and so the host addresses where Trapeze
 * and the other VMs live if a guest-physical address ever reached them
 * unchecked. A VM cannot name a host address; what it can do is write
 * through every mapping it can build, and this guest does: a tagged store
 * (and a load back) through a leaf of every size (4K, 2M, 1G, 512G, 256T)
 * in Sv39, Sv48 and Sv57, at PAs covering the first 4 GiB above RAM's
 * base in 2 MiB steps, every page around the firmware and RAM's end, and
 * every power of two up to 2^55; then page tables (pointers) at wild PAs,
 * and one made of PLIC registers.
 * Every store either lands in its own RAM (the tag is then read back at
 * the identity address) or faults exactly as on bare QEMU; the neighbour's
 * checksum shows that nothing reached it (RISC-V Privileged ISA v1.12,
 * 4.3.2 Virtual Address Translation Process, and 3.7 PMP).
 *
 * bootargs pt=alias instead maps many gigabytes of VA onto its own RAM
 * (1 GiB leaves, all aliases of RAM) and touches one word in every 2 MiB
 * of it: thousands of distinct translations, which bare hardware serves
 * without complaint and which a hypervisor must serve from a bounded
 * shadow pool.
 *
 * Lines: per mode and leaf size, counts of each outcome; any surprising
 * outcome also prints on its own. The same on bare QEMU (-m 64M) and under
 * Trapeze.
 */
#include "hostile.h"
#include "paging.h"

#define GIB             (1UL << 30)
#define MIB             (1UL << 20)
#define VA_WIN4K        0x40000000UL            /* Sv39 root slot 1 */
#define VA_WIN2M        0x40200000UL
#define VA_WIN1G        0xc0000000UL            /* Sv39 root slot 3 */
#define VA_WIN512G      0x8000000000UL          /* Sv48 root slot 1 */
#define VA_WIN256T      0x1000000000000UL       /* Sv57 root slot 1 */
#define VA_TABLE        0x40400000UL            /* + root slot 1: through a wild table */
#define PA_TOP          (1UL << 56)

/* The hostile stores land only here when the PA is its own RAM: below its
 * image, the paging scratch area, and RAM's last 64 KiB (the DTB sits
 * 2 MiB below RAM's end). Everything else of its own RAM (code, stack,
 * page tables, DTB) is left alone, on bare QEMU and under Trapeze alike. */
static uint64_t ram_base, ram_end;

static int pa_is_ram(uint64_t pa)
{
	return pa >= ram_base && pa < ram_end;
}

static int pa_is_safe_ram(uint64_t pa)
{
	return (pa >= ram_base + 0x80000UL && pa < 0x80200000UL) ||
	       (pa >= PG_DATA_BASE && pa < PG_DATA_END) ||
	       (pa >= ram_end - 0x10000UL && pa < ram_end);
}

/*
 * QEMU 7.2 virt puts a 16 GiB PCIe MMIO window at the first 16 GiB
 * boundary above RAM (virt.c, virt_high_pcie_memmap): on bare QEMU, stores
 * there vanish and loads read all ones, while Trapeze models no PCIe (README,
 * Known limits) and faults. Not compared; skipped like unsafe own RAM.
 */
static int pa_is_bare_pcie(uint64_t pa)
{
	uint64_t base = (ram_end + (16UL << 30) - 1) & ~((16UL << 30) - 1);

	return pa >= base && pa < base + (16UL << 30);
}

/* Outcome counts of one (mode, leaf size) sweep. */
struct tally {
	unsigned long targets, ram, store_access, page_fault, skipped, odd;
};

static uint64_t tag_of(uint64_t pa, unsigned long mode, unsigned level)
{
	return hostile_mix(pa ^ (mode << 56) ^ ((uint64_t)level << 52) ^ 0x7471677374ULL);
}

/*
 * One target: the leaf `pte` (already walked to) now maps va -> pa_leaf;
 * the access is at va + off, reaching pa = pa_leaf + off.
 */
static void try_target(struct tally *t, const char *what, volatile uint64_t *pte,
		       unsigned long va, uint64_t pa_leaf, unsigned long off,
		       unsigned long mode, unsigned level)
{
	uint64_t pa = pa_leaf + off, tag = tag_of(pa, mode, level);
	unsigned long target = va + off;
	struct trap_record r;

	if ((pa_is_ram(pa) && !pa_is_safe_ram(pa)) || pa_is_bare_pcie(pa)) {
		t->skipped++;
		return;
	}
	t->targets++;
	*pte = pg_make_pte(pa_leaf, PTE_R | PTE_W | PTE_A | PTE_D | PTE_V);
	pg_fence_va(target);
	pg_store_value = tag;
	if (!trap_expect(&r, pg_sdv, target)) {
		unsigned long back = pg_read(what, target);

		if (!pa_is_ram(pa) || back != tag || *(volatile uint64_t *)pa != tag) {
			t->odd++;
			printf("%s: store to pa 0x%lx went through: read back 0x%lx, at pa 0x%lx\n",
			       what, (unsigned long)pa, back,
			       pa_is_ram(pa) ? (unsigned long)*(volatile uint64_t *)pa : 0UL);
		} else {
			t->ram++;
		}
		return;
	}
	/* The store faulted: so must a load, with the matching cause. */
	struct trap_record l;
	int lt = trap_expect(&l, pg_ld, target);

	if (r.cause == EXC_STORE_ACCESS && r.tval == target && r.epc == r.fn + 12 &&
	    lt && l.cause == EXC_LOAD_ACCESS && l.tval == target) {
		t->store_access++;
	} else if (r.cause == EXC_STORE_PAGE_FAULT && r.tval == target &&
		   lt && l.cause == EXC_LOAD_PAGE_FAULT && l.tval == target) {
		t->page_fault++;
	} else {
		t->odd++;
		printf("%s: pa 0x%lx: store scause=0x%lx stval=%s0x%lx, load %s scause=0x%lx\n",
		       what, (unsigned long)pa, r.cause, r.tval == target ? "va+" : "",
		       r.tval == target ? 0UL : r.tval, lt ? "trap" : "ok", lt ? l.cause : 0UL);
	}
}

static void tally_print(const char *what, const struct tally *t)
{
	printf("%s: %lu targets: %lu in own RAM (tag read back), %lu access faults, "
	       "%lu page faults, %lu other, %lu skipped\n",
	       what, t->targets, t->ram, t->store_access, t->page_fault, t->odd, t->skipped);
}

static const char *mode_name(unsigned long mode)
{
	return mode == SATP_MODE_SV39 ? "sv39" : mode == SATP_MODE_SV48 ? "sv48" : "sv57";
}

/* Powers of two from 2^from up to 2^55, and the last page below 2^56. */
static int pow2_next(unsigned *k, uint64_t *pa)
{
	if (*k < 56) {
		*pa = 1UL << *k;
		(*k)++;
		return 1;
	}
	if (*k == 56) {
		*pa = PA_TOP - 0x1000UL;
		(*k)++;
		return 1;
	}
	return 0;
}

static void sweep_4k(struct pg_space *s)
{
	volatile uint64_t *pte = pg_map(s, VA_WIN4K, PG_DATA_BASE, PG_4K, PTE_R | PTE_A);
	struct tally t = { 0 };
	char what[32] = "sv39 4K";
	unsigned k = 32;
	uint64_t pa;

	for (unsigned i = 0; i < 4; i++)
		what[i] = mode_name(s->mode)[i];
	/* The firmware's 512 KiB and RAM's first pages after it. */
	for (pa = ram_base; pa < ram_base + MIB; pa += PG_SIZE)
		try_target(&t, what, pte, VA_WIN4K, pa, 0x10, s->mode, PG_4K);
	/* RAM's last 64 KiB and the first MiB past it. */
	for (pa = ram_end - 0x10000UL; pa < ram_end + MIB; pa += PG_SIZE)
		try_target(&t, what, pte, VA_WIN4K, pa, 0x18, s->mode, PG_4K);
	/* Above RAM, 2 MiB steps through where a host keeps its RAM. */
	for (pa = ram_end; pa < ram_base + GIB; pa += 2 * MIB)
		try_target(&t, what, pte, VA_WIN4K, pa + 0x3000UL, 0x20, s->mode, PG_4K);
	while (pow2_next(&k, &pa))
		try_target(&t, what, pte, VA_WIN4K, pa, 0x28, s->mode, PG_4K);
	/* A few below RAM that bare QEMU virt leaves unassigned or denies. */
	try_target(&t, what, pte, VA_WIN4K, 0x0UL, 0x30, s->mode, PG_4K);
	try_target(&t, what, pte, VA_WIN4K, 0x200000UL, 0x30, s->mode, PG_4K);
	try_target(&t, what, pte, VA_WIN4K, 0x2000000UL, 0x30, s->mode, PG_4K);
	*pte = 0;
	pg_fence_all();
	tally_print(what, &t);
}

static void sweep_2m(struct pg_space *s)
{
	volatile uint64_t *pte = pg_map(s, VA_WIN2M, PG_DATA_BASE, PG_2M, PTE_R | PTE_A);
	struct tally t = { 0 };
	char what[32] = "sv39 2M";
	unsigned k = 32;
	uint64_t pa;

	for (unsigned i = 0; i < 4; i++)
		what[i] = mode_name(s->mode)[i];
	/* RAM base to 4 GiB past it, each 2 MiB leaf, at an offset inside. */
	for (pa = ram_base; pa < ram_base + 4 * GIB; pa += 2 * MIB)
		try_target(&t, what, pte, VA_WIN2M, pa, 0x100000UL + 0x40, s->mode, PG_2M);
	while (pow2_next(&k, &pa))
		try_target(&t, what, pte, VA_WIN2M, pa & ~(2 * MIB - 1), 0x1ff000UL,
			   s->mode, PG_2M);
	*pte = 0;
	pg_fence_all();
	tally_print(what, &t);
}

/* 1G, 512G and 256T leaves: PA multiples of the leaf size, reached at
 * an offset that lands in the scratch area when the leaf is RAM's. */
static void sweep_big(struct pg_space *s, unsigned level, unsigned long va,
		      const char *size)
{
	unsigned long leaf = pg_level_size(level);
	volatile uint64_t *pte = pg_map(s, va, 0, level, PTE_R | PTE_A);
	struct tally t = { 0 };
	char what[32];
	unsigned n = 0;
	unsigned long off = (PG_DATA_BASE + 0x1000000UL) & (leaf - 1);

	for (const char *p = mode_name(s->mode); *p; )
		what[n++] = *p++;
	what[n++] = ' ';
	for (const char *p = size; *p; )
		what[n++] = *p++;
	what[n] = 0;
	for (uint64_t pa = level == PG_1G ? ram_base : 0; pa < PA_TOP && pa / leaf < 64; pa += leaf)
		try_target(&t, what, pte, va, pa, off, s->mode, level);
	for (unsigned k = 0; k < 56; k++)
		if ((1UL << k) >= 64 * leaf)
			try_target(&t, what, pte, va, 1UL << k, off, s->mode, level);
	try_target(&t, what, pte, va, PA_TOP - leaf, off, s->mode, level);
	*pte = 0;
	pg_fence_all();
	tally_print(what, &t);
}

/*
 * Page tables at wild addresses: the walk for VA_TABLE goes through a
 * pointer, at each level above the leaf, to a table the VM does not own.
 * QEMU 7.2 gives an access fault where the PMP denies the read (firmware,
 * CLINT) and a page fault where nothing answers.
 */
static const uint64_t wild_tables[] = {
	0x0UL, 0x200000UL, 0x2000000UL, 0x80000000UL, 0x80070000UL,
	0x84000000UL, 0x8f000000UL, 0xc0000000UL, 0x100000000UL,
	1UL << 40, 1UL << 55, PA_TOP - 0x1000UL,
};

static void wild_pointers(struct pg_space *s)
{
	/* Root slot 1 in every mode: no table on its walk is shared with the
	 * identity map, which the code runs on. */
	unsigned long va = (s->mode == SATP_MODE_SV39 ? 0 :
			    1UL << (PG_SHIFT + PG_LEVEL_BITS * (s->levels - 1))) + VA_TABLE;

	for (int level = (int)s->levels - 1; level >= 1; level--) {
		for (unsigned i = 0; i < sizeof(wild_tables) / sizeof(wild_tables[0]); i++) {
			uint64_t pa = wild_tables[i];
			volatile uint64_t *pte;
			struct trap_record r;

			pg_pool_reset();
			pg_space_init(s, s->mode);
			pg_map_identity(s, 0);
			pg_map(s, va, PG_DATA_BASE, PG_4K, PTE_R | PTE_W | PTE_A | PTE_D);
			pte = pg_pte(s, va, (unsigned)level);
			*pte = pg_make_pte(pa, PTE_V);
			pg_enable(s, 0);
			printf("%s table at level %d -> 0x%lx: ", mode_name(s->mode), level - 1,
			       (unsigned long)pa);
			trap_expect(&r, pg_ld, va);
			if (r.taken)
				printf("load scause=0x%lx stval=%s, ", r.cause,
				       r.tval == va ? "va" : "other");
			else
				printf("load ok, ");
			pg_store_value = 0x5a5a5a5a;
			trap_expect(&r, pg_sdv, va);
			if (r.taken)
				printf("store scause=0x%lx stval=%s\n", r.cause,
				       r.tval == va ? "va" : "other");
			else
				printf("store ok\n");
			pg_disable();
		}
	}
}

static void sweep_mode(unsigned long mode)
{
	struct pg_space s;
	uint64_t t0 = time_now();

	pg_pool_reset();
	pg_space_init(&s, mode);
	pg_map_identity(&s, 0);
	pg_enable(&s, 1);
	sweep_4k(&s);
	sweep_2m(&s);
	sweep_big(&s, PG_1G, VA_WIN1G, "1G");
	if (mode != SATP_MODE_SV39)
		sweep_big(&s, PG_512G, VA_WIN512G, "512G");
	if (mode == SATP_MODE_SV57)
		sweep_big(&s, PG_256T, VA_WIN256T, "256T");
	pg_disable();
	printf("info: %s sweep %lu ms\n", mode_name(mode), (time_now() - t0) / HOSTILE_TICKS_PER_MS);
	t0 = time_now();
	wild_pointers(&s);
	printf("info: %s wild tables %lu ms\n", mode_name(mode), (time_now() - t0) / HOSTILE_TICKS_PER_MS);
}

/*
 * pt=alias: GIGS gigabytes of VA, each a 1 GiB leaf over RAM's gigabyte,
 * one load in every 2 MiB of each that lands in RAM (past the firmware).
 * Every load reads the same few scratch words; a hypervisor that shadows
 * the guest's superpages in 4 KiB pieces needs a table per 2 MiB.
 */
#define ALIAS_VA   0x1000000000UL       /* 64 GiB: Sv39 root slots 64.. */
#define ALIAS_GIGS 64

static void alias_storm(void)
{
	struct pg_space s;
	unsigned long loads = 0, wrong = 0, traps = 0;
	unsigned long per_gig = (ram_end - ram_base) / (2 * MIB);

	for (unsigned long j = 1; j < per_gig; j++)
		*(volatile uint64_t *)(ram_base + j * 2 * MIB - 8) = hostile_mix(j);
	pg_pool_reset();
	pg_space_init(&s, SATP_MODE_SV39);
	pg_map_identity(&s, 0);
	for (unsigned long g = 0; g < ALIAS_GIGS; g++)
		pg_map(&s, ALIAS_VA + g * GIB, ram_base, PG_1G, PTE_R | PTE_A);
	pg_enable(&s, 1);
	printf("alias: %u GiB of VA over RAM's gigabyte, a load every 2 MiB\n", ALIAS_GIGS);
	for (unsigned pass = 0; pass < 2; pass++) {
		for (unsigned long g = 0; g < ALIAS_GIGS; g++) {
			for (unsigned long j = 1; j < per_gig; j++) {
				unsigned long v;

				/* The last word of each 2 MiB of RAM, below the DTB's
				 * and our own code's pages: written above. */
				if (!pg_probe_ok(pg_ld, ALIAS_VA + g * GIB + j * 2 * MIB - 8, &v))
					traps++;
				else if (v != hostile_mix(j))
					wrong++;
				loads++;
			}
		}
		printf("alias pass %u: %lu loads, %lu wrong values, %lu traps\n", pass, loads,
		       wrong, traps);
		loads = wrong = traps = 0;
	}
	pg_disable();
}

/*
 * Last, a page table the guest builds in device registers. The
 * PLIC's interrupt-enable bits of context 1 (hart 0, S-mode) hold
 * whatever the guest writes (sources 64-95 at 0x0c002088: the low half of
 * the PTE at index 17 of the "table" at 0x0c002000). QEMU 7.2's walker
 * reads PTEs from any memory region the PMP allows (cpu_helper.c,
 * get_physical_address: address_space_ldq), but the PLIC takes 4-byte
 * accesses only, so the 8-byte PTE read fails and the walk page-faults;
 * Trapeze reads PTEs from RAM only and must fault the same way.
 */
#define PLIC_CTX1_ENABLE2 ((volatile uint32_t *)0x0c002088UL)
#define PLIC_TABLE        0x0c002000UL
#define VA_DEVTABLE       (0x40000000UL + 17 * 2 * MIB)

static void device_table(void)
{
	struct pg_space s;
	uint32_t leaf = (uint32_t)pg_make_pte(PG_DATA_BASE, PTE_V | PTE_R | PTE_W | PTE_A | PTE_D);
	struct trap_record r;

	*(volatile uint64_t *)(PG_DATA_BASE + 0x1000) = 0x7461626c65UL;
	*PLIC_CTX1_ENABLE2 = leaf;
	printf("devtable: plic enable word reads 0x%x (wrote 0x%x)\n", *PLIC_CTX1_ENABLE2, leaf);
	pg_pool_reset();
	pg_space_init(&s, SATP_MODE_SV39);
	pg_map_identity(&s, 0);
	((volatile uint64_t *)s.root)[1] = pg_make_pte(PLIC_TABLE, PTE_V);
	pg_enable(&s, 0);
	trap_expect(&r, pg_ld, VA_DEVTABLE + 0x1000);
	trap_report("devtable: load through a table in the PLIC", &r);
	pg_store_value = 0x5354;
	trap_expect(&r, pg_sdv, VA_DEVTABLE + 0x1008);
	trap_report("devtable: store through a table in the PLIC", &r);
	pg_disable();
	*PLIC_CTX1_ENABLE2 = 0;
}

void guest_main(unsigned long hartid, unsigned long dtb)
{
	char what[16];

	(void)hartid;
	(void)dtb;
	hostile_ram(&ram_base, &ram_end);
	pg_init();
	hostile_arg_str("pt", what, sizeof(what));
	if (hostile_str_eq(what, "alias")) {
		alias_storm();
		return;
	}
	sweep_mode(SATP_MODE_SV39);
	sweep_mode(SATP_MODE_SV48);
	sweep_mode(SATP_MODE_SV57);
	device_table();
}
