fuzz_gstage_SRCS := src/arch/riscv/gstage.c src/arch/riscv/pgtable.c src/core/realmap.c
