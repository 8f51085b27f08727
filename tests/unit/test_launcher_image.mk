# Launcher kernel images: raw and ELF64 RISC-V flattening (pure, no QEMU).
test_launcher_image_SRCS := tools/launcher/image.c
