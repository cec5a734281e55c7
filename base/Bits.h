#pragma once

// Bit manipulation, constexpr so encoders can check immediates at compile
// time. Unsigned templates work on any unsigned integer type; the bit count
// functions define their result for 0 (the type's width).

#include <base/Assertions.h>
#include <base/StdLibExtras.h>
#include <base/Integers.h>

namespace k23 {

template<UnsignedIntegral T>
[[nodiscard]] constexpr unsigned bit_width_of() noexcept
{
    return sizeof(T) * 8;
}

template<UnsignedIntegral T>
[[nodiscard]] constexpr unsigned popcount(T value) noexcept
{
    return unsigned(__builtin_popcountll(static_cast<unsigned long long>(value)));
}

// Leading zeros within T's width; count_leading_zeros(T(0)) == bits of T.
template<UnsignedIntegral T>
[[nodiscard]] constexpr unsigned count_leading_zeros(T value) noexcept
{
    if (value == 0)
        return sizeof(T) * 8;
    return unsigned(__builtin_clzll(static_cast<unsigned long long>(value))) - (64 - sizeof(T) * 8);
}

// Trailing zeros; count_trailing_zeros(T(0)) == bits of T.
template<UnsignedIntegral T>
[[nodiscard]] constexpr unsigned count_trailing_zeros(T value) noexcept
{
    if (value == 0)
        return sizeof(T) * 8;
    return unsigned(__builtin_ctzll(static_cast<unsigned long long>(value)));
}

// Number of bits needed to represent value (0 for 0).
template<UnsignedIntegral T>
[[nodiscard]] constexpr unsigned bit_width(T value) noexcept
{
    return sizeof(T) * 8 - count_leading_zeros(value);
}

template<UnsignedIntegral T>
[[nodiscard]] constexpr bool is_power_of_two(T value) noexcept
{
    return value != 0 && (value & (value - 1)) == 0;
}

// Smallest power of two >= value; 0 and 1 give 1. VERIFYs it is representable.
template<UnsignedIntegral T>
[[nodiscard]] constexpr T round_up_to_power_of_two(T value) noexcept
{
    if (value <= 1)
        return 1;
    unsigned shift = bit_width(T(value - 1));
    VERIFY(shift < sizeof(T) * 8);
    return T(T(1) << shift);
}

template<UnsignedIntegral T>
[[nodiscard]] constexpr bool is_aligned(T value, T alignment) noexcept
{
    return (value & (alignment - 1)) == 0;
}

// alignment must be a power of two. align_up wraps to 0 past the top of T's
// range, which callers that care check for (result < value).
template<UnsignedIntegral T>
[[nodiscard]] constexpr T align_up(T value, T alignment) noexcept
{
    VERIFY(is_power_of_two(alignment));
    return T((value + (alignment - 1)) & ~(alignment - 1));
}

template<UnsignedIntegral T>
[[nodiscard]] constexpr T align_down(T value, T alignment) noexcept
{
    VERIFY(is_power_of_two(alignment));
    return T(value & ~(alignment - 1));
}

template<UnsignedIntegral T>
[[nodiscard]] constexpr T rotl(T value, unsigned amount) noexcept
{
    constexpr unsigned width = sizeof(T) * 8;
    amount %= width;
    if (amount == 0)
        return value;
    return T((value << amount) | (value >> (width - amount)));
}

template<UnsignedIntegral T>
[[nodiscard]] constexpr T rotr(T value, unsigned amount) noexcept
{
    constexpr unsigned width = sizeof(T) * 8;
    amount %= width;
    if (amount == 0)
        return value;
    return T((value >> amount) | (value << (width - amount)));
}

template<typename To, typename From>
[[nodiscard]] constexpr To bit_cast(const From& from) noexcept
{
    static_assert(sizeof(To) == sizeof(From), "bit_cast needs equal sizes");
    static_assert(IsTriviallyCopyable<To> && IsTriviallyCopyable<From>);
    return __builtin_bit_cast(To, from);
}

// A mask of the low `bits` bits; bits may be 0..64.
[[nodiscard]] constexpr u64 low_bits_mask(unsigned bits) noexcept
{
    return bits >= 64 ? ~u64(0) : (u64(1) << bits) - 1;
}

// Interprets the low `bits` bits of value as a two's complement number.
// sign_extend(0xfff, 12) == -1; bits is 1..64.
[[nodiscard]] constexpr i64 sign_extend(u64 value, unsigned bits) noexcept
{
    VERIFY(bits >= 1 && bits <= 64);
    if (bits == 64)
        return i64(value);
    u64 masked = value & low_bits_mask(bits);
    u64 sign = u64(1) << (bits - 1);
    return i64((masked ^ sign) - sign);
}

// Bits [lsb, lsb + count) of value, shifted down.
[[nodiscard]] constexpr u64 extract_bits(u64 value, unsigned lsb, unsigned count) noexcept
{
    VERIFY(lsb < 64 && count <= 64 - lsb);
    return (value >> lsb) & low_bits_mask(count);
}

// Whether value is representable as a `bits`-bit two's complement number,
// e.g. fits_signed(x, 12) for an I-type immediate. bits is 1..64.
[[nodiscard]] constexpr bool fits_signed(i64 value, unsigned bits) noexcept
{
    VERIFY(bits >= 1 && bits <= 64);
    if (bits == 64)
        return true;
    i64 low = -(i64(1) << (bits - 1));
    i64 high = (i64(1) << (bits - 1)) - 1;
    return value >= low && value <= high;
}

// Whether value is representable in `bits` unsigned bits. bits is 0..64.
[[nodiscard]] constexpr bool fits_unsigned(u64 value, unsigned bits) noexcept
{
    VERIFY(bits <= 64);
    return bits == 64 || (value >> bits) == 0;
}

} // namespace k23
