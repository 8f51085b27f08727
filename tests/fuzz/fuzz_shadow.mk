fuzz_shadow_SRCS := src/arch/riscv/shadow.c src/arch/riscv/gpt.c src/arch/riscv/pgtable.c src/core/realmap.c
