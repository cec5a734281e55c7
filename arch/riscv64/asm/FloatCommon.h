#pragma once

// The F and D encoders share one shape that differs only in the fmt field
// (Unprivileged ISA §11.1-§11.7 for F, §12.2-§12.6 for D; fmt S = 00,
// D = 01, §12.2). RV64F.cpp and RV64D.cpp instantiate it per precision.

#include <arch/riscv64/asm/Assembler.h>
#include <arch/riscv64/asm/Encoding.h>

// fmt: 0 for S, 1 for D; ext: Extension::F or Extension::D.
// fcvt.d.w and fcvt.d.wu are exact, so their rm field is always encoded as
// 000 (what assemblers emit and LLVM 16 decodes), whatever rm is passed.
#define K23_DEFINE_FP(s, fmt, ext)                                                                          \
    void Assembler::fadd_##s(FpReg rd, FpReg rs1, FpReg rs2, RoundingMode rm) noexcept                       \
    {                                                                                                       \
        if (require(ext))                                                                                   \
            emit_fp_r(fmt, 0b00000, u32(rm), rd.id(), rs1.id(), rs2.id());                                 \
    }                                                                                                       \
    void Assembler::fsub_##s(FpReg rd, FpReg rs1, FpReg rs2, RoundingMode rm) noexcept                       \
    {                                                                                                       \
        if (require(ext))                                                                                   \
            emit_fp_r(fmt, 0b00001, u32(rm), rd.id(), rs1.id(), rs2.id());                                 \
    }                                                                                                       \
    void Assembler::fmul_##s(FpReg rd, FpReg rs1, FpReg rs2, RoundingMode rm) noexcept                       \
    {                                                                                                       \
        if (require(ext))                                                                                   \
            emit_fp_r(fmt, 0b00010, u32(rm), rd.id(), rs1.id(), rs2.id());                                 \
    }                                                                                                       \
    void Assembler::fdiv_##s(FpReg rd, FpReg rs1, FpReg rs2, RoundingMode rm) noexcept                       \
    {                                                                                                       \
        if (require(ext))                                                                                   \
            emit_fp_r(fmt, 0b00011, u32(rm), rd.id(), rs1.id(), rs2.id());                                 \
    }                                                                                                       \
    void Assembler::fsqrt_##s(FpReg rd, FpReg rs1, RoundingMode rm) noexcept                                 \
    {                                                                                                       \
        if (require(ext))                                                                                   \
            emit_fp_r(fmt, 0b01011, u32(rm), rd.id(), rs1.id(), 0);                                        \
    }                                                                                                       \
    void Assembler::fsgnj_##s(FpReg rd, FpReg rs1, FpReg rs2) noexcept                                       \
    {                                                                                                       \
        if (require(ext))                                                                                   \
            emit_fp_r(fmt, 0b00100, 0b000, rd.id(), rs1.id(), rs2.id());                                   \
    }                                                                                                       \
    void Assembler::fsgnjn_##s(FpReg rd, FpReg rs1, FpReg rs2) noexcept                                      \
    {                                                                                                       \
        if (require(ext))                                                                                   \
            emit_fp_r(fmt, 0b00100, 0b001, rd.id(), rs1.id(), rs2.id());                                   \
    }                                                                                                       \
    void Assembler::fsgnjx_##s(FpReg rd, FpReg rs1, FpReg rs2) noexcept                                      \
    {                                                                                                       \
        if (require(ext))                                                                                   \
            emit_fp_r(fmt, 0b00100, 0b010, rd.id(), rs1.id(), rs2.id());                                   \
    }                                                                                                       \
    void Assembler::fmin_##s(FpReg rd, FpReg rs1, FpReg rs2) noexcept                                        \
    {                                                                                                       \
        if (require(ext))                                                                                   \
            emit_fp_r(fmt, 0b00101, 0b000, rd.id(), rs1.id(), rs2.id());                                   \
    }                                                                                                       \
    void Assembler::fmax_##s(FpReg rd, FpReg rs1, FpReg rs2) noexcept                                        \
    {                                                                                                       \
        if (require(ext))                                                                                   \
            emit_fp_r(fmt, 0b00101, 0b001, rd.id(), rs1.id(), rs2.id());                                   \
    }                                                                                                       \
    void Assembler::fmadd_##s(FpReg rd, FpReg rs1, FpReg rs2, FpReg rs3, RoundingMode rm) noexcept           \
    {                                                                                                       \
        if (require(ext))                                                                                   \
            emit_fp_r4(encoding::Madd, fmt, u32(rm), rd, rs1, rs2, rs3);                                    \
    }                                                                                                       \
    void Assembler::fmsub_##s(FpReg rd, FpReg rs1, FpReg rs2, FpReg rs3, RoundingMode rm) noexcept           \
    {                                                                                                       \
        if (require(ext))                                                                                   \
            emit_fp_r4(encoding::Msub, fmt, u32(rm), rd, rs1, rs2, rs3);                                    \
    }                                                                                                       \
    void Assembler::fnmsub_##s(FpReg rd, FpReg rs1, FpReg rs2, FpReg rs3, RoundingMode rm) noexcept          \
    {                                                                                                       \
        if (require(ext))                                                                                   \
            emit_fp_r4(encoding::Nmsub, fmt, u32(rm), rd, rs1, rs2, rs3);                                   \
    }                                                                                                       \
    void Assembler::fnmadd_##s(FpReg rd, FpReg rs1, FpReg rs2, FpReg rs3, RoundingMode rm) noexcept          \
    {                                                                                                       \
        if (require(ext))                                                                                   \
            emit_fp_r4(encoding::Nmadd, fmt, u32(rm), rd, rs1, rs2, rs3);                                   \
    }                                                                                                       \
    void Assembler::feq_##s(GpReg rd, FpReg rs1, FpReg rs2) noexcept                                         \
    {                                                                                                       \
        if (require(ext))                                                                                   \
            emit_fp_r(fmt, 0b10100, 0b010, rd.id(), rs1.id(), rs2.id());                                   \
    }                                                                                                       \
    void Assembler::flt_##s(GpReg rd, FpReg rs1, FpReg rs2) noexcept                                         \
    {                                                                                                       \
        if (require(ext))                                                                                   \
            emit_fp_r(fmt, 0b10100, 0b001, rd.id(), rs1.id(), rs2.id());                                   \
    }                                                                                                       \
    void Assembler::fle_##s(GpReg rd, FpReg rs1, FpReg rs2) noexcept                                         \
    {                                                                                                       \
        if (require(ext))                                                                                   \
            emit_fp_r(fmt, 0b10100, 0b000, rd.id(), rs1.id(), rs2.id());                                   \
    }                                                                                                       \
    void Assembler::fclass_##s(GpReg rd, FpReg rs1) noexcept                                                 \
    {                                                                                                       \
        if (require(ext))                                                                                   \
            emit_fp_r(fmt, 0b11100, 0b001, rd.id(), rs1.id(), 0);                                          \
    }                                                                                                       \
    void Assembler::fcvt_w_##s(GpReg rd, FpReg rs1, RoundingMode rm) noexcept                                \
    {                                                                                                       \
        if (require(ext))                                                                                   \
            emit_fp_r(fmt, 0b11000, u32(rm), rd.id(), rs1.id(), 0);                                        \
    }                                                                                                       \
    void Assembler::fcvt_wu_##s(GpReg rd, FpReg rs1, RoundingMode rm) noexcept                               \
    {                                                                                                       \
        if (require(ext))                                                                                   \
            emit_fp_r(fmt, 0b11000, u32(rm), rd.id(), rs1.id(), 1);                                        \
    }                                                                                                       \
    void Assembler::fcvt_l_##s(GpReg rd, FpReg rs1, RoundingMode rm) noexcept                                \
    {                                                                                                       \
        if (require(ext))                                                                                   \
            emit_fp_r(fmt, 0b11000, u32(rm), rd.id(), rs1.id(), 2);                                        \
    }                                                                                                       \
    void Assembler::fcvt_lu_##s(GpReg rd, FpReg rs1, RoundingMode rm) noexcept                               \
    {                                                                                                       \
        if (require(ext))                                                                                   \
            emit_fp_r(fmt, 0b11000, u32(rm), rd.id(), rs1.id(), 3);                                        \
    }                                                                                                       \
    void Assembler::fcvt_##s##_w(FpReg rd, GpReg rs1, RoundingMode rm) noexcept                              \
    {                                                                                                       \
        if (require(ext))                                                                                   \
            emit_fp_r(fmt, 0b11010, fmt == 0b01 ? 0u : u32(rm), rd.id(), rs1.id(), 0);                                        \
    }                                                                                                       \
    void Assembler::fcvt_##s##_wu(FpReg rd, GpReg rs1, RoundingMode rm) noexcept                             \
    {                                                                                                       \
        if (require(ext))                                                                                   \
            emit_fp_r(fmt, 0b11010, fmt == 0b01 ? 0u : u32(rm), rd.id(), rs1.id(), 1);                                        \
    }                                                                                                       \
    void Assembler::fcvt_##s##_l(FpReg rd, GpReg rs1, RoundingMode rm) noexcept                              \
    {                                                                                                       \
        if (require(ext))                                                                                   \
            emit_fp_r(fmt, 0b11010, u32(rm), rd.id(), rs1.id(), 2);                                        \
    }                                                                                                       \
    void Assembler::fcvt_##s##_lu(FpReg rd, GpReg rs1, RoundingMode rm) noexcept                             \
    {                                                                                                       \
        if (require(ext))                                                                                   \
            emit_fp_r(fmt, 0b11010, u32(rm), rd.id(), rs1.id(), 3);                                        \
    }
