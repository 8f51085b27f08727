fuzz_fdt_SRCS := src/core/fdt.c
