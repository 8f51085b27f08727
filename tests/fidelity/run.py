#!/usr/bin/env python3
"""Differential fidelity runner: random programs (gen.py) on bare QEMU and
under Trapeze, compared line by line.

    run.py --seeds 1-200                  # fixed seeds (ranges and lists: 1-50,77)
    run.py --random 100                   # 100 random seeds
    run.py --repro build/fidelity/repro-7.S --cpu rv64,h=true
    run.py --seeds 1-200 --engine hw      # the hw engine (its CPU: rv64,h=true)

Programs are built first (gen.py, then one assembler run per batch of
--batch programs linked with the runtime in rt/), then every batch runs on
bare QEMU (`trapeze run --bare`, cpu rv64,h=false: the virtual CPU has no
H extension) and under Trapeze on each --cpus model, --jobs QEMUs at a time,
Trapeze running its guest on --engine (trap, the default; hw needs the H
extension, so its CPU models are HW_CPUS).
A program whose output differs is reported with its seed and first
differing line, then reduced by delta debugging (steps removed while the
difference stays) to build/fidelity/repro-SEED.S. The report ends with the
coverage: instruction kinds and CSRs the programs used, trap causes seen.
"""
import argparse
import concurrent.futures as cf
import json
import os
import random
import re
import subprocess
import sys
import time
from collections import Counter

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "system"))
import gen  # noqa: E402
import known  # noqa: E402
from trapeze_run import split_output  # noqa: E402

ROOT = gen.ROOT
CROSS = os.environ.get("CROSS", "riscv64-linux-gnu-")
BARE_CPU = "rv64,h=false"
CPUS = ["rv64,h=false", "rv64,h=true"]
HW_CPUS = ["rv64,h=true"]           # the hw engine runs only where the CPU has H
ENGINE_CPUS = {"trap": CPUS, "hw": HW_CPUS}

CFLAGS = ["-std=c11", "-Wall", "-Wextra", "-Werror", "-O2", "-g", "-ffreestanding",
          "-fno-builtin", "-nostdlib", "-fno-pic", "-fno-pie", "-fno-stack-protector",
          "-march=rv64imafdc_zicsr_zifencei", "-mabi=lp64d", "-mcmodel=medany", "-mno-relax",
          "-I", os.path.join(ROOT, "guests", "lib"), "-I", gen.RT]
RT_SRCS = [os.path.join(gen.RT, "fid_entry.S"), os.path.join(gen.RT, "fid_main.c")] + \
    [os.path.join(ROOT, "guests", "lib", n) for n in ("uart.c", "printf.c", "lib.c", "sbi.c")]
RT_DEPS = [os.path.join(gen.RT, "fid.h"), os.path.join(ROOT, "guests", "lib", "guest.h"),
           os.path.join(ROOT, "guests", "lib", "csr.h")]

CAUSES = {0: "inst-misaligned", 1: "inst-access", 2: "illegal", 3: "breakpoint",
          4: "load-misaligned", 5: "load-access", 6: "store-misaligned", 7: "store-access",
          8: "ecall-u", 9: "ecall-s", 12: "inst-page", 13: "load-page", 15: "store-page"}


class Fidelity:
    def __init__(self, build=None, launcher=None, jobs=2, batch=20, timeout=180, verbose=False,
                 engine="trap", out=None, patching=None):
        # Absolute: the launcher resolves a config's paths from the config's folder.
        self.build = os.path.abspath(build or os.path.join(ROOT, "build"))
        # out: where programs, binaries and reproducers go (two Fidelity
        # objects alive at once, one per engine, each need their own).
        self.out = os.path.abspath(out) if out else os.path.join(self.build, "fidelity")
        self.launcher = os.path.abspath(launcher or os.path.join(self.build, "trapeze"))
        self.jobs, self.batch, self.timeout, self.verbose = jobs, batch, timeout, verbose
        # Written out, so the launcher's auto default never picks it for us.
        self.engine = engine
        # patching = on|off for the Trapeze runs, written out like the
        # engine (off unless asked: the unpatched trap engine keeps its
        # coverage whatever the launcher's default); the `stats ... patch:`
        # lines they printed, collected.
        self.patching = patching or ("off" if engine == "trap" else None)
        self.patch_stats = []
        self.patch_stats_by_cpu = {}
        os.makedirs(self.out, exist_ok=True)
        self._rt = None
        self.entry = {}         # seed -> code address in its batch

    def log(self, *a):
        if self.verbose:
            print(*a, flush=True)

    # ---- building -------------------------------------------------------
    def runtime(self):
        if self._rt:
            return self._rt
        d = os.path.join(self.out, "rt")
        os.makedirs(d, exist_ok=True)
        objs = []
        for src in RT_SRCS:
            obj = os.path.join(d, os.path.basename(src) + ".o")
            newest = max(os.path.getmtime(p) for p in [src] + RT_DEPS)
            if not os.path.exists(obj) or os.path.getmtime(obj) < newest:
                subprocess.run([CROSS + "gcc", *CFLAGS, "-c", src, "-o", obj], check=True)
            objs.append(obj)
        self._rt = objs
        return objs

    def link(self, name, prog_paths, entry_at=None):
        """One binary from program files (prog.S text, fid.h contract).
        entry_at: for one program, the code address it had in its batch
        (zeros before it keep every step where it was: a difference may
        depend on where code lies, e.g. an instruction across a page)."""
        binf, seeds = self._link(name, prog_paths, 0)
        if entry_at is not None and len(seeds) == 1:
            pad = entry_at - self.symbols(binf).get(f"fidp_{seeds[0]}", entry_at)
            if pad > 0:
                binf, seeds = self._link(name, prog_paths, pad)
        return binf, seeds

    @staticmethod
    def symbols(binf):
        out = subprocess.run([CROSS + "nm", binf[:-4] + ".elf"], stdout=subprocess.PIPE, text=True).stdout
        return {p[2]: int(p[0], 16) for p in (l.split() for l in out.splitlines()) if len(p) == 3}

    def _link(self, name, prog_paths, pad):
        d = os.path.join(self.out, "bin")
        os.makedirs(d, exist_ok=True)
        seeds = []
        for p in prog_paths:
            seeds += [int(x) for x in re.findall(r"^fiddesc_(\d+):", open(p).read(), re.M)]
        src = os.path.join(d, name + ".S")
        with open(src, "w") as f:
            f.write('#include "fid.h"\n')
            if pad:
                f.write(f'\t.section .text.fid_pad, "ax", @progbits\n\t.skip {pad}\n')
            for p in prog_paths:
                f.write(f'#include "{os.path.abspath(p)}"\n')
            if pad:
                # and none of the runtime's data on the program's last code page
                f.write('\t.section .text.fid_tail, "ax", @progbits\n\t.skip 8192\n')
            f.write('\t.section .rodata.fid_table, "a", @progbits\n\t.balign 8\n'
                    "\t.globl fid_programs, fid_program_count\n"
                    f"fid_program_count:\n\t.dword {len(seeds)}\nfid_programs:\n")
            for s in seeds:
                f.write(f"\t.dword fiddesc_{s}\n")
        obj, elf, binf = (os.path.join(d, name + e) for e in (".o", ".elf", ".bin"))
        subprocess.run([CROSS + "gcc", *CFLAGS, "-c", src, "-o", obj], check=True)
        subprocess.run([CROSS + "ld", "-nostdlib", "-T", os.path.join(gen.RT, "fid.ld"),
                        "--no-relax", "--no-warn-rwx-segments", "-o", elf, *self.runtime(), obj], check=True)
        subprocess.run([CROSS + "objcopy", "-O", "binary", elf, binf], check=True)
        return binf, seeds

    def write(self, prog, path=None, entry_at=None):
        """prog.S text; entry_at (a reproducer's code address in its batch)
        goes in a header line that --repro reads back."""
        if path is None:
            return gen.write_program(prog, self.out)
        with open(path, "w") as f:
            if entry_at is not None:
                f.write(f"/* fidelity-entry: {hex(entry_at)} (code address in its batch) */\n")
            f.write(prog.render())
        return path

    # ---- running ---------------------------------------------------------
    def run_bin(self, binf, cpu, bare):
        cfg = binf[:-4] + (".bare" if bare else "." + cpu.replace(",", "_").replace("=", "")) + ".ini"
        with open(cfg, "w") as f:
            f.write(f"[machine]\nhang-timeout = 30\n[vm fid]\nkernel = {binf}\nmemory = 64M\n"
                    f"engine = {self.engine}\n")
            if self.patching and not bare:
                f.write(f"patching = {self.patching}\n")
        args = [self.launcher, "run", "--cpu", cpu] + (["--bare"] if bare else []) + [cfg]
        t0 = time.time()
        try:
            p = subprocess.run(args, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, timeout=self.timeout)
            out, status = p.stdout.decode("utf-8", "replace"), p.returncode
        except subprocess.TimeoutExpired as e:
            out, status = (e.stdout or b"").decode("utf-8", "replace"), "timeout"
        guest, log = split_output(out)
        if not bare:
            lines = [l for l in log if " patch: " in l]
            self.patch_stats += lines
            self.patch_stats_by_cpu.setdefault(cpu, []).extend(lines)
        self.log(f"  ran {os.path.basename(binf)} {'bare' if bare else 'trapeze'} {cpu}: "
                 f"{time.time() - t0:.1f}s status {status}")
        return guest, status, out

    @staticmethod
    def per_program(lines):
        """seed -> the lines from `prog SEED` to `end SEED`."""
        out, cur = {}, None
        for line in lines:
            m = re.match(r"prog (\d+)$", line)
            if m:
                cur = [line]
                continue
            if cur is not None:
                cur.append(line)
                m = re.match(r"end (\d+)$", line)
                if m:
                    out[int(m.group(1))] = cur
                    cur = None
        return out

    def run_configs(self, binf, configs):
        """configs: [(cpu, bare)] -> {(cpu, bare): {seed: lines}} run in parallel."""
        with cf.ThreadPoolExecutor(self.jobs) as ex:
            futs = {c: ex.submit(self.run_bin, binf, c[0], c[1]) for c in configs}
            return {c: (self.per_program(f.result()[0]), f.result()) for c, f in futs.items()}

    # ---- comparing ---------------------------------------------------------
    @staticmethod
    def first_difference(ref, got):
        """(line index, bare line, Trapeze line) of the first difference, or
        None. A program one side did not finish shows as "(no output)"."""
        if ref is None or got is None:
            return (0, "(no output)" if ref is None else ref[0],
                    "(no output)" if got is None else got[0])
        for i, (a, b) in enumerate(zip(ref, got)):
            if a != b:
                return (i, a, b)
        if len(ref) != len(got):
            n = min(len(ref), len(got))
            return (n, ref[n] if n < len(ref) else "(end)", got[n] if n < len(got) else "(end)")
        return None

    def compare_programs(self, progs, cpus):
        """Builds, runs and compares. Returns (results, outputs): results is
        a list of (seed, cpu, diff) for every comparison, diff None when the
        outputs are equal."""
        for p in progs:
            self.write(p)
        batches = [progs[i:i + self.batch] for i in range(0, len(progs), self.batch)]
        bins = []
        for i, b in enumerate(batches):
            name = f"batch-{b[0].seed}-{len(b)}"
            bins.append(self.link(name, [os.path.join(self.out, str(p.seed), "prog.S") for p in b]))
            syms = self.symbols(bins[-1][0])
            for p in b:
                self.entry[p.seed] = syms[f"fidp_{p.seed}"]
        configs = [(BARE_CPU, True)] + [(c, False) for c in cpus]
        jobs = [(binf, seeds, c) for binf, seeds in bins for c in configs]
        outputs = {c: {} for c in configs}
        with cf.ThreadPoolExecutor(self.jobs) as ex:
            futs = [(ex.submit(self.run_bin, binf, c[0], c[1]), seeds, c) for binf, seeds, c in jobs]
            for f, seeds, c in futs:
                outputs[c].update(self.per_program(f.result()[0]))
        # A batch that stopped early (a hang, a crash): each program it did
        # not finish runs alone, on every configuration (addresses differ
        # from the batch's, so both sides of a comparison come from one binary).
        missing = sorted({p.seed for p in progs for c in configs if p.seed not in outputs[c]})
        for s in missing:
            binf, _ = self.link(f"solo-{s}", [os.path.join(self.out, str(s), "prog.S")],
                                entry_at=self.entry.get(s))
            for c, (per, _) in self.run_configs(binf, configs).items():
                outputs[c].pop(s, None)
                if s in per:
                    outputs[c][s] = per[s]
        results = []
        for p in progs:
            ref = outputs[(BARE_CPU, True)].get(p.seed)
            for c in cpus:
                got = outputs[(c, False)].get(p.seed)
                results.append((p.seed, c, self.first_difference(ref, got)))
        return results, outputs

    def differs(self, prog, cpu, name):
        """One program alone: does Trapeze on cpu differ from bare? None when
        bare itself did not finish it (not a valid candidate)."""
        path = os.path.join(self.out, "reduce", f"{name}.S")
        os.makedirs(os.path.dirname(path), exist_ok=True)
        self.write(prog, path)
        binf, _ = self.link(name, [path], entry_at=self.entry.get(prog.seed))
        self.last_bin = binf
        res = self.run_configs(binf, [(BARE_CPU, True), (cpu, False)])
        ref = res[(BARE_CPU, True)][0].get(prog.seed)
        got = res[(cpu, False)][0].get(prog.seed)
        self.last = (ref, got)
        if ref is None:
            return None
        return self.first_difference(ref, got)

    # ---- delta debugging ---------------------------------------------------
    def reduce(self, prog, cpu, budget=400):
        """ddmin (Zeller) over the steps, then over each block's children,
        keeping a candidate when it still differs on cpu."""
        runs = [0]

        def test(steps):
            if runs[0] >= budget:
                return False
            runs[0] += 1
            d = self.differs(prog.with_steps(steps), cpu, f"dd-{prog.seed}")
            return bool(d)

        def ddmin(items, rebuild):
            n = 2
            while len(items) >= 2:
                chunk = max(1, len(items) // n)
                subsets = [items[i:i + chunk] for i in range(0, len(items), chunk)]
                reduced = False
                for i in range(len(subsets)):
                    complement = [x for j, s in enumerate(subsets) if j != i for x in s]
                    if test(rebuild(complement)):
                        items, n, reduced = complement, max(n - 1, 2), True
                        break
                if not reduced:
                    if n >= len(items):
                        break
                    n = min(len(items), n * 2)
            if len(items) == 1 and test(rebuild([])):
                items = []
            return items

        steps = ddmin(list(prog.steps), lambda s: s)
        for i in range(len(steps)):
            if steps[i].is_block() and steps[i].children:
                def rebuild(ch, i=i):
                    return steps[:i] + [steps[i].with_children(ch)] + steps[i + 1:]
                kept = ddmin(list(steps[i].children), rebuild)
                steps = rebuild(kept)
                # nested blocks (U code inside a paging block)
                for j in range(len(kept)):
                    if kept[j].is_block() and kept[j].children:
                        def rebuild2(ch, i=i, j=j):
                            inner = steps[i].children[:j] + [steps[i].children[j].with_children(ch)] + \
                                steps[i].children[j + 1:]
                            return steps[:i] + [steps[i].with_children(inner)] + steps[i + 1:]
                        kept2 = ddmin(list(steps[i].children[j].children), rebuild2)
                        steps = rebuild2(kept2)
        return prog.with_steps(steps), runs[0]


def lrsc_pages(binf, seed):
    """True when an LR and the SC after it are not on one 4 KiB code page in
    program SEED of this binary (the SC, or part of it, on the next page)."""
    syms = Fidelity.symbols(binf)
    lo = syms.get(f"fidp_{seed}")
    hi = syms.get(f"p{seed}_end")
    if lo is None or hi is None:
        return False
    out = subprocess.run([CROSS + "objdump", "-d", "--start-address", hex(lo), "--stop-address",
                          hex(hi), binf[:-4] + ".elf"], stdout=subprocess.PIPE, text=True).stdout
    insns = re.findall(r"^\s*([0-9a-f]+):\s+([0-9a-f]+)\s+(\S+)", out, re.M)
    for (a, _, op), (b, word, op2) in zip(insns, insns[1:]):
        if op.startswith("lr.") and op2.startswith("sc."):
            if int(a, 16) >> 12 != (int(b, 16) + len(word) // 2 - 1) >> 12:
                return True
    return False


def leaf_lines(prog):
    """{id: assembly lines} of every leaf step (what the hw recognisers read)."""
    out = {}

    def walk(step):
        if step.is_block():
            for c in step.children:
                walk(c)
        else:
            out[step.id] = list(step.lines)
    for s in prog.steps:
        walk(s)
    return out


def leaf_steps(prog):
    """(id, kind) of every leaf step, blocks named by their path."""
    out = []

    def walk(step, ctx):
        if step.is_block():
            for c in step.children:
                walk(c, ctx + [step.kind])
        else:
            out.append((step.id, "/".join(ctx + [step.kind])))
    for s in prog.steps:
        walk(s, [])
    return out


def program_file_leaves(text):
    """A program file's (prog.S, repro-SEED.S, known-hw/CLASS.S) leaves read
    back from its step labels (`pSEED_ID:  # kind`): ([(id, 'block/.../kind')],
    {id: assembly lines}), as leaf_steps and leaf_lines give them (a block's
    last leaf also gets the block's closing lines: the file does not mark them)."""
    lines = text.splitlines()
    labels = [(m.group(1), m.group(2), i) for i, m in
              ((i, re.match(r"p\d+_(s\d+(?:_\d+)*):\s*#\s*(\S+)", l)) for i, l in enumerate(lines)) if m]
    ends = [i for i, l in enumerate(lines) if re.match(r"p\d+_end:", l)]
    kinds = {ident: kind for ident, kind, _ in labels}
    leaves, body = [], {}
    for n, (ident, kind, i) in enumerate(labels):
        if any(o.startswith(ident + "_") for o in kinds):
            continue        # a block: its children are the leaves
        parts = ident.split("_")
        path = [kinds[p] for p in ("_".join(parts[:k]) for k in range(1, len(parts))) if p in kinds]
        end = labels[n + 1][2] if n + 1 < len(labels) else (ends[0] if ends else len(lines))
        body[ident] = [l.strip() for l in lines[i + 1:end] if l.strip() and not l.strip().endswith(":")]
        leaves.append((ident, "/".join(path + [kind])))
    return leaves, body


def parse_seeds(spec):
    seeds = []
    for part in spec.split(","):
        if "-" in part:
            a, b = part.split("-")
            seeds += range(int(a), int(b) + 1)
        elif part:
            seeds.append(int(part))
    return seeds


def coverage(progs, bare_outputs):
    kinds, csrs, causes = Counter(), Counter(), Counter()
    for p in progs:
        k, c = p.coverage()
        kinds.update(k)
        csrs.update(c)
    for lines in bare_outputs.values():
        for line in lines:
            m = re.match(r"trap \d+ cause=(0x[0-9a-f]+)", line)
            if m:
                v = int(m.group(1), 16)
                name = f"interrupt-{v & 63}" if v >> 63 else CAUSES.get(v, hex(v))
                causes[name] += 1
    return kinds, csrs, causes


def format_counter(title, c, width=100):
    out = [f"{title} ({len(c)} distinct, {sum(c.values())} in all):"]
    line = " "
    for k, v in sorted(c.items()):
        item = f" {k}={v}"
        if len(line) + len(item) > width:
            out.append(line)
            line = " "
        line += item
    if line.strip():
        out.append(line)
    return "\n".join(out)


def group_kinds(kinds):
    """Kinds folded to their family (csr.csrrw.rd=x0 -> csr.csrrw)."""
    g = Counter()
    for k, v in kinds.items():
        parts = k.split(".")
        g[".".join(parts[:2])] += v
    return g


def step_of(binf, seed, epc_off):
    """The step label holding program offset epc_off (from the ELF symbols)."""
    elf = binf[:-4] + ".elf"
    out = subprocess.run([CROSS + "nm", "-n", elf], stdout=subprocess.PIPE, text=True).stdout
    base, best = None, None
    syms = []
    for line in out.splitlines():
        a, _, name = line.split()[:3]
        if name == f"fidp_{seed}":
            base = int(a, 16)
        if name.startswith(f"p{seed}_"):
            syms.append((int(a, 16), name))
    if base is None:
        return None
    for a, name in syms:
        if a <= base + epc_off:
            best = name
    return best


def drop_steps(prog, ids):
    """prog without the leaf steps named in ids (blocks keep their frame)."""
    def filt(steps):
        out = []
        for st in steps:
            if st.id in ids:
                continue
            out.append(st.with_children(filt(st.children)) if st.is_block() else st)
        return out
    return prog.with_steps(filt(prog.steps))


def explain(fid, seed, prog, cpu, label=""):
    """Reduces prog's difference on cpu, writes repro-SEED.S, prints and
    returns {steps, class, diff, repro}."""
    t1 = time.time()
    small, runs = fid.reduce(prog, cpu)
    path = fid.write(small, os.path.join(fid.out, f"repro-{seed}{label}.S"), fid.entry.get(seed))
    d2 = fid.differs(small, cpu, f"repro-check-{seed}")
    ref, got = fid.last
    leaves = leaf_steps(small)
    cls = known.classify(leaves, ref, got, lrsc_pages(fid.last_bin, seed), engine=fid.engine,
                         lines=leaf_lines(small)) if d2 else None
    open_classes = known.open_classes(fid.engine)
    binf = os.path.join(fid.out, "bin", f"repro-check-{seed}.bin")
    where = ""
    if d2 and d2[1] and d2[1].startswith("trap "):
        m = re.search(r"epc=([+-])0x([0-9a-f]+)", d2[1])
        if m:
            off = int(m.group(2), 16) * (1 if m.group(1) == "+" else -1)
            where = f" (bare's trap is in step {step_of(binf, seed, off)})"
    print(f"REDUCED seed {seed} on {cpu} ({fid.engine}): {prog.leaves()} -> {small.leaves()} leaves "
          f"in {runs} runs, {time.time() - t1:.0f}s: {os.path.relpath(path, ROOT)}: "
          + (f"known difference '{cls}'" if cls in open_classes else
             f"NEW difference (REGRESSION: looks like fixed class '{cls}', tests/fidelity/fixed/{cls}.S)"
             if cls else "NEW difference") +
          f"\n  first difference: line {d2[0] + 1 if d2 else '?'}: "
          f"bare {d2[1] if d2 else None!r} trapeze {d2[2] if d2 else None!r}{where}\n"
          "  steps kept: " + ", ".join(f"{i} ({k})" for i, k in leaves) +
          f"\n  rerun: python3 {os.path.relpath(__file__, ROOT)} --repro "
          f"{os.path.relpath(path, ROOT)} --cpu {cpu} --engine {fid.engine}", flush=True)
    return {"seed": seed, "cpu": cpu, "repro": path, "leaves": leaves,
            "class": cls if cls in open_classes else None,
            "diff": d2, "reproduces": d2 is not None}


def triage(fid, prog, cpus, rounds=8):
    """Reduce, drop the steps, run again, until prog matches on every cpu.
    Returns [(step id, class)] of everything dropped."""
    found = []
    cur = prog
    for k in range(rounds):
        bad = None
        for c in cpus:
            if fid.differs(cur, c, f"triage-{prog.seed}"):
                bad = c
                break
        if bad is None:
            return found
        e = explain(fid, prog.seed, cur, bad, label=f"-{k}" if k else "")
        if not e["reproduces"] or not e["leaves"]:
            found.append((None, None))
            return found
        found += [(i, e["class"]) for i, _ in e["leaves"]]
        cur = drop_steps(cur, {i for i, _ in e["leaves"]})
    found.append((None, None))
    return found


def write_known_steps(engine, table, seeds):
    """Rewrites the engine's steps dict in known.py: the seeds run lose
    their old entries, and those of table (seed -> [(id, class)]) go in."""
    name = known.steps_name(engine)
    path = os.path.join(HERE, "known.py")
    text = open(path).read()
    m = re.search(rf"^{name} = \{{\}}$|^{name} = \{{\n.*?^\}}$", text, re.M | re.S)
    if not m:
        raise SystemExit(f"{path}: no `{name} = {{...}}` to rewrite")
    run = set(seeds)
    merged = {s: v for s, v in known.known_steps(engine).items() if s not in run}
    merged.update({s: v for s, v in table.items() if v})
    body = "".join(f"    {s}: {merged[s]!r},\n" for s in sorted(merged))
    text = text[:m.start()] + (f"{name} = {{\n{body}}}" if merged else f"{name} = {{}}") + text[m.end():]
    with open(path, "w") as f:
        f.write(text)
    print(f"wrote {name} in {os.path.relpath(path, ROOT)}: {len(merged)} seeds")


# The patch forms (README, Patching) and the statistic counting their
# executions. The x0 forms run without a trap and cannot be counted; an x0
# site's first access in a view faults (the x0 page is then mapped there,
# until a fence drops it), which only an executed x0 load or store does.
PATCH_FORM_STATS = ("exec-ebreak", "exec-c.ebreak", "x0-load-faults", "x0-store-faults")


def patch_total(lines, key):
    """A `stats VM patch:` counter summed over lines."""
    return sum(int(m.group(1)) for l in lines for m in [re.search(rf"(?<![\w.-]){re.escape(key)}=(\d+)", l)] if m)


def patch_form_minimum(key, n):
    """What forced mode asks of a counter: n breakpoint executions; an x0
    form faults once per view until a fence, so a fifth of that."""
    return n if key.startswith("exec-") else max(1, n // 5)


def patch_forced_failures(fid, cpus, n):
    """The forced mode's check: on each CPU every patch form ran at least n
    times over the run (a patcher that never patches fails; for the x0
    forms, patch_form_minimum). The failures."""
    bad = []
    for c in cpus:
        lines = fid.patch_stats_by_cpu.get(c, [])
        for key in PATCH_FORM_STATS:
            got, want = patch_total(lines, key), patch_form_minimum(key, n)
            if got < want:
                bad.append(f"{c}: {key}={got} < {want}")
    return bad


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seeds", help="seeds: 1-200 or 3,5,9")
    ap.add_argument("--random", type=int, metavar="N", help="N random seeds")
    ap.add_argument("--repro", help="rerun a program file (repro-SEED.S)")
    ap.add_argument("--cpus", help="Trapeze CPU models, ';'-separated (default: the engine's, "
                    f"trap: {';'.join(CPUS)}, hw: {';'.join(HW_CPUS)})")
    ap.add_argument("--cpu", help="one CPU model (same as --cpus)")
    ap.add_argument("--engine", default="trap", choices=sorted(known.ENGINES),
                    help="Trapeze engine (its own known classes, known.py)")
    ap.add_argument("--patching", choices=["on", "off", "x0"],
                    help="patching = on|off|x0 for the Trapeze runs (trap engine; README, Patching)")
    ap.add_argument("--attacks", action="store_true",
                    help="programs with steps that attack patching (gen.generate(seed, attacks=True))")
    ap.add_argument("--patch-forced", type=int, metavar="N",
                    help="forced mode: --patching x0 --attacks, and fail unless every patch form "
                    "ran at least N times on each CPU (env FIDELITY_PATCH_FORCED=N too)")
    ap.add_argument("--batch", type=int, default=20)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--no-reduce", action="store_true", help="report differences, do not reduce them")
    ap.add_argument("--triage", action="store_true",
                    help="reduce and drop every difference of each program; print the engine's "
                    "steps table (KNOWN_STEPS, HW_KNOWN_STEPS)")
    ap.add_argument("--write", action="store_true",
                    help="with --triage: write that table into known.py (entries of the seeds run)")
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("--out", help="where programs and binaries go (default BUILD/fidelity)")
    ap.add_argument("--json", help="write the results here")
    ap.add_argument("-v", "--verbose", action="store_true")
    a = ap.parse_args()
    if a.patch_forced is None and os.environ.get("FIDELITY_PATCH_FORCED"):
        a.patch_forced = int(os.environ["FIDELITY_PATCH_FORCED"])
    if a.patch_forced is not None:
        a.patching, a.attacks = "x0", True
    cpus = [a.cpu] if a.cpu else [c for c in a.cpus.split(";") if c] if a.cpus else ENGINE_CPUS[a.engine]
    fid = Fidelity(build=a.build, jobs=a.jobs, batch=a.batch, verbose=a.verbose, engine=a.engine,
                   patching=a.patching, out=a.out)
    t0 = time.time()

    if a.repro:
        m = re.search(r"fidelity-entry: (0x[0-9a-f]+)", open(a.repro).read())
        binf, seeds = fid.link("repro", [a.repro], entry_at=int(m.group(1), 16) if m else None)
        configs = [(BARE_CPU, True)] + [(c, False) for c in cpus]
        res = fid.run_configs(binf, configs)
        ref = res[(BARE_CPU, True)][0].get(seeds[0])
        bad = 0
        leaves, lines = program_file_leaves(open(a.repro).read())
        for c in cpus:
            got = res[(c, False)][0].get(seeds[0])
            d = fid.first_difference(ref, got)
            cls = known.classify(leaves, ref, got, lrsc_pages(binf, seeds[0]), engine=a.engine,
                                 lines=lines) if d else None
            print(f"{a.repro} on {c} ({a.engine}): " + (
                "same as bare QEMU" if d is None else
                f"differs at line {d[0] + 1}: bare {d[1]!r} trapeze {d[2]!r}" +
                (f": known difference '{cls}'" if cls in known.open_classes(a.engine) else
                 f": looks like fixed class '{cls}'" if cls else "")))
            bad += d is not None
        return 1 if bad else 0

    if a.random:
        seeds = random.SystemRandom().sample(range(1, 1 << 31), a.random)
    else:
        seeds = parse_seeds(a.seeds or "1-20")
    progs = [gen.generate(s, attacks=a.attacks) for s in seeds]
    print(f"fidelity: {len(progs)} programs (seeds {a.seeds or 'random'}), Trapeze ({a.engine} "
          f"engine) on {', '.join(cpus)} against bare QEMU {BARE_CPU}", flush=True)
    results, outputs = fid.compare_programs(progs, cpus)
    t_run = time.time() - t0
    diffs = [(s, c, d) for s, c, d in results if d is not None]
    for s, c, d in diffs:
        print(f"DIFFERENCE seed {s} on {c}: line {d[0] + 1}: bare {d[1]!r} trapeze {d[2]!r}", flush=True)
    reductions, table = [], {}
    if diffs and a.triage:
        for s in sorted({s for s, _, _ in diffs}):
            prog = next(p for p in progs if p.seed == s)
            table[s] = triage(fid, prog, cpus)
            reductions += [{"seed": s, "class": c} for _, c in table[s]]
    elif diffs and not a.no_reduce:
        done = set()
        for s, c, d in diffs:
            if s not in done:
                done.add(s)
                reductions.append(explain(fid, s, next(p for p in progs if p.seed == s), c))
    bare = outputs[(BARE_CPU, True)]
    kinds, csrs, causes = coverage(progs, bare)
    classes = Counter(r["class"] or "NEW" for r in reductions)
    print(f"\nfidelity: {len(progs)} programs, {len(results)} comparisons with bare QEMU "
          f"({len(cpus)} CPU models), {len(diffs)} differences in {len({s for s, _, _ in diffs})} "
          f"programs; {t_run:.1f}s to build and run")
    if reductions:
        print("  reduced: " + ", ".join(f"{k}={v}" for k, v in sorted(classes.items())))
    print(format_counter("instruction kinds by family", group_kinds(kinds)))
    print(format_counter("instruction kinds", kinds))
    print(format_counter("CSRs", csrs))
    print(format_counter("traps taken on bare QEMU, by cause", causes))
    if a.triage:
        print(f"\n{known.steps_name(a.engine)} = {{")
        for s, items in sorted(table.items()):
            print(f"    {s}: {items!r},")
        print("}")
        if a.write:
            write_known_steps(a.engine, table, seeds)
    if a.json:
        with open(a.json, "w") as f:
            json.dump({"seeds": seeds, "cpus": cpus, "differences": diffs,
                       "reductions": reductions, "table": table, "kinds": kinds, "csrs": csrs,
                       "causes": causes}, f, indent=1, default=str)
    forced_bad = []
    if a.patch_forced is not None:
        for c in cpus:
            lines = fid.patch_stats_by_cpu.get(c, [])
            print(f"patched executions on {c}: " + ", ".join(
                f"{k}={patch_total(lines, k)}" for k in PATCH_FORM_STATS + ("traps-saved", "undone-bare",
                                                                             "undone-write", "reads",
                                                                             "x0-stores-seen")))
        forced_bad = patch_forced_failures(fid, cpus, a.patch_forced)
        for b in forced_bad:
            print(f"FORCED: a patch form ran too rarely: {b}")
    if a.no_reduce:
        return 1 if diffs or forced_bad else 0
    return 1 if classes.get("NEW") or forced_bad else 0


if __name__ == "__main__":
    sys.exit(main())
