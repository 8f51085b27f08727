/*
 * libFuzzer target for src/arch/riscv/gstage.c: random sequences of map,
 * unmap, chunk and 2 MiB operations over three VMs, with allocation
 * failures, checked against a TLB model (as tests/unit/test_gstage.c): a
 * hart may cache any translation it walked, per 4 KiB page, and non-leaf
 * PTEs; address fences drop leaf entries of their range, only "all" fences
 * drop non-leaf ones; right after a fence the range is walked again. A
 * translation the model gives must be one the tables give; unmap must
 * count what lookups saw; no table page may leak. A broken invariant
 * aborts, which libFuzzer reports as a crash.
 *
 * Input: 8 bytes per operation: op, vm, then six argument bytes.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "arch/riscv/gstage.h"
#include "arch/riscv/pgtable.h"
#include "core/hostmem.h"
#include "core/realmap.h"

const uint64_t hostmem_virt_offset = 0;

#define CHECK(c) do { if (!(c)) abort(); } while (0)

#define PAGE        4096ULL
#define GB          (1ULL << 30)
#define RWX         (PTE_R | PTE_W | PTE_X)
#define POISON_HPA  0x7f00000000000ULL
#define NPAGES      512
#define NVMS        3
#define NLEAVES     128
#define NWALKS      16
#define WIN_PAGES   1024
#define NWIN        3

static const uint64_t win_base[NWIN] = { 0, GB - 2 * (1ULL << 20), GSTAGE_GPA_LIMIT - 4 * (1ULL << 20) };

/* ---- host memory ---- */
static uint8_t *arena;
static uint8_t used[NPAGES];        /* 0 free, 1 table, 2 root */
static unsigned stack[NPAGES * 2], nstack;
static int live, budget;

static uint64_t pa_of(unsigned i) { return hostmem_pa(arena + i * PAGE); }

static int index_of(uint64_t pa)
{
	uint64_t base = pa_of(0);

	if (pa < base || pa >= base + NPAGES * PAGE || (pa & (PAGE - 1)))
		return -1;
	return (int)((pa - base) / PAGE);
}

static void poison(unsigned i)
{
	uint64_t *t = hostmem_va(pa_of(i));

	for (unsigned k = 0; k < PT_ENTRIES; k++)
		t[k] = pte_make(POISON_HPA + k * GB, PTE_V | RWX | PTE_U | PTE_A | PTE_D);
}

static void release(unsigned i)
{
	CHECK(used[i]);
	used[i] = 0;
	poison(i);
	CHECK(nstack < NPAGES * 2);
	stack[nstack++] = i;
	live--;
}

static uint64_t *f_table(void *ctx, uint64_t pa)
{
	(void)ctx;
	int i = index_of(pa);
	CHECK(i >= 0 && used[i]);
	return hostmem_va(pa);
}

static uint64_t f_alloc(void *ctx)
{
	(void)ctx;
	if (budget == 0)
		return 0;
	while (nstack) {
		unsigned i = stack[--nstack];
		if (used[i])
			continue;
		used[i] = 1;
		memset(hostmem_va(pa_of(i)), 0, PAGE);
		live++;
		return pa_of(i);
	}
	return 0;
}

static void f_free(void *ctx, uint64_t pa)
{
	(void)ctx;
	int i = index_of(pa);
	CHECK(i >= 0 && used[i] == 1);
	release((unsigned)i);
}

static uint64_t f_alloc_root(void *ctx)
{
	(void)ctx;
	if (budget == 0)
		return 0;
	for (unsigned i = 0; i < NPAGES; i += GSTAGE_ROOT_PAGES) {
		if (used[i] || used[i + 1] || used[i + 2] || used[i + 3])
			continue;
		for (unsigned k = 0; k < GSTAGE_ROOT_PAGES; k++) {
			used[i + k] = 2;
			memset(hostmem_va(pa_of(i + k)), 0, PAGE);
		}
		live += GSTAGE_ROOT_PAGES;
		return pa_of(i);
	}
	return 0;
}

static void f_free_root(void *ctx, uint64_t pa)
{
	(void)ctx;
	int i = index_of(pa);
	CHECK(i >= 0 && i % GSTAGE_ROOT_PAGES == 0);
	for (unsigned k = 0; k < GSTAGE_ROOT_PAGES; k++) {
		CHECK(used[i + k] == 2);
		release((unsigned)i + k);
	}
}

static const struct gstage_mem fmem = {
	.pt = { NULL, f_table, f_alloc, f_free },
	.alloc_root = f_alloc_root,
	.free_root = f_free_root,
};

/* ---- the TLB model ---- */
struct leaf { bool v; unsigned vmid; uint64_t page, hpa, perms; };
struct wlk { bool v; unsigned vmid, level; uint64_t tag, next; };
static struct leaf leaves[NLEAVES];
static struct wlk walks[NWALKS];
static unsigned slot_rr;

struct fvm {
	struct gstage g;
	unsigned vmid;
	bool running;
	bool live;
};
static struct fvm vms[NVMS];

struct xl { bool ok; uint64_t hpa, perms; };

static uint64_t rd(uint64_t pa)
{
	CHECK(index_of(pa & ~(PAGE - 1)) >= 0);
	return *(uint64_t *)hostmem_va(pa);
}

/* The Sv39x4 walk (Privileged ISA v1.12, Virtual Address Translation
 * Process, with the changes of Guest Physical Address Translation). */
static struct xl walk(const struct fvm *vm, uint64_t gpa, bool cached)
{
	struct xl x = { 0 };
	uint64_t hgatp = gstage_hgatp(vm->g.root, vm->vmid);

	CHECK(hgatp >> HGATP_MODE_SHIFT == HGATP_MODE_SV39X4);
	if (gpa >> GSTAGE_GPA_BITS)
		return x;
	if (cached)
		for (unsigned i = 0; i < NLEAVES; i++)
			if (leaves[i].v && leaves[i].vmid == vm->vmid && leaves[i].page == gpa >> 12)
				return (struct xl){ true, leaves[i].hpa + (gpa & (PAGE - 1)), leaves[i].perms };
	uint64_t a = (hgatp & HGATP_PPN_MASK & ~3ULL) << 12;
	int i = 2;
	for (unsigned k = 0; cached && k < NWALKS; k++) {
		const struct wlk *w = &walks[k];
		if (w->v && w->vmid == vm->vmid && w->tag == gpa >> (12 + 9 * w->level) && (int)w->level <= i) {
			a = w->next;
			i = (int)w->level - 1;
		}
	}
	uint64_t pte;
	for (;;) {
		uint64_t idx = i == 2 ? (gpa >> 30) & (GSTAGE_ROOT_ENTRIES - 1) : (gpa >> (12 + 9 * i)) & 511;
		pte = rd(a + idx * 8);
		if (!(pte & PTE_V) || (!(pte & PTE_R) && (pte & PTE_W)) || (pte >> 54))
			return x;
		if (pte & (PTE_R | PTE_X))
			break;
		CHECK(!(pte & (PTE_D | PTE_A | PTE_U | PTE_G)));
		if (i == 0)
			return x;
		a = pte_pa(pte);
		if (cached)
			walks[slot_rr++ % NWALKS] = (struct wlk){ true, vm->vmid, (unsigned)i, gpa >> (12 + 9 * i), a };
		i--;
	}
	if (!(pte & PTE_U) || !(pte & PTE_A) || (i > 0 && ((pte >> 10) & ((1ULL << (9 * i)) - 1))))
		return x;
	x.ok = true;
	x.perms = pte & RWX & ((pte & PTE_D) ? RWX : ~PTE_W);
	x.hpa = pte_pa(pte) + (gpa & ((1ULL << (12 + 9 * i)) - 1));
	if (cached)
		leaves[slot_rr++ % NLEAVES] = (struct leaf){ true, vm->vmid, gpa >> 12, x.hpa & ~(PAGE - 1), x.perms };
	return x;
}

static void check_xl(const struct fvm *vm, uint64_t gpa, struct xl m)
{
	if (!m.ok)
		return;
	struct xl t = walk(vm, gpa, false);
	CHECK(t.ok && t.hpa == m.hpa && !(m.perms & ~t.perms));
}

static void check_vm(const struct fvm *vm)
{
	if (!vm->running)
		return;
	for (unsigned i = 0; i < NLEAVES; i++)
		if (leaves[i].v && leaves[i].vmid == vm->vmid)
			check_xl(vm, leaves[i].page << 12, (struct xl){ true, leaves[i].hpa, leaves[i].perms });
}

static void touch(const struct fvm *vm, uint64_t gpa)
{
	check_xl(vm, gpa, walk(vm, gpa, true));
}

static void fence(void *ctx, uint64_t gpa, uint64_t size, bool all)
{
	struct fvm *vm = ctx;

	CHECK(!(gpa & (PAGE - 1)) && !(size & (PAGE - 1)) && size > 0);
	CHECK(gpa < GSTAGE_GPA_LIMIT && size <= GSTAGE_GPA_LIMIT - gpa);
	for (unsigned i = 0; i < NLEAVES; i++)
		if (leaves[i].vmid == vm->vmid &&
		    (all || ((leaves[i].page << 12) >= gpa && (leaves[i].page << 12) - gpa < size)))
			leaves[i].v = false;
	if (all)
		for (unsigned i = 0; i < NWALKS; i++)
			if (walks[i].vmid == vm->vmid)
				walks[i].v = false;
	if (vm->running) {
		walk(vm, gpa, true);
		walk(vm, gpa + size - PAGE, true);
		walk(vm, gpa + ((size / 2) & ~(PAGE - 1)), true);
	}
}

static uint64_t gpa_of(unsigned p)
{
	p %= NWIN * WIN_PAGES;
	return win_base[p / WIN_PAGES] + (uint64_t)(p % WIN_PAGES) * PAGE;
}

static uint64_t hpas[2][512];

static void vm_up(unsigned v)
{
	vms[v] = (struct fvm){ .vmid = v + 1 };
	budget = -1;
	CHECK(gstage_create(&vms[v].g, &fmem, fence, &vms[v]) == 0);
	vms[v].running = vms[v].live = true;
}

static void vm_down(unsigned v)
{
	int before = live;
	uint64_t tables = vms[v].g.stats.tables;

	vms[v].running = false;
	gstage_destroy(&vms[v].g);
	CHECK(before - live == (int)tables);
	for (unsigned i = 0; i < NLEAVES; i++)
		CHECK(!(leaves[i].v && leaves[i].vmid == vms[v].vmid));
	vms[v].live = false;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint64_t perm_set[8] = { PTE_R, PTE_R | PTE_W, PTE_X, PTE_R | PTE_X, RWX, PTE_W, 0, PTE_R | PTE_U };
	struct realmap rm;

	if (!arena) {
		arena = aligned_alloc(GSTAGE_ROOT_SIZE, NPAGES * PAGE);
		CHECK(arena);
	}
	nstack = 0;
	for (unsigned i = NPAGES; i-- > 0; ) {
		used[i] = 0;
		poison(i);
		stack[nstack++] = i;
	}
	live = 0;
	memset(leaves, 0, sizeof(leaves));
	memset(walks, 0, sizeof(walks));
	slot_rr = 0;
	for (unsigned v = 0; v < NVMS; v++)
		vm_up(v);
	/* Two RAM regions: an aligned run at the bottom, scattered frames
	 * across the 1 GiB line. */
	for (unsigned i = 0; i < 512; i++) {
		hpas[0][i] = 0x200000000ULL + i * PAGE;
		hpas[1][i] = 0x300000000ULL + ((i * 167) % 512) * PAGE;
	}
	realmap_init(&rm);
	CHECK(realmap_add_ram(&rm, 2 * (1ULL << 20), 512, hpas[0]) == 0);
	CHECK(realmap_add_ram(&rm, GB - (1ULL << 20), 512, hpas[1]) == 0);

	for (size_t off = 0; off + 8 <= size; off += 8) {
		const uint8_t *b = data + off;
		struct fvm *vm = &vms[b[1] % NVMS];
		unsigned p = (unsigned)(b[2] | b[3] << 8);
		uint64_t gpa = gpa_of(p);
		uint64_t perms = perm_set[b[4] & 7];
		uint64_t hpa = 0x80000000ULL + (uint64_t)(b[5] & 63) * PAGE;
		struct gstage_leaf l;

		if (!vm->live) {
			vm_up((unsigned)(vm - vms));
			continue;
		}
		budget = (b[0] & 0x80) ? (int)(b[6] & 3) : -1;
		switch (b[0] & 7) {
		case 0: {
			int rc = gstage_map_page(&vm->g, gpa, hpa, perms);
			CHECK(rc <= 0);
			if (rc == 0) {
				CHECK(gstage_lookup(&vm->g, gpa, &l) && l.hpa == hpa && l.perms == perms);
				touch(vm, gpa);
			}
			if (!(perms & PTE_R) && (perms & PTE_W || !perms))
				CHECK(rc == GSTAGE_EINVAL);
			break;
		}
		case 1: {
			uint64_t g2 = gpa & ~(GSTAGE_2M - 1);
			uint64_t h2 = 0x100000000ULL + (uint64_t)(b[5] & 7) * GSTAGE_2M;
			int rc = gstage_map_2m(&vm->g, g2 + ((b[6] & 1) ? PAGE : 0), h2, perms);
			if (b[6] & 1)
				CHECK(rc == GSTAGE_EINVAL);
			if (rc == 0)
				CHECK(gstage_lookup(&vm->g, g2 + 0x1234, &l) && l.hpa == h2 + 0x1234 && l.level == 1);
			break;
		}
		case 2: {
			const struct realmap_ram *r = &rm.ram[b[2] & 1];
			int rc = gstage_map_chunk(&vm->g, r, b[3] % 3, RWX);
			CHECK(rc <= 0);
			break;
		}
		case 3: case 4: {
			uint64_t n = (b[0] & 8) ? 512 : 1 + (b[6] | (b[7] & 3) << 8);
			if (b[0] & 16)
				gpa &= ~(GSTAGE_2M - 1);
			uint64_t base = win_base[(p % (NWIN * WIN_PAGES)) / WIN_PAGES];
			if ((gpa - base) / PAGE + n > WIN_PAGES)
				n = WIN_PAGES - (gpa - base) / PAGE;
			uint64_t mapped = 0;
			for (uint64_t i = 0; i < n; i++)
				mapped += gstage_lookup(&vm->g, gpa + i * PAGE, &l);
			int rc = gstage_unmap(&vm->g, gpa, n * PAGE);
			CHECK(rc == (int)mapped || rc == GSTAGE_ENOMEM);
			for (uint64_t i = 0; rc >= 0 && i < n; i++)
				CHECK(!gstage_lookup(&vm->g, gpa + i * PAGE, &l));
			break;
		}
		case 5:
			for (unsigned k = 0; k < 6; k++)
				touch(vm, gpa_of(p + k * 97) + (b[6] & 0xf8));
			break;
		case 6:
			CHECK(gstage_map_ram(&vm->g, &rm, gpa, RWX) <= 0);
			break;
		default:
			if (b[7] & 1)
				vm_down((unsigned)(vm - vms));
			break;
		}
		budget = -1;
		uint64_t held = 0;
		for (unsigned v = 0; v < NVMS; v++) {
			check_vm(&vms[v]);
			held += vms[v].live ? vms[v].g.stats.tables : 0;
		}
		CHECK(held == (uint64_t)live);
	}
	for (unsigned v = 0; v < NVMS; v++)
		if (vms[v].live)
			vm_down(v);
	CHECK(live == 0);
	return 0;
}
