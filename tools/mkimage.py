#!/usr/bin/env python3
"""Builds, signs and inspects k23's bootable image (format: boot/ImageFormat.h).

  mkimage.py build --loader L.bin --kernel K.elf --key KEY.pem --out k23.img
      zstd -19 the kernel ELF, sign header + payload with ECDSA P-256 over
      SHA-256 (openssl), and append both to the loader's flat binary, whose
      header page it completes (the RISC-V Image header's image_size, the
      PE/COFF header of a UEFI application) and whose CRC-32 it writes into
      the loader's bytes 64..67.
  mkimage.py resign --image IN --key KEY.pem --out OUT
      the same image signed with another key (tests use it).
  mkimage.py pubkey --key KEY.pem --out SigningKey.h
      the C++ header with the public key the loader verifies against.
  mkimage.py signed-range IMAGE
      prints `OFFSET LENGTH` (decimal) of the signed bytes in IMAGE.
  mkimage.py testvectors --key KEY.pem --out LoaderTestVectors.h
      a signed message and a zstd frame for the kernel's loader KTESTs.

Python 3 standard library plus Debian's `openssl` and `zstd` command-line tools.
Every failure is one line on stderr and exit status 1.
"""
import argparse
import hashlib
import os
import struct
import subprocess
import sys
import tempfile
import zlib

LOADER_MAGIC = b"K23LDR\0\0"
IMAGE_MAGIC = b"K23IMG\0\0"
TRAILER_MAGIC = b"K23END!!"   # last: a cut of the image's last byte shows
FORMAT_VERSION = 2
HEADER = struct.Struct("<8sIIQQII32s")   # ImageHeader, 72 bytes
TRAILER = struct.Struct("<Q8s")          # ImageTrailer, 16 bytes
SIGNATURE_LENGTH = 64
assert HEADER.size == 72 and TRAILER.size == 16


class ImageError(Exception):
    pass


def run(cmd, **kwargs):
    try:
        proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kwargs)
    except FileNotFoundError:
        raise ImageError(f"{cmd[0]} not found (run ./k23 setup)")
    if proc.returncode != 0:
        err = proc.stderr.decode(errors="replace").strip().splitlines()
        raise ImageError(f"{' '.join(cmd[:2])} failed: {err[0] if err else proc.returncode}")
    return proc.stdout


def check_key(key):
    if not os.path.isfile(key):
        raise ImageError(f"signing key {key} not found (set K23_SIGNING_KEY or restore tools/keys/dev-signing-key.pem)")


def der_read(data, pos, tag):
    if pos + 2 > len(data) or data[pos] != tag:
        raise ImageError("openssl produced a malformed DER signature")
    length = data[pos + 1]
    pos += 2
    if length & 0x80:
        n = length & 0x7f
        length = int.from_bytes(data[pos:pos + n], "big")
        pos += n
    return data[pos:pos + length], pos + length


def der_to_raw(der):
    """ECDSA-Sig-Value ::= SEQUENCE { r INTEGER, s INTEGER } -> r || s, 32 bytes each."""
    seq, _ = der_read(der, 0, 0x30)
    r, pos = der_read(seq, 0, 0x02)
    s, _ = der_read(seq, pos, 0x02)
    out = b""
    for v in (r, s):
        v = v.lstrip(b"\0")
        if len(v) > 32:
            raise ImageError("signature component longer than 32 bytes: not a P-256 key?")
        out += v.rjust(32, b"\0")
    return out


def sign(message, key):
    check_key(key)
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "message")
        with open(path, "wb") as f:
            f.write(message)
        der = run(["openssl", "dgst", "-sha256", "-sign", key, path])
    return der_to_raw(der)


def public_point(key):
    """The uncompressed P-256 point (0x04 || X || Y) of KEY's public half."""
    check_key(key)
    spki = run(["openssl", "pkey", "-in", key, "-pubout", "-outform", "DER"])
    # SubjectPublicKeyInfo for P-256: the BIT STRING's last 65 bytes are the point.
    point = spki[-65:]
    if len(spki) != 91 or point[0] != 4:
        raise ImageError(f"{key} is not an ECDSA P-256 key")
    return point


# boot/ImageFormat.h: the RISC-V Image header (64 bytes), then the loader's
# prologue {CRC-32, UEFI entry offset, magic, payload offset} at byte 64.
CRC_AT = 64
EFI_ENTRY_AT = 68
MAGIC_AT = 72
PAYLOAD_OFFSET_AT = 80
IMAGE_SIZE_AT = 16
PE_AT = 0x80          # the RISC-V Image header's res3 = DOS e_lfanew (byte 60)
CODE_AT = 0x1000      # the loader's code: the PE .text section, RVA = file offset
RISCV_MAGIC2 = b"RSC\x05"


def loader_payload_offset(loader, whole_image=False):
    if len(loader) < PAYLOAD_OFFSET_AT + 8 or loader[MAGIC_AT:MAGIC_AT + 8] != LOADER_MAGIC:
        raise ImageError("loader binary has no K23LDR prologue")
    (offset,) = struct.unpack_from("<Q", loader, PAYLOAD_OFFSET_AT)
    if whole_image:
        if offset % 4096 or offset + HEADER.size > len(loader):
            raise ImageError(f"image too short for its header at offset {offset}")
    elif offset < len(loader) or offset % 4096:
        raise ImageError(f"loader payload offset {offset} is before its end ({len(loader)}) or unaligned")
    return offset


def loader_crc32(loader):
    """The CRC-32 the loader checks itself against (loader/SelfCheck.cpp):
    over its file bytes, with bytes 64..67 (where it is stored) counted as 0."""
    return zlib.crc32(bytes(loader[:CRC_AT]) + b"\0" * 4 + bytes(loader[CRC_AT + 4:]))


def with_crc32(loader):
    loader_payload_offset(loader)
    return loader[:CRC_AT] + struct.pack("<I", loader_crc32(loader)) + loader[CRC_AT + 4:]


def align_up(value, alignment):
    return (value + alignment - 1) // alignment * alignment


# Microsoft PE format (pe-format, "COFF File Header", "Optional Header",
# "Section Table"); UEFI spec 2.10 §2.1.1 (PE32+, subsystem 10 = EFI application).
PE_MACHINE_RISCV64 = 0x5064
PE_CHARACTERISTICS = 0x0002 | 0x0004 | 0x0008 | 0x0020 | 0x0200  # executable, stripped, large-address aware
PE_OPTIONAL_MAGIC = 0x20b   # PE32+
PE_SUBSYSTEM_EFI_APPLICATION = 10
PE_SECTION_TEXT = 0x00000020 | 0x20000000 | 0x40000000 | 0x80000000  # code, execute, read, write
PE_SECTION_ALIGNMENT = 0x1000
PE_FILE_ALIGNMENT = 0x200
COFF = struct.Struct("<4sHHIIIHH")                        # "PE\0\0" + COFF file header
OPTIONAL = struct.Struct("<HBBIIIIIQIIHHHHHHIIIIHHQQQQII") # PE32+ optional header, no data directories
SECTION = struct.Struct("<8sIIIIIIHHI")
PE_DIRECTORIES = 16
assert COFF.size == 24 and OPTIONAL.size == 112 and SECTION.size == 40


def pe_header(file_size, efi_entry):
    """The PE/COFF header of k23.img as a UEFI application: one section, .text,
    covering the loader's code and the payload at RVA = file offset (the
    loader is position independent and relocates itself: no base
    relocations). U-Boot relocates the image and copies SizeOfRawData bytes
    of the section; the loader's .bss, stack and .noinit lie inside the file."""
    image_size = align_up(file_size, PE_SECTION_ALIGNMENT)
    raw = file_size - CODE_AT
    optional_size = OPTIONAL.size + 8 * PE_DIRECTORIES
    coff = COFF.pack(b"PE\0\0", PE_MACHINE_RISCV64, 1, 0, 0, 0, optional_size, PE_CHARACTERISTICS)
    optional = OPTIONAL.pack(
        PE_OPTIONAL_MAGIC, 0, 0,
        raw, 0, 0,                 # SizeOfCode, SizeOfInitializedData, SizeOfUninitializedData
        efi_entry, CODE_AT,        # AddressOfEntryPoint, BaseOfCode
        0,                         # ImageBase
        PE_SECTION_ALIGNMENT, PE_FILE_ALIGNMENT,
        0, 0, 0, 0, 0, 0, 0,       # OS, image, subsystem versions; Win32VersionValue
        image_size, CODE_AT, 0,    # SizeOfImage, SizeOfHeaders, CheckSum
        PE_SUBSYSTEM_EFI_APPLICATION, 0,
        0, 0, 0, 0,                # stack and heap reserve/commit: unused by UEFI
        0, PE_DIRECTORIES)
    directories = b"\0" * (8 * PE_DIRECTORIES)
    section = SECTION.pack(b".text\0\0\0", image_size - CODE_AT, CODE_AT, raw, CODE_AT, 0, 0, 0, 0,
                           PE_SECTION_TEXT)
    return coff + optional + directories + section


def with_headers(loader, file_size):
    """The loader's header page completed for an image of FILE_SIZE bytes:
    the RISC-V Image header's image_size and the PE/COFF header."""
    loader_payload_offset(loader)
    if len(loader) <= CODE_AT or loader[48:56] != b"RISCV\0\0\0" or loader[56:60] != RISCV_MAGIC2 \
            or struct.unpack_from("<I", loader, 60)[0] != PE_AT:
        raise ImageError("loader binary has no RISC-V Image header")
    (efi_entry,) = struct.unpack_from("<I", loader, EFI_ENTRY_AT)
    if not CODE_AT <= efi_entry < len(loader):
        raise ImageError(f"loader's UEFI entry {efi_entry:#x} is outside its code")
    pe = pe_header(file_size, efi_entry)
    if any(loader[PE_AT:CODE_AT]):
        raise ImageError("loader's header page is not zero after its prologue")
    out = bytearray(loader)
    struct.pack_into("<Q", out, IMAGE_SIZE_AT, align_up(file_size, PE_SECTION_ALIGNMENT))
    out[PE_AT:PE_AT + len(pe)] = pe
    return bytes(out)


def assemble(loader, header_and_payload, signature):
    offset = loader_payload_offset(loader)
    signed = header_and_payload + signature
    trailer = TRAILER.pack(len(signed) + TRAILER.size, TRAILER_MAGIC)
    return loader + b"\0" * (offset - len(loader)) + signed + trailer


def cmd_build(args):
    with open(args.loader, "rb") as f:
        loader = f.read()
    with open(args.kernel, "rb") as f:
        kernel = f.read()
    compressed = run([args.zstd, "-19", "-q", "-c", "--check"], input=kernel)
    header = HEADER.pack(IMAGE_MAGIC, FORMAT_VERSION, HEADER.size, len(compressed), len(kernel),
                         SIGNATURE_LENGTH, 0, hashlib.sha256(kernel).digest())
    signature = sign(header + compressed, args.key)
    file_size = loader_payload_offset(loader) + len(header) + len(compressed) + len(signature) + TRAILER.size
    image = assemble(with_crc32(with_headers(loader, file_size)), header + compressed, signature)
    assert len(image) == file_size
    with open(args.out, "wb") as f:
        f.write(image)
    print(f"mkimage: {args.out}: {len(image)} bytes (loader {len(loader)}, "
          f"kernel {len(kernel)} -> {len(compressed)} compressed)")


def parse(image):
    offset = loader_payload_offset(image, whole_image=True)
    header = HEADER.unpack_from(image, offset)
    if header[0] != IMAGE_MAGIC:
        raise ImageError("no K23IMG header at the loader's payload offset")
    length = HEADER.size + header[3] + header[5]
    return offset, length


def cmd_resign(args):
    with open(args.image, "rb") as f:
        image = f.read()
    offset, length = parse(image)
    signed_part = image[offset:offset + length - SIGNATURE_LENGTH]
    out = assemble(image[:offset], signed_part, sign(signed_part, args.key))
    with open(args.out, "wb") as f:
        f.write(out)


def cmd_signed_range(args):
    with open(args.image, "rb") as f:
        image = f.read()
    offset, length = parse(image)
    print(f"{offset} {length}")


def cmd_pubkey(args):
    point = public_point(args.key)
    fingerprint = hashlib.sha256(point).hexdigest()[:16]
    rows = ",\n".join("    " + ", ".join(f"0x{b:02x}" for b in point[i:i + 13])
                      for i in range(0, 65, 13))
    text = f"""#pragma once
// Generated by tools/mkimage.py from {os.path.basename(args.key)}: do not edit.
// The ECDSA P-256 public key the loader accepts kernel images from.

#include <base/Integers.h>

namespace k23::boot {{

inline constexpr u8 signing_public_key[65] = {{
{rows}
}};
inline constexpr char signing_key_fingerprint[] = "{fingerprint}"; // sha256(point)[:8]

}} // namespace k23::boot
"""
    old = None
    if os.path.exists(args.out):
        with open(args.out) as f:
            old = f.read()
    if old != text:  # keep the timestamp when nothing changed
        with open(args.out, "w") as f:
            f.write(text)


TEST_MESSAGE = b"k23 loader signature test vector"


def test_plaintext():
    return b"".join(b"k23 zstd test vector %04d\n" % i for i in range(200)) + bytes(range(256))


def c_bytes(name, data):
    rows = ",\n".join("    " + ", ".join(f"0x{b:02x}" for b in data[i:i + 16])
                      for i in range(0, len(data), 16))
    return f"inline constexpr u8 {name}[{len(data)}] = {{\n{rows}\n}};\n"


def cmd_testvectors(args):
    signature = sign(TEST_MESSAGE, args.key)
    plain = test_plaintext()
    frame = run([args.zstd, "-19", "-q", "-c"], input=plain)
    text = ("#pragma once\n// Generated by tools/mkimage.py testvectors: do not edit.\n\n"
            "#include <base/Integers.h>\n\nnamespace k23::boot::test_vectors {\n\n"
            + c_bytes("signed_message", TEST_MESSAGE)
            + c_bytes("signature", signature)
            + c_bytes("zstd_frame", frame)
            + f"inline constexpr usize plaintext_size = {len(plain)};\n"
            + c_bytes("plaintext_sha256", hashlib.sha256(plain).digest())
            + "\n} // namespace k23::boot::test_vectors\n")
    with open(args.out, "w") as f:
        f.write(text)


def main():
    p = argparse.ArgumentParser(prog="mkimage.py", description=__doc__.splitlines()[0])
    sub = p.add_subparsers(dest="command", required=True)
    s = sub.add_parser("build")
    s.add_argument("--loader", required=True)
    s.add_argument("--kernel", required=True)
    s.add_argument("--key", required=True)
    s.add_argument("--out", required=True)
    s.add_argument("--zstd", default="zstd")
    s.set_defaults(func=cmd_build)
    s = sub.add_parser("resign")
    s.add_argument("--image", required=True)
    s.add_argument("--key", required=True)
    s.add_argument("--out", required=True)
    s.set_defaults(func=cmd_resign)
    s = sub.add_parser("pubkey")
    s.add_argument("--key", required=True)
    s.add_argument("--out", required=True)
    s.set_defaults(func=cmd_pubkey)
    s = sub.add_parser("signed-range")
    s.add_argument("image")
    s.set_defaults(func=cmd_signed_range)
    s = sub.add_parser("testvectors")
    s.add_argument("--key", required=True)
    s.add_argument("--out", required=True)
    s.add_argument("--zstd", default="zstd")
    s.set_defaults(func=cmd_testvectors)
    args = p.parse_args()
    try:
        args.func(args)
    except (ImageError, OSError) as e:
        print(f"mkimage: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
