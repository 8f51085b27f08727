/* The RISC-V part of a VM: its host address spaces. Core code never looks inside. */
#ifndef ARCH_RISCV_VM_ARCH_H
#define ARCH_RISCV_VM_ARCH_H

#include <stdbool.h>
#include <stdint.h>
#include "arch/riscv/shadow.h"

struct vm_arch {
	uint64_t bare_root;         /* host root while the guest runs with satp = Bare */
	uint64_t bare_asid;
	struct shadow_ops shadow_ops;
	struct shadow_vm shadow;    /* while it runs with paging on */
};

/* The PMP of the M-mode firmware lets S-mode reach [gpa, gpa + len)
 * (what bare QEMU checks for every access, and for every PTE it reads). */
bool vm_arch_pmp_allows(uint64_t gpa, uint64_t len);

#endif
