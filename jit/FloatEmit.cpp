// The scalar floating-point sequences of both tiers (FloatEmit.h).

#include <jit/FloatEmit.h>

namespace k23::jit::floats {

using O = wasm::Opcode;
using riscv64::zero;

namespace {

constexpr u32 fflags_csr = 0x001;   // Unprivileged ISA §11.2 fcsr
constexpr u32 fflags_invalid = 0x10; // NV
constexpr RoundingMode rne = RoundingMode::Rne;

} // namespace

bool binary(Assembler& a, O op, FpReg r, FpReg x, FpReg y) noexcept
{
    switch (op) {
    case O::F32Add: a.fadd_s(r, x, y, rne); return true;
    case O::F32Sub: a.fsub_s(r, x, y, rne); return true;
    case O::F32Mul: a.fmul_s(r, x, y, rne); return true;
    case O::F32Div: a.fdiv_s(r, x, y, rne); return true;
    case O::F32Copysign: a.fsgnj_s(r, x, y); return true;
    case O::F64Add: a.fadd_d(r, x, y, rne); return true;
    case O::F64Sub: a.fsub_d(r, x, y, rne); return true;
    case O::F64Mul: a.fmul_d(r, x, y, rne); return true;
    case O::F64Div: a.fdiv_d(r, x, y, rne); return true;
    case O::F64Copysign: a.fsgnj_d(r, x, y); return true;
    default: return false;
    }
}

bool unary(Assembler& a, O op, FpReg r, FpReg x) noexcept
{
    switch (op) {
    case O::F32Abs: a.fabs_s(r, x); return true;
    case O::F32Neg: a.fneg_s(r, x); return true;
    case O::F32Sqrt: a.fsqrt_s(r, x, rne); return true;
    case O::F64Abs: a.fabs_d(r, x); return true;
    case O::F64Neg: a.fneg_d(r, x); return true;
    case O::F64Sqrt: a.fsqrt_d(r, x, rne); return true;
    case O::F32DemoteF64: a.fcvt_s_d(r, x, rne); return true;
    case O::F64PromoteF32: a.fcvt_d_s(r, x, rne); return true;
    default: return false;
    }
}

bool compare(Assembler& a, O op, GpReg r, FpReg x, FpReg y) noexcept
{
    switch (op) {
    case O::F32Eq: a.feq_s(r, x, y); return true;
    case O::F32Ne: a.feq_s(r, x, y); a.xori(r, r, 1); return true;
    case O::F32Lt: a.flt_s(r, x, y); return true;
    case O::F32Gt: a.flt_s(r, y, x); return true;
    case O::F32Le: a.fle_s(r, x, y); return true;
    case O::F32Ge: a.fle_s(r, y, x); return true;
    case O::F64Eq: a.feq_d(r, x, y); return true;
    case O::F64Ne: a.feq_d(r, x, y); a.xori(r, r, 1); return true;
    case O::F64Lt: a.flt_d(r, x, y); return true;
    case O::F64Gt: a.flt_d(r, y, x); return true;
    case O::F64Le: a.fle_d(r, x, y); return true;
    case O::F64Ge: a.fle_d(r, y, x); return true;
    default: return false;
    }
}

bool from_integer(Assembler& a, O op, FpReg r, GpReg x) noexcept
{
    switch (op) {
    case O::F32ConvertI32S: a.fcvt_s_w(r, x, rne); return true;
    case O::F32ConvertI32U: a.fcvt_s_wu(r, x, rne); return true;
    case O::F32ConvertI64S: a.fcvt_s_l(r, x, rne); return true;
    case O::F32ConvertI64U: a.fcvt_s_lu(r, x, rne); return true;
    case O::F64ConvertI32S: a.fcvt_d_w(r, x, rne); return true;
    case O::F64ConvertI32U: a.fcvt_d_wu(r, x, rne); return true;
    case O::F64ConvertI64S: a.fcvt_d_l(r, x, rne); return true;
    case O::F64ConvertI64U: a.fcvt_d_lu(r, x, rne); return true;
    case O::F32ReinterpretI32: a.fmv_w_x(r, x); return true;
    case O::F64ReinterpretI64: a.fmv_d_x(r, x); return true;
    default: return false;
    }
}

bool to_bits(Assembler& a, O op, GpReg r, FpReg x) noexcept
{
    switch (op) {
    case O::I32ReinterpretF32: a.fmv_x_w(r, x); return true;
    case O::I64ReinterpretF64: a.fmv_x_d(r, x); return true;
    default: return false;
    }
}

// Both operands numbers: one taken branch to fmin/fmax.
void min_max(Assembler& a, bool is64, bool is_min, FpReg r, FpReg x, FpReg y, GpReg s1, GpReg s2) noexcept
{
    Label numbers = a.new_label(), done = a.new_label();
    is64 ? a.feq_d(s1, x, x) : a.feq_s(s1, x, x);
    is64 ? a.feq_d(s2, y, y) : a.feq_s(s2, y, y);
    a.and_(s1, s1, s2);
    a.bnez(s1, numbers);
    is64 ? a.fadd_d(r, x, y, rne) : a.fadd_s(r, x, y, rne);
    a.j(done);
    a.bind(numbers);
    if (is64)
        is_min ? a.fmin_d(r, x, y) : a.fmax_d(r, x, y);
    else
        is_min ? a.fmin_s(r, x, y) : a.fmax_s(r, x, y);
    a.bind(done);
}

// The biased exponent from the bits (sign shifted out) against that of
// 2^52 (2^23): no float constant to build.
void round(Assembler& a, bool is64, RoundingMode mode, FpReg r, FpReg x, GpReg s1, GpReg s2, FpReg temp) noexcept
{
    FpReg out = r == x ? temp : r; // x is read after the result is written
    Label large = a.new_label(), done = a.new_label();
    // f64: 11 exponent bits under the sign, bias 1023, 52 fraction bits;
    // f32 (the low word): 8, 127 and 23.
    is64 ? a.fmv_x_d(s1, x) : a.fmv_x_w(s1, x);
    a.slli(s1, s1, is64 ? 1 : 33);
    a.srli(s1, s1, is64 ? 53 : 56);
    a.li(s2, is64 ? 1023 + 52 : 127 + 23);
    a.bgeu(s1, s2, large);
    is64 ? a.fcvt_l_d(s1, x, mode) : a.fcvt_l_s(s1, x, mode);
    is64 ? a.fcvt_d_l(out, s1, mode) : a.fcvt_s_l(out, s1, mode);
    is64 ? a.fsgnj_d(out, out, x) : a.fsgnj_s(out, out, x);
    a.j(done);
    a.bind(large);
    is64 ? a.fmin_d(out, x, x) : a.fmin_s(out, x, x);
    a.bind(done);
    if (out != r)
        is64 ? a.fmv_d(r, out) : a.fmv_s(r, out);
}

bool truncation_of(O op, Truncation& t) noexcept
{
    t = {};
    switch (op) {
    case O::I32TruncSatF32S: t.saturating = true; [[fallthrough]];
    case O::I32TruncF32S: t.is_signed = true; return true;
    case O::I32TruncSatF32U: t.saturating = true; [[fallthrough]];
    case O::I32TruncF32U: return true;
    case O::I32TruncSatF64S: t.saturating = true; [[fallthrough]];
    case O::I32TruncF64S: t.is_signed = t.from64 = true; return true;
    case O::I32TruncSatF64U: t.saturating = true; [[fallthrough]];
    case O::I32TruncF64U: t.from64 = true; return true;
    case O::I64TruncSatF32S: t.saturating = true; [[fallthrough]];
    case O::I64TruncF32S: t.is_signed = t.to64 = true; return true;
    case O::I64TruncSatF32U: t.saturating = true; [[fallthrough]];
    case O::I64TruncF32U: t.to64 = true; return true;
    case O::I64TruncSatF64S: t.saturating = true; [[fallthrough]];
    case O::I64TruncF64S: t.is_signed = t.to64 = t.from64 = true; return true;
    case O::I64TruncSatF64U: t.saturating = true; [[fallthrough]];
    case O::I64TruncF64U: t.to64 = t.from64 = true; return true;
    default: return false;
    }
}

void truncate(Assembler& a, const Truncation& t, GpReg r, FpReg x, GpReg flag, Label invalid, Label overflow) noexcept
{
    t.from64 ? a.feq_d(flag, x, x) : a.feq_s(flag, x, x);
    if (!t.saturating) {
        a.beqz(flag, invalid);
        a.csrrw(zero, fflags_csr, zero);
    }
    constexpr RoundingMode rtz = RoundingMode::Rtz;
    if (t.from64) {
        if (t.to64)
            t.is_signed ? a.fcvt_l_d(r, x, rtz) : a.fcvt_lu_d(r, x, rtz);
        else
            t.is_signed ? a.fcvt_w_d(r, x, rtz) : a.fcvt_wu_d(r, x, rtz);
    } else {
        if (t.to64)
            t.is_signed ? a.fcvt_l_s(r, x, rtz) : a.fcvt_lu_s(r, x, rtz);
        else
            t.is_signed ? a.fcvt_w_s(r, x, rtz) : a.fcvt_wu_s(r, x, rtz);
    }
    if (t.saturating) {
        a.neg(flag, flag);
        a.and_(r, r, flag);
    } else {
        a.csrrs(flag, fflags_csr, zero);
        a.andi(flag, flag, fflags_invalid);
        a.bnez(flag, overflow);
    }
}

} // namespace k23::jit::floats
