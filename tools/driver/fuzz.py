"""`./k23 fuzz TARGET --seconds N`: libFuzzer targets (clang-16,
-fsanitize=fuzzer,address,undefined), built as the standalone project
tests/fuzz into build/fuzz.

  reader   read + validate + instantiate-without-running (tests/fuzz/ReaderFuzzer.cpp)
  compile  read, then each tier (baseline, optimizing) compiles what reads,
           for RVV and for RV64GC (tests/fuzz/CompileFuzzer.cpp)

Both are seeded from the spec suite's converted .wasm files (core, SIMD
included) and from modules at and just over each implementation limit
(tools/driver/limitmodules.py, from wasm/Limits.h).

The corpus grows in build/fuzz/corpus-TARGET; crashes land in
build/fuzz/artifacts-TARGET. Any crash, hang (> 10 s per input) or
sanitizer report fails the run.
"""
import glob
import os
import shutil
import subprocess

import limitmodules
import spec as k23spec
from common import BUILD, ROOT, DriverError, info, run

TARGETS = {"reader": "k23-fuzz-reader", "compile": "k23-fuzz-compile"}


def build_fuzzer(target):
    bdir = os.path.join(BUILD, "fuzz")
    if not os.path.exists(os.path.join(bdir, "build.ninja")):
        launcher = ["-DCMAKE_CXX_COMPILER_LAUNCHER=ccache"] if shutil.which("ccache") else []
        run(["cmake", "-G", "Ninja", "-S", os.path.join(ROOT, "tests", "fuzz"), "-B", bdir,
             "-DCMAKE_CXX_COMPILER=clang++-16", "-DCMAKE_BUILD_TYPE=RelWithDebInfo"] + launcher, quiet=True)
    run(["ninja", "-C", bdir, "-j2", TARGETS[target]], quiet=True)
    return os.path.join(bdir, TARGETS[target])


def seed_corpus(corpus):
    """Copies the core suite's modules (converting it if needed) into corpus."""
    if os.listdir(corpus):
        return
    root = k23spec.testsuite_dir()
    count = 0
    for relpath, wast in k23spec.suite_files(root, "core"):
        k23spec.convert("core", relpath, wast)
    for path in glob.glob(os.path.join(BUILD, "spec", "core", "**", "*.wasm"), recursive=True):
        shutil.copy(path, os.path.join(corpus, f"seed-{count}.wasm"))
        count += 1
    info(f"fuzz: seeded {count} modules from the spec suite")


def cmd_fuzz(args):
    if args.target == WASI_TARGET:
        return cmd_fuzz_wasi(args)
    if args.target not in TARGETS:
        raise DriverError(f"fuzz: unknown target '{args.target}' (have: {', '.join(TARGETS)})")
    binary = build_fuzzer(args.target)
    corpus = os.path.join(BUILD, "fuzz", f"corpus-{args.target}")
    artifacts = os.path.join(BUILD, "fuzz", f"artifacts-{args.target}") + os.sep
    os.makedirs(corpus, exist_ok=True)
    os.makedirs(artifacts, exist_ok=True)
    seed_corpus(corpus)
    limitmodules.write(corpus)
    cmd = [binary, corpus, f"-max_total_time={args.seconds}", "-timeout=10", "-rss_limit_mb=2048",
           "-max_len=65536", f"-artifact_prefix={artifacts}", "-print_final_stats=1"]
    if args.jobs > 1:
        cmd += [f"-fork={args.jobs}"]
    info(f"fuzz: {' '.join(cmd)}")
    proc = subprocess.run(cmd)
    if proc.returncode != 0:
        print(f"fuzz: {args.target}: FAILED (status {proc.returncode}); artifacts in {artifacts}")
        return 1
    print(f"fuzz: {args.target}: no crash in {args.seconds} s")
    return 0


# ---------------------------------------------------------------- test ring

# `./k23 test` (host ring) runs each fuzzer for RING_SECONDS as the test
# fuzz.TARGET, failed by any crash, hang or sanitizer report. Each run starts
# from a fresh corpus: the limit modules plus every RING_SAMPLE-th spec
# module, so start-up stays a small part of the time whatever the local
# corpus has grown to. (libFuzzer's -seed is fixed: a failure reproduces.)
RING_TARGETS = ["reader", "compile"]
RING_SECONDS = 25
RING_SAMPLE = 8


def add_to_ring(result, pattern):
    for target in RING_TARGETS:
        name = f"fuzz.{target}"
        if pattern and pattern not in name:
            continue
        try:
            message = ring_run(target)
        except DriverError as e:
            message = str(e)
        if message:
            result.fail(name, message)
        else:
            result.ok(name)


def ring_run(target):
    """Runs one fuzzer briefly; returns None, or what went wrong."""
    binary = build_fuzzer(target)
    base = os.path.join(BUILD, "fuzz", f"ring-{target}")
    corpus = os.path.join(base, "corpus")
    artifacts = os.path.join(base, "artifacts") + os.sep
    shutil.rmtree(base, ignore_errors=True)
    os.makedirs(corpus)
    os.makedirs(artifacts)
    limitmodules.write(corpus)
    spec_modules = sorted(glob.glob(os.path.join(BUILD, "spec", "core", "**", "*.wasm"), recursive=True))
    for i, path in enumerate(spec_modules[::RING_SAMPLE]):
        shutil.copy(path, os.path.join(corpus, f"seed-{i}.wasm"))
    cmd = [binary, corpus, f"-max_total_time={RING_SECONDS}", "-timeout=10", "-rss_limit_mb=2048",
           "-max_len=65536", "-seed=1", f"-artifact_prefix={artifacts}"]
    try:
        proc = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, timeout=RING_SECONDS + 300)
    except subprocess.TimeoutExpired:
        return f"{os.path.basename(binary)} did not stop after {RING_SECONDS} s"
    if proc.returncode == 0:
        return None
    tail = "\n".join(proc.stdout.decode(errors="replace").splitlines()[-40:])
    return (f"{os.path.basename(binary)} exited with status {proc.returncode}; "
            f"artifacts in {artifacts}\n{tail}")


# ---------------------------------------------------------------- wasi
# `./k23 fuzz wasi [--seconds N] [--seed S]`: not libFuzzer — random WASI
# call sequences run by k23-run under qemu-riscv64 against a scratch
# directory (tests/fuzz/wasi_fuzz.py says what counts as a finding).

WASI_TARGET = "wasi"


def cmd_fuzz_wasi(args):
    import random
    import sys
    import tempfile
    import time

    import hosted as k23hosted
    sys.path.insert(0, os.path.join(ROOT, "tests", "fuzz"))
    import wasi_fuzz

    k23hosted.ensure_built()
    first = args.seed if args.seed is not None else random.randrange(1 << 31)
    keep = os.path.join(BUILD, "fuzz", "wasi-findings")
    info(f"fuzz: wasi: seeds from {first} for {args.seconds} s; findings kept in {keep}")
    deadline = time.monotonic() + args.seconds
    seed = first
    findings = []
    with tempfile.TemporaryDirectory(prefix="k23-wasi-fuzz-") as workdir:
        while time.monotonic() < deadline:
            findings += wasi_fuzz.run_seeds([seed], k23hosted.command, workdir, keep=keep)
            seed += 1
    runs = seed - first
    if findings:
        print(f"fuzz: wasi: {len(findings)} of {runs} runs failed (seeds {', '.join(str(s) for s, _ in findings)}); "
              f"repeat one with `./k23 fuzz wasi --seconds 1 --seed SEED`, folders in {keep}")
        return 1
    print(f"fuzz: wasi: {runs} runs (seeds {first}..{seed - 1}), no finding in {args.seconds} s")
    return 0
