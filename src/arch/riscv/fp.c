#include "arch/riscv/fp.h"

#include <stddef.h>
#include "arch/riscv/csr.h"
#include "arch/riscv/vcpu_arch.h"
#include "core/vcpu.h"

uint64_t fp_read_reg_raw(unsigned n);
void fp_write_reg_raw(unsigned n, uint64_t val);

_Static_assert(sizeof(((struct fp_state *)0)->f) == 32 * 8, "fp_state layout");
_Static_assert(offsetof(struct fp_state, fcsr) == 32 * 8, "fp_state layout");

/* Trapeze runs with FS = Off except inside these routines. */
static uint64_t fp_enable(void)
{
	uint64_t s = csr_read(sstatus);

	csr_set(sstatus, SSTATUS_FS_DIRTY);
	return s;
}

void fp_save(struct vcpu *v)
{
	uint64_t s = fp_enable();

	fp_save_regs(v->arch->fp.f);
	csr_write(sstatus, s);
}

void fp_load(struct vcpu *v)
{
	uint64_t s = fp_enable();

	fp_load_regs(v->arch->fp.f);
	csr_write(sstatus, s);
}

uint64_t fp_read_reg(unsigned n)
{
	uint64_t s = fp_enable();
	uint64_t v = fp_read_reg_raw(n);

	csr_write(sstatus, s);
	return v;
}

void fp_write_reg(unsigned n, uint64_t val)
{
	uint64_t s = fp_enable();

	fp_write_reg_raw(n, val);
	csr_write(sstatus, s | SSTATUS_FS_DIRTY);
}
