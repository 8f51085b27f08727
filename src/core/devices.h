/*
 * What is behind a VM's virtio-mmio slots: each of the board's eight
 * slots is an instance on the VM's device list (dev/device.h,
 * dev/virtio_mmio.h), empty or with a device model (virtio-blk,
 * virtio-rng, virtio-net) backed by a host device, as the boot manifest's
 * device list says (trapeze/bootinfo.h). Host devices are found in the
 * host DTB at boot (devices_probe_host). The list quiesces and resets
 * them (device_quiesce_all, device_reset_all).
 */
#ifndef CORE_DEVICES_H
#define CORE_DEVICES_H

#include <stdbool.h>

struct dt;
struct vm;

/* Boot, before any VM: the host's interrupt controller and its virtio
 * devices. */
void devices_probe_host(const struct dt *dt);
/* The models the manifest lists (vm->desc) attached to the VM's virtio
 * slots, made by device_create_board; false (logged) when one cannot be. */
bool vm_devices_create(struct vm *vm);

#endif
