/*
 * The guest's own paging in Sv39, Sv48 and Sv57 (RISC-V Privileged ISA
 * v1.12, 4.3 Sv32 for the PTE format and the translation process, 4.4-4.6
 * for Sv39/Sv48/Sv57): satp read-back with an ASID, code and data through
 * the mapping, two virtual aliases of one page, leaves at every level
 * (512 GiB and 256 TiB ones over PA 0), instructions split over two pages,
 * non-canonical addresses, misaligned superpages, reserved encodings, V = 0
 * at each level, PTE bits 63:54, non-leaf PTEs at level 0 and with
 * A/D/U/G, tables and pages outside RAM. Every fault line shows scause,
 * stval and the faulting instruction.
 */
#include "paging.h"

PG_EXEC_PAGE(exec_page);

/* Two code pages; a 4-byte `li a0, 0x123` starts 2 bytes before the
 * boundary, `ret` follows on the second page. */
extern char straddle_pages[];
__asm__(".pushsection .text.straddle_pages,\"ax\",@progbits\n"
	".balign 4096\nstraddle_pages:\n"
	".fill 0x7ff, 2, 0x0001\n"                    /* c.nop up to 0xffe */
	".option push\n.option norvc\n"
	"addi a0, zero, 0x123\nret\n"
	".option pop\n.balign 4096\n.popsection\n");
/* Instructions Trapeze emulates, split over two pages that are not
 * physically adjacent: it must fetch the second half through the guest's
 * own translation. Copied into CODE_A/CODE_B at run time. */
extern char straddle_tmpl[];
__asm__(".pushsection .text.straddle_tmpl,\"ax\",@progbits\n"
	".balign 4\nstraddle_tmpl:\n"
	".option push\n.option norvc\n"
	"csrwi sscratch, 0x15\n"            /* +0: at 0xffa */
	"csrrw a0, sscratch, zero\n"        /* +4: at 0xffe, straddles */
	"jalr zero, 0(ra)\n"                /* +8 */
	"lbu a0, 5(a0)\n"                   /* +12: at 0xffe, straddles */
	"jalr zero, 0(ra)\n"                /* +16 */
	".option pop\n.popsection\n");
#define CODE_A        (PG_DATA_BASE + 0x210000UL)
#define CODE_B        (PG_DATA_BASE + 0x213000UL)
#define CODE_C        (PG_DATA_BASE + 0x220000UL)
#define CODE_D        (PG_DATA_BASE + 0x225000UL)
#define VA_SPLIT_CSR  0x40840000UL    /* CODE_A, CODE_B */
#define VA_SPLIT_MMIO 0x40850000UL    /* CODE_C, CODE_D */
#define VA_UART_X     0x40860000UL    /* 4K R W X -> UART */
#define VA_ST         0x40800000UL    /* straddle: both pages R X */
#define VA_ST_NONE    0x40810000UL    /* second page unmapped */
#define VA_ST_NX      0x40820000UL    /* second page R only */
#define VA_ST_U       0x40830000UL    /* second page U R X */

/* Test window below the identity map (valid in Sv39 and up). */
#define VA_CODE       0x40000000UL    /* 4K R X  -> exec_page */
#define VA_A1         0x40001000UL    /* 4K R W  -> DATA0 */
#define VA_A2         0x40002000UL    /* 4K R W  -> DATA0 (alias) */
#define VA_W          0x40003000UL    /* 4K W    -> DATA1 (reserved) */
#define VA_WX         0x40004000UL    /* 4K W X  -> DATA1 (reserved) */
#define VA_W_CODE     0x40005000UL    /* 4K W    -> exec_page */
#define VA_WX_CODE    0x40006000UL    /* 4K W X  -> exec_page */
#define VA_NL0        0x40007000UL    /* level-0 pointer -> DATA1 */
#define VA_2M         0x40200000UL    /* 2M R W  -> DATA_2M */
#define VA_2M_MIS     0x40400000UL    /* 2M R W  -> DATA_2M + 4K */
#define VA_2M_MIS_X   0x40600000UL    /* 2M R X  -> exec_page (4K aligned only) */
#define VA_1G         0x100000000UL   /* 1G RWX  -> RAM base */
#define VA_1G_MIS     0x140000000UL   /* 1G R W  -> RAM base + 2M */
#define VA_512G       0x8000000000UL  /* 512G RWX -> 0 (Sv48/Sv57) */
#define VA_512G_MIS   0x10000000000UL /* 512G R W -> RAM base */
#define VA_256T       0x1000000000000UL  /* 256T RWX -> 0 (Sv57) */
#define VA_256T_MIS   0x2000000000000UL  /* 256T R W -> RAM base */

#define DATA_2M       PG_DATA_BASE                /* 2 MiB aligned */
#define DATA0         (PG_DATA_BASE + 0x200000UL)
#define DATA1         (PG_DATA_BASE + 0x201000UL)
#define DATA2         (PG_DATA_BASE + 0x202000UL)

struct mode {
	const char *name;
	unsigned long mode, asid;
	/* Addresses outside the mode's canonical range (4.4.1, 4.5.1, 4.6.1:
	 * bits 63..VA_BITS-1 must all equal bit VA_BITS-1). */
	unsigned long noncanon[5];
	/* Canonical, nothing mapped there. */
	unsigned long unmapped[3];
};

static const struct mode modes[] = {
	{ "sv39", SATP_MODE_SV39, 0x39,
	  { 0x4000000000UL, 0x8000000000UL, 0xffffffbffffff000UL,
	    0xff80000000000000UL, 0x8000000000000000UL },
	  { 0x3ffffff000UL, 0xffffffc000000000UL, 0xffffffffffe00000UL } },
	{ "sv48", SATP_MODE_SV48, 0x48,
	  { 0x800000000000UL, 0x1000000000000UL, 0xffff7ffffffff000UL,
	    0xff80000000000000UL, 0x8000000000000000UL },
	  { 0x7ffffffff000UL, 0xffff800000000000UL, 0xffffffffffe00000UL } },
	{ "sv57", SATP_MODE_SV57, 0x57,
	  { 0x100000000000000UL, 0x200000000000000UL, 0xfeffffffffffe000UL,
	    0x7f00000000000000UL, 0x8000000000000000UL },
	  /* 0xff80...: where Trapeze lives under Sv57 (nothing of ours). */
	  { 0xfffffffff000UL, 0xff00000000000000UL, 0xff80000000000000UL } },
};

static const struct mode *cur;
static struct pg_space space;

static void try(const char *label, probe_fn fn, unsigned long arg)
{
	printf("%s ", cur->name);
	pg_try(label, fn, arg);
}

static void try_exec(const char *label, unsigned long va)
{
	printf("%s ", cur->name);
	pg_try_exec(label, va);
}

/* A load expected to work; a trap gets its own line and reads as ~0. */
static unsigned long rd(unsigned long va)
{
	struct trap_record r;

	if (!trap_expect(&r, pg_ld, va))
		return r.ret;
	printf("%s ", cur->name);
	trap_report("read", &r);
	return ~0UL;
}

/* Loads, stores and fetches at one address, each a line. */
static void try_lsx(const char *what, unsigned long va)
{
	printf("%s %s 0x%lx\n", cur->name, what, va);
	try("  load", pg_ld, va);
	try("  store", pg_sd, va);
	try_exec("  fetch", va);
}

static unsigned long va_path(void)
{
	/* Root entry 128: a walk of its own, whose tables no other mapping
	 * uses, so each of its PTEs can be broken without losing the code. */
	unsigned va_bits = PG_SHIFT + PG_LEVEL_BITS * space.levels;

	return (1UL << (va_bits - 2)) + 0x201000UL;
}

static void build(void)
{
	unsigned long rw = PTE_R | PTE_W | PTE_A | PTE_D;

	pg_pool_reset();
	pg_space_init(&space, cur->mode);
	pg_map_identity(&space, 0);
	pg_map(&space, VA_CODE, (unsigned long)exec_page, PG_4K, PTE_R | PTE_X | PTE_A);
	pg_map(&space, VA_A1, DATA0, PG_4K, rw);
	pg_map(&space, VA_A2, DATA0, PG_4K, rw);
	pg_map(&space, VA_W, DATA1, PG_4K, PTE_W | PTE_A | PTE_D);
	pg_map(&space, VA_WX, DATA1, PG_4K, PTE_W | PTE_X | PTE_A | PTE_D);
	pg_map(&space, VA_W_CODE, (unsigned long)exec_page, PG_4K, PTE_W | PTE_A | PTE_D);
	pg_map(&space, VA_WX_CODE, (unsigned long)exec_page, PG_4K,
	       PTE_W | PTE_X | PTE_A | PTE_D);
	/* V=1, R=W=X=0 at level 0: a pointer where only a leaf may be. */
	pg_map(&space, VA_NL0, DATA1, PG_4K, 0);
	pg_map(&space, VA_2M, DATA_2M, PG_2M, rw);
	pg_map(&space, VA_2M_MIS, DATA_2M + PG_SIZE, PG_2M, rw);
	pg_map(&space, VA_2M_MIS_X, (unsigned long)exec_page, PG_2M, PTE_R | PTE_X | PTE_A);
	pg_map(&space, VA_1G, PG_RAM_BASE, PG_1G, rw | PTE_X);
	pg_map(&space, VA_1G_MIS, PG_RAM_BASE + 0x200000UL, PG_1G, rw);
	if (space.levels >= 4) {
		pg_map(&space, VA_512G, 0, PG_512G, rw | PTE_X);
		pg_map(&space, VA_512G_MIS, PG_RAM_BASE, PG_512G, rw);
	}
	if (space.levels >= 5) {
		pg_map(&space, VA_256T, 0, PG_256T, rw | PTE_X);
		pg_map(&space, VA_256T_MIS, PG_RAM_BASE, PG_256T, rw);
	}
	pg_map(&space, va_path(), DATA2, PG_4K, rw);
	pg_map(&space, VA_UART_X, UART_BASE, PG_4K, PTE_R | PTE_W | PTE_X | PTE_A | PTE_D);
	pg_map(&space, VA_SPLIT_CSR, CODE_A, PG_4K, PTE_R | PTE_X | PTE_A);
	pg_map(&space, VA_SPLIT_CSR + PG_SIZE, CODE_B, PG_4K, PTE_R | PTE_X | PTE_A);
	pg_map(&space, VA_SPLIT_MMIO, CODE_C, PG_4K, PTE_R | PTE_X | PTE_A);
	pg_map(&space, VA_SPLIT_MMIO + PG_SIZE, CODE_D, PG_4K, PTE_R | PTE_X | PTE_A);
	for (unsigned i = 0; i < 4; i++) {
		static const unsigned long second[4] = {
			PTE_R | PTE_X | PTE_A, 0, PTE_R | PTE_A, PTE_U | PTE_R | PTE_X | PTE_A,
		};
		unsigned long va = VA_ST + i * 0x10000UL;

		pg_map(&space, va, (unsigned long)straddle_pages, PG_4K, PTE_R | PTE_X | PTE_A);
		if (second[i])
			pg_map(&space, va + PG_SIZE, (unsigned long)straddle_pages + PG_SIZE,
			       PG_4K, second[i]);
	}
}

static volatile unsigned long marker = 0x600dda7aUL;

static void test_basics(void)
{
	unsigned long v1, v2;

	printf("%s satp=0x%lx\n", cur->name, pg_enable(&space, cur->asid));
	/* This code, its stack, its data and the UART now go through the tables. */
	printf("%s identity: marker=0x%lx\n", cur->name, marker);
	try_exec("exec alias", VA_CODE);
	try("load code alias", pg_ld, VA_CODE);

	/* Two virtual pages, one physical page (4.3.2: translation is per VA). */
	*(volatile unsigned long *)(DATA0 + 0x10) = 0;
	*(volatile unsigned long *)(DATA0 + 0x18) = 0;
	pg_write("write a1", VA_A1 + 0x10, 0x1111222233334444UL);
	v1 = rd(VA_A2 + 0x10);
	v2 = *(volatile unsigned long *)(DATA0 + 0x10);
	printf("%s alias: a1 wrote, a2 reads 0x%lx, pa reads 0x%lx\n", cur->name, v1, v2);
	pg_write("write a2", VA_A2 + 0x18, 0x5555666677778888UL);
	v1 = rd(VA_A1 + 0x18);
	printf("%s alias: a2 wrote, a1 reads 0x%lx\n", cur->name, v1);
	try("store a1", pg_sd, VA_A1 + 0x80);
	*(volatile uint8_t *)(VA_A1 + 0x11) = 0xab;
	printf("%s alias: byte via a1, a2 reads 0x%lx\n", cur->name, rd(VA_A2 + 0x10));
}

static void test_leaf_sizes(void)
{
	/* 2 MiB leaf: the low 21 bits of the VA are the page offset. */
	*(volatile unsigned long *)(DATA_2M + 0x1ff8f8) = 0x2222000000000001UL;
	printf("%s 2m: read 0x%lx\n", cur->name, rd(VA_2M + 0x1ff8f8));
	pg_write("2m write", VA_2M + 0x123450, 0x2222000000000002UL);
	printf("%s 2m: pa reads 0x%lx\n", cur->name,
	       *(volatile unsigned long *)(DATA_2M + 0x123450));

	/* 1 GiB leaf over RAM (the leaf is larger than RAM: only RAM is touched). */
	*(volatile unsigned long *)(DATA0 + 0x20) = 0x1111000000000001UL;
	printf("%s 1g: read 0x%lx\n", cur->name, rd(VA_1G + (DATA0 - PG_RAM_BASE) + 0x20));
	pg_write("1g write", VA_1G + (DATA0 - PG_RAM_BASE) + 0x28, 0x1111000000000002UL);
	printf("%s 1g: pa reads 0x%lx\n", cur->name, *(volatile unsigned long *)(DATA0 + 0x28));
	try_exec("1g exec", VA_1G + ((unsigned long)exec_page - PG_RAM_BASE));

	if (space.levels >= 4) {
		/* 512 GiB leaf: PPN 0, the only aligned one below 512 GiB. */
		*(volatile unsigned long *)(DATA0 + 0x30) = 0x5120000000000001UL;
		printf("%s 512g: read 0x%lx\n", cur->name, rd(VA_512G + DATA0 + 0x30));
		pg_write("512g write", VA_512G + DATA0 + 0x38, 0x5120000000000002UL);
		printf("%s 512g: pa reads 0x%lx\n", cur->name,
		       *(volatile unsigned long *)(DATA0 + 0x38));
		try("512g uart lsr", pg_lbu, VA_512G + UART_BASE + 5);
		try_exec("512g exec", VA_512G + (unsigned long)exec_page);
	} else {
		try_lsx("512g va (not canonical here)", VA_512G);
	}
	if (space.levels >= 5) {
		*(volatile unsigned long *)(DATA0 + 0x40) = 0x2560000000000001UL;
		printf("%s 256t: read 0x%lx\n", cur->name, rd(VA_256T + DATA0 + 0x40));
		pg_write("256t write", VA_256T + DATA0 + 0x48, 0x2560000000000002UL);
		printf("%s 256t: pa reads 0x%lx\n", cur->name,
		       *(volatile unsigned long *)(DATA0 + 0x48));
		try_exec("256t exec", VA_256T + (unsigned long)exec_page);
	}
}

static void test_faults(void)
{
	/* A fetch whose second half is on a page that cannot be fetched:
	 * sepc is the instruction, stval the part that faulted. */
	try_exec("straddling fetch", VA_ST + 0xffe);
	try_exec("straddling fetch, 2nd page unmapped", VA_ST_NONE + 0xffe);
	try_exec("straddling fetch, 2nd page not x", VA_ST_NX + 0xffe);
	try_exec("straddling fetch, 2nd page u", VA_ST_U + 0xffe);

	/* 4.3.2 step 6: a superpage whose PPN is not aligned to its size. */
	try("2m misaligned load", pg_ld, VA_2M_MIS + 0x40);
	try("2m misaligned store", pg_sd, VA_2M_MIS + 0x40);
	try_exec("2m misaligned fetch", VA_2M_MIS_X);
	try("1g misaligned load", pg_ld, VA_1G_MIS + 0x40);
	try("1g misaligned store", pg_sd, VA_1G_MIS + 0x40);
	if (space.levels >= 4)
		try("512g misaligned load", pg_ld, VA_512G_MIS + 0x40);
	if (space.levels >= 5)
		try("256t misaligned load", pg_ld, VA_256T_MIS + 0x40);

	/* 4.3.1, encoding of the R/W/X fields: R=0 W=1 is reserved, with or
	 * without X. */
	try("w-only load", pg_ld, VA_W + 8);
	try("w-only store", pg_sd, VA_W + 8);
	try_exec("w-only fetch", VA_W_CODE);
	try("wx load", pg_ld, VA_WX + 8);
	try("wx store", pg_sd, VA_WX + 8);
	try_exec("wx fetch", VA_WX_CODE);

	/* 4.3.2 step 4: a pointer at level 0. */
	try("level-0 pointer load", pg_ld, VA_NL0 + 8);
	try("level-0 pointer store", pg_sd, VA_NL0 + 8);

	for (unsigned i = 0; i < 5; i++)
		try_lsx("non-canonical", cur->noncanon[i]);
	for (unsigned i = 0; i < 3; i++)
		try_lsx("unmapped", cur->unmapped[i]);
}

/*
 * The load at va_path() with the PTE at each level in turn given `set`
 * and stripped of `clear` (fenced before, restored after): one line, one
 * word per level from the root down, "ok" or the cause (and stval and sepc
 * when they are not the address loaded and the load).
 */
static void try_path(const char *label, unsigned top, uint64_t set, uint64_t clear)
{
	unsigned long va = va_path() + 0x18;

	printf("%s %s:", cur->name, label);
	for (int l = top; l >= 0; l--) {
		volatile uint64_t *p = pg_pte(&space, va, l);
		uint64_t old = *p;
		struct trap_record r;

		*p = (old | set) & ~clear;
		pg_fence_all();
		trap_expect(&r, pg_ld, va);
		*p = old;
		pg_fence_all();
		if (!r.taken)
			printf(" L%d=ok", l);
		else if (r.tval == va && r.epc == r.fn)
			printf(" L%d=0x%lx", l, r.cause);
		else
			printf(" L%d=0x%lx(stval=0x%lx,sepc=fn+%ld)", l, r.cause, r.tval,
			       (long)(r.epc - r.fn));
	}
	printf("\n");
}

static void test_path(void)
{
	*(volatile unsigned long *)(DATA2 + 0x18) = 0x9a7b000000000001UL;
	printf("%s path 0x%lx: ", cur->name, va_path());
	pg_try("load", pg_ld, va_path() + 0x18);
	/* 4.3.2 step 3: V = 0 anywhere on the walk. */
	try_path("v=0", space.levels - 1, 0, PTE_V);
	/* Bits 63:54 (N, PBMT, reserved; 4.4.1) on every PTE of the walk:
	 * what QEMU 7.2 without Svnapot/Svpbmt does is what we print. */
	for (unsigned bit = 54; bit < 64; bit++) {
		char label[8] = "bit ";

		label[4] = (char)('0' + bit / 10);
		label[5] = (char)('0' + bit % 10);
		label[6] = 0;
		try_path(label, space.levels - 1, 1UL << bit, 0);
	}
	/* 4.3.1: D, A and U are reserved in non-leaf PTEs; G is allowed.
	 * Level 0 is the leaf: the same bits there are ordinary. */
	try_path("+a", space.levels - 1, PTE_A, 0);
	try_path("+d", space.levels - 1, PTE_D, 0);
	try_path("+u", space.levels - 1, PTE_U, 0);
	try_path("+g", space.levels - 1, PTE_G, 0);
}

/*
 * Tables and pages outside the guest's RAM: a level-1 pointer to a "table"
 * at each PA, then a 4 KiB leaf to each PA. 4.3.2 step 2: a PTE read that
 * violates PMP is an access fault of the original access type; QEMU 7.2
 * makes a failed bus read (nothing there) a page fault.
 */
static void test_outside_ram(void)
{
	static const struct { const char *name; unsigned long pa; } targets[] = {
		{ "firmware 0x80000000", 0x80000000UL }, { "clint 0x2000000", 0x2000000UL },
		{ "plic 0xc000000", 0xc000000UL }, { "ram end 0x84000000", 0x84000000UL },
		{ "nothing 0x100000000", 0x100000000UL },
	};
	volatile uint64_t *ptr = pg_pte(&space, VA_NL0, PG_2M);
	volatile uint64_t *leaf = pg_pte(&space, VA_A1, PG_4K);
	uint64_t old_ptr = *ptr, old_leaf = *leaf;

	for (unsigned i = 0; i < sizeof(targets) / sizeof(targets[0]); i++) {
		*ptr = pg_make_pte(targets[i].pa, PTE_V);
		pg_fence_all();
		printf("%s table at %s: ", cur->name, targets[i].name);
		pg_try("load", pg_ld, VA_NL0 + 8);
		printf("%s table at %s: ", cur->name, targets[i].name);
		pg_try("store", pg_sd, VA_NL0 + 8);
		*ptr = old_ptr;
		*leaf = pg_make_pte(targets[i].pa, PTE_V | PTE_R | PTE_W | PTE_X | PTE_A | PTE_D);
		pg_fence_all();
		printf("%s page at %s: ", cur->name, targets[i].name);
		pg_try("load", pg_ld, VA_A1 + 8);
		printf("%s page at %s: ", cur->name, targets[i].name);
		pg_try("store", pg_sd, VA_A1 + 8);
		printf("%s page at %s: ", cur->name, targets[i].name);
		pg_try_exec("fetch", VA_A1);
		*leaf = old_leaf;
		pg_fence_all();
	}
}

static void copy_code(unsigned long dst, const char *src, unsigned long n)
{
	for (unsigned long i = 0; i < n; i++)
		((volatile char *)dst)[i] = src[i];
}

static void write_split_code(void)
{
	/* CODE_A+0xffa: csrwi, then the first half of csrrw; CODE_B: the rest. */
	copy_code(CODE_A + 0xffa, straddle_tmpl, 6);
	copy_code(CODE_B, straddle_tmpl + 6, 6);
	copy_code(CODE_C + 0xffe, straddle_tmpl + 12, 2);
	copy_code(CODE_D, straddle_tmpl + 14, 6);
	__asm__ volatile("fence.i" ::: "memory");
}

static void test_split_emulated(void)
{
	try_exec("csr insn split over 2 pages", VA_SPLIT_CSR + 0xffa);
	try("uart load split over 2 pages", (probe_fn)(VA_SPLIT_MMIO + 0xffe), UART_BASE);
	/* A device page mapped executable reads as usual. (No fetch from it:
	 * QEMU 7.2 executes the device's registers as instructions.) */
	try("uart lsr via x page", pg_lbu, VA_UART_X + 5);
}

void guest_main(unsigned long hartid, unsigned long dtb)
{
	(void)hartid;
	(void)dtb;
	pg_init();
	write_split_code();
	for (unsigned m = 0; m < sizeof(modes) / sizeof(modes[0]); m++) {
		cur = &modes[m];
		build();
		test_basics();
		test_split_emulated();
		test_leaf_sizes();
		test_faults();
		test_path();
		test_outside_ram();
		pg_disable();
		printf("%s off: satp=0x%lx marker=0x%lx\n", cur->name, csr_read(satp), marker);
	}
}
