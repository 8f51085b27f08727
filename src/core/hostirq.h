/*
 * The host's interrupts: devices of the host board that Trapeze drives
 * (QEMU's virtio-mmio devices, the console UART) complete by interrupt,
 * through the host's interrupt controller (src/dev/plic_host.c, the PLIC
 * of QEMU virt: one S-mode context per hart, claim and complete).
 */
#ifndef CORE_HOSTIRQ_H
#define CORE_HOSTIRQ_H

#include <stdbool.h>

struct dt;

typedef void (*hostirq_handler_t)(void *ctx);

/* Find the host interrupt controller in the host DTB and take it over for
 * Trapeze's harts (every source off, threshold 0). False when absent. */
bool hostirq_init(const struct dt *dt);
/* Route host source `source` to handler(ctx) on every hart. */
bool hostirq_register(unsigned source, hostirq_handler_t handler, void *ctx);
/* A supervisor external interrupt reached this hart (a trap while a guest
 * ran, or a wake-up from idle): claim, handle and complete every source
 * pending for it. Runs with interrupts off. */
void hostirq_handle(void);
/* Whether the host controller is driven (supervisor external interrupts
 * are then enabled on every hart). */
bool hostirq_active(void);

#endif
