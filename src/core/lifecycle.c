#include "core/lifecycle.h"

#include "core/console.h"
#include "core/devices.h"
#include "core/engine.h"
#include "core/frame.h"
#include "core/guestmem.h"
#include "core/hostmem.h"
#include "core/platform.h"
#include "core/sched.h"
#include "core/sched_internal.h"
#include "core/vcpu.h"
#include "core/vm.h"

static uint32_t life_bits(const struct vm *vm)
{
	return __atomic_load_n(&vm->lifecycle, __ATOMIC_ACQUIRE);
}

/*
 * Idle interactive: the guest listens to its console (its UART's receive
 * interrupt enabled) and waits for interrupts: every started vCPU is in
 * WFI now, or the VM used less than a quarter of the time since the last
 * look (a kernel's idle loop wakes on its own ticks, so a look at one
 * instant may find it running). A guest spinning with interrupts off uses
 * all the time it gets; one that never enabled its UART's interrupt (the
 * bare-metal test guests poll) is never idle.
 */
static uint64_t seen_at[BOOTINFO_MAX_VMS], seen_cpu[BOOTINFO_MAX_VMS];
static bool seen_idle[BOOTINFO_MAX_VMS];

static uint64_t lifecycle_cpu_ticks(const struct vm *vm)
{
	uint64_t t = 0;

	for (unsigned i = 0; i < vm->nvcpus; i++)
		for (unsigned h = 0; h < sizeof(vm->vcpus[i]->sched.hart_ticks) / sizeof(uint64_t); h++)
			t += vm->vcpus[i]->sched.hart_ticks[h];
	return t;
}

static bool lifecycle_idle(const struct vm *vm)
{
	bool all_blocked = false;
	unsigned id = vm->id;

	if (vm->console == NULL || !uart_rx_irq_enabled(vm->console))
		return false;
	for (unsigned i = 0; i < vm->nvcpus; i++) {
		const struct vcpu *v = vm->vcpus[i];
		if (v->state == VCPU_STOPPED || v->state == VCPU_HALTED)
			continue;
		all_blocked = v->state == VCPU_BLOCKED;
		if (!all_blocked)
			break;
	}
	if (all_blocked)
		return true;
	/* Over a window of at least a second: how much of it did it run? */
	uint64_t now = platform_time(), cpu = lifecycle_cpu_ticks(vm);
	if (seen_at[id] == 0 || now < seen_at[id] || cpu < seen_cpu[id]) {
		seen_at[id] = now;
		seen_cpu[id] = cpu;
		return false;
	}
	if (now - seen_at[id] >= platform.timebase_hz) {
		seen_idle[id] = (cpu - seen_cpu[id]) * 4 < now - seen_at[id];
		seen_at[id] = now;
		seen_cpu[id] = cpu;
	}
	return seen_idle[id];
}

enum vm_life lifecycle_state(const struct vm *vm)
{
	if (vm->state != VM_RUNNING)
		return VM_LIFE_ENDED;
	if (life_bits(vm) & LIFE_PAUSED)
		return VM_LIFE_PAUSED;
	if (__atomic_load_n(&vm->suspended, __ATOMIC_ACQUIRE))
		return VM_LIFE_SUSPENDED;
	if (lifecycle_idle(vm))
		return VM_LIFE_IDLE;
	return VM_LIFE_RUNNING;
}

const char *lifecycle_state_name(enum vm_life s)
{
	switch (s) {
	case VM_LIFE_RUNNING: return "running";
	case VM_LIFE_IDLE: return "idle";
	case VM_LIFE_PAUSED: return "paused";
	case VM_LIFE_SUSPENDED: return "suspended";
	case VM_LIFE_ENDED: return "ended";
	}
	return "?";
}

bool lifecycle_watchdog_exempt(struct vm *vm, uint64_t now)
{
	switch (lifecycle_state(vm)) {
	case VM_LIFE_PAUSED:
	case VM_LIFE_IDLE:
		__atomic_store_n(&vm->last_activity, now, __ATOMIC_RELAXED);
		return true;
	case VM_LIFE_SUSPENDED:
		/* Its silence is forgiven when it wakes (sched.c). */
		return true;
	case VM_LIFE_RUNNING:
	case VM_LIFE_ENDED:
		break;
	}
	return false;
}

/* A reset or destroy: vCPU 0 carries it out at its next entry, so it is
 * brought there soon: out of WFI or HSM-stopped (it never enters the
 * guest before lifecycle_take), or off another hart (an IPI makes it
 * trap). Every other vCPU leaves its hart at its next trap and is parked. */
static void lifecycle_kick(struct vm *vm)
{
	struct vcpu *v = vm->vcpus[0];

	if (v->state == VCPU_BLOCKED || v->state == VCPU_STOPPED)
		sched_make_runnable(v);
	for (unsigned i = 0; i < vm->nvcpus; i++)
		vcpu_kick(vm->vcpus[i]);
}

int lifecycle_pause(struct vm *vm)
{
	if (vm->state != VM_RUNNING)
		return LIFE_E_ENDED;
	if (__atomic_fetch_or(&vm->lifecycle, LIFE_PAUSED, __ATOMIC_ACQ_REL) & LIFE_PAUSED)
		return LIFE_E_STATE;
	/* Running vCPUs leave their hart at their next trap (lifecycle_pending),
	 * queued ones are parked when picked; blocked ones stay blocked and are
	 * parked if an interrupt wakes them. */
	for (unsigned i = 0; i < vm->nvcpus; i++)
		vcpu_kick(vm->vcpus[i]);
	return 0;
}

int lifecycle_resume(struct vm *vm)
{
	if (vm->state != VM_RUNNING)
		return LIFE_E_ENDED;
	if (!(__atomic_fetch_and(&vm->lifecycle, ~LIFE_PAUSED, __ATOMIC_ACQ_REL) & LIFE_PAUSED))
		return LIFE_E_STATE;
	/* The time it spent paused is not silence. */
	__atomic_store_n(&vm->last_activity, platform_time(), __ATOMIC_RELAXED);
	for (unsigned i = 0; i < vm->nvcpus; i++)
		sched_unpark(vm->vcpus[i]);
	return 0;
}

/* Some VM may have a destroy waiting that its vCPU 0 will never take:
 * it has ended (lifecycle_reap). Set after the request bit. */
static uint32_t reap_hint;

static int lifecycle_request(struct vm *vm, uint32_t req)
{
	if (vm->state != VM_RUNNING)
		return LIFE_E_ENDED;
	__atomic_fetch_or(&vm->lifecycle, req, __ATOMIC_ACQ_REL);
	/* It may end before vCPU 0 takes the request. */
	if (req & LIFE_REQ_DESTROY)
		__atomic_store_n(&reap_hint, 1, __ATOMIC_RELEASE);
	__atomic_fetch_and(&vm->lifecycle, ~LIFE_PAUSED, __ATOMIC_ACQ_REL);
	for (unsigned i = 0; i < vm->nvcpus; i++)
		sched_unpark(vm->vcpus[i]);
	lifecycle_kick(vm);
	return 0;
}

int lifecycle_reset(struct vm *vm)
{
	return lifecycle_request(vm, LIFE_REQ_RESET);
}

static void lifecycle_do_destroy(struct vm *vm);

/*
 * Destroys asked of VMs that have ended (powered off, crashed, stopped
 * as hung): no vCPU of theirs will ever be picked again to carry it out,
 * so whichever hart comes here does it, the monitor's at once, else the
 * next one to pick a vCPU, once no vCPU of the VM is on a hart any more
 * (one that just ended leaves its hart at its next trap). Cheap while
 * nothing waits: one flag.
 */
static void lifecycle_reap(void)
{
	if (!__atomic_exchange_n(&reap_hint, 0, __ATOMIC_ACQ_REL))
		return;
	bool again = false;
	for (unsigned i = 0; i < vm_count(); i++) {
		struct vm *vm = vm_at(i);
		if (!(life_bits(vm) & LIFE_REQ_DESTROY))
			continue;
		bool busy = vm->state == VM_RUNNING;    /* vCPU 0 takes it (lifecycle_take) */
		for (unsigned k = 0; k < vm->nvcpus && !busy; k++)
			busy = sched_vcpu_on_hart(vm->vcpus[k]);
		if (busy) {
			again = true;
			continue;
		}
		/* Whoever clears the bit does it. */
		if (__atomic_fetch_and(&vm->lifecycle, ~LIFE_REQ_DESTROY, __ATOMIC_ACQ_REL) & LIFE_REQ_DESTROY)
			lifecycle_do_destroy(vm);
	}
	if (again)
		__atomic_store_n(&reap_hint, 1, __ATOMIC_RELEASE);
}

int lifecycle_destroy(struct vm *vm)
{
	if (vm->state == VM_RUNNING)
		return lifecycle_request(vm, LIFE_REQ_DESTROY);
	/* Ended: its memory still goes back to the allocator. */
	if (__atomic_fetch_or(&vm->lifecycle, LIFE_REQ_DESTROY, __ATOMIC_ACQ_REL) & LIFE_DESTROYED) {
		__atomic_fetch_and(&vm->lifecycle, ~LIFE_REQ_DESTROY, __ATOMIC_ACQ_REL);
		return LIFE_E_DESTROYED;
	}
	__atomic_store_n(&reap_hint, 1, __ATOMIC_RELEASE);
	lifecycle_reap();
	return 0;
}

bool lifecycle_pending(const struct vcpu *v)
{
	return life_bits(v->vm) & (LIFE_PAUSED | LIFE_REQ_RESET | LIFE_REQ_DESTROY);
}

bool lifecycle_park(struct vcpu *v)
{
	uint32_t w = life_bits(v->vm);

	if (!(w & LIFE_PAUSED) && !(v->id != 0 && (w & (LIFE_REQ_RESET | LIFE_REQ_DESTROY))))
		return false;
	v->parked = true;
	return true;
}

/* Guest RAM frame by frame, in the runs vm_alloc_ram made. */
static uint64_t lifecycle_free_ram(struct vm *vm)
{
	uint64_t freed = 0, n = vm->ram_npages;

	for (uint64_t i = 0; i < n;) {
		uint64_t run = 1;
		while (i + run < n && vm->ram_pages[i + run] == vm->ram_pages[i] + run * FRAME_SIZE)
			run++;
		frame_free(vm->ram_pages[i], run);
		freed += run;
		i += run;
	}
	uint64_t array_frames = (n * sizeof(uint64_t) + FRAME_SIZE - 1) / FRAME_SIZE;
	frame_free(hostmem_pa(vm->ram_pages), array_frames);
	return freed + array_frames;
}

/*
 * Destroy, on the hart about to run vCPU 0, every other vCPU off its
 * hart (or, for a VM that has ended, on any hart, none of its vCPUs on
 * one): the VM ends, in-flight accesses to its RAM drain (guestmem's
 * pins), its tables go back through the engine and its RAM to the frame
 * allocator. Guest RAM reaches any VM zeroed on first touch, page-table
 * frames are zeroed by frame_alloc: nothing of it is seen again.
 */
static void lifecycle_do_destroy(struct vm *vm)
{
	uint64_t before = host_frames.nfree;

	vm_stop(vm, VM_EXIT_DESTROYED, "destroyed from the monitor");
	/* Host devices finish (or drop) the VM's requests: their pins. */
	device_quiesce_all(vm);
	device_destroy_all(vm);
	while (__atomic_load_n(&vm->mem_pins, __ATOMIC_ACQUIRE))
		;
	vm->engine->vm_destroy(vm);
	uint64_t freed = lifecycle_free_ram(vm);
	guestmem_destroy(vm);
	vm->realmap.nram = 0;
	__atomic_fetch_or(&vm->lifecycle, LIFE_DESTROYED, __ATOMIC_RELEASE);
	log_info("vm %s: destroyed: %lu frames of guest RAM returned, %lu frames free (%lu before)",
		 vm->name, freed, host_frames.nfree, before);
	vm_check_all_ended();
}

bool lifecycle_take(struct vcpu *v)
{
	struct vm *vm = v->vm;
	uint32_t w = life_bits(vm);

	/* Any hart picking a vCPU also finishes the destroys of ended VMs
	 * (this hart has left the vCPU it ran, if any). */
	lifecycle_reap();
	if (v->id != 0 || !(w & (LIFE_REQ_RESET | LIFE_REQ_DESTROY)))
		return false;
	/* The other vCPUs were kicked (lifecycle_kick) and are parked when
	 * picked (lifecycle_park) while the request stands: none may still
	 * run guest code, or Trapeze code for it, when its memory and state
	 * are reset or freed. Whatever they were doing on their harts ends at
	 * a trap or an exit, never waiting on this hart. */
	for (unsigned i = 1; i < vm->nvcpus; i++)
		while (sched_vcpu_on_hart(vm->vcpus[i]))
			;
	if (w & LIFE_REQ_DESTROY) {
		__atomic_fetch_and(&vm->lifecycle, ~(LIFE_REQ_RESET | LIFE_REQ_DESTROY), __ATOMIC_ACQ_REL);
		lifecycle_do_destroy(vm);
		return true;
	}
	vm_reboot(vm);
	/* Only now may the others be picked again (HSM-stopped after a reset:
	 * unparking queues none of them). Only the reset is done: a destroy
	 * asked during it stays for the next entry. */
	__atomic_fetch_and(&vm->lifecycle, ~LIFE_REQ_RESET, __ATOMIC_ACQ_REL);
	for (unsigned i = 1; i < vm->nvcpus; i++)
		sched_unpark(vm->vcpus[i]);
	return v->state != VCPU_RUNNING;
}
