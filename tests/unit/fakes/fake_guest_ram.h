/*
 * A VM that is only guest RAM, for host tests and fuzzing of device models:
 * FAKE_GRAM_PAGES pages at GUEST_RAM_BASE in its real map table, backed by
 * host memory in reverse page order (so nothing passes by assuming guest-
 * adjacent pages are host-adjacent), every chunk ready (no lazy zeroing);
 * and irq_line_set recorded per source.
 */
#ifndef TESTS_UNIT_FAKES_FAKE_GUEST_RAM_H
#define TESTS_UNIT_FAKES_FAKE_GUEST_RAM_H

#include <stdbool.h>
#include <stdint.h>
#include "core/vm.h"

#define FAKE_GRAM_BASE   GUEST_RAM_BASE
#define FAKE_GRAM_PAGES  64
#define FAKE_GRAM_SIZE   (FAKE_GRAM_PAGES * REALMAP_PAGE_SIZE)

extern bool fake_irq_level[BOARD_PLIC_SOURCES];
extern unsigned fake_irq_changes;

struct vm *fake_gram_create(void);
void fake_gram_destroy(struct vm *vm);
/* A host pointer to guest-physical gpa (inside the fake RAM). */
void *fake_gram_ptr(struct vm *vm, uint64_t gpa);
/* Whether host-physical [pa, pa+len) lies inside the fake RAM's backing. */
bool fake_gram_host_contains(struct vm *vm, uint64_t pa, uint64_t len);

#endif
