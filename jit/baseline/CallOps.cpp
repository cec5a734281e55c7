// Calls of the baseline tier (core spec 2.0 §4.4.8 call, call_indirect,
// and the tail-call proposal's return_call*): argument and result
// placement (jit/Abi.h), stack-argument pushes, and runtime helper calls.

#include <jit/Helpers.h>
#include <jit/VMContext.h>
#include <jit/baseline/Compiler.h>

namespace k23::jit::baseline {

Compiler::CallShape Compiler::shape_of(const FunctionType& type) noexcept
{
    CallShape shape;
    u32 wide_params = 0, wide_results = 0; // v128: two stack slots each
    for (ValueType t : type.params) {
        if (t == ValueType::V128)
            wide_params += 2;
        else if (is_float(t))
            ++shape.float_params;
        else
            ++shape.int_params;
    }
    shape.stack_params = (shape.int_params > 8 ? shape.int_params - 8 : 0) + (shape.float_params > 8 ? shape.float_params - 8 : 0) + wide_params;
    u32 ints = 0, floats = 0;
    for (ValueType t : type.results) {
        if (t == ValueType::V128)
            wide_results += 2;
        else if (is_float(t))
            ++floats;
        else
            ++ints;
    }
    shape.stack_results = (ints > 8 ? ints - 8 : 0) + (floats > 8 ? floats - 8 : 0) + wide_results;
    return shape;
}

// Precondition: m_stack.spill_all(). Loads the top params into argument registers
// and overflow slots (the outgoing area, or for a tail call the incoming
// one), then pops them.
void Compiler::prepare_arguments(const FunctionType& type, bool tail) noexcept
{
    u32 n = u32(type.params.size());
    u32 base = u32(m_stack.size()) - n;
    u32 ints = 0, floats = 0, overflow = 0;
    CallShape shape = shape_of(type);
    u32 pushed = pushed_slots(shape.stack_params);
    // A tail callee's arguments go straight to their final place when it
    // lies inside our incoming area (above every slot we read); otherwise
    // they are staged in the outgoing area and moved by emit_tail_call.
    bool direct = tail && pushed <= m_incoming_slots;
    i32 tail_base = abi::incoming_base + i32(m_incoming_slots - pushed) * 8;
    if (!tail)
        push_stack_arguments(8 * u64(pushed));
    for (u32 i = 0; i < n; ++i) {
        Entry e = m_stack[base + i];
        ValueType t = type.params[i];
        e.type = t;
        if (is_vec(t)) {
            if (direct)
                copy_wide_halves(slot_offset(slot_of(base + i)), false, tail_base + i32(overflow) * 8, false);
            else
                copy_wide_halves(slot_offset(slot_of(base + i)), false, i32(overflow) * 8, true);
            overflow += 2;
        } else if (is_float(t) && floats < abi::float_arg_registers) {
            m_stack.load_slot(e, slot_of(base + i), abi::float_args[floats++].id());
        } else if (!is_float(t) && ints < abi::int_arg_registers) {
            m_stack.load_slot(e, slot_of(base + i), abi::int_args[ints++].id());
        } else {
            load_frame(t4, slot_offset(slot_of(base + i)));
            if (direct)
                store_frame(t4, tail_base + i32(overflow) * 8);
            else
                store_sp(t4, i32(overflow) * 8);
            ++overflow;
        }
    }
    m_stack.truncate_stack(base);
    u32 outgoing = tail ? (direct ? 0 : shape.stack_params) : shape.stack_results;
    if (outgoing > m_max_outgoing)
        m_max_outgoing = outgoing;
}

// The arguments (and then the callee's frame link) are stored below sp
// before the callee's own check, so they must fit above the stack limit too
// (jit/Abi.h): the prologue's check covers pushes up to max_prologue_push
// bytes for free (the largest of the function's calls), a bigger push
// checks here. t3 (the callee's entry) and the values' slots stay intact.
void Compiler::push_stack_arguments(u64 bytes) noexcept
{
    if (bytes <= max_prologue_push) {
        if (bytes > m_max_pushed)
            m_max_pushed = u32(bytes);
        add_sp(-i64(bytes));
        return;
    }
    m_asm.li(t6, -i64(bytes + callee_link_bytes));
    m_asm.add(t6, sp, t6);
    m_asm.ld(t5, abi::vmctx, VMOffsets::stack_limit);
    m_asm.bltu(t6, t5, trap_label(TrapCode::CallStackExhausted));
    m_asm.addi(sp, t6, callee_link_bytes);
}

void Compiler::store_sp(GpReg rs, i32 offset) noexcept
{
    m_asm.store(Access::I64, rs, sp, offset);
}

void Compiler::push_call_results(const FunctionType& type) noexcept
{
    u32 ints = 0, floats = 0, overflow = 0;
    for (ValueType t : type.results) {
        if (t == ValueType::V128) {
            if (!m_wide)
                return simd(m_offset);
            copy_wide_halves(i32(overflow) * 8, true, slot_offset(slot_of(u32(m_stack.size()))), false);
            overflow += 2;
            m_stack.push_slot(t);
        } else if (is_float(t) && floats < abi::float_arg_registers) {
            m_stack.push_fp(t, abi::float_args[floats++]);
        } else if (!is_float(t) && ints < abi::int_arg_registers) {
            m_stack.push_gp(t, abi::int_args[ints++]);
        } else {
            m_asm.load(Access::I64, t4, sp, i32(overflow++) * 8);
            store_frame(t4, slot_offset(slot_of(u32(m_stack.size()))));
            m_stack.push_slot(t);
        }
    }
}

void Compiler::load_function_entry(GpReg rd, u32 function) noexcept
{
    m_asm.load_context_pointer(rd, abi::vmctx, VMOffsets::functions, function);
}

void Compiler::emit_call(const FunctionType&) noexcept
{
    home_vec_locals_to_slots(); // t5 only: t3 and the arguments stay
    store_dirty_homes(Keep::No); // no scratch register
    m_asm.ld(t5, t3, VMOffsets::entry_code);
    m_asm.ld(abi::vmctx, t3, VMOffsets::entry_context);
    m_asm.jalr(ra, t5, 0);
    forget_vtype();
    m_asm.ld(abi::vmctx, s0, abi::frame_vmctx_offset);
    m_asm.ld(abi::memory_base, abi::vmctx, VMOffsets::memory0_base);
    home_vec_locals_from_slots();
    m_home_valid = 0; // reloaded when used
}

void Compiler::home_vec_locals_to_slots() noexcept
{
    for (u32 n = 0; n < m_vec_home_count; ++n) {
        u32 local = m_homed_locals[n];
        frame_address_to(t5, slot_offset(local));
        m_asm.vse(slot_sew(), VecReg(m_vec_home[local]), t5);
    }
}

void Compiler::home_vec_locals_from_slots() noexcept
{
    for (u32 n = 0; n < m_vec_home_count; ++n) {
        u32 local = m_homed_locals[n];
        frame_address_to(t5, slot_offset(local));
        m_asm.vle(slot_sew(), VecReg(m_vec_home[local]), t5);
    }
}

// The callee's entry sp is our caller's sp before it pushed our stack
// arguments, minus the callee's pushed arguments (jit/Abi.h): the stack
// depth at the tail callee depends only on its own signature.
void Compiler::emit_tail_call(const FunctionType& type) noexcept
{
    m_asm.ld(t5, t3, VMOffsets::entry_code);
    m_asm.ld(abi::vmctx, t3, VMOffsets::entry_context);
    u32 params = shape_of(type).stack_params;
    u32 pushed = pushed_slots(params);
    if (pushed <= m_incoming_slots) {
        // Arguments are in place already.
        m_asm.mv(sp, s0);
        m_asm.ld(ra, sp, 8);
        m_asm.ld(s0, sp, 0);
        add_sp(16 + 8 * (i64(m_incoming_slots) - i64(pushed)));
        m_asm.jr(t5);
        return;
    }
    // Move the staged arguments ([sp + 8k]) to the callee's area, which
    // reaches below our frame's top (over the saved ra/fp, read first).
    // The staging area lies below every slot, so the two do not overlap.
    m_asm.ld(ra, s0, 8);
    m_asm.ld(t1, s0, 0);
    m_asm.li(t4, 16 + 8 * (i64(m_incoming_slots) - i64(pushed)));
    m_asm.add(t4, s0, t4);
    m_asm.mv(t0, sp);
    m_asm.mv(t2, t4);
    m_asm.li(s2, params);
    Label loop = m_asm.new_label();
    m_asm.bind(loop);
    m_asm.ld(s1, t0, 0);
    m_asm.sd(s1, t2, 0);
    m_asm.addi(t0, t0, 8);
    m_asm.addi(t2, t2, 8);
    m_asm.addi(s2, s2, -1);
    m_asm.bnez(s2, loop);
    m_asm.mv(s0, t1);
    m_asm.mv(sp, t4);
    m_asm.jr(t5);
}

void Compiler::on_call(u32 offset, u32 function, const FunctionType& type) noexcept
{
    m_stack.spill_all();
    load_function_entry(t3, function);
    prepare_arguments(type, false);
    emit_call(type);
    push_call_results(type);
}

// §4.4.8 call_indirect: the table element must exist ("undefined element"),
// be non-null ("uninitialized element") and have the expected type.
void Compiler::emit_call_indirect_lookup(u32 type_index, u32 table, GpReg index) noexcept
{
    m_asm.zero_extend_word(t4, index);
    m_asm.load_context_pointer(t5, abi::vmctx, VMOffsets::tables, table);
    m_asm.ld(index, t5, VMOffsets::table_size);
    m_asm.bgeu(t4, index, trap_label(TrapCode::UndefinedElement));
    m_asm.ld(t5, t5, VMOffsets::table_data);
    m_asm.slli(t4, t4, 3);
    m_asm.add(t5, t5, t4);
    m_asm.ld(t5, t5, 0);
    Label uninitialized = trap_label(TrapCode::UninitializedElement);
    m_stubs.last().detail_reg = t4.id(); // the element index, times 8
    m_stubs.last().detail_shift = 3;
    m_asm.beqz(t5, uninitialized);
    m_asm.lwu(t4, t5, VMOffsets::function_type);
    m_asm.load_context_element(Access::U32, index, abi::vmctx, VMOffsets::type_ids, type_index);
    m_asm.bne(t4, index, trap_label(TrapCode::IndirectCallTypeMismatch));
    m_asm.ld(t3, t5, VMOffsets::function_jit);
}

void Compiler::on_call_indirect(u32 offset, u32 type_index, u32 table, const FunctionType& type) noexcept
{
    GpReg index = m_stack.pop_gp();
    m_stack.spill_all();
    emit_call_indirect_lookup(type_index, table, index);
    prepare_arguments(type, false);
    emit_call(type);
    push_call_results(type);
}

void Compiler::on_return_call(u32 offset, u32 function, const FunctionType& type) noexcept
{
    m_stack.spill_all();
    load_function_entry(t3, function);
    prepare_arguments(type, true);
    emit_tail_call(type);
    set_unreachable();
}

void Compiler::on_return_call_indirect(u32 offset, u32 type_index, u32 table, const FunctionType& type) noexcept
{
    GpReg index = m_stack.pop_gp();
    m_stack.spill_all();
    emit_call_indirect_lookup(type_index, table, index);
    prepare_arguments(type, true);
    emit_tail_call(type);
    set_unreachable();
}

void Compiler::call_helper(HelperId helper) noexcept
{
    home_vec_locals_to_slots();
    m_asm.li(t5, i64(m_env.helpers[helper]));
    m_asm.jalr(ra, t5, 0);
    forget_vtype();
    home_vec_locals_from_slots(); // t5 only: the helper's a0/a1 stay
}

// Helper call set-up: a0 = vmctx, a1.. = immediates, then `count` stack
// operands (deepest first), popped. Precondition: nothing else matters in
// registers (everything is spilled here).
void Compiler::helper_args(u32 count, u32 immediate_count, const u64* immediates) noexcept
{
    m_stack.spill_all();
    u32 base = u32(m_stack.size()) - count;
    m_asm.mv(a0, abi::vmctx);
    u32 next = 1;
    for (u32 i = 0; i < immediate_count; ++i)
        m_asm.li(abi::int_args[next++], i64(immediates[i]));
    for (u32 i = 0; i < count; ++i)
        load_frame(abi::int_args[next++], slot_offset(slot_of(base + i)));
    m_stack.truncate_stack(base);
}

} // namespace k23::jit::baseline
