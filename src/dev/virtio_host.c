#include "dev/virtio_host.h"

#include "core/console.h"
#include "core/fdt.h"
#include "core/frame.h"
#include "core/hostirq.h"
#include "core/hostmem.h"
#include "core/lib/string.h"
#include "dev/virtio_mmio.h"

static struct vhost_dev vhost_devs[BOARD_VIRTIO_SLOTS];

struct vhost_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};

static uint32_t vhost_r(struct vhost_dev *d, unsigned off) { return d->regs[off / 4]; }
static void vhost_w(struct vhost_dev *d, unsigned off, uint32_t v) { d->regs[off / 4] = v; }

static uint32_t vhost_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

void vhost_probe(const struct dt *dt)
{
	for (int n = dt_find_compatible(dt, -1, "virtio,mmio"); n >= 0;
	     n = dt_find_compatible(dt, n, "virtio,mmio")) {
		uint64_t base, size;
		uint32_t len;
		const uint8_t *irq = dt_prop(dt, n, "interrupts", &len);
		if (!dt_reg(dt, n, 0, &base, &size) || irq == NULL || len < 4 ||
		    base < BOARD_VIRTIO_GPA || (base - BOARD_VIRTIO_GPA) % BOARD_VIRTIO_STRIDE ||
		    (base - BOARD_VIRTIO_GPA) / BOARD_VIRTIO_STRIDE >= BOARD_VIRTIO_SLOTS)
			continue;
		struct vhost_dev *d = &vhost_devs[(base - BOARD_VIRTIO_GPA) / BOARD_VIRTIO_STRIDE];
		d->regs = hostmem_va(base);
		d->slot = (unsigned)(d - vhost_devs);
		d->irq = vhost_be32(irq);
		if (vhost_r(d, VIRTIO_MMIO_MAGIC_VALUE) != VIRTIO_MMIO_MAGIC)
			continue;
		d->device_id = vhost_r(d, VIRTIO_MMIO_DEVICE_ID);
		if (d->device_id && vhost_r(d, VIRTIO_MMIO_VERSION) != VIRTIO_MMIO_VERSION_MODERN) {
			log_info("host virtio slot %u: legacy interface, not driven", d->slot);
			d->device_id = 0;
		}
	}
}

struct vhost_dev *vhost_get(unsigned slot, uint32_t device_id)
{
	if (slot >= BOARD_VIRTIO_SLOTS || vhost_devs[slot].regs == NULL ||
	    vhost_devs[slot].device_id != device_id || device_id == 0)
		return NULL;
	return &vhost_devs[slot];
}

static void vhost_irq(void *ctx)
{
	struct vhost_dev *d = ctx;

	/* Acknowledge first: a completion after the ack raises it again. */
	vhost_w(d, VIRTIO_MMIO_INTERRUPT_ACK, vhost_r(d, VIRTIO_MMIO_INTERRUPT_STATUS));
	vhost_poll(d);
}

static bool vhost_queue_init(struct vhost_dev *d, unsigned qi)
{
	struct vhost_queue *q = &d->q[qi];
	uint64_t pa = frame_alloc_contig(3, 1);

	vhost_w(d, VIRTIO_MMIO_QUEUE_SEL, qi);
	uint32_t max = vhost_r(d, VIRTIO_MMIO_QUEUE_NUM_MAX);
	if (pa == 0 || max < VHOST_QUEUE_SIZE || vhost_r(d, VIRTIO_MMIO_QUEUE_READY))
		return false;
	memset(hostmem_va(pa), 0, 3 * FRAME_SIZE);
	q->num = VHOST_QUEUE_SIZE;
	q->desc_pa = pa;
	q->avail_pa = pa + FRAME_SIZE;
	q->used_pa = pa + 2 * FRAME_SIZE;
	q->nfree = q->num;
	q->free_head = 0;
	for (uint16_t i = 0; i < q->num; i++)
		q->next_free[i] = i + 1;
	vhost_w(d, VIRTIO_MMIO_QUEUE_NUM, q->num);
	vhost_w(d, VIRTIO_MMIO_QUEUE_DESC_LOW, (uint32_t)q->desc_pa);
	vhost_w(d, VIRTIO_MMIO_QUEUE_DESC_HIGH, (uint32_t)(q->desc_pa >> 32));
	vhost_w(d, VIRTIO_MMIO_QUEUE_DRIVER_LOW, (uint32_t)q->avail_pa);
	vhost_w(d, VIRTIO_MMIO_QUEUE_DRIVER_HIGH, (uint32_t)(q->avail_pa >> 32));
	vhost_w(d, VIRTIO_MMIO_QUEUE_DEVICE_LOW, (uint32_t)q->used_pa);
	vhost_w(d, VIRTIO_MMIO_QUEUE_DEVICE_HIGH, (uint32_t)(q->used_pa >> 32));
	vhost_w(d, VIRTIO_MMIO_QUEUE_READY, 1);
	return true;
}

bool vhost_start(struct vhost_dev *d, uint64_t wanted, unsigned nqueues)
{
	uint64_t need = 1ULL << VIRTIO_F_VERSION_1 | 1ULL << VIRTIO_F_INDIRECT_DESC;

	if (d->started || d->failed)
		return d->started;
	d->failed = true;
	if (nqueues > VHOST_QUEUES_MAX)
		return false;
	/* 3.1.1 Driver Requirements: Device Initialization. */
	vhost_w(d, VIRTIO_MMIO_STATUS, 0);
	while (vhost_r(d, VIRTIO_MMIO_STATUS) != 0)
		;
	vhost_w(d, VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE);
	vhost_w(d, VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
	uint64_t offered = 0;
	for (unsigned sel = 0; sel < 2; sel++) {
		vhost_w(d, VIRTIO_MMIO_DEVICE_FEATURES_SEL, sel);
		offered |= (uint64_t)vhost_r(d, VIRTIO_MMIO_DEVICE_FEATURES) << (32 * sel);
	}
	if ((offered & need) != need) {
		log_info("host virtio slot %u: no VERSION_1 or INDIRECT_DESC", d->slot);
		vhost_w(d, VIRTIO_MMIO_STATUS, VIRTIO_STATUS_FAILED);
		return false;
	}
	d->features = offered & (wanted | need);
	for (unsigned sel = 0; sel < 2; sel++) {
		vhost_w(d, VIRTIO_MMIO_DRIVER_FEATURES_SEL, sel);
		vhost_w(d, VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)(d->features >> (32 * sel)));
	}
	uint32_t st = VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK;
	vhost_w(d, VIRTIO_MMIO_STATUS, st);
	if (!(vhost_r(d, VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_FEATURES_OK))
		return false;
	for (unsigned q = 0; q < nqueues; q++)
		if (!vhost_queue_init(d, q)) {
			log_info("host virtio slot %u: queue %u cannot be set up", d->slot, q);
			vhost_w(d, VIRTIO_MMIO_STATUS, VIRTIO_STATUS_FAILED);
			return false;
		}
	d->nqueues = nqueues;
	if (!hostirq_register(d->irq, vhost_irq, d))
		log_info("host virtio slot %u: no host interrupt, completions polled", d->slot);
	vhost_w(d, VIRTIO_MMIO_STATUS, st | VIRTIO_STATUS_DRIVER_OK);
	d->failed = false;
	d->started = true;
	return true;
}

bool vhost_submit(struct vhost_dev *d, unsigned qi, const struct vhost_seg *segs, unsigned n,
		  uint64_t table_pa, struct vhost_req *r)
{
	struct vhost_queue *q = &d->q[qi];

	if (qi >= d->nqueues || n == 0 || (n > 1 && table_pa == 0))
		return false;
	spin_lock(&d->lock);
	if (q->nfree == 0) {
		spin_unlock(&d->lock);
		return false;
	}
	uint16_t id = q->free_head;
	q->free_head = q->next_free[id];
	q->nfree--;
	q->req[id] = r;
	struct vhost_desc *desc = (struct vhost_desc *)hostmem_va(q->desc_pa) + id;
	if (n == 1) {
		*desc = (struct vhost_desc){ segs[0].pa, segs[0].len,
					     segs[0].write ? VIRTQ_DESC_F_WRITE : 0, 0 };
	} else {
		struct vhost_desc *t = hostmem_va(table_pa);
		for (unsigned i = 0; i < n; i++)
			t[i] = (struct vhost_desc){
				segs[i].pa, segs[i].len,
				(uint16_t)((segs[i].write ? VIRTQ_DESC_F_WRITE : 0) |
					   (i + 1 < n ? VIRTQ_DESC_F_NEXT : 0)),
				(uint16_t)(i + 1),
			};
		*desc = (struct vhost_desc){ table_pa, n * (uint32_t)sizeof(*t),
					     VIRTQ_DESC_F_INDIRECT, 0 };
	}
	uint16_t *avail = hostmem_va(q->avail_pa);
	avail[2 + q->avail_idx % q->num] = id;
	q->avail_idx++;
	/* Descriptors and ring entry before the index, the index before the
	 * notification (2.7.13). */
	__atomic_store_n(&avail[1], q->avail_idx, __ATOMIC_RELEASE);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	d->submitted++;
	/* 2.7.7.2: no notification while the device asks for none
	 * (VIRTQ_USED_F_NO_NOTIFY; QEMU's virtio-net sets it while its
	 * transmit handler is still to run): a write to QEMU's notify
	 * register saved per frame of a burst. */
	bool quiet = __atomic_load_n((uint16_t *)hostmem_va(q->used_pa), __ATOMIC_ACQUIRE) &
		     VIRTQ_USED_F_NO_NOTIFY;
	spin_unlock(&d->lock);
	if (!quiet)
		vhost_w(d, VIRTIO_MMIO_QUEUE_NOTIFY, qi);
	return true;
}

void vhost_poll(struct vhost_dev *d)
{
	enum { BATCH = 32 };
	struct vhost_req *done[BATCH];
	uint32_t lens[BATCH];

	for (;;) {
		unsigned n = 0;
		spin_lock(&d->lock);
		for (unsigned qi = 0; qi < d->nqueues && n < BATCH; qi++) {
			struct vhost_queue *q = &d->q[qi];
			uint16_t *used = hostmem_va(q->used_pa);
			uint16_t idx = __atomic_load_n(&used[1], __ATOMIC_ACQUIRE);
			while (q->last_used != idx && n < BATCH) {
				const uint32_t *e = (const uint32_t *)(used + 2) + 2 * (q->last_used % q->num);
				uint32_t id = e[0];
				q->last_used++;
				if (id >= q->num || q->req[id] == NULL)
					continue;       /* QEMU's bug, not ours to crash on */
				done[n] = q->req[id];
				lens[n++] = e[1];
				q->req[id] = NULL;
				q->next_free[id] = q->free_head;
				q->free_head = (uint16_t)id;
				q->nfree++;
			}
		}
		d->completions += n;
		spin_unlock(&d->lock);
		for (unsigned i = 0; i < n; i++)
			done[i]->done(done[i], lens[i]);
		if (n < BATCH)
			return;
	}
}

void vhost_quiet(struct vhost_dev *d, unsigned qi)
{
	if (qi < d->nqueues)
		__atomic_store_n((uint16_t *)hostmem_va(d->q[qi].avail_pa), VIRTQ_AVAIL_F_NO_INTERRUPT,
				 __ATOMIC_RELEASE);
}

uint32_t vhost_cfg_read32(struct vhost_dev *d, unsigned off)
{
	return vhost_r(d, VIRTIO_MMIO_CONFIG + off);
}
