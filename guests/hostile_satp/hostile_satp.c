/*
 * satp as a hostile guest writes it (tests/system/test_hostile.py, case 2;
 * RISC-V Privileged ISA v1.12, 4.1.11 Supervisor Address Translation and
 * Protection Register and 4.3.2 Virtual Address Translation Process):
 *
 * - every MODE the CPU does not offer (1-7 reserved, 11 Sv64, 12-15
 *   custom/reserved), with all the other bits set: "the entire write has
 *   no effect", from Bare and from Sv39;
 * - Sv39, Sv48 and Sv57 roots full of garbage: a page of pseudo-random
 *   PTEs (random bits, pointers and leaves to random PPNs, to the
 *   firmware, to more garbage pages) in which only the entries the guest's
 *   own code and UART need are sane; then a load and a store through
 *   every other root entry, at a random address below it. The outcome of
 *   each (ok, page fault, access fault) is a letter, the loaded values a
 *   checksum: QEMU 7.2 and Trapeze must walk the garbage alike.
 * - with bootargs satp.final=ram_end|zero|firmware|top, last of all a
 *   root that is not the VM's RAM: every fetch faults, and so does the
 *   trap vector's, forever. Bare hardware spins; Trapeze must stop the VM
 *   as hung (hang-timeout) and nothing else.
 */
#include "hostile.h"
#include "paging.h"

#define GARBAGE_PAGES   16
#define GARBAGE_BASE    (PG_DATA_BASE + 0x800000UL)     /* 16 pages */
#define MIB             (1UL << 20)

static uint64_t ram_base, ram_end;
static uint64_t rng = 0x7361747067617262ULL;            /* "satpgarb" */

static uint64_t garbage_page(unsigned i)
{
	return GARBAGE_BASE + (uint64_t)i * PG_SIZE;
}

/*
 * A PA worth pointing at: random (above RAM), a firmware page, an
 * unassigned one, the CLINT, or a garbage page other than the root. None
 * lets a store reach the guest's own code, the devices, or the sane root
 * entries: superpage leaves over them are misaligned, or fault.
 */
static uint64_t wild_pa(void)
{
	uint64_t r = hostile_rand(&rng);

	switch (r % 8) {
	case 0: {
		uint64_t pa = (hostile_rand(&rng) & ((1UL << 44) - 1)) << PG_SHIFT;
		return pa < ram_end ? pa | (1UL << 40) : pa;
	}
	case 1: return ram_base + (1 + (r >> 8) % 127) * PG_SIZE;  /* firmware */
	case 2: return 0x200000UL;                                  /* unassigned */
	case 3: return 0x2000000UL;                                 /* CLINT */
	default: return garbage_page(1 + (unsigned)((r >> 8) % (GARBAGE_PAGES - 1)));
	}
}

/* A garbage PTE: some pure noise, mostly pointers into more garbage (so
 * walks go deep) and leaves, some of which a walk can use. */
static uint64_t garbage_pte(void)
{
	uint64_t r = hostile_rand(&rng);
	uint64_t flags = hostile_rand(&rng) & 0xff;
	unsigned page = 1 + (unsigned)((r >> 8) % (GARBAGE_PAGES - 1));

	switch (r % 16) {
	case 0: return hostile_rand(&rng);                          /* noise */
	case 1: return hostile_rand(&rng) & ~(0x3ffUL << 54);      /* noise, no high bits */
	case 2: return pg_make_pte(wild_pa(), PTE_V | (flags & (PTE_A | PTE_D | PTE_U)));
	case 3: return pg_make_pte(wild_pa(), flags | PTE_V);      /* leaf-ish */
	case 4: case 5: case 6: case 7: case 8: case 9: case 10:
		return pg_make_pte(garbage_page(page), PTE_V);      /* deeper */
	case 11:
		return pg_make_pte(wild_pa(), PTE_V);               /* pointer */
	default:
		return pg_make_pte(r & 1 ? garbage_page(page) : wild_pa(),
				   PTE_V | PTE_R | (flags & (PTE_W | PTE_X | PTE_G | PTE_A | PTE_D)));
	}
}

static void garbage_fill(uint64_t page)
{
	for (unsigned i = 0; i < 512; i++)
		((volatile uint64_t *)page)[i] = garbage_pte();
}

static const char *mode_name(unsigned long mode)
{
	return mode == SATP_MODE_SV39 ? "sv39" : mode == SATP_MODE_SV48 ? "sv48" : "sv57";
}

/* ---- reserved modes -------------------------------------------------- */
static void reserved_modes(void)
{
	static const unsigned long modes[] = { 1, 2, 3, 4, 5, 6, 7, 11, 12, 13, 14, 15 };
	struct pg_space s;

	for (unsigned from = 0; from < 2; from++) {
		unsigned long before;

		if (from) {
			pg_pool_reset();
			pg_space_init(&s, SATP_MODE_SV39);
			pg_map_identity(&s, 0);
			pg_enable(&s, 5);
		}
		before = csr_read(satp);
		for (unsigned i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
			unsigned long v = (modes[i] << SATP_MODE_SHIFT) | ((1UL << SATP_MODE_SHIFT) - 1);
			unsigned long after;

			csr_write(satp, v);
			pg_fence_all();
			after = csr_read(satp);
			printf("satp mode %lu from %s: %s\n", modes[i], from ? "sv39" : "bare",
			       after == before ? "ignored" : "TAKEN");
			if (after != before) {
				printf("satp now 0x%lx (was 0x%lx)\n", after, before);
				csr_write(satp, before);
				pg_fence_all();
			}
		}
		/* A legal mode with every other bit set: the PPN is kept, ASID
		 * bits are WARL. Written and undone at once (the root is wild). */
		if (from == 0) {
			unsigned long wild = (SATP_MODE_BARE << SATP_MODE_SHIFT) |
					     ((1UL << SATP_MODE_SHIFT) - 1);
			csr_write(satp, wild);
			printf("satp bare with all bits: reads 0x%lx\n", csr_read(satp));
			csr_write(satp, 0);
		}
		if (from)
			pg_disable();
	}
}

/* ---- garbage roots ----------------------------------------------------- */
static char letter(const struct trap_record *r, char ok)
{
	if (!r->taken)
		return ok;
	switch (r->cause) {
	case EXC_LOAD_PAGE_FAULT: return 'p';
	case EXC_STORE_PAGE_FAULT: return 'P';
	case EXC_LOAD_ACCESS: return 'a';
	case EXC_STORE_ACCESS: return 'A';
	case EXC_LOAD_MISALIGNED: return 'm';
	case EXC_STORE_MISALIGNED: return 'M';
	}
	return '?';
}

static unsigned long canonical(unsigned long va, unsigned levels)
{
	unsigned bits = PG_SHIFT + PG_LEVEL_BITS * levels;

	return (unsigned long)((long)(va << (64 - bits)) >> (64 - bits));
}

static void garbage_root(unsigned long mode)
{
	struct pg_space clean;
	uint64_t root = garbage_page(0), sane, sum = 0;
	unsigned levels;
	char line[65];
	unsigned n = 0, odd = 0;

	/* The sane entries: what the identity map of RAM and the UART use. */
	pg_pool_reset();
	pg_space_init(&clean, mode);
	pg_map_identity(&clean, 0);
	levels = clean.levels;
	for (unsigned i = 0; i < GARBAGE_PAGES; i++)
		garbage_fill(garbage_page(i));
	for (unsigned i = 0; i < 512; i++)
		if (((volatile uint64_t *)clean.root)[i] & PTE_V)
			((volatile uint64_t *)root)[i] = ((volatile uint64_t *)clean.root)[i];
	printf("%s garbage root: loads/stores per root entry (L/S ok, p/P page fault, "
	       "a/A access fault, - sane)\n", mode_name(mode));
	sane = clean.root;
	clean.root = root;
	pg_enable(&clean, 3);
	for (unsigned i = 0; i < 512; i++) {
		struct trap_record r;
		unsigned long va;

		if (((volatile uint64_t *)sane)[i] & PTE_V) {
			/* The guest's own code, data and UART: not garbage. */
			line[n++] = '-';
			line[n++] = '-';
			goto next;
		}
		va = ((unsigned long)i << (PG_SHIFT + PG_LEVEL_BITS * (levels - 1))) |
		     ((hostile_rand(&rng) << 3) &
		      ((1UL << (PG_SHIFT + PG_LEVEL_BITS * (levels - 1))) - 1));
		va = canonical(va, levels);
		trap_expect(&r, pg_ld, va);
		if (!r.taken)
			sum = hostile_mix(sum ^ r.ret);
		else if (r.tval != va)
			odd++;
		line[n++] = letter(&r, 'L');
		pg_store_value = hostile_rand(&rng);
		trap_expect(&r, pg_sdv, va);
		if (r.taken && r.tval != va)
			odd++;
		line[n++] = letter(&r, 'S');
		pg_fence_all();
next:
		if (n == 64) {
			line[n] = 0;
			printf("  %s\n", line);
			n = 0;
		}
	}
	pg_disable();
	printf("%s garbage root: loaded checksum 0x%lx, %u faults with stval != va\n",
	       mode_name(mode), (unsigned long)sum, odd);
}

/* ---- a root that is not RAM ------------------------------------------ */
static void final_root(const char *which)
{
	uint64_t pa;

	if (hostile_str_eq(which, "ram_end"))
		pa = ram_end;
	else if (hostile_str_eq(which, "zero"))
		pa = 0;
	else if (hostile_str_eq(which, "firmware"))
		pa = ram_base;
	else if (hostile_str_eq(which, "top"))
		pa = (1UL << 56) - PG_SIZE;
	else
		return;
	printf("satp: sv39 root at 0x%lx, not the VM's RAM: every fetch faults from here on\n",
	       (unsigned long)pa);
	csr_write(satp, (SATP_MODE_SV39 << SATP_MODE_SHIFT) | (pa >> PG_SHIFT));
	pg_fence_all();
	puts("satp: still running (wrong)");
}

void guest_main(unsigned long hartid, unsigned long dtb)
{
	char final[16];

	(void)hartid;
	(void)dtb;
	hostile_ram(&ram_base, &ram_end);
	pg_init();
	reserved_modes();
	garbage_root(SATP_MODE_SV39);
	garbage_root(SATP_MODE_SV48);
	garbage_root(SATP_MODE_SV57);
	if (hostile_arg_str("satp.final", final, sizeof(final)))
		final_root(final);
}
