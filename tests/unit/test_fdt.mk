test_fdt_SRCS := src/core/fdt.c
test_fdt_LIBS := -lfdt
