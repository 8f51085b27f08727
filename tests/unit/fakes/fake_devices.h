/*
 * A fake of the device list's timer side (dev/device.h) and of the VM
 * table (vm_count, vm_at), for host tests of the scheduler: the VMs a test
 * registers have a device timer at vm->dev_deadline; when the scheduler
 * fires it (device_run_timers), the fake does what an RTC alarm does
 * through the PLIC: it raises VIRQ_EXT on the VM's vCPU 0 and kicks it.
 */
#ifndef TESTS_UNIT_FAKES_FAKE_DEVICES_H
#define TESTS_UNIT_FAKES_FAKE_DEVICES_H

#include <stdint.h>

struct vm;

/* Only registered VMs have device timers (the others read UINT64_MAX). */
void fake_devices_register(struct vm *vm);
void fake_devices_reset(void);
/* Timers fired so far, and the time of the last. */
extern unsigned fake_devices_fired;
extern uint64_t fake_devices_fired_at;

#endif
