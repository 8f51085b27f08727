/*
 * /bin/bench: Linux user-level microbenchmarks for Trapeze's Linux guest.
 *
 *   bench [-n SCALE] [NAME...]
 *
 * Runs the named benchmarks (default: all, in table order) and prints one
 * line each, "bench: linux-NAME NS_PER_OP": the timed operations run in
 * BENCH_BATCHES batches, and the line gives the fastest batch's mean
 * (CLOCK_MONOTONIC, rounded to whole ns). On a shared host interference
 * only ever adds time, so the fastest batch is the stable estimate of the
 * cost; a mean over one long loop carries every hiccup of the host. SCALE (default 1) multiplies
 * every iteration count: the defaults take a few seconds in all on bare QEMU
 * (TCG); under Trapeze's trap engine, where system calls and faults cost
 * 10-100 times more, use e.g. -n 0.1. Each benchmark runs a short untimed
 * warm-up first.
 *
 * What one operation is:
 *   getppid    one getppid system call (glibc does not cache it)
 *   fork       fork, _exit(0) in the child, waitpid in the parent
 *   exec       fork, execve of /bin/bench-nop (a 1-page static program that
 *              only exits), waitpid
 *   pagefault  the first write to one page of fresh anonymous memory
 *   pipe       one byte to a child process and one byte back (round trip)
 *   mmap       mmap of one anonymous page, never touched, and its munmap
 *   compute    1024 steps of a dependent integer hash chain (SplitMix64),
 *              no memory traffic, no system calls; the seed comes from and
 *              the result goes to a volatile, so nothing is optimised away,
 *              and a 1024-step run is checked against its known result
 *   memcpy     memcpy of 4 KiB, cycling through a 1 MiB buffer
 *
 * Exit status: 0, or 1 if a benchmark failed (its line is then
 * "bench-error: ..." instead).
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define BENCH_PAGE              4096ul
#define BENCH_NOP_PATH          "/bin/bench-nop"
#define BENCH_FAULT_PAGES       256ul           /* pages per mapping: 1 MiB */
#define BENCH_COPY_BYTES        4096ul
#define BENCH_COPY_BUF          (1ul << 20)
#define BENCH_COMPUTE_STEPS     1024u
#define BENCH_BATCHES           10

/*
 * A benchmark runs ITERS operations (after a warm-up it runs itself) and
 * returns the nanoseconds they took, or a negative value on failure.
 */
typedef int64_t (*bench_fn_t)(uint64_t iters);

struct bench {
	const char *name;
	bench_fn_t run;
	uint64_t iters;         /* at SCALE 1 */
};

static int64_t bench_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int64_t bench_fail(const char *what)
{
	printf("bench-error: %s: %m\n", what);
	return -1;
}

static int64_t bench_run_getppid(uint64_t iters)
{
	int64_t t0 = bench_now_ns();

	for (uint64_t i = 0; i < iters; i++)
		syscall(SYS_getppid);
	return bench_now_ns() - t0;
}

/* fork, then in the child either _exit or exec PATH; the parent waits. */
static int bench_spawn_wait(const char *path)
{
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return -1;
	if (pid == 0) {
		if (path) {
			char *argv[] = { (char *)path, NULL };
			char *envp[] = { NULL };

			execve(path, argv, envp);
			_exit(127);
		}
		_exit(0);
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return -1;
	return 0;
}

static int64_t bench_run_fork(uint64_t iters)
{
	int64_t t0 = bench_now_ns();

	for (uint64_t i = 0; i < iters; i++)
		if (bench_spawn_wait(NULL) != 0)
			return bench_fail("fork");
	return bench_now_ns() - t0;
}

static int64_t bench_run_exec(uint64_t iters)
{
	int64_t t0 = bench_now_ns();

	for (uint64_t i = 0; i < iters; i++)
		if (bench_spawn_wait(BENCH_NOP_PATH) != 0)
			return bench_fail("fork+exec " BENCH_NOP_PATH);
	return bench_now_ns() - t0;
}

/* ITERS is a number of pages, taken BENCH_FAULT_PAGES per fresh mapping. */
static int64_t bench_run_pagefault(uint64_t iters)
{
	size_t len = BENCH_FAULT_PAGES * BENCH_PAGE;
	int64_t total = 0;

	for (uint64_t done = 0; done < iters; done += BENCH_FAULT_PAGES) {
		uint64_t pages = iters - done < BENCH_FAULT_PAGES ? iters - done : BENCH_FAULT_PAGES;
		volatile char *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
					MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		int64_t t0;

		if (p == MAP_FAILED)
			return bench_fail("mmap");
		t0 = bench_now_ns();
		for (uint64_t i = 0; i < pages; i++)
			p[i * BENCH_PAGE] = 1;
		total += bench_now_ns() - t0;
		munmap((void *)p, len);
	}
	return total;
}

static int64_t bench_run_pipe(uint64_t iters)
{
	int to_child[2], to_parent[2], status;
	int64_t t0, t;
	char c = 0;
	pid_t pid;

	if (pipe(to_child) != 0 || pipe(to_parent) != 0)
		return bench_fail("pipe");
	pid = fork();
	if (pid < 0)
		return bench_fail("fork");
	if (pid == 0) {
		close(to_child[1]);
		close(to_parent[0]);
		while (read(to_child[0], &c, 1) == 1)
			if (write(to_parent[1], &c, 1) != 1)
				_exit(1);
		_exit(0);
	}
	close(to_child[0]);
	close(to_parent[1]);
	t0 = bench_now_ns();
	for (uint64_t i = 0; i < iters; i++) {
		if (write(to_child[1], &c, 1) != 1 || read(to_parent[0], &c, 1) != 1) {
			t0 = -1;
			break;
		}
	}
	t = bench_now_ns() - t0;
	close(to_child[1]);
	close(to_parent[0]);
	waitpid(pid, &status, 0);
	if (t0 < 0)
		return bench_fail("pipe round trip");
	return t;
}

static int64_t bench_run_mmap(uint64_t iters)
{
	int64_t t0 = bench_now_ns();

	for (uint64_t i = 0; i < iters; i++) {
		void *p = mmap(NULL, BENCH_PAGE, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (p == MAP_FAILED)
			return bench_fail("mmap");
		munmap(p, BENCH_PAGE);
	}
	return bench_now_ns() - t0;
}

/*
 * The compute kernel: SplitMix64-style mixing, each step depending on the
 * last, so it neither vectorises nor folds. noinline keeps the loop in one
 * place for every caller.
 */
static __attribute__((noinline)) uint64_t bench_compute_chain(uint64_t x, uint64_t steps)
{
	for (uint64_t i = 0; i < steps; i++) {
		x += 0x9e3779b97f4a7c15ull;
		x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
		x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
		x ^= x >> 31;
	}
	return x;
}

/* SplitMix64 from 1 after 1024 steps (computed on the build host). */
#define BENCH_COMPUTE_CHECK     0x1d4aa8b0c59ed2c2ull

/* Where the timed chain's result goes, so the chain cannot be dropped. */
volatile uint64_t bench_compute_sink;

static int64_t bench_run_compute(uint64_t iters)
{
	/* Read through a volatile: nothing to precompute. */
	static volatile uint64_t seed = 1;
	uint64_t x;
	int64_t t0;

	x = bench_compute_chain(seed, BENCH_COMPUTE_STEPS);
	if (x != BENCH_COMPUTE_CHECK) {
		printf("bench-error: compute: 0x%llx, want 0x%llx\n",
		       (unsigned long long)x, BENCH_COMPUTE_CHECK);
		return -1;
	}
	t0 = bench_now_ns();
	bench_compute_sink = bench_compute_chain(seed, iters * BENCH_COMPUTE_STEPS);
	return bench_now_ns() - t0;
}

static int64_t bench_run_memcpy(uint64_t iters)
{
	static char src[BENCH_COPY_BUF], dst[BENCH_COPY_BUF];
	size_t off = 0;
	int64_t t0;

	memset(src, 0x5a, sizeof(src));
	memset(dst, 0, sizeof(dst));
	t0 = bench_now_ns();
	for (uint64_t i = 0; i < iters; i++) {
		memcpy(dst + off, src + off, BENCH_COPY_BYTES);
		off = (off + BENCH_COPY_BYTES) % BENCH_COPY_BUF;
		/* Keeps the copies: the compiler cannot see dst being unused. */
		__asm__ volatile("" : : "r"(dst) : "memory");
	}
	return bench_now_ns() - t0;
}

/*
 * Iterations at SCALE 1: about 0.3 s each, 3 s in all, on bare QEMU 7.2
 * (TCG) on the project's 2-core machine.
 */
static const struct bench bench_table[] = {
	{ "getppid",   bench_run_getppid,   500000 },
	{ "fork",      bench_run_fork,      300 },
	{ "exec",      bench_run_exec,      200 },
	{ "pagefault", bench_run_pagefault, 16384 },
	{ "pipe",      bench_run_pipe,      3000 },
	{ "mmap",      bench_run_mmap,      10000 },
	{ "compute",   bench_run_compute,   100000 },
	{ "memcpy",    bench_run_memcpy,    100000 },
};
#define BENCH_COUNT (sizeof(bench_table) / sizeof(bench_table[0]))

static uint64_t bench_scaled(uint64_t iters, double scale)
{
	double n = (double)iters * scale;

	return n < 1 ? 1 : (uint64_t)(n + 0.5);
}

/* Prints the result line; returns 0, or -1 if the benchmark failed. */
static int bench_run_one(const struct bench *b, double scale)
{
	uint64_t iters = bench_scaled(b->iters, scale);
	uint64_t batch = bench_scaled(iters, 1.0 / BENCH_BATCHES);
	int64_t best = -1;

	if (b->run(batch) < 0)    /* warm-up */
		return -1;
	for (unsigned i = 0; i < BENCH_BATCHES; i++) {
		int64_t ns = b->run(batch);

		if (ns < 0)
			return -1;
		if (best < 0 || ns < best)
			best = ns;
	}
	printf("bench: linux-%s %llu\n", b->name,
	       (unsigned long long)((best + (int64_t)batch / 2) / (int64_t)batch));
	fflush(stdout);
	return 0;
}

static void bench_usage(FILE *f)
{
	fprintf(f, "usage: bench [-n SCALE] [NAME...]\nnames:");
	for (size_t i = 0; i < BENCH_COUNT; i++)
		fprintf(f, " %s", bench_table[i].name);
	fprintf(f, "\n");
}

int main(int argc, char **argv)
{
	double scale = 1;
	int opt, failed = 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	while ((opt = getopt(argc, argv, "hn:")) != -1) {
		char *end;

		switch (opt) {
		case 'n':
			scale = strtod(optarg, &end);
			if (*end != '\0' || !(scale > 0) || scale > 1000) {
				fprintf(stderr, "bench: -n %s: want a number above 0, at most 1000\n",
					optarg);
				return 2;
			}
			break;
		case 'h':
			bench_usage(stdout);
			return 0;
		default:
			bench_usage(stderr);
			return 2;
		}
	}
	for (int i = optind; i < argc; i++) {
		size_t j;

		for (j = 0; j < BENCH_COUNT; j++)
			if (strcmp(argv[i], bench_table[j].name) == 0)
				break;
		if (j == BENCH_COUNT) {
			fprintf(stderr, "bench: unknown benchmark '%s'\n", argv[i]);
			bench_usage(stderr);
			return 2;
		}
	}
	for (size_t j = 0; j < BENCH_COUNT; j++) {
		int wanted = optind == argc;

		for (int i = optind; i < argc && !wanted; i++)
			wanted = strcmp(argv[i], bench_table[j].name) == 0;
		if (wanted && bench_run_one(&bench_table[j], scale) != 0)
			failed = 1;
	}
	return failed;
}
