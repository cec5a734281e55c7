#pragma once

// The in-kernel test runner. Tests are registered in the `.ktest_array`
// linker section (kernel/kernel.ld) and run with the boot argument `ktest`
// (all tests) or `ktest=PATTERN`: a test runs if its name contains PATTERN,
// or, when PATTERN has a '*' or '?', if the whole name matches it as a glob.
//
// Output, parsed by ./k23 (keep it exact):
//   ktest: PASS <name>
//   ktest: FAIL <name>: <file>:<line>: <what>
//   ktest: N passed, N failed
//
//   KTEST(heap_reuse) {
//       void* p = ...;
//       KASSERT(p != nullptr);     // stops the test on failure
//       KEXPECT_EQ(a, b);          // records the failure and goes on
//   }

#include <base/Format.h>
#include <base/StringView.h>
#include <base/Integers.h>

namespace k23::kernel {

struct KTestRecord {
    const char* name;
    void (*function)() noexcept;
    const char* file;
    u32 line;
    bool manual; // KTEST_MANUAL: runs only when the pattern is exactly its name
};
static_assert(sizeof(KTestRecord) == 32);

// Records a failure of the running test. `fatal` failures (KASSERT) leave the
// test right away.
void ktest_fail(const char* file, u32 line, StringView what, bool fatal) noexcept;

template<typename... Args>
void ktest_failf(const char* file, u32 line, bool fatal, StringView fmt, const Args&... args) noexcept
{
    FormatBuffer<256> what;
    what.appendf(fmt, args...);
    ktest_fail(file, line, what.view(), fatal);
}

[[nodiscard]] bool ktest_name_matches(StringView name, StringView pattern) noexcept;

// Runs the matching tests (all but manual ones when `pattern` is empty) and
// prints the protocol lines. Returns the number of failed tests.
usize run_ktests(StringView pattern) noexcept;

} // namespace k23::kernel

#define K23_KTEST_IMPL(test_name, is_manual)                                           \
    static void ktest_function_##test_name() noexcept;                                 \
    [[gnu::used, gnu::section(".ktest_array"), gnu::aligned(8)]] static                 \
        ::k23::kernel::KTestRecord ktest_record_##test_name                            \
        = { #test_name, ktest_function_##test_name, __FILE__, __LINE__, is_manual };    \
    static void ktest_function_##test_name() noexcept

#define KTEST(test_name) K23_KTEST_IMPL(test_name, false)
#define KTEST_MANUAL(test_name) K23_KTEST_IMPL(test_name, true)

#define KEXPECT(condition)                                                             \
    do {                                                                               \
        if (!(condition))                                                              \
            ::k23::kernel::ktest_fail(__FILE__, __LINE__, "KEXPECT(" #condition ")", false); \
    } while (0)

#define KASSERT(condition)                                                             \
    do {                                                                               \
        if (!(condition))                                                              \
            ::k23::kernel::ktest_fail(__FILE__, __LINE__, "KASSERT(" #condition ")", true); \
    } while (0)

#define K23_KCOMPARE_IMPL(macro, a, b, op, fatal)                                      \
    do {                                                                               \
        const auto& ktest_lhs_ = (a);                                                  \
        const auto& ktest_rhs_ = (b);                                                  \
        if (!(ktest_lhs_ op ktest_rhs_))                                               \
            ::k23::kernel::ktest_failf(__FILE__, __LINE__, fatal,                      \
                macro "(" #a ", " #b "): {} vs {}", ktest_lhs_, ktest_rhs_);           \
    } while (0)

#define KEXPECT_EQ(a, b) K23_KCOMPARE_IMPL("KEXPECT_EQ", a, b, ==, false)
#define KEXPECT_NE(a, b) K23_KCOMPARE_IMPL("KEXPECT_NE", a, b, !=, false)
#define KEXPECT_LT(a, b) K23_KCOMPARE_IMPL("KEXPECT_LT", a, b, <, false)
#define KEXPECT_LE(a, b) K23_KCOMPARE_IMPL("KEXPECT_LE", a, b, <=, false)
#define KEXPECT_GT(a, b) K23_KCOMPARE_IMPL("KEXPECT_GT", a, b, >, false)
#define KEXPECT_GE(a, b) K23_KCOMPARE_IMPL("KEXPECT_GE", a, b, >=, false)
#define KASSERT_EQ(a, b) K23_KCOMPARE_IMPL("KASSERT_EQ", a, b, ==, true)
#define KASSERT_NE(a, b) K23_KCOMPARE_IMPL("KASSERT_NE", a, b, !=, true)
