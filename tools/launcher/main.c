/*
 * trapeze run [--cpu MODEL] [--smp N] [--bare] [--dry-run] CONFIG
 * trapeze audit [--cpu MODEL] ...   (audit.c)
 *
 * Reads the config, loads the kernels, builds each VM's DTB, lays out the
 * boot modules, writes the manifest and starts QEMU with Trapeze (or, with
 * --bare, the first VM alone on QEMU, for comparison).
 *
 * Exit status: QEMU's (see qemu_run), 1 for a config or image error, 2 for
 * a usage error. Config errors are "CONFIG:LINE: problem", image errors
 * "PATH: problem", everything else from the launcher "trapeze: ...".
 */
#include <errno.h>
#include <stdbool.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <trapeze/bootinfo.h>

#include "audit.h"
#include "config.h"
#include "console.h"
#include "dtb.h"
#include "files.h"
#include "image.h"
#include "layout.h"
#include "qemu.h"

#define LAUNCH_EXIT_ERROR       1
#define LAUNCH_EXIT_USAGE       2

struct launch {
	const char *config_path;
	struct config cfg;
	const char *qemu;
	bool dry_run;
	bool bare;
	const char *monitor_path;               /* --monitor, else one of our own */
	struct dtb_cpu_props cpu;               /* guest view: no H */
	struct image kernels[BOOTINFO_MAX_VMS];
	void *dtbs[BOOTINFO_MAX_VMS];
	struct layout lo;
};

static void launch_usage(FILE *f)
{
	fprintf(f,
		"usage: trapeze run [--cpu MODEL] [--smp N] [--bare] [--dry-run] [--monitor PATH] CONFIG\n"
		"       trapeze monitor [--socket PATH] COMMAND   (a running instance's monitor)\n"
		"       trapeze audit [--cpu MODEL] (see trapeze audit --help)\n"
		"  --cpu MODEL  QEMU -cpu model (overrides [machine] cpu)\n"
		"  --smp N      host harts (overrides [machine] harts)\n"
		"  --bare       run the first VM alone on bare QEMU\n"
		"  --dry-run    print the QEMU command line, one argument per line\n"
		"  --monitor PATH  the monitor's Unix socket (default: a run-PID.sock in\n"
		"               $XDG_RUNTIME_DIR/trapeze or /tmp/trapeze-UID)\n"
		"console: Ctrl-A 1-9 focus on a VM, Ctrl-A Ctrl-A a Ctrl-A, Ctrl-A m monitor, Ctrl-A x quit\n"
		"environment: QEMU (QEMU binary), TRAPEZE_BIN (hypervisor image),\n"
		"  TRAPEZE_KEEP_TMP=1 (keep the manifest, DTBs and images for inspection)\n");
}

static int launch_config_error(const struct launch *l, const struct config_error *err)
{
	if (err->line > 0)
		fprintf(stderr, "%s:%d: %s\n", l->config_path, err->line, err->msg);
	else
		fprintf(stderr, "trapeze: %s: %s\n", l->config_path, err->msg);
	return LAUNCH_EXIT_ERROR;
}

/* Kernel images and initrd sizes of the first NVMS VMs. */
static int launch_load_images(struct launch *l, unsigned nvms)
{
	char err[IMAGE_ERR_MAX];

	for (unsigned i = 0; i < nvms; i++) {
		const struct vm_desc *vm = &l->cfg.vms[i];
		struct layout_vm *lv = &l->lo.vms[i];

		if (image_load(vm->kernel, vm->memory, &l->kernels[i], err, sizeof(err)) != 0) {
			fprintf(stderr, "%s: %s\n", vm->kernel, err);
			return -1;
		}
		lv->entry = l->kernels[i].entry;
		lv->kernel.size = l->kernels[i].size;
		lv->initrd.size = 0;
		if (vm->initrd[0] &&
		    image_file_size(vm->initrd, &lv->initrd.size, err, sizeof(err)) != 0) {
			fprintf(stderr, "%s: %s\n", vm->initrd, err);
			return -1;
		}
	}
	return 0;
}

/*
 * Where QEMU's DTB for this QEMU binary and CPU model is kept between runs:
 * it depends on nothing else (the probe's machine is fixed), and asking
 * QEMU for it is a whole QEMU start before the real one (about 25 ms, a
 * twentieth of a Linux boot). Keyed by the binary's path, inode, size and
 * modification time and by the model, in $XDG_CACHE_HOME/trapeze (else
 * ~/.cache/trapeze); -1 when there is nowhere to keep it.
 */
static int launch_probe_cache_path(const char *qemu, const char *cpu, char *out, size_t len)
{
	char exe[PATH_MAX], dir[PATH_MAX];
	const char *base = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
	struct stat st;
	uint64_t h = 0xcbf29ce484222325ULL;     /* FNV-1a */

	if (strchr(qemu, '/')) {
		if (!realpath(qemu, exe))
			return -1;
	} else {
		const char *p = getenv("PATH");
		bool found = false;
		while (p && *p && !found) {
			size_t n = strcspn(p, ":");
			if (snprintf(dir, sizeof(dir), "%.*s/%s", (int)n, p, qemu) < (int)sizeof(dir) &&
			    access(dir, X_OK) == 0 && realpath(dir, exe))
				found = true;
			p += n + (p[n] == ':');
		}
		if (!found)
			return -1;
	}
	if (stat(exe, &st) != 0)
		return -1;
	char key[PATH_MAX + 256];
	int k = snprintf(key, sizeof(key), "%s|%llu|%llu|%lld.%ld|%s", exe,
			 (unsigned long long)st.st_ino, (unsigned long long)st.st_size,
			 (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec, cpu);
	if (k < 0 || k >= (int)sizeof(key))
		return -1;
	for (int i = 0; i < k; i++)
		h = (h ^ (unsigned char)key[i]) * 0x100000001b3ULL;
	if (base && base[0])
		k = snprintf(dir, sizeof(dir), "%s/trapeze", base);
	else if (home && home[0])
		k = snprintf(dir, sizeof(dir), "%s/.cache/trapeze", home);
	else
		return -1;
	if (k < 0 || k >= (int)sizeof(dir))
		return -1;
	/* The folder and its parent (~/.cache may not exist yet). */
	char *slash = strrchr(dir, '/');
	*slash = '\0';
	mkdir(dir, 0700);
	*slash = '/';
	if (mkdir(dir, 0700) != 0 && errno != EEXIST)
		return -1;
	k = snprintf(out, len, "%s/cpu-%016llx.dtb", dir, (unsigned long long)h);
	return k < 0 || (size_t)k >= len ? -1 : 0;
}

/* riscv,isa, mmu-type and timebase of the host CPU model, as QEMU says. */
static int launch_probe_cpu(struct launch *l)
{
	char err[DTB_ERR_MAX], isa[DTB_ISA_MAX], cached[PATH_MAX];
	const char *path = files_tmpdir_path("host.dtb");
	bool have_cache = launch_probe_cache_path(l->qemu, l->cfg.machine.cpu, cached,
						  sizeof(cached)) == 0;
	void *blob;
	size_t len;

	if (!path) {
		fprintf(stderr, "trapeze: out of memory\n");
		return -1;
	}
	if (have_cache && access(cached, R_OK) == 0) {
		path = cached;
	} else if (qemu_dump_dtb(l->qemu, l->cfg.machine.cpu, path, err, sizeof(err)) != 0) {
		fprintf(stderr, "trapeze: cannot get the DTB of CPU %s: %s\n",
			l->cfg.machine.cpu, err);
		return -1;
	} else if (have_cache && files_read(path, &blob, &len) == 0) {
		/* Kept for the next run: written aside, then renamed, so that
		 * a run in parallel never reads half a file. */
		char tmp[PATH_MAX + 16];
		FILE *f;
		snprintf(tmp, sizeof(tmp), "%s.%d", cached, (int)getpid());
		if ((f = fopen(tmp, "wb")) != NULL) {
			bool ok = fwrite(blob, 1, len, f) == len;
			if (fclose(f) == 0 && ok)
				rename(tmp, cached);
			else
				unlink(tmp);
		}
		free(blob);
	}
	if (files_read(path, &blob, &len) != 0) {
		fprintf(stderr, "trapeze: %s: %s\n", path, strerror(errno));
		return -1;
	}
	if (dtb_read_cpu_props(blob, len, &l->cpu, err, sizeof(err)) != 0) {
		fprintf(stderr, "trapeze: QEMU's DTB for CPU %s: %s\n", l->cfg.machine.cpu, err);
		free(blob);
		return -1;
	}
	free(blob);
	if (dtb_strip_hypervisor_isa(l->cpu.isa, isa, sizeof(isa)) != 0) {
		fprintf(stderr, "trapeze: unexpected riscv,isa \"%s\" for CPU %s\n",
			l->cpu.isa, l->cfg.machine.cpu);
		return -1;
	}
	snprintf(l->cpu.isa, sizeof(l->cpu.isa), "%s", isa);
	return 0;
}

/* Each VM's DTB; it names the initrd, so the initrd is placed first. */
static int launch_build_dtbs(struct launch *l, unsigned nvms)
{
	for (unsigned i = 0; i < nvms; i++) {
		const struct vm_desc *vm = &l->cfg.vms[i];
		struct layout_vm *lv = &l->lo.vms[i];
		struct dtb_guest g = {
			.memory = vm->memory, .vcpus = vm->vcpus,
			.bootargs = vm->bootargs, .cpu = &l->cpu,
		};
		size_t size;
		int ret;

		if (lv->initrd.size) {
			g.initrd_start = layout_initrd_gpa(lv->entry, vm->memory);
			g.initrd_end = g.initrd_start + lv->initrd.size;
		}
		ret = dtb_build_guest(&g, &l->dtbs[i], &size);
		if (ret != 0) {
			fprintf(stderr, "trapeze: DTB for VM %s: error %d\n", vm->name, ret);
			return -1;
		}
		lv->dtb.size = size;
	}
	return 0;
}

/* Writes the manifest and module files; fills MODS (3 per VM at most). */
static int launch_write_modules(struct launch *l, const char **bootinfo_path,
				struct qemu_module *mods, size_t *nmods)
{
	struct bootinfo bi;
	char name[64];

	layout_fill_bootinfo(&l->cfg, &l->lo, &bi);
	*bootinfo_path = files_write_tmp("bootinfo.bin", &bi, sizeof(bi));
	if (!*bootinfo_path)
		goto fail;
	*nmods = 0;
	for (unsigned i = 0; i < l->cfg.nvms; i++) {
		const struct vm_desc *vm = &l->cfg.vms[i];
		const struct layout_vm *lv = &l->lo.vms[i];
		const char *path = vm->kernel;

		if (l->kernels[i].elf) {
			snprintf(name, sizeof(name), "%s.kernel.bin", vm->name);
			path = files_write_tmp(name, l->kernels[i].data, l->kernels[i].size);
			if (!path)
				goto fail;
		}
		mods[(*nmods)++] = (struct qemu_module){ path, lv->kernel.hpa };
		if (lv->initrd.size)
			mods[(*nmods)++] = (struct qemu_module){ vm->initrd, lv->initrd.hpa };
		snprintf(name, sizeof(name), "%s.dtb", vm->name);
		path = files_write_tmp(name, l->dtbs[i], lv->dtb.size);
		if (!path)
			goto fail;
		mods[(*nmods)++] = (struct qemu_module){ path, lv->dtb.hpa };
	}
	return 0;
fail:
	fprintf(stderr, "trapeze: writing scratch files: %s\n", strerror(errno));
	return -1;
}

/* trapeze.bin beside the launcher executable, unless TRAPEZE_BIN says. */
static int launch_find_trapeze(char *out, size_t len)
{
	return files_beside_exe("TRAPEZE_BIN", "trapeze.bin", out, len);
}

static int launch_exec(struct launch *l, struct qemu_args *args)
{
	const char *keep = getenv("TRAPEZE_KEEP_TMP");

	if (args->oom) {
		fprintf(stderr, "trapeze: out of memory\n");
		return LAUNCH_EXIT_ERROR;
	}
	if (keep && keep[0] && strcmp(keep, "0") != 0)
		fprintf(stderr, "trapeze: keeping scratch files in %s\n", files_tmpdir_keep());
	if (l->dry_run) {
		for (size_t i = 0; i < args->argc; i++)
			printf("%s\n", args->argv[i]);
		return fflush(stdout) == 0 ? 0 : LAUNCH_EXIT_ERROR;
	}
	char names[BOOTINFO_MAX_VMS][BOOTINFO_NAME_MAX], sock[256];
	unsigned nvms = l->bare ? 1 : l->cfg.nvms;
	const char *mon = l->monitor_path;

	for (unsigned i = 0; i < nvms; i++)
		snprintf(names[i], sizeof(names[i]), "%s", l->cfg.vms[i].name);
	if (!l->bare && !mon && console_socket_dir(sock, sizeof(sock) - 32) == 0) {
		size_t n = strlen(sock);
		snprintf(sock + n, sizeof(sock) - n, "/run-%d.sock", (int)getpid());
		mon = sock;
	}
	return console_run(args->argv, l->cfg.machine.hang_timeout, !l->bare, nvms,
			   (const char (*)[BOOTINFO_NAME_MAX])names, l->bare ? NULL : mon);
}

static int launch_trapeze(struct launch *l)
{
	struct qemu_module mods[3 * BOOTINFO_MAX_VMS];
	struct qemu_args args = { 0 };
	struct config_error err;
	const char *bootinfo;
	char trapeze_bin[PATH_MAX];
	size_t nmods;
	int ret;

	if (launch_load_images(l, l->cfg.nvms) != 0)
		return LAUNCH_EXIT_ERROR;
	if (files_tmpdir_create() != 0) {
		fprintf(stderr, "trapeze: cannot make a temporary directory: %s\n", strerror(errno));
		return LAUNCH_EXIT_ERROR;
	}
	files_remove_on_signals();
	if (launch_probe_cpu(l) != 0 || launch_build_dtbs(l, l->cfg.nvms) != 0)
		return LAUNCH_EXIT_ERROR;
	if (layout_compute(&l->cfg, &l->lo, &err) != 0)
		return launch_config_error(l, &err);
	if (launch_write_modules(l, &bootinfo, mods, &nmods) != 0)
		return LAUNCH_EXIT_ERROR;
	if (launch_find_trapeze(trapeze_bin, sizeof(trapeze_bin)) != 0) {
		fprintf(stderr, "trapeze: cannot locate trapeze.bin; set TRAPEZE_BIN\n");
		return LAUNCH_EXIT_ERROR;
	}
	/* A dry run only prints: trapeze.bin need not be built yet. */
	if (!l->dry_run && access(trapeze_bin, R_OK) != 0) {
		fprintf(stderr, "trapeze: %s: %s (make build/trapeze.bin, or set TRAPEZE_BIN)\n",
			trapeze_bin, strerror(errno));
		return LAUNCH_EXIT_ERROR;
	}
	qemu_args_trapeze(&args, l->qemu, &l->cfg.machine, l->lo.memory, trapeze_bin,
			  bootinfo, mods, nmods);
	qemu_args_devices(&args, l->cfg.vms, l->cfg.nvms);
	qemu_args_network(&args, &l->cfg, NULL);
	ret = launch_exec(l, &args);
	qemu_args_free(&args);
	return ret;
}

/*
 * --bare: the first VM on QEMU alone. Its images and guest layout are still
 * checked, so a config fails the same way in both modes; the DTB here only
 * sizes the layout check (QEMU makes its own).
 */
static int launch_bare(struct launch *l)
{
	struct qemu_args args = { 0 };
	struct config_error err;
	int ret;

	snprintf(l->cpu.isa, sizeof(l->cpu.isa), "rv64imafdc_zicsr_zifencei");
	snprintf(l->cpu.mmu_type, sizeof(l->cpu.mmu_type), "riscv,sv57");
	l->cpu.timebase = 10000000;
	if (launch_load_images(l, 1) != 0 || launch_build_dtbs(l, 1) != 0)
		return LAUNCH_EXIT_ERROR;
	memset(&err, 0, sizeof(err));
	if (layout_guest(&l->cfg.vms[0], &l->lo.vms[0], &err) != 0)
		return launch_config_error(l, &err);
	qemu_args_bare(&args, l->qemu, &l->cfg.machine, &l->cfg.vms[0]);
	qemu_args_network(&args, &l->cfg, &l->cfg.vms[0]);
	ret = launch_exec(l, &args);
	qemu_args_free(&args);
	return ret;
}

static void launch_free(struct launch *l)
{
	for (unsigned i = 0; i < BOOTINFO_MAX_VMS; i++) {
		image_free(&l->kernels[i]);
		free(l->dtbs[i]);
	}
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "cpu", required_argument, NULL, 'c' },
		{ "smp", required_argument, NULL, 's' },
		{ "bare", no_argument, NULL, 'b' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "monitor", required_argument, NULL, 'm' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static struct launch l;
	struct config_error err;
	const char *cpu = NULL;
	unsigned smp = 0;
	bool bare = false;
	int opt, ret;

	if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		launch_usage(stdout);
		return 0;
	}
	if (argc >= 2 && strcmp(argv[1], "audit") == 0)
		return audit_main(argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "monitor") == 0)
		return console_monitor_main(argc - 1, argv + 1);
	if (argc < 2 || strcmp(argv[1], "run") != 0) {
		launch_usage(stderr);
		return LAUNCH_EXIT_USAGE;
	}
	argc--;
	argv++;
	while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (opt) {
		case 'c':
			if (!optarg[0] || strlen(optarg) >= CONFIG_CPU_MAX) {
				fprintf(stderr, "trapeze: --cpu: bad CPU model\n");
				return LAUNCH_EXIT_USAGE;
			}
			cpu = optarg;
			break;
		case 's':
			if (config_parse_uint(optarg, &smp) != 0 || smp < 1 ||
			    smp > CONFIG_HARTS_MAX) {
				fprintf(stderr, "trapeze: --smp %s: must be a number from 1 to %u\n",
					optarg, CONFIG_HARTS_MAX);
				return LAUNCH_EXIT_USAGE;
			}
			break;
		case 'b':
			bare = true;
			break;
		case 'n':
			l.dry_run = true;
			break;
		case 'm':
			l.monitor_path = optarg;
			break;
		case 'h':
			launch_usage(stdout);
			return 0;
		default:
			launch_usage(stderr);
			return LAUNCH_EXIT_USAGE;
		}
	}
	if (optind != argc - 1) {
		launch_usage(stderr);
		return LAUNCH_EXIT_USAGE;
	}
	l.config_path = argv[optind];
	l.qemu = getenv("QEMU");
	if (!l.qemu || !l.qemu[0])
		l.qemu = QEMU_DEFAULT_BINARY;

	if (config_load(&l.cfg, l.config_path, &err) != 0)
		return launch_config_error(&l, &err);
	config_override(&l.cfg, cpu, smp);
	/* Only now is the CPU final; a bare run has no engine. */
	if (!bare && config_check_engines(&l.cfg, &err) != 0)
		return launch_config_error(&l, &err);
	for (unsigned i = 0; !bare && i < l.cfg.nvms; i++) {
		bool ignored;
		config_vm_patching(&l.cfg.vms[i], l.cfg.machine.cpu, &ignored);
		if (ignored)
			fprintf(stderr, "%s:%d: warning: patching = %s is for the trap engine; "
				"ignored under hw\n", l.config_path, l.cfg.vms[i].patching_line,
				l.cfg.vms[i].patching == CONFIG_PATCHING_X0 ? "x0" : "on");
	}
	l.bare = bare;
	ret = bare ? launch_bare(&l) : launch_trapeze(&l);
	launch_free(&l);
	return ret;
}
