/*
 * Virtual ns16550A UART (the register set of QEMU virt's serial@10000000).
 */
#ifndef DEV_UART_H
#define DEV_UART_H

#include <stdbool.h>
#include <stdint.h>
#include "dev/device.h"
#include "trapeze/board.h"

#define UART_REGS       8       /* what answers in it */

struct uart_dev {
	struct irq_line irq;    /* to the VM's interrupt controller */
	uint8_t ier, lcr, mcr, scr, fcr;
	uint8_t dll, dlm;
	bool thr_ipending;      /* the "transmitter empty" interrupt is owed */
	bool irq_level;         /* what its line carries now */
};

extern const struct device_model uart_model;

struct vm;
/* The state OpenSBI leaves, its line to nowhere (uart_model's create
 * connects it). */
void uart_init(struct uart_dev *u);
/* Console input may have arrived for this VM: re-evaluate the interrupt. */
void uart_input_ready(struct uart_dev *u, struct vm *vm);
/* Whether the guest waits for input by interrupt (IER.ERBFI). */
bool uart_rx_irq_enabled(const struct uart_dev *u);

#endif
