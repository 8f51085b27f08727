/*
 * Unit tests of src/dev/device.c, devices as data: the registry, a VM's
 * board made from trapeze/board.h's table (the real UART, PLIC, finisher
 * and RTC models) and virt's eight virtio-mmio slots (the real transport),
 * regions in the real map table, the roles (interrupt controller,
 * console), lines that reach the PLIC through the irq handle, device
 * timers (an RTC alarm through the list to the vCPU's SEIP; a virtio
 * model's timer through its slot), quiesce, reset and destroy.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "core/platform.h"
#include "core/vm.h"
#include "dev/device.h"
#include "dev/plic.h"
#include "dev/rtc.h"
#include "dev/uart.h"
#include "dev/virtio_mmio.h"
#include "fakes/fake_irq.h"

#define HZ 10000000ULL

struct platform platform;
const uint64_t hostmem_virt_offset = 0;
static uint64_t now;
static struct vm vm;
static struct bootinfo_vm desc;
static unsigned power_offs;

/* Fakes of the core around the models. */
uint64_t platform_time(void) { return now; }
void log_info(const char *fmt, ...) { (void)fmt; }
void vm_console_write(struct vm *v, const char *buf, size_t len) { (void)v, (void)buf, (void)len; }
bool vm_console_poll_locked(struct vm *v) { (void)v; return false; }
int vm_console_getc_locked(struct vm *v) { (void)v; return -1; }
void vm_power_off(struct vm *v, enum vm_exit why) { (void)v, (void)why; power_offs++; }
int lifecycle_reset(struct vm *v) { (void)v; return 0; }
unsigned vm_count(void) { return 1; }
struct vm *vm_at(unsigned i) { return i == 0 ? &vm : NULL; }
/* The transport's queue checks (virtq.c): no queue is made ready here. */
int virtq_check_setup(struct vm *v, const struct virtq *q, uint16_t max)
{
	(void)v, (void)q, (void)max;
	return VIRTQ_E_SETUP;
}
void virtq_reset_progress(struct virtq *q) { (void)q; }

static int setup(void **state)
{
	(void)state;
	fake_irq_reset(&vm, 2);
	desc = (struct bootinfo_vm){ .vcpus = 2 };
	vm.desc = &desc;
	vm.state = VM_RUNNING;
	vm.dev_deadline = UINT64_MAX;
	realmap_init(&vm.realmap);
	platform = (struct platform){ .timebase_hz = HZ };
	now = 1000;
	rtc_host_set(0, 0);
	power_offs = 0;
	return 0;
}

static int setup_board(void **state)
{
	setup(state);
	assert_true(device_create_board(&vm));
	return 0;
}

/* A guest access through the real map table, as mmio_dispatch makes it. */
static int bus(uint64_t gpa, unsigned width, bool write, uint64_t *val)
{
	struct realmap_entry e;
	struct mmio_access a = { .gpa = gpa, .width = width, .write = write,
				 .value = write ? *val : 0 };

	assert_int_equal(realmap_lookup(&vm.realmap, gpa, &e), REALMAP_MMIO);
	a.offset = e.offset;
	int r = e.dev->access(e.dev, &vm, &a);
	if (!write)
		*val = a.value;
	return r;
}

static uint64_t rd32(uint64_t gpa)
{
	uint64_t v;
	assert_int_equal(bus(gpa, 4, false, &v), 0);
	return v;
}

static void wr(uint64_t gpa, unsigned width, uint64_t v)
{
	assert_int_equal(bus(gpa, width, true, &v), 0);
}

/* What a kernel does to take source src on hart 0's S context (1). */
static void plic_enable(unsigned src)
{
	wr(BOARD_PLIC_GPA + 4 * src, 4, 1);                     /* priority */
	wr(BOARD_PLIC_GPA + 0x2000 + 0x80 * 1 + 4 * (src / 32), 4, 1u << (src % 32));
	wr(BOARD_PLIC_GPA + 0x200000 + 0x1000 * 1, 4, 0);       /* threshold */
}

static void test_device_registry(void **state)
{
	(void)state;
	static const char *const names[] = { "uart", "plic", "syscon", "rtc", "virtio-mmio" };

	for (unsigned i = 0; i < 5; i++) {
		const struct device_model *m = device_model_find(names[i]);
		assert_non_null(m);
		assert_string_equal(m->name, names[i]);
		assert_non_null(m->create);
		assert_non_null(m->access);
	}
	assert_null(device_model_find("virtio-net"));
	assert_null(device_model_find(""));
	assert_non_null(device_model_find("rtc")->timer);
	assert_null(device_model_find("uart")->timer);
	assert_non_null(device_model_find("virtio-mmio")->timer);
	assert_non_null(device_model_find("virtio-mmio")->quiesce);
	assert_null(device_model_find("rtc")->quiesce);
}

/* The board's fixed devices, in its order, at its addresses, with their
 * roles: the statistics and the real map table see uart, plic, syscon,
 * rtc, then the virtio slots. */
static void test_device_board_as_the_table_says(void **state)
{
	(void)state;
	static const struct { const char *name; uint64_t gpa, size; unsigned irq; } want[] = {
		{ "uart", BOARD_UART_GPA, BOARD_UART_SIZE, BOARD_UART_IRQ },
		{ "plic", BOARD_PLIC_GPA, BOARD_PLIC_SIZE, 0 },
		{ "syscon", BOARD_TEST_GPA, BOARD_TEST_SIZE, 0 },
		{ "rtc", BOARD_RTC_GPA, BOARD_RTC_SIZE, BOARD_RTC_IRQ },
	};

	assert_int_equal(vm.ndevices, 4 + BOARD_VIRTIO_SLOTS);
	assert_int_equal(vm.realmap.nmmio, 4 + BOARD_VIRTIO_SLOTS);
	for (unsigned i = 0; i < 4; i++) {
		struct device *d = &vm.devices[i];
		assert_string_equal(d->model->name, want[i].name);
		assert_true(d->gpa == want[i].gpa && d->size == want[i].size);
		assert_int_equal(d->irq.source, want[i].irq);
		assert_ptr_equal(d->irq.vm, want[i].irq ? &vm : NULL);
		assert_ptr_equal(vm.realmap.mmio[i].dev, &d->mmio);
		assert_string_equal(vm.realmap.mmio[i].dev->name, want[i].name);
		assert_ptr_equal(d->mmio.priv, d->state);
		assert_true((uint8_t *)d->state >= vm.dev_state &&
			    (uint8_t *)d->state + d->model->state_size <= vm.dev_state + VM_DEV_STATE);
		assert_int_equal((uintptr_t)d->state % 16, 0);
		assert_ptr_equal(device_find(&vm, want[i].name), d);
	}
	assert_ptr_equal(vm.irqchip, vm.devices[1].state);
	assert_ptr_equal(vm.console, vm.devices[0].state);
	assert_int_equal(vm.irqchip->nharts, 2);
	assert_int_equal(device_deadline(&vm), UINT64_MAX);
	/* The RTC's neighbours: the finisher's page below, nothing above. */
	struct realmap_entry e;
	assert_int_equal(realmap_lookup(&vm.realmap, BOARD_RTC_GPA + BOARD_RTC_SIZE, &e), REALMAP_NONE);
	assert_int_equal(realmap_lookup(&vm.realmap, BOARD_RTC_GPA - 1, &e), REALMAP_MMIO);
	assert_string_equal(e.dev->name, "syscon");
}

/* virt's eight transports on the list after the fixed devices: slot i at
 * 0x10001000 + 0x1000 * i on PLIC source i + 1, 0x200 bytes decoded, named
 * virtio<i> in the real map table and the statistics, each an empty
 * transport answering as QEMU's (DeviceID 0). */
static void test_device_board_has_the_virtio_slots(void **state)
{
	(void)state;
	struct realmap_entry e;

	for (unsigned i = 0; i < BOARD_VIRTIO_SLOTS; i++) {
		struct device *d = &vm.devices[4 + i];
		struct virtio_mmio_dev *v = d->state;
		char name[8] = "virtio0";
		uint64_t gpa = 0x10001000ULL + 0x1000ULL * i;

		name[6] = (char)('0' + i);
		assert_string_equal(d->model->name, "virtio-mmio");
		assert_true(d->gpa == gpa && d->size == 0x200);
		assert_int_equal(d->irq.source, i + 1);
		assert_ptr_equal(d->irq.vm, &vm);
		assert_ptr_equal(vm.realmap.mmio[4 + i].dev, &d->mmio);
		assert_string_equal(d->mmio.name, name);
		assert_ptr_equal(d->mmio.priv, v);
		assert_true((uint8_t *)v >= vm.dev_state &&
			    (uint8_t *)(v + 1) <= vm.dev_state + VM_DEV_STATE);
		assert_int_equal(v->slot, i);
		assert_ptr_equal(v->vm, &vm);
		assert_ptr_equal(v->dev, d);
		assert_true(v->irq.vm == &vm && v->irq.source == i + 1);
		assert_null(v->ops);
		assert_int_equal(rd32(gpa + VIRTIO_MMIO_MAGIC_VALUE), VIRTIO_MMIO_MAGIC);
		assert_int_equal(rd32(gpa + VIRTIO_MMIO_VERSION), 2);
		assert_int_equal(rd32(gpa + VIRTIO_MMIO_DEVICE_ID), 0);
		assert_int_equal(rd32(gpa + VIRTIO_MMIO_VENDOR_ID), VIRTIO_MMIO_VENDOR_QEMU);
		assert_int_equal(realmap_lookup(&vm.realmap, gpa + 0x1ff, &e), REALMAP_MMIO);
		assert_int_equal(realmap_lookup(&vm.realmap, gpa + 0x200, &e), REALMAP_NONE);
	}
	assert_ptr_equal(device_find(&vm, "virtio-mmio"), &vm.devices[4]);
	assert_int_equal(realmap_lookup(&vm.realmap, 0x10009000, &e), REALMAP_NONE);
	/* A slot is only created at a slot's address, with its region. */
	assert_null(device_create(&vm, "virtio-mmio", 0x10009000, 0x200, 9));
	assert_null(device_create(&vm, "virtio-mmio", 0x10001800, 0x200, 1));
	assert_int_equal(vm.ndevices, 4 + BOARD_VIRTIO_SLOTS);
}

/* A model behind slot 2 (what core/devices.c attaches), driven through the
 * list: its used-buffer interrupt on the slot's line reaches the PLIC as
 * source 3; the list quiesces, resets and times it. */
static unsigned toy_quiesces, toy_resets, toy_timers;

static uint64_t toy_features(struct virtio_mmio_dev *d) { (void)d; return 0; }
static void toy_cfg_read(struct virtio_mmio_dev *d, uint8_t *buf) { (void)d, (void)buf; }
static void toy_reset(struct virtio_mmio_dev *d) { (void)d; toy_resets++; }
static void toy_quiesce(struct virtio_mmio_dev *d) { (void)d; toy_quiesces++; }

static void toy_timer(struct virtio_mmio_dev *d, uint64_t t)
{
	assert_int_equal(t, 700);
	toy_timers++;
	virtio_mmio_notify_used(d);
	device_set_deadline(d->dev, UINT64_MAX);
}

static const struct virtio_ops toy_ops = {
	.name = "toy", .device_id = VIRTIO_ID_RNG, .nqueues = 1,
	.features = toy_features, .cfg_read = toy_cfg_read,
	.reset = toy_reset, .quiesce = toy_quiesce, .timer = toy_timer,
};

static void test_device_virtio_slot_through_the_list(void **state)
{
	(void)state;
	struct device *d = &vm.devices[4 + 2];
	struct virtio_mmio_dev *v = d->state;
	const uint64_t gpa = BOARD_VIRTIO_GPA + 2 * BOARD_VIRTIO_STRIDE;

	toy_quiesces = toy_resets = toy_timers = 0;
	virtio_mmio_attach(v, &toy_ops, NULL);
	assert_int_equal(toy_resets, 1);
	assert_int_equal(rd32(gpa + VIRTIO_MMIO_DEVICE_ID), VIRTIO_ID_RNG);
	plic_enable(3);
	virtio_mmio_notify_used(v);
	assert_true(fake_irq_seip(0));
	assert_int_equal(rd32(BOARD_PLIC_GPA + 0x200004 + 0x1000), 3);
	wr(BOARD_PLIC_GPA + 0x200004 + 0x1000, 4, 3);
	wr(gpa + VIRTIO_MMIO_INTERRUPT_ACK, 4, VIRTIO_ISR_QUEUE);
	assert_false(fake_irq_seip(0));

	/* A VM reset: the model quiesced first, then reset; the empty
	 * slots have neither. */
	wr(gpa + VIRTIO_MMIO_STATUS, 4, VIRTIO_STATUS_ACKNOWLEDGE);
	device_quiesce_all(&vm);
	assert_int_equal(toy_quiesces, 1);
	device_reset_all(&vm);
	assert_int_equal(toy_resets, 2);
	assert_int_equal(rd32(gpa + VIRTIO_MMIO_STATUS), 0);

	/* The slot's timer: due at 700, fired through the model's hook. */
	device_set_deadline(d, 700);
	assert_int_equal(device_deadline(&vm), 700);
	assert_false(device_run_timers(699));
	plic_enable(3);
	assert_true(device_run_timers(700));
	assert_int_equal(toy_timers, 1);
	assert_int_equal(device_deadline(&vm), UINT64_MAX);
	assert_int_equal(rd32(gpa + VIRTIO_MMIO_INTERRUPT_STATUS), VIRTIO_ISR_QUEUE);
	assert_true(fake_irq_seip(0));

	/* Destroy cancels the slot's timer. */
	device_set_deadline(d, 900);
	device_destroy_all(&vm);
	assert_int_equal(device_deadline(&vm), UINT64_MAX);
}

static void test_device_create_refusals(void **state)
{
	(void)state;
	assert_null(device_create(&vm, "no-such-model", 0x200000, 0x1000, 0));
	assert_non_null(device_create(&vm, "syscon", 0x200000, 0x1000, 0));
	/* Overlapping regions: refused, and the list does not grow. */
	assert_null(device_create(&vm, "syscon", 0x200800, 0x1000, 0));
	assert_int_equal(vm.ndevices, 1);
	/* A second interrupt controller is refused. */
	assert_non_null(device_create(&vm, "plic", BOARD_PLIC_GPA, BOARD_PLIC_SIZE, 0));
	assert_null(device_create(&vm, "plic", 0x40000000, BOARD_PLIC_SIZE, 0));
	/* The list fills up. */
	while (vm.ndevices < VM_MAX_DEVICES)
		assert_non_null(device_create(&vm, "syscon", 0x300000 + vm.ndevices * 0x1000, 0x1000, 0));
	assert_null(device_create(&vm, "syscon", 0x400000, 0x1000, 0));
}

/* The UART's line reaches the PLIC through its irq handle: a claim on
 * hart 0's S context gives source 10. */
static void test_device_uart_line_reaches_the_plic(void **state)
{
	(void)state;
	plic_enable(BOARD_UART_IRQ);
	assert_false(fake_irq_seip(0));
	wr(BOARD_UART_GPA + 1, 1, 0x02);                       /* IER.THRI: owed at once */
	assert_true(fake_irq_seip(0));
	assert_int_equal(rd32(BOARD_PLIC_GPA + 0x200004 + 0x1000), BOARD_UART_IRQ);
	wr(BOARD_PLIC_GPA + 0x200004 + 0x1000, 4, BOARD_UART_IRQ);
	/* The finisher through the list too. */
	uint64_t pass = 0x5555;
	assert_int_equal(bus(BOARD_TEST_GPA, 4, true, &pass), MMIO_HALT);
	assert_int_equal(power_offs, 1);
}

/* An RTC alarm: a device timer for the VM; the scheduler's look-around
 * (device_run_timers) fires it at its tick, and source 11 is pending. */
static void test_device_rtc_alarm_through_the_list(void **state)
{
	(void)state;
	plic_enable(BOARD_RTC_IRQ);
	wr(BOARD_RTC_GPA + RTC_IRQ_ENABLED, 4, 1);
	uint64_t at = rtc_host_ns(now) + 250000000;             /* 0.25 s ahead */
	wr(BOARD_RTC_GPA + RTC_ALARM_HIGH, 4, at >> 32);
	wr(BOARD_RTC_GPA + RTC_ALARM_LOW, 4, (uint32_t)at);
	uint64_t deadline = device_deadline(&vm);
	assert_int_equal(deadline, now + HZ / 4);
	assert_false(device_run_timers(deadline - 1));
	assert_false(fake_irq_seip(0));
	now = deadline;
	assert_true(device_run_timers(now));
	assert_true(fake_irq_seip(0));
	assert_int_equal(device_deadline(&vm), UINT64_MAX);
	assert_int_equal(rd32(BOARD_PLIC_GPA + 0x200004 + 0x1000), BOARD_RTC_IRQ);
	wr(BOARD_RTC_GPA + RTC_CLEAR_INTERRUPT, 4, 1);
	wr(BOARD_PLIC_GPA + 0x200004 + 0x1000, 4, BOARD_RTC_IRQ);
	assert_false(fake_irq_seip(0));
	assert_false(device_run_timers(now + HZ));              /* nothing left */
}

/* The VM's earliest timer is the least of its devices'; a stale one is
 * corrected by the next look-around; a VM that no longer runs fires none. */
static void test_device_deadlines(void **state)
{
	(void)state;
	struct device *rtc = device_find(&vm, "rtc"), *uart = device_find(&vm, "uart");

	device_set_deadline(uart, 5000);
	device_set_deadline(rtc, 3000);
	assert_int_equal(device_deadline(&vm), 3000);
	device_set_deadline(rtc, UINT64_MAX);
	assert_int_equal(device_deadline(&vm), 5000);
	/* uart has no timer hook: nothing fires, and the earliest is redone. */
	device_set_deadline(uart, UINT64_MAX);
	vm.dev_deadline = 10;
	assert_false(device_run_timers(20));
	assert_int_equal(device_deadline(&vm), UINT64_MAX);

	wr(BOARD_RTC_GPA + RTC_ALARM_HIGH, 4, 0);
	wr(BOARD_RTC_GPA + RTC_ALARM_LOW, 4, 0xffffffff);
	assert_true(device_deadline(&vm) != UINT64_MAX);
	vm.state = VM_STOPPED;
	assert_false(device_run_timers(UINT64_MAX - 1));
}

/* A VM reset: the PLIC back to the firmware's state, the RTC's alarm
 * gone; destroy cancels timers. */
static void test_device_reset_and_destroy(void **state)
{
	(void)state;
	plic_enable(BOARD_RTC_IRQ);
	wr(BOARD_RTC_GPA + RTC_ALARM_LOW, 4, 0xffffffff);
	assert_true(device_deadline(&vm) != UINT64_MAX);
	device_reset_all(&vm);
	assert_int_equal(device_deadline(&vm), UINT64_MAX);
	assert_int_equal(rd32(BOARD_PLIC_GPA + 0x200000 + 0x1000), 7);  /* threshold */
	assert_int_equal(rd32(BOARD_PLIC_GPA + 4 * BOARD_RTC_IRQ), 0);
	assert_int_equal(rd32(BOARD_RTC_GPA + RTC_ALARM_STATUS), 0);

	wr(BOARD_RTC_GPA + RTC_ALARM_LOW, 4, 0xffffffff);
	device_destroy_all(&vm);
	assert_int_equal(device_deadline(&vm), UINT64_MAX);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_device_registry, setup),
		cmocka_unit_test_setup(test_device_board_as_the_table_says, setup_board),
		cmocka_unit_test_setup(test_device_board_has_the_virtio_slots, setup_board),
		cmocka_unit_test_setup(test_device_virtio_slot_through_the_list, setup_board),
		cmocka_unit_test_setup(test_device_create_refusals, setup),
		cmocka_unit_test_setup(test_device_uart_line_reaches_the_plic, setup_board),
		cmocka_unit_test_setup(test_device_rtc_alarm_through_the_list, setup_board),
		cmocka_unit_test_setup(test_device_deadlines, setup_board),
		cmocka_unit_test_setup(test_device_reset_and_destroy, setup_board),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
