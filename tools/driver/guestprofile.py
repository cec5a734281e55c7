"""`./k23 profile`: where a guest's instructions go (issue 7, perf/).

Runs a program under qemu-riscv64 with the k23_icount plugin in profile mode
(every translation block's executions, counted inline), then attributes the
executed instructions to functions:
  - JIT-compiled code through the perf map k23-run writes
    (/tmp/perf-PID.map, the Linux `perf` convention: "START SIZE NAME" in hex,
    so `perf report` reads the same file on a real RISC-V board);
  - host code (k23-run itself, or any static riscv64 ELF) through its symbol
    table (llvm-nm-16).
Writes folded stacks (flame-graph input, `KIND;FUNCTION COUNT`, KIND = jit,
host or unknown; the stacks are one frame deep: blocks are attributed to the
function of their first instruction) and prints the top functions.

  ./k23 profile --hosted [--tier T] [--dir D]... FILE.wasm [ARGS...]
  ./k23 profile PROGRAM.elf [ARGS...]     (a static riscv64 Linux program)
"""
import bisect
import json
import os
import subprocess
import tempfile

import perf as k23perf
import setup as k23setup
from common import BUILD, DriverError, info

K23_RUN = os.path.join(BUILD, "riscv64-linux", "hosted", "k23-run")


class Symbols:
    """Address -> name over sorted ranges."""

    def __init__(self):
        self.starts = []
        self.entries = []   # (start, end or None, name, kind)

    def add(self, start, end, name, kind):
        self.entries.append((start, end, name, kind))

    def finish(self):
        """Sizeless symbols end where the next one starts, and are dropped past
        the end of the last sized host symbol (such as data_start)."""
        self.entries.sort(key=lambda e: e[0])
        host_end = max((e[1] for e in self.entries if e[3] == "host" and e[1]), default=None)
        fixed = []
        for i, (start, end, name, kind) in enumerate(self.entries):
            if end is None:
                if host_end is not None and start >= host_end:
                    continue
                end = self.entries[i + 1][0] if i + 1 < len(self.entries) else None
            fixed.append((start, end, name, kind))
        self.entries = fixed
        self.starts = [e[0] for e in self.entries]

    def lookup(self, pc):
        i = bisect.bisect_right(self.starts, pc) - 1
        if i < 0:
            return None
        start, end, name, kind = self.entries[i]
        if end is not None and pc >= end:
            return None
        return kind, name


def elf_symbols(path, symbols):
    """Text symbols of a non-PIE ELF (llvm-nm-16)."""
    with open(path, "rb") as f:
        head = f.read(18)
    if head[:4] != b"\x7fELF":
        raise DriverError(f"profile: {path} is not an ELF file")
    if int.from_bytes(head[16:18], "little") != 2:   # ET_EXEC
        info(f"profile: {path} is position independent: its symbols are not used")
        return
    proc = subprocess.run(["llvm-nm-16", "--defined-only", "-n", "-C", "-S", path],
                          stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    for line in proc.stdout.splitlines():
        parts = line.split(None, 3)
        if len(parts) == 4 and parts[2] in "tTwW":
            start, size = int(parts[0], 16), int(parts[1], 16)
            symbols.add(start, start + size if size else None, parts[3], "host")
        elif len(parts) == 3 and parts[1] in "tTwW":
            symbols.add(int(parts[0], 16), None, parts[2], "host")


def perf_map_symbols(path, symbols):
    count = 0
    with open(path, errors="replace") as f:
        for line in f:
            parts = line.rstrip("\n").split(" ", 2)
            if len(parts) != 3:
                continue
            try:
                start, size = int(parts[0], 16), int(parts[1], 16)
            except ValueError:
                continue
            symbols.add(start, start + size, parts[2], "jit")
            count += 1
    return count


def read_blocks(path):
    pid, blocks = None, []
    with open(path) as f:
        for line in f:
            parts = line.split()
            if parts[0] == "pid":
                pid = int(parts[1])
            elif len(parts) == 3:
                blocks.append((int(parts[0], 16), int(parts[1]), int(parts[2])))
    return pid, blocks


def attribute(blocks, symbols):
    """{(kind, name): instructions}"""
    out = {}
    for pc, insns, executions in blocks:
        key = symbols.lookup(pc) or ("unknown", f"0x{pc:x}" if pc < 0x1000 else "[unknown]")
        out[key] = out.get(key, 0) + insns * executions
    return out


def profile(argv, elf, cwd=None, timeout=1800, quiet=False):
    """Runs argv under the profiling plugin; returns (status, {(kind, name): n},
    total, notes, the plugin's own counts {"total", "region", "regions"})."""
    fd, prof = tempfile.mkstemp(prefix="k23-profile-", suffix=".txt")
    os.close(fd)
    fd, counts = tempfile.mkstemp(prefix="k23-icount-", suffix=".json")
    os.close(fd)
    notes = []
    try:
        cmd = ["qemu-riscv64"] + k23perf.QEMU_CPU + [
            "-plugin", f"{k23perf.build_plugin()},outfile={counts},profile={prof}"] + argv
        proc = subprocess.run(cmd, cwd=cwd, timeout=timeout,
                              stdout=subprocess.DEVNULL if quiet else None)
        pid, blocks = read_blocks(prof)
        with open(counts) as f:
            totals = json.load(f) if os.path.getsize(counts) else None
    finally:
        for f in (prof, counts):
            if os.path.exists(f):
                os.remove(f)
    symbols = Symbols()
    elf_symbols(elf, symbols)
    if pid is not None:
        perf_map = f"/tmp/perf-{pid}.map"
        if os.path.exists(perf_map):
            notes.append(f"{perf_map_symbols(perf_map, symbols)} JIT functions from {perf_map}")
        elif elf == K23_RUN:
            notes.append(f"no {perf_map}: JIT code is [unknown]")
    symbols.finish()
    by_function = attribute(blocks, symbols)
    return proc.returncode, by_function, sum(by_function.values()), notes, totals


def write_folded(path, by_function):
    with open(path, "w") as f:
        for (kind, name), n in sorted(by_function.items(), key=lambda kv: -kv[1]):
            f.write(f"{kind};{name.replace(';', ':').replace(' ', '_')} {n}\n")


def k23_run_flags():
    """--perf-map if this k23-run has it."""
    proc = subprocess.run(["qemu-riscv64", K23_RUN, "--help"], stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True, timeout=60)
    return ["--perf-map"] if "--perf-map" in proc.stdout else []


def cmd_profile(args):
    k23setup.ensure()
    target = args.file
    if target.endswith(".wasm"):
        if not args.hosted:
            raise DriverError("profile: the kernel does not run guests yet: use --hosted "
                              "(k23-run under qemu-riscv64)")
        if not os.path.exists(K23_RUN):
            raise DriverError(f"profile: {K23_RUN} is not built (./k23 build --target riscv64-linux)")
        argv = [K23_RUN] + k23_run_flags()
        if args.tier:
            argv += ["--tier", args.tier]
        for d in args.dir or ["."]:
            argv += ["--dir", d]
        argv += [os.path.abspath(target)] + args.args
        elf = K23_RUN
    else:
        elf = os.path.abspath(target)
        argv = [elf] + args.args
    status, by_function, total, notes, _ = profile(argv, elf)
    folded = args.folded or os.path.join(BUILD, "profile", os.path.basename(target) + ".folded")
    os.makedirs(os.path.dirname(os.path.abspath(folded)), exist_ok=True)
    write_folded(folded, by_function)
    print(f"profile: {total:,} instructions (exit status {status}); folded stacks in {folded}")
    for n in notes:
        print(f"profile: {n}")
    ranked = sorted(by_function.items(), key=lambda kv: -kv[1])[:args.top]
    for (kind, name), n in ranked:
        print(f"{n / total * 100 if total else 0:6.2f}% {n:>14,}  {kind:<7} {name}")
    return 0 if status == 0 else 1


def add_parser(sub):
    s = sub.add_parser("profile", help="attribute a guest's instructions to functions (QEMU plugin)")
    s.add_argument("--hosted", action="store_true",
                   help="run FILE.wasm with k23-run under qemu-riscv64 (the only way for now)")
    s.add_argument("--tier", choices=["baseline", "optimizing", "auto"], help="k23-run's tier")
    s.add_argument("--dir", action="append", metavar="HOST[::GUEST]",
                   help="preopen for the guest (default: .)")
    s.add_argument("--top", type=int, default=20, metavar="N", help="functions to print (20)")
    s.add_argument("--folded", metavar="FILE",
                   help="folded stacks here (default build/profile/NAME.folded)")
    s.add_argument("file", metavar="FILE", help="FILE.wasm, or a static riscv64 Linux ELF")
    s.add_argument("args", nargs="...", help="its arguments")
    s.set_defaults(func=cmd_profile)
