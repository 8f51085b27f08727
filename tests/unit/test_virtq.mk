test_virtq_SRCS := src/dev/virtq.c src/core/guestmem.c src/core/realmap.c tests/unit/fakes/fake_frames.c tests/unit/fakes/fake_guest_ram.c
