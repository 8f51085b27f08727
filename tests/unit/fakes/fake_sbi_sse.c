/* The fake engine of fake_sbi_sse.h. Linked into test_sbi and fuzz_sbi as
 * well (every fake_sbi_*.c is), where no vCPU uses it. */
#include "fakes/fake_sbi_sse.h"

#include "arch/riscv/csr.h"
#include "arch/riscv/vcpu_arch.h"
#include "core/vcpu.h"

struct fake_sse_log fake_sse_log;

static void fake_sse_enter(struct vcpu *v, uint64_t entry_pc, struct engine_sse_state *interrupted)
{
	struct vcsr *c = &v->arch->trap.csr;

	fake_sse_log.enters++;
	fake_sse_log.last_v = v;
	fake_sse_log.last_entry_pc = entry_pc;
	interrupted->sepc = c->sepc;
	interrupted->spp = (c->sstatus & SSTATUS_SPP) != 0;
	interrupted->spie = (c->sstatus & SSTATUS_SPIE) != 0;
	c->sepc = v->arch->regs.pc;
	c->sstatus &= ~(SSTATUS_SPP | SSTATUS_SPIE);
	c->sstatus |= (v->arch->trap.vpriv == VPRIV_S ? SSTATUS_SPP : 0) |
		      (c->sstatus & SSTATUS_SIE ? SSTATUS_SPIE : 0);
	c->sstatus &= ~SSTATUS_SIE;
	v->arch->trap.vpriv = VPRIV_S;
	v->arch->regs.pc = entry_pc;
}

static uint64_t fake_sse_complete(struct vcpu *v, const struct engine_sse_state *restore)
{
	struct vcsr *c = &v->arch->trap.csr;
	uint64_t pc = c->sepc;

	fake_sse_log.completes++;
	fake_sse_log.last_v = v;
	fake_sse_log.last_restore = *restore;
	v->arch->trap.vpriv = (c->sstatus & SSTATUS_SPP) ? VPRIV_S : VPRIV_U;
	c->sstatus = (c->sstatus & ~SSTATUS_SIE) | (c->sstatus & SSTATUS_SPIE ? SSTATUS_SIE : 0);
	c->sstatus &= ~(SSTATUS_SPP | SSTATUS_SPIE);
	c->sstatus |= (restore->spp ? SSTATUS_SPP : 0) | (restore->spie ? SSTATUS_SPIE : 0);
	c->sepc = restore->sepc;
	return pc;
}

const struct engine fake_sse_engine = {
	.name = "fake-sse",
	.sse_enter = fake_sse_enter,
	.sse_complete = fake_sse_complete,
};
