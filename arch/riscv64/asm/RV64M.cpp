// M: integer multiplication and division, Unprivileged ISA (20191213)
// chapter 7 "M" Standard Extension: §7.1 (mul/mulh*/mulw, OP/OP-32 with
// funct7 = MULDIV 0000001) and §7.2 (div/rem and their W forms).

#include <arch/riscv64/asm/Assembler.h>
#include <arch/riscv64/asm/Encoding.h>

namespace k23::riscv64 {

using namespace encoding;

#define K23_MULDIV(name, opcode, funct3)                              \
    void Assembler::name(GpReg rd, GpReg rs1, GpReg rs2) noexcept     \
    {                                                                 \
        if (!require(Extension::M))                                   \
            return;                                                   \
        emit_r(opcode, funct3, 0b0000001, rd.id(), rs1.id(), rs2.id()); \
    }
K23_MULDIV(mul, Op, 0b000)
K23_MULDIV(mulh, Op, 0b001)
K23_MULDIV(mulhsu, Op, 0b010)
K23_MULDIV(mulhu, Op, 0b011)
K23_MULDIV(div, Op, 0b100)
K23_MULDIV(divu, Op, 0b101)
K23_MULDIV(rem, Op, 0b110)
K23_MULDIV(remu, Op, 0b111)
K23_MULDIV(mulw, Op32, 0b000)
K23_MULDIV(divw, Op32, 0b100)
K23_MULDIV(divuw, Op32, 0b101)
K23_MULDIV(remw, Op32, 0b110)
K23_MULDIV(remuw, Op32, 0b111)
#undef K23_MULDIV

} // namespace k23::riscv64
