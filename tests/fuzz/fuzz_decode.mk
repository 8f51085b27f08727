fuzz_decode_SRCS := src/arch/riscv/decode.c
