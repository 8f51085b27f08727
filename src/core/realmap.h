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
#define REALMAP_MAX_MMIO    8
#define REALMAP_PAGE_SHIFT  12
#define REALMAP_PAGE_SIZE   (1ULL << REALMAP_PAGE_SHIFT)

struct mmio_device;

struct realmap_ram {
	uint64_t gpa;           /* page aligned */
	uint64_t npages;
	uint64_t *hpa;          /* hpa[i]: host-physical page backing gpa + i pages */
};

struct realmap_mmio {
	uint64_t gpa;
	uint64_t size;
	struct mmio_device *dev;
};

struct realmap {
	struct realmap_ram ram[REALMAP_MAX_RAM];
	unsigned nram;
	struct realmap_mmio mmio[REALMAP_MAX_MMIO];
	unsigned nmmio;
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

#endif
