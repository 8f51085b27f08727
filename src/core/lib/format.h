/* printf-style formatting into a buffer: %s %c %d %i %u %x %p %%, with
 * l/ll/z length modifiers, 0 padding and a field width. */
#ifndef CORE_LIB_FORMAT_H
#define CORE_LIB_FORMAT_H

#include <stdarg.h>
#include <stddef.h>

/* Returns the number of characters written (truncated to size - 1, NUL-terminated). */
size_t format_v(char *buf, size_t size, const char *fmt, va_list ap);
size_t format(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
