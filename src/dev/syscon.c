/*
 * The sifive,test finisher (see syscon.h), as QEMU 7.2's
 * hw/misc/sifive_test.c behaves: a write to offset 0 is decoded as
 * status (bits 15:0) and code (bits 31:16); PASS powers the VM off, FAIL
 * powers it off as a failure, RESET reboots it; every other write is
 * ignored and every read returns 0.
 */
#include "dev/syscon.h"

#include "core/lifecycle.h"
#include "core/vm.h"

/* QEMU's sifive_test_ops: .valid min 2, max 4 bytes, no .unaligned. A
 * byte or doubleword access, or a misaligned one, is a decode error, which
 * a RISC-V hart takes as an access fault. */
static bool syscon_access_valid(const struct mmio_access *a)
{
	return (a->width == 2 || a->width == 4) && (a->offset & (a->width - 1)) == 0;
}

static int syscon_access(struct mmio_device *dev, struct vm *vm, struct mmio_access *a)
{
	uint32_t val;

	(void)dev;
	if (!syscon_access_valid(a))
		return -1;
	if (!a->write) {
		a->value = 0;
		return 0;
	}
	if (a->offset != 0)
		return 0;
	/* Only the bytes stored count: a 16-bit store (OpenSBI's writew)
	 * carries no code. */
	val = (uint32_t)(a->value & (a->width == 2 ? 0xffffu : 0xffffffffu));
	switch (val & 0xffff) {
	case SYSCON_FINISHER_PASS:
		vm_power_off(vm, VM_EXIT_CLEAN);
		return MMIO_HALT;
	case SYSCON_FINISHER_FAIL:
		vm_power_off(vm, VM_EXIT_FAILURE);
		return MMIO_HALT;
	case SYSCON_FINISHER_RESET:
		lifecycle_reset(vm);
		return MMIO_HALT;
	}
	return 0;
}

static bool syscon_create(struct device *d)
{
	(void)d;
	return true;
}

const struct device_model syscon_model = {
	.name = "syscon",
	.create = syscon_create,
	.access = syscon_access,
};
