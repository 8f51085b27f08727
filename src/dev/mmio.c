#include "dev/mmio.h"

#include "core/vm.h"

int mmio_dispatch(struct vm *vm, struct mmio_device *dev, unsigned slot, struct mmio_access *a)
{
	if (slot < STATS_MMIO_MAX)
		vm->stats.mmio[slot]++;
	if (dev == NULL || dev->access == NULL)
		return -1;
	/* One lock for a VM's device models: console input and (later) other
	 * vCPUs reach the same state from other harts. */
	spin_lock(&vm->dev_lock);
	int r = dev->access(dev, vm, a);
	spin_unlock(&vm->dev_lock);
	return r;
}
