"""`./k23 bench`: the benchmark harness (issue 7, DESIGN.md "How it is measured").

Code quality: every workload runs under qemu-riscv64 (with V) and the
k23_icount TCG plugin (perf/), which counts the guest instructions between
the bench.start and bench.end markers. Peers, same workload, same run:
  native         clang-16 -O2 -march=rv64gcv, static (the compiler of the .wasm),
                 auto-vectorizing for RVV
  native-scalar  clang-16 -O2 -march=rv64gc -fno-vectorize -fno-slp-vectorize:
                 the reference for scalar code-generation quality
  native-gcc     riscv64-linux-gnu-gcc 12 -O2 (rv64gc), static
  wasm2c      wabt 1.0.32's wasm2c of the .wasm, typed loads/stores, guard
              pages (no bounds checks), clang-16 -O2 -march=rv64gcv
  k23-TIER    build/riscv64-linux/hosted/k23-run --tier TIER (when built);
              k23-auto compiles hot functions inline (--tier-up-compile
              inline) between pause/resume markers: its region leaves the
              optimizing tier's compiles out, as k23-run's background thread
              (a second hart) would, but without that thread's delay and
              exactly (the plugin has one counter; two threads would race on
              it). Per workload "tier_up" records what it did: functions
              tiered up and refused, code bytes per tier, and the compiles'
              instructions (all, those inside the region and those before
              bench.start); "startup" every k23 column's instructions before
              bench.start, the paused compiles left out like the region's
              (the background thread's work: the guest does not wait for it).
  k23-kernel  the same module run inside the k23 OS (baseline tier, U-mode
              guest) under qemu-system-riscv64 -icount shift=0: the kernel's
              instret between the markers (benchkernel.py)
Every C workload is also built with -msimd128 and run as NAME+simd (k23 tiers;
its native columns are the scalar workload's binaries; wasm2c 1.0.32 cannot
translate SIMD, so its column is null with the note).
Code size: bytes of machine code per module, k23 (bench/compile's
k23-codesize) and Cranelift (the serialized module's .text), for rv64gc and
for the hart's rv64gcv_zba_zbb_zbs.
OS costs: named microbenchmarks (bench/os.py), null with a note until the
piece that can be measured exists.
Compile speed: bench/compile's Google Benchmark (k23, host, as a
cross-compiler) and Cranelift through the `wasmtime` Python package
(target riscv64gc-unknown-linux-gnu, compile only), MB of wasm per second.
Boot: instructions from loader entry to kernel main and to the first guest
instruction under -icount shift=0, per phase, and the image sizes.

Results: build/bench/results.json (the previous one is kept as
build/bench/previous.json), --json FILE, build/bench/history.jsonl (one line
of headline figures per run), and the dashboard (build/bench/dashboard.html
+ dashboard.md, see dashboard.py). Every run is compared with the committed
bench/reference.json: each exact figure that changed is printed.
"""
import concurrent.futures
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import time

import benchkernel as k23kernel
import build as k23build
import perf as k23perf
import qemu
import setup as k23setup
from common import BUILD, ROOT, DriverError, info, run

BENCH = os.path.join(BUILD, "bench")
WORKLOADS_SRC = os.path.join(ROOT, "bench", "workloads")
WASM2C_SRC = os.path.join(ROOT, "bench", "wasm2c")
WASM_RT_DIR = "/usr/share/wabt/wasm2c"     # Debian's wabt: wasm-rt-impl.c/.h
WASM_RT_HEADER_DIR = "/usr/include"        # wasm-rt.h
K23_RUN = os.path.join(BUILD, "riscv64-linux", "hosted", "k23-run")
RESULTS = os.path.join(BENCH, "results.json")
PREVIOUS = os.path.join(BENCH, "previous.json")

# The peers' settings (shown by the dashboard). -ffp-contract=off everywhere:
# WebAssembly has no fused multiply-add, so the native builds compute the
# same floating-point results and outputs can be compared exactly.
COMMON_CFLAGS = ["-O2", "-ffp-contract=off", "-Wall"]
WASM_CC = ["clang-16", "--target=wasm32-wasi", "--sysroot=/usr"] + COMMON_CFLAGS
WASM_SIMD_CC = WASM_CC + ["-msimd128"]
NATIVE_CC = ["clang-16", "--target=riscv64-linux-gnu", "-march=rv64gcv", "-static"] + COMMON_CFLAGS
NATIVE_SCALAR_CC = ["clang-16", "--target=riscv64-linux-gnu", "-march=rv64gc", "-fno-vectorize",
                    "-fno-slp-vectorize", "-static"] + COMMON_CFLAGS
GCC_CC = ["riscv64-linux-gnu-gcc", "-static"] + COMMON_CFLAGS
WASM2C_CC = ["clang-16", "--target=riscv64-linux-gnu", "-march=rv64gcv", "-static", "-O2",
             "-ffp-contract=off", "-w"]
PEER_SETTINGS = {
    "native": "clang-16 -O2 -march=rv64gcv -ffp-contract=off, static glibc (auto-vectorizing "
              "for RVV)",
    "native-scalar": "clang-16 -O2 -march=rv64gc -fno-vectorize -fno-slp-vectorize "
                     "-ffp-contract=off, static glibc (scalar code generation)",
    "NAME+simd": "the C workload built as wasm with -msimd128 (clang-16's auto-vectorizer for "
                 "wasm SIMD), run under k23's tiers; its native columns are the scalar "
                 "workload's binaries; wasm2c 1.0.32 cannot translate SIMD",
    "native-gcc": "riscv64-linux-gnu-gcc 12 -O2 (rv64gc; GCC 12 has no RVV auto-vectorization) "
                  "-ffp-contract=off, static glibc",
    "wasm2c": "wabt 1.0.32 wasm2c of the same .wasm (clang-16 -O2 wasm32-wasi, wasi-libc); "
              "output built with clang-16 -O2 -march=rv64gcv; linear memory behind guard pages "
              "(no bounds checks, WASM_RT_MEMCHECK_SIGNAL_HANDLER); loads/stores rewritten as "
              "typed (aligned) accesses, since both GCC 12 and clang-16 expand wasm2c's "
              "memcpy-based accesses into single bytes on RISC-V; Debian's wasm-rt-impl.c; "
              "our WASI host (bench/wasm2c/wasi.c)",
    "k23": "k23-run --tier TIER under qemu-riscv64 (hosted/)",
    "k23-kernel": "the module as a WASI command inside the k23 OS (./k23 run's path, baseline "
                  "tier, a U-mode guest), one boot per workload under qemu-system-riscv64 "
                  "-icount shift=0 -m " + k23kernel.MEMORY + "; instret read by the kernel's "
                  "bench.start/bench.end host functions",
}
PEERS = ["native", "native-scalar", "native-gcc", "wasm2c"]
WASM2C_NO_SIMD = "wasm2c (wabt 1.0.32) cannot translate SIMD"
DEFAULT_TIERS = ["baseline", "optimizing", "auto"]

# Pinned Cranelift peer: the newest `wasmtime` wheels on the Python registry
# are built without the riscv64 back end for cross-compilation ("Support for
# this target is disabled"); 25.0.0's has it (checked).
WASMTIME_VERSION = "25.0.0"
VENV = os.path.join(BENCH, "venv")

# Sightglass programs left out of --quick: regions of 3 to 52 billion
# instructions (wasm2c), each several seconds to a minute under QEMU.
SLOW_SIGHTGLASS = {"shootout-ed25519", "shootout-seqhash", "shootout-fib2",
                   "shootout-heapsort", "shootout-matrix", "shootout-minicsv",
                   "shootout-sieve"}
RUN_TIMEOUT = 900        # seconds for one run under QEMU
QUICK_RUN_TIMEOUT = 180  # --quick: keeps the whole run bounded whatever a tier does


def sightglass_root():
    env = os.environ.get("K23_WORKLOADS")
    base = env if env else os.path.join(os.path.dirname(ROOT), "shared", "workloads")
    return os.path.join(base, "sightglass")


class Workload:
    def __init__(self, name, source, wasm, cwd, c_src=None, expected=None, base=None):
        self.name = name
        self.source = source          # "c", "c+simd" (bench/workloads) or "sightglass"
        self.base = base              # c+simd: the scalar workload's name
        self.wasm = wasm              # the module (built for "c")
        self.cwd = cwd                # where it runs (its *.input files)
        self.c_src = c_src
        self.expected = expected      # path of the expected stdout, if given
        self.out = os.path.join(BENCH, source, name)

    def binary(self, peer):
        return os.path.join(self.out, peer)

    def peers(self):
        return PEERS if self.source == "c" else ["wasm2c"]

    def wasm2c_optional(self):
        """wasm2c failing to translate it is a missing peer, not an error."""
        return self.source != "c"


def discover():
    loads = []
    for f in sorted(os.listdir(WORKLOADS_SRC)):
        if f.endswith(".c"):
            name = f[:-2]
            out = os.path.join(BENCH, "c", name)
            loads.append(Workload(name, "c", os.path.join(out, name + ".wasm"), out,
                                  c_src=os.path.join(WORKLOADS_SRC, f)))
    for w in list(loads):
        name = w.name + "+simd"
        out = os.path.join(BENCH, "c+simd", name)
        loads.append(Workload(name, "c+simd", os.path.join(out, name + ".wasm"), out,
                              c_src=w.c_src, base=w.name))
    root = sightglass_root()
    for d in sorted(os.listdir(root)) if os.path.isdir(root) else []:
        folder = os.path.join(root, d)
        if not os.path.isdir(folder):
            continue
        wasms = [f for f in os.listdir(folder) if f.endswith(".wasm")]
        if len(wasms) != 1:
            continue
        stem = wasms[0][:-5]
        expected = os.path.join(folder, stem + ".stdout.expected")
        name = d if d not in {w.name for w in loads} else f"sightglass-{d}"
        loads.append(Workload(name, "sightglass", os.path.join(folder, wasms[0]), folder,
                              expected=expected if os.path.exists(expected) else None))
    return loads


# ------------------------------------------------------------------ building

def stale(target, deps):
    if not os.path.exists(target):
        return True
    t = os.path.getmtime(target)
    return any(os.path.getmtime(d) > t for d in deps)


def typed_accesses(text):
    """wasm2c's little-endian DEFINE_LOAD/DEFINE_STORE copy through memcpy
    (unknown alignment): make them aligned typed accesses, what a JIT emits."""
    load = "wasm_rt_memcpy(&result, &mem->data[addr], sizeof(t1));"
    store = "wasm_rt_memcpy(&mem->data[addr], &wrapped, sizeof(t1));"
    if load not in text or store not in text:
        raise DriverError("bench: wasm2c output without the expected DEFINE_LOAD/DEFINE_STORE "
                          "(another wabt version?)")
    return (text.replace(load, "__builtin_memcpy(&result, __builtin_assume_aligned("
                               "&mem->data[addr], sizeof(t1)), sizeof(t1));")
                .replace(store, "__builtin_memcpy(__builtin_assume_aligned(&mem->data[addr], "
                                "sizeof(t1)), &wrapped, sizeof(t1));"))


def build_steps(w):
    """(target, deps, function, kind) for each artefact of w, in order; kind
    is the peer it is for ("wasm" for the module itself)."""
    steps = []
    header = os.path.join(WORKLOADS_SRC, "bench.h")
    if w.source == "c+simd":
        steps.append((w.wasm, [w.c_src, header, __file__],
                      lambda: run(WASM_SIMD_CC + [w.c_src, "-o", w.wasm, "-lm"], quiet=True),
                      "wasm"))
    if w.source == "c":
        steps.append((w.wasm, [w.c_src, header],
                      lambda: run(WASM_CC + [w.c_src, "-o", w.wasm, "-lm"], quiet=True), "wasm"))
        steps.append((w.binary("native"), [w.c_src, header],
                      lambda: run(NATIVE_CC + [w.c_src, "-o", w.binary("native"), "-lm"],
                                  quiet=True), "native"))
        steps.append((w.binary("native-scalar"), [w.c_src, header, __file__],
                      lambda: run(NATIVE_SCALAR_CC + [w.c_src, "-o", w.binary("native-scalar"),
                                                      "-lm"], quiet=True), "native-scalar"))
        steps.append((w.binary("native-gcc"), [w.c_src, header],
                      lambda: run(GCC_CC + [w.c_src, "-o", w.binary("native-gcc"), "-lm"],
                                  quiet=True), "native-gcc"))
    harness = [os.path.join(WASM2C_SRC, f) for f in ("main.c", "wasi.c", "wasi.h")]
    gen = os.path.join(w.out, "w2c", "workload.c")

    def wasm2c():
        os.makedirs(os.path.dirname(gen), exist_ok=True)
        run(["wasm2c", "-n", "workload", w.wasm, "-o", gen], quiet=True)
        with open(gen) as f:
            text = typed_accesses(f.read())
        with open(gen, "w") as f:
            f.write(text)

    steps.append((gen, [w.wasm, __file__], wasm2c, "wasm2c"))
    steps.append((w.binary("wasm2c"), [gen] + harness,
                  lambda: run(WASM2C_CC + ["-I", os.path.dirname(gen), "-I", WASM2C_SRC,
                                           "-I", WASM_RT_DIR, "-I", WASM_RT_HEADER_DIR,
                                           os.path.join(WASM2C_SRC, "main.c"),
                                           os.path.join(WASM2C_SRC, "wasi.c"), gen,
                                           os.path.join(WASM_RT_DIR, "wasm-rt-impl.c"),
                                           "-o", w.binary("wasm2c"), "-lm"], quiet=True),
                  "wasm2c"))
    return steps


def build_workload(w):
    """None, or (error, kind of the step that failed)."""
    os.makedirs(w.out, exist_ok=True)
    for target, deps, fn, kind in build_steps(w):
        if stale(target, deps):
            try:
                fn()
            except DriverError as e:
                # No half-made target may look up to date next time.
                if os.path.exists(target):
                    os.remove(target)
                return str(e), kind
    return None


def build_all(loads):
    """{name: (error, kind)} of the workloads whose build stopped. wasm2c
    failing on a module that is not plain C (SIMD) is expected and quiet."""
    info(f"bench: building {len(loads)} workloads (build/bench)")
    errors = {}
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        for w, err in zip(loads, pool.map(build_workload, loads)):
            if err:
                errors[w.name] = err
                if not (err[1] == "wasm2c" and w.wasm2c_optional()):
                    info(f"bench: {w.name}: build failed: {err[0]}")
    return errors


# ------------------------------------------------------------------ running

def run_one(w, peer, argv, timeout, env=None):
    start = time.monotonic()
    try:
        status, out, err, counts = k23perf.count(argv, timeout=timeout, cwd=w.cwd, env=env)
    except subprocess.TimeoutExpired:
        return {"peer": peer, "ok": False, "error": f"timed out after {timeout} s",
                "wall_s": round(time.monotonic() - start, 3)}
    r = {"peer": peer, "status": status, "stdout": out.decode(errors="replace"),
         "stderr": err.decode(errors="replace")[-2000:], "counts": counts,
         "wall_s": round(time.monotonic() - start, 3)}
    r["ok"] = status == 0 and counts is not None and counts.get("regions", 0) >= 1
    if not r["ok"]:
        r["error"] = (f"exit status {status}" if status != 0 else
                      "no bench.start/bench.end region" if counts else "no counts") + \
            (": " + r["stderr"].strip().splitlines()[-1] if r["stderr"].strip() else "")
    return r


class Progress:
    """`[17/139] sha256 k23-baseline 12,345,678 (41 s, ~2 min left)`: on a
    terminal one line rewritten in place, otherwise (CI's log) a line each."""

    def __init__(self, total, what):
        self.total, self.done, self.t0 = total, 0, time.monotonic()
        self.tty = sys.stdout.isatty()
        info(f"bench: {total} {what}")

    def step(self, label):
        self.done += 1
        spent = time.monotonic() - self.t0
        left = spent / self.done * (self.total - self.done)
        line = (f"[{self.done}/{self.total}] {label} ({spent:.0f} s"
                + (f", ~{fmt_seconds(left)} left)" if self.done < self.total else ")"))
        if self.tty:
            sys.stdout.write("\r\033[K" + line[:shutil.get_terminal_size().columns - 1])
            if self.done == self.total:
                sys.stdout.write("\n")
        else:
            sys.stdout.write(line + "\n")
        sys.stdout.flush()


def fmt_seconds(s):
    return f"{s:.0f} s" if s < 90 else f"{s / 60:.1f} min"


def run_jobs(jobs, timeout, what, env=None):
    """jobs: [(key, workload, label, argv)] run two at a time; {key: run}.
    argv may be a function of (workload, timeout) that makes the run itself
    (the k23-kernel column boots the kernel)."""
    runs = {}
    if not jobs:
        return runs
    progress = Progress(len(jobs), what)

    def submit(pool, w, label, argv):
        if callable(argv):
            return pool.submit(argv, w, timeout)
        return pool.submit(run_one, w, label.split()[-1], argv, timeout, env)

    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        futures = {submit(pool, w, label, argv): (key, label)
                   for key, w, label, argv in jobs}
        for fut in concurrent.futures.as_completed(futures):
            key, label = futures[fut]
            r = runs[key] = fut.result()
            progress.step(f"{label} " + (
                f"{r['counts']['region']:,}" if r["ok"] else
                "n/a" if tier_unavailable(r) or r.get("skipped") else
                f"total {r['counts']['total']:,}" if r.get("status") == 0 and r.get("counts")
                else "failed"))
    return runs


# --quick runs the k23-kernel column only where the reference's region is
# under this many instructions (k23-kernel's, else k23-baseline's): the
# others take 30 s to 2.5 min each inside the kernel under -icount
# (shootout-ctype, -base64, -memmove); `./k23 bench` runs them all.
KERNEL_QUICK_LIMIT = 1_000_000_000


QUICK_SKIP_NOTE = "k23-kernel: not run: --quick leaves it out"


def kernel_quick_skip(name, reference):
    """The reason --quick leaves workload `name` out of k23-kernel, or None.
    A workload the reference's --quick left out stays out (its k23-kernel
    figure is then missing, and k23-baseline's may be under the limit)."""
    for w in (reference or {}).get("workloads", []):
        if w.get("name") != name:
            continue
        for note in w.get("notes", []):
            if note.startswith(QUICK_SKIP_NOTE):
                return note[len("k23-kernel: not run: "):]
        ins = w.get("instructions", {})
        n = ins.get("k23-kernel") or ins.get("k23-baseline")
        if n is not None and n > KERNEL_QUICK_LIMIT:
            return (f"--quick leaves it out ({n:,} instructions in bench/reference.json, over "
                    f"{KERNEL_QUICK_LIMIT:,}; ./k23 bench runs it)")
    return None


def measure(loads, tiers, build_errors, timeout, kernel=False, kernel_reference=None):
    """kernel: also the k23-kernel column (the kernel image is built);
    kernel_reference: with --quick, the reference whose large regions the
    column leaves out (kernel_quick_skip)."""
    have_k23 = os.path.exists(K23_RUN)
    jobs = []
    runs = {}
    selected = {w.name for w in loads}
    for w in loads:
        for p in w.peers():
            if w.name not in build_errors:
                jobs.append(((w.name, p), w, f"{w.name} {p}", [w.binary(p)]))
        if have_k23 and os.path.exists(w.wasm):
            for t in tiers:
                jobs.append(((w.name, f"k23-{t}"), w, f"{w.name} k23-{t}",
                             [K23_RUN, "--tier", t] + AUTO_ARGS.get(t, []) + ["--dir", ".", w.wasm]))
        if kernel and os.path.exists(w.wasm):
            why = kernel_quick_skip(w.name, kernel_reference)
            if why:
                runs[(w.name, "k23-kernel")] = {"peer": "k23-kernel", "ok": False,
                                                "skipped": True, "error": why}
            else:
                jobs.append(((w.name, "k23-kernel"), w, f"{w.name} k23-kernel",
                             k23kernel.run_workload))
    runs.update(run_jobs(jobs, timeout, "runs under qemu-riscv64 + k23_icount "
                         "(k23-kernel: qemu-system-riscv64 -icount)"))
    assert all(w.base is None or w.base in selected for w in loads)
    columns = [f"k23-{t}" for t in tiers] + (["k23-kernel"] if kernel else [])
    return [judge(w, columns, build_errors, runs, have_k23) for w in loads]


# k23-auto: deterministic counts (see the docstring) and the tier-up summary.
AUTO_ARGS = {"auto": ["--tier-up-compile", "inline", "--verbose"]}
TIER_UP_RE = re.compile(r"tier-up: (\d+) functions tiered up, (\d+) refused; "
                        r"code bytes: baseline (\d+), optimizing (\d+)")
OSR_RE = re.compile(r"OSR: (\d+) loop entries, (\d+) transfers")


def tier_up_of(stderr):
    """k23-run --verbose's tier-up line as a dict, or None."""
    m = TIER_UP_RE.search(stderr or "")
    if not m:
        return None
    out = {"tiered_up": int(m.group(1)), "refused": int(m.group(2)),
           "baseline_bytes": int(m.group(3)), "optimizing_bytes": int(m.group(4))}
    osr = OSR_RE.search(stderr)
    if osr:
        out["osr_entries"], out["osr_transfers"] = int(osr.group(1)), int(osr.group(2))
    return out


def tier_unavailable(r):
    """k23-run refuses a tier it does not have yet (exit 2, '... is not available')."""
    return r.get("status") == 2 and "is not available" in r.get("stderr", "")


def judge(w, k23_columns, build_errors, runs, have_k23):
    """The workload's entry: counts, wall times, correctness, notes.
    k23_columns: "k23-TIER" and "k23-kernel".
    "correct" is None when no peer could run it (wasm2c cannot translate it and
    k23 is not there); "k23_failed" lists the k23 tiers that ran and failed.
    A k23-kernel run the column leaves out (KERNEL_SKIP) is a note, not a
    failure."""
    entry = {"name": w.name, "source": w.source, "correct": False,
             "instructions": {}, "wall_s": {}, "notes": [], "k23_failed": []}
    peers = w.peers() + list(k23_columns)
    if w.source == "sightglass":
        entry["notes"].append("no C source: wasm2c and k23 only")
    if not have_k23:
        entry["notes"].append("k23-run not built yet (build/riscv64-linux/hosted/k23-run)")
    error, kind = build_errors.get(w.name, (None, None))
    unsupported = kind == "wasm2c" and w.wasm2c_optional()
    if unsupported:
        # wabt 1.0.32's wasm2c cannot translate every module (no SIMD): the
        # peer is missing, which is not a wrong result.
        entry["notes"].append(WASM2C_NO_SIMD + " (it stops on this module)"
                              if w.source == "c+simd" else
                              "wasm2c cannot translate this module: " + error)
    elif error:
        entry["notes"].append("build failed: " + error)
    outputs = {}
    peers_ok = error is None or unsupported
    if w.source == "c+simd":
        # The same C, natively: the scalar workload's native binaries (its
        # output is the reference).
        entry["notes"].append("native, native-scalar: the scalar workload's binaries")
        for p in ("native", "native-scalar"):
            r = runs.get((w.base, p))
            entry["instructions"][p] = r["counts"]["region"] if r and r["ok"] else None
            if r and r["ok"] and p == "native":
                outputs["native"] = r["stdout"]
    for p in peers:
        r = runs.get((w.name, p))
        entry["instructions"][p] = None
        if r is None:
            continue
        entry["wall_s"][p] = r.get("wall_s")
        if r["ok"]:
            entry["instructions"][p] = r["counts"]["region"]
            outputs[p] = r["stdout"]
            if p.startswith("k23-") and p != "k23-kernel":
                c = r["counts"]
                start = c.get("first_start")
                if start is not None and start >= 0:
                    start -= c.get("paused_before_start") or 0
                entry.setdefault("startup", {})[p] = start
            if p == "k23-auto":
                entry["tier_up"] = tier_up_of(r.get("stderr"))
                if entry["tier_up"] is not None:
                    entry["tier_up"]["compile_instructions"] = r["counts"].get("paused")
                    entry["tier_up"]["compile_instructions_in_region"] = r["counts"].get("paused_in_region")
                    entry["tier_up"]["compile_instructions_before_start"] = r["counts"].get("paused_before_start")
        elif p.startswith("k23-") and tier_unavailable(r):
            entry["notes"].append(f"{p}: k23-run has no such tier yet")
        elif r.get("skipped"):
            entry["notes"].append(f"{p}: not run: {r['error']}")
        else:
            entry["notes"].append(f"{p}: {r.get('error', 'failed')}")
            if p.startswith("k23-"):
                entry["k23_failed"].append(p)
            else:
                peers_ok = False
    # Correctness: every peer prints the same; the suite's expected stdout
    # where it gives one, else native's.
    reference = None
    if w.expected:
        with open(w.expected, errors="replace") as f:
            reference = f.read()
    elif outputs:
        reference = outputs.get("native", next(iter(outputs.values())))
    for p, out in list(outputs.items()):
        if out != reference:
            entry["notes"].append(f"{p}: output differs from "
                                  f"{'the expected stdout' if w.expected else 'native'}")
            entry["instructions"][p] = None
            if p.startswith("k23-"):
                entry["k23_failed"].append(p)
            else:
                peers_ok = False
    if not outputs:
        entry["correct"] = None if unsupported and not entry["k23_failed"] else False
    else:
        entry["correct"] = peers_ok and not entry["k23_failed"]
    entry["peers_correct"] = peers_ok and bool(outputs or unsupported)
    if w.source == "c+simd":
        outputs.pop("native", None)   # judged with the scalar workload
    last = (reference or "").strip().splitlines()[-1:] or [""]
    entry["output"] = last[0][:200]
    return entry


# ------------------------------------------------------------------ compile speed

def reader_modules(loads):
    """bench/compile's reader benchmark reads K23_WORKLOADS/sightglass/*/*.wasm:
    a folder of links to every workload module."""
    root = os.path.join(BENCH, "modules")
    shutil.rmtree(root, ignore_errors=True)
    for w in loads:
        if os.path.exists(w.wasm):
            d = os.path.join(root, "sightglass", w.name)
            os.makedirs(d, exist_ok=True)
            os.symlink(w.wasm, os.path.join(d, w.name + ".wasm"))
    return root


def k23_compile_speed(loads, quick):
    """Google Benchmark in bench/compile (standalone, optimized, no sanitizers).
    A benchmark named KIND/all becomes k23-KIND (read_validate -> k23-reader)."""
    out = {}
    bdir = os.path.join(BUILD, "bench-compile")
    src = os.path.join(ROOT, "bench", "compile")
    try:
        if not os.path.exists(os.path.join(bdir, "build.ninja")):
            run(["cmake", "-G", "Ninja", "-S", src, "-B", bdir, "-DCMAKE_BUILD_TYPE=Release",
                 "-DCMAKE_CXX_COMPILER=clang++-16"], quiet=True)
    except DriverError as e:
        return {"k23-reader": {"MBps": None, "note": f"bench/compile did not configure: {e}"}}
    if run(["ninja", "-j2", "-C", bdir], quiet=True, check=False).returncode != 0:
        # One benchmark that does not build must not take the others along.
        proc = run(["ninja", "-C", bdir, "-t", "targets", "all"], quiet=True, check=False)
        for target in re.findall(r"^(k23-bench-[\w-]+):", proc.stdout, re.M):
            path = os.path.join(bdir, target)
            if run(["ninja", "-j2", "-C", bdir, target], quiet=True, check=False).returncode:
                if os.path.exists(path):
                    os.remove(path)   # never measure a stale binary
                out["k23-" + target[len("k23-bench-"):]] = {
                    "MBps": None, "note": f"bench/compile: {target} did not build"}
    exes = sorted(f for f in os.listdir(bdir)
                  if f.startswith("k23-bench-") and os.access(os.path.join(bdir, f), os.X_OK)
                  and os.path.isfile(os.path.join(bdir, f)))
    env = dict(os.environ, K23_WORKLOADS=reader_modules(loads))
    names = {"read_validate": "k23-reader"}
    for exe in exes:
        cmd = [os.path.join(bdir, exe), "--benchmark_format=json"]
        if quick:
            cmd += ["--benchmark_filter=/all$"]
        try:
            proc = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                  timeout=900, text=True)
            report = json.loads(proc.stdout)
        except (subprocess.TimeoutExpired, ValueError) as e:
            out[exe] = {"MBps": None, "note": f"{exe} failed: {e}"}
            continue
        for b in report.get("benchmarks", []):
            kind, _, what = b.get("name", "").partition("/")
            key = names.get(kind, "k23-" + kind)
            if b.get("error_occurred"):
                out.setdefault(key, {})["note"] = b.get("error_message", "error")
                continue
            mbps = round(b.get("bytes_per_second", 0) / 1e6, 2)
            if what == "all":
                out.setdefault(key, {})["MBps"] = mbps
            else:
                out.setdefault(key, {}).setdefault("modules", {})[what] = mbps
    out.setdefault("k23-reader", {"MBps": None, "note": "no read_validate/all result"})
    out.setdefault("k23-baseline", {"MBps": None, "note": "baseline tier not built yet "
                                    "(no baseline/all benchmark in bench/compile)"})
    out.setdefault("k23-optimizing", {"MBps": None, "note": "no optimizing/all result in bench/compile"})
    return out


def ensure_wasmtime():
    """The Cranelift peer's venv (lazily, only for ./k23 bench). None if the
    package cannot be had, with the reason."""
    py = os.path.join(VENV, "bin", "python")
    stamp = os.path.join(VENV, ".k23-wasmtime")
    try:
        with open(stamp) as f:
            if f.read() == WASMTIME_VERSION:
                return py, None
    except OSError:
        pass
    info(f"bench: installing wasmtime=={WASMTIME_VERSION} into build/bench/venv")
    shutil.rmtree(VENV, ignore_errors=True)
    proc = run([sys.executable, "-m", "venv", VENV], check=False, quiet=True)
    if proc.returncode != 0:
        return None, "python3 -m venv failed (python3-venv)"
    proc = run([os.path.join(VENV, "bin", "pip"), "install", "-q", "--disable-pip-version-check",
                f"wasmtime=={WASMTIME_VERSION}"], check=False, quiet=True)
    if proc.returncode != 0:
        last = proc.stdout.strip().splitlines()[-1:] or [""]
        return None, f"pip install wasmtime=={WASMTIME_VERSION} failed: {last[0]}"
    with open(stamp, "w") as f:
        f.write(WASMTIME_VERSION)
    return py, None


def cranelift_compile_speed(loads, quick):
    py, why = ensure_wasmtime()
    if py is None:
        return {"MBps": None, "note": why}
    modules = [w.wasm for w in loads if os.path.exists(w.wasm)]
    try:
        proc = subprocess.run([py, os.path.join(ROOT, "bench", "cranelift_compile.py"),
                               "--min-seconds", "0.2" if quick else "1.0"] + modules,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              timeout=1800,
                              # wasmtime 25's Python Config has no parallel_compilation:
                              # one rayon thread keeps it to one core, as k23 is measured.
                              env=dict(os.environ, RAYON_NUM_THREADS="1"))
        report = json.loads(proc.stdout)
    except subprocess.TimeoutExpired as e:
        return {"MBps": None, "note": f"Cranelift run timed out: {e}"}
    except ValueError:
        last = (proc.stderr.strip().splitlines() or ["no output"])[-1]
        return {"MBps": None, "note": f"Cranelift run failed: {last[:300]}"}
    report["version"] = f"wasmtime {WASMTIME_VERSION} (Python package)"
    return report


# ------------------------------------------------------------------ code size

K23_CODESIZE = os.path.join(BUILD, "bench-compile", "k23-codesize")
HART_ISA = "rv64gcv_zba_zbb_zbs"   # qemu-riscv64 -cpu rv64,v=true: what k23-run runs on


def code_size(loads, cranelift):
    """{module: {"k23-baseline": bytes, "k23-baseline-hart": bytes,
    "cranelift-riscv64": bytes}} with notes. k23: bench/compile's
    k23-codesize, exact (the code blob: functions, trap stubs, literal
    pools); rv64gc like Cranelift, and the hart's ISA beside it."""
    out = {"modules": {}, "notes": [
        "bytes of machine code per module; k23-baseline and cranelift-riscv64 both for rv64gc "
        "(Cranelift's ISA flags cannot be set through wasmtime 25's C API, so it has no V or "
        "Zb*); k23-baseline@hart is k23 for " + HART_ISA + ", the hart k23-run runs on",
        "k23: functions, trap stubs and literal pools (bench/compile/CodeSize.cpp); Cranelift: "
        "the extent of the function symbols in the serialized module's .text (functions and "
        "wasmtime's trampolines; bench/cranelift_compile.py)",
        "k23-optimizing: the optimizing tier for rv64gc, with the functions it leaves to the "
        "baseline (SIMD) compiled by the baseline",
        "k23's sizes depend on the addresses of the compiler's buffers (on some modules, up to "
        "~0.3% from run to run: richards 60,666 to 60,842 bytes): k23-codesize runs with ASLR "
        "off (setarch -R) so that runs repeat"]}
    modules = [w for w in loads if os.path.exists(w.wasm)]
    k23 = {}
    if not os.access(K23_CODESIZE, os.X_OK):
        out["notes"].append("k23-codesize did not build (bench/compile)")
    else:
        # ASLR off: the baseline tier's code size depends on where its
        # buffers are (richards: 60,666 to 60,842 bytes seen run to run), so
        # a run is repeatable only with the same addresses.
        norand = ["setarch", "-R"] if shutil.which("setarch") else []
        if not norand:
            out["notes"].append("setarch not found: k23 sizes measured with ASLR on (they vary "
                                "from run to run by up to ~0.3% on some modules)")
        for key, isa, tier in (("rv64gc", "rv64gc", "baseline"), (HART_ISA, HART_ISA, "baseline"),
                               ("optimizing", "rv64gc", "optimizing")):
            proc = subprocess.run(norand + [K23_CODESIZE, "--isa", isa, "--tier", tier] + [w.wasm for w in modules],
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                  timeout=600)
            try:
                k23[key] = json.loads(proc.stdout)
            except ValueError:
                out["notes"].append(f"k23-codesize --isa {isa} --tier {tier} failed: {proc.stderr.strip()[-200:]}")
    cl = cranelift.get("code_bytes", {}) if isinstance(cranelift, dict) else {}
    if not cl:
        out["notes"].append("cranelift-riscv64: " + str(cranelift.get("note", "no code sizes")))

    def number(v):
        return v if isinstance(v, int) else None

    for w in modules:
        out["modules"][w.name] = {
            "k23-baseline": number(k23.get("rv64gc", {}).get(w.wasm)),
            "k23-optimizing": number(k23.get("optimizing", {}).get(w.wasm)),
            "k23-baseline@hart": number(k23.get(HART_ISA, {}).get(w.wasm)),
            "cranelift-riscv64": number(cl.get(w.wasm)),
        }
        for who, v in (("k23", k23.get("rv64gc", {}).get(w.wasm)), ("cranelift", cl.get(w.wasm))):
            if isinstance(v, str):
                out["notes"].append(f"{w.name}: {who}: {v}")
    return out


# ------------------------------------------------------------------ OS costs

OS_COST_NAMES = [
    ("host_call", "host call round trip"),
    ("system_call", "system call round trip"),
    ("trap_recovery", "trap and recovery"),
    ("instantiate_1mib", "instantiate with a 1 MiB data segment"),
    ("guest_create_destroy", "guest create + destroy"),
    ("boot_to_kernel_main", "boot to kernel main"),
    ("boot_to_first_guest", "boot to first guest instruction"),
]
HOSTCALL_N = 10000
TRAP_N = 100


def hostcall_wat(call):
    """A loop of HOSTCALL_N iterations between the markers, calling WASI's
    sched_yield (k23-run has no no-op host function besides the markers)
    or not (the same loop without the call, subtracted)."""
    body = "call $yield drop" if call else "nop"
    return f"""(module
  (import "bench" "start" (func $start))
  (import "bench" "end" (func $end))
  (import "wasi_snapshot_preview1" "sched_yield" (func $yield (result i32)))
  (memory (export "memory") 1)
  (func (export "_start") (local $i i32)
    call $start
    (loop $l
      {body}
      local.get $i i32.const 1 i32.add local.tee $i
      i32.const {HOSTCALL_N} i32.ne br_if $l)
    call $end))
"""


def trap_wat(trapping):
    """TRAP_N exports, each called once by k23-run --invoke-all with the
    argument 0: each traps (unreachable) or, with the same code but another
    constant, returns."""
    funcs = "\n".join(
        f'  (func (export "f{i}") (param i32) local.get 0 i32.const {0 if trapping else 1} '
        f'i32.eq if unreachable end)' for i in range(TRAP_N))
    return f"(module\n{funcs}\n)\n"


def data_wat(size):
    """A command with an empty _start and one active data segment of `size`
    bytes (a pattern, not zeros) in a 17-page memory."""
    data = "".join(f"\\{(i * 7 + 3) & 0xff:02x}" for i in range(size))
    return f"""(module
  (memory (export "memory") 17)
  (data (i32.const 0) "{data}")
  (func (export "_start")))
"""


def os_costs(tiers, boot, timeout):
    """The named OS and engine costs, per k23 tier: instructions, or null
    with a note. Each measured one is a difference of two exact counts."""
    d = os.path.join(BENCH, "os")
    os.makedirs(d, exist_ok=True)
    modules = {"hostcall": hostcall_wat(True), "hostcall-loop": hostcall_wat(False),
               "trap": trap_wat(True), "trap-none": trap_wat(False),
               "data-1mib": data_wat(1 << 20), "data-0": data_wat(0)}
    paths = {}
    for name, text in modules.items():
        wat, wasm = os.path.join(d, name + ".wat"), os.path.join(d, name + ".wasm")
        old = None
        if os.path.exists(wat):
            with open(wat) as f:
                old = f.read()
        if old != text or not os.path.exists(wasm):
            with open(wat, "w") as f:
                f.write(text)
            run(["wat2wasm", wat, "-o", wasm], quiet=True)
        paths[name] = wasm
    have_k23 = os.path.exists(K23_RUN)
    jobs = []
    # Totals count the process's start too, whose instructions depend on the
    # stack's layout: the same program path (a link beside the modules),
    # environment and module paths in every clone keep them equal from run
    # to run and from clone to clone.
    link = os.path.join(d, "k23-run")
    if have_k23 and os.path.realpath(link) != os.path.realpath(K23_RUN):
        if os.path.lexists(link):
            os.remove(link)
        os.symlink(K23_RUN, link)
    for t in tiers if have_k23 else []:
        for name in ("hostcall", "hostcall-loop", "trap", "trap-none", "data-1mib", "data-0"):
            argv = ["./k23-run", "--tier", t] + \
                (["--invoke-all"] if name.startswith("trap") else []) + [name + ".wasm"]
            jobs.append(((name, t), Workload(name, "os", paths[name], d),
                         f"os {name} k23-{t}", argv))
    runs = run_jobs(jobs, timeout, "OS-cost runs under qemu-riscv64 + k23_icount",
                    env={"LC_ALL": "C"})

    def counted(name, t, key):
        r = runs.get((name, t))
        if r is None or r.get("counts") is None:
            return None, "k23-run not built" if r is None else r.get("error", "no counts")
        if tier_unavailable(r):
            return None, "no such tier yet"
        if r.get("status") != 0:
            return None, f"{name}: exit status {r.get('status')}"
        return r["counts"][key], None

    out = {}
    for key, title in OS_COST_NAMES:
        out[key] = {"title": title, "instructions": {f"k23-{t}": None for t in tiers},
                    "note": None, "how": None}
    out["host_call"]["how"] = (
        f"WASI sched_yield called {HOSTCALL_N} times between the markers, minus the same loop "
        f"without the call, / {HOSTCALL_N} (k23-run has no no-op host function; sched_yield's "
        "host side is the libc call and one system call, which qemu-riscv64 performs uncounted)")
    out["trap_recovery"]["how"] = (
        f"k23-run --invoke-all over {TRAP_N} exports that each trap (unreachable), minus "
        f"{TRAP_N} that return, total instructions / {TRAP_N}: the trap, the signal handler, "
        "the unwinding back to the caller and the error value (plus --invoke-all printing "
        "'trap unreachable' instead of 'result')")
    out["instantiate_1mib"]["how"] = (
        "total instructions of k23-run on a command whose only content is a 1 MiB active data "
        "segment, minus the same command with an empty segment: the segment's cost to read, "
        "validate and instantiate (copy into linear memory)")
    for t in tiers:
        k = f"k23-{t}"
        for key, (a, b), field, n in (("host_call", ("hostcall", "hostcall-loop"), "region",
                                       HOSTCALL_N),
                                      ("trap_recovery", ("trap", "trap-none"), "total", TRAP_N),
                                      ("instantiate_1mib", ("data-1mib", "data-0"), "total", 1)):
            x, why_x = counted(a, t, field)
            y, why_y = counted(b, t, field)
            if x is None or y is None:
                note = f"{k}: {why_x or why_y}"
                out[key]["note"] = "; ".join(filter(None, [out[key]["note"], note]))
            else:
                out[key]["instructions"][k] = round((x - y) / n)
    # The kernel's own figures (kernel/OsCosts.h): guests in U-mode, booted
    # with `costs` under -icount shift=0 (boot_figures).
    kernel_costs = boot.get("kernel_costs") or {}
    for key, name in (("system_call", "system_call"),
                      ("trap_recovery", "trap_recovery"),
                      ("guest_create_destroy", "guest_create_destroy"),
                      ("instantiate_1mib", "instantiate_1mib")):
        if name in kernel_costs:
            out[key]["instructions"]["kernel"] = kernel_costs[name]
    out["system_call"]["how"] = (
        f"in the kernel: {KERNEL_COST_CALLS} calls from wasm code in U-mode to a no-op host "
        "function (spectest.print: ecall, dispatch, the call, sret) minus the same loop without "
        f"the call, / {KERNEL_COST_CALLS} (instret under -icount shift=0); in the kernel a host "
        "call is this system call")
    out["guest_create_destroy"]["how"] = (
        "in the kernel: a WasmGuest (address space with two roots, engine, store) created and "
        "destroyed, no module; the kernel column of instantiate_1mib is create + instantiate a "
        "1 MiB data segment + destroy, minus the same with an empty segment")
    if not kernel_costs:
        note = boot.get("kernel_costs_note", "no kernel cost lines")
        for key in ("system_call", "guest_create_destroy"):
            out[key]["note"] = note
    out["boot_to_first_guest"]["instructions"] = {
        "kernel": boot.get("instructions_loader_to_first_guest")}
    out["boot_to_first_guest"]["how"] = (
        "the kernel booted with run= and a WASI command whose _start is empty: instret just before "
        "its first entry into U-mode, against the loader's first instruction, under -icount "
        f"shift=0 -m {k23kernel.MEMORY} (goal: 50 M; phases under boot)")
    if boot.get("instructions_loader_to_first_guest") is None:
        out["boot_to_first_guest"]["note"] = boot.get("first_guest_note", "no boot figure")
    out["boot_to_kernel_main"]["instructions"] = {
        "kernel": boot.get("instructions_loader_to_main")}
    out["boot_to_kernel_main"]["how"] = ("the kernel's own count from loader entry to kernel "
                                         "main under -icount shift=0 (see boot)")
    if boot.get("instructions_loader_to_main") is None:
        out["boot_to_kernel_main"]["note"] = boot.get("note", "no boot figure")
    return out


# ------------------------------------------------------------------ boot

BOOT_LINE = re.compile(r"boot: ([0-9,]+) instructions from loader entry to kernel main")
COST_LINE = re.compile(r"^cost: ([a-z0-9_]+) ([0-9]+)$")
KERNEL_COST_CALLS = 1000  # kernel/OsCosts.cpp


def boot_figures():
    out = {}
    try:
        k23build.build(targets=["kernel"])
    except DriverError as e:
        return {"note": f"kernel build failed: {e}"}
    image = k23build.image_path()
    kdir = k23build.build_dir("kernel")
    for key, f in (("image_bytes", image), ("loader_bytes", os.path.join(kdir, "k23-loader.bin")),
                   ("kernel_elf_bytes", os.path.join(kdir, "k23-kernel.stripped.elf"))):
        if os.path.exists(f):
            out[key] = os.path.getsize(f)
    try:
        spec = importlib.util.spec_from_file_location("mkimage",
                                                      os.path.join(ROOT, "tools", "mkimage.py"))
        mk = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mk)
        with open(image, "rb") as f:
            data = f.read()
        off = mk.loader_payload_offset(data, whole_image=True)
        header = mk.HEADER.unpack_from(data, off)
        out["kernel_compressed_bytes"] = header[3]
        out["kernel_uncompressed_bytes"] = header[4]
    except Exception as e:  # the image format is another module's business
        out["sizes_note"] = f"could not parse the image header: {e}"
    result = qemu.boot(image, memory="256M", timeout=120, extra=["-icount", "shift=0"])
    m = None
    for line in result.lines():
        m = BOOT_LINE.search(line) or m
    out["memory"] = "256M"
    out["instructions_loader_to_main"] = int(m.group(1).replace(",", "")) if m else None
    if not m:
        out["note"] = f"no 'boot: N instructions' line (QEMU status {result.status})"
    # Boot to the first guest instruction: a boot with the smallest WASI
    # command (benchkernel.first_guest_boot), and where the instructions go.
    first = k23kernel.first_guest_boot()
    out["instructions_loader_to_first_guest"] = first["first_guest"]
    out["phases"] = {"loader": first["loader_phases"], "kernel": first["kernel_phases"]}
    if first.get("note"):
        out["first_guest_note"] = first["note"]
    # The kernel's guest costs (kernel/OsCosts.h), in a boot of their own.
    costs = qemu.boot(image, append="costs", memory="256M", timeout=600, extra=["-icount", "shift=0"])
    out["kernel_costs"] = {}
    for line in costs.lines():
        c = COST_LINE.search(line.strip())
        if c:
            out["kernel_costs"][c.group(1)] = int(c.group(2))
    if not out["kernel_costs"]:
        out["kernel_costs_note"] = f"no 'cost: NAME N' lines (QEMU status {costs.status})"
    return out


# ------------------------------------------------------------------ command

def load_json(path):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def cmd_bench(args):
    k23setup.ensure()
    t0 = time.monotonic()
    os.makedirs(BENCH, exist_ok=True)
    tiers = [t.strip() for t in (args.tiers or ",".join(DEFAULT_TIERS)).split(",") if t.strip()]
    for t in tiers:
        if t not in DEFAULT_TIERS:
            raise DriverError(f"bench: unknown tier '{t}' (baseline, optimizing, auto)")
    k23perf.build_plugin()
    # Never measure a stale k23-run: build it (a no-op when up to date). A
    # build failure is reported, and the k23 columns are then left empty.
    try:
        k23build.build(targets=["riscv64-linux"], ninja_targets=["k23-run"])
    except DriverError as e:
        info(f"bench: k23-run did not build ({e}); measuring the peers only")
        if os.path.exists(K23_RUN):
            os.remove(K23_RUN)
    loads = discover()
    if args.only:
        # A C workload and its +simd build go together (the latter's native
        # columns and reference output are the former's).
        wanted = set(args.only)
        missing = wanted - {w.name for w in loads}
        if missing:
            raise DriverError(f"bench: no workload named {', '.join(sorted(missing))}")
        wanted |= {w.base for w in loads if w.name in wanted and w.base}
        wanted |= {w.name for w in loads if w.base in wanted}
        loads = [w for w in loads if w.name in wanted]
    elif args.quick:
        loads = [w for w in loads if w.source == "c" or w.name not in SLOW_SIGHTGLASS]
    errors = build_all(loads)
    kernel = not args.no_kernel
    if kernel:
        try:
            k23build.build(targets=["kernel"], quiet=True)
        except DriverError as e:
            info(f"bench: the kernel did not build ({e}); no k23-kernel column")
            kernel = False
    workloads = measure(loads, tiers, errors, QUICK_RUN_TIMEOUT if args.quick else RUN_TIMEOUT,
                        kernel=kernel, kernel_reference=load_json(REFERENCE) if args.quick else None)
    info("bench: compile speed")
    all_modules = discover()   # every workload module whose .wasm exists
    compile_speed = k23_compile_speed(all_modules, args.quick)
    compile_speed["cranelift-riscv64"] = cranelift_compile_speed(all_modules, args.quick)
    info("bench: code size")
    sizes = code_size(all_modules, compile_speed["cranelift-riscv64"])
    compile_speed["cranelift-riscv64"].pop("code_bytes", None)
    info("bench: boot")
    boot = boot_figures()
    costs = os_costs(tiers, boot, QUICK_RUN_TIMEOUT if args.quick else RUN_TIMEOUT)
    results = {
        "commit": git_commit(),
        "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "workloads": workloads,
        "compile_speed": compile_speed,
        "code_size": sizes,
        "os_costs": costs,
        "boot": boot,
        "settings": dict(PEER_SETTINGS, quick=bool(args.quick), tiers=tiers,
                         qemu="qemu-riscv64 -cpu rv64,v=true,vlen=128,vext_spec=v1.0 "
                              "-plugin k23_icount.so (QEMU 7.2, Debian)"),
        "wall_s_total": None,
        "dashboard": os.path.join(BENCH, "dashboard.html"),
    }
    if os.path.exists(RESULTS):
        shutil.copyfile(RESULTS, PREVIOUS)
    previous = load_json(args.compare) if args.compare else load_json(PREVIOUS)
    if args.compare and previous is None:
        raise DriverError(f"bench: cannot read {args.compare}")
    results["wall_s_total"] = round(time.monotonic() - t0, 1)
    import dashboard
    reference = load_json(REFERENCE)
    results["headline"] = dashboard.headline(results)
    append_history(results)
    dashboard.write(results, previous, args.compare or (PREVIOUS if previous else None),
                    reference=reference, history=load_history())
    text = json.dumps(results, indent=1) + "\n"
    with open(RESULTS, "w") as f:
        f.write(text)
    if args.json:
        with open(args.json, "w") as f:
            f.write(text)
    print_summary(results)
    for line in dashboard.headline_markdown(results, None):
        print("headline " + line if line.startswith("|") else line)
    print_reference_comparison(results, reference, dashboard)
    if args.write_reference:
        write_reference(results)
    bad = [w["name"] for w in workloads if w["correct"] is False]
    harness_bad = [w["name"] for w in workloads if not w["peers_correct"]]
    if bad:
        print(f"bench: not correct: {', '.join(bad)}")
    print(f"bench: {len(workloads)} workloads, "
          f"{sum(1 for w in workloads if w['correct'] is True)} correct; "
          f"{sum(1 for w in workloads if w['correct'] is None)} not measurable; "
          f"dashboard {results['dashboard']} ({results['wall_s_total']} s)")
    # 1: the harness or a peer is broken; 3: only k23 tiers gave wrong results
    # or failed (CI reports it without failing: the test rings own correctness).
    return 1 if harness_bad else 3 if bad else 0


REFERENCE = os.path.join(ROOT, "bench", "reference.json")
HISTORY = os.path.join(BENCH, "history.jsonl")


def write_reference(results):
    """bench/reference.json from this run: every figure but the wall-clock
    times of the runs under QEMU (not trusted, and noise in a diff)."""
    ref = json.loads(json.dumps(results))
    for w in ref["workloads"]:
        w.pop("wall_s", None)
    ref.pop("dashboard", None)
    with open(REFERENCE, "w") as f:
        f.write(json.dumps(ref, indent=1, sort_keys=True) + "\n")
    print(f"bench: wrote {os.path.relpath(REFERENCE, ROOT)} (commit it with the change that "
          "moved the figures)")


def git_commit():
    proc = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short=12", "HEAD"],
                          stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    commit = proc.stdout.strip() or None
    dirty = subprocess.run(["git", "-C", ROOT, "status", "--porcelain", "--untracked-files=no"],
                           stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True).stdout
    return commit and commit + ("+dirty" if dirty.strip() else "")


def append_history(results):
    """One line per run: commit, date, and the headline figures."""
    line = {"commit": results["commit"], "date": results["date"],
            "quick": results["settings"]["quick"], "workloads": len(results["workloads"]),
            "headline": results["headline"]}
    with open(HISTORY, "a") as f:
        f.write(json.dumps(line, sort_keys=True) + "\n")


def load_history():
    out = []
    try:
        with open(HISTORY) as f:
            for line in f:
                try:
                    out.append(json.loads(line))
                except ValueError:
                    pass
    except OSError:
        pass
    return out


def print_reference_comparison(results, reference, dashboard):
    """Every exact figure (instruction counts, code sizes, OS costs, boot)
    that differs from the committed reference. Never an error."""
    rel = os.path.relpath(REFERENCE, ROOT)
    if reference is None:
        print(f"bench: no {rel} to compare with")
        return
    ch = dashboard.exact_changes(results, reference)
    print(f"bench: compared with {rel} (commit {reference.get('commit')}, "
          f"{reference.get('date')}): {len(ch)} exact figures changed")
    for what, old, new in ch:
        print(f"  {what}: {old} -> {new}")


# Issue 17's goals for k23-auto: within 10% of k23-optimizing on every
# workload whose region runs longer than this (under k23-baseline), and its
# start-up (instructions before bench.start, the compiles left out as in the
# region: k23-run runs them on its background thread) within 10% of
# k23-baseline's.
AUTO_GOAL_REGION = 100_000_000
AUTO_GOAL_RATIO = 1.10


def print_tier_up(results):
    """Per workload: k23-auto against k23-optimizing (region) and
    k23-baseline (start-up), what tiered up, and the two goals."""
    rows = [w for w in results["workloads"] if "tier_up" in w or (w.get("startup") or {}).get("k23-auto")]
    if not rows:
        return
    print(f"{'tier-up':<22}{'auto/opt':>10}{'start auto/base':>17}{'tiered':>8}{'refused':>8}"
          f"{'base bytes':>12}{'opt bytes':>11}{'compile M (region, start)':>27}")
    misses_region, misses_start = [], []
    for w in rows:
        ins, start, t = w["instructions"], w.get("startup") or {}, w.get("tier_up") or {}
        auto, opt = ins.get("k23-auto"), ins.get("k23-optimizing")
        ratio = auto / opt if auto and opt else None
        sa, sb = start.get("k23-auto"), start.get("k23-baseline")
        sratio = sa / sb if sa and sb else None
        if ratio and (ins.get("k23-baseline") or 0) > AUTO_GOAL_REGION and ratio > AUTO_GOAL_RATIO:
            misses_region.append(f"{w['name']} {ratio:.2f}")
        if sratio and sratio > AUTO_GOAL_RATIO:
            misses_start.append(f"{w['name']} {sratio:.2f}")
        fmt = lambda v: "-" if v is None else f"{v:.2f}"
        c, cr, cs = (t.get("compile_instructions"), t.get("compile_instructions_in_region"),
                     t.get("compile_instructions_before_start"))
        compile_text = "-" if c is None else f"{c / 1e6:.1f} ({(cr or 0) / 1e6:.1f}, {(cs or 0) / 1e6:.1f})"
        print(f"{w['name']:<22}{fmt(ratio):>10}{fmt(sratio):>17}{t.get('tiered_up', '-'):>8}"
              f"{t.get('refused', '-'):>8}{t.get('baseline_bytes', '-'):>12}{t.get('optimizing_bytes', '-'):>11}"
              f"{compile_text:>27}")
    print(f"tier-up goal (auto within 10% of optimizing where > {AUTO_GOAL_REGION // 1_000_000} M): "
          + ("met" if not misses_region else "missed: " + ", ".join(misses_region)))
    print("tier-up goal (start-up within 10% of baseline): "
          + ("met" if not misses_start else "missed: " + ", ".join(misses_start)))


def print_summary(results):
    cols = []
    for w in results["workloads"]:
        for k in w["instructions"]:
            if k not in cols:
                cols.append(k)
    print(f"{'workload':<22}" + "".join(f"{c:>16}" for c in cols) + "  correct")
    for w in results["workloads"]:
        cells = "".join(f"{'-' if w['instructions'].get(c) is None else w['instructions'][c]:>16}"
                        for c in cols)
        ok = {True: "yes", False: "NO", None: "n/a"}[w["correct"]]
        print(f"{w['name']:<22}{cells}  {ok}")
    print_tier_up(results)
    for k, v in results["compile_speed"].items():
        print(f"compile {k}: {v.get('MBps')} MB/s" + (f" ({v['note']})" if v.get("note") else ""))
    b = results["boot"]
    print(f"boot: {b.get('instructions_loader_to_main')} instructions loader entry -> kernel "
          f"main, {b.get('instructions_loader_to_first_guest')} -> first guest instruction; "
          f"image {b.get('image_bytes')} bytes")


def add_parser(sub):
    s = sub.add_parser("bench", help="run the benchmark harness (instruction counts, compile "
                                     "speed, boot figures, dashboard)")
    s.add_argument("--quick", action="store_true",
                   help="the C workloads and the short Sightglass programs (CI)")
    s.add_argument("--only", action="append", metavar="NAME",
                   help="only this workload (repeatable)")
    s.add_argument("--tiers", metavar="T,T", help="k23 tiers to run (default baseline,optimizing,auto)")
    s.add_argument("--no-kernel", action="store_true",
                   help="leave out the k23-kernel column (workloads inside the k23 OS)")
    s.add_argument("--compare", metavar="OLD.json",
                   help="compare with this results file (default build/bench/previous.json)")
    s.add_argument("--json", metavar="FILE", help="also write the results here")
    s.add_argument("--write-reference", action="store_true",
                   help="write this run's results to bench/reference.json (use with --quick, "
                        "and commit it with the change that moved the figures)")
    s.set_defaults(func=cmd_bench)
