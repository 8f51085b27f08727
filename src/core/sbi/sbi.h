/*
 * The SBI Trapeze offers its guests: RISC-V Supervisor Binary Interface
 * v3.0. One extension per file (sbi_base.c, sbi_timer.c, ...), each defining
 * one descriptor with SBI_EXTENSION(); sbi.c owns lookup and dispatch.
 * Extensions without a descriptor (DBTR, CPPC, NACL, MPXY: see sbi_base.c)
 * probe 0 and answer every call SBI_ERR_NOT_SUPPORTED.
 */
#ifndef CORE_SBI_SBI_H
#define CORE_SBI_SBI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct vcpu;
struct vm;

/* SBI v3.0, Binary Encoding, Table "Standard SBI Errors". */
#define SBI_SUCCESS                 0
#define SBI_ERR_FAILED              -1
#define SBI_ERR_NOT_SUPPORTED       -2
#define SBI_ERR_INVALID_PARAM       -3
#define SBI_ERR_DENIED              -4
#define SBI_ERR_INVALID_ADDRESS     -5
#define SBI_ERR_ALREADY_AVAILABLE   -6
#define SBI_ERR_ALREADY_STARTED     -7
#define SBI_ERR_ALREADY_STOPPED     -8
#define SBI_ERR_NO_SHMEM            -9
#define SBI_ERR_INVALID_STATE       -10
#define SBI_ERR_BAD_RANGE           -11
#define SBI_ERR_TIMEOUT             -12
#define SBI_ERR_IO                  -13
#define SBI_ERR_DENIED_LOCKED       -14

/* Extension ids (a7). */
#define SBI_EXT_LEGACY_MIN  0x00        /* SBI v2.0, Legacy Extensions: 0x00-0x0F */
#define SBI_EXT_LEGACY_MAX  0x0F
#define SBI_EXT_BASE        0x10
#define SBI_EXT_TIME        0x54494D45  /* "TIME" */
#define SBI_EXT_IPI         0x735049    /* "sPI" */
#define SBI_EXT_RFENCE      0x52464E43  /* "RFNC" */
#define SBI_EXT_HSM         0x48534D    /* "HSM" */
#define SBI_EXT_SRST        0x53525354  /* "SRST" */
#define SBI_EXT_DBCN        0x4442434E  /* "DBCN" */
#define SBI_EXT_PMU         0x504D55    /* "PMU" */
#define SBI_EXT_SUSP        0x53555350  /* "SUSP" */
#define SBI_EXT_CPPC        0x43505043  /* "CPPC" (not offered) */
#define SBI_EXT_NACL        0x4E41434C  /* "NACL" (not offered) */
#define SBI_EXT_STA         0x535441    /* "STA" */
#define SBI_EXT_SSE         0x535345    /* "SSE" */
#define SBI_EXT_FWFT        0x46574654  /* "FWFT" */
#define SBI_EXT_DBTR        0x44425452  /* "DBTR" (not offered) */
#define SBI_EXT_MPXY        0x4D505859  /* "MPXY" (not offered) */

/* Legacy extension ids (SBI v2.0, Legacy Extensions; a6 is ignored). */
#define SBI_LEGACY_SET_TIMER                0x00
#define SBI_LEGACY_CONSOLE_PUTCHAR          0x01
#define SBI_LEGACY_CONSOLE_GETCHAR          0x02
#define SBI_LEGACY_CLEAR_IPI                0x03
#define SBI_LEGACY_SEND_IPI                 0x04
#define SBI_LEGACY_REMOTE_FENCE_I           0x05
#define SBI_LEGACY_REMOTE_SFENCE_VMA        0x06
#define SBI_LEGACY_REMOTE_SFENCE_VMA_ASID   0x07
#define SBI_LEGACY_SHUTDOWN                 0x08    /* 0x09-0x0F are reserved */

/* Function ids (a6), one block per extension, from each chapter's
 * "Function Listing". */
#define SBI_BASE_GET_SPEC_VERSION   0
#define SBI_BASE_GET_IMPL_ID        1
#define SBI_BASE_GET_IMPL_VERSION   2
#define SBI_BASE_PROBE_EXTENSION    3
#define SBI_BASE_GET_MVENDORID      4
#define SBI_BASE_GET_MARCHID        5
#define SBI_BASE_GET_MIMPID         6

#define SBI_TIME_SET_TIMER          0

#define SBI_IPI_SEND_IPI            0

#define SBI_RFENCE_REMOTE_FENCE_I           0
#define SBI_RFENCE_REMOTE_SFENCE_VMA        1
#define SBI_RFENCE_REMOTE_SFENCE_VMA_ASID   2
#define SBI_RFENCE_REMOTE_HFENCE_GVMA_VMID  3
#define SBI_RFENCE_REMOTE_HFENCE_GVMA       4
#define SBI_RFENCE_REMOTE_HFENCE_VVMA_ASID  5
#define SBI_RFENCE_REMOTE_HFENCE_VVMA       6

#define SBI_HSM_HART_START          0
#define SBI_HSM_HART_STOP           1
#define SBI_HSM_HART_GET_STATUS     2
#define SBI_HSM_HART_SUSPEND        3

#define SBI_SRST_SYSTEM_RESET       0

#define SBI_DBCN_CONSOLE_WRITE      0
#define SBI_DBCN_CONSOLE_READ       1
#define SBI_DBCN_CONSOLE_WRITE_BYTE 2

#define SBI_FWFT_SET                0
#define SBI_FWFT_GET                1

/* SBI v3.0, chapter 18 "Firmware Features Extension", Table "FWFT Feature
 * Types": 32-bit feature ids. Bit 31 splits local (per-hart) from global
 * features, bit 30 standard from platform-specific ones. */
#define SBI_FWFT_MISALIGNED_EXC_DELEG   0x00000000U
#define SBI_FWFT_LANDING_PAD            0x00000001U
#define SBI_FWFT_SHADOW_STACK           0x00000002U
#define SBI_FWFT_DOUBLE_TRAP            0x00000003U
#define SBI_FWFT_PTE_AD_HW_UPDATING     0x00000004U
#define SBI_FWFT_POINTER_MASKING_PMLEN  0x00000005U
#define SBI_FWFT_LOCAL_RESERVED_START   0x00000006U     /* .. 0x3fffffff */
#define SBI_FWFT_LOCAL_PLATFORM_START   0x40000000U     /* .. 0x7fffffff */
#define SBI_FWFT_GLOBAL_RESERVED_START  0x80000000U     /* .. 0xbfffffff */
#define SBI_FWFT_GLOBAL_PLATFORM_START  0xc0000000U     /* .. 0xffffffff */
#define SBI_FWFT_PLATFORM_BIT           0x40000000U
#define SBI_FWFT_GLOBAL_BIT             0x80000000U
/* Table "FWFT Firmware Features Set Flags": BIT[0] LOCK, the rest reserved
 * and must be zero. */
#define SBI_FWFT_SET_FLAG_LOCK          (1UL << 0)

/* BASE answers (SBI v3.0, chapter 4 "Base Extension"). The spec version is
 * major << 24 | minor. The implementation id is not in the spec's table of
 * SBI Implementation IDs; it reads "TRZP". */
#define SBI_SPEC_VERSION            ((3UL << 24) | 0)
#define SBI_IMPL_ID_TRAPEZE         0x54525A50UL
#define SBI_IMPL_VERSION            1UL

/* SBI v2.0, HSM Extension, Table "HSM Hart States". */
#define SBI_HSM_STATE_STARTED           0
#define SBI_HSM_STATE_STOPPED           1
#define SBI_HSM_STATE_START_PENDING     2
#define SBI_HSM_STATE_STOP_PENDING      3
#define SBI_HSM_STATE_SUSPENDED         4
#define SBI_HSM_STATE_SUSPEND_PENDING   5
#define SBI_HSM_STATE_RESUME_PENDING    6

/* Table "HSM Hart Suspend Types" (32 bits wide): only the two defaults are
 * implemented; every reserved and platform-specific value is INVALID_PARAM. */
#define SBI_HSM_SUSPEND_RET_DEFAULT     0x00000000U
#define SBI_HSM_SUSPEND_NON_RET_DEFAULT 0x80000000U

/* SRST Extension, Tables "System Reset Types" and "System Reset Reasons". */
#define SBI_SRST_TYPE_SHUTDOWN      0x00000000U
#define SBI_SRST_TYPE_COLD_REBOOT   0x00000001U
#define SBI_SRST_TYPE_WARM_REBOOT   0x00000002U
#define SBI_SRST_REASON_NONE        0x00000000U
#define SBI_SRST_REASON_SYSFAIL     0x00000001U

/* DBCN work bound: at most this many bytes are copied per call, so a guest
 * cannot hold a hart in Trapeze for long; the spec allows partial writes and
 * the caller learns the count from sbiret.value. */
#define SBI_DBCN_MAX_BYTES  4096

/* The guest-visible result: a0 = error, a1 = value; and, host side, the
 * operands of an SBI_RESUME_JUMP or SBI_RESUME_INJECT status. */
struct sbi_ret {
	long error;
	long value;
	uint64_t resume_pc;                 /* SBI_RESUME_JUMP: where the caller goes on */
	uint64_t fault_cause, fault_tval;   /* SBI_RESUME_INJECT: the trap it takes */
};

/*
 * Host status returned by handlers (style.md section 7: host status and
 * guest result are separate domains). Handlers never move the pc or write
 * registers beyond what they are asked: sbi_dispatch turns the status into
 * the dispatcher's result (core/engine.h).
 *   SBI_RESUME_NEXT (0)   handled; sbi_dispatch writes a0/a1 (legacy: a0)
 *                         and the caller continues after the ECALL.
 *   SBI_RESUME_JUMP (1)   handled, registers set by the handler (HSM
 *                         non-retentive suspend); the caller continues at
 *                         ret->resume_pc, no result register written.
 *   SBI_RESUME_NONE (2)   handled, the calling vCPU no longer runs
 *                         (hart_stop, system reset, legacy shutdown); no
 *                         register written, the pc stays; whoever restarts
 *                         it sets the pc.
 *   SBI_RESUME_INJECT (3) a memory access the firmware makes for the caller
 *                         faulted (a legacy hart mask): the caller takes
 *                         ret->fault_cause/fault_tval at the ECALL, as the
 *                         firmware redirects it; no register written.
 *   < 0                   a Trapeze failure, not the guest's fault; no
 *                         register was written; the VM is stopped.
 */
#define SBI_RESUME_NEXT     0
#define SBI_RESUME_JUMP     1
#define SBI_RESUME_INJECT   3
#define SBI_RESUME_NONE     2

/* Handler of one extension: fid is a6 (ignored by legacy extensions, which
 * get their eid), args are a0-a5. Fills *ret (preset to SUCCESS, 0) and
 * returns a host status as above. */
typedef int (*sbi_handler_t)(struct vcpu *v, unsigned long eid, unsigned long fid,
			     const unsigned long args[6], struct sbi_ret *ret);

struct sbi_ext {
	const char *name;               /* "base", "time", ... for statistics */
	unsigned long eid_min, eid_max;
	bool legacy;                    /* v0.1 calls: result in a0 only, a1 untouched */
	sbi_handler_t handle;
	/* Optional: put the extension's per-vCPU state (v->sbi, sbi_vcpu.h)
	 * and its share of the VM's (v->vm->sbi) in their boot state; called
	 * for every vCPU when its VM is loaded or reset (sbi_vcpu_reset). */
	void (*vcpu_reset)(struct vcpu *v);
	/* Optional: whether the extension can work for this vCPU on this host
	 * (say, a host firmware offering what it builds on). NULL: always.
	 * When it answers false, BASE probe_extension answers 0 for the EID
	 * and sbi_dispatch answers every call SBI_ERR_NOT_SUPPORTED without
	 * calling handle (SBI v3.0, chapter 4 "Probe SBI extension"; chapter 3
	 * "Binary Encoding": an unsupported EID is NOT_SUPPORTED). Must not
	 * change its answer while the VM runs. */
	bool (*probe)(struct vcpu *v);
};

/*
 * Each extension file defines exactly one descriptor:
 *     SBI_EXTENSION(time) = { .name = "time", ... };
 * It lands in the linker section "sbi_exts", an array of struct sbi_ext
 * delimited by __start_sbi_exts and __stop_sbi_exts (GNU ld defines them for
 * a section whose name is a C identifier; trapeze.ld must keep the section
 * and define them), so adding an extension edits no central file. The
 * section name is a C identifier, so neither GCC nor Clang pads these
 * objects with ASan redzones and the array stays dense.
 */
#define SBI_EXT_SECTION "sbi_exts"
#define SBI_EXTENSION(ident) \
	const struct sbi_ext sbi_ext_##ident \
	__attribute__((used, section(SBI_EXT_SECTION), aligned(8)))

/* Every extension's vcpu_reset hook, in descriptor order: the SBI state of a
 * vCPU of a VM being loaded or reset (vm.c). */
void sbi_vcpu_reset(struct vcpu *v);

/* The descriptor whose [eid_min, eid_max] holds eid, or NULL. */
const struct sbi_ext *sbi_find_ext(unsigned long eid);
/* Whether the guest of v sees ext (a descriptor, or NULL): its probe hook
 * agrees, or it has none. */
static inline bool sbi_ext_available(const struct sbi_ext *ext, struct vcpu *v)
{
	return ext && (!ext->probe || ext->probe(v));
}
/* Index of a descriptor, for vm->stats.sbi_calls[] (< STATS_SBI_MAX). */
unsigned sbi_ext_slot(const struct sbi_ext *ext);
/* Descriptor at a slot; NULL past the end (for printing statistics). */
const struct sbi_ext *sbi_ext_at(unsigned slot);

/*
 * ECALL from virtual S-mode: reads a7 (EID), a6 (FID), a0-a5, runs the
 * extension, counts vm->stats.sbi_calls[slot] (any call to a present
 * extension, unknown FIDs included) or vm->stats.sbi_unknown (absent EID).
 * An absent EID or unknown FID gets SBI_ERR_NOT_SUPPORTED. On
 * SBI_RESUME_NEXT it writes a0 = error, a1 = value (for EIDs 0x00-0x0F,
 * legacy convention: a0 only). Returns what the dispatcher does next, with
 * its operands in t (ecall_len: the size of the ECALL to step over).
 */
struct trap_info;
enum resume sbi_dispatch(struct vcpu *v, struct trap_info *t, unsigned ecall_len);

/*
 * Hart list parameter (SBI v2.0, Binary Encoding, "Hart list parameter"):
 * calls fn for every vCPU named by bit i of mask as hart id base + i, or for
 * every vCPU of the VM when base == -1UL (mask ignored). Validates the whole
 * list first: a named hart id the VM lacks (including base + i past the top
 * of the id space) returns SBI_ERR_INVALID_PARAM and fn is never called.
 * An empty mask names no hart: SBI_SUCCESS.
 */
long sbi_for_each_hart(struct vm *vm, unsigned long mask, unsigned long base,
		       void (*fn)(struct vcpu *target, void *ctx), void *ctx);

/* ---- helpers for the extension files -------------------------------- */

/* One function of an extension; fid-indexed tables of these make up the
 * handlers. Same contract as sbi_handler_t. */
typedef int (*sbi_fn_t)(struct vcpu *v, const unsigned long args[6], struct sbi_ret *ret);

/* Runs table[idx] (idx is the FID, or the EID for legacy); an index past the
 * table or a NULL entry answers SBI_ERR_NOT_SUPPORTED (SBI v2.0, Binary
 * Encoding: unsupported FID). */
int sbi_call_fn(const sbi_fn_t *table, size_t n, unsigned long idx,
		struct vcpu *v, const unsigned long args[6], struct sbi_ret *ret);
#define SBI_CALL_TABLE(table, idx, v, args, ret) \
	sbi_call_fn((table), sizeof(table) / sizeof((table)[0]), (idx), (v), (args), (ret))

/*
 * How wide an argument is: one rule for every extension, BASE to MPXY,
 * decided by SBI v3.0, chapter 3 "Binary Encoding".
 * - A parameter the function's signature declares 32 bits wide (uint32_t),
 *   or narrower, is its register's low bits only: "In case the data is
 *   defined as 32bit wide, higher privilege software must ensure that it
 *   only uses 32 bit data." The upper half is ignored, not checked: the
 *   psABI passes a uint32_t sign-extended (0xffff0000 arrives as
 *   0xffffffffffff0000) while callers declaring unsigned long zero-extend,
 *   and both must mean the same value. So: HSM hart_suspend's
 *   suspend_type, SRST's reset_type and reset_reason, SUSP's sleep_type,
 *   FWFT's feature, SSE's event_id, base_attr_id and attr_count (CPPC's
 *   reg_id would be, were CPPC offered); DBCN console_write_byte's byte
 *   (uint8_t) and the legacy console_putchar's (int) likewise their low
 *   byte. sbi_arg32() is that reading.
 * - An unsigned long, long or uint64_t parameter is the whole register: a
 *   value with upper bits set is simply another value, which the
 *   function accepts or refuses as any out-of-range one (a hart id, a
 *   counter index, an address, FWFT's value and flags, PMU's event_idx).
 * - EID (a7) and FID (a6) are "signed 32-bit integers" that "follow the
 *   standard calling convention rules", i.e. sign-extended; every EID and
 *   FID the specification defines is positive, so the register of a real
 *   call holds it zero-extended, and Trapeze compares the whole register
 *   (as OpenSBI does): anything else names no extension or function,
 *   SBI_ERR_NOT_SUPPORTED; BASE probe_extension's long extension_id the
 *   same way, so that a probe and a call always agree.
 * An XLEN-wide SSE attribute value is the attribute's own business: SSE's
 * PRIORITY keeps "only lower 32-bits of the value" (Table "SSE Event
 * Attributes"), see sbi_sse.c.
 */
static inline uint32_t sbi_arg32(unsigned long arg)
{
	return (uint32_t)arg;
}

/* The v0.2+ IPI and RFENCE operations on a hart list (mask, base); the
 * legacy extension calls them with its older argument forms. Each returns
 * the SBI error for the guest. asid UINT64_MAX: every ASID. */
long sbi_ipi_send(struct vcpu *v, unsigned long mask, unsigned long base);
long sbi_rfence_fence_i(struct vcpu *v, unsigned long mask, unsigned long base);
long sbi_rfence_sfence_vma(struct vcpu *v, unsigned long mask, unsigned long base,
			   unsigned long start, unsigned long size, uint64_t asid);

#endif
