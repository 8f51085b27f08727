/*
 * SBI v3.0 Steal-time Accounting (chapter 16) and System Suspend (chapter
 * 13), every function with good and bad arguments. OpenSBI 1.1 (bare QEMU)
 * has neither extension, so what the guest sees of them is compared with
 * what the specification requires (tests/system/test_sbi_sta_susp.py): those
 * lines start with "spec: "; measurements with "info: ". On bare QEMU the
 * probes answer 0 and the guest says only that.
 *
 * bootargs: sta_susp.busy_ms=N  how long to run while watching the steal
 *                               time record (default 200);
 *           sta_susp.sleep_ms=N how long the timer that ends the system
 *                               suspend is set for (default 50).
 *
 * With a second hart (vcpus = 2 under Trapeze), "spec: sta smp" and
 * "spec: susp smp" lines add what one hart cannot show: each hart has a
 * record of its own (chapter 16: the shared memory is set per hart, "STA
 * Set Steal-time Shared Memory Address"), both updated while the two share
 * one physical hart (the test runs them on one), and SUSP refused with
 * SBI_ERR_DENIED while the other hart is started (chapter 13, "System
 * Suspend Errors": not every other hart STOPPED), then accepted once that
 * hart has stopped itself with HSM hart_stop.
 */
#include "guest.h"
#include "hostile.h"
#include "smp.h"

#define SBI_EXT_STA             0x535441
#define SBI_EXT_SUSP            0x53555350
#define TICKS_PER_MS            HOSTILE_TICKS_PER_MS
#define NS_PER_TICK             100     /* QEMU virt: 10 MHz */
#define OPAQUE                  0x0123456789abcdefUL
#define OFF                     (~0UL)

/* Table "STA Shared Memory Structure". */
struct sta_record {
	uint32_t sequence;
	uint32_t flags;
	uint64_t steal;
	uint8_t preempted;
	uint8_t pad[47];
};
_Static_assert(sizeof(struct sta_record) == 64, "the record is 64 bytes");

/* Two records' room, 64-byte aligned; the second half tests misalignment. */
static volatile struct sta_record rec[2] __attribute__((aligned(64)));

struct sbiret susp_call(unsigned long sleep_type, unsigned long resume_addr,
			unsigned long opaque);
void susp_resume_entry(void);
/* Written by susp_resume_entry (resume.S). */
extern volatile struct {
	unsigned long a0, a1, satp, sstatus, sie, time, reached;
} susp_resume_state;

static uint64_t ram_base, ram_end;

static void show(const char *what, struct sbiret r)
{
	printf("spec: %s: error=%ld value=%ld\n", what, r.error, r.value);
}

static const char *yes(int ok)
{
	return ok ? "yes" : "no";
}

static struct sbiret sta_set_shmem(unsigned long lo, unsigned long hi, unsigned long flags)
{
	return sbi_call(SBI_EXT_STA, 0, lo, hi, flags, 0, 0, 0);
}

static void fill_records(uint8_t byte)
{
	volatile uint8_t *p = (volatile uint8_t *)rec;

	for (unsigned i = 0; i < sizeof(rec); i++)
		p[i] = byte;
}

static int records_all(uint8_t byte)
{
	volatile uint8_t *p = (volatile uint8_t *)rec;

	for (unsigned i = 0; i < sizeof(rec); i++)
		if (p[i] != byte)
			return 0;
	return 1;
}

static int pad_zero(void)
{
	for (unsigned i = 0; i < sizeof(rec[0].pad); i++)
		if (rec[0].pad[i])
			return 0;
	return 1;
}

/* The chapter's reading protocol: the sequence before and after reading
 * steal must be equal and even, else read again. Counts odd sightings. */
static uint64_t record_read(volatile struct sta_record *r, uint32_t *seq, unsigned long *odd_seen)
{
	for (;;) {
		uint32_t s1 = r->sequence;
		__asm__ volatile("fence r, r" ::: "memory");
		uint64_t steal = r->steal;
		__asm__ volatile("fence r, r" ::: "memory");
		uint32_t s2 = r->sequence;

		if (s1 == s2 && !(s1 & 1)) {
			*seq = s1;
			return steal;
		}
		(*odd_seen)++;
	}
}

static uint64_t read_steal(uint32_t *seq, unsigned long *odd_seen)
{
	return record_read(&rec[0], seq, odd_seen);
}

static void test_sta_errors(void)
{
	unsigned long r = (unsigned long)&rec[0];

	fill_records(0xa5);
	show("sta set_shmem flags=1", sta_set_shmem(r, 0, 1));
	show("sta set_shmem flags=-1", sta_set_shmem(r, 0, ~0UL));
	show("sta set_shmem disable flags=1", sta_set_shmem(OFF, OFF, 1));
	show("sta set_shmem unaligned +8", sta_set_shmem(r + 8, 0, 0));
	show("sta set_shmem unaligned +32", sta_set_shmem(r + 32, 0, 0));
	show("sta set_shmem lo=-1 hi=0", sta_set_shmem(OFF, 0, 0));
	show("sta set_shmem hi=1", sta_set_shmem(r, 1, 0));
	show("sta set_shmem firmware region", sta_set_shmem(ram_base, 0, 0));
	show("sta set_shmem ram end", sta_set_shmem(ram_end, 0, 0));
	show("sta set_shmem beyond ram", sta_set_shmem(ram_end + 0x100000, 0, 0));
	show("sta set_shmem mmio", sta_set_shmem(UART_BASE, 0, 0));
	show("sta set_shmem top of address space", sta_set_shmem(~63UL, 0, 0));
	show("sta unknown fid 1", sbi_call(SBI_EXT_STA, 1, r, 0, 0, 0, 0, 0));
	printf("spec: sta record untouched by refused calls: %s\n", yes(records_all(0xa5)));
}

static void test_sta_record(unsigned long busy_ms)
{
	unsigned long r = (unsigned long)&rec[0], odd = 0, updates = 0;
	uint64_t start, end, steal, last = 0;
	uint32_t seq, last_seq = 0;
	int preempted_ok = 1, decreased = 0, fields_ok = 1;

	fill_records(0xff);
	start = time_now();
	show("sta set_shmem ram", sta_set_shmem(r, 0, 0));
	/* Zeroed by the call; steal and sequence may have moved since. */
	printf("spec: sta record zeroed: %s\n",
	       yes(rec[0].flags == 0 && rec[0].preempted == 0 && pad_zero() &&
		   !(rec[0].sequence & 1) && rec[0].steal < 1000000000ULL));
	printf("spec: sta second record untouched: %s\n",
	       yes(rec[1].sequence == 0xffffffffU && rec[1].steal == ~0ULL));
	/* Busy, and watching. */
	while (time_now() - start < busy_ms * TICKS_PER_MS) {
		steal = read_steal(&seq, &odd);
		if (steal < last)
			decreased = 1;
		if (seq != last_seq)
			updates++;
		last = steal;
		last_seq = seq;
		if (rec[0].preempted != 0)
			preempted_ok = 0;
		if (rec[0].flags != 0)
			fields_ok = 0;
	}
	steal = read_steal(&seq, &odd);
	end = time_now();
	printf("spec: sta busy: sequence even at every read: %s\n", yes(odd == 0));
	printf("spec: sta busy: preempted 0 whenever running: %s\n", yes(preempted_ok));
	printf("spec: sta busy: steal never decreased: %s\n", yes(!decreased && steal >= last));
	printf("spec: sta busy: flags and pad 0: %s\n", yes(fields_ok && pad_zero()));
	printf("spec: sta busy: steal at most the time since registering: %s\n",
	       yes(steal <= (end - start) * NS_PER_TICK));
	printf("info: sta busy_us=%lu steal_us=%lu sequence=%u updates=%lu\n",
	       (unsigned long)((end - start) / 10), (unsigned long)(steal / 1000),
	       (unsigned)seq, updates);

	/* Stop reporting: the record is left alone from now on. */
	show("sta set_shmem disable", sta_set_shmem(OFF, OFF, 0));
	fill_records(0x5a);
	delay_ticks(30 * TICKS_PER_MS);
	printf("spec: sta disabled: record untouched: %s\n", yes(records_all(0x5a)));
	show("sta set_shmem disable again", sta_set_shmem(OFF, OFF, 0));
}

/* ---- two harts --------------------------------------------------------- */

/* One record per hart and a spare that nobody registers. */
static volatile struct sta_record smp_rec[3] __attribute__((aligned(64)));

struct sta_watch {
	volatile struct sta_record *r;
	long error;
	uint64_t steal;
	uint32_t seq;
	unsigned long busy_ticks, odd, updates;
	int decreased, preempted_ok;
};

static struct sta_watch watch[2];

static uint64_t watch_read(struct sta_watch *w, uint32_t *seq)
{
	return record_read(w->r, seq, &w->odd);
}

/* Register w's record, run busy for busy_ms watching it, stop reporting. */
static void sta_watch_run(struct sta_watch *w, unsigned long busy_ms)
{
	uint64_t start, last = 0, steal;
	uint32_t seq, last_seq = 0;

	/* Read before registering: steal counts from the call on. */
	start = time_now();
	w->error = sta_set_shmem((unsigned long)w->r, 0, 0).error;
	w->preempted_ok = 1;
	while (time_now() - start < busy_ms * TICKS_PER_MS) {
		steal = watch_read(w, &seq);
		if (steal < last)
			w->decreased = 1;
		if (seq != last_seq)
			w->updates++;
		if (w->r->preempted)
			w->preempted_ok = 0;
		last = steal;
		last_seq = seq;
	}
	w->steal = watch_read(w, &w->seq);
	w->busy_ticks = time_now() - start;
	if (w->steal < last)
		w->decreased = 1;
	sta_set_shmem(OFF, OFF, 0);
}

static void other_sta(unsigned long busy_ms)
{
	sta_watch_run(&watch[1], busy_ms);
}

static void test_sta_smp(unsigned long busy_ms)
{
	volatile uint8_t *spare = (volatile uint8_t *)&smp_rec[2];
	int spare_ok = 1;

	for (unsigned i = 0; i < sizeof(smp_rec[2]); i++)
		spare[i] = 0xa5;
	watch[0].r = &smp_rec[0];
	watch[1].r = &smp_rec[1];
	printf("spec: sta smp start the other hart: error=%ld\n", smp_start());
	smp_post(other_sta, busy_ms);
	sta_watch_run(&watch[0], busy_ms);
	smp_wait();
	for (unsigned i = 0; i < sizeof(smp_rec[2]); i++)
		spare_ok &= spare[i] == 0xa5;
	for (unsigned h = 0; h < 2; h++) {
		const struct sta_watch *w = &watch[h];
		const char *who = h ? "other hart" : "this hart";

		printf("spec: sta smp %s set_shmem: error=%ld\n", who, w->error);
		printf("spec: sta smp %s record: sequence even at every read: %s\n", who,
		       yes(w->odd == 0 && !(w->seq & 1)));
		printf("spec: sta smp %s record: steal never decreased: %s\n", who, yes(!w->decreased));
		printf("spec: sta smp %s record: preempted 0 whenever running: %s\n", who,
		       yes(w->preempted_ok));
		printf("spec: sta smp %s record: steal at most the time since registering: %s\n", who,
		       yes(w->steal <= w->busy_ticks * NS_PER_TICK));
		printf("info: sta smp %s busy_us=%lu steal_us=%lu sequence=%u updates=%lu\n",
		       h ? "other" : "this", w->busy_ticks / 10, (unsigned long)(w->steal / 1000),
		       (unsigned)w->seq, w->updates);
	}
	printf("spec: sta smp unregistered record untouched: %s\n", yes(spare_ok));
}

/* SUSP with the other hart started (left so by test_sta_smp), then after
 * it stopped itself. */
static void test_susp_smp(void)
{
	struct sbiret r;

	printf("spec: susp smp other hart status: %ld\n", smp_hart_status(smp_other));
	r = susp_call(0, (unsigned long)susp_resume_entry, OPAQUE);
	printf("spec: susp smp while the other hart is started: error=%ld value=%ld\n",
	       r.error, r.value);
	printf("spec: susp smp refused call did not resume: %s\n", yes(!susp_resume_state.reached));
	printf("spec: susp smp other hart hart_stop: %s\n", yes(smp_stop() == 0));
	printf("spec: susp smp other hart status: %ld\n", smp_hart_status(smp_other));
}

static volatile int early_irq;

/* The suspend's timer fired before the suspend call was made (a host far
 * too slow): say so rather than take it as unexpected. */
static void early_timer(struct trap_frame *f)
{
	(void)f;
	early_irq = 1;
	sbi_set_timer(~0ULL);
}

static void test_susp_errors(void)
{
	static const unsigned long types[] = { 1, 0x7fffffff, 0x80000000UL, 0xffffffffUL };
	unsigned long entry = (unsigned long)susp_resume_entry;

	for (unsigned i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		struct sbiret r = susp_call(types[i], entry, OPAQUE);

		printf("spec: susp sleep_type 0x%lx: error=%ld value=%ld\n", types[i], r.error,
		       r.value);
	}
	show("susp resume_addr 0", susp_call(0, 0, OPAQUE));
	show("susp resume_addr firmware region", susp_call(0, ram_base, OPAQUE));
	show("susp resume_addr mmio", susp_call(0, UART_BASE, OPAQUE));
	show("susp resume_addr ram end", susp_call(0, ram_end, OPAQUE));
	show("susp resume_addr beyond ram", susp_call(0, ram_end + 0x100000, OPAQUE));
	show("susp resume_addr -2", susp_call(0, ~1UL, OPAQUE));
	show("susp unknown fid 1", sbi_call(SBI_EXT_SUSP, 1, 0, entry, OPAQUE, 0, 0, 0));
	printf("spec: susp refused calls did not resume: %s\n", yes(!susp_resume_state.reached));
}

/*
 * Sv39 with two identity gigapages, RAM's and the UART's: the code runs
 * the same with translation on and off, so satp can be on at the suspend
 * and off (as the resume state requires) at the resume.
 */
static uint64_t sv39_root[512] __attribute__((aligned(4096)));

static void paging_on(void)
{
	const uint64_t ad = (1UL << 6) | (1UL << 7), v = 1, r = 2, w = 4, x = 8;

	sv39_root[0] = (0x00000000UL >> 12) << 10 | ad | w | r | v;
	sv39_root[2] = (0x80000000UL >> 12) << 10 | ad | x | w | r | v;
	__asm__ volatile("sfence.vma" ::: "memory");
	csr_write(satp, (SATP_MODE_SV39 << SATP_MODE_SHIFT) | ((unsigned long)sv39_root >> 12));
	__asm__ volatile("sfence.vma" ::: "memory");
}

/* Suspend to RAM with the timer as the wake-up source: sie.STIE set,
 * sstatus.SIE and satp set (the resume state clears them). */
static void test_susp_suspend(unsigned long sleep_ms)
{
	static volatile uint64_t pattern[64];
	uint64_t armed, deadline;
	unsigned long hartid = boot_hartid;
	struct sbiret r;
	int kept = 1;

	for (unsigned i = 0; i < 64; i++)
		pattern[i] = hostile_mix(i);
	paging_on();
	printf("spec: susp satp before the suspend: mode %lu\n", csr_read(satp) >> SATP_MODE_SHIFT);
	trap_irq_hook = early_timer;
	csr_write(sie, SIE_STIE);
	armed = time_now();
	deadline = armed + sleep_ms * TICKS_PER_MS;
	sbi_set_timer(deadline);
	csr_set(sstatus, SSTATUS_SIE);
	r = susp_call(0, (unsigned long)susp_resume_entry, OPAQUE);
	csr_clear(sstatus, SSTATUS_SIE);
	sbi_set_timer(~0ULL);
	csr_write(sie, 0);
	trap_irq_hook = 0;
	if (early_irq)
		puts("spec: susp: the timer fired before the suspend call");
	csr_write(satp, 0);
	__asm__ volatile("sfence.vma" ::: "memory");
	/* resume.S returns value 1 when it came back through resume_addr. */
	printf("spec: susp suspend_to_ram: error=%ld resumed=%ld\n", r.error, r.value);
	printf("spec: susp resumed at resume_addr: %s\n", yes(susp_resume_state.reached == 1));
	printf("spec: susp resume a0 is the hart id: %s\n", yes(susp_resume_state.a0 == hartid));
	printf("spec: susp resume a1 is opaque: %s\n", yes(susp_resume_state.a1 == OPAQUE));
	printf("spec: susp resume satp: 0x%lx\n", susp_resume_state.satp);
	printf("spec: susp resume sstatus.SIE: %lu\n", (susp_resume_state.sstatus & SSTATUS_SIE) >> 1);
	printf("info: susp resume sie.STIE kept: %s\n", yes(susp_resume_state.sie & SIE_STIE));
	printf("spec: susp woke at or after the timer: %s\n",
	       yes(susp_resume_state.time >= deadline));
	for (unsigned i = 0; i < 64; i++)
		kept &= pattern[i] == hostile_mix(i);
	printf("spec: susp memory kept: %s\n", yes(kept));
	printf("info: susp slept_ms=%lu\n",
	       (unsigned long)((susp_resume_state.time - armed) / TICKS_PER_MS));
}

void guest_main(unsigned long hartid, unsigned long dtb)
{
	unsigned long busy_ms = hostile_arg_ulong("sta_susp.busy_ms", 200);
	unsigned long sleep_ms = hostile_arg_ulong("sta_susp.sleep_ms", 50);
	struct sbiret sta, susp;

	(void)hartid, (void)dtb;
	hostile_ram(&ram_base, &ram_end);
	puts("sta_susp: start");
	sta = sbi_call(SBI_EXT_BASE, SBI_BASE_PROBE_EXT, SBI_EXT_STA, 0, 0, 0, 0, 0);
	susp = sbi_call(SBI_EXT_BASE, SBI_BASE_PROBE_EXT, SBI_EXT_SUSP, 0, 0, 0, 0, 0);
	printf("info: probe STA: error=%ld value=%ld\n", sta.error, sta.value);
	printf("info: probe SUSP: error=%ld value=%ld\n", susp.error, susp.value);
	smp_find_other();
	if (sta.error == 0 && sta.value != 0) {
		test_sta_errors();
		test_sta_record(busy_ms);
		if (smp_other != -1UL)
			test_sta_smp(busy_ms);
	}
	if (susp.error == 0 && susp.value != 0) {
		/* First: with the other hart started, DENIED comes before any
		 * check of the arguments. */
		if (smp_other != -1UL) {
			if (smp_hart_status(smp_other) != SMP_HSM_STARTED)
				printf("spec: susp smp start the other hart: error=%ld\n", smp_start());
			test_susp_smp();
		}
		test_susp_errors();
		test_susp_suspend(sleep_ms);
	}
	guest_done();
}
