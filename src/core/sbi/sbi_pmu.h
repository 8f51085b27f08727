/*
 * SBI v3.0, PMU extension (chapter 11, "Performance Monitoring Unit
 * Extension"): the state Trapeze keeps for it per vCPU (struct vcpu, field
 * sbi.pmu) and per VM (struct vm, field sbi.pmu), the firmware events the
 * rest of Trapeze counts, and what the extension asks of the architecture.
 *
 * The guest's counters are logical (the spec's counter_idx):
 *   0                 hardware, the `cycle` CSR (event SBI_PMU_HW_CPU_CYCLES)
 *   1                 hardware, the `instret` CSR (SBI_PMU_HW_INSTRUCTIONS)
 *   2 .. 2 + 16 - 1   firmware counters, any firmware event each
 * The hardware ones count only while the vCPU is on a hart (what the host
 * counters advance by between the vCPU's entry and its leaving the hart),
 * so one VM never reads another's counts: guest reads of `cycle` and
 * `instret` trap and Trapeze answers with these (sbi_pmu_read_csr).
 */
#ifndef CORE_SBI_SBI_PMU_H
#define CORE_SBI_SBI_PMU_H

#include <stdbool.h>
#include <stdint.h>

struct vcpu;
struct vm;

/* Function ids, chapter 11 "Function Listing". */
#define SBI_PMU_NUM_COUNTERS            0
#define SBI_PMU_COUNTER_GET_INFO        1
#define SBI_PMU_COUNTER_CFG_MATCH       2
#define SBI_PMU_COUNTER_START           3
#define SBI_PMU_COUNTER_STOP            4
#define SBI_PMU_COUNTER_FW_READ         5
#define SBI_PMU_COUNTER_FW_READ_HI      6
#define SBI_PMU_SNAPSHOT_SET_SHMEM      7
#define SBI_PMU_EVENT_GET_INFO          8

/* event_idx = type << 16 | code (20 bits). */
#define SBI_PMU_EVENT_TYPE_HW           0x0
#define SBI_PMU_EVENT_TYPE_CACHE        0x1
#define SBI_PMU_EVENT_TYPE_RAW          0x2
#define SBI_PMU_EVENT_TYPE_RAW_V2       0x3
#define SBI_PMU_EVENT_TYPE_FW           0xf
#define SBI_PMU_EVENT_IDX(type, code)   (((unsigned long)(type) << 16) | (code))

/* Table "PMU Hardware Events" (the two the virtual CPU counts). */
#define SBI_PMU_HW_CPU_CYCLES           1
#define SBI_PMU_HW_INSTRUCTIONS         2

/* Table "PMU Firmware Events": codes 0-21; 22-255 reserved, 256-65534
 * implementation specific (none here), 65535 the platform's with
 * event_data selecting the event. */
#define SBI_PMU_FW_MISALIGNED_LOAD              0
#define SBI_PMU_FW_MISALIGNED_STORE             1
#define SBI_PMU_FW_ACCESS_LOAD                  2
#define SBI_PMU_FW_ACCESS_STORE                 3
#define SBI_PMU_FW_ILLEGAL_INSN                 4
#define SBI_PMU_FW_SET_TIMER                    5
#define SBI_PMU_FW_IPI_SENT                     6
#define SBI_PMU_FW_IPI_RECEIVED                 7
#define SBI_PMU_FW_FENCE_I_SENT                 8
#define SBI_PMU_FW_FENCE_I_RECEIVED             9
#define SBI_PMU_FW_SFENCE_VMA_SENT              10
#define SBI_PMU_FW_SFENCE_VMA_RECEIVED          11
#define SBI_PMU_FW_SFENCE_VMA_ASID_SENT         12
#define SBI_PMU_FW_SFENCE_VMA_ASID_RECEIVED     13
#define SBI_PMU_FW_HFENCE_GVMA_SENT             14
#define SBI_PMU_FW_HFENCE_GVMA_RECEIVED         15
#define SBI_PMU_FW_HFENCE_GVMA_VMID_SENT        16
#define SBI_PMU_FW_HFENCE_GVMA_VMID_RECEIVED    17
#define SBI_PMU_FW_HFENCE_VVMA_SENT             18
#define SBI_PMU_FW_HFENCE_VVMA_RECEIVED         19
#define SBI_PMU_FW_HFENCE_VVMA_ASID_SENT        20
#define SBI_PMU_FW_HFENCE_VVMA_ASID_RECEIVED    21
#define SBI_PMU_FW_EVENTS                       22
#define SBI_PMU_FW_PLATFORM                     0xffff

/*
 * SBI_PMU_FW_PLATFORM: Trapeze's own counts, event_data selecting which.
 * They are the VM's (Trapeze keeps its statistics per VM, vm->stats and
 * the engine's): on a VM of one vCPU, that vCPU's; never another VM's.
 */
#define SBI_PMU_PLAT_TRAPS              0x0     /* traps into Trapeze while the VM ran */
#define SBI_PMU_PLAT_EMULATED           0x1     /* instructions Trapeze emulated or reflected */
#define SBI_PMU_PLAT_FILLS              0x2     /* trap: shadow fills and Bare chunks; hw: G-stage chunks */
#define SBI_PMU_PLAT_WORLD_SWITCHES     0x3     /* entries into the guest */
#define SBI_PMU_PLAT_SBI_CALLS          0x4
#define SBI_PMU_PLAT_MMIO               0x5     /* device accesses emulated */
#define SBI_PMU_PLAT_INJECTED           0x6     /* virtual exceptions and interrupts delivered */
#define SBI_PMU_PLAT_TRAP_EXC(c)        (0x100 + (c))   /* traps by exception cause, 0-23 */
#define SBI_PMU_PLAT_TRAP_IRQ(i)        (0x200 + (i))   /* traps by interrupt cause, 0-15 */

/* Table "PMU Counter Config Match Flags". */
#define SBI_PMU_CFG_FLAG_SKIP_MATCH     (1UL << 0)
#define SBI_PMU_CFG_FLAG_CLEAR_VALUE    (1UL << 1)
#define SBI_PMU_CFG_FLAG_AUTO_START     (1UL << 2)
#define SBI_PMU_CFG_FLAG_SET_VUINH      (1UL << 3)
#define SBI_PMU_CFG_FLAG_SET_VSINH      (1UL << 4)
#define SBI_PMU_CFG_FLAG_SET_UINH       (1UL << 5)
#define SBI_PMU_CFG_FLAG_SET_SINH       (1UL << 6)
#define SBI_PMU_CFG_FLAG_SET_MINH       (1UL << 7)
/* Tables "PMU Counter Start Flags" and "PMU Counter Stop Flags". */
#define SBI_PMU_START_SET_INIT_VALUE    (1UL << 0)
#define SBI_PMU_START_FLAG_INIT_SNAPSHOT (1UL << 1)
#define SBI_PMU_STOP_FLAG_RESET         (1UL << 0)
#define SBI_PMU_STOP_FLAG_TAKE_SNAPSHOT (1UL << 1)

/* counter_info: CSR [11:0], width - 1 [17:12], type [XLEN-1] (1 = firmware). */
#define SBI_PMU_CTR_INFO_FW             (1UL << 63)
#define SBI_PMU_CTR_INFO(csr, bits)     ((unsigned long)(csr) | ((unsigned long)((bits) - 1) << 12))

/* Table "SBI PMU Snapshot shared memory layout": one 4 KiB page. */
#define SBI_PMU_SNAPSHOT_SIZE           4096
#define SBI_PMU_SNAPSHOT_VALUES         0x8     /* counter_values[64], after the overflow bitmap */
/* Table "Event info entry format": 16 bytes per entry. */
#define SBI_PMU_EVENT_INFO_SIZE         16

#define SBI_PMU_HW_COUNTERS     2       /* cycle, instret */
#define SBI_PMU_FW_COUNTERS     16
#define SBI_PMU_COUNTERS        (SBI_PMU_HW_COUNTERS + SBI_PMU_FW_COUNTERS)
#define SBI_PMU_CTR_CYCLE       0
#define SBI_PMU_CTR_INSTRET     1

struct sbi_pmu_counter {
	uint32_t event_idx;     /* 0: no event (SBI_PMU_HW_NO_EVENT cannot be configured) */
	bool started;
	uint64_t event_data;
	uint64_t value;         /* stopped: its value; started: its value at the start */
	uint64_t mark;          /* started: its event source's reading at the start */
};

struct sbi_pmu_vcpu {
	struct sbi_pmu_counter ctr[SBI_PMU_COUNTERS];
	/* Firmware events on this vCPU since its VM was loaded (monotonic;
	 * the "received" ones are counted by the sender's hart: atomic). */
	uint64_t fw[SBI_PMU_FW_EVENTS];
	/* Host cycles and instructions while this vCPU was on a hart
	 * (monotonic), and the host's readings when it was last put on one. */
	uint64_t run[SBI_PMU_HW_COUNTERS];
	uint64_t run_mark[SBI_PMU_HW_COUNTERS];
	bool on_hart;
	bool snapshot_on;
	uint64_t snapshot_gpa;
};

/* Nothing is shared between a VM's vCPUs: the spec's counters are per hart. */
struct sbi_pmu_vm {
	uint64_t reserved;
};

/* A firmware event (SBI_PMU_FW_* 0-21) happened on v. */
void sbi_pmu_fw_count(struct vcpu *v, unsigned event);

/* The engines, around the guest running: charge the host's counters to v
 * from its first entry on a hart (enter) until it leaves the hart (leave). */
void sbi_pmu_vcpu_enter(struct vcpu *v);
void sbi_pmu_vcpu_leave(struct vcpu *v);

/* A guest read of the counter CSR csr (0xc00 cycle, 0xc02 instret): the
 * value of the virtual counter behind it. */
uint64_t sbi_pmu_read_csr(struct vcpu *v, unsigned csr);

/*
 * What the extension asks of the architecture (arch/riscv/pmu.c; faked in
 * tests/unit/fakes/fake_sbi_pmu.c):
 * the host's own counter on this hart (SBI_PMU_CTR_CYCLE or _INSTRET), and
 * the engine's counts of a VM (SBI_PMU_PLAT_EMULATED or _FILLS).
 */
uint64_t sbi_pmu_arch_read_host(unsigned ctr);
uint64_t sbi_pmu_arch_engine_count(const struct vm *vm, unsigned which);

#endif
