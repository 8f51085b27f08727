#include "core/monitor.h"

#include <stdbool.h>
#include <stdint.h>
#include "core/console.h"
#include "core/engine.h"
#include "core/frame.h"
#include "core/lib/spinlock.h"
#include "core/lib/string.h"
#include "core/lifecycle.h"
#include "core/platform.h"
#include "core/sched.h"
#include "core/stats.h"
#include "core/vm.h"
#include "trapeze/console_proto.h"

/* ---- input: the launcher's stream, demultiplexed ----------------------- */

enum in_state { IN_DATA, IN_ESC, IN_FOCUS, IN_CMD };

static struct spinlock in_lock;
static enum in_state in_state;
static char in_cmd[CONSOLE_MONITOR_MAX + 1];
static size_t in_cmd_len;
/* One command waits for a tick to run it; the launcher sends the next
 * one only after the reply. */
static char pending[CONSOLE_MONITOR_MAX + 1];
static bool pending_ready;
static unsigned focus;                  /* the VM asked for */
static int focus_told = -1;             /* the focus the launcher was told */

/* in_lock held. */
static struct vm *focus_locked(void)
{
	struct vm *vm = vm_at(focus);

	if (vm == NULL || vm->state != VM_RUNNING) {
		vm = NULL;
		for (unsigned i = 0; i < vm_count() && !vm; i++)
			if (vm_at(i)->state == VM_RUNNING)
				vm = vm_at(i);
	}
	if (vm && (int)vm->id != focus_told) {
		focus_told = (int)vm->id;
		console_event(CONSOLE_FOCUS, vm->id);
	}
	return vm;
}

struct vm *monitor_focus(void)
{
	spin_lock(&in_lock);
	struct vm *vm = focus_locked();
	spin_unlock(&in_lock);
	return vm;
}

/* Input by interrupt: the handler only masks the (level) interrupt and
 * says input is due; the pull runs on the resume or idle path, where
 * monitor commands may run too, and unmasks once the UART is drained. */
static bool input_by_irq;
static unsigned input_due;  /* a word: RV64 has no byte-wide AMO */

static void input_irq(void *ctx)
{
	(void)ctx;
	console_input_irq(false);
	__atomic_store_n(&input_due, 1u, __ATOMIC_RELEASE);
}

void monitor_input_init(void)
{
	input_by_irq = console_input_irq_init(input_irq);
	log_info("host: console input %s", input_by_irq ? "by interrupt" : "polled");
}

bool monitor_input_waiting(void)
{
	return __atomic_load_n(&input_due, __ATOMIC_RELAXED) != 0;
}

bool monitor_input_due(void)
{
	return __atomic_load_n(&input_due, __ATOMIC_RELAXED) &&
	       __atomic_exchange_n(&input_due, 0u, __ATOMIC_ACQUIRE);
}

/* A byte for the VM in focus; false when it must wait (queue full). A VM
 * that is paused drops what it cannot take, so the monitor's own lines
 * behind it still get through. */
static bool input_deliver(uint8_t c)
{
	struct vm *vm = focus_locked();

	if (vm == NULL)
		return true;
	if (vm_input_push(vm, c))
		return true;
	return lifecycle_state(vm) == VM_LIFE_PAUSED;
}

void monitor_input_pull(void)
{
	spin_lock(&in_lock);
	for (;;) {
		struct vm *vm = focus_locked();
		/* Stop before a byte that may have nowhere to go. */
		if (in_state == IN_DATA && vm && vm_input_full(vm) &&
		    lifecycle_state(vm) != VM_LIFE_PAUSED)
			break;
		if (in_state == IN_CMD && pending_ready)
			break;
		int c = console_getc();
		if (c < 0) {
			/* Drained: the next byte interrupts. A pull that stops
			 * early leaves it masked: whoever makes room pulls again
			 * (the guest reading its UART, the next monitor tick). */
			if (input_by_irq)
				console_input_irq(true);
			break;
		}
		switch (in_state) {
		case IN_DATA:
			if (c == CONSOLE_ESC)
				in_state = IN_ESC;
			else
				input_deliver((uint8_t)c);
			break;
		case IN_ESC:
			in_state = IN_DATA;
			if (c == CONSOLE_ESC) {
				input_deliver((uint8_t)c);
			} else if (c == CONSOLE_FOCUS) {
				in_state = IN_FOCUS;
			} else if (c == CONSOLE_MONITOR) {
				in_state = IN_CMD;
				in_cmd_len = 0;
			}
			break;
		case IN_FOCUS:
			in_state = IN_DATA;
			if (c >= '0' && (unsigned)(c - '0') < vm_count())
				focus = (unsigned)(c - '0');
			focus_locked();
			break;
		case IN_CMD:
			if (c == '\n') {
				memcpy(pending, in_cmd, in_cmd_len);
				pending[in_cmd_len] = '\0';
				pending_ready = true;
				in_state = IN_DATA;
				/* Pulled by a guest's UART read, perhaps: it
				 * runs at the next resume on any hart. */
				__atomic_store_n(&input_due, 1u, __ATOMIC_RELEASE);
			} else if (in_cmd_len < CONSOLE_MONITOR_MAX && c != '\r') {
				in_cmd[in_cmd_len++] = (char)c;
			}
			break;
		}
	}
	spin_unlock(&in_lock);
}

/* ---- output ------------------------------------------------------------ */

/* Per-VM token buckets, in bytes; refilled from the time CSR. */
static uint64_t out_tokens[BOOTINFO_MAX_VMS];
static uint64_t out_refilled_at[BOOTINFO_MAX_VMS];
static bool out_told[BOOTINFO_MAX_VMS];

void monitor_console_out(struct vm *vm, const char *buf, size_t len)
{
	unsigned id = vm->id;
	uint64_t now = platform_time();
	uint64_t tb = platform.timebase_hz ? platform.timebase_hz : 1;

	/* vm->dev_lock (UART) or the vCPU's own SBI call serializes a VM's
	 * output; the bucket is the VM's alone. */
	if (out_refilled_at[id] == 0) {
		out_tokens[id] = MONITOR_OUT_BURST;
		out_refilled_at[id] = now;
	} else if (now > out_refilled_at[id]) {
		uint64_t add = (now - out_refilled_at[id]) * MONITOR_OUT_RATE / tb;
		if (add) {
			out_tokens[id] += add;
			if (out_tokens[id] > MONITOR_OUT_BURST)
				out_tokens[id] = MONITOR_OUT_BURST;
			out_refilled_at[id] = now;
		}
	}
	size_t n = len <= out_tokens[id] ? len : (size_t)out_tokens[id];
	out_tokens[id] -= n;
	if (n)
		console_write_vm(id, buf, n);
	if (n < len) {
		vm->stats.console_throttled += len - n;
		if (!out_told[id]) {
			out_told[id] = true;
			log_info("vm %s: console output over %u bytes/s: dropping the excess",
				 vm->name, MONITOR_OUT_RATE);
		}
	}
}

/* ---- commands ------------------------------------------------------------ */

static const char *next_word(const char **p, char *out, size_t max)
{
	const char *s = *p;
	size_t n = 0;

	while (*s == ' ' || *s == '\t')
		s++;
	while (*s && *s != ' ' && *s != '\t') {
		if (n + 1 < max)
			out[n++] = *s;
		s++;
	}
	out[n] = '\0';
	*p = s;
	return n ? out : NULL;
}

/* By name, or by its number in `list` (1-based, as Ctrl-A and a digit). */
static struct vm *find_vm(const char *arg)
{
	for (unsigned i = 0; i < vm_count(); i++)
		if (strcmp(vm_at(i)->name, arg) == 0)
			return vm_at(i);
	if (arg[0] >= '1' && arg[0] <= '9' && arg[1] == '\0')
		return vm_at((unsigned)(arg[0] - '1'));
	return NULL;
}

static void cmd_help(void)
{
	log_info("commands:");
	log_info("  list          VMs: engine, vCPUs, state, memory, CPU time, resets");
	log_info("  stats VM      every counter of VM, now");
	log_info("  pause VM      stop running VM's vCPUs (its console input is dropped)");
	log_info("  resume VM     run a paused VM again");
	log_info("  reset VM      restart VM from its boot images (a paused VM runs again)");
	log_info("  destroy VM    end VM and return its memory to the allocator");
	log_info("  help          this list");
	log_info("VM: a name, or the number list shows");
}

static void cmd_list(void)
{
	struct vm *f = monitor_focus();

	log_info("  # name             engine  vcpus  state      memory  cpu-time  resets");
	for (unsigned i = 0; i < vm_count(); i++) {
		struct vm *vm = vm_at(i);
		uint64_t ticks = sched_vm_cpu_ticks(vm);
		uint64_t ms = ticks * 1000 / (platform.timebase_hz ? platform.timebase_hz : 1);
		log_info("%c%2u %16s %6s  %5u  %9s %5luM %6lu.%02lus  %6lu", vm == f ? '*' : ' ',
			 i + 1, vm->name, vm->engine ? vm->engine->name : "-", vm->nvcpus,
			 lifecycle_state_name(lifecycle_state(vm)),
			 vm->desc ? vm->desc->memory >> 20 : 0, ms / 1000, (ms % 1000) / 10,
			 vm->stats.resets);
	}
	log_info("host: %lu frames free (%lu MiB)", host_frames.nfree,
		 (uint64_t)((host_frames.nfree * FRAME_SIZE) >> 20));
}

static void cmd_lifecycle(const char *cmd, struct vm *vm)
{
	int r;
	const char *done;

	if (strcmp(cmd, "pause") == 0) {
		r = lifecycle_pause(vm);
		done = "paused";
	} else if (strcmp(cmd, "resume") == 0) {
		r = lifecycle_resume(vm);
		done = "resumed";
	} else if (strcmp(cmd, "reset") == 0) {
		r = lifecycle_reset(vm);
		done = "reset requested";
	} else {
		r = lifecycle_destroy(vm);
		done = "destroy requested";
	}
	if (r == LIFE_E_ENDED)
		log_info("%s: VM %s has ended", cmd, vm->name);
	else if (r == LIFE_E_DESTROYED)
		log_info("%s: VM %s was destroyed already", cmd, vm->name);
	else if (r == LIFE_E_STATE)
		log_info("%s: VM %s is %s", cmd, vm->name,
			 strcmp(cmd, "pause") == 0 ? "already paused" : "not paused");
	else
		log_info("%s: %s", vm->name, done);
}

static void monitor_run(const char *line)
{
	char cmd[32], arg[64], extra[8];
	const char *p = line;

	if (!next_word(&p, cmd, sizeof(cmd)))
		return;
	bool has_arg = next_word(&p, arg, sizeof(arg)) != NULL;
	bool has_extra = next_word(&p, extra, sizeof(extra)) != NULL;
	bool wants_vm = strcmp(cmd, "stats") == 0 || strcmp(cmd, "pause") == 0 ||
			strcmp(cmd, "resume") == 0 || strcmp(cmd, "reset") == 0 ||
			strcmp(cmd, "destroy") == 0;

	if (!wants_vm && strcmp(cmd, "help") != 0 && strcmp(cmd, "list") != 0) {
		log_info("unknown command '%s' (help lists them)", cmd);
		return;
	}
	if (has_extra || (!wants_vm && has_arg)) {
		log_info("%s: too many arguments (help shows the usage)", cmd);
		return;
	}
	if (!wants_vm) {
		if (strcmp(cmd, "help") == 0)
			cmd_help();
		else
			cmd_list();
		return;
	}
	if (!has_arg) {
		log_info("%s: which VM? (list shows them)", cmd);
		return;
	}
	struct vm *vm = find_vm(arg);
	if (vm == NULL) {
		log_info("%s: no VM '%s' (list shows them)", cmd, arg);
		return;
	}
	if (strcmp(cmd, "stats") == 0) {
		log_info("vm %s: %s, %lu resets", vm->name, lifecycle_state_name(lifecycle_state(vm)),
			 vm->stats.resets);
		stats_print(vm);
		return;
	}
	cmd_lifecycle(cmd, vm);
}

void monitor_poll(void)
{
	char line[CONSOLE_MONITOR_MAX + 1];

	if (!__atomic_load_n(&pending_ready, __ATOMIC_ACQUIRE))
		return;
	spin_lock(&in_lock);
	bool ready = pending_ready;
	if (ready) {
		memcpy(line, pending, sizeof(line));
		pending_ready = false;
	}
	spin_unlock(&in_lock);
	if (!ready)
		return;
	console_reply_begin();
	monitor_run(line);
	console_reply_end();
}
