/* Fuzz the interpreter routines: any instruction, any virtual CPU state,
 * through emulate_insn as the dispatcher calls it. Invariants: x0 stays 0,
 * only an illegal-instruction trap is ever injected, and a step is 2 or 4. */
#include <stdint.h>
#include <string.h>

#include "arch/riscv/csr.h"
#include "arch/riscv/insn.h"
#include "arch/riscv/probe.h"
#include "arch/riscv/vcpu_arch.h"
#include "fakes/fake_hw.h"

static struct vm vm;
static struct vcpu vcpu;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint64_t words[8] = { 0 };

	if (size < 4)
		return 0;
	memcpy(words, data, size < sizeof(words) ? size : sizeof(words));
	fake_hw_reset(&vm, &vcpu);
	uint32_t insn = (uint32_t)words[0];
	vcpu.arch->trap.vpriv = (words[0] >> 32) & 1 ? VPRIV_S : VPRIV_U;
	vcpu.arch->trap.csr.sstatus = words[1];
	vcpu.arch->trap.csr.sie = words[2];
	vcpu.virq = words[3] & VIRQ_SOFT;
	vcpu.arch->trap.csr.satp = words[4];
	host_csr.satp_asid_mask = words[5] & 0xffff;
	for (unsigned i = 1; i < 32; i++)
		vcpu.arch->regs.x[i] = words[6] * i + words[7];
	fake_time = words[7];

	struct trap_info t = { .cause = EXC_ILLEGAL_INST, .tval = insn, .epc = vcpu.arch->regs.pc };
	fake_insn = insn;
	enum resume r = emulate_insn(&vcpu, &t);

	if (vcpu.arch->regs.x[0] != 0)
		__builtin_trap();
	if (r == RESUME_INJECT && t.inject_cause != EXC_ILLEGAL_INST)
		__builtin_trap();
	if (r == RESUME_NEXT && t.insn_len != 2 && t.insn_len != 4)
		__builtin_trap();
	if (r == RESUME_JUMP && t.jump_pc != vcpu.arch->trap.csr.sepc)
		__builtin_trap();       /* only SRET jumps */
	if (vcpu.arch->regs.pc != t.epc)
		__builtin_trap();       /* only the dispatcher moves the pc */
	return 0;
}
