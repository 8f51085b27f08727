/*
 * Unit tests of src/dev/syscon.c, the sifive,test finisher of QEMU virt
 * (hw/misc/sifive_test.c): which writes power the VM off or reset it,
 * which are ignored, what reads return and which access sizes fault. The
 * two VM calls it makes are faked here and recorded.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "core/lifecycle.h"
#include "core/vm.h"
#include "dev/syscon.h"

static struct vm vm;
static unsigned power_offs, reboots;
static enum vm_exit power_off_why;
static struct vm *called_vm;

void vm_power_off(struct vm *v, enum vm_exit why)
{
	power_offs++;
	power_off_why = why;
	called_vm = v;
}

int lifecycle_reset(struct vm *v)
{
	reboots++;
	called_vm = v;
	return 0;
}

static int setup(void **state)
{
	(void)state;
	memset(&vm, 0, sizeof(vm));
	power_offs = reboots = 0;
	power_off_why = VM_EXIT_NONE;
	called_vm = NULL;
	return 0;
}

static int access(uint64_t off, unsigned width, bool write, uint64_t *val)
{
	struct mmio_access a = {
		.gpa = BOARD_TEST_GPA + off, .offset = off, .width = width, .write = write,
		.value = write ? *val : 0xdeadbeefdeadbeefULL,
	};
	struct mmio_device dev = { .name = syscon_model.name, .access = syscon_model.access };
	int r = syscon_model.access(&dev, &vm, &a);
	if (!write)
		*val = a.value;
	return r;
}

static int wr(uint64_t off, unsigned width, uint64_t val)
{
	return access(off, width, true, &val);
}

static void test_syscon_init_descriptor(void **state)
{
	(void)state;
	assert_string_equal(syscon_model.name, "syscon");
	assert_non_null(syscon_model.access);
	assert_non_null(syscon_model.create);
	assert_null(syscon_model.timer);
}

static void test_syscon_pass_powers_off_clean(void **state)
{
	(void)state;
	assert_int_equal(wr(0, 4, SYSCON_FINISHER_PASS), MMIO_HALT);
	assert_int_equal(power_offs, 1);
	assert_int_equal(power_off_why, VM_EXIT_CLEAN);
	assert_ptr_equal(called_vm, &vm);
	assert_int_equal(reboots, 0);
}

static void test_syscon_pass_as_16bit_store(void **state)
{
	(void)state;
	/* OpenSBI's sifive_test driver uses writew. */
	assert_int_equal(wr(0, 2, SYSCON_FINISHER_PASS), MMIO_HALT);
	assert_int_equal(power_offs, 1);
	assert_int_equal(power_off_why, VM_EXIT_CLEAN);
}

static void test_syscon_fail_with_code(void **state)
{
	(void)state;
	assert_int_equal(wr(0, 4, SYSCON_FINISHER_FAIL | (42u << 16)), MMIO_HALT);
	assert_int_equal(power_offs, 1);
	assert_int_equal(power_off_why, VM_EXIT_FAILURE);
	/* The largest code still means FAIL. */
	assert_int_equal(wr(0, 4, SYSCON_FINISHER_FAIL | (0xffffu << 16)), MMIO_HALT);
	assert_int_equal(power_offs, 2);
	assert_int_equal(power_off_why, VM_EXIT_FAILURE);
	assert_int_equal(reboots, 0);
}

static void test_syscon_fail_without_code_is_a_failure(void **state)
{
	(void)state;
	/* QEMU would exit(0) here; a VM that says FAIL still failed. */
	assert_int_equal(wr(0, 2, SYSCON_FINISHER_FAIL), MMIO_HALT);
	assert_int_equal(power_offs, 1);
	assert_int_equal(power_off_why, VM_EXIT_FAILURE);
}

static void test_syscon_reset_reboots(void **state)
{
	(void)state;
	assert_int_equal(wr(0, 4, SYSCON_FINISHER_RESET), MMIO_HALT);
	assert_int_equal(reboots, 1);
	assert_ptr_equal(called_vm, &vm);
	assert_int_equal(power_offs, 0);
	assert_int_equal(wr(0, 2, SYSCON_FINISHER_RESET), MMIO_HALT);
	assert_int_equal(reboots, 2);
	/* A code in bits 31:16 does not change what RESET means. */
	assert_int_equal(wr(0, 4, SYSCON_FINISHER_RESET | (7u << 16)), MMIO_HALT);
	assert_int_equal(reboots, 3);
}

static void test_syscon_other_values_ignored(void **state)
{
	(void)state;
	static const uint32_t values[] = {
		0, 1, 0x1234, 0x5556, 0x3332, 0x7778, 0xffff,
		0x55550000, 0x77770000, 0x33330000,     /* the value in the code half */
	};
	for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
		assert_int_equal(wr(0, 4, values[i]), 0);
		assert_int_equal(wr(0, 2, values[i]), 0);
	}
	assert_int_equal(power_offs + reboots, 0);
}

static void test_syscon_only_stored_bytes_count(void **state)
{
	(void)state;
	/* sw stores bits 31:0 of a register whose upper half is set. */
	assert_int_equal(wr(0, 4, 0xffffffff00005555ULL), MMIO_HALT);
	assert_int_equal(power_off_why, VM_EXIT_CLEAN);
	/* sh stores bits 15:0: 0x5555, whatever the register holds above. */
	assert_int_equal(wr(0, 2, 0x33335555ULL), MMIO_HALT);
	assert_int_equal(power_off_why, VM_EXIT_CLEAN);
	assert_int_equal(power_offs, 2);
	/* ...and a register whose low half is 0 stores nothing special. */
	assert_int_equal(wr(0, 4, 0x0000555500000000ULL), 0);
	assert_int_equal(power_offs, 2);
}

static void test_syscon_other_offsets_ignored(void **state)
{
	(void)state;
	static const uint64_t offs[] = { 4, 8, 0x800, 0xffc };
	for (size_t i = 0; i < sizeof(offs) / sizeof(offs[0]); i++) {
		assert_int_equal(wr(offs[i], 4, SYSCON_FINISHER_PASS), 0);
		assert_int_equal(wr(offs[i], 4, SYSCON_FINISHER_RESET), 0);
	}
	/* The upper half of the word at 0 is a register of its own. */
	assert_int_equal(wr(2, 2, SYSCON_FINISHER_PASS), 0);
	assert_int_equal(wr(0xffe, 2, SYSCON_FINISHER_FAIL), 0);
	assert_int_equal(power_offs + reboots, 0);
}

static void test_syscon_reads_return_zero(void **state)
{
	(void)state;
	static const struct { uint64_t off; unsigned width; } reads[] = {
		{ 0, 4 }, { 0, 2 }, { 2, 2 }, { 4, 4 }, { 0xffc, 4 }, { 0xffe, 2 },
	};
	assert_int_equal(wr(0, 4, 0x1234), 0);
	for (size_t i = 0; i < sizeof(reads) / sizeof(reads[0]); i++) {
		uint64_t v = 0;
		assert_int_equal(access(reads[i].off, reads[i].width, false, &v), 0);
		assert_int_equal(v, 0);
	}
	assert_int_equal(power_offs + reboots, 0);
}

static void test_syscon_byte_and_doubleword_accesses_fault(void **state)
{
	(void)state;
	uint64_t v;

	assert_int_equal(wr(0, 1, SYSCON_FINISHER_PASS), -1);
	assert_int_equal(wr(0, 8, SYSCON_FINISHER_PASS), -1);
	assert_int_equal(wr(0, 8, SYSCON_FINISHER_RESET), -1);
	assert_int_equal(wr(0, 1, 0x55), -1);
	assert_int_equal(access(0, 1, false, &v), -1);
	assert_int_equal(access(8, 8, false, &v), -1);
	assert_int_equal(power_offs + reboots, 0);
}

static void test_syscon_misaligned_accesses_fault(void **state)
{
	(void)state;
	uint64_t v;

	assert_int_equal(wr(2, 4, SYSCON_FINISHER_PASS), -1);
	assert_int_equal(wr(1, 2, SYSCON_FINISHER_PASS), -1);
	assert_int_equal(access(6, 4, false, &v), -1);
	assert_int_equal(access(3, 2, false, &v), -1);
	assert_int_equal(power_offs + reboots, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_syscon_init_descriptor, setup),
		cmocka_unit_test_setup(test_syscon_pass_powers_off_clean, setup),
		cmocka_unit_test_setup(test_syscon_pass_as_16bit_store, setup),
		cmocka_unit_test_setup(test_syscon_fail_with_code, setup),
		cmocka_unit_test_setup(test_syscon_fail_without_code_is_a_failure, setup),
		cmocka_unit_test_setup(test_syscon_reset_reboots, setup),
		cmocka_unit_test_setup(test_syscon_other_values_ignored, setup),
		cmocka_unit_test_setup(test_syscon_only_stored_bytes_count, setup),
		cmocka_unit_test_setup(test_syscon_other_offsets_ignored, setup),
		cmocka_unit_test_setup(test_syscon_reads_return_zero, setup),
		cmocka_unit_test_setup(test_syscon_byte_and_doubleword_accesses_fault, setup),
		cmocka_unit_test_setup(test_syscon_misaligned_accesses_fault, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
