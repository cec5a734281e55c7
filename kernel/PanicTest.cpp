// Boot arguments that make the kernel fail on purpose, so the boot checks
// (tests/kernel/test_panic.py) can see what a failure prints:
//   panic=test     panic from panic_test_level1 -> level2 -> level3
//   panic=trap     an illegal instruction three calls deep
//   panic=corrupt  panic after smashing a saved frame pointer (the walk
//                  must stop cleanly instead of faulting)

#include <kernel/BootArgs.h>
#include <kernel/Panic.h>

namespace k23::kernel {

// Each level does work after its call, so the compiler cannot turn the call
// into a tail call and drop the caller's frame from the backtrace.
volatile u32 g_panic_test_depth = 0;

[[gnu::noinline]] void panic_test_level3() noexcept
{
    ++g_panic_test_depth;
    panic("requested by boot argument panic=test (depth {})"_sv, g_panic_test_depth);
}

[[gnu::noinline]] void panic_test_level2() noexcept
{
    ++g_panic_test_depth;
    panic_test_level3();
    ++g_panic_test_depth;
}

[[gnu::noinline]] void panic_test_level1() noexcept
{
    ++g_panic_test_depth;
    panic_test_level2();
    ++g_panic_test_depth;
}

[[gnu::noinline]] void trap_test_level3() noexcept
{
    ++g_panic_test_depth;
    // The all-zero instruction is illegal (unprivileged spec §1.5).
    asm volatile(".4byte 0");
    ++g_panic_test_depth;
}

[[gnu::noinline]] void trap_test_level2() noexcept
{
    ++g_panic_test_depth;
    trap_test_level3();
    ++g_panic_test_depth;
}

[[gnu::noinline]] void trap_test_level1() noexcept
{
    ++g_panic_test_depth;
    trap_test_level2();
    ++g_panic_test_depth;
}

[[gnu::noinline]] void corrupt_test_smash_and_panic() noexcept
{
    // Our own frame record: fp - 16 holds the caller's fp. Point it at a
    // misaligned address far outside the stack.
    auto* record = reinterpret_cast<volatile uptr*>(reinterpret_cast<uptr>(__builtin_frame_address(0)) - 16);
    *record = 0xdead'beef'0000'0003ull;
    panic("requested by boot argument panic=corrupt"_sv);
}

void handle_panic_request(const BootArgs& args) noexcept
{
    StringView what;
    if (!args.get("panic"_sv, what))
        return;
    if (what == "test"_sv)
        panic_test_level1();
    if (what == "trap"_sv)
        trap_test_level1();
    if (what == "corrupt"_sv)
        corrupt_test_smash_and_panic();
}

} // namespace k23::kernel
