# Launcher config parsing and layout arithmetic (pure, no QEMU).
test_config_SRCS := tools/launcher/config.c tools/launcher/layout.c
test_config_LIBS := -linih
