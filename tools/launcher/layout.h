/*
 * Where everything goes, as pure arithmetic (no I/O).
 *
 * Guest-physical, per VM: mirrors QEMU 7.2 virt so a guest finds its initrd
 * and DTB where bare QEMU would put them (hw/riscv/boot.c:
 * riscv_load_initrd, riscv_load_fdt). Kernel image at GUEST_KERNEL_GPA.
 *
 * Host-physical: RAM from LAYOUT_RAM_BASE; firmware and Trapeze below
 * BOOTINFO_HPA; one page of struct bootinfo there; then each VM's modules
 * (kernel, initrd, dtb), page-aligned; then free memory, from which Trapeze
 * allocates guest RAM and its own tables; QEMU's own DTB at the top.
 */
#ifndef LAUNCHER_LAYOUT_H
#define LAUNCHER_LAYOUT_H

#include <stdint.h>

#include <trapeze/bootinfo.h>

struct config;
struct config_error;
struct vm_desc;

#define LAYOUT_PAGE             0x1000ull
#define LAYOUT_MIB              (1ull << 20)
#define LAYOUT_RAM_BASE         0x80000000ull
/* QEMU 7.2 riscv_load_fdt: a DTB stays below 3 GiB, 32-bit addressable. */
#define LAYOUT_FDT_LIMIT        0xC0000000ull
/* QEMU's DTB, 2 MiB aligned below min(RAM end, 3 GiB): keep 4 MiB free. */
#define LAYOUT_TOP_RESERVE      (4 * LAYOUT_MIB)
/* Trapeze's tables: fixed part, plus 1/16 of all guest memory. */
#define LAYOUT_HV_FIXED         (32 * LAYOUT_MIB)
#define LAYOUT_HV_SHARE         16
#define LAYOUT_MACHINE_STEP     (128 * LAYOUT_MIB)
#define LAYOUT_MACHINE_MIN      (256 * LAYOUT_MIB)

struct layout_module {
	uint64_t hpa;           /* 0 when absent */
	uint64_t size;          /* bytes; 0 when absent */
	uint64_t gpa;
};

/*
 * Per VM. The caller fills entry and the three sizes (and initrd.gpa via
 * layout_initrd_gpa, since the DTB names it); the layout fills the rest.
 */
struct layout_vm {
	uint64_t entry;
	struct layout_module kernel;
	struct layout_module initrd;
	struct layout_module dtb;
};

struct layout {
	uint64_t memory;        /* machine RAM, bytes (QEMU -m) */
	uint64_t required;      /* least machine RAM that fits */
	uint64_t modules_end;   /* host-physical end of the last module */
	unsigned nvms;
	struct layout_vm vms[BOOTINFO_MAX_VMS];
};

/* QEMU 7.2: initrd at the kernel's entry + MIN(memory / 2, 128 MiB). */
uint64_t layout_initrd_gpa(uint64_t entry, uint64_t memory);

/*
 * QEMU 7.2: DTB at ALIGN_DOWN(MIN(RAM end, 3 GiB) - size, 2 MiB).
 * Returns 0 if SIZE does not fit above the kernel's base at all.
 */
uint64_t layout_dtb_gpa(uint64_t memory, uint64_t dtb_size);

/*
 * Places one VM's modules guest-physically and checks that they fit in its
 * RAM without overlapping. Returns 0, or -1 with ERR (line of the VM's
 * memory or initrd key).
 */
int layout_guest(const struct vm_desc *vm, struct layout_vm *lv,
		 struct config_error *err);

/*
 * Guest layout of every VM, then the host placement and machine memory
 * (the config's, or the least multiple of 128 MiB that fits, at least
 * 256 MiB). LO->vms[i] carry the inputs. Returns 0, or -1 with ERR.
 */
int layout_compute(const struct config *cfg, struct layout *lo,
		   struct config_error *err);

/* The manifest for Trapeze, from a computed layout. */
void layout_fill_bootinfo(const struct config *cfg, const struct layout *lo,
			  struct bootinfo *bi);

#endif
