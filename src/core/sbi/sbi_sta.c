/*
 * SBI v3.0, chapter 16, Steal-time Accounting Extension (EID 0x535441
 * "STA"): a vCPU registers a 64-byte record in its RAM, and Trapeze writes
 * into it how long the vCPU was ready to run but had no hart. The
 * accounting is the scheduler's (sched.c: vcpu->steal_ticks grows from the
 * moment a vCPU is queued until it gets a hart; time blocked in WFI or
 * stopped is idle, not stolen); this file publishes it, through the common
 * guest-memory path, each time the vCPU is about to run again after such
 * a wait, and sets `preempted` while it waits after its slice ended.
 */
#include "core/sbi/sbi.h"

#include "core/guestmem.h"
#include "core/platform.h"
#include "core/vcpu.h"
#include "core/vm.h"

#define NS_PER_S    1000000000ULL

/* Time-CSR ticks to nanoseconds ("steal ... in nanoseconds") without
 * overflowing the product for long runs: whole seconds and the rest apart. */
static uint64_t sta_ticks_to_ns(uint64_t ticks)
{
	uint64_t hz = platform.timebase_hz;

	if (hz == 0)
		return 0;
	return ticks / hz * NS_PER_S + ticks % hz * NS_PER_S / hz;
}

/*
 * One aligned 64-bit word of the record. guestmem copies an 8-byte
 * aligned word with one store, so the sequence (with the flags word,
 * always 0, beside it) changes in one piece for a reader on another hart.
 * A record that stopped being RAM (it cannot, short of a reset, which
 * unregisters it first) is given up.
 */
static bool sta_write_word(struct vcpu *v, unsigned off, uint64_t val)
{
	struct sbi_sta_vcpu *s = &v->sbi.sta;

	if (guestmem_write(v->vm, s->shmem + off, &val, sizeof(val)))
		return true;
	s->enabled = false;
	return false;
}

/*
 * Table "STA Shared Memory Structure": the sequence goes odd before
 * `steal` is written and even after, so a reader that sees the same even
 * value before and after reading `steal` read a whole one; `preempted`
 * must be 0 before the vCPU runs again. The fences order the stores for
 * readers on other harts.
 */
void sbi_sta_record_steal(struct vcpu *v)
{
	struct sbi_sta_vcpu *s = &v->sbi.sta;
	uint64_t steal;

	if (!s->enabled)
		return;
	steal = sta_ticks_to_ns(v->steal_ticks - s->steal_base);
	if (!sta_write_word(v, SBI_STA_OFF_SEQUENCE, s->sequence + 1))
		return;
	__atomic_thread_fence(__ATOMIC_RELEASE);
	if (!sta_write_word(v, SBI_STA_OFF_STEAL, steal) ||
	    !sta_write_word(v, SBI_STA_OFF_PREEMPTED, 0))
		return;
	__atomic_thread_fence(__ATOMIC_RELEASE);
	s->sequence += 2;
	sta_write_word(v, SBI_STA_OFF_SEQUENCE, s->sequence);
}

/* `preempted` is advisory ("MAY be written ... while steal is
 * increasing"): set with the pad bytes beside it, which stay 0. */
void sbi_sta_mark_preempted(struct vcpu *v)
{
	if (v->sbi.sta.enabled)
		sta_write_word(v, SBI_STA_OFF_PREEMPTED, 1);
}

/*
 * sbi_steal_time_set_shmem(shmem_phys_lo, shmem_phys_hi, flags), checked in
 * the order of Table "STA Set Steal-time Shared Memory Address Errors":
 * flags not 0, or lo not 64-byte aligned: INVALID_PARAM (lo and hi both
 * all-ones is not an address but the request to stop, so it is taken
 * before the alignment check); then the range: on RV64 the address is lo
 * alone, so hi != 0 is beyond any physical address, and every byte must be
 * writable guest RAM ("Shared memory physical address range parameter",
 * chapter 3): INVALID_ADDRESS otherwise. The record is zeroed before the
 * call returns, and steal counts from 0 from here.
 */
static int sta_set_shmem(struct vcpu *v, const unsigned long args[6], struct sbi_ret *ret)
{
	struct sbi_sta_vcpu *s = &v->sbi.sta;
	static const uint64_t zero[SBI_STA_SHMEM_SIZE / 8];
	unsigned long lo = args[0], hi = args[1], flags = args[2];

	if (flags != 0) {
		ret->error = SBI_ERR_INVALID_PARAM;
	} else if (lo == SBI_STA_SHMEM_DISABLE && hi == SBI_STA_SHMEM_DISABLE) {
		s->enabled = false;
	} else if (lo % SBI_STA_SHMEM_SIZE != 0) {
		ret->error = SBI_ERR_INVALID_PARAM;
	} else if (hi != 0 || !guestmem_is_ram(v->vm, lo, SBI_STA_SHMEM_SIZE)) {
		ret->error = SBI_ERR_INVALID_ADDRESS;
	} else if (!guestmem_write(v->vm, lo, zero, sizeof(zero))) {
		ret->error = SBI_ERR_FAILED;    /* RAM checked above vanished */
	} else {
		s->shmem = lo;
		s->sequence = 0;
		s->steal_base = v->steal_ticks;
		s->enabled = true;
	}
	return SBI_RESUME_NEXT;
}

static const sbi_fn_t sta_fns[] = {
	[SBI_STA_SET_SHMEM] = sta_set_shmem,
};

static int sta_handle(struct vcpu *v, unsigned long eid, unsigned long fid,
		      const unsigned long args[6], struct sbi_ret *ret)
{
	(void)eid;
	return SBI_CALL_TABLE(sta_fns, fid, v, args, ret);
}

/* A VM loaded or reset reports nothing until it registers again: the old
 * record's memory is no longer its ("MUST stop writing ... upon system
 * reset"). */
static void sta_vcpu_reset(struct vcpu *v)
{
	v->sbi.sta = (struct sbi_sta_vcpu){ .enabled = false };
}

SBI_EXTENSION(sta) = {
	.name = "sta",
	.eid_min = SBI_EXT_STA,
	.eid_max = SBI_EXT_STA,
	.handle = sta_handle,
	.vcpu_reset = sta_vcpu_reset,
};
