test_patch_decide_SRCS := src/arch/riscv/patch_decide.c src/arch/riscv/decode.c
