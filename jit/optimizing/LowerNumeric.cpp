// The optimizing tier's lowering of numeric instructions and select (core
// spec 2.0 §4.3 "Numerics"), as the baseline's (jit/baseline/IntegerOps.cpp);
// the float sequences are the baseline's own (jit/FloatEmit.h).

#include <jit/optimizing/Lowerer.h>

namespace k23::jit::optimizing::detail {

void Lowerer::lower_select(InstId i) noexcept
{
    Span<const ValueId> args = m_f.args(i);
    ValueId v = m_f.result(i);
    Type t = m_f.values[v].type;
    if (!is_float(t)) {
        GpReg c = use_gp(args[0], t3);
        GpReg a = use_gp(args[1], t4);
        GpReg b = use_gp(args[2], t5);
        GpReg rd = def_gp(v);
        if (m_asm.has(Extension::Zicond)) {
            // Branchless: (a if c) | (b if !c).
            m_asm.czero_eqz(t4, a, c);
            m_asm.czero_nez(t5, b, c);
            m_asm.or_(rd, t4, t5);
        } else {
            Label take_a = m_asm.new_label(), done = m_asm.new_label();
            m_asm.bnez(c, take_a);
            m_asm.mv(rd, b);
            m_asm.j(done);
            m_asm.bind(take_a);
            m_asm.mv(rd, a);
            m_asm.bind(done);
        }
        finish_gp(v, rd);
        return;
    }
    // Float constants go through t3: the condition is read after them.
    FpReg a = use_fp(args[1], ft10);
    FpReg b = use_fp(args[2], ft11);
    GpReg c = use_gp(args[0], t3);
    FpReg rd = def_fp(v);
    Label take_a = m_asm.new_label(), done = m_asm.new_label();
    m_asm.bnez(c, take_a);
    m_asm.fmv_d(rd, b);
    m_asm.j(done);
    m_asm.bind(take_a);
    m_asm.fmv_d(rd, a);
    m_asm.bind(done);
    finish_fp(v, rd);
}

void Lowerer::lower_numeric(InstId i) noexcept
{
    if (lower_scaled_add(i) || lower_int(i) || lower_float(i))
        return;
    m_asm.code().set_error(Error::formatted(ErrorCode::Unsupported, "optimizing: {} not lowered"_sv,
        wasm::opcode_info(m_f.insts[i].wasm_op).name));
}

void Lowerer::lower_divrem(InstId i, bool is64) noexcept
{
    const Inst& inst = m_f.insts[i];
    Span<const ValueId> args = m_f.args(i);
    ValueId v = m_f.result(i);
    GpReg a = use_gp(args[0], t4);
    GpReg b = use_gp(args[1], t5);
    O op = inst.wasm_op;
    m_asm.beqz(b, trap_label(TrapCode::IntegerDivideByZero, m_offset));
    bool is_div_s = op == O::I32DivS || op == O::I64DivS;
    if (is_div_s) {
        // INT_MIN / -1 overflows (§4.3.2 idiv_s).
        Label fine = m_asm.new_label();
        m_asm.li(t3, -1);
        m_asm.bne(b, t3, fine);
        if (is64) {
            m_asm.slli(t3, t3, 63);
        } else {
            m_asm.lui(t3, 0x80000); // sign-extended INT32_MIN
        }
        m_asm.beq(a, t3, trap_label(TrapCode::IntegerOverflow, m_offset));
        m_asm.bind(fine);
    }
    GpReg rd = def_gp(v);
    switch (op) {
    case O::I32DivS: m_asm.divw(rd, a, b); break;
    case O::I32DivU: m_asm.divuw(rd, a, b); break;
    case O::I32RemS: m_asm.remw(rd, a, b); break; // INT_MIN % -1 is 0 on RISC-V too
    case O::I32RemU: m_asm.remuw(rd, a, b); break;
    case O::I64DivS: m_asm.div(rd, a, b); break;
    case O::I64DivU: m_asm.divu(rd, a, b); break;
    case O::I64RemS: m_asm.rem(rd, a, b); break;
    default: m_asm.remu(rd, a, b); break;
    }
    finish_gp(v, rd);
}

bool Lowerer::lower_int(InstId i) noexcept
{
    const Inst& inst = m_f.insts[i];
    Span<const ValueId> args = m_f.args(i);
    ValueId v = m_f.result(i);
    O op = inst.wasm_op;
    i64 k = 0;
    switch (op) {
    case O::I32DivS: case O::I32DivU: case O::I32RemS: case O::I32RemU:
        lower_divrem(i, false);
        return true;
    case O::I64DivS: case O::I64DivU: case O::I64RemS: case O::I64RemU:
        lower_divrem(i, true);
        return true;
    case O::I32Add: case O::I32Sub: case O::I32And: case O::I32Or: case O::I32Xor:
    case O::I32Shl: case O::I32ShrS: case O::I32ShrU:
    case O::I64Add: case O::I64Sub: case O::I64And: case O::I64Or: case O::I64Xor:
    case O::I64Shl: case O::I64ShrS: case O::I64ShrU:
    case O::I32Rotr: case O::I64Rotr: case O::I32Rotl: case O::I64Rotl: {
        GpReg a = use_gp(args[0], t4);
        bool imm = small_const(args[1], k);
        if (imm && (op == O::I32Sub || op == O::I64Sub))
            imm = MacroAssembler::fits_imm12(-k);
        if (imm && (op == O::I32Rotl || op == O::I64Rotl))
            imm = false;
        GpReg b = imm ? zero : use_gp(args[1], t5);
        GpReg rd = def_gp(v);
        switch (op) {
        case O::I32Add: imm ? m_asm.addiw(rd, a, i32(k)) : m_asm.addw(rd, a, b); break;
        case O::I32Sub: imm ? m_asm.addiw(rd, a, i32(-k)) : m_asm.subw(rd, a, b); break;
        case O::I64Add: imm ? m_asm.addi(rd, a, i32(k)) : m_asm.add(rd, a, b); break;
        case O::I64Sub: imm ? m_asm.addi(rd, a, i32(-k)) : m_asm.sub(rd, a, b); break;
        case O::I32And: case O::I64And: imm ? m_asm.andi(rd, a, i32(k)) : m_asm.and_(rd, a, b); break;
        case O::I32Or: case O::I64Or: imm ? m_asm.ori(rd, a, i32(k)) : m_asm.or_(rd, a, b); break;
        case O::I32Xor: case O::I64Xor: imm ? m_asm.xori(rd, a, i32(k)) : m_asm.xor_(rd, a, b); break;
        case O::I32Shl: imm ? m_asm.slliw(rd, a, u32(k) & 31) : m_asm.sllw(rd, a, b); break;
        case O::I32ShrS: imm ? m_asm.sraiw(rd, a, u32(k) & 31) : m_asm.sraw(rd, a, b); break;
        case O::I32ShrU: imm ? m_asm.srliw(rd, a, u32(k) & 31) : m_asm.srlw(rd, a, b); break;
        case O::I64Shl: imm ? m_asm.slli(rd, a, u32(k) & 63) : m_asm.sll(rd, a, b); break;
        case O::I64ShrS: imm ? m_asm.srai(rd, a, u32(k) & 63) : m_asm.sra(rd, a, b); break;
        case O::I64ShrU: imm ? m_asm.srli(rd, a, u32(k) & 63) : m_asm.srl(rd, a, b); break;
        case O::I32Rotr: imm ? m_asm.roriw(rd, a, u32(k) & 31) : m_asm.rorw(rd, a, b); break;
        case O::I64Rotr: imm ? m_asm.rori(rd, a, u32(k) & 63) : m_asm.ror(rd, a, b); break;
        case O::I32Rotl: m_asm.rolw(rd, a, b); break;
        default: m_asm.rol(rd, a, b); break; // I64Rotl
        }
        finish_gp(v, rd);
        return true;
    }
    case O::I32Mul: case O::I64Mul: {
        GpReg a = use_gp(args[0], t4);
        GpReg b = use_gp(args[1], t5);
        GpReg rd = def_gp(v);
        op == O::I32Mul ? m_asm.mulw(rd, a, b) : m_asm.mul(rd, a, b);
        finish_gp(v, rd);
        return true;
    }
    case O::I32Eqz: case O::I64Eqz: {
        GpReg a = use_gp(args[0], t4);
        GpReg rd = def_gp(v);
        m_asm.seqz(rd, a);
        finish_gp(v, rd);
        return true;
    }
    case O::I32Eq: case O::I32Ne: case O::I64Eq: case O::I64Ne: {
        GpReg a = use_gp(args[0], t4);
        GpReg b = use_gp(args[1], t5);
        GpReg rd = def_gp(v);
        GpReg x = a;
        if (b.id() != zero.id()) {
            m_asm.xor_(t4, a, b);
            x = t4;
        }
        op == O::I32Eq || op == O::I64Eq ? m_asm.seqz(rd, x) : m_asm.snez(rd, x);
        finish_gp(v, rd);
        return true;
    }
    case O::I32LtS: case O::I32LtU: case O::I32GtS: case O::I32GtU: case O::I32LeS: case O::I32LeU: case O::I32GeS: case O::I32GeU:
    case O::I64LtS: case O::I64LtU: case O::I64GtS: case O::I64GtU: case O::I64LeS: case O::I64LeU: case O::I64GeS: case O::I64GeU: {
        GpReg a = use_gp(args[0], t4);
        GpReg b = use_gp(args[1], t5);
        GpReg rd = def_gp(v);
        bool swap;
        BranchCondition cond = compare_condition(op, swap);
        GpReg l = swap ? b : a, r = swap ? a : b;
        bool is_unsigned = cond == BranchCondition::Ltu || cond == BranchCondition::Geu;
        is_unsigned ? m_asm.sltu(rd, l, r) : m_asm.slt(rd, l, r);
        if (cond == BranchCondition::Ge || cond == BranchCondition::Geu)
            m_asm.xori(rd, rd, 1);
        finish_gp(v, rd);
        return true;
    }
    case O::I32Clz: case O::I32Ctz: case O::I32Popcnt: case O::I64Clz: case O::I64Ctz: case O::I64Popcnt:
    case O::I32Extend8S: case O::I32Extend16S: case O::I64Extend8S: case O::I64Extend16S: case O::I64Extend32S:
    case O::I32WrapI64: case O::I64ExtendI32S: case O::I64ExtendI32U: {
        GpReg a = use_gp(args[0], t4);
        GpReg rd = def_gp(v);
        switch (op) {
        case O::I32Clz: m_asm.clzw(rd, a); break;
        case O::I32Ctz: m_asm.ctzw(rd, a); break;
        case O::I32Popcnt: m_asm.cpopw(rd, a); break;
        case O::I64Clz: m_asm.clz(rd, a); break;
        case O::I64Ctz: m_asm.ctz(rd, a); break;
        case O::I64Popcnt: m_asm.cpop(rd, a); break;
        case O::I32Extend8S: case O::I64Extend8S: m_asm.sign_extend(rd, a, 8); break;
        case O::I32Extend16S: case O::I64Extend16S: m_asm.sign_extend(rd, a, 16); break;
        case O::I64ExtendI32U: m_asm.zero_extend_word(rd, a); break;
        default: m_asm.sext_w(rd, a); break; // wrap, extend_i32_s, extend32_s
        }
        finish_gp(v, rd);
        return true;
    }
    case O::I32ReinterpretF32: case O::I64ReinterpretF64: {
        FpReg a = use_fp(args[0], ft10);
        GpReg rd = def_gp(v);
        floats::to_bits(m_asm, op, rd, a);
        finish_gp(v, rd);
        return true;
    }
    case O::I32TruncF32S: case O::I32TruncF32U: case O::I32TruncF64S: case O::I32TruncF64U:
    case O::I64TruncF32S: case O::I64TruncF32U: case O::I64TruncF64S: case O::I64TruncF64U:
    case O::I32TruncSatF32S: case O::I32TruncSatF32U: case O::I32TruncSatF64S: case O::I32TruncSatF64U:
    case O::I64TruncSatF32S: case O::I64TruncSatF32U: case O::I64TruncSatF64S: case O::I64TruncSatF64U:
        lower_truncate(i);
        return true;
    default: return false;
    }
}

void Lowerer::lower_truncate(InstId i) noexcept
{
    floats::Truncation t;
    floats::truncation_of(m_f.insts[i].wasm_op, t);
    ValueId v = m_f.result(i);
    FpReg x = use_fp(m_f.args(i)[0], ft10);
    GpReg rd = def_gp(v);
    Label invalid, overflow;
    if (!t.saturating) {
        invalid = trap_label(TrapCode::InvalidConversion, m_offset);
        overflow = trap_label(TrapCode::IntegerOverflow, m_offset);
    }
    floats::truncate(m_asm, t, rd, x, t5, invalid, overflow);
    finish_gp(v, rd);
}

void Lowerer::lower_round(InstId i, bool is64, RoundingMode mode) noexcept
{
    ValueId v = m_f.result(i);
    FpReg x = use_fp(m_f.args(i)[0], ft11);
    FpReg rd = def_fp(v);
    floats::round(m_asm, is64, mode, rd, x, t4, t5, ft10);
    finish_fp(v, rd);
}

bool Lowerer::lower_float(InstId i) noexcept
{
    const Inst& inst = m_f.insts[i];
    Span<const ValueId> args = m_f.args(i);
    ValueId v = m_f.result(i);
    O op = inst.wasm_op;
    switch (op) {
    case O::F32Add: case O::F32Sub: case O::F32Mul: case O::F32Div: case O::F32Copysign:
    case O::F64Add: case O::F64Sub: case O::F64Mul: case O::F64Div: case O::F64Copysign: {
        FpReg a = use_fp(args[0], ft10);
        FpReg b = use_fp(args[1], ft11);
        FpReg rd = def_fp(v);
        floats::binary(m_asm, op, rd, a, b);
        finish_fp(v, rd);
        return true;
    }
    case O::F32Min: case O::F32Max: case O::F64Min: case O::F64Max: {
        FpReg a = use_fp(args[0], ft10);
        FpReg b = use_fp(args[1], ft11);
        FpReg rd = def_fp(v);
        floats::min_max(m_asm, op == O::F64Min || op == O::F64Max, op == O::F32Min || op == O::F64Min, rd, a, b, t4, t5);
        finish_fp(v, rd);
        return true;
    }
    case O::F32Abs: case O::F32Neg: case O::F32Sqrt: case O::F64Abs: case O::F64Neg: case O::F64Sqrt:
    case O::F32DemoteF64: case O::F64PromoteF32: {
        FpReg a = use_fp(args[0], ft10);
        FpReg rd = def_fp(v);
        floats::unary(m_asm, op, rd, a);
        finish_fp(v, rd);
        return true;
    }
    case O::F32Ceil: lower_round(i, false, RoundingMode::Rup); return true;
    case O::F32Floor: lower_round(i, false, RoundingMode::Rdn); return true;
    case O::F32Trunc: lower_round(i, false, RoundingMode::Rtz); return true;
    case O::F32Nearest: lower_round(i, false, RoundingMode::Rne); return true;
    case O::F64Ceil: lower_round(i, true, RoundingMode::Rup); return true;
    case O::F64Floor: lower_round(i, true, RoundingMode::Rdn); return true;
    case O::F64Trunc: lower_round(i, true, RoundingMode::Rtz); return true;
    case O::F64Nearest: lower_round(i, true, RoundingMode::Rne); return true;
    case O::F32Eq: case O::F32Ne: case O::F32Lt: case O::F32Gt: case O::F32Le: case O::F32Ge:
    case O::F64Eq: case O::F64Ne: case O::F64Lt: case O::F64Gt: case O::F64Le: case O::F64Ge: {
        FpReg a = use_fp(args[0], ft10);
        FpReg b = use_fp(args[1], ft11);
        GpReg rd = def_gp(v);
        floats::compare(m_asm, op, rd, a, b);
        finish_gp(v, rd);
        return true;
    }
    case O::F32ConvertI32S: case O::F32ConvertI32U: case O::F32ConvertI64S: case O::F32ConvertI64U:
    case O::F64ConvertI32S: case O::F64ConvertI32U: case O::F64ConvertI64S: case O::F64ConvertI64U:
    case O::F32ReinterpretI32: case O::F64ReinterpretI64: {
        GpReg a = use_gp(args[0], t4);
        FpReg rd = def_fp(v);
        floats::from_integer(m_asm, op, rd, a);
        finish_fp(v, rd);
        return true;
    }
    default: return false;
    }
}

} // namespace k23::jit::optimizing::detail
