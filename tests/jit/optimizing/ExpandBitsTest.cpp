// expand_bit_operations (jit/optimizing/ExpandBits.cpp): clz, ctz, popcnt,
// rotl and rotr as base-ISA arithmetic for a hart without Zbb. The IR
// interpreter (IrInterpreter.h, which computes each operation directly)
// runs the function before and after, on edge values and random ones; the
// printed IR shows what a rotation becomes; on riscv64 the compiled code
// runs on a hart without Zbb against the C++ builtins.

#include "../JitTestHelpers.h"
#include "IrInterpreter.h"
#include "OptimizingTestHelpers.h"

#include <jit/Compile.h>
#include <jit/optimizing/Passes.h>

using namespace k23;
using namespace k23::jit::optimizing;
using namespace k23::jit::optimizing::test;

namespace {

// Every operation of both widths, on (x: i32, k: i32, y: i64, j: i64).
const char* s_all = R"((module (func (export "f") (param i32 i32 i64 i64)
    (result i32 i32 i32 i32 i32 i64 i64 i64 i64 i64)
    (i32.clz (local.get 0)) (i32.ctz (local.get 0)) (i32.popcnt (local.get 0))
    (i32.rotl (local.get 0) (local.get 1)) (i32.rotr (local.get 0) (local.get 1))
    (i64.clz (local.get 2)) (i64.ctz (local.get 2)) (i64.popcnt (local.get 2))
    (i64.rotl (local.get 2) (local.get 3)) (i64.rotr (local.get 2) (local.get 3)))))";

std::vector<std::vector<u64>> inputs()
{
    const u64 edges[] = { 0, 1, 2, 3, 0x80, 0xff, 0x7fffffff, 0x80000000, 0xffffffff, 0x100000000ull,
        0x8000000000000000ull, 0x7fffffffffffffffull, ~u64(0), 0x0123456789abcdefull };
    const u64 counts[] = { 0, 1, 7, 31, 32, 33, 63, 64, 65, 0xffffffff, ~u64(0) };
    std::vector<std::vector<u64>> out;
    for (u64 x : edges) {
        for (u64 k : counts)
            out.push_back({ x & 0xffffffff, k & 0xffffffff, x, k });
    }
    u64 s = 0x9e3779b97f4a7c15ull;
    for (int i = 0; i < 400; ++i) {
        auto next = [&] {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            return s;
        };
        u64 x = next(), k = next(), y = next() >> (next() % 64), j = next();
        out.push_back({ x & 0xffffffff, k & 0xffffffff, y, j });
    }
    return out;
}

std::vector<Outcome> outcomes(const Function& f)
{
    std::vector<Outcome> out;
    for (const auto& args : inputs())
        out.push_back(IrInterpreter(f).run(args));
    return out;
}

bool has_bit_operation(const std::string& text)
{
    for (const char* op : { "clz", "ctz", "popcnt", "rotl", "rotr" }) {
        if (text.find(op) != std::string::npos)
            return true;
    }
    return false;
}

} // namespace

TEST(OptimizingExpandBits, SameResultsAsTheOperations)
{
    IrCase c(s_all, "f");
    ASSERT_TRUE(c.error.empty()) << c.error;
    std::vector<Outcome> before = outcomes(c.function);
    ASSERT_EQ(before[0].results.size(), 10u);
    EXPECT_TRUE(c.run(expand_bit_operations, "expand_bit_operations"));
    ASSERT_TRUE(c.error.empty()) << c.error;
    EXPECT_FALSE(has_bit_operation(c.text())) << c.text();
    std::vector<Outcome> after = outcomes(c.function);
    for (usize i = 0; i < before.size(); ++i)
        EXPECT_EQ(before[i].results, after[i].results) << "input " << i;
    // Folding and the rest keep them (constant shift counts fold).
    for (Pass p : { fold_constants, number_values, eliminate_dead_code })
        c.run(p, "pass");
    ASSERT_TRUE(c.error.empty()) << c.error;
    std::vector<Outcome> folded = outcomes(c.function);
    for (usize i = 0; i < before.size(); ++i)
        EXPECT_EQ(before[i].results, folded[i].results) << "input " << i;
}

TEST(OptimizingExpandBits, RotationIsTwoShiftsAndAnOr)
{
    IrCase c(R"((module (func (export "f") (param i32 i32) (result i32)
        (i32.rotl (local.get 0) (local.get 1)))))",
        "f");
    ASSERT_TRUE(c.error.empty()) << c.error;
    EXPECT_TRUE(c.run(expand_bit_operations, "expand_bit_operations"));
    EXPECT_EQ(c.text(), R"(function 0 (i32, i32) -> (i32)
block0(v0: i32, v1: i32):
  v2 = i32.const 0
  v3 = i32.sub v2, v1
  v4 = i32.shl v0, v1
  v5 = i32.shr_u v0, v3
  v6 = i32.or v4, v5
  return v6
)");
    // Nothing to expand: unchanged.
    EXPECT_FALSE(c.run(expand_bit_operations, "expand_bit_operations"));
}

// Caught by the code-size comparison with Cranelift (rv64gc, no Zbb): a
// function with one clz (libc's malloc) fell back to the baseline whole.
TEST(OptimizingExpandBits, FunctionsWithBitCountsCompileOptimizedWithoutZbb)
{
    auto module = read(wat(s_all));
    ASSERT_FALSE(module.is_error()) << message_of(module.error());
    jit::CompileEnvironment env;
    env.features = riscv64::CpuFeatures::rv64gc();
    env.landing_pad = 0x10000; // never executed
    jit::CompiledModule code;
    jit::TierCounts counts;
    auto result = jit::compile_module(module.value(), env, jit::Tier::Optimizing, code, &counts);
    ASSERT_FALSE(result.is_error()) << message_of(result.error());
    EXPECT_EQ(counts.optimized, 1u);
    EXPECT_EQ(counts.baseline, 0u) << counts.first_fallback;
    platform_code_release(code.code, code.code_size);
}

// Compiled for rv64gc (no Zbb) and run: each operation against the C++
// builtins, on the edge values and random ones.
TEST(OptimizingExpandBits, CompiledWithoutZbbComputesTheOperations)
{
    namespace jt = k23::jit::test;
    jt::JitFixture f;
    jit::Engine::destroy(f.engine);
    jit::EngineOptions options;
    options.features = riscv64::CpuFeatures::rv64gc();
    options.tier = jit::Tier::Optimizing;
    f.engine = MUST(jit::Engine::create(options));
    jt::ModuleBuilder b;
    // (x, k) -> r for every case; the unary ones ignore k.
    u32 t32 = b.type({ jt::I32, jt::I32 }, { jt::I32 }), t64 = b.type({ jt::I64, jt::I64 }, { jt::I64 });
    struct Case {
        const char* name;
        u8 opcode;
        bool wide, binary;
    };
    const Case cases[] = { { "clz32", 0x67, false, false }, { "ctz32", 0x68, false, false }, { "popcnt32", 0x69, false, false },
        { "rotl32", 0x77, false, true }, { "rotr32", 0x78, false, true }, { "clz64", 0x79, true, false },
        { "ctz64", 0x7a, true, false }, { "popcnt64", 0x7b, true, false }, { "rotl64", 0x89, true, true },
        { "rotr64", 0x8a, true, true } };
    for (const Case& c : cases) {
        jt::ByteList code = jt::local_get(0);
        if (c.binary) {
            jt::ByteList k = jt::local_get(1);
            code.insert(code.end(), k.begin(), k.end());
        }
        code.push_back(c.opcode);
        b.function(c.wide ? t64 : t32, {}, code, c.name);
    }
    auto instance = f.instantiate(b.build());
    ASSERT_FALSE(instance.is_error()) << jt::message(instance.error());
    jit::TierCounts counts = f.engine->tier_counts();
    EXPECT_EQ(counts.baseline, 0u) << counts.first_fallback;
    REQUIRE_EXECUTION(f);
    auto expected = [](const Case& c, u64 x, u64 k) -> u64 {
        u32 x32 = u32(x), k32 = u32(k) % 32;
        switch (c.opcode) {
        case 0x67: return x32 ? __builtin_clz(x32) : 32;
        case 0x68: return x32 ? __builtin_ctz(x32) : 32;
        case 0x69: return __builtin_popcount(x32);
        case 0x77: return u32(x32 << k32 | x32 >> ((32 - k32) % 32));
        case 0x78: return u32(x32 >> k32 | x32 << ((32 - k32) % 32));
        case 0x79: return x ? __builtin_clzll(x) : 64;
        case 0x7a: return x ? __builtin_ctzll(x) : 64;
        case 0x7b: return __builtin_popcountll(x);
        case 0x89: return x << (k % 64) | x >> ((64 - k % 64) % 64);
        default: return x >> (k % 64) | x << ((64 - k % 64) % 64);
        }
    };
    for (const Case& c : cases) {
        wasm::FunctionInstance* fn = jt::JitFixture::exported(instance.value(), c.name);
        ASSERT_NE(fn, nullptr);
        for (const auto& in : inputs()) {
            u64 x = c.wide ? in[2] : in[0], k = c.wide ? in[3] : in[1];
            wasm::Value args[2] = { c.wide ? wasm::Value::from_i64(x) : wasm::Value::from_i32(u32(x)),
                c.wide ? wasm::Value::from_i64(k) : wasm::Value::from_i32(u32(k)) };
            wasm::Value result;
            auto r = f.engine->invoke(fn, Span<const wasm::Value>(args, 2), Span<wasm::Value>(&result, 1));
            ASSERT_FALSE(r.is_error()) << jt::message(r.error());
            u64 got = c.wide ? u64(result.i64) : u64(u32(result.i32));
            ASSERT_EQ(got, expected(c, x, k)) << c.name << "(" << x << ", " << k << ")";
        }
    }
}
