/*
 * Boot, arch-neutral: from the host DTB to the first guest instruction.
 * The architecture's entry code calls hyp_main on the boot hart with
 * paging on; arch_init does the rest of the architecture's work.
 */
#include <stdint.h>
#include "core/arch.h"
#include "core/console.h"
#include "core/devices.h"
#include "core/fdt.h"
#include "core/frame.h"
#include "core/hostmem.h"
#include "core/lib/string.h"
#include "core/machine.h"
#include "core/monitor.h"
#include "core/platform.h"
#include "core/sched_internal.h"
#include "core/timer.h"
#include "core/vm.h"
#include "dev/ns16550_host.h"
#include "trapeze/bootinfo.h"

struct platform platform;

/* The end of Trapeze's image, from the linker script. */
extern char _end_image[];

/* Read what Trapeze needs from the host DTB (Devicetree Specification
 * v0.4: /memory, /cpus, the UART, the test finisher). */
static void platform_from_dt(const struct dt *dt, uint64_t boot_hartid)
{
	int mem = dt_path(dt, "/memory");
	if (mem < 0 || !dt_reg(dt, mem, 0, &platform.ram_base, &platform.ram_size))
		machine_exit(2);

	int cpus = dt_path(dt, "/cpus");
	uint32_t tb = 0;
	if (cpus < 0 || !dt_prop_u32(dt, cpus, "timebase-frequency", &tb) || tb == 0)
		machine_exit(3);
	platform.timebase_hz = tb;
	for (int c = dt_first_child(dt, cpus); c >= 0 && platform.nharts < PLATFORM_MAX_HARTS;
	     c = dt_next_sibling(dt, c)) {
		uint32_t len;
		const char *type = dt_prop(dt, c, "device_type", &len);
		uint64_t id, unused;
		if (type == NULL || strcmp(type, "cpu") != 0 || !dt_reg(dt, c, 0, &id, &unused))
			continue;
		if (id == boot_hartid)
			platform.boot_hart = platform.nharts;
		platform.hartid[platform.nharts++] = id;
	}

	uint64_t size;
	int uart = dt_find_compatible(dt, -1, "ns16550a");
	if (uart >= 0)
	{
		dt_reg(dt, uart, 0, &platform.uart_pa, &size);
		dt_prop_u32(dt, uart, "interrupts", &platform.uart_irq);
	}
	int fin = dt_find_compatible(dt, -1, "sifive,test1");
	if (fin < 0)
		fin = dt_find_compatible(dt, -1, "sifive,test0");
	if (fin >= 0)
		dt_reg(dt, fin, 0, &platform.finisher_pa, &size);
}

/* Host memory: everything the DTB calls RAM, less the firmware, Trapeze,
 * the host DTB, reserved regions, and the launcher's manifest and modules. */
static void frames_init(const struct dt *dt, uint64_t dtb_pa)
{
	uint64_t image_end = hostmem_pa(_end_image);
	uint64_t bitmap_bytes = frame_pool_bitmap_bytes(platform.ram_size);

	frame_pool_init(&host_frames, platform.ram_base, platform.ram_size, hostmem_va(image_end));
	/* QEMU starts the machine with its RAM zeroed, and Trapeze is the
	 * first to run after the firmware (which keeps to its reserved
	 * region; Trapeze never resets the machine, it ends it): frames not
	 * reserved nor ever freed need no zeroing when a VM first touches
	 * them (guestmem.c), which also spares QEMU the host pages. */
	frame_pool_track_clean(&host_frames, hostmem_va(image_end + bitmap_bytes));
	frame_pool_reserve(&host_frames, platform.ram_base,
			   image_end + 2 * bitmap_bytes - platform.ram_base);
	frame_pool_reserve(&host_frames, dtb_pa, dt->size);
	for (int i = 0; i < dt_rsv_count(dt); i++) {
		uint64_t a, s;
		if (dt_rsv_get(dt, i, &a, &s))
			frame_pool_reserve(&host_frames, a, s);
	}
	int rsv = dt_path(dt, "/reserved-memory");
	for (int c = rsv < 0 ? -1 : dt_first_child(dt, rsv); c >= 0; c = dt_next_sibling(dt, c)) {
		uint64_t a, s;
		if (dt_reg(dt, c, 0, &a, &s))
			frame_pool_reserve(&host_frames, a, s);
	}
}

/* The manifest and every module stay reserved: a VM reset reloads them. */
static const struct bootinfo *bootinfo_take(void)
{
	uint64_t ram_end = platform.ram_base + platform.ram_size;

	if (BOOTINFO_HPA + sizeof(struct bootinfo) > ram_end)
		return NULL;
	const struct bootinfo *bi = hostmem_va(BOOTINFO_HPA);
	if (bi->magic != BOOTINFO_MAGIC || bi->version != BOOTINFO_VERSION ||
	    bi->nvms == 0 || bi->nvms > BOOTINFO_MAX_VMS)
		return NULL;
	frame_pool_reserve(&host_frames, BOOTINFO_HPA, sizeof(*bi));
	for (unsigned i = 0; i < bi->nvms; i++) {
		const struct bootinfo_module *m[] = { &bi->vms[i].kernel, &bi->vms[i].initrd, &bi->vms[i].dtb };
		for (unsigned k = 0; k < 3; k++) {
			if (m[k]->size == 0)
				continue;
			if (m[k]->hpa < platform.ram_base || m[k]->hpa > ram_end ||
			    m[k]->size > ram_end - m[k]->hpa)
				return NULL;
			frame_pool_reserve(&host_frames, m[k]->hpa, m[k]->size);
		}
	}
	return bi;
}


_Noreturn void hyp_main(uint64_t hartid, uint64_t dtb_pa)
{
	struct dt dt;

	if (dt_open(&dt, hostmem_va(dtb_pa), 1 << 20) < 0)
		machine_exit(2);
	platform_from_dt(&dt, hartid);
	ns16550_host_init(hostmem_va(platform.uart_pa));
	log_info("Trapeze hypervisor (%s), %u hart(s), %lu MiB RAM at 0x%lx, timebase %lu Hz",
		 arch_name, platform.nharts, platform.ram_size >> 20, platform.ram_base,
		 platform.timebase_hz);
	/* The host's PLIC and virtio devices, before any hart enables its
	 * external interrupt (arch_hart_init). */
	devices_probe_host(&dt);
	monitor_input_init();
	arch_init(hartid);

	frames_init(&dt, dtb_pa);
	const struct bootinfo *bi = bootinfo_take();
	if (bi == NULL) {
		log_info("no valid boot manifest at 0x%llx: nothing to run", BOOTINFO_HPA);
		machine_exit(1);
	}
	sched_set_hang_timeout(timer_us_to_ticks((uint64_t)bi->hang_timeout_ms * 1000));
	if (vm_create_all(bi) == 0) {
		log_info("no VM could be started");
		machine_exit(1);
	}
	log_info("%lu MiB of host memory free", (uint64_t)((host_frames.nfree * FRAME_SIZE) >> 20));

	arch_start_secondaries();
	sched_run();
}
