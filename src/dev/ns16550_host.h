/* Driver for the physical ns16550 UART Trapeze's console uses (polled). */
#ifndef DEV_NS16550_HOST_H
#define DEV_NS16550_HOST_H

#include <stdint.h>

void ns16550_host_init(volatile uint8_t *base);
void ns16550_host_putc(char c);
int ns16550_host_getc(void);     /* -1 when no byte is waiting */

#endif
