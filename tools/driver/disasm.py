"""`./k23 disasm`: the machine code a tier (default the baseline) produces for a module.

Builds the host target's k23-compile (hosted/compile.cpp: a cross-compiler
there), which compiles FILE.wasm into a RISC-V ELF object with a symbol per
function (build/disasm/NAME.o), and prints llvm-objdump's listing of it.

  ./k23 disasm FILE.wasm [--isa STRING] [--function NAME] [--tier T]

--isa defaults to k23-compile's rv64imafdcv_zba_zbb_zbs (SIMD as RVV);
--isa rv64gc shows the scalar paths. Functions are named from the module's
name section, else func[N] (N counts imports).
"""
import os
import subprocess
import sys

import build as k23build
import setup as k23setup
from common import BUILD, DriverError, run

K23_COMPILE = os.path.join(k23build.build_dir("host"), "hosted", "k23-compile")
OBJDUMP = "llvm-objdump-16"
# Every extension k23's assembler may emit (llvm-objdump needs them named).
MATTR = "+m,+a,+f,+d,+c,+v,+zba,+zbb,+zbs"


def ensure_built():
    """Builds k23-compile quietly: its build output is shown only on failure,
    so the listing (or the one error line) is all a caller sees."""
    k23build.configure("host")
    proc = run(["ninja", "-C", k23build.build_dir("host"), "k23-compile"], check=False, quiet=True)
    if proc.returncode != 0 or not os.path.exists(K23_COMPILE):
        sys.stderr.write(proc.stdout[-8000:])
        raise DriverError("disasm: building k23-compile failed")


def object_path(wasm):
    name = os.path.basename(wasm)
    if name.endswith(".wasm"):
        name = name[:-len(".wasm")]
    return os.path.join(BUILD, "disasm", name + ".o")


def compile_object(wasm, isa=None, out=None, tier=None):
    """Compiles `wasm` with k23-compile into `out` (default build/disasm/NAME.o);
    returns the object's path. A failure is one DriverError line naming the file."""
    out = out or object_path(wasm)
    os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
    cmd = [K23_COMPILE] + (["--isa", isa] if isa else []) + (["--tier", tier] if tier else []) + [wasm, "-o", out]
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, errors="replace")
    if proc.returncode != 0:
        lines = proc.stderr.strip().splitlines()
        message = lines[0] if lines else f"exit status {proc.returncode}"
        if message.startswith("k23-compile: "):
            message = message[len("k23-compile: "):]
        if proc.returncode == 1 and wasm not in message:
            message = f"{wasm}: {message}"
        raise DriverError(f"disasm: {message}")
    return out


def disassemble(obj, function=None, wasm=None):
    """llvm-objdump's listing of `obj` (only `function` when given; `wasm`
    names the module in errors)."""
    cmd = [OBJDUMP, "-d", "--no-show-raw-insn", f"--mattr={MATTR}"]
    if function:
        cmd.append(f"--disassemble-symbols={function}")
    try:
        proc = subprocess.run(cmd + [obj], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True, errors="replace")
    except FileNotFoundError:
        raise DriverError(f"disasm: {OBJDUMP} is missing (./k23 setup installs llvm-16)")
    if proc.returncode != 0:
        lines = proc.stderr.strip().splitlines()
        raise DriverError(f"disasm: {OBJDUMP}: {lines[-1] if lines else proc.returncode}")
    if function and f"<{function}>:" not in proc.stdout:
        raise DriverError(f"disasm: no function named {function} in {wasm or obj}")
    return proc.stdout


def cmd_disasm(args):
    if not os.path.isfile(args.file):
        raise DriverError(f"disasm: {args.file}: no such file")
    k23setup.ensure()
    ensure_built()
    obj = compile_object(args.file, isa=args.isa, tier=args.tier)
    print(disassemble(obj, function=args.function, wasm=args.file), end="")
    return 0


def add_parser(sub):
    s = sub.add_parser("disasm", help="disassemble the baseline tier's code for a module",
                       description="Compile FILE.wasm with the baseline tier (k23-compile, as a "
                                   "cross-compiler on this machine) into build/disasm/NAME.o and "
                                   "print llvm-objdump's listing, a symbol per function.")
    s.add_argument("file", metavar="FILE.wasm", help="the module")
    s.add_argument("--isa", metavar="STRING",
                   help="RISC-V extensions to compile for (default rv64imafdcv_zba_zbb_zbs; "
                        "rv64gc shows the scalar paths)")
    s.add_argument("--function", metavar="NAME",
                   help="only this function (its name-section name, or func[N])")
    s.add_argument("--tier", choices=["baseline", "optimizing"],
                   help="the compiler (default baseline; optimizing falls back to the baseline "
                        "per function where it must)")
    s.set_defaults(func=cmd_disasm)
