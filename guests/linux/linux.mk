# The Linux guest (guests/linux/README.md): `make linux` builds
# $(BUILD)/linux/Image and $(BUILD)/linux/initramfs.cpio.gz, `make linux-clean`
# removes $(BUILD)/linux (fetched and unpacked sources included),
# `make linux-check` boots it on bare QEMU and checks init, shell and benchmarks.
#
# The kernel and busybox scripts keep their own caches (keyed by their
# inputs) and leave their outputs untouched when nothing changed, so they run
# every time and make decides from the outputs' mtimes what follows.
#
# Included from the top Makefile before its first rule: the default goal is
# kept as it was.
LINUX_SAVED_GOAL := $(.DEFAULT_GOAL)

CROSS  ?= riscv64-linux-gnu-
BUILD  ?= build
HOSTCC ?= gcc

LINUX_SRC    := guests/linux
LINUX_OUT    := $(BUILD)/linux
LINUX_CFLAGS := -std=c11 -Wall -Wextra -Werror -O2 -static -s
LINUX_PROGS  := $(LINUX_OUT)/init $(LINUX_OUT)/bench $(LINUX_OUT)/bench-nop $(LINUX_OUT)/perf-check
LINUX_ENV    := CROSS=$(CROSS) BUILD=$(BUILD)

.PHONY: linux linux-clean linux-check linux-deps linux-force
linux: $(LINUX_OUT)/Image $(LINUX_OUT)/initramfs.cpio.gz

linux-deps:
	@bash scripts/install-deps.sh

$(LINUX_OUT)/Image: linux-force | linux-deps
	@$(LINUX_ENV) bash $(LINUX_SRC)/build-kernel.sh

$(LINUX_OUT)/busybox: linux-force | linux-deps
	@$(LINUX_ENV) bash $(LINUX_SRC)/build-busybox.sh

# The kernel tree's cpio writer; needs no root for device nodes or owners.
# build-kernel.sh unpacks it (and leaves it alone when rebuilding the kernel).
$(LINUX_OUT)/src/usr/gen_init_cpio.c: | $(LINUX_OUT)/Image ;
$(LINUX_OUT)/gen_init_cpio: $(LINUX_OUT)/src/usr/gen_init_cpio.c
	$(HOSTCC) -O2 -o $@ $<

$(LINUX_OUT)/init: $(LINUX_SRC)/init.c
	@mkdir -p $(dir $@)
	$(CROSS)gcc $(LINUX_CFLAGS) -o $@ $<
$(LINUX_OUT)/bench: $(LINUX_SRC)/bench/bench.c
	@mkdir -p $(dir $@)
	$(CROSS)gcc $(LINUX_CFLAGS) -o $@ $<
$(LINUX_OUT)/perf-check: $(LINUX_SRC)/perf/perf.c
	@mkdir -p $(dir $@)
	$(CROSS)gcc $(LINUX_CFLAGS) -o $@ $<
$(LINUX_OUT)/bench-nop: $(LINUX_SRC)/bench/nop.c
	@mkdir -p $(dir $@)
	$(CROSS)gcc $(LINUX_CFLAGS) -nostdlib -fno-pie -no-pie -o $@ $<

# The fixed list plus one symlink per busybox applet but /linuxrc (our /init
# does its job); every applet must sit in a directory the fixed list creates.
$(LINUX_OUT)/initramfs.list: $(LINUX_SRC)/initramfs.list $(LINUX_OUT)/busybox
	@if grep -vxF /linuxrc $(LINUX_OUT)/busybox.links | \
		grep -vE '^/(bin|sbin|usr/bin|usr/sbin)/[^/ ]+$$'; then \
		echo "linux.mk: busybox applets outside /bin /sbin /usr/bin /usr/sbin" >&2; exit 1; fi
	{ cat $<; grep -vxF /linuxrc $(LINUX_OUT)/busybox.links | \
		sed 's|.*|slink & /bin/busybox 0777 0 0|'; } > $@

$(LINUX_OUT)/initramfs.cpio.gz: $(LINUX_OUT)/initramfs.list $(LINUX_OUT)/gen_init_cpio \
		$(LINUX_PROGS) $(LINUX_OUT)/busybox $(wildcard $(LINUX_SRC)/rootfs/*/*)
	TRAPEZE_LINUX_OUT=$(abspath $(LINUX_OUT)) TRAPEZE_LINUX_SRC=$(abspath $(LINUX_SRC)) \
		$(LINUX_OUT)/gen_init_cpio -t 0 $< > $(LINUX_OUT)/initramfs.cpio
	gzip -9 -n -f $(LINUX_OUT)/initramfs.cpio

linux-check: linux $(BUILD)/trapeze
	/usr/bin/python3 $(LINUX_SRC)/check.py

linux-clean:
	rm -rf $(LINUX_OUT)

.DEFAULT_GOAL := $(LINUX_SAVED_GOAL)
