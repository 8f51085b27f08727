/*
 * The physical console, shared by Trapeze's log and every VM's output
 * (design.md, Resource management: console multiplexing).
 */
#ifndef CORE_CONSOLE_H
#define CORE_CONSOLE_H

#include <stddef.h>

void console_write(const char *buf, size_t len);    /* atomic with respect to other harts */
int console_getc(void);                             /* -1 when no input */
/* One log line, prefixed "trapeze: ", newline added. */
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Our own invariants only: a guest must never be able to reach this. */
_Noreturn void panic(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
