#include "arch/riscv/hart.h"

#include <stddef.h>
#include "arch/riscv/asm_offsets.h"
#include "arch/riscv/csr.h"
#include "arch/riscv/sbi_host.h"
#include "core/console.h"
#include "core/arch.h"
#include "core/platform.h"

_Static_assert(offsetof(struct hart, stack_top) == HART_STACK_TOP, "asm_offsets.h is stale");

struct hart harts[MAX_HARTS];

extern char secondary_entry[];
void sched_run(void) __attribute__((noreturn));

/* Traps taken by Trapeze itself (entry.S trap_from_hyp). Only an expected
 * CSR probe may trap; anything else is a Trapeze bug. */
void hyp_trap(void)
{
	struct hart *h = this_hart();
	uint64_t cause = csr_read(scause);

	/* An expected fault: a CSR probe's illegal instruction, or a load of
	 * guest memory through the guest's translation (HLV, HLVX) that
	 * faults. The faulting instruction is skipped (all are 4 bytes). */
	if (h->probe_active && (cause == EXC_ILLEGAL_INST || cause == EXC_LOAD_PAGE_FAULT ||
				cause == EXC_LOAD_ACCESS || cause == EXC_LOAD_GUEST_PAGE_FAULT ||
				cause == EXC_LOAD_MISALIGNED)) {
		h->probe_faulted = true;
		csr_write(sepc, csr_read(sepc) + 4);
		return;
	}
	panic("unexpected trap in Trapeze: scause=0x%lx sepc=0x%lx stval=0x%lx",
	      cause, csr_read(sepc), csr_read(stval));
}

void hart_start_secondaries(void)
{
	for (unsigned i = 0; i < platform.nharts; i++) {
		if (i == platform.boot_hart)
			continue;
		struct hart *h = &harts[i];
		/* SBI v2.0 HSM hart_start(hartid, start_addr, opaque): both physical. */
		struct sbi_host_ret r = sbi_host_call(SBI_HOST_EXT_HSM, 0, h->hartid,
						      virt_to_phys(secondary_entry), virt_to_phys(h));
		if (r.error)
			log_info("hart %lu did not start (SBI error %ld)", h->hartid, r.error);
	}
}

void hyp_secondary_main(uint64_t hartid, struct hart *h)
{
	__asm__ volatile("mv tp, %0" :: "r"(h));
	(void)hartid;
	arch_hart_init();
	sched_run();
}
