// The scalar SIMD helper (jit/SimdScalar.h), op by op against expectations
// worked out by hand from the spec (core spec 2.0 §4.3.2, §4.3.3, §4.4.3,
// §4.4.7; the relaxed-simd choices fixed in the header). Each group checks
// the ordinary lanes and the edges: wrapping, saturation at both ends, shift
// count masking, NaN and signed-zero handling, exact bits for pmin/pmax and
// sign-bit ops, unaligned memory forms.

#include <jit/SimdScalar.h>
#include <wasm/Opcodes.h>

#include <gtest/gtest.h>

#include <array>
#include <string.h>

using namespace k23;
using namespace k23::jit;
using wasm::Opcode;

namespace {

using V = std::array<u8, 16>;

// A vector from its lanes (lane 0 first), e.g. lanes<i16>(1, -2, ...).
template<typename T, typename... Ts>
V lanes(Ts... xs)
{
    static_assert(sizeof...(xs) * sizeof(T) == 16);
    T values[] = { T(xs)... };
    V v;
    memcpy(v.data(), values, 16);
    return v;
}

template<typename T>
V splat_of(T x)
{
    V v;
    for (usize i = 0; i < 16 / sizeof(T); ++i)
        memcpy(v.data() + i * sizeof(T), &x, sizeof(T));
    return v;
}

u32 fb(f32 x) { return __builtin_bit_cast(u32, x); }
u64 db(f64 x) { return __builtin_bit_cast(u64, x); }

constexpr u32 f32_nan = 0x7fc00000u;
constexpr u64 f64_nan = 0x7ff8000000000000ull;

// A vector op: dst starts as junk and must be fully written.
V run(Opcode op, const V& a, const V& b = {}, const V& c = {}, u64 imm = 0, u64 imm2 = 0)
{
    V dst;
    dst.fill(0xcc);
    EXPECT_EQ(k23_simd_scalar(u32(op), dst.data(), a.data(), b.data(), c.data(), imm, imm2), 0u);
    return dst;
}

V shift(Opcode op, const V& a, u64 count) { return run(op, a, {}, {}, count); }

// An op with a scalar result: dst must stay untouched.
u64 scalar(Opcode op, const V& a, u64 imm = 0)
{
    V dst;
    dst.fill(0xcc);
    V before = dst;
    u64 result = k23_simd_scalar(u32(op), dst.data(), a.data(), nullptr, nullptr, imm, 0);
    EXPECT_EQ(dst, before);
    return result;
}

V iota(u8 first)
{
    V v;
    for (usize i = 0; i < 16; ++i)
        v[i] = u8(first + i);
    return v;
}

// §4.3.2 iadd / isub / imul: wrapping.

TEST(SimdScalar, IntegerAddSubMulWrapAround)
{
    EXPECT_EQ(run(Opcode::I8x16Add, splat_of<u8>(0x7f), splat_of<u8>(1)), splat_of<u8>(0x80));
    EXPECT_EQ(run(Opcode::I8x16Add, splat_of<u8>(0xff), splat_of<u8>(2)), splat_of<u8>(1));
    EXPECT_EQ(run(Opcode::I16x8Add, lanes<u16>(0xffff, 1, 0x7fff, 0, 0, 0, 0, 9), lanes<u16>(1, 2, 1, 0, 0, 0, 0, 1)),
        lanes<u16>(0, 3, 0x8000, 0, 0, 0, 0, 10));
    EXPECT_EQ(run(Opcode::I32x4Add, lanes<u32>(0xffffffffu, 0x7fffffff, 5, 0), lanes<u32>(1, 1, 6, 0)),
        lanes<u32>(0, 0x80000000u, 11, 0));
    EXPECT_EQ(run(Opcode::I64x2Add, lanes<u64>(~0ull, 40), lanes<u64>(2, 2)), lanes<u64>(1, 42));

    EXPECT_EQ(run(Opcode::I8x16Sub, splat_of<u8>(0), splat_of<u8>(1)), splat_of<u8>(0xff));
    EXPECT_EQ(run(Opcode::I16x8Sub, splat_of<i16>(-32768), splat_of<i16>(1)), splat_of<i16>(32767));
    EXPECT_EQ(run(Opcode::I32x4Sub, lanes<i32>(0, 10, -2147483647 - 1, 3), lanes<i32>(1, 3, 1, 3)),
        lanes<i32>(-1, 7, 2147483647, 0));
    EXPECT_EQ(run(Opcode::I64x2Sub, lanes<u64>(0, 10), lanes<u64>(1, 20)), lanes<u64>(~0ull, u64(-10ll)));

    EXPECT_EQ(run(Opcode::I16x8Mul, lanes<u16>(0xffff, 0x8000, 3, 300, 0, 1, 2, 0x100), lanes<u16>(0xffff, 2, 7, 300, 5, 1, 0xffff, 0x100)),
        lanes<u16>(1, 0, 21, 0x5f90, 0, 1, 0xfffe, 0));
    EXPECT_EQ(run(Opcode::I32x4Mul, lanes<u32>(0x10000, 0xffff, 0xffffffffu, 6), lanes<u32>(0x10000, 0xffff, 0xffffffffu, 7)),
        lanes<u32>(0, 0xfffe0001u, 1, 42));
    EXPECT_EQ(run(Opcode::I64x2Mul, lanes<u64>(0x100000000ull, 3), lanes<u64>(0x100000000ull, ~0ull)), lanes<u64>(0, u64(-3ll)));
}

TEST(SimdScalar, NegWrapsAndAbsOfMinimumStaysMinimum)
{
    EXPECT_EQ(run(Opcode::I8x16Abs, lanes<i8>(-128, -5, 5, 0, 127, -127, -1, 1, 0, 0, 0, 0, 0, 0, 0, 0)),
        lanes<i8>(-128, 5, 5, 0, 127, 127, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0));
    EXPECT_EQ(run(Opcode::I16x8Abs, lanes<i16>(-32768, -300, 300, 0, -1, 32767, -32767, 2)),
        lanes<i16>(-32768, 300, 300, 0, 1, 32767, 32767, 2));
    EXPECT_EQ(run(Opcode::I32x4Abs, lanes<i32>(-2147483647 - 1, -7, 7, 0)), lanes<i32>(-2147483647 - 1, 7, 7, 0));
    EXPECT_EQ(run(Opcode::I64x2Abs, lanes<u64>(0x8000000000000000ull, u64(-9ll))), lanes<u64>(0x8000000000000000ull, 9));

    EXPECT_EQ(run(Opcode::I8x16Neg, lanes<i8>(-128, 1, 0, 127, -1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)),
        lanes<i8>(-128, -1, 0, -127, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0));
    EXPECT_EQ(run(Opcode::I16x8Neg, lanes<i16>(-32768, 1, 0, 2, 0, 0, 0, 0)), lanes<i16>(-32768, -1, 0, -2, 0, 0, 0, 0));
    EXPECT_EQ(run(Opcode::I32x4Neg, lanes<i32>(-2147483647 - 1, 1, 0, -5)), lanes<i32>(-2147483647 - 1, -1, 0, 5));
    EXPECT_EQ(run(Opcode::I64x2Neg, lanes<u64>(0x8000000000000000ull, 1)), lanes<u64>(0x8000000000000000ull, ~0ull));
}

TEST(SimdScalar, PopcntCountsBitsPerByte)
{
    EXPECT_EQ(run(Opcode::I8x16Popcnt, lanes<u8>(0xff, 0x55, 0, 0x80, 1, 3, 7, 0xfe, 0, 0, 0, 0, 0, 0, 0, 0x0f)),
        lanes<u8>(8, 4, 0, 1, 1, 2, 3, 7, 0, 0, 0, 0, 0, 0, 0, 4));
}

// §4.3.2 iadd_sat / isub_sat.

TEST(SimdScalar, SaturatingAddSubClampAtBothEnds)
{
    EXPECT_EQ(run(Opcode::I8x16AddSatS, lanes<i8>(100, -100, 1, 127, -128, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0), lanes<i8>(100, -100, 2, 1, -1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)),
        lanes<i8>(127, -128, 3, 127, -128, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0));
    EXPECT_EQ(run(Opcode::I8x16AddSatU, lanes<u8>(200, 255, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0), lanes<u8>(100, 1, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)),
        lanes<u8>(255, 255, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0));
    EXPECT_EQ(run(Opcode::I8x16SubSatS, lanes<i8>(-100, 100, 5, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0), lanes<i8>(100, -100, 7, -128, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)),
        lanes<i8>(-128, 127, -2, 127, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0));
    EXPECT_EQ(run(Opcode::I8x16SubSatU, lanes<u8>(5, 255, 10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0), lanes<u8>(10, 0, 3, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)),
        lanes<u8>(0, 255, 7, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0));
    EXPECT_EQ(run(Opcode::I16x8AddSatS, lanes<i16>(32767, -32768, 100, 0, 0, 0, 0, 0), lanes<i16>(1, -1, -200, 0, 0, 0, 0, 0)),
        lanes<i16>(32767, -32768, -100, 0, 0, 0, 0, 0));
    EXPECT_EQ(run(Opcode::I16x8AddSatU, lanes<u16>(65535, 60000, 1, 0, 0, 0, 0, 0), lanes<u16>(1, 10000, 1, 0, 0, 0, 0, 0)),
        lanes<u16>(65535, 65535, 2, 0, 0, 0, 0, 0));
    EXPECT_EQ(run(Opcode::I16x8SubSatS, lanes<i16>(-32768, 32767, 0, 0, 0, 0, 0, 0), lanes<i16>(1, -1, -32768, 0, 0, 0, 0, 0)),
        lanes<i16>(-32768, 32767, 32767, 0, 0, 0, 0, 0));
    EXPECT_EQ(run(Opcode::I16x8SubSatU, lanes<u16>(0, 65535, 9, 0, 0, 0, 0, 0), lanes<u16>(1, 65535, 4, 0, 0, 0, 0, 0)),
        lanes<u16>(0, 0, 5, 0, 0, 0, 0, 0));
}

// §4.3.2 imin / imax / iavgr_u.

TEST(SimdScalar, IntegerMinMaxHonourSignedness)
{
    V a = lanes<u8>(0xff, 1, 0x80, 0x7f, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
    V b = lanes<u8>(1, 0xff, 0x7f, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
    EXPECT_EQ(run(Opcode::I8x16MinS, a, b), lanes<u8>(0xff, 0xff, 0x80, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0));
    EXPECT_EQ(run(Opcode::I8x16MinU, a, b), lanes<u8>(1, 1, 0x7f, 0x7f, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0));
    EXPECT_EQ(run(Opcode::I8x16MaxS, a, b), lanes<u8>(1, 1, 0x7f, 0x7f, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0));
    EXPECT_EQ(run(Opcode::I8x16MaxU, a, b), lanes<u8>(0xff, 0xff, 0x80, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0));

    V c = lanes<u16>(0xffff, 2, 0x8000, 5, 0, 0, 0, 0);
    V d = lanes<u16>(1, 0xfffe, 0x7fff, 5, 0, 0, 0, 0);
    EXPECT_EQ(run(Opcode::I16x8MinS, c, d), lanes<u16>(0xffff, 0xfffe, 0x8000, 5, 0, 0, 0, 0));
    EXPECT_EQ(run(Opcode::I16x8MinU, c, d), lanes<u16>(1, 2, 0x7fff, 5, 0, 0, 0, 0));
    EXPECT_EQ(run(Opcode::I16x8MaxS, c, d), lanes<u16>(1, 2, 0x7fff, 5, 0, 0, 0, 0));
    EXPECT_EQ(run(Opcode::I16x8MaxU, c, d), lanes<u16>(0xffff, 0xfffe, 0x8000, 5, 0, 0, 0, 0));

    V e = lanes<u32>(0xffffffffu, 3, 0x80000000u, 0);
    V f = lanes<u32>(1, 4, 0x7fffffff, 0);
    EXPECT_EQ(run(Opcode::I32x4MinS, e, f), lanes<u32>(0xffffffffu, 3, 0x80000000u, 0));
    EXPECT_EQ(run(Opcode::I32x4MinU, e, f), lanes<u32>(1, 3, 0x7fffffff, 0));
    EXPECT_EQ(run(Opcode::I32x4MaxS, e, f), lanes<u32>(1, 4, 0x7fffffff, 0));
    EXPECT_EQ(run(Opcode::I32x4MaxU, e, f), lanes<u32>(0xffffffffu, 4, 0x80000000u, 0));
}

TEST(SimdScalar, AvgrUnsignedRoundsUpWithoutOverflow)
{
    EXPECT_EQ(run(Opcode::I8x16AvgrU, lanes<u8>(255, 0, 1, 10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0), lanes<u8>(255, 1, 1, 13, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)),
        lanes<u8>(255, 1, 1, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0));
    EXPECT_EQ(run(Opcode::I16x8AvgrU, lanes<u16>(65535, 65535, 0, 2, 0, 0, 0, 0), lanes<u16>(0, 65535, 1, 5, 0, 0, 0, 0)),
        lanes<u16>(32768, 65535, 1, 4, 0, 0, 0, 0));
}

// §4.3.2 ishl / ishr_s / ishr_u: count modulo the lane width.

TEST(SimdScalar, ShiftCountIsMaskedToLaneWidth)
{
    V bytes = lanes<u8>(0x81, 0x80, 0x7f, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff);
    EXPECT_EQ(shift(Opcode::I8x16Shl, bytes, 9), lanes<u8>(0x02, 0x00, 0xfe, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xfe));
    EXPECT_EQ(shift(Opcode::I8x16ShrS, bytes, 9), lanes<u8>(0xc0, 0xc0, 0x3f, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff));
    EXPECT_EQ(shift(Opcode::I8x16ShrU, bytes, 9), lanes<u8>(0x40, 0x40, 0x3f, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x7f));
    EXPECT_EQ(shift(Opcode::I8x16ShrU, bytes, 8), bytes);
    // An i32 count of -1 (sign-extended) is 7 for bytes.
    EXPECT_EQ(shift(Opcode::I8x16ShrU, splat_of<u8>(0x80), 0xffffffffffffffffull), splat_of<u8>(1));

    V halves = lanes<u16>(0x8001, 0x4000, 1, 0xffff, 0, 0, 0, 0x1234);
    EXPECT_EQ(shift(Opcode::I16x8ShrS, halves, 16), halves);
    EXPECT_EQ(shift(Opcode::I16x8Shl, halves, 17), lanes<u16>(0x0002, 0x8000, 2, 0xfffe, 0, 0, 0, 0x2468));
    EXPECT_EQ(shift(Opcode::I16x8ShrS, halves, 15), lanes<u16>(0xffff, 0, 0, 0xffff, 0, 0, 0, 0));
    EXPECT_EQ(shift(Opcode::I16x8ShrU, halves, 31), lanes<u16>(1, 0, 0, 1, 0, 0, 0, 0));

    V words = lanes<u32>(0x80000001u, 3, 0xffffffffu, 0x40000000);
    EXPECT_EQ(shift(Opcode::I32x4Shl, words, 33), lanes<u32>(2, 6, 0xfffffffeu, 0x80000000u));
    EXPECT_EQ(shift(Opcode::I32x4ShrS, words, 32 + 4), lanes<u32>(0xf8000000u, 0, 0xffffffffu, 0x04000000));
    EXPECT_EQ(shift(Opcode::I32x4ShrU, words, 4), lanes<u32>(0x08000000u, 0, 0x0fffffffu, 0x04000000));

    V doubles = lanes<u64>(0x8000000000000000ull, 6);
    EXPECT_EQ(shift(Opcode::I64x2ShrS, doubles, 65), lanes<u64>(0xc000000000000000ull, 3));
    EXPECT_EQ(shift(Opcode::I64x2ShrU, doubles, 127), lanes<u64>(1, 0));
    EXPECT_EQ(shift(Opcode::I64x2Shl, doubles, 64 + 63), lanes<u64>(0, 0));
    EXPECT_EQ(shift(Opcode::I64x2Shl, doubles, 2), lanes<u64>(0, 24));
}

// §4.3.2 integer comparisons: all-ones or zero lanes.

TEST(SimdScalar, IntegerComparisonsSignedVersusUnsigned)
{
    V a = lanes<u8>(0x80, 1, 5, 5, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff);
    V b = lanes<u8>(0x01, 0x80, 5, 6, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x00);
    EXPECT_EQ(run(Opcode::I8x16Eq, a, b), lanes<u8>(0, 0, 0xff, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0));
    EXPECT_EQ(run(Opcode::I8x16Ne, a, b), lanes<u8>(0xff, 0xff, 0, 0xff, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff));
    EXPECT_EQ(run(Opcode::I8x16LtS, a, b), lanes<u8>(0xff, 0, 0, 0xff, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff));
    EXPECT_EQ(run(Opcode::I8x16LtU, a, b), lanes<u8>(0, 0xff, 0, 0xff, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0));
    EXPECT_EQ(run(Opcode::I8x16GtS, a, b), lanes<u8>(0, 0xff, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0));
    EXPECT_EQ(run(Opcode::I8x16GtU, a, b), lanes<u8>(0xff, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff));
    EXPECT_EQ(run(Opcode::I8x16LeS, a, b), lanes<u8>(0xff, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff));
    EXPECT_EQ(run(Opcode::I8x16LeU, a, b), lanes<u8>(0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0));
    EXPECT_EQ(run(Opcode::I8x16GeS, a, b), lanes<u8>(0, 0xff, 0xff, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0));
    EXPECT_EQ(run(Opcode::I8x16GeU, a, b), lanes<u8>(0xff, 0, 0xff, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff));

    V c = lanes<u16>(0x8000, 1, 7, 7, 0, 0, 0, 0);
    V d = lanes<u16>(1, 0x8000, 7, 8, 0, 0, 0, 0);
    EXPECT_EQ(run(Opcode::I16x8Eq, c, d), lanes<u16>(0, 0, 0xffff, 0, 0xffff, 0xffff, 0xffff, 0xffff));
    EXPECT_EQ(run(Opcode::I16x8Ne, c, d), lanes<u16>(0xffff, 0xffff, 0, 0xffff, 0, 0, 0, 0));
    EXPECT_EQ(run(Opcode::I16x8LtS, c, d), lanes<u16>(0xffff, 0, 0, 0xffff, 0, 0, 0, 0));
    EXPECT_EQ(run(Opcode::I16x8LtU, c, d), lanes<u16>(0, 0xffff, 0, 0xffff, 0, 0, 0, 0));
    EXPECT_EQ(run(Opcode::I16x8GtS, c, d), lanes<u16>(0, 0xffff, 0, 0, 0, 0, 0, 0));
    EXPECT_EQ(run(Opcode::I16x8GtU, c, d), lanes<u16>(0xffff, 0, 0, 0, 0, 0, 0, 0));
    EXPECT_EQ(run(Opcode::I16x8LeS, c, d), lanes<u16>(0xffff, 0, 0xffff, 0xffff, 0xffff, 0xffff, 0xffff, 0xffff));
    EXPECT_EQ(run(Opcode::I16x8LeU, c, d), lanes<u16>(0, 0xffff, 0xffff, 0xffff, 0xffff, 0xffff, 0xffff, 0xffff));
    EXPECT_EQ(run(Opcode::I16x8GeS, c, d), lanes<u16>(0, 0xffff, 0xffff, 0, 0xffff, 0xffff, 0xffff, 0xffff));
    EXPECT_EQ(run(Opcode::I16x8GeU, c, d), lanes<u16>(0xffff, 0, 0xffff, 0, 0xffff, 0xffff, 0xffff, 0xffff));

    V e = lanes<u32>(0x80000000u, 1, 9, 9);
    V f = lanes<u32>(1, 0x80000000u, 9, 10);
    EXPECT_EQ(run(Opcode::I32x4Eq, e, f), lanes<u32>(0, 0, ~0u, 0));
    EXPECT_EQ(run(Opcode::I32x4Ne, e, f), lanes<u32>(~0u, ~0u, 0, ~0u));
    EXPECT_EQ(run(Opcode::I32x4LtS, e, f), lanes<u32>(~0u, 0, 0, ~0u));
    EXPECT_EQ(run(Opcode::I32x4LtU, e, f), lanes<u32>(0, ~0u, 0, ~0u));
    EXPECT_EQ(run(Opcode::I32x4GtS, e, f), lanes<u32>(0, ~0u, 0, 0));
    EXPECT_EQ(run(Opcode::I32x4GtU, e, f), lanes<u32>(~0u, 0, 0, 0));
    EXPECT_EQ(run(Opcode::I32x4LeS, e, f), lanes<u32>(~0u, 0, ~0u, ~0u));
    EXPECT_EQ(run(Opcode::I32x4LeU, e, f), lanes<u32>(0, ~0u, ~0u, ~0u));
    EXPECT_EQ(run(Opcode::I32x4GeS, e, f), lanes<u32>(0, ~0u, ~0u, 0));
    EXPECT_EQ(run(Opcode::I32x4GeU, e, f), lanes<u32>(~0u, 0, ~0u, 0));

    V g = lanes<u64>(0x8000000000000000ull, 4);
    V h = lanes<u64>(1, 4);
    EXPECT_EQ(run(Opcode::I64x2Eq, g, h), lanes<u64>(0, ~0ull));
    EXPECT_EQ(run(Opcode::I64x2Ne, g, h), lanes<u64>(~0ull, 0));
    EXPECT_EQ(run(Opcode::I64x2LtS, g, h), lanes<u64>(~0ull, 0));
    EXPECT_EQ(run(Opcode::I64x2GtS, g, h), lanes<u64>(0, 0));
    EXPECT_EQ(run(Opcode::I64x2LeS, g, h), lanes<u64>(~0ull, ~0ull));
    EXPECT_EQ(run(Opcode::I64x2GeS, g, h), lanes<u64>(0, ~0ull));
}

TEST(SimdScalar, FloatComparisonsAreFalseOnNaNExceptNe)
{
    V a = lanes<u32>(f32_nan, fb(-0.0f), fb(1.0f), fb(2.0f));
    V b = lanes<u32>(f32_nan, fb(0.0f), fb(2.0f), fb(1.0f));
    EXPECT_EQ(run(Opcode::F32x4Eq, a, b), lanes<u32>(0, ~0u, 0, 0));
    EXPECT_EQ(run(Opcode::F32x4Ne, a, b), lanes<u32>(~0u, 0, ~0u, ~0u));
    EXPECT_EQ(run(Opcode::F32x4Lt, a, b), lanes<u32>(0, 0, ~0u, 0));
    EXPECT_EQ(run(Opcode::F32x4Gt, a, b), lanes<u32>(0, 0, 0, ~0u));
    EXPECT_EQ(run(Opcode::F32x4Le, a, b), lanes<u32>(0, ~0u, ~0u, 0));
    EXPECT_EQ(run(Opcode::F32x4Ge, a, b), lanes<u32>(0, ~0u, 0, ~0u));

    V c = lanes<u64>(f64_nan, db(-1.0));
    V d = lanes<u64>(db(1.0), db(-1.0));
    EXPECT_EQ(run(Opcode::F64x2Eq, c, d), lanes<u64>(0, ~0ull));
    EXPECT_EQ(run(Opcode::F64x2Ne, c, d), lanes<u64>(~0ull, 0));
    EXPECT_EQ(run(Opcode::F64x2Lt, c, d), lanes<u64>(0, 0));
    EXPECT_EQ(run(Opcode::F64x2Gt, c, d), lanes<u64>(0, 0));
    EXPECT_EQ(run(Opcode::F64x2Le, c, d), lanes<u64>(0, ~0ull));
    EXPECT_EQ(run(Opcode::F64x2Ge, c, d), lanes<u64>(0, ~0ull));
    EXPECT_EQ(run(Opcode::F64x2Lt, lanes<u64>(db(-0.0), db(-2.0)), lanes<u64>(db(0.0), db(3.0))), lanes<u64>(0, ~0ull));
}

// §4.3.2 bitwise ops and tests.

TEST(SimdScalar, BitwiseOpsAndBitselect)
{
    V a = lanes<u64>(0xff00ff00f0f0f0f0ull, 0x0123456789abcdefull);
    V b = lanes<u64>(0x0ff00ff0ffff0000ull, 0xffffffff00000000ull);
    EXPECT_EQ(run(Opcode::V128Not, a), lanes<u64>(0x00ff00ff0f0f0f0full, 0xfedcba9876543210ull));
    EXPECT_EQ(run(Opcode::V128And, a, b), lanes<u64>(0x0f000f00f0f00000ull, 0x0123456700000000ull));
    EXPECT_EQ(run(Opcode::V128AndNot, a, b), lanes<u64>(0xf000f0000000f0f0ull, 0x0000000089abcdefull));
    EXPECT_EQ(run(Opcode::V128Or, a, b), lanes<u64>(0xfff0fff0fffff0f0ull, 0xffffffff89abcdefull));
    EXPECT_EQ(run(Opcode::V128Xor, a, b), lanes<u64>(0xf0f0f0f00f0ff0f0ull, 0xfedcba9889abcdefull));
    // bitselect(v1, v2, c) = (v1 & c) | (v2 & ~c)
    EXPECT_EQ(run(Opcode::V128Bitselect, splat_of<u8>(0xaa), splat_of<u8>(0x55), splat_of<u8>(0x0f)), splat_of<u8>(0x5a));
}

TEST(SimdScalar, AnyTrueAllTrueLookAtWholeLanes)
{
    V zero {};
    V one_bit = zero;
    one_bit[13] = 0x10;
    EXPECT_EQ(scalar(Opcode::V128AnyTrue, zero), 0u);
    EXPECT_EQ(scalar(Opcode::V128AnyTrue, one_bit), 1u);

    V bytes_one_zero = splat_of<u8>(1);
    bytes_one_zero[7] = 0;
    EXPECT_EQ(scalar(Opcode::I8x16AllTrue, bytes_one_zero), 0u);
    EXPECT_EQ(scalar(Opcode::I8x16AllTrue, splat_of<u8>(0x80)), 1u);
    // 0x0100 has a zero low byte but is a nonzero i16 lane.
    EXPECT_EQ(scalar(Opcode::I16x8AllTrue, splat_of<u16>(0x0100)), 1u);
    EXPECT_EQ(scalar(Opcode::I8x16AllTrue, splat_of<u16>(0x0100)), 0u);
    EXPECT_EQ(scalar(Opcode::I16x8AllTrue, lanes<u16>(1, 1, 1, 1, 1, 1, 0, 1)), 0u);
    EXPECT_EQ(scalar(Opcode::I32x4AllTrue, splat_of<u32>(0x00010000)), 1u);
    EXPECT_EQ(scalar(Opcode::I32x4AllTrue, lanes<u32>(1, 0, 1, 1)), 0u);
    EXPECT_EQ(scalar(Opcode::I64x2AllTrue, lanes<u64>(0x100000000ull, 1)), 1u);
    EXPECT_EQ(scalar(Opcode::I64x2AllTrue, lanes<u64>(1, 0)), 0u);
}

TEST(SimdScalar, BitmaskGathersLaneSignBits)
{
    EXPECT_EQ(scalar(Opcode::I8x16Bitmask, lanes<u8>(0x80, 0x7f, 0, 0xff, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x90)), 0x8009u);
    EXPECT_EQ(scalar(Opcode::I8x16Bitmask, splat_of<u8>(0xff)), 0xffffu);
    EXPECT_EQ(scalar(Opcode::I16x8Bitmask, lanes<u16>(0x8000, 0x00ff, 0, 0, 0, 0, 0, 0xffff)), 0x81u);
    EXPECT_EQ(scalar(Opcode::I32x4Bitmask, lanes<u32>(0, 0x80000000u, 0x7fffffff, 0xffffffffu)), 0xau);
    EXPECT_EQ(scalar(Opcode::I64x2Bitmask, lanes<u64>(0x8000000000000000ull, 0x7fffffffffffffffull)), 1u);
}

// §4.3.2 narrow, extend, extadd_pairwise, extmul, dot.

TEST(SimdScalar, NarrowSaturatesSignedInputIntoBothRanges)
{
    V a = lanes<i16>(300, -300, 127, -128, 0, 1, -1, 128);
    V b = lanes<i16>(255, 256, -129, 32767, -32768, 5, -5, 2);
    EXPECT_EQ(run(Opcode::I8x16NarrowI16x8S, a, b),
        lanes<i8>(127, -128, 127, -128, 0, 1, -1, 127, 127, 127, -128, 127, -128, 5, -5, 2));
    EXPECT_EQ(run(Opcode::I8x16NarrowI16x8U, a, b),
        lanes<u8>(255, 0, 127, 0, 0, 1, 0, 128, 255, 255, 0, 255, 0, 5, 0, 2));

    V c = lanes<i32>(70000, -70000, 32767, -32768);
    V d = lanes<i32>(65535, 65536, -1, 40000);
    EXPECT_EQ(run(Opcode::I16x8NarrowI32x4S, c, d), lanes<i16>(32767, -32768, 32767, -32768, 32767, 32767, -1, 32767));
    EXPECT_EQ(run(Opcode::I16x8NarrowI32x4U, c, d), lanes<u16>(65535, 0, 32767, 0, 65535, 65535, 0, 40000));
}

TEST(SimdScalar, ExtendLowAndHighHalves)
{
    V bytes = lanes<u8>(0x80, 0x7f, 0xff, 1, 0, 2, 3, 4, 0xfe, 0x81, 9, 0, 0, 0, 0, 0xff);
    EXPECT_EQ(run(Opcode::I16x8ExtendLowI8x16S, bytes), lanes<i16>(-128, 127, -1, 1, 0, 2, 3, 4));
    EXPECT_EQ(run(Opcode::I16x8ExtendHighI8x16S, bytes), lanes<i16>(-2, -127, 9, 0, 0, 0, 0, -1));
    EXPECT_EQ(run(Opcode::I16x8ExtendLowI8x16U, bytes), lanes<u16>(0x80, 0x7f, 0xff, 1, 0, 2, 3, 4));
    EXPECT_EQ(run(Opcode::I16x8ExtendHighI8x16U, bytes), lanes<u16>(0xfe, 0x81, 9, 0, 0, 0, 0, 0xff));

    V halves = lanes<u16>(0x8000, 2, 0x7fff, 0xffff, 0xfffe, 5, 0x8001, 0);
    EXPECT_EQ(run(Opcode::I32x4ExtendLowI16x8S, halves), lanes<i32>(-32768, 2, 32767, -1));
    EXPECT_EQ(run(Opcode::I32x4ExtendHighI16x8S, halves), lanes<i32>(-2, 5, -32767, 0));
    EXPECT_EQ(run(Opcode::I32x4ExtendLowI16x8U, halves), lanes<u32>(0x8000, 2, 0x7fff, 0xffff));
    EXPECT_EQ(run(Opcode::I32x4ExtendHighI16x8U, halves), lanes<u32>(0xfffe, 5, 0x8001, 0));

    V words = lanes<u32>(0xffffffffu, 7, 0x80000000u, 0x7fffffff);
    EXPECT_EQ(run(Opcode::I64x2ExtendLowI32x4S, words), lanes<u64>(~0ull, 7));
    EXPECT_EQ(run(Opcode::I64x2ExtendHighI32x4S, words), lanes<u64>(0xffffffff80000000ull, 0x7fffffff));
    EXPECT_EQ(run(Opcode::I64x2ExtendLowI32x4U, words), lanes<u64>(0xffffffffull, 7));
    EXPECT_EQ(run(Opcode::I64x2ExtendHighI32x4U, words), lanes<u64>(0x80000000ull, 0x7fffffff));
}

TEST(SimdScalar, ExtaddPairwiseWidensBeforeAdding)
{
    V bytes = lanes<u8>(0x80, 0x80, 0xff, 0xff, 1, 2, 0x7f, 0x7f, 0xff, 1, 0, 0, 0, 0, 0, 0);
    EXPECT_EQ(run(Opcode::I16x8ExtaddPairwiseI8x16S, bytes), lanes<i16>(-256, -2, 3, 254, 0, 0, 0, 0));
    EXPECT_EQ(run(Opcode::I16x8ExtaddPairwiseI8x16U, bytes), lanes<u16>(256, 510, 3, 254, 256, 0, 0, 0));
    V halves = lanes<u16>(0x8000, 0x8000, 0xffff, 0xffff, 1, 2, 0x7fff, 0x7fff);
    EXPECT_EQ(run(Opcode::I32x4ExtaddPairwiseI16x8S, halves), lanes<i32>(-65536, -2, 3, 65534));
    EXPECT_EQ(run(Opcode::I32x4ExtaddPairwiseI16x8U, halves), lanes<u32>(65536, 131070, 3, 65534));
}

TEST(SimdScalar, ExtmulLowAndHighProductsAreExact)
{
    V a = lanes<u8>(0x80, 0xff, 3, 0, 0, 0, 0, 0x7f, /* high */ 0xff, 0x80, 2, 0, 0, 0, 0, 0x10);
    V b = lanes<u8>(0x80, 0xff, 0xfe, 0, 0, 0, 0, 0x7f, /* high */ 0xff, 0x7f, 0xff, 0, 0, 0, 0, 0x10);
    EXPECT_EQ(run(Opcode::I16x8ExtmulLowI8x16S, a, b), lanes<i16>(16384, 1, -6, 0, 0, 0, 0, 16129));
    EXPECT_EQ(run(Opcode::I16x8ExtmulLowI8x16U, a, b), lanes<u16>(16384, 65025, 762, 0, 0, 0, 0, 16129));
    EXPECT_EQ(run(Opcode::I16x8ExtmulHighI8x16S, a, b), lanes<i16>(1, -16256, -2, 0, 0, 0, 0, 256));
    EXPECT_EQ(run(Opcode::I16x8ExtmulHighI8x16U, a, b), lanes<u16>(65025, 16256, 510, 0, 0, 0, 0, 256));

    V c = lanes<u16>(0x8000, 0xffff, 3, 0, /* high */ 0xffff, 0x8000, 0x7fff, 2);
    V d = lanes<u16>(0x8000, 0xffff, 0xfffe, 0, /* high */ 0xffff, 0x7fff, 0x7fff, 0xffff);
    EXPECT_EQ(run(Opcode::I32x4ExtmulLowI16x8S, c, d), lanes<i32>(0x40000000, 1, -6, 0));
    EXPECT_EQ(run(Opcode::I32x4ExtmulLowI16x8U, c, d), lanes<u32>(0x40000000u, 0xfffe0001u, 196602, 0));
    EXPECT_EQ(run(Opcode::I32x4ExtmulHighI16x8S, c, d), lanes<i32>(1, -1073709056, 1073676289, -2));
    EXPECT_EQ(run(Opcode::I32x4ExtmulHighI16x8U, c, d), lanes<u32>(0xfffe0001u, 1073709056, 1073676289, 131070));

    V e = lanes<u32>(0x80000000u, 0xffffffffu, 0xffffffffu, 3);
    V f = lanes<u32>(0x80000000u, 0xffffffffu, 2, 0xfffffffbu);
    EXPECT_EQ(run(Opcode::I64x2ExtmulLowI32x4S, e, f), lanes<u64>(0x4000000000000000ull, 1));
    EXPECT_EQ(run(Opcode::I64x2ExtmulLowI32x4U, e, f), lanes<u64>(0x4000000000000000ull, 0xfffffffe00000001ull));
    EXPECT_EQ(run(Opcode::I64x2ExtmulHighI32x4S, e, f), lanes<u64>(u64(-2ll), u64(-15ll)));
    EXPECT_EQ(run(Opcode::I64x2ExtmulHighI32x4U, e, f), lanes<u64>(0x1fffffffeull, 0x2fffffff1ull));
}

TEST(SimdScalar, DotSumsPairsAndWrapsAtTwoToThe31)
{
    V a = lanes<i16>(1, 3, -32768, -32768, -1, 2, 32767, -32768);
    V b = lanes<i16>(2, 4, -32768, -32768, 5, -3, 32767, -32768);
    // (-32768)^2 * 2 = 2^31 wraps to INT_MIN; 32767^2 + 2^30 = 2147418113.
    EXPECT_EQ(run(Opcode::I32x4DotI16x8S, a, b), lanes<i32>(14, -2147483647 - 1, -11, 2147418113));
}

TEST(SimdScalar, Q15MulrRoundsAndSaturatesMinTimesMin)
{
    V a = lanes<i16>(-32768, 1, -1, 16384, -32768, 3, 32767, -32768);
    V b = lanes<i16>(-32768, 16384, 16384, 16384, 32767, -5, 32767, 1);
    V expected = lanes<i16>(32767, 1, 0, 8192, -32767, 0, 32766, -1);
    EXPECT_EQ(run(Opcode::I16x8Q15mulrSatS, a, b), expected);
    EXPECT_EQ(run(Opcode::I16x8RelaxedQ15mulrS, a, b), expected);
}

// §4.4.3 shuffle, swizzle, splat, lanes.

TEST(SimdScalar, ShufflePicksFromBothOperands)
{
    V a = iota(0x00);
    V b = iota(0x10);
    // Indices 0..15 pick a, 16..31 pick b; with these operands the result
    // byte equals its index.
    u8 indices[16] = { 0, 31, 16, 15, 1, 17, 8, 24, 30, 2, 3, 19, 14, 20, 7, 0 };
    u64 low = 0, high = 0;
    for (int i = 7; i >= 0; --i) {
        low = (low << 8) | indices[i];
        high = (high << 8) | indices[8 + i];
    }
    V expected;
    memcpy(expected.data(), indices, 16);
    EXPECT_EQ(run(Opcode::I8x16Shuffle, a, b, {}, low, high), expected);

    // dst aliasing an operand: the result is built before it is stored.
    V alias = b;
    k23_simd_scalar(u32(Opcode::I8x16Shuffle), alias.data(), a.data(), alias.data(), nullptr, low, high);
    EXPECT_EQ(alias, expected);
}

TEST(SimdScalar, SwizzleOutOfRangeIndexGivesZero)
{
    V a = iota(0x40);
    V s = lanes<u8>(0, 15, 16, 255, 3, 0x80, 17, 1, 2, 2, 14, 0x10, 9, 8, 7, 31);
    V expected = lanes<u8>(0x40, 0x4f, 0, 0, 0x43, 0, 0, 0x41, 0x42, 0x42, 0x4e, 0, 0x49, 0x48, 0x47, 0);
    EXPECT_EQ(run(Opcode::I8x16Swizzle, a, s), expected);
    EXPECT_EQ(run(Opcode::I8x16RelaxedSwizzle, a, s), expected);

    V alias = a;
    k23_simd_scalar(u32(Opcode::I8x16Swizzle), alias.data(), alias.data(), s.data(), nullptr, 0, 0);
    EXPECT_EQ(alias, expected);
}

TEST(SimdScalar, SplatTakesTheLowBitsOfTheScalar)
{
    EXPECT_EQ(run(Opcode::I8x16Splat, {}, {}, {}, 0xffffffffffffff80ull), splat_of<u8>(0x80));
    EXPECT_EQ(run(Opcode::I8x16Splat, {}, {}, {}, 0x1ab), splat_of<u8>(0xab));
    EXPECT_EQ(run(Opcode::I16x8Splat, {}, {}, {}, 0xffffffffffff8001ull), splat_of<u16>(0x8001));
    EXPECT_EQ(run(Opcode::I32x4Splat, {}, {}, {}, 0xffffffff80000001ull), splat_of<u32>(0x80000001u));
    EXPECT_EQ(run(Opcode::I64x2Splat, {}, {}, {}, 0x0123456789abcdefull), splat_of<u64>(0x0123456789abcdefull));
    EXPECT_EQ(run(Opcode::F32x4Splat, {}, {}, {}, 0x7fa00001u), splat_of<u32>(0x7fa00001u));
    EXPECT_EQ(run(Opcode::F64x2Splat, {}, {}, {}, 0xfff0000000000001ull), splat_of<u64>(0xfff0000000000001ull));
}

TEST(SimdScalar, ExtractLaneExtendsAsTheOpcodeSays)
{
    V v = lanes<u8>(0, 1, 2, 0x80, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 0xfe, 0x7f);
    EXPECT_EQ(scalar(Opcode::I8x16ExtractLaneS, v, 3), 0xffffffffffffff80ull);
    EXPECT_EQ(scalar(Opcode::I8x16ExtractLaneU, v, 3), 0x80u);
    EXPECT_EQ(scalar(Opcode::I8x16ExtractLaneS, v, 15), 0x7fu);
    EXPECT_EQ(scalar(Opcode::I8x16ExtractLaneU, v, 14), 0xfeu);

    V h = lanes<u16>(1, 0x8000, 3, 4, 5, 6, 7, 0x7fff);
    EXPECT_EQ(scalar(Opcode::I16x8ExtractLaneS, h, 1), 0xffffffffffff8000ull);
    EXPECT_EQ(scalar(Opcode::I16x8ExtractLaneU, h, 1), 0x8000u);
    EXPECT_EQ(scalar(Opcode::I16x8ExtractLaneS, h, 7), 0x7fffu);

    // An i32 result is sign-extended to 64 bits; f32 bits are not.
    V w = lanes<u32>(1, 0x80000000u, 0xbf800000u, 4);
    EXPECT_EQ(scalar(Opcode::I32x4ExtractLane, w, 1), 0xffffffff80000000ull);
    EXPECT_EQ(scalar(Opcode::I32x4ExtractLane, w, 3), 4u);
    EXPECT_EQ(scalar(Opcode::F32x4ExtractLane, w, 2), 0x00000000bf800000ull);

    V d = lanes<u64>(0x8000000000000001ull, 0xfff8000000000001ull);
    EXPECT_EQ(scalar(Opcode::I64x2ExtractLane, d, 0), 0x8000000000000001ull);
    EXPECT_EQ(scalar(Opcode::F64x2ExtractLane, d, 1), 0xfff8000000000001ull);
}

TEST(SimdScalar, ReplaceLaneChangesOnlyThatLane)
{
    V v = iota(0);
    EXPECT_EQ(run(Opcode::I8x16ReplaceLane, v, {}, {}, 5, 0x1ab), lanes<u8>(0, 1, 2, 3, 4, 0xab, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15));
    EXPECT_EQ(run(Opcode::I16x8ReplaceLane, v, {}, {}, 7, 0xffffffffffff8001ull),
        lanes<u16>(0x0100, 0x0302, 0x0504, 0x0706, 0x0908, 0x0b0a, 0x0d0c, 0x8001));
    EXPECT_EQ(run(Opcode::I32x4ReplaceLane, v, {}, {}, 0, 0xffffffffdeadbeefull), lanes<u32>(0xdeadbeefu, 0x07060504, 0x0b0a0908, 0x0f0e0d0c));
    EXPECT_EQ(run(Opcode::F32x4ReplaceLane, v, {}, {}, 2, 0x7f800001u), lanes<u32>(0x03020100, 0x07060504, 0x7f800001u, 0x0f0e0d0c));
    EXPECT_EQ(run(Opcode::I64x2ReplaceLane, v, {}, {}, 1, 0x8000000000000000ull), lanes<u64>(0x0706050403020100ull, 0x8000000000000000ull));
    EXPECT_EQ(run(Opcode::F64x2ReplaceLane, v, {}, {}, 0, 0xfff0000000000001ull), lanes<u64>(0xfff0000000000001ull, 0x0f0e0d0c0b0a0908ull));
}

// §4.3.3 float arithmetic.

TEST(SimdScalar, FloatArithmeticRoundsToEvenAndCanonicalisesNaN)
{
    // 1 + 2^-24 is a tie: to even gives 1; 1 + 3*2^-24 ties up to 1 + 2^-22.
    EXPECT_EQ(run(Opcode::F32x4Add, lanes<u32>(fb(1.5f), 0x7f800000u, 0x7fa00001u, fb(1.0f)), lanes<u32>(fb(2.25f), 0xff800000u, fb(1.0f), 0x33800000u)),
        lanes<u32>(fb(3.75f), f32_nan, f32_nan, fb(1.0f)));
    EXPECT_EQ(run(Opcode::F32x4Add, splat_of<u32>(fb(1.0f)), splat_of<u32>(0x34400000u)), splat_of<u32>(0x3f800002u));
    EXPECT_EQ(run(Opcode::F32x4Sub, lanes<u32>(fb(1.0f), 0x7f800000u, fb(0.0f), 0xffc00001u), lanes<u32>(fb(3.0f), 0x7f800000u, fb(0.0f), fb(0.0f))),
        lanes<u32>(fb(-2.0f), f32_nan, fb(0.0f), f32_nan));
    EXPECT_EQ(run(Opcode::F32x4Mul, lanes<u32>(fb(1.5f), fb(0.0f), fb(-2.0f), fb(-0.0f)), lanes<u32>(fb(-4.0f), 0x7f800000u, fb(3.0f), fb(5.0f))),
        lanes<u32>(fb(-6.0f), f32_nan, fb(-6.0f), fb(-0.0f)));
    EXPECT_EQ(run(Opcode::F32x4Div, lanes<u32>(fb(1.0f), fb(-1.0f), fb(0.0f), fb(9.0f)), lanes<u32>(fb(0.0f), fb(0.0f), fb(0.0f), fb(-4.0f))),
        lanes<u32>(0x7f800000u, 0xff800000u, f32_nan, fb(-2.25f)));

    EXPECT_EQ(run(Opcode::F64x2Add, lanes<u64>(db(0.5), 0x7ff0000000000001ull), lanes<u64>(db(0.25), db(1.0))), lanes<u64>(db(0.75), f64_nan));
    EXPECT_EQ(run(Opcode::F64x2Sub, lanes<u64>(0xfff0000000000000ull, db(1.0)), lanes<u64>(0xfff0000000000000ull, db(0.5))), lanes<u64>(f64_nan, db(0.5)));
    EXPECT_EQ(run(Opcode::F64x2Mul, lanes<u64>(db(1e200), db(-3.0)), lanes<u64>(db(1e200), db(0.5))), lanes<u64>(0x7ff0000000000000ull, db(-1.5)));
    EXPECT_EQ(run(Opcode::F64x2Div, lanes<u64>(0x7ff0000000000000ull, db(1.0)), lanes<u64>(0x7ff0000000000000ull, db(-8.0))), lanes<u64>(f64_nan, db(-0.125)));
}

TEST(SimdScalar, SqrtOfNegativeIsCanonicalNaNAndMinusZeroStays)
{
    EXPECT_EQ(run(Opcode::F32x4Sqrt, lanes<u32>(fb(4.0f), fb(2.0f), fb(-1.0f), fb(-0.0f))), lanes<u32>(fb(2.0f), 0x3fb504f3u, f32_nan, fb(-0.0f)));
    EXPECT_EQ(run(Opcode::F32x4Sqrt, lanes<u32>(0x7f800000u, 0x7fa00001u, 0xff800000u, fb(0.25f))), lanes<u32>(0x7f800000u, f32_nan, f32_nan, fb(0.5f)));
    EXPECT_EQ(run(Opcode::F64x2Sqrt, lanes<u64>(db(2.0), db(-4.0))), lanes<u64>(0x3ff6a09e667f3bcdull, f64_nan));
    EXPECT_EQ(run(Opcode::F64x2Sqrt, lanes<u64>(db(-0.0), db(9.0))), lanes<u64>(db(-0.0), db(3.0)));
}

TEST(SimdScalar, MinMaxPropagateNaNAndOrderSignedZeros)
{
    V a = lanes<u32>(fb(-0.0f), fb(0.0f), 0x7fa00001u, fb(1.0f));
    V b = lanes<u32>(fb(0.0f), fb(-0.0f), fb(1.0f), 0xffc00001u);
    for (Opcode op : { Opcode::F32x4Min, Opcode::F32x4RelaxedMin })
        EXPECT_EQ(run(op, a, b), lanes<u32>(fb(-0.0f), fb(-0.0f), f32_nan, f32_nan));
    for (Opcode op : { Opcode::F32x4Max, Opcode::F32x4RelaxedMax })
        EXPECT_EQ(run(op, a, b), lanes<u32>(fb(0.0f), fb(0.0f), f32_nan, f32_nan));
    EXPECT_EQ(run(Opcode::F32x4Min, lanes<u32>(fb(1.0f), fb(-3.0f), 0xff800000u, 0), lanes<u32>(fb(2.0f), fb(-2.0f), fb(0.0f), 0)),
        lanes<u32>(fb(1.0f), fb(-3.0f), 0xff800000u, 0));
    EXPECT_EQ(run(Opcode::F32x4Max, lanes<u32>(fb(1.0f), fb(-3.0f), 0xff800000u, 0), lanes<u32>(fb(2.0f), fb(-2.0f), fb(0.0f), 0)),
        lanes<u32>(fb(2.0f), fb(-2.0f), fb(0.0f), 0));

    V c = lanes<u64>(db(-0.0), 0x7ff0000000000001ull);
    V d = lanes<u64>(db(0.0), db(5.0));
    for (Opcode op : { Opcode::F64x2Min, Opcode::F64x2RelaxedMin })
        EXPECT_EQ(run(op, c, d), lanes<u64>(db(-0.0), f64_nan));
    for (Opcode op : { Opcode::F64x2Max, Opcode::F64x2RelaxedMax })
        EXPECT_EQ(run(op, d, c), lanes<u64>(db(0.0), f64_nan));
    EXPECT_EQ(run(Opcode::F64x2Min, lanes<u64>(db(7.0), db(-1.0)), lanes<u64>(db(6.0), db(1.0))), lanes<u64>(db(6.0), db(-1.0)));
    EXPECT_EQ(run(Opcode::F64x2Max, lanes<u64>(db(7.0), db(-1.0)), lanes<u64>(db(6.0), db(1.0))), lanes<u64>(db(7.0), db(1.0)));
}

TEST(SimdScalar, PminPmaxReturnTheExactOperand)
{
    // pmin = b < a ? b : a; pmax = a < b ? b : a; NaN compares false.
    V a = lanes<u32>(0x7fa00000u, fb(1.0f), fb(0.0f), fb(2.0f));
    V b = lanes<u32>(fb(1.0f), 0xffc00001u, fb(-0.0f), fb(1.0f));
    EXPECT_EQ(run(Opcode::F32x4Pmin, a, b), lanes<u32>(0x7fa00000u, fb(1.0f), fb(0.0f), fb(1.0f)));
    EXPECT_EQ(run(Opcode::F32x4Pmax, a, b), lanes<u32>(0x7fa00000u, fb(1.0f), fb(0.0f), fb(2.0f)));
    EXPECT_EQ(run(Opcode::F32x4Pmax, b, a), lanes<u32>(fb(1.0f), 0xffc00001u, fb(-0.0f), fb(2.0f)));

    V c = lanes<u64>(db(-0.0), 0x7ff0000000000001ull);
    V d = lanes<u64>(db(0.0), db(3.0));
    EXPECT_EQ(run(Opcode::F64x2Pmin, c, d), lanes<u64>(db(-0.0), 0x7ff0000000000001ull));
    EXPECT_EQ(run(Opcode::F64x2Pmax, c, d), lanes<u64>(db(-0.0), 0x7ff0000000000001ull));
    EXPECT_EQ(run(Opcode::F64x2Pmin, lanes<u64>(db(3.0), db(-5.0)), lanes<u64>(db(2.0), db(-4.0))), lanes<u64>(db(2.0), db(-5.0)));
    EXPECT_EQ(run(Opcode::F64x2Pmax, lanes<u64>(db(3.0), db(-5.0)), lanes<u64>(db(2.0), db(-4.0))), lanes<u64>(db(3.0), db(-4.0)));
}

TEST(SimdScalar, AbsNegFlipOnlyTheSignBitKeepingPayloads)
{
    V a = lanes<u32>(0xffc00001u, 0x7f800001u, fb(0.0f), fb(-2.5f));
    EXPECT_EQ(run(Opcode::F32x4Abs, a), lanes<u32>(0x7fc00001u, 0x7f800001u, fb(0.0f), fb(2.5f)));
    EXPECT_EQ(run(Opcode::F32x4Neg, a), lanes<u32>(0x7fc00001u, 0xff800001u, fb(-0.0f), fb(2.5f)));
    V d = lanes<u64>(0xfff0000000000001ull, db(-0.0));
    EXPECT_EQ(run(Opcode::F64x2Abs, d), lanes<u64>(0x7ff0000000000001ull, db(0.0)));
    EXPECT_EQ(run(Opcode::F64x2Neg, d), lanes<u64>(0x7ff0000000000001ull, db(0.0)));
}

// §4.3.3 fceil / ffloor / ftrunc / fnearest.

TEST(SimdScalar, NearestRoundsHalfToEvenAndKeepsSign)
{
    EXPECT_EQ(run(Opcode::F32x4Nearest, lanes<u32>(fb(0.5f), fb(1.5f), fb(2.5f), fb(-0.5f))), lanes<u32>(fb(0.0f), fb(2.0f), fb(2.0f), fb(-0.0f)));
    EXPECT_EQ(run(Opcode::F32x4Nearest, lanes<u32>(fb(-1.5f), fb(3.5f), fb(2.4f), fb(-2.6f))), lanes<u32>(fb(-2.0f), fb(4.0f), fb(2.0f), fb(-3.0f)));
    // Just below 0.5, and 2^23 - 0.5 (ties to the even 2^23).
    EXPECT_EQ(run(Opcode::F32x4Nearest, lanes<u32>(0x3effffffu, fb(8388607.5f), fb(-0.0f), fb(16777216.0f))), lanes<u32>(fb(0.0f), fb(8388608.0f), fb(-0.0f), fb(16777216.0f)));
    EXPECT_EQ(run(Opcode::F64x2Nearest, lanes<u64>(db(0.5), db(-2.5))), lanes<u64>(db(0.0), db(-2.0)));
    EXPECT_EQ(run(Opcode::F64x2Nearest, lanes<u64>(db(0.49999999999999994), db(4503599627370495.5))), lanes<u64>(db(0.0), db(4503599627370496.0)));
    EXPECT_EQ(run(Opcode::F64x2Nearest, lanes<u64>(db(-0.5), db(1.5))), lanes<u64>(db(-0.0), db(2.0)));
}

TEST(SimdScalar, CeilFloorTruncGiveSignedZeros)
{
    V v = lanes<u32>(fb(1.5f), fb(-1.5f), fb(-0.5f), fb(0.5f));
    EXPECT_EQ(run(Opcode::F32x4Ceil, v), lanes<u32>(fb(2.0f), fb(-1.0f), fb(-0.0f), fb(1.0f)));
    EXPECT_EQ(run(Opcode::F32x4Floor, v), lanes<u32>(fb(1.0f), fb(-2.0f), fb(-1.0f), fb(0.0f)));
    EXPECT_EQ(run(Opcode::F32x4Trunc, v), lanes<u32>(fb(1.0f), fb(-1.0f), fb(-0.0f), fb(0.0f)));
    V edge = lanes<u32>(0x7fa00001u, 0xff800000u, fb(8388607.5f), fb(-8388607.5f));
    EXPECT_EQ(run(Opcode::F32x4Ceil, edge), lanes<u32>(f32_nan, 0xff800000u, fb(8388608.0f), fb(-8388607.0f)));
    EXPECT_EQ(run(Opcode::F32x4Floor, edge), lanes<u32>(f32_nan, 0xff800000u, fb(8388607.0f), fb(-8388608.0f)));
    EXPECT_EQ(run(Opcode::F32x4Trunc, edge), lanes<u32>(f32_nan, 0xff800000u, fb(8388607.0f), fb(-8388607.0f)));

    V d = lanes<u64>(db(-0.25), db(2.75));
    EXPECT_EQ(run(Opcode::F64x2Ceil, d), lanes<u64>(db(-0.0), db(3.0)));
    EXPECT_EQ(run(Opcode::F64x2Floor, d), lanes<u64>(db(-1.0), db(2.0)));
    EXPECT_EQ(run(Opcode::F64x2Trunc, d), lanes<u64>(db(-0.0), db(2.0)));
    V big = lanes<u64>(db(1e300), 0xfff0000000000001ull);
    EXPECT_EQ(run(Opcode::F64x2Ceil, big), lanes<u64>(db(1e300), f64_nan));
    EXPECT_EQ(run(Opcode::F64x2Floor, lanes<u64>(db(4503599627370495.5), db(-4503599627370495.5))), lanes<u64>(db(4503599627370495.0), db(-4503599627370496.0)));
}

// §4.3.3 trunc_sat, convert, demote, promote.

TEST(SimdScalar, TruncSatF32MapsNaNToZeroAndSaturates)
{
    // 2^31 = 0x4f000000, -2^31 = 0xcf000000.
    V s = lanes<u32>(f32_nan, 0x7f800000u, 0xff800000u, 0x4f000000u);
    V expected_s = lanes<u32>(0, 0x7fffffffu, 0x80000000u, 0x7fffffffu);
    EXPECT_EQ(run(Opcode::I32x4TruncSatF32x4S, s), expected_s);
    EXPECT_EQ(run(Opcode::I32x4RelaxedTruncF32x4S, s), expected_s);
    EXPECT_EQ(run(Opcode::I32x4TruncSatF32x4S, lanes<u32>(0xcf000000u, fb(-1.9f), fb(2.9f), 0xd0000000u)), lanes<i32>(-2147483647 - 1, -1, 2, -2147483647 - 1));

    // 2^32 = 0x4f800000; 0x4f7fffff = 4294967040.
    V u = lanes<u32>(f32_nan, fb(-0.9f), 0x4f800000u, 0x4f7fffffu);
    V expected_u = lanes<u32>(0, 0, 0xffffffffu, 0xffffff00u);
    EXPECT_EQ(run(Opcode::I32x4TruncSatF32x4U, u), expected_u);
    EXPECT_EQ(run(Opcode::I32x4RelaxedTruncF32x4U, u), expected_u);
    EXPECT_EQ(run(Opcode::I32x4TruncSatF32x4U, lanes<u32>(0xff800000u, 0x7f800000u, fb(-5.0f), 0x4f000000u)), lanes<u32>(0, 0xffffffffu, 0, 0x80000000u));
}

TEST(SimdScalar, TruncSatF64ZeroFormsClearTheHighLanes)
{
    V s = lanes<u64>(db(2147483647.9), db(-2147483648.9));
    EXPECT_EQ(run(Opcode::I32x4TruncSatF64x2SZero, s), lanes<u32>(0x7fffffffu, 0x80000000u, 0, 0));
    EXPECT_EQ(run(Opcode::I32x4RelaxedTruncF64x2SZero, s), lanes<u32>(0x7fffffffu, 0x80000000u, 0, 0));
    EXPECT_EQ(run(Opcode::I32x4TruncSatF64x2SZero, lanes<u64>(f64_nan, db(2147483648.0))), lanes<u32>(0, 0x7fffffffu, 0, 0));
    EXPECT_EQ(run(Opcode::I32x4TruncSatF64x2SZero, lanes<u64>(db(-2147483649.0), db(-7.5))), lanes<i32>(-2147483647 - 1, -7, 0, 0));

    V u = lanes<u64>(db(4294967295.5), db(-0.5));
    EXPECT_EQ(run(Opcode::I32x4TruncSatF64x2UZero, u), lanes<u32>(0xffffffffu, 0, 0, 0));
    EXPECT_EQ(run(Opcode::I32x4RelaxedTruncF64x2UZero, u), lanes<u32>(0xffffffffu, 0, 0, 0));
    EXPECT_EQ(run(Opcode::I32x4TruncSatF64x2UZero, lanes<u64>(0xfff8000000000001ull, db(1e300))), lanes<u32>(0, 0xffffffffu, 0, 0));
    EXPECT_EQ(run(Opcode::I32x4TruncSatF64x2UZero, lanes<u64>(db(-1e300), db(4294967296.0))), lanes<u32>(0, 0xffffffffu, 0, 0));
}

TEST(SimdScalar, ConvertRoundsToNearestEven)
{
    // 2^24 + 1 ties to 2^24.
    EXPECT_EQ(run(Opcode::F32x4ConvertI32x4S, lanes<i32>(-1, 16777217, -2147483647 - 1, 3)),
        lanes<u32>(0xbf800000u, 0x4b800000u, 0xcf000000u, fb(3.0f)));
    // 0xffffffff rounds up to 2^32.
    EXPECT_EQ(run(Opcode::F32x4ConvertI32x4U, lanes<u32>(0xffffffffu, 0x80000000u, 16777217, 0)),
        lanes<u32>(0x4f800000u, 0x4f000000u, 0x4b800000u, 0));
    EXPECT_EQ(run(Opcode::F64x2ConvertLowI32x4S, lanes<i32>(-1, -2147483647 - 1, 5, 6)), lanes<u64>(db(-1.0), db(-2147483648.0)));
    EXPECT_EQ(run(Opcode::F64x2ConvertLowI32x4U, lanes<u32>(0xffffffffu, 0x80000000u, 5, 6)), lanes<u64>(0x41efffffffe00000ull, db(2147483648.0)));
}

TEST(SimdScalar, DemoteZeroesHighLanesAndPromoteReadsLowLanes)
{
    // 1 + 2^-24 in f64 ties to 1.0f; 1e300 overflows to +inf.
    EXPECT_EQ(run(Opcode::F32x4DemoteF64x2Zero, lanes<u64>(0x3ff0000010000000ull, db(1e300))), lanes<u32>(fb(1.0f), 0x7f800000u, 0, 0));
    // 1 + 3 * 2^-24 ties to the even 1 + 2^-22; 1 + 2^-28 rounds down.
    EXPECT_EQ(run(Opcode::F32x4DemoteF64x2Zero, lanes<u64>(0x3ff0000030000000ull, 0x3ff0000001000000ull)), lanes<u32>(0x3f800002u, fb(1.0f), 0, 0));
    EXPECT_EQ(run(Opcode::F32x4DemoteF64x2Zero, lanes<u64>(0x7ff0000000000001ull, db(-0.0))), lanes<u32>(f32_nan, 0x80000000u, 0, 0));
    EXPECT_EQ(run(Opcode::F32x4DemoteF64x2Zero, lanes<u64>(db(-1.5), db(1e-300))), lanes<u32>(fb(-1.5f), 0, 0, 0));

    EXPECT_EQ(run(Opcode::F64x2PromoteLowF32x4, lanes<u32>(fb(1.5f), 0x7f800001u, fb(7.0f), fb(8.0f))), lanes<u64>(0x3ff8000000000000ull, f64_nan));
    EXPECT_EQ(run(Opcode::F64x2PromoteLowF32x4, lanes<u32>(0xff800000u, 0x00000001u, 0, 0)), lanes<u64>(0xfff0000000000000ull, 0x36a0000000000000ull));
}

// §4.4.7 memory forms: unaligned host pointers.

TEST(SimdScalar, LoadsReadUnalignedMemory)
{
    u8 memory[40];
    for (usize i = 0; i < sizeof(memory); ++i)
        memory[i] = u8(0x80 + i);
    const u8* p = memory + 3; // bytes 0x83, 0x84, ...
    auto load = [&](Opcode op) {
        V dst;
        dst.fill(0xcc);
        EXPECT_EQ(k23_simd_scalar(u32(op), dst.data(), p, nullptr, nullptr, 0, 0), 0u);
        return dst;
    };
    EXPECT_EQ(load(Opcode::V128Load), iota(0x83));
    EXPECT_EQ(load(Opcode::V128Load8x8S), lanes<i16>(-125, -124, -123, -122, -121, -120, -119, -118));
    EXPECT_EQ(load(Opcode::V128Load8x8U), lanes<u16>(0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x89, 0x8a));
    EXPECT_EQ(load(Opcode::V128Load16x4S), lanes<u32>(0xffff8483u, 0xffff8685u, 0xffff8887u, 0xffff8a89u));
    EXPECT_EQ(load(Opcode::V128Load16x4U), lanes<u32>(0x8483, 0x8685, 0x8887, 0x8a89));
    EXPECT_EQ(load(Opcode::V128Load32x2S), lanes<u64>(0xffffffff86858483ull, 0xffffffff8a898887ull));
    EXPECT_EQ(load(Opcode::V128Load32x2U), lanes<u64>(0x86858483ull, 0x8a898887ull));
    EXPECT_EQ(load(Opcode::V128Load8Splat), splat_of<u8>(0x83));
    EXPECT_EQ(load(Opcode::V128Load16Splat), splat_of<u16>(0x8483));
    EXPECT_EQ(load(Opcode::V128Load32Splat), splat_of<u32>(0x86858483u));
    EXPECT_EQ(load(Opcode::V128Load64Splat), splat_of<u64>(0x8a89888786858483ull));
    EXPECT_EQ(load(Opcode::V128Load32Zero), lanes<u32>(0x86858483u, 0, 0, 0));
    EXPECT_EQ(load(Opcode::V128Load64Zero), lanes<u64>(0x8a89888786858483ull, 0));
}

TEST(SimdScalar, LoadLaneReplacesOneLaneOfTheVector)
{
    u8 memory[12] = { 0, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0, 0 };
    const u8* p = memory + 1;
    V v = iota(0);
    auto load_lane = [&](Opcode op, u64 lane) {
        V dst;
        dst.fill(0xcc);
        EXPECT_EQ(k23_simd_scalar(u32(op), dst.data(), p, v.data(), nullptr, lane, 0), 0u);
        return dst;
    };
    EXPECT_EQ(load_lane(Opcode::V128Load8Lane, 15), lanes<u8>(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 0x11));
    EXPECT_EQ(load_lane(Opcode::V128Load16Lane, 1), lanes<u8>(0, 1, 0x11, 0x22, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15));
    EXPECT_EQ(load_lane(Opcode::V128Load32Lane, 3), lanes<u8>(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 0x11, 0x22, 0x33, 0x44));
    EXPECT_EQ(load_lane(Opcode::V128Load64Lane, 0), lanes<u8>(0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 8, 9, 10, 11, 12, 13, 14, 15));

    // The result may replace the vector operand in place.
    V alias = v;
    k23_simd_scalar(u32(Opcode::V128Load32Lane), alias.data(), p, alias.data(), nullptr, 0, 0);
    EXPECT_EQ(alias, lanes<u8>(0x11, 0x22, 0x33, 0x44, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15));
}

TEST(SimdScalar, StoresWriteOnlyTheAccessedBytes)
{
    V v = iota(0xa0);
    auto store = [&](Opcode op, u64 lane) {
        std::array<u8, 24> memory;
        memory.fill(0xee);
        EXPECT_EQ(k23_simd_scalar(u32(op), memory.data() + 3, v.data(), nullptr, nullptr, lane, 0), 0u);
        return memory;
    };
    auto expect_written = [](const std::array<u8, 24>& memory, std::initializer_list<u8> bytes) {
        std::array<u8, 24> expected;
        expected.fill(0xee);
        usize i = 3;
        for (u8 byte : bytes)
            expected[i++] = byte;
        EXPECT_EQ(memory, expected);
    };
    expect_written(store(Opcode::V128Store8Lane, 9), { 0xa9 });
    expect_written(store(Opcode::V128Store16Lane, 7), { 0xae, 0xaf });
    expect_written(store(Opcode::V128Store32Lane, 2), { 0xa8, 0xa9, 0xaa, 0xab });
    expect_written(store(Opcode::V128Store64Lane, 1), { 0xa8, 0xa9, 0xaa, 0xab, 0xac, 0xad, 0xae, 0xaf });
    expect_written(store(Opcode::V128Store, 0),
        { 0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa8, 0xa9, 0xaa, 0xab, 0xac, 0xad, 0xae, 0xaf });
}

// Relaxed SIMD: the header's choices.

TEST(SimdScalar, RelaxedMaddIsFused)
{
    // (1 + 2^-23)^2 - (1 + 2^-22) = 2^-46 exactly; unfused it would be 0.
    V a = splat_of<u32>(0x3f800001u);
    EXPECT_EQ(run(Opcode::F32x4RelaxedMadd, a, a, splat_of<u32>(0xbf800002u)), splat_of<u32>(0x28800000u));
    // -(a*b) + c with c = 1 + 2^-22 gives -2^-46.
    EXPECT_EQ(run(Opcode::F32x4RelaxedNmadd, a, a, splat_of<u32>(0x3f800002u)), splat_of<u32>(0xa8800000u));
    // (1 + 2^-52)^2 - (1 + 2^-51) = 2^-104.
    V d = splat_of<u64>(0x3ff0000000000001ull);
    EXPECT_EQ(run(Opcode::F64x2RelaxedMadd, d, d, splat_of<u64>(0xbff0000000000002ull)), splat_of<u64>(0x3970000000000000ull));
    EXPECT_EQ(run(Opcode::F64x2RelaxedNmadd, d, d, splat_of<u64>(0x3ff0000000000002ull)), splat_of<u64>(0xb970000000000000ull));
}

TEST(SimdScalar, RelaxedMaddOrdinaryValuesAndNaN)
{
    V a = lanes<u32>(fb(2.0f), 0x7f800000u, fb(1.5f), 0x7fa00001u);
    V b = lanes<u32>(fb(3.0f), fb(0.0f), fb(-2.0f), fb(1.0f));
    V c = lanes<u32>(fb(1.0f), fb(1.0f), fb(0.5f), fb(1.0f));
    EXPECT_EQ(run(Opcode::F32x4RelaxedMadd, a, b, c), lanes<u32>(fb(7.0f), f32_nan, fb(-2.5f), f32_nan));
    EXPECT_EQ(run(Opcode::F32x4RelaxedNmadd, a, b, c), lanes<u32>(fb(-5.0f), f32_nan, fb(3.5f), f32_nan));
    EXPECT_EQ(run(Opcode::F64x2RelaxedMadd, lanes<u64>(db(2.0), db(0.5)), lanes<u64>(db(4.0), db(0.5)), lanes<u64>(db(-1.0), db(0.75))), lanes<u64>(db(7.0), db(1.0)));
    EXPECT_EQ(run(Opcode::F64x2RelaxedNmadd, lanes<u64>(db(2.0), 0x7ff0000000000000ull), lanes<u64>(db(4.0), db(1.0)), lanes<u64>(db(-1.0), 0x7ff0000000000000ull)), lanes<u64>(db(-9.0), f64_nan));
}

TEST(SimdScalar, RelaxedLaneselectIsBitselect)
{
    V a = splat_of<u16>(0x1234);
    V b = splat_of<u16>(0xabcd);
    V m = lanes<u16>(0xff00, 0x00ff, 0xffff, 0, 0xf0f0, 0x0f0f, 0x8001, 0x7ffe);
    V expected = lanes<u16>(0x12cd, 0xab34, 0x1234, 0xabcd, 0x1b3d, 0xa2c4, 0x2bcc, 0x9235);
    for (Opcode op : { Opcode::I8x16RelaxedLaneselect, Opcode::I16x8RelaxedLaneselect, Opcode::I32x4RelaxedLaneselect, Opcode::I64x2RelaxedLaneselect, Opcode::V128Bitselect })
        EXPECT_EQ(run(op, a, b, m), expected);

    // dst aliasing the mask.
    V alias = m;
    k23_simd_scalar(u32(Opcode::I32x4RelaxedLaneselect), alias.data(), a.data(), b.data(), alias.data(), 0, 0);
    EXPECT_EQ(alias, expected);
}

TEST(SimdScalar, RelaxedDotI8x16I7x16TreatsBothOperandsAsSigned)
{
    V a = lanes<i8>(-128, -128, 1, 3, 2, 0, 127, 127, -1, -1, 0, 0, 5, -6, 0, 0);
    V b = lanes<i8>(-128, -128, 2, -4, -1, 9, 127, 127, -1, -1, 0, 0, 7, 7, 0, 0);
    // 2 * 16384 = 32768 wraps to -32768; 0xff is -1, not 255.
    EXPECT_EQ(run(Opcode::I16x8RelaxedDotI8x16I7x16S, a, b), lanes<i16>(-32768, -10, -2, 32258, 2, 0, -7, 0));
}

TEST(SimdScalar, RelaxedDotAddSumsFourProductsPlusAccumulatorWrapping)
{
    V a = lanes<i8>(1, 2, 3, 4, -128, -128, -128, -128, -1, -1, -1, -1, 127, 0, 0, 0);
    V b = lanes<i8>(5, 6, 7, -8, -128, -128, -128, -128, -1, -1, -1, -1, -1, 0, 0, 0);
    V c = lanes<i32>(100, 0x7fffffff, -4, 0);
    // lane 1: 4 * 16384 = 65536 added to INT_MAX wraps to 0x8000ffff.
    EXPECT_EQ(run(Opcode::I32x4RelaxedDotI8x16I7x16AddS, a, b, c), lanes<u32>(106, 0x8000ffffu, 0, u32(-127)));
}

// The rest of the dispatch.

TEST(SimdScalar, V128ConstBuildsFromTheImmediateHalves)
{
    EXPECT_EQ(run(Opcode::V128Const, {}, {}, {}, 0x0706050403020100ull, 0x0f0e0d0c0b0a0908ull), iota(0));
}

TEST(SimdScalar, BinaryOpMayWriteOverItsOperand)
{
    V a = lanes<u32>(1, 2, 3, 4);
    V b = lanes<u32>(10, 20, 30, 40);
    k23_simd_scalar(u32(Opcode::I32x4Sub), b.data(), a.data(), b.data(), nullptr, 0, 0);
    EXPECT_EQ(b, lanes<u32>(u32(-9), u32(-18), u32(-27), u32(-36)));
    k23_simd_scalar(u32(Opcode::I8x16NarrowI16x8S), a.data(), a.data(), a.data(), nullptr, 0, 0);
    EXPECT_EQ(a, lanes<u8>(1, 0, 2, 0, 3, 0, 4, 0, 1, 0, 2, 0, 3, 0, 4, 0));
}

TEST(SimdScalar, NonSimdOpcodeLeavesDstUntouched)
{
    V a = iota(1);
    V dst;
    dst.fill(0x5a);
    V before = dst;
    EXPECT_EQ(k23_simd_scalar(u32(Opcode::I32Add), dst.data(), a.data(), a.data(), a.data(), 1, 2), 0u);
    EXPECT_EQ(k23_simd_scalar(u32(Opcode::Count), dst.data(), a.data(), a.data(), a.data(), 1, 2), 0u);
    EXPECT_EQ(dst, before);
}

} // namespace
