/*
 * A guest that abuses the SBI (tests/system/test_hostile.py, cases 5 and
 * 6): first an ecall storm, well over 100,000 calls as fast as it can make
 * them; then calls with wild addresses, lengths, hart ids and ranges.
 *
 * The storm's lines are the same on bare QEMU. The wild calls print as
 * "spec: " lines: their answers are what SBI v2.0 requires (Trapeze), not
 * what OpenSBI 1.1 (SBI v1.0, no DBCN) gives, and the test asserts them
 * one by one. "legacy: " lines are legacy calls with a wild hart_mask
 * pointer, where SBI v2.0 (Legacy Extensions) says the access fault is
 * redirected to the supervisor with sepc at the ECALL, as OpenSBI does;
 * the test compares them with bare QEMU.
 *
 * bootargs sbi.storm=N sets the storm's size (default 100000);
 * sbi.suspend=0 leaves out the non-retentive suspends with wild resume
 * addresses, which OpenSBI 1.1 accepts (its root domain allows every
 * address): on bare QEMU the only hart would sleep for ever.
 * sbi.flood_ms=N replaces all of it with a flood for N ms (make bench's
 * containment rows, scripts/bench.py): the storm's five calls in turn,
 * then one info: line and done.
 */
#include "hostile.h"
#include "paging.h"

#define SBI_EXT_SUSP        0x53555350
#define TWO63               (1UL << 63)
#define ALL_ONES            (~0UL)

static uint64_t ram_base, ram_end;
static char text[] = "info: dbcn wrote this\n";
static volatile char inbuf[64];

static void show(const char *what, struct sbiret r)
{
	printf("spec: %s: error=%ld value=%ld\n", what, r.error, r.value);
}

static struct sbiret call(unsigned long eid, unsigned long fid, unsigned long a0,
			  unsigned long a1, unsigned long a2, unsigned long a3,
			  unsigned long a4)
{
	return sbi_call(eid, fid, a0, a1, a2, a3, a4, 0);
}

/* ---- case 5: the storm ------------------------------------------------- */
static void storm(unsigned long n)
{
	unsigned long bad = 0, bad_timer = 0, bad_fence = 0, bad_ipi = 0, bad_unknown = 0;
	uint64_t t0 = time_now();

	for (unsigned long i = 0; i < n; i++) {
		struct sbiret r = sbi_call(SBI_EXT_BASE, SBI_BASE_PROBE_EXT, SBI_EXT_TIME,
					   0, 0, 0, 0, 0);
		bad += r.error != 0 || r.value != 1;
	}
	printf("storm: %lu probe_extension(TIME) calls, %lu answered other than error=0 value=1\n",
	       n, bad);
	for (unsigned long i = 0; i < n / 10; i++) {
		bad_timer += sbi_set_timer(ALL_ONES).error != 0;
		bad_fence += call(SBI_EXT_RFENCE, 1, 1, 0, 0, 0, 0).error != 0;
		bad_ipi += sbi_send_ipi(0, 0).error != 0;
		bad_unknown += call(0x0afe0000, i, i, i, i, i, i).error != SBI_ERR_NOT_SUPPORTED;
	}
	printf("storm: %lu each of set_timer(-1), remote_sfence_vma(all), send_ipi(empty), "
	       "unknown extension: %lu %lu %lu %lu unexpected\n", n / 10, bad_timer, bad_fence,
	       bad_ipi, bad_unknown);
	printf("info: storm took %lu ms\n", (unsigned long)((time_now() - t0) / HOSTILE_TICKS_PER_MS));
}

/* The storm's calls round after round until `ms` have passed: cheap local
 * ones (probe, set_timer, an empty IPI, an unknown extension) and a remote
 * SFENCE.VMA of the caller's own hart, which asks Trapeze to flush. */
static void flood(unsigned long ms)
{
	uint64_t until = time_now() + ms * HOSTILE_TICKS_PER_MS;
	unsigned long rounds = 0;

	while (time_now() < until) {
		sbi_call(SBI_EXT_BASE, SBI_BASE_PROBE_EXT, SBI_EXT_TIME, 0, 0, 0, 0, 0);
		sbi_set_timer(ALL_ONES);
		call(SBI_EXT_RFENCE, 1, 1, 0, 0, 0, 0);
		sbi_send_ipi(0, 0);
		call(0x0afe0000, rounds, 0, 0, 0, 0, 0);
		rounds++;
	}
	printf("info: flood: %lu rounds of 5 calls\n", rounds);
}

/* ---- case 6: wild arguments ------------------------------------------- */
#define DBCN_WRITE 0
#define DBCN_READ  1

static void dbcn(void)
{
	unsigned long buf = (unsigned long)text, len = sizeof(text) - 1;
	struct {
		const char *what;
		unsigned long len, lo, hi;
	} writes[] = {
		{ "dbcn write base=0 len=5", 5, 0, 0 },
		{ "dbcn write base=2^63 len=5", 5, TWO63, 0 },
		{ "dbcn write base=firmware len=5", 5, ram_base + 0x1000, 0 },
		{ "dbcn write base=ram_end len=5", 5, ram_end, 0 },
		{ "dbcn write base=ram_end-2 len=5 (straddles)", 5, ram_end - 2, 0 },
		{ "dbcn write base=uart len=1", 1, UART_BASE, 0 },
		{ "dbcn write base=buf len=2^63", TWO63, buf, 0 },
		{ "dbcn write base=buf len=2^64-1", ALL_ONES, buf, 0 },
		{ "dbcn write base=2^64-2 len=5 (wraps)", 5, ALL_ONES - 1, 0 },
		{ "dbcn write base=buf base_hi=1", len, buf, 1 },
		{ "dbcn write base=buf base_hi=2^63", len, buf, TWO63 },
		{ "dbcn write base=0 len=0", 0, 0, 0 },
		{ "dbcn write base=2^63 len=0", 0, TWO63, 0 },
		{ "dbcn write base=buf len=ok", len, buf, 0 },
	};

	for (unsigned i = 0; i < sizeof(writes) / sizeof(writes[0]); i++)
		show(writes[i].what, call(SBI_EXT_DBCN, DBCN_WRITE, writes[i].len, writes[i].lo,
					  writes[i].hi, 0, 0));
	/* Reads: with no console input, an accepted read takes 0 bytes. */
	show("dbcn read base=0 len=16", call(SBI_EXT_DBCN, DBCN_READ, 16, 0, 0, 0, 0));
	show("dbcn read base=2^63 len=16", call(SBI_EXT_DBCN, DBCN_READ, 16, TWO63, 0, 0, 0));
	show("dbcn read base=firmware len=16",
	     call(SBI_EXT_DBCN, DBCN_READ, 16, ram_base, 0, 0, 0));
	show("dbcn read base=ram_end len=16", call(SBI_EXT_DBCN, DBCN_READ, 16, ram_end, 0, 0, 0));
	show("dbcn read base=buf len=2^63",
	     call(SBI_EXT_DBCN, DBCN_READ, TWO63, (unsigned long)inbuf, 0, 0, 0));
	show("dbcn read base=buf base_hi=1",
	     call(SBI_EXT_DBCN, DBCN_READ, 16, (unsigned long)inbuf, 1, 0, 0));
	show("dbcn read base=buf len=16",
	     call(SBI_EXT_DBCN, DBCN_READ, 16, (unsigned long)inbuf, 0, 0, 0));
	show("dbcn read base=0 len=0", call(SBI_EXT_DBCN, DBCN_READ, 0, 0, 0, 0, 0));
	show("dbcn unknown fid 3", call(SBI_EXT_DBCN, 3, 16, (unsigned long)inbuf, 0, 0, 0));
}

#define HSM_START   0
#define HSM_STATUS  2
#define HSM_SUSPEND 3
#define HSM_SUSPEND_NON_RET 0x80000000UL

static void hsm(void)
{
	show("hsm hart_start hartid=1", call(SBI_EXT_HSM, HSM_START, 1, 0x80200000UL, 0, 0, 0));
	show("hsm hart_start hartid=2^63", call(SBI_EXT_HSM, HSM_START, TWO63, 0x80200000UL, 0, 0, 0));
	show("hsm hart_start hartid=-1", call(SBI_EXT_HSM, HSM_START, ALL_ONES, 0x80200000UL, 0, 0, 0));
	show("hsm hart_start hartid=-1 addr=2^63", call(SBI_EXT_HSM, HSM_START, ALL_ONES, TWO63, 0, 0, 0));
	show("hsm hart_start self addr=0", call(SBI_EXT_HSM, HSM_START, 0, 0, 0, 0, 0));
	show("hsm hart_start self addr=ram_end", call(SBI_EXT_HSM, HSM_START, 0, ram_end, 0, 0, 0));
	show("hsm hart_get_status hartid=1", call(SBI_EXT_HSM, HSM_STATUS, 1, 0, 0, 0, 0));
	show("hsm hart_get_status hartid=-1", call(SBI_EXT_HSM, HSM_STATUS, ALL_ONES, 0, 0, 0, 0));
	show("hsm hart_suspend type=2^63|1 (reserved)",
	     call(SBI_EXT_HSM, HSM_SUSPEND, TWO63 | 1, 0x80200000UL, 0, 0, 0));
	/* A non-retentive suspend that cannot resume anywhere: refused, so the
	 * hart is not suspended (a valid one would never come back here). */
	if (!hostile_arg_ulong("sbi.suspend", 1))
		return;
	show("hsm hart_suspend non-retentive resume=0",
	     call(SBI_EXT_HSM, HSM_SUSPEND, HSM_SUSPEND_NON_RET, 0, 0, 0, 0));
	show("hsm hart_suspend non-retentive resume=2^63",
	     call(SBI_EXT_HSM, HSM_SUSPEND, HSM_SUSPEND_NON_RET, TWO63, 0, 0, 0));
	show("hsm hart_suspend non-retentive resume=firmware",
	     call(SBI_EXT_HSM, HSM_SUSPEND, HSM_SUSPEND_NON_RET, ram_base + 0x100, 0, 0, 0));
	show("hsm hart_suspend non-retentive resume=ram_end",
	     call(SBI_EXT_HSM, HSM_SUSPEND, HSM_SUSPEND_NON_RET, ram_end, 0, 0, 0));
	show("hsm hart_suspend non-retentive resume=uart",
	     call(SBI_EXT_HSM, HSM_SUSPEND, HSM_SUSPEND_NON_RET, UART_BASE, 0, 0, 0));
}

#define RF_FENCE_I       0
#define RF_SFENCE_VMA    1
#define RF_SFENCE_ASID   2
#define RF_HFENCE_GVMA   4

static void rfence_ipi(void)
{
	show("rfence sfence_vma start=0 size=2^63",
	     call(SBI_EXT_RFENCE, RF_SFENCE_VMA, 1, 0, 0, TWO63, 0));
	show("rfence sfence_vma start=0 size=2^64-1",
	     call(SBI_EXT_RFENCE, RF_SFENCE_VMA, 1, 0, 0, ALL_ONES, 0));
	show("rfence sfence_vma start=2^63 size=2^63",
	     call(SBI_EXT_RFENCE, RF_SFENCE_VMA, 1, 0, TWO63, TWO63, 0));
	show("rfence sfence_vma start=2^64-4096 size=8192 (wraps)",
	     call(SBI_EXT_RFENCE, RF_SFENCE_VMA, 1, 0, ALL_ONES - 4095, 8192, 0));
	show("rfence sfence_vma start=0x1000 size=64 pages",
	     call(SBI_EXT_RFENCE, RF_SFENCE_VMA, 1, 0, 0x1000, 64 * 4096, 0));
	show("rfence sfence_vma_asid start=0 size=2^63 asid=2^63",
	     call(SBI_EXT_RFENCE, RF_SFENCE_ASID, 1, 0, 0, TWO63, TWO63));
	show("rfence sfence_vma_asid start=0 size=2^64-1 asid=-1",
	     call(SBI_EXT_RFENCE, RF_SFENCE_ASID, 1, 0, 0, ALL_ONES, ALL_ONES));
	show("rfence fence_i mask=-1 base=0", call(SBI_EXT_RFENCE, RF_FENCE_I, ALL_ONES, 0, 0, 0, 0));
	show("rfence fence_i mask=1 base=2^63", call(SBI_EXT_RFENCE, RF_FENCE_I, 1, TWO63, 0, 0, 0));
	show("rfence fence_i mask=2 base=-2 (wraps)",
	     call(SBI_EXT_RFENCE, RF_FENCE_I, 2, ALL_ONES - 1, 0, 0, 0));
	show("rfence fence_i mask=0 base=-1", call(SBI_EXT_RFENCE, RF_FENCE_I, 0, ALL_ONES, 0, 0, 0));
	show("rfence hfence_gvma", call(SBI_EXT_RFENCE, RF_HFENCE_GVMA, 1, 0, 0, 0, 0));
	show("ipi send_ipi mask=2^63 base=0", sbi_send_ipi(TWO63, 0));
	show("ipi send_ipi mask=1 base=2^63", sbi_send_ipi(1, TWO63));
	show("ipi send_ipi mask=-1 base=-1", sbi_send_ipi(ALL_ONES, ALL_ONES));
	csr_clear(sip, SIP_SSIP);
	show("ipi send_ipi mask=0 base=0", sbi_send_ipi(0, 0));
	show("base probe_extension 2^63", call(SBI_EXT_BASE, SBI_BASE_PROBE_EXT, TWO63, 0, 0, 0, 0));
	show("base probe_extension -1", call(SBI_EXT_BASE, SBI_BASE_PROBE_EXT, ALL_ONES, 0, 0, 0, 0));
	show("base fid 2^63", call(SBI_EXT_BASE, TWO63, 0, 0, 0, 0, 0));
	show("srst type=-1", call(SBI_EXT_SRST, 0, 0xffffffffUL, 0, 0, 0, 0));
	show("srst shutdown reason=2^31", call(SBI_EXT_SRST, 0, 0, 0x80000000UL, 0, 0, 0));
	show("srst fid 1", call(SBI_EXT_SRST, 1, 0, 0, 0, 0, 0));
	show("extension 0x08000000 (experimental)", call(0x08000000, 0, 1, 2, 3, 4, 5));
	show("extension 0x09ffffff (vendor)", call(0x09ffffff, 0, 1, 2, 3, 4, 5));
	show("extension 0x0a000000 (firmware)", call(0x0a000000, 0, 1, 2, 3, 4, 5));
	show("extension -1", call(ALL_ONES, ALL_ONES, 1, 2, 3, 4, 5));
	printf("spec: legacy 0x0f (reserved): a0=%ld\n", sbi_legacy_call(0x0f, 0));
	printf("spec: legacy 0x09 (reserved): a0=%ld\n", sbi_legacy_call(0x09, ALL_ONES));
}

/*
 * Legacy calls take a pointer to the hart mask (SBI v2.0, Legacy
 * Extensions). The ECALL sits at fn+4 in each probe.
 */
PROBE(p_legacy_ipi, "li a7, 4\n ecall");
PROBE(p_legacy_fence_i, "li a7, 5\n ecall");
PROBE(p_legacy_sfence, "li a7, 6\n li a1, 0\n li a2, -1\n ecall");

static void legacy_one(const char *what, probe_fn fn, unsigned long ptr, const char *ptr_name)
{
	struct trap_record r;

	trap_expect(&r, fn, ptr);
	printf("legacy: %s mask at %s: ", what, ptr_name);
	if (r.taken)
		printf("trap scause=0x%lx stval=%s sepc=fn+%ld\n", r.cause,
		       r.tval == ptr ? "ptr" : "other", (long)(r.epc - r.fn));
	else
		printf("a0=%ld\n", (long)r.ret);
}

static void legacy(void)
{
	static const struct {
		const char *name;
		int which;
	} ptrs[] = {
		{ "0x1", 0 }, { "firmware", 1 }, { "ram_end", 2 }, { "ram_end-4 (straddles)", 3 },
		{ "2^63", 4 }, { "-8", 5 },
	};
	static volatile unsigned long mask_self = 1;

	for (unsigned i = 0; i < sizeof(ptrs) / sizeof(ptrs[0]); i++) {
		unsigned long p = (unsigned long[]){ 1, ram_base + 0x1000, ram_end, ram_end - 4,
						     TWO63, ALL_ONES - 7 }[ptrs[i].which];

		legacy_one("send_ipi", p_legacy_ipi, p, ptrs[i].name);
		legacy_one("remote_fence_i", p_legacy_fence_i, p, ptrs[i].name);
		legacy_one("remote_sfence_vma", p_legacy_sfence, p, ptrs[i].name);
	}
	/* The mask is read through the caller's translation: a virtual
	 * address only the guest's page tables give meaning to. */
	struct pg_space s;
	unsigned long va = 0x40000000UL + ((unsigned long)&mask_self & (PG_SIZE - 1));

	pg_init();
	pg_pool_reset();
	pg_space_init(&s, SATP_MODE_SV39);
	pg_map_identity(&s, 0);
	pg_map(&s, 0x40000000UL, (unsigned long)&mask_self & ~(PG_SIZE - 1), PG_4K,
	       PTE_R | PTE_W | PTE_A | PTE_D);
	pg_enable(&s, 0);
	legacy_one("send_ipi (sv39)", p_legacy_ipi, va, "a VA mapping {1}");
	printf("legacy: ssip after it: %lu\n", (csr_read(sip) & SIP_SSIP) >> 1);
	pg_disable();
	csr_clear(sip, SIP_SSIP);
}

void guest_main(unsigned long hartid, unsigned long dtb)
{
	(void)hartid;
	(void)dtb;
	hostile_ram(&ram_base, &ram_end);
	if (hostile_arg_ulong("sbi.flood_ms", 0)) {
		flood(hostile_arg_ulong("sbi.flood_ms", 0));
		return;
	}
	storm(hostile_arg_ulong("sbi.storm", 100000));
	dbcn();
	hsm();
	rfence_ipi();
	legacy();
}
