/* Small POSIX helpers: see fdio.h. */
#include "fdio.h"

#include <errno.h>
#include <poll.h>
#include <time.h>
#include <unistd.h>

static const int fdio_sigs[3] = { SIGINT, SIGTERM, SIGHUP };
static volatile sig_atomic_t fdio_pending_signal;

static void fdio_on_signal(int sig)
{
	fdio_pending_signal = sig;
}

void fdio_signals_catch(struct fdio_signals *s)
{
	struct sigaction sa = { .sa_handler = fdio_on_signal };
	sigset_t block;

	sigemptyset(&block);
	for (int i = 0; i < 3; i++)
		sigaddset(&block, fdio_sigs[i]);
	sigprocmask(SIG_BLOCK, &block, &s->orig);
	sigemptyset(&sa.sa_mask);
	for (int i = 0; i < 3; i++)
		sigaction(fdio_sigs[i], &sa, &s->old[i]);
	sigaction(SIGPIPE, &(struct sigaction){ .sa_handler = SIG_IGN }, &s->old_pipe);
	s->waitmask = s->orig;
	for (int i = 0; i < 3; i++)
		sigdelset(&s->waitmask, fdio_sigs[i]);
	fdio_pending_signal = 0;
}

int fdio_signal_take(void)
{
	int sig = fdio_pending_signal;

	fdio_pending_signal = 0;
	return sig;
}

void fdio_signals_restore(const struct fdio_signals *s)
{
	sigprocmask(SIG_SETMASK, &s->orig, NULL);
	for (int i = 0; i < 3; i++)
		sigaction(fdio_sigs[i], &s->old[i], NULL);
	sigaction(SIGPIPE, &s->old_pipe, NULL);
}

int64_t fdio_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int fdio_write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			struct pollfd pfd = { .fd = fd, .events = POLLOUT };
			poll(&pfd, 1, 1000);
			continue;
		}
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}
