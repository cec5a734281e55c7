// The optimizing tier's SIMD (jit/optimizing/LowerSimd.cpp) as a host-side
// cross-compiler: functions with v128 values compile optimized on a hart
// with V and without (the scalar path), no fallback to the baseline.
// Execution: ./k23 spec --tier optimizing at every VLEN, 0 included.

#include "LowerTestHelpers.h"

using namespace k23;
using namespace k23::jit::optimizing::test;

namespace {

CpuFeatures with_v() { return CpuFeatures::rv64gc().with(Extension::V).with(Extension::Zba).with(Extension::Zbb); }

// Per function: the optimizing tier's own answer (compile_module only
// keeps the first fallback's reason).
std::string compile_one(const wasm::Module& module, u32 index, CpuFeatures features)
{
    jit::CompileEnvironment env;
    env.features = features;
    env.landing_pad = 0x10000;
    auto scratch = jit::optimizing::LowerScratch::create();
    if (scratch.is_error())
        return message_of(scratch.error());
    riscv64::CodeHolder holder(features);
    Vector<jit::TrapSite> traps;
    auto result = jit::optimizing::compile_function(module, index, env, *scratch.value(), holder, traps);
    jit::optimizing::LowerScratch::destroy(scratch.value());
    return result.is_error() ? message_of(result.error()) : std::string();
}

bool has_simd_opcode(const wasm::Module& module, u32 index)
{
    ReadonlyBytes body = module.bytes_of(module.functions()[index].body);
    for (usize i = 0; i < body.size(); ++i) {
        if (body[i] == 0xfd) // may be an immediate: a superset is fine here
            return true;
    }
    return false;
}

// Every kind of SIMD instruction the builder turns into IR: constants,
// lane-wise ops, lanes, shuffles, the memory forms, select, a v128 global,
// a loop carrying v128 values, and a call they live across.
const char* s_simd = R"((module
  (memory 1)
  (global $g (mut v128) (v128.const i64x2 0 0))
  (func $id (param i32) (result i32) (local.get 0))
  (func $mix (param $p i32) (param $n i32) (result i32) (local $a v128) (local $b v128)
    (local.set $a (v128.load (local.get $p)))
    (local.set $b (i32x4.splat (local.get $n)))
    (loop $l
      (local.set $a (i32x4.add (local.get $a) (local.get $b)))
      (local.set $b (i8x16.shuffle 4 5 6 7 8 9 10 11 12 13 14 15 0 1 2 3 (local.get $b) (local.get $b)))
      (local.set $a (v128.xor (local.get $a) (i32x4.shl (local.get $a) (i32.const 7))))
      (local.set $n (i32.sub (local.get $n) (i32.const 1)))
      (br_if $l (local.get $n)))
    (v128.store offset=16 (local.get $p) (local.get $a))
    (v128.store32_lane 2 (local.get $p) (local.get $b))
    (global.set $g (select (local.get $a) (local.get $b) (call $id (local.get $n))))
    (i32.add (i32x4.extract_lane 3 (local.get $a))
      (i32x4.bitmask (f32x4.lt (f32x4.convert_i32x4_s (local.get $b)) (v128.load32_splat (local.get $p))))))
  (func $float (param f32) (result f32)
    (f32x4.extract_lane 0 (f32x4.min (f32x4.mul (f32x4.splat (local.get 0)) (v128.const f32x4 1 2 3 4)) (global.get $g)))))
)";

} // namespace

TEST(OptimizingSimd, CompilesSimdFunctionsWithoutFallbackOnV)
{
    Compiled c;
    compile(wat(s_simd), with_v(), c);
    ASSERT_TRUE(c.ok) << c.error;
    EXPECT_EQ(c.counts.optimized, 3u);
    EXPECT_EQ(c.counts.fallbacks, 0u) << c.counts.first_fallback;
}

TEST(OptimizingSimd, CompilesSimdFunctionsWithoutV)
{
    // The scalar path: v128 in 16-byte slots, k23_simd_scalar calls.
    Compiled c;
    compile(wat(s_simd), CpuFeatures::rv64gc(), c);
    ASSERT_TRUE(c.ok) << c.error;
    EXPECT_EQ(c.counts.optimized, 3u);
    EXPECT_EQ(c.counts.fallbacks, 0u) << c.counts.first_fallback;
}

// blake3-simd (Sightglass): every function with SIMD code compiles
// optimized, except where the reason is not SIMD (today: signatures with
// stack arguments, #16).
TEST(OptimizingSimd, Blake3SimdFunctionsCompileOptimized)
{
    const char* env = std::getenv("K23_WORKLOADS");
    std::string self = __FILE__;
    std::string repo = self.substr(0, self.rfind("/tests/jit/"));
    std::string path = (env ? std::string(env) : repo + "/../shared/workloads") + "/sightglass/blake3-simd/benchmark.wasm";
    WasmBytes bytes = read_file(path);
    if (bytes.empty())
        GTEST_SKIP() << "no blake3-simd at " << path;
    auto module = read(bytes);
    ASSERT_FALSE(module.is_error()) << message_of(module.error());
    for (CpuFeatures features : { with_v(), CpuFeatures::rv64gc().with(Extension::Zba).with(Extension::Zbb) }) {
        usize simd = 0, optimized = 0;
        for (u32 i = 0; i < module.value().functions().size(); ++i) {
            if (module.value().functions()[i].imported || !has_simd_opcode(module.value(), i))
                continue;
            ++simd;
            std::string error = compile_one(module.value(), i, features);
            if (error.empty()) {
                ++optimized;
                continue;
            }
            EXPECT_EQ(error.find("SIMD"), std::string::npos) << "func " << i << ": " << error;
            EXPECT_EQ(error.find("v128"), std::string::npos) << "func " << i << ": " << error;
        }
        EXPECT_GE(optimized, 2u) << "of " << simd << " functions with SIMD code";
        std::printf("[ optimizing ] blake3-simd (%s): %zu of %zu functions with SIMD code compiled optimized\n",
            features.has(Extension::V) ? "V" : "no V", optimized, simd);
    }
}
