/*
 * A VM's devices beyond the fixed ones: the eight virtio-mmio slots of the
 * board, each empty or with a device model (virtio-blk, virtio-rng, later
 * virtio-net) backed by a host device, as the boot manifest's device list
 * says (trapeze/bootinfo.h). Host devices are found in the host DTB at
 * boot (devices_probe_host).
 */
#ifndef CORE_DEVICES_H
#define CORE_DEVICES_H

#include <stdbool.h>

struct dt;
struct vm;

/* Boot, before any VM: the host's interrupt controller and its virtio
 * devices. */
void devices_probe_host(const struct dt *dt);
/* Every virtio slot of vm into its real map table, models attached as
 * vm->desc lists them; false (logged) when one cannot be. */
bool vm_devices_create(struct vm *vm);
/* Wait until no request of the VM is with a host device (its DMA into the
 * VM's RAM is over); call without a virtio slot's lock held, before a VM's reset or
 * destruction hands its RAM back (guestmem_reset, lazy zeroing). */
void vm_devices_quiesce(struct vm *vm);
/* Every device model back to its reset state (a VM reset); after
 * vm_devices_quiesce. */
void vm_devices_reset(struct vm *vm);

#endif
