/*
 * /init of Trapeze's Linux guest initramfs: the first user process.
 *
 * Prints "trapeze-init: start" before anything else (the boot-to-init mark),
 * then "trapeze-init: boottime-us N" (CLOCK_BOOTTIME when init started),
 * mounts /proc, /sys, /dev (devtmpfs) and /tmp (tmpfs) and picks one of three
 * modes from the kernel command line (/proc/cmdline):
 *
 *   trapeze.cmd=CMD    runs /bin/sh -c CMD, prints "trapeze-init: exit N"
 *                      and powers off;
 *   trapeze.bench=S    runs /bin/bench -n S (every benchmark, iterations
 *                      scaled by S; 1 is the default size, 0 means off),
 *                      prints "trapeze-init: exit N" and powers off;
 *   neither            an interactive /bin/sh on the console, which is made
 *                      the shell's controlling terminal (job control works);
 *                      powers off when the shell exits.
 *
 * trapeze.cmd wins over trapeze.bench. N is the exit status, or 128 + the
 * signal number if the command was killed.
 *
 * Writing CMD on a command line: the command line splits at blanks that are
 * outside double quotes, as Linux itself splits it (lib/cmdline.c, next_arg),
 * so a value with blanks goes in quotes: trapeze.cmd="uname -a; ls /".
 * Then, in this order: every double quote is dropped, and %XX (two hex
 * digits) stands for the byte 0xXX, so %22 is a double quote, %25 a percent
 * sign and %20 a blank. Nothing else is special ('+' stays '+'). Trapeze's
 * config files end a value at " ;" or " #" (a comment), so write those as
 * %3B and %23 there: trapeze.cmd="true%3B echo ok" or "true; echo ok".
 *
 * Everything is written with write(2) on the console so that lines come out
 * whole and in order with the children's output.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#define INIT_CMDLINE_MAX        4096    /* Linux's own limit is 1024 on RISC-V */
#define INIT_SHELL              "/bin/sh"
#define INIT_BENCH              "/bin/bench"
#define INIT_PATH               "/bin:/sbin:/usr/bin:/usr/sbin"

enum init_mode {
	INIT_MODE_SHELL,
	INIT_MODE_CMD,
	INIT_MODE_BENCH,
};

struct init_request {
	enum init_mode mode;
	char cmd[INIT_CMDLINE_MAX];     /* INIT_MODE_CMD: the decoded command */
	char bench_scale[64];           /* INIT_MODE_BENCH: the -n argument */
};

static void init_say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void init_say(const char *fmt, ...)
{
	char line[512];
	va_list ap;
	int n;

	n = snprintf(line, sizeof(line), "trapeze-init: ");
	va_start(ap, fmt);
	n += vsnprintf(line + n, sizeof(line) - (size_t)n - 1, fmt, ap);
	va_end(ap);
	if (n > (int)sizeof(line) - 2)
		n = (int)sizeof(line) - 2;
	line[n++] = '\n';
	(void)!write(STDOUT_FILENO, line, (size_t)n);
}

static void init_mount(const char *source, const char *target, const char *type)
{
	if (mkdir(target, 0755) != 0 && errno != EEXIST)
		init_say("mkdir %s: %s", target, strerror(errno));
	if (mount(source, target, type, MS_NOSUID, NULL) != 0 && errno != EBUSY)
		init_say("mount %s on %s: %s", type, target, strerror(errno));
}

static int init_hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* %XX -> byte, in place; a '%' not followed by two hex digits stays. */
static void init_percent_decode(char *s)
{
	char *out = s;

	while (*s) {
		int hi, lo;

		if (s[0] == '%' && (hi = init_hex_digit(s[1])) >= 0 &&
		    (lo = init_hex_digit(s[2])) >= 0 && (hi || lo)) {
			*out++ = (char)(hi << 4 | lo);
			s += 3;
		} else {
			*out++ = *s++;
		}
	}
	*out = '\0';
}

/*
 * Copies the next argument of *P into TOK (CAP bytes) with its double quotes
 * dropped and advances *P. Blanks inside quotes do not split, as in Linux's
 * next_arg. Returns 0 at the end of the line.
 */
static int init_next_arg(const char **p, char *tok, size_t cap)
{
	const char *s = *p;
	size_t n = 0;
	int quoted = 0;

	while (*s == ' ' || *s == '\t' || *s == '\n')
		s++;
	if (*s == '\0')
		return 0;
	for (; *s && (quoted || (*s != ' ' && *s != '\t' && *s != '\n')); s++) {
		if (*s == '"')
			quoted = !quoted;
		else if (n + 1 < cap)
			tok[n++] = *s;
	}
	tok[n] = '\0';
	*p = s;
	return 1;
}

static void init_parse_cmdline(const char *line, struct init_request *req)
{
	static const char cmd_key[] = "trapeze.cmd=";
	static const char bench_key[] = "trapeze.bench=";
	char tok[INIT_CMDLINE_MAX];
	int have_cmd = 0;

	req->mode = INIT_MODE_SHELL;
	while (init_next_arg(&line, tok, sizeof(tok))) {
		if (strncmp(tok, cmd_key, sizeof(cmd_key) - 1) == 0) {
			snprintf(req->cmd, sizeof(req->cmd), "%s", tok + sizeof(cmd_key) - 1);
			init_percent_decode(req->cmd);
			have_cmd = 1;
		} else if (strncmp(tok, bench_key, sizeof(bench_key) - 1) == 0) {
			const char *v = tok + sizeof(bench_key) - 1;

			if (strtod(v, NULL) > 0) {
				snprintf(req->bench_scale, sizeof(req->bench_scale), "%.*s",
					 (int)sizeof(req->bench_scale) - 1, v);
				if (req->mode == INIT_MODE_SHELL)
					req->mode = INIT_MODE_BENCH;
			}
		}
	}
	if (have_cmd)
		req->mode = INIT_MODE_CMD;
}

static void init_read_cmdline(struct init_request *req)
{
	char line[INIT_CMDLINE_MAX];
	ssize_t n = -1;
	int fd = open("/proc/cmdline", O_RDONLY | O_CLOEXEC);

	if (fd >= 0) {
		n = read(fd, line, sizeof(line) - 1);
		close(fd);
	}
	if (n < 0) {
		init_say("cannot read /proc/cmdline: %s", strerror(errno));
		n = 0;
	}
	line[n] = '\0';
	init_parse_cmdline(line, req);
}

/*
 * The tty behind /dev/console: the last name in
 * /sys/class/tty/console/active (busybox cttyhack does the same). /dev/console
 * itself cannot be a controlling terminal with job control.
 */
static int init_open_console_tty(void)
{
	char active[256], path[300], *name;
	ssize_t n = -1;
	int fd = open("/sys/class/tty/console/active", O_RDONLY | O_CLOEXEC);

	if (fd >= 0) {
		n = read(fd, active, sizeof(active) - 1);
		close(fd);
	}
	if (n > 0) {
		active[n] = '\0';
		active[strcspn(active, "\n")] = '\0';
		name = strrchr(active, ' ');
		name = name ? name + 1 : active;
		snprintf(path, sizeof(path), "/dev/%s", name);
		fd = open(path, O_RDWR | O_NOCTTY);
		if (fd >= 0)
			return fd;
	}
	return open("/dev/console", O_RDWR | O_NOCTTY);
}

/* Status as a shell reports it: the exit code, or 128 + the signal. */
static int init_exit_code(int status)
{
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}

/* Waits for PID, reaping any other child that ends first. */
static int init_wait(pid_t pid, int *status)
{
	for (;;) {
		pid_t w = wait(status);

		if (w == pid)
			return 0;
		if (w < 0 && errno != EINTR)
			return -1;
	}
}

/*
 * The session leader: a new session whose controlling terminal is the
 * console, with ARGV run in it as a child. It does not exec ARGV itself:
 * when a session leader exits, Linux hangs up its terminal and the UART
 * driver drops whatever it has not sent yet (__tty_hangup flushes the
 * buffer). So this process outlives the command, waits until the output
 * has gone (tcdrain) and only then exits, with the command's status.
 */
static void init_run_session(char *const argv[])
{
	static const int ignored[] = { SIGINT, SIGQUIT, SIGTSTP, SIGTTIN, SIGTTOU, SIGHUP };
	int fd, status;
	pid_t pid;

	setsid();
	fd = init_open_console_tty();
	if (fd >= 0) {
		ioctl(fd, TIOCSCTTY, 1);
		dup2(fd, STDIN_FILENO);
		dup2(fd, STDOUT_FILENO);
		dup2(fd, STDERR_FILENO);
		if (fd > STDERR_FILENO)
			close(fd);
	}
	pid = fork();
	if (pid < 0) {
		init_say("fork: %s", strerror(errno));
		_exit(127);
	}
	if (pid == 0) {
		execv(argv[0], argv);
		init_say("exec %s: %s", argv[0], strerror(errno));
		_exit(127);
	}
	/* ^C and job control are for the command; SIGTTOU would stop tcdrain. */
	for (size_t i = 0; i < sizeof(ignored) / sizeof(ignored[0]); i++)
		signal(ignored[i], SIG_IGN);
	if (init_wait(pid, &status) != 0)
		_exit(127);
	tcdrain(STDOUT_FILENO);
	_exit(init_exit_code(status));
}

/* Runs ARGV in its own session; returns its exit status (see init_exit_code). */
static int init_run(char *const argv[])
{
	pid_t pid = fork();
	int status;

	if (pid < 0) {
		init_say("fork: %s", strerror(errno));
		return 127;
	}
	if (pid == 0)
		init_run_session(argv);
	/* As PID 1 we also inherit orphans: init_wait reaps them. */
	if (init_wait(pid, &status) != 0)
		return 127;
	return init_exit_code(status);
}

static void init_power_off(void)
{
	/*
	 * The UART driver sends from its own buffer, from its interrupt or (with
	 * no interrupt line) a timer: wait until it is empty, or the last lines
	 * die with the machine.
	 */
	tcdrain(STDOUT_FILENO);
	kill(-1, SIGTERM);
	kill(-1, SIGKILL);
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
	sync();
	reboot(RB_POWER_OFF);
	/* PID 1 must not exit (the kernel would panic): wait to be stopped. */
	init_say("power off failed: %s", strerror(errno));
	for (;;)
		pause();
}

/*
 * busybox's halt, poweroff and reboot signal PID 1 as busybox init expects
 * (init/init.c: SIGUSR1 halt, SIGUSR2 power off, SIGTERM reboot); the
 * kernel ignores signals PID 1 has no handler for, so without these a
 * plain `poweroff` at the shell would do nothing.
 */
static void init_on_signal(int sig)
{
	/* Children forked before they exec inherit this handler: for them a
	 * signal is just the end (init_power_off sends SIGTERM to them all). */
	if (getpid() != 1)
		_exit(128 + sig);
	if (sig == SIGTERM) {
		tcdrain(STDOUT_FILENO);
		sync();
		reboot(RB_AUTOBOOT);
	}
	init_power_off();
}

int main(void)
{
	static struct init_request req;
	struct timespec boot;
	int status;

	signal(SIGUSR1, init_on_signal);
	signal(SIGUSR2, init_on_signal);
	signal(SIGTERM, init_on_signal);

	clock_gettime(CLOCK_BOOTTIME, &boot);
	init_say("start");
	init_say("boottime-us %lld",
		 (long long)boot.tv_sec * 1000000 + boot.tv_nsec / 1000);

	init_mount("proc", "/proc", "proc");
	init_mount("sysfs", "/sys", "sysfs");
	init_mount("devtmpfs", "/dev", "devtmpfs");
	init_mount("tmpfs", "/tmp", "tmpfs");
	setenv("PATH", INIT_PATH, 1);
	setenv("HOME", "/", 1);
	setenv("SHELL", INIT_SHELL, 1);
	if (!getenv("TERM"))
		setenv("TERM", "vt100", 1);
	(void)!chdir("/");

	init_read_cmdline(&req);
	switch (req.mode) {
	case INIT_MODE_CMD: {
		char *argv[] = { INIT_SHELL, "-c", req.cmd, NULL };

		status = init_run(argv);
		break;
	}
	case INIT_MODE_BENCH: {
		char *argv[] = { INIT_BENCH, "-n", req.bench_scale, NULL };

		status = init_run(argv);
		break;
	}
	default: {
		char *argv[] = { INIT_SHELL, NULL };

		status = init_run(argv);
		break;
	}
	}
	init_say("exit %d", status);
	init_power_off();
	return 0;
}
