#pragma once

// A reference interpreter for the optimizing tier's IR (tests only): runs
// a Function on given arguments against a model of its world — linear
// memories (the first pages of each), globals, and calls, runtime
// operations and tail calls answered by a hash of their operands — and
// returns what an observer could see: the results or the trap, and the
// trace of every effect (stores, global.set, calls, memory.grow, runtime
// operations). Two runs of a function before and after the passes must
// observe the same thing (DifferentialTest).
//
// Numeric semantics follow core spec 2.0 §4.3 "Numerics", written
// independently of the folder in jit/optimizing/Fold.cpp: integer traps,
// float min/max with canonical NaNs, rounding to nearest, trapping and
// saturating truncation.

#include <jit/optimizing/IR.h>
#include <wasm/Runtime.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <cstring>
#include <vector>

namespace k23::jit::optimizing::test {

struct Outcome {
    enum class End : u8 {
        Returned,
        Trapped,
        OutOfFuel,
    };
    End end { End::Returned };
    u8 trap { 0 };
    std::vector<u64> results;
    std::vector<u64> trace;

    bool operator==(const Outcome& other) const
    {
        return end == other.end && trap == other.trap && results == other.results && trace == other.trace;
    }
};

class IrInterpreter {
public:
    explicit IrInterpreter(const Function& f, u64 fuel = 20000)
        : m_f(f)
        , m_fuel(fuel)
    {
    }

    Outcome run(const std::vector<u64>& args)
    {
        const Function& f = m_f;
        Outcome out;
        m_values.assign(f.values.size(), 0);
        m_memories.clear();
        if (f.module) {
            for (const wasm::MemoryType& m : f.module->memories()) {
                u64 pages = m.limits.min < 2 ? m.limits.min : 2;
                m_memories.emplace_back(pages * 65536, u8(0));
            }
            m_globals.clear();
            for (u32 g = 0; g < f.module->globals().size(); ++g)
                m_globals.push_back(mix(0x6c6f62616cull, g));
        }
        BlockId block = f.entry;
        Span<const ValueId> params = f.params(block);
        for (u32 i = 0; i < params.size() && i < args.size(); ++i)
            m_values[params[i]] = truncate(f.values[params[i]].type, args[i]);
        u64 steps = 0;
        for (;;) {
            InstId next_block_term = no_id;
            for (InstId i = f.blocks[block].first; i != no_id; i = f.insts[i].next) {
                if (++steps > m_fuel) {
                    out.end = Outcome::End::OutOfFuel;
                    return out;
                }
                if (is_terminator(f.insts[i].op)) {
                    next_block_term = i;
                    break;
                }
                u8 trap = 0;
                if (!execute(i, out, trap)) {
                    out.end = Outcome::End::Trapped;
                    out.trap = trap;
                    return out;
                }
            }
            const Inst& term = f.insts[next_block_term];
            Span<const ValueId> targs = f.args(next_block_term);
            EdgeId edge = no_id;
            switch (term.op) {
            case Op::Jump:
                edge = term.first_edge;
                break;
            case Op::Branch:
                edge = term.first_edge + (u32(m_values[targs[0]]) ? 0 : 1);
                break;
            case Op::BrTable: {
                u32 index = u32(m_values[targs[0]]);
                u32 targets = term.edge_count - 1;
                edge = term.first_edge + (index < targets ? index : targets);
                break;
            }
            case Op::Return:
                for (ValueId v : targs)
                    out.results.push_back(m_values[v]);
                return out;
            case Op::ReturnCall:
            case Op::ReturnCallIndirect: {
                u64 h = effect(out, u64(term.op), term.index, targs);
                for (u32 k = 0; k < f.result_types.size(); ++k)
                    out.results.push_back(truncate(f.result_types[k], mix(h, k)));
                return out;
            }
            case Op::Trap:
                out.end = Outcome::End::Trapped;
                out.trap = u8(term.imm);
                return out;
            default:
                out.end = Outcome::End::Trapped;
                out.trap = 0xff;
                return out;
            }
            // Block arguments are a parallel copy: read all, then write.
            Span<const ValueId> eargs = f.edge_args(edge);
            BlockId target = f.edges[edge].target;
            std::vector<u64> incoming;
            for (ValueId v : eargs)
                incoming.push_back(m_values[v]);
            Span<const ValueId> tparams = f.params(target);
            for (u32 k = 0; k < tparams.size(); ++k)
                m_values[tparams[k]] = incoming[k];
            block = target;
        }
    }

private:
    static u64 mix(u64 a, u64 b)
    {
        u64 x = a * 0x9e3779b97f4a7c15ull ^ (b + 0x632be59bd9b4e019ull);
        x ^= x >> 31;
        x *= 0xbf58476d1ce4e5b9ull;
        x ^= x >> 29;
        return x;
    }
    static u64 truncate(Type t, u64 bits)
    {
        return t == Type::I32 || t == Type::F32 ? u64(u32(bits)) : bits;
    }
    u64 effect(Outcome& out, u64 kind, u64 index, Span<const ValueId> args)
    {
        u64 h = mix(kind, index);
        out.trace.push_back(kind);
        out.trace.push_back(index);
        for (ValueId v : args) {
            out.trace.push_back(m_values[v]);
            h = mix(h, m_values[v]);
        }
        return h;
    }

    static f32 f32_of(u64 b) { return __builtin_bit_cast(f32, u32(b)); }
    static f64 f64_of(u64 b) { return __builtin_bit_cast(f64, b); }
    static u64 bits(f32 v) { return __builtin_bit_cast(u32, v); }
    static u64 bits(f64 v) { return __builtin_bit_cast(u64, v); }

    template<typename F>
    static F wasm_min_max(F a, F b, bool is_min)
    {
        if (std::isnan(a) || std::isnan(b))
            return std::numeric_limits<F>::quiet_NaN();
        if (a == b)
            return is_min ? (std::signbit(a) ? a : b) : (std::signbit(a) ? b : a);
        return (a < b) == is_min ? a : b;
    }

    // §4.3.7 trunc: trap unless -bound_low < trunc(x) < bound_high fits.
    static bool trunc_fits(f64 x, f64 low, f64 high) { return !std::isnan(x) && x > low && x < high; }

    bool numeric(Opcode op, u64 a, u64 b, u64& r, u8& trap)
    {
        using wasm::TrapCode;
        u32 a32 = u32(a), b32 = u32(b);
        i32 sa32 = i32(a32), sb32 = i32(b32);
        i64 sa = i64(a), sb = i64(b);
        auto fail = [&](TrapCode code) { trap = u8(code); return false; };
        switch (op) {
        case Opcode::I32Eqz: r = a32 == 0; return true;
        case Opcode::I32Eq: r = a32 == b32; return true;
        case Opcode::I32Ne: r = a32 != b32; return true;
        case Opcode::I32LtS: r = sa32 < sb32; return true;
        case Opcode::I32LtU: r = a32 < b32; return true;
        case Opcode::I32GtS: r = sa32 > sb32; return true;
        case Opcode::I32GtU: r = a32 > b32; return true;
        case Opcode::I32LeS: r = sa32 <= sb32; return true;
        case Opcode::I32LeU: r = a32 <= b32; return true;
        case Opcode::I32GeS: r = sa32 >= sb32; return true;
        case Opcode::I32GeU: r = a32 >= b32; return true;
        case Opcode::I64Eqz: r = a == 0; return true;
        case Opcode::I64Eq: r = a == b; return true;
        case Opcode::I64Ne: r = a != b; return true;
        case Opcode::I64LtS: r = sa < sb; return true;
        case Opcode::I64LtU: r = a < b; return true;
        case Opcode::I64GtS: r = sa > sb; return true;
        case Opcode::I64GtU: r = a > b; return true;
        case Opcode::I64LeS: r = sa <= sb; return true;
        case Opcode::I64LeU: r = a <= b; return true;
        case Opcode::I64GeS: r = sa >= sb; return true;
        case Opcode::I64GeU: r = a >= b; return true;
        case Opcode::F32Eq: r = f32_of(a) == f32_of(b); return true;
        case Opcode::F32Ne: r = f32_of(a) != f32_of(b); return true;
        case Opcode::F32Lt: r = f32_of(a) < f32_of(b); return true;
        case Opcode::F32Gt: r = f32_of(a) > f32_of(b); return true;
        case Opcode::F32Le: r = f32_of(a) <= f32_of(b); return true;
        case Opcode::F32Ge: r = f32_of(a) >= f32_of(b); return true;
        case Opcode::F64Eq: r = f64_of(a) == f64_of(b); return true;
        case Opcode::F64Ne: r = f64_of(a) != f64_of(b); return true;
        case Opcode::F64Lt: r = f64_of(a) < f64_of(b); return true;
        case Opcode::F64Gt: r = f64_of(a) > f64_of(b); return true;
        case Opcode::F64Le: r = f64_of(a) <= f64_of(b); return true;
        case Opcode::F64Ge: r = f64_of(a) >= f64_of(b); return true;
        case Opcode::I32Clz: r = a32 ? __builtin_clz(a32) : 32; return true;
        case Opcode::I32Ctz: r = a32 ? __builtin_ctz(a32) : 32; return true;
        case Opcode::I32Popcnt: r = __builtin_popcount(a32); return true;
        case Opcode::I32Add: r = u32(a32 + b32); return true;
        case Opcode::I32Sub: r = u32(a32 - b32); return true;
        case Opcode::I32Mul: r = u32(a32 * b32); return true;
        case Opcode::I32DivS:
            if (b32 == 0) return fail(TrapCode::IntegerDivideByZero);
            if (sa32 == INT32_MIN && sb32 == -1) return fail(TrapCode::IntegerOverflow);
            r = u32(sa32 / sb32);
            return true;
        case Opcode::I32DivU:
            if (b32 == 0) return fail(TrapCode::IntegerDivideByZero);
            r = a32 / b32;
            return true;
        case Opcode::I32RemS:
            if (b32 == 0) return fail(TrapCode::IntegerDivideByZero);
            r = sb32 == -1 ? 0 : u32(sa32 % sb32);
            return true;
        case Opcode::I32RemU:
            if (b32 == 0) return fail(TrapCode::IntegerDivideByZero);
            r = a32 % b32;
            return true;
        case Opcode::I32And: r = a32 & b32; return true;
        case Opcode::I32Or: r = a32 | b32; return true;
        case Opcode::I32Xor: r = a32 ^ b32; return true;
        case Opcode::I32Shl: r = u32(a32 << (b32 % 32)); return true;
        case Opcode::I32ShrS: r = u32(sa32 >> (b32 % 32)); return true;
        case Opcode::I32ShrU: r = a32 >> (b32 % 32); return true;
        case Opcode::I32Rotl: r = u32((a32 << (b32 % 32)) | (a32 >> ((32 - b32 % 32) % 32))); return true;
        case Opcode::I32Rotr: r = u32((a32 >> (b32 % 32)) | (a32 << ((32 - b32 % 32) % 32))); return true;
        case Opcode::I64Clz: r = a ? __builtin_clzll(a) : 64; return true;
        case Opcode::I64Ctz: r = a ? __builtin_ctzll(a) : 64; return true;
        case Opcode::I64Popcnt: r = __builtin_popcountll(a); return true;
        case Opcode::I64Add: r = a + b; return true;
        case Opcode::I64Sub: r = a - b; return true;
        case Opcode::I64Mul: r = a * b; return true;
        case Opcode::I64DivS:
            if (b == 0) return fail(TrapCode::IntegerDivideByZero);
            if (sa == INT64_MIN && sb == -1) return fail(TrapCode::IntegerOverflow);
            r = u64(sa / sb);
            return true;
        case Opcode::I64DivU:
            if (b == 0) return fail(TrapCode::IntegerDivideByZero);
            r = a / b;
            return true;
        case Opcode::I64RemS:
            if (b == 0) return fail(TrapCode::IntegerDivideByZero);
            r = sb == -1 ? 0 : u64(sa % sb);
            return true;
        case Opcode::I64RemU:
            if (b == 0) return fail(TrapCode::IntegerDivideByZero);
            r = a % b;
            return true;
        case Opcode::I64And: r = a & b; return true;
        case Opcode::I64Or: r = a | b; return true;
        case Opcode::I64Xor: r = a ^ b; return true;
        case Opcode::I64Shl: r = a << (b % 64); return true;
        case Opcode::I64ShrS: r = u64(sa >> (b % 64)); return true;
        case Opcode::I64ShrU: r = a >> (b % 64); return true;
        case Opcode::I64Rotl: r = (a << (b % 64)) | (a >> ((64 - b % 64) % 64)); return true;
        case Opcode::I64Rotr: r = (a >> (b % 64)) | (a << ((64 - b % 64) % 64)); return true;
        case Opcode::F32Abs: r = bits(std::fabs(f32_of(a))); return true;
        case Opcode::F32Neg: r = a32 ^ 0x80000000u; return true;
        case Opcode::F32Ceil: r = bits(std::ceil(f32_of(a))); return true;
        case Opcode::F32Floor: r = bits(std::floor(f32_of(a))); return true;
        case Opcode::F32Trunc: r = bits(std::trunc(f32_of(a))); return true;
        case Opcode::F32Nearest: r = bits(std::nearbyint(f32_of(a))); return true;
        case Opcode::F32Sqrt: r = bits(std::sqrt(f32_of(a))); return true;
        case Opcode::F32Add: r = bits(f32_of(a) + f32_of(b)); return true;
        case Opcode::F32Sub: r = bits(f32_of(a) - f32_of(b)); return true;
        case Opcode::F32Mul: r = bits(f32_of(a) * f32_of(b)); return true;
        case Opcode::F32Div: r = bits(f32_of(a) / f32_of(b)); return true;
        case Opcode::F32Min: r = bits(wasm_min_max(f32_of(a), f32_of(b), true)); return true;
        case Opcode::F32Max: r = bits(wasm_min_max(f32_of(a), f32_of(b), false)); return true;
        case Opcode::F32Copysign: r = (a32 & 0x7fffffffu) | (b32 & 0x80000000u); return true;
        case Opcode::F64Abs: r = a & ~(u64(1) << 63); return true;
        case Opcode::F64Neg: r = a ^ (u64(1) << 63); return true;
        case Opcode::F64Ceil: r = bits(std::ceil(f64_of(a))); return true;
        case Opcode::F64Floor: r = bits(std::floor(f64_of(a))); return true;
        case Opcode::F64Trunc: r = bits(std::trunc(f64_of(a))); return true;
        case Opcode::F64Nearest: r = bits(std::nearbyint(f64_of(a))); return true;
        case Opcode::F64Sqrt: r = bits(std::sqrt(f64_of(a))); return true;
        case Opcode::F64Add: r = bits(f64_of(a) + f64_of(b)); return true;
        case Opcode::F64Sub: r = bits(f64_of(a) - f64_of(b)); return true;
        case Opcode::F64Mul: r = bits(f64_of(a) * f64_of(b)); return true;
        case Opcode::F64Div: r = bits(f64_of(a) / f64_of(b)); return true;
        case Opcode::F64Min: r = bits(wasm_min_max(f64_of(a), f64_of(b), true)); return true;
        case Opcode::F64Max: r = bits(wasm_min_max(f64_of(a), f64_of(b), false)); return true;
        case Opcode::F64Copysign: r = (a & ~(u64(1) << 63)) | (b & (u64(1) << 63)); return true;
        case Opcode::I32WrapI64: r = u32(a); return true;
        case Opcode::I64ExtendI32S: r = u64(i64(sa32)); return true;
        case Opcode::I64ExtendI32U: r = a32; return true;
        case Opcode::I32Extend8S: r = u32(i32(i8(a32))); return true;
        case Opcode::I32Extend16S: r = u32(i32(i16(a32))); return true;
        case Opcode::I64Extend8S: r = u64(i64(i8(a))); return true;
        case Opcode::I64Extend16S: r = u64(i64(i16(a))); return true;
        case Opcode::I64Extend32S: r = u64(i64(i32(a))); return true;
        case Opcode::F32ConvertI32S: r = bits(f32(sa32)); return true;
        case Opcode::F32ConvertI32U: r = bits(f32(a32)); return true;
        case Opcode::F32ConvertI64S: r = bits(f32(sa)); return true;
        case Opcode::F32ConvertI64U: r = bits(f32(a)); return true;
        case Opcode::F64ConvertI32S: r = bits(f64(sa32)); return true;
        case Opcode::F64ConvertI32U: r = bits(f64(a32)); return true;
        case Opcode::F64ConvertI64S: r = bits(f64(sa)); return true;
        case Opcode::F64ConvertI64U: r = bits(f64(a)); return true;
        case Opcode::F32DemoteF64: r = bits(f32(f64_of(a))); return true;
        case Opcode::F64PromoteF32: r = bits(f64(f32_of(a))); return true;
        case Opcode::I32ReinterpretF32:
        case Opcode::F32ReinterpretI32: r = a32; return true;
        case Opcode::I64ReinterpretF64:
        case Opcode::F64ReinterpretI64: r = a; return true;
        default: break;
        }
        // Truncations: the operand as an f64 (f32 widens exactly).
        bool from32 = op == Opcode::I32TruncF32S || op == Opcode::I32TruncF32U || op == Opcode::I64TruncF32S
            || op == Opcode::I64TruncF32U || op == Opcode::I32TruncSatF32S || op == Opcode::I32TruncSatF32U
            || op == Opcode::I64TruncSatF32S || op == Opcode::I64TruncSatF32U;
        f64 x = from32 ? f64(f32_of(a)) : f64_of(a);
        auto invalid = [&]() { return fail(std::isnan(x) ? TrapCode::InvalidConversion : TrapCode::IntegerOverflow); };
        switch (op) {
        case Opcode::I32TruncF32S:
        case Opcode::I32TruncF64S:
            if (!trunc_fits(x, -2147483649.0, 2147483648.0)) return invalid();
            r = u32(i32(x));
            return true;
        case Opcode::I32TruncF32U:
        case Opcode::I32TruncF64U:
            if (!trunc_fits(x, -1.0, 4294967296.0)) return invalid();
            r = u32(x);
            return true;
        case Opcode::I64TruncF32S:
        case Opcode::I64TruncF64S:
            if (std::isnan(x) || x < -9223372036854775808.0 || x >= 9223372036854775808.0) return invalid();
            r = u64(i64(x));
            return true;
        case Opcode::I64TruncF32U:
        case Opcode::I64TruncF64U:
            if (!trunc_fits(x, -1.0, 18446744073709551616.0)) return invalid();
            r = u64(x);
            return true;
        case Opcode::I32TruncSatF32S:
        case Opcode::I32TruncSatF64S:
            r = std::isnan(x) ? 0 : x < -2147483648.0 ? u32(INT32_MIN) : x > 2147483647.0 ? u32(INT32_MAX) : u32(i32(x));
            return true;
        case Opcode::I32TruncSatF32U:
        case Opcode::I32TruncSatF64U:
            r = std::isnan(x) || x < 0 ? 0 : x > 4294967295.0 ? 0xffffffffu : u32(x);
            return true;
        case Opcode::I64TruncSatF32S:
        case Opcode::I64TruncSatF64S:
            r = std::isnan(x) ? 0 : x < -9223372036854775808.0 ? u64(INT64_MIN) : x >= 9223372036854775808.0 ? u64(INT64_MAX) : u64(i64(x));
            return true;
        case Opcode::I64TruncSatF32U:
        case Opcode::I64TruncSatF64U:
            r = std::isnan(x) || x < 0 ? 0 : x >= 18446744073709551616.0 ? ~u64(0) : u64(x);
            return true;
        default:
            trap = 0xfe;
            return false;
        }
    }

    bool access(u32 memory, u64 address, u32 size, u8*& at, u8& trap)
    {
        if (memory >= m_memories.size() || address + size > m_memories[memory].size()) {
            trap = u8(wasm::TrapCode::OutOfBoundsMemory);
            return false;
        }
        at = m_memories[memory].data() + address;
        return true;
    }

    bool execute(InstId id, Outcome& out, u8& trap)
    {
        const Function& f = m_f;
        const Inst& inst = f.insts[id];
        Span<const ValueId> args = f.args(id);
        auto arg = [&](u32 k) { return m_values[args[k]]; };
        auto set = [&](u64 v) { m_values[inst.first_result] = truncate(inst.type, v); };
        switch (inst.op) {
        case Op::Const:
            set(inst.imm);
            return true;
        case Op::Numeric: {
            u64 r = 0;
            if (!numeric(inst.wasm_op, arg(0), args.size() > 1 ? arg(1) : 0, r, trap))
                return false;
            set(r);
            return true;
        }
        case Op::Select:
            set(u32(arg(0)) ? arg(1) : arg(2));
            return true;
        case Op::RefIsNull:
            set(arg(0) == 0);
            return true;
        case Op::RefFunc:
            set(u64(inst.index) + 1);
            return true;
        case Op::Load:
        case Op::Store: {
            const wasm::OpcodeInfo& info = wasm::opcode_info(inst.wasm_op);
            u32 size = 1u << info.arg;
            // The access width is the natural alignment's (§3.3.7),
            // except the full-width i64/f64 and i32/f32 forms.
            switch (inst.wasm_op) {
            case Opcode::I64Load8S: case Opcode::I64Load8U: case Opcode::I32Load8S: case Opcode::I32Load8U:
            case Opcode::I32Store8: case Opcode::I64Store8: size = 1; break;
            case Opcode::I64Load16S: case Opcode::I64Load16U: case Opcode::I32Load16S: case Opcode::I32Load16U:
            case Opcode::I32Store16: case Opcode::I64Store16: size = 2; break;
            case Opcode::I64Load32S: case Opcode::I64Load32U: case Opcode::I64Store32: size = 4; break;
            default: break;
            }
            u8* at = nullptr;
            if (!access(inst.index, u64(u32(arg(0))) + inst.imm, size, at, trap))
                return false;
            if (inst.op == Op::Store) {
                u64 v = arg(1);
                std::memcpy(at, &v, size);
                out.trace.push_back(0x5707e);
                out.trace.push_back(u64(u32(arg(0))) + inst.imm);
                out.trace.push_back(size);
                out.trace.push_back(size == 8 ? v : v & ((u64(1) << (size * 8)) - 1));
                return true;
            }
            u64 v = 0;
            std::memcpy(&v, at, size);
            switch (inst.wasm_op) {
            case Opcode::I32Load8S: case Opcode::I64Load8S: v = u64(i64(i8(v))); break;
            case Opcode::I32Load16S: case Opcode::I64Load16S: v = u64(i64(i16(v))); break;
            case Opcode::I64Load32S: v = u64(i64(i32(v))); break;
            default: break;
            }
            set(v);
            return true;
        }
        case Op::GlobalGet:
            set(inst.index < m_globals.size() ? m_globals[inst.index] : 0);
            return true;
        case Op::GlobalSet:
            if (inst.index < m_globals.size())
                m_globals[inst.index] = arg(0);
            effect(out, 0x610b, inst.index, args);
            return true;
        case Op::MemorySize:
            set(inst.index < m_memories.size() ? m_memories[inst.index].size() / 65536 : 0);
            return true;
        case Op::MemoryGrow:
            effect(out, 0x6e0, inst.index, args);
            set(0xffffffffu);
            return true;
        case Op::Call:
        case Op::CallIndirect:
        case Op::Runtime: {
            u64 h = effect(out, u64(inst.op) << 16 | u64(inst.wasm_op), u64(inst.index) << 32 | inst.index2, args);
            for (u32 k = 0; k < inst.result_count; ++k) {
                ValueId v = inst.first_result + k;
                m_values[v] = truncate(f.values[v].type, mix(h, k));
            }
            return true;
        }
        default:
            trap = 0xfd;
            return false;
        }
    }

    const Function& m_f;
    u64 m_fuel;
    std::vector<u64> m_values;
    std::vector<std::vector<u8>> m_memories;
    std::vector<u64> m_globals;
};

} // namespace k23::jit::optimizing::test
