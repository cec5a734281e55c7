// A: atomic instructions, Unprivileged ISA (20191213) chapter 8 "A"
// Standard Extension: §8.2 lr/sc and §8.4 AMOs. Format: funct5 | aq | rl |
// rs2 | rs1 | width (010 = .w, 011 = .d) | rd | AMO (0101111).

#include <arch/riscv64/asm/Assembler.h>
#include <arch/riscv64/asm/Encoding.h>

namespace k23::riscv64 {

using namespace encoding;

void Assembler::emit_amo(Extension extension, u32 funct5, u32 width, GpReg rd, GpReg rs2, GpReg rs1, MemoryOrder order) noexcept
{
    if (!require(extension))
        return;
    emit32(r_type(Amo, rd.id(), width, rs1.id(), rs2.id(), (funct5 << 2) | u32(order)));
}

void Assembler::lr_w(GpReg rd, GpReg rs1, MemoryOrder order) noexcept { emit_amo(Extension::A, 0b00010, 0b010, rd, zero, rs1, order); }
void Assembler::lr_d(GpReg rd, GpReg rs1, MemoryOrder order) noexcept { emit_amo(Extension::A, 0b00010, 0b011, rd, zero, rs1, order); }

#define K23_AMO(name, funct5)                                                                      \
    void Assembler::name##_w(GpReg rd, GpReg rs2, GpReg rs1, MemoryOrder order) noexcept           \
    {                                                                                              \
        emit_amo(Extension::A, funct5, 0b010, rd, rs2, rs1, order);                                \
    }                                                                                              \
    void Assembler::name##_d(GpReg rd, GpReg rs2, GpReg rs1, MemoryOrder order) noexcept           \
    {                                                                                              \
        emit_amo(Extension::A, funct5, 0b011, rd, rs2, rs1, order);                                \
    }
K23_AMO(sc, 0b00011)
K23_AMO(amoswap, 0b00001)
K23_AMO(amoadd, 0b00000)
K23_AMO(amoxor, 0b00100)
K23_AMO(amoand, 0b01100)
K23_AMO(amoor, 0b01000)
K23_AMO(amomin, 0b10000)
K23_AMO(amomax, 0b10100)
K23_AMO(amominu, 0b11000)
K23_AMO(amomaxu, 0b11100)
#undef K23_AMO

} // namespace k23::riscv64
