#include "dev/ns16550_host.h"

#include <stddef.h>

#define UART_RBR 0      /* receive buffer (read) */
#define UART_THR 0      /* transmit holding (write) */
#define UART_IER 1      /* interrupt enable (DLAB 0) */
#define UART_IER_ERBFI 0x01     /* received data available */
#define UART_MCR 4
#define UART_MCR_OUT2 0x08      /* gates the interrupt line on PC-style boards */
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

bool ns16550_host_rx_ready(void)
{
	return uart != NULL && (uart[UART_LSR] & UART_LSR_DR);
}

int ns16550_host_getc(void)
{
	if (!ns16550_host_rx_ready())
		return -1;
	return uart[UART_RBR];
}

void ns16550_host_rx_irq(bool on)
{
	if (uart == NULL)
		return;
	if (on)
		uart[UART_MCR] |= UART_MCR_OUT2;
	uart[UART_IER] = on ? UART_IER_ERBFI : 0;
}
