/*
 * libFuzzer target for src/core/sbi/: sequences of ECALLs with arbitrary
 * a0-a7 on a fake VM of 1-4 vCPUs in arbitrary scheduler states. Whatever
 * the registers, sbi_dispatch returns a host status it documents and never
 * a failure, a v0.2+ call answers with an error from SBI v3.0's table,
 * legacy calls leave a1 alone, no register but a0/a1 changes unless the
 * call reset the vCPU, the pc never moves, and each call's console work
 * stays bounded. ASan/UBSan watch the rest.
 *
 * Input: [0] vCPU count and states, [1] console input length L, L bytes of
 * console input (also the start of guest RAM), then records of 66 bytes:
 * caller, selector, a0..a7 little-endian. The selector can steer a7 to a
 * known EID, a6 to a small FID and a1/a2 into guest RAM, so the fuzzer
 * reaches the handlers' depths quickly.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/engine.h"
#include "core/sbi/sbi.h"
#include "fakes/fake_vm.h"

#define RECORD  66

static const unsigned long known_eids[] = {
	SBI_EXT_BASE, SBI_EXT_TIME, SBI_EXT_IPI, SBI_EXT_RFENCE, SBI_EXT_HSM,
	SBI_EXT_SRST, SBI_EXT_DBCN, SBI_EXT_FWFT, SBI_EXT_DBTR, SBI_EXT_CPPC,
	SBI_EXT_NACL, SBI_EXT_MPXY, SBI_EXT_STA, SBI_EXT_SUSP, SBI_EXT_SSE, SBI_EXT_PMU, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9,
};

static uint64_t get64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

/* A broken promise: say which, then crash for libFuzzer. */
#define check(cond) do { \
	if (!(cond)) { \
		fprintf(stderr, "fuzz_sbi: %s:%d: %s (eid %#lx fid %#lx)\n", \
			__FILE__, __LINE__, #cond, eid, fid); \
		abort(); \
	} \
} while (0)

static void fuzz_one_call(struct fake_vm *f, const uint8_t *rec)
{
	struct vcpu *v = &f->vcpus[rec[0] % f->vm.nvcpus];
	uint8_t sel = rec[1];
	uint64_t before[32], pc;
	unsigned long eid, fid;
	size_t out_before = f->out_len;
	int st;

	for (unsigned i = 0; i < 8; i++)
		v->arch->regs.x[10 + i] = get64(rec + 2 + 8 * i);
	if (sel & 0x01)
		v->arch->regs.x[17] = known_eids[(sel >> 4) % (sizeof(known_eids) / sizeof(known_eids[0]))];
	if (sel & 0x02)
		v->arch->regs.x[16] &= 7;
	if (sel & 0x04)
		v->arch->regs.x[11] = FAKE_RAM_BASE + v->arch->regs.x[11] % (FAKE_RAM_SIZE + 16);
	if (sel & 0x08)
		v->arch->regs.x[12] = (sel & 0x80) ? 0 : FAKE_RAM_BASE + v->arch->regs.x[12] % FAKE_RAM_SIZE;
	for (unsigned i = 1; i < 10; i++)
		v->arch->regs.x[i] = 0x1111111111111111ULL * i;
	for (unsigned i = 18; i < 32; i++)
		v->arch->regs.x[i] = 0x0101010101010101ULL * i;
	memcpy(before, v->arch->regs.x, sizeof(before));
	pc = v->arch->regs.pc = 0x80000400;
	eid = v->arch->regs.x[17];
	fid = v->arch->regs.x[16];

	struct trap_info t = { 0 };
	st = sbi_dispatch(v, &t, 4);

	/* Never a Trapeze failure: no VM stop. */
	check(fake_count(f, FAKE_VM_STOP) == 0);
	check(st == RESUME_NEXT || st == RESUME_JUMP || st == RESUME_INJECT || st == RESUME_HALT);
	check(st != RESUME_NEXT || t.insn_len == 4);
	check(st != RESUME_INJECT || t.inject_redirected);
	check(f->out_len - out_before <= SBI_DBCN_MAX_BYTES);
	if (st == RESUME_JUMP)
		return;         /* reset: a fresh register state */
	check(v->arch->regs.pc == pc);
	for (unsigned i = 1; i < 32; i++)
		if (i != 10 && i != 11)
			check(v->arch->regs.x[i] == before[i]);
	if (st != RESUME_NEXT) {
		check(v->arch->regs.x[10] == before[10] && v->arch->regs.x[11] == before[11]);
		return;
	}
	if (eid <= SBI_EXT_LEGACY_MAX) {
		long a0 = (long)v->arch->regs.x[10];

		check(v->arch->regs.x[11] == before[11]);
		check(a0 >= SBI_ERR_NO_SHMEM && a0 <= 0xff);    /* error, 0 or a getchar byte */
	} else {
		long a0 = (long)v->arch->regs.x[10];

		check(a0 >= SBI_ERR_DENIED_LOCKED && a0 <= SBI_SUCCESS);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fake_vm *f;
	size_t pos, in_len;

	if (size < 2)
		return 0;
	f = fake_vm_create(1 + (data[0] & 3));
	for (unsigned i = 0; i < f->vm.nvcpus; i++)
		f->vcpus[i].state = (enum vcpu_state)(VCPU_STOPPED + ((data[0] >> 2) + i * 3) % 5);
	in_len = data[1] < size - 2 ? data[1] : size - 2;
	fake_console_input(f, (const char *)data + 2, in_len);
	memcpy(f->ram, data + 2, in_len);
	for (pos = 2 + in_len; size - pos >= RECORD; pos += RECORD)
		fuzz_one_call(f, data + pos);
	fake_vm_destroy(f);
	return 0;
}
