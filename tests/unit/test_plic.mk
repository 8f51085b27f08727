# Virtual PLIC register model, against a fake of the vCPU interrupt calls.
test_plic_SRCS := src/dev/plic.c tests/unit/fakes/fake_irq.c
