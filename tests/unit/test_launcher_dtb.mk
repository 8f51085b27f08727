# Launcher guest DTBs, host CPU properties, ISA stripping (libfdt, no QEMU).
test_launcher_dtb_SRCS := tools/launcher/dtb.c
test_launcher_dtb_LIBS := -lfdt
