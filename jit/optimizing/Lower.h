#pragma once

// The optimizing tier's back end: IR (IR.h) after the passes (Passes.h) to
// RV64GC + Zba/Zbb/Zicond, behind the tier interface of jit/Compile.h.
//
// Register allocation (RegAlloc.cpp): linear scan (Poletto and Sarkar,
// "Linear Scan Register Allocation", 1999) with live-range splitting over
// live intervals in the reverse-postorder layout, from block liveness. A
// value is a chain of pieces, each in one register, and in its frame slot
// between them (stored there where it is defined when anything reads it
// from there). Every register is caller-saved across wasm calls
// (jit/Abi.h): a piece living across a call ends at it. When registers run
// out, the value used furthest away gives up its register, before the
// current loop when the loop does not use it, and continues from its next
// use or from the header of the loop around that use. Edges move what
// differs. Slots are reused once their last interval has ended, and are
// addressed from fp or, the deepest ones, from sp (which does not move
// after the prologue but while a call's stack arguments are pushed).
// Constants are not allocated (each use rematerializes them or folds them
// into an immediate), but those a loop uses that take two or more
// instructions to build, which are allocated like any value. Block parameters
// are parallel moves on each edge; an edge argument and its parameter
// prefer one register (or slot), so most moves vanish.
//
// Lowering keeps the baseline's contracts: the same prologue (frame link,
// stack-limit check, VMContext at fp - 8), interrupt checks at loop
// headers, trap stubs that report the wasm offset through the trap table,
// memory accesses recorded as trap sites (guard pages), and the calling
// convention, so either tier calls the other.
//
// Runtime operations (memory.size/grow, memory.init, table operations
// other than table.get/set) call the baseline's C++ helpers the same way;
// memory.fill and memory.copy are inline with its sequences (jit/BulkMemory.h).
//
// What it does not lower yet returns ErrorCode::Unsupported (the engine
// then compiles the function with the baseline and counts it): parameters
// or results of type v128 (and calls with such signatures), tail calls that
// pass more stack arguments than their caller received (jit/Abi.h's staging
// area), calls pushing more than 252 stack arguments, Zbb operations on a
// hart without Zbb, and functions too large for the liveness bitsets. Stack
// arguments and results follow jit/Abi.h: pushed below sp before a call (the
// callee pops them), results in an outgoing area at the bottom of the frame.

#include <arch/riscv64/asm/CodeHolder.h>
#include <base/Result.h>
#include <base/Vector.h>
#include <jit/Code.h>
#include <jit/Compile.h>
#include <jit/optimizing/Analysis.h>
#include <jit/optimizing/IR.h>

namespace k23::jit::optimizing {

// What compile_function keeps between functions (the IR's pools, analyses
// and the allocator's tables), allocated once per module.
class LowerScratch {
public:
    static Result<LowerScratch*> create() noexcept;
    static void destroy(LowerScratch* scratch) noexcept;

    Function function;
    Cfg cfg;
    struct Interval {
        u32 start;
        u32 end;
    };
    struct Location {
        u8 kind { 0 }; // 0 none (constant, fused), 1 integer register, 2 float register, 3 slot
        u8 reg { 0 };
        u32 slot { 0 };
    };
    Vector<u32> inst_pos;
    Vector<u32> block_start;
    Vector<u32> block_end;
    Vector<u64> live_in; // bitsets, one row per block
    Vector<Interval> intervals;
    Vector<Location> locations;
    Vector<u32> order; // values by interval start
    Vector<u32> uses;
    Vector<u8> fused;  // per inst: a compare the branch after it consumes
    Vector<u8> held;   // per inst: a constant kept in a register (RegAlloc.cpp)
    Vector<u32> calls; // positions of calls and helper calls, ascending
};

// The tier interface (jit/Compile.h).
Result<void> compile_function(const wasm::Module& module, u32 index, const CompileEnvironment& env, LowerScratch& scratch,
    riscv64::CodeHolder& holder, Vector<TrapSite>& traps) noexcept;

} // namespace k23::jit::optimizing
