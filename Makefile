# Trapeze: `make` builds everything, `make test` runs every test, `make run`
# boots the default config, `make bench` measures, `make fuzz` fuzzes longer.
CROSS    ?= riscv64-linux-gnu-
BUILD    := build
HOSTCC   ?= gcc
FUZZCC   ?= clang

# --- the hypervisor: freestanding riscv64 --------------------------------
HV_CFLAGS := -std=c11 -Wall -Wextra -Werror -O2 -g \
	-ffreestanding -fno-builtin -nostdlib -fno-pic -fno-pie -fno-stack-protector \
	-fno-omit-frame-pointer -march=rv64imac_zicsr_zifencei -mabi=lp64 \
	-mcmodel=medany -mno-relax -Iinclude -Isrc -MMD -MP -flto=auto
# Link-time optimisation inlines across files: the exit path (dispatcher,
# engine, patcher, emulation, scheduler) is split over many small files,
# and under QEMU every call and return it makes costs a translation-block
# lookup (README, Performance: about a quarter of a patched site's cost).
# string.c stays out of it: GCC emits memcpy/memset calls of its own late.
HV_NOLTO := src/core/lib/string.c
HV_SRCS := $(sort $(wildcard src/arch/riscv/*.S src/arch/riscv/*.c src/core/*.c \
	src/core/lib/*.c src/core/sbi/*.c src/dev/*.c))
HV_OBJS := $(patsubst %,$(BUILD)/hv/%.o,$(HV_SRCS))
HV_LDS  := src/arch/riscv/trapeze.ld

# --- bare-metal test guests: one folder each, guests/lib shared ----------
GUEST_CFLAGS := -std=c11 -Wall -Wextra -Werror -O2 -g \
	-ffreestanding -fno-builtin -nostdlib -fno-pic -fno-pie -fno-stack-protector \
	-march=rv64imafdc_zicsr_zifencei -mabi=lp64d -mcmodel=medany -mno-relax \
	-Iguests/lib -Iinclude -MMD -MP
GUEST_LIB_SRCS := $(sort $(wildcard guests/lib/*.c guests/lib/*.S))
GUEST_LIB_OBJS := $(patsubst %,$(BUILD)/guests/%.o,$(GUEST_LIB_SRCS))
GUEST_NAMES := $(sort $(filter-out lib linux,$(notdir $(patsubst %/,%,$(dir $(wildcard guests/*/*.c guests/*/*.S))))))
GUEST_BINS := $(foreach g,$(GUEST_NAMES),$(BUILD)/guests/$(g).bin $(BUILD)/guests/$(g).elf)

# --- host launcher -------------------------------------------------------
HOST_CFLAGS := -std=c11 -Wall -Wextra -Werror -O2 -g -D_GNU_SOURCE -Iinclude -MMD -MP
LAUNCHER_SRCS := $(sort $(wildcard tools/launcher/*.c))
LAUNCHER_LIBS := -linih -lfdt

# --- host unit tests (cmocka) and fuzz targets (libFuzzer) ---------------
# tests/unit/test_X.mk sets test_X_SRCS (the modules under test);
# tests/fuzz/fuzz_X.mk sets fuzz_X_SRCS.
UNIT_TESTS := $(sort $(basename $(notdir $(wildcard tests/unit/test_*.c))))
FUZZ_TARGETS := $(sort $(basename $(notdir $(wildcard tests/fuzz/fuzz_*.c))))
-include $(wildcard tests/unit/*.mk tests/fuzz/*.mk tools/launcher/*.mk guests/linux/linux.mk tests/fidelity/fidelity.mk)
UNIT_CFLAGS := -std=c11 -Wall -Wextra -Werror -O1 -g -D_GNU_SOURCE -DTRAPEZE_HOST \
	-fsanitize=address,undefined -fno-sanitize-recover=all \
	-Iinclude -Isrc -Itests/unit -Itools/launcher
FUZZ_CFLAGS := -std=c11 -O1 -g -D_GNU_SOURCE -DTRAPEZE_HOST -DTRAPEZE_FUZZ \
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -Iinclude -Isrc -Itests/unit -Itools/launcher

.PHONY: all deps test unit system fuzz bench run clean guests
all: $(BUILD)/trapeze.bin $(BUILD)/trapeze guests

deps:
	@bash scripts/install-deps.sh

$(BUILD)/hv/%.S.o: %.S
	@mkdir -p $(dir $@)
	@echo "  CC      $<"; $(CROSS)gcc $(HV_CFLAGS) -c $< -o $@
$(BUILD)/hv/%.c.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"; $(CROSS)gcc $(HV_CFLAGS) -c $< -o $@
$(BUILD)/trapeze.elf: $(HV_OBJS) $(HV_LDS)
	$(CROSS)gcc $(HV_CFLAGS) -static -no-pie -T $(HV_LDS) -Wl,--no-relax -Wl,--build-id=none \
		-o $@ $(HV_OBJS)
	@sz=$$($(CROSS)nm -S $@ | awk '$$4 == "hw_interp_run" { print $$2 }'); \
	if [ -z "$$sz" ] || [ $$((0x$$sz)) -gt 4096 ]; then \
		echo "$@: hw_interp_run is 0x$$sz bytes: it must fit one 4 KiB page (src/arch/riscv/engine_hw.c)"; \
		rm -f $@; exit 1; fi
$(patsubst %,$(BUILD)/hv/%.o,$(HV_NOLTO)): HV_CFLAGS += -fno-lto
$(BUILD)/trapeze.bin: $(BUILD)/trapeze.elf
	$(CROSS)objcopy -O binary $< $@

$(BUILD)/guests/%.S.o: %.S
	@mkdir -p $(dir $@)
	@echo "  CC      $<"; $(CROSS)gcc $(GUEST_CFLAGS) -c $< -o $@
$(BUILD)/guests/%.c.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"; $(CROSS)gcc $(GUEST_CFLAGS) -c $< -o $@
define GUEST_RULE
$(BUILD)/guests/$(1).elf: $(patsubst %,$(BUILD)/guests/%.o,$(sort $(wildcard guests/$(1)/*.c guests/$(1)/*.S))) $(GUEST_LIB_OBJS) guests/lib/guest.ld
	$(CROSS)ld -nostdlib -T guests/lib/guest.ld --no-relax -o $$@ $$(filter %.o,$$^)
endef
$(foreach g,$(GUEST_NAMES),$(eval $(call GUEST_RULE,$(g))))
$(BUILD)/guests/%.bin: $(BUILD)/guests/%.elf
	$(CROSS)objcopy -O binary $< $@
guests: $(GUEST_BINS)

$(BUILD)/trapeze: $(LAUNCHER_SRCS)
	@mkdir -p $(dir $@)
	$(HOSTCC) $(HOST_CFLAGS) -o $@ $(LAUNCHER_SRCS) $(LAUNCHER_LIBS)


.SECONDEXPANSION:
$(BUILD)/unit/%: tests/unit/%.c $$($$*_SRCS)
	@mkdir -p $(dir $@)
	$(HOSTCC) $(UNIT_CFLAGS) -o $@ $< $($*_SRCS) -lcmocka $($*_LIBS)
$(BUILD)/fuzz/%: tests/fuzz/%.c $$($$*_SRCS)
	@mkdir -p $(dir $@)
	$(FUZZCC) $(FUZZ_CFLAGS) -o $@ $< $($*_SRCS) $($*_LIBS)

unit: $(addprefix $(BUILD)/unit/,$(UNIT_TESTS))
fuzz-build: $(addprefix $(BUILD)/fuzz/,$(FUZZ_TARGETS))

test: deps
	$(MAKE) all unit fuzz-build linux
	bash scripts/run-tests.sh

fuzz: deps
	$(MAKE) fuzz-build
	FUZZ_SECONDS=$${FUZZ_SECONDS:-300} bash scripts/run-fuzz.sh

bench: deps
	$(MAKE) all linux
	/usr/bin/python3 scripts/bench.py

run: deps
	$(MAKE) all linux
	mkdir -p $(BUILD)/run
	for d in trap hw; do [ -e $(BUILD)/run/$$d.img ] || truncate -s 64M $(BUILD)/run/$$d.img; done
	$(BUILD)/trapeze run configs/default.ini

clean:
	rm -rf $(BUILD)

-include $(shell find $(BUILD)/hv $(BUILD)/guests -name '*.d' 2>/dev/null) $(wildcard $(BUILD)/trapeze.d)
