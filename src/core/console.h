/*
 * The physical console, shared by Trapeze's log and every VM's output
 * (design.md, Resource management: console multiplexing).
 */
#ifndef CORE_CONSOLE_H
#define CORE_CONSOLE_H

#include <stdbool.h>
#include <stddef.h>

void console_write(const char *buf, size_t len);    /* atomic with respect to other harts */
int console_getc(void);                             /* -1 when no input */
/* Input by the host UART's receive interrupt, through the host interrupt
 * controller (core/hostirq.h): false when either is missing. */
bool console_input_irq_init(void (*handler)(void *ctx));
/* The receive interrupt on or off (it is level-triggered: off until the
 * bytes waiting have been read). */
void console_input_irq(bool on);
/* The framed stream (trapeze/console_proto.h), when the launcher asks for it:
 * VM output on the VM's channel, events (focus, VM ended), and the monitor's
 * replies: between begin and end, log lines from the calling hart are the reply. */
void console_set_framed(bool on);
void console_write_vm(unsigned vm, const char *buf, size_t len);
void console_event(char kind, unsigned vm);
void console_reply_begin(void);
void console_reply_end(void);
/* One log line, prefixed "trapeze: ", newline added. */
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Our own invariants only: a guest must never be able to reach this. */
_Noreturn void panic(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
