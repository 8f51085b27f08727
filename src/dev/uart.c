/*
 * Virtual ns16550A (the UART of QEMU virt, hw/char/serial.c's register
 * set), its interrupt on its irq line (source BOARD_UART_IRQ).
 * Register offsets and bits from the PC16550D data sheet.
 */
#include "dev/uart.h"

#include <stddef.h>
#include "core/vm.h"

#define UART_RBR_THR_DLL    0
#define UART_IER_DLM        1
#define UART_IIR_FCR        2
#define UART_LCR            3
#define UART_MCR            4
#define UART_LSR            5
#define UART_MSR            6
#define UART_SCR            7

#define LCR_DLAB        0x80
#define LSR_DR          0x01
#define IER_RDI         0x01    /* received data available */
#define IER_THRI        0x02    /* transmitter holding register empty */
#define IIR_THRI        0x02
#define IIR_RDI         0x04
#define LSR_THRE        0x20
#define LSR_TEMT        0x40
#define IIR_NO_INT      0x01
#define IIR_FIFO_ON     0xc0
#define MCR_LOOP        0x10
/* Modem status with no modem: QEMU reports DCD, DSR and CTS asserted. */
#define MSR_IDLE        0xb0

static bool uart_rx_ready(struct vm *vm)
{
	return vm_console_poll_locked(vm);
}

/* The interrupt the UART signals now, by QEMU's priority (serial.c,
 * serial_update_irq): received data, then transmitter empty. Line status
 * and modem status interrupts never arise here (no errors, no modem). */
static uint8_t uart_iir_cause(struct uart_dev *u, struct vm *vm)
{
	if ((u->ier & IER_RDI) && uart_rx_ready(vm))
		return IIR_RDI;
	if ((u->ier & IER_THRI) && u->thr_ipending)
		return IIR_THRI;
	return IIR_NO_INT;
}

static void uart_update_irq(struct uart_dev *u, struct vm *vm)
{
	bool level = uart_iir_cause(u, vm) != IIR_NO_INT;

	if (level != u->irq_level) {
		u->irq_level = level;
		irq_line_set(&u->irq, level);
	}
}

void uart_input_ready(struct uart_dev *u, struct vm *vm)
{
	uart_update_irq(u, vm);
}

bool uart_rx_irq_enabled(const struct uart_dev *u)
{
	return u->ier & IER_RDI;
}

static uint8_t uart_read(struct uart_dev *u, struct vm *vm, unsigned reg)
{
	switch (reg) {
	case UART_RBR_THR_DLL:
		if (u->lcr & LCR_DLAB)
			return u->dll;
		{
			int c = vm_console_getc_locked(vm);
			return c < 0 ? 0 : (uint8_t)c;
		}
	case UART_IER_DLM:
		return (u->lcr & LCR_DLAB) ? u->dlm : u->ier;
	case UART_IIR_FCR: {
		uint8_t cause = uart_iir_cause(u, vm);
		/* Reading IIR while it reports "transmitter empty" clears it. */
		if (cause == IIR_THRI)
			u->thr_ipending = false;
		return cause | ((u->fcr & 1) ? IIR_FIFO_ON : 0);
	}
	case UART_LCR:
		return u->lcr;
	case UART_MCR:
		return u->mcr;
	case UART_LSR:
		return LSR_THRE | LSR_TEMT | (uart_rx_ready(vm) ? LSR_DR : 0);
	case UART_MSR:
		return (u->mcr & MCR_LOOP) ? 0 : MSR_IDLE;
	case UART_SCR:
		return u->scr;
	}
	return 0;
}

static void uart_write(struct uart_dev *u, struct vm *vm, unsigned reg, uint8_t val)
{
	switch (reg) {
	case UART_RBR_THR_DLL:
		if (u->lcr & LCR_DLAB) {
			u->dll = val;
		} else {
			char c = (char)val;
			vm_console_write(vm, &c, 1);
			/* Sent at once: the holding register is empty again. */
			u->thr_ipending = true;
		}
		break;
	case UART_IER_DLM:
		if (u->lcr & LCR_DLAB) {
			u->dlm = val;
		} else {
			/* Enabling THRI with the transmitter empty owes an interrupt. */
			if ((val & IER_THRI) && !(u->ier & IER_THRI))
				u->thr_ipending = true;
			u->ier = val & 0x0f;
		}
		break;
	case UART_IIR_FCR:
		u->fcr = val;
		break;
	case UART_LCR:
		u->lcr = val;
		break;
	case UART_MCR:
		u->mcr = val & 0x1f;
		break;
	case UART_SCR:
		u->scr = val;
		break;
	default:        /* LSR and MSR are read-only */
		break;
	}
}

/* Byte registers at offsets 0-7. The DTB gives the UART 0x100 bytes, but
 * QEMU 7.2's serial-mm region is the 8 registers alone: past them nothing
 * answers and the access faults (measured by tests/fidelity: lb at
 * 0x10000008 and 0x100000ff, and the upper part of lhu at 0x10000007,
 * take a load access fault). */
static int uart_access(struct mmio_device *dev, struct vm *vm, struct mmio_access *a)
{
	struct uart_dev *u = dev->priv;

	if (a->offset >= UART_REGS)
		return -1;
	if (a->write)
		uart_write(u, vm, (unsigned)a->offset, (uint8_t)a->value);
	else
		a->value = uart_read(u, vm, (unsigned)a->offset);
	uart_update_irq(u, vm);
	return 0;
}

void uart_init(struct uart_dev *u)
{
	*u = (struct uart_dev){
		/* As OpenSBI 1.1's uart8250_init leaves QEMU's UART for an S-mode
		 * payload: 8N1, FIFO on, divisor 2 (3.6864 MHz / 16 / 115200). */
		.lcr = 0x03, .fcr = 0x01, .dll = 2,
	};
}

/* The first UART of a VM is its console: input goes there. */
static bool uart_create(struct device *d)
{
	struct uart_dev *u = d->state;

	uart_init(u);
	u->irq = d->irq;
	if (d->vm->console == NULL)
		d->vm->console = u;
	return true;
}

/* A VM reset: back to what OpenSBI leaves (bare QEMU resets its 16550 and
 * OpenSBI programs it again); the PLIC forgot the line's level. */
static void uart_reset(struct device *d)
{
	struct uart_dev *u = d->state;
	struct irq_line irq = u->irq;

	uart_init(u);
	u->irq = irq;
}

const struct device_model uart_model = {
	.name = "uart",
	.state_size = sizeof(struct uart_dev),
	.create = uart_create,
	.reset = uart_reset,
	.access = uart_access,
};
