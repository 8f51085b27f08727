test_vmid_SRCS := src/arch/riscv/vmid.c
