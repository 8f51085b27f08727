/*
 * A fake engine for the SBI SSE tests (tests/unit/fakes/fake_sbi_sse.c):
 * its sse_enter/sse_complete record each call and keep the guest's sepc,
 * sstatus and privilege where fake_vm.c keeps the rest of a fake vCPU
 * (arch->trap.csr, arch->trap.vpriv), with the trap engine's semantics.
 * A test points a fake vCPU's engine at fake_sse_engine.
 */
#ifndef TESTS_UNIT_FAKES_FAKE_SBI_SSE_H
#define TESTS_UNIT_FAKES_FAKE_SBI_SSE_H

#include <stdint.h>
#include "core/engine.h"

struct vcpu;

struct fake_sse_log {
	unsigned enters, completes;
	struct vcpu *last_v;
	uint64_t last_entry_pc;
	struct engine_sse_state last_restore;
};

extern const struct engine fake_sse_engine;
extern struct fake_sse_log fake_sse_log;

#endif
