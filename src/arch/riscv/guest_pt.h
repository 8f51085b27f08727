/*
 * The guest's own page tables, read and updated where they live: in its
 * RAM, through the guest-memory path (core/guestmem.h), with the PMP check
 * bare QEMU makes before each PTE read. What the guest-table walker
 * (gpt.h) needs, for both engines' software walks.
 */
#ifndef ARCH_RISCV_GUEST_PT_H
#define ARCH_RISCV_GUEST_PT_H

#include "arch/riscv/gpt.h"

struct vm;

/* The walker's memory for vm's guest-physical space. */
struct gpt_mem guest_pt_mem(struct vm *vm);

#endif
