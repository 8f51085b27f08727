# The goldfish RTC register model and the host clock it reads (libfdt
# builds the host DTB).
test_rtc_SRCS := src/dev/rtc.c src/core/fdt.c
test_rtc_LIBS := -lfdt
