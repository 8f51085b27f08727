/*
 * Trapeze as the driver of QEMU's own virtio-mmio devices on the host board
 * (Virtio 1.2, 3.1 "Device Initialization", 4.2 "Virtio Over MMIO", modern
 * interface: the launcher runs QEMU with virtio-mmio.force-legacy=false),
 * found in the host DTB. Generic over the device type: a device model
 * (virtio_blk.c, virtio_rng.c, a virtio-net later) starts the host device
 * with the features and queues it needs and submits buffers by host-physical
 * address, each request one descriptor (a single buffer, or an indirect
 * table the caller owns); completions come by the host's interrupt
 * (core/hostirq.h) or by polling, and call the request's done hook on
 * whichever hart reaped them, with no lock held.
 */
#ifndef DEV_VIRTIO_HOST_H
#define DEV_VIRTIO_HOST_H

#include <stdbool.h>
#include <stdint.h>
#include "core/lib/spinlock.h"
#include "trapeze/board.h"

struct dt;

#define VHOST_QUEUES_MAX        2
#define VHOST_QUEUE_SIZE        128     /* descriptors per host queue */

struct vhost_seg {
	uint64_t pa;            /* host-physical */
	uint32_t len;
	bool write;             /* device-writable */
};

struct vhost_req;
typedef void (*vhost_done_t)(struct vhost_req *r, uint32_t len);
struct vhost_req {
	vhost_done_t done;
};

struct vhost_queue {
	uint16_t num;
	uint16_t nfree, free_head, last_used, avail_idx;
	uint64_t desc_pa, avail_pa, used_pa;
	uint16_t next_free[VHOST_QUEUE_SIZE];
	struct vhost_req *req[VHOST_QUEUE_SIZE];
};

struct vhost_dev {
	volatile uint32_t *regs;
	unsigned slot;          /* host slot 0..BOARD_VIRTIO_SLOTS-1 */
	unsigned irq;           /* host PLIC source */
	uint32_t device_id;     /* 0: no device in the slot */
	bool started, failed;
	uint64_t features;      /* negotiated */
	unsigned nqueues;
	struct spinlock lock;
	struct vhost_queue q[VHOST_QUEUES_MAX];
	uint64_t completions, submitted;
};

/* Boot: read every virtio,mmio transport of the host DTB. */
void vhost_probe(const struct dt *dt);
/* The host device in host slot `slot` if it is of type device_id. */
struct vhost_dev *vhost_get(unsigned slot, uint32_t device_id);
/* Initialise it (3.1.1): features wanted & offered (VERSION_1 and
 * INDIRECT_DESC required), nqueues queues of VHOST_QUEUE_SIZE, its
 * interrupt routed. Idempotent; false when the device refuses. */
bool vhost_start(struct vhost_dev *d, uint64_t wanted, unsigned nqueues);
/* One request: n buffers, as one direct descriptor when n == 1, else
 * through the indirect table at table_pa (room for n descriptors, host
 * memory the caller keeps until done). False when the queue is full. */
bool vhost_submit(struct vhost_dev *d, unsigned q, const struct vhost_seg *segs, unsigned n,
		  uint64_t table_pa, struct vhost_req *r);
/* No interrupt for queue q's completions (VIRTQ_AVAIL_F_NO_INTERRUPT,
 * 2.7.7): they wait for vhost_poll. */
void vhost_quiet(struct vhost_dev *d, unsigned q);
/* Reap every completed request of every queue, calling their done hooks. */
void vhost_poll(struct vhost_dev *d);
/* The device's configuration space, little-endian (4-byte reads). */
uint32_t vhost_cfg_read32(struct vhost_dev *d, unsigned off);

#endif
