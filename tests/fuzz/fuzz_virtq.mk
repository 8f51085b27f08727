fuzz_virtq_SRCS := src/dev/virtq.c src/dev/virtio_mmio.c src/dev/virtio_blk.c src/dev/virtio_rng.c \
	src/core/guestmem.c src/core/realmap.c tests/unit/fakes/fake_guest_ram.c tests/unit/fakes/fake_host_frames.c
