// Frame-pointer walking and symbolization (kernel/Backtrace.h,
// kernel/Symbols.h), on synthetic stacks so every stop condition is hit.

#include <kernel/Backtrace.h>
#include <kernel/KTest.h>
#include <kernel/Symbols.h>

using namespace k23;
using namespace k23::kernel;

namespace {

// A fake stack: frame records at chosen offsets. record(fp) is the two
// words just below fp: [fp - 16] = caller's fp, [fp - 8] = return address.
struct FakeStack {
    alignas(16) uptr words[128] {};
    uptr base() const { return reinterpret_cast<uptr>(words); }
    StackBounds bounds() const { return { base(), base() + sizeof(words) }; }
    uptr fp_at(usize word) const { return base() + word * sizeof(uptr); }
    void link(usize fp_word, uptr previous_fp, uptr return_address)
    {
        words[fp_word - 2] = previous_fp;
        words[fp_word - 1] = return_address;
    }
};

[[gnu::noinline]] usize backtrace_depth_probe(uptr* frames, usize capacity)
{
    return collect_backtrace(current_frame_pointer(), current_stack_bounds(), frames, capacity);
}

} // namespace

KTEST(backtrace_follows_chain_and_stops_at_null)
{
    FakeStack stack;
    stack.link(8, stack.fp_at(16), 0x1000);
    stack.link(16, stack.fp_at(32), 0x2000);
    stack.link(32, 0, 0x3000);
    uptr frames[8] = {};
    KEXPECT_EQ(collect_backtrace(stack.fp_at(8), stack.bounds(), frames, 8), 3u);
    KEXPECT_EQ(frames[0], 0x1000u);
    KEXPECT_EQ(frames[1], 0x2000u);
    KEXPECT_EQ(frames[2], 0x3000u);
}

KTEST(backtrace_stops_on_bad_frame_pointers)
{
    FakeStack stack;
    uptr frames[8] = {};
    // Misaligned next fp.
    stack.link(8, stack.fp_at(16) + 4, 0x1000);
    KEXPECT_EQ(collect_backtrace(stack.fp_at(8), stack.bounds(), frames, 8), 1u);
    // Next fp outside the stack.
    stack.link(8, 0xdead'0000, 0x1000);
    KEXPECT_EQ(collect_backtrace(stack.fp_at(8), stack.bounds(), frames, 8), 1u);
    // A loop (next fp not above the current one).
    stack.link(8, stack.fp_at(16), 0x1000);
    stack.link(16, stack.fp_at(8), 0x2000);
    KEXPECT_EQ(collect_backtrace(stack.fp_at(8), stack.bounds(), frames, 8), 2u);
    // A start outside the stack, null, or misaligned: nothing.
    KEXPECT_EQ(collect_backtrace(0, stack.bounds(), frames, 8), 0u);
    KEXPECT_EQ(collect_backtrace(stack.fp_at(8) + 8, stack.bounds(), frames, 8), 0u);
    KEXPECT_EQ(collect_backtrace(stack.base(), stack.bounds(), frames, 8), 0u); // record below the stack
}

KTEST(backtrace_stops_after_64_frames)
{
    // A valid chain of 60 records... capped by the caller's capacity, and
    // never beyond max_backtrace_frames.
    FakeStack stack;
    for (usize i = 0; i < 60; ++i)
        stack.link(4 + 2 * i, stack.fp_at(6 + 2 * i), 0x1000 + i);
    uptr frames[max_backtrace_frames] = {};
    KEXPECT_EQ(collect_backtrace(stack.fp_at(4), stack.bounds(), frames, 10), 10u);
    usize all = collect_backtrace(stack.fp_at(4), stack.bounds(), frames, max_backtrace_frames);
    KEXPECT_LE(all, max_backtrace_frames);
    KEXPECT_GE(all, 60u);
}

KTEST(backtrace_of_running_code_is_symbolized)
{
    KASSERT(symbol_table_available());
    uptr frames[max_backtrace_frames] = {};
    usize count = backtrace_depth_probe(frames, max_backtrace_frames);
    KASSERT(count >= 2);
    // Frame 0 returns into this test's function; somewhere above it is the
    // test runner.
    Symbol symbol;
    KASSERT(symbolize(frames[0] - 1, symbol));
    KEXPECT(symbol.name.contains("backtrace_of_running_code_is_symbolized"_sv));
    KEXPECT(frames[0] >= symbol.start);
    KEXPECT(symbol.size == 0 || frames[0] - 1 < symbol.start + symbol.size);
    bool runner = false;
    for (usize i = 1; i < count; ++i)
        runner = runner || (symbolize(frames[i] - 1, symbol) && symbol.name.contains("run_ktests"_sv));
    KEXPECT(runner);
    // Addresses outside the image have no symbol.
    KEXPECT(!symbolize(0, symbol));
    KEXPECT(!symbolize(~uptr(0), symbol));
}
