/*
 * Unit costs, timed with rdtime (QEMU virt timebase 10 MHz: 1 tick =
 * 100 ns). Prints "bench: NAME NS_PER_OP" lines only; the numbers vary run
 * to run and are never compared, only reported by `make bench`.
 *
 * Each repeatable cost is measured in BENCH_BATCHES batches and the fastest
 * batch is reported: on a shared host, interference (other processes,
 * QEMU's own threads) only ever adds time, so the minimum is the stable
 * estimate of the cost itself. First touches happen once and are timed once.
 */
#include "guest.h"

#define NS_PER_TICK 100UL
#define BENCH_EID   0x42454e43UL        /* "BENC": counted by our handler */

#define BENCH_BATCHES   8

static void bench_print(const char *name, uint64_t ticks, unsigned long iters)
{
	printf("bench: %s %lu\n", name, (unsigned long)(ticks * NS_PER_TICK / iters));
}

/* One batch of a repeatable benchmark: n operations, their time in ticks. */
typedef uint64_t (*bench_batch_fn)(unsigned long n);

static void bench_best(const char *name, bench_batch_fn batch, unsigned long n)
{
	uint64_t best = ~0ULL;

	for (unsigned b = 0; b < BENCH_BATCHES; b++) {
		uint64_t t = batch(n);

		if (t < best)
			best = t;
	}
	bench_print(name, best, n);
}

static uint64_t bench_sbi_call(unsigned long n)
{
	uint64_t t0 = time_now();

	for (unsigned long i = 0; i < n; i++)
		sbi_call(SBI_EXT_BASE, SBI_BASE_PROBE_EXT, SBI_EXT_BASE, 0, 0, 0, 0, 0);
	return time_now() - t0;
}

static volatile unsigned long csr_sink;

static uint64_t bench_csr_read(unsigned long n)
{
	uint64_t t0 = time_now();
	unsigned long v = 0;

	for (unsigned long i = 0; i < n; i++)
		v += csr_read(sscratch);
	t0 = time_now() - t0;
	csr_sink = v;
	return t0;
}

static uint64_t bench_csr_write(unsigned long n)
{
	uint64_t t0 = time_now();

	for (unsigned long i = 0; i < n; i++)
		csr_write(sscratch, i + csr_sink);
	t0 = time_now() - t0;
	csr_write(sscratch, 0);
	return t0;
}

static uint64_t bench_mmio(unsigned long n)
{
	volatile uint8_t *lsr = (volatile uint8_t *)(UART_BASE + 5);
	uint64_t t0 = time_now();

	for (unsigned long i = 0; i < n; i++)
		(void)*lsr;
	return time_now() - t0;
}

/* Latency from the deadline to the first instruction of our C handler. */
static volatile uint64_t irq_at;

static void timer_irq(struct trap_frame *f)
{
	(void)f;
	irq_at = time_now();
	sbi_set_timer(~0ULL);
}

static uint64_t bench_timer_irq(unsigned long n)
{
	uint64_t total = 0;

	trap_irq_hook = timer_irq;
	csr_write(sie, SIE_STIE);
	for (unsigned long i = 0; i < n; i++) {
		uint64_t deadline = time_now() + 200;   /* 20 us ahead */

		irq_at = 0;
		sbi_set_timer(deadline);
		csr_set(sstatus, SSTATUS_SIE);
		while (!irq_at)
			;
		csr_clear(sstatus, SSTATUS_SIE);
		total += irq_at > deadline ? irq_at - deadline : 0;
	}
	csr_write(sie, 0);
	trap_irq_hook = 0;
	return total;
}

/* U-mode ecall -> our S handler -> sret, n times in one U-mode visit. */
static int ecall_counter(struct trap_frame *f)
{
	if (f->scause != EXC_ECALL_U || f->regs[REG_A7] != BENCH_EID)
		return 0;
	f->sepc += 4;
	return 1;
}

static unsigned long u_ecall_loop(unsigned long n)
{
	register unsigned long a7 __asm__("a7") = BENCH_EID;

	for (unsigned long i = 0; i < n; i++)
		__asm__ volatile("ecall" :: "r"(a7) : "memory");
	return 0;
}

static uint64_t bench_u_ecall(unsigned long n)
{
	uint64_t t0;

	trap_exc_hook = ecall_counter;
	t0 = time_now();
	umode_run(u_ecall_loop, n);
	t0 = time_now() - t0;
	trap_exc_hook = 0;
	return t0;
}

/* A CSR a CPU without H does not have but S-mode can use on bare QEMU:
 * htimedelta, which OpenSBI 1.1 emulates (an M-mode round trip). Under
 * the hw engine it is a virtual-instruction exit, under the trap engine
 * an emulated instruction: each engine's cost of the "virtual
 * instruction" path. */
static uint64_t bench_virtual_insn(unsigned long n)
{
	uint64_t t0 = time_now();
	unsigned long v = 0;

	for (unsigned long i = 0; i < n; i++)
		v += csr_read(0x605);
	t0 = time_now() - t0;
	csr_sink = v;
	return t0;
}

/* The first touch of 2 MiB chunks of RAM nothing has touched yet (the
 * upper half of a 64 MiB guest): under the hw engine a G-stage fault that
 * maps (and zeroes) the chunk, under the trap engine the Bare view's, on
 * bare QEMU a plain store. */
static void bench_chunk_first_touch(unsigned long n)
{
	uint64_t t0 = time_now();

	for (unsigned long i = 0; i < n; i++)
		*(volatile uint64_t *)(0x82000000UL + i * 0x200000UL) = i;
	bench_print("chunk-first-touch", time_now() - t0, n);
}

void guest_main(unsigned long hartid, unsigned long dtb)
{
	(void)hartid;
	(void)dtb;
	bench_best("sbi-call", bench_sbi_call, 1000);
	bench_best("csr-read", bench_csr_read, 2000);
	bench_best("csr-write", bench_csr_write, 2000);
	bench_best("mmio-read", bench_mmio, 1000);
	bench_best("timer-irq", bench_timer_irq, 50);
	bench_best("u-ecall", bench_u_ecall, 2000);
	bench_best("virtual-insn", bench_virtual_insn, 1000);
	bench_chunk_first_touch(8);
}
