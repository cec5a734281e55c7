// The optimizing tier's SIMD on a hart without V, as the baseline's scalar
// path (jit/baseline/SimdScalarOps.cpp): every v128 value lives in a
// 16-byte slot (allocate_vector gives no register), and every operation
// but moves (select, globals, v128.const, v128.load/store, done inline on
// the two 64-bit halves) calls k23_simd_scalar (jit/SimdScalar.h) with slot
// addresses. The register allocator counts those calls as calls
// (simd_helper_call), so nothing else is in a caller-saved register across
// them. Memory forms probe the last byte they touch at a trap site first
// (an out-of-bounds access is the ordinary trap); the helper then only
// touches accessible bytes. Slot 0 is scratch (move cycles, results
// nothing reads).

#include <jit/optimizing/Lowerer.h>
#include <jit/SimdScalar.h>

namespace k23::jit::optimizing::detail {

bool Lowerer::simd_helper_call(const Inst& inst) const noexcept
{
    if (!scalar_simd() || !is_simd(inst))
        return false;
    switch (inst.op) {
    case Op::Select:
    case Op::GlobalGet:
    case Op::GlobalSet:
        return false;
    case Op::Simd:
        return inst.wasm_op != wasm::Opcode::V128Const;
    default: // memory forms
        return inst.wasm_op != wasm::Opcode::V128Load && inst.wasm_op != wasm::Opcode::V128Store;
    }
}

// 16 bytes from memory at from_base + from (a trap site per half) to a slot.
void Lowerer::copy_v128(GpReg from_base, i32 from, const Location& to) noexcept
{
    for (i32 half = 0; half < 16; half += 8) {
        m_asm.load_trapping(Access::I64, t5, from_base, from + half);
        m_asm.sd(t5, vslot_address(to.slot), half);
    }
}

// 16 bytes from a slot to memory at to_base + to (a trap site per half).
void Lowerer::copy_v128(const Location& from, GpReg to_base, i32 to) noexcept
{
    for (i32 half = 0; half < 16; half += 8) {
        m_asm.ld(t5, vslot_address(from.slot), half);
        m_asm.store_trapping(Access::I64, t5, to_base, to + half);
    }
}

void Lowerer::lower_simd_scalar(InstId i) noexcept
{
    using O = wasm::Opcode;
    const Inst& inst = m_f.insts[i];
    Span<const ValueId> args = m_f.args(i);
    auto result = [&] {
        const Location& loc = m_s.locations[m_f.result(i)];
        return loc.kind == kind_vslot ? loc : vec_scratch();
    };
    switch (inst.op) {
    case Op::Select: {
        // §4.4.4 select: val1 if c is not zero, else val2.
        Location to = result();
        GpReg c = use_gp(args[0], t4);
        Label other = m_asm.new_label(), done = m_asm.new_label();
        m_asm.beqz(c, other);
        emit_vec_move(Move { to, m_s.locations[args[1]], Type::V128 });
        m_asm.j(done);
        m_asm.bind(other);
        emit_vec_move(Move { to, m_s.locations[args[2]], Type::V128 });
        m_asm.bind(done);
        return;
    }
    case Op::GlobalGet:
    case Op::GlobalSet:
        // A v128 global's 16 bytes are the Value's payload (jit/VMContext.h).
        m_asm.load_context_pointer(t4, abi::vmctx, VMOffsets::globals, inst.index);
        if (inst.op == Op::GlobalGet)
            copy_v128(t4, 0, result());
        else
            copy_v128(m_s.locations[args[0]], t4, 0);
        return;
    default:
        break;
    }
    if (inst.op == Op::Simd && inst.wasm_op == O::V128Const) {
        m_asm.li(t5, i64(inst.imm));
        m_asm.li(t4, i64(u64(inst.index) | u64(inst.index2) << 32));
        GpReg at = vslot_address(result().slot);
        m_asm.sd(t5, at, 0);
        m_asm.sd(t4, at, 8);
        return;
    }
    if (inst.op == Op::Simd)
        return simd_helper(i);
    // The memory forms: the effective address in t4, its last byte probed.
    GpReg base = t4;
    i32 imm = 0;
    memory_address(inst, args[0], base, imm);
    if (imm != 0 || base != t4)
        m_asm.addi(t4, base, imm);
    m_asm.load_trapping(Access::U8, t5, t4, SimdEmitter::access_size(inst.wasm_op) - 1);
    if (inst.wasm_op == O::V128Load)
        return copy_v128(t4, 0, result());
    if (inst.wasm_op == O::V128Store)
        return copy_v128(m_s.locations[args[1]], t4, 0);
    simd_helper(i);
}

// k23_simd_scalar(op, dst, a, b, c, imm, imm2) in a0..a6 (jit/SimdScalar.h
// for each form's operands). A scalar operand goes through t4 first (it may
// be in an argument register); unused operands are null (a user-mode
// guest's helper call is checked operand by operand, jit/UserMode.cpp).
void Lowerer::simd_helper(InstId i) noexcept
{
    using O = wasm::Opcode;
    const Inst& inst = m_f.insts[i];
    Span<const ValueId> args = m_f.args(i);
    O op = inst.wasm_op;
    const wasm::OpcodeInfo& info = wasm::opcode_info(op);
    GpReg dst = zero, operands[3] = { zero, zero, zero };
    u32 vectors_from = 0; // args[vectors_from..] of type v128 are a, b, c (after any host address)
    bool imm_in_t4 = false, imm2_in_t4 = false;
    u64 imm = 0, imm2 = 0;
    bool memory = inst.op != Op::Simd;
    if (memory) {
        // t4 = the host address (lower_simd_scalar). Loads: a = it, b = the
        // lane form's vector; stores: dst = it, a = the vector.
        imm = inst.index2;
        if (inst.op == Op::Load) {
            m_asm.mv(a2, t4);
            operands[0] = a2;
        } else {
            m_asm.mv(a1, t4);
            dst = a1;
        }
        vectors_from = 1;
    } else if (op == O::I8x16Shuffle) {
        imm = inst.imm;
        imm2 = u64(inst.index) | u64(inst.index2) << 32;
    } else {
        // A scalar operand (the last argument): splat's bits, a shift's
        // count, replace_lane's bits (imm2, the lane in imm).
        ValueId scalar = args.size() ? args[args.size() - 1] : no_id;
        bool has_scalar = scalar != no_id && m_f.values[scalar].type != Type::V128;
        if (has_scalar) {
            Type t = m_f.values[scalar].type;
            if (is_float(t)) {
                FpReg f = use_fp(scalar, ft10);
                t == Type::F32 ? m_asm.fmv_x_w(t4, f) : m_asm.fmv_x_d(t4, f);
            } else {
                GpReg r = use_gp(scalar, t4);
                if (r != t4)
                    m_asm.mv(t4, r);
            }
        }
        if (info.immediates == wasm::Imm::Lane) {
            imm = inst.imm;
            imm2_in_t4 = has_scalar;
        } else if (has_scalar) {
            imm_in_t4 = true;
        }
    }
    if (imm_in_t4)
        m_asm.mv(a5, t4);
    else
        m_asm.li(a5, i64(imm));
    if (imm2_in_t4)
        m_asm.mv(a6, t4);
    else
        m_asm.li(a6, i64(imm2));
    constexpr GpReg operand_regs[] = { a2, a3, a4 };
    u32 k = memory && inst.op == Op::Load ? 1 : 0;
    for (u32 n = vectors_from; n < args.size(); ++n) {
        if (m_f.values[args[n]].type != Type::V128 || k >= 3)
            continue;
        m_asm.mv(operand_regs[k], vslot_address(m_s.locations[args[n]].slot));
        operands[k] = operand_regs[k];
        ++k;
    }
    for (u32 n = 0; n < 3; ++n) {
        if (operands[n] == zero)
            m_asm.li(operand_regs[n], 0);
    }
    if (inst.result_count && m_f.values[m_f.result(i)].type == Type::V128) {
        Location to = m_s.locations[m_f.result(i)];
        if (to.kind != kind_vslot)
            to = vec_scratch();
        m_asm.mv(a1, vslot_address(to.slot));
        dst = a1;
    }
    if (dst == zero)
        m_asm.li(a1, 0);
    m_asm.li(a0, i64(u32(op)));
    m_asm.li(t5, i64(m_env.helpers[HelperId::SimdScalar]));
    m_asm.jalr(ra, t5, 0);
    if (inst.result_count) {
        ValueId v = m_f.result(i);
        Type t = m_f.values[v].type;
        if (t == Type::F32 || t == Type::F64) {
            FpReg fd = def_fp(v);
            t == Type::F32 ? m_asm.fmv_w_x(fd, a0) : m_asm.fmv_d_x(fd, a0);
            finish_fp(v, fd);
        } else if (t != Type::V128) {
            GpReg rd = def_gp(v);
            m_asm.mv(rd, a0);
            finish_gp(v, rd);
        }
    }
}

} // namespace k23::jit::optimizing::detail
