#pragma once

// The bootable image k23.img (written by tools/mkimage.py):
//
//   offset 0             the image's header page (ImagePrologue, then the PE
//                        header, then zeros up to 0x1000)
//   0x1000               the loader's code, a flat binary (its file bytes end at
//                        the end marker "K23LEND!")
//   payload_offset       ImageHeader (72 bytes)                      ┐
//   + 72                 the kernel ELF, zstd-compressed             │ signed range:
//   + compressed_size    ECDSA P-256 signature, raw r || s (64 bytes)┘ verified by the loader
//   + signature_length   ImageTrailer (16 bytes): length + end marker, catches truncation
//
// One image, three ways in: OpenSBI's `-kernel`/payload mode and U-Boot's
// `booti` jump to byte 0 (the RISC-V Image header's code0), UEFI firmware
// (U-Boot `bootefi`) loads it as a PE/COFF application and calls the entry
// its optional header names (loader/Efi.cpp). The first page is headers only
// so that a UEFI loader's copy of them plus the .text section (which starts
// at 0x1000, RVA = file offset) is the file byte for byte.
//
// payload_offset is the loader's own size including .bss and stack, page
// aligned; LoaderPrologue records it. The signature is over SHA-256 of the
// header and the compressed payload: the loader checks it before it
// decompresses or parses anything else.
//
// The signature does not cover the loader. Before anything else, the loader
// checks its own bytes (loader/SelfCheck.cpp): every prologue field, and a
// CRC-32 over its file content, headers included. That catches a cut or
// corrupted loader, not a malicious one (whoever can change the loader can
// change its checks).

#include <base/Integers.h>

namespace k23::boot {

// The RISC-V Linux Image header (Linux Documentation/riscv/boot-image-header.rst),
// which is also the start of a DOS/PE header (UEFI spec 2.10 §2.1.1; Microsoft
// PE format §2 "MS-DOS stub": "MZ" at 0, e_lfanew at 0x3c).
struct RiscvImageHeader {
    u32 code0;          // "MZ" (c.li s4, -13) + the first half of `j` to the loader's code
    u32 code1;          // the second half of the jump, then 0
    u64 text_offset;    // 0x200000: the offset from the start of RAM booti places it at
    u64 image_size;     // bytes the image occupies in memory (the file, page aligned)
    u64 flags;          // bit 0: endianness, 0 = little
    u32 version;        // 0x2: header version 0.2
    u32 res1;
    u64 res2;
    u8 magic[8];        // "RISCV\0\0\0" (deprecated)
    u8 magic2[4];       // "RSC\x05"
    u32 res3;           // the PE header's offset (DOS e_lfanew)
};
static_assert(__builtin_offsetof(RiscvImageHeader, text_offset) == 8);
static_assert(__builtin_offsetof(RiscvImageHeader, image_size) == 16);
static_assert(__builtin_offsetof(RiscvImageHeader, flags) == 24);
static_assert(__builtin_offsetof(RiscvImageHeader, version) == 32);
static_assert(__builtin_offsetof(RiscvImageHeader, magic) == 48);
static_assert(__builtin_offsetof(RiscvImageHeader, magic2) == 56);
static_assert(__builtin_offsetof(RiscvImageHeader, res3) == 60);
static_assert(sizeof(RiscvImageHeader) == 64);

inline constexpr u64 pe_header_offset = 0x80;
inline constexpr u64 loader_code_offset = 0x1000; // the .text section: RVA = file offset

struct LoaderPrologue {
    u32 loader_crc32;     // CRC-32 (zlib's) of the loader's file bytes, these 4 counted as 0
    u32 efi_entry;        // the UEFI entry point's offset (the PE AddressOfEntryPoint)
    u8 magic[8];          // "K23LDR\0\0"
    u64 payload_offset;   // where ImageHeader starts, from the image start: the loader's linked size
};
static_assert(sizeof(LoaderPrologue) == 24);

struct ImagePrologue {
    RiscvImageHeader image;
    LoaderPrologue loader;
};
static_assert(__builtin_offsetof(ImagePrologue, loader) == 64);
static_assert(__builtin_offsetof(ImagePrologue, loader.loader_crc32) == 64);
static_assert(__builtin_offsetof(ImagePrologue, loader.magic) == 72);
static_assert(__builtin_offsetof(ImagePrologue, loader.payload_offset) == 80);
static_assert(sizeof(ImagePrologue) == 88 && sizeof(ImagePrologue) <= pe_header_offset);

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
