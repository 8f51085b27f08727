/*
 * CSR accessors and the bit and cause numbers the guests use. All CSR asm
 * of the runtime lives here; the guests' own probes (the instructions under
 * test) are written out where they are tested.
 */
#ifndef GUEST_CSR_H
#define GUEST_CSR_H

#define csr_read(csr) ({ unsigned long __v; \
	__asm__ volatile("csrr %0, " #csr : "=r"(__v) :: "memory"); __v; })
#define csr_write(csr, val) ({ unsigned long __v = (unsigned long)(val); \
	__asm__ volatile("csrw " #csr ", %0" :: "rK"(__v) : "memory"); })
#define csr_swap(csr, val) ({ unsigned long __v = (unsigned long)(val); \
	__asm__ volatile("csrrw %0, " #csr ", %1" : "=r"(__v) : "rK"(__v) : "memory"); __v; })
#define csr_set(csr, val) ({ unsigned long __v = (unsigned long)(val); \
	__asm__ volatile("csrs " #csr ", %0" :: "rK"(__v) : "memory"); })
#define csr_clear(csr, val) ({ unsigned long __v = (unsigned long)(val); \
	__asm__ volatile("csrc " #csr ", %0" :: "rK"(__v) : "memory"); })

/* RISC-V Privileged ISA v1.12, 4.1.1 Supervisor Status (sstatus). */
#define SSTATUS_SIE     (1UL << 1)
#define SSTATUS_SPIE    (1UL << 5)
#define SSTATUS_UBE     (1UL << 6)
#define SSTATUS_SPP     (1UL << 8)
#define SSTATUS_VS      (3UL << 9)
#define SSTATUS_FS      (3UL << 13)
#define SSTATUS_XS      (3UL << 15)
#define SSTATUS_SUM     (1UL << 18)
#define SSTATUS_MXR     (1UL << 19)
#define SSTATUS_UXL     (3UL << 32)
#define SSTATUS_SD      (1UL << 63)
#define SSTATUS_FS_OFF      (0UL << 13)
#define SSTATUS_FS_INITIAL  (1UL << 13)
#define SSTATUS_FS_CLEAN    (2UL << 13)
#define SSTATUS_FS_DIRTY    (3UL << 13)

/* 4.1.3 Supervisor Interrupt Registers (sip and sie). */
#define IRQ_S_SOFT      1
#define IRQ_S_TIMER     5
#define IRQ_S_EXT       9
#define SIP_SSIP        (1UL << IRQ_S_SOFT)
#define SIP_STIP        (1UL << IRQ_S_TIMER)
#define SIP_SEIP        (1UL << IRQ_S_EXT)
#define SIE_SSIE        SIP_SSIP
#define SIE_STIE        SIP_STIP
#define SIE_SEIE        SIP_SEIP

/* 4.1.9 Supervisor Cause Register (scause), table 4.2. */
#define SCAUSE_INTERRUPT        (1UL << 63)
#define EXC_INST_MISALIGNED     0
#define EXC_INST_ACCESS         1
#define EXC_ILLEGAL_INST        2
#define EXC_BREAKPOINT          3
#define EXC_LOAD_MISALIGNED     4
#define EXC_LOAD_ACCESS         5
#define EXC_STORE_MISALIGNED    6
#define EXC_STORE_ACCESS        7
#define EXC_ECALL_U             8
#define EXC_ECALL_S             9
#define EXC_INST_PAGE_FAULT     12
#define EXC_LOAD_PAGE_FAULT     13
#define EXC_STORE_PAGE_FAULT    15

/* 4.1.11 Supervisor Address Translation and Protection (satp). */
#define SATP_MODE_SHIFT 60
#define SATP_MODE_BARE  0UL
#define SATP_MODE_SV39  8UL
#define SATP_MODE_SV48  9UL
#define SATP_MODE_SV57  10UL
#define SATP_ASID_SHIFT 44

#define STVEC_MODE_DIRECT   0UL
#define STVEC_MODE_VECTORED 1UL

/* Sstc (Privileged ISA v1.12 does not have it yet; Sstc spec v1.0). */
#define CSR_STIMECMP 0x14d

#endif
