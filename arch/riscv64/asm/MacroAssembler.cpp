// The macro-assembler's sequences (MacroAssembler.h).

#include <arch/riscv64/asm/Encoding.h>
#include <arch/riscv64/asm/MacroAssembler.h>

namespace k23::riscv64 {

MacroAssembler::Address MacroAssembler::reach(GpReg base, i64 offset, GpReg into, GpReg scratch) noexcept
{
    if (fits_imm12(offset))
        return { base, i32(offset) };
    // The upper part is one lui when it is a 32-bit value (offsets below
    // 2 GiB - 2 KiB); otherwise the whole offset through li.
    encoding::HiLo parts = encoding::split_hi_lo(offset);
    i64 upper = i64(parts.hi) << 12;
    i32 low = parts.lo;
    if (upper != offset - low || upper < -(i64(1) << 31) || upper >= (i64(1) << 31)) {
        upper = offset;
        low = 0;
    }
    li(scratch, upper);
    add(into, base, scratch);
    return { into, low };
}

void MacroAssembler::add_immediate(GpReg rd, GpReg rs, i64 imm, GpReg scratch) noexcept
{
    if (rd == rs && imm == 0)
        return;
    if (fits_imm12(imm)) {
        addi(rd, rs, i32(imm));
        return;
    }
    li(scratch, imm);
    add(rd, rs, scratch);
}

void MacroAssembler::zero_extend_word(GpReg rd, GpReg rs) noexcept
{
    if (has(Extension::Zba)) {
        zext_w(rd, rs);
        return;
    }
    slli(rd, rs, 32);
    srli(rd, rd, 32);
}

void MacroAssembler::sign_extend(GpReg rd, GpReg rs, u32 bits) noexcept
{
    if (bits == 32) {
        sext_w(rd, rs);
        return;
    }
    if (has(Extension::Zbb) && (bits == 8 || bits == 16)) {
        bits == 8 ? sext_b(rd, rs) : sext_h(rd, rs);
        return;
    }
    slli(rd, rs, 64 - bits);
    srai(rd, rd, 64 - bits);
}

void MacroAssembler::add_zero_extended_word(GpReg rd, GpReg index, GpReg base) noexcept
{
    if (has(Extension::Zba)) {
        add_uw(rd, index, base);
        return;
    }
    zero_extend_word(rd, index);
    add(rd, rd, base);
}

void MacroAssembler::access_load(Access access, GpReg rd, Address address) noexcept
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

void MacroAssembler::access_load(Access access, FpReg rd, Address address) noexcept
{
    if (access == Access::F32)
        flw(rd, address.base, address.offset);
    else
        fld(rd, address.base, address.offset);
}

void MacroAssembler::access_store(Access access, GpReg rs, Address address) noexcept
{
    switch (access_size(access)) {
    case 1: sb(rs, address.base, address.offset); break;
    case 2: sh(rs, address.base, address.offset); break;
    case 4: sw(rs, address.base, address.offset); break;
    default: sd(rs, address.base, address.offset); break;
    }
}

void MacroAssembler::access_store(Access access, FpReg rs, Address address) noexcept
{
    if (access == Access::F32)
        fsw(rs, address.base, address.offset);
    else
        fsd(rs, address.base, address.offset);
}

template<typename Reg>
void MacroAssembler::load_at(Access access, Reg rd, GpReg base, i64 offset, GpReg scratch, Site site) noexcept
{
    Address address = reach(base, offset, scratch, scratch);
    if (site == Site::Trap)
        mark_trap_site();
    access_load(access, rd, address);
}

template<typename Reg>
void MacroAssembler::store_at(Access access, Reg rs, GpReg base, i64 offset, GpReg scratch, Site site) noexcept
{
    Address address = reach(base, offset, scratch, scratch);
    if (site == Site::Trap)
        mark_trap_site();
    access_store(access, rs, address);
}

void MacroAssembler::mark_trap_site() noexcept
{
    if (m_traps)
        m_traps->record_trap_site(offset());
}

void MacroAssembler::load(Access access, GpReg rd, GpReg base, i64 offset, GpReg scratch) noexcept { load_at(access, rd, base, offset, scratch, Site::Plain); }
void MacroAssembler::load(Access access, FpReg rd, GpReg base, i64 offset, GpReg scratch) noexcept { load_at(access, rd, base, offset, scratch, Site::Plain); }
void MacroAssembler::store(Access access, GpReg rs, GpReg base, i64 offset, GpReg scratch) noexcept { store_at(access, rs, base, offset, scratch, Site::Plain); }
void MacroAssembler::store(Access access, FpReg rs, GpReg base, i64 offset, GpReg scratch) noexcept { store_at(access, rs, base, offset, scratch, Site::Plain); }
void MacroAssembler::load_trapping(Access access, GpReg rd, GpReg base, i64 offset, GpReg scratch) noexcept { load_at(access, rd, base, offset, scratch, Site::Trap); }
void MacroAssembler::load_trapping(Access access, FpReg rd, GpReg base, i64 offset, GpReg scratch) noexcept { load_at(access, rd, base, offset, scratch, Site::Trap); }
void MacroAssembler::store_trapping(Access access, GpReg rs, GpReg base, i64 offset, GpReg scratch) noexcept { store_at(access, rs, base, offset, scratch, Site::Trap); }
void MacroAssembler::store_trapping(Access access, FpReg rs, GpReg base, i64 offset, GpReg scratch) noexcept { store_at(access, rs, base, offset, scratch, Site::Trap); }

void MacroAssembler::load_context_element(Access access, GpReg rd, GpReg context, i32 field, u64 index, GpReg scratch) noexcept
{
    ld(rd, context, field);
    load(access, rd, rd, i64(index * access_size(access)), scratch);
}

} // namespace k23::riscv64
