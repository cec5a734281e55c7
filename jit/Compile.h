#pragma once

// Compiling a module with a tier (DESIGN.md "The optimizing tier and
// tier-up"). Each tier compiles one function behind the same interface —
// compile_function(module, index, env, holder, traps) into a fresh
// CodeHolder, position independent, with its trap sites — and
// compile_module() lays the functions out in one code object
// (jit/Code.h). Under Tier::Optimizing a function the optimizing tier
// cannot compile yet (ErrorCode::Unsupported: SIMD, shapes it does not
// lower) is compiled by the baseline instead, and counted: code of both
// tiers obeys jit/Abi.h, so they call each other freely.

#include <arch/riscv64/asm/CodeHolder.h>
#include <arch/riscv64/asm/CpuFeatures.h>
#include <base/Result.h>
#include <base/StringView.h>
#include <base/Vector.h>
#include <jit/Code.h>
#include <jit/Helpers.h>
#include <wasm/Module.h>

namespace k23::jit {

namespace optimizing {
class LowerScratch;
}

enum class Tier : u8 {
    Baseline,
    Optimizing,
    // Every function starts in the baseline, whose code counts calls and
    // loop iterations against a budget (VMContext::tier_budgets); a function
    // whose budget runs out is compiled by the optimizing tier and swapped
    // into the function table (jit/Engine.h "Tier-up").
    Auto,
};

[[nodiscard]] StringView tier_name(Tier tier) noexcept;
// "baseline", "optimizing" or "auto"; false for anything else.
[[nodiscard]] bool parse_tier(StringView name, Tier& out) noexcept;

struct CompileEnvironment {
    riscv64::CpuFeatures features;
    u64 landing_pad { 0 }; // the engine's trap landing pad
    HelperTable helpers { native_helpers() }; // what helper calls jump to (jit/Helpers.h)
    // Tier::Auto: baseline code decrements its function's budget on entry
    // and at every loop header, and calls HelperId::TierUp when it runs out.
    bool count_for_tier_up { false };
    // With it: loop headers may ask for an OSR entry (EngineOptions::tier_up_osr).
    bool osr_at_loops { false };
    // Tier-up's on-stack replacement: the optimizing tier compiles the
    // entry of the loop at this wasm offset instead (0: the function's).
    u32 osr_loop_offset { 0 };
};

// On-stack replacement takes functions with at most this many locals
// (params included): each instance keeps an OSR buffer of this many slots.
inline constexpr u32 osr_max_locals = 256;

// What compile_module (and, under Tier::Auto, the tier-up) did per tier.
struct TierCounts {
    usize optimized { 0 };  // functions the optimizing tier compiled
    usize baseline { 0 };   // functions the baseline compiled
    usize fallbacks { 0 };  // of those, asked of the optimizing tier first
    usize tiered_up { 0 };  // Tier::Auto: functions swapped to optimized code
    usize tier_up_refused { 0 }; // Tier::Auto: hot functions the optimizing tier refused (stay baseline)
    usize osr_entries { 0 };     // Tier::Auto: loop entries compiled for on-stack replacement
    usize osr_transfers { 0 };   // Tier::Auto: baseline activations moved to one
    usize baseline_bytes { 0 };  // machine code each tier produced
    usize optimized_bytes { 0 };
    // The reason of the first fallback (for --verbose), if any.
    char first_fallback[120] {};
};

Result<void> compile_module(const wasm::Module& module, const CompileEnvironment& env, Tier tier, CompiledModule& out,
    TierCounts* counts = nullptr) noexcept;

// Tier-up: function `index` of `module` by the optimizing tier alone, into
// a code object of its own (`out.first_function` = index, one function),
// published W^X. ErrorCode::Unsupported when the optimizing tier refuses
// it. Touches nothing shared but the module (read only) and `scratch`: a
// background thread may call it while guest code runs.
Result<void> compile_tier_up(const wasm::Module& module, u32 index, const CompileEnvironment& env,
    optimizing::LowerScratch& scratch, CompiledModule& out) noexcept;

} // namespace k23::jit
