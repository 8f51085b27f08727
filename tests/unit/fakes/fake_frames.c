/* Host memory for the engines' host tests: see fake_frames.h. */
#include "fakes/fake_frames.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "core/frame.h"
#include "core/hostmem.h"

const uint64_t hostmem_virt_offset = 0;

uint64_t boot_l39[512], boot_l48[512], boot_l57[512];
uint64_t boot_satp;

#define FRAMES_MAX 4096
static void *frames[FRAMES_MAX];
unsigned fake_frames_live;
bool fake_frames_fail;

static uint64_t frame_track(void *p)
{
	for (unsigned i = 0; i < FRAMES_MAX; i++) {
		if (frames[i] == NULL) {
			frames[i] = p;
			fake_frames_live++;
			return hostmem_pa(p);
		}
	}
	abort();
}

uint64_t frame_alloc(void)
{
	if (fake_frames_fail)
		return 0;
	void *p = aligned_alloc(FRAME_SIZE, FRAME_SIZE);
	assert_non_null(p);
	memset(p, 0, FRAME_SIZE);
	return frame_track(p);
}

uint64_t frame_alloc_contig(uint64_t n, uint64_t align)
{
	uint64_t a = align * FRAME_SIZE, size = (n * FRAME_SIZE + a - 1) / a * a;

	if (fake_frames_fail)
		return 0;
	void *p = aligned_alloc(a, size);
	assert_non_null(p);
	return frame_track(p);
}

void frame_free(uint64_t pa, uint64_t n)
{
	(void)n;
	for (unsigned i = 0; i < FRAMES_MAX; i++) {
		if (frames[i] && hostmem_pa(frames[i]) == pa) {
			free(frames[i]);
			frames[i] = NULL;
			fake_frames_live--;
			return;
		}
	}
	fail_msg("frame_free of a frame never allocated: 0x%lx", (unsigned long)pa);
}

void fake_frames_free_all(void)
{
	for (unsigned i = 0; i < FRAMES_MAX; i++) {
		free(frames[i]);
		frames[i] = NULL;
	}
	fake_frames_live = 0;
}

/* Host memory from malloc may hold anything: never "still zero". */
bool frame_take_clean(uint64_t pa, uint64_t n)
{
	(void)pa, (void)n;
	return false;
}
