/*
 * SBI lookup and dispatch: the one place that reads the ECALL's registers
 * and writes its results (SBI v2.0, Binary Encoding). Extensions live in
 * sbi_*.c and are found through the "sbi_exts" linker section.
 */
#include "core/sbi/sbi.h"

#include "core/engine.h"
#include "core/stats.h"
#include "core/vcpu.h"
#include "core/vm.h"

/* Integer register numbers of the SBI calling convention (a0 = x10). */
#define REG_A0  10
#define REG_A1  11
#define REG_A6  16
#define REG_A7  17

#define XLEN    64

_Static_assert(sizeof(struct sbi_ext) % 8 == 0,
	       "descriptors must pack densely in the sbi_exts section");
_Static_assert(sizeof(unsigned long) * 8 == XLEN, "RV64 only: hart masks are XLEN bits");

/* Bounds of the descriptor array; see SBI_EXTENSION in sbi.h. */
extern const struct sbi_ext __start_sbi_exts[];
extern const struct sbi_ext __stop_sbi_exts[];

const struct sbi_ext *sbi_find_ext(unsigned long eid)
{
	for (const struct sbi_ext *e = __start_sbi_exts; e < __stop_sbi_exts; e++)
		if (eid >= e->eid_min && eid <= e->eid_max)
			return e;
	return NULL;
}

void sbi_vcpu_reset(struct vcpu *v)
{
	for (const struct sbi_ext *e = __start_sbi_exts; e < __stop_sbi_exts; e++)
		if (e->vcpu_reset)
			e->vcpu_reset(v);
}

unsigned sbi_ext_slot(const struct sbi_ext *ext)
{
	return (unsigned)(ext - __start_sbi_exts);
}

const struct sbi_ext *sbi_ext_at(unsigned slot)
{
	if (slot >= (unsigned)(__stop_sbi_exts - __start_sbi_exts))
		return NULL;
	return &__start_sbi_exts[slot];
}

/* The guest's side of a handler's host status. */
static enum resume sbi_resume(struct vcpu *v, struct trap_info *t, int status,
			      const struct sbi_ret *ret, unsigned ecall_len)
{
	switch (status) {
	case SBI_RESUME_NEXT:
		return trap_next(t, ecall_len);
	case SBI_RESUME_JUMP:
		return trap_jump(t, ret->resume_pc);
	case SBI_RESUME_INJECT:
		trap_inject(t, ret->fault_cause, ret->fault_tval);
		t->inject_redirected = true;
		return RESUME_INJECT;
	case SBI_RESUME_NONE:
		return RESUME_HALT;
	default:
		vm_stop(v->vm, VM_EXIT_CRASHED, "SBI call failed inside Trapeze");
		return RESUME_HALT;
	}
}

enum resume sbi_dispatch(struct vcpu *v, struct trap_info *t, unsigned ecall_len)
{
	struct vm *vm = v->vm;
	unsigned long eid = vcpu_get_gpr(v, REG_A7);
	unsigned long fid = vcpu_get_gpr(v, REG_A6);
	const struct sbi_ext *ext = sbi_find_ext(eid);
	/* Reserved legacy EIDs 0x09-0x0F have no descriptor but still follow the
	 * legacy convention: a1 is the caller's (SBI v2.0, Legacy Extensions). */
	bool legacy = eid <= SBI_EXT_LEGACY_MAX;
	struct sbi_ret ret = { .error = SBI_SUCCESS };
	unsigned long args[6];
	int status;

	for (unsigned i = 0; i < 6; i++)
		args[i] = vcpu_get_gpr(v, REG_A0 + i);

	if (ext) {
		unsigned slot = sbi_ext_slot(ext);

		if (slot < STATS_SBI_MAX)
			vm->stats.sbi_calls[slot]++;
		legacy = ext->legacy;
		if (sbi_ext_available(ext, v)) {
			status = ext->handle(v, eid, fid, args, &ret);
		} else {
			ret.error = SBI_ERR_NOT_SUPPORTED;     /* probes 0 here */
			status = SBI_RESUME_NEXT;
		}
	} else {
		vm->stats.sbi_unknown++;
		ret.error = SBI_ERR_NOT_SUPPORTED;
		status = SBI_RESUME_NEXT;
	}
	if (status != SBI_RESUME_NEXT)
		return sbi_resume(v, t, status, &ret, ecall_len);

	if (legacy) {
		/* One register: an error code, else the call's value (getchar). */
		vcpu_set_gpr(v, REG_A0, (uint64_t)(ret.error ? ret.error : ret.value));
	} else {
		vcpu_set_gpr(v, REG_A0, (uint64_t)ret.error);
		vcpu_set_gpr(v, REG_A1, (uint64_t)ret.value);
	}
	return sbi_resume(v, t, SBI_RESUME_NEXT, &ret, ecall_len);
}

long sbi_for_each_hart(struct vm *vm, unsigned long mask, unsigned long base,
		       void (*fn)(struct vcpu *target, void *ctx), void *ctx)
{
	if (base == -1UL) {
		for (unsigned i = 0; i < vm->nvcpus && i < VM_MAX_VCPUS; i++)
			if (vm->vcpus[i])
				fn(vm->vcpus[i], ctx);
		return SBI_SUCCESS;
	}
	/* All or nothing: check every named hart before touching any. A hart id
	 * past ULONG_MAX would wrap onto a low, valid id. */
	for (unsigned bit = 0; bit < XLEN; bit++) {
		if (!(mask & (1UL << bit)))
			continue;
		if (base > -1UL - bit || !vm_vcpu(vm, base + bit))
			return SBI_ERR_INVALID_PARAM;
	}
	for (unsigned bit = 0; bit < XLEN; bit++)
		if (mask & (1UL << bit))
			fn(vm_vcpu(vm, base + bit), ctx);
	return SBI_SUCCESS;
}

int sbi_call_fn(const sbi_fn_t *table, size_t n, unsigned long idx,
		struct vcpu *v, const unsigned long args[6], struct sbi_ret *ret)
{
	if (idx >= n || !table[idx]) {
		ret->error = SBI_ERR_NOT_SUPPORTED;
		return SBI_RESUME_NEXT;
	}
	return table[idx](v, args, ret);
}
