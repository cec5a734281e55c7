// The macro-assembler's sequences (MacroAssembler.h).

#include <arch/riscv64/asm/Encoding.h>
#include <arch/riscv64/asm/MacroAssembler.h>

namespace k23::riscv64 {

// reach() beyond 12 bits.
MacroAssembler::Address MacroAssembler::reach_far(GpReg base, i64 offset, GpReg into, GpReg scratch) noexcept
{
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

void MacroAssembler::mark_trap_site() noexcept
{
    if (m_traps)
        m_traps->record_trap_site(offset());
}

void MacroAssembler::load_context_element(Access access, GpReg rd, GpReg context, i32 field, u64 index, GpReg scratch) noexcept
{
    ld(rd, context, field);
    load(access, rd, rd, i64(index * access_size(access)), scratch);
}

} // namespace k23::riscv64
