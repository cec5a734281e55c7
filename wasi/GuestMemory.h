#pragma once

// Bounds-checked access to a guest's linear memory for host functions.
// Every pointer and length a guest passes goes through here: an access that
// does not lie entirely inside the memory fails (the WASI functions answer
// EFAULT), it never touches host memory outside the guest's.
//
// The view is a plain byte span, so tests hand in a fake memory (any
// buffer) and the runtime the instance's MemoryInstance.

#include <base/Span.h>
#include <base/Types.h>

namespace k23::wasi {

class GuestMemory {
public:
    GuestMemory() noexcept = default;
    explicit GuestMemory(Span<u8> bytes) noexcept
        : m_bytes(bytes)
    {
    }

    [[nodiscard]] usize size() const noexcept { return m_bytes.size(); }

    // [address, address + length) inside the memory? 64-bit arithmetic: a
    // u32 address plus a u32 (or u64) length cannot wrap around.
    [[nodiscard]] bool contains(u64 address, u64 length) const noexcept
    {
        return address <= m_bytes.size() && length <= m_bytes.size() - address;
    }

    // The bytes at [address, address + length), or nullptr when out of
    // bounds. A zero-length range at the very end is fine.
    [[nodiscard]] u8* pointer(u64 address, u64 length) const noexcept
    {
        if (!contains(address, length))
            return nullptr;
        return m_bytes.data() + address;
    }

    [[nodiscard]] bool read_u8(u64 address, u8& out) const noexcept { return read(address, &out, 1); }
    [[nodiscard]] bool read_u16(u64 address, u16& out) const noexcept { return read_le(address, out); }
    [[nodiscard]] bool read_u32(u64 address, u32& out) const noexcept { return read_le(address, out); }
    [[nodiscard]] bool read_u64(u64 address, u64& out) const noexcept { return read_le(address, out); }

    [[nodiscard]] bool write_u8(u64 address, u8 value) const noexcept { return write(address, &value, 1); }
    [[nodiscard]] bool write_u16(u64 address, u16 value) const noexcept { return write_le(address, value); }
    [[nodiscard]] bool write_u32(u64 address, u32 value) const noexcept { return write_le(address, value); }
    [[nodiscard]] bool write_u64(u64 address, u64 value) const noexcept { return write_le(address, value); }

    [[nodiscard]] bool read(u64 address, void* out, u64 length) const noexcept
    {
        u8* p = pointer(address, length);
        if (!p)
            return false;
        if (length)
            __builtin_memcpy(out, p, length);
        return true;
    }
    [[nodiscard]] bool write(u64 address, const void* data, u64 length) const noexcept
    {
        u8* p = pointer(address, length);
        if (!p)
            return false;
        if (length)
            __builtin_memcpy(p, data, length);
        return true;
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
};

} // namespace k23::wasi
