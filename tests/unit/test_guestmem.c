/* The guest-memory module over host memory: lazy zeroing by 2 MiB chunk on
 * the first touch from any path, reset, copies that are all-or-nothing,
 * pins, and the chunk arithmetic of the real map table behind them.
 *
 * hostmem_virt_offset is 0, so host pointers serve as "physical" frames.
 * Guest pages are backed in reverse order (hpa[i] descends) so nothing can
 * pass by assuming that adjacent guest pages are adjacent on the host. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <time.h>
#include <cmocka.h>

#include "core/frame.h"
#include "core/guestmem.h"
#include "core/hostmem.h"
#include "core/realmap.h"
#include "core/vm.h"
#include "dev/mmio.h"

const uint64_t hostmem_virt_offset = 0;

#define PAGE        REALMAP_PAGE_SIZE
#define GARBAGE     0xaa

/* RAM as guests get it: the firmware's first 512 KiB of the first chunk
 * missing, and a partial last chunk. Chunk 0 is pages [0, 384), chunk 1
 * [384, 896), chunk 2 [896, 996). */
#define RAM_GPA     0x80080000ULL
#define RAM_PAGES   996ULL
#define RAM_END     (RAM_GPA + RAM_PAGES * PAGE)
#define C0_FIRST    0
#define C1_FIRST    384
#define C2_FIRST    896
#define C1_GPA      0x80200000ULL
#define C2_GPA      0x80400000ULL
/* A second region right after the first. */
#define RAM2_GPA    RAM_END
#define RAM2_PAGES  16ULL
#define MMIO_GPA    0x10000000ULL

/* --- fake frame allocator: aligned host memory, pa == va --------------- */

#define FRAMES_MAX 16
static void *frames[FRAMES_MAX];
static unsigned nframes;
static bool frames_fail;

uint64_t frame_alloc_contig(uint64_t n, uint64_t align)
{
	void *p;

	assert_int_equal(align, 1);
	if (frames_fail || nframes == FRAMES_MAX)
		return 0;
	p = aligned_alloc(FRAME_SIZE, n * FRAME_SIZE);
	assert_non_null(p);
	memset(p, GARBAGE, n * FRAME_SIZE);    /* not zeroed, as frame.h says */
	frames[nframes++] = p;
	return hostmem_pa(p);
}

static unsigned frees;

/* Frees what frame_alloc_contig handed out (teardown frees nothing twice). */
void frame_free(uint64_t pa, uint64_t n)
{
	(void)n;
	for (unsigned i = 0; i < nframes; i++) {
		if (frames[i] == hostmem_va(pa)) {
			free(frames[i]);
			frames[i] = frames[--nframes];
			frees++;
			return;
		}
	}
	fail_msg("frame_free of a frame never allocated: 0x%llx", (unsigned long long)pa);
}

/* --- the VM and its RAM ------------------------------------------------ */

static struct vm vm;
static uint8_t *backing[2];
static uint64_t *hpa[2];
static const uint8_t zero_page[PAGE];
static uint8_t garbage_page[PAGE];

static void region_add(unsigned i, uint64_t gpa, uint64_t npages)
{
	backing[i] = aligned_alloc(PAGE, npages * PAGE);
	hpa[i] = calloc(npages, sizeof(uint64_t));
	assert_non_null(backing[i]);
	assert_non_null(hpa[i]);
	memset(backing[i], GARBAGE, npages * PAGE);
	for (uint64_t p = 0; p < npages; p++)
		hpa[i][p] = hostmem_pa(backing[i] + (npages - 1 - p) * PAGE);
	assert_int_equal(realmap_add_ram(&vm.realmap, gpa, npages, hpa[i]), 0);
}

static void vm_setup(void)
{
	memset(&vm, 0, sizeof(vm));
	memset(garbage_page, GARBAGE, sizeof(garbage_page));
	realmap_init(&vm.realmap);
	frames_fail = false;
}

static int setup_one(void **state)
{
	(void)state;
	vm_setup();
	region_add(0, RAM_GPA, RAM_PAGES);
	assert_int_equal(guestmem_init(&vm), 0);
	return 0;
}

static int setup_two(void **state)
{
	(void)state;
	vm_setup();
	region_add(0, RAM_GPA, RAM_PAGES);
	region_add(1, RAM2_GPA, RAM2_PAGES);
	assert_int_equal(guestmem_init(&vm), 0);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	for (unsigned i = 0; i < 2; i++) {
		free(backing[i]);
		free(hpa[i]);
		backing[i] = NULL;
		hpa[i] = NULL;
	}
	for (unsigned i = 0; i < nframes; i++)
		free(frames[i]);
	nframes = 0;
	return 0;
}

static uint8_t *page_va(unsigned region, uint64_t page)
{
	return hostmem_va(hpa[region][page]);
}

/* Every byte of pages [first, last) of the region is val. */
static bool pages_hold(unsigned region, uint64_t first, uint64_t last, uint8_t val)
{
	const uint8_t *want = val ? garbage_page : zero_page;

	assert_true(val == 0 || val == GARBAGE);
	for (uint64_t p = first; p < last; p++)
		if (memcmp(page_va(region, p), want, PAGE) != 0)
			return false;
	return true;
}

static bool ready(unsigned region, uint64_t chunk)
{
	return realmap_chunk_ready(&vm.realmap.ram[region], chunk);
}

/* --- first touch ------------------------------------------------------- */

static void test_guestmem_init_zeroes_nothing(void **state)
{
	(void)state;
	assert_int_equal(realmap_chunk_count(&vm.realmap.ram[0]), 3);
	assert_non_null(vm.realmap.ram[0].ready);
	for (uint64_t c = 0; c < 3; c++)
		assert_false(ready(0, c));
	assert_true(pages_hold(0, 0, RAM_PAGES, GARBAGE));
	assert_int_equal(vm.stats.chunks_zeroed, 0);
	/* The bookkeeping came from the frame allocator (one frame, cleared). */
	assert_int_equal(nframes, 1);
	assert_int_equal(vm.mem_pins, 0);
}

static void test_guestmem_read_first_touch_zeroes_its_chunk(void **state)
{
	uint8_t buf[8];

	(void)state;
	memset(buf, 0x55, sizeof(buf));
	assert_true(guestmem_read(&vm, C1_GPA + 10 * PAGE + 0x123, buf, sizeof(buf)));
	assert_memory_equal(buf, zero_page, sizeof(buf));
	assert_true(pages_hold(0, C1_FIRST, C2_FIRST, 0));
	assert_true(pages_hold(0, C0_FIRST, C1_FIRST, GARBAGE));
	assert_true(pages_hold(0, C2_FIRST, RAM_PAGES, GARBAGE));
	assert_int_equal(vm.stats.chunks_zeroed, 1);
	assert_false(ready(0, 0));
	assert_true(ready(0, 1));
	assert_false(ready(0, 2));
}

static void test_guestmem_write_first_touch_zeroes_its_chunk(void **state)
{
	static const char msg[] = "hello";

	(void)state;
	assert_true(guestmem_write(&vm, C2_GPA + 3, msg, sizeof(msg)));
	assert_memory_equal(page_va(0, C2_FIRST) + 3, msg, sizeof(msg));
	assert_memory_equal(page_va(0, C2_FIRST), zero_page, 3);
	assert_memory_equal(page_va(0, C2_FIRST) + 3 + sizeof(msg), zero_page,
			    PAGE - 3 - sizeof(msg));
	assert_true(pages_hold(0, C2_FIRST + 1, RAM_PAGES, 0));
	assert_true(pages_hold(0, C0_FIRST, C2_FIRST, GARBAGE));
	assert_int_equal(vm.stats.chunks_zeroed, 1);
}

static void test_guestmem_pin_first_touch_zeroes_its_chunk(void **state)
{
	uint8_t *p;

	(void)state;
	p = guestmem_pin(&vm, RAM_GPA + 0x10, 8);
	assert_ptr_equal(p, page_va(0, 0) + 0x10);
	assert_memory_equal(p, zero_page, 8);
	assert_true(pages_hold(0, C0_FIRST, C1_FIRST, 0));
	assert_true(pages_hold(0, C1_FIRST, RAM_PAGES, GARBAGE));
	assert_int_equal(vm.stats.chunks_zeroed, 1);
	guestmem_unpin(&vm);
}

static void test_guestmem_lookup_first_touch_zeroes_its_chunk(void **state)
{
	struct realmap_entry e;
	uint64_t gpa = C1_GPA + 0x100000 + 0x7f8;   /* page 256 of chunk 1 */

	(void)state;
	assert_int_equal(realmap_lookup(&vm.realmap, gpa, &e), REALMAP_RAM);
	assert_int_equal(e.hpa, hpa[0][C1_FIRST + 256] + 0x7f8);
	assert_true(pages_hold(0, C1_FIRST, C2_FIRST, 0));
	assert_true(pages_hold(0, C0_FIRST, C1_FIRST, GARBAGE));
	assert_true(pages_hold(0, C2_FIRST, RAM_PAGES, GARBAGE));
	assert_int_equal(vm.stats.chunks_zeroed, 1);
}

static void test_guestmem_checks_and_mmio_touch_nothing(void **state)
{
	static struct mmio_device dev = { "dev", NULL, NULL };
	struct realmap_entry e;

	(void)state;
	assert_int_equal(realmap_add_mmio(&vm.realmap, MMIO_GPA, 0x1000, &dev), 0);
	assert_int_equal(realmap_lookup(&vm.realmap, MMIO_GPA + 8, &e), REALMAP_MMIO);
	assert_int_equal(realmap_lookup(&vm.realmap, RAM_GPA - 1, &e), REALMAP_NONE);
	/* Asking whether it is RAM is not a touch. */
	assert_true(guestmem_is_ram(&vm, RAM_GPA, RAM_PAGES * PAGE));
	assert_int_equal(vm.stats.chunks_zeroed, 0);
	assert_true(pages_hold(0, 0, RAM_PAGES, GARBAGE));
}

static void test_guestmem_first_touch_only_once(void **state)
{
	static const uint64_t data = 0x1122334455667788ULL;
	struct realmap_entry e;
	uint64_t back = 0;
	uint8_t *p;

	(void)state;
	assert_true(guestmem_write(&vm, C1_GPA + 0x40, &data, sizeof(data)));
	/* What the guest itself writes later, straight to its frames. */
	memset(page_va(0, C2_FIRST - 1), GARBAGE, PAGE);
	assert_true(guestmem_read(&vm, C1_GPA + 0x1000, &back, sizeof(back)));
	assert_int_equal(realmap_lookup(&vm.realmap, C1_GPA + 0x1ff000, &e), REALMAP_RAM);
	p = guestmem_pin(&vm, C1_GPA + 0x40, sizeof(data));
	assert_non_null(p);
	guestmem_unpin(&vm);
	assert_true(guestmem_read(&vm, C1_GPA + 0x40, &back, sizeof(back)));
	assert_int_equal(back, data);
	assert_true(pages_hold(0, C2_FIRST - 1, C2_FIRST, GARBAGE));
	assert_int_equal(vm.stats.chunks_zeroed, 1);
}

static void test_guestmem_partial_first_chunk(void **state)
{
	uint8_t b = 0xff;

	(void)state;
	/* The firmware's 512 KiB are not the guest's. */
	assert_false(guestmem_read(&vm, 0x80000000, &b, 1));
	assert_false(guestmem_read(&vm, RAM_GPA - 1, &b, 1));
	assert_int_equal(b, 0xff);
	assert_true(guestmem_read(&vm, RAM_GPA, &b, 1));
	assert_int_equal(b, 0);
	assert_true(pages_hold(0, C0_FIRST, C1_FIRST, 0));
	assert_true(pages_hold(0, C1_FIRST, RAM_PAGES, GARBAGE));
	assert_true(ready(0, 0));
	/* Its last byte belongs to the same chunk: no second zeroing. */
	assert_true(guestmem_read(&vm, C1_GPA - 1, &b, 1));
	assert_int_equal(vm.stats.chunks_zeroed, 1);
	assert_false(ready(0, 1));
}

static void test_guestmem_partial_last_chunk(void **state)
{
	uint8_t b = 0xff;

	(void)state;
	assert_true(guestmem_read(&vm, RAM_END - 1, &b, 1));
	assert_int_equal(b, 0);
	assert_true(pages_hold(0, C2_FIRST, RAM_PAGES, 0));
	assert_true(pages_hold(0, C0_FIRST, C2_FIRST, GARBAGE));
	assert_true(ready(0, 2));
	assert_int_equal(vm.stats.chunks_zeroed, 1);
}

static void test_guestmem_reset_rezeroes_on_next_touch(void **state)
{
	static const uint32_t data = 0xfeedf00d;
	uint32_t back = 1;

	(void)state;
	assert_true(guestmem_write(&vm, RAM_GPA, &data, sizeof(data)));
	assert_true(guestmem_write(&vm, C1_GPA, &data, sizeof(data)));
	assert_true(guestmem_write(&vm, C2_GPA, &data, sizeof(data)));
	assert_int_equal(vm.stats.chunks_zeroed, 3);

	guestmem_reset(&vm);
	for (uint64_t c = 0; c < 3; c++)
		assert_false(ready(0, c));
	/* Lazy: the frames are not touched until the chunk is. */
	assert_memory_equal(page_va(0, C1_FIRST), &data, sizeof(data));

	assert_true(guestmem_read(&vm, C1_GPA, &back, sizeof(back)));
	assert_int_equal(back, 0);
	assert_true(pages_hold(0, C1_FIRST, C2_FIRST, 0));
	assert_memory_equal(page_va(0, C0_FIRST), &data, sizeof(data));
	assert_int_equal(vm.stats.chunks_zeroed, 4);

	assert_non_null(guestmem_pin(&vm, RAM_GPA, sizeof(back)));
	guestmem_unpin(&vm);
	assert_true(guestmem_read(&vm, C2_GPA, &back, sizeof(back)));
	assert_int_equal(back, 0);
	assert_true(pages_hold(0, 0, RAM_PAGES, 0));
	assert_int_equal(vm.stats.chunks_zeroed, 6);
}

static int reset_done;

static void *reset_thread(void *arg)
{
	(void)arg;
	guestmem_reset(&vm);
	__atomic_store_n(&reset_done, 1, __ATOMIC_RELEASE);
	return NULL;
}

static void test_guestmem_reset_waits_for_pins(void **state)
{
	struct timespec wait = { 0, 50 * 1000 * 1000 };
	pthread_t th;
	uint8_t *p;

	(void)state;
	reset_done = 0;
	p = guestmem_pin(&vm, C1_GPA, 8);
	assert_non_null(p);
	assert_int_equal(pthread_create(&th, NULL, reset_thread, NULL), 0);
	nanosleep(&wait, NULL);
	/* The pointer is still in use: its chunk must stay as it is. */
	assert_int_equal(__atomic_load_n(&reset_done, __ATOMIC_ACQUIRE), 0);
	assert_true(ready(0, 1));
	guestmem_unpin(&vm);
	assert_int_equal(pthread_join(th, NULL), 0);
	assert_int_equal(reset_done, 1);
	assert_false(ready(0, 1));
	assert_int_equal(vm.mem_pins, 0);
}

/* More than 64 chunks: the ready bitmap's second word. All pages share one
 * host frame; only the bookkeeping is under test. */
static void test_guestmem_many_chunks_bitmap_words(void **state)
{
	const uint64_t npages = 65 * (REALMAP_CHUNK_SIZE / PAGE) + 1;
	uint64_t *big = malloc(npages * sizeof(uint64_t));
	uint8_t *frame = aligned_alloc(PAGE, PAGE);
	uint8_t b = 0xff;

	(void)state;
	assert_non_null(big);
	assert_non_null(frame);
	vm_setup();
	for (uint64_t p = 0; p < npages; p++)
		big[p] = hostmem_pa(frame);
	memset(frame, GARBAGE, PAGE);
	assert_int_equal(realmap_add_ram(&vm.realmap, 0x100000000ULL, npages, big), 0);
	assert_int_equal(guestmem_init(&vm), 0);
	assert_int_equal(realmap_chunk_count(&vm.realmap.ram[0]), 66);

	assert_true(guestmem_read(&vm, 0x100000000ULL + 64 * REALMAP_CHUNK_SIZE + 5, &b, 1));
	assert_int_equal(b, 0);
	assert_true(realmap_chunk_ready(&vm.realmap.ram[0], 64));
	assert_false(realmap_chunk_ready(&vm.realmap.ram[0], 0));
	assert_false(realmap_chunk_ready(&vm.realmap.ram[0], 63));
	assert_false(realmap_chunk_ready(&vm.realmap.ram[0], 65));
	assert_int_equal(vm.realmap.ram[0].ready[0], 0);
	assert_int_equal(vm.realmap.ram[0].ready[1], 1);

	/* The last chunk holds one page. */
	memset(frame, GARBAGE, PAGE);
	assert_true(guestmem_read(&vm, 0x100000000ULL + npages * PAGE - 1, &b, 1));
	assert_int_equal(b, 0);
	assert_int_equal(vm.realmap.ram[0].ready[1], 3);
	assert_int_equal(vm.stats.chunks_zeroed, 2);

	guestmem_reset(&vm);
	assert_false(realmap_chunk_ready(&vm.realmap.ram[0], 64));
	assert_false(realmap_chunk_ready(&vm.realmap.ram[0], 65));
	free(big);
	free(frame);
}

static void test_guestmem_init_out_of_memory(void **state)
{
	(void)state;
	vm_setup();
	region_add(0, RAM_GPA, RAM_PAGES);
	region_add(1, RAM_END, RAM2_PAGES);
	/* The second region's bitmap fails: the first's is given back. */
	frames_fail = false;
	frees = 0;
	assert_int_equal(guestmem_init(&vm), 0);
	guestmem_destroy(&vm);
	assert_int_equal(frees, 2);
	assert_int_equal(nframes, 0);
	frames_fail = true;
	assert_int_equal(guestmem_init(&vm), -1);
	assert_int_equal(nframes, 0);
}

/* A region in the last 2 MiB of the address space: its chunk's end must
 * not wrap to 0 (it would zero nothing and still be marked ready). */
static void test_guestmem_chunk_at_top_of_address_space(void **state)
{
	struct realmap_ram r = { .gpa = 0xFFFFFFFFFFE00000ULL, .npages = 511 };
	uint64_t f, l;

	(void)state;
	assert_int_equal(realmap_chunk_count(&r), 1);
	realmap_chunk_pages(&r, 0, &f, &l);
	assert_int_equal(f, 0);
	assert_int_equal(l, 511);
	r.gpa = 0xFFFFFFFFFFF00000ULL;
	r.npages = 256;
	realmap_chunk_pages(&r, 0, &f, &l);
	assert_int_equal(f, 0);
	assert_int_equal(l, 256);
}

/* --- copies ------------------------------------------------------------- */

static void test_guestmem_copy_across_page_boundary(void **state)
{
	static const uint8_t data[16] = "0123456789abcdef";
	uint8_t back[16] = { 0 };
	uint64_t gpa = C1_GPA + 5 * PAGE - 6;  /* last 6 bytes of page C1+4 */

	(void)state;
	assert_true(guestmem_write(&vm, gpa, data, sizeof(data)));
	assert_memory_equal(page_va(0, C1_FIRST + 4) + PAGE - 6, data, 6);
	assert_memory_equal(page_va(0, C1_FIRST + 5), data + 6, 10);
	assert_true(guestmem_read(&vm, gpa, back, sizeof(back)));
	assert_memory_equal(back, data, sizeof(data));
}

static void test_guestmem_copy_across_chunk_boundary(void **state)
{
	static const uint8_t data[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	uint8_t back[8] = { 0 };

	(void)state;
	assert_true(guestmem_write(&vm, C1_GPA - 4, data, sizeof(data)));
	assert_int_equal(vm.stats.chunks_zeroed, 2);
	assert_true(ready(0, 0));
	assert_true(ready(0, 1));
	assert_false(ready(0, 2));
	assert_memory_equal(page_va(0, C1_FIRST - 1) + PAGE - 4, data, 4);
	assert_memory_equal(page_va(0, C1_FIRST), data + 4, 4);
	assert_true(guestmem_read(&vm, C1_GPA - 4, back, sizeof(back)));
	assert_memory_equal(back, data, sizeof(data));
}

static void test_guestmem_copy_outside_ram_copies_nothing(void **state)
{
	uint8_t data[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	uint8_t buf[8];

	(void)state;
	/* Straddling the end and the start of RAM. */
	assert_false(guestmem_write(&vm, RAM_END - 4, data, sizeof(data)));
	memset(buf, 0x55, sizeof(buf));
	assert_false(guestmem_read(&vm, RAM_END - 4, buf, sizeof(buf)));
	assert_false(guestmem_read(&vm, RAM_GPA - 4, buf, sizeof(buf)));
	assert_false(guestmem_write(&vm, RAM_GPA - 4, data, sizeof(data)));
	/* Wholly outside, and wrapping around the address space. */
	assert_false(guestmem_read(&vm, 0x1000, buf, sizeof(buf)));
	assert_false(guestmem_write(&vm, UINT64_MAX - 3, data, sizeof(data)));
	assert_false(guestmem_read(&vm, UINT64_MAX - 3, buf, sizeof(buf)));
	for (unsigned i = 0; i < sizeof(buf); i++)
		assert_int_equal(buf[i], 0x55);
	/* Not even the part inside RAM was written, or its chunk touched. */
	assert_true(pages_hold(0, 0, RAM_PAGES, GARBAGE));
	assert_int_equal(vm.stats.chunks_zeroed, 0);
}

static void test_guestmem_copy_len_zero_is_true(void **state)
{
	uint8_t buf[1] = { 0x55 };

	(void)state;
	assert_true(guestmem_read(&vm, RAM_GPA, buf, 0));
	assert_true(guestmem_write(&vm, RAM_GPA, buf, 0));
	assert_true(guestmem_read(&vm, 0x1000, buf, 0));
	assert_true(guestmem_write(&vm, UINT64_MAX, buf, 0));
	assert_int_equal(buf[0], 0x55);
	assert_int_equal(vm.stats.chunks_zeroed, 0);
	assert_true(pages_hold(0, 0, RAM_PAGES, GARBAGE));
}

/* --- adjacent regions --------------------------------------------------- */

static void test_guestmem_is_ram_adjacent_regions(void **state)
{
	(void)state;
	assert_true(guestmem_is_ram(&vm, RAM_GPA, RAM_PAGES * PAGE + RAM2_PAGES * PAGE));
	assert_true(guestmem_is_ram(&vm, RAM_END - 8, 16));
	assert_true(guestmem_is_ram(&vm, RAM2_GPA, RAM2_PAGES * PAGE));
	assert_true(guestmem_is_ram(&vm, RAM2_GPA + RAM2_PAGES * PAGE - 1, 1));
	assert_false(guestmem_is_ram(&vm, RAM2_GPA + RAM2_PAGES * PAGE - 1, 2));
	assert_false(guestmem_is_ram(&vm, RAM_GPA - 1, 2));
	assert_false(guestmem_is_ram(&vm, RAM_GPA, RAM_PAGES * PAGE + RAM2_PAGES * PAGE + 1));
	assert_false(guestmem_is_ram(&vm, RAM_GPA, 0));
	assert_false(guestmem_is_ram(&vm, UINT64_MAX, 2));
}

static void test_guestmem_is_ram_gap_between_regions(void **state)
{
	static uint64_t far_hpa[1];

	(void)state;
	/* A third region one page after the second: the gap is not RAM. */
	far_hpa[0] = hpa[1][0];
	assert_int_equal(realmap_add_ram(&vm.realmap, RAM2_GPA + (RAM2_PAGES + 1) * PAGE, 1,
					 far_hpa), 0);
	assert_true(guestmem_is_ram(&vm, RAM2_GPA + (RAM2_PAGES + 1) * PAGE, PAGE));
	assert_false(guestmem_is_ram(&vm, RAM2_GPA + RAM2_PAGES * PAGE, 1));
	assert_false(guestmem_is_ram(&vm, RAM2_GPA, (RAM2_PAGES + 2) * PAGE));
}

static void test_guestmem_copy_across_adjacent_regions(void **state)
{
	static const uint8_t data[8] = { 9, 8, 7, 6, 5, 4, 3, 2 };
	uint8_t back[8] = { 0 };

	(void)state;
	assert_true(guestmem_write(&vm, RAM_END - 3, data, sizeof(data)));
	assert_memory_equal(page_va(0, RAM_PAGES - 1) + PAGE - 3, data, 3);
	assert_memory_equal(page_va(1, 0), data + 3, 5);
	/* Each region zeroed its own chunk (both lie in guest chunk 0x80400000). */
	assert_true(pages_hold(0, C2_FIRST, RAM_PAGES - 1, 0));
	assert_true(pages_hold(1, 1, RAM2_PAGES, 0));
	assert_true(pages_hold(0, C0_FIRST, C2_FIRST, GARBAGE));
	assert_int_equal(vm.stats.chunks_zeroed, 2);
	assert_true(guestmem_read(&vm, RAM_END - 3, back, sizeof(back)));
	assert_memory_equal(back, data, sizeof(data));
}

/* --- pins --------------------------------------------------------------- */

static void test_guestmem_pin_rejects_non_ram_and_page_crossing(void **state)
{
	static struct mmio_device dev = { "dev", NULL, NULL };

	(void)state;
	assert_int_equal(realmap_add_mmio(&vm.realmap, MMIO_GPA, 0x1000, &dev), 0);
	assert_null(guestmem_pin(&vm, RAM_GPA - 8, 8));
	assert_null(guestmem_pin(&vm, RAM_END, 1));
	assert_null(guestmem_pin(&vm, MMIO_GPA, 4));
	assert_null(guestmem_pin(&vm, C1_GPA + PAGE - 4, 8));      /* across a page */
	assert_null(guestmem_pin(&vm, C1_GPA, PAGE + 1));
	assert_null(guestmem_pin(&vm, C1_GPA, 0));
	assert_int_equal(vm.mem_pins, 0);
	assert_int_equal(vm.stats.chunks_zeroed, 0);
	assert_true(pages_hold(0, 0, RAM_PAGES, GARBAGE));
}

static void test_guestmem_pin_counts_and_unpin_releases(void **state)
{
	uint64_t *a, *b, back = 0;

	(void)state;
	a = guestmem_pin(&vm, C1_GPA + 3 * PAGE, PAGE);    /* a whole page */
	assert_ptr_equal(a, page_va(0, C1_FIRST + 3));
	assert_int_equal(vm.mem_pins, 1);
	b = guestmem_pin(&vm, RAM_END - 8, 8);             /* the last 8 bytes */
	assert_ptr_equal(b, page_va(0, RAM_PAGES - 1) + PAGE - 8);
	assert_int_equal(vm.mem_pins, 2);
	/* A failed pin leaves the count as it was. */
	assert_null(guestmem_pin(&vm, RAM_END - 4, 8));
	assert_int_equal(vm.mem_pins, 2);
	/* Stores through the pin are the guest's memory. */
	a[1] = 0x0123456789abcdefULL;
	assert_true(guestmem_read(&vm, C1_GPA + 3 * PAGE + 8, &back, sizeof(back)));
	assert_int_equal(back, 0x0123456789abcdefULL);
	guestmem_unpin(&vm);
	assert_int_equal(vm.mem_pins, 1);
	guestmem_unpin(&vm);
	assert_int_equal(vm.mem_pins, 0);
}

/* --- chunk arithmetic (realmap.c) --------------------------------------- */

static void check_chunk(const struct realmap_ram *r, uint64_t c, uint64_t first, uint64_t last)
{
	uint64_t f = ~0ULL, l = ~0ULL;

	realmap_chunk_pages(r, c, &f, &l);
	assert_int_equal(f, first);
	assert_int_equal(l, last);
}

static void test_guestmem_chunk_arithmetic_odd_regions(void **state)
{
	struct realmap_ram r = { 0 };

	(void)state;
	/* The guest RAM shape: 512 KiB short of a chunk, then whole ones. */
	r = (struct realmap_ram){ .gpa = RAM_GPA, .npages = RAM_PAGES };
	assert_int_equal(realmap_chunk_count(&r), 3);
	check_chunk(&r, 0, 0, 384);
	check_chunk(&r, 1, 384, 896);
	check_chunk(&r, 2, 896, 996);
	/* Ends exactly on the first chunk boundary. */
	r = (struct realmap_ram){ .gpa = RAM_GPA, .npages = 384 };
	assert_int_equal(realmap_chunk_count(&r), 1);
	check_chunk(&r, 0, 0, 384);
	/* One page past it. */
	r.npages = 385;
	assert_int_equal(realmap_chunk_count(&r), 2);
	check_chunk(&r, 1, 384, 385);
	/* Two pages straddling a boundary. */
	r = (struct realmap_ram){ .gpa = 0x801ff000, .npages = 2 };
	assert_int_equal(realmap_chunk_count(&r), 2);
	check_chunk(&r, 0, 0, 1);
	check_chunk(&r, 1, 1, 2);
	/* Aligned: one page, one chunk, two chunks. */
	r = (struct realmap_ram){ .gpa = 0x80000000, .npages = 1 };
	assert_int_equal(realmap_chunk_count(&r), 1);
	check_chunk(&r, 0, 0, 1);
	r.npages = 512;
	assert_int_equal(realmap_chunk_count(&r), 1);
	check_chunk(&r, 0, 0, 512);
	r.npages = 1024;
	assert_int_equal(realmap_chunk_count(&r), 2);
	check_chunk(&r, 1, 512, 1024);
	/* One page inside a chunk, not at either end. */
	r = (struct realmap_ram){ .gpa = 0x80123000, .npages = 1 };
	assert_int_equal(realmap_chunk_count(&r), 1);
	check_chunk(&r, 0, 0, 1);
	/* Empty. */
	r.npages = 0;
	assert_int_equal(realmap_chunk_count(&r), 0);
}

static void test_guestmem_chunk_pages_cover_region_once(void **state)
{
	static const struct { uint64_t gpa, npages; } shapes[] = {
		{ RAM_GPA, RAM_PAGES }, { 0x80001000, 1535 }, { 0x80000000, 1536 },
		{ 0x801ff000, 514 }, { 0x87fff000, 1 },
	};

	(void)state;
	/* Consecutive, non-empty, starting at 0 and ending at npages. */
	for (unsigned s = 0; s < sizeof(shapes) / sizeof(shapes[0]); s++) {
		struct realmap_ram r = { .gpa = shapes[s].gpa, .npages = shapes[s].npages };
		uint64_t n = realmap_chunk_count(&r), next = 0;

		for (uint64_t c = 0; c < n; c++) {
			uint64_t f, l;

			realmap_chunk_pages(&r, c, &f, &l);
			assert_int_equal(f, next);
			assert_true(l > f);
			assert_true(l - f <= REALMAP_CHUNK_SIZE / PAGE);
			next = l;
		}
		assert_int_equal(next, shapes[s].npages);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_guestmem_init_zeroes_nothing, setup_one, teardown),
		cmocka_unit_test_setup_teardown(test_guestmem_read_first_touch_zeroes_its_chunk, setup_one, teardown),
		cmocka_unit_test_setup_teardown(test_guestmem_write_first_touch_zeroes_its_chunk, setup_one, teardown),
		cmocka_unit_test_setup_teardown(test_guestmem_pin_first_touch_zeroes_its_chunk, setup_one, teardown),
		cmocka_unit_test_setup_teardown(test_guestmem_lookup_first_touch_zeroes_its_chunk, setup_one, teardown),
		cmocka_unit_test_setup_teardown(test_guestmem_checks_and_mmio_touch_nothing, setup_one, teardown),
		cmocka_unit_test_setup_teardown(test_guestmem_first_touch_only_once, setup_one, teardown),
		cmocka_unit_test_setup_teardown(test_guestmem_partial_first_chunk, setup_one, teardown),
		cmocka_unit_test_setup_teardown(test_guestmem_partial_last_chunk, setup_one, teardown),
		cmocka_unit_test_setup_teardown(test_guestmem_reset_rezeroes_on_next_touch, setup_one, teardown),
		cmocka_unit_test_setup_teardown(test_guestmem_reset_waits_for_pins, setup_one, teardown),
		cmocka_unit_test_teardown(test_guestmem_many_chunks_bitmap_words, teardown),
		cmocka_unit_test_teardown(test_guestmem_init_out_of_memory, teardown),
		cmocka_unit_test_setup_teardown(test_guestmem_copy_across_page_boundary, setup_one, teardown),
		cmocka_unit_test_setup_teardown(test_guestmem_copy_across_chunk_boundary, setup_one, teardown),
		cmocka_unit_test_setup_teardown(test_guestmem_copy_outside_ram_copies_nothing, setup_one, teardown),
		cmocka_unit_test_setup_teardown(test_guestmem_copy_len_zero_is_true, setup_one, teardown),
		cmocka_unit_test_setup_teardown(test_guestmem_is_ram_adjacent_regions, setup_two, teardown),
		cmocka_unit_test_setup_teardown(test_guestmem_is_ram_gap_between_regions, setup_two, teardown),
		cmocka_unit_test_setup_teardown(test_guestmem_copy_across_adjacent_regions, setup_two, teardown),
		cmocka_unit_test_setup_teardown(test_guestmem_pin_rejects_non_ram_and_page_crossing, setup_one, teardown),
		cmocka_unit_test_setup_teardown(test_guestmem_pin_counts_and_unpin_releases, setup_one, teardown),
		cmocka_unit_test(test_guestmem_chunk_arithmetic_odd_regions),
		cmocka_unit_test(test_guestmem_chunk_pages_cover_region_once),
		cmocka_unit_test(test_guestmem_chunk_at_top_of_address_space),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* Host memory from malloc may hold anything: never "still zero". */
bool frame_take_clean(uint64_t pa, uint64_t n)
{
	(void)pa, (void)n;
	return false;
}
