/* Driver for the physical ns16550 UART Trapeze's console uses: output
 * polled, input polled or by its receive interrupt. */
#ifndef DEV_NS16550_HOST_H
#define DEV_NS16550_HOST_H

#include <stdbool.h>
#include <stdint.h>

void ns16550_host_init(volatile uint8_t *base);
void ns16550_host_putc(char c);
int ns16550_host_getc(void);     /* -1 when no byte is waiting */
bool ns16550_host_rx_ready(void);
/* The "received data available" interrupt on or off. It is level: it
 * stays raised while a byte waits. */
void ns16550_host_rx_irq(bool on);

#endif
