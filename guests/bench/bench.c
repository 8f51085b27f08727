/*
 * Unit costs, timed with rdtime (QEMU virt timebase 10 MHz: 1 tick =
 * 100 ns). Prints "bench: NAME NS_PER_OP" lines only; the numbers vary run
 * to run and are never compared, only reported by `make bench`.
 */
#include "guest.h"

#define NS_PER_TICK 100UL
#define BENCH_EID   0x42454e43UL        /* "BENC": counted by our handler */

static void bench_print(const char *name, uint64_t ticks, unsigned long iters)
{
	printf("bench: %s %lu\n", name, (unsigned long)(ticks * NS_PER_TICK / iters));
}

static void bench_sbi_call(unsigned long n)
{
	uint64_t t0 = time_now();

	for (unsigned long i = 0; i < n; i++)
		sbi_call(SBI_EXT_BASE, SBI_BASE_PROBE_EXT, SBI_EXT_BASE, 0, 0, 0, 0, 0);
	bench_print("sbi-call", time_now() - t0, n);
}

static void bench_csr(unsigned long n)
{
	uint64_t t0 = time_now();
	unsigned long v = 0;

	for (unsigned long i = 0; i < n; i++)
		v += csr_read(sscratch);
	bench_print("csr-read", time_now() - t0, n);
	t0 = time_now();
	for (unsigned long i = 0; i < n; i++)
		csr_write(sscratch, i + v);
	bench_print("csr-write", time_now() - t0, n);
	csr_write(sscratch, 0);
}

static void bench_mmio(unsigned long n)
{
	volatile uint8_t *lsr = (volatile uint8_t *)(UART_BASE + 5);
	uint64_t t0 = time_now();

	for (unsigned long i = 0; i < n; i++)
		(void)*lsr;
	bench_print("mmio-read", time_now() - t0, n);
}

/* Latency from the deadline to the first instruction of our C handler. */
static volatile uint64_t irq_at;

static void timer_irq(struct trap_frame *f)
{
	(void)f;
	irq_at = time_now();
	sbi_set_timer(~0ULL);
}

static void bench_timer_irq(unsigned long n)
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
	bench_print("timer-irq", total, n);
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

static void bench_u_ecall(unsigned long n)
{
	uint64_t t0;

	trap_exc_hook = ecall_counter;
	t0 = time_now();
	umode_run(u_ecall_loop, n);
	bench_print("u-ecall", time_now() - t0, n);
	trap_exc_hook = 0;
}

/* A CSR a CPU without H does not have but S-mode can use on bare QEMU:
 * htimedelta, which OpenSBI 1.1 emulates (an M-mode round trip). Under
 * the hw engine it is a virtual-instruction exit, under the trap engine
 * an emulated instruction: each engine's cost of the "virtual
 * instruction" path. */
static void bench_virtual_insn(unsigned long n)
{
	uint64_t t0 = time_now();
	unsigned long v = 0;

	for (unsigned long i = 0; i < n; i++)
		v += csr_read(0x605);
	bench_print("virtual-insn", time_now() - t0, n);
	(void)v;
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
	bench_sbi_call(2000);
	bench_csr(2000);
	bench_mmio(2000);
	bench_timer_irq(200);
	bench_u_ecall(2000);
	bench_virtual_insn(2000);
	bench_chunk_first_touch(8);
}
