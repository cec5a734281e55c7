// The optimizing tier's lowering run end to end (riscv64-linux ring; the
// host build is a cross-compiler and skips): calls with stack arguments and
// results between the tiers, and the inline memory.fill / memory.copy.
// Expected values come from C++ models of the same computations.

#include "../JitTestHelpers.h"
#include "OptimizingTestHelpers.h"

#include <cstring>
#include <string>

using namespace k23;
using k23::jit::test::JitFixture;
using k23::jit::optimizing::test::wat;
using wasm::Value;

namespace {

// A fixture whose engine compiles with `tier`.
void use_tier(JitFixture& f, jit::Tier tier)
{
    jit::Engine::destroy(f.engine);
    jit::EngineOptions options;
    options.tier = tier;
    f.engine = MUST(jit::Engine::create(options));
}

std::string repeat(const char* text, int n)
{
    std::string out;
    for (int k = 0; k < n; ++k)
        out += text;
    return out;
}

// $wide: ten i64, ten f64 and an i32 in, ten i64 and nine f64 out: three
// integer and two float arguments and two integer and one float result
// travel on the stack (jit/Abi.h). r_k = x_k * (k + 1) + z,
// s_k = y_k * 2 + y_(k+1).
std::string wide_module()
{
    std::string params = "(param" + repeat(" i64", 10) + repeat(" f64", 10) + " i32)";
    std::string results = "(result" + repeat(" i64", 10) + repeat(" f64", 9) + ")";
    std::string wide = "(func $wide (type $wide_t)\n";
    for (int k = 0; k < 10; ++k)
        wide += "  (i64.add (i64.mul (local.get " + std::to_string(k) + ") (i64.const " + std::to_string(k + 1)
            + ")) (i64.extend_i32_s (local.get 20)))\n";
    for (int k = 0; k < 9; ++k)
        wide += "  (f64.add (f64.mul (local.get " + std::to_string(10 + k) + ") (f64.const 2)) (local.get "
            + std::to_string(11 + k) + "))\n";
    wide += ")\n";
    // The same after an indirect call with a v128 argument (not inlined):
    // stack arguments beside a v128 one passed in memory (jit/Abi.h).
    std::string simd = "(func $sink (type $sink_t) (i32x4.extract_lane 0 (local.get 0)))\n"
                       "(func $simd_wide (type $wide_t)\n  (drop (call_indirect (type $sink_t) (v128.const i32x4 0 0 0 0) (i32.const 2)))\n  (call $wide";
    for (int k = 0; k < 21; ++k)
        simd += " (local.get " + std::to_string(k) + ")";
    simd += "))\n";
    // Twelve i64 (five on the stack with z) and ten f64: a tail call to
    // $wide with fewer stack arguments than its own.
    std::string tail = "(func $tail_from (param" + repeat(" i64", 12) + repeat(" f64", 10) + " i32) " + results
        + "\n  (return_call $wide";
    for (int k = 0; k < 10; ++k)
        tail += " (local.get " + std::to_string(k) + ")";
    for (int k = 0; k < 10; ++k)
        tail += " (local.get " + std::to_string(12 + k) + ")";
    tail += " (local.get 22)))\n";
    // Pops the 19 results into locals and adds
    // sum (k + 1) * r_k + sum (k + 11) * trunc(s_k) to $acc.
    auto consume = [](const std::string& scale) {
        std::string c;
        for (int k = 8; k >= 0; --k)
            c += "  (local.set $s" + std::to_string(k) + ")\n";
        for (int k = 9; k >= 0; --k)
            c += "  (local.set $r" + std::to_string(k) + ")\n";
        std::string sum = "(i64.const 0)";
        for (int k = 0; k < 10; ++k)
            sum = "(i64.add " + sum + " (i64.mul (local.get $r" + std::to_string(k) + ") (i64.const " + std::to_string(k + 1) + ")))";
        for (int k = 0; k < 9; ++k)
            sum = "(i64.add " + sum + " (i64.mul (i64.trunc_f64_s (local.get $s" + std::to_string(k) + ")) (i64.const "
                + std::to_string(k + 11) + ")))";
        c += "  (local.set $acc (i64.add (local.get $acc) (i64.mul " + sum + " (i64.const " + scale + "))))\n";
        return c;
    };
    std::string check = "(func (export \"check\") (param $z i32) (result i64) (local $acc i64)";
    for (int k = 0; k < 10; ++k)
        check += " (local $r" + std::to_string(k) + " i64)";
    for (int k = 0; k < 9; ++k)
        check += " (local $s" + std::to_string(k) + " f64)";
    check += "\n  (call $wide";
    for (int k = 0; k < 10; ++k)
        check += " (i64.extend_i32_s (i32.add (local.get $z) (i32.const " + std::to_string(3 * k) + ")))";
    for (int k = 0; k < 10; ++k)
        check += " (f64.add (f64.convert_i32_s (local.get $z)) (f64.const " + std::to_string(k) + "))";
    check += " (local.get $z))\n" + consume("1");
    check += "  (call_indirect (type $wide_t)";
    for (int k = 0; k < 10; ++k)
        check += " (i64.mul (i64.extend_i32_s (local.get $z)) (i64.const " + std::to_string(k) + "))";
    for (int k = 0; k < 10; ++k)
        check += " (f64.const " + std::to_string(k * k) + ")";
    check += " (local.get $z) (i32.const 1))\n" + consume("7");
    check += "  (call $tail_from";
    for (int k = 0; k < 12; ++k)
        check += " (i64.sub (i64.const " + std::to_string(k) + ") (i64.extend_i32_s (local.get $z)))";
    for (int k = 0; k < 10; ++k)
        check += " (f64.const " + std::to_string(k) + ".5)";
    check += " (local.get $z))\n" + consume("13") + "  (local.get $acc))\n";
    return "(module\n(type $wide_t (func " + params + " " + results + "))\n(type $sink_t (func (param v128) (result i32)))\n(table 3 funcref)\n(elem (i32.const 0) $wide $simd_wide $sink)\n"
        + wide + simd + tail + check + ")\n";
}

// The model of one call of $wide folded as `consume` does.
i64 wide_sum(const i64 (&x)[10], const double (&y)[10], i32 z)
{
    u64 sum = 0;
    for (int k = 0; k < 10; ++k)
        sum += (u64(x[k]) * u64(k + 1) + u64(i64(z))) * u64(k + 1);
    for (int k = 0; k < 9; ++k)
        sum += u64(i64(y[k] * 2 + y[k + 1])) * u64(k + 11);
    return i64(sum);
}

i64 check_model(i32 z)
{
    i64 x[10];
    double y[10];
    for (int k = 0; k < 10; ++k) {
        x[k] = i64(i32(u32(z) + u32(3 * k)));
        y[k] = double(z) + k;
    }
    u64 acc = u64(wide_sum(x, y, z));
    for (int k = 0; k < 10; ++k) {
        x[k] = i64(z) * k;
        y[k] = double(k * k);
    }
    acc += u64(wide_sum(x, y, z)) * 7;
    for (int k = 0; k < 10; ++k) {
        x[k] = k - i64(z);
        y[k] = k + 0.5;
    }
    acc += u64(wide_sum(x, y, z)) * 13;
    return i64(acc);
}

} // namespace

TEST(OptimizingLower, StackArgumentsAndResultsCrossTiers)
{
    std::string log;
    auto bytes = wat(wide_module(), &log);
    ASSERT_FALSE(bytes.empty()) << log;
    for (jit::Tier tier : { jit::Tier::Optimizing, jit::Tier::Baseline }) {
        JitFixture f;
        use_tier(f, tier);
        REQUIRE_EXECUTION(f);
        auto instance = f.instantiate(bytes);
        ASSERT_FALSE(instance.is_error()) << jit::test::message(instance.error());
        if (tier == jit::Tier::Optimizing) {
            EXPECT_EQ(f.engine->tier_counts().optimized, 5u) << f.engine->tier_counts().first_fallback;
            EXPECT_EQ(f.engine->tier_counts().baseline, 0u);
        }
        for (i32 z : { 0, 5, -77, 1 << 30 }) {
            Value arg = Value::from_i32(u32(z)), result;
            auto r = f.engine->invoke(JitFixture::exported(instance.value(), "check"), Span<const Value>(&arg, 1), Span<Value>(&result, 1));
            ASSERT_FALSE(r.is_error()) << jit::test::message(r.error());
            EXPECT_EQ(i64(result.i64), check_model(z)) << "z = " << z;
        }
    }
}

namespace {

// v128 parameters and results between the tiers (jit/Abi.h: always in
// memory, two stack slots each, in signature order among the other stack
// values; here the ninth integer parameter follows two v128s). $base stays
// in the baseline: its (never taken) tail call to $big needs more stack
// arguments than its own, which the optimizing tier leaves to the baseline.
// So the optimized `check` calls the baseline $base, which calls the
// optimized $opt, directly and through the table.
const char* s_v128_calls = R"((module
  (type $vv (func (param v128 i32 v128 i64 i64 i64 i64 i64 i64 i64 i64) (result v128 i32 v128)))
  (table 2 funcref)
  (elem (i32.const 0) $opt $base)
  (func $opt (type $vv)
    (i32x4.add (local.get 0) (local.get 2))
    (i32.add (i32.mul (local.get 1) (i32.const 3))
      (i32.wrap_i64 (i64.add (i64.add (i64.add (local.get 3) (local.get 4)) (i64.add (local.get 5) (local.get 6)))
                             (i64.add (i64.add (local.get 7) (local.get 8)) (i64.add (local.get 9) (local.get 10))))))
    (v128.xor (local.get 0) (i32x4.splat (local.get 1))))
  (func $big (param v128 v128 v128 v128) (result v128 i32 v128)
    (local.get 0) (i32.const 0) (local.get 3))
  (func $base (type $vv) (local $x v128) (local $m i32) (local $y v128)
    (if (i32.eq (local.get 1) (i32.const 0x7fffffff))
      (then (return_call $big (local.get 0) (local.get 2) (local.get 0) (local.get 2))))
    (call $opt (local.get 2) (i32.add (local.get 1) (i32.const 1)) (local.get 0)
      (local.get 3) (local.get 4) (local.get 5) (local.get 6) (local.get 7) (local.get 8) (local.get 9) (local.get 10))
    (local.set $y) (local.set $m) (local.set $x)
    (i32x4.sub (local.get $x) (i32x4.splat (local.get $m)))
    (i32.add (local.get $m) (i32.const 1))
    (i32x4.mul (local.get $y) (local.get 2)))
  (func $fold (param v128) (result i64)
    (i64.add (i64.add (i64.extend_i32_u (i32x4.extract_lane 0 (local.get 0)))
                      (i64.mul (i64.extend_i32_u (i32x4.extract_lane 1 (local.get 0))) (i64.const 2)))
             (i64.add (i64.mul (i64.extend_i32_u (i32x4.extract_lane 2 (local.get 0))) (i64.const 3))
                      (i64.mul (i64.extend_i32_u (i32x4.extract_lane 3 (local.get 0))) (i64.const 4)))))
  ;; acc * 1000003 + fold(x) + m + 3 * fold(y)
  (func $take (param $acc i64) (param $x v128) (param $m i32) (param $y v128) (result i64)
    (i64.add (i64.add (i64.mul (local.get $acc) (i64.const 1000003)) (call $fold (local.get $x)))
             (i64.add (i64.extend_i32_s (local.get $m)) (i64.mul (call $fold (local.get $y)) (i64.const 3)))))
  (func (export "check") (param $n i32) (result i64) (local $a v128) (local $b v128) (local $q i64) (local $acc i64)
    (local.set $a (v128.const i32x4 1 2 3 4))
    (local.set $b (i32x4.replace_lane 2 (i32x4.splat (local.get $n)) (i32.mul (local.get $n) (i32.const 7))))
    (local.set $q (i64.extend_i32_s (local.get $n)))
    (local.set $acc (call $take (local.get $acc)
      (call $base (local.get $a) (local.get $n) (local.get $b) (local.get $q) (i64.const 1) (i64.const 2) (i64.const 3)
        (i64.const 4) (i64.const 5) (i64.const 6) (i64.mul (local.get $q) (i64.const 9)))))
    (local.set $acc (call $take (local.get $acc)
      (call_indirect (type $vv) (local.get $b) (local.get $n) (local.get $a) (i64.const 8) (local.get $q) (i64.const 6)
        (i64.const 5) (i64.const 4) (i64.const 3) (i64.const 2) (i64.const 1) (i32.const 0))))
    (local.set $acc (call $take (local.get $acc)
      (call_indirect (type $vv) (local.get $a) (local.get $n) (local.get $a) (i64.const 0) (i64.const 0) (i64.const 0)
        (i64.const 0) (i64.const 0) (i64.const 0) (i64.const 0) (local.get $q) (i32.const 1))))
    (local.get $acc)))
)";

struct V4 {
    u32 lane[4];
};

V4 splat4(u32 v) { return { { v, v, v, v } }; }

struct V128Results {
    V4 x;
    i32 m;
    V4 y;
};

V128Results opt_model(V4 a, i32 n, V4 b, const i64 (&q)[8])
{
    V128Results r;
    u64 sum = 0;
    for (i64 v : q)
        sum += u64(v);
    for (int k = 0; k < 4; ++k) {
        r.x.lane[k] = a.lane[k] + b.lane[k];
        r.y.lane[k] = a.lane[k] ^ u32(n);
    }
    r.m = i32(u32(n) * 3 + u32(sum));
    return r;
}

V128Results base_model(V4 a, i32 n, V4 b, const i64 (&q)[8])
{
    V128Results inner = opt_model(b, i32(u32(n) + 1), a, q);
    V128Results r;
    for (int k = 0; k < 4; ++k) {
        r.x.lane[k] = inner.x.lane[k] - u32(inner.m);
        r.y.lane[k] = inner.y.lane[k] * b.lane[k];
    }
    r.m = i32(u32(inner.m) + 1);
    return r;
}

u64 fold_model(V4 v)
{
    return u64(v.lane[0]) + u64(v.lane[1]) * 2 + u64(v.lane[2]) * 3 + u64(v.lane[3]) * 4;
}

u64 take_model(u64 acc, const V128Results& r)
{
    return acc * 1000003 + fold_model(r.x) + u64(i64(r.m)) + fold_model(r.y) * 3;
}

i64 v128_check_model(i32 n)
{
    V4 a { { 1, 2, 3, 4 } };
    V4 b = splat4(u32(n));
    b.lane[2] = u32(n) * 7;
    i64 q = n;
    u64 acc = 0;
    acc = take_model(acc, base_model(a, n, b, { q, 1, 2, 3, 4, 5, 6, i64(u64(q) * 9) }));
    acc = take_model(acc, opt_model(b, n, a, { 8, q, 6, 5, 4, 3, 2, 1 }));
    acc = take_model(acc, base_model(a, n, a, { 0, 0, 0, 0, 0, 0, 0, q }));
    return i64(acc);
}

} // namespace

// Caught the optimizing tier falling back to the baseline for every
// function with a v128 parameter or result, or a call passing one.
TEST(OptimizingLower, V128ArgumentsAndResultsCrossTiers)
{
    std::string log;
    auto bytes = wat(s_v128_calls, &log);
    ASSERT_FALSE(bytes.empty()) << log;
    using riscv64::CpuFeatures;
    using riscv64::Extension;
    for (CpuFeatures features : { CpuFeatures::rv64gc().with(Extension::V).with(Extension::Zba).with(Extension::Zbb), CpuFeatures::rv64gc() }) {
        for (jit::Tier tier : { jit::Tier::Optimizing, jit::Tier::Baseline }) {
            JitFixture f(features);
            REQUIRE_EXECUTION(f);
            jit::Engine::destroy(f.engine);
            jit::EngineOptions options;
            options.tier = tier;
            options.features = features;
            f.engine = MUST(jit::Engine::create(options));
            auto instance = f.instantiate(bytes);
            ASSERT_FALSE(instance.is_error()) << jit::test::message(instance.error());
            const char* where = features.has(Extension::V) ? "V" : "no V";
            if (tier == jit::Tier::Optimizing) {
                EXPECT_EQ(f.engine->tier_counts().optimized, 5u) << where << ": " << f.engine->tier_counts().first_fallback;
                EXPECT_EQ(f.engine->tier_counts().baseline, 1u) << where; // $base
            }
            for (i32 n : { 0, 5, -77, 1 << 30 }) {
                Value arg = Value::from_i32(u32(n)), result;
                auto r = f.engine->invoke(JitFixture::exported(instance.value(), "check"), Span<const Value>(&arg, 1), Span<Value>(&result, 1));
                ASSERT_FALSE(r.is_error()) << where << ": " << jit::test::message(r.error());
                EXPECT_EQ(i64(result.i64), v128_check_model(n)) << where << ", n = " << n;
            }
        }
    }
}

namespace {

const char* s_bulk = R"((module (memory 1)
  (func (export "copy") (param i32 i32 i32) (memory.copy (local.get 0) (local.get 1) (local.get 2)))
  (func (export "fill") (param i32 i32 i32) (memory.fill (local.get 0) (local.get 1) (local.get 2)))
  (func (export "get") (param i32) (result i32) (i32.load8_u (local.get 0)))
  (func (export "set") (param i32 i32) (i32.store8 (local.get 0) (local.get 1)))))";

struct Bulk {
    JitFixture& f;
    wasm::Instance* instance;
    Result<void> call(const char* name, std::initializer_list<u32> args, Value* result = nullptr)
    {
        Value a[3];
        usize n = 0;
        for (u32 v : args)
            a[n++] = Value::from_i32(v);
        return f.engine->invoke(JitFixture::exported(instance, name), Span<const Value>(a, n), Span<Value>(result, result ? 1 : 0));
    }
    u8 get(u32 at)
    {
        Value v;
        MUST(call("get", { at }, &v));
        return u8(v.i32);
    }
};

bool traps_out_of_bounds(const Result<void>& r)
{
    wasm::TrapCode code;
    return r.is_error() && jit::trap_code_of(r.error(), code) && code == wasm::TrapCode::OutOfBoundsMemory;
}

} // namespace

// memory.copy and memory.fill inline (jit/BulkMemory.h): overlapping
// ranges both ways, every alignment of the word loop's head and tail, and
// the bounds probe (nothing written when the range ends past the memory).
TEST(OptimizingLower, InlineBulkMemoryMatchesMemmoveAndTrapsBeforeWriting)
{
    std::string log;
    auto bytes = wat(s_bulk, &log);
    ASSERT_FALSE(bytes.empty()) << log;
    JitFixture f;
    use_tier(f, jit::Tier::Optimizing);
    REQUIRE_EXECUTION(f);
    auto instance = f.instantiate(bytes);
    ASSERT_FALSE(instance.is_error()) << jit::test::message(instance.error());
    EXPECT_EQ(f.engine->tier_counts().baseline, 0u);
    Bulk b { f, instance.value() };
    u8 model[160];
    for (u32 k = 0; k < 160; ++k) {
        model[k] = u8(k * 7 + 3);
        ASSERT_FALSE(b.call("set", { k, model[k] }).is_error());
    }
    struct Case {
        u32 dst, src, n;
    };
    Case cases[] = { { 0, 0, 0 }, { 3, 40, 1 }, { 8, 16, 8 }, { 1, 50, 17 }, { 20, 23, 40 }, { 23, 20, 40 },
        { 5, 6, 33 }, { 6, 5, 33 }, { 64, 0, 64 }, { 0, 64, 64 }, { 9, 9, 30 }, { 100, 3, 15 }, { 2, 90, 16 },
        // The 32-byte blocks, with and without single words and bytes after.
        { 1, 40, 100 }, { 40, 1, 100 }, { 3, 11, 120 }, { 11, 3, 120 }, { 0, 96, 64 }, { 96, 0, 64 },
        { 7, 50, 105 }, { 50, 7, 105 }, { 16, 48, 72 }, { 48, 16, 72 } };
    for (const Case& c : cases) {
        ASSERT_FALSE(b.call("copy", { c.dst, c.src, c.n }).is_error());
        std::memmove(model + c.dst, model + c.src, c.n);
        for (u32 k = 0; k < 160; ++k)
            ASSERT_EQ(b.get(k), model[k]) << "copy(" << c.dst << ", " << c.src << ", " << c.n << ") byte " << k;
        ASSERT_FALSE(b.call("fill", { c.src, c.dst * 3 + 0x100, c.n }).is_error()); // the value's low byte
        std::memset(model + c.src, u8(c.dst * 3), c.n);
        for (u32 k = 0; k < 160; ++k)
            ASSERT_EQ(b.get(k), model[k]) << "fill(" << c.src << ", " << c.n << ") byte " << k;
    }
    // Bounds: [i, i + n) must end at or before 65536.
    const u32 size = 65536;
    ASSERT_FALSE(b.call("fill", { size - 8, 0x5a, 8 }).is_error());
    EXPECT_EQ(b.get(size - 1), 0x5a);
    EXPECT_TRUE(traps_out_of_bounds(b.call("fill", { size - 7, 0x11, 8 })));
    EXPECT_TRUE(traps_out_of_bounds(b.call("copy", { size - 4, 0, 5 })));
    EXPECT_TRUE(traps_out_of_bounds(b.call("copy", { 0, size - 4, 5 })));
    EXPECT_TRUE(traps_out_of_bounds(b.call("copy", { 0, 1, 0xffffffff })));
    EXPECT_EQ(b.get(size - 7), 0x5a) << "written before the trap";
    EXPECT_EQ(b.get(0), model[0]) << "written before the trap";
    EXPECT_FALSE(b.call("copy", { size, 0, 0 }).is_error());
    EXPECT_FALSE(b.call("fill", { size, 0, 0 }).is_error());
    EXPECT_TRUE(traps_out_of_bounds(b.call("copy", { size + 1, 0, 0 })));
    EXPECT_TRUE(traps_out_of_bounds(b.call("fill", { 0xffffffff, 0, 0 })));
}

// An address x + (y << k) done by sh<k>add keeps wasm's 32-bit wrap
// (§4.4.7: the effective address is zext32 of the i32 sum): sums that
// wrap past 2^32, from either side, land where the i32 arithmetic says.
TEST(OptimizingLower, ScaledAddressesWrapLikeI32Arithmetic)
{
    std::string log;
    auto bytes = wat(R"((module (memory 1)
      (func (export "store") (param i32 i32) (i32.store (local.get 0) (local.get 1)))
      (func (export "at4") (param i32 i32) (result i32)
        (i32.load (i32.add (local.get 0) (i32.shl (local.get 1) (i32.const 2)))))
      (func $id (param i32) (result i32) (local.get 0))
      (func (export "at4c") (param i32 i32) (result i32)
        (i32.load (i32.add (call $id (local.get 0)) (i32.shl (call $id (local.get 1)) (i32.const 2)))))
      (func (export "at8") (param i32 i32) (result i32)
        (i32.load offset=4 (i32.add (i32.shl (local.get 1) (i32.const 3)) (local.get 0))))))",
        &log);
    ASSERT_FALSE(bytes.empty()) << log;
    // With Zba (sh<k>add, add.uw) and without (and against ra's mask).
    for (auto features : { riscv64::CpuFeatures::rv64gc().with(riscv64::Extension::Zba), riscv64::CpuFeatures::rv64gc() }) {
        JitFixture f;
        jit::Engine::destroy(f.engine);
        jit::EngineOptions options;
        options.tier = jit::Tier::Optimizing;
        options.features = features;
        f.engine = MUST(jit::Engine::create(options));
        REQUIRE_EXECUTION(f);
        auto instance = f.instantiate(bytes);
        ASSERT_FALSE(instance.is_error()) << jit::test::message(instance.error());
        auto call = [&](const char* name, u32 x, u32 y) {
            Value a[2] = { Value::from_i32(x), Value::from_i32(y) }, r;
            auto result = f.engine->invoke(JitFixture::exported(instance.value(), name), Span<const Value>(a, 2), Span<Value>(&r, 1));
            EXPECT_FALSE(result.is_error()) << name << "(" << x << ", " << y << ")";
            return r.i32;
        };
        for (u32 k = 0; k < 8; ++k)
            call("store", 16 + 4 * k, 0x1000 + k);
        struct Case {
            const char* name;
            u32 x, y, expected;
        };
        Case cases[] = {
            { "at4", 16, 1, 0x1001 },                   // 20
            { "at4", 0xfffffff0, 9, 0x1001 },           // -16 + 36 = 20
            { "at4", 0x7ffffff4, 0x20000008, 0x1001 },  // 0x7ffffff4 + 0x80000020 wraps to 20
            { "at4", 40, 0xfffffffb, 0x1001 },          // 40 - 20 = 20
            { "at4c", 0xfffffff0, 9, 0x1001 },          // after calls (which clobber ra)
            { "at8", 0xffffffe0, 7, 0x1003 },           // -32 + 56 + offset 4 = 28
            { "at8", 28, 0xe0000000, 0x1004 },          // 0xe0000000 << 3 wraps to 0: 28 + 4 = 32
        };
        for (const Case& c : cases)
            EXPECT_EQ(call(c.name, c.x, c.y), c.expected) << c.name << "(" << c.x << ", " << c.y << ")";
    }
}

// Trap stubs (one `jal a1` per site, a shared tail per trap code): each
// trap names the same code, function and wasm offset under both tiers.
TEST(OptimizingLower, TrapsReportTheBaselinesFunctionAndOffset)
{
    std::string log;
    auto bytes = wat(R"((module (memory 1) (table 2 funcref)
      (func (export "div") (param i32 i32) (result i32)
        (drop (i32.div_u (local.get 1) (i32.const 3)))
        (i32.add (i32.div_s (local.get 0) (local.get 1)) (i32.rem_u (local.get 1) (local.get 0))))
      (func (export "load") (param i32 i32) (result i32)
        (if (local.get 1) (then (unreachable)))
        (i32.load offset=16 (local.get 0)))
      (func (export "tget") (param i32 i32) (result i32)
        (ref.is_null (table.get 0 (i32.add (local.get 0) (local.get 1)))))
      (func (export "switch") (param i32 i32) (result i32)
        (block $d
          (block $c
            (block $b
              (block $a (br_table $a $b $c $d (local.get 0)))
              (return (i32.const 10)))
            (return (i32.const 11)))
          (return (i32.const 12)))
        (if (local.get 1) (then (unreachable)))
        (i32.const 13))
      (func (export "indirect") (param i32 i32) (result i32)
        (if (i32.eqz (local.get 1)) (then (return (i32.trunc_f64_s (f64.const 1e12)))))
        (call_indirect (result i32) (local.get 0)))))",
        &log);
    ASSERT_FALSE(bytes.empty()) << log;
    struct Case {
        const char* name;
        u32 x, y;
        wasm::TrapCode code;
    };
    Case cases[] = {
        { "div", 7, 0, wasm::TrapCode::IntegerDivideByZero },
        { "div", 0x80000000, 0xffffffff, wasm::TrapCode::IntegerOverflow },
        { "div", 0, 5, wasm::TrapCode::IntegerDivideByZero },
        { "load", 0, 1, wasm::TrapCode::Unreachable },
        { "load", 65530, 0, wasm::TrapCode::OutOfBoundsMemory },
        { "indirect", 0, 0, wasm::TrapCode::IntegerOverflow },
        { "indirect", 1, 1, wasm::TrapCode::UninitializedElement },
        { "indirect", 5, 1, wasm::TrapCode::UndefinedElement },
        // Indices of 2^31 or more (sign-extended in registers) are out of
        // range like their zero-extension; br_table takes the default.
        { "indirect", 0x80000000, 1, wasm::TrapCode::UndefinedElement },
        { "indirect", 0xffffffff, 1, wasm::TrapCode::UndefinedElement },
        { "tget", 0x7fffffff, 1, wasm::TrapCode::OutOfBoundsTable },
        { "tget", 0xffffffff, 0, wasm::TrapCode::OutOfBoundsTable },
        { "switch", 0x80000000, 1, wasm::TrapCode::Unreachable },
        { "switch", 3, 1, wasm::TrapCode::Unreachable },
    };
    std::vector<std::string> messages[2];
    for (int t = 0; t < 2; ++t) {
        JitFixture f;
        use_tier(f, t == 0 ? jit::Tier::Baseline : jit::Tier::Optimizing);
        REQUIRE_EXECUTION(f);
        auto instance = f.instantiate(bytes);
        ASSERT_FALSE(instance.is_error()) << jit::test::message(instance.error());
        if (t == 1)
            EXPECT_EQ(f.engine->tier_counts().baseline, 0u);
        for (const Case& c : cases) {
            Value a[2] = { Value::from_i32(c.x), Value::from_i32(c.y) }, r;
            auto result = f.engine->invoke(JitFixture::exported(instance.value(), c.name), Span<const Value>(a, 2), Span<Value>(&r, 1));
            ASSERT_TRUE(result.is_error()) << c.name << "(" << c.x << ", " << c.y << ")";
            wasm::TrapCode code;
            EXPECT_TRUE(jit::trap_code_of(result.error(), code) && code == c.code) << jit::test::message(result.error());
            messages[t].push_back(jit::test::message(result.error()));
        }
    }
    for (usize k = 0; k < messages[0].size(); ++k)
        EXPECT_EQ(messages[1][k], messages[0][k]);
    // In-range cases still find their entries and targets.
    JitFixture f;
    use_tier(f, jit::Tier::Optimizing);
    auto instance = f.instantiate(bytes);
    ASSERT_FALSE(instance.is_error()) << jit::test::message(instance.error());
    for (u32 x : { 0u, 1u, 2u, 0x7fffffffu, 0xfffffffeu }) {
        Value a[2] = { Value::from_i32(x), Value::from_i32(0) }, r;
        ASSERT_FALSE(f.engine->invoke(JitFixture::exported(instance.value(), "switch"), Span<const Value>(a, 2), Span<Value>(&r, 1)).is_error());
        EXPECT_EQ(r.i32, x < 3 ? 10 + x : 13u) << x;
        a[0] = Value::from_i32(x & 1);
        ASSERT_FALSE(f.engine->invoke(JitFixture::exported(instance.value(), "tget"), Span<const Value>(a, 2), Span<Value>(&r, 1)).is_error());
        EXPECT_EQ(r.i32, 1u); // null entries
    }
}
