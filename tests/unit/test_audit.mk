# The audit's parsing, rules, classification and report (pure; no QEMU).
test_audit_SRCS := tools/launcher/audit.c tools/launcher/audit_rules.c tools/launcher/audit_run.c \
	tools/launcher/qemu.c tools/launcher/config.c tools/launcher/files.c tools/launcher/fdio.c
test_audit_LIBS := -linih
