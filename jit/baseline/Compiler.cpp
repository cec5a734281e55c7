// The baseline compiler: framework (value stack, registers, frames),
// control flow and calls. See Compiler.h for the model and jit/Abi.h for
// the conventions. Semantics follow core spec 2.0 §4.4 "Instructions".

#include <base/Memory.h>
#include <base/Platform.h>
#include <jit/Helpers.h>
#include <jit/VMContext.h>
#include <arch/riscv64/asm/Encoding.h>
#include <jit/baseline/Compiler.h>

namespace k23::jit::baseline {

namespace {

constexpr GpReg s_gp_pool[] = { t0, t1, t2, t3, s1, s2, s3, s4, s5, s6, s7, s8, s9, a0, a1, a2, a3, a4, a5, a6, a7 };
constexpr FpReg s_fp_pool[] = { ft0, ft1, ft2, ft3, ft4, ft5, ft6, ft7, ft8, ft9, fs0, fs1, fs2, fs3, fs4, fs5, fs6,
    fs7, fs8, fs9, fs10, fs11, fa0, fa1, fa2, fa3, fa4, fa5, fa6, fa7 };

bool is_float_type(ValueType t) { return t == ValueType::F32 || t == ValueType::F64; }

// Heap sort: O(n log n) in place whatever the input (a br_table's distinct
// depths).
void sort_ascending(Span<u32> values)
{
    usize n = values.size();
    auto sift_down = [&](usize root, usize end) {
        for (;;) {
            usize child = 2 * root + 1;
            if (child >= end)
                return;
            if (child + 1 < end && values[child + 1] > values[child])
                ++child;
            if (values[root] >= values[child])
                return;
            u32 t = values[root];
            values[root] = values[child];
            values[child] = t;
            root = child;
        }
    };
    for (usize i = n / 2; i > 0; --i)
        sift_down(i - 1, n);
    for (usize end = n; end > 1; --end) {
        u32 t = values[0];
        values[0] = values[end - 1];
        values[end - 1] = t;
        sift_down(0, end - 1);
    }
}

} // namespace

// ---------------------------------------------------------------- framework

void Compiler::fail(Error error) noexcept
{
    if (!m_failed) {
        m_failed = true;
        m_failure = error.with_offset(m_offset).in_function(m_function_index);
    }
}

void Compiler::simd(u32 offset) noexcept
{
    m_offset = offset;
    fail(Error::from_code(ErrorCode::Unsupported, "SIMD not supported yet: v128"));
}

void Compiler::simd(u32 offset, Opcode op) noexcept
{
    m_offset = offset;
    fail(Error::formatted(ErrorCode::Unsupported, "SIMD not supported yet: {}"_sv, wasm::opcode_info(op).name));
}

bool Compiler::begin(u32 offset) noexcept
{
    flush_pending_compare();
    // Trap stubs go out of line but near their branches (B-type reaches
    // ±4 KiB): pending ones are placed behind a jump every ~1.5 KiB, so
    // the code holder rarely needs islands.
    if (m_stubs_emitted < m_stubs.size() && m_asm.offset() - m_oldest_stub_at > 1536 && !m_failed) {
        Label skip = m_asm.new_label();
        m_asm.j(skip);
        emit_trap_stubs();
        m_asm.bind(skip);
    }
    m_offset = offset;
    for (u64 mask = m_temp_mask; mask; mask &= mask - 1) {
        u32 bit = u32(__builtin_ctzll(mask));
        i32& owner = bit < 32 ? m_gp_owner[bit] : m_fp_owner[bit - 32];
        if (owner == temp_reg)
            owner = free_reg;
    }
    m_temp_mask = 0;
    for (u32 mask = m_vtemp_mask; mask; mask &= mask - 1) {
        u32 bit = u32(__builtin_ctz(mask));
        if (m_vec_owner[bit] == temp_reg)
            m_vec_owner[bit] = free_reg;
    }
    m_vtemp_mask = 0;
    return m_reachable && !m_failed;
}

GpReg Compiler::frame_address(i32 offset, i32& imm) noexcept
{
    if (offset >= -2048 && offset <= 2047) {
        imm = offset;
        return abi::frame;
    }
    m_asm.li(t6, offset);
    m_asm.add(t6, abi::frame, t6);
    imm = 0;
    return t6;
}

void Compiler::load_frame(GpReg rd, i32 offset) noexcept
{
    i32 imm;
    GpReg base = frame_address(offset, imm);
    m_asm.ld(rd, base, imm);
}

void Compiler::store_frame(GpReg rs, i32 offset) noexcept
{
    i32 imm;
    GpReg base = frame_address(offset, imm);
    m_asm.sd(rs, base, imm);
}

// 1-, 2-, 4- or 8-byte frame access at fp + offset (t6 for far offsets).
void Compiler::frame_load_sized(GpReg rd, i32 offset, u32 size, bool sign) noexcept
{
    i32 imm;
    GpReg base = frame_address(offset, imm);
    switch (size) {
    case 1: sign ? m_asm.lb(rd, base, imm) : m_asm.lbu(rd, base, imm); break;
    case 2: sign ? m_asm.lh(rd, base, imm) : m_asm.lhu(rd, base, imm); break;
    case 4: sign ? m_asm.lw(rd, base, imm) : m_asm.lwu(rd, base, imm); break;
    default: m_asm.ld(rd, base, imm); break;
    }
}

void Compiler::frame_store_sized(GpReg rs, i32 offset, u32 size) noexcept
{
    i32 imm;
    GpReg base = frame_address(offset, imm);
    switch (size) {
    case 1: m_asm.sb(rs, base, imm); break;
    case 2: m_asm.sh(rs, base, imm); break;
    case 4: m_asm.sw(rs, base, imm); break;
    default: m_asm.sd(rs, base, imm); break;
    }
}

void Compiler::frame_load_fp(FpReg rd, i32 offset, ValueType type) noexcept
{
    i32 imm;
    GpReg base = frame_address(offset, imm);
    if (type == ValueType::F32)
        m_asm.flw(rd, base, imm);
    else
        m_asm.fld(rd, base, imm);
}

void Compiler::frame_store_fp(FpReg rs, i32 offset, ValueType type) noexcept
{
    i32 imm;
    GpReg base = frame_address(offset, imm);
    if (type == ValueType::F32)
        m_asm.fsw(rs, base, imm);
    else
        m_asm.fsd(rs, base, imm);
}

void Compiler::load_slot(const Entry& e, u32 slot, u8 reg) noexcept
{
    if (is_vec(e.type)) {
        frame_address_to(t5, slot_offset(slot));
        Sew sew = slot_sew();
        m_asm.vle(sew, VecReg(reg), t5);
        return;
    }
    if (is_float(e.type))
        frame_load_fp(FpReg(reg), slot_offset(slot), e.type);
    else
        load_frame(GpReg(reg), slot_offset(slot));
}

void Compiler::store_slot(ValueType type, u8 reg, u32 slot) noexcept
{
    if (is_vec(type)) {
        frame_address_to(t5, slot_offset(slot));
        Sew sew = slot_sew();
        m_asm.vse(sew, VecReg(reg), t5);
        return;
    }
    if (is_float(type))
        frame_store_fp(FpReg(reg), slot_offset(slot), type);
    else
        store_frame(GpReg(reg), slot_offset(slot));
}

void Compiler::spill(u32 index) noexcept
{
    Entry& e = m_stack[index];
    if (e.loc == Loc::Reg) {
        store_slot(e.type, e.reg, slot_of(index));
        if (is_vec(e.type))
            m_vec_owner[e.reg] = free_reg;
        else if (is_float(e.type))
            m_fp_owner[e.reg] = free_reg;
        else
            m_gp_owner[e.reg] = free_reg;
    } else if (e.loc == Loc::Const) {
        m_asm.li(t4, i64(e.bits));
        store_frame(t4, slot_offset(slot_of(index)));
    }
    e.loc = Loc::Slot;
}

void Compiler::spill_all() noexcept
{
    u32 size = u32(m_stack.size());
    for (u32 i = m_spilled_below; i < size; ++i) {
        if (m_stack[i].loc != Loc::Slot)
            spill(i);
    }
    m_spilled_below = size;
}

// Frees a register of a class by spilling the lowest stack entry in one.
// A register's owner is the index of the entry holding it (negative: free,
// temporary, pinned or a home), so the lowest such entry is the smallest
// owner: a scan of 32 owners however deep the stack is.
void Compiler::spill_one(RegClass which) noexcept
{
    const i32* owners = which == RegClass::Integer ? m_gp_owner : which == RegClass::Float ? m_fp_owner : m_vec_owner;
    i32 lowest = -1;
    for (u32 id = 0; id < 32; ++id) {
        if (owners[id] >= 0 && (lowest < 0 || owners[id] < lowest))
            lowest = owners[id];
    }
    if (lowest >= 0) {
        spill(u32(lowest));
        return;
    }
    fail(Error::from_code(ErrorCode::Exhausted, which == RegClass::Integer ? "baseline: out of integer registers"
            : which == RegClass::Float                                     ? "baseline: out of float registers"
                                                                           : "baseline: out of vector registers"));
}

VecReg Compiler::alloc_vec() noexcept
{
    for (int attempt = 0; attempt < 2; ++attempt) {
        for (u8 id = abi::first_value_vreg; id < 32; ++id) {
            if (m_vec_owner[id] == free_reg) {
                set_temp_vec(id);
                return VecReg(id);
            }
        }
        spill_one(RegClass::Vector);
    }
    return v8;
}

VecReg Compiler::pop_vec() noexcept
{
    u32 index = u32(m_stack.size()) - 1;
    Entry e = pop_entry();
    if (e.loc == Loc::Reg && is_vec(e.type))
        return VecReg(e.reg);
    VecReg r = alloc_vec();
    if (!is_vec(e.type) || e.loc != Loc::Slot) {
        fail(Error::from_code(ErrorCode::Invalid, "baseline: v128 operand expected"));
        return r;
    }
    load_slot(e, slot_of(index), r.id());
    return r;
}

void Compiler::push_vec(VecReg r) noexcept
{
    if (!m_wide)
        return simd(m_offset);
    Entry e;
    e.type = ValueType::V128;
    e.loc = Loc::Reg;
    e.reg = r.id();
    m_vec_owner[r.id()] = i32(m_stack.size());
    push_entry(e);
}

void Compiler::frame_address_to(GpReg rd, i32 offset) noexcept
{
    if (offset >= -2048 && offset <= 2047) {
        m_asm.addi(rd, abi::frame, offset);
    } else {
        m_asm.li(rd, offset);
        m_asm.add(rd, abi::frame, rd);
    }
}

// Copies 16 bytes (a v128 in memory) through t4, 8 bytes at a time:
// offsets relative to fp or sp.
void Compiler::copy_wide_halves(i32 from, bool from_sp, i32 to, bool to_sp) noexcept
{
    for (i32 half = 0; half < 16; half += 8) {
        if (from_sp) {
            if (from + half <= 2047) {
                m_asm.ld(t4, sp, from + half);
            } else {
                m_asm.li(t6, from + half);
                m_asm.add(t6, sp, t6);
                m_asm.ld(t4, t6, 0);
            }
        } else {
            load_frame(t4, from + half);
        }
        if (to_sp)
            store_sp(t4, to + half);
        else
            store_frame(t4, to + half);
    }
}

GpReg Compiler::alloc_gp() noexcept
{
    for (int attempt = 0; attempt < 2; ++attempt) {
        for (GpReg r : s_gp_pool) {
            if (m_gp_owner[r.id()] == free_reg) {
                set_temp_gp(r.id());
                return r;
            }
        }
        spill_one(RegClass::Integer);
    }
    return t0;
}

FpReg Compiler::alloc_fp() noexcept
{
    for (int attempt = 0; attempt < 2; ++attempt) {
        for (FpReg r : s_fp_pool) {
            if (m_fp_owner[r.id()] == free_reg) {
                set_temp_fp(r.id());
                return r;
            }
        }
        spill_one(RegClass::Float);
    }
    return ft0;
}

Compiler::Entry Compiler::pop_entry() noexcept
{
    if (m_stack.is_empty()) {
        fail(Error::from_code(ErrorCode::Invalid, "baseline: value stack underflow"));
        return {};
    }
    Entry e = m_stack.take_last();
    if (e.loc == Loc::Reg) {
        if (is_vec(e.type))
            set_temp_vec(e.reg);
        else if (is_float(e.type))
            set_temp_fp(e.reg);
        else
            set_temp_gp(e.reg);
    }
    return e;
}

void Compiler::drop_entry() noexcept
{
    Entry e = pop_entry();
    if (e.loc == Loc::Reg) {
        if (is_vec(e.type))
            m_vec_owner[e.reg] = free_reg;
        else if (is_float(e.type))
            m_fp_owner[e.reg] = free_reg;
        else
            m_gp_owner[e.reg] = free_reg;
    }
}

GpReg Compiler::pop_gp() noexcept
{
    u32 index = u32(m_stack.size()) - 1;
    Entry e = pop_entry();
    if (e.loc == Loc::Reg)
        return GpReg(e.reg);
    GpReg r = alloc_gp();
    if (e.loc == Loc::Const)
        m_asm.li(r, i64(e.bits));
    else
        load_frame(r, slot_offset(slot_of(index)));
    return r;
}

FpReg Compiler::pop_fp() noexcept
{
    u32 index = u32(m_stack.size()) - 1;
    Entry e = pop_entry();
    if (e.loc == Loc::Reg)
        return FpReg(e.reg);
    FpReg r = alloc_fp();
    if (e.loc == Loc::Const) {
        // +0.0 from x0; a pattern li builds in one instruction (addi, or
        // lui for an f32) through t4; anything else from the literal pool
        // (auipc + fld/flw: two instructions, where li needs two or more).
        bool is32 = e.type == ValueType::F32;
        u64 bits = is32 ? u64(u32(e.bits)) : e.bits;
        i64 value = is32 ? i64(i32(u32(bits))) : i64(bits);
        bool one_instruction = (value >= -2048 && value < 2048)
            || (value >= -(i64(1) << 31) && value < (i64(1) << 31) && (value & 0xfff) == 0);
        if (bits == 0 || one_instruction) {
            GpReg source = bits == 0 ? zero : t4;
            if (bits != 0)
                m_asm.li(t4, value);
            if (is32)
                m_asm.fmv_w_x(r, source);
            else
                m_asm.fmv_d_x(r, source);
        } else {
            m_asm.load_fp_constant(r, bits, is32 ? Assembler::FpWidth::Single : Assembler::FpWidth::Double);
        }
    } else {
        load_slot(e, slot_of(index), r.id());
    }
    return r;
}

// Every push: the entry, and the deepest stack seen (the frame's slots).
void Compiler::push_entry(const Entry& e) noexcept
{
    if (e.loc != Loc::Slot && m_stack.size() < m_spilled_below)
        m_spilled_below = u32(m_stack.size());
    if (m_stack.try_append(e).is_error())
        fail(Error::from_code(ErrorCode::OutOfMemory, "baseline: value stack"));
    if (m_stack.size() > m_max_depth)
        m_max_depth = u32(m_stack.size());
}

void Compiler::push_gp(ValueType type, GpReg r) noexcept
{
    Entry e;
    e.type = type;
    e.loc = Loc::Reg;
    e.reg = r.id();
    m_gp_owner[r.id()] = i32(m_stack.size());
    push_entry(e);
}

void Compiler::push_fp(ValueType type, FpReg r) noexcept
{
    Entry e;
    e.type = type;
    e.loc = Loc::Reg;
    e.reg = r.id();
    m_fp_owner[r.id()] = i32(m_stack.size());
    push_entry(e);
}

void Compiler::push_const(ValueType type, u64 bits) noexcept
{
    Entry e;
    e.type = type;
    e.loc = Loc::Const;
    e.bits = bits;
    push_entry(e);
}

void Compiler::push_slot(ValueType type) noexcept
{
    Entry e;
    e.type = type;
    e.loc = Loc::Slot;
    push_entry(e);
}

void Compiler::truncate_stack(u32 height) noexcept
{
    while (m_stack.size() > height)
        drop_entry();
}

// Writes the top `arity` values into the canonical slots starting at stack
// index `target_height` (a branch's label values). Emission only: the
// abstract stack is unchanged (the fall-through path of br_if keeps it).
void Compiler::move_to_slots(u32 target_height, u32 arity) noexcept
{
    u32 size = u32(m_stack.size());
    for (u32 i = 0; i < arity; ++i) {
        u32 index = size - arity + i;
        const Entry& e = m_stack[index];
        u32 dest = slot_of(target_height + i);
        if (e.loc == Loc::Reg) {
            store_slot(e.type, e.reg, dest);
        } else if (e.loc == Loc::Const) {
            m_asm.li(t4, i64(e.bits));
            store_frame(t4, slot_offset(dest));
        } else if (index != target_height + i) {
            if (is_vec(e.type)) {
                copy_wide_halves(slot_offset(slot_of(index)), false, slot_offset(dest), false);
            } else {
                load_frame(t4, slot_offset(slot_of(index)));
                store_frame(t4, slot_offset(dest));
            }
        }
    }
}

Label Compiler::trap_label(TrapCode code) noexcept
{
    if (m_stubs_emitted == m_stubs.size())
        m_oldest_stub_at = m_asm.offset();
    TrapStub stub { m_asm.new_label(), m_offset, u8(code), false };
    if (m_stubs.try_append(stub).is_error())
        fail(Error::from_code(ErrorCode::OutOfMemory, "baseline: trap stubs"));
    return stub.label;
}

Label Compiler::dynamic_trap_label() noexcept
{
    if (m_stubs_emitted == m_stubs.size())
        m_oldest_stub_at = m_asm.offset();
    TrapStub stub { m_asm.new_label(), m_offset, 0, true };
    if (m_stubs.try_append(stub).is_error())
        fail(Error::from_code(ErrorCode::OutOfMemory, "baseline: trap stubs"));
    return stub.label;
}

void Compiler::record_trap_site(u32 code_offset) noexcept
{
    if (m_traps.try_append(TrapSite { code_offset, m_offset }).is_error())
        fail(Error::from_code(ErrorCode::OutOfMemory, "baseline: trap table"));
}

void Compiler::set_unreachable() noexcept
{
    if (!m_frames.is_empty())
        truncate_stack(m_frames.last().height + (m_frames.last().kind == wasm::FrameKind::Function ? 0 : 0));
    m_reachable = false;
}

// ---------------------------------------------------------------- function

void Compiler::begin_function(u32 function_index, bool module_wide) noexcept
{
    m_function_index = function_index;
    m_type = m_module.function_type(function_index);
    m_stack.clear();
    m_spilled_below = 0;
    m_frames.clear();
    m_stubs.clear();
    m_traps.clear();
    m_max_depth = 0;
    m_max_outgoing = 0;
    m_max_pushed = 0;
    m_reachable = true;
    m_failed = false;
    m_pending = {};
    m_temp_mask = 0;
    for (auto& owner : m_gp_owner)
        owner = free_reg;
    for (auto& owner : m_fp_owner)
        owner = free_reg;
    for (auto& owner : m_vec_owner)
        owner = free_reg;
    m_vtemp_mask = 0;
    m_vtype_known = false;
    m_vector = m_env.features.has(Extension::V);
    m_wide = module_wide || body_needs_wide(m_module, function_index);
}

void Compiler::on_function_begin(Span<const ValueType> locals) noexcept
{
    m_offset = m_module.functions()[m_function_index].body.offset;
    m_local_types.clear();
    if (m_local_types.try_extend(locals).is_error())
        return fail(Error::from_code(ErrorCode::OutOfMemory, "baseline: locals"));
    m_local_count = u32(locals.size());
    m_param_count = u32(m_type.params.size());
    m_incoming_slots = pushed_slots(shape_of(m_type).stack_params);
    for (ValueType t : locals) {
        if (t == ValueType::V128)
            m_wide = true; // before the first slot access
    }
    for (ValueType t : m_type.results) {
        if (t == ValueType::V128 && !m_wide)
            return simd(m_offset);
    }
    // The first v128 locals (parameters included) live in v24-v31 while
    // the function runs; values keep v8 up to the first home.
    if (m_vector && m_wide)
        choose_vec_homes();
    else
        m_vec_home_count = 0;
    m_trap_exit = m_asm.new_label();
    m_stubs_emitted = 0;
    m_stack_trap = trap_label(TrapCode::CallStackExhausted);

    // Prologue: link the frame, then the out-of-line frame setup (its size is
    // known at the end) checks the stack limit and allocates it.
    m_asm.addi(sp, sp, -16);
    m_asm.sd(ra, sp, 8);
    m_asm.sd(s0, sp, 0);
    m_asm.mv(s0, sp);
    // sp = fp - frame size, checked against the stack limit first. The
    // check also covers what our calls store below sp before the callee's
    // own check (jit/Abi.h): the stack arguments they push (up to
    // max_prologue_push bytes; bigger pushes check at the call) and the
    // callee's 16-byte frame link. t4 = fp - (frame + pushed + 16) is
    // checked, then sp = t4 + pushed + 16. Both sizes are known at the end:
    // lui + addiw and the addi are patched then, so the check costs nothing
    // more than before.
    {
        InstructionGroup group(m_asm.code());
        m_frame_size_at = m_asm.offset();
        m_asm.code().emit32(encoding::u_type(encoding::Lui, t4.id(), 0));
        m_asm.code().emit32(encoding::i_type(encoding::OpImm32, t4.id(), 0, t4.id(), 0));
    }
    m_asm.sub(t4, s0, t4);
    m_asm.ld(t5, abi::vmctx, VMOffsets::stack_limit);
    m_asm.bltu(t4, t5, m_stack_trap);
    {
        InstructionGroup group(m_asm.code());
        m_sp_from_check_at = m_asm.offset();
        m_asm.code().emit32(encoding::i_type(encoding::OpImm, sp.id(), 0, t4.id(), 0));
    }
    m_asm.sd(abi::vmctx, s0, abi::frame_vmctx_offset);
    m_asm.ld(abi::memory_base, abi::vmctx, VMOffsets::memory0_base);
    u32 ints = 0, floats = 0, overflow = 0;
    for (u32 i = 0; i < m_param_count; ++i) {
        ValueType t = m_type.params[i];
        if (is_vec(t)) {
            copy_wide_halves(abi::incoming_base + i32(overflow) * 8, false, slot_offset(i), false);
            overflow += 2;
        } else if (is_float(t) && floats < abi::float_arg_registers) {
            store_slot(t, abi::float_args[floats++].id(), i);
        } else if (!is_float(t) && ints < abi::int_arg_registers) {
            store_slot(t, abi::int_args[ints++].id(), i);
        } else {
            load_frame(t4, abi::incoming_base + i32(overflow++) * 8);
            store_frame(t4, slot_offset(i));
        }
    }
    u32 zeroed = m_local_count - m_param_count;
    if (zeroed > 0 && zeroed <= 16) {
        for (u32 i = m_param_count; i < m_local_count; ++i) {
            store_frame(zero, slot_offset(i));
            if (m_wide)
                store_frame(zero, slot_offset(i) + 8);
        }
    } else if (zeroed > 16) {
        // Slots descend in memory: start at the last local, walk up.
        m_asm.li(t4, slot_offset(m_local_count - 1));
        m_asm.add(t4, s0, t4);
        m_asm.li(t5, m_wide ? 2 * zeroed : zeroed);
        Label loop = m_asm.new_label();
        m_asm.bind(loop);
        m_asm.sd(zero, t4, 0);
        m_asm.addi(t4, t4, 8);
        m_asm.addi(t5, t5, -1);
        m_asm.bnez(t5, loop);
    }
    home_vec_locals_from_slots(); // parameters copied, the other locals zeroed
    count_for_tier_up(0);
    Frame frame;
    frame.kind = wasm::FrameKind::Function;
    frame.height = 0;
    frame.results = m_type.results;
    frame.label = m_asm.new_label();
    if (m_frames.try_append(frame).is_error())
        fail(Error::from_code(ErrorCode::OutOfMemory, "baseline: control stack"));
}

Result<void> Compiler::on_function_end() noexcept
{
    if (m_failed)
        return m_failure;
    u64 slots = u64(m_local_count) + m_max_depth;
    u64 frame_size = m_wide ? 16 + 16 * slots + 8 * u64(m_max_outgoing) : 8 + 8 * slots + 8 * u64(m_max_outgoing);
    frame_size = (frame_size + 15) & ~u64(15);
    if (frame_size > (u64(1) << 30))
        return Error::from_code(ErrorCode::Unsupported, "baseline: frame too large").in_function(m_function_index);
    // The checked size includes the pushed stack arguments and a callee's
    // frame link (16-aligned: pushes are an even number of slots), so
    // nothing our calls store lands below the limit; sp is raised by them
    // again.
    u64 below_sp = m_max_pushed + u64(callee_link_bytes);
    u64 checked_size = frame_size + below_sp;
    auto parts = encoding::split_hi_lo(i64(checked_size));
    m_asm.code().write32(m_frame_size_at, encoding::u_type(encoding::Lui, t4.id(), parts.hi));
    m_asm.code().write32(m_frame_size_at + 4, encoding::i_type(encoding::OpImm32, t4.id(), 0, t4.id(), parts.lo));
    m_asm.code().write32(m_sp_from_check_at, encoding::i_type(encoding::OpImm, sp.id(), 0, t4.id(), i32(below_sp)));

    emit_trap_stubs();
    m_asm.bind(m_trap_exit);
    m_asm.li(t5, i64(m_env.landing_pad));
    m_asm.jr(t5);
    if (m_failed)
        return m_failure;
    return {};
}

// Trap stubs: a0 = trap code, a2 = detail, a1 = pc of the auipc (the trap
// table maps it to the wasm offset), then the engine's landing pad.
void Compiler::emit_trap_stubs() noexcept
{
    u32 saved_offset = m_offset;
    for (; m_stubs_emitted < m_stubs.size(); ++m_stubs_emitted) {
        const TrapStub& stub = m_stubs[m_stubs_emitted];
        m_asm.bind(stub.label);
        if (stub.dynamic)
            m_asm.addi(a0, a1, -1);
        else
            m_asm.li(a0, stub.code);
        if (stub.detail_reg)
            m_asm.srli(a2, GpReg(stub.detail_reg), stub.detail_shift);
        else
            m_asm.li(a2, -1);
        m_offset = stub.wasm_offset;
        record_trap_site(m_asm.offset());
        m_asm.auipc(a1, 0);
        m_asm.j(m_trap_exit);
    }
    m_offset = saved_offset;
}

// Pops the frame and the incoming stack arguments (the callee pops them).
void Compiler::emit_epilogue() noexcept
{
    m_asm.mv(sp, s0);
    m_asm.ld(ra, sp, 8);
    m_asm.ld(s0, sp, 0);
    add_sp(16 + 8 * i64(m_incoming_slots));
}

void Compiler::add_sp(i64 bytes) noexcept
{
    if (bytes == 0)
        return;
    if (bytes >= -2048 && bytes <= 2047) {
        m_asm.addi(sp, sp, i32(bytes));
    } else {
        m_asm.li(t6, bytes);
        m_asm.add(sp, sp, t6);
    }
}

// Return: results to a0../fa0.. and the incoming overflow area (jit/Abi.h).
// Values first go to their own slots so the register moves cannot clobber
// each other; the abstract stack is not changed (br_if's taken path).
// Emission only: the abstract stack is unchanged (br_if's fall-through
// path keeps it).
void Compiler::emit_return() noexcept
{
    u32 n = u32(m_type.results.size());
    u32 size = u32(m_stack.size());
    // Up to 16 results: where each goes (an a/fa register: its id, float
    // + 32; memory: -1, for v128 and overflow results through their slots).
    // A register result moves straight into place unless its register is
    // another result's destination: those go through their slots first, so
    // no move overwrites a pending source.
    constexpr u32 direct_max = 16;
    i32 destination[direct_max];
    Entry source[direct_max];
    bool direct = n <= direct_max;
    u32 ints = 0, floats = 0;
    for (u32 i = 0; direct && i < n; ++i) {
        ValueType t = m_type.results[i];
        if (is_vec(t))
            destination[i] = -1;
        else if (is_float(t))
            destination[i] = floats < abi::float_arg_registers ? i32(32 + abi::float_args[floats++].id()) : -1;
        else
            destination[i] = ints < abi::int_arg_registers ? i32(abi::int_args[ints++].id()) : -1;
    }
    for (u32 i = 0; i < n; ++i) {
        u32 index = size - n + i;
        Entry e = m_stack[index];
        bool to_slot = !direct || destination[i] < 0;
        if (e.loc == Loc::Reg && !to_slot) {
            i32 id = i32(e.reg) + (is_float(e.type) ? 32 : 0);
            for (u32 j = 0; j < n && !to_slot; ++j)
                to_slot = j != i && destination[j] == id;
        }
        if (e.loc == Loc::Reg && to_slot) {
            store_slot(e.type, e.reg, slot_of(index));
            e.loc = Loc::Slot;
        } else if (e.loc == Loc::Const && to_slot) {
            m_asm.li(t4, i64(e.bits));
            store_frame(t4, slot_offset(slot_of(index)));
            e.loc = Loc::Slot;
        }
        if (direct)
            source[i] = e;
    }
    ints = floats = 0;
    u32 overflow = 0;
    for (u32 i = 0; i < n; ++i) {
        u32 index = size - n + i;
        ValueType t = m_type.results[i];
        Entry e = direct ? source[i] : m_stack[index];
        if (!direct && e.loc != Loc::Slot)
            e.loc = Loc::Slot; // stored above
        e.type = t;
        if (is_vec(t)) {
            copy_wide_halves(slot_offset(slot_of(index)), false, abi::incoming_base + i32(m_incoming_slots + overflow) * 8, false);
            overflow += 2;
            continue;
        }
        bool in_register = is_float(t) ? floats < abi::float_arg_registers : ints < abi::int_arg_registers;
        if (!in_register) {
            load_frame(t4, slot_offset(slot_of(index)));
            store_frame(t4, abi::incoming_base + i32(m_incoming_slots + overflow++) * 8);
            continue;
        }
        if (is_float(t)) {
            FpReg rd = abi::float_args[floats++];
            if (e.loc == Loc::Slot) {
                load_slot(e, slot_of(index), rd.id());
            } else if (e.loc == Loc::Const) {
                m_asm.li(t4, i64(e.bits));
                t == ValueType::F32 ? m_asm.fmv_w_x(rd, t4) : m_asm.fmv_d_x(rd, t4);
            } else if (e.reg != rd.id()) {
                t == ValueType::F32 ? m_asm.fmv_s(rd, FpReg(e.reg)) : m_asm.fmv_d(rd, FpReg(e.reg));
            }
        } else {
            GpReg rd = abi::int_args[ints++];
            if (e.loc == Loc::Slot)
                load_slot(e, slot_of(index), rd.id());
            else if (e.loc == Loc::Const)
                m_asm.li(rd, i64(e.bits));
            else if (e.reg != rd.id())
                m_asm.mv(rd, GpReg(e.reg));
        }
    }
    emit_epilogue();
    m_asm.ret();
}

void Compiler::emit_branch(u32 depth) noexcept
{
    Frame& target = frame_at(depth);
    if (target.kind == wasm::FrameKind::Function) {
        emit_return();
        return;
    }
    move_to_slots(target.height, target.arity());
    m_asm.j(target.label);
}

// ---------------------------------------------------------------- control

void Compiler::enter_block(wasm::FrameKind kind, const ControlFrame& cf) noexcept
{
    Frame frame;
    frame.kind = kind;
    frame.params = cf.params;
    frame.results = cf.results;
    if (!m_reachable || m_failed) {
        frame.dead = true;
        frame.height = u32(m_stack.size());
    } else {
        spill_all();
        frame.height = u32(m_stack.size() - cf.params.size());
        frame.label = m_asm.new_label();
        if (kind == wasm::FrameKind::If)
            frame.else_label = m_asm.new_label();
        if (kind == wasm::FrameKind::Loop)
            m_asm.bind(frame.label);
    }
    for (ValueType t : cf.params) {
        if (t == ValueType::V128 && !m_wide)
            simd(m_offset);
    }
    for (ValueType t : cf.results) {
        if (t == ValueType::V128 && !m_wide)
            simd(m_offset);
    }
    forget_vtype(); // a loop head, or the block's entry spills

    if (m_frames.try_append(frame).is_error())
        fail(Error::from_code(ErrorCode::OutOfMemory, "baseline: control stack"));
}

void Compiler::on_block(u32 offset, const ControlFrame& cf) noexcept
{
    begin(offset);
    enter_block(wasm::FrameKind::Block, cf);
}

void Compiler::on_loop(u32 offset, const ControlFrame& cf) noexcept
{
    begin(offset);
    enter_block(wasm::FrameKind::Loop, cf);
    if (m_frames.last().dead || m_failed)
        return;
    // Every iteration passes the head: the interrupt check (Engine::
    // interrupt sets the stack limit above any sp). A loop runs at the sp
    // the prologue checked, so sp < limit here means an interrupt, never a
    // full stack. One load and a not-taken branch.
    m_asm.ld(t5, abi::vmctx, VMOffsets::stack_limit);
    m_asm.bltu(sp, t5, trap_label(TrapCode::Interrupted));
    count_for_tier_up(offset);
}

// Tier::Auto (jit/Compile.h): on entry and at every loop header (where
// everything is spilled), one tick off this function's budget; when it runs
// out, k23_jit_tier_up swaps optimized code into the table for later calls
// and this activation goes on. Five instructions on the counting path.
// At a loop header (loop_offset != 0) with nothing on the value stack and
// narrow slots, k23_jit_tier_up_loop may answer with an OSR entry for this
// loop that takes the locals from our frame: we leave the frame as an
// epilogue would (sp back to the entry sp, ra and the caller's fp) and jump
// there, so it returns to our caller with our results.
void Compiler::count_for_tier_up(u32 loop_offset) noexcept
{
    // Wide (SIMD) frames do not count: the ticks broke blake3-simd's
    // baseline code (cause not found yet), and the optimizing tier refuses
    // SIMD functions today anyway.
    if (!m_env.count_for_tier_up || m_failed || m_wide)
        return;
    i64 offset = 4 * i64(m_function_index - m_module.imported_function_count());
    m_asm.ld(t5, abi::vmctx, VMOffsets::tier_budgets);
    if (offset >= 2048) {
        m_asm.li(t4, offset);
        m_asm.add(t5, t5, t4);
        offset = 0;
    }
    m_asm.lw(t4, t5, i32(offset));
    m_asm.addiw(t4, t4, -1);
    m_asm.sw(t4, t5, i32(offset));
    Label counting = m_asm.new_label();
    m_asm.bge(t4, zero, counting);
    m_asm.mv(a0, abi::vmctx);
    m_asm.li(a1, i64(m_function_index));
    bool osr = loop_offset && m_env.osr_at_loops && m_stack.is_empty() && !m_wide && m_vec_home_count == 0 && m_local_count <= osr_max_locals;
    if (!osr) {
        call_helper(HelperId::TierUp);
        m_asm.bind(counting);
        return;
    }
    m_asm.li(a2, i64(loop_offset));
    m_asm.mv(a3, s0);
    call_helper(HelperId::TierUpLoop);
    m_asm.beqz(a0, counting);
    m_asm.mv(t0, a0);
    m_asm.addi(sp, s0, 16);
    m_asm.ld(ra, s0, 8);
    m_asm.ld(s0, s0, 0);
    m_asm.jr(t0);
    m_asm.bind(counting);
}

void Compiler::on_if(u32 offset, const ControlFrame& cf) noexcept
{
    PendingCompare pending;
    bool fused = take_pending_compare(pending);
    if (!begin(offset)) {
        enter_block(wasm::FrameKind::If, cf);
        return;
    }
    if (fused) {
        enter_block(wasm::FrameKind::If, cf); // spills through t4/t6 only
        m_asm.branch(invert(pending.condition), GpReg(pending.lhs), GpReg(pending.rhs), m_frames.last().else_label);
        unpin(pending);
        return;
    }
    GpReg condition = pop_gp();
    enter_block(wasm::FrameKind::If, cf);
    m_asm.beqz(condition, m_frames.last().else_label);
}

void Compiler::end_block_values(const Frame& frame) noexcept
{
    move_to_slots(frame.height, u32(frame.results.size()));
}

void Compiler::on_else(u32 offset, const ControlFrame&) noexcept
{
    begin(offset);
    Frame& frame = m_frames.last();
    if (frame.dead || m_failed)
        return;
    if (m_reachable) {
        end_block_values(frame);
        m_asm.j(frame.label);
    }
    m_asm.bind(frame.else_label);
    forget_vtype();
    frame.has_else = true;
    truncate_stack(frame.height);
    for (ValueType t : frame.params)
        push_slot(t);
    m_reachable = true;
}

void Compiler::on_end(u32 offset, const ControlFrame&) noexcept
{
    begin(offset);
    if (m_frames.is_empty() || m_failed)
        return;
    Frame frame = m_frames.take_last();
    if (frame.dead)
        return;
    switch (frame.kind) {
    case wasm::FrameKind::Function:
        if (m_reachable)
            emit_return();
        m_reachable = false;
        return;
    case wasm::FrameKind::Loop:
        if (!m_reachable) {
            truncate_stack(frame.height);
            for (ValueType t : frame.results)
                push_slot(t);
        }
        return;
    default:
        if (m_reachable)
            end_block_values(frame);
        if (frame.kind == wasm::FrameKind::If && !frame.has_else)
            m_asm.bind(frame.else_label);
        m_asm.bind(frame.label);
        forget_vtype();
        truncate_stack(frame.height);
        for (ValueType t : frame.results)
            push_slot(t);
        m_reachable = true;
        return;
    }
}

void Compiler::on_unreachable(u32 offset) noexcept
{
    if (!begin(offset))
        return;
    m_asm.j(trap_label(TrapCode::Unreachable));
    set_unreachable();
}

void Compiler::on_br(u32 offset, u32 depth) noexcept
{
    if (!begin(offset))
        return;
    emit_branch(depth);
    set_unreachable();
}

void Compiler::on_br_if(u32 offset, u32 depth) noexcept
{
    PendingCompare pending;
    bool fused = take_pending_compare(pending);
    if (!begin(offset))
        return;
    GpReg condition = fused ? zero : pop_gp();
    Frame& target = frame_at(depth);
    bool in_place = target.kind != wasm::FrameKind::Function;
    if (in_place) {
        u32 arity = target.arity();
        u32 size = u32(m_stack.size());
        for (u32 i = 0; i < arity; ++i) {
            const Entry& e = m_stack[size - arity + i];
            if (e.loc != Loc::Slot || size - arity + i != target.height + i)
                in_place = false;
        }
    }
    if (in_place) {
        if (fused)
            m_asm.branch(pending.condition, GpReg(pending.lhs), GpReg(pending.rhs), target.label);
        else
            m_asm.bnez(condition, target.label);
        unpin(pending);
        return;
    }
    Label skip = m_asm.new_label();
    if (fused)
        m_asm.branch(invert(pending.condition), GpReg(pending.lhs), GpReg(pending.rhs), skip);
    else
        m_asm.beqz(condition, skip);
    unpin(pending);
    emit_branch(depth);
    m_asm.bind(skip);
    forget_vtype(); // the taken path may have set it
}

void Compiler::on_br_table(u32 offset, Span<const u32> targets, u32 default_depth) noexcept
{
    if (!begin(offset))
        return;
    GpReg index = pop_gp();
    spill_all();
    // One case per distinct depth (the moves for that label, then the
    // jump), in ascending depth order. The distinct depths are found by
    // marking their frames and then sorted, O(n log n): no array as deep as
    // the deepest target, which made br_tables under deep nesting quadratic.
    u32 epoch = ++m_br_table_epoch;
    Vector<u32> depths;
    auto note = [&](u32 depth) {
        Frame& frame = frame_at(depth);
        if (frame.br_table_mark == epoch)
            return true;
        frame.br_table_mark = epoch;
        frame.br_table_case = m_asm.new_label();
        return !depths.try_append(depth).is_error();
    };
    bool noted = note(default_depth);
    for (u32 d : targets)
        noted = noted && note(d);
    if (!noted)
        return fail(Error::from_code(ErrorCode::OutOfMemory, "baseline: br_table"));
    sort_ascending(depths.span());
    Label dispatch = m_asm.new_label();
    m_asm.j(dispatch);
    for (u32 d : depths) {
        m_asm.bind(frame_at(d).br_table_case);
        forget_vtype(); // entered from the dispatch, not from the case above
        emit_branch(d);
    }
    m_asm.bind(dispatch);
    // §4.4.8 br_table: an index beyond the vector takes the default.
    m_asm.slli(t4, index, 32);
    m_asm.srli(t4, t4, 32);
    u32 n = u32(targets.size());
    m_asm.li(t5, n);
    m_asm.bgeu(t4, t5, frame_at(default_depth).br_table_case);
    if (n == 0) {
        m_asm.j(frame_at(default_depth).br_table_case);
    } else if (n <= 12) {
        // A jump table of jal instructions. It is one instruction group, so
        // it stays below the code holder's island slack (64 bytes).
        Label table = m_asm.new_label();
        m_asm.lea(t5, table);
        m_asm.slli(t4, t4, 2);
        m_asm.add(t5, t5, t4);
        m_asm.jr(t5);
        bool compress = m_asm.code().options().compress;
        m_asm.code().set_compress(false);
        {
            InstructionGroup group(m_asm.code());
            m_asm.bind(table);
            u32 start = m_asm.offset();
            for (u32 i = 0; i < n; ++i)
                m_asm.j(frame_at(targets[i]).br_table_case);
            if (m_asm.offset() - start != 4 * n)
                fail(Error::from_code(ErrorCode::Unsupported, "baseline: br_table target out of jal range"));
        }
        m_asm.code().set_compress(compress);
    } else {
        // Runs of equal targets, found by binary search: O(log runs)
        // compares, and islands may go anywhere in between.
        Vector<u32> run_starts;
        for (u32 i = 0; i < n; ++i) {
            if (i == 0 || targets[i] != targets[i - 1]) {
                if (run_starts.try_append(i).is_error())
                    return fail(Error::from_code(ErrorCode::OutOfMemory, "baseline: br_table"));
            }
        }
        emit_br_table_search(targets, run_starts.span(), 0, u32(run_starts.size()));
    }
    set_unreachable();
}

void Compiler::emit_br_table_search(Span<const u32> targets, Span<const u32> run_starts, u32 low, u32 high) noexcept
{
    if (high - low == 1) {
        m_asm.j(frame_at(targets[run_starts[low]]).br_table_case);
        return;
    }
    u32 mid = (low + high) / 2;
    Label upper = m_asm.new_label();
    m_asm.li(t5, run_starts[mid]);
    m_asm.bgeu(t4, t5, upper);
    emit_br_table_search(targets, run_starts, low, mid);
    m_asm.bind(upper);
    emit_br_table_search(targets, run_starts, mid, high);
}

void Compiler::on_return(u32 offset) noexcept
{
    if (!begin(offset))
        return;
    emit_return();
    set_unreachable();
}

// ---------------------------------------------------------------- parametric

void Compiler::on_drop(u32 offset, ValueType) noexcept
{
    if (!begin(offset))
        return;
    drop_entry();
}

void Compiler::on_select(u32 offset, ValueType type) noexcept
{
    if (!begin(offset))
        return;
    if (is_vec(type) && !m_vector)
        return scalar_select();
    GpReg condition = pop_gp();
    Label done = m_asm.new_label();
    if (is_vec(type)) {
        // §4.4.4 select: whole-register moves need no vtype.
        VecReg b = pop_vec();
        VecReg a = pop_vec();
        VecReg r = alloc_vec();
        m_asm.vmvr(1, r, a);
        m_asm.bnez(condition, done);
        m_asm.vmvr(1, r, b);
        m_asm.bind(done);
        release(a);
        release(b);
        push_vec(r);
        return;
    }
    if (is_float(type)) {
        FpReg b = pop_fp();
        FpReg a = pop_fp();
        FpReg r = alloc_fp();
        if (type == ValueType::F32)
            m_asm.fmv_s(r, a);
        else
            m_asm.fmv_d(r, a);
        m_asm.bnez(condition, done);
        if (type == ValueType::F32)
            m_asm.fmv_s(r, b);
        else
            m_asm.fmv_d(r, b);
        m_asm.bind(done);
        release(a);
        release(b);
        push_fp(type, r);
    } else {
        GpReg b = pop_gp();
        GpReg a = pop_gp();
        GpReg r = alloc_gp();
        m_asm.mv(r, a);
        m_asm.bnez(condition, done);
        m_asm.mv(r, b);
        m_asm.bind(done);
        push_gp(type, r);
    }
}

// ---------------------------------------------------------------- locals

void Compiler::on_local_get(u32 offset, u32 index, ValueType type) noexcept
{
    if (!begin(offset))
        return;
    Entry e;
    e.type = type;
    if (is_vec(type)) {
        if (!m_wide)
            return simd(offset);
        if (!m_vector)
            return scalar_local_get(index);
        VecReg r = alloc_vec();
        if (u8 home = vec_home(index))
            m_asm.vmvr(1, r, VecReg(home)); // whole-register move: no vtype
        else
            load_slot(e, index, r.id());
        push_vec(r);
    } else if (is_float(type)) {
        FpReg r = alloc_fp();
        load_slot(e, index, r.id());
        push_fp(type, r);
    } else {
        GpReg r = alloc_gp();
        load_slot(e, index, r.id());
        push_gp(type, r);
    }
}

void Compiler::on_local_set(u32 offset, u32 index, ValueType type) noexcept
{
    if (!begin(offset))
        return;
    if (is_vec(type) && !m_vector) {
        scalar_local_set(index, false);
    } else if (is_vec(type)) {
        VecReg r = pop_vec();
        if (u8 home = vec_home(index))
            m_asm.vmvr(1, VecReg(home), r);
        else
            store_slot(type, r.id(), index);
        release(r);
    } else if (is_float(type)) {
        FpReg r = pop_fp();
        store_slot(type, r.id(), index);
    } else {
        GpReg r = pop_gp();
        store_slot(type, r.id(), index);
    }
}

void Compiler::on_local_tee(u32 offset, u32 index, ValueType type) noexcept
{
    if (!begin(offset))
        return;
    if (is_vec(type) && !m_vector) {
        scalar_local_set(index, true);
    } else if (is_vec(type)) {
        VecReg r = pop_vec();
        if (u8 home = vec_home(index))
            m_asm.vmvr(1, VecReg(home), r);
        else
            store_slot(type, r.id(), index);
        push_vec(r);
    } else if (is_float(type)) {
        FpReg r = pop_fp();
        store_slot(type, r.id(), index);
        push_fp(type, r);
    } else {
        GpReg r = pop_gp();
        store_slot(type, r.id(), index);
        push_gp(type, r);
    }
}

// ---------------------------------------------------------------- calls

Compiler::CallShape Compiler::shape_of(const FunctionType& type) noexcept
{
    CallShape shape;
    u32 wide_params = 0, wide_results = 0; // v128: two stack slots each
    for (ValueType t : type.params) {
        if (t == ValueType::V128)
            wide_params += 2;
        else if (is_float_type(t))
            ++shape.float_params;
        else
            ++shape.int_params;
    }
    shape.stack_params = (shape.int_params > 8 ? shape.int_params - 8 : 0) + (shape.float_params > 8 ? shape.float_params - 8 : 0) + wide_params;
    u32 ints = 0, floats = 0;
    for (ValueType t : type.results) {
        if (t == ValueType::V128)
            wide_results += 2;
        else if (is_float_type(t))
            ++floats;
        else
            ++ints;
    }
    shape.stack_results = (ints > 8 ? ints - 8 : 0) + (floats > 8 ? floats - 8 : 0) + wide_results;
    return shape;
}

// Precondition: spill_all(). Loads the top params into argument registers
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
            load_slot(e, slot_of(base + i), abi::float_args[floats++].id());
        } else if (!is_float(t) && ints < abi::int_arg_registers) {
            load_slot(e, slot_of(base + i), abi::int_args[ints++].id());
        } else {
            load_frame(t4, slot_offset(slot_of(base + i)));
            if (direct)
                store_frame(t4, tail_base + i32(overflow) * 8);
            else
                store_sp(t4, i32(overflow) * 8);
            ++overflow;
        }
    }
    truncate_stack(base);
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
    if (offset <= 2047) {
        m_asm.sd(rs, sp, offset);
    } else {
        m_asm.li(t6, offset);
        m_asm.add(t6, sp, t6);
        m_asm.sd(rs, t6, 0);
    }
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
            push_slot(t);
        } else if (is_float(t) && floats < abi::float_arg_registers) {
            push_fp(t, abi::float_args[floats++]);
        } else if (!is_float(t) && ints < abi::int_arg_registers) {
            push_gp(t, abi::int_args[ints++]);
        } else {
            i32 at = i32(overflow++) * 8;
            if (at <= 2047) {
                m_asm.ld(t4, sp, at);
            } else {
                m_asm.li(t6, at);
                m_asm.add(t6, sp, t6);
                m_asm.ld(t4, t6, 0);
            }
            store_frame(t4, slot_offset(slot_of(u32(m_stack.size()))));
            push_slot(t);
        }
    }
}

void Compiler::load_function_entry(GpReg rd, u32 function) noexcept
{
    m_asm.ld(rd, abi::vmctx, VMOffsets::functions);
    i64 offset = i64(function) * 8;
    if (offset <= 2047) {
        m_asm.ld(rd, rd, i32(offset));
    } else {
        m_asm.li(t6, offset);
        m_asm.add(rd, rd, t6);
        m_asm.ld(rd, rd, 0);
    }
}

void Compiler::emit_call(const FunctionType&) noexcept
{
    home_vec_locals_to_slots(); // t5 only: t3 and the arguments stay
    m_asm.ld(t5, t3, VMOffsets::entry_code);
    m_asm.ld(abi::vmctx, t3, VMOffsets::entry_context);
    m_asm.jalr(ra, t5, 0);
    forget_vtype();
    m_asm.ld(abi::vmctx, s0, abi::frame_vmctx_offset);
    m_asm.ld(abi::memory_base, abi::vmctx, VMOffsets::memory0_base);
    home_vec_locals_from_slots();
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
    if (!begin(offset))
        return;
    spill_all();
    load_function_entry(t3, function);
    prepare_arguments(type, false);
    emit_call(type);
    push_call_results(type);
}

// §4.4.8 call_indirect: the table element must exist ("undefined element"),
// be non-null ("uninitialized element") and have the expected type.
void Compiler::emit_call_indirect_lookup(u32 type_index, u32 table, GpReg index) noexcept
{
    m_asm.slli(t4, index, 32);
    m_asm.srli(t4, t4, 32);
    m_asm.ld(t5, abi::vmctx, VMOffsets::tables);
    if (table * 8 <= 2047) {
        m_asm.ld(t5, t5, i32(table * 8));
    } else {
        m_asm.li(t6, i64(table) * 8);
        m_asm.add(t5, t5, t6);
        m_asm.ld(t5, t5, 0);
    }
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
    m_asm.ld(index, abi::vmctx, VMOffsets::type_ids);
    if (type_index * 4 <= 2047) {
        m_asm.lwu(index, index, i32(type_index * 4));
    } else {
        m_asm.li(t6, i64(type_index) * 4);
        m_asm.add(index, index, t6);
        m_asm.lwu(index, index, 0);
    }
    m_asm.bne(t4, index, trap_label(TrapCode::IndirectCallTypeMismatch));
    m_asm.ld(t3, t5, VMOffsets::function_jit);
}

void Compiler::on_call_indirect(u32 offset, u32 type_index, u32 table, const FunctionType& type) noexcept
{
    if (!begin(offset))
        return;
    GpReg index = pop_gp();
    spill_all();
    emit_call_indirect_lookup(type_index, table, index);
    prepare_arguments(type, false);
    emit_call(type);
    push_call_results(type);
}

void Compiler::on_return_call(u32 offset, u32 function, const FunctionType& type) noexcept
{
    if (!begin(offset))
        return;
    spill_all();
    load_function_entry(t3, function);
    prepare_arguments(type, true);
    emit_tail_call(type);
    set_unreachable();
}

void Compiler::on_return_call_indirect(u32 offset, u32 type_index, u32 table, const FunctionType& type) noexcept
{
    if (!begin(offset))
        return;
    GpReg index = pop_gp();
    spill_all();
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
    spill_all();
    u32 base = u32(m_stack.size()) - count;
    m_asm.mv(a0, abi::vmctx);
    u32 next = 1;
    for (u32 i = 0; i < immediate_count; ++i)
        m_asm.li(abi::int_args[next++], i64(immediates[i]));
    for (u32 i = 0; i < count; ++i)
        load_frame(abi::int_args[next++], slot_offset(slot_of(base + i)));
    truncate_stack(base);
}

// ---------------------------------------------------------------- numeric dispatch

void Compiler::on_numeric(u32 offset, Opcode op) noexcept
{
    if (!begin(offset))
        return;
    const wasm::OpcodeInfo& info = wasm::opcode_info(op);
    if (info.prefix == 0xfd) {
        if (scalar_simd()) {
            if (!scalar_inline(op))
                scalar_simd_call(op);
        }
        else if (!m_wide || !simd_op(op))
            simd(offset, op);
        return;
    }
    if (integer_op(op) || float_op(op) || conversion_op(op))
        return;
    fail(Error::formatted(ErrorCode::Unsupported, "baseline: {} not supported"_sv, info.name));
}

void Compiler::on_i32_const(u32 offset, i32 value) noexcept
{
    if (!begin(offset))
        return;
    push_const(ValueType::I32, u64(i64(value)));
}

void Compiler::on_i64_const(u32 offset, i64 value) noexcept
{
    if (!begin(offset))
        return;
    push_const(ValueType::I64, u64(value));
}

void Compiler::on_f32_const(u32 offset, u32 bits) noexcept
{
    if (!begin(offset))
        return;
    push_const(ValueType::F32, bits);
}

void Compiler::on_f64_const(u32 offset, u64 bits) noexcept
{
    if (!begin(offset))
        return;
    push_const(ValueType::F64, bits);
}

// ---------------------------------------------------------------- module

Result<void> compile_function(const wasm::Module& module, u32 index, const CompileEnvironment& env, bool module_wide,
    wasm::DecoderScratch& scratch, CodeHolder& holder, Vector<TrapSite>& traps) noexcept
{
    Assembler a(holder);
    Compiler compiler(module, env, a);
    compiler.begin_function(index, module_wide);
    wasm::FunctionDecoder<Compiler> decoder(module, compiler, scratch);
    TRY(decoder.decode(index));
    if (compiler.failed())
        return compiler.failure();
    for (const TrapSite& site : compiler.trap_sites())
        TRY(traps.try_append(site));
    return {};
}

Result<void> compile_module(const wasm::Module& module, const CompileEnvironment& env, CompiledModule& out) noexcept
{
    return jit::compile_module(module, env, Tier::Baseline, out);
}

} // namespace k23::jit::baseline
