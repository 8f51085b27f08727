#include "core/console.h"

#include <stdarg.h>
#include "core/lib/format.h"
#include "core/lib/spinlock.h"
#include "core/machine.h"
#include "dev/ns16550_host.h"

static struct spinlock console_lock;

void console_write(const char *buf, size_t len)
{
	spin_lock(&console_lock);
	/* Bytes go out unchanged: a lone VM's console passes through as is. */
	for (size_t i = 0; i < len; i++)
		ns16550_host_putc(buf[i]);
	spin_unlock(&console_lock);
}

int console_getc(void)
{
	spin_lock(&console_lock);
	int c = ns16550_host_getc();
	spin_unlock(&console_lock);
	return c;
}

static void log_line(const char *fmt, va_list ap)
{
	char line[256];
	size_t n = format(line, sizeof(line), "trapeze: ");

	n += format_v(line + n, sizeof(line) - n - 1, fmt, ap);
	line[n++] = '\n';
	console_write(line, n);
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
