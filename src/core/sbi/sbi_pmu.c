/*
 * SBI v3.0, Performance Monitoring Unit Extension (chapter 11, EID
 * 0x504D55 "PMU"): every function 0-8, on virtual counters kept per vCPU
 * (struct sbi_pmu_vcpu; the counter numbering is in sbi_pmu.h).
 *
 * - Hardware counters: `cycle` and `instret`, the host's counters charged
 *   to the vCPU only while it is on a hart (sbi_pmu_vcpu_enter/leave).
 *   Guest reads of those CSRs trap (the trap engine clears their
 *   scounteren bits, the hw engine their hcounteren bits) and are answered
 *   by sbi_pmu_read_csr: one VM never reads another's counts. Trapping was
 *   chosen over reloading the host counters on every vCPU switch: S-mode
 *   cannot write `cycle`/`instret`, so a reload is a host SBI PMU call per
 *   counter on every switch, paid by every guest, whereas a trapped read
 *   costs only the guests that read (Linux reads them only for perf; its
 *   clock is `time`, which stays native). The cost is measured by the
 *   sbi_pmu guest ("info: rdcycle" line) and given in the README.
 *   QEMU 7.2's hpmcounter3-18 are not offered: without Sscofpmf and with
 *   OpenSBI 1.1 they count only QEMU's soft-TLB fills for the three cache
 *   events the firmware maps, nothing a guest could compare with bare
 *   hardware, and Trapeze never programs them, so they stay what every VM
 *   reads natively (0); cache and raw events are NOT_SUPPORTED.
 * - Firmware counters: 16, each counting any firmware event: the spec's
 *   SBI_PMU_FW_* 0-21, counted by Trapeze where they happen
 *   (sbi_pmu_fw_count), and SBI_PMU_FW_PLATFORM, Trapeze's own statistics
 *   (event_data: SBI_PMU_PLAT_*).
 * - Counting only: the CPU has no Sscofpmf, so there is no overflow
 *   interrupt, and the snapshot's overflow bitmap is always 0.
 * - The *INH filtering flags of counter_config_matching are hints the spec
 *   lets an implementation ignore ("Counter Config Match Flags" note):
 *   none is honoured, a counter counts in every mode of the guest (and
 *   cycle/instret include the time Trapeze spends on the guest's traps,
 *   as bare counters include the firmware's).
 */
#include "core/sbi/sbi.h"

#include "core/guestmem.h"
#include "core/stats.h"
#include "core/vcpu.h"
#include "core/vm.h"

#define XLEN            64
#define CSR_CYCLE       0xc00
#define CSR_INSTRET     0xc02
#define EVENT_IDX_MASK  0xfffffUL       /* event_idx is 20 bits */

static struct sbi_pmu_vcpu *pmu_of(struct vcpu *v)
{
	return &v->sbi.pmu;
}

/* ---- event sources -------------------------------------------------------- */

/* Host cycles or instructions charged to v so far. */
static uint64_t pmu_run_now(struct vcpu *v, unsigned k)
{
	struct sbi_pmu_vcpu *p = pmu_of(v);
	uint64_t r = p->run[k];

	if (p->on_hart)
		r += sbi_pmu_arch_read_host(k) - p->run_mark[k];
	return r;
}

static uint64_t sum(const uint64_t *a, unsigned n)
{
	uint64_t s = 0;

	for (unsigned i = 0; i < n; i++)
		s += a[i];
	return s;
}

/* Trapeze's own count selected by event_data (SBI_PMU_PLAT_*); false for
 * an encoding that selects none. vm NULL: only the encoding is checked. */
static bool pmu_platform_count(const struct vm *vm, uint64_t data, uint64_t *n)
{
	static const struct vm_stats none;
	const struct vm_stats *s = vm ? &vm->stats : &none;

	switch (data) {
	case SBI_PMU_PLAT_TRAPS:
		*n = sum(s->trap_exc, STATS_EXC_MAX) + sum(s->trap_irq, STATS_IRQ_MAX);
		return true;
	case SBI_PMU_PLAT_EMULATED:
	case SBI_PMU_PLAT_FILLS:
		*n = vm ? sbi_pmu_arch_engine_count(vm, (unsigned)data) : 0;
		return true;
	case SBI_PMU_PLAT_WORLD_SWITCHES:
		*n = s->world_switches;
		return true;
	case SBI_PMU_PLAT_SBI_CALLS:
		*n = sum(s->sbi_calls, STATS_SBI_MAX) + s->sbi_unknown;
		return true;
	case SBI_PMU_PLAT_MMIO:
		*n = sum(s->mmio, STATS_MMIO_MAX);
		return true;
	case SBI_PMU_PLAT_INJECTED:
		*n = sum(s->inject_exc, STATS_EXC_MAX) + sum(s->inject_irq, STATS_IRQ_MAX);
		return true;
	}
	if (data >= SBI_PMU_PLAT_TRAP_EXC(0) && data < SBI_PMU_PLAT_TRAP_EXC(STATS_EXC_MAX)) {
		*n = s->trap_exc[data - SBI_PMU_PLAT_TRAP_EXC(0)];
		return true;
	}
	if (data >= SBI_PMU_PLAT_TRAP_IRQ(0) && data < SBI_PMU_PLAT_TRAP_IRQ(STATS_IRQ_MAX)) {
		*n = s->trap_irq[data - SBI_PMU_PLAT_TRAP_IRQ(0)];
		return true;
	}
	return false;
}

/* The monotonic source counter idx counts from while started. */
static uint64_t pmu_source(struct vcpu *v, unsigned idx)
{
	const struct sbi_pmu_counter *c = &pmu_of(v)->ctr[idx];
	unsigned code = c->event_idx & 0xffff;
	uint64_t n = 0;

	if (idx < SBI_PMU_HW_COUNTERS)
		return pmu_run_now(v, idx);
	if (code < SBI_PMU_FW_EVENTS)
		return __atomic_load_n(&pmu_of(v)->fw[code], __ATOMIC_RELAXED);
	pmu_platform_count(v->vm, c->event_data, &n);
	return n;
}

static uint64_t pmu_value(struct vcpu *v, unsigned idx)
{
	const struct sbi_pmu_counter *c = &pmu_of(v)->ctr[idx];

	return c->started ? c->value + (pmu_source(v, idx) - c->mark) : c->value;
}

static void pmu_start(struct vcpu *v, unsigned idx)
{
	struct sbi_pmu_counter *c = &pmu_of(v)->ctr[idx];

	c->mark = pmu_source(v, idx);
	c->started = true;
}

static void pmu_stop(struct vcpu *v, unsigned idx)
{
	struct sbi_pmu_counter *c = &pmu_of(v)->ctr[idx];

	c->value = pmu_value(v, idx);
	c->started = false;
}

/*
 * Can counter idx count event_idx with event_data? Hardware general events
 * (type 0): CPU_CYCLES on the cycle counter and INSTRUCTIONS on instret,
 * event_data 0 (its non-zero values are reserved). Firmware events (type
 * 0xf) on any firmware counter: codes 0-21 with event_data 0, and
 * SBI_PMU_FW_PLATFORM with an event_data Trapeze defines. Cache and raw
 * events, reserved and implementation-specific codes: none.
 */
static bool pmu_event_supported(unsigned long event_idx, uint64_t data)
{
	unsigned long type = event_idx >> 16, code = event_idx & 0xffff;
	uint64_t n;

	if (event_idx & ~EVENT_IDX_MASK)
		return false;
	if (type == SBI_PMU_EVENT_TYPE_HW)
		return (code == SBI_PMU_HW_CPU_CYCLES || code == SBI_PMU_HW_INSTRUCTIONS) && data == 0;
	if (type != SBI_PMU_EVENT_TYPE_FW)
		return false;
	if (code < SBI_PMU_FW_EVENTS)
		return data == 0;
	if (code == SBI_PMU_FW_PLATFORM)
		return pmu_platform_count(NULL, data, &n);
	return false;
}

static bool pmu_counter_fits(unsigned idx, unsigned long event_idx)
{
	unsigned long type = event_idx >> 16, code = event_idx & 0xffff;

	if (type == SBI_PMU_EVENT_TYPE_FW)
		return idx >= SBI_PMU_HW_COUNTERS;
	return (idx == SBI_PMU_CTR_CYCLE && code == SBI_PMU_HW_CPU_CYCLES) ||
	       (idx == SBI_PMU_CTR_INSTRET && code == SBI_PMU_HW_INSTRUCTIONS);
}

/*
 * The set of counters (counter_idx_base, counter_idx_mask): bit i names
 * counter base + i. Every named counter must exist (no wrap past the top
 * of the index space). Returns false when one does not: INVALID_PARAM
 * ("set of counters has at least one invalid counter").
 */
static bool pmu_set_valid(unsigned long base, unsigned long mask)
{
	for (unsigned bit = 0; bit < XLEN; bit++) {
		if (!(mask & (1UL << bit)))
			continue;
		if (base > -1UL - bit || base + bit >= SBI_PMU_COUNTERS)
			return false;
	}
	return true;
}

/* ---- the functions -------------------------------------------------------- */

static int pmu_num_counters(struct vcpu *v, const unsigned long args[6], struct sbi_ret *ret)
{
	(void)v, (void)args;
	ret->value = SBI_PMU_COUNTERS;
	return SBI_RESUME_NEXT;
}

static int pmu_counter_get_info(struct vcpu *v, const unsigned long args[6], struct sbi_ret *ret)
{
	(void)v;
	if (args[0] >= SBI_PMU_COUNTERS)
		ret->error = SBI_ERR_INVALID_PARAM;
	else if (args[0] == SBI_PMU_CTR_CYCLE)
		ret->value = (long)SBI_PMU_CTR_INFO(CSR_CYCLE, 64);
	else if (args[0] == SBI_PMU_CTR_INSTRET)
		ret->value = (long)SBI_PMU_CTR_INFO(CSR_INSTRET, 64);
	else
		/* csr and width "should be ignored", but Linux 6.1 masks firmware
		 * counter deltas with the width: 64 bits, as OpenSBI reports. */
		ret->value = (long)(SBI_PMU_CTR_INFO_FW | SBI_PMU_CTR_INFO(0, 64));
	return SBI_RESUME_NEXT;
}

/*
 * counter_config_matching(base, mask, flags, event_idx, event_data): the
 * first counter of the set that is not started and can count the event;
 * with SKIP_MATCH, the set's first counter whatever it held, as long as it
 * can count the event and is not counting. CLEAR_VALUE zeroes it (else it
 * keeps its value); AUTO_START starts it without touching the value.
 * Config flags bits 3-7 (*INH) are ignored (see the top of the file), as
 * are the reserved ones: the spec names no error for them.
 */
static int pmu_counter_config_matching(struct vcpu *v, const unsigned long args[6],
				       struct sbi_ret *ret)
{
	struct sbi_pmu_vcpu *p = pmu_of(v);
	unsigned long base = args[0], mask = args[1], flags = args[2], event_idx = args[3];
	uint64_t data = args[4];
	long found = -1;

	if (!pmu_set_valid(base, mask) ||
	    ((flags & SBI_PMU_CFG_FLAG_SKIP_MATCH) && mask == 0)) {
		ret->error = SBI_ERR_INVALID_PARAM;
		return SBI_RESUME_NEXT;
	}
	if (pmu_event_supported(event_idx, data)) {
		for (unsigned bit = 0; bit < XLEN && found < 0; bit++) {
			unsigned idx = (unsigned)(base + bit);
			if (!(mask & (1UL << bit)))
				continue;
			if (!p->ctr[idx].started && pmu_counter_fits(idx, event_idx))
				found = idx;
			if (flags & SBI_PMU_CFG_FLAG_SKIP_MATCH)
				break;      /* only the first counter of the set */
		}
	}
	if (found < 0) {
		ret->error = SBI_ERR_NOT_SUPPORTED;
		return SBI_RESUME_NEXT;
	}
	struct sbi_pmu_counter *c = &p->ctr[found];
	c->event_idx = (uint32_t)event_idx;
	c->event_data = data;
	if (flags & SBI_PMU_CFG_FLAG_CLEAR_VALUE)
		c->value = 0;
	if (flags & SBI_PMU_CFG_FLAG_AUTO_START)
		pmu_start(v, (unsigned)found);
	ret->value = found;
	return SBI_RESUME_NEXT;
}

/*
 * counter_start(base, mask, flags, initial_value). Checks in the order:
 * flags (SET_INIT_VALUE and INIT_SNAPSHOT are mutually exclusive), the set
 * (a counter with no event cannot start: INVALID_PARAM), the snapshot
 * memory; then starts every stopped counter of the set and answers
 * ALREADY_STARTED if some were running (they keep running, untouched), as
 * Linux, which starts sets, expects.
 */
static int pmu_counter_start(struct vcpu *v, const unsigned long args[6], struct sbi_ret *ret)
{
	struct sbi_pmu_vcpu *p = pmu_of(v);
	unsigned long base = args[0], mask = args[1], flags = args[2];
	bool snapshot = flags & SBI_PMU_START_FLAG_INIT_SNAPSHOT;

	if ((flags & SBI_PMU_START_SET_INIT_VALUE) && snapshot) {
		ret->error = SBI_ERR_INVALID_PARAM;
		return SBI_RESUME_NEXT;
	}
	if (!pmu_set_valid(base, mask)) {
		ret->error = SBI_ERR_INVALID_PARAM;
		return SBI_RESUME_NEXT;
	}
	for (unsigned bit = 0; bit < XLEN; bit++)
		if ((mask & (1UL << bit)) && p->ctr[base + bit].event_idx == 0) {
			ret->error = SBI_ERR_INVALID_PARAM;
			return SBI_RESUME_NEXT;
		}
	if (snapshot && !p->snapshot_on) {
		ret->error = SBI_ERR_NO_SHMEM;
		return SBI_RESUME_NEXT;
	}
	for (unsigned bit = 0; bit < XLEN; bit++) {
		unsigned idx = (unsigned)(base + bit);
		struct sbi_pmu_counter *c;
		uint64_t val;

		if (!(mask & (1UL << bit)))
			continue;
		c = &p->ctr[idx];
		if (c->started) {
			ret->error = SBI_ERR_ALREADY_STARTED;
			continue;
		}
		if (flags & SBI_PMU_START_SET_INIT_VALUE) {
			c->value = args[3];
		} else if (snapshot) {
			/* counter_values[i] is counter base + i (snapshot layout). */
			if (!guestmem_read(v->vm, p->snapshot_gpa + SBI_PMU_SNAPSHOT_VALUES + 8 * bit,
					   &val, sizeof(val))) {
				ret->error = SBI_ERR_FAILED;    /* RAM checked at set_shmem vanished */
				continue;
			}
			c->value = val;
		}
		pmu_start(v, idx);
	}
	return SBI_RESUME_NEXT;
}

/*
 * counter_stop(base, mask, flags): stops every running counter of the set;
 * ALREADY_STOPPED if some were not running (Linux stops all its counters
 * at once and ignores that answer). RESET also unmaps the event from
 * counters already stopped. TAKE_SNAPSHOT writes every counter of the set
 * to counter_values[] and clears the overflow bitmap (no Sscofpmf).
 */
static int pmu_counter_stop(struct vcpu *v, const unsigned long args[6], struct sbi_ret *ret)
{
	struct sbi_pmu_vcpu *p = pmu_of(v);
	unsigned long base = args[0], mask = args[1], flags = args[2];
	bool snapshot = flags & SBI_PMU_STOP_FLAG_TAKE_SNAPSHOT;

	if (!pmu_set_valid(base, mask)) {
		ret->error = SBI_ERR_INVALID_PARAM;
		return SBI_RESUME_NEXT;
	}
	if (snapshot && !p->snapshot_on) {
		ret->error = SBI_ERR_NO_SHMEM;
		return SBI_RESUME_NEXT;
	}
	for (unsigned bit = 0; bit < XLEN; bit++) {
		unsigned idx = (unsigned)(base + bit);
		struct sbi_pmu_counter *c;

		if (!(mask & (1UL << bit)))
			continue;
		c = &p->ctr[idx];
		if (c->started)
			pmu_stop(v, idx);
		else
			ret->error = SBI_ERR_ALREADY_STOPPED;
		if (flags & SBI_PMU_STOP_FLAG_RESET)
			c->event_idx = 0, c->event_data = 0;
		if (snapshot && !guestmem_write(v->vm, p->snapshot_gpa + SBI_PMU_SNAPSHOT_VALUES + 8 * bit,
						&c->value, sizeof(c->value)))
			ret->error = SBI_ERR_FAILED;
	}
	if (snapshot) {
		uint64_t overflow = 0;
		if (!guestmem_write(v->vm, p->snapshot_gpa, &overflow, sizeof(overflow)))
			ret->error = SBI_ERR_FAILED;
	}
	return SBI_RESUME_NEXT;
}

/* counter_fw_read and _hi: INVALID_PARAM for a hardware counter or one
 * that does not exist. A firmware counter with no event reads its last
 * value. On RV64 the high half is always 0. */
static int pmu_counter_fw_read(struct vcpu *v, const unsigned long args[6], struct sbi_ret *ret)
{
	if (args[0] < SBI_PMU_HW_COUNTERS || args[0] >= SBI_PMU_COUNTERS)
		ret->error = SBI_ERR_INVALID_PARAM;
	else
		ret->value = (long)pmu_value(v, (unsigned)args[0]);
	return SBI_RESUME_NEXT;
}

static int pmu_counter_fw_read_hi(struct vcpu *v, const unsigned long args[6], struct sbi_ret *ret)
{
	(void)v;
	if (args[0] < SBI_PMU_HW_COUNTERS || args[0] >= SBI_PMU_COUNTERS)
		ret->error = SBI_ERR_INVALID_PARAM;
	return SBI_RESUME_NEXT;
}

/*
 * snapshot_set_shmem(lo, hi, flags): both all-ones disables; else flags
 * must be 0 and lo 4 KiB aligned (INVALID_PARAM), and the page must be the
 * VM's RAM with hi = 0 (RV64: the address is lo alone; anything else is
 * INVALID_ADDRESS, Binary Encoding "Shared memory physical address range
 * parameter"). Trapeze touches it only in counter_start/stop, as the spec
 * requires.
 */
static int pmu_snapshot_set_shmem(struct vcpu *v, const unsigned long args[6], struct sbi_ret *ret)
{
	struct sbi_pmu_vcpu *p = pmu_of(v);

	if (args[2] != 0) {
		ret->error = SBI_ERR_INVALID_PARAM;
	} else if (args[0] == -1UL && args[1] == -1UL) {
		p->snapshot_on = false;
		p->snapshot_gpa = 0;
	} else if (args[0] & (SBI_PMU_SNAPSHOT_SIZE - 1)) {
		ret->error = SBI_ERR_INVALID_PARAM;
	} else if (args[1] != 0 || !guestmem_is_ram(v->vm, args[0], SBI_PMU_SNAPSHOT_SIZE)) {
		ret->error = SBI_ERR_INVALID_ADDRESS;
	} else {
		p->snapshot_on = true;
		p->snapshot_gpa = args[0];
	}
	return SBI_RESUME_NEXT;
}

/* An event_idx that follows the spec's encodings (event_get_info's
 * INVALID_PARAM otherwise): bits 20-31 zero, a defined type, a code from
 * that type's table (firmware: not in the reserved 22-255). */
static bool pmu_event_idx_conforms(uint32_t event_idx)
{
	uint32_t type = event_idx >> 16, code = event_idx & 0xffff;

	if (event_idx & ~(uint32_t)EVENT_IDX_MASK)
		return false;
	switch (type) {
	case SBI_PMU_EVENT_TYPE_HW:
		return code <= 10;                      /* Table "PMU Hardware Events" */
	case SBI_PMU_EVENT_TYPE_CACHE:
		/* cache_id [15:3] 0-6, op_id [2:1] 0-2, result_id [0] */
		return (code >> 3) <= 6 && ((code >> 1) & 3) <= 2;
	case SBI_PMU_EVENT_TYPE_RAW:
	case SBI_PMU_EVENT_TYPE_RAW_V2:
		return code == 0;
	case SBI_PMU_EVENT_TYPE_FW:
		return code < SBI_PMU_FW_EVENTS || code >= 256;
	default:
		return false;
	}
}

/*
 * event_get_info(lo, hi, num_entries, flags): one 16-byte entry per event
 * (event_idx, output, event_data); output bit 0 says whether a counter can
 * count it (the same rule as counter_config_matching). Checks: flags 0 and
 * lo 16-byte aligned (INVALID_PARAM), hi 0 and the whole array in the VM's
 * RAM (INVALID_ADDRESS), then each entry's event_idx (INVALID_PARAM,
 * earlier entries answered). The memory is not touched after the call.
 */
static int pmu_event_get_info(struct vcpu *v, const unsigned long args[6], struct sbi_ret *ret)
{
	unsigned long lo = args[0], n = args[2];

	if (args[3] != 0 || (lo & (SBI_PMU_EVENT_INFO_SIZE - 1))) {
		ret->error = SBI_ERR_INVALID_PARAM;
		return SBI_RESUME_NEXT;
	}
	if (args[1] != 0 || n > -1UL / SBI_PMU_EVENT_INFO_SIZE ||
	    (n != 0 && !guestmem_is_ram(v->vm, lo, n * SBI_PMU_EVENT_INFO_SIZE))) {
		ret->error = SBI_ERR_INVALID_ADDRESS;
		return SBI_RESUME_NEXT;
	}
	for (unsigned long i = 0; i < n; i++) {
		uint64_t gpa = lo + i * SBI_PMU_EVENT_INFO_SIZE;
		struct { uint32_t event_idx, output; uint64_t event_data; } e;

		if (!guestmem_read(v->vm, gpa, &e, sizeof(e))) {
			ret->error = SBI_ERR_FAILED;
			return SBI_RESUME_NEXT;
		}
		if (!pmu_event_idx_conforms(e.event_idx)) {
			ret->error = SBI_ERR_INVALID_PARAM;
			return SBI_RESUME_NEXT;
		}
		/* event_data means something only for raw and firmware types. */
		uint32_t type = e.event_idx >> 16;
		uint64_t data = type == SBI_PMU_EVENT_TYPE_RAW || type == SBI_PMU_EVENT_TYPE_RAW_V2 ||
				type == SBI_PMU_EVENT_TYPE_FW ? e.event_data : 0;
		uint32_t output = pmu_event_supported(e.event_idx, data) ? 1 : 0;
		if (!guestmem_write(v->vm, gpa + 4, &output, sizeof(output))) {
			ret->error = SBI_ERR_FAILED;
			return SBI_RESUME_NEXT;
		}
	}
	return SBI_RESUME_NEXT;
}

static const sbi_fn_t pmu_fns[] = {
	[SBI_PMU_NUM_COUNTERS]       = pmu_num_counters,
	[SBI_PMU_COUNTER_GET_INFO]   = pmu_counter_get_info,
	[SBI_PMU_COUNTER_CFG_MATCH]  = pmu_counter_config_matching,
	[SBI_PMU_COUNTER_START]      = pmu_counter_start,
	[SBI_PMU_COUNTER_STOP]       = pmu_counter_stop,
	[SBI_PMU_COUNTER_FW_READ]    = pmu_counter_fw_read,
	[SBI_PMU_COUNTER_FW_READ_HI] = pmu_counter_fw_read_hi,
	[SBI_PMU_SNAPSHOT_SET_SHMEM] = pmu_snapshot_set_shmem,
	[SBI_PMU_EVENT_GET_INFO]     = pmu_event_get_info,
};

static int pmu_handle(struct vcpu *v, unsigned long eid, unsigned long fid,
		      const unsigned long args[6], struct sbi_ret *ret)
{
	(void)eid;
	return SBI_CALL_TABLE(pmu_fns, fid, v, args, ret);
}

/*
 * Boot state: every counter stopped with no event but `cycle` and
 * `instret`, which run from zero with their events, as the CSRs run on
 * bare hardware under OpenSBI (whose PMU maps those two events at boot);
 * no snapshot memory; no firmware event counted yet.
 */
static void pmu_vcpu_reset(struct vcpu *v)
{
	struct sbi_pmu_vcpu *p = pmu_of(v);

	*p = (struct sbi_pmu_vcpu){ 0 };
	p->ctr[SBI_PMU_CTR_CYCLE].event_idx = SBI_PMU_EVENT_IDX(SBI_PMU_EVENT_TYPE_HW, SBI_PMU_HW_CPU_CYCLES);
	p->ctr[SBI_PMU_CTR_INSTRET].event_idx = SBI_PMU_EVENT_IDX(SBI_PMU_EVENT_TYPE_HW, SBI_PMU_HW_INSTRUCTIONS);
	pmu_start(v, SBI_PMU_CTR_CYCLE);
	pmu_start(v, SBI_PMU_CTR_INSTRET);
}

SBI_EXTENSION(pmu) = {
	.name = "pmu",
	.eid_min = SBI_EXT_PMU,
	.eid_max = SBI_EXT_PMU,
	.handle = pmu_handle,
	.vcpu_reset = pmu_vcpu_reset,
};

/* ---- for the rest of Trapeze -------------------------------------------- */

void sbi_pmu_fw_count(struct vcpu *v, unsigned event)
{
	if (v && event < SBI_PMU_FW_EVENTS)
		__atomic_fetch_add(&pmu_of(v)->fw[event], 1, __ATOMIC_RELAXED);
}

void sbi_pmu_vcpu_enter(struct vcpu *v)
{
	struct sbi_pmu_vcpu *p = pmu_of(v);

	if (p->on_hart)
		return;
	for (unsigned k = 0; k < SBI_PMU_HW_COUNTERS; k++)
		p->run_mark[k] = sbi_pmu_arch_read_host(k);
	p->on_hart = true;
}

void sbi_pmu_vcpu_leave(struct vcpu *v)
{
	struct sbi_pmu_vcpu *p = pmu_of(v);

	if (!p->on_hart)
		return;
	for (unsigned k = 0; k < SBI_PMU_HW_COUNTERS; k++)
		p->run[k] += sbi_pmu_arch_read_host(k) - p->run_mark[k];
	p->on_hart = false;
}

uint64_t sbi_pmu_read_csr(struct vcpu *v, unsigned csr)
{
	if (csr == CSR_CYCLE)
		return pmu_value(v, SBI_PMU_CTR_CYCLE);
	if (csr == CSR_INSTRET)
		return pmu_value(v, SBI_PMU_CTR_INSTRET);
	return 0;
}
