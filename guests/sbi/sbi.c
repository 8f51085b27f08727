/*
 * Every SBI call a guest kernel may make, with valid and invalid arguments
 * (SBI v3.0: Base, Timer, IPI, RFENCE, HSM, System Reset, Debug Console and
 * Legacy extensions, and the v3.0 extensions Trapeze leaves out: DBTR,
 * CPPC, NACL, MPXY). Prints "error=E value=V" pairs. Implementation-specific
 * answers (versions, ids, DBCN which OpenSBI 1.1 lacks) are "info:" lines;
 * FWFT has its own guest (guests/sbi_fwft).
 */
#include "guest.h"

#define SBI_EXT_PMU  0x504D55
#define SBI_EXT_FWFT 0x46574654
#define ABSENT_HART  5

static struct sbiret call(unsigned long eid, unsigned long fid, unsigned long a0,
			  unsigned long a1, unsigned long a2, unsigned long a3,
			  unsigned long a4)
{
	return sbi_call(eid, fid, a0, a1, a2, a3, a4, 0);
}

static void show(const char *what, struct sbiret r)
{
	printf("%s: error=%ld value=%ld\n", what, r.error, r.value);
}

/*
 * Where SBI v3.0 (which Trapeze implements) says otherwise than OpenSBI 1.1
 * (SBI v1.0) does: a hart mask naming an absent hart is
 * SBI_ERR_INVALID_PARAM since v2.0 ("Hart list parameter", and v3.0's IPI
 * and RFENCE error tables), OpenSBI skips the hart; an unimplemented
 * platform-specific suspend type is INVALID_PARAM since v2.0, NOT_SUPPORTED
 * in v1.0. These "spec:" lines are kept out of the comparison with bare
 * QEMU and asserted on their own.
 */
static void show_spec(const char *what, struct sbiret r)
{
	printf("spec: %s: error=%ld value=%ld\n", what, r.error, r.value);
}

static void test_base(void)
{
	static const struct { const char *name; unsigned long eid; } ext[] = {
		{ "TIME", SBI_EXT_TIME }, { "IPI", SBI_EXT_IPI },
		{ "RFENCE", SBI_EXT_RFENCE }, { "HSM", SBI_EXT_HSM },
		{ "SRST", SBI_EXT_SRST }, { "BASE", SBI_EXT_BASE },
		{ "legacy set_timer 0x0", SBI_EXT_LEGACY_SET_TIMER },
		{ "legacy putchar 0x1", SBI_EXT_LEGACY_PUTCHAR },
		{ "nonexistent 0x0afe0000", 0x0afe0000 },
	};
	struct sbiret r;

	r = call(SBI_EXT_BASE, 0, 0, 0, 0, 0, 0);
	printf("info: base spec_version: error=%ld value=0x%lx\n", r.error, r.value);
	printf("base spec_version: error=%ld major>=1 %s\n", r.error,
	       ((r.value >> 24) & 0x7f) >= 1 ? "yes" : "no");
	r = call(SBI_EXT_BASE, 1, 0, 0, 0, 0, 0);
	printf("info: base impl_id: error=%ld value=%ld\n", r.error, r.value);
	r = call(SBI_EXT_BASE, 2, 0, 0, 0, 0, 0);
	printf("info: base impl_version: error=%ld value=0x%lx\n", r.error, r.value);
	for (unsigned i = 0; i < sizeof(ext) / sizeof(ext[0]); i++) {
		r = call(SBI_EXT_BASE, SBI_BASE_PROBE_EXT, ext[i].eid, 0, 0, 0, 0);
		printf("base probe %s: error=%ld value=%ld\n", ext[i].name, r.error, r.value);
	}
	r = call(SBI_EXT_BASE, SBI_BASE_PROBE_EXT, SBI_EXT_DBCN, 0, 0, 0, 0);
	printf("info: base probe DBCN: error=%ld value=%ld\n", r.error, r.value);
	r = call(SBI_EXT_BASE, SBI_BASE_PROBE_EXT, SBI_EXT_PMU, 0, 0, 0, 0);
	printf("info: base probe PMU: error=%ld value=%ld\n", r.error, r.value);
	r = call(SBI_EXT_BASE, SBI_BASE_PROBE_EXT, SBI_EXT_FWFT, 0, 0, 0, 0);
	printf("info: base probe FWFT: error=%ld value=%ld\n", r.error, r.value);
	r = call(SBI_EXT_BASE, 4, 0, 0, 0, 0, 0);
	printf("info: base mvendorid: error=%ld value=0x%lx\n", r.error, r.value);
	r = call(SBI_EXT_BASE, 5, 0, 0, 0, 0, 0);
	printf("info: base marchid: error=%ld value=0x%lx\n", r.error, r.value);
	r = call(SBI_EXT_BASE, 6, 0, 0, 0, 0, 0);
	printf("info: base mimpid: error=%ld value=0x%lx\n", r.error, r.value);
	show("base unknown fid 99", call(SBI_EXT_BASE, 99, 0, 0, 0, 0, 0));
	show("unknown extension 0x0afe0000", call(0x0afe0000, 0, 0, 0, 0, 0, 0));
	show("unknown extension 0x0afe0000 fid 5", call(0x0afe0000, 5, 1, 2, 3, 4, 5));
}

static void test_time_ipi(void)
{
	show("time set_timer far", sbi_set_timer(~0ULL));
	show("time unknown fid 1", call(SBI_EXT_TIME, 1, 0, 0, 0, 0, 0));

	/* SIE=0 and SSIE=0 throughout: an IPI only sets sip.SSIP. */
	csr_write(sie, 0);
	show("ipi self mask=1 base=0", sbi_send_ipi(1, 0));
	printf("ipi self: ssip=%lu\n", (csr_read(sip) & SIP_SSIP) >> 1);
	csr_clear(sip, SIP_SSIP);
	show("ipi all base=-1", sbi_send_ipi(0, -1UL));
	printf("ipi all: ssip=%lu\n", (csr_read(sip) & SIP_SSIP) >> 1);
	csr_clear(sip, SIP_SSIP);
	show_spec("ipi absent mask=1<<5 base=0", sbi_send_ipi(1UL << ABSENT_HART, 0));
	show("ipi absent mask=1 base=5", sbi_send_ipi(1, ABSENT_HART));
	show_spec("ipi mixed mask=0x21 base=0", sbi_send_ipi(0x21, 0));
	printf("spec: ipi mixed: ssip=%lu\n", (csr_read(sip) & SIP_SSIP) >> 1);
	csr_clear(sip, SIP_SSIP);
	show("ipi empty mask=0 base=0", sbi_send_ipi(0, 0));
	printf("ipi empty: ssip=%lu\n", (csr_read(sip) & SIP_SSIP) >> 1);
	csr_clear(sip, SIP_SSIP);
	show("ipi unknown fid 1", call(SBI_EXT_IPI, 1, 0, 0, 0, 0, 0));
}

static void test_rfence(void)
{
	show("rfence fence_i mask=1", call(SBI_EXT_RFENCE, 0, 1, 0, 0, 0, 0));
	show("rfence fence_i all", call(SBI_EXT_RFENCE, 0, 0, -1UL, 0, 0, 0));
	show_spec("rfence fence_i absent", call(SBI_EXT_RFENCE, 0, 1UL << ABSENT_HART, 0, 0, 0, 0));
	show("rfence sfence_vma full", call(SBI_EXT_RFENCE, 1, 1, 0, 0, -1UL, 0));
	show("rfence sfence_vma range", call(SBI_EXT_RFENCE, 1, 1, 0, 0x80200000, 0x3000, 0));
	show("rfence sfence_vma all harts", call(SBI_EXT_RFENCE, 1, 0, -1UL, 0, 0, 0));
	show_spec("rfence sfence_vma absent", call(SBI_EXT_RFENCE, 1, 1UL << ABSENT_HART, 0, 0, -1UL, 0));
	show("rfence sfence_vma_asid full", call(SBI_EXT_RFENCE, 2, 1, 0, 0, -1UL, 1));
	show("rfence sfence_vma_asid range", call(SBI_EXT_RFENCE, 2, 1, 0, 0x80200000, 0x1000, 7));
	show_spec("rfence sfence_vma_asid absent", call(SBI_EXT_RFENCE, 2, 1UL << ABSENT_HART, 0, 0, -1UL, 1));
	/* The H-extension fences (FIDs 3-6): only a CPU with H can have them. */
	{
		struct sbiret r = call(SBI_EXT_RFENCE, 3, 1, 0, 0, -1UL, 0);

		printf("hext: rfence hfence_gvma_vmid: error=%ld value=%ld\n", r.error, r.value);
		r = call(SBI_EXT_RFENCE, 5, 1, 0, 0, -1UL, 0);
		printf("hext: rfence hfence_vvma_asid: error=%ld value=%ld\n", r.error, r.value);
	}
	show("rfence unknown fid 99", call(SBI_EXT_RFENCE, 99, 1, 0, 0, 0, 0));
}

static void test_hsm(void)
{
	show("hsm get_status hart 0", call(SBI_EXT_HSM, 2, 0, 0, 0, 0, 0));
	show("hsm get_status absent hart", call(SBI_EXT_HSM, 2, ABSENT_HART, 0, 0, 0, 0));
	show("hsm hart_start hart 0 (running)", call(SBI_EXT_HSM, 0, 0, 0x80200000, 0, 0, 0));
	show("hsm hart_start absent hart", call(SBI_EXT_HSM, 0, ABSENT_HART, 0x80200000, 0, 0, 0));
	show("hsm hart_suspend type 0x1 (reserved)", call(SBI_EXT_HSM, 3, 0x1, 0x80200000, 0, 0, 0));
	show_spec("hsm hart_suspend type 0x7fffffff (platform-specific)", call(SBI_EXT_HSM, 3, 0x7fffffff, 0x80200000, 0, 0, 0));
	show("hsm unknown fid 99", call(SBI_EXT_HSM, 99, 0, 0, 0, 0, 0));
}

static void test_srst(void)
{
	/* Only invalid requests: a valid one would end the guest. */
	show("srst reset type 0x1234 (reserved)", call(SBI_EXT_SRST, 0, 0x1234, 0, 0, 0, 0));
	show("srst reset type 0xf0000000 (vendor)", call(SBI_EXT_SRST, 0, 0xf0000000, 0, 0, 0, 0));
	show("srst unknown fid 1", call(SBI_EXT_SRST, 1, 0, 0, 0, 0, 0));
}

/*
 * SBI v2.0, 12 Debug Console: write/read take (num_bytes, base_lo,
 * base_hi) physical; memory the caller may not access is
 * SBI_ERR_INVALID_PARAM. Whatever the SBI prints, it prints inside an
 * "info:" line so the compared output stays the same with or without DBCN.
 */
static const char dbcn_text[] = "[dbcn text]";

static void test_dbcn(void)
{
	struct sbiret r;
	char buf[8];

	printf("info: dbcn write ram: ");
	r = call(SBI_EXT_DBCN, 0, sizeof(dbcn_text) - 1, (unsigned long)dbcn_text, 0, 0, 0);
	printf(" error=%ld value=%ld\n", r.error, r.value);
	r = call(SBI_EXT_DBCN, 0, 4, 0x0, 0x1, 0, 0);     /* 1 << 64: no such memory */
	printf("info: dbcn write base_hi=1: error=%ld value=%ld\n", r.error, r.value);
	r = call(SBI_EXT_DBCN, 0, 4, 0x80000000, 0, 0, 0);      /* firmware, PMP-denied */
	printf("info: dbcn write firmware region: error=%ld value=%ld\n", r.error, r.value);
	r = call(SBI_EXT_DBCN, 0, 4, 0x4000000000UL, 0, 0, 0);  /* beyond RAM */
	printf("info: dbcn write beyond ram: error=%ld value=%ld\n", r.error, r.value);
	r = call(SBI_EXT_DBCN, 1, sizeof(buf), (unsigned long)buf, 0, 0, 0);
	printf("info: dbcn read no input: error=%ld value=%ld\n", r.error, r.value);
	printf("info: dbcn write_byte: [");
	r = call(SBI_EXT_DBCN, 2, 'x', 0, 0, 0, 0);
	printf("] error=%ld value=%ld\n", r.error, r.value);
}

/*
 * SBI v3.0 extensions Trapeze leaves out (DBTR, chapter 19; CPPC, 14; NACL,
 * 15; MPXY, 20): probe 0 and SBI_ERR_NOT_SUPPORTED for every function, the
 * same answers as OpenSBI 1.1, which predates them, so these lines are
 * compared with bare QEMU. Each function id the chapter defines is called
 * with harmless arguments (zeros: no hart, no shared memory), and one past.
 */
static void test_left_out(void)
{
	static const struct { const char *name; unsigned long eid, nfids; } ext[] = {
		{ "DBTR", 0x44425452, 7 }, { "CPPC", 0x43505043, 4 },
		{ "NACL", 0x4E41434C, 5 }, { "MPXY", 0x4D505859, 8 },
	};

	for (unsigned i = 0; i < sizeof(ext) / sizeof(ext[0]); i++) {
		struct sbiret r = call(SBI_EXT_BASE, SBI_BASE_PROBE_EXT, ext[i].eid, 0, 0, 0, 0);

		printf("base probe %s: error=%ld value=%ld\n", ext[i].name, r.error, r.value);
		for (unsigned long fid = 0; fid <= ext[i].nfids; fid++) {
			r = call(ext[i].eid, fid, 0, 0, 0, 0, 0);
			printf("%s fid %lu: error=%ld value=%ld\n", ext[i].name, fid, r.error, r.value);
		}
	}
}

static void test_legacy(void)
{
	static const char line[] = "legacy putchar line\n";
	static volatile unsigned long mask = 1;
	long ret = 0;

	for (const char *p = line; *p; p++)
		ret |= sbi_legacy_call(SBI_EXT_LEGACY_PUTCHAR, (unsigned char)*p);
	printf("legacy putchar: ret=%ld\n", ret);
	printf("legacy getchar no input: ret=%ld\n", sbi_legacy_call(SBI_EXT_LEGACY_GETCHAR, 0));
	printf("legacy set_timer far: ret=%ld\n", sbi_legacy_call(SBI_EXT_LEGACY_SET_TIMER, ~0UL));
	/* Legacy send_ipi takes the address of a hart mask. */
	printf("legacy send_ipi self: ret=%ld\n", sbi_legacy_call(0x4, (unsigned long)&mask));
	printf("legacy send_ipi: ssip=%lu\n", (csr_read(sip) & SIP_SSIP) >> 1);
	printf("legacy clear_ipi: ret=%ld\n", sbi_legacy_call(0x3, 0));
	printf("legacy clear_ipi: ssip=%lu\n", (csr_read(sip) & SIP_SSIP) >> 1);
	csr_clear(sip, SIP_SSIP);
}

void guest_main(unsigned long hartid, unsigned long dtb)
{
	(void)hartid;
	(void)dtb;
	test_base();
	test_time_ipi();
	test_rfence();
	test_hsm();
	test_srst();
	test_dbcn();
	test_left_out();
	test_legacy();
}
