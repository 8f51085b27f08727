#include "core/console.h"

#include <stdarg.h>
#include "core/arch.h"
#include "core/hostirq.h"
#include "core/lib/format.h"
#include "core/lib/spinlock.h"
#include "core/machine.h"
#include "core/platform.h"
#include "dev/ns16550_host.h"
#include "trapeze/console_proto.h"

static struct spinlock console_lock;

/* The framed stream (trapeze/console_proto.h): the channel the bytes
 * written last belong to, so a switch is sent only when it changes. */
#define CHAN_LOG    (-1)
#define CHAN_REPLY  (-2)
static bool framed;
static int cur_chan = CHAN_LOG;
/* The hart running a monitor command: its log lines are the reply. */
static int reply_cpu = -1;

void console_set_framed(bool on)
{
	framed = on;
}

static void console_chan_locked(int chan)
{
	if (!framed || chan == cur_chan)
		return;
	ns16550_host_putc(CONSOLE_ESC);
	if (chan >= 0) {
		ns16550_host_putc(CONSOLE_CHAN_VM);
		ns16550_host_putc((char)('0' + chan));
	} else {
		ns16550_host_putc(chan == CHAN_REPLY ? CONSOLE_REPLY_BEGIN : CONSOLE_CHAN_LOG);
	}
	cur_chan = chan;
}

static void console_bytes_locked(const char *buf, size_t len)
{
	/* Bytes go out unchanged: a lone VM's console passes through as is. */
	for (size_t i = 0; i < len; i++) {
		if (framed && buf[i] == CONSOLE_ESC)
			ns16550_host_putc(CONSOLE_ESC);
		ns16550_host_putc(buf[i]);
	}
}

static void console_write_chan(int chan, const char *buf, size_t len)
{
	spin_lock(&console_lock);
	console_chan_locked(chan);
	console_bytes_locked(buf, len);
	spin_unlock(&console_lock);
}

void console_write(const char *buf, size_t len)
{
	console_write_chan(CHAN_LOG, buf, len);
}

void console_write_vm(unsigned vm, const char *buf, size_t len)
{
	console_write_chan((int)vm, buf, len);
}

void console_event(char kind, unsigned vm)
{
	if (!framed)
		return;
	spin_lock(&console_lock);
	ns16550_host_putc(CONSOLE_ESC);
	ns16550_host_putc(kind);
	ns16550_host_putc((char)('0' + vm));
	spin_unlock(&console_lock);
}

void console_reply_begin(void)
{
	spin_lock(&console_lock);
	reply_cpu = (int)arch_cpu_index();
	spin_unlock(&console_lock);
}

void console_reply_end(void)
{
	spin_lock(&console_lock);
	reply_cpu = -1;
	if (framed) {
		ns16550_host_putc(CONSOLE_ESC);
		ns16550_host_putc(CONSOLE_REPLY_END);
		cur_chan = CHAN_LOG;
	}
	spin_unlock(&console_lock);
}

int console_getc(void)
{
	spin_lock(&console_lock);
	int c = ns16550_host_getc();
	spin_unlock(&console_lock);
	return c;
}

bool console_input_irq_init(void (*handler)(void *ctx))
{
	if (platform.uart_irq == 0 || !hostirq_register(platform.uart_irq, handler, NULL))
		return false;
	console_input_irq(true);
	return true;
}

void console_input_irq(bool on)
{
	ns16550_host_rx_irq(on);
}

static void log_line(const char *fmt, va_list ap)
{
	char line[256];
	/* A monitor command's output is its reply, without the log prefix. */
	bool reply = framed && reply_cpu >= 0 && reply_cpu == (int)arch_cpu_index();
	size_t n = reply ? 0 : format(line, sizeof(line), "trapeze: ");

	n += format_v(line + n, sizeof(line) - n - 1, fmt, ap);
	line[n++] = '\n';
	console_write_chan(reply ? CHAN_REPLY : CHAN_LOG, line, n);
}

void log_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_line(fmt, ap);
	va_end(ap);
}

void panic(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_line(fmt, ap);
	va_end(ap);
	log_info("panic: stopping the machine");
	machine_exit(70);
}
