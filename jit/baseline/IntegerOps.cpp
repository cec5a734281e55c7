// Integer operations of the baseline tier (core spec 2.0 §4.4.1 numeric
// instructions, §4.3.2 integer operations). i32 values are kept
// sign-extended (jit/Abi.h), so 64-bit compares order them correctly both
// signed and unsigned, and the RV64 *W instructions keep the invariant.

#include <jit/Helpers.h>
#include <jit/baseline/Compiler.h>

namespace k23::jit::baseline {

void Compiler::int_binary(Opcode op) noexcept
{
    bool is64 = wasm::opcode_info(op).signature == wasm::Sig::ll_l;
    ValueType type = is64 ? ValueType::I64 : ValueType::I32;
    const Entry& rhs = m_stack.top(0);
    if (rhs.loc == Loc::Const) {
        i64 c = i64(rhs.bits);
        bool done = true;
        switch (op) {
        case Opcode::I32Add: case Opcode::I64Add: case Opcode::I32Sub: case Opcode::I64Sub:
        case Opcode::I32And: case Opcode::I64And: case Opcode::I32Or: case Opcode::I64Or:
        case Opcode::I32Xor: case Opcode::I64Xor: {
            i64 imm = (op == Opcode::I32Sub || op == Opcode::I64Sub) ? -c : c;
            if (!MacroAssembler::fits_imm12(imm)) {
                done = false;
                break;
            }
            m_stack.drop_entry();
            GpReg a = m_stack.pop_gp_read();
            m_stack.release(a);
            GpReg r = m_stack.alloc_gp();
            switch (op) {
            case Opcode::I32Add: case Opcode::I32Sub: m_asm.addiw(r, a, i32(imm)); break;
            case Opcode::I64Add: case Opcode::I64Sub: m_asm.addi(r, a, i32(imm)); break;
            case Opcode::I32And: case Opcode::I64And: m_asm.andi(r, a, i32(imm)); break;
            case Opcode::I32Or: case Opcode::I64Or: m_asm.ori(r, a, i32(imm)); break;
            default: m_asm.xori(r, a, i32(imm)); break;
            }
            m_stack.push_gp(type, r);
            return;
        }
        case Opcode::I32Shl: case Opcode::I32ShrS: case Opcode::I32ShrU:
        case Opcode::I64Shl: case Opcode::I64ShrS: case Opcode::I64ShrU: {
            u32 shamt = u32(c) & (is64 ? 63 : 31);
            m_stack.drop_entry();
            GpReg a = m_stack.pop_gp_read();
            m_stack.release(a);
            GpReg r = m_stack.alloc_gp();
            switch (op) {
            case Opcode::I32Shl: m_asm.slliw(r, a, shamt); break;
            case Opcode::I32ShrS: m_asm.sraiw(r, a, shamt); break;
            case Opcode::I32ShrU: m_asm.srliw(r, a, shamt); break;
            case Opcode::I64Shl: m_asm.slli(r, a, shamt); break;
            case Opcode::I64ShrS: m_asm.srai(r, a, shamt); break;
            default: m_asm.srli(r, a, shamt); break;
            }
            m_stack.push_gp(type, r);
            return;
        }
        case Opcode::I32Rotl: case Opcode::I32Rotr: case Opcode::I64Rotl: case Opcode::I64Rotr: {
            // Zbb rori/roriw: a left rotation by k is a right one by width - k.
            if (!m_asm.has(Extension::Zbb)) {
                done = false;
                break;
            }
            u32 width = is64 ? 64 : 32;
            u32 k = u32(c) & (width - 1);
            u32 right = (op == Opcode::I32Rotl || op == Opcode::I64Rotl) ? (width - k) & (width - 1) : k;
            m_stack.drop_entry();
            GpReg a = m_stack.pop_gp_read();
            m_stack.release(a);
            GpReg r = m_stack.alloc_gp();
            if (is64)
                m_asm.rori(r, a, right);
            else
                m_asm.roriw(r, a, right);
            m_stack.push_gp(type, r);
            return;
        }
        default:
            done = false;
            break;
        }
        (void)done;
    }
    GpReg b = m_stack.pop_gp_read();
    GpReg a = m_stack.pop_gp_read();
    m_stack.release(a);
    m_stack.release(b);
    GpReg r = m_stack.alloc_gp();
    bool zbb = m_asm.has(Extension::Zbb);
    switch (op) {
    case Opcode::I32Add: m_asm.addw(r, a, b); break;
    case Opcode::I32Sub: m_asm.subw(r, a, b); break;
    case Opcode::I32Mul: m_asm.mulw(r, a, b); break;
    case Opcode::I32And: case Opcode::I64And: m_asm.and_(r, a, b); break;
    case Opcode::I32Or: case Opcode::I64Or: m_asm.or_(r, a, b); break;
    case Opcode::I32Xor: case Opcode::I64Xor: m_asm.xor_(r, a, b); break;
    case Opcode::I32Shl: m_asm.sllw(r, a, b); break;
    case Opcode::I32ShrS: m_asm.sraw(r, a, b); break;
    case Opcode::I32ShrU: m_asm.srlw(r, a, b); break;
    case Opcode::I64Add: m_asm.add(r, a, b); break;
    case Opcode::I64Sub: m_asm.sub(r, a, b); break;
    case Opcode::I64Mul: m_asm.mul(r, a, b); break;
    case Opcode::I64Shl: m_asm.sll(r, a, b); break;
    case Opcode::I64ShrS: m_asm.sra(r, a, b); break;
    case Opcode::I64ShrU: m_asm.srl(r, a, b); break;
    case Opcode::I32Rotl:
        if (zbb) {
            m_asm.rolw(r, a, b);
        } else {
            m_asm.sllw(t4, a, b);
            m_asm.negw(t5, b);
            m_asm.srlw(t5, a, t5);
            m_asm.or_(r, t4, t5);
        }
        break;
    case Opcode::I32Rotr:
        if (zbb) {
            m_asm.rorw(r, a, b);
        } else {
            m_asm.srlw(t4, a, b);
            m_asm.negw(t5, b);
            m_asm.sllw(t5, a, t5);
            m_asm.or_(r, t4, t5);
        }
        break;
    case Opcode::I64Rotl:
        if (zbb) {
            m_asm.rol(r, a, b);
        } else {
            m_asm.sll(t4, a, b);
            m_asm.neg(t5, b);
            m_asm.srl(t5, a, t5);
            m_asm.or_(r, t4, t5);
        }
        break;
    case Opcode::I64Rotr:
        if (zbb) {
            m_asm.ror(r, a, b);
        } else {
            m_asm.srl(t4, a, b);
            m_asm.neg(t5, b);
            m_asm.sll(t5, a, t5);
            m_asm.or_(r, t4, t5);
        }
        break;
    default:
        break;
    }
    m_stack.push_gp(type, r);
}

// Compares are deferred (PendingCompare): br_if and if branch on the
// operands; anything else materializes the 0/1 result first.
void Compiler::int_compare(Opcode op) noexcept
{
    // A constant 0 operand is x0: branches and set-less-than read it as is.
    // A small constant stays an immediate until the compare is materialized
    // (slti/sltiu/addi) or taken by a branch (then li into a register).
    GpReg b = zero;
    bool has_imm = false;
    i64 imm = 0;
    PendingCompare p;
    p.a_entry = m_stack.top(1);
    p.b_entry = m_stack.top(0);
    if (m_stack.top().loc == Loc::Const) {
        imm = i64(m_stack.top().bits);
        has_imm = imm != 0 && MacroAssembler::fits_imm12(imm) && MacroAssembler::fits_imm12(-imm) && MacroAssembler::fits_imm12(imm + 1);
        if (imm == 0 || has_imm)
            m_stack.drop_entry();
        else
            b = m_stack.pop_gp_read();
    } else {
        b = m_stack.pop_gp_read();
    }
    GpReg a = m_stack.pop_gp_read();
    GpReg r = m_stack.alloc_gp();
    p.active = true;
    p.op = op;
    p.a = a.id();
    p.b = b.id();
    p.result = r.id();
    using C = BranchCondition;
    switch (op) {
    case Opcode::I32Eq: case Opcode::I64Eq: p.condition = C::Eq; p.lhs = a.id(); p.rhs = b.id(); break;
    case Opcode::I32Ne: case Opcode::I64Ne: p.condition = C::Ne; p.lhs = a.id(); p.rhs = b.id(); break;
    case Opcode::I32LtS: case Opcode::I64LtS: p.condition = C::Lt; p.lhs = a.id(); p.rhs = b.id(); break;
    case Opcode::I32LtU: case Opcode::I64LtU: p.condition = C::Ltu; p.lhs = a.id(); p.rhs = b.id(); break;
    case Opcode::I32GtS: case Opcode::I64GtS: p.condition = C::Lt; p.lhs = b.id(); p.rhs = a.id(); break;
    case Opcode::I32GtU: case Opcode::I64GtU: p.condition = C::Ltu; p.lhs = b.id(); p.rhs = a.id(); break;
    case Opcode::I32LeS: case Opcode::I64LeS: p.condition = C::Ge; p.lhs = b.id(); p.rhs = a.id(); break;
    case Opcode::I32LeU: case Opcode::I64LeU: p.condition = C::Geu; p.lhs = b.id(); p.rhs = a.id(); break;
    case Opcode::I32GeS: case Opcode::I64GeS: p.condition = C::Ge; p.lhs = a.id(); p.rhs = b.id(); break;
    default: p.condition = C::Geu; p.lhs = a.id(); p.rhs = b.id(); break;
    }
    m_stack.pin(a.id());
    if (b != zero)
        m_stack.pin(b.id());
    p.has_imm = has_imm;
    p.imm = i32(imm);
    p.index = u32(m_stack.size());
    m_stack.push_gp(ValueType::I32, r);
    m_pending = p;
}

void Compiler::flush_pending_compare() noexcept
{
    if (!m_pending.active)
        return;
    PendingCompare p = m_pending;
    m_pending.active = false;
    GpReg r(p.result), a(p.a), b(p.b);
    if (p.has_imm) {
        // imm, imm + 1 and -imm are 12-bit (int_compare chose it so).
        switch (p.op) {
        case Opcode::I32Eq: case Opcode::I64Eq: m_asm.addi(r, a, -p.imm); m_asm.seqz(r, r); break;
        case Opcode::I32Ne: case Opcode::I64Ne: m_asm.addi(r, a, -p.imm); m_asm.snez(r, r); break;
        case Opcode::I32LtS: case Opcode::I64LtS: m_asm.slti(r, a, p.imm); break;
        case Opcode::I32LtU: case Opcode::I64LtU: m_asm.sltiu(r, a, p.imm); break;
        case Opcode::I32GeS: case Opcode::I64GeS: m_asm.slti(r, a, p.imm); m_asm.xori(r, r, 1); break;
        case Opcode::I32GeU: case Opcode::I64GeU: m_asm.sltiu(r, a, p.imm); m_asm.xori(r, r, 1); break;
        case Opcode::I32LeS: case Opcode::I64LeS: m_asm.slti(r, a, p.imm + 1); break;
        case Opcode::I32GtS: case Opcode::I64GtS: m_asm.slti(r, a, p.imm + 1); m_asm.xori(r, r, 1); break;
        default: {
            // Unsigned <= and > against imm: through a register (imm may be
            // negative, i.e. near the top of the unsigned range).
            m_asm.li(t4, p.imm);
            if (p.op == Opcode::I32LeU || p.op == Opcode::I64LeU) {
                m_asm.sltu(r, t4, a);
                m_asm.xori(r, r, 1);
            } else {
                m_asm.sltu(r, t4, a);
            }
            break;
        }
        }
        unpin(p);
        return;
    }
    switch (p.op) {
    case Opcode::I32Eqz: case Opcode::I64Eqz: m_asm.seqz(r, a); break;
    case Opcode::I32Eq: case Opcode::I64Eq: m_asm.xor_(r, a, b); m_asm.seqz(r, r); break;
    case Opcode::I32Ne: case Opcode::I64Ne: m_asm.xor_(r, a, b); m_asm.snez(r, r); break;
    case Opcode::I32LtS: case Opcode::I64LtS: m_asm.slt(r, a, b); break;
    case Opcode::I32LtU: case Opcode::I64LtU: m_asm.sltu(r, a, b); break;
    case Opcode::I32GtS: case Opcode::I64GtS: m_asm.slt(r, b, a); break;
    case Opcode::I32GtU: case Opcode::I64GtU: m_asm.sltu(r, b, a); break;
    case Opcode::I32LeS: case Opcode::I64LeS: m_asm.slt(r, b, a); m_asm.xori(r, r, 1); break;
    case Opcode::I32LeU: case Opcode::I64LeU: m_asm.sltu(r, b, a); m_asm.xori(r, r, 1); break;
    case Opcode::I32GeS: case Opcode::I64GeS: m_asm.slt(r, a, b); m_asm.xori(r, r, 1); break;
    case Opcode::I32GeU: case Opcode::I64GeU: m_asm.sltu(r, a, b); m_asm.xori(r, r, 1); break;
    default: break;
    }
    unpin(p);
}

// The pending compare, if its result is the top of the stack: the entry is
// dropped without computing it; the operands stay pinned until unpin().
bool Compiler::take_pending_compare(PendingCompare& out) noexcept
{
    if (!m_pending.active || m_failed || m_stack.size() != m_pending.index + 1)
        return false;
    const Entry& e = m_stack.last();
    if (e.loc != Loc::Reg || e.reg != m_pending.result)
        return false;
    out = m_pending;
    m_pending.active = false;
    m_stack.drop_entry();
    if (out.has_imm) {
        // A branch compares registers: the constant goes in one now,
        // pinned like the other operand until unpin().
        GpReg b = m_stack.alloc_gp();
        m_asm.li(b, out.imm);
        m_stack.pin(b.id());
        if (out.lhs == 0 && out.rhs != 0)
            out.lhs = b.id();
        else
            out.rhs = b.id();
        out.b = b.id();
        out.has_imm = false;
    }
    return true;
}

void Compiler::unpin(const PendingCompare& p) noexcept
{
    m_stack.unpin(p.a);
    if (p.b)
        m_stack.unpin(p.b);
}

// §4.3.2 idiv_s/idiv_u/irem_s/irem_u: division by zero traps, and so does
// the one signed quotient that overflows (INT_MIN / -1); INT_MIN rem -1 is
// 0, which RISC-V's rem already gives.
void Compiler::int_divrem(Opcode op) noexcept
{
    bool is64 = op == Opcode::I64DivS || op == Opcode::I64DivU || op == Opcode::I64RemS || op == Opcode::I64RemU;
    GpReg b = m_stack.pop_gp_read();
    GpReg a = m_stack.pop_gp_read();
    m_asm.beqz(b, trap_label(TrapCode::IntegerDivideByZero));
    if (op == Opcode::I32DivS || op == Opcode::I64DivS) {
        Label ok = m_asm.new_label();
        m_asm.li(t4, -1);
        m_asm.bne(b, t4, ok);
        m_asm.li(t4, is64 ? i64(0x8000000000000000ull) : i64(i32(0x80000000u)));
        m_asm.beq(a, t4, trap_label(TrapCode::IntegerOverflow));
        m_asm.bind(ok);
    }
    m_stack.release(a);
    m_stack.release(b);
    GpReg r = m_stack.alloc_gp();
    switch (op) {
    case Opcode::I32DivS: m_asm.divw(r, a, b); break;
    case Opcode::I32DivU: m_asm.divuw(r, a, b); break;
    case Opcode::I32RemS: m_asm.remw(r, a, b); break;
    case Opcode::I32RemU: m_asm.remuw(r, a, b); break;
    case Opcode::I64DivS: m_asm.div(r, a, b); break;
    case Opcode::I64DivU: m_asm.divu(r, a, b); break;
    case Opcode::I64RemS: m_asm.rem(r, a, b); break;
    default: m_asm.remu(r, a, b); break;
    }
    m_stack.push_gp(is64 ? ValueType::I64 : ValueType::I32, r);
}

void Compiler::int_unary(Opcode op) noexcept
{
    bool zbb = m_asm.has(Extension::Zbb);
    bool is64 = op == Opcode::I64Clz || op == Opcode::I64Ctz || op == Opcode::I64Popcnt;
    ValueType type = is64 ? ValueType::I64 : ValueType::I32;
    if (!zbb) {
        // Bit counting without Zbb: a C helper on the 64-bit value.
        m_stack.spill_all();
        load_frame(a0, slot_offset(slot_of(u32(m_stack.size()) - 1)));
        m_stack.truncate_stack(u32(m_stack.size()) - 1);
        HelperId helper = HelperId::Popcnt64;
        switch (op) {
        case Opcode::I32Clz:
            m_asm.zero_extend_word(a0, a0);
            helper = HelperId::Clz64;
            break;
        case Opcode::I32Ctz:
            m_asm.li(t4, 1);
            m_asm.slli(t4, t4, 32);
            m_asm.or_(a0, a0, t4);
            helper = HelperId::Ctz64;
            break;
        case Opcode::I32Popcnt:
            m_asm.zero_extend_word(a0, a0);
            helper = HelperId::Popcnt64;
            break;
        case Opcode::I64Clz: helper = HelperId::Clz64; break;
        case Opcode::I64Ctz: helper = HelperId::Ctz64; break;
        default: helper = HelperId::Popcnt64; break;
        }
        call_helper(helper);
        if (op == Opcode::I32Clz)
            m_asm.addi(a0, a0, -32);
        m_stack.set_temp_gp(a0.id());
        m_stack.push_gp(type, a0);
        return;
    }
    GpReg a = m_stack.pop_gp_read();
    m_stack.release(a);
    GpReg r = m_stack.alloc_gp();
    switch (op) {
    case Opcode::I32Clz: m_asm.clzw(r, a); break;
    case Opcode::I32Ctz: m_asm.ctzw(r, a); break;
    case Opcode::I32Popcnt: m_asm.cpopw(r, a); break;
    case Opcode::I64Clz: m_asm.clz(r, a); break;
    case Opcode::I64Ctz: m_asm.ctz(r, a); break;
    default: m_asm.cpop(r, a); break;
    }
    m_stack.push_gp(type, r);
}

bool Compiler::integer_op(Opcode op) noexcept
{
    switch (op) {
    case Opcode::I32Add: case Opcode::I32Sub: case Opcode::I32Mul: case Opcode::I32And: case Opcode::I32Or:
    case Opcode::I32Xor: case Opcode::I32Shl: case Opcode::I32ShrS: case Opcode::I32ShrU: case Opcode::I32Rotl:
    case Opcode::I32Rotr: case Opcode::I64Add: case Opcode::I64Sub: case Opcode::I64Mul: case Opcode::I64And:
    case Opcode::I64Or: case Opcode::I64Xor: case Opcode::I64Shl: case Opcode::I64ShrS: case Opcode::I64ShrU:
    case Opcode::I64Rotl: case Opcode::I64Rotr:
        int_binary(op);
        return true;
    case Opcode::I32Eq: case Opcode::I32Ne: case Opcode::I32LtS: case Opcode::I32LtU: case Opcode::I32GtS:
    case Opcode::I32GtU: case Opcode::I32LeS: case Opcode::I32LeU: case Opcode::I32GeS: case Opcode::I32GeU:
    case Opcode::I64Eq: case Opcode::I64Ne: case Opcode::I64LtS: case Opcode::I64LtU: case Opcode::I64GtS:
    case Opcode::I64GtU: case Opcode::I64LeS: case Opcode::I64LeU: case Opcode::I64GeS: case Opcode::I64GeU:
        int_compare(op);
        return true;
    case Opcode::I32DivS: case Opcode::I32DivU: case Opcode::I32RemS: case Opcode::I32RemU:
    case Opcode::I64DivS: case Opcode::I64DivU: case Opcode::I64RemS: case Opcode::I64RemU:
        int_divrem(op);
        return true;
    case Opcode::I32Clz: case Opcode::I32Ctz: case Opcode::I32Popcnt:
    case Opcode::I64Clz: case Opcode::I64Ctz: case Opcode::I64Popcnt:
        int_unary(op);
        return true;
    case Opcode::I32Eqz: case Opcode::I64Eqz: {
        GpReg a = m_stack.pop_gp_read();
        GpReg r = m_stack.alloc_gp();
        PendingCompare p;
        p.active = true;
        p.op = op;
        p.a = a.id();
        p.b = 0;
        p.result = r.id();
        p.condition = BranchCondition::Eq;
        p.lhs = a.id();
        p.rhs = 0;
        m_stack.pin(a.id());
        p.index = u32(m_stack.size());
        m_stack.push_gp(ValueType::I32, r);
        m_pending = p;
        return true;
    }
    case Opcode::I64ExtendI32S:
        // i32 values are sign-extended already (jit/Abi.h): the same bits
        // as an i64, whatever holds them (a homed local's alias stays one).
        if (!m_stack.is_empty())
            m_stack[m_stack.size() - 1].type = ValueType::I64;
        return true;
    case Opcode::I32WrapI64: case Opcode::I64ExtendI32U:
    case Opcode::I32Extend8S: case Opcode::I32Extend16S: case Opcode::I64Extend8S:
    case Opcode::I64Extend16S: case Opcode::I64Extend32S: {
        ValueType type = wasm::opcode_info(op).signature == wasm::Sig::l_i || wasm::opcode_info(op).signature == wasm::Sig::i_i
            ? ValueType::I32
            : ValueType::I64;
        GpReg a = m_stack.pop_gp_read();
        m_stack.release(a);
        GpReg r = m_stack.alloc_gp();
        switch (op) {
        case Opcode::I32WrapI64: case Opcode::I64Extend32S: m_asm.sign_extend(r, a, 32); break;
        case Opcode::I64ExtendI32U: m_asm.zero_extend_word(r, a); break;
        case Opcode::I32Extend8S: case Opcode::I64Extend8S: m_asm.sign_extend(r, a, 8); break;
        default: m_asm.sign_extend(r, a, 16); break;
        }
        m_stack.push_gp(type, r);
        return true;
    }
    default:
        return false;
    }
}

} // namespace k23::jit::baseline
