#pragma once

// The IR verifier: what every pass must leave true (tests run it after each
// pass). A function is well formed when
//   - every live block ends in exactly one terminator and has no other,
//     and the block/instruction links agree;
//   - every block is reachable from the entry, and no edge enters the
//     entry, whose parameters are the function's parameters;
//   - every edge passes one argument per parameter of its target, of the
//     parameter's type;
//   - every operand is a live value with no pending replacement whose
//     definition dominates the use (SSA: a block parameter dominates its
//     block; an instruction result is used later in its block or in a
//     block it dominates; an edge argument is used at its terminator);
//   - every operation has the operand and result types of its wasm rule
//     (core spec 2.0 §3.3, "Instructions": numeric ops by their signature,
//     memory, variable, table and control instructions by theirs), and
//     calls, globals and returns agree with the module.

#include <jit/optimizing/IR.h>

namespace k23::jit::optimizing {

// Returns an Invalid error naming the first broken rule.
Result<void> verify_function(const Function& function) noexcept;

} // namespace k23::jit::optimizing
