/*
 * The virtualizability audit guest: runs every CSR number with every CSR
 * instruction form, and every SYSTEM instruction (plus the FP, vector and
 * cache-block instructions whose legality hangs on a control), in S-mode
 * and in U-mode, and prints what trapped. `trapeze audit` classifies it
 * (tools/launcher/audit.c).
 *
 * Output, one line per result, ranges of CSRs with equal results merged:
 *
 *   KIND ID FORMS COND MODE RESULT [fx=EFFECT]
 *
 *   KIND   csr | insn
 *   ID     0xNNN or 0xNNN-0xMMM (csr), a mnemonic (insn)
 *   FORMS  csr: comma-separated forms from csr_forms[] (csrs.c), or * for
 *          all twelve; insn: an operand form (all, va, asid, va+asid) or -
 *   COND   - (the base state, every control in its trapping position) or
 *          the one control changed: cen=1, fs=on, vs=on, env=1, hu=1 (or
 *          their off positions for the instruction probes)
 *   MODE   S | U
 *   RESULT ok | emu (no trap seen, but run by a more privileged layer: the
 *          M-mode firmware on bare QEMU, the hypervisor too under one; told
 *          by timing) | trap=CAUSE (scause, decimal: 2 illegal
 *          instruction, 22 virtual instruction, 8 ecall from U, ...)
 *   fx=    a side effect on S-mode state seen after a U- or S-mode probe
 *          that did not trap (fs-dirty, vs-dirty)
 *
 * Lines starting "audit: " describe the run (controls, special cases);
 * "audit: end" closes a complete run.
 */
#ifndef AUDIT_H
#define AUDIT_H

#include "guest.h"

/* A probe's outcome: a trap cause (>= 0) or one of these. */
#define OUT_OK          (-1)
#define OUT_EMU         (-2)

enum probe_mode { MODE_S, MODE_U };

/* Registers used by the generated programs. */
#define REG_X0  0
#define REG_A2  12
#define REG_A3  13

/* Unprivileged ISA 20191213, 9.1 CSR Instructions: funct3 of each form. */
#define F3_CSRRW        1
#define F3_CSRRS        2
#define F3_CSRRC        3
#define F3_CSRRWI       5
#define F3_CSRRSI       6
#define F3_CSRRCI       7

/*
 * probe.c: one program at a time in a page of RAM, run in S-mode or
 * U-mode. A program is a prologue (a0..a3 loaded from the argument block),
 * a body, and `ret`; the first exception in it is recorded and resumes at
 * the `ret`, so the rest of the body (a restore) only runs when the
 * instruction under test did not trap.
 */
struct probe_args {
	unsigned long a0, a1, a2, a3;
};
void probe_init(void);
void probe_begin(void);
void probe_emit(uint32_t insn);
/* Runs the program; returns OUT_OK or the cause; *ret gets a0. */
int probe_run(enum probe_mode m, const struct probe_args *args, unsigned long *ret);
/* time ticks one run of the program took, best of a few. */
uint64_t probe_time(enum probe_mode m, const struct probe_args *args);
/* Address of the program's n-th word (for an SRET landing pad). */
unsigned long probe_word_addr(unsigned n);

uint32_t enc_csr(unsigned funct3, unsigned rd, unsigned rs1, unsigned csr);

/* S-mode CSR access that may trap: 0 on success. */
int probe_csr_read(unsigned csr, unsigned long *val);
int probe_csr_write(unsigned csr, unsigned long val);

void print_result(int out);

/* csrs.c: CSRs LO..HI, every form, S then U; COND labels the lines. */
void csr_sweep(unsigned lo, unsigned hi, const char *cond);

/* insns.c */
void insn_sweep(void);

/* controls.c: the controls a result may depend on. */
enum control_id { CTL_NONE, CTL_CEN, CTL_FS, CTL_VS, CTL_ENV, CTL_HU, CTL_COUNT };
void control_init(void);
/* Sets control ID to its trapping (on = 0) or permissive (on = 1) position;
 * returns 0 if the CPU took it. */
int control_set(enum control_id id, int on);
const char *control_label(enum control_id id, int on);
/* Whether the permissive position exists on this CPU. */
int control_available(enum control_id id);
/* Every control back to its trapping position. */
void control_base(void);

#endif
