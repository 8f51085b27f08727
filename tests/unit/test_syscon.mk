# The sifive,test finisher; the test fakes vm_power_off and lifecycle_reset itself.
test_syscon_SRCS := src/dev/syscon.c
