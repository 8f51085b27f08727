/*
 * A printf subset: %s %c %d %u %x %p with l/ll, '0' flag and width; "\n" is
 * sent as "\r\n" like OpenSBI's console does.
 */
#include <stdarg.h>
#include "guest.h"

static void out_char(char c)
{
	if (c == '\n')
		uart_put_char('\r');
	uart_put_char(c);
}

static int out_number(unsigned long v, unsigned base, int neg, int width, char pad)
{
	char buf[24];
	int n = 0, len;

	do {
		buf[n++] = "0123456789abcdef"[v % base];
		v /= base;
	} while (v);
	len = n + neg;
	if (neg && pad == '0')
		out_char('-');
	for (int w = width; w > len; w--)
		out_char(pad);
	if (neg && pad != '0')
		out_char('-');
	while (n)
		out_char(buf[--n]);
	return len > width ? len : width;
}

int printf(const char *fmt, ...)
{
	va_list ap;
	int count = 0;

	va_start(ap, fmt);
	for (; *fmt; fmt++) {
		int lng = 0, width = 0;
		char pad = ' ';

		if (*fmt != '%') {
			out_char(*fmt);
			count++;
			continue;
		}
		fmt++;
		if (*fmt == '0')
			pad = '0';
		while (*fmt >= '0' && *fmt <= '9')
			width = width * 10 + (*fmt++ - '0');
		while (*fmt == 'l') {
			lng = 1;
			fmt++;
		}
		switch (*fmt) {
		case 'd': {
			long v = lng ? va_arg(ap, long) : va_arg(ap, int);
			unsigned long mag = v < 0 ? -(unsigned long)v : (unsigned long)v;

			count += out_number(mag, 10, v < 0, width, pad);
			break;
		}
		case 'u':
			count += out_number(lng ? va_arg(ap, unsigned long)
					    : va_arg(ap, unsigned), 10, 0, width, pad);
			break;
		case 'x':
			count += out_number(lng ? va_arg(ap, unsigned long)
					    : va_arg(ap, unsigned), 16, 0, width, pad);
			break;
		case 'p':
			out_char('0');
			out_char('x');
			count += 2 + out_number((unsigned long)va_arg(ap, void *),
						16, 0, width, pad);
			break;
		case 'c':
			out_char((char)va_arg(ap, int));
			count++;
			break;
		case 's': {
			const char *s = va_arg(ap, const char *);

			for (; *s; s++, count++)
				out_char(*s);
			break;
		}
		case '%':
			out_char('%');
			count++;
			break;
		default:        /* unknown conversion: print it as is */
			out_char('%');
			out_char(*fmt);
			count += 2;
			break;
		case '\0':
			fmt--;
			break;
		}
	}
	va_end(ap);
	return count;
}

int puts(const char *s)
{
	int n = 0;

	for (; *s; s++, n++)
		out_char(*s);
	out_char('\n');
	return n + 1;
}
