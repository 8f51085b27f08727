#include "core/frame.h"
#include "core/hostmem.h"
#include "core/lib/spinlock.h"
#include "core/lib/string.h"

struct frame_pool host_frames;
static struct spinlock frames_lock;

uint64_t frame_alloc_contig(uint64_t n, uint64_t align)
{
	spin_lock(&frames_lock);
	uint64_t pa = frame_pool_alloc(&host_frames, n, align);
	spin_unlock(&frames_lock);
	return pa;
}

uint64_t frame_alloc(void)
{
	uint64_t pa = frame_alloc_contig(1, 1);

	if (pa)
		memset(hostmem_va(pa), 0, FRAME_SIZE);
	return pa;
}

void frame_free(uint64_t pa, uint64_t n)
{
	spin_lock(&frames_lock);
	frame_pool_free(&host_frames, pa, n);
	spin_unlock(&frames_lock);
}

bool frame_take_clean(uint64_t pa, uint64_t n)
{
	spin_lock(&frames_lock);
	bool clean = frame_pool_take_clean(&host_frames, pa, n);
	spin_unlock(&frames_lock);
	return clean;
}
