"""./k23 bench's `k23-kernel` column and boot to the first guest (issue 14).

The same workload modules as the other columns, run inside the k23 OS: the
driver packs the module, a command file (tools/driver/kernelrun.py) and the
workload's folder (preopened as ".", as `k23-run --dir .` has it) into an
initial ramdisk and boots the kernel with `run=run/command tier=baseline`
(the column is the baseline tier; the kernel's default is auto) under
`qemu-system-riscv64 -icount shift=0`, one boot per workload. The kernel's
bench.start/bench.end host functions read `instret` (exact under -icount) and
the kernel prints, after the guest,

    bench: N instructions between bench.start and bench.end (K regions)

(kernel/WasmGuest.h, WasmGuestStats). The guest's stdout comes back in the
console frame (kernelrun.FrameDecoder) and is judged like every peer's.
Every boot also prints `boot: N instructions from loader entry to the first
guest instruction` and the kernel's phases (kernel/main.cpp).
"""
import os
import re
import subprocess
import time

import build as k23build
import initrd as k23initrd
import kernelrun
import qemu
from common import BUILD

KERNEL_DIR = os.path.join(BUILD, "bench", "kernel")
REGION_LINE = re.compile(r"^bench: ([0-9]+) instructions between bench\.start and bench\.end "
                         r"\(([0-9]+) regions?\)\s*$")
FIRST_GUEST_LINE = re.compile(r"^boot: ([0-9]+) instructions from loader entry to the first "
                              r"guest instruction\s*$")
KERNEL_PHASES_LINE = re.compile(r"^boot: kernel phases: (.*)$")
LOADER_PHASES_LINE = re.compile(r"^loader: instructions: (.*)$")
MAIN_LINE = re.compile(r"^boot: ([0-9]+) instructions from loader entry to kernel main\s*$")
STATUS_LINE = re.compile(r"^run: exit status ([0-9]+)\s*$")
MEMORY = "512M"

# Workloads the kernel column leaves out, with the reason (shown as the
# column's note, never a silent blank).
# (None today: shootout-minicsv was, while memory.fill/copy were system calls.)
KERNEL_SKIP = {}


def parse_phases(text):
    """"a 1, b c 2" -> {"a": 1, "b c": 2}: the loader's and kernel's phase lines."""
    out = {}
    for part in text.split(","):
        m = re.match(r"^\s*(.*\S)\s+([0-9]+)\s*$", part)
        if m:
            out[m.group(1)] = int(m.group(2))
    return out


def parse_console(lines):
    """The figures a kernel boot printed: {"region", "regions", "first_guest",
    "to_main", "loader_phases", "kernel_phases", "status"} (each None or {}
    when the line is missing)."""
    out = {"region": None, "regions": None, "first_guest": None, "to_main": None,
           "loader_phases": {}, "kernel_phases": {}, "status": None}
    for line in lines:
        line = line.strip()
        if m := REGION_LINE.match(line):
            out["region"], out["regions"] = int(m.group(1)), int(m.group(2))
        elif m := FIRST_GUEST_LINE.match(line):
            out["first_guest"] = int(m.group(1))
        elif m := MAIN_LINE.match(line):
            out["to_main"] = int(m.group(1))
        elif m := LOADER_PHASES_LINE.match(line):
            out["loader_phases"] = parse_phases(m.group(1))
        elif m := KERNEL_PHASES_LINE.match(line):
            out["kernel_phases"] = parse_phases(m.group(1))
        elif m := STATUS_LINE.match(line):
            out["status"] = int(m.group(1))
    return out


def _folder_files(folder):
    """The workload folder's regular files a program may read (its inputs):
    not executables (the native peers' binaries) and not the module."""
    files = []
    if folder and os.path.isdir(folder):
        for name in sorted(os.listdir(folder)):
            full = os.path.join(folder, name)
            if (os.path.isfile(full) and not os.path.islink(full) and not name.endswith(".wasm")
                    and not os.access(full, os.X_OK)):
                files.append(name)
    return files


def boot_run(image, wasm, folder, timeout, name, key):
    """Boots the kernel once with `wasm` as its WASI command (preopen "." =
    folder's input files). Returns (qemu result, decoded stdout, stderr)."""
    os.makedirs(KERNEL_DIR, exist_ok=True)
    with open(wasm, "rb") as f:
        module = f.read()
    extra = [("run/module.wasm", module),
             ("run/command", kernelrun.command_file("/run/module.wasm", name, [], [],
                                                     [("/run/dir0", ".")], None))]
    files = _folder_files(folder)
    data = k23initrd.build([], extra_files=extra + [("run/dir0/.keep", b"")] + [
        (f"run/dir0/{n}", open(os.path.join(folder, n), "rb").read()) for n in files])
    initrd_path = os.path.join(KERNEL_DIR, f"{key}.cpio")
    with open(initrd_path, "wb") as f:
        f.write(data)
    streams = {"stdout": bytearray(), "stderr": bytearray(), "kernel": bytearray()}
    decoder = kernelrun.FrameDecoder(lambda s, b: streams[s].extend(b))
    result = qemu.boot(image, append="run=run/command tier=baseline", memory=MEMORY, timeout=timeout,
                       extra=["-icount", "shift=0"], initrd=initrd_path, console=decoder.feed,
                       passthrough=True)
    decoder.finish()
    os.remove(initrd_path)
    return result, bytes(streams["stdout"]), bytes(streams["stderr"]), decoder.frames


def run_workload(w, timeout, image=None):
    """The k23-kernel run of workload w, shaped like bench.run_one's result:
    {"peer", "ok", "status", "stdout", "stderr", "counts", "wall_s", "error"}."""
    start = time.monotonic()
    r = {"peer": "k23-kernel"}
    if w.name in KERNEL_SKIP:
        r.update(ok=False, skipped=True, error=KERNEL_SKIP[w.name], wall_s=0.0)
        return r
    image = image or k23build.image_path()
    try:
        result, out, err, frames = boot_run(image, w.wasm, w.cwd, timeout, w.wasm,
                                            w.name.replace("+", "_"))
    except (OSError, subprocess.SubprocessError) as e:
        r.update(ok=False, error=f"could not boot: {e}", wall_s=round(time.monotonic() - start, 3))
        return r
    figures = parse_console(result.lines())
    r.update(status=figures["status"], stdout=out.decode(errors="replace"),
             stderr=err.decode(errors="replace")[-2000:],
             wall_s=round(time.monotonic() - start, 3), boot=figures)
    r["counts"] = None if figures["region"] is None else {
        "region": figures["region"], "regions": figures["regions"], "total": None}
    r["ok"] = figures["status"] == 0 and figures["region"] is not None
    if not r["ok"]:
        last = r["stderr"].strip().splitlines()[-1:] or [""]
        if figures["status"] is None:
            why = (f"timed out after {timeout} s in the kernel" if result.timed_out
                   else result.reason or "the kernel reported no status")
        elif figures["status"] != 0:
            why = f"exit status {figures['status']}"
        else:
            why = "no bench.start/bench.end region"
        r["error"] = why + (": " + last[0] if last[0] else "")
    return r


def first_guest_boot(timeout=120, image=None):
    """Boot to the first guest instruction: the kernel booted with the
    smallest WASI command (an empty _start) under -icount shift=0. Returns
    the parsed figures (parse_console) plus "note" when it did not work."""
    os.makedirs(KERNEL_DIR, exist_ok=True)
    # (module (func (export "_start"))), assembled by hand: 8 + 4 sections.
    wasm = os.path.join(KERNEL_DIR, "empty-start.wasm")
    module = bytes.fromhex("0061736d01000000" "010401600000" "03020100"
                           "070a01065f737461727400" "00" "0a040102000b")
    with open(wasm, "wb") as f:
        f.write(module)
    image = image or k23build.image_path()
    result, _, _, _ = boot_run(image, wasm, None, timeout, "empty-start.wasm", "first-guest")
    figures = parse_console(result.lines())
    if figures["first_guest"] is None:
        figures["note"] = (f"no 'boot: N instructions from loader entry to the first guest "
                           f"instruction' line ({result.reason or 'status ' + str(result.status)})")
    return figures
