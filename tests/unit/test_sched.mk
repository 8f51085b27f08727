test_sched_SRCS := src/core/sched.c src/core/vcpu.c
