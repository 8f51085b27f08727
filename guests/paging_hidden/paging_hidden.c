/*
 * Sv57 guest mappings at 0xff80000000000000.., the slot (root index 384)
 * where Trapeze keeps itself in every host address space. The guest may
 * map anything there (RISC-V Privileged ISA v1.12, 4.6 Sv57: any canonical
 * address is the guest's) and must not notice that Trapeze is there too:
 * loads and stores of every width and form, AMOs and LR/SC, misaligned
 * accesses, A/D updates, permission faults, a PTE written through the
 * alias, the UART printed through, a 256 TiB leaf over the whole slot, and
 * U-mode accesses. Each access runs at three addresses for comparison: the
 * identity map, the hidden slot, and the neighbouring slot 385.
 * Fetching from the slot is only checked where it must fault.
 */
#include "paging.h"

PG_EXEC_PAGE(exec_page);

#define HID          0xff80000000000000UL   /* root index 384 */
#define NEXT         0xff81000000000000UL   /* root index 385 */
#define H_RAM        (HID + PG_RAM_BASE)          /* 1G RW   -> RAM */
#define N_RAM        (NEXT + PG_RAM_BASE)         /* 1G RW   -> RAM */
#define H_UART       (HID + UART_BASE)            /* 4K RW   -> UART */
#define H_AD         0xff80123456789000UL         /* 4K RW, A=D=0 -> DATA_AD */
#define H_RO         (HID + 0x1000UL)             /* 4K R    -> DATA */
#define H_U          (HID + 0x2000UL)             /* 4K U RW -> DATA */
#define H_X          (HID + 0x3000UL)             /* 4K X    -> DATA */
#define H_NX         (HID + 0x4000UL)             /* 4K RW   -> exec_page */
#define H_2M         (HID + 0x40000000UL)         /* 2M RW   -> DATA_2M */
#define H_NONE       (HID + 0x5000UL)             /* nothing */
#define UALIAS       0x100000000UL                /* RAM again, U|RWX */

#define DATA_2M      PG_DATA_BASE
#define DATA         (PG_DATA_BASE + 0x200000UL)
#define DATA_AD      (PG_DATA_BASE + 0x201000UL)
#define DATA_AD2     (PG_DATA_BASE + 0x202000UL)
#define WORK         (DATA + 0x100)                /* the word the table uses */
#define PAT0         0x8877665544332211UL
#define PAT1         0xf0e0d0c0b0a09080UL

PROBE(p_lb, "lb a0, 0(a0)");
PROBE(p_lbu, "lbu a0, 0(a0)");
PROBE(p_lh, "lh a0, 0(a0)");
PROBE(p_lhu, "lhu a0, 0(a0)");
PROBE(p_lw, "lw a0, 0(a0)");
PROBE(p_lwu, "lwu a0, 0(a0)");
PROBE(p_ld, "ld a0, 0(a0)");
PROBE(p_sb, "li t0, 0xa5\n sb t0, 0(a0)\n li a0, 0");
PROBE(p_sh, "li t0, 0xa1b2\n sh t0, 0(a0)\n li a0, 0");
PROBE(p_sw, "li t0, 0xa1b2c3d4\n sw t0, 0(a0)\n li a0, 0");
PROBE(p_sd, "li t0, 0x0102030405060708\n sd t0, 0(a0)\n li a0, 0");
PROBE(p_c_lw, ".option rvc\n c.lw a0, 4(a0)\n .option norvc");
PROBE(p_c_ld, ".option rvc\n c.ld a0, 8(a0)\n .option norvc");
PROBE(p_c_sd, "li a1, 0x1357\n .option rvc\n c.sd a1, 0(a0)\n .option norvc\n li a0, 0");
PROBE(p_c_sw, "li a1, 0x2468\n .option rvc\n c.sw a1, 4(a0)\n .option norvc\n li a0, 0");
PROBE(p_fld, "fld f3, 0(a0)\n fmv.x.d a0, f3");
PROBE(p_flw, "flw f3, 0(a0)\n fmv.x.d a0, f3");
PROBE(p_fsd, "li t0, 0x4000000000000000\n fmv.d.x f4, t0\n fsd f4, 0(a0)\n li a0, 0");
PROBE(p_fsw, "li t0, 0x3f800000\n fmv.w.x f4, t0\n fsw f4, 0(a0)\n li a0, 0");
PROBE(p_amoadd_d, "li t0, 1\n amoadd.d a0, t0, (a0)");
PROBE(p_amoswap_w, "li t0, 0x77\n amoswap.w a0, t0, (a0)");
PROBE(p_amoor_w, "li t0, 0x100\n amoor.w a0, t0, (a0)");
PROBE(p_lr_sc, "lr.d t0, (a0)\n addi t0, t0, 1\n sc.d a0, t0, (a0)");

static const struct {
	const char *name;
	probe_fn fn;
	unsigned long off;
} accesses[] = {
	{ "lb", p_lb, 7 }, { "lbu", p_lbu, 7 }, { "lh", p_lh, 6 }, { "lhu", p_lhu, 6 },
	{ "lw", p_lw, 4 }, { "lwu", p_lwu, 4 }, { "ld", p_ld, 0 }, { "ld+8", p_ld, 8 },
	{ "sb", p_sb, 3 }, { "sh", p_sh, 2 }, { "sw", p_sw, 4 }, { "sd", p_sd, 8 },
	{ "c.lw", p_c_lw, 0 }, { "c.ld", p_c_ld, 0 }, { "c.sd", p_c_sd, 0 },
	{ "c.sw", p_c_sw, 8 },
	{ "fld", p_fld, 0 }, { "flw", p_flw, 4 }, { "fsd", p_fsd, 8 }, { "fsw", p_fsw, 0 },
	{ "amoadd.d", p_amoadd_d, 0 }, { "amoswap.w", p_amoswap_w, 4 },
	{ "amoor.w", p_amoor_w, 8 }, { "lr/sc.d", p_lr_sc, 8 },
	/* Misaligned: bare QEMU does them in hardware, even across a page. */
	{ "ld misaligned", p_ld, 3 }, { "sd misaligned", p_sd, 9 },
	{ "lw misaligned", p_lw, 1 }, { "sh misaligned", p_sh, 5 },
	{ "lw across pages", p_lw, 0xefe }, { "sd across pages", p_sd, 0xefc },
};

static struct pg_space space;

/* Each access: both words reset, the probe at base+WORK+off, both words
 * read back through the identity map. */
static void run_table(const char *where, unsigned long base)
{
	volatile unsigned long *w = (volatile unsigned long *)WORK;
	volatile unsigned long *pb = (volatile unsigned long *)(WORK + 0xf00);

	printf("-- %s\n", where);
	for (unsigned i = 0; i < sizeof(accesses) / sizeof(accesses[0]); i++) {
		struct trap_record r;

		w[0] = PAT0;
		w[1] = PAT1;
		pb[-1] = PAT0;
		pb[0] = PAT1;
		trap_expect(&r, accesses[i].fn, base + WORK + accesses[i].off);
		/* stval as an offset from the word, so the tables compare. */
		if (r.taken)
			printf("%s: trap scause=0x%lx stval=word+0x%lx sepc=fn+%ld\n",
			       accesses[i].name, r.cause, r.tval - base - WORK,
			       (long)(r.epc - r.fn));
		else
			printf("%s: ok value=0x%lx mem 0x%lx 0x%lx 0x%lx 0x%lx\n",
			       accesses[i].name, r.ret, w[0], w[1], pb[-1], pb[0]);
	}
}

static void hidden_puts(unsigned long uart, const char *s)
{
	volatile uint8_t *u = (volatile uint8_t *)uart;

	for (; *s; s++) {
		if (*s == '\n') {
			while (!(u[5] & 0x20))
				;
			u[0] = '\r';
		}
		while (!(u[5] & 0x20))
			;
		u[0] = (uint8_t)*s;
	}
}

static void show_ad(const char *what)
{
	uint64_t pte = *pg_pte(&space, H_AD, PG_4K);

	printf("%s: a=%lu d=%lu\n", what, (unsigned long)(pte >> 6) & 1,
	       (unsigned long)(pte >> 7) & 1);
}

static void test_faults_and_ad(void)
{
	puts("-- permissions");
	*(volatile unsigned long *)(DATA + 8) = 0xda7a0008UL;
	pg_try("ro load", pg_ld, H_RO + 8);
	pg_try("ro store", pg_sd, H_RO + 8);
	pg_try("ro amo", pg_amo, H_RO + 8);
	pg_try("u load sum=0", pg_ld, H_U + 8);
	csr_set(sstatus, SSTATUS_SUM);
	pg_try("u load sum=1", pg_ld, H_U + 8);
	pg_try("u store sum=1", pg_sd, H_U + 8);
	csr_clear(sstatus, SSTATUS_SUM);
	pg_try("x-only load mxr=0", pg_ld, H_X + 8);
	csr_set(sstatus, SSTATUS_MXR);
	pg_try("x-only load mxr=1", pg_ld, H_X + 8);
	csr_clear(sstatus, SSTATUS_MXR);
	pg_try("unmapped load", pg_ld, H_NONE + 8);
	pg_try("unmapped store", pg_sd, H_NONE + 8);
	pg_try_exec("unmapped fetch", H_NONE);
	pg_try_exec("no-x fetch", H_NX);
	pg_try("slot base load", pg_ld, HID);

	puts("-- a/d");
	*(volatile unsigned long *)(DATA_AD + 0x10) = 0xad0000000001UL;
	*(volatile unsigned long *)(DATA_AD2 + 0x10) = 0xad0000000002UL;
	show_ad("before");
	pg_try("load", pg_ld, H_AD + 0x10);
	show_ad("after load");
	pg_try("store", pg_sd, H_AD + 0x18);
	show_ad("after store");

	/* The leaf rewritten through the slot's alias of the table page. */
	volatile uint64_t *pte = pg_pte(&space, H_AD, PG_4K);
	volatile uint64_t *hpte = (volatile uint64_t *)(HID + (unsigned long)pte);
	*hpte = pg_make_pte(DATA_AD2, PTE_V | PTE_R | PTE_W);
	pg_fence_va(H_AD);
	printf("pte written through the slot: 0x%lx\n", (unsigned long)*pte);
	pg_try("load after remap", pg_ld, H_AD + 0x10);
	show_ad("after load");

	puts("-- 2m");
	*(volatile unsigned long *)(DATA_2M + 0x1ffff8) = 0x2222UL;
	pg_try("2m load", pg_ld, H_2M + 0x1ffff8);
	pg_try("2m store", pg_sd, H_2M + 0x123458);
	printf("2m identity: 0x%lx\n", *(volatile unsigned long *)(DATA_2M + 0x123458));

	/* A copy through the slot, compared through the identity map. */
	unsigned long sum = 0;
	for (unsigned i = 0; i < 512; i++)
		((volatile unsigned long *)DATA_AD)[i] = i * 0x9e3779b97f4a7c15UL;
	memcpy((void *)(H_RAM - PG_RAM_BASE + DATA_AD2), (void *)(H_RAM - PG_RAM_BASE + DATA_AD),
	       PG_SIZE);
	for (unsigned i = 0; i < 512; i++)
		sum += ((volatile unsigned long *)DATA_AD2)[i] ^ (i * 0x9e3779b97f4a7c15UL);
	printf("page copied through the slot: differences %lu\n", sum);
}

static void test_user(void)
{
	struct trap_record r;
	unsigned long usp = UALIAS + (PG_DATA_BASE + 0x300000UL - PG_RAM_BASE);
	unsigned long uexit = UALIAS + ((unsigned long)pg_user_exit - PG_RAM_BASE);

	puts("-- u mode");
	*(volatile unsigned long *)(DATA + 8) = 0xda7a0008UL;
	pg_expect_user(&r, UALIAS + ((unsigned long)pg_ld - PG_RAM_BASE), H_U + 8, usp, uexit);
	trap_report("u load u page", &r);
	pg_expect_user(&r, UALIAS + ((unsigned long)pg_sd - PG_RAM_BASE), H_U + 8, usp, uexit);
	trap_report("u store u page", &r);
	printf("identity: 0x%lx\n", *(volatile unsigned long *)(DATA + 8));
	pg_expect_user(&r, UALIAS + ((unsigned long)pg_ld - PG_RAM_BASE), H_RAM, usp, uexit);
	trap_report("u load s page", &r);
	pg_expect_user(&r, UALIAS + ((unsigned long)pg_ld - PG_RAM_BASE), H_NONE, usp, uexit);
	trap_report("u load unmapped", &r);
	pg_expect_user(&r, H_NONE, 0, usp, uexit);
	trap_report("u fetch unmapped", &r);
}

/* The whole slot as one 256 TiB leaf over PA 0 (the only aligned PPN). */
static void test_huge_leaf(void)
{
	volatile uint64_t *root = (volatile uint64_t *)space.root;
	uint64_t old = root[384];

	puts("-- 256t leaf over the slot");
	root[384] = pg_make_pte(0, PTE_V | PTE_R | PTE_W | PTE_A | PTE_D);
	pg_fence_all();
	hidden_puts(HID + UART_BASE, "printed through the 256t leaf\n");
	run_table("256t leaf", HID);
	root[384] = old;
	pg_fence_all();
	pg_try("load after restore", pg_ld, HID + WORK);
}

void guest_main(unsigned long hartid, unsigned long dtb)
{
	unsigned long rw = PTE_R | PTE_W | PTE_A | PTE_D;

	(void)hartid;
	(void)dtb;
	pg_init();
	pg_space_init(&space, SATP_MODE_SV57);
	pg_map_identity(&space, 0);
	pg_map(&space, H_RAM, PG_RAM_BASE, PG_1G, rw);
	pg_map(&space, N_RAM, PG_RAM_BASE, PG_1G, rw);
	pg_map(&space, H_UART, UART_BASE, PG_4K, rw);
	pg_map(&space, H_AD, DATA_AD, PG_4K, PTE_R | PTE_W);
	pg_map(&space, H_RO, DATA, PG_4K, PTE_R | PTE_A);
	pg_map(&space, H_U, DATA, PG_4K, PTE_U | rw);
	pg_map(&space, H_X, DATA, PG_4K, PTE_X | PTE_A);
	pg_map(&space, H_NX, (unsigned long)exec_page, PG_4K, rw);
	pg_map(&space, H_2M, DATA_2M, PG_2M, rw);
	pg_map(&space, UALIAS, PG_RAM_BASE, PG_1G, PTE_U | PTE_R | PTE_W | PTE_X | PTE_A | PTE_D);
	printf("satp=0x%lx\n", pg_enable(&space, 0x57));

	hidden_puts(H_UART, "printed through the slot's uart mapping\n");
	printf("uart lsr through the slot: 0x%x\n", *(volatile uint8_t *)(H_UART + 5));
	run_table("identity", 0);
	run_table("slot 384 (where Trapeze lives)", HID);
	run_table("slot 385", NEXT);
	test_faults_and_ad();
	test_user();
	test_huge_leaf();
	pg_disable();
}
