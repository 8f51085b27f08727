/*
 * Boot manifest: the one contract between the host-side launcher
 * (tools/launcher) and the hypervisor. The launcher writes a struct bootinfo
 * at host-physical BOOTINFO_HPA (QEMU `-device loader,force-raw=on`) and each
 * module (guest kernel flattened to a raw image, initrd, guest DTB) at a
 * page-aligned host-physical address after it. Trapeze reserves every range
 * named here in its frame allocator until it has copied the modules into the
 * VMs' memory.
 *
 * All fields little-endian, fixed width, no pointers: it is read by
 * freestanding code and written by host code.
 */
#ifndef TRAPEZE_BOOTINFO_H
#define TRAPEZE_BOOTINFO_H

#include <stdint.h>

#define BOOTINFO_HPA        0x84000000ULL   /* host-physical address of the manifest */
#define BOOTINFO_MAGIC      0x315a455041525454ULL /* "TTRAPEZ1" */
#define BOOTINFO_VERSION    1
#define BOOTINFO_MAX_VMS    8
#define BOOTINFO_NAME_MAX   32

/* Guest-physical layout of every VM: that of QEMU virt under OpenSBI. */
#define GUEST_RAM_BASE      0x80000000ULL
#define GUEST_FW_RESERVED   0x80000ULL      /* OpenSBI's 512 KiB, no-map in the guest DTB */
#define GUEST_KERNEL_GPA    0x80200000ULL
#define GUEST_UART_GPA      0x10000000ULL
#define GUEST_CLINT_GPA     0x2000000ULL    /* M-mode's: PMP-denied to S-mode, never modelled */
#define GUEST_CLINT_SIZE    0x10000ULL

enum bootinfo_engine {
	BOOTINFO_ENGINE_TRAP = 0,
	BOOTINFO_ENGINE_HW   = 1,
};

struct bootinfo_module {
	uint64_t hpa;   /* host-physical address, page aligned; 0 when absent */
	uint64_t size;  /* bytes */
	uint64_t gpa;   /* guest-physical address to copy it to */
};

struct bootinfo_vm {
	char name[BOOTINFO_NAME_MAX];   /* NUL-terminated */
	uint64_t memory;                /* bytes of RAM from GUEST_RAM_BASE */
	uint64_t entry;                 /* guest-physical entry point */
	uint32_t vcpus;
	uint32_t engine;                /* enum bootinfo_engine */
	struct bootinfo_module kernel;  /* raw image (ELF already flattened) */
	struct bootinfo_module initrd;  /* size 0 when none */
	struct bootinfo_module dtb;     /* the VM's device tree */
};

struct bootinfo {
	uint64_t magic;                 /* BOOTINFO_MAGIC */
	uint32_t version;               /* BOOTINFO_VERSION */
	uint32_t nvms;
	uint32_t hang_timeout_ms;       /* stop a VM silent this long; 0 = never */
	uint32_t flags;                 /* BOOTINFO_F_* */
	struct bootinfo_vm vms[BOOTINFO_MAX_VMS];
};

#define BOOTINFO_F_PREFIX   (1u << 0)   /* label each VM output line with "[NAME] " */

#endif
