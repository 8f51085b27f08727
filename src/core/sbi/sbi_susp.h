/*
 * SBI v3.0, SUSP extension: the state Trapeze keeps for it per vCPU
 * (struct vcpu, field sbi.susp) and per VM (struct vm, field sbi.susp).
 * Whether a VM is asleep is the scheduler's (vm->suspended, sched_suspend):
 * it is what the scheduler and the hang watchdog act on.
 */
#ifndef CORE_SBI_SBI_SUSP_H
#define CORE_SBI_SBI_SUSP_H

#include <stdint.h>

#define SBI_SUSP_SYSTEM_SUSPEND     0       /* FID */

/* SBI v3.0, chapter 13 (System Suspend Extension), Table "SUSP System
 * Sleep Types" (32 bits wide). */
#define SBI_SUSP_SLEEP_TYPE_SUSPEND_TO_RAM  0x00000000U
#define SBI_SUSP_SLEEP_TYPE_PLATFORM        0x80000000U /* first platform-specific type */

/* The suspending vCPU's wait is the scheduler's (a block, as in WFI): no
 * SUSP state per vCPU. */
struct sbi_susp_vcpu {
	uint64_t reserved;
};

struct sbi_susp_vm {
	uint64_t suspends;      /* successful system_suspend calls since the VM was loaded */
};

#endif
