/*
 * U-mode inside the guest, MMU off (satp=Bare: U may touch any memory PMP
 * allows). Ecall/ebreak from U, counter access gated by scounteren
 * (RISC-V Privileged ISA v1.12, 4.1.5 Counter-Enable Register), and the
 * privileged instructions and CSRs U-mode must not use.
 */
#include "guest.h"

PROBE(u_ecall, "li a7, 0x1234\n ecall");
PROBE(u_ebreak, "ebreak");
PROBE(u_rdcycle, "rdcycle a0");
PROBE(u_rdtime, "rdtime a0");
PROBE(u_rdinstret, "rdinstret a0");
PROBE(u_hpmcounter3, "csrr a0, hpmcounter3");
PROBE(u_read_sstatus, "csrr a0, sstatus");
PROBE(u_write_sscratch, "csrw sscratch, a0");
PROBE(u_read_satp, "csrr a0, satp");
PROBE(u_read_stvec, "csrr a0, stvec");
PROBE(u_sret, "sret");
PROBE(u_mret, "mret");
PROBE(u_wfi, "wfi");
PROBE(u_sfence, "sfence.vma");
PROBE(u_sfence_args, "sfence.vma a0, a0");
PROBE(u_load, "ld a0, 0(a0)");
PROBE(u_store, "li t0, 0x5a5a\n sd t0, 0(a0)\n li a0, 0");
PROBE(u_uart_lsr, "lbu a0, 5(a0)");
PROBE(u_fadd, "fadd.d f1, f1, f1");
PROBE(u_fmv, "fmv.d.x f2, a0\n fmv.x.d a0, f2");

static void report_u(const char *label, probe_fn fn, unsigned long arg)
{
	struct trap_record r;

	trap_expect_user(&r, fn, arg);
	trap_report(label, &r);
	if (r.taken)
		printf("%s: spp=%lu\n", label, (r.sstatus >> 8) & 1);
}

/* Counter values are never printed: "ok" or the trap. */
static void report_counter(const char *label, probe_fn fn)
{
	struct trap_record r;

	trap_expect_user(&r, fn, 0);
	if (r.taken)
		trap_report(label, &r);
	else
		printf("%s: ok\n", label);
}

static void test_counters(void)
{
	static const unsigned long en[] = { 0, 1, 2, 4, 7, 8, ~0UL };
	char label[64];

	for (unsigned i = 0; i < sizeof(en) / sizeof(en[0]); i++) {
		csr_write(scounteren, en[i]);
		printf("scounteren=0x%lx\n", en[i]);
		report_counter("  u rdcycle", u_rdcycle);
		report_counter("  u rdtime", u_rdtime);
		report_counter("  u rdinstret", u_rdinstret);
		memcpy(label, "  u hpmcounter3", 16);
		report_counter(label, u_hpmcounter3);
	}
	csr_write(scounteren, 0);
}

static volatile unsigned long shared_word = 0x1122334455667788UL;

void guest_main(unsigned long hartid, unsigned long dtb)
{
	unsigned long s;

	(void)hartid;
	(void)dtb;
	report_u("u ecall", u_ecall, 0);
	report_u("u ebreak", u_ebreak, 0);
	test_counters();
	report_u("u csrr sstatus", u_read_sstatus, 0);
	report_u("u csrw sscratch", u_write_sscratch, 0);
	report_u("u csrr satp", u_read_satp, 0);
	report_u("u csrr stvec", u_read_stvec, 0);
	report_u("u sret", u_sret, 0);
	report_u("u mret", u_mret, 0);
	report_u("u wfi", u_wfi, 0);
	report_u("u sfence.vma", u_sfence, 0);
	report_u("u sfence.vma a0,a0", u_sfence_args, 0);
	report_u("u load", u_load, (unsigned long)&shared_word);
	report_u("u store", u_store, (unsigned long)&shared_word);
	printf("u store: word now 0x%lx\n", shared_word);
	report_u("u uart lsr", u_uart_lsr, UART_BASE);

	s = csr_read(sstatus);
	csr_clear(sstatus, SSTATUS_FS);
	report_u("u fadd fs=off", u_fadd, 0);
	csr_set(sstatus, SSTATUS_FS_CLEAN);
	report_u("u fp fs=clean", u_fmv, 0x4242UL);
	printf("u fp: fs after=%lu\n", (csr_read(sstatus) >> 13) & 3);
	csr_write(sstatus, s);
}
