/* Fakes of the device timers and the VM table: see fake_devices.h. */
#include "fakes/fake_devices.h"

#include "core/sched.h"
#include "core/vcpu.h"
#include "core/vm.h"
#include "dev/device.h"

#define FAKE_DEVICE_VMS 4

static struct vm *vms[FAKE_DEVICE_VMS];
static unsigned nvms;
unsigned fake_devices_fired;
uint64_t fake_devices_fired_at;

void fake_devices_register(struct vm *vm)
{
	if (nvms < FAKE_DEVICE_VMS)
		vms[nvms++] = vm;
}

void fake_devices_reset(void)
{
	for (unsigned i = 0; i < nvms; i++)
		vms[i]->dev_deadline = UINT64_MAX;
	nvms = 0;
	fake_devices_fired = 0;
	fake_devices_fired_at = 0;
}

unsigned vm_count(void)
{
	return nvms;
}

struct vm *vm_at(unsigned i)
{
	return i < nvms ? vms[i] : NULL;
}

uint64_t device_deadline(const struct vm *vm)
{
	for (unsigned i = 0; i < nvms; i++)
		if (vms[i] == vm)
			return vm->dev_deadline;
	return UINT64_MAX;
}

bool device_run_timers(uint64_t now)
{
	bool fired = false;

	for (unsigned i = 0; i < nvms; i++) {
		struct vm *vm = vms[i];
		if (vm->state != VM_RUNNING || vm->dev_deadline > now)
			continue;
		vm->dev_deadline = UINT64_MAX;
		fake_devices_fired++;
		fake_devices_fired_at = now;
		/* plic_set_level: SEIP raised, the vCPU kicked (vcpu_kick on
		 * a blocked vCPU). */
		vcpu_raise_irq(vm->vcpus[0], VIRQ_EXT);
		if (vm->vcpus[0]->state == VCPU_BLOCKED && vcpu_irq_wakeup_pending(vm->vcpus[0]))
			sched_make_runnable(vm->vcpus[0]);
		fired = true;
	}
	return fired;
}
