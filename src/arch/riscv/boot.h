#ifndef ARCH_RISCV_BOOT_H
#define ARCH_RISCV_BOOT_H

#include <stdint.h>

/* The boot tables (boot.c): also Trapeze's own address space afterwards. */
extern uint64_t boot_l39[512], boot_l48[512], boot_l57[512];
extern uint64_t boot_satp;
extern uint64_t boot_satp_modes;    /* bit m: satp MODE m accepted */
extern uint64_t boot_asid_mask;
extern char _start_image[], _end_image[];

uint64_t boot_enable_paging(void);

#endif
