/*
 * trapeze audit: the command line, and the audit guest run on bare QEMU
 * (OpenSBI, the CPU model asked for) with its output collected for
 * audit.c to classify.
 *
 * Exit status: 0 when the guest completed its sweep and the report was
 * printed (whatever the verdict), 1 for a failed run or a malformed or
 * incomplete output, 2 for a usage error.
 */
#include "fdio.h"
#include "audit.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "files.h"
#include "qemu.h"

#define AUDIT_EXIT_ERROR        1
#define AUDIT_EXIT_USAGE        2
#define AUDIT_TIMEOUT_MS        120000
#define AUDIT_GUEST_MEMORY      (64ull << 20)

static void audit_usage(FILE *f)
{
	fprintf(f,
		"usage: trapeze audit [--cpu MODEL] [--guest PATH] [--input FILE] [--raw]\n"
		"  --cpu MODEL   QEMU -cpu model (default %s)\n"
		"  --guest PATH  the audit guest (default guests/audit.bin beside the launcher)\n"
		"  --input FILE  classify a saved guest output instead of running QEMU\n"
		"  --raw         also print the guest's own lines\n"
		"environment: QEMU (QEMU binary), TRAPEZE_AUDIT_GUEST (the audit guest)\n",
		CONFIG_DEFAULT_CPU);
}

static int audit_find_guest(char *out, size_t len)
{
	return files_beside_exe("TRAPEZE_AUDIT_GUEST", "guests/audit.bin", out, len);
}

/* Runs ARGV with stdin on /dev/null and collects its output; its exit status or -1. */
static int audit_capture(char *const argv[], char **text, size_t *len)
{
	int64_t deadline = fdio_now_ms() + AUDIT_TIMEOUT_MS;
	size_t cap = 1 << 16, n = 0;
	char *buf = malloc(cap);
	int pfd[2], status = 0;
	pid_t pid;

	if (!buf || pipe2(pfd, O_CLOEXEC) != 0) {
		free(buf);
		return -1;
	}
	pid = fork();
	if (pid == 0) {
		int devnull = open("/dev/null", O_RDONLY);

		if (devnull < 0 || dup2(devnull, STDIN_FILENO) < 0 ||
		    dup2(pfd[1], STDOUT_FILENO) < 0 || dup2(pfd[1], STDERR_FILENO) < 0)
			_exit(127);
		execvp(argv[0], argv);
		dprintf(STDERR_FILENO, "trapeze: cannot run %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	close(pfd[1]);
	if (pid < 0) {
		close(pfd[0]);
		free(buf);
		return -1;
	}
	for (;;) {
		struct pollfd p = { .fd = pfd[0], .events = POLLIN };
		int64_t left = deadline - fdio_now_ms();
		ssize_t got;
		int pr;

		if (left <= 0) {
			fprintf(stderr, "trapeze: audit guest still running after %d s, stopped\n",
				AUDIT_TIMEOUT_MS / 1000);
			kill(pid, SIGKILL);
			break;
		}
		pr = poll(&p, 1, (int)left);
		if (pr < 0 && errno == EINTR)
			continue;
		if (pr < 0)
			break;
		if (pr == 0)
			continue;
		if (n + 4096 > cap) {
			char *more = realloc(buf, cap * 2);

			if (!more)
				break;
			buf = more;
			cap *= 2;
		}
		got = read(pfd[0], buf + n, cap - n);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			break;
		n += (size_t)got;
	}
	close(pfd[0]);
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR) {
			free(buf);
			return -1;
		}
	}
	*text = buf;
	*len = n;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static int audit_run_guest(const char *qemu, const char *cpu, const char *guest,
			   char **text, size_t *len)
{
	static struct machine_desc m;
	static struct vm_desc vm;
	struct qemu_args args = { 0 };
	int ret;

	snprintf(m.cpu, sizeof(m.cpu), "%s", cpu);
	m.harts = 1;
	snprintf(vm.name, sizeof(vm.name), "audit");
	snprintf(vm.kernel, sizeof(vm.kernel), "%s", guest);
	vm.vcpus = 1;
	vm.memory = AUDIT_GUEST_MEMORY;
	if (qemu_args_bare(&args, qemu, &m, &vm) != 0) {
		qemu_args_free(&args);
		fprintf(stderr, "trapeze: out of memory\n");
		return -1;
	}
	ret = audit_capture(args.argv, text, len);
	qemu_args_free(&args);
	if (ret < 0)
		fprintf(stderr, "trapeze: running %s: %s\n", qemu, strerror(errno));
	return ret;
}

/* The last lines of TEXT on stderr: why QEMU or the guest stopped. */
static void audit_print_tail(const char *text, size_t len)
{
	size_t start = len;
	int lines = 0;

	while (start > 0 && lines <= 10)
		if (text[--start] == '\n')
			lines++;
	fprintf(stderr, "--- last lines of the run ---\n%.*s\n", (int)(len - start), text + start);
}

static int audit_report_run(const char *cpu, const char *text, size_t len, bool raw)
{
	static struct audit_data d;
	struct audit_report r;
	int ret = 0;

	if (raw)
		fwrite(text, 1, len, stdout);
	if (audit_data_add_text(&d, text, len) != 0 || audit_build_report(&d, &r) != 0) {
		fprintf(stderr, "trapeze: out of memory\n");
		ret = AUDIT_EXIT_ERROR;
	} else if (d.bad[0]) {
		fprintf(stderr, "trapeze: audit: malformed line: %s\n", d.bad);
		ret = AUDIT_EXIT_ERROR;
	} else if (!d.begun || !d.ended || d.failed) {
		fprintf(stderr, "trapeze: audit: the guest did not complete its sweep%s\n",
			d.failed ? " (unexpected trap)" : "");
		audit_print_tail(text, len);
		ret = AUDIT_EXIT_ERROR;
	} else {
		audit_print_report(stdout, &r, &d, cpu);
	}
	audit_report_free(&r);
	audit_data_free(&d);
	return ret;
}

int audit_main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "cpu", required_argument, NULL, 'c' },
		{ "guest", required_argument, NULL, 'g' },
		{ "input", required_argument, NULL, 'i' },
		{ "raw", no_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *cpu = CONFIG_DEFAULT_CPU, *guest = NULL, *input = NULL, *qemu;
	char guest_path[PATH_MAX];
	bool raw = false;
	char *text = NULL;
	size_t len = 0;
	int opt, ret;

	optind = 0;     /* glibc: start over (main may have used getopt) */
	while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (opt) {
		case 'c':
			if (!optarg[0] || strlen(optarg) >= CONFIG_CPU_MAX) {
				fprintf(stderr, "trapeze: --cpu: bad CPU model\n");
				return AUDIT_EXIT_USAGE;
			}
			cpu = optarg;
			break;
		case 'g':
			guest = optarg;
			break;
		case 'i':
			input = optarg;
			break;
		case 'r':
			raw = true;
			break;
		case 'h':
			audit_usage(stdout);
			return 0;
		default:
			audit_usage(stderr);
			return AUDIT_EXIT_USAGE;
		}
	}
	if (optind != argc) {
		audit_usage(stderr);
		return AUDIT_EXIT_USAGE;
	}
	if (input) {
		void *data;

		if (files_read(input, &data, &len) != 0) {
			fprintf(stderr, "trapeze: %s: %s\n", input, strerror(errno));
			return AUDIT_EXIT_ERROR;
		}
		text = data;
	} else {
		if (!guest) {
			if (audit_find_guest(guest_path, sizeof(guest_path)) != 0) {
				fprintf(stderr, "trapeze: cannot locate the audit guest; "
					"set TRAPEZE_AUDIT_GUEST\n");
				return AUDIT_EXIT_ERROR;
			}
			guest = guest_path;
		}
		if (access(guest, R_OK) != 0) {
			fprintf(stderr, "trapeze: %s: %s (make build/guests/audit.bin)\n",
				guest, strerror(errno));
			return AUDIT_EXIT_ERROR;
		}
		qemu = getenv("QEMU");
		if (!qemu || !qemu[0])
			qemu = QEMU_DEFAULT_BINARY;
		if (audit_run_guest(qemu, cpu, guest, &text, &len) < 0)
			return AUDIT_EXIT_ERROR;
	}
	ret = audit_report_run(cpu, text, len, raw);
	free(text);
	return ret;
}
