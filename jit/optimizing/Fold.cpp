// Constant folding and algebraic simplification (Passes.h), and the effect
// predicates the passes share.

#include <jit/optimizing/Passes.h>

namespace k23::jit::optimizing {

namespace {

f32 as_f32(u64 bits) noexcept { return __builtin_bit_cast(f32, u32(bits)); }
f64 as_f64(u64 bits) noexcept { return __builtin_bit_cast(f64, bits); }
u64 bits_of(f32 v) noexcept { return __builtin_bit_cast(u32, v); }
u64 bits_of(f64 v) noexcept { return __builtin_bit_cast(u64, v); }
bool is_nan(f64 v) noexcept { return v != v; }

u32 rotl32(u32 a, u32 n) noexcept { n &= 31; return n ? (a << n) | (a >> (32 - n)) : a; }
u64 rotl64(u64 a, u64 n) noexcept { n &= 63; return n ? (a << n) | (a >> (64 - n)) : a; }

// §4.3.3 fmin/fmax with the signed zeros ordered; NaN operands are not
// folded (the result's payload is the hardware's to choose).
bool float_min_max(f64 a, f64 b, bool is_min, f64& out) noexcept
{
    if (is_nan(a) || is_nan(b))
        return false;
    if (a == b) {
        // Equal: only the zeros differ (by sign).
        u64 sa = bits_of(a) >> 63, sb = bits_of(b) >> 63;
        out = (is_min ? (sa | sb) : (sa & sb)) ? -__builtin_fabs(a) : __builtin_fabs(a);
        return true;
    }
    out = (a < b) == is_min ? a : b;
    return true;
}

// §4.3.4 trunc: defined when the truncated value fits; `low` and `high`
// are the exclusive bounds of the operand.
bool truncate_fits(f64 x, f64 low, f64 high) noexcept { return x > low && x < high; }

// Folds op on constant operands a (and b); false leaves it to run: a trap
// (division by zero, overflow, invalid conversion), a NaN result, or an
// operation not folded here (rounding and square roots).
bool evaluate(Opcode op, u64 a, u64 b, u64& out) noexcept
{
    u32 a32 = u32(a), b32 = u32(b);
    i32 sa32 = i32(a32), sb32 = i32(b32);
    i64 sa = i64(a), sb = i64(b);
    switch (op) {
    // §4.3.2 integer operations, i32.
    case Opcode::I32Add: out = u32(a32 + b32); return true;
    case Opcode::I32Sub: out = u32(a32 - b32); return true;
    case Opcode::I32Mul: out = u32(a32 * b32); return true;
    case Opcode::I32DivS:
        if (b32 == 0 || (sa32 == i32(0x80000000) && sb32 == -1))
            return false;
        out = u32(sa32 / sb32);
        return true;
    case Opcode::I32DivU:
        if (b32 == 0)
            return false;
        out = a32 / b32;
        return true;
    case Opcode::I32RemS:
        if (b32 == 0)
            return false;
        out = sb32 == -1 ? 0 : u32(sa32 % sb32);
        return true;
    case Opcode::I32RemU:
        if (b32 == 0)
            return false;
        out = a32 % b32;
        return true;
    case Opcode::I32And: out = a32 & b32; return true;
    case Opcode::I32Or: out = a32 | b32; return true;
    case Opcode::I32Xor: out = a32 ^ b32; return true;
    case Opcode::I32Shl: out = u32(a32 << (b32 & 31)); return true;
    case Opcode::I32ShrS: out = u32(sa32 >> (b32 & 31)); return true;
    case Opcode::I32ShrU: out = a32 >> (b32 & 31); return true;
    case Opcode::I32Rotl: out = rotl32(a32, b32); return true;
    case Opcode::I32Rotr: out = rotl32(a32, (32 - (b32 & 31)) & 31); return true;
    case Opcode::I32Clz: out = a32 ? u32(__builtin_clz(a32)) : 32; return true;
    case Opcode::I32Ctz: out = a32 ? u32(__builtin_ctz(a32)) : 32; return true;
    case Opcode::I32Popcnt: out = u32(__builtin_popcount(a32)); return true;
    case Opcode::I32Eqz: out = a32 == 0; return true;
    case Opcode::I32Eq: out = a32 == b32; return true;
    case Opcode::I32Ne: out = a32 != b32; return true;
    case Opcode::I32LtS: out = sa32 < sb32; return true;
    case Opcode::I32LtU: out = a32 < b32; return true;
    case Opcode::I32GtS: out = sa32 > sb32; return true;
    case Opcode::I32GtU: out = a32 > b32; return true;
    case Opcode::I32LeS: out = sa32 <= sb32; return true;
    case Opcode::I32LeU: out = a32 <= b32; return true;
    case Opcode::I32GeS: out = sa32 >= sb32; return true;
    case Opcode::I32GeU: out = a32 >= b32; return true;
    case Opcode::I32Extend8S: out = u32(i32(i8(a32))); return true;
    case Opcode::I32Extend16S: out = u32(i32(i16(a32))); return true;
    // i64.
    case Opcode::I64Add: out = a + b; return true;
    case Opcode::I64Sub: out = a - b; return true;
    case Opcode::I64Mul: out = a * b; return true;
    case Opcode::I64DivS:
        if (b == 0 || (sa == i64(0x8000000000000000ull) && sb == -1))
            return false;
        out = u64(sa / sb);
        return true;
    case Opcode::I64DivU:
        if (b == 0)
            return false;
        out = a / b;
        return true;
    case Opcode::I64RemS:
        if (b == 0)
            return false;
        out = sb == -1 ? 0 : u64(sa % sb);
        return true;
    case Opcode::I64RemU:
        if (b == 0)
            return false;
        out = a % b;
        return true;
    case Opcode::I64And: out = a & b; return true;
    case Opcode::I64Or: out = a | b; return true;
    case Opcode::I64Xor: out = a ^ b; return true;
    case Opcode::I64Shl: out = a << (b & 63); return true;
    case Opcode::I64ShrS: out = u64(sa >> (b & 63)); return true;
    case Opcode::I64ShrU: out = a >> (b & 63); return true;
    case Opcode::I64Rotl: out = rotl64(a, b); return true;
    case Opcode::I64Rotr: out = rotl64(a, (64 - (b & 63)) & 63); return true;
    case Opcode::I64Clz: out = a ? u64(__builtin_clzll(a)) : 64; return true;
    case Opcode::I64Ctz: out = a ? u64(__builtin_ctzll(a)) : 64; return true;
    case Opcode::I64Popcnt: out = u64(__builtin_popcountll(a)); return true;
    case Opcode::I64Eqz: out = a == 0; return true;
    case Opcode::I64Eq: out = a == b; return true;
    case Opcode::I64Ne: out = a != b; return true;
    case Opcode::I64LtS: out = sa < sb; return true;
    case Opcode::I64LtU: out = a < b; return true;
    case Opcode::I64GtS: out = sa > sb; return true;
    case Opcode::I64GtU: out = a > b; return true;
    case Opcode::I64LeS: out = sa <= sb; return true;
    case Opcode::I64LeU: out = a <= b; return true;
    case Opcode::I64GeS: out = sa >= sb; return true;
    case Opcode::I64GeU: out = a >= b; return true;
    case Opcode::I64Extend8S: out = u64(i64(i8(a))); return true;
    case Opcode::I64Extend16S: out = u64(i64(i16(a))); return true;
    case Opcode::I64Extend32S: out = u64(i64(i32(u32(a)))); return true;
    // §4.3.7 conversions between integers.
    case Opcode::I32WrapI64: out = u32(a); return true;
    case Opcode::I64ExtendI32S: out = u64(i64(sa32)); return true;
    case Opcode::I64ExtendI32U: out = u64(a32); return true;
    // §4.3.3 float operations: sign operations are exact bit operations.
    case Opcode::F32Neg: out = a32 ^ 0x80000000u; return true;
    case Opcode::F32Abs: out = a32 & 0x7fffffffu; return true;
    case Opcode::F32Copysign: out = (a32 & 0x7fffffffu) | (b32 & 0x80000000u); return true;
    case Opcode::F64Neg: out = a ^ 0x8000000000000000ull; return true;
    case Opcode::F64Abs: out = a & 0x7fffffffffffffffull; return true;
    case Opcode::F64Copysign: out = (a & 0x7fffffffffffffffull) | (b & 0x8000000000000000ull); return true;
    case Opcode::F32Add:
    case Opcode::F32Sub:
    case Opcode::F32Mul:
    case Opcode::F32Div: {
        f32 x = as_f32(a), y = as_f32(b);
        f32 r = op == Opcode::F32Add ? x + y : op == Opcode::F32Sub ? x - y : op == Opcode::F32Mul ? x * y : x / y;
        if (is_nan(r))
            return false;
        out = bits_of(r);
        return true;
    }
    case Opcode::F64Add:
    case Opcode::F64Sub:
    case Opcode::F64Mul:
    case Opcode::F64Div: {
        f64 x = as_f64(a), y = as_f64(b);
        f64 r = op == Opcode::F64Add ? x + y : op == Opcode::F64Sub ? x - y : op == Opcode::F64Mul ? x * y : x / y;
        if (is_nan(r))
            return false;
        out = bits_of(r);
        return true;
    }
    case Opcode::F32Min:
    case Opcode::F32Max: {
        f64 r;
        if (!float_min_max(as_f32(a), as_f32(b), op == Opcode::F32Min, r))
            return false;
        out = bits_of(f32(r));
        return true;
    }
    case Opcode::F64Min:
    case Opcode::F64Max: {
        f64 r;
        if (!float_min_max(as_f64(a), as_f64(b), op == Opcode::F64Min, r))
            return false;
        out = bits_of(r);
        return true;
    }
    case Opcode::F32Eq: out = as_f32(a) == as_f32(b); return true;
    case Opcode::F32Ne: out = as_f32(a) != as_f32(b); return true;
    case Opcode::F32Lt: out = as_f32(a) < as_f32(b); return true;
    case Opcode::F32Gt: out = as_f32(a) > as_f32(b); return true;
    case Opcode::F32Le: out = as_f32(a) <= as_f32(b); return true;
    case Opcode::F32Ge: out = as_f32(a) >= as_f32(b); return true;
    case Opcode::F64Eq: out = as_f64(a) == as_f64(b); return true;
    case Opcode::F64Ne: out = as_f64(a) != as_f64(b); return true;
    case Opcode::F64Lt: out = as_f64(a) < as_f64(b); return true;
    case Opcode::F64Gt: out = as_f64(a) > as_f64(b); return true;
    case Opcode::F64Le: out = as_f64(a) <= as_f64(b); return true;
    case Opcode::F64Ge: out = as_f64(a) >= as_f64(b); return true;
    // §4.3.7 conversions (round to nearest, ties to even: the host's and
    // RISC-V's default).
    case Opcode::F32ConvertI32S: out = bits_of(f32(sa32)); return true;
    case Opcode::F32ConvertI32U: out = bits_of(f32(a32)); return true;
    case Opcode::F32ConvertI64S: out = bits_of(f32(sa)); return true;
    case Opcode::F32ConvertI64U: out = bits_of(f32(a)); return true;
    case Opcode::F64ConvertI32S: out = bits_of(f64(sa32)); return true;
    case Opcode::F64ConvertI32U: out = bits_of(f64(a32)); return true;
    case Opcode::F64ConvertI64S: out = bits_of(f64(sa)); return true;
    case Opcode::F64ConvertI64U: out = bits_of(f64(a)); return true;
    case Opcode::F64PromoteF32:
        if (is_nan(as_f32(a)))
            return false;
        out = bits_of(f64(as_f32(a)));
        return true;
    case Opcode::F32DemoteF64:
        if (is_nan(as_f64(a)))
            return false;
        out = bits_of(f32(as_f64(a)));
        return true;
    case Opcode::I32ReinterpretF32:
    case Opcode::F32ReinterpretI32: out = a32; return true;
    case Opcode::I64ReinterpretF64:
    case Opcode::F64ReinterpretI64: out = a; return true;
    // §4.3.7 trunc: only when the result is defined (no trap).
    case Opcode::I32TruncF32S:
    case Opcode::I32TruncF64S: {
        f64 x = op == Opcode::I32TruncF32S ? f64(as_f32(a)) : as_f64(a);
        if (!truncate_fits(x, -2147483649.0, 2147483648.0))
            return false;
        out = u32(i32(x));
        return true;
    }
    case Opcode::I32TruncF32U:
    case Opcode::I32TruncF64U: {
        f64 x = op == Opcode::I32TruncF32U ? f64(as_f32(a)) : as_f64(a);
        if (!truncate_fits(x, -1.0, 4294967296.0))
            return false;
        out = u32(x);
        return true;
    }
    case Opcode::I64TruncF32S:
    case Opcode::I64TruncF64S: {
        f64 x = op == Opcode::I64TruncF32S ? f64(as_f32(a)) : as_f64(a);
        if (!(x >= -9223372036854775808.0 && x < 9223372036854775808.0))
            return false;
        out = u64(i64(x));
        return true;
    }
    case Opcode::I64TruncF32U:
    case Opcode::I64TruncF64U: {
        f64 x = op == Opcode::I64TruncF32U ? f64(as_f32(a)) : as_f64(a);
        if (!truncate_fits(x, -1.0, 18446744073709551616.0))
            return false;
        out = u64(x);
        return true;
    }
    // §4.3.4 trunc_sat: NaN is 0, out of range saturates.
    case Opcode::I32TruncSatF32S:
    case Opcode::I32TruncSatF64S: {
        f64 x = op == Opcode::I32TruncSatF32S ? f64(as_f32(a)) : as_f64(a);
        out = is_nan(x) ? 0 : x <= -2147483648.0 ? 0x80000000u : x >= 2147483647.0 ? 0x7fffffffu : u32(i32(x));
        return true;
    }
    case Opcode::I32TruncSatF32U:
    case Opcode::I32TruncSatF64U: {
        f64 x = op == Opcode::I32TruncSatF32U ? f64(as_f32(a)) : as_f64(a);
        out = is_nan(x) || x <= 0.0 ? 0 : x >= 4294967295.0 ? 0xffffffffu : u32(x);
        return true;
    }
    case Opcode::I64TruncSatF32S:
    case Opcode::I64TruncSatF64S: {
        f64 x = op == Opcode::I64TruncSatF32S ? f64(as_f32(a)) : as_f64(a);
        out = is_nan(x) ? 0
            : x < -9223372036854775808.0 ? 0x8000000000000000ull
            : x >= 9223372036854775808.0 ? 0x7fffffffffffffffull
                                          : u64(i64(x));
        return true;
    }
    case Opcode::I64TruncSatF32U:
    case Opcode::I64TruncSatF64U: {
        f64 x = op == Opcode::I64TruncSatF32U ? f64(as_f32(a)) : as_f64(a);
        out = is_nan(x) || x <= 0.0 ? 0 : x >= 18446744073709551616.0 ? ~u64(0) : u64(x);
        return true;
    }
    default:
        return false;
    }
}

enum class Simplified : u8 {
    No,
    ToValue, // replaced by an existing value
    ToConst, // becomes a constant
};

bool is_i64_op(Opcode op) noexcept
{
    const wasm::SignatureTypes& sig = wasm::signature_types(wasm::opcode_info(op).signature);
    return sig.param_count > 0 && sig.params[0] == wasm::ValueType::I64;
}

// Algebraic identities of integer ops with operands (a, b), b perhaps a
// constant (commutative constants are on the right by now).
Simplified simplify(const Function& f, Opcode op, ValueId a, ValueId b, ValueId& value, u64& bits) noexcept
{
    bool same = a == b;
    bool b_const = b != no_id && f.is_const(b);
    u64 c = b_const ? f.const_bits(b) : 0;
    bool wide = is_i64_op(op);
    u64 ones = wide ? ~u64(0) : 0xffffffffu;
    u64 shift_mask = wide ? 63 : 31;
    auto to_value = [&](ValueId v) { value = v; return Simplified::ToValue; };
    auto to_const = [&](u64 k) { bits = k; return Simplified::ToConst; };
    switch (op) {
    case Opcode::I32Add:
    case Opcode::I64Add:
    case Opcode::I32Or:
    case Opcode::I64Or:
    case Opcode::I32Xor:
    case Opcode::I64Xor:
        if (b_const && c == 0)
            return to_value(a); // x + 0, x | 0, x ^ 0
        if (same && (op == Opcode::I32Xor || op == Opcode::I64Xor))
            return to_const(0); // x ^ x
        if (same && (op == Opcode::I32Or || op == Opcode::I64Or))
            return to_value(a); // x | x
        if (b_const && c == ones && (op == Opcode::I32Or || op == Opcode::I64Or))
            return to_const(ones); // x | -1
        return Simplified::No;
    case Opcode::I32Sub:
    case Opcode::I64Sub:
        if (b_const && c == 0)
            return to_value(a);
        if (same)
            return to_const(0);
        return Simplified::No;
    case Opcode::I32Mul:
    case Opcode::I64Mul:
        if (b_const && c == 1)
            return to_value(a);
        if (b_const && c == 0)
            return to_const(0);
        return Simplified::No;
    case Opcode::I32And:
    case Opcode::I64And:
        if (b_const && c == 0)
            return to_const(0);
        if ((b_const && c == ones) || same)
            return to_value(a);
        return Simplified::No;
    case Opcode::I32Shl:
    case Opcode::I64Shl:
    case Opcode::I32ShrS:
    case Opcode::I64ShrS:
    case Opcode::I32ShrU:
    case Opcode::I64ShrU:
    case Opcode::I32Rotl:
    case Opcode::I64Rotl:
    case Opcode::I32Rotr:
    case Opcode::I64Rotr:
        // §4.3.2: the shift count is taken modulo the width.
        if (b_const && (c & shift_mask) == 0)
            return to_value(a);
        return Simplified::No;
    case Opcode::I32DivS:
    case Opcode::I64DivS:
    case Opcode::I32DivU:
    case Opcode::I64DivU:
        if (b_const && c == 1)
            return to_value(a);
        return Simplified::No;
    case Opcode::I32RemS:
    case Opcode::I64RemS:
        if (b_const && (c == 1 || c == ones))
            return to_const(0);
        return Simplified::No;
    case Opcode::I32RemU:
    case Opcode::I64RemU:
        if (b_const && c == 1)
            return to_const(0);
        return Simplified::No;
    case Opcode::I32Eq:
    case Opcode::I64Eq:
    case Opcode::I32LeS:
    case Opcode::I64LeS:
    case Opcode::I32LeU:
    case Opcode::I64LeU:
    case Opcode::I32GeS:
    case Opcode::I64GeS:
    case Opcode::I32GeU:
    case Opcode::I64GeU:
        if (same)
            return to_const(1);
        if (b_const && c == 0 && (op == Opcode::I32GeU || op == Opcode::I64GeU))
            return to_const(1); // x >=u 0
        return Simplified::No;
    case Opcode::I32Ne:
    case Opcode::I64Ne:
    case Opcode::I32LtS:
    case Opcode::I64LtS:
    case Opcode::I32LtU:
    case Opcode::I64LtU:
    case Opcode::I32GtS:
    case Opcode::I64GtS:
    case Opcode::I32GtU:
    case Opcode::I64GtU:
        if (same)
            return to_const(0);
        if (b_const && c == 0 && (op == Opcode::I32LtU || op == Opcode::I64LtU))
            return to_const(0); // x <u 0
        return Simplified::No;
    case Opcode::I32WrapI64: {
        // wrap(extend(x)) = x
        if (f.values[a].is_param)
            return Simplified::No;
        const Inst& def = f.insts[f.values[a].def];
        if (def.op != Op::Numeric)
            return Simplified::No;
        if (def.wasm_op == Opcode::I64ExtendI32S || def.wasm_op == Opcode::I64ExtendI32U)
            return to_value(f.operands[def.args_begin]);
        return Simplified::No;
    }
    default:
        return Simplified::No;
    }
}

// Strength reduction by a power-of-two constant (unsigned, so no sign
// fix-up): x * 2^k = x << k, x /u 2^k = x >>u k, x %u 2^k = x & (2^k - 1).
// Returns the opcode and the new constant operand, or false.
bool reduce_strength(Opcode op, u64 c, Opcode& reduced, u64& operand) noexcept
{
    if (c < 2 || (c & (c - 1)) != 0)
        return false;
    u64 k = u64(__builtin_ctzll(c));
    switch (op) {
    case Opcode::I32Mul: reduced = Opcode::I32Shl; operand = k; return true;
    case Opcode::I64Mul: reduced = Opcode::I64Shl; operand = k; return true;
    case Opcode::I32DivU: reduced = Opcode::I32ShrU; operand = k; return true;
    case Opcode::I64DivU: reduced = Opcode::I64ShrU; operand = k; return true;
    case Opcode::I32RemU: reduced = Opcode::I32And; operand = c - 1; return true;
    case Opcode::I64RemU: reduced = Opcode::I64And; operand = c - 1; return true;
    default: return false;
    }
}

// The integer comparison that is true exactly when `op` is false (§4.3.2:
// integer comparisons are total, unlike float ones with NaN).
bool inverted_comparison(Opcode op, Opcode& out) noexcept
{
    switch (op) {
    case Opcode::I32Eq: out = Opcode::I32Ne; return true;
    case Opcode::I32Ne: out = Opcode::I32Eq; return true;
    case Opcode::I32LtS: out = Opcode::I32GeS; return true;
    case Opcode::I32GeS: out = Opcode::I32LtS; return true;
    case Opcode::I32LtU: out = Opcode::I32GeU; return true;
    case Opcode::I32GeU: out = Opcode::I32LtU; return true;
    case Opcode::I32GtS: out = Opcode::I32LeS; return true;
    case Opcode::I32LeS: out = Opcode::I32GtS; return true;
    case Opcode::I32GtU: out = Opcode::I32LeU; return true;
    case Opcode::I32LeU: out = Opcode::I32GtU; return true;
    case Opcode::I64Eq: out = Opcode::I64Ne; return true;
    case Opcode::I64Ne: out = Opcode::I64Eq; return true;
    case Opcode::I64LtS: out = Opcode::I64GeS; return true;
    case Opcode::I64GeS: out = Opcode::I64LtS; return true;
    case Opcode::I64LtU: out = Opcode::I64GeU; return true;
    case Opcode::I64GeU: out = Opcode::I64LtU; return true;
    case Opcode::I64GtS: out = Opcode::I64LeS; return true;
    case Opcode::I64LeS: out = Opcode::I64GtS; return true;
    case Opcode::I64GtU: out = Opcode::I64LeU; return true;
    case Opcode::I64LeU: out = Opcode::I64GtU; return true;
    default: return false;
    }
}

// The instruction defining v if it is a Numeric `op`, else no_id.
InstId numeric_def(const Function& f, ValueId v, Opcode op) noexcept
{
    const Value& value = f.values[v];
    if (value.is_param)
        return no_id;
    const Inst& def = f.insts[value.def];
    return def.op == Op::Numeric && def.wasm_op == op ? value.def : no_id;
}

void make_const(Function& f, InstId i, u64 bits) noexcept
{
    Inst& inst = f.insts[i];
    if (inst.type == Type::I32 || inst.type == Type::F32)
        bits = u32(bits);
    inst.op = Op::Const;
    inst.wasm_op = Opcode::Nop;
    inst.imm = bits;
    inst.arg_count = 0;
}

} // namespace

bool is_commutative(Opcode op) noexcept
{
    switch (op) {
    case Opcode::I32Add:
    case Opcode::I32Mul:
    case Opcode::I32And:
    case Opcode::I32Or:
    case Opcode::I32Xor:
    case Opcode::I32Eq:
    case Opcode::I32Ne:
    case Opcode::I64Add:
    case Opcode::I64Mul:
    case Opcode::I64And:
    case Opcode::I64Or:
    case Opcode::I64Xor:
    case Opcode::I64Eq:
    case Opcode::I64Ne:
        return true;
    default:
        return false;
    }
}

bool can_trap(const Function& f, InstId i) noexcept
{
    const Inst& inst = f.insts[i];
    switch (inst.op) {
    case Op::Numeric:
        break;
    case Op::Const:
    case Op::Select:
    case Op::RefIsNull:
    case Op::RefFunc:
    case Op::Simd: // no SIMD opcode but the memory forms traps
    case Op::GlobalGet:
    case Op::GlobalSet:
    case Op::MemorySize:
    case Op::Jump:
    case Op::Branch:
    case Op::Return:
        return false;
    case Op::Runtime:
        return inst.wasm_op != Opcode::TableSize && inst.wasm_op != Opcode::DataDrop && inst.wasm_op != Opcode::ElemDrop;
    default:
        return true;
    }
    switch (inst.wasm_op) {
    case Opcode::I32DivS:
    case Opcode::I32DivU:
    case Opcode::I32RemS:
    case Opcode::I32RemU:
    case Opcode::I64DivS:
    case Opcode::I64DivU:
    case Opcode::I64RemS:
    case Opcode::I64RemU: {
        // §4.3.2 idiv/irem: a trap on a zero divisor, and idiv_s on
        // -2^(N-1) / -1. A constant divisor other than 0 (and -1 for
        // div_s) cannot trap.
        ValueId divisor = f.operands[inst.args_begin + 1];
        if (!f.is_const(divisor))
            return true;
        u64 c = f.const_bits(divisor);
        bool wide = inst.wasm_op >= Opcode::I64DivS;
        u64 minus_one = wide ? ~u64(0) : 0xffffffffu;
        if (c == 0)
            return true;
        return (inst.wasm_op == Opcode::I32DivS || inst.wasm_op == Opcode::I64DivS) && c == minus_one;
    }
    case Opcode::I32TruncF32S:
    case Opcode::I32TruncF32U:
    case Opcode::I32TruncF64S:
    case Opcode::I32TruncF64U:
    case Opcode::I64TruncF32S:
    case Opcode::I64TruncF32U:
    case Opcode::I64TruncF64S:
    case Opcode::I64TruncF64U:
        return true;
    default:
        return false;
    }
}

bool is_removable(const Function& f, InstId i) noexcept
{
    const Inst& inst = f.insts[i];
    switch (inst.op) {
    case Op::Const:
    case Op::Numeric:
    case Op::Select:
    case Op::RefIsNull:
    case Op::RefFunc:
    case Op::Simd:
    case Op::GlobalGet:
    case Op::MemorySize:
        return !can_trap(f, i);
    case Op::Runtime:
        return inst.wasm_op == Opcode::TableSize;
    default:
        return false;
    }
}

bool is_pure(const Function& f, InstId i) noexcept
{
    const Inst& inst = f.insts[i];
    if (!is_removable(f, i))
        return false;
    switch (inst.op) {
    case Op::GlobalGet:
        return f.module && inst.index < f.module->globals().size() && !f.module->globals()[inst.index].type.is_mutable;
    case Op::MemorySize:
    case Op::Runtime:
        return false;
    default:
        return true;
    }
}

Result<bool> fold_constants(Function& f) noexcept
{
    bool changed = false;
    bool cfg_changed = false;
    for (BlockId b = 0; b < f.blocks.size(); ++b) {
        if (f.blocks[b].removed)
            continue;
        for (InstId i = f.blocks[b].first; i != no_id;) {
            InstId next = f.insts[i].next;
            Inst& inst = f.insts[i];
            Span<ValueId> args = f.args(i);
            for (ValueId& v : args)
                v = f.resolve(v);
            switch (inst.op) {
            case Op::Numeric: {
                // i32.eqz of an integer comparison is the inverted comparison.
                if (inst.wasm_op == Opcode::I32Eqz && !f.values[args[0]].is_param) {
                    InstId cmp = f.values[args[0]].def;
                    Opcode inverted;
                    if (f.insts[cmp].op == Op::Numeric && inverted_comparison(f.insts[cmp].wasm_op, inverted)) {
                        Inst proto = f.insts[cmp];
                        proto.wasm_op = inverted;
                        proto.wasm_offset = inst.wasm_offset;
                        ValueId operands[2] = { f.args(cmp)[0], f.args(cmp)[1] };
                        Type types[1] = { Type::I32 };
                        // insert_before may move the pools: no references across it.
                        InstId flipped = TRY(f.insert_before(i, proto, Span<const ValueId>(operands, 2), Span<const Type>(types, 1)));
                        f.replace_all_uses(f.result(i), f.result(flipped));
                        f.remove(i);
                        changed = true;
                        break;
                    }
                }
                if (args.size() == 2 && is_commutative(inst.wasm_op) && f.is_const(args[0]) && !f.is_const(args[1])) {
                    ValueId t = args[0];
                    args[0] = args[1];
                    args[1] = t;
                    changed = true;
                }
                bool all_const = true;
                for (ValueId v : args)
                    all_const = all_const && f.is_const(v);
                u64 bits = 0;
                if (all_const) {
                    u64 a = f.const_bits(args[0]);
                    u64 c = args.size() > 1 ? f.const_bits(args[1]) : 0;
                    if (evaluate(inst.wasm_op, a, c, bits)) {
                        make_const(f, i, bits);
                        changed = true;
                    }
                    break;
                }
                ValueId value = no_id;
                Simplified s = simplify(f, inst.wasm_op, args[0], args.size() > 1 ? args[1] : no_id, value, bits);
                if (s == Simplified::ToConst) {
                    make_const(f, i, bits);
                    changed = true;
                } else if (s == Simplified::ToValue && !can_trap(f, i)) {
                    f.replace_all_uses(f.result(i), value);
                    f.remove(i);
                    changed = true;
                } else if (args.size() == 2 && f.is_const(args[1])) {
                    Opcode reduced;
                    u64 operand;
                    if (reduce_strength(inst.wasm_op, f.const_bits(args[1]), reduced, operand)) {
                        Type type = inst.type;
                        Inst c;
                        c.op = Op::Const;
                        c.imm = operand;
                        c.wasm_offset = inst.wasm_offset;
                        Type types[1] = { type };
                        // insert_before may move the pools: no references across it.
                        InstId k = TRY(f.insert_before(i, c, {}, Span<const Type>(types, 1)));
                        f.insts[i].wasm_op = reduced;
                        f.operands[f.insts[i].args_begin + 1] = f.result(k);
                        changed = true;
                    }
                }
                break;
            }
            case Op::Select: {
                // select(eqz c, a, b) = select(c, b, a)
                if (InstId eqz = numeric_def(f, args[0], Opcode::I32Eqz); eqz != no_id) {
                    args[0] = f.resolve(f.args(eqz)[0]);
                    ValueId t = args[1];
                    args[1] = args[2];
                    args[2] = t;
                    changed = true;
                }
                ValueId pick = no_id;
                if (args[1] == args[2])
                    pick = args[1];
                else if (f.is_const(args[0]))
                    pick = u32(f.const_bits(args[0])) ? args[1] : args[2];
                if (pick != no_id) {
                    f.replace_all_uses(f.result(i), pick);
                    f.remove(i);
                    changed = true;
                }
                break;
            }
            case Op::RefIsNull:
                if (f.is_const(args[0])) {
                    make_const(f, i, f.const_bits(args[0]) == 0);
                    changed = true;
                }
                break;
            case Op::Branch:
                // br_if (eqz c), A, B = br_if c, B, A
                for (InstId eqz = numeric_def(f, args[0], Opcode::I32Eqz); eqz != no_id;
                     eqz = numeric_def(f, args[0], Opcode::I32Eqz)) {
                    args[0] = f.resolve(f.args(eqz)[0]);
                    Edge t = f.edges[inst.first_edge];
                    f.edges[inst.first_edge] = f.edges[inst.first_edge + 1];
                    f.edges[inst.first_edge + 1] = t;
                    changed = true;
                }
                if (f.is_const(args[0])) {
                    f.make_jump(i, u32(f.const_bits(args[0])) ? 0 : 1);
                    changed = cfg_changed = true;
                }
                break;
            case Op::BrTable:
                if (f.is_const(args[0])) {
                    // §4.4.8 br_table: an index past the targets takes the default.
                    u32 index = u32(f.const_bits(args[0]));
                    u32 targets = inst.edge_count - 1;
                    f.make_jump(i, index < targets ? index : targets);
                    changed = cfg_changed = true;
                }
                break;
            default:
                break;
            }
            i = next;
        }
    }
    f.apply_replacements();
    if (cfg_changed)
        TRY(f.remove_unreachable_blocks());
    return changed;
}

} // namespace k23::jit::optimizing
