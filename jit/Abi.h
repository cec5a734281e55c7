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
// ("stack arguments", P of them) in 8-byte slots the caller pushes below its
// sp right before the call: [sp + 8k] at entry, P rounded up to even (Pe) so
// sp stays 16-aligned. THE CALLEE POPS THEM: it returns with sp = its entry
// sp + 8 * Pe, i.e. the caller's sp before the push. i32 is kept
// sign-extended to 64 bits in registers and slots (the RV64 convention); f32
// is NaN-boxed in f registers and its low 4 bytes hold the bits in a slot.
// Results (multi-value): the same classification into a0..a7 / fa0..fa7,
// overflow results ("stack results") in an area the caller reserves at its
// own sp (the bottom of its frame): the callee writes result k at
// [entry sp + 8 * Pe + 8k], which is the caller's [sp + 8k] after the return.
//
// Callee frame (baseline):
//   [fp + 16 + 8k]        incoming stack argument k (Pe slots)
//   [fp + 16 + 8Pe + 8k]  stack result k (the caller's area)
//   [fp + 8] ra, [fp + 0] caller's fp          (fp = sp at entry - 16)
//   [fp - 8]        the VMContext* (s11) at entry
//   [fp - 16 - 8i]  slot i: locals, then the value stack
//   [sp + 8k]       outgoing area: stack results of calls, and the staging
//                   area of tail calls (below)
// Stack limit: wasm code never stores below VMContext::stack_limit, whatever
// the signatures (no limit on params or results is relied on). Every
// prologue checks fp - (frame + P + 16) >= stack_limit before it allocates
// the frame, where P covers the stack arguments its calls push below sp
// (the largest push up to 2016 bytes) and 16 the callee's ra/fp, which a
// prologue stores before its own check; a call pushing more checks
// sp - (8 * Pe + 16) itself before the push. The frame includes the
// outgoing area (stack results, tail-call staging), so tail calls store
// inside a checked frame. The entry trampoline checks the results area and
// params it pushes the same way. Failing any check traps with "call stack
// exhausted". The headroom below the limit (256 KiB) is only for C++ on the
// guest stack: host functions (the host-call trampoline) and helpers, which
// are called at a checked sp. Engine::interrupt() sets the limit above
// every sp, so the same checks (and one in every loop header) stop a guest.
//
// Tail calls (return_call*) never grow the stack. Let S be the sp of the
// function that made the last real call, before it pushed arguments (the
// results area starts there). A function entered by a call or a tail call
// chain from it always has entry sp = S - 8 * Pe(its own signature), so the
// depth of a tail callee depends only on its signature, never on the chain.
// A tail call from f (Pe_f) to g (Pe_g): register arguments to a0../fa0..;
// if Pe_g <= Pe_f, g's stack arguments are written straight to
// [fp_f + 16 + 8(Pe_f - Pe_g) + 8k] (inside f's incoming area, above all of
// f's slots); otherwise they are staged in f's outgoing area, ra and the
// caller's fp are loaded from f's frame, and the arguments are copied to
// [fp_f + 16 - 8(Pe_g - Pe_f) + 8k] (over f's saved ra/fp and top slots:
// the staging area is below every slot, so the two never overlap). Then
// sp = g's entry sp, fp = the caller's fp, and a jump enters g with the
// original return address. Stack results land at S + 8k either way, because
// return_call requires g's results to equal f's. This works across modules
// and through tables: no caller has to know what its callee tail-calls.
// The entry trampoline reserves the results area and pushes the params; the
// host-call trampoline pops them like any callee.
//
// Traps: code branches to an out-of-line stub `li a0, code; a2 = detail
// (the element index of "uninitialized element N", else -1); auipc a1, 0;
// jump landing`: the landing pad (engine stubs) stores the code and pc,
// restores the entry trampoline's sp and callee-saved registers and returns
// 1 from the trampoline. A memory fault in wasm code is turned into the same
// by the fault handler (pc -> trap table). The trap table maps the pc of
// each faulting access and each stub's auipc to the wasm offset.
//
// v128 (WebAssembly SIMD): with the V extension (VLEN >= 128) values live
// in vector registers v8-v31 inside a function (v1-v7 are scratch, v0 the
// mask), and up to eight v128 locals are homed in v24-v31 for the whole
// function (the values then keep v8 up to the first home); every vector
// register is caller-saved: calls and helper calls spill the values and
// store the homes to their locals' slots, reloading them after. Without V (the scalar path, SimdScalarOps.cpp) a v128
// is never in a register: it stays in its 16-byte slot and lane-wise ops
// call k23_simd_scalar (jit/SimdScalar.h) with slot addresses. Both ways,
// at calls a v128 parameter or result is ALWAYS
// passed in memory: it takes two consecutive 8-byte stack-argument (or
// stack-result) slots, low half first, in the order of the signature among
// the other overflow values, and never uses an a/fa register. (Simple and
// safe: no vector register is part of any convention, so the host-call and
// entry trampolines stay scalar, and code for harts with and without V
// calls each other.) vtype is undefined at a function's entry and after any
// call.
// Wide frames: a function that may hold v128 values (a v128 in its
// module's types or globals, or a SIMD opcode in its body) uses 16-byte
// slots: slot i at [fp - 32 - 16i] (16-aligned; [fp - 16] is unused), so a
// v128 spills with vse8/vle8 at vl = 16, e8; an i32..f64 uses its low 8
// bytes. Other functions keep 8-byte slots at [fp - 16 - 8i].
//
// Helper calls (runtime functions in C++): the C ABI (LP64D); s0, s10, s11
// survive. Helpers that can trap return {value, trap code + 1 or 0} in
// a0/a1.
//
// Host calls: a host function's VMFuncEntry leads to a trampoline, called
// like any wasm function. A function with a typed form (wasm/Runtime.h: at
// most six integer parameters, so all in a0..a5, at most one integer
// result) gets the typed trampoline, which calls the C++ function with the
// arguments where they are and the HostCall in a6 (the C ABI: a0..a5 and
// a6 are its first seven parameters); it returns {result, failed} in a0/a1,
// and a failure goes to the landing pad with host_error_code. Every other
// function gets the boxed trampoline (saves a0..a7/fa0..fa7, calls
// k23_jit_call_host, reloads the results, pops the stack arguments).

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
inline constexpr i32 wide_slot_base = -32;  // wide frames: slot i at fp - 32 - 16i
// Vector registers that may hold v128 values (the rest are scratch).
inline constexpr u8 first_value_vreg = 8;
inline constexpr i32 incoming_base = 16;     // stack argument k at fp + 16 + 8k

// Trap code passed to the landing pad for an error from a host function.
inline constexpr u64 host_error_code = 255;

} // namespace k23::jit::abi
