/* Guest- and host-physical placement: see layout.h. */
#include "layout.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "config.h"

_Static_assert(sizeof(struct bootinfo) <= LAYOUT_PAGE, "bootinfo must fit in its page");

static uint64_t layout_align_up(uint64_t v, uint64_t a)
{
	return (v + a - 1) & ~(a - 1);
}

static uint64_t layout_align_down(uint64_t v, uint64_t a)
{
	return v & ~(a - 1);
}

static uint64_t layout_min(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

static int layout_fail(struct config_error *err, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int layout_fail(struct config_error *err, int line, const char *fmt, ...)
{
	va_list ap;

	err->line = line;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return -1;
}

uint64_t layout_initrd_gpa(uint64_t entry, uint64_t memory)
{
	return entry + layout_min(memory / 2, 128 * LAYOUT_MIB);
}

uint64_t layout_dtb_gpa(uint64_t memory, uint64_t dtb_size)
{
	uint64_t top = layout_min(GUEST_RAM_BASE + memory, LAYOUT_FDT_LIMIT);

	if (dtb_size == 0 || dtb_size > top - GUEST_KERNEL_GPA)
		return 0;
	return layout_align_down(top - dtb_size, 2 * LAYOUT_MIB);
}

int layout_guest(const struct vm_desc *vm, struct layout_vm *lv,
		 struct config_error *err)
{
	uint64_t ram_end = GUEST_RAM_BASE + vm->memory;
	uint64_t kernel_end, initrd_end;
	char mem[32];

	config_format_size(vm->memory, mem, sizeof(mem));
	lv->kernel.gpa = GUEST_KERNEL_GPA;
	if (lv->kernel.size > ram_end - GUEST_KERNEL_GPA)
		return layout_fail(err, vm->memory_line,
				   "memory = %s: the kernel (%llu bytes) does not fit", mem,
				   (unsigned long long)lv->kernel.size);
	kernel_end = GUEST_KERNEL_GPA + lv->kernel.size;

	initrd_end = kernel_end;
	if (lv->initrd.size) {
		lv->initrd.gpa = layout_initrd_gpa(lv->entry, vm->memory);
		if (lv->initrd.gpa >= ram_end || lv->initrd.size > ram_end - lv->initrd.gpa)
			return layout_fail(err, vm->initrd_line,
					   "initrd (%llu bytes at 0x%llx) does not fit in memory = %s",
					   (unsigned long long)lv->initrd.size,
					   (unsigned long long)lv->initrd.gpa, mem);
		if (lv->initrd.gpa < kernel_end)
			return layout_fail(err, vm->initrd_line,
					   "initrd at 0x%llx overlaps the kernel (0x%llx-0x%llx)",
					   (unsigned long long)lv->initrd.gpa,
					   (unsigned long long)GUEST_KERNEL_GPA,
					   (unsigned long long)kernel_end);
		initrd_end = lv->initrd.gpa + lv->initrd.size;
	} else {
		lv->initrd.gpa = 0;
	}

	lv->dtb.gpa = layout_dtb_gpa(vm->memory, lv->dtb.size);
	if (lv->dtb.gpa == 0 || lv->dtb.gpa < kernel_end)
		return layout_fail(err, vm->memory_line,
				   "memory = %s: no room for the device tree above the kernel "
				   "(0x%llx-0x%llx)", mem,
				   (unsigned long long)GUEST_KERNEL_GPA,
				   (unsigned long long)kernel_end);
	if (lv->dtb.gpa < initrd_end)
		return layout_fail(err, vm->initrd_line,
				   "initrd (0x%llx-0x%llx) overlaps the device tree at 0x%llx",
				   (unsigned long long)lv->initrd.gpa,
				   (unsigned long long)initrd_end,
				   (unsigned long long)lv->dtb.gpa);
	return 0;
}

static uint64_t layout_place(uint64_t *cursor, struct layout_module *m)
{
	if (m->size == 0) {
		m->hpa = 0;
		return *cursor;
	}
	m->hpa = *cursor;
	*cursor = layout_align_up(*cursor + m->size, LAYOUT_PAGE);
	return *cursor;
}

static int layout_host(const struct config *cfg, struct layout *lo,
		       struct config_error *err)
{
	const struct machine_desc *m = &cfg->machine;
	uint64_t cursor = BOOTINFO_HPA + LAYOUT_PAGE;
	uint64_t vm_total = 0, below, tables, top;
	char need[32], have[32], mods[32], vms[32], tabs[32];
	int crossing_line = 0;

	for (unsigned i = 0; i < lo->nvms; i++) {
		struct layout_vm *lv = &lo->vms[i];

		layout_place(&cursor, &lv->kernel);
		layout_place(&cursor, &lv->initrd);
		layout_place(&cursor, &lv->dtb);
		vm_total += cfg->vms[i].memory;
		/* QEMU refuses overlapping ROM blobs: keep clear of its DTB. */
		if (!crossing_line && cursor > LAYOUT_FDT_LIMIT - LAYOUT_TOP_RESERVE)
			crossing_line = cfg->vms[i].line;
	}
	lo->modules_end = cursor;
	below = layout_align_up(cursor, 2 * LAYOUT_MIB) - LAYOUT_RAM_BASE;
	tables = LAYOUT_HV_FIXED + vm_total / LAYOUT_HV_SHARE;
	lo->required = below + vm_total + tables + LAYOUT_TOP_RESERVE;

	if (m->memory) {
		lo->memory = m->memory;
	} else {
		lo->memory = layout_align_up(lo->required, LAYOUT_MACHINE_STEP);
		if (lo->memory < LAYOUT_MACHINE_MIN)
			lo->memory = LAYOUT_MACHINE_MIN;
	}
	if (lo->memory < lo->required) {
		config_format_size(layout_align_up(lo->required, LAYOUT_MIB), need, sizeof(need));
		config_format_size(lo->memory, have, sizeof(have));
		config_format_size(layout_align_up(below, LAYOUT_MIB), mods, sizeof(mods));
		config_format_size(vm_total, vms, sizeof(vms));
		config_format_size(layout_align_up(tables, LAYOUT_MIB), tabs, sizeof(tabs));
		return layout_fail(err, m->memory_line,
				   "memory = %s: too small, needs at least %s (firmware, Trapeze "
				   "and modules %s, VM memory %s, Trapeze's tables %s, 4M at the top)",
				   have, need, mods, vms, tabs);
	}
	top = layout_min(LAYOUT_RAM_BASE + lo->memory, LAYOUT_FDT_LIMIT) - LAYOUT_TOP_RESERVE;
	if (cursor > top)
		return layout_fail(err, m->memory_line ? m->memory_line : crossing_line,
				   "boot modules end at 0x%llx, above 0x%llx where QEMU puts "
				   "its device tree",
				   (unsigned long long)cursor, (unsigned long long)top);
	return 0;
}

int layout_compute(const struct config *cfg, struct layout *lo,
		   struct config_error *err)
{
	memset(err, 0, sizeof(*err));
	lo->nvms = cfg->nvms;
	for (unsigned i = 0; i < cfg->nvms; i++)
		if (layout_guest(&cfg->vms[i], &lo->vms[i], err) != 0)
			return -1;
	return layout_host(cfg, lo, err);
}

static void layout_fill_module(struct bootinfo_module *bm, const struct layout_module *m)
{
	bm->hpa = m->size ? m->hpa : 0;
	bm->size = m->size;
	bm->gpa = m->size ? m->gpa : 0;
}

void layout_fill_bootinfo(const struct config *cfg, const struct layout *lo,
			  struct bootinfo *bi)
{
	memset(bi, 0, sizeof(*bi));
	bi->magic = BOOTINFO_MAGIC;
	bi->version = BOOTINFO_VERSION;
	bi->nvms = lo->nvms;
	bi->hang_timeout_ms = cfg->machine.hang_timeout * 1000u;
	/* The launcher labels lines itself, from the framed stream (console.c). */
	bi->flags = (lo->nvms > 1 ? BOOTINFO_F_PREFIX : 0) | BOOTINFO_F_FRAMED;
	/* Host virtio slots in QEMU's -device order (qemu.c): every VM's
	 * disks, then the one rng, then the one network device of the
	 * uplinks; QEMU fills its slots from the top down. */
	unsigned host_dev = 0, rng_host = 0, net_host = BOOTINFO_NO_HOST_SLOT;
	bool any_rng = false, any_uplink = false;
	for (unsigned i = 0; i < lo->nvms; i++) {
		host_dev += cfg->vms[i].ndisks;
		any_rng |= cfg->vms[i].rng;
	}
	for (unsigned i = 0; i < cfg->nnets; i++)
		any_uplink |= cfg->nets[i].uplink;
	rng_host = CONFIG_HOST_VIRTIO_SLOTS - 1 - host_dev;
	if (any_uplink)
		net_host = rng_host - (any_rng ? 1 : 0);
	host_dev = 0;
	for (unsigned i = 0; i < lo->nvms; i++) {
		const struct vm_desc *vm = &cfg->vms[i];
		struct bootinfo_vm *bv = &bi->vms[i];

		for (unsigned k = 0; k < vm->ndisks && bv->ndevs < BOOTINFO_MAX_DEVS; k++) {
			unsigned n = bv->ndevs++;
			bv->devs[n] = (struct bootinfo_dev){
				.kind = BOOTINFO_DEV_BLK,
				.flags = vm->disks[k].readonly ? BOOTINFO_DEV_F_READONLY : 0,
				.guest_slot = CONFIG_HOST_VIRTIO_SLOTS - 1 - n,
				.host_slot = CONFIG_HOST_VIRTIO_SLOTS - 1 - host_dev++,
			};
		}
		if (vm->rng && bv->ndevs < BOOTINFO_MAX_DEVS) {
			unsigned n = bv->ndevs++;
			bv->devs[n] = (struct bootinfo_dev){
				.kind = BOOTINFO_DEV_RNG,
				.guest_slot = CONFIG_HOST_VIRTIO_SLOTS - 1 - n,
				.host_slot = rng_host,
			};
		}
		if (vm->net_line && bv->ndevs < BOOTINFO_MAX_DEVS) {
			unsigned n = bv->ndevs++;
			bool up = cfg->nets[vm->net_index].uplink;
			bv->devs[n] = (struct bootinfo_dev){
				.kind = BOOTINFO_DEV_NET,
				.flags = BOOTINFO_DEV_F_NET_SWITCH(vm->net_index) |
					 (vm->dhcp && up ? BOOTINFO_DEV_F_DHCP : 0),
				.guest_slot = CONFIG_HOST_VIRTIO_SLOTS - 1 - n,
				.host_slot = up ? net_host : BOOTINFO_NO_HOST_SLOT,
			};
		}
	}
	for (unsigned i = 0; i < lo->nvms; i++) {
		const struct vm_desc *vm = &cfg->vms[i];
		const struct layout_vm *lv = &lo->vms[i];
		struct bootinfo_vm *bv = &bi->vms[i];

		snprintf(bv->name, sizeof(bv->name), "%s", vm->name);
		bv->memory = vm->memory;
		bv->entry = lv->entry;
		bv->vcpus = vm->vcpus;
		bv->weight = vm->weight ? vm->weight : 1;
		bv->cpu_mask = vm->cpu_mask;
		bv->engine = config_vm_engine(vm, cfg->machine.cpu) == CONFIG_ENGINE_HW ?
			     BOOTINFO_ENGINE_HW : BOOTINFO_ENGINE_TRAP;
		bool patch_ignored;
		bv->patching = !config_vm_patching(vm, cfg->machine.cpu, &patch_ignored) ?
			       BOOTINFO_PATCHING_OFF : vm->patching == CONFIG_PATCHING_X0 ?
			       BOOTINFO_PATCHING_X0 : BOOTINFO_PATCHING_ON;
		layout_fill_module(&bv->kernel, &lv->kernel);
		layout_fill_module(&bv->initrd, &lv->initrd);
		layout_fill_module(&bv->dtb, &lv->dtb);
	}
}
