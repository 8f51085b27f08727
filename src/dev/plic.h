/*
 * Virtual PLIC, register-compatible with QEMU virt's (hw/intc/sifive_plic.c
 * as QEMU 7.2 configures it: 96 sources with source 0 reserved, 3 priority
 * bits, two contexts per hart numbered as QEMU virt does: context 2h is hart
 * h's M-mode, 2h+1 its S-mode). Register map from the RISC-V PLIC
 * Specification 1.0.0, "Memory Map".
 *
 * Guest-visible behaviour at the edges, as QEMU 7.2 gives it unless noted:
 * - only aligned 32-bit accesses exist (QEMU: .valid min = max = 4, no
 *   .unaligned); anything else is an access fault (the handler returns -1);
 * - holes read 0 and ignore writes, as do pending-array writes;
 * - priorities and thresholds are WARL, keeping their low 3 bits;
 * - source 0 does not exist: its priority and enable bits read 0 (PLIC
 *   spec 1.0.0, "Interrupt Enables"; QEMU stores both, a deviation no
 *   guest can depend on);
 * - M-mode contexts work like S-mode ones, but their output drives
 *   nothing: a Trapeze guest has no M-mode.
 */
#ifndef DEV_PLIC_H
#define DEV_PLIC_H

#include <stdbool.h>
#include <stdint.h>
#include "core/lib/spinlock.h"
#include "dev/device.h"
#include "trapeze/board.h"

struct vm;

#define PLIC_PRIO_MASK      0x7     /* VIRT_IRQCHIP_NUM_PRIO_BITS = 3 */
#define PLIC_MAX_HARTS      8       /* VM_MAX_VCPUS (plic.c checks) */
#define PLIC_WORDS          ((BOARD_PLIC_SOURCES + 31) / 32)
#define PLIC_MAX_CONTEXTS   (2 * PLIC_MAX_HARTS)
/* What QEMU virt maps whatever its hart count: VIRT_PLIC_SIZE(VIRT_CPUS_MAX * 2). */

struct plic_dev {
	struct vm *vm;
	unsigned nharts;
	struct spinlock lock;               /* guards everything below */
	uint32_t priority[BOARD_PLIC_SOURCES];
	uint32_t level[PLIC_WORDS];         /* the sources' input lines */
	uint32_t claimed[PLIC_WORDS];       /* claimed, not yet completed */
	uint32_t enable[PLIC_MAX_CONTEXTS][PLIC_WORDS];
	uint32_t threshold[PLIC_MAX_CONTEXTS];
	uint32_t seip;                      /* bit h: SEIP as last signalled to hart h */
};

/* The model (device.h): a VM's interrupt controller, vm->irqchip, where
 * every irq_line of the VM leads. */
extern const struct device_model plic_model;

/* A PLIC for harts 0..nharts-1 (at most PLIC_MAX_HARTS, larger counts are
 * clamped), in its reset state. Touches no vCPU, so it may run before the
 * VM's vCPUs exist. */
void plic_init(struct plic_dev *p, struct vm *vm, unsigned nharts);

/* Back to the reset state, as on a system reset (QEMU sifive_plic_reset):
 * input lines are forgotten too (devices reassert theirs) and SEIP is
 * lowered on every hart. Call it when the VM reboots. */
void plic_reset(struct plic_dev *p);

/* Bytes of the MMIO region for nharts: QEMU virt's
 * VIRT_PLIC_SIZE(2 * nharts) = 0x200000 + 0x2000 * nharts. Offsets past
 * the last context (e.g. up to BOARD_PLIC_SIZE) read as holes. */
uint64_t plic_size(unsigned nharts);

/* A device model's interrupt line: source 1..BOARD_PLIC_SOURCES-1 (others
 * are ignored), level-triggered. While a line is high and its source is
 * not claimed the source is pending; a claim clears pending until the
 * complete, after which a still-high line is pending again (PLIC spec
 * 1.0.0, "Interrupt Gateways"). A line that drops clears pending, as in
 * QEMU. Safe from any hart. */
void plic_set_level(struct plic_dev *p, unsigned source, bool level);

#endif
