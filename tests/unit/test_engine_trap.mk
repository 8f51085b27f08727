# The trap engine's handlers and ops, through the dispatcher, over the fake
# CSR layer; guest RAM and page-table frames are host memory (the test
# fakes the frame allocator, SBI, devices, scheduler, timer and FP).
test_engine_trap_SRCS := src/arch/riscv/engine_trap.c src/arch/riscv/engine_trap_mem.c \
	src/arch/riscv/insn.c src/arch/riscv/patch.c src/arch/riscv/patch_decide.c src/arch/riscv/vcsr.c src/arch/riscv/decode.c \
	src/arch/riscv/emulate_mem.c src/arch/riscv/misaligned.c src/arch/riscv/gpt.c \
	src/arch/riscv/shadow.c src/arch/riscv/pgtable.c src/arch/riscv/mmu.c \
	src/arch/riscv/dispatch.c src/arch/riscv/vcpu.c src/core/realmap.c src/core/vcpu.c \
	src/arch/riscv/guest_pt.c src/core/guestmem.c tests/unit/fakes/fake_csr.c \
	tests/unit/fakes/fake_frames.c tests/unit/fakes/fake_legalise.c src/arch/riscv/pmu.c tests/unit/fakes/fake_pmu_engine.c
test_engine_trap_SRCS += tests/unit/fakes/fake_hostirq.c
