/*
 * SBI v3.0, STA extension: the state Trapeze keeps for it per vCPU
 * (struct vcpu, field sbi.sta) and per VM (struct vm, field sbi.sta), and
 * the two calls the scheduler makes into it (sched.c), which does the
 * steal-time accounting itself (vcpu->steal_ticks).
 */
#ifndef CORE_SBI_SBI_STA_H
#define CORE_SBI_SBI_STA_H

#include <stdbool.h>
#include <stdint.h>

struct vcpu;

/* SBI v3.0, chapter 16 (Steal-time Accounting Extension), Table "STA
 * Shared Memory Structure": 64 bytes, little-endian. */
#define SBI_STA_SET_SHMEM           0       /* FID */
#define SBI_STA_SHMEM_SIZE          64
#define SBI_STA_OFF_SEQUENCE        0       /* u32, then flags u32 (always 0) */
#define SBI_STA_OFF_STEAL           8       /* u64, nanoseconds */
#define SBI_STA_OFF_PREEMPTED       16      /* u8, then 47 bytes of pad */
#define SBI_STA_SHMEM_DISABLE       (~0UL)  /* lo and hi both: stop reporting */

/*
 * Zero-initialised means "not registered": a vCPU that never ran the
 * vcpu_reset hook (a fake, a fuzz input) reports nothing.
 */
struct sbi_sta_vcpu {
	bool enabled;           /* a record is registered */
	uint32_t sequence;      /* the record's sequence as last written: even */
	uint64_t shmem;         /* guest-physical address of the record */
	uint64_t steal_base;    /* vcpu->steal_ticks when it was registered: the record counts from there */
};

/* Steal time is a vCPU's own: nothing per VM. */
struct sbi_sta_vm {
	uint64_t reserved;
};

/*
 * The scheduler is about to run v again after it waited for a hart
 * (vcpu->steal_ticks grew): if v registered a record, write its steal time
 * with the sequence protocol and clear `preempted`. Runs on the hart that
 * picked v, before v runs, so nothing else writes the record meanwhile.
 */
void sbi_sta_record_steal(struct vcpu *v);
/* v was preempted (its slice ended while it could still run): set
 * `preempted` in its record until sbi_sta_record_steal clears it. Runs
 * before v is queued, so no other hart has it yet. */
void sbi_sta_mark_preempted(struct vcpu *v);

#endif
