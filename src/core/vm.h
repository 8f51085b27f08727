/*
 * A virtual machine: its memory (real map table), vCPUs, devices, console
 * and statistics. Arch-neutral.
 */
#ifndef CORE_VM_H
#define CORE_VM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "core/lib/spinlock.h"
#include "core/realmap.h"
#include "core/stats.h"
#include "core/vcpu.h"
#include "dev/device.h"
#include "dev/plic.h"
#include "dev/uart.h"
#include "dev/virtio_mmio.h"
#include "trapeze/bootinfo.h"

#define VM_MAX_VCPUS    8
#define VM_LINE_MAX     256
#define VM_MAX_DEVICES  16      /* the board's devices and virtio slots (dev/device.h) */
#define VM_DEV_STATE    4096    /* bytes of their state */

enum vm_state {
	VM_RUNNING = 0,
	VM_OFF,         /* powered off (SBI SRST shutdown) */
	VM_STOPPED,     /* stopped by Trapeze: crashed, hung, or asked to */
};

/* Why a VM ended; the launcher's exit status is 0 only when all are CLEAN. */
enum vm_exit {
	VM_EXIT_NONE = 0,
	VM_EXIT_CLEAN,          /* SRST shutdown, reason "no reason" */
	VM_EXIT_FAILURE,        /* SRST shutdown, reason "system failure" */
	VM_EXIT_HUNG,
	VM_EXIT_CRASHED,
	VM_EXIT_PANIC,          /* the guest kernel reported a panic or an oops */
	VM_EXIT_DESTROYED,      /* destroyed from the monitor: counts as clean */
};

struct vm {
	unsigned id;
	char name[BOOTINFO_NAME_MAX];
	enum vm_state state;
	enum vm_exit exit;
	const struct bootinfo_vm *desc;     /* what the launcher asked for */
	struct realmap realmap;
	struct vcpu *vcpus[VM_MAX_VCPUS];
	unsigned nvcpus;
	const struct engine *engine;        /* runs every vCPU of the VM */
	void *engine_vm;                    /* the engine's own per-VM state */
	uint64_t *ram_pages;                /* hpa of each RAM page (the real map table's array) */
	uint64_t ram_npages;
	/* Its board's devices and virtio slots (dev/device.h), their state,
	 * and two by role: the interrupt controller every irq_line leads to,
	 * the console UART. */
	struct device devices[VM_MAX_DEVICES];
	unsigned ndevices;
	uint64_t dev_deadline;              /* their earliest timer (device.h; atomic) */
	struct plic_dev *irqchip;
	struct uart_dev *console;
	_Alignas(16) uint8_t dev_state[VM_DEV_STATE];
	size_t dev_state_used;
	struct spinlock dev_lock;           /* device model state, console input */
	struct spinlock mem_lock;           /* first touches of guest RAM (guestmem.c) */
	uint64_t mem_pins;                  /* host pointers into guest RAM in use (guestmem.c) */
	struct vm_stats stats;
	struct sbi_vm sbi;                  /* per-extension SBI state (core/sbi/sbi_state.h) */
	uint64_t last_activity;             /* time of the last output (hang watchdog) */
	uint32_t lifecycle;                 /* LIFE_* state and request bits (lifecycle.h, atomic) */
	/* SBI SUSP system suspend (sched_suspend): asleep until an interrupt
	 * wakes its vCPU, not hung; the time asleep does not count as silence. */
	bool suspended;
	uint64_t suspended_at;
	/* console: a line buffer when several VMs share the UART */
	char line[VM_LINE_MAX];
	size_t line_len;
	/* The guest's console, scanned line by line for a crash report. */
	char scan[VM_LINE_MAX];
	size_t scan_len;
	bool oops_seen;                     /* a power-off after this is a failure */
	uint64_t panic_seen_at;             /* time of a kernel panic report; 0 = none */
	/* console input for this VM (the physical UART's bytes while it has focus) */
	uint8_t input[64];
	unsigned input_head, input_tail;
};

/* The VM's console (its UART and the SBI console calls both land here). */
void vm_console_write(struct vm *vm, const char *buf, size_t len);
int vm_console_getc(struct vm *vm);     /* -1 when no input */
/* The same, for device models, which run with vm->dev_lock held. */
int vm_console_getc_locked(struct vm *vm);
bool vm_console_poll_locked(struct vm *vm);     /* true when this VM has input waiting */
/* Move waiting physical console input to the VM in focus and let its UART
 * raise its interrupt (called by the scheduler on ticks and when idle). */
void vm_console_input_tick(void);
/* The input queue's producer side (monitor.c routes console input). */
bool vm_input_push(struct vm *vm, uint8_t c);
bool vm_input_full(const struct vm *vm);

/* SBI SRST: power the VM off (reason as in SBI v2.0 System Reset) or reset
 * it. A guest asks for a reset through lifecycle_reset; vm_reboot runs on
 * vCPU 0 with every other vCPU off its hart (lifecycle_take). */
void vm_power_off(struct vm *vm, enum vm_exit why);
void vm_reboot(struct vm *vm);
/* Stop a VM from Trapeze's side with a log line saying why. */
void vm_stop(struct vm *vm, enum vm_exit why, const char *reason);

struct vcpu *vm_vcpu(struct vm *vm, uint64_t hartid);  /* NULL when absent */
/* Every VM the manifest named, by index (the monitor's view). */
unsigned vm_count(void);
struct vm *vm_at(unsigned i);
/* When no VM is running any more, the machine ends (a destroyed VM's end
 * waits for its memory to be returned first). */
void vm_check_all_ended(void);

/* A VM whose guest reported a kernel panic this long ago is stopped
 * (after its report has come out whole). Returns true when it was. */
bool vm_check_panic(struct vm *vm, uint64_t now, uint64_t grace_ticks);

/* Build every VM the boot manifest describes; returns how many run. */
unsigned vm_create_all(const struct bootinfo *bi);

#endif
