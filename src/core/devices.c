#include "core/devices.h"

#include "core/console.h"
#include "core/hostirq.h"
#include "core/vm.h"
#include "dev/rtc.h"
#include "dev/virtio_blk.h"
#include "dev/virtio_host.h"
#include "dev/virtio_mmio.h"
#include "dev/virtio_net.h"
#include "dev/virtio_rng.h"

void devices_probe_host(const struct dt *dt)
{
	if (!hostirq_init(dt))
		log_info("host: no PLIC found, host devices are polled");
	vhost_probe(dt);
	rtc_host_init(dt);      /* every VM's RTC counts from the host's */
}

/* The VM's slot instance, NULL when the list has none there. */
static struct virtio_mmio_dev *vm_virtio_slot(struct vm *vm, unsigned slot)
{
	for (unsigned i = 0; i < vm->ndevices; i++) {
		struct device *dev = &vm->devices[i];
		if (dev->model == &virtio_mmio_model && dev->gpa == virtio_mmio_gpa(slot))
			return dev->state;
	}
	return NULL;
}

static bool vm_device_attach(struct vm *vm, const struct bootinfo_dev *bd)
{
	struct virtio_mmio_dev *d = vm_virtio_slot(vm, bd->guest_slot);

	if (d == NULL || d->ops)
		return false;
	switch (bd->kind) {
	case BOOTINFO_DEV_BLK:
		return virtio_blk_create(d, vm, vhost_get(bd->host_slot, VIRTIO_ID_BLOCK),
					 bd->flags & BOOTINFO_DEV_F_READONLY);
	case BOOTINFO_DEV_RNG:
		return virtio_rng_create(d, vm, vhost_get(bd->host_slot, VIRTIO_ID_RNG));
	case BOOTINFO_DEV_NET:
		return virtio_net_create(d, vm, BOOTINFO_DEV_NET_SWITCH(bd->flags),
					 vhost_get(bd->host_slot, VIRTIO_ID_NET),
					 bd->flags & BOOTINFO_DEV_F_DHCP);
	default:
		return false;
	}
}

bool vm_devices_create(struct vm *vm)
{
	const struct bootinfo_vm *desc = vm->desc;

	for (unsigned i = 0; i < desc->ndevs && i < BOOTINFO_MAX_DEVS; i++) {
		const struct bootinfo_dev *bd = &desc->devs[i];
		if (bd->guest_slot >= BOARD_VIRTIO_SLOTS || !vm_device_attach(vm, bd)) {
			log_info("vm %s: device %u (kind %u, host slot %u) cannot be attached",
				 vm->name, i, bd->kind, bd->host_slot);
			return false;
		}
	}
	return true;
}
