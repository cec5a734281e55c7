#include <wasm/Leb128.h>

#include <gtest/gtest.h>

#include <string>
#include <vector>

using namespace k23;
using namespace k23::wasm;

namespace {

ByteReader reader(const std::vector<u8>& bytes)
{
    return ByteReader(bytes.data(), bytes.size(), 0, "unexpected end");
}

std::string message(const Error& e) { return std::string(e.message().data(), e.message().length()); }

} // namespace

TEST(Leb128, U32Values)
{
    std::vector<u8> b { 0x00, 0x7f, 0x80, 0x01, 0xff, 0xff, 0xff, 0xff, 0x0f };
    auto r = reader(b);
    EXPECT_EQ(MUST(r.read_var_u32()), 0u);
    EXPECT_EQ(MUST(r.read_var_u32()), 127u);
    EXPECT_EQ(MUST(r.read_var_u32()), 128u);
    EXPECT_EQ(MUST(r.read_var_u32()), 0xffffffffu); // 5 bytes, top nibble 0xf
    EXPECT_TRUE(r.at_end());
}

TEST(Leb128, U32OverlongZeroPaddingIsAllowedWithinFiveBytes)
{
    std::vector<u8> b { 0x80, 0x80, 0x80, 0x80, 0x00 }; // 0 in five bytes
    auto r = reader(b);
    EXPECT_EQ(MUST(r.read_var_u32()), 0u);
}

TEST(Leb128, U32SixBytesIsTooLong)
{
    std::vector<u8> b { 0x80, 0x80, 0x80, 0x80, 0x80, 0x00 };
    auto r = reader(b);
    auto result = r.read_var_u32();
    ASSERT_TRUE(result.is_error());
    EXPECT_EQ(message(result.error()), "integer representation too long");
    EXPECT_EQ(result.error().offset(), 5u); // after the fifth byte
}

TEST(Leb128, U32UnusedBitsMustBeZero)
{
    std::vector<u8> b { 0xff, 0xff, 0xff, 0xff, 0x1f }; // bit 32 set
    auto r = reader(b);
    auto result = r.read_var_u32();
    ASSERT_TRUE(result.is_error());
    EXPECT_EQ(message(result.error()), "integer too large");
}

TEST(Leb128, S32SignExtension)
{
    std::vector<u8> b { 0x7f, 0x80, 0x7f, 0xff, 0xff, 0xff, 0xff, 0x07, 0x80, 0x80, 0x80, 0x80, 0x78 };
    auto r = reader(b);
    EXPECT_EQ(MUST(r.read_var_s32()), -1);
    EXPECT_EQ(MUST(r.read_var_s32()), -128);
    EXPECT_EQ(MUST(r.read_var_s32()), 0x7fffffff);
    EXPECT_EQ(MUST(r.read_var_s32()), i32(0x80000000u));
}

// The one-byte fast path: bit 6 is the sign.
TEST(Leb128, SignedOneByteValues)
{
    std::vector<u8> b { 0x00, 0x01, 0x3f, 0x40, 0x41, 0x7f, 0x00, 0x3f, 0x40, 0x7f };
    auto r = reader(b);
    EXPECT_EQ(MUST(r.read_var_s32()), 0);
    EXPECT_EQ(MUST(r.read_var_s32()), 1);
    EXPECT_EQ(MUST(r.read_var_s32()), 63);
    EXPECT_EQ(MUST(r.read_var_s32()), -64);
    EXPECT_EQ(MUST(r.read_var_s32()), -63);
    EXPECT_EQ(MUST(r.read_var_s32()), -1);
    EXPECT_EQ(MUST(r.read_var_s64()), 0);
    EXPECT_EQ(MUST(r.read_var_s64()), 63);
    EXPECT_EQ(MUST(r.read_var_s64()), -64);
    EXPECT_EQ(MUST(r.read_var_s64()), -1);
    EXPECT_TRUE(r.at_end());
    EXPECT_TRUE(r.read_var_s32().is_error());
    EXPECT_TRUE(r.read_var_s64().is_error());
}

TEST(Leb128, S32LastByteMustBeSignExtension)
{
    // 0x70 in the fifth byte: bits 4-6 set but bit 3 (the sign) clear.
    std::vector<u8> b { 0xff, 0xff, 0xff, 0xff, 0x70 };
    auto r = reader(b);
    auto result = r.read_var_s32();
    ASSERT_TRUE(result.is_error());
    EXPECT_EQ(message(result.error()), "integer too large");
    // 0x0f: sign bit set, upper bits clear -> also malformed.
    std::vector<u8> c { 0x80, 0x80, 0x80, 0x80, 0x0f };
    auto r2 = reader(c);
    EXPECT_TRUE(r2.read_var_s32().is_error());
}

TEST(Leb128, S64Limits)
{
    std::vector<u8> min { 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x7f };
    auto r = reader(min);
    EXPECT_EQ(MUST(r.read_var_s64()), i64(0x8000000000000000ull));
    std::vector<u8> bad { 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01 };
    auto r2 = reader(bad);
    auto result = r2.read_var_s64();
    ASSERT_TRUE(result.is_error());
    EXPECT_EQ(message(result.error()), "integer too large");
}

TEST(Leb128, S33BlockTypeRange)
{
    std::vector<u8> b { 0xff, 0xff, 0xff, 0xff, 0x0f }; // 2^32 - 1 as s33
    auto r = reader(b);
    EXPECT_EQ(MUST(r.read_var_s33()), i64(0xffffffff));
}

TEST(Leb128, TruncatedIsUnexpectedEnd)
{
    std::vector<u8> b { 0x80, 0x80 };
    auto r = reader(b);
    auto result = r.read_var_u32();
    ASSERT_TRUE(result.is_error());
    EXPECT_EQ(message(result.error()), "unexpected end");
    EXPECT_EQ(result.error().code(), ErrorCode::Malformed);
}

TEST(Leb128, OneBitFlag)
{
    std::vector<u8> ok { 0x01 }, big { 0x02 }, longer { 0x81, 0x00 };
    auto r1 = reader(ok);
    EXPECT_EQ(MUST(r1.read_var_un(1)), 1u);
    auto r2 = reader(big);
    EXPECT_EQ(message(r2.read_var_un(1).error()), "integer too large");
    auto r3 = reader(longer);
    EXPECT_EQ(message(r3.read_var_un(1).error()), "integer representation too long");
}
