// C: compressed instructions, Unprivileged ISA (20191213) chapter 16
// "C" Standard Extension: §16.2 formats (CR, CI, CSS, CIW, CL, CS, CA, CB,
// CJ), §16.3 stack-pointer-based loads/stores, §16.4 register-based
// loads/stores, §16.5 control transfer, §16.6 integer computational, §16.7
// c.nop/c.ebreak; opcode map in §16.8 tables 16.5-16.7 (RV64 column).
//
// The c_* methods emit one specific compressed instruction and record an
// error if its operand constraints are not met. The try_compress_* helpers
// (Compressed.h, with the encoders) are what the base encoders call: they
// emit the compressed form only when C is enabled, compression is on and
// the operands fit.

#include <arch/riscv64/asm/Assembler.h>
#include <arch/riscv64/asm/Compressed.h>
#include <base/Bits.h>

namespace k23::riscv64 {

using namespace compressed;

#define K23_REQUIRE_C()                \
    if (!require(Extension::C))        \
        return;

void Assembler::c_nop() noexcept
{
    K23_REQUIRE_C();
    emit16(0x0001);
}

void Assembler::c_addi(GpReg rd, i32 imm) noexcept
{
    K23_REQUIRE_C();
    if (!check_immediate(!rd.is_zero() && imm != 0 && fits_signed(imm, 6), "c.addi operands"))
        return;
    emit16(ci(0b000, 0b01, rd.id(), u32(imm)));
}

void Assembler::c_addiw(GpReg rd, i32 imm) noexcept
{
    K23_REQUIRE_C();
    if (!check_immediate(!rd.is_zero() && fits_signed(imm, 6), "c.addiw operands"))
        return;
    emit16(ci(0b001, 0b01, rd.id(), u32(imm)));
}

void Assembler::c_li(GpReg rd, i32 imm) noexcept
{
    K23_REQUIRE_C();
    if (!check_immediate(!rd.is_zero() && fits_signed(imm, 6), "c.li operands"))
        return;
    emit16(ci(0b010, 0b01, rd.id(), u32(imm)));
}

// imm6 is nzimm[17:12], i.e. the lui immediate, sign-extended from 6 bits.
void Assembler::c_lui(GpReg rd, i32 imm6) noexcept
{
    K23_REQUIRE_C();
    if (!check_immediate(!rd.is_zero() && rd != sp && imm6 != 0 && fits_signed(imm6, 6), "c.lui operands"))
        return;
    emit16(ci(0b011, 0b01, rd.id(), u32(imm6)));
}

void Assembler::c_addi16sp(i32 imm) noexcept
{
    K23_REQUIRE_C();
    if (!check_immediate(imm != 0 && imm % 16 == 0 && fits_signed(imm, 10), "c.addi16sp immediate"))
        return;
    emit16(c_addi16sp_word(u32(imm)));
}

void Assembler::c_addi4spn(GpReg rd, u32 imm) noexcept
{
    K23_REQUIRE_C();
    if (!check_immediate(rd.is_compressible() && imm != 0 && fits_scaled(imm, 4, 1024), "c.addi4spn operands"))
        return;
    emit16(c_addi4spn_word(rd.compressed_id(), imm));
}

void Assembler::c_slli(GpReg rd, u32 shamt) noexcept
{
    K23_REQUIRE_C();
    if (!check_immediate(!rd.is_zero() && shamt != 0 && shamt < 64, "c.slli operands"))
        return;
    emit16(ci(0b000, 0b10, rd.id(), shamt));
}

void Assembler::c_srli(GpReg rd, u32 shamt) noexcept
{
    K23_REQUIRE_C();
    if (!check_immediate(rd.is_compressible() && shamt != 0 && shamt < 64, "c.srli operands"))
        return;
    emit16(ci(0b100, 0b01, (0b00 << 3) | rd.compressed_id(), shamt));
}

void Assembler::c_srai(GpReg rd, u32 shamt) noexcept
{
    K23_REQUIRE_C();
    if (!check_immediate(rd.is_compressible() && shamt != 0 && shamt < 64, "c.srai operands"))
        return;
    emit16(ci(0b100, 0b01, (0b01 << 3) | rd.compressed_id(), shamt));
}

void Assembler::c_andi(GpReg rd, i32 imm) noexcept
{
    K23_REQUIRE_C();
    if (!check_immediate(rd.is_compressible() && fits_signed(imm, 6), "c.andi operands"))
        return;
    emit16(ci(0b100, 0b01, (0b10 << 3) | rd.compressed_id(), u32(imm)));
}

void Assembler::c_mv(GpReg rd, GpReg rs2) noexcept
{
    K23_REQUIRE_C();
    if (!check_immediate(!rd.is_zero() && !rs2.is_zero(), "c.mv registers"))
        return;
    emit16(cr(0b1000, rd.id(), rs2.id()));
}

void Assembler::c_add(GpReg rd, GpReg rs2) noexcept
{
    K23_REQUIRE_C();
    if (!check_immediate(!rd.is_zero() && !rs2.is_zero(), "c.add registers"))
        return;
    emit16(cr(0b1001, rd.id(), rs2.id()));
}

#define K23_CA(name, funct6, funct2)                                                       \
    void Assembler::name(GpReg rd, GpReg rs2) noexcept                                     \
    {                                                                                      \
        K23_REQUIRE_C();                                                                   \
        if (!check_immediate(rd.is_compressible() && rs2.is_compressible(), #name " registers")) \
            return;                                                                        \
        emit16(ca(funct6, funct2, rd.compressed_id(), rs2.compressed_id()));               \
    }
K23_CA(c_sub, ca_sub >> 2, ca_sub & 0b11)
K23_CA(c_xor, ca_xor >> 2, ca_xor & 0b11)
K23_CA(c_or, ca_or >> 2, ca_or & 0b11)
K23_CA(c_and, ca_and >> 2, ca_and & 0b11)
K23_CA(c_subw, ca_subw >> 2, ca_subw & 0b11)
K23_CA(c_addw, ca_addw >> 2, ca_addw & 0b11)
#undef K23_CA

void Assembler::c_lw(GpReg rd, GpReg rs1, u32 offset) noexcept
{
    K23_REQUIRE_C();
    if (!check_immediate(rd.is_compressible() && rs1.is_compressible() && fits_scaled(offset, 4, 128), "c.lw operands"))
        return;
    emit16(cl_word(0b010, rs1.compressed_id(), rd.compressed_id(), offset));
}

void Assembler::c_sw(GpReg rs2, GpReg rs1, u32 offset) noexcept
{
    K23_REQUIRE_C();
    if (!check_immediate(rs2.is_compressible() && rs1.is_compressible() && fits_scaled(offset, 4, 128), "c.sw operands"))
        return;
    emit16(cl_word(0b110, rs1.compressed_id(), rs2.compressed_id(), offset));
}

void Assembler::c_ld(GpReg rd, GpReg rs1, u32 offset) noexcept
{
    K23_REQUIRE_C();
    if (!check_immediate(rd.is_compressible() && rs1.is_compressible() && fits_scaled(offset, 8, 256), "c.ld operands"))
        return;
    emit16(cl_double(0b011, rs1.compressed_id(), rd.compressed_id(), offset));
}

void Assembler::c_sd(GpReg rs2, GpReg rs1, u32 offset) noexcept
{
    K23_REQUIRE_C();
    if (!check_immediate(rs2.is_compressible() && rs1.is_compressible() && fits_scaled(offset, 8, 256), "c.sd operands"))
        return;
    emit16(cl_double(0b111, rs1.compressed_id(), rs2.compressed_id(), offset));
}

void Assembler::c_fld(FpReg rd, GpReg rs1, u32 offset) noexcept
{
    K23_REQUIRE_C();
    if (!require(Extension::D))
        return;
    if (!check_immediate(rd.is_compressible() && rs1.is_compressible() && fits_scaled(offset, 8, 256), "c.fld operands"))
        return;
    emit16(cl_double(0b001, rs1.compressed_id(), rd.compressed_id(), offset));
}

void Assembler::c_fsd(FpReg rs2, GpReg rs1, u32 offset) noexcept
{
    K23_REQUIRE_C();
    if (!require(Extension::D))
        return;
    if (!check_immediate(rs2.is_compressible() && rs1.is_compressible() && fits_scaled(offset, 8, 256), "c.fsd operands"))
        return;
    emit16(cl_double(0b101, rs1.compressed_id(), rs2.compressed_id(), offset));
}

void Assembler::c_lwsp(GpReg rd, u32 offset) noexcept
{
    K23_REQUIRE_C();
    if (!check_immediate(!rd.is_zero() && fits_scaled(offset, 4, 256), "c.lwsp operands"))
        return;
    emit16(c_lwsp_word(rd.id(), offset));
}

void Assembler::c_ldsp(GpReg rd, u32 offset) noexcept
{
    K23_REQUIRE_C();
    if (!check_immediate(!rd.is_zero() && fits_scaled(offset, 8, 512), "c.ldsp operands"))
        return;
    emit16(cldsp(0b011, rd.id(), offset));
}

void Assembler::c_fldsp(FpReg rd, u32 offset) noexcept
{
    K23_REQUIRE_C();
    if (!require(Extension::D))
        return;
    if (!check_immediate(fits_scaled(offset, 8, 512), "c.fldsp offset"))
        return;
    emit16(cldsp(0b001, rd.id(), offset));
}

void Assembler::c_swsp(GpReg rs2, u32 offset) noexcept
{
    K23_REQUIRE_C();
    if (!check_immediate(fits_scaled(offset, 4, 256), "c.swsp offset"))
        return;
    emit16(c_swsp_word(rs2.id(), offset));
}

void Assembler::c_sdsp(GpReg rs2, u32 offset) noexcept
{
    K23_REQUIRE_C();
    if (!check_immediate(fits_scaled(offset, 8, 512), "c.sdsp offset"))
        return;
    emit16(csdsp(0b111, rs2.id(), offset));
}

void Assembler::c_fsdsp(FpReg rs2, u32 offset) noexcept
{
    K23_REQUIRE_C();
    if (!require(Extension::D))
        return;
    if (!check_immediate(fits_scaled(offset, 8, 512), "c.fsdsp offset"))
        return;
    emit16(csdsp(0b101, rs2.id(), offset));
}

// CJ: imm[11|4|9:8|10|6|7|3:1|5] in bits 12:2.
void Assembler::c_j(i32 offset) noexcept
{
    K23_REQUIRE_C();
    if (!check_immediate(fits_signed(offset, 12) && (offset & 1) == 0, "c.j offset"))
        return;
    u32 u = u32(offset);
    emit16(u16((0b101 << 13) | (bits(u, 11, 11) << 12) | (bits(u, 4, 4) << 11) | (bits(u, 9, 8) << 9) | (bits(u, 10, 10) << 8) | (bits(u, 6, 6) << 7) | (bits(u, 7, 7) << 6) | (bits(u, 3, 1) << 3) | (bits(u, 5, 5) << 2) | 0b01));
}

void Assembler::c_jr(GpReg rs1) noexcept
{
    K23_REQUIRE_C();
    if (!check_immediate(!rs1.is_zero(), "c.jr register"))
        return;
    emit16(cr(0b1000, rs1.id(), 0));
}

void Assembler::c_jalr(GpReg rs1) noexcept
{
    K23_REQUIRE_C();
    if (!check_immediate(!rs1.is_zero(), "c.jalr register"))
        return;
    emit16(cr(0b1001, rs1.id(), 0));
}

void Assembler::c_beqz(GpReg rs1, i32 offset) noexcept
{
    K23_REQUIRE_C();
    if (!check_immediate(rs1.is_compressible() && fits_signed(offset, 9) && (offset & 1) == 0, "c.beqz operands"))
        return;
    emit16(cb_branch(0b110, rs1.compressed_id(), offset));
}

void Assembler::c_bnez(GpReg rs1, i32 offset) noexcept
{
    K23_REQUIRE_C();
    if (!check_immediate(rs1.is_compressible() && fits_signed(offset, 9) && (offset & 1) == 0, "c.bnez operands"))
        return;
    emit16(cb_branch(0b111, rs1.compressed_id(), offset));
}

void Assembler::c_ebreak() noexcept
{
    K23_REQUIRE_C();
    emit16(cr(0b1001, 0, 0));
}

#undef K23_REQUIRE_C

} // namespace k23::riscv64
