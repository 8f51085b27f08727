/*
 * Host memory as the engines' host tests use it: host memory is its own
 * "physical" memory (hostmem offset 0), the boot tables exist, and the
 * frame allocator hands out aligned host pages it tracks, so a test can
 * count what an engine holds, make allocation fail, and free what is left.
 */
#ifndef TESTS_UNIT_FAKES_FAKE_FRAMES_H
#define TESTS_UNIT_FAKES_FAKE_FRAMES_H

#include <stdbool.h>
#include <stdint.h>

extern unsigned fake_frames_live;   /* frames handed out, not yet freed */
extern bool fake_frames_fail;       /* every allocation fails while set */

/* Free every frame still handed out (teardown). */
void fake_frames_free_all(void);

/* A model of QEMU 7.2's rv64 for the CSRs Trapeze legalises on the host
 * (probe.h hw_csr_legalise) lives in fake_legalise.c. */

#endif
