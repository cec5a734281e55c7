// WebAssembly SIMD on a hart without the V extension (the scalar path),
// selected when the compile environment's CpuFeatures lack V.
//
// Every v128 lives in its 16-byte canonical frame slot (a wide frame,
// jit/Abi.h): a v128 stack entry is always Loc::Slot, never a register or a
// constant. Inline, on the two 64-bit halves in integer registers: moves
// (const, local, global, select, v128.load/store), lane access (extract,
// replace, splat), shuffle (as aligned 1/2/4/8-byte pieces), the bitwise
// ops, i64x2/i32x4 add and sub, and i64x2/i32x4 shifts by a constant — what
// hashing and crypto code (blake3-simd) spends its time in. Everything else
// calls the portable helper k23_simd_scalar (jit/SimdScalar.h) with the
// slots' addresses.
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

i32 Compiler::vec_slot_offset(u32 stack_index) const noexcept
{
    return slot_offset(slot_of(stack_index));
}

void Compiler::scalar_v128_const(u64 lo, u64 hi) noexcept
{
    i32 at = vec_slot_offset(u32(m_stack.size()));
    m_asm.li(t4, i64(lo));
    store_frame(t4, at);
    if (hi != lo)
        m_asm.li(t4, i64(hi));
    store_frame(t4, at + 8);
    m_stack.push_slot(ValueType::V128);
}

// A v128 operand's canonical slot (the scalar path keeps nothing else).
i32 Compiler::scalar_operand(u32 stack_index) noexcept
{
    const Entry& e = m_stack[stack_index];
    if (!is_vec(e.type) || e.loc != Loc::Slot)
        fail(Error::from_code(ErrorCode::Invalid, "baseline: scalar SIMD: v128 operand not in its slot"));
    return vec_slot_offset(stack_index);
}

// The helper call for a numeric SIMD opcode: the only scalar operand left
// for it (a variable shift count; splats and lanes are inline) goes in a5
// as the helper's imm; no opcode that comes here has an imm2.
void Compiler::scalar_simd_call(Opcode op) noexcept
{
    const wasm::SignatureTypes& sig = wasm::signature_types(wasm::opcode_info(op).signature);
    u32 count = sig.param_count;
    bool has_scalar = count > 0 && !is_vec(sig.params[count - 1]);
    // The count is the top entry: popped into a temporary, it goes to a5
    // before anything else is written.
    GpReg shift_count = zero;
    if (has_scalar)
        shift_count = m_stack.pop_gp();
    m_stack.spill_caller_saved();
    m_asm.mv(a5, shift_count);
    u32 vectors = count - (has_scalar ? 1 : 0);
    u32 base = u32(m_stack.size()) - vectors;
    constexpr GpReg operand_regs[] = { a2, a3, a4 };
    for (u32 i = 0; i < vectors; ++i)
        frame_address_to(operand_regs[i], scalar_operand(base + i));
    // Operands the opcode does not use are null: a user-mode guest's call is
    // checked operand by operand (jit/UserMode.cpp), stale registers refused.
    for (u32 i = vectors; i < 3; ++i)
        m_asm.li(operand_regs[i], 0);
    m_stack.truncate_stack(base);
    bool vector_result = sig.result_count == 1 && is_vec(sig.results[0]);
    if (vector_result)
        frame_address_to(a1, vec_slot_offset(base));
    else
        m_asm.li(a1, 0);
    m_asm.li(a6, 0);
    m_asm.li(a0, i64(u32(op)));
    call_helper(HelperId::SimdScalar);
    if (vector_result) {
        m_stack.push_slot(ValueType::V128);
    } else if (sig.result_count == 1) {
        // any_true, all_true, bitmask: an i32 (extract_lane is inline).
        GpReg r = m_stack.alloc_gp();
        if (r != a0)
            m_asm.mv(r, a0);
        m_stack.push_gp(sig.results[0], r);
    }
}

// The effective address of a memory form in t4 (offset folded in), after
// the probe of its last byte.
void Compiler::scalar_address(const MemArg& arg, u32 size) noexcept
{
    GpReg index = m_stack.pop_gp();
    i32 imm;
    emit_memory_address(arg, index, t4, imm);
    m_stack.release(index);
    if (imm != 0)
        m_asm.addi(t4, t4, imm);
    record_trap_site(m_asm.offset());
    m_asm.lbu(t5, t4, i32(size - 1));
}

void Compiler::scalar_load(Opcode op, const MemArg& arg) noexcept
{
    // Bytes in flight across the helper call are in memory: spill first, so
    // t4 (the address) is not needed across a spill.
    m_stack.spill_caller_saved();
    u32 result = u32(m_stack.size()) - 1; // the index operand's position
    scalar_address(arg, SimdEmitter::access_size(op));
    i32 at = vec_slot_offset(result);
    if (op == Opcode::V128Load) {
        // §4.4.7.3: the probe covered the last byte; two doublewords.
        for (i32 half = 0; half < 16; half += 8) {
            record_trap_site(m_asm.offset());
            m_asm.ld(t5, t4, half);
            store_frame(t5, at + half);
        }
        m_stack.push_slot(ValueType::V128);
        return;
    }
    m_asm.mv(a2, t4);
    frame_address_to(a1, at);
    m_asm.li(a3, 0); // unused operands are null (see scalar_simd_call)
    m_asm.li(a4, 0);
    m_asm.li(a0, i64(u32(op)));
    call_helper(HelperId::SimdScalar);
    m_stack.push_slot(ValueType::V128);
}

void Compiler::scalar_store(const MemArg& arg) noexcept
{
    m_stack.spill_caller_saved();
    i32 value = scalar_operand(u32(m_stack.size()) - 1);
    m_stack.drop_entry();
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
    m_stack.spill_caller_saved();
    i32 vector = scalar_operand(u32(m_stack.size()) - 1);
    m_stack.drop_entry();
    u32 result = u32(m_stack.size()) - 1; // the index operand's position
    scalar_address(arg, SimdEmitter::access_size(op));
    bool is_load = op == Opcode::V128Load8Lane || op == Opcode::V128Load16Lane || op == Opcode::V128Load32Lane
        || op == Opcode::V128Load64Lane;
    if (is_load) {
        m_asm.mv(a2, t4);
        frame_address_to(a3, vector);
        frame_address_to(a1, vec_slot_offset(result));
    } else {
        m_asm.mv(a1, t4);
        frame_address_to(a2, vector);
        m_asm.li(a3, 0); // unused operands are null (see scalar_simd_call)
    }
    m_asm.li(a4, 0);
    m_asm.li(a5, lane);
    m_asm.li(a0, i64(u32(op)));
    call_helper(HelperId::SimdScalar);
    if (is_load)
        m_stack.push_slot(ValueType::V128);
}

// §4.4.4 select on v128: the first operand's slot is the result's.
void Compiler::scalar_select() noexcept
{
    GpReg condition = m_stack.pop_gp();
    u32 second = u32(m_stack.size()) - 1;
    i32 from = scalar_operand(second);
    i32 to = scalar_operand(second - 1);
    Label done = m_asm.new_label();
    m_asm.bnez(condition, done);
    copy_wide_halves(from, false, to, false);
    m_asm.bind(done);
    m_stack.drop_entry();
}

void Compiler::scalar_local_get(u32 index) noexcept
{
    copy_wide_halves(slot_offset(index), false, vec_slot_offset(u32(m_stack.size())), false);
    m_stack.push_slot(ValueType::V128);
}

void Compiler::scalar_local_set(u32 index, bool keep) noexcept
{
    copy_wide_halves(scalar_operand(u32(m_stack.size()) - 1), false, slot_offset(index), false);
    if (!keep)
        m_stack.drop_entry();
}

// A v128 global's 16 bytes at [t4] (jit/VMContext.h) from or to the stack.
void Compiler::scalar_global_get() noexcept
{
    i32 at = vec_slot_offset(u32(m_stack.size()));
    for (i32 half = 0; half < 16; half += 8) {
        m_asm.ld(t5, t4, half);
        store_frame(t5, at + half);
    }
    m_stack.push_slot(ValueType::V128);
}

void Compiler::scalar_global_set(i32 value) noexcept
{
    for (i32 half = 0; half < 16; half += 8) {
        load_frame(t5, value + half);
        m_asm.sd(t5, t4, half);
    }
}

// §4.4.3 extract_lane / replace_lane, §4.4.3.2 splat: plain loads and
// stores of the lane in the slot (lane i of an NxM shape is at byte i * M/8).
void Compiler::scalar_lane(Opcode op, u8 lane) noexcept
{
    using O = Opcode;
    u32 size = 1;
    bool sign = false;
    switch (op) {
    case O::I8x16ExtractLaneS: sign = true; [[fallthrough]];
    case O::I8x16ExtractLaneU: case O::I8x16ReplaceLane: size = 1; break;
    case O::I16x8ExtractLaneS: sign = true; [[fallthrough]];
    case O::I16x8ExtractLaneU: case O::I16x8ReplaceLane: size = 2; break;
    case O::I32x4ExtractLane: sign = true; [[fallthrough]]; // an i32 is sign-extended (jit/Abi.h)
    case O::I32x4ReplaceLane: case O::F32x4ExtractLane: case O::F32x4ReplaceLane: size = 4; break;
    default: size = 8; break; // i64x2 and f64x2
    }
    const wasm::SignatureTypes& sig = wasm::signature_types(wasm::opcode_info(op).signature);
    if (sig.param_count == 2) {
        ValueType t = sig.params[1];
        i32 at = scalar_operand(u32(m_stack.size()) - 2) + i32(lane * size);
        if (is_float(t)) {
            FpReg value = m_stack.pop_fp();
            frame_store_fp(value, at, t);
        } else {
            GpReg value = m_stack.pop_gp();
            frame_store_sized(value, at, size);
        }
        return; // the vector's slot is the result's
    }
    i32 at = scalar_operand(u32(m_stack.size()) - 1) + i32(lane * size);
    ValueType t = sig.results[0];
    if (is_float(t)) {
        FpReg r = m_stack.alloc_fp();
        frame_load_fp(r, at, t);
        m_stack.drop_entry();
        m_stack.push_fp(t, r);
    } else {
        GpReg r = m_stack.alloc_gp();
        frame_load_sized(r, at, size, sign);
        m_stack.drop_entry();
        m_stack.push_gp(t, r);
    }
}

bool Compiler::scalar_splat(Opcode op) noexcept
{
    using O = Opcode;
    u32 size;
    switch (op) {
    case O::I8x16Splat: size = 1; break;
    case O::I16x8Splat: size = 2; break;
    case O::I32x4Splat: case O::F32x4Splat: size = 4; break;
    case O::I64x2Splat: case O::F64x2Splat: size = 8; break;
    default: return false;
    }
    i32 at = vec_slot_offset(u32(m_stack.size()) - 1);
    ValueType t = m_stack.top().type;
    if (is_float(t)) {
        FpReg value = m_stack.pop_fp();
        for (u32 i = 0; i < 16; i += size)
            frame_store_fp(value, at + i32(i), t);
    } else {
        GpReg value = m_stack.pop_gp();
        for (u32 i = 0; i < 16; i += size)
            frame_store_sized(value, at + i32(i), size);
    }
    m_stack.push_slot(ValueType::V128);
    return true;
}

// §4.4.3.7 i8x16.shuffle: each result half is gathered into a register from
// the longest aligned runs of consecutive source bytes (a lane permutation
// of i32x4 is four lwu), then both halves are stored: the result's slot is
// the first operand's, so nothing is written before everything is read.
void Compiler::scalar_shuffle(const u8* lanes) noexcept
{
    u32 size = u32(m_stack.size());
    i32 a = scalar_operand(size - 2), b = scalar_operand(size - 1);
    GpReg acc[2] = { m_stack.alloc_gp(), m_stack.alloc_gp() };
    for (u32 half = 0; half < 2; ++half) {
        for (u32 i = 8 * half; i < 8 * half + 8;) {
            u32 src = lanes[i];
            u32 run = 8;
            for (; run > 1; run /= 2) {
                if (i % run != 0 || src % run != 0 || (src % 16) + run > 16)
                    continue;
                bool consecutive = true;
                for (u32 k = 1; k < run; ++k)
                    consecutive &= lanes[i + k] == src + k;
                if (consecutive)
                    break;
            }
            i32 from = (src < 16 ? a : b) + i32(src % 16);
            if (i % 8 == 0) {
                frame_load_sized(acc[half], from, run, false);
            } else {
                frame_load_sized(t4, from, run, false);
                m_asm.slli(t4, t4, 8 * (i % 8));
                m_asm.or_(acc[half], acc[half], t4);
            }
            i += run;
        }
    }
    store_frame(acc[0], a);
    store_frame(acc[1], a + 8);
    m_stack.drop_entry();
}

// The ops done on the two halves in registers; false: call the helper.
bool Compiler::scalar_inline(Opcode op) noexcept
{
    using O = Opcode;
    if (scalar_splat(op))
        return true;
    switch (op) {
    case O::V128Not: {
        i32 a = scalar_operand(u32(m_stack.size()) - 1);
        for (i32 half = 0; half < 16; half += 8) {
            load_frame(t4, a + half);
            m_asm.not_(t4, t4);
            store_frame(t4, a + half);
        }
        return true;
    }
    case O::V128And: case O::V128Or: case O::V128Xor: case O::V128AndNot:
    case O::I64x2Add: case O::I64x2Sub: case O::I32x4Add: case O::I32x4Sub: {
        u32 size = u32(m_stack.size());
        i32 a = scalar_operand(size - 2), b = scalar_operand(size - 1);
        bool lanes32 = op == O::I32x4Add || op == O::I32x4Sub;
        GpReg low = lanes32 ? m_stack.alloc_gp() : t6;
        for (i32 half = 0; half < 16; half += 8) {
            load_frame(t4, a + half);
            load_frame(t5, b + half);
            switch (op) {
            case O::V128And: m_asm.and_(t4, t4, t5); break;
            case O::V128Or: m_asm.or_(t4, t4, t5); break;
            case O::V128Xor: m_asm.xor_(t4, t4, t5); break;
            case O::V128AndNot:
                if (m_asm.has(Extension::Zbb)) {
                    m_asm.andn(t4, t4, t5);
                } else {
                    m_asm.not_(t5, t5);
                    m_asm.and_(t4, t4, t5);
                }
                break;
            case O::I64x2Add: m_asm.add(t4, t4, t5); break;
            case O::I64x2Sub: m_asm.sub(t4, t4, t5); break;
            default:
                // Low lane with addw/subw, high lane on the upper words.
                if (op == O::I32x4Add)
                    m_asm.addw(low, t4, t5);
                else
                    m_asm.subw(low, t4, t5);
                m_asm.srli(t4, t4, 32);
                m_asm.srli(t5, t5, 32);
                if (op == O::I32x4Add)
                    m_asm.add(t4, t4, t5);
                else
                    m_asm.sub(t4, t4, t5);
                m_asm.slli(t4, t4, 32);
                m_asm.zero_extend_word(low, low);
                m_asm.or_(t4, t4, low);
                break;
            }
            store_frame(t4, a + half);
        }
        m_stack.drop_entry();
        return true;
    }
    case O::I64x2Shl: case O::I64x2ShrS: case O::I64x2ShrU:
    case O::I32x4Shl: case O::I32x4ShrS: case O::I32x4ShrU: {
        // §4.4.3.6: the count is taken modulo the lane width; only a
        // constant count is done inline.
        if (m_stack.top().loc != Loc::Const)
            return false;
        bool lanes32 = op == O::I32x4Shl || op == O::I32x4ShrS || op == O::I32x4ShrU;
        u32 n = u32(m_stack.top().bits) & (lanes32 ? 31 : 63);
        m_stack.drop_entry();
        i32 a = scalar_operand(u32(m_stack.size()) - 1);
        for (i32 half = 0; half < 16; half += 8) {
            load_frame(t4, a + half);
            switch (op) {
            case O::I64x2Shl: m_asm.slli(t4, t4, n); break;
            case O::I64x2ShrS: m_asm.srai(t4, t4, n); break;
            case O::I64x2ShrU: m_asm.srli(t4, t4, n); break;
            case O::I32x4Shl:
                m_asm.srli(t5, t4, 32);
                m_asm.slli(t5, t5, 32 + n);
                m_asm.slliw(t4, t4, n);
                m_asm.zero_extend_word(t4, t4);
                m_asm.or_(t4, t4, t5);
                break;
            case O::I32x4ShrU:
                m_asm.srli(t5, t4, 32 + n);
                m_asm.slli(t5, t5, 32);
                m_asm.slli(t4, t4, 32);
                m_asm.srli(t4, t4, 32 + n);
                m_asm.or_(t4, t4, t5);
                break;
            default: // i32x4.shr_s
                m_asm.srai(t5, t4, 32 + n);
                m_asm.slli(t5, t5, 32);
                m_asm.slli(t4, t4, 32);
                m_asm.srai(t4, t4, 32 + n);
                m_asm.zero_extend_word(t4, t4);
                m_asm.or_(t4, t4, t5);
                break;
            }
            store_frame(t4, a + half);
        }
        return true;
    }
    default:
        return false;
    }
}

} // namespace k23::jit::baseline
