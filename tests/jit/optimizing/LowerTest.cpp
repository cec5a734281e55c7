// The optimizing tier's back end (jit/optimizing/Lower.h) as a host-side
// cross-compiler: which functions it compiles and which fall back to the
// baseline (counted, never silently), the Zicond select, and code objects
// whose functions and trap sites stay inside their code. Execution is
// tested in the riscv64-linux ring (./k23 spec --tier optimizing, the tiers
// differential check).

#include "OptimizingTestHelpers.h"

#include <jit/Compile.h>
#include <jit/optimizing/Lower.h>

#include <filesystem>

using namespace k23;
using namespace k23::jit::optimizing::test;

namespace {

using riscv64::CpuFeatures;
using riscv64::Extension;

struct Compiled {
    jit::CompiledModule code;
    jit::TierCounts counts;
    bool ok { false };
    std::string error;
    ~Compiled()
    {
        if (code.code)
            platform_code_release(code.code, code.code_size);
    }
};

void compile(const WasmBytes& bytes, CpuFeatures features, Compiled& out)
{
    auto module = read(bytes);
    ASSERT_FALSE(module.is_error()) << message_of(module.error());
    static std::vector<std::unique_ptr<wasm::Module>> keep; // CompiledModule points at its module
    keep.push_back(std::make_unique<wasm::Module>(module.release_value()));
    jit::CompileEnvironment env;
    env.features = features;
    env.landing_pad = 0x10000; // never executed
    auto result = jit::compile_module(*keep.back(), env, jit::Tier::Optimizing, out.code, &out.counts);
    out.ok = !result.is_error();
    if (!out.ok)
        out.error = message_of(result.error());
}

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
    usize n = 0;
    for (usize at = 0; at + 4 <= m.code_size; at += 2) {
        u32 w = u32(m.code[at]) | u32(m.code[at + 1]) << 8 | u32(m.code[at + 2]) << 16 | u32(m.code[at + 3]) << 24;
        if ((w & 0xfe00507f) == 0x0e005033)
            ++n;
    }
    return n;
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
    // A v128 parameter (passed in memory, jit/Abi.h) is not lowered yet.
    Compiled c;
    compile(wat(R"((module
      (func (param i32) (result i32) (i32.mul (local.get 0) (local.get 0)))
      (func (param v128) (result i32) (i32x4.extract_lane 1 (local.get 0)))))"),
        CpuFeatures::rv64gc(), c);
    ASSERT_TRUE(c.ok) << c.error;
    EXPECT_EQ(c.counts.optimized, 1u);
    EXPECT_EQ(c.counts.baseline, 1u);
    EXPECT_EQ(c.counts.fallbacks, 1u);
    EXPECT_NE(std::string(c.counts.first_fallback).find("func[1]"), std::string::npos) << c.counts.first_fallback;
    check_layout(c.code);
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
