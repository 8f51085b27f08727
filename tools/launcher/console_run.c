/* The console's event loop around QEMU, and `trapeze monitor`: see console.h. */
#include "fdio.h"
#include "console.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "qemu.h"

#define MAX_CLIENTS     8
#define TO_QEMU_MAX     (1u << 20)      /* typed input held while QEMU does not read */

struct client {
	int fd;
	char line[200];
	size_t len;
	bool queued;            /* its line went to the monitor: wait for the reply */
};

struct run {
	struct console con;
	char *to_qemu;          /* bytes for QEMU's serial input not yet written */
	size_t to_qemu_len;
	struct client clients[MAX_CLIENTS];
	bool out_ok;
};

static void sink_stdout(void *ctx, const char *buf, size_t len)
{
	struct run *r = ctx;

	/* If our reader went away, keep draining so QEMU never blocks. */
	if (r->out_ok)
		fdio_write_all(STDOUT_FILENO, buf, len);
}

static void sink_qemu(void *ctx, const char *buf, size_t len)
{
	struct run *r = ctx;
	char *p;

	if (r->to_qemu_len + len > TO_QEMU_MAX)
		return;
	p = realloc(r->to_qemu, r->to_qemu_len + len);
	if (!p)
		return;
	memcpy(p + r->to_qemu_len, buf, len);
	r->to_qemu = p;
	r->to_qemu_len += len;
}

static void reply_done(struct console *c, const struct console_req *req,
		       const char *text, size_t len)
{
	struct run *r = (struct run *)((char *)c - offsetof(struct run, con));

	if (req->fd < 0) {
		c->out(c->ctx, text, len);
		c->at_bol = len == 0 || text[len - 1] == '\n';
		if (c->in_monitor) {
			c->out(c->ctx, "(trapeze) ", 10);
			c->at_bol = false;
		}
		return;
	}
	for (unsigned i = 0; i < MAX_CLIENTS; i++) {
		if (r->clients[i].fd == req->fd) {
			fdio_write_all(req->fd, text, len);
			close(req->fd);
			r->clients[i].fd = -1;
		}
	}
}

static int socket_listen(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		fprintf(stderr, "trapeze: monitor socket path too long: %s\n", path);
		return -1;
	}
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -1;
	unlink(path);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 || listen(fd, 4) != 0) {
		fprintf(stderr, "trapeze: monitor socket %s: %s\n", path, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

static void client_read(struct run *r, struct client *cl)
{
	char buf[256];
	ssize_t n = read(cl->fd, buf, sizeof(buf));

	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n <= 0 && !cl->queued) {
		close(cl->fd);
		cl->fd = -1;
		return;
	}
	for (ssize_t i = 0; i < n && !cl->queued; i++) {
		if (buf[i] == '\n' || cl->len + 1 == sizeof(cl->line)) {
			cl->line[cl->len] = '\0';
			cl->queued = true;
			if (console_monitor_request(&r->con, cl->fd, cl->line) != 0) {
				fdio_write_all(cl->fd, "monitor busy\n", 13);
				close(cl->fd);
				cl->fd = -1;
			}
			return;
		}
		cl->line[cl->len++] = buf[i];
	}
}

static void tty_raw(struct termios *saved)
{
	struct termios t = *saved;

	/* As cfmakeraw, but output processing stays on: "\n" still starts a
	 * line (QEMU's own stdio chardev does the same). Ctrl-C goes to the
	 * guest, not to us. */
	t.c_iflag &= ~(tcflag_t)(IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR | IGNCR | ICRNL | IXON);
	t.c_lflag &= ~(tcflag_t)(ECHO | ECHONL | ICANON | ISIG | IEXTEN);
	t.c_cflag |= CS8;
	t.c_cc[VMIN] = 1;
	t.c_cc[VTIME] = 0;
	tcsetattr(STDIN_FILENO, TCSANOW, &t);
}

int console_run(char *const argv[], unsigned hang_timeout_s, bool framed, unsigned nvms,
		const char names[][BOOTINFO_NAME_MAX], const char *monitor_path)
{
	static struct run r;
	struct fdio_signals sig;
	struct termios tio;
	bool tty = isatty(STDIN_FILENO) && isatty(STDOUT_FILENO) &&
		   tcgetattr(STDIN_FILENO, &tio) == 0;
	int in[2], out[2], err[2], lfd = -1, status = 0, forwarded = 0, ret;
	/* The launcher's own watchdog (Trapeze itself silent) only when no one
	 * types: an idle interactive VM is silent by right (lifecycle.c). */
	int64_t limit = hang_timeout_s && !tty ?
			((int64_t)hang_timeout_s + QEMU_HANG_GRACE_S) * 1000 : -1;
	int64_t last = fdio_now_ms();
	bool stdin_open = true, hung = false, out_eof = false, err_eof = false, quitting = false;
	pid_t pid;

	memset(&r, 0, sizeof(r));
	r.out_ok = true;
	r.con.out = sink_stdout;
	r.con.to_qemu = sink_qemu;
	r.con.ctx = &r;
	console_init(&r.con, framed, tty, nvms, names);
	r.con.reply_done = reply_done;
	for (unsigned i = 0; i < MAX_CLIENTS; i++)
		r.clients[i].fd = -1;

	if (pipe2(in, O_CLOEXEC) != 0 || pipe2(out, O_CLOEXEC) != 0 || pipe2(err, O_CLOEXEC) != 0) {
		fprintf(stderr, "trapeze: pipe: %s\n", strerror(errno));
		return 127;
	}
	fcntl(in[1], F_SETFL, O_NONBLOCK);
	if (framed && monitor_path)
		lfd = socket_listen(monitor_path);
	fdio_signals_catch(&sig);

	fflush(stdout);
	pid_t launcher = getpid();
	pid = fork();
	if (pid == 0) {
		/* QEMU never outlives the launcher: a launcher killed outright
		 * (SIGKILL, a test's timeout) cannot pass anything on, and QEMU
		 * in its own process group would run on, orphaned. */
		if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != launcher)
			_exit(127);
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		signal(SIGHUP, SIG_DFL);
		signal(SIGPIPE, SIG_DFL);
		sigprocmask(SIG_SETMASK, &sig.orig, NULL);
		/* Its own process group: the terminal's signals are ours to pass on. */
		setpgid(0, 0);
		if (dup2(in[0], STDIN_FILENO) < 0 || dup2(out[1], STDOUT_FILENO) < 0 ||
		    dup2(err[1], STDERR_FILENO) < 0)
			_exit(127);
		execvp(argv[0], argv);
		dprintf(err[1], "trapeze: cannot run %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	close(err[1]);
	if (pid < 0) {
		fprintf(stderr, "trapeze: fork: %s\n", strerror(errno));
		ret = 127;
		goto out;
	}
	if (tty)
		tty_raw(&tio);

	while (!out_eof || !err_eof) {
		struct pollfd pfd[4 + MAX_CLIENTS];
		int idx_cl[MAX_CLIENTS];
		unsigned n = 0;
		struct timespec ts, *tsp = NULL;
		char buf[4096];

		pfd[n++] = (struct pollfd){ .fd = out_eof ? -1 : out[0], .events = POLLIN };
		pfd[n++] = (struct pollfd){ .fd = err_eof ? -1 : err[0], .events = POLLIN };
		pfd[n++] = (struct pollfd){ .fd = stdin_open ? STDIN_FILENO : -1, .events = POLLIN };
		pfd[n++] = (struct pollfd){ .fd = r.to_qemu_len ? in[1] : (lfd >= 0 ? lfd : -1),
					    .events = r.to_qemu_len ? POLLOUT : POLLIN };
		for (unsigned i = 0; i < MAX_CLIENTS; i++) {
			idx_cl[i] = -1;
			if (r.clients[i].fd >= 0 && !r.clients[i].queued) {
				idx_cl[i] = (int)n;
				pfd[n++] = (struct pollfd){ .fd = r.clients[i].fd, .events = POLLIN };
			}
		}
		if (limit >= 0 && !quitting) {
			int64_t left = last + limit - fdio_now_ms();
			if (left <= 0) {
				hung = true;
				break;
			}
			ts.tv_sec = left / 1000;
			ts.tv_nsec = (left % 1000) * 1000000;
			tsp = &ts;
		}
		int rc = ppoll(pfd, n, tsp, &sig.waitmask);
		int caught = fdio_signal_take();
		if (caught) {
			forwarded = caught;
			kill(pid, forwarded);
		}
		if (rc <= 0)
			continue;
		if (pfd[0].revents) {
			ssize_t k = read(out[0], buf, sizeof(buf));
			if (k > 0) {
				last = fdio_now_ms();
				console_from_qemu(&r.con, buf, (size_t)k);
			} else if (k == 0 || (errno != EINTR && errno != EAGAIN)) {
				out_eof = true;
			}
		}
		if (pfd[1].revents) {
			ssize_t k = read(err[0], buf, sizeof(buf));
			if (k > 0) {
				last = fdio_now_ms();
				sink_stdout(&r, buf, (size_t)k);
			} else if (k == 0 || (errno != EINTR && errno != EAGAIN)) {
				err_eof = true;
			}
		}
		if (pfd[2].revents) {
			ssize_t k = read(STDIN_FILENO, buf, sizeof(buf));
			if (k > 0)
				console_from_user(&r.con, buf, (size_t)k);
			else if (k == 0 || (errno != EINTR && errno != EAGAIN))
				stdin_open = false;
			if (r.con.quit && !quitting) {
				quitting = true;
				kill(pid, SIGTERM);
			}
		}
		if (pfd[3].revents && r.to_qemu_len) {
			ssize_t k = write(in[1], r.to_qemu, r.to_qemu_len);
			if (k > 0) {
				memmove(r.to_qemu, r.to_qemu + k, r.to_qemu_len - (size_t)k);
				r.to_qemu_len -= (size_t)k;
			} else if (k < 0 && errno != EAGAIN && errno != EINTR) {
				r.to_qemu_len = 0;
			}
		} else if (pfd[3].revents && lfd >= 0) {
			int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
			for (unsigned i = 0; fd >= 0 && i < MAX_CLIENTS; i++) {
				if (r.clients[i].fd < 0) {
					r.clients[i] = (struct client){ .fd = fd };
					fd = -1;
				}
			}
			if (fd >= 0)
				close(fd);
		}
		for (unsigned i = 0; i < MAX_CLIENTS; i++)
			if (idx_cl[i] >= 0 && pfd[idx_cl[i]].revents)
				client_read(&r, &r.clients[i]);
	}
	if (hung) {
		kill(pid, SIGTERM);
		for (int i = 0; i < 60 && waitpid(pid, &status, WNOHANG) != pid; i++)
			nanosleep(&(struct timespec){ 0, 50 * 1000 * 1000 }, NULL);
		kill(pid, SIGKILL);
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (hung) {
		fprintf(stderr, "trapeze: no output for %llu s, stopped\n",
			(unsigned long long)(limit + 999) / 1000);
		ret = QEMU_EXIT_HUNG;
	} else if (WIFSIGNALED(status)) {
		ret = quitting ? 0 : 128 + WTERMSIG(status);
	} else if (forwarded) {
		ret = 128 + forwarded;
	} else {
		ret = WEXITSTATUS(status);
	}
out:
	if (tty && tcgetpgrp(STDIN_FILENO) == getpgrp())
		tcsetattr(STDIN_FILENO, TCSANOW, &tio);
	close(in[1]);
	close(out[0]);
	close(err[0]);
	for (unsigned i = 0; i < MAX_CLIENTS; i++)
		if (r.clients[i].fd >= 0)
			close(r.clients[i].fd);
	if (lfd >= 0) {
		close(lfd);
		unlink(monitor_path);
	}
	free(r.to_qemu);
	console_fini(&r.con);
	fdio_signals_restore(&sig);
	return ret;
}

/* ---- trapeze monitor ------------------------------------------------------ */

int console_socket_dir(char *out, size_t len)
{
	const char *xdg = getenv("XDG_RUNTIME_DIR");
	int n;

	if (xdg && xdg[0])
		n = snprintf(out, len, "%s/trapeze", xdg);
	else
		n = snprintf(out, len, "/tmp/trapeze-%u", (unsigned)getuid());
	if (n < 0 || (size_t)n >= len)
		return -1;
	if (mkdir(out, 0700) != 0 && errno != EEXIST)
		return -1;
	return 0;
}

/* The one running instance's socket: RUN-PID.sock with PID alive. */
static int find_socket(char *out, size_t len)
{
	char dir[80];
	DIR *d;
	struct dirent *e;
	int found = 0;

	if (console_socket_dir(dir, sizeof(dir)) != 0 || !(d = opendir(dir)))
		return 0;
	while ((e = readdir(d))) {
		int pid;
		if (sscanf(e->d_name, "run-%d.sock", &pid) != 1 || kill(pid, 0) != 0)
			continue;
		if (found++ == 0 && strlen(dir) + strlen(e->d_name) + 2 <= len) {
			strcpy(out, dir);
			strcat(out, "/");
			strcat(out, e->d_name);
		}
	}
	closedir(d);
	return found;
}

int console_monitor_main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char path[sizeof(sa.sun_path)] = "", line[200] = "";
	int opt, fd;

	while ((opt = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
		if (opt == 's') {
			snprintf(path, sizeof(path), "%s", optarg);
		} else {
			printf("usage: trapeze monitor [--socket PATH] COMMAND [ARGS]\n"
			       "  sends COMMAND to a running `trapeze run` and prints the reply;\n"
			       "  without --socket, the one run of this user (see `help`)\n");
			return opt == 'h' ? 0 : 2;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "trapeze monitor: which command? (trapeze monitor help)\n");
		return 2;
	}
	for (int i = optind; i < argc; i++) {
		size_t l = strlen(line);
		snprintf(line + l, sizeof(line) - l, "%s%s", l ? " " : "", argv[i]);
	}
	if (!path[0]) {
		int n = find_socket(path, sizeof(path));
		if (n != 1) {
			fprintf(stderr, "trapeze monitor: %s; name one with --socket PATH\n",
				n ? "several runs are going" : "no run is going");
			return 1;
		}
	}
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		fprintf(stderr, "trapeze monitor: %s: %s\n", path, strerror(errno));
		return 1;
	}
	size_t l = strlen(line);
	line[l] = '\n';
	fdio_write_all(fd, line, l + 1);
	for (;;) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		char buf[4096];
		if (poll(&pfd, 1, 30000) <= 0) {
			fprintf(stderr, "trapeze monitor: no reply within 30 s\n");
			return 1;
		}
		ssize_t n = read(fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		fdio_write_all(STDOUT_FILENO, buf, (size_t)n);
	}
	close(fd);
	return 0;
}
