/* Offsets into struct vcpu and struct hart used by entry.S; checked by
 * _Static_assert in vcpu.c and hart.c so they cannot drift. */
#ifndef ARCH_RISCV_ASM_OFFSETS_H
#define ARCH_RISCV_ASM_OFFSETS_H
#define VCPU_PC         (32 * 8)
#define VCPU_HOST_SP    (33 * 8)
#define VCPU_HOST_TP    (34 * 8)
#define VCPU_VCPU       (35 * 8)
#define HART_STACK_TOP  0
#endif
