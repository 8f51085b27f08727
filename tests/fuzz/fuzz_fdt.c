/*
 * libFuzzer target for src/core/fdt.c: whatever the bytes, dt_open either
 * rejects them or every accessor walks the tree within the input buffer
 * (ASan checks the bounds; libFuzzer hands over an exact-size copy).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "core/fdt.h"

static const char *const fuzz_paths[] = {
	"/", "/cpus", "/memory", "/soc/serial@10000000", "/soc/serial",
	"/chosen", "/cpus/cpu@0/interrupt-controller", "//a//b/", "/n/n/n/n",
};

static const char *const fuzz_props[] = {
	"reg", "compatible", "#address-cells", "#size-cells", "device_type",
	"timebase-frequency", "stdout-path", "",
};

static void fuzz_node(const struct dt *dt, int node, int depth)
{
	uint64_t a, s;
	uint32_t len, v;

	if (depth > DT_MAX_DEPTH || !dt_node_name(dt, node))
		abort();	/* dt_open promised a bounded, well-formed tree */
	for (size_t i = 0; i < sizeof(fuzz_props) / sizeof(fuzz_props[0]); i++) {
		const uint8_t *p = dt_prop(dt, node, fuzz_props[i], &len);
		volatile uint8_t sink;

		/* Touch the whole value so ASan checks it lies in the input. */
		for (uint32_t j = 0; p && j < len; j++)
			sink = p[j];
		(void)sink;
		(void)dt_prop_u32(dt, node, fuzz_props[i], &v);
	}
	(void)dt_is_compatible(dt, node, "virtio,mmio");
	(void)dt_is_compatible(dt, node, "");
	for (int i = 0; i < 16 && dt_reg(dt, node, i, &a, &s); i++)
		;
	(void)dt_address_cells(dt, node);
	(void)dt_size_cells(dt, node);
	for (int c = dt_first_child(dt, node); c >= 0; c = dt_next_sibling(dt, c)) {
		if (dt_parent(dt, c) != node)
			abort();
		fuzz_node(dt, c, depth + 1);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dt dt;
	uint64_t a, s;

	if (dt_open(&dt, data, size) != 0) {
		if (dt_root(&dt) >= 0)
			abort();
		return 0;
	}
	fuzz_node(&dt, dt_root(&dt), 1);
	for (size_t i = 0; i < sizeof(fuzz_paths) / sizeof(fuzz_paths[0]); i++)
		(void)dt_path(&dt, fuzz_paths[i]);
	for (int n = dt_find_compatible(&dt, -1, "virtio,mmio"); n >= 0;
	     n = dt_find_compatible(&dt, n, "virtio,mmio"))
		;
	for (int i = 0; i < dt_rsv_count(&dt); i++)
		if (!dt_rsv_get(&dt, i, &a, &s))
			abort();
	/* Arbitrary handles must be rejected or read in bounds. */
	for (int n = -4; n < (int)dt.size_struct + 8; n += 4) {
		(void)dt_node_name(&dt, n);
		(void)dt_first_child(&dt, n);
		(void)dt_prop(&dt, n, "reg", NULL);
	}
	return 0;
}
