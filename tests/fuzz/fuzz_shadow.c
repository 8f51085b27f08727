/* Fuzz the shadow filler with hostile guest page tables: random guest
 * memory, random satp, random sequences of faults (in every view: SUM and
 * MXR), flushes, dropped leaves and frames. Invariants: every shadow leaf
 * maps one of the VM's own host pages (or, at PATCH_X0_VA only, the x0
 * page when the VM has one, never executable), Trapeze's root entry is never
 * touched, the pool bound holds, no freed table waits past an operation,
 * and destroying the shadows frees every table. */
#include <stdint.h>
#include <string.h>

#include "arch/riscv/csr.h"
#include "arch/riscv/layout.h"
#include "arch/riscv/patch_decide.h"
#include "arch/riscv/shadow.h"

#define HOST_PAGES  96
#define GUEST_PAGES 8
#define HOST_BASE   0x100000000ULL
#define GUEST_BASE  0x80000000ULL
#define TRAPEZE_ENTRY 0x5a5a5a5a01ULL
#define X0_PAGE     (HOST_BASE + HOST_PAGES * 4096ULL)  /* the x0 page: not the VM's, not a table */

static uint64_t host[HOST_PAGES][512];
static int used[HOST_PAGES];
static long live;
static uint64_t guest_hpa[GUEST_PAGES];
static bool x0_on;
static struct realmap rm;

static uint64_t *t_table(void *c, uint64_t pa) { (void)c; return host[(pa - HOST_BASE) >> 12]; }

static uint64_t t_alloc(void *c)
{
	(void)c;
	for (int i = GUEST_PAGES; i < HOST_PAGES; i++)
		if (!used[i]) {
			used[i] = 1;
			live++;
			memset(host[i], 0, 4096);
			return HOST_BASE + ((uint64_t)i << 12);
		}
	return 0;
}

static void t_free(void *c, uint64_t pa)
{
	(void)c;
	int i = (int)((pa - HOST_BASE) >> 12);
	if (i < GUEST_PAGES || !used[i])
		__builtin_trap();       /* freeing a guest page or twice */
	used[i] = 0;
	live--;
}

static uint64_t *gword(uint64_t gpa)
{
	if (gpa < GUEST_BASE || gpa >= GUEST_BASE + GUEST_PAGES * 4096ULL || (gpa & 7))
		return NULL;
	return &host[(gpa - GUEST_BASE) >> 12][(gpa & 0xfff) / 8];
}

static bool g_read(void *c, uint64_t gpa, uint64_t *v) { (void)c; uint64_t *p = gword(gpa); if (!p) return false; *v = *p; return true; }
static bool g_cas(void *c, uint64_t gpa, uint64_t e, uint64_t d)
{
	(void)c;
	uint64_t *p = gword(gpa);
	if (!p || *p != e)
		return false;
	*p = d;
	return true;
}
static void t_fence(void *c, uint64_t a, uint64_t va, bool all) { (void)c; (void)a; (void)va; (void)all; }

/* va: where the table's first entry maps (Sv57: bit 56 sign-extends). */
static void check_table(uint64_t pa, int level, int root, uint64_t va)
{
	uint64_t *t = t_table(NULL, pa);
	for (int i = 0; i < 512; i++) {
		uint64_t eva = va + ((uint64_t)i << (12 + 9 * level));
		eva = (uint64_t)((int64_t)(eva << 7) >> 7);
		if (root && i == TRAPEZE_ROOT_INDEX) {
			if (t[i] != TRAPEZE_ENTRY)
				__builtin_trap();
			continue;
		}
		if (!(t[i] & PTE_V))
			continue;
		if (pte_is_leaf(t[i]) && pte_pa(t[i]) == X0_PAGE) {
			/* Only at its address, only when asked, never executable. */
			if (level != 0 || eva != PATCH_X0_VA || !x0_on || (t[i] & PTE_X) || !(t[i] & PTE_U) ||
			    (t[i] & SHADOW_PTE_GLOBAL))
				__builtin_trap();
		} else if (pte_is_leaf(t[i])) {
			uint64_t leaf = pte_pa(t[i]);
			if (level != 0 || leaf < HOST_BASE || leaf >= HOST_BASE + GUEST_PAGES * 4096ULL)
				__builtin_trap();       /* a page outside the VM, or a superpage */
			if (!(t[i] & PTE_U))
				__builtin_trap();
		} else if (level > 0) {
			check_table(pte_pa(t[i]), level - 1, 0, eva);
		} else {
			__builtin_trap();
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct shadow_ops ops = {
		.host = { NULL, t_table, t_alloc, t_free },
		.guest = { NULL, g_read, g_cas, NULL },
		.trapeze_entry = TRAPEZE_ENTRY,
		.fence = t_fence,
	};
	struct shadow_vm sh;
	size_t need = GUEST_PAGES * 4096;

	if (size < 16)
		return 0;
	memset(used, 0, sizeof(used));
	live = 0;
	for (int i = 0; i < GUEST_PAGES; i++) {
		used[i] = 1;
		guest_hpa[i] = HOST_BASE + ((uint64_t)i << 12);
		memset(host[i], 0, 4096);
	}
	/* The guest's memory: the input, repeated, with V bits made likely. */
	for (size_t i = 0; i < need / 8; i++) {
		uint64_t w = 0;
		for (int b = 0; b < 8; b++)
			w |= (uint64_t)data[(i * 8 + b) % size] << (8 * b);
		if (w & 0x100)
			w = (w & ~0x3ff00000000003ffULL) | (GUEST_BASE >> 2) | (w & 0x3ff);
		host[i / 512][i % 512] = w;
	}
	/* Half the inputs with an x0 page (patch.h): faults at its address
	 * with and without an x0 site. */
	x0_on = data[0] & 1;
	ops.x0_page = x0_on ? X0_PAGE : 0;
	realmap_init(&rm);
	realmap_add_ram(&rm, GUEST_BASE, GUEST_PAGES, guest_hpa);
	shadow_init(&sh, &ops, &rm, 7, 24);

	for (size_t i = 0; i + 8 <= size; i += 8) {
		uint64_t op;
		memcpy(&op, data + i, 8);
		uint64_t mode = 8 + (op & 3) % 3;
		uint64_t satp = (mode << 60) | (((op >> 2) & 3) << 44) | ((GUEST_BASE >> 12) + ((op >> 4) & 7));
		uint64_t va = (op >> 7) << 12 | (op & 0xff8);
		if (((op >> 16) & 7) == 0)
			va = PATCH_X0_VA | (op & 0xff8);
		switch ((op >> 60) & 7) {
		case 0: case 1: case 2: case 3: {
			enum shadow_view view = shadow_view_for((op >> 8) & 1, (op >> 11) & 1, (op >> 12) & 1);
			struct shadow_fault_req req = { satp, view, va, (enum gpt_access)((op >> 9) % 3),
							(op >> 15) & 1, (op >> 19) & 1 };
			struct shadow_fault_res res;
			shadow_fault(&sh, &req, &res);
			break;
		}
		case 4:
			shadow_flush(&sh, va, (op >> 13) & 1, (op >> 2) & 3, (op >> 14) & 1);
			break;
		case 5:
			shadow_drop_leaf(&sh, satp, (op >> 8) & 1 ? SHADOW_VIEW_S : SHADOW_VIEW_U, va);
			break;
		case 6:
			shadow_drop_frame(&sh, guest_hpa[(op >> 16) % GUEST_PAGES], (op >> 15) & 1);
			break;
		default: {
			uint64_t root, asid;
			shadow_activate(&sh, satp, (enum shadow_view)((op >> 8) % SHADOW_VIEWS), &root, &asid);
		}
		}
		if ((long)sh.stats.table_pages != live || sh.stats.table_pages > 24)
			__builtin_trap();
		for (int c = 0; c < SHADOW_CTX_MAX; c++)
			for (int v = 0; v < SHADOW_VIEWS; v++)
				if (sh.ctx[c].used && sh.ctx[c].root[v])
					check_table(sh.ctx[c].root[v], 4, 1, 0);
	}
	shadow_destroy(&sh);
	if (live != 0)
		__builtin_trap();       /* a table leaked */
	return 0;
}
