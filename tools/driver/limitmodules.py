"""Modules at and just over each implementation limit of wasm/Limits.h, for
the fuzzers' corpora (`./k23 fuzz`, and the fuzz tests of `./k23 test`):
libFuzzer mutates around them, so the counts, sums and sizes the reader
checks are exercised on both sides of every limit.

The limits are read from wasm/Limits.h itself, so the two never disagree.
A module whose items would not fit in the fuzzer's input size (-max_len)
keeps its count at the limit and carries as many items as fit: the reader
then runs out of bytes, and mutations explore from there. Standard library
only, like the rest of the driver.

  python3 tools/driver/limitmodules.py DIR   writes DIR/limit-NAME.wasm
"""
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
LIMITS_H = os.path.join(HERE, "..", "..", "wasm", "Limits.h")

# libFuzzer truncates corpus files to -max_len (tools/driver/fuzz.py).
MAX_LEN = 65536

HEADER = b"\0asm\x01\0\0\0"
I32, I64, FUNCREF = 0x7f, 0x7e, 0x70


def read_limits(path=LIMITS_H):
    """{'max_types': 1000000, ...} from the header's constexpr lines."""
    with open(path) as f:
        text = f.read()
    found = {name: int(value.replace("'", ""))
             for name, value in re.findall(r"inline constexpr u64 (max_\w+) = ([0-9']+);", text)}
    if not found:
        raise RuntimeError(f"no limits found in {path}")
    return found


def leb(value):
    out = bytearray()
    while True:
        byte = value & 0x7f
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def section(ident, contents):
    return bytes([ident]) + leb(len(contents)) + contents


def vec(count, item, budget=None):
    """A vector claiming `count` items, with as many copies of `item` as fit
    in `budget` bytes (all of them when budget is None)."""
    present = count if budget is None else max(0, min(count, budget // max(1, len(item))))
    return leb(count) + item * present


def func_type(params, results, param=I64, result=I32):
    return b"\x60" + vec(params, bytes([param])) + vec(results, bytes([result]))


def one_function(ftype, body, extra=b""):
    """A module with one type, one function with `body` (locals + code)
    and, before the code section, the sections in `extra`."""
    return (HEADER + section(1, b"\x01" + ftype) + section(3, b"\x01\x00") + extra
            + section(10, b"\x01" + leb(len(body)) + body))


def locals_body(groups, code=b"\x0b"):
    body = leb(len(groups))
    for count, valtype in groups:
        body += leb(count) + bytes([valtype])
    return body + code


def modules(limits=None, max_len=MAX_LEN):
    """name -> module bytes."""
    L = limits or read_limits()
    budget = max_len - 64
    out = {}

    def at_and_over(name, make):
        limit = L[name]
        out[f"{name}-at"] = make(limit)
        out[f"{name}-over"] = make(limit + 1)

    # Signatures. jit/Abi.h relies on max_function_params; issue 11's
    # module had 40,000 i64 parameters.
    at_and_over("max_function_params", lambda n: one_function(func_type(n, 0), b"\x00\x0b"))
    out["params-40000"] = one_function(func_type(40000, 0), b"\x00\x0b")
    at_and_over("max_function_results", lambda n: one_function(func_type(0, n), b"\x00\x00\x0b"))
    # A block whose type index names a type with many params (the type
    # section carries them: blocks are covered by the type limits).
    out["block-params-at"] = (
        HEADER + section(1, b"\x02" + func_type(0, 0) + func_type(L["max_function_params"], 0, I32))
        + section(3, b"\x01\x00")
        + section(10, b"\x01" + leb(7) + b"\x00\x00\x02\x01\x00\x0b\x0b"))

    # Locals: one group, groups summed over the limit, params counted in,
    # and a u32 overflow of the declared count.
    at_and_over("max_function_locals", lambda n: one_function(func_type(0, 0), locals_body([(n, I32)])))
    third = L["max_function_locals"] // 3 + 1
    out["locals-groups-over"] = one_function(func_type(0, 0), locals_body([(third, I32), (third, I64), (third, I32)]))
    params = L["max_function_params"]
    out["locals-with-params-over"] = one_function(
        func_type(params, 0), locals_body([(L["max_function_locals"] - params + 1, I32)]))
    out["locals-u32-wrap"] = one_function(func_type(0, 0), locals_body([(0x80000000, I32), (0x80000000, I64)]))

    # Function body size: the size is at the limit, the bytes run out.
    at_and_over("max_function_body_size", lambda n: (
        HEADER + section(1, b"\x01" + func_type(0, 0)) + section(3, b"\x01\x00")
        + section(10, b"\x01" + leb(n) + b"\x00" + b"\x01" * (budget - 32) + b"\x0b")))

    # Module-level counts: as many items as fit.
    at_and_over("max_types", lambda n: HEADER + section(1, vec(n, func_type(0, 0), budget)))
    at_and_over("max_functions", lambda n: (
        HEADER + section(1, b"\x01" + func_type(0, 0)) + section(3, vec(n, b"\x00", budget))))
    global_import = b"\x01m\x01g\x03\x7f\x00"
    at_and_over("max_imports", lambda n: HEADER + section(2, vec(n, global_import, budget)))
    export = b"\x01e\x03\x00"  # the same name over and over: the count is checked first
    at_and_over("max_exports", lambda n: (
        HEADER + section(6, b"\x01\x7f\x00\x41\x00\x0b") + section(7, vec(n, export, budget))))
    at_and_over("max_globals", lambda n: HEADER + section(6, vec(n, b"\x7f\x00\x41\x00\x0b", budget)))
    memory = section(5, b"\x01\x00\x01")
    at_and_over("max_data_segments", lambda n: HEADER + memory + section(11, vec(n, b"\x01\x00", budget)))
    out["data-count-over"] = (HEADER + memory + section(12, leb(L["max_data_segments"] + 1))
                              + section(11, vec(1, b"\x01\x00")))
    at_and_over("max_element_segments", lambda n: HEADER + section(9, vec(n, b"\x01\x00\x00", budget)))
    at_and_over("max_table_init_entries", lambda n: one_function(
        func_type(0, 0), b"\x00\x0b", extra=section(9, b"\x01\x01\x00" + vec(n, b"\x00", budget))))

    # Tables: count (defined, imported, and both summed), initial size
    # (defined and imported), and a maximum beyond the limit (accepted).
    table = bytes([FUNCREF, 0x00, 0x00])
    table_import = b"\x01m\x01t\x01" + table
    at_and_over("max_tables", lambda n: HEADER + section(4, vec(n, table, budget)))
    # (100,001 imports do not fit: the count is there, the items run out.)
    out["tables-imported-truncated"] = HEADER + section(2, vec(L["max_tables"] + 1, table_import, budget))
    out["tables-summed-over"] = (HEADER + section(2, vec(1, table_import))
                                 + section(4, vec(L["max_tables"], table, budget)))
    at_and_over("max_table_size", lambda n: HEADER + section(4, b"\x01" + bytes([FUNCREF, 0x00]) + leb(n)))
    out["table-size-imported-over"] = HEADER + section(
        2, b"\x01\x01m\x01t\x01" + bytes([FUNCREF, 0x00]) + leb(L["max_table_size"] + 1))
    out["table-max-beyond-size"] = HEADER + section(
        4, b"\x01" + bytes([FUNCREF, 0x01, 0x00]) + leb(0xffffffff))

    # Memories: count (defined, imported, summed) and pages.
    at_and_over("max_memories", lambda n: HEADER + section(5, vec(n, b"\x00\x00")))
    memory_import = b"\x01m\x01m\x02\x00\x00"
    out["memories-summed-over"] = (HEADER + section(2, vec(1, memory_import))
                                   + section(5, vec(L["max_memories"], b"\x00\x00")))
    at_and_over("max_memory32_pages", lambda n: HEADER + section(5, b"\x01\x01\x00" + leb(n)))

    # table.grow and memory.grow by deltas past the limits, for the compile
    # fuzzer (and anything that runs them): (func (result i32 i32)).
    grow_type = func_type(0, 2, result=I32)
    grow_code = (b"\x00"
                 + b"\xd0\x70" + b"\x41" + leb_signed(L["max_table_size"] + 1) + b"\xfc\x0f\x00"
                 + b"\x41" + leb_signed(L["max_memory32_pages"] + 1) + b"\x40\x00"
                 + b"\x0b")
    out["grow-past-limits"] = (
        HEADER + section(1, b"\x01" + grow_type) + section(3, b"\x01\x00")
        + section(4, b"\x01" + table) + section(5, b"\x01\x00\x00")
        + section(7, b"\x01\x04grow\x00\x00")
        + section(10, b"\x01" + leb(len(grow_code)) + grow_code))

    for name, data in out.items():
        if len(data) > max_len:
            raise RuntimeError(f"limit module {name} is {len(data)} bytes (max {max_len})")
    return out


def leb_signed(value):
    out = bytearray()
    while True:
        byte = value & 0x7f
        value >>= 7
        if (value == 0 and not byte & 0x40) or (value == -1 and byte & 0x40):
            out.append(byte)
            return bytes(out)
        out.append(byte | 0x80)


def write(directory, max_len=MAX_LEN):
    """Writes every module as DIR/limit-NAME.wasm; returns how many."""
    os.makedirs(directory, exist_ok=True)
    mods = modules(max_len=max_len)
    for name, data in mods.items():
        with open(os.path.join(directory, f"limit-{name.replace('_', '-')}.wasm"), "wb") as f:
            f.write(data)
    return len(mods)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: limitmodules.py DIR")
    print(f"{write(sys.argv[1])} modules in {sys.argv[1]}")
