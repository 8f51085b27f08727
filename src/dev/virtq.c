#include "dev/virtq.h"

#include "core/guestmem.h"
#include "core/lib/string.h"

/* 2.7.5, little-endian in guest RAM (RISC-V is little-endian). */
struct virtq_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};

/* 2.7.6 / 2.7.8: flags and idx head both rings. */
#define VIRTQ_RING_IDX          2
#define VIRTQ_AVAIL_RING        4
#define VIRTQ_USED_RING         4
#define VIRTQ_USED_ELEM         8

/* Sizes of the three areas for a queue of num entries (2.7, with the
 * event fields: QEMU reads them whether or not EVENT_IDX is negotiated). */
static uint64_t virtq_desc_bytes(uint16_t num) { return (uint64_t)num * VIRTQ_DESC_SIZE; }
static uint64_t virtq_avail_bytes(uint16_t num) { return 6 + 2ULL * num; }
static uint64_t virtq_used_bytes(uint16_t num) { return 6 + 8ULL * num; }

int virtq_check_setup(struct vm *vm, const struct virtq *q, uint16_t max)
{
	if (q->num == 0 || q->num > max || (q->num & (q->num - 1)))
		return VIRTQ_E_SETUP;
	if ((q->desc & 15) || (q->avail & 1) || (q->used & 3))
		return VIRTQ_E_SETUP;
	if (!guestmem_is_ram(vm, q->desc, virtq_desc_bytes(q->num)) ||
	    !guestmem_is_ram(vm, q->avail, virtq_avail_bytes(q->num)) ||
	    !guestmem_is_ram(vm, q->used, virtq_used_bytes(q->num)))
		return VIRTQ_E_SETUP;
	return 0;
}

void virtq_reset_progress(struct virtq *q)
{
	q->last_avail = 0;
	q->used_idx = 0;
	q->broken = false;
}

/* A 16-bit index the other side updates concurrently: one aligned atomic
 * access through a pin, never a byte copy that could tear. */
static bool virtq_load_idx(struct vm *vm, uint64_t gpa, uint16_t *out)
{
	uint16_t *p = (gpa & 1) ? NULL : guestmem_pin(vm, gpa, 2);

	if (p == NULL)
		return false;
	*out = __atomic_load_n(p, __ATOMIC_ACQUIRE);
	guestmem_unpin(vm);
	return true;
}

static bool virtq_store_idx(struct vm *vm, uint64_t gpa, uint16_t val)
{
	uint16_t *p = (gpa & 1) ? NULL : guestmem_pin(vm, gpa, 2);

	if (p == NULL)
		return false;
	__atomic_store_n(p, val, __ATOMIC_RELEASE);
	guestmem_unpin(vm);
	return true;
}

static int virtq_fail(struct virtq *q, int err)
{
	q->broken = true;
	return err;
}

static bool ranges_overlap(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
	return a < b + blen && b < a + alen;
}

/* Add one buffer of the copied descriptor d to req, checked. */
static int virtq_add_seg(struct vm *vm, struct virtq_req *req, const struct virtq_desc *d)
{
	bool write = d->flags & VIRTQ_DESC_F_WRITE;

	/* 2.7.4.2: device-readable buffers come first; QEMU's
	 * virtqueue_map_desc calls the other order an error. */
	if (!write && req->nseg > req->nread)
		return VIRTQ_E_CHAIN;
	if (d->len == 0)
		return 0;
	if (req->nseg == VIRTQ_SEGS_MAX)
		return VIRTQ_E_CHAIN;
	if (d->addr > UINT64_MAX - d->len || !guestmem_is_ram(vm, d->addr, d->len))
		return VIRTQ_E_BUFFER;
	for (unsigned i = 0; i < req->nseg; i++)
		if ((write || req->seg[i].write) &&
		    ranges_overlap(d->addr, d->len, req->seg[i].gpa, req->seg[i].len))
			req->overlap = true;
	req->seg[req->nseg++] = (struct virtq_seg){ d->addr, d->len, write };
	if (write)
		req->write_len += d->len;
	else {
		req->nread++;
		req->read_len += d->len;
	}
	return 0;
}

int virtq_pop(struct vm *vm, struct virtq *q, struct virtq_req *req)
{
	uint16_t avail_idx, head;

	if (!q->ready || q->broken)
		return 0;
	if (!virtq_load_idx(vm, q->avail + VIRTQ_RING_IDX, &avail_idx))
		return virtq_fail(q, VIRTQ_E_RING);
	uint16_t waiting = (uint16_t)(avail_idx - q->last_avail);
	if (waiting == 0)
		return 0;
	/* QEMU: "Guest moved used index from %u to %u" (virtio_error). */
	if (waiting > q->num)
		return virtq_fail(q, VIRTQ_E_RING);
	if (!guestmem_read(vm, q->avail + VIRTQ_AVAIL_RING + 2ULL * (q->last_avail % q->num),
			   &head, sizeof(head)) || head >= q->num)
		return virtq_fail(q, VIRTQ_E_RING);
	q->last_avail++;

	req->head = head;
	req->nseg = req->nread = 0;
	req->read_len = req->write_len = 0;
	req->overlap = false;

	uint64_t table = q->desc;
	uint32_t max = q->num, i = head, seen = 0;
	bool indirect = false;
	for (;;) {
		struct virtq_desc d;

		/* Each descriptor once: a table of max entries holds no
		 * chain longer than max that is not a loop. */
		if (seen++ == max)
			return virtq_fail(q, VIRTQ_E_CHAIN);
		if (!guestmem_read(vm, table + (uint64_t)i * VIRTQ_DESC_SIZE, &d, sizeof(d)))
			return virtq_fail(q, indirect ? VIRTQ_E_BUFFER : VIRTQ_E_RING);
		if (d.flags & VIRTQ_DESC_F_INDIRECT) {
			/* 2.7.5.3.1: only the head, never with NEXT, never
			 * nested, a whole number of descriptors. */
			if (indirect || seen != 1 || (d.flags & VIRTQ_DESC_F_NEXT) ||
			    d.len == 0 || d.len % VIRTQ_DESC_SIZE ||
			    d.len / VIRTQ_DESC_SIZE > VIRTQ_MAX_SIZE)
				return virtq_fail(q, VIRTQ_E_CHAIN);
			if (d.addr > UINT64_MAX - d.len || !guestmem_is_ram(vm, d.addr, d.len))
				return virtq_fail(q, VIRTQ_E_BUFFER);
			table = d.addr;
			max = d.len / VIRTQ_DESC_SIZE;
			i = 0;
			seen = 0;
			indirect = true;
			continue;
		}
		int r = virtq_add_seg(vm, req, &d);
		if (r)
			return virtq_fail(q, r);
		if (!(d.flags & VIRTQ_DESC_F_NEXT))
			return 1;
		i = d.next;
		if (i >= max)
			return virtq_fail(q, VIRTQ_E_CHAIN);
	}
}

int virtq_push(struct vm *vm, struct virtq *q, uint16_t head, uint32_t len)
{
	struct { uint32_t id, len; } elem = { head, len };

	if (!guestmem_write(vm, q->used + VIRTQ_USED_RING +
			    (uint64_t)VIRTQ_USED_ELEM * (q->used_idx % q->num), &elem, sizeof(elem)))
		return VIRTQ_E_RING;
	/* The element before the index (release store). */
	if (!virtq_store_idx(vm, q->used + VIRTQ_RING_IDX, (uint16_t)(q->used_idx + 1)))
		return VIRTQ_E_RING;
	q->used_idx++;
	return 0;
}

bool virtq_needs_interrupt(struct vm *vm, const struct virtq *q, uint16_t old_used, bool event_idx)
{
	uint16_t v;

	/* The used index store before the driver's field is read (store-load). */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (!event_idx)
		return !virtq_load_idx(vm, q->avail, &v) || !(v & VIRTQ_AVAIL_F_NO_INTERRUPT);
	if (!virtq_load_idx(vm, q->avail + VIRTQ_AVAIL_RING + 2ULL * q->num, &v))
		return true;
	/* 2.7.10: vring_need_event(used_event, new, old). */
	return (uint16_t)(q->used_idx - v - 1) < (uint16_t)(q->used_idx - old_used);
}

bool virtq_set_avail_event(struct vm *vm, const struct virtq *q, uint16_t idx)
{
	bool ok = virtq_store_idx(vm, q->used + VIRTQ_USED_RING + (uint64_t)VIRTQ_USED_ELEM * q->num, idx);

	/* Published before the avail index is read again. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	return ok;
}

static size_t virtq_req_copy(struct vm *vm, const struct virtq_req *req, uint64_t off,
			     void *buf, size_t len, bool to_guest)
{
	unsigned first = to_guest ? req->nread : 0, end = to_guest ? req->nseg : req->nread;
	uint8_t *b = buf;
	size_t done = 0;

	for (unsigned i = first; i < end && done < len; i++) {
		const struct virtq_seg *s = &req->seg[i];
		if (off >= s->len) {
			off -= s->len;
			continue;
		}
		size_t n = s->len - off;
		if (n > len - done)
			n = len - done;
		bool ok = to_guest ? guestmem_write(vm, s->gpa + off, b + done, n)
				   : guestmem_read(vm, s->gpa + off, b + done, n);
		if (!ok)
			break;
		done += n;
		off = 0;
	}
	return done;
}

size_t virtq_req_gather(struct vm *vm, const struct virtq_req *req, uint64_t off,
			void *buf, size_t len)
{
	return virtq_req_copy(vm, req, off, buf, len, false);
}

size_t virtq_req_scatter(struct vm *vm, const struct virtq_req *req, uint64_t off,
			 const void *buf, size_t len)
{
	return virtq_req_copy(vm, req, off, (void *)buf, len, true);
}
