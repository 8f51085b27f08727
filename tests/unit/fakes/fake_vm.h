/*
 * A fake of the core functions the SBI layer calls (vcpu.h, vm.h, sched.h,
 * platform.h), for host unit tests and fuzzing. A fake VM owns its vCPUs, a
 * small RAM at GUEST_RAM_BASE (also entered in its real map table, so
 * realmap-based checks agree with vm_read_guest), a console capture buffer
 * and a scripted console input queue. Every call with an effect is recorded
 * in order so tests can assert what the code under test asked for.
 *
 * The fakes keep vCPU state where the real core would (they may look inside
 * struct vcpu_arch): timer deadline in arch.csr.stimecmp, pending
 * interrupts in arch.csr.sip, registers in arch.regs.
 */
#ifndef TESTS_UNIT_FAKES_FAKE_VM_H
#define TESTS_UNIT_FAKES_FAKE_VM_H

#include <stddef.h>
#include <stdint.h>

#include "core/platform.h"
#include "core/sched.h"
#include "arch/riscv/vcpu_arch.h"
#include "core/vcpu.h"
#include "core/vm.h"

#define FAKE_RAM_BASE   GUEST_RAM_BASE
#define FAKE_RAM_PAGES  16
#define FAKE_RAM_SIZE   (FAKE_RAM_PAGES * REALMAP_PAGE_SIZE)
#define FAKE_MMIO_BASE  BOARD_UART_GPA          /* an MMIO region: not RAM */
#define FAKE_OUT_MAX    16384
#define FAKE_IN_MAX     8192
#define FAKE_CALLS_MAX  512

enum fake_call_kind {
	FAKE_TIMER_SET,         /* v, a = deadline */
	FAKE_RAISE_IRQ,         /* v, a = irq */
	FAKE_LOWER_IRQ,         /* v, a = irq */
	FAKE_FLUSH_TLB,         /* v, a = start, b = size, c = asid */
	FAKE_FLUSH_ICACHE,      /* v */
	FAKE_RESET,             /* v, a = entry, b = arg1 */
	FAKE_KICK,              /* v */
	FAKE_MAKE_RUNNABLE,     /* v */
	FAKE_BLOCK,             /* v */
	FAKE_SCHED_STOP,        /* v */
	FAKE_POWER_OFF,         /* vm, a = enum vm_exit */
	FAKE_REBOOT,            /* vm */
	FAKE_VM_STOP,           /* vm, a = enum vm_exit */
	FAKE_FIRMWARE_FAULT,    /* v, a = va: vcpu_firmware_load faulted */
};

struct fake_call {
	enum fake_call_kind kind;
	struct vcpu *v;
	struct vm *vm;
	uint64_t a, b, c;
};

struct fake_vm {
	struct vm vm;                       /* first: vm_* recover the fake by a cast */
	struct vcpu vcpus[VM_MAX_VCPUS];
	struct vcpu_arch arch[VM_MAX_VCPUS];
	uint8_t ram[FAKE_RAM_SIZE];
	uint64_t hpa[FAKE_RAM_PAGES];
	char out[FAKE_OUT_MAX];             /* vm_console_write, in order */
	size_t out_len;
	uint8_t in[FAKE_IN_MAX];            /* what vm_console_getc hands out */
	size_t in_len, in_pos;
	struct fake_call calls[FAKE_CALLS_MAX];
	unsigned ncalls;
	/* Called at the end of the fake vcpu_reset, to interleave a second
	 * request with one in progress (as another hart would). */
	void (*on_reset)(struct fake_vm *f, struct vcpu *v);
};

/* A VM with nvcpus vCPUs (1..VM_MAX_VCPUS) with hart ids 0..nvcpus-1:
 * vCPU 0 RUNNING, the others STOPPED, as at boot. Also fills `platform`. */
struct fake_vm *fake_vm_create(unsigned nvcpus);
void fake_vm_destroy(struct fake_vm *f);

void fake_console_input(struct fake_vm *f, const char *s, size_t n);
unsigned fake_count(const struct fake_vm *f, enum fake_call_kind kind);
/* The nth (0-based) recorded call of that kind, or NULL. */
const struct fake_call *fake_find(const struct fake_vm *f, enum fake_call_kind kind, unsigned nth);
void fake_forget_calls(struct fake_vm *f);

/* Helpers to run an ECALL on a fake vCPU. */
void fake_set_ecall(struct vcpu *v, unsigned long eid, unsigned long fid,
		    unsigned long a0, unsigned long a1, unsigned long a2,
		    unsigned long a3, unsigned long a4, unsigned long a5);

#endif
