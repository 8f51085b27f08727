/*
 * The device list (see device.h): the registry of models, a VM's
 * instances, and their timers.
 */
#include "dev/device.h"

#include "core/console.h"
#include "core/lib/string.h"
#include "core/vm.h"
#include "dev/plic.h"
#include "dev/rtc.h"
#include "dev/syscon.h"
#include "dev/uart.h"
#include "dev/virtio_mmio.h"
#include "trapeze/board.h"

static const struct device_model *const device_models[] = {
	&uart_model, &plic_model, &syscon_model, &rtc_model, &virtio_mmio_model,
};

/* The board's devices fit the VM's list and state area, with their
 * alignment. */
_Static_assert(4 + BOARD_VIRTIO_SLOTS <= VM_MAX_DEVICES, "VM_MAX_DEVICES holds the board");
_Static_assert(sizeof(struct uart_dev) + sizeof(struct plic_dev) + sizeof(struct rtc_dev) +
	       BOARD_VIRTIO_SLOTS * sizeof(struct virtio_mmio_dev) +
	       (4 + BOARD_VIRTIO_SLOTS) * 16 <= VM_DEV_STATE,
	       "VM_DEV_STATE holds the board's devices");

#define BOARD_DEVICE_ENTRY(m, base, len, line) { m, base, len, line },
static const struct board_device board_devices[] = { BOARD_FIXED_DEVICES(BOARD_DEVICE_ENTRY) };

const struct device_model *device_model_find(const char *name)
{
	for (unsigned i = 0; i < sizeof(device_models) / sizeof(device_models[0]); i++)
		if (strcmp(device_models[i]->name, name) == 0)
			return device_models[i];
	return NULL;
}

/* State from the VM's own area: it lives and dies with the VM, and a VM
 * reset keeps it (the models reset their contents). */
static void *device_state_alloc(struct vm *vm, size_t size)
{
	size_t at = (vm->dev_state_used + 15) & ~(size_t)15;

	if (size > sizeof(vm->dev_state) || at > sizeof(vm->dev_state) - size)
		return NULL;
	vm->dev_state_used = at + size;
	memset(vm->dev_state + at, 0, size);
	return vm->dev_state + at;
}

struct device *device_create(struct vm *vm, const char *model, uint64_t gpa, uint64_t size,
			     unsigned irq)
{
	const struct device_model *m = device_model_find(model);
	struct device *d;

	if (m == NULL || vm->ndevices == VM_MAX_DEVICES) {
		log_info("vm %s: no room for a device %s", vm->name, model);
		return NULL;
	}
	d = &vm->devices[vm->ndevices];
	*d = (struct device){
		.model = m, .vm = vm, .gpa = gpa, .size = size, .deadline = UINT64_MAX,
		.irq = { irq ? vm : NULL, irq },
	};
	d->state = device_state_alloc(vm, m->state_size);
	d->mmio = (struct mmio_device){ .name = m->name, .access = m->access, .priv = d->state };
	if (d->state == NULL || !m->create(d)) {
		log_info("vm %s: device %s cannot be created", vm->name, model);
		return NULL;
	}
	if (realmap_add_mmio(&vm->realmap, gpa, size, &d->mmio)) {
		log_info("vm %s: device regions overlap (%s at 0x%lx)", vm->name, model, gpa);
		return NULL;
	}
	vm->ndevices++;
	return d;
}

bool device_create_board(struct vm *vm)
{
	for (unsigned i = 0; i < sizeof(board_devices) / sizeof(board_devices[0]); i++) {
		const struct board_device *b = &board_devices[i];
		if (device_create(vm, b->model, b->gpa, b->size, b->irq) == NULL)
			return false;
	}
	/* virt's transports, empty until core/devices.c attaches a model:
	 * only the register file and configuration space are decoded. */
	for (unsigned i = 0; i < BOARD_VIRTIO_SLOTS; i++)
		if (device_create(vm, "virtio-mmio", virtio_mmio_gpa(i), BOARD_VIRTIO_REGION,
				  BOARD_VIRTIO_IRQ + i) == NULL)
			return false;
	return true;
}

struct device *device_find(struct vm *vm, const char *model)
{
	for (unsigned i = 0; i < vm->ndevices; i++)
		if (strcmp(vm->devices[i].model->name, model) == 0)
			return &vm->devices[i];
	return NULL;
}

void device_quiesce_all(struct vm *vm)
{
	for (unsigned i = 0; i < vm->ndevices; i++) {
		struct device *d = &vm->devices[i];
		if (d->model->quiesce)
			d->model->quiesce(d);
	}
}

void device_reset_all(struct vm *vm)
{
	for (unsigned i = 0; i < vm->ndevices; i++) {
		struct device *d = &vm->devices[i];
		if (d->model->reset)
			d->model->reset(d);
	}
}

void device_destroy_all(struct vm *vm)
{
	for (unsigned i = 0; i < vm->ndevices; i++) {
		struct device *d = &vm->devices[i];
		if (d->model->destroy)
			d->model->destroy(d);
		device_set_deadline(d, UINT64_MAX);
	}
}

/* Instances are few (the board's twelve): the VM's earliest is
 * recomputed from all of them on every change. Two devices of one VM
 * changing their timers at once on two harts could leave a stale
 * earliest; the timer path below recomputes it whenever it runs, and an
 * early look-around costs nothing but the look. */
static uint64_t device_earliest(const struct vm *vm)
{
	uint64_t earliest = UINT64_MAX;

	for (unsigned i = 0; i < vm->ndevices; i++) {
		uint64_t t = __atomic_load_n(&vm->devices[i].deadline, __ATOMIC_RELAXED);
		if (t < earliest)
			earliest = t;
	}
	return earliest;
}

void device_set_deadline(struct device *d, uint64_t deadline)
{
	uint64_t earliest;

	__atomic_store_n(&d->deadline, deadline, __ATOMIC_RELAXED);
	earliest = device_earliest(d->vm);
	if (deadline < earliest)        /* d not entered in the list yet */
		earliest = deadline;
	__atomic_store_n(&d->vm->dev_deadline, earliest, __ATOMIC_RELEASE);
}

uint64_t device_deadline(const struct vm *vm)
{
	return __atomic_load_n(&vm->dev_deadline, __ATOMIC_ACQUIRE);
}

bool device_run_timers(uint64_t now)
{
	bool fired = false;

	for (unsigned v = 0; v < vm_count(); v++) {
		struct vm *vm = vm_at(v);
		if (vm->state != VM_RUNNING || device_deadline(vm) > now)
			continue;
		bool vm_fired = false;
		for (unsigned i = 0; i < vm->ndevices; i++) {
			struct device *d = &vm->devices[i];
			if (d->model->timer && __atomic_load_n(&d->deadline, __ATOMIC_RELAXED) <= now) {
				d->model->timer(d, now);
				vm_fired = true;
			}
		}
		/* A stale earliest (see device_set_deadline) is corrected here. */
		if (!vm_fired)
			__atomic_store_n(&vm->dev_deadline, device_earliest(vm), __ATOMIC_RELEASE);
		fired |= vm_fired;
	}
	return fired;
}
