#include <base/Format.h>

#include <gtest/gtest.h>

using namespace k23;

namespace {

template<typename... Args>
FormatBuffer<256> fmt(StringView f, const Args&... args)
{
    return FormatBuffer<256>(f, args...);
}

struct Point {
    int x, y;
    void format(FormatBuilder& b) const { b.appendf("({}, {})", x, y); }
};

} // namespace

#define EXPECT_FMT(expected, ...) EXPECT_STREQ(fmt(__VA_ARGS__).c_str(), expected)

TEST(Format, PlainTextAndEscapes)
{
    EXPECT_FMT("hello", "hello");
    EXPECT_FMT("", "");
    EXPECT_FMT("{}", "{{}}");
    EXPECT_FMT("{5}", "{{{}}}", 5);
    EXPECT_FMT("a}b", "a}b");
}

TEST(Format, Integers)
{
    EXPECT_FMT("x=1 y=-2 z=3", "x={} y={} z={}", 1, -2, 3u);
    EXPECT_FMT("0 255 -128 65535", "{} {} {} {}", u8(0), u8(255), i8(-128), u16(65535));
    EXPECT_FMT("18446744073709551615", "{}", ~u64(0));
    EXPECT_FMT("-9223372036854775808", "{}", i64(u64(1) << 63));
    EXPECT_FMT("9223372036854775807", "{}", i64(~u64(0) >> 1));
    EXPECT_FMT("42", "{:d}", 42);
    EXPECT_FMT("+42 -42", "{:+} {:+}", 42, -42);
}

TEST(Format, HexBinaryOctal)
{
    EXPECT_FMT("ff", "{:x}", 255);
    EXPECT_FMT("FF", "{:X}", 255);
    EXPECT_FMT("0xff", "{:#x}", 255);
    EXPECT_FMT("0XFF", "{:#X}", 255);
    EXPECT_FMT("0000beef", "{:08x}", 0xbeef);
    EXPECT_FMT("0x00beef", "{:#08x}", 0xbeef); // width counts the prefix
    EXPECT_FMT("101", "{:b}", 5);
    EXPECT_FMT("0b101", "{:#b}", 5);
    EXPECT_FMT("17", "{:o}", 15);
    EXPECT_FMT("0", "{:x}", 0);
    EXPECT_FMT("ffffffffffffffff", "{:x}", i64(-1)); // two's complement bits
    EXPECT_FMT("ffffffffffffffff", "{:x}", ~u64(0));
    EXPECT_FMT("1111111111111111111111111111111111111111111111111111111111111111", "{:b}", ~u64(0));
}

TEST(Format, WidthAndAlignment)
{
    EXPECT_FMT("    7", "{:5}", 7);
    EXPECT_FMT("7    |", "{:<5}|", 7);
    EXPECT_FMT("  7  |", "{:^5}|", 7);
    EXPECT_FMT("ab   |", "{:5}|", "ab");
    EXPECT_FMT("   ab|", "{:>5}|", "ab");
    EXPECT_FMT("-0042", "{:05}", -42);
    EXPECT_FMT("123456", "{:3}", 123456); // width never truncates
    EXPECT_FMT("abc", "{:.3}", "abcdef");
}

TEST(Format, BoolCharStrings)
{
    EXPECT_FMT("true false", "{} {}", true, false);
    EXPECT_FMT("1", "{:d}", true);
    EXPECT_FMT("c", "{}", 'c');
    EXPECT_FMT("99", "{:d}", 'c');
    EXPECT_FMT("A", "{:c}", 65);
    const char* cstr = "text";
    char mutable_str[] = "mut";
    EXPECT_FMT("text mut view", "{} {} {}", cstr, mutable_str, "view"_sv);
    const char* null_str = nullptr;
    EXPECT_FMT("(null)", "{}", null_str);
    EXPECT_FMT("ab", "{}", StringView("abcdef", 2));
}

TEST(Format, Pointers)
{
    auto* p = reinterpret_cast<void*>(uptr(0x1000));
    EXPECT_FMT("0x1000", "{}", p);
    EXPECT_FMT("0x0", "{}", nullptr);
    const int* ip = reinterpret_cast<const int*>(uptr(0xdeadbeef));
    EXPECT_FMT("0x00000000deadbeef", "{:018}", ip);
}

TEST(Format, Floats)
{
    EXPECT_FMT("0.0", "{}", 0.0);
    EXPECT_FMT("-0.0", "{}", -0.0);
    EXPECT_FMT("1.5", "{}", 1.5);
    EXPECT_FMT("2.0", "{}", 2.0);
    EXPECT_FMT("-3.25", "{}", -3.25);
    EXPECT_FMT("0.1", "{}", 0.1);
    EXPECT_FMT("3.141593", "{}", 3.14159265358979);
    EXPECT_FMT("3.14", "{:.2}", 3.14159);
    EXPECT_FMT("3", "{:.0}", 3.14159);
    EXPECT_FMT("1.000", "{:.3}", 0.99999);
    EXPECT_FMT("0.25", "{}", 0.25f);
    EXPECT_FMT("1.0e+20", "{}", 1e20);
    EXPECT_FMT("1.5e-07", "{}", 1.5e-7);
    EXPECT_FMT("1.23456e+03", "{:e}", 1234.56);
    EXPECT_FMT("1.234560e+03", "{:.6e}", 1234.56);
    EXPECT_FMT("nan", "{}", __builtin_nan(""));
    EXPECT_FMT("inf -inf", "{} {}", __builtin_inf(), -__builtin_inf());
    EXPECT_FMT("  1.5", "{:5}", 1.5);
    EXPECT_FMT("001.5", "{:05}", 1.5);
    EXPECT_FMT("123456789012.0", "{}", 123456789012.0);
    EXPECT_FMT("1.8e+308", "{:.1e}", 1.7976931348623157e308);
}

TEST(Format, CustomAndEnum)
{
    enum class Op : u8 { Add = 7 };
    EXPECT_FMT("(1, -2) op=7", "{} op={}", Point { 1, -2 }, Op::Add);
}

TEST(Format, PositionalAndBadPlaceholders)
{
    EXPECT_FMT("b a b", "{1} {0} {1}", "a", "b");
    EXPECT_FMT("1 {?}", "{} {}", 1);
    EXPECT_FMT("{?}", "{:q}", 1);
    EXPECT_FMT("x {", "x {", 1);
    EXPECT_FMT("{?}", "{7}", 1);
}

TEST(Format, TruncatesSafely)
{
    char buffer[8];
    __builtin_memset(buffer, 'Z', sizeof(buffer));
    usize n = format_to(buffer, "{} {}", 123456, "abcdef");
    EXPECT_EQ(n, 7u);
    EXPECT_STREQ(buffer, "123456 ");

    char tiny[1] = { 'Z' };
    EXPECT_EQ(format_to(tiny, "hello"), 0u);
    EXPECT_EQ(tiny[0], '\0');

    // An empty buffer is never written.
    EXPECT_EQ(format_to(Span<char>(), "hello"), 0u);

    char exact[6];
    EXPECT_EQ(format_to(exact, "{:x}", 0xabcde), 5u);
    EXPECT_STREQ(exact, "abcde");

    char padded[4];
    EXPECT_EQ(format_to(padded, "{:100}", 1), 3u);
    EXPECT_STREQ(padded, "   ");

    // Guard bytes after the slice stay untouched.
    char guarded[16];
    __builtin_memset(guarded, 'G', sizeof(guarded));
    format_to(Span<char>(guarded, 4), "{:#x}", 0xffffffffu);
    EXPECT_STREQ(guarded, "0xf");
    EXPECT_EQ(guarded[4], 'G');
}

TEST(Format, FormatBufferAppends)
{
    FormatBuffer<16> b;
    EXPECT_TRUE(b.is_empty());
    EXPECT_EQ(FormatBuffer<16>::capacity(), 15u);
    b.append("abc"_sv);
    b.append('-');
    b.appendf("{:x}", 255);
    EXPECT_EQ(b.view(), "abc-ff"_sv);
    EXPECT_FALSE(b.is_truncated());
    b.appendf("{}", "0123456789");
    EXPECT_EQ(b.length(), 15u);
    EXPECT_TRUE(b.is_truncated());
    EXPECT_STREQ(b.c_str(), "abc-ff012345678");
    FormatBuffer<16> copy = b;
    EXPECT_EQ(copy.view(), b.view());
    b.clear();
    EXPECT_EQ(b.length(), 0u);
    EXPECT_FALSE(b.is_truncated());
    EXPECT_STREQ(b.c_str(), "");
}
