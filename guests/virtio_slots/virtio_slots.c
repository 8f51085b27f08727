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

void guest_main(unsigned long hartid, unsigned long dtb)
{
	(void)hartid;
	fdt_print_nodes(dtb, "virtio_mmio@", "virtio_mmio", 1);
	for (unsigned slot = 0; slot < VIRTIO_SLOTS; slot++)
		probe_registers(slot);
	probe_widths(0);
	probe_widths(7);
	probe_writes(3);
	/* Just past the last slot: nothing on bare QEMU's virt. */
	probe("lw", p_lw, VIRTIO_BASE + VIRTIO_SLOTS * VIRTIO_SLOT);
}
