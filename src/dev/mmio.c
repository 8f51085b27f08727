#include "dev/mmio.h"

#include "core/vm.h"

int mmio_dispatch(struct vm *vm, struct mmio_device *dev, unsigned slot, struct mmio_access *a)
{
	if (slot < STATS_MMIO_MAX)
		vm->stats.mmio[slot]++;
	if (dev == NULL || dev->access == NULL)
		return -1;
	return dev->access(dev, vm, a);
}
