#pragma once

// The RV64 macro-assembler: the sequences a compiler writes again and again,
// each in one place, on top of the one-instruction Assembler (V8's
// MacroAssembler / Liftoff-assembler split):
//
//   - 12-bit immediate selection (fits_imm12, reach): every load, store and
//     add of an arbitrary offset goes through it; a far offset is built in a
//     scratch register (lui + add, the low 12 bits left in the access).
//   - any-offset loads and stores, GP and FP, and the same at a trap site:
//     the pc of the access itself (after any offset materialization) is
//     handed to the TrapSiteSink, so a guard-page fault maps back to its
//     wasm instruction (jit/Code.h TrapSite).
//   - constants (li, Assembler::load_constant) and their cost;
//   - zero/sign extension (zext.w with Zba, sext.b/h with Zbb, else shifts);
//   - the k-th element of a VM-context array (jit/VMContext.h: functions,
//     memory_bases, globals, tables, type_ids): one load of the array, one
//     of the element.
//
// Scratch registers are explicit (default t6, the code holder's scratch,
// which far branches may clobber anyway): a sequence never clobbers any
// other register than its destination and the scratch it was given.

#include <arch/riscv64/asm/Assembler.h>

namespace k23::riscv64 {

// What a memory access reads or writes; stores ignore the signedness.
enum class Access : u8 {
    I8,
    U8,
    I16,
    U16,
    I32,
    U32,
    I64,
    F32,
    F64,
};

[[nodiscard]] constexpr u32 access_size(Access access) noexcept
{
    switch (access) {
    case Access::I8: case Access::U8: return 1;
    case Access::I16: case Access::U16: return 2;
    case Access::I32: case Access::U32: case Access::F32: return 4;
    default: return 8;
    }
}

// Receives the code offset of every access emitted at a trap site.
class TrapSiteSink {
public:
    virtual void record_trap_site(u32 code_offset) noexcept = 0;

protected:
    ~TrapSiteSink() = default;
};

class MacroAssembler : public Assembler {
public:
    explicit MacroAssembler(CodeHolder& code, TrapSiteSink* traps = nullptr) noexcept
        : Assembler(code)
        , m_traps(traps)
    {
    }

    void set_trap_sink(TrapSiteSink* traps) noexcept { m_traps = traps; }

    // ---- immediates: the one 12-bit range test
    [[nodiscard]] static constexpr bool fits_imm12(i64 value) noexcept { return value >= -2048 && value <= 2047; }
    // Whether li builds `value` in one instruction (addi, or lui for a
    // 32-bit value with its low 12 bits clear).
    [[nodiscard]] static constexpr bool is_single_instruction_constant(i64 value) noexcept
    {
        return fits_imm12(value) || (value >= -(i64(1) << 31) && value < (i64(1) << 31) && (value & 0xfff) == 0);
    }

    // An address `base + offset` as (register, 12-bit immediate): the
    // immediate is the offset when it fits; otherwise `into` = base + the
    // offset's upper part (through `scratch`, which may equal `into`) and
    // the low 12 bits stay the immediate.
    struct Address {
        GpReg base;
        i32 offset;
    };
    Address reach(GpReg base, i64 offset, GpReg into, GpReg scratch) noexcept
    {
        if (fits_imm12(offset)) [[likely]]
            return { base, i32(offset) };
        return reach_far(base, offset, into, scratch);
    }

    // rd = rs + imm, any imm (addi, or li scratch + add; scratch may be rd
    // when rd != rs). Nothing when rd == rs and imm == 0.
    void add_immediate(GpReg rd, GpReg rs, i64 imm, GpReg scratch = t6) noexcept;

    // ---- extension
    // rd = rs zero-extended from 32 bits: zext.w (Zba), else slli + srli.
    void zero_extend_word(GpReg rd, GpReg rs) noexcept;
    // rd = rs sign-extended from `bits` (8, 16 or 32): addiw for 32, sext.b
    // / sext.h with Zbb, else slli + srai.
    void sign_extend(GpReg rd, GpReg rs, u32 bits) noexcept;
    // rd = base + zext(index): add.uw (Zba), else zero-extend into rd first.
    void add_zero_extended_word(GpReg rd, GpReg index, GpReg base) noexcept;

    // ---- loads and stores at any offset (far ones through scratch)
    // (Inline: compilers call these for most instructions they emit.)
    void load(Access access, GpReg rd, GpReg base, i64 offset, GpReg scratch = t6) noexcept { load_at(access, rd, base, offset, scratch, Site::Plain); }
    void load(Access access, FpReg rd, GpReg base, i64 offset, GpReg scratch = t6) noexcept { load_at(access, rd, base, offset, scratch, Site::Plain); }
    void store(Access access, GpReg rs, GpReg base, i64 offset, GpReg scratch = t6) noexcept { store_at(access, rs, base, offset, scratch, Site::Plain); }
    void store(Access access, FpReg rs, GpReg base, i64 offset, GpReg scratch = t6) noexcept { store_at(access, rs, base, offset, scratch, Site::Plain); }
    // The same, with the access's pc recorded as a trap site (a fault there
    // is the trap of the instruction being compiled).
    void load_trapping(Access access, GpReg rd, GpReg base, i64 offset, GpReg scratch = t6) noexcept { load_at(access, rd, base, offset, scratch, Site::Trap); }
    void load_trapping(Access access, FpReg rd, GpReg base, i64 offset, GpReg scratch = t6) noexcept { load_at(access, rd, base, offset, scratch, Site::Trap); }
    void store_trapping(Access access, GpReg rs, GpReg base, i64 offset, GpReg scratch = t6) noexcept { store_at(access, rs, base, offset, scratch, Site::Trap); }
    void store_trapping(Access access, FpReg rs, GpReg base, i64 offset, GpReg scratch = t6) noexcept { store_at(access, rs, base, offset, scratch, Site::Trap); }
    // Records the current offset as a trap site (the next instruction's pc).
    void mark_trap_site() noexcept;

    // ---- the last instruction's destination
    // If the last thing emitted is an instruction that writes `from` and
    // whose destination field is independent of its sources (a 32-bit
    // OP/OP-IMM/OP-32/OP-IMM-32/LUI/LOAD/LOAD-FP/OP-FP/fused-multiply-add,
    // c.li, c.lui, c.mv, c.lwsp, c.ldsp, c.fldsp: never a form like c.addi
    // whose destination is also a source), rewrites it to write `to` and
    // returns true: `op from, ...; mv to, from` without the move. No label
    // may have been bound since (Assembler::bind forgets the instruction);
    // a trap site at that instruction stays where it is.
    bool retarget(GpReg from, GpReg to) noexcept { return retarget_last(from.id(), to.id(), false); }
    bool retarget(FpReg from, FpReg to) noexcept { return retarget_last(from.id(), to.id(), true); }

    // ---- VM-context arrays (jit/VMContext.h)
    // rd = array[index] with array = *(context + field); `access` is the
    // element (I64 for the pointer arrays, U32 for type_ids). rd may be
    // `context` (read first); scratch only for an index beyond 12 bits.
    void load_context_element(Access access, GpReg rd, GpReg context, i32 field, u64 index, GpReg scratch = t6) noexcept;
    void load_context_pointer(GpReg rd, GpReg context, i32 field, u64 index, GpReg scratch = t6) noexcept
    {
        load_context_element(Access::I64, rd, context, field, index, scratch);
    }

private:
    enum class Site : u8 {
        Plain,
        Trap, // the access's pc goes to the trap sink
    };
    Address reach_far(GpReg base, i64 offset, GpReg into, GpReg scratch) noexcept;
    bool retarget_last(u32 from, u32 to, bool fp) noexcept;
    template<typename Reg>
    void load_at(Access access, Reg rd, GpReg base, i64 offset, GpReg scratch, Site site) noexcept
    {
        Address address = reach(base, offset, scratch, scratch);
        if (site == Site::Trap)
            mark_trap_site();
        access_load(access, rd, address);
    }
    template<typename Reg>
    void store_at(Access access, Reg rs, GpReg base, i64 offset, GpReg scratch, Site site) noexcept
    {
        Address address = reach(base, offset, scratch, scratch);
        if (site == Site::Trap)
            mark_trap_site();
        access_store(access, rs, address);
    }
    void access_load(Access access, GpReg rd, Address address) noexcept
    {
        switch (access) {
        case Access::I8: lb(rd, address.base, address.offset); break;
        case Access::U8: lbu(rd, address.base, address.offset); break;
        case Access::I16: lh(rd, address.base, address.offset); break;
        case Access::U16: lhu(rd, address.base, address.offset); break;
        case Access::I32: lw(rd, address.base, address.offset); break;
        case Access::U32: lwu(rd, address.base, address.offset); break;
        default: ld(rd, address.base, address.offset); break;
        }
    }
    void access_store(Access access, GpReg rs, Address address) noexcept
    {
        switch (access_size(access)) {
        case 1: sb(rs, address.base, address.offset); break;
        case 2: sh(rs, address.base, address.offset); break;
        case 4: sw(rs, address.base, address.offset); break;
        default: sd(rs, address.base, address.offset); break;
        }
    }
    // F32 or F64.
    void access_load(Access access, FpReg rd, Address address) noexcept
    {
        access == Access::F32 ? flw(rd, address.base, address.offset) : fld(rd, address.base, address.offset);
    }
    void access_store(Access access, FpReg rs, Address address) noexcept
    {
        access == Access::F32 ? fsw(rs, address.base, address.offset) : fsd(rs, address.base, address.offset);
    }

    TrapSiteSink* m_traps { nullptr };
};

} // namespace k23::riscv64
