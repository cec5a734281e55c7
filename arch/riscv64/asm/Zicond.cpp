// Zicond: integer conditional operations, RISC-V Zicond 1.0 §2 (czero.eqz,
// czero.nez): R-type, OP opcode, funct7 = 0000111, funct3 101 / 111.

#include <arch/riscv64/asm/Assembler.h>
#include <arch/riscv64/asm/Encoding.h>

namespace k23::riscv64 {

using namespace encoding;

void Assembler::czero_eqz(GpReg rd, GpReg rs1, GpReg rs2) noexcept
{
    if (require(Extension::Zicond))
        emit_r(Op, 0b101, 0b0000111, rd.id(), rs1.id(), rs2.id());
}

void Assembler::czero_nez(GpReg rd, GpReg rs1, GpReg rs2) noexcept
{
    if (require(Extension::Zicond))
        emit_r(Op, 0b111, 0b0000111, rd.id(), rs1.id(), rs2.id());
}

} // namespace k23::riscv64
