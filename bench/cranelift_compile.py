"""Cranelift peer for ./k23 bench (tools/driver/bench.py): compiles each
module for riscv64gc-unknown-linux-gnu with the `wasmtime` Python package,
compile only (Module(engine, bytes), nothing is instantiated), on one thread,
and prints JSON: {"MBps": total MB / total seconds, "modules": {name: MBps}}.
Runs in build/bench/venv, where the driver installs the pinned package.

usage: cranelift_compile.py [--min-seconds S] MODULE.wasm...
"""
import json
import os
import sys
import time

import wasmtime


def engine():
    config = wasmtime.Config()
    config.target = "riscv64gc-unknown-linux-gnu"
    config.cranelift_opt_level = "speed"
    if hasattr(config, "parallel_compilation"):
        config.parallel_compilation = False   # one thread, as k23's compilers are measured
    # (wasmtime 25's Python Config lacks it: the driver sets RAYON_NUM_THREADS=1)
    return wasmtime.Engine(config)


def main(argv):
    min_seconds = 1.0
    if argv[:1] == ["--min-seconds"]:
        min_seconds = float(argv[1])
        argv = argv[2:]
    e = engine()
    total_bytes = 0
    total_time = 0.0
    modules = {}
    errors = {}
    for path in argv:
        name = os.path.basename(os.path.dirname(path)) if path.endswith(("benchmark.wasm",)) \
            else os.path.splitext(os.path.basename(path))[0]
        if "sightglass" in path:
            name = os.path.basename(os.path.dirname(path))
        with open(path, "rb") as f:
            data = f.read()
        try:
            runs, spent = 0, 0.0
            while runs < 1 or spent < min_seconds:
                t = time.perf_counter()
                wasmtime.Module(e, data)
                spent += time.perf_counter() - t
                runs += 1
        except Exception as ex:   # a module Cranelift rejects is reported, not fatal
            errors[name] = str(ex).splitlines()[0][:200]
            continue
        per = spent / runs
        modules[name] = round(len(data) / per / 1e6, 3)
        total_bytes += len(data)
        total_time += per
    out = {"MBps": round(total_bytes / total_time / 1e6, 3) if total_time else None,
           "modules": modules, "target": "riscv64gc-unknown-linux-gnu",
           "settings": "cranelift opt_level=speed, one thread, compile only"}
    if errors:
        out["errors"] = errors
    print(json.dumps(out))


if __name__ == "__main__":
    main(sys.argv[1:])
