/*
 * Devices as data. A device model is a registered description (its name,
 * how to create, quiesce, reset and destroy an instance, its MMIO access
 * handler, whether it has a timer); a VM holds a list of device instances,
 * each a model at a board address with an interrupt line (dev/irq.h), made
 * from the board: its table of fixed devices (trapeze/board.h,
 * BOARD_FIXED_DEVICES), then virt's eight virtio-mmio transport slots
 * (model "virtio-mmio", dev/virtio_mmio.h), every one there whether a
 * device is behind it or not. A device model never reaches into another
 * device: it raises its own line and the VM's interrupt controller
 * (vm->irqchip) takes it from there.
 *
 * What is behind a virtio slot (virtio-blk, -net, -rng) comes from the
 * boot manifest and is attached to the slot's instance by core/devices.c.
 */
#ifndef DEV_DEVICE_H
#define DEV_DEVICE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "dev/irq.h"
#include "dev/mmio.h"

struct vm;
struct device;

struct device_model {
	const char *name;               /* the model, and its statistics name */
	size_t state_size;              /* bytes of state per instance */
	/* Initialize d->state (state_size zeroed bytes) for d->vm; d->irq is
	 * set. False: the instance cannot exist (the VM is not created). */
	bool (*create)(struct device *d);
	/* Back to the reset state (a VM reset; QEMU's qdev reset). Optional.
	 * Runs on the hart resetting the VM, which may hold vm->dev_lock. */
	void (*reset)(struct device *d);
	/* Wait until no request of the instance is with a host device (no
	 * DMA into the VM's RAM any more); before a VM reset or destroy hands
	 * the RAM back. Optional. */
	void (*quiesce)(struct device *d);
	/* The VM is destroyed: give back whatever the instance holds. Optional. */
	void (*destroy)(struct device *d);
	mmio_handler_t access;          /* with vm->dev_lock held (mmio_dispatch) */
	/* Optional: d->deadline has passed (time-CSR ticks): do what was due
	 * and set the next deadline (device_set_deadline). Called from the
	 * scheduler's look-around, without vm->dev_lock or any scheduler lock:
	 * a model with a timer guards its state with a lock of its own. */
	void (*timer)(struct device *d, uint64_t now);
};

struct device {
	const struct device_model *model;
	struct vm *vm;
	struct mmio_device mmio;        /* what the real map table points at */
	struct irq_line irq;            /* its line to the VM's interrupt controller */
	uint64_t gpa, size;
	uint64_t deadline;              /* its timer, time-CSR ticks; UINT64_MAX: none */
	void *state;
};

/* One entry of a board's fixed devices (trapeze/board.h). */
struct board_device {
	const char *model;
	uint64_t gpa, size;
	unsigned irq;                   /* PLIC source; 0: none */
};

/* The registered models; NULL for an unknown name. */
const struct device_model *device_model_find(const char *name);

/* An instance of model at [gpa, gpa + size) on interrupt source irq (0:
 * none), entered in the VM's list and real map table. NULL (logged) when
 * the model is unknown, the list or the VM's state area is full, the
 * region overlaps another, or the model refuses. */
struct device *device_create(struct vm *vm, const char *model, uint64_t gpa, uint64_t size,
			     unsigned irq);
/* Every fixed device of the board, in the board's order, then the eight
 * virtio-mmio slots, slot 0 first. */
bool device_create_board(struct vm *vm);
/* The VM's first instance of a model, NULL when it has none. */
struct device *device_find(struct vm *vm, const char *model);
/* Wait until no instance has a request with a host device (its DMA into
 * the VM's RAM is over): before a VM's reset or destruction hands its RAM
 * back (guestmem_reset, lazy zeroing). Call without a device's own lock. */
void device_quiesce_all(struct vm *vm);
/* Every instance back to its reset state (a VM reset); after
 * device_quiesce_all, before the VM's RAM is reset. */
void device_reset_all(struct vm *vm);
/* Every instance destroyed (the VM is). */
void device_destroy_all(struct vm *vm);

/* A device's timer (UINT64_MAX: none); the VM's earliest follows. Called
 * under the device's own lock: safe from any hart. */
void device_set_deadline(struct device *d, uint64_t deadline);
/* The earliest device timer of a VM (UINT64_MAX: none). */
uint64_t device_deadline(const struct vm *vm);
/* Fire every device timer of every VM that is due at now (the
 * scheduler's look-around, no lock held). True when one fired. */
bool device_run_timers(uint64_t now);

#endif
