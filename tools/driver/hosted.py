"""`./k23 run --hosted`: k23-run (hosted/main.cpp), the riscv64-linux build of
the engine, running a WASI command under qemu-riscv64 (directly on a riscv64
host). The exit status is the guest's."""
import os
import platform
import signal
import subprocess

import build as k23build
import checks
from common import DriverError

QEMU_USER = ["qemu-riscv64", "-cpu", "rv64,v=true,vlen=128,vext_spec=v1.0"]


def k23_run_path():
    return os.path.join(k23build.build_dir("riscv64-linux"), "hosted", "k23-run")


def ensure_built():
    k23build.build(targets=["riscv64-linux"], ninja_targets=["k23-run"])
    if not os.path.exists(k23_run_path()):
        raise DriverError(f"run: {k23_run_path()} was not built")


def command(arguments, vlen=128):
    """The command line that runs k23-run with `arguments` on this machine."""
    if platform.machine() == "riscv64":
        return [k23_run_path()] + list(arguments)
    cpu = "rv64,v=false" if vlen == 0 else f"rv64,v=true,vlen={vlen},vext_spec=v1.0"
    return ["qemu-riscv64", "-cpu", cpu, k23_run_path()] + list(arguments)


def run_arguments(args):
    """k23-run's arguments from `./k23 run --hosted`'s parsed options."""
    out = []
    if args.tier:
        out += ["--tier", args.tier]
    if getattr(args, "tier_budget", None) is not None:
        out += ["--tier-budget", str(args.tier_budget)]
    if args.isa:
        out += ["--isa", args.isa]
    for d in args.dir or []:
        out += ["--dir", d]
    for e in args.env or []:
        out += ["--env", e]
    if getattr(args, "timeout", None):
        out += ["--timeout", repr(float(args.timeout))]
    out += ["--", args.file] + list(args.args or [])
    return out


def exit_status(returncode):
    # A signal (QEMU itself dying) becomes 128 + signal, as a shell reports it.
    return 128 - returncode if returncode < 0 else returncode


def cmd_run_hosted(args):
    if not args.file:
        raise DriverError("run --hosted: which FILE.wasm?")
    ensure_built()
    cmd = command(run_arguments(args), vlen=args.vlen)
    # k23-run --timeout stops the guest itself (an `interrupted` trap); QEMU
    # is only killed if that fails to happen.
    try:
        proc = subprocess.run(cmd, timeout=args.timeout + 60 if args.timeout else None)
    except subprocess.TimeoutExpired:
        raise DriverError(f"run: timed out after {args.timeout} s")
    except KeyboardInterrupt:
        return 128 + signal.SIGINT
    return exit_status(proc.returncode)


# ---------------------------------------------------------------- test ring

class HostedContext:
    """What the k23-run checks (tests/hosted/test_*.py) get."""

    def __init__(self, result, tmpdir):
        self.result = result
        self.tmpdir = tmpdir
        self.root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

    def run(self, arguments, cwd=None, timeout=120, vlen=128, stdin=None):
        """Runs k23-run (with `stdin` text as its input, else none); returns
        (status, stdout, stderr) as text."""
        try:
            proc = subprocess.run(command(arguments, vlen=vlen), cwd=cwd,
                                  input=None if stdin is None else stdin.encode(),
                                  stdin=subprocess.DEVNULL if stdin is None else None,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=timeout)
        except subprocess.TimeoutExpired:
            raise AssertionError(f"k23-run {' '.join(arguments)} timed out after {timeout} s")
        return (exit_status(proc.returncode), proc.stdout.decode(errors="replace"),
                proc.stderr.decode(errors="replace"))

    def wat(self, name, text, flags=()):
        """Assembles WebAssembly text (with a name section) into tmpdir/NAME.wasm;
        `flags` go to wat2wasm (e.g. ["--enable-tail-call"])."""
        source = os.path.join(self.tmpdir, name + ".wat")
        binary = os.path.join(self.tmpdir, name + ".wasm")
        with open(source, "w") as f:
            f.write(text)
        proc = subprocess.run(["wat2wasm", "--debug-names"] + list(flags) + [source, "-o", binary],
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        if proc.returncode != 0:
            raise AssertionError(f"wat2wasm {name}: {proc.stdout}")
        return binary

    # Checks that report many results themselves return REPORTED.
    def ok(self, name):
        self.result.ok(name)

    def fail(self, name, message):
        self.result.fail(name, message)


REPORTED = checks.REPORTED


def add_to_ring(result, pattern):
    """The k23-run checks of the riscv64-linux ring."""
    import tempfile
    found = [(n, c) for n, c in checks.load("hosted", "hosted") if not pattern or pattern in n]
    if not found:
        return
    try:
        ensure_built()
    except DriverError as e:
        result.fail("hosted-build", str(e))
        return
    with tempfile.TemporaryDirectory(prefix="k23-hosted-") as tmpdir:
        checks.run(result, found, HostedContext(result, tmpdir))
