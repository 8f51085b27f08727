/*
 * The audit run: the base sweep with every control in its trapping
 * position, then the CSRs and instructions that depend on a control again
 * with that control permissive. Format in audit.h.
 */
#include "audit.h"

/* CSRs whose accessibility depends on a control, and that control. */
struct csr_variant {
	unsigned lo, hi;
	enum control_id ctl;
};

static const struct csr_variant csr_variants[] = {
	{ 0xc00, 0xc1f, CTL_CEN },      /* cycle, time, instret, hpmcounter3..31 */
	{ 0x001, 0x003, CTL_FS },       /* fflags, frm, fcsr */
	{ 0x008, 0x00f, CTL_VS },       /* vstart, vxsat, vxrm, vcsr */
	{ 0xc20, 0xc22, CTL_VS },       /* vl, vtype, vlenb */
};

static void audit_specials(void)
{
	puts("audit: special csr writes: rw/rw0 write back the value just read "
	     "(this mode, else S-mode, else 0); rs/rc set or clear no bit (a2 = 0)");
	puts("audit: special csr immediates: rsi/rci touch bits already set/clear "
	     "where possible; every immediate write is undone by the next instruction");
	puts("audit: special interrupts: sie = 0 and sstatus.SIE = 0 during the sweep");
	puts("audit: special sret: S-mode sets sepc/SPP to land on the next instruction");
	puts("audit: special wfi: S-mode with SSIP pending+enabled; U-mode with a 20 ms timer");
	puts("audit: special emu: no-trap reads timed against nops; "
	     "> 600 ns per read = run by a more privileged layer");
	puts("audit: skip none");
}

void guest_main(unsigned long hartid, unsigned long dtb)
{
	(void)hartid;
	(void)dtb;
	probe_init();
	csr_write(sie, 0);
	csr_clear(sstatus, SSTATUS_SIE);
	puts("audit: begin");
	control_init();
	control_base();
	audit_specials();

	csr_sweep(0x000, 0xfff, "-");
	for (unsigned i = 0; i < sizeof(csr_variants) / sizeof(csr_variants[0]); i++) {
		const struct csr_variant *v = &csr_variants[i];

		if (!control_available(v->ctl))
			continue;
		control_set(v->ctl, 1);
		csr_sweep(v->lo, v->hi, control_label(v->ctl, 1));
		control_base();
	}
	insn_sweep();
	control_base();
	puts("audit: end");
}
