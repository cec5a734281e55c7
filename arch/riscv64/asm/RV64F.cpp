// F: single-precision floating point, Unprivileged ISA (20191213) chapter
// 11 "F" Standard Extension: §11.5 flw/fsw, §11.6 computational (OP-FP and
// the fused multiply-add major opcodes, rounding mode in funct3, §11.2
// table 11.1), §11.7 conversion and move (fcvt, fsgnj, fmv.x.w/fmv.w.x),
// §11.8 compare, §11.9 fclass; RV64 additions (fcvt.l[u].s) in §11.7.

#include <arch/riscv64/asm/FloatCommon.h>

namespace k23::riscv64 {

using namespace encoding;

void Assembler::emit_fp_r(u32 fmt, u32 funct5, u32 rm, u32 rd, u32 rs1, u32 rs2) noexcept
{
    emit32(r_type(OpFp, rd, rm, rs1, rs2, (funct5 << 2) | fmt));
}

void Assembler::emit_fp_r4(u32 opcode, u32 fmt, u32 rm, FpReg rd, FpReg rs1, FpReg rs2, FpReg rs3) noexcept
{
    emit32(r4_type(opcode, rd.id(), rm, rs1.id(), rs2.id(), fmt, rs3.id()));
}

K23_DEFINE_FP(s, 0b00, Extension::F)

void Assembler::flw(FpReg rd, GpReg rs1, i32 offset) noexcept
{
    if (require(Extension::F))
        emit_i(LoadFp, 0b010, rd.id(), rs1.id(), offset);
}

void Assembler::fsw(FpReg rs2, GpReg rs1, i32 offset) noexcept
{
    if (require(Extension::F))
        emit_s(StoreFp, 0b010, rs1.id(), rs2.id(), offset);
}

void Assembler::fmv_x_w(GpReg rd, FpReg rs1) noexcept
{
    if (require(Extension::F))
        emit_fp_r(0b00, 0b11100, 0b000, rd.id(), rs1.id(), 0);
}

void Assembler::fmv_w_x(FpReg rd, GpReg rs1) noexcept
{
    if (require(Extension::F))
        emit_fp_r(0b00, 0b11110, 0b000, rd.id(), rs1.id(), 0);
}

} // namespace k23::riscv64
