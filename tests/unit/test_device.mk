# Devices as data: the registry and a VM's board with the real UART, PLIC,
# finisher and RTC models and the virtio-mmio transport (its queue checks
# are stubbed in the test), lines through irq.c, timers.
test_device_SRCS := src/dev/device.c src/dev/uart.c src/dev/plic.c src/dev/syscon.c src/dev/rtc.c src/dev/virtio_mmio.c src/dev/irq.c src/core/realmap.c src/core/fdt.c tests/unit/fakes/fake_irq.c
