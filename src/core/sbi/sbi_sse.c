/*
 * SBI v3.0, chapter "Supervisor Software Events Extension" (EID 0x535345
 * "SSE"): events the SBI implementation injects into supervisor software,
 * preempting its traps and interrupts. Trapeze raises the two
 * software-injected events: LOCAL_SOFTWARE (one per hart, state kept per
 * vCPU) and GLOBAL_SOFTWARE (one per VM, taken on its PREFERRED_HART).
 *
 * An event follows the state machine UNUSED -> REGISTERED (register) ->
 * ENABLED (enable) -> RUNNING (taken) -> ENABLED (complete; REGISTERED when
 * one-shot). Taking it is sbi_sse_deliver's, at guest entry, through the
 * engine's sse_enter; completing it is sse_complete's, through the
 * engine's sse_complete. The VM's SSE lock guards every event and every
 * vCPU's mask, as other harts inject and poke.
 */
#include "core/sbi/sbi.h"

#include "core/engine.h"
#include "core/guestmem.h"
#include "core/sched.h"
#include "core/vcpu.h"
#include "core/vm.h"

#define REG_A6  16
#define REG_A7  17
#define XLEN_BYTES  8

enum sse_kind {
	SSE_INVALID,        /* reserved or platform-specific (none here): INVALID_PARAM */
	SSE_UNSUPPORTED,    /* a standard event this platform cannot raise */
	SSE_LOCAL,          /* LOCAL_SOFTWARE */
	SSE_GLOBAL,         /* GLOBAL_SOFTWARE */
};

/* event_id is 32 bits wide (uint32_t in every signature): the upper half
 * of a0 is ignored (sbi_arg32: the width rule of sbi.h, SBI v3.0 chapter
 * 3), so 0x1ffff0000 and a sign-extended 0xffffffffffff0000 both name
 * LOCAL_SOFTWARE. */
static enum sse_kind sse_classify(unsigned long arg)
{
	switch (sbi_arg32(arg)) {
	case SBI_SSE_EVENT_LOCAL_SOFTWARE:
		return SSE_LOCAL;
	case SBI_SSE_EVENT_GLOBAL_SOFTWARE:
		return SSE_GLOBAL;
	case SBI_SSE_EVENT_LOCAL_HIGH_PRIO_RAS:
	case SBI_SSE_EVENT_LOCAL_DOUBLE_TRAP:
	case SBI_SSE_EVENT_GLOBAL_HIGH_PRIO_RAS:
	case SBI_SSE_EVENT_LOCAL_PMU_OVERFLOW:
	case SBI_SSE_EVENT_LOCAL_LOW_PRIO_RAS:
	case SBI_SSE_EVENT_GLOBAL_LOW_PRIO_RAS:
		return SSE_UNSUPPORTED;
	default:
		return SSE_INVALID;
	}
}

/* The error for an event id that is not one Trapeze raises, else 0. */
static long sse_event_error(enum sse_kind k)
{
	return k == SSE_INVALID ? SBI_ERR_INVALID_PARAM :
	       k == SSE_UNSUPPORTED ? SBI_ERR_NOT_SUPPORTED : SBI_SUCCESS;
}

/* The event as the calling hart sees it: its own copy of a local one. */
static struct sbi_sse_event *sse_event(struct vcpu *v, enum sse_kind k)
{
	return k == SSE_GLOBAL ? &v->vm->sbi.sse.global : &v->sbi.sse.local;
}

static struct spinlock *sse_lock(struct vcpu *v)
{
	return &v->vm->sbi.sse.lock;
}

/* "Software Event Priority": lower priority value first, then lower id. */
static uint64_t sse_key(const struct sbi_sse_event *e, uint32_t id)
{
	return (uint64_t)e->priority << 32 | id;
}

/*
 * The event v takes now, or NULL: an ENABLED, pending one meant for v
 * (its local event; the global one when v is its preferred hart) while v
 * is unmasked, of higher priority than every event v is running, which it
 * preempts ("Software Event Priority"). Lock held.
 */
static struct sbi_sse_event *sse_pick(struct vcpu *v)
{
	struct sbi_sse_event *ev[2] = { &v->sbi.sse.local, &v->vm->sbi.sse.global };
	static const uint32_t id[2] = { SBI_SSE_EVENT_LOCAL_SOFTWARE, SBI_SSE_EVENT_GLOBAL_SOFTWARE };
	struct sbi_sse_event *best = NULL;
	uint64_t best_key = UINT64_MAX, running = UINT64_MAX;

	for (unsigned i = 0; i < 2; i++) {
		struct sbi_sse_event *e = ev[i];
		bool global = i == 1;
		uint64_t key = sse_key(e, id[i]);

		if (e->state == SBI_SSE_STATE_RUNNING && (!global || e->running_hart == v->id)) {
			if (key < running)
				running = key;
		} else if (e->state == SBI_SSE_STATE_ENABLED && e->pending &&
			   (!global || e->preferred_hart == v->id) && key < best_key) {
			best = e;
			best_key = key;
		}
	}
	if (!v->sbi.sse.unmasked || best_key >= running)
		return NULL;
	return best;
}

/*
 * Something changed that may let target take an event: it looks again at
 * its next guest entry. Another vCPU is made to notice: one waiting (WFI,
 * retentive suspend) wakes when it has an event to take, as a hart's wait
 * ends when the firmware's IPI brings an event; a running one is kicked.
 * Lock held.
 */
static void sse_poke(struct vcpu *caller, struct vcpu *target)
{
	if (!target)
		return;
	__atomic_store_n(&target->sbi.sse.recheck, 1, __ATOMIC_RELEASE);
	if (target == caller)
		return;
	if (target->state == VCPU_BLOCKED) {
		if (sse_pick(target))
			sched_make_runnable(target);
	} else {
		vcpu_kick(target);
	}
}

/* The vCPU an event is meant for: its hart, or the global one's preferred. */
static struct vcpu *sse_target(struct vcpu *v, enum sse_kind k)
{
	return k == SSE_GLOBAL ? vm_vcpu(v->vm, v->vm->sbi.sse.global.preferred_hart) : v;
}

static uint64_t sse_attr_get(struct vcpu *v, const struct sbi_sse_event *e, enum sse_kind k,
			     unsigned attr)
{
	switch (attr) {
	case SBI_SSE_ATTR_STATUS:
		return e->state | (e->pending ? SBI_SSE_STATUS_PENDING : 0) |
		       SBI_SSE_STATUS_INJECTABLE;
	case SBI_SSE_ATTR_PRIORITY:
		return e->priority;
	case SBI_SSE_ATTR_CONFIG:
		return e->config;
	case SBI_SSE_ATTR_PREFERRED_HART:
		return k == SSE_GLOBAL ? e->preferred_hart : v->id;
	case SBI_SSE_ATTR_ENTRY_PC:
		return e->entry_pc;
	case SBI_SSE_ATTR_ENTRY_ARG:
		return e->entry_arg;
	case SBI_SSE_ATTR_INTERRUPTED_SEPC:
		return e->interrupted_sepc;
	case SBI_SSE_ATTR_INTERRUPTED_FLAGS:
		return e->interrupted_flags;
	case SBI_SSE_ATTR_INTERRUPTED_A6:
		return e->interrupted_a6;
	default:
		return e->interrupted_a7;
	}
}

/* Read-only per Table "SSE Event Attributes" (PREFERRED_HART for local events). */
static bool sse_attr_read_only(enum sse_kind k, unsigned attr)
{
	return attr == SBI_SSE_ATTR_STATUS || attr == SBI_SSE_ATTR_ENTRY_PC ||
	       attr == SBI_SSE_ATTR_ENTRY_ARG ||
	       (attr == SBI_SSE_ATTR_PREFERRED_HART && k != SSE_GLOBAL);
}

/* Whether a writable attribute may take val now: PRIORITY, CONFIG and
 * PREFERRED_HART only while UNUSED or REGISTERED; the INTERRUPTED_* ones
 * only while RUNNING, and for the global event only on the hart running
 * its handler. Then the value: reserved bits zero, a hart the VM has. */
static long sse_attr_check(struct vcpu *v, const struct sbi_sse_event *e, unsigned attr,
			   uint64_t val)
{
	bool configurable = e->state == SBI_SSE_STATE_UNUSED || e->state == SBI_SSE_STATE_REGISTERED;
	bool running_here = e->state == SBI_SSE_STATE_RUNNING && e->running_hart == v->id;

	switch (attr) {
	case SBI_SSE_ATTR_PRIORITY:
		/* Any value: "only lower 32-bits of the value are used and
		 * other bits are always set to zero" (sse_attr_set). */
		return configurable ? SBI_SUCCESS : SBI_ERR_INVALID_STATE;
	case SBI_SSE_ATTR_CONFIG:
		if (!configurable)
			return SBI_ERR_INVALID_STATE;
		return val & ~SBI_SSE_CONFIG_ONESHOT ? SBI_ERR_INVALID_PARAM : SBI_SUCCESS;
	case SBI_SSE_ATTR_PREFERRED_HART:
		if (!configurable)
			return SBI_ERR_INVALID_STATE;
		return vm_vcpu(v->vm, val) ? SBI_SUCCESS : SBI_ERR_INVALID_PARAM;
	case SBI_SSE_ATTR_INTERRUPTED_FLAGS:
		if (!running_here)
			return SBI_ERR_INVALID_STATE;
		return val & ~SBI_SSE_FLAGS_VALID ? SBI_ERR_INVALID_PARAM : SBI_SUCCESS;
	default:        /* INTERRUPTED_SEPC, _A6, _A7: any value */
		return running_here ? SBI_SUCCESS : SBI_ERR_INVALID_STATE;
	}
}

static void sse_attr_set(struct sbi_sse_event *e, unsigned attr, uint64_t val)
{
	switch (attr) {
	case SBI_SSE_ATTR_PRIORITY:
		e->priority = (uint32_t)val;
		break;
	case SBI_SSE_ATTR_CONFIG:
		e->config = val;
		break;
	case SBI_SSE_ATTR_PREFERRED_HART:
		e->preferred_hart = val;
		break;
	case SBI_SSE_ATTR_INTERRUPTED_SEPC:
		e->interrupted_sepc = val;
		break;
	case SBI_SSE_ATTR_INTERRUPTED_FLAGS:
		e->interrupted_flags = val;
		break;
	case SBI_SSE_ATTR_INTERRUPTED_A6:
		e->interrupted_a6 = val;
		break;
	case SBI_SSE_ATTR_INTERRUPTED_A7:
		e->interrupted_a7 = val;
		break;
	}
}

/*
 * What read_attrs and write_attrs share ("Read/Write software event
 * attributes"): a0 event_id, a1 base_attr_id, a2 attr_count (uint32_t
 * each: the low halves of the registers, sbi_arg32), a3/a4 the buffer's
 * physical address lo/hi. Checked in the order: the event (INVALID_PARAM,
 * NOT_SUPPORTED), attr_count zero (INVALID_PARAM), attributes past the
 * last (BAD_RANGE), then the buffer ("Shared memory physical address range
 * parameter": XLEN/8 aligned, every byte guest RAM, hi = 0 as RV64 needs
 * no more; else INVALID_ADDRESS). Element i of the buffer is attribute
 * base_attr_id + i: the buffer is (XLEN / 8) * attr_count bytes.
 */
static long sse_attrs_args(struct vcpu *v, const unsigned long args[6], enum sse_kind *k)
{
	uint32_t base = sbi_arg32(args[1]), count = sbi_arg32(args[2]);

	*k = sse_classify(args[0]);
	if (*k != SSE_LOCAL && *k != SSE_GLOBAL)
		return sse_event_error(*k);
	if (count == 0)
		return SBI_ERR_INVALID_PARAM;
	if (base >= SBI_SSE_ATTR_COUNT || count > SBI_SSE_ATTR_COUNT - base)
		return SBI_ERR_BAD_RANGE;
	if (args[4] != 0 || (args[3] & (XLEN_BYTES - 1)) ||
	    !guestmem_is_ram(v->vm, args[3], count * XLEN_BYTES))
		return SBI_ERR_INVALID_ADDRESS;
	return SBI_SUCCESS;
}

static int sse_read_attrs(struct vcpu *v, const unsigned long args[6], struct sbi_ret *ret)
{
	uint64_t val[SBI_SSE_ATTR_COUNT];
	enum sse_kind k;
	unsigned base = sbi_arg32(args[1]), count = sbi_arg32(args[2]);

	ret->error = sse_attrs_args(v, args, &k);
	if (ret->error)
		return SBI_RESUME_NEXT;
	spin_lock(sse_lock(v));
	for (unsigned i = 0; i < count; i++)
		val[i] = sse_attr_get(v, sse_event(v, k), k, base + i);
	spin_unlock(sse_lock(v));
	if (!guestmem_write(v->vm, args[3], val, count * XLEN_BYTES))
		ret->error = SBI_ERR_FAILED;    /* RAM checked above vanished */
	return SBI_RESUME_NEXT;
}

/* All or nothing: every attribute is checked (read-only ones BAD_RANGE,
 * then state and value) before any is written. */
static int sse_write_attrs(struct vcpu *v, const unsigned long args[6], struct sbi_ret *ret)
{
	uint64_t val[SBI_SSE_ATTR_COUNT];
	enum sse_kind k;
	unsigned base = sbi_arg32(args[1]), count = sbi_arg32(args[2]);
	struct sbi_sse_event *e;

	ret->error = sse_attrs_args(v, args, &k);
	if (ret->error)
		return SBI_RESUME_NEXT;
	for (unsigned i = 0; i < count; i++) {
		if (sse_attr_read_only(k, base + i)) {
			ret->error = SBI_ERR_BAD_RANGE;
			return SBI_RESUME_NEXT;
		}
	}
	/* Copied once: the guest cannot change a value between check and use. */
	if (!guestmem_read(v->vm, args[3], val, count * XLEN_BYTES)) {
		ret->error = SBI_ERR_FAILED;
		return SBI_RESUME_NEXT;
	}
	spin_lock(sse_lock(v));
	e = sse_event(v, k);
	for (unsigned i = 0; i < count && !ret->error; i++)
		ret->error = sse_attr_check(v, e, base + i, val[i]);
	if (!ret->error)
		for (unsigned i = 0; i < count; i++)
			sse_attr_set(e, base + i, val[i]);
	spin_unlock(sse_lock(v));
	return SBI_RESUME_NEXT;
}

/* The event of a0 for the one-event calls (register ... disable), with
 * the lock held on success; else ret->error says why. */
static struct sbi_sse_event *sse_event_locked(struct vcpu *v, unsigned long event_id,
					      enum sse_kind *k, struct sbi_ret *ret)
{
	*k = sse_classify(event_id);
	ret->error = sse_event_error(*k);
	if (ret->error)
		return NULL;
	spin_lock(sse_lock(v));
	return sse_event(v, *k);
}

/* "Register a software event": UNUSED -> REGISTERED with ENTRY_PC (2-byte
 * aligned, else INVALID_PARAM) and ENTRY_ARG. */
static int sse_register(struct vcpu *v, const unsigned long args[6], struct sbi_ret *ret)
{
	enum sse_kind k;
	struct sbi_sse_event *e = sse_event_locked(v, args[0], &k, ret);

	if (!e)
		return SBI_RESUME_NEXT;
	if (args[1] & 1) {
		ret->error = SBI_ERR_INVALID_PARAM;
	} else if (e->state != SBI_SSE_STATE_UNUSED) {
		ret->error = SBI_ERR_INVALID_STATE;
	} else {
		e->entry_pc = args[1];
		e->entry_arg = args[2];
		e->state = SBI_SSE_STATE_REGISTERED;
	}
	spin_unlock(sse_lock(v));
	return SBI_RESUME_NEXT;
}

/* One transition from -> to of the state machine; INVALID_STATE from any
 * other state. Entering ENABLED may let the event be taken. */
static int sse_transition(struct vcpu *v, unsigned long event_id, uint8_t from, uint8_t to,
			  struct sbi_ret *ret)
{
	enum sse_kind k;
	struct sbi_sse_event *e = sse_event_locked(v, event_id, &k, ret);

	if (!e)
		return SBI_RESUME_NEXT;
	if (e->state != from) {
		ret->error = SBI_ERR_INVALID_STATE;
	} else {
		e->state = to;
		if (to == SBI_SSE_STATE_ENABLED)
			sse_poke(v, sse_target(v, k));
	}
	spin_unlock(sse_lock(v));
	return SBI_RESUME_NEXT;
}

static int sse_unregister(struct vcpu *v, const unsigned long args[6], struct sbi_ret *ret)
{
	return sse_transition(v, args[0], SBI_SSE_STATE_REGISTERED, SBI_SSE_STATE_UNUSED, ret);
}

static int sse_enable(struct vcpu *v, const unsigned long args[6], struct sbi_ret *ret)
{
	return sse_transition(v, args[0], SBI_SSE_STATE_REGISTERED, SBI_SSE_STATE_ENABLED, ret);
}

static int sse_disable(struct vcpu *v, const unsigned long args[6], struct sbi_ret *ret)
{
	return sse_transition(v, args[0], SBI_SSE_STATE_ENABLED, SBI_SSE_STATE_REGISTERED, ret);
}

/* The highest-priority event v is running, or NULL. Lock held. */
static struct sbi_sse_event *sse_running(struct vcpu *v)
{
	struct sbi_sse_event *l = &v->sbi.sse.local, *g = &v->vm->sbi.sse.global;
	bool lr = l->state == SBI_SSE_STATE_RUNNING;
	bool gr = g->state == SBI_SSE_STATE_RUNNING && g->running_hart == v->id;

	if (lr && gr)
		return sse_key(l, SBI_SSE_EVENT_LOCAL_SOFTWARE) <
		       sse_key(g, SBI_SSE_EVENT_GLOBAL_SOFTWARE) ? l : g;
	return lr ? l : gr ? g : NULL;
}

/*
 * "Complete software event handling": with no event running here, nothing
 * happens (SUCCESS). Else the highest-priority running event goes back to
 * ENABLED (REGISTERED when one-shot) and the vCPU resumes the state it
 * interrupted ("Software Event Completion"): the pc from sepc, the rest
 * from the INTERRUPTED_* attributes. The call does not return, so no
 * result register is written: a0/a1 stay what the handler restored.
 */
static int sse_complete(struct vcpu *v, const unsigned long args[6], struct sbi_ret *ret)
{
	struct sbi_sse_event *e;
	struct engine_sse_state st;

	(void)args;
	spin_lock(sse_lock(v));
	e = sse_running(v);
	if (!e) {
		spin_unlock(sse_lock(v));
		return SBI_RESUME_NEXT;
	}
	e->state = (e->config & SBI_SSE_CONFIG_ONESHOT) ? SBI_SSE_STATE_REGISTERED :
							 SBI_SSE_STATE_ENABLED;
	st = (struct engine_sse_state){
		.sepc = e->interrupted_sepc,
		.spp = (e->interrupted_flags & SBI_SSE_FLAG_SPP) != 0,
		.spie = (e->interrupted_flags & SBI_SSE_FLAG_SPIE) != 0,
	};
	vcpu_set_gpr(v, REG_A6, e->interrupted_a6);
	vcpu_set_gpr(v, REG_A7, e->interrupted_a7);
	ret->resume_pc = v->engine->sse_complete(v, &st);
	/* The event signalled again while it ran, or a lower one it held
	 * off, may be taken now. */
	sse_poke(v, v);
	spin_unlock(sse_lock(v));
	return SBI_RESUME_JUMP;
}

/* "Inject a software event": pending on hart_id (a local event; a hart the
 * VM lacks is INVALID_PARAM) or on the VM (global: hart_id ignored, taken
 * on the preferred hart). Any state may be injected into; it is taken
 * once ENABLED. */
static int sse_inject(struct vcpu *v, const unsigned long args[6], struct sbi_ret *ret)
{
	enum sse_kind k = sse_classify(args[0]);
	struct vcpu *t = v;

	ret->error = sse_event_error(k);
	if (ret->error)
		return SBI_RESUME_NEXT;
	if (k == SSE_LOCAL) {
		t = vm_vcpu(v->vm, args[1]);
		if (!t) {
			ret->error = SBI_ERR_INVALID_PARAM;
			return SBI_RESUME_NEXT;
		}
	}
	spin_lock(sse_lock(v));
	sse_event(t, k)->pending = true;
	sse_poke(v, sse_target(t, k));
	spin_unlock(sse_lock(v));
	return SBI_RESUME_NEXT;
}

/* "Unmask/Mask software events on a hart": masked at boot; a call that
 * changes nothing is ALREADY_STARTED (unmask) or ALREADY_STOPPED (mask). */
static int sse_hart_unmask(struct vcpu *v, const unsigned long args[6], struct sbi_ret *ret)
{
	(void)args;
	spin_lock(sse_lock(v));
	if (v->sbi.sse.unmasked) {
		ret->error = SBI_ERR_ALREADY_STARTED;
	} else {
		v->sbi.sse.unmasked = true;
		sse_poke(v, v);
	}
	spin_unlock(sse_lock(v));
	return SBI_RESUME_NEXT;
}

static int sse_hart_mask(struct vcpu *v, const unsigned long args[6], struct sbi_ret *ret)
{
	(void)args;
	spin_lock(sse_lock(v));
	if (!v->sbi.sse.unmasked)
		ret->error = SBI_ERR_ALREADY_STOPPED;
	v->sbi.sse.unmasked = false;
	spin_unlock(sse_lock(v));
	return SBI_RESUME_NEXT;
}

bool sbi_sse_due(const struct vcpu *v)
{
	return __atomic_load_n(&v->sbi.sse.recheck, __ATOMIC_ACQUIRE) != 0;
}

void sbi_sse_deliver(struct vcpu *v)
{
	struct sbi_sse_event *e;
	struct engine_sse_state st;

	if (!__atomic_load_n(&v->sbi.sse.recheck, __ATOMIC_ACQUIRE))
		return;
	spin_lock(sse_lock(v));
	__atomic_store_n(&v->sbi.sse.recheck, 0, __ATOMIC_RELAXED);
	e = sse_pick(v);
	if (e) {
		/* "Software Event Injection": save the interrupted a6/a7 and
		 * supervisor state, enter at ENTRY_PC with a6 = hart id, a7 =
		 * ENTRY_ARG. Only one is taken: nothing pending here outranks it. */
		e->interrupted_a6 = vcpu_get_gpr(v, REG_A6);
		e->interrupted_a7 = vcpu_get_gpr(v, REG_A7);
		v->engine->sse_enter(v, e->entry_pc, &st);
		e->interrupted_sepc = st.sepc;
		e->interrupted_flags = (st.spp ? SBI_SSE_FLAG_SPP : 0) |
				       (st.spie ? SBI_SSE_FLAG_SPIE : 0);
		vcpu_set_gpr(v, REG_A6, v->id);
		vcpu_set_gpr(v, REG_A7, e->entry_arg);
		e->pending = false;
		e->state = SBI_SSE_STATE_RUNNING;
		e->running_hart = v->id;
	}
	spin_unlock(sse_lock(v));
}

/* Boot state: every event UNUSED with zero attributes, the hart masked;
 * the global event's preferred hart is the VM's first. */
static void sse_vcpu_reset(struct vcpu *v)
{
	v->sbi.sse = (struct sbi_sse_vcpu){ .unmasked = false };
	if (v == v->vm->vcpus[0])
		v->vm->sbi.sse = (struct sbi_sse_vm){ .global = { .preferred_hart = v->id } };
}

static const sbi_fn_t sse_fns[] = {
	[SBI_SSE_READ_ATTRS]  = sse_read_attrs,
	[SBI_SSE_WRITE_ATTRS] = sse_write_attrs,
	[SBI_SSE_REGISTER]    = sse_register,
	[SBI_SSE_UNREGISTER]  = sse_unregister,
	[SBI_SSE_ENABLE]      = sse_enable,
	[SBI_SSE_DISABLE]     = sse_disable,
	[SBI_SSE_COMPLETE]    = sse_complete,
	[SBI_SSE_INJECT]      = sse_inject,
	[SBI_SSE_HART_UNMASK] = sse_hart_unmask,
	[SBI_SSE_HART_MASK]   = sse_hart_mask,
};

static int sse_handle(struct vcpu *v, unsigned long eid, unsigned long fid,
		      const unsigned long args[6], struct sbi_ret *ret)
{
	(void)eid;
	return SBI_CALL_TABLE(sse_fns, fid, v, args, ret);
}

SBI_EXTENSION(sse) = {
	.name = "sse",
	.eid_min = SBI_EXT_SSE,
	.eid_max = SBI_EXT_SSE,
	.handle = sse_handle,
	.vcpu_reset = sse_vcpu_reset,
};
