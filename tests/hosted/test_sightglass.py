"""The Sightglass WASI workloads (../shared/workloads/sightglass) under
k23-run: each runs from its own folder with `--dir .` and must print exactly
its *.stdout.expected (and *.stderr.expected where given).

The riscv64-linux ring runs the quick ones (TEST_SUBSET), with the baseline
and again with the optimizing tier; every workload runs with

    python3 tests/hosted/test_sightglass.py [--all] [--isa rv64gc] [--tier optimizing] [NAME...]

which prints one line per workload with its time and verdict."""
import glob
import os
import sys
import time

SKIPPED = set()
# The ones that take under 5 s each under qemu-riscv64 with the baseline
# tier (about 20 s together); shootout-ed25519 (~35 s), shootout-seqhash
# (~20 s) and shootout-fib2 (~14 s) only run with --all.
TEST_SUBSET = ["blake3-scalar", "blake3-simd", "bz2", "noop", "quicksort", "richards", "shootout-ackermann",
               "shootout-base64", "shootout-ctype", "shootout-gimli", "shootout-heapsort",
               "shootout-keccak", "shootout-matrix", "shootout-memmove", "shootout-minicsv",
               "shootout-nestedloop", "shootout-random", "shootout-ratelimit", "shootout-sieve",
               "shootout-switch", "shootout-xblabla20", "shootout-xchacha20"]
TIMEOUT = 600


def workloads_dir(root):
    env = os.environ.get("K23_WORKLOADS")
    if env:
        return os.path.join(env, "sightglass")
    return os.path.join(os.path.dirname(root), "shared", "workloads", "sightglass")


def all_workloads(root):
    folder = workloads_dir(root)
    if not os.path.isdir(folder):
        return []
    return sorted(n for n in os.listdir(folder)
                  if os.path.isdir(os.path.join(folder, n)) and n not in SKIPPED)


def run_workload(run, folder, timeout=TIMEOUT, options=()):
    """Returns (ok, message, seconds). `run(arguments, cwd, timeout)` returns
    (status, stdout, stderr); `options` go before k23-run's own."""
    wasm = glob.glob(os.path.join(folder, "*.wasm"))
    if len(wasm) != 1:
        return False, f"expected one .wasm in {folder}", 0.0
    wasm = os.path.basename(wasm[0])
    start = time.monotonic()
    try:
        status, out, err = run(list(options) + ["--dir", ".", wasm], folder, timeout)
    except AssertionError as e:
        return False, str(e), time.monotonic() - start
    seconds = time.monotonic() - start
    problems = []
    if status != 0:
        problems.append(f"exit status {status}")
    for stream, text in (("stdout", out), ("stderr", err)):
        expected_files = glob.glob(os.path.join(folder, f"*.{stream}.expected"))
        if not expected_files:
            continue
        with open(expected_files[0], errors="replace") as f:
            expected = f.read()
        if text != expected:
            for i, (a, b) in enumerate(zip(text.splitlines() + [""], expected.splitlines() + [""])):
                if a != b:
                    problems.append(f"{stream} line {i + 1}: got {a[:100]!r}, expected {b[:100]!r}")
                    break
            else:
                problems.append(f"{stream} differs ({len(text)} bytes, expected {len(expected)})")
    if status != 0 and err:
        problems.append("stderr: " + err.strip().splitlines()[-1][:200])
    return not problems, "; ".join(problems), seconds


def run_subset(ctx, prefix, options=()):
    folder = workloads_dir(ctx.root)
    if not os.path.isdir(folder):
        raise AssertionError(f"no workloads at {folder}")
    for name in TEST_SUBSET:
        ok, message, seconds = run_workload(lambda a, cwd, t: ctx.run(a, cwd=cwd, timeout=t),
                                            os.path.join(folder, name), timeout=300, options=options)
        if ok:
            ctx.ok(f"{prefix}.{name}")
        else:
            ctx.fail(f"{prefix}.{name}", message)
    return "reported"


def check_sightglass_subset(ctx):
    return run_subset(ctx, "hosted.sightglass")


def check_sightglass_subset_optimizing(ctx):
    """The same programs with k23-run --tier optimizing (functions it cannot
    compile yet fall back to the baseline): exactly the same output."""
    return run_subset(ctx, "hosted.sightglass@optimizing", ["--tier", "optimizing"])


def check_blake3_simd_without_v(ctx):
    """blake3-simd on a hart without V (qemu -cpu rv64,v=false): k23-run
    detects no V and the JIT takes the scalar SIMD path; the
    output must be the same bytes."""
    folder = os.path.join(workloads_dir(ctx.root), "blake3-simd")
    if not os.path.isdir(folder):
        raise AssertionError(f"no workload at {folder}")
    ok, message, seconds = run_workload(lambda a, cwd, t: ctx.run(a, cwd=cwd, timeout=t, vlen=0), folder, timeout=300)
    assert ok, message


def main(argv):
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    sys.path.insert(0, os.path.join(root, "tools", "driver"))
    import hosted
    hosted.ensure_built()
    ctx = hosted.HostedContext(None, None)
    options = []
    for flag in ("--isa", "--tier"):  # e.g. --isa rv64gc: the JIT's base-ISA paths
        if flag in argv:
            i = argv.index(flag)
            options += [flag, argv[i + 1]]
            argv = argv[:i] + argv[i + 2:]
    names = [a for a in argv if not a.startswith("--")] or (
        all_workloads(root) if "--all" in argv else TEST_SUBSET)
    passed = 0
    for name in names:
        ok, message, seconds = run_workload(lambda a, cwd, t: ctx.run(a, cwd=cwd, timeout=t),
                                            os.path.join(workloads_dir(root), name), options=options)
        passed += ok
        print(f"{name:24} {seconds:7.1f} s  {'ok' if ok else 'FAIL: ' + message}", flush=True)
    print(f"sightglass: {passed} of {len(names)} print exactly their expected output")
    return 0 if passed == len(names) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
