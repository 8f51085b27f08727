/* Fakes of the core for host tests: see fake_vm.h. */
#include "fakes/fake_vm.h"

#include "core/lifecycle.h"
#include "arch/riscv/csr.h"
#include "core/guestmem.h"

#include <stdlib.h>
#include <string.h>

struct platform platform;

static struct fake_vm *fake_of(struct vm *vm)
{
	return (struct fake_vm *)vm;
}

static void fake_record(struct vm *vm, enum fake_call_kind kind, struct vcpu *v,
			uint64_t a, uint64_t b, uint64_t c)
{
	struct fake_vm *f = fake_of(vm);

	if (f->ncalls < FAKE_CALLS_MAX)
		f->calls[f->ncalls++] = (struct fake_call){ kind, v, vm, a, b, c };
}

struct fake_vm *fake_vm_create(unsigned nvcpus)
{
	struct fake_vm *f = calloc(1, sizeof(*f));

	if (!f || nvcpus == 0 || nvcpus > VM_MAX_VCPUS)
		abort();
	f->vm.id = 0;
	strcpy(f->vm.name, "fake");
	f->vm.nvcpus = nvcpus;
	realmap_init(&f->vm.realmap);
	for (unsigned i = 0; i < FAKE_RAM_PAGES; i++)
		f->hpa[i] = 0x100000000ULL + i * REALMAP_PAGE_SIZE;
	if (realmap_add_ram(&f->vm.realmap, FAKE_RAM_BASE, FAKE_RAM_PAGES, f->hpa) ||
	    realmap_add_mmio(&f->vm.realmap, FAKE_MMIO_BASE, 0x100, NULL))
		abort();
	for (unsigned i = 0; i < nvcpus; i++) {
		struct vcpu *v = &f->vcpus[i];

		v->vm = &f->vm;
		v->id = i;
		v->arch = &f->arch[i];
		v->arch->vcpu = v;
		v->state = i == 0 ? VCPU_RUNNING : VCPU_STOPPED;
		v->timer_deadline = UINT64_MAX;
		f->vm.vcpus[i] = v;
	}
	platform = (struct platform){
		.nharts = 1, .timebase_hz = 10000000,
		.mvendorid = 0x489, .marchid = 0x8000000000000007ULL, .mimpid = 0x20181004,
	};
	return f;
}

void fake_vm_destroy(struct fake_vm *f)
{
	free(f);
}

void fake_console_input(struct fake_vm *f, const char *s, size_t n)
{
	if (f->in_len + n > FAKE_IN_MAX)
		abort();
	memcpy(f->in + f->in_len, s, n);
	f->in_len += n;
}

unsigned fake_count(const struct fake_vm *f, enum fake_call_kind kind)
{
	unsigned n = 0;

	for (unsigned i = 0; i < f->ncalls; i++)
		n += f->calls[i].kind == kind;
	return n;
}

const struct fake_call *fake_find(const struct fake_vm *f, enum fake_call_kind kind, unsigned nth)
{
	for (unsigned i = 0; i < f->ncalls; i++)
		if (f->calls[i].kind == kind && nth-- == 0)
			return &f->calls[i];
	return NULL;
}

void fake_forget_calls(struct fake_vm *f)
{
	f->ncalls = 0;
}

void fake_set_ecall(struct vcpu *v, unsigned long eid, unsigned long fid,
		    unsigned long a0, unsigned long a1, unsigned long a2,
		    unsigned long a3, unsigned long a4, unsigned long a5)
{
	uint64_t *x = v->arch->regs.x;

	x[10] = a0, x[11] = a1, x[12] = a2, x[13] = a3, x[14] = a4, x[15] = a5;
	x[16] = fid;
	x[17] = eid;
}

/* ---- core/vcpu.h ------------------------------------------------------ */

uint64_t vcpu_get_gpr(const struct vcpu *v, unsigned reg)
{
	return reg == 0 || reg >= 32 ? 0 : v->arch->regs.x[reg];
}

void vcpu_set_gpr(struct vcpu *v, unsigned reg, uint64_t val)
{
	if (reg != 0 && reg < 32)
		v->arch->regs.x[reg] = val;
}

uint64_t vcpu_get_pc(const struct vcpu *v)
{
	return v->arch->regs.pc;
}

/* As the real one: a0, a1, satp, SIE, vS; recorded like a reset. */
void vcpu_resume_regs(struct vcpu *v, uint64_t a1)
{
	v->arch->regs.x[10] = v->id;
	v->arch->regs.x[11] = a1;
	v->arch->trap.csr.satp = 0;
	v->arch->trap.csr.sstatus &= ~SSTATUS_SIE;
	v->arch->trap.vpriv = VPRIV_S;
	fake_record(v->vm, FAKE_RESET, v, v->arch->regs.pc, a1, 0);
}

/* Like the real reset, and harsher than it may be: the timer is disarmed
 * and pending interrupts dropped, so callers must restore what they need. */
void vcpu_reset(struct vcpu *v, uint64_t entry, uint64_t arg1)
{
	struct fake_vm *f = fake_of(v->vm);

	memset(&v->arch->regs, 0, sizeof(v->arch->regs));
	v->arch->regs.pc = entry;
	v->arch->regs.x[10] = v->id;
	v->arch->regs.x[11] = arg1;
	v->arch->trap.csr.satp = 0;
	v->arch->trap.csr.sstatus = 0;
	v->virq = 0;
	v->timer_deadline = UINT64_MAX;
	v->arch->trap.vpriv = VPRIV_S;
	fake_record(v->vm, FAKE_RESET, v, entry, arg1, 0);
	if (f->on_reset)
		f->on_reset(f, v);
}

void vcpu_raise_irq(struct vcpu *v, uint64_t virq)
{
	v->virq |= virq;
	fake_record(v->vm, FAKE_RAISE_IRQ, v, virq, 0, 0);
}

void vcpu_lower_irq(struct vcpu *v, uint64_t virq)
{
	v->virq &= ~virq;
	fake_record(v->vm, FAKE_LOWER_IRQ, v, virq, 0, 0);
}

/* Every virtual interrupt counts as enabled in the fake. */
bool vcpu_irq_wakeup_pending(const struct vcpu *v)
{
	return v->virq != 0;
}

void vcpu_timer_set(struct vcpu *v, uint64_t deadline)
{
	v->timer_deadline = deadline;
	v->timer_programmed = true;
	fake_record(v->vm, FAKE_TIMER_SET, v, deadline, 0, 0);
}

uint64_t vcpu_timer_deadline(const struct vcpu *v)
{
	return v->timer_deadline;
}

void vcpu_flush_guest_tlb(struct vcpu *v, uint64_t start, uint64_t size, uint64_t asid)
{
	fake_record(v->vm, FAKE_FLUSH_TLB, v, start, size, asid);
}

/* Paging off in the fake: va is a guest-physical address; what is not
 * fake RAM takes a load access fault. */
uint64_t vcpu_firmware_load(struct vcpu *v, uint64_t va, uint64_t *val, uint64_t *tval)
{
	if (guestmem_read(v->vm, va, val, sizeof(*val)))
		return 0;
	fake_record(v->vm, FAKE_FIRMWARE_FAULT, v, va, 0, 0);
	*tval = va;
	return EXC_LOAD_ACCESS;
}

void vcpu_fence_i(struct vcpu *v)
{
	fake_record(v->vm, FAKE_FLUSH_ICACHE, v, 0, 0, 0);
}

void vcpu_kick(struct vcpu *v)
{
	fake_record(v->vm, FAKE_KICK, v, 0, 0, 0);
}

/* ---- core/sched.h ----------------------------------------------------- */

void sched_make_runnable(struct vcpu *v)
{
	v->state = VCPU_RUNNABLE;
	fake_record(v->vm, FAKE_MAKE_RUNNABLE, v, 0, 0, 0);
}

void sched_block(struct vcpu *v)
{
	v->state = VCPU_BLOCKED;
	fake_record(v->vm, FAKE_BLOCK, v, 0, 0, 0);
}

void sched_stop(struct vcpu *v)
{
	v->state = VCPU_STOPPED;
	fake_record(v->vm, FAKE_SCHED_STOP, v, 0, 0, 0);
}

/* A hint to the scheduler (directed yield after an IPI): nothing to model. */
void sched_yield_to(struct vcpu *v, struct vcpu *target)
{
	(void)v, (void)target;
}

/* ---- core/vm.h -------------------------------------------------------- */

static bool fake_ram_range(uint64_t gpa, size_t len)
{
	return gpa >= FAKE_RAM_BASE && len <= FAKE_RAM_SIZE &&
	       gpa - FAKE_RAM_BASE <= FAKE_RAM_SIZE - len;
}

/* ---- core/guestmem.h --------------------------------------------------- */

bool guestmem_read(struct vm *vm, uint64_t gpa, void *buf, size_t len)
{
	if (!fake_ram_range(gpa, len))
		return false;
	memcpy(buf, fake_of(vm)->ram + (gpa - FAKE_RAM_BASE), len);
	return true;
}

bool guestmem_write(struct vm *vm, uint64_t gpa, const void *buf, size_t len)
{
	if (!fake_ram_range(gpa, len))
		return false;
	memcpy(fake_of(vm)->ram + (gpa - FAKE_RAM_BASE), buf, len);
	return true;
}

bool guestmem_is_ram(const struct vm *vm, uint64_t gpa, uint64_t len)
{
	return realmap_ram_range(&vm->realmap, gpa, len);
}

/* ---- core/vm.h -------------------------------------------------------- */

/* Keeps what fits; a real console would drop or wrap too. */
void vm_console_write(struct vm *vm, const char *buf, size_t len)
{
	struct fake_vm *f = fake_of(vm);
	size_t n = len < FAKE_OUT_MAX - f->out_len ? len : FAKE_OUT_MAX - f->out_len;

	memcpy(f->out + f->out_len, buf, n);
	f->out_len += n;
}

int vm_console_getc(struct vm *vm)
{
	struct fake_vm *f = fake_of(vm);

	return f->in_pos < f->in_len ? f->in[f->in_pos++] : -1;
}

void vm_power_off(struct vm *vm, enum vm_exit why)
{
	vm->state = VM_OFF;
	vm->exit = why;
	fake_record(vm, FAKE_POWER_OFF, NULL, why, 0, 0);
}

/* A guest's reset request (SBI SRST, the finisher): recorded as the reboot. */
int lifecycle_reset(struct vm *vm)
{
	fake_record(vm, FAKE_REBOOT, NULL, 0, 0, 0);
	return 0;
}

void vm_stop(struct vm *vm, enum vm_exit why, const char *reason)
{
	(void)reason;
	vm->state = VM_STOPPED;
	vm->exit = why;
	fake_record(vm, FAKE_VM_STOP, NULL, why, 0, 0);
}

struct vcpu *vm_vcpu(struct vm *vm, uint64_t hartid)
{
	for (unsigned i = 0; i < vm->nvcpus && i < VM_MAX_VCPUS; i++)
		if (vm->vcpus[i] && vm->vcpus[i]->id == hartid)
			return vm->vcpus[i];
	return NULL;
}

/* ---- core/platform.h -------------------------------------------------- */

uint64_t platform_time(void)
{
	static uint64_t now;

	return now += 100;
}
