// The optimizing tier's back end (jit/optimizing/Lower.h) as a host-side
// cross-compiler: which functions it compiles and which fall back to the
// baseline (counted, never silently), the Zicond select, and code objects
// whose functions and trap sites stay inside their code. Execution is
// tested in the riscv64-linux ring (./k23 spec --tier optimizing, the tiers
// differential check).

#include "LowerTestHelpers.h"

#include <filesystem>

using namespace k23;
using namespace k23::jit::optimizing::test;

namespace {

void check_layout(const jit::CompiledModule& m)
{
    for (const jit::CompiledFunction& f : m.functions) {
        EXPECT_GT(f.code_size, 0u);
        EXPECT_LE(u64(f.code_offset) + f.code_size, m.code_size);
        for (u32 i = 0; i < f.trap_count; ++i) {
            u32 at = m.traps[f.first_trap + i].code_offset;
            EXPECT_GE(at, f.code_offset);
            EXPECT_LT(at, f.code_offset + f.code_size);
        }
    }
}

// czero.eqz/czero.nez (Zicond: funct7 0000111, funct3 101/111, OP) at any
// 2-byte boundary (compressed code moves the 4-byte ones).
usize count_czero(const jit::CompiledModule& m)
{
    return count_words(m, Stride::Halfword, [](u32 w) { return (w & 0xfe00507f) == 0x0e005033; });
}

const char* s_scalar = R"((module
  (memory 1)
  (global $g (mut i32) (i32.const 0))
  (func $sum (param $n i32) (result i32) (local $i i32) (local $s i32)
    (loop $l
      (local.set $s (i32.add (local.get $s) (i32.load (i32.shl (local.get $i) (i32.const 2)))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (local.get $n))))
    (local.get $s))
  (func $pick (param i64 i64 i32) (result i64)
    (select (local.get 0) (local.get 1) (local.get 2)))
  (func $calls (param f64) (result f64)
    (global.set $g (i32.trunc_f64_s (local.get 0)))
    (f64.add (call $half (local.get 0)) (f64.convert_i32_s (call $sum (i32.const 3)))))
  (func $half (param f64) (result f64) (f64.mul (local.get 0) (f64.const 0.5)))
  (func $div (param i32 i32) (result i32) (i32.div_s (local.get 0) (local.get 1))))
)";

} // namespace

TEST(OptimizingLower, CompilesScalarFunctionsWithoutFallback)
{
    for (CpuFeatures features : { CpuFeatures::rv64gc(),
             CpuFeatures::rv64gc().with(Extension::Zba).with(Extension::Zbb).with(Extension::Zicond) }) {
        Compiled c;
        compile(wat(s_scalar), features, c);
        ASSERT_TRUE(c.ok) << c.error;
        EXPECT_EQ(c.counts.optimized, 5u);
        EXPECT_EQ(c.counts.fallbacks, 0u) << c.counts.first_fallback;
        EXPECT_EQ(c.counts.baseline, 0u);
        check_layout(c.code);
        // Trap sites: each prologue's stack check (5), the loop header's
        // interrupt check and i32.load (a guard-page access) in $sum, the
        // truncation's two checks, the division's two.
        EXPECT_GE(c.code.traps.size(), 11u);
    }
}

TEST(OptimizingLower, SelectIsBranchlessWithZicond)
{
    Compiled with, without;
    compile(wat(s_scalar), CpuFeatures::rv64gc().with(Extension::Zicond), with);
    compile(wat(s_scalar), CpuFeatures::rv64gc(), without);
    ASSERT_TRUE(with.ok && without.ok);
    EXPECT_EQ(count_czero(with.code), 2u); // czero.eqz + czero.nez for $pick
    EXPECT_EQ(count_czero(without.code), 0u);
}

TEST(OptimizingLower, UnsupportedFunctionFallsBackToBaselineAndIsCounted)
{
    // A tail call needing more stack arguments than its caller has (the
    // staging area, jit/Abi.h) is not lowered yet.
    Compiled c;
    compile(wat(R"((module
      (func (param i32) (result i32) (i32.mul (local.get 0) (local.get 0)))
      (func (param i32) (result i32) (return_call 2 (local.get 0) (local.get 0) (local.get 0) (local.get 0) (local.get 0)
        (local.get 0) (local.get 0) (local.get 0) (local.get 0) (local.get 0)))
      (func (param i32 i32 i32 i32 i32 i32 i32 i32 i32 i32) (result i32) (local.get 9))))"),
        CpuFeatures::rv64gc(), c);
    ASSERT_TRUE(c.ok) << c.error;
    EXPECT_EQ(c.counts.optimized, 2u);
    EXPECT_EQ(c.counts.baseline, 1u);
    EXPECT_EQ(c.counts.fallbacks, 1u);
    EXPECT_NE(std::string(c.counts.first_fallback).find("func[1]"), std::string::npos) << c.counts.first_fallback;
    check_layout(c.code);
}

// Caught every function with a v128 parameter or result, or a call passing
// one, falling back to the baseline (jit/Abi.h passes them in memory).
TEST(OptimizingLower, V128ParametersResultsAndCallsCompileOptimized)
{
    const char* text = R"((module
      (type $t (func (param v128 i32 v128) (result v128 i32 v128)))
      (table 1 funcref)
      (elem (i32.const 0) $swap)
      (func $swap (type $t) (local.get 2) (local.get 1) (local.get 0))
      (func $id (param v128) (result v128) (local.get 0))
      (func (export "f") (param i32) (result i32)
        (call $swap (v128.const i32x4 1 2 3 4) (local.get 0) (call $id (v128.const i32x4 5 6 7 8)))
        (call_indirect (type $t) (i32.const 0))
        (drop) (drop) (i32x4.extract_lane 0))
      (func $tail (param v128) (result v128) (return_call $id (local.get 0)))))";
    for (CpuFeatures features : { CpuFeatures::rv64gc().with(Extension::V), CpuFeatures::rv64gc() }) {
        Compiled c;
        compile(wat(text), features, c);
        ASSERT_TRUE(c.ok) << c.error;
        EXPECT_EQ(c.counts.optimized, 4u);
        EXPECT_EQ(c.counts.fallbacks, 0u) << c.counts.first_fallback;
        check_layout(c.code);
    }
}

TEST(OptimizingLower, SightglassWorkloadsCompileMostlyOptimized)
{
    const char* env = std::getenv("K23_WORKLOADS");
    std::string self = __FILE__;
    std::string repo = self.substr(0, self.rfind("/tests/jit/"));
    std::string root = env ? env : repo + "/../shared/workloads";
    std::error_code ec;
    usize modules = 0, optimized = 0, baseline = 0;
    for (auto& dir : std::filesystem::directory_iterator(root + "/sightglass", ec)) {
        for (auto& file : std::filesystem::directory_iterator(dir.path(), ec)) {
            if (file.path().extension() != ".wasm")
                continue;
            Compiled c;
            compile(read_file(file.path()), CpuFeatures::rv64gc().with(Extension::Zba).with(Extension::Zbb), c);
            ASSERT_TRUE(c.ok) << file.path() << ": " << c.error;
            check_layout(c.code);
            ++modules;
            optimized += c.counts.optimized;
            baseline += c.counts.baseline;
        }
    }
    if (modules == 0)
        GTEST_SKIP() << "no Sightglass workloads at " << root;
    EXPECT_GT(optimized, 4 * baseline) << "most functions compile optimized";
    std::printf("[ optimizing ] %zu modules: %zu functions optimized, %zu by the baseline\n", modules, optimized, baseline);
}

namespace {

// `lbu t0, -1(t0)`: the bounds probe of jit/BulkMemory.h.
usize count_probes(const jit::CompiledModule& m)
{
    return count_words(m, Stride::Halfword, [](u32 w) { return w == 0xfff2c283; });
}

} // namespace

TEST(OptimizingLower, BulkMemoryIsInlineWithOneProbePerRange)
{
    Compiled c;
    compile(wat(R"((module (memory 1)
      (func (param i32 i32 i32) (memory.fill (local.get 0) (local.get 1) (local.get 2)))
      (func (param i32 i32 i32) (memory.copy (local.get 0) (local.get 1) (local.get 2)))))"),
        CpuFeatures::rv64gc().with(Extension::Zba), c);
    ASSERT_TRUE(c.ok) << c.error;
    EXPECT_EQ(c.counts.optimized, 2u);
    EXPECT_EQ(count_probes(c.code), 3u); // fill: 1, copy: destination and source
    check_layout(c.code);
}

TEST(OptimizingLower, StackArgumentsAndResultsCompileWithoutFallback)
{
    // Nine i32 and nine f32 parameters (one of each on the stack), nine
    // i64 results (one on the stack), calls, an indirect call and a tail
    // call with as many stack arguments as its caller.
    const char* text = R"((module
      (type $t (func (param i32 i32 i32 i32 i32 i32 i32 i32 i32 f32 f32 f32 f32 f32 f32 f32 f32 f32)
                     (result i64 i64 i64 i64 i64 i64 i64 i64 i64)))
      (table 1 funcref)
      (func $f (type $t)
        (i64.extend_i32_s (local.get 8)) (i64.const 1) (i64.const 2) (i64.const 3) (i64.const 4)
        (i64.const 5) (i64.const 6) (i64.trunc_f32_s (local.get 17)) (i64.extend_i32_u (local.get 0)))
      (func $g (type $t)
        (call $f (local.get 0) (local.get 1) (local.get 2) (local.get 3) (local.get 4) (local.get 5)
          (local.get 6) (local.get 7) (local.get 8) (local.get 9) (local.get 10) (local.get 11) (local.get 12)
          (local.get 13) (local.get 14) (local.get 15) (local.get 16) (local.get 17))
        (drop) (drop) (drop) (drop) (drop) (drop) (drop) (drop) (drop)
        (call_indirect (type $t) (i32.const 1) (i32.const 2) (i32.const 3) (i32.const 4) (i32.const 5)
          (i32.const 6) (i32.const 7) (i32.const 8) (i32.const 9) (f32.const 1) (f32.const 2) (f32.const 3)
          (f32.const 4) (f32.const 5) (f32.const 6) (f32.const 7) (f32.const 8) (f32.const 9) (i32.const 0))
        (drop) (drop) (drop) (drop) (drop) (drop) (drop) (drop) (drop)
        (return_call $f (local.get 8) (local.get 7) (local.get 6) (local.get 5) (local.get 4) (local.get 3)
          (local.get 2) (local.get 1) (local.get 0) (local.get 17) (local.get 16) (local.get 15) (local.get 14)
          (local.get 13) (local.get 12) (local.get 11) (local.get 10) (local.get 9)))))";
    for (CpuFeatures features : { CpuFeatures::rv64gc(), CpuFeatures::rv64gc().with(Extension::Zba) }) {
        Compiled c;
        compile(wat(text), features, c);
        ASSERT_TRUE(c.ok) << c.error;
        EXPECT_EQ(c.counts.optimized, 2u);
        EXPECT_EQ(c.counts.fallbacks, 0u) << c.counts.first_fallback;
        check_layout(c.code);
    }
}

namespace {

// sh1add/sh2add/sh3add (Zba: funct7 0010000, funct3 010/100/110, OP).
usize count_shadd(const jit::CompiledModule& m)
{
    return count_words(m, Stride::Halfword, [](u32 w) {
        u32 f3 = (w >> 12) & 7;
        return (w & 0xfe00007f) == 0x20000033 && (f3 == 2 || f3 == 4 || f3 == 6);
    });
}

} // namespace

TEST(OptimizingLower, ScaledAddressesFoldIntoShaddWithZba)
{
    // $a and $b: the sum is only an address (sh2add, sh3add); $c: the sum
    // is returned too, so it must be the wrapped i32 (slliw + addw).
    const char* text = R"((module (memory 1)
      (func $a (param i32 i32) (result i32)
        (i32.load offset=8 (i32.add (local.get 0) (i32.shl (local.get 1) (i32.const 2)))))
      (func $b (param i32 i32 f64)
        (f64.store (i32.add (i32.shl (local.get 1) (i32.const 3)) (local.get 0)) (local.get 2)))
      (func $c (param i32 i32) (result i32) (local i32)
        (local.set 2 (i32.add (local.get 0) (i32.shl (local.get 1) (i32.const 1))))
        (i32.add (i32.load16_u (local.get 2)) (local.get 2)))))";
    Compiled with, without;
    compile(wat(text), CpuFeatures::rv64gc().with(Extension::Zba), with);
    compile(wat(text), CpuFeatures::rv64gc(), without);
    ASSERT_TRUE(with.ok && without.ok) << with.error << without.error;
    EXPECT_EQ(with.counts.optimized, 3u);
    EXPECT_EQ(count_shadd(with.code), 2u);
    EXPECT_EQ(count_shadd(without.code), 0u);
}

TEST(OptimizingLower, AddressesZeroExtendWithOneAndWithoutZba)
{
    // and t4, rs1, ra (ra = 0xffffffff while the body runs) for the one
    // access, instead of slli + srli. A module of its own: in s_scalar,
    // $sum is also inlined into $calls, which would be a second access.
    const char* text = R"((module (memory 1)
      (func $sum (param $n i32) (result i32) (local $i i32) (local $s i32)
        (loop $l
          (local.set $s (i32.add (local.get $s) (i32.load (i32.shl (local.get $i) (i32.const 2)))))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br_if $l (i32.lt_u (local.get $i) (local.get $n))))
        (local.get $s))))";
    Compiled c;
    compile(wat(text), CpuFeatures::rv64gc(), c);
    ASSERT_TRUE(c.ok) << c.error;
    EXPECT_EQ(count_words(c.code, Stride::Halfword, [](u32 w) { return (w & 0xfff07fff) == 0x00107eb3; }), 1u);
}
