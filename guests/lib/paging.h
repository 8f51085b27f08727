/*
 * Paging helpers for the test guests that turn on their own MMU
 * (guests/paging_*): a bump allocator for table pages, a table builder for
 * Sv39/Sv48/Sv57 with leaves at any level, probes, and a U-mode runner that
 * works with paging on.
 *
 * Physical layout the paging guests share (RAM 0x80000000-0x84000000):
 *   0x80200000 ..  the guest image, then its page tables (pg_alloc) up to
 *                  PG_POOL_END;
 *   PG_DATA_BASE.. scratch pages the tests map and read back (2 MiB-aligned
 *                  start, so it can back a 2 MiB leaf), up to PG_DATA_END.
 * Everything above PG_DATA_END (the DTB) is left alone.
 *
 * U-mode with paging on: the runtime's umode_run and trap_entry share one
 * stack between U and S, which a U page cannot be for S (SUM = 0). pg_init
 * installs pg_trap_entry, which moves to the kernel stack through sscratch
 * (0 while in S), and pg_user_run enters U with a stack, entry and return
 * address the caller has mapped U.
 */
#ifndef GUEST_PAGING_H
#define GUEST_PAGING_H

#include "guest.h"

/* RISC-V Privileged ISA v1.12, 4.3.1 Addressing and Memory Protection. */
#define PTE_V   (1UL << 0)
#define PTE_R   (1UL << 1)
#define PTE_W   (1UL << 2)
#define PTE_X   (1UL << 3)
#define PTE_U   (1UL << 4)
#define PTE_G   (1UL << 5)
#define PTE_A   (1UL << 6)
#define PTE_D   (1UL << 7)
#define PTE_PPN_SHIFT 10
#define PG_SHIFT      12
#define PG_SIZE       (1UL << PG_SHIFT)
#define PG_LEVEL_BITS 9

/* Leaf levels: 0 = 4 KiB, 1 = 2 MiB, 2 = 1 GiB, 3 = 512 GiB, 4 = 256 TiB. */
#define PG_4K   0
#define PG_2M   1
#define PG_1G   2
#define PG_512G 3
#define PG_256T 4
static inline unsigned long pg_level_size(unsigned level)
{
	return 1UL << (PG_SHIFT + PG_LEVEL_BITS * level);
}

#define PG_RAM_BASE   0x80000000UL
#define PG_RAM_SIZE   (64UL << 20)
#define PG_POOL_END   0x80400000UL
#define PG_DATA_BASE  0x80400000UL
#define PG_DATA_END   0x83800000UL

/* One address space: its mode (SATP_MODE_SV39/48/57) and root (a PA). */
struct pg_space {
	unsigned long mode;
	unsigned levels;
	unsigned long root;
};

/* Installs pg_trap_entry and the U-mode hook, empties the table pool. */
void pg_init(void);
/* Empties the table pool (paging must be off, or about to be rebuilt). */
void pg_pool_reset(void);
/* A zeroed 4 KiB page from the pool; stops the guest when it is empty. */
unsigned long pg_alloc(void);

void pg_space_init(struct pg_space *s, unsigned long mode);
/*
 * Maps va to pa with a leaf at `level` carrying `flags` (V is added),
 * creating the missing tables above it (pointers: V only). Returns the leaf
 * PTE. va and pa are used as given: misaligned ones are the caller's test.
 */
uint64_t *pg_map(struct pg_space *s, unsigned long va, unsigned long pa,
		 unsigned level, unsigned long flags);
/* The PTE at `level` on the walk of va, or NULL when a table above is
 * missing or a larger leaf maps va. */
uint64_t *pg_pte(struct pg_space *s, unsigned long va, unsigned level);
/* RAM as one 1 GiB leaf at PG_RAM_BASE (RWX, A and D set) and the UART page
 * (RW, A and D set); `extra` is or-ed into both (e.g. PTE_G). */
void pg_map_identity(struct pg_space *s, unsigned long extra);
static inline unsigned long pg_make_pte(unsigned long pa, unsigned long flags)
{
	return ((pa >> PG_SHIFT) << PTE_PPN_SHIFT) | flags;
}
static inline unsigned long pg_pte_pa(uint64_t pte)
{
	return ((pte >> PTE_PPN_SHIFT) & ((1UL << 44) - 1)) << PG_SHIFT;
}

unsigned long pg_satp(const struct pg_space *s, unsigned long asid);
/* csrw satp then sfence.vma x0, x0; returns what satp reads back. */
unsigned long pg_enable(const struct pg_space *s, unsigned long asid);
void pg_disable(void);
static inline void pg_fence_all(void) { __asm__ volatile("sfence.vma" ::: "memory"); }
static inline void pg_fence_va(unsigned long va)
{
	__asm__ volatile("sfence.vma %0, zero" :: "r"(va) : "memory");
}
static inline void pg_fence_asid(unsigned long asid)
{
	__asm__ volatile("sfence.vma zero, %0" :: "r"(asid) : "memory");
}
static inline void pg_fence_va_asid(unsigned long va, unsigned long asid)
{
	__asm__ volatile("sfence.vma %0, %1" :: "r"(va), "r"(asid) : "memory");
}

/* Probes (uncompressed, so a U-mode fault is stepped over by 4). */
unsigned long pg_ld(unsigned long va);          /* ld a0, 0(a0) */
unsigned long pg_sd(unsigned long va);          /* sd a0, 0(a0): stores its own address */
unsigned long pg_amo(unsigned long va);         /* amoadd.d a0, a0, (a0) */
unsigned long pg_lbu(unsigned long va);         /* lbu a0, 0(a0) */
unsigned long pg_sdv(unsigned long va);         /* stores pg_store_value */
extern unsigned long pg_store_value;
/* A load / store expected to work: a trap prints "LABEL: trap ..." (and
 * pg_read returns ~0), so a wrong fault shows up as a line, not a crash. */
unsigned long pg_read(const char *label, unsigned long va);
void pg_write(const char *label, unsigned long va, unsigned long value);
/* Runs the probe, prints trap_report's line under LABEL. */
void pg_try(const char *label, probe_fn fn, unsigned long arg);
/* Calls the code at va (a fetch test) and prints the line. */
void pg_try_exec(const char *label, unsigned long va);
/* 1 when the probe ran without a trap; *value gets its result. */
int pg_probe_ok(probe_fn fn, unsigned long arg, unsigned long *value);

/*
 * A code page: `li a0, 0x600d; ret` at its start, the rest zero. Defined by
 * PG_EXEC_PAGE() in the guest that maps it (kept out of the library so the
 * other guests' images do not carry the 4 KiB).
 */
#define PG_EXEC_VALUE 0x600d
#define PG_EXEC_PAGE(name)                                              \
	extern char name[];                                             \
	__asm__(".pushsection .text." #name ",\"ax\",@progbits\n"       \
		".balign 4096\n.globl " #name "\n" #name ":\n"          \
		".option push\n.option norvc\n"                         \
		"li a0, 0x600d\nret\n"                                  \
		".option pop\n.balign 4096\n.popsection\n")

/* ---- U-mode with paging on (paging_entry.S, paging.c) ----------------- */
#define PG_USER_EXIT_EID 0x50474558UL       /* "PGEX" */
void pg_trap_entry(void);
/* Enters U at pc with a0 = arg, sp, ra (all U addresses); returns the a0
 * of the `ecall` with a7 = PG_USER_EXIT_EID that ends it (pg_user_exit). */
unsigned long pg_user_run(unsigned long pc, unsigned long arg, unsigned long sp,
			  unsigned long ra);
void pg_user_resume(unsigned long ret) __attribute__((noreturn));
/* The exit stub: map the page holding it U+X and pass that alias as ra. */
void pg_user_exit(void);
/*
 * Like trap_expect, for U code at pc: the first exception from U is
 * recorded, then U resumes 4 bytes on (or, after a fetch fault, at its ra).
 * r->fn = pc, so trap_report prints sepc relative to pc.
 */
int pg_expect_user(struct trap_record *r, unsigned long pc, unsigned long arg,
		   unsigned long sp, unsigned long ra);
/* Traps from U go here first (nonzero = handled); then pg_expect_user's record. */
extern int (*pg_user_hook)(struct trap_frame *f);

#endif
