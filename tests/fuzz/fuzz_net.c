/*
 * libFuzzer target for networking: the virtual switch (core/vswitch.c) and
 * the virtio-net model (dev/virtio_net.c) behind the transport, with two
 * fake VMs of guest RAM on one switch and a fake uplink (the host's
 * virtio-net) on it. Hostile queues on either NIC, guest RAM rewritten
 * meanwhile, frames of any size and content from the host's network,
 * resets and quiesces in between. Checked: every buffer handed to the host
 * device is Trapeze's own and never longer than its frame buffer, no frame
 * reaches the host that the switch should have refused (runt, oversized,
 * group source), and no pin of guest memory outlives the input. The pure
 * switch is also driven directly: a route never names the input port, a
 * port that does not exist or is down.
 *
 * Input: the first RAMIMG bytes go into VM 0's RAM, the next RAMIMG into
 * VM 1's, then 8-byte operations: kind, target, offset (2 bytes), value
 * (4 bytes).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/hostmem.h"
#include "core/platform.h"
#include "core/vm.h"
#include "core/vswitch.h"
#include "dev/virtio_host.h"
#include "dev/virtio_mmio.h"
#include "dev/virtio_net.h"
#include "fakes/fake_guest_ram.h"

#define CHECK(c) do { if (!(c)) abort(); } while (0)
#define RAMIMG  0x3000
#define PENDING_MAX 256
#define HOSTBUF 2048


struct platform platform = { .timebase_hz = 10000000 };
static uint64_t fake_time;
uint64_t platform_time(void) { return fake_time; }


/* ---- the fake uplink: the host's virtio-net ------------------------------- */

static struct vhost_dev host;
static struct { struct vhost_req *r; uint64_t pa; uint32_t len; unsigned q; } pending[PENDING_MAX];
static unsigned npending;
static uint64_t frames_to_host;

bool vhost_start(struct vhost_dev *d, uint64_t wanted, unsigned nqueues)
{
	CHECK(wanted == 0 && nqueues == 2);     /* no offloads, no control queue */
	d->nqueues = nqueues;
	d->started = true;
	return true;
}

bool vhost_submit(struct vhost_dev *d, unsigned q, const struct vhost_seg *segs, unsigned n,
		  uint64_t table_pa, struct vhost_req *r)
{
	(void)table_pa;
	CHECK(d == &host && q < 2 && n == 1 && r && r->done);
	if (npending == PENDING_MAX)
		return false;
	CHECK(segs[0].len > 0 && segs[0].len <= HOSTBUF);
	CHECK(segs[0].write == (q == 0));
	if (q == 1) {
		/* A frame to the network: a zero header, then a frame the
		 * switch accepted. */
		const uint8_t *b = hostmem_va(segs[0].pa);
		uint32_t flen = segs[0].len - VIRTIO_NET_HDR_LEN;
		CHECK(segs[0].len > VIRTIO_NET_HDR_LEN);
		for (unsigned i = 0; i < VIRTIO_NET_HDR_LEN; i++)
			CHECK(b[i] == 0);
		CHECK(flen >= VSWITCH_FRAME_MIN && flen <= VSWITCH_FRAME_MAX);
		CHECK(!vswitch_mac_is_group(b + VIRTIO_NET_HDR_LEN + 6));
		frames_to_host++;
	}
	pending[npending].r = r;
	pending[npending].pa = segs[0].pa;
	pending[npending].len = segs[0].len;
	pending[npending++].q = q;
	return true;
}

void vhost_quiet(struct vhost_dev *d, unsigned q)
{
	CHECK(d == &host && q == 1);
}

void vhost_poll(struct vhost_dev *d)
{
	(void)d;
	/* Complete what was sent (receive buffers stay with the host). */
	for (unsigned i = 0; i < npending;) {
		if (pending[i].q != 1) {
			i++;
			continue;
		}
		struct vhost_req *r = pending[i].r;
		pending[i] = pending[--npending];
		r->done(r, 0);
	}
}

uint32_t vhost_cfg_read32(struct vhost_dev *d, unsigned off)
{
	(void)d, (void)off;
	return 0;
}

/* One pending request completes: a receive buffer with a frame of the
 * input's choosing (len bytes, from src), a transmit buffer sent. */
static void complete_one(unsigned sel, const uint8_t *src, uint32_t len)
{
	if (npending == 0)
		return;
	unsigned i = sel % npending;
	struct vhost_req *r = pending[i].r;
	uint32_t done = 0;
	if (pending[i].q == 0) {
		uint8_t *b = hostmem_va(pending[i].pa);
		if (len > pending[i].len)
			len = pending[i].len;
		memcpy(b, src, len);
		done = len;
	}
	pending[i] = pending[--npending];
	r->done(r, done);
}

/* ---- driving -------------------------------------------------------------- */

static struct vm *vms[2];
static struct virtio_mmio_dev slots[2];

static void mmio(struct virtio_mmio_dev *d, struct vm *vm, uint64_t off, unsigned width,
		 bool write, uint32_t v)
{
	struct mmio_access a = {
		.gpa = virtio_mmio_gpa(d->slot) + off, .offset = off, .width = width,
		.write = write, .value = v,
	};
	d->mmio.access(&d->mmio, vm, &a);
}

/* The pure switch, on its own: a route's invariants. */
static void drive_switch(const uint8_t *data, size_t size)
{
	static struct vswitch sw;

	vswitch_init(&sw);
	for (unsigned i = 0; i < 5; i++)
		vswitch_add_port(&sw);
	for (size_t p = 0; p + 16 <= size; p += 16) {
		const uint8_t *op = data + p;
		unsigned port = op[0] % 6;
		if (op[1] & 0x80) {
			vswitch_set_up(&sw, port, op[1] & 1);
			continue;
		}
		uint32_t len = (op[2] | (uint32_t)op[3] << 8) % 1600;
		uint8_t frame[1600] = { 0 };
		memcpy(frame, op + 4, 12);
		uint32_t mask = vswitch_route(&sw, port, frame, len, (uint64_t)op[1] << 36);
		CHECK(!(mask & (1u << port)));
		CHECK(!(mask & ~sw.up));
		CHECK(mask >> sw.nports == 0);
		if (len < VSWITCH_FRAME_MIN || len > VSWITCH_FRAME_MAX || (frame[6] & 1))
			CHECK(mask == 0);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool once;

	if (!once) {
		host.device_id = VIRTIO_ID_NET;
		for (unsigned i = 0; i < 2; i++) {
			vms[i] = fake_gram_create();
			memcpy(vms[i]->name, i ? "vm-b" : "vm-a", 5);
			virtio_mmio_init(&slots[i], 7, vms[i],
					 (struct irq_line){ vms[i], BOARD_VIRTIO_IRQ + 7 });
			CHECK(virtio_net_create(&slots[i], vms[i], 0, &host, i == 0));
		}
		once = true;
	}
	drive_switch(data, size < 512 ? size : 512);
	for (unsigned v = 0; v < 2; v++)
		for (size_t i = 0; i < RAMIMG; i++)
			*(uint8_t *)fake_gram_ptr(vms[v], FAKE_GRAM_BASE + i) =
				v * RAMIMG + i < size ? data[v * RAMIMG + i] : 0;

	for (size_t p = 2 * RAMIMG; p + 8 <= size; p += 8) {
		const uint8_t *op = data + p;
		unsigned t = op[1] & 1;
		struct virtio_mmio_dev *d = &slots[t];
		uint64_t off = (op[2] | (uint64_t)op[3] << 8) & 0x1ff;
		uint32_t v = op[4] | (uint32_t)op[5] << 8 | (uint32_t)op[6] << 16 | (uint32_t)op[7] << 24;
		fake_time += op[0];
		switch (op[0] % 5) {
		case 0:
			mmio(d, vms[t], off & ~3ULL, 4, true, v);
			break;
		case 1:
			mmio(d, vms[t], off, 1u << (op[0] / 5 % 3), false, 0);
			break;
		case 2: {       /* a frame from the network, from the input's bytes */
			size_t at = v % (size ? size : 1);
			uint32_t len = (uint32_t)(off << 3);
			if (len > size - at)
				len = (uint32_t)(size - at);
			complete_one(v >> 8, data + at, len);
			break;
		}
		case 3:         /* the guest rewrites its rings meanwhile */
			*(uint8_t *)fake_gram_ptr(vms[t], FAKE_GRAM_BASE + (v % RAMIMG)) = op[2];
			break;
		case 4:         /* a VM reset: quiesce, then reset */
			d->ops->quiesce(d);
			spin_lock(&d->lock);
			virtio_mmio_reset(d);
			spin_unlock(&d->lock);
			break;
		}
	}
	vhost_poll(&host);
	for (unsigned i = 0; i < 2; i++) {
		slots[i].ops->quiesce(&slots[i]);
		virtio_mmio_reset(&slots[i]);
		CHECK(vms[i]->mem_pins == 0);
	}
	return 0;
}
