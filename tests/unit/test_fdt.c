/*
 * Unit tests of src/core/fdt.c, the dt_ flattened-devicetree reader.
 *
 * Blobs come from three places: a committed dump of QEMU 7.2's riscv64
 * `virt` DTB (tests/unit/data/qemu-virt.dtb, made with
 * `qemu-system-riscv64 -M virt,dumpdtb=F -cpu rv64 -smp 2 -m 256M` and cut
 * to its header's totalsize), blobs built here with libfdt's sequential-write
 * API, and hand-made broken blobs. Every blob is copied into a buffer of
 * exactly the size handed to dt_open so ASan flags any read past it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <libfdt.h>

#include "core/fdt.h"

/* ---- helpers ---------------------------------------------------------- */

/* Reads tests/unit/data/NAME wherever the test runs from: relative to this
 * source file as compiled (make runs from the repo root), then relative to
 * the binary (build/unit/test_fdt). */
static uint8_t *load_data(const char *name, size_t *len)
{
	char path[8192], exe[4096];
	const char *slash = strrchr(__FILE__, '/');
	FILE *f;
	ssize_t n;

	snprintf(path, sizeof(path), "%.*sdata/%s",
		 slash ? (int)(slash - __FILE__ + 1) : 0, __FILE__, name);
	f = fopen(path, "rb");
	if (!f) {
		n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
		if (n > 0 && (exe[n] = 0, strrchr(exe, '/'))) {
			*strrchr(exe, '/') = 0;
			snprintf(path, sizeof(path), "%s/../../tests/unit/data/%s", exe, name);
		}
		f = fopen(path, "rb");
	}
	if (!f)
		fail_msg("cannot open test data %s", name);
	fseek(f, 0, SEEK_END);
	*len = (size_t)ftell(f);
	fseek(f, 0, SEEK_SET);
	uint8_t *buf = malloc(*len);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, *len, f), *len);
	fclose(f);
	return buf;
}

/* Copy of src[0..len) in a heap block of exactly len bytes. */
static uint8_t *dup_exact(const void *src, size_t len)
{
	uint8_t *p = malloc(len ? len : 1);

	assert_non_null(p);
	memcpy(p, src, len);
	return p;
}

static void put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static uint32_t get_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Header field offsets (DT spec v0.4, 5.2). */
enum { H_MAGIC = 0, H_TOTAL = 4, H_OFF_STRUCT = 8, H_OFF_STRINGS = 12,
       H_OFF_RSV = 16, H_VERSION = 20, H_LAST_COMP = 24, H_SIZE_STRINGS = 32,
       H_SIZE_STRUCT = 36 };

/*
 * Hand-made blob: header, empty reservation map at 40, structure block of
 * nwords big-endian words at 56, then the strings block. Returns an
 * exact-size heap copy; *len gets its size.
 */
static uint8_t *mk_raw(const uint32_t *words, size_t nwords,
		       const char *strings, size_t slen, size_t *len)
{
	uint8_t buf[1024] = { 0 };
	uint32_t off_struct = 56, size_struct = (uint32_t)(4 * nwords);
	uint32_t off_strings = off_struct + size_struct;
	uint32_t total = off_strings + (uint32_t)slen;

	assert_true(total <= sizeof(buf));
	put_be32(buf + H_MAGIC, 0xd00dfeed);
	put_be32(buf + H_TOTAL, total);
	put_be32(buf + H_OFF_STRUCT, off_struct);
	put_be32(buf + H_OFF_STRINGS, off_strings);
	put_be32(buf + H_OFF_RSV, 40);
	put_be32(buf + H_VERSION, 17);
	put_be32(buf + H_LAST_COMP, 16);
	put_be32(buf + H_SIZE_STRINGS, (uint32_t)slen);
	put_be32(buf + H_SIZE_STRUCT, size_struct);
	for (size_t i = 0; i < nwords; i++)
		put_be32(buf + off_struct + 4 * i, words[i]);
	memcpy(buf + off_strings, strings, slen);
	*len = total;
	return dup_exact(buf, total);
}

#define BEGIN 1u
#define ENDN  2u
#define PROP  3u
#define NOP   4u
#define END   9u

static int open_raw(const uint32_t *words, size_t nwords, const char *strings, size_t slen)
{
	size_t len;
	uint8_t *b = mk_raw(words, nwords, strings, slen, &len);
	struct dt dt;
	int err = dt_open(&dt, b, len);

	free(b);
	return err;
}

#define OPEN_RAW(words, strings) \
	open_raw(words, sizeof(words) / sizeof(words[0]), strings, sizeof(strings) - 1)

/* Exercises every accessor on every node; returns the node count. Used on
 * hostile blobs, where it must not crash whatever dt_open accepted. */
static int walk_all(const struct dt *dt, int node, int depth)
{
	static const char *const names[] = { "reg", "compatible", "#address-cells",
					     "#size-cells", "device_type", "" };
	int count = 1;
	uint64_t a, s;
	uint32_t len, v;

	assert_true(depth <= DT_MAX_DEPTH);
	assert_non_null(dt_node_name(dt, node));
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		(void)dt_prop(dt, node, names[i], &len);
		(void)dt_prop_u32(dt, node, names[i], &v);
	}
	(void)dt_is_compatible(dt, node, "virtio,mmio");
	for (int i = 0; i < 4 && dt_reg(dt, node, i, &a, &s); i++)
		;
	(void)dt_address_cells(dt, node);
	(void)dt_size_cells(dt, node);
	for (int c = dt_first_child(dt, node); c >= 0; c = dt_next_sibling(dt, c)) {
		assert_int_equal(dt_parent(dt, c), node);
		count += walk_all(dt, c, depth + 1);
	}
	return count;
}

/* ---- fixtures: the QEMU virt DTB ------------------------------------- */

struct qemu_fixture {
	uint8_t *blob;
	size_t len;
	struct dt dt;
};

static int qemu_setup(void **state)
{
	struct qemu_fixture *f = calloc(1, sizeof(*f));
	size_t len;
	uint8_t *raw = load_data("qemu-virt.dtb", &len);

	assert_non_null(f);
	f->blob = dup_exact(raw, len);
	f->len = len;
	free(raw);
	assert_int_equal(dt_open(&f->dt, f->blob, f->len), 0);
	*state = f;
	return 0;
}

static int qemu_teardown(void **state)
{
	struct qemu_fixture *f = *state;

	free(f->blob);
	free(f);
	return 0;
}

#define QDT (&((struct qemu_fixture *)*state)->dt)

/* ---- QEMU virt DTB --------------------------------------------------- */

static void test_fdt_qemu_header(void **state)
{
	const struct dt *dt = QDT;

	assert_int_equal(dt->size, 4590);
	assert_int_equal(dt->off_struct, 0x38);
	assert_int_equal(dt->size_struct, 0x1030);
	assert_int_equal(dt->off_strings, 0x1068);
	assert_int_equal(dt->size_strings, 0x186);
	assert_int_equal(dt_root(dt), 0);
	assert_string_equal(dt_node_name(dt, dt_root(dt)), "");
	assert_int_equal(dt_parent(dt, dt_root(dt)), DT_ERR_NOTFOUND);
}

static void test_fdt_qemu_memory_reg(void **state)
{
	const struct dt *dt = QDT;
	int mem = dt_path(dt, "/memory");
	uint64_t a, s;
	uint32_t len;

	assert_true(mem > 0);
	assert_string_equal(dt_node_name(dt, mem), "memory@80000000");
	assert_int_equal(dt_path(dt, "/memory@80000000"), mem);
	assert_string_equal(dt_prop(dt, mem, "device_type", &len), "memory");
	assert_int_equal(len, 7);
	assert_true(dt_reg(dt, mem, 0, &a, &s));
	assert_int_equal(a, 0x80000000);
	assert_int_equal(s, 256u << 20);
	assert_false(dt_reg(dt, mem, 1, &a, &s));
}

static void test_fdt_qemu_cpus(void **state)
{
	const struct dt *dt = QDT;
	int cpus = dt_path(dt, "/cpus");
	int ncpu = 0;
	uint32_t len;

	assert_true(cpus > 0);
	for (int c = dt_first_child(dt, cpus); c >= 0; c = dt_next_sibling(dt, c)) {
		const char *type = dt_prop(dt, c, "device_type", &len);
		uint64_t hart, size;

		if (!type || strcmp(type, "cpu") != 0)
			continue;
		assert_true(dt_reg(dt, c, 0, &hart, &size));
		assert_int_equal(hart, ncpu);
		assert_int_equal(size, 0);
		assert_true(dt_is_compatible(dt, c, "riscv"));
		ncpu++;
	}
	assert_int_equal(ncpu, 2);
	assert_string_equal(dt_node_name(dt, dt_path(dt, "/cpus/cpu@1")), "cpu@1");
	/* cpu-map is a child of /cpus but not a cpu. */
	assert_true(dt_path(dt, "/cpus/cpu-map/cluster0/core1") > 0);
}

static void test_fdt_qemu_timebase(void **state)
{
	const struct dt *dt = QDT;
	uint32_t tb = 0;

	assert_true(dt_prop_u32(dt, dt_path(dt, "/cpus"), "timebase-frequency", &tb));
	assert_int_equal(tb, 10000000);
	assert_false(dt_prop_u32(dt, dt_path(dt, "/cpus"), "no-such-prop", &tb));
}

static void test_fdt_qemu_serial(void **state)
{
	const struct dt *dt = QDT;
	int uart = dt_path(dt, "/soc/serial@10000000");
	uint64_t a, s;
	uint32_t irq;

	assert_true(uart > 0);
	assert_true(dt_reg(dt, uart, 0, &a, &s));
	assert_int_equal(a, 0x10000000);
	assert_int_equal(s, 0x100);
	assert_true(dt_is_compatible(dt, uart, "ns16550a"));
	assert_true(dt_prop_u32(dt, uart, "interrupts", &irq));
	assert_int_equal(irq, 10);
	assert_int_equal(dt_find_compatible(dt, -1, "ns16550a"), uart);
}

static void test_fdt_qemu_chosen_stdout(void **state)
{
	const struct dt *dt = QDT;
	uint32_t len;
	const char *out = dt_prop(dt, dt_path(dt, "/chosen"), "stdout-path", &len);

	assert_non_null(out);
	assert_string_equal(out, "/soc/serial@10000000");
	assert_int_equal(len, strlen(out) + 1);
	assert_int_equal(dt_path(dt, out), dt_path(dt, "/soc/serial"));
}

static void test_fdt_qemu_test_device(void **state)
{
	const struct dt *dt = QDT;
	int test = dt_path(dt, "/soc/test@100000");
	uint64_t a, s;

	assert_true(test > 0);
	assert_true(dt_is_compatible(dt, test, "sifive,test1"));
	assert_true(dt_is_compatible(dt, test, "sifive,test0"));
	assert_true(dt_is_compatible(dt, test, "syscon"));
	/* Whole-string matches only, not prefixes or suffixes. */
	assert_false(dt_is_compatible(dt, test, "sifive,test"));
	assert_false(dt_is_compatible(dt, test, "test1"));
	assert_false(dt_is_compatible(dt, test, ""));
	assert_int_equal(dt_find_compatible(dt, -1, "sifive,test1"), test);
	assert_true(dt_reg(dt, test, 0, &a, &s));
	assert_int_equal(a, 0x100000);
	assert_int_equal(s, 0x1000);
}

static void test_fdt_qemu_plic(void **state)
{
	const struct dt *dt = QDT;
	int plic = dt_find_compatible(dt, -1, "riscv,plic0");
	uint64_t a, s;
	uint32_t ndev;

	assert_true(plic > 0);
	assert_string_equal(dt_node_name(dt, plic), "plic@c000000");
	assert_int_equal(dt_find_compatible(dt, -1, "sifive,plic-1.0.0"), plic);
	assert_true(dt_reg(dt, plic, 0, &a, &s));
	assert_int_equal(a, 0xc000000);
	assert_int_equal(s, 0x600000);
	assert_true(dt_prop_u32(dt, plic, "riscv,ndev", &ndev));
	assert_int_equal(ndev, 0x60);
	assert_int_equal(dt_find_compatible(dt, plic, "riscv,plic0"), DT_ERR_NOTFOUND);
}

static void test_fdt_qemu_rsvmap_empty(void **state)
{
	const struct dt *dt = QDT;
	uint64_t a = 1, s = 1;

	/* QEMU 7.2 virt reserves nothing in the map (OpenSBI adds its own). */
	assert_int_equal(dt_rsv_count(dt), 0);
	assert_false(dt_rsv_get(dt, 0, &a, &s));
	assert_int_equal(a, 1);
}

static void test_fdt_qemu_find_compatible_order(void **state)
{
	const struct dt *dt = QDT;
	uint64_t expect = 0x10008000, a, s;
	int n = 0;

	for (int v = dt_find_compatible(dt, -1, "virtio,mmio"); v >= 0;
	     v = dt_find_compatible(dt, v, "virtio,mmio")) {
		assert_true(dt_reg(dt, v, 0, &a, &s));
		assert_int_equal(a, expect);
		assert_int_equal(s, 0x1000);
		expect -= 0x1000;
		n++;
	}
	assert_int_equal(n, 8);
	assert_int_equal(dt_find_compatible(dt, -1, "no,such-device"), DT_ERR_NOTFOUND);
	/* The root itself is a candidate when starting from -1. */
	assert_int_equal(dt_find_compatible(dt, -1, "riscv-virtio"), 0);
}

static void test_fdt_qemu_cells(void **state)
{
	const struct dt *dt = QDT;
	int soc = dt_path(dt, "/soc");
	int uart = dt_path(dt, "/soc/serial@10000000");
	int cpu0 = dt_path(dt, "/cpus/cpu@0");
	int pbus = dt_path(dt, "/platform-bus");

	assert_int_equal(dt_parent(dt, uart), soc);
	assert_int_equal(dt_parent(dt, soc), 0);
	assert_int_equal(dt_address_cells(dt, uart), 2);
	assert_int_equal(dt_size_cells(dt, uart), 2);
	assert_int_equal(dt_address_cells(dt, cpu0), 1);
	assert_int_equal(dt_size_cells(dt, cpu0), 0);
	assert_int_equal(dt_address_cells(dt, pbus), 2);
	/* The root has no parent bus: spec defaults. */
	assert_int_equal(dt_address_cells(dt, 0), 2);
	assert_int_equal(dt_size_cells(dt, 0), 1);
	/* pci@30000000 has #address-cells = 3, but its own reg uses /soc's 2. */
	assert_true(dt_reg(dt, dt_path(dt, "/soc/pci"), 0, NULL, NULL));
}

/* The walk through dt_first_child/dt_next_sibling visits the same nodes in
 * the same order as libfdt's fdt_next_node, with the same offsets, names
 * and parents (libfdt node offsets are structure-block offsets too). */
static void test_fdt_qemu_walk_matches_libfdt(void **state)
{
	struct qemu_fixture *f = *state;
	const struct dt *dt = &f->dt;
	int ours[128], n = 0, depth = 0;
	int stack[DT_MAX_DEPTH], sp = 0, node = dt_root(dt);

	/* Iterative preorder walk. */
	while (node >= 0) {
		assert_true(n < 128);
		ours[n++] = node;
		int c = dt_first_child(dt, node);

		if (c >= 0) {
			stack[sp++] = node;
			node = c;
			continue;
		}
		for (;;) {
			int sib = dt_next_sibling(dt, node);

			if (sib >= 0) {
				node = sib;
				break;
			}
			if (sp == 0) {
				node = -1;
				break;
			}
			node = stack[--sp];
		}
	}
	int i = 0;

	/* fdt_next_node ends with the root's FDT_END_NODE at depth -1. */
	for (int off = 0; off >= 0 && depth >= 0;
	     off = fdt_next_node(f->blob, off, &depth), i++) {
		assert_true(i < n);
		assert_int_equal(ours[i], off);
		assert_string_equal(dt_node_name(dt, off), fdt_get_name(f->blob, off, NULL));
		if (off > 0)
			assert_int_equal(dt_parent(dt, off), fdt_parent_offset(f->blob, off));
	}
	assert_int_equal(i, n);
	assert_int_equal(walk_all(dt, 0, 1), n);
	assert_int_equal(n, 33);
}

static void test_fdt_qemu_path_forms(void **state)
{
	const struct dt *dt = QDT;
	int soc = dt_path(dt, "/soc");

	assert_int_equal(dt_path(dt, "/"), 0);
	assert_int_equal(dt_path(dt, "//soc//"), soc);
	assert_int_equal(dt_path(dt, "soc"), DT_ERR_BADPATH);
	assert_int_equal(dt_path(dt, ""), DT_ERR_BADPATH);
	assert_int_equal(dt_path(dt, NULL), DT_ERR_BADPATH);
	assert_int_equal(dt_path(dt, "/nosuch"), DT_ERR_NOTFOUND);
	assert_int_equal(dt_path(dt, "/soc/nosuch/deeper"), DT_ERR_NOTFOUND);
	/* A component with a unit address must match exactly. */
	assert_int_equal(dt_path(dt, "/soc/serial@1000000"), DT_ERR_NOTFOUND);
	assert_int_equal(dt_path(dt, "/memory@"), DT_ERR_NOTFOUND);
	/* Prefixes of names do not match. */
	assert_int_equal(dt_path(dt, "/mem"), DT_ERR_NOTFOUND);
	/* Without a unit address, the first of several matches: cpu@0. */
	assert_int_equal(dt_path(dt, "/cpus/cpu"), dt_path(dt, "/cpus/cpu@0"));
	assert_int_equal(dt_path(dt, "/soc/virtio_mmio"), dt_path(dt, "/soc/virtio_mmio@10008000"));
}

/* Flipping any single byte, and truncating anywhere, never crashes: the
 * reader either rejects the blob or walks it within bounds. */
static void test_fdt_qemu_every_byte_corrupted(void **state)
{
	struct qemu_fixture *f = *state;
	int accepted = 0, rejected = 0;

	for (size_t i = 0; i < f->len; i++) {
		uint8_t *b = dup_exact(f->blob, f->len);
		struct dt dt;

		b[i] ^= 0xff;
		if (dt_open(&dt, b, f->len) == 0) {
			assert_true(walk_all(&dt, dt_root(&dt), 1) >= 1);
			(void)dt_path(&dt, "/soc/serial@10000000");
			(void)dt_find_compatible(&dt, -1, "ns16550a");
			accepted++;
		} else {
			assert_int_equal(dt_root(&dt), DT_ERR_BADARG);
			rejected++;
		}
		free(b);
	}
	/* Flipped value bytes are fine; flipped tokens and header are not. */
	assert_true(accepted > 1000);
	assert_true(rejected > 100);
}

static void test_fdt_qemu_truncated(void **state)
{
	struct qemu_fixture *f = *state;
	struct dt dt;

	for (size_t n = 0; n < f->len; n++) {
		uint8_t *b = dup_exact(f->blob, n);

		assert_int_equal(dt_open(&dt, b, n), DT_ERR_TRUNCATED);
		free(b);
	}
}

static void test_fdt_qemu_unaligned_blob(void **state)
{
	struct qemu_fixture *f = *state;
	uint8_t *b = malloc(f->len + 1);
	struct dt dt;
	uint64_t a, s;

	assert_non_null(b);
	memcpy(b + 1, f->blob, f->len);
	assert_int_equal(dt_open(&dt, b + 1, f->len), 0);
	assert_true(dt_reg(&dt, dt_path(&dt, "/memory"), 0, &a, &s));
	assert_int_equal(a, 0x80000000);
	free(b);
}

/* ---- blobs built with libfdt ----------------------------------------- */

#define FDT_OK(x) assert_int_equal((x), 0)

static uint8_t *finish(uint8_t *buf, size_t *len)
{
	FDT_OK(fdt_finish(buf));
	*len = fdt_totalsize(buf);
	return dup_exact(buf, *len);
}

static void test_fdt_built_rsvmap(void **state)
{
	uint8_t buf[1024];
	size_t len;
	struct dt dt;
	uint64_t a, s;

	(void)state;
	FDT_OK(fdt_create(buf, sizeof(buf)));
	FDT_OK(fdt_add_reservemap_entry(buf, 0x80000000, 0x200000));
	FDT_OK(fdt_add_reservemap_entry(buf, 0x1234567800000000ull, 0x1000));
	FDT_OK(fdt_finish_reservemap(buf));
	FDT_OK(fdt_begin_node(buf, ""));
	FDT_OK(fdt_end_node(buf));
	uint8_t *b = finish(buf, &len);

	assert_int_equal(dt_open(&dt, b, len), 0);
	assert_int_equal(dt_rsv_count(&dt), 2);
	assert_true(dt_rsv_get(&dt, 0, &a, &s));
	assert_int_equal(a, 0x80000000);
	assert_int_equal(s, 0x200000);
	assert_true(dt_rsv_get(&dt, 1, &a, &s));
	assert_int_equal(a, 0x1234567800000000ull);
	assert_int_equal(s, 0x1000);
	assert_false(dt_rsv_get(&dt, 2, &a, &s));
	assert_false(dt_rsv_get(&dt, -1, &a, &s));
	assert_int_equal(dt_first_child(&dt, 0), DT_ERR_NOTFOUND);
	free(b);
}

static void test_fdt_built_exact_name_preferred(void **state)
{
	uint8_t buf[1024];
	size_t len;
	struct dt dt;

	(void)state;
	FDT_OK(fdt_create(buf, sizeof(buf)));
	FDT_OK(fdt_finish_reservemap(buf));
	FDT_OK(fdt_begin_node(buf, ""));
	FDT_OK(fdt_begin_node(buf, "uart@1"));
	FDT_OK(fdt_end_node(buf));
	FDT_OK(fdt_begin_node(buf, "uart"));
	FDT_OK(fdt_property_u32(buf, "id", 7));
	FDT_OK(fdt_end_node(buf));
	FDT_OK(fdt_begin_node(buf, "uart2"));
	FDT_OK(fdt_end_node(buf));
	FDT_OK(fdt_end_node(buf));
	uint8_t *b = finish(buf, &len);
	uint32_t id;

	assert_int_equal(dt_open(&dt, b, len), 0);
	assert_true(dt_prop_u32(&dt, dt_path(&dt, "/uart"), "id", &id));
	assert_int_equal(id, 7);
	assert_string_equal(dt_node_name(&dt, dt_path(&dt, "/uart@1")), "uart@1");
	assert_string_equal(dt_node_name(&dt, dt_path(&dt, "/uart2")), "uart2");
	free(b);
}

static void test_fdt_built_reg_cells(void **state)
{
	uint8_t buf[1024];
	size_t len;
	struct dt dt;
	uint64_t a, s;
	const uint32_t reg3[] = { cpu_to_fdt32(0x1000), cpu_to_fdt32(0x10),
				  cpu_to_fdt32(0x2000), cpu_to_fdt32(0x20),
				  cpu_to_fdt32(0x3000), cpu_to_fdt32(0x30) };
	const uint32_t reg_odd[] = { cpu_to_fdt32(1), cpu_to_fdt32(2), cpu_to_fdt32(3) };

	(void)state;
	FDT_OK(fdt_create(buf, sizeof(buf)));
	FDT_OK(fdt_finish_reservemap(buf));
	FDT_OK(fdt_begin_node(buf, ""));
	FDT_OK(fdt_begin_node(buf, "bus"));
	FDT_OK(fdt_property_u32(buf, "#address-cells", 1));
	FDT_OK(fdt_property_u32(buf, "#size-cells", 1));
	FDT_OK(fdt_begin_node(buf, "dev@1000"));
	FDT_OK(fdt_property(buf, "reg", reg3, sizeof(reg3)));
	FDT_OK(fdt_end_node(buf));
	FDT_OK(fdt_begin_node(buf, "odd"));
	FDT_OK(fdt_property(buf, "reg", reg_odd, sizeof(reg_odd)));
	FDT_OK(fdt_end_node(buf));
	FDT_OK(fdt_end_node(buf));
	FDT_OK(fdt_begin_node(buf, "pci"));
	FDT_OK(fdt_property_u32(buf, "#address-cells", 3));
	FDT_OK(fdt_begin_node(buf, "dev"));
	FDT_OK(fdt_property(buf, "reg", reg3, sizeof(reg3)));
	FDT_OK(fdt_end_node(buf));
	FDT_OK(fdt_end_node(buf));
	FDT_OK(fdt_end_node(buf));
	uint8_t *b = finish(buf, &len);
	int dev;

	assert_int_equal(dt_open(&dt, b, len), 0);
	dev = dt_path(&dt, "/bus/dev");
	assert_true(dev > 0);
	assert_true(dt_reg(&dt, dev, 2, &a, &s));
	assert_int_equal(a, 0x3000);
	assert_int_equal(s, 0x30);
	assert_false(dt_reg(&dt, dev, 3, &a, &s));
	assert_false(dt_reg(&dt, dev, -1, &a, &s));
	assert_false(dt_reg(&dt, dev, INT32_MAX, &a, &s));
	/* 3 cells hold one 2-cell entry, not two. */
	assert_true(dt_reg(&dt, dt_path(&dt, "/bus/odd"), 0, &a, &s));
	assert_false(dt_reg(&dt, dt_path(&dt, "/bus/odd"), 1, &a, &s));
	/* 3 address cells do not fit a uint64_t. */
	assert_int_equal(dt_address_cells(&dt, dt_path(&dt, "/pci/dev")), 3);
	assert_int_equal(dt_size_cells(&dt, dt_path(&dt, "/pci/dev")), 1);
	assert_false(dt_reg(&dt, dt_path(&dt, "/pci/dev"), 0, &a, &s));
	/* /bus itself has no reg; its parent (root) gives defaults 2/1. */
	assert_false(dt_reg(&dt, dt_path(&dt, "/bus"), 0, &a, &s));
	free(b);
}

static void test_fdt_built_prop_lengths(void **state)
{
	uint8_t buf[1024];
	size_t len;
	struct dt dt;
	uint32_t v = 0, plen = 99;
	const uint8_t eight[8] = { 0, 0, 0, 1, 0, 0, 0, 2 };

	(void)state;
	FDT_OK(fdt_create(buf, sizeof(buf)));
	FDT_OK(fdt_finish_reservemap(buf));
	FDT_OK(fdt_begin_node(buf, ""));
	FDT_OK(fdt_property(buf, "empty", NULL, 0));
	FDT_OK(fdt_property(buf, "eight", eight, sizeof(eight)));
	FDT_OK(fdt_property(buf, "three", eight, 3));
	FDT_OK(fdt_property_u32(buf, "four", 0xdeadbeef));
	/* compatible whose last string lacks its NUL */
	FDT_OK(fdt_property(buf, "compatible", "a,b\0c,d", 7));
	FDT_OK(fdt_end_node(buf));
	uint8_t *b = finish(buf, &len);

	assert_int_equal(dt_open(&dt, b, len), 0);
	assert_non_null(dt_prop(&dt, 0, "empty", &plen));
	assert_int_equal(plen, 0);
	assert_false(dt_prop_u32(&dt, 0, "empty", &v));
	assert_false(dt_prop_u32(&dt, 0, "eight", &v));
	assert_false(dt_prop_u32(&dt, 0, "three", &v));
	assert_true(dt_prop_u32(&dt, 0, "four", &v));
	assert_int_equal(v, 0xdeadbeef);
	assert_null(dt_prop(&dt, 0, "fou", &plen));
	assert_int_equal(plen, 0);
	assert_null(dt_prop(&dt, 0, "fourr", NULL));
	assert_true(dt_is_compatible(&dt, 0, "a,b"));
	assert_true(dt_is_compatible(&dt, 0, "c,d"));
	assert_false(dt_is_compatible(&dt, 0, "c,"));
	assert_false(dt_is_compatible(&dt, 0, "a,bc,d"));
	free(b);
}

/* Builds a chain of depth nested nodes under the root (root is depth 1). */
static uint8_t *build_chain(int depth, size_t *len)
{
	static uint8_t buf[65536];

	FDT_OK(fdt_create(buf, sizeof(buf)));
	FDT_OK(fdt_finish_reservemap(buf));
	FDT_OK(fdt_begin_node(buf, ""));
	for (int i = 1; i < depth; i++)
		FDT_OK(fdt_begin_node(buf, "n"));
	for (int i = 0; i < depth; i++)
		FDT_OK(fdt_end_node(buf));
	return finish(buf, len);
}

static void test_fdt_built_max_depth(void **state)
{
	size_t len;
	uint8_t *b = build_chain(DT_MAX_DEPTH, &len);
	struct dt dt;
	char path[2 * DT_MAX_DEPTH + 1] = "";
	int node, prev = 0;

	(void)state;
	assert_int_equal(dt_open(&dt, b, len), 0);
	for (int i = 1; i < DT_MAX_DEPTH; i++)
		strcat(path, "/n");
	node = dt_path(&dt, path);
	assert_true(node > 0);
	assert_int_equal(dt_first_child(&dt, node), DT_ERR_NOTFOUND);
	prev = dt_parent(&dt, node);
	assert_true(prev > 0 && prev < node);
	assert_int_equal(walk_all(&dt, 0, 1), DT_MAX_DEPTH);
	free(b);
}

static void test_fdt_built_too_deep(void **state)
{
	size_t len;
	uint8_t *b = build_chain(DT_MAX_DEPTH + 1, &len);
	struct dt dt;

	(void)state;
	assert_int_equal(dt_open(&dt, b, len), DT_ERR_DEPTH);
	free(b);
	b = build_chain(1000, &len);
	assert_int_equal(dt_open(&dt, b, len), DT_ERR_DEPTH);
	free(b);
}

/* FDT_NOP tokens left by libfdt's fdt_nop_property/fdt_nop_node (5.4.1)
 * hide what they replace. */
static void test_fdt_built_nop_tokens(void **state)
{
	uint8_t buf[1024];
	size_t len;
	struct dt dt;

	(void)state;
	FDT_OK(fdt_create(buf, sizeof(buf)));
	FDT_OK(fdt_finish_reservemap(buf));
	FDT_OK(fdt_begin_node(buf, ""));
	FDT_OK(fdt_property_u32(buf, "gone", 1));
	FDT_OK(fdt_property_u32(buf, "kept", 2));
	FDT_OK(fdt_begin_node(buf, "a"));
	FDT_OK(fdt_begin_node(buf, "a1"));
	FDT_OK(fdt_end_node(buf));
	FDT_OK(fdt_end_node(buf));
	FDT_OK(fdt_begin_node(buf, "b"));
	FDT_OK(fdt_end_node(buf));
	FDT_OK(fdt_end_node(buf));
	uint8_t *b = finish(buf, &len);
	uint32_t v;

	FDT_OK(fdt_nop_property(b, 0, "gone"));
	FDT_OK(fdt_nop_node(b, fdt_path_offset(b, "/a")));
	assert_int_equal(dt_open(&dt, b, len), 0);
	assert_false(dt_prop_u32(&dt, 0, "gone", &v));
	assert_true(dt_prop_u32(&dt, 0, "kept", &v));
	assert_int_equal(v, 2);
	assert_int_equal(dt_path(&dt, "/a"), DT_ERR_NOTFOUND);
	assert_int_equal(dt_first_child(&dt, 0), dt_path(&dt, "/b"));
	assert_int_equal(dt_next_sibling(&dt, dt_path(&dt, "/b")), DT_ERR_NOTFOUND);
	free(b);
}

/* ---- malformed blobs ------------------------------------------------- */

static void test_fdt_bad_header_fields(void **state)
{
	struct qemu_fixture *f = *state;
	struct {
		uint32_t field, value;
		int err;
	} cases[] = {
		{ H_MAGIC, 0xedfe0dd0, DT_ERR_BADMAGIC },
		{ H_VERSION, 16, DT_ERR_BADVERSION },
		{ H_LAST_COMP, 18, DT_ERR_BADVERSION },
		{ H_TOTAL, 39, DT_ERR_BADLAYOUT },
		{ H_TOTAL, 0x80000000, DT_ERR_BADLAYOUT },
		{ H_TOTAL, 4591, DT_ERR_TRUNCATED },
		{ H_OFF_STRUCT, 0x3a, DT_ERR_BADLAYOUT },		/* misaligned */
		{ H_OFF_STRUCT, 0, DT_ERR_BADLAYOUT },			/* inside header */
		{ H_OFF_STRUCT, 0x1000, DT_ERR_BADLAYOUT },		/* runs past totalsize */
		{ H_SIZE_STRUCT, 0xfffffff0, DT_ERR_BADLAYOUT },	/* wraps in 32 bits */
		{ H_OFF_STRINGS, 0x1100, DT_ERR_BADLAYOUT },
		{ H_OFF_STRINGS, 0xffffff00, DT_ERR_BADLAYOUT },
		{ H_SIZE_STRINGS, 0x187, DT_ERR_BADLAYOUT },
		{ H_OFF_RSV, 0x2c, DT_ERR_BADLAYOUT },			/* not 8-aligned */
		{ H_OFF_RSV, 0x11e8, DT_ERR_BADLAYOUT },		/* terminator would pass the end */
		{ H_OFF_RSV, 0xfffffff8, DT_ERR_BADLAYOUT },
		{ H_SIZE_STRUCT, 0x102c, DT_ERR_BADSTRUCT },		/* cuts FDT_END off */
		{ H_SIZE_STRINGS, 0x100, DT_ERR_BADSTRUCT },		/* nameoffs past the block */
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint8_t *b = dup_exact(f->blob, f->len);
		struct dt dt;

		put_be32(b + cases[i].field, cases[i].value);
		if (dt_open(&dt, b, f->len) != cases[i].err)
			fail_msg("case %zu: field %u = %#x: got %d, want %d", i,
				 cases[i].field, cases[i].value, dt_open(&dt, b, f->len),
				 cases[i].err);
		assert_null(dt.blob);
		free(b);
	}
}

static void test_fdt_bad_args(void **state)
{
	struct qemu_fixture *f = *state;
	struct dt dt;

	assert_int_equal(dt_open(NULL, f->blob, f->len), DT_ERR_BADARG);
	assert_int_equal(dt_open(&dt, NULL, 100), DT_ERR_BADARG);
	assert_int_equal(dt_open(&dt, f->blob, 39), DT_ERR_TRUNCATED);
	/* A failed open leaves a dt every accessor rejects. */
	assert_int_equal(dt_root(&dt), DT_ERR_BADARG);
	assert_int_equal(dt_path(&dt, "/"), DT_ERR_BADARG);
	assert_int_equal(dt_first_child(&dt, 0), DT_ERR_BADARG);
	assert_null(dt_node_name(&dt, 0));
	assert_null(dt_prop(&dt, 0, "compatible", NULL));
	assert_int_equal(dt_find_compatible(&dt, -1, "x"), DT_ERR_BADARG);
	assert_int_equal(dt_rsv_count(&dt), DT_ERR_BADARG);
	assert_false(dt_rsv_get(&dt, 0, NULL, NULL));
	assert_false(dt_reg(&dt, 0, 0, NULL, NULL));
	assert_int_equal(dt_root(NULL), DT_ERR_BADARG);
}

static void test_fdt_bad_handles(void **state)
{
	const struct dt *dt = QDT;
	int bad[] = { -1, -100, 2, 3, 4, 8, 0x1030, 0x102c, 0x1034, INT32_MAX };

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int n = bad[i];

		assert_null(dt_node_name(dt, n));
		assert_true(dt_first_child(dt, n) < 0);
		assert_true(dt_next_sibling(dt, n) < 0);
		assert_true(dt_parent(dt, n) < 0);
		assert_null(dt_prop(dt, n, "reg", NULL));
		assert_false(dt_reg(dt, n, 0, NULL, NULL));
		assert_false(dt_is_compatible(dt, n, "riscv"));
		assert_int_equal(dt_address_cells(dt, n), 2);
		if (n >= 0)
			assert_true(dt_find_compatible(dt, n, "riscv") < 0);
	}
}

static void test_fdt_unterminated_node_name(void **state)
{
	/* Root named "abcd" with no NUL before the block ends. */
	const uint32_t words[] = { BEGIN, 0x61626364 };
	/* Name runs into the next token but the block ends before any NUL. */
	const uint32_t words2[] = { BEGIN, 0x61626364, 0x65666768 };

	(void)state;
	assert_int_equal(OPEN_RAW(words, ""), DT_ERR_BADSTRUCT);
	assert_int_equal(OPEN_RAW(words2, ""), DT_ERR_BADSTRUCT);
}

static void test_fdt_bad_prop_nameoff(void **state)
{
	const uint32_t ok[] = { BEGIN, 0, PROP, 0, 0, ENDN, END };
	const uint32_t past[] = { BEGIN, 0, PROP, 0, 4, ENDN, END };
	const uint32_t huge[] = { BEGIN, 0, PROP, 0, 0xffffffff, ENDN, END };

	(void)state;
	assert_int_equal(OPEN_RAW(ok, "abc\0"), 0);
	/* The strings block is exactly "abc", no NUL: unterminated name. */
	assert_int_equal(OPEN_RAW(ok, "abc"), DT_ERR_BADSTRUCT);
	assert_int_equal(OPEN_RAW(past, "abc\0"), DT_ERR_BADSTRUCT);
	assert_int_equal(OPEN_RAW(huge, "abc\0"), DT_ERR_BADSTRUCT);
}

static void test_fdt_bad_prop_len(void **state)
{
	const uint32_t too_long[] = { BEGIN, 0, PROP, 8, 0, ENDN, END };
	const uint32_t wraps[] = { BEGIN, 0, PROP, 0xfffffffc, 0, ENDN, END };
	const uint32_t cut[] = { BEGIN, 0, PROP, 0 };

	(void)state;
	assert_int_equal(OPEN_RAW(too_long, "p\0"), DT_ERR_BADSTRUCT);
	assert_int_equal(OPEN_RAW(wraps, "p\0"), DT_ERR_BADSTRUCT);
	assert_int_equal(OPEN_RAW(cut, "p\0"), DT_ERR_BADSTRUCT);
}

static void test_fdt_bad_tree_shape(void **state)
{
	const uint32_t unknown_token[] = { BEGIN, 0, 5, ENDN, END };
	const uint32_t no_end_node[] = { BEGIN, 0, END };
	const uint32_t extra_end_node[] = { BEGIN, 0, ENDN, ENDN, END };
	const uint32_t no_end[] = { BEGIN, 0, ENDN };
	const uint32_t two_roots[] = { BEGIN, 0, ENDN, BEGIN, 0, ENDN, END };
	const uint32_t prop_outside[] = { PROP, 0, 0, BEGIN, 0, ENDN, END };
	const uint32_t no_root[] = { NOP, END };
	const uint32_t nops_ok[] = { NOP, BEGIN, 0, NOP, ENDN, NOP, END };
	const uint32_t empty[] = { 0 };

	(void)state;
	assert_int_equal(OPEN_RAW(unknown_token, "p\0"), DT_ERR_BADSTRUCT);
	assert_int_equal(OPEN_RAW(no_end_node, "p\0"), DT_ERR_BADSTRUCT);
	assert_int_equal(OPEN_RAW(extra_end_node, "p\0"), DT_ERR_BADSTRUCT);
	assert_int_equal(OPEN_RAW(no_end, "p\0"), DT_ERR_BADSTRUCT);
	assert_int_equal(OPEN_RAW(two_roots, "p\0"), DT_ERR_BADSTRUCT);
	assert_int_equal(OPEN_RAW(prop_outside, "p\0"), DT_ERR_BADSTRUCT);
	assert_int_equal(OPEN_RAW(no_root, "p\0"), DT_ERR_BADSTRUCT);
	assert_int_equal(open_raw(empty, 0, "", 0), DT_ERR_BADSTRUCT);
	assert_int_equal(OPEN_RAW(nops_ok, "p\0"), 0);
}

static void test_fdt_root_after_nop(void **state)
{
	const uint32_t words[] = { NOP, NOP, BEGIN, 0, BEGIN, 0x63000000, ENDN, ENDN, END };
	size_t len;
	uint8_t *b = mk_raw(words, sizeof(words) / sizeof(words[0]), "", 0, &len);
	struct dt dt;

	(void)state;
	assert_int_equal(dt_open(&dt, b, len), 0);
	assert_int_equal(dt_root(&dt), 8);
	assert_int_equal(dt_path(&dt, "/c"), 16);
	assert_int_equal(dt_parent(&dt, 16), 8);
	assert_int_equal(get_be32(b + 56 + 8), BEGIN);
	free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define Q(t) cmocka_unit_test_setup_teardown(t, qemu_setup, qemu_teardown)
		Q(test_fdt_qemu_header),
		Q(test_fdt_qemu_memory_reg),
		Q(test_fdt_qemu_cpus),
		Q(test_fdt_qemu_timebase),
		Q(test_fdt_qemu_serial),
		Q(test_fdt_qemu_chosen_stdout),
		Q(test_fdt_qemu_test_device),
		Q(test_fdt_qemu_plic),
		Q(test_fdt_qemu_rsvmap_empty),
		Q(test_fdt_qemu_find_compatible_order),
		Q(test_fdt_qemu_cells),
		Q(test_fdt_qemu_walk_matches_libfdt),
		Q(test_fdt_qemu_path_forms),
		Q(test_fdt_qemu_every_byte_corrupted),
		Q(test_fdt_qemu_truncated),
		Q(test_fdt_qemu_unaligned_blob),
		cmocka_unit_test(test_fdt_built_rsvmap),
		cmocka_unit_test(test_fdt_built_exact_name_preferred),
		cmocka_unit_test(test_fdt_built_reg_cells),
		cmocka_unit_test(test_fdt_built_prop_lengths),
		cmocka_unit_test(test_fdt_built_max_depth),
		cmocka_unit_test(test_fdt_built_too_deep),
		cmocka_unit_test(test_fdt_built_nop_tokens),
		Q(test_fdt_bad_header_fields),
		Q(test_fdt_bad_args),
		Q(test_fdt_bad_handles),
		cmocka_unit_test(test_fdt_unterminated_node_name),
		cmocka_unit_test(test_fdt_bad_prop_nameoff),
		cmocka_unit_test(test_fdt_bad_prop_len),
		cmocka_unit_test(test_fdt_bad_tree_shape),
		cmocka_unit_test(test_fdt_root_after_nop),
#undef Q
	};

	return cmocka_run_group_tests_name("fdt", tests, NULL, NULL);
}
