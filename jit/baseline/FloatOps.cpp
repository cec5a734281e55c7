// Floating-point operations and conversions of the baseline tier (core
// spec 2.0 §4.3.3 floating-point operations, §4.3.4 conversions): operands
// from the value stack, the sequences from jit/FloatEmit.h, which the
// optimizing tier emits too (NaN and rounding rules there).

#include <jit/FloatEmit.h>
#include <jit/baseline/Compiler.h>

namespace k23::jit::baseline {

void Compiler::float_min_max(bool is64, bool is_min) noexcept
{
    FpReg b = m_stack.pop_fp_read();
    FpReg a = m_stack.pop_fp_read();
    m_stack.release(a);
    m_stack.release(b);
    FpReg r = m_stack.alloc_fp();
    floats::min_max(m_asm, is64, is_min, r, a, b, t4, t5);
    m_stack.push_fp(is64 ? ValueType::F64 : ValueType::F32, r);
}

void Compiler::float_round(bool is64, RoundingMode mode) noexcept
{
    FpReg x = m_stack.pop_fp();
    FpReg r = m_stack.alloc_fp(); // distinct from x, so ft10 stays unused
    floats::round(m_asm, is64, mode, r, x, t4, t5, ft10);
    m_stack.push_fp(is64 ? ValueType::F64 : ValueType::F32, r);
}

bool Compiler::float_op(Opcode op) noexcept
{
    using O = Opcode;
    switch (op) {
    case O::F32Add: case O::F32Sub: case O::F32Mul: case O::F32Div: case O::F32Copysign:
    case O::F64Add: case O::F64Sub: case O::F64Mul: case O::F64Div: case O::F64Copysign: {
        bool is64 = op >= O::F64Abs;
        FpReg b = m_stack.pop_fp_read();
        FpReg a = m_stack.pop_fp_read();
        m_stack.release(a);
        m_stack.release(b);
        FpReg r = m_stack.alloc_fp();
        floats::binary(m_asm, op, r, a, b);
        m_stack.push_fp(is64 ? ValueType::F64 : ValueType::F32, r);
        return true;
    }
    case O::F32Min: float_min_max(false, true); return true;
    case O::F32Max: float_min_max(false, false); return true;
    case O::F64Min: float_min_max(true, true); return true;
    case O::F64Max: float_min_max(true, false); return true;
    case O::F32Ceil: float_round(false, RoundingMode::Rup); return true;
    case O::F32Floor: float_round(false, RoundingMode::Rdn); return true;
    case O::F32Trunc: float_round(false, RoundingMode::Rtz); return true;
    case O::F32Nearest: float_round(false, RoundingMode::Rne); return true;
    case O::F64Ceil: float_round(true, RoundingMode::Rup); return true;
    case O::F64Floor: float_round(true, RoundingMode::Rdn); return true;
    case O::F64Trunc: float_round(true, RoundingMode::Rtz); return true;
    case O::F64Nearest: float_round(true, RoundingMode::Rne); return true;
    case O::F32Abs: case O::F32Neg: case O::F32Sqrt: case O::F64Abs: case O::F64Neg: case O::F64Sqrt: {
        bool is64 = op >= O::F64Abs;
        FpReg a = m_stack.pop_fp_read();
        m_stack.release(a);
        FpReg r = m_stack.alloc_fp();
        floats::unary(m_asm, op, r, a);
        m_stack.push_fp(is64 ? ValueType::F64 : ValueType::F32, r);
        return true;
    }
    case O::F32Eq: case O::F32Ne: case O::F32Lt: case O::F32Gt: case O::F32Le: case O::F32Ge:
    case O::F64Eq: case O::F64Ne: case O::F64Lt: case O::F64Gt: case O::F64Le: case O::F64Ge: {
        FpReg b = m_stack.pop_fp_read();
        FpReg a = m_stack.pop_fp_read();
        m_stack.release(a);
        m_stack.release(b);
        GpReg r = m_stack.alloc_gp();
        floats::compare(m_asm, op, r, a, b);
        m_stack.push_gp(ValueType::I32, r);
        return true;
    }
    default:
        return false;
    }
}

void Compiler::truncate(Opcode op) noexcept
{
    floats::Truncation t;
    floats::truncation_of(op, t);
    FpReg x = m_stack.pop_fp();
    m_stack.release(x);
    GpReg r = m_stack.alloc_gp();
    Label invalid, overflow;
    if (!t.saturating) {
        invalid = trap_label(TrapCode::InvalidConversion);
        overflow = trap_label(TrapCode::IntegerOverflow);
    }
    floats::truncate(m_asm, t, r, x, t4, invalid, overflow);
    m_stack.push_gp(t.to64 ? ValueType::I64 : ValueType::I32, r);
}

bool Compiler::conversion_op(Opcode op) noexcept
{
    using O = Opcode;
    switch (op) {
    case O::I32TruncF32S: case O::I32TruncF32U: case O::I32TruncF64S: case O::I32TruncF64U:
    case O::I64TruncF32S: case O::I64TruncF32U: case O::I64TruncF64S: case O::I64TruncF64U:
    case O::I32TruncSatF32S: case O::I32TruncSatF32U: case O::I32TruncSatF64S: case O::I32TruncSatF64U:
    case O::I64TruncSatF32S: case O::I64TruncSatF32U: case O::I64TruncSatF64S: case O::I64TruncSatF64U:
        truncate(op); // trapping or saturating, by the opcode
        return true;
    case O::F32ConvertI32S: case O::F32ConvertI32U: case O::F32ConvertI64S: case O::F32ConvertI64U:
    case O::F64ConvertI32S: case O::F64ConvertI32U: case O::F64ConvertI64S: case O::F64ConvertI64U:
    case O::F32ReinterpretI32: case O::F64ReinterpretI64: {
        GpReg a = m_stack.pop_gp_read();
        m_stack.release(a);
        FpReg r = m_stack.alloc_fp();
        floats::from_integer(m_asm, op, r, a);
        bool is64 = op == O::F64ConvertI32S || op == O::F64ConvertI32U || op == O::F64ConvertI64S || op == O::F64ConvertI64U
            || op == O::F64ReinterpretI64;
        m_stack.push_fp(is64 ? ValueType::F64 : ValueType::F32, r);
        return true;
    }
    case O::F32DemoteF64: case O::F64PromoteF32: {
        FpReg a = m_stack.pop_fp_read();
        m_stack.release(a);
        FpReg r = m_stack.alloc_fp();
        floats::unary(m_asm, op, r, a);
        m_stack.push_fp(op == O::F32DemoteF64 ? ValueType::F32 : ValueType::F64, r);
        return true;
    }
    case O::I32ReinterpretF32: case O::I64ReinterpretF64: {
        FpReg a = m_stack.pop_fp_read();
        m_stack.release(a);
        GpReg r = m_stack.alloc_gp();
        floats::to_bits(m_asm, op, r, a);
        m_stack.push_gp(op == O::I32ReinterpretF32 ? ValueType::I32 : ValueType::I64, r);
        return true;
    }
    default:
        return false;
    }
}

} // namespace k23::jit::baseline
