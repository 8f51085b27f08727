/*
 * Guest device trees (libfdt), modelled on the one QEMU 7.2 virt builds
 * for bare QEMU plus what OpenSBI 1.1 adds to it, so that a guest sees the
 * same machine under Trapeze as on bare QEMU: memory, cpus, chosen
 * (bootargs, initrd, stdout-path), reserved-memory, the UART.
 */
#ifndef LAUNCHER_DTB_H
#define LAUNCHER_DTB_H

#include <stddef.h>
#include <stdint.h>

#define DTB_ISA_MAX     512
#define DTB_MMU_MAX     32
#define DTB_ERR_MAX     256

/* What the host CPU model says about itself, from QEMU's own DTB. */
struct dtb_cpu_props {
	char isa[DTB_ISA_MAX];          /* riscv,isa */
	char mmu_type[DTB_MMU_MAX];     /* mmu-type; "" when the CPU has none */
	uint32_t timebase;              /* /cpus timebase-frequency */
};

struct dtb_guest {
	uint64_t memory;                /* RAM bytes from GUEST_RAM_BASE */
	unsigned vcpus;
	const char *bootargs;           /* NULL or "" when none */
	uint64_t initrd_start;          /* both 0 when no initrd */
	uint64_t initrd_end;
	const struct dtb_cpu_props *cpu;/* ISA already without H */
};

/*
 * Builds the guest DTB into a malloc'd blob (*BLOB, *SIZE bytes).
 * Returns 0, or a negative libfdt error (FDT_ERR_*).
 */
int dtb_build_guest(const struct dtb_guest *g, void **blob, size_t *size);

/*
 * Reads /cpus timebase-frequency and /cpus/cpu@0 riscv,isa and mmu-type
 * from a DTB dumped by QEMU (-M virt,dumpdtb=FILE). Returns 0, or -1 with
 * a reason in ERR.
 */
int dtb_read_cpu_props(const void *blob, size_t size, struct dtb_cpu_props *props,
		       char *err, size_t errlen);

/*
 * The vCPU has no H extension: drops 'h' from the single-letter part of a
 * riscv,isa string ("rv64imafdch" -> "rv64imafdc") and every multi-letter
 * extension whose name starts with 'h'. Returns 0, or -1 if OUT is too
 * small or ISA does not start with "rv" and a width.
 */
int dtb_strip_hypervisor_isa(const char *isa, char *out, size_t outlen);

#endif
