test_virtio_net_SRCS := src/dev/virtio_net.c src/dev/virtio_mmio.c src/dev/virtq.c src/core/vswitch.c src/core/guestmem.c src/core/realmap.c tests/unit/fakes/fake_guest_ram.c
