/*
 * Guest page-table walker (see gpt.h). Step numbers are those of RISC-V
 * Privileged ISA v1.12, 4.3.2 "Virtual Address Translation Process"; the
 * "QEMU 7.2:" notes are where target/riscv/cpu_helper.c
 * get_physical_address decides something the spec leaves open or says
 * differently, and where Trapeze follows QEMU.
 */
#include "arch/riscv/gpt.h"

#include "arch/riscv/csr.h"
#include "arch/riscv/pgtable.h"

#define GPT_PAGE_SHIFT 12
#define GPT_PTE_SIZE   8
/* Bits 63:54 of a PTE: N (63), PBMT (62:61) and reserved (60:54). */
#define GPT_PTE_HIGH   (~0ULL << 54)
#define GPT_PTE_RWX    (PTE_R | PTE_W | PTE_X)

static uint64_t gpt_page_fault(enum gpt_access access)
{
	switch (access) {
	case GPT_FETCH: return EXC_INST_PAGE_FAULT;
	case GPT_STORE: return EXC_STORE_PAGE_FAULT;
	default:        return EXC_LOAD_PAGE_FAULT;
	}
}

static uint64_t gpt_access_fault(enum gpt_access access)
{
	switch (access) {
	case GPT_FETCH: return EXC_INST_ACCESS;
	case GPT_STORE: return EXC_STORE_ACCESS;
	default:        return EXC_LOAD_ACCESS;
	}
}

bool gpt_leaf_allows(uint64_t pte, enum gpt_access access, bool priv_s,
		     bool sum, bool mxr)
{
	uint64_t rwx = pte & GPT_PTE_RWX;

	/* Step 3. QEMU 7.2: with Svnapot and Svpbmt off (the rv64 default),
	 * any of bits 63:54 set fails the PTE, whatever else it holds. */
	if (!(pte & PTE_V) || (pte & GPT_PTE_HIGH))
		return false;
	/* Not a leaf, or the reserved W-only / W+X encodings (R=0, W=1). */
	if (rwx == 0 || (rwx & (PTE_R | PTE_W)) == PTE_W)
		return false;
	/* Step 5, 4.3.1 "U" and 4.1.1 SUM: S-mode may load/store a U page
	 * only with SUM and may never execute from one. */
	if (pte & PTE_U) {
		if (priv_s && (!sum || access == GPT_FETCH))
			return false;
	} else if (!priv_s) {
		return false;
	}
	switch (access) {
	case GPT_LOAD:  return (pte & PTE_R) || ((pte & PTE_X) && mxr);  /* 4.1.1 MXR */
	case GPT_STORE: return (pte & PTE_W) != 0;
	case GPT_FETCH: return (pte & PTE_X) != 0;
	}
	return false;
}

static int gpt_fault(struct gpt_walk_res *res, uint64_t cause)
{
	res->cause = cause;
	return GPT_WALK_FAULT;
}

/* va is canonical when bits 63..(va_bits - 1) are all equal (4.4.1, 4.5.1,
 * 4.6.1); QEMU 7.2 raises a page fault otherwise, before reading anything. */
static bool gpt_va_canonical(uint64_t va, unsigned levels)
{
	unsigned va_bits = GPT_PAGE_SHIFT + PT_LEVEL_BITS * levels;
	uint64_t top = va >> (va_bits - 1);

	return top == 0 || top == (~0ULL >> (va_bits - 1));
}

/*
 * An A/D compare-and-swap failed at pte_gpa, where the walk had read `seen`.
 * QEMU 7.2 tells two cases apart: a PTE that is not in RAM cannot be updated
 * (TRANSLATE_FAIL, a page fault), and a PTE that changed meanwhile is read
 * again ("goto restart"). A re-read that still finds `seen` means the
 * location cannot be written. Returns true to re-read, false to fault.
 */
static bool gpt_cas_should_retry(const struct gpt_mem *mem, uint64_t pte_gpa,
				 uint64_t seen)
{
	uint64_t now;

	return mem->read_pte(mem->ctx, pte_gpa, &now) && now != seen;
}

static int gpt_walk_bare(const struct gpt_walk_req *req, struct gpt_walk_res *res)
{
	res->gpa = req->va;
	res->page_size = 1ULL << GPT_PAGE_SHIFT;
	res->page_base_va = req->va & ~(res->page_size - 1);
	return GPT_WALK_OK;
}

int gpt_walk(const struct gpt_mem *mem, const struct gpt_walk_req *req,
	     struct gpt_walk_res *res)
{
	uint64_t mode = req->satp >> SATP_MODE_SHIFT;
	uint64_t va = req->va, table, pte = 0, pte_gpa;
	unsigned levels, level;

	*res = (struct gpt_walk_res){ 0 };
	if (mode == SATP_MODE_BARE)
		return gpt_walk_bare(req, res);
	/* QEMU 7.2 never holds another mode in satp (the write is ignored,
	 * 4.1.11); a caller that passes one gets a fault, not a mapping. */
	levels = pt_levels(mode);
	if (levels == 0 || !gpt_va_canonical(va, levels))
		return gpt_fault(res, gpt_page_fault(req->access));

	/* Step 1. */
	table = (req->satp & SATP_PPN_MASK) << GPT_PAGE_SHIFT;
	level = levels - 1;
	for (;;) {
		/* Step 2. QEMU 7.2: a PMP denial is an access fault, but a bus
		 * error on the read (no RAM or device there) is a PAGE fault. */
		pte_gpa = table + (uint64_t)pt_index(va, level) * GPT_PTE_SIZE;
		res->pte_gpa = pte_gpa;
		res->level = level;
		if (mem->pte_allowed && !mem->pte_allowed(mem->ctx, pte_gpa))
			return gpt_fault(res, gpt_access_fault(req->access));
		if (!mem->read_pte(mem->ctx, pte_gpa, &pte))
			return gpt_fault(res, gpt_page_fault(req->access));
		res->pte = pte;

		/* Step 3 (QEMU 7.2 checks bits 63:54 first, on every PTE). */
		if (!(pte & PTE_V) || (pte & GPT_PTE_HIGH))
			return gpt_fault(res, gpt_page_fault(req->access));

		if (!(pte & GPT_PTE_RWX)) {
			/* Step 4. QEMU 7.2: a pointer with D, A or U set is a
			 * page fault (the spec only reserves them, 4.3.1). */
			if ((pte & (PTE_D | PTE_A | PTE_U)) || level == 0)
				return gpt_fault(res, gpt_page_fault(req->access));
			level--;
			table = pte_pa(pte);
			continue;
		}

		/* Steps 3 and 5: encoding and permissions. */
		if (!gpt_leaf_allows(pte, req->access, req->priv_s, req->sum, req->mxr))
			return gpt_fault(res, gpt_page_fault(req->access));
		/* Step 6: a superpage's PPN must be aligned to its size. */
		uint64_t page_size = 1ULL << (GPT_PAGE_SHIFT + PT_LEVEL_BITS * level);
		if (pte_pa(pte) & (page_size - 1))
			return gpt_fault(res, gpt_page_fault(req->access));

		/* Step 7. QEMU 7.2 takes the spec's second option: it sets A
		 * (and D on a store) itself, never raising a fault for them. */
		uint64_t want = pte | PTE_A | (req->access == GPT_STORE ? PTE_D : 0);
		if (want != pte && req->update_ad) {
			if (!mem->cas_pte(mem->ctx, pte_gpa, pte, want)) {
				if (!gpt_cas_should_retry(mem, pte_gpa, pte))
					return gpt_fault(res, gpt_page_fault(req->access));
				/* QEMU 7.2 "goto restart" leaves base and
				 * ptshift as they are, so it reads this same
				 * PTE again: the spec's "return to step 2". */
				if (res->retries == GPT_WALK_MAX_RETRIES)
					return GPT_WALK_RETRY;
				res->retries++;
				continue;
			}
			pte = want;
		}

		/* Step 8. */
		res->pte = pte;
		res->page_size = page_size;
		res->page_base_va = va & ~(page_size - 1);
		res->gpa = pte_pa(pte) | (va & (page_size - 1));
		return GPT_WALK_OK;
	}
}
