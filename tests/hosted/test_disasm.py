"""`./k23 disasm` end to end (riscv64-linux ring): k23-compile's ELF object
and llvm-objdump's listing of the baseline tier's code, for the default ISA
(RVV) and rv64gc, and its errors. Each check_NAME(ctx) gets a
tools/driver/hosted.py HostedContext; fail with assert."""
import os
import re
import struct
import subprocess
import sys

ADD = """
(module
  (func $add (export "add") (param i32 i32) (result i32)
    local.get 0 local.get 1 i32.add))
"""

SIMD = """
(module
  (func $vadd (export "vadd") (param v128 v128) (result v128)
    local.get 0 local.get 1 i32x4.add))
"""

# An import (function 0) and a function without a name-section name.
UNNAMED = """
(module
  (import "env" "f" (func (param i32)))
  (func (export "g") (param i32) (result i32) (i32.mul (local.get 0) (i32.const 3))))
"""


def disasm(ctx, *arguments):
    """Runs ./k23 disasm; returns (status, stdout, stderr)."""
    proc = subprocess.run([sys.executable, os.path.join(ctx.root, "k23"), "disasm"] + list(arguments),
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=600)
    return proc.returncode, proc.stdout, proc.stderr


def body(listing, symbol):
    """The instruction mnemonics listed under `<symbol>:`."""
    m = re.search(rf"^[0-9a-f]+ <{re.escape(symbol)}>:\n((?:\s+[0-9a-f]+:.*\n?)*)", listing, re.M)
    assert m, f"no <{symbol}> in:\n{listing}"
    return [line.split()[1] for line in m.group(1).splitlines() if len(line.split()) > 1]


def check_disasm_add(ctx):
    status, out, err = disasm(ctx, ctx.wat("add", ADD))
    assert status == 0, (status, err)
    assert "file format elf64-littleriscv" in out, out
    code = body(out, "add")
    assert "addw" in code and "ret" in code, code
    assert os.path.exists(os.path.join(ctx.root, "build", "disasm", "add.o"))
    # --function: only that symbol.
    status, only, err = disasm(ctx, ctx.wat("add", ADD), "--function", "add")
    assert status == 0 and "<add>:" in only, (status, err)


def check_disasm_simd_rvv_and_scalar(ctx):
    wasm = ctx.wat("simd", SIMD)
    status, rvv, err = disasm(ctx, wasm)
    assert status == 0, (status, err)
    assert "vadd.vv" in body(rvv, "vadd"), rvv
    status, scalar, err = disasm(ctx, wasm, "--isa", "rv64gc")
    assert status == 0, (status, err)
    code = body(scalar, "vadd")
    vector = [m for m in code if m.startswith("v")]
    assert not vector and "ret" in code, code


def check_disasm_object_format(ctx):
    import disasm as k23disasm  # tools/driver, on the driver's path
    k23disasm.ensure_built()
    obj = k23disasm.compile_object(ctx.wat("unnamed", UNNAMED), isa="rv64gc",
                                   out=os.path.join(ctx.tmpdir, "unnamed.o"))
    with open(obj, "rb") as f:
        data = f.read()
    assert data[:6] == b"\x7fELF\x02\x01", data[:16]
    e_type, e_machine, _, _, _, e_shoff, e_flags, _, _, _, e_shentsize, e_shnum, e_shstrndx = \
        struct.unpack_from("<HHIQQQIHHHHHH", data, 16)
    assert (e_type, e_machine, e_flags, e_shentsize, e_shnum) == (1, 243, 5, 64, 5), \
        (e_type, e_machine, e_flags, e_shentsize, e_shnum)
    sections = [struct.unpack_from("<IIQQQQIIQQ", data, e_shoff + 64 * i) for i in range(e_shnum)]
    shstr = sections[e_shstrndx]
    name = lambda off, table: data[table[4] + off:data.index(b"\0", table[4] + off)].decode()  # noqa: E731
    assert [name(s[0], shstr) for s in sections] == ["", ".text", ".symtab", ".strtab", ".shstrtab"]
    text, symtab = sections[1], sections[2]
    assert text[2] == 0x6 and text[8] == 16, text  # AX, 16-byte aligned
    strtab = sections[symtab[6]]
    symbols = [struct.unpack_from("<IBBHQQ", data, symtab[4] + 24 * i) for i in range(1, symtab[5] // 24)]
    # Only the compiled function (index 1, after the import), global FUNC in .text.
    assert [(name(s[0], strtab), s[1], s[3], s[4]) for s in symbols] == [("func[1]", 0x12, 1, 0)], symbols
    assert 0 < symbols[0][5] <= text[5], (symbols, text)
    listing = k23disasm.disassemble(obj, function="func[1]")
    assert "ret" in body(listing, "func[1]") and "<add>" not in listing, listing


def check_disasm_malformed_module(ctx):
    path = os.path.join(ctx.tmpdir, "broken.wasm")
    with open(path, "wb") as f:
        f.write(b"\0asm\x01\0\0\0\x01\x05")  # a type section cut short
    status, out, err = disasm(ctx, path)
    lines = err.strip().splitlines()
    assert status == 1 and out == "" and len(lines) == 1, (status, out, err)
    assert path in lines[0] and lines[0].startswith("k23: disasm: "), lines
    status, out, err = disasm(ctx, os.path.join(ctx.tmpdir, "missing.wasm"))
    assert status == 1 and len(err.strip().splitlines()) == 1 and "missing.wasm" in err, (status, err)
