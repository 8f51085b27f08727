/*
 * The patcher's decisions (trap engine, issue 11), pure: which guest
 * instructions may be patched and with what, and which further
 * instructions a discovered site leads to. No CSRs, no memory but the
 * bytes handed in, so unit tests and a fuzz target run it on the host.
 *
 * Only instructions reached by execution are candidates: the one that
 * trapped, and those decoded along the straight-line path that follows
 * it in the same page (RISC-V code mixes 16- and 32-bit instructions, so
 * bytes are decoded only from an instruction boundary known to be code,
 * and the path ends at anything that may not fall through: a jump, a
 * branch, a trap-raising instruction, an undecodable parcel).
 */
#ifndef ARCH_RISCV_PATCH_DECIDE_H
#define ARCH_RISCV_PATCH_DECIDE_H

#include <stdbool.h>
#include <stdint.h>

#define PATCH_PAGE_SIZE     4096u
#define PATCH_SCAN_MAX      64u     /* instructions decoded along one path */

/* RISC-V Unprivileged ISA 20191213, "EBREAK" and "C.EBREAK". */
#define PATCH_EBREAK        0x00100073u
#define PATCH_C_EBREAK      0x9002u

enum patch_form {
	PATCH_FORM_NONE = 0,    /* not a site: leave it alone */
	PATCH_FORM_EBREAK,      /* 4-byte EBREAK in place of the instruction */
	PATCH_FORM_C_EBREAK,    /* 2-byte C.EBREAK: the site is at 2 mod 4 (or straddles the page end) */
	PATCH_FORM_X0_LOAD,     /* `ld rd, off(x0)`: a plain CSR read served from the x0 page, no trap */
	PATCH_FORM_X0_STORE,    /* `sd rs, off(x0)`: a plain CSR write into the x0 page, no trap */
	PATCH_FORMS,
};

/*
 * The x0 page: the one place a 4-byte instruction with no free register
 * can reach is a load or store with base x0, whose 12-bit signed offset
 * names virtual addresses [-2048, 2047] (Unprivileged ISA 20191213, 2.6
 * "Load and Store Instructions"). Trapeze keeps the vCPU's sscratch,
 * sepc, scause and stval at the top page's second half, offsets -2048,
 * -2040, -2032 and -2024 from 0 (in this order: enum patch_x0_slot), and
 * maps that page at PATCH_X0_VA in the virtual-S views while the guest
 * does not map the page itself.
 */
#define PATCH_X0_VA         0xfffffffffffff000ull
#define PATCH_X0_OFF0       (-2048)
enum patch_x0_slot {
	PATCH_X0_SSCRATCH,
	PATCH_X0_SEPC,
	PATCH_X0_SCAUSE,
	PATCH_X0_STVAL,
	PATCH_X0_SLOTS,
};
/* What the x0 form may serve in a VM, a bit per slot: reads (loads) of
 * slot i with PATCH_X0_READ(i), writes (stores) with PATCH_X0_WRITE(i).
 * A write is served only where the real CSR keeps every value written
 * (probed at boot): a store cannot legalise. 0 = the form is off. */
#define PATCH_X0_READ(i)    (1u << (i))
#define PATCH_X0_WRITE(i)   (1u << (PATCH_X0_SLOTS + (i)))
#define PATCH_X0_READS      ((1u << PATCH_X0_SLOTS) - 1)

/*
 * Whether the 4-byte instruction raw, at byte offset off of its page, is a
 * patch site and the form it takes: a CSR instruction on an S-level CSR
 * (Privileged ISA v1.12, 2.2 "CSR Listing": bits 9:8 = 01), SRET,
 * SFENCE.VMA or WFI, which virtual S-mode must have emulated; anything
 * else, compressed forms included, PATCH_FORM_NONE. A site at 4-byte
 * alignment takes EBREAK (one aligned 32-bit store writes it); one at 2
 * mod 4, whose 4 bytes may even run past the page end, takes C.EBREAK in
 * its first half (one 16-bit store; the second half stays original and is
 * never executed): a hart fetching the site while it is written sees the
 * old instruction or the breakpoint, never a mix of both.
 */
enum patch_form patch_decide_form(uint32_t raw, unsigned off);

/*
 * The form with the x0 page allowed as x0 says (PATCH_X0_READ/WRITE):
 * a plain read of sscratch, sepc, scause or stval into a register other
 * than x0 (CSRRS/CSRRC with rs1 = x0, CSRRSI/CSRRCI with uimm 0: Zicsr
 * reads without writing), or a plain write (CSRRW with rd = x0, CSRRWI
 * with rd = x0 and uimm 0), at a 4-aligned offset, takes
 * PATCH_FORM_X0_LOAD or PATCH_FORM_X0_STORE; anything else what
 * patch_decide_form says.
 */
enum patch_form patch_decide_form_x0(uint32_t raw, unsigned off, unsigned x0);

/* The instruction an x0-form site holds in place of raw (a form
 * patch_decide_form_x0 chose for it): the load or store of its slot. */
uint32_t patch_x0_insn(uint32_t raw, enum patch_form form);

/* The slot of the CSR numbered csr, or PATCH_X0_SLOTS. */
unsigned patch_x0_slot(unsigned csr);

/* Whether the instruction raw (len 2 or 4) always falls through to the
 * next one when it completes: not a jump, branch, ECALL, EBREAK, xRET,
 * or an encoding that is illegal on every RISC-V CPU (all-zero parcel). */
bool patch_decide_falls_through(uint32_t raw, unsigned len);

struct patch_candidate {
	uint16_t off;               /* byte offset of the site in the page */
	uint8_t form;               /* enum patch_form */
	uint32_t raw;               /* the original instruction */
};

/*
 * Walks the straight-line path that starts at byte offset off of page (a
 * PATCH_PAGE_SIZE copy of a code page, off an instruction boundary known
 * to be reached) and records up to max sites in out. The walk stops at
 * the first instruction that does not fall through, at a site that
 * straddles the page end (recorded), at the page end, or after
 * PATCH_SCAN_MAX instructions. Forms as patch_decide_form_x0 gives them
 * with x0. Returns the number recorded.
 */
unsigned patch_decide_scan(const uint8_t *page, unsigned off, unsigned x0,
			   struct patch_candidate *out, unsigned max);

#endif
