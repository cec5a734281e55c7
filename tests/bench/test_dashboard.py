"""The benchmark dashboard's checks, in the host ring (tests bench.NAME):
its change report (tools/driver/dashboard.py) and the page it writes for a
small fixed results file (bench/tests/dashboard-fixture.json), loaded in
headless Chromium. Each check_* function gets the host ring's context
(tools/driver/checks.py)."""
import json
import os
import re
import shutil
import subprocess

import dashboard
from common import BUILD, ROOT

DASHBOARD_FIXTURE = os.path.join(ROOT, "bench", "tests", "dashboard-fixture.json")
DASHBOARD_TEST_DIR = os.path.join(BUILD, "bench-dashboard-test")
DASHBOARD_PLOTS = ["native.png", "simd.png", "wasm2c.png", "code_size.png", "compile_speed.png",
                   "history.png"]


def check_dashboard_changes(ctx):
    """The dashboard shows any change in an instruction count, and ratios."""
    def results(n):
        return {"workloads": [{"name": "w", "source": "c", "correct": True, "notes": [],
                               "instructions": {"native": 100, "wasm2c": 150, "k23-baseline": n}}],
                "compile_speed": {}, "boot": {}, "settings": {}}
    md = dashboard.markdown(results(201), results(200), "old.json")
    assert "| w k23-baseline instructions | 200 | 201 (+0.50%) |" in md, md
    assert "2.01×" in md and "1.34×" in md, md      # k23/native, k23/wasm2c
    md = dashboard.markdown(results(200), results(200), "old.json")
    assert "No figure changed." in md, md


def check_dashboard_chromium(ctx):
    """The dashboard of a small fixed results file (bench/tests/) renders in
    headless Chromium without errors: the headline comes first, every plot
    is there and decodes, none is wider than a laptop's page, and the change
    from the reference is shown."""
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
    m = re.search(r'data-images-ok="(\d+)" data-images-broken="([^"]*)" '
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
