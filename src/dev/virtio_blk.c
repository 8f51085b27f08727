#include "dev/virtio_blk.h"

#include "core/console.h"
#include "core/frame.h"
#include "core/guestmem.h"
#include "core/hostmem.h"
#include "core/lib/string.h"
#include "core/vm.h"
#include "dev/virtio_host.h"
#include "dev/virtio_mmio.h"

#define VBLK_MAX            16      /* disks in all VMs */
#define VBLK_INFLIGHT       32      /* requests one disk has with its host device */
#define VBLK_HOST_SEGS      512     /* host descriptors per request: 2 frames */
#define VBLK_CFG_LEN        60      /* 5.2.4, through write_zeroes_may_unmap */
#define VBLK_HDR_LEN        16

struct vblk;

struct vblk_req {
	struct vhost_req hreq;          /* first: the done hook finds the request */
	struct vblk *blk;
	bool busy;
	uint32_t gen;                   /* the transport's reset_gen when taken */
	uint16_t head;
	uint32_t used_len;
	uint8_t *status_guest;          /* the guest's status byte, pinned */
	uint64_t buf_pa;                /* header at 0, status at VBLK_HDR_LEN */
	uint64_t table_pa;              /* the host request's indirect table */
};

struct vblk {
	struct virtio_mmio_dev *dev;
	struct vm *vm;
	struct vhost_dev *host;
	bool readonly;
	uint64_t capacity;              /* sectors */
	uint32_t inflight;
	struct vblk_req req[VBLK_INFLIGHT];
	struct virtq_req walk;          /* d->lock held while in use */
	struct vhost_seg segs[VBLK_HOST_SEGS];
};

static struct vblk vblks[VBLK_MAX];
static unsigned nvblks;

struct vblk_hdr {
	uint32_t type;
	uint32_t reserved;
	uint64_t sector;
};

static uint64_t vblk_features(struct virtio_mmio_dev *d)
{
	struct vblk *b = d->model;

	return 1ULL << VIRTIO_F_INDIRECT_DESC | 1ULL << VIRTIO_BLK_F_SEG_MAX |
	       1ULL << VIRTIO_BLK_F_BLK_SIZE | 1ULL << VIRTIO_BLK_F_FLUSH |
	       (b->readonly ? 1ULL << VIRTIO_BLK_F_RO : 0);
}

static void put_le(uint8_t *p, uint64_t v, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void vblk_cfg_read(struct virtio_mmio_dev *d, uint8_t *buf)
{
	struct vblk *b = d->model;

	memset(buf, 0, VBLK_CFG_LEN);
	put_le(buf + 0, b->capacity, 8);                /* capacity */
	put_le(buf + 12, VIRTIO_BLK_SEG_MAX, 4);        /* seg_max */
	put_le(buf + 20, VIRTIO_BLK_SECTOR, 4);         /* blk_size */
	put_le(buf + 34, 1, 2);                         /* num_queues */
}

/* Complete a request Trapeze answers itself (no host I/O). */
static void vblk_answer(struct vblk *b, const struct virtq_req *w, uint64_t status_gpa, uint8_t status)
{
	struct virtio_mmio_dev *d = b->dev;

	if (!guestmem_write(b->vm, status_gpa, &status, 1) ||
	    virtq_push(b->vm, &d->vq[0], w->head, (uint32_t)w->write_len) != 0) {
		virtio_mmio_needs_reset(d);
		return;
	}
	virtio_mmio_notify_used(d);
}

/* Append [gpa, gpa+len) of guest RAM to the host request, page by page,
 * merging what is contiguous on the host; keeps the last slot for the
 * status byte. */
static bool vblk_map(struct vblk *b, unsigned *n, uint64_t gpa, uint64_t len, bool write)
{
	while (len) {
		uint64_t chunk = REALMAP_PAGE_SIZE - (gpa & (REALMAP_PAGE_SIZE - 1));
		if (chunk > len)
			chunk = len;
		uint64_t hpa = guestmem_dma_addr(b->vm, gpa, chunk);
		if (hpa == 0)
			return false;
		struct vhost_seg *last = *n ? &b->segs[*n - 1] : NULL;
		if (last && last->write == write && last->pa + last->len == hpa &&
		    last->len + chunk <= UINT32_MAX && *n > 1) {
			last->len += (uint32_t)chunk;
		} else {
			if (*n + 1 >= VBLK_HOST_SEGS)
				return false;
			b->segs[(*n)++] = (struct vhost_seg){ hpa, (uint32_t)chunk, write };
		}
		gpa += chunk;
		len -= chunk;
	}
	return true;
}

/* The host request: Trapeze's header, the guest's data buffers in their
 * order (readable ones past the header, writable ones short of the status
 * byte), Trapeze's status byte. */
static bool vblk_build(struct vblk *b, const struct virtq_req *w, struct vblk_req *r, unsigned *n)
{
	uint64_t skip = VBLK_HDR_LEN, keep = w->write_len - 1;

	*n = 0;
	b->segs[(*n)++] = (struct vhost_seg){ r->buf_pa, VBLK_HDR_LEN, false };
	for (unsigned i = 0; i < w->nseg; i++) {
		const struct virtq_seg *s = &w->seg[i];
		uint64_t off = 0, len = s->len;
		if (!s->write) {
			off = skip < len ? skip : len;
			skip -= off;
			len -= off;
		} else {
			if (len > keep)
				len = keep;
			keep -= len;
		}
		if (len && !vblk_map(b, n, s->gpa + off, len, s->write))
			return false;
	}
	b->segs[(*n)++] = (struct vhost_seg){ r->buf_pa + VBLK_HDR_LEN, 1, true };
	return true;
}

static void vblk_done(struct vhost_req *hr, uint32_t len);

/* One request the walker took: checked, then answered or passed on. */
static void vblk_handle(struct vblk *b, const struct virtq_req *w, struct vblk_req *r)
{
	struct virtio_mmio_dev *d = b->dev;
	struct vblk_hdr hdr;

	/* QEMU: "virtio-blk missing headers" is virtio_error. */
	if (w->read_len < VBLK_HDR_LEN || w->write_len < 1 ||
	    virtq_req_gather(b->vm, w, 0, &hdr, sizeof(hdr)) != sizeof(hdr)) {
		virtio_mmio_needs_reset(d);
		return;
	}
	const struct virtq_seg *last = &w->seg[w->nseg - 1];
	uint64_t status_gpa = last->gpa + last->len - 1;
	uint64_t data = 0;
	uint8_t status = VIRTIO_BLK_S_OK;

	switch (hdr.type) {
	case VIRTIO_BLK_T_IN:
		data = w->write_len - 1;
		break;
	case VIRTIO_BLK_T_OUT:
		data = w->read_len - VBLK_HDR_LEN;
		if (b->readonly)
			status = VIRTIO_BLK_S_IOERR;
		break;
	case VIRTIO_BLK_T_FLUSH:
	case VIRTIO_BLK_T_GET_ID:
		break;
	default:
		status = VIRTIO_BLK_S_UNSUPP;
		break;
	}
	if ((hdr.type == VIRTIO_BLK_T_IN || hdr.type == VIRTIO_BLK_T_OUT) &&
	    (data % VIRTIO_BLK_SECTOR || hdr.sector > b->capacity ||
	     data / VIRTIO_BLK_SECTOR > b->capacity - hdr.sector))
		status = VIRTIO_BLK_S_IOERR;
	if (w->overlap)
		status = VIRTIO_BLK_S_IOERR;
	unsigned n;
	if (status == VIRTIO_BLK_S_OK && !vblk_build(b, w, r, &n))
		status = VIRTIO_BLK_S_IOERR;
	if (status != VIRTIO_BLK_S_OK) {
		vblk_answer(b, w, status_gpa, status);
		return;
	}
	/* The pin keeps a VM reset from reusing the pages until done. */
	r->status_guest = guestmem_pin(b->vm, status_gpa, 1);
	if (r->status_guest == NULL) {
		virtio_mmio_needs_reset(d);
		return;
	}
	uint8_t *buf = hostmem_va(r->buf_pa);
	memcpy(buf, &hdr, sizeof(hdr));
	buf[VBLK_HDR_LEN] = VIRTIO_BLK_S_IOERR;    /* until the host device says */
	r->head = w->head;
	r->used_len = (uint32_t)w->write_len;
	r->gen = d->reset_gen;
	r->busy = true;
	__atomic_fetch_add(&b->inflight, 1, __ATOMIC_ACQ_REL);
	if (!vhost_submit(b->host, 0, b->segs, n, r->table_pa, &r->hreq)) {
		r->busy = false;
		__atomic_fetch_sub(&b->inflight, 1, __ATOMIC_ACQ_REL);
		guestmem_unpin(b->vm);
		vblk_answer(b, w, status_gpa, VIRTIO_BLK_S_IOERR);
	}
}

static struct vblk_req *vblk_free_req(struct vblk *b)
{
	for (unsigned i = 0; i < VBLK_INFLIGHT; i++)
		if (!b->req[i].busy)
			return &b->req[i];
	return NULL;
}

/* Take what the guest made available while there is room; d->lock held. */
static void vblk_kick(struct vblk *b)
{
	struct virtio_mmio_dev *d = b->dev;
	struct vblk_req *r;

	while (!d->broken && d->vq[0].ready && (r = vblk_free_req(b)) != NULL) {
		int got = virtq_pop(b->vm, &d->vq[0], &b->walk);
		if (got < 0) {
			virtio_mmio_needs_reset(d);
			return;
		}
		if (got == 0)
			return;
		vblk_handle(b, &b->walk, r);
	}
}

static void vblk_notify(struct virtio_mmio_dev *d, unsigned q)
{
	(void)q;
	vblk_kick(d->model);
}

/* A host completion, on whichever hart reaped it. */
static void vblk_done(struct vhost_req *hr, uint32_t len)
{
	struct vblk_req *r = (struct vblk_req *)hr;
	struct vblk *b = r->blk;
	struct virtio_mmio_dev *d = b->dev;

	(void)len;
	spin_lock(&d->lock);
	/* A request from before a device reset completes into nothing. */
	if (r->gen == d->reset_gen && !d->broken) {
		*r->status_guest = ((uint8_t *)hostmem_va(r->buf_pa))[VBLK_HDR_LEN];
		if (virtq_push(b->vm, &d->vq[0], r->head, r->used_len) != 0)
			virtio_mmio_needs_reset(d);
		else
			virtio_mmio_notify_used(d);
	}
	guestmem_unpin(b->vm);
	r->busy = false;
	__atomic_fetch_sub(&b->inflight, 1, __ATOMIC_ACQ_REL);
	vblk_kick(b);
	spin_unlock(&d->lock);
}

static void vblk_reset(struct virtio_mmio_dev *d)
{
	(void)d;        /* in-flight requests go stale by reset_gen */
}

static void vblk_quiesce(struct virtio_mmio_dev *d)
{
	struct vblk *b = d->model;

	while (__atomic_load_n(&b->inflight, __ATOMIC_ACQUIRE))
		vhost_poll(b->host);
}

static const struct virtio_ops vblk_ops = {
	.name = "virtio-blk",
	.device_id = VIRTIO_ID_BLOCK,
	.nqueues = 1,
	.features = vblk_features,
	.cfg_len = VBLK_CFG_LEN,
	.cfg_read = vblk_cfg_read,
	.notify = vblk_notify,
	.reset = vblk_reset,
	.quiesce = vblk_quiesce,
};

bool virtio_blk_create(struct virtio_mmio_dev *d, struct vm *vm, struct vhost_dev *h,
		       bool readonly)
{
	if (nvblks == VBLK_MAX || h == NULL ||
	    !vhost_start(h, 1ULL << VIRTIO_BLK_F_FLUSH | 1ULL << VIRTIO_BLK_F_SEG_MAX, 1))
		return false;
	struct vblk *b = &vblks[nvblks];
	memset(b, 0, sizeof(*b));
	b->dev = d;
	b->vm = vm;
	b->host = h;
	b->readonly = readonly;
	b->capacity = vhost_cfg_read32(h, 0) | (uint64_t)vhost_cfg_read32(h, 4) << 32;
	for (unsigned i = 0; i < VBLK_INFLIGHT; i++) {
		struct vblk_req *r = &b->req[i];
		r->hreq.done = vblk_done;
		r->blk = b;
		r->buf_pa = frame_alloc_contig(1, 1);
		r->table_pa = frame_alloc_contig(VBLK_HOST_SEGS * 16 / FRAME_SIZE, 1);
		if (r->buf_pa == 0 || r->table_pa == 0)
			return false;
	}
	nvblks++;
	virtio_mmio_attach(d, &vblk_ops, b);
	log_info("vm %s: virtio-blk in slot %u: host disk in slot %u, %lu sectors%s", vm->name,
		 d->slot, h->slot, b->capacity, readonly ? ", read-only" : "");
	return true;
}
