"""The benchmark dashboard: build/bench/dashboard.html (plots, with Debian's
python3-matplotlib, imported only here) and build/bench/dashboard.md (the
markdown summary).

Top to bottom: the headline (per k23 tier: geometric-mean instruction ratio
to native, native-scalar and wasm2c, the +simd builds against native,
compile speed and code size against Cranelift, the OS costs), beside the
committed reference's; titled plots, the history of the headline over the
runs in build/bench/history.jsonl; then the tables, and every exact figure
that changed from the reference and from the previous run.
"""
import html
import json
import math
import os
import subprocess
import sys

from common import BUILD

BENCH = os.path.join(BUILD, "bench")


def ratio(a, b):
    if a is None or b in (None, 0):
        return None
    return a / b


def geomean(values):
    vals = [v for v in values if v]
    if not vals:
        return None
    return math.exp(sum(math.log(v) for v in vals) / len(vals))


def fmt_ratio(r):
    return "–" if r is None else f"{r:.2f}×"


def fmt_int(n):
    return "–" if n is None else f"{n:,}"


def columns(results):
    cols = []
    for w in results["workloads"]:
        for k in w["instructions"]:
            if k not in cols:
                cols.append(k)
    return cols


def changes(results, previous):
    """[(what, old, new)] for every figure that moved (exact ones and the
    compile speeds)."""
    out = exact_changes(results, previous) if previous else []
    if not previous:
        return out
    for k, v in results.get("compile_speed", {}).items():
        pv = previous.get("compile_speed", {}).get(k, {}).get("MBps")
        if pv != v.get("MBps"):
            out.append((f"compile {k} MB/s (wall clock, noisy)", str(pv), str(v.get("MBps"))))
    return out


def _delta(pv, v):
    return fmt_int(v) + (f" ({(v - pv) / pv * 100:+.2f}%)" if v is not None and pv else "")


def exact_changes(results, old):
    """[(what, old, new)] for every exact figure that differs from `old`:
    instruction counts, correctness, code sizes, OS costs, boot. Workloads
    in only one of the two are one line."""
    out = []
    olds = {w["name"]: w for w in old.get("workloads", [])}
    news = {w["name"] for w in results["workloads"]}
    added = [w["name"] for w in results["workloads"] if w["name"] not in olds]
    if added:
        out.append(("workloads not in the compared results", "absent",
                    ", ".join(added) if len(added) <= 8 else f"{len(added)} workloads"))
    for w in results["workloads"]:
        p = olds.get(w["name"])
        if p is None:
            continue
        for k, v in w["instructions"].items():
            pv = p.get("instructions", {}).get(k)
            if pv != v:
                out.append((f"{w['name']} {k} instructions", fmt_int(pv), _delta(pv, v)))
        if p.get("correct") != w["correct"]:
            out.append((f"{w['name']} correct", str(p.get("correct")), str(w["correct"])))
    gone = [n for n in olds if n not in news]
    if gone and results.get("settings", {}).get("quick") == old.get("settings", {}).get("quick"):
        out.append(("workloads only in the compared results", ", ".join(gone[:8]) +
                    ("…" if len(gone) > 8 else ""), "absent"))
    osz = old.get("code_size", {}).get("modules", {})
    for name, cols in results.get("code_size", {}).get("modules", {}).items():
        if name not in osz:
            continue
        for k, v in cols.items():
            pv = osz[name].get(k)
            if pv != v:
                out.append((f"{name} {k} code bytes", fmt_int(pv), _delta(pv, v)))
    ocost = old.get("os_costs", {})
    for key, c in results.get("os_costs", {}).items():
        if "kernel" in c.get("instructions", {}):
            continue   # boot: below
        for k, v in c.get("instructions", {}).items():
            pv = ocost.get(key, {}).get("instructions", {}).get(k)
            if key in ocost and pv != v:
                out.append((f"{c['title']} ({k}) instructions", fmt_int(pv), _delta(pv, v)))
    b, pb = results.get("boot", {}), old.get("boot", {})
    for k in ("instructions_loader_to_main", "instructions_loader_to_first_guest",
              "image_bytes", "loader_bytes",
              "kernel_compressed_bytes", "kernel_uncompressed_bytes"):
        if b.get(k) != pb.get(k):
            out.append((f"boot {k}", fmt_int(pb.get(k)), _delta(pb.get(k), b.get(k))))
    return out


# ------------------------------------------------------------------ headline

def k23_tiers(results):
    return [c for c in columns(results) if c.startswith("k23-")]


# Geometric means leave out regions this small: they measure the markers'
# calls, not code (Sightglass's noop and shootout-nestedloop: wasm2c's
# region is 3 and 19 instructions, its loop folded away by clang).
MIN_REGION = 10000


def _gm(loads, a, b, sources):
    vals = [ratio(w["instructions"].get(a), w["instructions"].get(b))
            for w in loads if w["source"] in sources
            and (w["instructions"].get(b) or 0) >= MIN_REGION]
    vals = [v for v in vals if v]
    g = geomean(vals)
    return {"geomean": None if g is None else round(g, 4), "n": len(vals)}


def headline(results):
    """The figures at the top of the dashboard and in history.jsonl."""
    loads = results["workloads"]
    cs = results.get("compile_speed", {})
    cl = cs.get("cranelift-riscv64", {}).get("MBps")
    sizes = results.get("code_size", {}).get("modules", {})
    out = {"tiers": {}, "peers": {}, "cranelift_MBps": cl, "os_costs": {}}
    for t in k23_tiers(results):
        code = [ratio(m.get(t), m.get("cranelift-riscv64")) for m in sizes.values()]
        code = [v for v in code if v]
        mbps = cs.get(t, {}).get("MBps")
        cvc = ratio(mbps, cl)
        gcode = geomean(code)
        out["tiers"][t] = {
            "vs_native": _gm(loads, t, "native", {"c"}),
            "vs_native_scalar": _gm(loads, t, "native-scalar", {"c"}),
            "vs_wasm2c": _gm(loads, t, "wasm2c", {"c", "sightglass"}),
            "simd_vs_native": _gm(loads, t, "native", {"c+simd"}),
            "compile_MBps": mbps,
            "compile_vs_cranelift": None if cvc is None else round(cvc, 4),
            "code_size_vs_cranelift": {"geomean": None if gcode is None else round(gcode, 4),
                                       "n": len(code)},
        }
    out["peers"]["wasm2c"] = {"vs_native": _gm(loads, "wasm2c", "native", {"c"}),
                              "vs_native_scalar": _gm(loads, "wasm2c", "native-scalar", {"c"})}
    out["peers"]["native-scalar"] = {"vs_native": _gm(loads, "native-scalar", "native", {"c"})}
    for key, c in results.get("os_costs", {}).items():
        out["os_costs"][key] = dict(c.get("instructions", {}))
    return out


HEADLINE_ROWS = [
    ("vs_native", "instructions / native (clang-16 rv64gcv, auto-vectorized), C workloads"),
    ("vs_native_scalar", "instructions / native-scalar (clang-16 rv64gc, no vectorizer), "
                         "C workloads"),
    ("vs_wasm2c", "instructions / wasm2c (same .wasm), C + Sightglass"),
    ("simd_vs_native", "NAME+simd (-msimd128) instructions / native (rv64gcv)"),
    ("compile_vs_cranelift", "compile speed / Cranelift (MB/s, host; > 1 is faster)"),
    ("code_size_vs_cranelift", "code bytes / Cranelift (rv64gc), every module"),
]


def cost_for(ins, tier):
    """An OS cost for a k23 tier; the kernel's own (boot) for every tier."""
    return ins.get("kernel") if "kernel" in ins else ins.get(tier)


def fmt_cost(v):
    return "null" if v is None else fmt_int(v)


def _hcell(v):
    if isinstance(v, dict):
        return "–" if v.get("geomean") is None else f"{v['geomean']:.2f}× (n={v['n']})"
    return fmt_ratio(v)


def shown_tiers(h):
    """Tiers with at least one figure (k23-optimizing stays out until it exists)."""
    return [t for t, f in h["tiers"].items()
            if any((v.get("geomean") if isinstance(v, dict) else v) is not None
                   for v in f.values())]


def headline_markdown(results, reference):
    h = results.get("headline") or headline(results)
    rh = headline(reference) if reference else None   # the same definitions as the run's
    tiers = shown_tiers(h)
    hidden = [t for t in h["tiers"] if t not in tiers]
    head = ["figure (geometric mean; instruction ratios: lower is better)"]
    for t in tiers:
        head += [t] + ([f"{t} reference"] if rh else [])
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for key, title in HEADLINE_ROWS:
        row = [title]
        for t in tiers:
            row.append(_hcell(h["tiers"][t].get(key)))
            if rh:
                row.append(_hcell(rh.get("tiers", {}).get(t, {}).get(key)))
        lines.append("| " + " | ".join(row) + " |")
    costs = results.get("os_costs", {})
    for key, c in costs.items():
        row = [f"{c['title']} (instructions)"]
        for t in tiers:
            row.append(fmt_cost(cost_for(c.get("instructions", {}), t)))
            if rh:
                row.append(fmt_cost(cost_for(rh.get("os_costs", {}).get(key, {}), t)))
        lines.append("| " + " | ".join(row) + " |")
    p = h.get("peers", {})
    lines += ["", "Peers: wasm2c / native " + _hcell(p.get("wasm2c", {}).get("vs_native")) +
              ", wasm2c / native-scalar " + _hcell(p.get("wasm2c", {}).get("vs_native_scalar")) +
              ", native-scalar / native " + _hcell(p.get("native-scalar", {}).get("vs_native")) +
              f"; Cranelift compiles {h.get('cranelift_MBps') or '–'} MB/s."]
    if hidden:
        lines.append(", ".join(hidden) + ": no figures (k23-run has no such tier yet).")
    nulls = {}
    for c in costs.values():
        if c.get("note") and not any(v is not None for v in c["instructions"].values()):
            nulls.setdefault(c["note"], []).append(c["title"])
    for note, titles in nulls.items():
        lines.append("Null: " + ", ".join(titles) + f" — {note}.")
    return lines


# ------------------------------------------------------------------ markdown

FIRST_GUEST_GOAL = 50_000_000   # instructions from loader entry (issue 14)

KERNEL_WHY = (
    "`k23-kernel` runs the same module with the same baseline compiler as `k23-baseline`, but as a "
    "U-mode guest of the k23 OS (qemu-system-riscv64 -icount shift=0, the kernel's instret in "
    "`bench.start`/`bench.end`) instead of a Linux process under qemu-riscv64 (the k23_icount "
    "plugin). Where they differ: (1) every engine helper and WASI call of the region is a system "
    "call (trap entry, dispatch, two satp switches, sret: about 800 instructions each, where "
    "qemu-riscv64 performs a Linux system call uncounted), bulk memory included; (2) linear-memory "
    "pages are committed on first touch: a page fault, a zeroed frame and a mapping per 4 KiB "
    "page inside the region; (3) the kernel compiles for the boot hart's ISA from the device "
    "tree, k23-run for its own hart; (4) the markers themselves are system calls, so a region "
    "includes half of each (the `noop` row: the markers alone); (5) guest ASLR: where a guest's "
    "memory lands decides how many page-table pages its first touches allocate, so a k23-kernel "
    "figure with first touches inside the region moves by up to about 0.01% from run to run "
    "(the other columns repeat exactly).")


def fmt_ratio4(r):
    return "–" if r is None else f"{r:.4f}×"


def kernel_markdown(loads):
    """k23-kernel beside k23-baseline: the difference per workload and why."""
    rows = [w for w in loads if "k23-kernel" in w["instructions"]]
    if not rows:
        return []
    lines = ["", "## Inside the OS: k23-kernel against k23-baseline", "", KERNEL_WHY, "",
             "| workload | k23-baseline | k23-kernel | kernel − baseline | kernel/baseline | note |",
             "|---|---|---|---|---|---|"]
    for w in rows:
        a, b = w["instructions"].get("k23-kernel"), w["instructions"].get("k23-baseline")
        note = next((n for n in w.get("notes", []) if n.startswith("k23-kernel:")), "")
        diff = None if a is None or b is None else a - b
        lines.append(f"| {w['name']} | {fmt_int(b)} | {fmt_int(a)} | "
                     f"{'–' if diff is None else f'{diff:+,}'} | {fmt_ratio4(ratio(a, b))} | "
                     f"{note[len('k23-kernel: '):] if note else ''} |")
    return lines

def markdown(results, previous, previous_path, reference=None, reference_path=None):
    cols = columns(results)
    loads = results["workloads"]
    tiers = k23_tiers(results)
    live = [t for t in tiers if any(w["instructions"].get(t) for w in loads)]
    lines = ["# k23 benchmarks", ""]
    if results.get("commit"):
        lines += [f"Commit `{results['commit']}`, {results.get('date')}"
                  + (", `--quick`" if results.get("settings", {}).get("quick") else "")
                  + (f"; reference `{reference.get('commit')}` ({reference_path})"
                     if reference else "; no reference file") + ".", ""]
    lines += ["## Headline", ""] + headline_markdown(results, reference)
    lines += ["", "## Instructions per workload", "",
              "Instructions between `bench.start` and `bench.end` under qemu-riscv64 with the "
              "k23_icount plugin (deterministic). `native` is clang-16 -O2 rv64gcv "
              "(auto-vectorizing), `native-scalar` clang-16 -O2 rv64gc without the vectorizers. "
              "A `NAME+simd` row is the same C built as wasm with `-msimd128`; its native "
              "columns are the scalar workload's binaries, and wasm2c (wabt 1.0.32) cannot "
              "translate SIMD.", ""]
    ref_w = {w["name"]: w for w in (reference or {}).get("workloads", [])}
    ref_cols = [f"{t} (reference)" for t in live] if reference else []
    head = ["workload", "source", "correct"] + cols + ref_cols
    lines.append("| " + " | ".join(head) + " |")
    lines.append("|" + "---|" * len(head))
    for w in loads:
        ins = w["instructions"]
        row = [w["name"], w["source"], {True: "yes", False: "**no**", None: "n/a"}[w["correct"]]]
        row += [fmt_int(ins.get(c)) for c in cols]
        row += [fmt_int(ref_w.get(w["name"], {}).get("instructions", {}).get(t)) for t in live]
        lines.append("| " + " | ".join(row) + " |")
    ratio_cols = []
    for t in live:
        ratio_cols += [(t, "native"), (t, "native-scalar"), (t, "wasm2c")]
    ratio_cols += [("wasm2c", "native"), ("wasm2c", "native-scalar"),
                   ("native-scalar", "native"), ("native-gcc", "native")]
    lines += ["", "## Ratios", "", "Instruction ratios (lower is better for the first column "
              "named); geometric means (here and in the headline) over the workloads that have "
              f"both figures, leaving out regions under {MIN_REGION:,} instructions of the "
              "second (they measure the markers' calls, not code).", ""]
    head = ["workload"] + [f"{a}/{b}" for a, b in ratio_cols]
    lines += ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for w in loads:
        ins = w["instructions"]
        lines.append("| " + " | ".join([w["name"]] + [fmt_ratio(ratio(ins.get(a), ins.get(b)))
                                                      for a, b in ratio_cols]) + " |")
    for label, src in (("geometric mean, C", {"c"}), ("geometric mean, C+simd", {"c+simd"}),
                       ("geometric mean, Sightglass", {"sightglass"})):
        lines.append("| " + " | ".join([label] + [_hcell(_gm(loads, a, b, src))
                                                  for a, b in ratio_cols]) + " |")
    # SIMD builds beside their scalar wasm
    by = {w["name"]: w for w in loads}
    simd = [w for w in loads if w["source"] == "c+simd"]
    if simd:
        lines += ["", "## SIMD builds", "",
                  "The C workloads built as wasm with `-msimd128` (clang-16's auto-vectorizer for "
                  "wasm SIMD) under k23, against `native` (rv64gcv, auto-vectorized), beside the "
                  "scalar wasm. wasm2c: " + "cannot translate SIMD (wabt 1.0.32)" + ".", ""]
        head = ["workload", "native"]
        for t in live:
            head += [f"{t} +simd", f"{t} scalar wasm", f"{t} +simd/native",
                     f"{t} scalar/native", f"{t} +simd/scalar"]
        head += ["wasm2c"]
        lines += ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
        for w in simd:
            base = by.get(w["name"][:-len("+simd")], {"instructions": {}})
            nat = w["instructions"].get("native")
            row = [w["name"], fmt_int(nat)]
            for t in live:
                a, b = w["instructions"].get(t), base["instructions"].get(t)
                row += [fmt_int(a), fmt_int(b), fmt_ratio(ratio(a, nat)), fmt_ratio(ratio(b, nat)),
                        fmt_ratio(ratio(a, b))]
            v = w["instructions"].get("wasm2c")
            row.append(fmt_int(v) if v is not None else "cannot translate SIMD")
            lines.append("| " + " | ".join(row) + " |")
    # code size
    cs_mod = results.get("code_size", {}).get("modules", {})
    if cs_mod:
        lines += ["", "## Code size (bytes of machine code per module)", ""]
        lines += [f"- {n}" for n in results.get("code_size", {}).get("notes", [])]
        lines.append("")
        kcols = ["k23-baseline", "k23-optimizing", "k23-baseline@hart", "cranelift-riscv64"]
        head = ["module"] + kcols + ["k23-baseline/cranelift"]
        lines += ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
        for name, m in cs_mod.items():
            lines.append("| " + " | ".join([name] + [fmt_int(m.get(k)) for k in kcols] +
                                           [fmt_ratio(ratio(m.get("k23-baseline"),
                                                            m.get("cranelift-riscv64")))]) + " |")
    lines += ["", "## Compile speed (host, MB of wasm per second)", "",
              "Wall-clock figures on a shared machine: noisy. `k23-reader` is reading and "
              "validating only; a compiler tier (`k23-baseline`, `k23-optimizing`) is what "
              "compares with Cranelift, which reads, validates and compiles.", "",
              "| compiler | MB/s | against Cranelift | note |", "|---|---|---|---|"]
    cs = results.get("compile_speed", {})
    cl = cs.get("cranelift-riscv64", {}).get("MBps")
    for k, v in cs.items():
        lines.append(f"| {k} | {v.get('MBps') if v.get('MBps') is not None else '–'} | "
                     f"{fmt_ratio(ratio(v.get('MBps'), cl))} | {v.get('note', v.get('version', ''))} |")
    costs = results.get("os_costs", {})
    if costs:
        lines += ["", "## Costs of the OS and the engine (instructions)", "",
                  "| cost | " + " | ".join(tiers) + " |", "|" + "---|" * (len(tiers) + 1)]
        for key, c in costs.items():
            cells = [fmt_cost(cost_for(c.get("instructions", {}), t)) for t in tiers]
            lines.append(f"| {c['title']} | " + " | ".join(cells) + " |")
        lines.append("")
        for key, c in costs.items():
            why = "; ".join(filter(None, [c.get("how"), c.get("note")]))
            lines.append(f"- {c['title']}: {why}")
    lines += kernel_markdown(loads)
    b = results.get("boot", {})
    lines += ["", "## Boot", "",
              f"- instructions from loader entry to kernel main (-icount shift=0, "
              f"-m {b.get('memory', '?')}): {fmt_int(b.get('instructions_loader_to_main'))}",
              f"- instructions from loader entry to the first guest instruction (goal "
              f"{fmt_int(FIRST_GUEST_GOAL)}): {fmt_int(b.get('instructions_loader_to_first_guest'))}"
              + (f" ({b['first_guest_note']})" if b.get("first_guest_note") else "")]
    for who, phases in (b.get("phases") or {}).items():
        if phases:
            lines.append(f"- {who} phases: " + ", ".join(f"{k} {fmt_int(v)}"
                                                         for k, v in phases.items()))
    lines += [
              f"- image {fmt_int(b.get('image_bytes'))} bytes: loader {fmt_int(b.get('loader_bytes'))}, "
              f"kernel ELF {fmt_int(b.get('kernel_uncompressed_bytes'))} → "
              f"{fmt_int(b.get('kernel_compressed_bytes'))} compressed"]
    if b.get("note"):
        lines.append(f"- {b['note']}")
    lines += ["", "## Change from the reference", ""]
    if reference is None:
        lines.append("No reference file (bench/reference.json).")
    else:
        ch = exact_changes(results, reference)
        lines += [f"Compared with `{reference_path}` (commit `{reference.get('commit')}`): "
                  "exact figures only.", ""]
        if ch:
            lines += ["| figure | reference | now |", "|---|---|---|"]
            lines += [f"| {a} | {b_} | {c} |" for a, b_, c in ch]
        else:
            lines.append("No figure changed.")
    lines += ["", "## Change from the previous results", ""]
    if previous is None:
        lines.append("No previous results file.")
    else:
        ch = changes(results, previous)
        lines.append(f"Compared with `{previous_path}`.")
        lines.append("")
        if ch:
            lines += ["| figure | before | now |", "|---|---|---|"]
            lines += [f"| {a} | {b_} | {c} |" for a, b_, c in ch]
        else:
            lines.append("No figure changed.")
    notes = {}
    for w in loads:
        for n in w.get("notes", []):
            notes.setdefault(n, []).append(w["name"])
    if notes:
        lines += ["", "## Notes", ""]
        for n, names in sorted(notes.items(), key=lambda kv: kv[0]):
            lines.append(f"- {n} — " + (f"{len(names)} workloads" if len(names) > 6
                                          else ", ".join(names)))
    lines += ["", "## Peers' settings", ""]
    for k, v in results.get("settings", {}).items():
        lines.append(f"- **{k}**: {v}")
    return "\n".join(lines) + "\n"


DEBIAN_PYTHON = "/usr/bin/python3"   # where Debian's python3-matplotlib is importable


def plots(bundle):
    """PNG plots next to the HTML: [(file, title)]; [] when matplotlib is
    missing. bundle: {"results", "history"}. The driver may run under another
    interpreter (pyenv, venv) than the one Debian's python3-matplotlib is
    installed for: then this module draws the plots in a child process of
    /usr/bin/python3."""
    try:
        import matplotlib
    except ImportError:
        if os.path.realpath(sys.executable) == os.path.realpath(DEBIAN_PYTHON) or \
                not os.path.exists(DEBIAN_PYTHON):
            return []
        path = os.path.join(bundle["out"], "plot-input.json")
        with open(path, "w") as f:
            json.dump(bundle, f)
        proc = subprocess.run([DEBIAN_PYTHON, os.path.abspath(__file__), "--plots", path],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              timeout=300)
        os.remove(path)
        if proc.returncode != 0:
            sys.stderr.write(proc.stderr[-2000:])
            return []
        return [tuple(x) for x in json.loads(proc.stdout)]
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import matplotlib.ticker
    out_dir = bundle["out"]
    results = bundle["results"]
    loads = results["workloads"]
    tiers = [t for t in k23_tiers(results) if any(w["instructions"].get(t) for w in loads)]
    made = []
    WIDTH = 8.0   # inches at 100 dpi: 800 px, a laptop's page

    def save(fig, name, title):
        fig.tight_layout()
        fig.savefig(os.path.join(out_dir, name), dpi=100)
        plt.close(fig)
        made.append((name, title))

    def hbars(name, title, xlabel, labels, series, log=True):
        """Horizontal grouped bars: one row per label, one bar per series
        [(legend, [value or None])]; a line at 1×."""
        if not labels or not series:
            return
        fig, ax = plt.subplots(figsize=(WIDTH, 1.2 + 0.22 * len(labels) * max(1, len(series))))
        h = 0.8 / len(series)
        for i, (legend, vals) in enumerate(series):
            ys = [y + (len(series) - 1 - i) * h for y in range(len(labels))]
            ax.barh(ys, [v or 0 for v in vals], h, label=legend)
        ax.set_yticks([y + 0.4 - h / 2 for y in range(len(labels))])
        ax.set_yticklabels(labels, fontsize=8)
        ax.invert_yaxis()
        ax.axvline(1.0, color="black", linewidth=0.8)
        if log:
            ax.set_xscale("log")
            times = matplotlib.ticker.FuncFormatter(lambda v, _: f"{v:g}×")
            ax.xaxis.set_major_formatter(times)
            ax.xaxis.set_minor_formatter(matplotlib.ticker.NullFormatter())
        ax.set_xlabel(xlabel)
        ax.set_title(title, fontsize=11)
        ax.legend(fontsize=8, loc="best")
        ax.grid(axis="x", alpha=0.3)
        save(fig, name, title)

    c_loads = [w for w in loads if w["source"] == "c" and w["instructions"].get("native")]
    series = []
    for t in tiers:
        series.append((f"{t} / native", [ratio(w["instructions"].get(t), w["instructions"]["native"])
                                          for w in c_loads]))
        series.append((f"{t} / native-scalar", [ratio(w["instructions"].get(t),
                                                      w["instructions"].get("native-scalar"))
                                                for w in c_loads]))
    series.append(("wasm2c / native-scalar", [ratio(w["instructions"].get("wasm2c"),
                                                    w["instructions"].get("native-scalar"))
                                              for w in c_loads]))
    hbars("native.png", "C workloads: instructions relative to native clang-16 (lower is better)",
          "instructions / native build (log scale)", [w["name"] for w in c_loads], series)
    simd = [w for w in loads if w["source"] == "c+simd" and w["instructions"].get("native")]
    by = {w["name"]: w for w in loads}
    series = []
    for t in tiers:
        series.append((f"{t}, -msimd128 wasm", [ratio(w["instructions"].get(t),
                                                     w["instructions"]["native"]) for w in simd]))
        series.append((f"{t}, scalar wasm", [ratio(by.get(w["name"][:-5], {}).get(
            "instructions", {}).get(t), w["instructions"]["native"]) for w in simd]))
    hbars("simd.png", "SIMD: k23 on the -msimd128 build vs native rv64gcv (lower is better)",
          "instructions / native rv64gcv (log scale)", [w["name"][:-5] for w in simd], series)
    both = [w for w in loads if w["instructions"].get("wasm2c")
            and any(w["instructions"].get(t) for t in tiers)]
    hbars("wasm2c.png", "k23 vs wasm2c on the same .wasm (lower is better)",
          "instructions / wasm2c (log scale)", [w["name"] for w in both],
          [(t, [ratio(w["instructions"].get(t), w["instructions"]["wasm2c"]) for w in both])
           for t in tiers])
    sizes = [(n, m) for n, m in results.get("code_size", {}).get("modules", {}).items()
             if m.get("cranelift-riscv64") and m.get("k23-baseline")]
    hbars("code_size.png", "Code size: k23 / Cranelift, rv64gc, per module (lower is smaller)",
          "bytes of machine code / Cranelift's (log scale)", [n for n, _ in sizes],
          [(t, [ratio(m.get(t), m["cranelift-riscv64"]) for _, m in sizes])
           for t in ("k23-baseline",)])
    cs = [(k, v["MBps"]) for k, v in results.get("compile_speed", {}).items()
          if v.get("MBps") is not None]
    if cs:
        title = "Compile speed on the host, one thread (higher is faster)"
        fig, ax = plt.subplots(figsize=(WIDTH, 1.0 + 0.4 * len(cs)))
        ax.barh([k for k, _ in cs], [v for _, v in cs],
                color=["tab:orange" if k.startswith("cranelift") else "tab:blue" for k, _ in cs])
        ax.invert_yaxis()
        ax.set_xlabel("MB of wasm per second")
        ax.set_title(title, fontsize=11)
        for y, (_, v) in enumerate(cs):
            ax.text(v, y, f" {v:g}", va="center", fontsize=8)
        save(fig, "compile_speed.png", title)
    history = bundle.get("history") or []
    if history:
        # Only runs like the latest (--quick or not, as many workloads): a
        # --only run's geomeans are over other workloads.
        last = history[-1]
        runs = [r for r in history if r.get("quick") == last.get("quick")
                and r.get("workloads") == last.get("workloads")][-40:]
        title = (f"Headline over the last {len(runs)} runs like this one "
                 f"({'--quick, ' if last.get('quick') else ''}"
                 f"{last.get('workloads', '?')} workloads; history.jsonl)")
        fig, (ax1, ax2) = plt.subplots(2, 1, figsize=(WIDTH, 6), sharex=True)
        xs = list(range(len(runs)))
        names = sorted({t for r in runs for t in r.get("headline", {}).get("tiers", {})})
        for t in names:
            for key, label in (("vs_native", "/ native"), ("vs_native_scalar", "/ native-scalar"),
                               ("vs_wasm2c", "/ wasm2c"), ("simd_vs_native", "+simd / native")):
                ys = [(r["headline"].get("tiers", {}).get(t, {}).get(key) or {}).get("geomean")
                      for r in runs]
                if any(y is not None for y in ys):
                    ax1.plot(xs, [y if y is not None else float("nan") for y in ys], marker="o",
                             label=f"{t} {label}")
            for key, label in (("code_size_vs_cranelift", "code size / Cranelift"),
                               ("compile_vs_cranelift", "compile MB/s / Cranelift")):
                ys = []
                for r in runs:
                    v = r["headline"].get("tiers", {}).get(t, {}).get(key)
                    ys.append(v.get("geomean") if isinstance(v, dict) else v)
                if any(y is not None for y in ys):
                    ax2.plot(xs, [y if y is not None else float("nan") for y in ys], marker="o",
                             label=f"{t} {label}")
        ax1.set_ylabel("geomean instruction ratio")
        ax1.set_title(title, fontsize=11)
        ax2.set_ylabel("ratio to Cranelift (log)")
        ax2.set_yscale("log")
        for ax in (ax1, ax2):
            ax.grid(alpha=0.3)
            if ax.get_legend_handles_labels()[0]:
                ax.legend(fontsize=7, loc="best")
        ax2.set_xticks(xs)
        ax2.set_xticklabels([(r.get("commit") or "?")[:8] + ("\n" + r["date"][5:16].replace("T", " ")
                                                          if r.get("date") else "") for r in runs],
                            rotation=60, ha="right", fontsize=7)
        save(fig, "history.png", title)
    return made


def write(results, previous, previous_path, reference=None, history=None, out_dir=None,
          reference_path="bench/reference.json"):
    out_dir = out_dir or BENCH
    os.makedirs(out_dir, exist_ok=True)
    md = markdown(results, previous, previous_path, reference, reference_path)
    with open(os.path.join(out_dir, "dashboard.md"), "w") as f:
        f.write(md)
    images = plots({"results": results, "history": history or [], "out": out_dir})
    head_md, _, rest_md = md.partition("\n## Instructions per workload")
    body = ["<!doctype html><html><head><meta charset='utf-8'>"
            "<meta name='viewport' content='width=device-width, initial-scale=1'>"
            "<title>k23 benchmarks</title>",
            "<style>body{font-family:sans-serif;max-width:60em;margin:1em auto;padding:0 1em}"
            "img{max-width:100%;height:auto;display:block}"
            "figure{margin:1.5em 0}"
            ".scroll{overflow-x:auto}"
            "table{border-collapse:collapse;font-size:90%}"
            "td,th{border:1px solid #ccc;padding:2px 6px;text-align:right}"
            "td{white-space:nowrap}td:first-child,th:first-child{text-align:left;white-space:normal}"
            "#headline table{font-size:105%}#headline td{padding:4px 10px}"
            "pre{white-space:pre-wrap}</style></head><body>"]
    body.append("<div id='headline'>" + markdown_to_html(head_md) + "</div>")
    body.append("<h2>Plots</h2>")
    for img, title in images:
        body.append(f"<figure><img src='{html.escape(img)}' alt='{html.escape(title)}'></figure>")
    if not images:
        body.append("<p>(no plots: python3-matplotlib is not installed)</p>")
    body.append(markdown_to_html("## Instructions per workload" + rest_md))
    # For the host ring's Chromium check (tests/bench/test_dashboard.py): after loading, the body
    # says how many images decoded, which did not, and the widest one.
    body.append("<script>window.addEventListener('load',function(){var ok=0,bad=[],w=0;"
                "for(var i of document.images){if(i.complete&&i.naturalWidth>0){ok++;"
                "w=Math.max(w,i.naturalWidth)}else bad.push(i.getAttribute('src'))}"
                "document.body.dataset.imagesOk=ok;document.body.dataset.imagesBroken=bad.join(' ');"
                "document.body.dataset.widestImage=w})</script>")
    body.append("</body></html>")
    with open(os.path.join(out_dir, "dashboard.html"), "w") as f:
        f.write("\n".join(body) + "\n")
    return images


def markdown_to_html(md):
    """Just enough for dashboard.md: headings, tables, lists, paragraphs."""
    out, table = [], False
    for line in md.splitlines():
        if line.startswith("|"):
            cells = [c.strip() for c in line.strip("|").split("|")]
            if all(set(c) <= set("-") for c in cells):
                continue
            if not table:
                out.append("<div class='scroll'><table>")
                table = True
                out.append("<tr>" + "".join(f"<th>{inline(c)}</th>" for c in cells) + "</tr>")
                continue
            out.append("<tr>" + "".join(f"<td>{inline(c)}</td>" for c in cells) + "</tr>")
            continue
        if table:
            out.append("</table></div>")
            table = False
        if line.startswith("## "):
            out.append(f"<h2>{inline(line[3:])}</h2>")
        elif line.startswith("# "):
            out.append(f"<h1>{inline(line[2:])}</h1>")
        elif line.startswith("- "):
            out.append(f"<li>{inline(line[2:])}</li>")
        elif line.strip():
            out.append(f"<p>{inline(line)}</p>")
    if table:
        out.append("</table></div>")
    return "\n".join(out)


def inline(text):
    t = html.escape(text)
    parts = t.split("**")
    t = "".join(f"<b>{p}</b>" if i % 2 else p for i, p in enumerate(parts))
    parts = t.split("`")
    return "".join(f"<code>{p}</code>" if i % 2 else p for i, p in enumerate(parts))


if __name__ == "__main__":
    # /usr/bin/python3 dashboard.py --plots RESULTS.json: draw the plots and
    # print their file names (see plots()).
    if sys.argv[1:2] == ["--plots"]:
        with open(sys.argv[2]) as f:
            print(json.dumps(plots(json.load(f))))
