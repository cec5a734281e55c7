#include <base/HashMap.h>
#include <base/Vector.h>

#include <gtest/gtest.h>

using namespace k23;

namespace {

struct Counted {
    static inline int live = 0;
    int value;
    explicit Counted(int v)
        : value(v)
    {
        ++live;
    }
    Counted(Counted&& other) noexcept
        : value(other.value)
    {
        ++live;
    }
    Counted& operator=(Counted&& other) noexcept
    {
        value = other.value;
        return *this;
    }
    Counted(const Counted&) = delete;
    ~Counted() { --live; }
};

// All keys hash to one of two buckets: exercises long probe chains and
// backward-shift deletion across wrap-around.
struct CollidingTraits {
    static u32 hash(u32 key) { return key % 2 == 0 ? 0xffffffffu : 0u; }
    static bool equals(u32 a, u32 b) { return a == b; }
};

} // namespace

TEST(HashMap, EmptyMap)
{
    HashMap<u32, u32> map;
    EXPECT_TRUE(map.is_empty());
    EXPECT_EQ(map.get(1), nullptr);
    EXPECT_FALSE(map.remove(1));
    EXPECT_EQ(map.begin(), map.end());
}

TEST(HashMap, SetGetReplace)
{
    HashMap<u32, u32> map;
    EXPECT_EQ(MUST(map.try_set(1, 10)), HashSetResult::InsertedNewEntry);
    EXPECT_EQ(MUST(map.try_set(2, 20)), HashSetResult::InsertedNewEntry);
    EXPECT_EQ(MUST(map.try_set(1, 11)), HashSetResult::ReplacedExistingEntry);
    EXPECT_EQ(map.size(), 2u);
    ASSERT_NE(map.get(1), nullptr);
    EXPECT_EQ(*map.get(1), 11u);
    EXPECT_EQ(*map.get(2), 20u);
    EXPECT_EQ(map.get(3), nullptr);
    *map.get(2) = 21;
    EXPECT_EQ(*map.get(2), 21u);
    EXPECT_TRUE(map.contains(2));
    const auto& cmap = map;
    EXPECT_EQ(*cmap.get(1), 11u);
}

TEST(HashMap, ThousandsOfInsertsAndRemovals)
{
    HashMap<u64, u64> map;
    constexpr u64 count = 20000;
    for (u64 i = 0; i < count; ++i)
        map.set(i * 7919, i);
    ASSERT_EQ(map.size(), count);
    // Remove every third key.
    for (u64 i = 0; i < count; i += 3)
        ASSERT_TRUE(map.remove(i * 7919));
    for (u64 i = 0; i < count; ++i) {
        const u64* v = map.get(i * 7919);
        if (i % 3 == 0) {
            ASSERT_EQ(v, nullptr) << i;
        } else {
            ASSERT_NE(v, nullptr) << i;
            ASSERT_EQ(*v, i);
        }
    }
    EXPECT_EQ(map.size(), count - (count + 2) / 3);
    // Reinsert the removed ones with new values; everything reachable.
    for (u64 i = 0; i < count; i += 3)
        map.set(i * 7919, i + 1);
    EXPECT_EQ(map.size(), count);
    for (u64 i = 0; i < count; ++i)
        ASSERT_EQ(*map.get(i * 7919), i % 3 == 0 ? i + 1 : i);
    // Load factor bound holds.
    EXPECT_LE(map.size() * 4, map.capacity() * 3);
}

TEST(HashMap, CollidingKeysWithWrapAround)
{
    HashMap<u32, u32, CollidingTraits> map;
    for (u32 i = 0; i < 200; ++i)
        map.set(i, i * 2);
    for (u32 i = 0; i < 200; i += 2)
        ASSERT_TRUE(map.remove(i));
    for (u32 i = 0; i < 200; ++i) {
        if (i % 2 == 0)
            ASSERT_EQ(map.get(i), nullptr);
        else
            ASSERT_EQ(*map.get(i), i * 2);
    }
    for (u32 i = 1; i < 200; i += 4)
        ASSERT_TRUE(map.remove(i));
    for (u32 i = 0; i < 200; ++i) {
        bool present = i % 2 == 1 && (i - 1) % 4 != 0;
        ASSERT_EQ(map.get(i) != nullptr, present) << i;
    }
    EXPECT_EQ(map.size(), 50u);
}

TEST(HashMap, RandomizedAgainstReference)
{
    // Cross-check against a direct-indexed table using a simple LCG.
    HashMap<u32, u32> map;
    u32 reference[512];
    bool present[512] = {};
    u64 state = 12345;
    usize expected_size = 0;
    for (int step = 0; step < 50000; ++step) {
        state = state * 6364136223846793005ull + 1442695040888963407ull;
        u32 key = u32(state >> 33) % 512;
        bool insert = (state >> 20) & 1;
        if (insert) {
            u32 value = u32(state >> 40);
            if (!present[key])
                ++expected_size;
            map.set(key, value);
            reference[key] = value;
            present[key] = true;
        } else {
            ASSERT_EQ(map.remove(key), present[key]);
            if (present[key])
                --expected_size;
            present[key] = false;
        }
    }
    ASSERT_EQ(map.size(), expected_size);
    for (u32 key = 0; key < 512; ++key) {
        if (present[key]) {
            ASSERT_NE(map.get(key), nullptr);
            ASSERT_EQ(*map.get(key), reference[key]);
        } else {
            ASSERT_EQ(map.get(key), nullptr);
        }
    }
}

TEST(HashMap, StringViewKeys)
{
    HashMap<StringView, int> map;
    map.set("memory"_sv, 1);
    map.set("table"_sv, 2);
    map.set("global"_sv, 3);
    char buffer[] = "table";
    ASSERT_NE(map.get(StringView(buffer)), nullptr);
    EXPECT_EQ(*map.get(StringView(buffer)), 2);
    EXPECT_EQ(map.get("tabl"_sv), nullptr);
    EXPECT_TRUE(map.remove("memory"_sv));
    EXPECT_EQ(map.size(), 2u);
}

TEST(HashMap, IterationVisitsEveryEntryOnce)
{
    HashMap<u32, u32> map;
    for (u32 i = 0; i < 1000; ++i)
        map.set(i, i + 1);
    u64 key_sum = 0;
    u64 value_sum = 0;
    usize visited = 0;
    for (auto& entry : map) {
        key_sum += entry.key;
        value_sum += entry.value;
        ++visited;
    }
    EXPECT_EQ(visited, 1000u);
    EXPECT_EQ(key_sum, 999u * 1000 / 2);
    EXPECT_EQ(value_sum, key_sum + 1000);
    const auto& cmap = map;
    visited = 0;
    for (const auto& entry : cmap)
        visited += entry.value > 0;
    EXPECT_EQ(visited, 1000u);
}

TEST(HashMap, DestructorCountsAndMove)
{
    Counted::live = 0;
    {
        HashMap<u32, Counted> map;
        for (u32 i = 0; i < 500; ++i)
            map.set(i, Counted(int(i)));
        EXPECT_EQ(Counted::live, 500);
        for (u32 i = 0; i < 500; i += 2)
            map.remove(i);
        EXPECT_EQ(Counted::live, 250);
        map.set(1, Counted(-1)); // replace: no leak
        EXPECT_EQ(Counted::live, 250);
        HashMap<u32, Counted> other = k23::move(map);
        EXPECT_EQ(map.size(), 0u);
        EXPECT_EQ(other.get(1)->value, -1);
        EXPECT_EQ(Counted::live, 250);
        other.clear();
        EXPECT_EQ(Counted::live, 0);
        other.set(5, Counted(5));
    }
    EXPECT_EQ(Counted::live, 0);
}

TEST(HashMap, EnsureCapacityAvoidsRehash)
{
    HashMap<u32, u32> map;
    ASSERT_FALSE(map.try_ensure_capacity(1000).is_error());
    usize capacity = map.capacity();
    EXPECT_GE(capacity * 3, 1000u * 4);
    for (u32 i = 0; i < 1000; ++i)
        map.set(i, i);
    EXPECT_EQ(map.capacity(), capacity);
    auto huge = map.try_ensure_capacity(~usize(0) / 4);
    ASSERT_TRUE(huge.is_error());
    EXPECT_EQ(huge.error().code(), ErrorCode::OutOfMemory);
    EXPECT_EQ(map.size(), 1000u);
}

TEST(HashMap, PointerAndEnumKeys)
{
    enum class Color { Red, Green };
    HashMap<Color, int> colors;
    colors.set(Color::Green, 2);
    EXPECT_EQ(*colors.get(Color::Green), 2);
    EXPECT_EQ(colors.get(Color::Red), nullptr);
    int a = 0, b = 0;
    HashMap<int*, int> pointers;
    pointers.set(&a, 1);
    pointers.set(&b, 2);
    EXPECT_EQ(*pointers.get(&b), 2);
}
