#pragma once

// Bit layouts of the 32-bit base instruction formats (Unprivileged ISA
// §2.2 "Base Instruction Formats" and §2.3 "Immediate Encoding Variants")
// and helpers to re-encode an immediate in an already emitted instruction,
// which is how fixups are patched.

#include <base/Integers.h>

namespace k23::riscv64::encoding {

// Major opcodes, Unprivileged ISA chapter 24, table 24.1.
enum Opcode : u32 {
    Load = 0b0000011,
    LoadFp = 0b0000111,
    MiscMem = 0b0001111,
    OpImm = 0b0010011,
    Auipc = 0b0010111,
    OpImm32 = 0b0011011,
    Store = 0b0100011,
    StoreFp = 0b0100111,
    Amo = 0b0101111,
    Op = 0b0110011,
    Lui = 0b0110111,
    Op32 = 0b0111011,
    Madd = 0b1000011,
    Msub = 0b1000111,
    Nmsub = 0b1001011,
    Nmadd = 0b1001111,
    OpFp = 0b1010011,
    OpV = 0b1010111,
    Branch = 0b1100011,
    Jalr = 0b1100111,
    Jal = 0b1101111,
    System = 0b1110011,
};

[[nodiscard]] constexpr u32 r_type(u32 opcode, u32 rd, u32 funct3, u32 rs1, u32 rs2, u32 funct7) noexcept
{
    return opcode | (rd << 7) | (funct3 << 12) | (rs1 << 15) | (rs2 << 20) | (funct7 << 25);
}

[[nodiscard]] constexpr u32 r4_type(u32 opcode, u32 rd, u32 funct3, u32 rs1, u32 rs2, u32 funct2, u32 rs3) noexcept
{
    return opcode | (rd << 7) | (funct3 << 12) | (rs1 << 15) | (rs2 << 20) | (funct2 << 25) | (rs3 << 27);
}

[[nodiscard]] constexpr u32 i_type(u32 opcode, u32 rd, u32 funct3, u32 rs1, i32 imm) noexcept
{
    return opcode | (rd << 7) | (funct3 << 12) | (rs1 << 15) | ((u32(imm) & 0xfff) << 20);
}

[[nodiscard]] constexpr u32 s_type(u32 opcode, u32 funct3, u32 rs1, u32 rs2, i32 imm) noexcept
{
    u32 u = u32(imm);
    return opcode | ((u & 0x1f) << 7) | (funct3 << 12) | (rs1 << 15) | (rs2 << 20) | (((u >> 5) & 0x7f) << 25);
}

// B-type: imm[12|10:5] in 31:25, imm[4:1|11] in 11:7.
[[nodiscard]] constexpr u32 b_imm(i32 imm) noexcept
{
    u32 u = u32(imm);
    return (((u >> 12) & 1) << 31) | (((u >> 5) & 0x3f) << 25) | (((u >> 1) & 0xf) << 8) | (((u >> 11) & 1) << 7);
}

[[nodiscard]] constexpr u32 b_type(u32 funct3, u32 rs1, u32 rs2, i32 imm) noexcept
{
    return Branch | (funct3 << 12) | (rs1 << 15) | (rs2 << 20) | b_imm(imm);
}

[[nodiscard]] constexpr u32 u_type(u32 opcode, u32 rd, i32 imm20) noexcept
{
    return opcode | (rd << 7) | ((u32(imm20) & 0xfffff) << 12);
}

// J-type: imm[20|10:1|11|19:12] in 31:12.
[[nodiscard]] constexpr u32 j_imm(i32 imm) noexcept
{
    u32 u = u32(imm);
    return (((u >> 20) & 1) << 31) | (((u >> 1) & 0x3ff) << 21) | (((u >> 11) & 1) << 20) | (((u >> 12) & 0xff) << 12);
}

[[nodiscard]] constexpr u32 j_type(u32 rd, i32 imm) noexcept
{
    return Jal | (rd << 7) | j_imm(imm);
}

[[nodiscard]] constexpr u32 with_b_imm(u32 word, i32 imm) noexcept { return (word & 0x01fff07fu) | b_imm(imm); }
[[nodiscard]] constexpr u32 with_j_imm(u32 word, i32 imm) noexcept { return (word & 0x00000fffu) | j_imm(imm); }
[[nodiscard]] constexpr u32 with_i_imm(u32 word, i32 imm) noexcept { return (word & 0x000fffffu) | ((u32(imm) & 0xfff) << 20); }
[[nodiscard]] constexpr u32 with_u_imm(u32 word, i32 imm20) noexcept { return (word & 0x00000fffu) | ((u32(imm20) & 0xfffff) << 12); }

// Splits a pc-relative displacement for auipc + a 12-bit signed low part
// (Unprivileged ISA §2.4, AUIPC). hi is the 20-bit auipc immediate.
struct HiLo {
    i32 hi;
    i32 lo;
};
[[nodiscard]] constexpr HiLo split_hi_lo(i64 value) noexcept
{
    i64 hi = (value + 0x800) >> 12;
    i64 lo = value - (hi << 12);
    return { i32(hi), i32(lo) };
}

// Whether value is an auipc + 12-bit reachable displacement.
[[nodiscard]] constexpr bool fits_pcrel32(i64 value) noexcept
{
    return value >= -(i64(1) << 31) - 0x800 && value < (i64(1) << 31) - 0x800;
}

} // namespace k23::riscv64::encoding
