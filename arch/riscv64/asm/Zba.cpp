// Zba: address generation, RISC-V Bit-Manipulation ISA-extensions 1.0.0
// §1.4 "Address generation instructions" (add.uw, shNadd, shNadd.uw,
// slli.uw) and §3 encodings.

#include <arch/riscv64/asm/Assembler.h>
#include <arch/riscv64/asm/Encoding.h>

namespace k23::riscv64 {

using namespace encoding;

#define K23_ZBA(name, opcode, funct3, funct7)                             \
    void Assembler::name(GpReg rd, GpReg rs1, GpReg rs2) noexcept         \
    {                                                                     \
        if (require(Extension::Zba))                                      \
            emit_r(opcode, funct3, funct7, rd.id(), rs1.id(), rs2.id());  \
    }
K23_ZBA(add_uw, Op32, 0b000, 0b0000100)
K23_ZBA(sh1add, Op, 0b010, 0b0010000)
K23_ZBA(sh2add, Op, 0b100, 0b0010000)
K23_ZBA(sh3add, Op, 0b110, 0b0010000)
K23_ZBA(sh1add_uw, Op32, 0b010, 0b0010000)
K23_ZBA(sh2add_uw, Op32, 0b100, 0b0010000)
K23_ZBA(sh3add_uw, Op32, 0b110, 0b0010000)
#undef K23_ZBA

void Assembler::slli_uw(GpReg rd, GpReg rs1, u32 shamt) noexcept
{
    if (require(Extension::Zba))
        emit_shift_imm(OpImm32, 0b001, 0b000010, rd, rs1, shamt, 64);
}

} // namespace k23::riscv64
