// WebAssembly SIMD on a hart without the V extension (issue 6, the scalar
// path), selected when the compile environment's CpuFeatures lack V.
//
// Every v128 lives in its 16-byte canonical frame slot (a wide frame,
// jit/Abi.h): a v128 stack entry is always Loc::Slot, never a register or a
// constant. Moves (const, local, global, select, v128.load/store) are inline
// pairs of ld/sd through t4/t5; everything lane-wise calls the portable
// helper k23_simd_scalar (jit/SimdScalar.h) with the slots' addresses.
// Before such a call only the entries in caller-saved registers are
// spilled: s1-s9 and fs0-fs11 survive the C ABI, and v128 values are in
// memory already.
//
// Memory forms check bounds the way every other access does: the last byte
// the instruction touches is loaded first at a recorded trap site (a fault
// there is an ordinary out-of-bounds trap, jit/Abi.h), so the helper only
// ever reads or writes bytes known to be accessible. The accessible part of
// a linear memory is a prefix of its reservation, so the last byte being
// accessible means all of them are.

#include <jit/SimdScalar.h>
#include <jit/baseline/Compiler.h>

namespace k23::jit::baseline {

namespace {

bool is_callee_saved_gp(u8 id) noexcept { return id == 9 || (id >= 18 && id <= 25); }       // s1, s2-s9
bool is_callee_saved_fp(u8 id) noexcept { return id == 8 || id == 9 || (id >= 18 && id <= 27); } // fs0-fs11

// Bytes a memory form touches (§4.4.7): the probe loads the last one.
u32 access_size(Opcode op) noexcept
{
    using O = Opcode;
    switch (op) {
    case O::V128Load8Splat: case O::V128Load8Lane: case O::V128Store8Lane: return 1;
    case O::V128Load16Splat: case O::V128Load16Lane: case O::V128Store16Lane: return 2;
    case O::V128Load32Splat: case O::V128Load32Zero: case O::V128Load32Lane: case O::V128Store32Lane: return 4;
    case O::V128Load: case O::V128Store: return 16;
    default: return 8; // loadMxN_sx, load64_splat, load64_zero, 64-bit lanes
    }
}

} // namespace

i32 Compiler::vec_slot_offset(u32 stack_index) const noexcept
{
    return slot_offset(slot_of(stack_index));
}

void Compiler::spill_caller_saved() noexcept
{
    for (u32 i = 0; i < m_stack.size(); ++i) {
        const Entry& e = m_stack[i];
        if (e.loc != Loc::Reg)
            continue;
        if (is_vec(e.type) || (is_float(e.type) ? !is_callee_saved_fp(e.reg) : !is_callee_saved_gp(e.reg)))
            spill(i);
    }
}

void Compiler::scalar_v128_const(u64 lo, u64 hi) noexcept
{
    i32 at = vec_slot_offset(u32(m_stack.size()));
    m_asm.li(t4, i64(lo));
    store_frame(t4, at);
    if (hi != lo)
        m_asm.li(t4, i64(hi));
    store_frame(t4, at + 8);
    push_slot(ValueType::V128);
}

// A v128 operand's canonical slot (the scalar path keeps nothing else).
i32 Compiler::scalar_operand(u32 stack_index) noexcept
{
    const Entry& e = m_stack[stack_index];
    if (!is_vec(e.type) || e.loc != Loc::Slot)
        fail(Error::from_code(ErrorCode::Invalid, "baseline: scalar SIMD: v128 operand not in its slot"));
    return vec_slot_offset(stack_index);
}

void Compiler::scalar_simd_call(Opcode op, u64 imm, u64 imm2, ScalarOperand scalar_in) noexcept
{
    const wasm::SignatureTypes& sig = wasm::signature_types(wasm::opcode_info(op).signature);
    u32 count = sig.param_count;
    bool has_scalar = count > 0 && !is_vec(sig.params[count - 1]);
    GpReg scalar_reg = scalar_in == ScalarOperand::InImm2 ? a6 : a5;
    // The scalar operand (splat value, shift count, replace_lane value) is
    // the top entry: pop it into a temporary, then into its argument register
    // before anything else is written.
    GpReg scalar_gp = zero;
    FpReg scalar_fp = ft0;
    ValueType scalar_type = has_scalar ? sig.params[count - 1] : ValueType::I32;
    if (has_scalar) {
        if (is_float(scalar_type))
            scalar_fp = pop_fp();
        else
            scalar_gp = pop_gp();
    }
    spill_caller_saved();
    if (has_scalar) {
        if (scalar_type == ValueType::F32)
            m_asm.fmv_x_w(scalar_reg, scalar_fp);
        else if (scalar_type == ValueType::F64)
            m_asm.fmv_x_d(scalar_reg, scalar_fp);
        else
            m_asm.mv(scalar_reg, scalar_gp);
    }
    u32 vectors = count - (has_scalar ? 1 : 0);
    u32 base = u32(m_stack.size()) - vectors;
    constexpr GpReg operand_regs[] = { a2, a3, a4 };
    for (u32 i = 0; i < vectors; ++i)
        frame_address_to(operand_regs[i], scalar_operand(base + i));
    truncate_stack(base);
    bool vector_result = sig.result_count == 1 && is_vec(sig.results[0]);
    if (vector_result)
        frame_address_to(a1, vec_slot_offset(base));
    else
        m_asm.li(a1, 0);
    if (!has_scalar || scalar_reg != a5)
        m_asm.li(a5, i64(imm));
    if (!has_scalar || scalar_reg != a6)
        m_asm.li(a6, i64(imm2));
    m_asm.li(a0, i64(u32(op)));
    call_helper(reinterpret_cast<const void*>(&k23_simd_scalar));
    if (sig.result_count == 0)
        return;
    ValueType result = sig.results[0];
    if (vector_result) {
        push_slot(result);
    } else if (is_float(result)) {
        FpReg r = alloc_fp();
        if (result == ValueType::F32)
            m_asm.fmv_w_x(r, a0);
        else
            m_asm.fmv_d_x(r, a0);
        push_fp(result, r);
    } else {
        GpReg r = alloc_gp();
        if (r != a0)
            m_asm.mv(r, a0);
        push_gp(result, r);
    }
}

// The effective address of a memory form in t4 (offset folded in), after
// the probe of its last byte.
void Compiler::scalar_address(const MemArg& arg, u32 size) noexcept
{
    GpReg index = pop_gp();
    i32 imm;
    emit_memory_address(arg, index, t4, imm);
    release(index);
    if (imm != 0)
        m_asm.addi(t4, t4, imm);
    record_trap_site(m_asm.offset());
    m_asm.lbu(t5, t4, i32(size - 1));
}

void Compiler::scalar_load(Opcode op, const MemArg& arg) noexcept
{
    // Bytes in flight across the helper call are in memory: spill first, so
    // t4 (the address) is not needed across a spill.
    spill_caller_saved();
    u32 result = u32(m_stack.size()) - 1; // the index operand's position
    scalar_address(arg, access_size(op));
    i32 at = vec_slot_offset(result);
    if (op == Opcode::V128Load) {
        // §4.4.7.3: the probe covered the last byte; two doublewords.
        for (i32 half = 0; half < 16; half += 8) {
            record_trap_site(m_asm.offset());
            m_asm.ld(t5, t4, half);
            store_frame(t5, at + half);
        }
        push_slot(ValueType::V128);
        return;
    }
    m_asm.mv(a2, t4);
    frame_address_to(a1, at);
    m_asm.li(a0, i64(u32(op)));
    call_helper(reinterpret_cast<const void*>(&k23_simd_scalar));
    push_slot(ValueType::V128);
}

void Compiler::scalar_store(const MemArg& arg) noexcept
{
    spill_caller_saved();
    i32 value = scalar_operand(u32(m_stack.size()) - 1);
    drop_entry();
    scalar_address(arg, 16);
    // §4.4.7.8: the probe made the whole store in bounds, so it cannot
    // stop half way.
    for (i32 half = 0; half < 16; half += 8) {
        load_frame(t5, value + half);
        record_trap_site(m_asm.offset());
        m_asm.sd(t5, t4, half);
    }
}

// §4.4.7.7 v128.loadN_lane / §4.4.7.9 v128.storeN_lane.
void Compiler::scalar_lane_memory(Opcode op, const MemArg& arg, u8 lane) noexcept
{
    spill_caller_saved();
    i32 vector = scalar_operand(u32(m_stack.size()) - 1);
    drop_entry();
    u32 result = u32(m_stack.size()) - 1; // the index operand's position
    scalar_address(arg, access_size(op));
    bool is_load = op == Opcode::V128Load8Lane || op == Opcode::V128Load16Lane || op == Opcode::V128Load32Lane
        || op == Opcode::V128Load64Lane;
    if (is_load) {
        m_asm.mv(a2, t4);
        frame_address_to(a3, vector);
        frame_address_to(a1, vec_slot_offset(result));
    } else {
        m_asm.mv(a1, t4);
        frame_address_to(a2, vector);
    }
    m_asm.li(a5, lane);
    m_asm.li(a0, i64(u32(op)));
    call_helper(reinterpret_cast<const void*>(&k23_simd_scalar));
    if (is_load)
        push_slot(ValueType::V128);
}

// §4.4.4 select on v128: the first operand's slot is the result's.
void Compiler::scalar_select() noexcept
{
    GpReg condition = pop_gp();
    u32 second = u32(m_stack.size()) - 1;
    i32 from = scalar_operand(second);
    i32 to = scalar_operand(second - 1);
    Label done = m_asm.new_label();
    m_asm.bnez(condition, done);
    copy_wide_halves(from, false, to, false);
    m_asm.bind(done);
    drop_entry();
}

void Compiler::scalar_local_get(u32 index) noexcept
{
    copy_wide_halves(slot_offset(index), false, vec_slot_offset(u32(m_stack.size())), false);
    push_slot(ValueType::V128);
}

void Compiler::scalar_local_set(u32 index, bool keep) noexcept
{
    copy_wide_halves(scalar_operand(u32(m_stack.size()) - 1), false, slot_offset(index), false);
    if (!keep)
        drop_entry();
}

// A v128 global's 16 bytes at [t4] (jit/VMContext.h) from or to the stack.
void Compiler::scalar_global_get() noexcept
{
    i32 at = vec_slot_offset(u32(m_stack.size()));
    for (i32 half = 0; half < 16; half += 8) {
        m_asm.ld(t5, t4, half);
        store_frame(t5, at + half);
    }
    push_slot(ValueType::V128);
}

void Compiler::scalar_global_set(i32 value) noexcept
{
    for (i32 half = 0; half < 16; half += 8) {
        load_frame(t5, value + half);
        m_asm.sd(t5, t4, half);
    }
}

} // namespace k23::jit::baseline
