/*
 * Table building and U-mode trap recording for the paging guests
 * (paging.h). Step and section numbers: RISC-V Privileged ISA v1.12,
 * 4.3-4.6 (Sv32/Sv39/Sv48/Sv57).
 */
#include "paging.h"

PROBE(pg_ld, "ld a0, 0(a0)");
PROBE(pg_sd, "sd a0, 0(a0)");
PROBE(pg_amo, "amoadd.d a0, a0, (a0)");
PROBE(pg_lbu, "lbu a0, 0(a0)");
/* Stores pg_store_value: the trap, if any, is at fn+12 (la is auipc+addi). */
unsigned long pg_store_value;
PROBE(pg_sdv, "la t0, pg_store_value\n ld t0, 0(t0)\n sd t0, 0(a0)");

static unsigned long pg_pool_next;

void pg_pool_reset(void)
{
	pg_pool_next = ((unsigned long)__image_end + PG_SIZE - 1) & ~(PG_SIZE - 1);
}

unsigned long pg_alloc(void)
{
	unsigned long pa = pg_pool_next;

	if (pa + PG_SIZE > PG_POOL_END) {
		puts("pg_alloc: out of table pages");
		guest_fail();
	}
	pg_pool_next += PG_SIZE;
	memset((void *)pa, 0, PG_SIZE);
	return pa;
}

static unsigned pg_levels_of(unsigned long mode)
{
	switch (mode) {
	case SATP_MODE_SV39: return 3;
	case SATP_MODE_SV48: return 4;
	case SATP_MODE_SV57: return 5;
	}
	return 0;
}

void pg_space_init(struct pg_space *s, unsigned long mode)
{
	s->mode = mode;
	s->levels = pg_levels_of(mode);
	s->root = pg_alloc();
}

static unsigned pg_index(unsigned long va, unsigned level)
{
	return (va >> (PG_SHIFT + PG_LEVEL_BITS * level)) & ((1U << PG_LEVEL_BITS) - 1);
}

/* Walks down to `level`, creating pointer tables when `create`; NULL
 * (when not creating) if a table is missing or a larger leaf is on the way. */
static uint64_t *pg_walk(struct pg_space *s, unsigned long va, unsigned level, int create)
{
	volatile uint64_t *table = (volatile uint64_t *)s->root;

	for (unsigned l = s->levels - 1; l > level; l--) {
		volatile uint64_t *pte = &table[pg_index(va, l)];

		if (!(*pte & PTE_V)) {
			if (!create)
				return 0;
			*pte = pg_make_pte(pg_alloc(), PTE_V);
		} else if (*pte & (PTE_R | PTE_W | PTE_X)) {
			/* A larger leaf covers va: no table below it. */
			if (!create)
				return 0;
			puts("pg_map: a leaf is in the way");
			guest_fail();
		}
		table = (volatile uint64_t *)pg_pte_pa(*pte);
	}
	return (uint64_t *)&table[pg_index(va, level)];
}

uint64_t *pg_map(struct pg_space *s, unsigned long va, unsigned long pa,
		 unsigned level, unsigned long flags)
{
	volatile uint64_t *pte = pg_walk(s, va, level, 1);

	*pte = pg_make_pte(pa, flags | PTE_V);
	return (uint64_t *)pte;
}

uint64_t *pg_pte(struct pg_space *s, unsigned long va, unsigned level)
{
	return pg_walk(s, va, level, 0);
}

void pg_map_identity(struct pg_space *s, unsigned long extra)
{
	pg_map(s, PG_RAM_BASE, PG_RAM_BASE, PG_1G,
	       PTE_R | PTE_W | PTE_X | PTE_A | PTE_D | extra);
	pg_map(s, UART_BASE, UART_BASE, PG_4K, PTE_R | PTE_W | PTE_A | PTE_D | extra);
}

unsigned long pg_satp(const struct pg_space *s, unsigned long asid)
{
	return (s->mode << SATP_MODE_SHIFT) | (asid << SATP_ASID_SHIFT) |
	       (s->root >> PG_SHIFT);
}

unsigned long pg_enable(const struct pg_space *s, unsigned long asid)
{
	csr_write(satp, pg_satp(s, asid));
	pg_fence_all();
	return csr_read(satp);
}

void pg_disable(void)
{
	csr_write(satp, 0);
	pg_fence_all();
}

void pg_try(const char *label, probe_fn fn, unsigned long arg)
{
	struct trap_record r;

	trap_expect(&r, fn, arg);
	trap_report(label, &r);
}

void pg_try_exec(const char *label, unsigned long va)
{
	pg_try(label, (probe_fn)va, 0);
}

unsigned long pg_read(const char *label, unsigned long va)
{
	struct trap_record r;

	if (trap_expect(&r, pg_ld, va)) {
		trap_report(label, &r);
		return ~0UL;
	}
	return r.ret;
}

void pg_write(const char *label, unsigned long va, unsigned long value)
{
	struct trap_record r;

	pg_store_value = value;
	if (trap_expect(&r, pg_sdv, va))
		trap_report(label, &r);
}

int pg_probe_ok(probe_fn fn, unsigned long arg, unsigned long *value)
{
	struct trap_record r;

	trap_expect(&r, fn, arg);
	*value = r.ret;
	return !r.taken;
}

/* ---- U mode ------------------------------------------------------------ */
int (*pg_user_hook)(struct trap_frame *f);
static struct trap_record *volatile pg_user_armed;

static int pg_is_fetch_fault(unsigned long cause)
{
	return cause == EXC_INST_MISALIGNED || cause == EXC_INST_ACCESS ||
	       cause == EXC_INST_PAGE_FAULT;
}

/*
 * Traps from U never reach trap.c's recording: it reads the instruction at
 * sepc to step over it, which S cannot do on a U page. The U probes are all
 * uncompressed, so stepping is +4.
 */
static int pg_exc_hook(struct trap_frame *f)
{
	struct trap_record *r = pg_user_armed;

	if (f->sstatus & SSTATUS_SPP)
		return 0;
	if (f->scause == EXC_ECALL_U && f->regs[REG_A7] == PG_USER_EXIT_EID)
		pg_user_resume(f->regs[REG_A0]);
	if (pg_user_hook && pg_user_hook(f))
		return 1;
	if (!r) {
		printf("unexpected trap from U scause=0x%lx stval=0x%lx sepc=0x%lx\n",
		       f->scause, f->stval, f->sepc);
		guest_fail();
	}
	if (r->taken++ == 0) {
		r->cause = f->scause;
		r->tval = f->stval;
		r->epc = f->sepc;
		r->sstatus = f->sstatus;
	}
	if (pg_is_fetch_fault(f->scause))
		f->sepc = f->regs[REG_RA];
	else
		f->sepc += 4;
	return 1;
}

int pg_expect_user(struct trap_record *r, unsigned long pc, unsigned long arg,
		   unsigned long sp, unsigned long ra)
{
	memset(r, 0, sizeof(*r));
	r->fn = pc;
	pg_user_armed = r;
	__asm__ volatile("" ::: "memory");
	r->ret = pg_user_run(pc, arg, sp, ra);
	__asm__ volatile("" ::: "memory");
	pg_user_armed = 0;
	return r->taken != 0;
}

void pg_init(void)
{
	pg_pool_reset();
	csr_write(sscratch, 0);
	trap_exc_hook = pg_exc_hook;
	csr_write(stvec, (unsigned long)pg_trap_entry);
}
