#include "core/vm.h"

#include "core/arch.h"
#include "core/console.h"
#include "core/devices.h"
#include "core/engine.h"
#include "core/frame.h"
#include "core/guestmem.h"
#include "core/hostmem.h"
#include "core/lib/format.h"
#include "core/lib/spinlock.h"
#include "core/lib/string.h"
#include "core/sbi/sbi.h"
#include "core/machine.h"
#include "core/monitor.h"
#include "core/platform.h"
#include "core/sched.h"
#include "core/sched_internal.h"
#include "core/sched_queue.h"
#include "trapeze/console_proto.h"

static struct vm vms[BOOTINFO_MAX_VMS];
static struct vcpu vcpus[BOOTINFO_MAX_VMS][VM_MAX_VCPUS];
static unsigned nvms;
static bool prefix_lines;
static bool framed;         /* the launcher labels lines (trapeze/console_proto.h) */
static struct spinlock vm_lock;

#define PAGE_SIZE REALMAP_PAGE_SIZE

static void vm_emit_line(struct vm *vm)
{
	char out[VM_LINE_MAX + BOOTINFO_NAME_MAX + 4];
	size_t n = format(out, sizeof(out), "[%s] ", vm->name);

	memcpy(out + n, vm->line, vm->line_len);
	n += vm->line_len;
	if (vm->line_len == 0 || vm->line[vm->line_len - 1] != '\n')
		out[n++] = '\n';
	console_write(out, n);
	vm->line_len = 0;
}

/*
 * Crash reports of guest kernels, found in what they print: Linux's panic
 * banner (kernel/panic.c) ends the VM soon after, with its statistics; an
 * oops (arch/riscv/kernel/traps.c die(), and BUG:/WARNING lines) lets it go
 * on, but its power-off then counts as a failure.
 */
static const char *const panic_marks[] = { "Kernel panic - not syncing" };
static const char *const oops_marks[] = { "Oops", "BUG: ", "Unable to handle kernel" };

static bool line_has(const char *line, size_t len, const char *const *marks, unsigned n)
{
	for (unsigned m = 0; m < n; m++) {
		size_t k = strlen(marks[m]);
		for (size_t i = 0; i + k <= len; i++)
			if (memcmp(line + i, marks[m], k) == 0)
				return true;
	}
	return false;
}

static void vm_scan_output(struct vm *vm, const char *buf, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (buf[i] != '\n' && vm->scan_len < sizeof(vm->scan)) {
			vm->scan[vm->scan_len++] = buf[i];
			continue;
		}
		if (line_has(vm->scan, vm->scan_len, panic_marks, 1) && !vm->panic_seen_at)
			vm->panic_seen_at = platform_time() | 1;
		if (line_has(vm->scan, vm->scan_len, oops_marks, 3))
			vm->oops_seen = true;
		vm->scan_len = 0;
	}
}

bool vm_check_panic(struct vm *vm, uint64_t now, uint64_t grace_ticks)
{
	/* now may be older than the report: another hart can have seen it
	 * since now was read. */
	if (vm->state != VM_RUNNING || !vm->panic_seen_at || now < vm->panic_seen_at ||
	    now - vm->panic_seen_at < grace_ticks)
		return false;
	vm_stop(vm, VM_EXIT_PANIC, "the guest kernel panicked");
	return true;
}

/* One VM's console passes through unchanged; with several, each line is
 * labelled with the VM's name. */
void vm_console_write(struct vm *vm, const char *buf, size_t len)
{
	vm->last_activity = platform_time();
	vm_scan_output(vm, buf, len);
	if (framed) {
		monitor_console_out(vm, buf, len);
		return;
	}
	if (!prefix_lines) {
		console_write(buf, len);
		return;
	}
	for (size_t i = 0; i < len; i++) {
		if (buf[i] == '\r')
			continue;
		vm->line[vm->line_len++] = buf[i];
		if (buf[i] == '\n' || vm->line_len == VM_LINE_MAX)
			vm_emit_line(vm);
	}
}

/* Input goes to the VM in focus (monitor.c: Ctrl-A and a digit in the
 * launcher, else the first VM still running). */
static struct vm *vm_focus(void)
{
	return monitor_focus();
}

/* The input queue: filled by monitor_input_pull under its own lock (for
 * whichever VM has focus, from any hart), emptied by the VM's UART under
 * vm->dev_lock: one producer, one consumer. */
bool vm_input_push(struct vm *vm, uint8_t c)
{
	unsigned tail = vm->input_tail, next = (tail + 1) % sizeof(vm->input);

	if (next == __atomic_load_n(&vm->input_head, __ATOMIC_ACQUIRE))
		return false;
	vm->input[tail] = c;
	__atomic_store_n(&vm->input_tail, next, __ATOMIC_RELEASE);
	return true;
}

bool vm_input_full(const struct vm *vm)
{
	return (vm->input_tail + 1) % sizeof(vm->input) ==
	       __atomic_load_n(&vm->input_head, __ATOMIC_ACQUIRE);
}

/* Pull waiting physical console bytes (into the queue of the VM in focus).
 * vm->dev_lock held. */
static void vm_console_pull(struct vm *vm)
{
	(void)vm;
	monitor_input_pull();
}

bool vm_console_poll_locked(struct vm *vm)
{
	vm_console_pull(vm);
	return vm->input_head != __atomic_load_n(&vm->input_tail, __ATOMIC_ACQUIRE);
}

int vm_console_getc_locked(struct vm *vm)
{
	if (!vm_console_poll_locked(vm))
		return -1;
	int c = vm->input[vm->input_head];
	__atomic_store_n(&vm->input_head, (vm->input_head + 1) % sizeof(vm->input),
			 __ATOMIC_RELEASE);
	return c;
}

int vm_console_getc(struct vm *vm)
{
	spin_lock(&vm->dev_lock);
	int c = vm_console_getc_locked(vm);
	if (vm->console)
		uart_input_ready(vm->console, vm);
	spin_unlock(&vm->dev_lock);
	return c;
}

void vm_console_input_tick(void)
{
	monitor_input_pull();
	/* Monitor commands run here: on a tick or an idle hart, no lock held.
	 * Bytes behind a command waited for it to run. */
	monitor_poll();
	monitor_input_pull();
	struct vm *vm = vm_focus();

	if (vm == NULL)
		return;
	spin_lock(&vm->dev_lock);
	if (vm->console)
		uart_input_ready(vm->console, vm);
	spin_unlock(&vm->dev_lock);
}

struct vcpu *vm_vcpu(struct vm *vm, uint64_t hartid)
{
	return hartid < vm->nvcpus ? vm->vcpus[hartid] : NULL;
}

static const char *vm_exit_name(enum vm_exit why)
{
	switch (why) {
	case VM_EXIT_CLEAN: return "clean shutdown";
	case VM_EXIT_FAILURE: return "shutdown reporting a system failure";
	case VM_EXIT_HUNG: return "hung";
	case VM_EXIT_CRASHED: return "crashed";
	case VM_EXIT_PANIC: return "the guest kernel reported a panic or an oops";
	case VM_EXIT_DESTROYED: return "destroyed";
	default: return "stopped";
	}
}

/* When the last VM has ended, so does the machine: status 0 only if every
 * guest asked for a clean shutdown. */
unsigned vm_count(void)
{
	return nvms;
}

struct vm *vm_at(unsigned i)
{
	return i < nvms ? &vms[i] : NULL;
}

static bool vm_exit_clean(enum vm_exit why)
{
	return why == VM_EXIT_CLEAN || why == VM_EXIT_DESTROYED;
}

/* VMs whose end is being reported (vm_end, between its state change and
 * its last statistics line), atomic. */
static unsigned vm_ends_reporting;

/* The last VM has ended: the machine goes off, but only once every other
 * VM's end has been reported in full (two VMs may end at once on two
 * harts, and the one that sees all VMs done may finish printing first). */
static _Noreturn void machine_exit_all_ended(bool all_clean)
{
	while (__atomic_load_n(&vm_ends_reporting, __ATOMIC_ACQUIRE) != 0)
		;
	log_info("all VMs have ended: %s", all_clean ? "success" : "failure");
	machine_exit(all_clean ? 0 : 1);
}

void vm_check_all_ended(void)
{
	bool all_done = true, all_clean = true;

	spin_lock(&vm_lock);
	for (unsigned i = 0; i < nvms; i++) {
		all_done &= vms[i].state != VM_RUNNING;
		all_clean &= vm_exit_clean(vms[i].exit);
	}
	spin_unlock(&vm_lock);
	if (all_done)
		machine_exit_all_ended(all_clean);
}

static void vm_end(struct vm *vm, enum vm_state state, enum vm_exit why)
{
	bool all_done = true, all_clean = true;

	spin_lock(&vm_lock);
	if (vm->state != VM_RUNNING) {
		spin_unlock(&vm_lock);
		return;
	}
	vm->state = state;
	vm->exit = why;
	for (unsigned i = 0; i < vm->nvcpus; i++)
		vm->vcpus[i]->state = VCPU_HALTED;
	for (unsigned i = 0; i < nvms; i++) {
		all_done &= vms[i].state != VM_RUNNING;
		all_clean &= vm_exit_clean(vms[i].exit);
	}
	__atomic_fetch_add(&vm_ends_reporting, 1, __ATOMIC_RELAXED);
	spin_unlock(&vm_lock);
	/* Its vCPUs on other harts leave them (they may run without slices). */
	sched_vm_ended(vm);
	if (prefix_lines && !framed && vm->line_len)
		vm_emit_line(vm);
	console_event(CONSOLE_VM_ENDED, vm->id);
	log_info("vm %s: %s", vm->name, vm_exit_name(why));
	stats_print(vm);
	sched_print_stats(vm);
	__atomic_fetch_sub(&vm_ends_reporting, 1, __ATOMIC_RELEASE);
	/* A destroyed VM's memory goes back first (lifecycle.c). */
	if (all_done && why != VM_EXIT_DESTROYED)
		machine_exit_all_ended(all_clean);
}

void vm_power_off(struct vm *vm, enum vm_exit why)
{
	/* A guest that oopsed and then shut down cleanly still failed. */
	vm_end(vm, VM_OFF, why == VM_EXIT_CLEAN && vm->oops_seen ? VM_EXIT_PANIC : why);
}

void vm_stop(struct vm *vm, enum vm_exit why, const char *reason)
{
	if (vm->state == VM_RUNNING)
		log_info("vm %s: stopped: %s", vm->name, reason);
	vm_end(vm, VM_STOPPED, why);
}

/* Load (or reload, on reset) the guest's images into its RAM, which
 * reaches it zeroed chunk by chunk on first touch (guestmem.h), and put
 * its vCPUs in their boot state. */
static bool vm_load(struct vm *vm)
{
	const struct bootinfo_vm *d = vm->desc;
	const struct bootinfo_module *mods[] = { &d->kernel, &d->initrd, &d->dtb };
	static const char *const names[] = { "kernel", "initrd", "dtb" };

	for (unsigned i = 0; i < 3; i++) {
		if (mods[i]->size == 0)
			continue;
		if (!guestmem_write(vm, mods[i]->gpa, hostmem_va(mods[i]->hpa), mods[i]->size)) {
			log_info("vm %s: %s at 0x%lx (+0x%lx) is not inside its RAM", vm->name,
				 names[i], mods[i]->gpa, mods[i]->size);
			return false;
		}
	}
	for (unsigned i = 0; i < vm->nvcpus; i++) {
		struct vcpu *v = vm->vcpus[i];
		vcpu_reset(v, d->entry, d->dtb.gpa);
		sbi_vcpu_reset(v);
		v->state = i == 0 ? VCPU_RUNNABLE : VCPU_STOPPED;
	}
	return true;
}

void vm_reboot(struct vm *vm)
{
	vm->stats.resets++;
	/* No host device may still write into the RAM about to be reset,
	 * and no virtio device may hold a request of it. */
	device_quiesce_all(vm);
	device_reset_all(vm);
	guestmem_reset(vm);
	if (!vm_load(vm)) {
		vm_stop(vm, VM_EXIT_CRASHED, "reset failed");
		return;
	}
	vm->engine->vm_reset(vm);
	for (unsigned i = 1; i < vm->nvcpus; i++)
		vm->vcpus[i]->state = VCPU_STOPPED;
	/* vCPU 0 is the caller (lifecycle_take, every other vCPU parked off
	 * its hart), running: it continues from its reset state. */
	vm->vcpus[0]->state = VCPU_RUNNING;
	/* Every reset leaves the allocator where the last one did (what
	 * test_lifecycle.py checks over a thousand of them). */
	log_info("vm %s: reset (%lu, %lu frames free)", vm->name, vm->stats.resets,
		 host_frames.nfree);
}

/* Guest RAM: the firmware's first 512 KiB stay unbacked, as OpenSBI's PMP
 * makes them inaccessible on bare QEMU; every other page is a host frame,
 * in 2 MiB runs when the allocator has them (mapped as 2 MiB pages then),
 * zeroed on first touch (guestmem.h). */
static bool vm_alloc_ram(struct vm *vm, uint64_t memory)
{
	uint64_t base = GUEST_RAM_BASE + GUEST_FW_RESERVED;
	uint64_t npages = (memory - GUEST_FW_RESERVED) / PAGE_SIZE;
	uint64_t array_frames = (npages * sizeof(uint64_t) + PAGE_SIZE - 1) / PAGE_SIZE;
	uint64_t array = frame_alloc_contig(array_frames, 1);

	if (array == 0)
		return false;
	vm->ram_pages = hostmem_va(array);
	vm->ram_npages = npages;
	for (uint64_t i = 0; i < npages;) {
		const uint64_t run = 512;
		uint64_t pa = 0;
		if (npages - i >= run && ((base + i * PAGE_SIZE) & (run * PAGE_SIZE - 1)) == 0)
			pa = frame_alloc_contig(run, run);
		if (pa) {
			for (uint64_t k = 0; k < run; k++)
				vm->ram_pages[i + k] = pa + k * PAGE_SIZE;
			i += run;
			continue;
		}
		pa = frame_alloc_contig(1, 1);
		if (pa == 0)
			return false;
		vm->ram_pages[i++] = pa;
	}
	return realmap_add_ram(&vm->realmap, base, npages, vm->ram_pages) == 0;
}

static bool vm_create(struct vm *vm, unsigned id, const struct bootinfo_vm *d)
{
	vm->id = id;
	memcpy(vm->name, d->name, BOOTINFO_NAME_MAX);
	vm->name[BOOTINFO_NAME_MAX - 1] = '\0';
	vm->desc = d;
	vm->state = VM_RUNNING;
	vm->engine = arch_engine(d->engine);
	if (vm->engine == NULL) {
		log_info("vm %s: engine %u is not available on this CPU", vm->name, d->engine);
		return false;
	}
	if (d->vcpus == 0 || d->vcpus > VM_MAX_VCPUS || d->memory < 4 * 1024 * 1024 ||
	    d->memory % PAGE_SIZE) {
		log_info("vm %s: unsupported shape (%u vCPUs, 0x%lx bytes)", vm->name, d->vcpus, d->memory);
		return false;
	}
	realmap_init(&vm->realmap);
	if (!vm_alloc_ram(vm, d->memory) || guestmem_init(vm)) {
		log_info("vm %s: not enough host memory for 0x%lx bytes", vm->name, d->memory);
		return false;
	}
	/* The devices of QEMU virt that Trapeze models, where virt has them,
	 * its virtio slots among them. */
	vm->dev_deadline = UINT64_MAX;
	if (!device_create_board(vm))
		return false;
	/* The devices the manifest puts in the virtio slots. */
	if (!vm_devices_create(vm))
		return false;
	vm->nvcpus = d->vcpus;
	for (unsigned i = 0; i < vm->nvcpus; i++) {
		struct vcpu *v = &vcpus[id][i];
		v->vm = vm;
		v->id = i;
		v->engine = vm->engine;
		v->arch = arch_vcpu_alloc(v);
		if (v->arch == NULL) {
			log_info("vm %s: too many vCPUs", vm->name);
			return false;
		}
		vm->vcpus[i] = v;
	}
	/* The images first: the engine maps what they made ready. */
	if (!vm_load(vm))
		return false;
	if (vm->engine->vm_init(vm)) {
		log_info("vm %s: out of memory for page tables", vm->name);
		return false;
	}
	/* Only output counts as a sign of life: a VM resetting itself in
	 * silence is as hung as one spinning. */
	vm->last_activity = platform_time();
	for (unsigned i = 0; i < vm->nvcpus; i++)
		sched_add_vcpu(vm->vcpus[i]);
	log_info("vm %s: %lu MiB RAM, %u vCPU, engine %s, entry 0x%lx, dtb 0x%lx", vm->name,
		 d->memory >> 20, d->vcpus, vm->engine->name, d->entry, d->dtb.gpa);
	if (d->weight > 1 || d->cpu_mask)
		log_info("vm %s: weight %u, harts 0x%x%s", vm->name, d->weight ? d->weight : 1,
			 sched_vcpu_harts(vm->vcpus[0], platform.nharts),
			 d->cpu_mask && !(d->cpu_mask & ((1u << platform.nharts) - 1)) ?
			 " (cpus names no hart of this machine: any hart)" : "");
	return true;
}

unsigned vm_create_all(const struct bootinfo *bi)
{
	unsigned running = 0;

	prefix_lines = bi->flags & BOOTINFO_F_PREFIX;
	framed = bi->flags & BOOTINFO_F_FRAMED;
	console_set_framed(framed);
	nvms = bi->nvms;
	for (unsigned i = 0; i < nvms; i++) {
		vms[i].exit = VM_EXIT_NONE;
		if (vm_create(&vms[i], i, &bi->vms[i])) {
			running++;
		} else {
			vms[i].state = VM_STOPPED;
			vms[i].exit = VM_EXIT_CRASHED;
		}
	}
	return running;
}
