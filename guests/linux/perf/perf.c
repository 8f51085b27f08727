/*
 * /bin/perf-check in the Linux guest's initramfs: counts CPU cycles,
 * instructions and one firmware event (SBI_PMU_FW_ILLEGAL_INSN, counted by
 * whatever sits below the kernel: OpenSBI on bare QEMU, Trapeze in a VM)
 * around a loop with perf_event_open(2), through Linux's SBI PMU driver
 * (RISCV_PMU_SBI). The firmware event is caused on purpose: N reads of
 * hstatus from U-mode, each an illegal instruction (SIGILL, skipped) that
 * the firmware handles before the kernel sees it.
 *
 * Prints one line per counter, "perf: NAME ok" when it counted what it
 * must (cycles and instructions: more than the loop's iterations; the
 * firmware event: at least N), else "perf: NAME bad VALUE" or the error.
 * Counting only: the CPU has no Sscofpmf, so no sampling, no exclude_*.
 */
#define _GNU_SOURCE
#include <linux/perf_event.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <errno.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <ucontext.h>
#include <unistd.h>

#define LOOPS           200000
#define ILLEGALS        5
/* SBI v3.0 PMU, firmware event type: Linux 6.1 takes a raw config with
 * bit 63 set as a firmware event code. */
#define RAW_FW(code)    ((1ULL << 63) | (code))
#define SBI_PMU_FW_ILLEGAL_INSN 4

static int perf_open(uint32_t type, uint64_t config)
{
	struct perf_event_attr a;

	memset(&a, 0, sizeof(a));
	a.size = sizeof(a);
	a.type = type;
	a.config = config;
	a.disabled = 1;
	return (int)syscall(SYS_perf_event_open, &a, 0, -1, -1, 0);
}

/* SIGILL from the hstatus read: step over the 4-byte instruction. */
static void on_sigill(int sig, siginfo_t *si, void *ctx)
{
	(void)sig, (void)si;
	((ucontext_t *)ctx)->uc_mcontext.__gregs[0] += 4;      /* REG_PC */
}

static void read_hstatus(void)
{
	unsigned long v;

	__asm__ volatile(".option push\n.option norvc\ncsrr %0, 0x600\n.option pop" : "=r"(v));
	(void)v;
}

int main(void)
{
	static const struct { const char *name; uint32_t type; uint64_t config; uint64_t min; } ev[] = {
		{ "cycles", PERF_TYPE_HARDWARE, PERF_COUNT_HW_CPU_CYCLES, LOOPS },
		{ "instructions", PERF_TYPE_HARDWARE, PERF_COUNT_HW_INSTRUCTIONS, LOOPS },
		{ "fw-illegal-insn", PERF_TYPE_RAW, RAW_FW(SBI_PMU_FW_ILLEGAL_INSN), ILLEGALS },
	};
	int fd[3];
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_sigill;
	sa.sa_flags = SA_SIGINFO;
	sigaction(SIGILL, &sa, NULL);
	for (int i = 0; i < 3; i++) {
		fd[i] = perf_open(ev[i].type, ev[i].config);
		if (fd[i] < 0) {
			printf("perf: %s open failed: %s\n", ev[i].name, strerror(errno));
			continue;
		}
		ioctl(fd[i], PERF_EVENT_IOC_RESET, 0);
		ioctl(fd[i], PERF_EVENT_IOC_ENABLE, 0);
	}
	for (volatile int i = 0; i < LOOPS; i++)
		;
	for (int i = 0; i < ILLEGALS; i++)
		read_hstatus();
	for (int i = 0; i < 3; i++) {
		uint64_t n = 0;

		if (fd[i] < 0)
			continue;
		ioctl(fd[i], PERF_EVENT_IOC_DISABLE, 0);
		if (read(fd[i], &n, sizeof(n)) != sizeof(n))
			printf("perf: %s read failed: %s\n", ev[i].name, strerror(errno));
		else if (n >= ev[i].min)
			printf("perf: %s ok\n", ev[i].name);
		else
			printf("perf: %s bad %llu\n", ev[i].name, (unsigned long long)n);
		fprintf(stderr, "perf: %s = %llu\n", ev[i].name, (unsigned long long)n);
		close(fd[i]);
	}
	return 0;
}
