#pragma once

// The calling convention of generated code (both tiers), RV64.
//
// Fixed registers, valid at every instruction of wasm code:
//   s11  VMContext* of the running function's instance (jit/VMContext.h)
//   s10  memory 0's base (VMContext::memory0_base; never moves: memories are
//        reservations that grow in place)
//   s0   frame pointer;  sp  stack pointer (16-byte aligned at calls)
//   t6   assembler scratch (far branches, veneers, pool loads)
// Every other register is caller-saved across wasm->wasm calls: a callee may
// clobber s1-s9 and fs0-fs11 as well (the entry trampoline saves the C
// ABI's callee-saved registers once per activation). Callers reload s11
// from their frame and s10 from the VMContext after each call.
//
// Parameters: integer-class values (i32, i64, funcref, externref) in
// a0..a7 in order, float-class (f32, f64) in fa0..fa7 in order; the rest
// in 8-byte slots at [sp + 8k] at the call (k counts overflowed params in
// order). i32 is kept sign-extended to 64 bits in registers and slots (the
// RV64 convention); f32 is NaN-boxed in f registers and its low 4 bytes
// hold the bits in a slot.
// Results (multi-value): the same classification into a0..a7 / fa0..fa7,
// overflow results in the caller's outgoing slots [sp + 8k] again. A caller
// reserves max(overflow params, overflow results, 8) slots: the 8 spare
// ones let a callee tail-call functions with up to 8 stack arguments.
//
// Callee frame (baseline):
//   [fp + 16 + 8k]  incoming overflow params / results
//   [fp + 8] ra, [fp + 0] caller's fp          (fp = sp at entry - 16)
//   [fp - 8]        the VMContext* (s11) at entry
//   [fp - 16 - 8i]  slot i: locals, then the value stack
//   [sp + 8k]       outgoing overflow area
// Every prologue checks sp - frame >= VMContext::stack_limit first and traps
// with "call stack exhausted".
//
// Tail calls (return_call*): arguments go to a0..a7/fa0..fa7 and to the
// caller's incoming overflow area, the frame is popped, and the callee is
// entered with the caller's return address: the stack never grows. (When
// the callee needs more overflow slots than the incoming area has — more
// than 8 and more than the caller's own — the baseline tier falls back to
// call + return.)
//
// Traps: code branches to an out-of-line stub `li a0, code; a2 = detail
// (the element index of "uninitialized element N", else -1); auipc a1, 0;
// jump landing`: the landing pad (engine stubs) stores the code and pc,
// restores the entry trampoline's sp and callee-saved registers and returns
// 1 from the trampoline. A memory fault in wasm code is turned into the same
// by the fault handler (pc -> trap table). The trap table maps the pc of
// each faulting access and each stub's auipc to the wasm offset.
//
// Helper calls (runtime functions in C++): the C ABI (LP64D); s0, s10, s11
// survive. Helpers that can trap return {value, trap code + 1 or 0} in
// a0/a1.

#include <arch/riscv64/asm/Registers.h>

namespace k23::jit::abi {

using namespace k23::riscv64;

inline constexpr GpReg vmctx = s11;
inline constexpr GpReg memory_base = s10;
inline constexpr GpReg frame = s0;
inline constexpr u32 int_arg_registers = 8;
inline constexpr u32 float_arg_registers = 8;
inline constexpr GpReg int_args[] = { a0, a1, a2, a3, a4, a5, a6, a7 };
inline constexpr FpReg float_args[] = { fa0, fa1, fa2, fa3, fa4, fa5, fa6, fa7 };
inline constexpr i32 frame_vmctx_offset = -8;
inline constexpr i32 frame_slot_base = -16; // slot i at fp - 16 - 8i
inline constexpr i32 incoming_base = 16;     // overflow k at fp + 16 + 8k
inline constexpr u32 min_outgoing_slots = 8;

// Trap code passed to the landing pad for an error from a host function.
inline constexpr u64 host_error_code = 255;

} // namespace k23::jit::abi
