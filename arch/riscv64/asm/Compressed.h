#pragma once

// Compressed (C) instruction encodings, Unprivileged ISA (20191213) chapter
// 16 (formats §16.2, opcode map §16.8), and the Assembler's automatic
// selection of a compressed form (try_compress_*), inline here so the base
// encoders (RV64I.cpp, RV64D.cpp) fold it with their constant operands: one
// of the hottest paths of a baseline compile. The c_* methods (RV64C.cpp)
// use the same encoders.

#include <arch/riscv64/asm/Assembler.h>
#include <base/Bits.h>

namespace k23::riscv64 {

namespace compressed {

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

constexpr u16 cldsp(u32 funct3, u32 rd, u32 offset) noexcept
{
    return u16((funct3 << 13) | (bits(offset, 5, 5) << 12) | (rd << 7) | (bits(offset, 4, 3) << 5) | (bits(offset, 8, 6) << 2) | 0b10);
}

constexpr u16 csdsp(u32 funct3, u32 rs2, u32 offset) noexcept
{
    return u16((funct3 << 13) | (bits(offset, 5, 3) << 10) | (bits(offset, 8, 6) << 7) | (rs2 << 2) | 0b10);
}

constexpr u16 cb_branch(u32 funct3, u32 rs1_c, i32 offset) noexcept
{
    u32 u = u32(offset);
    return u16((funct3 << 13) | (bits(u, 8, 8) << 12) | (bits(u, 4, 3) << 10) | (rs1_c << 7) | (bits(u, 7, 6) << 5) | (bits(u, 2, 1) << 3) | (bits(u, 5, 5) << 2) | 0b01);
}

} // namespace compressed

// ---- Automatic selection: emit the compressed form when C is enabled,
// compression is on and the operands fit (the c_* method's checks hold).

[[gnu::always_inline]] inline bool Assembler::try_compress_addi(GpReg rd, GpReg rs1, i32 imm) noexcept
{
    using namespace compressed;
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

inline bool Assembler::try_compress_addiw(GpReg rd, GpReg rs1, i32 imm) noexcept
{
    using namespace compressed;
    if (!can_compress() || rd.is_zero() || rd != rs1 || !fits_signed(imm, 6))
        return false;
    emit16(ci(0b001, 0b01, rd.id(), u32(imm)));
    return true;
}

inline bool Assembler::try_compress_lui(GpReg rd, i32 imm20) noexcept
{
    using namespace compressed;
    if (!can_compress() || rd.is_zero() || rd == sp)
        return false;
    i64 value = sign_extend(u64(u32(imm20)), 20);
    if (value == 0 || !fits_signed(value, 6))
        return false;
    emit16(ci(0b011, 0b01, rd.id(), u32(i32(value))));
    return true;
}

inline bool Assembler::try_compress_andi(GpReg rd, GpReg rs1, i32 imm) noexcept
{
    using namespace compressed;
    if (!can_compress() || rd != rs1 || !rd.is_compressible() || !fits_signed(imm, 6))
        return false;
    emit16(ci(0b100, 0b01, (0b10 << 3) | rd.compressed_id(), u32(imm)));
    return true;
}

inline bool Assembler::try_compress_shift(u32 funct3, bool arithmetic, GpReg rd, GpReg rs1, u32 shamt) noexcept
{
    using namespace compressed;
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

inline bool Assembler::try_compress_op(u32 funct3, u32 funct7, bool word, GpReg rd, GpReg rs1, GpReg rs2) noexcept
{
    using namespace compressed;
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

inline bool Assembler::try_compress_load(u32 funct3, u32 rd, bool fp, GpReg rs1, i32 offset) noexcept
{
    using namespace compressed;
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

inline bool Assembler::try_compress_store(u32 funct3, u32 rs2, bool fp, GpReg rs1, i32 offset) noexcept
{
    using namespace compressed;
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

inline bool Assembler::try_compress_jalr(GpReg rd, GpReg rs1, i32 offset) noexcept
{
    using namespace compressed;
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
