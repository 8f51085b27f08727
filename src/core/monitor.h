/*
 * The monitor and the framed console (trapeze/console_proto.h): console
 * input routed to the VM in focus, monitor commands read from the same
 * stream and run on a hart's tick, VM output passed to the launcher on
 * the VM's channel under a per-VM rate limit.
 */
#ifndef CORE_MONITOR_H
#define CORE_MONITOR_H

#include <stdbool.h>
#include <stddef.h>

struct vm;

/* Console input by interrupt where the host allows it, else polled (at
 * slice ends and on idle harts). */
void monitor_input_init(void);
/* Input arrived since the last look: the caller runs vm_console_input_tick.
 * One relaxed load when nothing came (the resume path asks each time). */
bool monitor_input_due(void);
/* The same question without taking the answer: input waits (a later
 * monitor_input_due will say so). */
bool monitor_input_waiting(void);
/* Read what the host UART has: input bytes into the focused VM's queue
 * (until it is full), focus changes, a monitor command line. Any hart,
 * any lock but the console's held. */
void monitor_input_pull(void);
/* Run a monitor command that has arrived. On a tick or an idle hart,
 * no lock held. */
void monitor_poll(void);
/* The VM console input goes to: the one chosen, else the first running. */
struct vm *monitor_focus(void);
/* A VM's console output, on its channel, within its rate limit. */
void monitor_console_out(struct vm *vm, const char *buf, size_t len);

/* Console output a VM may burst, and what it may then send per second:
 * beyond, bytes are dropped and counted (a flooding guest must not take
 * the shared serial line, or the harts spinning on its lock, from others). */
#define MONITOR_OUT_BURST   (256u * 1024)
#define MONITOR_OUT_RATE    (64u * 1024)

#endif
