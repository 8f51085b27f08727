test_vswitch_SRCS := src/core/vswitch.c
