/*
 * Runtime shared by the bare-metal test guests (guests/<mechanism>/).
 *
 * A guest defines guest_main(); start.S enters it in S-mode with the MMU off,
 * a stack, a cleared bss and stvec pointing at trap_entry, and calls
 * guest_done() when it returns. Output goes only to the ns16550 UART by MMIO.
 *
 * Output rules (the system tests compare bare QEMU with Trapeze line by
 * line): every line is deterministic; lines that may legitimately differ
 * start with "info: " or "bench: "; lines about hypervisor-extension
 * behaviour start with "hext: ".
 */
#ifndef GUEST_H
#define GUEST_H

#include <stddef.h>
#include <stdint.h>
#include "csr.h"

/* ---- entry (start.S) -------------------------------------------------- */
void guest_main(unsigned long hartid, unsigned long dtb);

/* S-mode CSRs as found at entry, before the runtime touched any of them. */
struct boot_csrs {
	unsigned long sstatus, sie, sip, stvec, sscratch, satp, scounteren;
	unsigned long sepc, scause, stval;
};
extern struct boot_csrs boot_csrs;
extern unsigned long boot_hartid, boot_dtb;
extern char __image_end[];

/* ---- console (uart.c, printf.c) -------------------------------------- */
#define UART_BASE 0x10000000UL
void uart_put_char(char c);
int puts(const char *s);                    /* appends a newline */
int printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* ---- SBI (sbi.c) ------------------------------------------------------- */
/* SBI v2.0, Binary Encoding: error in a0, value in a1. */
struct sbiret {
	long error;
	long value;
};
#define SBI_EXT_BASE    0x10
#define SBI_EXT_TIME    0x54494D45
#define SBI_EXT_IPI     0x735049
#define SBI_EXT_RFENCE  0x52464E43
#define SBI_EXT_HSM     0x48534D
#define SBI_EXT_SRST    0x53525354
#define SBI_EXT_DBCN    0x4442434E
#define SBI_EXT_LEGACY_SET_TIMER  0x0
#define SBI_EXT_LEGACY_PUTCHAR    0x1
#define SBI_EXT_LEGACY_GETCHAR    0x2
#define SBI_EXT_LEGACY_SHUTDOWN   0x8
#define SBI_BASE_PROBE_EXT 3

#define SBI_SUCCESS                0
#define SBI_ERR_FAILED            -1
#define SBI_ERR_NOT_SUPPORTED     -2
#define SBI_ERR_INVALID_PARAM     -3
#define SBI_ERR_DENIED            -4
#define SBI_ERR_INVALID_ADDRESS   -5
#define SBI_ERR_ALREADY_AVAILABLE -6

struct sbiret sbi_call(unsigned long eid, unsigned long fid,
		       unsigned long a0, unsigned long a1, unsigned long a2,
		       unsigned long a3, unsigned long a4, unsigned long a5);
long sbi_legacy_call(unsigned long eid, unsigned long a0);
struct sbiret sbi_set_timer(uint64_t stime);
struct sbiret sbi_send_ipi(unsigned long hart_mask, unsigned long hart_mask_base);
void guest_done(void) __attribute__((noreturn));   /* prints "done", shuts down */
void guest_fail(void) __attribute__((noreturn));   /* shuts down, reason failure */

/* ---- traps (trap.c, start.S) ----------------------------------------- */
/* Laid out by trap_entry (start.S): x0..x31, then the trap CSRs. */
struct trap_frame {
	unsigned long regs[32];         /* regs[2] is the sp before the trap */
	unsigned long sepc, sstatus, scause, stval;
};
#define REG_RA 1
#define REG_SP 2
#define REG_A0 10
#define REG_A1 11
#define REG_A7 17

/*
 * One expected exception. trap_expect() arms it, runs fn(arg) and disarms:
 * the first exception while armed is recorded and execution resumes after
 * the faulting instruction (or, for an instruction fetch fault, at the
 * caller's ra). Returns 1 when a trap was taken, 0 otherwise.
 */
typedef unsigned long (*probe_fn)(unsigned long);
struct trap_record {
	int taken;                      /* number of exceptions while armed */
	unsigned long cause, tval, epc, sstatus;
	unsigned long fn;               /* entry of the probed function */
	unsigned long ret;              /* what fn returned */
};
int trap_expect(struct trap_record *r, probe_fn fn, unsigned long arg);
int trap_expect_user(struct trap_record *r, probe_fn fn, unsigned long arg);
/* "LABEL: trap scause=.. stval=.. sepc=fn+N" or "LABEL: ok value=..". */
void trap_report(const char *label, const struct trap_record *r);

/*
 * Hooks a test may set. An interrupt with no hook, or an exception nobody
 * expects, prints "unexpected trap ..." and shuts down with failure.
 * trap_exc_hook returns nonzero when it handled the exception.
 */
extern void (*trap_irq_hook)(struct trap_frame *f);
extern int (*trap_exc_hook)(struct trap_frame *f);
void trap_entry(void);                          /* the vector, direct mode */
void trap_handle(struct trap_frame *f);         /* called by trap_entry */
unsigned long insn_length_at(unsigned long pc); /* 2 or 4 */

/*
 * Runs fn(arg) in U-mode (sstatus.SPP=0, SPIE=0, own stack) and returns its
 * result. U code gets back to S-mode by an ecall with a7 = UMODE_EXIT_EID,
 * which the runtime places as fn's return address.
 */
#define UMODE_EXIT_EID 0x55455849UL
unsigned long umode_run(probe_fn fn, unsigned long arg);
void umode_resume(unsigned long ret) __attribute__((noreturn));

/*
 * Declares `unsigned long NAME(unsigned long a0)`, a leaf function whose body
 * is INSN (asm text, a0 in and out) followed by ret. A trap in INSN then
 * shows sepc == NAME + 0. Kept uncompressed unless INSN says otherwise.
 */
#define PROBE(name, insn)                                               \
	unsigned long name(unsigned long);                              \
	__asm__(".pushsection .text." #name ",\"ax\",@progbits\n"       \
		".globl " #name "\n.type " #name ",@function\n"         \
		".balign 4\n" #name ":\n"                               \
		".option push\n.option norvc\n"                         \
		insn "\n"                                               \
		"ret\n.option pop\n"                                    \
		".size " #name ", . - " #name "\n.popsection\n")

/* ---- misc (lib.c, fdt.c) ----------------------------------------------- */
void *memset(void *d, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n);
size_t strlen(const char *s);
static inline uint64_t time_now(void) { return csr_read(time); }
void delay_ticks(uint64_t ticks);
/* Reads /memory's first reg range; 0 on success. */
int fdt_read_memory(unsigned long dtb, uint64_t *base, uint64_t *size);
uint32_t fdt_read_be32(const void *p);
/* Prints every node directly under a child of the root whose name starts
 * with NAME_PREFIX ("virtio_mmio@"), in tree order: "dt: node NAME", then
 * each property ("compatible" and "status" as strings, interrupt-parent,
 * a phandle whose value depends on the tree's builder, by presence only,
 * the rest as 32-bit cells), "dt: end" after each node if PRINT_END, and
 * finally "dt: N WHAT nodes". For comparing a VM's tree with bare QEMU's. */
void fdt_print_nodes(unsigned long dtb, const char *name_prefix, const char *what, int print_end);
#define FDT_MAGIC 0xd00dfeedU

#endif
