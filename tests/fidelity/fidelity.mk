# Differential fidelity suite (tests/fidelity/README.md): random S-mode
# programs on bare QEMU and under Trapeze, compared line by line.
#
#   make fuzz-fidelity               200 programs with random seeds
#   make fuzz-fidelity SEEDS=1000    more
#   make fuzz-fidelity FIDELITY_ARGS="--seeds 1-200 --no-reduce"
#   make fuzz-fidelity FIDELITY_ARGS="--random 200 --engine hw"   the hw engine (rv64,h=true)
#
# Prints the programs compared, every difference (seed, first differing
# line, a reduced reproducer in $(BUILD)/fidelity/repro-SEED.S and its known
# class, if any) and the coverage. Fails on a difference of no known class.
BUILD ?= build
CROSS ?= riscv64-linux-gnu-
SEEDS ?= 200
FIDELITY_PY ?= /usr/bin/python3
FIDELITY_ARGS ?= --random $(SEEDS)

.PHONY: fuzz-fidelity
fuzz-fidelity: $(BUILD)/trapeze.bin $(BUILD)/trapeze
	CROSS=$(CROSS) $(FIDELITY_PY) tests/fidelity/run.py --build $(BUILD) $(FIDELITY_ARGS)
