test_vcsr_SRCS := src/arch/riscv/vcsr.c src/arch/riscv/insn.c src/arch/riscv/decode.c src/core/vcpu.c tests/unit/fakes/fake_hw.c tests/unit/fakes/fake_legalise.c
