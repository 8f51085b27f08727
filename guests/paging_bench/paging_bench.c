/*
 * Costs of the guest's own paging, timed with rdtime (QEMU virt timebase
 * 10 MHz: 1 tick = 100 ns). Prints "bench: NAME NS_PER_OP" lines only
 * (never compared): first touch of pages mapped in advance (under Trapeze,
 * a shadow fill each), the same pages again, address-space switches with
 * and without a fence, SUM toggled around a small copy from a U page, and
 * the floor of every system call (vu-vs-floor: a U-mode ECALL taken by a
 * handler that is nothing but SRET, so the ECALL runs again).
 */
#include "paging.h"

#define NS_PER_TICK 100UL
#define TOUCH_PAGES 512
#define TOUCH_VA    0x40000000UL
#define TOUCH_PA    (PG_DATA_BASE + 0x200000UL)     /* 2 MiB of 4 KiB pages */
#define SWITCHES    500
#define SUM_COPIES  500
#define U_VA        0x60000000UL
#define U_PA        PG_DATA_BASE
#define U_CODE_VA   0x61000000UL
#define U_CODE_PA   (PG_DATA_BASE + 2 * PG_SIZE)
#define FLOOR_TRIPS 2000

static struct pg_space a, b;

static void bench_print(const char *name, uint64_t ticks, unsigned long iters)
{
	printf("bench: %s %lu\n", name, (unsigned long)(ticks * NS_PER_TICK / iters));
}

static unsigned long touch(void)
{
	unsigned long sum = 0;

	for (unsigned i = 0; i < TOUCH_PAGES; i++)
		sum += *(volatile unsigned long *)(TOUCH_VA + i * PG_SIZE);
	return sum;
}

static void bench_touch(void)
{
	uint64_t t0 = time_now();
	unsigned long s1 = touch();
	uint64_t t1 = time_now();
	unsigned long s2 = touch();
	uint64_t t2 = time_now();

	bench_print("page-first-touch", t1 - t0, TOUCH_PAGES);
	bench_print("page-touch-again", t2 - t1, TOUCH_PAGES);
	printf("touched %u pages twice: %s\n", TOUCH_PAGES, s1 == s2 ? "same data" : "DIFFERENT");
}

/* Repeatable costs: the fastest of BATCHES batches (interference on a
 * shared host only adds time). */
#define BATCHES     8

static uint64_t min_ticks(uint64_t a_ticks, uint64_t b_ticks)
{
	return a_ticks < b_ticks ? a_ticks : b_ticks;
}

static void bench_switch(void)
{
	unsigned long sa = pg_satp(&a, 1), sb = pg_satp(&b, 2), sum = 0;
	uint64_t best = ~0ULL, best_fence = ~0ULL;

	for (unsigned batch = 0; batch < BATCHES; batch++) {
		uint64_t t0 = time_now();

		for (unsigned i = 0; i < SWITCHES; i++) {
			csr_write(satp, (i & 1) ? sa : sb);
			sum += *(volatile unsigned long *)U_VA;
		}
		best = min_ticks(best, time_now() - t0);
		t0 = time_now();
		for (unsigned i = 0; i < SWITCHES; i++) {
			csr_write(satp, (i & 1) ? sa : sb);
			pg_fence_all();
			sum += *(volatile unsigned long *)U_VA;
		}
		best_fence = min_ticks(best_fence, time_now() - t0);
	}
	bench_print("as-switch", best, SWITCHES);
	bench_print("as-switch-fence", best_fence, SWITCHES);
	csr_write(satp, sa);
	pg_fence_all();
	printf("switches done: sum 0x%lx\n", sum);
}

/* U_VA is a U page: S reads it only with SUM = 1 (4.1.1.2). */
static void bench_sum(void)
{
	unsigned long buf[8], sum = 0;
	uint64_t best = ~0ULL;

	for (unsigned batch = 0; batch < BATCHES; batch++) {
		uint64_t t0 = time_now();

		for (unsigned i = 0; i < SUM_COPIES; i++) {
			csr_set(sstatus, SSTATUS_SUM);
			for (unsigned j = 0; j < 8; j++)
				buf[j] = ((volatile unsigned long *)U_VA)[j];
			csr_clear(sstatus, SSTATUS_SUM);
			sum += buf[i & 7];
		}
		best = min_ticks(best, time_now() - t0);
	}
	bench_print("sum-toggle-copy64", best, SUM_COPIES);
	printf("copies done: sum 0x%lx\n", sum);
}

/*
 * floor_run(n, upc): n round trips U -> S -> U with nothing else on them.
 * It enters U at upc (an ECALL); the handler counts a0 down and SRETs
 * straight back to the ECALL (sepc still points at it), and at 0 restores
 * stvec and sstatus and returns to the caller in S. Under the trap engine
 * each trip is the reflection of the ECALL into the guest's kernel view
 * and the SRET back into its user view: two address-space switches, which
 * on QEMU 7.2 flush the whole TLB, and the one privileged instruction
 * every system call must execute. Clobbers only caller-saved registers.
 */
void floor_run(unsigned long n, unsigned long upc);
__asm__(
	".text\n"
	".p2align 2\n"
	"floor_run:\n"
	"	csrr t6, stvec\n"
	"	csrr t4, sstatus\n"
	"	la t0, floor_trap\n"
	"	csrw stvec, t0\n"
	"	csrw sepc, a1\n"
	"	li t0, 0x100\n"                   /* sstatus.SPP = U */
	"	csrc sstatus, t0\n"
	"	sret\n"
	".p2align 2\n"
	"floor_trap:\n"
	"	addi a0, a0, -1\n"
	"	beqz a0, 1f\n"
	"	sret\n"
	"1:	csrw stvec, t6\n"
	"	csrw sstatus, t4\n"
	"	ret\n");

static void bench_floor(void)
{
	uint64_t best = ~0ULL;

	*(volatile uint32_t *)U_CODE_PA = 0x00000073;   /* ecall */
	__asm__ volatile("fence.i" ::: "memory");
	for (unsigned batch = 0; batch < BATCHES; batch++) {
		uint64_t t0 = time_now();

		floor_run(FLOOR_TRIPS, U_CODE_VA);
		best = min_ticks(best, time_now() - t0);
	}
	bench_print("vu-vs-floor", best, FLOOR_TRIPS);
}

/* A CSR read in S-mode with paging on: native on bare QEMU and under hw;
 * under the trap engine an illegal instruction the first time, then a
 * patched site (a breakpoint) unless patching is off. */
static void bench_paged_csr(void)
{
	uint64_t best = ~0ULL;
	unsigned long v = 0;

	for (unsigned batch = 0; batch < BATCHES; batch++) {
		uint64_t t0 = time_now();

		for (unsigned i = 0; i < FLOOR_TRIPS; i++)
			v += csr_read(sscratch);
		best = min_ticks(best, time_now() - t0);
	}
	bench_print("paged-csr-read", best, FLOOR_TRIPS);
	printf("csr reads done: sum 0x%lx\n", v);
}

void guest_main(unsigned long hartid, unsigned long dtb)
{
	unsigned long rw = PTE_R | PTE_W | PTE_A | PTE_D;

	(void)hartid;
	(void)dtb;
	pg_init();
	for (unsigned i = 0; i < TOUCH_PAGES; i++)
		*(volatile unsigned long *)(TOUCH_PA + i * PG_SIZE) = i;
	for (unsigned i = 0; i < 8; i++)
		((volatile unsigned long *)U_PA)[i] = 0x100 + i;
	((volatile unsigned long *)(U_PA + PG_SIZE))[0] = 0x200;
	pg_space_init(&a, SATP_MODE_SV39);
	pg_map_identity(&a, PTE_G);
	for (unsigned i = 0; i < TOUCH_PAGES; i++)
		pg_map(&a, TOUCH_VA + i * PG_SIZE, TOUCH_PA + i * PG_SIZE, PG_4K, rw);
	pg_map(&a, U_VA, U_PA, PG_4K, rw | PTE_U);
	pg_map(&a, U_CODE_VA, U_CODE_PA, PG_4K, PTE_R | PTE_X | PTE_U | PTE_A);
	pg_space_init(&b, SATP_MODE_SV39);
	pg_map_identity(&b, PTE_G);
	pg_map(&b, U_VA, U_PA + PG_SIZE, PG_4K, rw | PTE_U);
	csr_set(sstatus, SSTATUS_SUM);
	printf("satp=0x%lx\n", pg_enable(&a, 1));
	csr_clear(sstatus, SSTATUS_SUM);
	bench_touch();
	csr_set(sstatus, SSTATUS_SUM);
	bench_switch();
	csr_clear(sstatus, SSTATUS_SUM);
	bench_sum();
	bench_floor();
	bench_paged_csr();
	pg_disable();
}
