/*
 * The RISC-V part of a vCPU: guest registers, the virtual CSR file and the
 * virtual privilege. Core code never looks inside (style.md, section 5).
 */
#ifndef ARCH_RISCV_VCPU_ARCH_H
#define ARCH_RISCV_VCPU_ARCH_H

#include <stdbool.h>
#include <stdint.h>

struct hart;
struct engine;

/* Virtual privilege of the guest: what it believes it runs in. */
enum vpriv {
	VPRIV_U = 0,
	VPRIV_S = 1,
};

struct vcpu_regs {
	uint64_t x[32];     /* x[0] is never read: the zero register */
	uint64_t pc;
};

/*
 * The virtual S-mode CSR file (Privileged ISA v1.12, chapter 4). Each field
 * holds what the guest would read back; writes are legalised by the
 * per-CSR routines of vcsr.c.
 */
struct vcsr {
	uint64_t sstatus;   /* without SD: computed on read */
	uint64_t sie;
	uint64_t sip;       /* SSIP as written by the guest or an IPI; STIP, SEIP driven by Trapeze */
	uint64_t stvec;
	uint64_t scounteren;
	uint64_t senvcfg;
	uint64_t sscratch;
	uint64_t sepc;
	uint64_t scause;
	uint64_t stval;
	uint64_t satp;
	uint64_t stimecmp;  /* what the guest reads back from stimecmp (with Sstc) */
	uint64_t htimedelta;    /* OpenSBI's emulation of it on CPUs without H (vcsr.c) */
};

struct fp_state {
	uint64_t f[32];
	uint64_t fcsr;
};

struct vcpu_arch {
	struct vcpu_regs regs;  /* offset 0: entry.S saves here (asm_offsets.h) */
	uint64_t host_sp;       /* VCPU_HOST_SP: the current hart's stack top */
	uint64_t host_tp;       /* VCPU_HOST_TP: the current struct hart */
	struct vcsr csr;
	enum vpriv vpriv;
	/* The virtual timer (SBI set_timer, and the stimecmp CSR with Sstc):
	 * STIP is pending while time >= timer_deadline. UINT64_MAX until the
	 * guest first programs it: QEMU raises STIP only once stimecmp has
	 * been written, whatever its reset value. */
	uint64_t timer_deadline;
	uint64_t host_satp;     /* satp loaded while this vCPU runs */
	/* What host_satp was chosen for: reselected when any of these change. */
	uint64_t root_for_satp;
	enum vpriv root_for_vpriv;
	uint64_t root_for_gen;
	bool root_valid;
	struct fp_state fp;
	/* The last instruction page translated through the guest's tables, for
	 * fetching the instruction of the next trap without a walk; valid
	 * while satp, the privilege and the shadow generation stay. */
	struct fetch_cache {
		bool valid;
		enum vpriv vpriv;
		uint64_t satp, gen, va_page, gpa_page;
	} fetch;
	bool lr_valid;          /* LR/SC reservation, for emulated accesses (emulate_mem.c) */
	uint64_t lr_addr;
	const struct engine *engine;
};

#endif
