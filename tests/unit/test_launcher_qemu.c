/*
 * QEMU command lines and the child-process supervisor
 * (tools/launcher/qemu.c). No QEMU: the supervisor runs /bin/sh scripts.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "qemu.h"

#define MIB (1ull << 20)

static struct qemu_args args;

static int teardown(void **state)
{
	(void)state;
	qemu_args_free(&args);
	return 0;
}

static void assert_argv(const char *const *want)
{
	size_t n = 0;

	for (; want[n]; n++) {
		assert_true(n < args.argc);
		assert_string_equal(args.argv[n], want[n]);
	}
	assert_int_equal(args.argc, n);
	assert_null(args.argv[n]);
}

static void test_qemu_escape_commas(void **state)
{
	char *s;

	(void)state;
	s = qemu_escape_opt("/a,b/c,,d");
	assert_string_equal(s, "/a,,b/c,,,,d");
	free(s);
	s = qemu_escape_opt("");
	assert_string_equal(s, "");
	free(s);
}

static void test_qemu_args_trapeze(void **state)
{
	struct machine_desc m = { .cpu = "rv64,h=true", .harts = 2 };
	const struct qemu_module mods[] = {
		{ "/k.bin", 0x84001000 }, { "/tmp/x,y.dtb", 0x84003000 },
	};
	static const char *const want[] = {
		"qemu-system-riscv64", "-M", "virt", "-cpu", "rv64,h=true", "-smp", "2",
		"-m", "384M", "-display", "none", "-chardev", "stdio,id=con,mux=off,signal=off", "-serial", "chardev:con", "-monitor", "none", "-bios", "default", "-global", "virtio-mmio.force-legacy=false", "-kernel", "/b/trapeze.bin",
		"-device", "loader,file=/tmp/bootinfo.bin,addr=0x84000000,force-raw=on",
		"-device", "loader,file=/k.bin,addr=0x84001000,force-raw=on",
		"-device", "loader,file=/tmp/x,,y.dtb,addr=0x84003000,force-raw=on",
		NULL,
	};

	(void)state;
	assert_int_equal(qemu_args_trapeze(&args, "qemu-system-riscv64", &m, 384 * MIB,
					   "/b/trapeze.bin", "/tmp/bootinfo.bin", mods, 2), 0);
	assert_argv(want);
}

static void test_qemu_args_bare(void **state)
{
	static struct vm_desc vm = {
		.kernel = "/k.elf", .initrd = "/r.cpio", .memory = 64 * MIB, .vcpus = 1,
		.bootargs = "console=ttyS0 quiet",
	};
	struct machine_desc m = { .cpu = "rv64", .harts = 4 };
	static const char *const want[] = {
		"q", "-M", "virt", "-cpu", "rv64", "-smp", "1", "-m", "64M", "-display", "none", "-chardev", "stdio,id=con,mux=off,signal=off", "-serial", "chardev:con", "-monitor", "none",
		"-bios", "default", "-global", "virtio-mmio.force-legacy=false", "-kernel", "/k.elf", "-initrd", "/r.cpio",
		"-append", "console=ttyS0 quiet", NULL,
	};
	static const char *const want_plain[] = {
		"q", "-M", "virt", "-cpu", "rv64", "-smp", "1", "-m", "2G", "-display", "none", "-chardev", "stdio,id=con,mux=off,signal=off", "-serial", "chardev:con", "-monitor", "none",
		"-bios", "default", "-global", "virtio-mmio.force-legacy=false", "-kernel", "/k.elf", NULL,
	};

	(void)state;
	assert_int_equal(qemu_args_bare(&args, "q", &m, &vm), 0);
	assert_argv(want);
	qemu_args_free(&args);
	vm.initrd[0] = '\0';
	vm.bootargs[0] = '\0';
	vm.memory = 2048 * MIB;
	assert_int_equal(qemu_args_bare(&args, "q", &m, &vm), 0);
	assert_argv(want_plain);
}

/* Host virtio devices in the order layout_fill_bootinfo gives them slots:
 * every VM's disks (escaped paths, the stated cache mode, readonly), then
 * one rng for all VMs. */
static void test_qemu_args_devices(void **state)
{
	static struct vm_desc vms[2];
	static const char *const want[] = {
		"-drive", "file=/a,,b.img,format=raw,if=none,id=disk0,cache=writeback",
		"-device", "virtio-blk-device,drive=disk0",
		"-drive", "file=/ro.img,format=raw,if=none,id=disk1,cache=writeback,readonly=on",
		"-device", "virtio-blk-device,drive=disk1",
		"-drive", "file=/c.img,format=raw,if=none,id=disk2,cache=writeback",
		"-device", "virtio-blk-device,drive=disk2",
		"-device", "virtio-rng-device", NULL,
	};

	(void)state;
	strcpy(vms[0].disks[0].path, "/a,b.img");
	strcpy(vms[0].disks[1].path, "/ro.img");
	vms[0].disks[1].readonly = true;
	vms[0].ndisks = 2;
	strcpy(vms[1].disks[0].path, "/c.img");
	vms[1].ndisks = 1;
	vms[1].rng = true;
	qemu_args_devices(&args, vms, 2);
	assert_argv(want);
	qemu_args_free(&args);
	vms[1].rng = false;
	vms[0].ndisks = vms[1].ndisks = 0;
	qemu_args_devices(&args, vms, 2);
	assert_int_equal(args.argc, 0);
}

/* Networks: one user-networking uplink (restrict=on) for every switch's
 * forwarded ports on a Trapeze run; a bare run gets its VM's own NIC with
 * the MAC derived from its name, on user networking when its switch has an
 * uplink, else alone on a hub; no network, no arguments. */
static void test_qemu_args_network(void **state)
{
	static struct config c;
	static const char *const want[] = {
		"-netdev", "user,id=uplink,restrict=on,net=10.0.2.0/24,dhcpstart=10.0.2.15,"
		"hostfwd=tcp:127.0.0.1:8080-10.0.2.15:80,hostfwd=udp:127.0.0.1:5353-10.0.2.40:53",
		"-device", "virtio-net-device,netdev=uplink", NULL,
	};
	static const char *const want_bare[] = {
		"-netdev", "user,id=uplink,restrict=on,net=10.0.2.0/24,dhcpstart=10.0.2.15,"
		"hostfwd=tcp:127.0.0.1:8080-10.0.2.15:80",
		"-device", "virtio-net-device,netdev=uplink,mac=02:af:63:dc:4c:86", NULL,
	};
	static const char *const want_hub[] = {
		"-netdev", "hubport,id=uplink,hubid=0",
		"-device", "virtio-net-device,netdev=uplink,mac=02:af:63:dc:4c:86", NULL,
	};

	(void)state;
	qemu_args_network(&args, &c, NULL);
	assert_int_equal(args.argc, 0);
	c.nvms = 2;
	strcpy(c.vms[0].name, "a");
	c.vms[0].net_line = 1;
	c.vms[0].address = 0x0a00020f;
	strcpy(c.vms[1].name, "b");
	c.vms[1].net_line = 2;
	c.vms[1].address = 0x0a000228;
	c.nnets = 1;
	c.nets[0].uplink = true;
	c.nets[0].nfwds = 2;
	c.nets[0].fwds[0] = (struct fwd_desc){ false, 8080, "a", 80, 3 };
	c.nets[0].fwds[1] = (struct fwd_desc){ true, 5353, "b", 53, 4 };
	qemu_args_network(&args, &c, NULL);
	assert_argv(want);
	qemu_args_free(&args);
	qemu_args_network(&args, &c, &c.vms[0]);
	assert_argv(want_bare);
	qemu_args_free(&args);
	c.nets[0].uplink = false;
	qemu_args_network(&args, &c, &c.vms[0]);
	assert_argv(want_hub);
	qemu_args_free(&args);
	qemu_args_network(&args, &c, NULL);        /* no uplink: no host device */
	assert_int_equal(args.argc, 0);
}

static int sh(const char *script, uint64_t silence_ms)
{
	char *argv[] = { "/bin/sh", "-c", (char *)script, NULL };

	return qemu_supervise(argv, silence_ms);
}

static void test_qemu_run_passes_exit_status(void **state)
{
	(void)state;
	assert_int_equal(sh("exit 0", 0), 0);
	assert_int_equal(sh("exit 3", 0), 3);
}

static void test_qemu_run_signal_death(void **state)
{
	(void)state;
	assert_int_equal(sh("kill -KILL $$", 0), 128 + SIGKILL);
}

static void test_qemu_run_cannot_start(void **state)
{
	char *argv[] = { "/nonexistent/qemu", NULL };
	int saved = dup(STDERR_FILENO), null = open("/dev/null", O_WRONLY);

	(void)state;
	dup2(null, STDERR_FILENO);
	assert_int_equal(qemu_supervise(argv, 0), 127);
	dup2(saved, STDERR_FILENO);
	close(saved);
	close(null);
}

/* Child stdout and stderr both reach our stdout, byte for byte. */
static void test_qemu_run_forwards_output(void **state)
{
	char path[] = "/tmp/test_launcher_qemu.XXXXXX", buf[64] = "";
	int fd = mkstemp(path), saved;
	ssize_t n;

	(void)state;
	assert_true(fd >= 0);
	fflush(stdout);
	saved = dup(STDOUT_FILENO);
	dup2(fd, STDOUT_FILENO);
	assert_int_equal(sh("printf 'a\\r\\n\\001'; printf 'err' >&2; printf 'z'", 0), 0);
	dup2(saved, STDOUT_FILENO);
	close(saved);
	n = pread(fd, buf, sizeof(buf) - 1, 0);
	close(fd);
	unlink(path);
	assert_int_equal(n, 8);
	assert_memory_equal(buf, "a\r\n\001errz", 8);
}

static void test_qemu_run_watchdog(void **state)
{
	int saved = dup(STDERR_FILENO), saved_out = dup(STDOUT_FILENO);
	int null = open("/dev/null", O_WRONLY);
	struct timespec t0, t1;
	long ms;

	(void)state;
	fflush(stdout);
	dup2(null, STDERR_FILENO);
	dup2(null, STDOUT_FILENO);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	/* Output at 0, 150 and 300 ms resets the clock: stopped near 600 ms, not 300. */
	assert_int_equal(sh("for i in 1 2 3; do echo; sleep 0.15; done; exec sleep 10", 300),
			 QEMU_EXIT_HUNG);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	dup2(saved, STDERR_FILENO);
	dup2(saved_out, STDOUT_FILENO);
	close(saved);
	close(saved_out);
	close(null);
	ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
	assert_true(ms >= 550);
	assert_true(ms < 5000);
}

/* A SIGTERM to the launcher reaches QEMU; the run still counts as killed. */
static void test_qemu_run_forwards_sigterm(void **state)
{
	pid_t parent = getpid(), helper = fork();

	(void)state;
	if (helper == 0) {
		struct timespec ts = { 0, 300 * 1000 * 1000 };

		nanosleep(&ts, NULL);
		kill(parent, SIGTERM);
		_exit(0);
	}
	assert_true(helper > 0);
	assert_int_equal(sh("trap 'exit 0' TERM; while :; do sleep 0.05; done", 10000),
			 128 + SIGTERM);
	waitpid(helper, NULL, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_qemu_escape_commas),
		cmocka_unit_test_teardown(test_qemu_args_trapeze, teardown),
		cmocka_unit_test_teardown(test_qemu_args_bare, teardown),
		cmocka_unit_test_teardown(test_qemu_args_devices, teardown),
		cmocka_unit_test_teardown(test_qemu_args_network, teardown),
		cmocka_unit_test(test_qemu_run_passes_exit_status),
		cmocka_unit_test(test_qemu_run_signal_death),
		cmocka_unit_test(test_qemu_run_cannot_start),
		cmocka_unit_test(test_qemu_run_forwards_output),
		cmocka_unit_test(test_qemu_run_watchdog),
		cmocka_unit_test(test_qemu_run_forwards_sigterm),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
