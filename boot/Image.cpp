#include <boot/Image.h>
#include <generated/boot/SigningKey.h>

extern "C" {
#include <bearssl.h>
#include <zstd.h>
}

// BearSSL's SHA-256 built for Zbb (cmake/deps/bearssl/sha2small_zbb.c).
extern "C" {
void k23_zbb_sha256_init(br_sha256_context*);
void k23_zbb_sha224_update(br_sha256_context*, const void*, size_t);
void k23_zbb_sha256_out(const br_sha256_context*, void*);
}

namespace k23::boot {

namespace {

// Generous bounds: any real kernel is far smaller. They keep a corrupted size
// field from making the loader read (or allocate) absurd amounts.
constexpr u64 max_compressed_size = 64ull << 20;
constexpr u64 max_uncompressed_size = 256ull << 20;

bool bytes_equal(const u8* a, const u8* b, usize size) noexcept
{
    u8 difference = 0;
    for (usize i = 0; i < size; ++i)
        difference |= a[i] ^ b[i];
    return difference == 0;
}

template<typename T>
T read_unaligned(const u8* bytes) noexcept
{
    T value;
    __builtin_memcpy(&value, bytes, sizeof(T));
    return value;
}

} // namespace

namespace {

bool s_sha256_zbb = false;

} // namespace

void sha256_use_zbb(bool use) noexcept { s_sha256_zbb = use; }

void sha256(const void* data, usize size, u8 (&out)[32]) noexcept
{
    br_sha256_context context;
    if (s_sha256_zbb) {
        k23_zbb_sha256_init(&context);
        k23_zbb_sha224_update(&context, data, size);
        k23_zbb_sha256_out(&context, out);
        return;
    }
    br_sha256_init(&context);
    br_sha256_update(&context, data, size);
    br_sha256_out(&context, out);
}

void sha256_labelled(const char* label, const void* data, usize size, u8 (&out)[32]) noexcept
{
    br_sha256_context context;
    br_sha256_init(&context);
    usize length = 0;
    while (label[length] != '\0')
        ++length;
    br_sha256_update(&context, label, length);
    br_sha256_update(&context, data, size);
    br_sha256_out(&context, out);
}

bool verify_signature(const u8* message, usize size, const u8 (&signature)[64], const u8 (&public_point)[65]) noexcept
{
    u8 digest[32];
    sha256(message, size, digest);
    br_ec_public_key key {};
    key.curve = BR_EC_secp256r1;
    key.q = const_cast<u8*>(public_point);
    key.qlen = sizeof(public_point);
    return br_ecdsa_i31_vrfy_raw(&br_ec_p256_m31, digest, sizeof(digest), &key, signature, sizeof(signature)) == 1;
}

Result<VerifiedImage> verify_image(const u8* image, u64 image_limit) noexcept
{
    const auto* prologue = reinterpret_cast<const ImagePrologue*>(image);
    u64 offset = prologue->loader.payload_offset;
    if (offset + sizeof(ImageHeader) > image_limit)
        return Error::formatted(ErrorCode::Integrity, "integrity: truncated image (need {} bytes, have {})"_sv,
            offset + sizeof(ImageHeader), image_limit);

    const auto* header_bytes = image + offset;
    ImageHeader header;
    __builtin_memcpy(&header, header_bytes, sizeof(header));
    if (!bytes_equal(header.magic, image_magic, sizeof(image_magic)))
        return Error::formatted(ErrorCode::Integrity, "integrity: no kernel image header at offset {} (bad magic)"_sv, offset);
    if (header.format_version != image_format_version)
        return Error::formatted(ErrorCode::Integrity, "integrity: image format version {} (this loader reads {})"_sv,
            header.format_version, image_format_version);
    if (header.header_size != sizeof(ImageHeader) || header.signature_length != image_signature_length || header.reserved != 0)
        return Error::formatted(ErrorCode::Integrity, "integrity: malformed image header (size {}, signature length {})"_sv,
            header.header_size, header.signature_length);
    if (header.compressed_size == 0 || header.compressed_size > max_compressed_size
        || header.uncompressed_size == 0 || header.uncompressed_size > max_uncompressed_size)
        return Error::formatted(ErrorCode::Integrity, "integrity: implausible payload sizes ({} compressed, {} uncompressed)"_sv,
            header.compressed_size, header.uncompressed_size);

    u64 signed_size = sizeof(ImageHeader) + header.compressed_size + image_signature_length;
    u64 total = offset + signed_size + sizeof(ImageTrailer);
    if (total > image_limit)
        return Error::formatted(ErrorCode::Integrity, "integrity: truncated image (need {} bytes, have {})"_sv,
            total, image_limit);
    const auto* trailer_bytes = header_bytes + signed_size;
    if (!bytes_equal(trailer_bytes + 8, trailer_magic, sizeof(trailer_magic))
        || read_unaligned<u64>(trailer_bytes) != signed_size + sizeof(ImageTrailer))
        return Error::formatted(ErrorCode::Integrity, "integrity: truncated image (no end marker at offset {})"_sv,
            offset + signed_size);

    u8 signature[64];
    __builtin_memcpy(signature, header_bytes + sizeof(ImageHeader) + header.compressed_size, sizeof(signature));
    if (!verify_signature(header_bytes, sizeof(ImageHeader) + header.compressed_size, signature, signing_public_key))
        return Error::from_code(ErrorCode::Integrity, "signature check failed: kernel image refused");

    VerifiedImage verified;
    verified.header = reinterpret_cast<const ImageHeader*>(header_bytes);
    verified.payload = header_bytes + sizeof(ImageHeader);
    verified.compressed_size = header.compressed_size;
    verified.uncompressed_size = header.uncompressed_size;
    verified.image_size = total;
    return verified;
}

Result<void> decompress_kernel(const VerifiedImage& image, u8* out, BootMemory& memory) noexcept
{
    usize context_size = ZSTD_estimateDCtxSize();
    u64 arena = TRY(memory.allocate(context_size, 4096, Use::Scratch));
    ZSTD_DCtx* context = ZSTD_initStaticDCtx(reinterpret_cast<void*>(arena), context_size);
    if (context == nullptr)
        return Error::from_code(ErrorCode::Unknown, "zstd: cannot set up a decompression context");
    size_t result = ZSTD_decompressDCtx(context, out, image.uncompressed_size, image.payload, image.compressed_size);
    if (ZSTD_isError(result))
        return Error::formatted(ErrorCode::Integrity, "integrity: zstd: {}"_sv, ZSTD_getErrorName(result));
    if (result != image.uncompressed_size)
        return Error::formatted(ErrorCode::Integrity, "integrity: kernel decompressed to {} bytes, header says {}"_sv,
            result, image.uncompressed_size);
    // The signature covers the compressed payload, and decompressing it is
    // deterministic; what is left to catch is a decompressor or memory fault,
    // which the frame's content checksum (XXH64, checked by
    // ZSTD_decompressDCtx above, RFC 8878 §3.1.1) does for about one
    // instruction a byte. The header's SHA-256 of the uncompressed ELF
    // (signed with it) stays for tools; hashing 1.4 MB again here cost 90 M
    // instructions, half the boot.
    ZSTD_frameHeader frame;
    if (ZSTD_getFrameHeader(&frame, image.payload, image.compressed_size) != 0 || !frame.checksumFlag)
        return Error::from_code(ErrorCode::Integrity, "integrity: the kernel's zstd frame has no content checksum");
    return {};
}

} // namespace k23::boot
