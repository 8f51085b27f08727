/*
 * Isolation under paging (issue 3, item 7): guest page tables that point at
 * memory the VM was not given — host RAM past the VM's end (where, on the
 * host, the boot manifest, other VMs' memory and Trapeze's tables live),
 * the firmware, the CLINT, unassigned addresses, addresses past 2^56 — and
 * tables that loop on themselves. Each access must get exactly the fault
 * bare QEMU gives (cause and stval), and never reach a host page.
 */
#include "paging.h"

#define WIN  0x40000000UL       /* the test window: one 4 KiB page per target */

static const struct {
	const char *name;
	unsigned long pa;
} targets[] = {
	{ "own kernel (0x80200000)", 0x80200000UL },
	{ "firmware (0x80000000)", 0x80000000UL },
	{ "past RAM (0x84000000)", 0x84000000UL },
	{ "host RAM far above (0x8f000000)", 0x8f000000UL },
	{ "host RAM at 1 GiB up (0xc0000000)", 0xc0000000UL },
	{ "debug region (0x0)", 0x0UL },
	{ "clint (0x2000000)", 0x2000000UL },
	{ "plic (0xc000000)", 0xc000000UL },
	{ "unassigned (0x200000)", 0x200000UL },
	{ "top of PA space (0xfffffffff000)", 0xfffffffff000UL },
};

static unsigned long slot(unsigned i) { return WIN + i * PG_SIZE; }

void guest_main(unsigned long hartid, unsigned long dtb)
{
	static const unsigned long modes[] = { 8, 10 };  /* Sv39, Sv57 */
	struct pg_space s;
	unsigned n = sizeof(targets) / sizeof(targets[0]);

	(void)hartid;
	(void)dtb;
	pg_init();
	for (unsigned m = 0; m < 2; m++) {
		pg_pool_reset();
		pg_space_init(&s, modes[m]);
		pg_map_identity(&s, 0);
		for (unsigned i = 0; i < n; i++)
			pg_map(&s, slot(i), targets[i].pa, PG_4K,
			       PTE_R | PTE_A | PTE_D | (i == 0 ? 0 : PTE_W));
		/* A table outside RAM, and a table that points at itself. */
		uint64_t *l1 = pg_pte(&s, WIN + 0x200000UL, 1);
		uint64_t *root = (uint64_t *)s.root;
		pg_enable(&s, 1);
		printf("mode %lu\n", modes[m]);
		for (unsigned i = 0; i < n; i++) {
			char label[64];
			unsigned k = 0;
			for (const char *p = targets[i].name; *p && k < sizeof(label) - 8; p++)
				label[k++] = *p;
			label[k] = 0;
			printf("load %s: ", label);
			pg_try("", pg_ld, slot(i));
			printf("store %s: ", label);
			pg_try("", pg_sd, slot(i));
		}
		if (l1) {
			*l1 = pg_make_pte(0x84000000UL, PTE_V);      /* table past RAM */
			pg_fence_all();
			printf("load via table past RAM: ");
			pg_try("", pg_ld, WIN + 0x200000UL);
			*l1 = pg_make_pte(0x80000000UL, PTE_V);      /* table in firmware */
			pg_fence_all();
			printf("load via table in firmware: ");
			pg_try("", pg_ld, WIN + 0x200000UL);
		}
		/* Root entry 3 points at the root itself: the walk can only go in
		 * circles, each level reading the root again. */
		root[3] = pg_make_pte(s.root, PTE_V);
		pg_fence_all();
		printf("load via a self-referencing table: ");
		pg_try("", pg_ld, 3UL << (12 + 9 * (s.levels - 1)));
		pg_disable();
	}
}
