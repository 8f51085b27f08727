/*
 * Unit tests of the SBI v3.0 PMU extension (src/core/sbi/sbi_pmu.c,
 * chapter 11 "Performance Monitoring Unit Extension") on fake VMs: every
 * function 0-8 with its good and bad arguments, the counters' states, the
 * firmware events the other extensions count, the hardware counters
 * charged per vCPU while it is on a hart, and the snapshot and event-info
 * shared memory. The host's counters are fake_pmu_host[] (fake_sbi_pmu.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "arch/riscv/vcpu_arch.h"
#include "core/engine.h"
#include "core/sbi/sbi.h"
#include "fakes/fake_vm.h"

extern uint64_t fake_pmu_host[SBI_PMU_HW_COUNTERS];
extern uint64_t fake_pmu_engine[SBI_PMU_PLAT_FILLS + 1];

#define RAM_END     (FAKE_RAM_BASE + FAKE_RAM_SIZE)
#define SHMEM       (FAKE_RAM_BASE + 4 * 4096)
#define EV_HW(c)    SBI_PMU_EVENT_IDX(SBI_PMU_EVENT_TYPE_HW, c)
#define EV_FW(c)    SBI_PMU_EVENT_IDX(SBI_PMU_EVENT_TYPE_FW, c)
#define EV_CACHE    SBI_PMU_EVENT_IDX(SBI_PMU_EVENT_TYPE_CACHE, 0)      /* L1D read access */
#define EV_RAW      SBI_PMU_EVENT_IDX(SBI_PMU_EVENT_TYPE_RAW, 0)
#define FW0         SBI_PMU_HW_COUNTERS         /* first firmware counter */
#define ALL         ((1UL << SBI_PMU_COUNTERS) - 1)

static struct fake_vm *f;
static long value;      /* sbiret.value of the last call */

static int setup(void **state)
{
	(void)state;
	memset(fake_pmu_host, 0, sizeof(fake_pmu_host));
	memset(fake_pmu_engine, 0, sizeof(fake_pmu_engine));
	f = fake_vm_create(2);
	for (unsigned i = 0; i < 2; i++)
		sbi_vcpu_reset(&f->vcpus[i]);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	fake_vm_destroy(f);
	return 0;
}

static struct vcpu *V(unsigned i)
{
	return &f->vcpus[i];
}

/* An ECALL as the dispatcher makes it: returns sbiret.error, keeps .value. */
static long call_on(struct vcpu *v, unsigned long eid, unsigned long fid, unsigned long a0,
		    unsigned long a1, unsigned long a2, unsigned long a3, unsigned long a4)
{
	struct trap_info t = { 0 };

	fake_set_ecall(v, eid, fid, a0, a1, a2, a3, a4, 0);
	assert_int_equal(sbi_dispatch(v, &t, 4), RESUME_NEXT);
	value = (long)v->arch->regs.x[11];
	return (long)v->arch->regs.x[10];
}

static long pmu(unsigned long fid, unsigned long a0, unsigned long a1, unsigned long a2,
		unsigned long a3, unsigned long a4)
{
	return call_on(V(0), SBI_EXT_PMU, fid, a0, a1, a2, a3, a4);
}

/* counter_config_matching on counter idx alone. */
static long config(unsigned idx, unsigned long flags, unsigned long event, uint64_t data)
{
	return pmu(SBI_PMU_COUNTER_CFG_MATCH, idx, 1, flags, event, data);
}

static uint64_t fw_read(unsigned idx)
{
	assert_int_equal(pmu(SBI_PMU_COUNTER_FW_READ, idx, 0, 0, 0, 0), SBI_SUCCESS);
	return (uint64_t)value;
}

static uint64_t ram64(uint64_t gpa)
{
	uint64_t x;

	memcpy(&x, &f->ram[gpa - FAKE_RAM_BASE], 8);
	return x;
}

static void put64(uint64_t gpa, uint64_t x)
{
	memcpy(&f->ram[gpa - FAKE_RAM_BASE], &x, 8);
}

/* ---- discovery ---------------------------------------------------------- */

static void test_sbi_pmu_probed_and_unknown_fid(void **state)
{
	(void)state;
	assert_int_equal(call_on(V(0), SBI_EXT_BASE, SBI_BASE_PROBE_EXTENSION, SBI_EXT_PMU, 0, 0, 0, 0), 0);
	assert_int_equal(value, 1);
	assert_int_equal(pmu(9, 0, 0, 0, 0, 0), SBI_ERR_NOT_SUPPORTED);
	assert_int_equal(pmu(-1UL, 0, 0, 0, 0, 0), SBI_ERR_NOT_SUPPORTED);
}

static void test_sbi_pmu_num_counters(void **state)
{
	(void)state;
	assert_int_equal(pmu(SBI_PMU_NUM_COUNTERS, 0, 0, 0, 0, 0), SBI_SUCCESS);
	assert_int_equal(value, 18);
}

static void test_sbi_pmu_get_info_hw_and_fw(void **state)
{
	(void)state;
	assert_int_equal(pmu(SBI_PMU_COUNTER_GET_INFO, 0, 0, 0, 0, 0), SBI_SUCCESS);
	assert_int_equal((unsigned long)value, 0xc00UL | (63UL << 12));      /* cycle, 64 bits */
	assert_int_equal(pmu(SBI_PMU_COUNTER_GET_INFO, 1, 0, 0, 0, 0), SBI_SUCCESS);
	assert_int_equal((unsigned long)value, 0xc02UL | (63UL << 12));      /* instret */
	for (unsigned i = FW0; i < SBI_PMU_COUNTERS; i++) {
		assert_int_equal(pmu(SBI_PMU_COUNTER_GET_INFO, i, 0, 0, 0, 0), SBI_SUCCESS);
		assert_true((unsigned long)value >> 63);                     /* firmware */
		assert_int_equal(((unsigned long)value >> 12) & 0x3f, 63);
	}
	assert_int_equal(pmu(SBI_PMU_COUNTER_GET_INFO, SBI_PMU_COUNTERS, 0, 0, 0, 0),
			 SBI_ERR_INVALID_PARAM);
	assert_int_equal(pmu(SBI_PMU_COUNTER_GET_INFO, -1UL, 0, 0, 0, 0), SBI_ERR_INVALID_PARAM);
}

/* ---- hardware counters ---------------------------------------------------- */

static void test_sbi_pmu_cycle_instret_run_from_boot(void **state)
{
	(void)state;
	sbi_pmu_vcpu_enter(V(0));
	fake_pmu_host[0] += 1000, fake_pmu_host[1] += 400;
	assert_int_equal(sbi_pmu_read_csr(V(0), 0xc00), 1000);
	assert_int_equal(sbi_pmu_read_csr(V(0), 0xc02), 400);
	/* Running: starting them again is ALREADY_STARTED. */
	assert_int_equal(pmu(SBI_PMU_COUNTER_START, 0, 3, 0, 0, 0), SBI_ERR_ALREADY_STARTED);
	assert_int_equal(sbi_pmu_read_csr(V(0), 0xc01), 0);   /* time is not the PMU's */
}

/* One VM never reads another's counts: a vCPU is charged only while on a hart. */
static void test_sbi_pmu_hw_counts_only_while_on_hart(void **state)
{
	(void)state;
	struct fake_vm *g = fake_vm_create(1);
	struct vcpu *other = &g->vcpus[0];

	sbi_vcpu_reset(other);
	sbi_pmu_vcpu_enter(V(0));
	fake_pmu_host[0] += 100;
	sbi_pmu_vcpu_leave(V(0));
	fake_pmu_host[0] += 5000;                   /* idle, or another VM */
	sbi_pmu_vcpu_enter(other);
	fake_pmu_host[0] += 70;
	sbi_pmu_vcpu_enter(other);                  /* re-entry after a trap: no new mark */
	fake_pmu_host[0] += 30;
	sbi_pmu_vcpu_leave(other);
	fake_pmu_host[0] += 5000;
	sbi_pmu_vcpu_enter(V(0));
	fake_pmu_host[0] += 1;
	assert_int_equal(sbi_pmu_read_csr(V(0), 0xc00), 101);
	assert_int_equal(sbi_pmu_read_csr(other, 0xc00), 100);
	sbi_pmu_vcpu_leave(V(0));
	sbi_pmu_vcpu_leave(V(0));                   /* a second leave charges nothing */
	assert_int_equal(sbi_pmu_read_csr(V(0), 0xc00), 101);
	fake_vm_destroy(g);
}

static void test_sbi_pmu_hw_stop_freezes_and_init_value(void **state)
{
	(void)state;
	sbi_pmu_vcpu_enter(V(0));
	fake_pmu_host[0] += 10;
	assert_int_equal(pmu(SBI_PMU_COUNTER_STOP, 0, 1, 0, 0, 0), SBI_SUCCESS);
	fake_pmu_host[0] += 10;
	assert_int_equal(sbi_pmu_read_csr(V(0), 0xc00), 10);
	assert_int_equal(pmu(SBI_PMU_COUNTER_STOP, 0, 1, 0, 0, 0), SBI_ERR_ALREADY_STOPPED);
	assert_int_equal(pmu(SBI_PMU_COUNTER_START, 0, 1, SBI_PMU_START_SET_INIT_VALUE, 5000, 0),
			 SBI_SUCCESS);
	fake_pmu_host[0] += 7;
	assert_int_equal(sbi_pmu_read_csr(V(0), 0xc00), 5007);
	/* Without SET_INIT_VALUE counting resumes from the current value. */
	assert_int_equal(pmu(SBI_PMU_COUNTER_STOP, 0, 1, 0, 0, 0), SBI_SUCCESS);
	assert_int_equal(pmu(SBI_PMU_COUNTER_START, 0, 1, 0, 99, 0), SBI_SUCCESS);
	fake_pmu_host[0] += 3;
	assert_int_equal(sbi_pmu_read_csr(V(0), 0xc00), 5010);
}

/* ---- counter_config_matching -------------------------------------------- */

static void test_sbi_pmu_match_hw_events_to_their_counter(void **state)
{
	(void)state;
	/* Both run from boot, so neither matches until stopped. */
	assert_int_equal(pmu(SBI_PMU_COUNTER_CFG_MATCH, 0, ALL, 0, EV_HW(SBI_PMU_HW_CPU_CYCLES), 0),
			 SBI_ERR_NOT_SUPPORTED);
	assert_int_equal(pmu(SBI_PMU_COUNTER_STOP, 0, 3, 0, 0, 0), SBI_SUCCESS);
	assert_int_equal(pmu(SBI_PMU_COUNTER_CFG_MATCH, 0, ALL, 0, EV_HW(SBI_PMU_HW_CPU_CYCLES), 0),
			 SBI_SUCCESS);
	assert_int_equal(value, 0);
	assert_int_equal(pmu(SBI_PMU_COUNTER_CFG_MATCH, 0, ALL, 0, EV_HW(SBI_PMU_HW_INSTRUCTIONS), 0),
			 SBI_SUCCESS);
	assert_int_equal(value, 1);
	/* Not on the other counter, not on a firmware counter. */
	assert_int_equal(config(1, 0, EV_HW(SBI_PMU_HW_CPU_CYCLES), 0), SBI_ERR_NOT_SUPPORTED);
	assert_int_equal(config(FW0, 0, EV_HW(SBI_PMU_HW_CPU_CYCLES), 0), SBI_ERR_NOT_SUPPORTED);
	/* event_data of a general event is reserved. */
	assert_int_equal(config(0, 0, EV_HW(SBI_PMU_HW_CPU_CYCLES), 1), SBI_ERR_NOT_SUPPORTED);
}

static void test_sbi_pmu_match_unsupported_events(void **state)
{
	(void)state;
	static const unsigned long events[] = {
		EV_HW(0), EV_HW(3), EV_HW(10), EV_HW(11), EV_CACHE, EV_RAW,
		SBI_PMU_EVENT_IDX(SBI_PMU_EVENT_TYPE_RAW_V2, 0), SBI_PMU_EVENT_IDX(4, 0),
		EV_FW(22), EV_FW(255), EV_FW(256), EV_FW(0xfffe), EV_FW(4) | (1UL << 20), -1UL,
	};

	assert_int_equal(pmu(SBI_PMU_COUNTER_STOP, 0, 3, 0, 0, 0), SBI_SUCCESS);
	for (unsigned i = 0; i < sizeof(events) / sizeof(events[0]); i++)
		assert_int_equal(pmu(SBI_PMU_COUNTER_CFG_MATCH, 0, ALL, 0, events[i], 0),
				 SBI_ERR_NOT_SUPPORTED);
	/* Firmware events 0-21 take no event_data; the platform's take a
	 * selector Trapeze defines. */
	assert_int_equal(pmu(SBI_PMU_COUNTER_CFG_MATCH, 0, ALL, 0, EV_FW(4), 1), SBI_ERR_NOT_SUPPORTED);
	assert_int_equal(pmu(SBI_PMU_COUNTER_CFG_MATCH, 0, ALL, 0, EV_FW(SBI_PMU_FW_PLATFORM), 0x7),
			 SBI_ERR_NOT_SUPPORTED);
	assert_int_equal(pmu(SBI_PMU_COUNTER_CFG_MATCH, 0, ALL, 0, EV_FW(SBI_PMU_FW_PLATFORM),
			     SBI_PMU_PLAT_TRAP_EXC(24)), SBI_ERR_NOT_SUPPORTED);
	assert_int_equal(pmu(SBI_PMU_COUNTER_CFG_MATCH, 0, 0, 0, EV_FW(4), 0), SBI_ERR_NOT_SUPPORTED);
}

static void test_sbi_pmu_match_invalid_counter_set(void **state)
{
	(void)state;
	assert_int_equal(pmu(SBI_PMU_COUNTER_CFG_MATCH, SBI_PMU_COUNTERS - 1, 3, 0, EV_FW(4), 0),
			 SBI_ERR_INVALID_PARAM);
	assert_int_equal(pmu(SBI_PMU_COUNTER_CFG_MATCH, SBI_PMU_COUNTERS, 1, 0, EV_FW(4), 0),
			 SBI_ERR_INVALID_PARAM);
	assert_int_equal(pmu(SBI_PMU_COUNTER_CFG_MATCH, -1UL, 2, 0, EV_FW(4), 0),     /* wraps to 0 */
			 SBI_ERR_INVALID_PARAM);
	assert_int_equal(pmu(SBI_PMU_COUNTER_CFG_MATCH, 0, 1UL << 63, 0, EV_FW(4), 0),
			 SBI_ERR_INVALID_PARAM);
	/* Even an event nothing counts: the set is checked first. */
	assert_int_equal(pmu(SBI_PMU_COUNTER_CFG_MATCH, 40, 1, 0, EV_CACHE, 0), SBI_ERR_INVALID_PARAM);
	/* SKIP_MATCH needs a counter to select. */
	assert_int_equal(pmu(SBI_PMU_COUNTER_CFG_MATCH, 0, 0, SBI_PMU_CFG_FLAG_SKIP_MATCH, EV_FW(4), 0),
			 SBI_ERR_INVALID_PARAM);
}

static void test_sbi_pmu_match_firmware_first_free(void **state)
{
	(void)state;
	assert_int_equal(pmu(SBI_PMU_COUNTER_CFG_MATCH, 0, ALL, SBI_PMU_CFG_FLAG_AUTO_START, EV_FW(4), 0),
			 SBI_SUCCESS);
	assert_int_equal(value, FW0);
	/* FW0 is started now: the next match takes the next one. */
	assert_int_equal(pmu(SBI_PMU_COUNTER_CFG_MATCH, 0, ALL, 0, EV_FW(5), 0), SBI_SUCCESS);
	assert_int_equal(value, FW0 + 1);
	/* FW0 + 1 is configured but stopped: still free to match. */
	assert_int_equal(pmu(SBI_PMU_COUNTER_CFG_MATCH, FW0, 3, 0, EV_FW(6), 0), SBI_SUCCESS);
	assert_int_equal(value, FW0 + 1);
	/* base + mask: bit i is counter base + i. */
	assert_int_equal(pmu(SBI_PMU_COUNTER_CFG_MATCH, 10, 0x4, 0, EV_FW(6), 0), SBI_SUCCESS);
	assert_int_equal(value, 12);
}

static void test_sbi_pmu_match_skip_match_takes_first_of_set(void **state)
{
	(void)state;
	assert_int_equal(pmu(SBI_PMU_COUNTER_CFG_MATCH, 5, 0x6, SBI_PMU_CFG_FLAG_SKIP_MATCH, EV_FW(4), 0),
			 SBI_SUCCESS);
	assert_int_equal(value, 6);
	/* The first counter cannot count it: no other is tried. */
	assert_int_equal(pmu(SBI_PMU_COUNTER_CFG_MATCH, 0, 0x6, SBI_PMU_CFG_FLAG_SKIP_MATCH, EV_FW(4), 0),
			 SBI_ERR_NOT_SUPPORTED);
	/* A started counter is not reconfigured. */
	assert_int_equal(pmu(SBI_PMU_COUNTER_START, 6, 1, 0, 0, 0), SBI_SUCCESS);
	assert_int_equal(pmu(SBI_PMU_COUNTER_CFG_MATCH, 6, 1, SBI_PMU_CFG_FLAG_SKIP_MATCH, EV_FW(5), 0),
			 SBI_ERR_NOT_SUPPORTED);
}

static void test_sbi_pmu_match_clear_value_and_auto_start(void **state)
{
	(void)state;
	assert_int_equal(config(FW0, SBI_PMU_CFG_FLAG_AUTO_START, EV_FW(SBI_PMU_FW_SET_TIMER), 0), SBI_SUCCESS);
	sbi_pmu_fw_count(V(0), SBI_PMU_FW_SET_TIMER);
	sbi_pmu_fw_count(V(0), SBI_PMU_FW_SET_TIMER);
	assert_int_equal(pmu(SBI_PMU_COUNTER_STOP, FW0, 1, 0, 0, 0), SBI_SUCCESS);
	assert_int_equal(fw_read(FW0), 2);
	/* Reconfigured without CLEAR_VALUE: the value stays. */
	assert_int_equal(config(FW0, 0, EV_FW(SBI_PMU_FW_IPI_SENT), 0), SBI_SUCCESS);
	assert_int_equal(fw_read(FW0), 2);
	assert_int_equal(config(FW0, SBI_PMU_CFG_FLAG_CLEAR_VALUE, EV_FW(SBI_PMU_FW_IPI_SENT), 0), SBI_SUCCESS);
	assert_int_equal(fw_read(FW0), 0);
	/* Without AUTO_START it does not count. */
	sbi_pmu_fw_count(V(0), SBI_PMU_FW_IPI_SENT);
	assert_int_equal(fw_read(FW0), 0);
	/* The *INH filters are hints, ignored: it still matches and counts. */
	assert_int_equal(config(FW0, SBI_PMU_CFG_FLAG_AUTO_START | 0xf8, EV_FW(SBI_PMU_FW_IPI_SENT), 0),
			 SBI_SUCCESS);
	sbi_pmu_fw_count(V(0), SBI_PMU_FW_IPI_SENT);
	assert_int_equal(fw_read(FW0), 1);
}

/* ---- start / stop --------------------------------------------------------- */

static void test_sbi_pmu_start_errors(void **state)
{
	(void)state;
	/* A counter with no event cannot start. */
	assert_int_equal(pmu(SBI_PMU_COUNTER_START, FW0, 1, 0, 0, 0), SBI_ERR_INVALID_PARAM);
	assert_int_equal(pmu(SBI_PMU_COUNTER_START, SBI_PMU_COUNTERS, 1, 0, 0, 0), SBI_ERR_INVALID_PARAM);
	assert_int_equal(pmu(SBI_PMU_COUNTER_START, 0, 1UL << 40, 0, 0, 0), SBI_ERR_INVALID_PARAM);
	assert_int_equal(config(FW0, 0, EV_FW(4), 0), SBI_SUCCESS);
	/* SET_INIT_VALUE and INIT_SNAPSHOT are mutually exclusive. */
	assert_int_equal(pmu(SBI_PMU_COUNTER_START, FW0, 1, 3, 0, 0), SBI_ERR_INVALID_PARAM);
	assert_int_equal(pmu(SBI_PMU_COUNTER_START, FW0, 1, SBI_PMU_START_FLAG_INIT_SNAPSHOT, 0, 0),
			 SBI_ERR_NO_SHMEM);
	/* An empty set starts nothing. */
	assert_int_equal(pmu(SBI_PMU_COUNTER_START, 0, 0, 0, 0, 0), SBI_SUCCESS);
}

/* Counters of a set already running are reported, the others started. */
static void test_sbi_pmu_start_stop_sets_partially(void **state)
{
	(void)state;
	assert_int_equal(config(FW0, 0, EV_FW(SBI_PMU_FW_SET_TIMER), 0), SBI_SUCCESS);
	/* cycle runs, FW0 does not: FW0 starts, the answer says cycle ran. */
	assert_int_equal(pmu(SBI_PMU_COUNTER_START, 0, 1UL | (1UL << FW0), 0, 0, 0),
			 SBI_ERR_ALREADY_STARTED);
	sbi_pmu_fw_count(V(0), SBI_PMU_FW_SET_TIMER);
	assert_int_equal(fw_read(FW0), 1);
	/* Linux stops everything at once: the running ones stop, unconfigured
	 * ones are not running. */
	assert_int_equal(pmu(SBI_PMU_COUNTER_STOP, 0, ALL, 0, 0, 0), SBI_ERR_ALREADY_STOPPED);
	sbi_pmu_fw_count(V(0), SBI_PMU_FW_SET_TIMER);
	assert_int_equal(fw_read(FW0), 1);
	assert_int_equal(pmu(SBI_PMU_COUNTER_START, 0, 1, 0, 0, 0), SBI_SUCCESS);  /* cycle was stopped */
	assert_int_equal(pmu(SBI_PMU_COUNTER_STOP, SBI_PMU_COUNTERS, 1, 0, 0, 0), SBI_ERR_INVALID_PARAM);
	assert_int_equal(pmu(SBI_PMU_COUNTER_STOP, -1UL, 2, 0, 0, 0), SBI_ERR_INVALID_PARAM);
}

static void test_sbi_pmu_stop_reset_unmaps_event(void **state)
{
	(void)state;
	assert_int_equal(config(FW0, SBI_PMU_CFG_FLAG_AUTO_START, EV_FW(4), 0), SBI_SUCCESS);
	assert_int_equal(pmu(SBI_PMU_COUNTER_STOP, FW0, 1, SBI_PMU_STOP_FLAG_RESET, 0, 0), SBI_SUCCESS);
	assert_int_equal(pmu(SBI_PMU_COUNTER_START, FW0, 1, 0, 0, 0), SBI_ERR_INVALID_PARAM);
	/* RESET also unmaps a counter already stopped (Linux relies on it). */
	assert_int_equal(config(FW0 + 1, 0, EV_FW(4), 0), SBI_SUCCESS);
	assert_int_equal(pmu(SBI_PMU_COUNTER_STOP, FW0 + 1, 1, SBI_PMU_STOP_FLAG_RESET, 0, 0),
			 SBI_ERR_ALREADY_STOPPED);
	assert_int_equal(pmu(SBI_PMU_COUNTER_START, FW0 + 1, 1, 0, 0, 0), SBI_ERR_INVALID_PARAM);
}

/* ---- fw_read / fw_read_hi -------------------------------------------------- */

static void test_sbi_pmu_fw_read_errors_and_hi(void **state)
{
	(void)state;
	for (unsigned fid = SBI_PMU_COUNTER_FW_READ; fid <= SBI_PMU_COUNTER_FW_READ_HI; fid++) {
		assert_int_equal(pmu(fid, 0, 0, 0, 0, 0), SBI_ERR_INVALID_PARAM);     /* hardware */
		assert_int_equal(pmu(fid, 1, 0, 0, 0, 0), SBI_ERR_INVALID_PARAM);
		assert_int_equal(pmu(fid, SBI_PMU_COUNTERS, 0, 0, 0, 0), SBI_ERR_INVALID_PARAM);
		assert_int_equal(pmu(fid, -1UL, 0, 0, 0, 0), SBI_ERR_INVALID_PARAM);
	}
	assert_int_equal(config(FW0, SBI_PMU_CFG_FLAG_AUTO_START, EV_FW(4), 0), SBI_SUCCESS);
	assert_int_equal(pmu(SBI_PMU_COUNTER_START, FW0, 1, 0, 0, 0), SBI_ERR_ALREADY_STARTED);
	assert_int_equal(pmu(SBI_PMU_COUNTER_STOP, FW0, 1, 0, 0, 0), SBI_SUCCESS);
	assert_int_equal(pmu(SBI_PMU_COUNTER_START, FW0, 1, SBI_PMU_START_SET_INIT_VALUE,
			     0xfffffffffffffff0UL, 0), SBI_SUCCESS);
	sbi_pmu_fw_count(V(0), 4);
	assert_int_equal(fw_read(FW0), 0xfffffffffffffff1UL);
	assert_int_equal(pmu(SBI_PMU_COUNTER_FW_READ_HI, FW0, 0, 0, 0, 0), SBI_SUCCESS);
	assert_int_equal(value, 0);     /* RV64: always 0 */
	/* A firmware counter with no event reads its value (0). */
	assert_int_equal(fw_read(SBI_PMU_COUNTERS - 1), 0);
}

/* ---- firmware events --------------------------------------------------- */

static unsigned start_fw(unsigned event)
{
	assert_int_equal(pmu(SBI_PMU_COUNTER_CFG_MATCH, 0, ALL, SBI_PMU_CFG_FLAG_AUTO_START |
			     SBI_PMU_CFG_FLAG_CLEAR_VALUE, EV_FW(event), 0), SBI_SUCCESS);
	return (unsigned)value;
}

static void test_sbi_pmu_fw_events_from_extensions(void **state)
{
	(void)state;
	unsigned timer = start_fw(SBI_PMU_FW_SET_TIMER), ipi_s = start_fw(SBI_PMU_FW_IPI_SENT);
	unsigned ipi_r = start_fw(SBI_PMU_FW_IPI_RECEIVED), fi_s = start_fw(SBI_PMU_FW_FENCE_I_SENT);
	unsigned fi_r = start_fw(SBI_PMU_FW_FENCE_I_RECEIVED), sf = start_fw(SBI_PMU_FW_SFENCE_VMA_SENT);
	unsigned sfa = start_fw(SBI_PMU_FW_SFENCE_VMA_ASID_SENT);
	unsigned sfr = start_fw(SBI_PMU_FW_SFENCE_VMA_RECEIVED);

	/* vCPU 1 counts what it receives in its own counters. */
	struct vcpu *v1 = V(1);
	assert_int_equal(call_on(v1, SBI_EXT_PMU, SBI_PMU_COUNTER_CFG_MATCH, FW0, 1,
				 SBI_PMU_CFG_FLAG_AUTO_START, EV_FW(SBI_PMU_FW_IPI_RECEIVED), 0), SBI_SUCCESS);

	assert_int_equal(call_on(V(0), SBI_EXT_TIME, SBI_TIME_SET_TIMER, 1000, 0, 0, 0, 0), SBI_SUCCESS);
	assert_int_equal(call_on(V(0), SBI_LEGACY_SET_TIMER, 0, 2000, 0, 0, 0, 0), 0);
	assert_int_equal(call_on(V(0), SBI_EXT_IPI, SBI_IPI_SEND_IPI, 3, 0, 0, 0, 0), SBI_SUCCESS);
	assert_int_equal(call_on(V(0), SBI_EXT_RFENCE, SBI_RFENCE_REMOTE_FENCE_I, 2, 0, 0, 0, 0), SBI_SUCCESS);
	assert_int_equal(call_on(V(0), SBI_EXT_RFENCE, SBI_RFENCE_REMOTE_SFENCE_VMA, 1, 0, 0, 0, 0), SBI_SUCCESS);
	assert_int_equal(call_on(V(0), SBI_EXT_RFENCE, SBI_RFENCE_REMOTE_SFENCE_VMA_ASID, 3, 0, 0, 0, 5),
			 SBI_SUCCESS);
	/* A failed call (hart 5 absent) counts nothing. */
	assert_int_equal(call_on(V(0), SBI_EXT_IPI, SBI_IPI_SEND_IPI, 1, 5, 0, 0, 0), SBI_ERR_INVALID_PARAM);

	assert_int_equal(fw_read(timer), 2);
	assert_int_equal(fw_read(ipi_s), 2);        /* one per target */
	assert_int_equal(fw_read(ipi_r), 1);        /* to itself */
	assert_int_equal(fw_read(fi_s), 1);
	assert_int_equal(fw_read(fi_r), 0);         /* only vCPU 1 received it */
	assert_int_equal(fw_read(sf), 1);
	assert_int_equal(fw_read(sfa), 2);
	assert_int_equal(fw_read(sfr), 1);
	assert_int_equal(call_on(v1, SBI_EXT_PMU, SBI_PMU_COUNTER_FW_READ, FW0, 0, 0, 0, 0), SBI_SUCCESS);
	assert_int_equal(value, 1);
	/* Out-of-range events are ignored. */
	sbi_pmu_fw_count(V(0), SBI_PMU_FW_EVENTS);
	sbi_pmu_fw_count(NULL, SBI_PMU_FW_SET_TIMER);
}

static void test_sbi_pmu_platform_events(void **state)
{
	(void)state;
	struct vm *vm = &f->vm;

	assert_int_equal(pmu(SBI_PMU_COUNTER_CFG_MATCH, 0, ALL, SBI_PMU_CFG_FLAG_AUTO_START,
			     EV_FW(SBI_PMU_FW_PLATFORM), SBI_PMU_PLAT_WORLD_SWITCHES), SBI_SUCCESS);
	unsigned ws = (unsigned)value;
	assert_int_equal(pmu(SBI_PMU_COUNTER_CFG_MATCH, 0, ALL, SBI_PMU_CFG_FLAG_AUTO_START,
			     EV_FW(SBI_PMU_FW_PLATFORM), SBI_PMU_PLAT_TRAP_EXC(2)), SBI_SUCCESS);
	unsigned ill = (unsigned)value;
	assert_int_equal(pmu(SBI_PMU_COUNTER_CFG_MATCH, 0, ALL, SBI_PMU_CFG_FLAG_AUTO_START,
			     EV_FW(SBI_PMU_FW_PLATFORM), SBI_PMU_PLAT_EMULATED), SBI_SUCCESS);
	unsigned emu = (unsigned)value;
	assert_int_equal(pmu(SBI_PMU_COUNTER_CFG_MATCH, 0, ALL, SBI_PMU_CFG_FLAG_AUTO_START,
			     EV_FW(SBI_PMU_FW_PLATFORM), SBI_PMU_PLAT_SBI_CALLS), SBI_SUCCESS);
	unsigned calls = (unsigned)value;

	vm->stats.world_switches += 7;
	vm->stats.trap_exc[2] += 3;
	vm->stats.trap_exc[8] += 100;
	fake_pmu_engine[SBI_PMU_PLAT_EMULATED] += 11;
	assert_int_equal(fw_read(ws), 7);
	assert_int_equal(fw_read(ill), 3);
	assert_int_equal(fw_read(emu), 11);
	/* The SBI calls since it started: these four reads, its own included. */
	assert_int_equal(fw_read(calls), 4);
}

/* ---- snapshot shared memory ------------------------------------------------ */

static void test_sbi_pmu_snapshot_set_shmem_errors(void **state)
{
	(void)state;
	assert_int_equal(pmu(SBI_PMU_SNAPSHOT_SET_SHMEM, SHMEM, 0, 1, 0, 0), SBI_ERR_INVALID_PARAM);
	assert_int_equal(pmu(SBI_PMU_SNAPSHOT_SET_SHMEM, SHMEM + 8, 0, 0, 0, 0), SBI_ERR_INVALID_PARAM);
	assert_int_equal(pmu(SBI_PMU_SNAPSHOT_SET_SHMEM, SHMEM + 2048, 0, 0, 0, 0), SBI_ERR_INVALID_PARAM);
	assert_int_equal(pmu(SBI_PMU_SNAPSHOT_SET_SHMEM, SHMEM, 1, 0, 0, 0), SBI_ERR_INVALID_ADDRESS);
	assert_int_equal(pmu(SBI_PMU_SNAPSHOT_SET_SHMEM, RAM_END, 0, 0, 0, 0), SBI_ERR_INVALID_ADDRESS);
	assert_int_equal(pmu(SBI_PMU_SNAPSHOT_SET_SHMEM, FAKE_RAM_BASE - 4096, 0, 0, 0, 0),
			 SBI_ERR_INVALID_ADDRESS);
	assert_int_equal(pmu(SBI_PMU_SNAPSHOT_SET_SHMEM, FAKE_MMIO_BASE, 0, 0, 0, 0), SBI_ERR_INVALID_ADDRESS);
	assert_int_equal(pmu(SBI_PMU_SNAPSHOT_SET_SHMEM, -4096UL, 0, 0, 0, 0), SBI_ERR_INVALID_ADDRESS);
	/* Only both halves all-ones disable; one alone is an address. */
	assert_int_equal(pmu(SBI_PMU_SNAPSHOT_SET_SHMEM, -1UL, 0, 0, 0, 0), SBI_ERR_INVALID_PARAM);
	assert_int_equal(pmu(SBI_PMU_SNAPSHOT_SET_SHMEM, -1UL, -1UL, 1, 0, 0), SBI_ERR_INVALID_PARAM);
	/* None of them set anything. */
	assert_int_equal(pmu(SBI_PMU_COUNTER_STOP, 0, 1, SBI_PMU_STOP_FLAG_TAKE_SNAPSHOT, 0, 0),
			 SBI_ERR_NO_SHMEM);
	/* The last page of RAM is fine. */
	assert_int_equal(pmu(SBI_PMU_SNAPSHOT_SET_SHMEM, RAM_END - 4096, 0, 0, 0, 0), SBI_SUCCESS);
}

static void test_sbi_pmu_snapshot_stop_and_start(void **state)
{
	(void)state;
	memset(&f->ram[SHMEM - FAKE_RAM_BASE], 0xee, 4096);
	assert_int_equal(pmu(SBI_PMU_SNAPSHOT_SET_SHMEM, SHMEM, 0, 0, 0, 0), SBI_SUCCESS);
	assert_int_equal(config(FW0, SBI_PMU_CFG_FLAG_AUTO_START, EV_FW(SBI_PMU_FW_SET_TIMER), 0), SBI_SUCCESS);
	sbi_pmu_fw_count(V(0), SBI_PMU_FW_SET_TIMER);
	sbi_pmu_fw_count(V(0), SBI_PMU_FW_SET_TIMER);
	sbi_pmu_fw_count(V(0), SBI_PMU_FW_SET_TIMER);
	/* Set base 1, bit FW0 - 1: counter_values[FW0 - 1] is FW0's. */
	assert_int_equal(pmu(SBI_PMU_COUNTER_STOP, 1, 1UL << (FW0 - 1), SBI_PMU_STOP_FLAG_TAKE_SNAPSHOT, 0, 0),
			 SBI_SUCCESS);
	assert_int_equal(ram64(SHMEM), 0);                                     /* no overflow */
	assert_int_equal(ram64(SHMEM + 8 + 8 * (FW0 - 1)), 3);
	assert_int_equal(ram64(SHMEM + 8), 0xeeeeeeeeeeeeeeeeULL);             /* others untouched */
	assert_int_equal(ram64(SHMEM + 8 + 8 * FW0), 0xeeeeeeeeeeeeeeeeULL);
	/* Start from the snapshot: counter_values[0] with base FW0. */
	put64(SHMEM + 8, 1000);
	assert_int_equal(pmu(SBI_PMU_COUNTER_START, FW0, 1, SBI_PMU_START_FLAG_INIT_SNAPSHOT, 0, 0),
			 SBI_SUCCESS);
	sbi_pmu_fw_count(V(0), SBI_PMU_FW_SET_TIMER);
	assert_int_equal(fw_read(FW0), 1001);
	/* Disabled again: the flags want memory. */
	assert_int_equal(pmu(SBI_PMU_SNAPSHOT_SET_SHMEM, -1UL, -1UL, 0, 0, 0), SBI_SUCCESS);
	assert_int_equal(pmu(SBI_PMU_COUNTER_STOP, FW0, 1, SBI_PMU_STOP_FLAG_TAKE_SNAPSHOT, 0, 0),
			 SBI_ERR_NO_SHMEM);
	assert_int_equal(fw_read(FW0), 1001);       /* and nothing was stopped */
	sbi_pmu_fw_count(V(0), SBI_PMU_FW_SET_TIMER);
	assert_int_equal(fw_read(FW0), 1002);
}

/* ---- event_get_info ---------------------------------------------------------- */

static void put_entry(unsigned i, uint32_t event_idx, uint64_t data)
{
	uint8_t *e = &f->ram[SHMEM - FAKE_RAM_BASE + 16 * i];
	uint32_t out = 0xdead;

	memcpy(e, &event_idx, 4);
	memcpy(e + 4, &out, 4);
	memcpy(e + 8, &data, 8);
}

static uint32_t entry_output(unsigned i)
{
	uint32_t out;

	memcpy(&out, &f->ram[SHMEM - FAKE_RAM_BASE + 16 * i + 4], 4);
	return out;
}

static void test_sbi_pmu_event_get_info_outputs(void **state)
{
	(void)state;
	static const struct { uint32_t idx; uint64_t data; uint32_t out; } e[] = {
		{ EV_HW(SBI_PMU_HW_CPU_CYCLES), 0, 1 },
		{ EV_HW(SBI_PMU_HW_INSTRUCTIONS), 0, 1 },
		{ EV_HW(SBI_PMU_HW_CPU_CYCLES), 5, 1 },        /* event_data ignored for type 0 */
		{ EV_HW(5), 0, 0 },
		{ EV_CACHE, 0, 0 },
		{ EV_RAW, 0x1234, 0 },
		{ EV_FW(SBI_PMU_FW_ILLEGAL_INSN), 0, 1 },
		{ EV_FW(SBI_PMU_FW_HFENCE_VVMA_ASID_RECEIVED), 0, 1 },
		{ EV_FW(SBI_PMU_FW_ILLEGAL_INSN), 9, 0 },
		{ EV_FW(300), 0, 0 },
		{ EV_FW(SBI_PMU_FW_PLATFORM), SBI_PMU_PLAT_TRAPS, 1 },
		{ EV_FW(SBI_PMU_FW_PLATFORM), SBI_PMU_PLAT_TRAP_IRQ(5), 1 },
		{ EV_FW(SBI_PMU_FW_PLATFORM), 0x999, 0 },
	};
	unsigned n = sizeof(e) / sizeof(e[0]);

	for (unsigned i = 0; i < n; i++)
		put_entry(i, e[i].idx, e[i].data);
	put_entry(n, EV_FW(4), 0);      /* one past num_entries: untouched */
	assert_int_equal(pmu(SBI_PMU_EVENT_GET_INFO, SHMEM, 0, n, 0, 0), SBI_SUCCESS);
	for (unsigned i = 0; i < n; i++)
		assert_int_equal(entry_output(i), e[i].out);
	assert_int_equal(entry_output(n), 0xdead);
	assert_int_equal(pmu(SBI_PMU_EVENT_GET_INFO, SHMEM, 0, 0, 0, 0), SBI_SUCCESS);
}

static void test_sbi_pmu_event_get_info_errors(void **state)
{
	(void)state;
	put_entry(0, EV_FW(4), 0);
	assert_int_equal(pmu(SBI_PMU_EVENT_GET_INFO, SHMEM, 0, 1, 1, 0), SBI_ERR_INVALID_PARAM);
	assert_int_equal(pmu(SBI_PMU_EVENT_GET_INFO, SHMEM + 8, 0, 1, 0, 0), SBI_ERR_INVALID_PARAM);
	assert_int_equal(pmu(SBI_PMU_EVENT_GET_INFO, SHMEM, 1, 1, 0, 0), SBI_ERR_INVALID_ADDRESS);
	assert_int_equal(pmu(SBI_PMU_EVENT_GET_INFO, RAM_END - 16, 0, 2, 0, 0), SBI_ERR_INVALID_ADDRESS);
	assert_int_equal(pmu(SBI_PMU_EVENT_GET_INFO, FAKE_MMIO_BASE, 0, 1, 0, 0), SBI_ERR_INVALID_ADDRESS);
	assert_int_equal(pmu(SBI_PMU_EVENT_GET_INFO, SHMEM, 0, -1UL / 8, 0, 0), SBI_ERR_INVALID_ADDRESS);
	assert_int_equal(entry_output(0), 0xdead);
	/* event_idx outside the spec's encodings. */
	static const uint32_t bad[] = {
		EV_FW(4) | (1U << 20), EV_HW(11), SBI_PMU_EVENT_IDX(1, 7 << 3), SBI_PMU_EVENT_IDX(1, 3 << 1),
		SBI_PMU_EVENT_IDX(2, 1), SBI_PMU_EVENT_IDX(3, 1), SBI_PMU_EVENT_IDX(5, 0), EV_FW(22), EV_FW(255),
	};
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		put_entry(0, bad[i], 0);
		assert_int_equal(pmu(SBI_PMU_EVENT_GET_INFO, SHMEM, 0, 1, 0, 0), SBI_ERR_INVALID_PARAM);
	}
}

/* ---- reset --------------------------------------------------------------- */

static void test_sbi_pmu_reset_restores_boot_state(void **state)
{
	(void)state;
	assert_int_equal(pmu(SBI_PMU_SNAPSHOT_SET_SHMEM, SHMEM, 0, 0, 0, 0), SBI_SUCCESS);
	assert_int_equal(config(FW0, SBI_PMU_CFG_FLAG_AUTO_START, EV_FW(4), 0), SBI_SUCCESS);
	sbi_pmu_fw_count(V(0), 4);
	assert_int_equal(pmu(SBI_PMU_COUNTER_STOP, 0, 3, 0, 0, 0), SBI_SUCCESS);
	sbi_vcpu_reset(V(0));
	assert_int_equal(fw_read(FW0), 0);
	assert_int_equal(pmu(SBI_PMU_COUNTER_START, FW0, 1, 0, 0, 0), SBI_ERR_INVALID_PARAM);
	assert_int_equal(pmu(SBI_PMU_COUNTER_START, 0, 3, 0, 0, 0), SBI_ERR_ALREADY_STARTED);
	assert_int_equal(pmu(SBI_PMU_COUNTER_STOP, 0, 1, SBI_PMU_STOP_FLAG_TAKE_SNAPSHOT, 0, 0),
			 SBI_ERR_NO_SHMEM);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_sbi_pmu_probed_and_unknown_fid),
		T(test_sbi_pmu_num_counters),
		T(test_sbi_pmu_get_info_hw_and_fw),
		T(test_sbi_pmu_cycle_instret_run_from_boot),
		T(test_sbi_pmu_hw_counts_only_while_on_hart),
		T(test_sbi_pmu_hw_stop_freezes_and_init_value),
		T(test_sbi_pmu_match_hw_events_to_their_counter),
		T(test_sbi_pmu_match_unsupported_events),
		T(test_sbi_pmu_match_invalid_counter_set),
		T(test_sbi_pmu_match_firmware_first_free),
		T(test_sbi_pmu_match_skip_match_takes_first_of_set),
		T(test_sbi_pmu_match_clear_value_and_auto_start),
		T(test_sbi_pmu_start_errors),
		T(test_sbi_pmu_start_stop_sets_partially),
		T(test_sbi_pmu_stop_reset_unmaps_event),
		T(test_sbi_pmu_fw_read_errors_and_hi),
		T(test_sbi_pmu_fw_events_from_extensions),
		T(test_sbi_pmu_platform_events),
		T(test_sbi_pmu_snapshot_set_shmem_errors),
		T(test_sbi_pmu_snapshot_stop_and_start),
		T(test_sbi_pmu_event_get_info_outputs),
		T(test_sbi_pmu_event_get_info_errors),
		T(test_sbi_pmu_reset_restores_boot_state),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
