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
	PATCH_FORMS,
};

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
 * PATCH_SCAN_MAX instructions. Returns the number recorded.
 */
unsigned patch_decide_scan(const uint8_t *page, unsigned off, struct patch_candidate *out,
			   unsigned max);

#endif
