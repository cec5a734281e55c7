// The scalar SIMD helper (jit/SimdScalar.h): every SIMD and relaxed-SIMD
// opcode as plain lane loops. Section numbers are the core spec 2.0
// (§4.3.2 numeric/vector operations, §4.4.3 vector instructions, §4.4.7
// memory instructions) and the relaxed-simd proposal.
//
// Integer lanes are computed in unsigned types wherever the spec wraps, so
// nothing here is signed overflow. Float lanes never leave the result to the
// host FPU's NaN rules: a NaN produced by arithmetic is replaced by the
// canonical NaN; abs, neg and pmin/pmax move bits. Rounding to integral
// (ceil/floor/trunc/nearest) is done by hand and sqrt/fma use the RISC-V
// instructions directly, because the freestanding kernel has no libm for the
// compiler's builtins to fall back on.

#include <base/Memory.h>
#include <jit/SimdScalar.h>
#include <wasm/Opcodes.h>

namespace k23::jit {

namespace {

using wasm::Opcode;

// ---------------------------------------------------------------------------
// Lane types

template<usize Size>
struct IntegersOfSize;
template<>
struct IntegersOfSize<1> {
    using Unsigned = u8;
    using Signed = i8;
};
template<>
struct IntegersOfSize<2> {
    using Unsigned = u16;
    using Signed = i16;
};
template<>
struct IntegersOfSize<4> {
    using Unsigned = u32;
    using Signed = i32;
};
template<>
struct IntegersOfSize<8> {
    using Unsigned = u64;
    using Signed = i64;
};

template<typename T>
using UnsignedOf = typename IntegersOfSize<sizeof(T)>::Unsigned;
template<typename T>
using SignedOf = typename IntegersOfSize<sizeof(T)>::Signed;

template<typename T>
constexpr usize lane_count = 16 / sizeof(T);

template<typename T>
constexpr bool is_signed = T(-1) < T(0);

template<typename T>
constexpr T max_of = is_signed<T> ? T(UnsignedOf<T>(~UnsignedOf<T>(0)) >> 1) : T(~T(0));

template<typename T>
constexpr T min_of = is_signed<T> ? T(-max_of<T> - 1) : T(0);

// Clamps v into T's range (the spec's sat_s / sat_u, §4.3.2).
template<typename T>
T saturate(i64 v) noexcept
{
    if (v < i64(min_of<T>))
        return min_of<T>;
    if (v > i64(max_of<T>))
        return max_of<T>;
    return T(v);
}

// Products of two lanes without the int promotion overflowing (u16 * u16
// does not fit an int).
template<typename T>
UnsignedOf<T> wrapping_mul(T x, T y) noexcept
{
    using Wide = typename IntegersOfSize<(sizeof(T) < 4 ? 4 : sizeof(T))>::Unsigned;
    return UnsignedOf<T>(Wide(UnsignedOf<T>(x)) * Wide(UnsignedOf<T>(y)));
}

// ---------------------------------------------------------------------------
// Lane access: vectors are 16 little-endian bytes; memory operands may be
// unaligned, so every access is a byte copy.

template<typename T>
T lane(const u8* v, usize i) noexcept
{
    T x;
    __builtin_memcpy(&x, v + i * sizeof(T), sizeof(T));
    return x;
}

template<typename T>
void set_lane(u8* v, usize i, T x) noexcept
{
    __builtin_memcpy(v + i * sizeof(T), &x, sizeof(T));
}

template<typename T, typename F>
void unary(u8* r, const u8* a, F f) noexcept
{
    for (usize i = 0; i < lane_count<T>; ++i)
        set_lane<T>(r, i, T(f(lane<T>(a, i))));
}

template<typename T, typename F>
void binary(u8* r, const u8* a, const u8* b, F f) noexcept
{
    for (usize i = 0; i < lane_count<T>; ++i)
        set_lane<T>(r, i, T(f(lane<T>(a, i), lane<T>(b, i))));
}

template<typename T, typename F>
void ternary(u8* r, const u8* a, const u8* b, const u8* c, F f) noexcept
{
    for (usize i = 0; i < lane_count<T>; ++i)
        set_lane<T>(r, i, T(f(lane<T>(a, i), lane<T>(b, i), lane<T>(c, i))));
}

// Comparisons give all ones or all zeros per lane (§4.3.2 "vrelop").
template<typename T, typename F>
void compare(u8* r, const u8* a, const u8* b, F f) noexcept
{
    using U = UnsignedOf<T>;
    for (usize i = 0; i < lane_count<T>; ++i)
        set_lane<U>(r, i, f(lane<T>(a, i), lane<T>(b, i)) ? U(~U(0)) : U(0));
}

struct Eq {
    template<typename T>
    bool operator()(T x, T y) const noexcept { return x == y; }
};
struct Ne {
    template<typename T>
    bool operator()(T x, T y) const noexcept { return x != y; }
};
struct Lt {
    template<typename T>
    bool operator()(T x, T y) const noexcept { return x < y; }
};
struct Gt {
    template<typename T>
    bool operator()(T x, T y) const noexcept { return x > y; }
};
struct Le {
    template<typename T>
    bool operator()(T x, T y) const noexcept { return x <= y; }
};
struct Ge {
    template<typename T>
    bool operator()(T x, T y) const noexcept { return x >= y; }
};

// Narrow lanes widened into Wide lanes: from lane `first` of a on
// (extend_low / extend_high, §4.3.2 "vextend").
template<typename Wide, typename Narrow>
void extend(u8* r, const u8* a, usize first) noexcept
{
    for (usize i = 0; i < lane_count<Wide>; ++i)
        set_lane<Wide>(r, i, Wide(lane<Narrow>(a, first + i)));
}

// extmul: extend both halves, then multiply (the products always fit Wide).
template<typename Wide, typename Narrow>
void extmul(u8* r, const u8* a, const u8* b, usize first) noexcept
{
    for (usize i = 0; i < lane_count<Wide>; ++i) {
        Wide x = Wide(lane<Narrow>(a, first + i));
        Wide y = Wide(lane<Narrow>(b, first + i));
        set_lane<UnsignedOf<Wide>>(r, i, wrapping_mul(x, y));
    }
}

template<typename Wide, typename Narrow>
void extadd_pairwise(u8* r, const u8* a) noexcept
{
    for (usize i = 0; i < lane_count<Wide>; ++i)
        set_lane<Wide>(r, i, Wide(Wide(lane<Narrow>(a, 2 * i)) + Wide(lane<Narrow>(a, 2 * i + 1))));
}

// narrow_s / narrow_u: a's lanes, then b's, each saturated (signed input).
template<typename Narrow, typename Wide>
void narrow(u8* r, const u8* a, const u8* b) noexcept
{
    constexpr usize half = lane_count<Wide>;
    for (usize i = 0; i < half; ++i) {
        set_lane<Narrow>(r, i, saturate<Narrow>(lane<Wide>(a, i)));
        set_lane<Narrow>(r, half + i, saturate<Narrow>(lane<Wide>(b, i)));
    }
}

// Shifts take the count modulo the lane width (§4.3.2 "ishl"/"ishr").
template<typename T>
void shift_left(u8* r, const u8* a, u64 count) noexcept
{
    using U = UnsignedOf<T>;
    unsigned k = unsigned(count) & (sizeof(T) * 8 - 1);
    unary<U>(r, a, [k](U x) { return U(x << k); });
}

template<typename T>
void shift_right(u8* r, const u8* a, u64 count) noexcept
{
    unsigned k = unsigned(count) & (sizeof(T) * 8 - 1);
    unary<T>(r, a, [k](T x) { return T(x >> k); }); // arithmetic for signed T (C++20)
}

template<typename T>
void splat(u8* r, u64 bits) noexcept
{
    for (usize i = 0; i < lane_count<T>; ++i)
        set_lane<T>(r, i, T(bits));
}

template<typename T>
u64 bitmask(const u8* a) noexcept
{
    using S = SignedOf<T>;
    u64 mask = 0;
    for (usize i = 0; i < lane_count<T>; ++i)
        mask |= u64(lane<S>(a, i) < 0) << i;
    return mask;
}

template<typename T>
u64 all_true(const u8* a) noexcept
{
    for (usize i = 0; i < lane_count<T>; ++i) {
        if (lane<T>(a, i) == 0)
            return 0;
    }
    return 1;
}

// The RV64 form of an i32 result: sign-extended to 64 bits.
u64 i32_result(i32 v) noexcept { return u64(i64(v)); }

// Memory forms (§4.4.7): loadMxN extends M-bit lanes read from memory.
template<typename Wide, typename Narrow>
void load_extend(u8* r, const u8* address) noexcept
{
    for (usize i = 0; i < lane_count<Wide>; ++i)
        set_lane<Wide>(r, i, Wide(lane<Narrow>(address, i)));
}

template<typename T>
void load_splat(u8* r, const u8* address) noexcept
{
    T x = lane<T>(address, 0);
    for (usize i = 0; i < lane_count<T>; ++i)
        set_lane<T>(r, i, x);
}

// ---------------------------------------------------------------------------
// Floats

template<typename F>
struct FloatBits;
template<>
struct FloatBits<f32> {
    using Bits = u32;
    using Int = i32; // holds every integral value below 2^mantissa_bits
    static constexpr unsigned mantissa_bits = 23;
    static constexpr u32 sign = 0x80000000u;
    static constexpr u32 canonical_nan = 0x7fc00000u;
};
template<>
struct FloatBits<f64> {
    using Bits = u64;
    using Int = i64;
    static constexpr unsigned mantissa_bits = 52;
    static constexpr u64 sign = 0x8000000000000000ull;
    static constexpr u64 canonical_nan = 0x7ff8000000000000ull;
};

template<typename F>
using BitsOf = typename FloatBits<F>::Bits;

template<typename F>
BitsOf<F> to_bits(F x) noexcept { return __builtin_bit_cast(BitsOf<F>, x); }
template<typename F>
F from_bits(BitsOf<F> b) noexcept { return __builtin_bit_cast(F, b); }

template<typename F>
bool is_nan(F x) noexcept { return x != x; }

template<typename F>
F canonical_nan() noexcept { return from_bits<F>(FloatBits<F>::canonical_nan); }

// A NaN produced by arithmetic becomes the canonical NaN (the header's
// policy; the spec allows it for every nondeterministic NaN result).
template<typename F>
F canonicalize(F x) noexcept { return is_nan(x) ? canonical_nan<F>() : x; }

// The float lane loops work on the lanes' bits so no value passes through
// an FPU register unless an operation needs it.
template<typename F, typename Fn>
void float_unary(u8* r, const u8* a, Fn f) noexcept
{
    using B = BitsOf<F>;
    unary<B>(r, a, [&](B x) { return to_bits<F>(canonicalize<F>(f(from_bits<F>(x)))); });
}

template<typename F, typename Fn>
void float_binary(u8* r, const u8* a, const u8* b, Fn f) noexcept
{
    using B = BitsOf<F>;
    binary<B>(r, a, b, [&](B x, B y) { return to_bits<F>(canonicalize<F>(f(from_bits<F>(x), from_bits<F>(y)))); });
}

template<typename F, typename Cmp>
void float_compare(u8* r, const u8* a, const u8* b, Cmp cmp) noexcept
{
    using B = BitsOf<F>;
    compare<B>(r, a, b, [&](B x, B y) { return cmp(from_bits<F>(x), from_bits<F>(y)); });
}

// sqrt and fused multiply-add: one RISC-V instruction each (correctly
// rounded, RNE); elsewhere the compiler's builtins (x86-64 host tests).
f32 hardware_sqrt(f32 x) noexcept
{
#if defined(__riscv) && defined(__riscv_flen)
    f32 r;
    asm("fsqrt.s %0, %1" : "=f"(r) : "f"(x));
    return r;
#else
    return __builtin_sqrtf(x);
#endif
}

f64 hardware_sqrt(f64 x) noexcept
{
#if defined(__riscv) && defined(__riscv_flen) && __riscv_flen >= 64
    f64 r;
    asm("fsqrt.d %0, %1" : "=f"(r) : "f"(x));
    return r;
#else
    return __builtin_sqrt(x);
#endif
}

f32 hardware_fma(f32 x, f32 y, f32 z) noexcept
{
#if defined(__riscv) && defined(__riscv_flen)
    f32 r;
    asm("fmadd.s %0, %1, %2, %3" : "=f"(r) : "f"(x), "f"(y), "f"(z));
    return r;
#else
    return __builtin_fmaf(x, y, z);
#endif
}

f64 hardware_fma(f64 x, f64 y, f64 z) noexcept
{
#if defined(__riscv) && defined(__riscv_flen) && __riscv_flen >= 64
    f64 r;
    asm("fmadd.d %0, %1, %2, %3" : "=f"(r) : "f"(x), "f"(y), "f"(z));
    return r;
#else
    return __builtin_fma(x, y, z);
#endif
}

template<typename F>
F float_sqrt(F x) noexcept
{
    if (is_nan(x) || x < F(0))
        return canonical_nan<F>();
    return hardware_sqrt(x); // sqrt(-0) = -0
}

// fmin / fmax (§4.3.3): NaN if either operand is NaN, -0 below +0.
template<typename F>
F float_min(F x, F y) noexcept
{
    if (is_nan(x) || is_nan(y))
        return canonical_nan<F>();
    if (x == y)
        return from_bits<F>(to_bits(x) | to_bits(y)); // min(+0, -0) = -0
    return x < y ? x : y;
}

template<typename F>
F float_max(F x, F y) noexcept
{
    if (is_nan(x) || is_nan(y))
        return canonical_nan<F>();
    if (x == y)
        return from_bits<F>(to_bits(x) & to_bits(y)); // max(+0, -0) = +0
    return x > y ? x : y;
}

// The integral results of ceil/floor/trunc/nearest carry x's sign (a zero
// result included: ceil(-0.5) = -0, floor(+0.5) = +0); values with no
// fraction bits (|x| >= 2^mantissa_bits, infinities) are returned as they
// are. Below that bound x converts to Int exactly after truncation.
enum class Rounding {
    Ceil,
    Floor,
    Trunc,
    Nearest,
};

template<typename F>
F round_to_integral(F x, Rounding mode) noexcept
{
    using Traits = FloatBits<F>;
    using Int = typename Traits::Int;
    if (is_nan(x))
        return canonical_nan<F>();
    F magnitude = from_bits<F>(to_bits(x) & ~Traits::sign);
    if (!(magnitude < F(BitsOf<F>(1) << Traits::mantissa_bits)))
        return x;
    F t = F(Int(x)); // toward zero
    switch (mode) {
    case Rounding::Ceil:
        if (t < x)
            t += F(1);
        break;
    case Rounding::Floor:
        if (t > x)
            t -= F(1);
        break;
    case Rounding::Trunc:
        break;
    case Rounding::Nearest: {
        F fraction = x - t; // exact: t is x with its fraction bits cleared
        F away = x < F(0) ? F(-1) : F(1);
        F half = fraction < F(0) ? -fraction : fraction;
        if (half > F(0.5) || (half == F(0.5) && (Int(t) & 1) != 0))
            t += away;
        break;
    }
    }
    return from_bits<F>((to_bits(t) & ~Traits::sign) | (to_bits(x) & Traits::sign));
}

// trunc_sat (§4.3.3 "trunc_sat_s/u"): NaN -> 0, out of range -> the bound.
template<typename F>
i32 trunc_sat_s(F x) noexcept
{
    if (is_nan(x))
        return 0;
    if (x >= F(2147483648.0))
        return max_of<i32>;
    if (x <= F(-2147483648.0))
        return min_of<i32>;
    return i32(x);
}

template<typename F>
u32 trunc_sat_u(F x) noexcept
{
    if (is_nan(x) || x <= F(-1.0))
        return 0;
    if (x >= F(4294967296.0))
        return max_of<u32>;
    return u32(x); // x in (-1, 2^32): truncates into range
}

void trunc_sat_f32(u8* r, const u8* a, bool is_unsigned) noexcept
{
    for (usize i = 0; i < 4; ++i) {
        f32 x = from_bits<f32>(lane<u32>(a, i));
        set_lane<u32>(r, i, is_unsigned ? trunc_sat_u(x) : u32(trunc_sat_s(x)));
    }
}

void trunc_sat_f64_zero(u8* r, const u8* a, bool is_unsigned) noexcept
{
    for (usize i = 0; i < 2; ++i) {
        f64 x = from_bits<f64>(lane<u64>(a, i));
        set_lane<u32>(r, i, is_unsigned ? trunc_sat_u(x) : u32(trunc_sat_s(x)));
    }
    set_lane<u32>(r, 2, 0);
    set_lane<u32>(r, 3, 0);
}

// pmin / pmax (§4.3.3 "fpmin/fpmax"): b < a ? b : a, a < b ? b : a, the
// chosen operand's bits unchanged.
template<typename F>
void pseudo_min(u8* r, const u8* a, const u8* b) noexcept
{
    using B = BitsOf<F>;
    binary<B>(r, a, b, [](B x, B y) { return from_bits<F>(y) < from_bits<F>(x) ? y : x; });
}

template<typename F>
void pseudo_max(u8* r, const u8* a, const u8* b) noexcept
{
    using B = BitsOf<F>;
    binary<B>(r, a, b, [](B x, B y) { return from_bits<F>(x) < from_bits<F>(y) ? y : x; });
}

// abs / neg (§4.3.3 "fabs/fneg"): sign bit only, payloads kept.
template<typename F>
void float_abs(u8* r, const u8* a) noexcept
{
    using B = BitsOf<F>;
    unary<B>(r, a, [](B x) { return B(x & ~FloatBits<F>::sign); });
}

template<typename F>
void float_neg(u8* r, const u8* a) noexcept
{
    using B = BitsOf<F>;
    unary<B>(r, a, [](B x) { return B(x ^ FloatBits<F>::sign); });
}

template<typename F>
void fused_madd(u8* r, const u8* a, const u8* b, const u8* c, bool negate_product) noexcept
{
    using B = BitsOf<F>;
    ternary<B>(r, a, b, c, [negate_product](B x, B y, B z) {
        F fx = from_bits<F>(x);
        if (negate_product)
            fx = -fx; // -(a*b) + c == (-a)*b + c exactly
        return to_bits<F>(canonicalize<F>(hardware_fma(fx, from_bits<F>(y), from_bits<F>(z))));
    });
}

// Which part of k23_simd_scalar handled the opcode, and how it answers.
enum class Outcome : u8 {
    Unhandled, // not this part's opcode
    Vector,    // the v128 in r goes to dst
    Scalar,    // the value in out is the result
    Stored,    // a store: done
};

// §4.4.7 loads and stores (a, or dst for stores, is a host address).
Outcome memory_ops([[maybe_unused]] Opcode op, [[maybe_unused]] u8* r, [[maybe_unused]] u8* dst, [[maybe_unused]] const u8* a, [[maybe_unused]] const u8* b, [[maybe_unused]] const u8* c, [[maybe_unused]] u64 imm, [[maybe_unused]] u64 imm2, [[maybe_unused]] u64& out) noexcept
{
    switch (op) {
    // §4.4.7 vector loads and stores: a (or dst for stores) is a host address.
    case Opcode::V128Load:
        __builtin_memcpy(r, a, 16);
        break;
    case Opcode::V128Load8x8S: load_extend<i16, i8>(r, a); break;
    case Opcode::V128Load8x8U: load_extend<u16, u8>(r, a); break;
    case Opcode::V128Load16x4S: load_extend<i32, i16>(r, a); break;
    case Opcode::V128Load16x4U: load_extend<u32, u16>(r, a); break;
    case Opcode::V128Load32x2S: load_extend<i64, i32>(r, a); break;
    case Opcode::V128Load32x2U: load_extend<u64, u32>(r, a); break;
    case Opcode::V128Load8Splat: load_splat<u8>(r, a); break;
    case Opcode::V128Load16Splat: load_splat<u16>(r, a); break;
    case Opcode::V128Load32Splat: load_splat<u32>(r, a); break;
    case Opcode::V128Load64Splat: load_splat<u64>(r, a); break;
    case Opcode::V128Load32Zero: __builtin_memcpy(r, a, 4); break;
    case Opcode::V128Load64Zero: __builtin_memcpy(r, a, 8); break;
    case Opcode::V128Store:
        __builtin_memcpy(r, a, 16);
        __builtin_memcpy(dst, r, 16);
        return Outcome::Stored;
    case Opcode::V128Load8Lane:
        __builtin_memcpy(r, b, 16);
        __builtin_memcpy(r + (imm & 15), a, 1);
        break;
    case Opcode::V128Load16Lane:
        __builtin_memcpy(r, b, 16);
        __builtin_memcpy(r + (imm & 7) * 2, a, 2);
        break;
    case Opcode::V128Load32Lane:
        __builtin_memcpy(r, b, 16);
        __builtin_memcpy(r + (imm & 3) * 4, a, 4);
        break;
    case Opcode::V128Load64Lane:
        __builtin_memcpy(r, b, 16);
        __builtin_memcpy(r + (imm & 1) * 8, a, 8);
        break;
    case Opcode::V128Store8Lane: __builtin_memcpy(dst, a + (imm & 15), 1); return Outcome::Stored;
    case Opcode::V128Store16Lane: __builtin_memcpy(dst, a + (imm & 7) * 2, 2); return Outcome::Stored;
    case Opcode::V128Store32Lane: __builtin_memcpy(dst, a + (imm & 3) * 4, 4); return Outcome::Stored;
    case Opcode::V128Store64Lane: __builtin_memcpy(dst, a + (imm & 1) * 8, 8); return Outcome::Stored;

    default:
        return Outcome::Unhandled;
    }
    return Outcome::Vector;
}

// v128.const, shuffle, swizzle, splat, extract_lane, replace_lane.
Outcome lane_ops([[maybe_unused]] Opcode op, [[maybe_unused]] u8* r, [[maybe_unused]] u8* dst, [[maybe_unused]] const u8* a, [[maybe_unused]] const u8* b, [[maybe_unused]] const u8* c, [[maybe_unused]] u64 imm, [[maybe_unused]] u64 imm2, [[maybe_unused]] u64& out) noexcept
{
    switch (op) {
    // v128.const is inlined by the compiler; here imm/imm2 are its halves.
    case Opcode::V128Const:
        set_lane<u64>(r, 0, imm);
        set_lane<u64>(r, 1, imm2);
        break;

    // §4.4.3 shuffle and swizzle.
    case Opcode::I8x16Shuffle:
        for (usize i = 0; i < 16; ++i) {
            u8 index = u8(((i < 8 ? imm : imm2) >> ((i & 7) * 8)) & 31);
            r[i] = index < 16 ? a[index] : b[index - 16];
        }
        break;
    case Opcode::I8x16Swizzle:
    case Opcode::I8x16RelaxedSwizzle: {
        u8 in[16];
        __builtin_memcpy(in, a, 16);
        for (usize i = 0; i < 16; ++i)
            r[i] = b[i] < 16 ? in[b[i]] : 0;
        break;
    }

    // §4.4.3 splat, extract_lane, replace_lane.
    case Opcode::I8x16Splat: splat<u8>(r, imm); break;
    case Opcode::I16x8Splat: splat<u16>(r, imm); break;
    case Opcode::I32x4Splat:
    case Opcode::F32x4Splat: splat<u32>(r, imm); break;
    case Opcode::I64x2Splat:
    case Opcode::F64x2Splat: splat<u64>(r, imm); break;
    case Opcode::I8x16ExtractLaneS: out = i32_result(lane<i8>(a, imm & 15)); return Outcome::Scalar;
    case Opcode::I8x16ExtractLaneU: out = i32_result(lane<u8>(a, imm & 15)); return Outcome::Scalar;
    case Opcode::I16x8ExtractLaneS: out = i32_result(lane<i16>(a, imm & 7)); return Outcome::Scalar;
    case Opcode::I16x8ExtractLaneU: out = i32_result(lane<u16>(a, imm & 7)); return Outcome::Scalar;
    case Opcode::I32x4ExtractLane: out = i32_result(lane<i32>(a, imm & 3)); return Outcome::Scalar;
    case Opcode::I64x2ExtractLane: out = lane<u64>(a, imm & 1); return Outcome::Scalar;
    case Opcode::F32x4ExtractLane: out = lane<u32>(a, imm & 3); return Outcome::Scalar;
    case Opcode::F64x2ExtractLane: out = lane<u64>(a, imm & 1); return Outcome::Scalar;
    case Opcode::I8x16ReplaceLane:
        __builtin_memcpy(r, a, 16);
        set_lane<u8>(r, imm & 15, u8(imm2));
        break;
    case Opcode::I16x8ReplaceLane:
        __builtin_memcpy(r, a, 16);
        set_lane<u16>(r, imm & 7, u16(imm2));
        break;
    case Opcode::I32x4ReplaceLane:
    case Opcode::F32x4ReplaceLane:
        __builtin_memcpy(r, a, 16);
        set_lane<u32>(r, imm & 3, u32(imm2));
        break;
    case Opcode::I64x2ReplaceLane:
    case Opcode::F64x2ReplaceLane:
        __builtin_memcpy(r, a, 16);
        set_lane<u64>(r, imm & 1, imm2);
        break;

    default:
        return Outcome::Unhandled;
    }
    return Outcome::Vector;
}

// Integer and float comparisons.
Outcome compare_ops([[maybe_unused]] Opcode op, [[maybe_unused]] u8* r, [[maybe_unused]] u8* dst, [[maybe_unused]] const u8* a, [[maybe_unused]] const u8* b, [[maybe_unused]] const u8* c, [[maybe_unused]] u64 imm, [[maybe_unused]] u64 imm2, [[maybe_unused]] u64& out) noexcept
{
    switch (op) {
    // §4.3.2 "vrelop": integer comparisons.
    case Opcode::I8x16Eq: compare<u8>(r, a, b, Eq {}); break;
    case Opcode::I8x16Ne: compare<u8>(r, a, b, Ne {}); break;
    case Opcode::I8x16LtS: compare<i8>(r, a, b, Lt {}); break;
    case Opcode::I8x16LtU: compare<u8>(r, a, b, Lt {}); break;
    case Opcode::I8x16GtS: compare<i8>(r, a, b, Gt {}); break;
    case Opcode::I8x16GtU: compare<u8>(r, a, b, Gt {}); break;
    case Opcode::I8x16LeS: compare<i8>(r, a, b, Le {}); break;
    case Opcode::I8x16LeU: compare<u8>(r, a, b, Le {}); break;
    case Opcode::I8x16GeS: compare<i8>(r, a, b, Ge {}); break;
    case Opcode::I8x16GeU: compare<u8>(r, a, b, Ge {}); break;
    case Opcode::I16x8Eq: compare<u16>(r, a, b, Eq {}); break;
    case Opcode::I16x8Ne: compare<u16>(r, a, b, Ne {}); break;
    case Opcode::I16x8LtS: compare<i16>(r, a, b, Lt {}); break;
    case Opcode::I16x8LtU: compare<u16>(r, a, b, Lt {}); break;
    case Opcode::I16x8GtS: compare<i16>(r, a, b, Gt {}); break;
    case Opcode::I16x8GtU: compare<u16>(r, a, b, Gt {}); break;
    case Opcode::I16x8LeS: compare<i16>(r, a, b, Le {}); break;
    case Opcode::I16x8LeU: compare<u16>(r, a, b, Le {}); break;
    case Opcode::I16x8GeS: compare<i16>(r, a, b, Ge {}); break;
    case Opcode::I16x8GeU: compare<u16>(r, a, b, Ge {}); break;
    case Opcode::I32x4Eq: compare<u32>(r, a, b, Eq {}); break;
    case Opcode::I32x4Ne: compare<u32>(r, a, b, Ne {}); break;
    case Opcode::I32x4LtS: compare<i32>(r, a, b, Lt {}); break;
    case Opcode::I32x4LtU: compare<u32>(r, a, b, Lt {}); break;
    case Opcode::I32x4GtS: compare<i32>(r, a, b, Gt {}); break;
    case Opcode::I32x4GtU: compare<u32>(r, a, b, Gt {}); break;
    case Opcode::I32x4LeS: compare<i32>(r, a, b, Le {}); break;
    case Opcode::I32x4LeU: compare<u32>(r, a, b, Le {}); break;
    case Opcode::I32x4GeS: compare<i32>(r, a, b, Ge {}); break;
    case Opcode::I32x4GeU: compare<u32>(r, a, b, Ge {}); break;
    case Opcode::I64x2Eq: compare<u64>(r, a, b, Eq {}); break;
    case Opcode::I64x2Ne: compare<u64>(r, a, b, Ne {}); break;
    case Opcode::I64x2LtS: compare<i64>(r, a, b, Lt {}); break;
    case Opcode::I64x2GtS: compare<i64>(r, a, b, Gt {}); break;
    case Opcode::I64x2LeS: compare<i64>(r, a, b, Le {}); break;
    case Opcode::I64x2GeS: compare<i64>(r, a, b, Ge {}); break;

    // §4.3.2 "vrelop": float comparisons (IEEE: false on NaN, except ne).
    case Opcode::F32x4Eq: float_compare<f32>(r, a, b, Eq {}); break;
    case Opcode::F32x4Ne: float_compare<f32>(r, a, b, Ne {}); break;
    case Opcode::F32x4Lt: float_compare<f32>(r, a, b, Lt {}); break;
    case Opcode::F32x4Gt: float_compare<f32>(r, a, b, Gt {}); break;
    case Opcode::F32x4Le: float_compare<f32>(r, a, b, Le {}); break;
    case Opcode::F32x4Ge: float_compare<f32>(r, a, b, Ge {}); break;
    case Opcode::F64x2Eq: float_compare<f64>(r, a, b, Eq {}); break;
    case Opcode::F64x2Ne: float_compare<f64>(r, a, b, Ne {}); break;
    case Opcode::F64x2Lt: float_compare<f64>(r, a, b, Lt {}); break;
    case Opcode::F64x2Gt: float_compare<f64>(r, a, b, Gt {}); break;
    case Opcode::F64x2Le: float_compare<f64>(r, a, b, Le {}); break;
    case Opcode::F64x2Ge: float_compare<f64>(r, a, b, Ge {}); break;

    default:
        return Outcome::Unhandled;
    }
    return Outcome::Vector;
}

// Bitwise, tests, bitmask, integer unary ops, narrow/extend/extadd/extmul.
Outcome bitwise_and_shape_ops([[maybe_unused]] Opcode op, [[maybe_unused]] u8* r, [[maybe_unused]] u8* dst, [[maybe_unused]] const u8* a, [[maybe_unused]] const u8* b, [[maybe_unused]] const u8* c, [[maybe_unused]] u64 imm, [[maybe_unused]] u64 imm2, [[maybe_unused]] u64& out) noexcept
{
    switch (op) {
    // §4.3.2 "vvunop"/"vvbinop"/"vvternop"/"vvtestop": bitwise.
    case Opcode::V128Not: unary<u64>(r, a, [](u64 x) { return ~x; }); break;
    case Opcode::V128And: binary<u64>(r, a, b, [](u64 x, u64 y) { return x & y; }); break;
    case Opcode::V128AndNot: binary<u64>(r, a, b, [](u64 x, u64 y) { return x & ~y; }); break;
    case Opcode::V128Or: binary<u64>(r, a, b, [](u64 x, u64 y) { return x | y; }); break;
    case Opcode::V128Xor: binary<u64>(r, a, b, [](u64 x, u64 y) { return x ^ y; }); break;
    case Opcode::V128Bitselect:
    case Opcode::I8x16RelaxedLaneselect:
    case Opcode::I16x8RelaxedLaneselect:
    case Opcode::I32x4RelaxedLaneselect:
    case Opcode::I64x2RelaxedLaneselect:
        ternary<u64>(r, a, b, c, [](u64 x, u64 y, u64 m) { return (x & m) | (y & ~m); });
        break;
    case Opcode::V128AnyTrue: out = (lane<u64>(a, 0) | lane<u64>(a, 1)) != 0; return Outcome::Scalar;

    // §4.3.2 "vitestop", "bitmask".
    case Opcode::I8x16AllTrue: out = all_true<u8>(a); return Outcome::Scalar;
    case Opcode::I16x8AllTrue: out = all_true<u16>(a); return Outcome::Scalar;
    case Opcode::I32x4AllTrue: out = all_true<u32>(a); return Outcome::Scalar;
    case Opcode::I64x2AllTrue: out = all_true<u64>(a); return Outcome::Scalar;
    case Opcode::I8x16Bitmask: out = bitmask<u8>(a); return Outcome::Scalar;
    case Opcode::I16x8Bitmask: out = bitmask<u16>(a); return Outcome::Scalar;
    case Opcode::I32x4Bitmask: out = bitmask<u32>(a); return Outcome::Scalar;
    case Opcode::I64x2Bitmask: out = bitmask<u64>(a); return Outcome::Scalar;

    // §4.3.2 "viunop": abs (abs(INT_MIN) = INT_MIN), neg, popcnt.
    case Opcode::I8x16Abs: unary<i8>(r, a, [](i8 x) { return x < 0 ? u8(-u8(x)) : u8(x); }); break;
    case Opcode::I16x8Abs: unary<i16>(r, a, [](i16 x) { return x < 0 ? u16(-u16(x)) : u16(x); }); break;
    case Opcode::I32x4Abs: unary<i32>(r, a, [](i32 x) { return x < 0 ? 0u - u32(x) : u32(x); }); break;
    case Opcode::I64x2Abs: unary<i64>(r, a, [](i64 x) { return x < 0 ? 0ull - u64(x) : u64(x); }); break;
    case Opcode::I8x16Neg: unary<u8>(r, a, [](u8 x) { return u8(-x); }); break;
    case Opcode::I16x8Neg: unary<u16>(r, a, [](u16 x) { return u16(-x); }); break;
    case Opcode::I32x4Neg: unary<u32>(r, a, [](u32 x) { return 0u - x; }); break;
    case Opcode::I64x2Neg: unary<u64>(r, a, [](u64 x) { return 0ull - x; }); break;
    case Opcode::I8x16Popcnt: unary<u8>(r, a, [](u8 x) { return __builtin_popcount(x); }); break;

    // §4.3.2 "vnarrow", "vextend", "vextadd_pairwise", "vextmul".
    case Opcode::I8x16NarrowI16x8S: narrow<i8, i16>(r, a, b); break;
    case Opcode::I8x16NarrowI16x8U: narrow<u8, i16>(r, a, b); break;
    case Opcode::I16x8NarrowI32x4S: narrow<i16, i32>(r, a, b); break;
    case Opcode::I16x8NarrowI32x4U: narrow<u16, i32>(r, a, b); break;
    case Opcode::I16x8ExtendLowI8x16S: extend<i16, i8>(r, a, 0); break;
    case Opcode::I16x8ExtendHighI8x16S: extend<i16, i8>(r, a, 8); break;
    case Opcode::I16x8ExtendLowI8x16U: extend<u16, u8>(r, a, 0); break;
    case Opcode::I16x8ExtendHighI8x16U: extend<u16, u8>(r, a, 8); break;
    case Opcode::I32x4ExtendLowI16x8S: extend<i32, i16>(r, a, 0); break;
    case Opcode::I32x4ExtendHighI16x8S: extend<i32, i16>(r, a, 4); break;
    case Opcode::I32x4ExtendLowI16x8U: extend<u32, u16>(r, a, 0); break;
    case Opcode::I32x4ExtendHighI16x8U: extend<u32, u16>(r, a, 4); break;
    case Opcode::I64x2ExtendLowI32x4S: extend<i64, i32>(r, a, 0); break;
    case Opcode::I64x2ExtendHighI32x4S: extend<i64, i32>(r, a, 2); break;
    case Opcode::I64x2ExtendLowI32x4U: extend<u64, u32>(r, a, 0); break;
    case Opcode::I64x2ExtendHighI32x4U: extend<u64, u32>(r, a, 2); break;
    case Opcode::I16x8ExtaddPairwiseI8x16S: extadd_pairwise<i16, i8>(r, a); break;
    case Opcode::I16x8ExtaddPairwiseI8x16U: extadd_pairwise<u16, u8>(r, a); break;
    case Opcode::I32x4ExtaddPairwiseI16x8S: extadd_pairwise<i32, i16>(r, a); break;
    case Opcode::I32x4ExtaddPairwiseI16x8U: extadd_pairwise<u32, u16>(r, a); break;
    case Opcode::I16x8ExtmulLowI8x16S: extmul<i16, i8>(r, a, b, 0); break;
    case Opcode::I16x8ExtmulHighI8x16S: extmul<i16, i8>(r, a, b, 8); break;
    case Opcode::I16x8ExtmulLowI8x16U: extmul<u16, u8>(r, a, b, 0); break;
    case Opcode::I16x8ExtmulHighI8x16U: extmul<u16, u8>(r, a, b, 8); break;
    case Opcode::I32x4ExtmulLowI16x8S: extmul<i32, i16>(r, a, b, 0); break;
    case Opcode::I32x4ExtmulHighI16x8S: extmul<i32, i16>(r, a, b, 4); break;
    case Opcode::I32x4ExtmulLowI16x8U: extmul<u32, u16>(r, a, b, 0); break;
    case Opcode::I32x4ExtmulHighI16x8U: extmul<u32, u16>(r, a, b, 4); break;
    case Opcode::I64x2ExtmulLowI32x4S: extmul<i64, i32>(r, a, b, 0); break;
    case Opcode::I64x2ExtmulHighI32x4S: extmul<i64, i32>(r, a, b, 2); break;
    case Opcode::I64x2ExtmulLowI32x4U: extmul<u64, u32>(r, a, b, 0); break;
    case Opcode::I64x2ExtmulHighI32x4U: extmul<u64, u32>(r, a, b, 2); break;

    default:
        return Outcome::Unhandled;
    }
    return Outcome::Vector;
}

// Shifts, wrapping and saturating arithmetic, min/max, avgr, q15mulr, dot products.
Outcome integer_arithmetic_ops([[maybe_unused]] Opcode op, [[maybe_unused]] u8* r, [[maybe_unused]] u8* dst, [[maybe_unused]] const u8* a, [[maybe_unused]] const u8* b, [[maybe_unused]] const u8* c, [[maybe_unused]] u64 imm, [[maybe_unused]] u64 imm2, [[maybe_unused]] u64& out) noexcept
{
    switch (op) {
    // §4.3.2 "vishiftop": the count is taken modulo the lane width.
    case Opcode::I8x16Shl: shift_left<u8>(r, a, imm); break;
    case Opcode::I8x16ShrS: shift_right<i8>(r, a, imm); break;
    case Opcode::I8x16ShrU: shift_right<u8>(r, a, imm); break;
    case Opcode::I16x8Shl: shift_left<u16>(r, a, imm); break;
    case Opcode::I16x8ShrS: shift_right<i16>(r, a, imm); break;
    case Opcode::I16x8ShrU: shift_right<u16>(r, a, imm); break;
    case Opcode::I32x4Shl: shift_left<u32>(r, a, imm); break;
    case Opcode::I32x4ShrS: shift_right<i32>(r, a, imm); break;
    case Opcode::I32x4ShrU: shift_right<u32>(r, a, imm); break;
    case Opcode::I64x2Shl: shift_left<u64>(r, a, imm); break;
    case Opcode::I64x2ShrS: shift_right<i64>(r, a, imm); break;
    case Opcode::I64x2ShrU: shift_right<u64>(r, a, imm); break;

    // §4.3.2 "vibinop": wrapping add/sub/mul.
    case Opcode::I8x16Add: binary<u8>(r, a, b, [](u8 x, u8 y) { return x + y; }); break;
    case Opcode::I16x8Add: binary<u16>(r, a, b, [](u16 x, u16 y) { return x + y; }); break;
    case Opcode::I32x4Add: binary<u32>(r, a, b, [](u32 x, u32 y) { return x + y; }); break;
    case Opcode::I64x2Add: binary<u64>(r, a, b, [](u64 x, u64 y) { return x + y; }); break;
    case Opcode::I8x16Sub: binary<u8>(r, a, b, [](u8 x, u8 y) { return x - y; }); break;
    case Opcode::I16x8Sub: binary<u16>(r, a, b, [](u16 x, u16 y) { return x - y; }); break;
    case Opcode::I32x4Sub: binary<u32>(r, a, b, [](u32 x, u32 y) { return x - y; }); break;
    case Opcode::I64x2Sub: binary<u64>(r, a, b, [](u64 x, u64 y) { return x - y; }); break;
    case Opcode::I16x8Mul: binary<u16>(r, a, b, [](u16 x, u16 y) { return wrapping_mul(x, y); }); break;
    case Opcode::I32x4Mul: binary<u32>(r, a, b, [](u32 x, u32 y) { return wrapping_mul(x, y); }); break;
    case Opcode::I64x2Mul: binary<u64>(r, a, b, [](u64 x, u64 y) { return wrapping_mul(x, y); }); break;

    // §4.3.2 "viaddsat"/"visubsat": saturating.
    case Opcode::I8x16AddSatS: binary<i8>(r, a, b, [](i8 x, i8 y) { return saturate<i8>(i64(x) + y); }); break;
    case Opcode::I8x16AddSatU: binary<u8>(r, a, b, [](u8 x, u8 y) { return saturate<u8>(i64(x) + y); }); break;
    case Opcode::I8x16SubSatS: binary<i8>(r, a, b, [](i8 x, i8 y) { return saturate<i8>(i64(x) - y); }); break;
    case Opcode::I8x16SubSatU: binary<u8>(r, a, b, [](u8 x, u8 y) { return saturate<u8>(i64(x) - y); }); break;
    case Opcode::I16x8AddSatS: binary<i16>(r, a, b, [](i16 x, i16 y) { return saturate<i16>(i64(x) + y); }); break;
    case Opcode::I16x8AddSatU: binary<u16>(r, a, b, [](u16 x, u16 y) { return saturate<u16>(i64(x) + y); }); break;
    case Opcode::I16x8SubSatS: binary<i16>(r, a, b, [](i16 x, i16 y) { return saturate<i16>(i64(x) - y); }); break;
    case Opcode::I16x8SubSatU: binary<u16>(r, a, b, [](u16 x, u16 y) { return saturate<u16>(i64(x) - y); }); break;

    // §4.3.2 "viminmax", "avgr_u".
    case Opcode::I8x16MinS: binary<i8>(r, a, b, [](i8 x, i8 y) { return x < y ? x : y; }); break;
    case Opcode::I8x16MinU: binary<u8>(r, a, b, [](u8 x, u8 y) { return x < y ? x : y; }); break;
    case Opcode::I8x16MaxS: binary<i8>(r, a, b, [](i8 x, i8 y) { return x > y ? x : y; }); break;
    case Opcode::I8x16MaxU: binary<u8>(r, a, b, [](u8 x, u8 y) { return x > y ? x : y; }); break;
    case Opcode::I16x8MinS: binary<i16>(r, a, b, [](i16 x, i16 y) { return x < y ? x : y; }); break;
    case Opcode::I16x8MinU: binary<u16>(r, a, b, [](u16 x, u16 y) { return x < y ? x : y; }); break;
    case Opcode::I16x8MaxS: binary<i16>(r, a, b, [](i16 x, i16 y) { return x > y ? x : y; }); break;
    case Opcode::I16x8MaxU: binary<u16>(r, a, b, [](u16 x, u16 y) { return x > y ? x : y; }); break;
    case Opcode::I32x4MinS: binary<i32>(r, a, b, [](i32 x, i32 y) { return x < y ? x : y; }); break;
    case Opcode::I32x4MinU: binary<u32>(r, a, b, [](u32 x, u32 y) { return x < y ? x : y; }); break;
    case Opcode::I32x4MaxS: binary<i32>(r, a, b, [](i32 x, i32 y) { return x > y ? x : y; }); break;
    case Opcode::I32x4MaxU: binary<u32>(r, a, b, [](u32 x, u32 y) { return x > y ? x : y; }); break;
    case Opcode::I8x16AvgrU: binary<u8>(r, a, b, [](u8 x, u8 y) { return (u32(x) + y + 1) >> 1; }); break;
    case Opcode::I16x8AvgrU: binary<u16>(r, a, b, [](u16 x, u16 y) { return (u32(x) + y + 1) >> 1; }); break;

    // §4.3.2 "iq15mulrsat_s"; the relaxed form is the same (header).
    case Opcode::I16x8Q15mulrSatS:
    case Opcode::I16x8RelaxedQ15mulrS:
        binary<i16>(r, a, b, [](i16 x, i16 y) { return saturate<i16>((i64(x) * y + 0x4000) >> 15); });
        break;

    // §4.3.2 "dot": pairwise products summed, wrapping (only
    // (-32768)^2 * 2 overflows).
    case Opcode::I32x4DotI16x8S:
        for (usize i = 0; i < 4; ++i) {
            i64 sum = i64(lane<i16>(a, 2 * i)) * lane<i16>(b, 2 * i) + i64(lane<i16>(a, 2 * i + 1)) * lane<i16>(b, 2 * i + 1);
            set_lane<u32>(r, i, u32(sum));
        }
        break;

    // Relaxed dot products (header: both operands signed, wrapping).
    case Opcode::I16x8RelaxedDotI8x16I7x16S:
        for (usize i = 0; i < 8; ++i) {
            i32 sum = i32(lane<i8>(a, 2 * i)) * lane<i8>(b, 2 * i) + i32(lane<i8>(a, 2 * i + 1)) * lane<i8>(b, 2 * i + 1);
            set_lane<u16>(r, i, u16(sum));
        }
        break;
    case Opcode::I32x4RelaxedDotI8x16I7x16AddS:
        for (usize i = 0; i < 4; ++i) {
            i64 sum = lane<i32>(c, i);
            for (usize j = 0; j < 4; ++j)
                sum += i64(lane<i8>(a, 4 * i + j)) * lane<i8>(b, 4 * i + j);
            set_lane<u32>(r, i, u32(sum));
        }
        break;

    default:
        return Outcome::Unhandled;
    }
    return Outcome::Vector;
}

// Float lanes, conversions and the relaxed fused multiply-adds.
Outcome float_ops([[maybe_unused]] Opcode op, [[maybe_unused]] u8* r, [[maybe_unused]] u8* dst, [[maybe_unused]] const u8* a, [[maybe_unused]] const u8* b, [[maybe_unused]] const u8* c, [[maybe_unused]] u64 imm, [[maybe_unused]] u64 imm2, [[maybe_unused]] u64& out) noexcept
{
    switch (op) {
    // §4.3.3 float lanes: sign-bit ops keep payloads.
    case Opcode::F32x4Abs: float_abs<f32>(r, a); break;
    case Opcode::F64x2Abs: float_abs<f64>(r, a); break;
    case Opcode::F32x4Neg: float_neg<f32>(r, a); break;
    case Opcode::F64x2Neg: float_neg<f64>(r, a); break;

    // §4.3.3 fsqrt, fadd, fsub, fmul, fdiv (round to nearest even; NaN
    // results canonical).
    case Opcode::F32x4Sqrt: float_unary<f32>(r, a, [](f32 x) { return float_sqrt(x); }); break;
    case Opcode::F64x2Sqrt: float_unary<f64>(r, a, [](f64 x) { return float_sqrt(x); }); break;
    case Opcode::F32x4Add: float_binary<f32>(r, a, b, [](f32 x, f32 y) { return x + y; }); break;
    case Opcode::F64x2Add: float_binary<f64>(r, a, b, [](f64 x, f64 y) { return x + y; }); break;
    case Opcode::F32x4Sub: float_binary<f32>(r, a, b, [](f32 x, f32 y) { return x - y; }); break;
    case Opcode::F64x2Sub: float_binary<f64>(r, a, b, [](f64 x, f64 y) { return x - y; }); break;
    case Opcode::F32x4Mul: float_binary<f32>(r, a, b, [](f32 x, f32 y) { return x * y; }); break;
    case Opcode::F64x2Mul: float_binary<f64>(r, a, b, [](f64 x, f64 y) { return x * y; }); break;
    case Opcode::F32x4Div: float_binary<f32>(r, a, b, [](f32 x, f32 y) { return x / y; }); break;
    case Opcode::F64x2Div: float_binary<f64>(r, a, b, [](f64 x, f64 y) { return x / y; }); break;

    // §4.3.3 fmin/fmax; relaxed_min/max choose the same (header).
    case Opcode::F32x4Min:
    case Opcode::F32x4RelaxedMin: float_binary<f32>(r, a, b, [](f32 x, f32 y) { return float_min(x, y); }); break;
    case Opcode::F64x2Min:
    case Opcode::F64x2RelaxedMin: float_binary<f64>(r, a, b, [](f64 x, f64 y) { return float_min(x, y); }); break;
    case Opcode::F32x4Max:
    case Opcode::F32x4RelaxedMax: float_binary<f32>(r, a, b, [](f32 x, f32 y) { return float_max(x, y); }); break;
    case Opcode::F64x2Max:
    case Opcode::F64x2RelaxedMax: float_binary<f64>(r, a, b, [](f64 x, f64 y) { return float_max(x, y); }); break;

    // §4.3.3 fpmin/fpmax.
    case Opcode::F32x4Pmin: pseudo_min<f32>(r, a, b); break;
    case Opcode::F64x2Pmin: pseudo_min<f64>(r, a, b); break;
    case Opcode::F32x4Pmax: pseudo_max<f32>(r, a, b); break;
    case Opcode::F64x2Pmax: pseudo_max<f64>(r, a, b); break;

    // §4.3.3 fceil, ffloor, ftrunc, fnearest (ties to even).
    case Opcode::F32x4Ceil: float_unary<f32>(r, a, [](f32 x) { return round_to_integral(x, Rounding::Ceil); }); break;
    case Opcode::F32x4Floor: float_unary<f32>(r, a, [](f32 x) { return round_to_integral(x, Rounding::Floor); }); break;
    case Opcode::F32x4Trunc: float_unary<f32>(r, a, [](f32 x) { return round_to_integral(x, Rounding::Trunc); }); break;
    case Opcode::F32x4Nearest: float_unary<f32>(r, a, [](f32 x) { return round_to_integral(x, Rounding::Nearest); }); break;
    case Opcode::F64x2Ceil: float_unary<f64>(r, a, [](f64 x) { return round_to_integral(x, Rounding::Ceil); }); break;
    case Opcode::F64x2Floor: float_unary<f64>(r, a, [](f64 x) { return round_to_integral(x, Rounding::Floor); }); break;
    case Opcode::F64x2Trunc: float_unary<f64>(r, a, [](f64 x) { return round_to_integral(x, Rounding::Trunc); }); break;
    case Opcode::F64x2Nearest: float_unary<f64>(r, a, [](f64 x) { return round_to_integral(x, Rounding::Nearest); }); break;

    // §4.3.3 trunc_sat_s/u, convert_s/u, demote, promote. The relaxed
    // truncations are the saturating ones (header).
    case Opcode::I32x4TruncSatF32x4S:
    case Opcode::I32x4RelaxedTruncF32x4S: trunc_sat_f32(r, a, false); break;
    case Opcode::I32x4TruncSatF32x4U:
    case Opcode::I32x4RelaxedTruncF32x4U: trunc_sat_f32(r, a, true); break;
    case Opcode::I32x4TruncSatF64x2SZero:
    case Opcode::I32x4RelaxedTruncF64x2SZero: trunc_sat_f64_zero(r, a, false); break;
    case Opcode::I32x4TruncSatF64x2UZero:
    case Opcode::I32x4RelaxedTruncF64x2UZero: trunc_sat_f64_zero(r, a, true); break;
    case Opcode::F32x4ConvertI32x4S:
        for (usize i = 0; i < 4; ++i)
            set_lane<u32>(r, i, to_bits(f32(lane<i32>(a, i))));
        break;
    case Opcode::F32x4ConvertI32x4U:
        for (usize i = 0; i < 4; ++i)
            set_lane<u32>(r, i, to_bits(f32(lane<u32>(a, i))));
        break;
    case Opcode::F64x2ConvertLowI32x4S:
        for (usize i = 0; i < 2; ++i)
            set_lane<u64>(r, i, to_bits(f64(lane<i32>(a, i))));
        break;
    case Opcode::F64x2ConvertLowI32x4U:
        for (usize i = 0; i < 2; ++i)
            set_lane<u64>(r, i, to_bits(f64(lane<u32>(a, i))));
        break;
    case Opcode::F32x4DemoteF64x2Zero:
        for (usize i = 0; i < 2; ++i)
            set_lane<u32>(r, i, to_bits(canonicalize(f32(from_bits<f64>(lane<u64>(a, i))))));
        break; // lanes 2 and 3 stay +0.0
    case Opcode::F64x2PromoteLowF32x4:
        for (usize i = 0; i < 2; ++i)
            set_lane<u64>(r, i, to_bits(canonicalize(f64(from_bits<f32>(lane<u32>(a, i))))));
        break;

    // Relaxed madd/nmadd: fused, one rounding (header).
    case Opcode::F32x4RelaxedMadd: fused_madd<f32>(r, a, b, c, false); break;
    case Opcode::F32x4RelaxedNmadd: fused_madd<f32>(r, a, b, c, true); break;
    case Opcode::F64x2RelaxedMadd: fused_madd<f64>(r, a, b, c, false); break;
    case Opcode::F64x2RelaxedNmadd: fused_madd<f64>(r, a, b, c, true); break;
    default:
        return Outcome::Unhandled;
    }
    return Outcome::Vector;
}

} // namespace

extern "C" u64 k23_simd_scalar(u32 op, u8* dst, const u8* a, const u8* b, const u8* c, u64 imm, u64 imm2) noexcept
{
    // Results are built in r and copied out last: dst may alias a, b or c.
    u8 r[16] = {};
    u64 out = 0;
    using Part = Outcome (*)(Opcode, u8*, u8*, const u8*, const u8*, const u8*, u64, u64, u64&) noexcept;
    constexpr Part parts[] = { memory_ops, lane_ops, compare_ops, bitwise_and_shape_ops, integer_arithmetic_ops, float_ops };
    for (Part part : parts) {
        switch (part(Opcode(op), r, dst, a, b, c, imm, imm2, out)) {
        case Outcome::Unhandled: continue;
        case Outcome::Vector: __builtin_memcpy(dst, r, 16); return 0;
        case Outcome::Scalar: return out;
        case Outcome::Stored: return 0;
        }
    }
    // Not a SIMD opcode: a compiler bug; leave dst alone.
    return 0;
}

} // namespace k23::jit
