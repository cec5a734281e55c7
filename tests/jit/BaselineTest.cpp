// The baseline tier end to end: hand-built modules compiled and (on
// riscv64) executed through jit::Engine. On other hosts the execution tests
// skip and the compile tests still run (the JIT is a cross-compiler there).

#include "JitTestHelpers.h"

#include <gtest/gtest.h>

#include <stdio.h>
#include <string.h>
#include <unistd.h>

using namespace k23;
using namespace k23::jit;
using namespace k23::jit::test;
using wasm::Value;

namespace {

Result<Value> call1(JitFixture& f, wasm::Instance* instance, const char* name, std::initializer_list<Value> args)
{
    Value result;
    std::vector<Value> a(args);
    TRY(f.engine->invoke(JitFixture::exported(instance, name), Span<const Value>(a.data(), a.size()), Span<Value>(&result, 1)));
    return result;
}

// (func (param i32 i32) (result i32) local.get 0 local.get 1 i32.add)
ByteList add_module()
{
    ModuleBuilder b;
    u32 t = b.type({ I32, I32 }, { I32 });
    b.function(t, {}, cat({ local_get(0), local_get(1), { 0x6a } }), "add");
    return b.build();
}

// Iterative factorial over i64 with a loop and br_if.
ByteList factorial_module()
{
    ModuleBuilder b;
    u32 t = b.type({ I64 }, { I64 });
    // local 1 = result = 1; loop: if n == 0 break; result *= n; n -= 1
    ByteList code = cat({ i64_const(1), { 0x21, 0x01 },
        { 0x02, 0x40, 0x03, 0x40 },                      // block loop
        local_get(0), { 0x50, 0x0d, 0x01 },               // i64.eqz br_if 1
        local_get(1), local_get(0), { 0x7e, 0x21, 0x01 }, // result *= n
        local_get(0), i64_const(1), { 0x7d, 0x21, 0x00 }, // n -= 1
        { 0x0c, 0x00, 0x0b, 0x0b },                       // br 0 end end
        local_get(1) });
    b.function(t, { I64 }, code, "fac");
    return b.build();
}

} // namespace

TEST(Baseline, CompilesOnEveryHost)
{
    JitFixture f;
    auto m = f.read(factorial_module());
    ASSERT_FALSE(m.is_error()) << message(m.error());
    CompileStats stats;
    auto r = f.engine->compile(*m.value(), &stats);
    ASSERT_FALSE(r.is_error()) << message(r.error());
    EXPECT_EQ(stats.functions, 1u);
    EXPECT_GT(stats.code_bytes, 0u);
}

// A v128 local without V: the scalar path gives it a zeroed 16-byte slot.
TEST(Baseline, V128LocalWithoutVIsZero)
{
    JitFixture f; // rv64gc
    REQUIRE_EXECUTION(f);
    ModuleBuilder b;
    u32 t = b.type({}, { V128 });
    b.function(t, { V128 }, local_get(0), "f");
    auto instance = f.instantiate(b.build());
    ASSERT_FALSE(instance.is_error()) << message(instance.error());
    Value result;
    result.type = wasm::ValueType::V128;
    memset(result.v128, 0xaa, 16);
    auto r = f.engine->invoke(JitFixture::exported(instance.value(), "f"), {}, Span<Value>(&result, 1));
    ASSERT_FALSE(r.is_error()) << message(r.error());
    for (u8 byte : result.v128)
        EXPECT_EQ(byte, 0);
}

TEST(Baseline, IntegerArithmetic)
{
    JitFixture f;
    REQUIRE_EXECUTION(f);
    auto instance = f.instantiate(add_module());
    ASSERT_FALSE(instance.is_error()) << message(instance.error());
    auto r = call1(f, instance.value(), "add", { Value::from_i32(40), Value::from_i32(2) });
    ASSERT_FALSE(r.is_error()) << message(r.error());
    EXPECT_EQ(r.value().i32, 42u);
    r = call1(f, instance.value(), "add", { Value::from_i32(0x7fffffff), Value::from_i32(1) });
    EXPECT_EQ(r.value().i32, 0x80000000u);
}

// Rotations by a constant (Zbb: one rori/roriw; without Zbb the shift
// sequence) against the model, for counts that wrap and for zero, with
// the i32 result sign-extended as the ABI keeps it.
TEST(Baseline, ConstantRotatesWithAndWithoutZbb)
{
    const i64 counts[] = { 0, 1, 7, 31, 32, 33, 63, 64, 65, -1 };
    for (bool zbb : { false, true }) {
        JitFixture f(zbb ? riscv64::CpuFeatures::rv64gc().with(riscv64::Extension::Zbb) : riscv64::CpuFeatures::rv64gc());
        REQUIRE_EXECUTION(f);
        ModuleBuilder b;
        u32 t32 = b.type({ I32 }, { I64 });
        u32 t64 = b.type({ I64 }, { I64 });
        for (usize i = 0; i < sizeof counts / sizeof counts[0]; ++i) {
            std::string n = std::to_string(i);
            // i64.extend_i32_s of the i32 result shows its sign-extended form.
            b.function(t32, {}, cat({ local_get(0), i32_const(i32(counts[i])), { 0x77, 0xac } }), "l32_" + n);
            b.function(t32, {}, cat({ local_get(0), i32_const(i32(counts[i])), { 0x78, 0xac } }), "r32_" + n);
            b.function(t64, {}, cat({ local_get(0), i64_const(counts[i]), { 0x89 } }), "l64_" + n);
            b.function(t64, {}, cat({ local_get(0), i64_const(counts[i]), { 0x8a } }), "r64_" + n);
        }
        auto instance = f.instantiate(b.build());
        ASSERT_FALSE(instance.is_error()) << message(instance.error());
        for (u64 x : { 0x0123456789abcdefull, 0x80000001ull, 0xffffffffffffffffull, 0x8000000000000000ull }) {
            for (usize i = 0; i < sizeof counts / sizeof counts[0]; ++i) {
                std::string n = std::to_string(i);
                u32 k32 = u32(counts[i]) & 31, k64 = u32(counts[i]) & 63;
                u32 x32 = u32(x);
                u32 l32 = k32 ? (x32 << k32) | (x32 >> (32 - k32)) : x32;
                u32 r32 = k32 ? (x32 >> k32) | (x32 << (32 - k32)) : x32;
                u64 l64 = k64 ? (x << k64) | (x >> (64 - k64)) : x;
                u64 r64 = k64 ? (x >> k64) | (x << (64 - k64)) : x;
                auto r = call1(f, instance.value(), ("l32_" + n).c_str(), { Value::from_i32(x32) });
                ASSERT_FALSE(r.is_error()) << message(r.error());
                EXPECT_EQ(r.value().i64, u64(i64(i32(l32)))) << "i32.rotl by " << counts[i] << (zbb ? " (Zbb)" : "");
                r = call1(f, instance.value(), ("r32_" + n).c_str(), { Value::from_i32(x32) });
                EXPECT_EQ(r.value().i64, u64(i64(i32(r32)))) << "i32.rotr by " << counts[i] << (zbb ? " (Zbb)" : "");
                r = call1(f, instance.value(), ("l64_" + n).c_str(), { Value::from_i64(x) });
                EXPECT_EQ(r.value().i64, l64) << "i64.rotl by " << counts[i] << (zbb ? " (Zbb)" : "");
                r = call1(f, instance.value(), ("r64_" + n).c_str(), { Value::from_i64(x) });
                EXPECT_EQ(r.value().i64, r64) << "i64.rotr by " << counts[i] << (zbb ? " (Zbb)" : "");
            }
        }
    }
}

// Returns move register results straight into a0.. / fa0..: results that
// sit in another result's destination (here a call's results, in a0/a1 and
// fa0, shifted one place by a constant in front) must not be overwritten.
TEST(Baseline, ReturnMovesResultsWithoutClobbering)
{
    JitFixture f;
    REQUIRE_EXECUTION(f);
    ModuleBuilder b;
    u32 g_t = b.type({ I32 }, { I32, I32, F64 });
    u32 f_t = b.type({ I32 }, { I32, I32, I32, F64 });
    // g(x) = (x + 1, x + 2, 0.5)
    u32 g = b.function(g_t, {}, cat({ local_get(0), i32_const(1), { 0x6a }, local_get(0), i32_const(2), { 0x6a },
        { 0x44, 0, 0, 0, 0, 0, 0, 0xe0, 0x3f } }), "g");
    // f(x) = (7, g(x)...)
    b.function(f_t, {}, cat({ i32_const(7), local_get(0), call(g) }), "f");
    auto instance = f.instantiate(b.build());
    ASSERT_FALSE(instance.is_error()) << message(instance.error());
    Value args[1] = { Value::from_i32(40) };
    Value results[4];
    auto r = f.engine->invoke(JitFixture::exported(instance.value(), "f"), Span<const Value>(args, 1), Span<Value>(results, 4));
    ASSERT_FALSE(r.is_error()) << message(r.error());
    EXPECT_EQ(results[0].i32, 7u);
    EXPECT_EQ(results[1].i32, 41u);
    EXPECT_EQ(results[2].i32, 42u);
    EXPECT_EQ(results[3].f64_bits, 0x3fe0000000000000ull);
}

// Comparisons with a constant: 0 is x0, a 12-bit constant an immediate
// (slti/sltiu/addi when the result is a value; li into a register for a
// branch), anything else a register. Every relation, i32 and i64, as a
// value and as a br_if condition, around each constant.
TEST(Baseline, ComparisonsWithConstantsAsValueAndBranch)
{
    JitFixture f;
    REQUIRE_EXECUTION(f);
    ModuleBuilder b;
    u32 t32 = b.type({ I32 }, { I32 });
    u32 t64 = b.type({ I64 }, { I32 });
    const i64 constants[] = { 0, 1, -1, 7, -7, 2046, -2047, 2047, -2048, 100000, -100000 };
    constexpr usize count = sizeof constants / sizeof constants[0];
    // i32: eq ne lt_s lt_u gt_s gt_u le_s le_u ge_s ge_u = 0x46..0x4f; i64: 0x51..0x5a.
    for (usize c = 0; c < count; ++c) {
        for (u8 k = 0; k < 10; ++k) {
            std::string n = std::to_string(c) + "_" + std::to_string(k);
            b.function(t32, {}, cat({ local_get(0), i32_const(i32(constants[c])), { u8(0x46 + k) } }), "v32_" + n);
            b.function(t64, {}, cat({ local_get(0), i64_const(constants[c]), { u8(0x51 + k) } }), "v64_" + n);
            // block (result i32): i32.const 1, (x rel c), br_if 0, drop, i32.const 0, end
            b.function(t32, {}, cat({ { 0x02, I32 }, i32_const(1), local_get(0), i32_const(i32(constants[c])),
                { u8(0x46 + k), 0x0d, 0x00, 0x1a }, i32_const(0), { 0x0b } }), "b32_" + n);
            b.function(t64, {}, cat({ { 0x02, I32 }, i32_const(1), local_get(0), i64_const(constants[c]),
                { u8(0x51 + k), 0x0d, 0x00, 0x1a }, i32_const(0), { 0x0b } }), "b64_" + n);
        }
    }
    auto instance = f.instantiate(b.build());
    ASSERT_FALSE(instance.is_error()) << message(instance.error());
    for (usize c = 0; c < count; ++c) {
        for (i64 delta : { i64(-1), i64(0), i64(1), i64(INT32_MIN), i64(INT32_MAX), i64(INT64_MIN), i64(0x100000000) }) {
            i64 x = (delta == INT32_MIN || delta == INT32_MAX || delta == INT64_MIN || delta == 0x100000000) ? delta
                                                                                                          : constants[c] + delta;
            for (u8 k = 0; k < 10; ++k) {
                std::string n = std::to_string(c) + "_" + std::to_string(k);
                auto relation = [&](auto v, auto w, auto u, auto z) {
                    switch (k) {
                    case 0: return v == w;
                    case 1: return v != w;
                    case 2: return v < w;
                    case 3: return u < z;
                    case 4: return v > w;
                    case 5: return u > z;
                    case 6: return v <= w;
                    case 7: return u <= z;
                    case 8: return v >= w;
                    default: return u >= z;
                    }
                };
                i32 c32 = i32(constants[c]);
                u32 want32 = relation(i32(x), c32, u32(x), u32(c32)) ? 1 : 0;
                u32 want64 = relation(x, constants[c], u64(x), u64(constants[c])) ? 1 : 0;
                auto r = call1(f, instance.value(), ("v32_" + n).c_str(), { Value::from_i32(u32(x)) });
                ASSERT_FALSE(r.is_error()) << message(r.error());
                EXPECT_EQ(r.value().i32, want32) << "i32 " << x << " relation " << int(k) << " " << constants[c];
                r = call1(f, instance.value(), ("b32_" + n).c_str(), { Value::from_i32(u32(x)) });
                EXPECT_EQ(r.value().i32, want32) << "i32 br_if " << x << " relation " << int(k) << " " << constants[c];
                r = call1(f, instance.value(), ("v64_" + n).c_str(), { Value::from_i64(u64(x)) });
                EXPECT_EQ(r.value().i32, want64) << "i64 " << x << " relation " << int(k) << " " << constants[c];
                r = call1(f, instance.value(), ("b64_" + n).c_str(), { Value::from_i64(u64(x)) });
                EXPECT_EQ(r.value().i32, want64) << "i64 br_if " << x << " relation " << int(k) << " " << constants[c];
            }
        }
    }
}

// A block's or an if's one scalar result merges in a fixed register
// (Compiler::result_register), not in its slot: a taken br_if moves its
// value there while the fall-through path keeps every stack entry (one of
// them in that register); the empty else of an if (param)(result) passes
// the param; br_table cases, f64 results, and a result that aliases a
// homed local written after the block.
TEST(Baseline, BlockResultsMergeInARegister)
{
    JitFixture f;
    REQUIRE_EXECUTION(f);
    ModuleBuilder b;
    u32 t2 = b.type({ I32, I32 }, { I32 });
    u32 t1 = b.type({ I32 }, { I32 });
    u32 tf = b.type({ F64, I32 }, { F64 });
    // block (result i32): a = x+1, b = x+2, c = 3x; br_if 0 (y) with c; else a + b + c
    b.function(t2, {}, cat({ { 0x02, I32 }, local_get(0), i32_const(1), { 0x6a }, local_get(0), i32_const(2), { 0x6a },
        local_get(0), i32_const(3), { 0x6c }, local_get(1), { 0x0d, 0x00, 0x6a, 0x6a, 0x0b } }), "br_if");
    // x; if (param i32) (result i32) (y): + 10; end
    b.function(t2, {}, cat({ local_get(0), local_get(1), { 0x04, u8(t1), 0x0b } }), "empty_else");
    b.function(t2, {}, cat({ local_get(0), local_get(1), { 0x04, u8(t1) }, i32_const(10), { 0x6a, 0x0b } }), "if");
    // three blocks (result i32): 7, br_table 0 1 2 (x); +100; +20
    b.function(t1, {}, cat({ { 0x02, I32, 0x02, I32, 0x02, I32 }, i32_const(7), local_get(0), { 0x0e, 0x02, 0x00, 0x01, 0x02, 0x0b },
        i32_const(100), { 0x6a, 0x0b }, i32_const(20), { 0x6a, 0x0b } }), "br_table");
    // block (result f64): x + 1.5; br_if 0 (y); * 2
    b.function(tf, {}, cat({ { 0x02, F64 }, local_get(0), { 0x44, 0, 0, 0, 0, 0, 0, 0xf8, 0x3f, 0xa0 }, local_get(1),
        { 0x0d, 0x00, 0x44, 0, 0, 0, 0, 0, 0, 0, 0x40, 0xa2, 0x0b } }), "f64");
    // block (result i32): local 0 (an alias of its home), br_if 0 (x), drop, 5; end; local 0 = 1000; + local 0
    b.function(t1, {}, cat({ { 0x02, I32 }, local_get(0), local_get(0), { 0x0d, 0x00, 0x1a }, i32_const(5), { 0x0b },
        i32_const(1000), { 0x21, 0x00 }, local_get(0), { 0x6a } }), "alias");
    auto instance = f.instantiate(b.build());
    ASSERT_FALSE(instance.is_error()) << message(instance.error());
    auto run = [&](const char* name, std::initializer_list<Value> args) {
        auto r = call1(f, instance.value(), name, args);
        EXPECT_FALSE(r.is_error()) << name << ": " << message(r.error());
        return r.is_error() ? ~0u : r.value().i32;
    };
    for (u32 x : { 0u, 4u, 1000u }) {
        EXPECT_EQ(run("br_if", { Value::from_i32(x), Value::from_i32(1) }), 3 * x);
        EXPECT_EQ(run("br_if", { Value::from_i32(x), Value::from_i32(0) }), 5 * x + 3);
        EXPECT_EQ(run("empty_else", { Value::from_i32(x), Value::from_i32(1) }), x);
        EXPECT_EQ(run("empty_else", { Value::from_i32(x), Value::from_i32(0) }), x);
        EXPECT_EQ(run("if", { Value::from_i32(x), Value::from_i32(1) }), x + 10);
        EXPECT_EQ(run("if", { Value::from_i32(x), Value::from_i32(0) }), x);
        EXPECT_EQ(run("alias", { Value::from_i32(x) }), (x ? x : 5) + 1000);
    }
    EXPECT_EQ(run("br_table", { Value::from_i32(0) }), 127u);
    EXPECT_EQ(run("br_table", { Value::from_i32(1) }), 27u);
    EXPECT_EQ(run("br_table", { Value::from_i32(2) }), 7u);
    EXPECT_EQ(run("br_table", { Value::from_i32(9) }), 7u);
    for (i32 y : { 0, 1 }) {
        Value args[2] = { Value::from_f64_bits(0x4000000000000000ull), Value::from_i32(u32(y)) }; // 2.0
        Value result;
        auto r = f.engine->invoke(JitFixture::exported(instance.value(), "f64"), Span<const Value>(args, 2), Span<Value>(&result, 1));
        ASSERT_FALSE(r.is_error()) << message(r.error());
        EXPECT_EQ(result.f64_bits, y ? 0x400c000000000000ull : 0x401c000000000000ull); // 3.5 or 7.0
    }
}

TEST(Baseline, LoopFactorial)
{
    JitFixture f;
    REQUIRE_EXECUTION(f);
    auto instance = f.instantiate(factorial_module());
    ASSERT_FALSE(instance.is_error()) << message(instance.error());
    auto r = call1(f, instance.value(), "fac", { Value::from_i64(20) });
    ASSERT_FALSE(r.is_error()) << message(r.error());
    EXPECT_EQ(r.value().i64, 2432902008176640000ull);
}

TEST(Baseline, TrapReportsFunctionAndOffset)
{
    JitFixture f;
    REQUIRE_EXECUTION(f);
    ModuleBuilder b;
    u32 t = b.type({ I32, I32 }, { I32 });
    b.function(t, {}, cat({ local_get(0), local_get(1), { 0x6d } }), "div", "divide");
    auto instance = f.instantiate(b.build());
    ASSERT_FALSE(instance.is_error()) << message(instance.error());
    auto r = call1(f, instance.value(), "div", { Value::from_i32(7), Value::from_i32(0) });
    ASSERT_TRUE(r.is_error());
    EXPECT_EQ(r.error().code(), ErrorCode::Trap);
    std::string text = message(r.error());
    EXPECT_TRUE(text.starts_with("integer divide by zero in divide at wasm offset 0x")) << text;
    ASSERT_TRUE(r.error().has_offset());
    wasm::TrapCode code;
    ASSERT_TRUE(trap_code_of(r.error(), code));
    EXPECT_EQ(code, wasm::TrapCode::IntegerDivideByZero);
    // The offset is the i32.div_s opcode: 4 bytes into the body (locals
    // count, 2 x local.get).
    const wasm::Module& module = *f.modules.back();
    EXPECT_EQ(r.error().offset(), module.functions()[0].body.offset + 5u);
    // INT_MIN / -1 overflows.
    r = call1(f, instance.value(), "div", { Value::from_i32(0x80000000u), Value::from_i32(u32(-1)) });
    ASSERT_TRUE(r.is_error());
    EXPECT_TRUE(message(r.error()).starts_with("integer overflow")) << message(r.error());
    // The engine keeps working after a trap.
    r = call1(f, instance.value(), "div", { Value::from_i32(42), Value::from_i32(6) });
    ASSERT_FALSE(r.is_error()) << message(r.error());
    EXPECT_EQ(r.value().i32, 7u);
}

TEST(Baseline, UnreachableWithoutNameSection)
{
    JitFixture f;
    REQUIRE_EXECUTION(f);
    ModuleBuilder b;
    u32 t = b.type({}, {});
    b.function(t, {}, { 0x01 }, "nop");
    b.function(t, {}, { 0x00 }, "boom");
    auto instance = f.instantiate(b.build());
    ASSERT_FALSE(instance.is_error()) << message(instance.error());
    auto r = f.engine->invoke(JitFixture::exported(instance.value(), "boom"), {}, {});
    ASSERT_TRUE(r.is_error());
    EXPECT_TRUE(message(r.error()).starts_with("unreachable in func[1] at wasm offset 0x")) << message(r.error());
}

TEST(Baseline, StackExhaustionTraps)
{
    JitFixture f;
    REQUIRE_EXECUTION(f);
    ModuleBuilder b;
    u32 t = b.type({ I32 }, { I32 });
    // (func $f (param i32) (result i32) local.get 0 i32.const 1 i32.add call $f)
    b.function(t, {}, cat({ local_get(0), i32_const(1), { 0x6a }, call(0) }), "recurse");
    auto instance = f.instantiate(b.build());
    ASSERT_FALSE(instance.is_error()) << message(instance.error());
    auto r = call1(f, instance.value(), "recurse", { Value::from_i32(0) });
    ASSERT_TRUE(r.is_error());
    EXPECT_TRUE(message(r.error()).starts_with("call stack exhausted")) << message(r.error());
}

TEST(Baseline, TailCallsDoNotGrowTheStack)
{
    JitFixture f;
    REQUIRE_EXECUTION(f);
    ModuleBuilder b;
    u32 t = b.type({ I64, I64 }, { I64 });
    // (func $sum (param n acc) (if (i64.eqz n) (return acc)) (return_call $sum (n-1) (acc+n)))
    ByteList code = cat({ local_get(0), { 0x50, 0x04, 0x40 }, local_get(1), { 0x0f, 0x0b },
        local_get(0), i64_const(1), { 0x7d }, local_get(1), local_get(0), { 0x7c }, { 0x12, 0x00 } });
    b.function(t, {}, code, "sum");
    auto instance = f.instantiate(b.build());
    ASSERT_FALSE(instance.is_error()) << message(instance.error());
    auto r = call1(f, instance.value(), "sum", { Value::from_i64(1000000), Value::from_i64(0) });
    ASSERT_FALSE(r.is_error()) << message(r.error());
    EXPECT_EQ(r.value().i64, 500000500000ull);
}

TEST(Baseline, MemoryGuardPagesAndGrow)
{
    JitFixture f;
    REQUIRE_EXECUTION(f);
    ModuleBuilder b;
    b.has_memory = true;
    b.memory_min = 1;
    b.memory_max = 4;
    u32 load = b.type({ I32 }, { I32 });
    u32 store = b.type({ I32, I32 }, {});
    b.function(load, {}, cat({ local_get(0), { 0x28, 0x02, 0x00 } }), "load");
    b.function(store, {}, cat({ local_get(0), local_get(1), { 0x36, 0x02, 0x00 } }), "store");
    b.function(load, {}, cat({ local_get(0), { 0x40, 0x00 } }), "grow");
    auto instance = f.instantiate(b.build());
    ASSERT_FALSE(instance.is_error()) << message(instance.error());
    wasm::Instance* i = instance.value();
    Value args[2] = { Value::from_i32(65532), Value::from_i32(1234) };
    ASSERT_FALSE(f.engine->invoke(JitFixture::exported(i, "store"), Span<const Value>(args, 2), {}).is_error());
    auto r = call1(f, i, "load", { Value::from_i32(65532) });
    ASSERT_FALSE(r.is_error());
    EXPECT_EQ(r.value().i32, 1234u);
    // One byte past the end: the guard pages fault, the handler traps.
    r = call1(f, i, "load", { Value::from_i32(65533) });
    ASSERT_TRUE(r.is_error());
    EXPECT_TRUE(message(r.error()).starts_with("out of bounds memory access")) << message(r.error());
    r = call1(f, i, "load", { Value::from_i32(0xfffffffc) });
    ASSERT_TRUE(r.is_error());
    r = call1(f, i, "grow", { Value::from_i32(1) });
    ASSERT_FALSE(r.is_error());
    EXPECT_EQ(r.value().i32, 1u);
    r = call1(f, i, "load", { Value::from_i32(65536) });
    ASSERT_FALSE(r.is_error()) << message(r.error());
    EXPECT_EQ(r.value().i32, 0u);
    r = call1(f, i, "grow", { Value::from_i32(10) });
    EXPECT_EQ(r.value().i32, 0xffffffffu);
}

namespace {

Result<void> add_one(void*, Span<const Value> args, Span<Value> results) noexcept
{
    results[0] = Value::from_i32(args[0].i32 + 1);
    return {};
}

Result<void> fail_with_exit(void*, Span<const Value>, Span<Value>) noexcept
{
    return Error::from_code(ErrorCode::PermissionDenied, "exit 3");
}

} // namespace

TEST(Baseline, HostCallsAndHostErrors)
{
    JitFixture f;
    REQUIRE_EXECUTION(f);
    static constexpr wasm::ValueType i32s[] = { wasm::ValueType::I32 };
    wasm::FunctionInstance* inc = MUST(f.store.create_host_function({ i32s, i32s }, add_one, nullptr));
    wasm::FunctionInstance* exit = MUST(f.store.create_host_function({ i32s, i32s }, fail_with_exit, nullptr));
    wasm::Instance* host = MUST(f.store.create_instance());
    MUST(host->add_export("inc"_sv, { wasm::ExternKind::Function, inc }));
    MUST(host->add_export("exit"_sv, { wasm::ExternKind::Function, exit }));
    MUST(f.linker.register_instance("host"_sv, host));
    ModuleBuilder b;
    u32 t = b.type({ I32 }, { I32 });
    b.import_function("host", "inc", t);
    b.import_function("host", "exit", t);
    // inc(inc(x)) * 2
    b.function(t, {}, cat({ local_get(0), call(0), call(0), i32_const(2), { 0x6c } }), "twice");
    b.function(t, {}, cat({ local_get(0), call(1) }), "quit");
    auto instance = f.instantiate(b.build());
    ASSERT_FALSE(instance.is_error()) << message(instance.error());
    auto r = call1(f, instance.value(), "twice", { Value::from_i32(5) });
    ASSERT_FALSE(r.is_error()) << message(r.error());
    EXPECT_EQ(r.value().i32, 14u);
    r = call1(f, instance.value(), "quit", { Value::from_i32(5) });
    ASSERT_TRUE(r.is_error());
    EXPECT_EQ(r.error().code(), ErrorCode::PermissionDenied);
    EXPECT_EQ(message(r.error()), "exit 3");
}

TEST(Baseline, CallIndirectChecksSignatures)
{
    JitFixture f;
    REQUIRE_EXECUTION(f);
    ModuleBuilder b;
    u32 ii = b.type({ I32 }, { I32 });
    u32 v = b.type({}, {});
    u32 seven = b.function(ii, {}, cat({ local_get(0), i32_const(7), { 0x6a } }));
    u32 nothing = b.function(v, {}, {});
    b.table_size = 3;
    b.elements = { seven, nothing };
    // (func (param i32) (result i32) i32.const 1 local.get 0 call_indirect (type ii))
    b.function(ii, {}, cat({ i32_const(1), local_get(0), { 0x11 }, { u8(ii), 0x00 } }), "dispatch");
    auto instance = f.instantiate(b.build());
    ASSERT_FALSE(instance.is_error()) << message(instance.error());
    auto r = call1(f, instance.value(), "dispatch", { Value::from_i32(0) });
    ASSERT_FALSE(r.is_error()) << message(r.error());
    EXPECT_EQ(r.value().i32, 8u);
    r = call1(f, instance.value(), "dispatch", { Value::from_i32(1) });
    ASSERT_TRUE(r.is_error());
    EXPECT_TRUE(message(r.error()).starts_with("indirect call type mismatch")) << message(r.error());
    r = call1(f, instance.value(), "dispatch", { Value::from_i32(2) });
    EXPECT_TRUE(message(r.error()).starts_with("uninitialized element 2")) << message(r.error());
    r = call1(f, instance.value(), "dispatch", { Value::from_i32(3) });
    EXPECT_TRUE(message(r.error()).starts_with("undefined element")) << message(r.error());
}

TEST(Baseline, ManyParamsAndResults)
{
    JitFixture f;
    REQUIRE_EXECUTION(f);
    ModuleBuilder b;
    // 12 i64 params and 10 f64 params; returns 10 i64 results (sums) — both
    // overflow the argument registers.
    ByteList params;
    for (int i = 0; i < 12; ++i)
        params.push_back(I64);
    for (int i = 0; i < 10; ++i)
        params.push_back(F64);
    ByteList results(10, I64);
    u32 wide = b.type(params, results);
    ByteList code;
    for (u32 i = 0; i < 10; ++i) {
        // result i = p[i] + p[i+2] + trunc(f[i])
        code = cat({ code, local_get(i), local_get(i + 2), { 0x7c }, local_get(12 + i), { 0xb0 }, { 0x7c } });
    }
    u32 callee = b.function(wide, {}, code);
    u32 t = b.type({}, { I64 });
    ByteList caller;
    for (u32 i = 0; i < 12; ++i)
        caller = cat({ caller, i64_const(i64(i) * 100) });
    for (u32 i = 0; i < 10; ++i) {
        ByteList c { 0x44 };
        double d = double(i) + 0.5;
        u8 bytes[8];
        __builtin_memcpy(bytes, &d, 8);
        c.insert(c.end(), bytes, bytes + 8);
        caller = cat({ caller, c });
    }
    caller = cat({ caller, call(callee) });
    // Fold the 10 results: r0 - r1 + ... keep it simple: add them all.
    for (int i = 0; i < 9; ++i)
        caller.push_back(0x7c);
    b.function(t, {}, caller, "run");
    auto instance = f.instantiate(b.build());
    ASSERT_FALSE(instance.is_error()) << message(instance.error());
    auto r = call1(f, instance.value(), "run", {});
    ASSERT_FALSE(r.is_error()) << message(r.error());
    u64 expected = 0;
    for (u64 i = 0; i < 10; ++i)
        expected += i * 100 + (i + 2) * 100 + i;
    EXPECT_EQ(r.value().i64, expected);
}

// A value stack deeper than 2^16 entries with values in registers near the
// top: register owners once were 16-bit stack indices, so the entry at
// index 65535 made its register look free and another value overwrote it.
// Entry i is x + i % 1000, computed into a register; the adds at the end
// sum them all, so the result is right only if no register was handed out
// while an entry still held it.
TEST(Baseline, ValueStackDeeperThan16BitIndices)
{
    JitFixture f;
    REQUIRE_EXECUTION(f);
    ModuleBuilder b;
    u32 t = b.type({ I32 }, { I32 });
    constexpr u32 depth = 70000;
    ByteList code;
    i64 expected = 0;
    for (u32 i = 0; i < depth; ++i) {
        ByteList entry = cat({ local_get(0), i32_const(i32(i % 1000)), { 0x6a } });
        code.insert(code.end(), entry.begin(), entry.end());
        expected += 3 + i % 1000;
    }
    code.insert(code.end(), depth - 1, 0x6a);
    b.function(t, {}, code, "sum");
    auto instance = f.instantiate(b.build());
    ASSERT_FALSE(instance.is_error()) << message(instance.error());
    auto r = call1(f, instance.value(), "sum", { Value::from_i32(3) });
    ASSERT_FALSE(r.is_error()) << message(r.error());
    EXPECT_EQ(r.value().i32, i32(expected));
}

TEST(Baseline, PerfMapNamesFunctions)
{
    JitFixture f;
    Engine::destroy(f.engine);
    EngineOptions options;
    options.perf_map = true;
    f.engine = MUST(Engine::create(options));
    ModuleBuilder b;
    u32 t = b.type({}, {});
    b.function(t, {}, {}, "", "perf_probe_function");
    auto m = f.read(b.build());
    ASSERT_FALSE(m.is_error()) << message(m.error());
    ASSERT_FALSE(f.engine->compile(*m.value()).is_error());
    std::string path = "/tmp/perf-" + std::to_string(getpid()) + ".map";
    FILE* file = fopen(path.c_str(), "r");
    ASSERT_NE(file, nullptr);
    char line[256];
    bool found = false;
    while (fgets(line, sizeof line, file))
        found |= std::string(line).find(" wasm:perf_probe_function") != std::string::npos;
    fclose(file);
    EXPECT_TRUE(found);
}

namespace {

struct Reentry {
    Engine* engine { nullptr };
    wasm::FunctionInstance* target { nullptr };
};

// A host function that calls back into the guest (a nested activation).
Result<void> call_back(void* data, Span<const Value> args, Span<Value> results) noexcept
{
    auto* reentry = static_cast<Reentry*>(data);
    TRY(reentry->engine->invoke(reentry->target, args, results));
    results[0] = Value::from_i32(results[0].i32 * 10);
    return {};
}

} // namespace

TEST(Baseline, HostFunctionsMayReenterTheGuest)
{
    JitFixture f;
    REQUIRE_EXECUTION(f);
    static constexpr wasm::ValueType i32s[] = { wasm::ValueType::I32 };
    Reentry reentry { f.engine, nullptr };
    wasm::FunctionInstance* host_fn = MUST(f.store.create_host_function({ i32s, i32s }, call_back, &reentry));
    wasm::Instance* host = MUST(f.store.create_instance());
    MUST(host->add_export("back"_sv, { wasm::ExternKind::Function, host_fn }));
    MUST(f.linker.register_instance("host"_sv, host));
    ModuleBuilder b;
    u32 t = b.type({ I32 }, { I32 });
    b.import_function("host", "back", t);
    // inner(x) = 100 / x (traps for 0); outer(x) = back(x) + 1
    b.function(t, {}, cat({ i32_const(100), local_get(0), { 0x6d } }), "inner");
    b.function(t, {}, cat({ local_get(0), call(0), i32_const(1), { 0x6a } }), "outer");
    auto instance = f.instantiate(b.build());
    ASSERT_FALSE(instance.is_error()) << message(instance.error());
    reentry.target = JitFixture::exported(instance.value(), "inner");
    auto r = call1(f, instance.value(), "outer", { Value::from_i32(5) });
    ASSERT_FALSE(r.is_error()) << message(r.error());
    EXPECT_EQ(r.value().i32, 201u);
    // A trap in the nested activation is the host function's error, which
    // unwinds the outer one.
    r = call1(f, instance.value(), "outer", { Value::from_i32(0) });
    ASSERT_TRUE(r.is_error());
    EXPECT_TRUE(message(r.error()).starts_with("integer divide by zero in func[1]")) << message(r.error());
    r = call1(f, instance.value(), "outer", { Value::from_i32(50) });
    ASSERT_FALSE(r.is_error()) << message(r.error());
    EXPECT_EQ(r.value().i32, 21u);
}

TEST(Baseline, StartFunctionRuns)
{
    JitFixture f;
    REQUIRE_EXECUTION(f);
    ModuleBuilder b;
    u32 t = b.type({}, {});
    b.function(t, {}, { 0x00 }, "start");
    ByteList bytes = b.build();
    // Insert a start section (id 8) naming function 0 before the code
    // section (id 10): find the code section by walking the sections.
    usize at = 8;
    while (at < bytes.size() && bytes[at] != 10) {
        u64 size = 0;
        u32 shift = 0;
        usize p = at + 1;
        for (;;) {
            u8 byte = bytes[p++];
            size |= u64(byte & 0x7f) << shift;
            shift += 7;
            if (!(byte & 0x80))
                break;
        }
        at = p + size;
    }
    bytes.insert(bytes.begin() + long(at), { 0x08, 0x01, 0x00 });
    auto instance = f.instantiate(bytes);
    ASSERT_TRUE(instance.is_error());
    EXPECT_TRUE(message(instance.error()).starts_with("unreachable in func[0] at wasm offset 0x")) << message(instance.error());
}

TEST(Baseline, TailCallsToFunctionsWithStackArguments)
{
    JitFixture f;
    REQUIRE_EXECUTION(f);
    ModuleBuilder b;
    u32 small = b.type({ I64 }, { I64 });
    ByteList wide_params(12, I64); // 4 of them on the stack
    u32 wide = b.type(wide_params, { I64 });
    // f(n) = return_call g(n, 1, 2, ..., 11)
    ByteList fcode = local_get(0);
    for (int i = 1; i < 12; ++i)
        fcode = cat({ fcode, i64_const(i) });
    fcode = cat({ fcode, { 0x12, 0x01 } });
    b.function(small, {}, fcode, "f");
    // g(n, a1..a11) = n == 0 ? a11 : return_call f(n - 1)
    ByteList gcode = cat({ local_get(0), { 0x50, 0x04, 0x40 }, local_get(11), { 0x0f, 0x0b },
        local_get(0), i64_const(1), { 0x7d }, { 0x12, 0x00 } });
    b.function(wide, {}, gcode, "g");
    auto instance = f.instantiate(b.build());
    ASSERT_FALSE(instance.is_error()) << message(instance.error());
    // 300000 round trips: a growing stack would exhaust the 8 MiB guest stack.
    auto r = call1(f, instance.value(), "f", { Value::from_i64(300000) });
    ASSERT_FALSE(r.is_error()) << message(r.error());
    EXPECT_EQ(r.value().i64, 11u);
}

namespace {

ByteList f32_const(float v)
{
    ByteList c { 0x43 };
    u8 bytes[4];
    __builtin_memcpy(bytes, &v, 4);
    c.insert(c.end(), bytes, bytes + 4);
    return c;
}

ByteList f64_const(double v)
{
    ByteList c { 0x44 };
    u8 bytes[8];
    __builtin_memcpy(bytes, &v, 8);
    c.insert(c.end(), bytes, bytes + 8);
    return c;
}

ByteList locals_range(u32 first, u32 count)
{
    ByteList out;
    for (u32 i = 0; i < count; ++i)
        out = cat({ out, local_get(first + i) });
    return out;
}

} // namespace

// Mutual tail recursion between A (20 mixed params: 4 stack arguments) and
// B (26 params: 10 stack arguments, more than the registers and more than 8
// slots), B -> A through return_call_indirect, a million hops: the stack
// must stay constant (a growing one exhausts the guest stack within a few
// ten thousand hops), and every argument must arrive.
TEST(Baseline, TailCallsWithManyMixedStackArgumentsNeverGrowTheStack)
{
    JitFixture f;
    REQUIRE_EXECUTION(f);
    ModuleBuilder b;
    // A: n x, i32 x5 (2..6), f32 x5 (7..11), f64 x4 (12..15), i64 x4 (16..19)
    ByteList a_params { I64, I64, I32, I32, I32, I32, I32, F32, F32, F32, F32, F32, F64, F64, F64, F64, I64, I64, I64, I64 };
    // B: n x, i32 x6 (2..7), i64 x8 (8..15), f32 x5 (16..20), f64 x5 (21..25)
    ByteList b_params { I64, I64, I32, I32, I32, I32, I32, I32, I64, I64, I64, I64, I64, I64, I64, I64,
        F32, F32, F32, F32, F32, F64, F64, F64, F64, F64 };
    u32 ta = b.type(a_params, { I64 });
    u32 tb = b.type(b_params, { I64 });
    constexpr u8 add = 0x7c, ext32 = 0xac, trunc32 = 0xae, trunc64 = 0xb0;
    // A(n == 0) returns x + the sum of its other params (truncated), else
    // return_call B(n - 1, x + i64[3] + f64[3] + i32[4] + f32[4], ...).
    ByteList sum = local_get(1);
    for (u32 i = 2; i <= 6; ++i)
        sum = cat({ sum, local_get(i), { ext32, add } });
    for (u32 i = 7; i <= 11; ++i)
        sum = cat({ sum, local_get(i), { trunc32, add } });
    for (u32 i = 12; i <= 15; ++i)
        sum = cat({ sum, local_get(i), { trunc64, add } });
    for (u32 i = 16; i <= 19; ++i)
        sum = cat({ sum, local_get(i), { add } });
    ByteList acode = cat({ local_get(0), { 0x50, 0x04, 0x40 }, sum, { 0x0f, 0x0b },
        local_get(0), i64_const(1), { 0x7d },
        local_get(1), local_get(19), { add }, local_get(15), { trunc64, add }, local_get(6), { ext32, add }, local_get(11), { trunc32, add },
        locals_range(2, 5), i32_const(6), locals_range(16, 4), i64_const(50), i64_const(60), i64_const(70), i64_const(80),
        locals_range(7, 5), locals_range(12, 4), f64_const(5.0), { 0x12, 0x01 } });
    u32 fa = b.function(ta, {}, acode, "A");
    // B(n == 0) returns x, else return_call_indirect A(n - 1, x + i64[7] +
    // f64[4] + i32[5] + i64[0], ...) through table slot 0.
    ByteList bcode = cat({ local_get(0), { 0x50, 0x04, 0x40 }, local_get(1), { 0x0f, 0x0b },
        local_get(0), i64_const(1), { 0x7d },
        local_get(1), local_get(15), { add }, local_get(25), { trunc64, add }, local_get(7), { ext32, add }, local_get(8), { add },
        locals_range(2, 5), locals_range(16, 5), locals_range(21, 4), locals_range(8, 4), i32_const(0), { 0x13 } });
    uleb(bcode, ta);
    bcode.push_back(0x00);
    b.function(tb, {}, bcode, "B");
    u32 t = b.type({ I64 }, { I64 });
    ByteList run = cat({ local_get(0), i64_const(0), i32_const(1), i32_const(2), i32_const(3), i32_const(4), i32_const(5),
        f32_const(1.5f), f32_const(2.5f), f32_const(3.5f), f32_const(4.5f), f32_const(5.5f),
        f64_const(1.25), f64_const(2.25), f64_const(3.25), f64_const(4.25),
        i64_const(10), i64_const(20), i64_const(30), i64_const(40), call(fa) });
    b.function(t, {}, run, "run");
    b.table_size = 1;
    b.elements = { fa };
    auto instance = f.instantiate(b.build());
    ASSERT_FALSE(instance.is_error()) << message(instance.error());
    auto expected = [](i64 n, bool in_a) {
        i64 x = 0;
        for (;; --n, in_a = !in_a) {
            if (in_a) {
                if (n == 0)
                    return x + 15 + 15 + 10 + 100;
                x += 40 + 4 + 5 + 5;
            } else {
                if (n == 0)
                    return x;
                x += 80 + 5 + 6 + 10;
            }
        }
    };
    for (i64 n : { i64(0), i64(1), i64(2), i64(7), i64(1000000), i64(1000001) }) {
        auto r = call1(f, instance.value(), "run", { Value::from_i64(u64(n)) });
        ASSERT_FALSE(r.is_error()) << n << ": " << message(r.error());
        EXPECT_EQ(i64(r.value().i64), expected(n, true)) << n;
    }
    // Entered from the host with its 10 stack arguments.
    std::vector<Value> args { Value::from_i64(999999), Value::from_i64(0) };
    for (i32 v : { 1, 2, 3, 4, 5, 6 })
        args.push_back(Value::from_i32(u32(v)));
    for (i64 v : { 10, 20, 30, 40, 50, 60, 70, 80 })
        args.push_back(Value::from_i64(u64(v)));
    for (float v : { 1.5f, 2.5f, 3.5f, 4.5f, 5.5f })
        args.push_back(Value::from_f32_bits(__builtin_bit_cast(u32, v)));
    for (double v : { 1.25, 2.25, 3.25, 4.25, 5.0 })
        args.push_back(Value::from_f64_bits(__builtin_bit_cast(u64, v)));
    Value result;
    auto r = f.engine->invoke(JitFixture::exported(instance.value(), "B"), Span<const Value>(args.data(), args.size()), Span<Value>(&result, 1));
    ASSERT_FALSE(r.is_error()) << message(r.error());
    EXPECT_EQ(i64(result.i64), expected(999999, false));
}

// Locals homed in registers (jit/baseline/LocalHomes.cpp). g writes its own
// homed locals, so it clobbers the same registers as the caller's homes
// (every register is caller-saved across wasm calls).
namespace {

u32 clobbering_callee(ModuleBuilder& b)
{
    u32 t = b.type({}, { I32 });
    return b.function(t, { I32, I32 },
        cat({ i32_const(99), { 0x21, 0x00 }, i32_const(98), { 0x21, 0x01 }, local_get(0), local_get(1), { 0x6a } }), "g");
}

} // namespace

// After a call every home is stale until reloaded; the then-branch of an if
// without an else reloaded x on its path only, and the end label took x as
// valid from the empty else path too (quicksort read a clobbered local).
TEST(Baseline, HomedLocalAfterCallAcrossIfWithoutElse)
{
    JitFixture f;
    REQUIRE_EXECUTION(f);
    ModuleBuilder b;
    u32 g = clobbering_callee(b);
    u32 t = b.type({ I32 }, { I32 });
    // (local x) x = 7; drop(g()); if (c) { drop(x) } return x
    b.function(t, { I32 },
        cat({ i32_const(7), { 0x21, 0x01 }, call(g), { 0x1a }, local_get(0), { 0x04, 0x40 }, local_get(1), { 0x1a, 0x0b },
            local_get(1) }),
        "f");
    auto instance = f.instantiate(b.build());
    ASSERT_FALSE(instance.is_error()) << message(instance.error());
    for (i32 c : { 0, 1 }) {
        auto r = call1(f, instance.value(), "f", { Value::from_i32(u32(c)) });
        ASSERT_FALSE(r.is_error()) << message(r.error());
        EXPECT_EQ(r.value().i32, 7u) << "c = " << c;
    }
}

// A home written in a loop is stored before each call and reloaded after
// it, on the back edge too.
TEST(Baseline, HomedLocalWrittenAroundCallsInALoop)
{
    JitFixture f;
    REQUIRE_EXECUTION(f);
    ModuleBuilder b;
    u32 g = clobbering_callee(b);
    u32 t = b.type({ I32 }, { I32 });
    // (local x) loop { x += 1; drop(g()); br_if 0 (x < n) } return x
    b.function(t, { I32 },
        cat({ { 0x03, 0x40 }, local_get(1), i32_const(1), { 0x6a, 0x21, 0x01 }, call(g), { 0x1a }, local_get(1),
            local_get(0), { 0x48, 0x0d, 0x00, 0x0b }, local_get(1) }),
        "f");
    auto instance = f.instantiate(b.build());
    ASSERT_FALSE(instance.is_error()) << message(instance.error());
    auto r = call1(f, instance.value(), "f", { Value::from_i32(10) });
    ASSERT_FALSE(r.is_error()) << message(r.error());
    EXPECT_EQ(r.value().i32, 10u);
}

// local.get pushes the home itself: a local.set while that value is still
// on the stack must leave the old value there.
TEST(Baseline, LocalSetWhileItsValueIsOnTheStack)
{
    JitFixture f;
    REQUIRE_EXECUTION(f);
    ModuleBuilder b;
    u32 t = b.type({ I32 }, { I32 });
    // a; a = a + 5; (old a) - a
    b.function(t, {}, cat({ local_get(0), local_get(0), i32_const(5), { 0x6a, 0x21, 0x00 }, local_get(0), { 0x6b } }), "f");
    auto instance = f.instantiate(b.build());
    ASSERT_FALSE(instance.is_error()) << message(instance.error());
    auto r = call1(f, instance.value(), "f", { Value::from_i32(40) });
    ASSERT_FALSE(r.is_error()) << message(r.error());
    EXPECT_EQ(r.value().i32, u32(-5));
}

// select on a pending compare (a branch on the compare's operands) and its
// clamp shapes (min/max/minu/maxu with Zbb, branches without) against the
// model, for signed, unsigned and i64 operands on both sides of the bound.
TEST(Baseline, SelectOnACompareAndItsClampShapes)
{
    ModuleBuilder b;
    u32 i32_1 = b.type({ I32 }, { I32 });
    u32 i64_1 = b.type({ I64 }, { I64 });
    u32 i32_2 = b.type({ I32, I32 }, { I32 });
    u32 i32_4 = b.type({ I32, I32, I32, I32 }, { I32 });
    // select(x, 32767, x < 32767)
    b.function(i32_1, {}, cat({ local_get(0), i32_const(32767), local_get(0), i32_const(32767), { 0x48, 0x1b } }), "min");
    // select(x, -5, x > -5) over i64
    b.function(i64_1, {}, cat({ local_get(0), i64_const(-5), local_get(0), i64_const(-5), { 0x55, 0x1b } }), "max64");
    // select(y, x, x <u y)
    b.function(i32_2, {}, cat({ local_get(1), local_get(0), local_get(0), local_get(1), { 0x49, 0x1b } }), "maxu");
    // select(x, y, x <=u y)
    b.function(i32_2, {}, cat({ local_get(0), local_get(1), local_get(0), local_get(1), { 0x4d, 0x1b } }), "minu");
    // select(a, b, c < d)
    b.function(i32_4, {}, cat({ local_get(0), local_get(1), local_get(2), local_get(3), { 0x48, 0x1b } }), "sel");
    // select(a + 1, b + 2, c >=u 3): temporaries as operands, an immediate compare
    b.function(i32_4, {}, cat({ local_get(0), i32_const(1), { 0x6a }, local_get(1), i32_const(2), { 0x6a },
                              local_get(2), i32_const(3), { 0x4f, 0x1b } }), "selimm");
    ByteList module = b.build();
    auto base = riscv64::CpuFeatures::rv64gc();
    for (auto features : { base, base.with(riscv64::Extension::Zba).with(riscv64::Extension::Zbb) }) {
        JitFixture f(features);
        REQUIRE_EXECUTION(f);
        auto instance = f.instantiate(module);
        ASSERT_FALSE(instance.is_error()) << message(instance.error());
        auto i32_of = [&](const char* name, std::initializer_list<Value> args) {
            auto r = call1(f, instance.value(), name, args);
            EXPECT_FALSE(r.is_error()) << name;
            return r.is_error() ? 0xdeadbeefu : r.value().i32;
        };
        for (i32 x : { i32(-2147483647 - 1), -40000, -1, 0, 32766, 32767, 32768, 2147483647 })
            EXPECT_EQ(i32_of("min", { Value::from_i32(u32(x)) }), u32(x < 32767 ? x : 32767)) << x;
        for (i64 x : { i64(-9000000000), i64(-6), i64(-5), i64(-4), i64(0), i64(1) << 40 }) {
            auto r = call1(f, instance.value(), "max64", { Value::from_i64(u64(x)) });
            ASSERT_FALSE(r.is_error());
            EXPECT_EQ(r.value().i64, u64(x > -5 ? x : -5)) << x;
        }
        for (u32 x : { 0u, 1u, 0x7fffffffu, 0x80000000u, 0xffffffffu }) {
            for (u32 y : { 0u, 5u, 0x80000001u, 0xffffffffu }) {
                EXPECT_EQ(i32_of("maxu", { Value::from_i32(x), Value::from_i32(y) }), x < y ? y : x);
                EXPECT_EQ(i32_of("minu", { Value::from_i32(x), Value::from_i32(y) }), x <= y ? x : y);
            }
        }
        for (i32 c : { -3, 2, 3, 4 }) {
            EXPECT_EQ(i32_of("sel", { Value::from_i32(10), Value::from_i32(20), Value::from_i32(u32(c)), Value::from_i32(3) }),
                c < 3 ? 10u : 20u);
            EXPECT_EQ(i32_of("selimm", { Value::from_i32(10), Value::from_i32(20), Value::from_i32(u32(c)), Value::from_i32(0) }),
                u32(c) >= 3u ? 11u : 22u);
        }
    }
}

// A homed local set from the last instruction's result (which then writes
// the home) while the local's old value is still on the stack, in a loop.
TEST(Baseline, LocalSetFromTheLastInstructionKeepsAliasesAndLoops)
{
    JitFixture f;
    REQUIRE_EXECUTION(f);
    ModuleBuilder b;
    u32 t = b.type({ I32 }, { I32 });
    // local 1 = 0; loop: old = a; a = a - 1; local1 = local1 + old; br_if a != 0; local1 (+ the last old)
    ByteList code = cat({ { 0x03, 0x40 },                              // loop
        local_get(0),                                                  // old a (an alias)
        local_get(0), i32_const(1), { 0x6b, 0x21, 0x00 },              // a = a - 1
        local_get(1), { 0x6a, 0x21, 0x01 },                            // local1 = old + local1
        local_get(0), { 0x0d, 0x00, 0x0b },                            // br_if 0 end
        local_get(1) });
    b.function(t, { I32 }, code, "f");
    auto instance = f.instantiate(b.build());
    ASSERT_FALSE(instance.is_error()) << message(instance.error());
    auto r = call1(f, instance.value(), "f", { Value::from_i32(10) });
    ASSERT_FALSE(r.is_error()) << message(r.error());
    EXPECT_EQ(r.value().i32, 55u);
}
