/*
 * The board every VM sees: QEMU virt's device layout under OpenSBI, the one
 * description both the launcher's DTB builder (tools/launcher/dtb.c) and the
 * hypervisor's device models (src/dev, src/core/vm.c) read, so that an
 * address or an interrupt line is written once.
 */
#ifndef TRAPEZE_BOARD_H
#define TRAPEZE_BOARD_H

/* The "sifive,test" finisher / syscon (src/dev/syscon.c). */
#define BOARD_TEST_GPA          0x100000ULL
#define BOARD_TEST_SIZE         0x1000ULL

/* The goldfish RTC (src/dev/rtc.c; QEMU 7.2 hw/riscv/virt.c VIRT_RTC,
 * RTC_IRQ): the DTB names 4 KiB, QEMU decodes BOARD_RTC_REGION bytes of
 * 32-bit registers (hw/rtc/goldfish_rtc.c) and the rest faults. */
#define BOARD_RTC_GPA           0x101000ULL
#define BOARD_RTC_SIZE          0x1000ULL
#define BOARD_RTC_REGION        0x24ULL
#define BOARD_RTC_IRQ           11

/* The PLIC (src/dev/plic.c): the DTB names QEMU virt's 6 MiB window;
 * sources 1..BOARD_PLIC_SOURCES-1 exist (VIRT_IRQCHIP_NUM_SOURCES). */
#define BOARD_PLIC_GPA          0x0c000000ULL
#define BOARD_PLIC_SIZE         0x600000ULL
#define BOARD_PLIC_SOURCES      96

/* The ns16550A console (src/dev/uart.c). */
#define BOARD_UART_GPA          0x10000000ULL
#define BOARD_UART_SIZE         0x100ULL
#define BOARD_UART_IRQ          10
#define BOARD_UART_CLOCK        0x384000        /* 3.6864 MHz */

/* The virtio-mmio transports (src/dev/virtio_mmio.c): eight slots of 4 KiB,
 * slot i at BOARD_VIRTIO_GPA + i * BOARD_VIRTIO_STRIDE on PLIC source
 * BOARD_VIRTIO_IRQ + i. The DTB names the whole 4 KiB; QEMU decodes only
 * the first BOARD_VIRTIO_REGION bytes of a slot (its register file and
 * device configuration space), and the rest of the slot faults. */
#define BOARD_VIRTIO_GPA        0x10001000ULL
#define BOARD_VIRTIO_STRIDE     0x1000ULL
#define BOARD_VIRTIO_SLOTS      8
#define BOARD_VIRTIO_REGION     0x200ULL
#define BOARD_VIRTIO_IRQ        1

/* The fixed devices of every VM (src/dev/device.c), in the order they
 * enter its real map table and its statistics: X(model, base, size, PLIC
 * source or 0). */
#define BOARD_FIXED_DEVICES(X) \
	X("uart", BOARD_UART_GPA, BOARD_UART_SIZE, BOARD_UART_IRQ) \
	X("plic", BOARD_PLIC_GPA, BOARD_PLIC_SIZE, 0) \
	X("syscon", BOARD_TEST_GPA, BOARD_TEST_SIZE, 0) \
	X("rtc", BOARD_RTC_GPA, BOARD_RTC_SIZE, BOARD_RTC_IRQ)

#endif
