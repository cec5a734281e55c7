// Zbb: basic bit manipulation, RISC-V Bit-Manipulation ISA-extensions
// 1.0.0 §1.5 (logical with negate, count leading/trailing zeros, popcount,
// min/max, sign/zero extension, rotations, orc.b, rev8) and §3 encodings.

#include <arch/riscv64/asm/Assembler.h>
#include <arch/riscv64/asm/Encoding.h>

namespace k23::riscv64 {

using namespace encoding;

#define K23_ZBB_R(name, opcode, funct3, funct7)                           \
    void Assembler::name(GpReg rd, GpReg rs1, GpReg rs2) noexcept         \
    {                                                                     \
        if (require(Extension::Zbb))                                      \
            emit_r(opcode, funct3, funct7, rd.id(), rs1.id(), rs2.id());  \
    }
K23_ZBB_R(andn, Op, 0b111, 0b0100000)
K23_ZBB_R(orn, Op, 0b110, 0b0100000)
K23_ZBB_R(xnor, Op, 0b100, 0b0100000)
K23_ZBB_R(max, Op, 0b110, 0b0000101)
K23_ZBB_R(maxu, Op, 0b111, 0b0000101)
K23_ZBB_R(min, Op, 0b100, 0b0000101)
K23_ZBB_R(minu, Op, 0b101, 0b0000101)
K23_ZBB_R(rol, Op, 0b001, 0b0110000)
K23_ZBB_R(rolw, Op32, 0b001, 0b0110000)
K23_ZBB_R(ror, Op, 0b101, 0b0110000)
K23_ZBB_R(rorw, Op32, 0b101, 0b0110000)
#undef K23_ZBB_R

// Unary forms: the rs2 field selects the operation.
#define K23_ZBB_UNARY(name, opcode, funct3, funct7, selector)              \
    void Assembler::name(GpReg rd, GpReg rs1) noexcept                     \
    {                                                                      \
        if (require(Extension::Zbb))                                       \
            emit_r(opcode, funct3, funct7, rd.id(), rs1.id(), selector);   \
    }
K23_ZBB_UNARY(clz, OpImm, 0b001, 0b0110000, 0b00000)
K23_ZBB_UNARY(ctz, OpImm, 0b001, 0b0110000, 0b00001)
K23_ZBB_UNARY(cpop, OpImm, 0b001, 0b0110000, 0b00010)
K23_ZBB_UNARY(clzw, OpImm32, 0b001, 0b0110000, 0b00000)
K23_ZBB_UNARY(ctzw, OpImm32, 0b001, 0b0110000, 0b00001)
K23_ZBB_UNARY(cpopw, OpImm32, 0b001, 0b0110000, 0b00010)
K23_ZBB_UNARY(sext_b, OpImm, 0b001, 0b0110000, 0b00100)
K23_ZBB_UNARY(sext_h, OpImm, 0b001, 0b0110000, 0b00101)
K23_ZBB_UNARY(zext_h, Op32, 0b100, 0b0000100, 0b00000)
// orc.b: imm12 = 0x287; rev8 (RV64): imm12 = 0x6b8.
K23_ZBB_UNARY(orc_b, OpImm, 0b101, 0b0010100, 0b00111)
K23_ZBB_UNARY(rev8, OpImm, 0b101, 0b0110101, 0b11000)
#undef K23_ZBB_UNARY

void Assembler::rori(GpReg rd, GpReg rs1, u32 shamt) noexcept
{
    if (require(Extension::Zbb))
        emit_shift_imm(OpImm, 0b101, 0b011000, rd, rs1, shamt, 64);
}

void Assembler::roriw(GpReg rd, GpReg rs1, u32 shamt) noexcept
{
    if (require(Extension::Zbb))
        emit_shift_imm(OpImm32, 0b101, 0b011000, rd, rs1, shamt, 32);
}

} // namespace k23::riscv64
