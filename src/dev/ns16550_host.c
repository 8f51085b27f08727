#include "dev/ns16550_host.h"

#include <stddef.h>

#define UART_RBR 0      /* receive buffer (read) */
#define UART_THR 0      /* transmit holding (write) */
#define UART_LSR 5
#define UART_LSR_DR   0x01
#define UART_LSR_THRE 0x20

static volatile uint8_t *uart;

void ns16550_host_init(volatile uint8_t *base)
{
	uart = base;
}

void ns16550_host_putc(char c)
{
	if (uart == NULL)
		return;
	while (!(uart[UART_LSR] & UART_LSR_THRE))
		;
	uart[UART_THR] = (uint8_t)c;
}

int ns16550_host_getc(void)
{
	if (uart == NULL || !(uart[UART_LSR] & UART_LSR_DR))
		return -1;
	return uart[UART_RBR];
}
