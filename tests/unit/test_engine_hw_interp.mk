test_engine_hw_interp_SRCS := src/arch/riscv/engine_hw_interp.c
