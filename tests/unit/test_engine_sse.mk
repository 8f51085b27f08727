# The SBI SSE operations of both engines over the fake CSR layer: each
# engine's sources as test_engine_trap and test_engine_hw build them (the
# test fakes SBI, devices, the scheduler, the timer, FP and the probe).
test_engine_sse_SRCS := src/arch/riscv/engine_trap.c src/arch/riscv/engine_trap_mem.c \
	src/arch/riscv/insn.c src/arch/riscv/patch.c src/arch/riscv/patch_decide.c src/arch/riscv/vcsr.c src/arch/riscv/decode.c \
	src/arch/riscv/emulate_mem.c src/arch/riscv/misaligned.c src/arch/riscv/gpt.c \
	src/arch/riscv/shadow.c src/arch/riscv/pgtable.c src/arch/riscv/mmu.c \
	src/arch/riscv/dispatch.c src/arch/riscv/vcpu.c src/core/realmap.c src/core/vcpu.c \
	src/arch/riscv/guest_pt.c src/core/guestmem.c src/arch/riscv/engine_hw.c \
	src/arch/riscv/engine_hw_mem.c src/arch/riscv/gstage.c src/arch/riscv/vmid.c \
	tests/unit/fakes/fake_csr.c tests/unit/fakes/fake_frames.c tests/unit/fakes/fake_legalise.c \
	src/arch/riscv/pmu.c tests/unit/fakes/fake_pmu_engine.c
test_engine_sse_SRCS += tests/unit/fakes/fake_hostirq.c
