/*
 * SBI v2.0, Base Extension (EID 0x10): versions, ids and probing. Every
 * function must succeed; there are no error returns but for unknown FIDs.
 */
#include "core/sbi/sbi.h"

#include "core/platform.h"

static int base_get_spec_version(struct vcpu *v, const unsigned long args[6], struct sbi_ret *ret)
{
	(void)v, (void)args;
	ret->value = (long)SBI_SPEC_VERSION;
	return SBI_RESUME_NEXT;
}

static int base_get_impl_id(struct vcpu *v, const unsigned long args[6], struct sbi_ret *ret)
{
	(void)v, (void)args;
	ret->value = (long)SBI_IMPL_ID_TRAPEZE;
	return SBI_RESUME_NEXT;
}

static int base_get_impl_version(struct vcpu *v, const unsigned long args[6], struct sbi_ret *ret)
{
	(void)v, (void)args;
	ret->value = (long)SBI_IMPL_VERSION;
	return SBI_RESUME_NEXT;
}

/* 1 for every EID a descriptor covers, 0 otherwise ("Probe SBI extension"). */
static int base_probe_extension(struct vcpu *v, const unsigned long args[6], struct sbi_ret *ret)
{
	(void)v;
	ret->value = sbi_find_ext(args[0]) != NULL;
	return SBI_RESUME_NEXT;
}

/* The host's machine ids, as the firmware reported them to Trapeze; 0 would
 * also be legal ("Get machine vendor ID"). */
static int base_get_mvendorid(struct vcpu *v, const unsigned long args[6], struct sbi_ret *ret)
{
	(void)v, (void)args;
	ret->value = (long)platform.mvendorid;
	return SBI_RESUME_NEXT;
}

static int base_get_marchid(struct vcpu *v, const unsigned long args[6], struct sbi_ret *ret)
{
	(void)v, (void)args;
	ret->value = (long)platform.marchid;
	return SBI_RESUME_NEXT;
}

static int base_get_mimpid(struct vcpu *v, const unsigned long args[6], struct sbi_ret *ret)
{
	(void)v, (void)args;
	ret->value = (long)platform.mimpid;
	return SBI_RESUME_NEXT;
}

static const sbi_fn_t base_fns[] = {
	[SBI_BASE_GET_SPEC_VERSION] = base_get_spec_version,
	[SBI_BASE_GET_IMPL_ID]      = base_get_impl_id,
	[SBI_BASE_GET_IMPL_VERSION] = base_get_impl_version,
	[SBI_BASE_PROBE_EXTENSION]  = base_probe_extension,
	[SBI_BASE_GET_MVENDORID]    = base_get_mvendorid,
	[SBI_BASE_GET_MARCHID]      = base_get_marchid,
	[SBI_BASE_GET_MIMPID]       = base_get_mimpid,
};

static int base_handle(struct vcpu *v, unsigned long eid, unsigned long fid,
		       const unsigned long args[6], struct sbi_ret *ret)
{
	(void)eid;
	return SBI_CALL_TABLE(base_fns, fid, v, args, ret);
}

SBI_EXTENSION(base) = {
	.name = "base",
	.eid_min = SBI_EXT_BASE,
	.eid_max = SBI_EXT_BASE,
	.handle = base_handle,
};
