#include <base/Vector.h>

#include <gtest/gtest.h>

using namespace k23;

namespace {

struct Counted {
    static inline int live = 0;
    static inline int constructed = 0;
    int value;
    Counted()
        : value(0)
    {
        ++live;
        ++constructed;
    }
    explicit Counted(int v)
        : value(v)
    {
        ++live;
        ++constructed;
    }
    Counted(const Counted& other)
        : value(other.value)
    {
        ++live;
        ++constructed;
    }
    Counted(Counted&& other) noexcept
        : value(other.value)
    {
        other.value = -1;
        ++live;
        ++constructed;
    }
    Counted& operator=(const Counted& other) = default;
    Counted& operator=(Counted&& other) noexcept
    {
        value = other.value;
        other.value = -1;
        return *this;
    }
    ~Counted() { --live; }
    static void reset() { live = constructed = 0; }
};

struct MoveOnly {
    explicit MoveOnly(int v)
        : value(new int(v))
    {
    }
    MoveOnly(MoveOnly&& other) noexcept
        : value(other.value)
    {
        other.value = nullptr;
    }
    MoveOnly& operator=(MoveOnly&& other) noexcept
    {
        delete value;
        value = other.value;
        other.value = nullptr;
        return *this;
    }
    MoveOnly(const MoveOnly&) = delete;
    ~MoveOnly() { delete value; }
    int* value;
};

} // namespace

TEST(Vector, StartsEmpty)
{
    Vector<int> v;
    EXPECT_TRUE(v.is_empty());
    EXPECT_EQ(v.size(), 0u);
    EXPECT_EQ(v.capacity(), 0u);
    EXPECT_EQ(v.begin(), v.end());
}

TEST(Vector, AppendGrowsAndKeepsOrder)
{
    Vector<u32> v;
    for (u32 i = 0; i < 10000; ++i)
        ASSERT_FALSE(v.try_append(i * 3).is_error());
    ASSERT_EQ(v.size(), 10000u);
    EXPECT_GE(v.capacity(), 10000u);
    for (u32 i = 0; i < 10000; ++i)
        ASSERT_EQ(v[i], i * 3);
    EXPECT_EQ(v.first(), 0u);
    EXPECT_EQ(v.last(), 29997u);
    u64 sum = 0;
    for (u32 x : v)
        sum += x;
    EXPECT_EQ(sum, 3ull * 9999 * 10000 / 2);
}

TEST(Vector, MoveOnlyElements)
{
    Vector<MoveOnly> v;
    for (int i = 0; i < 100; ++i)
        v.append(MoveOnly(i));
    for (int i = 0; i < 100; ++i)
        ASSERT_EQ(*v[usize(i)].value, i);
    MoveOnly last = v.take_last();
    EXPECT_EQ(*last.value, 99);
    EXPECT_EQ(v.size(), 99u);
    Vector<MoveOnly> other = k23::move(v);
    EXPECT_EQ(v.size(), 0u);
    EXPECT_EQ(other.size(), 99u);
    EXPECT_EQ(*other[50].value, 50);
}

TEST(Vector, DestructorCountsBalance)
{
    Counted::reset();
    {
        Vector<Counted> v;
        for (int i = 0; i < 1000; ++i)
            v.emplace(i);
        EXPECT_EQ(Counted::live, 1000);
        v.remove(10);
        EXPECT_EQ(Counted::live, 999);
        EXPECT_EQ(v[10].value, 11);
        v.resize(10);
        EXPECT_EQ(Counted::live, 10);
        v.resize(20);
        EXPECT_EQ(Counted::live, 20);
        EXPECT_EQ(v[19].value, 0);
        v.clear();
        EXPECT_EQ(Counted::live, 0);
        EXPECT_GT(v.capacity(), 0u);
        v.emplace(5);
    }
    EXPECT_EQ(Counted::live, 0);
}

TEST(Vector, InlineCapacityStaysInlineThenSpills)
{
    Counted::reset();
    {
        Vector<Counted, 4> v;
        EXPECT_EQ(v.capacity(), 4u);
        for (int i = 0; i < 4; ++i)
            v.emplace(i);
        EXPECT_TRUE(v.is_inline());
        Vector<Counted, 4> moved = k23::move(v);
        EXPECT_TRUE(moved.is_inline());
        EXPECT_EQ(moved.size(), 4u);
        EXPECT_EQ(v.size(), 0u);
        EXPECT_EQ(Counted::live, 4);
        moved.emplace(4);
        EXPECT_FALSE(moved.is_inline());
        for (int i = 0; i < 5; ++i)
            EXPECT_EQ(moved[usize(i)].value, i);
        Vector<Counted, 4> stolen = k23::move(moved);
        EXPECT_FALSE(stolen.is_inline());
        EXPECT_TRUE(moved.is_inline());
        EXPECT_EQ(stolen.size(), 5u);
        stolen.clear_with_capacity();
        EXPECT_TRUE(stolen.is_inline());
        EXPECT_EQ(stolen.capacity(), 4u);
    }
    EXPECT_EQ(Counted::live, 0);
}

TEST(Vector, AppendingOwnElementSurvivesReallocation)
{
    Vector<Counted> v;
    v.emplace(7);
    for (int i = 0; i < 50; ++i) {
        // When this append reallocates, the argument refers into the old buffer.
        v.append(v[0]);
    }
    for (auto& c : v)
        ASSERT_EQ(c.value, 7);
}

TEST(Vector, OutOfMemoryIsAnErrorValue)
{
    Vector<u64> v;
    v.append(1);
    auto huge = v.try_ensure_capacity(~usize(0) / 2);
    ASSERT_TRUE(huge.is_error());
    EXPECT_EQ(huge.error().code(), ErrorCode::OutOfMemory);
    // Large but not overflowing the byte count: the platform refuses it.
    auto big = v.try_ensure_capacity(usize(1) << 45);
    ASSERT_TRUE(big.is_error());
    EXPECT_EQ(big.error().code(), ErrorCode::OutOfMemory);
    auto resize = v.try_resize(usize(1) << 60);
    ASSERT_TRUE(resize.is_error());
    // The vector is untouched.
    EXPECT_EQ(v.size(), 1u);
    EXPECT_EQ(v[0], 1u);
}

TEST(Vector, InsertExtendCloneContains)
{
    Vector<int> v;
    v.append(1);
    v.append(3);
    v.insert(1, 2);
    v.insert(0, 0);
    v.insert(4, 4);
    ASSERT_EQ(v.size(), 5u);
    for (int i = 0; i < 5; ++i)
        EXPECT_EQ(v[usize(i)], i);
    int more[] = { 5, 6, 7 };
    ASSERT_FALSE(v.try_extend(Span<const int>(more)).is_error());
    // Extending from itself must not read freed memory.
    ASSERT_FALSE(v.try_extend(v.span()).is_error());
    ASSERT_EQ(v.size(), 16u);
    EXPECT_EQ(v[8], 0);
    EXPECT_EQ(v[15], 7);
    auto clone = v.try_clone();
    ASSERT_FALSE(clone.is_error());
    EXPECT_TRUE(clone.value().span().equals(v.span()));
    EXPECT_TRUE(v.contains(6));
    EXPECT_FALSE(v.contains(42));
    EXPECT_EQ(v.take(0), 0);
    EXPECT_EQ(v[0], 1);
    Span<const int> s = v;
    EXPECT_EQ(s.size(), 15u);
}

TEST(Vector, ResizeWithFill)
{
    Vector<int> v;
    ASSERT_FALSE(v.try_resize(5, 9).is_error());
    for (int x : v)
        EXPECT_EQ(x, 9);
    ASSERT_FALSE(v.try_resize(2, 1).is_error());
    EXPECT_EQ(v.size(), 2u);
    EXPECT_EQ(v[1], 9);
}

TEST(VectorDeathTest, OutOfBoundsIndexPanics)
{
    Vector<int> v;
    v.append(1);
    EXPECT_DEATH((void)v[1], "VERIFY");
}
