/*
 * A second hart for the SBI test guests (guests/sbi_*): found and started
 * with SBI HSM (SBI v3.0, chapter 9), then driven from the boot hart through
 * a one-slot mailbox: smp_call(fn, arg) runs fn(arg) on the other hart and
 * waits for it; smp_post/smp_wait split that in two. Only the boot hart
 * prints; what the other hart sees is handed back in memory.
 *
 * Header-only, like hostile.h: include it from one .c file of a guest (it
 * defines smp_secondary_entry and smp_secondary_loop), so that the other
 * guests neither carry nor are rebuilt for it.
 *
 * The other hart spins on the mailbox rather than waiting in WFI: the
 * tests that share one physical hart between two vCPUs want it busy
 * (steal time), and on a hart of its own it costs nothing.
 */
#ifndef GUEST_SMP_H
#define GUEST_SMP_H

#include "guest.h"

#define SMP_HSM_START       0
#define SMP_HSM_STOP        1
#define SMP_HSM_STATUS      2
#define SMP_HSM_STARTED     0
#define SMP_HSM_STOPPED     1
#define SMP_MAX_HARTS       8
#define SMP_SPIN_MAX        400000000UL

typedef void (*smp_fn)(unsigned long arg);

static unsigned long smp_stack[2048] __attribute__((aligned(16)));
static volatile unsigned long smp_seq, smp_done_seq, smp_arg, smp_ready;
static smp_fn volatile smp_fn_slot;
static unsigned long smp_other = -1UL;

void smp_secondary_entry(void);
void smp_secondary_loop(unsigned long hartid);

/* HSM "Hart Start Register State": a0 = hart id, a1 = opaque (the top of
 * the stack), MMU and interrupts off, stvec undefined. tp = hart id. */
__asm__(".pushsection .text.smp_secondary_entry,\"ax\",@progbits\n"
	".globl smp_secondary_entry\n"
	".balign 4\n"
	"smp_secondary_entry:\n"
	"	mv	sp, a1\n"
	"	mv	tp, a0\n"
	"	la	t0, trap_entry\n"
	"	csrw	stvec, t0\n"
	"	call	smp_secondary_loop\n"
	"1:	j	1b\n"
	".popsection\n");

void smp_secondary_loop(unsigned long hartid)
{
	unsigned long done = __atomic_load_n(&smp_seq, __ATOMIC_ACQUIRE);

	(void)hartid;
	__atomic_store_n(&smp_done_seq, done, __ATOMIC_RELEASE);
	__atomic_store_n(&smp_ready, 1, __ATOMIC_RELEASE);
	for (;;) {
		unsigned long s = __atomic_load_n(&smp_seq, __ATOMIC_ACQUIRE);

		if (s == done)
			continue;
		smp_fn_slot(smp_arg);
		done = s;
		__atomic_store_n(&smp_done_seq, done, __ATOMIC_RELEASE);
	}
}

static inline long smp_hart_status(unsigned long hartid)
{
	struct sbiret r = sbi_call(SBI_EXT_HSM, SMP_HSM_STATUS, hartid, 0, 0, 0, 0, 0);

	return r.error ? r.error : r.value;
}

/* The first hart other than the boot hart that HSM knows, or -1UL (one
 * hart). */
static inline unsigned long smp_find_other(void)
{
	for (unsigned long id = 0; id < SMP_MAX_HARTS; id++)
		if (id != boot_hartid && smp_hart_status(id) >= 0)
			return smp_other = id;
	return smp_other = -1UL;
}

/* Waits (bounded) until the other hart's HSM status is want; 0 on time. */
static inline int smp_wait_status(long want)
{
	for (unsigned long i = 0; i < SMP_SPIN_MAX / 100; i++)
		if (smp_hart_status(smp_other) == want)
			return 0;
	return -1;
}

/* hart_start on the other hart, then waits until it reads its mailbox.
 * Returns the SBI error (0 when it started). */
static inline long smp_start(void)
{
	struct sbiret r;

	__atomic_store_n(&smp_ready, 0, __ATOMIC_RELEASE);
	r = sbi_call(SBI_EXT_HSM, SMP_HSM_START, smp_other, (unsigned long)smp_secondary_entry,
		     (unsigned long)(smp_stack + sizeof(smp_stack) / sizeof(smp_stack[0])), 0, 0, 0);
	if (r.error)
		return r.error;
	for (unsigned long i = 0; !__atomic_load_n(&smp_ready, __ATOMIC_ACQUIRE); i++) {
		if (i == SMP_SPIN_MAX) {
			puts("smp: the other hart never started");
			guest_fail();
		}
	}
	return 0;
}

static inline void smp_post(smp_fn fn, unsigned long arg)
{
	smp_fn_slot = fn;
	smp_arg = arg;
	__atomic_fetch_add(&smp_seq, 1, __ATOMIC_RELEASE);
}

static inline void smp_wait(void)
{
	unsigned long want = __atomic_load_n(&smp_seq, __ATOMIC_ACQUIRE);

	for (unsigned long i = 0; __atomic_load_n(&smp_done_seq, __ATOMIC_ACQUIRE) != want; i++) {
		if (i == SMP_SPIN_MAX) {
			puts("smp: the other hart did not answer");
			guest_fail();
		}
	}
}

/* fn(arg) on the other hart, and back. */
static inline void smp_call(smp_fn fn, unsigned long arg)
{
	smp_post(fn, arg);
	smp_wait();
}

static void smp_do_stop(unsigned long arg)
{
	(void)arg;
	sbi_call(SBI_EXT_HSM, SMP_HSM_STOP, 0, 0, 0, 0, 0, 0);
	puts("smp: hart_stop returned");
	guest_fail();
}

/* The other hart calls HSM hart_stop; returns once HSM says STOPPED
 * (0), or -1 if it never does. */
static inline int smp_stop(void)
{
	smp_post(smp_do_stop, 0);
	return smp_wait_status(SMP_HSM_STOPPED);
}

#endif
