/*
 * A tiny kernel with two U-mode processes, each in its own Sv39 address
 * space with its own ASID (RISC-V Privileged ISA v1.12, 4.1.11 satp, 4.3.1
 * U pages, 4.1.1.2 SUM). The kernel handles system calls with the caller's
 * address space still active, reading and writing user memory with
 * SUM = 1 (as Linux's copy_from_user / copy_to_user do, with a fixup for
 * bad pointers), maps heap pages on demand from U page faults and returns
 * to retry the access, and switches between the processes on yield
 * (satp write, no fence: distinct ASIDs, 4.2.1). Both processes run the
 * same program at the same VAs and must each see their own data.
 */
#include "paging.h"

#define SYS_PUTS   1        /* (ptr, len) -> len or -EFAULT */
#define SYS_PUTX   2        /* (value) */
#define SYS_YIELD  3
#define SYS_GETMSG 4        /* (ptr, len) -> bytes written or -EFAULT */
#define SYS_EXIT   5        /* (code) */
#define EFAULT     14
#define STR_(x)    #x
#define STR(x)     STR_(x)

/* The user address space (same layout in every process). */
#define U_CODE       0x10000UL
#define U_DATA       0x20000UL
#define U_STACK_TOP  0x800000UL
#define U_HEAP       0x40000000UL
#define U_HEAP_PAGES 16
#define U_TOP        0x80000000UL   /* user pointers stay below */

/*
 * The program, one page, copied into each process's code page. Position
 * independent; a0 = pid at entry. Uncompressed, like every U probe here.
 */
extern char user_prog[];
__asm__(".pushsection .text.user_prog,\"ax\",@progbits\n"
	".balign 4096\n.globl user_prog\nuser_prog:\n"
	".option push\n.option norvc\n"
	"mv s0, a0\n"
	"li s1, 0x20000\n"
	"ld a0, 0(s1)\n li a7, " STR(SYS_PUTX) "\n ecall\n"     /* putx data word */
	"addi a0, s1, 8\n li a1, 13\n li a7, " STR(SYS_PUTS) "\n ecall\n" /* puts data string */
	"addi sp, sp, -64\n"
	"mv a0, sp\n li a1, 64\n li a7, " STR(SYS_GETMSG) "\n ecall\n" /* getmsg into stack */
	"mv a1, a0\n mv a0, sp\n li a7, " STR(SYS_PUTS) "\n ecall\n" /* puts it */
	"li s2, 0\n li s3, 0x40000000\n"
	"1: slli t0, s2, 12\n add s4, s3, t0\n"
	"ld a0, 0(s4)\n li a7, " STR(SYS_PUTX) "\n ecall\n"     /* load: demand fault */
	"slli t0, s0, 8\n or t0, t0, s2\n sd t0, 8(s4)\n"
	"ld t0, 0(s1)\n addi t0, t0, 1\n sd t0, 0(s1)\n"
	"li a7, " STR(SYS_YIELD) "\n ecall\n"                   /* yield */
	"ld a0, 8(s4)\n li a7, " STR(SYS_PUTX) "\n ecall\n"
	"ld a0, 0(s1)\n li a7, " STR(SYS_PUTX) "\n ecall\n"
	"addi s2, s2, 1\n li t0, 3\n blt s2, t0, 1b\n"
	/* Heap pages 0 and 1 again (mapped by a load fault, written since). */
	"sd s0, 0x7f8(s3)\n"
	"li t0, 0x1000\n add t0, s3, t0\n sd s0, 0x7f8(t0)\n"
	"ld a0, 8(s3)\n li a7, " STR(SYS_PUTX) "\n ecall\n"
	"li a0, 0x30000000\n li a1, 8\n li a7, " STR(SYS_PUTS) "\n ecall\n" /* unmapped pointer */
	"li a7, " STR(SYS_PUTX) "\n ecall\n"
	"li a0, 0x80200000\n li a1, 8\n li a7, " STR(SYS_PUTS) "\n ecall\n" /* kernel pointer */
	"li a7, " STR(SYS_PUTX) "\n ecall\n"
	"li a0, 0x7ffff0\n li a1, 32\n li a7, " STR(SYS_PUTS) "\n ecall\n" /* straddles into a hole */
	"li a7, " STR(SYS_PUTX) "\n ecall\n"
	"li t0, 2\n beq s0, t0, 2f\n"
	"li t0, 0x40004000\n sd s0, 0(t0)\n"                    /* store: demand fault */
	"ld a0, 0(t0)\n li a7, " STR(SYS_PUTX) "\n ecall\n"
	"li a0, 0\n li a7, " STR(SYS_EXIT) "\n ecall\n"         /* exit */
	"2: li t0, 0x80200000\n ld a0, 0(t0)\n"                 /* kernel memory: killed */
	"li a7, " STR(SYS_EXIT) "\n ecall\n"
	".option pop\n.balign 4096\n.popsection\n");

struct proc {
	unsigned pid;
	unsigned long asid;
	struct pg_space space;
	int state;                      /* 0 unused/dead, 1 runnable, 2 running */
	int started;
	unsigned heap_pages;
	struct trap_frame frame;        /* saved while not running */
};

static struct proc procs[2];
static struct proc *cur;
static struct pg_space kernel;
static unsigned long switches;

static void proc_build(struct proc *p, unsigned pid)
{
	unsigned long code = pg_alloc(), data = pg_alloc(), stack = pg_alloc();
	static const char hello[] = "hello from p";

	p->pid = pid;
	p->asid = pid;
	pg_space_init(&p->space, SATP_MODE_SV39);
	/* The kernel's mappings, global, identical in every address space. */
	pg_map_identity(&p->space, PTE_G);
	memcpy((void *)code, user_prog, PG_SIZE);
	*(volatile unsigned long *)data = 0x1111UL * pid;
	memcpy((void *)(data + 8), hello, sizeof(hello) - 1);
	*(volatile char *)(data + 8 + sizeof(hello) - 1) = (char)('0' + pid);
	pg_map(&p->space, U_CODE, code, PG_4K, PTE_U | PTE_R | PTE_X);
	pg_map(&p->space, U_DATA, data, PG_4K, PTE_U | PTE_R | PTE_W);
	pg_map(&p->space, U_STACK_TOP - PG_SIZE, stack, PG_4K, PTE_U | PTE_R | PTE_W);
	p->state = 1;
}

static int access_ok(unsigned long ptr, unsigned long len)
{
	return ptr < U_TOP && len <= U_TOP - ptr;
}

/* copy_from_user: SUM = 1 around the copy; a fault ends it with -EFAULT
 * (the kernel's own fixup, like Linux's exception table). */
static long copy_from_user(char *dst, unsigned long src, unsigned long len)
{
	struct trap_record r;
	long ret = (long)len;

	if (!access_ok(src, len))
		return -EFAULT;
	csr_set(sstatus, SSTATUS_SUM);
	for (unsigned long i = 0; i < len; i++) {
		if (trap_expect(&r, pg_lbu, src + i)) {
			printf("p%u: kernel fault scause=0x%lx stval=0x%lx in copy_from_user\n",
			       cur->pid, r.cause, r.tval);
			ret = -EFAULT;
			break;
		}
		dst[i] = (char)r.ret;
	}
	csr_clear(sstatus, SSTATUS_SUM);
	return ret;
}

static long copy_to_user(unsigned long dst, const char *src, unsigned long len)
{
	if (!access_ok(dst, len))
		return -EFAULT;
	csr_set(sstatus, SSTATUS_SUM);
	for (unsigned long i = 0; i < len; i++)
		((volatile char *)dst)[i] = src[i];
	csr_clear(sstatus, SSTATUS_SUM);
	return (long)len;
}

static void proc_run(struct proc *p, struct trap_frame *f)
{
	cur->state = cur->state ? 1 : 0;
	if (!p->started) {
		/* First run: a fresh frame, as the kernel's exec would set up. */
		memset(&p->frame, 0, sizeof(p->frame));
		p->frame.sepc = U_CODE;
		p->frame.sstatus = f->sstatus & ~(SSTATUS_SPP | SSTATUS_SUM);
		p->frame.regs[REG_A0] = p->pid;
		p->frame.regs[REG_SP] = U_STACK_TOP;
		p->started = 1;
	}
	*f = p->frame;
	p->state = 2;
	cur = p;
	csr_write(satp, pg_satp(&p->space, p->asid));
	switches++;
}

static struct proc *other(void)
{
	struct proc *o = cur == &procs[0] ? &procs[1] : &procs[0];

	return o->state ? o : 0;
}

/* The current process is gone: run the other, or leave U for good. */
static void proc_end(struct trap_frame *f)
{
	struct proc *o;

	cur->state = 0;
	o = other();
	if (!o)
		pg_user_resume(0);
	printf("switch p%u -> p%u\n", cur->pid, o->pid);
	proc_run(o, f);
}

static void sys_call(struct trap_frame *f)
{
	unsigned long a0 = f->regs[REG_A0], a1 = f->regs[REG_A1];
	char buf[64];
	long ret = 0;

	f->sepc += 4;
	switch (f->regs[REG_A7]) {
	case SYS_PUTS:
		ret = copy_from_user(buf, a0, a1 < sizeof(buf) - 1 ? a1 : sizeof(buf) - 1);
		if (ret >= 0) {
			buf[ret] = 0;
			printf("p%u: puts \"%s\"\n", cur->pid, buf);
		} else {
			printf("p%u: puts 0x%lx -> -EFAULT\n", cur->pid, a0);
		}
		break;
	case SYS_PUTX:
		printf("p%u: putx 0x%lx\n", cur->pid, a0);
		break;
	case SYS_GETMSG: {
		static const char msg[] = "kernel says hi to p";
		unsigned long n = sizeof(msg) - 1;

		memcpy(buf, msg, n);
		buf[n++] = (char)('0' + cur->pid);
		ret = copy_to_user(a0, buf, a1 < n ? a1 : n);
		break;
	}
	case SYS_YIELD: {
		struct proc *o = other();

		f->regs[REG_A0] = 0;
		if (!o)
			return;
		printf("switch p%u -> p%u\n", cur->pid, o->pid);
		cur->frame = *f;
		proc_run(o, f);
		return;
	}
	case SYS_EXIT:
		printf("p%u: exit %ld\n", cur->pid, (long)a0);
		proc_end(f);
		return;
	default:
		ret = -38;      /* ENOSYS */
	}
	f->regs[REG_A0] = (unsigned long)ret;
}

/* A U page fault in the heap gets a zeroed page; anything else kills. */
static void user_fault(struct trap_frame *f)
{
	unsigned long va = f->stval & ~(PG_SIZE - 1);
	uint64_t *pte = pg_pte(&cur->space, va, PG_4K);

	if (va >= U_HEAP && va < U_HEAP + U_HEAP_PAGES * PG_SIZE && (!pte || !(*pte & PTE_V))) {
		pg_map(&cur->space, va, pg_alloc(), PG_4K, PTE_U | PTE_R | PTE_W);
		/* Invalid -> valid: fence this page of this ASID (4.2.1). */
		pg_fence_va_asid(va, cur->asid);
		cur->heap_pages++;
		printf("p%u: fault scause=0x%lx stval=0x%lx -> heap page %u\n", cur->pid,
		       f->scause, f->stval, cur->heap_pages);
		return;         /* sepc unchanged: the access runs again */
	}
	printf("p%u: killed scause=0x%lx stval=0x%lx sepc=0x%lx\n", cur->pid, f->scause,
	       f->stval, f->sepc);
	proc_end(f);
}

static int kernel_trap(struct trap_frame *f)
{
	switch (f->scause) {
	case EXC_ECALL_U:
		sys_call(f);
		return 1;
	case EXC_INST_PAGE_FAULT:
	case EXC_LOAD_PAGE_FAULT:
	case EXC_STORE_PAGE_FAULT:
		user_fault(f);
		return 1;
	}
	printf("p%u: killed scause=0x%lx stval=0x%lx\n", cur->pid, f->scause, f->stval);
	proc_end(f);
	return 1;
}

static void show_heap(struct proc *p)
{
	unsigned mapped = 0, dirty = 0;

	for (unsigned i = 0; i < U_HEAP_PAGES; i++) {
		uint64_t *pte = pg_pte(&p->space, U_HEAP + i * PG_SIZE, PG_4K);

		if (pte && (*pte & PTE_V)) {
			mapped++;
			dirty += (*pte & PTE_D) != 0;
		}
	}
	printf("p%u: heap pages %u dirty %u, data word 0x%lx\n", p->pid, mapped, dirty,
	       *(volatile unsigned long *)pg_pte_pa(*pg_pte(&p->space,
								U_DATA, PG_4K)));
}

void guest_main(unsigned long hartid, unsigned long dtb)
{
	(void)hartid;
	(void)dtb;
	pg_init();
	pg_space_init(&kernel, SATP_MODE_SV39);
	pg_map_identity(&kernel, PTE_G);
	proc_build(&procs[0], 1);
	proc_build(&procs[1], 2);
	printf("kernel satp=0x%lx\n", pg_enable(&kernel, 0));
	pg_user_hook = kernel_trap;

	cur = &procs[0];
	cur->state = 2;
	cur->started = 1;
	csr_write(satp, pg_satp(&cur->space, cur->asid));
	printf("p1 satp=0x%lx\n", csr_read(satp));
	pg_user_run(U_CODE, cur->pid, U_STACK_TOP, 0);

	pg_user_hook = 0;
	csr_write(satp, pg_satp(&kernel, 0));
	printf("back in the kernel: satp=0x%lx, %lu switches\n", csr_read(satp), switches);
	show_heap(&procs[0]);
	show_heap(&procs[1]);
	pg_disable();
}
