/*
 * SBI v3.0, SSE extension: the state Trapeze keeps for it per vCPU
 * (struct vcpu, field sbi.sse) and per VM (struct vm, field sbi.sse), and
 * the numbers of chapter "Supervisor Software Events Extension" (EID
 * 0x535345 "SSE").
 */
#ifndef CORE_SBI_SBI_SSE_H
#define CORE_SBI_SBI_SSE_H

#include <stdbool.h>
#include <stdint.h>

#include "core/lib/spinlock.h"

struct vcpu;

/* Table "SSE Function List". */
#define SBI_SSE_READ_ATTRS      0
#define SBI_SSE_WRITE_ATTRS     1
#define SBI_SSE_REGISTER        2
#define SBI_SSE_UNREGISTER      3
#define SBI_SSE_ENABLE          4
#define SBI_SSE_DISABLE         5
#define SBI_SSE_COMPLETE        6
#define SBI_SSE_INJECT          7
#define SBI_SSE_HART_UNMASK     8
#define SBI_SSE_HART_MASK       9

/* Table "SSE Event ID Space": the standard events (32-bit ids; bit 15 =
 * global, bit 14 = platform-specific). Only the two software-injected
 * ones can be raised here; the others depend on what the virtual CPU and
 * the host firmware lack (RAS error reporting, a double trap extension,
 * Sscofpmf for PMU overflow), so they are SBI_ERR_NOT_SUPPORTED. */
#define SBI_SSE_EVENT_LOCAL_HIGH_PRIO_RAS   0x00000000U
#define SBI_SSE_EVENT_LOCAL_DOUBLE_TRAP     0x00000001U
#define SBI_SSE_EVENT_GLOBAL_HIGH_PRIO_RAS  0x00008000U
#define SBI_SSE_EVENT_LOCAL_PMU_OVERFLOW    0x00010000U
#define SBI_SSE_EVENT_LOCAL_LOW_PRIO_RAS    0x00100000U
#define SBI_SSE_EVENT_GLOBAL_LOW_PRIO_RAS   0x00108000U
#define SBI_SSE_EVENT_LOCAL_SOFTWARE        0xffff0000U
#define SBI_SSE_EVENT_GLOBAL_SOFTWARE       0xffff8000U
#define SBI_SSE_EVENT_GLOBAL_BIT            0x00008000U

/* Table "SSE Event Attributes": ids 0..9, each XLEN bits wide. */
#define SBI_SSE_ATTR_STATUS             0
#define SBI_SSE_ATTR_PRIORITY           1
#define SBI_SSE_ATTR_CONFIG             2
#define SBI_SSE_ATTR_PREFERRED_HART     3
#define SBI_SSE_ATTR_ENTRY_PC           4
#define SBI_SSE_ATTR_ENTRY_ARG          5
#define SBI_SSE_ATTR_INTERRUPTED_SEPC   6
#define SBI_SSE_ATTR_INTERRUPTED_FLAGS  7
#define SBI_SSE_ATTR_INTERRUPTED_A6     8
#define SBI_SSE_ATTR_INTERRUPTED_A7     9
#define SBI_SSE_ATTR_COUNT              10

/* STATUS: bits [1:0] the state, bit 2 pending, bit 3 injectable. */
#define SBI_SSE_STATE_UNUSED        0
#define SBI_SSE_STATE_REGISTERED    1
#define SBI_SSE_STATE_ENABLED       2
#define SBI_SSE_STATE_RUNNING       3
#define SBI_SSE_STATUS_PENDING      (1UL << 2)
#define SBI_SSE_STATUS_INJECTABLE   (1UL << 3)
/* CONFIG: bit 0 one-shot (disabled again by complete); the rest reserved. */
#define SBI_SSE_CONFIG_ONESHOT      (1UL << 0)
/* INTERRUPTED_FLAGS: sstatus.SPP, sstatus.SPIE, hstatus.SPV, hstatus.SPVP,
 * sstatus.SPELP, sstatus.SDT; the rest reserved. The virtual CPU has no
 * H, Zicfilp or Ssdbltrp, so only the first two are ever set at entry; the
 * other four may be written while RUNNING and have no state to restore. */
#define SBI_SSE_FLAG_SPP            (1UL << 0)
#define SBI_SSE_FLAG_SPIE           (1UL << 1)
#define SBI_SSE_FLAG_SPV            (1UL << 2)
#define SBI_SSE_FLAG_SPVP           (1UL << 3)
#define SBI_SSE_FLAG_SPELP          (1UL << 4)
#define SBI_SSE_FLAG_SDT            (1UL << 5)
#define SBI_SSE_FLAGS_VALID         0x3fUL

/* One software event as one hart (local) or every hart (global) sees it:
 * its state and attributes. */
struct sbi_sse_event {
	uint8_t state;              /* SBI_SSE_STATE_* */
	bool pending;
	uint32_t priority;          /* lower value, higher priority */
	uint64_t config;
	uint64_t preferred_hart;    /* global events only; a local one is its hart's */
	uint64_t entry_pc, entry_arg;
	uint64_t interrupted_sepc, interrupted_flags, interrupted_a6, interrupted_a7;
	uint64_t running_hart;      /* RUNNING: the hart whose handler runs it */
};

struct sbi_sse_vcpu {
	struct sbi_sse_event local;     /* LOCAL_SOFTWARE on this hart */
	bool unmasked;                  /* hart_unmask: masked at boot */
	/* Set (under the VM's lock) whenever an event may have become
	 * deliverable here; the only thing guest entry looks at while it is
	 * clear, so a guest that never calls SSE pays one load (atomic). */
	uint32_t recheck;
};

struct sbi_sse_vm {
	/* Every SSE state of the VM: its global event and each vCPU's. */
	struct spinlock lock;
	struct sbi_sse_event global;    /* GLOBAL_SOFTWARE */
};

/*
 * At every entry to the guest of v (sched.c), before its virtual
 * interrupts: when an enabled, pending event may be taken on this hart
 * (unmasked, and of higher priority than any event it is handling), the
 * vCPU enters its handler through the engine's sse_enter (SBI v3.0,
 * "Software Event Injection"). A no-op unless the guest used SSE.
 */
void sbi_sse_deliver(struct vcpu *v);
/* Whether sbi_sse_deliver has anything to look at for v (one atomic
 * load): false for guests that never used SSE. */
bool sbi_sse_due(const struct vcpu *v);

#endif
