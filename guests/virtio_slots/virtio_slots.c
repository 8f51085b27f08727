/*
 * The eight virtio-mmio transport slots of QEMU's virt board
 * (0x10001000-0x10008fff, one 4 KiB slot each), as an S-mode guest sees
 * them with no device plugged in: the register file of an empty transport
 * (Virtio 1.2, 4.2.2 "MMIO Device Register Layout": MagicValue, Version,
 * DeviceID 0 meaning "no device", VendorID) at every access width, writes
 * (which an empty slot ignores), and the device-tree nodes that describe
 * the slots. Compared line by line with bare QEMU.
 */
#include "guest.h"

#define VIRTIO_BASE     0x10001000UL
#define VIRTIO_SLOT     0x1000UL
#define VIRTIO_SLOTS    8

PROBE(p_ld, "ld a0, 0(a0)");
PROBE(p_lw, "lw a0, 0(a0)");
PROBE(p_lhu, "lhu a0, 0(a0)");
PROBE(p_lbu, "lbu a0, 0(a0)");
PROBE(p_sw, "li t0, 0x5a5a5a5a\n sw t0, 0(a0)\n li a0, 0");
PROBE(p_sb, "li t0, 0x5a\n sb t0, 0(a0)\n li a0, 0");

static void probe(const char *what, probe_fn fn, unsigned long addr)
{
	struct trap_record r;
	char label[64];
	unsigned long off = addr - VIRTIO_BASE;

	trap_expect(&r, fn, addr);
	/* label: the slot and the offset within it */
	{
		char *p = label;
		const char *w = what;

		while (*w)
			*p++ = *w++;
		*p = '\0';
	}
	if (r.taken)
		printf("%s slot %lu +0x%03lx: trap scause=0x%lx stval=slot+0x%lx\n", label,
		       off / VIRTIO_SLOT, off % VIRTIO_SLOT, r.cause, r.tval - VIRTIO_BASE);
	else
		printf("%s slot %lu +0x%03lx: 0x%lx\n", label, off / VIRTIO_SLOT,
		       off % VIRTIO_SLOT, r.ret);
}

/* Every register of the layout's first 0x100 bytes, then the start of the
 * (absent) device configuration space, at 32 bits. */
static void probe_registers(unsigned slot)
{
	unsigned long base = VIRTIO_BASE + slot * VIRTIO_SLOT;

	for (unsigned long off = 0; off < 0x108; off += 4)
		probe("lw", p_lw, base + off);
}

/* The other widths where they differ: the magic, version, device and vendor
 * words at every byte and halfword, doublewords across registers, the last
 * bytes of the slot. */
static void probe_widths(unsigned slot)
{
	unsigned long base = VIRTIO_BASE + slot * VIRTIO_SLOT;

	for (unsigned long off = 0; off < 0x10; off++)
		probe("lbu", p_lbu, base + off);
	for (unsigned long off = 0; off < 0x10; off += 2)
		probe("lhu", p_lhu, base + off);
	for (unsigned long off = 0; off < 0x18; off += 8)
		probe("ld", p_ld, base + off);
	probe("lw", p_lw, base + 0xffc);
	probe("lbu", p_lbu, base + 0xfff);
	probe("ld", p_ld, base + 0xff8);
}

/* An empty transport ignores writes: status, queue selection, features. */
static void probe_writes(unsigned slot)
{
	unsigned long base = VIRTIO_BASE + slot * VIRTIO_SLOT;
	static const unsigned long regs[] = { 0x014, 0x020, 0x030, 0x038, 0x044, 0x050,
					      0x064, 0x070, 0x100 };

	for (unsigned i = 0; i < sizeof(regs) / sizeof(regs[0]); i++) {
		probe("sw", p_sw, base + regs[i]);
		probe("lw-after", p_lw, base + regs[i]);
	}
	probe("sb", p_sb, base + 0x070);
	probe("lw-after", p_lw, base + 0x070);
	probe("sw", p_sw, base + 0x000);
	probe("lw-after", p_lw, base + 0x000);
}

/* ---- the device tree ------------------------------------------------------ */

#define FDT_BEGIN_NODE  1
#define FDT_END_NODE    2
#define FDT_PROP        3
#define FDT_NOP         4
#define FDT_END         9

static int str_starts(const char *s, const char *prefix)
{
	while (*prefix)
		if (*s++ != *prefix++)
			return 0;
	return 1;
}

static int str_eq(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return *a == *b;
}

/* Prints each virtio_mmio node's name, compatible, reg and interrupts in
 * tree order (interrupt-parent is a phandle, whose value differs between
 * builders of the tree; checked only for presence). */
static void print_virtio_nodes(unsigned long dtb)
{
	const uint8_t *fdt = (const uint8_t *)dtb;
	const uint8_t *p = fdt + fdt_read_be32(fdt + 8);
	const char *strings = (const char *)fdt + fdt_read_be32(fdt + 12);
	int depth = 0, in_node = 0, nodes = 0;

	for (;;) {
		uint32_t tok = fdt_read_be32(p);

		p += 4;
		if (tok == FDT_BEGIN_NODE) {
			const char *name = (const char *)p;
			unsigned long len = strlen(name) + 1;

			depth++;
			in_node = depth == 3 && str_starts(name, "virtio_mmio@");
			if (in_node) {
				printf("dt: node %s\n", name);
				nodes++;
			}
			p += (len + 3) & ~3UL;
		} else if (tok == FDT_END_NODE) {
			if (in_node)
				printf("dt: end\n");
			in_node = 0;
			depth--;
		} else if (tok == FDT_PROP) {
			uint32_t len = fdt_read_be32(p), nameoff = fdt_read_be32(p + 4);
			const uint8_t *val = p + 8;
			const char *name = strings + nameoff;

			if (in_node) {
				if (str_eq(name, "compatible") || str_eq(name, "status")) {
					printf("dt:  %s = \"%s\"\n", name, (const char *)val);
				} else if (str_eq(name, "interrupt-parent")) {
					printf("dt:  interrupt-parent present (%u bytes)\n", len);
				} else {
					printf("dt:  %s =", name);
					for (uint32_t i = 0; i + 4 <= len; i += 4)
						printf(" 0x%x", fdt_read_be32(val + i));
					printf("\n");
				}
			}
			p += 8 + ((len + 3) & ~3U);
		} else if (tok == FDT_NOP) {
			continue;
		} else {
			break;
		}
	}
	printf("dt: %d virtio_mmio nodes\n", nodes);
}

void guest_main(unsigned long hartid, unsigned long dtb)
{
	(void)hartid;
	print_virtio_nodes(dtb);
	for (unsigned slot = 0; slot < VIRTIO_SLOTS; slot++)
		probe_registers(slot);
	probe_widths(0);
	probe_widths(7);
	probe_writes(3);
	/* Just past the last slot: nothing on bare QEMU's virt. */
	probe("lw", p_lw, VIRTIO_BASE + VIRTIO_SLOTS * VIRTIO_SLOT);
}
