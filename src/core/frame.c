#include "core/frame.h"

#include <stdbool.h>
#include <stddef.h>

static bool frame_used(const struct frame_pool *p, uint64_t i)
{
	return (p->bitmap[i / 64] >> (i % 64)) & 1;
}

static void frame_mark(struct frame_pool *p, uint64_t i, bool used)
{
	if (used)
		p->bitmap[i / 64] |= 1ULL << (i % 64);
	else
		p->bitmap[i / 64] &= ~(1ULL << (i % 64));
}

uint64_t frame_pool_bitmap_bytes(uint64_t size)
{
	uint64_t frames = size >> FRAME_SHIFT;

	return (frames + 63) / 64 * 8;
}

void frame_pool_init(struct frame_pool *p, uint64_t base, uint64_t size, uint64_t *bitmap)
{
	p->base = base;
	p->nframes = size >> FRAME_SHIFT;
	p->bitmap = bitmap;
	p->nfree = p->nframes;
	p->hint = 0;
	p->written = NULL;
	for (uint64_t w = 0; w < (p->nframes + 63) / 64; w++)
		bitmap[w] = 0;
}

void frame_pool_track_clean(struct frame_pool *p, uint64_t *bitmap)
{
	for (uint64_t w = 0; w < (p->nframes + 63) / 64; w++)
		bitmap[w] = 0;
	p->written = bitmap;
}

static void frame_mark_written(struct frame_pool *p, uint64_t i)
{
	if (p->written)
		p->written[i / 64] |= 1ULL << (i % 64);
}

bool frame_pool_take_clean(struct frame_pool *p, uint64_t pa, uint64_t n)
{
	bool clean = p->written != NULL;

	if (pa < p->base || (pa & (FRAME_SIZE - 1)) || ((pa - p->base) >> FRAME_SHIFT) + n > p->nframes)
		return false;
	uint64_t first = (pa - p->base) >> FRAME_SHIFT;
	for (uint64_t i = first; i < first + n; i++) {
		if (clean && ((p->written[i / 64] >> (i % 64)) & 1))
			clean = false;
		frame_mark_written(p, i);
	}
	return clean;
}

void frame_pool_reserve(struct frame_pool *p, uint64_t pa, uint64_t size)
{
	if (size == 0)
		return;
	uint64_t end = pa + size < pa ? UINT64_MAX : pa + size;
	uint64_t pool_end = p->base + (p->nframes << FRAME_SHIFT);

	if (end <= p->base || pa >= pool_end)
		return;
	if (pa < p->base)
		pa = p->base;
	if (end > pool_end)
		end = pool_end;
	for (uint64_t i = (pa - p->base) >> FRAME_SHIFT;
	     i < ((end - p->base) + FRAME_SIZE - 1) >> FRAME_SHIFT; i++) {
		frame_mark_written(p, i);
		if (!frame_used(p, i)) {
			frame_mark(p, i, true);
			p->nfree--;
		}
	}
}

uint64_t frame_pool_alloc(struct frame_pool *p, uint64_t n, uint64_t align)
{
	if (n == 0 || n > p->nfree || align == 0 || (align & (align - 1)))
		return 0;
	/* Frame numbers are aligned in physical terms, not pool-relative. */
	uint64_t base_frame = p->base >> FRAME_SHIFT;

	for (uint64_t pass = 0; pass < 2; pass++) {
		uint64_t start = pass == 0 ? p->hint : 0;
		uint64_t stop = pass == 0 ? p->nframes : p->hint;
		uint64_t i = start;
		while (i < stop) {
			uint64_t mis = (base_frame + i) & (align - 1);
			if (mis) {
				i += align - mis;
				continue;
			}
			if (i + n > p->nframes)
				break;
			uint64_t run = 0;
			while (run < n && !frame_used(p, i + run))
				run++;
			if (run == n) {
				for (uint64_t k = 0; k < n; k++)
					frame_mark(p, i + k, true);
				p->nfree -= n;
				p->hint = i + n < p->nframes ? i + n : 0;
				return p->base + (i << FRAME_SHIFT);
			}
			i += run + 1;
		}
	}
	return 0;
}

uint64_t frame_pool_free(struct frame_pool *p, uint64_t pa, uint64_t n)
{
	uint64_t freed = 0;

	if (pa < p->base || (pa & (FRAME_SIZE - 1)))
		return 0;
	for (uint64_t i = (pa - p->base) >> FRAME_SHIFT; n && i < p->nframes; i++, n--) {
		if (frame_used(p, i)) {
			frame_mark(p, i, false);
			frame_mark_written(p, i);
			p->nfree++;
			freed++;
		}
	}
	return freed;
}
