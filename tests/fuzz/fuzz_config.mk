# Launcher config parser + validator + layout on arbitrary bytes.
fuzz_config_SRCS := tools/launcher/config.c tools/launcher/layout.c
fuzz_config_LIBS := -linih
