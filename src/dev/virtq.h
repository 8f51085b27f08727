/*
 * The device side of a split virtqueue (Virtio 1.2, 2.7 "Split
 * Virtqueues") in a VM's RAM, shared by every virtio device model.
 *
 * Safety rules (the queue is the guest's, and another vCPU may rewrite it
 * at any moment):
 * - every ring entry and descriptor is copied out of guest RAM once, and
 *   only the copy is checked and used;
 * - every address goes through the guest-memory path (core/guestmem.h): a
 *   buffer that is not wholly the VM's RAM is refused, nothing outside the
 *   VM is ever read or written;
 * - a malformed queue (an avail index that moves by more than the queue
 *   size, a head or next index past the table, a chain longer than the
 *   table or than VIRTQ_SEGS_MAX buffers, a loop, a nested or misplaced
 *   indirect table, a readable buffer after a writable one) breaks the
 *   queue: the device model then sets DEVICE_NEEDS_RESET, as QEMU's
 *   virtio_error does (2.1.2 "Device Status Field"), and the queue is not
 *   looked at again until the driver resets the device.
 */
#ifndef DEV_VIRTQ_H
#define DEV_VIRTQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct vm;

/* 2.7.5 "The Virtqueue Descriptor Table" */
#define VIRTQ_DESC_F_NEXT       1
#define VIRTQ_DESC_F_WRITE      2
#define VIRTQ_DESC_F_INDIRECT   4
#define VIRTQ_DESC_SIZE         16
/* 2.7 "Queue Size ... The maximum Queue Size value is 32768" */
#define VIRTQ_MAX_SIZE          32768
/* Buffers in one request a device model accepts (more breaks the queue;
 * QEMU's limit is VIRTQUEUE_MAX_SIZE, 1024). */
#define VIRTQ_SEGS_MAX          256

/* The driver's view of one queue (4.2.2 QueueNum, QueueDesc/Driver/Device,
 * QueueReady) and the device's progress through it. */
struct virtq {
	uint16_t num;           /* QueueNum */
	bool ready;             /* QueueReady */
	bool broken;            /* malformed: nothing more is taken from it */
	uint64_t desc, avail, used;     /* guest-physical */
	uint16_t last_avail;    /* the next avail ring entry to take */
	uint16_t used_idx;      /* the device's used->idx */
};

struct virtq_seg {
	uint64_t gpa;
	uint32_t len;
	bool write;             /* device-writable */
};

/* One request as the walker copied and checked it: segments [0, nread)
 * are device-readable, [nread, nseg) device-writable. */
struct virtq_req {
	uint16_t head;
	unsigned nseg, nread;
	uint64_t read_len, write_len;
	bool overlap;           /* a writable buffer overlaps another buffer */
	struct virtq_seg seg[VIRTQ_SEGS_MAX];
};

enum virtq_error {
	VIRTQ_E_RING = -1,      /* avail index or head out of range, ring not RAM */
	VIRTQ_E_CHAIN = -2,     /* loop, bad next, too long, bad indirect, order */
	VIRTQ_E_BUFFER = -3,    /* a buffer outside the VM's RAM */
	VIRTQ_E_SETUP = -4,     /* a queue set up wrongly (virtq_check_setup) */
};

/* The queue as the driver set it up, checked when it writes QueueReady = 1
 * (2.7 alignment: descriptor table 16, driver area 2, device area 4; queue
 * size a power of 2 of at most max; every area wholly in RAM). 0 or
 * VIRTQ_E_SETUP. */
int virtq_check_setup(struct vm *vm, const struct virtq *q, uint16_t max);
/* Back to "never used" (a device reset, or QueueReady = 1). */
void virtq_reset_progress(struct virtq *q);

/* Take the next available request: 1 with *req filled, 0 when none is
 * available, a negative enum virtq_error when the queue is malformed
 * (q->broken is then set). A buffer outside RAM is VIRTQ_E_BUFFER. */
int virtq_pop(struct vm *vm, struct virtq *q, struct virtq_req *req);
/* Return a request: used ring entry {head, len} then used->idx, in that
 * order (2.7.8.2). 0, or VIRTQ_E_RING when the used ring is not RAM. */
int virtq_push(struct vm *vm, struct virtq *q, uint16_t head, uint32_t len);

/* Whether the driver wants a used buffer notification now that the used
 * index moved from old_used to q->used_idx (2.7.7 "Used Buffer
 * Notification Suppression"): without EVENT_IDX unless it set
 * VIRTQ_AVAIL_F_NO_INTERRUPT; with it when the move crossed its used_event
 * (2.7.10, the driver area's last field). Read after a full fence, since
 * the driver re-enables and then checks the used ring (2.7.7.1). A field
 * that is not RAM reads as "wanted". */
#define VIRTQ_AVAIL_F_NO_INTERRUPT 1
#define VIRTQ_USED_F_NO_NOTIFY  1       /* 2.7.7: the device's flag */
bool virtq_needs_interrupt(struct vm *vm, const struct virtq *q, uint16_t old_used, bool event_idx);
/* EVENT_IDX: tell the driver to notify once its avail index passes idx
 * (avail_event, the device area's last field, 2.7.10); false when it is
 * not RAM. A device that re-checks the avail ring after this misses no
 * notification. */
bool virtq_set_avail_event(struct vm *vm, const struct virtq *q, uint16_t idx);

/* Copy between a request's buffers and Trapeze, from byte off of its
 * readable (gather) or writable (scatter) part; returns the bytes copied
 * (fewer when the part is shorter). */
size_t virtq_req_gather(struct vm *vm, const struct virtq_req *req, uint64_t off,
			void *buf, size_t len);
size_t virtq_req_scatter(struct vm *vm, const struct virtq_req *req, uint64_t off,
			 const void *buf, size_t len);

#endif
