# The sifive,test finisher; the test fakes vm_power_off and vm_reboot itself.
test_syscon_SRCS := src/dev/syscon.c
