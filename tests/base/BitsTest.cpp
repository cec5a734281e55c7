#include <base/Bits.h>

#include <gtest/gtest.h>

using namespace k23;

static_assert(popcount(0xffu) == 8);
static_assert(count_leading_zeros(u32(1)) == 31);
static_assert(sign_extend(0x800, 12) == -2048);
static_assert(fits_signed(2047, 12) && !fits_signed(2048, 12));
static_assert(align_up(u64(13), u64(8)) == 16);

TEST(Bits, Popcount)
{
    EXPECT_EQ(popcount(u64(0)), 0u);
    EXPECT_EQ(popcount(~u64(0)), 64u);
    EXPECT_EQ(popcount(u8(0xff)), 8u);
    EXPECT_EQ(popcount(u32(0x80000001)), 2u);
}

TEST(Bits, LeadingAndTrailingZeros)
{
    EXPECT_EQ(count_leading_zeros(u64(0)), 64u);
    EXPECT_EQ(count_leading_zeros(u32(0)), 32u);
    EXPECT_EQ(count_leading_zeros(u8(0)), 8u);
    EXPECT_EQ(count_leading_zeros(u8(1)), 7u);
    EXPECT_EQ(count_leading_zeros(u16(0x8000)), 0u);
    EXPECT_EQ(count_leading_zeros(~u64(0)), 0u);
    EXPECT_EQ(count_leading_zeros(u64(1)), 63u);
    EXPECT_EQ(count_trailing_zeros(u64(0)), 64u);
    EXPECT_EQ(count_trailing_zeros(u16(0)), 16u);
    EXPECT_EQ(count_trailing_zeros(u64(1) << 63), 63u);
    EXPECT_EQ(count_trailing_zeros(u32(0x50)), 4u);
    EXPECT_EQ(bit_width(u64(0)), 0u);
    EXPECT_EQ(bit_width(u64(255)), 8u);
    EXPECT_EQ(bit_width(u64(256)), 9u);
}

TEST(Bits, PowersOfTwoAndAlignment)
{
    EXPECT_FALSE(is_power_of_two(u64(0)));
    EXPECT_TRUE(is_power_of_two(u64(1)));
    EXPECT_TRUE(is_power_of_two(u64(1) << 63));
    EXPECT_FALSE(is_power_of_two(~u64(0)));
    EXPECT_FALSE(is_power_of_two(u32(6)));
    EXPECT_EQ(round_up_to_power_of_two(u32(0)), 1u);
    EXPECT_EQ(round_up_to_power_of_two(u32(5)), 8u);
    EXPECT_EQ(round_up_to_power_of_two(u32(64)), 64u);
    EXPECT_EQ(round_up_to_power_of_two(u64(1) << 63), u64(1) << 63);
    EXPECT_EQ(align_up(u64(0), u64(4096)), 0u);
    EXPECT_EQ(align_up(u64(1), u64(4096)), 4096u);
    EXPECT_EQ(align_up(u64(4096), u64(4096)), 4096u);
    EXPECT_EQ(align_down(u64(4095), u64(4096)), 0u);
    EXPECT_EQ(align_down(u64(8193), u64(4096)), 8192u);
    EXPECT_EQ(align_up(~u64(0), u64(2)), 0u); // wraps, documented
    EXPECT_TRUE(is_aligned(u64(64), u64(16)));
    EXPECT_FALSE(is_aligned(u64(72), u64(16)));
}

TEST(Bits, Rotate)
{
    EXPECT_EQ(rotl(u32(0x80000001), 1), 0x00000003u);
    EXPECT_EQ(rotr(u32(0x80000001), 1), 0xc0000000u);
    EXPECT_EQ(rotl(u64(0x1234), 64), 0x1234u);
    EXPECT_EQ(rotl(u64(0x1234), 0), 0x1234u);
    EXPECT_EQ(rotr(u8(0x01), 9), 0x80u);
    EXPECT_EQ(rotl(u64(1) << 63, 65), 1u);
    EXPECT_EQ(rotl(u64(1) << 62, 65), u64(1) << 63);
}

TEST(Bits, BitCast)
{
    EXPECT_EQ(bit_cast<u32>(1.0f), 0x3f800000u);
    EXPECT_EQ(bit_cast<u64>(-2.0), 0xc000000000000000ull);
    EXPECT_EQ(bit_cast<f64>(u64(0x3ff0000000000000)), 1.0);
    constexpr u32 bits = bit_cast<u32>(0.5f);
    EXPECT_EQ(bits, 0x3f000000u);
}

TEST(Bits, SignExtend)
{
    // 12-bit immediates as the RISC-V encoder sees them.
    EXPECT_EQ(sign_extend(0x000, 12), 0);
    EXPECT_EQ(sign_extend(0x7ff, 12), 2047);
    EXPECT_EQ(sign_extend(0x800, 12), -2048);
    EXPECT_EQ(sign_extend(0xfff, 12), -1);
    EXPECT_EQ(sign_extend(0x1fff, 12), -1); // bits above 12 ignored
    EXPECT_EQ(sign_extend(0x1, 1), -1);
    EXPECT_EQ(sign_extend(0x0, 1), 0);
    EXPECT_EQ(sign_extend(0x80000000, 32), i64(-2147483648LL));
    EXPECT_EQ(sign_extend(~u64(0), 64), -1);
    EXPECT_EQ(sign_extend(u64(1) << 63, 64), i64(u64(1) << 63));
    EXPECT_EQ(extract_bits(0xabcd, 4, 8), 0xbcu);
    EXPECT_EQ(extract_bits(~u64(0), 0, 64), ~u64(0));
    EXPECT_EQ(low_bits_mask(0), 0u);
    EXPECT_EQ(low_bits_mask(64), ~u64(0));
}

TEST(Bits, FitsSignedBoundaries)
{
    EXPECT_TRUE(fits_signed(-2048, 12));
    EXPECT_FALSE(fits_signed(-2049, 12));
    EXPECT_TRUE(fits_signed(2047, 12));
    EXPECT_FALSE(fits_signed(2048, 12));
    EXPECT_TRUE(fits_signed(0, 1));
    EXPECT_TRUE(fits_signed(-1, 1));
    EXPECT_FALSE(fits_signed(1, 1));
    EXPECT_TRUE(fits_signed(i64(-2147483648LL), 32));
    EXPECT_FALSE(fits_signed(i64(2147483648LL), 32));
    i64 min64 = i64(u64(1) << 63);
    EXPECT_TRUE(fits_signed(min64, 64));
    EXPECT_FALSE(fits_signed(min64, 63));
    // 20-bit U-type upper immediate range.
    EXPECT_TRUE(fits_signed(524287, 20));
    EXPECT_FALSE(fits_signed(524288, 20));
}

TEST(Bits, FitsUnsignedBoundaries)
{
    EXPECT_TRUE(fits_unsigned(0, 0));
    EXPECT_FALSE(fits_unsigned(1, 0));
    EXPECT_TRUE(fits_unsigned(31, 5));
    EXPECT_FALSE(fits_unsigned(32, 5));
    EXPECT_TRUE(fits_unsigned(~u64(0), 64));
    EXPECT_FALSE(fits_unsigned(~u64(0), 63));
}
