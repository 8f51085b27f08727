#include "fakes/fake_hw.h"

#include <string.h>
#include "arch/riscv/csr.h"
#include "arch/riscv/vcpu_arch.h"
#include "arch/riscv/probe.h"
#include "core/platform.h"
#include "core/sched.h"

struct host_csr_caps host_csr;
struct platform platform;
uint64_t fake_time;
uint32_t fake_insn;
int fake_blocked;
int fake_flushes;
uint64_t fake_flush_start, fake_flush_size, fake_flush_asid;
struct trap_vm fake_trap_vm;
const uint64_t hostmem_virt_offset = 0;
static struct vcpu_arch fake_arch;

static uint64_t fake_virq_enabled(const struct vcpu *v)
{
	return vcsr_virq_enabled(v);
}

static void fake_flush_guest_tlb(struct vcpu *v, uint64_t start, uint64_t size, uint64_t asid)
{
	(void)v;
	fake_flushes++;
	fake_flush_start = start;
	fake_flush_size = size;
	fake_flush_asid = asid;
}

/* The trap engine's ops the interpreter routines reach through the core. */
static const struct engine fake_engine = {
	.name = "fake-trap",
	.virq_enabled = fake_virq_enabled,
	.flush_guest_tlb = fake_flush_guest_tlb,
};

uint64_t platform_time(void) { return fake_time; }

void fake_hw_reset(struct vm *vm, struct vcpu *v)
{
	memset(vm, 0, sizeof(*vm));
	memset(v, 0, sizeof(*v));
	memset(&fake_arch, 0, sizeof(fake_arch));
	memset(&fake_trap_vm, 0, sizeof(fake_trap_vm));
	strcpy(vm->name, "fake");
	vm->nvcpus = 1;
	vm->vcpus[0] = v;
	vm->engine = &fake_engine;
	vm->engine_vm = &fake_trap_vm;
	v->vm = vm;
	v->engine = &fake_engine;
	v->arch = &fake_arch;
	fake_arch.vcpu = v;
	v->state = VCPU_RUNNING;
	v->arch->trap.vpriv = VPRIV_S;
	v->arch->trap.csr.sstatus = 0x200006000ULL;  /* UXL = 64, FS = Dirty */
	v->timer_deadline = UINT64_MAX;
	v->arch->regs.pc = 0x80200000;
	host_csr = (struct host_csr_caps){
		.has_senvcfg = true, .has_stimecmp = true,
		.sie_wmask = MIP_SSIP | MIP_STIP | MIP_SEIP,
		.sip_wmask = MIP_SSIP,
		.satp_modes = (1 << SATP_MODE_BARE) | (1 << SATP_MODE_SV39) |
			      (1 << SATP_MODE_SV48) | (1 << SATP_MODE_SV57),
		.satp_asid_mask = 0xffff,
	};
	fake_time = 1000;
	fake_blocked = fake_flushes = 0;
}

uint64_t vcpu_get_gpr(const struct vcpu *v, unsigned reg)
{
	return reg == 0 || reg >= 32 ? 0 : v->arch->regs.x[reg];
}

void vcpu_set_gpr(struct vcpu *v, unsigned reg, uint64_t val)
{
	if (reg != 0 && reg < 32)
		v->arch->regs.x[reg] = val;
}

void sched_block(struct vcpu *v)
{
	v->state = VCPU_BLOCKED;
	fake_blocked++;
}

int engine_trap_fetch(struct vcpu *v, uint64_t pc, uint32_t *raw)
{
	(void)v;
	(void)pc;
	*raw = fake_insn;
	return 0;
}

/* The patcher (patch.c) is not linked here: nothing is ever patched. */
bool patch_wanted(struct vcpu *v, uint64_t pc, uint32_t raw, struct patch_req *req)
{
	(void)v; (void)pc; (void)raw; (void)req;
	return false;
}

void patch_discover(struct vcpu *v, const struct patch_req *req)
{
	(void)v; (void)req;
}
