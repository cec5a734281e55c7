"""The tiers in the kernel (issues 16 and 17): the boot argument
tier=baseline|optimizing|auto (kernel/main.cpp, auto without it) reaches
every guest's engine (kernel/WasmGuest.h), through `./k23 spec --where
kernel --tier` and `./k23 run --tier`. Each check asserts the per-tier
counts the kernel prints, so a tier that is silently ignored (every
function compiled by the baseline) fails here; the whole suite under the
tier is `./k23 spec --where kernel --tier optimizing`. Under auto the
tier-up compiles wait for a preemption point (kernel/DeferredTierUp.h):
the --verbose line counts the jobs posted, compiled there and dropped."""
import importlib.util
import os
import re
import subprocess

HERE = os.path.dirname(os.path.abspath(__file__))
_spec_of = importlib.util.spec_from_file_location("k23_tier_sightglass",
                                                  os.path.join(HERE, "..", "hosted", "test_sightglass.py"))
sightglass = importlib.util.module_from_spec(_spec_of)
_spec_of.loader.exec_module(sightglass)   # workloads_dir

# A subset of the core suite that exercises what the optimizing tier
# lowers: integer and float arithmetic and conversions, memory, calls
# through tables, traps and the call stack's end, branches, locals,
# cross-module linking (a few seconds in one boot).
SPEC_FILES = ["i32.wast", "i64.wast", "f64.wast", "conversions.wast", "memory.wast", "call_indirect.wast",
              "traps.wast", "fac.wast", "br_table.wast", "local_tee.wast", "linking.wast", "loop.wast"]

RUN_TIER = re.compile(r"run: \S+: tier (\w+): (\d+) functions optimized, (\d+) baseline \((\d+) fell back")
RUN_TIER_UP = re.compile(r"run: \S+: tier-up: (\d+) functions tiered up, (\d+) refused")
RUN_JOBS = re.compile(r"run: \S+: tier-up jobs: (\d+) posted, (\d+) compiled at preemption points "
                      r"\((\d+) instructions\), (\d+) dropped at exit")


def _spec(tier, files):
    import speckernel             # tools/driver, on the path in the rings
    report = speckernel.run_suites(["core"], files_filter=set(files), tier=tier)
    missing = sorted(set(files) - set(report.files))
    assert not missing, f"not in the suite: {missing}"
    assert report.totals["failed"] == 0, report.failures[:5]
    assert report.totals["passed"] > 0, report.totals
    return report


def check_tier_spec_optimizing(ctx):
    """./k23 spec --where kernel --tier optimizing over SPEC_FILES: 0
    failed, and the kernel's closing line counts optimized functions."""
    report = _spec("optimizing", SPEC_FILES)
    tiers = report.kernel_tiers
    assert tiers.get("tier") == "optimizing", tiers
    assert tiers["optimized"] > 100, tiers
    # Only what the tier cannot compile falls back (none of these files has SIMD).
    assert tiers["fell_back"] == tiers["baseline"], tiers


def check_tier_spec_baseline_counts(ctx):
    """Without --tier optimizing the kernel's guests optimize nothing (the
    counts the optimizing check relies on are real)."""
    report = _spec("baseline", ["fac.wast"])
    tiers = report.kernel_tiers
    assert tiers.get("tier") == "baseline" and tiers["optimized"] == 0 and tiers["baseline"] > 0, tiers


def _run(ctx, arguments, cwd):
    cmd = ["python3", os.path.join(ctx.root, "k23"), "run", "--image", ctx.production_image] + arguments
    proc = subprocess.run(cmd, cwd=cwd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, timeout=300)
    return proc.returncode, proc.stdout.decode(errors="replace"), proc.stderr.decode(errors="replace")


def check_tier_run_optimizing(ctx):
    """./k23 run --tier optimizing --verbose: a Sightglass WASI command
    prints exactly its expected output, and its --verbose tier line counts
    functions the optimizing tier compiled."""
    folder = os.path.join(sightglass.workloads_dir(ctx.root), "shootout-ackermann")
    assert os.path.isdir(folder), f"no workload at {folder}"
    status, out, err = _run(ctx, ["--tier", "optimizing", "--verbose", "--dir", ".", "shootout-ackermann.wasm"],
                            folder)
    with open(os.path.join(folder, "shootout-ackermann.stdout.expected")) as f:
        expected = f.read()
    assert status == 0, (status, err[-500:])
    assert expected in out.replace("\r\n", "\n"), out[-1000:]
    m = RUN_TIER.search(out)
    assert m, out[-1000:]
    assert m.group(1) == "optimizing" and int(m.group(2)) > 0, m.group(0)


def check_tier_bad_boot_argument(ctx):
    """tier=fast is one line naming it, and no guest runs."""
    status, out, err = _run(ctx, ["--append", "tier=fast", "--boot-only"], None)
    assert status != 0, (status, out, err)
    assert "boot: tier=fast: expected baseline, optimizing or auto" in out + err, (out[-800:], err[-800:])


def _ackermann(ctx, arguments):
    """./k23 run ARGUMENTS --verbose shootout-ackermann.wasm: its exact
    output, and the kernel's console."""
    folder = os.path.join(sightglass.workloads_dir(ctx.root), "shootout-ackermann")
    assert os.path.isdir(folder), f"no workload at {folder}"
    status, out, err = _run(ctx, arguments + ["--verbose", "--dir", ".", "shootout-ackermann.wasm"], folder)
    with open(os.path.join(folder, "shootout-ackermann.stdout.expected")) as f:
        expected = f.read()
    assert status == 0, (status, err[-500:])
    assert expected in out.replace("\r\n", "\n"), out[-1000:]
    return out


def check_tier_default_auto_compiles_at_preemption_points(ctx):
    """Without --tier the kernel's guests run under auto: the hot function
    tiers up, and its job was compiled at a preemption point (the
    scheduler's), not in the helper: the jobs line counts it there, and
    every job posted was compiled or dropped."""
    out = _ackermann(ctx, ["--tier-budget", "50"])
    m = RUN_TIER.search(out)
    assert m and m.group(1) == "auto" and int(m.group(2)) >= 1, (m and m.group(0), out[-1000:])
    up = RUN_TIER_UP.search(out)
    assert up and int(up.group(1)) >= 1, out[-1000:]
    jobs = RUN_JOBS.search(out)
    assert jobs, out[-1000:]
    posted, compiled, instructions, dropped = (int(g) for g in jobs.groups())
    assert compiled >= int(up.group(1)) and instructions > 0, jobs.group(0)
    assert posted == compiled + dropped, jobs.group(0)


def check_tier_baseline_still_selectable(ctx):
    """tier=baseline keeps every function in the baseline, with no tier-up."""
    out = _ackermann(ctx, ["--tier", "baseline"])
    m = RUN_TIER.search(out)
    assert m and m.group(1) == "baseline" and int(m.group(2)) == 0 and int(m.group(3)) > 0, out[-1000:]
    assert not RUN_JOBS.search(out), out[-1000:]


def check_tier_bad_budget_and_empty_tier(ctx):
    """tier_budget= that is not a number below 10^9, an empty tier= and a
    tier_up_osr= other than 0 or 1 are one line each naming the value, and
    no guest runs."""
    cases = [("tier_budget=abc", "boot: tier_budget=abc: expected a number below 10^9"),
             ("tier_budget=1000000000", "boot: tier_budget=1000000000: expected a number below 10^9"),
             ("tier_budget=", "boot: tier_budget=: expected a number below 10^9"),
             ("tier=", "boot: tier=: expected baseline, optimizing or auto"),
             ("tier_up_osr=yes", "boot: tier_up_osr=yes: expected 0 or 1")]
    for append, line in cases:
        status, out, err = _run(ctx, ["--append", append, "--boot-only"], None)
        assert status != 0, (append, status, out[-800:])
        assert line in out + err, (append, out[-800:], err[-800:])


# _start's only hot loop, the module of k23-run's OSR test: it can only move
# to optimized code by on-stack replacement. Ten times the iterations: the
# compile waits for a preemption point (a 10 ms slice), so the loop must
# outlast a few slices after it asks.
_k23run_of = importlib.util.spec_from_file_location("k23_tier_k23run",
                                                    os.path.join(HERE, "..", "hosted", "test_k23run.py"))
k23run = importlib.util.module_from_spec(_k23run_of)
_k23run_of.loader.exec_module(k23run)   # HOT_START, hot_start_status
RUN_OSR = re.compile(r"run: \S+: tier-up: .*OSR: (\d+) loop entries, (\d+) transfers")


def check_tier_osr_by_default_in_the_kernel(ctx):
    """The kernel's guests take on-stack replacement by default, as k23-run's:
    _start's loop moves over; tier_up_osr=0 keeps it baseline; the exit
    status (computed here) is the same either way."""
    import shutil
    import tempfile
    iterations = 3000000
    expected = k23run.hot_start_status(iterations)
    folder = tempfile.mkdtemp(prefix="k23-tier-osr-")
    with open(os.path.join(folder, "hot_start.wat"), "w") as f:
        f.write(k23run.hot_start_module(iterations))
    try:
        subprocess.run(["wat2wasm", "hot_start.wat", "-o", "hot_start.wasm"], cwd=folder, check=True)
        for append, transfers in ((None, lambda n: n >= 1), ("tier_up_osr=0", lambda n: n == 0)):
            extra = ["--append", append] if append else []
            status, out, err = _run(ctx, extra + ["--verbose", "hot_start.wasm"], folder)
            m = RUN_OSR.search(out)
            assert status == expected and m and transfers(int(m.group(2))), (append, status, expected, out[-1000:])
    finally:
        shutil.rmtree(folder, ignore_errors=True)
