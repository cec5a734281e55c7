// The kernel heap (mimalloc through k23's port, kernel/Heap.h) and base/'s
// allocating types on top of it.

#include <base/Format.h>
#include <base/Memory.h>
#include <base/Result.h>
#include <base/Vector.h>
#include <kernel/Console.h>
#include <kernel/Heap.h>
#include <kernel/KTest.h>
#include <kernel/Trap.h>
#include <kernel/heap/Mimalloc.h>
#include <kernel/heap/MimallocPort.h>


using namespace k23;
using namespace k23::kernel;

namespace {

// A byte pattern that differs per block and per offset.
u8 pattern(usize block, usize offset) { return static_cast<u8>((block * 131 + offset * 7 + 1) & 0xff); }

bool check_pattern(const u8* bytes, usize size, usize block)
{
    for (usize i = 0; i < size; ++i) {
        if (bytes[i] != pattern(block, i))
            return false;
    }
    return true;
}

// Sets mimalloc's page limit for one test and restores it after.
struct ScopedPageLimit {
    usize saved;
    explicit ScopedPageLimit(usize pages)
        : saved(mimalloc_port_page_limit())
    {
        mimalloc_port_set_page_limit(pages);
    }
    ~ScopedPageLimit() { mimalloc_port_set_page_limit(saved); }
};

} // namespace

KTEST(heap_many_sizes_and_alignments)
{
    // 1 B .. 1 MiB, alignments 1 .. 4 KiB, all live at once, each filled
    // with its own pattern: no overlap, every block aligned and intact.
    constexpr usize count = 48;
    u8* blocks[count] = {};
    usize sizes[count] = {};
    usize size = 1;
    for (usize i = 0; i < count; ++i) {
        usize alignment = usize(1) << (i % 13);
        sizes[i] = size;
        blocks[i] = static_cast<u8*>(platform_allocate(size, alignment));
        KASSERT(blocks[i] != nullptr);
        KEXPECT_EQ(reinterpret_cast<uptr>(blocks[i]) % alignment, 0u);
        for (usize b = 0; b < size; ++b)
            blocks[i][b] = pattern(i, b);
        size = size * 3 / 2 + 1;
        if (size > 1024 * 1024)
            size = 1024 * 1024;
    }
    KEXPECT_EQ(sizes[count - 1], 1024u * 1024u);
    for (usize i = 0; i < count; ++i)
        KEXPECT(check_pattern(blocks[i], sizes[i], i));
    for (usize i = 0; i < count; ++i)
        platform_deallocate(blocks[i], sizes[i], 1);
}

KTEST(heap_100k_cycles_do_not_grow)
{
    // Warm up once, then 100k alloc/free cycles of mixed sizes must not
    // take a single extra page from the frame allocator.
    auto cycle = [](usize i) {
        usize size = 16 + (i * 97) % 8192;
        void* a = platform_allocate(size, 16);
        void* b = platform_allocate(64 * 1024 + (i % 7) * 4096, 64);
        if (a != nullptr)
            static_cast<u8*>(a)[size - 1] = 1;
        platform_deallocate(b, 0, 0);
        platform_deallocate(a, 0, 0);
        return a != nullptr && b != nullptr;
    };
    for (usize i = 0; i < 1000; ++i)
        KASSERT(cycle(i));
    usize before = heap_stats().committed_pages;
    bool all = true;
    for (usize i = 0; i < 100'000; ++i)
        all = cycle(i) && all;
    usize after = heap_stats().committed_pages;
    KEXPECT(all);
    KEXPECT_EQ(after, before);
    kprintln("heap: committed pages before {} after {} 100k cycles (peak {})"_sv, before, after,
        heap_stats().peak_pages);
}

KTEST(heap_out_of_memory_is_an_error)
{
    // With mimalloc held to its current pages plus 2 MiB, allocating 256 KiB
    // blocks ends in nullptr (not a hang, not a panic) well before the cap;
    // after freeing, allocation works again.
    ScopedPageLimit limit(heap_stats().committed_pages + 512);
    constexpr usize cap = 4096;
    static void* blocks[cap];
    usize count = 0;
    while (count < cap) {
        void* p = platform_allocate(256 * 1024, 16);
        if (p == nullptr)
            break;
        blocks[count++] = p;
    }
    KEXPECT_LT(count, cap);
    KEXPECT(platform_allocate(256 * 1024, 16) == nullptr);
    for (usize i = 0; i < count; ++i)
        platform_deallocate(blocks[i], 256 * 1024, 16);
    void* again = platform_allocate(256 * 1024, 16);
    KEXPECT(again != nullptr);
    platform_deallocate(again, 256 * 1024, 16);
    // Absurd requests fail without touching the limit.
    KEXPECT(platform_allocate(usize(1) << 40, 16) == nullptr);
    KEXPECT(platform_allocate(~usize(0) - 8, 16) == nullptr);
}

KTEST(heap_vector_reports_out_of_memory)
{
    ScopedPageLimit limit(heap_stats().committed_pages + 256);
    Vector<u64> values;
    Result<void> result {};
    for (usize i = 0; i < 64 * 1024 * 1024 && !result.is_error(); ++i)
        result = values.try_append(i);
    KASSERT(result.is_error());
    KEXPECT(result.error().code() == ErrorCode::OutOfMemory);
}

KTEST(heap_is_per_hart_in_tp)
{
    // mimalloc's default heap lives in this hart's HartLocal block.
    void* p = platform_allocate(32, 16);
    KASSERT(p != nullptr);
    KEXPECT(current_hart().mimalloc_heap != nullptr);
    KEXPECT_EQ(current_hart().mimalloc_heap, static_cast<void*>(mi_heap_get_default()));
    platform_deallocate(p, 32, 16);
}

KTEST(heap_platform_allocate)
{
    void* p = platform_allocate(256, 64);
    KASSERT(p != nullptr);
    KEXPECT_EQ(reinterpret_cast<uptr>(p) % 64, 0u);
    KEXPECT(platform_allocate(16, 3) == nullptr); // not a power of two
    platform_deallocate(p, 256, 64);
    platform_deallocate(nullptr, 0, 0);
}

KTEST(base_vector_in_kernel)
{
    Vector<u64> values;
    for (u64 i = 0; i < 1000; ++i)
        KASSERT(!values.try_append(i * i).is_error());
    KEXPECT_EQ(values.size(), 1000u);
    KEXPECT_EQ(values[999], 999u * 999u);
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
