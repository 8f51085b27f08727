/*
 * The virtual CSR file: one read and one legalising write routine per
 * S-mode CSR (Privileged ISA v1.12, chapter 4), found through a table.
 * Routines see values and struct vcsr only; the WARL behaviour comes from
 * the host CPU itself (probe.c), so a guest reads back exactly what bare
 * hardware would give it.
 */
#ifndef ARCH_RISCV_VCSR_H
#define ARCH_RISCV_VCSR_H

#include <stdbool.h>
#include <stdint.h>

struct vcpu;

/* Virtual privilege of the guest: what it believes it runs in. */
enum vpriv {
	VPRIV_U = 0,
	VPRIV_S = 1,
};

/*
 * The virtual S-mode CSR file (Privileged ISA v1.12, chapter 4). Each field
 * holds what the guest would read back; writes are legalised by the
 * per-CSR routines of vcsr.c. sip's SSIP, STIP and SEIP are not stored
 * here: they are the vCPU's virtual interrupts (core/vcpu.h).
 */
struct vcsr {
	uint64_t sstatus;   /* without SD: computed on read */
	uint64_t sie;
	uint64_t sip;       /* the writable bits other than SSIP (LCOFIP where it exists) */
	uint64_t stvec;
	uint64_t scounteren;
	uint64_t senvcfg;
	uint64_t sscratch;
	uint64_t sepc;
	uint64_t scause;
	uint64_t stval;
	uint64_t satp;
	uint64_t stimecmp;  /* its reset value, until the guest programs the timer */
	uint64_t htimedelta;    /* OpenSBI's emulation of it on CPUs without H (vcsr.c) */
};

struct vcsr_desc {
	uint16_t num;
	const char *name;
	bool (*present)(void);
	uint64_t (*read)(struct vcpu *v);
	void (*write)(struct vcpu *v, uint64_t val);    /* legalises, then stores */
};

/* NULL when the CSR is not in the virtual CPU. */
const struct vcsr_desc *vcsr_find(unsigned num);
unsigned vcsr_slot(const struct vcsr_desc *d);      /* for statistics */
const struct vcsr_desc *vcsr_at(unsigned slot);     /* NULL past the end */

/* The guest's sstatus as it would read it (SD computed, FS merged). */
uint64_t vcsr_sstatus_read(struct vcpu *v);
/* The guest's sip: software-set bits plus timer and external state. */
uint64_t vcsr_sip_read(struct vcpu *v);
/* sie as the vCPU's virtual interrupts (VIRQ_* bits) it enables. */
uint64_t vcsr_virq_enabled(const struct vcpu *v);

#endif
