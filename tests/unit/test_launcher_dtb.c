/*
 * Guest DTBs (tools/launcher/dtb.c): built, then read back with libfdt;
 * host CPU properties; riscv,isa without the H extension.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <libfdt.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include <trapeze/bootinfo.h>

#include "dtb.h"

#define MIB (1ull << 20)

static const struct dtb_cpu_props cpu = {
	.isa = "rv64imafdc_zicsr_zifencei_zihintpause_zba_zbb_zbc_zbs_sstc",
	.mmu_type = "riscv,sv48",
	.timebase = 10000000,
};

static void *blob;
static size_t size;

static int teardown(void **state)
{
	(void)state;
	free(blob);
	blob = NULL;
	return 0;
}

static int node(const char *path)
{
	int off = fdt_path_offset(blob, path);

	assert_true(off >= 0);
	return off;
}

static void assert_prop_string(const char *path, const char *name, const char *want)
{
	int len;
	const char *s = fdt_getprop(blob, node(path), name, &len);

	assert_non_null(s);
	assert_int_equal(len, strlen(want) + 1);
	assert_string_equal(s, want);
}

static uint32_t prop_u32(const char *path, const char *name)
{
	int len;
	const fdt32_t *v = fdt_getprop(blob, node(path), name, &len);

	assert_non_null(v);
	assert_int_equal(len, 4);
	return fdt32_to_cpu(*v);
}

static uint64_t prop_u64(const char *path, const char *name, int index)
{
	int len;
	const uint8_t *v = fdt_getprop(blob, node(path), name, &len);
	fdt64_t x;

	assert_non_null(v);
	assert_true(len >= 8 * (index + 1));
	memcpy(&x, v + 8 * index, sizeof(x));
	return fdt64_to_cpu(x);
}

static void assert_prop_empty(const char *path, const char *name)
{
	int len;

	assert_non_null(fdt_getprop(blob, node(path), name, &len));
	assert_int_equal(len, 0);
}

static void assert_no_prop(const char *path, const char *name)
{
	assert_null(fdt_getprop(blob, node(path), name, NULL));
}

static void build(const struct dtb_guest *g)
{
	assert_int_equal(dtb_build_guest(g, &blob, &size), 0);
	assert_int_equal(fdt_check_header(blob), 0);
	assert_int_equal(fdt_totalsize(blob), size);
}

static void test_dtb_guest_full(void **state)
{
	const struct dtb_guest g = {
		.memory = 64 * MIB, .vcpus = 1, .bootargs = "console=ttyS0 quiet",
		.initrd_start = 0x82200000, .initrd_end = 0x82300123, .cpu = &cpu,
	};

	(void)state;
	build(&g);
	assert_int_equal(prop_u32("/", "#address-cells"), 2);
	assert_int_equal(prop_u32("/", "#size-cells"), 2);
	assert_prop_string("/", "compatible", "riscv-virtio");
	assert_prop_string("/", "model", "riscv-virtio,qemu");

	assert_prop_string("/chosen", "bootargs", "console=ttyS0 quiet");
	assert_prop_string("/chosen", "stdout-path", "/soc/serial@10000000");
	assert_int_equal(prop_u64("/chosen", "linux,initrd-start", 0), 0x82200000);
	assert_int_equal(prop_u64("/chosen", "linux,initrd-end", 0), 0x82300123);

	assert_prop_string("/memory@80000000", "device_type", "memory");
	assert_int_equal(prop_u64("/memory@80000000", "reg", 0), 0x80000000);
	assert_int_equal(prop_u64("/memory@80000000", "reg", 1), 64 * MIB);
}

static void test_dtb_guest_reserved_memory(void **state)
{
	const struct dtb_guest g = { .memory = 64 * MIB, .vcpus = 1, .cpu = &cpu };

	(void)state;
	build(&g);
	assert_int_equal(prop_u32("/reserved-memory", "#address-cells"), 2);
	assert_int_equal(prop_u32("/reserved-memory", "#size-cells"), 2);
	assert_prop_empty("/reserved-memory", "ranges");
	assert_int_equal(prop_u64("/reserved-memory/mmode_resv0@80000000", "reg", 0), 0x80000000);
	assert_int_equal(prop_u64("/reserved-memory/mmode_resv0@80000000", "reg", 1), 0x80000);
	assert_prop_empty("/reserved-memory/mmode_resv0@80000000", "no-map");
}

static void test_dtb_guest_cpus(void **state)
{
	const struct dtb_guest g = { .memory = 64 * MIB, .vcpus = 1, .cpu = &cpu };
	uint32_t intc;

	(void)state;
	build(&g);
	assert_int_equal(prop_u32("/cpus", "#address-cells"), 1);
	assert_int_equal(prop_u32("/cpus", "#size-cells"), 0);
	assert_int_equal(prop_u32("/cpus", "timebase-frequency"), 10000000);
	assert_prop_string("/cpus/cpu@0", "device_type", "cpu");
	assert_int_equal(prop_u32("/cpus/cpu@0", "reg"), 0);
	assert_prop_string("/cpus/cpu@0", "status", "okay");
	assert_prop_string("/cpus/cpu@0", "compatible", "riscv");
	assert_prop_string("/cpus/cpu@0", "riscv,isa", cpu.isa);
	assert_prop_string("/cpus/cpu@0", "mmu-type", "riscv,sv48");
	assert_prop_string("/cpus/cpu@0/interrupt-controller", "compatible", "riscv,cpu-intc");
	assert_int_equal(prop_u32("/cpus/cpu@0/interrupt-controller", "#interrupt-cells"), 1);
	assert_prop_empty("/cpus/cpu@0/interrupt-controller", "interrupt-controller");
	intc = prop_u32("/cpus/cpu@0/interrupt-controller", "phandle");
	assert_int_equal(fdt_node_offset_by_phandle(blob, intc),
			 node("/cpus/cpu@0/interrupt-controller"));
	assert_int_equal(prop_u32("/cpus/cpu-map/cluster0/core0", "cpu"),
			 prop_u32("/cpus/cpu@0", "phandle"));
	assert_true(fdt_path_offset(blob, "/cpus/cpu@1") < 0);
}

static void test_dtb_guest_soc_devices(void **state)
{
	const struct dtb_guest g = { .memory = 64 * MIB, .vcpus = 1, .cpu = &cpu };

	(void)state;
	build(&g);
	assert_prop_string("/soc", "compatible", "simple-bus");
	assert_prop_empty("/soc", "ranges");
	assert_int_equal(prop_u32("/soc", "#address-cells"), 2);
	assert_prop_string("/soc/serial@10000000", "compatible", "ns16550a");
	assert_int_equal(prop_u64("/soc/serial@10000000", "reg", 0), 0x10000000);
	assert_int_equal(prop_u64("/soc/serial@10000000", "reg", 1), 0x100);
	assert_int_equal(prop_u32("/soc/serial@10000000", "clock-frequency"), 0x384000);
	assert_int_equal(prop_u32("/soc/serial@10000000", "interrupts"), 10);
	/* The PLIC, as QEMU virt describes it: M (11) and S (9) context per hart. */
	int plic = fdt_node_offset_by_compatible(blob, -1, "riscv,plic0");
	assert_true(plic >= 0);
	assert_int_equal(prop_u64("/soc/plic@c000000", "reg", 0), 0x0c000000);
	assert_int_equal(prop_u64("/soc/plic@c000000", "reg", 1), 0x600000);
	assert_int_equal(prop_u32("/soc/plic@c000000", "riscv,ndev"), 95);
	int len;
	const fdt32_t *irqs = fdt_getprop(blob, plic, "interrupts-extended", &len);
	assert_int_equal(len, 16);
	assert_int_equal(fdt32_to_cpu(irqs[0]), 2);     /* cpu@0's intc */
	assert_int_equal(fdt32_to_cpu(irqs[1]), 11);
	assert_int_equal(fdt32_to_cpu(irqs[3]), 9);
	/* The test finisher and the syscon poweroff/reboot nodes on it. */
	int test = fdt_node_offset_by_compatible(blob, -1, "sifive,test1");
	assert_true(test >= 0);
	assert_int_equal(prop_u64("/soc/test@100000", "reg", 0), 0x100000);
	assert_int_equal(prop_u32("/poweroff", "value"), 0x5555);
	assert_int_equal(prop_u32("/reboot", "value"), 0x7777);
	assert_int_equal(prop_u32("/poweroff", "regmap"), fdt_get_phandle(blob, test));
	assert_int_equal(prop_u32("/soc/serial@10000000", "interrupt-parent"), fdt_get_phandle(blob, plic));
}

/* QEMU virt's eight virtio-mmio slots, highest address first, each on its
 * own PLIC source (1..8), 4 KiB, as bare QEMU's own tree names them. */
static void test_dtb_guest_virtio_slots(void **state)
{
	const struct dtb_guest g = { .memory = 64 * MIB, .vcpus = 1, .cpu = &cpu };
	int plic, node, prev = -1;

	(void)state;
	build(&g);
	plic = fdt_node_offset_by_compatible(blob, -1, "riscv,plic0");
	assert_true(plic >= 0);
	for (unsigned i = 0; i < 8; i++) {
		char path[64];

		snprintf(path, sizeof(path), "/soc/virtio_mmio@%x", 0x10001000 + i * 0x1000);
		node = fdt_path_offset(blob, path);
		assert_true(node >= 0);
		assert_prop_string(path, "compatible", "virtio,mmio");
		assert_int_equal(prop_u64(path, "reg", 0), 0x10001000 + i * 0x1000);
		assert_int_equal(prop_u64(path, "reg", 1), 0x1000);
		assert_int_equal(prop_u32(path, "interrupts"), i + 1);
		assert_int_equal(prop_u32(path, "interrupt-parent"), fdt_get_phandle(blob, plic));
		if (prev >= 0)
			assert_true(node < prev);       /* slot i comes before slot i - 1 */
		prev = node;
	}
	assert_true(fdt_path_offset(blob, "/soc/virtio_mmio@10009000") < 0);
}

/* The goldfish RTC as QEMU 7.2 virt's create_fdt_rtc writes it: the same
 * properties in the same order, PLIC source 11. */
static void test_dtb_guest_rtc(void **state)
{
	const struct dtb_guest g = { .memory = 64 * MIB, .vcpus = 2, .cpu = &cpu };
	static const char *const order[] = { "interrupts", "interrupt-parent", "reg", "compatible" };
	int plic, rtc, prop, i = 0;

	(void)state;
	build(&g);
	plic = fdt_node_offset_by_compatible(blob, -1, "riscv,plic0");
	rtc = fdt_path_offset(blob, "/soc/rtc@101000");
	assert_true(rtc >= 0);
	assert_int_equal(fdt_node_offset_by_compatible(blob, -1, "google,goldfish-rtc"), rtc);
	assert_int_equal(prop_u64("/soc/rtc@101000", "reg", 0), 0x101000);
	assert_int_equal(prop_u64("/soc/rtc@101000", "reg", 1), 0x1000);
	assert_int_equal(prop_u32("/soc/rtc@101000", "interrupts"), 11);
	assert_int_equal(prop_u32("/soc/rtc@101000", "interrupt-parent"), fdt_get_phandle(blob, plic));
	fdt_for_each_property_offset(prop, blob, rtc) {
		const char *name;
		fdt_getprop_by_offset(blob, prop, &name, NULL);
		assert_true(i < 4);
		assert_string_equal(name, order[i++]);
	}
	assert_int_equal(i, 4);
}

static void test_dtb_guest_without_optional_parts(void **state)
{
	struct dtb_cpu_props nommu = cpu;
	const struct dtb_guest g = { .memory = 8 * MIB, .vcpus = 1, .bootargs = "", .cpu = &nommu };

	(void)state;
	nommu.mmu_type[0] = '\0';
	build(&g);
	assert_no_prop("/chosen", "bootargs");
	assert_no_prop("/chosen", "linux,initrd-start");
	assert_no_prop("/chosen", "linux,initrd-end");
	assert_no_prop("/cpus/cpu@0", "mmu-type");
	assert_int_equal(prop_u64("/memory@80000000", "reg", 1), 8 * MIB);
}

static void test_dtb_guest_long_bootargs(void **state)
{
	char args[1024];
	const struct dtb_guest g = { .memory = 8 * MIB, .vcpus = 1, .bootargs = args, .cpu = &cpu };

	(void)state;
	memset(args, 'a', sizeof(args) - 1);
	args[sizeof(args) - 1] = '\0';
	build(&g);
	assert_prop_string("/chosen", "bootargs", args);
}

static void test_dtb_read_cpu_props_roundtrip(void **state)
{
	const struct dtb_guest g = { .memory = 64 * MIB, .vcpus = 1, .cpu = &cpu };
	struct dtb_cpu_props got;
	char err[DTB_ERR_MAX];

	(void)state;
	build(&g);
	assert_int_equal(dtb_read_cpu_props(blob, size, &got, err, sizeof(err)), 0);
	assert_string_equal(got.isa, cpu.isa);
	assert_string_equal(got.mmu_type, cpu.mmu_type);
	assert_int_equal(got.timebase, cpu.timebase);
}

static void test_dtb_read_cpu_props_rejects_bad_blobs(void **state)
{
	static const uint8_t junk[64] = { 1, 2, 3 };
	const struct dtb_guest g = { .memory = 64 * MIB, .vcpus = 1, .cpu = &cpu };
	struct dtb_cpu_props got;
	char err[DTB_ERR_MAX];

	(void)state;
	assert_int_equal(dtb_read_cpu_props(junk, sizeof(junk), &got, err, sizeof(err)), -1);
	assert_string_equal(err, "not a valid device tree");

	build(&g);
	assert_int_equal(dtb_read_cpu_props(blob, size - 1, &got, err, sizeof(err)), -1);
	assert_string_equal(err, "not a valid device tree");
	assert_int_equal(fdt_open_into(blob, blob, (int)size), 0);
	assert_int_equal(fdt_delprop(blob, node("/cpus"), "timebase-frequency"), 0);
	assert_int_equal(dtb_read_cpu_props(blob, size, &got, err, sizeof(err)), -1);
	assert_string_equal(err, "no timebase-frequency in /cpus");
	assert_int_equal(fdt_delprop(blob, node("/cpus/cpu@0"), "riscv,isa"), 0);
	assert_int_equal(dtb_read_cpu_props(blob, size, &got, err, sizeof(err)), -1);
	assert_string_equal(err, "/cpus/cpu@0 has no usable riscv,isa");
}

static void strip_ok(const char *in, const char *want)
{
	char out[DTB_ISA_MAX];

	assert_int_equal(dtb_strip_hypervisor_isa(in, out, sizeof(out)), 0);
	assert_string_equal(out, want);
}

static void test_dtb_strip_isa_qemu_default(void **state)
{
	(void)state;
	strip_ok("rv64imafdch_zicsr_zifencei_zihintpause_zba_zbb_zbc_zbs_sstc",
		 "rv64imafdc_zicsr_zifencei_zihintpause_zba_zbb_zbc_zbs_sstc");
}

static void test_dtb_strip_isa_variants(void **state)
{
	(void)state;
	strip_ok("rv64imafdch", "rv64imafdc");
	strip_ok("rv64imafdc", "rv64imafdc");
	strip_ok("rv64imafdc_zicsr", "rv64imafdc_zicsr");
	strip_ok("RV64IMAFDCH_Zicsr", "RV64IMAFDC_Zicsr");
	strip_ok("rv64imahfdc_h_hfoo_sstc_zihintpause", "rv64imafdc_sstc_zihintpause");
	strip_ok("rv64ih__svinval_", "rv64i_svinval");
	strip_ok("rv32imach", "rv32imac");
	/* only names starting with h go; a later h is part of the name */
	strip_ok("rv64imafdch_zfh_zhinx", "rv64imafdc_zfh_zhinx");
	/* no vector unit either: V and the Zv* extensions go */
	strip_ok("rv64imafdcvh_zicsr_zve64d_zvl128b_zba", "rv64imafdc_zicsr_zba");
}

static void test_dtb_strip_isa_errors(void **state)
{
	char out[12];

	(void)state;
	assert_int_equal(dtb_strip_hypervisor_isa("imafdc", out, sizeof(out)), -1);
	assert_int_equal(dtb_strip_hypervisor_isa("rvx", out, sizeof(out)), -1);
	assert_int_equal(dtb_strip_hypervisor_isa("rv64imafdc_zicsr", out, sizeof(out)), -1);
	assert_int_equal(dtb_strip_hypervisor_isa("rv64imafdch", out, sizeof(out)), 0);
	assert_string_equal(out, "rv64imafdc");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_dtb_guest_full, teardown),
		cmocka_unit_test_teardown(test_dtb_guest_reserved_memory, teardown),
		cmocka_unit_test_teardown(test_dtb_guest_cpus, teardown),
		cmocka_unit_test_teardown(test_dtb_guest_soc_devices, teardown),
		cmocka_unit_test_teardown(test_dtb_guest_virtio_slots, teardown),
		cmocka_unit_test_teardown(test_dtb_guest_rtc, teardown),
		cmocka_unit_test_teardown(test_dtb_guest_without_optional_parts, teardown),
		cmocka_unit_test_teardown(test_dtb_guest_long_bootargs, teardown),
		cmocka_unit_test_teardown(test_dtb_read_cpu_props_roundtrip, teardown),
		cmocka_unit_test_teardown(test_dtb_read_cpu_props_rejects_bad_blobs, teardown),
		cmocka_unit_test(test_dtb_strip_isa_qemu_default),
		cmocka_unit_test(test_dtb_strip_isa_variants),
		cmocka_unit_test(test_dtb_strip_isa_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
