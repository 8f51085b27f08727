/*
 * The real map table of a VM: guest-physical ("real") page -> host-physical
 * page for its RAM, and guest-physical region -> device model for MMIO
 * (seed: memory virtualization, virtual -> real -> physical). Every table
 * the hardware walks while a guest runs is derived from it, and nothing a
 * guest does can reach a host page that is not in it.
 *
 * Pure data structure: no hardware, unit-tested on the host.
 */
#ifndef CORE_REALMAP_H
#define CORE_REALMAP_H

#include <stdbool.h>
#include <stdint.h>

#define REALMAP_MAX_RAM     4
#define REALMAP_MAX_MMIO    16
#define REALMAP_PAGE_SHIFT  12
#define REALMAP_PAGE_SIZE   (1ULL << REALMAP_PAGE_SHIFT)

struct mmio_device;

/* RAM reaches a VM zeroed, but lazily: by chunks of this size (guest
 * physical, aligned), each zeroed on its first touch by anyone. */
#define REALMAP_CHUNK_SHIFT 21
#define REALMAP_CHUNK_SIZE  (1ULL << REALMAP_CHUNK_SHIFT)

struct realmap_ram {
	uint64_t gpa;           /* page aligned */
	uint64_t npages;
	uint64_t *hpa;          /* hpa[i]: host-physical page backing gpa + i pages */
	/* Bit c set: chunk c (counted from the chunk holding gpa) may be
	 * handed out, its first touch is over. NULL: all of it may. */
	uint64_t *ready;
};

struct realmap_mmio {
	uint64_t gpa;
	uint64_t size;
	struct mmio_device *dev;
};

struct realmap;
/* Called by a lookup that finds RAM in a chunk not yet ready; makes it
 * ready (zeroes it) before the lookup hands out its address. */
typedef void (*realmap_touch_t)(void *ctx, struct realmap_ram *r, uint64_t chunk);

struct realmap {
	struct realmap_ram ram[REALMAP_MAX_RAM];
	unsigned nram;
	struct realmap_mmio mmio[REALMAP_MAX_MMIO];
	unsigned nmmio;
	realmap_touch_t first_touch;
	void *touch_ctx;
};

enum realmap_kind {
	REALMAP_NONE = 0,   /* nothing there: an access faults as on bare hardware */
	REALMAP_RAM,
	REALMAP_MMIO,
};

struct realmap_entry {
	enum realmap_kind kind;
	uint64_t hpa;                   /* RAM: host-physical address of gpa itself */
	struct mmio_device *dev;        /* MMIO: the device model */
	unsigned mmio_slot;             /* MMIO: index, for statistics */
	uint64_t offset;                /* MMIO: offset of gpa in the device's region */
};

void realmap_init(struct realmap *rm);
/* Regions may not overlap each other; return 0 or -1 (overlap, full, misaligned). */
int realmap_add_ram(struct realmap *rm, uint64_t gpa, uint64_t npages, uint64_t *hpa_pages);
int realmap_add_mmio(struct realmap *rm, uint64_t gpa, uint64_t size, struct mmio_device *dev);
enum realmap_kind realmap_lookup(const struct realmap *rm, uint64_t gpa, struct realmap_entry *out);
/* Host-physical address for [gpa, gpa+len) when it lies in one RAM page; 0 otherwise. */
uint64_t realmap_ram_hpa(const struct realmap *rm, uint64_t gpa, uint64_t len);
/* All of [gpa, gpa+len) is RAM (possibly over adjacent regions); len 0 is not. */
bool realmap_ram_range(const struct realmap *rm, uint64_t gpa, uint64_t len);

/* Lazy zeroing: chunk c of region r, its pages [*first, *last). */
uint64_t realmap_chunk_count(const struct realmap_ram *r);
void realmap_chunk_pages(const struct realmap_ram *r, uint64_t c, uint64_t *first, uint64_t *last);
bool realmap_chunk_ready(const struct realmap_ram *r, uint64_t c);

#endif
