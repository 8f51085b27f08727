/*
 * Virtual ns16550A UART (the register set of QEMU virt's serial@10000000).
 */
#ifndef DEV_UART_H
#define DEV_UART_H

#include <stdint.h>
#include "dev/mmio.h"

#define UART_REG_SIZE   0x100

struct uart_dev {
	struct mmio_device mmio;
	uint8_t ier, lcr, mcr, scr, fcr;
	uint8_t dll, dlm;
};

void uart_init(struct uart_dev *u);

#endif
