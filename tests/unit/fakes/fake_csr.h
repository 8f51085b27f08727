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

struct fake_csr_state {
	struct { const char *name; uint64_t val; } csr[FAKE_CSR_MAX];
	unsigned ncsr;
	uint64_t writes;                    /* CSR writes of any kind */
	struct fake_fence fences[FAKE_CSR_LOG_MAX];
	unsigned nfences;
	struct fake_sbi_call sbi[FAKE_CSR_LOG_MAX];
	unsigned nsbi;
	unsigned wfis;
	void (*on_wfi)(void);               /* what an interrupt does while waiting */
};

extern struct fake_csr_state fake_csr;

/* Forget every CSR and record. */
void fake_csr_reset(void);
/* Set a CSR without counting it as a write by the code under test. */
void fake_csr_set(const char *name, uint64_t val);
uint64_t fake_csr_get(const char *name);
/* How many writes of this CSR the code under test made. */
unsigned fake_csr_write_count(const char *name);

#endif
