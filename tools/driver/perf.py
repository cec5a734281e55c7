"""perf/: the k23_icount QEMU TCG plugin (built with the host compiler
against build/deps/qemu's qemu-plugin.h), and the host ring's checks of the
perf tooling (add_to_ring): the known-count loop, profile mode, and the
benchmark dashboard's change report.

The plugin counts guest instructions in total and between the markers
`slti x0,x0,0x7f1` (start) and `slti x0,x0,0x7f2` (end); see
perf/plugin/k23_icount.c.
"""
import json
import os
import subprocess
import tempfile

from common import BUILD, DEPS, ROOT, DriverError, run

PLUGIN_SRC = os.path.join(ROOT, "perf", "plugin", "k23_icount.c")
PERF_BUILD = os.path.join(BUILD, "perf")
PLUGIN = os.path.join(PERF_BUILD, "k23_icount.so")
QEMU_CPU = ["-cpu", "rv64,v=true,vlen=128,vext_spec=v1.0"]


def _stale(target, sources):
    if not os.path.exists(target):
        return True
    t = os.path.getmtime(target)
    return any(os.path.getmtime(s) > t for s in sources)


def build_plugin():
    """Builds build/perf/k23_icount.so if it is missing or older than its source."""
    header = os.path.join(DEPS, "qemu", "include", "qemu", "qemu-plugin.h")
    if not os.path.exists(header):
        raise DriverError(f"perf: no {header} (run ./k23 setup)")
    if not _stale(PLUGIN, [PLUGIN_SRC, header]):
        return PLUGIN
    os.makedirs(PERF_BUILD, exist_ok=True)
    glib = run(["pkg-config", "--cflags", "glib-2.0"], quiet=True, check=False)
    if glib.returncode != 0:
        raise DriverError("perf: pkg-config finds no glib-2.0 (libglib2.0-dev; run ./k23 setup)")
    run(["gcc", "-O2", "-Wall", "-Wextra", "-Werror", "-shared", "-fPIC"] + glib.stdout.split()
        + ["-I", os.path.dirname(header), PLUGIN_SRC, "-o", PLUGIN + ".tmp"], quiet=True)
    os.replace(PLUGIN + ".tmp", PLUGIN)
    return PLUGIN


def qemu_command(argv, outfile, mode="tb"):
    """qemu-riscv64 with V and the counting plugin, writing its JSON to outfile."""
    plugin = f"{build_plugin()},outfile={outfile}"
    if mode != "tb":
        plugin += f",mode={mode}"
    return ["qemu-riscv64"] + QEMU_CPU + ["-plugin", plugin] + list(argv)


def count(argv, timeout=600, mode="tb", cwd=None, stdin=None, env=None):
    """Runs argv (a riscv64 Linux program) under the plugin. Returns
    (exit status, stdout bytes, stderr bytes, {"total","region","regions"} or None)."""
    fd, outfile = tempfile.mkstemp(prefix="k23-icount-", suffix=".json")
    os.close(fd)
    os.remove(outfile)
    try:
        proc = subprocess.run(qemu_command(argv, outfile, mode), cwd=cwd,
                              stdin=stdin if stdin is not None else subprocess.DEVNULL,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=timeout,
                              env=env)
        counts = None
        if os.path.exists(outfile):
            with open(outfile) as f:
                counts = json.load(f)
        return proc.returncode, proc.stdout, proc.stderr, counts
    finally:
        if os.path.exists(outfile):
            os.remove(outfile)


# ------------------------------------------------------------ known-count check

LOOP_SRC = os.path.join(ROOT, "perf", "tests", "loop.c")
LOOP_BIN = os.path.join(PERF_BUILD, "loop")
# Derived from the asm in perf/tests/loop.c, not from a run: per region
# 1 (addi t0) + 3 x 1000 (addi, addi, bne); two such regions and one empty one.
LOOP_REGION = 2 * (1 + 3 * 1000)
LOOP_REGIONS = 3


def check_loop():
    """The plugin's exact counts on a loop of known length, in both modes."""
    check_loop_built()
    totals = {}
    for mode in ("tb", "insn"):
        status, out, err, counts = count([LOOP_BIN], timeout=120, mode=mode)
        assert status == 0, f"mode {mode}: exit status {status}: {err.decode(errors='replace')}"
        assert out == b"loop 1000 1000\n", f"mode {mode}: output {out!r}"
        assert counts is not None, f"mode {mode}: the plugin wrote no counts"
        assert counts["region"] == LOOP_REGION, \
            f"mode {mode}: region {counts['region']}, expected {LOOP_REGION}"
        assert counts["regions"] == LOOP_REGIONS, \
            f"mode {mode}: regions {counts['regions']}, expected {LOOP_REGIONS}"
        assert counts["total"] > LOOP_REGION + 6, f"mode {mode}: total {counts['total']}"
        totals[mode] = counts["total"]
    assert totals["tb"] == totals["insn"], f"totals differ between modes: {totals}"


def check_profile():
    """Profile mode: the loops' instructions are attributed to region(), and the
    blocks' instructions add up to the same run's exact total."""
    import guestprofile as k23profile
    check_loop_built()
    status, by_function, total, _, counts = k23profile.profile([LOOP_BIN], LOOP_BIN, timeout=120,
                                                              quiet=True)
    assert status == 0, f"exit status {status}"
    assert counts and total == counts["total"], f"profile total {total} != count {counts}"
    assert counts["region"] == LOOP_REGION, f"region {counts['region']} with profiling on"
    body = by_function.get(("host", "region"), 0)
    assert LOOP_REGION <= body < LOOP_REGION + 100, \
        f"region() has {body} instructions, expected {LOOP_REGION} and its few others"


def check_loop_built():
    build_plugin()
    if _stale(LOOP_BIN, [LOOP_SRC]):
        run(["riscv64-linux-gnu-gcc", "-static", "-O2", LOOP_SRC, "-o", LOOP_BIN], quiet=True)


def check_dashboard_changes():
    """The dashboard shows any change in an instruction count, and ratios."""
    import dashboard

    def results(n):
        return {"workloads": [{"name": "w", "source": "c", "correct": True, "notes": [],
                               "instructions": {"native": 100, "wasm2c": 150, "k23-baseline": n}}],
                "compile_speed": {}, "boot": {}, "settings": {}}
    md = dashboard.markdown(results(201), results(200), "old.json")
    assert "| w k23-baseline instructions | 200 | 201 (+0.50%) |" in md, md
    assert "2.01×" in md and "1.34×" in md, md      # k23/native, k23/wasm2c
    md = dashboard.markdown(results(200), results(200), "old.json")
    assert "No figure changed." in md, md


DASHBOARD_FIXTURE = os.path.join(ROOT, "bench", "tests", "dashboard-fixture.json")
DASHBOARD_TEST_DIR = os.path.join(ROOT, "build", "bench-dashboard-test")
DASHBOARD_PLOTS = ["native.png", "simd.png", "wasm2c.png", "code_size.png", "compile_speed.png",
                   "history.png"]


def check_dashboard_chromium():
    """The dashboard of a small fixed results file (bench/tests/) renders in
    headless Chromium without errors: the headline comes first, every plot
    is there and decodes, none is wider than a laptop's page, and the change
    from the reference is shown."""
    import re as _re
    import shutil
    import dashboard
    chromium = shutil.which("chromium")
    assert chromium, "chromium is not installed (./k23 setup installs Debian's chromium)"
    with open(DASHBOARD_FIXTURE) as f:
        fixture = json.load(f)
    shutil.rmtree(DASHBOARD_TEST_DIR, ignore_errors=True)
    images = dashboard.write(fixture["results"], None, None, reference=fixture["reference"],
                             history=fixture["history"], out_dir=DASHBOARD_TEST_DIR)
    made = [name for name, _ in images]
    assert made == DASHBOARD_PLOTS, f"plots {made}, expected {DASHBOARD_PLOTS}"
    page = os.path.join(DASHBOARD_TEST_DIR, "dashboard.html")
    proc = subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu",
                           "--enable-logging=stderr", "--v=0", "--virtual-time-budget=10000",
                           "--dump-dom", "file://" + page],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                          errors="replace", timeout=120)
    dom = proc.stdout
    assert proc.returncode == 0 and "<body" in dom, \
        f"chromium exit {proc.returncode}: {proc.stderr.strip()[-500:]}"
    console = [l for l in proc.stderr.splitlines()
               if "CONSOLE" in l or "Uncaught" in l or "Failed to load resource" in l]
    assert not console, "errors while loading the page:\n" + "\n".join(console[:5])
    m = _re.search(r'data-images-ok="(\d+)" data-images-broken="([^"]*)" '
                   r'data-widest-image="(\d+)"', dom)
    assert m, "the page's image check did not run (no data-images-ok on <body>)"
    ok, broken, widest = int(m.group(1)), m.group(2), int(m.group(3))
    assert not broken, f"images that did not load: {broken}"
    assert ok == len(DASHBOARD_PLOTS), f"{ok} images loaded, expected {len(DASHBOARD_PLOTS)}"
    assert widest <= 1000, f"a plot is {widest} px wide (more than a laptop's page)"
    head = dom.find("id=\"headline\"")
    assert 0 <= head < dom.find("<img"), "the headline is not above the plots"
    for text in ("k23-baseline reference", "native-scalar", "+simd", "code bytes / Cranelift",
                 "host call round trip", "Change from the reference",
                 "dot8 k23-baseline instructions"):
        assert text in dom, f"'{text}' is not on the page"


CHECKS = [("perf.icount_loop", check_loop), ("perf.profile_loop", check_profile),
          ("bench.dashboard_changes", check_dashboard_changes),
          ("bench.dashboard_chromium", check_dashboard_chromium)]


def add_to_ring(result, pattern):
    for name, check in CHECKS:
        if pattern and pattern not in name:
            continue
        try:
            check()
            result.ok(name)
        except (AssertionError, DriverError, subprocess.TimeoutExpired) as e:
            result.fail(name, str(e) or "assertion failed")
        except Exception as e:  # a bug in the check itself is a failed test, not a crash
            result.fail(name, f"{type(e).__name__}: {e}")
