/*
 * Arbitrary bytes as a launcher config: parse and validate
 * (tools/launcher/config.c), then lay out what passed
 * (tools/launcher/layout.c) with module sizes made up from the input. Must
 * never crash, and every result must hold its invariants. No file system:
 * kernel and initrd paths are checked by a stub.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <trapeze/bootinfo.h>

#include "config.h"
#include "layout.h"

#define FUZZ_CHECK(cond) do { if (!(cond)) __builtin_trap(); } while (0)

/* Paths naming "missing" do not exist; everything else does. */
static int fuzz_check_file(const char *path)
{
	return strstr(path, "missing") ? ENOENT : 0;
}

static void fuzz_check_error(const struct config *cfg, const struct config_error *err)
{
	int last = cfg->nlines > 1 ? cfg->nlines : 1;

	FUZZ_CHECK(err->msg[0] != '\0');
	FUZZ_CHECK(memchr(err->msg, '\0', sizeof(err->msg)) != NULL);
	FUZZ_CHECK(err->line >= 1 && err->line <= last);
}

static void fuzz_check_config(const struct config *cfg)
{
	FUZZ_CHECK(cfg->nvms >= 1 && cfg->nvms <= BOOTINFO_MAX_VMS);
	FUZZ_CHECK(cfg->machine.harts >= 1 && cfg->machine.harts <= CONFIG_HARTS_MAX);
	FUZZ_CHECK(cfg->machine.memory % CONFIG_VM_MEMORY_ALIGN == 0);
	for (unsigned i = 0; i < cfg->nvms; i++) {
		const struct vm_desc *vm = &cfg->vms[i];
		size_t len = strlen(vm->name);

		FUZZ_CHECK(len >= 1 && len <= CONFIG_NAME_MAX);
		FUZZ_CHECK(strspn(vm->name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
				  "0123456789_-") == len);
		for (unsigned j = 0; j < i; j++)
			FUZZ_CHECK(strcmp(vm->name, cfg->vms[j].name) != 0);
		FUZZ_CHECK(vm->kernel[0] != '\0');
		FUZZ_CHECK(vm->memory >= CONFIG_VM_MEMORY_MIN && vm->memory <= CONFIG_VM_MEMORY_MAX);
		FUZZ_CHECK(vm->memory % CONFIG_VM_MEMORY_ALIGN == 0);
		FUZZ_CHECK(vm->vcpus >= 1 && vm->vcpus <= CONFIG_VCPUS_MAX);
		FUZZ_CHECK(vm->weight >= 1 && vm->weight <= BOOTINFO_WEIGHT_MAX);
		FUZZ_CHECK(vm->cpu_mask >> CONFIG_HARTS_MAX == 0);
		FUZZ_CHECK(!cfg->machine.harts_line || vm->cpu_mask >> cfg->machine.harts == 0);
		FUZZ_CHECK(vm->engine == CONFIG_ENGINE_TRAP || vm->engine == CONFIG_ENGINE_HW ||
			   vm->engine == CONFIG_ENGINE_AUTO);
	}
}

static void fuzz_check_layout(const struct config *cfg, const struct layout *lo)
{
	struct bootinfo bi;
	uint64_t prev_end = BOOTINFO_HPA + LAYOUT_PAGE;

	FUZZ_CHECK(lo->memory >= lo->required);
	FUZZ_CHECK(lo->modules_end <= LAYOUT_RAM_BASE + lo->memory - LAYOUT_TOP_RESERVE);
	for (unsigned i = 0; i < lo->nvms; i++) {
		const struct layout_vm *lv = &lo->vms[i];
		const struct layout_module *mods[] = { &lv->kernel, &lv->initrd, &lv->dtb };
		uint64_t ram_end = GUEST_RAM_BASE + cfg->vms[i].memory;

		for (unsigned m = 0; m < 3; m++) {
			if (mods[m]->size == 0)
				continue;
			FUZZ_CHECK(mods[m]->hpa % LAYOUT_PAGE == 0);
			FUZZ_CHECK(mods[m]->hpa >= prev_end);
			prev_end = mods[m]->hpa + mods[m]->size;
			FUZZ_CHECK(mods[m]->gpa >= GUEST_KERNEL_GPA);
			FUZZ_CHECK(mods[m]->gpa + mods[m]->size <= ram_end);
		}
		FUZZ_CHECK(lv->dtb.gpa >= lv->kernel.gpa + lv->kernel.size);
		if (lv->initrd.size)
			FUZZ_CHECK(lv->initrd.gpa >= lv->kernel.gpa + lv->kernel.size &&
				   lv->initrd.gpa + lv->initrd.size <= lv->dtb.gpa);
	}
	FUZZ_CHECK(prev_end <= lo->modules_end);
	layout_fill_bootinfo(cfg, lo, &bi);
	FUZZ_CHECK(bi.nvms == cfg->nvms);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct config cfg;
	static struct layout lo;
	static char text[64];
	struct config_error err;
	uint64_t v;

	/* The size parser on its own, NUL-terminated. */
	memcpy(text, data, size < sizeof(text) - 1 ? size : sizeof(text) - 1);
	text[size < sizeof(text) - 1 ? size : sizeof(text) - 1] = '\0';
	config_parse_size(text, &v);

	if (config_parse(&cfg, (const char *)data, size, "/fuzz", fuzz_check_file, &err) != 0) {
		fuzz_check_error(&cfg, &err);
		return 0;
	}
	fuzz_check_config(&cfg);

	memset(&lo, 0, sizeof(lo));
	for (unsigned i = 0; i < cfg.nvms; i++) {
		const struct vm_desc *vm = &cfg.vms[i];

		lo.vms[i].entry = GUEST_KERNEL_GPA;
		lo.vms[i].kernel.size = strlen(vm->kernel) * 40961;
		lo.vms[i].initrd.size = strlen(vm->initrd) * 655373;
		lo.vms[i].dtb.size = 1300 + strlen(vm->bootargs);
	}
	if (layout_compute(&cfg, &lo, &err) != 0) {
		fuzz_check_error(&cfg, &err);
		return 0;
	}
	fuzz_check_layout(&cfg, &lo);
	return 0;
}
