/*
 * SBI v3.0, chapter 11 "Performance Monitoring Unit Extension": every
 * function 0-8 with good and bad arguments, the counters' states, firmware
 * events caused on purpose, the snapshot and event-info shared memory.
 *
 * OpenSBI 1.1 on bare QEMU implements PMU v0.3 only (no fw_read_hi,
 * snapshot or event_get_info, other counter numbering), so every PMU
 * result is a "spec: " line, kept out of the comparison with bare QEMU
 * and asserted against what the specification requires of Trapeze's
 * virtual PMU (tests/system/test_sbi_pmu.py). Compared lines: U-mode reads
 * of cycle/instret with scounteren off (an illegal instruction, as bare)
 * and on (no trap). Measurements are "info: " lines.
 *
 * With a second hart (vcpus = 2 under Trapeze), the "spec: pmu smp" lines
 * show that counters are per hart (chapter 11: the counters are the
 * calling hart's, "PMU Function Listing"): each hart maps the same event
 * to the same counter index, and one hart's firmware events show in its
 * own counters only; an IPI counts as sent on the sender and received on
 * the target.
 */
#include "guest.h"
#include "smp.h"

#define SBI_EXT_PMU     0x504D55
#define NUM_COUNTERS    0
#define GET_INFO        1
#define CFG_MATCH       2
#define START           3
#define STOP            4
#define FW_READ         5
#define FW_READ_HI      6
#define SNAPSHOT_SHMEM  7
#define EVENT_INFO      8

#define CLEAR_VALUE     (1UL << 1)
#define AUTO_START      (1UL << 2)
#define SKIP_MATCH      (1UL << 0)
#define INIT_VALUE      (1UL << 0)
#define INIT_SNAPSHOT   (1UL << 1)
#define STOP_RESET      (1UL << 0)
#define TAKE_SNAPSHOT   (1UL << 1)

#define EV_HW(c)        (c)
#define EV_CACHE(c)     ((1UL << 16) | (c))
#define EV_RAW          (2UL << 16)
#define EV_FW(c)        ((0xfUL << 16) | (c))
#define FW_PLATFORM     0xffff
#define ALL             0x3ffffUL               /* Trapeze's 18 counters */

#define FW_MISALIGNED_LOAD      0
#define FW_ACCESS_LOAD          2
#define FW_ILLEGAL_INSN         4
#define FW_SET_TIMER            5
#define FW_IPI_SENT             6
#define FW_IPI_RECEIVED         7
#define FW_FENCE_I_SENT         8
#define FW_SFENCE_VMA_SENT      10
#define FW_SFENCE_VMA_ASID_SENT 12

static unsigned char shmem[4096] __attribute__((aligned(4096)));
static unsigned char info_mem[256] __attribute__((aligned(16)));

static struct sbiret pmu(unsigned long fid, unsigned long a0, unsigned long a1, unsigned long a2,
			 unsigned long a3, unsigned long a4)
{
	return sbi_call(SBI_EXT_PMU, fid, a0, a1, a2, a3, a4, 0);
}

static void spec(const char *what, struct sbiret r)
{
	printf("spec: pmu %s: error=%ld value=%ld\n", what, r.error, r.value);
}

static void spec_hex(const char *what, struct sbiret r)
{
	printf("spec: pmu %s: error=%ld value=0x%lx\n", what, r.error, (unsigned long)r.value);
}

/* A firmware counter counting event code from zero. */
static long fw_counter(unsigned long code, unsigned long data)
{
	struct sbiret r = pmu(CFG_MATCH, 0, ALL, AUTO_START | CLEAR_VALUE, EV_FW(code), data);

	return r.error ? -1 : r.value;
}

PROBE(p_csrr_hstatus, "csrr a0, 0x600");     /* illegal from (virtual) S without H */
PROBE(p_load, "ld a0, 0(a0)");
PROBE(p_lh, "lh a0, 0(a0)");
PROBE(p_rdcycle, "rdcycle a0");
PROBE(p_rdinstret, "rdinstret a0");

static void fw_event(const char *name, unsigned long code, void (*cause)(void), unsigned times)
{
	long c = fw_counter(code, 0);

	for (unsigned i = 0; i < times; i++)
		cause();
	struct sbiret r = pmu(FW_READ, (unsigned long)c, 0, 0, 0, 0);
	printf("spec: pmu fw %s x%u: counter=%s error=%ld value=%ld\n", name, times,
	       c >= 2 ? "fw" : "none", r.error, r.value);
	pmu(STOP, (unsigned long)c, 1, STOP_RESET, 0, 0);
}

static void cause_illegal(void)
{
	struct trap_record r;

	trap_expect(&r, p_csrr_hstatus, 0);
}

static void cause_access_load(void)
{
	struct trap_record r;

	trap_expect(&r, p_load, 0);     /* nothing at 0 on QEMU virt */
}

static void cause_misaligned_mmio(void)
{
	struct trap_record r;

	trap_expect(&r, p_lh, UART_BASE + 5);   /* LSR and MSR: no side effect */
}

static void cause_set_timer(void)
{
	sbi_set_timer(-1UL);
}

static void cause_ipi_self(void)
{
	sbi_send_ipi(1, 0);
	csr_clear(sip, 1UL << 1);
}

static void cause_fence_i(void)
{
	sbi_call(SBI_EXT_RFENCE, 0, 1, 0, 0, 0, 0, 0);
}

static void cause_sfence_vma(void)
{
	sbi_call(SBI_EXT_RFENCE, 1, 1, 0, 0, 0, 0, 0);
}

static void cause_sfence_vma_asid(void)
{
	sbi_call(SBI_EXT_RFENCE, 2, 1, 0, 0, 0, 1, 0);
}

static void test_discovery(void)
{
	spec("probe", sbi_call(SBI_EXT_BASE, SBI_BASE_PROBE_EXT, SBI_EXT_PMU, 0, 0, 0, 0, 0));
	spec("num_counters", pmu(NUM_COUNTERS, 0, 0, 0, 0, 0));
	spec_hex("get_info 0", pmu(GET_INFO, 0, 0, 0, 0, 0));
	spec_hex("get_info 1", pmu(GET_INFO, 1, 0, 0, 0, 0));
	spec_hex("get_info 2", pmu(GET_INFO, 2, 0, 0, 0, 0));
	spec_hex("get_info 17", pmu(GET_INFO, 17, 0, 0, 0, 0));
	spec("get_info 18", pmu(GET_INFO, 18, 0, 0, 0, 0));
	spec("get_info -1", pmu(GET_INFO, -1UL, 0, 0, 0, 0));
	spec("unknown fid 9", pmu(9, 0, 0, 0, 0, 0));
}

static void test_hw_counters(void)
{
	/* cycle and instret run from boot. */
	spec("start cycle,instret at boot", pmu(START, 0, 3, 0, 0, 0));
	spec("stop cycle,instret", pmu(STOP, 0, 3, 0, 0, 0));
	spec("stop cycle again", pmu(STOP, 0, 1, 0, 0, 0));
	unsigned long c0 = csr_read(cycle), c1 = csr_read(cycle);
	printf("spec: pmu stopped cycle frozen: %s\n", c0 == c1 ? "yes" : "no");
	spec("match cycles", pmu(CFG_MATCH, 0, ALL, CLEAR_VALUE | AUTO_START, EV_HW(1), 0));
	c0 = csr_read(cycle);
	unsigned long i0 = csr_read(instret);
	for (volatile int i = 0; i < 1000; i++)
		;
	c1 = csr_read(cycle);
	printf("spec: pmu cycle counts: %s\n", c1 > c0 ? "yes" : "no");
	spec("start cycle running", pmu(START, 0, 1, 0, 0, 0));
	spec("match instructions", pmu(CFG_MATCH, 0, ALL, 0, EV_HW(2), 0));
	spec("start instret", pmu(START, 1, 1, 0, 0, 0));
	printf("spec: pmu instret counts: %s\n", csr_read(instret) != i0 ? "yes" : "no");
	spec("stop cycle", pmu(STOP, 0, 1, 0, 0, 0));
	spec("start cycle init 1000000", pmu(START, 0, 1, INIT_VALUE, 1000000, 0));
	c0 = csr_read(cycle);
	printf("spec: pmu cycle from init: %s\n", c0 >= 1000000 ? "yes" : "no");
	spec("match cycles on instret", pmu(CFG_MATCH, 1, 1, 0, EV_HW(1), 0));
	spec("match cycles event_data 1", pmu(CFG_MATCH, 0, ALL, 0, EV_HW(1), 1));
	spec("match branch misses", pmu(CFG_MATCH, 0, ALL, 0, EV_HW(6), 0));
	spec("match cache L1D read", pmu(CFG_MATCH, 0, ALL, 0, EV_CACHE(0), 0));
	spec("match raw", pmu(CFG_MATCH, 0, ALL, 0, EV_RAW, 0x12));
	spec("match fw 22 (reserved)", pmu(CFG_MATCH, 0, ALL, 0, EV_FW(22), 0));
	spec("match fw 4 event_data 1", pmu(CFG_MATCH, 0, ALL, 0, EV_FW(4), 1));
	spec("match fw platform 0x999", pmu(CFG_MATCH, 0, ALL, 0, EV_FW(FW_PLATFORM), 0x999));
	spec("match base 17 mask 3", pmu(CFG_MATCH, 17, 3, 0, EV_FW(4), 0));
	spec("match base 18 mask 1", pmu(CFG_MATCH, 18, 1, 0, EV_FW(4), 0));
	spec("match base -1 mask 2", pmu(CFG_MATCH, -1UL, 2, 0, EV_FW(4), 0));
	spec("match skip_match empty", pmu(CFG_MATCH, 0, 0, SKIP_MATCH, EV_FW(4), 0));
	spec("match skip_match base 5 mask 6", pmu(CFG_MATCH, 5, 6, SKIP_MATCH, EV_FW(4), 0));
	spec("stop 6 reset", pmu(STOP, 6, 1, STOP_RESET, 0, 0));
	spec("start 6 after reset", pmu(START, 6, 1, 0, 0, 0));
	spec("start 18", pmu(START, 18, 1, 0, 0, 0));
	spec("stop 18", pmu(STOP, 18, 1, 0, 0, 0));
	spec("start both init flags", pmu(START, 0, 1, INIT_VALUE | INIT_SNAPSHOT, 0, 0));
	spec("start init_snapshot no shmem", pmu(START, 1, 1, INIT_SNAPSHOT, 0, 0));
	spec("stop take_snapshot no shmem", pmu(STOP, 0, 1, TAKE_SNAPSHOT, 0, 0));
	spec("fw_read cycle", pmu(FW_READ, 0, 0, 0, 0, 0));
	spec("fw_read 18", pmu(FW_READ, 18, 0, 0, 0, 0));
	spec("fw_read_hi instret", pmu(FW_READ_HI, 1, 0, 0, 0, 0));
	spec("fw_read_hi 18", pmu(FW_READ_HI, 18, 0, 0, 0, 0));
	spec("fw_read_hi 2", pmu(FW_READ_HI, 2, 0, 0, 0, 0));
}

static void test_fw_events(void)
{
	fw_event("illegal_insn", FW_ILLEGAL_INSN, cause_illegal, 3);
	fw_event("access_load", FW_ACCESS_LOAD, cause_access_load, 2);
	fw_event("misaligned_load", FW_MISALIGNED_LOAD, cause_misaligned_mmio, 2);
	fw_event("set_timer", FW_SET_TIMER, cause_set_timer, 3);
	fw_event("ipi_sent", FW_IPI_SENT, cause_ipi_self, 2);
	fw_event("ipi_received", FW_IPI_RECEIVED, cause_ipi_self, 2);
	fw_event("fence_i_sent", FW_FENCE_I_SENT, cause_fence_i, 1);
	fw_event("sfence_vma_sent", FW_SFENCE_VMA_SENT, cause_sfence_vma, 1);
	fw_event("sfence_vma_asid_sent", FW_SFENCE_VMA_ASID_SENT, cause_sfence_vma_asid, 1);
	/* SBI_PMU_FW_PLATFORM, event_data 4: Trapeze's count of SBI calls. */
	long c = fw_counter(FW_PLATFORM, 4);
	for (int i = 0; i < 5; i++)
		sbi_call(SBI_EXT_BASE, 0, 0, 0, 0, 0, 0, 0);
	struct sbiret r = pmu(FW_READ, (unsigned long)c, 0, 0, 0, 0);
	printf("spec: pmu fw platform sbi_calls x5: error=%ld value=%ld\n", r.error, r.value);
	pmu(STOP, (unsigned long)c, 1, STOP_RESET, 0, 0);
	c = fw_counter(FW_PLATFORM, 3);
	r = pmu(FW_READ, (unsigned long)c, 0, 0, 0, 0);
	printf("info: pmu fw platform world_switches over one call: %ld\n", r.value);
	pmu(STOP, (unsigned long)c, 1, STOP_RESET, 0, 0);
	/* Stopped: no counting. */
	c = fw_counter(FW_SET_TIMER, 0);
	if (c < 0)
		return;
	spec("stop fw", pmu(STOP, (unsigned long)c, 1, 0, 0, 0));
	cause_set_timer();
	spec("fw_read stopped", pmu(FW_READ, (unsigned long)c, 0, 0, 0, 0));
	spec("stop fw again", pmu(STOP, (unsigned long)c, 1, 0, 0, 0));
	spec("start fw init 0xfffffffffffffff0", pmu(START, (unsigned long)c, 1, INIT_VALUE, -16UL, 0));
	cause_set_timer();
	spec("fw_read from init", pmu(FW_READ, (unsigned long)c, 0, 0, 0, 0));
	pmu(STOP, (unsigned long)c, 1, STOP_RESET, 0, 0);
}

static unsigned long shmem64(unsigned i)
{
	return ((volatile unsigned long *)shmem)[i];
}

static void test_snapshot(void)
{
	unsigned long base = (unsigned long)shmem;

	spec("snapshot flags 1", pmu(SNAPSHOT_SHMEM, base, 0, 1, 0, 0));
	spec("snapshot unaligned", pmu(SNAPSHOT_SHMEM, base + 8, 0, 0, 0, 0));
	spec("snapshot hi 1", pmu(SNAPSHOT_SHMEM, base, 1, 0, 0, 0));
	spec("snapshot at 0", pmu(SNAPSHOT_SHMEM, 0, 0, 0, 0, 0));
	spec("snapshot firmware region", pmu(SNAPSHOT_SHMEM, 0x80000000UL, 0, 0, 0, 0));
	spec("snapshot uart", pmu(SNAPSHOT_SHMEM, UART_BASE, 0, 0, 0, 0));
	spec("snapshot beyond ram", pmu(SNAPSHOT_SHMEM, 0x100000000UL, 0, 0, 0, 0));
	spec("snapshot set", pmu(SNAPSHOT_SHMEM, base, 0, 0, 0, 0));
	memset(shmem, 0xee, sizeof(shmem));
	long c = fw_counter(FW_SET_TIMER, 0);
	if (c < 1) {
		printf("spec: pmu snapshot: no firmware counter\n");      /* OpenSBI 1.1 */
		return;
	}
	cause_set_timer();
	cause_set_timer();
	/* Base 1: counter c is counter_values[c - 1]. */
	spec("stop take_snapshot", pmu(STOP, 1, 1UL << (c - 1), TAKE_SNAPSHOT, 0, 0));
	printf("spec: pmu snapshot overflow=%lu value=%lu other=%s\n", shmem64(0), shmem64(1 + c - 1),
	       shmem64(1) == 0xeeeeeeeeeeeeeeeeUL ? "untouched" : "written");
	((volatile unsigned long *)shmem)[1] = 1000;
	spec("start init_snapshot", pmu(START, (unsigned long)c, 1, INIT_SNAPSHOT, 0, 0));
	cause_set_timer();
	spec("fw_read after init_snapshot", pmu(FW_READ, (unsigned long)c, 0, 0, 0, 0));
	spec("snapshot disable", pmu(SNAPSHOT_SHMEM, -1UL, -1UL, 0, 0, 0));
	spec("stop take_snapshot disabled", pmu(STOP, (unsigned long)c, 1, TAKE_SNAPSHOT, 0, 0));
	spec("stop after", pmu(STOP, (unsigned long)c, 1, STOP_RESET, 0, 0));
}

static void put_entry(unsigned i, unsigned event_idx, unsigned long data)
{
	volatile unsigned *w = (volatile unsigned *)(info_mem + 16 * i);

	w[0] = event_idx;
	w[1] = 0xdead;
	*(volatile unsigned long *)(info_mem + 16 * i + 8) = data;
}

static void test_event_info(void)
{
	unsigned long base = (unsigned long)info_mem;
	static const struct { unsigned idx; unsigned long data; } e[] = {
		{ EV_HW(1), 0 }, { EV_HW(2), 0 }, { EV_HW(4), 0 }, { EV_CACHE(0), 0 }, { EV_RAW, 7 },
		{ EV_FW(4), 0 }, { EV_FW(21), 0 }, { EV_FW(300), 0 }, { EV_FW(FW_PLATFORM), 4 },
		{ EV_FW(FW_PLATFORM), 0x999 },
	};
	unsigned n = sizeof(e) / sizeof(e[0]);

	for (unsigned i = 0; i < n; i++)
		put_entry(i, e[i].idx, e[i].data);
	spec("event_info", pmu(EVENT_INFO, base, 0, n, 0, 0));
	printf("spec: pmu event_info outputs:");
	for (unsigned i = 0; i < n; i++)
		printf(" %x", ((volatile unsigned *)(info_mem + 16 * i))[1]);
	printf("\n");
	spec("event_info none", pmu(EVENT_INFO, base, 0, 0, 0, 0));
	spec("event_info flags 1", pmu(EVENT_INFO, base, 0, 1, 1, 0));
	spec("event_info unaligned", pmu(EVENT_INFO, base + 8, 0, 1, 0, 0));
	spec("event_info hi 1", pmu(EVENT_INFO, base, 1, 1, 0, 0));
	spec("event_info at 0", pmu(EVENT_INFO, 0, 0, 1, 0, 0));
	spec("event_info huge", pmu(EVENT_INFO, base, 0, -1UL / 8, 0, 0));
	put_entry(0, EV_FW(4) | (1U << 20), 0);
	spec("event_info bad event_idx", pmu(EVENT_INFO, base, 0, 1, 0, 0));
	put_entry(0, EV_FW(22), 0);
	spec("event_info reserved fw code", pmu(EVENT_INFO, base, 0, 1, 0, 0));
}

/* Compared with bare QEMU: U-mode counter reads follow scounteren. */
static void test_umode_reads(void)
{
	struct trap_record r;
	unsigned long saved = csr_read(scounteren);

	csr_write(scounteren, 0);
	trap_expect_user(&r, p_rdcycle, 0);
	trap_report("umode rdcycle scounteren=0", &r);
	trap_expect_user(&r, p_rdinstret, 0);
	trap_report("umode rdinstret scounteren=0", &r);
	csr_write(scounteren, 7);
	trap_expect_user(&r, p_rdcycle, 0);
	printf("umode rdcycle scounteren=7: %s\n", r.taken ? "trap" : "no trap");
	trap_expect_user(&r, p_rdinstret, 0);
	printf("umode rdinstret scounteren=7: %s\n", r.taken ? "trap" : "no trap");
	csr_write(scounteren, saved);
}

/* The cost of a counter read (a trap under Trapeze, native on bare). */
static void measure(void)
{
	unsigned long t0 = csr_read(time);
	for (int i = 0; i < 1000; i++)
		(void)csr_read(cycle);
	unsigned long t1 = csr_read(time);
	for (int i = 0; i < 1000; i++)
		(void)csr_read(time);
	unsigned long t2 = csr_read(time);
	/* virt's timebase: 10 MHz, 100 ns a tick */
	printf("info: rdcycle %lu ns, rdtime %lu ns\n", (t1 - t0) * 100 / 1000, (t2 - t1) * 100 / 1000);
}

/* ---- two harts ----------------------------------------------------- */

static volatile long other_ctr[2];
static struct sbiret other_r[4];

/* On the other hart: step 0 maps set_timer and ipi_received and sets the
 * timer 4 times; step 1 reads both; step 2 stops and resets them. */
static void other_counters(unsigned long step)
{
	if (step == 0) {
		other_ctr[0] = fw_counter(FW_SET_TIMER, 0);
		other_ctr[1] = fw_counter(FW_IPI_RECEIVED, 0);
		for (int i = 0; i < 4; i++)
			cause_set_timer();
		other_r[0] = pmu(FW_READ, (unsigned long)other_ctr[0], 0, 0, 0, 0);
	} else if (step == 1) {
		other_r[1] = pmu(FW_READ, (unsigned long)other_ctr[0], 0, 0, 0, 0);
		other_r[2] = pmu(FW_READ, (unsigned long)other_ctr[1], 0, 0, 0, 0);
		csr_clear(sip, SIP_SSIP);
	} else {
		other_r[3] = pmu(STOP, (unsigned long)other_ctr[0], 1, STOP_RESET, 0, 0);
		pmu(STOP, (unsigned long)other_ctr[1], 1, STOP_RESET, 0, 0);
	}
}

static void test_smp(void)
{
	long timer, sent, received;

	if (smp_find_other() == -1UL)
		return;
	spec("smp start the other hart", (struct sbiret){ smp_start(), 0 });
	timer = fw_counter(FW_SET_TIMER, 0);
	sent = fw_counter(FW_IPI_SENT, 0);
	received = fw_counter(FW_IPI_RECEIVED, 0);
	smp_call(other_counters, 0);
	/* A counter index space per hart: this hart's counting counter is free there. */
	printf("spec: pmu smp other hart maps set_timer to the counter this hart counts it on: "
	       "%s\n", other_ctr[0] == timer ? "yes" : "no");
	spec("smp other hart: fw_read set_timer x4", other_r[0]);
	spec("smp this hart: fw_read set_timer", pmu(FW_READ, (unsigned long)timer, 0, 0, 0, 0));
	cause_set_timer();
	cause_set_timer();
	spec("smp this hart: fw_read set_timer x2", pmu(FW_READ, (unsigned long)timer, 0, 0, 0, 0));
	spec("smp ipi to the other hart", sbi_send_ipi(1UL << smp_other, 0));
	spec("smp this hart: fw_read ipi_sent", pmu(FW_READ, (unsigned long)sent, 0, 0, 0, 0));
	spec("smp this hart: fw_read ipi_received", pmu(FW_READ, (unsigned long)received, 0, 0, 0, 0));
	smp_call(other_counters, 1);
	spec("smp other hart: fw_read set_timer", other_r[1]);
	spec("smp other hart: fw_read ipi_received", other_r[2]);
	smp_call(other_counters, 2);
	spec("smp other hart: stop set_timer reset", other_r[3]);
	spec("smp this hart: fw_read set_timer after the other's reset",
	     pmu(FW_READ, (unsigned long)timer, 0, 0, 0, 0));
	spec("smp this hart: stop set_timer reset", pmu(STOP, (unsigned long)timer, 1, STOP_RESET, 0, 0));
	pmu(STOP, (unsigned long)sent, 1, STOP_RESET, 0, 0);
	pmu(STOP, (unsigned long)received, 1, STOP_RESET, 0, 0);
	spec("smp stop the other hart", (struct sbiret){ smp_stop(), 0 });
}

void guest_main(unsigned long hartid, unsigned long dtb)
{
	(void)hartid, (void)dtb;
	measure();
	test_umode_reads();
	test_discovery();
	test_hw_counters();
	test_fw_events();
	test_snapshot();
	test_event_info();
	test_smp();
}
