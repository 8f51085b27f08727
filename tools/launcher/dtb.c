/*
 * Guest DTBs, written with libfdt's sequential-write API (nodes in order,
 * each node's properties before its children). Layout and values follow
 * QEMU 7.2 hw/riscv/virt.c create_fdt*() and OpenSBI 1.1
 * fdt_reserved_memory_fixup(); see dtb.h.
 */
#include "dtb.h"

#include <libfdt.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <trapeze/board.h>
#include <trapeze/bootinfo.h>

#define DTB_UART_PATH           "/soc/serial@10000000"

#define DTB_TRY(expr) do { int r_ = (expr); if (r_ < 0) return r_; } while (0)

static int dtb_prop_u64(void *fdt, const char *name, uint64_t v)
{
	return fdt_property_u64(fdt, name, v);
}

/* reg = <hi lo hi lo> for #address-cells = #size-cells = 2. */
static int dtb_prop_reg(void *fdt, uint64_t base, uint64_t size)
{
	fdt64_t reg[2] = { cpu_to_fdt64(base), cpu_to_fdt64(size) };

	return fdt_property(fdt, "reg", reg, sizeof(reg));
}

static int dtb_write_cells(void *fdt, uint32_t address, uint32_t size)
{
	DTB_TRY(fdt_property_u32(fdt, "#address-cells", address));
	return fdt_property_u32(fdt, "#size-cells", size);
}

static int dtb_write_chosen(void *fdt, const struct dtb_guest *g)
{
	DTB_TRY(fdt_begin_node(fdt, "chosen"));
	/* QEMU 7.2 sets bootargs only for a non-empty -append. */
	if (g->bootargs && g->bootargs[0])
		DTB_TRY(fdt_property_string(fdt, "bootargs", g->bootargs));
	DTB_TRY(fdt_property_string(fdt, "stdout-path", DTB_UART_PATH));
	/*
	 * QEMU writes these as one cell; two cells (64-bit) are equally valid
	 * (Linux reads either width, drivers/of/fdt.c early_init_dt_check_for_initrd).
	 */
	if (g->initrd_end > g->initrd_start) {
		DTB_TRY(dtb_prop_u64(fdt, "linux,initrd-start", g->initrd_start));
		DTB_TRY(dtb_prop_u64(fdt, "linux,initrd-end", g->initrd_end));
	}
	return fdt_end_node(fdt);
}

static int dtb_write_memory(void *fdt, const struct dtb_guest *g)
{
	char name[32];

	snprintf(name, sizeof(name), "memory@%llx", (unsigned long long)GUEST_RAM_BASE);
	DTB_TRY(fdt_begin_node(fdt, name));
	DTB_TRY(fdt_property_string(fdt, "device_type", "memory"));
	DTB_TRY(dtb_prop_reg(fdt, GUEST_RAM_BASE, g->memory));
	return fdt_end_node(fdt);
}

/*
 * What OpenSBI 1.1 adds on bare QEMU for its own PMP-protected region, so a
 * guest keeps out of the 512 KiB it would not own on real firmware either.
 */
static int dtb_write_reserved(void *fdt)
{
	char name[48];

	DTB_TRY(fdt_begin_node(fdt, "reserved-memory"));
	DTB_TRY(dtb_write_cells(fdt, 2, 2));
	DTB_TRY(fdt_property(fdt, "ranges", NULL, 0));
	snprintf(name, sizeof(name), "mmode_resv0@%llx", (unsigned long long)GUEST_RAM_BASE);
	DTB_TRY(fdt_begin_node(fdt, name));
	DTB_TRY(dtb_prop_reg(fdt, GUEST_RAM_BASE, GUEST_FW_RESERVED));
	DTB_TRY(fdt_property(fdt, "no-map", NULL, 0));
	DTB_TRY(fdt_end_node(fdt));
	return fdt_end_node(fdt);
}

/* QEMU numbers phandles from 1: each cpu, then its interrupt controller. */
static uint32_t dtb_cpu_phandle(unsigned cpu)
{
	return 2 * cpu + 1;
}

static uint32_t dtb_intc_phandle(unsigned cpu)
{
	return 2 * cpu + 2;
}

static int dtb_write_cpu(void *fdt, const struct dtb_cpu_props *props, unsigned cpu)
{
	char name[32];

	snprintf(name, sizeof(name), "cpu@%u", cpu);
	DTB_TRY(fdt_begin_node(fdt, name));
	DTB_TRY(fdt_property_u32(fdt, "phandle", dtb_cpu_phandle(cpu)));
	DTB_TRY(fdt_property_string(fdt, "device_type", "cpu"));
	DTB_TRY(fdt_property_u32(fdt, "reg", cpu));
	DTB_TRY(fdt_property_string(fdt, "status", "okay"));
	DTB_TRY(fdt_property_string(fdt, "compatible", "riscv"));
	DTB_TRY(fdt_property_string(fdt, "riscv,isa", props->isa));
	if (props->mmu_type[0])
		DTB_TRY(fdt_property_string(fdt, "mmu-type", props->mmu_type));

	DTB_TRY(fdt_begin_node(fdt, "interrupt-controller"));
	DTB_TRY(fdt_property_u32(fdt, "#interrupt-cells", 1));
	DTB_TRY(fdt_property(fdt, "interrupt-controller", NULL, 0));
	DTB_TRY(fdt_property_string(fdt, "compatible", "riscv,cpu-intc"));
	DTB_TRY(fdt_property_u32(fdt, "phandle", dtb_intc_phandle(cpu)));
	DTB_TRY(fdt_end_node(fdt));
	return fdt_end_node(fdt);
}

static int dtb_write_cpus(void *fdt, const struct dtb_guest *g)
{
	char name[32];

	DTB_TRY(fdt_begin_node(fdt, "cpus"));
	DTB_TRY(dtb_write_cells(fdt, 1, 0));
	DTB_TRY(fdt_property_u32(fdt, "timebase-frequency", g->cpu->timebase));
	for (unsigned cpu = 0; cpu < g->vcpus; cpu++)
		DTB_TRY(dtb_write_cpu(fdt, g->cpu, cpu));

	/* One socket, one cluster, as QEMU virt describes an -smp N machine. */
	DTB_TRY(fdt_begin_node(fdt, "cpu-map"));
	DTB_TRY(fdt_begin_node(fdt, "cluster0"));
	for (unsigned cpu = 0; cpu < g->vcpus; cpu++) {
		snprintf(name, sizeof(name), "core%u", cpu);
		DTB_TRY(fdt_begin_node(fdt, name));
		DTB_TRY(fdt_property_u32(fdt, "cpu", dtb_cpu_phandle(cpu)));
		DTB_TRY(fdt_end_node(fdt));
	}
	DTB_TRY(fdt_end_node(fdt));
	DTB_TRY(fdt_end_node(fdt));
	return fdt_end_node(fdt);
}

/* Phandles after the cpus' (QEMU virt numbers them the same way). */
static uint32_t dtb_plic_phandle(unsigned vcpus)
{
	return 2 * vcpus + 1;
}

static uint32_t dtb_test_phandle(unsigned vcpus)
{
	return 2 * vcpus + 2;
}

/* The sifive,test finisher and the syscon poweroff/reboot nodes that point
 * at it, as on QEMU virt (src/dev/syscon.c models the device). */
static int dtb_write_test(void *fdt, unsigned vcpus)
{
	static const struct { const char *node, *compat; uint32_t value; } fns[] = {
		{ "poweroff", "syscon-poweroff", 0x5555 },
		{ "reboot", "syscon-reboot", 0x7777 },
	};

	for (unsigned i = 0; i < 2; i++) {
		DTB_TRY(fdt_begin_node(fdt, fns[i].node));
		DTB_TRY(fdt_property_u32(fdt, "value", fns[i].value));
		DTB_TRY(fdt_property_u32(fdt, "offset", 0));
		DTB_TRY(fdt_property_u32(fdt, "regmap", dtb_test_phandle(vcpus)));
		DTB_TRY(fdt_property_string(fdt, "compatible", fns[i].compat));
		DTB_TRY(fdt_end_node(fdt));
	}
	return 0;
}

static int dtb_write_soc(void *fdt, unsigned vcpus)
{
	static const char test_compat[] = "sifive,test1\0sifive,test0\0syscon";
	static const char plic_compat[] = "sifive,plic-1.0.0\0riscv,plic0";
	char name[32];
	uint32_t irqs[4 * 8];

	DTB_TRY(fdt_begin_node(fdt, "soc"));
	DTB_TRY(dtb_write_cells(fdt, 2, 2));
	DTB_TRY(fdt_property_string(fdt, "compatible", "simple-bus"));
	DTB_TRY(fdt_property(fdt, "ranges", NULL, 0));

	snprintf(name, sizeof(name), "test@%llx", (unsigned long long)BOARD_TEST_GPA);
	DTB_TRY(fdt_begin_node(fdt, name));
	DTB_TRY(fdt_property_u32(fdt, "phandle", dtb_test_phandle(vcpus)));
	DTB_TRY(dtb_prop_reg(fdt, BOARD_TEST_GPA, BOARD_TEST_SIZE));
	DTB_TRY(fdt_property(fdt, "compatible", test_compat, sizeof(test_compat)));
	DTB_TRY(fdt_end_node(fdt));

	/* The PLIC (src/dev/plic.c): per hart an M-mode context (cause 11,
	 * which goes nowhere in a VM) and an S-mode context (cause 9). */
	snprintf(name, sizeof(name), "plic@%llx", (unsigned long long)BOARD_PLIC_GPA);
	DTB_TRY(fdt_begin_node(fdt, name));
	DTB_TRY(fdt_property_u32(fdt, "phandle", dtb_plic_phandle(vcpus)));
	DTB_TRY(fdt_property_u32(fdt, "riscv,ndev", BOARD_PLIC_SOURCES - 1));
	DTB_TRY(dtb_prop_reg(fdt, BOARD_PLIC_GPA, BOARD_PLIC_SIZE));
	for (unsigned c = 0; c < vcpus && c < 8; c++) {
		irqs[4 * c + 0] = cpu_to_fdt32(dtb_intc_phandle(c));
		irqs[4 * c + 1] = cpu_to_fdt32(11);
		irqs[4 * c + 2] = cpu_to_fdt32(dtb_intc_phandle(c));
		irqs[4 * c + 3] = cpu_to_fdt32(9);
	}
	DTB_TRY(fdt_property(fdt, "interrupts-extended", irqs,
			     (int)(sizeof(uint32_t) * 4 * (vcpus < 8 ? vcpus : 8))));
	DTB_TRY(fdt_property(fdt, "interrupt-controller", NULL, 0));
	DTB_TRY(fdt_property(fdt, "compatible", plic_compat, sizeof(plic_compat)));
	DTB_TRY(fdt_property_u32(fdt, "#address-cells", 0));
	DTB_TRY(fdt_property_u32(fdt, "#interrupt-cells", 1));
	DTB_TRY(fdt_end_node(fdt));

	/* The virtio-mmio slots (src/dev/virtio_mmio.c), in QEMU virt's order:
	 * the highest address first. */
	for (unsigned i = BOARD_VIRTIO_SLOTS; i-- > 0;) {
		uint64_t gpa = BOARD_VIRTIO_GPA + i * BOARD_VIRTIO_STRIDE;

		snprintf(name, sizeof(name), "virtio_mmio@%llx", (unsigned long long)gpa);
		DTB_TRY(fdt_begin_node(fdt, name));
		DTB_TRY(fdt_property_u32(fdt, "interrupts", BOARD_VIRTIO_IRQ + i));
		DTB_TRY(fdt_property_u32(fdt, "interrupt-parent", dtb_plic_phandle(vcpus)));
		DTB_TRY(dtb_prop_reg(fdt, gpa, BOARD_VIRTIO_STRIDE));
		DTB_TRY(fdt_property_string(fdt, "compatible", "virtio,mmio"));
		DTB_TRY(fdt_end_node(fdt));
	}

	/* The goldfish RTC (src/dev/rtc.c), as QEMU virt's create_fdt_rtc. */
	snprintf(name, sizeof(name), "rtc@%llx", (unsigned long long)BOARD_RTC_GPA);
	DTB_TRY(fdt_begin_node(fdt, name));
	DTB_TRY(fdt_property_u32(fdt, "interrupts", BOARD_RTC_IRQ));
	DTB_TRY(fdt_property_u32(fdt, "interrupt-parent", dtb_plic_phandle(vcpus)));
	DTB_TRY(dtb_prop_reg(fdt, BOARD_RTC_GPA, BOARD_RTC_SIZE));
	DTB_TRY(fdt_property_string(fdt, "compatible", "google,goldfish-rtc"));
	DTB_TRY(fdt_end_node(fdt));

	snprintf(name, sizeof(name), "serial@%llx", (unsigned long long)BOARD_UART_GPA);
	DTB_TRY(fdt_begin_node(fdt, name));
	DTB_TRY(fdt_property_u32(fdt, "interrupts", BOARD_UART_IRQ));
	DTB_TRY(fdt_property_u32(fdt, "interrupt-parent", dtb_plic_phandle(vcpus)));
	DTB_TRY(fdt_property_u32(fdt, "clock-frequency", BOARD_UART_CLOCK));
	DTB_TRY(dtb_prop_reg(fdt, BOARD_UART_GPA, BOARD_UART_SIZE));
	DTB_TRY(fdt_property_string(fdt, "compatible", "ns16550a"));
	DTB_TRY(fdt_end_node(fdt));
	return fdt_end_node(fdt);
}

static int dtb_write_guest(void *fdt, size_t cap, const struct dtb_guest *g)
{
	DTB_TRY(fdt_create(fdt, (int)cap));
	DTB_TRY(fdt_finish_reservemap(fdt));
	DTB_TRY(fdt_begin_node(fdt, ""));
	DTB_TRY(dtb_write_cells(fdt, 2, 2));
	DTB_TRY(fdt_property_string(fdt, "compatible", "riscv-virtio"));
	DTB_TRY(fdt_property_string(fdt, "model", "riscv-virtio,qemu"));
	DTB_TRY(dtb_write_chosen(fdt, g));
	DTB_TRY(dtb_write_memory(fdt, g));
	DTB_TRY(dtb_write_reserved(fdt));
	DTB_TRY(dtb_write_cpus(fdt, g));
	DTB_TRY(dtb_write_test(fdt, g->vcpus));
	DTB_TRY(dtb_write_soc(fdt, g->vcpus));
	DTB_TRY(fdt_end_node(fdt));
	return fdt_finish(fdt);
}

int dtb_build_guest(const struct dtb_guest *g, void **blob, size_t *size)
{
	size_t cap = 4096 + (g->bootargs ? strlen(g->bootargs) : 0) +
		     (size_t)g->vcpus * (512 + strlen(g->cpu->isa));

	for (;;) {
		void *fdt = malloc(cap);
		int ret;

		if (!fdt)
			return -FDT_ERR_NOSPACE;
		ret = dtb_write_guest(fdt, cap, g);
		if (ret == 0) {
			*blob = fdt;
			*size = fdt_totalsize(fdt);
			return 0;
		}
		free(fdt);
		if (ret != -FDT_ERR_NOSPACE || cap > (1u << 24))
			return ret;
		cap *= 2;
	}
}

static int dtb_fail(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int dtb_fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

/* A string property: present, NUL-terminated, fits in OUT. */
static int dtb_get_string(const void *fdt, int node, const char *name,
			  char *out, size_t outlen)
{
	int len;
	const char *s = fdt_getprop(fdt, node, name, &len);

	if (!s || len < 1 || s[len - 1] != '\0' || (size_t)len > outlen)
		return -1;
	memcpy(out, s, (size_t)len);
	return 0;
}

int dtb_read_cpu_props(const void *blob, size_t size, struct dtb_cpu_props *props,
		       char *err, size_t errlen)
{
	const fdt32_t *tb;
	int cpus, cpu, len;

	memset(props, 0, sizeof(*props));
	if (size < sizeof(struct fdt_header) || fdt_check_header(blob) != 0 ||
	    fdt_totalsize(blob) > size)
		return dtb_fail(err, errlen, "not a valid device tree");
	cpus = fdt_path_offset(blob, "/cpus");
	cpu = fdt_path_offset(blob, "/cpus/cpu@0");
	if (cpus < 0 || cpu < 0)
		return dtb_fail(err, errlen, "no /cpus/cpu@0 node");
	if (dtb_get_string(blob, cpu, "riscv,isa", props->isa, sizeof(props->isa)) != 0)
		return dtb_fail(err, errlen, "/cpus/cpu@0 has no usable riscv,isa");
	if (fdt_getprop(blob, cpu, "mmu-type", NULL) &&
	    dtb_get_string(blob, cpu, "mmu-type", props->mmu_type, sizeof(props->mmu_type)) != 0)
		return dtb_fail(err, errlen, "/cpus/cpu@0 has a bad mmu-type");
	tb = fdt_getprop(blob, cpus, "timebase-frequency", &len);
	if (!tb)        /* the binding also allows it on each cpu */
		tb = fdt_getprop(blob, cpu, "timebase-frequency", &len);
	if (!tb || len != sizeof(*tb))
		return dtb_fail(err, errlen, "no timebase-frequency in /cpus");
	props->timebase = fdt32_to_cpu(*tb);
	return 0;
}

/* Appends C to OUT; false when OUT (with its terminating NUL) is full. */
static bool dtb_put(char *out, size_t outlen, size_t *o, char c)
{
	if (*o + 1 >= outlen)
		return false;
	out[(*o)++] = c;
	return true;
}

/*
 * RISC-V unprivileged ISA 20191213, ch. 27 "ISA Extension Naming
 * Conventions": "rv64", then single-letter extensions, then multi-letter
 * ones separated by '_'. The virtual CPU is the host's without H (no nested
 * virtualization) and without V: Trapeze does not switch vector state
 * between vCPUs yet, so the guest is not offered the vector unit (its
 * vector instructions are illegal, as on a CPU without V).
 */
int dtb_strip_hypervisor_isa(const char *isa, char *out, size_t outlen)
{
	const char *p = isa;
	size_t o = 0;

	if (outlen == 0 || (p[0] != 'r' && p[0] != 'R') || (p[1] != 'v' && p[1] != 'V') ||
	    p[2] < '0' || p[2] > '9')
		return -1;
	for (; p < isa + 2 || (*p >= '0' && *p <= '9'); p++)
		if (!dtb_put(out, outlen, &o, *p))
			return -1;
	for (; *p && *p != '_'; p++)
		if (*p != 'h' && *p != 'H' && *p != 'v' && *p != 'V' && !dtb_put(out, outlen, &o, *p))
			return -1;
	while (*p == '_') {
		const char *name = p + 1, *end = strchr(name, '_');

		if (!end)
			end = name + strlen(name);
		/* Multi-letter: the H family, and the vector ones (Zve*, Zvl*, ...). */
		if (end > name && *name != 'h' && *name != 'H' &&
		    !((name[0] == 'z' || name[0] == 'Z') && (name[1] == 'v' || name[1] == 'V'))) {
			if (!dtb_put(out, outlen, &o, '_'))
				return -1;
			for (const char *c = name; c < end; c++)
				if (!dtb_put(out, outlen, &o, *c))
					return -1;
		}
		p = end;
	}
	out[o] = '\0';
	return 0;
}
