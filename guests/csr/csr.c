/*
 * WARL/WLRL read-back of every S-mode CSR, the six CSR instruction forms,
 * read-only CSRs, and satp mode handling (RISC-V Privileged ISA v1.12,
 * chapter 4 Supervisor-Level ISA; Unprivileged ISA 20191213, chapter 9
 * "Zicsr"). Each write is followed by a read-back and a restore in one asm
 * block, so no compiled code runs with a strange CSR value.
 */
#include "guest.h"

/* Write V to CSR, read it back, restore the old value; returns the read. */
#define CSR_WRITE_READ(csr, v) ({                                         \
	unsigned long __old, __r;                                         \
	__asm__ volatile("csrr %0, " #csr "\n\tcsrw " #csr ", %2\n\t"     \
			 "csrr %1, " #csr "\n\tcsrw " #csr ", %0"         \
			 : "=&r"(__old), "=&r"(__r)                       \
			 : "r"((unsigned long)(v)) : "memory");           \
	__r; })

#define SHOW(csr, v) \
	printf(#csr ": write=0x%lx read=0x%lx\n", (unsigned long)(v), \
	       CSR_WRITE_READ(csr, v))

static void boot_report(void)
{
	const struct boot_csrs *b = &boot_csrs;

	printf("boot: sstatus=0x%lx sie=0x%lx sip=0x%lx\n", b->sstatus, b->sie, b->sip);
	printf("boot: stvec=0x%lx sscratch=0x%lx satp=0x%lx scounteren=0x%lx\n",
	       b->stvec, b->sscratch, b->satp, b->scounteren);
	printf("boot: sepc=0x%lx scause=0x%lx stval=0x%lx\n", b->sepc, b->scause, b->stval);
}

static void sstatus_fields(const char *what, unsigned long v)
{
	printf("sstatus %s: sd=%lu uxl=%lu mxr=%lu sum=%lu xs=%lu fs=%lu vs=%lu "
	       "spp=%lu ube=%lu spie=%lu sie=%lu\n", what,
	       v >> 63, (v >> 32) & 3, (v >> 19) & 1, (v >> 18) & 1, (v >> 15) & 3,
	       (v >> 13) & 3, (v >> 9) & 3, (v >> 8) & 1, (v >> 6) & 1,
	       (v >> 5) & 1, (v >> 1) & 1);
}

static void test_sstatus(void)
{
	static const unsigned long pat[] = {
		SSTATUS_SPP, SSTATUS_SPIE, SSTATUS_SUM | SSTATUS_MXR,
		SSTATUS_FS_INITIAL, SSTATUS_FS_CLEAN, SSTATUS_FS_DIRTY,
		SSTATUS_VS, SSTATUS_XS, SSTATUS_UXL, SSTATUS_SD, SSTATUS_UBE,
		0x5555555555555555UL, 0xaaaaaaaaaaaaaaaaUL,
	};
	unsigned long r;

	/* sie=0 keeps the SIE=1 moments of these writes interrupt-free. */
	csr_write(sie, 0);
	r = CSR_WRITE_READ(sstatus, ~0UL);
	printf("sstatus: write=0x%lx read=0x%lx\n", ~0UL, r);
	sstatus_fields("ones", r);
	r = CSR_WRITE_READ(sstatus, 0);
	printf("sstatus: write=0x0 read=0x%lx\n", r);
	sstatus_fields("zero", r);
	for (unsigned i = 0; i < sizeof(pat) / sizeof(pat[0]); i++)
		SHOW(sstatus, pat[i]);
}

static void test_interrupt_regs(void)
{
	SHOW(sie, ~0UL);
	SHOW(sie, SIE_SSIE | SIE_STIE | SIE_SEIE);
	SHOW(sie, 0);
	/*
	 * 4.1.3: only SSIP is writable from S-mode; STIP/SEIP are read-only.
	 * STIP follows the timer, which is the interrupts guest's business.
	 */
	printf("sip: write=0x%lx read=0x%lx\n", ~0UL, CSR_WRITE_READ(sip, ~0UL) & ~SIP_STIP);
	printf("sip: write=0x%lx read=0x%lx\n", SIP_SSIP, CSR_WRITE_READ(sip, SIP_SSIP) & ~SIP_STIP);
	printf("sip: write=0x0 read=0x%lx\n", CSR_WRITE_READ(sip, 0) & ~SIP_STIP);
}

static void test_stvec(void)
{
	static const unsigned long val[] = {
		0x80201000UL, 0x80201001UL, 0x80201002UL, 0x80201003UL,
		0x80201004UL, 0x80201005UL, 0x80201105UL, 0xfffffffffffffffcUL,
		0xfffffffffffffffdUL, ~0UL, 0,
	};

	/* Nothing traps inside CSR_WRITE_READ, so a bogus stvec is harmless. */
	for (unsigned i = 0; i < sizeof(val) / sizeof(val[0]); i++)
		SHOW(stvec, val[i]);
}

static void test_plain_regs(void)
{
	SHOW(sscratch, ~0UL);
	SHOW(sscratch, 0x123456789abcdef0UL);
	SHOW(sscratch, 0);
	/* 4.1.7: sepc[0] is always zero; with C (IALIGN=16) sepc[1] is kept. */
	SHOW(sepc, ~0UL);
	SHOW(sepc, 0x80200003UL);
	SHOW(sepc, 0x80200002UL);
	SHOW(sepc, 1);
	/* 4.1.8 scause is WLRL: we print what the implementation keeps. */
	SHOW(scause, ~0UL);
	SHOW(scause, 0x8000000000000005UL);
	SHOW(scause, 0x8000000000000000UL);
	SHOW(scause, 0x3ffUL);
	SHOW(scause, 0x1fUL);
	SHOW(scause, 0x7fffffffffffffffUL);
	SHOW(stval, ~0UL);
	SHOW(stval, 0x123UL);
	SHOW(scounteren, ~0UL);
	SHOW(scounteren, 0x5UL);
	SHOW(scounteren, 0);
}

PROBE(probe_read_senvcfg, "csrr a0, senvcfg");
PROBE(probe_read_stimecmp, "csrr a0, stimecmp");
PROBE(probe_read_time, "csrr a0, time");
PROBE(probe_read_cycle, "csrr a0, cycle");
PROBE(probe_read_instret, "csrr a0, instret");

static void test_optional_regs(void)
{
	struct trap_record r;

	if (trap_expect(&r, probe_read_senvcfg, 0)) {
		trap_report("senvcfg read", &r);
	} else {
		puts("senvcfg: present");
		SHOW(senvcfg, ~0UL);
		SHOW(senvcfg, 0);
	}
	if (trap_expect(&r, probe_read_stimecmp, 0)) {
		trap_report("stimecmp read", &r);
	} else {
		puts("stimecmp: present");
		SHOW(stimecmp, ~0UL);
		SHOW(stimecmp, 0x123456789UL);
	}
	/* Counter values are never printed, only whether they read. */
	trap_expect(&r, probe_read_time, 0);
	printf("time: %s\n", r.taken ? "trap" : "reads");
	trap_expect(&r, probe_read_cycle, 0);
	printf("cycle: %s\n", r.taken ? "trap" : "reads");
	trap_expect(&r, probe_read_instret, 0);
	printf("instret: %s\n", r.taken ? "trap" : "reads");
}

/* Zicsr: the six forms and their rd=x0 / rs1=x0 / uimm=0 variants. */
static void test_csr_forms(void)
{
	unsigned long old, v = 0x0f;

	csr_write(sscratch, 0xf0);
	__asm__ volatile("csrrw %0, sscratch, %1" : "=r"(old) : "r"(v));
	printf("csrrw: old=0x%lx new=0x%lx\n", old, csr_read(sscratch));
	v = 0xf0;
	__asm__ volatile("csrrs %0, sscratch, %1" : "=r"(old) : "r"(v));
	printf("csrrs: old=0x%lx new=0x%lx\n", old, csr_read(sscratch));
	v = 0x0f;
	__asm__ volatile("csrrc %0, sscratch, %1" : "=r"(old) : "r"(v));
	printf("csrrc: old=0x%lx new=0x%lx\n", old, csr_read(sscratch));
	__asm__ volatile("csrrwi %0, sscratch, 0x15" : "=r"(old));
	printf("csrrwi: old=0x%lx new=0x%lx\n", old, csr_read(sscratch));
	__asm__ volatile("csrrsi %0, sscratch, 0x0a" : "=r"(old));
	printf("csrrsi: old=0x%lx new=0x%lx\n", old, csr_read(sscratch));
	__asm__ volatile("csrrci %0, sscratch, 0x03" : "=r"(old));
	printf("csrrci: old=0x%lx new=0x%lx\n", old, csr_read(sscratch));
	__asm__ volatile("csrrs %0, sscratch, x0" : "=r"(old));
	printf("csrrs rs1=x0: old=0x%lx new=0x%lx\n", old, csr_read(sscratch));
	__asm__ volatile("csrrc %0, sscratch, x0" : "=r"(old));
	printf("csrrc rs1=x0: old=0x%lx new=0x%lx\n", old, csr_read(sscratch));
	__asm__ volatile("csrrsi %0, sscratch, 0" : "=r"(old));
	printf("csrrsi uimm=0: old=0x%lx new=0x%lx\n", old, csr_read(sscratch));
	__asm__ volatile("csrrci %0, sscratch, 0" : "=r"(old));
	printf("csrrci uimm=0: old=0x%lx new=0x%lx\n", old, csr_read(sscratch));
	v = 0x1234;
	__asm__ volatile("csrrw x0, sscratch, %0" :: "r"(v));
	printf("csrrw rd=x0: new=0x%lx\n", csr_read(sscratch));
	__asm__ volatile("csrrwi x0, sscratch, 0x1f");
	printf("csrrwi rd=x0: new=0x%lx\n", csr_read(sscratch));
	__asm__ volatile("csrrs x0, sscratch, %0" :: "r"(0x100UL));
	printf("csrrs rd=x0: new=0x%lx\n", csr_read(sscratch));
	__asm__ volatile("csrrc x0, sscratch, %0" :: "r"(0x10UL));
	printf("csrrc rd=x0: new=0x%lx\n", csr_read(sscratch));
	csr_write(sscratch, 0);
}

/*
 * Zicsr 9.1: CSRRS/CSRRC with rs1=x0 and CSRRSI/CSRRCI with uimm=0 do not
 * write, so they may name a read-only CSR; with rs1!=x0 they do attempt a
 * write (even of a zero value) and a read-only CSR raises illegal
 * instruction. CSRRW/CSRRWI always write.
 */
PROBE(ro_csrrs_x0, "csrrs a0, cycle, x0");
PROBE(ro_csrrc_x0, "csrrc a0, time, x0");
PROBE(ro_csrrsi_0, "csrrsi a0, cycle, 0");
PROBE(ro_csrrci_0, "csrrci a0, instret, 0");
PROBE(ro_csrrs_zero_reg, "li a1, 0\n csrrs a0, cycle, a1");
PROBE(ro_csrrc_zero_reg, "li a1, 0\n csrrc a0, time, a1");
PROBE(ro_csrrsi_1, "csrrsi a0, cycle, 1");
PROBE(ro_csrrwi_time, "csrrwi a0, time, 0");
PROBE(ro_csrw_cycle, "csrw cycle, a0");
PROBE(ro_csrw_time, "csrw time, a0");
PROBE(ro_csrw_instret, "csrw instret, a0");
PROBE(ro_csrrw_x0_cycle, "csrrw x0, cycle, x0");

static void test_read_only(void)
{
	static const struct { const char *name; probe_fn fn; } t[] = {
		{ "csrrs a0,cycle,x0", ro_csrrs_x0 },
		{ "csrrc a0,time,x0", ro_csrrc_x0 },
		{ "csrrsi a0,cycle,0", ro_csrrsi_0 },
		{ "csrrci a0,instret,0", ro_csrrci_0 },
		{ "csrrs a0,cycle,a1=0", ro_csrrs_zero_reg },
		{ "csrrc a0,time,a1=0", ro_csrrc_zero_reg },
		{ "csrrsi a0,cycle,1", ro_csrrsi_1 },
		{ "csrrwi a0,time,0", ro_csrrwi_time },
		{ "csrw cycle", ro_csrw_cycle },
		{ "csrw time", ro_csrw_time },
		{ "csrw instret", ro_csrw_instret },
		{ "csrrw x0,cycle,x0", ro_csrrw_x0_cycle },
	};
	struct trap_record r;
	char label[48];

	for (unsigned i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		trap_expect(&r, t[i].fn, 0);
		/* The value read is a counter: print only whether it trapped. */
		if (r.taken) {
			trap_report(t[i].name, &r);
		} else {
			memcpy(label, t[i].name, strlen(t[i].name) + 1);
			printf("%s: ok\n", label);
		}
	}
}

static unsigned long satp_write_read(unsigned long v)
{
	unsigned long r;

	/*
	 * With a valid mode this turns translation on: the tables below map
	 * this code identically, and Bare is back before any other code runs.
	 */
	__asm__ volatile("csrw satp, %1\n\tsfence.vma\n\tcsrr %0, satp\n\t"
			 "csrw satp, zero\n\tsfence.vma"
			 : "=&r"(r) : "r"(v) : "memory");
	return r;
}

/* 4.4.1 Sv39: a 1 GiB leaf at VPN[2]=2 (RAM) and one at 0 (the UART). */
#define PTE_V (1UL << 0)
#define PTE_R (1UL << 1)
#define PTE_W (1UL << 2)
#define PTE_X (1UL << 3)
#define PTE_A (1UL << 6)
#define PTE_D (1UL << 7)
#define PTE_PPN(pa) (((unsigned long)(pa) >> 12) << 10)
static uint64_t pt39[512] __attribute__((aligned(4096)));
static uint64_t pt48[512] __attribute__((aligned(4096)));
static uint64_t pt57[512] __attribute__((aligned(4096)));

static void test_satp(void)
{
	unsigned long ppn = (unsigned long)pt39 >> 12;
	unsigned long m;

	SHOW(satp, 0);
	printf("satp bare+ppn: write=0x%lx read=0x%lx\n", 0x12345UL,
	       satp_write_read(0x12345UL));
	/* 4.1.11: a write of an unsupported MODE has no effect at all. */
	for (m = 1; m < 16; m++) {
		if (m >= SATP_MODE_SV39 && m <= SATP_MODE_SV57)
			continue;
		printf("satp mode %lu: read=0x%lx\n", m,
		       satp_write_read((m << SATP_MODE_SHIFT) | (0xffffUL << SATP_ASID_SHIFT) | 0x12345UL));
	}

	pt39[0] = PTE_PPN(0x00000000UL) | PTE_V | PTE_R | PTE_W | PTE_A | PTE_D;
	pt39[2] = PTE_PPN(0x80000000UL) | PTE_V | PTE_R | PTE_W | PTE_X | PTE_A | PTE_D;
	pt48[0] = PTE_PPN(pt39) | PTE_V;
	pt57[0] = PTE_PPN(pt48) | PTE_V;
	__asm__ volatile("sfence.vma" ::: "memory");
	/* Print the read-back relative to the root we wrote (addresses vary). */
	m = satp_write_read((SATP_MODE_SV39 << SATP_MODE_SHIFT) | ppn);
	printf("satp sv39: mode=%lu asid=0x%lx ppn=root+%ld\n", m >> 60,
	       (m >> 44) & 0xffff, (long)((m & 0xfffffffffffUL) - ppn));
	m = satp_write_read((SATP_MODE_SV39 << SATP_MODE_SHIFT) | (0xffffUL << SATP_ASID_SHIFT) | ppn);
	printf("satp sv39 asid ones: mode=%lu asid=0x%lx ppn=root+%ld\n", m >> 60,
	       (m >> 44) & 0xffff, (long)((m & 0xfffffffffffUL) - ppn));
	ppn = (unsigned long)pt48 >> 12;
	m = satp_write_read((SATP_MODE_SV48 << SATP_MODE_SHIFT) | ppn);
	printf("satp sv48: mode=%lu asid=0x%lx ppn=root+%ld\n", m >> 60,
	       (m >> 44) & 0xffff, (long)((m & 0xfffffffffffUL) - ppn));
	ppn = (unsigned long)pt57 >> 12;
	m = satp_write_read((SATP_MODE_SV57 << SATP_MODE_SHIFT) | ppn);
	printf("satp sv57: mode=%lu asid=0x%lx ppn=root+%ld\n", m >> 60,
	       (m >> 44) & 0xffff, (long)((m & 0xfffffffffffUL) - ppn));
	printf("satp after: 0x%lx\n", csr_read(satp));
}

void guest_main(unsigned long hartid, unsigned long dtb)
{
	(void)hartid;
	(void)dtb;
	boot_report();
	test_sstatus();
	test_interrupt_regs();
	test_stvec();
	test_plain_regs();
	test_optional_regs();
	test_csr_forms();
	test_read_only();
	test_satp();
}
