test_realmap_SRCS := src/core/realmap.c
