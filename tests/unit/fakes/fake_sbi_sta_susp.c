/*
 * Fakes of the scheduler calls SBI SUSP makes beyond fake_vm.c's (linked
 * into test_sbi, test_sbi_susp and fuzz_sbi with every fake_sbi_*.c). Like
 * fake_vm.c's sched_block it acts at once: the vCPU is BLOCKED and its VM
 * suspended, for tests to inspect.
 */
#include "fakes/fake_vm.h"

void sched_suspend(struct vcpu *v)
{
	v->vm->suspended = true;
	v->vm->suspended_at = platform_time();
	v->state = VCPU_BLOCKED;
}
