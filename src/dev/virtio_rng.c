#include "dev/virtio_rng.h"

#include "core/console.h"
#include "core/frame.h"
#include "core/guestmem.h"
#include "core/lib/string.h"
#include "core/vm.h"
#include "dev/virtio_host.h"
#include "dev/virtio_mmio.h"

#define VRNG_MAX        8       /* one per VM */
#define VRNG_SEGS       64      /* host descriptors per request */
#define VRNG_BYTES_MAX  4096    /* bytes asked of the host per request */

struct vrng {
	struct vhost_req hreq;          /* first: the done hook finds it */
	struct virtio_mmio_dev *dev;
	struct vm *vm;
	struct vhost_dev *host;
	bool busy;
	uint32_t gen;
	uint16_t head;
	uint32_t inflight;
	uint64_t table_pa;
	struct virtq_req walk;
	struct vhost_seg segs[VRNG_SEGS];
};

static struct vrng vrngs[VRNG_MAX];
static unsigned nvrngs;

static uint64_t vrng_features(struct virtio_mmio_dev *d)
{
	(void)d;
	return 0;
}

static void vrng_cfg_read(struct virtio_mmio_dev *d, uint8_t *buf)
{
	(void)d, (void)buf;     /* no configuration space */
}

/* The guest's writable buffers, page by page, up to VRNG_BYTES_MAX. */
static unsigned vrng_map(struct vrng *g, const struct virtq_req *w)
{
	unsigned n = 0;
	uint64_t total = 0;

	for (unsigned i = w->nread; i < w->nseg && total < VRNG_BYTES_MAX; i++) {
		uint64_t gpa = w->seg[i].gpa, len = w->seg[i].len;
		while (len && total < VRNG_BYTES_MAX && n < VRNG_SEGS) {
			uint64_t chunk = REALMAP_PAGE_SIZE - (gpa & (REALMAP_PAGE_SIZE - 1));
			if (chunk > len)
				chunk = len;
			if (chunk > VRNG_BYTES_MAX - total)
				chunk = VRNG_BYTES_MAX - total;
			uint64_t hpa = guestmem_dma_addr(g->vm, gpa, chunk);
			if (hpa == 0)
				return 0;
			g->segs[n++] = (struct vhost_seg){ hpa, (uint32_t)chunk, true };
			gpa += chunk;
			len -= chunk;
			total += chunk;
		}
	}
	return n;
}

static void vrng_kick(struct vrng *g)
{
	struct virtio_mmio_dev *d = g->dev;

	while (!g->busy && !d->broken && d->vq[0].ready) {
		int got = virtq_pop(g->vm, &d->vq[0], &g->walk);
		if (got < 0) {
			virtio_mmio_needs_reset(d);
			return;
		}
		if (got == 0)
			return;
		unsigned n = vrng_map(g, &g->walk);
		/* Pinned through a byte of the first buffer until done. */
		if (n && guestmem_pin(g->vm, g->walk.seg[g->walk.nread].gpa, 1)) {
			g->busy = true;
			g->gen = d->reset_gen;
			g->head = g->walk.head;
			__atomic_fetch_add(&g->inflight, 1, __ATOMIC_ACQ_REL);
			if (vhost_submit(g->host, 0, g->segs, n, g->table_pa, &g->hreq))
				return;
			g->busy = false;
			__atomic_fetch_sub(&g->inflight, 1, __ATOMIC_ACQ_REL);
			guestmem_unpin(g->vm);
		}
		/* Nothing to fill, or the host is busy: no bytes. */
		if (virtq_push(g->vm, &d->vq[0], g->walk.head, 0) != 0) {
			virtio_mmio_needs_reset(d);
			return;
		}
		virtio_mmio_notify_used(d);
	}
}

static void vrng_notify(struct virtio_mmio_dev *d, unsigned q)
{
	(void)q;
	vrng_kick(d->model);
}

static void vrng_done(struct vhost_req *hr, uint32_t len)
{
	struct vrng *g = (struct vrng *)hr;
	struct virtio_mmio_dev *d = g->dev;

	spin_lock(&d->lock);
	if (g->gen == d->reset_gen && !d->broken) {
		if (virtq_push(g->vm, &d->vq[0], g->head, len) != 0)
			virtio_mmio_needs_reset(d);
		else
			virtio_mmio_notify_used(d);
	}
	guestmem_unpin(g->vm);
	g->busy = false;
	__atomic_fetch_sub(&g->inflight, 1, __ATOMIC_ACQ_REL);
	vrng_kick(g);
	spin_unlock(&d->lock);
}

static void vrng_quiesce(struct virtio_mmio_dev *d)
{
	struct vrng *g = d->model;

	while (__atomic_load_n(&g->inflight, __ATOMIC_ACQUIRE))
		vhost_poll(g->host);
}

static const struct virtio_ops vrng_ops = {
	.name = "virtio-rng",
	.device_id = VIRTIO_ID_RNG,
	.nqueues = 1,
	.features = vrng_features,
	.cfg_len = 0,
	.cfg_read = vrng_cfg_read,
	.notify = vrng_notify,
	.quiesce = vrng_quiesce,
};

bool virtio_rng_create(struct virtio_mmio_dev *d, struct vm *vm, struct vhost_dev *h)
{
	if (nvrngs == VRNG_MAX || h == NULL || !vhost_start(h, 0, 1))
		return false;
	struct vrng *g = &vrngs[nvrngs];
	memset(g, 0, sizeof(*g));
	g->hreq.done = vrng_done;
	g->dev = d;
	g->vm = vm;
	g->host = h;
	g->table_pa = frame_alloc_contig(1, 1);
	if (g->table_pa == 0)
		return false;
	nvrngs++;
	virtio_mmio_attach(d, &vrng_ops, g);
	log_info("vm %s: virtio-rng in slot %u: host rng in slot %u", vm->name, d->slot, h->slot);
	return true;
}
