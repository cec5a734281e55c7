#include <base/Result.h>

#include <gtest/gtest.h>

using namespace k23;

namespace {

struct Tracked {
    static inline int live = 0;
    static inline int destroyed = 0;
    int value;
    explicit Tracked(int v)
        : value(v)
    {
        ++live;
    }
    Tracked(Tracked&& other) noexcept
        : value(other.value)
    {
        other.value = -1;
        ++live;
    }
    Tracked(const Tracked&) = delete;
    Tracked& operator=(Tracked&& other) noexcept
    {
        value = other.value;
        other.value = -1;
        return *this;
    }
    ~Tracked()
    {
        --live;
        ++destroyed;
    }
};

Result<int> parse_digit(char c)
{
    if (c < '0' || c > '9')
        return Error::formatted(ErrorCode::Malformed, "not a digit: '{}'", c).with_offset(7);
    return c - '0';
}

Result<int> parse_two(const char* s)
{
    int hi = TRY(parse_digit(s[0]));
    int lo = TRY(parse_digit(s[1]));
    return hi * 10 + lo;
}

Result<void> check_sum(const char* a, const char* b, int* out)
{
    int x = TRY(parse_two(a));
    int y = TRY(parse_two(b));
    *out = x + y;
    return {};
}

Error only_error(const char* a)
{
    TRY(parse_two(a));
    return Error::from_code(ErrorCode::NotFound, "no error upstream");
}

Result<Tracked> make_tracked(int v)
{
    if (v < 0)
        return Error::from_code(ErrorCode::InvalidArgument, "negative");
    return Tracked(v);
}

Result<int> consume_tracked(int v)
{
    Tracked t = TRY(make_tracked(v));
    return t.value * 2;
}

} // namespace

TEST(Result, HoldsValue)
{
    Result<int> r = 42;
    ASSERT_FALSE(r.is_error());
    EXPECT_TRUE(static_cast<bool>(r));
    EXPECT_EQ(r.value(), 42);
    EXPECT_EQ(r.release_value(), 42);
}

TEST(Result, HoldsError)
{
    Result<int> r = Error::from_code(ErrorCode::OutOfRange, "too big");
    ASSERT_TRUE(r.is_error());
    EXPECT_EQ(r.error().code(), ErrorCode::OutOfRange);
    EXPECT_EQ(r.error().message(), "too big"_sv);
    EXPECT_FALSE(r.error().has_offset());
    EXPECT_EQ(r.value_or(5), 5);
}

TEST(Result, ImplicitConversionFromConvertibleType)
{
    auto f = []() -> Result<u64> { return 7; };
    EXPECT_EQ(f().value(), 7u);
    struct Base { int x = 1; };
    struct Derived : Base { };
    Derived d;
    auto g = [&]() -> Result<Base*> { return &d; };
    EXPECT_EQ(g().value(), static_cast<Base*>(&d));
}

TEST(Result, TryPropagatesThroughSeveralLevels)
{
    int sum = 0;
    auto ok = check_sum("12", "30", &sum);
    ASSERT_FALSE(ok.is_error());
    EXPECT_EQ(sum, 42);

    sum = -1;
    auto bad = check_sum("12", "3x", &sum);
    ASSERT_TRUE(bad.is_error());
    EXPECT_EQ(sum, -1);
    EXPECT_EQ(bad.error().code(), ErrorCode::Malformed);
    EXPECT_EQ(bad.error().message(), "not a digit: 'x'"_sv);
    ASSERT_TRUE(bad.error().has_offset());
    EXPECT_EQ(bad.error().offset(), 7u);
}

TEST(Result, TryInFunctionReturningError)
{
    EXPECT_EQ(only_error("1z").code(), ErrorCode::Malformed);
    EXPECT_EQ(only_error("12").code(), ErrorCode::NotFound);
}

TEST(Result, MoveOnlyValueThroughTry)
{
    Tracked::live = 0;
    Tracked::destroyed = 0;
    {
        auto r = consume_tracked(21);
        ASSERT_FALSE(r.is_error());
        EXPECT_EQ(r.value(), 42);
        auto e = consume_tracked(-1);
        ASSERT_TRUE(e.is_error());
        EXPECT_EQ(e.error().code(), ErrorCode::InvalidArgument);
    }
    EXPECT_EQ(Tracked::live, 0);
}

TEST(Result, DestroysValueExactlyOnce)
{
    Tracked::live = 0;
    Tracked::destroyed = 0;
    {
        Result<Tracked> r = Tracked(3);
        EXPECT_EQ(Tracked::live, 1);
        Result<Tracked> moved = k23::move(r);
        EXPECT_EQ(Tracked::live, 2); // moved-from T still lives inside r
        EXPECT_EQ(moved.value().value, 3);
        EXPECT_EQ(r.value().value, -1);
        Tracked out = moved.release_value();
        EXPECT_EQ(out.value, 3);
        EXPECT_EQ(Tracked::live, 3);
    }
    EXPECT_EQ(Tracked::live, 0);
    EXPECT_EQ(Tracked::destroyed, 4); // temporary + r + moved + out
}

TEST(Result, ErrorResultDoesNotDestroyValue)
{
    Tracked::live = 0;
    Tracked::destroyed = 0;
    {
        Result<Tracked> r = Error::from_code(ErrorCode::IO);
        EXPECT_TRUE(r.is_error());
    }
    EXPECT_EQ(Tracked::destroyed, 0);
}

TEST(Result, AssignmentSwitchesBetweenValueAndError)
{
    Tracked::live = 0;
    {
        Result<Tracked> r = Tracked(1);
        r = Result<Tracked>(Error::from_code(ErrorCode::Trap));
        EXPECT_TRUE(r.is_error());
        EXPECT_EQ(Tracked::live, 0);
        r = Result<Tracked>(Tracked(9));
        ASSERT_FALSE(r.is_error());
        EXPECT_EQ(r->value, 9);
        EXPECT_EQ(Tracked::live, 1);
    }
    EXPECT_EQ(Tracked::live, 0);
}

TEST(Result, CopyableWhenValueIsCopyable)
{
    Result<int> a = 5;
    Result<int> b = a;
    EXPECT_EQ(b.value(), 5);
    Result<int> c = Error::from_code(ErrorCode::IO, "disk");
    b = c;
    EXPECT_TRUE(b.is_error());
    EXPECT_EQ(b.error().message(), "disk"_sv);
    static_assert(!IsCopyConstructible<Result<Tracked>>);
    static_assert(IsCopyConstructible<Result<int>>);
}

TEST(Result, VoidResult)
{
    Result<void> ok;
    EXPECT_FALSE(ok.is_error());
    Result<void> bad = Error::from_code(ErrorCode::Unsupported, "nope");
    ASSERT_TRUE(bad.is_error());
    Error e = bad.release_error();
    EXPECT_EQ(e.code(), ErrorCode::Unsupported);
    auto f = [](bool fail) -> Result<int> {
        auto inner = [](bool fail) -> Result<void> {
            if (fail)
                return Error::from_code(ErrorCode::Busy);
            return {};
        };
        TRY(inner(fail));
        return 1;
    };
    EXPECT_EQ(f(false).value(), 1);
    EXPECT_EQ(f(true).error().code(), ErrorCode::Busy);
}

TEST(Result, MustYieldsValue)
{
    EXPECT_EQ(MUST(parse_two("99")), 99);
    Tracked t = MUST(make_tracked(4));
    EXPECT_EQ(t.value, 4);
}

TEST(ResultDeathTest, MustPanicsWithErrorMessage)
{
    EXPECT_DEATH((void)MUST(parse_two("a1")), "not a digit");
}

TEST(ResultDeathTest, ValueOfErrorPanics)
{
    Result<int> r = Error::from_code(ErrorCode::IO);
    EXPECT_DEATH((void)r.value(), "VERIFY");
}

TEST(Error, MessageIsTruncatedNotOverflowed)
{
    char long_message[400];
    for (usize i = 0; i < sizeof(long_message) - 1; ++i)
        long_message[i] = char('a' + i % 26);
    long_message[sizeof(long_message) - 1] = '\0';
    Error e = Error::from_code(ErrorCode::Malformed, long_message);
    EXPECT_EQ(e.message().length(), Error::message_capacity - 1);
    EXPECT_TRUE(StringView(long_message).starts_with(e.message()));
    EXPECT_EQ(e.message_cstring()[Error::message_capacity - 1], '\0');

    Error f = Error::formatted(ErrorCode::Malformed, "{}{}", long_message, 12345);
    EXPECT_EQ(f.message().length(), Error::message_capacity - 1);
}

TEST(Error, LocationAndFormatting)
{
    Error e = Error::from_code(ErrorCode::Invalid, "type mismatch").with_offset(0x1c).in_function(3);
    EXPECT_TRUE(e.has_offset());
    EXPECT_EQ(e.offset(), 0x1cu);
    EXPECT_TRUE(e.has_function_index());
    EXPECT_EQ(e.function_index(), 3u);
    char buffer[128];
    format_to(buffer, "{}", e);
    EXPECT_STREQ(buffer, "Invalid: type mismatch (at offset 0x1c, in function 3)");

    Error bare = Error::from_code(ErrorCode::OutOfMemory);
    EXPECT_TRUE(bare.message().is_empty());
    EXPECT_FALSE(bare.has_function_index());
    format_to(buffer, "[{}]", bare);
    EXPECT_STREQ(buffer, "[OutOfMemory]");
    EXPECT_TRUE(bare == ErrorCode::OutOfMemory);
}

TEST(Error, CodeNames)
{
    EXPECT_EQ(error_code_name(ErrorCode::Unlinkable), "Unlinkable"_sv);
    EXPECT_EQ(error_code_name(ErrorCode::Integrity), "Integrity"_sv);
    EXPECT_EQ(error_code_name(ErrorCode(999)), "?"_sv);
}
