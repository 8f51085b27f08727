/*
 * The one path to guest memory. Every access Trapeze makes to a VM's RAM
 * on the guest's behalf (emulated loads and stores, page-table walks, SBI
 * shared memory, device models, and later DMA and patching) goes through
 * here: guest-physical -> host translation by the real map table, the
 * permission check (RAM only, whole range), pinning for accesses that hold
 * a host pointer, and lazy zeroing: RAM reaches a VM zeroed, by 2 MiB
 * chunks, on the first touch of each (realmap.h), never all at once.
 * Guest-virtual addresses are translated first by the engine's own walk.
 */
#ifndef CORE_GUESTMEM_H
#define CORE_GUESTMEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct vm;

/* After the VM's RAM is in its real map table: no chunk is ready yet.
 * 0, or -1 when out of memory for the bookkeeping. */
int guestmem_init(struct vm *vm);
/* Once no access holds a pin: give the bookkeeping back (the VM's RAM is
 * its owner's to free). */
void guestmem_destroy(struct vm *vm);
/* A reset: once no access holds a pin, every chunk is unready again
 * (zeroed on its next touch). The VM's vCPUs run nowhere. */
void guestmem_reset(struct vm *vm);

/* Copy between guest RAM and Trapeze: false, copying nothing, unless all
 * of [gpa, gpa+len) is guest RAM. */
bool guestmem_read(struct vm *vm, uint64_t gpa, void *buf, size_t len);
bool guestmem_write(struct vm *vm, uint64_t gpa, const void *buf, size_t len);
/* All of [gpa, gpa+len) is guest RAM (len 0 is not). */
bool guestmem_is_ram(const struct vm *vm, uint64_t gpa, uint64_t len);

/* A host pointer to [gpa, gpa+len), which must lie in one page of guest
 * RAM, for an access that needs one (atomics, page-table updates); the
 * page stays the VM's until guestmem_unpin. NULL when it is not RAM. */
void *guestmem_pin(struct vm *vm, uint64_t gpa, size_t len);
void guestmem_unpin(struct vm *vm);
/* Trapeze stores to [gpa, gpa+len) through a pinned pointer (an emulated
 * store): what the engine derived from those bytes goes, as after
 * guestmem_write (engine.h mem_written; the trap engine's patches).
 * Called after the bytes, or before them with the pin already held. */
void guestmem_wrote(struct vm *vm, uint64_t gpa, uint64_t len);

/* DMA by a host device on the VM's behalf (virtio requests passed to the
 * host's own devices): the host-physical address of [gpa, gpa+len), which
 * must lie in one page of guest RAM, its chunk zeroed first like any first
 * touch; 0 when it is not RAM. The caller holds a pin (guestmem_pin) from
 * before this until the device is done, so a reset drains it. Counted as
 * a write whatever the direction (guestmem_wrote): the engine drops what
 * it derived from the page now, and derives nothing new while a pin is
 * held (the trap engine patches no frame then). */
uint64_t guestmem_dma_addr(struct vm *vm, uint64_t gpa, size_t len);

#endif
