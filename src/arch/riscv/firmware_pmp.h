/*
 * What the M-mode firmware's PMP leaves a guest on QEMU virt: OpenSBI 1.1
 * denies S-mode its own 512 KiB and the CLINT. Bare QEMU checks an
 * access's whole range [gpa, gpa + len) (pmp_hart_has_privs: a range that
 * touches a denied region at all fails), for every access and for every
 * PTE it reads; both engines give their guests the same answers.
 */
#ifndef ARCH_RISCV_FIRMWARE_PMP_H
#define ARCH_RISCV_FIRMWARE_PMP_H

#include <stdbool.h>
#include <stdint.h>
#include "trapeze/bootinfo.h"

static inline bool firmware_pmp_overlaps(uint64_t a, uint64_t len, uint64_t base, uint64_t size)
{
	return a < base + size && a + len > base;
}

static inline bool firmware_pmp_allows(uint64_t gpa, uint64_t len)
{
	return !firmware_pmp_overlaps(gpa, len, GUEST_RAM_BASE, GUEST_FW_RESERVED) &&
	       !firmware_pmp_overlaps(gpa, len, GUEST_CLINT_GPA, GUEST_CLINT_SIZE);
}

#endif
