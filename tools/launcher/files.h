/*
 * The launcher's scratch files: one private temporary directory (mkdtemp)
 * holding the manifest, flattened kernels and DTBs, removed at exit.
 */
#ifndef LAUNCHER_FILES_H
#define LAUNCHER_FILES_H

#include <stddef.h>

/* Creates the directory (once) and arranges its removal at exit. 0 or -1. */
int files_tmpdir_create(void);

/* Absolute path of NAME inside the directory, in a static-lifetime slot. */
const char *files_tmpdir_path(const char *name);

/* Removes every file made with files_write_tmp and the directory. */
void files_tmpdir_remove(void);

/*
 * Until QEMU runs (qemu_run has its own handlers), SIGINT, SIGTERM and
 * SIGHUP remove the directory and then kill us as they would have.
 */
void files_remove_on_signals(void);

/* Leaves the directory in place at exit (for inspection); returns its path. */
const char *files_tmpdir_keep(void);

/* Writes LEN bytes to NAME in the directory; returns its path or NULL. */
const char *files_write_tmp(const char *name, const void *data, size_t len);

/* Reads a whole file into a malloc'd buffer. 0, or -1 with errno set. */
int files_read(const char *path, void **data, size_t *len);

/* Into OUT: the value of environment variable ENV if set, else REL resolved
 * against the folder of the launcher executable (/proc/self/exe). 0 or -1. */
int files_beside_exe(const char *env, const char *rel, char *out, size_t len);

#endif
