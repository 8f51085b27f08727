test_sbi_sta_SRCS := $(sort $(wildcard src/core/sbi/*.c)) src/core/realmap.c tests/unit/fakes/fake_vm.c $(sort $(wildcard tests/unit/fakes/fake_sbi_*.c))
