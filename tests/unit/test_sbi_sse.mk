# SBI SSE on fake VMs: every SBI extension (sbi_dispatch and BASE probing
# see them all) with the fakes test_sbi links, fake_sbi_sse.c's engine among them.
test_sbi_sse_SRCS := $(sort $(wildcard src/core/sbi/*.c)) src/core/realmap.c tests/unit/fakes/fake_vm.c $(sort $(wildcard tests/unit/fakes/fake_sbi_*.c))
