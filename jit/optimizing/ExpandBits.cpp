// Bit counting and rotations in base-ISA arithmetic (Passes.h
// expand_bit_operations), for a hart without Zbb: the function is then
// compiled optimized instead of falling back to the baseline whole (libc's
// malloc counts bits; most Sightglass modules carry it).
//
// Each rewrite is exact in wasm's integer semantics (§4.3.2), for N = 32
// or 64, every operation modulo 2^N and shift counts modulo N:
//   rotl(x, k) = (x << k) | (x >>u (0 - k))    (k = 0: x | x)
//   rotr(x, k) = (x >>u k) | (x << (0 - k))
//   popcnt(x)  the SWAR sum: pairs, nibbles, bytes, then a multiply by
//              0x0101.. gathers the byte sums in the top byte (at most N,
//              so no byte overflows)
//   ctz(x)     = popcnt((x - 1) & ~x)   (the trailing zeros as ones; all
//              N ones for x = 0)
//   clz(x)     = popcnt(~s), s = x with every bit below its highest one
//              set (x | x >>u 1, then 2, 4, .. N/2): s = 0 for x = 0.

#include <jit/optimizing/Passes.h>

namespace k23::jit::optimizing {

bool needs_zbb(Opcode op) noexcept
{
    switch (op) {
    case Opcode::I32Clz: case Opcode::I32Ctz: case Opcode::I32Popcnt:
    case Opcode::I64Clz: case Opcode::I64Ctz: case Opcode::I64Popcnt:
    case Opcode::I32Rotl: case Opcode::I32Rotr: case Opcode::I64Rotl: case Opcode::I64Rotr:
        return true;
    default:
        return false;
    }
}

namespace {

class Expander {
public:
    Expander(Function& f, InstId at) noexcept
        : m_f(f)
        , m_at(at)
        , m_type(f.insts[at].type)
        , m_offset(f.insts[at].wasm_offset)
    {
    }

    // Emits before the instruction being expanded; insert_before may move
    // the pools, so nothing keeps references across these.
    Result<ValueId> constant(u64 bits) noexcept
    {
        Inst c;
        c.op = Op::Const;
        c.imm = m_type == Type::I32 ? bits & 0xffffffffull : bits;
        c.wasm_offset = m_offset;
        Type types[1] = { m_type };
        InstId i = TRY(m_f.insert_before(m_at, c, {}, Span<const Type>(types, 1)));
        return m_f.result(i);
    }
    Result<ValueId> op(Opcode op32, Opcode op64, ValueId a, ValueId b) noexcept
    {
        Inst n;
        n.op = Op::Numeric;
        n.wasm_op = m_type == Type::I32 ? op32 : op64;
        n.wasm_offset = m_offset;
        ValueId args[2] = { a, b };
        Type types[1] = { m_type };
        InstId i = TRY(m_f.insert_before(m_at, n, Span<const ValueId>(args, 2), Span<const Type>(types, 1)));
        return m_f.result(i);
    }
    Result<ValueId> op_const(Opcode op32, Opcode op64, ValueId a, u64 bits) noexcept
    {
        ValueId c = TRY(constant(bits));
        return op(op32, op64, a, c);
    }
    Result<ValueId> add(ValueId a, ValueId b) noexcept { return op(Opcode::I32Add, Opcode::I64Add, a, b); }
    Result<ValueId> sub(ValueId a, ValueId b) noexcept { return op(Opcode::I32Sub, Opcode::I64Sub, a, b); }
    Result<ValueId> and_(ValueId a, ValueId b) noexcept { return op(Opcode::I32And, Opcode::I64And, a, b); }
    Result<ValueId> or_(ValueId a, ValueId b) noexcept { return op(Opcode::I32Or, Opcode::I64Or, a, b); }
    Result<ValueId> shl(ValueId a, ValueId b) noexcept { return op(Opcode::I32Shl, Opcode::I64Shl, a, b); }
    Result<ValueId> shr_u(ValueId a, ValueId b) noexcept { return op(Opcode::I32ShrU, Opcode::I64ShrU, a, b); }
    Result<ValueId> and_const(ValueId a, u64 bits) noexcept { return op_const(Opcode::I32And, Opcode::I64And, a, bits); }
    Result<ValueId> shr_u_const(ValueId a, u64 bits) noexcept { return op_const(Opcode::I32ShrU, Opcode::I64ShrU, a, bits); }
    Result<ValueId> not_(ValueId a) noexcept { return op_const(Opcode::I32Xor, Opcode::I64Xor, a, ~u64(0)); }

    // (One operation per statement: the IR's order does not depend on the
    // order a compiler evaluates arguments in.)
    Result<ValueId> popcnt(ValueId x) noexcept
    {
        ValueId t = TRY(shr_u_const(x, 1));
        t = TRY(and_const(t, 0x5555555555555555ull));
        ValueId pairs = TRY(sub(x, t));
        ValueId low = TRY(and_const(pairs, 0x3333333333333333ull));
        t = TRY(shr_u_const(pairs, 2));
        t = TRY(and_const(t, 0x3333333333333333ull));
        ValueId nibbles = TRY(add(low, t));
        t = TRY(shr_u_const(nibbles, 4));
        t = TRY(add(nibbles, t));
        ValueId bytes = TRY(and_const(t, 0x0f0f0f0f0f0f0f0full));
        t = TRY(op_const(Opcode::I32Mul, Opcode::I64Mul, bytes, 0x0101010101010101ull));
        return shr_u_const(t, m_type == Type::I64 ? 56 : 24);
    }

    Result<ValueId> expand(Opcode wasm_op, Span<const ValueId> args) noexcept
    {
        ValueId x = args[0];
        switch (wasm_op) {
        case Opcode::I32Rotl: case Opcode::I64Rotl:
        case Opcode::I32Rotr: case Opcode::I64Rotr: {
            bool left = wasm_op == Opcode::I32Rotl || wasm_op == Opcode::I64Rotl;
            ValueId zero = TRY(constant(0));
            ValueId back = TRY(sub(zero, args[1]));
            ValueId first = TRY(left ? shl(x, args[1]) : shr_u(x, args[1]));
            ValueId second = TRY(left ? shr_u(x, back) : shl(x, back));
            return or_(first, second);
        }
        case Opcode::I32Popcnt: case Opcode::I64Popcnt:
            return popcnt(x);
        case Opcode::I32Ctz: case Opcode::I64Ctz: {
            ValueId below = TRY(op_const(Opcode::I32Add, Opcode::I64Add, x, ~u64(0))); // x - 1
            ValueId inverse = TRY(not_(x));
            ValueId trailing = TRY(and_(below, inverse));
            return popcnt(trailing);
        }
        default: { // clz
            ValueId s = x;
            for (u64 k = 1; k <= (m_type == Type::I64 ? 32u : 16u); k *= 2) {
                ValueId shifted = TRY(shr_u_const(s, k));
                s = TRY(or_(s, shifted));
            }
            ValueId inverse = TRY(not_(s));
            return popcnt(inverse);
        }
        }
    }

private:
    Function& m_f;
    InstId m_at;
    Type m_type;
    u32 m_offset;
};

} // namespace

Result<bool> expand_bit_operations(Function& f) noexcept
{
    bool changed = false;
    for (BlockId b = 0; b < f.blocks.size(); ++b) {
        if (f.blocks[b].removed)
            continue;
        for (InstId i = f.blocks[b].first; i != no_id;) {
            InstId next = f.insts[i].next;
            if (!f.insts[i].removed && f.insts[i].op == Op::Numeric && needs_zbb(f.insts[i].wasm_op)) {
                ValueId args[2] = { f.args(i)[0], f.insts[i].arg_count > 1 ? f.args(i)[1] : no_id };
                Expander e(f, i);
                ValueId r = TRY(e.expand(f.insts[i].wasm_op, Span<const ValueId>(args, f.insts[i].arg_count)));
                f.replace_all_uses(f.result(i), r);
                f.remove(i);
                changed = true;
            }
            i = next;
        }
    }
    if (changed)
        f.apply_replacements();
    return changed;
}

} // namespace k23::jit::optimizing
