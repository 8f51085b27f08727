fuzz_misaligned_SRCS := src/arch/riscv/misaligned.c
