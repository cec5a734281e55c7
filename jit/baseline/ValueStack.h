#pragma once

// The baseline's value stack and register cache (the shape of Liftoff's
// CacheState): the abstract stack of entries, each a register, a constant
// or its canonical frame slot; who owns each register; temporaries, pinned
// operands and homed locals' registers; the spill watermark; the alias
// counts of homed scalar locals. It emits the spills and fills it decides on
// through the macro-assembler, and knows the frame geometry that needs
// (slot = locals + stack index, 8- or 16-byte slots). The compiler
// (Compiler.h) owns one and reports its failures.

#include <arch/riscv64/asm/MacroAssembler.h>
#include <base/Result.h>
#include <base/Vector.h>
#include <jit/Abi.h>
#include <jit/SimdEmit.h>
#include <wasm/Types.h>

namespace k23::jit::baseline {

using namespace k23::riscv64;
using wasm::ValueType;

enum class RegClass : u8 {
    Integer,
    Float,
    Vector,
};

// Receives the value stack's failures (out of registers or memory, a
// malformed operand): the compiler records the first.
class StackFailureSink {
public:
    virtual void stack_failed(Error error) noexcept = 0;

protected:
    ~StackFailureSink() = default;
};

class ValueStack {
public:
    enum class Loc : u8 {
        Slot,
        Reg,
        Const,
    };
    struct Entry {
        ValueType type { ValueType::I32 };
        Loc loc { Loc::Slot };
        u8 reg { 0 };
        bool home { false }; // Reg: a homed local's register, aliased (LocalHomes.cpp)
        u64 bits { 0 };
    };
    // A register's owner: the stack index of the entry holding it (a value
    // stack can be millions deep, hence i32), or one of these states.
    static constexpr i32 free_reg = -1;
    static constexpr i32 temp_reg = -2;   // popped or allocated, free again at the next instruction
    static constexpr i32 pinned_reg = -3; // operand of a pending compare
    static constexpr i32 home_reg = -4;   // a homed local's register

    // vtype: the compiler's vtype tracker (v128 fills and spills set it).
    ValueStack(MacroAssembler& a, VTypeState& vtype, StackFailureSink& sink) noexcept
        : m_asm(a)
        , m_vtype(vtype)
        , m_sink(sink)
    {
    }

    // A new function: empty, every register free, no aliases. wide: 16-byte
    // slots (the function may hold v128 values, jit/Abi.h).
    void reset(bool wide) noexcept;
    void set_wide(bool wide) noexcept { m_wide = wide; }
    void set_local_count(u32 count) noexcept { m_local_count = count; }

    // ---- frame geometry
    [[nodiscard]] u32 slot_of(u32 stack_index) const noexcept { return m_local_count + stack_index; }
    // Slot i: 8 bytes at fp - 16 - 8i, or in a wide frame 16 bytes at
    // fp - 32 - 16i.
    [[nodiscard]] i32 slot_offset(u32 slot) const noexcept
    {
        return m_wide ? abi::wide_slot_base - i32(slot) * 16 : abi::frame_slot_base - i32(slot) * 8;
    }
    void load_slot(const Entry& e, u32 slot, u8 reg) noexcept;
    void store_slot(ValueType type, u8 reg, u32 slot) noexcept;
    void frame_address_to(GpReg rd, i32 offset) noexcept { m_asm.add_immediate(rd, abi::frame, offset, rd); }
    // Copies 16 bytes (a v128 in memory) through t4, 8 bytes at a time:
    // offsets relative to fp or sp.
    void copy_wide_halves(i32 from, bool from_sp, i32 to, bool to_sp) noexcept;
    // The deepest stack seen (the frame's stack slots).
    [[nodiscard]] u32 max_depth() const noexcept { return m_max_depth; }

    // ---- the entries
    [[nodiscard]] u32 size() const noexcept { return m_size; }
    [[nodiscard]] bool is_empty() const noexcept { return m_size == 0; }
    [[nodiscard]] Entry& operator[](u32 index) noexcept
    {
        VERIFY(index < m_size);
        return m_data[index];
    }
    [[nodiscard]] const Entry& operator[](u32 index) const noexcept
    {
        VERIFY(index < m_size);
        return m_data[index];
    }
    [[nodiscard]] const Entry& last() const noexcept { return (*this)[m_size - 1]; }
    [[nodiscard]] const Entry& top(u32 depth = 0) const noexcept { return (*this)[m_size - 1 - depth]; }
    // Every entry below this index is Loc::Slot (spill_all's watermark).
    [[nodiscard]] u32 spilled_below() const noexcept { return m_spilled_below; }

    // Every push: the entry, and the deepest stack seen (the frame's slots).
    void push_entry(const Entry& e) noexcept
    {
        if (e.loc != Loc::Slot && m_size < m_spilled_below)
            m_spilled_below = m_size;
        Entry copy = e; // e may be an entry: the buffer may move
        if (m_size == m_entries.size() && !grow()) [[unlikely]]
            return;
        m_data[m_size++] = copy;
        if (m_size > m_max_depth)
            m_max_depth = m_size;
    }
    // A register entry of either class (the class follows from the type);
    // a homed local's register makes an alias entry.
    void push_reg(ValueType type, u8 reg) noexcept;
    void push_gp(ValueType type, GpReg r) noexcept { push_reg(type, r.id()); }
    void push_fp(ValueType type, FpReg r) noexcept { push_reg(type, r.id()); }
    void push_vec(VecReg r) noexcept;
    void push_const(ValueType type, u64 bits) noexcept;
    void push_slot(ValueType type) noexcept;
    // Pops the top entry; its register (not a home's) becomes a temporary.
    Entry pop_entry() noexcept;
    void drop_entry() noexcept;
    void truncate_stack(u32 height) noexcept;
    // Pops the top entry into a register (temporary until pushed/released).
    // pop_gp/pop_fp give a register the caller may write (a homed local's
    // value is copied out); the _read forms may give the local's home
    // register itself, for operands the caller only reads.
    GpReg pop_gp() noexcept;
    FpReg pop_fp() noexcept;
    GpReg pop_gp_read() noexcept;
    FpReg pop_fp_read() noexcept;
    VecReg pop_vec() noexcept;

    // ---- registers
    GpReg alloc_gp() noexcept;
    FpReg alloc_fp() noexcept;
    VecReg alloc_vec() noexcept;
    // A free register of the pool, without spilling (-1: none).
    [[nodiscard]] i32 free_register(RegClass which) const noexcept;
    void set_temp_gp(u8 id) noexcept
    {
        m_gp_owner[id] = temp_reg;
        m_temp_mask |= u64(1) << id;
    }
    void set_temp_fp(u8 id) noexcept
    {
        m_fp_owner[id] = temp_reg;
        m_temp_mask |= u64(1) << (32 + id);
    }
    void set_temp_vec(u8 id) noexcept
    {
        m_vec_owner[id] = temp_reg;
        m_vtemp_mask |= u32(1) << id;
    }
    void release(VecReg r) noexcept { if (m_vec_owner[r.id()] == temp_reg) m_vec_owner[r.id()] = free_reg; }
    void release(GpReg r) noexcept { if (m_gp_owner[r.id()] == temp_reg) m_gp_owner[r.id()] = free_reg; }
    void release(FpReg r) noexcept { if (m_fp_owner[r.id()] == temp_reg) m_fp_owner[r.id()] = free_reg; }
    // Every temporary is free again (each instruction's start).
    void release_temps() noexcept
    {
        if ((m_temp_mask | m_vtemp_mask) == 0) [[likely]]
            return;
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
    }
    // A pending compare's operand stays out of allocation until unpinned.
    void pin(u8 reg) noexcept
    {
        if (m_gp_owner[reg] != home_reg)
            m_gp_owner[reg] = pinned_reg;
    }
    void unpin(u8 reg) noexcept
    {
        if (m_gp_owner[reg] == pinned_reg)
            m_gp_owner[reg] = free_reg;
    }
    // A homed local's register: never allocated.
    void set_home(RegClass which, u8 reg) noexcept { owners(which)[reg] = home_reg; }
    // Whether `reg` is a temporary (popped or allocated by this
    // instruction, so the caller may write it) or a homed local's.
    [[nodiscard]] bool is_temp(RegClass which, u8 reg) const noexcept { return owner(which, reg) == temp_reg; }
    [[nodiscard]] bool is_home(RegClass which, u8 reg) const noexcept { return owner(which, reg) == home_reg; }
    [[nodiscard]] i32 owner(RegClass which, u8 reg) const noexcept
    {
        return (which == RegClass::Integer ? m_gp_owner : which == RegClass::Float ? m_fp_owner : m_vec_owner)[reg];
    }

    // ---- spills
    void spill(u32 index) noexcept;
    // Spills every entry at or above spilled_below() (all below are in
    // their slots already), so block entries, calls and helper calls cost
    // what was pushed since the last one, not the whole stack.
    void spill_all() noexcept;
    // Spills the lowest stack entry holding a register of the class, found
    // through the register owners (each a stack index), not the stack.
    void spill_one(RegClass which) noexcept;
    // Spills the entries in caller-saved registers (before a C helper call
    // on the scalar SIMD path).
    void spill_caller_saved() noexcept;
    // Writes the top `arity` values into the canonical slots starting at
    // stack index `target_height` (a branch's label values); the abstract
    // stack is unchanged.
    void move_to_slots(u32 target_height, u32 arity) noexcept;
    // Copies the value of entry `index` (a scalar) into `reg`, of its
    // class (a block's result register); the abstract stack is unchanged.
    void copy_to_register(u32 index, u8 reg) noexcept;

    // ---- homed scalar locals' aliases (entries pushed by local.get)
    [[nodiscard]] u32& alias_count(ValueType type, u8 reg) noexcept { return m_aliases[is_float(type) ? 32 + reg : reg]; }
    // Before a homed local is written: the entries that still alias its
    // home get the old value, in a free register of their own or else in
    // their slots.
    void detach_aliases(ValueType type, u8 home) noexcept;

    [[nodiscard]] static bool is_float(ValueType t) noexcept { return t == ValueType::F32 || t == ValueType::F64; }
    [[nodiscard]] static bool is_vec(ValueType t) noexcept { return t == ValueType::V128; }

private:
    void fail(Error error) noexcept { m_sink.stack_failed(error); }
    bool grow() noexcept;
    [[nodiscard]] i32* owners(RegClass which) noexcept
    {
        return which == RegClass::Integer ? m_gp_owner : which == RegClass::Float ? m_fp_owner : m_vec_owner;
    }
    void free_owner(const Entry& e) noexcept;
    Sew slot_sew() noexcept { return SimdEmitter(m_asm, m_vtype).slot_sew(); }

    MacroAssembler& m_asm;
    VTypeState& m_vtype;
    StackFailureSink& m_sink;
    // The entries: m_size of them in m_entries' buffer (m_data), which
    // only grows, so a push or pop is a store or load and a count.
    Vector<Entry> m_entries;
    Entry* m_data { nullptr };
    u32 m_size { 0 };
    u32 m_local_count { 0 };
    bool m_wide { false };
    u32 m_max_depth { 0 };
    // Every entry below this index is Loc::Slot: lowered by every push of a
    // register or constant entry below it.
    u32 m_spilled_below { 0 };
    u64 m_temp_mask { 0 };  // registers that may be temp_reg (bit 32 + n: fn)
    u32 m_vtemp_mask { 0 }; // vector registers that may be temp_reg
    i32 m_gp_owner[32] {};
    i32 m_fp_owner[32] {};
    i32 m_vec_owner[32] {};
    // Alias entries on the stack per home register (gp n, fp 32 + n).
    u32 m_aliases[64] {};
};

} // namespace k23::jit::baseline
