#!/usr/bin/env python3
"""Symbol-table generator for the kernel (backtraces, kernel/Symbols.h).

After the kernel ELF is linked, this tool lists its function symbols with
llvm-nm, demangles them with llvm-cxxfilt, builds a compact sorted table and
writes it in place into the section `.k23_symtab`, which the kernel reserves
at a fixed size (kernel/SymbolTableSection.S). Patching in place keeps the
link single-pass: no address in the image moves because of the table.

Table layout (little endian, all offsets from the start of the table):
  header   u32 magic 'K23S', u32 version, u32 count, u32 strings_offset,
           u64 table_link_address (where the table itself is linked)
  entries  count x { u32 start, u32 size, u32 name_offset, u32 name_length }
           sorted by start; start is an offset from the image base (the
           kernel is a PIE linked at 0 and relocated to a random base, so the
           kernel computes base = runtime address of the table minus
           table_link_address)
  strings  names, not NUL terminated

The output depends only on the ELF, so builds are deterministic.

Usage: symbols.py --nm llvm-nm-16 --cxxfilt llvm-cxxfilt-16 KERNEL.elf
"""
import argparse
import struct
import subprocess
import sys

MAGIC = 0x5333324B  # "K23S"
VERSION = 1
HEADER = struct.Struct("<IIIIQ")
ENTRY = struct.Struct("<IIII")
SECTION = ".k23_symtab"
MAX_NAME = 200  # longer names (deep templates) are cut; a backtrace line stays readable


def read_sections(data):
    """(name, file offset, size, address) of every section of an ELF64 LE file."""
    if data[:4] != b"\x7fELF" or data[4] != 2 or data[5] != 1:
        raise SystemExit("symbols.py: not a little-endian ELF64 file")
    e_shoff, = struct.unpack_from("<Q", data, 0x28)
    e_shentsize, e_shnum, e_shstrndx = struct.unpack_from("<HHH", data, 0x3A)
    headers = []
    for i in range(e_shnum):
        off = e_shoff + i * e_shentsize
        (sh_name, sh_type, sh_flags, sh_addr, sh_offset, sh_size) = struct.unpack_from("<IIQQQQ", data, off)
        headers.append((sh_name, sh_type, sh_addr, sh_offset, sh_size))
    strtab_off = headers[e_shstrndx][3]
    sections = []
    for sh_name, sh_type, sh_addr, sh_offset, sh_size in headers:
        end = data.index(b"\0", strtab_off + sh_name)
        name = data[strtab_off + sh_name:end].decode()
        sections.append((name, sh_type, sh_offset, sh_size, sh_addr))
    return sections


def strip_signature(name):
    """'void ns::f<int>(char const*) const' -> 'ns::f<int>' (llvm-cxxfilt-16
    has no --no-params): drop the parameter list after the last balanced
    '(...)', and a template's return type before the last top-level space."""
    end = name.rfind(")")
    if end < 0 or name.startswith("("):
        return name
    depth = 0
    for i in range(end, -1, -1):
        if name[i] == ")":
            depth += 1
        elif name[i] == "(":
            depth -= 1
            if depth == 0:
                name = name[:i]
                break
    depth = 0
    for i in range(len(name) - 1, -1, -1):
        ch = name[i]
        if ch in ">)":
            depth += 1
        elif ch in "<(":
            depth -= 1
        elif ch == " " and depth == 0:
            return name[i + 1:]
    return name


def tidy(name):
    # One backtrace line is "#N 0xADDR symbol+0xOFF" and tools split it on
    # spaces, so a symbol must not contain any.
    name = name.replace("(anonymous namespace)", "(anon)")
    name = strip_signature(name)
    name = name.replace(", ", ",")
    name = name.replace(" ", "_")
    return name[:MAX_NAME]


def function_symbols(nm, cxxfilt, elf):
    out = subprocess.run([nm, "-n", "--defined-only", "-S", elf], check=True,
                         stdout=subprocess.PIPE).stdout.decode()
    symbols = []
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 4:
            address, size, kind, name = parts
        elif len(parts) == 3:
            address, kind, name = parts
            size = "0"
        else:
            continue
        if kind not in "tTwW" or name.startswith((".L", "$")) or name == "__image_start":
            continue
        symbols.append((int(address, 16), int(size, 16), name))
    names = sorted({name for _, _, name in symbols})
    demangled = subprocess.run([cxxfilt], input="\n".join(names).encode(), check=True,
                               stdout=subprocess.PIPE).stdout.decode().splitlines()
    if len(demangled) != len(names):
        raise SystemExit("symbols.py: llvm-cxxfilt returned a different number of names")
    pretty = dict(zip(names, (tidy(n) for n in demangled)))
    # Aliases share an address: keep one name per address, deterministically
    # (a sized symbol first, then the shortest, then alphabetical).
    by_address = {}
    for address, size, name in symbols:
        key = (size == 0, len(pretty[name]), pretty[name])
        if address not in by_address or key < by_address[address][0]:
            by_address[address] = (key, size, pretty[name])
    return [(address, size, name) for address, (_, size, name) in sorted(by_address.items())]


def build_table(symbols, link_address):
    strings = bytearray()
    offsets = {}
    entries = bytearray()
    for address, size, name in symbols:
        encoded = name.encode()
        if encoded not in offsets:
            offsets[encoded] = len(strings)
            strings += encoded
        if address > 0xFFFFFFFF or size > 0xFFFFFFFF:
            raise SystemExit(f"symbols.py: {name} at {address:#x} does not fit the table")
        entries += ENTRY.pack(address, size, offsets[encoded], len(encoded))
    strings_offset = HEADER.size + len(entries)
    header = HEADER.pack(MAGIC, VERSION, len(symbols), strings_offset, link_address)
    return header + entries + strings


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nm", default="llvm-nm-16")
    parser.add_argument("--cxxfilt", default="llvm-cxxfilt-16")
    parser.add_argument("elf")
    args = parser.parse_args()

    with open(args.elf, "rb") as f:
        data = bytearray(f.read())
    matches = [s for s in read_sections(data) if s[0] == SECTION]
    if len(matches) != 1:
        raise SystemExit(f"symbols.py: {args.elf} has no {SECTION} section")
    _, sh_type, offset, size, address = matches[0]
    if sh_type != 1:  # SHT_PROGBITS: the bytes are in the file
        raise SystemExit(f"symbols.py: {SECTION} is not PROGBITS")

    table = build_table(function_symbols(args.nm, args.cxxfilt, args.elf), address)
    if len(table) > size:
        raise SystemExit(f"symbols.py: the symbol table needs {len(table)} bytes but {SECTION} "
                         f"has {size}: raise K23_SYMTAB_SIZE in kernel/SymbolTableSection.S")
    data[offset:offset + size] = table + bytes(size - len(table))
    with open(args.elf, "r+b") as f:
        f.seek(offset)
        f.write(data[offset:offset + size])
    return 0


if __name__ == "__main__":
    sys.exit(main())
