test_dispatch_SRCS := src/arch/riscv/dispatch.c tests/unit/fakes/fake_csr.c
test_dispatch_SRCS += tests/unit/fakes/fake_hostirq.c
