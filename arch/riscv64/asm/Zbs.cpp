// Zbs: single-bit instructions, RISC-V Bit-Manipulation ISA-extensions
// 1.0.0 §1.7 (bclr, bext, binv, bset and their immediate forms) and §3.

#include <arch/riscv64/asm/Assembler.h>
#include <arch/riscv64/asm/Encoding.h>

namespace k23::riscv64 {

using namespace encoding;

#define K23_ZBS(name, funct3, funct7)                                      \
    void Assembler::name(GpReg rd, GpReg rs1, GpReg rs2) noexcept          \
    {                                                                      \
        if (require(Extension::Zbs))                                       \
            emit_r(Op, funct3, funct7, rd.id(), rs1.id(), rs2.id());       \
    }                                                                      \
    void Assembler::name##i(GpReg rd, GpReg rs1, u32 shamt) noexcept       \
    {                                                                      \
        if (require(Extension::Zbs))                                       \
            emit_shift_imm(OpImm, funct3, funct7 >> 1, rd, rs1, shamt, 64); \
    }
K23_ZBS(bclr, 0b001, 0b0100100)
K23_ZBS(bext, 0b101, 0b0100100)
K23_ZBS(binv, 0b001, 0b0110100)
K23_ZBS(bset, 0b001, 0b0010100)
#undef K23_ZBS

} // namespace k23::riscv64
