/*
 * QEMU: the command lines (pure, testable), a one-shot DTB dump of the host
 * CPU model, and running QEMU as a child with its output forwarded, a hang
 * watchdog and its exit status passed on.
 */
#ifndef LAUNCHER_QEMU_H
#define LAUNCHER_QEMU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct machine_desc;
struct vm_desc;

#define QEMU_DEFAULT_BINARY     "qemu-system-riscv64"
/* Grace on top of hang-timeout before the launcher gives up on QEMU. */
#define QEMU_HANG_GRACE_S       10u
#define QEMU_EXIT_HUNG          124     /* as timeout(1) */

/* A NULL-terminated argv under construction. */
struct qemu_args {
	char **argv;
	size_t argc;
	size_t cap;
	bool oom;               /* an add failed; argv is incomplete */
};

void qemu_args_add(struct qemu_args *a, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void qemu_args_free(struct qemu_args *a);

/* One `-device loader` blob. */
struct qemu_module {
	const char *path;
	uint64_t hpa;
};

/* S with every ',' doubled, as QEMU option values need; malloc'd. */
char *qemu_escape_opt(const char *s);

/*
 * Trapeze run: QEMU -kernel TRAPEZE_BIN, the manifest at BOOTINFO_HPA and
 * every module with -device loader. MEMORY is the machine RAM in bytes.
 * Returns 0, or -1 when out of memory.
 */
int qemu_args_trapeze(struct qemu_args *a, const char *qemu,
		      const struct machine_desc *m, uint64_t memory,
		      const char *trapeze_bin, const char *bootinfo,
		      const struct qemu_module *mods, size_t nmods);

/*
 * The host board's virtio devices for VMS (NVMS of them): each VM's disks
 * in order (-drive raw, cache=writeback, readonly where asked, and a
 * virtio-blk-device), then one virtio-rng-device when any VM has rng = on.
 * QEMU virt plugs them into its virtio-mmio slots from 0x10008000 down,
 * the order layout_fill_bootinfo assumes. qemu_args_bare adds its VM's.
 */
void qemu_args_devices(struct qemu_args *a, const struct vm_desc *vms, unsigned nvms);

/*
 * Networks (config.h): for a Trapeze run (BARE NULL), when any switch has
 * an uplink, the host board's one virtio-net on QEMU user networking
 * (restrict=on) with every switch's forwarded ports; for a bare run of
 * BARE on a switch, its own virtio-net with its MAC (trapeze/netmac.h), on
 * user networking with its forwarded ports when its switch has an uplink,
 * else on a hub port alone. After qemu_args_devices / qemu_args_bare, so
 * that it takes the slot below theirs.
 */
struct config;
void qemu_args_network(struct qemu_args *a, const struct config *cfg, const struct vm_desc *bare);

/* --bare: the VM alone on QEMU, with its original kernel file. */
int qemu_args_bare(struct qemu_args *a, const char *qemu,
		   const struct machine_desc *m, const struct vm_desc *vm);

/*
 * Has QEMU write its virt DTB for CPU to PATH and exit. Returns 0, or -1
 * with a reason (QEMU's last output line) in ERR.
 */
int qemu_dump_dtb(const char *qemu, const char *cpu, const char *path,
		  char *err, size_t errlen);

/*
 * Runs ARGV, copying its stdout and stderr to our stdout as they come.
 * With HANG_TIMEOUT_S > 0, stops QEMU after HANG_TIMEOUT_S + QEMU_HANG_GRACE_S
 * seconds without output. SIGINT, SIGTERM and SIGHUP are passed on.
 * Returns the launcher's exit status: QEMU's own, 128 + signal if QEMU died
 * of one (or we passed one on), QEMU_EXIT_HUNG after the watchdog, 127 if
 * QEMU could not be started.
 */
int qemu_run(char *const argv[], unsigned hang_timeout_s);

/* qemu_run with the silence limit in milliseconds (0: none); for tests. */
int qemu_supervise(char *const argv[], uint64_t silence_ms);

#endif
