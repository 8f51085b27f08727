/*
 * The audit's classification rules, as data: which instructions and CSR
 * accesses are sensitive and where the RISC-V specs say so, which control
 * lets U-mode run them, and how Trapeze sets each control. See audit.h.
 */
#include "audit.h"

#include <string.h>

#define PRIV    "RISC-V Privileged ISA v1.12, "
#define UNPRIV  "RISC-V Unprivileged ISA 20191213, "
#define B       AUDIT_SENS_BEHAVIOUR
#define C       AUDIT_SENS_CONTROL
#define ALL     0xfff

#define CSR1(num, nm, r, w, ctl, sp) \
	{ AUDIT_CSR, num, num, 0, 0, NULL, nm, r, w, ctl, sp, NULL }
#define CSRN(lo_, hi_, nm, r, w, ctl, sp) \
	{ AUDIT_CSR, lo_, hi_, 0, 0, NULL, nm, r, w, ctl, sp, NULL }
/* Every CSR of one privilege level (bits 9:8 of the number). */
#define CSR_LEVEL(lvl, nm, r, w, sp) \
	{ AUDIT_CSR, 0, ALL, 0x300, (lvl) << 8, NULL, nm, r, w, NULL, sp, NULL }
#define INSN(pat, s, ctl, sp) \
	{ AUDIT_INSN, 0, 0, 0, 0, pat, pat, s, 0, ctl, sp, NULL }

#define SPEC_FS         PRIV "3.1.6.6 Extension Context Status in mstatus Register"
#define SPEC_VS         "RISC-V V extension v1.0, 3.2 Vector Context Status in mstatus " \
			"(and " PRIV "3.1.6.6)"
#define SPEC_CNT        PRIV "4.1.5 Counter-Enable Register (scounteren)"
#define SPEC_HCSR       PRIV "8.2 Hypervisor and Virtual Supervisor CSRs"
#define SPEC_SVINVAL    PRIV "7 \"Svinval\" Standard Extension for Fine-Grained " \
			"Address-Translation Cache Invalidation"
#define SPEC_CMO        "RISC-V CMO v1.0 (Zicbom/Zicboz), gated by " \
			PRIV "4.1.10 Supervisor Environment Configuration Register (senvcfg)"

static const struct audit_rule audit_rules[] = {
	/* U-level CSRs whose access hangs on a control. */
	CSRN(0x001, 0x003, "fflags/frm/fcsr", B, B | C, "sstatus.FS", SPEC_FS),
	CSRN(0x008, 0x00a, "vstart/vxsat/vxrm", B, B | C, "sstatus.VS", SPEC_VS),
	CSR1(0x00f, "vcsr", B, B | C, "sstatus.VS", SPEC_VS),
	CSR1(0x015, "seed", B, C, "mseccfg.USEED (M-mode)",
	     "RISC-V Scalar Cryptography v1.0.1 (Zkr), seed CSR"),
	CSR1(0xc00, "cycle", B, C, "scounteren.CY", SPEC_CNT),
	{ AUDIT_CSR, 0xc01, 0xc01, 0, 0, NULL, "time", B, C, "scounteren.TM", SPEC_CNT,
	  "the hart traps it (TM clear) and OpenSBI's illegal-instruction handler "
	  "emulates rdtime in M-mode for U-mode without checking scounteren" },
	CSR1(0xc02, "instret", B, C, "scounteren.IR", SPEC_CNT),
	CSRN(0xc03, 0xc1f, "hpmcounter", B, C, "scounteren.HPMn", SPEC_CNT),
	CSRN(0xc20, 0xc22, "vl/vtype/vlenb", B, C, "sstatus.VS", SPEC_VS),
	CSRN(0xc80, 0xc9f, "cycleh.. (RV32 only)", B, C, "scounteren", SPEC_CNT),
	/* S-level. */
	CSR1(0x100, "sstatus", B, C, NULL, PRIV "4.1.1 Supervisor Status Register (sstatus)"),
	CSR1(0x104, "sie", B, C, NULL, PRIV "4.1.3 Supervisor Interrupt Registers (sip and sie)"),
	CSR1(0x105, "stvec", B, C, NULL,
	     PRIV "4.1.2 Supervisor Trap Vector Base Address Register (stvec)"),
	CSR1(0x106, "scounteren", B, C, NULL, SPEC_CNT),
	CSR1(0x10a, "senvcfg", B, C, NULL,
	     PRIV "4.1.10 Supervisor Environment Configuration Register (senvcfg)"),
	CSR1(0x140, "sscratch", B, C, NULL, PRIV "4.1.6 Supervisor Scratch Register (sscratch)"),
	CSR1(0x141, "sepc", B, C, NULL,
	     PRIV "4.1.7 Supervisor Exception Program Counter (sepc)"),
	CSR1(0x142, "scause", B, C, NULL, PRIV "4.1.8 Supervisor Cause Register (scause)"),
	CSR1(0x143, "stval", B, C, NULL, PRIV "4.1.9 Supervisor Trap Value (stval) Register"),
	CSR1(0x144, "sip", B, C, NULL, PRIV "4.1.3 Supervisor Interrupt Registers (sip and sie)"),
	CSR1(0x14d, "stimecmp", B, C, NULL, "RISC-V Sstc v1.0, Supervisor Timer Register (stimecmp)"),
	CSR1(0x180, "satp", B, C, NULL,
	     PRIV "4.1.11 Supervisor Address Translation and Protection (satp) Register"),
	CSR1(0x5a8, "scontext", B, C, NULL, "RISC-V Debug Specification 1.0 (Sdtrig), scontext"),
	/* Hypervisor and virtual-supervisor level. */
	CSR1(0x600, "hstatus", B, C, NULL, SPEC_HCSR ": Hypervisor Status Register (hstatus)"),
	CSRN(0x602, 0x603, "hedeleg/hideleg", B, C, NULL,
	     SPEC_HCSR ": Hypervisor Trap Delegation Registers (hedeleg and hideleg)"),
	CSR1(0x604, "hie", B, C, NULL,
	     SPEC_HCSR ": Hypervisor Interrupt Registers (hvip, hip, and hie)"),
	{ AUDIT_CSR, 0x605, 0x605, 0, 0, NULL, "htimedelta", B, C, NULL,
	  SPEC_HCSR ": Hypervisor Time Delta Registers (htimedelta)",
	  "OpenSBI emulates htimedelta for HS-mode on a hart without H "
	  "(sbi_emulate_csr_read/write keep a per-hart value)" },
	CSR1(0x606, "hcounteren", B, C, NULL,
	     SPEC_HCSR ": Hypervisor Counter-Enable Register (hcounteren)"),
	CSR1(0x607, "hgeie", B, C, NULL,
	     SPEC_HCSR ": Hypervisor Guest External Interrupt Registers (hgeip and hgeie)"),
	CSR1(0x60a, "henvcfg", B, C, NULL,
	     SPEC_HCSR ": Hypervisor Environment Configuration Register (henvcfg)"),
	CSR1(0x643, "htval", B, C, NULL, SPEC_HCSR ": Hypervisor Trap Value Register (htval)"),
	CSRN(0x644, 0x645, "hip/hvip", B, C, NULL,
	     SPEC_HCSR ": Hypervisor Interrupt Registers (hvip, hip, and hie)"),
	CSR1(0x64a, "htinst", B, C, NULL,
	     SPEC_HCSR ": Hypervisor Trap Instruction Register (htinst)"),
	CSR1(0x680, "hgatp", B, C, NULL,
	     SPEC_HCSR ": Hypervisor Guest Address Translation and Protection Register (hgatp)"),
	CSR1(0xe12, "hgeip", B, C, NULL,
	     SPEC_HCSR ": Hypervisor Guest External Interrupt Registers (hgeip and hgeie)"),
	CSR1(0x200, "vsstatus", B, C, NULL, SPEC_HCSR ": Virtual Supervisor Status Register"),
	CSRN(0x204, 0x205, "vsie/vstvec", B, C, NULL, SPEC_HCSR ": VS-level CSRs"),
	CSRN(0x240, 0x244, "vsscratch..vsip", B, C, NULL, SPEC_HCSR ": VS-level CSRs"),
	CSR1(0x24d, "vstimecmp", B, C, NULL, "RISC-V Sstc v1.0, vstimecmp"),
	CSR1(0x280, "vsatp", B, C, NULL,
	     SPEC_HCSR ": Virtual Supervisor Address Translation and Protection Register"),
	/* Machine level, debug and trigger numbers included. */
	CSRN(0x7a0, 0x7af, "trigger (Sdtrig)", B, C, NULL,
	     "RISC-V Debug Specification 1.0, Sdtrig (M-level CSR numbers)"),
	CSRN(0x7b0, 0x7bf, "debug-mode (Sdext)", B, C, NULL,
	     "RISC-V Debug Specification 1.0, Sdext (debug-mode CSR numbers)"),
	/* Every other number, by privilege level. */
	CSR_LEVEL(1, "S-level", B, C, PRIV "2.1 CSR Address Mapping Conventions; 4.1 Supervisor CSRs"),
	CSR_LEVEL(2, "H/VS-level", B, C, PRIV "2.1 CSR Address Mapping Conventions; " SPEC_HCSR),
	CSR_LEVEL(3, "M-level", B, C, PRIV "2.1 CSR Address Mapping Conventions; 3.1 Machine-Level CSRs"),
	CSR_LEVEL(0, "U-level", 0, 0, PRIV "2.1 CSR Address Mapping Conventions"),

	/* Innocuous baseline and reserved encodings. */
	INSN("nop", 0, NULL, UNPRIV "2.4 Integer Computational Instructions"),
	INSN("fence", 0, NULL, UNPRIV "2.7 Memory Ordering Instructions"),
	INSN("fence.i", 0, NULL, UNPRIV "3 \"Zifencei\" Instruction-Fetch Fence"),
	INSN("ld", 0, NULL, UNPRIV "5.3 Load and Store Instructions (RV64I)"),
	INSN("system.f3=4", 0, NULL, PRIV "9 RISC-V Privileged Instruction Set Listings (reserved)"),
	/* Traps and returns. */
	INSN("ecall", C, NULL, PRIV "3.3.1 Environment Call and Breakpoint"),
	INSN("ebreak", C, NULL, PRIV "3.3.1 Environment Call and Breakpoint"),
	INSN("sret", C, NULL, PRIV "3.3.2 Trap-Return Instructions"),
	INSN("mret", C, NULL, PRIV "3.3.2 Trap-Return Instructions"),
	INSN("mnret", C, NULL, "RISC-V Smrnmi (resumable NMI) extension, MNRET"),
	INSN("dret", C, NULL, "RISC-V Debug Specification 1.0 (Sdext), DRET"),
	INSN("uret", C, NULL, "removed N extension (encoding reserved since Privileged ISA v1.12)"),
	/* Stalls. */
	INSN("wfi", C, NULL, PRIV "3.3.3 Wait for Interrupt"),
	INSN("wrs.*", C, NULL, "RISC-V Zawrs v1.01, WRS.NTO/WRS.STO (mstatus.TW)"),
	/* Address-translation caches. */
	INSN("sfence.vma", C, NULL, PRIV "4.2.1 Supervisor Memory-Management Fence Instruction"),
	INSN("sinval.vma", C, NULL, SPEC_SVINVAL),
	INSN("sfence.w.inval", C, NULL, SPEC_SVINVAL),
	INSN("sfence.inval.ir", C, NULL, SPEC_SVINVAL),
	INSN("hfence.*", C, NULL, PRIV "8.3.2 Hypervisor Memory-Management Fence Instructions"),
	INSN("hinval.*", C, NULL, SPEC_SVINVAL "; " PRIV "8.3.2"),
	/* Guest-memory access with two-stage translation. */
	INSN("hlv*", B | C, "hstatus.HU",
	     PRIV "8.3.1 Hypervisor Virtual-Machine Load and Store Instructions"),
	INSN("hsv*", B | C, "hstatus.HU",
	     PRIV "8.3.1 Hypervisor Virtual-Machine Load and Store Instructions"),
	/* Extension state: legal only while FS/VS != Off; writes set Dirty. */
	INSN("f*", B, "sstatus.FS", SPEC_FS),
	INSN("v*", B, "sstatus.VS", SPEC_VS),
	/* Cache-block operations. */
	INSN("cbo.zero", B, "senvcfg.CBZE (and menvcfg)", SPEC_CMO),
	INSN("cbo.*", C, "senvcfg.CBIE/CBCFE (and menvcfg)", SPEC_CMO),
};

static const struct audit_control audit_controls[] = {
	{ "cen=0", false, "scounteren", NULL },
	{ "cen=1", true, "scounteren",
	  "vS runs with scounteren = ~0 but for CY and IR (hw engine: hcounteren likewise), "
	  "so the guest kernel reads time and hpmcounter3-31 natively (Trapeze does not "
	  "offset time and never programs the hpm counters) and cycle/instret through a trap, "
	  "as its vCPU's own SBI PMU counters; vU runs with the guest's own scounteren, "
	  "cycle/instret trapping likewise" },
	{ "fs=off", false, "sstatus.FS", NULL },
	{ "fs=on", true, "sstatus.FS",
	  "the real FS is the guest's virtual FS (the trap engine's enter), and a hardware "
	  "FS=Dirty is copied back into it (its sync_from_hw)" },
	{ "vs=off", false, "sstatus.VS", NULL },
	{ "vs=on", true, "sstatus.VS",
	  "the real VS is the guest's virtual VS (the trap engine's enter); a hardware "
	  "VS=Dirty must reach the guest's sstatus as FS=Dirty does" },
	{ "env=0", false, "senvcfg", NULL },
	{ "env=1", true, "senvcfg",
	  "vS runs with senvcfg = 0 (cache-block operations trap), vU with the guest's own senvcfg" },
	{ "hu=0", false, "hstatus.HU", NULL },
	{ "hu=1", true, "hstatus.HU",
	  "HU stays 0: guests run in real U-mode, where HLV/HLVX/HSV then trap" },
};

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

const struct audit_rule *audit_rule_csr(unsigned csr)
{
	for (size_t i = 0; i < ARRAY_LEN(audit_rules); i++) {
		const struct audit_rule *r = &audit_rules[i];

		if (r->kind == AUDIT_CSR && csr >= r->lo && csr <= r->hi &&
		    (csr & r->mask) == r->match)
			return r;
	}
	return NULL;
}

static bool audit_pattern_match(const char *pat, const char *s)
{
	size_t n = strlen(pat);

	if (n && pat[n - 1] == '*')
		return strncmp(pat, s, n - 1) == 0;
	return strcmp(pat, s) == 0;
}

const struct audit_rule *audit_rule_insn(const char *mnemonic)
{
	for (size_t i = 0; i < ARRAY_LEN(audit_rules); i++) {
		const struct audit_rule *r = &audit_rules[i];

		if (r->kind == AUDIT_INSN && audit_pattern_match(r->insn, mnemonic))
			return r;
	}
	return NULL;
}

const struct audit_control *audit_control_find(const char *cond)
{
	for (size_t i = 0; i < ARRAY_LEN(audit_controls); i++)
		if (strcmp(audit_controls[i].cond, cond) == 0)
			return &audit_controls[i];
	return NULL;
}
