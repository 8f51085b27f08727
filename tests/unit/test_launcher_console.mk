# The launcher's console demultiplexer and monitor queue (no QEMU, no terminal).
test_launcher_console_SRCS := tools/launcher/console.c
