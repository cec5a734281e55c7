#pragma once

// WebAssembly SIMD without the V extension (the scalar path): the
// lane semantics of every SIMD and relaxed-SIMD opcode (core spec 2.0
// §4.3.2 "Vector Operations", §4.4.3; the relaxed-simd proposal) in
// portable C++. The baseline tier calls it from functions compiled for a
// hart without V; there every v128 lives in its 16-byte frame slot (jit/Abi.h
// "wide frames") and only pointers to slots reach this helper. It is also the
// reference the lowering tests compare RVV code against.
//
// One entry point, dispatched on the opcode (wasm::Opcode as u32):
//
//   u64 k23_simd_scalar(op, dst, a, b, c, imm, imm2)
//
//   v128 -> v128 ops      a, b, c = the operands in signature order (a is the
//                         deepest on the value stack); dst = the 16-byte
//                         result. dst may alias any operand.
//   shifts                a = the vector, imm = the i32 count (unmasked).
//   splat                 imm = the scalar's bits (i32 sign-extended, i64,
//                         f32 bits in the low 32, f64 bits).
//   extract_lane          a = the vector, imm = the lane; returns the value:
//                         i8/i16/i32 lanes sign- or zero-extended to 32 bits
//                         as the opcode says, then sign-extended to 64 (the
//                         RV64 form of an i32); i64 as is; f32 bits in the
//                         low 32 (upper 32 zero), f64 bits.
//   replace_lane          a = the vector, imm = the lane, imm2 = the scalar's
//                         bits (as for splat).
//   i8x16.shuffle         a, b; imm = lane indices 0..7 (byte i = index of
//                         result lane i), imm2 = indices of lanes 8..15.
//   any_true, all_true,   a = the vector; returns the i32 result
//   bitmask               (sign-extended to 64).
//   v128.load* (all the   a = host address of the accessed bytes (any
//   load forms)           alignment; bounds already checked); dst = result.
//   load lane             a = host address, b = the vector, imm = the lane.
//   store lane            dst = host address of the lane, a = the vector,
//                         imm = the lane.
//   v128.store            dst = host address, a = the vector.
//
// Float results: NaN results are the canonical NaN (positive, quiet, zero
// payload) where the spec gives a choice, so the outcome does not depend on
// the host's FPU; abs, neg, copysign-like bit ops and pmin/pmax keep payloads
// exactly (they are bit or selection operations in the spec).
//
// Relaxed SIMD picks one deterministic behaviour per instruction; the RVV
// lowering (jit/baseline/SimdOps.cpp) and this file agree:
//   i8x16.relaxed_swizzle            = i8x16.swizzle (index >= 16 -> 0)
//   i32x4.relaxed_trunc_*            = the matching trunc_sat (NaN -> 0,
//                                      saturating; the _zero forms zero
//                                      lanes 2 and 3)
//   f32x4/f64x2.relaxed_madd(a,b,c)  = a*b + c, fused (one rounding)
//   f32x4/f64x2.relaxed_nmadd(a,b,c) = -(a*b) + c, fused
//   iNxM.relaxed_laneselect(a,b,m)   = v128.bitselect(a, b, m)
//   f32x4/f64x2.relaxed_min/max      = f32x4/f64x2.min/max (NaN-propagating,
//                                      -0 < +0)
//   i16x8.relaxed_q15mulr_s          = i16x8.q15mulr_sat_s
//   i16x8.relaxed_dot_i8x16_i7x16_s  = lane i: a[2i]*b[2i] + a[2i+1]*b[2i+1],
//                                      both operands signed, wrapped to 16
//                                      bits
//   i32x4.relaxed_dot_i8x16_i7x16_add_s = lane i: sum over j<4 of
//                                      a[4i+j]*b[4i+j] (signed x signed) +
//                                      c[i], wrapped to 32 bits
//
// Returns 0 for ops without a scalar result. An opcode that is not a SIMD
// opcode is a compiler bug: the helper leaves dst untouched and returns 0.

#include <base/Integers.h>

namespace k23::jit {

extern "C" u64 k23_simd_scalar(u32 op, u8* dst, const u8* a, const u8* b, const u8* c, u64 imm, u64 imm2) noexcept;

} // namespace k23::jit
