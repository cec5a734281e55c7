// The baseline's value stack and register cache (Compiler.h): frame-slot
// accesses, spills, register allocation, pops and pushes, and the moves of
// a branch's values into their canonical slots.

#include <jit/baseline/Compiler.h>

namespace k23::jit::baseline {

namespace {

constexpr GpReg s_gp_pool[] = { t0, t1, t2, t3, s1, s2, s3, s4, s5, s6, s7, s8, s9, a0, a1, a2, a3, a4, a5, a6, a7 };
constexpr FpReg s_fp_pool[] = { ft0, ft1, ft2, ft3, ft4, ft5, ft6, ft7, ft8, ft9, fs0, fs1, fs2, fs3, fs4, fs5, fs6,
    fs7, fs8, fs9, fs10, fs11, fa0, fa1, fa2, fa3, fa4, fa5, fa6, fa7 };

} // namespace

// Frame accesses at fp + offset: far offsets through t6 (MacroAssembler).
void Compiler::load_frame(GpReg rd, i32 offset) noexcept { m_asm.load(Access::I64, rd, abi::frame, offset); }

void Compiler::store_frame(GpReg rs, i32 offset) noexcept { m_asm.store(Access::I64, rs, abi::frame, offset); }

// 1-, 2-, 4- or 8-byte frame access at fp + offset.
void Compiler::frame_load_sized(GpReg rd, i32 offset, u32 size, bool sign) noexcept
{
    Access access = size == 1 ? (sign ? Access::I8 : Access::U8)
        : size == 2           ? (sign ? Access::I16 : Access::U16)
        : size == 4           ? (sign ? Access::I32 : Access::U32)
                              : Access::I64;
    m_asm.load(access, rd, abi::frame, offset);
}

void Compiler::frame_store_sized(GpReg rs, i32 offset, u32 size) noexcept
{
    Access access = size == 1 ? Access::I8 : size == 2 ? Access::I16 : size == 4 ? Access::I32 : Access::I64;
    m_asm.store(access, rs, abi::frame, offset);
}

void Compiler::frame_load_fp(FpReg rd, i32 offset, ValueType type) noexcept
{
    m_asm.load(type == ValueType::F32 ? Access::F32 : Access::F64, rd, abi::frame, offset);
}

void Compiler::frame_store_fp(FpReg rs, i32 offset, ValueType type) noexcept
{
    m_asm.store(type == ValueType::F32 ? Access::F32 : Access::F64, rs, abi::frame, offset);
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
        if (e.home)
            --alias_count(e.type, e.reg);
        else if (is_vec(e.type))
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
    e.home = false;
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
    m_asm.add_immediate(rd, abi::frame, offset, rd);
}

// Copies 16 bytes (a v128 in memory) through t4, 8 bytes at a time:
// offsets relative to fp or sp.
void Compiler::copy_wide_halves(i32 from, bool from_sp, i32 to, bool to_sp) noexcept
{
    for (i32 half = 0; half < 16; half += 8) {
        m_asm.load(Access::I64, t4, from_sp ? sp : abi::frame, from + half);
        m_asm.store(Access::I64, t4, to_sp ? sp : abi::frame, to + half);
    }
}

i32 Compiler::free_register(RegClass which) const noexcept
{
    if (which == RegClass::Integer) {
        for (GpReg r : s_gp_pool) {
            if (m_gp_owner[r.id()] == free_reg)
                return r.id();
        }
    } else if (which == RegClass::Float) {
        for (FpReg r : s_fp_pool) {
            if (m_fp_owner[r.id()] == free_reg)
                return r.id();
        }
    }
    return -1;
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
    if (e.home) {
        --alias_count(e.type, e.reg); // the home stays its local's
    } else if (e.loc == Loc::Reg) {
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
    if (e.loc == Loc::Reg && !e.home) {
        if (is_vec(e.type))
            m_vec_owner[e.reg] = free_reg;
        else if (is_float(e.type))
            m_fp_owner[e.reg] = free_reg;
        else
            m_gp_owner[e.reg] = free_reg;
    }
}

GpReg Compiler::pop_gp_read() noexcept
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

GpReg Compiler::pop_gp() noexcept
{
    GpReg r = pop_gp_read();
    if (m_gp_owner[r.id()] != home_reg)
        return r;
    GpReg copy = alloc_gp();
    m_asm.mv(copy, r);
    return copy;
}

FpReg Compiler::pop_fp() noexcept
{
    FpReg r = pop_fp_read();
    if (m_fp_owner[r.id()] != home_reg)
        return r;
    FpReg copy = alloc_fp();
    m_asm.fmv_d(copy, r); // all 64 bits: an f32 stays NaN-boxed
    return copy;
}

FpReg Compiler::pop_fp_read() noexcept
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
        if (bits == 0 || MacroAssembler::is_single_instruction_constant(value)) {
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

void Compiler::push_reg(ValueType type, u8 reg) noexcept
{
    bool fp = is_float(type);
    i32& owner = (fp ? m_fp_owner : m_gp_owner)[reg];
    Entry e;
    e.type = type;
    e.loc = Loc::Reg;
    e.reg = reg;
    if (owner == home_reg) {
        e.home = true; // a homed local's value: the home is not the entry's
        ++m_aliases[fp ? 32 + reg : reg];
    } else {
        owner = i32(m_stack.size());
    }
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

} // namespace k23::jit::baseline
