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

// The destination class of a 32-bit instruction whose rd field (bits
// 11:7) is independent of its sources (Unprivileged ISA ch. 34 opcode
// map): 0 none of those, 1 x register, 2 f register.
static u32 rewritable_destination(u32 word) noexcept
{
    switch (word & 0x7f) {
    case 0x03: case 0x13: case 0x1b: case 0x33: case 0x3b: case 0x37: // LOAD, OP-IMM(-32), OP(-32), LUI
        return 1;
    case 0x07: { // LOAD-FP: flh/flw/fld (the other widths are vector loads)
        u32 width = (word >> 12) & 7;
        return width >= 1 && width <= 3 ? 2 : 0;
    }
    case 0x43: case 0x47: case 0x4b: case 0x4f: // fmadd, fmsub, fnmsub, fnmadd
        return 2;
    case 0x53: { // OP-FP: compares, fclass/fmv.x, fcvt to integer write x
        u32 funct5 = word >> 27;
        return funct5 == 0b10100 || funct5 == 0b11100 || funct5 == 0b11000 ? 1 : 2;
    }
    default:
        return 0;
    }
}

// The same for a 16-bit instruction (Unprivileged ISA ch. 26, the CI and CR
// forms with a full rd field that is not also a source).
static u32 rewritable_destination16(u32 half) noexcept
{
    u32 quadrant = half & 3, funct3 = half >> 13;
    if (quadrant == 1 && (funct3 == 0b010 || funct3 == 0b011)) // c.li, c.lui
        return 1;
    if (quadrant == 2 && funct3 == 0b100) // c.mv: bit 12 clear, rs2 nonzero
        return (half & (1u << 12)) == 0 && ((half >> 2) & 31) != 0 ? 1 : 0;
    if (quadrant == 2 && (funct3 == 0b010 || funct3 == 0b011)) // c.lwsp, c.ldsp
        return 1;
    if (quadrant == 2 && funct3 == 0b001) // c.fldsp
        return 2;
    return 0;
}

bool MacroAssembler::retarget_last(u32 from, u32 to, bool fp) noexcept
{
    u32 at = last_instruction_at();
    u32 end = offset();
    // x0 and sp are not valid destinations of every compressed form.
    if (at == no_instruction || at >= end || has_error() || to == 0 || (!fp && to == 2))
        return false;
    Span<const u8> text = code().text();
    u32 half = u32(text[at]) | (u32(text[at + 1]) << 8);
    u32 wanted = fp ? 2 : 1;
    if ((half & 3) == 3) {
        if (at + 4 != end)
            return false;
        u32 word = code().read32(at);
        if (((word >> 7) & 31) != from || rewritable_destination(word) != wanted)
            return false;
        code().write32(at, (word & ~(u32(31) << 7)) | (to << 7));
        return true;
    }
    if (at + 2 != end || ((half >> 7) & 31) != from || rewritable_destination16(half) != wanted)
        return false;
    code().write16(at, u16((half & ~(u32(31) << 7)) | (to << 7)));
    return true;
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
