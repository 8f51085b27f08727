/*
 * ns16550 output by polled MMIO, so every character is a load of LSR and a
 * store to THR that a hypervisor must emulate. OpenSBI has already set the
 * line up; we only transmit.
 */
#include "guest.h"

#define UART_THR 0
#define UART_LSR 5
#define UART_LSR_THRE 0x20

void uart_put_char(char c)
{
	volatile uint8_t *uart = (volatile uint8_t *)UART_BASE;

	while (!(uart[UART_LSR] & UART_LSR_THRE))
		;
	uart[UART_THR] = (uint8_t)c;
}
