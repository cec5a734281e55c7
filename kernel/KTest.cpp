#include <arch/riscv64/Csr.h>
#include <kernel/Console.h>
#include <kernel/KTest.h>
#include <kernel/Trap.h>

extern "C" {
[[gnu::visibility("hidden")]] extern k23::kernel::KTestRecord __ktest_array_start[];
[[gnu::visibility("hidden")]] extern k23::kernel::KTestRecord __ktest_array_end[];
}

namespace k23::kernel {

namespace {

// scause value used when a KASSERT, not a trap, unwound the test.
constexpr u64 ktest_assert_unwind = ~0ull;

struct TestState {
    usize failures { 0 };
    FormatBuffer<320> first_failure;
};

TestState* s_current_test = nullptr;

bool glob_matches(StringView name, StringView pattern) noexcept
{
    // Iterative glob with backtracking to the last '*'.
    usize n = 0;
    usize p = 0;
    usize star = StringView::not_found;
    usize star_n = 0;
    while (n < name.length()) {
        if (p < pattern.length() && (pattern[p] == '?' || pattern[p] == name[n])) {
            ++n;
            ++p;
        } else if (p < pattern.length() && pattern[p] == '*') {
            star = p++;
            star_n = n;
        } else if (star != StringView::not_found) {
            p = star + 1;
            n = ++star_n;
        } else {
            return false;
        }
    }
    while (p < pattern.length() && pattern[p] == '*')
        ++p;
    return p == pattern.length();
}

} // namespace

bool ktest_name_matches(StringView name, StringView pattern) noexcept
{
    if (pattern.contains('*') || pattern.contains('?'))
        return glob_matches(name, pattern);
    return name.contains(pattern);
}

void ktest_fail(const char* file, u32 line, StringView what, bool fatal) noexcept
{
    if (s_current_test == nullptr) {
        kprintln("ktest: failure outside a test: {}:{}: {}"_sv, file, line, what);
        return;
    }
    if (s_current_test->failures++ == 0)
        s_current_test->first_failure.appendf("{}:{}: {}"_sv, file, line, what);
    if (fatal)
        unwind_to_recovery_point(ktest_assert_unwind);
}

usize run_ktests(StringView pattern) noexcept
{
    // The production kernel links none (kernel/CMakeLists.txt): say where
    // they are rather than report a pass.
    // Two distinct arrays compare unequal to the compiler; the linker may
    // place them at one address, so compare what the linker gave.
    uptr start = reinterpret_cast<uptr>(__ktest_array_start);
    asm("" : "+r"(start));
    if (start == reinterpret_cast<uptr>(__ktest_array_end)) {
        kprintln("ktest: this kernel has no KTESTs (they are in k23-test.img: ./k23 image --test)"_sv);
        return 1;
    }
    usize passed = 0;
    usize failed = 0;
    for (auto* test = __ktest_array_start; test < __ktest_array_end; ++test) {
        StringView name { test->name };
        // Manual tests (meant to fail, to check the runner) only run when the
        // pattern is exactly their name.
        bool selected = test->manual ? name == pattern
                                     : (pattern.is_empty() || ktest_name_matches(name, pattern));
        if (!selected)
            continue;

        TestState state;
        s_current_test = &state;
        CaughtTrap trap;
        // A trap nobody in the test expected fails the test instead of
        // panicking the kernel; so does KASSERT, by unwinding the same way.
        bool unwound = catch_trap([&] { test->function(); }, &trap);
        s_current_test = nullptr;
        // A test may leave interrupts on when it fails half way.
        disable_interrupts();

        if (unwound && trap.scause != ktest_assert_unwind) {
            FormatBuffer<320> what;
            what.appendf("{}:{}: unexpected trap: {} at sepc={:#x} stval={:#x}"_sv, test->file, test->line,
                riscv64::scause_name(trap.scause), trap.sepc, trap.stval);
            if (state.failures++ == 0)
                state.first_failure = what;
        }
        if (state.failures == 0) {
            ++passed;
            kprintln("ktest: PASS {}"_sv, name);
        } else {
            ++failed;
            kprintln("ktest: FAIL {}: {}"_sv, name, state.first_failure.view());
        }
    }
    kprintln("ktest: {} passed, {} failed"_sv, passed, failed);
    return failed;
}

} // namespace k23::kernel
