/* Kernel images: raw binaries and ELF64 RISC-V, see image.h. */
#include "image.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <trapeze/bootinfo.h>

/* The ELF is read with memcpy into host structs: host order must be LSB. */
_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "little-endian host needed");

static int image_fail(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int image_fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

/* A PT_LOAD segment that occupies memory, checked against the file. */
struct image_segment {
	uint64_t paddr;
	uint64_t filesz;
	uint64_t memsz;
	uint64_t offset;
};

static int image_read_segments(const uint8_t *buf, size_t len, const Elf64_Ehdr *eh,
			       uint64_t ram_end, struct image_segment *segs,
			       unsigned *nsegs, char *err, size_t errlen)
{
	*nsegs = 0;
	for (unsigned i = 0; i < eh->e_phnum; i++) {
		Elf64_Phdr ph;

		memcpy(&ph, buf + eh->e_phoff + (uint64_t)i * sizeof(ph), sizeof(ph));
		if (ph.p_type != PT_LOAD || ph.p_memsz == 0)
			continue;
		if (ph.p_filesz > ph.p_memsz)
			return image_fail(err, errlen, "segment %u: p_filesz larger than p_memsz", i);
		if (ph.p_offset > len || ph.p_filesz > len - ph.p_offset)
			return image_fail(err, errlen,
					  "truncated: segment %u data runs past the end of the file", i);
		if (ph.p_paddr < GUEST_KERNEL_GPA || ph.p_paddr >= ram_end ||
		    ph.p_memsz > ram_end - ph.p_paddr)
			return image_fail(err, errlen,
					  "segment %u (0x%llx, %llu bytes) lies outside the VM's RAM "
					  "from 0x%llx to 0x%llx",
					  i, (unsigned long long)ph.p_paddr,
					  (unsigned long long)ph.p_memsz,
					  (unsigned long long)GUEST_KERNEL_GPA,
					  (unsigned long long)ram_end);
		for (unsigned j = 0; j < *nsegs; j++) {
			if (ph.p_paddr < segs[j].paddr + segs[j].memsz &&
			    segs[j].paddr < ph.p_paddr + ph.p_memsz)
				return image_fail(err, errlen, "segment %u overlaps an earlier one", i);
		}
		segs[*nsegs] = (struct image_segment){
			ph.p_paddr, ph.p_filesz, ph.p_memsz, ph.p_offset,
		};
		(*nsegs)++;
	}
	if (*nsegs == 0)
		return image_fail(err, errlen, "no loadable segment");
	return 0;
}

static int image_parse_elf(const uint8_t *buf, size_t len, uint64_t memory,
			   struct image *img, char *err, size_t errlen)
{
	uint64_t ram_end = GUEST_RAM_BASE + memory, low = UINT64_MAX, high = 0;
	struct image_segment *segs;
	unsigned nsegs;
	Elf64_Ehdr eh;

	if (len < sizeof(eh))
		return image_fail(err, errlen, "truncated ELF header");
	memcpy(&eh, buf, sizeof(eh));
	if (eh.e_ident[EI_CLASS] != ELFCLASS64)
		return image_fail(err, errlen, "not a 64-bit ELF");
	if (eh.e_ident[EI_DATA] != ELFDATA2LSB)
		return image_fail(err, errlen, "not a little-endian ELF");
	if (eh.e_machine != EM_RISCV)
		return image_fail(err, errlen, "not a RISC-V ELF (e_machine %u)", eh.e_machine);
	if (eh.e_type != ET_EXEC && eh.e_type != ET_DYN)
		return image_fail(err, errlen, "not an executable ELF (e_type %u)", eh.e_type);
	if (eh.e_phnum == 0)
		return image_fail(err, errlen, "no program headers");
	if (eh.e_phentsize != sizeof(Elf64_Phdr))
		return image_fail(err, errlen, "bad program header size %u", eh.e_phentsize);
	if (eh.e_phoff > len || (uint64_t)eh.e_phnum * sizeof(Elf64_Phdr) > len - eh.e_phoff)
		return image_fail(err, errlen, "truncated: program headers run past the end of the file");

	segs = calloc(eh.e_phnum, sizeof(*segs));
	if (!segs)
		return image_fail(err, errlen, "out of memory");
	if (image_read_segments(buf, len, &eh, ram_end, segs, &nsegs, err, errlen) != 0) {
		free(segs);
		return -1;
	}
	for (unsigned i = 0; i < nsegs; i++) {
		if (segs[i].paddr < low)
			low = segs[i].paddr;
		if (segs[i].paddr + segs[i].memsz > high)
			high = segs[i].paddr + segs[i].memsz;
	}
	/* Segments lie in [GUEST_KERNEL_GPA, ram_end), checked above. */
	if (high <= GUEST_KERNEL_GPA || high > ram_end) {
		free(segs);
		return image_fail(err, errlen, "bad segment layout");
	}
	img->size = high - GUEST_KERNEL_GPA;
	img->data = calloc(1, img->size);
	if (!img->data) {
		free(segs);
		return image_fail(err, errlen, "out of memory for a %zu-byte image", img->size);
	}
	for (unsigned i = 0; i < nsegs; i++)
		memcpy(img->data + (segs[i].paddr - GUEST_KERNEL_GPA), buf + segs[i].offset,
		       segs[i].filesz);
	free(segs);
	img->elf = true;
	img->entry = low;
	return 0;
}

int image_parse(const uint8_t *buf, size_t len, uint64_t memory,
		struct image *img, char *err, size_t errlen)
{
	uint64_t room = GUEST_RAM_BASE + memory - GUEST_KERNEL_GPA;

	memset(img, 0, sizeof(*img));
	if (len >= SELFMAG && memcmp(buf, ELFMAG, SELFMAG) == 0)
		return image_parse_elf(buf, len, memory, img, err, errlen);
	if (len == 0)
		return image_fail(err, errlen, "empty file");
	if (len > room)
		return image_fail(err, errlen,
				  "image of %zu bytes does not fit in the VM's RAM (%llu bytes from 0x%llx)",
				  len, (unsigned long long)room,
				  (unsigned long long)GUEST_KERNEL_GPA);
	img->size = len;
	img->entry = GUEST_KERNEL_GPA;
	return 0;
}

int image_load(const char *path, uint64_t memory, struct image *img,
	       char *err, size_t errlen)
{
	struct stat st;
	void *map;
	int fd, ret;

	memset(img, 0, sizeof(*img));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return image_fail(err, errlen, "%s", strerror(errno));
	if (fstat(fd, &st) != 0) {
		ret = image_fail(err, errlen, "%s", strerror(errno));
		close(fd);
		return ret;
	}
	if (st.st_size == 0) {
		close(fd);
		return image_fail(err, errlen, "empty file");
	}
	map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (map == MAP_FAILED)
		return image_fail(err, errlen, "%s", strerror(errno));
	ret = image_parse(map, (size_t)st.st_size, memory, img, err, errlen);
	munmap(map, (size_t)st.st_size);
	return ret;
}

int image_file_size(const char *path, uint64_t *size, char *err, size_t errlen)
{
	struct stat st;

	if (stat(path, &st) != 0)
		return image_fail(err, errlen, "%s", strerror(errno));
	if (!S_ISREG(st.st_mode))
		return image_fail(err, errlen, "not a regular file");
	if (st.st_size == 0)
		return image_fail(err, errlen, "empty file");
	*size = (uint64_t)st.st_size;
	return 0;
}

void image_free(struct image *img)
{
	free(img->data);
	img->data = NULL;
}
