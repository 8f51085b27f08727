"""SBI behaviour asserted on its own (issue 2, item 6): where Trapeze
implements SBI v2.0 and OpenSBI 1.1 (SBI v1.0) answers otherwise, and the
extensions Trapeze offers that OpenSBI 1.1 lacks (DBCN). The guest prints
these as spec: and info: lines, outside the bare-vs-Trapeze comparison."""
import functools
import pytest

from trapeze_run import CPUS, run_guest

SBI_ERR_NOT_SUPPORTED = -2
SBI_ERR_INVALID_PARAM = -3

# SBI v2.0, "Hart list parameter": an absent hart in the mask is an error,
# and nothing is done; HSM hart_suspend: an unimplemented platform-specific
# type is SBI_ERR_INVALID_PARAM.
TRAPEZE_SPEC = [
    "spec: ipi absent mask=1<<5 base=0: error=-3 value=0",
    "spec: ipi mixed mask=0x21 base=0: error=-3 value=0",
    "spec: ipi mixed: ssip=0",
    "spec: rfence fence_i absent: error=-3 value=0",
    "spec: rfence sfence_vma absent: error=-3 value=0",
    "spec: rfence sfence_vma_asid absent: error=-3 value=0",
    "spec: hsm hart_suspend type 0x7fffffff (platform-specific): error=-3 value=0",
]
# OpenSBI 1.1 skips absent harts and follows SBI v1.0 for suspend types.
OPENSBI_SPEC = [
    "spec: ipi absent mask=1<<5 base=0: error=0 value=0",
    "spec: ipi mixed mask=0x21 base=0: error=0 value=0",
    "spec: ipi mixed: ssip=1",
    "spec: rfence fence_i absent: error=0 value=0",
    "spec: rfence sfence_vma absent: error=0 value=0",
    "spec: rfence sfence_vma_asid absent: error=0 value=0",
    "spec: hsm hart_suspend type 0x7fffffff (platform-specific): error=-2 value=0",
]
TRAPEZE_INFO = [
    "info: base spec_version: error=0 value=0x2000000",     # SBI v2.0
    "info: base impl_id: error=0 value=1414683216",          # 0x54525A50, Trapeze
    "info: base probe DBCN: error=0 value=1",
    # SBI v2.0, Debug Console: bytes from guest RAM reach the console; memory
    # outside the VM's RAM (the firmware's, beyond RAM, above 2^64) is
    # SBI_ERR_INVALID_PARAM and nothing is written.
    "info: dbcn write ram: [dbcn text] error=0 value=11",
    "info: dbcn write base_hi=1: error=-3 value=0",
    "info: dbcn write firmware region: error=-3 value=0",
    "info: dbcn write beyond ram: error=-3 value=0",
    "info: dbcn read no input: error=0 value=0",
    "info: dbcn write_byte: [x] error=0 value=0",
]


def tagged(lines, prefix):
    return [l for l in lines if l.startswith(prefix)]


@functools.lru_cache(maxsize=None)
def trapeze(cpu):
    r = run_guest("sbi", cpu=cpu)
    assert r.status == 0, r.output
    return r


@pytest.mark.parametrize("cpu", CPUS)
def test_sbi_v2_hart_masks_and_suspend_types(cpu):
    assert tagged(trapeze(cpu).guest_lines, "spec: ") == TRAPEZE_SPEC


@pytest.mark.parametrize("cpu", CPUS)
def test_sbi_identity_and_debug_console(cpu):
    info = tagged(trapeze(cpu).guest_lines, "info: ")
    for line in TRAPEZE_INFO:
        assert line in info


def test_opensbi_differs_as_documented():
    bare = run_guest("sbi", cpu="rv64,h=false", bare=True)
    assert bare.status == 0
    assert tagged(bare.guest_lines, "spec: ") == OPENSBI_SPEC
    assert "info: base probe DBCN: error=0 value=0" in bare.guest_lines
