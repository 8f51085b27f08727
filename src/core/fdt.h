/*
 * Read-only flattened devicetree (DTB) reader.
 *
 * Format: Devicetree Specification v0.4, chapter 5 "Flattened Devicetree
 * (DTB) Format". The blob may come from firmware or a guest, so it is
 * untrusted: dt_open() checks the header and walks the whole structure block
 * once, and every accessor still bounds-checks each read, so no input makes
 * this code read outside [blob, blob + size).
 *
 * Node handles are byte offsets of an FDT_BEGIN_NODE token inside the
 * structure block (root is usually 0). Functions returning int return a node
 * handle (>= 0) or a DT_ERR_* code (< 0). A handle that did not come from
 * this API is never trusted to be a node: it is bounds-checked and its token
 * checked, so a bogus handle gives an error or garbage, never a bad read.
 *
 * Prefixed dt_ (not fdt_) so it links next to libfdt in host tests.
 */
#ifndef TRAPEZE_CORE_FDT_H
#define TRAPEZE_CORE_FDT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DT_ERR_NOTFOUND   (-1)  /* no such node, property or entry */
#define DT_ERR_TRUNCATED  (-2)  /* blob shorter than the header or totalsize */
#define DT_ERR_BADMAGIC   (-3)
#define DT_ERR_BADVERSION (-4)  /* only version 17 blobs (last_comp <= 17) */
#define DT_ERR_BADLAYOUT  (-5)  /* a block lies outside totalsize or is misaligned */
#define DT_ERR_BADSTRUCT  (-6)  /* bad token, unterminated name, bad nameoff, unbalanced nodes */
#define DT_ERR_DEPTH      (-7)  /* nodes nested deeper than DT_MAX_DEPTH */
#define DT_ERR_BADPATH    (-8)  /* path not absolute */
#define DT_ERR_BADARG     (-9)

/* Deepest node nesting accepted; the root is depth 1. */
#define DT_MAX_DEPTH 64

struct dt {
	const uint8_t *blob;
	uint32_t size;          /* header totalsize, <= the bytes available */
	uint32_t off_struct, size_struct;
	uint32_t off_strings, size_strings;
	uint32_t off_rsvmap;
	uint32_t rsv_count;     /* memory reservation entries before the (0,0) terminator */
	int root;               /* structure offset of the root FDT_BEGIN_NODE */
};

/*
 * Validates the header, block layout, reservation map and structure block of
 * blob, of which avail bytes are readable. 0 on success, DT_ERR_* otherwise;
 * on error *dt is left zeroed and every accessor fails on it.
 */
int dt_open(struct dt *dt, const void *blob, size_t avail);

int dt_root(const struct dt *dt);
/* First child / next sibling of node, DT_ERR_NOTFOUND if there is none. */
int dt_first_child(const struct dt *dt, int node);
int dt_next_sibling(const struct dt *dt, int node);
/* Parent of node, DT_ERR_NOTFOUND for the root. Walks from the root: O(n). */
int dt_parent(const struct dt *dt, int node);
/* Unit name with address ("serial@10000000", "" for the root); NULL if node is bad. */
const char *dt_node_name(const struct dt *dt, int node);

/*
 * Node at an absolute path ("/", "/cpus", "/soc/serial@10000000"). A path
 * component equal to a child's full name matches it; otherwise a component
 * without '@' matches the first child whose name before '@' is equal
 * ("/memory" finds "memory@80000000"), like libfdt's fdt_path_offset.
 * Repeated or trailing slashes are ignored. Aliases are not supported.
 */
int dt_path(const struct dt *dt, const char *path);

/* Value of property name of node and its length, NULL if absent. */
const void *dt_prop(const struct dt *dt, int node, const char *name, uint32_t *len);
/* A one-cell property (exactly 4 bytes), converted from big-endian. */
bool dt_prop_u32(const struct dt *dt, int node, const char *name, uint32_t *out);
/* Whether compat is one of the strings of node's "compatible" stringlist. */
bool dt_is_compatible(const struct dt *dt, int node, const char *compat);
/* Next node in depth-first order after `after` (-1: from the root, included)
 * compatible with compat, DT_ERR_NOTFOUND when none is left. */
int dt_find_compatible(const struct dt *dt, int after, const char *compat);

/*
 * "#address-cells" / "#size-cells" of node's parent, which is what node's
 * "reg" is encoded with (DT spec v0.4, 2.3.5); defaults 2 and 1 when the
 * parent lacks them or node is the root. Raw values: callers bound them.
 */
uint32_t dt_address_cells(const struct dt *dt, int node);
uint32_t dt_size_cells(const struct dt *dt, int node);
/* Entry index of node's "reg" (DT spec v0.4, 2.3.6). False if absent, out of
 * range, or the cell counts exceed 2 (not representable in 64 bits). */
bool dt_reg(const struct dt *dt, int node, int index, uint64_t *addr, uint64_t *size);

/* Memory reservation block (DT spec v0.4, 5.3). */
int dt_rsv_count(const struct dt *dt);
bool dt_rsv_get(const struct dt *dt, int i, uint64_t *addr, uint64_t *size);

#endif
