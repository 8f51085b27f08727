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

#endif
