/*
 * The page-frame allocator: host memory for VMs and Trapeze's own tables
 * (the memory half of the seed's allocator). A bitmap over the RAM the host
 * DTB describes, one bit per 4 KiB frame, set = in use. It never touches
 * the frames themselves (callers zero what they hand to guests), so it is
 * unit-tested on the host.
 */
#ifndef CORE_FRAME_H
#define CORE_FRAME_H

#include <stdbool.h>
#include <stdint.h>

#define FRAME_SHIFT 12
#define FRAME_SIZE  (1ULL << FRAME_SHIFT)

struct frame_pool {
	uint64_t base;          /* physical address of frame 0 */
	uint64_t nframes;
	uint64_t *bitmap;       /* nframes bits, caller-provided */
	uint64_t nfree;
	uint64_t hint;          /* where the next search starts */
	/* Optional (NULL: untracked): frames that may hold data, one bit
	 * each; the others still hold the zeroes the machine started with. */
	uint64_t *written;
};

/* Bytes of bitmap storage needed for size bytes of RAM. */
uint64_t frame_pool_bitmap_bytes(uint64_t size);
/* All frames start free. */
void frame_pool_init(struct frame_pool *p, uint64_t base, uint64_t size, uint64_t *bitmap);
/* Mark [pa, pa+size) in use (rounded out to frames, clipped to the pool). */
void frame_pool_reserve(struct frame_pool *p, uint64_t pa, uint64_t size);
/* n contiguous frames whose first frame number is a multiple of align
 * (in frames, a power of two); returns the physical address, 0 when none. */
uint64_t frame_pool_alloc(struct frame_pool *p, uint64_t n, uint64_t align);
/* Return n frames from pa; frees of frames not in use are ignored and
 * reported: returns the number of frames actually freed. */
uint64_t frame_pool_free(struct frame_pool *p, uint64_t pa, uint64_t n);

/* Track which frames still hold the machine's zeroes in bitmap (sized as
 * the pool's own): from now on every frame reserved or freed counts as
 * written. Call right after frame_pool_init, before any reservation. */
void frame_pool_track_clean(struct frame_pool *p, uint64_t *bitmap);
/* Whether the n frames at pa still hold zeroes (false when untracked);
 * either way they count as written from now on (the caller writes them). */
bool frame_pool_take_clean(struct frame_pool *p, uint64_t pa, uint64_t n);

/* The hypervisor's pool (frame_global.c), locked for use from any hart. */
extern struct frame_pool host_frames;
uint64_t frame_alloc(void);                 /* one zeroed frame, 0 when none */
uint64_t frame_alloc_contig(uint64_t n, uint64_t align);    /* not zeroed */
void frame_free(uint64_t pa, uint64_t n);
bool frame_take_clean(uint64_t pa, uint64_t n);

#endif
