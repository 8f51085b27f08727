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


# The hw engine on the H-capable variants (issue 10): without Sstc (the
# timer through hvip.VSTIP), with Svpbmt/Svnapot/Svinval (henvcfg.PBMTE),
# without F/D. The QEMU 7.2 class vs-sip-stip (test_guests.py) applies.
HW_VARIANTS = [
    ("rv64,h=true,sstc=false", "rv64,h=false,sstc=false"),
    ("rv64,h=true,svpbmt=true,svnapot=true,svinval=true",
     "rv64,h=false,svpbmt=true,svnapot=true,svinval=true"),
    ("rv64,h=true,f=false,d=false", "rv64,h=false,f=false,d=false"),
]


@pytest.mark.parametrize("cpu,bare_cpu", HW_VARIANTS)
@pytest.mark.parametrize("name", ["csr", "umode", "paging_modes", "paging_perm", "interrupts"])
def test_guest_matches_bare_on_cpu_variant_hw(name, cpu, bare_cpu):
    from test_guests import without_hw_known
    ref = run_guest(name, cpu=bare_cpu, bare=True)
    got = run_guest(name, cpu=cpu, engine="hw")
    assert ref.status == 0 and ref.guest_lines[-1:] == ["done"], ref.output
    assert got.status == 0, got.output
    diff = first_difference(*without_hw_known(name, compared(ref.guest_lines),
                                              compared(got.guest_lines)))
    assert diff is None, f"{name} on {cpu} (hw): {diff}\n{got.output}"
