# Launcher QEMU command lines and child supervision (runs /bin/sh, no QEMU).
test_launcher_qemu_SRCS := tools/launcher/qemu.c tools/launcher/config.c tools/launcher/fdio.c
test_launcher_qemu_LIBS := -linih
