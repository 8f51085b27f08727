/*
 * Unit tests of src/dev/virtio_mmio.c: an empty virtio-mmio transport
 * answers as QEMU 7.2's does with no backend (hw/virtio/virtio-mmio.c, with
 * force-legacy=false): MagicValue, Version 2, DeviceID 0, the "QEMU" vendor
 * id, zero elsewhere, writes ignored; narrow reads see the register only at
 * its own offset, 8-byte reads are two 4-byte ones, and nothing past the
 * 0x200-byte register window answers. (Virtio 1.2, 4.2.2.)
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "dev/virtio_mmio.h"
#include "fakes/fake_guest_ram.h"

static struct virtio_mmio_dev dev;

static int setup(void **state)
{
	(void)state;
	memset(&dev, 0xa5, sizeof(dev));
	virtio_mmio_init(&dev, 3, NULL, (struct irq_line){ NULL, 0 });
	return 0;
}

/* One access through the device's handler; returns the handler's status. */
static int access(uint64_t offset, unsigned width, bool write, uint64_t *value)
{
	struct mmio_access a = {
		.gpa = virtio_mmio_gpa(dev.slot) + offset, .offset = offset,
		.width = width, .write = write, .value = write ? *value : 0xdeadbeef,
	};
	int r = dev.mmio.access(&dev.mmio, NULL, &a);

	if (!write)
		*value = a.value;
	return r;
}

static uint64_t read_ok(uint64_t offset, unsigned width)
{
	uint64_t v;

	assert_int_equal(access(offset, width, false, &v), 0);
	return v;
}

static void test_virtio_mmio_init_names_slot(void **state)
{
	(void)state;
	assert_int_equal(dev.slot, 3);
	assert_string_equal(dev.mmio.name, "virtio3");
	assert_ptr_equal(dev.mmio.priv, &dev);
	assert_int_equal(virtio_mmio_gpa(0), 0x10001000);
	assert_int_equal(virtio_mmio_gpa(7), 0x10008000);
}

static void test_virtio_mmio_empty_identity_registers(void **state)
{
	(void)state;
	assert_int_equal(read_ok(VIRTIO_MMIO_MAGIC_VALUE, 4), 0x74726976);
	assert_int_equal(read_ok(VIRTIO_MMIO_VERSION, 4), 2);
	assert_int_equal(read_ok(VIRTIO_MMIO_DEVICE_ID, 4), 0);       /* no device */
	assert_int_equal(read_ok(VIRTIO_MMIO_VENDOR_ID, 4), 0x554d4551);
}

static void test_virtio_mmio_empty_other_registers_read_zero(void **state)
{
	(void)state;
	for (uint64_t off = 0x10; off < BOARD_VIRTIO_REGION; off += 4)
		assert_int_equal(read_ok(off, 4), 0);
}

/* What bare QEMU showed a guest: lbu +0 = 0x76, lbu +1 = 0, lhu +0 = 0x6976,
 * lhu +2 = 0, lbu +0xc = 0x51. */
static void test_virtio_mmio_narrow_reads_match_only_at_register_offset(void **state)
{
	(void)state;
	assert_int_equal(read_ok(0, 1), 0x76);
	assert_int_equal(read_ok(1, 1), 0);
	assert_int_equal(read_ok(3, 1), 0);
	assert_int_equal(read_ok(0, 2), 0x6976);
	assert_int_equal(read_ok(2, 2), 0);
	assert_int_equal(read_ok(4, 1), 2);
	assert_int_equal(read_ok(0xc, 1), 0x51);
	assert_int_equal(read_ok(0xc, 2), 0x4551);
	assert_int_equal(read_ok(0xd, 1), 0);
}

static void test_virtio_mmio_wide_reads_are_two_words(void **state)
{
	(void)state;
	assert_int_equal(read_ok(0, 8), 0x0000000274726976ULL);
	assert_int_equal(read_ok(8, 8), 0x554d455100000000ULL);
	assert_int_equal(read_ok(0x10, 8), 0);
	assert_int_equal(read_ok(BOARD_VIRTIO_REGION - 8, 8), 0);
}

static void test_virtio_mmio_empty_ignores_writes(void **state)
{
	static const uint64_t regs[] = { 0x000, 0x014, 0x020, 0x030, 0x038, 0x044, 0x050,
					 0x064, 0x070, 0x100, 0x1fc };
	(void)state;
	for (size_t i = 0; i < sizeof(regs) / sizeof(regs[0]); i++) {
		uint64_t v = 0x5a5a5a5a;

		assert_int_equal(access(regs[i], 4, true, &v), 0);
		v = 0xff;
		assert_int_equal(access(regs[i], 1, true, &v), 0);
		assert_int_equal(read_ok(regs[i], 4), regs[i] == 0 ? 0x74726976 : 0);
	}
	assert_int_equal(read_ok(VIRTIO_MMIO_VERSION, 4), 2);
}

/* The slot is 4 KiB in the device tree, but only the register window
 * decodes: the rest faults, as on bare QEMU (an access fault for the
 * guest), and so does an access running past the window's end. */
static void test_virtio_mmio_outside_register_window_rejected(void **state)
{
	uint64_t v = 0;

	(void)state;
	assert_int_equal(access(BOARD_VIRTIO_REGION, 4, false, &v), -1);
	assert_int_equal(access(0xffc, 4, false, &v), -1);
	assert_int_equal(access(0xfff, 1, false, &v), -1);
	assert_int_equal(access(BOARD_VIRTIO_REGION - 4, 8, false, &v), -1);
	v = 1;
	assert_int_equal(access(BOARD_VIRTIO_REGION, 4, true, &v), -1);
	assert_int_equal(read_ok(BOARD_VIRTIO_REGION - 4, 4), 0);
}

/* ---- the transport with a device model behind it ------------------------ */

static struct vm *tvm;
static unsigned toy_notified, toy_resets;
static uint8_t toy_cfg_written[8];

static uint64_t toy_features(struct virtio_mmio_dev *d)
{
	(void)d;
	return 1ULL << 3 | 1ULL << 35;
}

static void toy_cfg_read(struct virtio_mmio_dev *d, uint8_t *buf)
{
	(void)d;
	for (unsigned i = 0; i < 6; i++)
		buf[i] = (uint8_t)(0x10 + i);
}

static void toy_cfg_write(struct virtio_mmio_dev *d, uint32_t off, const uint8_t *b, unsigned len)
{
	(void)d;
	memcpy(toy_cfg_written + off, b, len);
}

static void toy_notify(struct virtio_mmio_dev *d, unsigned q)
{
	(void)d, (void)q;
	toy_notified++;
}

static void toy_reset(struct virtio_mmio_dev *d)
{
	(void)d;
	toy_resets++;
}

static const struct virtio_ops toy_ops = {
	.name = "toy", .device_id = 42, .nqueues = 2, .features = toy_features,
	.cfg_len = 6, .cfg_read = toy_cfg_read, .cfg_write = toy_cfg_write,
	.notify = toy_notify, .reset = toy_reset,
};

#define TOY_IRQ 7

static int setup_dev(void **state)
{
	(void)state;
	tvm = fake_gram_create();
	memset(&dev, 0xa5, sizeof(dev));
	virtio_mmio_init(&dev, 6, tvm, (struct irq_line){ tvm, TOY_IRQ });
	toy_notified = toy_resets = 0;
	virtio_mmio_attach(&dev, &toy_ops, NULL);
	return 0;
}

static int teardown_dev(void **state)
{
	(void)state;
	fake_gram_destroy(tvm);
	return 0;
}

static void wr(uint64_t offset, uint32_t v)
{
	uint64_t value = v;
	assert_int_equal(access(offset, 4, true, &value), 0);
}

/* A queue set up as a driver does, on queue sel. */
static void setup_queue(unsigned sel, uint64_t desc)
{
	wr(VIRTIO_MMIO_QUEUE_SEL, sel);
	wr(VIRTIO_MMIO_QUEUE_NUM, 16);
	wr(VIRTIO_MMIO_QUEUE_DESC_LOW, (uint32_t)desc);
	wr(VIRTIO_MMIO_QUEUE_DESC_HIGH, (uint32_t)(desc >> 32));
	wr(VIRTIO_MMIO_QUEUE_DRIVER_LOW, (uint32_t)(FAKE_GRAM_BASE + 0x2000));
	wr(VIRTIO_MMIO_QUEUE_DRIVER_HIGH, 0);
	wr(VIRTIO_MMIO_QUEUE_DEVICE_LOW, (uint32_t)(FAKE_GRAM_BASE + 0x3000));
	wr(VIRTIO_MMIO_QUEUE_DEVICE_HIGH, 0);
	wr(VIRTIO_MMIO_QUEUE_READY, 1);
}

static void test_virtio_mmio_device_identity_and_features(void **state)
{
	(void)state;
	assert_int_equal(read_ok(VIRTIO_MMIO_DEVICE_ID, 4), 42);
	assert_int_equal(read_ok(VIRTIO_MMIO_VERSION, 4), 2);
	wr(VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
	assert_int_equal(read_ok(VIRTIO_MMIO_DEVICE_FEATURES, 4), 1u << 3);
	wr(VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);
	/* VERSION_1 (bit 32) is always offered: a modern device only. */
	assert_int_equal(read_ok(VIRTIO_MMIO_DEVICE_FEATURES, 4), 1u << 0 | 1u << 3);
	wr(VIRTIO_MMIO_DEVICE_FEATURES_SEL, 2);
	assert_int_equal(read_ok(VIRTIO_MMIO_DEVICE_FEATURES, 4), 0);
	/* Registers below the configuration space answer 4-byte reads only. */
	assert_int_equal(read_ok(VIRTIO_MMIO_DEVICE_ID, 1), 0);
}

static void test_virtio_mmio_features_ok_refused_for_unoffered(void **state)
{
	(void)state;
	wr(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
	wr(VIRTIO_MMIO_DRIVER_FEATURES, 1u << 3 | 1u << 4);    /* 4 not offered */
	wr(VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER |
			       VIRTIO_STATUS_FEATURES_OK);
	assert_int_equal(read_ok(VIRTIO_MMIO_STATUS, 4), 3);
	wr(VIRTIO_MMIO_DRIVER_FEATURES, 1u << 3);
	wr(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	wr(VIRTIO_MMIO_DRIVER_FEATURES, 1u << 0);
	wr(VIRTIO_MMIO_STATUS, 0xb);
	assert_int_equal(read_ok(VIRTIO_MMIO_STATUS, 4), 0xb);
	assert_true(virtio_mmio_has_feature(&dev, 32));
	assert_false(virtio_mmio_has_feature(&dev, 4));
}

static void test_virtio_mmio_queue_num_max_only_for_existing_queues(void **state)
{
	(void)state;
	wr(VIRTIO_MMIO_QUEUE_SEL, 1);
	assert_int_equal(read_ok(VIRTIO_MMIO_QUEUE_NUM_MAX, 4), VIRTIO_MMIO_QUEUE_MAX);
	wr(VIRTIO_MMIO_QUEUE_SEL, 2);
	assert_int_equal(read_ok(VIRTIO_MMIO_QUEUE_NUM_MAX, 4), 0);
	/* Writes to a queue that does not exist change nothing. */
	wr(VIRTIO_MMIO_QUEUE_READY, 1);
	assert_int_equal(read_ok(VIRTIO_MMIO_QUEUE_READY, 4), 0);
}

static void test_virtio_mmio_queue_ready_and_notify(void **state)
{
	(void)state;
	/* A notification for a queue never set up is dropped. */
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, 5);
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, 0xffffffff);
	assert_int_equal(toy_notified, 0);
	setup_queue(0, FAKE_GRAM_BASE + 0x1000);
	assert_int_equal(read_ok(VIRTIO_MMIO_QUEUE_READY, 4), 1);
	assert_int_equal(dev.vq[0].num, 16);
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	assert_int_equal(toy_notified, 1);
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, 1);        /* queue 1 was never made ready */
	assert_int_equal(toy_notified, 1);
	assert_int_equal(read_ok(VIRTIO_MMIO_STATUS, 4) & VIRTIO_STATUS_NEEDS_RESET, 0);
}

static void test_virtio_mmio_bad_queue_setup_needs_reset(void **state)
{
	(void)state;
	wr(VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER |
			       VIRTIO_STATUS_DRIVER_OK);
	setup_queue(0, FAKE_GRAM_BASE + 0x1008);        /* misaligned */
	assert_int_equal(read_ok(VIRTIO_MMIO_QUEUE_READY, 4), 0);
	assert_true(read_ok(VIRTIO_MMIO_STATUS, 4) & VIRTIO_STATUS_NEEDS_RESET);
	/* The configuration change notification, on the slot's line. */
	assert_int_equal(read_ok(VIRTIO_MMIO_INTERRUPT_STATUS, 4), VIRTIO_ISR_CONFIG);
	assert_true(fake_irq_level[TOY_IRQ]);
	assert_int_equal(read_ok(VIRTIO_MMIO_CONFIG_GENERATION, 4), 1);
	/* Broken: nothing reaches the model until a reset. */
	setup_queue(1, FAKE_GRAM_BASE + 0x1000);
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, 1);
	assert_int_equal(toy_notified, 0);
	/* Out of RAM: the same. */
	wr(VIRTIO_MMIO_STATUS, 0);
	setup_queue(0, BOARD_UART_GPA);
	assert_true(read_ok(VIRTIO_MMIO_STATUS, 4) & VIRTIO_STATUS_NEEDS_RESET);
}

static void test_virtio_mmio_interrupt_and_ack(void **state)
{
	(void)state;
	virtio_mmio_notify_used(&dev);
	assert_int_equal(read_ok(VIRTIO_MMIO_INTERRUPT_STATUS, 4), VIRTIO_ISR_QUEUE);
	assert_true(fake_irq_level[TOY_IRQ]);
	wr(VIRTIO_MMIO_INTERRUPT_ACK, VIRTIO_ISR_QUEUE);
	assert_int_equal(read_ok(VIRTIO_MMIO_INTERRUPT_STATUS, 4), 0);
	assert_false(fake_irq_level[TOY_IRQ]);
}

static void test_virtio_mmio_status_zero_resets(void **state)
{
	(void)state;
	uint32_t gen = dev.reset_gen;
	unsigned resets = toy_resets;
	setup_queue(0, FAKE_GRAM_BASE + 0x1000);
	wr(VIRTIO_MMIO_STATUS, 0xf);
	virtio_mmio_notify_used(&dev);
	wr(VIRTIO_MMIO_STATUS, 0);
	assert_int_equal(read_ok(VIRTIO_MMIO_STATUS, 4), 0);
	assert_int_equal(read_ok(VIRTIO_MMIO_QUEUE_READY, 4), 0);
	assert_int_equal(read_ok(VIRTIO_MMIO_INTERRUPT_STATUS, 4), 0);
	assert_false(fake_irq_level[TOY_IRQ]);
	assert_int_equal(dev.reset_gen, gen + 1);
	assert_int_equal(toy_resets, resets + 1);
}

static void test_virtio_mmio_config_space(void **state)
{
	uint64_t v = 0xaabb;
	(void)state;
	assert_int_equal(read_ok(VIRTIO_MMIO_CONFIG, 4), 0x13121110);
	assert_int_equal(read_ok(VIRTIO_MMIO_CONFIG + 5, 1), 0x15);
	assert_int_equal(read_ok(VIRTIO_MMIO_CONFIG + 4, 2), 0x1514);
	/* Past its end: all ones, as QEMU's virtio_config_modern_read*. */
	assert_int_equal(read_ok(VIRTIO_MMIO_CONFIG + 4, 4), 0xffffffff);
	assert_int_equal(read_ok(VIRTIO_MMIO_CONFIG + 6, 1), 0xff);
	assert_int_equal(access(VIRTIO_MMIO_CONFIG + 2, 2, true, &v), 0);
	assert_int_equal(toy_cfg_written[2], 0xbb);
	assert_int_equal(toy_cfg_written[3], 0xaa);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_virtio_mmio_init_names_slot, setup),
		cmocka_unit_test_setup(test_virtio_mmio_empty_identity_registers, setup),
		cmocka_unit_test_setup(test_virtio_mmio_empty_other_registers_read_zero, setup),
		cmocka_unit_test_setup(test_virtio_mmio_narrow_reads_match_only_at_register_offset, setup),
		cmocka_unit_test_setup(test_virtio_mmio_wide_reads_are_two_words, setup),
		cmocka_unit_test_setup(test_virtio_mmio_empty_ignores_writes, setup),
		cmocka_unit_test_setup(test_virtio_mmio_outside_register_window_rejected, setup),
		cmocka_unit_test_setup_teardown(test_virtio_mmio_device_identity_and_features, setup_dev, teardown_dev),
		cmocka_unit_test_setup_teardown(test_virtio_mmio_features_ok_refused_for_unoffered, setup_dev, teardown_dev),
		cmocka_unit_test_setup_teardown(test_virtio_mmio_queue_num_max_only_for_existing_queues, setup_dev, teardown_dev),
		cmocka_unit_test_setup_teardown(test_virtio_mmio_queue_ready_and_notify, setup_dev, teardown_dev),
		cmocka_unit_test_setup_teardown(test_virtio_mmio_bad_queue_setup_needs_reset, setup_dev, teardown_dev),
		cmocka_unit_test_setup_teardown(test_virtio_mmio_interrupt_and_ack, setup_dev, teardown_dev),
		cmocka_unit_test_setup_teardown(test_virtio_mmio_status_zero_resets, setup_dev, teardown_dev),
		cmocka_unit_test_setup_teardown(test_virtio_mmio_config_space, setup_dev, teardown_dev),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
