/*
 * Supervisor timer and software interrupts (RISC-V Privileged ISA v1.12,
 * 4.1.3 Supervisor Interrupt Registers; SBI v2.0 Timer and IPI extensions;
 * Sstc v1.0). Prints which interrupt arrived, in which order and from which
 * mode; never a time.
 */
#include "guest.h"

#define IRQ(n) (SCAUSE_INTERRUPT | (n))
#define SHORT_DELAY 2000UL              /* ticks: 200 us at 10 MHz */
#define LONG_DELAY  100000UL           /* 10 ms: surely not passed yet */
#define GIVE_UP     50000000UL          /* 5 s: bound on every wait (a loaded host can stall QEMU for a second) */

static volatile unsigned long seen[8], nseen, seen_spp[8];
static int have_sstc;

static void timer_stop(void)
{
	if (have_sstc)
		csr_write(stimecmp, ~0UL);
	sbi_set_timer(~0ULL);
}

/* Records the cause and quiets the source, as a kernel's handler would. */
static void irq_record(struct trap_frame *f)
{
	if (nseen < 8) {
		seen_spp[nseen] = (f->sstatus >> 8) & 1;
		seen[nseen++] = f->scause;
	}
	if (f->scause == IRQ(IRQ_S_SOFT))
		csr_clear(sip, SIP_SSIP);
	else if (f->scause == IRQ(IRQ_S_TIMER))
		timer_stop();
	else
		csr_clear(sie, 1UL << (f->scause & 63));
}

static void seen_reset(void)
{
	nseen = 0;
	for (int i = 0; i < 8; i++)
		seen[i] = seen_spp[i] = 0;
}

static void seen_print(const char *what)
{
	printf("%s: taken=%lu", what, nseen);
	for (unsigned long i = 0; i < nseen && i < 8; i++)
		printf(" scause=0x%lx spp=%lu", seen[i], seen_spp[i]);
	printf("\n");
}

static int wait_pending(unsigned long bit)
{
	uint64_t start = time_now();

	while (time_now() - start < GIVE_UP)
		if (csr_read(sip) & bit)
			return 1;
	return 0;
}

/* Open the SIE window briefly: a pending-and-enabled interrupt is taken. */
static void window(void)
{
	csr_set(sstatus, SSTATUS_SIE);
	__asm__ volatile("nop; nop; nop; nop");
	csr_clear(sstatus, SSTATUS_SIE);
}

static void test_sbi_timer(void)
{
	struct sbiret r;
	unsigned long before;

	seen_reset();
	csr_write(sie, SIE_STIE);
	r = sbi_set_timer(time_now() + LONG_DELAY);
	before = csr_read(sip) & SIP_STIP;
	printf("sbi set_timer: error=%ld\n", r.error);
	printf("timer: pending before deadline=%lu\n", before >> 5);
	printf("timer: pending with SIE=0 after deadline=%d taken=%lu\n",
	       wait_pending(SIP_STIP), nseen);
	window();
	seen_print("timer: SIE=1");
	printf("timer: pending after handler=%lu\n", (csr_read(sip) & SIP_STIP) >> 5);

	/* A new deadline in the future clears a pending STIP (SBI v2.0, 6.1). */
	sbi_set_timer(0);
	wait_pending(SIP_STIP);
	sbi_set_timer(~0ULL);
	printf("timer: pending after set_timer(far future)=%lu\n",
	       (csr_read(sip) & SIP_STIP) >> 5);
	csr_write(sie, 0);
}

PROBE(probe_stimecmp, "csrr a0, stimecmp");

static void test_sstc(void)
{
	struct trap_record rec;

	have_sstc = !trap_expect(&rec, probe_stimecmp, 0);
	if (!have_sstc) {
		puts("sstc: absent");
		return;
	}
	puts("sstc: present");
	seen_reset();
	csr_write(sie, SIE_STIE);
	csr_write(stimecmp, time_now() + SHORT_DELAY);
	printf("sstc: pending with SIE=0 after deadline=%d taken=%lu\n",
	       wait_pending(SIP_STIP), nseen);
	window();
	seen_print("sstc: SIE=1");
	csr_write(stimecmp, 0);
	printf("sstc: stimecmp=0 pending=%lu\n", (csr_read(sip) & SIP_STIP) >> 5);
	csr_write(stimecmp, ~0UL);
	printf("sstc: stimecmp=~0 pending=%lu\n", (csr_read(sip) & SIP_STIP) >> 5);
	/* Observable firmware detail: OpenSBI's set_timer writes stimecmp. */
	sbi_set_timer(0x123456789abcUL);
	printf("sstc: stimecmp after sbi set_timer(0x123456789abc)=0x%lx\n",
	       csr_read(stimecmp));
	sbi_set_timer(~0ULL);
	printf("sstc: stimecmp after sbi set_timer(~0)=0x%lx\n", csr_read(stimecmp));
	csr_write(sie, 0);
}

static void test_software(void)
{
	struct sbiret r;

	seen_reset();
	csr_write(sie, SIE_SSIE);
	csr_set(sip, SIP_SSIP);
	printf("ssip write: pending=%lu taken=%lu\n", (csr_read(sip) & SIP_SSIP) >> 1, nseen);
	window();
	seen_print("ssip write: SIE=1");
	printf("ssip write: pending after handler=%lu\n", (csr_read(sip) & SIP_SSIP) >> 1);

	seen_reset();
	r = sbi_send_ipi(1, 0);
	printf("sbi send_ipi self: error=%ld value=%ld\n", r.error, r.value);
	printf("ipi: pending=%d taken=%lu\n", wait_pending(SIP_SSIP), nseen);
	window();
	seen_print("ipi: SIE=1");

	seen_reset();
	r = sbi_send_ipi(0, -1UL);
	printf("sbi send_ipi all (base=-1): error=%ld value=%ld\n", r.error, r.value);
	printf("ipi all: pending=%d\n", wait_pending(SIP_SSIP));
	window();
	seen_print("ipi all: SIE=1");
	csr_write(sie, 0);
}

/* 4.1.3: with several pending, SEI > SSI > STI. */
static void test_priority(void)
{
	seen_reset();
	csr_write(sie, 0);
	csr_set(sip, SIP_SSIP);
	sbi_set_timer(0);
	wait_pending(SIP_STIP);
	csr_write(sie, SIE_SSIE | SIE_STIE);
	window();
	seen_print("priority SSI+STI");
	csr_write(sie, 0);
}

static void test_masking(void)
{
	seen_reset();
	csr_write(sie, 0);
	csr_set(sip, SIP_SSIP);
	window();
	printf("mask: SSIE=0 SIE=1 taken=%lu pending=%lu\n", nseen,
	       (csr_read(sip) & SIP_SSIP) >> 1);
	csr_write(sie, SIE_STIE);
	window();
	printf("mask: STIE only taken=%lu\n", nseen);
	csr_write(sie, SIE_SSIE);
	window();
	seen_print("mask: SSIE=1");
	csr_write(sie, 0);
}

/*
 * 4.1.1.1: in U-mode, supervisor interrupts are enabled whatever
 * sstatus.SIE says; umode_run() enters U with SIE=0.
 */
static volatile unsigned long u_flag;

/* Runs in U-mode: rdtime is allowed there (scounteren.TM, or firmware). */
static unsigned long u_spin(unsigned long limit)
{
	uint64_t start = time_now();

	while (!u_flag)
		if (time_now() - start >= limit)
			return 0;
	return 1;
}

static void irq_record_flag(struct trap_frame *f)
{
	irq_record(f);
	u_flag = 1;
}

static void test_umode_delivery(void)
{
	unsigned long ok;

	seen_reset();
	u_flag = 0;
	trap_irq_hook = irq_record_flag;
	csr_clear(sstatus, SSTATUS_SIE);
	csr_write(sie, SIE_STIE);
	sbi_set_timer(time_now() + SHORT_DELAY);
	ok = umode_run(u_spin, GIVE_UP);
	printf("umode: loop ended by interrupt=%lu\n", ok);
	seen_print("umode: SIE=0 in U");
	trap_irq_hook = irq_record;
	csr_write(sie, 0);
}

/* 3.3.3 WFI: resumes on a pending-and-enabled interrupt even with SIE=0. */
static void test_wfi(void)
{
	unsigned long n;

	seen_reset();
	csr_clear(sstatus, SSTATUS_SIE);
	csr_write(sie, SIE_STIE);
	sbi_set_timer(time_now() + SHORT_DELAY);
	for (n = 0; n < 1000 && !(csr_read(sip) & SIP_STIP); n++)
		__asm__ volatile("wfi");
	printf("wfi: woke with pending=%lu taken=%lu\n",
	       (csr_read(sip) & SIP_STIP) >> 5, nseen);
	window();
	seen_print("wfi: SIE=1");
	csr_write(sie, 0);
}

void guest_main(unsigned long hartid, unsigned long dtb)
{
	(void)hartid;
	(void)dtb;
	trap_irq_hook = irq_record;
	test_sstc();
	test_sbi_timer();
	test_software();
	test_priority();
	test_masking();
	test_umode_delivery();
	test_wfi();
	timer_stop();
}
