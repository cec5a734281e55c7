// Memory, table, reference and global instructions of the baseline tier
// (core spec 2.0 §4.4.5-§4.4.7). Loads and stores need no bounds check: the
// effective address base + zext(i32) + offset stays inside the memory's
// 8 GiB reservation, and an access beyond the accessible pages faults; the
// access's pc is in the trap table as "out of bounds memory access".
// memory.fill and memory.copy are inline (bounds by a probing load, then
// word loops); memory.init, data.drop and most table operations call
// runtime helpers (jit/Helpers.h).

#include <jit/BulkMemory.h>
#include <jit/Helpers.h>
#include <jit/MemoryAccess.h>
#include <jit/VMContext.h>
#include <jit/baseline/Compiler.h>

namespace k23::jit::baseline {

// out = the memory's base + zext(index), and imm such that out + imm is
// the effective address (the static offset's upper part added through t5).
void Compiler::emit_memory_address(const MemArg& arg, GpReg index, GpReg out, i32& imm) noexcept
{
    GpReg base = emit_memory_base(arg, index, out);
    MacroAssembler::Address address = m_asm.reach(base, i64(arg.offset), out, t5);
    imm = address.offset;
}

// out = the memory's base + zext(index): the address before the static
// offset (t5 for a memory other than memory 0).
GpReg Compiler::emit_memory_base(const MemArg& arg, GpReg index, GpReg out) noexcept
{
    GpReg base = abi::memory_base;
    if (arg.memory != 0) {
        m_asm.load_context_pointer(t5, abi::vmctx, VMOffsets::memory_bases, arg.memory);
        base = t5;
    }
    m_asm.add_zero_extended_word(out, index, base);
    return out;
}

void Compiler::on_load(u32 offset, Opcode op, const MemArg& arg) noexcept
{
    if (wasm::opcode_info(op).prefix == 0xfd) {
        if (scalar_simd())
            scalar_load(op, arg);
        else if (!m_wide || !simd_load(op, arg))
            simd(offset, op);
        return;
    }
    GpReg index = m_stack.pop_gp_read();
    GpReg address = emit_memory_base(arg, index, t4);
    m_stack.release(index);
    using O = Opcode;
    if (op == O::F32Load || op == O::F64Load) {
        FpReg r = m_stack.alloc_fp();
        m_asm.load_trapping(load_access(op), r, address, i64(arg.offset), t5);
        m_stack.push_fp(op == O::F32Load ? ValueType::F32 : ValueType::F64, r);
        return;
    }
    GpReg r = m_stack.alloc_gp();
    ValueType type = wasm::opcode_info(op).signature == wasm::Sig::i_i ? ValueType::I32 : ValueType::I64;
    m_asm.load_trapping(load_access(op), r, address, i64(arg.offset), t5);
    m_stack.push_gp(type, r);
}

void Compiler::on_store(u32 offset, Opcode op, const MemArg& arg) noexcept
{
    if (wasm::opcode_info(op).prefix == 0xfd) {
        if (scalar_simd() && op == Opcode::V128Store)
            scalar_store(arg);
        else if (!m_wide || !simd_store(op, arg))
            simd(offset, op);
        return;
    }
    using O = Opcode;
    if (op == O::F32Store || op == O::F64Store) {
        FpReg value = m_stack.pop_fp_read();
        GpReg address = emit_memory_base(arg, m_stack.pop_gp_read(), t4);
        m_asm.store_trapping(store_access(op), value, address, i64(arg.offset), t5);
        return;
    }
    GpReg value = m_stack.pop_gp_read();
    GpReg address = emit_memory_base(arg, m_stack.pop_gp_read(), t4);
    m_asm.store_trapping(store_access(op), value, address, i64(arg.offset), t5);
}

void Compiler::on_memory_size(u32 offset, u32 memory) noexcept
{
    u64 imm[] = { memory };
    helper_args(0, 1, imm);
    call_helper(HelperId::MemorySize);
    m_stack.set_temp_gp(a0.id());
    m_stack.push_gp(ValueType::I32, a0);
}

void Compiler::on_memory_grow(u32 offset, u32 memory) noexcept
{
    u64 imm[] = { memory };
    helper_args(1, 1, imm);
    call_helper(HelperId::MemoryGrow);
    m_asm.addiw(a0, a0, 0);
    m_stack.set_temp_gp(a0.id());
    m_stack.push_gp(ValueType::I32, a0);
}

// ---------------------------------------------------------------- bulk memory
//
// memory.fill and memory.copy (core spec 2.0 §4.4.7) run inline, with the
// sequences both tiers share (jit/BulkMemory.h).

// Pops three i32 operands (deepest first) into the registers, zero-extended.
// Everything else is spilled: a0-a7 and t0-t3 are free, as for a helper call.
void Compiler::bulk_operands(GpReg first, GpReg second, GpReg third) noexcept
{
    m_stack.spill_all();
    u32 base = u32(m_stack.size()) - 3;
    GpReg regs[] = { first, second, third };
    for (u32 i = 0; i < 3; ++i) {
        load_frame(regs[i], slot_offset(slot_of(base + i)));
        m_asm.zero_extend_word(regs[i], regs[i]);
    }
    m_stack.truncate_stack(base);
}

void Compiler::memory_base_into(GpReg out, u32 memory) noexcept
{
    if (memory == 0) {
        m_asm.mv(out, abi::memory_base);
        return;
    }
    m_asm.load_context_pointer(out, abi::vmctx, VMOffsets::memory_bases, memory);
}

void Compiler::on_memory_fill(u32 offset, u32 memory) noexcept
{
    bulk_operands(a1, a2, a3); // destination, value, count
    memory_base_into(a4, memory);
    record_trap_site(bulk::probe_range_end(m_asm, a4, a1, a3));
    m_asm.add(a1, a1, a4);
    bulk::fill_bytes(m_asm);
}

void Compiler::on_memory_copy(u32 offset, u32 dst, u32 src) noexcept
{
    bulk_operands(a1, a2, a3); // destination, source, count
    memory_base_into(a4, dst);
    memory_base_into(a5, src);
    record_trap_site(bulk::probe_range_end(m_asm, a4, a1, a3));
    record_trap_site(bulk::probe_range_end(m_asm, a5, a2, a3));
    m_asm.add(a1, a1, a4);
    m_asm.add(a2, a2, a5);
    bulk::move_bytes(m_asm);
}

void Compiler::on_memory_init(u32 offset, u32 data, u32 memory) noexcept
{
    u64 imm[] = { memory, data };
    helper_args(3, 2, imm);
    call_helper(HelperId::MemoryInit);
    m_asm.bnez(a1, dynamic_trap_label());
}

void Compiler::on_data_drop(u32 offset, u32 data) noexcept
{
    u64 imm[] = { data };
    helper_args(0, 1, imm);
    call_helper(HelperId::DataDrop);
}

// ---------------------------------------------------------------- globals

void Compiler::on_global_get(u32 offset, u32 index, ValueType type) noexcept
{
    if (type == ValueType::V128 && !m_wide)
        return simd(offset);
    m_asm.load_context_pointer(t4, abi::vmctx, VMOffsets::globals, index, t5);
    if (is_vec(type) && !m_vector) {
        scalar_global_get();
    } else if (is_vec(type)) {
        // A v128 global's 16 bytes are the Value's payload (jit/VMContext.h).
        VecReg r = m_stack.alloc_vec();
        vset(Sew::E8);
        m_asm.vle(Sew::E8, r, t4);
        m_stack.push_vec(r);
    } else if (is_float(type)) {
        FpReg r = m_stack.alloc_fp();
        if (type == ValueType::F32)
            m_asm.flw(r, t4, 0);
        else
            m_asm.fld(r, t4, 0);
        m_stack.push_fp(type, r);
    } else {
        GpReg r = m_stack.alloc_gp();
        if (type == ValueType::I32)
            m_asm.lw(r, t4, 0);
        else
            m_asm.ld(r, t4, 0);
        m_stack.push_gp(type, r);
    }
}

void Compiler::on_global_set(u32 offset, u32 index, ValueType type) noexcept
{
    if (type == ValueType::V128 && !m_wide)
        return simd(offset);
    bool fp = is_float(type);
    FpReg fvalue = ft10;
    GpReg gvalue = t5;
    VecReg vvalue = v1;
    i32 scalar_value = 0; // the scalar path: the v128's slot
    if (is_vec(type) && !m_vector) {
        scalar_value = scalar_operand(u32(m_stack.size()) - 1);
        m_stack.drop_entry();
    } else if (is_vec(type)) {
        vvalue = m_stack.pop_vec();
    }
    else if (fp)
        fvalue = m_stack.pop_fp_read();
    else
        gvalue = m_stack.pop_gp_read();
    m_asm.load_context_pointer(t4, abi::vmctx, VMOffsets::globals, index);
    switch (type) {
    case ValueType::V128:
        if (!m_vector) {
            scalar_global_set(scalar_value);
            break;
        }
        vset(Sew::E8);
        m_asm.vse(Sew::E8, vvalue, t4);
        break;
    case ValueType::F32: m_asm.fsw(fvalue, t4, 0); break;
    case ValueType::F64: m_asm.fsd(fvalue, t4, 0); break;
    case ValueType::I32: m_asm.sw(gvalue, t4, 0); break;
    default: m_asm.sd(gvalue, t4, 0); break;
    }
}

// ---------------------------------------------------------------- references

void Compiler::on_ref_null(u32 offset, ValueType type) noexcept
{
    m_stack.push_const(type, 0);
}

void Compiler::on_ref_is_null(u32 offset, ValueType) noexcept
{
    GpReg a = m_stack.pop_gp();
    m_stack.release(a);
    GpReg r = m_stack.alloc_gp();
    m_asm.seqz(r, a);
    m_stack.push_gp(ValueType::I32, r);
}

void Compiler::on_ref_func(u32 offset, u32 function) noexcept
{
    GpReg r = m_stack.alloc_gp();
    load_function_entry(r, function);
    m_asm.ld(r, r, i32(__builtin_offsetof(VMFuncEntry, function)));
    m_stack.push_gp(ValueType::FuncRef, r);
}

// ---------------------------------------------------------------- tables

void Compiler::on_table_get(u32 offset, u32 table) noexcept
{
    GpReg index = m_stack.pop_gp();
    GpReg r = m_stack.alloc_gp();
    m_asm.zero_extend_word(t4, index);
    m_asm.load_context_pointer(t5, abi::vmctx, VMOffsets::tables, table, r);
    m_asm.ld(r, t5, VMOffsets::table_size);
    m_asm.bgeu(t4, r, trap_label(TrapCode::OutOfBoundsTable));
    m_asm.ld(t5, t5, VMOffsets::table_data);
    m_asm.slli(t4, t4, 3);
    m_asm.add(t5, t5, t4);
    m_asm.ld(r, t5, 0);
    m_stack.push_gp(m_module.tables()[table].element, r);
}

void Compiler::on_table_set(u32 offset, u32 table) noexcept
{
    GpReg value = m_stack.pop_gp();
    GpReg index = m_stack.pop_gp();
    GpReg scratch = m_stack.alloc_gp();
    m_asm.zero_extend_word(t4, index);
    m_asm.load_context_pointer(t5, abi::vmctx, VMOffsets::tables, table, scratch);
    m_asm.ld(scratch, t5, VMOffsets::table_size);
    m_asm.bgeu(t4, scratch, trap_label(TrapCode::OutOfBoundsTable));
    m_asm.ld(t5, t5, VMOffsets::table_data);
    m_asm.slli(t4, t4, 3);
    m_asm.add(t5, t5, t4);
    m_asm.sd(value, t5, 0);
}

void Compiler::on_table_size(u32 offset, u32 table) noexcept
{
    u64 imm[] = { table };
    helper_args(0, 1, imm);
    call_helper(HelperId::TableSize);
    m_stack.set_temp_gp(a0.id());
    m_stack.push_gp(ValueType::I32, a0);
}

void Compiler::on_table_grow(u32 offset, u32 table) noexcept
{
    u64 imm[] = { table };
    helper_args(2, 1, imm);
    call_helper(HelperId::TableGrow);
    m_asm.addiw(a0, a0, 0);
    m_stack.set_temp_gp(a0.id());
    m_stack.push_gp(ValueType::I32, a0);
}

void Compiler::on_table_fill(u32 offset, u32 table) noexcept
{
    u64 imm[] = { table };
    helper_args(3, 1, imm);
    call_helper(HelperId::TableFill);
    m_asm.bnez(a1, dynamic_trap_label());
}

void Compiler::on_table_copy(u32 offset, u32 dst, u32 src) noexcept
{
    u64 imm[] = { dst, src };
    helper_args(3, 2, imm);
    call_helper(HelperId::TableCopy);
    m_asm.bnez(a1, dynamic_trap_label());
}

void Compiler::on_table_init(u32 offset, u32 elem, u32 table) noexcept
{
    u64 imm[] = { table, elem };
    helper_args(3, 2, imm);
    call_helper(HelperId::TableInit);
    m_asm.bnez(a1, dynamic_trap_label());
}

void Compiler::on_elem_drop(u32 offset, u32 elem) noexcept
{
    u64 imm[] = { elem };
    helper_args(0, 1, imm);
    call_helper(HelperId::ElemDrop);
}

} // namespace k23::jit::baseline
