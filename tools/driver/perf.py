"""perf/: the k23_icount QEMU TCG plugin (built with the host compiler
against build/deps/qemu's qemu-plugin.h), and count(): a riscv64 Linux
program's instructions under it. `./k23 bench` counts with it and
`./k23 profile` (guestprofile.py) profiles with it; its checks (a loop of
known length, profile mode) are tests/perf/test_perf.py, in the host ring.

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


def stale(target, sources):
    if not os.path.exists(target):
        return True
    t = os.path.getmtime(target)
    return any(os.path.getmtime(s) > t for s in sources)


def build_plugin():
    """Builds build/perf/k23_icount.so if it is missing or older than its source."""
    header = os.path.join(DEPS, "qemu", "include", "qemu", "qemu-plugin.h")
    if not os.path.exists(header):
        raise DriverError(f"perf: no {header} (run ./k23 setup)")
    if not stale(PLUGIN, [PLUGIN_SRC, header]):
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
