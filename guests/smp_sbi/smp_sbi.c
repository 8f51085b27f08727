/*
 * SMP guest (issue 13): SBI HSM start, stop and both default suspends of
 * every other hart, IPIs to hart masks (by mask, by base, to all, to
 * absent harts), remote FENCE.I and SFENCE.VMA, and the hostile SMP case:
 * the boot hart unmaps a page and fences while another hart touches it in
 * a loop, which must fault on its first access after the fence returned;
 * and sstatus.SUM per hart: the boot hart reads a user page with SUM = 1
 * while another hart, on the same tables with SUM = 0, must fault on it.
 *
 * Runs with 4 harts (bare QEMU -smp 4, or vcpus = 4). The boot hart may be
 * any of them on bare QEMU (OpenSBI's lottery), so lines name the harts by
 * their place among the others ("secondary 1..3"), never by id. Only the
 * boot hart prints. Results v3.0 requires where OpenSBI 1.1 (SBI v1.0)
 * differs are "spec: " lines (tests/system/test_smp.py).
 */
#include "guest.h"

#define NHARTS          4
#define ABSENT          NHARTS          /* the first hart id the machine lacks */
#define HSM_START       0
#define HSM_STOP        1
#define HSM_STATUS      2
#define HSM_SUSPEND     3
#define HSM_STARTED     0
#define HSM_STOPPED     1
#define HSM_SUSPENDED   4
#define SUSPEND_RET     0x0
#define SUSPEND_NON_RET 0x80000000UL
#define RFENCE_FENCE_I  0
#define RFENCE_SFENCE   1
#define RFENCE_SFENCE_ASID 2
/* How long a wait for another vCPU may last, in time-CSR ticks (10 MHz):
 * a time bound, not a count of polls, since 4 vCPUs share 2 harts and a
 * loaded host slows them unevenly. */
#define WAIT_TICKS      (20UL * 10000000UL)

enum cmd { CMD_IDLE, CMD_SUSPEND_RET, CMD_SUSPEND_NON_RET, CMD_STOP, CMD_TOUCH, CMD_TOUCH_USER };

static volatile unsigned long cmd[NHARTS], done_seq[NHARTS], cmd_seq[NHARTS];
static volatile unsigned long ipis[NHARTS];
static volatile long result[NHARTS];
static volatile unsigned long running[NHARTS];
static unsigned long stacks[NHARTS][1024] __attribute__((aligned(16)));
static unsigned long boot, others[NHARTS - 1];

void secondary_entry(void);
void secondary_resume(void);

static unsigned long hart_id(void)
{
	unsigned long id;

	__asm__ volatile("mv %0, tp" : "=r"(id));
	return id;
}

static struct sbiret hsm(unsigned long fid, unsigned long a0, unsigned long a1, unsigned long a2)
{
	return sbi_call(SBI_EXT_HSM, fid, a0, a1, a2, 0, 0, 0);
}

static long status_of(unsigned long id)
{
	struct sbiret r = hsm(HSM_STATUS, id, 0, 0);

	return r.error ? r.error : r.value;
}

/* An IPI: counted on the hart that takes it. */
static void on_irq(struct trap_frame *f)
{
	if (f->scause == (SCAUSE_INTERRUPT | IRQ_S_SOFT)) {
		csr_clear(sip, SIP_SSIP);
		ipis[hart_id()]++;
		return;
	}
	printf("unexpected interrupt %lx\n", f->scause);
	guest_fail();
}

/* ---- the hostile case: a page unmapped under another hart ---------- */

#define P_VA    0x40000000UL    /* the page the secondary touches */
#define U_VA    (P_VA + 0x1000) /* a user page (SUM case) */
static uint64_t root[512] __attribute__((aligned(4096)));
static uint64_t l1[512] __attribute__((aligned(4096)));
static uint64_t l0[512] __attribute__((aligned(4096)));
static volatile uint64_t page[512] __attribute__((aligned(4096)));
static volatile uint64_t upage[512] __attribute__((aligned(4096)));
static volatile unsigned long unmapped, touches_after, faulted, fault_cause, user_faults;

#define PTE_V (1UL << 0)
#define PTE_R (1UL << 1)
#define PTE_W (1UL << 2)
#define PTE_X (1UL << 3)
#define PTE_U (1UL << 4)
#define PTE_A (1UL << 6)
#define PTE_D (1UL << 7)
#define PTE_OF(pa, f) ((((unsigned long)(pa)) >> 12) << 10 | (f))

static unsigned long satp_sv39(void)
{
	return (SATP_MODE_SV39 << 60) | ((unsigned long)root >> 12);
}

/* Identity gigapages for the UART and RAM; P_VA through two tables. */
static void tables_build(void)
{
	root[0] = PTE_OF(0, PTE_V | PTE_R | PTE_W | PTE_A | PTE_D);
	root[2] = PTE_OF(0x80000000UL, PTE_V | PTE_R | PTE_W | PTE_X | PTE_A | PTE_D);
	root[P_VA >> 30] = PTE_OF(l1, PTE_V);
	l1[0] = PTE_OF(l0, PTE_V);
	l0[0] = PTE_OF(page, PTE_V | PTE_R | PTE_W | PTE_A | PTE_D);
	__asm__ volatile("fence" ::: "memory");
}

static int on_fault(struct trap_frame *f)
{
	if (f->scause == EXC_LOAD_PAGE_FAULT && f->stval == U_VA) {
		user_faults++;
		f->sepc += insn_length_at(f->sepc);
		return 1;
	}
	if (f->scause != EXC_LOAD_PAGE_FAULT || f->stval != P_VA)
		return 0;
	faulted = 1;
	fault_cause = f->scause;
	f->sepc += insn_length_at(f->sepc);
	return 1;
}

/* Load the page in a loop until the boot hart says it is gone (after its
 * fence returned): the very next load must fault. */
static long touch_until_unmapped(void)
{
	csr_write(satp, satp_sv39());
	__asm__ volatile("sfence.vma" ::: "memory");
	running[hart_id()] = 2;                 /* on the page tables, touching */
	for (;;) {
		unsigned long seen = unmapped;
		(void)*(volatile uint64_t *)P_VA;
		if (faulted)
			break;
		if (seen)
			touches_after++;
	}
	csr_write(satp, 0);
	__asm__ volatile("sfence.vma" ::: "memory");
	return touches_after == 0 ? 0 : -1;
}

/* On the tables with SUM = 0, load the user page the boot hart reads with
 * SUM = 1 (Privileged ISA v1.12, 4.1.1.2: SUM is this hart's): 0 when the
 * load faulted, as it must. */
static long touch_user_page(void)
{
	unsigned long before = user_faults;

	csr_clear(sstatus, SSTATUS_SUM);
	csr_write(satp, satp_sv39());
	__asm__ volatile("sfence.vma" ::: "memory");
	(void)*(volatile uint64_t *)U_VA;
	csr_write(satp, 0);
	__asm__ volatile("sfence.vma" ::: "memory");
	return user_faults == before + 1 ? 0 : -1;
}

/* ---- the secondary harts --------------------------------------------- */

static void secondary_loop(unsigned long id)
{
	running[id] = 1;
	for (;;) {
		unsigned long seq = cmd_seq[id];
		if (seq == done_seq[id])
			continue;
		struct sbiret r = { 0, 0 };
		switch (cmd[id]) {
		case CMD_SUSPEND_RET:
			/* Interrupts off: the IPI that ends the suspend is taken
			 * after it returns (its sie enable wakes the hart). */
			csr_clear(sstatus, SSTATUS_SIE);
			r = hsm(HSM_SUSPEND, SUSPEND_RET, 0, 0);
			csr_set(sstatus, SSTATUS_SIE);
			break;
		case CMD_SUSPEND_NON_RET:
			csr_clear(sstatus, SSTATUS_SIE);
			done_seq[id] = seq;     /* resumes elsewhere, or returns an error */
			r = hsm(HSM_SUSPEND, SUSPEND_NON_RET, (unsigned long)secondary_resume,
				(unsigned long)&stacks[id][1024]);
			csr_set(sstatus, SSTATUS_SIE);
			break;
		case CMD_STOP:
			csr_clear(sstatus, SSTATUS_SIE);
			done_seq[id] = seq;
			running[id] = 0;
			hsm(HSM_STOP, 0, 0, 0);
			printf("hart_stop returned\n");
			guest_fail();
		case CMD_TOUCH:
			r.error = touch_until_unmapped();
			break;
		case CMD_TOUCH_USER:
			r.error = touch_user_page();
			break;
		}
		result[id] = r.error;
		__asm__ volatile("fence" ::: "memory");
		done_seq[id] = seq;
	}
}

void secondary_main(unsigned long id)
{
	csr_set(sie, SIE_SSIE);
	csr_set(sstatus, SSTATUS_SIE);
	secondary_loop(id);
}

/* After a non-retentive suspend: the resume register state, then on. */
void secondary_resumed(unsigned long id)
{
	result[id] = (csr_read(satp) == 0 && !(csr_read(sstatus) & SSTATUS_SIE)) ? 1 : -1;
	/* Done before the waking IPI is taken: once it is, the boot hart may
	 * send the next command at once, and marking done after that would
	 * swallow it (seen as "stop: status not stopped" on a loaded host). */
	done_seq[id] = cmd_seq[id];
	__asm__ volatile("fence" ::: "memory");
	csr_set(sie, SIE_SSIE);
	csr_set(sstatus, SSTATUS_SIE);
	secondary_loop(id);
}

/* ---- the boot hart ---------------------------------------------------- */

static int wait_for(volatile unsigned long *p, unsigned long want)
{
	for (uint64_t end = time_now() + WAIT_TICKS; time_now() < end;)
		if (*p == want)
			return 1;
	return *p == want;
}

static int wait_status(unsigned long id, long want)
{
	for (uint64_t end = time_now() + WAIT_TICKS; time_now() < end;)
		if (status_of(id) == want)
			return 1;
	return status_of(id) == want;
}

static int wait_ipis(const unsigned long *want)
{
	for (uint64_t end = time_now() + WAIT_TICKS; time_now() < end;) {
		int ok = 1;
		for (unsigned k = 0; k < NHARTS; k++)
			ok &= ipis[k] >= want[k];
		if (ok)
			return 1;
	}
	return 0;
}

/* Command secondary k and wait until it has done it. */
static long command(unsigned k, enum cmd c)
{
	unsigned long id = others[k];
	unsigned long seq = cmd_seq[id] + 1;

	cmd[id] = c;
	__asm__ volatile("fence" ::: "memory");
	cmd_seq[id] = seq;
	if (c == CMD_STOP || c == CMD_SUSPEND_NON_RET || c == CMD_SUSPEND_RET)
		return 0;
	if (!wait_for(&done_seq[id], seq)) {
		printf("secondary %u: no answer\n", k + 1);
		guest_fail();
	}
	return result[id];
}

static unsigned long mask_of_others(void)
{
	unsigned long m = 0;

	for (unsigned k = 0; k < NHARTS - 1; k++)
		m |= 1UL << others[k];
	return m;
}

static void start_all(void)
{
	for (unsigned k = 0; k < NHARTS - 1; k++) {
		unsigned long id = others[k];
		struct sbiret r = hsm(HSM_START, id, (unsigned long)secondary_entry,
				      (unsigned long)&stacks[id][1024]);
		printf("start secondary %u: %ld\n", k + 1, r.error);
		if (r.error || !wait_for(&running[id], 1)) {
			printf("secondary %u did not run\n", k + 1);
			guest_fail();
		}
		printf("secondary %u: running, status %ld\n", k + 1, status_of(id));
	}
}

static void test_hsm(void)
{
	printf("status self: %ld\n", status_of(boot));
	for (unsigned k = 0; k < NHARTS - 1; k++)
		printf("status secondary %u: %ld\n", k + 1, status_of(others[k]));
	printf("status absent hart: %ld\n", status_of(ABSENT));
	/* Errors first, on a stopped hart: an address the firmware's region
	 * forbids, an absent hart. */
	printf("start at 0x80000000: %ld\n",
	       hsm(HSM_START, others[0], 0x80000000UL, 0).error);
	printf("start absent hart: %ld\n",
	       hsm(HSM_START, ABSENT, (unsigned long)secondary_entry, 0).error);
	start_all();
	printf("start a started hart: %ld\n",
	       hsm(HSM_START, others[1], (unsigned long)secondary_entry, 0).error);
	printf("start self: %ld\n", hsm(HSM_START, boot, (unsigned long)secondary_entry, 0).error);
}

static void test_ipi(void)
{
	unsigned long want[NHARTS] = { 0 };

	/* The boot hart takes its own IPIs too (hart_mask_base -1). */
	csr_set(sie, SIE_SSIE);
	csr_set(sstatus, SSTATUS_SIE);
	printf("ipi to the others: %ld\n", sbi_send_ipi(mask_of_others(), 0).error);
	for (unsigned k = 0; k < NHARTS - 1; k++)
		want[others[k]]++;
	printf("  received: %s\n", wait_ipis(want) ? "all" : "not all");
	/* One hart, named by the base alone. */
	printf("ipi by base to secondary 2: %ld\n", sbi_send_ipi(1, others[1]).error);
	want[others[1]]++;
	printf("  received: %s\n", wait_ipis(want) ? "yes" : "no");
	printf("ipi to every hart: %ld\n", sbi_send_ipi(0, -1UL).error);
	for (unsigned k = 0; k < NHARTS; k++)
		want[k]++;
	printf("  received: %s\n", wait_ipis(want) ? "all" : "not all");
	printf("ipi with an empty mask: %ld\n", sbi_send_ipi(0, 0).error);
	/* v3.0, "IPI Send Errors": a hart the machine lacks; OpenSBI 1.1
	 * skips it. */
	printf("spec: ipi to an absent hart: %ld\n", sbi_send_ipi(1, ABSENT).error);
	printf("spec: ipi to a present and an absent hart: %ld\n",
	       sbi_send_ipi(3, NHARTS - 1).error);
	csr_clear(sstatus, SSTATUS_SIE);
}

static void test_rfence(void)
{
	unsigned long m = mask_of_others();

	printf("remote fence.i: %ld\n",
	       sbi_call(SBI_EXT_RFENCE, RFENCE_FENCE_I, m, 0, 0, 0, 0, 0).error);
	printf("remote sfence.vma all: %ld\n",
	       sbi_call(SBI_EXT_RFENCE, RFENCE_SFENCE, m, 0, 0, 0, 0, 0).error);
	printf("remote sfence.vma page: %ld\n",
	       sbi_call(SBI_EXT_RFENCE, RFENCE_SFENCE, m, 0, P_VA, 4096, 0, 0).error);
	printf("remote sfence.vma asid: %ld\n",
	       sbi_call(SBI_EXT_RFENCE, RFENCE_SFENCE_ASID, m, 0, 0, 0, 1, 0).error);
	printf("spec: remote fence.i to an absent hart: %ld\n",
	       sbi_call(SBI_EXT_RFENCE, RFENCE_FENCE_I, 1, ABSENT, 0, 0, 0, 0).error);
	printf("spec: remote sfence.vma to an absent hart: %ld\n",
	       sbi_call(SBI_EXT_RFENCE, RFENCE_SFENCE, 1, ABSENT, 0, 0, 0, 0).error);
}

static void test_suspend_stop(void)
{
	unsigned long want[NHARTS] = { 0 };

	for (unsigned k = 0; k < NHARTS; k++)
		want[k] = ipis[k];
	for (unsigned k = 0; k < NHARTS - 1; k++) {
		unsigned long id = others[k];
		unsigned long seq = cmd_seq[id] + 1;

		/* Retentive: the hart waits in the call; an IPI ends it, and
		 * the call returns SUCCESS. */
		command(k, CMD_SUSPEND_RET);
		printf("secondary %u retentive suspend: status %s\n", k + 1,
		       wait_status(id, HSM_SUSPENDED) ? "SUSPENDED" : "not suspended");
		sbi_send_ipi(1UL << id, 0);
		want[id]++;
		if (!wait_for(&done_seq[id], seq) || !wait_ipis(want))
			printf("secondary %u did not wake\n", k + 1);
		printf("  woken by an IPI: returned %ld, status %ld\n", result[id], status_of(id));

		/* Non-retentive: it resumes at its resume address. */
		seq = cmd_seq[id] + 1;
		result[id] = 0;
		command(k, CMD_SUSPEND_NON_RET);
		printf("secondary %u non-retentive suspend: status %s\n", k + 1,
		       wait_status(id, HSM_SUSPENDED) ? "SUSPENDED" : "not suspended");
		sbi_send_ipi(1UL << id, 0);
		want[id]++;
		wait_ipis(want);
		printf("  woken by an IPI: %s, status %ld\n",
		       result[id] == 1 ? "resumed with satp 0, SIE 0" : "not resumed", status_of(id));

		/* Stop: STOPPED, and it starts again. */
		command(k, CMD_STOP);
		printf("secondary %u stop: status %s\n", k + 1,
		       wait_status(id, HSM_STOPPED) ? "STOPPED" : "not stopped");
	}
	for (unsigned k = 0; k < NHARTS - 1; k++)
		running[others[k]] = 0;
	start_all();
}

static void test_unmap_under_another_hart(void)
{
	unsigned k = 0, id = others[k];
	unsigned long seq = cmd_seq[id] + 1;

	tables_build();
	trap_exc_hook = on_fault;
	running[id] = 1;
	cmd[id] = CMD_TOUCH;
	__asm__ volatile("fence" ::: "memory");
	cmd_seq[id] = seq;
	if (!wait_for(&running[id], 2)) {
		printf("secondary 1 never touched the page\n");
		guest_fail();
	}
	/* Unmap, fence here and there; only then say so. */
	l0[0] = 0;
	__asm__ volatile("fence; sfence.vma" ::: "memory");
	long r = sbi_call(SBI_EXT_RFENCE, RFENCE_SFENCE, 1UL << id, 0, P_VA, 4096, 0, 0).error;
	unmapped = 1;
	__asm__ volatile("fence" ::: "memory");
	if (!wait_for(&done_seq[id], seq)) {
		printf("secondary 1 never faulted\n");
		guest_fail();
	}
	printf("unmap under secondary 1: fence %ld, %s, fault cause %lu\n", r,
	       result[id] == 0 ? "it faulted on its first load after the fence" :
	       "it loaded a page that was unmapped and fenced", fault_cause);
	trap_exc_hook = 0;
}

/* SUM is per hart: the boot hart, SUM = 1, reads a user page (a shadow
 * fill under the trap engine), and keeps SUM set while secondary 1, on
 * the same tables with SUM = 0, loads it: that load faults. */
static void test_sum_per_hart(void)
{
	unsigned id = others[0];
	unsigned long seq = cmd_seq[id] + 1;

	tables_build();
	l0[U_VA >> 12 & 511] = PTE_OF(upage, PTE_V | PTE_R | PTE_W | PTE_U | PTE_A | PTE_D);
	upage[0] = 0x5a;
	__asm__ volatile("fence" ::: "memory");
	trap_exc_hook = on_fault;
	csr_write(satp, satp_sv39());
	__asm__ volatile("sfence.vma" ::: "memory");
	csr_set(sstatus, SSTATUS_SUM);
	uint64_t first = *(volatile uint64_t *)U_VA;
	cmd[id] = CMD_TOUCH_USER;
	__asm__ volatile("fence" ::: "memory");
	cmd_seq[id] = seq;
	if (!wait_for(&done_seq[id], seq)) {
		printf("secondary 1 never came back from the user page\n");
		guest_fail();
	}
	uint64_t again = *(volatile uint64_t *)U_VA;
	csr_clear(sstatus, SSTATUS_SUM);
	csr_write(satp, 0);
	__asm__ volatile("sfence.vma" ::: "memory");
	printf("SUM per hart: boot hart with SUM read %lx, %lx, %lu fault(s); secondary 1 without SUM %s\n",
	       (unsigned long)first, (unsigned long)again, user_faults - (result[id] == 0 ? 1 : 0),
	       result[id] == 0 ? "faulted" : "read the user page");
	trap_exc_hook = 0;
}

void guest_main(unsigned long hartid, unsigned long dtb)
{
	unsigned n = 0;

	(void)dtb;
	__asm__ volatile("mv tp, %0" :: "r"(hartid));
	boot = hartid;
	for (unsigned long id = 0; id < NHARTS; id++)
		if (id != boot)
			others[n++] = id;
	trap_irq_hook = on_irq;
	printf("info: boot hart %lu\n", boot);
	test_hsm();
	test_ipi();
	test_rfence();
	test_suspend_stop();
	test_unmap_under_another_hart();
	test_sum_per_hart();
}
