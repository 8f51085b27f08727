/*
 * Host memory for device-model tests and fuzz targets: host pointers are
 * their own physical addresses (hostmem_virt_offset 0) and the frame
 * allocator is aligned_alloc. Failing to allocate aborts (the run is
 * broken, not the code under test). Trapeze's log goes nowhere.
 */
#include <stdint.h>
#include <stdlib.h>

#include "core/console.h"
#include "core/frame.h"
#include "core/hostmem.h"

const uint64_t hostmem_virt_offset = 0;

void log_info(const char *fmt, ...) { (void)fmt; }

uint64_t frame_alloc_contig(uint64_t n, uint64_t align)
{
	(void)align;
	void *p = aligned_alloc(4096, n * 4096);

	if (p == NULL)
		abort();
	return hostmem_pa(p);
}

void frame_free(uint64_t pa, uint64_t n)
{
	(void)n;
	free(hostmem_va(pa));
}

/* Host memory from malloc may hold anything: never "still zero". */
bool frame_take_clean(uint64_t pa, uint64_t n)
{
	(void)pa, (void)n;
	return false;
}
