"""Differential testing against V8 (riscv64-linux ring).

Random modules from binaryen (`wasm-opt -ttf` over random bytes: a fixed
list of seeds plus a few new ones per run), each export called with default
arguments in k23 (`k23-run --invoke-all`, under qemu-riscv64; even seeds with
`--isa rv64gc`, so the JIT's base-ISA code paths are covered too) and in node
(tests/hosted/differential.js), both logging through binaryen's
`fuzzing-support` imports. The transcripts — calls, log lines, results,
traps — must be identical. A module k23 reports as "unsupported" (a feature
the JIT does not cover yet) is skipped, not passed. A second set of seeds
(SIMD_SEEDS) lets binaryen use WebAssembly SIMD; a fuzzing-support import
with a v128 in its signature fails in both engines as the JS API says
(TypeError "type incompatibility when transforming from/to JS").

Tiers: the same kind of modules (TIER_SEEDS) run in k23 twice, with the
baseline and with `--tier optimizing`; the transcripts must be identical to
the byte, trap messages (function and wasm offset) included. Tier-up: some of
them (TIER_AUTO_SEEDS) again with `--tier auto --tier-budget 1` (the
background compiler: functions swap tiers between and during calls).

Run by hand for more seeds:

    python3 tests/hosted/test_differential.py [--count N] [--first SEED] [--keep DIR] [--tiers [auto]]
"""
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time

FIXED_SEEDS = list(range(1, 201))
NEW_SEEDS_PER_RUN = 8
SETTINGS = {"bytes": 8192}  # random input per module
FEATURES = ["--mvp-features", "--enable-sign-ext", "--enable-nontrapping-float-to-int",
            "--enable-mutable-globals", "--enable-bulk-memory", "--enable-multivalue", "--enable-tail-call"]
BATCH = 50  # modules per k23-run / node process


def generate(seed, folder, features):
    """tmp/SEED.wasm from `wasm-opt -ttf`; None if binaryen declined."""
    data = random.Random(seed).randbytes(SETTINGS["bytes"])
    source = os.path.join(folder, f"{seed}.bin")
    out = os.path.join(folder, f"{seed}.wasm")
    with open(source, "wb") as f:
        f.write(data)
    # --denan: NaN payloads are not deterministic across engines, and a NaN
    # stored to memory would change hashMemory.
    proc = subprocess.run(["wasm-opt", "-ttf", source, "--denan", "-o", out] + features,
                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=60)
    return out if proc.returncode == 0 and os.path.exists(out) else None


def split_transcript(text):
    """{file: [lines]} from output with `module FILE` headers."""
    modules = {}
    current = None
    for line in text.splitlines():
        if line.startswith("module "):
            current = line[len("module "):]
            modules[current] = []
        elif current is not None:
            modules[current].append(line)
    return modules


def run_node(root, files):
    script = os.path.join(root, "tests", "hosted", "differential.js")
    proc = subprocess.run(["node", script] + files, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, timeout=300)
    return split_transcript(proc.stdout.decode(errors="replace"))


def run_k23(run, files, options=()):
    """run(arguments, timeout) -> (status, stdout, stderr). A batch that dies
    part-way is retried one module at a time, so a crash names its module."""
    options = list(options)
    status, out, err = run(options + ["--invoke-all"] + files, 900)
    got = split_transcript(out)
    crashed = {}
    if status != 0:
        # The module that was running when the batch died is the last one
        # reported; it and every one after it run again alone.
        started = [f for f in files if f in got]
        for f in files:
            if f in got and started and f != started[-1]:
                continue
            s, o, e = run(options + ["--invoke-all", f], 120)
            one = split_transcript(o)
            if s != 0:
                crashed[f] = f"k23-run exited with status {s}: {e.strip()[-300:]}"
            got[f] = one.get(f, [])
    return got, crashed


def same_trap(k23, v8):
    """Two trap lines agree when their kinds do, or one side could not name it.
    V8 says "float unrepresentable in integer range" for every failed float
    truncation; the spec (and k23) says "integer overflow" for an
    out-of-range value and "invalid conversion to integer" for NaN."""
    if not (k23.startswith("trap ") and v8.startswith("trap ")):
        return False
    if k23 == v8 or "trap ?" in (k23, v8):
        return True
    return v8 == "trap conversion" and k23 == "trap integer-overflow"


def compare(seed, k23_lines, v8_lines):
    """(verdict, message): verdict is 'pass', 'fail' or 'skip'."""
    for line in k23_lines:
        if line.startswith("unsupported"):
            return "skip", line
    if "skipped" in v8_lines:
        return "skip", "v128 in an export signature"
    for i, (a, b) in enumerate(zip(k23_lines, v8_lines)):
        if a != b and not same_trap(a, b):
            context = " | ".join(v8_lines[max(0, i - 3):i])
            return "fail", f"seed {seed}, line {i + 1}: k23 {a!r}, V8 {b!r} (after: {context})"
    if len(k23_lines) != len(v8_lines):
        return "fail", f"seed {seed}: k23 printed {len(k23_lines)} lines, V8 {len(v8_lines)}"
    return "pass", ""


def differential(root, run, seeds, folder, report, features=None):
    """report(seed, verdict, message) for each seed; returns the counts."""
    counts = {"pass": 0, "fail": 0, "skip": 0}
    files = {}
    for seed in seeds:
        path = generate(seed, folder, features or FEATURES)
        if path is None:
            counts["skip"] += 1
            report(seed, "skip", "wasm-opt -ttf failed")
            continue
        files[seed] = path
    # Odd seeds run with every extension the hart has, even seeds with
    # --isa rv64gc: the JIT's base-ISA fallbacks get the same scrutiny.
    batches = []
    for isa in (None, "rv64gc"):
        group = [s for s in files if (s % 2 == 0) == (isa is not None)]
        batches += [(group[i:i + BATCH], isa) for i in range(0, len(group), BATCH)]
    for batch, isa in batches:
        paths = [files[s] for s in batch]
        v8 = run_node(root, paths)
        k23, crashed = run_k23(run, paths, ["--isa", isa] if isa else [])
        for seed in batch:
            path = files[seed]
            if path in crashed:
                verdict, message = "fail", f"seed {seed}: {crashed[path]}"
            elif path not in v8:
                verdict, message = "skip", "node did not report this module"
            elif path not in k23:
                verdict, message = "fail", f"seed {seed}: k23-run did not report this module"
            else:
                verdict, message = compare(seed, k23[path], v8[path])
            counts[verdict] += 1
            report(seed, verdict, message)
    return counts


def compare_tiers(seed, baseline_lines, optimizing_lines, other="optimizing"):
    """(verdict, message) for baseline vs another tier: identical transcripts."""
    for line in baseline_lines:
        if line.startswith("unsupported"):
            return "skip", line
    for i, (a, b) in enumerate(zip(baseline_lines, optimizing_lines)):
        if a != b:
            return "fail", f"seed {seed}, line {i + 1}: baseline {a!r}, {other} {b!r}"
    if len(baseline_lines) != len(optimizing_lines):
        return "fail", f"seed {seed}: baseline printed {len(baseline_lines)} lines, {other} {len(optimizing_lines)}"
    return "pass", ""


# The other tier of each tiers check: k23-run's options.
OTHER_TIER = {"optimizing": ["--tier", "optimizing"],
              "auto": ["--tier", "auto", "--tier-budget", "1"]}


def differential_tiers(run, seeds, folder, report, features=None, other="optimizing"):
    """Baseline vs `other` (OTHER_TIER) on the same modules (odd seeds with
    the hart's extensions, even ones with --isa rv64gc: the tier's fallback
    sequences); report(seed, verdict, message); returns the counts."""
    counts = {"pass": 0, "fail": 0, "skip": 0}
    files = {}
    for seed in seeds:
        path = generate(seed, folder, features or FEATURES)
        if path is None:
            counts["skip"] += 1
            report(seed, "skip", "wasm-opt -ttf failed")
            continue
        files[seed] = path
    for isa in (None, "rv64gc"):
        group = [s for s in files if (s % 2 == 0) == (isa is not None)]
        for i in range(0, len(group), BATCH):
            batch = group[i:i + BATCH]
            paths = [files[s] for s in batch]
            options = ["--isa", isa] if isa else []
            base, base_crashed = run_k23(run, paths, options + ["--tier", "baseline"])
            opt, opt_crashed = run_k23(run, paths, options + OTHER_TIER[other])
            for seed in batch:
                path = files[seed]
                if path in base_crashed or path in opt_crashed:
                    verdict = "fail"
                    message = f"seed {seed}: {base_crashed.get(path) or opt_crashed.get(path)}"
                elif path not in base or path not in opt:
                    verdict, message = "fail", f"seed {seed}: k23-run did not report this module"
                else:
                    verdict, message = compare_tiers(seed, base[path], opt[path], other)
                counts[verdict] += 1
                report(seed, verdict, message)
    return counts


# The tiers check's seeds (a separate range from FIXED_SEEDS, so the two
# checks together cover more modules), plus a few new ones per run.
TIER_SEEDS = list(range(20001, 20121))


def check_differential_tiers(ctx):
    """Tests hosted.differential.tiers<seed>: baseline vs optimizing."""
    if not shutil.which("wasm-opt"):
        raise AssertionError("differential testing needs wasm-opt (./k23 setup)")
    folder = os.path.join(ctx.tmpdir, "differential-tiers")
    os.makedirs(folder, exist_ok=True)

    def report(seed, verdict, message):
        name = f"hosted.differential.tiers{seed}"
        if verdict == "pass":
            ctx.ok(name)
        elif verdict == "fail":
            ctx.fail(name, f"{message} (again: python3 tests/hosted/test_differential.py --tiers "
                           f"--first {seed} --count 1 --keep DIR)")

    fresh = random.Random(time.time_ns()).sample(range(1_000_000, 2**31), NEW_SEEDS_PER_RUN)
    counts = differential_tiers(lambda a, t: ctx.run(a, timeout=t), TIER_SEEDS + fresh, folder, report)
    print(f"differential (tiers): {counts['pass']} passed, {counts['fail']} failed, {counts['skip']} skipped "
          f"(baseline vs optimizing)", file=sys.stderr, flush=True)
    return "reported"


# Tier-up's seeds: a third of TIER_SEEDS (the ring's time), plus two new ones.
TIER_AUTO_SEEDS = list(range(20001, 20041))


def check_differential_tiers_auto(ctx):
    """Tests hosted.differential.tiers_auto<seed>: baseline vs --tier auto
    with a budget of 1 (nearly every function tiers up on a background
    thread while the module runs)."""
    if not shutil.which("wasm-opt"):
        raise AssertionError("differential testing needs wasm-opt (./k23 setup)")
    folder = os.path.join(ctx.tmpdir, "differential-tiers-auto")
    os.makedirs(folder, exist_ok=True)

    def report(seed, verdict, message):
        name = f"hosted.differential.tiers_auto{seed}"
        if verdict == "pass":
            ctx.ok(name)
        elif verdict == "fail":
            ctx.fail(name, f"{message} (again: python3 tests/hosted/test_differential.py --tiers auto "
                           f"--first {seed} --count 1 --keep DIR)")

    fresh = random.Random(time.time_ns()).sample(range(1_000_000, 2**31), 2)
    counts = differential_tiers(lambda a, t: ctx.run(a, timeout=t), TIER_AUTO_SEEDS + fresh, folder, report,
                                other="auto")
    print(f"differential (tiers auto): {counts['pass']} passed, {counts['fail']} failed, {counts['skip']} skipped "
          f"(baseline vs auto)", file=sys.stderr, flush=True)
    return "reported"


# WebAssembly SIMD (binaryen's --enable-simd): odd seeds run on RVV, even
# ones with --isa rv64gc on the scalar path. Most of these modules export a
# v128 function, which the JS API cannot call (skipped on both sides); about
# one in six is compared.
SIMD_SEEDS = list(range(10000, 10240))


def seeds_for_this_run():
    fresh = random.Random(time.time_ns()).sample(range(1_000_000, 2**31), NEW_SEEDS_PER_RUN)
    return FIXED_SEEDS + fresh


def run_check(ctx, kind, seeds, features, again):
    """The ring's check: tests hosted.differential.<kind><seed>."""
    if not shutil.which("node") or not shutil.which("wasm-opt"):
        raise AssertionError("differential testing needs node and wasm-opt (./k23 setup)")
    folder = os.path.join(ctx.tmpdir, f"differential-{kind}")
    os.makedirs(folder, exist_ok=True)

    def report(seed, verdict, message):
        name = f"hosted.differential.{kind}{seed}"
        if verdict == "pass":
            ctx.ok(name)
        elif verdict == "fail":
            ctx.fail(name, f"{message} (again: python3 tests/hosted/test_differential.py {again}"
                           f"--first {seed} --count 1 --keep DIR)")

    counts = differential(ctx.root, lambda a, t: ctx.run(a, timeout=t), seeds, folder, report, features)
    print(f"differential ({kind}): {counts['pass']} passed, {counts['fail']} failed, {counts['skip']} skipped "
          f"(k23 vs V8)", file=sys.stderr, flush=True)
    return "reported"


def check_differential_v8(ctx):
    return run_check(ctx, "seed", seeds_for_this_run(), FEATURES, "")


def check_differential_v8_simd(ctx):
    return run_check(ctx, "simd", SIMD_SEEDS, FEATURES + ["--enable-simd"], "--enable simd ")


def main(argv):
    import argparse
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    sys.path.insert(0, os.path.join(root, "tools", "driver"))
    import hosted
    p = argparse.ArgumentParser(description="k23 vs V8 on binaryen -ttf modules")
    p.add_argument("--count", type=int, default=len(FIXED_SEEDS))
    p.add_argument("--first", type=int, default=1)
    p.add_argument("--keep", metavar="DIR", help="keep the modules here")
    p.add_argument("--enable", action="append", default=[], metavar="FEATURE",
                   help="also let binaryen use this feature (e.g. reference-types, tail-call)")
    p.add_argument("--bytes", type=int, default=SETTINGS["bytes"], help="random input per module")
    p.add_argument("--tiers", nargs="?", const="optimizing", choices=sorted(OTHER_TIER),
                   help="baseline vs this tier (default optimizing) instead of k23 vs V8")
    p.add_argument("-v", "--verbose", action="store_true")
    args = p.parse_args(argv)
    SETTINGS["bytes"] = args.bytes
    FEATURES.extend(f"--enable-{f}" for f in args.enable)
    hosted.ensure_built()
    ctx = hosted.HostedContext(None, None)
    folder = args.keep or tempfile.mkdtemp(prefix="k23-differential-")
    os.makedirs(folder, exist_ok=True)

    def report(seed, verdict, message):
        if verdict == "fail" or (args.verbose and message):
            print(f"{verdict}: {message}", flush=True)

    start = time.monotonic()
    seeds = list(range(args.first, args.first + args.count))
    if args.tiers:
        counts = differential_tiers(lambda a, t: ctx.run(a, timeout=t), seeds, folder, report, other=args.tiers)
    else:
        counts = differential(root, lambda a, t: ctx.run(a, timeout=t), seeds, folder, report)
    print(f"differential{f' (tiers {args.tiers})' if args.tiers else ''}: {counts['pass']} passed, {counts['fail']} failed, "
          f"{counts['skip']} skipped in {time.monotonic() - start:.0f} s")
    if not args.keep:
        shutil.rmtree(folder, ignore_errors=True)
    return 0 if counts["fail"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
