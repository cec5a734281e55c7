"""WASI fuzzer for k23-run: random sequences of preview1 calls with random
and edge-case arguments, run against a scratch directory.

Each seed makes one WebAssembly module (WAT, assembled with wat2wasm) whose
_start calls the WASI functions in a random order — wild fds, pointers in
and out of bounds, iovec arrays that wrap or run off the end, paths such as
"../x", "/etc", "a/../../b" and symlinks that lead outside, rights that
grow, flags with every bit set — and then exits with a status the seed
chose. k23-run runs it with the scratch directory (and one folder in it) as
its preopens and with stdio redirected the way a shell would: stdin from a
directory or a file outside the scratch directory, stdout and stderr
appending to logs that already hold the host's lines (or stdout on a
directory).

A run is a finding when
  - k23-run did not exit with the status the module chose (a signal, a
    host crash, a trap, an internal error, a hang), or
  - anything in the sentinel directory beside the scratch directory
    changed (names, types, sizes, contents, link targets, link counts,
    modification or change times), or anything appeared next to it, or
  - the host's lines at the start of the stdout and stderr logs changed.

Standard library only. Used by `./k23 fuzz wasi` (tools/driver/fuzz.py) and
by tests/hosted/test_wasi_fuzz.py (a few seeds in every test run).

    python3 tests/fuzz/wasi_fuzz.py --seed S [--count N] [--keep DIR]
"""
import hashlib
import os
import random
import shutil
import subprocess
import sys
import tempfile

MEMORY_SIZE = 65536
RESULT = 0x100      # path_open's fd (and any other result) usually lands here
PATHS = 0x1000      # the path strings, back to back
IOVS = 0x2000       # prepared iovec arrays
SUBS = 0x3000       # poll_oneoff subscriptions, rewritten before each call
BUFFER = 0x4000     # data that writes take, 16 KiB
OUT = 0x9000        # where results usually go

# Host lines the guest must never be able to remove.
HOST_STDOUT = b"host stdout line that must survive\n"
HOST_STDERR = b"host stderr line that must survive\n"

# Path strings: ordinary names, escapes, symlinks the scratch directory
# holds (see make_tree), odd bytes. "{sentinel}" is the sentinel's
# absolute host path.
PATHS_TEXT = [
    "a.txt", "dir", "dir/b.txt", "empty", "new", "new/x", "new.txt", "dir/new", ".", "./a.txt", "dir/../a.txt",
    "dir/./../dir/b.txt", "dir//b.txt", "dir/", "a.txt/", "..", "../", "../sentinel", "../sentinel/secret.txt",
    "../scratch/a.txt", "a/../../b", "dir/../../sentinel/secret.txt", "/", "/etc", "/etc/passwd", "/tmp",
    "{sentinel}", "{sentinel}/secret.txt", "up", "up/secret.txt", "up/sub/deep.txt", "up/", "abs",
    "abs/secret.txt", "dotdot", "dotdot/sentinel/secret.txt", "file_link", "loop", "loop/x", "self/self/a.txt",
    "deep", "deep/secret.txt", "dangling", "made_link", "made_link/secret.txt", "x" * 300, "y/" * 200,
    "nul\0byte", "\xff\xfe", "..." , "dir/..", "empty/../..",
]

# Symlink targets the guest may create (path_symlink), then follow.
TARGETS_TEXT = ["../sentinel", "../sentinel/secret.txt", "/etc/passwd", "{sentinel}", "..", "a.txt", "dir",
                "made_link", "up/../up", ""]

# name: the parameters, each a kind the generator knows (see Generator).
# "path" and "iovs" stand for two wasm parameters (pointer and length /
# count); the rest for one. The stubs at the end link to ENOSYS.
FUNCTIONS = {
    "args_get": ["ptr", "ptr"],
    "args_sizes_get": ["ptr", "ptr"],
    "environ_get": ["ptr", "ptr"],
    "environ_sizes_get": ["ptr", "ptr"],
    "clock_res_get": ["clock", "ptr"],
    "clock_time_get": ["clock", "time", "ptr"],
    "random_get": ["ptr", "len"],
    "sched_yield": [],
    "fd_write": ["fd", "iovs", "ptr"],
    "fd_pwrite": ["fd", "iovs", "offset", "ptr"],
    "fd_read": ["fd", "iovs", "ptr"],
    "fd_pread": ["fd", "iovs", "offset", "ptr"],
    "fd_seek": ["fd", "delta", "whence", "ptr"],
    "fd_tell": ["fd", "ptr"],
    "fd_close": ["fd"],
    "fd_sync": ["fd"],
    "fd_datasync": ["fd"],
    "fd_fdstat_get": ["fd", "ptr"],
    "fd_fdstat_set_flags": ["fd", "fdflags"],
    "fd_fdstat_set_rights": ["fd", "rights", "rights"],
    "fd_filestat_get": ["fd", "ptr"],
    "fd_filestat_set_size": ["fd", "size"],
    "fd_filestat_set_times": ["fd", "time", "time", "fstflags"],
    "fd_prestat_get": ["fd", "ptr"],
    "fd_prestat_dir_name": ["fd", "ptr", "len"],
    "fd_readdir": ["fd", "ptr", "len", "cookie", "ptr"],
    "fd_advise": ["fd", "offset", "offset", "advice"],
    "fd_allocate": ["fd", "alloc_offset", "alloc_length"],
    "fd_renumber": ["fd", "fd"],
    "path_open": ["fd", "lookup", "path", "oflags", "rights", "rights", "fdflags", "result"],
    "path_filestat_get": ["fd", "lookup", "path", "ptr"],
    "path_filestat_set_times": ["fd", "lookup", "path", "time", "time", "fstflags"],
    "path_create_directory": ["fd", "path"],
    "path_remove_directory": ["fd", "path"],
    "path_unlink_file": ["fd", "path"],
    "path_readlink": ["fd", "path", "ptr", "len", "ptr"],
    "path_rename": ["fd", "path", "fd", "path"],
    "path_link": ["fd", "lookup", "path", "fd", "path"],
    "path_symlink": ["target", "fd", "path"],
    "poll_oneoff": ["subs"],
    "sock_accept": ["fd", "fdflags", "ptr"],
    "sock_shutdown": ["fd", "i32"],
}
WASM_TYPES = {"path": ["i32", "i32"], "iovs": ["i32", "i32"], "target": ["i32", "i32"],
              "subs": ["i32", "i32", "i32", "i32"], "time": ["i64"], "offset": ["i64"], "delta": ["i64"],
              "rights": ["i64"], "size": ["i64"], "cookie": ["i64"], "alloc_offset": ["i64"],
              "alloc_length": ["i64"]}

U32_EDGES = [0, 1, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff, MEMORY_SIZE, MEMORY_SIZE - 1]
U64_EDGES = [0, 1, 0xffffffff, 1 << 32, 1 << 62, 1 << 63, (1 << 63) - 1, (1 << 64) - 1]


def wasm_types(kind):
    return WASM_TYPES.get(kind, ["i32"])


def c(value, bits=32):
    return f"(i{bits}.const {value & ((1 << bits) - 1):#x})"


class Generator:
    """One module's text from one seed (and the sentinel's path, which some
    path strings name)."""

    def __init__(self, seed, sentinel):
        self.rng = random.Random(seed)
        self.sentinel = sentinel
        self.paths = []    # (address, length)
        self.targets = []
        self.iovs = []     # (address, count)
        self.data = []     # (address, bytes)

    # ------------------------------------------------------------ data

    def lay_out_data(self):
        at = PATHS
        for text in PATHS_TEXT + TARGETS_TEXT:
            raw = text.replace("{sentinel}", self.sentinel).encode("utf-8", "surrogateescape")
            if text == "\xff\xfe":
                raw = b"\xff\xfe"
            self.data.append((at, raw))
            (self.paths if len(self.paths) < len(PATHS_TEXT) else self.targets).append((at, len(raw)))
            at += len(raw) + 1
        assert at < IOVS, "path strings overflow their area"
        arrays = [
            [(BUFFER, 16)],
            [(BUFFER, 8), (BUFFER + 100, 0), (BUFFER + 200, 64)],
            [(BUFFER, 4096), (BUFFER + 4096, 4096), (BUFFER + 8192, 4096)],
            [(MEMORY_SIZE - 6, 100)],           # runs off the end
            [(0xfffffff0, 0x20)],               # wraps in 32 bits
            [(0, MEMORY_SIZE)],                 # all of memory
            [(BUFFER, 0xffffffff)],
            [(BUFFER, 10), (MEMORY_SIZE, 0)],   # empty, at the very end
        ]
        at = IOVS
        for array in arrays:
            raw = b"".join(p.to_bytes(4, "little") + n.to_bytes(4, "little") for p, n in array)
            self.data.append((at, raw))
            self.iovs.append((at, len(array)))
            at += len(raw)
        filler = bytes((i * 7 + 13) & 0xff for i in range(256)) * 64
        self.data.append((BUFFER, b"fuzz line\n" + filler[: 16 * 1024 - 10]))

    def data_segments(self):
        out = []
        for at, raw in self.data:
            text = "".join(f"\\{b:02x}" for b in raw)
            out.append(f'  (data (i32.const {at:#x}) "{text}")')
        return "\n".join(out)

    # ------------------------------------------------------------ arguments

    def pick(self, common, edges=()):
        if edges and self.rng.random() < 0.15:
            return self.rng.choice(list(edges))
        return self.rng.choice(common)

    def fd(self):
        r = self.rng.random()
        if r < 0.25:
            return f"(i32.load (i32.const {RESULT:#x}))"   # the last fd path_open gave
        return c(self.pick([0, 1, 2, 3, 3, 4, 4, 5, 6, 7, 8], [9, 64, 1024, 0x7fffffff, 0xffffffff]))

    def ptr(self):
        return c(self.pick([OUT + 8 * self.rng.randrange(512), RESULT, BUFFER + self.rng.randrange(0, 0x3f00)],
                           U32_EDGES + [MEMORY_SIZE - 4, MEMORY_SIZE - 8, MEMORY_SIZE - 63, PATHS, IOVS,
                                        0xfffffffc]))

    def length(self):
        return c(self.pick([0, 1, 7, 16, 64, 256, 4096], U32_EDGES + [0x10000, 0x8001]))

    def path(self, pool):
        at, n = self.rng.choice(pool)
        r = self.rng.random()
        if r < 0.85:
            return [c(at), c(n)]
        if r < 0.9:
            return [c(at), c(n + self.rng.randrange(1, 40))]       # runs into the next string
        if r < 0.95:
            return [c(at), c(self.rng.choice([0xffffffff, MEMORY_SIZE, 5000]))]
        return [c(self.rng.choice([MEMORY_SIZE - 2, MEMORY_SIZE, 0xfffffff0])), c(n)]

    def iovecs(self):
        at, count = self.rng.choice(self.iovs)
        r = self.rng.random()
        if r < 0.8:
            return [c(at), c(count)]
        if r < 0.9:
            return [c(at), c(self.rng.choice([0, count + 3, 1024, 1025, 0xffffffff]))]
        return [c(self.rng.choice([MEMORY_SIZE - 4, MEMORY_SIZE, 0xfffffff8])), c(1)]

    def u64(self, common):
        return c(self.pick(common, U64_EDGES), 64)

    def argument(self, kind):
        rng = self.rng
        if kind == "fd":
            return [self.fd()]
        if kind == "ptr":
            return [self.ptr()]
        if kind == "result":
            return [c(RESULT)] if rng.random() < 0.8 else [self.ptr()]
        if kind == "len":
            return [self.length()]
        if kind == "path":
            return self.path(self.paths)
        if kind == "target":
            return self.path(self.targets + self.paths[:10])
        if kind == "iovs":
            return self.iovecs()
        if kind == "offset":
            return [self.u64([0, 1, 10, 4096, 65536, 1 << 20])]
        if kind == "delta":
            return [self.u64([0, 1, 5, 100, -1, -5, -100, 4096])]
        if kind == "size":
            # Past 1 MiB only sizes the file system refuses, so a run never
            # fills the disk.
            return [c(self.pick([0, 1, 5, 100, 4096, 1 << 20], [1 << 62, 1 << 63, (1 << 64) - 1]), 64)]
        if kind == "alloc_offset":
            return [c(rng.choice([0, 1, 4096, 1 << 62, (1 << 64) - 1]), 64)]
        if kind == "alloc_length":
            return [c(rng.choice([0, 1, 100, 4096, 65536, 1 << 62, (1 << 64) - 1]), 64)]
        if kind == "cookie":
            return [self.u64([0, 0, 1, 2, 3, 5, 100])]
        if kind == "time":
            return [self.u64([0, 1, 1_000_000_000, 1_700_000_000 * 10 ** 9, rng.getrandbits(64)])]
        if kind == "whence":
            return [c(self.pick([0, 1, 2], [3, 255, 0xffffffff]))]
        if kind == "oflags":
            return [c(self.pick([0, 0, 1, 1 | 4, 8, 2, 1 | 8, 1 | 2, rng.randrange(16)], [0xffff, 0xfff0]))]
        if kind == "fdflags":
            return [c(self.pick([0, 0, 1, 4, 2, 16, 8, rng.randrange(32)], [0xffff, 0xffffffff]))]
        if kind == "rights":
            return [c(self.pick([0x3fffffff, 0x3fffffff, 0, 2, 0x40, 0x42, 0x4000, 0x2000 | 0x4000 | 2,
                                 rng.getrandbits(30)], [(1 << 64) - 1, rng.getrandbits(64)]), 64)]
        if kind == "lookup":
            return [c(self.pick([0, 1], [2, 0xffffffff]))]
        if kind == "fstflags":
            return [c(self.pick(list(range(16)), [0xffff]))]
        if kind == "advice":
            return [c(self.pick(list(range(6)), [6, 255, 0xffffffff]))]
        if kind == "clock":
            return [c(self.pick([0, 1, 2, 3], [4, 0xffffffff]))]
        if kind == "i32":
            return [c(rng.getrandbits(32))]
        raise AssertionError(kind)

    def subscriptions(self):
        """Stores that lay out up to 4 subscriptions at SUBS (clocks that
        wait at most 1 ms: a long sleep is no finding), and the call's four
        arguments."""
        rng = self.rng
        stores = []
        for i in range(4):
            base = SUBS + 48 * i
            tag = self.pick([0, 0, 1, 2], [3, 255])
            stores.append(f"(i64.store (i32.const {base:#x}) {c(rng.getrandbits(64), 64)})")
            stores.append(f"(i32.store8 (i32.const {base + 8:#x}) (i32.const {tag}))")
            if tag == 0:
                stores.append(f"(i32.store (i32.const {base + 16:#x}) {c(self.pick([0, 1], [2, 3, 9]))})")
                stores.append(f"(i64.store (i32.const {base + 24:#x}) {c(rng.randrange(0, 1_000_000), 64)})")
                stores.append(f"(i32.store16 (i32.const {base + 40:#x}) (i32.const {rng.choice([0, 0, 1])}))")
            else:
                stores.append(f"(i32.store (i32.const {base + 16:#x}) {self.fd()})")
        count = self.pick([1, 1, 2, 3, 4], [0, 2000, 0xffffffff])
        subs = c(SUBS) if rng.random() < 0.9 else c(rng.choice([MEMORY_SIZE - 8, MEMORY_SIZE, 0xffffffff]))
        events = c(OUT) if rng.random() < 0.9 else c(rng.choice([MEMORY_SIZE - 8, MEMORY_SIZE, 0xfffffff0]))
        return stores, [subs, events, c(count), self.ptr()]

    # ------------------------------------------------------------ module

    def module(self, calls=None, stats=False):
        """(WAT text, the exit status it ends with). `calls` None: 50 to 600."""
        self.lay_out_data()
        rng = self.rng
        if calls is None:
            calls = rng.randrange(50, 600)
        names = list(FUNCTIONS)
        # Some runs lean on one group (paths, fds, stdio) to reach deeper states.
        weights = [1.0] * len(names)
        focus = rng.choice(["none", "path", "fd", "stdio"])
        for i, name in enumerate(names):
            if focus == "path" and name.startswith("path_"):
                weights[i] = 4.0
            if focus in ("fd", "stdio") and name.startswith("fd_"):
                weights[i] = 3.0
        body = []
        for _ in range(calls):
            name = rng.choices(names, weights)[0]
            if name == "poll_oneoff":
                stores, arguments = self.subscriptions()
                body.extend(stores)
            else:
                arguments = []
                for kind in FUNCTIONS[name]:
                    if focus == "stdio" and kind == "fd" and rng.random() < 0.6:
                        arguments.append(c(rng.choice([0, 1, 2])))
                    else:
                        arguments.extend(self.argument(kind))
            wrapper = "call $succeeded" if stats else "drop"
            body.append(f"({wrapper} (call ${name} {' '.join(arguments)}))")
        status = rng.randrange(0, 100)
        if stats:
            # `--stats`: the exit status is the number of calls that succeeded.
            status = None
        imports = []
        for name, kinds in FUNCTIONS.items():
            params = " ".join(t for kind in kinds for t in wasm_types(kind))
            imports.append(f'  (import "wasi_snapshot_preview1" "{name}" (func ${name} (param {params}) (result i32)))')
        imports.append('  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))')
        text = "(module\n" + "\n".join(imports) + "\n  (memory (export \"memory\") 1)\n" + self.data_segments()
        text += "\n  (global $successes (mut i32) (i32.const 0))"
        text += "\n  (func $succeeded (param i32) (if (i32.eqz (local.get 0)) (then (global.set $successes"
        text += " (i32.add (global.get $successes) (i32.const 1))))))"
        text += "\n  (func (export \"_start\")\n    " + "\n    ".join(body)
        exit_with = "(global.get $successes)" if stats else f"(i32.const {status})"
        text += f"\n    (call $proc_exit {exit_with})))\n"
        return text, status


# ---------------------------------------------------------------- running

def make_tree(root):
    """root/scratch (the preopen), root/sentinel (must not change)."""
    scratch = os.path.join(root, "scratch")
    sentinel = os.path.join(root, "sentinel")
    os.makedirs(os.path.join(scratch, "dir"))
    os.makedirs(os.path.join(scratch, "empty"))
    os.makedirs(os.path.join(sentinel, "sub"))
    for path, text in [(os.path.join(scratch, "a.txt"), "alpha\n"), (os.path.join(scratch, "dir", "b.txt"), "bravo\n"),
                       (os.path.join(sentinel, "secret.txt"), "secret\n"),
                       (os.path.join(sentinel, "sub", "deep.txt"), "deep\n"),
                       (os.path.join(sentinel, "stdin.txt"), "stdin for the guest\n" * 20)]:
        with open(path, "w") as f:
            f.write(text)
    for target, name in [("../sentinel", "up"), (sentinel, "abs"), ("..", "dotdot"), ("../sentinel/secret.txt", "file_link"),
                         ("loop", "loop"), (".", "self"), ("dir/../../sentinel", "deep"), ("nowhere", "dangling")]:
        os.symlink(target, os.path.join(scratch, name))
    os.symlink("../scratch", os.path.join(sentinel, "back"))
    return scratch, sentinel


def snapshot(folder):
    """Everything about `folder`'s tree a guest could change, but atimes."""
    out = {}
    for dirpath, dirnames, filenames in os.walk(folder):
        for name in [""] + dirnames + filenames:
            path = os.path.join(dirpath, name) if name else dirpath
            st = os.lstat(path)
            entry = (st.st_mode, st.st_size, st.st_nlink, st.st_mtime_ns, st.st_ctime_ns)
            if os.path.islink(path):
                entry += (os.readlink(path),)
            elif os.path.isfile(path):
                with open(path, "rb") as f:
                    entry += (hashlib.sha256(f.read()).hexdigest(),)
            out[os.path.relpath(path, folder)] = entry
    return out


def difference(before, after):
    lines = []
    for key in sorted(set(before) | set(after)):
        if before.get(key) != after.get(key):
            lines.append(f"  {key}: {before.get(key)} -> {after.get(key)}")
    return "\n".join(lines[:20])


def run_seed(seed, command, folder, calls=None, timeout=120):
    """Runs one seed in `folder` (made fresh). `command(arguments)` is the
    command line that runs k23-run. Returns None, or what went wrong."""
    if os.path.exists(folder):
        shutil.rmtree(folder)
    os.makedirs(folder)
    scratch, sentinel = make_tree(folder)
    text, status = Generator(seed, sentinel).module(calls)
    wat = os.path.join(folder, "module.wat")
    wasm = os.path.join(folder, "module.wasm")
    with open(wat, "w") as f:
        f.write(text)
    proc = subprocess.run(["wat2wasm", wat, "-o", wasm], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    if proc.returncode != 0:
        return f"wat2wasm failed (a generator bug): {proc.stdout.decode(errors='replace')[:2000]}"
    stdout_log = os.path.join(folder, "stdout.log")
    stderr_log = os.path.join(folder, "stderr.log")
    for path, line in [(stdout_log, HOST_STDOUT), (stderr_log, HOST_STDERR)]:
        with open(path, "wb") as f:
            f.write(line)
    rng = random.Random(seed ^ 0x5eed)
    stdin_kind = rng.choice(["directory", "directory", "file", "null", "subdirectory"])
    stdout_kind = rng.choice(["append", "append", "append", "directory"])
    before = snapshot(sentinel)
    names_before = sorted(os.listdir(folder))
    opened = []
    try:
        def open_fd(path, flags):
            fd = os.open(path, flags)
            opened.append(fd)
            return fd
        stdin = {"directory": lambda: open_fd(sentinel, os.O_RDONLY | os.O_DIRECTORY),
                 "subdirectory": lambda: open_fd(os.path.join(sentinel, "sub"), os.O_RDONLY | os.O_DIRECTORY),
                 "file": lambda: open_fd(os.path.join(sentinel, "stdin.txt"), os.O_RDONLY),
                 "null": lambda: subprocess.DEVNULL}[stdin_kind]()
        stdout = (open_fd(stdout_log, os.O_WRONLY | os.O_APPEND) if stdout_kind == "append"
                  else open_fd(sentinel, os.O_RDONLY | os.O_DIRECTORY))
        stderr = open_fd(stderr_log, os.O_WRONLY | os.O_APPEND)
        arguments = ["--dir", scratch + "::.", "--dir", os.path.join(scratch, "dir") + "::/sub", wasm]
        try:
            proc = subprocess.run(command(arguments), stdin=stdin, stdout=stdout, stderr=stderr, timeout=timeout)
        except subprocess.TimeoutExpired:
            return f"k23-run hung (> {timeout} s); stdin {stdin_kind}, stdout {stdout_kind}"
    finally:
        for fd in opened:
            os.close(fd)
    problems = []
    with open(stderr_log, "rb") as f:
        err = f.read()
    if proc.returncode != status:
        how = f"signal {-proc.returncode}" if proc.returncode < 0 else f"status {proc.returncode}"
        problems.append(f"k23-run ended with {how}, not the guest's {status}; stderr: "
                        f"{err[len(HOST_STDERR):][-1500:].decode(errors='replace')}")
    after = snapshot(sentinel)
    if after != before:
        problems.append("the sentinel directory changed:\n" + difference(before, after))
    names_after = sorted(os.listdir(folder))
    if names_after != names_before:
        problems.append(f"names next to scratch changed: {names_before} -> {names_after}")
    with open(stdout_log, "rb") as f:
        if not f.read().startswith(HOST_STDOUT):
            problems.append("the host's line at the start of stdout is gone")
    if not err.startswith(HOST_STDERR):
        problems.append("the host's line at the start of stderr is gone")
    if problems:
        return f"stdin {stdin_kind}, stdout {stdout_kind}: " + "\n".join(problems)
    return None


def run_seeds(seeds, command, workdir, keep=None, calls=None, log=print):
    """Runs `seeds`; returns [(seed, problem)]. A failing seed's folder is
    copied to keep/SEED (module.wat, the tree, the logs)."""
    findings = []
    for seed in seeds:
        folder = os.path.join(workdir, f"seed-{seed}")
        problem = run_seed(seed, command, folder, calls=calls)
        if problem:
            findings.append((seed, problem))
            log(f"wasi fuzz: seed {seed}: {problem}")
            if keep:
                target = os.path.join(keep, str(seed))
                shutil.rmtree(target, ignore_errors=True)
                shutil.copytree(folder, target, symlinks=True)
        shutil.rmtree(folder, ignore_errors=True)
    return findings


def main():
    import argparse
    here = os.path.dirname(os.path.abspath(__file__))
    sys.path.insert(0, os.path.join(here, "..", "..", "tools", "driver"))
    import hosted
    p = argparse.ArgumentParser(description="run WASI fuzz seeds against k23-run")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--count", type=int, default=10)
    p.add_argument("--calls", type=int, default=None, help="calls per module (default: 50 to 600)")
    p.add_argument("--keep", metavar="DIR", help="copy failing seeds' folders here")
    args = p.parse_args()
    hosted.ensure_built()
    with tempfile.TemporaryDirectory(prefix="k23-wasi-fuzz-") as workdir:
        findings = run_seeds(range(args.seed, args.seed + args.count), hosted.command, workdir, args.keep, args.calls)
    print(f"{args.count} seeds, {len(findings)} findings")
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main())
