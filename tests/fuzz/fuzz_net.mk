fuzz_net_SRCS := src/core/vswitch.c src/dev/virtq.c src/dev/virtio_mmio.c src/dev/virtio_net.c \
	src/core/guestmem.c src/core/realmap.c tests/unit/fakes/fake_guest_ram.c tests/unit/fakes/fake_host_frames.c
