/*
 * MMIO dispatch: one entry point for every trapped guest access to a
 * device region, whichever engine or translation mode caught it.
 */
#ifndef DEV_MMIO_H
#define DEV_MMIO_H

#include <stdbool.h>
#include <stdint.h>

struct vm;

/* One decoded guest access (style.md 3: devices see only this). */
struct mmio_access {
	uint64_t gpa;
	uint64_t offset;    /* in the device's region */
	unsigned width;     /* 1, 2, 4, 8 */
	bool write;
	uint64_t value;     /* store: the value; load: filled in by the device */
};

struct mmio_device;
/* Return 0 on success, -1 for an access the device rejects (the guest
 * gets the access fault hardware would give), or MMIO_HALT: handled, and
 * the vCPU does not continue past the access (a power-off or reset). */
#define MMIO_HALT 1
typedef int (*mmio_handler_t)(struct mmio_device *dev, struct vm *vm, struct mmio_access *a);

struct mmio_device {
	const char *name;
	mmio_handler_t access;
	void *priv;
};

int mmio_dispatch(struct vm *vm, struct mmio_device *dev, unsigned slot, struct mmio_access *a);

#endif
