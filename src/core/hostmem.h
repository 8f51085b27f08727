/*
 * Host-physical memory as Trapeze addresses it: every host frame is mapped
 * at one fixed offset (the architecture's direct map). Host unit tests set
 * the offset to 0 and use ordinary host memory as "physical" frames.
 */
#ifndef CORE_HOSTMEM_H
#define CORE_HOSTMEM_H

#include <stdint.h>

extern const uint64_t hostmem_virt_offset;

static inline void *hostmem_va(uint64_t pa)
{
	return (void *)(uintptr_t)(pa + hostmem_virt_offset);
}

static inline uint64_t hostmem_pa(const void *va)
{
	return (uint64_t)(uintptr_t)va - hostmem_virt_offset;
}

#endif
