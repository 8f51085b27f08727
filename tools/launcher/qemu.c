/* QEMU command lines and the QEMU child process: see qemu.h. */
#include "fdio.h"
#include "qemu.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <trapeze/bootinfo.h>
#include <trapeze/netmac.h>

#include "config.h"

/* ---- command lines ------------------------------------------------------- */

void qemu_args_add(struct qemu_args *a, const char *fmt, ...)
{
	va_list ap;
	char *s;
	int n;

	if (a->oom)
		return;
	if (a->argc + 2 > a->cap) {
		size_t cap = a->cap ? 2 * a->cap : 32;
		char **argv = realloc(a->argv, cap * sizeof(*argv));

		if (!argv) {
			a->oom = true;
			return;
		}
		a->argv = argv;
		a->cap = cap;
	}
	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0) {
		a->oom = true;
		return;
	}
	a->argv[a->argc++] = s;
	a->argv[a->argc] = NULL;
}

void qemu_args_free(struct qemu_args *a)
{
	for (size_t i = 0; i < a->argc; i++)
		free(a->argv[i]);
	free(a->argv);
	*a = (struct qemu_args){ 0 };
}

char *qemu_escape_opt(const char *s)
{
	size_t len = strlen(s), commas = 0;
	char *out, *o;

	for (const char *c = s; *c; c++)
		commas += *c == ',';
	out = malloc(len + commas + 1);
	if (!out)
		return NULL;
	for (o = out; *s; s++) {
		*o++ = *s;
		if (*s == ',')
			*o++ = ',';
	}
	*o = '\0';
	return out;
}

/* The part both modes share: machine, CPU, RAM, console, firmware. */
static void qemu_args_machine(struct qemu_args *a, const char *qemu, const char *cpu,
			      unsigned smp, uint64_t memory)
{
	char mem[32];

	config_format_size(memory, mem, sizeof(mem));
	qemu_args_add(a, "%s", qemu);
	qemu_args_add(a, "-M");
	qemu_args_add(a, "virt");
	qemu_args_add(a, "-cpu");
	qemu_args_add(a, "%s", cpu);
	qemu_args_add(a, "-smp");
	qemu_args_add(a, "%u", smp);
	qemu_args_add(a, "-m");
	qemu_args_add(a, "%s", mem);
	/* The console on a chardev of its own, no multiplexer (with
	 * -nographic QEMU's would swallow Ctrl-A and the key after it): the
	 * launcher owns the terminal (console.c). */
	qemu_args_add(a, "-display");
	qemu_args_add(a, "none");
	qemu_args_add(a, "-chardev");
	qemu_args_add(a, "stdio,id=con,mux=off,signal=off");
	qemu_args_add(a, "-serial");
	qemu_args_add(a, "chardev:con");
	qemu_args_add(a, "-monitor");
	qemu_args_add(a, "none");
	qemu_args_add(a, "-bios");
	qemu_args_add(a, "default");
	/* The modern virtio-mmio interface (Virtio 1.2, 4.2.2; version 2)
	 * rather than QEMU 7.2's legacy default, for bare runs and Trapeze's
	 * host alike: Trapeze's own slots answer version 2. */
	qemu_args_add(a, "-global");
	qemu_args_add(a, "virtio-mmio.force-legacy=false");
}

static void qemu_args_loader(struct qemu_args *a, const char *path, uint64_t hpa)
{
	char *file = qemu_escape_opt(path);

	if (!file) {
		a->oom = true;
		return;
	}
	qemu_args_add(a, "-device");
	qemu_args_add(a, "loader,file=%s,addr=0x%llx,force-raw=on", file,
		      (unsigned long long)hpa);
	free(file);
}

int qemu_args_trapeze(struct qemu_args *a, const char *qemu,
		      const struct machine_desc *m, uint64_t memory,
		      const char *trapeze_bin, const char *bootinfo,
		      const struct qemu_module *mods, size_t nmods)
{
	qemu_args_machine(a, qemu, m->cpu, m->harts, memory);
	qemu_args_add(a, "-kernel");
	qemu_args_add(a, "%s", trapeze_bin);
	qemu_args_loader(a, bootinfo, BOOTINFO_HPA);
	for (size_t i = 0; i < nmods; i++)
		qemu_args_loader(a, mods[i].path, mods[i].hpa);
	return a->oom ? -1 : 0;
}

void qemu_args_devices(struct qemu_args *a, const struct vm_desc *vms, unsigned nvms)
{
	unsigned drive = 0;
	bool rng = false;

	for (unsigned i = 0; i < nvms; i++) {
		for (unsigned k = 0; k < vms[i].ndisks; k++) {
			char *file = qemu_escape_opt(vms[i].disks[k].path);
			if (!file) {
				a->oom = true;
				return;
			}
			/* The drive's cache mode, stated: the host page cache
			 * (writeback); a guest FLUSH becomes QEMU's fdatasync. */
			qemu_args_add(a, "-drive");
			qemu_args_add(a, "file=%s,format=raw,if=none,id=disk%u,cache=writeback%s",
				      file, drive, vms[i].disks[k].readonly ? ",readonly=on" : "");
			qemu_args_add(a, "-device");
			qemu_args_add(a, "virtio-blk-device,drive=disk%u", drive);
			drive++;
			free(file);
		}
		rng |= vms[i].rng;
	}
	if (rng) {
		qemu_args_add(a, "-device");
		qemu_args_add(a, "virtio-rng-device");
	}
}

static void qemu_args_hostfwds(struct qemu_args *a, char *buf, size_t cap,
			       const struct config *cfg, const struct vm_desc *only)
{
	size_t len = strlen(buf);

	for (unsigned i = 0; i < cfg->nnets; i++) {
		const struct net_desc *n = &cfg->nets[i];
		if (!n->uplink)
			continue;
		for (unsigned f = 0; f < n->nfwds; f++) {
			const struct fwd_desc *fw = &n->fwds[f];
			const struct vm_desc *vm = NULL;
			for (unsigned k = 0; k < cfg->nvms; k++)
				if (strcmp(cfg->vms[k].name, fw->vm) == 0)
					vm = &cfg->vms[k];
			if (vm == NULL || (only && vm != only))
				continue;
			uint32_t ip = vm->address;
			len += (size_t)snprintf(buf + len, len < cap ? cap - len : 0,
						",hostfwd=%s:127.0.0.1:%u-%u.%u.%u.%u:%u",
						fw->udp ? "udp" : "tcp", fw->host_port, ip >> 24,
						(ip >> 16) & 0xff, (ip >> 8) & 0xff, ip & 0xff,
						fw->guest_port);
		}
	}
	if (len >= cap)
		a->oom = true;
}

void qemu_args_network(struct qemu_args *a, const struct config *cfg, const struct vm_desc *bare)
{
	/* QEMU user networking (libslirp) with restrict=on: the guest side
	 * reaches nothing outside QEMU but its DHCP server, and the host
	 * reaches the guest only through the forwarded 127.0.0.1 ports. */
	char user[4096] = "user,id=uplink,restrict=on,net=10.0.2.0/24,dhcpstart=10.0.2.15";
	bool uplink = false;

	if (bare) {
		if (!bare->net_line)
			return;
		uplink = cfg->nets[bare->net_index].uplink;
	} else {
		for (unsigned i = 0; i < cfg->nnets; i++)
			uplink |= cfg->nets[i].uplink;
		if (!uplink)
			return;
	}
	qemu_args_add(a, "-netdev");
	if (uplink) {
		qemu_args_hostfwds(a, user, sizeof(user), cfg, bare);
		qemu_args_add(a, "%s", user);
	} else {
		/* A switch without uplink, the VM alone on it: a hub port
		 * with nothing else on the hub. */
		qemu_args_add(a, "hubport,id=uplink,hubid=0");
	}
	qemu_args_add(a, "-device");
	if (bare) {
		uint8_t m[NETMAC_LEN];
		netmac_from_name(bare->name, m);
		qemu_args_add(a, "virtio-net-device,netdev=uplink,mac=%02x:%02x:%02x:%02x:%02x:%02x",
			      m[0], m[1], m[2], m[3], m[4], m[5]);
	} else {
		qemu_args_add(a, "virtio-net-device,netdev=uplink");
	}
}

int qemu_args_bare(struct qemu_args *a, const char *qemu,
		   const struct machine_desc *m, const struct vm_desc *vm)
{
	qemu_args_machine(a, qemu, m->cpu, vm->vcpus, vm->memory);
	qemu_args_add(a, "-kernel");
	qemu_args_add(a, "%s", vm->kernel);
	if (vm->initrd[0]) {
		qemu_args_add(a, "-initrd");
		qemu_args_add(a, "%s", vm->initrd);
	}
	if (vm->bootargs[0]) {
		qemu_args_add(a, "-append");
		qemu_args_add(a, "%s", vm->bootargs);
	}
	qemu_args_devices(a, vm, 1);
	return a->oom ? -1 : 0;
}

/* ---- child processes ------------------------------------------------------- */

/*
 * fork + exec ARGV with stdout and stderr on OUT_FD, stdin on IN_FD (-1:
 * inherited) and the signal mask MASK. An exec failure is reported on our
 * own stderr if OWN_STDERR, else into OUT_FD, and the child exits 127.
 */
static pid_t qemu_spawn(char *const argv[], int in_fd, int out_fd, const sigset_t *mask,
			bool own_stderr)
{
	int errfd = own_stderr ? fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 3) : -1;
	pid_t pid = fork();

	if (pid == 0) {
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		signal(SIGHUP, SIG_DFL);
		signal(SIGPIPE, SIG_DFL);
		sigprocmask(SIG_SETMASK, mask, NULL);
		if ((in_fd >= 0 && dup2(in_fd, STDIN_FILENO) < 0) ||
		    dup2(out_fd, STDOUT_FILENO) < 0 || dup2(out_fd, STDERR_FILENO) < 0)
			_exit(127);
		execvp(argv[0], argv);
		dprintf(errfd >= 0 ? errfd : STDERR_FILENO, "trapeze: cannot run %s: %s\n",
			argv[0], strerror(errno));
		_exit(127);
	}
	if (errfd >= 0)
		close(errfd);
	return pid;
}

static int qemu_wait(pid_t pid, int *status)
{
	while (waitpid(pid, status, 0) < 0) {
		if (errno != EINTR)
			return -1;
	}
	return 0;
}

/* SIGTERM first, so QEMU restores the terminal; SIGKILL if it lingers. */
static void qemu_stop(pid_t pid, int *status)
{
	kill(pid, SIGTERM);
	for (int i = 0; i < 60; i++) {
		struct timespec ts = { 0, 50 * 1000 * 1000 };

		if (waitpid(pid, status, WNOHANG) == pid)
			return;
		nanosleep(&ts, NULL);
	}
	kill(pid, SIGKILL);
	qemu_wait(pid, status);
}

static int qemu_status(int status)
{
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}

int qemu_dump_dtb(const char *qemu, const char *cpu, const char *path,
		  char *err, size_t errlen)
{
	char *machine_path = qemu_escape_opt(path), out[4096], *line;
	char *argv[] = { (char *)qemu, "-M", NULL, "-cpu", (char *)cpu, "-smp", "1",
			 "-m", "128M", "-nographic", NULL };
	size_t got = 0;
	int pfd[2], devnull, status = 0;
	sigset_t mask;
	pid_t pid;

	if (!machine_path || asprintf(&argv[2], "virt,dumpdtb=%s", machine_path) < 0) {
		free(machine_path);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	free(machine_path);
	devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (devnull < 0 || pipe2(pfd, O_CLOEXEC) != 0) {
		snprintf(err, errlen, "%s", strerror(errno));
		if (devnull >= 0)
			close(devnull);
		free(argv[2]);
		return -1;
	}
	sigprocmask(SIG_SETMASK, NULL, &mask);
	pid = qemu_spawn(argv, devnull, pfd[1], &mask, false);
	close(pfd[1]);
	close(devnull);
	free(argv[2]);
	for (;;) {
		ssize_t n;

		if (got == sizeof(out) - 1)
			got = 0;        /* keep the tail: the last line is the useful one */
		n = read(pfd[0], out + got, sizeof(out) - 1 - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	close(pfd[0]);
	out[got] = '\0';
	if (pid < 0) {
		snprintf(err, errlen, "fork: %s", strerror(errno));
		return -1;
	}
	qemu_wait(pid, &status);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0 && access(path, R_OK) == 0)
		return 0;
	while (got > 0 && (out[got - 1] == '\n' || out[got - 1] == '\r'))
		out[--got] = '\0';
	line = strrchr(out, '\n');
	line = line ? line + 1 : out;
	snprintf(err, errlen, "%s -cpu %s failed (status %d)%s%s", qemu, cpu,
		 qemu_status(status), line[0] ? ": " : "", line);
	return -1;
}

/* Only as the terminal's foreground group: from the background, SIGTTOU. */
static void qemu_restore_tty(const struct termios *tio)
{
	if (tcgetpgrp(STDIN_FILENO) == getpgrp())
		tcsetattr(STDIN_FILENO, TCSANOW, tio);
}

/*
 * Copies the child's output to stdout until EOF, passing signals on.
 * Returns 0 at EOF, 1 when the watchdog expired. *FORWARDED: the last
 * signal passed on, or 0.
 */
static int qemu_forward(pid_t pid, int fd, uint64_t silence_ms,
			const sigset_t *waitmask, int *forwarded)
{
	int64_t limit = silence_ms ? (int64_t)silence_ms : -1;
	int64_t last = fdio_now_ms();
	bool out_ok = true;
	char buf[4096];

	for (;;) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		struct timespec ts, *tsp = NULL;
		ssize_t n;
		int r;

		if (limit >= 0) {
			int64_t left = last + limit - fdio_now_ms();

			if (left <= 0)
				return 1;
			ts.tv_sec = left / 1000;
			ts.tv_nsec = (left % 1000) * 1000000;
			tsp = &ts;
		}
		r = ppoll(&pfd, 1, tsp, waitmask);
		int sig = fdio_signal_take();
		if (sig) {
			*forwarded = sig;
			kill(pid, *forwarded);
		}
		if (r <= 0)
			continue;       /* EINTR, or time to check the watchdog */
		n = read(fd, buf, sizeof(buf));
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n <= 0)
			return 0;
		last = fdio_now_ms();
		/* If our reader went away, keep draining so QEMU never blocks. */
		if (out_ok && fdio_write_all(STDOUT_FILENO, buf, (size_t)n) != 0)
			out_ok = false;
	}
}

int qemu_run(char *const argv[], unsigned hang_timeout_s)
{
	uint64_t ms = hang_timeout_s ? (hang_timeout_s + (uint64_t)QEMU_HANG_GRACE_S) * 1000 : 0;

	return qemu_supervise(argv, ms);
}

int qemu_supervise(char *const argv[], uint64_t silence_ms)
{
	struct fdio_signals sig;
	struct termios tio;
	bool tty = isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &tio) == 0;
	int pfd[2], status = 0, forwarded = 0, hung, ret;
	pid_t pid;

	if (pipe2(pfd, O_CLOEXEC) != 0) {
		fprintf(stderr, "trapeze: pipe: %s\n", strerror(errno));
		return 127;
	}
	fdio_signals_catch(&sig);

	fflush(stdout);
	pid = qemu_spawn(argv, -1, pfd[1], &sig.orig, true);
	close(pfd[1]);
	if (pid < 0) {
		fprintf(stderr, "trapeze: fork: %s\n", strerror(errno));
		close(pfd[0]);
		ret = 127;
		goto out;
	}

	hung = qemu_forward(pid, pfd[0], silence_ms, &sig.waitmask, &forwarded);
	if (hung)
		qemu_stop(pid, &status);
	close(pfd[0]);
	if (!hung)
		qemu_wait(pid, &status);
	if (tty)
		qemu_restore_tty(&tio);

	if (hung) {
		fprintf(stderr, "trapeze: no output for %llu s, stopped\n",
			(unsigned long long)(silence_ms + 999) / 1000);
		ret = QEMU_EXIT_HUNG;
	} else if (WIFSIGNALED(status)) {
		ret = 128 + WTERMSIG(status);
	} else if (forwarded) {
		/* QEMU exits 0 on SIGINT/SIGTERM; the run was still interrupted. */
		ret = 128 + forwarded;
	} else {
		ret = WEXITSTATUS(status);
	}
out:
	fdio_signals_restore(&sig);
	return ret;
}
