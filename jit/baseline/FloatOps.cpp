// Floating-point operations and conversions of the baseline tier (core
// spec 2.0 §4.3.3 floating-point operations, §4.3.4 conversions).
//
// NaNs: RISC-V arithmetic returns the canonical NaN for every NaN result,
// which is both a canonical and an arithmetic NaN (§4.3.3 "NaN
// propagation"); abs/neg/copysign are sign-bit operations (fsgnj*) and keep
// payloads exactly. fmin/fmax return the non-NaN operand, so min/max
// check for NaN first; their -0 < +0 ordering is already wasm's.
// Rounding: fcvt to a 64-bit integer in the wanted rounding mode and back,
// for magnitudes below 2^23 (f32) / 2^52 (f64) — larger values are already
// integral; the sign is copied back so -0.5 rounds to -0.

#include <jit/baseline/Compiler.h>

namespace k23::jit::baseline {

namespace {

constexpr u32 fflags_csr = 0x001;
constexpr u32 fflags_invalid = 0x10;

} // namespace

void Compiler::float_min_max(bool is64, bool is_min) noexcept
{
    FpReg b = pop_fp_read();
    FpReg a = pop_fp_read();
    release(a);
    release(b);
    FpReg r = alloc_fp();
    Label nan = m_asm.new_label();
    Label done = m_asm.new_label();
    if (is64) {
        m_asm.feq_d(t4, a, a);
        m_asm.feq_d(t5, b, b);
    } else {
        m_asm.feq_s(t4, a, a);
        m_asm.feq_s(t5, b, b);
    }
    m_asm.and_(t4, t4, t5);
    m_asm.beqz(t4, nan);
    if (is64) {
        if (is_min)
            m_asm.fmin_d(r, a, b);
        else
            m_asm.fmax_d(r, a, b);
    } else {
        if (is_min)
            m_asm.fmin_s(r, a, b);
        else
            m_asm.fmax_s(r, a, b);
    }
    m_asm.j(done);
    m_asm.bind(nan);
    if (is64)
        m_asm.fadd_d(r, a, b, RoundingMode::Rne);
    else
        m_asm.fadd_s(r, a, b, RoundingMode::Rne);
    m_asm.bind(done);
    push_fp(is64 ? ValueType::F64 : ValueType::F32, r);
}

void Compiler::float_round(bool is64, RoundingMode mode) noexcept
{
    FpReg x = pop_fp();
    FpReg r = alloc_fp(); // distinct from x: x is read after r is written
    Label large = m_asm.new_label();
    Label done = m_asm.new_label();
    if (is64) {
        m_asm.fabs_d(ft10, x);
        m_asm.li(t4, i64(0x4330000000000000ull)); // 2^52
        m_asm.fmv_d_x(ft11, t4);
        m_asm.flt_d(t4, ft10, ft11);
        m_asm.beqz(t4, large);
        m_asm.fcvt_l_d(t4, x, mode);
        m_asm.fcvt_d_l(r, t4, mode);
        m_asm.fsgnj_d(r, r, x);
        m_asm.j(done);
        m_asm.bind(large);
        m_asm.fmin_d(r, x, x); // x, or the canonical NaN for a NaN
    } else {
        m_asm.fabs_s(ft10, x);
        m_asm.li(t4, 0x4b000000); // 2^23
        m_asm.fmv_w_x(ft11, t4);
        m_asm.flt_s(t4, ft10, ft11);
        m_asm.beqz(t4, large);
        m_asm.fcvt_l_s(t4, x, mode);
        m_asm.fcvt_s_l(r, t4, mode);
        m_asm.fsgnj_s(r, r, x);
        m_asm.j(done);
        m_asm.bind(large);
        m_asm.fmin_s(r, x, x);
    }
    m_asm.bind(done);
    push_fp(is64 ? ValueType::F64 : ValueType::F32, r);
}

bool Compiler::float_op(Opcode op) noexcept
{
    using O = Opcode;
    switch (op) {
    case O::F32Add: case O::F32Sub: case O::F32Mul: case O::F32Div: case O::F32Copysign:
    case O::F64Add: case O::F64Sub: case O::F64Mul: case O::F64Div: case O::F64Copysign: {
        bool is64 = op >= O::F64Abs;
        FpReg b = pop_fp_read();
        FpReg a = pop_fp_read();
        release(a);
        release(b);
        FpReg r = alloc_fp();
        constexpr RoundingMode rne = RoundingMode::Rne;
        switch (op) {
        case O::F32Add: m_asm.fadd_s(r, a, b, rne); break;
        case O::F32Sub: m_asm.fsub_s(r, a, b, rne); break;
        case O::F32Mul: m_asm.fmul_s(r, a, b, rne); break;
        case O::F32Div: m_asm.fdiv_s(r, a, b, rne); break;
        case O::F32Copysign: m_asm.fsgnj_s(r, a, b); break;
        case O::F64Add: m_asm.fadd_d(r, a, b, rne); break;
        case O::F64Sub: m_asm.fsub_d(r, a, b, rne); break;
        case O::F64Mul: m_asm.fmul_d(r, a, b, rne); break;
        case O::F64Div: m_asm.fdiv_d(r, a, b, rne); break;
        default: m_asm.fsgnj_d(r, a, b); break;
        }
        push_fp(is64 ? ValueType::F64 : ValueType::F32, r);
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
        FpReg a = pop_fp_read();
        release(a);
        FpReg r = alloc_fp();
        switch (op) {
        case O::F32Abs: m_asm.fabs_s(r, a); break;
        case O::F32Neg: m_asm.fneg_s(r, a); break;
        case O::F32Sqrt: m_asm.fsqrt_s(r, a, RoundingMode::Rne); break;
        case O::F64Abs: m_asm.fabs_d(r, a); break;
        case O::F64Neg: m_asm.fneg_d(r, a); break;
        default: m_asm.fsqrt_d(r, a, RoundingMode::Rne); break;
        }
        push_fp(is64 ? ValueType::F64 : ValueType::F32, r);
        return true;
    }
    case O::F32Eq: case O::F32Ne: case O::F32Lt: case O::F32Gt: case O::F32Le: case O::F32Ge:
    case O::F64Eq: case O::F64Ne: case O::F64Lt: case O::F64Gt: case O::F64Le: case O::F64Ge: {
        bool is64 = op >= O::F64Eq;
        FpReg b = pop_fp_read();
        FpReg a = pop_fp_read();
        release(a);
        release(b);
        GpReg r = alloc_gp();
        switch (op) {
        case O::F32Eq: m_asm.feq_s(r, a, b); break;
        case O::F32Ne: m_asm.feq_s(r, a, b); m_asm.xori(r, r, 1); break;
        case O::F32Lt: m_asm.flt_s(r, a, b); break;
        case O::F32Gt: m_asm.flt_s(r, b, a); break;
        case O::F32Le: m_asm.fle_s(r, a, b); break;
        case O::F32Ge: m_asm.fle_s(r, b, a); break;
        case O::F64Eq: m_asm.feq_d(r, a, b); break;
        case O::F64Ne: m_asm.feq_d(r, a, b); m_asm.xori(r, r, 1); break;
        case O::F64Lt: m_asm.flt_d(r, a, b); break;
        case O::F64Gt: m_asm.flt_d(r, b, a); break;
        case O::F64Le: m_asm.fle_d(r, a, b); break;
        default: m_asm.fle_d(r, b, a); break;
        }
        (void)is64;
        push_gp(ValueType::I32, r);
        return true;
    }
    default:
        return false;
    }
}

// §4.3.4 trunc_u/trunc_s (trapping): NaN -> "invalid conversion to integer",
// out of range -> "integer overflow" (fcvt raises the invalid flag exactly
// when the rounded value does not fit); trunc_sat: NaN -> 0, otherwise
// fcvt's saturation is the spec's.
void Compiler::truncate(Opcode op, bool saturating) noexcept
{
    using O = Opcode;
    bool from64 = false, to64 = false, is_signed = false;
    switch (op) {
    case O::I32TruncF32S: case O::I32TruncSatF32S: is_signed = true; break;
    case O::I32TruncF32U: case O::I32TruncSatF32U: break;
    case O::I32TruncF64S: case O::I32TruncSatF64S: is_signed = true; from64 = true; break;
    case O::I32TruncF64U: case O::I32TruncSatF64U: from64 = true; break;
    case O::I64TruncF32S: case O::I64TruncSatF32S: is_signed = true; to64 = true; break;
    case O::I64TruncF32U: case O::I64TruncSatF32U: to64 = true; break;
    case O::I64TruncF64S: case O::I64TruncSatF64S: is_signed = true; to64 = true; from64 = true; break;
    default: to64 = true; from64 = true; break;
    }
    FpReg x = pop_fp();
    release(x);
    GpReg r = alloc_gp();
    if (from64)
        m_asm.feq_d(t4, x, x);
    else
        m_asm.feq_s(t4, x, x);
    if (!saturating) {
        m_asm.beqz(t4, trap_label(TrapCode::InvalidConversion));
        m_asm.csrrw(zero, fflags_csr, zero);
    }
    constexpr RoundingMode rtz = RoundingMode::Rtz;
    if (from64) {
        if (to64)
            is_signed ? m_asm.fcvt_l_d(r, x, rtz) : m_asm.fcvt_lu_d(r, x, rtz);
        else
            is_signed ? m_asm.fcvt_w_d(r, x, rtz) : m_asm.fcvt_wu_d(r, x, rtz);
    } else {
        if (to64)
            is_signed ? m_asm.fcvt_l_s(r, x, rtz) : m_asm.fcvt_lu_s(r, x, rtz);
        else
            is_signed ? m_asm.fcvt_w_s(r, x, rtz) : m_asm.fcvt_wu_s(r, x, rtz);
    }
    if (saturating) {
        m_asm.neg(t4, t4);
        m_asm.and_(r, r, t4);
    } else {
        m_asm.csrrs(t4, fflags_csr, zero);
        m_asm.andi(t4, t4, fflags_invalid);
        m_asm.bnez(t4, trap_label(TrapCode::IntegerOverflow));
    }
    push_gp(to64 ? ValueType::I64 : ValueType::I32, r);
}

bool Compiler::conversion_op(Opcode op) noexcept
{
    using O = Opcode;
    constexpr RoundingMode rne = RoundingMode::Rne;
    switch (op) {
    case O::I32TruncF32S: case O::I32TruncF32U: case O::I32TruncF64S: case O::I32TruncF64U:
    case O::I64TruncF32S: case O::I64TruncF32U: case O::I64TruncF64S: case O::I64TruncF64U:
        truncate(op, false);
        return true;
    case O::I32TruncSatF32S: case O::I32TruncSatF32U: case O::I32TruncSatF64S: case O::I32TruncSatF64U:
    case O::I64TruncSatF32S: case O::I64TruncSatF32U: case O::I64TruncSatF64S: case O::I64TruncSatF64U:
        truncate(op, true);
        return true;
    case O::F32ConvertI32S: case O::F32ConvertI32U: case O::F32ConvertI64S: case O::F32ConvertI64U:
    case O::F64ConvertI32S: case O::F64ConvertI32U: case O::F64ConvertI64S: case O::F64ConvertI64U:
    case O::F32ReinterpretI32: case O::F64ReinterpretI64: {
        GpReg a = pop_gp_read();
        release(a);
        FpReg r = alloc_fp();
        ValueType type = ValueType::F32;
        switch (op) {
        case O::F32ConvertI32S: m_asm.fcvt_s_w(r, a, rne); break;
        case O::F32ConvertI32U: m_asm.fcvt_s_wu(r, a, rne); break;
        case O::F32ConvertI64S: m_asm.fcvt_s_l(r, a, rne); break;
        case O::F32ConvertI64U: m_asm.fcvt_s_lu(r, a, rne); break;
        case O::F32ReinterpretI32: m_asm.fmv_w_x(r, a); break;
        case O::F64ConvertI32S: m_asm.fcvt_d_w(r, a, rne); type = ValueType::F64; break;
        case O::F64ConvertI32U: m_asm.fcvt_d_wu(r, a, rne); type = ValueType::F64; break;
        case O::F64ConvertI64S: m_asm.fcvt_d_l(r, a, rne); type = ValueType::F64; break;
        case O::F64ConvertI64U: m_asm.fcvt_d_lu(r, a, rne); type = ValueType::F64; break;
        default: m_asm.fmv_d_x(r, a); type = ValueType::F64; break;
        }
        push_fp(type, r);
        return true;
    }
    case O::F32DemoteF64: case O::F64PromoteF32: {
        FpReg a = pop_fp_read();
        release(a);
        FpReg r = alloc_fp();
        if (op == O::F32DemoteF64) {
            m_asm.fcvt_s_d(r, a, rne);
            push_fp(ValueType::F32, r);
        } else {
            m_asm.fcvt_d_s(r, a, rne);
            push_fp(ValueType::F64, r);
        }
        return true;
    }
    case O::I32ReinterpretF32: case O::I64ReinterpretF64: {
        FpReg a = pop_fp_read();
        release(a);
        GpReg r = alloc_gp();
        if (op == O::I32ReinterpretF32) {
            m_asm.fmv_x_w(r, a);
            push_gp(ValueType::I32, r);
        } else {
            m_asm.fmv_x_d(r, a);
            push_gp(ValueType::I64, r);
        }
        return true;
    }
    default:
        return false;
    }
}

} // namespace k23::jit::baseline
