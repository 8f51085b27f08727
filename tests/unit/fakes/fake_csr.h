/*
 * The fake CSR layer: under TRAPEZE_HOST, csr.h's accessors, fences, WFI,
 * SBI calls to the firmware and this_hart() land here, so arch code that
 * touches the hardware (the dispatcher, the engines, the scheduler's arch
 * hooks) runs in host unit tests. CSRs are kept by the name the code
 * uses ("sstatus", "0x14d"); unknown ones read 0.
 */
#ifndef TESTS_UNIT_FAKES_FAKE_CSR_H
#define TESTS_UNIT_FAKES_FAKE_CSR_H

#include <stdint.h>

#define FAKE_CSR_MAX        64
#define FAKE_CSR_LOG_MAX    256

struct fake_fence {
	uint64_t va, asid;
	int all_va, all_asid;   /* -1, -1: a FENCE.I */
};

struct fake_sbi_call {
	uint64_t eid, fid, a0, a1, a2, a3, a4;
};

struct fake_hfence {
	int gvma;               /* 1: HFENCE.GVMA, 0: HFENCE.VVMA */
	uint64_t addr, id;      /* GPA/VA, VMID/ASID */
	int all;
};

struct fake_csr_state {
	struct { const char *name; uint64_t val; } csr[FAKE_CSR_MAX];
	unsigned ncsr;
	uint64_t writes;                    /* CSR writes of any kind */
	struct fake_fence fences[FAKE_CSR_LOG_MAX];
	unsigned nfences;
	struct fake_sbi_call sbi[FAKE_CSR_LOG_MAX];
	unsigned nsbi;
	unsigned wfis;
	uint64_t hlv[FAKE_CSR_LOG_MAX];     /* addresses of HLV/HLVX loads */
	unsigned nhlv;
	struct fake_hfence hfences[FAKE_CSR_LOG_MAX];
	unsigned nhfences;
	void (*on_wfi)(void);               /* what an interrupt does while waiting */
};

extern struct fake_csr_state fake_csr;

/* What HLV/HLVX read: the guest-virtual window [va, va + size) backed by
 * base; outside it, or with fault set, the load faults with fault_cause
 * (default 13, load page fault) and htval = fault_htval. */
struct fake_guest_mem {
	uint8_t *base;
	uint64_t va, size;
	int fault;
	uint64_t fault_cause, fault_htval;
};
extern struct fake_guest_mem fake_guest_mem;

/* Forget every CSR and record. */
void fake_csr_reset(void);
/* Set a CSR without counting it as a write by the code under test. */
void fake_csr_set(const char *name, uint64_t val);
uint64_t fake_csr_get(const char *name);
/* How many writes of this CSR the code under test made. */
unsigned fake_csr_write_count(const char *name);

#endif
