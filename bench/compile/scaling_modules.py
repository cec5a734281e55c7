#!/usr/bin/env python3
"""Writes WebAssembly modules that stress one construct each, at size N, for
timing the compilers' scaling (compile time must be linear in the body size):

  scaling_modules.py CONSTRUCT N OUT.wasm
  for n in 20000 40000 80000; do scaling_modules.py stack $n /tmp/s$n.wasm; \
      /usr/bin/time -f "$n %es" build/host/hosted/k23-compile /tmp/s$n.wasm -o /tmp/s.o; done

Constructs are the ones tests/jit/CompileScalingTest.cpp covers; `stack`
with N = 1200000 is issue 11's 3.6 MB module."""
import sys


def uleb(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def vec(items):
    return uleb(len(items)) + b"".join(items)


def section(id, payload):
    return bytes([id]) + uleb(len(payload)) + payload


I32, I64, F32, F64, V128 = 0x7F, 0x7E, 0x7D, 0x7C, 0x7B


def functype(params, results):
    return b"\x60" + vec([bytes([t]) for t in params]) + vec([bytes([t]) for t in results])


def module(types, funcs):
    """types: list of (params, results); funcs: list of (type index, locals [(count, type)], body bytes)."""
    out = b"\x00asm\x01\x00\x00\x00"
    out += section(1, vec([functype(p, r) for p, r in types]))
    out += section(3, vec([uleb(t) for t, _, _ in funcs]))
    bodies = []
    for _, locals_, body in funcs:
        code = vec([uleb(c) + bytes([t]) for c, t in locals_]) + body + b"\x0b"
        bodies.append(uleb(len(code)) + code)
    out += section(10, vec(bodies))
    return out


def local_get(i):
    return b"\x20" + uleb(i)


def stack(n, add=b"\x6a", t=I32):
    # local.get 0 x n, then n - 1 adds: the value stack reaches n entries.
    body = local_get(0) * n + add * (n - 1)
    return module([([t], [t])], [(0, [], body)])


def gen(construct, n):
    if construct == "stack":
        return stack(n)
    if construct == "stack_f64":
        return stack(n, b"\xa0", F64)
    if construct == "stack_const":
        # i32.const 1 x n: entries that are constants until spilled.
        body = b"\x41\x01" * n + b"\x6a" * (n - 1)
        return module([([], [I32])], [(0, [], body)])
    if construct == "blocks":
        # n nested blocks, each with a value live across it.
        body = (local_get(0) + b"\x02\x40") * n + (b"\x0b" + b"\x1a") * n
        return module([([I32], [])], [(0, [], body)])
    if construct == "ifs":
        body = (local_get(0) + b"\x04\x40") * n + b"\x0b" * n
        return module([([I32], [])], [(0, [], body)])
    if construct == "if_chain":
        # if (result i32) 1 else (if (result i32) 2 else (...)) end: an
        # else-if chain n long.
        body = b""
        for i in range(n):
            body += local_get(0) + b"\x04" + bytes([I32]) + b"\x41\x01" + b"\x05"
        body += b"\x41\x00" + b"\x0b" * n
        return module([([I32], [I32])], [(0, [], body)])
    if construct == "if_seq":
        body = (local_get(0) + b"\x04\x40" + b"\x41\x01\x1a" + b"\x0b") * n
        return module([([I32], [])], [(0, [], body)])
    if construct == "br_table":
        # one br_table with n targets over 64 blocks
        d = 64
        targets = b"".join(uleb(i % d) for i in range(n))
        body = b"\x02\x40" * d + local_get(0) + b"\x0e" + uleb(n) + targets + uleb(d - 1) + b"\x0b" * d
        return module([([I32], [])], [(0, [], body)])
    if construct == "br_table_wide":
        # one br_table over n nested blocks, a target per depth: n cases,
        # each a forward jump pending over the dispatch code
        targets = b"".join(uleb(i) for i in range(n))
        body = b"\x02\x40" * n + local_get(0) + b"\x0e" + uleb(n) + targets + uleb(0) + b"\x0b" * n
        return module([([I32], [])], [(0, [], body)])
    if construct == "br_tables_deep":
        # n/4 nested blocks, then n/4 br_tables to the outermost one.
        d = n // 4
        one = b"\x02\x40" + local_get(0) + b"\x0e\x01" + uleb(d) + uleb(d) + b"\x0b"
        body = b"\x02\x40" * d + one * (n // 4) + b"\x0b" * d
        return module([([I32], [])], [(0, [], body)])
    if construct == "br_table_values":
        # one br_table with n targets over 64 blocks carrying 4 values each
        d = 64
        tidx = 1
        targets = b"".join(uleb(i % d) for i in range(n))
        body = b"".join(b"\x02" + uleb(tidx) for _ in range(d))
        body += local_get(0) * 4 + local_get(0) + b"\x0e" + uleb(n) + targets + uleb(d - 1)
        body += b"\x0b" * d + b"\x1a" * 4
        # blocks take nothing and return 4 i32: each end leaves its block's
        # results, the next one's
        return module([([I32], []), ([], [I32] * 4)], [(0, [], body)])
    if construct == "locals":
        # n i32 locals and 9 v128 ones (more than the 8 homes); n calls.
        body = b""
        for i in range(n):
            body += local_get(1 + i) + b"\x21" + uleb(1 + i) + b"\x10\x01"
        return module([([I32], []), ([], [])], [(0, [(n, I32), (9, V128)], body), (1, [], b"")])
    if construct == "calls":
        # n calls to a function with 64 parameters and 16 results
        p = 64
        body = (local_get(0) * p + b"\x10\x01" + b"\x1a" * 16) * n
        return module([([I32], []), ([I32] * p, [I32] * 16)], [(0, [], body), (1, [], (b"\x41\x00" * 16))])
    if construct == "functions":
        # n types and n small functions
        types = [([I32] * (1 + i % 3), [I64] * (i // 3 % 5)) for i in range(n)]
        funcs = []
        for i in range(n):
            p, r = types[i]
            funcs.append((i, [], b"\x42\x00" * len(r)))
        return module(types, funcs)
    raise SystemExit(f"unknown construct {construct}")


if __name__ == "__main__":
    if len(sys.argv) != 4:
        raise SystemExit(__doc__)
    with open(sys.argv[3], "wb") as f:
        f.write(gen(sys.argv[1], int(sys.argv[2])))
