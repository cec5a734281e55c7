#pragma once

// The bootable image k23.img (written by tools/mkimage.py):
//
//   offset 0             the loader, a flat binary (OpenSBI jumps to its first byte)
//   payload_offset       ImageHeader (72 bytes)                      ┐
//   + 72                 the kernel ELF, zstd-compressed             │ signed range:
//   + compressed_size    ECDSA P-256 signature, raw r || s (64 bytes)┘ verified by the loader
//   + signature_length   ImageTrailer (16 bytes): length + end marker, catches truncation
//
// payload_offset is the loader's own size including .bss and stack, page
// aligned; the loader's first 24 bytes (LoaderPrologue) record it. The
// signature is over SHA-256 of the header and the compressed payload: the
// loader checks it before it decompresses or parses anything else.
//
// The signature does not cover the loader. Before anything else, the loader
// checks its own bytes (loader/SelfCheck.cpp): every prologue field, and a
// CRC-32 over its file content. That catches a cut or corrupted loader, not
// a malicious one (whoever can change the loader can change its checks).

#include <base/Types.h>

namespace k23::boot {

struct LoaderPrologue {
    u32 jump;           // the entry instruction (j past the prologue)
    u32 loader_crc32;   // CRC-32 (zlib's) of the loader's file bytes, these 4 counted as 0
    u8 magic[8];        // "K23LDR\0\0"
    u64 payload_offset; // where ImageHeader starts, from the image start: the loader's linked size
};
static_assert(sizeof(LoaderPrologue) == 24);

inline constexpr u8 image_magic[8] = { 'K', '2', '3', 'I', 'M', 'G', 0, 0 };
// The image's last bytes: none is zero, so cutting even the last byte shows
// (RAM beyond what the firmware loaded reads as zero on QEMU).
inline constexpr u8 trailer_magic[8] = { 'K', '2', '3', 'E', 'N', 'D', '!', '!' };
inline constexpr u32 image_format_version = 2;
inline constexpr u32 image_signature_length = 64; // P-256 r || s

struct ImageHeader {
    u8 magic[8];             // image_magic
    u32 format_version;      // image_format_version
    u32 header_size;         // sizeof(ImageHeader)
    u64 compressed_size;     // bytes of zstd frame after the header
    u64 uncompressed_size;   // bytes of kernel ELF it decompresses to
    u32 signature_length;    // image_signature_length
    u32 reserved;            // 0
    u8 kernel_sha256[32];    // SHA-256 of the uncompressed kernel ELF
};
static_assert(__builtin_offsetof(ImageHeader, format_version) == 8);
static_assert(__builtin_offsetof(ImageHeader, header_size) == 12);
static_assert(__builtin_offsetof(ImageHeader, compressed_size) == 16);
static_assert(__builtin_offsetof(ImageHeader, uncompressed_size) == 24);
static_assert(__builtin_offsetof(ImageHeader, signature_length) == 32);
static_assert(__builtin_offsetof(ImageHeader, kernel_sha256) == 40);
static_assert(sizeof(ImageHeader) == 72);

struct ImageTrailer {
    u64 total_size;    // from the header's first byte to the trailer's last
    u8 magic[8];       // trailer_magic, the image's last 8 bytes
};
static_assert(sizeof(ImageTrailer) == 16);

} // namespace k23::boot
