// C: compressed instructions, Unprivileged ISA (20191213) chapter 16
// "C" Standard Extension: §16.2 formats (CR, CI, CSS, CIW, CL, CS, CA, CB,
// CJ), §16.3 stack-pointer-based loads/stores, §16.4 register-based
// loads/stores, §16.5 control transfer, §16.6 integer computational, §16.7
// c.nop/c.ebreak; opcode map in §16.8 tables 16.5-16.7 (RV64 column).
//
// The c_* methods emit one specific compressed instruction and record an
// error if its operand constraints are not met. The try_compress_* helpers
// are what the base encoders call: they emit the compressed form only when
// C is enabled, compression is on and the operands fit.

#include <arch/riscv64/asm/Assembler.h>
#include <base/Bits.h>

namespace k23::riscv64 {

namespace {

constexpr u16 ci(u32 funct3, u32 op, u32 rd, u32 imm6) noexcept
{
    return u16((funct3 << 13) | (((imm6 >> 5) & 1) << 12) | (rd << 7) | ((imm6 & 0x1f) << 2) | op);
}

constexpr u16 cr(u32 funct4, u32 rd, u32 rs2) noexcept
{
    return u16((funct4 << 12) | (rd << 7) | (rs2 << 2) | 0b10);
}

constexpr u16 ca(u32 funct6, u32 funct2, u32 rd_c, u32 rs2_c) noexcept
{
    return u16((funct6 << 10) | (rd_c << 7) | (funct2 << 5) | (rs2_c << 2) | 0b01);
}

constexpr u32 bits(u32 value, u32 hi, u32 lo) noexcept
{
    return (value >> lo) & ((1u << (hi - lo + 1)) - 1);
}

// CL/CS word layout (c.lw/c.sw): uimm[5:3] 12:10, uimm[2] 6, uimm[6] 5.
constexpr u16 cl_word(u32 funct3, u32 rs1_c, u32 rd_c, u32 offset) noexcept
{
    return u16((funct3 << 13) | (bits(offset, 5, 3) << 10) | (rs1_c << 7) | (bits(offset, 2, 2) << 6) | (bits(offset, 6, 6) << 5) | (rd_c << 2));
}

// CL/CS double layout (c.ld/c.sd/c.fld/c.fsd): uimm[5:3] 12:10, uimm[7:6] 6:5.
constexpr u16 cl_double(u32 funct3, u32 rs1_c, u32 rd_c, u32 offset) noexcept
{
    return u16((funct3 << 13) | (bits(offset, 5, 3) << 10) | (rs1_c << 7) | (bits(offset, 7, 6) << 5) | (rd_c << 2));
}

constexpr bool fits_scaled(u32 offset, u32 scale, u32 limit) noexcept
{
    return offset % scale == 0 && offset < limit;
}

constexpr u16 c_addi16sp_word(u32 u) noexcept
{
    return u16((0b011 << 13) | (bits(u, 9, 9) << 12) | (2 << 7) | (bits(u, 4, 4) << 6) | (bits(u, 6, 6) << 5) | (bits(u, 8, 7) << 3) | (bits(u, 5, 5) << 2) | 0b01);
}

constexpr u16 c_addi4spn_word(u32 rd_c, u32 imm) noexcept
{
    return u16((bits(imm, 5, 4) << 11) | (bits(imm, 9, 6) << 7) | (bits(imm, 2, 2) << 6) | (bits(imm, 3, 3) << 5) | (rd_c << 2));
}

constexpr u16 c_lwsp_word(u32 rd, u32 offset) noexcept
{
    return u16((0b010 << 13) | (bits(offset, 5, 5) << 12) | (rd << 7) | (bits(offset, 4, 2) << 4) | (bits(offset, 7, 6) << 2) | 0b10);
}

constexpr u16 c_swsp_word(u32 rs2, u32 offset) noexcept
{
    return u16((0b110 << 13) | (bits(offset, 5, 2) << 9) | (bits(offset, 7, 6) << 7) | (rs2 << 2) | 0b10);
}

// funct6/funct2 of the CA-format register ops (§16.6).
constexpr u32 ca_sub = 0b100011'00, ca_xor = 0b100011'01, ca_or = 0b100011'10, ca_and = 0b100011'11;
constexpr u32 ca_subw = 0b100111'00, ca_addw = 0b100111'01;

constexpr u16 ca_word(u32 op, u32 rd_c, u32 rs2_c) noexcept
{
    return ca(op >> 2, op & 0b11, rd_c, rs2_c);
}

} // namespace

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

static constexpr u16 cldsp(u32 funct3, u32 rd, u32 offset) noexcept
{
    return u16((funct3 << 13) | (bits(offset, 5, 5) << 12) | (rd << 7) | (bits(offset, 4, 3) << 5) | (bits(offset, 8, 6) << 2) | 0b10);
}

static constexpr u16 csdsp(u32 funct3, u32 rs2, u32 offset) noexcept
{
    return u16((funct3 << 13) | (bits(offset, 5, 3) << 10) | (bits(offset, 8, 6) << 7) | (rs2 << 2) | 0b10);
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

static constexpr u16 cb_branch(u32 funct3, u32 rs1_c, i32 offset) noexcept
{
    u32 u = u32(offset);
    return u16((funct3 << 13) | (bits(u, 8, 8) << 12) | (bits(u, 4, 3) << 10) | (rs1_c << 7) | (bits(u, 7, 6) << 5) | (bits(u, 2, 1) << 3) | (bits(u, 5, 5) << 2) | 0b01);
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

// ---- Automatic selection ----

bool Assembler::try_compress_addi(GpReg rd, GpReg rs1, i32 imm) noexcept
{
    if (!can_compress() || rd.is_zero())
        return false;
    if (imm == 0 && !rs1.is_zero()) { // mv
        emit16(cr(0b1000, rd.id(), rs1.id()));
        return true;
    }
    if (rs1.is_zero() && fits_signed(imm, 6)) {
        emit16(ci(0b010, 0b01, rd.id(), u32(imm)));
        return true;
    }
    if (rd == rs1 && imm != 0 && fits_signed(imm, 6)) {
        emit16(ci(0b000, 0b01, rd.id(), u32(imm)));
        return true;
    }
    if (rd == sp && rs1 == sp && imm != 0 && imm % 16 == 0 && fits_signed(imm, 10)) {
        emit16(c_addi16sp_word(u32(imm)));
        return true;
    }
    if (rs1 == sp && rd.is_compressible() && imm > 0 && imm % 4 == 0 && imm < 1024) {
        emit16(c_addi4spn_word(rd.compressed_id(), u32(imm)));
        return true;
    }
    return false;
}

bool Assembler::try_compress_addiw(GpReg rd, GpReg rs1, i32 imm) noexcept
{
    if (!can_compress() || rd.is_zero() || rd != rs1 || !fits_signed(imm, 6))
        return false;
    emit16(ci(0b001, 0b01, rd.id(), u32(imm)));
    return true;
}

bool Assembler::try_compress_lui(GpReg rd, i32 imm20) noexcept
{
    if (!can_compress() || rd.is_zero() || rd == sp)
        return false;
    i64 value = sign_extend(u64(u32(imm20)), 20);
    if (value == 0 || !fits_signed(value, 6))
        return false;
    emit16(ci(0b011, 0b01, rd.id(), u32(i32(value))));
    return true;
}

bool Assembler::try_compress_andi(GpReg rd, GpReg rs1, i32 imm) noexcept
{
    if (!can_compress() || rd != rs1 || !rd.is_compressible() || !fits_signed(imm, 6))
        return false;
    emit16(ci(0b100, 0b01, (0b10 << 3) | rd.compressed_id(), u32(imm)));
    return true;
}

bool Assembler::try_compress_shift(u32 funct3, bool arithmetic, GpReg rd, GpReg rs1, u32 shamt) noexcept
{
    if (!can_compress() || rd != rs1 || shamt == 0 || shamt >= 64)
        return false;
    if (funct3 == 0b001 && !rd.is_zero()) {
        emit16(ci(0b000, 0b10, rd.id(), shamt));
        return true;
    }
    if (funct3 == 0b101 && rd.is_compressible()) {
        u32 kind = arithmetic ? 0b01 : 0b00; // c.srai : c.srli
        emit16(ci(0b100, 0b01, (kind << 3) | rd.compressed_id(), shamt));
        return true;
    }
    return false;
}

bool Assembler::try_compress_op(u32 funct3, u32 funct7, bool word, GpReg rd, GpReg rs1, GpReg rs2) noexcept
{
    if (!can_compress() || rd.is_zero())
        return false;
    bool commutative = funct7 == 0 && (funct3 == 0b000 || funct3 == 0b100 || funct3 == 0b110 || funct3 == 0b111);
    if (!word && funct3 == 0b000 && funct7 == 0) { // add
        if (rs1.is_zero() && !rs2.is_zero()) {
            emit16(cr(0b1000, rd.id(), rs2.id()));
            return true;
        }
        if (rs2.is_zero() && !rs1.is_zero()) {
            emit16(cr(0b1000, rd.id(), rs1.id()));
            return true;
        }
        if (rd == rs1 && !rs2.is_zero()) {
            emit16(cr(0b1001, rd.id(), rs2.id()));
            return true;
        }
        if (rd == rs2 && !rs1.is_zero()) {
            emit16(cr(0b1001, rd.id(), rs1.id()));
            return true;
        }
        return false;
    }
    GpReg other = rs2;
    if (rd != rs1) {
        if (!commutative || rd != rs2)
            return false;
        other = rs1;
    }
    if (!rd.is_compressible() || !other.is_compressible())
        return false;
    if (word) {
        if (funct3 == 0b000 && funct7 == 0b0100000 && rd == rs1) {
            emit16(ca_word(ca_subw, rd.compressed_id(), other.compressed_id()));
            return true;
        }
        if (funct3 == 0b000 && funct7 == 0) {
            emit16(ca_word(ca_addw, rd.compressed_id(), other.compressed_id()));
            return true;
        }
        return false;
    }
    if (funct3 == 0b000 && funct7 == 0b0100000 && rd == rs1) {
        emit16(ca_word(ca_sub, rd.compressed_id(), other.compressed_id()));
        return true;
    }
    if (funct7 != 0)
        return false;
    switch (funct3) {
    case 0b100:
        emit16(ca_word(ca_xor, rd.compressed_id(), other.compressed_id()));
        return true;
    case 0b110:
        emit16(ca_word(ca_or, rd.compressed_id(), other.compressed_id()));
        return true;
    case 0b111:
        emit16(ca_word(ca_and, rd.compressed_id(), other.compressed_id()));
        return true;
    default:
        return false;
    }
}

bool Assembler::try_compress_load(u32 funct3, u32 rd, bool fp, GpReg rs1, i32 offset) noexcept
{
    if (!can_compress() || offset < 0)
        return false;
    u32 u = u32(offset);
    bool rd_c = rd >= 8 && rd < 16;
    if (fp) {
        if (funct3 != 0b011)
            return false;
        if (rs1 == sp && fits_scaled(u, 8, 512)) {
            c_fldsp(FpReg(u8(rd)), u);
            return true;
        }
        if (rd_c && rs1.is_compressible() && fits_scaled(u, 8, 256)) {
            c_fld(FpReg(u8(rd)), rs1, u);
            return true;
        }
        return false;
    }
    if (rd == 0 || (funct3 != 0b010 && funct3 != 0b011))
        return false;
    bool is_double = funct3 == 0b011;
    if (rs1 == sp) {
        if (is_double && fits_scaled(u, 8, 512)) {
            emit16(cldsp(0b011, rd, u));
            return true;
        }
        if (!is_double && fits_scaled(u, 4, 256)) {
            emit16(c_lwsp_word(rd, u));
            return true;
        }
    }
    if (rd_c && rs1.is_compressible()) {
        if (is_double && fits_scaled(u, 8, 256)) {
            emit16(cl_double(0b011, rs1.compressed_id(), rd - 8, u));
            return true;
        }
        if (!is_double && fits_scaled(u, 4, 128)) {
            emit16(cl_word(0b010, rs1.compressed_id(), rd - 8, u));
            return true;
        }
    }
    return false;
}

bool Assembler::try_compress_store(u32 funct3, u32 rs2, bool fp, GpReg rs1, i32 offset) noexcept
{
    if (!can_compress() || offset < 0)
        return false;
    u32 u = u32(offset);
    bool rs2_c = rs2 >= 8 && rs2 < 16;
    if (fp) {
        if (funct3 != 0b011)
            return false;
        if (rs1 == sp && fits_scaled(u, 8, 512)) {
            c_fsdsp(FpReg(u8(rs2)), u);
            return true;
        }
        if (rs2_c && rs1.is_compressible() && fits_scaled(u, 8, 256)) {
            c_fsd(FpReg(u8(rs2)), rs1, u);
            return true;
        }
        return false;
    }
    if (funct3 != 0b010 && funct3 != 0b011)
        return false;
    bool is_double = funct3 == 0b011;
    if (rs1 == sp) {
        if (is_double && fits_scaled(u, 8, 512)) {
            emit16(csdsp(0b111, rs2, u));
            return true;
        }
        if (!is_double && fits_scaled(u, 4, 256)) {
            emit16(c_swsp_word(rs2, u));
            return true;
        }
    }
    if (rs2_c && rs1.is_compressible()) {
        if (is_double && fits_scaled(u, 8, 256)) {
            emit16(cl_double(0b111, rs1.compressed_id(), rs2 - 8, u));
            return true;
        }
        if (!is_double && fits_scaled(u, 4, 128)) {
            emit16(cl_word(0b110, rs1.compressed_id(), rs2 - 8, u));
            return true;
        }
    }
    return false;
}

bool Assembler::try_compress_jalr(GpReg rd, GpReg rs1, i32 offset) noexcept
{
    if (!can_compress() || offset != 0 || rs1.is_zero())
        return false;
    if (rd.is_zero()) {
        emit16(cr(0b1000, rs1.id(), 0));
        return true;
    }
    if (rd == ra) {
        emit16(cr(0b1001, rs1.id(), 0));
        return true;
    }
    return false;
}

} // namespace k23::riscv64
