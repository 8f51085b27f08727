/*
 * An interrupt line from a device model to its VM's interrupt controller:
 * a handle the board hands a device when it is created, so that a device
 * model raises "its line" without knowing which controller or source is
 * behind it: the VM's interrupt controller (vm->irqchip, the virtual PLIC
 * of its device list), source BOARD_*_IRQ.
 */
#ifndef DEV_IRQ_H
#define DEV_IRQ_H

#include <stdbool.h>

struct vm;

struct irq_line {
	struct vm *vm;          /* NULL: a line to nowhere */
	unsigned source;        /* PLIC source 1..BOARD_PLIC_SOURCES-1 */
};

/* Drive the line (level-triggered; safe from any hart). */
void irq_line_set(const struct irq_line *l, bool level);

#endif
