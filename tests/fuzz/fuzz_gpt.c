/*
 * libFuzzer target for src/arch/riscv/gpt.c: random guest memory, satp, va,
 * access and flags, with optional PMP denials, unwritable PTEs and racing
 * A/D updates. Checks the invariants callers rely on; a broken invariant
 * aborts, which libFuzzer reports as a crash.
 *
 * Input: byte 0 mode/access/priv/SUM/MXR, byte 1 update_ad/PMP/CAS mode,
 * byte 2 root page, byte 3 raw satp MODE, byte 4 race count, byte 5 race
 * bit, bytes 6..13 va, then guest RAM (NPAGES pages, zero-padded).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "arch/riscv/csr.h"
#include "arch/riscv/gpt.h"
#include "arch/riscv/pgtable.h"

#define CHECK(c) do { if (!(c)) abort(); } while (0)

#define NPAGES   4
#define NWORDS   (NPAGES * PT_ENTRIES)
#define HEADER   14
/* Guest-physical addresses alias onto the few RAM pages so that random
 * PPNs still reach tables; those with bit 55 set are holes (no RAM). */
#define HOLE_BIT (1ULL << 55)

enum cas_mode { CAS_PLAIN, CAS_RACE, CAS_ROM, CAS_LIVELOCK };

static uint64_t ram[NWORDS];
static unsigned reads;
static uint64_t *read_words[64];    /* which RAM words the walk read, in order */
static enum cas_mode cas_mode;
static unsigned race_left;
static uint64_t race_xor;
static bool pmp_on;
static unsigned pmp_page;

static uint64_t *ram_word(uint64_t gpa)
{
	if (gpa & HOLE_BIT)
		return NULL;
	return &ram[(gpa >> 3) % NWORDS];
}

static bool fz_read_pte(void *ctx, uint64_t gpa, uint64_t *pte)
{
	uint64_t *w = ram_word(gpa);

	(void)ctx;
	if (reads < 64)
		read_words[reads] = w;
	reads++;
	if (!w)
		return false;
	*pte = *w;
	return true;
}

static bool fz_cas_pte(void *ctx, uint64_t gpa, uint64_t expected, uint64_t desired)
{
	uint64_t *w = ram_word(gpa);

	(void)ctx;
	if (!w || cas_mode == CAS_ROM)
		return false;
	if (cas_mode == CAS_LIVELOCK || (cas_mode == CAS_RACE && race_left)) {
		if (race_left)
			race_left--;
		*w ^= race_xor;
	}
	if (*w != expected)
		return false;
	*w = desired;
	return true;
}

static bool fz_pte_allowed(void *ctx, uint64_t gpa)
{
	(void)ctx;
	return !pmp_on || ((gpa >> 12) % NPAGES) != pmp_page;
}

static const struct gpt_mem mem = { NULL, fz_read_pte, fz_cas_pte, fz_pte_allowed };

static uint64_t load64(const uint8_t *p)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < 8; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

static bool canonical(uint64_t va, unsigned levels)
{
	unsigned bits = 12 + 9 * levels;
	uint64_t top = va >> (bits - 1);

	return top == 0 || top == (~0ULL >> (bits - 1));
}

static void check_success(const struct gpt_walk_req *req, const struct gpt_walk_res *res,
			  unsigned levels)
{
	uint64_t size = 1ULL << (12 + 9 * res->level);

	CHECK(res->cause == 0);
	CHECK(res->level < levels);
	CHECK(canonical(req->va, levels));
	CHECK(res->page_size == size);
	CHECK(res->page_base_va == (req->va & ~(size - 1)));
	CHECK((res->gpa & (size - 1)) == (req->va & (size - 1)));
	CHECK((pte_pa(res->pte) & (size - 1)) == 0);
	CHECK(res->gpa == (pte_pa(res->pte) | (req->va & (size - 1))));
	CHECK(gpt_leaf_allows(res->pte, req->access, req->priv_s, req->sum, req->mxr));
	if (req->update_ad) {
		CHECK(res->pte & PTE_A);
		CHECK(req->access != GPT_STORE || (res->pte & PTE_D));
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint64_t modes[4] = {
		SATP_MODE_BARE, SATP_MODE_SV39, SATP_MODE_SV48, SATP_MODE_SV57,
	};
	static uint64_t before[NWORDS];
	struct gpt_walk_req req;
	struct gpt_walk_res res, again;
	uint8_t h[HEADER] = { 0 };

	memcpy(h, data, size < HEADER ? size : HEADER);
	memset(ram, 0, sizeof(ram));
	if (size > HEADER)
		memcpy(ram, data + HEADER, size - HEADER < sizeof(ram) ? size - HEADER : sizeof(ram));
	memcpy(before, ram, sizeof(ram));

	uint64_t mode = (h[0] & 4) ? (h[3] & 0xf) : modes[h[0] & 3];
	uint64_t root_ppn = h[2] == 0xff ? load64(h) >> 20 : h[2] % NPAGES;
	req.satp = (mode << SATP_MODE_SHIFT) | ((uint64_t)h[3] << SATP_ASID_SHIFT) |
		   (root_ppn & SATP_PPN_MASK);
	req.va = load64(h + 6);
	req.access = (enum gpt_access)(((h[0] >> 3) & 3) % 3);
	req.priv_s = h[0] & 0x20;
	req.sum = h[0] & 0x40;
	req.mxr = h[0] & 0x80;
	req.update_ad = h[1] & 1;
	pmp_on = h[1] & 2;
	pmp_page = (h[1] >> 2) % NPAGES;
	cas_mode = (enum cas_mode)((h[1] >> 5) & 3);
	race_left = h[4] % 16;
	race_xor = 1ULL << (h[5] % 64);
	reads = 0;

	int ret = gpt_walk(&mem, &req, &res);
	unsigned levels = pt_levels(mode);
	bool racing = cas_mode == CAS_RACE || cas_mode == CAS_LIVELOCK;

	CHECK(ret == GPT_WALK_OK || ret == GPT_WALK_FAULT || ret == GPT_WALK_RETRY);
	CHECK(reads <= levels + 2 * (GPT_WALK_MAX_RETRIES + 1));
	if (mode == SATP_MODE_BARE) {
		CHECK(ret == GPT_WALK_OK && res.gpa == req.va && res.page_size == 4096);
		CHECK(res.page_base_va == (req.va & ~0xfffULL) && reads == 0);
		return 0;
	}
	if (levels == 0) {
		CHECK(ret == GPT_WALK_FAULT && reads == 0);
	}
	switch (ret) {
	case GPT_WALK_OK:
		check_success(&req, &res, levels);
		break;
	case GPT_WALK_FAULT: {
		uint64_t pf[3] = { EXC_INST_PAGE_FAULT, EXC_LOAD_PAGE_FAULT, EXC_STORE_PAGE_FAULT };
		uint64_t af[3] = { EXC_INST_ACCESS, EXC_LOAD_ACCESS, EXC_STORE_ACCESS };
		CHECK(res.cause == pf[req.access] || (pmp_on && res.cause == af[req.access]));
		CHECK(res.gpa == 0 && res.page_size == 0);
		break;
	}
	default:
		CHECK(racing && res.cause == 0 && res.retries == GPT_WALK_MAX_RETRIES);
		return 0;
	}
	if (racing)
		return 0;

	/* Without a racing writer the walk may only OR A/D into the leaf it
	 * returned, and only on success with update_ad. */
	for (unsigned i = 0; i < NWORDS; i++) {
		if (ram[i] == before[i])
			continue;
		CHECK(ret == GPT_WALK_OK && req.update_ad);
		CHECK(&ram[i] == ram_word(res.pte_gpa));
		CHECK((ram[i] & ~(PTE_A | PTE_D)) == (before[i] & ~(PTE_A | PTE_D)));
		CHECK((ram[i] & before[i]) == before[i]);
		CHECK(ram[i] == res.pte);
	}
	if (ret != GPT_WALK_OK)
		return 0;
	CHECK(res.retries == 0);

	/* Looking again (no A/D writes) gives the same translation, unless
	 * the leaf's word aliases a pointer the walk also went through:
	 * setting A/D in it has then turned that pointer reserved. */
	for (unsigned i = 0; i + 1 < reads; i++)
		if (read_words[i] == ram_word(res.pte_gpa) && req.update_ad)
			return 0;
	req.update_ad = false;
	memcpy(before, ram, sizeof(ram));
	CHECK(gpt_walk(&mem, &req, &again) == GPT_WALK_OK);
	CHECK(again.gpa == res.gpa && again.level == res.level);
	CHECK(again.pte_gpa == res.pte_gpa);
	CHECK(memcmp(before, ram, sizeof(ram)) == 0);
	return 0;
}
