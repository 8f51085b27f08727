/*
 * virtio-rng (Virtio 1.2, 5.4 "Entropy Device") for a VM: its requests are
 * filled by the host board's virtio-rng, which every VM shares (QEMU's
 * device; virtio_host.h), straight into the guest's buffers. One request
 * per VM is with the host device at a time; a request with no writable
 * buffer is returned empty, as QEMU returns it.
 */
#ifndef DEV_VIRTIO_RNG_H
#define DEV_VIRTIO_RNG_H

#include <stdbool.h>

struct virtio_mmio_dev;
struct vhost_dev;
struct vm;

bool virtio_rng_create(struct virtio_mmio_dev *d, struct vm *vm, struct vhost_dev *h);

#endif
