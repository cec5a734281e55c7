#pragma once

// A bounds-checked cursor over wasm bytes with the LEB128 rules of core spec
// 2.0 §5.2.2 "Integers": an encoding of uN / sN may use at most ceil(N/7)
// bytes ("integer representation too long"), and the unused bits of the last
// byte must be zero (unsigned) or a sign extension (signed) ("integer too
// large"). Running off the end reports `m_eof_message` ("unexpected end" for
// the module, "unexpected end of section or function" inside a section).

#include <base/Error.h>
#include <base/Result.h>
#include <base/Span.h>
#include <base/Integers.h>

namespace k23::wasm {

class ByteReader {
public:
    ByteReader() noexcept = default;
    // `base` is the offset of data[0] in the whole module, for error offsets.
    ByteReader(const u8* data, usize size, usize base, const char* eof_message) noexcept
        : m_data(data)
        , m_size(size)
        , m_base(base)
        , m_eof_message(eof_message)
    {
    }

    [[nodiscard]] usize position() const noexcept { return m_position; }
    [[nodiscard]] usize offset() const noexcept { return m_base + m_position; }
    [[nodiscard]] usize remaining() const noexcept { return m_size - m_position; }
    [[nodiscard]] bool at_end() const noexcept { return m_position >= m_size; }
    [[nodiscard]] const u8* cursor() const noexcept { return m_data + m_position; }
    void seek(usize position) noexcept { m_position = position; }

    [[nodiscard]] Error error(ErrorCode code, const char* message) const noexcept
    {
        return Error::from_code(code, message).with_offset(offset());
    }
    [[nodiscard]] Error malformed(const char* message) const noexcept { return error(ErrorCode::Malformed, message); }
    [[nodiscard]] Error eof() const noexcept { return malformed(m_eof_message); }

    Result<u8> read_u8() noexcept
    {
        if (m_position >= m_size) [[unlikely]]
            return eof();
        return m_data[m_position++];
    }
    [[nodiscard]] Result<u8> peek_u8() const noexcept
    {
        if (m_position >= m_size) [[unlikely]]
            return eof();
        return m_data[m_position];
    }

    Result<ReadonlyBytes> read_bytes(usize count) noexcept
    {
        if (count > m_size - m_position) [[unlikely]]
            return eof();
        ReadonlyBytes bytes(m_data + m_position, count);
        m_position += count;
        return bytes;
    }

    Result<u32> read_u32_fixed() noexcept
    {
        auto bytes = TRY(read_bytes(4));
        return u32(bytes[0]) | u32(bytes[1]) << 8 | u32(bytes[2]) << 16 | u32(bytes[3]) << 24;
    }
    Result<u64> read_u64_fixed() noexcept
    {
        u64 low = TRY(read_u32_fixed());
        u64 high = TRY(read_u32_fixed());
        return low | high << 32;
    }

    // Fast paths: one byte, then two (indices, offsets and constants below
    // 2^14 or ±2^13; two bytes never break §5.2.2's length or unused-bit
    // rules for 32 bits); longer ones go through read_leb.
    Result<u32> read_var_u32() noexcept
    {
        if (m_position < m_size && m_data[m_position] < 0x80) [[likely]]
            return m_data[m_position++];
        if (m_size - m_position >= 2 && m_data[m_position + 1] < 0x80) {
            u32 value = u32(m_data[m_position] & 0x7f) | u32(m_data[m_position + 1]) << 7;
            m_position += 2;
            return value;
        }
        u64 value = TRY(read_leb(32, false));
        return u32(value);
    }
    Result<i32> read_var_s32() noexcept
    {
        // Bit 6 of the last byte is the sign (most constants are small).
        if (m_position < m_size && m_data[m_position] < 0x80) [[likely]]
            return i32(i8(u8(m_data[m_position++] << 1))) >> 1;
        if (m_size - m_position >= 2 && m_data[m_position + 1] < 0x80) {
            u32 bits = u32(m_data[m_position] & 0x7f) | u32(m_data[m_position + 1]) << 7;
            m_position += 2;
            return i32(bits << 18) >> 18;
        }
        u64 value = TRY(read_leb(32, true));
        return i32(u32(value));
    }
    Result<i64> read_var_s33() noexcept
    {
        u64 value = TRY(read_leb(33, true));
        return i64(value);
    }
    Result<i64> read_var_s64() noexcept
    {
        if (m_position < m_size && m_data[m_position] < 0x80) [[likely]]
            return i64(i8(u8(m_data[m_position++] << 1))) >> 1;
        u64 value = TRY(read_leb(64, true));
        return i64(value);
    }
    Result<u64> read_var_u64() noexcept { return read_leb(64, false); }
    // An unsigned LEB128 of at most `bits` bits (e.g. the 1-bit limits flag).
    Result<u64> read_var_un(unsigned bits) noexcept { return read_leb(bits, false); }

private:
    // Returns the value sign- or zero-extended to 64 bits.
    Result<u64> read_leb(unsigned bits, bool is_signed) noexcept
    {
        u64 result = 0;
        unsigned shift = 0;
        unsigned max_bytes = (bits + 6) / 7;
        for (unsigned i = 0;; ++i) {
            u8 byte = TRY(read_u8());
            bool last = (byte & 0x80) == 0;
            if (i == max_bytes - 1) {
                if (!last)
                    return malformed("integer representation too long");
                // Bits of this byte beyond the type's width.
                unsigned used = bits - shift; // 1..7
                u8 payload = byte & 0x7f;
                if (is_signed) {
                    // The unused bits plus the sign bit must be all 0 or all 1.
                    u8 mask = u8((0x7f >> (used - 1)) << (used - 1)) & 0x7f;
                    u8 high = payload & mask;
                    if (high != 0 && high != mask)
                        return malformed("integer too large");
                } else if (used < 7 && (payload >> used) != 0) {
                    return malformed("integer too large");
                }
            }
            result |= u64(byte & 0x7f) << shift;
            shift += 7;
            if (last) {
                if (is_signed && shift < 64 && (byte & 0x40))
                    result |= ~u64(0) << shift;
                return result;
            }
        }
    }

    const u8* m_data { nullptr };
    usize m_size { 0 };
    usize m_position { 0 };
    usize m_base { 0 };
    const char* m_eof_message { "unexpected end" };
};

} // namespace k23::wasm
