/* Scratch files: see files.h. */
#include "fdio.h"
#include "files.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define FILES_MAX 64

static char files_dir[PATH_MAX];
static char *files_made[FILES_MAX];
static unsigned files_nmade;
static bool files_keep;

int files_tmpdir_create(void)
{
	const char *base = getenv("TMPDIR");

	if (files_dir[0])
		return 0;
	if (!base || !base[0])
		base = "/tmp";
	if (snprintf(files_dir, sizeof(files_dir), "%s/trapeze.XXXXXX", base) >=
	    (int)sizeof(files_dir)) {
		files_dir[0] = '\0';
		errno = ENAMETOOLONG;
		return -1;
	}
	if (!mkdtemp(files_dir)) {
		files_dir[0] = '\0';
		return -1;
	}
	atexit(files_tmpdir_remove);
	return 0;
}

const char *files_tmpdir_path(const char *name)
{
	char path[PATH_MAX];

	if (files_nmade == FILES_MAX ||
	    snprintf(path, sizeof(path), "%s/%s", files_dir, name) >= (int)sizeof(path))
		return NULL;
	/* Remembered whether or not it gets created: unlink copes. */
	files_made[files_nmade] = strdup(path);
	if (!files_made[files_nmade])
		return NULL;
	/* Counted only once the slot is filled, for files_on_signal. */
	return files_made[files_nmade++];
}

void files_tmpdir_remove(void)
{
	for (unsigned i = 0; i < files_nmade; i++) {
		if (!files_keep)
			unlink(files_made[i]);
		free(files_made[i]);
	}
	files_nmade = 0;
	if (files_dir[0] && !files_keep)
		rmdir(files_dir);
	files_dir[0] = '\0';
}

/* Async-signal-safe: unlink(2) and rmdir(2) only, no free. */
static void files_on_signal(int sig)
{
	if (!files_keep) {
		for (unsigned i = 0; i < files_nmade; i++)
			unlink(files_made[i]);
		if (files_dir[0])
			rmdir(files_dir);
	}
	signal(sig, SIG_DFL);
	raise(sig);
}

void files_remove_on_signals(void)
{
	struct sigaction sa = { .sa_handler = files_on_signal };

	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
}

const char *files_tmpdir_keep(void)
{
	files_keep = true;
	return files_dir;
}

const char *files_write_tmp(const char *name, const void *data, size_t len)
{
	const char *path = files_tmpdir_path(name);
	int fd, saved;

	if (!path)
		return NULL;
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		return NULL;
	if (fdio_write_all(fd, data, len) != 0) {
		saved = errno;
		close(fd);
		errno = saved;
		return NULL;
	}
	if (close(fd) != 0)
		return NULL;
	return path;
}

int files_read(const char *path, void **data, size_t *len)
{
	struct stat st;
	char *buf;
	size_t got = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	if (fstat(fd, &st) != 0) {
		int saved = errno;

		close(fd);
		errno = saved;
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		errno = EINVAL;
		return -1;
	}
	buf = malloc((size_t)st.st_size + 1);
	if (!buf) {
		close(fd);
		errno = ENOMEM;
		return -1;
	}
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + got, (size_t)st.st_size - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	*data = buf;
	*len = got;
	return 0;
}

int files_beside_exe(const char *env, const char *rel, char *out, size_t len)
{
	const char *val = getenv(env);
	char exe[PATH_MAX];
	ssize_t n;
	char *slash;

	if (val && val[0])
		return snprintf(out, len, "%s", val) < (int)len ? 0 : -1;
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n < 0)
		return -1;
	exe[n] = '\0';
	slash = strrchr(exe, '/');
	if (slash)
		*slash = '\0';
	return snprintf(out, len, "%s/%s", exe, rel) < (int)len ? 0 : -1;
}
