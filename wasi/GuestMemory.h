#pragma once

// Bounds-checked copies between host memory and a guest's linear memory for
// host functions. Every pointer and length a guest passes goes through here:
// an access that does not lie entirely inside the memory fails (the WASI
// functions answer EFAULT), it never touches host memory outside the
// guest's. No pointer into the guest's memory ever leaves this class: host
// functions get copies (read/write, the little-endian integers) and move
// bulk data through their own bounded buffers (wasi/Wasi.cpp: iovecs in
// chunks, paths into a PATH_MAX buffer).
//
// The copy itself is a GuestMemoryCopier: a plain memcpy by default (k23-run,
// tests with a fake memory), the kernel's for guests in U-mode
// (kernel/UserCopy.h: sstatus.SUM set for exactly the copy, a fault inside
// it committing the page or failing the copy). A copier that fails makes
// the access fail like an out-of-bounds one.

#include <base/Span.h>
#include <base/Integers.h>

namespace k23::wasi {

// How bytes cross into and out of a guest's memory; `guest` is an address
// inside it, already bounds-checked. Returns false if the copy faulted.
struct GuestMemoryCopier {
    bool (*copy_in)(void* destination, const u8* guest_source, usize length) noexcept;
    bool (*copy_out)(u8* guest_destination, const void* source, usize length) noexcept;
};

// The default: the guest's memory is ordinary host memory.
inline constexpr GuestMemoryCopier plain_memory_copier {
    [](void* destination, const u8* guest_source, usize length) noexcept {
        __builtin_memcpy(destination, guest_source, length);
        return true;
    },
    [](u8* guest_destination, const void* source, usize length) noexcept {
        __builtin_memcpy(guest_destination, source, length);
        return true;
    },
};

class GuestMemory {
public:
    GuestMemory() noexcept = default;
    explicit GuestMemory(Span<u8> bytes, const GuestMemoryCopier& copier = plain_memory_copier) noexcept
        : m_bytes(bytes)
        , m_copier(&copier)
    {
    }

    [[nodiscard]] usize size() const noexcept { return m_bytes.size(); }

    // [address, address + length) inside the memory? 64-bit arithmetic: a
    // u32 address plus a u32 (or u64) length cannot wrap around. A
    // zero-length range at the very end is fine.
    [[nodiscard]] bool contains(u64 address, u64 length) const noexcept
    {
        return address <= m_bytes.size() && length <= m_bytes.size() - address;
    }

    [[nodiscard]] bool read_u8(u64 address, u8& out) const noexcept { return read(address, &out, 1); }
    [[nodiscard]] bool read_u16(u64 address, u16& out) const noexcept { return read_le(address, out); }
    [[nodiscard]] bool read_u32(u64 address, u32& out) const noexcept { return read_le(address, out); }
    [[nodiscard]] bool read_u64(u64 address, u64& out) const noexcept { return read_le(address, out); }

    [[nodiscard]] bool write_u8(u64 address, u8 value) const noexcept { return write(address, &value, 1); }
    [[nodiscard]] bool write_u16(u64 address, u16 value) const noexcept { return write_le(address, value); }
    [[nodiscard]] bool write_u32(u64 address, u32 value) const noexcept { return write_le(address, value); }
    [[nodiscard]] bool write_u64(u64 address, u64 value) const noexcept { return write_le(address, value); }

    // Copies [address, address + length) of the guest's memory to `out`.
    [[nodiscard]] bool read(u64 address, void* out, u64 length) const noexcept
    {
        if (!contains(address, length))
            return false;
        return length == 0 || m_copier->copy_in(out, m_bytes.data() + address, length);
    }
    // Copies `length` bytes from `data` to the guest's memory at `address`.
    [[nodiscard]] bool write(u64 address, const void* data, u64 length) const noexcept
    {
        if (!contains(address, length))
            return false;
        return length == 0 || m_copier->copy_out(m_bytes.data() + address, data, length);
    }

private:
    template<typename T>
    [[nodiscard]] bool read_le(u64 address, T& out) const noexcept
    {
        u8 bytes[sizeof(T)];
        if (!read(address, bytes, sizeof(T)))
            return false;
        T value = 0;
        for (usize i = 0; i < sizeof(T); ++i)
            value |= T(bytes[i]) << (8 * i);
        out = value;
        return true;
    }
    template<typename T>
    [[nodiscard]] bool write_le(u64 address, T value) const noexcept
    {
        u8 bytes[sizeof(T)];
        for (usize i = 0; i < sizeof(T); ++i)
            bytes[i] = u8(value >> (8 * i));
        return write(address, bytes, sizeof(T));
    }

    Span<u8> m_bytes;
    const GuestMemoryCopier* m_copier { &plain_memory_copier };
};

} // namespace k23::wasi
