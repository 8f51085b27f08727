/*
 * Guest kernel images: a raw binary (loaded at GUEST_KERNEL_GPA as is) or an
 * ELF64 RISC-V executable, flattened into one raw image based at
 * GUEST_KERNEL_GPA so Trapeze only ever copies bytes.
 */
#ifndef LAUNCHER_IMAGE_H
#define LAUNCHER_IMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define IMAGE_ERR_MAX 256

struct image {
	bool elf;               /* data is a flattened ELF, to be written out */
	uint8_t *data;          /* malloc'd: the raw image from GUEST_KERNEL_GPA */
	size_t size;
	uint64_t entry;         /* guest-physical address the VM starts at */
};

/*
 * Makes an image of BUF (LEN bytes) for a VM with MEMORY bytes of RAM from
 * GUEST_RAM_BASE. ELF: every PT_LOAD segment (by p_paddr, with its zeroed
 * p_memsz tail) must lie in [GUEST_KERNEL_GPA, GUEST_RAM_BASE + MEMORY).
 * The entry is the lowest segment address, not e_entry: QEMU 7.2
 * (hw/riscv/boot.c riscv_load_kernel, "Use low address not ELF entry
 * point") starts an ELF kernel there on bare QEMU, and so must we.
 * Raw: entry GUEST_KERNEL_GPA. Pure; copies BUF. Returns 0, or -1 with a
 * reason in ERR (no path prefix).
 */
int image_parse(const uint8_t *buf, size_t len, uint64_t memory,
		struct image *img, char *err, size_t errlen);

/* Reads PATH and parses it. Returns 0, or -1 with a reason in ERR. */
int image_load(const char *path, uint64_t memory, struct image *img,
	       char *err, size_t errlen);

/* Size of a file that is used as is (an initrd); must be non-empty. */
int image_file_size(const char *path, uint64_t *size, char *err, size_t errlen);

void image_free(struct image *img);

#endif
