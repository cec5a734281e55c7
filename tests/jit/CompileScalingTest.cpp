// Compile time must be linear in the module (issue 11): for each construct
// that once made the reader or the baseline tier super-linear, a module of
// size N and one of size 2N are read, validated and compiled (for RV64GCV,
// as the host's cross-compiler), and doubling the input may at most triple
// the time. Each time is the minimum of several runs, and a failing ratio
// is measured again before it counts, so a busy machine does not fail the
// test; a quadratic path doubles to 4x and more at these sizes, whatever the
// machine's speed. bench/compile/scaling_modules.py writes the same modules
// for timing by hand (`k23-compile`), at any size.
//
// Host ring only: under qemu-riscv64 the sizes would take minutes.

#include "JitTestHelpers.h"

#include <base/Platform.h>
#include <jit/baseline/Compiler.h>

#include <gtest/gtest.h>

#include <functional>

#include <time.h>

namespace k23::jit::test {
namespace {

constexpr u8 Block = 0x02, If = 0x04, Else = 0x05, End = 0x0b, BrTable = 0x0e, Drop = 0x1a, LocalSet = 0x21;
constexpr u8 Void = 0x40;

void append(ByteList& out, const ByteList& more) { out.insert(out.end(), more.begin(), more.end()); }

void repeat(ByteList& out, const ByteList& piece, u32 times)
{
    out.reserve(out.size() + piece.size() * times);
    for (u32 i = 0; i < times; ++i)
        append(out, piece);
}

// This thread's CPU time: what other processes on a shared machine do to
// the wall clock does not count.
double cpu_seconds()
{
    timespec ts {};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return double(ts.tv_sec) + double(ts.tv_nsec) * 1e-9;
}

// One compile of `bytes` (read, validate, baseline compile), in CPU seconds.
double compile_seconds(const ByteList& bytes)
{
    double start = cpu_seconds();
    auto module = wasm::read_module(ReadonlyBytes(bytes.data(), bytes.size()), wasm::ReadOptions {});
    EXPECT_FALSE(module.is_error()) << message(module.error());
    if (module.is_error())
        return 0;
    baseline::CompileEnvironment env;
    env.features = riscv64::CpuFeatures::rv64gc().with(riscv64::Extension::V);
    env.landing_pad = 0x10000; // never executed
    CompiledModule out;
    auto result = baseline::compile_module(module.value(), env, out);
    double seconds = cpu_seconds() - start;
    EXPECT_FALSE(result.is_error()) << message(result.error());
    if (out.code)
        platform_code_release(out.code, out.code_size);
    return seconds;
}

// Fails when compiling make(2n) takes more than three times as long as
// make(n): minimum of `runs` interleaved compiles each, up to three
// attempts.
void expect_linear(const std::function<ByteList(u32)>& make, u32 n)
{
    ByteList small = make(n), large = make(2 * n);
    constexpr int runs = 3;
    double ratio = 0;
    double best_small = 0, best_large = 0;
    for (int attempt = 0; attempt < 3; ++attempt) {
        best_small = best_large = 1e9;
        for (int run = 0; run < runs; ++run) {
            best_small = std::min(best_small, compile_seconds(small));
            best_large = std::min(best_large, compile_seconds(large));
            if (::testing::Test::HasFailure())
                return;
        }
        ratio = best_large / best_small;
        if (ratio <= 3.0)
            break;
    }
    EXPECT_LE(ratio, 3.0) << "n = " << n << " (" << small.size() << " bytes): " << best_small * 1000 << " ms; 2n: "
                          << best_large * 1000 << " ms";
    ::testing::Test::RecordProperty("ratio", std::to_string(ratio));
    printf("  n = %u: %.1f ms, 2n: %.1f ms, ratio %.2f\n", n, best_small * 1000, best_large * 1000, ratio);
}

// A function (param t) whose value stack reaches n entries: local.get 0 n
// times, then n - 1 adds. Registers run out early, so nearly every push
// spills the lowest register entry (spill_one once scanned the stack from
// the bottom: issue 11's 1.2 M-entry module did not compile in 10 minutes).
ByteList value_stack(u32 n, u8 type, u8 add)
{
    ModuleBuilder b;
    u32 t = b.type({ type }, { type });
    ByteList code;
    repeat(code, local_get(0), n);
    repeat(code, { add }, n - 1);
    b.function(t, {}, code);
    return b.build();
}

} // namespace

#if defined(__riscv)
#define REQUIRE_HOST() GTEST_SKIP() << "compile-time scaling runs in the host ring"
#else
#define REQUIRE_HOST() (void)0
#endif

TEST(CompileTime, LinearInValueStackDepth)
{
    REQUIRE_HOST();
    expect_linear([](u32 n) { return value_stack(n, I32, 0x6a); }, 20000);
}

TEST(CompileTime, LinearInFloatValueStackDepth)
{
    REQUIRE_HOST();
    expect_linear([](u32 n) { return value_stack(n, F64, 0xa0); }, 20000);
}

// n nested blocks, each entered with one more value on the stack: every
// block entry spills, and spill_all once rescanned the whole stack.
TEST(CompileTime, LinearInBlockNesting)
{
    REQUIRE_HOST();
    expect_linear(
        [](u32 n) {
            ModuleBuilder b;
            u32 t = b.type({ I32 }, {});
            ByteList code;
            repeat(code, cat({ local_get(0), { Block, Void } }), n);
            repeat(code, { End, Drop }, n);
            b.function(t, {}, code);
            return b.build();
        },
        20000);
}

// n nested ifs: n branches to else labels bound only at the end, so the
// code holder keeps them pending and places veneer islands; each island
// once rescanned every fixup since the oldest pending jal.
TEST(CompileTime, LinearInIfNesting)
{
    REQUIRE_HOST();
    expect_linear(
        [](u32 n) {
            ModuleBuilder b;
            u32 t = b.type({ I32 }, {});
            ByteList code;
            repeat(code, cat({ local_get(0), { If, Void } }), n);
            repeat(code, { End }, n);
            b.function(t, {}, code);
            return b.build();
        },
        40000);
}

// if (result i32) 1 else if ... : an else-if chain n long.
TEST(CompileTime, LinearInElseIfChain)
{
    REQUIRE_HOST();
    expect_linear(
        [](u32 n) {
            ModuleBuilder b;
            u32 t = b.type({ I32 }, { I32 });
            ByteList code;
            repeat(code, cat({ local_get(0), { If, I32 }, i32_const(1), { Else } }), n);
            append(code, i32_const(0));
            repeat(code, { End }, n);
            b.function(t, {}, code);
            return b.build();
        },
        40000);
}

// One br_table with n targets, one per depth of n nested blocks: n cases,
// each a jump pending over the whole dispatch.
TEST(CompileTime, LinearInBrTableTargets)
{
    REQUIRE_HOST();
    expect_linear(
        [](u32 n) {
            ModuleBuilder b;
            u32 t = b.type({ I32 }, {});
            ByteList code;
            repeat(code, { Block, Void }, n);
            append(code, local_get(0));
            code.push_back(BrTable);
            uleb(code, n);
            for (u32 i = 0; i < n; ++i)
                uleb(code, i);
            uleb(code, 0);
            repeat(code, { End }, n);
            b.function(t, {}, code);
            return b.build();
        },
        40000);
}

// n/4 nested blocks, then n/4 small br_tables to the outermost: a br_table
// once cost the depth of its deepest target.
TEST(CompileTime, LinearInBrTablesUnderDeepNesting)
{
    REQUIRE_HOST();
    expect_linear(
        [](u32 n) {
            ModuleBuilder b;
            u32 t = b.type({ I32 }, {});
            u32 depth = n / 4;
            ByteList one { Block, Void };
            append(one, local_get(0));
            one.push_back(BrTable);
            uleb(one, 1);
            uleb(one, depth);
            uleb(one, depth);
            one.push_back(End);
            ByteList code;
            repeat(code, { Block, Void }, depth);
            repeat(code, one, n / 4);
            repeat(code, { End }, depth);
            b.function(t, {}, code);
            return b.build();
        },
        40000);
}

// n i32 locals and nine v128 ones (more than the eight vector homes), and
// n calls: every call saved and restored the homes by scanning all locals.
TEST(CompileTime, LinearInLocalsAcrossCalls)
{
    REQUIRE_HOST();
    expect_linear(
        [](u32 n) {
            ModuleBuilder b;
            u32 t = b.type({ I32 }, {});
            u32 callee_type = b.type({}, {});
            ByteList locals(n, I32);
            locals.insert(locals.end(), 9, V128);
            ByteList code;
            for (u32 i = 0; i < n; ++i) {
                append(code, local_get(1 + i));
                code.push_back(LocalSet);
                uleb(code, 1 + i);
                append(code, call(1));
            }
            b.function(t, locals, code);
            b.function(callee_type, {}, {});
            return b.build();
        },
        10000);
}

// n calls to a function with 64 parameters and 16 results.
TEST(CompileTime, LinearInCallsWithManyArguments)
{
    REQUIRE_HOST();
    expect_linear(
        [](u32 n) {
            ModuleBuilder b;
            u32 t = b.type({ I32 }, {});
            ByteList params(64, I32), results(16, I32);
            u32 callee_type = b.type(params, results);
            ByteList one;
            repeat(one, local_get(0), 64);
            append(one, call(1));
            repeat(one, { Drop }, 16);
            ByteList code;
            repeat(code, one, n);
            b.function(t, {}, code);
            ByteList body;
            repeat(body, i32_const(0), 16);
            b.function(callee_type, {}, body);
            return b.build();
        },
        1000);
}

// n types and n small functions: each function's compile once scanned
// every type and global of the module (for v128).
TEST(CompileTime, LinearInFunctionsAndTypes)
{
    REQUIRE_HOST();
    expect_linear(
        [](u32 n) {
            ModuleBuilder b;
            for (u32 i = 0; i < n; ++i) {
                ByteList params(1 + i % 3, I32), results(i / 3 % 5, I64);
                u32 t = b.type(params, results);
                ByteList body;
                repeat(body, i64_const(0), u32(results.size()));
                b.function(t, {}, body);
            }
            return b.build();
        },
        5000);
}

} // namespace k23::jit::test
