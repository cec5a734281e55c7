#pragma once

// Checking and unpacking the signed kernel payload (boot/ImageFormat.h).

#include <base/Result.h>
#include <base/Integers.h>
#include <boot/BootMemory.h>
#include <boot/ImageFormat.h>

namespace k23::boot {

struct VerifiedImage {
    const boot::ImageHeader* header { nullptr };
    const u8* payload { nullptr }; // the zstd frame
    u64 compressed_size { 0 };
    u64 uncompressed_size { 0 };
    u64 image_size { 0 };          // from the loader's first byte to the trailer's last
};

// Validates the header and trailer, then the signature over header and
// payload, against the public key built into the loader. Nothing of the
// payload is interpreted before the signature verifies. `image_limit` is how
// many bytes from `image` are RAM at all (bounds every size field).
[[nodiscard]] Result<VerifiedImage> verify_image(const u8* image, u64 image_limit) noexcept;

// Decompresses the verified payload into `out` (uncompressed_size bytes);
// the frame must carry zstd's content checksum, which decompression checks.
// The zstd context lives in Scratch memory from `memory`.
[[nodiscard]] Result<void> decompress_kernel(const VerifiedImage&, u8* out, BootMemory& memory) noexcept;

// SHA-256 of `size` bytes (BearSSL).
void sha256(const void* data, usize size, u8 (&out)[32]) noexcept;
// sha256() and the signature check hash with BearSSL's code built for Zbb
// (cmake/deps/bearssl/sha2small_zbb.c) once this says the hart has it (the
// loader asks the device tree); rv64gc code otherwise.
void sha256_use_zbb(bool) noexcept;
// SHA-256 of label || data: a domain-separated derivation.
void sha256_labelled(const char* label, const void* data, usize size, u8 (&out)[32]) noexcept;

// ECDSA P-256 / SHA-256 verification of `message` with a raw r||s signature
// against an uncompressed public point (0x04 || X || Y). Exposed for tests.
[[nodiscard]] bool verify_signature(const u8* message, usize size, const u8 (&signature)[64], const u8 (&public_point)[65]) noexcept;

} // namespace k23::boot
