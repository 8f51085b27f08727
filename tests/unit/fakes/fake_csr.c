/* The fake CSR layer: see fake_csr.h. */
#include "fakes/fake_csr.h"

#include <stdlib.h>
#include <string.h>
#include "arch/riscv/csr.h"
#include "arch/riscv/hart.h"
#include "arch/riscv/sbi_host.h"

struct fake_csr_state fake_csr;
static struct { const char *name; unsigned n; } write_counts[FAKE_CSR_MAX];
static unsigned nwrite_counts;

struct hart harts[MAX_HARTS];
static struct hart *current_hart = &harts[0];

struct hart *this_hart(void)
{
	return current_hart;
}

void fake_csr_reset(void)
{
	memset(&fake_csr, 0, sizeof(fake_csr));
	memset(write_counts, 0, sizeof(write_counts));
	nwrite_counts = 0;
}

static uint64_t *slot(const char *name, int create)
{
	for (unsigned i = 0; i < fake_csr.ncsr; i++)
		if (strcmp(fake_csr.csr[i].name, name) == 0)
			return &fake_csr.csr[i].val;
	if (!create)
		return NULL;
	if (fake_csr.ncsr == FAKE_CSR_MAX)
		abort();
	fake_csr.csr[fake_csr.ncsr].name = name;
	fake_csr.csr[fake_csr.ncsr].val = 0;
	return &fake_csr.csr[fake_csr.ncsr++].val;
}

void fake_csr_set(const char *name, uint64_t val)
{
	*slot(name, 1) = val;
}

uint64_t fake_csr_get(const char *name)
{
	uint64_t *p = slot(name, 0);

	return p ? *p : 0;
}

unsigned fake_csr_write_count(const char *name)
{
	for (unsigned i = 0; i < nwrite_counts; i++)
		if (strcmp(write_counts[i].name, name) == 0)
			return write_counts[i].n;
	return 0;
}

uint64_t fake_csr_read(const char *name)
{
	return fake_csr_get(name);
}

void fake_csr_write(const char *name, uint64_t val)
{
	unsigned i;

	*slot(name, 1) = val;
	fake_csr.writes++;
	for (i = 0; i < nwrite_counts; i++)
		if (strcmp(write_counts[i].name, name) == 0)
			break;
	if (i == nwrite_counts) {
		if (nwrite_counts == FAKE_CSR_MAX)
			abort();
		write_counts[nwrite_counts++].name = name;
	}
	write_counts[i].n++;
}

void fake_sfence_vma(uint64_t va, uint64_t asid, int all_va, int all_asid)
{
	if (fake_csr.nfences < FAKE_CSR_LOG_MAX)
		fake_csr.fences[fake_csr.nfences++] = (struct fake_fence){ va, asid, all_va, all_asid };
}

void fake_wfi(void)
{
	fake_csr.wfis++;
	if (fake_csr.on_wfi)
		fake_csr.on_wfi();
}

struct sbi_host_ret sbi_host_call5(uint64_t eid, uint64_t fid, uint64_t a0,
				   uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4)
{
	if (fake_csr.nsbi < FAKE_CSR_LOG_MAX)
		fake_csr.sbi[fake_csr.nsbi++] = (struct fake_sbi_call){ eid, fid, a0, a1, a2, a3, a4 };
	return (struct sbi_host_ret){ 0, 0 };
}

struct fake_guest_mem fake_guest_mem;

uint64_t fake_hlv(uint64_t va, unsigned bytes, int exec)
{
	struct hart *h = this_hart();

	(void)exec;
	if (fake_csr.nhlv < FAKE_CSR_LOG_MAX)
		fake_csr.hlv[fake_csr.nhlv++] = va;
	if (fake_guest_mem.base == NULL || va < fake_guest_mem.va ||
	    va - fake_guest_mem.va > fake_guest_mem.size - bytes || fake_guest_mem.fault) {
		/* What the trap path does for an expected fault (hart.c hyp_trap). */
		if (h->probe_active)
			h->probe_faulted = true;
		fake_csr_set("scause", fake_guest_mem.fault_cause ? fake_guest_mem.fault_cause : 13);
		fake_csr_set("0x643", fake_guest_mem.fault_htval);
		return 0;
	}
	uint64_t v = 0;
	memcpy(&v, fake_guest_mem.base + (va - fake_guest_mem.va), bytes);
	return v;
}

void fake_hfence(int gvma, uint64_t addr, uint64_t id, int all)
{
	if (fake_csr.nhfences < FAKE_CSR_LOG_MAX)
		fake_csr.hfences[fake_csr.nhfences++] = (struct fake_hfence){ gvma, addr, id, all };
}
