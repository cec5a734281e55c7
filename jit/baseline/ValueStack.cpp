// The baseline's value stack and register cache (ValueStack.h): slot
// fills and spills, register allocation, pops and pushes, aliases of homed
// locals, and the moves of a branch's values into their canonical slots.

#include <jit/baseline/ValueStack.h>

namespace k23::jit::baseline {

namespace {

constexpr GpReg s_gp_pool[] = { t0, t1, t2, t3, s1, s2, s3, s4, s5, s6, s7, s8, s9, a0, a1, a2, a3, a4, a5, a6, a7 };
constexpr FpReg s_fp_pool[] = { ft0, ft1, ft2, ft3, ft4, ft5, ft6, ft7, ft8, ft9, fs0, fs1, fs2, fs3, fs4, fs5, fs6,
    fs7, fs8, fs9, fs10, fs11, fa0, fa1, fa2, fa3, fa4, fa5, fa6, fa7 };

// The scalar SIMD path's helper call keeps these (the C ABI's callee-saved).
bool is_callee_saved_gp(u8 id) noexcept { return id == 9 || (id >= 18 && id <= 25); }       // s1, s2-s9
bool is_callee_saved_fp(u8 id) noexcept { return id == 8 || id == 9 || (id >= 18 && id <= 27); } // fs0-fs11

} // namespace

void ValueStack::reset(bool wide) noexcept
{
    m_size = 0;
    m_spilled_below = 0;
    m_max_depth = 0;
    m_local_count = 0;
    m_wide = wide;
    m_temp_mask = 0;
    m_vtemp_mask = 0;
    for (auto& owner : m_gp_owner)
        owner = free_reg;
    for (auto& owner : m_fp_owner)
        owner = free_reg;
    for (auto& owner : m_vec_owner)
        owner = free_reg;
    for (u32& count : m_aliases)
        count = 0;
}

void ValueStack::free_owner(const Entry& e) noexcept
{
    if (is_vec(e.type))
        m_vec_owner[e.reg] = free_reg;
    else if (is_float(e.type))
        m_fp_owner[e.reg] = free_reg;
    else
        m_gp_owner[e.reg] = free_reg;
}

void ValueStack::load_slot(const Entry& e, u32 slot, u8 reg) noexcept
{
    if (is_vec(e.type)) {
        frame_address_to(t5, slot_offset(slot));
        Sew sew = slot_sew();
        m_asm.vle(sew, VecReg(reg), t5);
        return;
    }
    if (is_float(e.type))
        m_asm.load(e.type == ValueType::F32 ? Access::F32 : Access::F64, FpReg(reg), abi::frame, slot_offset(slot));
    else
        m_asm.load(Access::I64, GpReg(reg), abi::frame, slot_offset(slot));
}

void ValueStack::store_slot(ValueType type, u8 reg, u32 slot) noexcept
{
    if (is_vec(type)) {
        frame_address_to(t5, slot_offset(slot));
        Sew sew = slot_sew();
        m_asm.vse(sew, VecReg(reg), t5);
        return;
    }
    if (is_float(type))
        m_asm.store(type == ValueType::F32 ? Access::F32 : Access::F64, FpReg(reg), abi::frame, slot_offset(slot));
    else
        m_asm.store(Access::I64, GpReg(reg), abi::frame, slot_offset(slot));
}

void ValueStack::spill(u32 index) noexcept
{
    Entry& e = m_data[index];
    if (e.loc == Loc::Reg) {
        store_slot(e.type, e.reg, slot_of(index));
        if (e.home)
            --alias_count(e.type, e.reg);
        else
            free_owner(e);
    } else if (e.loc == Loc::Const) {
        m_asm.li(t4, i64(e.bits));
        m_asm.store(Access::I64, t4, abi::frame, slot_offset(slot_of(index)));
    }
    e.loc = Loc::Slot;
    e.home = false;
}

void ValueStack::spill_all() noexcept
{
    u32 size = m_size;
    for (u32 i = m_spilled_below; i < size; ++i) {
        if (m_data[i].loc != Loc::Slot)
            spill(i);
    }
    m_spilled_below = size;
}

// Frees a register of a class by spilling the lowest stack entry in one.
// A register's owner is the index of the entry holding it (negative: free,
// temporary, pinned or a home), so the lowest such entry is the smallest
// owner: a scan of 32 owners however deep the stack is.
void ValueStack::spill_one(RegClass which) noexcept
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

VecReg ValueStack::alloc_vec() noexcept
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

VecReg ValueStack::pop_vec() noexcept
{
    u32 index = m_size - 1;
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

void ValueStack::push_vec(VecReg r) noexcept
{
    if (!m_wide)
        return fail(Error::from_code(ErrorCode::Unsupported, "SIMD not supported yet: v128"));
    Entry e;
    e.type = ValueType::V128;
    e.loc = Loc::Reg;
    e.reg = r.id();
    m_vec_owner[r.id()] = i32(m_size);
    push_entry(e);
}

// Copies 16 bytes (a v128 in memory) through t4, 8 bytes at a time:
// offsets relative to fp or sp.
void ValueStack::copy_wide_halves(i32 from, bool from_sp, i32 to, bool to_sp) noexcept
{
    for (i32 half = 0; half < 16; half += 8) {
        m_asm.load(Access::I64, t4, from_sp ? sp : abi::frame, from + half);
        m_asm.store(Access::I64, t4, to_sp ? sp : abi::frame, to + half);
    }
}

i32 ValueStack::free_register(RegClass which) const noexcept
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

GpReg ValueStack::alloc_gp() noexcept
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

FpReg ValueStack::alloc_fp() noexcept
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

ValueStack::Entry ValueStack::pop_entry() noexcept
{
    if (m_size == 0) {
        fail(Error::from_code(ErrorCode::Invalid, "baseline: value stack underflow"));
        return {};
    }
    Entry e = m_data[--m_size];
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

void ValueStack::drop_entry() noexcept
{
    Entry e = pop_entry();
    if (e.loc == Loc::Reg && !e.home)
        free_owner(e);
}

GpReg ValueStack::pop_gp_read() noexcept
{
    u32 index = m_size - 1;
    Entry e = pop_entry();
    if (e.loc == Loc::Reg)
        return GpReg(e.reg);
    GpReg r = alloc_gp();
    if (e.loc == Loc::Const)
        m_asm.li(r, i64(e.bits));
    else
        m_asm.load(Access::I64, r, abi::frame, slot_offset(slot_of(index)));
    return r;
}

GpReg ValueStack::pop_gp() noexcept
{
    GpReg r = pop_gp_read();
    if (m_gp_owner[r.id()] != home_reg)
        return r;
    GpReg copy = alloc_gp();
    m_asm.mv(copy, r);
    return copy;
}

FpReg ValueStack::pop_fp() noexcept
{
    FpReg r = pop_fp_read();
    if (m_fp_owner[r.id()] != home_reg)
        return r;
    FpReg copy = alloc_fp();
    m_asm.fmv_d(copy, r); // all 64 bits: an f32 stays NaN-boxed
    return copy;
}

FpReg ValueStack::pop_fp_read() noexcept
{
    u32 index = m_size - 1;
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

// The entries' buffer grows geometrically (false: out of memory).
bool ValueStack::grow() noexcept
{
    usize capacity = m_entries.size() < 64 ? 64 : 2 * m_entries.size();
    if (m_entries.try_resize(capacity).is_error()) {
        fail(Error::from_code(ErrorCode::OutOfMemory, "baseline: value stack"));
        return false;
    }
    m_data = m_entries.data();
    return true;
}

void ValueStack::push_reg(ValueType type, u8 reg) noexcept
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
        owner = i32(m_size);
    }
    push_entry(e);
}

void ValueStack::push_const(ValueType type, u64 bits) noexcept
{
    Entry e;
    e.type = type;
    e.loc = Loc::Const;
    e.bits = bits;
    push_entry(e);
}

void ValueStack::push_slot(ValueType type) noexcept
{
    Entry e;
    e.type = type;
    e.loc = Loc::Slot;
    push_entry(e);
}

void ValueStack::truncate_stack(u32 height) noexcept
{
    while (m_size > height)
        drop_entry();
}

// Writes the top `arity` values into the canonical slots starting at stack
// index `target_height` (a branch's label values). Emission only: the
// abstract stack is unchanged (the fall-through path of br_if keeps it).
void ValueStack::move_to_slots(u32 target_height, u32 arity) noexcept
{
    u32 size = m_size;
    for (u32 i = 0; i < arity; ++i) {
        u32 index = size - arity + i;
        const Entry& e = m_data[index];
        u32 dest = slot_of(target_height + i);
        if (e.loc == Loc::Reg) {
            store_slot(e.type, e.reg, dest);
        } else if (e.loc == Loc::Const) {
            m_asm.li(t4, i64(e.bits));
            m_asm.store(Access::I64, t4, abi::frame, slot_offset(dest));
        } else if (index != target_height + i) {
            if (is_vec(e.type)) {
                copy_wide_halves(slot_offset(slot_of(index)), false, slot_offset(dest), false);
            } else {
                m_asm.load(Access::I64, t4, abi::frame, slot_offset(slot_of(index)));
                m_asm.store(Access::I64, t4, abi::frame, slot_offset(dest));
            }
        }
    }
}

void ValueStack::copy_to_register(u32 index, u8 reg) noexcept
{
    const Entry& e = m_data[index];
    if (e.loc == Loc::Slot) {
        load_slot(e, slot_of(index), reg);
    } else if (is_float(e.type)) {
        if (e.loc == Loc::Const) {
            m_asm.li(t4, i64(e.bits));
            e.type == ValueType::F32 ? m_asm.fmv_w_x(FpReg(reg), t4) : m_asm.fmv_d_x(FpReg(reg), t4);
        } else if (e.reg != reg) {
            m_asm.fmv_d(FpReg(reg), FpReg(e.reg)); // all 64 bits: an f32 stays NaN-boxed
        }
    } else if (e.loc == Loc::Const) {
        m_asm.li(GpReg(reg), i64(e.bits));
    } else if (e.reg != reg) {
        m_asm.mv(GpReg(reg), GpReg(e.reg));
    }
}

// The entries to spill are found through the register owners (at most 96,
// spilled bottom-up as a stack walk would), not by walking a stack that may
// be deep in constants and slots.
void ValueStack::spill_caller_saved() noexcept
{
    u32 indices[96];
    u32 count = 0;
    for (u32 id = 0; id < 32; ++id) {
        if (m_gp_owner[id] >= 0 && !is_callee_saved_gp(u8(id)))
            indices[count++] = u32(m_gp_owner[id]);
        if (m_fp_owner[id] >= 0 && !is_callee_saved_fp(u8(id)))
            indices[count++] = u32(m_fp_owner[id]);
        if (m_vec_owner[id] >= 0)
            indices[count++] = u32(m_vec_owner[id]);
    }
    for (u32 i = 1; i < count; ++i) {
        u32 index = indices[i], j = i;
        for (; j > 0 && indices[j - 1] > index; --j)
            indices[j] = indices[j - 1];
        indices[j] = index;
    }
    for (u32 i = 0; i < count; ++i)
        spill(indices[i]);
}

// Before a homed local is written: the entries that still alias its home
// (local.get pushed them) get the old value, in a free register of their
// own or else in their slots.
void ValueStack::detach_aliases(ValueType type, u8 home) noexcept
{
    u32& count = alias_count(type, home);
    for (u32 i = m_size; count > 0 && i > m_spilled_below;) {
        --i;
        Entry& e = m_data[i];
        if (!e.home || e.reg != home || is_float(e.type) != is_float(type))
            continue;
        i32 free = free_register(is_float(type) ? RegClass::Float : RegClass::Integer);
        if (free < 0) {
            spill(i); // one alias less
            continue;
        }
        if (is_float(type)) {
            m_asm.fmv_d(FpReg(u8(free)), FpReg(home)); // all 64 bits: an f32 stays NaN-boxed
            m_fp_owner[free] = i32(i);
        } else {
            m_asm.mv(GpReg(u8(free)), GpReg(home));
            m_gp_owner[free] = i32(i);
        }
        e.reg = u8(free);
        e.home = false;
        --count;
    }
}

} // namespace k23::jit::baseline
