/* Small POSIX helpers the launcher's event loops share. */
#ifndef LAUNCHER_FDIO_H
#define LAUNCHER_FDIO_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

/* CLOCK_MONOTONIC in milliseconds. */
int64_t fdio_now_ms(void);

/* Writes all LEN bytes to FD, across EINTR and short writes; on a
 * non-blocking FD that is full it waits (up to a second at a time) until
 * it drains. 0, or -1 when FD fails or closes. */
int fdio_write_all(int fd, const void *buf, size_t len);

/*
 * While a child (QEMU) runs: SIGINT, SIGTERM and SIGHUP are blocked except
 * inside ppoll(..., &s->waitmask), where the handler records them for the
 * loop to pass on (fdio_signal_take); SIGPIPE is ignored (a closed client
 * is a write error). s->orig is the mask from before, the child's.
 */
struct fdio_signals {
	sigset_t orig, waitmask;
	struct sigaction old[3], old_pipe;
};
void fdio_signals_catch(struct fdio_signals *s);
/* The signal recorded since the last call, 0 if none. */
int fdio_signal_take(void);
/* Unblocks with the handler still in place (a late signal only sets the
 * flag), then puts the old handlers back. */
void fdio_signals_restore(const struct fdio_signals *s);

#endif
