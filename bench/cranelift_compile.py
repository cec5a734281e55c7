"""Cranelift peer for ./k23 bench (tools/driver/bench.py): compiles each
module for riscv64gc-unknown-linux-gnu with the `wasmtime` Python package,
compile only (Module(engine, bytes), nothing is instantiated), on one thread,
and prints JSON: {"MBps": total MB / total seconds, "modules": {name: MBps},
"code_bytes": {path: bytes}}. Code size is the extent of the machine code in
the .text section of the serialized module (an ELF object: every function
plus wasmtime's trampolines; see text_bytes), for rv64gc: wasmtime 25's C API rejects Cranelift's riscv64 ISA
flags (has_v, has_zba, ...: "No existing setting"), so V and Zb* cannot be
turned on.
Runs in build/bench/venv, where the driver installs the pinned package.

usage: cranelift_compile.py [--min-seconds S] MODULE.wasm...
"""
import json
import os
import struct
import sys
import time

import wasmtime


def text_bytes(elf):
    """Bytes of machine code in a little-endian ELF64 image: the end of the
    last function symbol in .text (the section itself is padded to a page),
    so functions, trampolines and the padding between them are counted."""
    if elf[:4] != b"\x7fELF" or elf[4] != 2:
        raise ValueError("the serialized module is not an ELF64 object")
    shoff, = struct.unpack_from("<Q", elf, 0x28)
    shentsize, shnum, shstrndx = struct.unpack_from("<HHH", elf, 0x3A)

    def section(i):
        # sh_name, sh_type, sh_flags, sh_addr, sh_offset, sh_size, sh_link
        return struct.unpack_from("<IIQQQQI", elf, shoff + i * shentsize)

    names = section(shstrndx)
    text = symtab = None
    for i in range(shnum):
        sec = section(i)
        start = names[4] + sec[0]
        if elf[start:elf.index(b"\0", start)] == b".text":
            text = i
        if sec[1] == 2:   # SHT_SYMTAB
            symtab = sec
    if text is None or symtab is None:
        raise ValueError("no .text or no symbol table in the serialized module")
    end = 0
    for off in range(symtab[4], symtab[4] + symtab[5], 24):
        _, info, _, shndx, value, size = struct.unpack_from("<IBBHQQ", elf, off)
        if shndx == text and info & 0xF == 2:   # STT_FUNC
            end = max(end, value + size)
    if end == 0:
        raise ValueError("no function symbol in .text")
    return end


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
    code_bytes = {}
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
                module = wasmtime.Module(e, data)
                spent += time.perf_counter() - t
                runs += 1
            code_bytes[path] = text_bytes(module.serialize())
        except Exception as ex:   # a module Cranelift rejects is reported, not fatal
            errors[name] = str(ex).splitlines()[0][:200]
            code_bytes[path] = "error: " + errors[name]
            continue
        per = spent / runs
        modules[name] = round(len(data) / per / 1e6, 3)
        total_bytes += len(data)
        total_time += per
    out = {"MBps": round(total_bytes / total_time / 1e6, 3) if total_time else None,
           "modules": modules, "target": "riscv64gc-unknown-linux-gnu",
           "settings": "cranelift opt_level=speed, one thread, compile only",
           "code_bytes": code_bytes}
    if errors:
        out["errors"] = errors
    print(json.dumps(out))


if __name__ == "__main__":
    main(sys.argv[1:])
