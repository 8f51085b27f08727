fuzz_patch_SRCS := src/arch/riscv/patch_decide.c src/arch/riscv/decode.c
