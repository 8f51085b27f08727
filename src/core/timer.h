/*
 * The one real timer per hart, multiplexed between Trapeze's scheduling
 * ticks and the virtual timer of the vCPU it runs: it is armed for the
 * earlier of the two (blocked vCPUs' deadlines count when the hart idles,
 * else at the next tick). Implemented by the architecture (RISC-V: with
 * Sstc the hart's own stimecmp, which is also what OpenSBI's set_timer
 * programs then; without it, SBI set_timer).
 */
#ifndef CORE_TIMER_H
#define CORE_TIMER_H

#include <stdint.h>

/* Arm this hart's timer for deadline (absolute, time-CSR ticks). */
void timer_arm(uint64_t deadline);
/* The timer fired: make sure it does not fire again for the same deadline. */
void timer_handle_irq(void);
/* Microseconds to ticks. */
uint64_t timer_us_to_ticks(uint64_t us);

#endif
