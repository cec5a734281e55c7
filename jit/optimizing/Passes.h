#pragma once

// The optimizing tier's passes over the SSA IR (IR.h). Each returns whether
// it changed the function, leaves it verifiable (Verifier.h) and has
// host-ring tests on IR text (tests/jit/optimizing/PassesTest.cpp).
//
// What a pass may do with an instruction depends on its effects:
//   pure        no state read or written and no trap: constants,
//               arithmetic that cannot trap, select, ref.is_null, ref.func,
//               global.get of an immutable global. Folded, merged, hoisted,
//               deleted when unused.
//   may trap    integer division and remainder by a divisor that is not a
//               known safe constant, float-to-int truncation (§4.3.2 /
//               §4.3.4: these trap), memory accesses. Never deleted or
//               moved; an identical one that it dominates may be merged
//               into it (if the first did not trap, neither does the
//               second) when it reads no state.
//   state       loads, stores, global.get/set of a mutable global, calls,
//               memory.size/grow, the runtime operations, terminators:
//               kept in place, in order.

#include <jit/optimizing/Analysis.h>
#include <jit/optimizing/IR.h>

namespace k23::jit::optimizing {

[[nodiscard]] bool is_commutative(Opcode op) noexcept;
// Integer division/remainder and trapping truncations, unless the
// operands make the trap impossible.
[[nodiscard]] bool can_trap(const Function& f, InstId inst) noexcept;
// No state written, no trap: deletable when unused.
[[nodiscard]] bool is_removable(const Function& f, InstId inst) noexcept;
// Removable and reads no state: may be merged with its twin and moved.
[[nodiscard]] bool is_pure(const Function& f, InstId inst) noexcept;

// A pass given the function's current Cfg (the passes before it kept the
// CFG as it was computed): the pipeline computes one for several passes.
using CfgPass = Result<bool> (*)(Function&, const Cfg&) noexcept;
// Runs `pass` with a Cfg computed now, after the pending replacements: the
// one-argument form of each such pass (tests, callers without a Cfg).
Result<bool> run_with_cfg(Function& f, CfgPass pass) noexcept;

// Constant folding and algebraic simplification (Fold.cpp): numeric ops on
// constants with wasm's semantics (§4.3 "Numerics"; a fold that would trap,
// or whose float result is a NaN, is left to run), identities such as
// x + 0, x * 1, x & -1, x - x, x ^ x, constants moved right in
// commutative ops, multiplication, unsigned division and remainder by a
// power of two as shifts and masks, i32.eqz of an integer comparison as
// the inverted comparison, br_if/select on i32.eqz(c) as br_if/select on c
// with the sides swapped, select on a constant or of twins, and
// br_if/br_table on a constant turned into a jump (then unreachable blocks
// are removed).
Result<bool> fold_constants(Function& f) noexcept;

// Copy propagation: a block parameter that receives one value on every
// edge (a copy) is replaced by it, until none is left; every pending
// replacement is applied.
Result<bool> propagate_copies(Function& f) noexcept;

// Global value numbering over the dominator tree: a pure or merely
// trapping operation identical (op, immediates, operands, commutative
// operands in either order) to one that dominates it is replaced by it.
Result<bool> number_values(Function& f) noexcept;
// With the function's current Cfg (GVN does not change the CFG).
Result<bool> number_values(Function& f, const Cfg& cfg) noexcept;

// Redundant load elimination inside a block: a load of the same memory,
// address, offset and opcode as an earlier one, or a full-width load of
// what a full-width store just wrote, with nothing in between that may
// write memory (a store, a call, memory.grow, a runtime operation), is the
// earlier value. Wasm memories are not shared yet, so nothing else writes.
Result<bool> eliminate_redundant_loads(Function& f) noexcept;

// Dead-code elimination: removable instructions whose results nothing
// live uses, and block parameters no live instruction reads (with the
// edge arguments that fed them). Liveness starts at everything with an
// effect and flows backwards, through edges into block parameters.
Result<bool> eliminate_dead_code(Function& f) noexcept;

// Loop-invariant code motion: a pure operation inside a loop whose
// operands are all defined outside it moves to the loop's preheader (the
// one block outside the loop that enters it, ending in a jump), inner
// loops first so an invariant climbs out of every loop it can.
Result<bool> hoist_loop_invariants(Function& f) noexcept;
// With the function's current Cfg (LICM does not change the CFG).
Result<bool> hoist_loop_invariants(Function& f, const Cfg& cfg) noexcept;

// Strength reduction of address arithmetic (StrengthReduce.cpp): in a
// loop with a preheader, for a header parameter i that every back edge
// passes as i + s (or i - s, s constant), an `x + b` whose x = i * M or
// i << k is used by it alone and whose b is defined outside the loop
// becomes a header parameter of its own, b + init * M on entry (computed
// in the preheader) and p + s * M on each back edge (after i + s). Wasm's
// wrapping integer arithmetic makes the rewrite exact for any values
// (§4.3.2 iadd/imul are modulo 2^N), so the 32-bit address that reaches
// the access is the same bits as before.
Result<bool> reduce_strength(Function& f) noexcept;
// With the function's current Cfg (no edges change, only parameters).
Result<bool> reduce_strength(Function& f, const Cfg& cfg) noexcept;

// Jump threading: an edge to a block that only jumps on (and whose
// parameters only that jump reads) goes straight to where it jumps, with
// the arguments mapped; a br_if or br_table whose edges are all the same
// becomes a jump. Blocks nothing reaches any more are removed.
Result<bool> thread_jumps(Function& f) noexcept;

// Block merging: a block whose only predecessor jumps to it joins that
// predecessor (its parameters become the jump's arguments), so straight
// lines of jumps that folding leaves behind become one block.
Result<bool> merge_blocks(Function& f) noexcept;

// For a hart without Zbb (ExpandBits.cpp): clz, ctz, popcnt, rotl and
// rotr become base-ISA arithmetic with the same results (rotations as two
// shifts and an or, bit counts as SWAR sums), so such functions compile
// optimized. Run right after building, before the other passes.
Result<bool> expand_bit_operations(Function& f) noexcept;
// The wasm operations the lowering needs Zbb for, which that pass expands.
[[nodiscard]] bool needs_zbb(Opcode op) noexcept;

// Inlining of small callees (Inline.cpp): a direct `call` to a function
// defined in the same module (not an import, not the caller itself) whose
// body has at most max_callee_bytes bytes and whose optimized IR has at
// most max_callee_insts instructions is replaced by a copy of that IR,
// while the caller's growth stays within max_growth instructions. Only the
// caller's own calls are candidates (one level: a call inside an inlined
// body stays a call, so recursion cannot unroll). Refused: callees with
// `return_call[_indirect]`, calls with stack arguments or results, and
// what the builder refuses (SIMD); on a hart without Zbb (`zbb` false) a
// callee's bit operations are expanded first (expand_bit_operations). The copy keeps the callee's wasm offsets, so its traps report
// the callee's function and offset. Returns how many calls it inlined;
// run before optimize().
struct InlineOptions {
    u32 max_callee_bytes { 96 };
    u32 max_callee_insts { 40 };
    u32 max_growth { 400 };
    bool zbb { true };
};
Result<u32> inline_calls(Function& f, const InlineOptions& options) noexcept;

// The pipeline: every pass above, repeated while it changes something (a
// few rounds at most).
Result<void> optimize(Function& f) noexcept;

} // namespace k23::jit::optimizing
