#include "arch/riscv/guest_pt.h"

#include "arch/riscv/firmware_pmp.h"
#include "core/guestmem.h"
#include "core/vm.h"

/* The compare-and-swap is the atomic A/D update hardware does. */
static uint64_t *guest_pte(struct vm *vm, uint64_t gpa)
{
	return (gpa & 7) ? NULL : guestmem_pin(vm, gpa, 8);
}

static bool guest_read_pte(void *ctx, uint64_t gpa, uint64_t *pte)
{
	uint64_t *p = guest_pte(ctx, gpa);

	if (p == NULL)
		return false;
	*pte = __atomic_load_n(p, __ATOMIC_ACQUIRE);
	guestmem_unpin(ctx);
	return true;
}

static bool guest_cas_pte(void *ctx, uint64_t gpa, uint64_t expected, uint64_t desired)
{
	uint64_t *p = guest_pte(ctx, gpa);

	if (p == NULL)
		return false;
	bool done = __atomic_compare_exchange_n(p, &expected, desired, false,
						__ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE);
	guestmem_unpin(ctx);
	return done;
}

/* The PMP check QEMU makes before reading a PTE. */
static bool guest_pte_allowed(void *ctx, uint64_t gpa)
{
	(void)ctx;
	return firmware_pmp_allows(gpa, 8);
}

struct gpt_mem guest_pt_mem(struct vm *vm)
{
	return (struct gpt_mem){ vm, guest_read_pte, guest_cas_pte, guest_pte_allowed };
}
