/*
 * libFuzzer target for the virtio path a guest controls: the transport
 * (virtio_mmio.c), the split-queue walker (virtq.c) and the virtio-blk and
 * virtio-rng models, over a fake VM of guest RAM and a fake host device
 * layer that checks every request a model would give QEMU's device: each
 * buffer is the VM's RAM or the model's own frame, never anything else,
 * and at most VHOST_QUEUE_SIZE are outstanding. Completions come when the
 * input says, in any order, after resets and queue rewrites.
 *
 * Input: the first RAMIMG bytes are copied into guest RAM from its base
 * (descriptor tables, rings and buffers at fuzzer-chosen places), then
 * 8-byte operations: kind, device, offset (2 bytes), value (4 bytes).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/hostmem.h"
#include "core/vm.h"
#include "dev/virtio_blk.h"
#include "dev/virtio_host.h"
#include "dev/virtio_mmio.h"
#include "dev/virtio_rng.h"
#include "fakes/fake_guest_ram.h"

#define CHECK(c) do { if (!(c)) abort(); } while (0)
#define RAMIMG  0x4000
#define PENDING_MAX 256

/* ---- fake host devices ---------------------------------------------------- */

static struct vm *vm;
static struct vhost_dev hosts[2];
static struct { struct vhost_req *r; uint32_t len; } pending[PENDING_MAX];
static unsigned npending;

bool vhost_start(struct vhost_dev *d, uint64_t wanted, unsigned nqueues)
{
	(void)wanted;
	d->nqueues = nqueues;
	d->started = true;
	return true;
}

bool vhost_submit(struct vhost_dev *d, unsigned q, const struct vhost_seg *segs, unsigned n,
		  uint64_t table_pa, struct vhost_req *r)
{
	uint32_t written = 0;

	CHECK(q < d->nqueues && n >= 1 && r && r->done);
	CHECK(n == 1 || table_pa != 0);
	if (npending == PENDING_MAX || npending >= VHOST_QUEUE_SIZE)
		return false;
	for (unsigned i = 0; i < n; i++) {
		CHECK(segs[i].len > 0);
		/* Guest data must be the VM's own RAM; blk's first and last
		 * buffers are its own header and status frame. */
		bool own = d == &hosts[0] && (i == 0 || i == n - 1);
		if (!own)
			CHECK(fake_gram_host_contains(vm, segs[i].pa, segs[i].len));
		if (segs[i].write) {
			memset(hostmem_va(segs[i].pa), 0x5a, segs[i].len);
			written += segs[i].len;
		}
	}
	pending[npending].r = r;
	pending[npending++].len = written;
	return true;
}

void vhost_poll(struct vhost_dev *d)
{
	(void)d;
	while (npending) {
		npending--;
		pending[npending].r->done(pending[npending].r, pending[npending].len);
	}
}

uint32_t vhost_cfg_read32(struct vhost_dev *d, unsigned off)
{
	(void)d;
	return off == 0 ? 64 : 0;       /* a 64-sector disk */
}

/* ---- driving -------------------------------------------------------------- */

static void mmio(struct virtio_mmio_dev *d, uint64_t off, unsigned width, bool write, uint32_t v)
{
	struct mmio_access a = {
		.gpa = virtio_mmio_gpa(d->slot) + off, .offset = off, .width = width,
		.write = write, .value = v,
	};
	d->mmio.access(&d->mmio, vm, &a);
}

/* Complete one pending request chosen by sel (any order). */
static void complete_one(unsigned sel)
{
	if (npending == 0)
		return;
	unsigned i = sel % npending;
	struct vhost_req *r = pending[i].r;
	uint32_t len = pending[i].len;
	pending[i] = pending[--npending];
	r->done(r, len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct virtio_mmio_dev slots[2];
	static bool once;

	if (!once) {
		/* Model pools are static: one VM and two devices for the
		 * whole run, reset between inputs. */
		vm = fake_gram_create();
		memcpy(vm->name, "fuzz", 5);
		virtio_mmio_init(&slots[0], 7, vm, (struct irq_line){ vm, BOARD_VIRTIO_IRQ + 7 });
		virtio_mmio_init(&slots[1], 6, vm, (struct irq_line){ vm, BOARD_VIRTIO_IRQ + 6 });
		hosts[0].device_id = VIRTIO_ID_BLOCK;
		hosts[1].device_id = VIRTIO_ID_RNG;
		CHECK(virtio_blk_create(&slots[0], vm, &hosts[0], false));
		CHECK(virtio_rng_create(&slots[1], vm, &hosts[1]));
		once = true;
	}
	/* Guest pages are not adjacent on the host: byte by byte. */
	for (size_t i = 0; i < RAMIMG; i++)
		*(uint8_t *)fake_gram_ptr(vm, FAKE_GRAM_BASE + i) = i < size ? data[i] : 0;

	for (size_t p = RAMIMG; p + 8 <= size; p += 8) {
		const uint8_t *op = data + p;
		struct virtio_mmio_dev *d = &slots[op[1] & 1];
		uint64_t off = (op[2] | (uint64_t)op[3] << 8) & 0x1ff;
		uint32_t v = op[4] | (uint32_t)op[5] << 8 | (uint32_t)op[6] << 16 | (uint32_t)op[7] << 24;
		switch (op[0] % 5) {
		case 0:
			mmio(d, off & ~3ULL, 4, true, v);
			break;
		case 1:
			mmio(d, off, 1u << (op[0] / 5 % 3), false, 0);
			break;
		case 2:
			complete_one(v);
			break;
		case 3:         /* the guest rewrites its rings meanwhile */
			*(uint8_t *)fake_gram_ptr(vm, FAKE_GRAM_BASE + (v % RAMIMG)) = op[2];
			break;
		case 4:         /* a VM reset: quiesce, then reset */
			d->ops->quiesce(d);
			virtio_mmio_reset(d);
			break;
		}
	}
	/* Whatever state it is in, draining leaves nothing outstanding. */
	vhost_poll(&hosts[0]);
	for (unsigned i = 0; i < 2; i++) {
		slots[i].ops->quiesce(&slots[i]);
		virtio_mmio_reset(&slots[i]);
	}
	CHECK(vm->mem_pins == 0);
	return 0;
}
