/*
 * virtio-blk (Virtio 1.2, 5.2 "Block Device") for a VM, backed by one of
 * QEMU's virtio-blk devices on the host board (virtio_host.h), one host
 * disk per VM disk: each request the guest makes is checked (virtq.c) and
 * passed to the host device with the guest's own buffers as its data
 * (host-physical pages of the VM's RAM, pinned while the host device has
 * them; the request header and status byte are Trapeze's copies). FLUSH is
 * forwarded, so a write the guest flushed is in the host file.
 *
 * Offered features: VERSION_1, INDIRECT_DESC, SEG_MAX, BLK_SIZE (512),
 * FLUSH, and RO for a read-only disk. What a real device answers with an
 * I/O error (VIRTIO_BLK_S_IOERR: a range past the end, a length that is
 * not whole sectors, a write to a read-only disk, buffers that overlap a
 * writable one) is answered so; unknown request types get
 * VIRTIO_BLK_S_UNSUPP; a request without header or status byte breaks the
 * device (DEVICE_NEEDS_RESET), as in QEMU.
 */
#ifndef DEV_VIRTIO_BLK_H
#define DEV_VIRTIO_BLK_H

#include <stdbool.h>
#include <stdint.h>

struct virtio_mmio_dev;
struct vhost_dev;
struct vm;

/* 5.2.3 feature bits, 5.2.6 request types and status values */
#define VIRTIO_BLK_F_SEG_MAX    2
#define VIRTIO_BLK_F_RO         5
#define VIRTIO_BLK_F_BLK_SIZE   6
#define VIRTIO_BLK_F_FLUSH      9
#define VIRTIO_BLK_T_IN         0
#define VIRTIO_BLK_T_OUT        1
#define VIRTIO_BLK_T_FLUSH      4
#define VIRTIO_BLK_T_GET_ID     8
#define VIRTIO_BLK_S_OK         0
#define VIRTIO_BLK_S_IOERR      1
#define VIRTIO_BLK_S_UNSUPP     2
#define VIRTIO_BLK_SECTOR       512
/* Buffers per request the guest may use (config seg_max). */
#define VIRTIO_BLK_SEG_MAX      126

/* Attach a disk to slot d of vm, backed by host device h (started here).
 * False when the host device cannot be driven or no disk is left. */
bool virtio_blk_create(struct virtio_mmio_dev *d, struct vm *vm, struct vhost_dev *h,
		       bool readonly);

#endif
