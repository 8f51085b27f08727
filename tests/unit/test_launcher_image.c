/*
 * Kernel images (tools/launcher/image.c): raw binaries and ELF64 RISC-V
 * flattened to one raw image, on small ELFs built here.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <elf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <trapeze/bootinfo.h>

#include "image.h"

#define MIB (1ull << 20)

struct seg {
	uint32_t type;
	uint64_t paddr;
	uint64_t filesz;
	uint64_t memsz;
	uint8_t fill;
};

static uint8_t elf[1 << 16];
static struct image img;
static char err[IMAGE_ERR_MAX];

/* ELF header, program headers, then each segment's bytes (all FILL). */
static size_t make_elf(uint16_t machine, uint64_t entry, const struct seg *segs, unsigned n)
{
	Elf64_Ehdr eh = {
		.e_ident = { ELFMAG0, ELFMAG1, ELFMAG2, ELFMAG3, ELFCLASS64, ELFDATA2LSB, EV_CURRENT },
		.e_type = ET_EXEC, .e_machine = machine, .e_version = EV_CURRENT,
		.e_entry = entry, .e_phoff = sizeof(Elf64_Ehdr), .e_ehsize = sizeof(Elf64_Ehdr),
		.e_phentsize = sizeof(Elf64_Phdr), .e_phnum = (uint16_t)n,
	};
	size_t off = sizeof(eh) + n * sizeof(Elf64_Phdr);

	memset(elf, 0, sizeof(elf));
	memcpy(elf, &eh, sizeof(eh));
	for (unsigned i = 0; i < n; i++) {
		Elf64_Phdr ph = {
			.p_type = segs[i].type, .p_flags = PF_R | PF_X, .p_offset = off,
			.p_vaddr = segs[i].paddr + 0x1000000, .p_paddr = segs[i].paddr,
			.p_filesz = segs[i].filesz, .p_memsz = segs[i].memsz, .p_align = 8,
		};

		memcpy(elf + sizeof(eh) + i * sizeof(ph), &ph, sizeof(ph));
		assert_true(off + segs[i].filesz <= sizeof(elf));
		memset(elf + off, segs[i].fill, segs[i].filesz);
		off += segs[i].filesz;
	}
	return off;
}

static void test_image_raw(void **state)
{
	static const uint8_t raw[] = { 0x13, 0, 0, 0, 0x73, 0, 0x10, 0x10 };

	(void)state;
	assert_int_equal(image_parse(raw, sizeof(raw), 64 * MIB, &img, err, sizeof(err)), 0);
	assert_false(img.elf);
	assert_null(img.data);
	assert_int_equal(img.size, sizeof(raw));
	assert_int_equal(img.entry, GUEST_KERNEL_GPA);
}

static void test_image_raw_larger_than_ram(void **state)
{
	size_t len = 2 * MIB + 1;
	uint8_t *raw = calloc(1, len);

	(void)state;
	assert_non_null(raw);
	assert_int_equal(image_parse(raw, len, 4 * MIB, &img, err, sizeof(err)), -1);
	assert_string_equal(err, "image of 2097153 bytes does not fit in the VM's RAM "
			    "(2097152 bytes from 0x80200000)");
	assert_int_equal(image_parse(raw, len - 1, 4 * MIB, &img, err, sizeof(err)), 0);
	free(raw);
}

static void test_image_raw_empty(void **state)
{
	(void)state;
	assert_int_equal(image_parse(elf, 0, 64 * MIB, &img, err, sizeof(err)), -1);
	assert_string_equal(err, "empty file");
}

static void test_image_elf_flattened(void **state)
{
	static const struct seg segs[] = {
		{ PT_LOAD, 0x80200000, 0x100, 0x100, 0xaa },
		{ PT_NOTE, 0x10000, 0x10, 0x10, 0x11 },         /* not loaded */
		{ PT_LOAD, 0x80203000, 0x80, 0x200, 0xbb },     /* gap before, bss after */
		{ PT_LOAD, 0x10000000, 0, 0, 0 },               /* empty: ignored */
	};
	size_t len = make_elf(EM_RISCV, 0x80200040, segs, 4);

	(void)state;
	assert_int_equal(image_parse(elf, len, 64 * MIB, &img, err, sizeof(err)), 0);
	assert_true(img.elf);
	assert_int_equal(img.size, 0x3200);
	assert_int_equal(img.data[0], 0xaa);
	assert_int_equal(img.data[0xff], 0xaa);
	assert_int_equal(img.data[0x100], 0);           /* gap zero-filled */
	assert_int_equal(img.data[0x2fff], 0);
	assert_int_equal(img.data[0x3000], 0xbb);
	assert_int_equal(img.data[0x307f], 0xbb);
	assert_int_equal(img.data[0x3080], 0);          /* bss zeroed */
	assert_int_equal(img.data[0x31ff], 0);
	/* QEMU 7.2 starts an ELF at its lowest load address, not e_entry */
	assert_int_equal(img.entry, 0x80200000);
}

static void test_image_elf_entry_is_lowest_segment(void **state)
{
	static const struct seg segs[] = {
		{ PT_LOAD, 0x80402000, 0x10, 0x10, 1 },
		{ PT_LOAD, 0x80400000, 0x10, 0x10, 2 },
	};
	size_t len = make_elf(EM_RISCV, 0x80402000, segs, 2);

	(void)state;
	assert_int_equal(image_parse(elf, len, 64 * MIB, &img, err, sizeof(err)), 0);
	assert_int_equal(img.entry, 0x80400000);
	assert_int_equal(img.size, 0x202010);
	assert_int_equal(img.data[0], 0);               /* 0x80200000: before any segment */
	assert_int_equal(img.data[0x200000], 2);
	assert_int_equal(img.data[0x202000], 1);
}

static void test_image_elf_segment_below_kernel_base(void **state)
{
	static const struct seg segs[] = { { PT_LOAD, 0x80000000, 0x10, 0x10, 1 } };
	size_t len = make_elf(EM_RISCV, 0x80000000, segs, 1);

	(void)state;
	assert_int_equal(image_parse(elf, len, 64 * MIB, &img, err, sizeof(err)), -1);
	assert_string_equal(err, "segment 0 (0x80000000, 16 bytes) lies outside the VM's RAM "
			    "from 0x80200000 to 0x84000000");
}

static void test_image_elf_segment_beyond_ram(void **state)
{
	static const struct seg segs[] = {
		{ PT_LOAD, 0x80200000, 0x10, 0x10, 1 },
		{ PT_LOAD, 0x83fff000, 0x10, 0x1001, 1 },       /* one byte too far */
	};
	size_t len = make_elf(EM_RISCV, 0x80200000, segs, 2);
	uint64_t memsz;

	(void)state;
	assert_int_equal(image_parse(elf, len, 64 * MIB, &img, err, sizeof(err)), -1);
	assert_string_equal(err, "segment 1 (0x83fff000, 4097 bytes) lies outside the VM's RAM "
			    "from 0x80200000 to 0x84000000");
	/* a p_memsz that wraps around must not pass */
	memsz = UINT64_MAX - 0x10;
	memcpy(elf + sizeof(Elf64_Ehdr) + sizeof(Elf64_Phdr) + offsetof(Elf64_Phdr, p_memsz),
	       &memsz, sizeof(memsz));
	assert_int_equal(image_parse(elf, len, 64 * MIB, &img, err, sizeof(err)), -1);
}

static void test_image_elf_truncated(void **state)
{
	static const struct seg segs[] = { { PT_LOAD, 0x80200000, 0x100, 0x100, 1 } };
	size_t len = make_elf(EM_RISCV, 0x80200000, segs, 1);

	(void)state;
	assert_int_equal(image_parse(elf, len - 1, 64 * MIB, &img, err, sizeof(err)), -1);
	assert_string_equal(err, "truncated: segment 0 data runs past the end of the file");
	assert_int_equal(image_parse(elf, sizeof(Elf64_Ehdr) + 8, 64 * MIB, &img, err,
				     sizeof(err)), -1);
	assert_string_equal(err, "truncated: program headers run past the end of the file");
	assert_int_equal(image_parse(elf, 20, 64 * MIB, &img, err, sizeof(err)), -1);
	assert_string_equal(err, "truncated ELF header");
}

static void test_image_elf_wrong_machine(void **state)
{
	static const struct seg segs[] = { { PT_LOAD, 0x80200000, 0x10, 0x10, 1 } };
	size_t len = make_elf(EM_X86_64, 0x80200000, segs, 1);

	(void)state;
	assert_int_equal(image_parse(elf, len, 64 * MIB, &img, err, sizeof(err)), -1);
	assert_string_equal(err, "not a RISC-V ELF (e_machine 62)");
}

static void test_image_elf_wrong_class_or_order(void **state)
{
	static const struct seg segs[] = { { PT_LOAD, 0x80200000, 0x10, 0x10, 1 } };
	size_t len = make_elf(EM_RISCV, 0x80200000, segs, 1);

	(void)state;
	elf[EI_CLASS] = ELFCLASS32;
	assert_int_equal(image_parse(elf, len, 64 * MIB, &img, err, sizeof(err)), -1);
	assert_string_equal(err, "not a 64-bit ELF");
	elf[EI_CLASS] = ELFCLASS64;
	elf[EI_DATA] = ELFDATA2MSB;
	assert_int_equal(image_parse(elf, len, 64 * MIB, &img, err, sizeof(err)), -1);
	assert_string_equal(err, "not a little-endian ELF");
}

static void test_image_elf_bad_segments(void **state)
{
	static const struct seg overlap[] = {
		{ PT_LOAD, 0x80200000, 0x100, 0x100, 1 },
		{ PT_LOAD, 0x802000f0, 0x10, 0x10, 2 },
	};
	static const struct seg none[] = { { PT_NOTE, 0x80200000, 0x10, 0x10, 1 } };
	static const struct seg filesz[] = { { PT_LOAD, 0x80200000, 0x20, 0x10, 1 } };
	size_t len;

	(void)state;
	len = make_elf(EM_RISCV, 0x80200000, overlap, 2);
	assert_int_equal(image_parse(elf, len, 64 * MIB, &img, err, sizeof(err)), -1);
	assert_string_equal(err, "segment 1 overlaps an earlier one");
	len = make_elf(EM_RISCV, 0x80200000, none, 1);
	assert_int_equal(image_parse(elf, len, 64 * MIB, &img, err, sizeof(err)), -1);
	assert_string_equal(err, "no loadable segment");
	len = make_elf(EM_RISCV, 0x80200000, filesz, 1);
	assert_int_equal(image_parse(elf, len, 64 * MIB, &img, err, sizeof(err)), -1);
	assert_string_equal(err, "segment 0: p_filesz larger than p_memsz");
}

static void test_image_load_file(void **state)
{
	static const struct seg segs[] = { { PT_LOAD, 0x80200000, 0x40, 0x40, 0x5a } };
	char path[] = "/tmp/test_launcher_image.XXXXXX";
	size_t len = make_elf(EM_RISCV, 0x80200000, segs, 1);
	uint64_t size;
	int fd = mkstemp(path);

	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(write(fd, elf, len), (ssize_t)len);
	close(fd);
	assert_int_equal(image_load(path, 64 * MIB, &img, err, sizeof(err)), 0);
	assert_true(img.elf);
	assert_int_equal(img.size, 0x40);
	assert_int_equal(img.data[0x3f], 0x5a);
	assert_int_equal(image_file_size(path, &size, err, sizeof(err)), 0);
	assert_int_equal(size, len);
	unlink(path);
	image_free(&img);
	assert_int_equal(image_load(path, 64 * MIB, &img, err, sizeof(err)), -1);
	assert_string_equal(err, "No such file or directory");
	assert_int_equal(image_file_size(path, &size, err, sizeof(err)), -1);
	assert_int_equal(image_file_size("/tmp", &size, err, sizeof(err)), -1);
	assert_string_equal(err, "not a regular file");
}

static int teardown(void **state)
{
	(void)state;
	image_free(&img);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_image_raw, teardown),
		cmocka_unit_test_teardown(test_image_raw_larger_than_ram, teardown),
		cmocka_unit_test_teardown(test_image_raw_empty, teardown),
		cmocka_unit_test_teardown(test_image_elf_flattened, teardown),
		cmocka_unit_test_teardown(test_image_elf_entry_is_lowest_segment, teardown),
		cmocka_unit_test_teardown(test_image_elf_segment_below_kernel_base, teardown),
		cmocka_unit_test_teardown(test_image_elf_segment_beyond_ram, teardown),
		cmocka_unit_test_teardown(test_image_elf_truncated, teardown),
		cmocka_unit_test_teardown(test_image_elf_wrong_machine, teardown),
		cmocka_unit_test_teardown(test_image_elf_wrong_class_or_order, teardown),
		cmocka_unit_test_teardown(test_image_elf_bad_segments, teardown),
		cmocka_unit_test_teardown(test_image_load_file, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
