// The kernel heap (kernel/Heap.h) and base/'s allocating types on top of it.

#include <base/Format.h>
#include <base/Memory.h>
#include <base/Result.h>
#include <base/Vector.h>
#include <kernel/Heap.h>
#include <kernel/KTest.h>

using namespace k23;
using namespace k23::kernel;

namespace {
alignas(16) u8 s_test_heap_region[64 * 1024];
}

KTEST(heap_exhaustion_returns_null)
{
    FreeListHeap heap;
    heap.initialize(s_test_heap_region, sizeof(s_test_heap_region));
    KEXPECT_EQ(heap.free_bytes(), sizeof(s_test_heap_region));
    void* blocks[64] = {};
    usize count = 0;
    while (count < 64) {
        void* p = heap.allocate(4000, 16);
        if (p == nullptr)
            break;
        KEXPECT(heap.contains(p));
        blocks[count++] = p;
    }
    // 64 KiB holds 16 blocks of 4000 + header bytes, not more.
    KEXPECT_EQ(count, 16u);
    KEXPECT(heap.allocate(4000, 16) == nullptr);
    KEXPECT(heap.allocate(~usize(0), 16) == nullptr);
    KEXPECT(heap.allocate(~usize(0) - 8, 16) == nullptr);
    for (usize i = 0; i < count; ++i)
        heap.deallocate(blocks[i]);
    KEXPECT_EQ(heap.free_bytes(), sizeof(s_test_heap_region));
}

KTEST(heap_reuse_and_coalescing)
{
    FreeListHeap heap;
    heap.initialize(s_test_heap_region, sizeof(s_test_heap_region));
    void* a = heap.allocate(1000, 16);
    void* b = heap.allocate(1000, 16);
    void* c = heap.allocate(1000, 16);
    KASSERT(a && b && c);
    KEXPECT(a != b && b != c);
    fill_bytes(b, 0xab, 1000);
    heap.deallocate(b);
    // First fit: the hole left by b is reused for a block that fits in it.
    void* d = heap.allocate(900, 16);
    KEXPECT_EQ(d, b);
    heap.deallocate(a);
    heap.deallocate(d);
    heap.deallocate(c);
    // Everything merged back: one allocation can take (nearly) the whole heap.
    void* all = heap.allocate(sizeof(s_test_heap_region) - 64, 16);
    KEXPECT_NE(all, nullptr);
    heap.deallocate(all);
    KEXPECT_EQ(heap.free_bytes(), sizeof(s_test_heap_region));
}

KTEST(heap_alignment)
{
    FreeListHeap heap;
    heap.initialize(s_test_heap_region, sizeof(s_test_heap_region));
    void* small = heap.allocate(8, 8);
    KEXPECT_EQ(reinterpret_cast<uptr>(small) % 16, 0u);
    void* page = heap.allocate(100, 4096);
    KASSERT(page != nullptr);
    KEXPECT_EQ(reinterpret_cast<uptr>(page) % 4096, 0u);
    KEXPECT(heap.allocate(16, 3) == nullptr); // not a power of two
    heap.deallocate(page);
    heap.deallocate(small);
    KEXPECT_EQ(heap.free_bytes(), sizeof(s_test_heap_region));
}

KTEST(heap_platform_allocate)
{
    usize free_before = kernel_heap().free_bytes();
    KEXPECT_GE(kernel_heap().capacity(), 4u * 1024 * 1024 - 16);
    void* p = platform_allocate(256, 64);
    KASSERT(p != nullptr);
    KEXPECT_EQ(reinterpret_cast<uptr>(p) % 64, 0u);
    KEXPECT(platform_allocate(usize(1) << 40, 16) == nullptr);
    platform_deallocate(p, 256, 64);
    KEXPECT_EQ(kernel_heap().free_bytes(), free_before);
}

KTEST(base_vector_in_kernel)
{
    usize free_before = kernel_heap().free_bytes();
    {
        Vector<u64> values;
        for (u64 i = 0; i < 1000; ++i)
            KASSERT(!values.try_append(i * i).is_error());
        KEXPECT_EQ(values.size(), 1000u);
        KEXPECT_EQ(values[999], 999u * 999u);
        KEXPECT_LT(kernel_heap().free_bytes(), free_before);
    }
    KEXPECT_EQ(kernel_heap().free_bytes(), free_before);
}

KTEST(base_format_in_kernel)
{
    char buffer[64];
    usize length = format_to(Span<char>(buffer, sizeof(buffer)), "x={} {:#x} {}"_sv, 42, 255u, "k23"_sv);
    KEXPECT_EQ(StringView(buffer, length), "x=42 0xff k23"_sv);
}

namespace {
Result<u32> parse_digit(char ch)
{
    if (ch < '0' || ch > '9')
        return Error::from_code(ErrorCode::InvalidArgument, "not a digit");
    return static_cast<u32>(ch - '0');
}

Result<u32> sum_digits(StringView text)
{
    u32 sum = 0;
    for (char ch : text)
        sum += TRY(parse_digit(ch));
    return sum;
}
}

KTEST(base_result_in_kernel)
{
    auto good = sum_digits("1234"_sv);
    KASSERT(!good.is_error());
    KEXPECT_EQ(good.value(), 10u);
    auto bad = sum_digits("12x4"_sv);
    KASSERT(bad.is_error());
    KEXPECT(bad.error().code() == ErrorCode::InvalidArgument);
    KEXPECT_EQ(bad.error().message(), "not a digit"_sv);
}
