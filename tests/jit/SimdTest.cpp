// WebAssembly SIMD in the baseline tier (RVV and the scalar path):
// hand-built modules, each op checked against a scalar C++ model of the
// spec's lane semantics (core spec 2.0 §4.3.2 / §4.4.3). Executed in the
// riscv64-linux ring (qemu-riscv64 with V, VLEN 128), compiled both for RVV
// and for the scalar path of harts without V. Relaxed SIMD gives k23's
// deterministic choices (jit/SimdScalar.h).

#include "JitTestHelpers.h"
#include <wasm/Opcodes.h>

#include <gtest/gtest.h>

#include <array>
#include <initializer_list>
#include <vector>
#include <string.h>

using namespace k23;
using namespace k23::jit;
using namespace k23::jit::test;
using wasm::Opcode;
using wasm::Value;

namespace {

using V = std::array<u8, 16>;

riscv64::CpuFeatures with_v() { return riscv64::CpuFeatures::rv64gc().with(riscv64::Extension::V); }

ByteList op(Opcode o)
{
    const wasm::OpcodeInfo& info = wasm::opcode_info(o);
    ByteList b { u8(info.prefix) };
    uleb(b, info.code);
    return b;
}
ByteList memop(Opcode o, u32 align, u32 offset)
{
    ByteList b = op(o);
    uleb(b, align);
    uleb(b, offset);
    return b;
}
ByteList lane_op(Opcode o, u8 lane)
{
    ByteList b = op(o);
    b.push_back(lane);
    return b;
}
ByteList v128_const(const V& v)
{
    ByteList b = op(Opcode::V128Const);
    b.insert(b.end(), v.begin(), v.end());
    return b;
}

Value vval(const V& v)
{
    Value r = Value::default_of(wasm::ValueType::V128);
    memcpy(r.v128, v.data(), 16);
    return r;
}
V unv(const Value& r)
{
    V v;
    memcpy(v.data(), r.v128, 16);
    return v;
}

// Lanes of width w bytes, little-endian.
u64 lane(const V& v, u32 w, u32 i)
{
    u64 x = 0;
    for (u32 k = 0; k < w; ++k)
        x |= u64(v[i * w + k]) << (8 * k);
    return x;
}
void set_lane(V& v, u32 w, u32 i, u64 x)
{
    for (u32 k = 0; k < w; ++k)
        v[i * w + k] = u8(x >> (8 * k));
}
u64 mask_of(u32 w) { return w == 8 ? ~u64(0) : (u64(1) << (8 * w)) - 1; }
i64 sx(u64 x, u32 w) { return w == 8 ? i64(x) : i64(x << (64 - 8 * w)) >> (64 - 8 * w); }

std::vector<V> inputs()
{
    std::vector<V> out;
    V v {};
    out.push_back(v);
    v.fill(0xff);
    out.push_back(v);
    for (u32 i = 0; i < 16; ++i)
        v[i] = u8(i % 4 == 0 ? 0x80 : i % 4 == 1 ? 0x7f : i % 4 == 2 ? 0x01 : 0xfe);
    out.push_back(v);
    u64 seed = 0x9e3779b97f4a7c15ull;
    for (int n = 0; n < 5; ++n) {
        for (u32 i = 0; i < 16; ++i) {
            seed = seed * 6364136223846793005ull + 1442695040888963407ull;
            v[i] = u8(seed >> 56);
        }
        out.push_back(v);
    }
    return out;
}

float f32_of(u64 bits)
{
    float f;
    u32 b = u32(bits);
    memcpy(&f, &b, 4);
    return f;
}
double f64_of(u64 bits)
{
    double d;
    memcpy(&d, &bits, 8);
    return d;
}

struct Lanewise {
    Opcode op;
    u32 w;
    u64 (*f)(u64, u64, u32);
};

u64 all_ones(bool c, u32 w) { return c ? mask_of(w) : 0; }
i64 clamp(i64 x, i64 lo, i64 hi) { return x < lo ? lo : x > hi ? hi : x; }
i64 smin(u32 w) { return -(i64(1) << (8 * w - 1)); }
i64 smax(u32 w) { return (i64(1) << (8 * w - 1)) - 1; }

const Lanewise s_binary[] = {
    { Opcode::I8x16Add, 1, [](u64 a, u64 b, u32) { return a + b; } },
    { Opcode::I16x8Add, 2, [](u64 a, u64 b, u32) { return a + b; } },
    { Opcode::I32x4Add, 4, [](u64 a, u64 b, u32) { return a + b; } },
    { Opcode::I64x2Add, 8, [](u64 a, u64 b, u32) { return a + b; } },
    { Opcode::I8x16Sub, 1, [](u64 a, u64 b, u32) { return a - b; } },
    { Opcode::I16x8Sub, 2, [](u64 a, u64 b, u32) { return a - b; } },
    { Opcode::I32x4Sub, 4, [](u64 a, u64 b, u32) { return a - b; } },
    { Opcode::I64x2Sub, 8, [](u64 a, u64 b, u32) { return a - b; } },
    { Opcode::I16x8Mul, 2, [](u64 a, u64 b, u32) { return a * b; } },
    { Opcode::I32x4Mul, 4, [](u64 a, u64 b, u32) { return a * b; } },
    { Opcode::I64x2Mul, 8, [](u64 a, u64 b, u32) { return a * b; } },
    { Opcode::I8x16AddSatS, 1, [](u64 a, u64 b, u32 w) { return u64(clamp(sx(a, w) + sx(b, w), smin(w), smax(w))); } },
    { Opcode::I16x8AddSatS, 2, [](u64 a, u64 b, u32 w) { return u64(clamp(sx(a, w) + sx(b, w), smin(w), smax(w))); } },
    { Opcode::I8x16AddSatU, 1, [](u64 a, u64 b, u32 w) { return u64(clamp(i64(a + b), 0, i64(mask_of(w)))); } },
    { Opcode::I16x8AddSatU, 2, [](u64 a, u64 b, u32 w) { return u64(clamp(i64(a + b), 0, i64(mask_of(w)))); } },
    { Opcode::I8x16SubSatS, 1, [](u64 a, u64 b, u32 w) { return u64(clamp(sx(a, w) - sx(b, w), smin(w), smax(w))); } },
    { Opcode::I16x8SubSatS, 2, [](u64 a, u64 b, u32 w) { return u64(clamp(sx(a, w) - sx(b, w), smin(w), smax(w))); } },
    { Opcode::I8x16SubSatU, 1, [](u64 a, u64 b, u32) { return a > b ? a - b : 0; } },
    { Opcode::I16x8SubSatU, 2, [](u64 a, u64 b, u32) { return a > b ? a - b : 0; } },
    { Opcode::I8x16MinS, 1, [](u64 a, u64 b, u32 w) { return sx(a, w) < sx(b, w) ? a : b; } },
    { Opcode::I16x8MinU, 2, [](u64 a, u64 b, u32) { return a < b ? a : b; } },
    { Opcode::I32x4MaxS, 4, [](u64 a, u64 b, u32 w) { return sx(a, w) > sx(b, w) ? a : b; } },
    { Opcode::I32x4MaxU, 4, [](u64 a, u64 b, u32) { return a > b ? a : b; } },
    { Opcode::V128And, 8, [](u64 a, u64 b, u32) { return a & b; } },
    { Opcode::V128Or, 8, [](u64 a, u64 b, u32) { return a | b; } },
    { Opcode::V128Xor, 8, [](u64 a, u64 b, u32) { return a ^ b; } },
    { Opcode::V128AndNot, 8, [](u64 a, u64 b, u32) { return a & ~b; } },
    { Opcode::I8x16Eq, 1, [](u64 a, u64 b, u32 w) { return all_ones(a == b, w); } },
    { Opcode::I8x16Ne, 1, [](u64 a, u64 b, u32 w) { return all_ones(a != b, w); } },
    { Opcode::I8x16LtS, 1, [](u64 a, u64 b, u32 w) { return all_ones(sx(a, w) < sx(b, w), w); } },
    { Opcode::I8x16LtU, 1, [](u64 a, u64 b, u32 w) { return all_ones(a < b, w); } },
    { Opcode::I8x16GtS, 1, [](u64 a, u64 b, u32 w) { return all_ones(sx(a, w) > sx(b, w), w); } },
    { Opcode::I8x16GeU, 1, [](u64 a, u64 b, u32 w) { return all_ones(a >= b, w); } },
    { Opcode::I16x8LeS, 2, [](u64 a, u64 b, u32 w) { return all_ones(sx(a, w) <= sx(b, w), w); } },
    { Opcode::I16x8GtU, 2, [](u64 a, u64 b, u32 w) { return all_ones(a > b, w); } },
    { Opcode::I16x8GeS, 2, [](u64 a, u64 b, u32 w) { return all_ones(sx(a, w) >= sx(b, w), w); } },
    { Opcode::I32x4Eq, 4, [](u64 a, u64 b, u32 w) { return all_ones(a == b, w); } },
    { Opcode::I32x4LtU, 4, [](u64 a, u64 b, u32 w) { return all_ones(a < b, w); } },
    { Opcode::I32x4LeU, 4, [](u64 a, u64 b, u32 w) { return all_ones(a <= b, w); } },
    { Opcode::I32x4GtS, 4, [](u64 a, u64 b, u32 w) { return all_ones(sx(a, w) > sx(b, w), w); } },
    { Opcode::I64x2Ne, 8, [](u64 a, u64 b, u32 w) { return all_ones(a != b, w); } },
    { Opcode::I64x2LtS, 8, [](u64 a, u64 b, u32 w) { return all_ones(i64(a) < i64(b), w); } },
    { Opcode::I64x2GeS, 8, [](u64 a, u64 b, u32 w) { return all_ones(i64(a) >= i64(b), w); } },
    { Opcode::F32x4Eq, 4, [](u64 a, u64 b, u32 w) { return all_ones(f32_of(a) == f32_of(b), w); } },
    { Opcode::F32x4Ne, 4, [](u64 a, u64 b, u32 w) { return all_ones(f32_of(a) != f32_of(b), w); } },
    { Opcode::F32x4Lt, 4, [](u64 a, u64 b, u32 w) { return all_ones(f32_of(a) < f32_of(b), w); } },
    { Opcode::F32x4Ge, 4, [](u64 a, u64 b, u32 w) { return all_ones(f32_of(a) >= f32_of(b), w); } },
    { Opcode::F64x2Gt, 8, [](u64 a, u64 b, u32 w) { return all_ones(f64_of(a) > f64_of(b), w); } },
    { Opcode::F64x2Le, 8, [](u64 a, u64 b, u32 w) { return all_ones(f64_of(a) <= f64_of(b), w); } },
    { Opcode::I8x16Swizzle, 0, nullptr },
};

V model_binary(const Lanewise& c, const V& a, const V& b)
{
    V r {};
    if (c.op == Opcode::I8x16Swizzle) {
        for (u32 i = 0; i < 16; ++i)
            r[i] = b[i] < 16 ? a[b[i]] : 0;
        return r;
    }
    for (u32 i = 0; i < 16 / c.w; ++i)
        set_lane(r, c.w, i, c.f(lane(a, c.w, i), lane(b, c.w, i), c.w) & mask_of(c.w));
    return r;
}

std::string hex(const V& v)
{
    std::string s;
    char buf[4];
    for (u8 b : v) {
        snprintf(buf, sizeof buf, "%02x", b);
        s += buf;
    }
    return s;
}

Result<Value> call(JitFixture& f, wasm::Instance* instance, const std::string& name, std::vector<Value> args)
{
    Value result;
    TRY(f.engine->invoke(JitFixture::exported(instance, name.c_str()), Span<const Value>(args.data(), args.size()), Span<Value>(&result, 1)));
    return result;
}

} // namespace

// Every execution test runs twice: on RVV, and on the scalar path a hart
// without V gets (jit/baseline/SimdScalarOps.cpp), against the same model.
class BaselineSimdPaths : public testing::TestWithParam<riscv64::CpuFeatures> { };

INSTANTIATE_TEST_SUITE_P(Paths, BaselineSimdPaths, testing::Values(with_v(), riscv64::CpuFeatures::rv64gc()),
    [](const testing::TestParamInfo<riscv64::CpuFeatures>& info) {
        return std::string(info.param.has(riscv64::Extension::V) ? "Rvv" : "Scalar");
    });

// Relaxed SIMD: k23's deterministic choices (jit/SimdScalar.h), checked
// against hand-computed lanes, including the inputs where the proposal's
// alternatives differ (fused vs. unfused, signed vs. unsigned b, NaN).
namespace {
V lanes32(u32 x0, u32 x1, u32 x2, u32 x3)
{
    V v {};
    set_lane(v, 4, 0, x0);
    set_lane(v, 4, 1, x1);
    set_lane(v, 4, 2, x2);
    set_lane(v, 4, 3, x3);
    return v;
}
V lanes64(u64 x0, u64 x1)
{
    V v {};
    set_lane(v, 8, 0, x0);
    set_lane(v, 8, 1, x1);
    return v;
}
V lanes16(std::initializer_list<u16> xs)
{
    V v {};
    u32 i = 0;
    for (u16 x : xs)
        set_lane(v, 2, i++, x);
    return v;
}
V lanes8(std::initializer_list<u8> xs)
{
    V v {};
    u32 i = 0;
    for (u8 x : xs)
        v[i++] = x;
    return v;
}
} // namespace

TEST_P(BaselineSimdPaths, RelaxedOpsGiveK23sChoices)
{
    JitFixture f(GetParam());
    REQUIRE_EXECUTION(f);
    ModuleBuilder b;
    u32 t1 = b.type({ V128 }, { V128 });
    u32 t2 = b.type({ V128, V128 }, { V128 });
    u32 t3 = b.type({ V128, V128, V128 }, { V128 });
    struct Case {
        Opcode op;
        std::vector<V> args;
        V expected;
    };
    constexpr u32 nan32 = 0x7fc00000, nan32_payload = 0x7fc01234;
    constexpr u64 nan64 = 0x7ff8000000000000ull;
    std::vector<Case> cases = {
        // = i8x16.swizzle: an index >= 16 gives 0.
        { Opcode::I8x16RelaxedSwizzle,
            { lanes8({ 0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f }),
                lanes8({ 0, 15, 16, 0x80, 0xff, 3, 3, 17, 1, 2, 4, 5, 6, 7, 8, 9 }) },
            lanes8({ 0x10, 0x1f, 0, 0, 0, 0x13, 0x13, 0, 0x11, 0x12, 0x14, 0x15, 0x16, 0x17, 0x18, 0x19 }) },
        // = trunc_sat: NaN -> 0, saturating.
        { Opcode::I32x4RelaxedTruncF32x4S, { lanes32(nan32, 0x4f32d05e /* 3e9 */, 0xc06ccccd /* -3.7 */, 0x3fc00000 /* 1.5 */) },
            lanes32(0, 0x7fffffff, u32(-3), 1) },
        { Opcode::I32x4RelaxedTruncF32x4U, { lanes32(nan32, 0xbf800000 /* -1 */, 0x4f9502f9 /* 5e9 */, 0x4039999a /* 2.9 */) },
            lanes32(0, 0, 0xffffffff, 2) },
        { Opcode::I32x4RelaxedTruncF64x2SZero, { lanes64(nan64, 0xc202a05f20000000ull /* -1e10 */) },
            lanes32(0, 0x80000000, 0, 0) },
        { Opcode::I32x4RelaxedTruncF64x2UZero, { lanes64(0xc014000000000000ull /* -5 */, 0x401f99999999999aull /* 7.9 */) },
            lanes32(0, 7, 0, 0) },
        // Fused: (1 + 2^-12)^2 - (1 + 2^-11) = 2^-24 exactly (unfused: 0).
        { Opcode::F32x4RelaxedMadd,
            { lanes32(0x3f800800, 0x40000000, nan32, 0x3f800000), lanes32(0x3f800800, 0x40400000, 0x3f800000, 0x3f800000),
                lanes32(0xbf801000, 0x3f800000, 0x3f800000, 0x3f800000) },
            lanes32(0x33800000, 0x40e00000 /* 2*3+1 = 7 */, nan32, 0x40000000) },
        { Opcode::F32x4RelaxedNmadd,
            { lanes32(0x3f800800, 0x40000000, 0x3f800000, 0x3f800000), lanes32(0x3f800800, 0x40400000, 0x3f800000, 0x3f800000),
                lanes32(0x3f801000, 0x3f800000, 0x3f800000, 0x40400000) },
            lanes32(0xb3800000, 0xc0a00000 /* -(2*3)+1 = -5 */, 0 /* -1+1 = +0 */, 0x40000000) },
        // (1 + 2^-27)^2 -/+ (1 + 2^-26) = +/-2^-54.
        { Opcode::F64x2RelaxedMadd,
            { lanes64(0x3ff0000002000000ull, 0x4000000000000000ull), lanes64(0x3ff0000002000000ull, 0x4008000000000000ull),
                lanes64(0xbff0000004000000ull, 0x3ff0000000000000ull) },
            lanes64(0x3c90000000000000ull, 0x401c000000000000ull /* 7 */) },
        { Opcode::F64x2RelaxedNmadd,
            { lanes64(0x3ff0000002000000ull, 0x4000000000000000ull), lanes64(0x3ff0000002000000ull, 0x4008000000000000ull),
                lanes64(0x3ff0000004000000ull, 0x3ff0000000000000ull) },
            lanes64(0xbc90000000000000ull, 0xc014000000000000ull /* -5 */) },
        // = v128.bitselect, bit by bit whatever the lane shape.
        { Opcode::I16x8RelaxedLaneselect,
            { lanes16({ 0x1234, 0xffff, 0, 0xaaaa }), lanes16({ 0x5678, 0, 0xffff, 0x5555 }), lanes16({ 0xff00, 0x0ff0, 0x8001, 0xffff }) },
            lanes16({ 0x1278, 0x0ff0, 0x7ffe, 0xaaaa }) },
        { Opcode::I64x2RelaxedLaneselect,
            { lanes64(0x0123456789abcdefull, 0), lanes64(0xfedcba9876543210ull, ~0ull), lanes64(0x00000000ffffffffull, 0x8000000000000001ull) },
            lanes64(0xfedcba9889abcdefull, 0x7ffffffffffffffeull) },
        // = f32x4/f64x2.min/max: NaN-propagating (canonical), -0 < +0.
        { Opcode::F32x4RelaxedMin, { lanes32(nan32_payload, 0x80000000, 0x3f800000, 0), lanes32(0x3f800000, 0, nan32, 0x80000000) },
            lanes32(nan32, 0x80000000, nan32, 0x80000000) },
        { Opcode::F32x4RelaxedMax, { lanes32(nan32_payload, 0x80000000, 0x3f800000, 0xc0000000), lanes32(0x3f800000, 0, 0x40000000, 0x80000000) },
            lanes32(nan32, 0, 0x40000000, 0x80000000) },
        { Opcode::F64x2RelaxedMin, { lanes64(0x8000000000000000ull, nan64), lanes64(0, 0x3ff0000000000000ull) },
            lanes64(0x8000000000000000ull, nan64) },
        { Opcode::F64x2RelaxedMax, { lanes64(0x8000000000000000ull, 0xbff0000000000000ull), lanes64(0, 0xc000000000000000ull) },
            lanes64(0, 0xbff0000000000000ull) },
        // = q15mulr_sat_s: -1 * -1 saturates.
        { Opcode::I16x8RelaxedQ15mulrS, { lanes16({ 0x8000, 0x4000, 0x8000, 0xffff }), lanes16({ 0x8000, 0x4000, 0x7fff, 1 }) },
            lanes16({ 0x7fff, 0x2000, 0x8001, 0 }) },
        // Signed x signed (b's top bit set: -128 not 128), the sum wrapped to 16 bits.
        { Opcode::I16x8RelaxedDotI8x16I7x16S,
            { lanes8({ 0x80, 0x80, 3, u8(-4), 127, 1, 0, 0, 0x7f, 0x7f }), lanes8({ 0x80, 0x80, 5, 6, 0xff, 0x80, 9, 9, 0x7f, 0x7f }) },
            lanes16({ 0x8000 /* 2 * 16384 wraps */, u16(-9), u16(-255), 0, 0x7e02 /* 2 * 16129 */ }) },
        // Four signed products summed exactly (no 16-bit step), + c, wrapped to 32 bits.
        { Opcode::I32x4RelaxedDotI8x16I7x16AddS,
            { lanes8({ 0x80, 0x80, 0x80, 0x80, 1, 2, 3, 4, 127, 127, 127, 127, 0, 0, 0, 0 }),
                lanes8({ 0x80, 0x80, 0x80, 0x80, u8(-1), u8(-2), u8(-3), u8(-4), 127, 127, 127, 127, 7, 7, 7, 7 }),
                lanes32(1, 0x7fffffff, 0x7fffffff, 5) },
            lanes32(0x10001, 0x7fffffe1, 0x8000fc03, 5) },
    };
    for (usize i = 0; i < cases.size(); ++i) {
        const Case& c = cases[i];
        u32 type = c.args.size() == 1 ? t1 : c.args.size() == 2 ? t2 : t3;
        ByteList code;
        for (u32 k = 0; k < c.args.size(); ++k)
            code = cat({ code, local_get(k) });
        b.function(type, {}, cat({ code, op(c.op) }), "f" + std::to_string(i));
    }
    auto instance = f.instantiate(b.build());
    ASSERT_FALSE(instance.is_error()) << message(instance.error());
    for (usize i = 0; i < cases.size(); ++i) {
        std::vector<Value> args;
        for (const V& a : cases[i].args)
            args.push_back(vval(a));
        auto r = call(f, instance.value(), "f" + std::to_string(i), args);
        ASSERT_FALSE(r.is_error()) << message(r.error());
        EXPECT_EQ(hex(unv(r.value())), hex(cases[i].expected)) << wasm::opcode_info(cases[i].op).name.data();
    }
}

TEST_P(BaselineSimdPaths, LanewiseBinaryOpsMatchTheModel)
{
    JitFixture f(GetParam());
    REQUIRE_EXECUTION(f);
    ModuleBuilder b;
    u32 t = b.type({ V128, V128 }, { V128 });
    for (usize i = 0; i < sizeof s_binary / sizeof s_binary[0]; ++i)
        b.function(t, {}, cat({ local_get(0), local_get(1), op(s_binary[i].op) }), "f" + std::to_string(i));
    auto instance = f.instantiate(b.build());
    ASSERT_FALSE(instance.is_error()) << message(instance.error());
    auto in = inputs();
    for (usize i = 0; i < sizeof s_binary / sizeof s_binary[0]; ++i) {
        for (const V& a : in) {
            for (const V& c : in) {
                auto r = call(f, instance.value(), "f" + std::to_string(i), { vval(a), vval(c) });
                ASSERT_FALSE(r.is_error()) << message(r.error());
                EXPECT_EQ(hex(unv(r.value())), hex(model_binary(s_binary[i], a, c)))
                    << wasm::opcode_info(s_binary[i].op).name.data() << " " << hex(a) << " " << hex(c);
            }
        }
    }
}

TEST_P(BaselineSimdPaths, UnaryTestsAndBitselect)
{
    JitFixture f(GetParam());
    REQUIRE_EXECUTION(f);
    ModuleBuilder b;
    u32 vv = b.type({ V128 }, { V128 });
    u32 vi = b.type({ V128 }, { I32 });
    u32 vvvv = b.type({ V128, V128, V128 }, { V128 });
    b.function(vv, {}, cat({ local_get(0), op(Opcode::V128Not) }), "not");
    b.function(vv, {}, cat({ local_get(0), op(Opcode::I8x16Neg) }), "neg8");
    b.function(vv, {}, cat({ local_get(0), op(Opcode::I64x2Neg) }), "neg64");
    const Opcode tests[] = { Opcode::V128AnyTrue, Opcode::I8x16AllTrue, Opcode::I16x8AllTrue, Opcode::I32x4AllTrue,
        Opcode::I64x2AllTrue, Opcode::I8x16Bitmask, Opcode::I16x8Bitmask, Opcode::I32x4Bitmask, Opcode::I64x2Bitmask };
    for (usize i = 0; i < 9; ++i)
        b.function(vi, {}, cat({ local_get(0), op(tests[i]) }), "t" + std::to_string(i));
    b.function(vvvv, {}, cat({ local_get(0), local_get(1), local_get(2), op(Opcode::V128Bitselect) }), "bitselect");
    auto instance = f.instantiate(b.build());
    ASSERT_FALSE(instance.is_error()) << message(instance.error());
    auto in = inputs();
    // Lanes that are zero in some shapes only.
    V sparse {};
    sparse[0] = 1;
    sparse[9] = 0x80;
    in.push_back(sparse);
    for (const V& a : in) {
        V not_a, neg8, neg64;
        for (u32 i = 0; i < 16; ++i) {
            not_a[i] = u8(~a[i]);
            neg8[i] = u8(-a[i]);
        }
        for (u32 i = 0; i < 2; ++i)
            set_lane(neg64, 8, i, u64(0) - lane(a, 8, i));
        EXPECT_EQ(hex(unv(call(f, instance.value(), "not", { vval(a) }).value())), hex(not_a));
        EXPECT_EQ(hex(unv(call(f, instance.value(), "neg8", { vval(a) }).value())), hex(neg8));
        EXPECT_EQ(hex(unv(call(f, instance.value(), "neg64", { vval(a) }).value())), hex(neg64));
        for (usize t = 0; t < 9; ++t) {
            u32 expected = 0;
            if (t == 0) {
                for (u8 x : a)
                    expected |= x != 0;
            } else {
                u32 w = t < 5 ? (1u << (t - 1)) : (1u << (t - 5));
                bool all = true;
                u32 bits = 0;
                for (u32 i = 0; i < 16 / w; ++i) {
                    all = all && lane(a, w, i) != 0;
                    bits |= u32(sx(lane(a, w, i), w) < 0) << i;
                }
                expected = t < 5 ? u32(all) : bits;
            }
            auto r = call(f, instance.value(), "t" + std::to_string(t), { vval(a) });
            ASSERT_FALSE(r.is_error()) << message(r.error());
            EXPECT_EQ(r.value().i32, expected) << wasm::opcode_info(tests[t]).name.data() << " " << hex(a);
        }
        for (const V& c : in) {
            V m = in[(a[3] + c[5]) % in.size()];
            V expected;
            for (u32 i = 0; i < 16; ++i)
                expected[i] = u8((a[i] & m[i]) | (c[i] & ~m[i]));
            auto r = call(f, instance.value(), "bitselect", { vval(a), vval(c), vval(m) });
            ASSERT_FALSE(r.is_error()) << message(r.error());
            EXPECT_EQ(hex(unv(r.value())), hex(expected));
        }
    }
}

// Each shift with the count as a parameter and as an i32.const (the scalar
// path shifts i32x4/i64x2 halves inline for a constant count and calls the
// helper otherwise).
TEST_P(BaselineSimdPaths, ShiftsMaskTheCount)
{
    JitFixture f(GetParam());
    REQUIRE_EXECUTION(f);
    ModuleBuilder b;
    u32 variable = b.type({ V128, I32 }, { V128 });
    u32 constant = b.type({ V128 }, { V128 });
    const Opcode ops[] = { Opcode::I8x16Shl, Opcode::I8x16ShrS, Opcode::I8x16ShrU, Opcode::I16x8Shl, Opcode::I16x8ShrS,
        Opcode::I16x8ShrU, Opcode::I32x4Shl, Opcode::I32x4ShrS, Opcode::I32x4ShrU, Opcode::I64x2Shl, Opcode::I64x2ShrS,
        Opcode::I64x2ShrU };
    const i32 counts[] = { 0, 1, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, -1, 1000 };
    for (usize i = 0; i < 12; ++i) {
        b.function(variable, {}, cat({ local_get(0), local_get(1), op(ops[i]) }), "s" + std::to_string(i));
        for (i32 count : counts)
            b.function(constant, {}, cat({ local_get(0), i32_const(count), op(ops[i]) }), "s" + std::to_string(i) + "_" + std::to_string(count));
    }
    auto instance = f.instantiate(b.build());
    ASSERT_FALSE(instance.is_error()) << message(instance.error());
    for (const V& a : inputs()) {
        for (usize i = 0; i < 12; ++i) {
            u32 w = 1u << (i / 3);
            for (i32 count : counts) {
                u32 k = u32(count) % (8 * w);
                V expected {};
                for (u32 l = 0; l < 16 / w; ++l) {
                    u64 x = lane(a, w, l);
                    u64 y = i % 3 == 0 ? x << k : i % 3 == 1 ? u64(sx(x, w) >> k) : x >> k;
                    set_lane(expected, w, l, y & mask_of(w));
                }
                auto r = call(f, instance.value(), "s" + std::to_string(i), { vval(a), Value::from_i32(u32(count)) });
                ASSERT_FALSE(r.is_error()) << message(r.error());
                EXPECT_EQ(hex(unv(r.value())), hex(expected)) << wasm::opcode_info(ops[i]).name.data() << " by " << count;
                r = call(f, instance.value(), "s" + std::to_string(i) + "_" + std::to_string(count), { vval(a) });
                ASSERT_FALSE(r.is_error()) << message(r.error());
                EXPECT_EQ(hex(unv(r.value())), hex(expected)) << wasm::opcode_info(ops[i]).name.data() << " by constant " << count;
            }
        }
    }
}

TEST_P(BaselineSimdPaths, SplatExtractReplaceAndConst)
{
    JitFixture f(GetParam());
    REQUIRE_EXECUTION(f);
    ModuleBuilder b;
    u32 iv = b.type({ I32 }, { V128 });
    u32 lv = b.type({ I64 }, { V128 });
    u32 vi = b.type({ V128 }, { I32 });
    u32 vl = b.type({ V128 }, { I64 });
    u32 viv = b.type({ V128, I32 }, { V128 });
    u32 vlv = b.type({ V128, I64 }, { V128 });
    u32 v = b.type({}, { V128 });
    b.function(iv, {}, cat({ local_get(0), op(Opcode::I8x16Splat) }), "splat8");
    b.function(iv, {}, cat({ local_get(0), op(Opcode::I16x8Splat) }), "splat16");
    b.function(iv, {}, cat({ local_get(0), op(Opcode::I32x4Splat) }), "splat32");
    b.function(lv, {}, cat({ local_get(0), op(Opcode::I64x2Splat) }), "splat64");
    V k;
    for (u32 i = 0; i < 16; ++i)
        k[i] = u8(0xa0 + i * 7);
    b.function(v, {}, v128_const(k), "const");
    for (u32 l = 0; l < 16; ++l) {
        b.function(vi, {}, cat({ local_get(0), lane_op(Opcode::I8x16ExtractLaneS, u8(l)) }), "e8s" + std::to_string(l));
        b.function(vi, {}, cat({ local_get(0), lane_op(Opcode::I8x16ExtractLaneU, u8(l)) }), "e8u" + std::to_string(l));
        b.function(viv, {}, cat({ local_get(0), local_get(1), lane_op(Opcode::I8x16ReplaceLane, u8(l)) }), "r8" + std::to_string(l));
    }
    for (u32 l = 0; l < 8; ++l) {
        b.function(vi, {}, cat({ local_get(0), lane_op(Opcode::I16x8ExtractLaneS, u8(l)) }), "e16s" + std::to_string(l));
        b.function(vi, {}, cat({ local_get(0), lane_op(Opcode::I16x8ExtractLaneU, u8(l)) }), "e16u" + std::to_string(l));
        b.function(viv, {}, cat({ local_get(0), local_get(1), lane_op(Opcode::I16x8ReplaceLane, u8(l)) }), "r16" + std::to_string(l));
    }
    for (u32 l = 0; l < 4; ++l) {
        b.function(vi, {}, cat({ local_get(0), lane_op(Opcode::I32x4ExtractLane, u8(l)) }), "e32" + std::to_string(l));
        b.function(viv, {}, cat({ local_get(0), local_get(1), lane_op(Opcode::I32x4ReplaceLane, u8(l)) }), "r32" + std::to_string(l));
    }
    for (u32 l = 0; l < 2; ++l) {
        b.function(vl, {}, cat({ local_get(0), lane_op(Opcode::I64x2ExtractLane, u8(l)) }), "e64" + std::to_string(l));
        b.function(vlv, {}, cat({ local_get(0), local_get(1), lane_op(Opcode::I64x2ReplaceLane, u8(l)) }), "r64" + std::to_string(l));
    }
    auto instance = f.instantiate(b.build());
    ASSERT_FALSE(instance.is_error()) << message(instance.error());
    auto* inst = instance.value();
    EXPECT_EQ(hex(unv(call(f, inst, "const", {}).value())), hex(k));
    const u64 xs[] = { 0, 1, 0x7f, 0x80, 0xff, 0x8001, 0x12345678, 0x80000000, 0xfedcba9876543210ull };
    for (u64 x : xs) {
        for (u32 w : { 1u, 2u, 4u, 8u }) {
            V expected;
            for (u32 l = 0; l < 16 / w; ++l)
                set_lane(expected, w, l, x & mask_of(w));
            Value arg = w == 8 ? Value::from_i64(x) : Value::from_i32(u32(x));
            auto r = call(f, inst, "splat" + std::to_string(8 * w), { arg });
            ASSERT_FALSE(r.is_error()) << message(r.error());
            EXPECT_EQ(hex(unv(r.value())), hex(expected)) << "splat" << 8 * w << " " << x;
        }
    }
    for (const V& a : inputs()) {
        for (u32 w : { 1u, 2u, 4u, 8u }) {
            for (u32 l = 0; l < 16 / w; ++l) {
                std::string n = std::to_string(8 * w);
                std::string ls = std::to_string(l);
                u64 x = lane(a, w, l);
                if (w == 8) {
                    EXPECT_EQ(call(f, inst, "e64" + ls, { vval(a) }).value().i64, x);
                } else if (w == 4) {
                    EXPECT_EQ(call(f, inst, "e32" + ls, { vval(a) }).value().i32, u32(x));
                } else {
                    EXPECT_EQ(call(f, inst, "e" + n + "s" + ls, { vval(a) }).value().i32, u32(sx(x, w))) << n << " " << l;
                    EXPECT_EQ(call(f, inst, "e" + n + "u" + ls, { vval(a) }).value().i32, u32(x)) << n << " " << l;
                }
                u64 y = 0xdeadbeefcafef00dull ^ (u64(l) << 3);
                V expected = a;
                set_lane(expected, w, l, y & mask_of(w));
                Value arg = w == 8 ? Value::from_i64(y) : Value::from_i32(u32(y));
                auto r = call(f, inst, "r" + n + ls, { vval(a), arg });
                ASSERT_FALSE(r.is_error()) << message(r.error());
                EXPECT_EQ(hex(unv(r.value())), hex(expected)) << "replace " << n << " lane " << l;
            }
        }
    }
}

TEST_P(BaselineSimdPaths, LoadsStoresAndOutOfBoundsTraps)
{
    JitFixture f(GetParam());
    REQUIRE_EXECUTION(f);
    ModuleBuilder b;
    b.has_memory = true;
    b.memory_min = 1;
    b.memory_max = 1;
    u32 iv = b.type({ I32 }, { V128 });
    u32 store = b.type({ I32, V128 }, {});
    b.function(store, {}, cat({ local_get(0), local_get(1), memop(Opcode::V128Store, 4, 0) }), "store");
    b.function(store, {}, cat({ local_get(0), local_get(1), memop(Opcode::V128Store, 0, 16) }), "store16");
    const Opcode loads[] = { Opcode::V128Load, Opcode::V128Load8x8S, Opcode::V128Load8x8U, Opcode::V128Load16x4S,
        Opcode::V128Load16x4U, Opcode::V128Load32x2S, Opcode::V128Load32x2U, Opcode::V128Load8Splat,
        Opcode::V128Load16Splat, Opcode::V128Load32Splat, Opcode::V128Load64Splat, Opcode::V128Load32Zero,
        Opcode::V128Load64Zero };
    for (usize i = 0; i < 13; ++i)
        b.function(iv, {}, cat({ local_get(0), memop(loads[i], 0, 3) }), "l" + std::to_string(i));
    auto instance = f.instantiate(b.build());
    ASSERT_FALSE(instance.is_error()) << message(instance.error());
    auto* inst = instance.value();
    std::vector<u8> memory(65536, 0);
    auto in = inputs();
    Value none;
    // Fill [96, 160) through both stores.
    for (u32 i = 0; i < 4; ++i) {
        const V& v = in[3 + i];
        u32 at = 96 + 16 * i;
        auto r = i % 2 ? f.engine->invoke(JitFixture::exported(inst, "store16"), Span<const Value>(std::vector<Value> { Value::from_i32(at - 16), vval(v) }.data(), 2), Span<Value>(&none, 0))
                       : f.engine->invoke(JitFixture::exported(inst, "store"), Span<const Value>(std::vector<Value> { Value::from_i32(at), vval(v) }.data(), 2), Span<Value>(&none, 0));
        ASSERT_FALSE(r.is_error()) << message(r.error());
        memcpy(&memory[at], v.data(), 16);
    }
    for (u32 address = 96; address < 140; address += 5) {
        const u8* p = &memory[address + 3];
        auto le = [&](u32 w, u32 k) { u64 x = 0; for (u32 j = 0; j < w; ++j) x |= u64(p[k * w + j]) << (8 * j); return x; };
        for (usize i = 0; i < 13; ++i) {
            V expected {};
            if (i == 0) {
                memcpy(expected.data(), p, 16);
            } else if (i <= 6) {
                u32 w = 1u << ((i - 1) / 2); // source lane width
                bool s = i % 2 == 1;
                for (u32 l = 0; l < 8 / w; ++l) {
                    u64 x = le(w, l);
                    set_lane(expected, 2 * w, l, (s ? u64(sx(x, w)) : x) & mask_of(2 * w));
                }
            } else if (i <= 10) {
                u32 w = 1u << (i - 7);
                for (u32 l = 0; l < 16 / w; ++l)
                    set_lane(expected, w, l, le(w, 0));
            } else {
                u32 w = i == 11 ? 4 : 8;
                set_lane(expected, w, 0, le(w, 0));
            }
            auto r = call(f, inst, "l" + std::to_string(i), { Value::from_i32(address) });
            ASSERT_FALSE(r.is_error()) << message(r.error());
            EXPECT_EQ(hex(unv(r.value())), hex(expected)) << wasm::opcode_info(loads[i]).name.data() << " at " << address;
        }
    }
    // Last in-bounds v128.load: 65536 - 16 - 3 (offset 3).
    auto ok = call(f, inst, "l0", { Value::from_i32(65536 - 19) });
    ASSERT_FALSE(ok.is_error()) << message(ok.error());
    for (usize i : { usize(0), usize(1), usize(10), usize(12) }) {
        auto r = call(f, inst, "l" + std::to_string(i), { Value::from_i32(65536 - 4) });
        ASSERT_TRUE(r.is_error()) << i;
        EXPECT_TRUE(message(r.error()).starts_with("out of bounds memory access")) << message(r.error());
    }
    auto r = call(f, inst, "l0", { Value::from_i32(-1) });
    ASSERT_TRUE(r.is_error());
    EXPECT_TRUE(message(r.error()).starts_with("out of bounds memory access")) << message(r.error());
    auto s = f.engine->invoke(JitFixture::exported(inst, "store"), Span<const Value>(std::vector<Value> { Value::from_i32(65536 - 8), vval(in[1]) }.data(), 2), Span<Value>(&none, 0));
    ASSERT_TRUE(s.is_error());
    EXPECT_TRUE(message(s.error()).starts_with("out of bounds memory access")) << message(s.error());
    // The trapping store wrote nothing (its first 8 bytes were in bounds).
    auto last = call(f, inst, "l0", { Value::from_i32(65536 - 19) });
    ASSERT_FALSE(last.is_error()) << message(last.error());
    EXPECT_EQ(hex(unv(last.value())), hex(V {}));
}

// More live v128 values than vector registers, a call (all vector registers
// are caller-saved) with v128 arguments and results, v128 locals, a block
// with a v128 result left by br_if, and select.
TEST_P(BaselineSimdPaths, SpillPressureCallsAndControlFlow)
{
    JitFixture f(GetParam());
    REQUIRE_EXECUTION(f);
    ModuleBuilder b;
    u32 mix_t = b.type({ V128, I32, V128 }, { V128, I32 });
    u32 main_t = b.type({ V128, I32 }, { V128 });
    // mix(a, n, c) = (a xor c, n + 1)
    u32 mix = b.function(mix_t, {}, cat({ local_get(0), local_get(2), op(Opcode::V128Xor), local_get(1), i32_const(1), { 0x6a } }), "mix");
    constexpr u32 live = 40;
    ByteList code;
    for (u32 k = 0; k < live; ++k) {
        V c;
        for (u32 i = 0; i < 4; ++i)
            set_lane(c, 4, i, k * 0x01010101u + i);
        code = cat({ code, local_get(0), v128_const(c), op(Opcode::I32x4Add) });
    }
    V key;
    key.fill(0x5a);
    // The call in the middle: mix(local0, n, key) -> local 2 (v128), drop i32.
    code = cat({ code, local_get(0), local_get(1), v128_const(key), call(mix), { 0x1a, 0x21, 0x02 } });
    for (u32 k = 1; k < live; ++k)
        code = cat({ code, op(Opcode::I32x4Add) });
    // local 3 = sum; block (result v128): br_if 0 with sum when n != 0, else sum xor local 2
    code = cat({ code, { 0x21, 0x03 }, { 0x02, V128 }, local_get(3), local_get(1), { 0x0d, 0x00 }, local_get(2),
        op(Opcode::V128Xor), { 0x0b } });
    // select(result, not result, n & 2)
    code = cat({ code, { 0x22, 0x03 }, local_get(3), op(Opcode::V128Not), local_get(1), i32_const(2), { 0x71 }, { 0x1b } });
    b.function(main_t, { V128, V128 }, code, "main");
    auto instance = f.instantiate(b.build());
    ASSERT_FALSE(instance.is_error()) << message(instance.error());
    for (const V& a : inputs()) {
        for (i32 n : { 0, 1, 2, 3 }) {
            V sum {};
            for (u32 k = 0; k < live; ++k) {
                for (u32 i = 0; i < 4; ++i)
                    set_lane(sum, 4, i, (lane(sum, 4, i) + lane(a, 4, i) + k * 0x01010101u + i) & 0xffffffff);
            }
            V mixed;
            for (u32 i = 0; i < 16; ++i)
                mixed[i] = a[i] ^ key[i];
            V result = sum;
            if (n == 0) {
                for (u32 i = 0; i < 16; ++i)
                    result[i] ^= mixed[i];
            }
            if ((n & 2) == 0) {
                for (u8& x : result)
                    x = u8(~x);
            }
            auto r = call(f, instance.value(), "main", { vval(a), Value::from_i32(u32(n)) });
            ASSERT_FALSE(r.is_error()) << message(r.error());
            EXPECT_EQ(hex(unv(r.value())), hex(result)) << "n = " << n;
        }
    }
}

TEST_P(BaselineSimdPaths, ShuffleExtendAbsAndLaneMemory)
{
    JitFixture f(GetParam());
    REQUIRE_EXECUTION(f);
    ModuleBuilder b;
    b.has_memory = true;
    b.memory_min = 1;
    b.memory_max = 1;
    u32 vvv = b.type({ V128, V128 }, { V128 });
    u32 vv = b.type({ V128 }, { V128 });
    u32 ivv = b.type({ I32, V128 }, { V128 });
    u32 iv_ = b.type({ I32, V128 }, {});
    const u8 pattern[16] = { 0, 17, 31, 16, 5, 5, 15, 30, 1, 2, 3, 20, 21, 22, 23, 9 };
    ByteList shuffle = op(Opcode::I8x16Shuffle);
    shuffle.insert(shuffle.end(), pattern, pattern + 16);
    b.function(vvv, {}, cat({ local_get(0), local_get(1), shuffle }), "shuffle");
    const Opcode unary[] = { Opcode::I16x8ExtendLowI8x16S, Opcode::I16x8ExtendHighI8x16S, Opcode::I16x8ExtendLowI8x16U,
        Opcode::I16x8ExtendHighI8x16U, Opcode::I32x4ExtendLowI16x8S, Opcode::I32x4ExtendHighI16x8U,
        Opcode::I64x2ExtendLowI32x4U, Opcode::I64x2ExtendHighI32x4S, Opcode::I8x16Abs, Opcode::I16x8Abs,
        Opcode::I32x4Abs, Opcode::I64x2Abs, Opcode::F32x4Neg, Opcode::F64x2Abs };
    for (usize i = 0; i < 14; ++i)
        b.function(vv, {}, cat({ local_get(0), op(unary[i]) }), "u" + std::to_string(i));
    for (u32 l = 0; l < 16; l += 5) {
        b.function(ivv, {}, cat({ local_get(0), local_get(1), memop(Opcode::V128Load8Lane, 0, 1), { u8(l) } }), "ll8_" + std::to_string(l));
        b.function(iv_, {}, cat({ local_get(0), local_get(1), memop(Opcode::V128Store8Lane, 0, 1), { u8(l) } }), "sl8_" + std::to_string(l));
    }
    for (u32 l = 0; l < 2; ++l) {
        b.function(ivv, {}, cat({ local_get(0), local_get(1), memop(Opcode::V128Load64Lane, 0, 1), { u8(l) } }), "ll64_" + std::to_string(l));
        b.function(iv_, {}, cat({ local_get(0), local_get(1), memop(Opcode::V128Store64Lane, 0, 1), { u8(l) } }), "sl64_" + std::to_string(l));
        b.function(ivv, {}, cat({ local_get(0), local_get(1), memop(Opcode::V128Load32Lane, 0, 1), { u8(3 * l) } }), "ll32_" + std::to_string(3 * l));
    }
    auto instance = f.instantiate(b.build());
    ASSERT_FALSE(instance.is_error()) << message(instance.error());
    auto* inst = instance.value();
    auto in = inputs();
    Value none;
    for (const V& a : in) {
        for (const V& c : in) {
            V expected;
            for (u32 i = 0; i < 16; ++i)
                expected[i] = pattern[i] < 16 ? a[pattern[i]] : c[pattern[i] - 16];
            auto r = call(f, inst, "shuffle", { vval(a), vval(c) });
            ASSERT_FALSE(r.is_error()) << message(r.error());
            EXPECT_EQ(hex(unv(r.value())), hex(expected));
        }
        for (usize i = 0; i < 14; ++i) {
            V expected {};
            if (i < 8) {
                const u32 sw[] = { 1, 1, 1, 1, 2, 2, 4, 4 };
                const bool high[] = { false, true, false, true, false, true, false, true };
                const bool sgn[] = { true, true, false, false, true, false, false, true };
                u32 w = sw[i];
                for (u32 l = 0; l < 8 / w; ++l) {
                    u64 x = lane(a, w, l + (high[i] ? 8 / w : 0));
                    set_lane(expected, 2 * w, l, (sgn[i] ? u64(sx(x, w)) : x) & mask_of(2 * w));
                }
            } else if (i < 12) {
                u32 w = 1u << (i - 8);
                for (u32 l = 0; l < 16 / w; ++l) {
                    i64 x = sx(lane(a, w, l), w);
                    set_lane(expected, w, l, u64(x < 0 ? -x : x) & mask_of(w));
                }
            } else if (i == 12) {
                for (u32 l = 0; l < 4; ++l)
                    set_lane(expected, 4, l, lane(a, 4, l) ^ 0x80000000u);
            } else {
                for (u32 l = 0; l < 2; ++l)
                    set_lane(expected, 8, l, lane(a, 8, l) & ~(u64(1) << 63));
            }
            auto r = call(f, inst, "u" + std::to_string(i), { vval(a) });
            ASSERT_FALSE(r.is_error()) << message(r.error());
            EXPECT_EQ(hex(unv(r.value())), hex(expected)) << wasm::opcode_info(unary[i]).name.data() << " " << hex(a);
        }
    }
    // Lane loads and stores against a model of memory (memarg offset 1).
    std::vector<u8> memory(65536, 0);
    const V& data = in[4];
    for (u32 l = 0; l < 16; l += 5) {
        u32 at = 200 + l;
        auto s = f.engine->invoke(JitFixture::exported(inst, ("sl8_" + std::to_string(l)).c_str()), Span<const Value>(std::vector<Value> { Value::from_i32(at), vval(data) }.data(), 2), Span<Value>(&none, 0));
        ASSERT_FALSE(s.is_error()) << message(s.error());
        memory[at + 1] = data[l];
    }
    for (u32 l = 0; l < 2; ++l) {
        u32 at = 300 + 8 * l;
        auto s = f.engine->invoke(JitFixture::exported(inst, ("sl64_" + std::to_string(l)).c_str()), Span<const Value>(std::vector<Value> { Value::from_i32(at), vval(data) }.data(), 2), Span<Value>(&none, 0));
        ASSERT_FALSE(s.is_error()) << message(s.error());
        memcpy(&memory[at + 1], &data[8 * l], 8);
    }
    const V& base = in[6];
    for (u32 at : { 199u, 200u, 205u, 300u, 303u, 309u }) {
        for (u32 l = 0; l < 16; l += 5) {
            V expected = base;
            expected[l] = memory[at + 1];
            auto r = call(f, inst, "ll8_" + std::to_string(l), { Value::from_i32(at), vval(base) });
            ASSERT_FALSE(r.is_error()) << message(r.error());
            EXPECT_EQ(hex(unv(r.value())), hex(expected)) << "load8_lane " << l << " at " << at;
        }
        for (u32 l = 0; l < 2; ++l) {
            V expected = base;
            memcpy(&expected[8 * l], &memory[at + 1], 8);
            auto r = call(f, inst, "ll64_" + std::to_string(l), { Value::from_i32(at), vval(base) });
            ASSERT_FALSE(r.is_error()) << message(r.error());
            EXPECT_EQ(hex(unv(r.value())), hex(expected)) << "load64_lane " << l << " at " << at;
            expected = base;
            memcpy(&expected[12 * l], &memory[at + 1], 4);
            r = call(f, inst, "ll32_" + std::to_string(3 * l), { Value::from_i32(at), vval(base) });
            ASSERT_FALSE(r.is_error()) << message(r.error());
            EXPECT_EQ(hex(unv(r.value())), hex(expected)) << "load32_lane " << 3 * l << " at " << at;
        }
    }
    auto r = call(f, inst, "ll64_1", { Value::from_i32(65536 - 8), vval(base) });
    ASSERT_TRUE(r.is_error());
    EXPECT_TRUE(message(r.error()).starts_with("out of bounds memory access")) << message(r.error());
    auto s = f.engine->invoke(JitFixture::exported(inst, "sl8_15"), Span<const Value>(std::vector<Value> { Value::from_i32(65535), vval(data) }.data(), 2), Span<Value>(&none, 0));
    ASSERT_TRUE(s.is_error());
    EXPECT_TRUE(message(s.error()).starts_with("out of bounds memory access")) << message(s.error());
}

// Lane ops whose scalar goes through a scratch register while the vector
// operands must be filled from or spilled to the frame (more live values
// than registers).
TEST_P(BaselineSimdPaths, LaneOpsUnderSpillPressure)
{
    JitFixture f(GetParam());
    REQUIRE_EXECUTION(f);
    ModuleBuilder b;
    b.has_memory = true;
    b.memory_min = 1;
    b.memory_max = 1;
    u32 t = b.type({ V128, F32, I32 }, { V128 });
    constexpr u32 live = 30;
    ByteList code;
    for (u32 k = 0; k < live; ++k)
        code = cat({ code, local_get(0) });
    // f32x4.replace_lane 1 (a, x); f32x4.splat x; load32_lane 3 from [i]
    code = cat({ code, local_get(0), local_get(1), lane_op(Opcode::F32x4ReplaceLane, 1) });
    code = cat({ code, local_get(1), op(Opcode::F32x4Splat) });
    code = cat({ code, local_get(2), local_get(0), memop(Opcode::V128Load32Lane, 0, 0), { 3 } });
    for (u32 k = 0; k < live + 2; ++k)
        code = cat({ code, op(Opcode::I32x4Add) });
    b.function(t, {}, code, "f");
    auto instance = f.instantiate(b.build());
    ASSERT_FALSE(instance.is_error()) << message(instance.error());
    const V& a = inputs()[5];
    u32 xbits = 0x40490fdbu; // pi
    float x;
    memcpy(&x, &xbits, 4);
    V expected {};
    for (u32 l = 0; l < 4; ++l) {
        u64 sum = u64(live) * lane(a, 4, l);
        sum += l == 1 ? xbits : lane(a, 4, l); // replace_lane
        sum += xbits;                          // splat
        sum += l == 3 ? 0 : lane(a, 4, l);     // load32_lane of zeroed memory
        set_lane(expected, 4, l, sum & 0xffffffff);
    }
    std::vector<Value> args { vval(a), Value::from_f32_bits(xbits), Value::from_i32(64) };
    Value result;
    auto r = f.engine->invoke(JitFixture::exported(instance.value(), "f"), Span<const Value>(args.data(), 3), Span<Value>(&result, 1));
    ASSERT_FALSE(r.is_error()) << message(r.error());
    EXPECT_EQ(hex(unv(result)), hex(expected));
    (void)x;
}

namespace {

// host(a, n, b) = (a xor b with its halves swapped, n * 3)
Result<void> host_mix(void*, Span<const Value> args, Span<Value> results) noexcept
{
    Value r = Value::default_of(wasm::ValueType::V128);
    for (u32 i = 0; i < 16; ++i)
        r.v128[i] = u8(args[0].v128[(i + 8) % 16] ^ args[2].v128[(i + 8) % 16]);
    results[0] = r;
    results[1] = Value::from_i32(args[1].i32 * 3);
    return {};
}

} // namespace

// v128 parameters and results through host calls (memory-passed, jit/Abi.h)
// and through a million return_call hops with v128 stack arguments, which
// must not grow the stack.
TEST_P(BaselineSimdPaths, V128ThroughHostCallsAndTailCalls)
{
    JitFixture f(GetParam());
    REQUIRE_EXECUTION(f);
    static constexpr wasm::ValueType host_params[] = { wasm::ValueType::V128, wasm::ValueType::I32, wasm::ValueType::V128 };
    static constexpr wasm::ValueType host_results[] = { wasm::ValueType::V128, wasm::ValueType::I32 };
    wasm::FunctionInstance* mix = MUST(f.store.create_host_function({ host_params, host_results }, host_mix, nullptr));
    wasm::Instance* host = MUST(f.store.create_instance());
    MUST(host->add_export("mix"_sv, { wasm::ExternKind::Function, mix }));
    MUST(f.linker.register_instance("host"_sv, host));
    ModuleBuilder b;
    u32 mix_t = b.type({ V128, I32, V128 }, { V128, I32 });
    u32 via_t = b.type({ V128, I32, V128 }, { V128 });
    u32 hop_t = b.type({ I32, V128, V128 }, { V128 });
    b.import_function("host", "mix", mix_t);
    // via(a, n, b) = let (v, m) = mix(a, n, b) in v + i32x4.splat(m)
    b.function(via_t, {}, cat({ local_get(0), local_get(1), local_get(2), call(0), op(Opcode::I32x4Splat), op(Opcode::I32x4Add) }), "via");
    // hop(n, a, b) = n == 0 ? a xor b : return_call hop(n - 1, b + splat(1), a)
    V one {};
    for (u32 i = 0; i < 4; ++i)
        set_lane(one, 4, i, 1);
    b.function(hop_t, {}, cat({ local_get(0), { 0x45, 0x04, 0x40 }, local_get(1), local_get(2), op(Opcode::V128Xor), { 0x0f, 0x0b },
        local_get(0), i32_const(1), { 0x6b }, local_get(2), v128_const(one), op(Opcode::I32x4Add), local_get(1), { 0x12, 0x02 } }), "hop");
    auto instance = f.instantiate(b.build());
    ASSERT_FALSE(instance.is_error()) << message(instance.error());
    auto in = inputs();
    for (usize k = 0; k + 1 < in.size(); ++k) {
        const V& a = in[k];
        const V& c = in[k + 1];
        i32 n = i32(k) - 2;
        std::vector<Value> args { vval(a), Value::from_i32(u32(n)), vval(c) };
        Value result;
        auto r = f.engine->invoke(JitFixture::exported(instance.value(), "via"), Span<const Value>(args.data(), args.size()), Span<Value>(&result, 1));
        ASSERT_FALSE(r.is_error()) << message(r.error());
        V expected;
        for (u32 i = 0; i < 16; ++i)
            expected[i] = u8(a[(i + 8) % 16] ^ c[(i + 8) % 16]);
        for (u32 i = 0; i < 4; ++i)
            set_lane(expected, 4, i, (lane(expected, 4, i) + u32(n * 3)) & 0xffffffff);
        EXPECT_EQ(hex(unv(result)), hex(expected)) << "via, input " << k;
    }
    for (u32 hops : { 0u, 1u, 7u, 1000000u }) {
        // After 2m hops both values gained m in every lane, then swap once more if odd.
        V x = in[3], y = in[4];
        auto bump = [](V& v, u32 m) {
            for (u32 i = 0; i < 4; ++i)
                set_lane(v, 4, i, (lane(v, 4, i) + m) & 0xffffffff);
        };
        bump(x, hops / 2);
        bump(y, hops / 2);
        if (hops % 2) {
            V t = x;
            x = y;
            bump(x, 1);
            y = t;
        }
        V expected;
        for (u32 i = 0; i < 16; ++i)
            expected[i] = x[i] ^ y[i];
        std::vector<Value> args { Value::from_i32(hops), vval(in[3]), vval(in[4]) };
        Value result;
        auto r = f.engine->invoke(JitFixture::exported(instance.value(), "hop"), Span<const Value>(args.data(), args.size()), Span<Value>(&result, 1));
        ASSERT_FALSE(r.is_error()) << message(r.error()) << " after " << hops << " hops";
        EXPECT_EQ(hex(unv(result)), hex(expected)) << hops << " hops";
    }
}

// i8x16.shuffle lowers by its shape: element width 1/2/4/8 bytes, one or
// both sources, and an index vector from vid (pair swaps, rotations) or
// loaded; every shape against the byte model, on both paths.
TEST_P(BaselineSimdPaths, ShufflesOfEveryShape)
{
    JitFixture f(GetParam());
    REQUIRE_EXECUTION(f);
    ModuleBuilder b;
    u32 vvv = b.type({ V128, V128 }, { V128 });
    auto bytes_of = [](u32 width, std::initializer_list<u32> elements) {
        std::array<u8, 16> lanes {};
        u32 i = 0;
        for (u32 e : elements) {
            for (u32 k = 0; k < width; ++k)
                lanes[i++] = u8(e * width + k);
        }
        return lanes;
    };
    std::vector<std::array<u8, 16>> patterns = {
        bytes_of(4, { 0, 1, 2, 3 }),         // identity (xor 0)
        bytes_of(4, { 1, 0, 3, 2 }),         // i32 pair swap (xor 1)
        bytes_of(4, { 2, 3, 0, 1 }),         // xor 2
        bytes_of(4, { 1, 2, 3, 0 }),         // rotation by 1
        bytes_of(4, { 3, 0, 1, 2 }),         // rotation by 3
        bytes_of(4, { 4, 5, 6, 7 }),         // all from b
        bytes_of(4, { 5, 4, 7, 6 }),         // b, swapped
        bytes_of(4, { 0, 4, 1, 5 }),         // interleave a and b
        bytes_of(4, { 3, 3, 0, 0 }),         // repeats: loaded index
        bytes_of(2, { 1, 0, 3, 2, 5, 4, 7, 6 }), // rot16 in each i32
        bytes_of(2, { 0, 1, 2, 3, 5, 4, 7, 6 }), // half of them
        bytes_of(2, { 9, 8, 11, 10, 13, 12, 15, 14 }), // b, swapped i16
        bytes_of(8, { 1, 0 }),               // i64 swap
        bytes_of(8, { 3, 0 }),               // b high, a low
        bytes_of(8, { 2, 3 }),               // b as is
        bytes_of(1, { 15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0 }),
        bytes_of(1, { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 0 }), // byte rotation
        bytes_of(1, { 1, 0, 3, 2, 5, 4, 7, 6, 9, 8, 11, 10, 13, 12, 15, 14 }),  // byte swap: really i16 rot8
        bytes_of(1, { 31, 0, 30, 1, 29, 2, 28, 3, 27, 4, 26, 5, 25, 6, 24, 7 }),
        bytes_of(1, { 17, 16, 19, 18, 21, 20, 23, 22, 25, 24, 27, 26, 29, 28, 31, 30 }),
    };
    for (usize i = 0; i < patterns.size(); ++i) {
        ByteList shuffle = op(Opcode::I8x16Shuffle);
        shuffle.insert(shuffle.end(), patterns[i].begin(), patterns[i].end());
        b.function(vvv, {}, cat({ local_get(0), local_get(1), shuffle }), "s" + std::to_string(i));
    }
    auto instance = f.instantiate(b.build());
    ASSERT_FALSE(instance.is_error()) << message(instance.error());
    auto in = inputs();
    for (usize k = 0; k + 1 < in.size(); ++k) {
        for (usize i = 0; i < patterns.size(); ++i) {
            V expected;
            for (u32 j = 0; j < 16; ++j)
                expected[j] = patterns[i][j] < 16 ? in[k][patterns[i][j]] : in[k + 1][patterns[i][j] - 16];
            auto r = call(f, instance.value(), "s" + std::to_string(i), { vval(in[k]), vval(in[k + 1]) });
            ASSERT_FALSE(r.is_error()) << message(r.error());
            EXPECT_EQ(hex(unv(r.value())), hex(expected)) << "pattern " << i << ", inputs " << k;
        }
    }
}

// More v128 locals than vector-register homes (v24-v31), updated in a loop
// around a call to a function that uses all the homes itself and a helper
// call (memory.grow): every local must keep its value (homes are saved to
// their slots around calls and reloaded, jit/Abi.h: vector registers are
// caller-saved).
TEST_P(BaselineSimdPaths, V128LocalsSurviveCallsAndHelperCalls)
{
    JitFixture f(GetParam());
    REQUIRE_EXECUTION(f);
    ModuleBuilder b;
    b.has_memory = true;
    b.memory_min = 1;
    b.memory_max = 1;
    u32 callee_t = b.type({ V128 }, { V128 });
    u32 main_t = b.type({ V128, I32 }, { V128 });
    constexpr u32 locals = 12;
    // clobber(x) = sum over j = 1..9 of (x + splat(j)), through 9 v128 locals.
    ByteList callee;
    for (u32 j = 1; j <= 9; ++j)
        callee = cat({ callee, local_get(0), i32_const(i32(j)), op(Opcode::I32x4Splat), op(Opcode::I32x4Add), { 0x21, u8(j) } });
    callee = cat({ callee, local_get(1) });
    for (u32 j = 2; j <= 9; ++j)
        callee = cat({ callee, local_get(j), op(Opcode::I32x4Add) });
    u32 clobber = b.function(callee_t, ByteList(9, V128), callee, "clobber");
    ByteList code;
    for (u32 k = 0; k < locals; ++k)
        code = cat({ code, local_get(0), i32_const(i32(k * 0x01010101u)), op(Opcode::I32x4Splat), op(Opcode::V128Xor), { 0x21, u8(2 + k) } });
    code = cat({ code, { 0x02, 0x40, 0x03, 0x40 }, local_get(1), { 0x45, 0x0d, 0x01 } });
    for (u32 k = 0; k < locals; ++k)
        code = cat({ code, local_get(2 + k), i32_const(i32(k + 1)), op(Opcode::I32x4Splat), op(Opcode::I32x4Add), { 0x21, u8(2 + k) } });
    code = cat({ code, local_get(2 + 3), call(clobber), { 0x21, u8(2 + 5) } });
    code = cat({ code, i32_const(0), { 0x40, 0x00, 0x1a } }); // memory.grow 0: a helper call
    code = cat({ code, local_get(1), i32_const(1), { 0x6b, 0x21, 0x01, 0x0c, 0x00, 0x0b, 0x0b } });
    code = cat({ code, local_get(2) });
    for (u32 k = 1; k < locals; ++k)
        code = cat({ code, local_get(2 + k), op(Opcode::V128Xor) });
    b.function(main_t, ByteList(locals, V128), code, "main");
    auto instance = f.instantiate(b.build());
    ASSERT_FALSE(instance.is_error()) << message(instance.error());
    auto add32 = [](V& v, u32 x) {
        for (u32 i = 0; i < 4; ++i)
            set_lane(v, 4, i, (lane(v, 4, i) + x) & 0xffffffff);
    };
    for (const V& seed : inputs()) {
        for (i32 n : { 0, 1, 5 }) {
            V l[locals];
            for (u32 k = 0; k < locals; ++k) {
                l[k] = seed;
                for (u32 i = 0; i < 4; ++i)
                    set_lane(l[k], 4, i, lane(l[k], 4, i) ^ (k * 0x01010101u));
            }
            for (i32 it = 0; it < n; ++it) {
                for (u32 k = 0; k < locals; ++k)
                    add32(l[k], k + 1);
                V r {};
                for (u32 i = 0; i < 4; ++i)
                    set_lane(r, 4, i, (9 * lane(l[3], 4, i) + 45) & 0xffffffff);
                l[5] = r;
            }
            V expected = l[0];
            for (u32 k = 1; k < locals; ++k) {
                for (u32 i = 0; i < 16; ++i)
                    expected[i] ^= l[k][i];
            }
            auto r = call(f, instance.value(), "main", { vval(seed), Value::from_i32(u32(n)) });
            ASSERT_FALSE(r.is_error()) << message(r.error());
            EXPECT_EQ(hex(unv(r.value())), hex(expected)) << "n = " << n;
        }
    }
}
