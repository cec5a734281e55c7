#!/usr/bin/env python3
"""Builds, signs and inspects k23's bootable image (format: loader/ImageFormat.h).

  mkimage.py build --loader L.bin --kernel K.elf --key KEY.pem --out k23.img
      zstd -19 the kernel ELF, sign header + payload with ECDSA P-256 over
      SHA-256 (openssl), and append both to the loader's flat binary, whose
      CRC-32 it writes into the loader's bytes 4..7.
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


def loader_payload_offset(loader, whole_image=False):
    if len(loader) < 24 or loader[8:16] != LOADER_MAGIC:
        raise ImageError("loader binary has no K23LDR prologue")
    (offset,) = struct.unpack_from("<Q", loader, 16)
    if whole_image:
        if offset % 4096 or offset + HEADER.size > len(loader):
            raise ImageError(f"image too short for its header at offset {offset}")
    elif offset < len(loader) or offset % 4096:
        raise ImageError(f"loader payload offset {offset} is before its end ({len(loader)}) or unaligned")
    return offset


def loader_crc32(loader):
    """The CRC-32 the loader checks itself against (loader/SelfCheck.cpp):
    over its file bytes, with bytes 4..7 (where it is stored) counted as 0."""
    return zlib.crc32(bytes(loader[:4]) + b"\0" * 4 + bytes(loader[8:]))


def with_crc32(loader):
    loader_payload_offset(loader)
    return loader[:4] + struct.pack("<I", loader_crc32(loader)) + loader[8:]


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
    compressed = run([args.zstd, "-19", "-q", "-c", "--no-check"], input=kernel)
    header = HEADER.pack(IMAGE_MAGIC, FORMAT_VERSION, HEADER.size, len(compressed), len(kernel),
                         SIGNATURE_LENGTH, 0, hashlib.sha256(kernel).digest())
    image = assemble(with_crc32(loader), header + compressed, sign(header + compressed, args.key))
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

#include <base/Types.h>

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
            "#include <base/Types.h>\n\nnamespace k23::boot::test_vectors {\n\n"
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
