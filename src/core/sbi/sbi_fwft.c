/*
 * SBI v3.0, chapter 18 "Firmware Features Extension" (EID 0x46574654
 * "FWFT"): set and get of per-hart firmware features, each optionally
 * locked until the hart is reset.
 *
 * Of the six features v3.0 defines, all local (per hart), this virtual CPU
 * supports one, MISALIGNED_EXC_DELEG. The others control CPU extensions the
 * virtual CPU lacks (QEMU 7.2 implements none of Zicfilp, Zicfiss,
 * Ssdbltrp, Svadu, Ssnpm or Smnpm) and that Trapeze does not implement on
 * its own either: they answer SBI_ERR_NOT_SUPPORTED, which v3.0 gives to a
 * feature "not reserved and valid" whose hardware or SBI-implementation
 * dependencies are missing (Tables "FWFT Firmware Features Set Errors" and
 * "... Get Errors"). Reserved and platform-specific ids, local or global,
 * are SBI_ERR_DENIED (Trapeze defines no platform-specific feature).
 */
#include "core/sbi/sbi.h"

#include "core/vcpu.h"

_Static_assert(SBI_FWFT_POINTER_MASKING_PMLEN + 1 == SBI_FWFT_NLOCAL,
	       "one state slot per standard local feature");
_Static_assert(SBI_FWFT_NLOCAL <= 32, "one lock bit per standard local feature");

struct fwft_feature {
	/* NULL: never supported by this virtual CPU (see the table). */
	bool (*value_ok)(unsigned long value);
	uint64_t reset;         /* "Reset" column of Table "FWFT Feature Attribute Values" */
};

/*
 * MISALIGNED_EXC_DELEG: 0, the SBI implementation handles misaligned
 * load/store exceptions; 1, they are delegated to the supervisor. Both
 * values are accepted and kept, but nothing observable changes with them:
 * QEMU performs misaligned loads and stores of plain accesses in hardware
 * and never raises these exceptions for them, so there is nothing to
 * emulate or to delegate. The reset value is implementation-defined; 0 is
 * what OpenSBI reports on the same machine (it does not delegate them), so
 * the guest starts as it would on bare QEMU.
 */
static bool fwft_misaligned_value_ok(unsigned long value)
{
	return value == 0 || value == 1;    /* the whole register: 1 << 32 is invalid */
}

static const struct fwft_feature fwft_features[SBI_FWFT_NLOCAL] = {
	[SBI_FWFT_MISALIGNED_EXC_DELEG] = { .value_ok = fwft_misaligned_value_ok, .reset = 0 },
	/* Needs Zicfilp (landing pads, menvcfg/henvcfg.LPE). */
	[SBI_FWFT_LANDING_PAD]           = { 0 },
	/* Needs Zicfiss (shadow stacks, menvcfg/henvcfg.SSE). */
	[SBI_FWFT_SHADOW_STACK]          = { 0 },
	/* Needs Ssdbltrp (menvcfg/henvcfg.DTE, sstatus.SDT). */
	[SBI_FWFT_DOUBLE_TRAP]           = { 0 },
	/* Needs Svadu (menvcfg/henvcfg.ADUE): without it there is no switch
	 * to turn; whatever A/D behaviour the guest sees is the CPU's own. */
	[SBI_FWFT_PTE_AD_HW_UPDATING]    = { 0 },
	/* Needs Ssnpm/Smnpm (senvcfg/menvcfg/henvcfg.PMM). */
	[SBI_FWFT_POINTER_MASKING_PMLEN] = { 0 },
};

void sbi_fwft_reset_vcpu(struct vcpu *v)
{
	struct sbi_fwft_vcpu *s = &v->sbi.fwft;

	for (unsigned f = 0; f < SBI_FWFT_NLOCAL; f++)
		s->value[f] = fwft_features[f].reset;
	s->locked = 0;
}

/*
 * The feature a call names, or the error for it. feature is a uint32_t:
 * the upper half of a0 is ignored (sbi_arg32: chapter 3, "Binary
 * Encoding", 32-bit data uses the low 32 bits; sbi.h says why). Returns SBI_SUCCESS with *out set.
 */
static long fwft_lookup(unsigned long arg, const struct fwft_feature **out, uint32_t *id)
{
	uint32_t feature = sbi_arg32(arg);

	if (feature >= SBI_FWFT_NLOCAL)
		return SBI_ERR_DENIED;          /* reserved or platform-specific, unimplemented */
	if (!fwft_features[feature].value_ok)
		return SBI_ERR_NOT_SUPPORTED;
	*out = &fwft_features[feature];
	*id = feature;
	return SBI_SUCCESS;
}

/*
 * sbi_fwft_set(feature, value, flags). Checks in the order: the feature
 * (DENIED, NOT_SUPPORTED), the flags (INVALID_PARAM: any bit but LOCK is
 * reserved and must be zero), the lock (DENIED_LOCKED, whatever the value,
 * even the one already set), the value (INVALID_PARAM). On failure the
 * feature is unchanged.
 */
static int fwft_set(struct vcpu *v, const unsigned long args[6], struct sbi_ret *ret)
{
	struct sbi_fwft_vcpu *s = &v->sbi.fwft;
	const struct fwft_feature *feat = NULL;
	unsigned long value = args[1], flags = args[2];
	uint32_t id = 0;

	ret->error = fwft_lookup(args[0], &feat, &id);
	if (ret->error)
		return SBI_RESUME_NEXT;
	if (flags & ~SBI_FWFT_SET_FLAG_LOCK)
		ret->error = SBI_ERR_INVALID_PARAM;
	else if (s->locked & (1U << id))
		ret->error = SBI_ERR_DENIED_LOCKED;
	else if (!feat->value_ok(value))
		ret->error = SBI_ERR_INVALID_PARAM;
	else {
		s->value[id] = value;
		if (flags & SBI_FWFT_SET_FLAG_LOCK)
			s->locked |= 1U << id;
	}
	return SBI_RESUME_NEXT;
}

/* sbi_fwft_get(feature): the value; on failure value stays 0, as the spec
 * requires. A locked feature reads normally. */
static int fwft_get(struct vcpu *v, const unsigned long args[6], struct sbi_ret *ret)
{
	const struct fwft_feature *feat = NULL;
	uint32_t id = 0;

	ret->error = fwft_lookup(args[0], &feat, &id);
	if (ret->error == SBI_SUCCESS)
		ret->value = (long)v->sbi.fwft.value[id];
	return SBI_RESUME_NEXT;
}

static const sbi_fn_t fwft_fns[] = {
	[SBI_FWFT_SET] = fwft_set,
	[SBI_FWFT_GET] = fwft_get,
};

static int fwft_handle(struct vcpu *v, unsigned long eid, unsigned long fid,
		       const unsigned long args[6], struct sbi_ret *ret)
{
	(void)eid;
	return SBI_CALL_TABLE(fwft_fns, fid, v, args, ret);
}

SBI_EXTENSION(fwft) = {
	.name = "fwft",
	.eid_min = SBI_EXT_FWFT,
	.eid_max = SBI_EXT_FWFT,
	.handle = fwft_handle,
	.vcpu_reset = sbi_fwft_reset_vcpu,
};
