fuzz_gpt_SRCS := src/arch/riscv/gpt.c src/arch/riscv/pgtable.c
