/* The virtual ns16550A: registers as OpenSBI leaves them, output, input,
 * and its interrupt line (QEMU serial.c semantics). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "core/vm.h"
#include "dev/uart.h"

static struct vm vm;
static char out[64];
static size_t out_len;
static const char *in;
static int line = -1;
static unsigned line_changes;

/* Fakes of what the model calls. */
void vm_console_write(struct vm *v, const char *buf, size_t len)
{
	(void)v;
	memcpy(out + out_len, buf, len);
	out_len += len;
}

bool vm_console_poll_locked(struct vm *v)
{
	(void)v;
	return in && *in;
}

int vm_console_getc_locked(struct vm *v)
{
	(void)v;
	return in && *in ? *in++ : -1;
}

/* The UART raises its line through its irq handle, never the PLIC. */
void irq_line_set(const struct irq_line *l, bool level)
{
	assert_ptr_equal(l->vm, &vm);
	assert_int_equal(l->source, BOARD_UART_IRQ);
	line = level;
	line_changes++;
}

static struct uart_dev uart;
static struct mmio_device uart_mmio = { .name = "uart", .priv = &uart };

static uint64_t rd(unsigned off)
{
	struct mmio_access a = { .offset = off, .width = 1 };
	assert_int_equal(uart_model.access(&uart_mmio, &vm, &a), 0);
	return a.value;
}

static void wr(unsigned off, uint8_t val)
{
	struct mmio_access a = { .offset = off, .width = 1, .write = true, .value = val };
	assert_int_equal(uart_model.access(&uart_mmio, &vm, &a), 0);
}

static int setup(void **state)
{
	(void)state;
	memset(&vm, 0, sizeof(vm));
	/* As device_create does it: zeroed state, the board's line. */
	struct device d = { .model = &uart_model, .vm = &vm, .state = &uart,
			    .irq = { &vm, BOARD_UART_IRQ } };
	memset(&uart, 0xa5, sizeof(uart));
	assert_true(uart_model.create(&d));
	assert_ptr_equal(vm.console, &uart);
	out_len = 0;
	in = NULL;
	line = -1;
	line_changes = 0;
	return 0;
}

static void test_uart_state_as_opensbi_leaves_it(void **state)
{
	(void)state;
	assert_int_equal(rd(3), 0x03);          /* LCR 8N1 */
	assert_int_equal(rd(2), 0xc1);          /* IIR: FIFO on, no interrupt */
	assert_int_equal(rd(5), 0x60);          /* LSR: THRE | TEMT */
	assert_int_equal(rd(1), 0);             /* IER */
	wr(3, 0x83);                            /* DLAB */
	assert_int_equal(rd(0), 2);             /* divisor 2 */
	assert_int_equal(rd(1), 0);
	wr(3, 0x03);
}

static void test_uart_output_and_input(void **state)
{
	(void)state;
	wr(0, 'h');
	wr(0, 'i');
	assert_int_equal(out_len, 2);
	assert_memory_equal(out, "hi", 2);
	in = "ab";
	assert_int_equal(rd(5) & 1, 1);         /* DR */
	assert_int_equal(rd(0), 'a');
	assert_int_equal(rd(0), 'b');
	assert_int_equal(rd(5) & 1, 0);
	assert_int_equal(rd(0), 0);
}

static void test_uart_scratch_and_holes(void **state)
{
	(void)state;
	wr(7, 0x5a);
	assert_int_equal(rd(7), 0x5a);
	/* Past the registers, inside the DTB's region: nothing answers on
	 * QEMU, the access faults (-1: the dispatcher injects it). */
	for (unsigned off = 8; off < BOARD_UART_SIZE; off += 0x77) {
		struct mmio_access r = { .offset = off, .width = 1 };
		struct mmio_access w = { .offset = off, .width = 1, .write = true, .value = 1 };
		assert_int_equal(uart_model.access(&uart_mmio, &vm, &r), -1);
		assert_int_equal(uart_model.access(&uart_mmio, &vm, &w), -1);
	}
	wr(5, 0);                               /* LSR is read-only */
	assert_int_equal(rd(5), 0x60);
}

static void test_uart_thr_empty_interrupt(void **state)
{
	(void)state;
	wr(1, 0x02);                            /* enable THRI: owed at once */
	assert_int_equal(line, 1);
	assert_int_equal(rd(2) & 0x0f, 0x02);   /* IIR says THRI, and reading clears it */
	assert_int_equal(line, 0);
	assert_int_equal(rd(2) & 0x0f, 0x01);
	wr(0, 'x');                             /* sent: empty again */
	assert_int_equal(line, 1);
	wr(1, 0x00);
	assert_int_equal(line, 0);
}

static void test_uart_rx_interrupt_has_priority(void **state)
{
	(void)state;
	wr(1, 0x03);                            /* RDI and THRI */
	in = "k";
	uart_input_ready(&uart, &vm);
	assert_int_equal(line, 1);
	assert_int_equal(rd(2) & 0x0f, 0x04);   /* received data first */
	assert_int_equal(rd(0), 'k');
	assert_int_equal(rd(2) & 0x0f, 0x02);   /* then the transmitter */
	assert_int_equal(line, 0);              /* and that read cleared it */
}

static void test_uart_no_interrupt_without_ier(void **state)
{
	(void)state;
	in = "z";
	uart_input_ready(&uart, &vm);
	wr(0, 'q');
	assert_int_equal(line_changes, 0);
}

/* A VM reset puts the UART back as OpenSBI leaves it, on the same line,
 * and says the guest no longer waits for input by interrupt. */
static void test_uart_reset_keeps_line(void **state)
{
	(void)state;
	struct device d = { .model = &uart_model, .vm = &vm, .state = &uart };

	wr(1, 0x01);
	wr(3, 0x80);
	assert_true(uart_rx_irq_enabled(&uart));
	uart_model.reset(&d);
	assert_false(uart_rx_irq_enabled(&uart));
	assert_int_equal(rd(3), 0x03);
	wr(1, 0x02);                            /* THRI still reaches the board's line */
	assert_int_equal(line, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_uart_state_as_opensbi_leaves_it, setup),
		cmocka_unit_test_setup(test_uart_output_and_input, setup),
		cmocka_unit_test_setup(test_uart_scratch_and_holes, setup),
		cmocka_unit_test_setup(test_uart_thr_empty_interrupt, setup),
		cmocka_unit_test_setup(test_uart_rx_interrupt_has_priority, setup),
		cmocka_unit_test_setup(test_uart_no_interrupt_without_ier, setup),
		cmocka_unit_test_setup(test_uart_reset_keeps_line, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
