#include "core/guestmem.h"

#include "core/engine.h"
#include "core/frame.h"
#include "core/hostmem.h"
#include "core/lib/string.h"
#include "core/vm.h"

#define PAGE_MASK (REALMAP_PAGE_SIZE - 1)

/*
 * The first touch of a chunk, from whoever reaches it first (a vCPU's
 * fault, a page-table walk, SBI, a device): zero its pages, then mark it
 * ready. Harts racing for one chunk serialise on the VM's lock; the bit
 * is published with release order after the zeroes, and read with acquire
 * (realmap_chunk_ready), so nobody sees the frame before it is clean.
 */
static void guestmem_first_touch(void *ctx, struct realmap_ram *r, uint64_t chunk)
{
	struct vm *vm = ctx;
	uint64_t first, last;

	spin_lock(&vm->mem_lock);
	if (!realmap_chunk_ready(r, chunk)) {
		realmap_chunk_pages(r, chunk, &first, &last);
		/* Pages no one has written since the machine started are
		 * still zero (frame.h, frame_take_clean). */
		bool zeroed = false;
		for (uint64_t i = first; i < last; i++)
			if (!frame_take_clean(r->hpa[i], 1)) {
				memset(hostmem_va(r->hpa[i]), 0, REALMAP_PAGE_SIZE);
				zeroed = true;
			}
		__atomic_fetch_or(&r->ready[chunk / 64], 1ULL << (chunk % 64), __ATOMIC_RELEASE);
		vm->stats.chunks_zeroed += zeroed;
	}
	spin_unlock(&vm->mem_lock);
}

int guestmem_init(struct vm *vm)
{
	struct realmap *rm = &vm->realmap;

	for (unsigned i = 0; i < rm->nram; i++) {
		uint64_t words = (realmap_chunk_count(&rm->ram[i]) + 63) / 64;
		uint64_t frames = (words * 8 + FRAME_SIZE - 1) / FRAME_SIZE;
		uint64_t pa = frame_alloc_contig(frames, 1);
		if (pa == 0) {
			guestmem_destroy(vm);
			return -1;
		}
		memset(hostmem_va(pa), 0, frames * FRAME_SIZE);
		rm->ram[i].ready = hostmem_va(pa);
	}
	rm->first_touch = guestmem_first_touch;
	rm->touch_ctx = vm;
	return 0;
}

void guestmem_destroy(struct vm *vm)
{
	struct realmap *rm = &vm->realmap;

	while (__atomic_load_n(&vm->mem_pins, __ATOMIC_ACQUIRE))
		;
	rm->first_touch = NULL;
	for (unsigned i = 0; i < rm->nram; i++) {
		if (rm->ram[i].ready == NULL)
			continue;
		uint64_t words = (realmap_chunk_count(&rm->ram[i]) + 63) / 64;
		frame_free(hostmem_pa(rm->ram[i].ready), (words * 8 + FRAME_SIZE - 1) / FRAME_SIZE);
		rm->ram[i].ready = NULL;
	}
}

void guestmem_reset(struct vm *vm)
{
	struct realmap *rm = &vm->realmap;

	/* Drain: an access on another hart may still hold a pointer. */
	while (__atomic_load_n(&vm->mem_pins, __ATOMIC_ACQUIRE))
		;
	spin_lock(&vm->mem_lock);
	for (unsigned i = 0; i < rm->nram; i++)
		memset(rm->ram[i].ready, 0, (realmap_chunk_count(&rm->ram[i]) + 63) / 64 * 8);
	spin_unlock(&vm->mem_lock);
}

/* Page by page through the real map table; nothing is copied unless
 * every byte is guest RAM. */
static bool guestmem_copy(struct vm *vm, uint64_t gpa, void *buf, size_t len, bool to_guest)
{
	/* Within one page (an instruction fetch for emulation, a PTE): one
	 * lookup answers both "is it RAM" and "where". */
	if (len && len <= REALMAP_PAGE_SIZE - (gpa & PAGE_MASK)) {
		uint64_t hpa = realmap_ram_hpa(&vm->realmap, gpa, len);
		if (hpa == 0)
			return false;
		if (to_guest)
			memcpy(hostmem_va(hpa), buf, len);
		else
			memcpy(buf, hostmem_va(hpa), len);
		return true;
	}
	if (!guestmem_is_ram(vm, gpa, len))
		return len == 0;
	uint8_t *b = buf;
	while (len) {
		uint64_t chunk = REALMAP_PAGE_SIZE - (gpa & PAGE_MASK);
		if (chunk > len)
			chunk = len;
		void *host = hostmem_va(realmap_ram_hpa(&vm->realmap, gpa, chunk));
		if (to_guest)
			memcpy(host, b, chunk);
		else
			memcpy(b, host, chunk);
		gpa += chunk;
		b += chunk;
		len -= chunk;
	}
	return true;
}

bool guestmem_read(struct vm *vm, uint64_t gpa, void *buf, size_t len)
{
	return guestmem_copy(vm, gpa, buf, len, false);
}

/* After the bytes changed (the engine's check is ordered after them, so
 * nothing it derives later can hold the old ones). */
void guestmem_wrote(struct vm *vm, uint64_t gpa, uint64_t len)
{
	if (len && vm->engine_vm && vm->engine && vm->engine->mem_written)
		vm->engine->mem_written(vm, gpa, len);
}

bool guestmem_write(struct vm *vm, uint64_t gpa, const void *buf, size_t len)
{
	if (!guestmem_copy(vm, gpa, (void *)buf, len, true))
		return false;
	guestmem_wrote(vm, gpa, len);
	return true;
}

bool guestmem_is_ram(const struct vm *vm, uint64_t gpa, uint64_t len)
{
	return realmap_ram_range(&vm->realmap, gpa, len);
}

void *guestmem_pin(struct vm *vm, uint64_t gpa, size_t len)
{
	__atomic_fetch_add(&vm->mem_pins, 1, __ATOMIC_ACQUIRE);
	uint64_t hpa = realmap_ram_hpa(&vm->realmap, gpa, len);
	if (hpa == 0) {
		__atomic_fetch_sub(&vm->mem_pins, 1, __ATOMIC_RELEASE);
		return NULL;
	}
	return hostmem_va(hpa);
}

void guestmem_unpin(struct vm *vm)
{
	__atomic_fetch_sub(&vm->mem_pins, 1, __ATOMIC_RELEASE);
}

uint64_t guestmem_dma_addr(struct vm *vm, uint64_t gpa, size_t len)
{
	uint64_t hpa = realmap_ram_hpa(&vm->realmap, gpa, len);

	if (hpa)
		guestmem_wrote(vm, gpa, len);
	return hpa;
}
