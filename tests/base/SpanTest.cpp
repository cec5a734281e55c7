#include <base/Span.h>
#include <base/StringView.h>

#include <gtest/gtest.h>

using namespace k23;

TEST(Span, BasicsAndSlicing)
{
    int values[] = { 1, 2, 3, 4, 5 };
    Span<int> s(values);
    EXPECT_EQ(s.size(), 5u);
    EXPECT_EQ(s.size_in_bytes(), 5 * sizeof(int));
    EXPECT_FALSE(s.is_empty());
    EXPECT_EQ(s[4], 5);
    s[0] = 10;
    EXPECT_EQ(values[0], 10);
    auto mid = s.slice(1, 3);
    EXPECT_EQ(mid.size(), 3u);
    EXPECT_EQ(mid.first(), 2);
    EXPECT_EQ(mid.last(), 4);
    EXPECT_EQ(s.slice(5).size(), 0u);
    EXPECT_EQ(s.first(2).last(), 2);
    EXPECT_EQ(s.last(2).first(), 4);
    int sum = 0;
    for (int v : s)
        sum += v;
    EXPECT_EQ(sum, 24);
    Span<const int> cs = s;
    EXPECT_EQ(cs.data(), values);
    EXPECT_TRUE(cs.equals(s));
    EXPECT_FALSE(cs.equals(mid));
    Span<int> empty;
    EXPECT_TRUE(empty.is_empty());
    EXPECT_EQ(empty.begin(), empty.end());
    ReadonlyBytes bytes = cs.bytes();
    EXPECT_EQ(bytes.size(), 20u);
}

TEST(SpanDeathTest, OutOfBoundsPanics)
{
    int values[] = { 1, 2 };
    Span<int> s(values);
    EXPECT_DEATH((void)s[2], "VERIFY");
    EXPECT_DEATH((void)s.slice(1, 2), "VERIFY");
}

TEST(StringView, Basics)
{
    StringView empty;
    EXPECT_TRUE(empty.is_empty());
    EXPECT_EQ(StringView(nullptr).length(), 0u);
    StringView s("hello world");
    EXPECT_EQ(s.length(), 11u);
    EXPECT_EQ(s, "hello world");
    EXPECT_FALSE(s == "hello");
    EXPECT_TRUE(s.starts_with("hello"_sv));
    EXPECT_TRUE(s.starts_with('h'));
    EXPECT_FALSE(s.starts_with("world"_sv));
    EXPECT_TRUE(s.ends_with("world"_sv));
    EXPECT_TRUE(s.ends_with('d'));
    EXPECT_TRUE(s.starts_with(""_sv));
    EXPECT_FALSE(empty.starts_with('x'));
    EXPECT_EQ(s.find('o'), 4u);
    EXPECT_EQ(s.find('o', 5), 7u);
    EXPECT_EQ(s.find_last('o'), 7u);
    EXPECT_EQ(s.find('z'), StringView::not_found);
    EXPECT_EQ(s.find("world"_sv), 6u);
    EXPECT_EQ(s.find("worlds"_sv), StringView::not_found);
    EXPECT_EQ(s.find(""_sv), 0u);
    EXPECT_TRUE(s.contains("lo w"_sv));
    EXPECT_EQ(s.substring(6), "world"_sv);
    EXPECT_EQ(s.substring(0, 5), "hello"_sv);
    EXPECT_EQ(s.substring(11).length(), 0u);
    EXPECT_EQ(s[1], 'e');
    EXPECT_EQ(StringView("ab\0cd", 5).length(), 5u);
    EXPECT_NE(StringView("ab\0cd", 5), StringView("ab\0ce", 5));
    EXPECT_EQ("abc"_sv.hash(), StringView("abc").hash());
    EXPECT_NE("abc"_sv.hash(), "abd"_sv.hash());
    static_assert(StringView("const").length() == 5);
    static_assert("x=1"_sv.find('=') == 1);
}

TEST(StringViewDeathTest, OutOfRangeSubstringPanics)
{
    StringView s("abc");
    EXPECT_DEATH((void)s.substring(2, 2), "VERIFY");
}
