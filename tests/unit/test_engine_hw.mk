# The hw engine's handlers and ops, through the dispatcher, over the fake
# CSR layer (VS CSRs, hvip, htval/htinst, HLV/HLVX, hfences); guest RAM,
# G-stage tables and page-table frames are host memory (the test fakes the
# frame allocator, SBI, devices, scheduler, timer, FP and the probe).
test_engine_hw_SRCS := src/arch/riscv/engine_hw.c src/arch/riscv/engine_hw_mem.c \
	src/arch/riscv/gstage.c src/arch/riscv/pgtable.c src/arch/riscv/mmu.c \
	src/arch/riscv/dispatch.c src/arch/riscv/decode.c src/arch/riscv/emulate_mem.c \
	src/arch/riscv/misaligned.c src/arch/riscv/gpt.c src/arch/riscv/guest_pt.c \
	src/arch/riscv/vmid.c src/arch/riscv/vcpu.c src/core/vcpu.c src/core/realmap.c \
	src/core/guestmem.c tests/unit/fakes/fake_csr.c \
	tests/unit/fakes/fake_frames.c tests/unit/fakes/fake_legalise.c src/arch/riscv/pmu.c tests/unit/fakes/fake_pmu_engine.c
test_engine_hw_SRCS += tests/unit/fakes/fake_hostirq.c
