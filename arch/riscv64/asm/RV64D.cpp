// D: double-precision floating point, Unprivileged ISA (20191213) chapter
// 12 "D" Standard Extension: §12.3 fld/fsd, §12.4 computational, §12.5
// conversion and move (fcvt.s.d / fcvt.d.s, fmv.x.d / fmv.d.x in RV64),
// §12.6 compare, §12.7 fclass. fmt = D (01).

#include <arch/riscv64/asm/Compressed.h>
#include <arch/riscv64/asm/FloatCommon.h>

namespace k23::riscv64 {

using namespace encoding;

K23_DEFINE_FP(d, 0b01, Extension::D)

void Assembler::fld(FpReg rd, GpReg rs1, i32 offset) noexcept
{
    if (!require(Extension::D))
        return;
    if (try_compress_load(0b011, rd.id(), true, rs1, offset))
        return;
    emit_i(LoadFp, 0b011, rd.id(), rs1.id(), offset);
}

void Assembler::fsd(FpReg rs2, GpReg rs1, i32 offset) noexcept
{
    if (!require(Extension::D))
        return;
    if (try_compress_store(0b011, rs2.id(), true, rs1, offset))
        return;
    emit_s(StoreFp, 0b011, rs1.id(), rs2.id(), offset);
}

void Assembler::fmv_x_d(GpReg rd, FpReg rs1) noexcept
{
    if (require(Extension::D))
        emit_fp_r(0b01, 0b11100, 0b000, rd.id(), rs1.id(), 0);
}

void Assembler::fmv_d_x(FpReg rd, GpReg rs1) noexcept
{
    if (require(Extension::D))
        emit_fp_r(0b01, 0b11110, 0b000, rd.id(), rs1.id(), 0);
}

// §12.5: FCVT.S.D is fmt S with rs2 = 1 (source D); FCVT.D.S is fmt D, rs2 = 0.
void Assembler::fcvt_s_d(FpReg rd, FpReg rs1, RoundingMode rm) noexcept
{
    if (require(Extension::D))
        emit_fp_r(0b00, 0b01000, u32(rm), rd.id(), rs1.id(), 1);
}

// Widening is exact: rm is encoded as 000, as for fcvt.d.w.
void Assembler::fcvt_d_s(FpReg rd, FpReg rs1, RoundingMode) noexcept
{
    if (require(Extension::D))
        emit_fp_r(0b01, 0b01000, 0b000, rd.id(), rs1.id(), 0);
}

} // namespace k23::riscv64
