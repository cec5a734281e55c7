#pragma once

// The scalar floating-point sequences both tiers emit (core spec 2.0 §4.3.3
// floating-point operations, §4.3.4 conversions): jit/baseline/FloatOps.cpp
// picks the registers from its value stack, jit/optimizing/LowerNumeric.cpp
// from its allocation, and both call these, so the two tiers compute the
// same bits.
//
// NaNs: RISC-V arithmetic returns the canonical NaN for every NaN result,
// which is both a canonical and an arithmetic NaN (§4.3.3 "NaN
// propagation"); abs/neg/copysign are sign-bit operations (fsgnj*) and keep
// payloads exactly. fmin/fmax return the non-NaN operand for one NaN, so
// min/max check for NaN first; their -0 < +0 ordering is already wasm's.
// Arithmetic rounds to nearest, ties to even, in the instruction (static
// rm), never through frm.

#include <arch/riscv64/asm/Assembler.h>
#include <wasm/Opcodes.h>

namespace k23::jit::floats {

using riscv64::Assembler;
using riscv64::FpReg;
using riscv64::GpReg;
using riscv64::Label;
using riscv64::RoundingMode;

// f32/f64 add, sub, mul, div, copysign: r = a op b. False for other opcodes.
bool binary(Assembler& a, wasm::Opcode op, FpReg r, FpReg x, FpReg y) noexcept;
// abs, neg, sqrt, f32.demote_f64, f64.promote_f32: r = op x.
bool unary(Assembler& a, wasm::Opcode op, FpReg r, FpReg x) noexcept;
// eq, ne, lt, gt, le, ge: r = 0 or 1.
bool compare(Assembler& a, wasm::Opcode op, GpReg r, FpReg x, FpReg y) noexcept;
// f32/f64.convert_i32/i64_s/u and f32/f64.reinterpret: r = op x.
bool from_integer(Assembler& a, wasm::Opcode op, FpReg r, GpReg x) noexcept;
// i32.reinterpret_f32, i64.reinterpret_f64.
bool to_bits(Assembler& a, wasm::Opcode op, GpReg r, FpReg x) noexcept;

// min/max (§4.3.3 fmin, fmax): a NaN operand gives the canonical NaN
// (x + y). Clobbers s1, s2 (integer scratch).
void min_max(Assembler& a, bool is64, bool is_min, FpReg r, FpReg x, FpReg y, GpReg s1, GpReg s2) noexcept;

// ceil/floor/trunc/nearest (`mode`): through an integer when |x| < 2^52
// (2^23 for f32), keeping the sign (-0.5 -> -0); larger values and
// infinities are integral already, and fmin(x, x) quiets a NaN. Clobbers
// s1, s2 and, only when r == x, `temp`.
void round(Assembler& a, bool is64, RoundingMode mode, FpReg r, FpReg x, GpReg s1, GpReg s2, FpReg temp) noexcept;

// The trapping and saturating truncations (§4.3.4 trunc_s/u, trunc_sat_s/u).
struct Truncation {
    bool from64 { false };
    bool to64 { false };
    bool is_signed { false };
    bool saturating { false };
};
// False for any other opcode.
bool truncation_of(wasm::Opcode op, Truncation& out) noexcept;
// r = trunc(x): trapping, NaN branches to `invalid` ("invalid conversion to
// integer") and a value out of range to `overflow` ("integer overflow";
// fcvt raises the invalid flag exactly when the rounded value does not
// fit); saturating (labels unused), NaN gives 0 and fcvt's saturation is
// the spec's. Clobbers `flag`.
void truncate(Assembler& a, const Truncation& t, GpReg r, FpReg x, GpReg flag, Label invalid, Label overflow) noexcept;

} // namespace k23::jit::floats
