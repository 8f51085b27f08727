"""Differential fidelity (Popek-Goldberg equivalence; tests/fidelity/README.md):
200 random S-mode programs from fixed seeds (tests/fidelity/gen.py, seeds
1..200) run on bare QEMU (rv64,h=false: the virtual CPU has no H extension)
and under Trapeze on rv64,h=false and rv64,h=true; every program's dump
(GPRs, S CSRs, FP state, memory hashes, trap log) must match line by line.

Open known differences (tests/fidelity/known.py CLASSES: each class with
its reading of the RISC-V rules; none now) are not hidden: the exact steps
of these seeds that hit one (known.KNOWN_STEPS, written by `run.py --seeds
1-200 --triage`) are dropped from their programs here, and every class runs
its own reproducer, tests/fidelity/known/CLASS.S, as a strict expected
failure: when Trapeze is fixed, that test XPASSes (and fails) until the
class moves to known.FIXED. Every fixed class keeps its reproducer,
tests/fidelity/fixed/CLASS.S, run here as a regression test.

The hw engine (the guest in VS/VU-mode on the H extension) runs the same
200 seeds on rv64,h=true with the same discipline, per engine: its open
classes are known.HW_CLASSES (bugs of QEMU 7.2's H extension in what the
guest runs natively, which Trapeze cannot work around), their steps
known.HW_KNOWN_STEPS (written by `run.py --seeds 1-200 --engine hw
--triage --write`) are dropped, and each class's reproducer,
tests/fidelity/known-hw/CLASS.S, runs under hw as a strict expected failure
(XPASS, and a failure, the day QEMU is fixed) and under the trap engine as
a regular test: there it must match bare QEMU on every CPU. The fixed
classes' reproducers run under hw too.
"""
from collections import Counter
import functools
import re
import os
import sys

import pytest

from trapeze_run import CPUS, ROOT

FIDELITY = os.path.join(ROOT, "tests", "fidelity")
sys.path.insert(0, FIDELITY)
import gen  # noqa: E402
import known  # noqa: E402
import run  # noqa: E402

SEEDS = range(1, 201)
BARE = (run.BARE_CPU, True)
HW_CPUS = run.HW_CPUS


class TrapezeDiffers(Exception):
    """A known difference still shows (the expected failure)."""


@functools.lru_cache(maxsize=None)
def fidelity():
    fid = run.Fidelity(jobs=2, batch=20, engine="trap")
    progs = []
    for s in SEEDS:
        drop = {i for i, _ in known.KNOWN_STEPS.get(s, ()) if i}
        p = gen.generate(s)
        progs.append(run.drop_steps(p, drop) if drop else p)
    results, outputs = fid.compare_programs(progs, CPUS)
    return fid, progs, results, outputs


def test_fidelity_bare_qemu_runs_every_program():
    """The reference finishes every program (a generator that made bare
    QEMU hang or stop its handler would compare nothing)."""
    _, progs, _, outputs = fidelity()
    missing = [p.seed for p in progs if p.seed not in outputs[BARE]]
    aborted = [s for s, lines in outputs[BARE].items() if any(l.endswith(" aborted") for l in lines)]
    assert not missing, f"bare QEMU did not finish seeds {missing}"
    assert not aborted, f"seeds {aborted} hit the trap limit on bare QEMU"


@pytest.mark.parametrize("cpu", CPUS)
def test_fidelity_programs_match_bare_qemu(cpu):
    _, progs, results, _ = fidelity()
    compared = [r for r in results if r[1] == cpu]
    assert len(compared) == len(progs) >= 200
    diffs = [(s, d) for s, c, d in compared if d is not None]
    assert not diffs, (
        f"{len(diffs)} of {len(compared)} programs differ on {cpu}:\n" +
        "\n".join(f"  seed {s}: line {d[0] + 1}: bare {d[1]!r} trapeze {d[2]!r}" for s, d in diffs) +
        f"\nreduce one: python3 tests/fidelity/run.py --seeds SEED --cpu '{cpu}'")


def test_fidelity_known_steps_are_exact():
    """Every dropped step exists in its program and has a known class."""
    leaves = {s: dict(run.leaf_steps(gen.generate(s))) for s in known.KNOWN_STEPS}
    for seed, items in known.KNOWN_STEPS.items():
        assert seed in SEEDS
        for ident, cls in items:
            assert ident in leaves[seed], f"seed {seed}: no step {ident}"
            assert cls in known.CLASSES, f"seed {seed} step {ident}: class {cls!r}"


def test_fidelity_coverage(capsys):
    """What the 200 programs exercised: instruction kinds (by family), CSRs,
    trap causes seen on bare QEMU. Printed; the main mechanisms must be in."""
    _, progs, _, outputs = fidelity()
    kinds, csrs, causes = run.coverage(progs, outputs[BARE])
    families = run.group_kinds(kinds)
    with capsys.disabled():
        print(f"\nfidelity coverage, {len(progs)} programs, {sum(p.leaves() for p in progs)} steps:")
        print(run.format_counter("instruction kinds by family", families))
        print(run.format_counter("CSRs", csrs))
        print(run.format_counter("traps taken on bare QEMU, by cause", causes))
    for csr in ("sstatus", "sie", "sip", "stvec", "sscratch", "sepc", "scause", "stval",
                "scounteren", "senvcfg", "satp", "stimecmp", "fcsr", "cycle", "time",
                "mstatus", "hstatus", "htimedelta"):
        assert csrs[csr], f"no program touched {csr}"
    for prefix in ("csr.csrrw", "csr.csrrs", "csr.csrrc", "csr.csrrwi", "csr.csrrsi", "csr.csrrci",
                   "csr.csrrw.rd=x0", "csr.csrrs.rs1=x0", "csr.csrrsi.uimm=0", "csr.m.", "csr.h.",
                   "ebreak", "c.ebreak", "illegal.", "sbi.base", "sbi.time", "sbi.ipi", "ecall.u",
                   "sret.s", "wfi.pending", "block.u", "block.paging.sv39", "block.paging.sv48",
                   "block.paging.sv57", "paging.map.l0.data", "paging.map.l1.data",
                   "paging.map.l2.data", "paging.multi-asid", "paging.two-spaces",
                   "paging.pte-write", "paging.fetch.stub", "paging.sstatus.sum", "sfence.vma.all",
                   "mem.c.ld", "mem.c.sdsp", "mem.lr/sc", "mem.amo", "fp.fadd", "fp.fs=0",
                   "mmio.uart", "mmio.uart.hole", "fetch.stub.cross", "pagecross.", "alu.c.",
                   "block.u32", "u32.mem.", "u32.rv64-only.", "mem.ram-end."):
        assert any(k.startswith(prefix) for k in kinds), f"no program has a {prefix}* step"
    for cause in ("illegal", "breakpoint", "ecall-u", "inst-access", "load-access", "store-access",
                  "inst-page", "load-page", "store-page", "interrupt-1"):
        assert causes[cause], f"no program took a {cause} trap on bare QEMU"


def run_reproducer(path, name):
    """Bare QEMU and Trapeze (every CPU) on one reproducer: the differences."""
    fid = fidelity()[0]
    binf, seeds = fid.link(name, [path])
    res = fid.run_configs(binf, [BARE] + [(c, False) for c in CPUS])
    ref = res[BARE][0].get(seeds[0])
    assert ref is not None, f"bare QEMU did not finish {path}"
    diffs = []
    for c in CPUS:
        d = fid.first_difference(ref, res[(c, False)][0].get(seeds[0]))
        if d:
            diffs.append(f"{c}: line {d[0] + 1}: bare {d[1]!r} trapeze {d[2]!r}")
    return diffs


@pytest.mark.parametrize("cls", [
    pytest.param(c, marks=pytest.mark.xfail(raises=TrapezeDiffers, strict=True,
                                            reason=f"known difference {c}: {known.CLASSES[c]}"))
    for c in sorted(known.CLASSES)] or [pytest.param(None, id="none-open")])
def test_fidelity_known_difference(cls):
    """The reproducer of one open class (tests/fidelity/known/CLASS.S).
    With none open, nothing may be hidden: no steps dropped from the fixed
    seeds, no reproducer left without its class."""
    if cls is None:
        assert known.KNOWN_STEPS == {}
        kdir = os.path.join(FIDELITY, "known")
        assert not os.path.isdir(kdir) or not [f for f in os.listdir(kdir) if f.endswith(".S")]
        return
    diffs = run_reproducer(os.path.join(FIDELITY, "known", cls + ".S"), f"known-{cls}")
    if diffs:
        raise TrapezeDiffers("\n".join(diffs))


@pytest.mark.parametrize("cls", sorted(known.FIXED))
def test_fidelity_fixed_difference_stays_fixed(cls):
    """The reproducer of a class found and fixed (tests/fidelity/fixed/
    CLASS.S) matches bare QEMU: what differed, and how it was fixed, in
    known.FIXED."""
    diffs = run_reproducer(os.path.join(FIDELITY, "fixed", cls + ".S"), f"fixed-{cls}")
    assert not diffs, f"{cls} is back ({known.FIXED[cls][0]}):\n" + "\n".join(diffs)


def test_fidelity_every_class_has_its_reproducer():
    for c in known.CLASSES:
        assert os.path.exists(os.path.join(FIDELITY, "known", c + ".S")), c
    for c in known.FIXED:
        assert os.path.exists(os.path.join(FIDELITY, "fixed", c + ".S")), c
    assert not set(known.CLASSES) & set(known.FIXED)


# ---- the hw engine -----------------------------------------------------------

@functools.lru_cache(maxsize=None)
def runner(engine):
    """A runner of one engine, in a folder of its own (nothing it writes
    meets the files of fidelity()'s trap runs)."""
    return run.Fidelity(jobs=2, batch=20, engine=engine,
                        out=os.path.join(ROOT, "build", "fidelity", f"engine-{engine}"))


@functools.lru_cache(maxsize=None)
def fidelity_hw():
    """The 200 seeds under the hw engine, HW_KNOWN_STEPS dropped."""
    fid = runner("hw")
    progs = []
    for s in SEEDS:
        drop = {i for i, _ in known.HW_KNOWN_STEPS.get(s, ()) if i}
        p = gen.generate(s)
        progs.append(run.drop_steps(p, drop) if drop else p)
    results, outputs = fid.compare_programs(progs, HW_CPUS)
    return fid, progs, results, outputs


@pytest.mark.parametrize("cpu", HW_CPUS)
def test_fidelity_programs_match_bare_qemu_hw(cpu):
    _, progs, results, outputs = fidelity_hw()
    compared = [r for r in results if r[1] == cpu]
    assert len(compared) == len(progs) >= 200
    assert not [p.seed for p in progs if p.seed not in outputs[BARE]], "bare QEMU did not finish"
    diffs = [(s, d) for s, c, d in compared if d is not None]
    assert not diffs, (
        f"{len(diffs)} of {len(compared)} programs differ on {cpu} (hw engine):\n" +
        "\n".join(f"  seed {s}: line {d[0] + 1}: bare {d[1]!r} trapeze {d[2]!r}" for s, d in diffs) +
        f"\nreduce one: python3 tests/fidelity/run.py --seeds SEED --cpu '{cpu}' --engine hw")


def test_fidelity_hw_known_steps_are_exact():
    """Every step dropped under hw exists in its program and has an open hw
    class (a difference triage could not name is never dropped)."""
    leaves = {s: dict(run.leaf_steps(gen.generate(s))) for s in known.HW_KNOWN_STEPS}
    for seed, items in known.HW_KNOWN_STEPS.items():
        assert seed in SEEDS
        assert items, f"seed {seed}: no steps"
        for ident, cls in items:
            assert ident in leaves[seed], f"seed {seed}: no step {ident}"
            assert cls in known.HW_CLASSES, f"seed {seed} step {ident}: class {cls!r}"


def run_reproducer_on(fid, path, name, cpus):
    """Bare QEMU and Trapeze (fid's engine, on cpus) on one reproducer:
    {cpu: (first difference or None, bare dump, Trapeze dump)}."""
    binf, seeds = fid.link(name, [path])
    res = fid.run_configs(binf, [BARE] + [(c, False) for c in cpus])
    ref = res[BARE][0].get(seeds[0])
    assert ref is not None, f"bare QEMU did not finish {path}"
    out = {}
    for c in cpus:
        got = res[(c, False)][0].get(seeds[0])
        out[c] = (fid.first_difference(ref, got), ref, got)
    return out


@pytest.mark.parametrize("cls", [
    pytest.param(c, marks=pytest.mark.xfail(raises=TrapezeDiffers, strict=True,
                                            reason=f"known hw difference {c} (QEMU 7.2)"))
    for c in sorted(known.HW_CLASSES)])
def test_fidelity_known_difference_hw(cls):
    """The reproducer of one open hw class (tests/fidelity/known-hw/CLASS.S)
    under the hw engine: it still differs, and as its class says (the hw
    recogniser names it), else the test fails outright."""
    path = os.path.join(FIDELITY, "known-hw", cls + ".S")
    fid = runner("hw")
    leaves, lines = run.program_file_leaves(open(path).read())
    diffs = []
    for c, (d, ref, got) in run_reproducer_on(fid, path, f"known-hw-{cls}", HW_CPUS).items():
        if d:
            got_cls = known.classify(leaves, ref, got, engine="hw", lines=lines)
            assert got_cls == cls, f"{path} on {c} differs, but not as {cls} ({got_cls}): {d}"
            diffs.append(f"{c}: line {d[0] + 1}: bare {d[1]!r} trapeze {d[2]!r}")
    if diffs:
        raise TrapezeDiffers("\n".join(diffs))


@pytest.mark.parametrize("cls", sorted(known.HW_CLASSES))
def test_fidelity_known_hw_difference_matches_under_trap(cls):
    """What QEMU's H extension gets wrong is Trapeze's to get right under
    the trap engine: the hw class's reproducer matches bare QEMU there."""
    path = os.path.join(FIDELITY, "known-hw", cls + ".S")
    res = run_reproducer_on(runner("trap"), path, f"known-hw-trap-{cls}", CPUS)
    diffs = [f"{c}: line {d[0] + 1}: bare {d[1]!r} trapeze {d[2]!r}" for c, (d, _, _) in res.items() if d]
    assert not diffs, f"{cls} under the trap engine:\n" + "\n".join(diffs)


@pytest.mark.parametrize("cls", sorted(known.FIXED))
def test_fidelity_fixed_difference_stays_fixed_hw(cls):
    """The fixed classes' reproducers match bare QEMU under hw too."""
    path = os.path.join(FIDELITY, "fixed", cls + ".S")
    res = run_reproducer_on(runner("hw"), path, f"fixed-hw-{cls}", HW_CPUS)
    diffs = [f"{c}: line {d[0] + 1}: bare {d[1]!r} trapeze {d[2]!r}" for c, (d, _, _) in res.items() if d]
    assert not diffs, f"{cls} is back under hw ({known.FIXED[cls][0]}):\n" + "\n".join(diffs)


def test_fidelity_every_hw_class_has_its_reproducer():
    kdir = os.path.join(FIDELITY, "known-hw")
    files = {f[:-2] for f in os.listdir(kdir) if f.endswith(".S")}
    assert files == set(known.HW_CLASSES), "one reproducer per open hw class, none left over"
    assert not set(known.HW_CLASSES) & set(known.FIXED)
    assert set(known.ENGINES) == {"trap", "hw"}


# ---- patching (issue 11): the same programs with patching on ------------------

@functools.lru_cache(maxsize=None)
def fidelity_patching():
    """Seeds 1..200 under the trap engine with `patching = on` (a site is
    patched on its first execution, so every patch form these programs
    reach runs), KNOWN_STEPS dropped as in fidelity()."""
    fid = run.Fidelity(jobs=2, batch=20, engine="trap", patching="on",
                       out=os.path.join(ROOT, "build", "fidelity", "patching"))
    progs = []
    for s in SEEDS:
        drop = {i for i, _ in known.KNOWN_STEPS.get(s, ()) if i}
        p = gen.generate(s)
        progs.append(run.drop_steps(p, drop) if drop else p)
    results, _ = fid.compare_programs(progs, CPUS)
    return fid, progs, results


@pytest.mark.parametrize("cpu", CPUS)
def test_fidelity_programs_match_bare_qemu_patching(cpu):
    _, progs, results = fidelity_patching()
    compared = [r for r in results if r[1] == cpu]
    assert len(compared) == len(progs) >= 200
    diffs = [(s, d) for s, c, d in compared if d is not None]
    assert not diffs, (
        f"{len(diffs)} of {len(compared)} programs differ on {cpu} with patching on:\n" +
        "\n".join(f"  seed {s}: line {d[0] + 1}: bare {d[1]!r} trapeze {d[2]!r}" for s, d in diffs) +
        f"\nreduce one: python3 tests/fidelity/run.py --seeds SEED --cpu '{cpu}' --patching on")


def patch_total(lines, key):
    return sum(int(m.group(1)) for l in lines for m in [re.search(rf"\b{re.escape(key)}=(\d+)", l)] if m)


def test_fidelity_patching_really_patched():
    """A patcher that never patches fails here: the patched executions of
    the programs' paging blocks, summed over both CPUs."""
    fid, _, _ = fidelity_patching()
    assert patch_total(fid.patch_stats, "ebreak") >= 20, fid.patch_stats
    assert patch_total(fid.patch_stats, "traps-saved") >= 20, fid.patch_stats


def test_fidelity_x0_form_difference_is_the_documented_one():
    """`patching = x0` makes the top page reachable from virtual S where the
    guest maps nothing (README, Patching): tests/fidelity/x0/
    unmapped-top-page.S stores there after its trap handler ran x0 loads.
    With `on` it matches bare QEMU; with `x0` the store completes: one trap
    fewer (and the last trap's state is the AMO's)."""
    path = os.path.join(FIDELITY, "x0", "unmapped-top-page.S")
    for mode in ("on", "x0"):
        fid = run.Fidelity(jobs=2, batch=20, engine="trap", patching=mode,
                           out=os.path.join(ROOT, "build", "fidelity", "x0-" + mode))
        for c, (d, ref, got) in run_reproducer_on(fid, path, "x0-page-" + mode, CPUS).items():
            if mode == "on":
                assert d is None, (c, d)
            else:
                traps = [[int(l.split()[1]) for l in dump if re.fullmatch(r"traps \d+", l)]
                         for dump in (ref, got)]
                assert d is not None and traps[1] == [traps[0][0] - 1], (c, d, traps)


# ---- patching attacked (issue 11): forced mode ---------------------------------

ATTACK_SEEDS = range(1, 61)
# Each patch form runs at least this often per CPU over ATTACK_SEEDS (measured:
# 20 programs run EBREAK sites about 4,900 times, C.EBREAK sites about 600).
FORCED_MIN = 100


@functools.lru_cache(maxsize=None)
def fidelity_attacks():
    """Programs with steps that attack patching (gen.generate(seed,
    attacks=True): bodies of privileged code in data pages, read and written
    through several aliases, rewritten from inside with FENCE.I, traps and an
    interrupt right after patched sites, the alias moved to another frame and
    back, a site written with paging off, the frame run from virtual U),
    under the trap engine with `patching = x0` (every form, the x0 loads
    and stores included): run.py --patch-forced."""
    fid = run.Fidelity(jobs=2, batch=20, engine="trap", patching="x0",
                       out=os.path.join(ROOT, "build", "fidelity", "attacks"))
    progs = [gen.generate(s, attacks=True) for s in ATTACK_SEEDS]
    results, outputs = fid.compare_programs(progs, CPUS)
    return fid, progs, results, outputs


@pytest.mark.parametrize("cpu", CPUS)
def test_fidelity_patch_attacks_match_bare_qemu(cpu):
    _, progs, results, outputs = fidelity_attacks()
    assert not [p.seed for p in progs if p.seed not in outputs[BARE]], "bare QEMU did not finish"
    compared = [r for r in results if r[1] == cpu]
    assert len(compared) == len(progs)
    diffs = [(s, d) for s, c, d in compared if d is not None]
    assert not diffs, (
        f"{len(diffs)} of {len(compared)} attack programs differ on {cpu}:\n" +
        "\n".join(f"  seed {s}: line {d[0] + 1}: bare {d[1]!r} trapeze {d[2]!r}" for s, d in diffs) +
        f"\nreduce one: python3 tests/fidelity/run.py --seeds SEED --cpu '{cpu}' --patch-forced 0")


def test_fidelity_patch_attacks_cover_every_step():
    """The generator's attack steps all appear (a generator that lost one
    would prove nothing about it)."""
    _, progs, _, _ = fidelity_attacks()
    kinds = Counter()
    for p in progs:
        kinds.update(p.coverage()[0])
    for k in ("patch.alias", "patch.smc", "patch.trap", "patch.move", "patch.bare-write", "patch.u-exec",
              "patch.body.irq", "patch.body.smc", "patch.body.self-read", "patch.body.c.nop",
              "patch.body.sret", "patch.body.wfi", "patch.body.trap.load"):
        assert kinds[k], f"no attack program has a {k} step"


def test_fidelity_patch_forced_every_form_ran():
    """Forced mode: every patch form actually ran, at least FORCED_MIN times
    on each CPU (a patcher that never patches, or never uses a form, fails),
    and the attacks reached the undo paths."""
    fid, _, _, _ = fidelity_attacks()
    assert run.patch_forced_failures(fid, CPUS, FORCED_MIN) == []
    for c in CPUS:
        lines = fid.patch_stats_by_cpu[c]
        for key in ("undone-write", "undone-bare", "reads"):
            assert run.patch_total(lines, key) > 0, (c, key, lines)
        # x0 stores completed without a trap, seen at the next exit.
        assert run.patch_total(lines, "x0-stores-seen") >= FORCED_MIN, (c, lines)
