/*
 * Launcher config parsing and validation (tools/launcher/config.c) and the
 * layout arithmetic built on it (tools/launcher/layout.c). File existence
 * goes through a fake check, except in the config_load tests.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "layout.h"

#define MIB (1ull << 20)
#define GIB (1ull << 30)

static struct config cfg;
static struct config_error err;

/* Paths naming "missing" do not exist, "adir" is a directory. */
static int fake_check(const char *path)
{
	if (strstr(path, "missing"))
		return ENOENT;
	if (strstr(path, "adir"))
		return EISDIR;
	return 0;
}

static int parse(const char *text)
{
	return config_parse(&cfg, text, strlen(text), "/cfg", fake_check, &err);
}

static void expect_error(const char *text, int line, const char *msg)
{
	assert_int_equal(parse(text), -1);
	assert_string_equal(err.msg, msg);
	assert_int_equal(err.line, line);
}

#define VM_OK "[vm a]\nkernel = k.bin\nmemory = 64M\n"

/* ---- good configs --------------------------------------------------------- */

static void test_config_minimal_defaults(void **state)
{
	(void)state;
	assert_int_equal(parse(VM_OK), 0);
	assert_string_equal(cfg.machine.cpu, "rv64,h=true");
	assert_int_equal(cfg.machine.harts, 1);
	assert_int_equal(cfg.machine.memory, 0);
	assert_int_equal(cfg.machine.hang_timeout, 30);
	assert_int_equal(cfg.machine.line, 0);
	assert_int_equal(cfg.nvms, 1);
	assert_string_equal(cfg.vms[0].name, "a");
	assert_int_equal(cfg.vms[0].line, 1);
	assert_string_equal(cfg.vms[0].kernel, "/cfg/k.bin");
	assert_int_equal(cfg.vms[0].kernel_line, 2);
	assert_int_equal(cfg.vms[0].memory, 64 * MIB);
	assert_int_equal(cfg.vms[0].memory_line, 3);
	assert_int_equal(cfg.vms[0].vcpus, 1);
	assert_int_equal(cfg.vms[0].engine, CONFIG_ENGINE_AUTO);
	assert_string_equal(cfg.vms[0].initrd, "");
	assert_string_equal(cfg.vms[0].bootargs, "");
}

static void test_config_full(void **state)
{
	(void)state;
	assert_int_equal(parse("[machine]\n"
			       "cpu = rv64,sv39=on\n"
			       "harts = 4\n"
			       "memory = 1G\n"
			       "hang-timeout = 0\n"
			       "\n"
			       "[vm linux-1]\n"
			       "kernel = /abs/Image\n"
			       "initrd = sub/rootfs.cpio\n"
			       "memory = 256M\n"
			       "vcpus = 1\n"
			       "engine = trap\n"
			       "bootargs = console=ttyS0 earlycon=sbi\n"
			       "[vm B_2]\n"
			       "kernel = b.elf\n"
			       "memory = 4096K\n"
			       "engine = auto\n"), 0);
	assert_string_equal(cfg.machine.cpu, "rv64,sv39=on");
	assert_int_equal(cfg.machine.line, 1);
	assert_int_equal(cfg.machine.harts, 4);
	assert_int_equal(cfg.machine.memory, GIB);
	assert_int_equal(cfg.machine.memory_line, 4);
	assert_int_equal(cfg.machine.hang_timeout, 0);
	assert_int_equal(cfg.nvms, 2);
	assert_string_equal(cfg.vms[0].name, "linux-1");
	assert_string_equal(cfg.vms[0].kernel, "/abs/Image");
	assert_string_equal(cfg.vms[0].initrd, "/cfg/sub/rootfs.cpio");
	assert_int_equal(cfg.vms[0].initrd_line, 9);
	assert_int_equal(cfg.vms[0].memory, 256 * MIB);
	assert_int_equal(cfg.vms[0].engine, CONFIG_ENGINE_TRAP);
	assert_string_equal(cfg.vms[0].bootargs, "console=ttyS0 earlycon=sbi");
	assert_string_equal(cfg.vms[1].name, "B_2");
	assert_int_equal(cfg.vms[1].line, 14);
	assert_int_equal(cfg.vms[1].memory, 4 * MIB);
	assert_int_equal(cfg.vms[1].engine, CONFIG_ENGINE_AUTO);
}

static void test_config_comments_and_whitespace(void **state)
{
	(void)state;
	assert_int_equal(parse("\xef\xbb\xbf; a comment\r\n"
			       "# another\r\n"
			       "  [vm  spaced ]   ; trailing comment\r\n"
			       "\tkernel=k.bin ; inline comment\r\n"
			       "    memory   =   8M\r\n"
			       "bootargs = a;b#c d # hash comment\r\n"
			       "initrd = r.cpio\t# tab, then a hash comment\n"), 0);
	assert_string_equal(cfg.vms[0].name, "spaced");
	assert_string_equal(cfg.vms[0].kernel, "/cfg/k.bin");
	assert_int_equal(cfg.vms[0].memory, 8 * MIB);
	assert_int_equal(cfg.vms[0].memory_line, 5);
	/* ';' and '#' start a comment only after a blank */
	assert_string_equal(cfg.vms[0].bootargs, "a;b#c d");
	assert_string_equal(cfg.vms[0].initrd, "/cfg/r.cpio");
}

static void test_config_relative_paths(void **state)
{
	(void)state;
	assert_int_equal(config_parse(&cfg, VM_OK, strlen(VM_OK), ".", fake_check, &err), 0);
	assert_string_equal(cfg.vms[0].kernel, "k.bin");
	assert_int_equal(config_parse(&cfg, VM_OK, strlen(VM_OK), "/", fake_check, &err), 0);
	assert_string_equal(cfg.vms[0].kernel, "/k.bin");
	assert_int_equal(config_parse(&cfg, VM_OK, strlen(VM_OK), "../x", fake_check, &err), 0);
	assert_string_equal(cfg.vms[0].kernel, "../x/k.bin");
}

static void test_config_override(void **state)
{
	(void)state;
	assert_int_equal(parse("[machine]\ncpu = rv64\nharts = 2\n" VM_OK), 0);
	config_override(&cfg, NULL, 0);
	assert_string_equal(cfg.machine.cpu, "rv64");
	assert_int_equal(cfg.machine.harts, 2);
	config_override(&cfg, "rv64,h=false", 3);
	assert_string_equal(cfg.machine.cpu, "rv64,h=false");
	assert_int_equal(cfg.machine.harts, 3);
	assert_int_equal(cfg.machine.cpu_line, 0);
	assert_int_equal(cfg.machine.harts_line, 0);
}

static void test_config_size_parsing(void **state)
{
	static const struct { const char *s; uint64_t v; } good[] = {
		{ "0", 0 }, { "4096", 4096 }, { "64K", 64 << 10 }, { "64k", 64 << 10 },
		{ "64M", 64 * MIB }, { "2m", 2 * MIB }, { "1G", GIB }, { "16g", 16 * GIB },
		{ "18446744073709551615", UINT64_MAX },
	};
	static const char *const bad[] = {
		"", "M", "64MB", "64 M", "-1", "+1", " 64", "0x100", "1.5G",
		"18446744073709551616", "17179869184G", "64T",
	};
	uint64_t v;

	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		assert_int_equal(config_parse_size(good[i].s, &v), 0);
		assert_int_equal(v, good[i].v);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(config_parse_size(bad[i], &v), -1);
}

static void test_config_uint_parsing(void **state)
{
	unsigned v;

	(void)state;
	assert_int_equal(config_parse_uint("0", &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(config_parse_uint("4294967295", &v), 0);
	assert_int_equal(v, 4294967295u);
	assert_int_equal(config_parse_uint("4294967296", &v), -1);
	assert_int_equal(config_parse_uint("", &v), -1);
	assert_int_equal(config_parse_uint("1x", &v), -1);
	assert_int_equal(config_parse_uint("-1", &v), -1);
}

static void test_config_format_size(void **state)
{
	char buf[32];

	(void)state;
	config_format_size(64 * MIB, buf, sizeof(buf));
	assert_string_equal(buf, "64M");
	config_format_size(2 * GIB, buf, sizeof(buf));
	assert_string_equal(buf, "2G");
	config_format_size(1536 * MIB, buf, sizeof(buf));
	assert_string_equal(buf, "1536M");
	config_format_size(8192, buf, sizeof(buf));
	assert_string_equal(buf, "8K");
	config_format_size(1000, buf, sizeof(buf));
	assert_string_equal(buf, "1000");
}

static void test_config_vm_name_limits(void **state)
{
	(void)state;
	assert_int_equal(parse("[vm abcdefghijklmnopqrstuvwxyz01234]\nkernel = k\nmemory = 4M\n"), 0);
	assert_string_equal(cfg.vms[0].name, "abcdefghijklmnopqrstuvwxyz01234");
	expect_error("[vm abcdefghijklmnopqrstuvwxyz012345]\n", 1,
		     "bad VM name 'abcdefghijklmnopqrstuvwxyz012345' (1 to 31 of A-Z a-z 0-9 _ -)");
	expect_error("[vm a.b]\n", 1, "bad VM name 'a.b' (1 to 31 of A-Z a-z 0-9 _ -)");
	expect_error("[vm a b]\n", 1, "bad VM name 'a b' (1 to 31 of A-Z a-z 0-9 _ -)");
	expect_error("\n[vm]\n", 2, "[vm] needs a name: [vm NAME]");
}

static void test_config_eight_vms_fit(void **state)
{
	char text[1024] = "";

	(void)state;
	for (int i = 0; i < BOOTINFO_MAX_VMS; i++)
		snprintf(text + strlen(text), sizeof(text) - strlen(text),
			 "[vm v%d]\nkernel = k\nmemory = 4M\n", i);
	assert_int_equal(parse(text), 0);
	assert_int_equal(cfg.nvms, BOOTINFO_MAX_VMS);
}

/* ---- errors: one line, the right line ----------------------------------- */

static void test_config_error_missing_kernel_file(void **state)
{
	(void)state;
	expect_error("[vm a]\nmemory = 64M\nkernel = missing.bin\n", 3,
		     "kernel = missing.bin: /cfg/missing.bin: No such file or directory");
	expect_error("[vm a]\nkernel = /adir\n", 2, "kernel = /adir: Is a directory");
}

static void test_config_error_missing_initrd_file(void **state)
{
	(void)state;
	expect_error(VM_OK "initrd = /missing.cpio\n", 4,
		     "initrd = /missing.cpio: No such file or directory");
}

static void test_config_error_empty_path(void **state)
{
	(void)state;
	expect_error("[vm a]\nkernel =\n", 2, "kernel = : empty path");
}

static void test_config_error_bad_size(void **state)
{
	(void)state;
	expect_error("[vm a]\nkernel = k\nmemory = 64X\n", 3,
		     "memory = 64X: not a size (bytes, or a number with K, M or G)");
	expect_error("[machine]\nmemory = lots\n", 2,
		     "memory = lots: not a size (bytes, or a number with K, M or G)");
}

static void test_config_error_size_not_2m_multiple(void **state)
{
	(void)state;
	expect_error("[vm a]\nmemory = 63M\n", 2, "memory = 63M: must be a multiple of 2M");
	expect_error("[vm a]\nmemory = 4097K\n", 2, "memory = 4097K: must be a multiple of 2M");
	expect_error("[machine]\nmemory = 129M\n", 2,
		     "memory = 129M: must be a non-zero multiple of 2M");
}

static void test_config_error_size_too_small_or_large(void **state)
{
	(void)state;
	expect_error("[vm a]\nmemory = 2M\n", 2, "memory = 2M: must be at least 4M");
	expect_error("[vm a]\nmemory = 0\n", 2, "memory = 0: must be at least 4M");
	expect_error("[vm a]\nmemory = 18G\n", 2, "memory = 18G: at most 16G");
}

static void test_config_error_unknown_section(void **state)
{
	(void)state;
	expect_error(VM_OK "[network]\n", 4,
		     "unknown section [network] (expected [machine], [vm NAME] or [net NAME])");
	expect_error("[vmfoo]\n", 1,
		     "unknown section [vmfoo] (expected [machine], [vm NAME] or [net NAME])");
}

static void test_config_error_unknown_key(void **state)
{
	(void)state;
	expect_error(VM_OK "cpu = 1\n", 4, "unknown key 'cpu' in [vm a]");
	expect_error("[machine]\nkernel = k\n", 2, "unknown key 'kernel' in [machine]");
}

static void test_config_error_duplicate_vm_name(void **state)
{
	(void)state;
	expect_error(VM_OK "\n[vm a]\nkernel = k\n", 5, "duplicate VM name 'a' (first at line 1)");
}

static void test_config_error_missing_kernel(void **state)
{
	(void)state;
	expect_error(VM_OK "[vm b]\nmemory = 4M\n", 4, "[vm b] has no kernel");
	/* a section with no keys at all still counts, at its header */
	expect_error(VM_OK "; x\n[vm c]\n", 5, "[vm c] has no kernel");
}

static void test_config_error_missing_memory(void **state)
{
	(void)state;
	expect_error("[vm a]\nkernel = k\n", 1, "[vm a] has no memory (e.g. memory = 64M)");
}

static void test_config_error_no_vm(void **state)
{
	(void)state;
	expect_error("", 1, "no [vm NAME] section: nothing to run");
	expect_error("[machine]\nharts = 2\n", 1, "no [vm NAME] section: nothing to run");
}

static void test_config_error_too_many_vms(void **state)
{
	char text[1024] = "";

	(void)state;
	for (int i = 0; i <= BOOTINFO_MAX_VMS; i++)
		snprintf(text + strlen(text), sizeof(text) - strlen(text),
			 "[vm v%d]\nkernel = k\nmemory = 4M\n", i);
	expect_error(text, 3 * BOOTINFO_MAX_VMS + 1, "more than 8 VMs");
}

static void test_config_error_bad_engine(void **state)
{
	(void)state;
	expect_error(VM_OK "engine = TRAP\n", 4, "engine = TRAP: unknown engine (trap, hw or auto)");
}

static int parse_engines(const char *text, const char *cpu);

static void test_config_error_bad_patching(void **state)
{
	(void)state;
	expect_error(VM_OK "patching = yes\n", 4, "patching = yes: must be on, off or x0");
}

/* patching: only the trap engine has it, on by default there; asked for
 * under hw (auto included), it is off and reported as ignored; by
 * default under hw, off without a word. */
static void test_config_patching_trap_only(void **state)
{
	bool ignored;

	(void)state;
	assert_int_equal(parse_engines(VM_OK "engine = trap\n", "rv64,h=false"), 0);
	assert_int_equal(cfg.vms[0].patching, CONFIG_PATCHING_DEFAULT);
	assert_true(config_vm_patching(&cfg.vms[0], cfg.machine.cpu, &ignored));
	assert_false(ignored);
	assert_int_equal(parse_engines(VM_OK "engine = hw\n", "rv64,h=true"), 0);
	assert_false(config_vm_patching(&cfg.vms[0], cfg.machine.cpu, &ignored));
	assert_false(ignored);
	assert_int_equal(parse_engines(VM_OK "", "rv64,h=true"), 0);
	assert_false(config_vm_patching(&cfg.vms[0], cfg.machine.cpu, &ignored));
	assert_false(ignored);
	assert_int_equal(parse_engines(VM_OK "engine = trap\npatching = on\n", NULL), 0);
	assert_int_equal(cfg.vms[0].patching_line, 5);
	assert_true(config_vm_patching(&cfg.vms[0], cfg.machine.cpu, &ignored));
	assert_false(ignored);
	assert_int_equal(parse_engines(VM_OK "engine = trap\npatching = off\n", NULL), 0);
	assert_false(config_vm_patching(&cfg.vms[0], cfg.machine.cpu, &ignored));
	assert_false(ignored);
	assert_int_equal(parse_engines(VM_OK "engine = hw\npatching = on\n", NULL), 0);
	assert_false(config_vm_patching(&cfg.vms[0], cfg.machine.cpu, &ignored));
	assert_true(ignored);
	/* auto: hw where the CPU has H (ignored), trap where it has not. */
	assert_int_equal(parse_engines(VM_OK "patching = on\n", "rv64,h=true"), 0);
	assert_false(config_vm_patching(&cfg.vms[0], cfg.machine.cpu, &ignored));
	assert_true(ignored);
	assert_int_equal(parse_engines(VM_OK "patching = on\n", "rv64,h=false"), 0);
	assert_true(config_vm_patching(&cfg.vms[0], cfg.machine.cpu, &ignored));
	assert_false(ignored);
	/* x0: on, with the x0 form; like on under hw. */
	assert_int_equal(parse_engines(VM_OK "engine = trap\npatching = x0\n", NULL), 0);
	assert_int_equal(cfg.vms[0].patching, CONFIG_PATCHING_X0);
	assert_true(config_vm_patching(&cfg.vms[0], cfg.machine.cpu, &ignored));
	assert_false(ignored);
	assert_int_equal(parse_engines(VM_OK "engine = hw\npatching = x0\n", NULL), 0);
	assert_false(config_vm_patching(&cfg.vms[0], cfg.machine.cpu, &ignored));
	assert_true(ignored);
}

/* ---- engines and the CPU model ---------------------------------------- */

static void test_config_cpu_has_h(void **state)
{
	static const struct {
		const char *cpu;
		bool h;
	} cases[] = {
		{ "rv64", true },
		{ "rv64,h=true", true },
		{ "rv64,h=on", true },
		{ "rv64,h=yes", true },
		{ "rv64,sv39=on", true },
		{ "rv64,h=false", false },
		{ "rv64,h=off", false },
		{ "rv64,h=n", false },
		{ "rv64,sv57=on,h=false,zba=on", false },
		{ "rv64,h=false,h=true", true },        /* the last h= wins */
		{ "rv64,h=true,h=off", false },
		{ "rv64,h=maybe", false },              /* QEMU refuses it */
		{ "rv64,hx=true", true },
		{ "rv64,x-h=false", true },
		{ "sifive-u54", false },
		{ "sifive-u54,h=true", false },         /* misa fixed by the model */
		{ "sifive-e51", false },
		{ "any", false },
		{ "rv64x", false },
		{ "rv6", false },
		{ "", false },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (config_cpu_has_h(cases[i].cpu) != cases[i].h)
			fail_msg("config_cpu_has_h(\"%s\") != %d", cases[i].cpu, cases[i].h);
	}
}

/* Parses TEXT, applies --cpu CPU (NULL: none), checks the engines. */
static int parse_engines(const char *text, const char *cpu)
{
	assert_int_equal(parse(text), 0);
	config_override(&cfg, cpu, 0);
	return config_check_engines(&cfg, &err);
}

static void test_config_engine_hw_accepted_with_h(void **state)
{
	(void)state;
	assert_int_equal(parse_engines(VM_OK "engine = hw\n", NULL), 0);
	assert_int_equal(cfg.vms[0].engine, CONFIG_ENGINE_HW);
	assert_int_equal(cfg.vms[0].engine_line, 4);
	assert_int_equal(config_vm_engine(&cfg.vms[0], cfg.machine.cpu), CONFIG_ENGINE_HW);
	assert_int_equal(parse_engines("[machine]\ncpu = rv64\n" VM_OK "engine = hw\n", NULL), 0);
	assert_int_equal(parse_engines("[machine]\ncpu = rv64,h=true\n" VM_OK "engine = hw\n",
				       NULL), 0);
	assert_int_equal(parse_engines(VM_OK "engine = hw\n", "rv64"), 0);
	assert_int_equal(parse_engines(VM_OK "engine = hw\n", "rv64,h=true"), 0);
	assert_int_equal(config_vm_engine(&cfg.vms[0], cfg.machine.cpu), CONFIG_ENGINE_HW);
}

static void test_config_engine_hw_refused_without_h(void **state)
{
	(void)state;
	assert_int_equal(parse_engines("[machine]\ncpu = rv64,h=false\n" VM_OK "engine = hw\n",
				       NULL), -1);
	assert_int_equal(err.line, 6);
	assert_string_equal(err.msg, "engine = hw: CPU rv64,h=false (line 2) has no H extension; "
			    "use engine = trap or auto, or a CPU with H such as rv64,h=true");
	assert_int_equal(parse_engines("[machine]\ncpu = sifive-u54\n" VM_OK "engine = hw\n",
				       NULL), -1);
	assert_int_equal(err.line, 6);
	assert_string_equal(err.msg, "engine = hw: CPU sifive-u54 (line 2) has no H extension; "
			    "use engine = trap or auto, or a CPU with H such as rv64,h=true");
	assert_int_equal(parse_engines(VM_OK "engine = hw\n", "rv64,h=off"), -1);
	assert_int_equal(err.line, 4);
	assert_string_equal(err.msg, "engine = hw: CPU rv64,h=off (--cpu) has no H extension; "
			    "use engine = trap or auto, or a CPU with H such as rv64,h=true");
	/* The first VM that asks for hw is the one named. */
	assert_int_equal(parse_engines("[vm t]\nkernel = k\nmemory = 8M\nengine = trap\n"
				       "[vm h]\nkernel = k\nengine = hw\nmemory = 8M\n"
				       "[vm h2]\nkernel = k\nmemory = 8M\nengine = hw\n",
				       "sifive-u54"), -1);
	assert_int_equal(err.line, 7);
	assert_string_equal(err.msg, "engine = hw: CPU sifive-u54 (--cpu) has no H extension; "
			    "use engine = trap or auto, or a CPU with H such as rv64,h=true");
}

static void test_config_engine_auto_follows_h(void **state)
{
	static const struct {
		const char *cpu;
		enum config_engine engine;
	} cases[] = {
		{ NULL, CONFIG_ENGINE_HW },             /* the default, rv64,h=true */
		{ "rv64", CONFIG_ENGINE_HW },
		{ "rv64,h=true", CONFIG_ENGINE_HW },
		{ "rv64,h=false", CONFIG_ENGINE_TRAP },
		{ "sifive-u54", CONFIG_ENGINE_TRAP },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		/* auto by default, and written out */
		assert_int_equal(parse_engines(VM_OK, cases[i].cpu), 0);
		assert_int_equal(cfg.vms[0].engine, CONFIG_ENGINE_AUTO);
		assert_int_equal(config_vm_engine(&cfg.vms[0], cfg.machine.cpu), cases[i].engine);
		assert_int_equal(parse_engines(VM_OK "engine = auto\n", cases[i].cpu), 0);
		assert_int_equal(config_vm_engine(&cfg.vms[0], cfg.machine.cpu), cases[i].engine);
	}
}

static void test_config_engine_trap_on_any_cpu(void **state)
{
	static const char *const cpus[] = {
		NULL, "rv64", "rv64,h=true", "rv64,h=false", "sifive-u54",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cpus) / sizeof(cpus[0]); i++) {
		assert_int_equal(parse_engines(VM_OK "engine = trap\n", cpus[i]), 0);
		assert_int_equal(config_vm_engine(&cfg.vms[0], cfg.machine.cpu), CONFIG_ENGINE_TRAP);
	}
}

static void test_config_engine_cpu_override_decides(void **state)
{
	static const char *const no_h = "[machine]\ncpu = rv64,h=false\n" VM_OK;
	static const char *const h = "[machine]\ncpu = rv64,h=true\n" VM_OK;
	char text[256];

	(void)state;
	/* hw: refused by the config's CPU, accepted once --cpu gives H ... */
	snprintf(text, sizeof(text), "%sengine = hw\n", no_h);
	assert_int_equal(parse_engines(text, NULL), -1);
	assert_int_equal(parse_engines(text, "rv64"), 0);
	/* ... and the other way round. */
	snprintf(text, sizeof(text), "%sengine = hw\n", h);
	assert_int_equal(parse_engines(text, NULL), 0);
	assert_int_equal(parse_engines(text, "rv64,h=false"), -1);
	assert_int_equal(err.line, 6);
	assert_string_equal(err.msg, "engine = hw: CPU rv64,h=false (--cpu) has no H extension; "
			    "use engine = trap or auto, or a CPU with H such as rv64,h=true");
	/* auto is decided by the CPU after --cpu. */
	assert_int_equal(parse_engines(no_h, "rv64,h=true"), 0);
	assert_int_equal(config_vm_engine(&cfg.vms[0], cfg.machine.cpu), CONFIG_ENGINE_HW);
	assert_int_equal(parse_engines(h, "sifive-u54"), 0);
	assert_int_equal(config_vm_engine(&cfg.vms[0], cfg.machine.cpu), CONFIG_ENGINE_TRAP);
}

static void test_config_error_vcpus(void **state)
{
	(void)state;
	expect_error(VM_OK "vcpus = 9\n", 4, "vcpus = 9: at most 8 vCPUs per VM");
	expect_error(VM_OK "vcpus = 0\n", 4, "vcpus = 0: must be a number, at least 1");
	expect_error(VM_OK "vcpus = one\n", 4, "vcpus = one: must be a number, at least 1");
}

/* SMP guests (issue 13): up to 8 vCPUs, beyond the harts under overcommit. */
static void test_config_smp_vcpus(void **state)
{
	(void)state;
	assert_int_equal(parse("[machine]\nharts = 2\n" VM_OK "vcpus = 4\n"), 0);
	assert_int_equal(cfg.vms[0].vcpus, 4);
	assert_int_equal(parse(VM_OK "vcpus = 8\n"), 0);
	assert_int_equal(cfg.vms[0].vcpus, 8);
}

static void test_config_weight(void **state)
{
	(void)state;
	assert_int_equal(parse(VM_OK), 0);
	assert_int_equal(cfg.vms[0].weight, 1);     /* the default */
	assert_int_equal(parse(VM_OK "weight = 2\n[vm b]\nkernel = k\nmemory = 8M\nweight = 100\n"), 0);
	assert_int_equal(cfg.vms[0].weight, 2);
	assert_int_equal(cfg.vms[1].weight, 100);
	expect_error(VM_OK "weight = 0\n", 4, "weight = 0: must be a number from 1 to 100");
	expect_error(VM_OK "weight = 101\n", 4, "weight = 101: must be a number from 1 to 100");
	expect_error(VM_OK "weight = x\n", 4, "weight = x: must be a number from 1 to 100");
}

static void test_config_cpus_pinning(void **state)
{
	(void)state;
	assert_int_equal(parse(VM_OK), 0);
	assert_int_equal(cfg.vms[0].cpu_mask, 0);   /* any hart */
	assert_int_equal(parse("[machine]\nharts = 4\n" VM_OK "cpus = 0, 2,3\n"), 0);
	assert_int_equal(cfg.vms[0].cpu_mask, 0xd);
	assert_int_equal(parse(VM_OK "cpus = 1\n"), 0);     /* harts may come from --smp */
	assert_int_equal(cfg.vms[0].cpu_mask, 0x2);
	expect_error(VM_OK "cpus = 8\n", 4,
		     "cpus = 8: a comma-separated list of hart numbers from 0 to 7");
	expect_error(VM_OK "cpus = 0,,1\n", 4,
		     "cpus = 0,,1: a comma-separated list of hart numbers from 0 to 7");
	expect_error(VM_OK "cpus = 0 1\n", 4,
		     "cpus = 0 1: a comma-separated list of hart numbers from 0 to 7");
	expect_error(VM_OK "cpus = \n", 4,
		     "cpus = : a comma-separated list of hart numbers from 0 to 7");
	expect_error(VM_OK "cpus = 1,1\n", 4, "cpus = 1,1: hart 1 named twice");
	expect_error("[machine]\nharts = 2\n" VM_OK "cpus = 0,2\n", 6,
		     "cpus: the machine has 2 hart(s), numbered from 0 (harts = 2)");
}

static void test_config_error_machine_values(void **state)
{
	(void)state;
	expect_error("[machine]\nharts = 0\n", 2, "harts = 0: must be a number from 1 to 8");
	expect_error("[machine]\nharts = 9\n", 2, "harts = 9: must be a number from 1 to 8");
	expect_error("[machine]\nhang-timeout = -1\n", 2,
		     "hang-timeout = -1: must be a number of seconds from 0 (never) to 4294967");
	expect_error("[machine]\ncpu =\n", 2, "cpu = : empty CPU model");
	expect_error("[machine]\n[machine]\n", 2, "duplicate section [machine] (first at line 1)");
}

static void test_config_error_duplicate_key(void **state)
{
	(void)state;
	expect_error(VM_OK "memory = 128M\n", 4, "duplicate key 'memory' (first at line 3)");
}

static void test_config_error_key_outside_section(void **state)
{
	(void)state;
	expect_error("\nkernel = k\n" VM_OK, 2,
		     "'kernel' outside any section ([machine] or [vm NAME] first)");
}

static void test_config_error_syntax(void **state)
{
	(void)state;
	expect_error("[vm a]\nkernel k.bin\nmemory = 64M\n", 2,
		     "syntax error: expected 'key = value' or '[section]'");
	expect_error("[vm a\n", 1, "section header without ']'");
	expect_error("[vm a] x\n", 1, "unexpected text after ']'");
	/* inih's syntax error comes first, though ours is found later */
	expect_error("[vm a]\nbroken\nmemory = 1M\n", 2,
		     "syntax error: expected 'key = value' or '[section]'");
}

static void test_config_error_nul_and_long_lines(void **state)
{
	static const char nul[] = "[vm a]\nkernel = k\0x\nmemory = 64M\n";
	static char text[CONFIG_LINE_MAX + 64];

	(void)state;
	assert_int_equal(config_parse(&cfg, nul, sizeof(nul) - 1, "/", fake_check, &err), -1);
	assert_int_equal(err.line, 2);
	assert_string_equal(err.msg, "NUL byte in line");

	strcpy(text, "[vm a]\nbootargs = ");
	memset(text + strlen(text), 'x', CONFIG_LINE_MAX);
	assert_int_equal(parse(text), -1);
	assert_int_equal(err.line, 2);
	assert_non_null(strstr(err.msg, "line longer than"));
}

static void test_config_bootargs_limit(void **state)
{
	static char text[2 * CONFIG_BOOTARGS_MAX];
	size_t n;

	(void)state;
	strcpy(text, VM_OK "bootargs = ");
	n = strlen(text);
	memset(text + n, 'x', CONFIG_BOOTARGS_MAX - 1);
	text[n + CONFIG_BOOTARGS_MAX - 1] = '\0';
	assert_int_equal(parse(text), 0);
	assert_int_equal(strlen(cfg.vms[0].bootargs), CONFIG_BOOTARGS_MAX - 1);
	strcat(text, "y");
	expect_error(text, 4, "bootargs: longer than 1023 characters");
}

/* ---- config_load: real files ---------------------------------------------- */

static char tmpdir[64];

static void write_file(const char *name, const char *text)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void test_config_load_resolves_against_config_dir(void **state)
{
	char path[256], kernel[256];

	(void)state;
	strcpy(tmpdir, "/tmp/test_config.XXXXXX");
	assert_non_null(mkdtemp(tmpdir));
	write_file("k.bin", "kernel");
	write_file("good.ini", "[vm a]\nkernel = k.bin\nmemory = 64M\n");
	write_file("bad.ini", "[vm a]\nkernel = nothere.bin\nmemory = 64M\n");

	snprintf(path, sizeof(path), "%s/good.ini", tmpdir);
	snprintf(kernel, sizeof(kernel), "%s/k.bin", tmpdir);
	assert_int_equal(config_load(&cfg, path, &err), 0);
	assert_string_equal(cfg.vms[0].kernel, kernel);

	snprintf(path, sizeof(path), "%s/bad.ini", tmpdir);
	assert_int_equal(config_load(&cfg, path, &err), -1);
	assert_int_equal(err.line, 2);
	assert_non_null(strstr(err.msg, "No such file or directory"));

	snprintf(path, sizeof(path), "%s/none.ini", tmpdir);
	assert_int_equal(config_load(&cfg, path, &err), -1);
	assert_int_equal(err.line, 0);
	assert_string_equal(err.msg, "No such file or directory");

	for (const char *const *n = (const char *const[]){ "k.bin", "good.ini", "bad.ini", NULL };
	     *n; n++) {
		snprintf(path, sizeof(path), "%s/%s", tmpdir, *n);
		unlink(path);
	}
	rmdir(tmpdir);
}

/* ---- layout ---------------------------------------------------------------- */

static struct layout lo;

static void test_layout_initrd_gpa(void **state)
{
	(void)state;
	assert_int_equal(layout_initrd_gpa(GUEST_KERNEL_GPA, 64 * MIB), 0x82200000);
	assert_int_equal(layout_initrd_gpa(GUEST_KERNEL_GPA, 256 * MIB), 0x88200000);
	assert_int_equal(layout_initrd_gpa(GUEST_KERNEL_GPA, GIB), 0x88200000);
	/* QEMU counts from the kernel's entry (its lowest load address) */
	assert_int_equal(layout_initrd_gpa(0x80400000, 64 * MIB), 0x82400000);
}

static void test_layout_dtb_gpa(void **state)
{
	(void)state;
	assert_int_equal(layout_dtb_gpa(64 * MIB, 0x1000), 0x83e00000);
	assert_int_equal(layout_dtb_gpa(256 * MIB, 0x1000), 0x8fe00000);
	assert_int_equal(layout_dtb_gpa(GIB, 0x1000), 0xbfe00000);
	/* never above 3 GiB */
	assert_int_equal(layout_dtb_gpa(4 * GIB, 0x1000), 0xbfe00000);
	assert_int_equal(layout_dtb_gpa(64 * MIB, 2 * MIB + 1), 0x83c00000);
	assert_int_equal(layout_dtb_gpa(4 * MIB, 4 * MIB), 0);
}

static void layout_prepare(uint64_t kernel, uint64_t initrd, uint64_t dtb)
{
	memset(&lo, 0, sizeof(lo));
	for (unsigned i = 0; i < BOOTINFO_MAX_VMS; i++) {
		lo.vms[i].entry = GUEST_KERNEL_GPA;
		lo.vms[i].kernel.size = kernel;
		lo.vms[i].initrd.size = initrd;
		lo.vms[i].dtb.size = dtb;
	}
}

static void test_layout_guest_addresses(void **state)
{
	(void)state;
	assert_int_equal(parse(VM_OK "initrd = r.cpio\n"), 0);
	layout_prepare(0x5000, 0x3000, 0x600);
	assert_int_equal(layout_compute(&cfg, &lo, &err), 0);
	assert_int_equal(lo.vms[0].kernel.gpa, GUEST_KERNEL_GPA);
	assert_int_equal(lo.vms[0].initrd.gpa, 0x82200000);
	assert_int_equal(lo.vms[0].dtb.gpa, 0x83e00000);
}

static void test_layout_default_machine_memory(void **state)
{
	(void)state;
	assert_int_equal(parse(VM_OK), 0);
	layout_prepare(0x5000, 0, 0x600);
	assert_int_equal(layout_compute(&cfg, &lo, &err), 0);
	assert_int_equal(lo.memory, 256 * MIB);
	/* 66M (below the modules' end) + 64M + 32M + 4M + 4M */
	assert_int_equal(lo.required, 170 * MIB);

	assert_int_equal(parse("[vm a]\nkernel = k\nmemory = 512M\n"
			       "[vm b]\nkernel = k\nmemory = 512M\n"), 0);
	layout_prepare(0x5000, 0, 0x600);
	assert_int_equal(layout_compute(&cfg, &lo, &err), 0);
	/* 66M + 1024M + 32M + 64M + 4M = 1190M -> 1280M */
	assert_int_equal(lo.required, 1190 * MIB);
	assert_int_equal(lo.memory, 1280 * MIB);
}

static void test_layout_machine_memory_too_small(void **state)
{
	(void)state;
	assert_int_equal(parse("[machine]\nmemory = 168M\n" VM_OK), 0);
	layout_prepare(0x5000, 0, 0x600);
	assert_int_equal(layout_compute(&cfg, &lo, &err), -1);
	assert_int_equal(err.line, 2);
	assert_string_equal(err.msg,
			    "memory = 168M: too small, needs at least 170M (firmware, Trapeze and "
			    "modules 66M, VM memory 64M, Trapeze's tables 36M, 4M at the top)");

	assert_int_equal(parse("[machine]\nmemory = 170M\n" VM_OK), 0);
	assert_int_equal(layout_compute(&cfg, &lo, &err), 0);
	assert_int_equal(lo.memory, 170 * MIB);
}

static void test_layout_host_placement(void **state)
{
	(void)state;
	assert_int_equal(parse(VM_OK "initrd = r\n[vm b]\nkernel = k\nmemory = 8M\n"), 0);
	layout_prepare(0x1001, 0x10, 0x800);
	lo.vms[1].initrd.size = 0;
	assert_int_equal(layout_compute(&cfg, &lo, &err), 0);
	assert_int_equal(lo.vms[0].kernel.hpa, BOOTINFO_HPA + 0x1000);
	assert_int_equal(lo.vms[0].initrd.hpa, BOOTINFO_HPA + 0x3000);
	assert_int_equal(lo.vms[0].dtb.hpa, BOOTINFO_HPA + 0x4000);
	assert_int_equal(lo.vms[1].kernel.hpa, BOOTINFO_HPA + 0x5000);
	assert_int_equal(lo.vms[1].initrd.hpa, 0);
	assert_int_equal(lo.vms[1].dtb.hpa, BOOTINFO_HPA + 0x7000);
	assert_int_equal(lo.modules_end, BOOTINFO_HPA + 0x8000);
}

static void test_layout_initrd_overlaps_kernel(void **state)
{
	(void)state;
	assert_int_equal(parse(VM_OK "initrd = r\n"), 0);
	layout_prepare(40 * MIB, 0x1000, 0x600);
	assert_int_equal(layout_compute(&cfg, &lo, &err), -1);
	assert_int_equal(err.line, 4);
	assert_string_equal(err.msg,
			    "initrd at 0x82200000 overlaps the kernel (0x80200000-0x82a00000)");
}

static void test_layout_initrd_overlaps_dtb(void **state)
{
	(void)state;
	assert_int_equal(parse(VM_OK "initrd = r\n"), 0);
	layout_prepare(0x1000, 30 * MIB, 0x600);
	assert_int_equal(layout_compute(&cfg, &lo, &err), -1);
	assert_int_equal(err.line, 4);
	assert_string_equal(err.msg,
			    "initrd (0x82200000-0x84000000) overlaps the device tree at 0x83e00000");
}

static void test_layout_initrd_beyond_ram(void **state)
{
	(void)state;
	assert_int_equal(parse("[vm a]\nkernel = k\nmemory = 4M\ninitrd = r\n"), 0);
	layout_prepare(0x1000, 0x1000, 0x600);
	assert_int_equal(layout_compute(&cfg, &lo, &err), -1);
	assert_int_equal(err.line, 4);
	assert_string_equal(err.msg, "initrd (4096 bytes at 0x80400000) does not fit in memory = 4M");
}

static void test_layout_kernel_leaves_no_room_for_dtb(void **state)
{
	(void)state;
	assert_int_equal(parse(VM_OK), 0);
	layout_prepare(62 * MIB - 0x1000, 0, 0x600);
	assert_int_equal(layout_compute(&cfg, &lo, &err), -1);
	assert_int_equal(err.line, 3);
	assert_string_equal(err.msg, "memory = 64M: no room for the device tree above the kernel "
			    "(0x80200000-0x83fff000)");
	layout_prepare(63 * MIB, 0, 0x600);
	assert_int_equal(layout_compute(&cfg, &lo, &err), -1);
	assert_string_equal(err.msg, "memory = 64M: the kernel (66060288 bytes) does not fit");
}

static void test_layout_bootinfo(void **state)
{
	struct bootinfo bi;

	(void)state;
	assert_int_equal(parse("[machine]\nhang-timeout = 7\n" VM_OK "initrd = r\n"
			       "[vm second]\nkernel = k\nmemory = 8M\nengine = trap\nweight = 3\ncpus = 1\n"), 0);
	layout_prepare(0x2000, 0x1000, 0x800);
	lo.vms[0].entry = 0x80201000;
	lo.vms[1].initrd.size = 0;
	assert_int_equal(layout_compute(&cfg, &lo, &err), 0);
	layout_fill_bootinfo(&cfg, &lo, &bi);
	assert_int_equal(bi.magic, BOOTINFO_MAGIC);
	assert_int_equal(bi.version, BOOTINFO_VERSION);
	assert_int_equal(bi.nvms, 2);
	assert_int_equal(bi.hang_timeout_ms, 7000);
	assert_int_equal(bi.flags, BOOTINFO_F_PREFIX | BOOTINFO_F_FRAMED);
	assert_string_equal(bi.vms[0].name, "a");
	assert_int_equal(bi.vms[0].memory, 64 * MIB);
	assert_int_equal(bi.vms[0].entry, 0x80201000);
	assert_int_equal(bi.vms[0].vcpus, 1);
	assert_int_equal(bi.vms[0].weight, 1);
	assert_int_equal(bi.vms[0].cpu_mask, 0);
	assert_int_equal(bi.vms[0].engine, BOOTINFO_ENGINE_HW);     /* auto, default CPU */
	assert_int_equal(bi.vms[0].kernel.hpa, BOOTINFO_HPA + 0x1000);
	assert_int_equal(bi.vms[0].kernel.size, 0x2000);
	assert_int_equal(bi.vms[0].kernel.gpa, GUEST_KERNEL_GPA);
	assert_int_equal(bi.vms[0].initrd.size, 0x1000);
	assert_int_equal(bi.vms[0].initrd.gpa, 0x82200000 + 0x1000);
	assert_int_equal(bi.vms[0].dtb.gpa, 0x83e00000);
	assert_string_equal(bi.vms[1].name, "second");
	assert_int_equal(bi.vms[1].engine, BOOTINFO_ENGINE_TRAP);
	assert_int_equal(bi.vms[1].weight, 3);
	assert_int_equal(bi.vms[1].cpu_mask, 0x2);
	assert_int_equal(bi.vms[1].initrd.hpa, 0);
	assert_int_equal(bi.vms[1].initrd.size, 0);
	assert_int_equal(bi.vms[1].initrd.gpa, 0);
	assert_int_equal(bi.vms[1].dtb.gpa, 0x80600000);
	assert_int_equal(bi.vms[2].name[0], '\0');

	assert_int_equal(parse(VM_OK), 0);
	assert_int_equal(layout_compute(&cfg, &lo, &err), 0);
	layout_fill_bootinfo(&cfg, &lo, &bi);
	assert_int_equal(bi.flags, BOOTINFO_F_FRAMED);     /* the launcher always frames the console */
	assert_int_equal(bi.hang_timeout_ms, 30000);

	/* auto on a CPU without H; hw as written. */
	assert_int_equal(parse("[machine]\ncpu = rv64,h=false\n" VM_OK
			       "[vm h]\nkernel = k\nmemory = 8M\nengine = hw\n"), 0);
	layout_prepare(0x2000, 0, 0x800);
	assert_int_equal(layout_compute(&cfg, &lo, &err), 0);
	layout_fill_bootinfo(&cfg, &lo, &bi);
	assert_int_equal(bi.vms[0].engine, BOOTINFO_ENGINE_TRAP);
	assert_int_equal(bi.vms[1].engine, BOOTINFO_ENGINE_HW);
}

/* `disk = PATH [readonly]`, several per VM; `rng = on`; the host board's
 * eight virtio slots (every disk, then one rng) as the limit, and the
 * manifest's device list: disks from slot 7 down, the rng after them. */
static void test_config_disks_and_rng(void **state)
{
	(void)state;
	assert_int_equal(parse(VM_OK "disk = a.img\ndisk = /b.img readonly\nrng = on\n"
			       "[vm b]\nkernel = k\nmemory = 8M\ndisk = c.img\n"), 0);
	assert_int_equal(cfg.vms[0].ndisks, 2);
	assert_string_equal(cfg.vms[0].disks[0].path, "/cfg/a.img");
	assert_false(cfg.vms[0].disks[0].readonly);
	assert_string_equal(cfg.vms[0].disks[1].path, "/b.img");
	assert_true(cfg.vms[0].disks[1].readonly);
	assert_int_equal(cfg.vms[0].disks[1].line, 5);
	assert_true(cfg.vms[0].rng);
	assert_int_equal(cfg.vms[1].ndisks, 1);

	struct bootinfo bi;
	struct layout lo;
	memset(&lo, 0, sizeof(lo));
	lo.nvms = 2;
	layout_fill_bootinfo(&cfg, &lo, &bi);
	assert_int_equal(bi.vms[0].ndevs, 3);
	assert_int_equal(bi.vms[0].devs[0].kind, BOOTINFO_DEV_BLK);
	assert_int_equal(bi.vms[0].devs[0].guest_slot, 7);
	assert_int_equal(bi.vms[0].devs[0].host_slot, 7);
	assert_int_equal(bi.vms[0].devs[1].flags, BOOTINFO_DEV_F_READONLY);
	assert_int_equal(bi.vms[0].devs[1].guest_slot, 6);
	assert_int_equal(bi.vms[0].devs[1].host_slot, 6);
	assert_int_equal(bi.vms[0].devs[2].kind, BOOTINFO_DEV_RNG);
	assert_int_equal(bi.vms[0].devs[2].guest_slot, 5);
	assert_int_equal(bi.vms[0].devs[2].host_slot, 4);     /* after all 3 disks */
	assert_int_equal(bi.vms[1].ndevs, 1);
	assert_int_equal(bi.vms[1].devs[0].guest_slot, 7);
	assert_int_equal(bi.vms[1].devs[0].host_slot, 5);

	expect_error(VM_OK "disk = missing.img\n", 4,
		     "disk = missing.img: /cfg/missing.img: No such file or directory");
	expect_error(VM_OK "rng = yes\n", 4, "rng = yes: must be on or off");
	expect_error(VM_OK "disk = a\ndisk = a\ndisk = a\ndisk = a\ndisk = a\ndisk = a\n"
		     "disk = a\ndisk = a\nrng = on\n", 12,
		     "[vm a]: more virtio devices than its 8 slots");
	expect_error(VM_OK "disk = a\ndisk = a\ndisk = a\ndisk = a\ndisk = a\n"
		     "[vm b]\nkernel = k\nmemory = 8M\ndisk = a\ndisk = a\ndisk = a\ndisk = a\n", 15,
		     "more host virtio devices than the board's 8 slots "
		     "(one per disk, one rng for all VMs)");
}

/* Networks: `net =` and `address =` in [vm], [net NAME] with uplink and
 * hostfwd; switches numbered in order of appearance; DHCP addresses from
 * 10.0.2.15 in config order; the manifest's NIC after the rng, its host
 * slot the one network device after the disks and the rng; every error as
 * FILE:LINE. */
static void test_config_networks(void **state)
{
	(void)state;
	assert_int_equal(parse("[net lan]\nuplink = user\nhostfwd = tcp:8080 web:80\n"
			       "hostfwd = udp:5353 b:53\n"
			       "[vm web]\nkernel = k\nmemory = 8M\nnet = lan\naddress = dhcp\nrng = on\n"
			       "[vm b]\nkernel = k\nmemory = 8M\nnet = lan\naddress = 10.0.2.40\n"
			       "disk = d.img\n"
			       "[vm c]\nkernel = k\nmemory = 8M\nnet = other\n"
			       "[vm d]\nkernel = k\nmemory = 8M\nnet = lan\naddress = dhcp\n"), 0);
	assert_int_equal(cfg.nnets, 2);
	assert_string_equal(cfg.nets[0].name, "lan");
	assert_true(cfg.nets[0].uplink);
	assert_int_equal(cfg.nets[0].nfwds, 2);
	assert_int_equal(cfg.nets[0].fwds[0].host_port, 8080);
	assert_string_equal(cfg.nets[0].fwds[0].vm, "web");
	assert_int_equal(cfg.nets[0].fwds[0].guest_port, 80);
	assert_false(cfg.nets[0].fwds[0].udp);
	assert_true(cfg.nets[0].fwds[1].udp);
	assert_string_equal(cfg.nets[1].name, "other");
	assert_false(cfg.nets[1].uplink);
	assert_int_equal(cfg.vms[0].address, 0x0a00020f);     /* the first DHCP client */
	assert_int_equal(cfg.vms[1].address, 0x0a000228);
	assert_int_equal(cfg.vms[2].net_index, 1);
	assert_int_equal(cfg.vms[3].address, 0x0a000210);     /* the second */

	struct bootinfo bi;
	struct layout lo;
	memset(&lo, 0, sizeof(lo));
	lo.nvms = 4;
	layout_fill_bootinfo(&cfg, &lo, &bi);
	/* Host slots: the disk 7, the rng 6, the network device 5. */
	assert_int_equal(bi.vms[0].ndevs, 2);
	assert_int_equal(bi.vms[0].devs[1].kind, BOOTINFO_DEV_NET);
	assert_int_equal(bi.vms[0].devs[1].guest_slot, 6);
	assert_int_equal(bi.vms[0].devs[1].host_slot, 5);
	assert_int_equal(bi.vms[0].devs[1].flags, BOOTINFO_DEV_F_DHCP | BOOTINFO_DEV_F_NET_SWITCH(0));
	assert_int_equal(bi.vms[1].devs[1].kind, BOOTINFO_DEV_NET);
	assert_int_equal(bi.vms[1].devs[1].guest_slot, 6);
	assert_int_equal(bi.vms[1].devs[1].flags, BOOTINFO_DEV_F_NET_SWITCH(0));
	assert_int_equal(bi.vms[2].devs[0].guest_slot, 7);
	assert_int_equal(bi.vms[2].devs[0].host_slot, BOOTINFO_NO_HOST_SLOT);
	assert_int_equal(BOOTINFO_DEV_NET_SWITCH(bi.vms[2].devs[0].flags), 1);

	expect_error(VM_OK "net = a.b\n", 4, "net = a.b: bad switch name (1 to 31 of A-Z a-z 0-9 _ -)");
	expect_error(VM_OK "address = dhcp\n", 4, "address: [vm a] has no net");
	expect_error(VM_OK "net = x\naddress = dhcp\n", 5,
		     "address: switch x has no uplink (uplink = user in [net x])");
	expect_error(VM_OK "address = 10.0.3.4\n", 4, "address = 10.0.3.4: a static address must "
		     "be 10.0.2.4-14 or 10.0.2.31-254 (user networking's 10.0.2.0/24 without its "
		     "gateway, DNS and DHCP pool)");
	expect_error(VM_OK "address = 10.0.2.20\n", 4, "address = 10.0.2.20: a static address must "
		     "be 10.0.2.4-14 or 10.0.2.31-254 (user networking's 10.0.2.0/24 without its "
		     "gateway, DNS and DHCP pool)");
	expect_error(VM_OK "address = 10.0.2\n", 4,
		     "address = 10.0.2: must be dhcp or an IPv4 address");
	expect_error("[net n]\nuplink = yes\n", 2, "uplink = yes: must be user or none");
	expect_error("[net n]\nhostfwd = tcp:80\n", 2,
		     "hostfwd = tcp:80: expected tcp:HOSTPORT VM:PORT (or udp:)");
	expect_error("[net n]\nhostfwd = sctp:80 a:80\n", 2,
		     "hostfwd = sctp:80 a:80: expected tcp:HOSTPORT VM:PORT (or udp:)");
	expect_error("[net n]\nhostfwd = tcp:70000 a:80\n", 2,
		     "hostfwd = tcp:70000 a:80: expected tcp:HOSTPORT VM:PORT (or udp:)");
	expect_error("[net n]\nbogus = 1\n", 2, "unknown key 'bogus' in [net n]");
	expect_error("[net n]\n[net n]\n", 2, "duplicate section [net n] (first at line 1)");
	expect_error("[net n]\n" VM_OK, 1, "[net n]: no VM has net = n");
	expect_error("[net n]\nhostfwd = tcp:80 a:80\n" VM_OK "net = n\n", 2,
		     "hostfwd: [net n] has no uplink (uplink = user)");
	expect_error("[net n]\nuplink = user\nhostfwd = tcp:80 b:80\n" VM_OK "net = n\n", 3,
		     "hostfwd: no VM b on switch n");
	expect_error("[net n]\nuplink = user\nhostfwd = tcp:80 a:80\n" VM_OK "net = n\n", 3,
		     "hostfwd: [vm a] has no address (address = dhcp or 10.0.2.N)");
	expect_error("[net n]\nuplink = user\nhostfwd = tcp:80 a:80\nhostfwd = tcp:80 a:81\n"
		     VM_OK "net = n\naddress = dhcp\n", 4,
		     "hostfwd: host port 80 already forwarded (line 3)");
	expect_error("[net n]\nuplink = user\n" VM_OK "net = n\naddress = 10.0.2.40\n"
		     "[vm b]\nkernel = k\nmemory = 8M\nnet = n\naddress = 10.0.2.40\n", 12,
		     "address: the same as [vm a]'s");
	/* Eight disks fill the host board: no slot for the uplink. */
	expect_error("[net n]\nuplink = user\n" VM_OK "net = n\n"
		     "[vm b]\nkernel = k\nmemory = 8M\ndisk = a\ndisk = a\ndisk = a\ndisk = a\n"
		     "disk = a\ndisk = a\ndisk = a\ndisk = a\n", 2,
		     "more host virtio devices than the board's 8 slots "
		     "(one per disk, one rng, one network for all uplinks)");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_config_minimal_defaults),
		cmocka_unit_test(test_config_full),
		cmocka_unit_test(test_config_comments_and_whitespace),
		cmocka_unit_test(test_config_relative_paths),
		cmocka_unit_test(test_config_override),
		cmocka_unit_test(test_config_size_parsing),
		cmocka_unit_test(test_config_uint_parsing),
		cmocka_unit_test(test_config_format_size),
		cmocka_unit_test(test_config_vm_name_limits),
		cmocka_unit_test(test_config_eight_vms_fit),
		cmocka_unit_test(test_config_error_missing_kernel_file),
		cmocka_unit_test(test_config_error_missing_initrd_file),
		cmocka_unit_test(test_config_error_empty_path),
		cmocka_unit_test(test_config_error_bad_size),
		cmocka_unit_test(test_config_error_size_not_2m_multiple),
		cmocka_unit_test(test_config_error_size_too_small_or_large),
		cmocka_unit_test(test_config_error_unknown_section),
		cmocka_unit_test(test_config_error_unknown_key),
		cmocka_unit_test(test_config_error_duplicate_vm_name),
		cmocka_unit_test(test_config_error_missing_kernel),
		cmocka_unit_test(test_config_error_missing_memory),
		cmocka_unit_test(test_config_error_no_vm),
		cmocka_unit_test(test_config_error_too_many_vms),
		cmocka_unit_test(test_config_error_bad_engine),
		cmocka_unit_test(test_config_error_bad_patching),
		cmocka_unit_test(test_config_patching_trap_only),
		cmocka_unit_test(test_config_cpu_has_h),
		cmocka_unit_test(test_config_engine_hw_accepted_with_h),
		cmocka_unit_test(test_config_engine_hw_refused_without_h),
		cmocka_unit_test(test_config_engine_auto_follows_h),
		cmocka_unit_test(test_config_engine_trap_on_any_cpu),
		cmocka_unit_test(test_config_engine_cpu_override_decides),
		cmocka_unit_test(test_config_error_vcpus),
		cmocka_unit_test(test_config_smp_vcpus),
		cmocka_unit_test(test_config_weight),
		cmocka_unit_test(test_config_cpus_pinning),
		cmocka_unit_test(test_config_error_machine_values),
		cmocka_unit_test(test_config_error_duplicate_key),
		cmocka_unit_test(test_config_error_key_outside_section),
		cmocka_unit_test(test_config_error_syntax),
		cmocka_unit_test(test_config_error_nul_and_long_lines),
		cmocka_unit_test(test_config_bootargs_limit),
		cmocka_unit_test(test_config_load_resolves_against_config_dir),
		cmocka_unit_test(test_layout_initrd_gpa),
		cmocka_unit_test(test_layout_dtb_gpa),
		cmocka_unit_test(test_layout_guest_addresses),
		cmocka_unit_test(test_layout_default_machine_memory),
		cmocka_unit_test(test_layout_machine_memory_too_small),
		cmocka_unit_test(test_layout_host_placement),
		cmocka_unit_test(test_layout_initrd_overlaps_kernel),
		cmocka_unit_test(test_layout_initrd_overlaps_dtb),
		cmocka_unit_test(test_layout_initrd_beyond_ram),
		cmocka_unit_test(test_layout_kernel_leaves_no_room_for_dtb),
		cmocka_unit_test(test_layout_bootinfo),
		cmocka_unit_test(test_config_disks_and_rng),
		cmocka_unit_test(test_config_networks),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
