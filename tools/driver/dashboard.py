"""The benchmark dashboard: build/bench/dashboard.html (plots, with Debian's
python3-matplotlib, imported only here) and build/bench/dashboard.md (the
markdown summary). Both show each workload's k23 tiers and wasm2c against
native as ratios of instruction counts, compile speeds against Cranelift,
the boot figures, and every change from the previous results file
(instruction counts are deterministic, so any change is shown).
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
    """[(what, old, new)] for every figure that moved."""
    out = []
    if not previous:
        return out
    old = {w["name"]: w for w in previous.get("workloads", [])}
    for w in results["workloads"]:
        p = old.get(w["name"])
        if p is None:
            out.append((f"{w['name']}", "absent", "new workload"))
            continue
        for k, v in w["instructions"].items():
            pv = p.get("instructions", {}).get(k)
            if pv != v:
                out.append((f"{w['name']} {k} instructions", fmt_int(pv), fmt_int(v)
                            + (f" ({(v - pv) / pv * 100:+.2f}%)" if v is not None and pv else "")))
        if p.get("correct") != w["correct"]:
            out.append((f"{w['name']} correct", str(p.get("correct")), str(w["correct"])))
    for k, v in results.get("compile_speed", {}).items():
        pv = previous.get("compile_speed", {}).get(k, {}).get("MBps")
        if pv != v.get("MBps"):
            out.append((f"compile {k} MB/s (wall clock, noisy)", str(pv), str(v.get("MBps"))))
    b, pb = results.get("boot", {}), previous.get("boot", {})
    for k in ("instructions_loader_to_main", "image_bytes", "loader_bytes",
              "kernel_compressed_bytes", "kernel_uncompressed_bytes"):
        if b.get(k) != pb.get(k):
            out.append((f"boot {k}", fmt_int(pb.get(k)), fmt_int(b.get(k))))
    return out


def markdown(results, previous, previous_path):
    cols = columns(results)
    lines = ["# k23 benchmarks", "",
             "Instructions between `bench.start` and `bench.end` under qemu-riscv64 with the "
             "k23_icount plugin (deterministic). Ratios are against `native` (clang-16 -O2 "
             "rv64gcv); lower is better.", ""]
    k23_cols = [c for c in cols if c.startswith("k23-")]
    ratio_cols = [(c, "native") for c in cols if c != "native"] + \
        [(c, "wasm2c") for c in k23_cols]
    head = ["workload", "source", "correct"] + cols + [f"{a}/{b}" for a, b in ratio_cols]
    lines.append("| " + " | ".join(head) + " |")
    lines.append("|" + "---|" * len(head))
    for w in results["workloads"]:
        ins = w["instructions"]
        row = [w["name"], w["source"],
               {True: "yes", False: "**no**", None: "n/a"}[w["correct"]]]
        row += [fmt_int(ins.get(c)) for c in cols]
        row += [fmt_ratio(ratio(ins.get(a), ins.get(b))) for a, b in ratio_cols]
        lines.append("| " + " | ".join(row) + " |")
    geo = ["geometric mean", "", ""] + [""] * len(cols) + \
        [fmt_ratio(geomean([ratio(w["instructions"].get(a), w["instructions"].get(b))
                            for w in results["workloads"]])) for a, b in ratio_cols]
    lines.append("| " + " | ".join(geo) + " |")
    lines += ["", "Geometric means are over the workloads that have both figures."]
    notes = {}
    for w in results["workloads"]:
        for n in w.get("notes", []):
            notes.setdefault(n, []).append(w["name"])
    if notes:
        lines += ["", "Notes:", ""]
        for n, names in sorted(notes.items(), key=lambda kv: kv[0]):
            lines.append(f"- {n} — " + (f"{len(names)} workloads" if len(names) > 6
                                          else ", ".join(names)))
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
    b = results.get("boot", {})
    lines += ["", "## Boot", "",
              f"- instructions from loader entry to kernel main (-icount shift=0, "
              f"-m {b.get('memory', '?')}): {fmt_int(b.get('instructions_loader_to_main'))}",
              f"- image {fmt_int(b.get('image_bytes'))} bytes: loader {fmt_int(b.get('loader_bytes'))}, "
              f"kernel ELF {fmt_int(b.get('kernel_uncompressed_bytes'))} → "
              f"{fmt_int(b.get('kernel_compressed_bytes'))} compressed"]
    if b.get("note"):
        lines.append(f"- {b['note']}")
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
    lines += ["", "## Peers' settings", ""]
    for k, v in results.get("settings", {}).items():
        lines.append(f"- **{k}**: {v}")
    return "\n".join(lines) + "\n"


DEBIAN_PYTHON = "/usr/bin/python3"   # where Debian's python3-matplotlib is importable


def plots(results):
    """PNG plots next to the HTML; [] when matplotlib is missing. The driver
    may run under another interpreter (pyenv, venv) than the one Debian's
    python3-matplotlib is installed for: then this module draws the plots
    in a child process of /usr/bin/python3."""
    try:
        import matplotlib
    except ImportError:
        if os.path.realpath(sys.executable) == os.path.realpath(DEBIAN_PYTHON) or \
                not os.path.exists(DEBIAN_PYTHON):
            return []
        path = os.path.join(BENCH, "plot-input.json")
        with open(path, "w") as f:
            json.dump(results, f)
        proc = subprocess.run([DEBIAN_PYTHON, os.path.abspath(__file__), "--plots", path],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              timeout=300)
        os.remove(path)
        if proc.returncode != 0:
            return []
        return proc.stdout.split()
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    made = []
    cols = [c for c in columns(results) if c != "native"
            and any(w["instructions"].get(c) for w in results["workloads"])]
    loads = [w for w in results["workloads"] if w["instructions"].get("native")]
    if loads and cols:
        fig, ax = plt.subplots(figsize=(max(6, len(loads) * 0.8), 4))
        width = 0.8 / len(cols)
        for i, c in enumerate(cols):
            vals = [ratio(w["instructions"].get(c), w["instructions"]["native"]) or 0
                    for w in loads]
            ax.bar([x + i * width for x in range(len(loads))], vals, width, label=c)
        ax.axhline(1.0, color="black", linewidth=0.8)
        ax.set_xticks([x + 0.4 - width / 2 for x in range(len(loads))])
        ax.set_xticklabels([w["name"] for w in loads], rotation=45, ha="right")
        ax.set_ylabel("instructions / native (clang-16)")
        ax.legend()
        fig.tight_layout()
        fig.savefig(os.path.join(BENCH, "ratios.png"), dpi=90)
        plt.close(fig)
        made.append("ratios.png")
    k23_cols = [c for c in columns(results) if c.startswith("k23-")
                and any(w["instructions"].get(c) for w in results["workloads"])]
    both = [w for w in results["workloads"] if w["instructions"].get("wasm2c")
            and any(w["instructions"].get(c) for c in k23_cols)]
    if both:
        fig, ax = plt.subplots(figsize=(max(6, len(both) * 0.5), 4))
        width = 0.8 / len(k23_cols)
        for i, c in enumerate(k23_cols):
            vals = [ratio(w["instructions"].get(c), w["instructions"]["wasm2c"]) or 0
                    for w in both]
            ax.bar([x + i * width for x in range(len(both))], vals, width, label=c)
        ax.axhline(1.0, color="black", linewidth=0.8)
        ax.set_yscale("log")
        ax.set_xticks([x + 0.4 - width / 2 for x in range(len(both))])
        ax.set_xticklabels([w["name"] for w in both], rotation=60, ha="right", fontsize=8)
        ax.set_ylabel("instructions / wasm2c (same .wasm)")
        ax.legend()
        fig.tight_layout()
        fig.savefig(os.path.join(BENCH, "k23_vs_wasm2c.png"), dpi=90)
        plt.close(fig)
        made.append("k23_vs_wasm2c.png")
    sg = [w for w in results["workloads"] if w["source"] == "sightglass"
          and w["instructions"].get("wasm2c")]
    if sg:
        fig, ax = plt.subplots(figsize=(max(6, len(sg) * 0.6), 4))
        ax.bar(range(len(sg)), [w["instructions"]["wasm2c"] for w in sg])
        ax.set_yscale("log")
        ax.set_xticks(range(len(sg)))
        ax.set_xticklabels([w["name"] for w in sg], rotation=45, ha="right")
        ax.set_ylabel("instructions in the region (wasm2c)")
        fig.tight_layout()
        fig.savefig(os.path.join(BENCH, "sightglass.png"), dpi=90)
        plt.close(fig)
        made.append("sightglass.png")
    cs = [(k, v["MBps"]) for k, v in results.get("compile_speed", {}).items()
          if v.get("MBps") is not None]
    if cs:
        fig, ax = plt.subplots(figsize=(6, 3))
        ax.barh([k for k, _ in cs], [v for _, v in cs])
        ax.set_xlabel("MB of wasm per second (host)")
        fig.tight_layout()
        fig.savefig(os.path.join(BENCH, "compile_speed.png"), dpi=90)
        plt.close(fig)
        made.append("compile_speed.png")
    return made


def write(results, previous, previous_path):
    os.makedirs(BENCH, exist_ok=True)
    md = markdown(results, previous, previous_path)
    with open(os.path.join(BENCH, "dashboard.md"), "w") as f:
        f.write(md)
    images = plots(results)
    body = ["<!doctype html><html><head><meta charset='utf-8'><title>k23 benchmarks</title>",
            "<style>body{font-family:sans-serif;max-width:1200px;margin:2em auto}"
            "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:2px 6px;"
            "text-align:right}pre{white-space:pre-wrap}</style></head><body>"]
    for img in images:
        body.append(f"<p><img src='{img}' alt='{img}'></p>")
    if not images:
        body.append("<p>(no plots: python3-matplotlib is not installed)</p>")
    body.append(markdown_to_html(md))
    body.append("</body></html>")
    with open(os.path.join(BENCH, "dashboard.html"), "w") as f:
        f.write("\n".join(body) + "\n")


def markdown_to_html(md):
    """Just enough for dashboard.md: headings, tables, lists, paragraphs."""
    out, table = [], False
    for line in md.splitlines():
        if line.startswith("|"):
            cells = [c.strip() for c in line.strip("|").split("|")]
            if all(set(c) <= set("-") for c in cells):
                continue
            if not table:
                out.append("<table>")
                table = True
                out.append("<tr>" + "".join(f"<th>{inline(c)}</th>" for c in cells) + "</tr>")
                continue
            out.append("<tr>" + "".join(f"<td>{inline(c)}</td>" for c in cells) + "</tr>")
            continue
        if table:
            out.append("</table>")
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
        out.append("</table>")
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
            print(" ".join(plots(json.load(f))))
