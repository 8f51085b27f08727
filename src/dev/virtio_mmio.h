/*
 * The virtio-mmio transport (Virtio 1.2, 4.2 "Virtio Over MMIO", the modern
 * interface, Version 2) of QEMU virt's eight slots (trapeze/board.h). Every
 * VM has all eight, as bare QEMU shows them. A slot with no device behind
 * it is an empty transport that answers as QEMU's does: the magic value,
 * the version and the vendor id, DeviceID 0 ("no device", 4.2.2),
 * everything else zero, writes ignored.
 *
 * A slot with a device model (virtio_mmio_attach) is QEMU 7.2's transport
 * (hw/virtio/virtio-mmio.c, force-legacy=false) in front of it: feature
 * words by selector, per-queue size, addresses and ready bit, notify,
 * interrupt status and acknowledge, device status with FEATURES_OK refused
 * for features the device did not offer, reset by writing 0, and the
 * device's configuration space from offset 0x100. The transport checks a
 * queue when the driver makes it ready and walks it with virtq.c; what is
 * malformed sets DEVICE_NEEDS_RESET (2.1.2) for the device alone.
 *
 * Each slot is an instance of the device model "virtio-mmio" on the VM's
 * device list (dev/device.h; device_create_board makes all eight): the
 * instance's state is the slot's struct virtio_mmio_dev, its interrupt
 * line is the instance's (source BOARD_VIRTIO_IRQ + slot), and the list
 * quiesces, resets and times it like any other device.
 *
 * Device models (virtio_blk.c, virtio_rng.c, virtio_net.c) are a
 * struct virtio_ops: they never see the registers, only "queue q was
 * notified", "reset", "quiesce" and their configuration bytes. Every call
 * into a model but quiesce runs with the transport's own lock held (taken
 * by every register access and by completions from host devices; not the
 * VM's dev_lock, which a finisher write holds while it resets the VM, and
 * a reset waits for completions).
 */
#ifndef DEV_VIRTIO_MMIO_H
#define DEV_VIRTIO_MMIO_H

#include <stdbool.h>
#include <stdint.h>
#include "core/lib/spinlock.h"
#include "dev/device.h"
#include "dev/irq.h"
#include "dev/mmio.h"
#include "dev/virtq.h"
#include "trapeze/board.h"

/* Virtio 1.2, 4.2.2 "MMIO Device Register Layout" */
#define VIRTIO_MMIO_MAGIC_VALUE         0x000
#define VIRTIO_MMIO_VERSION             0x004
#define VIRTIO_MMIO_DEVICE_ID           0x008
#define VIRTIO_MMIO_VENDOR_ID           0x00c
#define VIRTIO_MMIO_DEVICE_FEATURES     0x010
#define VIRTIO_MMIO_DEVICE_FEATURES_SEL 0x014
#define VIRTIO_MMIO_DRIVER_FEATURES     0x020
#define VIRTIO_MMIO_DRIVER_FEATURES_SEL 0x024
#define VIRTIO_MMIO_QUEUE_SEL           0x030
#define VIRTIO_MMIO_QUEUE_NUM_MAX       0x034
#define VIRTIO_MMIO_QUEUE_NUM           0x038
#define VIRTIO_MMIO_QUEUE_READY         0x044
#define VIRTIO_MMIO_QUEUE_NOTIFY        0x050
#define VIRTIO_MMIO_INTERRUPT_STATUS    0x060
#define VIRTIO_MMIO_INTERRUPT_ACK       0x064
#define VIRTIO_MMIO_STATUS              0x070
#define VIRTIO_MMIO_QUEUE_DESC_LOW      0x080
#define VIRTIO_MMIO_QUEUE_DESC_HIGH     0x084
#define VIRTIO_MMIO_QUEUE_DRIVER_LOW    0x090
#define VIRTIO_MMIO_QUEUE_DRIVER_HIGH   0x094
#define VIRTIO_MMIO_QUEUE_DEVICE_LOW    0x0a0
#define VIRTIO_MMIO_QUEUE_DEVICE_HIGH   0x0a4
#define VIRTIO_MMIO_CONFIG_GENERATION   0x0fc
#define VIRTIO_MMIO_CONFIG              0x100   /* device configuration space */

#define VIRTIO_MMIO_MAGIC           0x74726976U     /* "virt", little-endian */
#define VIRTIO_MMIO_VERSION_MODERN  2               /* not the legacy interface's 1 */
/* The vendor id QEMU's transports report ("QEMU"); Trapeze's slots report
 * the same, so that a guest sees one board whether or not it runs on
 * Trapeze. */
#define VIRTIO_MMIO_VENDOR_QEMU     0x554d4551U
/* QEMU's virtio-mmio answers QueueNumMax with VIRTQUEUE_MAX_SIZE for any
 * queue that exists, whatever the device's own ring size. */
#define VIRTIO_MMIO_QUEUE_MAX       1024

/* 2.1 "Device Status Field" */
#define VIRTIO_STATUS_ACKNOWLEDGE   1
#define VIRTIO_STATUS_DRIVER        2
#define VIRTIO_STATUS_DRIVER_OK     4
#define VIRTIO_STATUS_FEATURES_OK   8
#define VIRTIO_STATUS_NEEDS_RESET   64
#define VIRTIO_STATUS_FAILED        128

/* 4.2.2 InterruptStatus bits */
#define VIRTIO_ISR_QUEUE            1
#define VIRTIO_ISR_CONFIG           2

/* 6 "Reserved Feature Bits" */
#define VIRTIO_F_INDIRECT_DESC      28
#define VIRTIO_F_EVENT_IDX          29
#define VIRTIO_F_VERSION_1          32

/* 5 "Device Types" */
#define VIRTIO_ID_NET               1
#define VIRTIO_ID_BLOCK             2
#define VIRTIO_ID_RNG               4

#define VIRTIO_MAX_QUEUES           4

struct virtio_mmio_dev;

/* A device model behind a transport. */
struct virtio_ops {
	const char *name;                   /* "virtio-blk" */
	uint32_t device_id;
	unsigned nqueues;                   /* at most VIRTIO_MAX_QUEUES */
	/* Features offered (bit 32, VERSION_1, always: modern only). */
	uint64_t (*features)(struct virtio_mmio_dev *d);
	/* The configuration space: its size and its bytes (little-endian),
	 * read into buf (cfg_len bytes); a write of len bytes at off. */
	uint32_t cfg_len;
	void (*cfg_read)(struct virtio_mmio_dev *d, uint8_t *buf);
	void (*cfg_write)(struct virtio_mmio_dev *d, uint32_t off, const uint8_t *buf, unsigned len);
	/* The driver notified queue q (ready, not broken). */
	void (*notify)(struct virtio_mmio_dev *d, unsigned q);
	/* Device reset (Status 0, or the VM's reset): forget every request
	 * taken; any still with a host device is completed into nothing. */
	void (*reset)(struct virtio_mmio_dev *d);
	/* Wait until no request of this device is with a host device; called
	 * without d->lock. NULL when requests never outlive the notify. */
	void (*quiesce)(struct virtio_mmio_dev *d);
	/* After every register access, once d->lock is dropped (the VM's
	 * dev_lock may still be held): work the model deferred because it
	 * takes other devices' locks (virtio-net hands the frames it took
	 * to its switch, whose delivery locks the receiving NICs; doing it
	 * under d->lock would let two NICs sending to each other deadlock).
	 * NULL when none. */
	void (*flush)(struct virtio_mmio_dev *d);
	/* The slot's device timer is due (device_set_deadline(d->dev, t) set
	 * it; dev/device.h): called with d->lock held, flush after. NULL when
	 * the model never sets one. */
	void (*timer)(struct virtio_mmio_dev *d, uint64_t now);
};

struct virtio_mmio_dev {
	struct mmio_device mmio;
	unsigned slot;          /* 0..BOARD_VIRTIO_SLOTS-1 */
	struct vm *vm;
	struct irq_line irq;                /* the slot's line (the device list's) */
	struct device *dev;                 /* its device-list instance; NULL outside one */
	struct spinlock lock;               /* everything below, and the model's state */
	const struct virtio_ops *ops;       /* NULL: an empty slot */
	void *model;                        /* the device model's own state */
	/* Bumped by every reset: a completion carrying an older value belongs
	 * to a request the driver has since forgotten. */
	uint32_t reset_gen;
	bool broken;                        /* DEVICE_NEEDS_RESET is set */
	uint32_t status, isr, config_gen;
	uint32_t dev_features_sel, drv_features_sel, queue_sel;
	uint64_t driver_features;
	struct virtq vq[VIRTIO_MAX_QUEUES];
};

/* The registered model of a slot (dev/device.c): an instance at
 * virtio_mmio_gpa(slot), BOARD_VIRTIO_REGION bytes, on its slot's line. */
extern const struct device_model virtio_mmio_model;

/* An empty transport: slot of vm, on line irq. */
void virtio_mmio_init(struct virtio_mmio_dev *d, unsigned slot, struct vm *vm,
		      struct irq_line irq);
/* Put a device model behind slot d, in reset state. */
void virtio_mmio_attach(struct virtio_mmio_dev *d, const struct virtio_ops *ops, void *model);
/* The device's reset (what Status = 0 does); d->lock held. */
void virtio_mmio_reset(struct virtio_mmio_dev *d);

/* For device models (d->lock held): a used buffer notification
 * (InterruptStatus bit 0 and the line), and the device's error: set
 * DEVICE_NEEDS_RESET, stop using every queue, and send a configuration
 * change notification once the driver is up (QEMU virtio_error). */
void virtio_mmio_notify_used(struct virtio_mmio_dev *d);
void virtio_mmio_needs_reset(struct virtio_mmio_dev *d);
/* Whether the driver has accepted feature bit f. */
bool virtio_mmio_has_feature(const struct virtio_mmio_dev *d, unsigned f);

/* The guest-physical base of slot i. */
static inline uint64_t virtio_mmio_gpa(unsigned slot)
{
	return BOARD_VIRTIO_GPA + slot * BOARD_VIRTIO_STRIDE;
}

#endif
