#include <base/Arena.h>
#include <base/Bits.h>

#include <gtest/gtest.h>

using namespace k23;

TEST(Arena, AllocationsAreAlignedAndDoNotOverlap)
{
    Arena arena(1024);
    constexpr usize count = 200;
    u8* pointers[count];
    usize sizes[count];
    for (usize i = 0; i < count; ++i) {
        usize alignment = usize(1) << (i % 8); // 1..128
        sizes[i] = (i * 37) % 100;
        pointers[i] = static_cast<u8*>(MUST(arena.try_allocate(sizes[i], alignment)));
        ASSERT_TRUE(is_aligned(uptr(pointers[i]), uptr(alignment))) << i;
        __builtin_memset(pointers[i], int(i & 0xff), sizes[i]);
    }
    // Any overlap would have overwritten an earlier allocation's pattern.
    for (usize i = 0; i < count; ++i) {
        for (usize j = 0; j < sizes[i]; ++j)
            ASSERT_EQ(pointers[i][j], u8(i & 0xff)) << i;
    }
    EXPECT_GT(arena.chunk_count(), 1u);
}

TEST(Arena, LargeAllocationGetsOwnChunk)
{
    Arena arena(1024);
    (void)MUST(arena.try_allocate(10));
    u8* big = static_cast<u8*>(MUST(arena.try_allocate(100000, 64)));
    EXPECT_TRUE(is_aligned(uptr(big), uptr(64)));
    __builtin_memset(big, 1, 100000);
    EXPECT_EQ(big[99999], 1);
    EXPECT_GE(arena.bytes_reserved(), 100000u);
    EXPECT_EQ(arena.bytes_allocated(), 100010u);
}

TEST(Arena, ZeroSizeGivesDistinctPointers)
{
    Arena arena;
    void* a = MUST(arena.try_allocate(0, 1));
    void* b = MUST(arena.try_allocate(0, 1));
    EXPECT_NE(a, b);
}

TEST(Arena, ResetReusesAChunk)
{
    Arena arena(4096);
    for (int i = 0; i < 100; ++i)
        (void)MUST(arena.try_allocate(100));
    EXPECT_GT(arena.chunk_count(), 1u);
    arena.reset();
    EXPECT_EQ(arena.chunk_count(), 1u);
    EXPECT_EQ(arena.bytes_allocated(), 0u);
    EXPECT_EQ(arena.bytes_reserved(), 4096u);
    void* p = MUST(arena.try_allocate(100));
    EXPECT_NE(p, nullptr);
    EXPECT_EQ(arena.chunk_count(), 1u);
}

TEST(Arena, OutOfMemoryIsAnErrorValue)
{
    Arena arena;
    auto huge = arena.try_allocate(~usize(0) - 8, 16);
    ASSERT_TRUE(huge.is_error());
    EXPECT_EQ(huge.error().code(), ErrorCode::OutOfMemory);
    auto big = arena.try_allocate(usize(1) << 50, 16);
    ASSERT_TRUE(big.is_error());
    EXPECT_EQ(big.error().code(), ErrorCode::OutOfMemory);
    auto array = arena.try_allocate_array<u64>(~usize(0) / 4);
    ASSERT_TRUE(array.is_error());
    // Still usable afterwards.
    EXPECT_FALSE(arena.try_allocate(64).is_error());
}

TEST(Arena, CreateAndArrays)
{
    struct Node {
        int value;
        Node* next;
    };
    Arena arena;
    Node* a = MUST(arena.try_create<Node>(Node { 1, nullptr }));
    Node* b = MUST(arena.try_create<Node>(Node { 2, a }));
    EXPECT_EQ(b->next->value, 1);
    EXPECT_TRUE(is_aligned(uptr(b), uptr(alignof(Node))));
    u32* values = MUST(arena.try_allocate_array<u32>(1000));
    for (u32 i = 0; i < 1000; ++i)
        values[i] = i;
    EXPECT_EQ(values[999], 999u);
}

TEST(Arena, MoveTransfersChunks)
{
    Arena a(1024);
    int* p = static_cast<int*>(MUST(a.try_allocate(sizeof(int), alignof(int))));
    *p = 5;
    Arena b = k23::move(a);
    EXPECT_EQ(a.chunk_count(), 0u);
    EXPECT_EQ(b.chunk_count(), 1u);
    EXPECT_EQ(*p, 5);
    Arena c;
    (void)MUST(c.try_allocate(8));
    c = k23::move(b);
    EXPECT_EQ(c.chunk_count(), 1u);
    EXPECT_EQ(*p, 5);
}
