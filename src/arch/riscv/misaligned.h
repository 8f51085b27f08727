/*
 * Data accesses Trapeze completes for the guest, part by part in the order
 * the reference machine makes them, so that when one part faults the guest
 * sees what it would see on bare QEMU 7.2: the same exception, the same
 * stval, the same bytes already written.
 *
 * The RISC-V rules leave this open: a misaligned access may be split into
 * parts in any order, a faulting one may have been partly performed, and
 * stval is "the portion of the access that caused the fault" (Unprivileged
 * ISA 20191213, 2.6 "Load and Store Instructions"; Privileged ISA v1.12,
 * 4.1.9 "Supervisor Trap Value Register"). QEMU 7.2's softmmu
 * (accel/tcg/cputlb.c) decides, and it is what guests meet, measured with
 * tests/fidelity:
 *   1. the first page is translated for the whole access: a page fault,
 *      or a PMP fault for [pa, pa + width) (QEMU checks PMP over the whole
 *      range), reports the access address;
 *   2. plain RAM within one page is one access;
 *   3. a load that crosses a page, or reaches anything but RAM, becomes two
 *      naturally aligned loads of the same width, below and above the
 *      address (the second translated when it lies on the next page); a
 *      part that faults reports the part's address;
 *   4. a store that crosses a page translates the next page first (a fault
 *      reports that page's address, nothing is written), then, unless both
 *      pages are RAM, stores byte by byte upwards: bytes before one that
 *      faults stay written, stval is that byte's address.
 *
 * Pure: translation and memory come through struct misaligned_ops, so the
 * host unit tests run it over fake memory (style.md 9).
 */
#ifndef ARCH_RISCV_MISALIGNED_H
#define ARCH_RISCV_MISALIGNED_H

#include <stdbool.h>
#include <stdint.h>

#define MISALIGNED_PAGE_SIZE 4096ULL

struct misaligned_ops {
	void *ctx;
	/* Translate va for an access of len bytes, as the hardware does (A,
	 * and D for a store, set), and check PMP over [pa, pa + len). 0 with
	 * *pa, or the exception cause. */
	uint64_t (*translate)(void *ctx, uint64_t va, unsigned len, bool store, uint64_t *pa);
	/* pa is plain RAM (the access needs no splitting there). */
	bool (*is_ram)(void *ctx, uint64_t pa);
	/* One access of len bytes at pa: 0, MISALIGNED_FAULT when nothing
	 * answers there (an access fault), MISALIGNED_HALT when a device
	 * stopped the VM. */
	int (*read)(void *ctx, uint64_t pa, unsigned len, uint64_t *val);
	int (*write)(void *ctx, uint64_t pa, unsigned len, uint64_t val);
};

enum misaligned_result {
	MISALIGNED_DONE = 0,
	MISALIGNED_FAULT = -1,      /* *cause and *tval say what the guest gets */
	MISALIGNED_HALT = -2,
};

/*
 * A load (store = false: *val receives width bytes, zero-extended) or a
 * store (of the low width bytes of *val) of width 1, 2, 4 or 8 bytes at va,
 * aligned or not. Fault causes: from translate, else the load or store
 * access fault (5 or 7).
 */
enum misaligned_result misaligned_access(const struct misaligned_ops *ops, uint64_t va,
					 unsigned width, bool store, uint64_t *val,
					 uint64_t *cause, uint64_t *tval);

#endif
