/*
 * SBI v3.0, chapter 4 "Base Extension" (EID 0x10): versions, ids and
 * probing. Every function must succeed; there are no error returns but for
 * unknown FIDs.
 *
 * Trapeze speaks SBI v3.0, so it reports 3.0 (sbi.h, SBI_SPEC_VERSION) and
 * the extensions it offers behave as v3.0 says. Four v3.0 extensions are
 * left out on purpose and have no descriptor, so they probe 0 and every
 * call to them is SBI_ERR_NOT_SUPPORTED (chapter 3, "Binary Encoding"):
 *   DBTR (chapter 19): debug triggers are M-mode registers (tselect,
 *        tdata1-3) and the host firmware offers no DBTR to build on;
 *   CPPC (chapter 14): no performance-control registers to expose;
 *   NACL (chapter 15): nested acceleration is for hypervisors in the guest,
 *        and the virtual CPU has no H extension;
 *   MPXY (chapter 20): no message-proxy channels.
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

/* "Probe SBI extension": 1 for every EID a descriptor covers whose probe
 * hook (if any) says it works for this vCPU on this host, 0 otherwise, so
 * that an extension the host cannot back is never advertised. The EID is
 * the whole register: upper bits set name no extension. */
static int base_probe_extension(struct vcpu *v, const unsigned long args[6], struct sbi_ret *ret)
{
	ret->value = sbi_ext_available(sbi_find_ext(args[0]), v);
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
