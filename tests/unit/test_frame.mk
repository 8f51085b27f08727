test_frame_SRCS := src/core/frame.c
