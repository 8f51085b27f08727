/*
 * Read-only flattened devicetree reader; see fdt.h for the contract.
 *
 * Devicetree Specification v0.4, chapter 5. Safety argument: every byte read
 * goes through dt_token() (structure block, checked against size_struct),
 * dt_string_len() (strings block, checked against size_strings) or the
 * header/reservation reads in dt_open() (checked against avail and
 * totalsize). Every loop advances an offset by at least 4 bytes through a
 * bounded block, or walks a caller's NUL-terminated string.
 */
#include "core/fdt.h"

/* DT spec v0.4, 5.2 Header: ten big-endian u32 fields, 40 bytes for v17. */
#define DT_MAGIC       0xd00dfeedu
#define DT_HEADER_SIZE 40u
#define DT_VERSION     17u
enum {
	DT_HDR_MAGIC = 0, DT_HDR_TOTALSIZE = 4, DT_HDR_OFF_STRUCT = 8,
	DT_HDR_OFF_STRINGS = 12, DT_HDR_OFF_RSVMAP = 16, DT_HDR_VERSION = 20,
	DT_HDR_LAST_COMP = 24, DT_HDR_BOOT_CPUID = 28, DT_HDR_SIZE_STRINGS = 32,
	DT_HDR_SIZE_STRUCT = 36,
};

/* DT spec v0.4, 5.4.1 Lexical structure: 4-byte aligned big-endian tokens. */
#define DT_TOKEN_BEGIN_NODE 1
#define DT_TOKEN_END_NODE   2
#define DT_TOKEN_PROP       3
#define DT_TOKEN_NOP        4
#define DT_TOKEN_END        9

/* A reservation entry is {u64 address, u64 size} (5.3.2). */
#define DT_RSV_ENTRY_SIZE 16u

static uint32_t dt_be32(const uint8_t *p)
{
	/* Byte loads: the blob has no alignment guarantee relative to memory. */
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint64_t dt_be64(const uint8_t *p)
{
	return (uint64_t)dt_be32(p) << 32 | dt_be32(p + 4);
}

static size_t dt_strlen(const char *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	return n;
}

static bool dt_ok(const struct dt *dt)
{
	return dt && dt->blob;
}

static const uint8_t *dt_struct(const struct dt *dt)
{
	return dt->blob + dt->off_struct;
}

/* Length of the string at strings-block offset off, or -1 if it is not
 * NUL-terminated inside the block (5.5 Strings Block). */
static int64_t dt_string_len(const struct dt *dt, uint32_t off)
{
	const uint8_t *s = dt->blob + dt->off_strings;

	for (uint32_t i = off; i < dt->size_strings; i++)
		if (s[i] == 0)
			return i - off;
	return -1;
}

/*
 * Reads the token at structure offset off and sets *next to the offset of
 * the token after it. Returns the token, or DT_ERR_BADSTRUCT if the token or
 * its payload (node name, property header, value, property name) does not
 * lie entirely inside its block.
 */
static int dt_token(const struct dt *dt, uint32_t off, uint32_t *next)
{
	const uint8_t *s = dt_struct(dt);
	uint32_t size = dt->size_struct;
	uint64_t end;	/* 64-bit: offset sums below cannot wrap */

	if (off % 4 || off > size || size - off < 4)
		return DT_ERR_BADSTRUCT;
	switch (dt_be32(s + off)) {
	case DT_TOKEN_BEGIN_NODE:
		/* 5.4.1: the unit name follows, NUL-terminated, padded to 4. */
		end = off + 4;
		while (end < size && s[end])
			end++;
		if (end >= size)
			return DT_ERR_BADSTRUCT;
		end++;
		*next = (uint32_t)((end + 3) & ~3ull);
		break;
	case DT_TOKEN_PROP:
		/* 5.4.1: struct { u32 len; u32 nameoff; } then len value bytes. */
		if (size - off < 12)
			return DT_ERR_BADSTRUCT;
		end = (uint64_t)off + 12 + dt_be32(s + off + 4);
		if (end > size || dt_string_len(dt, dt_be32(s + off + 8)) < 0)
			return DT_ERR_BADSTRUCT;
		*next = (uint32_t)((end + 3) & ~3ull);
		break;
	case DT_TOKEN_END_NODE:
	case DT_TOKEN_NOP:
	case DT_TOKEN_END:
		*next = off + 4;
		break;
	default:
		return DT_ERR_BADSTRUCT;
	}
	if (*next > size)
		return DT_ERR_BADSTRUCT;
	return (int)dt_be32(s + off);
}

/* Checks the header fields and block placement (5.2, 5.3) into *dt. */
static int dt_check_layout(struct dt *dt, const uint8_t *b, size_t avail)
{
	uint32_t total, off, size, rsv;

	if (avail < DT_HEADER_SIZE)
		return DT_ERR_TRUNCATED;
	if (dt_be32(b + DT_HDR_MAGIC) != DT_MAGIC)
		return DT_ERR_BADMAGIC;
	/* v17 is what the spec and every current producer emit; older blobs
	 * lack size_dt_struct, which our bounds rely on. */
	if (dt_be32(b + DT_HDR_VERSION) < DT_VERSION ||
	    dt_be32(b + DT_HDR_LAST_COMP) > DT_VERSION)
		return DT_ERR_BADVERSION;
	total = dt_be32(b + DT_HDR_TOTALSIZE);
	if (total < DT_HEADER_SIZE || total > INT32_MAX)
		return DT_ERR_BADLAYOUT;
	if (total > avail)
		return DT_ERR_TRUNCATED;
	dt->blob = b;
	dt->size = total;

	off = dt_be32(b + DT_HDR_OFF_STRUCT);
	size = dt_be32(b + DT_HDR_SIZE_STRUCT);
	if (off < DT_HEADER_SIZE || off % 4 || (uint64_t)off + size > total)
		return DT_ERR_BADLAYOUT;
	dt->off_struct = off;
	dt->size_struct = size;

	off = dt_be32(b + DT_HDR_OFF_STRINGS);
	size = dt_be32(b + DT_HDR_SIZE_STRINGS);
	if (off < DT_HEADER_SIZE || (uint64_t)off + size > total)
		return DT_ERR_BADLAYOUT;
	dt->off_strings = off;
	dt->size_strings = size;

	/* 5.3.1: the reservation block is 8-byte aligned and ends with an
	 * entry whose address and size are both 0. */
	rsv = dt_be32(b + DT_HDR_OFF_RSVMAP);
	if (rsv < DT_HEADER_SIZE || rsv % 8)
		return DT_ERR_BADLAYOUT;
	dt->off_rsvmap = rsv;
	for (uint64_t e = rsv;; e += DT_RSV_ENTRY_SIZE) {
		if (e + DT_RSV_ENTRY_SIZE > total)
			return DT_ERR_BADLAYOUT;
		if (dt_be64(b + e) == 0 && dt_be64(b + e + 8) == 0)
			break;
		dt->rsv_count++;
	}
	return 0;
}

/*
 * Walks the whole structure block once (5.4.2 Tree structure): NOPs, one
 * root node, NOPs, FDT_END; properties only inside nodes; nesting balanced
 * and at most DT_MAX_DEPTH deep.
 */
static int dt_check_struct(struct dt *dt)
{
	uint32_t off = 0, next;
	int depth = 0, root = -1;

	for (;;) {
		int tag = dt_token(dt, off, &next);

		switch (tag) {
		case DT_TOKEN_BEGIN_NODE:
			if (depth == 0) {
				if (root >= 0)
					return DT_ERR_BADSTRUCT;
				root = (int)off;
			}
			if (++depth > DT_MAX_DEPTH)
				return DT_ERR_DEPTH;
			break;
		case DT_TOKEN_END_NODE:
			if (depth == 0)
				return DT_ERR_BADSTRUCT;
			depth--;
			break;
		case DT_TOKEN_PROP:
			if (depth == 0)
				return DT_ERR_BADSTRUCT;
			break;
		case DT_TOKEN_NOP:
			break;
		case DT_TOKEN_END:
			if (depth != 0 || root < 0)
				return DT_ERR_BADSTRUCT;
			dt->root = root;
			return 0;
		default:
			return tag < 0 ? tag : DT_ERR_BADSTRUCT;
		}
		off = next;
	}
}

int dt_open(struct dt *dt, const void *blob, size_t avail)
{
	struct dt tmp = { 0 };
	int err;

	if (!dt)
		return DT_ERR_BADARG;
	*dt = tmp;
	if (!blob)
		return DT_ERR_BADARG;
	err = dt_check_layout(&tmp, blob, avail);
	if (!err)
		err = dt_check_struct(&tmp);
	if (!err)
		*dt = tmp;
	return err;
}

int dt_root(const struct dt *dt)
{
	return dt_ok(dt) ? dt->root : DT_ERR_BADARG;
}

/* Offset just past node's FDT_BEGIN_NODE token, or an error if node is not
 * the offset of one. */
static int dt_node_body(const struct dt *dt, int node, uint32_t *body)
{
	if (!dt_ok(dt) || node < 0)
		return DT_ERR_BADARG;
	if (dt_token(dt, (uint32_t)node, body) != DT_TOKEN_BEGIN_NODE)
		return DT_ERR_BADARG;
	return 0;
}

/* Skips properties and NOPs from off; returns the token it stopped at and
 * its offset in *at. */
static int dt_skip_props(const struct dt *dt, uint32_t off, uint32_t *at)
{
	for (;;) {
		uint32_t next;
		int tag = dt_token(dt, off, &next);

		if (tag != DT_TOKEN_PROP && tag != DT_TOKEN_NOP) {
			*at = off;
			return tag;
		}
		off = next;
	}
}

/* Offset just past the FDT_END_NODE closing node. */
static int dt_subtree_end(const struct dt *dt, int node, uint32_t *end)
{
	uint32_t off = (uint32_t)node, next;
	uint32_t depth = 0;

	for (;;) {
		int tag = dt_token(dt, off, &next);

		if (tag == DT_TOKEN_BEGIN_NODE) {
			depth++;
		} else if (tag == DT_TOKEN_END_NODE) {
			if (depth <= 1) {
				*end = next;
				return 0;
			}
			depth--;
		} else if (tag != DT_TOKEN_PROP && tag != DT_TOKEN_NOP) {
			return DT_ERR_BADSTRUCT;
		}
		off = next;
	}
}

int dt_first_child(const struct dt *dt, int node)
{
	uint32_t body, at;
	int err = dt_node_body(dt, node, &body);

	if (err)
		return err;
	if (dt_skip_props(dt, body, &at) != DT_TOKEN_BEGIN_NODE)
		return DT_ERR_NOTFOUND;
	return (int)at;
}

int dt_next_sibling(const struct dt *dt, int node)
{
	uint32_t body, end, at;
	int err = dt_node_body(dt, node, &body);

	if (!err)
		err = dt_subtree_end(dt, node, &end);
	if (err)
		return err;
	if (dt_skip_props(dt, end, &at) != DT_TOKEN_BEGIN_NODE)
		return DT_ERR_NOTFOUND;
	return (int)at;
}

int dt_parent(const struct dt *dt, int node)
{
	int stack[DT_MAX_DEPTH];
	uint32_t body, off, next;
	int depth = 0;
	int err = dt_node_body(dt, node, &body);

	if (err)
		return err;
	for (off = (uint32_t)dt->root;; off = next) {
		int tag = dt_token(dt, off, &next);

		if (tag == DT_TOKEN_BEGIN_NODE) {
			if (off == (uint32_t)node)
				return depth ? stack[depth - 1] : DT_ERR_NOTFOUND;
			if (depth == DT_MAX_DEPTH)
				return DT_ERR_DEPTH;
			stack[depth++] = (int)off;
		} else if (tag == DT_TOKEN_END_NODE) {
			if (depth == 0)
				return DT_ERR_NOTFOUND;
			depth--;
		} else if (tag != DT_TOKEN_PROP && tag != DT_TOKEN_NOP) {
			/* Past the root (node is not a node of this tree) or bad. */
			return tag < 0 ? tag : DT_ERR_NOTFOUND;
		}
	}
}

const char *dt_node_name(const struct dt *dt, int node)
{
	uint32_t body;

	if (dt_node_body(dt, node, &body))
		return NULL;
	/* dt_token checked the name is NUL-terminated inside the block. */
	return (const char *)dt_struct(dt) + node + 4;
}

/* Whether the NUL-terminated name starts with comp[0..n) followed by stop. */
static bool dt_name_match(const char *name, const char *comp, size_t n, char stop)
{
	for (size_t i = 0; i < n; i++)
		if (name[i] != comp[i])
			return false;	/* also stops at name's NUL */
	return name[n] == stop;
}

static bool dt_has_at(const char *comp, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (comp[i] == '@')
			return true;
	return false;
}

/* Child of node named comp[0..n): exact name first, else the first child
 * whose name before '@' is comp when comp has no unit address. */
static int dt_subnode(const struct dt *dt, int node, const char *comp, size_t n)
{
	int base = DT_ERR_NOTFOUND;
	bool want_base = !dt_has_at(comp, n);

	for (int c = dt_first_child(dt, node); c >= 0; c = dt_next_sibling(dt, c)) {
		const char *name = dt_node_name(dt, c);

		if (!name)
			return DT_ERR_BADSTRUCT;
		if (dt_name_match(name, comp, n, '\0'))
			return c;
		if (want_base && base < 0 && dt_name_match(name, comp, n, '@'))
			base = c;
	}
	return base;
}

int dt_path(const struct dt *dt, const char *path)
{
	int node = dt_root(dt);

	if (node < 0)
		return node;
	if (!path || path[0] != '/')
		return DT_ERR_BADPATH;
	for (;;) {
		size_t n = 0;

		while (*path == '/')
			path++;
		if (!*path)
			return node;
		while (path[n] && path[n] != '/')
			n++;
		node = dt_subnode(dt, node, path, n);
		if (node < 0)
			return node;
		path += n;
	}
}

const void *dt_prop(const struct dt *dt, int node, const char *name, uint32_t *len)
{
	const uint8_t *s;
	uint32_t off, next;

	if (len)
		*len = 0;
	if (!name || dt_node_body(dt, node, &off))
		return NULL;
	s = dt_struct(dt);
	/* 5.4.2: a node's properties precede its children, as in libfdt. */
	for (;; off = next) {
		int tag = dt_token(dt, off, &next);

		if (tag == DT_TOKEN_PROP) {
			uint32_t nameoff = dt_be32(s + off + 8);
			const char *pname = (const char *)dt->blob + dt->off_strings + nameoff;

			if (dt_name_match(pname, name, dt_strlen(name), '\0')) {
				if (len)
					*len = dt_be32(s + off + 4);
				return s + off + 12;
			}
		} else if (tag != DT_TOKEN_NOP) {
			return NULL;
		}
	}
}

bool dt_prop_u32(const struct dt *dt, int node, const char *name, uint32_t *out)
{
	uint32_t len;
	const uint8_t *p = dt_prop(dt, node, name, &len);

	if (!p || len != 4)
		return false;
	if (out)
		*out = dt_be32(p);
	return true;
}

bool dt_is_compatible(const struct dt *dt, int node, const char *compat)
{
	uint32_t len, pos = 0;
	const uint8_t *p = dt_prop(dt, node, "compatible", &len);
	size_t clen;

	if (!p || !compat)
		return false;
	clen = dt_strlen(compat);
	/* 2.3.1 compatible is a <stringlist>; a last string missing its NUL
	 * is taken to end at the value's end rather than read past it. */
	while (pos < len) {
		uint32_t end = pos;

		while (end < len && p[end])
			end++;
		if (end - pos == clen) {
			size_t i = 0;

			while (i < clen && p[pos + i] == (uint8_t)compat[i])
				i++;
			if (i == clen)
				return true;
		}
		pos = end + 1;
	}
	return false;
}

int dt_find_compatible(const struct dt *dt, int after, const char *compat)
{
	uint32_t off, next;

	if (!dt_ok(dt) || !compat)
		return DT_ERR_BADARG;
	if (after < 0) {
		off = (uint32_t)dt->root;
	} else {
		int err = dt_node_body(dt, after, &off);

		if (err)
			return err;
	}
	/* Depth-first order is the order of FDT_BEGIN_NODE tokens. */
	for (;; off = next) {
		int tag = dt_token(dt, off, &next);

		if (tag < 0)
			return tag;
		if (tag == DT_TOKEN_END)
			return DT_ERR_NOTFOUND;
		if (tag == DT_TOKEN_BEGIN_NODE && dt_is_compatible(dt, (int)off, compat))
			return (int)off;
	}
}

static uint32_t dt_parent_u32(const struct dt *dt, int parent, const char *name, uint32_t dflt)
{
	uint32_t v;

	return parent >= 0 && dt_prop_u32(dt, parent, name, &v) ? v : dflt;
}

/* DT spec v0.4, 2.3.5: defaults when the parent does not say. */
#define DT_DEFAULT_ADDRESS_CELLS 2
#define DT_DEFAULT_SIZE_CELLS    1

uint32_t dt_address_cells(const struct dt *dt, int node)
{
	return dt_parent_u32(dt, dt_parent(dt, node), "#address-cells",
			     DT_DEFAULT_ADDRESS_CELLS);
}

uint32_t dt_size_cells(const struct dt *dt, int node)
{
	return dt_parent_u32(dt, dt_parent(dt, node), "#size-cells",
			     DT_DEFAULT_SIZE_CELLS);
}

static uint64_t dt_read_cells(const uint8_t *p, uint32_t cells)
{
	uint64_t v = 0;

	for (uint32_t i = 0; i < cells; i++)
		v = v << 32 | dt_be32(p + 4 * i);
	return v;
}

bool dt_reg(const struct dt *dt, int node, int index, uint64_t *addr, uint64_t *size)
{
	int parent = dt_parent(dt, node);
	uint32_t ac, sc, len, entry;
	const uint8_t *p;

	if (parent < 0 && parent != DT_ERR_NOTFOUND)
		return false;
	ac = dt_parent_u32(dt, parent, "#address-cells", DT_DEFAULT_ADDRESS_CELLS);
	sc = dt_parent_u32(dt, parent, "#size-cells", DT_DEFAULT_SIZE_CELLS);
	if (ac > 2 || sc > 2 || ac + sc == 0 || index < 0)
		return false;
	entry = 4 * (ac + sc);
	p = dt_prop(dt, node, "reg", &len);
	if (!p || ((uint64_t)index + 1) * entry > len)
		return false;
	p += (uint32_t)index * entry;
	if (addr)
		*addr = dt_read_cells(p, ac);
	if (size)
		*size = dt_read_cells(p + 4 * ac, sc);
	return true;
}

int dt_rsv_count(const struct dt *dt)
{
	return dt_ok(dt) ? (int)dt->rsv_count : DT_ERR_BADARG;
}

bool dt_rsv_get(const struct dt *dt, int i, uint64_t *addr, uint64_t *size)
{
	uint64_t off;

	if (!dt_ok(dt) || i < 0 || (uint32_t)i >= dt->rsv_count)
		return false;
	off = dt->off_rsvmap + (uint64_t)i * DT_RSV_ENTRY_SIZE;
	if (off + DT_RSV_ENTRY_SIZE > dt->size)
		return false;
	if (addr)
		*addr = dt_be64(dt->blob + off);
	if (size)
		*size = dt_be64(dt->blob + off + 8);
	return true;
}
