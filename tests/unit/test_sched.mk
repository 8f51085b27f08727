test_sched_SRCS := src/core/sched.c src/core/sched_queue.c src/core/vcpu.c src/core/lib/format.c \
	tests/unit/fakes/fake_devices.c
