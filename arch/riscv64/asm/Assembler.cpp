// The assembler's core: extension gating, emission, label branches, and the
// multi-instruction sequences (constants, pc-relative addresses).

#include <arch/riscv64/asm/Assembler.h>
#include <arch/riscv64/asm/Encoding.h>
#include <base/Bits.h>

namespace k23::riscv64 {

using namespace encoding;

void Assembler::missing_extension(Extension extension) noexcept
{
    m_code.set_error(Error::formatted(ErrorCode::Unsupported, "instruction needs the {} extension, which is not enabled", extension_name(extension)));
}

void Assembler::immediate_out_of_range(const char* what) noexcept
{
    m_code.set_error(Error::formatted(ErrorCode::OutOfRange, "{} out of range at offset {:#x}", what, offset()));
}

void Assembler::emit_word(u32 word) noexcept
{
    emit32(word);
    m_last_at = no_instruction; // data, not an instruction to retarget
}

void Assembler::align(u32 alignment) noexcept
{
    if (alignment < 2 || (alignment & (alignment - 1)) != 0) {
        m_code.set_error(Error::from_code(ErrorCode::InvalidArgument, "align: not a power of two"));
        return;
    }
    InstructionGroup group(m_code);
    while (!has_error() && (offset() & (alignment - 1)) != 0) {
        if ((offset() & 3) == 2)
            emit16(0x0001); // c.nop; only a C-enabled stream can be 2 mod 4
        else
            emit32(i_type(OpImm, 0, 0, 0, 0));
    }
}

void Assembler::emit_far_jump(GpReg rd, i64 delta) noexcept
{
    // Unprivileged ISA §2.5: auipc + jalr reach any ±2 GiB target.
    if (!check_immediate(fits_pcrel32(delta), "jump target"))
        return;
    GpReg temp = rd.is_zero() ? m_code.options().scratch : rd;
    HiLo parts = split_hi_lo(delta);
    emit32(u_type(Auipc, temp.id(), parts.hi));
    emit32(i_type(encoding::Jalr, rd.id(), 0, temp.id(), parts.lo));
}

void Assembler::branch(BranchCondition condition, GpReg rs1, GpReg rs2, Label label) noexcept
{
    InstructionGroup group(m_code);
    if (!m_code.is_valid_label(label)) {
        m_code.set_error(Error::from_code(ErrorCode::InvalidArgument, "branch to an invalid label"));
        return;
    }
    if (m_code.is_bound(label)) {
        i64 delta = i64(m_code.label_offset(label)) - i64(offset());
        if (can_compress() && rs2.is_zero() && rs1.is_compressible() && fits_signed(delta, 9)
            && (condition == BranchCondition::Eq || condition == BranchCondition::Ne)) {
            if (condition == BranchCondition::Eq)
                c_beqz(rs1, i32(delta));
            else
                c_bnez(rs1, i32(delta));
            return;
        }
        if (fits_signed(delta, 13)) {
            emit32(b_type(u32(condition), rs1.id(), rs2.id(), i32(delta)));
            return;
        }
        if (fits_signed(delta - 4, 21)) {
            emit32(b_type(u32(invert(condition)), rs1.id(), rs2.id(), 8));
            emit32(j_type(0, i32(delta - 4)));
            return;
        }
        emit32(b_type(u32(invert(condition)), rs1.id(), rs2.id(), 12));
        emit_far_jump(zero, delta - 4);
        return;
    }
    u32 at = offset();
    emit32(b_type(u32(condition), rs1.id(), rs2.id(), 0));
    m_code.add_label_fixup(at, label, FixupKind::Branch);
}

void Assembler::jal(GpReg rd, Label label) noexcept
{
    InstructionGroup group(m_code);
    if (!m_code.is_valid_label(label)) {
        m_code.set_error(Error::from_code(ErrorCode::InvalidArgument, "jump to an invalid label"));
        return;
    }
    if (m_code.is_bound(label)) {
        i64 delta = i64(m_code.label_offset(label)) - i64(offset());
        if (rd.is_zero() && can_compress() && fits_signed(delta, 12)) {
            c_j(i32(delta));
            return;
        }
        if (fits_signed(delta, 21)) {
            emit32(j_type(rd.id(), i32(delta)));
            return;
        }
        emit_far_jump(rd, delta);
        return;
    }
    u32 at = offset();
    emit32(j_type(rd.id(), 0));
    m_code.add_label_fixup(at, label, FixupKind::Jal);
}

void Assembler::lea(GpReg rd, Label label) noexcept
{
    InstructionGroup group(m_code);
    u32 at = offset();
    emit32(u_type(Auipc, rd.id(), 0));
    emit32(i_type(OpImm, rd.id(), 0, rd.id(), 0));
    m_code.add_label_fixup(at, label, FixupKind::PcRelPair);
}

namespace {

enum class ConstantStep : u8 {
    AddiFromZero,
    Lui,
    Addiw,
    Addi,
    Slli,
};

struct Step {
    ConstantStep kind;
    i32 imm;
};

// Builds value with lui/addiw (32-bit values) or recursively as
// (value >> shift) << shift + low12. Returns the step count, or limit + 1
// when it does not fit in `limit` steps.
int plan_constant(i64 value, Step* steps, int limit) noexcept
{
    if (limit <= 0)
        return 1;
    if (fits_signed(value, 12)) {
        steps[0] = { ConstantStep::AddiFromZero, i32(value) };
        return 1;
    }
    if (fits_signed(value, 32)) {
        i64 hi = ((value + 0x800) >> 12) & 0xfffff;
        i64 lo = value - sign_extend(u64(hi) << 12, 32);
        lo = sign_extend(u64(lo), 12);
        steps[0] = { ConstantStep::Lui, i32(hi) };
        if (lo == 0)
            return 1;
        if (limit < 2)
            return limit + 1;
        steps[1] = { ConstantStep::Addiw, i32(lo) };
        return 2;
    }
    i64 lo = sign_extend(u64(value) & 0xfff, 12);
    // Modulo 2^64, as the instructions compute (INT64_MAX - (-1) wraps).
    u64 hi = u64(value) - u64(lo);
    unsigned shift = count_trailing_zeros(hi);
    i64 upper = i64(hi) >> shift;
    int n = plan_constant(upper, steps, limit - 1 - (lo != 0 ? 1 : 0));
    if (n > limit - 1 - (lo != 0 ? 1 : 0))
        return limit + 1;
    steps[n++] = { ConstantStep::Slli, i32(shift) };
    if (lo != 0)
        steps[n++] = { ConstantStep::Addi, i32(lo) };
    return n;
}

} // namespace

void Assembler::load_constant(GpReg rd, u64 value) noexcept
{
    // Most constants are one addi (li): no plan, no group around it.
    if (fits_signed(i64(value), 12) && !rd.is_zero()) [[likely]] {
        addi(rd, zero, i32(i64(value)));
        return;
    }
    InstructionGroup group(m_code);
    if (rd.is_zero())
        return;
    constexpr int limit = 4;
    Step steps[limit + 1];
    int n = plan_constant(i64(value), steps, limit);
    if (n <= limit) {
        for (int i = 0; i < n; ++i) {
            switch (steps[i].kind) {
            case ConstantStep::AddiFromZero:
                addi(rd, zero, steps[i].imm);
                break;
            case ConstantStep::Lui:
                lui(rd, steps[i].imm);
                break;
            case ConstantStep::Addiw:
                addiw(rd, rd, steps[i].imm);
                break;
            case ConstantStep::Addi:
                addi(rd, rd, steps[i].imm);
                break;
            case ConstantStep::Slli:
                slli(rd, rd, u32(steps[i].imm));
                break;
            }
        }
        return;
    }
    // Literal pool: auipc rd, %hi(entry); ld rd, %lo(entry)(rd).
    u32 index = m_code.add_pool_constant(value);
    u32 at = offset();
    emit32(u_type(Auipc, rd.id(), 0));
    emit32(i_type(Load, rd.id(), 0b011, rd.id(), 0));
    m_code.add_pool_fixup(at, index);
}

void Assembler::load_fp_constant(FpReg rd, u64 bits, FpWidth width) noexcept
{
    if (!require(width == FpWidth::Double ? Extension::D : Extension::F))
        return;
    InstructionGroup group(m_code);
    GpReg scratch = m_code.options().scratch;
    // A pool entry is 8 bytes, little-endian: flw reads its low 32 bits.
    u32 index = m_code.add_pool_constant(width == FpWidth::Double ? bits : u64(u32(bits)));
    u32 at = offset();
    emit32(u_type(Auipc, scratch.id(), 0));
    emit32(i_type(LoadFp, rd.id(), width == FpWidth::Double ? 0b011 : 0b010, scratch.id(), 0));
    m_code.add_pool_fixup(at, index);
}

} // namespace k23::riscv64
