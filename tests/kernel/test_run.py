"""`./k23 run FILE.wasm` inside the kernel (issue 14; kernel/WasiRun.h,
tools/driver/kernelrun.py), end to end through the driver's command line:
the Sightglass workloads print exactly their expected output, and the
hand-written WASI commands of the hosted k23-run checks
(tests/hosted/test_k23run.py, reused as they are) give the same stdout,
stderr and exit status in the kernel as k23-run gives on Linux: traps
(134 and the one-line trap message), proc_exit, malformed modules, unknown
imports, arguments and environment (checked against node's WASI too),
preopens, files written under --dir coming back to the host, --invoke."""
import importlib.util
import json
import os
import re
import shutil
import subprocess
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def _load(folder, name):
    spec = importlib.util.spec_from_file_location(f"k23_run_{name}", os.path.join(HERE, "..", folder, name + ".py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


hosted = _load("hosted", "test_k23run")        # the WAT commands and offset_of
sightglass = _load("hosted", "test_sightglass")  # run_workload, workloads_dir

# Sightglass workloads each ring runs in the kernel: the ones that finish in
# under 30 s there, about 80 s together (python3 tests/kernel/test_run.py
# --all runs all of them).
SIGHTGLASS_SUBSET = ["noop", "shootout-ackermann", "bz2", "quicksort", "richards", "shootout-base64",
                     "shootout-gimli", "shootout-keccak", "shootout-matrix", "shootout-sieve",
                     "shootout-heapsort", "shootout-ctype", "blake3-simd",
                     "shootout-minicsv"]  # bulk memory in U-mode without system calls


class Runner:
    """./k23 run --image IMAGE ARGS... with a scratch folder for WAT."""

    def __init__(self, ctx, tmpdir):
        self.ctx = ctx
        self.tmpdir = tmpdir
        self.root = ctx.root

    def command(self, arguments):
        return ["python3", os.path.join(self.root, "k23"), "run", "--image", self.ctx.image] + list(arguments)

    def run(self, arguments, cwd=None, timeout=300, input=None):
        """input: bytes for the run's stdin (else /dev/null)."""
        cmd = self.command(arguments)
        try:
            proc = subprocess.run(cmd, cwd=cwd or self.tmpdir, input=input,
                                  stdin=subprocess.DEVNULL if input is None else None,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=timeout)
        except subprocess.TimeoutExpired:
            raise AssertionError(f"./k23 run {' '.join(arguments)} timed out after {timeout} s")
        return proc.returncode, proc.stdout.decode(errors="replace"), proc.stderr.decode(errors="replace")

    def wat(self, name, text):
        source = os.path.join(self.tmpdir, name + ".wat")
        binary = os.path.join(self.tmpdir, name + ".wasm")
        with open(source, "w") as f:
            f.write(text)
        proc = subprocess.run(["wat2wasm", "--debug-names", source, "-o", binary],
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        if proc.returncode != 0:
            raise AssertionError(f"wat2wasm {name}: {proc.stdout}")
        return binary


def with_runner(check):
    def wrapped(ctx):
        tmpdir = tempfile.mkdtemp(prefix="k23-run-")
        try:
            return check(Runner(ctx, tmpdir))
        finally:
            shutil.rmtree(tmpdir, ignore_errors=True)
    wrapped.__doc__ = check.__doc__
    return wrapped


@with_runner
def check_run_sightglass(r):
    """The short Sightglass workloads, each from its folder with `--dir .`,
    exactly as tests/hosted/test_sightglass.py runs them under k23-run."""
    folder = sightglass.workloads_dir(r.root)
    if not os.path.isdir(folder):
        raise AssertionError(f"no workloads at {folder}")
    for name in SIGHTGLASS_SUBSET:
        ok, message, seconds = sightglass.run_workload(lambda a, cwd, t: r.run(a, cwd=cwd, timeout=t),
                                                       os.path.join(folder, name), timeout=300)
        if ok:
            r.ctx.ok(f"boot.run.sightglass.{name}")
        else:
            r.ctx.fail(f"boot.run.sightglass.{name}", message)
    return "reported"


@with_runner
def check_run_hello_stdout_and_stderr(r):
    status, out, err = r.run([r.wat("hello", hosted.HELLO)])
    assert (status, out, err) == (0, "hello, world\n", "to stderr\n"), (status, out, err)


@with_runner
def check_run_proc_exit_status(r):
    status, out, err = r.run([r.wat("exit3", hosted.EXIT3)])
    assert (status, out, err) == (3, "bye\n", ""), (status, out, err)


@with_runner
def check_run_traps(r):
    """134 and k23-run's trap line, for an unreachable, a division by zero,
    an out-of-bounds store and a runaway recursion."""
    wasm = r.wat("trap", hosted.TRAP)
    status, out, err = r.run([wasm])
    expected = f"trap: unreachable in boom at wasm offset {hosted.offset_of(wasm, 'unreachable', 'boom'):#x}\n"
    assert (status, err) == (134, expected), (status, err, expected)
    wasm = r.wat("divide", hosted.DIVIDE)
    status, out, err = r.run([wasm])
    expected = f"trap: integer divide by zero in divide at wasm offset {hosted.offset_of(wasm, 'i32.div_s', 'divide'):#x}\n"
    assert (status, err) == (134, expected), (status, err, expected)
    wasm = r.wat("oob", hosted.OUT_OF_BOUNDS)
    status, out, err = r.run([wasm])
    expected = f"trap: out of bounds memory access in poke at wasm offset {hosted.offset_of(wasm, 'i32.store', 'poke'):#x}\n"
    assert (status, err) == (134, expected), (status, err, expected)
    status, out, err = r.run([r.wat("recurse", hosted.RECURSE)])
    assert status == 134 and re.fullmatch(r"trap: call stack exhausted in forever at wasm offset 0x[0-9a-f]+\n", err), (status, err)


@with_runner
def check_run_bad_modules(r):
    """A malformed module, something that is not wasm, an import the kernel
    does not provide, no _start: one line naming the problem, status 1."""
    path = os.path.join(r.tmpdir, "bad.wasm")
    with open(path, "wb") as f:
        f.write(b"\0asm\x01\0\0\0\x01\x05\x01\x60")  # type section cut short
    status, out, err = r.run([path])
    assert status == 1 and re.fullmatch(re.escape(f"run: {path}: ") + r".+ at offset 0x[0-9a-f]+\n", err), (status, err)
    path = os.path.join(r.tmpdir, "notwasm.wasm")
    with open(path, "wb") as f:
        f.write(b"hello")
    status, out, err = r.run([path])
    assert status == 1 and err.startswith(f"run: {path}: ") and "at offset 0x" in err and err.count("\n") == 1, (status, err)
    status, out, err = r.run([r.wat("unknown", '(module (import "env" "nope" (func)) (func (export "_start")))')])
    assert status == 1 and "unknown import env.nope" in err and err.count("\n") == 1, (status, err)
    status, out, err = r.run([r.wat("nostart", '(module (func (export "main")))')])
    assert (status, err) == (1, f"run: {os.path.join(r.tmpdir, 'nostart.wasm')}: no exported function _start\n"), (status, err)
    status, out, err = r.run([os.path.join(r.tmpdir, "nope.wasm")])
    assert status == 1 and "no such file" in err, (status, err)


# Prints each argument, then each environment entry, one a line.
PRINT_ARGS_ENV = """
(module
  (import "wasi_snapshot_preview1" "args_sizes_get" (func $args_sizes (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "args_get" (func $args_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "environ_sizes_get" (func $env_sizes (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "environ_get" (func $env_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 40) "\\n")
  (func $puts (param $p i32) (local $n i32)
    (block $done
      (loop $scan
        (br_if $done (i32.eqz (i32.load8_u (i32.add (local.get $p) (local.get $n)))))
        (local.set $n (i32.add (local.get $n) (i32.const 1)))
        (br $scan)))
    (i32.store (i32.const 0) (local.get $p))
    (i32.store (i32.const 4) (local.get $n))
    (i32.store (i32.const 8) (i32.const 40))
    (i32.store (i32.const 12) (i32.const 1))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 2) (i32.const 16))))
  (func $each (param $vector i32) (param $count i32) (local $i i32)
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $count)))
        (call $puts (i32.load (i32.add (local.get $vector) (i32.shl (local.get $i) (i32.const 2)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next))))
  (func (export "_start")
    (drop (call $args_sizes (i32.const 100) (i32.const 104)))
    (drop (call $args_get (i32.const 1024) (i32.const 8192)))
    (call $each (i32.const 1024) (i32.load (i32.const 100)))
    (drop (call $env_sizes (i32.const 100) (i32.const 104)))
    (drop (call $env_get (i32.const 2048) (i32.const 16384)))
    (call $each (i32.const 2048) (i32.load (i32.const 100)))))
"""

NODE_WASI = """
const fs = require('fs');
const { WASI } = require('wasi');
const [file, argsJson, envJson] = process.argv.slice(2);
const wasi = new WASI({ version: 'preview1', args: JSON.parse(argsJson), env: JSON.parse(envJson), returnOnExit: true });
const wasm = new WebAssembly.Module(fs.readFileSync(file));
const instance = new WebAssembly.Instance(wasm, wasi.getImportObject());
process.exitCode = wasi.start(instance);
"""


@with_runner
def check_run_args_and_environ(r):
    """argv (argv[0] = FILE as given) and the environment reach the guest:
    the same bytes as node's WASI prints, and k23-run's own checks."""
    status, _, err = r.run(["--env", "A=1", "--env", "B=2", "--env", "C=", r.wat("args", hosted.ARGS), "x", "y"])
    assert status == 33, (status, err)
    status, out, err = r.run([r.wat("echo", hosted.ECHO_ARG), "héllo wörld"])
    assert (status, out) == (0, "héllo wörld\n"), (status, out, err)
    wasm = r.wat("printargs", PRINT_ARGS_ENV)
    args = ["printargs.wasm", "one", "two words", "", "--dir", "ünïcödé"]
    env = {"HOME": "/", "EMPTY": "", "WITH=EQUALS": "a=b", "SPACE": "x y"}
    status, out, err = r.run([a for k, v in env.items() for a in ("--env", f"{k}={v}")] + args)
    assert status == 0, (status, out, err)
    script = os.path.join(r.tmpdir, "wasi.cjs")
    with open(script, "w") as f:
        f.write(NODE_WASI)
    node = subprocess.run(["node", "--no-warnings", script, wasm, json.dumps(args), json.dumps(env)],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60)
    assert node.returncode == 0, node.stderr.decode(errors="replace")
    assert out == node.stdout.decode(), (out, node.stdout.decode())


# Writes "written by the guest\n" to out/new.txt beneath the preopen (fd 3)
# and appends to existing.txt.
WRITE = """
(module
  (import "wasi_snapshot_preview1" "path_open"
    (func $path_open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_create_directory" (func $mkdir (param i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_close" (func $fd_close (param i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 1)
  (data (i32.const 100) "out/new.txt")
  (data (i32.const 150) "existing.txt")
  (data (i32.const 200) "written by the guest\\n")
  (data (i32.const 250) "out")
  (func $write (param $fd i32)
    (i32.store (i32.const 0) (i32.const 200))
    (i32.store (i32.const 4) (i32.const 21))
    (drop (call $fd_write (local.get $fd) (i32.const 0) (i32.const 1) (i32.const 8)))
    (drop (call $fd_close (local.get $fd))))
  (func (export "_start") (local $e i32)
    (local.set $e (call $mkdir (i32.const 3) (i32.const 250) (i32.const 3)))
    (if (local.get $e) (then (call $exit (i32.add (i32.const 100) (local.get $e)))))
    ;; oflags creat|trunc (1|8), rights fd_write (64)
    (local.set $e (call $path_open (i32.const 3) (i32.const 0) (i32.const 100) (i32.const 11)
      (i32.const 9) (i64.const 64) (i64.const 0) (i32.const 0) (i32.const 300)))
    (if (local.get $e) (then (call $exit (local.get $e))))
    (call $write (i32.load (i32.const 300)))
    ;; fdflags append (1)
    (local.set $e (call $path_open (i32.const 3) (i32.const 0) (i32.const 150) (i32.const 12)
      (i32.const 0) (i64.const 64) (i64.const 0) (i32.const 1) (i32.const 300)))
    (if (local.get $e) (then (call $exit (i32.add (i32.const 200) (local.get $e)))))
    (call $write (i32.load (i32.const 300)))))
"""


@with_runner
def check_run_files_written_come_back(r):
    """What the guest writes beneath a --dir is on the host afterwards;
    reading through a preopen and `..` escapes behave as under k23-run."""
    data = os.path.join(r.tmpdir, "data")
    os.makedirs(data)
    with open(os.path.join(data, "existing.txt"), "w") as f:
        f.write("already here\n")
    with open(os.path.join(data, "untouched.txt"), "w") as f:
        f.write("left alone\n")
    status, out, err = r.run(["--dir", f"{data}::/data", r.wat("write", WRITE)])
    assert (status, out, err) == (0, "", ""), (status, out, err)
    with open(os.path.join(data, "out", "new.txt")) as f:
        assert f.read() == "written by the guest\n"
    with open(os.path.join(data, "existing.txt")) as f:
        assert f.read() == "already here\nwritten by the guest\n"
    with open(os.path.join(data, "untouched.txt")) as f:
        assert f.read() == "left alone\n"
    # hosted.CAT: reads input.txt, `../escape.txt` answers ENOTCAPABLE.
    work = os.path.join(r.tmpdir, "cat")
    os.makedirs(os.path.join(work, "inner"))
    with open(os.path.join(work, "inner", "input.txt"), "w") as f:
        f.write("contents of input.txt\n")
    with open(os.path.join(work, "escape.txt"), "w") as f:
        f.write("must not be readable\n")
    wasm = r.wat("cat", hosted.CAT)
    status, out, err = r.run(["--dir", "inner", wasm], cwd=work)
    assert (status, out) == (0, "contents of input.txt\n"), (status, out, err)
    status, out, err = r.run(["--dir", os.path.join(work, "inner") + "::/data", wasm])
    assert (status, out) == (0, "contents of input.txt\n"), (status, out, err)


@with_runner
def check_run_wasi_details(r):
    """k23-run's checks of WASI details, in the kernel: EFAULT for a bad
    iovec, ENOSYS stubs, the bench markers, WASI seeing grown memory."""
    status, out, err = r.run([r.wat("badptr", hosted.BAD_POINTER)])
    assert status == 21, (status, out, err)
    status, out, err = r.run([r.wat("nosys", hosted.NOSYS)])
    assert status == 52, (status, out, err)
    status, out, err = r.run([r.wat("bench", hosted.BENCH)])
    assert (status, out, err) == (0, "", ""), (status, out, err)
    status, out, err = r.run([r.wat("grow", hosted.GROW)])
    assert (status, out) == (0, "ok\n"), (status, out, err)


INVOKE = """
(module
  (memory (export "memory") 1)
  (func (export "add") (param i32 i64) (result i64)
    (i64.add (i64.extend_i32_s (local.get 0)) (local.get 1)))
  (func (export "_start") unreachable))
"""


@with_runner
def check_run_invoke_and_verbose(r):
    """--invoke NAME calls that export with ARGS and prints its results;
    --verbose shows the kernel's lines too, the guest's output unchanged."""
    wasm = r.wat("invoke", INVOKE)
    status, out, err = r.run(["--invoke", "add", wasm, "-5", "12"])
    assert (status, out, err) == (0, "7\n", ""), (status, out, err)
    status, out, err = r.run(["--invoke", "add", wasm, "x"])
    assert status == 1 and err.count("\n") == 1, (status, err)
    status, out, err = r.run(["--verbose", r.wat("hello", hosted.HELLO)])
    assert status == 0 and "hello, world\n" in out and "run: exit status 0" in out and "shutdown: status 0" in out, (status, out, err)
    status, out, err = r.run([r.wat("hello", hosted.HELLO)])
    assert out == "hello, world\n", out


def main(argv):
    """python3 tests/kernel/test_run.py [--all] [NAME...]: the Sightglass
    workloads in the kernel, one line each with its time."""
    import sys
    root = os.path.dirname(os.path.dirname(HERE))
    sys.path.insert(0, os.path.join(root, "tools", "driver"))
    import build as k23build

    class Ctx:
        image = k23build.image_path()

    Ctx.root = root
    k23build.build(targets=["kernel"], quiet=True)
    tmpdir = tempfile.mkdtemp(prefix="k23-run-")
    r = Runner(Ctx(), tmpdir)
    names = [a for a in argv if not a.startswith("--")] or (
        sightglass.all_workloads(root) if "--all" in argv else SIGHTGLASS_SUBSET)
    passed = 0
    for name in names:
        ok, message, seconds = sightglass.run_workload(lambda a, cwd, t: r.run(a, cwd=cwd, timeout=t),
                                                       os.path.join(sightglass.workloads_dir(root), name), timeout=1200)
        passed += ok
        print(f"{name:24} {seconds:7.1f} s  {'ok' if ok else 'FAIL: ' + message}", flush=True)
    print(f"{passed} of {len(names)} passed")
    shutil.rmtree(tmpdir, ignore_errors=True)
    return 0 if passed == len(names) else 1


if __name__ == "__main__":
    import sys
    sys.exit(main(sys.argv[1:]))
