/*
 * RISC-V CSR numbers, fields and the only place Trapeze touches CSRs with
 * inline assembly (RISC-V Privileged ISA v1.12, chapters 2-4).
 */
#ifndef ARCH_RISCV_CSR_H
#define ARCH_RISCV_CSR_H

#include <stdint.h>

/* Unprivileged and supervisor CSR numbers (Privileged ISA v1.12, 2.2). */
#define CSR_FFLAGS      0x001
#define CSR_FRM         0x002
#define CSR_FCSR        0x003
#define CSR_CYCLE       0xc00
#define CSR_TIME        0xc01
#define CSR_INSTRET     0xc02
#define CSR_SSTATUS     0x100
#define CSR_SIE         0x104
#define CSR_STVEC       0x105
#define CSR_SCOUNTEREN  0x106
#define CSR_SENVCFG     0x10a
#define CSR_SSCRATCH    0x140
#define CSR_SEPC        0x141
#define CSR_SCAUSE      0x142
#define CSR_STVAL       0x143
#define CSR_SIP         0x144
#define CSR_STIMECMP    0x14d
#define CSR_SATP        0x180
#define CSR_HTIMEDELTA  0x605

/* Hypervisor extension (Privileged ISA v1.12, chapter 8), by number: the
 * accessors stringify the name, and numbers need no assembler support. */
#define CSR_HSTATUS     0x600
#define CSR_HEDELEG     0x602
#define CSR_HIDELEG     0x603
#define CSR_HCOUNTEREN  0x606
#define CSR_HENVCFG     0x60a
#define CSR_HTVAL       0x643
#define CSR_HVIP        0x645
#define CSR_HTINST      0x64a
#define CSR_HGATP       0x680
#define CSR_VSSTATUS    0x200
#define CSR_VSIE        0x204
#define CSR_VSTVEC      0x205
#define CSR_VSSCRATCH   0x240
#define CSR_VSEPC       0x241
#define CSR_VSCAUSE     0x242
#define CSR_VSTVAL      0x243
#define CSR_VSIP        0x244
#define CSR_VSTIMECMP   0x24d
#define CSR_VSATP       0x280

#define HSTATUS_GVA     (1ULL << 6)
#define HSTATUS_SPV     (1ULL << 7)
#define HSTATUS_SPVP    (1ULL << 8)
#define HSTATUS_HU      (1ULL << 9)
#define HSTATUS_VTVM    (1ULL << 20)
#define HSTATUS_VTW     (1ULL << 21)
#define HSTATUS_VTSR    (1ULL << 22)
#define HVIP_VSSIP      (1ULL << 2)
#define HVIP_VSTIP      (1ULL << 6)
#define HVIP_VSEIP      (1ULL << 10)
#define HENVCFG_STCE    (1ULL << 63)
#define HCOUNTEREN_TM   (1ULL << 1)

/* CSR address fields (Privileged ISA v1.12, 2.1 CSR Address Mapping Conventions). */
#define CSR_NUM_PRIV(n)     (((n) >> 8) & 3)
#define CSR_NUM_READONLY(n) ((((n) >> 10) & 3) == 3)
#define CSR_PRIV_U 0
#define CSR_PRIV_S 1
#define CSR_PRIV_H 2
#define CSR_PRIV_M 3

/* sstatus (4.1.1 Supervisor Status Register). */
#define SSTATUS_SIE     (1ULL << 1)
#define SSTATUS_SPIE    (1ULL << 5)
#define SSTATUS_UBE     (1ULL << 6)
#define SSTATUS_SPP     (1ULL << 8)
#define SSTATUS_VS      (3ULL << 9)
#define SSTATUS_FS      (3ULL << 13)
#define SSTATUS_XS      (3ULL << 15)
#define SSTATUS_SUM     (1ULL << 18)
#define SSTATUS_MXR     (1ULL << 19)
#define SSTATUS_UXL     (3ULL << 32)
#define SSTATUS_SD      (1ULL << 63)
#define SSTATUS_UXL_32  (1ULL << 32)
#define SSTATUS_UXL_64  (2ULL << 32)
#define SSTATUS_FS_OFF      (0ULL << 13)
#define SSTATUS_FS_INITIAL  (1ULL << 13)
#define SSTATUS_FS_CLEAN    (2ULL << 13)
#define SSTATUS_FS_DIRTY    (3ULL << 13)

/* Interrupt numbers (4.1.3 sip and sie). */
#define IRQ_S_SOFT      1
#define IRQ_S_TIMER     5
#define IRQ_S_EXT       9
#define IRQ_LCOF        13
#define MIP_SSIP        (1ULL << IRQ_S_SOFT)
#define MIP_STIP        (1ULL << IRQ_S_TIMER)
#define MIP_SEIP        (1ULL << IRQ_S_EXT)
#define MIP_LCOFIP      (1ULL << IRQ_LCOF)

/* scause exception codes (4.1.8 "Supervisor Cause Register", Table 4.2). */
#define CAUSE_INTERRUPT             (1ULL << 63)
#define EXC_INST_MISALIGNED         0
#define EXC_INST_ACCESS             1
#define EXC_ILLEGAL_INST            2
#define EXC_BREAKPOINT              3
#define EXC_LOAD_MISALIGNED         4
#define EXC_LOAD_ACCESS             5
#define EXC_STORE_MISALIGNED        6
#define EXC_STORE_ACCESS            7
#define EXC_ECALL_U                 8
#define EXC_ECALL_S                 9
#define EXC_ECALL_VS                10
#define EXC_ECALL_M                 11
#define EXC_INST_PAGE_FAULT         12
#define EXC_LOAD_PAGE_FAULT         13
#define EXC_STORE_PAGE_FAULT        15
#define EXC_INST_GUEST_PAGE_FAULT   20
#define EXC_LOAD_GUEST_PAGE_FAULT   21
#define EXC_VIRTUAL_INST            22
#define EXC_STORE_GUEST_PAGE_FAULT  23
#define EXC_COUNT                   24

/* stvec (4.1.2). */
#define STVEC_MODE_MASK     3ULL
#define STVEC_MODE_DIRECT   0ULL
#define STVEC_MODE_VECTORED 1ULL

/* satp (4.1.11): MODE[63:60] ASID[59:44] PPN[43:0] on RV64. */
#define SATP_MODE_SHIFT 60
#define SATP_MODE_BARE  0ULL
#define SATP_MODE_SV39  8ULL
#define SATP_MODE_SV48  9ULL
#define SATP_MODE_SV57  10ULL
#define SATP_ASID_SHIFT 44
#define SATP_ASID_MASK  0xffffULL
#define SATP_PPN_MASK   ((1ULL << 44) - 1)

/* One level of indirection, so that a CSR given as a macro (CSR_HSTATUS)
 * reaches the assembler as its number. */
#define csr_read(csr) csr_read_(csr)
#define csr_write(csr, val) csr_write_(csr, val)
#define csr_set(csr, val) csr_set_(csr, val)
#define csr_clear(csr, val) csr_clear_(csr, val)
#define csr_swap(csr, val) csr_swap_(csr, val)
#ifndef TRAPEZE_HOST
#define csr_read_(csr) ({ uint64_t __v; \
	__asm__ volatile("csrr %0, " #csr : "=r"(__v) :: "memory"); __v; })
#define csr_write_(csr, val) ({ uint64_t __v = (uint64_t)(val); \
	__asm__ volatile("csrw " #csr ", %0" :: "rK"(__v) : "memory"); })
#define csr_set_(csr, val) ({ uint64_t __v = (uint64_t)(val); \
	__asm__ volatile("csrs " #csr ", %0" :: "rK"(__v) : "memory"); })
#define csr_clear_(csr, val) ({ uint64_t __v = (uint64_t)(val); \
	__asm__ volatile("csrc " #csr ", %0" :: "rK"(__v) : "memory"); })
#define csr_swap_(csr, val) ({ uint64_t __v = (uint64_t)(val); \
	__asm__ volatile("csrrw %0, " #csr ", %1" : "=r"(__v) : "rK"(__v) : "memory"); __v; })

static inline void sfence_vma_all(void) { __asm__ volatile("sfence.vma" ::: "memory"); }
static inline void sfence_vma_asid(uint64_t asid) { __asm__ volatile("sfence.vma zero, %0" :: "r"(asid) : "memory"); }
static inline void sfence_vma_va_asid(uint64_t va, uint64_t asid) { __asm__ volatile("sfence.vma %0, %1" :: "r"(va), "r"(asid) : "memory"); }
static inline void fence_i(void) { __asm__ volatile("fence.i" ::: "memory"); }
static inline void wfi(void) { __asm__ volatile("wfi" ::: "memory"); }
static inline uint64_t rdtime(void) { return csr_read(time); }
/* H extension (Privileged ISA v1.12, 8.3): loads through a guest's
 * two-stage translation at hstatus.SPVP's privilege, and the fences. The
 * loads may fault: callers bracket them with probe_begin/probe_end. */
static inline uint64_t hlvx_hu(uint64_t va)
{
	uint64_t v = 0;
	__asm__ volatile(".insn r 0x73, 0x4, 0x32, %0, %1, x3" : "+r"(v) : "r"(va) : "memory");
	return v;
}
static inline uint64_t hlv_d(uint64_t va)
{
	uint64_t v = 0;
	__asm__ volatile(".insn r 0x73, 0x4, 0x36, %0, %1, x0" : "+r"(v) : "r"(va) : "memory");
	return v;
}
static inline void hfence_vvma_all(void) { __asm__ volatile(".insn r 0x73, 0, 0x11, x0, x0, x0" ::: "memory"); }
static inline void hfence_gvma_all(void) { __asm__ volatile(".insn r 0x73, 0, 0x31, x0, x0, x0" ::: "memory"); }
static inline void hfence_gvma_vmid(uint64_t vmid) { __asm__ volatile(".insn r 0x73, 0, 0x31, x0, x0, %0" :: "r"(vmid) : "memory"); }
static inline void hfence_gvma_gpa(uint64_t gpa, uint64_t vmid) { __asm__ volatile(".insn r 0x73, 0, 0x31, x0, %0, %1" :: "r"(gpa >> 2), "r"(vmid) : "memory"); }
#else
/*
 * Host unit tests: the fake CSR layer (tests/unit/fakes/fake_csr.c) holds
 * every CSR by the name the code uses ("sstatus", "0x14d") and records
 * fences and WFIs, so the dispatcher, the engines and the scheduler run on
 * the host.
 */
uint64_t fake_csr_read(const char *name);
void fake_csr_write(const char *name, uint64_t val);
void fake_sfence_vma(uint64_t va, uint64_t asid, int all_va, int all_asid);
void fake_wfi(void);
#define csr_read_(csr) fake_csr_read(#csr)
#define csr_write_(csr, val) fake_csr_write(#csr, (uint64_t)(val))
#define csr_set_(csr, val) fake_csr_write(#csr, fake_csr_read(#csr) | (uint64_t)(val))
#define csr_clear_(csr, val) fake_csr_write(#csr, fake_csr_read(#csr) & ~(uint64_t)(val))
#define csr_swap_(csr, val) ({ uint64_t __o = fake_csr_read(#csr); \
	fake_csr_write(#csr, (uint64_t)(val)); __o; })
static inline void sfence_vma_all(void) { fake_sfence_vma(0, 0, 1, 1); }
static inline void sfence_vma_asid(uint64_t asid) { fake_sfence_vma(0, asid, 1, 0); }
static inline void sfence_vma_va_asid(uint64_t va, uint64_t asid) { fake_sfence_vma(va, asid, 0, 0); }
static inline void fence_i(void) { fake_sfence_vma(0, 0, -1, -1); }
static inline void wfi(void) { fake_wfi(); }
static inline uint64_t rdtime(void) { return csr_read(time); }
/* The guest-memory loads and H fences, faked (fake_csr.c: a fault sets the
 * probe's fault flag as the real trap path would). */
uint64_t fake_hlv(uint64_t va, unsigned bytes, int exec);
void fake_hfence(int gvma, uint64_t addr, uint64_t id, int all);
static inline uint64_t hlvx_hu(uint64_t va) { return fake_hlv(va, 2, 1); }
static inline uint64_t hlv_d(uint64_t va) { return fake_hlv(va, 8, 0); }
static inline void hfence_vvma_all(void) { fake_hfence(0, 0, 0, 1); }
static inline void hfence_gvma_all(void) { fake_hfence(1, 0, UINT64_MAX, 1); }
static inline void hfence_gvma_vmid(uint64_t vmid) { fake_hfence(1, 0, vmid, 1); }
static inline void hfence_gvma_gpa(uint64_t gpa, uint64_t vmid) { fake_hfence(1, gpa, vmid, 0); }
#endif

#endif
