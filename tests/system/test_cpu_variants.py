"""The virtual CSR file learns its WARL behaviour from the host CPU, so the
guests must match bare QEMU on CPU variants too (issue 2, item 3): without
Sstc, with Svpbmt/Svnapot/Svinval, without F and D, with V."""
import pytest

from trapeze_run import compared, first_difference, run_guest

VARIANTS = [
    ("rv64,h=false,sstc=false", "rv64,h=false,sstc=false"),
    ("rv64,h=true,sstc=false", "rv64,h=false,sstc=false"),
    ("rv64,h=false,svpbmt=true,svnapot=true,svinval=true",
     "rv64,h=false,svpbmt=true,svnapot=true,svinval=true"),
    ("rv64,h=false,f=false,d=false", "rv64,h=false,f=false,d=false"),
    ("rv64,h=false,v=true", "rv64,h=false,v=true"),
]


@pytest.mark.parametrize("cpu,bare_cpu", VARIANTS)
@pytest.mark.parametrize("name", ["csr", "traps", "interrupts", "umode"])
def test_guest_matches_bare_on_cpu_variant(name, cpu, bare_cpu):
    ref = run_guest(name, cpu=bare_cpu, bare=True)
    got = run_guest(name, cpu=cpu)
    assert ref.status == 0 and ref.guest_lines[-1:] == ["done"], ref.output
    assert got.status == 0, got.output
    diff = first_difference(compared(ref.guest_lines), compared(got.guest_lines))
    assert diff is None, f"{name} on {cpu}: {diff}"
