/*
 * The "sifive,test" finisher of QEMU virt (hw/misc/sifive_test.c), which
 * the guest DTB describes as a syscon for syscon-poweroff/syscon-reboot
 * and which OpenSBI and bare-metal tests write to end a run.
 */
#ifndef DEV_SYSCON_H
#define DEV_SYSCON_H

#include <stdbool.h>
#include <stdint.h>
#include "dev/device.h"
#include "trapeze/board.h"


/* Values written to offset 0; bits 31:16 of a FAIL write carry an exit
 * code, which QEMU passes to exit() and Trapeze drops (a VM ends CLEAN or
 * FAILURE). */
#define SYSCON_FINISHER_FAIL    0x3333
#define SYSCON_FINISHER_PASS    0x5555
#define SYSCON_FINISHER_RESET   0x7777

/*
 * The syscon handler returns MMIO_HALT (mmio.h) after a write that powered
 * the VM off (vm_power_off: its vCPUs are halted) or reset it (vm_reboot:
 * the writing vCPU's pc is now the entry point): the pc must not advance.
 */

/* No state: the finisher's writes act on its VM at once. */
extern const struct device_model syscon_model;

#endif
