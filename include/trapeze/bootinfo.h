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
#define BOOTINFO_VERSION    2
#define BOOTINFO_MAX_VMS    8
#define BOOTINFO_NAME_MAX   32
#define BOOTINFO_WEIGHT_MAX 100     /* `weight = N` in the config: 1 to 100, default 1 */

/* Guest-physical layout of every VM: that of QEMU virt under OpenSBI. */
#define GUEST_RAM_BASE      0x80000000ULL
#define GUEST_FW_RESERVED   0x80000ULL      /* OpenSBI's 512 KiB, no-map in the guest DTB */
#define GUEST_KERNEL_GPA    0x80200000ULL
#define GUEST_CLINT_GPA     0x2000000ULL    /* M-mode's: PMP-denied to S-mode, never modelled */
#define GUEST_CLINT_SIZE    0x10000ULL

enum bootinfo_engine {
	BOOTINFO_ENGINE_TRAP = 0,
	BOOTINFO_ENGINE_HW   = 1,
};

/* Patching of hot privileged instructions (trap engine, README "Patching"). */
enum bootinfo_patching {
	BOOTINFO_PATCHING_OFF = 0,
	BOOTINFO_PATCHING_ON  = 1,
	BOOTINFO_PATCHING_X0  = 2,      /* on, with the x0 load/store form */
};

struct bootinfo_module {
	uint64_t hpa;   /* host-physical address, page aligned; 0 when absent */
	uint64_t size;  /* bytes */
	uint64_t gpa;   /* guest-physical address to copy it to */
};

/* A virtio device of a VM (one of the eight slots of trapeze/board.h),
 * backed by one of QEMU's virtio-mmio devices on the host board. */
enum bootinfo_dev_kind {
	BOOTINFO_DEV_NONE = 0,
	BOOTINFO_DEV_BLK  = 1,      /* a disk: host virtio-blk, one per VM disk */
	BOOTINFO_DEV_RNG  = 2,      /* entropy: the host virtio-rng all VMs share */
	BOOTINFO_DEV_NET  = 3,      /* a NIC on a virtual switch; host_slot: the uplink's
				     * host virtio-net, BOOTINFO_NO_HOST_SLOT when none */
};
#define BOOTINFO_MAX_DEVS       8
#define BOOTINFO_DEV_F_READONLY (1u << 0)
/* NET: the NIC's MAC is registered with the uplink's DHCP server at boot
 * (`address = dhcp`); bits 16-23 of flags are its switch's number. */
#define BOOTINFO_DEV_F_DHCP     (1u << 1)
#define BOOTINFO_DEV_F_NET_SWITCH(n) ((uint32_t)(n) << 16)
#define BOOTINFO_DEV_NET_SWITCH(flags) (((flags) >> 16) & 0xffu)
#define BOOTINFO_NO_HOST_SLOT   0xffffffffu

struct bootinfo_dev {
	uint32_t kind;                  /* enum bootinfo_dev_kind */
	uint32_t flags;                 /* BOOTINFO_DEV_F_* */
	uint32_t guest_slot;            /* the VM's virtio slot, 0..7 */
	uint32_t host_slot;             /* the host board's virtio slot, 0..7 */
};

struct bootinfo_vm {
	char name[BOOTINFO_NAME_MAX];   /* NUL-terminated */
	uint64_t memory;                /* bytes of RAM from GUEST_RAM_BASE */
	uint64_t entry;                 /* guest-physical entry point */
	uint32_t vcpus;
	uint32_t engine;                /* enum bootinfo_engine */
	uint32_t patching;              /* enum bootinfo_patching (trap engine only) */
	uint32_t weight;                /* CPU-time share against other VMs (1..BOOTINFO_WEIGHT_MAX) */
	uint32_t cpu_mask;              /* physical hart indexes its vCPUs may run on; 0 = any */
	struct bootinfo_module kernel;  /* raw image (ELF already flattened) */
	struct bootinfo_module initrd;  /* size 0 when none */
	struct bootinfo_module dtb;     /* the VM's device tree */
	uint32_t ndevs;
	uint32_t reserved;
	struct bootinfo_dev devs[BOOTINFO_MAX_DEVS];
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
#define BOOTINFO_F_FRAMED   (1u << 1)   /* console stream framed (trapeze/console_proto.h) */

#endif
