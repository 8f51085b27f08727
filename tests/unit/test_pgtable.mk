test_pgtable_SRCS := src/arch/riscv/pgtable.c
